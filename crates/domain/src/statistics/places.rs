//! Names of places as statistics files write them (`Säffle`, `Säffle kommun`, `Värmlands län`,
//! `Riket`), looked up in the reference data to SCB's region codes.

use std::collections::HashMap;

use super::NATION;
use crate::reference::ReferenceData;

/// What a name stands for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Place {
    Municipality { code: String, county: String },
    County(String),
    Nation,
}

impl Place {
    /// The region code: `1785`, `17` or `00`.
    pub fn code(&self) -> &str {
        match self {
            Place::Municipality { code, .. } => code,
            Place::County(code) => code,
            Place::Nation => NATION,
        }
    }
}

/// Name lookups over the 290 municipalities and 21 counties. Names are compared
/// case-insensitively, trimmed and with runs of white space as one space; Swedish letters are
/// kept (`Habo` and `Håbo` are two municipalities).
#[derive(Clone, Debug, Default)]
pub struct Places {
    municipalities: HashMap<String, (String, String)>,
    counties: HashMap<String, String>,
    county_of: HashMap<String, String>,
}

/// Lower case, trimmed, white space (also no-break spaces) collapsed to single spaces.
fn normalise(name: &str) -> String {
    name.split(|c: char| c.is_whitespace() || c == '\u{a0}' || c == '\u{202f}')
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

impl Places {
    pub fn new(reference: &ReferenceData) -> Places {
        let mut places = Places::default();
        for m in &reference.municipalities {
            let code = m.code.as_str().to_owned();
            places.municipalities.insert(normalise(&m.name), (code.clone(), m.county_code.clone()));
            places.county_of.insert(code, m.county_code.clone());
        }
        // Full names ("värmlands län") always; short forms ("värmlands", "värmland") only when
        // no other county has the same short form.
        let mut short: HashMap<String, Vec<String>> = HashMap::new();
        for c in &reference.counties {
            let full = normalise(&c.name);
            places.counties.insert(full.clone(), c.code.clone());
            let stem = full.strip_suffix(" län").unwrap_or(&full).to_owned();
            let mut forms = vec![stem.clone()];
            if let Some(without_s) = stem.strip_suffix('s') {
                forms.push(without_s.to_owned());
            }
            for form in forms {
                short.entry(form).or_default().push(c.code.clone());
            }
        }
        for (form, codes) in short {
            if let [code] = codes.as_slice() {
                places.counties.entry(form).or_insert_with(|| code.clone());
            }
        }
        places
    }

    /// Every municipality code with its county code.
    pub fn municipality_counties(&self) -> impl Iterator<Item = (&str, &str)> {
        self.county_of.iter().map(|(m, c)| (m.as_str(), c.as_str()))
    }

    /// The code of the municipality called `name` (`"Säffle"`, `" säffle  kommun"`).
    pub fn municipality(&self, name: &str) -> Option<&str> {
        self.municipality_entry(name).map(|(code, _)| code.as_str())
    }

    fn municipality_entry(&self, name: &str) -> Option<&(String, String)> {
        let key = normalise(name);
        self.municipalities.get(&key).or_else(|| self.municipalities.get(key.strip_suffix(" kommun")?))
    }

    /// The code of the county called `name`: `"Värmlands län"`, also `"Värmland"` (the short
    /// forms of the 21 counties are all unambiguous).
    pub fn county(&self, name: &str) -> Option<&str> {
        self.counties.get(&normalise(name)).map(String::as_str)
    }

    /// The county code of a municipality code (`1785` → `17`), if the municipality exists.
    pub fn county_of(&self, municipality_code: &str) -> Option<&str> {
        self.county_of.get(municipality_code).map(String::as_str)
    }

    /// Whether `name` means the whole country: `Riket`, `Hela landet`, `Sverige`.
    pub fn is_nation(name: &str) -> bool {
        matches!(normalise(name).as_str(), "riket" | "hela riket" | "hela landet" | "sverige" | "totalt riket")
    }

    /// Any place: a municipality first (so `Stockholm` is the municipality and `Stockholms län`
    /// the county), then a county, then the nation.
    pub fn lookup(&self, name: &str) -> Option<Place> {
        if let Some((code, county)) = self.municipality_entry(name) {
            return Some(Place::Municipality { code: code.clone(), county: county.clone() });
        }
        if let Some(code) = self.county(name) {
            return Some(Place::County(code.to_owned()));
        }
        Places::is_nation(name).then_some(Place::Nation)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn places() -> Places {
        let csv = include_str!("../../../../data/reference/swedish_admin_areas.csv");
        let bra = include_str!("../../../../data/reference/bra_2015_polisregioner.txt");
        let reference = crate::reference::parse(csv, bra).expect("reference data parses");
        Places::new(&reference)
    }

    #[test]
    fn municipalities_by_name() {
        let p = places();
        assert_eq!(p.municipality("Säffle"), Some("1785"));
        assert_eq!(p.municipality("  SÄFFLE\u{a0} kommun "), Some("1785"));
        assert_eq!(p.municipality("Upplands  Väsby"), Some("0114"));
        assert_eq!(p.municipality("Håbo"), Some("0305"));
        assert_eq!(p.municipality("Habo"), Some("0643"));
        assert_eq!(p.municipality("Säfle"), None);
        assert_eq!(p.municipality(""), None);
        assert_eq!(p.county_of("1785"), Some("17"));
        assert_eq!(p.county_of("9999"), None);
    }

    #[test]
    fn counties_by_name() {
        let p = places();
        assert_eq!(p.county("Värmlands län"), Some("17"));
        assert_eq!(p.county("värmland"), Some("17"));
        assert_eq!(p.county("Västra Götalands län"), Some("14"));
        assert_eq!(p.county("Örebro län"), Some("18"));
        assert_eq!(p.county("Säffle"), None);
        assert_eq!(p.lookup("Stockholm"), Some(Place::Municipality { code: "0180".into(), county: "01".into() }));
        assert_eq!(p.lookup("Stockholms län"), Some(Place::County("01".into())));
        assert_eq!(p.lookup("Gotlands län").map(|p| p.code().to_owned()), Some("09".into()));
    }

    #[test]
    fn the_nation() {
        let p = places();
        for name in ["Riket", "hela landet", "SVERIGE"] {
            assert_eq!(p.lookup(name), Some(Place::Nation), "{name}");
        }
        assert_eq!(Place::Nation.code(), "00");
    }
}
