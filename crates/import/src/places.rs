//! Which municipalities and which police area a text is about, checked against the 290 names.
//!
//! A mention is strong when written as a municipality ("Säffle kommun", "Säffles kommun",
//! "Göteborgs stad", "Region Gotland", "Arvika, Eda och Årjängs kommuner") or in the title, weak
//! when the bare name stands alone. Names inside a police-area name ("Lokalpolisområde Arvika")
//! are not municipality mentions. Names that are also ordinary words ("Vara", "Mark", "Ale")
//! count only when strong.

use lofte_domain::MunicipalityRef;

/// Municipality names that are also ordinary Swedish words or common given names: counted
/// only when written as a municipality or in the title.
const AMBIGUOUS: &[&str] = &[
    "Vara",
    "Mark",
    "Ale",
    "Nora",
    "Mora",
    "Boden",
    "Sala",
    "Lund",
    "Eda",
    "Hjo",
    "Bjuv",
    "Heby",
    "Habo",
    "Kil",
    "Älvdalen",
    "Tranås",
    "Ronneby",
    "Strömstad",
    "Gotland",
    "Orust",
    "Tjörn",
    "Berg",
    "Ragunda",
    "Storuman",
    "Dorotea",
];

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mention {
    /// Byte offset in the line (mentions are returned in text order).
    pub pos: usize,
    pub code: String,
    pub name: String,
    pub line: usize,
    pub strong: bool,
    pub in_title: bool,
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '-'
}

/// Every municipality mention in a line.
pub fn mentions(line_no: usize, text: &str, in_title: bool, all: &[MunicipalityRef]) -> Vec<Mention> {
    let mut out: Vec<Mention> = Vec::new();
    let lower_text = text.to_lowercase();
    for m in all {
        let name = m.name.as_str();
        let mut from = 0;
        while let Some(pos) = text[from..].find(name) {
            let at = from + pos;
            from = at + name.len();
            let before = text[..at].chars().next_back();
            if before.is_some_and(is_word_char) {
                continue;
            }
            let rest = &text[at + name.len()..];
            // The name, its genitive, or a longer word?
            let after_name = if rest.starts_with('s') && !name.ends_with(['s', 'x', 'z']) { &rest[1..] } else { rest };
            if after_name.chars().next().is_some_and(is_word_char) {
                continue;
            }
            let prefix = lower_text[..at.min(lower_text.len())].trim_end().to_owned();
            let police_name = ["lokalpolisområde", "lokalpolisområdet", "lpo", "polisområde", "polisområdet"]
                .iter()
                .any(|p| prefix.ends_with(p) || prefix.ends_with(&format!("{p} i")));
            if police_name {
                continue;
            }
            let after = after_name.trim_start().to_lowercase();
            // "Stockholms län", "Värmlands län": a county, not the municipality.
            if after.starts_with("län") {
                continue;
            }
            let strong = after.starts_with("kommun")
                || after.starts_with("stad")
                || prefix.ends_with("region") && name == "Gotland"
                || list_of_municipalities(rest);
            if !strong && !in_title && AMBIGUOUS.contains(&name) {
                continue;
            }
            if let Some(existing) = out.iter_mut().find(|o| o.code == m.code) {
                existing.strong |= strong;
            } else {
                out.push(Mention {
                    pos: at,
                    code: m.code.clone(),
                    name: m.name.clone(),
                    line: line_no,
                    strong,
                    in_title,
                });
            }
        }
    }
    // "Upplands Väsby" also contains no other name, but "Malung-Sälen" contains "Malung"?
    // Only whole names match (word boundaries), so a shorter name inside a longer one is
    // dropped here when both matched at the same place.
    out.sort_by_key(|m| m.pos);
    let snapshot = out.clone();
    out.retain(|m| {
        !snapshot.iter().any(|o| o.code != m.code && o.name.len() > m.name.len() && o.name.contains(&m.name))
    });
    out
}

/// After "Arvika, Eda och Årjäng": does the list end in "kommuner"?
fn list_of_municipalities(rest: &str) -> bool {
    let lower = rest.to_lowercase();
    let Some(end) = lower.find("kommuner") else { return false };
    let between = &lower[..end];
    between.len() < 80
        && (between.contains(',') || between.contains(" och "))
        && !between.contains('.')
        && between.split_whitespace().count() <= 8
}

/// The municipalities a text is about, from all its mentions: those in the title, else the
/// most-mentioned with every other mentioned as strongly (a joint promise names them alike).
/// Returns (chosen, the others named).
pub fn choose(mentions: &[Mention]) -> (Vec<Mention>, Vec<Mention>) {
    let mut by_code: Vec<(Mention, usize)> = Vec::new();
    for m in mentions {
        match by_code.iter_mut().find(|(o, _)| o.code == m.code) {
            Some((o, n)) => {
                *n += 1;
                o.strong |= m.strong;
                o.in_title |= m.in_title;
            }
            None => by_code.push((m.clone(), 1)),
        }
    }
    let score =
        |(m, n): &(Mention, usize)| -> usize { n + if m.strong { 5 } else { 0 } + if m.in_title { 20 } else { 0 } };
    let Some(best) = by_code.iter().map(score).max() else { return (vec![], vec![]) };
    let title: Vec<&(Mention, usize)> = by_code.iter().filter(|(m, _)| m.in_title).collect();
    let chosen: Vec<Mention> = if !title.is_empty() {
        title.iter().map(|(m, _)| m.clone()).collect()
    } else {
        by_code
            .iter()
            .filter(|x| x.0.strong && score(x) * 2 >= best || score(x) == best)
            .map(|(m, _)| m.clone())
            .collect()
    };
    let others = by_code.into_iter().map(|(m, _)| m).filter(|m| !chosen.iter().any(|c| c.code == m.code)).collect();
    (chosen, others)
}

/// The police area a line names: "Lokalpolisområde Arvika", "lokalpolisområdet i Arvika",
/// "LPO Arvika", "Lokalpolisområde Västra Sörmland".
pub fn police_area(text: &str) -> Option<String> {
    let lower = text.to_lowercase();
    for key in ["lokalpolisområdet", "lokalpolisområde", "lpo"] {
        let mut from = 0;
        while let Some(pos) = lower[from..].find(key) {
            let at = from + pos;
            from = at + key.len();
            if lower[..at].chars().next_back().is_some_and(is_word_char) {
                continue;
            }
            let rest = &text[at + key.len()..];
            if rest.chars().next().is_some_and(is_word_char) {
                continue; // "lokalpolisområdeschef"
            }
            let rest = rest.trim_start();
            let rest = rest.strip_prefix("i ").unwrap_or(rest);
            let mut name = Vec::new();
            for w in rest.split_whitespace() {
                let clean = w.trim_end_matches([',', '.', ':', ';', ')', '”', '"']);
                let capital = clean.chars().next().is_some_and(char::is_uppercase);
                if !capital || name.len() == 3 {
                    break;
                }
                name.push(clean);
                if clean.len() != w.len() {
                    break;
                }
            }
            if !name.is_empty() {
                return Some(name.join(" "));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all() -> Vec<MunicipalityRef> {
        [
            "1785 Säffle",
            "1784 Arvika",
            "1730 Eda",
            "1765 Årjäng",
            "1560 Vara",
            "1463 Mark",
            "1480 Göteborg",
            "0980 Gotland",
            "0114 Upplands Väsby",
            "2023 Malung-Sälen",
        ]
        .iter()
        .map(|s| {
            let (code, name) = s.split_once(' ').unwrap_or_default();
            MunicipalityRef { code: code.into(), name: name.into() }
        })
        .collect()
    }

    fn codes(text: &str) -> Vec<(String, bool)> {
        mentions(1, text, false, &all()).into_iter().map(|m| (m.code, m.strong)).collect()
    }

    #[test]
    fn strong_and_weak_mentions() {
        assert_eq!(
            codes("Säffle kommun tillsammans med Lokalpolisområde Arvika har beslutat"),
            vec![("1785".into(), true)]
        );
        assert_eq!(codes("i Säffles kommun"), vec![("1785".into(), true)]);
        assert_eq!(codes("Vi är i Säffle"), vec![("1785".into(), false)]);
        assert_eq!(codes("Göteborgs stad"), vec![("1480".into(), true)]);
        assert_eq!(codes("Region Gotland"), vec![("0980".into(), true)]);
        assert_eq!(codes("Upplands Väsby kommun"), vec![("0114".into(), true)]);
        assert_eq!(codes("Malung-Sälens kommun"), vec![("2023".into(), true)]);
    }

    #[test]
    fn ordinary_words_are_no_municipalities() {
        assert!(codes("Polisen ska vara öppen för nya metoder. Vara kan vara bra.").is_empty());
        assert!(codes("Mark och vatten").is_empty());
        assert_eq!(codes("Vara kommun"), vec![("1560".into(), true)]);
        assert!(codes("Säfflebo och Arvikafestivalen").is_empty());
        assert!(codes("lokalpolisområdet i Arvika").is_empty());
        assert!(codes("Polisen i Stockholms län").is_empty());
    }

    #[test]
    fn a_list_of_municipalities() {
        let got = codes("Arvika, Eda och Årjängs kommuner");
        assert_eq!(got.len(), 3);
        assert!(got.iter().all(|(_, strong)| *strong), "{got:?}");
    }

    #[test]
    fn choosing() {
        let m = |code: &str, strong, in_title| Mention {
            pos: 0,
            code: code.into(),
            name: code.into(),
            line: 1,
            strong,
            in_title,
        };
        let (chosen, others) = choose(&[m("1785", true, false), m("1785", true, false), m("1784", false, false)]);
        assert_eq!(chosen.len(), 1);
        assert_eq!(others.len(), 1);
        let (chosen, _) = choose(&[m("1784", false, true), m("1730", false, true), m("1785", true, false)]);
        assert_eq!(chosen.iter().map(|c| c.code.as_str()).collect::<Vec<_>>(), vec!["1784", "1730"]);
    }

    #[test]
    fn police_areas() {
        assert_eq!(police_area("Säffle kommun tillsammans med Lokalpolisområde Arvika har"), Some("Arvika".into()));
        assert_eq!(police_area("lokalpolisområdet i Arvika."), Some("Arvika".into()));
        assert_eq!(police_area("LPO Västra Sörmland lovar"), Some("Västra Sörmland".into()));
        assert_eq!(police_area("Lokalpolisområdeschef Anna"), None);
        assert_eq!(police_area("polisen i kommunen"), None);
    }
}
