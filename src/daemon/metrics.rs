//! What the daemon counts, and the optional HTTP listener that shows it:
//! Prometheus text at `/metrics`, `/healthz` answering 200 while the
//! index writer makes progress and writes go through (503 otherwise), and
//! each watch's Atom feed at `/watches/ID.atom` (for `feed = true`).
//!
//! Counting is always on (a few atomic increments per event); serving only
//! when `[metrics] listen` is set. The registry and text encoding come from
//! `prometheus-client`, the Prometheus project's own Rust client; the server
//! is hyper's HTTP/1 connection driver, which the HTTP client already pulls
//! in — two fixed routes need no framework.

use std::convert::Infallible;
use std::sync::atomic::{AtomicI64, AtomicU64};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::{Method, Request, Response, StatusCode};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Unit;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tracing::{debug, warn};

use super::health;
use super::registry::Registry;
use super::telemetry::Telemetry;
use crate::index::Index;
use crate::state::{SourceState, State, WatchRecord};
use crate::watch::atom::FEED_ENTRIES;
use crate::watch::{Watch, Watches};

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct FetchLabels {
    source: String,
    /// `feed` (a poll) or `article` (a page of the frontier).
    kind: &'static str,
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct IndexedLabels {
    source: String,
    lang: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct SourceLabels {
    source: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StatusLabels {
    source: String,
    /// The source's health, as `pressd sources` shows it.
    status: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct WatchLabels {
    watch: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct DeliveryLabels {
    watch: String,
    /// `ok` (acknowledged), `failed` (given up), `pending` (waiting or
    /// being retried).
    status: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct EntryLabels {
    source: String,
    /// What became of the entries of the source's last document: `item`,
    /// `unreadable`, `without_link`.
    outcome: &'static str,
}

type HistogramFamily = Family<SourceLabels, Histogram, fn() -> Histogram>;

/// The daemon's metrics and their registry.
pub(super) struct Metrics {
    registry: prometheus_client::registry::Registry,
    fetches: Family<FetchLabels, Counter>,
    indexed: Family<IndexedLabels, Counter>,
    poll_seconds: HistogramFamily,
    queue_depth: Gauge,
    index_documents: Gauge,
    last_success: Family<SourceLabels, Gauge>,
    status: Family<StatusLabels, Gauge>,
    feed_entries: Family<EntryLabels, Gauge>,
    feed_repaired: Family<SourceLabels, Gauge>,
    sources: Gauge,
    heartbeat_age: Gauge<f64, AtomicU64>,
    storage_fault: Gauge,
    watch_hits: Family<WatchLabels, Gauge>,
    watch_deliveries: Family<DeliveryLabels, Gauge>,
}

fn poll_histogram() -> Histogram {
    // 50 ms to about 50 s: a feed answered from cache up to one that hits
    // the request timeout.
    Histogram::new(exponential_buckets(0.05, 2.0, 11))
}

impl Metrics {
    pub(super) fn new() -> Metrics {
        let mut registry = prometheus_client::registry::Registry::with_prefix("pressd");
        let fetches = Family::<FetchLabels, Counter>::default();
        let indexed = Family::<IndexedLabels, Counter>::default();
        let poll_seconds: HistogramFamily = Family::new_with_constructor(poll_histogram);
        let queue_depth = Gauge::<i64, AtomicI64>::default();
        let index_documents = Gauge::<i64, AtomicI64>::default();
        let last_success = Family::<SourceLabels, Gauge>::default();
        let status = Family::<StatusLabels, Gauge>::default();
        let feed_entries = Family::<EntryLabels, Gauge>::default();
        let feed_repaired = Family::<SourceLabels, Gauge>::default();
        let sources = Gauge::<i64, AtomicI64>::default();
        let heartbeat_age = Gauge::<f64, AtomicU64>::default();
        let storage_fault = Gauge::<i64, AtomicI64>::default();
        let watch_hits = Family::<WatchLabels, Gauge>::default();
        let watch_deliveries = Family::<DeliveryLabels, Gauge>::default();
        registry.register(
            "watch_hits",
            "Documents (or stories) each configured watch fired for",
            watch_hits.clone(),
        );
        registry.register(
            "watch_deliveries",
            "Each configured watch's messages by status (ok, failed, pending)",
            watch_deliveries.clone(),
        );
        registry.register(
            "fetches",
            "HTTP fetches by source, kind (feed, article) and outcome",
            fetches.clone(),
        );
        registry.register(
            "articles_indexed",
            "Articles committed to the index by source and language",
            indexed.clone(),
        );
        registry.register_with_unit(
            "poll_duration",
            "Time to poll a source's feed",
            Unit::Seconds,
            poll_seconds.clone(),
        );
        registry.register(
            "queue_depth",
            "Frontier entries waiting to be fetched",
            queue_depth.clone(),
        );
        registry.register(
            "index_documents",
            "Documents in the last committed index",
            index_documents.clone(),
        );
        registry.register_with_unit(
            "last_successful_poll",
            "Unix time of each enabled source's last successful poll",
            Unit::Seconds,
            last_success.clone(),
        );
        registry.register(
            "source_status",
            "Each enabled source's health (1 for its current status)",
            status.clone(),
        );
        registry.register(
            "feed_entries",
            "Entries of each feed's last document by what became of them (item, unreadable, without_link)",
            feed_entries.clone(),
        );
        registry.register(
            "feed_repaired",
            "1 when a feed's last document was not well-formed and was read after repair",
            feed_repaired.clone(),
        );
        registry.register("sources", "Enabled sources", sources.clone());
        registry.register_with_unit(
            "writer_heartbeat_age",
            "Time since the index writer last showed progress",
            Unit::Seconds,
            heartbeat_age.clone(),
        );
        registry.register(
            "storage_fault",
            "1 while writes to the index or the state store fail (a full disk)",
            storage_fault.clone(),
        );
        Metrics {
            registry,
            fetches,
            indexed,
            poll_seconds,
            queue_depth,
            index_documents,
            last_success,
            status,
            feed_entries,
            feed_repaired,
            sources,
            heartbeat_age,
            storage_fault,
            watch_hits,
            watch_deliveries,
        }
    }

    /// A feed poll ended with `outcome` (`ok`, `not_modified`, `error`).
    pub(super) fn polled(&self, source: &str, outcome: &'static str, took: Duration) {
        self.fetch(source, "feed", outcome);
        self.poll_seconds
            .get_or_create(&SourceLabels {
                source: source.to_string(),
            })
            .observe(took.as_secs_f64());
    }

    /// An article fetch ended with `outcome` (`ok`, `duplicate`, `retry`,
    /// `skipped`).
    pub(super) fn article_fetched(&self, source: &str, outcome: &'static str) {
        self.fetch(source, "article", outcome);
    }

    fn fetch(&self, source: &str, kind: &'static str, outcome: &'static str) {
        self.fetches
            .get_or_create(&FetchLabels {
                source: source.to_string(),
                kind,
                outcome,
            })
            .inc();
    }

    /// An article was committed.
    pub(super) fn indexed(&self, source: &str, lang: &str) {
        self.indexed
            .get_or_create(&IndexedLabels {
                source: source.to_string(),
                lang: lang.to_string(),
            })
            .inc();
    }

    pub(super) fn set_queue_depth(&self, depth: Option<u64>) {
        if let Some(d) = depth {
            self.queue_depth.set(i64::try_from(d).unwrap_or(i64::MAX));
        }
    }

    /// The per-source gauges, from what the store holds of each configured
    /// source. Rebuilt each time so that removed sources drop out.
    fn set_source_gauges(&self, configured: &[Arc<crate::config::Source>], states: &[SourceState]) {
        self.last_success.clear();
        self.status.clear();
        self.feed_entries.clear();
        self.feed_repaired.clear();
        let now = chrono::Utc::now();
        for source in configured {
            let st = states.iter().find(|st| st.id == source.id);
            let id = || source.id.clone();
            self.status
                .get_or_create(&StatusLabels {
                    source: id(),
                    status: health::assess(source, st, now).as_str(),
                })
                .set(1);
            let Some(st) = st else {
                continue;
            };
            if let Some(t) = st.last_success {
                self.last_success
                    .get_or_create(&SourceLabels { source: id() })
                    .set(t.timestamp());
            }
            if let Some(r) = &st.reading {
                for (outcome, n) in [
                    ("item", r.items),
                    ("unreadable", r.unreadable),
                    ("without_link", r.without_link),
                ] {
                    self.feed_entries
                        .get_or_create(&EntryLabels {
                            source: id(),
                            outcome,
                        })
                        .set(i64::from(n));
                }
                self.feed_repaired
                    .get_or_create(&SourceLabels { source: id() })
                    .set(i64::from(r.is_repaired()));
            }
        }
    }

    /// The per-watch gauges, from what the store holds of each configured
    /// watch. Rebuilt each time so that removed watches drop out.
    fn set_watch_gauges(&self, configured: &[Arc<Watch>], records: &[WatchRecord]) {
        self.watch_hits.clear();
        self.watch_deliveries.clear();
        for watch in configured {
            let record = records.iter().find(|r| r.id == watch.id);
            let count = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
            self.watch_hits
                .get_or_create(&WatchLabels {
                    watch: watch.id.clone(),
                })
                .set(count(record.map_or(0, |r| r.hits)));
            for (status, n) in [
                ("ok", record.map_or(0, |r| r.delivered)),
                ("failed", record.map_or(0, |r| r.failed)),
                ("pending", record.map_or(0, |r| r.pending)),
            ] {
                self.watch_deliveries
                    .get_or_create(&DeliveryLabels {
                        watch: watch.id.clone(),
                        status,
                    })
                    .set(count(n));
            }
        }
    }

    /// Refresh the gauges read from the store and the index, then encode.
    async fn render(&self, scrape: &Scrape) -> String {
        let configured = scrape.registry.all();
        self.sources
            .set(i64::try_from(configured.len()).unwrap_or(i64::MAX));
        let telemetry = &scrape.telemetry;
        self.heartbeat_age
            .set(telemetry.heartbeat.age().as_secs_f64());
        self.storage_fault
            .set(i64::from(telemetry.storage.fault().is_some()));
        let (state, index) = (scrape.state.clone(), scrape.index.clone());
        // Store and index reads are blocking file I/O.
        let read = tokio::task::spawn_blocking(move || {
            (
                state.queue_len(),
                state.sources(),
                index.num_docs(),
                state.watch_records(),
            )
        })
        .await;
        match read {
            Ok((queued, states, docs, watches)) => {
                if let Ok(records) = watches {
                    self.set_watch_gauges(&scrape.watches.all(), &records);
                }
                self.set_queue_depth(queued.ok());
                if let Ok(d) = docs {
                    self.index_documents
                        .set(i64::try_from(d).unwrap_or(i64::MAX));
                }
                if let Ok(states) = states {
                    self.set_source_gauges(&configured, &states);
                }
            }
            Err(e) => warn!(error = %e, "cannot read metrics from the store"),
        }
        let mut text = String::new();
        if let Err(e) = prometheus_client::encoding::text::encode(&mut text, &self.registry) {
            warn!(error = %e, "cannot encode metrics");
        }
        text
    }
}

/// What a scrape reads.
pub(super) struct Scrape {
    pub registry: Arc<Registry>,
    pub state: Arc<State>,
    pub telemetry: Arc<Telemetry>,
    pub index: Arc<Index>,
    /// For the watches' feeds and gauges.
    pub watches: Arc<Watches>,
}

/// Serve `/metrics` and `/healthz` on `listener` until `cancel`.
pub(super) async fn serve(listener: TcpListener, scrape: Scrape, cancel: CancellationToken) {
    let scrape = Arc::new(scrape);
    let mut connections = tokio::task::JoinSet::new();
    loop {
        let (stream, peer) = tokio::select! {
            _ = cancel.cancelled() => break,
            Some(_) = connections.join_next(), if !connections.is_empty() => continue,
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors and the like: pause, not spin.
                    warn!(error = %e, "metrics listener cannot accept");
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    continue;
                }
            },
        };
        let (scrape, cancel) = (scrape.clone(), cancel.clone());
        connections.spawn(async move {
            let service = hyper::service::service_fn(move |req| {
                let scrape = scrape.clone();
                async move { Ok::<_, Infallible>(respond(&req, &scrape).await) }
            });
            let conn = hyper::server::conn::http1::Builder::new()
                .serve_connection(hyper_util::rt::TokioIo::new(stream), service);
            tokio::select! {
                _ = cancel.cancelled() => {}
                r = conn => if let Err(e) = r {
                    debug!(peer = %peer, error = %e, "metrics connection ended");
                },
            }
        });
    }
    connections.shutdown().await;
}

async fn respond<B>(req: &Request<B>, scrape: &Scrape) -> Response<Full<Bytes>> {
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return plain(StatusCode::METHOD_NOT_ALLOWED, "use GET\n".into());
    }
    match req.uri().path() {
        "/metrics" => {
            let body = scrape.telemetry.metrics.render(scrape).await;
            let mut r = plain(StatusCode::OK, body);
            r.headers_mut().insert(
                hyper::header::CONTENT_TYPE,
                hyper::header::HeaderValue::from_static(
                    "application/openmetrics-text; version=1.0.0; charset=utf-8",
                ),
            );
            r
        }
        "/healthz" => {
            let hb = &scrape.telemetry.heartbeat;
            if let Some(fault) = scrape.telemetry.storage.fault() {
                plain(
                    StatusCode::SERVICE_UNAVAILABLE,
                    format!(
                        "storage fault since {}: {}; retrying\n",
                        fault
                            .since
                            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                        fault.message
                    ),
                )
            } else if hb.fresh() {
                plain(StatusCode::OK, "ok\n".into())
            } else {
                plain(
                    StatusCode::SERVICE_UNAVAILABLE,
                    format!(
                        "index writer has made no progress for {} s (limit {} s)\n",
                        hb.age().as_secs(),
                        hb.stale_after().as_secs()
                    ),
                )
            }
        }
        path => match path
            .strip_prefix("/watches/")
            .and_then(|p| p.strip_suffix(".atom"))
        {
            Some(id) => watch_feed(req, scrape, id).await,
            None => plain(
                StatusCode::NOT_FOUND,
                "not found; try /metrics, /healthz or /watches/ID.atom\n".into(),
            ),
        },
    }
}

/// `/watches/ID.atom`: the latest hits of a watch with `feed = true`.
async fn watch_feed<B>(req: &Request<B>, scrape: &Scrape, id: &str) -> Response<Full<Bytes>> {
    let Some(watch) = scrape.watches.get(id).filter(|w| w.feed) else {
        return plain(
            StatusCode::NOT_FOUND,
            format!("no watch '{id}' with feed = true\n"),
        );
    };
    let (state, wid) = (scrape.state.clone(), watch.id.clone());
    let hits = tokio::task::spawn_blocking(move || state.recent_hits(&wid, FEED_ENTRIES)).await;
    let hits = match hits {
        Ok(Ok(h)) => h,
        Ok(Err(e)) => {
            warn!(watch = %id, error = %e, "cannot read a watch's hits");
            return plain(StatusCode::SERVICE_UNAVAILABLE, format!("{e}\n"));
        }
        Err(e) => return plain(StatusCode::INTERNAL_SERVER_ERROR, format!("{e}\n")),
    };
    let self_url = req
        .headers()
        .get(hyper::header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(|host| format!("http://{host}{}", req.uri().path()));
    let body = crate::watch::atom::feed(&watch, &hits, self_url.as_deref(), chrono::Utc::now());
    let mut r = plain(StatusCode::OK, body);
    r.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/atom+xml; charset=utf-8"),
    );
    r
}

fn plain(status: StatusCode, body: String) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(body)));
    *r.status_mut() = status;
    r.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::daemon::storage::{Storage, Store};
    use crate::daemon::telemetry::Heartbeat;

    #[tokio::test(flavor = "multi_thread")]
    async fn healthz_follows_the_writer_heartbeat() {
        let dir = tempfile::tempdir().expect("tempdir");
        let scrape = scrape(dir.path(), Duration::from_millis(50));
        let get = |path: &str| Request::builder().uri(path).body(()).expect("request");
        scrape.telemetry.heartbeat.beat();
        let r = respond(&get("/healthz"), &scrape).await;
        assert_eq!(r.status(), StatusCode::OK);
        tokio::time::sleep(Duration::from_millis(100)).await;
        let r = respond(&get("/healthz"), &scrape).await;
        assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
        let r = respond(&get("/metrics"), &scrape).await;
        assert_eq!(r.status(), StatusCode::OK);
        let r = respond(&get("/other"), &scrape).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn healthz_and_metrics_show_a_storage_fault() {
        let dir = tempfile::tempdir().expect("tempdir");
        let scrape = scrape(dir.path(), Duration::from_secs(30));
        let get = |path: &str| Request::builder().uri(path).body(()).expect("request");
        scrape.telemetry.heartbeat.beat();
        scrape
            .telemetry
            .storage
            .fail(Store::Index, &std::io::Error::from_raw_os_error(28));
        let r = respond(&get("/healthz"), &scrape).await;
        assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
        let body = scrape.telemetry.metrics.render(&scrape).await;
        assert!(body.contains("pressd_storage_fault 1"), "{body}");
        scrape.telemetry.storage.ok(Store::Index);
        let r = respond(&get("/healthz"), &scrape).await;
        assert_eq!(r.status(), StatusCode::OK);
    }

    fn scrape(dir: &std::path::Path, stale_after: Duration) -> Scrape {
        let state = Arc::new(State::open(dir).expect("state"));
        Scrape {
            registry: Arc::new(Registry::new(state.clone(), &[])),
            state,
            telemetry: Arc::new(Telemetry::new(
                Heartbeat::new(stale_after),
                Storage::new(None, None),
            )),
            index: Arc::new(Index::open_or_create(&dir.join("index")).expect("index")),
            watches: Arc::new(Watches::default()),
        }
    }

    #[test]
    fn source_status_and_feed_readings_are_gauges() {
        use crate::sources::tests::source;
        use crate::sources::{Reader, Reading, SourceOptions};
        let url = |p: &str| url::Url::parse(&format!("https://e.org/{p}")).expect("url");
        let configured = vec![
            Arc::new(source(SourceOptions::Feed, url("a"))),
            Arc::new(crate::config::Source {
                id: "broken".into(),
                ..source(SourceOptions::Feed, url("b"))
            }),
            Arc::new(crate::config::Source {
                id: "new".into(),
                ..source(SourceOptions::Feed, url("c"))
            }),
        ];
        let now = chrono::Utc::now();
        let polled = |id: &str, reading: Reading| SourceState {
            id: id.into(),
            first_success: Some(now),
            last_success: Some(now),
            last_new_item: Some(now),
            reading: Some(reading),
            ..SourceState::default()
        };
        let states = vec![
            polled("test-feed", Reading::strict(3, 3, 0)),
            polled(
                "broken",
                Reading {
                    reader: Reader::Lenient,
                    unreadable: 2,
                    xml_error: Some("line 3, column 1: the document ends inside <item>".into()),
                    ..Reading::strict(5, 3, 0)
                },
            ),
        ];
        let m = Metrics::new();
        m.set_source_gauges(&configured, &states);
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &m.registry).expect("encodes");
        for line in [
            "pressd_source_status{source=\"test-feed\",status=\"ok\"} 1",
            "pressd_source_status{source=\"broken\",status=\"parse-degraded\"} 1",
            "pressd_source_status{source=\"new\",status=\"pending\"} 1",
            "pressd_feed_entries{source=\"broken\",outcome=\"unreadable\"} 2",
            "pressd_feed_entries{source=\"broken\",outcome=\"item\"} 3",
            "pressd_feed_repaired{source=\"broken\"} 1",
            "pressd_feed_repaired{source=\"test-feed\"} 0",
        ] {
            assert!(text.contains(line), "{line} in\n{text}");
        }
    }

    #[test]
    fn counts_are_encoded_with_prefix_and_labels() {
        let m = Metrics::new();
        m.polled("az-news", "ok", Duration::from_millis(120));
        m.article_fetched("az-news", "ok");
        m.indexed("az-news", "az");
        m.indexed("az-news", "az");
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &m.registry).expect("encodes");
        assert!(
            text.contains("pressd_articles_indexed_total{source=\"az-news\",lang=\"az\"} 2"),
            "{text}"
        );
        assert!(
            text.contains(
                "pressd_fetches_total{source=\"az-news\",kind=\"feed\",outcome=\"ok\"} 1"
            ),
            "{text}"
        );
        assert!(
            text.contains("pressd_poll_duration_seconds_count{source=\"az-news\"} 1"),
            "{text}"
        );
        assert!(text.contains("pressd_queue_depth 0"), "{text}");
    }
}
