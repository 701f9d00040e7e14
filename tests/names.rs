//! Issue 8: a name searched in one script finds the articles that spell it
//! in the others, through the real daemon and `pressd search`.

use crate::harness::{feed_source, serve, text, Deployment};

const PAGES: &[(&str, &str, &str, &str)] = &[
    (
        "/az.html",
        "az",
        "Hikmət Hacıyev xarici jurnalistlərlə görüşüb",
        "Prezidentin köməkçisi Hikmət Hacıyev Bakıda xarici jurnalistlərlə görüşüb. Görüşdə regional təhlükəsizlik məsələləri müzakirə olunub. Hacıyev jurnalistlərin suallarını cavablandırıb.",
    ),
    (
        "/ru.html",
        "ru",
        "Хикмет Гаджиев встретился с иностранными журналистами",
        "Помощник президента Хикмет Гаджиев встретился в Баку с иностранными журналистами. На встрече обсуждались вопросы региональной безопасности. Гаджиев ответил на вопросы журналистов.",
    ),
    (
        "/hy.html",
        "hy",
        "Հիքմեթ Հաջիևը հանդիպել է օտարերկրյա լրագրողների հետ",
        "Ադրբեջանի նախագահի օգնական Հիքմեթ Հաջիևը Բաքվում հանդիպել է օտարերկրյա լրագրողների հետ։ Հանդիպմանը քննարկվել են տարածաշրջանային անվտանգության հարցեր։",
    ),
    (
        "/en.html",
        "en",
        "Minister Alakbarov opens a school in Ganja",
        "Education minister Alakbarov opened a new school in Ganja on Monday. The school will teach four hundred pupils from the city and nearby villages.",
    ),
];

fn page(lang: &str, title: &str, body: &str) -> Vec<u8> {
    format!(
        "<html lang=\"{lang}\"><head><title>{title}</title></head><body><nav><a href=\"/\">Home</a></nav>\
         <article><h1>{title}</h1><p>{body}</p></article><footer>© Test</footer></body></html>"
    )
    .into_bytes()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_name_in_one_script_finds_its_spellings_in_the_others() {
    let server = wiremock::MockServer::start().await;
    let base = server.uri();
    let items: Vec<String> = PAGES
        .iter()
        .map(|(path, _, title, _)| {
            format!("{{\"id\":\"{base}{path}\",\"url\":\"{base}{path}\",\"title\":\"{title}\"}}")
        })
        .collect();
    let feed = format!(
        "{{\"version\":\"https://jsonfeed.org/version/1.1\",\"title\":\"t\",\"items\":[{}]}}",
        items.join(",")
    );
    serve(
        &server,
        "/feed.json",
        "application/feed+json",
        feed.into_bytes(),
    )
    .await;
    for (path, lang, title, body) in PAGES {
        serve(
            &server,
            path,
            "text/html; charset=utf-8",
            page(lang, title, body),
        )
        .await;
    }
    let dep = Deployment::new(&feed_source("wire", &format!("{base}/feed.json")));
    let out = dep.run(&["run", "--once"]);
    assert!(out.status.success(), "{}", text(&out));

    let langs = |found: &serde_json::Value| -> Vec<String> {
        found["hits"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .filter_map(|h| h["lang"].as_str().map(str::to_string))
            .collect()
    };
    for (query, first) in [
        ("Hajiyev", None),
        ("Гаджиев", Some("ru")),
        ("Hacıyev", Some("az")),
        ("Հաջիևը", Some("hy")),
    ] {
        let found = dep.search(&[query]);
        let mut got = langs(&found);
        assert_eq!(
            got.len(),
            3,
            "{query} must find the az, ru and hy articles: {found}"
        );
        if let Some(first) = first {
            assert_eq!(
                got[0], first,
                "{query}: the spelling searched for ranks first: {found}"
            );
        }
        got.sort();
        assert_eq!(got, ["az", "hy", "ru"], "{query}: {found}");
    }
    // The snippet shows the document's own spelling.
    let found = dep.search(&["Hajiyev", "--lang", "ru"]);
    assert!(
        found["hits"][0]["snippet"]
            .as_str()
            .is_some_and(|s| s.contains("**Гаджиев**")),
        "{found}"
    );
    // --exact turns the name path off.
    let found = dep.search(&["Гаджиев", "--exact"]);
    assert_eq!(langs(&found), ["ru"], "{found}");
    // Different names do not match.
    assert_eq!(dep.search(&["Aliyev"])["total"], 0);
    assert_eq!(langs(&dep.search(&["Alakbarov"])), ["en"]);
}
