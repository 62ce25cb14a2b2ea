//! Municipalities and their identifiers.

use std::fmt;

/// A municipality's 4-digit SCB code, e.g. `1785` for Säffle.
///
/// Parsing checks the shape only; whether the code exists is a question for the reference data.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MunicipalityCode(String);

impl MunicipalityCode {
    pub fn parse(s: &str) -> Option<Self> {
        (s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit())).then(|| Self(s.to_owned()))
    }

    /// The county code is the first two digits of the municipality code.
    pub fn county_code(&self) -> &str {
        &self.0[..2]
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for MunicipalityCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The URL slug of a name: lower case, å/ä→a, ö→o (and other accents folded), runs of
/// anything that is not a letter or digit become one `-`. `Malung-Sälen` → `malung-salen`.
pub fn slugify(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut pending_dash = false;
    for c in name.chars().flat_map(char::to_lowercase) {
        let folded = match c {
            'å' | 'ä' | 'á' | 'à' | 'â' => 'a',
            'ö' | 'ø' | 'ó' | 'ò' | 'ô' => 'o',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'ü' | 'ú' | 'ù' | 'û' => 'u',
            'í' | 'ì' | 'î' | 'ï' => 'i',
            c => c,
        };
        if folded.is_ascii_alphanumeric() {
            if pending_dash && !out.is_empty() {
                out.push('-');
            }
            pending_dash = false;
            out.push(folded);
        } else {
            pending_dash = true;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn slugs_fold_swedish_letters() {
        assert_eq!(slugify("Säffle"), "saffle");
        assert_eq!(slugify("Malung-Sälen"), "malung-salen");
        assert_eq!(slugify("Upplands Väsby"), "upplands-vasby");
        assert_eq!(slugify("Örnsköldsvik"), "ornskoldsvik");
        assert_eq!(slugify("Åre"), "are");
        assert_eq!(slugify("  Dals-Ed "), "dals-ed");
    }

    #[test]
    fn codes_are_four_digits() {
        assert!(MunicipalityCode::parse("1785").is_some());
        assert_eq!(MunicipalityCode::parse("0114").map(|c| c.county_code().to_owned()), Some("01".into()));
        for bad in ["", "178", "17855", "17a5", "１７８５", "-178"] {
            assert!(MunicipalityCode::parse(bad).is_none(), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn slugs_are_url_safe_and_idempotent(s in "\\PC{0,40}") {
            let slug = slugify(&s);
            prop_assert!(slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'));
            prop_assert!(!slug.starts_with('-') && !slug.ends_with('-') && !slug.contains("--"));
            prop_assert_eq!(slugify(&slug), slug.clone());
        }
    }
}

/// A sort key that orders Swedish names as a Swedish reader expects: case-insensitive, with
/// å, ä, ö after z (in that order), é with e and ü with y. Databases disagree on collation, so
/// names are sorted with this in Rust.
pub fn sv_sort_key(s: &str) -> Vec<u32> {
    s.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'å' => 'z' as u32 + 1,
            'ä' | 'æ' => 'z' as u32 + 2,
            'ö' | 'ø' => 'z' as u32 + 3,
            'é' | 'è' => 'e' as u32,
            'ü' => 'y' as u32,
            c => c as u32,
        })
        .collect()
}

#[cfg(test)]
mod sort_tests {
    use super::sv_sort_key;

    #[test]
    fn swedish_alphabet_order() {
        let mut names = vec!["Örebro", "Älmhult", "Åre", "Arvika", "Zinkgruvan", "eda"];
        names.sort_by_key(|n| sv_sort_key(n));
        assert_eq!(names, ["Arvika", "eda", "Zinkgruvan", "Åre", "Älmhult", "Örebro"]);
    }
}
