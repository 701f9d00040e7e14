//! The cross-script name path of the index: every word of a document that
//! can be a name is also indexed as its [`crate::names`] keys, one Latin
//! skeleton per name whatever the script it was written in ("Hacıyev",
//! "Гаджиев", "Հաջիևը" and "Hajiyev" share a key) and whatever case ending
//! it carries ("Bakıdan", "Баку", "ბაქოში"). Queries on this field find the
//! other spellings; they are scored below exact matches, and `--exact`
//! leaves the field out.
//!
//! A word can have several keys (one per reading of its endings, see
//! [`crate::names::Folder::keys`]): a document gets them all, and a query
//! word matches when it shares one of them ([`query_keys`]). Tantivy's
//! query parser would read several keys from one word as a phrase, which
//! this field cannot answer, so the search side hands it one key at a
//! time, marked with [`KEY_MARK`] so that the analyzer takes it as it is.

use tantivy::tokenizer::{TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer};

use super::analysis::WordTokenizer;
use crate::names::Folder;

/// Appends to `out` the words of `text` that can be names: those written
/// with a capital in a script that has capitals, and, in Georgian, which
/// has none, the words [`crate::names::georgian_name`] takes for names
/// (a case form of a known name, a surname's shape, a name of the
/// gazetteer) and the word after a given name written before a surname
/// (`ლევან იოსელიანს`, see
/// [`crate::names::georgian_given_name_before_surname`]); other Georgian
/// words, however they key, are no names (`ბაღი` "orchard" keys like
/// Baku). At the start of a sentence, where every word has a capital, a
/// word is a name only when it is not a common word
/// ([`crate::names::name_at_sentence_start`]) and the text does not write
/// it in lowercase elsewhere: within one text, a word capitalised only
/// where a sentence starts and lowercase in the middle of one is a common
/// word of the language, whatever list it is missing from.
/// Names are capitalised in every cased script the press we follow writes
/// in, so this keeps the index of name keys small (and fast to build)
/// without losing names; queries are keyed whatever their case, so
/// `hajiyev` still finds `Гаджиев`.
pub fn name_words(text: &str, out: &mut String) {
    // Where the previous word ended, when it was a Georgian given name
    // written before a surname.
    let mut given_name_end: Option<usize> = None;
    let mut words = crate::names::tokens(text).peekable();
    while let Some(word) = words.next() {
        let Some(first) = word.chars().next() else {
            continue;
        };
        let start = offset(text, word);
        if is_georgian(first) {
            let adjacent = |end: usize, next: &str| {
                text[end..offset(text, next)]
                    .chars()
                    .all(char::is_whitespace)
            };
            let after_given_name = given_name_end.is_some_and(|end| adjacent(end, word));
            let end = start + word.len();
            let before_surname = words.peek().is_some_and(|next| {
                adjacent(end, next)
                    && crate::names::georgian_given_name_and_armenian_surname(word, next)
            });
            let name = before_surname
                || crate::names::georgian_name(word)
                || after_given_name && crate::names::georgian_name_after_given_name(word);
            given_name_end = (before_surname
                || name && crate::names::georgian_given_name_before_surname(word))
            .then_some(end);
            if !name {
                continue;
            }
        } else {
            given_name_end = None;
            if first.is_lowercase()
                || sentence_start(text, word)
                    && (!crate::names::name_at_sentence_start(word)
                        || lowercase_elsewhere(text, word))
            {
                continue;
            }
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
}

/// The name words of an article ([`name_words`] of its title, body and
/// authors), found once for both readers: the index's names field and the
/// story signature (finding them is most of either's cost).
#[derive(Debug, Default, Clone)]
pub struct NameWords {
    /// Title, body and authors' name words, space-separated, in that order.
    all: String,
    title_end: usize,
    body_end: usize,
}

impl NameWords {
    pub fn of(article: &crate::article::Article) -> NameWords {
        let mut all = String::new();
        name_words(&article.title, &mut all);
        let title_end = all.len();
        name_words(&article.body, &mut all);
        let body_end = all.len();
        for author in &article.authors {
            name_words(author, &mut all);
        }
        NameWords {
            all,
            title_end,
            body_end,
        }
    }

    /// Every name word, as the names field takes them.
    pub fn all(&self) -> &str {
        &self.all
    }

    pub fn title(&self) -> &str {
        &self.all[..self.title_end]
    }

    pub fn body(&self) -> &str {
        &self.all[self.title_end..self.body_end]
    }
}

/// Byte offset of `word`, a slice of `text`, in `text`.
fn offset(text: &str, word: &str) -> usize {
    (word.as_ptr() as usize)
        .saturating_sub(text.as_ptr() as usize)
        .min(text.len())
}

/// Whether `text` also has `word` (a capitalised word of it) in lowercase,
/// as a whole word. Asked once for each sentence start that may be a
/// name; a SIMD substring search over the text costs less than gathering
/// the text's lowercase words into a set first.
fn lowercase_elsewhere(text: &str, word: &str) -> bool {
    let lower = word.to_lowercase();
    if lower == word {
        return false;
    }
    let is_letter = |c: char| crate::letters::is_alphanumeric(c);
    memchr::memmem::find_iter(text.as_bytes(), lower.as_bytes()).any(|at| {
        // A match of a whole UTF-8 sequence starts and ends on char
        // boundaries.
        !text[..at].chars().next_back().is_some_and(is_letter)
            && !text[at + lower.len()..]
                .chars()
                .next()
                .is_some_and(is_letter)
    })
}

/// Whether `word`, a slice of `text`, starts a sentence: nothing but
/// spaces, quotes, brackets and dashes between it and the start of the text
/// or the end of the previous sentence.
fn sentence_start(text: &str, word: &str) -> bool {
    for c in text[..offset(text, word)].chars().rev() {
        match c {
            '.' | '!' | '?' | '…' | '։' | '\n' => return true,
            c if c.is_whitespace() => {}
            '"' | '\'' | '«' | '»' | '“' | '”' | '„' | '(' | '[' | '-' | '–' | '—' => {}
            _ => return false,
        }
    }
    true
}

/// Georgian Mkhedruli has no case in use (Unicode files its letters as
/// lowercase since Mtavruli capitals were added), so a Georgian name cannot
/// be told by its first letter.
fn is_georgian(c: char) -> bool {
    matches!(c, '\u{10D0}'..='\u{10FF}' | '\u{1C90}'..='\u{1CBF}')
}

/// Name under which the analyzer is registered; stored in the schema.
pub const NAMES_TOKENIZER: &str = "pressd_names";

/// Words longer than this (in bytes) are not names: base64, glued URLs.
const MAX_NAME_BYTES: usize = 120;

/// Marks a query word that is already a key (a letter that no text of the
/// region uses, and that the word tokenizer keeps inside a word).
pub const KEY_MARK: char = 'ǂ';

/// The keys of a query word, each marked with [`KEY_MARK`] for the
/// analyzer to take as it is.
pub fn query_keys(word: &str, folder: &mut Folder) -> Vec<String> {
    let mut keys = Vec::new();
    folder.keys(word, |k| keys.push(format!("{KEY_MARK}{k}")));
    keys
}

/// Words (an apostrophe suffix dropped, as Turkish and Azerbaijani write
/// case endings of names), then their name keys. Words without a key (no
/// letter or digit) are dropped.
pub fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(WordTokenizer::with_apostrophe_suffixes_dropped())
        .filter(NameKey)
        .build()
}

/// Replaces each token by its name keys (several tokens at the same place
/// when a word has several).
#[derive(Clone, Copy, Debug, Default)]
pub struct NameKey;

impl TokenFilter for NameKey {
    type Tokenizer<T: Tokenizer> = NameKeyFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> NameKeyFilter<T> {
        NameKeyFilter {
            tokenizer,
            folder: Folder::new(),
            keys: Keys::default(),
        }
    }
}

/// The keys of the current word, in buffers reused from word to word.
#[derive(Clone, Default)]
pub struct Keys {
    keys: Vec<String>,
    /// How many of `keys` the current word has, and how many were handed out.
    len: usize,
    next: usize,
}

#[derive(Clone)]
pub struct NameKeyFilter<T> {
    tokenizer: T,
    folder: Folder,
    keys: Keys,
}

impl<T: Tokenizer> Tokenizer for NameKeyFilter<T> {
    type TokenStream<'a> = NameKeyStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        self.keys.len = 0;
        self.keys.next = 0;
        NameKeyStream {
            tail: self.tokenizer.token_stream(text),
            folder: &mut self.folder,
            keys: &mut self.keys,
        }
    }
}

pub struct NameKeyStream<'a, T> {
    tail: T,
    folder: &'a mut Folder,
    keys: &'a mut Keys,
}

impl<T: TokenStream> TokenStream for NameKeyStream<'_, T> {
    fn advance(&mut self) -> bool {
        loop {
            if self.keys.next < self.keys.len {
                let token = self.tail.token_mut();
                token.text.clear();
                token.text.push_str(&self.keys.keys[self.keys.next]);
                self.keys.next += 1;
                return true;
            }
            if !self.tail.advance() {
                return false;
            }
            let token = self.tail.token_mut();
            if token.text.len() > MAX_NAME_BYTES {
                continue;
            }
            if let Some(key) = token.text.strip_prefix(KEY_MARK) {
                token.text = key.to_string();
                return true;
            }
            let keys = &mut *self.keys;
            keys.len = 0;
            keys.next = 0;
            self.folder.keys(&token.text, |k| {
                if keys.len == keys.keys.len() {
                    keys.keys.push(String::new());
                }
                keys.keys[keys.len].clear();
                keys.keys[keys.len].push_str(k);
                keys.len += 1;
            });
        }
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(text: &str) -> Vec<String> {
        let mut a = analyzer();
        let mut stream = a.token_stream(text);
        let mut out = Vec::new();
        stream.process(&mut |t| out.push(t.text.clone()));
        out
    }

    #[test]
    fn spellings_of_one_name_share_keys_across_scripts() {
        let az = keys("Hikmət Hacıyev");
        assert_eq!(az.len(), 2);
        assert_eq!(keys("Хикмет Гаджиев"), az);
        assert_eq!(keys("HIKMET HAJIYEV"), az);
        assert_eq!(keys("Məmmədov"), keys("Мамедов"));
        assert_eq!(keys("Məmmədov"), keys("Մամեդով"));
    }

    #[test]
    fn different_names_keep_different_keys() {
        assert_ne!(keys("Aliyev"), keys("Alakbarov"));
        assert_ne!(keys("Hasanov"), keys("Huseynov"));
    }

    #[test]
    fn words_without_letters_or_digits_vanish() {
        assert!(keys("— … ·").is_empty());
    }
}

#[cfg(test)]
mod search_tests {
    use crate::article::Article;
    use crate::index::{Index, SearchRequest};

    fn doc(id: &str, lang: &str, title: &str, body: &str) -> Article {
        Article {
            source: "s".into(),
            lang: lang.into(),
            fetched: chrono::Utc::now(),
            ..crate::index::tests::article(id, title, body)
        }
    }

    fn corpus() -> (tempfile::TempDir, Index) {
        let dir = tempfile::tempdir().expect("tempdir");
        let index = Index::open_or_create(dir.path()).expect("index");
        let mut w = index.writer().expect("writer");
        for a in [
            doc(
                "https://az.example/1",
                "az",
                "Hikmət Hacıyev jurnalistlərlə görüşüb",
                "Prezidentin köməkçisi Hikmət Hacıyev bəyanat verib.",
            ),
            doc(
                "https://ru.example/1",
                "ru",
                "Хикмет Гаджиев встретился с журналистами",
                "Помощник президента Хикмет Гаджиев сделал заявление.",
            ),
            doc(
                "https://hy.example/1",
                "hy",
                "Հիքմեթ Հաջիևը հանդիպել է լրագրողների հետ",
                "Նախագահի օգնական Հիքմեթ Հաջիևը հայտարարություն է արել։",
            ),
            doc(
                "https://en.example/1",
                "en",
                "Hikmet Hajiyev met journalists",
                "Presidential aide Hikmet Hajiyev made a statement.",
            ),
            doc(
                "https://en.example/2",
                "en",
                "Ali Alakbarov opened a school",
                "The minister Alakbarov visited Ganja.",
            ),
        ] {
            w.upsert(&a).expect("upsert");
        }
        w.commit().expect("commit");
        (dir, Index::open_read(index.dir()).expect("reader"))
    }

    fn urls(index: &Index, query: &str, exact: bool) -> Vec<String> {
        let request = SearchRequest {
            query: query.into(),
            limit: 10,
            exact,
            ..SearchRequest::default()
        };
        index
            .search(&request)
            .expect("search")
            .hits
            .into_iter()
            .map(|h| h.url)
            .collect()
    }

    #[test]
    fn one_spelling_finds_every_script_with_its_own_first() {
        let (_dir, index) = corpus();
        let found = urls(&index, "Hajiyev", false);
        assert_eq!(found.len(), 4, "{found:?}");
        assert_eq!(
            found[0], "https://en.example/1",
            "the spelling searched for ranks first"
        );
        let found = urls(&index, "Гаджиев", false);
        assert_eq!(found.len(), 4, "{found:?}");
        assert_eq!(found[0], "https://ru.example/1");
        assert!(!urls(&index, "Hajiyev", false).contains(&"https://en.example/2".to_string()));
    }

    #[test]
    fn exact_turns_folding_off() {
        let (_dir, index) = corpus();
        assert_eq!(urls(&index, "Hajiyev", true), ["https://en.example/1"]);
    }

    #[test]
    fn distractors_do_not_match() {
        let (_dir, index) = corpus();
        assert_eq!(urls(&index, "Aliyev", false), Vec::<String>::new());
        assert_eq!(urls(&index, "Alakbarov", false), ["https://en.example/2"]);
    }

    #[test]
    fn snippet_marks_the_documents_own_spelling() {
        let (_dir, index) = corpus();
        let request = SearchRequest {
            query: "Hajiyev".into(),
            limit: 10,
            ..SearchRequest::default()
        };
        let hits = index.search(&request).expect("search").hits;
        let ru = hits.iter().find(|h| h.lang == "ru").expect("ru hit");
        assert!(ru.snippet.contains("**Гаджиев**"), "{}", ru.snippet);
        let hy = hits.iter().find(|h| h.lang == "hy").expect("hy hit");
        assert!(hy.snippet.contains("**Հաջիևը**"), "{}", hy.snippet);
    }
}

#[cfg(test)]
mod name_word_tests {
    use super::name_words;

    fn words(text: &str) -> String {
        let mut out = String::new();
        name_words(text, &mut out);
        out
    }

    #[test]
    fn capitalised_words_and_caseless_scripts_are_kept() {
        assert_eq!(
            words("Prezident İlham Əliyev Bakıda çıxış edib"),
            "İlham Əliyev Bakıda"
        );
        assert_eq!(words("помощник Хикмет Гаджиев заявил"), "Хикмет Гаджиев");
        assert_eq!(words("օգնական Հիքմեթ Հաջիևը"), "Հիքմեթ Հաջիևը");
        assert_eq!(words("ირაკლი კობახიძე"), "ირაკლი კობახიძე");
        // Issue 16: common words at the start of a sentence and Georgian
        // common words are no names.
        assert_eq!(words("Bu gün Bakıda. Bax, Gəncə"), "Bakıda Gəncə");
        assert_eq!(words("თხილის მოსავალი ბაღში კარგი იყო"), "");
    }

    // Issue 16: a word capitalised at a sentence start and lowercase in
    // the middle of another sentence of the same text is a common word,
    // in any cased script.
    #[test]
    fn a_word_the_text_writes_in_lowercase_is_no_name() {
        assert_eq!(
            words("Widgets sold well in Baku. Buyers of widgets came from Ganja."),
            "Baku Buyers Ganja"
        );
        assert_eq!(
            words("Ларьки закрыли в Гяндже. Новые ларьки откроют летом."),
            "Гяндже"
        );
        // A name the text writes capitalised elsewhere stays a name.
        assert_eq!(words("Widgets met Widgets."), "Widgets Widgets");
    }

    // Issue 16: in Georgian, the word after a given name written before
    // a surname (without its `-ი`) is the surname, listed or not.
    #[test]
    fn georgian_surname_after_a_given_name() {
        assert_eq!(
            words("ლევან ქობალიას თქმით, ბაღში კარგი მოსავალია"),
            "ლევან ქობალიას"
        );
        // Not across punctuation, and not after the given name's full form.
        assert_eq!(words("ლევან, ქობალიას"), "ლევან");
        assert_eq!(words("ლევანი ქობალიას"), "ლევანი");
        // An unknown given name before an Armenian surname.
        assert_eq!(
            words("ჟურნალისტებმა ედმონ მარუქიანს ჰკითხეს"),
            "ედმონ მარუქიანს"
        );
    }
}
