//! The smaller commands: check, search errors and formats, sources,
//! extract, lang.

use crate::harness::{feed_source, fixtures, text, Deployment, World};

#[test]
fn check_accepts_the_shipped_config() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_pressd"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("check")
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("OK"), "{}", text(&out));
}

#[test]
fn check_rejects_bad_config_naming_file_and_key() {
    let dep = Deployment::new("[[source]]\nid = \"a\"\nkind = \"feed\"\nurl = \"https://a.example/\"\npoll_interval = \"soon\"\n");
    std::fs::create_dir_all(dep.dir.path().join("sources.d")).expect("mkdir");
    std::fs::write(
        dep.dir.path().join("sources.d/b.toml"),
        "[[source]]\nid = \"a\"\nkind = \"feed\"\nurl = \"https://b.example/\"\ncolour = \"red\"\n",
    )
    .expect("write");
    let out = dep.run(&["check"]);
    assert!(!out.status.success());
    let t = text(&out);
    assert!(
        t.contains("pressd.toml") && t.contains("invalid duration 'soon'"),
        "{t}"
    );
    assert!(t.contains("b.toml") && t.contains("colour"), "{t}");
    // The daemon refuses to start on it too.
    let out = dep.run(&["run", "--once"]);
    assert!(!out.status.success());
}

#[tokio::test(flavor = "multi_thread")]
async fn search_filters_formats_and_errors() {
    let world = World::start().await;
    let dep = Deployment::new(&world.healthy_sources());
    // Before the first run there is no index: a clear error, not a crash.
    let out = dep.run(&["search", "anything"]);
    assert!(!out.status.success());
    assert!(text(&out).contains("pressd run"), "{}", text(&out));

    let out = dep.run(&["run", "--once"]);
    assert!(out.status.success(), "{}", text(&out));

    let hy = world
        .pages
        .iter()
        .find(|p| p.lang == "hy")
        .expect("an Armenian page");
    let az = world
        .pages
        .iter()
        .find(|p| p.lang == "az")
        .expect("an Azerbaijani page");
    // --lang filters.
    assert_eq!(dep.search(&[&hy.keyword, "--lang", "hy"])["total"], 1);
    assert_eq!(dep.search(&[&hy.keyword, "--lang", "az,ru"])["total"], 0);
    // --source filters.
    assert_eq!(
        dep.search(&[&az.keyword, "--source", "az-outlet"])["total"],
        1
    );
    assert_eq!(
        dep.search(&[&az.keyword, "--source", "hy-outlet"])["total"],
        0
    );
    // --since / --until on the published date.
    let day = &az.published[..10];
    assert_eq!(
        dep.search(&[&az.keyword, "--since", day, "--until", day])["total"],
        1
    );
    assert_eq!(
        dep.search(&[&az.keyword, "--until", "1999-12-31"])["total"],
        0
    );
    // Words are ANDed: a page's keyword plus another page's keyword finds nothing.
    assert_eq!(dep.search(&[&az.keyword, &hy.keyword])["total"], 0);
    // OR works.
    assert_eq!(
        dep.search(&[&format!("{} OR {}", az.keyword, hy.keyword)])["total"],
        2
    );
    // JSON shape.
    let found = dep.search(&[&az.keyword]);
    let hit = &found["hits"][0];
    for key in [
        "url",
        "title",
        "source",
        "lang",
        "published",
        "authors",
        "snippet",
        "score",
    ] {
        assert!(hit.get(key).is_some(), "hit lacks {key}: {hit}");
    }
    assert!(
        hit["snippet"].as_str().is_some_and(|s| !s.is_empty()),
        "{hit}"
    );
    // CSV and table.
    let out = dep.run(&["search", &az.keyword, "--format", "csv"]);
    let csv = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        csv.starts_with("url,title,source,lang,published,authors,snippet,score"),
        "{csv}"
    );
    assert_eq!(csv.lines().count(), 2, "{csv}");
    let out = dep.run(&["search", &az.keyword]);
    assert!(String::from_utf8_lossy(&out.stdout).contains(&az.title));
    // A malformed query is a clear error with exit code 2.
    let out = dep.run(&["search", "title:(unclosed"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("invalid query"), "{}", text(&out));
}

/// Case folding: Turkish/Azerbaijani dotted and dotless i.
#[tokio::test(flavor = "multi_thread")]
async fn search_folds_case_in_every_script() {
    let world = World::start().await;
    let dep = Deployment::new(&world.healthy_sources());
    assert!(dep.run(&["run", "--once"]).status.success());
    for page in &world.pages {
        let upper = page.keyword.to_uppercase();
        assert_eq!(
            dep.search(&[&upper])["total"],
            1,
            "{upper} must find {}",
            page.file
        );
        let lower = page.keyword.to_lowercase();
        assert_eq!(
            dep.search(&[&lower])["total"],
            1,
            "{lower} must find {}",
            page.file
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn sources_shows_health_while_failing() {
    let world = World::start().await;
    let sources = format!(
        "{}{}",
        feed_source("az-outlet", &world.url("/feeds/az.xml")),
        feed_source("dead", &world.url("/feeds/404.xml"))
    );
    let dep = Deployment::new(&sources);
    let out = dep.run(&["sources", "--format", "json"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(dep.run(&["run", "--once"]).status.success());
    let out = dep.run(&["sources", "--format", "json"]);
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let row = |id: &str| {
        rows.as_array()
            .and_then(|a| a.iter().find(|r| r["id"] == id))
            .cloned()
            .expect("row")
    };
    assert_eq!(row("az-outlet")["status"], "ok");
    assert_eq!(row("dead")["status"], "failing");
    assert!(
        row("dead")["last_error"]
            .as_str()
            .is_some_and(|e| e.contains("404")),
        "{rows}"
    );
    for key in [
        "id",
        "kind",
        "status",
        "last_success",
        "last_error",
        "next_poll",
    ] {
        assert!(row("dead").get(key).is_some(), "{key}");
    }
    let out = dep.run(&["sources"]);
    let table = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        table.contains("dead") && table.contains("failing"),
        "{table}"
    );
}

#[test]
fn extract_prints_one_json_line_per_page() {
    let pages = crate::harness::pages();
    let files: Vec<String> = pages
        .iter()
        .map(|p| fixtures().join(&p.file).to_string_lossy().into_owned())
        .collect();
    let mut args = vec!["extract".to_string()];
    args.extend(files);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_pressd"))
        .args(&args)
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(lines.len(), pages.len());
    for (page, line) in pages.iter().zip(&lines) {
        for key in [
            "title",
            "body",
            "published",
            "authors",
            "lang",
            "canonical_url",
        ] {
            assert!(line.get(key).is_some(), "{key} missing: {line}");
        }
        assert_eq!(line["title"], page.title.as_str(), "{}", page.file);
        assert_eq!(line["lang"], page.lang.as_str(), "{}", page.file);
        let body = line["body"].as_str().unwrap_or_default();
        assert!(
            body.contains(&page.first_sentence),
            "{}: first sentence missing",
            page.file
        );
        assert!(
            body.contains(&page.last_sentence),
            "{}: last sentence missing",
            page.file
        );
        assert!(
            !body.contains(&page.boilerplate_word),
            "{}: boilerplate in body",
            page.file
        );
    }
}

#[test]
fn lang_reads_lines_and_prints_codes() {
    use std::io::Write;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_pressd"))
        .args(["lang", "--languages", "hy,az,ru,en,tr,ka"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let input = "Հայաստանի կառավարությունը հաստատեց նոր ծրագիրը\n\
Prezident İlham Əliyev Bakıda xarici qonaqları qəbul edib\n\
Правительство утвердило новую программу развития регионов\n\
The ministers met in Tbilisi to discuss the new railway\n\
Cumhurbaşkanı Ankara'da yeni ekonomi programını açıkladı\n\
საქართველოს მთავრობამ ახალი პროგრამა დაამტკიცა\n\
\n";
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("wait");
    assert!(out.status.success());
    let codes: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(codes, ["hy", "az", "ru", "en", "tr", "ka", "und"]);
}
