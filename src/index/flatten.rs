//! The parsed query rewritten into the shape tantivy runs fastest, with
//! the same matches and the same scores.
//!
//! The query parser and the field expansion of `search` nest a boolean
//! query per word (its folded, stemmed and name-key fields), inside one per
//! clause of the user's text, inside the one that adds the filters. Tantivy
//! takes its fast paths only on flat shapes: a union of term queries is
//! searched with block-max WAND (whole blocks of postings whose best score
//! cannot enter the top hits are skipped), an intersection of term queries
//! with its block-max counterpart; a nested union is a union of unions,
//! every document of which is visited and scored. A union's score is the
//! sum of its matching parts, so splicing a union into a union, or an
//! intersection into an intersection, changes neither what matches nor
//! how it scores; a boolean query of one clause is that clause.

use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};

/// `query` with nested unions and intersections spliced into their
/// parents and one-clause boolean queries replaced by their clause.
pub(super) fn flatten(query: Box<dyn Query>) -> Box<dyn Query> {
    let Some(boolean) = query.downcast_ref::<BooleanQuery>() else {
        return query;
    };
    // With a minimum above one, the number of matching clauses counts:
    // splicing would change it.
    if boolean.get_minimum_number_should_match() > 1 {
        return query;
    }
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::with_capacity(boolean.clauses().len());
    for (occur, child) in boolean.clauses() {
        let child = flatten(child.box_clone());
        match splice(*occur, &*child) {
            Some(parts) => clauses.extend(parts),
            None => clauses.push((*occur, child)),
        }
    }
    if let [(Occur::Must | Occur::Should, _)] = clauses.as_slice() {
        if let Some((_, only)) = clauses.pop() {
            return only;
        }
    }
    Box::new(BooleanQuery::new(clauses))
}

/// Whether tantivy can skip postings when it looks for the top hits of
/// `query` by score: a term, or a union or an intersection of terms (its
/// block-max paths). Any other shape has every match scored anyway, and
/// then counting the matches in the same pass costs least.
pub(super) fn prunable(query: &dyn Query) -> bool {
    // A boosted query does not show what it boosts; one of a single term
    // is, from the query parser, a term query (a phrase has two or more).
    // A wrong guess costs time, never a wrong result.
    fn term(query: &dyn Query) -> bool {
        if query.downcast_ref::<TermQuery>().is_some() {
            return true;
        }
        if query.downcast_ref::<BoostQuery>().is_none() {
            return false;
        }
        let mut terms = 0;
        query.query_terms(&mut |_, _| terms += 1);
        terms == 1
    }
    if term(query) {
        return true;
    }
    let Some(boolean) = query.downcast_ref::<BooleanQuery>() else {
        return false;
    };
    let clauses = boolean.clauses();
    let all = |occur: Occur| clauses.iter().all(|(o, q)| *o == occur && term(&**q));
    !clauses.is_empty()
        && boolean.get_minimum_number_should_match() <= 1
        && (all(Occur::Should) || all(Occur::Must))
}

/// The clauses of `child` to put in its parent's place when `child` is a
/// boolean query whose clauses all have the parent's `occur` (a union in
/// a union's place, an intersection in an intersection's).
fn splice(occur: Occur, child: &dyn Query) -> Option<Vec<(Occur, Box<dyn Query>)>> {
    if occur == Occur::MustNot {
        return None;
    }
    let boolean = child.downcast_ref::<BooleanQuery>()?;
    let same = !boolean.clauses().is_empty()
        && boolean.get_minimum_number_should_match() <= 1
        && boolean.clauses().iter().all(|(o, _)| *o == occur);
    same.then(|| {
        boolean
            .clauses()
            .iter()
            .map(|(o, q)| (*o, q.box_clone()))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::schema::{IndexRecordOption, Schema, TEXT};
    use tantivy::Term;

    fn term(word: &str) -> Box<dyn Query> {
        let mut schema = Schema::builder();
        let field = schema.add_text_field("body", TEXT);
        Box::new(TermQuery::new(
            Term::from_field_text(field, word),
            IndexRecordOption::WithFreqs,
        ))
    }

    fn union(parts: Vec<Box<dyn Query>>) -> Box<dyn Query> {
        Box::new(BooleanQuery::union(parts))
    }

    fn shape(query: &dyn Query) -> String {
        match query.downcast_ref::<BooleanQuery>() {
            Some(b) => {
                let parts: Vec<String> = b
                    .clauses()
                    .iter()
                    .map(|(o, q)| {
                        let mark = match o {
                            Occur::Must => '+',
                            Occur::Should => '?',
                            Occur::MustNot => '-',
                        };
                        format!("{mark}{}", shape(&**q))
                    })
                    .collect();
                format!("({})", parts.join(" "))
            }
            None if query.downcast_ref::<TermQuery>().is_some() => "t".to_owned(),
            None if query.downcast_ref::<BoostQuery>().is_some() => "b".to_owned(),
            None => "?".to_owned(),
        }
    }

    #[test]
    fn unions_of_unions_become_one_union() {
        let boosted = Box::new(BoostQuery::new(term("a"), 2.0));
        let names = Box::new(BooleanQuery::new(vec![(
            Occur::Must,
            union(vec![term("k1"), term("k2")]),
        )]));
        let word = union(vec![union(vec![boosted, term("b")]), names]);
        let outer = Box::new(BooleanQuery::new(vec![(Occur::Must, word)]));
        assert_eq!(shape(&*flatten(outer)), "(?b ?t ?t ?t)");
    }

    #[test]
    fn intersections_keep_their_unions_and_exclusions_stay() {
        let and = Box::new(BooleanQuery::new(vec![
            (Occur::Must, union(vec![term("a"), term("b")])),
            (
                Occur::Must,
                Box::new(BooleanQuery::intersection(vec![term("c"), term("d")])),
            ),
            (Occur::MustNot, union(vec![term("e"), term("f")])),
        ]));
        assert_eq!(shape(&*flatten(and)), "(+(?t ?t) +t +t -(?t ?t))");
    }

    #[test]
    fn a_minimum_of_matching_clauses_is_left_alone() {
        let mut two_of = BooleanQuery::union(vec![term("a"), union(vec![term("b"), term("c")])]);
        two_of.set_minimum_number_should_match(2);
        assert_eq!(shape(&*flatten(Box::new(two_of))), "(?t ?(?t ?t))");
    }
}
