//! One key per name, whatever the script: "Hikmət Hacıyev", "Hikmet
//! Hajiyev", "Хикмет Гаджиев" and "Հիքմեթ Հաջիև" fold to the same keys, so
//! a search for one spelling finds articles that use another.
//!
//! A token is folded in two steps. [`skeleton`] transliterates it to
//! lowercase ASCII Latin with the conventions the South Caucasus press
//! uses for Azerbaijani, Turkish, Russian, Armenian and Georgian (module
//! `translit`); the key (module `key`) then merges what those conventions
//! legitimately disagree on: the vowels between the first and the last
//! closed one, final vowels, doubled letters, `h`/`kh`/`g`/`q`/`x`,
//! `j`/`c`/`dzh`/`zh`, `b`/`p` and `d`/`t`, glides (`-yev`/`-iev`/`-ev`,
//! `-yan`/`-ian`/`-jan`, Russian `-ий`).
//!
//! Known limits: Latin `c` is read as Azerbaijani/Turkish `j`, not as the
//! `ts` of Polish-style transliterations; an Armenian initial `h` that
//! Russian drops (Hakobyan, Акопян) and name forms that are translations
//! rather than spellings (Giorgi, Георгий) do not meet.
//!
//! The module is pure (no I/O, no index types) and folds every token, name
//! or not, since an index cannot tell names apart: it works in one pass
//! over the token into reusable buffers ([`Folder`]), and is deterministic.

mod key;
mod translit;

/// Folds tokens to name keys, reusing its buffer so that folding a stream
/// of tokens allocates only when a token is longer than any before it.
#[derive(Debug, Default, Clone)]
pub struct Folder {
    skeleton: String,
}

impl Folder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends the key of `token` to `out` (which is not cleared). A token
    /// with no letter or digit has an empty key.
    pub fn key_into(&mut self, token: &str, out: &mut String) {
        self.skeleton.clear();
        translit::transliterate_into(token, &mut self.skeleton);
        key::key_into(self.skeleton.as_bytes(), out);
    }

    /// The key of `token`.
    pub fn key(&mut self, token: &str) -> String {
        let mut out = String::with_capacity(token.len());
        self.key_into(token, &mut out);
        out
    }
}

/// The name key of one token: `name_key("Məmmədov") == name_key("Мамедов")`.
/// Tokens are words as [`tokens`] splits them; a key is lowercase ASCII and
/// empty for a token with no letter or digit.
pub fn name_key(token: &str) -> String {
    Folder::new().key(token)
}

/// The Latin skeleton of one token before the phonetic merging, for
/// display and debugging: `skeleton("Փաշինյան") == "pashinyan"`.
pub fn skeleton(token: &str) -> String {
    let mut out = String::with_capacity(token.len());
    translit::transliterate_into(token, &mut out);
    out
}

/// Splits text into the words that get keys: runs of letters, digits and
/// combining marks (a decomposed `ş` or a lowercased `İ` stays one word).
/// Hyphens split, so "Ter-Petrosyan" is two words in every script.
pub fn tokens(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_alphanumeric() || matches!(c, '\u{0300}'..='\u{036F}')))
        .filter(|t| !t.is_empty())
}

/// Whether two spellings name the same thing: as many keyed words in each,
/// and equal keys in order. This is what a phrase query on a field indexed
/// with [`name_key`] matches.
pub fn same_name(a: &str, b: &str) -> bool {
    let mut folder = Folder::new();
    let (mut ka, mut kb) = (String::new(), String::new());
    let keys = |text: &str, folder: &mut Folder, buf: &mut String| -> Vec<(usize, usize)> {
        let mut spans = Vec::new();
        for t in tokens(text) {
            let start = buf.len();
            folder.key_into(t, buf);
            if buf.len() > start {
                spans.push((start, buf.len()));
            }
        }
        spans
    };
    let sa = keys(a, &mut folder, &mut ka);
    let sb = keys(b, &mut folder, &mut kb);
    !sa.is_empty()
        && sa.len() == sb.len()
        && sa
            .iter()
            .zip(&sb)
            .all(|(&(a0, a1), &(b0, b1))| ka[a0..a1] == kb[b0..b1])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_same(spellings: &[&str]) {
        let first = name_key(spellings[0]);
        for s in &spellings[1..] {
            assert_eq!(name_key(s), first, "{} vs {}", spellings[0], s);
        }
    }

    #[test]
    fn surnames_across_scripts() {
        all_same(&["Məmmədov", "Mammadov", "Мамедов", "Մամեդով", "მამედოვი"]);
        all_same(&["Hacıyev", "Hajiyev", "Гаджиев", "Հաջիև", "Hajiev"]);
        all_same(&["Əliyev", "Aliyev", "Алиев", "Ալիև", "ალიევი", "Aliev"]);
        all_same(&["Hüseynov", "Huseynov", "Гусейнов", "Հուսեյնով"]);
        all_same(&["Quliyev", "Guliyev", "Кулиев", "Kuliyev"]);
        all_same(&["Pashinyan", "Пашинян", "Փաշինյան", "ფაშინიანი", "Pashinian"]);
        all_same(&["Kobakhidze", "Кобахидзе", "კობახიძე", "Kobaxidze"]);
        all_same(&["Mkrtchyan", "Мкртчян", "Մկրտչյան", "Mkrtchian"]);
    }

    #[test]
    fn places_across_scripts() {
        all_same(&["İçərişəhər", "Icherisheher", "Ичеришехер"]);
        all_same(&["Gəncə", "Ganja", "Гянджа", "Գյանջա", "განჯა"]);
        all_same(&["Şuşa", "Shusha", "Шуша", "Շուշի"]);
        all_same(&["Yerevan", "Ереван", "Երևան", "ერევანი"]);
        all_same(&["Tbilisi", "Тбилиси", "თბილისი", "ᲗᲑᲘᲚᲘᲡᲘ"]);
        all_same(&["Dilijan", "Дилижан", "Դիլիջան", "დილიჟანი"]);
    }

    #[test]
    fn first_names_with_russian_endings() {
        all_same(&["Irakli", "Ираклий", "ირაკლი", "İrakli"]);
        all_same(&["Hikmət", "Hikmet", "Хикмет", "Հիքմեթ"]);
        all_same(&["Ceyhun", "Jeyhun", "Джейхун", "Ջեյհուն", "ჯეიჰუნ"]);
    }

    #[test]
    fn case_folding_traps() {
        // Turkish/Azerbaijani capital dotted I, and what std lowercasing
        // makes of it (i + U+0307).
        assert_eq!(name_key("İLHAM"), name_key("ilham"));
        assert_eq!(name_key(&"İlham".to_lowercase()), name_key("Ilham"));
        assert_eq!(name_key("IĞDIR"), name_key("ığdır"));
        // Armenian ligature `և` and its two-letter spelling `եւ`.
        assert_eq!(name_key("Ալիև"), name_key("Ալիեւ"));
        assert_eq!(name_key("ԵՐԵՎԱՆ"), name_key("Երևան"));
        // Cyrillic `ё`, upper, lower and decomposed.
        assert_eq!(name_key("Гёйгёль"), name_key("ГЁЙГЁЛЬ"));
        assert_eq!(name_key("Гёйгёль"), name_key("Ге\u{0308}йге\u{0308}ль"));
        assert_eq!(name_key("Гёйгёль"), name_key("Göygöl"));
    }

    #[test]
    fn distractors_keep_apart() {
        for (a, b) in [
            ("Aliyev", "Alakbarov"),
            ("Hasanov", "Huseynov"),
            ("Гасанов", "Hüseynov"),
            ("Hasanov", "Hasanli"),
            ("Mammadov", "Mahmudov"),
            ("Ganja", "Gyumri"),
            ("Kobakhidze", "Kakhidze"),
            ("Rustavi", "Rustaveli"),
            ("Gori", "Goris"),
            ("Pashinyan", "Petrosyan"),
        ] {
            assert_ne!(name_key(a), name_key(b), "{a} vs {b}");
        }
    }

    #[test]
    fn multi_word_names_match_token_wise() {
        assert!(same_name("Hikmət Hacıyev", "Хикмет Гаджиев"));
        assert!(same_name("Hikmet Hajiyev", "Հիքմեթ Հաջիև"));
        assert!(same_name("Levon Ter-Petrosyan", "Լևոն Տեր-Պետրոսյան"));
        assert!(!same_name("Ilham Aliyev", "Heydar Aliyev"));
        assert!(!same_name("Aliyev", "Ilham Aliyev"));
        assert!(!same_name("", ""));
    }

    #[test]
    fn every_token_gets_a_key_and_keys_are_ascii() {
        for t in [
            "the", "və", "и", "და", "եւ", "2024", "COVID-19", "北京", "🙂",
        ] {
            let k = name_key(t);
            assert!(k.is_ascii(), "{t}: {k}");
        }
        assert_eq!(name_key("—"), "");
        assert_eq!(name_key("ь"), "");
    }

    #[test]
    fn folder_reuse_gives_the_same_keys() {
        let mut f = Folder::new();
        let mut out = String::new();
        for t in ["Гаджиев", "Hacıyev", "Ծաղկաձոր"] {
            out.clear();
            f.key_into(t, &mut out);
            assert_eq!(out, name_key(t));
        }
    }

    /// Pairs from a fixture file (`a<TAB>b[<TAB>id]`, `#` comments).
    fn fixture_pairs(name: &str) -> Vec<(String, String)> {
        let path = format!("{}/tests/fixtures/names/{name}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).expect("fixture in the repo");
        text.lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .map(|l| {
                let mut f = l.split('\t');
                let a = f.next().expect("first spelling").to_owned();
                let b = f.next().expect("second spelling").to_owned();
                (a, b)
            })
            .collect()
    }

    fn matched_share(pairs: &[(String, String)]) -> f64 {
        let hits = pairs.iter().filter(|(a, b)| same_name(a, b)).count();
        100.0 * hits as f64 / pairs.len() as f64
    }

    // Floors under the figures of `examples/names_bench.rs`, so that a
    // change to the tables or the key that costs recall or lets distractors
    // through fails here first.
    #[test]
    fn variant_recall_floor() {
        let pairs = fixture_pairs("variants.tsv");
        assert!(pairs.len() >= 300, "{} variant pairs", pairs.len());
        let recall = matched_share(&pairs);
        assert!(recall >= 95.0, "recall {recall:.1}%");
    }

    #[test]
    fn distractor_false_match_ceiling() {
        let pairs = fixture_pairs("distractors.tsv");
        assert!(pairs.len() >= 150, "{} distractor pairs", pairs.len());
        let false_matches = matched_share(&pairs);
        assert!(false_matches <= 2.0, "false matches {false_matches:.1}%");
    }
}
