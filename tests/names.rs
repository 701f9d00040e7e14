//! Issue 8: a name searched in one script finds the articles that spell it
//! in the others, through the real daemon and `pressd search`. Issue 16:
//! also when the article declines the name, and without look-alikes or
//! common words passing for names.

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

/// The last path segments of the pages `pressd search QUERY` finds, sorted.
fn pages_found(dep: &Deployment, query: &str) -> Vec<String> {
    let found = dep.search(&[query]);
    let mut got: Vec<String> = found["hits"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter_map(|h| {
            h["url"]
                .as_str()
                .and_then(|u| u.rsplit('/').next())
                .map(str::to_string)
        })
        .collect();
    got.sort();
    got
}

/// Serves `pages` as one JSON feed, runs the daemon once over it, and
/// returns the deployment to search.
async fn indexed(pages: &[(&str, &str, &str, &str)]) -> (wiremock::MockServer, Deployment) {
    let server = wiremock::MockServer::start().await;
    let base = server.uri();
    let items: Vec<String> = pages
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
    for (path, lang, title, body) in pages {
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
    (server, dep)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_name_in_one_script_finds_its_spellings_in_the_others() {
    let (_server, dep) = indexed(PAGES).await;

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

const DECLINED: &[(&str, &str, &str, &str)] = &[
    (
        "/ka-visit.html",
        "ka",
        "ირაკლი კობახიძე ბაქოში ჩავიდა",
        "საქართველოს პრემიერ-მინისტრი ირაკლი კობახიძე ოთხშაბათს ბაქოში ჩავიდა. კობახიძემ აზერბაიჯანის საგარეო საქმეთა მინისტრ ჯეიჰუნ ბაირამოვს რეგიონული თანამშრომლობის საკითხები განუხილა. ვიზიტის შემდეგ დელეგაცია განჯას ეწვია, სადაც ადგილობრივ ხელისუფლებას შეხვდა.",
    ),
    (
        "/ka-hazelnuts.html",
        "ka",
        "თხილის მოსავალი ბაღში",
        "ამ წელს თხილის მოსავალი ბაღში კარგი იყო. ფერმერები ამბობენ, რომ ბაღი წელს უხვად ისხამს და ფასი სტაბილურია. ბაღების მფლობელები ექსპორტზე ფიქრობენ და ახალ ბაზრებს ეძებენ.",
    ),
    (
        "/hy-gyumri.html",
        "hy",
        "Փաշինյանը Գյումրիում հանդիպել է գործարարների հետ",
        "Վարչապետ Նիկոլ Փաշինյանը երկուշաբթի Գյումրիում հանդիպել է տեղի գործարարների հետ։ Հանդիպումից հետո Փաշինյանը հեռախոսազրույց է ունեցել Միխեիլ Կավելաշվիլու հետ։ Կողմերը քննարկել են տարածաշրջանային տրանսպորտային նախագծերը։",
    ),
    (
        "/ru-ganja.html",
        "ru",
        "Ильхам Алиев принял делегацию в Гяндже",
        "Президент Азербайджана Ильхам Алиев принял в Гяндже грузинскую делегацию во главе с Тамарой Кахидзе. На встрече с Амирбековым обсуждались вопросы энергетической безопасности и новых транспортных маршрутов региона.",
    ),
    (
        "/az-lankaran.html",
        "az",
        "Nigar Bayramlı Lənkəranda sakinlərlə görüşüb",
        "Deputat Nigar Bayramlı Lənkəranda sakinlərlə görüşüb. Görüşdə Ələkbərovun təklifləri də müzakirə olunub. Bayramlı daha sonra Naxçıvana yola düşüb və orada yeni məktəbin açılışında iştirak edib.",
    ),
];

// Issue 16: declined names in Georgian, Armenian, Russian and Azerbaijani
// text are found from a query in another script; look-alikes and a common
// Georgian word that keys like a name are not.
#[tokio::test(flavor = "multi_thread")]
async fn declined_names_are_found_across_scripts_without_look_alikes() {
    let (_server, dep) = indexed(DECLINED).await;
    let paths = |query: &str| pages_found(&dep, query);
    for (query, expected) in [
        // Georgian case forms (ergative, dative, postposition -ში).
        ("Kobakhidze", vec!["ka-visit.html"]),
        ("Кобахидзе", vec!["ka-visit.html"]),
        ("Bayramov", vec!["ka-visit.html"]),
        ("Baku", vec!["ka-visit.html"]),
        ("Bakıya", vec!["ka-visit.html"]),
        ("Ganja", vec!["ka-visit.html", "ru-ganja.html"]),
        // Armenian locative, article and genitive.
        ("Gyumri", vec!["hy-gyumri.html"]),
        ("Гюмри", vec!["hy-gyumri.html"]),
        ("Pashinyan", vec!["hy-gyumri.html"]),
        ("Kavelashvili", vec!["hy-gyumri.html"]),
        // Russian declension, and the table's Амирбеков for Əmirbəyov.
        ("Aliyev", vec!["ru-ganja.html"]),
        ("Əmirbəyov", vec!["ru-ganja.html"]),
        ("Kakhidze", vec!["ru-ganja.html"]),
        // Azerbaijani suffixes.
        ("Nakhchivan", vec!["az-lankaran.html"]),
        ("Ленкорань", vec!["az-lankaran.html"]),
        ("Bayramlı", vec!["az-lankaran.html"]),
        ("Alakbarov", vec!["az-lankaran.html"]),
    ] {
        assert_eq!(paths(query), expected, "{query}");
    }
}

const CONTEXT: &[(&str, &str, &str, &str)] = &[
    (
        "/hy-game.html",
        "hy",
        "Մարզիչը գոհ է",
        "Խաղը ավարտվեց ոչ-ոքի։ Պահին մարզիչը գոհ էր թիմի խաղից։ Կայքը հրապարակել է լուսանկարներ։",
    ),
    (
        "/en-gory.html",
        "en",
        "Witnesses speak of the night",
        "Gory details emerged on Monday. Witnesses described gory scenes in the old quarter of the city.",
    ),
    (
        "/ka-mayor.html",
        "ka",
        "ახალი საავადმყოფო",
        "ჟურნალისტებს ლევან ქობალიამ უპასუხა. არტიკში ახალი საავადმყოფო გაიხსნა.",
    ),
];

// Issue 16: an Armenian common word at a sentence start (`Խաղը` "the
// game" keys like Kakha, `Պահին` "at the moment" like Baku) and a word the
// text writes in lowercase elsewhere (`Gory`, `gory`, which keys like
// Gori) are no names; a Georgian surname after a given name (`ლევან
// ქობალიამ`) and a place of the Armenian lexicon's gazetteer (`არტიკში`)
// are, though the table lists neither.
#[tokio::test(flavor = "multi_thread")]
async fn context_tells_names_from_common_words() {
    let (_server, dep) = indexed(CONTEXT).await;
    let paths = |query: &str| pages_found(&dep, query);
    for (query, expected) in [
        ("Kakha", vec![]),
        ("Baku", vec![]),
        ("Гори", vec![]),
        ("Kobalia", vec!["ka-mayor.html"]),
        ("Кобалия", vec!["ka-mayor.html"]),
        ("Artik", vec!["ka-mayor.html"]),
        ("Արթիկ", vec!["ka-mayor.html"]),
    ] {
        assert_eq!(paths(query), expected, "{query}");
    }
}
