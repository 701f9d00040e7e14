//! A labelled world of press coverage for `stories_bench`, built
//! deterministically from a seed: events of the South Caucasus reported by
//! outlets in az, hy, ru, ka, tr and en (texts composed from templates
//! written for this benchmark, with the region's names in each script),
//! agency texts syndicated and lightly rewritten by other outlets, and
//! look-alike traps: the same people at another event within days, another
//! event in the same place, and yearly events (the same festival a year
//! later).
//!
//! Every article carries its event (the story it belongs to) and, when it
//! copies another, the article it copies (the earliest version).

use chrono::{DateTime, Duration, TimeZone, Utc};

/// One article of the world and its labels.
#[derive(Debug, Clone)]
pub struct Article {
    pub url: String,
    pub source: String,
    pub lang: &'static str,
    pub title: String,
    pub body: String,
    pub published: DateTime<Utc>,
    /// The event (story) it reports.
    pub event: usize,
    /// The URL of the earliest version it copies.
    pub copy_of: Option<String>,
}

pub const LANGS: [&str; 6] = ["en", "az", "tr", "ru", "hy", "ka"];

/// A person or place: its spelling in each of [`LANGS`].
type Name = [&'static str; 6];

/// People who are in the news every day: the same ones meet at many
/// events, which is what the famous-name trap is made of.
const FAMOUS: &[Name] = &[
    [
        "Nikol Pashinyan",
        "Nikol Paşinyan",
        "Nikol Paşinyan",
        "Никол Пашинян",
        "Նիկոլ Փաշինյան",
        "ნიკოლ ფაშინიანი",
    ],
    [
        "Ilham Aliyev",
        "İlham Əliyev",
        "İlham Aliyev",
        "Ильхам Алиев",
        "Իլհամ Ալիև",
        "ილჰამ ალიევი",
    ],
    [
        "Irakli Kobakhidze",
        "İrakli Kobaxidze",
        "İrakli Kobahidze",
        "Ираклий Кобахидзе",
        "Իրակլի Կոբախիձե",
        "ირაკლი კობახიძე",
    ],
    [
        "Ararat Mirzoyan",
        "Ararat Mirzoyan",
        "Ararat Mirzoyan",
        "Арарат Мирзоян",
        "Արարատ Միրզոյան",
        "არარატ მირზოიანი",
    ],
    [
        "Jeyhun Bayramov",
        "Ceyhun Bayramov",
        "Ceyhun Bayramov",
        "Джейхун Байрамов",
        "Ջեյհուն Բայրամով",
        "ჯეიჰუნ ბაირამოვი",
    ],
    [
        "Hikmet Hajiyev",
        "Hikmət Hacıyev",
        "Hikmet Hacıyev",
        "Хикмет Гаджиев",
        "Հիքմեթ Հաջիև",
        "ჰიქმეთ ჰაჯიევი",
    ],
];

/// People of one event each (officials, witnesses, organisers).
const PEOPLE: &[Name] = &[
    [
        "Anna Vardanyan",
        "Anna Vardanyan",
        "Anna Vardanyan",
        "Анна Варданян",
        "Աննա Վարդանյան",
        "ანა ვარდანიანი",
    ],
    [
        "Elnur Mammadov",
        "Elnur Məmmədov",
        "Elnur Memmedov",
        "Эльнур Мамедов",
        "Էլնուր Մամեդով",
        "ელნურ მამედოვი",
    ],
    [
        "Levan Davitashvili",
        "Levan Davitaşvili",
        "Levan Davitaşvili",
        "Леван Давиташвили",
        "Լևան Դավիթաշվիլի",
        "ლევან დავითაშვილი",
    ],
    [
        "Gevorg Petrosyan",
        "Gevorq Petrosyan",
        "Gevorg Petrosyan",
        "Геворг Петросян",
        "Գևորգ Պետրոսյան",
        "გევორგ პეტროსიანი",
    ],
    [
        "Rashad Guliyev",
        "Rəşad Quliyev",
        "Reşad Guliyev",
        "Рашад Гулиев",
        "Ռաշադ Գուլիև",
        "რაშად გულიევი",
    ],
    [
        "Tamar Beridze",
        "Tamar Beridze",
        "Tamar Beridze",
        "Тамар Беридзе",
        "Թամար Բերիձե",
        "თამარ ბერიძე",
    ],
    [
        "Nino Lomidze",
        "Nino Lomidze",
        "Nino Lomidze",
        "Нино Ломидзе",
        "Նինո Լոմիձե",
        "ნინო ლომიძე",
    ],
    [
        "Murad Huseynov",
        "Murad Hüseynov",
        "Murat Hüseynov",
        "Мурад Гусейнов",
        "Մուրադ Հուսեյնով",
        "მურად ჰუსეინოვი",
    ],
    [
        "Karen Avetisyan",
        "Karen Avetisyan",
        "Karen Avetisyan",
        "Карен Аветисян",
        "Կարեն Ավետիսյան",
        "კარენ ავეტისიანი",
    ],
    [
        "Samir Aliyev",
        "Samir Əliyev",
        "Samir Aliyev",
        "Самир Алиев",
        "Սամիր Ալիև",
        "სამირ ალიევი",
    ],
    [
        "Zurab Japaridze",
        "Zurab Caparidze",
        "Zurab Caparidze",
        "Зураб Джапаридзе",
        "Զուրաբ Ջափարիձե",
        "ზურაბ ჯაფარიძე",
    ],
    [
        "Lilit Hakobyan",
        "Lilit Hakobyan",
        "Lilit Hakobyan",
        "Лилит Акопян",
        "Լիլիթ Հակոբյան",
        "ლილიტ აკობიანი",
    ],
    [
        "Vugar Rahimov",
        "Vüqar Rəhimov",
        "Vügar Rahimov",
        "Вугар Рагимов",
        "Վուգար Ռահիմով",
        "ვუგარ რაჰიმოვი",
    ],
    [
        "Giorgi Kapanadze",
        "Giorgi Kapanadze",
        "Giorgi Kapanadze",
        "Георгий Капанадзе",
        "Գեորգի Կապանաձե",
        "გიორგი კაპანაძე",
    ],
    [
        "Armen Sahakyan",
        "Armen Sahakyan",
        "Armen Sahakyan",
        "Армен Саакян",
        "Արմեն Սահակյան",
        "არმენ საჰაკიანი",
    ],
    [
        "Leyla Abdullayeva",
        "Leyla Abdullayeva",
        "Leyla Abdullayeva",
        "Лейла Абдуллаева",
        "Լեյլա Աբդուլլաևա",
        "ლეილა აბდულაევა",
    ],
    [
        "Davit Kiknadze",
        "Davit Kiknadze",
        "Davit Kiknadze",
        "Давид Кикнадзе",
        "Դավիթ Կիկնաձե",
        "დავით კიკნაძე",
    ],
    [
        "Aram Grigoryan",
        "Aram Qriqoryan",
        "Aram Grigoryan",
        "Арам Григорян",
        "Արամ Գրիգորյան",
        "არამ გრიგორიანი",
    ],
    [
        "Farid Mammadli",
        "Fərid Məmmədli",
        "Ferit Memmedli",
        "Фарид Мамедли",
        "Ֆարիդ Մամեդլի",
        "ფარიდ მამედლი",
    ],
    [
        "Mariam Tsiklauri",
        "Mariam Tsiklauri",
        "Mariam Tsiklauri",
        "Мариам Циклаури",
        "Մարիամ Ցիկլաուրի",
        "მარიამ წიკლაური",
    ],
    [
        "Hayk Martirosyan",
        "Hayk Martirosyan",
        "Hayk Martirosyan",
        "Айк Мартиросян",
        "Հայկ Մարտիրոսյան",
        "ჰაიკ მარტიროსიანი",
    ],
    [
        "Orkhan Nasibov",
        "Orxan Nəsibov",
        "Orhan Nesibov",
        "Орхан Насибов",
        "Օրխան Նասիբով",
        "ორხან ნასიბოვი",
    ],
    [
        "Tornike Gelashvili",
        "Tornike Gelaşvili",
        "Tornike Gelaşvili",
        "Торнике Гелашвили",
        "Տորնիկե Գելաշվիլի",
        "თორნიკე გელაშვილი",
    ],
    [
        "Ani Harutyunyan",
        "Ani Harutyunyan",
        "Ani Harutyunyan",
        "Ани Арутюнян",
        "Անի Հարությունյան",
        "ანი ჰარუთიუნიანი",
    ],
];

const PLACES: &[Name] = &[
    ["Baku", "Bakı", "Bakü", "Баку", "Բաքու", "ბაქო"],
    ["Yerevan", "İrəvan", "Erivan", "Ереван", "Երևան", "ერევანი"],
    [
        "Tbilisi",
        "Tbilisi",
        "Tiflis",
        "Тбилиси",
        "Թբիլիսի",
        "თბილისი",
    ],
    ["Gyumri", "Gümrü", "Gümrü", "Гюмри", "Գյումրի", "გიუმრი"],
    ["Ganja", "Gəncə", "Gence", "Гянджа", "Գյանջա", "განჯა"],
    ["Batumi", "Batumi", "Batum", "Батуми", "Բաթումի", "ბათუმი"],
    ["Shaki", "Şəki", "Şeki", "Шеки", "Շաքի", "შექი"],
    [
        "Sumgait",
        "Sumqayıt",
        "Sumgayıt",
        "Сумгаит",
        "Սումգայիթ",
        "სუმგაითი",
    ],
    [
        "Nakhchivan",
        "Naxçıvan",
        "Nahçıvan",
        "Нахичевань",
        "Նախիջևան",
        "ნახიჩევანი",
    ],
    ["Shusha", "Şuşa", "Şuşa", "Шуша", "Շուշի", "შუშა"],
    ["Lachin", "Laçın", "Laçın", "Лачин", "Լաչին", "ლაჩინი"],
    ["Almaty", "Almatı", "Almatı", "Алматы", "Ալմաթի", "ალმათი"],
];

/// An event type: title and sentences in each language, with slots `{A}`
/// (a person), `{B}` (another), `{P}` (a place), `{N}` (a large number),
/// `{M}` (a small one) and `{D}` (a day of the month). Two variants of
/// each, as two outlets would write it.
struct Template {
    titles: [[&'static str; 2]; 6],
    sentences: [[&'static str; 4]; 6],
}

const TEMPLATES: &[Template] = &[
    // A meeting.
    Template {
        titles: [
            ["{A} and {B} meet in {P}", "{A} holds talks with {B} in {P}"],
            ["{A} və {B} {P} şəhərində görüşüb", "{A} {B} ilə {P} şəhərində danışıqlar aparıb"],
            ["{A} ile {B} {P} kentinde görüştü", "{A}, {B} ile {P} kentinde müzakere yaptı"],
            ["{A} и {B} встретились в городе {P}", "{A} провел переговоры с {B} в городе {P}"],
            ["{A}ն ու {B}ը հանդիպել են {P} քաղաքում", "{A}ը բանակցություններ է վարել {B}ի հետ {P}ում"],
            ["{A} და {B} {P}ში შეხვდნენ", "{A}მ {B}სთან {P}ში მოლაპარაკება გამართა"],
        ],
        sentences: [
            [
                "{A} and {B} met in {P} on {D} March to discuss the border agreement.",
                "The sides agreed on {M} points of the document, officials said.",
                "A joint transport project worth {N} million dollars was also on the table.",
                "The next round of talks is expected within weeks.",
            ],
            [
                "{A} və {B} {D} mart tarixində {P} şəhərində sərhəd sazişini müzakirə ediblər.",
                "Tərəflər sənədin {M} bəndi üzrə razılığa gəliblər, rəsmilər bildirib.",
                "Dəyəri {N} milyon dollar olan birgə nəqliyyat layihəsi də müzakirə olunub.",
                "Danışıqların növbəti raundunun yaxın həftələrdə keçirilməsi gözlənilir.",
            ],
            [
                "{A} ve {B}, {D} Mart günü {P} kentinde sınır anlaşmasını görüştü.",
                "Taraflar belgenin {M} maddesinde uzlaştı, yetkililer açıkladı.",
                "Değeri {N} milyon dolar olan ortak ulaşım projesi de gündemdeydi.",
                "Görüşmelerin bir sonraki turunun önümüzdeki haftalarda yapılması bekleniyor.",
            ],
            [
                "{A} и {B} {D} марта в городе {P} обсудили соглашение о границе.",
                "Стороны согласовали {M} пунктов документа, сообщили официальные лица.",
                "Обсуждался также совместный транспортный проект стоимостью {N} миллионов долларов.",
                "Следующий раунд переговоров ожидается в ближайшие недели.",
            ],
            [
                "{A}ն ու {B}ը մարտի {D}-ին {P} քաղաքում քննարկել են սահմանային համաձայնագիրը։",
                "Կողմերը համաձայնության են եկել փաստաթղթի {M} կետի շուրջ, հայտնել են պաշտոնյաները։",
                "Քննարկվել է նաև {N} միլիոն դոլար արժողությամբ համատեղ տրանսպորտային նախագիծը։",
                "Բանակցությունների հաջորդ փուլը սպասվում է առաջիկա շաբաթներին։",
            ],
            [
                "{A} და {B} {D} მარტს {P}ში საზღვრის შესახებ შეთანხმებას განიხილავდნენ.",
                "მხარეები დოკუმენტის {M} პუნქტზე შეთანხმდნენ, განაცხადეს ოფიციალურმა პირებმა.",
                "განხილული იყო ასევე {N} მილიონი დოლარის ღირებულების ერთობლივი სატრანსპორტო პროექტი.",
                "მოლაპარაკებების შემდეგი რაუნდი უახლოეს კვირებში არის მოსალოდნელი.",
            ],
        ],
    },
    // A fire.
    Template {
        titles: [
            ["Fire at a warehouse in {P}: {M} injured", "{M} hurt as warehouse burns in {P}"],
            ["{P} şəhərində anbarda yanğın: {M} nəfər xəsarət alıb", "{P} anbar yanğınında {M} nəfər yaralanıb"],
            ["{P} kentinde depo yangını: {M} yaralı", "{P} kentindeki depo yangınında {M} kişi yaralandı"],
            ["Пожар на складе в городе {P}: {M} пострадавших", "В городе {P} горел склад, пострадали {M} человек"],
            ["Հրդեհ {P}ում պահեստում․ {M} տուժած", "{P}ում այրվել է պահեստը, տուժել է {M} մարդ"],
            ["ხანძარი {P}ში საწყობში: {M} დაშავებული", "{P}ში საწყობი დაიწვა, {M} ადამიანი დაშავდა"],
        ],
        sentences: [
            [
                "A fire broke out at a textile warehouse in {P} on {D} March.",
                "{M} workers were taken to hospital and {N} square metres burned down.",
                "{A}, head of the rescue service, said the fire was put out after six hours.",
                "Investigators are looking into a fault in the wiring.",
            ],
            [
                "{D} mart tarixində {P} şəhərində toxuculuq anbarında yanğın baş verib.",
                "{M} işçi xəstəxanaya aparılıb, {N} kvadratmetr sahə yanıb.",
                "Xilasetmə xidmətinin rəhbəri {A} yanğının altı saatdan sonra söndürüldüyünü bildirib.",
                "Müstəntiqlər elektrik naqillərində nasazlığı araşdırırlar.",
            ],
            [
                "{D} Mart günü {P} kentinde bir tekstil deposunda yangın çıktı.",
                "{M} işçi hastaneye kaldırıldı, {N} metrekare alan yandı.",
                "Kurtarma servisinin başkanı {A}, yangının altı saat sonra söndürüldüğünü söyledi.",
                "Müfettişler elektrik tesisatındaki bir arızayı inceliyor.",
            ],
            [
                "{D} марта в городе {P} загорелся текстильный склад.",
                "{M} рабочих доставлены в больницу, сгорело {N} квадратных метров.",
                "Глава спасательной службы {A} сообщил, что пожар потушили через шесть часов.",
                "Следователи проверяют версию о неисправности проводки.",
            ],
            [
                "Մարտի {D}-ին {P}ում հրդեհ է բռնկվել տեքստիլի պահեստում։",
                "{M} աշխատող տեղափոխվել է հիվանդանոց, այրվել է {N} քառակուսի մետր տարածք։",
                "Փրկարար ծառայության ղեկավար {A}ը հայտնել է, որ հրդեհը մարվել է վեց ժամ անց։",
                "Քննիչները ստուգում են էլեկտրահաղորդալարերի անսարքության վարկածը։",
            ],
            [
                "{D} მარტს {P}ში ტექსტილის საწყობში ხანძარი გაჩნდა.",
                "{M} მუშა საავადმყოფოში გადაიყვანეს, დაიწვა {N} კვადრატული მეტრი.",
                "სამაშველო სამსახურის ხელმძღვანელმა {A}მ განაცხადა, რომ ხანძარი ექვსი საათის შემდეგ ჩაქრა.",
                "გამომძიებლები ელექტროგაყვანილობის დაზიანების ვერსიას ამოწმებენ.",
            ],
        ],
    },
    // A festival (yearly).
    Template {
        titles: [
            ["Wine festival opens in {P}", "{P} hosts its annual wine festival"],
            ["{P} şəhərində şərab festivalı açılıb", "{P} illik şərab festivalına ev sahibliyi edir"],
            ["{P} kentinde şarap festivali başladı", "{P} yıllık şarap festivaline ev sahipliği yapıyor"],
            ["В городе {P} открылся фестиваль вина", "{P} принимает ежегодный фестиваль вина"],
            ["{P}ում մեկնարկել է գինու փառատոնը", "{P}ը հյուրընկալում է գինու ամենամյա փառատոնը"],
            ["{P}ში ღვინის ფესტივალი გაიხსნა", "{P} ღვინის ყოველწლიურ ფესტივალს მასპინძლობს"],
        ],
        sentences: [
            [
                "The wine festival opened in {P} on {D} March with {M} wineries taking part.",
                "Organisers expect {N} visitors over the weekend.",
                "{A}, the mayor, said the festival had grown every year.",
                "Concerts and tastings continue until Sunday evening.",
            ],
            [
                "{D} mart tarixində {P} şəhərində şərab festivalı açılıb, festivalda {M} şərab zavodu iştirak edir.",
                "Təşkilatçılar həftəsonu {N} qonaq gözləyirlər.",
                "Şəhər meri {A} festivalın hər il böyüdüyünü deyib.",
                "Konsertlər və dequstasiyalar bazar günü axşama qədər davam edəcək.",
            ],
            [
                "Şarap festivali {D} Mart günü {P} kentinde {M} şarap üreticisinin katılımıyla başladı.",
                "Organizatörler hafta sonu {N} ziyaretçi bekliyor.",
                "Belediye başkanı {A}, festivalin her yıl büyüdüğünü söyledi.",
                "Konserler ve tadımlar pazar akşamına kadar sürecek.",
            ],
            [
                "{D} марта в городе {P} открылся фестиваль вина, в нем участвуют {M} винодельни.",
                "Организаторы ожидают {N} гостей за выходные.",
                "Мэр {A} заявил, что фестиваль растет с каждым годом.",
                "Концерты и дегустации продлятся до вечера воскресенья.",
            ],
            [
                "Մարտի {D}-ին {P}ում մեկնարկել է գինու փառատոնը, որին մասնակցում է {M} գինեգործարան։",
                "Կազմակերպիչները հանգստյան օրերին սպասում են {N} այցելուի։",
                "Քաղաքապետ {A}ը նշել է, որ փառատոնը տարեցտարի մեծանում է։",
                "Համերգներն ու համտեսները կշարունակվեն մինչև կիրակի երեկո։",
            ],
            [
                "{D} მარტს {P}ში ღვინის ფესტივალი გაიხსნა, რომელშიც {M} მარანი მონაწილეობს.",
                "ორგანიზატორები შაბათ-კვირას {N} სტუმარს ელიან.",
                "მერმა {A}მ განაცხადა, რომ ფესტივალი ყოველ წელს იზრდება.",
                "კონცერტები და დეგუსტაციები კვირა საღამომდე გაგრძელდება.",
            ],
        ],
    },
    // A protest.
    Template {
        titles: [
            ["Thousands protest in {P} over water tariffs", "Protest against new water tariffs in {P}"],
            ["{P} şəhərində su tarifləri əleyhinə etiraz", "{P} sakinləri yeni su tariflərinə etiraz edib"],
            ["{P} kentinde su tarifelerine karşı protesto", "{P} halkı yeni su tarifelerini protesto etti"],
            ["В городе {P} протестуют против тарифов на воду", "Протест против новых тарифов на воду в городе {P}"],
            ["{P}ում բողոքի ակցիա ջրի սակագների դեմ", "{P}ի բնակիչները բողոքում են ջրի նոր սակագների դեմ"],
            ["{P}ში წყლის ტარიფების წინააღმდეგ პროტესტი", "{P}ის მოსახლეობა წყლის ახალ ტარიფებს აპროტესტებს"],
        ],
        sentences: [
            [
                "About {N} people gathered in central {P} on {D} March to protest against new water tariffs.",
                "Police detained {M} demonstrators near the city hall.",
                "{A}, who leads the residents' committee, demanded that the tariffs be frozen.",
                "The city council promised to review the decision next week.",
            ],
            [
                "{D} mart tarixində {P} şəhərinin mərkəzində təxminən {N} nəfər yeni su tariflərinə etiraz edib.",
                "Polis bələdiyyə binası yaxınlığında {M} etirazçını saxlayıb.",
                "Sakinlər komitəsinin rəhbəri {A} tariflərin dondurulmasını tələb edib.",
                "Şəhər şurası qərara gələn həftə yenidən baxacağını vəd edib.",
            ],
            [
                "{D} Mart günü {P} merkezinde yaklaşık {N} kişi yeni su tarifelerini protesto etti.",
                "Polis belediye binası yakınında {M} göstericiyi gözaltına aldı.",
                "Sakinler komitesinin başkanı {A}, tarifelerin dondurulmasını talep etti.",
                "Belediye meclisi kararı gelecek hafta yeniden gözden geçireceğine söz verdi.",
            ],
            [
                "{D} марта в центре города {P} около {N} человек протестовали против новых тарифов на воду.",
                "Полиция задержала {M} демонстрантов у здания мэрии.",
                "Глава комитета жителей {A} потребовал заморозить тарифы.",
                "Городской совет пообещал пересмотреть решение на следующей неделе.",
            ],
            [
                "Մարտի {D}-ին {P}ի կենտրոնում շուրջ {N} մարդ բողոքել է ջրի նոր սակագների դեմ։",
                "Ոստիկանությունը քաղաքապետարանի մոտ բերման է ենթարկել {M} ցուցարարի։",
                "Բնակիչների կոմիտեի ղեկավար {A}ը պահանջել է սառեցնել սակագները։",
                "Ավագանին խոստացել է հաջորդ շաբաթ վերանայել որոշումը։",
            ],
            [
                "{D} მარტს {P}ის ცენტრში დაახლოებით {N} ადამიანმა წყლის ახალი ტარიფები გააპროტესტა.",
                "პოლიციამ მერიის შენობასთან {M} დემონსტრანტი დააკავა.",
                "მაცხოვრებელთა კომიტეტის ხელმძღვანელმა {A}მ ტარიფების გაყინვა მოითხოვა.",
                "საკრებულომ გადაწყვეტილების გადახედვა მომავალ კვირას დაჰპირდა.",
            ],
        ],
    },
    // Trade figures.
    Template {
        titles: [
            ["Exports through {P} grow by {M} percent", "{P} customs: exports up {M} percent"],
            ["{P} üzərindən ixrac {M} faiz artıb", "{P} gömrüyü: ixrac {M} faiz artıb"],
            ["{P} üzerinden ihracat yüzde {M} arttı", "{P} gümrüğü: ihracat yüzde {M} yükseldi"],
            ["Экспорт через {P} вырос на {M} процентов", "Таможня города {P}: экспорт вырос на {M} процентов"],
            ["{P}ով արտահանումն աճել է {M} տոկոսով", "{P}ի մաքսատուն․ արտահանումն աճել է {M} տոկոսով"],
            ["{P}ის გავლით ექსპორტი {M} პროცენტით გაიზარდა", "{P}ის საბაჟო: ექსპორტი {M} პროცენტით გაიზარდა"],
        ],
        sentences: [
            [
                "Exports through the {P} customs terminal grew by {M} percent in February, figures released on {D} March show.",
                "Goods worth {N} thousand dollars crossed the terminal, mostly fruit and mineral water.",
                "{A}, head of the customs office, credited the new cargo lanes.",
                "Importers complained about queues at the weekend.",
            ],
            [
                "{D} mart tarixində açıqlanan rəqəmlərə görə, {P} gömrük terminalı üzərindən ixrac fevralda {M} faiz artıb.",
                "Terminaldan dəyəri {N} min dollar olan mal keçib, əsasən meyvə və mineral su.",
                "Gömrük idarəsinin rəisi {A} artımı yeni yük zolaqları ilə əlaqələndirib.",
                "İdxalçılar həftəsonu növbələrdən şikayət ediblər.",
            ],
            [
                "{D} Mart'ta açıklanan rakamlara göre {P} gümrük terminali üzerinden ihracat şubatta yüzde {M} arttı.",
                "Terminalden değeri {N} bin dolar olan mal geçti, çoğu meyve ve maden suyu.",
                "Gümrük müdürü {A}, artışı yeni yük şeritlerine bağladı.",
                "İthalatçılar hafta sonundaki kuyruklardan şikayet etti.",
            ],
            [
                "Экспорт через таможенный терминал города {P} в феврале вырос на {M} процентов, следует из данных, опубликованных {D} марта.",
                "Через терминал прошли товары на {N} тысяч долларов, в основном фрукты и минеральная вода.",
                "Начальник таможни {A} объяснил рост новыми грузовыми полосами.",
                "Импортеры жаловались на очереди в выходные.",
            ],
            [
                "Մարտի {D}-ին հրապարակված տվյալներով՝ {P}ի մաքսային տերմինալով արտահանումը փետրվարին աճել է {M} տոկոսով։",
                "Տերմինալով անցել է {N} հազար դոլարի ապրանք, հիմնականում մրգեր և հանքային ջուր։",
                "Մաքսատան պետ {A}ը աճը կապել է բեռնափոխադրման նոր գոտիների հետ։",
                "Ներմուծողները դժգոհել են հանգստյան օրերի հերթերից։",
            ],
            [
                "{D} მარტს გამოქვეყნებული მონაცემებით, {P}ის საბაჟო ტერმინალის გავლით ექსპორტი თებერვალში {M} პროცენტით გაიზარდა.",
                "ტერმინალზე {N} ათასი დოლარის საქონელი გავიდა, ძირითადად ხილი და მინერალური წყალი.",
                "საბაჟოს უფროსმა {A}მ ზრდა ახალ სატვირთო ზოლებს დაუკავშირა.",
                "იმპორტიორები შაბათ-კვირის რიგებს უჩიოდნენ.",
            ],
        ],
    },
];

/// Sentences that any article of a language may carry (an outlet's
/// boilerplate and background lines): shared words that tell nothing.
const FILLERS: [[&str; 3]; 6] = [
    [
        "Follow our channel for the latest news.",
        "The situation in the region remains tense, analysts say.",
        "The government has not yet commented on the report.",
    ],
    [
        "Ən son xəbərlər üçün kanalımızı izləyin.",
        "Analitiklərin fikrincə, regionda vəziyyət gərgin olaraq qalır.",
        "Hökumət hələ məlumata münasibət bildirməyib.",
    ],
    [
        "Son haberler için kanalımızı takip edin.",
        "Analistlere göre bölgedeki durum gergin olmaya devam ediyor.",
        "Hükümet henüz habere ilişkin açıklama yapmadı.",
    ],
    [
        "Следите за последними новостями на нашем канале.",
        "Ситуация в регионе остается напряженной, считают аналитики.",
        "Правительство пока не прокомментировало сообщение.",
    ],
    [
        "Հետևեք վերջին լուրերին մեր ալիքում։",
        "Վերլուծաբանների կարծիքով՝ տարածաշրջանում իրավիճակը շարունակում է լարված մնալ։",
        "Կառավարությունը դեռ չի մեկնաբանել հաղորդումը։",
    ],
    [
        "თვალი ადევნეთ უახლეს ამბებს ჩვენს არხზე.",
        "ანალიტიკოსების აზრით, რეგიონში ვითარება კვლავ დაძაბულია.",
        "მთავრობას ჯერ არ გაუკეთებია კომენტარი.",
    ],
];

/// splitmix64: a small deterministic generator.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    pub fn chance(&mut self, p: f64) -> bool {
        ((self.next() >> 11) as f64 / (1u64 << 53) as f64) < p
    }
}

/// One event: what every report of it shares.
#[derive(Debug, Clone)]
struct Event {
    template: usize,
    a: Name,
    b: Name,
    place: usize,
    big: u64,
    small: u64,
    day: u32,
    at: DateTime<Utc>,
}

fn format_big(n: u64, lang: usize) -> String {
    let (thousands, rest) = (n / 1000, n % 1000);
    if thousands == 0 {
        return n.to_string();
    }
    let sep = match LANGS[lang] {
        "en" => ",",
        "ru" | "hy" | "ka" => " ",
        _ => ".",
    };
    format!("{thousands}{sep}{rest:03}")
}

fn fill(text: &str, e: &Event, lang: usize) -> String {
    text.replace("{A}", e.a[lang])
        .replace("{B}", e.b[lang])
        .replace("{P}", PLACES[e.place][lang])
        .replace("{N}", &format_big(e.big, lang))
        .replace("{M}", &e.small.to_string())
        .replace("{D}", &e.day.to_string())
}

/// A report of `e` in language `lang` in one of two styles, as two
/// outlets that do not copy each other would write it: the first tells it
/// all (and may drop the last line), the second gives the event in a line
/// of its own and the figures. Sentence order, fillers and the
/// title's wording vary.
fn report(e: &Event, lang: usize, style: usize, rng: &mut Rng) -> (String, String) {
    let t = &TEMPLATES[e.template];
    let title = fill(t.titles[lang][style % 2], e, lang);
    let core = &t.sentences[lang];
    let picked: Vec<&str> = match style {
        0 => {
            let mut s = vec![core[0], core[1], core[2], core[3]];
            if rng.chance(0.4) {
                s.pop();
            }
            if rng.chance(0.5) {
                s.swap(1, 2);
            }
            s
        }
        _ => vec![core[1]],
    };
    let mut sentences: Vec<String> = picked.iter().map(|s| fill(s, e, lang)).collect();
    if style != 0 {
        // Its own lead: the event in a line, as the other outlet's title.
        sentences.insert(0, format!("{}.", fill(t.titles[lang][0], e, lang)));
    }
    for f in FILLERS[lang] {
        if rng.chance(0.35) {
            sentences.push(f.to_string());
        }
    }
    (title, sentences.join(" "))
}

/// A light rewrite of a copied text: a sentence dropped or a word or two
/// changed, as a rewriting outlet does.
fn rewrite(body: &str, rng: &mut Rng) -> String {
    let mut words: Vec<String> = body.split(' ').map(str::to_string).collect();
    let edits = 1 + rng.below(3);
    for _ in 0..edits {
        if words.len() < 10 {
            break;
        }
        let i = rng.below(words.len());
        match rng.below(3) {
            0 => {
                words.remove(i);
            }
            1 => words.insert(i, "reportedly".to_string()),
            _ => {
                let j = (i + 1) % words.len();
                words.swap(i, j)
            }
        }
    }
    words.join(" ")
}

/// Shape of a world.
pub struct Shape {
    pub events: usize,
    pub seed: u64,
    /// Days the events are spread over.
    pub days: i64,
    /// Paragraphs of background after each report's own text: reports of
    /// earlier events in the same language, as a long article recalls
    /// what led up to its news (with those events' people, places and
    /// figures), copied with it by those who copy it. 0: the short
    /// reports alone.
    pub background: usize,
}

/// Build a world: its articles in publication order.
pub fn build(shape: &Shape) -> Vec<Article> {
    let mut rng = Rng::new(shape.seed);
    let start = Utc
        .with_ymd_and_hms(2025, 3, 1, 6, 0, 0)
        .single()
        .expect("date");
    let mut events: Vec<Event> = Vec::new();
    while events.len() < shape.events {
        let template = rng.below(TEMPLATES.len());
        let at = start + Duration::minutes(rng.below((shape.days * 24 * 60) as usize) as i64);
        let pick_person = |rng: &mut Rng| {
            if rng.chance(0.5) {
                FAMOUS[rng.below(FAMOUS.len())]
            } else {
                PEOPLE[rng.below(PEOPLE.len())]
            }
        };
        let a = pick_person(&mut rng);
        let mut b = pick_person(&mut rng);
        while b == a {
            b = pick_person(&mut rng);
        }
        let e = Event {
            template,
            a,
            b,
            place: rng.below(PLACES.len()),
            big: 200 + rng.below(40_000) as u64,
            small: 3 + rng.below(60) as u64,
            day: 1 + (at - start).num_days() as u32 % 28,
            at,
        };
        let n = events.len();
        events.push(e.clone());
        if events.len() >= shape.events {
            break;
        }
        // Traps, made from the event just drawn.
        match rng.below(6) {
            // The same two people at another event (another place and
            // figures), a day or two later.
            0 => events.push(Event {
                template: (e.template + 1 + rng.below(TEMPLATES.len() - 1)) % TEMPLATES.len(),
                place: (e.place + 1 + rng.below(PLACES.len() - 1)) % PLACES.len(),
                big: 200 + rng.below(40_000) as u64,
                small: 3 + rng.below(60) as u64,
                at: e.at + Duration::hours(12 + rng.below(36) as i64),
                ..e.clone()
            }),
            // Other news from the same place, within two days.
            1 => {
                let mut other = pick_person(&mut rng);
                while other == e.a || other == e.b {
                    other = pick_person(&mut rng);
                }
                events.push(Event {
                    template: (e.template + 1 + rng.below(TEMPLATES.len() - 1)) % TEMPLATES.len(),
                    a: other,
                    b: PEOPLE[rng.below(PEOPLE.len())],
                    big: 200 + rng.below(40_000) as u64,
                    small: 3 + rng.below(60) as u64,
                    at: e.at + Duration::hours(6 + rng.below(40) as i64),
                    ..e.clone()
                })
            }
            // The same event a year later: same place, people and title.
            2 => events.push(Event {
                big: 200 + rng.below(40_000) as u64,
                small: 3 + rng.below(60) as u64,
                at: e.at + Duration::days(365),
                ..e.clone()
            }),
            _ => {}
        }
        let _ = n;
    }
    let mut articles = Vec::new();
    for (id, e) in events.iter().enumerate() {
        // Covered in one to six languages, by one or two outlets each;
        // one in three reports is an agency text that others copy.
        let mut langs: Vec<usize> = (0..LANGS.len()).collect();
        for i in (1..langs.len()).rev() {
            langs.swap(i, rng.below(i + 1));
        }
        let covered = 1 + rng.below(LANGS.len());
        // The events a report of this one may recall (see
        // `Shape::background`).
        let earlier: Vec<&Event> = match shape.background {
            0 => Vec::new(),
            _ => events.iter().filter(|other| other.at < e.at).collect(),
        };
        for &lang in &langs[..covered] {
            let outlets = 1 + rng.below(2);
            for outlet in 0..outlets {
                let (title, mut body) = report(e, lang, outlet, &mut rng);
                if shape.background > 0 {
                    // From a generator of its own: the world's other
                    // draws stay what they are without background.
                    let mut drawn = Rng::new(
                        shape.seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ articles.len() as u64,
                    );
                    for _ in 0..shape.background {
                        let Some(other) = earlier.get(drawn.below(earlier.len().max(1))) else {
                            break;
                        };
                        let style = drawn.below(2);
                        body.push_str("\n\n");
                        body.push_str(&report(other, lang, style, &mut drawn).1);
                    }
                }
                let published = e.at + Duration::minutes(rng.below(36 * 60) as i64);
                let source = format!("{}-outlet-{}", LANGS[lang], outlet + rng.below(4) * 3);
                let url = format!("https://{source}.example/{id}/{}", articles.len());
                articles.push(Article {
                    url: url.clone(),
                    source: source.clone(),
                    lang: LANGS[lang],
                    title: title.clone(),
                    body: body.clone(),
                    published,
                    event: id,
                    copy_of: None,
                });
                if rng.chance(0.35) {
                    let copies = 1 + rng.below(3);
                    for c in 0..copies {
                        let body = if rng.chance(0.5) {
                            rewrite(&body, &mut rng)
                        } else {
                            body.clone()
                        };
                        let title = if rng.chance(0.5) {
                            title.clone()
                        } else {
                            fill(TEMPLATES[e.template].titles[lang][rng.below(2)], e, lang)
                        };
                        let source = format!("{}-reprint-{}", LANGS[lang], c + rng.below(5));
                        articles.push(Article {
                            url: format!("https://{source}.example/{id}/{}", articles.len()),
                            source,
                            lang: LANGS[lang],
                            title,
                            body,
                            published: published + Duration::minutes(5 + rng.below(600) as i64),
                            event: id,
                            copy_of: Some(url.clone()),
                        });
                    }
                }
            }
        }
    }
    articles.sort_by(|a, b| a.published.cmp(&b.published).then(a.url.cmp(&b.url)));
    articles
}
