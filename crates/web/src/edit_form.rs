//! The edit form of a draft as plain HTML form fields (no JavaScript needed): raw strings, so
//! that whatever a person typed comes back to them, and the structural actions (add, remove,
//! move up/down) that every button of the form carries.

use lofte_domain::{Activity, IsoDate, Party, Period, Promise, PromiseDocument, Theme, ValidationError};
use std::collections::HashMap;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ActivityForm {
    pub text: String,
    pub party: String,
    pub party_name: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PromiseForm {
    pub text: String,
    pub party: String,
    pub party_name: String,
    /// One focus area per line.
    pub focus: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ThemeForm {
    pub name: String,
    pub activities: Vec<ActivityForm>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EditForm {
    pub version: String,
    pub title: String,
    pub year: String,
    pub period_start: String,
    pub period_end: String,
    /// Paragraphs separated by blank lines.
    pub intro: String,
    pub promises: Vec<PromiseForm>,
    pub themes: Vec<ThemeForm>,
    pub follow_up: String,
    pub communication: String,
    pub validity: String,
}

/// What a button asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    Save,
    /// A button this form does not know: show the form again, save nothing.
    Nothing,
    AddPromise,
    AddTheme,
    AddActivity(usize),
    Remove(Item),
    Up(Item),
    Down(Item),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item {
    Promise(usize),
    Theme(usize),
    Activity(usize, usize),
}

/// Items of each kind read from a form; past the format's 200 the document's rules report it.
const MAX: usize = 1000;

/// The indices `i` for which a key `{prefix}{i}{suffix}` was posted, in order (gaps closed).
fn indices(map: &HashMap<&str, &str>, prefix: &str, suffix: &str) -> Vec<usize> {
    let mut found: Vec<usize> = map
        .keys()
        .filter_map(|k| k.strip_prefix(prefix)?.strip_suffix(suffix)?.parse::<usize>().ok())
        .filter(|i| *i < MAX)
        .collect();
    found.sort_unstable();
    found.dedup();
    found
}

impl EditForm {
    pub fn from_document(doc: &PromiseDocument, version: i64) -> Self {
        let party = |p: Party, name: &Option<String>| (p.as_str().to_owned(), name.clone().unwrap_or_default());
        EditForm {
            version: version.to_string(),
            title: doc.title.clone(),
            year: doc.year.to_string(),
            period_start: doc.period.start.map(|d| d.to_string()).unwrap_or_default(),
            period_end: doc.period.end.map(|d| d.to_string()).unwrap_or_default(),
            intro: doc.intro.join("\n\n"),
            promises: doc
                .promises
                .iter()
                .map(|p| {
                    let (party, party_name) = party(p.party, &p.party_name);
                    PromiseForm { text: p.text.clone(), party, party_name, focus: p.focus_areas.join("\n") }
                })
                .collect(),
            themes: doc
                .themes
                .iter()
                .map(|t| ThemeForm {
                    name: t.name.clone(),
                    activities: t
                        .activities
                        .iter()
                        .map(|a| {
                            let (party, party_name) = party(a.party, &a.party_name);
                            ActivityForm { text: a.text.clone(), party, party_name }
                        })
                        .collect(),
                })
                .collect(),
            follow_up: doc.follow_up.clone(),
            communication: doc.communication.clone(),
            validity: doc.validity.clone(),
        }
    }

    /// Reads posted fields (`title`, `p0_text`, `t1_a2_party`, …) and the button pressed.
    pub fn from_fields(fields: &[(String, String)]) -> (Self, Action) {
        let map: HashMap<&str, &str> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let get = |k: &str| map.get(k).map(|v| v.replace("\r\n", "\n")).unwrap_or_default();
        let promises = indices(&map, "p", "_text")
            .into_iter()
            .map(|i| PromiseForm {
                text: get(&format!("p{i}_text")),
                party: get(&format!("p{i}_party")),
                party_name: get(&format!("p{i}_party_name")),
                focus: get(&format!("p{i}_focus")),
            })
            .collect();
        let themes = indices(&map, "t", "_name")
            .into_iter()
            .map(|i| ThemeForm {
                name: get(&format!("t{i}_name")),
                activities: indices(&map, &format!("t{i}_a"), "_text")
                    .into_iter()
                    .map(|j| ActivityForm {
                        text: get(&format!("t{i}_a{j}_text")),
                        party: get(&format!("t{i}_a{j}_party")),
                        party_name: get(&format!("t{i}_a{j}_party_name")),
                    })
                    .collect(),
            })
            .collect();
        let form = EditForm {
            version: get("version"),
            title: get("title"),
            year: get("year"),
            period_start: get("period_start"),
            period_end: get("period_end"),
            intro: get("intro"),
            promises,
            themes,
            follow_up: get("follow_up"),
            communication: get("communication"),
            validity: get("validity"),
        };
        (form, parse_action(map.get("action").copied().unwrap_or("save")))
    }

    /// Applies a structural action. Returns false when there was nothing to do.
    pub fn apply(&mut self, action: &Action) -> bool {
        fn swap<T>(v: &mut [T], a: usize, b: usize) -> bool {
            if a < v.len() && b < v.len() && a != b {
                v.swap(a, b);
                true
            } else {
                false
            }
        }
        fn remove<T>(v: &mut Vec<T>, i: usize) -> bool {
            (i < v.len()).then(|| v.remove(i)).is_some()
        }
        let joint = || "joint".to_owned();
        match action {
            Action::Save => false,
            Action::AddPromise if self.promises.len() < MAX => {
                self.promises.push(PromiseForm { party: joint(), ..PromiseForm::default() });
                true
            }
            Action::AddTheme if self.themes.len() < MAX => {
                self.themes.push(ThemeForm::default());
                true
            }
            Action::AddActivity(t) => match self.themes.get_mut(*t) {
                Some(theme) if theme.activities.len() < MAX => {
                    theme.activities.push(ActivityForm { party: joint(), ..ActivityForm::default() });
                    true
                }
                _ => false,
            },
            Action::Remove(Item::Promise(i)) => remove(&mut self.promises, *i),
            Action::Remove(Item::Theme(i)) => remove(&mut self.themes, *i),
            Action::Remove(Item::Activity(t, a)) => {
                self.themes.get_mut(*t).is_some_and(|th| remove(&mut th.activities, *a))
            }
            Action::Up(Item::Promise(i)) => *i > 0 && swap(&mut self.promises, *i, i - 1),
            Action::Down(Item::Promise(i)) => swap(&mut self.promises, *i, i + 1),
            Action::Up(Item::Theme(i)) => *i > 0 && swap(&mut self.themes, *i, i - 1),
            Action::Down(Item::Theme(i)) => swap(&mut self.themes, *i, i + 1),
            Action::Up(Item::Activity(t, a)) => {
                *a > 0 && self.themes.get_mut(*t).is_some_and(|th| swap(&mut th.activities, *a, a - 1))
            }
            Action::Down(Item::Activity(t, a)) => {
                self.themes.get_mut(*t).is_some_and(|th| swap(&mut th.activities, *a, a + 1))
            }
            _ => false,
        }
    }

    /// The document the form describes, on top of `base` (which supplies id, parties and
    /// status), or the problems with the fields that cannot even be read (year, dates, party).
    /// Everything else is left to the document's own validation.
    pub fn to_document(&self, base: &PromiseDocument) -> Result<PromiseDocument, Vec<ValidationError>> {
        let mut errors = Vec::new();
        let mut err = |path: String, message: &str| errors.push(ValidationError { path, message: message.into() });
        let year = match self.year.trim().parse::<i32>() {
            Ok(y) => y,
            Err(_) => {
                err("year".into(), "ange året med siffror, t.ex. 2025");
                0
            }
        };
        let mut date = |path: &str, raw: &str| -> Option<IsoDate> {
            let raw = raw.trim();
            if raw.is_empty() {
                return None;
            }
            let parsed = IsoDate::parse(raw);
            if parsed.is_none() {
                err(path.into(), "skriv datumet som ÅÅÅÅ-MM-DD, t.ex. 2025-03-01");
            }
            parsed
        };
        let period =
            Period { start: date("period.start", &self.period_start), end: date("period.end", &self.period_end) };
        let mut party = |path: String, raw: &str, name: &str| -> (Party, Option<String>) {
            let p = Party::parse(raw).unwrap_or_else(|| {
                err(format!("{path}.party"), "välj vem som ansvarar");
                Party::Joint
            });
            let name = name.trim();
            // The name belongs to "other" only; an empty one is reported by the document's rules.
            (p, (p == Party::Other && !name.is_empty()).then(|| name.to_owned()))
        };
        let promises = self
            .promises
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let (party, party_name) = party(format!("promises[{i}]"), &p.party, &p.party_name);
                Promise {
                    text: p.text.clone(),
                    party,
                    party_name,
                    focus_areas: p.focus.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect(),
                }
            })
            .collect();
        let themes = self
            .themes
            .iter()
            .enumerate()
            .map(|(i, t)| Theme {
                name: t.name.clone(),
                activities: t
                    .activities
                    .iter()
                    .enumerate()
                    .map(|(j, a)| {
                        let (party, party_name) =
                            party(format!("themes[{i}].activities[{j}]"), &a.party, &a.party_name);
                        Activity { text: a.text.clone(), party, party_name }
                    })
                    .collect(),
            })
            .collect();
        let doc = PromiseDocument {
            title: self.title.clone(),
            year,
            period,
            intro: self.intro.split("\n\n").map(str::trim).filter(|p| !p.is_empty()).map(str::to_owned).collect(),
            promises,
            themes,
            follow_up: self.follow_up.clone(),
            communication: self.communication.clone(),
            validity: self.validity.clone(),
            ..base.clone()
        };
        if errors.is_empty() { Ok(doc) } else { Err(errors) }
    }
}

impl EditForm {
    /// Merges a form based on `base` with the newer `theirs`: every field (and the lists of
    /// promises and of themes, each as a whole) that this form left as in `base` takes their
    /// value; fields both changed keep this form's value and are returned as clashes. The
    /// result is based on their version.
    pub fn merge(&self, base: &EditForm, theirs: &EditForm) -> (EditForm, Vec<&'static str>) {
        let mut out = self.clone();
        let mut clashes = Vec::new();
        macro_rules! field {
            ($name:ident, $label:literal) => {
                if self.$name == base.$name {
                    out.$name = theirs.$name.clone();
                } else if theirs.$name != base.$name && theirs.$name != self.$name {
                    clashes.push($label);
                }
            };
        }
        field!(title, "title");
        field!(year, "year");
        field!(period_start, "period_start");
        field!(period_end, "period_end");
        field!(intro, "intro");
        field!(promises, "promises");
        field!(themes, "themes");
        field!(follow_up, "follow_up");
        field!(communication, "communication");
        field!(validity, "validity");
        out.version = theirs.version.clone();
        (out, clashes)
    }
}

fn parse_action(raw: &str) -> Action {
    let mut parts = raw.split(':');
    let kind = parts.next().unwrap_or("");
    let nums: Vec<usize> = parts.filter_map(|p| p.parse().ok()).collect();
    match (kind, nums.as_slice()) {
        ("add_promise", []) => Action::AddPromise,
        ("add_theme", []) => Action::AddTheme,
        ("add_activity", [t]) => Action::AddActivity(*t),
        ("remove_promise", [i]) => Action::Remove(Item::Promise(*i)),
        ("remove_theme", [i]) => Action::Remove(Item::Theme(*i)),
        ("remove_activity", [t, a]) => Action::Remove(Item::Activity(*t, *a)),
        ("up_promise", [i]) => Action::Up(Item::Promise(*i)),
        ("down_promise", [i]) => Action::Down(Item::Promise(*i)),
        ("up_theme", [i]) => Action::Up(Item::Theme(*i)),
        ("down_theme", [i]) => Action::Down(Item::Theme(*i)),
        ("up_activity", [t, a]) => Action::Up(Item::Activity(*t, *a)),
        ("down_activity", [t, a]) => Action::Down(Item::Activity(*t, *a)),
        ("save", []) => Action::Save,
        _ => Action::Nothing,
    }
}

/// The form field that shows a document path's error: `themes[1].activities[0].text` →
/// `t1_a0_text`, `promises[2].focus_areas[1]` → `p2_focus`, `intro[0]` → `intro`.
pub fn field_for(path: &str) -> String {
    let mut out = String::new();
    for part in path.split('.') {
        let (name, index) = match part.split_once('[') {
            Some((n, rest)) => (n, rest.trim_end_matches(']').parse::<usize>().ok()),
            None => (part, None),
        };
        let piece = match (name, index) {
            ("promises", Some(i)) => format!("p{i}"),
            ("themes", Some(i)) => format!("t{i}"),
            ("activities", Some(i)) => format!("a{i}"),
            ("focus_areas", _) => "focus".into(),
            ("period", _) => "period".into(),
            (n, _) => n.to_owned(),
        };
        if !out.is_empty() {
            out.push('_');
        }
        out.push_str(&piece);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo() -> PromiseDocument {
        lofte_domain::parse_documents(include_str!("../../../data/demo/saffle-2024.json")).expect("demo").remove(0)
    }

    fn fields(form: &EditForm, action: &str) -> Vec<(String, String)> {
        let mut f = vec![
            ("version".into(), form.version.clone()),
            ("title".into(), form.title.clone()),
            ("year".into(), form.year.clone()),
            ("period_start".into(), form.period_start.clone()),
            ("period_end".into(), form.period_end.clone()),
            ("intro".into(), form.intro.clone()),
            ("follow_up".into(), form.follow_up.clone()),
            ("communication".into(), form.communication.clone()),
            ("validity".into(), form.validity.clone()),
            ("action".into(), action.into()),
        ];
        for (i, p) in form.promises.iter().enumerate() {
            f.push((format!("p{i}_text"), p.text.clone()));
            f.push((format!("p{i}_party"), p.party.clone()));
            f.push((format!("p{i}_party_name"), p.party_name.clone()));
            f.push((format!("p{i}_focus"), p.focus.replace('\n', "\r\n")));
        }
        for (i, t) in form.themes.iter().enumerate() {
            f.push((format!("t{i}_name"), t.name.clone()));
            for (j, a) in t.activities.iter().enumerate() {
                f.push((format!("t{i}_a{j}_text"), a.text.clone()));
                f.push((format!("t{i}_a{j}_party"), a.party.clone()));
                f.push((format!("t{i}_a{j}_party_name"), a.party_name.clone()));
            }
        }
        f
    }

    #[test]
    fn a_document_survives_the_form() {
        let doc = demo();
        let form = EditForm::from_document(&doc, 3);
        let (back, action) = EditForm::from_fields(&fields(&form, "save"));
        assert_eq!(action, Action::Save);
        assert_eq!(back, form);
        assert_eq!(back.to_document(&doc).expect("valid"), doc);
    }

    #[test]
    fn buttons_add_remove_and_move() {
        let doc = demo();
        let (mut form, action) = EditForm::from_fields(&fields(&EditForm::from_document(&doc, 1), "up_activity:1:2"));
        assert_eq!(action, Action::Up(Item::Activity(1, 2)));
        assert!(form.apply(&action));
        assert_eq!(form.themes[1].activities[1].text, "Fotpatrullering");
        assert!(form.apply(&Action::AddTheme));
        assert!(form.apply(&Action::AddActivity(3)));
        assert_eq!(form.themes[3].activities.len(), 1);
        assert!(form.apply(&Action::Remove(Item::Promise(0))));
        assert_eq!(form.promises.len(), 2);
        assert!(!form.apply(&Action::Up(Item::Theme(0))), "the first cannot go up");
        assert!(!form.apply(&Action::Remove(Item::Activity(9, 9))));
        assert_eq!(parse_action("nonsense:1:2:3"), Action::Nothing);
        assert_eq!(parse_action("remove_promise:abc"), Action::Nothing);
        assert_eq!(parse_action("save"), Action::Save);
    }

    #[test]
    fn gaps_in_numbering_close_up() {
        let fields: Vec<(String, String)> =
            [("p0_text", "a"), ("p2_text", "c"), ("p7_text", "h"), ("t3_name", "T"), ("t3_a5_text", "x")]
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
        let (form, _) = EditForm::from_fields(&fields);
        assert_eq!(form.promises.iter().map(|p| p.text.as_str()).collect::<Vec<_>>(), ["a", "c", "h"]);
        assert_eq!(form.themes.len(), 1);
        assert_eq!(form.themes[0].activities[0].text, "x");
    }

    /// Three-way: what only the other person changed is taken over; what the person changed
    /// stays theirs.
    #[test]
    fn a_stale_form_takes_over_what_only_the_other_changed() {
        let base_doc = demo();
        let base = EditForm::from_document(&base_doc, 1);
        let mut theirs_doc = demo();
        theirs_doc.communication = "Deras text".into();
        theirs_doc.title = "Deras titel".into();
        let theirs = EditForm::from_document(&theirs_doc, 2);
        let mut mine = base.clone();
        mine.title = "Min titel".into();
        mine.follow_up = "Min uppföljning".into();
        let (merged, clashes) = mine.merge(&base, &theirs);
        assert_eq!(merged.communication, "Deras text", "taken over");
        assert_eq!(merged.follow_up, "Min uppföljning", "kept");
        assert_eq!(merged.title, "Min titel", "a clash keeps mine");
        assert_eq!(clashes, ["title"]);
        assert_eq!(merged.version, "2");
    }

    #[test]
    fn unreadable_fields_are_reported_by_path() {
        let doc = demo();
        let mut form = EditForm::from_document(&doc, 1);
        form.year = "tjugo".into();
        form.period_start = "2025-02-30".into();
        form.themes[0].activities[0].party = "polisen".into();
        let errors: Vec<String> = form.to_document(&doc).expect_err("invalid").into_iter().map(|e| e.path).collect();
        assert_eq!(errors, ["year", "period.start", "themes[0].activities[0].party"]);
    }

    #[test]
    fn paths_map_to_fields() {
        assert_eq!(field_for("themes[1].activities[0].text"), "t1_a0_text");
        assert_eq!(field_for("promises[2].focus_areas[1]"), "p2_focus");
        assert_eq!(field_for("period.end"), "period_end");
        assert_eq!(field_for("title"), "title");
        assert_eq!(field_for("intro[0]"), "intro");
    }
}
