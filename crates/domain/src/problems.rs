//! The problem vocabulary shared by surveys, dialogues and (later) the lägesbild: the local
//! problems the standard safety surveys ask about ("Hur stort problem är … i ditt område?").
//! Municipalities may add their own problems; these are the ones every installation starts with.

use crate::org::slugify;

/// A problem of the vocabulary: a stable key (used in survey question keys, dialogue tags and
/// free-text tags) and its Swedish and English names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StandardProblem {
    pub key: &'static str,
    pub sv: &'static str,
    pub en: &'static str,
}

/// The problems of the standard public question areas, in the order surveys ask them.
pub const STANDARD_PROBLEMS: &[StandardProblem] = &[
    StandardProblem { key: "nedskrapning", sv: "Nedskräpning", en: "Littering" },
    StandardProblem { key: "klotter", sv: "Klotter", en: "Graffiti" },
    StandardProblem { key: "skadegorelse", sv: "Skadegörelse", en: "Vandalism" },
    StandardProblem {
        key: "morka-platser",
        sv: "Dåligt upplysta eller mörka platser",
        en: "Poorly lit or dark places",
    },
    StandardProblem { key: "fortkorning", sv: "Fortkörning med bil", en: "Speeding cars" },
    StandardProblem {
        key: "vardslos-moped-mc",
        sv: "Vårdslös körning med moped eller MC",
        en: "Reckless moped or motorcycle driving",
    },
    StandardProblem { key: "storande-ungdomar", sv: "Ungdomar som stör ordningen", en: "Disorderly youths" },
    StandardProblem {
        key: "berusade-personer",
        sv: "Berusade personer på allmän plats",
        en: "Drunk people in public places",
    },
    StandardProblem {
        key: "narkotika",
        sv: "Synlig narkotikaförsäljning eller narkotikaanvändning",
        en: "Visible drug dealing or drug use",
    },
    StandardProblem { key: "slagsmal-utomhus", sv: "Slagsmål och bråk utomhus", en: "Fights outdoors" },
    StandardProblem { key: "trakasserier-kvinnor", sv: "Att kvinnor blir antastade", en: "Women being harassed" },
];

/// The standard problem with this key.
pub fn standard(key: &str) -> Option<&'static StandardProblem> {
    STANDARD_PROBLEMS.iter().find(|p| p.key == key)
}

/// The key of a problem a municipality adds, from its Swedish name ("Buskörning" → "buskorning").
/// `None` when the name has no letters or digits to make a key of.
pub fn key_for(name: &str) -> Option<String> {
    let key = slugify(name.trim());
    let key: String = key.chars().take(60).collect();
    let key = key.trim_end_matches('-').to_owned();
    (!key.is_empty()).then_some(key)
}

/// The Swedish name of a problem a municipality adds, trimmed, or why it is refused.
pub fn check_name(raw: &str) -> Result<String, String> {
    let name = raw.trim();
    if name.chars().any(|c| crate::forbidden_char(c) || crate::invisible_char(c) || c == '\n' || c == '\r') {
        Err("Namnet får inte innehålla radbrytningar eller osynliga tecken.".into())
    } else if name.chars().count() > 100 {
        Err("Namnet får ha högst 100 tecken.".into())
    } else if key_for(name).is_none() {
        Err("Skriv problemets namn, t.ex. Buskörning.".into())
    } else {
        Ok(name.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_their_own_slugs() {
        let mut keys: Vec<_> = STANDARD_PROBLEMS.iter().map(|p| p.key).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), STANDARD_PROBLEMS.len());
        for p in STANDARD_PROBLEMS {
            assert_eq!(key_for(p.key).as_deref(), Some(p.key));
        }
    }

    #[test]
    fn keys_for_new_problems() {
        assert_eq!(key_for("  Buskörning i centrum ").as_deref(), Some("buskorning-i-centrum"));
        assert_eq!(key_for("!!!"), None);
        assert_eq!(standard("klotter").map(|p| p.en), Some("Graffiti"));
        assert_eq!(check_name(" Buskörning ").as_deref(), Ok("Buskörning"));
        assert!(check_name("–").is_err() && check_name("a\u{200B}b").is_err() && check_name(&"x".repeat(101)).is_err());
    }
}
