//! Issue 15: `pressd coverage` over a world whose publication times are
//! known per outlet, language and kind, written into the index through the
//! library's writer (so the times are exact), then counted by the real
//! binary: bucket counts in UTC and in the Caucasus zones and a DST zone,
//! empty buckets, `--top` with "other", totals equal to `pressd search`,
//! first publisher per source, output shapes, charts, usage errors.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use pressd::article::Article;
use pressd::index::Index;
use pressd::item::ItemKind;
use serde_json::Value;

use crate::harness::{text, Deployment};

/// The outlets of the world: id, language, how many of every 12 slots
/// they publish in (so the volumes differ and the top is known).
const OUTLETS: &[(&str, &str, usize)] = &[
    ("apa-az", "az", 5),
    ("armenpress-hy", "hy", 4),
    ("interpressnews-ka", "ka", 4),
    ("tass-ru", "ru", 3),
    ("oc-media-en", "en", 3),
    ("aa-tr", "tr", 2),
    ("report-az", "az", 2),
    ("civilnet-hy", "hy", 2),
    ("jam-news-en", "en", 1),
    ("sputnik-ka", "ka", 1),
    ("haqqin-az", "az", 1),
    ("hetq-hy", "hy", 1),
];

/// One document of the world, as the test knows it.
#[derive(Debug, Clone)]
struct Doc {
    url: String,
    source: &'static str,
    lang: &'static str,
    kind: ItemKind,
    published: Option<DateTime<Utc>>,
    /// Whether the text holds the word counted ("summit").
    matches: bool,
}

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .expect("valid date")
        .with_timezone(&Utc)
}

/// About 230 documents over March 2025: a steady stream from every
/// outlet, nothing at all on 2025-03-13 (UTC and local), documents on
/// either side of local midnight in the Caucasus (UTC+4) and around the
/// Berlin clock change of 2025-03-30, two undated ones and some posts.
fn world() -> Vec<Doc> {
    let slots: Vec<usize> = OUTLETS
        .iter()
        .enumerate()
        .flat_map(|(n, (_, _, weight))| std::iter::repeat_n(n, *weight))
        .collect();
    let mut docs = Vec::new();
    let mut push = |n: usize, outlet: usize, published: Option<DateTime<Utc>>, kind: ItemKind| {
        let (source, lang, _) = OUTLETS[outlet];
        docs.push(Doc {
            url: format!("https://{source}.example/news/{n}"),
            source,
            lang,
            kind,
            published,
            // One in seven is about the weather only.
            matches: n % 7 != 3,
        });
    };
    let start = utc("2025-03-01T00:17:00Z");
    let mut n = 0;
    let mut t = start;
    while t < utc("2025-04-01T00:00:00Z") {
        let day = t.date_naive();
        let quiet = day == NaiveDate::from_ymd_opt(2025, 3, 13).expect("date")
            || (day == NaiveDate::from_ymd_opt(2025, 3, 12).expect("date")
                && t >= utc("2025-03-12T20:00:00Z"));
        if !quiet {
            let kind = if n % 9 == 4 {
                ItemKind::Post
            } else {
                ItemKind::Article
            };
            push(n, slots[n % slots.len()], Some(t), kind);
            n += 1;
        }
        t += Duration::minutes(193);
    }
    // Either side of midnight, UTC and UTC+4.
    for (outlet, at) in [
        (0, "2025-03-10T19:59:59Z"),
        (1, "2025-03-10T20:00:00Z"),
        (2, "2025-03-10T23:59:59Z"),
        (3, "2025-03-11T00:00:00Z"),
        (0, "2025-03-29T22:59:59Z"),
        (1, "2025-03-29T23:00:00Z"),
        (2, "2025-03-30T21:59:59Z"),
        (4, "2025-03-30T22:00:00Z"),
    ] {
        push(n * 7 + 1, outlet, Some(utc(at)), ItemKind::Article);
        n += 1;
    }
    push(n * 7 + 1, 0, None, ItemKind::Article);
    push(n * 7 + 8, 5, None, ItemKind::Article);
    docs
}

/// The world written into the index of a deployment without sources.
fn deployment(docs: &[Doc]) -> Deployment {
    deployment_with(docs, "")
}

/// The world written into the index of a deployment configured with
/// `sources_toml`.
fn deployment_with(docs: &[Doc], sources_toml: &str) -> Deployment {
    let dep = Deployment::new(sources_toml);
    let index = Index::open_or_create(&dep.dir.path().join("index")).expect("index");
    let mut writer = index.writer().expect("writer");
    for d in docs {
        let body = if d.matches {
            "Leaders met at the summit and talked about trade."
        } else {
            "Rain and wind are expected tomorrow."
        };
        writer
            .upsert(&Article {
                id: d.url.clone(),
                url: d.url.clone(),
                source: d.source.to_string(),
                lang: d.lang.to_string(),
                title: format!("News of {}", d.source),
                body: body.to_string(),
                published: d.published,
                fetched: utc("2025-04-02T00:00:00Z"),
                authors: Vec::new(),
                kind: d.kind,
            })
            .expect("upsert");
    }
    writer.commit().expect("commit");
    writer.close().expect("close");
    dep
}

fn coverage(dep: &Deployment, args: &[&str]) -> Value {
    let mut all = vec!["coverage"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json"]);
    let out = dep.run(&all);
    assert!(out.status.success(), "coverage {args:?}: {}", text(&out));
    serde_json::from_slice(&out.stdout).expect("coverage prints JSON")
}

/// The local date of `t` at a fixed `offset_hours` from UTC, or in Berlin
/// (UTC+1, UTC+2 from 2025-03-30T01:00Z).
fn local_day(t: DateTime<Utc>, zone: &str) -> NaiveDate {
    let offset = match zone {
        "UTC" => 0,
        "Europe/Berlin" if t >= utc("2025-03-30T01:00:00Z") => 2,
        "Europe/Berlin" => 1,
        _ => 4,
    };
    (t + Duration::hours(offset)).date_naive()
}

/// Per local day, the count of each source, as the world says.
fn truth(docs: &[Doc], zone: &str) -> BTreeMap<NaiveDate, HashMap<&'static str, u64>> {
    let mut days: BTreeMap<NaiveDate, HashMap<&'static str, u64>> = BTreeMap::new();
    for d in docs.iter().filter(|d| d.matches) {
        if let Some(t) = d.published {
            *days
                .entry(local_day(t, zone))
                .or_default()
                .entry(d.source)
                .or_default() += 1;
        }
    }
    days
}

#[test]
fn day_buckets_equal_the_truth_in_utc_and_in_local_zones() {
    let docs = world();
    let dep = deployment(&docs);
    for zone in [
        "UTC",
        "Asia/Baku",
        "Asia/Yerevan",
        "Asia/Tbilisi",
        "Europe/Berlin",
    ] {
        let report = coverage(&dep, &["summit", "--tz", zone, "--top", "0"]);
        assert_eq!(report["tz"], zone);
        assert_eq!(report["by"], "day");
        assert_eq!(report["split"], "source");
        let truth = truth(&docs, zone);
        let buckets = report["buckets"].as_array().expect("buckets");
        let first = *truth.keys().next().expect("a day");
        let last = *truth.keys().last().expect("a day");
        // One bucket per day from the first to the last, empty ones too.
        assert_eq!(
            buckets.len() as i64,
            (last - first).num_days() + 1,
            "{zone}"
        );
        for (i, bucket) in buckets.iter().enumerate() {
            let day = first + Duration::days(i as i64);
            let start = bucket["start"].as_str().expect("start");
            assert!(
                start.starts_with(&format!("{day}T00:00:00")),
                "{zone}: bucket {i} starts {start}, not at midnight of {day}"
            );
            let expected = truth.get(&day).cloned().unwrap_or_default();
            let total: u64 = expected.values().sum();
            assert_eq!(bucket["total"], total, "{zone} {day}");
            for (source, _, _) in OUTLETS {
                assert_eq!(
                    bucket["counts"][source].as_u64(),
                    Some(expected.get(source).copied().unwrap_or(0)),
                    "{zone} {day} {source}"
                );
            }
        }
        // The quiet day is a bucket of zeros.
        let quiet = buckets
            .iter()
            .find(|b| {
                b["start"]
                    .as_str()
                    .is_some_and(|s| s.starts_with("2025-03-13"))
            })
            .expect("a bucket for the quiet day");
        assert_eq!(quiet["total"], 0, "{zone}");
        assert!(quiet["counts"]
            .as_object()
            .expect("counts")
            .values()
            .all(|c| c == 0));
    }
    // Local midnights as offsets: UTC+4 all year in the Caucasus; Berlin's
    // spring-forward day is 23 hours long.
    let report = coverage(&dep, &["summit", "--tz", "Asia/Baku"]);
    let bucket = &report["buckets"][9];
    assert_eq!(bucket["start"], "2025-03-10T00:00:00+04:00");
    assert_eq!(bucket["end"], "2025-03-11T00:00:00+04:00");
    let report = coverage(&dep, &["summit", "--tz", "Europe/Berlin"]);
    let dst = report["buckets"]
        .as_array()
        .expect("buckets")
        .iter()
        .find(|b| b["start"] == "2025-03-30T00:00:00+01:00")
        .expect("the day of the clock change");
    assert_eq!(dst["end"], "2025-03-31T00:00:00+02:00");
}

#[test]
fn totals_equal_search_totals_for_the_same_query_and_filters() {
    let docs = world();
    let dep = deployment(&docs);
    for filters in [
        vec![],
        vec!["--lang", "hy,ka"],
        vec!["--source", "apa-az,tass-ru"],
        vec!["--kind", "post"],
        vec!["--since", "2025-03-10", "--until", "2025-03-20"],
        vec!["--since", "2025-03-10T20:00:00Z", "--lang", "az"],
        vec!["--exact"],
    ] {
        for query in ["summit", "summit OR rain", "*"] {
            let mut args = vec![query];
            args.extend(&filters);
            let searched = dep.search(&args)["total"].as_u64().expect("total");
            let report = coverage(&dep, &args);
            assert_eq!(report["total"], searched, "{args:?}");
            // Every document is in a bucket but the undated ones.
            let in_buckets: u64 = report["buckets"]
                .as_array()
                .expect("buckets")
                .iter()
                .map(|b| b["total"].as_u64().expect("total"))
                .sum();
            let undated = report["undated"].as_u64().expect("undated");
            assert_eq!(in_buckets + undated, searched, "{args:?}");
            let split: u64 = report["totals"]
                .as_object()
                .expect("totals")
                .values()
                .map(|v| v.as_u64().expect("count"))
                .sum();
            assert_eq!(split, searched, "{args:?}");
        }
    }
    let report = coverage(&dep, &["summit"]);
    assert_eq!(report["undated"], 2);
}

#[test]
fn top_keeps_the_biggest_values_and_sums_the_rest_as_other() {
    let docs = world();
    let dep = deployment(&docs);
    let report = coverage(&dep, &["summit", "--top", "3"]);
    let totals = report["totals"].as_object().expect("totals");
    let mut expected: HashMap<&str, u64> = HashMap::new();
    for d in docs.iter().filter(|d| d.matches) {
        *expected.entry(d.source).or_default() += 1;
    }
    let mut ranked: Vec<(&str, u64)> = expected.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    // `totals` is an object, whose order a JSON reader need not keep;
    // `shares` is the same in a list.
    let keys: Vec<&str> = report["shares"]
        .as_array()
        .expect("shares")
        .iter()
        .map(|s| s["value"].as_str().expect("value"))
        .collect();
    assert_eq!(
        keys,
        [ranked[0].0, ranked[1].0, ranked[2].0, "other"],
        "biggest first, then other"
    );
    assert_eq!(totals.len(), 4);
    let printed = String::from_utf8_lossy(
        &dep.run(&["coverage", "summit", "--top", "3", "--format", "json"])
            .stdout,
    )
    .to_string();
    let at = |key: &str| printed.find(&format!("\"{key}\":")).expect("key printed");
    assert!(
        at(ranked[2].0) < at("other"),
        "printed in the order of the shares"
    );
    let rest: u64 = ranked[3..].iter().map(|(_, n)| n).sum();
    assert_eq!(totals["other"], rest);
    for bucket in report["buckets"].as_array().expect("buckets") {
        let counts = bucket["counts"].as_object().expect("counts");
        assert_eq!(counts.len(), 4, "{bucket}");
        let sum: u64 = counts.values().map(|v| v.as_u64().expect("count")).sum();
        assert_eq!(bucket["total"], sum, "{bucket}");
    }
    let shares = report["shares"].as_array().expect("shares");
    assert_eq!(shares.len(), 4);
    let sum: f64 = shares
        .iter()
        .map(|s| s["share"].as_f64().expect("share"))
        .sum();
    assert!((sum - 1.0).abs() < 0.001, "{sum}");
    // Without --top there are at most ten values, then other.
    let report = coverage(&dep, &["summit"]);
    assert_eq!(report["totals"].as_object().expect("totals").len(), 11);
}

#[test]
fn lang_and_kind_splits_and_the_languages_that_said_nothing() {
    let docs = world();
    let dep = deployment(&docs);
    let report = coverage(&dep, &["summit", "--split", "lang", "--top", "0"]);
    assert_eq!(report["split"], "lang");
    let mut expected: HashMap<&str, u64> = HashMap::new();
    for d in docs.iter().filter(|d| d.matches) {
        *expected.entry(d.lang).or_default() += 1;
    }
    for (lang, n) in &expected {
        assert_eq!(report["totals"][lang], *n, "{lang}");
    }
    // No source declares a language: the detector's languages of the
    // test deployment are the press's, and these four have nothing.
    assert_eq!(
        report["missing_langs"],
        serde_json::json!(["fa", "uk", "fr", "de"])
    );
    // A language left out by --lang was not counted: not said to be silent.
    let report = coverage(&dep, &["summit", "--split", "lang", "--lang", "hy,fa,zh"]);
    assert_eq!(report["missing_langs"], serde_json::json!(["fa"]));
    // Kinds.
    let report = coverage(&dep, &["summit", "--split", "kind"]);
    let posts = docs
        .iter()
        .filter(|d| d.matches && d.kind == ItemKind::Post)
        .count();
    assert_eq!(report["totals"]["post"], posts as u64);
    assert!(report.get("missing_langs").is_none());
}

#[test]
fn the_silent_languages_are_among_those_the_sources_write_in() {
    let docs = world();
    // The world's outlets, each with its language, and a Persian one that
    // published nothing.
    let mut sources: String = OUTLETS
        .iter()
        .map(|(id, lang, _)| {
            format!(
                "[[source]]\nid = \"{id}\"\nkind = \"feed\"\nurl = \"http://127.0.0.1:9/{id}\"\nlang = \"{lang}\"\n\n"
            )
        })
        .collect();
    sources.push_str(
        "[[source]]\nid = \"radio-farda\"\nkind = \"feed\"\nurl = \"http://127.0.0.1:9/fa\"\nlang = \"fa\"\n",
    );
    let dep = deployment_with(&docs, &sources);
    let report = coverage(&dep, &["summit", "--split", "lang"]);
    assert_eq!(report["missing_langs"], serde_json::json!(["fa"]));
    let out = dep.run(&["coverage", "summit", "--split", "lang"]);
    assert!(
        text(&out).contains("No coverage in: fa\n"),
        "{}",
        text(&out)
    );
    // Armenian outlets only: the Georgian press said nothing.
    let report = coverage(
        &dep,
        &[
            "summit",
            "--split",
            "lang",
            "--source",
            "armenpress-hy,civilnet-hy",
            "--lang",
            "hy,ka",
        ],
    );
    assert_eq!(report["missing_langs"], serde_json::json!(["ka"]));
    assert_eq!(
        report["totals"]
            .as_object()
            .expect("totals")
            .keys()
            .collect::<Vec<_>>(),
        ["hy"]
    );
}

#[test]
fn first_article_of_each_source() {
    let docs = world();
    let dep = deployment(&docs);
    let report = coverage(&dep, &["summit"]);
    let first = report["first"].as_array().expect("first");
    assert_eq!(first.len(), OUTLETS.len());
    let mut previous = None;
    for entry in first {
        let source = entry["source"].as_str().expect("source");
        let expected = docs
            .iter()
            .filter(|d| d.matches && d.source == source && d.published.is_some())
            .min_by_key(|d| d.published)
            .expect("the source has a match");
        assert_eq!(entry["url"], expected.url.as_str(), "{source}");
        let published = utc(entry["published"].as_str().expect("published"));
        assert_eq!(Some(published), expected.published);
        assert!(Some(published) >= previous, "earliest first");
        previous = Some(published);
    }
}

#[test]
fn hours_weeks_and_months() {
    let docs = world();
    let dep = deployment(&docs);
    let report = coverage(
        &dep,
        &[
            "summit",
            "--by",
            "hour",
            "--since",
            "2025-03-10T18:00:00Z",
            "--until",
            "2025-03-11T01:00:00Z",
            "--tz",
            "Asia/Tbilisi",
        ],
    );
    let buckets = report["buckets"].as_array().expect("buckets");
    // 18:00Z to 01:00Z, both ends' hours included: eight hours.
    assert_eq!(buckets.len(), 8);
    assert_eq!(buckets[0]["start"], "2025-03-10T22:00:00+04:00");
    assert_eq!(buckets[1]["start"], "2025-03-10T23:00:00+04:00");
    assert_eq!(buckets[2]["start"], "2025-03-11T00:00:00+04:00");
    // 19:59:59Z is in the 23:00 hour, 20:00:00Z in the midnight one.
    assert!(buckets[1]["counts"]["apa-az"].as_u64().expect("count") >= 1);
    assert!(
        buckets[2]["counts"]["armenpress-hy"]
            .as_u64()
            .expect("count")
            >= 1
    );

    let report = coverage(&dep, &["summit", "--by", "week"]);
    let weeks = report["buckets"].as_array().expect("buckets");
    assert_eq!(
        weeks[0]["start"], "2025-02-24T00:00:00Z",
        "Monday of the first week"
    );
    assert_eq!(weeks.len(), 6);
    let report = coverage(&dep, &["summit", "--by", "month", "--tz", "Asia/Yerevan"]);
    let months = report["buckets"].as_array().expect("buckets");
    assert_eq!(months[0]["start"], "2025-03-01T00:00:00+04:00");
    // A document of the last evening of March UTC is April in Yerevan.
    let last = truth(&docs, "Asia/Yerevan")
        .keys()
        .last()
        .copied()
        .expect("a day");
    assert_eq!(months.len(), if last.month() == 4 { 2 } else { 1 });
}

#[test]
fn csv_has_a_row_per_bucket_and_a_column_per_value() {
    let docs = world();
    let dep = deployment(&docs);
    let json = coverage(&dep, &["summit", "--top", "4"]);
    let out = dep.run(&["coverage", "summit", "--top", "4", "--format", "csv"]);
    assert!(out.status.success(), "{}", text(&out));
    let csv = String::from_utf8_lossy(&out.stdout).to_string();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    // Most first, then other: the order of the shares.
    let values: Vec<&str> = json["shares"]
        .as_array()
        .expect("shares")
        .iter()
        .map(|s| s["value"].as_str().expect("value"))
        .collect();
    assert_eq!(values.last(), Some(&"other"));
    let mut expected = vec!["start", "end", "total"];
    expected.extend(&values);
    assert_eq!(header, expected);
    let rows: Vec<&str> = lines.collect();
    let buckets = json["buckets"].as_array().expect("buckets");
    assert_eq!(rows.len(), buckets.len());
    for (row, bucket) in rows.iter().zip(buckets) {
        let cells: Vec<&str> = row.split(',').collect();
        assert_eq!(cells[0], bucket["start"].as_str().expect("start"));
        assert_eq!(cells[2], bucket["total"].to_string());
        for (cell, value) in cells[3..].iter().zip(&values) {
            assert_eq!(*cell, bucket["counts"][value].to_string(), "{value}");
        }
    }
}

#[test]
fn json_has_the_documented_shape() {
    let docs = world();
    let dep = deployment(&docs);
    let report = coverage(&dep, &["summit"]);
    for key in [
        "query", "by", "split", "tz", "total", "buckets", "totals", "first",
    ] {
        assert!(report.get(key).is_some(), "no {key}: {report}");
    }
    assert_eq!(report["query"], "summit");
    assert_eq!(report["tz"], "UTC");
    let bucket = &report["buckets"][0];
    for key in ["start", "end", "total", "counts"] {
        assert!(bucket.get(key).is_some(), "bucket lacks {key}: {bucket}");
    }
    for key in ["source", "url", "published"] {
        assert!(report["first"][0].get(key).is_some(), "first lacks {key}");
    }
}

#[test]
fn table_shows_a_bar_per_bucket_and_the_shares() {
    let docs = world();
    let dep = deployment(&docs);
    let out = dep.run(&["coverage", "summit", "--split", "lang"]);
    assert!(out.status.success(), "{}", text(&out));
    let table = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(table.contains("2025-03-01"), "{table}");
    assert!(table.contains('█'), "{table}");
    assert!(table.contains("SHARE"), "{table}");
    assert!(table.contains("FIRST BY SOURCE"), "{table}");
    assert!(table.contains("No coverage in: fa, uk, fr, de"), "{table}");
    // The quiet day has a row, with nothing in it.
    let quiet = table
        .lines()
        .find(|l| l.starts_with("2025-03-13"))
        .expect("a row for the quiet day");
    assert!(!quiet.contains('█'), "{quiet}");
}

#[test]
fn charts_are_written_as_svg_and_png() {
    // Outlets named in the region's scripts: their names are the legend.
    let names = [
        ("armenpress-hy", "Արմենպրես"),
        ("interpressnews-ka", "ინტერპრესნიუსი"),
        ("apa-az", "Azərbaycan Xəbərləri"),
        ("tass-ru", "ТАСС"),
    ];
    let docs: Vec<Doc> = world()
        .into_iter()
        .map(|mut d| {
            if let Some((_, name)) = names.iter().find(|(id, _)| *id == d.source) {
                d.source = name;
            }
            d
        })
        .collect();
    let dep = deployment(&docs);
    let svg = dep.dir.path().join("coverage.svg");
    let png = dep.dir.path().join("coverage.png");
    for (file, style) in [
        (&svg, "bars"),
        (&png, "line"),
        (&svg, "line"),
        (&png, "bars"),
    ] {
        let out = dep.run(&[
            "coverage",
            "summit",
            "--tz",
            "Asia/Baku",
            "--chart",
            file.to_str().expect("path"),
            "--style",
            style,
        ]);
        assert!(out.status.success(), "{}", text(&out));
        assert!(text(&out).contains("chart written to"), "{}", text(&out));
        if file == &png {
            let bytes = std::fs::read(file).expect("the PNG");
            let mut reader = png::Decoder::new(std::io::Cursor::new(bytes))
                .read_info()
                .expect("a PNG");
            assert_eq!((reader.info().width, reader.info().height), (1600, 900));
            let mut pixels = vec![0; reader.output_buffer_size()];
            reader.next_frame(&mut pixels).expect("the PNG decodes");
            let colours: std::collections::HashSet<&[u8]> = pixels.chunks(3).collect();
            assert!(colours.len() > 12, "{style}: drawn, not blank");
        } else {
            let svg = std::fs::read_to_string(file).expect("the SVG");
            let text = svg_text(&svg);
            for (_, name) in names {
                assert!(text.contains(name), "{style}: the legend names {name}");
            }
            assert!(text.contains("day (Asia/Baku)"), "{style}: {text}");
            assert!(text.contains("“summit”"), "{style}: the title: {text}");
            assert!(svg.contains("@font-face"), "the font travels with it");
        }
    }
}

/// The text of every element of `svg`, which must be well-formed XML.
fn svg_text(svg: &str) -> String {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(svg);
    let mut text = String::new();
    let mut depth = 0i32;
    let mut root = None;
    loop {
        match reader.read_event().expect("the SVG is well-formed XML") {
            Event::Start(e) => {
                if root.is_none() {
                    root = Some(e.name().as_ref().to_string());
                }
                depth += 1;
            }
            Event::End(_) => depth -= 1,
            Event::Text(t) => {
                text.push_str(&t.xml10_content());
                text.push('\n');
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(depth, 0, "every element is closed");
    assert_eq!(root.as_deref(), Some("svg"));
    text
}

#[test]
fn usage_errors_exit_2_with_a_clear_message() {
    let docs = world();
    let dep = deployment(&docs);
    for (args, says) in [
        (vec!["--by", "fortnight"], "invalid value 'fortnight'"),
        (
            vec!["--tz", "Mars/Olympus"],
            "unknown time zone 'Mars/Olympus'",
        ),
        (vec!["--tz", "+04:00"], "unknown time zone"),
        (vec!["--chart", "out.pdf"], "ends in .svg or .png"),
        (vec!["--split", "outlet"], "invalid value 'outlet'"),
    ] {
        let mut all = vec!["coverage", "summit"];
        all.extend(&args);
        let out = dep.run(&all);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out));
        assert!(text(&out).contains(says), "{args:?}: {}", text(&out));
    }
    let out = dep.run(&["coverage", "title:(unclosed"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("invalid query"), "{}", text(&out));
    // A zone name in any case is fine.
    assert_eq!(
        coverage(&dep, &["summit", "--tz", "asia/baku"])["tz"],
        "Asia/Baku"
    );
}

#[test]
fn nothing_matched_gives_an_empty_count() {
    let docs = world();
    let dep = deployment(&docs);
    let report = coverage(&dep, &["nonexistentword"]);
    assert_eq!(report["total"], 0);
    assert_eq!(report["buckets"], serde_json::json!([]));
    // With a period, its buckets are there, empty.
    let report = coverage(
        &dep,
        &[
            "nonexistentword",
            "--since",
            "2025-03-01",
            "--until",
            "2025-03-03",
        ],
    );
    assert_eq!(report["buckets"].as_array().expect("buckets").len(), 3);
}
