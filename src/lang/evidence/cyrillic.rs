//! Evidence from a word in Cyrillic script: Russian against Ukrainian by
//! their commonest words, endings, prefixes and month names.

use super::scores::{Scan, CYRILLIC, RU, UK};

pub(super) fn cyrillic_word(out: &mut Scan, w: &str) {
    if w.contains('\'') {
        // Ukrainian marks a hard sign with an apostrophe (м'ясо, п'ять).
        out.mark(CYRILLIC, UK, 1.0, 1.0);
        return;
    }
    let mask = match w {
        "и" | "что" | "с" | "как" | "это" | "к" | "но" | "из" | "от" | "о" | "он" | "она"
        | "они" | "был" | "была" | "было" | "были" | "бы" | "уже" | "или" | "только" | "еще"
        | "ещё" | "вы" | "все" | "всё" | "этот" | "этого" | "также" | "который" | "которые"
        | "которая" | "когда" | "если" | "где" | "чем" | "нет" | "есть" | "очень" | "года"
        | "году" | "меня" | "себя" | "после" | "со" | "во" | "ли" | "их" | "даже" | "более"
        | "время" | "его" | "ее" | "её" | "этом" | "этой" | "тоже" | "сейчас" | "ему"
        | "никогда" | "зачем" | "потом" | "снова" | "сначала" | "тогда" | "всегда" | "теперь"
        | "здесь" | "кто" | "надо" | "нужно" | "можно" | "сегодня" | "вот" | "почему" | "около"
        | "кроме" | "такой" | "конечно" | "против" | "почти" | "своих" | "менее" | "между"
        | "сказал" | "чтобы" | "мне" | "да" | "будто" | "сразу" => RU,
        "в" | "не" | "на" | "по" | "а" | "у" | "за" | "так" | "же" | "для" | "при" | "до"
        | "мы" | "будет" | "может" | "про" | "тому" | "через" | "над" | "то" => {
            RU | UK
        }
        "і" | "й" | "та" | "що" | "з" | "із" | "зі" | "як" | "це" | "але" | "від" | "його"
        | "він" | "вона" | "вони" | "був" | "була" | "було" | "були" | "б" | "вже" | "або"
        | "тільки" | "ще" | "ми" | "ви" | "всі" | "усі" | "цей" | "цього" | "також" | "який"
        | "яка" | "які" | "коли" | "якщо" | "де" | "ніж" | "немає" | "є" | "буде" | "дуже"
        | "року" | "між" | "після" | "проте" | "їх" | "її" | "мене" | "себе" | "щоб" | "під"
        | "році" | "нас" | "нам" | "цьому" | "цієї" | "чи" | "треба" | "тощо" | "ось" | "нема"
        | "хоч" | "саме" | "тобто" | "кожен" | "десь" | "жодного" | "зараз" | "цих" | "ці"
        | "свого" | "нього" | "неї" | "йому" | "ніколи" | "навіщо" | "потім" | "знову" | "тоді"
        | "завжди" | "тепер" | "хто" | "можна" | "сьогодні" | "чому" => {
            match w {
                "нас" | "нам" | "б" => RU | UK,
                _ => UK,
            }
        }
        _ => 0,
    };
    if mask != 0 {
        out.add(mask, 1.0);
    }
    // Russian adjective endings -ая, -ое, -ую, -ый: Ukrainian has -а, -е,
    // -у, -ий.
    if w.len() > 6
        && (w.ends_with("ая") || w.ends_with("ое") || w.ends_with("ую") || w.ends_with("ый"))
    {
        out.mark(CYRILLIC, RU, 1.0, 1.0);
    }
    // Ukrainian -ський/-цьк- where Russian writes -ский/-цк-.
    if w.contains("ськ") || w.contains("цьк") || w.contains("зьк") {
        out.mark(CYRILLIC, UK, 1.0, 1.0);
    }
    // Russian reflexive -ется/-ится and 2nd person -ешь/-ишь; Ukrainian
    // writes -еться/-иться and -еш/-иш.
    if w.ends_with("ется") || w.ends_with("ится") || w.ends_with("шь") {
        out.mark(CYRILLIC, RU, 1.0, 1.0);
    }
    // Ukrainian ви- is Russian вы-.
    if w.len() > 8 && w.starts_with("ви") {
        out.mark(CYRILLIC, UK, 0.5, 0.5);
    }
    // Russian reflexives end in -тся, -лся, -лась (Ukrainian -ться, -вся,
    // -лася) and 3rd person singular in -ает/-яет/-ует (Ukrainian -ає).
    if (w.ends_with("тся") && !w.ends_with("ться"))
        || w.ends_with("лся")
        || w.ends_with("лась")
        || w.ends_with("лось")
        || w.ends_with("лись")
        || w.ends_with("тесь")
        || w.ends_with("ает")
        || w.ends_with("яет")
        || w.ends_with("ует")
    {
        out.mark(CYRILLIC, RU, 1.0, 1.0);
    }
    if w.ends_with("лася")
        || w.ends_with("лися")
        || w.ends_with("лося")
        || w.ends_with("вся")
        || w.ends_with("ає")
        || w.ends_with("ує")
        || w.ends_with("яє")
    {
        out.mark(CYRILLIC, UK, 1.0, 1.0);
    }
    // Russian genitive plural -ов/-ев; Ukrainian has -ів/-їв.
    if w.len() > 8 && (w.ends_with("ов") || w.ends_with("ев")) {
        out.mark(CYRILLIC, RU, 0.5, 0.5);
    }
    // Ukrainian infinitives in -ти and reflexives in -тися; Russian has
    // -ть and -ться. Russian 3rd person singular -ит/-ет has no soft sign.
    let letters = w.chars().count();
    if letters >= 7
        && (w.ends_with("ати") || w.ends_with("яти") || w.ends_with("ити") || w.ends_with("тися"))
    {
        out.mark(CYRILLIC, UK, 0.7, 0.7);
    }
    if letters >= 5 && (w.ends_with("ит") || w.ends_with("ет")) {
        out.mark(CYRILLIC, RU, 0.3, 0.3);
    }
    // Past tense masculine: Russian -ал/-ил/-ел/-ял, Ukrainian -ав/-ив/-ів;
    // feminine genitive/instrumental -ой is Russian (Ukrainian -ої/-ою).
    if letters >= 5 {
        if w.ends_with("ал") || w.ends_with("ил") || w.ends_with("ел") || w.ends_with("ял")
        {
            out.mark(CYRILLIC, RU, 0.4, 0.4);
        }
        if w.ends_with("ав") || w.ends_with("ив") || w.ends_with("ів") || w.ends_with("яв")
        {
            out.mark(CYRILLIC, UK, 0.4, 0.4);
        }
        // 3rd person plural: Russian -ют/-ят, Ukrainian -ють/-ять.
        if w.ends_with("ют") || w.ends_with("ят") {
            out.mark(CYRILLIC, RU, 0.5, 0.5);
        }
        if w.ends_with("ой") {
            out.mark(CYRILLIC, RU, 0.4, 0.4);
        }
        if w.ends_with("ться") {
            out.mark(CYRILLIC, RU, 0.3, 0.3);
        }
    }
    // Ukrainian words do not start with и (Russian и, из, их, история is
    // Ukrainian і, з, їх, історія); -ець/-ць is Ukrainian for Russian -ец;
    // роз-/рас- are the two languages' forms of one prefix.
    if w.starts_with('и') || w.ends_with("ец") || w.starts_with("рас") {
        out.mark(CYRILLIC, RU, 0.5, 0.5);
    }
    if w.ends_with("ць") || w.starts_with("роз") {
        out.mark(CYRILLIC, UK, 0.5, 0.5);
    }
    // Ukrainian starts native words with є, Russian with е (ему, если).
    if w.starts_with('е') {
        out.mark(CYRILLIC, RU, 0.5, 0.5);
    }
    // Ukrainian 3rd person plural -ють; Russian writes -ют.
    if w.ends_with("ють") {
        out.mark(CYRILLIC, UK, 0.7, 0.7);
    }
    // Month names in dates, in the genitive news uses.
    match w {
        "января" | "февраля" | "марта" | "апреля" | "мая" | "июня" | "июля" | "августа"
        | "сентября" | "октября" | "ноября" | "декабря" => {
            out.mark(CYRILLIC, RU, 1.0, 1.0)
        }
        "січня" | "лютого" | "березня" | "квітня" | "травня" | "червня" | "липня" | "серпня"
        | "вересня" | "жовтня" | "листопада" | "грудня" => {
            out.mark(CYRILLIC, UK, 1.0, 1.0)
        }
        _ => {}
    }
    // Ukrainian verbal nouns end in -ння, Russian ones in -ние.
    if w.ends_with("ння") || w.ends_with("нні") {
        out.mark(CYRILLIC, UK, 0.7, 0.7);
    }
}
