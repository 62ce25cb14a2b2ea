//! Reference data: counties, municipalities and police regions, parsed from the real files in
//! `data/reference/` (the caller hands in their text; this module does no I/O).

use std::collections::{BTreeMap, BTreeSet};

use crate::org::{MunicipalityCode, slugify};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct County {
    pub code: String,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Municipality {
    pub code: MunicipalityCode,
    pub name: String,
    pub slug: String,
    pub county_code: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PoliceRegion {
    /// Slug of the name, e.g. `bergslagen`, `ost`.
    pub id: String,
    /// As Brå writes it without "Polisregion", e.g. `Bergslagen`.
    pub name: String,
    pub county_codes: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReferenceData {
    pub counties: Vec<County>,
    pub municipalities: Vec<Municipality>,
    pub police_regions: Vec<PoliceRegion>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ReferenceError {
    #[error("line {line}: {message}")]
    Line { line: u64, message: String },
    #[error("{0}")]
    Whole(String),
}

/// Parses the municipality list (`municipality_code,municipality_name,county_code,county_name`)
/// and the Brå text naming the counties of each police region, and checks them against each
/// other: 290 municipalities, 21 counties, every county in exactly one region, unique slugs.
pub fn parse(municipalities_csv: &str, police_regions_text: &str) -> Result<ReferenceData, ReferenceError> {
    let (counties, municipalities) = parse_municipalities(municipalities_csv)?;
    let police_regions = parse_police_regions(police_regions_text, &counties)?;
    Ok(ReferenceData { counties, municipalities, police_regions })
}

fn parse_municipalities(text: &str) -> Result<(Vec<County>, Vec<Municipality>), ReferenceError> {
    let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(text.as_bytes());
    let headers = reader.headers().map_err(|e| ReferenceError::Whole(e.to_string()))?.clone();
    let expected = ["municipality_code", "municipality_name", "county_code", "county_name"];
    if headers.iter().collect::<Vec<_>>() != expected {
        return Err(ReferenceError::Line { line: 1, message: format!("expected header {}", expected.join(",")) });
    }
    let mut counties: BTreeMap<String, String> = BTreeMap::new();
    let mut municipalities = Vec::new();
    let mut slugs = BTreeSet::new();
    for record in reader.records() {
        let record = record.map_err(|e| ReferenceError::Whole(e.to_string()))?;
        let line = record.position().map_or(0, |p| p.line());
        let err = |message: String| ReferenceError::Line { line, message };
        let [code, name, county_code, county_name] = [0, 1, 2, 3].map(|i| record.get(i).unwrap_or("").trim());
        let code = MunicipalityCode::parse(code).ok_or_else(|| err(format!("bad municipality code {code:?}")))?;
        if code.county_code() != county_code {
            return Err(err(format!("code {code} does not start with county code {county_code}")));
        }
        if name.is_empty() || county_name.is_empty() {
            return Err(err("empty name".into()));
        }
        if let Some(previous) = counties.insert(county_code.to_owned(), county_name.to_owned())
            && previous != county_name
        {
            return Err(err(format!("county {county_code} named both {previous:?} and {county_name:?}")));
        }
        let slug = slugify(name);
        municipalities.push(Municipality { code, name: name.to_owned(), slug, county_code: county_code.to_owned() });
    }
    disambiguate_slugs(&mut municipalities, &counties);
    for m in &municipalities {
        if !slugs.insert(m.slug.clone()) {
            return Err(ReferenceError::Whole(format!("slug {:?} is not unique", m.slug)));
        }
    }
    if municipalities.len() != 290 || counties.len() != 21 {
        return Err(ReferenceError::Whole(format!(
            "expected 290 municipalities in 21 counties, found {} in {}",
            municipalities.len(),
            counties.len()
        )));
    }
    let counties = counties.into_iter().map(|(code, name)| County { code, name }).collect();
    Ok((counties, municipalities))
}

/// Folding å/ä→a makes two real names collide: Håbo (0305) and Habo (0643). The name that is
/// spelt exactly like the slug keeps it (`/kommun/habo` is Habo); the other gets its county
/// appended (`/kommun/habo-uppsala`).
fn disambiguate_slugs(municipalities: &mut [Municipality], counties: &BTreeMap<String, String>) {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for m in municipalities.iter() {
        *seen.entry(m.slug.clone()).or_default() += 1;
    }
    for m in municipalities.iter_mut() {
        if seen.get(&m.slug).copied().unwrap_or(0) > 1 && m.name.to_lowercase() != m.slug {
            let county = counties.get(&m.county_code).map(String::as_str).unwrap_or("");
            m.slug = format!("{}-{}", m.slug, slugify(county.trim_end_matches(" län").trim_end_matches('s')));
        }
    }
}

/// Reads lines such as "Polisregion Syd består av Kalmar, Blekinge, Kronoberg och Skåne län."
/// Each named county is matched against the county list by prefix ("Gotland" → "Gotlands län").
fn parse_police_regions(text: &str, counties: &[County]) -> Result<Vec<PoliceRegion>, ReferenceError> {
    let mut regions = Vec::new();
    let mut assigned: BTreeMap<&str, &str> = BTreeMap::new();
    for (index, raw) in text.lines().enumerate() {
        let line_no = index as u64 + 1;
        let line = raw.trim().trim_start_matches(['•', '*', '-']).trim();
        let Some(rest) = line.strip_prefix("Polisregion ") else {
            continue;
        };
        let Some((name, list)) = rest.split_once(" består av ") else {
            continue;
        };
        let list = list.trim_end_matches('.').replace(" och ", ", ");
        let mut county_codes = Vec::new();
        for part in list.split(", ") {
            let token = part.trim().trim_end_matches(" län").trim();
            let matches: Vec<&County> = counties.iter().filter(|c| c.name.starts_with(token)).collect();
            let [county] = matches.as_slice() else {
                return Err(ReferenceError::Line {
                    line: line_no,
                    message: format!("{token:?} matches {} counties, expected one", matches.len()),
                });
            };
            if let Some(other) = assigned.insert(&county.code, name) {
                return Err(ReferenceError::Line {
                    line: line_no,
                    message: format!("{} is in both {other} and {name}", county.name),
                });
            }
            county_codes.push(county.code.clone());
        }
        county_codes.sort();
        regions.push(PoliceRegion { id: slugify(name), name: name.to_owned(), county_codes });
    }
    if regions.len() != 7 || assigned.len() != counties.len() {
        return Err(ReferenceError::Whole(format!(
            "expected 7 police regions covering all {} counties, found {} covering {}",
            counties.len(),
            regions.len(),
            assigned.len()
        )));
    }
    Ok(regions)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CSV: &str = include_str!("../../../data/reference/swedish_admin_areas.csv");
    const BRA: &str = include_str!("../../../data/reference/bra_2015_polisregioner.txt");

    #[test]
    fn real_files_parse_into_the_whole_country() {
        let data = parse(CSV, BRA).expect("reference data parses");
        assert_eq!(data.municipalities.len(), 290);
        assert_eq!(data.counties.len(), 21);
        assert_eq!(data.police_regions.len(), 7);
        let saffle = data.municipalities.iter().find(|m| m.code.as_str() == "1785").expect("Säffle");
        assert_eq!(
            (saffle.name.as_str(), saffle.slug.as_str(), saffle.county_code.as_str()),
            ("Säffle", "saffle", "17")
        );
        let bergslagen = data.police_regions.iter().find(|r| r.name == "Bergslagen").expect("Bergslagen");
        assert_eq!(bergslagen.county_codes, ["17", "18", "20"]);
        let stockholm = data.police_regions.iter().find(|r| r.id == "stockholm").expect("Stockholm");
        assert_eq!(stockholm.county_codes, ["01", "09"]);
        let slug = |code: &str| data.municipalities.iter().find(|m| m.code.as_str() == code).map(|m| m.slug.clone());
        assert_eq!(slug("2023").as_deref(), Some("malung-salen"));
        assert_eq!(slug("0643").as_deref(), Some("habo"));
        assert_eq!(slug("0305").as_deref(), Some("habo-uppsala"));
    }

    #[test]
    fn a_bad_line_is_named() {
        let broken = CSV.replacen("1785,Säffle,17", "17x5,Säffle,17", 1);
        let err = parse(&broken, BRA).expect_err("bad code");
        assert!(matches!(err, ReferenceError::Line { .. }), "{err}");
        assert!(err.to_string().contains("17x5"), "{err}");
    }

    #[test]
    fn a_missing_region_is_refused() {
        let broken: String = BRA.lines().filter(|l| !l.contains("Polisregion Syd")).collect::<Vec<_>>().join("\n");
        assert!(parse(CSV, &broken).is_err());
    }
}
