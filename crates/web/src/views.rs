//! View models: what the templates show, derived from stored data. No I/O here.

use lofte_db::municipalities::{DocumentSummary, MunicipalityRow};
use lofte_domain::signing::{Standing, Validity};
use lofte_domain::{IsoDate, Owner, PromiseDocument, SignatureMethod, slugify};

/// A document prepared for the public page.
pub struct DocumentView {
    pub id: String,
    pub title: String,
    pub status_label: &'static str,
    pub period: Option<String>,
    pub police_area: String,
    pub municipalities: Vec<String>,
    pub municipalities_joined: String,
    /// (code, name) per municipality; `/kommun/{code}` reaches its page.
    pub municipality_links: Vec<(String, String)>,
    pub intro: Vec<String>,
    pub promises: Vec<PromiseView>,
    pub themes: Vec<ThemeView>,
    pub follow_up: Vec<String>,
    pub communication: Vec<String>,
    pub validity: Vec<String>,
    /// Public documents: "Gäller från 2024-03-01", "Gällde 2023-03-01 – 2024-02-14", …
    pub validity_label: Option<String>,
    /// "Undertecknat 2024-03-01 av …" when signed.
    pub signed_line: Option<String>,
    pub signatures: Vec<SignatureView>,
    pub withdrawn_reason: Option<String>,
    pub sha256: Option<String>,
    pub public: bool,
    pub in_force_now: bool,
}

pub struct SignatureView {
    pub organisation: String,
    pub name: String,
    pub title: String,
    pub date: String,
    /// "Undertecknat här" or "Undertecknat på papper, registrerat av …".
    pub how: String,
}

/// Swedish text for the validity of a public document on `today`.
pub fn validity_label(standing: Standing, v: Validity) -> String {
    match (standing, v.from, v.to) {
        (Standing::NeverInForce, ..) => "Började aldrig gälla".into(),
        (Standing::Withdrawn, _, _) if v.is_empty() => "Började aldrig gälla".into(),
        (Standing::Upcoming, Some(f), _) => format!("Börjar gälla {f}"),
        (Standing::InForce, Some(f), None) => format!("Gäller från {f} tills ett nytt löfte tecknas"),
        (Standing::InForce, Some(f), Some(t)) => format!("Gäller {f} – {t}"),
        (Standing::InForce, None, None) => "Gäller tills ett nytt löfte tecknas".into(),
        (Standing::InForce, None, Some(t)) => format!("Gäller till {t}"),
        (_, Some(f), Some(t)) => format!("Gällde {f} – {t}"),
        (_, None, Some(t)) => format!("Gällde till {t}"),
        (_, Some(f), None) => format!("Från {f}"),
        (_, None, None) => String::new(),
    }
}

/// "Undertecknat 2024-03-01 av Sven Ordförande, Kommunstyrelsens ordförande, och Per Polis,
/// Lokalpolisområdeschef".
pub fn signed_line(doc: &PromiseDocument) -> Option<String> {
    let last = doc.signatures.iter().map(|s| s.signed_on).max()?;
    let names: Vec<String> =
        doc.signatures.iter().map(|s| format!("{}, {} ({})", s.name, s.title, s.organisation)).collect();
    Some(format!("Undertecknat {last} av {}", join_sv(&names)))
}

pub struct PromiseView {
    pub text: String,
    /// Shown only when the promise is not joint.
    pub owner: Option<String>,
    pub focus_areas: Vec<String>,
}

pub struct ThemeView {
    pub name: String,
    pub groups: Vec<GroupView>,
    /// "Därför": the lägesbild evidence behind this focus area, when it was chosen from one.
    pub because: Option<crate::lagesbild::Because>,
}

pub struct GroupView {
    pub label: String,
    pub items: Vec<String>,
}

/// "Gemensamma aktiviteter", "Polisiär aktivitet", … singular for one activity.
pub fn group_label(owner: &Owner, count: usize) -> String {
    let one = count == 1;
    match owner {
        Owner::Joint if one => "Gemensam aktivitet".into(),
        Owner::Joint => "Gemensamma aktiviteter".into(),
        Owner::Municipality if one => "Kommunens aktivitet".into(),
        Owner::Municipality => "Kommunens aktiviteter".into(),
        Owner::Police if one => "Polisiär aktivitet".into(),
        Owner::Police => "Polisiära aktiviteter".into(),
        Owner::Other(name) if one => format!("Aktivitet – {name}"),
        Owner::Other(name) => format!("Aktiviteter – {name}"),
    }
}

/// Free-text sections are paragraphs separated by blank lines.
pub fn paragraphs(text: &str) -> Vec<String> {
    text.split("\n\n").map(str::trim).filter(|p| !p.is_empty()).map(str::to_owned).collect()
}

fn owner_label(party: lofte_domain::Party, name: Option<&str>) -> Option<String> {
    use lofte_domain::Party;
    match party {
        Party::Joint => None,
        Party::Municipality => Some("kommunen".into()),
        Party::Police => Some("polisen".into()),
        Party::Other => Some(name.unwrap_or("annan aktör").to_owned()),
    }
}

impl DocumentView {
    /// Puts each "Därför" beside the theme it belongs to.
    pub fn with_because(mut self, because: Vec<crate::lagesbild::Because>) -> Self {
        for b in because {
            if let Some(t) = self.themes.iter_mut().find(|t| t.name == b.theme) {
                t.because = Some(b);
            }
        }
        self
    }

    pub fn new(doc: &PromiseDocument, today: IsoDate) -> Self {
        let validity = Validity { from: doc.valid_from, to: doc.valid_to };
        let standing = Standing::of(doc.status, validity, today);
        let public = doc.status.is_public();
        let municipalities: Vec<String> = doc.municipalities.iter().map(|m| m.name.clone()).collect();
        let period = match (doc.period.start, doc.period.end) {
            (Some(s), Some(e)) => Some(format!("Period {s} – {e}")),
            (Some(s), None) => Some(format!("Period från {s}")),
            (None, Some(e)) => Some(format!("Period till {e}")),
            (None, None) => None,
        };
        DocumentView {
            id: doc.id.map(|id| id.to_string()).unwrap_or_default(),
            title: doc.title.clone(),
            status_label: if public { standing.label_sv() } else { doc.status.label_sv() },
            validity_label: public.then(|| validity_label(standing, validity)).filter(|l| !l.is_empty()),
            signed_line: signed_line(doc),
            signatures: doc
                .signatures
                .iter()
                .map(|s| SignatureView {
                    organisation: s.organisation.clone(),
                    name: s.name.clone(),
                    title: s.title.clone(),
                    date: s.signed_on.to_string(),
                    how: match s.method {
                        SignatureMethod::Electronic => "Undertecknat i Löfte".into(),
                        SignatureMethod::Paper => match &s.registered_by {
                            Some(by) => format!("Undertecknat på papper, registrerat av {by}"),
                            None => "Undertecknat på papper".into(),
                        },
                    },
                })
                .collect(),
            withdrawn_reason: doc.withdrawn_reason.clone(),
            sha256: doc.sha256.clone(),
            public,
            in_force_now: standing == Standing::InForce,
            period,
            police_area: doc.police_area.name.clone(),
            municipalities_joined: join_sv(&municipalities),
            municipality_links: doc.municipalities.iter().map(|m| (m.code.clone(), m.name.clone())).collect(),
            municipalities,
            intro: doc.intro.iter().flat_map(|p| paragraphs(p)).collect(),
            promises: doc
                .promises
                .iter()
                .map(|p| PromiseView {
                    text: p.text.clone(),
                    owner: owner_label(p.party, p.party_name.as_deref()),
                    focus_areas: p.focus_areas.clone(),
                })
                .collect(),
            themes: doc
                .themes
                .iter()
                .map(|t| ThemeView {
                    name: t.name.clone(),
                    groups: t
                        .groups()
                        .into_iter()
                        .map(|(owner, items)| GroupView {
                            label: group_label(&owner, items.len()),
                            items: items.into_iter().map(|a| a.text.clone()).collect(),
                        })
                        .collect(),
                    because: None,
                })
                .collect(),
            follow_up: paragraphs(&doc.follow_up),
            communication: paragraphs(&doc.communication),
            validity: paragraphs(&doc.validity),
        }
    }
}

/// "A", "A och B", "A, B och C".
pub fn join_sv(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} och {last}", rest.join(", ")),
    }
}

/// A row of a municipality's archive of public promises.
pub struct OtherDocument {
    pub id: String,
    pub title: String,
    pub status_label: &'static str,
    pub validity_label: String,
    pub police_area: String,
}

impl OtherDocument {
    pub fn new(d: &DocumentSummary, today: IsoDate) -> Self {
        let standing = Standing::of(d.status, d.validity, today);
        OtherDocument {
            id: d.id.clone(),
            title: d.title.clone(),
            status_label: standing.label_sv(),
            validity_label: validity_label(standing, d.validity),
            police_area: d.police_area.clone(),
        }
    }
}

/// A document's state for staff lists: the lifecycle while it is being written and signed
/// ("Delvis undertecknat" once a party has signed), then what it is today ("Kommande",
/// "Gällande", "Ersatt", …).
pub fn status_label(status: lofte_domain::Status, validity: Validity, signed: bool) -> &'static str {
    match status {
        lofte_domain::Status::ReadyForSigning if signed => "Delvis undertecknat",
        s if s.is_public() => Standing::of(s, validity, today()).label_sv(),
        s => s.label_sv(),
    }
}

/// Today in Sweden.
/// A stored timestamp (RFC 3339, UTC) as `YYYY-MM-DD HH:MM`.
pub fn time_label(t: &str) -> String {
    t.get(..16).unwrap_or(t).replace('T', " ")
}

pub fn today() -> IsoDate {
    lofte_domain::signing::stockholm_date(time::OffsetDateTime::now_utc())
}

pub struct CountyGroup {
    pub name: String,
    pub municipalities: Vec<MunicipalityRow>,
}

/// Groups municipalities (already in county order) by county.
pub fn by_county(list: Vec<MunicipalityRow>) -> Vec<CountyGroup> {
    let mut groups: Vec<CountyGroup> = Vec::new();
    for m in list {
        match groups.last_mut() {
            Some(g) if g.municipalities.first().is_some_and(|f| f.county_code == m.county_code) => {
                g.municipalities.push(m)
            }
            _ => groups.push(CountyGroup { name: m.county_name.clone(), municipalities: vec![m] }),
        }
    }
    groups
}

/// Case-insensitive match of a search on name or code: "säff", "SÄFFLE", "1785". A query
/// written without å, ä or ö also matches names that have them ("saffle" finds Säffle), but one
/// that has them is taken as written ("ö" does not find Arboga).
/// Hyphens and spaces count alike, and a trailing "kommun" or "stad" is ignored, so "Malung
/// Sälen", "Säffle kommun" and "Göteborgs stad" find what they name.
pub fn matches(m: &MunicipalityRow, query: &str) -> bool {
    let query = query.trim();
    if query.is_empty() {
        return false;
    }
    if m.code.starts_with(query) {
        return true;
    }
    let words = |s: &str| -> Vec<String> {
        s.to_lowercase()
            .split(|c: char| c == '-' || c.is_whitespace())
            .filter(|w| !w.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let mut q = words(query);
    if q.len() > 1 && matches!(q.last().map(String::as_str), Some("kommun" | "stad" | "kommuns")) {
        q.pop();
        // "Göteborgs stad", "Säffles kommun": the genitive s goes too.
        if let Some(last) = q.last_mut()
            && last.len() > 2
            && last.ends_with('s')
        {
            let plain = last.trim_end_matches('s').to_owned();
            if words(&m.name).join(" ").contains(&plain) {
                *last = plain;
            }
        }
    }
    let q = q.join(" ");
    let name = words(&m.name).join(" ");
    if q.is_empty() {
        false
    } else if query.is_ascii() {
        let fold = |s: &str| slugify(s).replace('-', " ");
        fold(&name).contains(&fold(&q))
    } else {
        name.contains(&q)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_follow_the_count() {
        assert_eq!(group_label(&Owner::Police, 1), "Polisiär aktivitet");
        assert_eq!(group_label(&Owner::Police, 2), "Polisiära aktiviteter");
        assert_eq!(group_label(&Owner::Joint, 2), "Gemensamma aktiviteter");
        assert_eq!(group_label(&Owner::Other("Säffle Bostäder".into()), 1), "Aktivitet – Säffle Bostäder");
    }

    #[test]
    fn swedish_lists() {
        let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(join_sv(&names(&["Arvika"])), "Arvika");
        assert_eq!(join_sv(&names(&["Arvika", "Eda", "Årjäng"])), "Arvika, Eda och Årjäng");
    }

    #[test]
    fn search_is_forgiving_about_spaces_and_suffixes() {
        let m = |name: &str| MunicipalityRow {
            code: "0000".into(),
            name: name.into(),
            slug: slugify(name),
            county_code: "00".into(),
            county_name: String::new(),
            police_region: String::new(),
            in_force_document_id: None,
        };
        assert!(matches(&m("Malung-Sälen"), "Malung Sälen"));
        assert!(matches(&m("Malung-Sälen"), "malung salen"));
        assert!(matches(&m("Säffle"), "Säffle kommun"));
        assert!(matches(&m("Göteborg"), "Göteborgs stad"));
        assert!(matches(&m("Säffle"), "saff"));
        assert!(!matches(&m("Arboga"), "ö"));
        assert!(matches(&m("Örebro"), "ö"));
        assert!(!matches(&m("Säffle"), "kommun"));
    }

    #[test]
    fn paragraphs_split_on_blank_lines() {
        assert_eq!(paragraphs("a\nb\n\n  c  \n\n\n"), ["a\nb", "c"]);
    }
}
