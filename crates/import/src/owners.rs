//! Who owns a promise or an activity: the municipality, the police, both, or a named third
//! party (a housing company, a region, a local council). Three recognisers, used in this order
//! by the importer: an explicit marker at the item, the header over its list, the subject of
//! its sentence.

use lofte_domain::{Owner, Party};

/// The owner as the document stores it.
pub fn party(owner: &Owner) -> (Party, Option<String>) {
    match owner {
        Owner::Joint => (Party::Joint, None),
        Owner::Municipality => (Party::Municipality, None),
        Owner::Police => (Party::Police, None),
        Owner::Other(name) => (Party::Other, Some(name.clone())),
    }
}

fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !(c.is_alphanumeric() || c == '-')).filter(|w| !w.is_empty()).map(str::to_lowercase).collect()
}

fn is_police_word(w: &str) -> bool {
    if matches!(w, "pol" | "pol.") {
        return true;
    }
    w.starts_with("polis") && !w.starts_with("polisanmäl")
        || w.starts_with("lokalpolis")
        || w.starts_with("kommunpolis")
        || w.starts_with("närpolis")
        || w == "lpo"
        || w.starts_with("ingripandepolis")
}

fn is_municipality_word(w: &str) -> bool {
    if matches!(w, "komm" | "komm." | "kn") {
        return true;
    }
    (w.starts_with("kommun") && !w.starts_with("kommunpolis") && !w.starts_with("kommunikation"))
        || w.ends_with("kommun")
        || w.ends_with("kommuns")
        || w.starts_with("socialtjänst")
        || w.starts_with("socialförvaltning")
        || w.starts_with("förvaltning")
        || w.ends_with("förvaltningen")
        || w.starts_with("skol")
        || w.starts_with("fritidsgård")
        || w.starts_with("fältgrupp")
        || w.starts_with("fältarbet")
        || w.starts_with("fältassist")
        || w.starts_with("fältsekreter")
        || w == "stad"
        || w == "staden"
        || w.starts_with("stadsdel")
        || w.starts_with("räddningstjänst")
        || w.starts_with("elevhälsa")
        || w.ends_with("kontoret")
        || w.ends_with("nämnden")
        || w.starts_with("socialkontor")
        || w.starts_with("fältare")
        || w.starts_with("trygghetssamordnar")
        || w.starts_with("ungdomsmottagning")
}

fn is_joint_word(w: &str) -> bool {
    matches!(w, "gemensam" | "gemensamma" | "gemensamt" | "tillsammans" | "parterna" | "båda" | "bägge" | "samverkan")
}

/// Words that name a third party when they begin an owner phrase.
fn third_party(name: &str) -> bool {
    let lower = name.to_lowercase();
    [
        "bostäder",
        "bostad",
        "bostads",
        "hem ab",
        "fastighet",
        "region ",
        "regionen",
        "länsstyrelse",
        "trafikverket",
        "svenska kyrkan",
        "församling",
        "rådet",
        "föreningen",
        "förening",
        "nattvandr",
        " ab",
        "ab ",
        "företagar",
        "kollektivtrafik",
        "vårdcentral",
        "brottsofferjour",
        "fryshuset",
        "studieförbund",
    ]
    .iter()
    .any(|k| lower.contains(k) || lower.ends_with(k.trim()))
        // A company name in one word: "Trelleborgshem", "Kristianstadsbyggen", "Umeå Energi".
        || ["hem", "byggen", "energi", "fastigheter", "bostäder", "bostad"]
            .iter()
            .any(|suffix| name.split_whitespace().count() <= 2 && lower.ends_with(suffix) && lower.len() > suffix.len() + 3)
}

/// The owner a phrase names ("Polisen", "Kommunen och polisen", "Säffle kommun",
/// "Säffle Bostäder AB", "Region Värmland", "gemensamma"), if it names one.
pub fn of_name(phrase: &str) -> Option<Owner> {
    let ws = words(phrase);
    let police = ws.iter().any(|w| is_police_word(w));
    let municipality = ws.iter().any(|w| is_municipality_word(w));
    let joint = ws.iter().any(|w| is_joint_word(w));
    let trimmed = phrase.trim().trim_end_matches(':').trim();
    if police && municipality || joint && (police || municipality || ws.len() <= 5) {
        return Some(Owner::Joint);
    }
    // "Region Gotland" is a municipality; other regions are third parties.
    if trimmed.eq_ignore_ascii_case("region gotland") {
        return Some(Owner::Municipality);
    }
    if third_party(trimmed) && !police {
        return Some(Owner::Other(name_case(trimmed)));
    }
    if police {
        return Some(Owner::Police);
    }
    if municipality {
        return Some(Owner::Municipality);
    }
    None
}

/// A name as written, but "Kommunen"-style capitals kept and surrounding punctuation dropped.
fn name_case(s: &str) -> String {
    s.trim_matches(|c: char| !c.is_alphanumeric()).to_owned()
}

/// Verbs (and verb-like words) that end the subject of a sentence or an owner header.
const VERBS: &[&str] = &[
    "ska",
    "skall",
    "kommer",
    "lovar",
    "genomför",
    "genomföra",
    "arbetar",
    "erbjuder",
    "ansvarar",
    "bidrar",
    "deltar",
    "fortsätter",
    "verkar",
    "medverkar",
    "har",
    "är",
    "tar",
    "gör",
    "håller",
    "anordnar",
    "bjuder",
    "skapar",
    "utför",
    "samverkar",
    "åtar",
    "avser",
    "planerar",
    "informerar",
    "satsar",
    "jobbar",
    "utvecklar",
    "stödjer",
    "stöttar",
    "finns",
    "vill",
    "kan",
    "prioriterar",
    "intensifierar",
    "ökar",
    "minskar",
    "inför",
    "startar",
    "driver",
    "samordnar",
    "bevakar",
    "följer",
    "patrullerar",
    "besöker",
    "träffar",
    "möter",
    "genomförs",
];

/// The owner a sentence's subject names: "Kommunen ska …", "Polisen och kommunen kommer att
/// …", "Säffle Bostäder genomför …". `None` when the subject names no party or there is no
/// clear subject (the words before the first verb).
pub fn of_subject(sentence: &str) -> Option<Owner> {
    let raw: Vec<&str> = sentence.split_whitespace().collect();
    // The subject ends at a verb, or at the first word in lower case that neither joins names
    // ("och", "med", "i") nor names a party ("Kommunen öppnar …", "Mitthem AB byter …").
    let mut end = None;
    for (k, w) in raw.iter().take(9).enumerate() {
        let clean = w.trim_matches(|c: char| !c.is_alphanumeric());
        let lower = clean.to_lowercase();
        if VERBS.contains(&lower.as_str()) {
            end = Some(k);
            break;
        }
        let joins = clean.starts_with(char::is_uppercase)
            || CONNECTORS.contains(&lower.as_str())
            || is_police_word(&lower)
            || is_municipality_word(&lower)
            || is_joint_word(&lower);
        if k > 0 && !joins {
            end = Some(k);
            break;
        }
    }
    let end = end.filter(|e| *e > 0)?;
    let subject = raw[..end].join(" ");
    let first = raw[0].trim_matches(|c: char| !c.is_alphanumeric()).to_lowercase();
    if first == "vi" {
        return None; // decided by the text's voice
    }
    let Some(owner) = of_name(&subject) else {
        // "Hemsefestivalens arrangörer ansvarar för …": a named body that takes something on.
        let lower: Vec<String> = raw.iter().take(7).map(|w| w.to_lowercase()).collect();
        let takes = lower.iter().position(|w| matches!(w.as_str(), "ansvarar" | "lovar" | "åtar"))?;
        let named = raw[0].starts_with(char::is_uppercase) && takes > 0 && first != "vi";
        return named.then(|| Owner::Other(raw[..takes].join(" ")));
    };
    // A third party must be written as a name (capital letter).
    if let Owner::Other(_) = owner
        && !raw[0].chars().next().is_some_and(char::is_uppercase)
    {
        return None;
    }
    Some(owner)
}

/// Words that join the parts of a subject: "Polisen tillsammans med Säffle kommun".
const CONNECTORS: &[&str] = &["och", "med", "tillsammans", "i", "samt", "&", "ab", "län", "stad", "stads"];

/// The agent of a passive sentence: "Trygghetsvandringar genomförs av polisen och kommunen",
/// "… samordnas av kommunens trygghetssamordnare".
pub fn of_agent(sentence: &str) -> Option<Owner> {
    let raw: Vec<&str> = sentence.split_whitespace().collect();
    let at = raw.windows(2).position(|w| w[1] == "av" && w[0].ends_with('s') && w[0].len() > 4)?;
    let agent: Vec<&str> = raw[at + 2..].iter().take(5).copied().collect();
    match of_name(&agent.join(" "))? {
        Owner::Other(_) => None,
        owner => Some(owner),
    }
}

/// Whether a sentence speaks as "vi" (we).
pub fn speaks_as_we(sentence: &str) -> bool {
    let first = sentence.split_whitespace().next().unwrap_or("").trim_matches(|c: char| !c.is_alphanumeric());
    first.eq_ignore_ascii_case("vi")
}

/// "Vi tillsammans med kommunen …", "Vi och polisen …": "vi" together with the other party.
pub fn we_with_the_other(sentence: &str) -> bool {
    let head: Vec<String> = words(sentence).into_iter().take(8).collect();
    let joined = head.join(" ");
    ["tillsammans med", "och kommunen", "och polisen", "med kommunen", "med polisen", "vi tillsammans"]
        .iter()
        .any(|p| joined.contains(p))
}

/// The owner a header over a list names: "Polisen lovar att:", "Kommunens aktiviteter:",
/// "Gemensamma aktiviteter", "Polisiär aktivitet:", "Kommunen och polisen kommer tillsammans
/// att:", "Säffle Bostäder lovar att:", "Region Värmland:". `Some(None)` for a header that is
/// an owner header but says "vi" ("Vi lovar att:"); `None` for anything else.
pub fn of_header(header: &str) -> Option<Option<Owner>> {
    let t = header.trim().trim_end_matches([':', ';']).trim();
    if t.is_empty() || t.chars().count() > 90 {
        return None;
    }
    let lower = t.to_lowercase();
    let ws = words(&lower);
    // "Det här gör polisen", "Detta gör kommunen", "Så här gör vi tillsammans", "Aktiviteter
    // polisen", "Polisen gör följande".
    for lead in ["det här gör ", "detta gör ", "så här gör ", "aktiviteter ", "aktiviteter för ", "insatser "] {
        if let Some(rest) = lower.strip_prefix(lead) {
            // "Så här gör vi" heads the activities; "… vi tillsammans" the joint ones.
            if rest.split_whitespace().next() == Some("vi") {
                if rest.contains("tillsammans") || rest.contains("gemensamt") {
                    return Some(Some(Owner::Joint));
                }
                continue;
            }
            if let Some(owner) = of_name(rest).filter(|o| !matches!(o, Owner::Other(_))) {
                return Some(Some(owner));
            }
        }
    }
    if let Some(subject) = lower.strip_suffix(" gör följande").or_else(|| lower.strip_suffix(" ska göra följande"))
        && let Some(owner) = of_name(subject)
    {
        return Some(Some(owner));
    }
    // A heading that is only a party: "Polisen", "Kommunen", "Gemensamt", "Säffle kommun".
    let party_word = |w: &String| {
        matches!(w.as_str(), "gemensamt" | "gemensamma" | "och" | "lokalpolisområdet")
            || is_police_word(w)
            || is_municipality_word(w)
    };
    let named_municipality = ws.len() == 2 && ws[1] == "kommun";
    // "Huge Bostäder", "Region Värmland": a named third party as the heading (capitalised
    // words, so that "Bostadsområden" stays a theme).
    let words: Vec<&str> = t.split_whitespace().collect();
    if (2..=4).contains(&words.len())
        && !t.contains(':')
        && words.iter().all(|w| w.starts_with(char::is_uppercase) || *w == "AB" || *w == "och")
        && let Some(Owner::Other(name)) = of_name(t)
    {
        return Some(Some(Owner::Other(name)));
    }
    if ws.len() <= 3
        && !header.trim_end().ends_with(':')
        && (ws.iter().all(party_word) || named_municipality)
        && let Some(o) = of_name(t).filter(|o| !matches!(o, Owner::Other(_)))
    {
        return Some(Some(o));
    }
    let ending = ENDINGS.iter().any(|e| lower.ends_with(e));
    let colon = header.trim_end().ends_with(':');
    let we_header = ws.len() <= 8 && ws.last().is_some_and(|w| w == "att" || w == "vi");
    if ws.first().is_some_and(|w| w == "vi") && (ending || colon || we_header) {
        return Some(if ws.iter().any(|w| is_joint_word(w)) { Some(Owner::Joint) } else { None });
    }
    // "Gemensamma aktiviteter", "Polisiära aktiviteter", "Kommunala insatser".
    if ending || colon {
        let subject: String = ENDINGS
            .iter()
            .find_map(|e| lower.strip_suffix(e))
            .map(|s| s.trim().to_owned())
            .unwrap_or_else(|| lower.clone());
        if ws.iter().any(|w| w.starts_with("polisiär")) && !ws.iter().any(|w| is_municipality_word(w)) {
            return Some(Some(Owner::Police));
        }
        if ws.iter().any(|w| w.starts_with("kommunal")) && !ws.iter().any(|w| is_police_word(w)) {
            return Some(Some(Owner::Municipality));
        }
        // A header must be about an owner: with a colon any owner name will do, without one it
        // must end like a header ("… aktiviteter", "… lovar att").
        let cut = t.chars().count() - lower.chars().count() + subject.chars().count();
        let original_subject: String = t.chars().take(cut.min(t.chars().count())).collect();
        if let Some(owner) = of_name(&original_subject) {
            if let Owner::Other(ref name) = owner
                && !name.chars().next().is_some_and(char::is_uppercase)
            {
                return None;
            }
            return Some(Some(owner));
        }
        // "Ansvarig: …" is a marker, not a header; unknown capitalised names with a verb
        // ending ("Hyresgästföreningen lovar att:") are third parties.
        if ending && lower.contains("lovar") && t.chars().next().is_some_and(char::is_uppercase) {
            let name = original_subject.trim().trim_end_matches('s').to_owned();
            if !name.is_empty() && name.split_whitespace().count() <= 6 {
                return Some(Some(Owner::Other(original_subject.trim().to_owned())));
            }
        }
    }
    None
}

/// How owner headers end: "… aktiviteter", "… lovar att", "… åtar sig att".
const ENDINGS: &[&str] = &[
    "aktiviteter",
    "aktivitet",
    "åtgärder",
    "insatser",
    "åtaganden",
    "lovar att",
    "lovar",
    "ska",
    "skall",
    "kommer att",
    "tillsammans att",
    "åtar sig att",
    "ansvarar för",
    "bidrar med",
    "gör",
];

/// An owner header that says what the owner does ("Vara kommun åtar sig att", "Vi lovar att"),
/// not only a party name ("Sundsvalls kommun", which is as often a site's name).
pub fn is_header_with_verb(text: &str) -> bool {
    let lower = text.trim().trim_end_matches([':', ';']).trim().to_lowercase();
    (ENDINGS.iter().any(|e| lower.ends_with(e)) || lower.ends_with(" att")) && of_header(text).is_some()
}

/// An explicit owner marker at an item: a trailing "(Polisen)", "(ansvar: kommunen)",
/// "– Polisen", a leading "Polisen:", or a trailing "Ansvarig: kommunen." Returns the owner and
/// the item text without the marker.
pub fn marker(item: &str) -> Option<(Owner, String)> {
    let t = item.trim();
    // Trailing parenthesis or brackets.
    for (open, close) in [('(', ')'), ('[', ']')] {
        if t.ends_with(close)
            && let Some(start) = t.rfind(open)
        {
            let inner = &t[start + 1..t.len() - 1];
            let inner = strip_responsible(inner).unwrap_or(inner);
            // "(K)", "(P)", "(K/P)": the usual abbreviations for kommunen, polisen, both.
            let short = match inner.trim().to_uppercase().as_str() {
                "K" => Some(Owner::Municipality),
                "P" => Some(Owner::Police),
                "K/P" | "P/K" | "K+P" | "P+K" | "K, P" | "P, K" | "G" => Some(Owner::Joint),
                _ => None,
            };
            if let Some(owner) = short {
                let rest = t[..start].trim_end().to_owned();
                if !rest.is_empty() {
                    return Some((owner, rest));
                }
            }
            if inner.chars().count() <= 60
                && let Some(owner) = of_name(inner)
            {
                let rest = t[..start].trim_end().to_owned();
                if !rest.is_empty() {
                    return Some((owner, rest));
                }
            }
        }
    }
    // "…. Ansvarig: kommunen" at the end.
    let lower = t.to_lowercase();
    for key in ["ansvarig:", "ansvariga:", "ansvar:", "ägare:", "utförare:"] {
        if let Some(at) = lower.rfind(key)
            && at > 0
        {
            let owner_text = t[at + key.len()..].trim().trim_end_matches('.');
            if let Some(owner) = of_name(owner_text).or_else(|| other_name(owner_text)) {
                let rest = t[..at].trim_end().trim_end_matches([',', ';', '–', '-']).trim_end().to_owned();
                if !rest.is_empty() {
                    return Some((owner, rest));
                }
            }
        }
    }
    // "Polisen: Trafikkontroller".
    if let Some((head, rest)) = t.split_once(':') {
        let rest = rest.trim();
        if head.split_whitespace().count() <= 4
            && !rest.is_empty()
            && let Some(owner) = of_name(head)
        {
            return Some((owner, capitalise(rest)));
        }
    }
    // "Trafikkontroller – Polisen".
    for dash in [" – ", " — ", " - "] {
        if let Some((rest, tail)) = t.rsplit_once(dash)
            && tail.split_whitespace().count() <= 4
            && let Some(owner) = of_name(tail)
            && !rest.trim().is_empty()
        {
            return Some((owner, rest.trim().to_owned()));
        }
    }
    None
}

/// A line that only says who is responsible: "Ansvarig: kommunen", "Ansvar: Polisen".
pub fn responsible_line(line: &str) -> Option<Owner> {
    let t = line.trim().trim_end_matches('.');
    let rest = strip_responsible(t)?;
    of_name(rest).or_else(|| other_name(rest))
}

fn strip_responsible(t: &str) -> Option<&str> {
    let lower = t.to_lowercase();
    let keys = [
        "ansvariga:",
        "ansvarig:",
        "ansvar:",
        "ansvarig part:",
        "ägare:",
        "utförare:",
        "ansv.",
        "ansv:",
        "ansvariga",
        "ansvarig",
    ];
    for key in keys {
        if lower.starts_with(key) {
            return Some(t[key.len()..].trim());
        }
    }
    None
}

/// A capitalised name given after "Ansvarig:" that is no party: a third party.
fn other_name(s: &str) -> Option<Owner> {
    let s = s.trim();
    (s.chars().next().is_some_and(char::is_uppercase) && s.split_whitespace().count() <= 6)
        .then(|| Owner::Other(s.to_owned()))
}

pub(crate) fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn other(s: &str) -> Owner {
        Owner::Other(s.into())
    }

    #[test]
    fn names() {
        assert_eq!(of_name("Polisen"), Some(Owner::Police));
        assert_eq!(of_name("kommunen"), Some(Owner::Municipality));
        assert_eq!(of_name("Säffle kommun"), Some(Owner::Municipality));
        assert_eq!(of_name("Polisen och kommunen"), Some(Owner::Joint));
        assert_eq!(of_name("Polis och kommun"), Some(Owner::Joint));
        assert_eq!(of_name("Gemensamt"), Some(Owner::Joint));
        assert_eq!(of_name("Socialtjänsten"), Some(Owner::Municipality));
        assert_eq!(of_name("Säffle Bostäder AB"), Some(other("Säffle Bostäder AB")));
        assert_eq!(of_name("Region Värmland"), Some(other("Region Värmland")));
        assert_eq!(of_name("Region Gotland"), Some(Owner::Municipality));
        assert_eq!(of_name("Lokala rådet i Gunnarskog"), Some(other("Lokala rådet i Gunnarskog")));
        assert_eq!(of_name("Kommunikation"), None);
        assert_eq!(of_name("Trafikkontroller"), None);
    }

    #[test]
    fn headers() {
        assert_eq!(of_header("Polisen lovar att:"), Some(Some(Owner::Police)));
        assert_eq!(of_header("Kommunens aktiviteter:"), Some(Some(Owner::Municipality)));
        assert_eq!(of_header("Gemensamma aktiviteter:"), Some(Some(Owner::Joint)));
        assert_eq!(of_header("Polisiär aktivitet:"), Some(Some(Owner::Police)));
        assert_eq!(of_header("Polisiära aktiviteter"), Some(Some(Owner::Police)));
        assert_eq!(of_header("Kommunala insatser"), Some(Some(Owner::Municipality)));
        assert_eq!(of_header("Kommunen och polisen kommer tillsammans att:"), Some(Some(Owner::Joint)));
        assert_eq!(of_header("Säffle kommun och polisen kommer tillsammans att:"), Some(Some(Owner::Joint)));
        assert_eq!(of_header("Säffle Bostäder lovar att:"), Some(Some(other("Säffle Bostäder"))));
        assert_eq!(of_header("Region Värmland:"), Some(Some(other("Region Värmland"))));
        assert_eq!(of_header("Hyresgästföreningen lovar att:"), Some(Some(other("Hyresgästföreningen"))));
        assert_eq!(of_header("Vi lovar att:"), Some(None));
        assert_eq!(of_header("Vi åtar oss gemensamt att"), Some(Some(Owner::Joint)));
        assert_eq!(of_header("Vi kommer att"), Some(None));
        assert_eq!(of_header("Vi lovar tillsammans att:"), Some(Some(Owner::Joint)));
        assert_eq!(of_header("Polisen"), Some(Some(Owner::Police)));
        assert_eq!(of_header("Kommunen"), Some(Some(Owner::Municipality)));
        assert_eq!(of_header("Säffle kommun"), Some(Some(Owner::Municipality)));
        assert_eq!(of_header("Huge Bostäder"), Some(Some(other("Huge Bostäder"))));
        assert_eq!(of_header("Polisen och socialtjänsten"), Some(Some(Owner::Joint)));
        assert_eq!(of_header("Bostadsområden"), None);
        assert_eq!(of_header("Det här gör polisen"), Some(Some(Owner::Police)));
        assert_eq!(of_header("Det här gör vi tillsammans"), Some(Some(Owner::Joint)));
        assert_eq!(of_header("Kommunen gör följande:"), Some(Some(Owner::Municipality)));
        assert_eq!(of_header("Aktiviteter polisen"), Some(Some(Owner::Police)));
        assert_eq!(of_header("ANDT"), None);
        assert_eq!(of_header("Synlighet"), None);
        assert_eq!(of_header("Trafikmiljö-högtspelande fordon"), None);
        assert_eq!(of_header("Aktiviteter"), None);
        assert_eq!(of_header("Uppföljning"), None);
    }

    #[test]
    fn subjects() {
        assert_eq!(of_subject("Kommunen ska erbjuda sommarjobb"), Some(Owner::Municipality));
        assert_eq!(
            of_subject("Polisen tillsammans med Säffle kommun kommer fortsätta att arbeta med ökad synlighet"),
            Some(Owner::Joint)
        );
        assert_eq!(of_subject("Polisen och kommunen genomför trygghetsvandringar"), Some(Owner::Joint));
        assert_eq!(of_subject("Socialtjänsten arbetar ute vid särskilda tillfällen"), Some(Owner::Municipality));
        assert_eq!(of_subject("Säffle Bostäder genomför trygghetsvandringar"), Some(other("Säffle Bostäder")));
        assert_eq!(of_subject("Polisen genomför trafikkontroller"), Some(Owner::Police));
        assert_eq!(of_subject("Narkotikainformation riktad till föräldrar"), None);
        assert_eq!(of_subject("Vi ska synas mer"), None);
        assert_eq!(of_subject("Fotpatrullering i centrum är viktigt"), None);
        assert_eq!(of_subject("Kommunen öppnar en ny mötesplats för unga"), Some(Owner::Municipality));
        assert_eq!(of_subject("Mitthem AB byter låssystem i trapphusen"), Some(other("Mitthem AB")));
        assert_eq!(of_subject("Region Värmland ser över kollektivtrafiken"), Some(other("Region Värmland")));
        assert_eq!(of_subject("Telgebostäder förbättrar belysningen"), Some(other("Telgebostäder")));
        assert_eq!(of_subject("Södertälje kommun utökar fältgruppen"), Some(Owner::Municipality));
        assert_eq!(of_subject("Skolorna i Sundsvall erbjuder ett ANDT-pass"), Some(Owner::Municipality));
        assert_eq!(of_subject("Närvaro vid marknader"), None);
        assert_eq!(
            of_subject("Hemsefestivalens arrangörer ansvarar för ordningsvakter"),
            Some(other("Hemsefestivalens arrangörer"))
        );
    }

    #[test]
    fn markers() {
        assert_eq!(marker("Trafikkontroller (Polisen)"), Some((Owner::Police, "Trafikkontroller".into())));
        assert_eq!(marker("Trygghetsvandring (polis och kommun)"), Some((Owner::Joint, "Trygghetsvandring".into())));
        assert_eq!(
            marker("Belysning i parken (ansvar: kommunen)"),
            Some((Owner::Municipality, "Belysning i parken".into()))
        );
        assert_eq!(
            marker("Belysning i parken. Ansvarig: Säffle Bostäder"),
            Some((other("Säffle Bostäder"), "Belysning i parken.".into()))
        );
        assert_eq!(marker("Polisen: trafikkontroller"), Some((Owner::Police, "Trafikkontroller".into())));
        assert_eq!(marker("Trafikkontroller – Polisen"), Some((Owner::Police, "Trafikkontroller".into())));
        assert_eq!(marker("ANDT (alkohol, narkotika, doping, tobak)"), None);
        assert_eq!(marker("Arbeta med polislagen 13 §"), None);
        assert_eq!(responsible_line("Ansvarig: kommunen"), Some(Owner::Municipality));
        assert_eq!(responsible_line("Ansvar: Polisen."), Some(Owner::Police));
        assert_eq!(responsible_line("Polisen"), None);
        assert_eq!(marker("Trygghetsvandring (K/P)"), Some((Owner::Joint, "Trygghetsvandring".into())));
        assert_eq!(marker("Fotpatrullering (P)"), Some((Owner::Police, "Fotpatrullering".into())));
        assert_eq!(of_agent("Insatserna samordnas av kommunens trygghetssamordnare"), Some(Owner::Municipality));
        assert_eq!(of_agent("Trygghetsvandringar genomförs av polisen och kommunen"), Some(Owner::Joint));
        assert_eq!(of_name("Trelleborgshem"), Some(other("Trelleborgshem")));
        assert_eq!(of_name("Socialkontoret"), Some(Owner::Municipality));
    }
}
