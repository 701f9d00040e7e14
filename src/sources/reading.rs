//! How completely a poll read the document it fetched: how many entries
//! the document holds, how many became items, how many were skipped and
//! why, and whether the document had to be repaired or read past its XML
//! errors. A feed poll reports one; the scheduler stores it with the
//! source and health judges it, so that a feed that has entries but yields
//! nothing is never reported as healthy.

use serde::{Deserialize, Serialize};

/// Which reader produced the items.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Reader {
    /// The document as served, by the strict parser (feed-rs).
    Strict,
    /// The strict parser, after repairs to the document's text.
    Repaired,
    /// The lenient reader, which reads whatever entries it can find: for
    /// a document the strict parser rejects even after repair, or from
    /// which it reads fewer entries than the document has.
    Lenient,
}

impl Reader {
    pub fn as_str(self) -> &'static str {
        match self {
            Reader::Strict => "strict",
            Reader::Repaired => "repaired",
            Reader::Lenient => "lenient",
        }
    }
}

/// The account of one document's reading. Every entry of the document is
/// in exactly one of: `items`, `unreadable`, `without_link`, or a duplicate
/// of an earlier entry's link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reading {
    pub reader: Reader,
    /// Entries (`<item>`, `<entry>`) the document holds.
    pub entries: u32,
    /// Entries that became items.
    pub items: u32,
    /// Entries skipped because they could not be read.
    pub unreadable: u32,
    /// Entries read that have no usable http(s) link.
    pub without_link: u32,
    /// What was changed in the document's text before it could be read
    /// ("DOCTYPE dropped", "bare & escaped").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub repairs: Vec<String>,
    /// The first XML error of the document as served, with line and
    /// column; `None` when it is well-formed (or was not checked because
    /// the strict parser read it as it is).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub xml_error: Option<String>,
    /// Why the first unreadable entry could not be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

impl Reading {
    /// A document read as it is, every entry accounted for by the counts.
    pub fn strict(entries: u32, items: u32, without_link: u32) -> Reading {
        Reading {
            reader: Reader::Strict,
            entries,
            items,
            unreadable: 0,
            without_link,
            repairs: Vec::new(),
            xml_error: None,
            problem: None,
        }
    }

    /// The document has entries but yielded no item, or lost some entries
    /// it could not read: the source must not pass for healthy.
    pub fn is_degraded(&self) -> bool {
        self.entries > 0 && (self.items == 0 || self.unreadable > 0)
    }

    /// The document was not well-formed and was read anyway (after repairs,
    /// or by the lenient reader): nothing may be lost, but the publisher's
    /// feed is broken and other readers may fail on it. (Repairs made to a
    /// well-formed document, such as expanding the entities its DOCTYPE
    /// declares, do not count: there is nothing wrong with it.)
    pub fn is_repaired(&self) -> bool {
        self.xml_error.is_some()
    }

    /// One line for the operator, or `None` for a clean reading:
    /// "3 of 20 entries unreadable: …", "none of the 4 entries has a
    /// usable link", "read after repair (bare & escaped): …".
    pub fn summary(&self) -> Option<String> {
        let mut parts = Vec::new();
        if self.unreadable > 0 {
            let mut part = format!("{} of {} entries unreadable", self.unreadable, self.entries);
            if let Some(problem) = &self.problem {
                part.push_str(": ");
                part.push_str(problem);
            }
            parts.push(part);
        }
        if self.items == 0 && self.without_link > 0 {
            parts.push(if self.without_link == self.entries {
                format!(
                    "none of the {} entries has a usable http(s) link",
                    self.entries
                )
            } else {
                format!(
                    "{} of {} entries have no usable http(s) link",
                    self.without_link, self.entries
                )
            });
        }
        if self.is_repaired() {
            let mut part = "read after repair".to_owned();
            if !self.repairs.is_empty() {
                part.push_str(&format!(" ({})", self.repairs.join(", ")));
            }
            if let Some(error) = &self.xml_error {
                part.push_str(&format!(" of malformed XML at {error}"));
            }
            parts.push(part);
        }
        (!parts.is_empty()).then(|| parts.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn degraded_when_entries_yield_nothing_or_are_lost() {
        let clean = Reading::strict(20, 20, 0);
        assert!(!clean.is_degraded() && !clean.is_repaired());
        assert_eq!(clean.summary(), None);
        // Some entries without links: the feed's content, not a problem.
        assert!(!Reading::strict(20, 15, 5).is_degraded());
        // No entries at all: an empty feed, not a degraded one.
        assert!(!Reading::strict(0, 0, 0).is_degraded());

        let linkless = Reading::strict(4, 0, 4);
        assert!(linkless.is_degraded());
        assert_eq!(
            linkless.summary().as_deref(),
            Some("none of the 4 entries has a usable http(s) link")
        );

        let lost = Reading {
            reader: Reader::Lenient,
            unreadable: 3,
            items: 17,
            repairs: vec!["bare & escaped".into()],
            xml_error: Some("line 40, column 7: unclosed CDATA section".into()),
            problem: Some("line 40, column 7: unclosed CDATA section".into()),
            ..Reading::strict(20, 17, 0)
        };
        assert!(lost.is_degraded() && lost.is_repaired());
        assert_eq!(
            lost.summary().as_deref(),
            Some(
                "3 of 20 entries unreadable: line 40, column 7: unclosed CDATA section; \
                 read after repair (bare & escaped) of malformed XML at line 40, column 7: \
                 unclosed CDATA section"
            )
        );
    }

    #[test]
    fn stored_as_json_and_read_back() {
        let r = Reading {
            reader: Reader::Repaired,
            repairs: vec!["DOCTYPE dropped".into()],
            ..Reading::strict(2, 2, 0)
        };
        let json = serde_json::to_string(&r).expect("json");
        assert_eq!(
            json,
            r#"{"reader":"repaired","entries":2,"items":2,"unreadable":0,"without_link":0,"repairs":["DOCTYPE dropped"]}"#
        );
        assert_eq!(serde_json::from_str::<Reading>(&json).expect("back"), r);
    }
}
