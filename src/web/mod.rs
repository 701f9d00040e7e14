//! The read-only web interface (`[web] listen`): server-rendered pages
//! ([`pages`]: search, stories, coverage, sources, watches) and the JSON
//! API under `/api/` ([`api`]) that answers the same shapes as the command line's
//! `--format json`. Served by the daemon and by `pressd serve`.
//!
//! It only reads: the index through [`Index`] (as `pressd search` does),
//! the state store opened read-only per request, and the configuration it
//! was started with. No route writes, and only GET and HEAD are answered
//! (and POST on `/login`, which sets a cookie and writes nothing).
//!
//! Security is in [`guard`]: the headers every answer carries (a strict
//! Content-Security-Policy without inline script or style, `nosniff`,
//! no framing), the method check, and the token of [`auth`] when one is
//! configured. Text from the open web is escaped by the templates (maud
//! escapes every interpolated value) and isolated from the page's own
//! direction with `<bdi>` and `dir="auto"`.
//!
//! Built on axum (routing, query strings, forms) over the hyper and tokio
//! the daemon already runs; searches and counts run on the blocking pool,
//! as they are CPU work.

mod api;
mod assets;
pub mod auth;
mod guard;
mod pages;
mod params;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::routing::get;
use axum::Router;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

use crate::config::Config;
use crate::index::Index;

pub use auth::{Token, TokenError};
pub use params::{ParamError, Params};

/// Why the web interface could not start.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("cannot listen for the web page on {addr} (change or remove web.listen in {config})")]
    Bind {
        addr: SocketAddr,
        config: String,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Token(#[from] TokenError),
}

/// What the handlers read: the configuration (sources, watches, the
/// state directory, the press's languages) and the index.
pub struct Site {
    pub config: Arc<Config>,
    pub index: Arc<Index>,
    pub token: Option<Token>,
}

/// A bound listener with the token that guards it, made before the daemon
/// says READY so that a taken port or an unreadable token file fails the
/// start visibly.
pub struct Web {
    listener: TcpListener,
    token: Option<Token>,
}

impl Web {
    /// Bind `[web] listen`, if set, and read the token file, if set.
    pub async fn bind(config: &Config) -> Result<Option<Web>, WebError> {
        let Some(addr) = config.web.listen else {
            return Ok(None);
        };
        let token = config
            .web
            .auth_token_file
            .as_deref()
            .map(Token::read)
            .transpose()?;
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| WebError::Bind {
                addr,
                config: config.path.display().to_string(),
                source,
            })?;
        Ok(Some(Web { listener, token }))
    }

    /// The address actually bound (port 0 picks one).
    pub fn local_addr(&self) -> Option<SocketAddr> {
        self.listener.local_addr().ok()
    }

    /// Serve until `cancel`; connections in flight are finished first.
    pub async fn serve(self, config: Arc<Config>, index: Arc<Index>, cancel: CancellationToken) {
        match self.local_addr() {
            Some(addr) => info!(addr = %addr, auth = self.token.is_some(), "web listening"),
            None => warn!("web listening on an unknown address"),
        }
        let site = Arc::new(Site {
            config,
            index,
            token: self.token,
        });
        let served = axum::serve(self.listener, router(site))
            .with_graceful_shutdown(cancel.cancelled_owned())
            .await;
        if let Err(e) = served {
            warn!(error = %e, "web server ended abnormally");
        }
    }
}

/// Every route.
pub fn router(site: Arc<Site>) -> Router {
    Router::new()
        .route("/", get(pages::search))
        .route("/coverage", get(pages::coverage))
        .route("/coverage.svg", get(pages::coverage_svg))
        .route("/coverage.csv", get(pages::coverage_csv))
        .route("/sources", get(pages::sources))
        .route("/watches", get(pages::watches))
        .route("/stories", get(pages::stories))
        .route("/story/{id}", get(pages::story))
        .route("/login", get(pages::login_form).post(pages::login))
        .route("/api/search", get(api::search))
        .route("/api/coverage", get(api::coverage))
        .route("/api/sources", get(api::sources))
        .route("/api/watches", get(api::watches))
        .route("/api/stories", get(api::stories))
        .route("/api/story/{id}", get(api::story))
        .route("/api/{*rest}", get(api::not_found))
        .route(assets::stylesheet_path(), get(assets::stylesheet))
        .fallback(pages::not_found)
        .layer(axum::middleware::from_fn_with_state(
            site.clone(),
            guard::guard,
        ))
        .with_state(site)
}
