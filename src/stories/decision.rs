//! The story decision for one new article (pure): given, for each of its
//! features, the stories of the recent articles that share it, join the
//! best-supported story, start a new one, or join one and merge others
//! into it.
//!
//! A feature's support is split among the stories that have it: a name
//! that five stories of the window mention (a president, a capital) gives
//! each a fifth, a name only one story mentions gives it all. So a famous
//! name, or a famous name and a place, weigh little however often they
//! recur, while the names and numbers particular to one event add up.
//!
//! Names and numbers decide (see `signature` for why words do not). The
//! decision asks for names and numbers the story is alone (or nearly)
//! to have, for a share of the article's own names and numbers (an article
//! about another event has many the story lacks), and, across languages,
//! for three of them: two leaders meet often, and their two names alone do
//! not tell one meeting from the next.

use super::signature::{FastMap, Kind};

/// The thresholds of the decision; [`Thresholds::default`] is what pressd
/// uses (chosen on `examples/stories_bench`).
#[derive(Debug, Clone, Copy)]
pub struct Thresholds {
    /// Support from names and numbers a story needs.
    pub support: f64,
    /// The share of the article's names and numbers the story must have.
    pub cover: f64,
    /// Support above which a second passing story is merged into the
    /// first.
    pub merge: f64,
    /// Names and numbers an article must share with a story that has
    /// articles in its language...
    pub shared_same_lang: usize,
    /// ...and with a story in other languages only.
    pub shared_other_lang: usize,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            support: 1.5,
            cover: 0.4,
            merge: 3.0,
            shared_same_lang: 2,
            shared_other_lang: 3,
        }
    }
}

/// An article of the window that shares a feature.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Shared {
    pub story: u64,
    pub same_lang: bool,
}

/// What to do with the article.
#[derive(Debug, Clone, PartialEq)]
pub enum Choice {
    /// A story of its own.
    New,
    /// Join `story`; the stories of `merge` join it too.
    Join { story: u64, merge: Vec<u64> },
}

#[derive(Debug, Default, Clone)]
struct Tally {
    support: f64,
    shared_cross: usize,
    same_lang: bool,
}

/// Decide for an article with `features`, where `postings[i]` lists the
/// window's articles having `features[i]`.
pub fn choose(features: &[u64], postings: &[Vec<Shared>], t: &Thresholds) -> Choice {
    let mut tallies: FastMap<u64, Tally> = FastMap::default();
    let mut stories: Vec<u64> = Vec::new();
    for (feature, shared) in features.iter().zip(postings) {
        if !Kind::of(*feature).crosses_languages() {
            continue;
        }
        stories.clear();
        stories.extend(shared.iter().map(|s| s.story));
        stories.sort_unstable();
        stories.dedup();
        if stories.is_empty() {
            continue;
        }
        let share = 1.0 / stories.len() as f64;
        for s in shared {
            tallies.entry(s.story).or_default().same_lang |= s.same_lang;
        }
        for story in &stories {
            let tally = tallies.entry(*story).or_default();
            tally.support += share;
            tally.shared_cross += 1;
        }
    }
    let cross = features
        .iter()
        .filter(|f| Kind::of(**f).crosses_languages())
        .count()
        .max(1);
    let mut passing: Vec<(u64, f64)> = tallies
        .into_iter()
        .filter(|(_, tally)| {
            let needed = if tally.same_lang {
                t.shared_same_lang
            } else {
                t.shared_other_lang
            };
            tally.support >= t.support
                && tally.shared_cross as f64 / cross as f64 >= t.cover
                && tally.shared_cross >= needed
        })
        .map(|(story, tally)| (story, tally.support))
        .collect();
    // The best first; among equals the oldest story.
    passing.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let Some(&(best, _)) = passing.first() else {
        return Choice::New;
    };
    let mut merge: Vec<u64> = passing[1..]
        .iter()
        .filter(|(_, support)| *support >= t.merge)
        .map(|(story, _)| *story)
        .collect();
    if merge.is_empty() {
        return Choice::Join { story: best, merge };
    }
    // The merged story keeps the oldest id.
    merge.push(best);
    merge.sort_unstable();
    let story = merge.remove(0);
    Choice::Join { story, merge }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feature(kind: Kind, n: u64) -> u64 {
        (n & !(3 << 62)) | ((kind as u64) << 62)
    }

    fn in_stories(stories: &[u64]) -> Vec<Shared> {
        stories
            .iter()
            .map(|s| Shared {
                story: *s,
                same_lang: false,
            })
            .collect()
    }

    #[test]
    fn names_and_numbers_of_one_story_join_it() {
        let features = [
            feature(Kind::Name, 1),
            feature(Kind::Name, 2),
            feature(Kind::Number, 3),
            feature(Kind::Name, 4),
        ];
        let postings = [in_stories(&[7]), in_stories(&[7]), in_stories(&[7]), vec![]];
        assert_eq!(
            choose(&features, &postings, &Thresholds::default()),
            Choice::Join {
                story: 7,
                merge: vec![]
            }
        );
    }

    #[test]
    fn a_famous_name_and_place_shared_with_many_stories_is_not_enough() {
        let features = [
            feature(Kind::Name, 1),
            feature(Kind::Name, 2),
            feature(Kind::Name, 3),
            feature(Kind::Number, 4),
        ];
        let postings = [in_stories(&[5, 6, 7]), in_stories(&[5, 7]), vec![], vec![]];
        assert_eq!(
            choose(&features, &postings, &Thresholds::default()),
            Choice::New
        );
    }

    #[test]
    fn a_story_split_in_two_is_merged_into_the_older() {
        let features: Vec<u64> = (1..=10).map(|n| feature(Kind::Name, n)).collect();
        let postings: Vec<Vec<Shared>> = (1..=10)
            .map(|n| {
                if n <= 5 {
                    in_stories(&[9])
                } else {
                    in_stories(&[4])
                }
            })
            .collect();
        assert_eq!(
            choose(&features, &postings, &Thresholds::default()),
            Choice::Join {
                story: 4,
                merge: vec![9]
            }
        );
    }
}
