//! Checking `[[watch]]` tables, which live in the daemon file and in every
//! `*.toml` of `watches_dir` (`watches.d` beside the daemon file by
//! default). The keys and their checks are [`crate::watch::Keys`]'; this
//! module places their problems by file and line, refuses a secret written
//! inline, and checks ids as it does a source's.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use toml::de::DeTable;
use toml::Spanned;

use super::files::Document;
use super::sources::valid_id;
use super::Problem;
use crate::watch::keys::INLINE_SECRET_KEYS;
use crate::watch::{Keys, Watch};

/// Check the `[[watch]]` tables of `doc`, adding the good ones to `out`
/// and every problem of the others to `problems`.
pub(super) fn collect_watches<'a>(
    doc: &Document<'a>,
    tables: Vec<Spanned<DeTable<'a>>>,
    out: &mut Vec<Watch>,
    problems: &mut Vec<Problem>,
) {
    for (index, table) in tables.into_iter().enumerate() {
        let name = |key: &str| format!("watch[{index}].{key}");
        let span = table.span();
        let places: HashMap<String, std::ops::Range<usize>> = table
            .get_ref()
            .iter()
            .map(|(k, v)| (k.get_ref().to_string(), v.span()))
            .collect();
        let at = |key: &str| places.get(key).cloned().unwrap_or_else(|| span.clone());
        let before = problems.len();
        let mut table = table.into_inner();
        for key in INLINE_SECRET_KEYS {
            if table.remove(*key).is_some() {
                problems.push(
                    doc.problem(
                        Some(at(key)),
                        Some(name(key)),
                        "a secret is never written in the configuration: name an environment \
                     variable with webhook_secret_env, or a file with webhook_secret_file"
                            .into(),
                    ),
                );
            }
        }
        let read = doc.read::<Keys>(Spanned::new(span.clone(), table), &name);
        problems.extend(read.problems);
        let id = read.value.id.clone();
        if let Some(id) = &id {
            if !valid_id(id) {
                problems.push(doc.problem(
                    Some(at("id")),
                    Some(name("id")),
                    format!("'{id}' is not a valid id: use 1-64 characters among lowercase letters, digits, '.', '_' and '-'"),
                ));
            }
        }
        match read.value.check(doc.file) {
            Ok(watch) if problems.len() == before => out.push(watch),
            Ok(_) => {}
            Err(found) => problems.extend(
                found
                    .into_iter()
                    // A key whose value could not be read is reported once.
                    .filter(|p| !read.wrong.iter().any(|w| w == p.key))
                    .map(|p| doc.problem(Some(at(p.key)), Some(name(p.key)), p.message)),
            ),
        }
    }
}

/// Problems with watch ids used twice; the watches, shared.
pub(super) fn unique_watches(watches: Vec<Watch>, problems: &mut Vec<Problem>) -> Vec<Arc<Watch>> {
    let mut first_seen: HashMap<String, PathBuf> = HashMap::new();
    for w in &watches {
        if let Some(first) = first_seen.get(&w.id) {
            problems.push(Problem {
                file: w.file.clone(),
                position: None,
                key: Some("watch.id".into()),
                message: format!(
                    "duplicate watch id '{}' (already defined in {}); ids must be unique",
                    w.id,
                    first.display()
                ),
            });
        } else {
            first_seen.insert(w.id.clone(), w.file.clone());
        }
    }
    watches.into_iter().map(Arc::new).collect()
}
