//! Issue 13: `pressd import` of JSON lines and WARC archives. Imported
//! records are indexed as fetched articles are (the fields, language and
//! canonical dedup of the one pipeline), bad records fail alone, a second
//! import adds nothing, the daemon indexes them when it holds the index,
//! and a `kill -9` mid-import loses and duplicates nothing.

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::harness::{text, Daemon, Deployment};

/// `pressd import ARGS`, quietly logged.
fn import(dep: &Deployment, args: &[&str]) -> Output {
    dep.cmd()
        .env("RUST_LOG", "warn")
        .arg("import")
        .args(args)
        .output()
        .expect("run pressd import")
}

/// The summary's counts: (imported, unchanged, rejected).
fn counts(out: &Output) -> (u64, u64, u64) {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout
        .lines()
        .find(|l| l.starts_with("imported "))
        .unwrap_or_else(|| panic!("no summary:\n{}", text(out)));
    let numbers: Vec<u64> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().expect("count"))
        .collect();
    (numbers[0], numbers[1], numbers[2])
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write fixture");
    path
}

fn lines(records: &[Value]) -> String {
    records.iter().map(|r| format!("{r}\n")).collect()
}

/// Every hit of `query`, by URL.
fn hits(dep: &Deployment, query: &str, limit: usize) -> Vec<Value> {
    let out = dep.run(&[
        "search",
        query,
        "--format",
        "json",
        "--limit",
        &limit.to_string(),
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let found: Value = serde_json::from_slice(&out.stdout).expect("search JSON");
    found["hits"].as_array().cloned().unwrap_or_default()
}

fn hit<'a>(hits: &'a [Value], url: &str) -> &'a Value {
    hits.iter()
        .find(|h| h["url"] == url)
        .unwrap_or_else(|| panic!("{url} not found in {hits:?}"))
}

const HY_BODY: &str = "Երևանի մետրոպոլիտենում երկուշաբթի բացվեց նոր կայարան, հայտնում են \
    քաղաքապետարանից։ Ուղևորները ողջունեցին երկար սպասված փոփոխությունը, իսկ \
    քաղաքապետը խոստացավ շարունակել աշխատանքները։";
const AZ_BODY: &str = "Bakı metropoliteni bazar ertəsi yeni stansiyanın açıldığını bildirib. \
    Sərnişinlər uzun müddətdir gözlənilən dəyişikliyi alqışlayıblar, şəhər rəhbərliyi isə \
    işlərin davam etdiriləcəyini vəd edib.";
const RU_PAGE: &str = "<html lang=\"ru\"><head><title>Новая станция метро | Сайт</title>\
    <link rel=\"canonical\" href=\"https://ru.example/news/3\"></head><body>\
    <nav>Главная Новости Контакты</nav><article><h1>Новая станция метро</h1>\
    <p>В Ереване в понедельник открылась новая станция метро, сообщили в мэрии города.</p>\
    <p>Пассажиры приветствовали долгожданное изменение, а мэр пообещал продолжить работы.</p>\
    </article><footer>Все права защищены</footer></body></html>";

#[test]
fn json_lines_import_with_their_fields_and_twice_adds_nothing() {
    let dep = Deployment::new("");
    let dir = dep.dir.path();
    let records = [
        json!({"url": "https://am.example/news/1?utm_source=feed", "title": "Մետրոյի նոր կայարան",
               "body": HY_BODY, "published": "2024-03-05", "authors": ["Անի Հակոբյան"],
               "lang": "hy", "source": "archive-am", "image_url": "ignored", "id": 17}),
        json!({"url": "https://az.example/news/2", "title": "Bakıda yeni metro stansiyası",
               "body": AZ_BODY, "published": "2024-03-06T08:30:00+04:00", "authors": "Elnur Məmmədov"}),
        json!({"url": "https://ru.example/news/3?from=rss", "html": RU_PAGE}),
    ];
    let mut text_lines = lines(&records);
    // Line 4 is malformed, line 5 has no URL, line 6 nothing to index.
    text_lines.push_str("{\"url\": \"https://x.example/4\", \"title\": \n");
    text_lines.push_str("{\"title\": \"no url\"}\n");
    text_lines.push_str("{\"url\": \"https://x.example/6\", \"image\": \"a.jpg\"}\n");
    text_lines.push_str(&format!(
        "{}\n",
        json!({"url": "https://en.example/7", "title": "Yerevan metro opens a new station",
               "body": "The Yerevan metro opened a new station on Monday, the city hall said."})
    ));
    // Line 8: a page with nothing to extract, given up on by the pipeline.
    text_lines
        .push_str("{\"url\": \"https://x.example/8\", \"html\": \"<html><body></body></html>\"}\n");
    let file = write(dir, "export.jsonl", text_lines.as_bytes());
    let file = file.to_str().expect("path");

    let out = import(&dep, &[file]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert_eq!(counts(&out), (4, 0, 4), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    for line in [4, 5, 6] {
        assert!(
            stderr.contains(&format!("export.jsonl:{line}: ")),
            "line {line} not reported:\n{stderr}"
        );
    }
    assert!(stderr.contains("no url"), "{stderr}");
    assert!(
        stderr.contains("neither title nor body nor html"),
        "{stderr}"
    );

    let hy = hits(&dep, "կայարան", 10);
    let am = hit(&hy, "https://am.example/news/1");
    assert_eq!(am["title"], "Մետրոյի նոր կայարան");
    assert_eq!(am["lang"], "hy");
    assert_eq!(am["source"], "archive-am");
    assert_eq!(am["published"], "2024-03-05T00:00:00Z");
    assert_eq!(am["authors"], json!(["Անի Հակոբյան"]));
    let az = hits(&dep, "stansiyası", 10);
    let az = hit(&az, "https://az.example/news/2");
    assert_eq!(az["lang"], "az");
    assert_eq!(az["source"], "import");
    assert_eq!(az["published"], "2024-03-06T04:30:00Z");
    assert_eq!(az["authors"], json!(["Elnur Məmmədov"]));
    // The html went through the extractor: the title without the site
    // name, the canonical URL, no boilerplate.
    let ru = hits(&dep, "пассажиры", 10);
    let ru = hit(&ru, "https://ru.example/news/3");
    assert_eq!(ru["title"], "Новая станция метро");
    assert_eq!(ru["lang"], "ru");
    assert!(hits(&dep, "защищены", 10).is_empty());
    // --source filters imported articles like fetched ones.
    let out = dep.run(&[
        "search",
        "կայարան",
        "--source",
        "archive-am",
        "--format",
        "json",
    ]);
    let found: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(found["total"], 1, "{}", text(&out));

    // Again: nothing new, nothing duplicated.
    let all_before = hits(&dep, "metro OR մետրոյի OR metropoliteni OR метро", 50).len();
    assert_eq!(all_before, 4);
    let out = import(&dep, &[file]);
    // The page given up on is known too (handled): unchanged.
    assert_eq!(counts(&out), (0, 5, 3), "{}", text(&out));
    assert_eq!(
        hits(&dep, "metro OR մետրոյի OR metropoliteni OR метро", 50).len(),
        all_before
    );
}

#[test]
fn gzip_zstd_and_stdin_are_read() {
    let dep = Deployment::new("");
    let dir = dep.dir.path();
    let record = |n: usize| {
        json!({"url": format!("https://en.example/c/{n}"), "title": format!("Compressed report {n}"),
               "body": "A report on the archive formats the desk keeps, written in English."})
    };
    let plain = lines(&[record(1), record(2)]);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(plain.as_bytes()).expect("gzip");
    let gz = write(dir, "a.jsonl.gz", &gz.finish().expect("gzip"));
    let zst = write(
        dir,
        "b.ndjson.zst",
        &zstd_frame(lines(&[record(3), record(4)]).as_bytes()),
    );
    let mut child = dep
        .cmd()
        .env("RUST_LOG", "warn")
        .args([
            "import",
            "-",
            gz.to_str().expect("path"),
            zst.to_str().expect("path"),
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn import");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(lines(&[record(5)]).as_bytes())
        .expect("write stdin");
    let out = child.wait_with_output().expect("import");
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(counts(&out), (5, 0, 0), "{}", text(&out));
    assert_eq!(hits(&dep, "compressed", 10).len(), 5);
}

#[test]
fn a_slow_stream_on_stdin_is_indexed_while_it_stays_open() {
    let dep = Deployment::new("");
    let record = |n: usize| {
        json!({"url": format!("https://en.example/live/{n}"), "title": format!("Streamed bulletin {n}"),
               "body": "A bulletin fed to pressd as the desk receives it, written in English."})
    };
    let mut child = dep
        .cmd()
        .env("RUST_LOG", "warn")
        .args(["import", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn import");
    let mut stdin = child.stdin.take().expect("stdin");
    // Two records a while apart, far fewer than a batch: the second finds
    // the first over a second old and both are queued then.
    stdin
        .write_all(lines(&[record(1)]).as_bytes())
        .expect("write stdin");
    stdin.flush().expect("flush stdin");
    std::thread::sleep(Duration::from_millis(1_500));
    stdin
        .write_all(lines(&[record(2)]).as_bytes())
        .expect("write stdin");
    stdin.flush().expect("flush stdin");
    let deadline = Instant::now() + Duration::from_secs(20);
    while hits(&dep, "bulletin", 10).len() < 2 {
        assert!(
            Instant::now() < deadline,
            "records fed on an open stdin were not indexed within 20 s"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    drop(stdin);
    let out = child.wait_with_output().expect("import");
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(counts(&out), (2, 0, 0), "{}", text(&out));
}

/// A zstd frame of `bytes`, through the crate pressd reads it with.
fn zstd_frame(bytes: &[u8]) -> Vec<u8> {
    zstd::encode_all(bytes, 3).expect("zstd")
}

/// A WARC record as crawlers write it.
fn warc_record(kind: &str, uri: &str, block: &[u8]) -> Vec<u8> {
    let mut r = format!(
        "WARC/1.1\r\nWARC-Type: {kind}\r\nWARC-Target-URI: {uri}\r\n\
         WARC-Date: 2024-03-05T10:00:00Z\r\n\
         WARC-Record-ID: <urn:uuid:{:08x}-0000-4000-8000-000000000000>\r\n\
         Content-Type: application/http; msgtype={kind}\r\nContent-Length: {}\r\n\r\n",
        uri.len() * 7919 + block.len(),
        block.len()
    )
    .into_bytes();
    r.extend_from_slice(block);
    r.extend_from_slice(b"\r\n\r\n");
    r
}

#[test]
fn warc_html_responses_are_imported_and_other_records_skipped() {
    let dep = Deployment::new("");
    let page = |lang: &str, title: &str, body: &str| {
        format!(
            "<!DOCTYPE html><html lang=\"{lang}\"><head><title>{title}</title></head><body>\
             <article><h1>{title}</h1><p>{body}</p></article></body></html>"
        )
    };
    let mut warc = Vec::new();
    warc.extend(warc_record(
        "warcinfo",
        "https://crawl.example/",
        b"software: test-crawler",
    ));
    warc.extend(warc_record(
        "request",
        "https://am.example/a",
        b"GET /a HTTP/1.1\r\nHost: am.example\r\n\r\n",
    ));
    warc.extend(warc_record(
        "response",
        "https://am.example/a",
        format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{}",
            page("hy", "Նոր կայարան", HY_BODY)
        )
        .as_bytes(),
    ));
    // windows-1251, named by the HTTP header only.
    let ru_page = page(
        "ru",
        "Станция открыта",
        "В Ереване открылась новая станция метро, сообщили в мэрии города.",
    );
    let (ru, _, _) = encoding_rs::WINDOWS_1251.encode(&ru_page);
    let mut block =
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=windows-1251\r\n\r\n".to_vec();
    block.extend_from_slice(&ru);
    warc.extend(warc_record("response", "https://ru.example/b", &block));
    warc.extend(warc_record(
        "response",
        "https://am.example/logo.png",
        b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\n\x89PNG\r\n",
    ));
    warc.extend(warc_record(
        "metadata",
        "https://am.example/a",
        b"outlinks: https://am.example/b",
    ));
    warc.extend(warc_record(
        "response",
        "https://az.example/c",
        format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n{}",
            page("az", "Yeni stansiya", AZ_BODY)
        )
        .as_bytes(),
    ));
    let file = write(dep.dir.path(), "crawl.warc", &warc);
    let out = import(&dep, &["--source", "crawl", file.to_str().expect("path")]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(counts(&out), (3, 0, 0), "{}", text(&out));
    let hy = hits(&dep, "կայարան", 10);
    let am = hit(&hy, "https://am.example/a");
    assert_eq!(
        (am["lang"].as_str(), am["source"].as_str()),
        (Some("hy"), Some("crawl"))
    );
    let ru = hits(&dep, "станция", 10);
    assert_eq!(hit(&ru, "https://ru.example/b")["title"], "Станция открыта");
    let az = hits(&dep, "stansiya", 10);
    assert_eq!(hit(&az, "https://az.example/c")["lang"], "az");

    // A record cut short is rejected with its number; those before it stay.
    let mut broken = warc_record(
        "response",
        "https://en.example/d",
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html><title>Whole record</title><p>Complete.</p></html>",
    );
    broken.extend_from_slice(b"WARC/1.1\r\nWARC-Type: response\r\nContent-Length: 900\r\n\r\ncut");
    let file = write(dep.dir.path(), "broken.warc", &broken);
    let out = import(&dep, &[file.to_str().expect("path")]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert_eq!(counts(&out), (1, 0, 1), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("broken.warc: record 2: "),
        "{}",
        text(&out)
    );
}

#[test]
fn import_while_the_daemon_runs_is_indexed_by_the_daemon() {
    let dep = Deployment::new("");
    let daemon = Daemon::start(&dep, &[]);
    let started = Instant::now();
    while !daemon.log().contains("pressd started") {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "daemon did not start:\n{}",
            daemon.log()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let records: Vec<Value> = (0..20)
        .map(|n| {
            json!({"url": format!("https://en.example/live/{n}"), "title": format!("Harbour report {n}"),
                   "body": "The harbour authority published its weekly report on shipping."})
        })
        .collect();
    let file = write(dep.dir.path(), "live.jsonl", lines(&records).as_bytes());
    let out = import(&dep, &[file.to_str().expect("path")]);
    assert!(out.status.success(), "{}\n{}", text(&out), daemon.log());
    assert_eq!(counts(&out), (20, 0, 0), "{}", text(&out));
    // Returned once the daemon indexed them: they are all searchable now.
    assert_eq!(hits(&dep, "harbour", 50).len(), 20, "{}", daemon.log());
    assert!(daemon.log().contains("index committed"), "{}", daemon.log());

    // --no-wait returns once queued; the daemon indexes them after.
    let more: Vec<Value> = (0..5)
        .map(|n| {
            json!({"url": format!("https://en.example/later/{n}"), "title": format!("Ferry timetable {n}"),
                   "body": "The ferry company changed its winter timetable."})
        })
        .collect();
    let file = write(dep.dir.path(), "later.jsonl", lines(&more).as_bytes());
    let out = import(&dep, &["--no-wait", file.to_str().expect("path")]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(counts(&out), (5, 0, 0), "{}", text(&out));
    let started = Instant::now();
    while hits(&dep, "ferry", 50).len() < 5 {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the daemon did not index them:\n{}",
            daemon.log()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    daemon.stop();
}

#[test]
fn kill_9_mid_import_then_again_loses_and_duplicates_nothing() {
    const N: usize = 3_000;
    let dep = Deployment::new("");
    let records: Vec<Value> = (0..N)
        .map(|n| {
            json!({"url": format!("https://en.example/bulk/{n}"), "title": format!("Quarterly bulletin number {n}"),
                   "body": format!("The statistics office released bulletin {n} on trade, prices and employment in the region.")})
        })
        .collect();
    let file = write(dep.dir.path(), "bulk.jsonl", lines(&records).as_bytes());
    let file = file.to_str().expect("path");
    let mut child = dep
        .cmd()
        .env("RUST_LOG", "warn")
        .args(["import", file])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn import");
    let started = Instant::now();
    let mut indexed_before = 0;
    // Killed once some of it is committed (and most likely not all). A
    // debug build's first commit took over 60 s on a machine busy with
    // other builds; the wait ends at the first commit however long it is.
    while started.elapsed() < Duration::from_secs(180) {
        if dep.dir.path().join("index/meta.json").exists() {
            indexed_before = hits(&dep, "bulletin", N + 10).len();
            if indexed_before > 0 {
                break;
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    child.kill().expect("kill -9");
    child.wait().expect("reap");
    assert!(indexed_before > 0, "nothing was committed within 180 s");
    eprintln!("killed with {indexed_before} of {N} searchable");

    let out = import(&dep, &[file]);
    assert!(out.status.success(), "{}", text(&out));
    let (imported, unchanged, rejected) = counts(&out);
    assert_eq!(
        (imported + unchanged, rejected),
        (N as u64, 0),
        "{}",
        text(&out)
    );
    assert!(unchanged as usize >= indexed_before, "{}", text(&out));
    let found = hits(&dep, "bulletin", N + 10);
    let urls: HashSet<&str> = found.iter().filter_map(|h| h["url"].as_str()).collect();
    assert_eq!(found.len(), N, "every record once");
    assert_eq!(urls.len(), N, "no duplicate");
}
