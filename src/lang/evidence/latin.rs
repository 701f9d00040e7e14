//! Evidence from a word in Latin script: apostrophes (French elision,
//! English contractions, Turkish case endings on names), the languages'
//! commonest words, and the spellings of [`western`](super::western) and
//! [`turkic`](super::turkic) words.

use super::scores::{Scan, AZ, DE, EN, ES, FR, IT, LATIN, PT, TR};
use super::spelling::Spelling;
use super::turkic::turkic_shape;
use super::western::{romance_shape, western_shape};

pub(super) fn latin_word(out: &mut Scan, w: &str, capital: bool) {
    if let Some((before, after)) = w.split_once('\'') {
        match (before, after) {
            ("l" | "d" | "qu" | "n" | "c" | "j" | "s" | "m" | "jusqu" | "lorsqu" | "puisqu", _) => {
                out.add(FR, 1.5)
            }
            (_, "s" | "t" | "re" | "ve" | "ll" | "d" | "m") => out.add(EN, 1.0),
            // Turkish sets case endings off proper names with an apostrophe;
            // Azerbaijani writes them joined.
            (
                _,
                "da" | "de" | "ta" | "te" | "dan" | "den" | "tan" | "ten" | "nin" | "nın" | "nun"
                | "nün" | "in" | "ın" | "un" | "ün" | "a" | "e" | "ya" | "ye" | "yı" | "yi" | "yu"
                | "yü" | "ı" | "i" | "u" | "ü" | "daki" | "deki" | "la" | "le" | "nden" | "ndan"
                | "nde" | "nda" | "ne" | "na" | "yla" | "yle" | "dir" | "dır" | "tir" | "tır"
                | "teki" | "taki" | "nı" | "ni" | "nu" | "nü",
            ) => {
                out.add(TR, 1.0);
                out.add(AZ, -0.5);
            }
            _ => {}
        }
        return;
    }
    let mask = latin_function_word(w);
    if mask != 0 {
        let weight = if mask.count_ones() > 2 { 0.5 } else { 1.0 };
        out.add(mask, weight);
    }
    // A word in plain ASCII letters is what English always writes; the
    // other alphabets put a letter of their own into many of their words.
    if w.is_ascii() {
        out.ascii_words += 1;
    }
    let spelling = Spelling::new(w);
    western_shape(out, &spelling);
    romance_shape(out, w);
    turkic_shape(out, &spelling, capital);
    // q without u after it is Azerbaijani (qız, proqnoz, Bakıq); the
    // western languages write qu, Turkish has no q at all.
    if w.contains('q') && w.split('q').skip(1).any(|rest| !rest.starts_with('u')) {
        out.mark(LATIN, AZ, 0.5, 1.0);
    }
}

fn latin_function_word(w: &str) -> u16 {
    match w {
        // English
        "the" | "and" | "of" | "to" | "is" | "that" | "for" | "it" | "with" | "are" | "be"
        | "by" | "this" | "from" | "at" | "or" | "have" | "has" | "which" | "not" | "but"
        | "were" | "they" | "their" | "his" | "he" | "she" | "we" | "you" | "would" | "can"
        | "been" | "after" | "about" | "who" | "its" | "more" | "also" | "there" | "when"
        | "what" | "all" | "said" | "had" | "one" | "new" | "into" | "than" | "other" | "them"
        | "these" | "some" | "only" | "our" | "how" | "such" | "should" | "could" | "may"
        | "most" | "over" | "out" | "up" | "first" | "two" | "year" | "i" | "my" | "your"
        | "will" | "as" | "do" | "if" | "no" | "so" | "us" | "between" | "where" | "get"
        | "got" | "make" | "made" | "use" | "used" | "like" | "just" | "now" | "very" | "well"
        | "back" | "even" | "any" | "many" | "much" | "each" | "every" | "both" | "through"
        | "during" | "before" | "while" | "since" | "until" | "because" | "though" | "without"
        | "within" | "upon" | "against" | "among" | "off" | "down" | "again" | "still" | "yet"
        | "here" | "why" | "own" | "same" | "few" | "those" | "being" | "does" | "did" | "done"
        | "must" | "might" | "shall" => match w {
            "will" | "so" => EN | DE,
            "no" => EN | ES | IT | PT,
            "as" => EN | PT,
            "do" => EN | PT,
            _ => EN,
        },
        "her" => EN | TR,
        "in" => EN | DE | IT,
        "an" | "was" | "war" | "man" | "am" => EN | DE,
        "a" => EN | FR | ES | IT | PT,
        "on" => EN | FR,
        // French
        "le" | "les" | "du" | "et" | "est" | "une" | "pour" | "dans" | "qui" | "sur" | "au"
        | "aux" | "par" | "pas" | "plus" | "avec" | "ce" | "cette" | "elle" | "sont" | "ont"
        | "été" | "sa" | "ses" | "leur" | "ou" | "où" | "nous" | "vous" | "je" | "lui"
        | "était" | "fait" | "comme" | "très" | "aussi" | "tout" | "tous" | "après" | "avait"
        | "deux" | "ces" | "mon" | "ma" | "être" | "peut" | "quand" | "assez" | "ainsi"
        | "alors" | "chez" | "sans" | "sous" | "depuis" | "encore" | "toujours" | "selon"
        | "lors" | "dont" | "déjà" | "rien" | "bien" | "faire" | "dire" | "avoir" | "notre"
        | "votre" | "nouvelle" | "nouvelles" | "nouveau" | "beaucoup" | "trois" | "environ"
        | "premier" | "première" | "trop" | "peu" | "moins" | "autre" | "autres" | "même"
        | "cela" | "ceci" | "ici" | "là" | "car" | "donc" | "puis" | "vers" | "contre"
        | "pendant" | "avant" | "leurs" | "celle" | "celui" | "ceux" | "cet" | "quelque"
        | "chaque" | "plusieurs" => FR,
        "la" => FR | ES | IT,
        "un" => FR | ES | IT,
        "que" => FR | ES | PT,
        "il" => FR | IT | AZ,
        "son" => FR | TR | AZ,
        "ne" => FR | TR,
        "se" => FR | ES | IT | PT,
        "en" => FR | ES | TR,
        "de" => FR | ES | PT | TR,
        "à" => FR | PT,
        "entre" => FR | ES | PT,
        // German
        "der" | "die" | "und" | "ist" | "nicht" | "mit" | "den" | "dem" | "ein" | "eine"
        | "einen" | "einem" | "einer" | "zu" | "auf" | "für" | "von" | "im" | "sich" | "auch"
        | "sie" | "er" | "wir" | "ich" | "wird" | "werden" | "wurde" | "wurden" | "sind"
        | "bei" | "nach" | "aus" | "oder" | "wie" | "als" | "noch" | "nur" | "über" | "aber"
        | "hat" | "haben" | "dass" | "daß" | "zum" | "zur" | "vom" | "kann" | "mehr" | "sein"
        | "seine" | "ihr" | "ihre" | "diese" | "dieser" | "durch" | "vor" | "bis" | "wenn"
        | "schon" | "sehr" | "hier" | "jahr" | "jahre" | "jahren" | "unter" | "gegen"
        | "können" | "soll" | "muss" | "immer" | "zwischen" | "keine" | "wo" | "dann" | "ob"
        | "beim" | "mich" | "mir" | "dich" | "dir" | "uns" | "viel" | "vielen" | "ja" | "nein"
        | "gut" | "heute" | "jetzt" | "etwas" | "alle" | "alles" | "ganz" | "doch" | "mal"
        | "einfach" | "neue" | "neuen" | "gibt" | "kommt" | "geht" | "dieses" | "diesem"
        | "diesen" | "unser" | "unsere" | "bitte" | "jede" | "jeder" | "jedes" | "wieder"
        | "weil" | "damit" | "dabei" | "sowie" | "ohne" | "seit" | "hatte" | "hatten" | "ihrem"
        | "ihren" | "ihrer" | "sowohl" | "ebenfalls" | "bereits" | "falls" | "hinzu"
        | "mittels" | "entlang" | "unseres" | "unserer" | "etwa" | "gewesen" | "worden"
        | "waren" | "wäre" | "würde" | "sondern" | "zwar" | "obwohl" | "während" | "trotz"
        | "außerdem" | "jedoch" | "denn" | "dort" => DE,
        "des" => FR | DE,
        "es" => DE | ES,
        // Spanish, Italian, Portuguese: enough to keep them apart from the
        // languages above when they are configured.
        "el" | "los" | "las" | "del" | "y" | "por" | "para" | "una" | "lo" | "pero" | "más"
        | "su" | "sus" | "este" | "esta" | "fue" | "muy" | "también" | "cuando" | "porque" => {
            match w {
                "por" | "para" => ES | PT,
                "una" => ES | IT,
                "lo" => ES | IT,
                _ => ES,
            }
        }
        "di" | "che" | "è" | "per" | "non" | "sono" | "della" | "delle" | "dei" | "degli"
        | "nel" | "nella" | "con" | "anche" | "più" | "questo" | "gli" | "alla" => match w {
            "con" => ES | IT,
            "non" => FR | IT,
            _ => IT,
        },
        "os" | "dos" | "das" | "em" | "um" | "uma" | "não" | "com" | "mais" | "mas" | "foi"
        | "são" | "ao" | "pelo" | "pela" | "seu" | "sua" | "ele" | "ela" => match w {
            "das" => DE | PT,
            "mais" => FR | PT,
            "um" => DE | PT,
            _ => PT,
        },
        "e" => IT | PT,
        "o" => PT | IT | TR | AZ,
        "da" => PT | IT | TR | AZ,
        // Turkish
        "ve" | "ile" | "için" | "çok" | "olarak" | "gibi" | "ama" | "mi" | "mı" | "mu" | "mü"
        | "kadar" | "göre" | "değil" | "yok" | "ise" | "veya" | "kendi" | "ancak" | "yıl"
        | "yılında" | "tarafından" | "üzere" | "içinde" | "büyük" | "bazı" | "şimdi" | "nasıl"
        | "neden" | "çünkü" | "eğer" | "bile" | "sadece" | "artık" | "hiç" | "böyle" | "önce"
        | "diye" | "ben" | "sen" | "olduğunu" | "etti" | "eden" | "edilen" | "yapılan" | "şu"
        | "ayrıca" | "aynı" | "hem" | "yani" | "tüm" | "karşı" | "başka" | "hangi" | "şey"
        | "yeniden" => TR,
        // Written as one word in Turkish, as two in Azerbaijani (bu gün,
        // bir az, bir çox, bir neçə, heç bir, hər kəs, hər hansı).
        "bugün" | "biraz" | "birçok" | "birkaç" | "hiçbir" | "herkes" | "herhangi" => TR,
        // The past copula often stands alone in Azerbaijani (gəlmiş idi,
        // hazır idi); Turkish nearly always joins it (gelmişti, hazırdı).
        "idi" => AZ,
        // Shared by Turkish and Azerbaijani
        "bir" | "bu" | "daha" | "ki" | "olan" | "sonra" | "var" | "ya" | "oldu" | "olduğu"
        | "arasında" | "yeni" | "iki" | "ilk" | "biz" | "siz" | "onlar" | "bunu" | "buna"
        | "onun" | "ona" | "onu" | "olur" | "etdi" | "dedi" | "yalnız" | "bütün" | "lakin"
        | "kimi" => TR | AZ,
        // Month names: Azerbaijani took the Russian ones, Turkish has its own.
        "yanvar" | "fevral" | "aprel" | "iyun" | "iyul" | "avqust" | "sentyabr" | "oktyabr"
        | "noyabr" | "dekabr" | "yanvarın" | "fevralın" | "aprelin" | "iyunun" | "iyulun"
        | "avqustun" | "sentyabrın" | "oktyabrın" | "noyabrın" | "dekabrın" => AZ,
        "ocak" | "şubat" | "nisan" | "mayıs" | "haziran" | "temmuz" | "ağustos" | "eylül"
        | "ekim" | "kasım" | "aralık" => TR,
        "january" | "february" | "april" | "june" | "july" | "august" | "september" | "october"
        | "november" | "december" => EN,
        "janvier" | "février" | "mars" | "avril" | "juin" | "juillet" | "août" | "septembre"
        | "octobre" | "novembre" | "décembre" => FR,
        "januar" | "februar" | "märz" | "juni" | "juli" | "oktober" | "dezember" => DE,
        // Azerbaijani writes ordinals as 5-ci, 1990-cı: after the hyphen
        // the suffix stands alone.
        "ci" | "cı" | "cu" | "cü" => AZ,
        // Azerbaijani
        "və" | "ilə" | "üçün" | "də" | "isə" | "həm" | "hər" | "çox" | "görə" | "qədər"
        | "deyil" | "yox" | "artıq" | "həmçinin" | "öz" | "bəzi" | "indi" | "necə" | "çünki"
        | "əgər" | "heç" | "belə" | "əvvəl" | "mən" | "sən" | "edir" | "olub" | "etmək"
        | "edib" | "ildə" | "ilin" | "tərəfindən" | "həmin" | "eyni" | "amma" | "üzrə" | "nə"
        | "olaraq" | "deyə" | "edən" | "edilib" | "olunub" | "olunur" | "hansı" | "niyə"
        | "başqa" | "bunun" | "böyük" | "kiçik" | "indiki" => match w {
            "bunun" => AZ | TR,
            _ => AZ,
        },
        _ => 0,
    }
}
