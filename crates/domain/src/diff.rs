//! What changed between two versions of a document: texts word by word, items (promises, focus
//! areas, themes, activities) as added, removed or moved.

use similar::{Algorithm, ChangeTag, DiffOp, TextDiff, capture_diff_slices};

use crate::promise::{Party, PromiseDocument};

/// A run of words in a text diff.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Words {
    Same(String),
    Added(String),
    Removed(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// A text field changed; `words` shows how.
    Text {
        field: String,
        words: Vec<Words>,
    },
    Added {
        section: String,
        item: String,
    },
    Removed {
        section: String,
        item: String,
    },
    Moved {
        section: String,
        item: String,
        from: usize,
        to: usize,
    },
}

fn party_label(party: Party, name: Option<&str>) -> String {
    match party {
        Party::Joint => "gemensam".into(),
        Party::Municipality => "kommunen".into(),
        Party::Police => "polisen".into(),
        Party::Other => name.unwrap_or("annan aktör").to_owned(),
    }
}

/// Word-level differences between two texts, or None when they are equal.
pub fn words(old: &str, new: &str) -> Option<Vec<Words>> {
    if old == new {
        return None;
    }
    let diff = TextDiff::configure().algorithm(Algorithm::Myers).diff_words(old, new);
    let mut out: Vec<Words> = Vec::new();
    for change in diff.iter_all_changes() {
        let text = change.value().to_owned();
        let next = match change.tag() {
            ChangeTag::Equal => Words::Same(text),
            ChangeTag::Insert => Words::Added(text),
            ChangeTag::Delete => Words::Removed(text),
        };
        match (out.last_mut(), &next) {
            (Some(Words::Same(a)), Words::Same(b))
            | (Some(Words::Added(a)), Words::Added(b))
            | (Some(Words::Removed(a)), Words::Removed(b)) => a.push_str(b),
            _ => out.push(next),
        }
    }
    Some(out)
}

/// Items of a list: added, removed, and those kept but at another place.
fn items(section: &str, old: &[String], new: &[String], out: &mut Vec<Change>) {
    let ops = capture_diff_slices(Algorithm::Myers, old, new);
    let mut removed: Vec<(usize, &String)> = Vec::new();
    let mut added: Vec<(usize, &String)> = Vec::new();
    for op in ops {
        match op {
            DiffOp::Equal { .. } => {}
            DiffOp::Delete { old_index, old_len, .. } => {
                removed.extend((old_index..old_index + old_len).map(|i| (i, &old[i])))
            }
            DiffOp::Insert { new_index, new_len, .. } => {
                added.extend((new_index..new_index + new_len).map(|i| (i, &new[i])))
            }
            DiffOp::Replace { old_index, old_len, new_index, new_len } => {
                removed.extend((old_index..old_index + old_len).map(|i| (i, &old[i])));
                added.extend((new_index..new_index + new_len).map(|i| (i, &new[i])));
            }
        }
    }
    for (to, item) in &added {
        if let Some(pos) = removed.iter().position(|(_, r)| r == item) {
            let (from, _) = removed.remove(pos);
            out.push(Change::Moved { section: section.into(), item: (*item).clone(), from: from + 1, to: to + 1 });
        } else {
            out.push(Change::Added { section: section.into(), item: (*item).clone() });
        }
    }
    for (_, item) in removed {
        out.push(Change::Removed { section: section.into(), item: item.clone() });
    }
}

/// Every difference from `old` to `new`, in document order.
pub fn document_changes(old: &PromiseDocument, new: &PromiseDocument) -> Vec<Change> {
    let mut out = Vec::new();
    let mut text = |field: &str, a: &str, b: &str| {
        if let Some(words) = words(a, b) {
            out.push(Change::Text { field: field.into(), words });
        }
    };
    text("Titel", &old.title, &new.title);
    text("År", &old.year.to_string(), &new.year.to_string());
    let period = |d: &PromiseDocument| {
        format!(
            "{} – {}",
            d.period.start.map(|s| s.to_string()).unwrap_or_default(),
            d.period.end.map(|s| s.to_string()).unwrap_or_default()
        )
    };
    text("Period", &period(old), &period(new));
    text("Status", old.status.label_sv(), new.status.label_sv());
    text("Lokalpolisområde", &old.police_area.name, &new.police_area.name);
    text("Inledning", &old.intro.join("\n\n"), &new.intro.join("\n\n"));
    text("Uppföljning", &old.follow_up, &new.follow_up);
    text("Kommunikation", &old.communication, &new.communication);
    text("Giltighet", &old.validity, &new.validity);

    let municipalities = |d: &PromiseDocument| d.municipalities.iter().map(|m| m.name.clone()).collect::<Vec<_>>();
    items("Kommuner", &municipalities(old), &municipalities(new), &mut out);
    let promises = |d: &PromiseDocument| {
        d.promises
            .iter()
            .map(|p| format!("{} ({})", p.text, party_label(p.party, p.party_name.as_deref())))
            .collect::<Vec<_>>()
    };
    items("Löften", &promises(old), &promises(new), &mut out);
    let focus = |d: &PromiseDocument| d.promises.iter().flat_map(|p| p.focus_areas.iter().cloned()).collect::<Vec<_>>();
    items("Fokusområden", &focus(old), &focus(new), &mut out);
    let themes = |d: &PromiseDocument| d.themes.iter().map(|t| t.name.clone()).collect::<Vec<_>>();
    items("Teman", &themes(old), &themes(new), &mut out);
    // Activities are compared within the theme of the same name.
    for theme in &new.themes {
        let before = old.themes.iter().find(|t| t.name == theme.name);
        let list = |acts: &[crate::promise::Activity]| {
            acts.iter()
                .map(|a| format!("{} ({})", a.text, party_label(a.party, a.party_name.as_deref())))
                .collect::<Vec<_>>()
        };
        let old_items = before.map(|t| list(&t.activities)).unwrap_or_default();
        items(&format!("Aktiviteter under {}", theme.name), &old_items, &list(&theme.activities), &mut out);
    }
    for theme in &old.themes {
        if !new.themes.iter().any(|t| t.name == theme.name) {
            for a in &theme.activities {
                out.push(Change::Removed {
                    section: format!("Aktiviteter under {}", theme.name),
                    item: format!("{} ({})", a.text, party_label(a.party, a.party_name.as_deref())),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::promise::{Activity, Theme, parse_documents};

    fn demo() -> PromiseDocument {
        parse_documents(include_str!("../../../data/demo/saffle-2024.json")).expect("demo").remove(0)
    }

    #[test]
    fn identical_documents_have_no_changes() {
        assert_eq!(document_changes(&demo(), &demo()), vec![]);
    }

    #[test]
    fn texts_differ_word_by_word() {
        let w = words("öka tryggheten i kommunen", "öka tryggheten kraftigt i kommunen").expect("differs");
        assert_eq!(
            w,
            [Words::Same("öka tryggheten ".into()), Words::Added("kraftigt ".into()), Words::Same("i kommunen".into())]
        );
    }

    #[test]
    fn items_are_added_removed_and_moved() {
        let old = demo();
        let mut new = demo();
        new.themes[1].activities.swap(0, 2);
        new.themes[0].activities[3].party = Party::Other;
        new.themes[0].activities[3].party_name = Some("Säffle Bostäder".into());
        new.themes.push(Theme {
            name: "Ny".into(),
            activities: vec![Activity { text: "Belysning".into(), party: Party::Joint, party_name: None }],
        });
        new.title = "Medborgarlöfte 2025".into();
        let changes = document_changes(&old, &new);
        assert!(changes.contains(&Change::Text {
            field: "Titel".into(),
            words: vec![
                Words::Same("Medborgarlöfte ".into()),
                Words::Removed("2024".into()),
                Words::Added("2025".into())
            ],
        }));
        assert!(changes.contains(&Change::Added { section: "Teman".into(), item: "Ny".into() }));
        assert!(
            changes.contains(&Change::Added {
                section: "Aktiviteter under Ny".into(),
                item: "Belysning (gemensam)".into()
            })
        );
        assert!(changes.contains(&Change::Added {
            section: "Aktiviteter under ANDT".into(),
            item: "Narkotikainsatser, inriktning ungdomar (Säffle Bostäder)".into()
        }));
        assert!(changes.contains(&Change::Removed {
            section: "Aktiviteter under ANDT".into(),
            item: "Narkotikainsatser, inriktning ungdomar (polisen)".into()
        }));
        assert!(changes.iter().any(|c| matches!(c, Change::Moved { section, item, .. } if section == "Aktiviteter under Synlighet" && item == "Fotpatrullering (polisen)")));
    }
}
