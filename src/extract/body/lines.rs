//! What a block's text reads as, from the text alone: a sentence or a
//! paragraph, a label, a dateline or byline, a copyright notice, an ad
//! placeholder.

/// Whether a block reads like prose rather than a label or a link.
pub(super) fn ends_like_sentence(text: &str) -> bool {
    text.trim_end().chars().last().is_some_and(|c| {
        matches!(
            c,
            '.' | '!'
                | '?'
                | '…'
                | ':'
                | ';'
                | '"'
                | '»'
                | '”'
                | ')'
                | '։'
                | '。'
                | '！'
                | '？'
                | '」'
        )
    })
}

/// A copyright or rights notice ("© 2024 The Outlet. All rights
/// reserved."): the footer of a site, never a paragraph of its story,
/// whatever the container is called.
pub(super) fn is_legal_line(text: &str) -> bool {
    if text.chars().count() > 250 {
        return false;
    }
    if text.contains('©') || text.contains("(c) 20") || text.contains("(C) 20") {
        return true;
    }
    let t = text.to_lowercase();
    t.starts_with("copyright")
        || [
            "all rights reserved",
            "alle rechte vorbehalten",
            "sva prava pridržana",
            "sva prava zadržana",
            "tous droits réservés",
            "todos los derechos reservados",
            "tutti i diritti riservati",
            "все права защищены",
        ]
        .iter()
        .any(|p| t.contains(p))
}

/// "Advertisement" placeholders left where an ad slot was, in the
/// languages the daemon reads.
pub(super) fn is_ad_label(text: &str) -> bool {
    if text.len() > 40 {
        return false;
    }
    let t = text
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_lowercase();
    matches!(
        t.as_str(),
        "advertisement"
            | "advert"
            | "ad"
            | "ads"
            | "sponsored"
            | "реклама"
            | "reklam"
            | "reklama"
            | "գովազդ"
            | "რეკლამა"
    )
}

/// A block that reads as a sentence or paragraph, not a label.
pub(super) fn substantive(text: &str) -> bool {
    let len = latin_equivalent_len(text);
    len >= 80 || (len >= 30 && ends_like_sentence(text))
}

/// Length in Latin-script letters: a Chinese, Japanese or Korean character
/// carries about a word, so it counts for three.
pub(super) fn latin_equivalent_len(text: &str) -> usize {
    text.chars()
        .map(|c| match c {
            '\u{3040}'..='\u{30ff}'
            | '\u{3400}'..='\u{9fff}'
            | '\u{ac00}'..='\u{d7af}'
            | '\u{f900}'..='\u{faff}' => 3,
            _ => 1,
        })
        .sum()
}

/// A short line carrying a year: a dateline or "updated" stamp.
pub(super) fn dateline(text: &str) -> bool {
    if text.chars().count() > 80 {
        return false;
    }
    let b = text.as_bytes();
    b.windows(4).enumerate().any(|(i, w)| {
        (w.starts_with(b"19") || w.starts_with(b"20"))
            && w.iter().all(u8::is_ascii_digit)
            && (i == 0 || !b[i - 1].is_ascii_digit())
            && b.get(i + 4).is_none_or(|c| !c.is_ascii_digit())
    })
}

/// A short line carrying a year and a clock time: when a story went up
/// ("November 13, 2012 11:46 AM PST"), or the signature of a comment or a
/// forum post ("Posted by: Anna at November 8, 2012 7:22 AM").
pub(super) fn time_stamp(text: &str) -> bool {
    text.chars().count() <= 100 && dateline(text) && clock_time(text)
}

/// "7:22", "19:05": hours and minutes.
fn clock_time(text: &str) -> bool {
    let b = text.as_bytes();
    b.windows(3).enumerate().any(|(i, w)| {
        w[0].is_ascii_digit()
            && w[1] == b':'
            && w[2].is_ascii_digit()
            && b.get(i + 3).is_some_and(u8::is_ascii_digit)
            && b.get(i + 4).is_none_or(|c| !c.is_ascii_digit())
    })
}

/// A short "By NAME" line.
pub(super) fn byline(text: &str) -> bool {
    text.chars().count() <= 80 && ["By ", "BY ", "by "].iter().any(|p| text.starts_with(p))
}
