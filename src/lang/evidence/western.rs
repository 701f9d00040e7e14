//! Spellings that set the western European languages apart: English,
//! French and German word shapes against each other and the Turkic
//! alphabets, and the word endings of Italian, Spanish and Portuguese.

use super::scores::{Ev, Scan, AZ, DE, EN, ES, FR, IT, PT, TR};
use super::spelling::Spelling;

/// Spellings that English, French and German each use and the others (and
/// the Turkic alphabets) do not: -ing, -ly, th; -eau, -eux, -ique; sch,
/// -ung, -lich.
pub(super) fn western_shape(out: &mut Scan, w: &Spelling) {
    let n = w.len();
    if n < 4 {
        return;
    }
    let mut en = 0.0;
    let mut fr = 0.0;
    let mut de = 0.0;
    if w.ends_with("ing") || w.ends_with("ly") || w.has("ough") || w.has("ght") {
        en += 1.0;
    }
    if w.ends_with("ed") || w.ends_with("ness") || w.ends_with("ship") || w.ends_with("ful") {
        en += 0.7;
    }
    if w.has("th") || w.has("sh") || w.has("wh") || w.has("ee") || w.has("oo") {
        en += 0.5;
    }
    if w.ends_with('y') || w.ends_with("ies") || w.ends_with("ers") || w.ends_with("als") {
        en += 0.4;
    }
    if w.ends_with("ic") || w.ends_with("ous") || w.ends_with("ity") || w.ends_with("ize") {
        en += 0.6;
    }
    if w.ends_with("less") || w.ends_with("ary") || w.ends_with("ory") || w.ends_with("ical") {
        en += 0.6;
    }
    // English plurals in -s; German and Turkish words seldom end in s.
    if w.ends_with('s') && !w.ends_with("ss") {
        out.add(DE | TR | AZ, -0.3);
    }
    // French hardly writes k or w.
    if w.contains('k') || w.contains('w') {
        out.add(FR, -0.4);
    }
    if w.ends_with("eau") || w.ends_with("eaux") || w.ends_with("eux") || w.ends_with("ique") {
        fr += 1.0;
    }
    if w.ends_with("aux") || w.ends_with("oir") || w.ends_with("ais") || w.ends_with("ait") {
        fr += 0.7;
    }
    if w.ends_with("euse") || w.ends_with("ée") || w.ends_with("ées") || w.ends_with("és") {
        fr += 0.7;
    }
    if w.ends_with("eur") || w.ends_with("aire") || w.ends_with("oire") || w.ends_with("ette") {
        fr += 0.6;
    }
    if w.ends_with("ez") || w.ends_with("ient") || w.ends_with("aient") || w.ends_with("elle") {
        fr += 0.5;
    }
    if w.ends_with("ien") || w.ends_with("ienne") || w.ends_with("ain") || w.ends_with("eil") {
        fr += 0.6;
    }
    if w.ends_with("ille") || w.ends_with("ière") || w.ends_with("oux") || w.ends_with("que") {
        fr += 0.5;
    }
    if w.has("sch") || w.ends_with("ung") || w.ends_with("ungen") || w.has("lich") {
        de += 1.0;
    }
    if w.ends_with("heit") || w.ends_with("keit") || w.has("tz") || w.has("cht") {
        de += 1.0;
    }
    if w.starts_with('z') || w.has("pf") || w.ends_with("en") || w.has("ei") {
        de += 0.3;
    }
    if w.ends_with("ig") || w.ends_with("isch") || w.ends_with("chen") || w.ends_with("ern") {
        de += 0.5;
    }
    if w.has("iert") || w.ends_with("ieren") || w.ends_with("tät") || w.ends_with("ismus") {
        de += 0.8;
    }
    if en > 0.0 {
        out.add(EN, en);
    }
    if fr > 0.0 {
        out.add(FR, fr);
    }
    if de > 0.0 {
        out.add(DE, de);
    }
    // Turkish and Azerbaijani end countless words in a high vowel
    // (accusative, possessive); German and English hardly any.
    if w.ends_with(['i', 'u', 'ü', 'ı']) {
        out.add(DE, -0.5);
        if !w.ends_with('u') {
            out.add(EN, -0.3);
        }
    }
    // Vowel pairs German, French and English write and Turkic harmony
    // does not.
    if w.has("ie") || w.has("ei") || w.has("au") || w.has("eu") || w.has("ou") {
        out.add(TR | AZ, -0.5);
    }
    // Digraphs for sounds Turkish and Azerbaijani spell with one letter
    // (ç, ş) or do not have.
    if w.has("ch") || w.has("th") || w.has("sh") || w.has("ph") || w.has("ck") {
        out.add(TR | AZ, -1.0);
    }
}

/// Italian native words end in a vowel, Spanish ones in a vowel or one of a
/// few consonants, Portuguese likewise; none uses k or w in native words.
pub(super) fn romance_shape(out: &mut Scan, w: &str) {
    let Some(last) = w.chars().last() else {
        return;
    };
    let vowel = matches!(
        last,
        'a' | 'e'
            | 'i'
            | 'o'
            | 'u'
            | 'à'
            | 'è'
            | 'é'
            | 'ì'
            | 'ò'
            | 'ù'
            | 'á'
            | 'í'
            | 'ó'
            | 'ú'
            | 'ã'
            | 'õ'
            | 'ê'
            | 'ô'
            | 'â'
    );
    if !vowel {
        if !matches!(
            w,
            "il" | "per"
                | "non"
                | "con"
                | "in"
                | "un"
                | "del"
                | "nel"
                | "al"
                | "dal"
                | "col"
                | "sul"
                | "dei"
                | "gli"
        ) {
            out.score[Ev::It as usize] -= 0.5;
        }
        if !matches!(last, 'n' | 's' | 'r' | 'l' | 'd' | 'z' | 'y') {
            out.score[Ev::Es as usize] -= 0.5;
        }
        if !matches!(last, 's' | 'r' | 'l' | 'm' | 'z') {
            out.score[Ev::Pt as usize] -= 0.5;
        }
    }
    if w.contains('k') || w.contains('w') {
        out.add(ES | IT | PT, -0.5);
    }
    if w.contains('y') || w.contains('j') || w.contains('x') {
        out.score[Ev::It as usize] -= 0.5;
    }
}
