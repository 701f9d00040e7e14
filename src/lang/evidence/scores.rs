//! The languages evidence is kept for and the tally one pass keeps: letters
//! per script, the counts that absence of a letter is judged by, and a
//! signed score per language, with the two ways evidence enters it (for one
//! language against the others of its script, or for a set of languages).

use super::script::Script;

/// The languages [`evidence`](super) has evidence for; everything else is
/// left to whatlang alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ev {
    En,
    Fr,
    De,
    Es,
    It,
    Pt,
    Tr,
    Az,
    Ru,
    Uk,
    Fa,
    Ar,
}

const EV_COUNT: usize = 12;

impl Ev {
    pub(crate) fn from_code(code: &str) -> Option<Ev> {
        Some(match code {
            "en" => Ev::En,
            "fr" => Ev::Fr,
            "de" => Ev::De,
            "es" => Ev::Es,
            "it" => Ev::It,
            "pt" => Ev::Pt,
            "tr" => Ev::Tr,
            "az" => Ev::Az,
            "ru" => Ev::Ru,
            "uk" => Ev::Uk,
            "fa" => Ev::Fa,
            "ar" => Ev::Ar,
            _ => return None,
        })
    }
}

pub(super) const EN: u16 = 1 << Ev::En as u16;
pub(super) const FR: u16 = 1 << Ev::Fr as u16;
pub(super) const DE: u16 = 1 << Ev::De as u16;
pub(super) const ES: u16 = 1 << Ev::Es as u16;
pub(super) const IT: u16 = 1 << Ev::It as u16;
pub(super) const PT: u16 = 1 << Ev::Pt as u16;
pub(super) const TR: u16 = 1 << Ev::Tr as u16;
pub(super) const AZ: u16 = 1 << Ev::Az as u16;
pub(super) const RU: u16 = 1 << Ev::Ru as u16;
pub(super) const UK: u16 = 1 << Ev::Uk as u16;
pub(super) const FA: u16 = 1 << Ev::Fa as u16;
pub(super) const AR: u16 = 1 << Ev::Ar as u16;

pub(super) const LATIN: u16 = EN | FR | DE | ES | IT | PT | TR | AZ;
pub(super) const CYRILLIC: u16 = RU | UK;
pub(super) const ARABIC: u16 = FA | AR;

/// What one pass over a text found.
#[derive(Debug, Clone, Default)]
pub(crate) struct Scan {
    pub(crate) latin: u32,
    pub(crate) cyrillic: u32,
    pub(crate) armenian: u32,
    pub(crate) georgian: u32,
    pub(crate) arabic: u32,
    pub(crate) other: u32,
    pub(crate) words: u32,
    pub(super) latin_words: u32,
    pub(super) cyrillic_words: u32,
    /// ə, і/ї/є, ы/э/ё: letters that nearly every sentence of their
    /// language has, so that their absence is evidence too.
    pub(super) schwas: u32,
    pub(super) latin_e: u32,
    pub(super) ascii_words: u32,
    pub(super) ukrainian_letters: u32,
    pub(super) russian_letters: u32,
    /// Per [`Ev`] language: positive is evidence for, negative against.
    pub(crate) score: [f32; EV_COUNT],
}

impl Scan {
    /// Absence of a letter a language writes in nearly every sentence.
    /// Grows with length: a word pair may lack ə, ten Azerbaijani words
    /// rarely do.
    pub(super) fn finish(&mut self) {
        // Only short texts need this, and on long ones it would drown the
        // positive evidence: the first few plain words count.
        let plain = self.ascii_words.min(ASCII_CAP) as f32;
        for (ev, weight) in [
            (Ev::Fr, 0.25),
            (Ev::De, 0.2),
            (Ev::Es, 0.15),
            (Ev::It, 0.1),
            (Ev::Pt, 0.15),
            (Ev::Tr, 0.4),
            (Ev::Az, 0.3),
        ] {
            self.score[ev as usize] -= ASCII_SCALE * weight * plain;
        }
        if self.schwas == 0 {
            // Azerbaijani writes ə for most of the e's Turkish has: e's
            // without a single ə are Turkish (or any other Latin language).
            self.score[Ev::Az as usize] -= E_WITHOUT_SCHWA * self.latin_e.min(30) as f32;
        }
        if self.ukrainian_letters == 0 {
            self.score[Ev::Uk as usize] -= 0.1 * self.cyrillic_words.min(20) as f32;
        }
        if self.russian_letters == 0 {
            self.score[Ev::Ru as usize] -= 0.1 * self.cyrillic_words.min(20) as f32;
        }
    }

    /// One letter of `script` more.
    pub(super) fn count(&mut self, script: Script) {
        match script {
            Script::Latin => self.latin += 1,
            Script::Cyrillic => self.cyrillic += 1,
            Script::Armenian => self.armenian += 1,
            Script::Georgian => self.georgian += 1,
            Script::Arabic => self.arabic += 1,
            Script::Other => self.other += 1,
        }
    }

    pub(crate) fn main_script(&self) -> Option<Script> {
        // Armenian, Georgian and Persian texts quote Latin names and brands;
        // Latin texts seldom quote those scripts. Their letters count double.
        let counts = [
            (self.latin, Script::Latin),
            (self.cyrillic, Script::Cyrillic),
            (2 * self.armenian, Script::Armenian),
            (2 * self.georgian, Script::Georgian),
            (2 * self.arabic, Script::Arabic),
            (self.other, Script::Other),
        ];
        let (count, script) =
            counts.iter().copied().fold(
                (0, Script::Other),
                |best, c| if c.0 > best.0 { c } else { best },
            );
        (count > 0).then_some(script)
    }

    /// `for_` gains `plus`, every other language of `among` loses `minus`.
    pub(super) fn mark(&mut self, among: u16, for_: u16, plus: f32, minus: f32) {
        for (i, s) in self.score.iter_mut().enumerate() {
            let bit = 1 << i;
            if among & bit == 0 {
                continue;
            }
            if for_ & bit != 0 {
                *s += plus;
            } else {
                *s -= minus;
            }
        }
    }

    pub(super) fn add(&mut self, langs: u16, weight: f32) {
        for (i, s) in self.score.iter_mut().enumerate() {
            if langs & (1 << i) != 0 {
                *s += weight;
            }
        }
    }
}

/// How many plain-ASCII words count against the languages with letters of
/// their own, and how much each weighs.
const ASCII_CAP: u32 = 4;
const ASCII_SCALE: f32 = 0.3;
/// What each e weighs against Azerbaijani in a text without any ə.
const E_WITHOUT_SCHWA: f32 = 0.25;
