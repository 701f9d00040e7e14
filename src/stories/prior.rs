//! How many articles each story has in a time window (pure): what
//! `decision` weighs a shared name against (a name a tenth of the story's
//! articles have counts in full; one that few of its many articles have,
//! little).
//!
//! Kept: each story of more than one article with its count and the dates
//! of its first and last article, about 30 bytes a story (a few MB at a
//! million articles). Read from the state store when the assigner opens
//! and kept up as it assigns and merges.

use chrono::{DateTime, Utc};

use super::signature::FastMap;

const DAY_SECS: i64 = 86_400;

/// A story's articles and the dates of its first and last.
#[derive(Debug, Clone, Copy)]
struct Size {
    count: u32,
    /// Seconds since the epoch.
    first: i64,
    last: i64,
}

/// The sizes of the stories of more than one article.
#[derive(Debug, Default)]
pub struct Prior {
    stories: FastMap<u64, Size>,
}

impl Prior {
    /// An article dated `at` joined `story` (not called for an article
    /// that starts a story of its own).
    pub fn join(&mut self, story: u64, at: DateTime<Utc>) {
        let t = at.timestamp();
        self.stories
            .entry(story)
            .and_modify(|s| {
                s.count += 1;
                s.first = s.first.min(t);
                s.last = s.last.max(t);
            })
            // The article that started it is counted; its date is not
            // known here, this one's stands for both.
            .or_insert(Size {
                count: 2,
                first: t,
                last: t,
            });
    }

    /// A stored story of `count` articles dated `first` to `last` (when the
    /// assigner opens).
    pub fn stored(&mut self, story: u64, count: u32, first: DateTime<Utc>, last: DateTime<Utc>) {
        if count > 1 {
            self.stories.insert(
                story,
                Size {
                    count,
                    first: first.timestamp(),
                    last: last.timestamp(),
                },
            );
        }
    }

    /// `younger` was merged into `older`.
    pub fn merge(&mut self, younger: u64, older: u64) {
        if younger == older {
            return;
        }
        // A story not kept has one article, of a date not known here.
        let merged = match (self.stories.remove(&younger), self.stories.get(&older)) {
            (Some(y), Some(o)) => Size {
                count: y.count + o.count,
                first: y.first.min(o.first),
                last: y.last.max(o.last),
            },
            (Some(s), None) => Size {
                count: s.count + 1,
                ..s
            },
            (None, Some(s)) => Size {
                count: s.count + 1,
                ..*s
            },
            (None, None) => return,
        };
        self.stories.insert(older, merged);
    }

    /// The articles of `story` dated within `[from, to]`, estimated from
    /// its size and dates (a story longer than that is taken to be spread
    /// evenly over its time); 1 for a story of one article.
    pub fn size(&self, story: u64, from: DateTime<Utc>, to: DateTime<Utc>) -> f64 {
        let Some(s) = self.stories.get(&story) else {
            return 1.0;
        };
        let (from, to) = (from.timestamp(), to.timestamp());
        if s.last < from || s.first > to {
            return 1.0;
        }
        let span = (s.last - s.first).max(DAY_SECS);
        let overlap = (s.last.min(to) - s.first.max(from)).clamp(DAY_SECS, span);
        (s.count as f64 * overlap as f64 / span as f64).max(1.0)
    }

    /// Bytes held, about (the hash map's slots and control bytes).
    pub fn bytes(&self) -> usize {
        self.stories.capacity() * (std::mem::size_of::<(u64, Size)>() + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn day(d: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(d * DAY_SECS + 3600, 0)
            .single()
            .expect("date")
    }

    #[test]
    fn a_story_counts_its_articles_and_one_alone_counts_one() {
        let mut prior = Prior::default();
        for d in 1..4 {
            prior.join(1, day(d));
        }
        assert_eq!(prior.size(1, day(0), day(4)), 4.0);
        assert_eq!(prior.size(2, day(0), day(4)), 1.0);
    }

    #[test]
    fn a_long_story_counts_only_what_falls_in_the_window() {
        let mut prior = Prior::default();
        prior.stored(1, 100, day(0), day(100));
        // Two days of its hundred.
        assert!((prior.size(1, day(50), day(52)) - 2.0).abs() < 1e-9);
        assert_eq!(prior.size(1, day(200), day(202)), 1.0);
    }

    #[test]
    fn a_merged_story_adds_both() {
        let mut prior = Prior::default();
        prior.stored(1, 3, day(0), day(1));
        prior.stored(2, 5, day(1), day(2));
        prior.merge(2, 1);
        prior.merge(3, 1);
        assert_eq!(prior.size(1, day(0), day(3)), 9.0);
        assert_eq!(prior.size(2, day(0), day(3)), 1.0);
    }
}
