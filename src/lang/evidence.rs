//! Cheap, certain evidence read in one pass over the text: how many letters
//! of each script it has, and per language a score from letters that only
//! some alphabets use (ə, і, پ …), very common function words and a few
//! suffixes that one language of a close pair has and the other cannot.
//! Knowledge of the languages themselves, never of any particular text.

/// The languages this module has evidence for; everything else is left to
/// whatlang alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ev {
    En,
    Fr,
    De,
    Es,
    It,
    Pt,
    Tr,
    Az,
    Ru,
    Uk,
    Fa,
    Ar,
}

pub(crate) const EV_COUNT: usize = 12;

impl Ev {
    pub(crate) fn from_code(code: &str) -> Option<Ev> {
        Some(match code {
            "en" => Ev::En,
            "fr" => Ev::Fr,
            "de" => Ev::De,
            "es" => Ev::Es,
            "it" => Ev::It,
            "pt" => Ev::Pt,
            "tr" => Ev::Tr,
            "az" => Ev::Az,
            "ru" => Ev::Ru,
            "uk" => Ev::Uk,
            "fa" => Ev::Fa,
            "ar" => Ev::Ar,
            _ => return None,
        })
    }
}

const EN: u16 = 1 << Ev::En as u16;
const FR: u16 = 1 << Ev::Fr as u16;
const DE: u16 = 1 << Ev::De as u16;
const ES: u16 = 1 << Ev::Es as u16;
const IT: u16 = 1 << Ev::It as u16;
const PT: u16 = 1 << Ev::Pt as u16;
const TR: u16 = 1 << Ev::Tr as u16;
const AZ: u16 = 1 << Ev::Az as u16;
const RU: u16 = 1 << Ev::Ru as u16;
const UK: u16 = 1 << Ev::Uk as u16;
const FA: u16 = 1 << Ev::Fa as u16;
const AR: u16 = 1 << Ev::Ar as u16;

const LATIN: u16 = EN | FR | DE | ES | IT | PT | TR | AZ;
const CYRILLIC: u16 = RU | UK;
const ARABIC: u16 = FA | AR;

/// The script a letter belongs to, as far as the decision needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Script {
    Latin,
    Cyrillic,
    Armenian,
    Georgian,
    Arabic,
    Other,
}

fn script_of(c: char) -> Script {
    match c {
        'a'..='z' | 'A'..='Z' => Script::Latin,
        '\u{00C0}'..='\u{024F}' | '\u{0259}' | '\u{1E00}'..='\u{1EFF}' => Script::Latin,
        '\u{0400}'..='\u{052F}' => Script::Cyrillic,
        '\u{0531}'..='\u{058F}' | '\u{FB13}'..='\u{FB17}' => Script::Armenian,
        '\u{10A0}'..='\u{10FF}' | '\u{1C90}'..='\u{1CBF}' | '\u{2D00}'..='\u{2D2F}' => {
            Script::Georgian
        }
        '\u{0600}'..='\u{06FF}'
        | '\u{0750}'..='\u{077F}'
        | '\u{08A0}'..='\u{08FF}'
        | '\u{FB50}'..='\u{FDFF}'
        | '\u{FE70}'..='\u{FEFF}' => Script::Arabic,
        _ => Script::Other,
    }
}

/// What one pass over a text found.
#[derive(Debug, Clone, Default)]
pub(crate) struct Scan {
    pub(crate) latin: u32,
    pub(crate) cyrillic: u32,
    pub(crate) armenian: u32,
    pub(crate) georgian: u32,
    pub(crate) arabic: u32,
    pub(crate) other: u32,
    pub(crate) words: u32,
    latin_words: u32,
    cyrillic_words: u32,
    /// ə, і/ї/є, ы/э/ё: letters that nearly every sentence of their
    /// language has, so that their absence is evidence too.
    schwas: u32,
    latin_e: u32,
    ascii_words: u32,
    ukrainian_letters: u32,
    russian_letters: u32,
    /// Per [`Ev`] language: positive is evidence for, negative against.
    pub(crate) score: [f32; EV_COUNT],
}

impl Scan {
    /// Absence of a letter a language writes in nearly every sentence.
    /// Grows with length: a word pair may lack ə, ten Azerbaijani words
    /// rarely do.
    fn finish(&mut self) {
        // Only short texts need this, and on long ones it would drown the
        // positive evidence: the first few plain words count.
        let plain = self.ascii_words.min(ASCII_CAP) as f32;
        for (ev, weight) in [
            (Ev::Fr, 0.25),
            (Ev::De, 0.2),
            (Ev::Es, 0.15),
            (Ev::It, 0.1),
            (Ev::Pt, 0.15),
            (Ev::Tr, 0.4),
            (Ev::Az, 0.3),
        ] {
            self.score[ev as usize] -= ASCII_SCALE * weight * plain;
        }
        if self.schwas == 0 {
            // Azerbaijani writes ə for most of the e's Turkish has: e's
            // without a single ə are Turkish (or any other Latin language).
            self.score[Ev::Az as usize] -= E_WITHOUT_SCHWA * self.latin_e.min(30) as f32;
        }
        if self.ukrainian_letters == 0 {
            self.score[Ev::Uk as usize] -= 0.1 * self.cyrillic_words.min(20) as f32;
        }
        if self.russian_letters == 0 {
            self.score[Ev::Ru as usize] -= 0.1 * self.cyrillic_words.min(20) as f32;
        }
    }

    pub(crate) fn main_script(&self) -> Option<Script> {
        // Armenian, Georgian and Persian texts quote Latin names and brands;
        // Latin texts seldom quote those scripts. Their letters count double.
        let counts = [
            (self.latin, Script::Latin),
            (self.cyrillic, Script::Cyrillic),
            (2 * self.armenian, Script::Armenian),
            (2 * self.georgian, Script::Georgian),
            (2 * self.arabic, Script::Arabic),
            (self.other, Script::Other),
        ];
        let (count, script) =
            counts.iter().copied().fold(
                (0, Script::Other),
                |best, c| if c.0 > best.0 { c } else { best },
            );
        (count > 0).then_some(script)
    }

    /// `for_` gains `plus`, every other language of `among` loses `minus`.
    fn mark(&mut self, among: u16, for_: u16, plus: f32, minus: f32) {
        for (i, s) in self.score.iter_mut().enumerate() {
            let bit = 1 << i;
            if among & bit == 0 {
                continue;
            }
            if for_ & bit != 0 {
                *s += plus;
            } else {
                *s -= minus;
            }
        }
    }

    fn add(&mut self, langs: u16, weight: f32) {
        for (i, s) in self.score.iter_mut().enumerate() {
            if langs & (1 << i) != 0 {
                *s += weight;
            }
        }
    }
}

/// How many plain-ASCII words count against the languages with letters of
/// their own, and how much each weighs.
const ASCII_CAP: u32 = 4;
const ASCII_SCALE: f32 = 0.3;
/// What each e weighs against Azerbaijani in a text without any ə.
const E_WITHOUT_SCHWA: f32 = 0.25;

/// Longest word kept for lookups, in bytes; longer words only count letters.
const WORD_CAP: usize = 48;

struct Word {
    buf: [u8; WORD_CAP],
    len: usize,
    overflow: bool,
    script: Script,
    /// Starts with a capital letter: a name, or a sentence's first word.
    capital: bool,
    /// Has a lowercase letter: not an acronym or a Roman numeral.
    has_lower: bool,
}

impl Word {
    fn push(&mut self, c: char) {
        if self.len + c.len_utf8() > WORD_CAP {
            self.overflow = true;
            return;
        }
        c.encode_utf8(&mut self.buf[self.len..]);
        self.len += c.len_utf8();
    }
}

/// Reads `text` once.
pub(crate) fn scan(text: &str) -> Scan {
    let mut out = Scan::default();
    let mut word = Word {
        buf: [0; WORD_CAP],
        len: 0,
        overflow: false,
        script: Script::Other,
        capital: false,
        has_lower: false,
    };
    let mut prev = ' ';
    for c in text.chars() {
        if c.is_alphabetic() {
            // Azerbaijani typed on Cyrillic layouts often borrows ә (U+04D9)
            // for ə; no Cyrillic language in whatlang's set uses it.
            // Ukrainian typed without a Ukrainian layout often has Latin i
            // for і inside Cyrillic words.
            let c = match c {
                'ә' => 'ə',
                'Ә' => 'Ə',
                'i' | 'I' if word.len > 0 && word.script == Script::Cyrillic => 'і',
                c => c,
            };
            let script = script_of(c);
            match script {
                Script::Latin => out.latin += 1,
                Script::Cyrillic => out.cyrillic += 1,
                Script::Armenian => out.armenian += 1,
                Script::Georgian => out.georgian += 1,
                Script::Arabic => out.arabic += 1,
                Script::Other => out.other += 1,
            }
            let lower = if c == 'İ' {
                // Only Turkic orthographies have a dotted capital I.
                out.mark(LATIN, TR | AZ, 0.5, 1.5);
                'i'
            } else if c.is_ascii() {
                c.to_ascii_lowercase()
            } else {
                c.to_lowercase().next().unwrap_or(c)
            };
            letter(&mut out, lower, prev);
            if word.len == 0 {
                word.script = script;
                word.capital = c != lower;
                word.has_lower = false;
            }
            word.has_lower |= c == lower;
            word.push(lower);
            prev = lower;
        } else if is_apostrophe(c) && word.len > 0 {
            word.push('\'');
            prev = '\'';
        } else if is_mark(c) || c == '\u{200C}' {
            // Combining marks and the zero-width non-joiner live inside
            // words (Persian uses the latter between a stem and a suffix).
        } else {
            end_word(&mut out, &mut word, c == '.');
            prev = ' ';
        }
    }
    end_word(&mut out, &mut word, false);
    out.finish();
    out
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{02BC}' | '\u{00B4}')
}

/// Combining accents and Arabic vowel signs: part of the word they sit in.
fn is_mark(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{064B}'..='\u{065F}' | '\u{0670}')
}

/// Evidence from one lowercased letter (and the one before it).
fn letter(out: &mut Scan, c: char, prev: char) {
    match c {
        // Latin: which alphabets have the letter at all.
        'ə' => {
            out.schwas += 1;
            out.mark(LATIN, AZ, 2.0, 3.0)
        }
        'ı' | 'ğ' | 'ş' => out.mark(LATIN, TR | AZ, 0.5, 1.5),
        // Turkish decoded as Latin-1 instead of Windows-1254, common on the
        // web: ı, ş, ğ turn into ý, þ, ð (ý is also Czech, so weaker).
        'þ' | 'ð' => out.mark(LATIN, TR, 0.5, 1.5),
        'ý' => out.mark(LATIN, TR, 0.3, 0.5),
        'q' | 'x' => out.mark(TR | AZ, AZ, 0.5, 1.2),
        'e' => out.latin_e += 1,
        'w' => out.mark(LATIN, EN | DE, 0.0, 0.6),
        'ç' => out.mark(LATIN, FR | PT | TR | AZ, 0.3, 1.0),
        'ö' | 'ü' => out.mark(LATIN, DE | TR | AZ, 0.3, 1.0),
        'ä' => out.mark(LATIN, DE, 1.0, 1.5),
        'ß' => out.mark(LATIN, DE, 2.0, 2.0),
        'é' => out.mark(LATIN, FR | ES | PT | IT, 0.5, 1.0),
        'è' | 'ù' => out.mark(LATIN, FR | IT, 0.8, 1.5),
        'ê' | 'ô' => out.mark(LATIN, FR | PT, 0.8, 1.5),
        'à' => out.mark(LATIN, FR | IT | PT, 0.8, 1.5),
        'â' | 'î' | 'û' => out.mark(LATIN, FR | PT | TR, 0.5, 1.0),
        'ë' | 'ï' | 'œ' => out.mark(LATIN, FR, 1.0, 1.5),
        'á' | 'í' | 'ó' | 'ú' => out.mark(LATIN, ES | PT | IT, 0.8, 1.5),
        'ñ' => out.mark(LATIN, ES, 2.0, 2.0),
        'ã' | 'õ' => out.mark(LATIN, PT, 2.0, 2.0),
        'ì' | 'ò' => out.mark(LATIN, IT, 1.0, 1.5),
        // Cyrillic: і ї є ґ are Ukrainian letters, ы э ъ ё Russian ones.
        'і' | 'ї' | 'є' | 'ґ' => {
            out.ukrainian_letters += 1;
            out.mark(CYRILLIC, UK, 1.0, 2.0)
        }
        'ы' | 'э' | 'ъ' | 'ё' => {
            out.russian_letters += 1;
            out.mark(CYRILLIC, RU, 1.0, 2.0)
        }
        // Russian writes и before a vowel (-ие, -ия); Ukrainian has і there.
        'е' | 'я' | 'ю' | 'и' if prev == 'и' => out.mark(CYRILLIC, RU, 0.5, 0.5),
        // ьо (його, сьогодні) is Ukrainian spelling; Russian has ё/ьё.
        'о' if prev == 'ь' => out.mark(CYRILLIC, UK, 0.5, 0.5),
        // Arabic script: Persian's four extra letters and its own kaf/yeh;
        // Arabic's teh marbuta, alef maksura and Arabic kaf/yeh.
        'پ' | 'چ' | 'ژ' | 'گ' => out.mark(ARABIC, FA, 1.0, 2.0),
        'ک' | 'ی' => out.mark(ARABIC, FA, 0.5, 1.0),
        'ة' | 'ى' | 'ك' | 'ي' => out.mark(ARABIC, AR, 0.5, 1.0),
        _ => {}
    }
}

/// `before_period`: the word is followed by a full stop.
fn end_word(out: &mut Scan, word: &mut Word, before_period: bool) {
    if word.len == 0 {
        return;
    }
    out.words += 1;
    let len = word.len;
    let overflow = word.overflow;
    word.len = 0;
    word.overflow = false;
    if overflow {
        return;
    }
    let Ok(text) = std::str::from_utf8(&word.buf[..len]) else {
        return;
    };
    let text = text.trim_end_matches('\'');
    match word.script {
        Script::Latin => {
            out.latin_words += 1;
            // Turkish writes an ordinal in Roman numerals with a full stop
            // (II. Dünya Savaşı, XIX. yüzyıl); Azerbaijani, like Russian,
            // without (II Dünya müharibəsi, XIX əsr). Single letters are
            // left out: I, V and X are also initials and abbreviations.
            if !before_period
                && !word.has_lower
                && text.len() >= 2
                && text.bytes().all(|b| matches!(b, b'i' | b'v' | b'x'))
            {
                out.mark(TR | AZ, AZ, 0.5, 0.5);
            }
            latin_word(out, text, word.capital)
        }
        Script::Cyrillic => {
            out.cyrillic_words += 1;
            cyrillic_word(out, text)
        }
        Script::Arabic => arabic_word(out, text),
        _ => {}
    }
}

fn latin_word(out: &mut Scan, w: &str, capital: bool) {
    if let Some((before, after)) = w.split_once('\'') {
        match (before, after) {
            ("l" | "d" | "qu" | "n" | "c" | "j" | "s" | "m" | "jusqu" | "lorsqu" | "puisqu", _) => {
                out.add(FR, 1.5)
            }
            (_, "s" | "t" | "re" | "ve" | "ll" | "d" | "m") => out.add(EN, 1.0),
            // Turkish sets case endings off proper names with an apostrophe;
            // Azerbaijani writes them joined.
            (
                _,
                "da" | "de" | "ta" | "te" | "dan" | "den" | "tan" | "ten" | "nin" | "nın" | "nun"
                | "nün" | "in" | "ın" | "un" | "ün" | "a" | "e" | "ya" | "ye" | "yı" | "yi" | "yu"
                | "yü" | "ı" | "i" | "u" | "ü" | "daki" | "deki" | "la" | "le" | "nden" | "ndan"
                | "nde" | "nda" | "ne" | "na" | "yla" | "yle" | "dir" | "dır" | "tir" | "tır"
                | "teki" | "taki" | "nı" | "ni" | "nu" | "nü",
            ) => {
                out.add(TR, 1.0);
                out.add(AZ, -0.5);
            }
            _ => {}
        }
        return;
    }
    let mask = latin_function_word(w);
    if mask != 0 {
        let weight = if mask.count_ones() > 2 { 0.5 } else { 1.0 };
        out.add(mask, weight);
    }
    // A word in plain ASCII letters is what English always writes; the
    // other alphabets put a letter of their own into many of their words.
    if w.is_ascii() {
        out.ascii_words += 1;
    }
    western_shape(out, w);
    romance_shape(out, w);
    turkic_shape(out, w, capital);
    // q without u after it is Azerbaijani (qız, proqnoz, Bakıq); the
    // western languages write qu, Turkish has no q at all.
    if w.contains('q') && w.split('q').skip(1).any(|rest| !rest.starts_with('u')) {
        out.mark(LATIN, AZ, 0.5, 1.0);
    }
}

/// Italian native words end in a vowel, Spanish ones in a vowel or one of a
/// few consonants, Portuguese likewise; none uses k or w in native words.
fn romance_shape(out: &mut Scan, w: &str) {
    let Some(last) = w.chars().last() else {
        return;
    };
    let vowel = matches!(
        last,
        'a' | 'e'
            | 'i'
            | 'o'
            | 'u'
            | 'à'
            | 'è'
            | 'é'
            | 'ì'
            | 'ò'
            | 'ù'
            | 'á'
            | 'í'
            | 'ó'
            | 'ú'
            | 'ã'
            | 'õ'
            | 'ê'
            | 'ô'
            | 'â'
    );
    if !vowel {
        if !matches!(
            w,
            "il" | "per"
                | "non"
                | "con"
                | "in"
                | "un"
                | "del"
                | "nel"
                | "al"
                | "dal"
                | "col"
                | "sul"
                | "dei"
                | "gli"
        ) {
            out.score[Ev::It as usize] -= 0.5;
        }
        if !matches!(last, 'n' | 's' | 'r' | 'l' | 'd' | 'z' | 'y') {
            out.score[Ev::Es as usize] -= 0.5;
        }
        if !matches!(last, 's' | 'r' | 'l' | 'm' | 'z') {
            out.score[Ev::Pt as usize] -= 0.5;
        }
    }
    if w.contains('k') || w.contains('w') {
        out.add(ES | IT | PT, -0.5);
    }
    if w.contains('y') || w.contains('j') || w.contains('x') {
        out.score[Ev::It as usize] -= 0.5;
    }
}

/// Spellings that English, French and German each use and the others (and
/// the Turkic alphabets) do not: -ing, -ly, th; -eau, -eux, -ique; sch,
/// -ung, -lich.
fn western_shape(out: &mut Scan, w: &str) {
    let n = w.len();
    if n < 4 {
        return;
    }
    let mut en = 0.0;
    let mut fr = 0.0;
    let mut de = 0.0;
    if w.ends_with("ing") || w.ends_with("ly") || w.contains("ough") || w.contains("ght") {
        en += 1.0;
    }
    if w.ends_with("ed") || w.ends_with("ness") || w.ends_with("ship") || w.ends_with("ful") {
        en += 0.7;
    }
    if w.contains("th")
        || w.contains("sh")
        || w.contains("wh")
        || w.contains("ee")
        || w.contains("oo")
    {
        en += 0.5;
    }
    if w.ends_with('y') || w.ends_with("ies") || w.ends_with("ers") || w.ends_with("als") {
        en += 0.4;
    }
    if w.ends_with("ic") || w.ends_with("ous") || w.ends_with("ity") || w.ends_with("ize") {
        en += 0.6;
    }
    if w.ends_with("less") || w.ends_with("ary") || w.ends_with("ory") || w.ends_with("ical") {
        en += 0.6;
    }
    // English plurals in -s; German and Turkish words seldom end in s.
    if w.ends_with('s') && !w.ends_with("ss") {
        out.add(DE | TR | AZ, -0.3);
    }
    // French hardly writes k or w.
    if w.contains('k') || w.contains('w') {
        out.add(FR, -0.4);
    }
    if w.ends_with("eau") || w.ends_with("eaux") || w.ends_with("eux") || w.ends_with("ique") {
        fr += 1.0;
    }
    if w.ends_with("aux") || w.ends_with("oir") || w.ends_with("ais") || w.ends_with("ait") {
        fr += 0.7;
    }
    if w.ends_with("euse") || w.ends_with("ée") || w.ends_with("ées") || w.ends_with("és") {
        fr += 0.7;
    }
    if w.ends_with("eur") || w.ends_with("aire") || w.ends_with("oire") || w.ends_with("ette") {
        fr += 0.6;
    }
    if w.ends_with("ez") || w.ends_with("ient") || w.ends_with("aient") || w.ends_with("elle") {
        fr += 0.5;
    }
    if w.ends_with("ien") || w.ends_with("ienne") || w.ends_with("ain") || w.ends_with("eil") {
        fr += 0.6;
    }
    if w.ends_with("ille") || w.ends_with("ière") || w.ends_with("oux") || w.ends_with("que") {
        fr += 0.5;
    }
    if w.contains("sch") || w.ends_with("ung") || w.ends_with("ungen") || w.contains("lich") {
        de += 1.0;
    }
    if w.ends_with("heit") || w.ends_with("keit") || w.contains("tz") || w.contains("cht") {
        de += 1.0;
    }
    if w.starts_with('z') || w.contains("pf") || w.ends_with("en") || w.contains("ei") {
        de += 0.3;
    }
    if w.ends_with("ig") || w.ends_with("isch") || w.ends_with("chen") || w.ends_with("ern") {
        de += 0.5;
    }
    if w.contains("iert") || w.ends_with("ieren") || w.ends_with("tät") || w.ends_with("ismus") {
        de += 0.8;
    }
    if en > 0.0 {
        out.add(EN, en);
    }
    if fr > 0.0 {
        out.add(FR, fr);
    }
    if de > 0.0 {
        out.add(DE, de);
    }
    // Turkish and Azerbaijani end countless words in a high vowel
    // (accusative, possessive); German and English hardly any.
    if w.ends_with(['i', 'u', 'ü', 'ı']) {
        out.add(DE, -0.5);
        if !w.ends_with('u') {
            out.add(EN, -0.3);
        }
    }
    // Vowel pairs German, French and English write and Turkic harmony
    // does not.
    if w.contains("ie")
        || w.contains("ei")
        || w.contains("au")
        || w.contains("eu")
        || w.contains("ou")
    {
        out.add(TR | AZ, -0.5);
    }
    // Digraphs for sounds Turkish and Azerbaijani spell with one letter
    // (ç, ş) or do not have.
    if w.contains("ch")
        || w.contains("th")
        || w.contains("sh")
        || w.contains("ph")
        || w.contains("ck")
    {
        out.add(TR | AZ, -1.0);
    }
}

/// Turkish and Azerbaijani share most words' shapes; these are the places
/// where the spelling of one cannot occur in the other. A capitalized word
/// may be a name, foreign or not, whose ending is no suffix (Müller, Kodak,
/// Lille): its letters count, its endings do not.
fn turkic_shape(out: &mut Scan, w: &str, capital: bool) {
    let n = w.len();
    if n < 3 {
        return;
    }
    // Turkish devoices word-final b, c, d, g (kitap, ağaç, Mehmet);
    // Azerbaijani keeps them (kitab, ağac, Məhəmməd) and forms -ib/-ub
    // perfects (olub, edib).
    if w.ends_with('b') || w.ends_with('c') || w.ends_with('d') || w.ends_with('g') {
        out.add(TR, -0.4);
    }
    // Azerbaijani keeps Russian -iya in loans (Rusiya, akademiya) where
    // Turkish writes -ya or -i (Rusya, akademi).
    if w.contains("iya") {
        out.add(TR, -0.5);
    }
    // Russian-style surnames (Əliyev, Hüseynova) belong to Azerbaijani.
    if w.contains("yev") || w.ends_with("ov") || w.ends_with("ova") {
        out.add(TR, -0.5);
    }
    // Words ending in q exist in Azerbaijani, never in native Turkish.
    if w.ends_with('q') {
        out.add(AZ, 0.5);
    }
    // Azerbaijani writes ğ in native words only next to back vowels; next
    // to a front vowel it has y (Turkish değil, diğer, verdiği, öğrenmek
    // are Azerbaijani deyil, digər, verdiyi, öyrənmək). Its Arabic loans
    // with ğ (lüğət, məğlub) have ə, which settles them anyway.
    if w.contains('ğ') && !w.contains('ə') && has_front_g(w) {
        out.add(AZ, -1.0);
    }
    // yap- (do, make) is among Turkish's commonest verbs; Azerbaijani says
    // et-, qur-, düzəlt- (yapış-, stick, is shared).
    if w.starts_with("yap") && !w.starts_with("yapış") {
        out.add(TR, 0.5);
        out.add(AZ, -0.5);
    }
    if capital {
        return;
    }
    // Turkish present continuous -(i)yor; Azerbaijani uses -ır/-ir.
    if w.contains("yor") && n >= 5 {
        out.add(TR, 1.0);
        out.add(AZ, -1.5);
    }
    // Turkish -mak/-mek, -acak/-ecek, -lık/-lik/-luk: Azerbaijani has
    // -maq/-mək, -acaq/-əcək, -lıq/-luq, with q where Turkish ends in k.
    if n >= 4 && (w.ends_with("ak") || w.ends_with("ık") || w.ends_with("uk") || w.ends_with("ok"))
    {
        out.add(AZ, -0.6);
    }
    if w.contains("acak") || w.contains("ecek") || w.ends_with("mek") {
        out.add(AZ, -1.0);
    }
    // Turkish plural -ler and dative/locative -e/-de: Azerbaijani writes
    // -lər, -ə, -də.
    if w.contains("ler") || w.ends_with("de") || w.ends_with("den") || w.ends_with("e") {
        out.add(AZ, -0.5);
    }
    // Azerbaijani present tense -(y)ır after a vowel (yaşayır, oxuyur);
    // Turkish has -(i)yor or the aorist -r there.
    if n >= 5
        && (w.ends_with("yır") || w.ends_with("yir") || w.ends_with("yur") || w.ends_with("yür"))
    {
        out.add(AZ, 0.7);
        out.add(TR, -0.7);
    }
    // Azerbaijani -dakı/-dəki against Turkish -daki/-deki.
    if w.contains("dakı") || w.contains("takı") {
        out.add(AZ, 0.7);
        out.add(TR, -0.7);
    }
    if w.contains("daki") || w.contains("taki") || w.contains("deki") || w.contains("teki") {
        out.add(AZ, -0.7);
    }
    // Azerbaijani perfect -ıb/-ib/-ub/-üb (olub, edib); Turkish has -mış.
    if n >= 4 && (w.ends_with("ib") || w.ends_with("ıb") || w.ends_with("ub") || w.ends_with("üb"))
    {
        out.add(AZ, 0.5);
    }
    // Turkish -abil/-ebil, -mez, -yla/-yle fuse what Azerbaijani writes
    // apart or with ə.
    if w.contains("ebil") || w.contains("abil") || w.contains("mez") || w.ends_with("yle") {
        out.add(AZ, -0.5);
    }
    // Turkish writes suffix d as t after a voiceless consonant (yarıştan,
    // etti, işte); Azerbaijani keeps d (yarışdan, etdi, işdə). Skips hd
    // and kd, which Turkish has inside words (tehdit, Akdeniz).
    let mut after_voiceless_d = false;
    let mut prev: Option<char> = None;
    for c in w.chars() {
        if c == 'd' && matches!(prev, Some('s' | 'ş' | 't' | 'p' | 'ç' | 'f')) {
            after_voiceless_d = true;
        }
        prev = Some(c);
    }
    if after_voiceless_d {
        out.add(AZ, 0.8);
        out.add(TR, -0.8);
    }
    let mut tail = w.chars().rev();
    if let (Some(vowel), Some('t'), Some(consonant)) = (tail.next(), tail.next(), tail.next()) {
        if n >= 4
            && matches!(vowel, 'ı' | 'i' | 'u' | 'ü' | 'a' | 'e')
            && matches!(consonant, 'k' | 'p' | 'ş' | 'ç' | 't')
        {
            out.add(AZ, -0.6);
        }
    }
}

/// Whether `w` has ğ next to a front vowel.
fn has_front_g(w: &str) -> bool {
    let front = |c: char| matches!(c, 'e' | 'i' | 'ö' | 'ü');
    let mut prev = ' ';
    for c in w.chars() {
        if (c == 'ğ' && front(prev)) || (prev == 'ğ' && front(c)) {
            return true;
        }
        prev = c;
    }
    false
}

fn latin_function_word(w: &str) -> u16 {
    match w {
        // English
        "the" | "and" | "of" | "to" | "is" | "that" | "for" | "it" | "with" | "are" | "be"
        | "by" | "this" | "from" | "at" | "or" | "have" | "has" | "which" | "not" | "but"
        | "were" | "they" | "their" | "his" | "he" | "she" | "we" | "you" | "would" | "can"
        | "been" | "after" | "about" | "who" | "its" | "more" | "also" | "there" | "when"
        | "what" | "all" | "said" | "had" | "one" | "new" | "into" | "than" | "other" | "them"
        | "these" | "some" | "only" | "our" | "how" | "such" | "should" | "could" | "may"
        | "most" | "over" | "out" | "up" | "first" | "two" | "year" | "i" | "my" | "your"
        | "will" | "as" | "do" | "if" | "no" | "so" | "us" | "between" | "where" | "get"
        | "got" | "make" | "made" | "use" | "used" | "like" | "just" | "now" | "very" | "well"
        | "back" | "even" | "any" | "many" | "much" | "each" | "every" | "both" | "through"
        | "during" | "before" | "while" | "since" | "until" | "because" | "though" | "without"
        | "within" | "upon" | "against" | "among" | "off" | "down" | "again" | "still" | "yet"
        | "here" | "why" | "own" | "same" | "few" | "those" | "being" | "does" | "did" | "done"
        | "must" | "might" | "shall" => match w {
            "will" | "so" => EN | DE,
            "no" => EN | ES | IT | PT,
            "as" => EN | PT,
            "do" => EN | PT,
            _ => EN,
        },
        "her" => EN | TR,
        "in" => EN | DE | IT,
        "an" | "was" | "war" | "man" | "am" => EN | DE,
        "a" => EN | FR | ES | IT | PT,
        "on" => EN | FR,
        // French
        "le" | "les" | "du" | "et" | "est" | "une" | "pour" | "dans" | "qui" | "sur" | "au"
        | "aux" | "par" | "pas" | "plus" | "avec" | "ce" | "cette" | "elle" | "sont" | "ont"
        | "été" | "sa" | "ses" | "leur" | "ou" | "où" | "nous" | "vous" | "je" | "lui"
        | "était" | "fait" | "comme" | "très" | "aussi" | "tout" | "tous" | "après" | "avait"
        | "deux" | "ces" | "mon" | "ma" | "être" | "peut" | "quand" | "assez" | "ainsi"
        | "alors" | "chez" | "sans" | "sous" | "depuis" | "encore" | "toujours" | "selon"
        | "lors" | "dont" | "déjà" | "rien" | "bien" | "faire" | "dire" | "avoir" | "notre"
        | "votre" | "nouvelle" | "nouvelles" | "nouveau" | "beaucoup" | "trois" | "environ"
        | "premier" | "première" | "trop" | "peu" | "moins" | "autre" | "autres" | "même"
        | "cela" | "ceci" | "ici" | "là" | "car" | "donc" | "puis" | "vers" | "contre"
        | "pendant" | "avant" | "leurs" | "celle" | "celui" | "ceux" | "cet" | "quelque"
        | "chaque" | "plusieurs" => FR,
        "la" => FR | ES | IT,
        "un" => FR | ES | IT,
        "que" => FR | ES | PT,
        "il" => FR | IT | AZ,
        "son" => FR | TR | AZ,
        "ne" => FR | TR,
        "se" => FR | ES | IT | PT,
        "en" => FR | ES | TR,
        "de" => FR | ES | PT | TR,
        "à" => FR | PT,
        "entre" => FR | ES | PT,
        // German
        "der" | "die" | "und" | "ist" | "nicht" | "mit" | "den" | "dem" | "ein" | "eine"
        | "einen" | "einem" | "einer" | "zu" | "auf" | "für" | "von" | "im" | "sich" | "auch"
        | "sie" | "er" | "wir" | "ich" | "wird" | "werden" | "wurde" | "wurden" | "sind"
        | "bei" | "nach" | "aus" | "oder" | "wie" | "als" | "noch" | "nur" | "über" | "aber"
        | "hat" | "haben" | "dass" | "daß" | "zum" | "zur" | "vom" | "kann" | "mehr" | "sein"
        | "seine" | "ihr" | "ihre" | "diese" | "dieser" | "durch" | "vor" | "bis" | "wenn"
        | "schon" | "sehr" | "hier" | "jahr" | "jahre" | "jahren" | "unter" | "gegen"
        | "können" | "soll" | "muss" | "immer" | "zwischen" | "keine" | "wo" | "dann" | "ob"
        | "beim" | "mich" | "mir" | "dich" | "dir" | "uns" | "viel" | "vielen" | "ja" | "nein"
        | "gut" | "heute" | "jetzt" | "etwas" | "alle" | "alles" | "ganz" | "doch" | "mal"
        | "einfach" | "neue" | "neuen" | "gibt" | "kommt" | "geht" | "dieses" | "diesem"
        | "diesen" | "unser" | "unsere" | "bitte" | "jede" | "jeder" | "jedes" | "wieder"
        | "weil" | "damit" | "dabei" | "sowie" | "ohne" | "seit" | "hatte" | "hatten" | "ihrem"
        | "ihren" | "ihrer" | "sowohl" | "ebenfalls" | "bereits" | "falls" | "hinzu"
        | "mittels" | "entlang" | "unseres" | "unserer" | "etwa" | "gewesen" | "worden"
        | "waren" | "wäre" | "würde" | "sondern" | "zwar" | "obwohl" | "während" | "trotz"
        | "außerdem" | "jedoch" | "denn" | "dort" => DE,
        "des" => FR | DE,
        "es" => DE | ES,
        // Spanish, Italian, Portuguese: enough to keep them apart from the
        // languages above when they are configured.
        "el" | "los" | "las" | "del" | "y" | "por" | "para" | "una" | "lo" | "pero" | "más"
        | "su" | "sus" | "este" | "esta" | "fue" | "muy" | "también" | "cuando" | "porque" => {
            match w {
                "por" | "para" => ES | PT,
                "una" => ES | IT,
                "lo" => ES | IT,
                _ => ES,
            }
        }
        "di" | "che" | "è" | "per" | "non" | "sono" | "della" | "delle" | "dei" | "degli"
        | "nel" | "nella" | "con" | "anche" | "più" | "questo" | "gli" | "alla" => match w {
            "con" => ES | IT,
            "non" => FR | IT,
            _ => IT,
        },
        "os" | "dos" | "das" | "em" | "um" | "uma" | "não" | "com" | "mais" | "mas" | "foi"
        | "são" | "ao" | "pelo" | "pela" | "seu" | "sua" | "ele" | "ela" => match w {
            "das" => DE | PT,
            "mais" => FR | PT,
            "um" => DE | PT,
            _ => PT,
        },
        "e" => IT | PT,
        "o" => PT | IT | TR | AZ,
        "da" => PT | IT | TR | AZ,
        // Turkish
        "ve" | "ile" | "için" | "çok" | "olarak" | "gibi" | "ama" | "mi" | "mı" | "mu" | "mü"
        | "kadar" | "göre" | "değil" | "yok" | "ise" | "veya" | "kendi" | "ancak" | "yıl"
        | "yılında" | "tarafından" | "üzere" | "içinde" | "büyük" | "bazı" | "şimdi" | "nasıl"
        | "neden" | "çünkü" | "eğer" | "bile" | "sadece" | "artık" | "hiç" | "böyle" | "önce"
        | "diye" | "ben" | "sen" | "olduğunu" | "etti" | "eden" | "edilen" | "yapılan" | "şu"
        | "ayrıca" | "aynı" | "hem" | "yani" | "tüm" | "karşı" | "başka" | "hangi" | "şey"
        | "yeniden" => TR,
        // Written as one word in Turkish, as two in Azerbaijani (bu gün,
        // bir az, bir çox, bir neçə, heç bir, hər kəs, hər hansı).
        "bugün" | "biraz" | "birçok" | "birkaç" | "hiçbir" | "herkes" | "herhangi" => TR,
        // The past copula often stands alone in Azerbaijani (gəlmiş idi,
        // hazır idi); Turkish nearly always joins it (gelmişti, hazırdı).
        "idi" => AZ,
        // Shared by Turkish and Azerbaijani
        "bir" | "bu" | "daha" | "ki" | "olan" | "sonra" | "var" | "ya" | "oldu" | "olduğu"
        | "arasında" | "yeni" | "iki" | "ilk" | "biz" | "siz" | "onlar" | "bunu" | "buna"
        | "onun" | "ona" | "onu" | "olur" | "etdi" | "dedi" | "yalnız" | "bütün" | "lakin"
        | "kimi" => TR | AZ,
        // Month names: Azerbaijani took the Russian ones, Turkish has its own.
        "yanvar" | "fevral" | "aprel" | "iyun" | "iyul" | "avqust" | "sentyabr" | "oktyabr"
        | "noyabr" | "dekabr" | "yanvarın" | "fevralın" | "aprelin" | "iyunun" | "iyulun"
        | "avqustun" | "sentyabrın" | "oktyabrın" | "noyabrın" | "dekabrın" => AZ,
        "ocak" | "şubat" | "nisan" | "mayıs" | "haziran" | "temmuz" | "ağustos" | "eylül"
        | "ekim" | "kasım" | "aralık" => TR,
        "january" | "february" | "april" | "june" | "july" | "august" | "september" | "october"
        | "november" | "december" => EN,
        "janvier" | "février" | "mars" | "avril" | "juin" | "juillet" | "août" | "septembre"
        | "octobre" | "novembre" | "décembre" => FR,
        "januar" | "februar" | "märz" | "juni" | "juli" | "oktober" | "dezember" => DE,
        // Azerbaijani writes ordinals as 5-ci, 1990-cı: after the hyphen
        // the suffix stands alone.
        "ci" | "cı" | "cu" | "cü" => AZ,
        // Azerbaijani
        "və" | "ilə" | "üçün" | "də" | "isə" | "həm" | "hər" | "çox" | "görə" | "qədər"
        | "deyil" | "yox" | "artıq" | "həmçinin" | "öz" | "bəzi" | "indi" | "necə" | "çünki"
        | "əgər" | "heç" | "belə" | "əvvəl" | "mən" | "sən" | "edir" | "olub" | "etmək"
        | "edib" | "ildə" | "ilin" | "tərəfindən" | "həmin" | "eyni" | "amma" | "üzrə" | "nə"
        | "olaraq" | "deyə" | "edən" | "edilib" | "olunub" | "olunur" | "hansı" | "niyə"
        | "başqa" | "bunun" | "böyük" | "kiçik" | "indiki" => match w {
            "bunun" => AZ | TR,
            _ => AZ,
        },
        _ => 0,
    }
}

fn cyrillic_word(out: &mut Scan, w: &str) {
    if w.contains('\'') {
        // Ukrainian marks a hard sign with an apostrophe (м'ясо, п'ять).
        out.mark(CYRILLIC, UK, 1.0, 1.0);
        return;
    }
    let mask = match w {
        "и" | "что" | "с" | "как" | "это" | "к" | "но" | "из" | "от" | "о" | "он" | "она"
        | "они" | "был" | "была" | "было" | "были" | "бы" | "уже" | "или" | "только" | "еще"
        | "ещё" | "вы" | "все" | "всё" | "этот" | "этого" | "также" | "который" | "которые"
        | "которая" | "когда" | "если" | "где" | "чем" | "нет" | "есть" | "очень" | "года"
        | "году" | "меня" | "себя" | "после" | "со" | "во" | "ли" | "их" | "даже" | "более"
        | "время" | "его" | "ее" | "её" | "этом" | "этой" | "тоже" | "сейчас" | "ему"
        | "никогда" | "зачем" | "потом" | "снова" | "сначала" | "тогда" | "всегда" | "теперь"
        | "здесь" | "кто" | "надо" | "нужно" | "можно" | "сегодня" | "вот" | "почему" | "около"
        | "кроме" | "такой" | "конечно" | "против" | "почти" | "своих" | "менее" | "между"
        | "сказал" | "чтобы" | "мне" | "да" | "будто" | "сразу" => RU,
        "в" | "не" | "на" | "по" | "а" | "у" | "за" | "так" | "же" | "для" | "при" | "до"
        | "мы" | "будет" | "может" | "про" | "тому" | "через" | "над" | "то" => {
            RU | UK
        }
        "і" | "й" | "та" | "що" | "з" | "із" | "зі" | "як" | "це" | "але" | "від" | "його"
        | "він" | "вона" | "вони" | "був" | "була" | "було" | "були" | "б" | "вже" | "або"
        | "тільки" | "ще" | "ми" | "ви" | "всі" | "усі" | "цей" | "цього" | "також" | "який"
        | "яка" | "які" | "коли" | "якщо" | "де" | "ніж" | "немає" | "є" | "буде" | "дуже"
        | "року" | "між" | "після" | "проте" | "їх" | "її" | "мене" | "себе" | "щоб" | "під"
        | "році" | "нас" | "нам" | "цьому" | "цієї" | "чи" | "треба" | "тощо" | "ось" | "нема"
        | "хоч" | "саме" | "тобто" | "кожен" | "десь" | "жодного" | "зараз" | "цих" | "ці"
        | "свого" | "нього" | "неї" | "йому" | "ніколи" | "навіщо" | "потім" | "знову" | "тоді"
        | "завжди" | "тепер" | "хто" | "можна" | "сьогодні" | "чому" => {
            match w {
                "нас" | "нам" | "б" => RU | UK,
                _ => UK,
            }
        }
        _ => 0,
    };
    if mask != 0 {
        out.add(mask, 1.0);
    }
    // Russian adjective endings -ая, -ое, -ую, -ый: Ukrainian has -а, -е,
    // -у, -ий.
    if w.len() > 6
        && (w.ends_with("ая") || w.ends_with("ое") || w.ends_with("ую") || w.ends_with("ый"))
    {
        out.mark(CYRILLIC, RU, 1.0, 1.0);
    }
    // Ukrainian -ський/-цьк- where Russian writes -ский/-цк-.
    if w.contains("ськ") || w.contains("цьк") || w.contains("зьк") {
        out.mark(CYRILLIC, UK, 1.0, 1.0);
    }
    // Russian reflexive -ется/-ится and 2nd person -ешь/-ишь; Ukrainian
    // writes -еться/-иться and -еш/-иш.
    if w.ends_with("ется") || w.ends_with("ится") || w.ends_with("шь") {
        out.mark(CYRILLIC, RU, 1.0, 1.0);
    }
    // Ukrainian ви- is Russian вы-.
    if w.len() > 8 && w.starts_with("ви") {
        out.mark(CYRILLIC, UK, 0.5, 0.5);
    }
    // Russian reflexives end in -тся, -лся, -лась (Ukrainian -ться, -вся,
    // -лася) and 3rd person singular in -ает/-яет/-ует (Ukrainian -ає).
    if (w.ends_with("тся") && !w.ends_with("ться"))
        || w.ends_with("лся")
        || w.ends_with("лась")
        || w.ends_with("лось")
        || w.ends_with("лись")
        || w.ends_with("тесь")
        || w.ends_with("ает")
        || w.ends_with("яет")
        || w.ends_with("ует")
    {
        out.mark(CYRILLIC, RU, 1.0, 1.0);
    }
    if w.ends_with("лася")
        || w.ends_with("лися")
        || w.ends_with("лося")
        || w.ends_with("вся")
        || w.ends_with("ає")
        || w.ends_with("ує")
        || w.ends_with("яє")
    {
        out.mark(CYRILLIC, UK, 1.0, 1.0);
    }
    // Russian genitive plural -ов/-ев; Ukrainian has -ів/-їв.
    if w.len() > 8 && (w.ends_with("ов") || w.ends_with("ев")) {
        out.mark(CYRILLIC, RU, 0.5, 0.5);
    }
    // Ukrainian infinitives in -ти and reflexives in -тися; Russian has
    // -ть and -ться. Russian 3rd person singular -ит/-ет has no soft sign.
    let letters = w.chars().count();
    if letters >= 7
        && (w.ends_with("ати") || w.ends_with("яти") || w.ends_with("ити") || w.ends_with("тися"))
    {
        out.mark(CYRILLIC, UK, 0.7, 0.7);
    }
    if letters >= 5 && (w.ends_with("ит") || w.ends_with("ет")) {
        out.mark(CYRILLIC, RU, 0.3, 0.3);
    }
    // Past tense masculine: Russian -ал/-ил/-ел/-ял, Ukrainian -ав/-ив/-ів;
    // feminine genitive/instrumental -ой is Russian (Ukrainian -ої/-ою).
    if letters >= 5 {
        if w.ends_with("ал") || w.ends_with("ил") || w.ends_with("ел") || w.ends_with("ял")
        {
            out.mark(CYRILLIC, RU, 0.4, 0.4);
        }
        if w.ends_with("ав") || w.ends_with("ив") || w.ends_with("ів") || w.ends_with("яв")
        {
            out.mark(CYRILLIC, UK, 0.4, 0.4);
        }
        // 3rd person plural: Russian -ют/-ят, Ukrainian -ють/-ять.
        if w.ends_with("ют") || w.ends_with("ят") {
            out.mark(CYRILLIC, RU, 0.5, 0.5);
        }
        if w.ends_with("ой") {
            out.mark(CYRILLIC, RU, 0.4, 0.4);
        }
        if w.ends_with("ться") {
            out.mark(CYRILLIC, RU, 0.3, 0.3);
        }
    }
    // Ukrainian words do not start with и (Russian и, из, их, история is
    // Ukrainian і, з, їх, історія); -ець/-ць is Ukrainian for Russian -ец;
    // роз-/рас- are the two languages' forms of one prefix.
    if w.starts_with('и') || w.ends_with("ец") || w.starts_with("рас") {
        out.mark(CYRILLIC, RU, 0.5, 0.5);
    }
    if w.ends_with("ць") || w.starts_with("роз") {
        out.mark(CYRILLIC, UK, 0.5, 0.5);
    }
    // Ukrainian starts native words with є, Russian with е (ему, если).
    if w.starts_with('е') {
        out.mark(CYRILLIC, RU, 0.5, 0.5);
    }
    // Ukrainian 3rd person plural -ють; Russian writes -ют.
    if w.ends_with("ють") {
        out.mark(CYRILLIC, UK, 0.7, 0.7);
    }
    // Month names in dates, in the genitive news uses.
    match w {
        "января" | "февраля" | "марта" | "апреля" | "мая" | "июня" | "июля" | "августа"
        | "сентября" | "октября" | "ноября" | "декабря" => {
            out.mark(CYRILLIC, RU, 1.0, 1.0)
        }
        "січня" | "лютого" | "березня" | "квітня" | "травня" | "червня" | "липня" | "серпня"
        | "вересня" | "жовтня" | "листопада" | "грудня" => {
            out.mark(CYRILLIC, UK, 1.0, 1.0)
        }
        _ => {}
    }
    // Ukrainian verbal nouns end in -ння, Russian ones in -ние.
    if w.ends_with("ння") || w.ends_with("нні") {
        out.mark(CYRILLIC, UK, 0.7, 0.7);
    }
}

fn arabic_word(out: &mut Scan, w: &str) {
    let mask = match w {
        "في" | "على" | "إلى" | "التي" | "الذي" | "عن" | "أن" | "هذا" | "هذه" | "كان" | "قد"
        | "ما" | "لا" | "مع" => AR,
        "در" | "به" | "از" | "که" | "را" | "این" | "است" | "با" | "برای" | "آن" | "های" | "می"
        | "هم" | "بود" | "شد" | "یک" | "تا" => FA,
        _ => 0,
    };
    if mask != 0 {
        out.add(mask, 1.0);
    }
    // The article al- is Arabic grammar; Persian has it only in loans.
    if w.starts_with("ال") && w.len() > 6 {
        out.add(AR, 0.3);
    }
}
