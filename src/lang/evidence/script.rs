//! Which script a letter belongs to, as far as the choice of candidate
//! languages needs it.

/// The script a letter belongs to, as far as the decision needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Script {
    Latin,
    Cyrillic,
    Armenian,
    Georgian,
    Arabic,
    Other,
}

pub(super) fn script_of(c: char) -> Script {
    match c {
        'a'..='z' | 'A'..='Z' => Script::Latin,
        '\u{00C0}'..='\u{024F}' | '\u{0259}' | '\u{1E00}'..='\u{1EFF}' => Script::Latin,
        '\u{0400}'..='\u{052F}' => Script::Cyrillic,
        '\u{0531}'..='\u{058F}' | '\u{FB13}'..='\u{FB17}' => Script::Armenian,
        '\u{10A0}'..='\u{10FF}' | '\u{1C90}'..='\u{1CBF}' | '\u{2D00}'..='\u{2D2F}' => {
            Script::Georgian
        }
        '\u{0600}'..='\u{06FF}'
        | '\u{0750}'..='\u{077F}'
        | '\u{08A0}'..='\u{08FF}'
        | '\u{FB50}'..='\u{FDFF}'
        | '\u{FE70}'..='\u{FEFF}' => Script::Arabic,
        _ => Script::Other,
    }
}
