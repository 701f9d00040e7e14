//! Evidence from single letters: which alphabets have a letter at all, and
//! a few spellings two letters long.

use super::scores::{
    Scan, AR, ARABIC, AZ, CYRILLIC, DE, EN, ES, FA, FR, IT, LATIN, PT, RU, TR, UK,
};

/// Evidence from one lowercased letter (and the one before it).
pub(super) fn letter(out: &mut Scan, c: char, prev: char) {
    match c {
        // Latin: which alphabets have the letter at all.
        'ə' => {
            out.schwas += 1;
            out.mark(LATIN, AZ, 2.0, 3.0)
        }
        'ı' | 'ğ' | 'ş' => out.mark(LATIN, TR | AZ, 0.5, 1.5),
        // Turkish decoded as Latin-1 instead of Windows-1254, common on the
        // web: ı, ş, ğ turn into ý, þ, ð (ý is also Czech, so weaker).
        'þ' | 'ð' => out.mark(LATIN, TR, 0.5, 1.5),
        'ý' => out.mark(LATIN, TR, 0.3, 0.5),
        'q' | 'x' => out.mark(TR | AZ, AZ, 0.5, 1.2),
        'e' => out.latin_e += 1,
        'w' => out.mark(LATIN, EN | DE, 0.0, 0.6),
        'ç' => out.mark(LATIN, FR | PT | TR | AZ, 0.3, 1.0),
        'ö' | 'ü' => out.mark(LATIN, DE | TR | AZ, 0.3, 1.0),
        'ä' => out.mark(LATIN, DE, 1.0, 1.5),
        'ß' => out.mark(LATIN, DE, 2.0, 2.0),
        'é' => out.mark(LATIN, FR | ES | PT | IT, 0.5, 1.0),
        'è' | 'ù' => out.mark(LATIN, FR | IT, 0.8, 1.5),
        'ê' | 'ô' => out.mark(LATIN, FR | PT, 0.8, 1.5),
        'à' => out.mark(LATIN, FR | IT | PT, 0.8, 1.5),
        'â' | 'î' | 'û' => out.mark(LATIN, FR | PT | TR, 0.5, 1.0),
        'ë' | 'ï' | 'œ' => out.mark(LATIN, FR, 1.0, 1.5),
        'á' | 'í' | 'ó' | 'ú' => out.mark(LATIN, ES | PT | IT, 0.8, 1.5),
        'ñ' => out.mark(LATIN, ES, 2.0, 2.0),
        'ã' | 'õ' => out.mark(LATIN, PT, 2.0, 2.0),
        'ì' | 'ò' => out.mark(LATIN, IT, 1.0, 1.5),
        // Cyrillic: і ї є ґ are Ukrainian letters, ы э ъ ё Russian ones.
        'і' | 'ї' | 'є' | 'ґ' => {
            out.ukrainian_letters += 1;
            out.mark(CYRILLIC, UK, 1.0, 2.0)
        }
        'ы' | 'э' | 'ъ' | 'ё' => {
            out.russian_letters += 1;
            out.mark(CYRILLIC, RU, 1.0, 2.0)
        }
        // Russian writes и before a vowel (-ие, -ия); Ukrainian has і there.
        'е' | 'я' | 'ю' | 'и' if prev == 'и' => out.mark(CYRILLIC, RU, 0.5, 0.5),
        // ьо (його, сьогодні) is Ukrainian spelling; Russian has ё/ьё.
        'о' if prev == 'ь' => out.mark(CYRILLIC, UK, 0.5, 0.5),
        // Arabic script: Persian's four extra letters and its own kaf/yeh;
        // Arabic's teh marbuta, alef maksura and Arabic kaf/yeh.
        'پ' | 'چ' | 'ژ' | 'گ' => out.mark(ARABIC, FA, 1.0, 2.0),
        'ک' | 'ی' => out.mark(ARABIC, FA, 0.5, 1.0),
        'ة' | 'ى' | 'ك' | 'ي' => out.mark(ARABIC, AR, 0.5, 1.0),
        _ => {}
    }
}
