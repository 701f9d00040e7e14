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
//! Before keying, a word's case and possessive endings are read off
//! (module `inflection`: Georgian `თბილისში`, Armenian `Գյումրիում`,
//! Russian `Пашиняном`, Azerbaijani `Bakıdan` key like their base forms),
//! and a shipped table of the region's names (module `table`, data in
//! `names.txt`) joins spellings that no rule brings together (Əmirbəyov
//! and Амирбеков, Giorgi and Георгий) and lists the Georgian names that
//! [`georgian_name`] recognises in text without capitals. Which words may
//! be names at all is module `vocabulary`'s: the languages' common words,
//! and an Armenian lexicon whose proper nouns also serve as a gazetteer in
//! Georgian. An Armenian
//! surname keys with its initial `h` and without it, since Russian drops it
//! (Hakobyan, Акопян) and Turkish writes `kh` as `h` (Haçaturyan).
//!
//! Known limits: Latin `c` is read as Azerbaijani/Turkish `j`, not as the
//! `ts` of Polish-style transliterations; names that are translations rather
//! than spellings meet only when the table lists them.
//!
//! The module is pure (no I/O, no index types) and deterministic; it works
//! into reusable buffers ([`Folder`]).

mod inflection;
mod key;
mod table;
mod translit;
mod vocabulary;

pub use inflection::Script;
/// The hasher of the name tables, for other per-word caches.
pub(crate) use table::Fnv;

/// At most this many keys per word (one per reading of its endings).
pub const MAX_KEYS: usize = inflection::MAX_READINGS;

/// Folds tokens to name keys, reusing its buffers so that folding a stream
/// of tokens allocates only when a token is longer than any before it.
#[derive(Debug, Default, Clone)]
pub struct Folder {
    lower: String,
    reading: String,
    skeleton: String,
    key: String,
    lookup: String,
    /// Keys of the current token, for [`Folder::keys`] to skip repeats.
    emitted: Vec<String>,
    /// Keys of the tokens seen lately: names recur within and across
    /// documents, and reading a word's endings, transliterating and keying
    /// each reading costs several times a lookup.
    cache:
        std::collections::HashMap<String, Vec<String>, std::hash::BuildHasherDefault<table::Fnv>>,
}

/// The cache is emptied when it holds this many tokens.
const CACHE_TOKENS: usize = 16_384;

impl Folder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Calls `emit` with each distinct key of `token`: one per reading of
    /// its endings (see module `inflection`), after the table's
    /// equivalents. A token with no letter or digit has no key.
    pub fn keys(&mut self, token: &str, mut emit: impl FnMut(&str)) {
        if let Some(keys) = self.cache.get(token) {
            for k in keys {
                emit(k);
            }
            return;
        }
        if self.cache.len() >= CACHE_TOKENS {
            self.cache.clear();
        }
        let mut fresh = Vec::new();
        self.fold(token, |k| {
            fresh.push(k.to_string());
            emit(k);
        });
        self.cache.insert(token.to_string(), fresh);
    }

    /// [`Folder::keys`] without the cache: for a caller that keeps what
    /// it makes of the keys in a cache of its own (the story signer keeps
    /// their feature hashes).
    pub fn keys_uncached(&mut self, token: &str, emit: impl FnMut(&str)) {
        self.fold(token, emit);
    }

    /// [`Folder::keys`] without the cache.
    fn fold(&mut self, token: &str, mut emit: impl FnMut(&str)) {
        lowercase_into(without_apostrophe_suffix(token), &mut self.lower);
        let readings = inflection::readings(&self.lower);
        let table = table::table();
        // A spelling the table lists is read as written, and so is a
        // reading it lists: `Laçın` is not `Laç` + genitive.
        let several = readings.iter().nth(1).is_some();
        let listed = several
            && readings.iter().any(|b| {
                self.reading.clear();
                self.reading.push_str(&self.lower[..b.keep]);
                self.reading.push_str(b.append);
                table.lists(&self.reading)
            });
        let script = Script::of(&self.lower);
        let mut count = 0;
        for base in readings.iter() {
            self.reading.clear();
            self.reading.push_str(&self.lower[..base.keep]);
            self.reading.push_str(base.append);
            if listed && !table.lists(&self.reading) {
                continue;
            }
            self.skeleton.clear();
            translit::transliterate_into(&self.reading, &mut self.skeleton);
            // An Armenian surname keys with its initial `h` and without it
            // (see `translit::armenian_initial_h`).
            let without_h = translit::armenian_initial_h(&self.skeleton);
            for drop_h in [false, true] {
                if drop_h {
                    if !without_h {
                        break;
                    }
                    self.skeleton.remove(0);
                }
                self.key.clear();
                key::key_into(self.skeleton.as_bytes(), &mut self.key);
                if self.key.is_empty() {
                    continue;
                }
                if let Some(canonical) = table.equivalent(script, &self.skeleton, &mut self.lookup)
                {
                    self.key.clear();
                    self.key.push_str(canonical);
                }
                if self.emitted[..count].contains(&self.key) {
                    continue;
                }
                if self.emitted.len() == count {
                    self.emitted.push(String::new());
                }
                self.emitted[count].clear();
                self.emitted[count].push_str(&self.key);
                count += 1;
                emit(&self.key);
            }
        }
    }

    /// Appends the first key of `token` (see [`Folder::keys`]) to `out`
    /// (which is not cleared). A token with no letter or digit has an
    /// empty key.
    pub fn key_into(&mut self, token: &str, out: &mut String) {
        let mut first = true;
        self.keys(token, |k| {
            if first {
                out.push_str(k);
                first = false;
            }
        });
    }

    /// The first key of `token`.
    pub fn key(&mut self, token: &str) -> String {
        let mut out = String::with_capacity(token.len());
        self.key_into(token, &mut out);
        out
    }

    /// Every key of `token`.
    pub fn all_keys(&mut self, token: &str) -> Vec<String> {
        let mut out = Vec::new();
        self.keys(token, |k| out.push(k.to_string()));
        out
    }

    /// The key of a lowercase word as written (no endings read, no table)
    /// and its skeleton.
    fn raw_key(&mut self, lower: &str) -> (String, String) {
        raw_key_into(lower, &mut self.skeleton, &mut self.key);
        (self.key.clone(), self.skeleton.clone())
    }
}

/// A skeleton without its final vowels, which case endings made of vowels
/// change (`armeniya`, `armenii` and `armen` are all `armen`; Russian `-ий`
/// goes too, `georgiy`), but with a `y` after another vowel, which belongs
/// to the name (`nikolay` is not `nikol`): what the table's equivalents are
/// looked up by.
pub(crate) fn stem_skeleton(skeleton: &str) -> &str {
    let mut s = skeleton;
    loop {
        let b = s.as_bytes();
        match b.last() {
            Some(b'a' | b'e' | b'i' | b'o' | b'u') => s = &s[..s.len() - 1],
            Some(b'y') if b.len() >= 2 && b[b.len() - 2] == b'i' => s = &s[..s.len() - 1],
            _ => return s,
        }
    }
}

/// Skeleton and key of a lowercase reading, into the given buffers.
fn raw_key_into(reading: &str, skeleton: &mut String, key: &mut String) {
    skeleton.clear();
    translit::transliterate_into(reading, skeleton);
    key.clear();
    key::key_into(skeleton.as_bytes(), key);
}

/// Apostrophes that may separate a name from a suffix: ASCII, the
/// typographic right quote, and the modifier letter.
pub fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{02BC}')
}

/// `word` without an apostrophe and the suffix after it, when at least two
/// letters come before it: Turkish and Azerbaijani write a name's case
/// endings that way ("Bakı'da", "Erdoğan’ın"), English its possessive
/// ("Kobakhidze's"); "O'Brien" keeps its own.
pub fn without_apostrophe_suffix(word: &str) -> &str {
    match word.find(is_apostrophe) {
        Some(at) if word[..at].chars().count() >= 2 => &word[..at],
        _ => word,
    }
}

/// `word` in lowercase, Turkic capital `İ` as plain `i` (Unicode's default
/// gives `i` + a combining dot, which would hide suffixes).
fn lowercase_into(word: &str, out: &mut String) {
    out.clear();
    for c in word.chars() {
        match c {
            'A'..='Z' => out.push(c.to_ascii_lowercase()),
            'İ' => out.push('i'),
            _ if c.is_ascii() || !c.is_uppercase() => out.push(c),
            _ => out.extend(c.to_lowercase()),
        }
    }
}

/// The name key of one token: `name_key("Məmmədov") == name_key("Мамедов")`.
/// Tokens are words as [`tokens`] splits them; a key is lowercase ASCII and
/// empty for a token with no letter or digit. An inflected word has more
/// than one key ([`name_keys`]); this is the first.
pub fn name_key(token: &str) -> String {
    Folder::new().key(token)
}

/// Every key of one token: `name_keys("Əliyevin")` holds the key of
/// `Əliyev`.
pub fn name_keys(token: &str) -> Vec<String> {
    Folder::new().all_keys(token)
}

/// Whether a capitalised word at the start of a sentence may be a name: not
/// when it is one of the common words of Azerbaijani, Turkish, Russian or
/// English (`common.txt`: the 10,000 most frequent words of each, and
/// Armenian pronouns, auxiliaries and conjunctions) or a form of a common
/// word of the Armenian lexicon (`Լրագրողները` "the journalists"; see
/// module `vocabulary`), unless the names table lists it or its reading
/// (`Bakı` is a frequent word too, `Երևանում` a form of a listed name).
/// Elsewhere in a sentence a capital is the writer's word that the word is
/// a name.
pub fn name_at_sentence_start(word: &str) -> bool {
    let mut lower = String::with_capacity(word.len());
    lowercase_into(without_apostrophe_suffix(word), &mut lower);
    let table = table::table();
    if table.lists(&lower) {
        return true;
    }
    if vocabulary::common(&lower) {
        return false;
    }
    if Script::of(&lower) != Script::Armenian || !vocabulary::armenian_common(&lower) {
        return true;
    }
    // A name of the table or of the lexicon with an ending: one of the
    // lexicon's (`Ջերմուկի`: Jermuk is a town and `ջերմուկ` a hot spring),
    // or any of up to four letters after a name of five letters or more
    // (`Մոսկվայից`), not after a short one, which starts common words too
    // (`Արագ` "fast" is not `Արա` + `-գ`).
    lower.char_indices().skip(MIN_NAME_LETTERS).any(|(at, _)| {
        let (name, ending) = lower.split_at(at);
        let ending_fits = vocabulary::armenian_ending(ending)
            || ending.chars().count() <= 4 && name.chars().count() >= 5;
        ending_fits && (table.lists(name) || vocabulary::armenian_proper(name))
    })
}

/// The shortest name [`name_at_sentence_start`] looks for at the start of
/// an Armenian word.
const MIN_NAME_LETTERS: usize = 3;

/// Whether a Georgian word (Georgian has no capitals) is likely a name: a
/// case form of a name of the shipped table (`თბილისში`, `კობახიძემ`), or
/// a word with the shape of a surname: Georgian `-ძე` and `-შვილი`
/// (`ჩუთლაშვილმა`), Russian-style `-ოვი`/`-ევი` (`ბულგაკოვის`) except in
/// the bare dative `-ოვს`/`-ევს`, which is also how verbs end (`იწვევს`).
/// Common words (`ბაღი` "orchard", which keys like Baku) are not names.
pub fn georgian_name(word: &str) -> bool {
    thread_local! {
        static SEEN: std::cell::RefCell<GeorgianMemo> = std::cell::RefCell::default();
    }
    SEEN.with(|seen| {
        let mut seen = seen.borrow_mut();
        if let Some(&name) = seen.get(word) {
            return name;
        }
        let name = georgian_name_read(word);
        if seen.len() >= GEORGIAN_MEMO_WORDS {
            seen.clear();
        }
        seen.insert(word.to_string(), name);
        name
    })
}

/// [`georgian_name`]'s answers for the words seen lately, per thread: every
/// Georgian word of a text is asked about, running text repeats a few
/// thousand words, and reading each one's endings and looking up its
/// readings and skeleton was 6 % of an import's CPU time.
type GeorgianMemo = std::collections::HashMap<String, bool, std::hash::BuildHasherDefault<Fnv>>;

/// The memo is emptied when it holds this many words (some 4 MB).
const GEORGIAN_MEMO_WORDS: usize = 65_536;

/// [`georgian_name`] worked out.
fn georgian_name_read(word: &str) -> bool {
    // Mkhedruli is caseless; only Mtavruli capitals need lowering.
    let lower: std::borrow::Cow<str> = if word.chars().any(char::is_uppercase) {
        let mut lower = String::with_capacity(word.len());
        lowercase_into(word, &mut lower);
        lower.into()
    } else {
        word.into()
    };
    let readings = inflection::readings(&lower);
    if readings
        .iter()
        .any(|b| table::table().lists_georgian(&lower[..b.keep]))
    {
        return true;
    }
    let Some(base) = readings.iter().next() else {
        return false;
    };
    let reading = &lower[..base.keep];
    let letters = reading.chars().count();
    let ends = |s: &str| reading.ends_with(s);
    if ends("ძე") || ends("ძ") {
        return letters >= 5;
    }
    if let Some(stem) = reading
        .strip_suffix("შვილი")
        .or_else(|| reading.strip_suffix("შვილ"))
    {
        // Kinship words built the same way: ქალიშვილი "daughter",
        // შვილიშვილი "grandchild", ძმისშვილი "nephew" and the like.
        const KIN: &[&str] = &[
            "ქალი",
            "შვილი",
            "ძმის",
            "დის",
            "ბიძა",
            "მამიდა",
            "დეიდა",
            "ბიცოლა",
            "ნათლი",
            "",
        ];
        return stem.chars().count() >= 2 && !KIN.contains(&stem);
    }
    let surname = ["ოვი", "ევი", "ოვ", "ევ", "ოვა", "ევა"]
        .iter()
        .any(|s| ends(s));
    if surname && letters >= 5 && !(lower.ends_with("ოვს") || lower.ends_with("ევს")) {
        return true;
    }
    // A name of the Armenian lexicon's gazetteer, as Georgian renders it
    // letter for letter: `ვარდენისიდან` is `Վարդենիս`.
    vocabulary::georgian_proper(reading)
}

/// Whether a Georgian word is a given name written before a surname.
/// Georgian drops the nominative `-ი` of a given name that a surname
/// follows (`ლევანი`, but `ლევან დავითაშვილი`), so a word that is a known
/// given name (the table's, or the Armenian lexicon's, as `არმან` is
/// `Արման`) without that `-ი` and without any case ending says that the
/// next word is a surname; see [`georgian_name_after_given_name`].
pub fn georgian_given_name_before_surname(word: &str) -> bool {
    let mut lower = String::with_capacity(word.len() + 3);
    lowercase_into(word, &mut lower);
    let bare = inflection::readings(&lower)
        .iter()
        .next()
        .is_some_and(|b| b.keep == lower.len() && b.append.is_empty());
    if !bare || lower.chars().next_back().is_none_or(inflection::is_vowel) {
        return false;
    }
    let gazetteer = vocabulary::georgian_proper(&lower);
    lower.push('ი');
    gazetteer || table::table().lists(&lower)
}

/// Whether two Georgian words side by side are an unknown given name and
/// an Armenian surname: the first written without the nominative `-ი` and
/// without a case ending, of four letters or more, the second ending in
/// `-იან` (Armenian `-յան`) once its case ending is read off, of six
/// letters or more (`ედმონ მარუქიანს`). Georgian writes a common word
/// bare before a noun too (`ჩვეულებრივ ადამიანს` "to an ordinary
/// person"), which this takes for a name; it costs a key, and a false
/// match only for a query of that spelling.
pub fn georgian_given_name_and_armenian_surname(given: &str, surname: &str) -> bool {
    let mut lower = String::with_capacity(surname.len());
    lowercase_into(surname, &mut lower);
    // The reading below ends in `-იან` only if the word has it somewhere:
    // asked of every pair of Georgian words, the endings were read for
    // nearly all of them in vain.
    if !lower.contains("იან") {
        return false;
    }
    let armenian_surname = inflection::readings(&lower).iter().next().is_some_and(|b| {
        let reading = &lower[..b.keep];
        let stem = reading.strip_suffix('ი').unwrap_or(reading);
        stem.ends_with("იან") && stem.chars().count() >= 6
    });
    armenian_surname && georgian_bare(given, 4)
}

/// Whether a Georgian word of at least `letters` letters ends in a
/// consonant with no case ending read off it: a given name or an adjective
/// before the noun it goes with (`ლევან`, `დიდ`).
fn georgian_bare(word: &str, letters: usize) -> bool {
    let mut lower = String::with_capacity(word.len());
    lowercase_into(word, &mut lower);
    let bare = inflection::readings(&lower)
        .iter()
        .next()
        .is_some_and(|b| b.keep == lower.len() && b.append.is_empty());
    bare && lower.chars().count() >= letters
        && !lower.chars().next_back().is_none_or(inflection::is_vowel)
}

/// Whether a Georgian word right after a given name written before a
/// surname ([`georgian_given_name_before_surname`]) is taken for that
/// surname: any word of at least four letters once its case ending is read
/// off, but the few function words that may stand there (`ლევან კი`,
/// `ტიგრან ასევე`). This is how the surnames no table lists and no shape
/// rule knows are found (`ტიგრან ბალაიანის`, `ლევან იოსელიანს`).
pub fn georgian_name_after_given_name(word: &str) -> bool {
    const FUNCTION_WORDS: &[&str] = &[
        "ასევე",
        "კიდევ",
        "უკვე",
        "ისევ",
        "თავად",
        "თვითონ",
        "არის",
        "იყო",
        "იქნება",
        "ამბობს",
        "განაცხადა",
        "აცხადებს",
    ];
    let mut lower = String::with_capacity(word.len());
    lowercase_into(word, &mut lower);
    if FUNCTION_WORDS.contains(&lower.as_str()) {
        return false;
    }
    inflection::readings(&lower)
        .iter()
        .next()
        .is_some_and(|b| lower[..b.keep].chars().count() >= 4)
}

/// Whether `word`, in any case and case form, is a spelling of the shipped
/// table of the region's names (`Gəncə`, `Gəncədə`, `Гянджа`): a name
/// wherever it stands, even where a sentence starts.
pub fn listed_name(word: &str) -> bool {
    let lower = word.to_lowercase();
    let table = table::table();
    table.lists(&lower)
        || inflection::readings(&lower)
            .iter()
            .any(|b| table.lists(&lower[..b.keep]))
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
    text.split(|c: char| {
        !(crate::letters::is_alphanumeric(c) || matches!(c, '\u{0300}'..='\u{036F}'))
    })
    .filter(|t| !t.is_empty())
}

/// Whether two spellings name the same thing: as many keyed words in each,
/// and words in the same place sharing a key. This is what a query of the
/// words matches on a field indexed with [`Folder::keys`].
pub fn same_name(a: &str, b: &str) -> bool {
    let mut folder = Folder::new();
    let mut keys = |text: &str| -> Vec<Vec<String>> {
        tokens(text)
            .map(|t| folder.all_keys(t))
            .filter(|k| !k.is_empty())
            .collect()
    };
    let (ka, kb) = (keys(a), keys(b));
    !ka.is_empty()
        && ka.len() == kb.len()
        && ka
            .iter()
            .zip(&kb)
            .all(|(x, y)| x.iter().any(|k| y.contains(k)))
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

    /// Whether two words share a key.
    fn meet(a: &str, b: &str) -> bool {
        let kb = name_keys(b);
        name_keys(a).iter().any(|k| kb.contains(k))
    }

    fn all_meet(spellings: &[&str]) {
        for s in &spellings[1..] {
            assert!(
                meet(spellings[0], s),
                "{} vs {}: {:?} {:?}",
                spellings[0],
                s,
                name_keys(spellings[0]),
                name_keys(s)
            );
        }
    }

    // Issue 16: inflected forms key like their base forms in every script.
    #[test]
    fn inflected_forms_meet_their_base_forms() {
        all_meet(&[
            "Tbilisi",
            "თბილისში",
            "თბილისს",
            "თბილისის",
            "Թբիլիսիում",
            "Тбилиси",
            "Tbilisidə",
        ]);
        all_meet(&[
            "Kobakhidze",
            "კობახიძემ",
            "კობახიძეს",
            "კობახიძის",
            "კობახიძესთან",
            "Kobakhidze's",
            "Kobaxidzenin",
        ]);
        all_meet(&[
            "Bayramov",
            "ბაირამოვს",
            "Байрамовым",
            "Բայրամովով",
            "Bayramovun",
        ]);
        all_meet(&["Shusha", "შუშაში", "Şuşada", "Шуше", "Շուշիում"]);
        all_meet(&[
            "Ganja",
            "განჯას",
            "Гяндже",
            "Гянджи",
            "Gəncədən",
            "Գյանջայում",
        ]);
        all_meet(&["Marneuli", "მარნეულიდან", "Марнеули"]);
        all_meet(&["Gyumri", "Գյումրիում", "Гюмри"]);
        all_meet(&["Meghri", "Մեղրիով"]);
        all_meet(&["Aliyev", "Ալիևի", "Алиевым", "Əliyevin", "ალიევმა"]);
        all_meet(&["Nakhchivan", "Նախիջևանի", "Нахичевани", "Naxçıvanın"]);
        all_meet(&["Kavelashvili", "Կավելաշվիլուն", "ყაველაშვილმა"]);
        all_meet(&["Lachin", "Лачина", "Laçının", "Laçın"]);
        all_meet(&["Khachaturyan", "Хачатуряна", "Խաչատուրյանին"]);
        all_meet(&["Baku", "Bakıya", "Bakıdan", "Բաքվում", "ბაქოში", "Bakı'da"]);
        all_meet(&["Hajiyev", "Հաջիևը", "Гаджиевым"]);
        all_meet(&["Zelensky", "Зеленского", "Зеленским"]);
    }

    #[test]
    fn conventional_equivalents_meet() {
        all_meet(&["Amirbəyov", "Амирбеков", "Амирбекова", "Amirbayov"]);
        all_meet(&["Hacıbəyli", "Гаджибеков", "Hajibeyli"]);
        all_meet(&["Hakobyan", "Акопян", "Акопяна", "Հակոբյան", "ჰაკობიანი"]);
        all_meet(&["Harutyunyan", "Арутюнян", "Հարությունյան"]);
        all_meet(&["Giorgi", "Георгий", "Георгием", "გიორგი"]);
        all_meet(&["Armenia", "Հայաստան", "Ermənistan", "სომხეთში", "Армении"]);
        assert!(table::table().equivalent_count() > 50);
    }

    #[test]
    fn look_alikes_stay_apart_in_every_form() {
        for (a, b) in [
            ("Bayramov", "Bayramlı"),
            ("Байрамов", "Байрамлы"),
            ("Kobakhidze", "Kakhidze"),
            ("კობახიძემ", "კახიძემ"),
            ("Aliyev", "Alakbarov"),
            ("Əliyevin", "Ələkbərovun"),
            ("Gyumri", "Ganja"),
            ("Gori", "Goris"),
            ("Hasanov", "Huseynov"),
            ("Pashinyan", "Petrosyan"),
            ("Mirzoyan", "Mirzayev"),
            ("Armenia", "Armen"),
            ("Армении", "Армену"),
            ("სომხეთში", "არმენ"),
        ] {
            assert!(
                !meet(a, b),
                "{a} vs {b}: {:?} {:?}",
                name_keys(a),
                name_keys(b)
            );
        }
    }

    #[test]
    fn every_line_of_the_table_is_one_name() {
        let mut apart = Vec::new();
        for line in table::lines(include_str!("names.txt")) {
            let spellings = line.spellings;
            for s in &spellings[1..] {
                if !meet(spellings[0], s) {
                    apart.push(format!("{} vs {s}", spellings[0]));
                }
            }
        }
        assert!(apart.is_empty(), "{apart:#?}");
    }

    // Issue 16: Georgian words are names by the gazetteer or a surname's
    // shape, not because they key like one.
    #[test]
    fn georgian_names_and_common_words() {
        for name in [
            "თბილისში",
            "კობახიძემ",
            "ბაქოში",
            "ჩუთლაშვილმა",
            "ბულგაკოვის",
            "ალიევი",
            "გორში",
            "ბაირამოვს",
        ] {
            assert!(georgian_name(name), "{name}");
        }
        for word in [
            "ბაღი",
            "ან",
            "ბაღში",
            "ქალიშვილი",
            "შვილიშვილმა",
            "იწვევს",
            "ადამიანი",
            "გორაზე",
            "და",
            "რომ",
        ] {
            assert!(!georgian_name(word), "{word}");
        }
    }

    // Issue 16: Armenian common words at a sentence start are read as a
    // stem of the Armenian lexicon and an ending; names stay names.
    #[test]
    fn armenian_sentence_starts() {
        for word in [
            "Լրագրողները",
            "Հանդիպմանը",
            "Կառավարությունը",
            "Քաղաքում",
            "Արագ",
        ] {
            assert!(!name_at_sentence_start(word), "{word}");
        }
        for word in [
            "Երևանում",
            "Փաշինյանը",
            "Գյումրիում",
            "Արթիկում",
            "Մարտունիից",
            "Կապանից",
            "Ջերմուկի",
            "Մոսկվայից",
        ] {
            assert!(name_at_sentence_start(word), "{word}");
        }
    }

    // Issue 16: Georgian renders the names of the Armenian lexicon's
    // gazetteer letter for letter, and that makes them names in Georgian
    // text though the table does not list them.
    #[test]
    fn georgian_names_from_the_gazetteer() {
        for name in ["არტიკში", "მარტუნიდან", "ვარდენისის", "არმან"]
        {
            assert!(georgian_name(name), "{name}");
        }
        for word in ["ბაღი", "ბაღში", "ადამიანი", "საკითხები", "ფილმი"]
        {
            assert!(!georgian_name(word), "{word}");
        }
    }

    // Issue 16: a given name without its `-ი` is followed by a surname,
    // which is a name whatever its shape.
    #[test]
    fn georgian_given_names_before_surnames() {
        assert!(georgian_given_name_before_surname("ლევან"));
        assert!(georgian_given_name_before_surname("ტიგრან"));
        assert!(!georgian_given_name_before_surname("ლევანი"));
        assert!(!georgian_given_name_before_surname("თბილისში"));
        assert!(!georgian_given_name_before_surname("ბაღი"));
        assert!(georgian_name_after_given_name("ქობალიას"));
        assert!(georgian_name_after_given_name("ჩიქოვანმა"));
        assert!(!georgian_name_after_given_name("ასევე"));
        assert!(!georgian_name_after_given_name("კი"));
        // An unknown given name and an Armenian surname, side by side.
        assert!(georgian_given_name_and_armenian_surname(
            "ედმონ",
            "მარუქიანს"
        ));
        assert!(georgian_given_name_and_armenian_surname(
            "არამ",
            "გაბრიელიანი"
        ));
        assert!(!georgian_given_name_and_armenian_surname(
            "ედმონი",
            "მარუქიანს"
        ));
        assert!(!georgian_given_name_and_armenian_surname("დიდ", "ადამიანს"));
        assert!(!georgian_given_name_and_armenian_surname(
            "ედმონ",
            "საკითხები"
        ));
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
