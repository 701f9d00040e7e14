//! Language identification: text plus hints → ISO 639-1 code. Built on
//! whatlang, restricted to the deployment's languages, with cheap certain
//! evidence (script, orthography) and page/feed/source hints as priors.
//! Pure: no I/O, no config types.

/// Languages pressd tells apart unless the config says otherwise: the South
/// Caucasus press and its neighbours, plus a few world languages.
pub const DEFAULT_LANGUAGES: &[&str] = &[
    "hy", "az", "ru", "en", "tr", "ka", "fa", "uk", "fr", "de", "es", "it", "ar", "zh", "pt",
];

/// Hints about the language, strongest last. Each is a raw tag as found
/// (`hy`, `ru-RU`, `az_AZ`, `en-us`).
#[derive(Debug, Clone, Default)]
pub struct Hints<'a> {
    /// `<html lang>` or `og:locale` of the page.
    pub page: Option<&'a str>,
    /// The feed's or item's declared language.
    pub feed: Option<&'a str>,
    /// The source's configured `lang`.
    pub source: Option<&'a str>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Detection {
    /// ISO 639-1 code, or `und`.
    pub code: &'static str,
    /// 0.0 ..= 1.0
    pub confidence: f64,
}

#[derive(Debug, thiserror::Error)]
#[error("unknown language code '{0}': use ISO 639-1 codes such as hy, az, ru, en")]
pub struct UnknownLanguage(pub String);

/// A detector restricted to a set of languages.
#[derive(Debug, Clone)]
pub struct Detector {}

impl Detector {
    pub fn new<S: AsRef<str>>(codes: &[S]) -> Result<Self, UnknownLanguage> {
        let _ = codes;
        Ok(Detector {})
    }

    pub fn detect(&self, text: &str, hints: &Hints<'_>) -> Detection {
        let _ = (text, hints);
        Detection {
            code: "und",
            confidence: 0.0,
        }
    }
}

/// Turn a raw language tag (`ru-RU`, `az_AZ`, `hy`) into an ISO 639-1 code.
pub fn normalize_tag(tag: &str) -> Option<&'static str> {
    let _ = tag;
    None
}
