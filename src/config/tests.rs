//! Tests of `Config::load`, end to end through files written to a temporary
//! directory.

use super::*;
use std::fs;

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    if let Some(parent) = p.parent() {
        fs::create_dir_all(parent).expect("mkdir");
    }
    fs::write(&p, text).expect("write");
    p
}

fn load_err(path: &Path) -> String {
    Config::load(path)
        .expect_err("config should be rejected")
        .to_string()
}

#[test]
fn empty_file_is_valid_and_resolves_paths_against_its_dir() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(dir.path(), "pressd.toml", "");
    let c = Config::load(&path).expect("empty config is valid");
    assert!(c.sources.is_empty());
    assert_eq!(c.index_dir, dir.path().join("index"));
    assert_eq!(c.state_dir, dir.path().join("state"));
    assert_eq!(c.http.per_host_concurrency, 2);
}

#[test]
fn sources_from_daemon_file_and_sources_dir_with_defaults() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(
        dir.path(),
        "pressd.toml",
        r#"
index_dir = "../idx"
[http]
timeout = "20s"
max_body_size = "2 MiB"
[defaults]
poll_interval = "5m"
[[source]]
id = "a"
kind = "feed"
url = "https://a.example/rss"
lang = "hy-AM"
"#,
    );
    write(
        dir.path(),
        "sources.d/b.toml",
        "[[source]]\nid = \"b.az\"\nkind = \"feed\"\nurl = \"https://b.example/feed\"\npoll_interval = \"30s\"\nenabled = false\n",
    );
    write(dir.path(), "sources.d/notes.txt", "ignored");
    let c = Config::load(&path).expect("valid");
    assert_eq!(c.index_dir, dir.path().join("../idx"));
    assert_eq!(c.http.timeout, Duration::from_secs(20));
    assert_eq!(c.http.max_body_bytes, 2 * 1024 * 1024);
    assert_eq!(c.sources.len(), 2);
    assert_eq!(c.sources[0].poll_interval, Duration::from_secs(300));
    assert_eq!(c.sources[0].lang.as_deref(), Some("hy"));
    assert_eq!(c.sources[1].poll_interval, Duration::from_secs(30));
    assert!(!c.sources[1].enabled);
    assert_eq!(c.enabled_sources().count(), 1);
}

#[test]
fn press_languages_are_those_the_enabled_sources_declare() {
    let dir = tempfile::tempdir().expect("tempdir");
    let feed = |id: &str, lang: Option<&str>, enabled: bool| {
        format!(
            "[[source]]\nid = \"{id}\"\nkind = \"feed\"\nurl = \"https://{id}.example/rss\"\n{}enabled = {enabled}\n",
            lang.map(|l| format!("lang = \"{l}\"\n")).unwrap_or_default()
        )
    };
    let path = write(
        dir.path(),
        "pressd.toml",
        &format!(
            "languages = [\"hy\", \"az\", \"ru\", \"en\", \"zh\"]\n{}{}{}{}{}",
            feed("a", Some("ka-GE"), true),
            feed("b", Some("hy"), true),
            feed("c", None, true),
            feed("d", Some("ka"), true),
            feed("e", Some("tr"), false),
        ),
    );
    let c = Config::load(&path).expect("valid");
    assert_eq!(c.press_languages(), ["ka", "hy"]);
    // No source says: the detector's languages.
    let path = write(
        dir.path(),
        "other.toml",
        &format!(
            "languages = [\"hy\", \"az\"]\nsources_dir = \"none.d\"\n{}",
            feed("c", None, true)
        ),
    );
    std::fs::create_dir_all(dir.path().join("none.d")).expect("mkdir");
    let c = Config::load(&path).expect("valid");
    assert_eq!(c.press_languages(), ["hy", "az"]);
}

#[test]
fn interval_bounds_and_host_limits() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(
        dir.path(),
        "pressd.toml",
        r#"
[defaults]
poll_interval = "10m"
max_interval = "2h"
[[source]]
id = "plain"
kind = "feed"
url = "https://a.example/rss"
[[source]]
id = "own"
kind = "page"
url = "https://b.example/news"
link_selector = "h2 a"
min_interval = "5m"
max_interval = "30m"
per_host_concurrency = 1
per_host_delay = "3s"
[[source]]
id = "daily"
kind = "feed"
url = "https://c.example/rss"
poll_interval = "12h"
"#,
    );
    let c = Config::load(&path).expect("valid");
    let m = Duration::from_secs(60);
    let (plain, own, daily) = (&c.sources[0], &c.sources[1], &c.sources[2]);
    assert_eq!(
        (plain.min_interval(), plain.max_interval()),
        (10 * m, 120 * m)
    );
    assert_eq!((own.min_interval(), own.max_interval()), (5 * m, 30 * m));
    assert_eq!(own.per_host_concurrency, Some(1));
    assert_eq!(own.per_host_delay, Some(Duration::from_secs(3)));
    // The default max (4 × poll_interval, capped at 6 h) never falls
    // below the min.
    let mut undefaulted = Source::clone(daily);
    undefaulted.max_interval = None;
    assert_eq!(undefaulted.max_interval(), 720 * m);
    undefaulted.poll_interval = 10 * m;
    assert_eq!(undefaulted.max_interval(), 40 * m);

    let bad = write(
        dir.path(),
        "bad.toml",
        "[[source]]\nid = \"x\"\nkind = \"feed\"\nurl = \"https://x.example/\"\nmin_interval = \"1h\"\nmax_interval = \"10m\"\n",
    );
    let message = load_err(&bad);
    assert!(message.contains("source[0].max_interval"), "{message}");
    let bad = write(
        dir.path(),
        "bad2.toml",
        "[[source]]\nid = \"x\"\nkind = \"feed\"\nurl = \"https://x.example/\"\nper_host_concurrency = 0\n",
    );
    let message = load_err(&bad);
    assert!(
        message.contains("source[0].per_host_concurrency"),
        "{message}"
    );
}

#[test]
fn unknown_key_names_file_and_position() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(dir.path(), "pressd.toml", "");
    write(
        dir.path(),
        "sources.d/x.toml",
        "[[source]]\nid = \"x\"\nkind = \"feed\"\nurl = \"https://x.example/\"\npol_interval = \"5m\"\n",
    );
    let e = load_err(&path);
    assert!(e.contains("x.toml"), "{e}");
    assert!(e.contains("pol_interval"), "{e}");
    assert!(e.contains("line 5"), "{e}");
}

#[test]
fn bad_values_are_all_reported_with_keys() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(
        dir.path(),
        "pressd.toml",
        r#"
[[source]]
id = "Bad Id"
kind = "feed"
url = "ftp://x.example/"
[[source]]
id = "ok"
kind = "feed"
url = "not a url"
lang = "xx-latin"
"#,
    );
    let e = load_err(&path);
    assert!(e.contains("source[0].id"), "{e}");
    assert!(e.contains("source[0].url"), "{e}");
    assert!(e.contains("source[1].url"), "{e}");
    assert!(e.contains("source[1].lang"), "{e}");
}

#[test]
fn bad_duration_and_kind_are_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(
        dir.path(),
        "pressd.toml",
        "[[source]]\nid = \"a\"\nkind = \"feed\"\nurl = \"https://a.example/\"\npoll_interval = \"often\"\n",
    );
    let e = load_err(&path);
    assert!(e.contains("invalid duration 'often'"), "{e}");
    let path = write(
        dir.path(),
        "pressd.toml",
        "[[source]]\nid = \"a\"\nkind = \"rss\"\nurl = \"https://a.example/\"\n",
    );
    let e = load_err(&path);
    assert!(e.contains("rss"), "{e}");
}

#[test]
fn duplicate_ids_across_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(
        dir.path(),
        "pressd.toml",
        "[[source]]\nid = \"a\"\nkind = \"feed\"\nurl = \"https://a.example/\"\n",
    );
    write(
        dir.path(),
        "sources.d/a.toml",
        "[[source]]\nid = \"a\"\nkind = \"feed\"\nurl = \"https://b.example/\"\n",
    );
    let e = load_err(&path);
    assert!(e.contains("duplicate source id 'a'"), "{e}");
    assert!(e.contains("a.toml"), "{e}");
}

#[test]
fn missing_named_sources_dir_is_an_error_missing_default_is_not() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(dir.path(), "pressd.toml", "sources_dir = \"nowhere\"\n");
    let e = load_err(&path);
    assert!(e.contains("sources_dir"), "{e}");
    let path = write(dir.path(), "pressd.toml", "");
    assert!(Config::load(&path).is_ok());
}

#[test]
fn missing_file_says_how_to_choose_another() {
    let e = load_err(Path::new("/nonexistent/pressd.toml"));
    assert!(e.contains("--config"), "{e}");
}

/// Issue 21: the web page is off by default, loopback needs no token, and
/// any other address without `auth_token_file` is refused, naming the file.
#[test]
fn web_listener_is_off_by_default_and_needs_a_token_beyond_loopback() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(dir.path(), "pressd.toml", "");
    assert_eq!(
        Config::load(&path).expect("valid").web,
        WebSettings::default()
    );
    let path = write(
        dir.path(),
        "pressd.toml",
        "[web]\nlisten = \"127.0.0.1:8080\"\n",
    );
    let c = Config::load(&path).expect("valid");
    assert_eq!(c.web.listen, "127.0.0.1:8080".parse().ok());
    assert_eq!(c.web.auth_token_file, None);
    let path = write(
        dir.path(),
        "pressd.toml",
        "[web]\nlisten = \"0.0.0.0:8080\"\n",
    );
    let e = load_err(&path);
    assert!(e.contains("pressd.toml"), "{e}");
    assert!(e.contains("web.listen"), "{e}");
    assert!(e.contains("auth_token_file"), "{e}");
    let path = write(
        dir.path(),
        "pressd.toml",
        "[web]\nlisten = \"0.0.0.0:8080\"\nauth_token_file = \"web.token\"\n",
    );
    let c = Config::load(&path).expect("valid");
    assert_eq!(c.web.auth_token_file, Some(dir.path().join("web.token")));
    let path = write(dir.path(), "pressd.toml", "[web]\nlisten = \"localhost\"\n");
    assert!(load_err(&path).contains("web.listen"));
}

#[test]
fn metrics_listener_is_off_by_default_and_loopback_unless_allowed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(dir.path(), "pressd.toml", "");
    assert_eq!(Config::load(&path).expect("valid").metrics.listen, None);
    let path = write(
        dir.path(),
        "pressd.toml",
        "[metrics]\nlisten = \"127.0.0.1:9187\"\n",
    );
    let c = Config::load(&path).expect("valid");
    assert_eq!(c.metrics.listen, "127.0.0.1:9187".parse().ok());
    let path = write(
        dir.path(),
        "pressd.toml",
        "[metrics]\nlisten = \"0.0.0.0:9187\"\n",
    );
    let e = load_err(&path);
    assert!(e.contains("metrics.listen"), "{e}");
    assert!(e.contains("allow_remote"), "{e}");
    let path = write(
        dir.path(),
        "pressd.toml",
        "[metrics]\nlisten = \"0.0.0.0:9187\"\nallow_remote = true\n",
    );
    assert!(Config::load(&path).is_ok());
    let path = write(
        dir.path(),
        "pressd.toml",
        "[metrics]\nlisten = \"localhost\"\n",
    );
    let e = load_err(&path);
    assert!(e.contains("metrics.listen"), "{e}");
}

/// The FHS config shipped for the systemd unit must load too (its
/// absolute paths need not exist to be valid).
#[test]
fn packaged_config_is_valid() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("packaging/pressd.toml");
    let c = Config::load(&path).expect("packaged config loads");
    assert_eq!(c.index_dir, Path::new("/var/lib/pressd/index"));
    assert_eq!(c.state_dir, Path::new("/var/lib/pressd/state"));
}

#[test]
fn every_kind_with_its_own_keys() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(
        dir.path(),
        "pressd.toml",
        r#"
[[source]]
id = "listing"
kind = "page"
url = "https://outlet.example.am/hy/news"
link_selector = "h2.title a"
date_selector = "time"
next_selector = "a.next"
max_pages = 2
[[source]]
id = "map"
kind = "sitemap"
url = "https://outlet.example.az/sitemap-news.xml.gz"
max_age = "1d"
[[source]]
id = "tg"
kind = "telegram"
url = "https://t.me/s/some_channel"
follow_links = true
[[source]]
id = "masto"
kind = "mastodon"
url = "https://mastodon.social/@someone"
[[source]]
id = "sky"
kind = "bluesky"
url = "https://bsky.app/profile/someone.bsky.social"
api_base = "https://api.example.net/xrpc/"
[[source]]
id = "x"
kind = "x"
url = "https://x.com/someone"
token_file = "secrets/x.token"
enabled = false
"#,
    );
    let c = Config::load(&path).expect("valid");
    let kinds: Vec<&str> = c.sources.iter().map(|s| s.kind().as_str()).collect();
    assert_eq!(
        kinds,
        ["page", "sitemap", "telegram", "mastodon", "bluesky", "x"]
    );
    let options: Vec<&SourceOptions> = c.sources.iter().map(|s| &s.options).collect();
    let [SourceOptions::Page(page), SourceOptions::Sitemap(sitemap), SourceOptions::Telegram(telegram), SourceOptions::Mastodon(mastodon), SourceOptions::Bluesky(bluesky), SourceOptions::X(x)] =
        options.as_slice()
    else {
        panic!("one source of each kind: {options:?}");
    };
    assert_eq!(page.link_selector.text, "h2.title a");
    assert_eq!(page.max_pages, Some(2));
    assert_eq!(sitemap.max_age, Some(Duration::from_secs(86400)));
    assert!(telegram.follow_links);
    assert_eq!(
        bluesky.api_base.as_ref().map(url::Url::as_str),
        Some("https://api.example.net/xrpc/")
    );
    assert_eq!(
        x.token_file.as_deref(),
        Some(dir.path().join("secrets/x.token").as_path())
    );
    // A kind's keys left out are not configured; the account is read from
    // the URL.
    assert_eq!(
        *mastodon,
        crate::sources::mastodon::Options {
            user: "someone".to_owned(),
            include_replies: false,
            api_base: None,
        }
    );
}

#[test]
fn kind_keys_are_checked() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(
        dir.path(),
        "pressd.toml",
        r#"
[[source]]
id = "no-selector"
kind = "page"
url = "https://outlet.example/news"
[[source]]
id = "bad-selector"
kind = "page"
url = "https://outlet.example/news"
link_selector = "h2 >> a["
max_pages = 0
[[source]]
id = "wrong-kind"
kind = "feed"
url = "https://outlet.example/rss"
link_selector = "a"
token_env = "X"
[[source]]
id = "not-a-profile"
kind = "bluesky"
url = "https://bsky.app/someone"
[[source]]
id = "not-an-account"
kind = "mastodon"
url = "https://mastodon.social/users/someone"
api_base = "ftp://api.example/"
"#,
    );
    let e = load_err(&path);
    assert!(
        e.contains("source[0].link_selector: is required for kind \"page\""),
        "{e}"
    );
    assert!(
        e.contains("source[1].link_selector: 'h2 >> a[' is not a valid CSS selector"),
        "{e}"
    );
    assert!(
        e.contains("source[1].max_pages: must be between 1 and 50"),
        "{e}"
    );
    assert!(
        e.contains("source[2].link_selector: does not apply to kind \"feed\" (only to page)"),
        "{e}"
    );
    assert!(
        e.contains("source[2].token_env: does not apply to kind \"feed\" (only to x)"),
        "{e}"
    );
    assert!(e.contains("source[3].url: 'https://bsky.app/someone' is not an account address; write it like https://bsky.app/profile/<handle>"), "{e}");
    assert!(e.contains("source[4].url: "), "{e}");
    assert!(
        e.contains("source[4].api_base: 'ftp://api.example/' is not an http(s) URL"),
        "{e}"
    );
}

#[test]
fn a_token_cannot_be_written_into_the_config() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(
        dir.path(),
        "pressd.toml",
        "[[source]]\nid = \"x\"\nkind = \"x\"\nurl = \"https://x.com/someone\"\ntoken = \"AAAA\"\n",
    );
    let e = load_err(&path);
    assert!(e.contains("token"), "{e}");
}

/// The config shipped in the repository must always load.
#[test]
fn shipped_config_is_valid() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(DEFAULT_CONFIG);
    let c = Config::load(&path).expect("shipped config loads");
    assert!(
        c.sources.len() >= 10,
        "ships a real starting set of outlets"
    );
}

/// Issue 12: a key that does not belong to the source's kind is an error
/// at its line, and one wrong value does not hide the other problems of
/// the same source or file.
#[test]
fn keys_are_located_and_no_problem_hides_another() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(dir.path(), "pressd.toml", "");
    write(
        dir.path(),
        "sources.d/a.toml",
        r#"[[source]]
id = "tg"
kind = "telegram"
url = "https://t.me/s/channel"
link_selector = "a"
[[source]]
id = "listing"
kind = "page"
url = "https://outlet.example/news"
poll_interval = "often"
max_pages = "two"
"#,
    );
    let e = load_err(&path);
    assert!(
        e.contains("a.toml: line 5, column 1: source[0].link_selector: does not apply to kind \"telegram\" (only to page)"),
        "{e}"
    );
    assert!(
        e.contains("line 10, column 17: source[1].poll_interval: invalid duration 'often'"),
        "{e}"
    );
    assert!(
        e.contains("line 11, column 13: source[1].max_pages: "),
        "{e}"
    );
    assert!(
        e.contains("line 6, column 1: source[1].link_selector: is required"),
        "{e}"
    );
}

/// Issue 20: `[[watch]]` tables in the daemon file and in watches.d.
#[test]
fn watches_from_daemon_file_and_watches_dir() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(
        dir.path(),
        "pressd.toml",
        r#"
[[watch]]
id = "bridge-of-peace"
query = "Hajiyev \"Bridge of Peace\""
lang = ["az", "ru"]
per = "story"
digest = "1h"
webhook = "https://hooks.example/pressd"
webhook_secret_env = "PRESSD_HOOK_SECRET"
command = ["/usr/local/bin/notify-desk", "--channel", "caucasus"]
feed = true
"#,
    );
    write(
        dir.path(),
        "watches.d/desk.toml",
        "[[watch]]\nid = \"ganja\"\nquery = \"Ganja\"\nwebhook = \"http://127.0.0.1:9/hook\"\nwebhook_secret_file = \"secret.txt\"\nretry_delay = \"1s\"\nwebhook_give_up = \"1m\"\n",
    );
    let c = Config::load(&path).expect("valid");
    assert_eq!(c.watches.len(), 2);
    let w = &c.watches[0];
    assert_eq!(w.id, "bridge-of-peace");
    assert_eq!(w.langs, ["az", "ru"]);
    assert_eq!(w.per, crate::watch::Per::Story);
    assert_eq!(w.digest, Some(Duration::from_secs(3600)));
    assert!(w.feed);
    assert_eq!(
        w.webhook.as_ref().and_then(|h| h.secret.clone()),
        Some(crate::watch::Secret::Env("PRESSD_HOOK_SECRET".into()))
    );
    assert_eq!(
        w.command.as_ref().map(|c| c.argv.len()),
        Some(3),
        "{:?}",
        w.command
    );
    let g = &c.watches[1];
    assert_eq!(
        g.webhook.as_ref().and_then(|h| h.secret.clone()),
        Some(crate::watch::Secret::File(
            dir.path().join("watches.d/secret.txt")
        ))
    );
    assert_eq!(g.retry.first, Duration::from_secs(1));
    assert_eq!(g.retry.give_up, Duration::from_secs(60));
}

/// Issue 20: a bad watch is reported with its file, line and key; a
/// secret written inline is refused.
#[test]
fn bad_watches_name_file_line_and_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(
        dir.path(),
        "pressd.toml",
        "[[watch]]\nid = \"ok\"\nquery = \"x\"\nfeed = true\n",
    );
    write(
        dir.path(),
        "watches.d/bad.toml",
        "[[watch]]\nid = \"Bad Id\"\nquery = \"a AND (b\"\nwebhook = \"ftp://x\"\nwebhook_secret = \"hunter2\"\nper = \"day\"\nfrequency = 3\n\n[[watch]]\nid = \"ok\"\nquery = \"y\"\nfeed = true\n\n[[watch]]\nid = \"silent\"\nquery = \"z\"\n",
    );
    let err = load_err(&path);
    let file = dir.path().join("watches.d/bad.toml");
    let file = file.display();
    for expected in [
        format!("{file}: line 2, column 6: watch[0].id: 'Bad Id' is not a valid id"),
        format!("{file}: line 3, column 9: watch[0].query: "),
        format!("{file}: line 4, column 11: watch[0].webhook: 'ftp://x' is not an http(s) URL"),
        format!("{file}: line 5, column 18: watch[0].webhook_secret: a secret is never written in the configuration"),
        format!("{file}: line 6, column 7: watch[0].per: "),
        format!("{file}: line 7, column 1: watch[0].frequency: unknown field `frequency`"),
        format!("{file}: line 14, column 1: watch[2].webhook: a watch needs a way to tell"),
        "duplicate watch id 'ok'".to_string(),
    ] {
        assert!(err.contains(&expected), "missing {expected:?} in:\n{err}");
    }
    assert!(!err.contains("hunter2"), "{err}");
}
