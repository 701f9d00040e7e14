//! The cross-script name path of the index: every word of a document is also
//! indexed as its [`crate::names`] key, one Latin skeleton per name whatever
//! the script it was written in ("Hacıyev", "Гаджиев", "Հաջիև" and "Hajiyev"
//! share one key). Queries on this field find the other spellings; they are
//! scored below exact matches, and `--exact` leaves the field out.

use std::mem;

use tantivy::tokenizer::{TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer};

use super::analysis::WordTokenizer;
use crate::names::Folder;

/// Name under which the analyzer is registered; stored in the schema.
pub const NAMES_TOKENIZER: &str = "pressd_names";

/// Words longer than this (in bytes) are not names: base64, glued URLs.
const MAX_NAME_BYTES: usize = 120;

/// Words, then their name keys. Words without a key (no letter or digit)
/// are dropped.
pub fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(WordTokenizer::default())
        .filter(NameKey)
        .build()
}

/// Replaces each token by its name key.
#[derive(Clone, Copy, Debug, Default)]
pub struct NameKey;

impl TokenFilter for NameKey {
    type Tokenizer<T: Tokenizer> = NameKeyFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> NameKeyFilter<T> {
        NameKeyFilter {
            tokenizer,
            folder: Folder::new(),
            buffer: String::new(),
        }
    }
}

#[derive(Clone)]
pub struct NameKeyFilter<T> {
    tokenizer: T,
    folder: Folder,
    buffer: String,
}

impl<T: Tokenizer> Tokenizer for NameKeyFilter<T> {
    type TokenStream<'a> = NameKeyStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        NameKeyStream {
            tail: self.tokenizer.token_stream(text),
            folder: &mut self.folder,
            buffer: &mut self.buffer,
        }
    }
}

pub struct NameKeyStream<'a, T> {
    tail: T,
    folder: &'a mut Folder,
    buffer: &'a mut String,
}

impl<T: TokenStream> TokenStream for NameKeyStream<'_, T> {
    fn advance(&mut self) -> bool {
        while self.tail.advance() {
            let token = self.tail.token_mut();
            if token.text.len() > MAX_NAME_BYTES {
                continue;
            }
            self.buffer.clear();
            self.folder.key_into(&token.text, self.buffer);
            if self.buffer.is_empty() {
                continue;
            }
            mem::swap(&mut token.text, self.buffer);
            return true;
        }
        false
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
