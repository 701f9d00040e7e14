//! `char::is_alphabetic`, `char::is_alphanumeric` and `char::to_lowercase`,
//! answered from a table for the scripts the press we follow writes in.
//!
//! The standard library answers ASCII at once but every other letter with a
//! search through the Unicode tables, and Armenian, Georgian, Cyrillic and
//! Azerbaijani text is nearly all such letters: word splitting for the
//! index, the name keys and language identification spent a quarter of
//! indexing time there (perf on the scale corpus). The table is filled
//! from the standard library's own answers, so both agree on every
//! character by construction; characters past it go to the standard
//! library.

use std::sync::LazyLock;

/// Characters below this are answered from the table: Latin with its
/// extensions, Greek, Cyrillic, Armenian, Hebrew, Arabic, Georgian and the
/// phonetic and Latin Extended Additional blocks, up to the punctuation
/// block.
const TABLE_END: u32 = 0x2000;

const WORDS: usize = TABLE_END as usize / 64;

struct Table {
    alphabetic: [u64; WORDS],
    alphanumeric: [u64; WORDS],
    /// The lowercase of each character below [`TABLE_END`] whose
    /// lowercase is one character (all but `İ`, which gets `None`).
    lower: Box<[Option<char>]>,
}

static TABLE: LazyLock<Table> = LazyLock::new(|| {
    let mut table = Table {
        alphabetic: [0; WORDS],
        alphanumeric: [0; WORDS],
        lower: vec![None; TABLE_END as usize].into_boxed_slice(),
    };
    for c in (0..TABLE_END).filter_map(char::from_u32) {
        let mut lower = c.to_lowercase();
        if let (Some(one), None) = (lower.next(), lower.next()) {
            table.lower[c as usize] = Some(one);
        }
        let (word, bit) = (c as usize / 64, c as u32 % 64);
        table.alphabetic[word] |= u64::from(c.is_alphabetic()) << bit;
        table.alphanumeric[word] |= u64::from(c.is_alphanumeric()) << bit;
    }
    table
});

fn lookup(bits: &[u64; WORDS], c: char) -> bool {
    let u = c as usize;
    bits[u / 64] >> (u % 64) & 1 == 1
}

/// The same as [`char::is_alphabetic`].
#[inline]
pub fn is_alphabetic(c: char) -> bool {
    match c as u32 {
        0..0x80 => c.is_ascii_alphabetic(),
        0x80..TABLE_END => lookup(&TABLE.alphabetic, c),
        _ => c.is_alphabetic(),
    }
}

/// The same as [`char::is_alphanumeric`].
#[inline]
pub fn is_alphanumeric(c: char) -> bool {
    match c as u32 {
        0..0x80 => c.is_ascii_alphanumeric(),
        0x80..TABLE_END => lookup(&TABLE.alphanumeric, c),
        _ => c.is_alphanumeric(),
    }
}

/// Appends the lowercase of `c` to `out`, as `out.extend(c.to_lowercase())`.
#[inline]
pub fn push_lowercase(out: &mut String, c: char) {
    for_each_lowercase(c, |lower| out.push(lower));
}

/// Gives each character of the lowercase of `c` to `each`, as
/// `c.to_lowercase().for_each(each)`: for callers that hash the letters
/// rather than keep them.
#[inline]
pub fn for_each_lowercase(c: char, mut each: impl FnMut(char)) {
    match c as u32 {
        0..0x80 => each(c.to_ascii_lowercase()),
        0x80..TABLE_END => match TABLE.lower[c as usize] {
            Some(lower) => each(lower),
            None => c.to_lowercase().for_each(each),
        },
        _ => c.to_lowercase().for_each(each),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_the_standard_library_everywhere() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            assert_eq!(is_alphabetic(c), c.is_alphabetic(), "{c:?}");
            assert_eq!(is_alphanumeric(c), c.is_alphanumeric(), "{c:?}");
            let mut ours = String::new();
            push_lowercase(&mut ours, c);
            assert_eq!(ours, c.to_lowercase().collect::<String>(), "{c:?}");
            let mut each = String::new();
            for_each_lowercase(c, |l| each.push(l));
            assert_eq!(each, ours, "{c:?}");
        }
    }
}
