//! Spellings that set Turkish and Azerbaijani apart: suffixes and sound
//! changes one of the two languages has and the other cannot.

use super::scores::{Scan, AZ, TR};
use super::spelling::Spelling;

/// Turkish and Azerbaijani share most words' shapes; these are the places
/// where the spelling of one cannot occur in the other. A capitalized word
/// may be a name, foreign or not, whose ending is no suffix (Müller, Kodak,
/// Lille): its letters count, its endings do not.
pub(super) fn turkic_shape(out: &mut Scan, w: &Spelling, capital: bool) {
    let n = w.len();
    if n < 3 {
        return;
    }
    // Turkish devoices word-final b, c, d, g (kitap, ağaç, Mehmet);
    // Azerbaijani keeps them (kitab, ağac, Məhəmməd) and forms -ib/-ub
    // perfects (olub, edib).
    if w.ends_with('b') || w.ends_with('c') || w.ends_with('d') || w.ends_with('g') {
        out.add(TR, -0.4);
    }
    // Azerbaijani keeps Russian -iya in loans (Rusiya, akademiya) where
    // Turkish writes -ya or -i (Rusya, akademi).
    if w.has("iya") {
        out.add(TR, -0.5);
    }
    // Russian-style surnames (Əliyev, Hüseynova) belong to Azerbaijani.
    if w.has("yev") || w.ends_with("ov") || w.ends_with("ova") {
        out.add(TR, -0.5);
    }
    // Words ending in q exist in Azerbaijani, never in native Turkish.
    if w.ends_with('q') {
        out.add(AZ, 0.5);
    }
    // Azerbaijani writes ğ in native words only next to back vowels; next
    // to a front vowel it has y (Turkish değil, diğer, verdiği, öğrenmek
    // are Azerbaijani deyil, digər, verdiyi, öyrənmək). Its Arabic loans
    // with ğ (lüğət, məğlub) have ə, which settles them anyway.
    if w.contains('ğ') && !w.contains('ə') && has_front_g(w) {
        out.add(AZ, -1.0);
    }
    // yap- (do, make) is among Turkish's commonest verbs; Azerbaijani says
    // et-, qur-, düzəlt- (yapış-, stick, is shared).
    if w.starts_with("yap") && !w.starts_with("yapış") {
        out.add(TR, 0.5);
        out.add(AZ, -0.5);
    }
    if capital {
        return;
    }
    // Turkish present continuous -(i)yor; Azerbaijani uses -ır/-ir.
    if w.has("yor") && n >= 5 {
        out.add(TR, 1.0);
        out.add(AZ, -1.5);
    }
    // Turkish -mak/-mek, -acak/-ecek, -lık/-lik/-luk: Azerbaijani has
    // -maq/-mək, -acaq/-əcək, -lıq/-luq, with q where Turkish ends in k.
    if n >= 4 && (w.ends_with("ak") || w.ends_with("ık") || w.ends_with("uk") || w.ends_with("ok"))
    {
        out.add(AZ, -0.6);
    }
    if w.has("acak") || w.has("ecek") || w.ends_with("mek") {
        out.add(AZ, -1.0);
    }
    // Turkish plural -ler and dative/locative -e/-de: Azerbaijani writes
    // -lər, -ə, -də.
    if w.has("ler") || w.ends_with("de") || w.ends_with("den") || w.ends_with("e") {
        out.add(AZ, -0.5);
    }
    // Azerbaijani present tense -(y)ır after a vowel (yaşayır, oxuyur);
    // Turkish has -(i)yor or the aorist -r there.
    if n >= 5
        && (w.ends_with("yır") || w.ends_with("yir") || w.ends_with("yur") || w.ends_with("yür"))
    {
        out.add(AZ, 0.7);
        out.add(TR, -0.7);
    }
    // Azerbaijani -dakı/-dəki against Turkish -daki/-deki.
    if w.has("dakı") || w.has("takı") {
        out.add(AZ, 0.7);
        out.add(TR, -0.7);
    }
    if w.has("daki") || w.has("taki") || w.has("deki") || w.has("teki") {
        out.add(AZ, -0.7);
    }
    // Azerbaijani perfect -ıb/-ib/-ub/-üb (olub, edib); Turkish has -mış.
    if n >= 4 && (w.ends_with("ib") || w.ends_with("ıb") || w.ends_with("ub") || w.ends_with("üb"))
    {
        out.add(AZ, 0.5);
    }
    // Turkish -abil/-ebil, -mez, -yla/-yle fuse what Azerbaijani writes
    // apart or with ə.
    if w.has("ebil") || w.has("abil") || w.has("mez") || w.ends_with("yle") {
        out.add(AZ, -0.5);
    }
    // Turkish writes suffix d as t after a voiceless consonant (yarıştan,
    // etti, işte); Azerbaijani keeps d (yarışdan, etdi, işdə). Skips hd
    // and kd, which Turkish has inside words (tehdit, Akdeniz).
    let mut after_voiceless_d = false;
    let mut prev: Option<char> = None;
    for c in w.chars() {
        if c == 'd' && matches!(prev, Some('s' | 'ş' | 't' | 'p' | 'ç' | 'f')) {
            after_voiceless_d = true;
        }
        prev = Some(c);
    }
    if after_voiceless_d {
        out.add(AZ, 0.8);
        out.add(TR, -0.8);
    }
    let mut tail = w.chars().rev();
    if let (Some(vowel), Some('t'), Some(consonant)) = (tail.next(), tail.next(), tail.next()) {
        if n >= 4
            && matches!(vowel, 'ı' | 'i' | 'u' | 'ü' | 'a' | 'e')
            && matches!(consonant, 'k' | 'p' | 'ş' | 'ç' | 't')
        {
            out.add(AZ, -0.6);
        }
    }
}

/// Whether `w` has ğ next to a front vowel.
fn has_front_g(w: &str) -> bool {
    let front = |c: char| matches!(c, 'e' | 'i' | 'ö' | 'ü');
    let mut prev = ' ';
    for c in w.chars() {
        if (c == 'ğ' && front(prev)) || (prev == 'ğ' && front(c)) {
            return true;
        }
        prev = c;
    }
    false
}
