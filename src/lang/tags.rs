//! Language tags: the languages pressd can name (whatlang's set, by ISO
//! 639-1 code) and the mapping from the raw tags found in pages, feeds and
//! config (`ru-RU`, `az_AZ`, `az-Latn-AZ`, `EN`, `arm`, `rus`) to them.

use whatlang::Lang;

/// One language: its ISO 639-1 code, whatlang's variant, and the other tags
/// that name it (ISO 639-2 T and B codes, retired 639-1 codes).
pub(crate) struct Known {
    pub(crate) code: &'static str,
    pub(crate) lang: Lang,
    aliases: &'static [&'static str],
}

const fn k(code: &'static str, lang: Lang, aliases: &'static [&'static str]) -> Known {
    Known {
        code,
        lang,
        aliases,
    }
}

/// Every language whatlang identifies that has an ISO 639-1 code.
pub(crate) const KNOWN: &[Known] = &[
    k("af", Lang::Afr, &["afr"]),
    k("ak", Lang::Aka, &["aka"]),
    k("am", Lang::Amh, &["amh"]),
    k("ar", Lang::Ara, &["ara"]),
    k("az", Lang::Aze, &["aze"]),
    k("be", Lang::Bel, &["bel"]),
    k("bg", Lang::Bul, &["bul"]),
    k("bn", Lang::Ben, &["ben"]),
    k("ca", Lang::Cat, &["cat"]),
    k("cs", Lang::Ces, &["ces", "cze"]),
    k("cy", Lang::Cym, &["cym", "wel"]),
    k("da", Lang::Dan, &["dan"]),
    k("de", Lang::Deu, &["deu", "ger"]),
    k("el", Lang::Ell, &["ell", "gre"]),
    k("en", Lang::Eng, &["eng"]),
    k("eo", Lang::Epo, &["epo"]),
    k("es", Lang::Spa, &["spa"]),
    k("et", Lang::Est, &["est"]),
    k("fa", Lang::Pes, &["fas", "per", "pes"]),
    k("fi", Lang::Fin, &["fin"]),
    k("fr", Lang::Fra, &["fra", "fre"]),
    k("gu", Lang::Guj, &["guj"]),
    k("he", Lang::Heb, &["heb", "iw"]),
    k("hi", Lang::Hin, &["hin"]),
    k("hr", Lang::Hrv, &["hrv"]),
    k("hu", Lang::Hun, &["hun"]),
    k("hy", Lang::Hye, &["hye", "arm"]),
    k("id", Lang::Ind, &["ind", "in"]),
    k("it", Lang::Ita, &["ita"]),
    k("ja", Lang::Jpn, &["jpn"]),
    k("jv", Lang::Jav, &["jav", "jw"]),
    k("ka", Lang::Kat, &["kat", "geo"]),
    k("km", Lang::Khm, &["khm"]),
    k("kn", Lang::Kan, &["kan"]),
    k("ko", Lang::Kor, &["kor"]),
    k("la", Lang::Lat, &["lat"]),
    k("lt", Lang::Lit, &["lit"]),
    k("lv", Lang::Lav, &["lav"]),
    k("mk", Lang::Mkd, &["mkd", "mac"]),
    k("ml", Lang::Mal, &["mal"]),
    k("mr", Lang::Mar, &["mar"]),
    k("my", Lang::Mya, &["mya", "bur"]),
    k("nb", Lang::Nob, &["nob", "nor", "no"]),
    k("ne", Lang::Nep, &["nep"]),
    k("nl", Lang::Nld, &["nld", "dut"]),
    k("or", Lang::Ori, &["ori"]),
    k("pa", Lang::Pan, &["pan"]),
    k("pl", Lang::Pol, &["pol"]),
    k("pt", Lang::Por, &["por"]),
    k("ro", Lang::Ron, &["ron", "rum", "mo"]),
    k("ru", Lang::Rus, &["rus"]),
    k("si", Lang::Sin, &["sin"]),
    k("sk", Lang::Slk, &["slk", "slo"]),
    k("sl", Lang::Slv, &["slv"]),
    k("sn", Lang::Sna, &["sna"]),
    k("sr", Lang::Srp, &["srp"]),
    k("sv", Lang::Swe, &["swe"]),
    k("ta", Lang::Tam, &["tam"]),
    k("te", Lang::Tel, &["tel"]),
    k("th", Lang::Tha, &["tha"]),
    k("tk", Lang::Tuk, &["tuk"]),
    k("tl", Lang::Tgl, &["tgl", "fil"]),
    k("tr", Lang::Tur, &["tur"]),
    k("uk", Lang::Ukr, &["ukr"]),
    k("ur", Lang::Urd, &["urd"]),
    k("uz", Lang::Uzb, &["uzb"]),
    k("vi", Lang::Vie, &["vie"]),
    k("yi", Lang::Yid, &["yid", "ji"]),
    k("zh", Lang::Cmn, &["zho", "chi", "cmn"]),
    k("zu", Lang::Zul, &["zul"]),
];

/// Index into [`KNOWN`] of the language a raw tag names, if any.
pub(crate) fn known_index(tag: &str) -> Option<usize> {
    // The primary subtag decides: region, script and encoding parts
    // (`-RU`, `-Latn-AZ`, `.UTF-8`) never change the language.
    let primary = tag
        .trim()
        .split(['-', '_', '.', '@'])
        .next()
        .unwrap_or_default();
    if !(2..=3).contains(&primary.len()) || !primary.bytes().all(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    let mut lower = [0u8; 3];
    for (dst, src) in lower.iter_mut().zip(primary.bytes()) {
        *dst = src.to_ascii_lowercase();
    }
    let lower = std::str::from_utf8(&lower[..primary.len()]).ok()?;
    KNOWN
        .iter()
        .position(|known| known.code == lower || known.aliases.contains(&lower))
}

/// The ISO 639-1 code a raw language tag names: `ru-RU` → `ru`,
/// `az-Latn-AZ` → `az`, `EN` → `en`, `arm` → `hy`. `None` for `und`,
/// `mul`, empty tags and languages outside whatlang's set.
pub fn normalize_tag(tag: &str) -> Option<&'static str> {
    known_index(tag).map(|i| KNOWN[i].code)
}
