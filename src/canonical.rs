//! Document identity: a URL normalised so that the same story reached
//! through different links maps to one id.

use url::Url;

/// Query parameters that only track the visitor and never select content.
const TRACKING_PARAMS: &[&str] = &[
    "fbclid",
    "gclid",
    "dclid",
    "gbraid",
    "wbraid",
    "msclkid",
    "yclid",
    "ysclid",
    "twclid",
    "igshid",
    "mc_cid",
    "mc_eid",
    "_ga",
    "_gl",
    "_hsenc",
    "_hsmi",
    "mkt_tok",
    "oly_anon_id",
    "oly_enc_id",
    "rb_clickid",
    "s_cid",
    "vero_conv",
    "vero_id",
    "wickedid",
    "__twitter_impression",
    "ncid",
    "cmpid",
    "at_medium",
    "at_campaign",
];

fn is_tracking(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.starts_with("utm_") || TRACKING_PARAMS.contains(&lower.as_str())
}

/// The document id for `url`: fragment and tracking parameters removed.
/// Scheme and host are already lower-cased and default ports dropped by the
/// `url` crate's parser.
pub fn doc_id(url: &Url) -> String {
    let mut u = url.clone();
    u.set_fragment(None);
    if u.query().is_some() {
        let kept: Vec<(String, String)> = u
            .query_pairs()
            .filter(|(k, _)| !is_tracking(k))
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        if kept.is_empty() {
            u.set_query(None);
        } else {
            u.query_pairs_mut().clear().extend_pairs(kept);
        }
    }
    u.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> String {
        doc_id(&Url::parse(s).expect("test url"))
    }

    #[test]
    fn strips_tracking_and_fragment() {
        assert_eq!(
            id("https://Report.AZ:443/en/news/1?utm_source=tg&id=5&fbclid=x#top"),
            "https://report.az/en/news/1?id=5"
        );
        assert_eq!(
            id("https://news.am/eng/news/1.html?utm_medium=rss"),
            "https://news.am/eng/news/1.html"
        );
    }

    #[test]
    fn keeps_content_parameters() {
        assert_eq!(id("https://a.example/?p=12"), "https://a.example/?p=12");
    }
}
