//! Issue 14: stories and copies, through `pressd import` and through the
//! daemon polling a feed on loopback. A copy points at the earliest
//! version; a translation joins its story across scripts; look-alikes
//! (the same leaders at another event, other news from the same place, the
//! same festival a year later) stay apart; ids survive a restart and a
//! `kill -9`; the JSON shapes of `stories`, `story` and `search`.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use wiremock::MockServer;

use crate::harness::{feed_source, serve, serve_feed, text, Deployment};

pub(crate) fn import(dep: &Deployment, file: &Path) -> Output {
    let out = dep
        .cmd()
        .env("RUST_LOG", "warn")
        .arg("import")
        .arg(file)
        .output()
        .expect("run pressd import");
    assert!(out.status.success(), "{}", text(&out));
    out
}

pub(crate) fn write_lines(dir: &Path, name: &str, records: &[Value]) -> PathBuf {
    let path = dir.join(name);
    let body: String = records.iter().map(|r| format!("{r}\n")).collect();
    std::fs::write(&path, body).expect("write fixture");
    path
}

/// Every document's hit, by URL.
fn all_hits(dep: &Deployment) -> HashMap<String, Value> {
    let out = dep.run(&["search", "*", "--format", "json", "--limit", "10000"]);
    assert!(out.status.success(), "{}", text(&out));
    let found: Value = serde_json::from_slice(&out.stdout).expect("search JSON");
    found["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|h| (h["url"].as_str().expect("url").to_string(), h.clone()))
        .collect()
}

fn story_of(hits: &HashMap<String, Value>, url: &str) -> u64 {
    hits.get(url).unwrap_or_else(|| panic!("{url} not indexed"))["story"]
        .as_u64()
        .unwrap_or_else(|| panic!("{url} has no story: {hits:?}"))
}

fn json_of(dep: &Deployment, args: &[&str]) -> Value {
    let out = dep.run(args);
    assert!(out.status.success(), "{args:?}: {}", text(&out));
    serde_json::from_slice(&out.stdout).expect("JSON")
}

// An event written for these tests: Gyumri opens a bridge, told by an
// agency in Azerbaijani (copied word for word and rewritten by others), and
// in Russian, Armenian, Georgian and English in their own words.
const AZ_AGENCY: &str = "Gümrü şəhərində Axuryan çayı üzərində uzunluğu 240 metr olan yeni körpü \
    istifadəyə verilib. Açılış mərasimində şəhər meri Vardan Qukasyan və nazir Gnel Sanosyan iştirak \
    ediblər. Körpünün tikintisinə 18 milyon dollar xərclənib, işlər iki il davam edib. Meriya \
    bildirir ki, körpü şəhərin şimal məhəllələrini mərkəzlə birləşdirəcək.";
const AZ_REWRITE: &str = "Gümrü şəhərində Axuryan çayı üzərində uzunluğu 240 metr olan yeni körpü \
    açılıb. Açılış mərasimində şəhər meri Vardan Qukasyan və nazir Gnel Sanosyan iştirak ediblər. \
    Körpünün tikintisinə 18 milyon dollar xərclənib, tikinti işləri iki il davam edib. Meriya \
    bildirir ki, körpü şəhərin şimal məhəllələrini mərkəzlə birləşdirəcək.";
const RU_OWN: &str = "В Гюмри открыли мост через реку Ахурян длиной 240 метров. На церемонии \
    присутствовали мэр Вардан Гукасян и министр Гнел Саносян. Строительство обошлось в 18 \
    миллионов долларов.";
const HY_OWN: &str = "Գյումրիում Ախուրյան գետի վրա բացվել է 240 մետր երկարությամբ նոր կամուրջ։ \
    Բացմանը ներկա էին քաղաքապետ Վարդան Ղուկասյանը և նախարար Գնել Սանոսյանը։ Շինարարությունն \
    արժեցել է 18 միլիոն դոլար։";
const KA_OWN: &str =
    "გიუმრიში მდინარე ახურიანზე 240 მეტრის სიგრძის ახალი ხიდი გაიხსნა. ცერემონიას \
    ესწრებოდნენ მერი ვარდან ღუკასიანი და მინისტრი გნელ სანოსიანი. მშენებლობა 18 მილიონი დოლარი \
    დაჯდა.";

pub(crate) fn bridge_records() -> Vec<Value> {
    vec![
        // The agency's text, listed after a copy of it: the copy must
        // still point at it (earlier by publication time).
        json!({"url": "https://reprint.example/az/1", "title": "Gümrüdə yeni körpü açılıb",
               "body": AZ_AGENCY, "lang": "az", "source": "reprint-az",
               "published": "2025-05-12T10:40:00Z"}),
        json!({"url": "https://agency.example/az/1", "title": "Gümrüdə 240 metrlik körpü istifadəyə verilib",
               "body": AZ_AGENCY, "lang": "az", "source": "agency-az",
               "published": "2025-05-12T09:00:00Z"}),
        json!({"url": "https://rewrite.example/az/1", "title": "Gümrüdə körpü açıldı",
               "body": AZ_REWRITE, "lang": "az", "source": "rewrite-az",
               "published": "2025-05-12T13:15:00Z"}),
        json!({"url": "https://ru.example/news/1", "title": "В Гюмри открыли новый мост",
               "body": RU_OWN, "lang": "ru", "source": "ru-daily",
               "published": "2025-05-12T11:00:00Z"}),
        json!({"url": "https://hy.example/lur/1", "title": "Գյումրիում նոր կամուրջ է բացվել",
               "body": HY_OWN, "lang": "hy", "source": "hy-news",
               "published": "2025-05-12T09:30:00Z"}),
        json!({"url": "https://ka.example/ambebi/1", "title": "გიუმრიში ახალი ხიდი გაიხსნა",
               "body": KA_OWN, "lang": "ka", "source": "ka-news",
               "published": "2025-05-12T15:00:00Z"}),
    ]
}

/// Look-alikes of other events: the same two leaders at two meetings a
/// day apart, other news from Gyumri the same day, and a festival held
/// again a year later.
fn trap_records() -> Vec<Value> {
    vec![
        json!({"url": "https://en.example/leaders/1", "title": "Pashinyan and Aliyev meet in Abu Dhabi",
               "body": "Nikol Pashinyan and Ilham Aliyev met in Abu Dhabi on Thursday and discussed the \
                        text of the peace treaty, their offices said. Sheikh Mohammed bin Zayed hosted the \
                        meeting, which lasted 3 hours.",
               "lang": "en", "source": "en-wire", "published": "2025-05-11T08:00:00Z"}),
        json!({"url": "https://ru.example/leaders/1", "title": "Пашинян и Алиев встретились в Абу-Даби",
               "body": "Никол Пашинян и Ильхам Алиев встретились в Абу-Даби и обсудили текст мирного \
                        договора. Встречу принимал шейх Мохаммед бин Заид, она длилась 3 часа.",
               "lang": "ru", "source": "ru-daily", "published": "2025-05-11T09:00:00Z"}),
        json!({"url": "https://en.example/leaders/2", "title": "Pashinyan and Aliyev speak by phone about gas transit",
               "body": "Nikol Pashinyan and Ilham Aliyev spoke by phone on Friday about the transit of \
                        Azerbaijani gas to Nakhchivan through Armenia. The pipeline would carry 300 million \
                        cubic metres a year, Hikmet Hajiyev told reporters.",
               "lang": "en", "source": "en-wire", "published": "2025-05-12T08:00:00Z"}),
        json!({"url": "https://az.example/leaders/2", "title": "Paşinyan və Əliyev telefonla danışıb",
               "body": "Nikol Paşinyan və İlham Əliyev cümə günü telefonla Naxçıvana Ermənistan ərazisindən \
                        qaz tranziti barədə danışıblar. Boru kəməri ildə 300 milyon kubmetr qaz nəql edəcək, \
                        Hikmət Hacıyev bildirib.",
               "lang": "az", "source": "az-wire", "published": "2025-05-12T09:00:00Z"}),
        json!({"url": "https://ru.example/gyumri/2", "title": "В Гюмри прошел марафон",
               "body": "В Гюмри в понедельник прошел городской марафон, в нем участвовали 1 500 бегунов. \
                        Победителем стал Арам Мелконян, сообщили организаторы.",
               "lang": "ru", "source": "ru-daily", "published": "2025-05-12T16:00:00Z"}),
        json!({"url": "https://en.example/festival/2024", "title": "Apricot festival opens in Yerevan",
               "body": "The apricot festival opened in Yerevan on Saturday with 40 farms from Ararat and \
                        Armavir. Organisers expect 12,000 visitors, said Lusine Sargsyan of the farmers' union.",
               "lang": "en", "source": "en-wire", "published": "2024-06-15T10:00:00Z"}),
        json!({"url": "https://en.example/festival/2025", "title": "Apricot festival opens in Yerevan",
               "body": "The apricot festival opened in Yerevan on Saturday with 55 farms from Ararat and \
                        Armavir. Organisers expect 15,000 visitors, said Lusine Sargsyan of the farmers' union.",
               "lang": "en", "source": "en-wire", "published": "2025-06-14T10:00:00Z"}),
    ]
}

#[test]
fn copies_point_at_the_earliest_translations_join_and_look_alikes_stay_apart() {
    let dep = Deployment::new("");
    let mut records = bridge_records();
    records.extend(trap_records());
    let file = write_lines(dep.dir.path(), "world.jsonl", &records);
    import(&dep, &file);
    let hits = all_hits(&dep);
    assert_eq!(hits.len(), records.len());

    // One story for the bridge, in five languages and three scripts.
    let bridge = story_of(&hits, "https://agency.example/az/1");
    for r in bridge_records() {
        let url = r["url"].as_str().expect("url");
        assert_eq!(story_of(&hits, url), bridge, "{url}: {hits:#?}");
    }
    // The word-for-word copy and the rewrite point at the agency's text,
    // the earliest, though the copy was imported before it.
    for copy in [
        "https://reprint.example/az/1",
        "https://rewrite.example/az/1",
    ] {
        assert_eq!(
            hits[copy]["duplicate_of"], "https://agency.example/az/1",
            "{copy}: {:#}",
            hits[copy]
        );
    }
    for original in [
        "https://agency.example/az/1",
        "https://ru.example/news/1",
        "https://hy.example/lur/1",
    ] {
        assert!(
            hits[original].get("duplicate_of").is_none(),
            "{original} is no copy: {:#}",
            hits[original]
        );
    }

    // Look-alikes: each meeting is its own story (its translation joins
    // it), the marathon is not the bridge, the festivals are a year apart.
    let meeting = story_of(&hits, "https://en.example/leaders/1");
    let call = story_of(&hits, "https://en.example/leaders/2");
    assert_ne!(meeting, call, "two events with the same two leaders");
    assert_eq!(story_of(&hits, "https://ru.example/leaders/1"), meeting);
    assert_eq!(story_of(&hits, "https://az.example/leaders/2"), call);
    assert_ne!(story_of(&hits, "https://ru.example/gyumri/2"), bridge);
    assert_ne!(
        story_of(&hits, "https://en.example/festival/2024"),
        story_of(&hits, "https://en.example/festival/2025")
    );

    // pressd stories: the shape, and the bridge first (the largest).
    let listed = json_of(&dep, &["stories", "--format", "json"]);
    let stories = listed["stories"].as_array().expect("stories");
    assert_eq!(listed["total"].as_u64(), Some(stories.len() as u64));
    let first = &stories[0];
    assert_eq!(first["id"].as_u64(), Some(bridge), "{listed:#}");
    assert_eq!(first["articles"], 6);
    assert_eq!(first["copies"], 2);
    assert_eq!(first["langs"], json!(["az", "hy", "ka", "ru"]));
    assert_eq!(first["first"]["url"], "https://agency.example/az/1");
    assert_eq!(first["first"]["source"], "agency-az");
    assert_eq!(first["first"]["published"], "2025-05-12T09:00:00Z");
    assert_eq!(first["first"]["lang"], "az");
    assert_eq!(first["start"], "2025-05-12T09:00:00Z");
    assert_eq!(first["end"], "2025-05-12T15:00:00Z");
    for key in ["title", "sources"] {
        assert!(first.get(key).is_some(), "{key} missing: {first:#}");
    }
    // --lang picks the headline of that language; filters and limits.
    let ru = json_of(
        &dep,
        &[
            "stories",
            "--lang",
            "ru",
            "--min-articles",
            "3",
            "--format",
            "json",
        ],
    );
    assert_eq!(ru["total"], 1, "{ru:#}");
    assert_eq!(ru["stories"][0]["title"], "В Гюмри открыли новый мост");
    let query = json_of(&dep, &["stories", "körpü", "--format", "json"]);
    assert_eq!(
        query["stories"][0]["id"].as_u64(),
        Some(bridge),
        "{query:#}"
    );
    let since = json_of(
        &dep,
        &["stories", "--since", "2025-06-01", "--format", "json"],
    );
    assert_eq!(since["total"], 1, "{since:#}");

    // pressd story: the articles in time order, copies marked, the first
    // of each language.
    let story = json_of(&dep, &["story", &bridge.to_string(), "--format", "json"]);
    let articles = story["articles"].as_array().expect("articles");
    assert_eq!(articles.len(), 6);
    let urls: Vec<&str> = articles.iter().filter_map(|a| a["url"].as_str()).collect();
    assert_eq!(urls[0], "https://agency.example/az/1");
    assert_eq!(urls[1], "https://hy.example/lur/1");
    assert_eq!(articles[2]["duplicate_of"], "https://agency.example/az/1");
    for a in articles {
        for key in ["source", "lang", "title", "url", "published"] {
            assert!(a.get(key).is_some(), "{key} missing: {a:#}");
        }
    }
    assert_eq!(
        story["first_by_lang"]["ru"]["url"],
        "https://ru.example/news/1"
    );
    let out = dep.run(&["story", "999999"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));

    // search --collapse: one hit per story, with what else it has.
    let collapsed = json_of(
        &dep,
        &[
            "search",
            "*",
            "--collapse",
            "--format",
            "json",
            "--limit",
            "50",
        ],
    );
    let shown = collapsed["hits"].as_array().expect("hits");
    let distinct: HashSet<u64> = shown.iter().filter_map(|h| h["story"].as_u64()).collect();
    assert_eq!(distinct.len(), shown.len(), "{collapsed:#}");
    let bridge_hit = shown
        .iter()
        .find(|h| h["story"].as_u64() == Some(bridge))
        .expect("the bridge story");
    assert_eq!(bridge_hit["more_articles"], 5);
    assert_eq!(bridge_hit["langs"], json!(["az", "hy", "ka", "ru"]));

    // coverage --split story: the bridge story's six articles under its id,
    // in the buckets as in the totals.
    let coverage = json_of(
        &dep,
        &[
            "coverage", "*", "--split", "story", "--by", "month", "--format", "json",
        ],
    );
    assert_eq!(coverage["split"], "story", "{coverage:#}");
    assert_eq!(coverage["totals"][bridge.to_string()], 6, "{coverage:#}");
    let in_buckets: u64 = coverage["buckets"]
        .as_array()
        .expect("buckets")
        .iter()
        .filter_map(|b| b["counts"][bridge.to_string()].as_u64())
        .sum();
    assert_eq!(in_buckets, 6, "{coverage:#}");
    let total: u64 = coverage["totals"]
        .as_object()
        .expect("totals")
        .values()
        .filter_map(serde_json::Value::as_u64)
        .sum();
    assert_eq!(total, coverage["total"].as_u64().expect("total"));
}

#[test]
fn ids_survive_a_restart_and_a_kill_9() {
    let dep = Deployment::new("");
    let dir = dep.dir.path();
    let first = write_lines(dir, "first.jsonl", &bridge_records()[..2]);
    import(&dep, &first);
    let before = all_hits(&dep);
    let bridge = story_of(&before, "https://agency.example/az/1");
    // Another run (a restart): the translations join the same id, and the
    // stored articles keep theirs when imported again.
    let all = write_lines(dir, "all.jsonl", &bridge_records());
    import(&dep, &all);
    let after = all_hits(&dep);
    for r in bridge_records() {
        let url = r["url"].as_str().expect("url");
        assert_eq!(story_of(&after, url), bridge, "{url}");
    }

    // A bulk import killed mid-way (more than one drain commit of 5,000):
    // groups of copies of one text each, so
    // every group must end as one story, and no article without one or
    // with two.
    const GROUPS: usize = 300;
    const PER_GROUP: usize = 20;
    let records: Vec<Value> = (0..GROUPS * PER_GROUP)
        .map(|n| {
            let g = n % GROUPS;
            json!({
                "url": format!("https://bulk.example/{g}/{n}"),
                "title": format!("Bulletin {g}"),
                "body": format!("The statistics office of district {g} released bulletin number {g} \
                    with {} tonnes of grain, {} head of cattle and {} new businesses registered in \
                    the quarter, the head of the office told reporters on Monday morning.",
                    1000 + g * 7, 300 + g * 3, 20 + g),
                "lang": "en",
                "published": format!("2025-05-{:02}T{:02}:00:00Z", 1 + g % 20, n % 24),
            })
        })
        .collect();
    let bulk = write_lines(dir, "bulk.jsonl", &records);
    let mut child = dep
        .cmd()
        .env("RUST_LOG", "warn")
        .arg("import")
        .arg(&bulk)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn import");
    let started = Instant::now();
    let mut stored_before: HashMap<String, u64> = HashMap::new();
    // Generous: the loop ends at the first commit, which a loaded CI
    // machine can take most of a minute to reach.
    while started.elapsed() < Duration::from_secs(180) {
        let hits = all_hits(&dep);
        stored_before = hits
            .iter()
            .filter(|(url, _)| url.starts_with("https://bulk.example/"))
            .filter_map(|(url, h)| h["story"].as_u64().map(|s| (url.clone(), s)))
            .collect();
        if !stored_before.is_empty() {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.kill().expect("kill -9");
    child.wait().expect("reap");
    assert!(!stored_before.is_empty(), "nothing committed within 180 s");
    eprintln!(
        "killed with {} of {} articles in stories",
        stored_before.len(),
        records.len()
    );
    import(&dep, &bulk);
    let hits = all_hits(&dep);
    let mut groups: HashMap<usize, HashSet<u64>> = HashMap::new();
    for (url, h) in &hits {
        let Some(rest) = url.strip_prefix("https://bulk.example/") else {
            continue;
        };
        let g: usize = rest
            .split('/')
            .next()
            .and_then(|g| g.parse().ok())
            .expect("group");
        let story = h["story"]
            .as_u64()
            .unwrap_or_else(|| panic!("{url} has no story"));
        groups.entry(g).or_default().insert(story);
        if let Some(old) = stored_before.get(url) {
            assert_eq!(*old, story, "{url} changed story after the kill");
        }
    }
    assert_eq!(groups.len(), GROUPS);
    for (g, stories) in &groups {
        assert_eq!(stories.len(), 1, "group {g} split: {stories:?}");
    }
    let all_stories: HashSet<u64> = groups.values().flatten().copied().collect();
    assert_eq!(all_stories.len(), GROUPS, "groups merged");
    let hits_total = hits
        .keys()
        .filter(|u| u.starts_with("https://bulk.example/"))
        .count();
    assert_eq!(hits_total, GROUPS * PER_GROUP);
    // The bridge is untouched.
    assert_eq!(story_of(&hits, "https://ru.example/news/1"), bridge);
}

fn page(lang: &str, title: &str, body: &str, published: &str) -> Vec<u8> {
    format!(
        "<!doctype html><html lang=\"{lang}\"><head><title>{title}</title>\
         <meta property=\"article:published_time\" content=\"{published}\"></head>\
         <body><article><h1>{title}</h1><p>{body}</p></article></body></html>"
    )
    .into_bytes()
}

fn rss(base: &str, items: &[(&str, &str, &str)]) -> Vec<u8> {
    let items: String = items
        .iter()
        .map(|(p, title, date)| {
            format!(
                "<item><title>{title}</title><link>{base}{p}</link><pubDate>{date}</pubDate></item>"
            )
        })
        .collect();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel>\
         <title>t</title><link>{base}/</link><description>d</description>{items}</channel></rss>"
    )
    .into_bytes()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_daemon_groups_what_it_polls_and_keeps_ids_across_runs() {
    let server = MockServer::start().await;
    let base = server.uri();
    let pages = [
        (
            "/az/1",
            "az",
            "Gümrüdə 240 metrlik körpü istifadəyə verilib",
            AZ_AGENCY,
            "2025-05-12T09:00:00Z",
        ),
        (
            "/az/2",
            "az",
            "Gümrüdə yeni körpü açılıb",
            AZ_AGENCY,
            "2025-05-12T10:40:00Z",
        ),
        (
            "/ru/1",
            "ru",
            "В Гюмри открыли новый мост",
            RU_OWN,
            "2025-05-12T11:00:00Z",
        ),
        (
            "/hy/1",
            "hy",
            "Գյումրիում նոր կամուրջ է բացվել",
            HY_OWN,
            "2025-05-12T09:30:00Z",
        ),
    ];
    for (p, lang, title, body, published) in pages {
        serve(
            &server,
            p,
            "text/html; charset=utf-8",
            page(lang, title, body, published),
        )
        .await;
    }
    let rfc2822 = |s: &str| {
        chrono::DateTime::parse_from_rfc3339(s)
            .expect("date")
            .to_rfc2822()
    };
    let first: Vec<(&str, &str, String)> = pages[..3]
        .iter()
        .map(|(p, _, title, _, d)| (*p, *title, rfc2822(d)))
        .collect();
    let items: Vec<(&str, &str, &str)> =
        first.iter().map(|(p, t, d)| (*p, *t, d.as_str())).collect();
    serve_feed(
        &server,
        "/feed.xml",
        "application/rss+xml",
        rss(&base, &items),
    )
    .await;
    let hy_items = [(pages[3].0, pages[3].2, rfc2822(pages[3].4))];
    let hy_items: Vec<(&str, &str, &str)> = hy_items
        .iter()
        .map(|(p, t, d)| (*p, *t, d.as_str()))
        .collect();
    serve_feed(
        &server,
        "/hy.xml",
        "application/rss+xml",
        rss(&base, &hy_items),
    )
    .await;

    let dep = Deployment::new(&feed_source("outlets", &format!("{base}/feed.xml")));
    let out = dep.run(&["run", "--once"]);
    assert!(out.status.success(), "{}", text(&out));
    let hits = all_hits(&dep);
    assert_eq!(hits.len(), 3, "{hits:#?}");
    let story = story_of(&hits, &format!("{base}/az/1"));
    assert_eq!(story_of(&hits, &format!("{base}/ru/1")), story);
    assert_eq!(
        hits[&format!("{base}/az/2")]["duplicate_of"],
        format!("{base}/az/1")
    );

    // A second run (a restart) with another outlet: the Armenian report
    // joins the same story id.
    let dep2_config = format!(
        "{}{}",
        feed_source("outlets", &format!("{base}/feed.xml")),
        feed_source("hy-outlet", &format!("{base}/hy.xml"))
    );
    let config = std::fs::read_to_string(&dep.config).expect("config");
    let config = config.replace(
        &feed_source("outlets", &format!("{base}/feed.xml")),
        &dep2_config,
    );
    std::fs::write(&dep.config, config).expect("config");
    let out = dep.run(&["run", "--once"]);
    assert!(out.status.success(), "{}", text(&out));
    let hits = all_hits(&dep);
    assert_eq!(hits.len(), 4, "{hits:#?}");
    assert_eq!(story_of(&hits, &format!("{base}/hy/1")), story);
    assert_eq!(story_of(&hits, &format!("{base}/az/1")), story);
    let listed = json_of(&dep, &["stories", "--format", "json"]);
    assert_eq!(listed["total"], 1, "{listed:#}");
    assert_eq!(listed["stories"][0]["first"]["url"], format!("{base}/az/1"));
    assert_eq!(listed["stories"][0]["langs"], json!(["az", "hy", "ru"]));
}
