//! Blocks → a promise document. One pass over the blocks with a small state: which section we
//! are in (before the promises, promises, focus areas, activities, follow-up, communication,
//! validity, signatures, skipped), the owner header over the current list, the current theme.
//! Headings are classified by vocabulary ("Aktiviteter", "Uppföljning och utvärdering",
//! "Polisen lovar att:", "Löfte 1: …"); paragraphs in the follow-up part by content.

use lofte_domain::{
    Activity, IsoDate, MunicipalityRef, Owner, Period, PoliceAreaRef, Promise, PromiseDocument, SignatoryParty, Status,
    Theme,
};

use crate::html::PageMeta;
use crate::owners::capitalise;
use crate::text::{Block, Kind, labelish};
use crate::{
    Context, Format, ImportError, Imported, ItemSource, OwnerBasis, Signatory, Warning, dates, excerpt, owners, places,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Sec {
    Pre,
    Promises,
    Focus,
    Activities,
    FollowUp,
    Communication,
    Validity,
    Signatures,
    Skip,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Class {
    Promises,
    Focus,
    PromiseItem(String),
    FocusItem(String),
    Activities,
    Owner(Option<Owner>),
    FollowUp,
    Communication,
    Validity,
    Signatures,
    Background,
    Contact,
    Report,
    /// "Aktiviteter – X": a theme named X.
    Theme(String),
    /// "Aktivitet: X": one activity.
    ActivityItem(String),
    /// "Tidsplan: …" under an activity.
    Detail,
    Unknown,
}

/// A heading as compared with the vocabulary: lower case, without trailing punctuation, and
/// without a leading "Bilaga 1." or chapter number "3.1".
fn norm(text: &str) -> String {
    let l = text.trim().trim_end_matches([':', '.', ';', '?', '!']).trim().to_lowercase();
    let l = l
        .strip_prefix("bilaga ")
        .map(|r| r.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.' || c == ':' || c == ' '))
        .unwrap_or(&l);
    let numbered = l.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.');
    if numbered.len() < l.len() && numbered.starts_with(' ') { numbered.trim().to_owned() } else { l.to_owned() }
}

/// A title: names a medborgarlöfte ("Medborgarlöfte 2024", "Säffle – medborgarlöften",
/// "Medborgarlöften för Eda kommun 2022–2023").
fn title_like(text: &str) -> bool {
    let l = text.to_lowercase();
    l.contains("medborgarlöfte") && text.chars().count() <= 120 && !l.starts_with("uppföljning")
}

fn starts_any(l: &str, words: &[&str]) -> bool {
    words.iter().any(|w| l == *w || l.starts_with(&format!("{w} ")) || l.starts_with(&format!("{w}:")))
}

/// "Löfte 1: Minska …", "Löfte 2 – …", "Fokusområde 1: Trafik": the text after the number.
fn numbered_heading<'a>(text: &'a str, lower: &str, words: &[&str]) -> Option<&'a str> {
    for w in words {
        if lower.starts_with(w) {
            let rest = &text[w.len()..];
            let rest = rest.trim_start_matches(|c: char| c.is_ascii_digit() || c.is_whitespace() || c == '.');
            let rest = rest
                .strip_prefix("nr")
                .unwrap_or(rest)
                .trim_start_matches(|c: char| c.is_ascii_digit() || c.is_whitespace() || c == '.');
            if let Some(after) = rest.strip_prefix([':', '–', '-', '—']) {
                let after = after.trim();
                if !after.is_empty() {
                    return Some(after);
                }
            }
        }
    }
    None
}

fn classify(text: &str) -> Class {
    let l = norm(text);
    let lower_full = text.trim().to_lowercase();
    if let Some(rest) = numbered_heading(text.trim(), &lower_full, &["medborgarlöfte", "löfte"]) {
        return Class::PromiseItem(rest.to_owned());
    }
    if let Some(rest) = numbered_heading(text.trim(), &lower_full, &["fokusområde", "fokus"]) {
        return Class::FocusItem(rest.to_owned());
    }
    // "Aktiviteter – öppen narkotikahandel": the activities of a theme.
    for prefix in ["aktiviteter – ", "aktiviteter - ", "aktiviteter: ", "åtgärder – ", "åtgärder: "] {
        if l.starts_with(prefix) {
            let name = text.trim()[prefix.len()..].trim().trim_end_matches(':').to_owned();
            if !name.is_empty() && owners::of_name(&name).is_none() {
                return Class::Theme(capitalise(&name));
            }
        }
    }
    // "Aktivitet: Trygghetsvandring i centrum" (a block with "Ansvarig:" and "Tidsplan:").
    for prefix in ["aktivitet:", "åtgärd:", "insats:"] {
        if l.starts_with(prefix) && l.len() > prefix.len() + 1 {
            return Class::ActivityItem(text.trim()[prefix.len()..].trim().to_owned());
        }
    }
    // "Tidsplan: fredagar", "När: våren 2025": details of the activity above.
    for prefix in ["tidsplan:", "när:", "tid:", "tidpunkt:", "plats:", "var:", "omfattning:"] {
        if l.starts_with(prefix) && l.len() > prefix.len() + 1 {
            return Class::Detail;
        }
    }
    if let Some(o) = owners::of_header(text) {
        return Class::Owner(o);
    }
    let report_words = [
        "uppföljning av",
        "utvärdering av",
        "resultat",
        "så gick det",
        "genomförda aktiviteter",
        "redovisning",
        "återrapport",
        "tidigare medborgarlöften",
        "tidigare löften",
        "äldre medborgarlöften",
        "arkiv",
    ];
    let dated = !dates::years(&l).is_empty();
    let older = ["tidigare", "äldre", "förra", "arkiv"].iter().any(|w| l.contains(w));
    if (starts_any(&l, &report_words) || l.starts_with("uppföljning")) && (dated || older)
        || starts_any(&l, &["resultat", "så gick det", "genomförda aktiviteter", "redovisning", "återrapport"])
    {
        return Class::Report;
    }
    if starts_any(
        &l,
        &[
            "löften",
            "våra löften",
            "vi lovar",
            "löftet",
            "löftena",
            "löfte",
            "våra medborgarlöften",
            "åtaganden",
            "våra åtaganden",
            "vad lovar vi",
            "detta lovar vi",
            "det här lovar vi",
            "medborgarlöftet",
            "medborgarlöftena",
            "medborgarlöften",
            "gemensamma löften",
            "vårt löfte",
            "vårt medborgarlöfte",
            "våra gemensamma löften",
            "löftet till medborgarna",
        ],
    ) && l.chars().count() < 40
    {
        return Class::Promises;
    }
    if starts_any(&l, &["fokusområden", "fokusområde", "prioriterade områden", "våra fokusområden", "prioriteringar"])
    {
        return Class::Focus;
    }
    if starts_any(
        &l,
        &[
            "aktiviteter",
            "aktivitet",
            "åtgärder",
            "insatser",
            "så här gör vi",
            "så gör vi",
            "så ska vi göra",
            "så arbetar vi",
            "så här arbetar vi",
            "genomförande",
            "handlingsplan",
            "konkreta aktiviteter",
            "planerade aktiviteter",
            "aktivitetsplan",
        ],
    ) {
        return Class::Activities;
    }
    if starts_any(
        &l,
        &["uppföljning", "utvärdering", "så följer vi upp", "återkoppling", "uppföljning och utvärdering"],
    ) {
        return Class::FollowUp;
    }
    if starts_any(&l, &["kommunikation", "så kommunicerar vi", "kommunikationsplan", "information till medborgarna"]) {
        return Class::Communication;
    }
    if starts_any(
        &l,
        &[
            "giltighet",
            "giltighetstid",
            "period",
            "löftesperiod",
            "tidsperiod",
            "när gäller löftet",
            "avtalstid",
            "gäller",
        ],
    ) {
        return Class::Validity;
    }
    if starts_any(
        &l,
        &[
            "underskrifter",
            "underskrift",
            "undertecknat",
            "undertecknande",
            "undertecknare",
            "signaturer",
            "signering",
            "undertecknas av",
        ],
    ) {
        return Class::Signatures;
    }
    if starts_any(
        &l,
        &[
            "bakgrund",
            "problembild",
            "problembilden",
            "nuläge",
            "nulägesbeskrivning",
            "orsaksanalys",
            "om medborgarlöftet",
            "det här är medborgarlöften",
            "samverkansöverenskommelse",
            "samverkansöverenskommelsen",
            "inledning",
            "syfte",
            "om medborgarlöften",
            "vad är medborgarlöften",
            "vad är ett medborgarlöfte",
            "lägesbild",
            "lägesbilden",
            "så togs löftena fram",
            "så har vi tagit fram löftena",
            "medborgardialog",
            "medarbetardialog",
            "mål",
            "målsättning",
        ],
    ) {
        return Class::Background;
    }
    if starts_any(
        &l,
        &[
            "innehåll",
            "innehållsförteckning",
            "kontakt",
            "kontakta oss",
            "kontaktpersoner",
            "kontaktperson",
            "frågor",
            "mer information",
            "läs mer",
            "relaterat",
            "relaterade sidor",
            "relaterade länkar",
            "dela",
            "hitta på sidan",
            "innehåll på sidan",
            "sidinnehåll",
            "nyheter",
            "senaste nytt",
        ],
    ) {
        return Class::Contact;
    }
    Class::Unknown
}

/// Page furniture that is text: menus, search, cookie notices, "Till toppen", captions,
/// contact lines, our own page's download links.
fn clutter(text: &str) -> bool {
    let l = text.trim().to_lowercase();
    let exact = [
        "sök",
        "meny",
        "stäng",
        "stäng meny",
        "till toppen",
        "tillbaka till toppen",
        "upp",
        "hoppa till innehållet",
        "gå till innehåll",
        "gå direkt till innehåll",
        "dela",
        "dela sidan",
        "skriv ut",
        "lyssna",
        "läs upp",
        "talande webb",
        "logga in",
        "english",
        "in english",
        "start",
        "startsida",
        "hem",
        "cookies",
        "kakor",
        "jag förstår",
        "godkänn",
        "acceptera",
        "acceptera alla",
        "endast nödvändiga",
        "inställningar",
        "facebook",
        "twitter",
        "x",
        "linkedin",
        "instagram",
        "youtube",
        "e-post",
        "mejla",
        "dela:",
        "skriv ut sidan",
        "logga in",
        "meny sök",
        "ok",
        "tipsa en vän",
        "tillbaka",
        "föregående",
        "nästa",
        "innehåll",
        "sök på webbplatsen",
        "visa meny",
        "translate",
        "other languages",
        "lätt svenska",
        "teckenspråk",
        "e-tjänster",
        "a-ö",
    ];
    if exact.contains(&l.as_str()) {
        return true;
    }
    let starts = [
        "senast uppdaterad",
        "sidan uppdaterades",
        "sidan senast",
        "publicerad",
        "uppdaterad:",
        "sidansvarig",
        "foto:",
        "bild:",
        "fotograf:",
        "illustration:",
        "vi använder kakor",
        "vi använder cookies",
        "den här webbplatsen använder",
        "denna webbplats använder",
        "webbplatsen använder",
        "läs mer om kakor",
        "läs mer om cookies",
        "dela på",
        "share",
        "telefon:",
        "tel:",
        "tel.",
        "telefon ",
        "e-post:",
        "epost:",
        "mejl:",
        "mail:",
        "växel",
        "ladda ner medborgarlöftet som json",
        "ladda ner dokumentet med underskrifter",
        "vad ändrades från föregående löfte",
        "föregående löfte:",
        "det här medborgarlöftet är inte det som gäller nu",
        "hitta hit",
        "besöksadress",
        "postadress",
        "organisationsnummer",
        "© ",
        "copyright",
        "tillgänglighetsredogörelse",
        "om webbplatsen",
        "prenumerera",
        "läs hela",
        "ladda ner",
        "om kakor",
        "var den här sidan till hjälp",
        "har du synpunkter",
        "ring 112",
        "ring 114",
        "vid akuta",
        "dela artikeln",
        "dela sidan",
        "dela på",
        "läs mer",
        "följ oss",
        "gilla oss",
        "hjälpte informationen",
        "var sidan till hjälp",
        "fick du svar",
    ];
    if starts.iter().any(|s| l.starts_with(s)) {
        return true;
    }
    // Page numbers and running page headers of a PDF: "Sida 2 av 4", "2 (4)", "3".
    let words: Vec<&str> = l.split_whitespace().collect();
    let number = |w: &str| !w.is_empty() && w.len() <= 3 && w.bytes().all(|b| b.is_ascii_digit());
    let page = match words.as_slice() {
        [n] => number(n),
        ["sida", n] => number(n),
        ["sida", n, "av" | "(av", m] => number(n) && number(m.trim_end_matches(')')),
        [n, m] => number(n) && m.starts_with('(') && number(m.trim_matches(['(', ')'])),
        _ => false,
    };
    if page {
        return true;
    }
    // A page footer ending in "1 (8)" or "Sida 2 av 4", and contents lines with dotted leaders.
    let tail: Vec<&str> = words.iter().rev().take(4).rev().copied().collect();
    let footer = match tail.as_slice() {
        [.., n, m] if number(n) && m.starts_with('(') && number(m.trim_matches(['(', ')'])) => true,
        [.., s, n, av, m] if *s == "sida" && number(n) && *av == "av" && number(m) => true,
        _ => false,
    };
    if footer || l.contains("....") || l.contains("…………") {
        return true;
    }
    // Breadcrumbs: "Start > Trygghet > Medborgarlöften".
    let crumbs = l.matches(" > ").count() + l.matches(" › ").count() + l.matches(" / ").count();
    if crumbs >= 2 && l.chars().count() < 120 {
        return true;
    }
    // A line that is only a phone number or an e-mail address.
    let digits = l.chars().filter(char::is_ascii_digit).count();
    if dates::first_date(&l).is_some() || dates::period(&l).ok().flatten().is_some() {
        return false;
    }
    if l.chars().count() < 40 && digits >= 6 && digits * 2 >= l.chars().filter(|c| !c.is_whitespace()).count() {
        return true;
    }
    l.chars().count() < 60 && l.contains('@') && !l.contains(' ')
}

/// A paragraph that works as a heading: a label ending in a colon, an owner header
/// ("Polisen åtar sig att"), or a short known section name ("Uppföljning", "Fokusområde: …").
fn acts_as_heading(text: &str) -> bool {
    let t = text.trim();
    if labelish(t) || matches!(classify(t), Class::ActivityItem(_) | Class::Detail) {
        return true;
    }
    let n = t.chars().count();
    if n > 90 || t.ends_with(['.', '!', '?', ',']) {
        return false;
    }
    match classify(t) {
        Class::PromiseItem(_) | Class::FocusItem(_) | Class::Theme(_) | Class::ActivityItem(_) | Class::Detail => true,
        Class::Focus => t.contains(':') || t.split_whitespace().count() <= 5,
        Class::Owner(_) | Class::Unknown => false,
        _ => t.split_whitespace().count() <= 5,
    }
}

/// A numbered line that is a chapter heading: a known section name, short, no full stop.
fn numbered_section(text: &str) -> bool {
    let t = text.trim();
    t.chars().count() <= 40
        && !t.ends_with(['.', '!', '?'])
        && !matches!(classify(t), Class::Unknown | Class::Owner(_) | Class::Detail | Class::ActivityItem(_))
}

/// A sentence about when the promise is in force.
fn validity_sentence(text: &str) -> bool {
    let l = text.to_lowercase();
    let about =
        l.contains("löfte") || l.contains("överenskommelse") || l.starts_with("gäller") || l.contains("perioden");
    let when = [
        "börjar gälla",
        "gäller från",
        "gäller till",
        "gäller tills",
        "gäller under",
        "gäller för",
        "gäller mellan",
        "gäller fr",
        "gäller t",
        "gäller 20",
        "gäller perioden",
        "giltig",
        "löper",
        "gälla från",
        "gälla till",
        "gäller i två år",
        "gäller i ett år",
        "gäller ett år",
        "gäller två år",
    ];
    let short = text.chars().count() < 600;
    let dated = || {
        (l.contains("gäll") || l.contains("giltig") || l.contains("period"))
            && dates::period(text).ok().flatten().is_some_and(|p| p.start.is_some() || p.end.is_some())
    };
    short && (about && when.iter().any(|w| l.contains(w)) || l.chars().count() < 200 && dated())
}

/// A sentence about how the promise is followed up.
fn follow_up_sentence(text: &str) -> bool {
    let l = text.to_lowercase();
    (l.contains("följs upp") || l.contains("följas upp") || l.contains("utvärderas"))
        && !l.contains("lovar")
        && text.chars().count() < 300
}

fn communication_sentence(text: &str) -> bool {
    let l = text.to_lowercase();
    l.starts_with("kommunikation")
        || l.contains("kommuniceras")
        || l.contains("kommunikationsplan")
        || l.contains("kommunicera ")
}

/// A quote in a news article ("– Vi är glada, säger …") or the byline.
fn news_prose(text: &str) -> bool {
    let l = text.to_lowercase();
    (text.starts_with(['–', '—', '"', '”', '-']) && (l.contains("säger") || l.contains("berättar")))
        || l.contains(", säger ")
        || l.contains(" säger hon")
        || l.contains(" säger han")
        || l.starts_with("text:")
        || l.starts_with("av:")
}

/// Titles of people who sign medborgarlöften.
fn signatory_title(text: &str) -> bool {
    let l = text.to_lowercase();
    [
        "ordförande",
        "kommundirektör",
        "kommunchef",
        "lokalpolisområdeschef",
        "polisområdeschef",
        "kommunalråd",
        "chef för lokalpolisområde",
        "chef lokalpolisområde",
        "lpo-chef",
        "stadsdirektör",
        "polischef",
        "områdeschef",
        "biträdande",
        "förvaltningschef",
    ]
    .iter()
    .any(|w| l.contains(w))
        && text.chars().count() <= 120
}

/// "Anna Andersson": two to four capitalised words, no digits.
/// The cells of a line of signatures set side by side: "Anna Andersson – Per Olsson".
fn sig_columns(text: &str) -> Vec<&str> {
    for sep in [" | ", " – ", " — ", " - "] {
        let cells: Vec<&str> = text.split(sep).map(str::trim).filter(|c| !c.is_empty()).collect();
        if cells.len() >= 2 {
            return cells;
        }
    }
    vec![text]
}

/// Signature lines with names side by side, read column by column: each group of lines that
/// starts with names in columns becomes the lines of each column in turn.
fn side_by_side(lines: &[(usize, String)]) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut k = 0;
    while k < lines.len() {
        let first = sig_columns(&lines[k].1);
        if first.len() >= 2 && first.iter().all(|c| person_name(c)) {
            let n = first.len();
            let mut group = vec![&lines[k]];
            while let Some(next) = lines.get(k + group.len()) {
                if sig_columns(&next.1).len() == n {
                    group.push(next);
                } else {
                    break;
                }
            }
            for c in 0..n {
                for (line, text) in &group {
                    if let Some(cell) = sig_columns(text).get(c) {
                        out.push((*line, (*cell).to_owned()));
                    }
                }
            }
            k += group.len();
        } else {
            out.push(lines[k].clone());
            k += 1;
        }
    }
    out
}

/// "Peter Johansson (M)" → "Peter Johansson".
fn without_party(name: &str) -> String {
    name.split_whitespace()
        .filter(|w| !(w.starts_with('(') && w.trim_end_matches(',').ends_with(')') && w.len() <= 6))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A person's party abbreviation after the name ("Peter Johansson (M)") is not part of it.
fn person_name(text: &str) -> bool {
    let words: Vec<&str> = text
        .split_whitespace()
        .filter(|w| !(w.starts_with('(') && w.trim_end_matches(',').ends_with(')') && w.len() <= 6))
        .collect();
    (2..=4).contains(&words.len())
        && words.iter().all(|w| {
            let w = w.trim_end_matches(',');
            w.chars().next().is_some_and(char::is_uppercase)
                && w.chars().all(|c| c.is_alphabetic() || c == '-')
                && !w.to_lowercase().contains("kommun")
                && !w.to_lowercase().contains("polis")
        })
}

#[derive(Clone, Debug)]
struct Label {
    owner: Option<Owner>,
    /// The list under it had bullets (then a following short line is a heading again).
    bulleted: bool,
}

#[derive(Clone, Copy, Debug)]
enum Target {
    Promise(usize),
    Activity(usize, usize),
}

/// A theme, the line of its heading, and each activity's line and owner basis.
type ThemeParts = (Theme, usize, Vec<(usize, OwnerBasis)>);

/// The table being read, from its header row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Table {
    None,
    Activities { activity: usize, owner: usize },
    Signatures,
}

struct Reader<'a> {
    ctx: &'a Context,
    blocks: &'a [Block],
    warnings: Vec<Warning>,
    intro: Vec<(String, usize)>,
    promises: Vec<(Promise, usize, OwnerBasis, Vec<usize>)>,
    themes: Vec<ThemeParts>,
    follow_up: Vec<(String, usize)>,
    communication: Vec<(String, usize)>,
    validity: Vec<(String, usize)>,
    sec: Sec,
    label: Option<Label>,
    theme: Option<usize>,
    owners_in_theme: Vec<Option<Owner>>,
    /// A promise heading ("Löfte 1: …") names the theme of the activities under it.
    pending_theme: Option<String>,
    /// "Fokusområde: Trafik": the focus area of the next promise sentence.
    pending_focus: Option<(String, usize)>,
    started: bool,
    voice: Option<Owner>,
    last: Option<Target>,
    /// A promise was stated as one ("Löfte: …", "Löfte 1: …"): owner headers after it are
    /// over activities, not over more promises.
    explicit_promise: bool,
    /// Focus areas named before any promise ("Fokusområden: A, B"): given to the first one.
    pending_focus_list: Vec<(String, usize)>,
    /// The text is Löfte's own page: its meta line states the period (or that there is none).
    ours: bool,
    /// The list depth of the last activity (deeper items are its sub-points).
    activity_depth: Option<usize>,
    /// The promise whose sub-points with owners became the current theme.
    theme_of_promise: Option<usize>,
    /// The list depth of the last promise (items deeper than it are its focus areas).
    promise_depth: Option<usize>,
    /// The item being read had a bullet.
    bulleted_now: bool,
    /// The warning that the last item's owner is unknown (removed if a marker follows).
    default_warning: Option<usize>,
    /// The activity that sub-points are being added to.
    nested_into: Option<(usize, usize)>,
    table: Table,
    sig_lines: Vec<(usize, String)>,
    sig_rows: Vec<(usize, Vec<String>)>,
    signed_on: Option<IsoDate>,
    meta_lines: Vec<(usize, String)>,
    title: Option<(usize, String)>,
    title_index: Option<usize>,
    page_headings: Vec<(usize, String)>,
}

pub(crate) fn read(blocks: &[Block], meta: &PageMeta, ctx: &Context, format: Format) -> Result<Imported, ImportError> {
    let mut r = Reader {
        ctx,
        blocks,
        warnings: Vec::new(),
        intro: Vec::new(),
        promises: Vec::new(),
        themes: Vec::new(),
        follow_up: Vec::new(),
        communication: Vec::new(),
        validity: Vec::new(),
        sec: Sec::Pre,
        label: None,
        theme: None,
        owners_in_theme: Vec::new(),
        pending_theme: None,
        pending_focus: None,
        started: false,
        voice: voice(blocks, meta),
        last: None,
        explicit_promise: false,
        pending_focus_list: Vec::new(),
        default_warning: None,
        bulleted_now: false,
        promise_depth: None,
        theme_of_promise: None,
        activity_depth: None,
        ours: false,
        nested_into: None,
        table: Table::None,
        sig_lines: Vec::new(),
        sig_rows: Vec::new(),
        signed_on: None,
        meta_lines: Vec::new(),
        title: None,
        title_index: None,
        page_headings: Vec::new(),
    };
    for (line, text) in &meta.skipped {
        r.warn(*line, "bildtext hoppades över", text);
    }
    r.find_title();
    let end = r.walk();
    if r.promises.is_empty() && r.themes.is_empty() && r.title.is_none() && r.intro.is_empty() {
        return Err(ImportError::NothingFound);
    }
    let truncated = r.truncated(end);
    Ok(r.finish(meta, truncated, format))
}

/// Whose voice "vi" is: the police's on a police page (polisen.se) or when the text says
/// "vi på polisen"; the municipality's when it says "vi på kommunen"; else both.
fn voice(blocks: &[Block], meta: &PageMeta) -> Option<Owner> {
    let site = format!("{} {}", meta.title, meta.site).to_lowercase();
    if site.contains("polisen.se") || site.contains("polismyndigheten") {
        return Some(Owner::Police);
    }
    let all: String = blocks.iter().take(200).map(|b| b.text.to_lowercase()).collect::<Vec<_>>().join(" ");
    if ["vi på polisen", "vi inom polisen", "vi poliser", "vi i polisen"].iter().any(|p| all.contains(p)) {
        return Some(Owner::Police);
    }
    if ["vi på kommunen", "vi i kommunen", "vi inom kommunen"].iter().any(|p| all.contains(p)) {
        return Some(Owner::Municipality);
    }
    None
}

impl Reader<'_> {
    fn warn(&mut self, line: usize, message: impl Into<String>, text: &str) {
        self.warnings.push(Warning { line, message: message.into(), excerpt: excerpt(text) });
    }

    /// The title: the first heading naming a medborgarlöfte with a year, before the content
    /// starts; else the first heading naming one. Earlier such headings are page headings.
    fn find_title(&mut self) {
        let mut candidates = Vec::new();
        for (i, b) in self.blocks.iter().enumerate() {
            let standalone = matches!(b.kind, Kind::Heading { .. })
                || b.kind == Kind::Para && b.text.chars().count() <= 80 && !dates::years(&b.text).is_empty();
            let sentence = b.text.trim_end().ends_with([':', '.', '!', '?']);
            if standalone && !sentence && title_like(&b.text) && !clutter(&b.text) {
                candidates.push(i);
            }
            if matches!(b.kind, Kind::Heading { .. })
                && matches!(classify(&b.text), Class::Activities | Class::FollowUp)
            {
                break;
            }
        }
        if let Some(i) = self.blocks.iter().position(|b| b.hint == Some("title")) {
            candidates.retain(|&c| c < i);
            candidates.push(i);
            self.title_index = Some(i);
            self.title = Some((self.blocks[i].line, self.blocks[i].text.clone()));
            for &c in candidates.iter().filter(|&&c| c < i) {
                self.page_headings.push((self.blocks[c].line, self.blocks[c].text.clone()));
            }
            return;
        }
        let with_year = candidates.iter().find(|&&i| !dates::years(&self.blocks[i].text).is_empty()).copied();
        let chosen = with_year.or_else(|| candidates.first().copied());
        if let Some(i) = chosen {
            self.title_index = Some(i);
            self.title = Some((self.blocks[i].line, self.blocks[i].text.clone()));
            for &c in candidates.iter().filter(|&&c| c < i) {
                self.page_headings.push((self.blocks[c].line, self.blocks[c].text.clone()));
            }
        }
    }

    /// Walks the blocks; returns the index where reading stopped (the end, or a second promise
    /// or a follow-up report on the same page).
    fn walk(&mut self) -> usize {
        let blocks = self.blocks;
        let mut i = 0;
        while i < blocks.len() {
            let b = &blocks[i];
            if Some(i) == self.title_index {
                self.started = true;
                self.sec = Sec::Pre;
                self.label = None;
                i += 1;
                continue;
            }
            if self.page_headings.iter().any(|(l, _)| *l == b.line) {
                i += 1;
                continue;
            }
            if clutter(&b.text) && b.hint.is_none() {
                self.warn(b.line, "sidelement hoppades över", &b.text);
                i += 1;
                continue;
            }
            if self.hinted(b) {
                i += 1;
                continue;
            }

            if !matches!(b.kind, Kind::Row(_)) {
                self.table = Table::None;
            }
            // "Ansvarig: kommunen" on a line of its own: the owner of the item above.
            if let Some(owner) = owners::responsible_line(&b.text)
                && self.set_last_owner(owner)
            {
                i += 1;
                continue;
            }
            // A paragraph that is a header ("<p>Polisen lovar att:</p>", "Uppföljning" with
            // no blank line around it) is read as one.
            let kind = match &b.kind {
                Kind::Para if acts_as_heading(&b.text) => Kind::Heading { guessed: true },
                // "2. Lägesbild", "4. Aktiviteter": numbered chapter headings.
                Kind::Item { ordered: true, .. } if numbered_section(&b.text) => Kind::Heading { guessed: true },
                k => k.clone(),
            };
            let heading_like = matches!(kind, Kind::Heading { .. }) && b.hint != Some("promise");
            if heading_like && self.started && self.begun() && self.another_promise(&b.text) {
                self.warn(
                    b.line,
                    format!("sidan innehåller också \"{}\" (härifrån och framåt); bara det första medborgarlöftet importerades", excerpt(&b.text)),
                    &b.text,
                );
                return i;
            }
            match &kind {
                Kind::Heading { guessed } if b.hint.is_none() => {
                    if *guessed && self.heading_is_item(i) {
                        self.item(b, 0, false);
                    } else if let Some(stop) = self.heading(b, i) {
                        return stop;
                    }
                }
                Kind::Heading { .. } => {}
                Kind::Para => self.para(b, i),
                Kind::Item { depth, .. } if self.item_is_heading(i, *depth) => {
                    // "1. Gamlegården" over plain paragraphs: a numbered theme heading.
                    self.new_theme(b.text.trim_end_matches(':').to_owned(), b.line);
                    self.pending_theme = None;
                }
                Kind::Item { depth, .. } => self.item(b, *depth, true),
                Kind::Row(cells) => self.row(b, cells, i),
            }
            i += 1;
        }
        blocks.len()
    }

    /// An item among the activities that heads the plain paragraphs after it: short, no full
    /// stop, and followed by a paragraph rather than by more items.
    fn item_is_heading(&self, i: usize, depth: usize) -> bool {
        let b = &self.blocks[i];
        let short = b.text.chars().count() <= 60 && b.text.split_whitespace().count() <= 6;
        self.sec == Sec::Activities
            && depth == 0
            && short
            && !b.text.ends_with(['.', '!', '?'])
            && !labelish(&b.text)
            && owners::of_subject(&b.text).is_none()
            && self.blocks.get(i + 1).is_some_and(|n| match n.kind {
                Kind::Para => !acts_as_heading(&n.text) && owners::responsible_line(&n.text).is_none(),
                // "4.1 Trygg stadskärna" over a bulleted list.
                Kind::Item { depth: d, .. } => {
                    d > depth && self.blocks.get(i).is_some_and(|b| matches!(b.kind, Kind::Item { ordered: true, .. }))
                }
                _ => false,
            })
    }

    /// A heading naming another medborgarlöfte: one of another year than this one's title.
    fn another_promise(&self, text: &str) -> bool {
        if !title_like(text) {
            return false;
        }
        let years = dates::years(text);
        let own = self.title.as_ref().map(|(_, t)| dates::years(t)).unwrap_or_default();
        let other_year = !years.is_empty() && (own.is_empty() || !years.iter().any(|y| own.contains(y)));
        // "Medborgarlöfte Smedjebackens kommun 2025" after Ludvika's: another municipality's.
        let named = |t: &str| -> Vec<String> {
            places::mentions(0, t, true, &self.ctx.municipalities).into_iter().map(|m| m.code).collect()
        };
        let theirs = named(text);
        let ours = self.title.as_ref().map(|(_, t)| named(t)).unwrap_or_default();
        let other_place = !theirs.is_empty() && !ours.is_empty() && !theirs.iter().any(|c| ours.contains(c));
        other_year || other_place
    }

    /// A table row: a header row starts an activity table ("Aktivitet | Ansvarig | När") or a
    /// signature table ("Namn | Befattning | Datum"); rows under them are activities or
    /// signatures; other rows are read as paragraphs.
    fn row(&mut self, b: &Block, cells: &[String], i: usize) {
        let lower: Vec<String> = cells.iter().map(|c| norm(c)).collect();
        let activity_col =
            lower.iter().position(|c| ["aktivitet", "åtgärd", "insats", "vad"].iter().any(|w| c.starts_with(w)));
        let owner_col = lower.iter().position(|c| c.starts_with("ansvar") || c == "vem" || c.starts_with("utförare"));
        if let (Some(a), Some(o)) = (activity_col, owner_col) {
            self.table = Table::Activities { activity: a, owner: o };
            if self.sec != Sec::Activities {
                self.sec = Sec::Activities;
                self.label = None;
            }
            return;
        }
        if lower.iter().any(|c| c == "namn") {
            self.table = Table::Signatures;
            self.sig_rows.push((b.line, cells.to_vec()));
            return;
        }
        match self.table {
            Table::Activities { activity, owner } => {
                let (Some(text), owner_text) = (cells.get(activity), cells.get(owner)) else { return };
                if text.is_empty() {
                    return;
                }
                let marked = owner_text.filter(|o| !o.is_empty()).map(|o| format!("{text} ({o})"));
                let item =
                    Block::new(b.line, Kind::Item { depth: 0, ordered: false }, marked.unwrap_or_else(|| text.clone()));
                self.item(&item, 0, true);
            }
            Table::Signatures => self.sig_rows.push((b.line, cells.to_vec())),
            Table::None if self.sec == Sec::Signatures => self.sig_lines.push((b.line, cells.join(" | "))),
            Table::None => {
                let para = Block::new(
                    b.line,
                    Kind::Para,
                    cells.iter().filter(|c| !c.is_empty()).cloned().collect::<Vec<_>>().join(" – "),
                );
                self.para(&para, i);
            }
        }
    }

    /// Blocks our own page marked. Returns whether the block was handled (else the ordinary
    /// reading goes on).
    fn hinted(&mut self, b: &Block) -> bool {
        let Some(hint) = b.hint else { return false };
        match hint {
            "intro" => {
                self.intro.push((b.text.clone(), b.line));
            }
            "meta" => {
                self.meta_lines.push((b.line, b.text.clone()));
                self.started = true;
                self.ours = true;
            }
            "signed" => {
                self.signed_on = dates::first_date(&b.text).and_then(Result::ok).or(self.signed_on);
            }
            "notice" => {}
            "promise" => {
                self.sec = Sec::Promises;
                self.started = true;
                let owner = b.owner_hint.as_deref().map(|o| match o {
                    "kommunen" => Owner::Municipality,
                    "polisen" => Owner::Police,
                    other => Owner::Other(other.to_owned()),
                });
                match (&b.kind, owner) {
                    (Kind::Item { depth: 0, .. }, Some(o)) => {
                        self.push_promise(b.text.clone(), o, OwnerBasis::Marker, b.line)
                    }
                    (Kind::Item { depth: 0, .. }, None) => {
                        self.push_promise(b.text.clone(), Owner::Joint, OwnerBasis::Marker, b.line)
                    }
                    (Kind::Item { .. }, _) if !self.promises.is_empty() => self.push_focus(b.text.clone(), b.line),
                    _ => return false,
                }
            }
            "theme" => {
                self.sec = Sec::Activities;
                self.new_theme(b.text.clone(), b.line);
            }
            "group" => {
                self.sec = Sec::Activities;
                let label = b.text.trim_end_matches(':');
                let owner = match label {
                    "Gemensam aktivitet" | "Gemensamma aktiviteter" => Some(Owner::Joint),
                    "Kommunens aktivitet" | "Kommunens aktiviteter" => Some(Owner::Municipality),
                    "Polisiär aktivitet" | "Polisiära aktiviteter" => Some(Owner::Police),
                    l => l
                        .strip_prefix("Aktivitet – ")
                        .or_else(|| l.strip_prefix("Aktiviteter – "))
                        .map(|n| Owner::Other(n.to_owned())),
                };
                self.label = Some(Label { owner: owner.clone(), bulleted: true });
                self.owners_in_theme.push(owner);
            }
            "activity" => {
                let Some(theme) = self.theme else { return false };
                let owner = self.label.as_ref().and_then(|l| l.owner.clone()).unwrap_or(Owner::Joint);
                let (party, party_name) = owners::party(&owner);
                if let Some((th, _, sources)) = self.themes.get_mut(theme) {
                    th.activities.push(Activity { text: b.text.clone(), party, party_name });
                    sources.push((b.line, OwnerBasis::Header));
                }
            }
            "follow_up" => self.follow_up.push((b.text.clone(), b.line)),
            "communication" => self.communication.push((b.text.clone(), b.line)),
            "validity" => self.validity.push((b.text.clone(), b.line)),
            _ => return false,
        }
        true
    }

    /// Whether anything of the promise has been read yet.
    fn begun(&self) -> bool {
        !self.promises.is_empty() || !self.themes.is_empty()
    }

    /// A short line standing alone where a list without bullets is expected: an item, unless
    /// it starts a new theme (what follows is an owner header already used in this theme, or a
    /// bulleted list).
    fn heading_is_item(&self, i: usize) -> bool {
        let b = &self.blocks[i];
        // Short lines under "Fokusområden" are the focus areas.
        if self.sec == Sec::Focus && classify(&b.text) == Class::Unknown && !labelish(&b.text) {
            return true;
        }
        let Some(label) = &self.label else { return false };
        if label.bulleted || !matches!(self.sec, Sec::Promises | Sec::Activities | Sec::Focus) {
            return false;
        }
        if labelish(&b.text) || classify(&b.text) != Class::Unknown {
            return false;
        }
        match self.blocks.get(i + 1) {
            Some(next) if matches!(next.kind, Kind::Item { .. }) => false,
            Some(next) if matches!(next.kind, Kind::Heading { .. }) => match classify(&next.text) {
                Class::Owner(o) => !self.owners_in_theme.contains(&o),
                _ => true,
            },
            _ => true,
        }
    }

    fn heading(&mut self, b: &Block, i: usize) -> Option<usize> {
        self.promise_depth = None;
        let class = classify(&b.text);
        match class {
            Class::Owner(_) if !self.started && !labelish(&b.text) => {
                // "Sundsvalls kommun" above the title: the site's name.
                self.page_headings.push((b.line, b.text.clone()));
            }
            Class::Owner(owner) => {
                if self.sec == Sec::Signatures {
                    self.sig_lines.push((b.line, b.text.clone()));
                    return None;
                }
                let in_activities = self.sec == Sec::Activities
                    || self.pending_theme.is_some()
                    || !self.themes.is_empty()
                    || self.explicit_promise;
                self.sec = if in_activities { Sec::Activities } else { Sec::Promises };
                if in_activities && self.owners_in_theme.contains(&owner) && self.pending_theme.is_none() {
                    // The same owner twice in one theme: a new, unnamed theme began.
                    self.theme = None;
                    self.owners_in_theme.clear();
                }
                self.owners_in_theme.push(owner.clone());
                self.label = Some(Label { owner, bulleted: false });
                self.started = true;
            }
            Class::Promises => {
                self.sec = Sec::Promises;
                self.label = None;
                self.started = true;
            }
            Class::Focus => {
                self.sec = Sec::Focus;
                self.label = None;
                // "Fokusområden: Tidiga insatser, Föräldraskap och Trygga miljöer".
                if let Some((_, list)) = b.text.split_once(':') {
                    let areas: Vec<String> = list
                        .split([',', ';'])
                        .flat_map(|p| p.split(" och "))
                        .map(|p| p.trim().trim_end_matches('.').to_owned())
                        .filter(|p| !p.is_empty())
                        .collect();
                    for area in areas {
                        if self.promises.is_empty() {
                            self.pending_focus_list.push((area, b.line));
                        } else {
                            self.push_focus(capitalise(&area), b.line);
                        }
                    }
                }
            }
            Class::FocusItem(text) if self.explicit_promise && self.theme.is_none() && self.pending_theme.is_some() => {
                // "Löfte 1: …" and then "Fokusområde: …": the promise's focus area.
                self.push_focus(text, b.line);
            }
            Class::PromiseItem(text) | Class::FocusItem(text) => {
                let focus = matches!(classify(&b.text), Class::FocusItem(_));
                self.started = true;
                self.sec = Sec::Activities;
                self.label = None;
                self.theme = None;
                self.owners_in_theme.clear();
                let name = text.trim_end_matches(':').to_owned();
                self.pending_theme = Some(name.clone());
                if focus {
                    self.pending_focus = Some((name, b.line));
                } else {
                    let (owner, basis) = match owners::of_subject(&text) {
                        Some(o) => (o, OwnerBasis::Subject),
                        None => (Owner::Joint, OwnerBasis::Default),
                    };
                    self.push_promise(text, owner, basis, b.line);
                    self.explicit_promise = true;
                }
            }
            Class::Activities => {
                if self.sec != Sec::Activities {
                    // Owner headers over the promises do not count for the activities' themes.
                    self.owners_in_theme.clear();
                }
                self.sec = Sec::Activities;
                self.label = None;
                self.started = true;
                if labelish(&b.text) && self.pending_theme.is_none() {
                    // "Aktiviteter:" under a promise: the list belongs to it.
                    self.label = Some(Label { owner: None, bulleted: false });
                }
            }
            Class::FollowUp => self.tail(Sec::FollowUp),
            Class::Communication => self.tail(Sec::Communication),
            Class::Validity if dates::period(&b.text).ok().flatten().is_some() => {
                // "Period: 2019-07-01—2021-06-30": a statement, not a heading over one.
                self.validity.push((b.text.clone(), b.line));
            }
            Class::Validity => self.tail(Sec::Validity),
            Class::Signatures => self.tail(Sec::Signatures),
            Class::Background => {
                if self.begun() {
                    self.warn(b.line, "rubrik efter löftena; stycket under den lades till inledningen", &b.text);
                }
                self.sec = Sec::Pre;
                self.label = None;
            }
            Class::Contact => {
                if self.started {
                    self.sec = Sec::Skip;
                    self.warn(b.line, "kontaktuppgifter och länkar hoppades över", &b.text);
                } else {
                    self.warn(b.line, "sidelement hoppades över", &b.text);
                }
            }
            Class::Report => {
                if self.begun() {
                    self.warn(
                        b.line,
                        format!("sidan innehåller också \"{}\" (härifrån och framåt): en uppföljning eller ett äldre löfte, som inte importerades", excerpt(&b.text)),
                        &b.text,
                    );
                    return Some(i);
                }
                self.sec = Sec::Skip;
                self.warn(b.line, "avsnittet hoppades över (uppföljning eller äldre löfte)", &b.text);
            }
            Class::Theme(name) => {
                self.sec = Sec::Activities;
                self.new_theme(name, b.line);
                self.pending_theme = None;
            }
            Class::ActivityItem(text) => {
                if self.sec != Sec::Activities {
                    self.sec = Sec::Activities;
                    self.label = None;
                }
                let item = Block::new(b.line, Kind::Item { depth: 0, ordered: false }, text);
                self.item(&item, 0, true);
            }
            Class::Detail => self.detail(b),
            Class::Unknown => self.unknown_heading(b, i),
        }
        None
    }

    fn tail(&mut self, sec: Sec) {
        self.sec = sec;
        self.label = None;
        self.pending_theme = None;
    }

    fn unknown_heading(&mut self, b: &Block, i: usize) {
        let name = b.text.trim_end_matches(':').trim().to_owned();
        match self.sec {
            Sec::Activities => {
                self.new_theme(name, b.line);
                self.pending_theme = None;
            }
            Sec::Promises | Sec::Focus if !self.promises.is_empty() => {
                self.sec = Sec::Activities;
                self.new_theme(name, b.line);
            }
            Sec::Signatures => self.sig_lines.push((b.line, b.text.clone())),
            Sec::FollowUp | Sec::Communication | Sec::Validity if self.signature_starts(i) => {
                self.sec = Sec::Signatures;
                self.sig_lines.push((b.line, b.text.clone()));
            }
            Sec::FollowUp | Sec::Communication | Sec::Validity | Sec::Skip => {
                self.sec = Sec::Skip;
                self.warn(b.line, "okänd rubrik efter löftet; den och texten under den hoppades över", &b.text);
            }
            Sec::Pre if !self.begun() && (title_like(&b.text) || self.names_a_party(&b.text)) => {
                // A subtitle ("Grums kommun och lokalpolisområde Karlstad"): read for the
                // municipality and police area only.
                self.page_headings.push((b.line, b.text.clone()));
            }
            Sec::Pre | Sec::Promises | Sec::Focus
                if self.started && self.owner_header_follows(i) && !labelish(&b.text) =>
            {
                // "Ökad trygghet i Hertsön" over "Det här gör polisen:": a theme of activities.
                self.sec = Sec::Activities;
                self.new_theme(b.text.trim_end_matches(':').to_owned(), b.line);
            }
            Sec::Pre | Sec::Promises | Sec::Focus => {
                if person_name(&b.text) || signatory_title(&b.text) {
                    self.sig_lines.push((b.line, b.text.clone()));
                } else if self.started || self.title.is_none() {
                    self.warn(b.line, "rubrik som inte känns igen hoppades över", &b.text);
                } else {
                    self.warn(b.line, "rubrik före medborgarlöftet hoppades över", &b.text);
                }
            }
        }
    }

    fn names_a_party(&self, text: &str) -> bool {
        places::police_area(text).is_some() || !places::mentions(0, text, false, &self.ctx.municipalities).is_empty()
    }

    /// Whether an owner header ("Det här gör polisen:") follows within the next few blocks,
    /// before another heading.
    fn owner_header_follows(&self, i: usize) -> bool {
        for n in self.blocks.iter().skip(i + 1).take(3) {
            match classify(&n.text) {
                Class::Owner(Some(_)) => return true,
                _ if matches!(n.kind, Kind::Heading { .. }) => return false,
                _ => {}
            }
        }
        false
    }

    fn new_theme(&mut self, name: String, line: usize) {
        self.last = None;
        self.themes.push((Theme { name, activities: vec![] }, line, vec![]));
        self.theme = Some(self.themes.len() - 1);
        self.label = None;
        self.owners_in_theme.clear();
    }

    fn para(&mut self, b: &Block, i: usize) {
        let text = b.text.as_str();
        if let Some(owner) = owners::responsible_line(text)
            && self.set_last_owner(owner)
        {
            return;
        }
        let lower = text.to_lowercase();
        if lower.starts_with("undertecknat") || lower.starts_with("undertecknad") || lower.starts_with("signerat") {
            if let Some(Ok(day)) = dates::first_date(text) {
                self.signed_on = Some(day);
            }
            self.sig_lines.push((b.line, text.to_owned()));
            return;
        }
        if text.contains(" · ") && (lower.contains("lokalpolisområde") || lower.contains("period")) {
            self.meta_lines.push((b.line, text.to_owned()));
            return;
        }
        if news_prose(text) {
            self.warn(b.line, "citat eller byline i en nyhetstext hoppades över", text);
            return;
        }
        // "Löftet följs upp två gånger per år …" wherever it stands.
        if matches!(self.sec, Sec::Pre | Sec::Promises | Sec::Activities) && follow_up_sentence(text) && self.started {
            self.follow_up.push((text.to_owned(), b.line));
            return;
        }
        match self.sec {
            Sec::Pre
                if !self.started
                    && self.title.is_some()
                    && text.chars().count() < 60
                    && !text.ends_with(['.', '!', '?']) =>
            {
                // Short lines before the title: menus, site names, buttons.
                self.warn(b.line, "sidelement hoppades över", text);
            }
            Sec::Pre => {
                if validity_sentence(text) && sentences(text).len() > 1 {
                    // "Kommunen och polisen har tecknat … Medborgarlöftet gäller …": the
                    // sentence about validity to validity, the rest to the introduction.
                    let (valid, rest): (Vec<&str>, Vec<&str>) =
                        sentences(text).into_iter().partition(|s| validity_sentence(s));
                    if !rest.is_empty() {
                        self.intro.push((rest.join(" "), b.line));
                    }
                    self.validity.push((valid.join(" "), b.line));
                } else if validity_sentence(text) && text.chars().count() < 300 {
                    self.validity.push((text.to_owned(), b.line));
                } else if self.started
                    && promise_sentence(text)
                    && !self.blocks.get(i + 1).is_some_and(|n| matches!(n.kind, Kind::Item { .. }))
                {
                    self.sec = Sec::Promises;
                    self.item(b, 0, false);
                } else if (signatory_title(text) || person_name(text)) && self.begun() {
                    self.sig_lines.push((b.line, text.to_owned()));
                } else {
                    self.intro.push((text.to_owned(), b.line));
                }
            }
            Sec::Promises | Sec::Focus => {
                if text.chars().count() > 600 {
                    self.warn(b.line, "långt stycke bland löftena lades till inledningen", text);
                    self.intro.push((text.to_owned(), b.line));
                } else if validity_sentence(text) {
                    self.validity.push((text.to_owned(), b.line));
                } else if self.label.is_some()
                    || self.sec == Sec::Focus
                    || promise_sentence(text)
                    || self.promises.is_empty()
                {
                    self.item(b, 0, false);
                } else {
                    self.intro.push((text.to_owned(), b.line));
                    self.warn(b.line, "stycke efter löftena lades till inledningen", text);
                }
            }
            Sec::Activities => {
                if let Some((focus, _)) = self.pending_focus.clone()
                    && promise_sentence(text)
                {
                    let (owner, basis) = match owners::of_subject(text) {
                        Some(o) => (o, OwnerBasis::Subject),
                        None if owners::speaks_as_we(text) => {
                            (self.voice.clone().unwrap_or(Owner::Joint), OwnerBasis::Voice)
                        }
                        None => (Owner::Joint, OwnerBasis::Default),
                    };
                    self.push_promise(strip_promise_label(text), owner, basis, b.line);
                    if let Some(p) = self.promises.last_mut() {
                        p.0.focus_areas.push(focus);
                    }
                    self.pending_focus = None;
                    return;
                }
                if self.pending_theme.is_some()
                    && self.label.is_none()
                    && promise_sentence(text)
                    && self.theme.is_none()
                {
                    // "Löfte 1: Tryggare Flemingsberg" and then the promise in a sentence: the
                    // sentence is the promise (the heading names its theme).
                    if let Some(p) = self.promises.last_mut() {
                        p.0.text = strip_promise_label(text);
                        p.1 = b.line;
                    }
                    return;
                }
                if validity_sentence(text) {
                    self.validity.push((text.to_owned(), b.line));
                } else if self.label.is_none()
                    && text.ends_with('.')
                    && owners::of_subject(text).is_none()
                    && self.owner_header_follows(i)
                {
                    // A paragraph between a theme's heading and its owner headers describes it.
                    self.warn(b.line, "beskrivning av temat hoppades över (den hör inte till någon aktivitet)", text);
                } else if text.chars().count() > 400 && self.label.is_none() {
                    self.warn(b.line, "långt stycke bland aktiviteterna hoppades över (en beskrivning?)", text);
                } else {
                    self.item(b, 0, false);
                }
            }
            Sec::FollowUp | Sec::Communication | Sec::Validity => self.tail_para(b, i),
            Sec::Signatures => self.sig_lines.push((b.line, text.to_owned())),
            Sec::Skip => self.warn(b.line, "hoppades över (under en rubrik som inte hör till löftet)", text),
        }
    }

    /// A paragraph after the promises: by content to validity or communication (texts put them
    /// under "Uppföljning" too), else to the section it stands in, unless signatures begin.
    fn tail_para(&mut self, b: &Block, i: usize) {
        let parts = sentences(&b.text);
        if self.sec == Sec::FollowUp
            && parts.len() > 1
            && parts.iter().any(|s| communication_sentence(s) || validity_sentence(s))
            && !parts.iter().all(|s| communication_sentence(s))
        {
            // "Uppföljning sker … Resultatet kommuniceras …": each sentence where it belongs.
            for part in parts {
                let target = if validity_sentence(part) {
                    &mut self.validity
                } else if communication_sentence(part) {
                    &mut self.communication
                } else {
                    &mut self.follow_up
                };
                match target.last_mut() {
                    Some((t, l)) if *l == b.line => {
                        t.push(' ');
                        t.push_str(part);
                    }
                    _ => target.push((part.to_owned(), b.line)),
                }
            }
            return;
        }
        let text = b.text.clone();
        let to = if validity_sentence(&text) {
            Sec::Validity
        } else if self.sec == Sec::FollowUp && communication_sentence(&text) {
            Sec::Communication
        } else if self.signature_starts(i) {
            self.sec = Sec::Signatures;
            self.sig_lines.push((b.line, text));
            return;
        } else {
            self.sec
        };
        match to {
            Sec::FollowUp => self.follow_up.push((text, b.line)),
            Sec::Communication => self.communication.push((text, b.line)),
            _ => self.validity.push((text, b.line)),
        }
    }

    /// A person's name or a signatory's title, or a place-and-date line before them.
    fn signature_starts(&self, i: usize) -> bool {
        let b = &self.blocks[i];
        let title_line = |t: &str| signatory_title(t) && t.chars().count() <= 80 && !t.ends_with('.');
        let person_name = |t: &str| sig_columns(t).iter().all(|c| person_name(c));
        title_line(&b.text)
            || person_name(&b.text)
                && self.blocks.get(i + 1).is_some_and(|n| signatory_title(&n.text) || person_name(&n.text))
            || b.text.chars().count() < 40
                && dates::first_date(&b.text).is_some()
                && self.blocks.get(i + 1).is_some_and(|n| person_name(&n.text) || signatory_title(&n.text))
    }

    /// "Tidsplan: fredagar" under an activity: kept with it, in parentheses.
    fn detail(&mut self, b: &Block) {
        match self.last {
            Some(Target::Activity(t, a)) => {
                if let Some(act) = self.themes.get_mut(t).and_then(|th| th.0.activities.get_mut(a)) {
                    act.text = format!("{} ({})", act.text.trim_end_matches('.'), b.text.trim().trim_end_matches('.'));
                }
            }
            _ => self.warn(b.line, "uppgiften hör inte till någon aktivitet och hoppades över", &b.text),
        }
    }

    fn set_last_owner(&mut self, owner: Owner) -> bool {
        // The owner is now known: the item's warning that it was not goes.
        if let Some(w) = self.default_warning.take()
            && w < self.warnings.len()
            && self.last.is_some()
        {
            self.warnings.remove(w);
        }
        let (party, name) = owners::party(&owner);
        match self.last {
            Some(Target::Activity(t, a)) => {
                if let Some((theme, _, sources)) = self.themes.get_mut(t)
                    && let (Some(act), Some(src)) = (theme.activities.get_mut(a), sources.get_mut(a))
                {
                    act.party = party;
                    act.party_name = name;
                    src.1 = OwnerBasis::Marker;
                    return true;
                }
                false
            }
            Some(Target::Promise(p)) => {
                if let Some(pr) = self.promises.get_mut(p) {
                    pr.0.party = party;
                    pr.0.party_name = name;
                    pr.2 = OwnerBasis::Marker;
                    return true;
                }
                false
            }
            None => false,
        }
    }

    /// Decides an item's owner: marker, then header, then subject, then voice, else joint.
    fn decide(&self, text: &str) -> (Owner, OwnerBasis, String) {
        if let Some((owner, rest)) = owners::marker(text) {
            return (owner, OwnerBasis::Marker, rest);
        }
        // A paragraph after a bulleted list is no longer under the list's header.
        let under_label = self.label.as_ref().filter(|l| self.bulleted_now || !l.bulleted);
        if let Some(label) = under_label {
            match &label.owner {
                Some(o) => return (o.clone(), OwnerBasis::Header, text.to_owned()),
                None if self.voice.is_some() => {
                    return (self.voice.clone().unwrap_or(Owner::Joint), OwnerBasis::Voice, text.to_owned());
                }
                None => {}
            }
        }
        if let Some(o) = owners::of_subject(text).or_else(|| owners::of_agent(text)) {
            return (o, OwnerBasis::Subject, text.to_owned());
        }
        if owners::speaks_as_we(text) || under_label.is_some_and(|l| l.owner.is_none()) {
            let owner =
                if owners::we_with_the_other(text) { Owner::Joint } else { self.voice.clone().unwrap_or(Owner::Joint) };
            return (owner, OwnerBasis::Voice, text.to_owned());
        }
        (Owner::Joint, OwnerBasis::Default, text.to_owned())
    }

    fn item(&mut self, b: &Block, depth: usize, bulleted: bool) {
        // "• Aktivitet: X" and "• Tidsplan: …" in a list of activity blocks.
        match classify(&b.text) {
            Class::ActivityItem(inner) if self.sec != Sec::Activities || depth == 0 => {
                let stripped = Block::new(b.line, b.kind.clone(), inner);
                if self.sec != Sec::Activities {
                    self.sec = Sec::Activities;
                    self.label = None;
                }
                return self.item(&stripped, depth, bulleted);
            }
            Class::Detail if matches!(self.last, Some(Target::Activity(..))) => {
                return self.detail(b);
            }
            _ => {}
        }
        let text = b.text.as_str();
        if let Some(owner) = owners::responsible_line(text)
            && self.set_last_owner(owner)
        {
            return;
        }
        if news_prose(text) {
            // "– Vi har lyssnat …, säger …": a quote whose dash was read as a bullet.
            self.warn(b.line, "citat eller byline i en nyhetstext hoppades över", text);
            return;
        }
        self.bulleted_now = bulleted;
        if let Some(label) = &mut self.label
            && (bulleted || !label.bulleted)
        {
            label.bulleted |= bulleted;
        }
        match self.sec {
            Sec::Pre => {
                if self.started || self.title.is_none() {
                    self.sec = Sec::Promises;
                    self.item(b, depth, bulleted);
                } else {
                    self.warn(b.line, "lista före medborgarlöftet hoppades över (en meny?)", text);
                }
            }
            Sec::Promises => {
                self.started = true;
                // Deeper than the promise above it: one of its focus areas, or, when it names
                // its owner ("Fotpatrullering (Polisen)"), an activity for that promise.
                if self.promise_depth.is_some_and(|d| depth > d) && !self.promises.is_empty() {
                    if owners::marker(text).is_some() {
                        let p = self.promises.len() - 1;
                        if self.theme_of_promise != Some(p) {
                            let name: String =
                                self.promises[p].0.text.chars().take(lofte_domain::promise::MAX_NAME).collect();
                            self.new_theme(name, b.line);
                            self.theme_of_promise = Some(p);
                        }
                        self.sec = Sec::Activities;
                        let item = Block::new(b.line, Kind::Item { depth: 0, ordered: false }, text.to_owned());
                        self.item(&item, 0, bulleted);
                        self.sec = Sec::Promises;
                        return;
                    }
                    self.push_focus(text.to_owned(), b.line);
                } else {
                    self.promise_depth = Some(depth);
                    let (owner, basis, text) = self.decide(text);
                    self.push_stated_promise(text, owner, basis, b.line);
                }
            }
            Sec::Focus => {
                if self.promises.is_empty() || promise_sentence(text) {
                    if !promise_sentence(text) {
                        self.warn(b.line, "fokusområde utan löfte lästes som ett löfte", text);
                    }
                    let (owner, basis, text) = self.decide(text);
                    self.push_stated_promise(text, owner, basis, b.line);
                } else {
                    self.push_focus(text.to_owned(), b.line);
                }
            }
            Sec::Activities => {
                self.started = true;
                let theme = match self.theme {
                    Some(t) => t,
                    None => {
                        let name = match &self.pending_theme {
                            Some(n) => n.clone(),
                            None => {
                                self.warn(b.line, "aktiviteter utan tema samlades under temat \"Aktiviteter\"", text);
                                "Aktiviteter".to_owned()
                            }
                        };
                        self.themes.push((Theme { name, activities: vec![] }, b.line, vec![]));
                        self.themes.len() - 1
                    }
                };
                self.theme = Some(theme);
                if depth > 0
                    && self.activity_depth.is_some_and(|d| depth > d)
                    && let Some(Target::Activity(t, a)) = self.last
                    && let Some(parent) = self.themes.get_mut(t).and_then(|th| th.0.activities.get_mut(a))
                {
                    // Sub-points elaborate the activity above them.
                    if self.nested_into == Some((t, a)) {
                        parent.text.push_str("; ");
                    } else {
                        let trimmed = parent.text.trim_end_matches([':', '.', ' ', ';']).len();
                        parent.text.truncate(trimmed);
                        parent.text.push_str(": ");
                    }
                    parent.text.push_str(text);
                    self.nested_into = Some((t, a));
                    self.warn(b.line, "underpunkten lades till aktiviteten ovanför", text);
                    return;
                }
                self.nested_into = None;
                self.default_warning = None;
                self.activity_depth = Some(depth);
                let (owner, basis, clean) = self.decide(text);
                if basis == OwnerBasis::Default {
                    self.warn(b.line, "ansvarig part framgår inte; aktiviteten sattes som gemensam", text);
                    self.default_warning = Some(self.warnings.len() - 1);
                }
                let (party, party_name) = owners::party(&owner);
                if let Some((th, _, sources)) = self.themes.get_mut(theme) {
                    th.activities.push(Activity { text: clean, party, party_name });
                    sources.push((b.line, basis));
                    self.last = Some(Target::Activity(theme, th.activities.len() - 1));
                }
            }
            Sec::FollowUp => self.follow_up.push((text.to_owned(), b.line)),
            Sec::Communication => self.communication.push((text.to_owned(), b.line)),
            Sec::Validity => self.validity.push((text.to_owned(), b.line)),
            Sec::Signatures => self.sig_lines.push((b.line, text.to_owned())),
            Sec::Skip => self.warn(b.line, "hoppades över", text),
        }
    }

    fn push_promise(&mut self, text: String, owner: Owner, basis: OwnerBasis, line: usize) {
        self.default_warning = None;
        let (party, party_name) = owners::party(&owner);
        let pending = std::mem::take(&mut self.pending_focus_list);
        let focus_areas = pending.iter().map(|(a, _)| capitalise(a)).collect();
        let lines = pending.iter().map(|(_, l)| *l).collect();
        self.promises.push((Promise { text, party, party_name, focus_areas }, line, basis, lines));
        self.last = Some(Target::Promise(self.promises.len() - 1));
    }

    /// A promise from running text: "Löfte: …" is stripped of its label and marks the
    /// promise as stated (owner headers after it are over activities).
    fn push_stated_promise(&mut self, text: String, owner: Owner, basis: OwnerBasis, line: usize) {
        let stripped = strip_promise_label(&text);
        if stripped.len() != text.len() {
            self.explicit_promise = true;
        }
        self.push_promise(stripped, owner, basis, line);
    }

    fn push_focus(&mut self, text: String, line: usize) {
        if let Some(p) = self.promises.last_mut() {
            p.0.focus_areas.push(text);
            p.3.push(line);
        }
    }

    /// Whether the text stops in the middle: an ellipsis at the end, an unfinished last
    /// sentence, or a header with nothing under it.
    fn truncated(&mut self, end: usize) -> bool {
        if end < self.blocks.len() {
            return false; // stopped on purpose at a second promise
        }
        let Some(last) = self.blocks.iter().rev().find(|b| !clutter(&b.text)) else { return false };
        let t = last.text.trim_end();
        let reason =
            if t.ends_with('…') || t.ends_with("...") || t.ends_with("[…]") || t.to_lowercase().ends_with("läs mer")
            {
                Some("texten slutar med …")
            } else if matches!(last.kind, Kind::Heading { .. })
                && (labelish(t) || classify(t) != Class::Unknown)
                && self.sec != Sec::Signatures
            {
                Some("sista rubriken har ingen text under sig")
            } else if matches!(last.kind, Kind::Para | Kind::Item { .. })
                && !matches!(self.sec, Sec::Signatures | Sec::Skip)
                && t.chars().count() > 30
                && (t.ends_with([',', '-', '–'])
                    || crate::text::ends_open(t)
                    || t.ends_with(|c: char| c.is_alphabetic()) && last.kind == Kind::Para)
            {
                Some("sista meningen tar slut mitt i")
            } else {
                None
            };
        if let Some(reason) = reason {
            let (line, text) = (last.line, last.text.clone());
            self.warn(line, format!("texten verkar avklippt: {reason}"), &text);
            return true;
        }
        false
    }

    fn finish(mut self, meta: &PageMeta, truncated: bool, format: Format) -> Imported {
        let ctx = self.ctx;
        // Municipalities.
        let mut mentions = Vec::new();
        if let Some((line, t)) = self.title.clone() {
            mentions.extend(places::mentions(line, &t, true, &ctx.municipalities));
        }
        // The promise's own title wins: a page heading or page title may name every
        // municipality of a police area whose promises the page lists one after another.
        let titled = !mentions.is_empty();
        for (line, t) in self.page_headings.clone() {
            mentions.extend(places::mentions(line, &t, !titled, &ctx.municipalities));
        }
        mentions.extend(places::mentions(0, &meta.title, !titled, &ctx.municipalities));
        for (line, t) in &self.meta_lines {
            if let Some(list) = t.split(" · ").find_map(|s| s.strip_prefix("Gemensamt för ")) {
                mentions.extend(places::mentions(*line, list, true, &ctx.municipalities));
            }
        }
        let texts: Vec<(usize, String)> = self
            .intro
            .iter()
            .map(|(t, l)| (*l, t.clone()))
            .chain(self.promises.iter().map(|p| (p.1, p.0.text.clone())))
            .chain(self.validity.iter().map(|(t, l)| (*l, t.clone())))
            .chain(self.follow_up.iter().map(|(t, l)| (*l, t.clone())))
            .chain(self.sig_lines.iter().cloned())
            .collect();
        for (line, t) in &texts {
            mentions.extend(places::mentions(*line, t, false, &ctx.municipalities));
        }
        let (chosen, others) = places::choose(&mentions);
        let municipalities: Vec<MunicipalityRef> = match &ctx.municipality {
            Some(code) => {
                let given = ctx.municipalities.iter().find(|m| m.code == *code).cloned();
                if let Some(g) = &given
                    && !chosen.is_empty()
                    && !chosen.iter().any(|c| c.code == g.code)
                {
                    let named: Vec<String> = chosen.iter().map(|c| c.name.clone()).collect();
                    self.warn(0, format!("texten handlar om {}, men {} angavs", named.join(", "), g.name), "");
                }
                if given.is_none() {
                    self.warn(0, format!("kommunkoden {code} finns inte bland Sveriges kommuner"), "");
                }
                vec![given.unwrap_or(MunicipalityRef { code: code.clone(), name: String::new() })]
            }
            None => chosen.iter().map(|m| MunicipalityRef { code: m.code.clone(), name: m.name.clone() }).collect(),
        };
        if municipalities.is_empty() {
            self.warn(0, "ingen av Sveriges 290 kommuner nämns i texten; ange kommunen", "");
        }
        for o in others.iter().filter(|o| o.strong) {
            if !municipalities.iter().any(|m| m.code == o.code) {
                self.warn(
                    o.line,
                    format!("texten nämner också {}, som inte togs med som part", municipality_org(&o.name)),
                    "",
                );
            }
        }
        // Police area.
        let police_area = self.police_area(&municipalities);
        // Title, year and period.
        let title = match &self.title {
            Some((_, t)) => t.clone(),
            None => String::new(),
        };
        let (period, period_years) = self.period();
        let title_years = dates::years(&title);
        let year = title_years
            .first()
            .copied()
            .or(period.start.map(|d| d.0.year()))
            .or_else(|| self.intro.iter().flat_map(|(t, _)| dates::years(t)).next())
            .or_else(|| self.validity.iter().flat_map(|(t, _)| dates::years(t)).next())
            .or(period_years.first().copied())
            .or(self.signed_on.map(|d| d.0.year()))
            .or_else(|| self.blocks.iter().flat_map(|b| dates::years(&b.text)).next())
            .unwrap_or_else(|| {
                self.warnings.push(Warning {
                    line: 0,
                    message: format!("inget år i texten; {} antogs", ctx.today.0.year()),
                    excerpt: String::new(),
                });
                ctx.today.0.year()
            });
        // "MEDBORGARLÖFTE SÖDERTÄLJE 2020" → "Medborgarlöfte Södertälje 2020".
        let title = if title.chars().any(char::is_alphabetic) && !title.chars().any(char::is_lowercase) {
            let lower = capitalise(&title.to_lowercase());
            lower
                .split(' ')
                .map(|w| {
                    let bare = w.trim_end_matches(|c: char| !c.is_alphanumeric());
                    let stem = bare.strip_suffix('s').unwrap_or(bare);
                    match ctx
                        .municipalities
                        .iter()
                        .find(|m| m.name.to_lowercase() == bare || m.name.to_lowercase() == stem)
                    {
                        Some(m) => w.replacen(stem, &m.name, 1),
                        None => w.to_owned(),
                    }
                })
                .collect::<Vec<_>>()
                .join(" ")
        } else {
            title
        };
        let title = if title.is_empty() {
            self.warn(
                0,
                format!("ingen rubrik med \"medborgarlöfte\" hittades; titeln blev \"Medborgarlöfte {year}\""),
                "",
            );
            format!("Medborgarlöfte {year}")
        } else {
            title
        };
        let signatories = self.signatories(&municipalities, &police_area);
        // The document and where each part came from.
        let mut items = Vec::new();
        let source = |path: String, line: usize| ItemSource { path, line, owner_from: None, confidence: None };
        if let Some((line, _)) = &self.title {
            items.push(source("title".into(), *line));
        }
        for (i, (_, line)) in self.intro.iter().enumerate() {
            items.push(source(format!("intro[{i}]"), *line));
        }
        for (i, (_, line, basis, focus_lines)) in self.promises.iter().enumerate() {
            items.push(ItemSource {
                path: format!("promises[{i}]"),
                line: *line,
                owner_from: Some(*basis),
                confidence: Some(basis.confidence()),
            });
            for (j, l) in focus_lines.iter().enumerate() {
                items.push(source(format!("promises[{i}].focus_areas[{j}]"), *l));
            }
        }
        let themes: Vec<ThemeParts> = self
            .themes
            .into_iter()
            .filter(|(t, line, _)| {
                if t.activities.is_empty() {
                    self.warnings.push(Warning {
                        line: *line,
                        message: format!("temat \"{}\" har inga aktiviteter och togs inte med", excerpt(&t.name)),
                        excerpt: String::new(),
                    });
                    false
                } else {
                    true
                }
            })
            .collect();
        for (i, (_, line, sources)) in themes.iter().enumerate() {
            items.push(source(format!("themes[{i}]"), *line));
            for (j, (l, basis)) in sources.iter().enumerate() {
                items.push(ItemSource {
                    path: format!("themes[{i}].activities[{j}]"),
                    line: *l,
                    owner_from: Some(*basis),
                    confidence: Some(basis.confidence()),
                });
            }
        }
        for (name, part) in
            [("follow_up", &self.follow_up), ("communication", &self.communication), ("validity", &self.validity)]
        {
            if let Some((_, line)) = part.first() {
                items.push(source(name.into(), *line));
            }
        }
        let join = |v: &[(String, usize)]| v.iter().map(|(t, _)| t.as_str()).collect::<Vec<_>>().join("\n\n");
        // Every text trimmed (joins and markers can leave a space at an end).
        let document = PromiseDocument {
            id: None,
            municipalities,
            police_area: PoliceAreaRef { name: police_area },
            title,
            year,
            period,
            status: Status::Draft,
            intro: self.intro.iter().map(|(t, _)| t.clone()).collect(),
            promises: self.promises.into_iter().map(|p| p.0).collect(),
            themes: themes.into_iter().map(|t| t.0).collect(),
            follow_up: join(&self.follow_up),
            communication: join(&self.communication),
            validity: join(&self.validity),
            sha256: None,
            signatures: vec![],
            valid_from: None,
            valid_to: None,
            withdrawn_reason: None,
        }
        .normalized();
        Imported {
            format,
            document,
            warnings: self.warnings,
            truncated,
            items,
            signatories,
            signed_on: self.signed_on,
            source_lines: vec![],
        }
    }

    fn police_area(&mut self, municipalities: &[MunicipalityRef]) -> String {
        let ctx = self.ctx;
        let known = |name: &str| {
            ctx.police_areas
                .iter()
                .find(|p| p.name.to_lowercase() == name.to_lowercase())
                .map(|p| p.name.clone())
                .unwrap_or_else(|| name.to_owned())
        };
        let found = self.police_area_in_text();
        if let Some(given) = &ctx.police_area {
            let given = lofte_domain::police_area_name(given);
            if let Some(named) = found.filter(|n| n.to_lowercase() != given.to_lowercase()) {
                self.warn(0, format!("texten nämner lokalpolisområde {named}, men {given} angavs"), "");
            }
            return given;
        }
        if let Some(name) = found {
            return known(&name);
        }
        let covering: Vec<&crate::KnownPoliceArea> = ctx
            .police_areas
            .iter()
            .filter(|p| municipalities.iter().any(|m| p.municipality_codes.contains(&m.code)))
            .collect();
        if let [one] = covering.as_slice() {
            self.warn(
                0,
                format!("lokalpolisområdet nämns inte i texten; {} valdes eftersom det täcker kommunen", one.name),
                "",
            );
            return one.name.clone();
        }
        self.warn(0, "lokalpolisområdet nämns inte i texten; ange det", "");
        String::new()
    }

    /// The police area the text names: our page's meta line first, then the text.
    fn police_area_in_text(&self) -> Option<String> {
        // Our own page's meta line: "… · Lokalpolisområde Arvika".
        let ours = self.meta_lines.iter().find_map(|(_, t)| {
            t.split(" · ").find_map(|s| s.strip_prefix("Lokalpolisområde ")).map(|n| n.trim().to_owned())
        });
        if let Some(name) = ours.filter(|n| !n.is_empty()) {
            return Some(name);
        }
        let mut sources: Vec<String> = self.meta_lines.iter().map(|(_, t)| t.clone()).collect();
        sources.extend(self.intro.iter().map(|(t, _)| t.clone()));
        if let Some((_, t)) = &self.title {
            sources.push(t.clone());
        }
        sources.extend(self.promises.iter().map(|p| p.0.text.clone()));
        sources.extend(self.blocks.iter().map(|b| b.text.clone()));
        sources.iter().find_map(|t| places::police_area(t))
    }

    /// The period: from the validity text, then our meta line, then a range in the title, then
    /// sentences about validity in the introduction. Impossible dates are warnings.
    fn period(&mut self) -> (Period, Vec<i32>) {
        let mut candidates: Vec<(usize, String, bool)> = Vec::new();
        if self.ours {
            // Our own page: "Period 2024-01-01 – 2024-12-31" in the meta line, or no period.
            let period = self.meta_lines.iter().find_map(|(_, t)| t.split(" · ").find(|s| s.starts_with("Period ")));
            return match period.map(dates::period) {
                Some(Ok(Some(found))) => (Period { start: found.start, end: found.end }, found.years),
                _ => (Period::default(), vec![]),
            };
        }
        candidates.extend(self.validity.iter().map(|(t, l)| (*l, t.clone(), true)));
        candidates.extend(self.meta_lines.iter().map(|(l, t)| (*l, t.clone(), true)));
        candidates.extend(self.intro.iter().filter(|(t, _)| validity_sentence(t)).map(|(t, l)| (*l, t.clone(), true)));
        if let Some((l, t)) = &self.title {
            candidates.push((*l, t.clone(), false));
        }
        for (line, text, any) in candidates {
            match dates::period(&text) {
                Ok(Some(found)) => {
                    let range = found.start.is_some() && found.end.is_some() && found.start != found.end;
                    if !any && !(range && (found.years.len() >= 2 || found.note.is_some())) {
                        continue;
                    }
                    if let Some(note) = &found.note {
                        self.warn(line, format!("perioden: {note}; kontrollera"), &text);
                    }
                    return (Period { start: found.start, end: found.end }, found.years);
                }
                Ok(None) => {}
                Err(dates::DateError::NoSuchDay(day)) => {
                    self.warn(line, format!("datumet \"{day}\" finns inte; perioden lämnades tom"), &text);
                }
            }
        }
        (Period::default(), vec![])
    }

    fn signatories(&mut self, municipalities: &[MunicipalityRef], police_area: &str) -> Vec<Signatory> {
        let mut out = Vec::new();
        let municipality_org = municipalities.first().map(|m| municipality_org(&m.name)).unwrap_or_default();
        let police_org =
            if police_area.is_empty() { "Polisen".to_owned() } else { format!("Lokalpolisområde {police_area}") };
        // A signatory from a name, a title and an organisation (which may be missing): the
        // party follows from the title and the organisation.
        let signatory = |name: &str, title: &str, org: String, line: usize| {
            let l = format!("{title} {org}").to_lowercase();
            let party = if l.contains("polis") || l.contains("lpo") {
                SignatoryParty::PoliceArea
            } else {
                SignatoryParty::Municipality
            };
            let organisation = match (org.is_empty(), party) {
                (false, _) => org,
                (true, SignatoryParty::PoliceArea) => police_org.clone(),
                (true, SignatoryParty::Municipality) => municipality_org.clone(),
            };
            Signatory { name: without_party(name), title: capitalise(title), party, organisation, line }
        };
        // Table rows (our own page: Part | Namn | Befattning | Datum | Hur).
        let mut columns: Option<Vec<String>> = None;
        for (line, cells) in self.sig_rows.clone() {
            let lower: Vec<String> = cells.iter().map(|c| c.to_lowercase()).collect();
            if lower.iter().any(|c| c == "namn") {
                columns = Some(lower);
                continue;
            }
            let col = |name: &str| {
                columns
                    .as_ref()
                    .and_then(|c| c.iter().position(|x| x.starts_with(name)))
                    .and_then(|i| cells.get(i))
                    .cloned()
            };
            let (Some(name), title) = (col("namn"), col("befattning").or_else(|| col("titel")).unwrap_or_default())
            else {
                continue;
            };
            let org = col("part").or_else(|| col("organisation")).unwrap_or_default();
            if let Some(Ok(day)) = col("datum").as_deref().and_then(dates::first_date) {
                self.signed_on = Some(self.signed_on.map_or(day, |d| d.max(day)));
            }
            out.push(signatory(&name, &title, org, line));
        }
        // Lines: "Anna Andersson, kommunstyrelsens ordförande" or a name line and a title line;
        // side by side ("Anna Andersson – Per Olsson" over "Ordförande – Lokalpolisområdeschef")
        // they are read column by column.
        let lines = side_by_side(&self.sig_lines);
        let mut k = 0;
        let mut unread = Vec::new();
        while k < lines.len() {
            let (line, text) = &lines[k];
            if let Some(Ok(day)) = dates::first_date(text) {
                self.signed_on = Some(self.signed_on.map_or(day, |d| d.max(day)));
                k += 1;
                continue;
            }
            let parts: Vec<&str> = text.split([',', '|']).map(str::trim).filter(|p| !p.is_empty()).collect();
            if parts.len() >= 2 && person_name(parts[0]) {
                let title = parts[1].to_owned();
                let org = parts.get(2).map(|s| (*s).to_owned()).unwrap_or_default();
                out.push(signatory(parts[0], &title, org, *line));
                k += 1;
                continue;
            }
            if person_name(text)
                && let Some((_, next)) = lines.get(k + 1)
                && (signatory_title(next) || !person_name(next))
                && dates::first_date(next).is_none()
            {
                let mut title = next.clone();
                let mut org = String::new();
                let mut used = 2;
                if let Some((_, third)) = lines.get(k + 2)
                    && !person_name(third)
                    && (third.to_lowercase().contains("kommun") || third.to_lowercase().contains("polis"))
                    && third.chars().count() < 80
                {
                    org = third.clone();
                    used = 3;
                }
                if let Some((t, o)) = title.split_once(',')
                    && org.is_empty()
                {
                    org = o.trim().to_owned();
                    title = t.trim().to_owned();
                }
                out.push(signatory(text, &title, org, *line));
                k += used;
                continue;
            }
            if !text.to_lowercase().starts_with("underteckn") {
                unread.push((*line, text.clone()));
            }
            k += 1;
        }
        for (line, text) in unread {
            self.warn(line, "raden bland underskrifterna lästes inte som namn och titel och hoppades över", &text);
        }
        if !out.is_empty() && self.signed_on.is_none() {
            self.warn(
                out[0].line,
                "underskrifterna saknar datum; de tas med först när löftet sparas som historiskt med ett startdatum",
                "",
            );
        }
        out
    }
}

/// The sentences of a paragraph (split after ". ", "! ", "? " before a capital letter).
fn sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    for (i, c) in text.char_indices() {
        if matches!(c, '.' | '!' | '?')
            && bytes.get(i + 1) == Some(&b' ')
            && text[i + 2..].starts_with(char::is_uppercase)
        {
            out.push(text[start..=i].trim());
            start = i + 2;
        }
    }
    if start < text.len() {
        out.push(text[start..].trim());
    }
    out.into_iter().filter(|s| !s.is_empty()).collect()
}

/// "Säffle" → "Säffle kommun" as an organisation, "Kungsör" → "Kungsörs kommun": the genitive
/// adds an s unless the name ends in a vowel or in s, x or z.
fn municipality_org(name: &str) -> String {
    if name == "Gotland" {
        return "Region Gotland".into();
    }
    let bare = name.ends_with(['s', 'x', 'z', 'a', 'e', 'i', 'o', 'u', 'y', 'å', 'ä', 'ö']);
    if bare { format!("{name} kommun") } else { format!("{name}s kommun") }
}

/// A sentence that promises: "Polisen lovar att …", "Vi lovar …", "Löfte: …".
fn promise_sentence(text: &str) -> bool {
    let l = text.to_lowercase();
    let numbered = l.strip_prefix("löfte ").is_some_and(|r| r.starts_with(|c: char| c.is_ascii_digit()));
    let we_shall = owners::speaks_as_we(text) && (l.contains(" ska ") || l.contains(" kommer att "));
    (l.contains("lovar")
        || l.starts_with("löfte:")
        || numbered
        || we_shall
        || l.starts_with("vårt löfte")
        || l.starts_with("medborgarlöfte:"))
        && text.chars().count() < 600
        || owners::of_subject(text).is_some()
            && (l.contains("kommer att") || l.contains(" ska "))
            && text.chars().count() < 300
}

/// "Löfte: Polisen lovar …" → "Polisen lovar …".
fn strip_promise_label(text: &str) -> String {
    let lower = text.to_lowercase();
    for p in ["vårt löfte:", "löfte:", "medborgarlöfte:", "löftet:"] {
        if lower.starts_with(p) {
            return text[p.len()..].trim().to_owned();
        }
    }
    text.to_owned()
}
