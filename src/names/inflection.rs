//! Case, possessive and article endings of the region's languages, read off
//! a lowercase word before it is keyed, so that an inflected name keys like
//! its base form: Georgian `თბილისში` like `თბილისი`, Armenian `Գյումրիում`
//! like `Գյումրի`, Russian `Пашиняном` like `Пашинян`, Azerbaijani `Bakıdan`
//! like `Bakı`.
//!
//! The rules are chosen by script, not by language: a query has no language,
//! and whatever is done to a word in a document must be done to the same word
//! typed as a query. Latin script gets the Azerbaijani and Turkish endings
//! (English has no case endings to speak of; its `'s` goes with the
//! apostrophe, which the tokenizer drops with what follows it), Cyrillic the
//! Russian ones.
//!
//! Endings made of vowels alone need no rule: the key ignores a word's final
//! vowels (Russian `Алиева`, `Алиеву`, `Алиевой` key like `Алиев`;
//! Azerbaijani dative `Bakıya` like `Bakı`; Armenian genitive `Ալիևի` like
//! `Ալիև`). The rules here are for endings with a consonant.
//!
//! A word can have more than one reading. Where an ending can also be the
//! end of a name, both readings are kept ([`Readings`]): Azerbaijani
//! `Əliyevin` is `Əliyev` + genitive `-in`, but `Elçin` is a first name;
//! Armenian `Պաշինյանով` is `Պաշինյան` + instrumental `-ով`, but `Բայրամով`
//! is Bayramov. Index and query both key every reading, so a name and its
//! inflected forms share at least one key whichever reading is right. Where
//! only a case ending can explain an ending (Georgian `-ში`, Armenian
//! `-ում`), the word is read one way only.
//!
//! Every rule leaves at least [`MIN_STEM`] letters, so short words ("Ada",
//! "Ось") are left alone.

/// The script a word is written in, by its first letter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Script {
    Latin,
    Cyrillic,
    Armenian,
    Georgian,
    Other,
}

impl Script {
    /// Script of the first letter of `word`.
    pub fn of(word: &str) -> Script {
        match word.chars().find(|&c| crate::letters::is_alphabetic(c)) {
            Some(c) if c.is_ascii_alphabetic() => Script::Latin,
            Some('\u{00C0}'..='\u{024F}' | '\u{0259}' | '\u{1E00}'..='\u{1EFF}') => Script::Latin,
            Some('\u{0400}'..='\u{04FF}') => Script::Cyrillic,
            Some('\u{0531}'..='\u{058F}' | '\u{FB13}'..='\u{FB17}') => Script::Armenian,
            Some('\u{10A0}'..='\u{10FF}' | '\u{1C90}'..='\u{1CBF}' | '\u{2D00}'..='\u{2D2F}') => {
                Script::Georgian
            }
            _ => Script::Other,
        }
    }
}

/// No reading leaves fewer letters than this.
pub const MIN_STEM: usize = 3;

/// At most this many readings per word.
pub const MAX_READINGS: usize = 3;

/// One reading of a word: its first `keep` bytes, then `append` (Armenian
/// stems change before an ending: `Բաքվում` is read `Բաքու`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Base {
    pub keep: usize,
    pub append: &'static str,
}

/// The readings of one word, the first being the one with the most
/// endings removed that are certainly endings.
#[derive(Debug, Clone, Default)]
pub struct Readings {
    bases: [Option<Base>; MAX_READINGS],
}

impl Readings {
    fn push(&mut self, base: Base) {
        if self.bases.iter().flatten().any(|b| *b == base) {
            return;
        }
        if let Some(slot) = self.bases.iter_mut().find(|s| s.is_none()) {
            *slot = Some(base);
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = Base> + '_ {
        self.bases.iter().flatten().copied()
    }
}

/// The readings of `word`, which must be lowercase (Turkic `İ` as `i`).
pub fn readings(word: &str) -> Readings {
    let mut out = Readings::default();
    match Script::of(word) {
        Script::Georgian => georgian(word, &mut out),
        Script::Armenian => armenian(word, &mut out),
        Script::Cyrillic => russian(word, &mut out),
        Script::Latin => turkic(word, &mut out),
        Script::Other => out.push(Base {
            keep: word.len(),
            append: "",
        }),
    }
    out
}

/// Bytes of `word` left when `pattern` ends it, provided at least
/// [`MIN_STEM`] letters are left. In a pattern, `A` stands for a vowel of
/// the a/ə/e harmony pair, `I` for one of ı/i/u/ü, `D` for d/t: Azerbaijani
/// and Turkish suffixes change with the word's vowels and last consonant,
/// and one pattern covers every variant ("DAn": -dan, -dən, -den, -tan,
/// -tən, -ten).
fn stem_before(word: &str, pattern: &str) -> Option<usize> {
    let mut chars = word.char_indices().rev();
    let mut cut = word.len();
    for p in pattern.chars().rev() {
        let (at, c) = chars.next()?;
        let fits = match p {
            'A' => matches!(c, 'a' | 'ə' | 'e' | 'ä'),
            'I' => matches!(c, 'ı' | 'i' | 'u' | 'ü'),
            'D' => matches!(c, 'd' | 't'),
            _ => c == p,
        };
        if !fits {
            return None;
        }
        cut = at;
    }
    (word[..cut].chars().count() >= MIN_STEM).then_some(cut)
}

fn last_char(s: &str) -> Option<char> {
    s.chars().next_back()
}

pub fn is_vowel(c: char) -> bool {
    matches!(
        c,
        'a' | 'e'
            | 'i'
            | 'o'
            | 'u'
            | 'ı'
            | 'ə'
            | 'ö'
            | 'ü'
            | 'ä'
            | 'а'
            | 'е'
            | 'ё'
            | 'и'
            | 'о'
            | 'у'
            | 'ы'
            | 'э'
            | 'ю'
            | 'я'
            | 'ա'
            | 'ե'
            | 'է'
            | 'ը'
            | 'ի'
            | 'ո'
            | 'օ'
            | 'ւ'
            | 'ა'
            | 'ე'
            | 'ი'
            | 'ო'
            | 'უ'
    )
}

fn whole(word: &str) -> Base {
    Base {
        keep: word.len(),
        append: "",
    }
}

fn cut(keep: usize) -> Base {
    Base { keep, append: "" }
}

/// Georgian declines every noun, names included, and fuses postpositions to
/// the case form. Every nominative ends in a vowel (consonant stems take
/// `-ი`: `თბილისი`, `ბაირამოვი`), so a final consonant is always an
/// ending; one reading is enough. Peeled in this order:
/// - the clitic `-ც` "also", after a vowel: `კობახიძემაც` → `კობახიძემა`;
/// - a postposition with the case it governs, or a bare case ending, but not
///   both (a postposition takes the case form without its own ending, and
///   peeling on would eat the stem):
///   - genitive + `-თვის` "for", `-გან` "from", `-კენ` "towards", with or
///     without the linking `-ა-`: `კობახიძისთვის`, `ბაქოსკენ`;
///   - instrumental + `-დან` "from": `მარნეულიდან`, vowel stems `ბაქოდან`;
///   - adverbial + `-მდე` "up to": `თბილისამდე`, `ბაქომდე`;
///   - `-ვით` "like" (genitive): `თბილისივით`;
///   - `-ში` "in", `-ზე` "on", `-თან` "at, with", also with the copula
///     `-ა`: `თბილისში`, `ბათუმშია`, `ალიევთან`, and vowel stems keep the
///     dative `-ს` before `-თან`: `კობახიძესთან`;
///   - case endings: genitive `-ის` (`თბილისის`; `-ე`/`-ა` stems drop their
///     vowel, `კობახიძის`, which the key's tolerance of final vowels
///     absorbs), instrumental `-ით` (not the `-თი` of vowel stems, which
///     would eat the `-ეთი` of სომხეთი, კახეთი), adverbial `-ად`/`-დ`, ergative
///     `-მა` (`თბილისმა`) and `-მ` after a vowel (`კობახიძემ`), dative
///     `-ს` (`თბილისს`, `განჯას`, `ბაირამოვს`), each with an optional
///     emphatic `-ა` (`-ისა`, `-ითა`). A first name written before a
///     surname drops its `-ი` (`ილჰამ ალიევი`), so `-მ` and `-დ` after a
///     vowel may be its own: both readings.
fn georgian(word: &str, out: &mut Readings) {
    let mut end = word.len();
    if let Some(at) = stem_before(word, "ც") {
        if last_char(&word[..at]).is_some_and(is_vowel) {
            end = at;
        }
    }
    let w = &word[..end];
    const POSTPOSITIONS: &[&str] = &[
        "ისათვის",
        "ისთვის",
        "ისაგან",
        "ისგან",
        "ისაკენ",
        "ისკენ",
        "სათვის",
        "სთვის",
        "საგან",
        "სგან",
        "საკენ",
        "სკენ",
        "იდანაა",
        "იდან",
        "ამდის",
        "ამდე",
        "ივით",
        "დანაა",
        "დან",
        "მდის",
        "მდე",
        "შია",
        "ში",
        "ზეა",
        "ზე",
        "სთანაა",
        "სთან",
        "თანაა",
        "თან",
        "ვით",
    ];
    for p in POSTPOSITIONS {
        if let Some(at) = stem_before(w, p) {
            out.push(cut(at));
            return;
        }
    }
    // (ending, whether it follows a vowel only)
    const CASES: &[(&str, bool)] = &[
        ("ისა", false),
        ("ითა", false),
        ("ადა", false),
        ("ის", false),
        ("ით", false),
        ("ად", false),
        ("მა", false),
        ("ს", false),
        ("მ", true),
        ("დ", true),
    ];
    for &(ending, after_vowel) in CASES {
        if let Some(at) = stem_before(w, ending) {
            if !after_vowel {
                out.push(cut(at));
                return;
            }
            if last_char(&w[..at]).is_some_and(is_vowel) {
                // A first name before a surname drops its `-ი` and may end
                // in `-მ` or `-დ` itself (ილჰამ ალიევი, ფუად მურადოვი).
                out.push(cut(end));
                out.push(cut(at));
                return;
            }
        }
    }
    out.push(cut(end));
}

/// Eastern Armenian: a definite article, and case endings that mostly start
/// with a vowel.
/// - The article `-ը` after a consonant: `Հաջիևը` → `Հաջիև`.
/// - Ablative `-ից` and locative `-ում`: `Երևանից`, `Գյումրիում`.
/// - Instrumental `-ով` after a vowel: `Մեղրիով`; after a consonant it may
///   be the Russian-style surname ending (`Բայրամով`), so both readings:
///   `Պաշինյանով`.
/// - Dative with article `-ին` (`Ալիևին`), but `Պուտին`, `Լաչին`: both
///   readings. The article `-ն` after a vowel (`Մելիան`, `Կալաձեն`;
///   `Կավելաշվիլուն`, dative of the genitive `Կավելաշվիլու`), but every
///   `-յան` surname ends so: both readings.
/// - Genitive `-ի` and `-ու` are vowels, which the key ignores.
/// - A stem in `-ու` turns it into `-վ` before a vowel ending: `Բաքու`,
///   `Բաքվում`, `Բաքվի`, `Բաքվից`; the reading puts the `ու` back.
fn armenian(word: &str, out: &mut Readings) {
    let mut end = word.len();
    if let Some(at) = stem_before(word, "ը") {
        end = at;
    }
    let w = &word[..end];
    // Sure endings: ablative, locative, instrumental after a vowel, and
    // the genitive `-ի` where the stem changed.
    for ending in ["ից", "ում", "ով", "ի"] {
        let Some(at) = stem_before(w, ending) else {
            continue;
        };
        let stem = &w[..at];
        if let Some(base) = restore_u(stem) {
            out.push(base);
            return;
        }
        let before = last_char(stem);
        match ending {
            "ի" => {}
            "ով" if stem.ends_with("ով") => {
                // `Բայրամովով`: the instrumental of a `-ով` surname.
                out.push(cut(at));
                return;
            }
            "ով" if !before.is_some_and(is_vowel) => {
                out.push(cut(end));
                out.push(cut(at));
                return;
            }
            _ => {
                out.push(cut(at));
                return;
            }
        }
    }
    out.push(cut(end));
    if let Some(at) = stem_before(w, "ին")
        .or_else(|| stem_before(w, "ն").filter(|&at| last_char(&w[..at]).is_some_and(is_vowel)))
    {
        out.push(cut(at));
    }
}

/// `Բաքվ` (from `Բաքվում`) is `Բաքու`: a `վ` after a consonant ending a
/// stem was `ու` before the ending. `-ով` and `-և` surnames keep their `վ`.
fn restore_u(stem: &str) -> Option<Base> {
    let mut rev = stem.char_indices().rev();
    let (at, last) = rev.next()?;
    let (_, before) = rev.next()?;
    (last == 'վ' && !is_vowel(before)).then_some(Base {
        keep: at,
        append: "ու",
    })
}

/// Russian declension, where it ends in a consonant:
/// - adjectival surnames and places: `Зеленского`, `Зеленскому`,
///   `Зеленским`, `Зеленском` are `Зеленский` (also `-цкий`, `-ская`);
/// - `-ым`, `-ых`, `-ыми` after `-ов`, `-ев`, `-ин`, `-ын`: `Алиевым`,
///   `Путиным`;
/// - instrumental `-ом` after a consonant: `Пашиняном`, `Лачином`;
/// - instrumental `-ем` after `и`: `Георгием`; after a consonant both
///   readings, for `Рустем`, `Артём`.
///
/// Vowel endings (`Хачатуряна`, `Гяндже`, `Гянджи`, `Амирбекова`,
/// `Алиевой`) need nothing: the key ignores them.
fn russian(word: &str, out: &mut Readings) {
    for (ending, base) in [
        ("ского", "ский"),
        ("скому", "ский"),
        ("ским", "ский"),
        ("ском", "ский"),
        ("ская", "ский"),
        ("ской", "ский"),
        ("скую", "ский"),
        ("цкого", "цкий"),
        ("цкому", "цкий"),
        ("цким", "цкий"),
        ("цком", "цкий"),
    ] {
        if let Some(at) = stem_before(word, ending) {
            out.push(Base {
                keep: at,
                append: base,
            });
            return;
        }
    }
    for ending in ["ыми", "ым", "ых"] {
        if let Some(at) = stem_before(word, ending) {
            let stem = &word[..at];
            if ["ов", "ев", "ёв", "ин", "ын"]
                .iter()
                .any(|s| stem.ends_with(s))
            {
                out.push(cut(at));
                return;
            }
        }
    }
    if let Some(at) = stem_before(word, "ом") {
        if !last_char(&word[..at]).is_some_and(is_vowel) {
            out.push(cut(at));
            return;
        }
    }
    for ending in ["ем", "ём"] {
        if let Some(at) = stem_before(word, ending) {
            match last_char(&word[..at]) {
                Some('и') => out.push(cut(at)),
                Some(c) if !is_vowel(c) => {
                    out.push(whole(word));
                    out.push(cut(at));
                }
                _ => out.push(whole(word)),
            }
            return;
        }
    }
    out.push(whole(word));
}

/// Azerbaijani and Turkish suffixes written without an apostrophe (Turkish
/// writes one after proper nouns, `Ankara'da`, and the tokenizer drops what
/// follows it; Azerbaijani does not: `Bakıda`). Nearly every case ending
/// can also end a name (`Laçın`, `Elçin`, `Rəşidə`, `Kanada`,
/// `Gürcüstan`), so the word's own form is kept as a reading beside:
/// - locative-relative `-DAkI`: `Bakıdakı`, `Gəncədəki`;
/// - ablative `-DAn`: `Bakıdan`, `Naxçıvandan`;
/// - genitive `-nIn` after a vowel (`Bakının`, `Kobaxidzenin`; the stem may
///   also end in `n`, `Laçının`, so `-In` is read too) and `-In` after a
///   consonant (`Əliyevin`, `Paşinyanın`);
/// - locative `-DA`: `Bakıda`, `Gəncədə`, `Şuşada`;
/// - accusative `-nI` after a vowel: `Bakını`;
/// - comitative `-lA` after a consonant and `-ylA` after a vowel:
///   `Əliyevlə`, `Bakıyla`;
/// - plural `-lAr`: `Əliyevlər`.
///
/// Dative `-(y)A` and accusative `-(y)I` are vowels, which the key ignores.
fn turkic(word: &str, out: &mut Readings) {
    out.push(whole(word));
    if let Some(at) = stem_before(word, "DAkI") {
        out.push(cut(at));
        return;
    }
    if let Some(at) = stem_before(word, "nIn") {
        if last_char(&word[..at]).is_some_and(is_vowel) {
            out.push(cut(at));
            if let Some(at) = stem_before(word, "In") {
                out.push(cut(at));
            }
            return;
        }
    }
    // (pattern, what must precede: Some(true) a vowel, Some(false) a
    // consonant, None either)
    const ENDINGS: &[(&str, Option<bool>)] = &[
        ("DAn", None),
        ("lAr", None),
        ("ylA", Some(true)),
        ("In", Some(false)),
        ("DA", None),
        ("nI", Some(true)),
        ("lA", Some(false)),
    ];
    for &(pattern, after) in ENDINGS {
        let Some(at) = stem_before(word, pattern) else {
            continue;
        };
        let before_vowel = last_char(&word[..at]).is_some_and(is_vowel);
        if after.is_none_or(|v| v == before_vowel) {
            out.push(cut(at));
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(word: &str) -> Vec<String> {
        readings(word)
            .iter()
            .map(|b| format!("{}{}", &word[..b.keep], b.append))
            .collect()
    }

    #[test]
    fn georgian_cases_and_postpositions() {
        assert_eq!(read("თბილისში"), ["თბილის"]);
        assert_eq!(read("თბილისს"), ["თბილის"]);
        assert_eq!(read("თბილისის"), ["თბილის"]);
        assert_eq!(read("თბილისი"), ["თბილისი"]);
        assert_eq!(read("კობახიძემ"), ["კობახიძემ", "კობახიძე"]);
        assert_eq!(read("კობახიძემაც"), ["კობახიძე"]);
        assert_eq!(read("კობახიძეს"), ["კობახიძე"]);
        assert_eq!(read("კობახიძის"), ["კობახიძ"]);
        assert_eq!(read("კობახიძისთვის"), ["კობახიძ"]);
        assert_eq!(read("მარნეულიდან"), ["მარნეულ"]);
        assert_eq!(read("ბაქოდან"), ["ბაქო"]);
        assert_eq!(read("ბაირამოვს"), ["ბაირამოვ"]);
        assert_eq!(read("ილჰამ"), ["ილჰამ", "ილჰა"]);
        assert_eq!(read("კობახიძესთან"), ["კობახიძე"]);
        assert_eq!(read("სომხეთი"), ["სომხეთი"]);
        assert_eq!(read("შუშაში"), ["შუშა"]);
        assert_eq!(read("განჯას"), ["განჯა"]);
        assert_eq!(read("ბათუმშია"), ["ბათუმ"]);
        assert_eq!(read("თბილისმა"), ["თბილის"]);
    }

    #[test]
    fn armenian_article_cases_and_stem_change() {
        assert_eq!(read("հաջիևը"), ["հաջիև"]);
        assert_eq!(read("գյումրիում"), ["գյումրի"]);
        assert_eq!(read("երևանից"), ["երևան"]);
        assert_eq!(read("մեղրիով"), ["մեղրի"]);
        assert_eq!(read("բաքվում"), ["բաքու"]);
        assert_eq!(read("բաքվի"), ["բաքու"]);
        assert_eq!(read("բայրամովով"), ["բայրամով"]);
        assert_eq!(read("պաշինյանով"), ["պաշինյանով", "պաշինյան"]);
        assert_eq!(read("կավելաշվիլուն"), ["կավելաշվիլուն", "կավելաշվիլու"]);
        assert_eq!(read("ալիևին"), ["ալիևին", "ալիև"]);
        assert_eq!(read("բայրամով"), ["բայրամով", "բայրամ"]);
        assert_eq!(read("մելիան"), ["մելիան", "մելիա"]);
    }

    #[test]
    fn russian_consonant_endings() {
        assert_eq!(read("пашиняном"), ["пашинян"]);
        assert_eq!(read("алиевым"), ["алиев"]);
        assert_eq!(read("путиным"), ["путин"]);
        assert_eq!(read("георгием"), ["георги"]);
        assert_eq!(read("рустем"), ["рустем", "руст"]);
        assert_eq!(read("зеленского"), ["зеленский"]);
        assert_eq!(read("хачатуряна"), ["хачатуряна"]);
        assert_eq!(read("ким"), ["ким"]);
    }

    #[test]
    fn turkic_suffixes_keep_the_word_too() {
        assert_eq!(read("bakıdan"), ["bakıdan", "bakı"]);
        assert_eq!(read("gəncədə"), ["gəncədə", "gəncə"]);
        assert_eq!(read("əliyevin"), ["əliyevin", "əliyev"]);
        assert_eq!(read("laçının"), ["laçının", "laçı", "laçın"]);
        assert_eq!(read("bakıdakı"), ["bakıdakı", "bakı"]);
        assert_eq!(read("elçin"), ["elçin", "elç"]);
        assert_eq!(read("ada"), ["ada"]);
        assert_eq!(read("zaqatala"), ["zaqatala"]);
    }
}
