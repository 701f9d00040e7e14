//! The web's token (`[web] auth_token_file`): who may read. A client
//! presents it as `Authorization: Bearer TOKEN`; a browser through the
//! login form, which sets a session cookie. The cookie holds a keyed hash
//! of the token, not the token itself, so it does not show the token to
//! whoever reads the browser's cookie jar; it is HttpOnly and
//! SameSite=Strict.
//!
//! Comparisons are of SHA-256 digests in constant time ([`subtle`]): the
//! time an answer takes says nothing about how much of a guess was right,
//! not even its length.

use std::path::Path;

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The name of the session cookie.
pub const COOKIE: &str = "pressd_session";

/// The configured token, kept as what is compared.
#[derive(Clone)]
pub struct Token {
    /// SHA-256 of the token.
    digest: [u8; 32],
    /// The session cookie's value: HMAC-SHA256 of a fixed label keyed by
    /// the token, hex.
    session: String,
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(..)")
    }
}

/// Why the token file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("cannot read web.auth_token_file {path}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("web.auth_token_file {path} is empty: write a long random token into it (for example `openssl rand -hex 32 > {path}`)")]
    Empty { path: String },
}

fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

impl Token {
    /// The token of `path`: its content without surrounding whitespace.
    pub fn read(path: &Path) -> Result<Token, TokenError> {
        let text = std::fs::read_to_string(path).map_err(|source| TokenError::Read {
            path: path.display().to_string(),
            source,
        })?;
        let token = text.trim();
        if token.is_empty() {
            return Err(TokenError::Empty {
                path: path.display().to_string(),
            });
        }
        Ok(Token::new(token))
    }

    pub fn new(token: &str) -> Token {
        let session = match <Hmac<Sha256> as KeyInit>::new_from_slice(token.as_bytes()) {
            Ok(mut mac) => {
                mac.update(b"pressd web session v1");
                hex(&mac.finalize().into_bytes())
            }
            // HMAC takes keys of any length; kept total all the same.
            Err(_) => hex(&sha256(token.as_bytes())),
        };
        Token {
            digest: sha256(token.as_bytes()),
            session,
        }
    }

    /// Whether `presented` is the token.
    pub fn matches(&self, presented: &str) -> bool {
        sha256(presented.trim().as_bytes())
            .ct_eq(&self.digest)
            .into()
    }

    /// The value of the session cookie the login form sets.
    pub fn session(&self) -> &str {
        &self.session
    }

    /// Whether a request with these headers may read: a bearer token or
    /// the session cookie.
    pub fn admits(&self, headers: &axum::http::HeaderMap) -> bool {
        let bearer = headers
            .get_all(axum::http::header::AUTHORIZATION)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|v| v.strip_prefix("Bearer "))
            .any(|t| self.matches(t));
        bearer || self.cookie(headers)
    }

    fn cookie(&self, headers: &axum::http::HeaderMap) -> bool {
        let expected = sha256(self.session.as_bytes());
        headers
            .get_all(axum::http::header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .filter(|(name, _)| *name == COOKIE)
            .any(|(_, value)| bool::from(sha256(value.as_bytes()).ct_eq(&expected)))
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::{HeaderMap, HeaderValue};

    fn headers(name: &'static str, value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(name, HeaderValue::from_str(value).expect("header"));
        h
    }

    #[test]
    fn bearer_or_session_cookie_admit_nothing_else_does() {
        let token = Token::new("s3cret-token");
        assert!(token.admits(&headers("authorization", "Bearer s3cret-token")));
        assert!(!token.admits(&headers("authorization", "Bearer s3cret")));
        assert!(!token.admits(&headers("authorization", "s3cret-token")));
        let cookie = format!("a=b; {COOKIE}={}", token.session());
        assert!(token.admits(&headers("cookie", &cookie)));
        assert!(!token.admits(&headers("cookie", &format!("{COOKIE}=s3cret-token"))));
        assert!(!token.admits(&HeaderMap::new()));
        assert_ne!(token.session(), "s3cret-token");
    }

    #[test]
    fn an_empty_token_file_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("token");
        std::fs::write(&path, "\n").expect("write");
        assert!(matches!(Token::read(&path), Err(TokenError::Empty { .. })));
        std::fs::write(&path, "abc\n").expect("write");
        assert!(Token::read(&path).expect("token").matches("abc"));
    }
}
