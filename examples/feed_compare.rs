//! pressd's feed reading against Python feedparser's, file by file, both
//! reading the same bytes over HTTP from a server on 127.0.0.1.
//!
//! ```text
//! pip install feedparser
//! cargo run --release --example feed_compare -- [DIR...] [--all]
//! ```
//!
//! Every file under the DIRs (recursively; default: the conformance set in
//! tests/fixtures/feeds and the fixtures under ../shared/fixtures, skipped
//! with a notice when absent) is served on 127.0.0.1 and read twice: by
//! pressd's feed poll (`pressd::sources::feed::poll`: the HTTP client,
//! charset decoding, parsing, the account of the entries) whose result is
//! judged by the daemon's health rules (`health::assess_state`), and by
//! feedparser through `examples/feedparser_compare.py` (`$PYTHON` or
//! `python3`). The report gives, per class of feed:
//!
//! - well-formed feeds in which feedparser finds entries: the share that
//!   pressd reads with as many items as feedparser has entries with an
//!   http(s) link (pressd makes an item of each linked entry; an entry
//!   without a link is no item), and the share with as many entries;
//! - ill-formed feeds feedparser still reads entries from: how many pressd
//!   recovers (reads entries from, or items when feedparser finds links),
//!   and how many with the same item count;
//! - feeds pressd reports "ok" while entries are present (feedparser's or
//!   its own) and it yields no item: must be none;
//! - crashes and hangs, of either reader: must be none.
//!
//! "Ill-formed" follows feedparser: its XML parser gave up on the document
//! (`SAXParseException`, `UndeclaredNamespace`), not a mere complaint about
//! a charset or a content type. A file is served with the Content-Type
//! tests/fixtures/feeds/conformance.toml gives it, else the one a
//! `Header: Content-Type: ...` line of a comment at its top names (as
//! feedparser's own test files do), else one from its extension
//! (`application/feed+json`, `text/html`, `application/xml`). `{BASE}` in
//! a file is replaced by the server's origin. `--all` lists every file,
//! not only those where the two readers disagree.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::convert::Infallible;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{mpsc, Arc};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use pressd::daemon::health;
use pressd::http::{Client, HttpSettings};
use pressd::sources::feed;
use pressd::sources::Poll;
use pressd::state::SourceState;
use serde::Deserialize;
use url::Url;

/// How long one poll may take before it counts as a hang.
const HANG: Duration = Duration::from_secs(60);

/// What feedparser made of a feed (see examples/feedparser_compare.py).
#[derive(Debug, Deserialize)]
struct Theirs {
    url: String,
    bozo: bool,
    error: Option<String>,
    error_type: Option<String>,
    version: String,
    entries: usize,
    links: Vec<Option<String>>,
}

impl Theirs {
    fn ill_formed(&self) -> bool {
        self.bozo
            && matches!(
                self.error_type.as_deref(),
                Some("SAXParseException" | "UndeclaredNamespace")
            )
    }

    fn broke(&self) -> Option<&str> {
        match self.error_type.as_deref() {
            Some(kind @ ("crash" | "hang")) => Some(kind),
            _ => None,
        }
    }

    /// Entries with an http(s) link, each link once: what pressd can
    /// yield an item for.
    fn linked(&self) -> usize {
        let mut seen = HashSet::new();
        self.links
            .iter()
            .flatten()
            .filter_map(|l| Url::parse(l).ok())
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .filter(|u| seen.insert(u.to_string()))
            .count()
    }
}

/// What pressd made of a feed.
#[derive(Debug)]
enum Ours {
    /// Polled; `status` is the source's health after this poll.
    Read {
        items: usize,
        entries: u32,
        reader: &'static str,
        status: &'static str,
    },
    Failed(String),
    Crashed,
    Hung,
}

impl Ours {
    fn status(&self) -> &'static str {
        match self {
            Ours::Read { status, .. } => status,
            Ours::Failed(_) => "failing",
            Ours::Crashed => "CRASH",
            Ours::Hung => "HANG",
        }
    }

    fn items(&self) -> usize {
        match self {
            Ours::Read { items, .. } => *items,
            _ => 0,
        }
    }

    fn entries(&self) -> Option<usize> {
        match self {
            Ours::Read { entries, .. } => Some(*entries as usize),
            _ => None,
        }
    }
}

#[derive(Debug, Deserialize)]
struct Manifest {
    feed: Vec<ManifestFeed>,
}

#[derive(Debug, Deserialize)]
struct ManifestFeed {
    file: String,
    content_type: Option<String>,
}

/// One file to serve and read.
struct Case {
    /// Shown in the report: the path below the DIR it was found in.
    name: String,
    route: String,
    content_type: String,
    body: Bytes,
}

/// Files that describe fixtures rather than being one.
fn is_description(path: &Path) -> bool {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    ["toml", "md", "txt", "py"].contains(&ext)
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| Some(e.ok()?.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            files_under(&path, out);
        } else if !is_description(&path) {
            out.push(path);
        }
    }
}

/// Content types the conformance manifest gives, by file name.
fn manifest_types(dir: &Path) -> HashMap<String, String> {
    let Ok(text) = std::fs::read_to_string(dir.join("conformance.toml")) else {
        return HashMap::new();
    };
    let Ok(manifest) = toml::from_str::<Manifest>(&text) else {
        return HashMap::new();
    };
    manifest
        .feed
        .into_iter()
        .filter_map(|f| Some((f.file, f.content_type?)))
        .collect()
}

/// The Content-Type a `Header: Content-Type: ...` line names in the
/// file's opening lines (feedparser's test files say how they are served
/// so).
fn declared_type(body: &[u8]) -> Option<String> {
    let head = String::from_utf8_lossy(&body[..body.len().min(2048)]);
    head.lines().find_map(|line| {
        let rest = line.trim().strip_prefix("Header:")?.trim();
        let (name, value) = rest.split_once(':')?;
        name.trim()
            .eq_ignore_ascii_case("content-type")
            .then(|| value.trim().to_owned())
    })
}

fn type_by_extension(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "json" => "application/feed+json",
        "html" | "htm" | "php" => "text/html",
        _ => "application/xml",
    }
}

fn replace(hay: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(hay.len());
    let mut i = 0;
    while i < hay.len() {
        if hay[i..].starts_with(from) {
            out.extend_from_slice(to);
            i += from.len();
        } else {
            out.push(hay[i]);
            i += 1;
        }
    }
    out
}

/// `{BASE}` replaced by `base` in UTF-8, UTF-16 and UTF-32 text alike.
fn with_base(bytes: &[u8], base: &str) -> Vec<u8> {
    let widen = |s: &str, width: usize, big_endian: bool| -> Vec<u8> {
        s.bytes()
            .flat_map(|b| {
                let mut unit = vec![0u8; width];
                unit[if big_endian { width - 1 } else { 0 }] = b;
                unit
            })
            .collect()
    };
    let mut out = bytes.to_vec();
    for (width, big_endian) in [(1, false), (2, false), (2, true), (4, false), (4, true)] {
        out = replace(
            &out,
            &widen("{BASE}", width, big_endian),
            &widen(base, width, big_endian),
        );
    }
    out
}

/// Serve `cases` by route until the runtime stops; 404 for anything else.
async fn serve(listener: tokio::net::TcpListener, cases: Arc<HashMap<String, (String, Bytes)>>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let cases = cases.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req: hyper::Request<_>| {
                let found = cases.get(req.uri().path()).cloned();
                async move {
                    let response = match found {
                        Some((content_type, body)) => hyper::Response::builder()
                            .header("content-type", content_type)
                            .body(Full::new(body)),
                        None => hyper::Response::builder()
                            .status(404)
                            .body(Full::new(Bytes::new())),
                    };
                    Ok::<_, Infallible>(response.unwrap_or_default())
                }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                .await;
        });
    }
}

/// pressd's poll of `url`, on a thread of its own so that a hang is seen
/// as one, and the source's health after it.
fn ours(url: &Url) -> Ours {
    let (tx, rx) = mpsc::channel();
    let url = url.clone();
    std::thread::spawn(move || {
        let read = std::panic::catch_unwind(|| {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            runtime.block_on(async {
                let client = Client::new(&HttpSettings {
                    user_agent: "pressd-feed-compare/1".to_owned(),
                    connect_timeout: Duration::from_secs(5),
                    timeout: Duration::from_secs(30),
                    max_body_bytes: 64 << 20,
                    max_redirects: 5,
                    per_host_concurrency: 4,
                })
                .map_err(|e| e.to_string())?;
                feed::poll(&client, &url, None)
                    .await
                    .map_err(|e| e.to_string())
            })
        });
        let _ = tx.send(read);
    });
    let now = chrono::Utc::now();
    match rx.recv_timeout(HANG) {
        Err(_) => Ours::Hung,
        Ok(Err(_)) => Ours::Crashed,
        Ok(Ok(Err(message))) => Ours::Failed(message),
        Ok(Ok(Ok(Poll::NotModified))) => Ours::Failed("304 to an unconditional GET".into()),
        Ok(Ok(Ok(Poll::Items { items, reading, .. }))) => {
            let state = SourceState {
                last_success: Some(now),
                first_success: Some(now),
                last_new_item: (!items.is_empty()).then_some(now),
                reading: reading.clone(),
                ..SourceState::default()
            };
            Ours::Read {
                items: items.len(),
                entries: reading.as_ref().map_or(0, |r| r.entries),
                reader: reading.as_ref().map_or("-", |r| r.reader.as_str()),
                status: health::assess_state(&state, Duration::from_secs(3600), now).as_str(),
            }
        }
    }
}

/// feedparser's readings of `urls`, by URL.
fn theirs(root: &Path, urls: &[String]) -> anyhow::Result<HashMap<String, Theirs>> {
    let script = root.join("examples/feedparser_compare.py");
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    let mut child = Command::new(&python)
        .arg(&script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()?;
    let mut stdin = child
        .stdin
        .take()
        .ok_or_else(|| anyhow::anyhow!("no stdin for {python}"))?;
    let list = urls.join("\n");
    // Written from a thread of its own: the script answers as it reads,
    // and a pipe that fills up on both sides would stop both.
    let writer = std::thread::spawn(move || writeln!(stdin, "{list}"));
    let out = child.wait_with_output()?;
    let _ = writer.join();
    anyhow::ensure!(
        out.status.success(),
        "{python} {} failed: {} (is feedparser installed? pip install feedparser)",
        script.display(),
        out.status
    );
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<Theirs>(l).ok())
        .map(|t| (t.url.clone(), t))
        .collect())
}

fn percent(part: usize, whole: usize) -> String {
    if whole == 0 {
        return "-".to_owned();
    }
    format!(
        "{:.1} % ({part} of {whole})",
        100.0 * part as f64 / whole as f64
    )
}

/// The last `width` characters of `name`.
fn tail(name: &str, width: usize) -> String {
    let n = name.chars().count();
    name.chars().skip(n.saturating_sub(width)).collect()
}

fn main() -> anyhow::Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut dirs = Vec::new();
    let mut all = false;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--all" => all = true,
            _ => dirs.push(PathBuf::from(arg)),
        }
    }
    if dirs.is_empty() {
        dirs.push(root.join("tests/fixtures/feeds"));
        let shared = root.join("../shared/fixtures");
        if shared.is_dir() {
            dirs.push(shared);
        } else {
            eprintln!("skipping: {} not present", shared.display());
        }
    }

    let runtime = tokio::runtime::Runtime::new()?;
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))?;
    let origin = format!("http://{}", listener.local_addr()?);

    let mut cases = Vec::new();
    for dir in &dirs {
        if !dir.is_dir() {
            eprintln!("skipping: {} not present", dir.display());
            continue;
        }
        let types = manifest_types(dir);
        let mut files = Vec::new();
        files_under(dir, &mut files);
        for path in files {
            let raw = std::fs::read(&path)?;
            let file_name = path.file_name().and_then(|n| n.to_str()).unwrap_or("feed");
            let content_type = types
                .get(file_name)
                .cloned()
                .or_else(|| declared_type(&raw))
                .unwrap_or_else(|| type_by_extension(&path).to_owned());
            let below = path.strip_prefix(dir).unwrap_or(&path);
            let dir_name = dir.file_name().and_then(|n| n.to_str()).unwrap_or("");
            let name = Path::new(dir_name).join(below).display().to_string();
            let route = format!("/{}/{file_name}", cases.len());
            cases.push(Case {
                name,
                route,
                content_type,
                body: Bytes::from(with_base(&raw, &origin)),
            });
        }
    }
    anyhow::ensure!(!cases.is_empty(), "no files found");
    let routes: HashMap<String, (String, Bytes)> = cases
        .iter()
        .map(|c| (c.route.clone(), (c.content_type.clone(), c.body.clone())))
        .collect();
    runtime.spawn(serve(listener, Arc::new(routes)));

    let urls: Vec<String> = cases
        .iter()
        .map(|c| format!("{origin}{}", c.route))
        .collect();
    let theirs = theirs(root, &urls)?;

    let (mut wf, mut wf_same_items, mut wf_same_entries) = (0, 0, 0);
    let (mut ill, mut ill_recovered, mut ill_same_items) = (0, 0, 0);
    let mut ok_but_empty = Vec::new();
    let (mut our_breaks, mut their_breaks) = (Vec::new(), Vec::new());
    // Well-formed feeds with entries by feedparser's name of their
    // format: (same item count, all).
    let mut by_version: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    println!(
        "{:<48} {:>6} {:>6} {:>6} {:>6}  {:<8} {:<14}  note",
        "file", "fp.ent", "fp.lnk", "ents", "items", "reader", "status"
    );
    for (case, url) in cases.iter().zip(&urls) {
        let Some(t) = theirs.get(url) else {
            their_breaks.push(format!("{} (no answer)", case.name));
            continue;
        };
        let url = Url::parse(url)?;
        let o = ours(&url);
        let linked = t.linked();
        let (items, entries, status) = (o.items(), o.entries(), o.status());
        let same_items = items == linked && entries.is_some();
        let same_entries = entries == Some(t.entries);
        if t.entries > 0 && t.broke().is_none() {
            if t.ill_formed() {
                ill += 1;
                let read = items > 0 || (linked == 0 && entries.unwrap_or(0) > 0);
                ill_recovered += usize::from(read && status != "failing");
                ill_same_items += usize::from(same_items && status != "failing");
            } else {
                wf += 1;
                wf_same_items += usize::from(same_items);
                wf_same_entries += usize::from(same_entries);
                let row = by_version.entry(t.version.clone()).or_default();
                row.0 += usize::from(same_items);
                row.1 += 1;
            }
        }
        if status == "ok" && items == 0 && (t.entries > 0 || entries.unwrap_or(0) > 0) {
            ok_but_empty.push(case.name.clone());
        }
        if matches!(o, Ours::Crashed | Ours::Hung) {
            our_breaks.push(format!("{} ({status})", case.name));
        }
        if let Some(kind) = t.broke() {
            their_breaks.push(format!("{} ({kind})", case.name));
        }
        let agree = (same_items && same_entries) || (t.entries == 0 && entries.unwrap_or(0) == 0);
        if all || !agree {
            let note = match (&o, t.ill_formed()) {
                (Ours::Failed(m), _) => format!("pressd: {m}"),
                // feedparser 6 reads no JSON Feed: its XML parser fails.
                _ if case.content_type.contains("json") => "JSON Feed".to_owned(),
                (_, true) => format!(
                    "ill-formed: {}",
                    t.error
                        .as_deref()
                        .unwrap_or("")
                        .lines()
                        .next()
                        .unwrap_or("")
                ),
                _ => String::new(),
            };
            let reader = match &o {
                Ours::Read { reader, .. } => reader,
                _ => "-",
            };
            println!(
                "{:<48} {:>6} {:>6} {:>6} {:>6}  {:<8} {:<14}  {note}",
                tail(&case.name, 48),
                t.entries,
                linked,
                entries.map_or_else(|| "-".to_owned(), |e| e.to_string()),
                items,
                reader,
                status,
            );
        }
    }
    println!();
    println!("files served and read by both: {}", theirs.len());
    println!(
        "well-formed feeds with entries, same item count as feedparser's linked entries: {}",
        percent(wf_same_items, wf)
    );
    for (version, (same, of)) in &by_version {
        let version = if version.is_empty() { "?" } else { version };
        println!("    {version:<10} {}", percent(*same, *of));
    }
    println!(
        "well-formed feeds with entries, same entry count as feedparser: {}",
        percent(wf_same_entries, wf)
    );
    println!(
        "ill-formed feeds feedparser reads entries from, recovered by pressd: {}",
        percent(ill_recovered, ill)
    );
    println!(
        "ill-formed feeds feedparser reads entries from, recovered with the same item count: {}",
        percent(ill_same_items, ill)
    );
    println!(
        "feeds reported ok with entries present but nothing parsed: {} {:?}",
        ok_but_empty.len(),
        ok_but_empty
    );
    println!(
        "crashes/hangs: pressd {} {:?}, feedparser {} {:?}",
        our_breaks.len(),
        our_breaks,
        their_breaks.len(),
        their_breaks
    );
    Ok(())
}
