//! The index schema, its field handles, and the schema version kept next to
//! the index so that a later pressd can tell an index it cannot read.

use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use tantivy::schema::{
    DateOptions, DateTimePrecision, Field, IndexRecordOption, Schema, TextFieldIndexing,
    TextOptions, FAST, STORED, STRING,
};

use super::analysis::{stem_tokenizer, FOLD_TOKENIZER};
use super::names::NAMES_TOKENIZER;
use super::stem::LANGUAGES;
use super::IndexError;

/// Bump whenever the schema or the analysis changes in a way that makes an
/// existing index wrong to read or extend (new field, other tokenizer, other
/// folding). Written to [`VERSION_FILE`] when an index is created.
///
/// Version 2 added the stemmed fields of every language in
/// [`LANGUAGES`](super::stem::LANGUAGES); version 3 the `names` field.
///
/// Since issue 13 the stemmed fields are declared but no longer filled:
/// search finds other forms of a word in the folded `title` and `body`,
/// which every document has (see [`forms`](super::forms)). The version
/// stays 3 because nothing an earlier pressd wrote is read differently: an
/// index filled for months keeps its stemmed postings, unread, and its
/// documents match through their folded fields like new ones, with no
/// rebuild (the unread postings shrink away as merges drop deleted
/// documents, and new documents add none). An earlier pressd reading an
/// index written since would find the new documents' exact forms only.
pub const SCHEMA_VERSION: u32 = 3;

/// File in the index directory holding [`SCHEMA_VERSION`]. Tantivy ignores
/// files it did not create, so it survives merges and garbage collection.
pub const VERSION_FILE: &str = "pressd-schema-version";

/// Handles of every field, resolved once per opened index.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// Document identity: the canonical URL. Exact-match term.
    pub id: Field,
    /// The link shown in results ([`crate::article::Article::url`]). Stored only.
    pub url: Field,
    pub source: Field,
    pub lang: Field,
    /// What the document was made from: `article` or `post` (see
    /// [`crate::item::ItemKind`]).
    pub kind: Field,
    pub title: Field,
    pub body: Field,
    /// One value per author.
    pub authors: Field,
    pub published: Field,
    pub fetched: Field,
    /// Title, body and authors as cross-script name keys (see
    /// [`super::names`]); indexed only.
    pub names: Field,
}

/// Field names of the stemmed title and body of the language `code`.
fn stem_field_names(code: &str) -> (String, String) {
    (format!("title_{code}"), format!("body_{code}"))
}

/// Builds the schema and its field handles.
pub fn build() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let folded_text = TextOptions::default()
        .set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(FOLD_TOKENIZER)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
        .set_stored();
    let date = DateOptions::default()
        .set_indexed()
        .set_stored()
        .set_fast()
        .set_precision(DateTimePrecision::Seconds);
    let fields = Fields {
        id: builder.add_text_field("id", STRING | STORED),
        url: builder.add_text_field("url", STORED),
        source: builder.add_text_field("source", STRING | STORED | FAST),
        lang: builder.add_text_field("lang", STRING | STORED | FAST),
        kind: builder.add_text_field("kind", STRING | STORED),
        title: builder.add_text_field("title", folded_text.clone()),
        body: builder.add_text_field("body", folded_text.clone()),
        authors: builder.add_text_field("authors", folded_text),
        published: builder.add_date_field("published", date.clone()),
        fetched: builder.add_date_field("fetched", date),
        names: builder.add_text_field(
            "names",
            TextOptions::default().set_indexing_options(
                // No positions: a name query matches word by word (quoted
                // text goes to the exact fields), which keeps the field small.
                TextFieldIndexing::default()
                    .set_tokenizer(NAMES_TOKENIZER)
                    .set_index_option(IndexRecordOption::WithFreqs),
            ),
        ),
    };
    // The stemmed title and body of each language, after the fields above
    // as before: filled by schema-3 indexes written before issue 13 and
    // declared so that those open unchanged; no longer written or read
    // (see [`SCHEMA_VERSION`]), so no handle is kept.
    for language in LANGUAGES {
        let stemmed_text = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(&stem_tokenizer(language.code))
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        let (title, body) = stem_field_names(language.code);
        builder.add_text_field(&title, stemmed_text.clone());
        builder.add_text_field(&body, stemmed_text);
    }
    (builder.build(), fields)
}

fn version_path(dir: &Path) -> PathBuf {
    dir.join(VERSION_FILE)
}

/// Records [`SCHEMA_VERSION`] in `dir`.
pub fn write_version(dir: &Path) -> Result<(), IndexError> {
    fs::write(version_path(dir), format!("{SCHEMA_VERSION}\n")).map_err(|e| IndexError::Io {
        path: dir.display().to_string(),
        action: format!("cannot write {VERSION_FILE}"),
        source: e,
    })
}

/// The schema version recorded in `dir`, `None` when no version file exists.
pub fn read_version(dir: &Path) -> Result<Option<u32>, IndexError> {
    let open_error = |message: String| IndexError::Open {
        path: dir.display().to_string(),
        message,
    };
    match fs::read_to_string(version_path(dir)) {
        Ok(text) => text.trim().parse().map(Some).map_err(|_| {
            open_error(format!(
                "{VERSION_FILE} holds {text:?}, not a version number"
            ))
        }),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
        Err(e) => Err(IndexError::Io {
            path: dir.display().to_string(),
            action: format!("cannot read {VERSION_FILE}"),
            source: e,
        }),
    }
}
