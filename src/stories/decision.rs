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
//! A story is weighed by its own articles too: a name counts for it in
//! full only when a tenth of its articles in the window have it. Without
//! that a story chains: once it holds a good part of a few days' articles
//! it is among the articles of nearly every common name and number of
//! those days, gathers a little support from each, enough to take any
//! article, and grows the more for it (on the scale corpus, past about
//! 200,000 articles over six months, two stories took 70,000 articles
//! each of every outlet and language). An event's own names are in most
//! of its articles, however many.
//!
//! Names and numbers decide (see `signature` for why words do not). The
//! decision asks for names and numbers the story is alone (or nearly)
//! to have, for a share of the article's own names and numbers (an article
//! about another event has many the story lacks), and, across languages,
//! for three of them: two leaders meet often, and their two names alone do
//! not tell one meeting from the next. A brief that has only two asks for
//! both, as within a language: asked for three, it could join no story in
//! another language, and an event first covered by such briefs in two
//! languages was split in two stories that shared every name, each then
//! taking half of the support of the next report's names (the split
//! spreads: on `examples/stories_bench` with 600 events in a month, most of
//! the pairs missed were between fragments of one event).
//!
//! Support measures each name alone; a story that has all of the
//! article's names and numbers, three or more, has a combination that
//! the other stories of the window sharing one or two of them lack, and
//! needs less of it ([`Thresholds::full_support`]): in a busy week the
//! place, the day and the count of a report are each in a few stories,
//! and the one story that has them all got too little from each.

use super::signature::{Kind, QuickMap};

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
    /// The share of a story's articles in the window that must have a
    /// name or number (among those read) for it to count in full for
    /// that story; less counts in proportion.
    pub typical: f64,
    /// Support enough for a story that has every one of the article's
    /// names and numbers, when they are at least `shared_other_lang`.
    pub full_support: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            support: 1.5,
            cover: 0.4,
            merge: 3.0,
            shared_same_lang: 2,
            shared_other_lang: 3,
            typical: 0.1,
            full_support: 1.0,
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
/// window's articles having `features[i]` (or those of them read), and
/// `size(story)` is the number of the story's articles in the window (see
/// `prior`).
pub fn choose(
    features: &[u64],
    postings: &[Vec<Shared>],
    size: impl Fn(u64) -> f64,
    t: &Thresholds,
) -> Choice {
    // Sized for the stories of every posting at once: grown from empty,
    // they were rehashed three or four times an article.
    let postings_len = postings.iter().map(Vec::len).sum();
    let mut tallies: QuickMap<u64, Tally> =
        QuickMap::with_capacity_and_hasher(postings_len, Default::default());
    let mut sizes: QuickMap<u64, f64> =
        QuickMap::with_capacity_and_hasher(postings_len, Default::default());
    let mut stories: Vec<(u64, usize)> = Vec::new();
    for (feature, shared) in features.iter().zip(postings) {
        if !Kind::of(*feature).crosses_languages() {
            continue;
        }
        stories.clear();
        stories.extend(shared.iter().map(|s| (s.story, 1)));
        stories.sort_unstable();
        stories.dedup_by(|b, a| {
            let same = a.0 == b.0;
            if same {
                a.1 += b.1;
            }
            same
        });
        if stories.is_empty() {
            continue;
        }
        let share = 1.0 / stories.len() as f64;
        for s in shared {
            tallies.entry(s.story).or_default().same_lang |= s.same_lang;
        }
        for &(story, held) in &stories {
            // A feature counts in full for a story when a good share of
            // the story's articles have it (as far as read): a story of
            // thousands holds every common name somewhere, in few of its
            // articles; an event's names are in most of its own.
            let size = *sizes.entry(story).or_insert_with(|| size(story));
            let typical = (held as f64 / (t.typical * size)).min(1.0);
            let tally = tallies.entry(story).or_default();
            tally.support += share * typical;
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
            // Across languages, as many as asked for or all the article
            // has (a brief), but never fewer than within one.
            let needed = if tally.same_lang {
                t.shared_same_lang
            } else {
                t.shared_other_lang.min(cross).max(t.shared_same_lang)
            };
            let support = if tally.shared_cross == cross && cross >= t.shared_other_lang {
                t.full_support.min(t.support)
            } else {
                t.support
            };
            tally.support >= support
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

    /// Postings of articles of `stories`, in the article's language or not.
    fn sharing(stories: &[u64], same_lang: bool) -> Vec<Shared> {
        stories
            .iter()
            .map(|s| Shared {
                story: *s,
                same_lang,
            })
            .collect()
    }

    fn in_stories(stories: &[u64]) -> Vec<Shared> {
        sharing(stories, false)
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
            choose(&features, &postings, |_| 1.0, &Thresholds::default()),
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
            choose(&features, &postings, |_| 1.0, &Thresholds::default()),
            Choice::New
        );
    }

    fn in_lang(stories: &[u64]) -> Vec<Shared> {
        sharing(stories, true)
    }

    #[test]
    fn a_brief_joins_a_story_in_another_language_that_has_both_its_names() {
        let features = [feature(Kind::Name, 1), feature(Kind::Number, 2)];
        let t = Thresholds::default();
        let postings = [in_stories(&[7]), in_stories(&[7])];
        assert_eq!(
            choose(&features, &postings, |_| 1.0, &t),
            Choice::Join {
                story: 7,
                merge: vec![]
            }
        );
        // Not when they are in many stories (two leaders who meet often)...
        let postings = [in_stories(&[5, 6, 7]), in_stories(&[5, 6, 7])];
        assert_eq!(choose(&features, &postings, |_| 1.0, &t), Choice::New);
        // ...and an article with three asks for the three.
        let features = [
            feature(Kind::Name, 1),
            feature(Kind::Number, 2),
            feature(Kind::Name, 3),
        ];
        let postings = [in_stories(&[7]), in_stories(&[7]), vec![]];
        assert_eq!(choose(&features, &postings, |_| 1.0, &t), Choice::New);
    }

    #[test]
    fn a_story_with_all_of_the_articles_names_needs_less_support() {
        // Place, day and count, each in one or two other stories too: the
        // one story that has all three gets 1/3 + 1/2 + 1/2.
        let features = [
            feature(Kind::Name, 1),
            feature(Kind::Number, 2),
            feature(Kind::Number, 3),
        ];
        let t = Thresholds::default();
        let postings = [in_lang(&[4, 5, 7]), in_lang(&[6, 7]), in_lang(&[7, 8])];
        assert_eq!(
            choose(&features, &postings, |_| 1.0, &t),
            Choice::Join {
                story: 7,
                merge: vec![]
            }
        );
        // With a fourth name it lacks, the same support is not enough.
        let features = [
            feature(Kind::Name, 1),
            feature(Kind::Number, 2),
            feature(Kind::Number, 3),
            feature(Kind::Name, 9),
        ];
        let postings = [
            in_lang(&[4, 5, 7]),
            in_lang(&[6, 7]),
            in_lang(&[7, 8]),
            vec![],
        ];
        assert_eq!(choose(&features, &postings, |_| 1.0, &t), Choice::New);
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
            choose(&features, &postings, |_| 1.0, &Thresholds::default()),
            Choice::Join {
                story: 4,
                merge: vec![9]
            }
        );
    }

    #[test]
    fn a_large_story_gains_little_from_names_few_of_its_articles_have() {
        let features: Vec<u64> = (1..=6).map(|n| feature(Kind::Name, n)).collect();
        // Story 7 is in a third of each name's articles, each time through
        // one of its 100 articles.
        let postings: Vec<Vec<Shared>> = (0..6u64)
            .map(|n| in_stories(&[7, 100 + 2 * n, 101 + 2 * n]))
            .collect();
        let t = Thresholds::default();
        assert!(matches!(
            choose(&features, &postings, |_| 1.0, &t),
            Choice::Join { story: 7, .. }
        ));
        assert_eq!(
            choose(
                &features,
                &postings,
                |s| if s == 7 { 100.0 } else { 1.0 },
                &t
            ),
            Choice::New
        );
    }
}
