//! Evidence from a word in Arabic script: Arabic against Persian by their
//! commonest words and the Arabic article.

use super::scores::{Scan, AR, FA};

pub(super) fn arabic_word(out: &mut Scan, w: &str) {
    let mask = match w {
        "في" | "على" | "إلى" | "التي" | "الذي" | "عن" | "أن" | "هذا" | "هذه" | "كان" | "قد"
        | "ما" | "لا" | "مع" => AR,
        "در" | "به" | "از" | "که" | "را" | "این" | "است" | "با" | "برای" | "آن" | "های" | "می"
        | "هم" | "بود" | "شد" | "یک" | "تا" => FA,
        _ => 0,
    };
    if mask != 0 {
        out.add(mask, 1.0);
    }
    // The article al- is Arabic grammar; Persian has it only in loans.
    if w.starts_with("ال") && w.len() > 6 {
        out.add(AR, 0.3);
    }
}
