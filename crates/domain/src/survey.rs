//! Surveys (enkäter): the questionnaire, its standard template, what a respondent sends, and the
//! counts results are computed from. Pure: the database keeps the questionnaire as the JSON of
//! [`Questionnaire`] and the answers as [`Answers`] plus tally rows ([`Answers::tally_keys`]).

pub mod csv_import;
pub mod results;

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::org::slugify;
use crate::problems::STANDARD_PROBLEMS;
use crate::promise::forbidden_char;

/// The languages a questionnaire can be answered in: code and the language's own name.
pub const LANGUAGES: &[(&str, &str)] = &[("sv", "Svenska"), ("en", "English")];

/// The language code for a requested one, Swedish unless it is one of [`LANGUAGES`].
pub fn language(code: &str) -> &'static str {
    LANGUAGES.iter().find(|(c, _)| *c == code).map_or("sv", |(c, _)| c)
}

pub const MAX_QUESTIONS: usize = 100;
pub const MAX_CHOICES: usize = 40;
pub const MAX_TEXT: usize = 1_000;
pub const MAX_FREE_TEXT: usize = 4_000;
/// Numbers answered lie within ± this, whatever the question allows.
pub const MAX_NUMBER: i64 = 1_000_000_000;
/// Default smallest count shown in public results.
pub const DEFAULT_MIN_CELL: u32 = 5;

/// A text in Swedish with an optional translation. The Swedish text is required; a missing
/// translation falls back to it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Text {
    pub sv: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub en: String,
}

impl Text {
    pub fn new(sv: &str, en: &str) -> Self {
        Text { sv: sv.to_owned(), en: en.to_owned() }
    }

    /// The text in `lang`, or in Swedish when there is no translation.
    pub fn get(&self, lang: &str) -> &str {
        match lang {
            "en" if !self.en.trim().is_empty() => &self.en,
            _ => &self.sv,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.sv.trim().is_empty()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// One choice; the choices are an ordered scale when the question has one.
    Single,
    /// Any number of choices.
    Multiple,
    /// A whole number between `min` and `max`.
    Number,
    /// Free text: seen by staff only.
    FreeText,
    /// The respondent's sub-area (delområde), from the municipality's list.
    SubArea,
}

impl Kind {
    pub const ALL: [Kind; 5] = [Kind::Single, Kind::Multiple, Kind::Number, Kind::FreeText, Kind::SubArea];

    pub fn key(self) -> &'static str {
        match self {
            Kind::Single => "single",
            Kind::Multiple => "multiple",
            Kind::Number => "number",
            Kind::FreeText => "free_text",
            Kind::SubArea => "sub_area",
        }
    }

    pub fn from_key(key: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.key() == key)
    }

    pub fn label(self) -> &'static str {
        match self {
            Kind::Single => "Ett svar (skala eller val)",
            Kind::Multiple => "Flera svar",
            Kind::Number => "Tal",
            Kind::FreeText => "Fritext",
            Kind::SubArea => "Delområde",
        }
    }

    pub fn has_choices(self) -> bool {
        matches!(self, Kind::Single | Kind::Multiple)
    }
}

/// What a question tells about the respondent: the groups results are broken down by and
/// weighted with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    AgeGroup,
    Gender,
}

/// The sex a gender choice counts as when results are weighted to the population.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Man,
    Woman,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub key: String,
    pub text: Text,
    /// "Vet ej" and the like.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub dont_know: bool,
    /// In a multiple-choice question, a choice that excludes the others ("Nej, inget av detta").
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub exclusive: bool,
    /// For an age-group choice: the ages it covers (inclusive; `to` none = and older).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ages: Option<(u32, Option<u32>)>,
    /// For a gender choice: the sex it is weighted as.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sex: Option<Sex>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    pub key: String,
    pub kind: Kind,
    pub text: Text,
    #[serde(default, skip_serializing_if = "Text::is_empty")]
    pub help: Text,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub required: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<Choice>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    /// The problem of the vocabulary this question measures ("how big a problem is …").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

impl Question {
    pub fn new(key: &str, kind: Kind, text: Text) -> Self {
        Question {
            key: key.to_owned(),
            kind,
            text,
            help: Text::default(),
            required: false,
            choices: Vec::new(),
            min: None,
            max: None,
            role: None,
            problem: None,
        }
    }

    pub fn choice(&self, key: &str) -> Option<&Choice> {
        self.choices.iter().find(|c| c.key == key)
    }
}

/// The questionnaire: an introduction and the questions, in order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Questionnaire {
    #[serde(default)]
    pub intro: Text,
    #[serde(default)]
    pub questions: Vec<Question>,
}

/// A problem found in a questionnaire: the question's key (or "" for the whole) and a Swedish
/// message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub question: String,
    pub message: String,
}

fn text_problem(t: &str, what: &str, max: usize) -> Option<String> {
    if t.chars().any(forbidden_char) {
        Some(format!("{what} innehåller otillåtna tecken."))
    } else if t.chars().count() > max {
        Some(format!("{what} är längre än {max} tecken."))
    } else {
        None
    }
}

impl Questionnaire {
    pub fn question(&self, key: &str) -> Option<&Question> {
        self.questions.iter().find(|q| q.key == key)
    }

    pub fn role(&self, role: Role) -> Option<&Question> {
        self.questions.iter().find(|q| q.role == Some(role))
    }

    pub fn sub_area(&self) -> Option<&Question> {
        self.questions.iter().find(|q| q.kind == Kind::SubArea)
    }

    /// Every rule a questionnaire must keep, all problems at once.
    pub fn problems(&self) -> Vec<Problem> {
        let mut out = Vec::new();
        let mut push = |q: &str, m: String| out.push(Problem { question: q.to_owned(), message: m });
        if self.questions.len() > MAX_QUESTIONS {
            push("", format!("En enkät kan ha högst {MAX_QUESTIONS} frågor."));
        }
        for (t, what) in [(&self.intro.sv, "Inledningen"), (&self.intro.en, "Inledningens översättning")] {
            if let Some(m) = text_problem(t, what, 5 * MAX_TEXT) {
                push("", m);
            }
        }
        let mut keys = BTreeSet::new();
        for q in &self.questions {
            let k = q.key.as_str();
            if k.is_empty() || slugify(k) != k || k.len() > 80 {
                push(k, format!("Frågans nyckel {k:?} ska vara små bokstäver, siffror och bindestreck."));
            }
            if !keys.insert(k) {
                push(k, format!("Nyckeln {k:?} används av två frågor."));
            }
            if q.text.is_empty() {
                push(k, "Frågan saknar text.".into());
            }
            for (t, what) in [
                (&q.text.sv, "Frågetexten"),
                (&q.text.en, "Frågetextens översättning"),
                (&q.help.sv, "Hjälptexten"),
                (&q.help.en, "Hjälptextens översättning"),
            ] {
                if let Some(m) = text_problem(t, what, MAX_TEXT) {
                    push(k, m);
                }
            }
            if q.kind.has_choices() {
                if q.choices.len() < 2 {
                    push(k, "Frågan behöver minst två svarsalternativ.".into());
                }
                if q.choices.len() > MAX_CHOICES {
                    push(k, format!("Frågan kan ha högst {MAX_CHOICES} svarsalternativ."));
                }
                let mut choice_keys = BTreeSet::new();
                for c in &q.choices {
                    if c.key.is_empty() || slugify(&c.key) != c.key {
                        push(k, format!("Svarsalternativets nyckel {:?} är ogiltig.", c.key));
                    }
                    if !choice_keys.insert(c.key.as_str()) {
                        push(k, format!("Två svarsalternativ har nyckeln {:?}.", c.key));
                    }
                    if q.choices.iter().filter(|o| o.text.sv.trim() == c.text.sv.trim()).count() > 1
                        && q.choices.iter().position(|o| o.text.sv.trim() == c.text.sv.trim())
                            == q.choices.iter().position(|o| o.key == c.key)
                    {
                        push(k, format!("Svarsalternativet ”{}” finns två gånger.", c.text.sv.trim()));
                    }
                    if c.text.is_empty() {
                        push(k, "Ett svarsalternativ saknar text.".into());
                    }
                    for t in [&c.text.sv, &c.text.en] {
                        if let Some(m) = text_problem(t, "Ett svarsalternativ", MAX_TEXT) {
                            push(k, m);
                        }
                    }
                    if let Some((from, Some(to))) = c.ages
                        && to < from
                    {
                        push(k, format!("Åldrarna i {:?} går baklänges.", c.text.sv));
                    }
                }
            } else if !q.choices.is_empty() {
                push(k, "Bara frågor med svarsalternativ kan ha svarsalternativ.".into());
            }
            if let (Some(min), Some(max)) = (q.min, q.max)
                && min > max
            {
                push(k, "Lägsta talet är större än det högsta.".into());
            }
            if q.role.is_some() && q.kind != Kind::Single {
                push(k, "Ålder och kön frågas med en fråga med ett svar.".into());
            }
        }
        for role in [Role::AgeGroup, Role::Gender] {
            if self.questions.iter().filter(|q| q.role == Some(role)).count() > 1 {
                push("", "Bara en fråga kan gälla ålder och bara en kön.".into());
            }
        }
        if self.questions.iter().filter(|q| q.kind == Kind::SubArea).count() > 1 {
            push("", "Bara en fråga kan gälla delområde.".into());
        }
        out
    }

    /// Whether `other` keeps this questionnaire's structure (question keys, kinds, choice keys
    /// and their order), so that answers already given mean the same under it. Texts,
    /// translations, help and whether a question is required may differ.
    pub fn same_structure(&self, other: &Questionnaire) -> bool {
        let shape = |q: &Questionnaire| -> Vec<(String, Kind, Vec<String>)> {
            q.questions
                .iter()
                .map(|q| (q.key.clone(), q.kind, q.choices.iter().map(|c| c.key.clone()).collect()))
                .collect()
        };
        shape(self) == shape(other)
    }

    /// A key for a new question from its Swedish text, unique in this questionnaire.
    pub fn new_key(&self, text: &str) -> String {
        let base: String = slugify(text).chars().take(40).collect();
        let base = base.trim_end_matches('-');
        let base = if base.is_empty() { "fraga" } else { base };
        unique_key(base, |k| self.question(k).is_some())
    }
}

/// `base`, or `base-2`, `base-3` … whichever is not yet `taken`.
pub fn unique_key(base: &str, taken: impl Fn(&str) -> bool) -> String {
    if !taken(base) {
        return base.to_owned();
    }
    (2..).map(|i| format!("{base}-{i}")).find(|k| !taken(k)).unwrap_or_else(|| base.to_owned())
}

/// Choices from lines "Svensk text | English text" (the translation optional); keys from the
/// Swedish text, keeping the key of an existing choice with the same Swedish text.
pub fn choices_from_lines(lines: &str, existing: &[Choice]) -> Vec<Choice> {
    let mut out: Vec<Choice> = Vec::new();
    for line in lines.lines() {
        let (sv, en) = line.split_once('|').unwrap_or((line, ""));
        let (sv, en) = (sv.trim(), en.trim());
        if sv.is_empty() {
            continue;
        }
        let mut choice = existing.iter().find(|c| c.text.sv == sv).cloned().unwrap_or_else(|| {
            let base: String = slugify(sv).chars().take(40).collect();
            let base = base.trim_end_matches('-').to_owned();
            let base = if base.is_empty() { "alternativ".to_owned() } else { base };
            Choice {
                key: unique_key(&base, |k| out.iter().any(|c| c.key == k)),
                text: Text::default(),
                dont_know: slugify(sv) == "vet-ej",
                exclusive: slugify(sv).starts_with("nej") || slugify(sv).starts_with("inget"),
                ages: None,
                sex: None,
            }
        });
        if out.iter().any(|c| c.key == choice.key) {
            choice.key = unique_key(&choice.key, |k| out.iter().any(|c| c.key == k));
        }
        choice.text = Text::new(sv, en);
        out.push(choice);
    }
    out
}

/// The lines [`choices_from_lines`] reads, for an edit form.
pub fn choices_to_lines(choices: &[Choice]) -> String {
    choices
        .iter()
        .map(|c| if c.text.en.is_empty() { c.text.sv.clone() } else { format!("{} | {}", c.text.sv, c.text.en) })
        .collect::<Vec<_>>()
        .join("\n")
}

fn choices(list: &[(&str, &str, &str)]) -> Vec<Choice> {
    list.iter()
        .map(|(key, sv, en)| Choice {
            key: (*key).to_owned(),
            text: Text::new(sv, en),
            dont_know: *key == "vet-ej",
            exclusive: *key == "nej",
            ages: None,
            sex: None,
        })
        .collect()
}

/// The four-step problem scale plus "vet ej".
pub const PROBLEM_SCALE: &[(&str, &str, &str)] = &[
    ("mycket-stort", "Mycket stort problem", "A very big problem"),
    ("ganska-stort", "Ganska stort problem", "A fairly big problem"),
    ("ganska-litet", "Ganska litet problem", "A fairly small problem"),
    ("inget", "Inget problem alls", "No problem at all"),
    ("vet-ej", "Vet ej", "Don't know"),
];

/// The choices of [`PROBLEM_SCALE`] that count as "a big problem".
pub const BIG_PROBLEM: &[&str] = &["mycket-stort", "ganska-stort"];

/// The standard safety survey (trygghetsundersökning), built from the question areas the
/// police's and municipalities' surveys share: local problems on a four-step scale, feeling safe
/// outdoors late in the evening, worry about crime, victimisation in the last 12 months, trust in
/// the police and the municipality, avoided activities, age group, gender, sub-area and what
/// would make the respondent feel safer. In Swedish and English.
pub fn safety_survey_template() -> Questionnaire {
    let mut qs = Vec::new();
    for p in STANDARD_PROBLEMS {
        let mut q = Question::new(
            &format!("problem-{}", p.key),
            Kind::Single,
            Text::new(
                &format!("Hur stort problem är följande i ditt område: {}?", p.sv.to_lowercase()),
                &format!("How big a problem is the following in your neighbourhood: {}?", p.en.to_lowercase()),
            ),
        );
        q.choices = choices(PROBLEM_SCALE);
        q.problem = Some(p.key.to_owned());
        qs.push(q);
    }
    let mut safe = Question::new(
        "trygg-ute-sent",
        Kind::Single,
        Text::new(
            "Hur trygg eller otrygg skulle du känna dig om du gick ut ensam sent en kväll i ditt område?",
            "How safe or unsafe would you feel walking alone in your neighbourhood late in the evening?",
        ),
    );
    safe.choices = choices(&[
        ("mycket-trygg", "Mycket trygg", "Very safe"),
        ("ganska-trygg", "Ganska trygg", "Fairly safe"),
        ("ganska-otrygg", "Ganska otrygg", "Fairly unsafe"),
        ("mycket-otrygg", "Mycket otrygg", "Very unsafe"),
        ("gar-inte-ut", "Går aldrig ut ensam sent", "Never go out alone late"),
        ("vet-ej", "Vet ej", "Don't know"),
    ]);
    qs.push(safe);
    let mut worry = Question::new(
        "oro-brott",
        Kind::Single,
        Text::new(
            "I vilken utsträckning oroar du dig för att utsättas för brott?",
            "To what extent do you worry about becoming a victim of crime?",
        ),
    );
    worry.choices = choices(&[
        ("mycket-stor", "I mycket stor utsträckning", "To a very great extent"),
        ("ganska-stor", "I ganska stor utsträckning", "To a fairly great extent"),
        ("ganska-liten", "I ganska liten utsträckning", "To a fairly small extent"),
        ("inte-alls", "Inte alls", "Not at all"),
        ("vet-ej", "Vet ej", "Don't know"),
    ]);
    qs.push(worry);
    let mut victim = Question::new(
        "utsatt-12-man",
        Kind::Multiple,
        Text::new(
            "Har du under de senaste 12 månaderna utsatts för något av följande i ditt område?",
            "In the last 12 months, have you been the victim of any of the following in your neighbourhood?",
        ),
    );
    victim.help = Text::new("Markera alla som stämmer.", "Tick all that apply.");
    victim.choices = choices(&[
        ("inbrott", "Inbrott eller stöld i bostaden", "Burglary or theft from your home"),
        ("cykelstold", "Cykelstöld", "Bicycle theft"),
        ("fordon", "Stöld från eller skadegörelse på fordon", "Theft from or damage to a vehicle"),
        ("hot", "Hot", "Threats"),
        ("vald", "Våld eller misshandel", "Violence or assault"),
        ("trakasserier", "Trakasserier", "Harassment"),
        ("bedrageri", "Bedrägeri", "Fraud"),
        ("nej", "Nej, inget av detta", "No, none of these"),
    ]);
    qs.push(victim);
    for (key, sv, en) in [
        ("fortroende-polisen", "polisens arbete", "the police's work"),
        ("fortroende-kommunen", "kommunens arbete för trygghet", "the municipality's work for safety"),
    ] {
        let mut q = Question::new(
            key,
            Kind::Single,
            Text::new(
                &format!("Hur stort förtroende har du för {sv} i ditt område?"),
                &format!("How much confidence do you have in {en} in your neighbourhood?"),
            ),
        );
        q.choices = choices(&[
            ("mycket-stort", "Mycket stort", "A great deal"),
            ("ganska-stort", "Ganska stort", "Quite a lot"),
            ("ganska-litet", "Ganska litet", "Not very much"),
            ("mycket-litet", "Mycket litet", "Very little"),
            ("vet-ej", "Vet ej", "Don't know"),
        ]);
        qs.push(q);
    }
    let mut avoided = Question::new(
        "avstatt",
        Kind::Multiple,
        Text::new(
            "Har du under de senaste 12 månaderna avstått från något av följande för att du känt dig otrygg?",
            "In the last 12 months, have you refrained from any of the following because you felt unsafe?",
        ),
    );
    avoided.help = Text::new("Markera alla som stämmer.", "Tick all that apply.");
    avoided.choices = choices(&[
        ("ga-ut-kvall", "Att gå ut på kvällen", "Going out in the evening"),
        (
            "viss-vag",
            "Att ta en viss väg eller passera en viss plats",
            "Taking a certain route or passing a certain place",
        ),
        ("kollektivtrafik", "Att åka kollektivt", "Using public transport"),
        ("aktiviteter", "Att gå på aktiviteter eller evenemang", "Going to activities or events"),
        ("nej", "Nej, jag har inte avstått från något", "No, I have not refrained from anything"),
    ]);
    qs.push(avoided);
    let mut years = Question::new(
        "ar-i-omradet",
        Kind::Number,
        Text::new("Hur många år har du bott i ditt område?", "How many years have you lived in your neighbourhood?"),
    );
    years.min = Some(0);
    years.max = Some(110);
    qs.push(years);
    let mut age = Question::new("alder", Kind::Single, Text::new("Hur gammal är du?", "How old are you?"));
    age.role = Some(Role::AgeGroup);
    for (key, sv, en, from, to) in [
        ("16-24", "16–24 år", "16–24 years", 16, Some(24)),
        ("25-44", "25–44 år", "25–44 years", 25, Some(44)),
        ("45-64", "45–64 år", "45–64 years", 45, Some(64)),
        ("65-79", "65–79 år", "65–79 years", 65, Some(79)),
        ("80", "80 år eller äldre", "80 years or older", 80, None),
    ] {
        age.choices.push(Choice {
            key: key.into(),
            text: Text::new(sv, en),
            dont_know: false,
            exclusive: false,
            ages: Some((from, to)),
            sex: None,
        });
    }
    qs.push(age);
    let mut gender = Question::new("kon", Kind::Single, Text::new("Vilket kön har du?", "What is your gender?"));
    gender.role = Some(Role::Gender);
    gender.choices = choices(&[
        ("kvinna", "Kvinna", "Woman"),
        ("man", "Man", "Man"),
        ("annat", "Annat eller vill inte svara", "Other or prefer not to say"),
    ]);
    gender.choices[0].sex = Some(Sex::Woman);
    gender.choices[1].sex = Some(Sex::Man);
    qs.push(gender);
    qs.push(Question::new(
        "delomrade",
        Kind::SubArea,
        Text::new("I vilket område bor du?", "Which area do you live in?"),
    ));
    let mut safer = Question::new(
        "tryggare",
        Kind::FreeText,
        Text::new(
            "Vad skulle få dig att känna dig tryggare i ditt område?",
            "What would make you feel safer in your neighbourhood?",
        ),
    );
    safer.help = Text::new(
        "Skriv inte namn eller annat som kan peka ut någon.",
        "Please do not write names or anything else that could identify someone.",
    );
    qs.push(safer);
    Questionnaire {
        intro: Text::new(
            "Den här enkäten handlar om trygghet och problem i ditt område. Svaren hjälper kommunen och \
             polisen att välja vad de ska arbeta med. Det tar ungefär tio minuter.",
            "This survey is about safety and problems in your neighbourhood. The answers help the \
             municipality and the police choose what to work on. It takes about ten minutes.",
        ),
        questions: qs,
    }
}

/// One respondent's answers, checked against the questionnaire. Keyed by question key.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answers {
    /// Chosen choice keys (one for single-choice questions; for sub-area questions the
    /// sub-area's key).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub choices: BTreeMap<String, Vec<String>>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub numbers: BTreeMap<String, i64>,
    /// Free texts. Stored apart from the other answers, never with them.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub texts: BTreeMap<String, String>,
}

/// A tally key: the question, the choice ("" = the respondent answered the question), and the
/// respondent's sub-area, gender and age-group keys ("" when not given).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct TallyKey {
    pub question: String,
    pub choice: String,
    pub sub_area: String,
    pub gender: String,
    pub age: String,
}

impl Answers {
    pub fn is_empty(&self) -> bool {
        self.choices.is_empty() && self.numbers.is_empty() && self.texts.is_empty()
    }

    fn first(&self, q: Option<&Question>) -> String {
        q.and_then(|q| self.choices.get(&q.key)).and_then(|v| v.first()).cloned().unwrap_or_default()
    }

    /// The counts this respondent adds to: for each answered question one "" row and one row
    /// per choice (or number), all in the respondent's sub-area, gender and age group.
    pub fn tally_keys(&self, q: &Questionnaire) -> Vec<TallyKey> {
        let (sub_area, gender, age) =
            (self.first(q.sub_area()), self.first(q.role(Role::Gender)), self.first(q.role(Role::AgeGroup)));
        let key = |question: &str, choice: String| TallyKey {
            question: question.to_owned(),
            choice,
            sub_area: sub_area.clone(),
            gender: gender.clone(),
            age: age.clone(),
        };
        let mut out = Vec::new();
        for (question, chosen) in &self.choices {
            out.push(key(question, String::new()));
            out.extend(chosen.iter().map(|c| key(question, c.clone())));
        }
        for (question, n) in &self.numbers {
            out.push(key(question, String::new()));
            out.push(key(question, n.to_string()));
        }
        for question in self.texts.keys() {
            out.push(key(question, String::new()));
        }
        out
    }
}

/// A problem with one answer, for the respondent, in the respondent's language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnswerProblem {
    pub question: String,
    pub message: String,
}

fn msg(lang: &str, sv: &str, en: &str) -> String {
    if lang == "en" { en.to_owned() } else { sv.to_owned() }
}

/// Reads a submitted form (`q:<key>` fields; repeated for multiple choice) into [`Answers`],
/// checking every answer against the questionnaire and the municipality's sub-areas. Unknown
/// fields are ignored. Problems come in the respondent's language.
pub fn read_answers(
    q: &Questionnaire,
    sub_areas: &[(String, String)],
    fields: &[(String, String)],
    lang: &str,
) -> Result<Answers, Vec<AnswerProblem>> {
    let mut answers = Answers::default();
    let mut problems = Vec::new();
    for question in &q.questions {
        let name = format!("q:{}", question.key);
        let values: Vec<&str> =
            fields.iter().filter(|(k, _)| *k == name).map(|(_, v)| v.trim()).filter(|v| !v.is_empty()).collect();
        let mut problem = |sv: &str, en: &str| {
            problems.push(AnswerProblem { question: question.key.clone(), message: msg(lang, sv, en) })
        };
        if values.is_empty() {
            if question.required {
                problem("Frågan måste besvaras.", "This question must be answered.");
            }
            continue;
        }
        match question.kind {
            Kind::Single | Kind::SubArea => {
                let known = |v: &str| match question.kind {
                    Kind::SubArea => sub_areas.iter().any(|(k, _)| k == v),
                    _ => question.choice(v).is_some(),
                };
                if values.len() > 1 {
                    problem("Välj bara ett svar.", "Choose only one answer.");
                } else if !known(values[0]) {
                    problem("Svaret finns inte bland alternativen.", "That answer is not one of the choices.");
                } else {
                    answers.choices.insert(question.key.clone(), vec![values[0].to_owned()]);
                }
            }
            Kind::Multiple => {
                let mut chosen: Vec<String> = Vec::new();
                for v in &values {
                    if question.choice(v).is_none() {
                        problem("Ett svar finns inte bland alternativen.", "An answer is not one of the choices.");
                        chosen.clear();
                        break;
                    }
                    if !chosen.iter().any(|c| c == v) {
                        chosen.push((*v).to_owned());
                    }
                }
                let exclusive = chosen.iter().find(|c| question.choice(c).is_some_and(|c| c.exclusive));
                if let (Some(only), true) = (exclusive, chosen.len() > 1) {
                    let text = question.choice(only).map(|c| c.text.get(lang).to_owned()).unwrap_or_default();
                    problem(
                        &format!("”{text}” kan inte väljas tillsammans med andra svar."),
                        &format!("“{text}” cannot be chosen together with other answers."),
                    );
                } else if !chosen.is_empty() {
                    answers.choices.insert(question.key.clone(), chosen);
                }
            }
            Kind::Number => {
                let v = values[0].replace([' ', '\u{a0}'], "");
                let (min, max) = (question.min.unwrap_or(-MAX_NUMBER), question.max.unwrap_or(MAX_NUMBER));
                let digits = !v.is_empty() && v.trim_start_matches(['-', '+']).bytes().all(|b| b.is_ascii_digit());
                match v.parse::<i64>() {
                    Ok(n) if (min..=max).contains(&n) => {
                        answers.numbers.insert(question.key.clone(), n);
                    }
                    Ok(_) => problem(
                        &format!("Skriv ett tal mellan {min} och {max}."),
                        &format!("Enter a number between {min} and {max}."),
                    ),
                    Err(_) if digits => problem(
                        &format!("Skriv ett tal mellan {min} och {max}."),
                        &format!("Enter a number between {min} and {max}."),
                    ),
                    Err(_) => problem("Skriv ett heltal, till exempel 12.", "Enter a whole number, for example 12."),
                }
            }
            Kind::FreeText => {
                let text = values[0];
                if text.chars().count() > MAX_FREE_TEXT {
                    problem(
                        &format!("Svaret får vara högst {MAX_FREE_TEXT} tecken."),
                        &format!("The answer may be at most {MAX_FREE_TEXT} characters."),
                    );
                } else {
                    let clean: String = text.chars().filter(|c| !forbidden_char(*c)).collect();
                    answers.texts.insert(question.key.clone(), clean);
                }
            }
        }
    }
    if problems.is_empty() { Ok(answers) } else { Err(problems) }
}

/// The population a survey's answers are weighted to: people per age-group choice and
/// gender choice (keys of the questionnaire's age and gender questions).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Population {
    /// Where the figures come from, e.g. "SCB, Folkmängd efter region, ålder och kön, 2024".
    pub source: String,
    pub region: String,
    pub year: String,
    pub cells: Vec<PopulationCell>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PopulationCell {
    pub age: String,
    pub gender: String,
    pub count: u64,
}

/// Where a survey stands on a day, from its open and close dates (inclusive).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Not published: no open date yet.
    Draft,
    Upcoming,
    Open,
    Closed,
}

impl Phase {
    pub fn on(opens: Option<time::Date>, closes: Option<time::Date>, today: time::Date) -> Phase {
        match opens {
            None => Phase::Draft,
            Some(o) if today < o => Phase::Upcoming,
            Some(_) if closes.is_some_and(|c| today > c) => Phase::Closed,
            Some(_) => Phase::Open,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Phase::Draft => "Utkast",
            Phase::Upcoming => "Kommande",
            Phase::Open => "Öppen",
            Phase::Closed => "Stängd",
        }
    }
}

/// The alphabet of one-time codes: no 0/O, 1/I/L, so that a code read off a letter is typed right.
const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

/// A one-time code from random bytes (8 characters, shown as two groups of four).
pub fn code_from_bytes(bytes: &[u8; 8]) -> String {
    let chars: String =
        bytes.iter().map(|b| char::from(CODE_ALPHABET[usize::from(*b) % CODE_ALPHABET.len()])).collect();
    format!("{}-{}", &chars[..4], &chars[4..])
}

/// A code as typed by a respondent, normalised (upper case, no spaces or dashes), or `None` when
/// it cannot be one of ours.
pub fn normalize_code(typed: &str) -> Option<String> {
    let code: String = typed.chars().filter(|c| !c.is_whitespace() && *c != '-').flat_map(char::to_uppercase).collect();
    (code.len() == 8 && code.bytes().all(|b| CODE_ALPHABET.contains(&b))).then_some(code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn fields(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn the_template_is_valid_and_translated() {
        let t = safety_survey_template();
        assert_eq!(t.problems(), vec![]);
        assert!(t.questions.len() >= 20);
        for q in &t.questions {
            assert!(!q.text.en.is_empty(), "{}", q.key);
            for c in &q.choices {
                assert!(!c.text.en.is_empty(), "{} {}", q.key, c.key);
            }
        }
        assert!(t.role(Role::AgeGroup).is_some() && t.role(Role::Gender).is_some() && t.sub_area().is_some());
        let kinds: BTreeSet<_> = t.questions.iter().map(|q| q.kind.key()).collect();
        assert_eq!(kinds.len(), Kind::ALL.len(), "the template uses every kind of question");
    }

    #[test]
    fn answers_are_read_and_checked() {
        let t = safety_survey_template();
        let areas = vec![("centrum".to_owned(), "Centrum".to_owned())];
        let ok = read_answers(
            &t,
            &areas,
            &fields(&[
                ("q:problem-klotter", "ganska-stort"),
                ("q:utsatt-12-man", "hot"),
                ("q:utsatt-12-man", "cykelstold"),
                ("q:ar-i-omradet", " 12 "),
                ("q:delomrade", "centrum"),
                ("q:kon", "kvinna"),
                ("q:tryggare", "Mer belysning"),
                ("annat", "x"),
            ]),
            "sv",
        )
        .expect("valid");
        assert_eq!(ok.choices["utsatt-12-man"], vec!["hot", "cykelstold"]);
        assert_eq!(ok.numbers["ar-i-omradet"], 12);
        let keys = ok.tally_keys(&t);
        assert!(keys.iter().all(|k| k.gender == "kvinna" && k.sub_area == "centrum" && k.age.is_empty()));
        assert_eq!(keys.iter().filter(|k| k.question == "utsatt-12-man").count(), 3);

        let bad = read_answers(
            &t,
            &areas,
            &fields(&[("q:problem-klotter", "enorm"), ("q:ar-i-omradet", "tolv"), ("q:delomrade", "okänt")]),
            "en",
        )
        .expect_err("invalid");
        assert_eq!(bad.len(), 3);
        assert_eq!(bad[1].message, "Enter a whole number, for example 12.");

        let e = read_answers(
            &t,
            &areas,
            &fields(&[
                ("q:utsatt-12-man", "nej"),
                ("q:utsatt-12-man", "hot"),
                ("q:ar-i-omradet", "99999999999999999999"),
            ]),
            "sv",
        )
        .expect_err("exclusive choice with another; a number too large");
        assert_eq!(e[0].message, "”Nej, inget av detta” kan inte väljas tillsammans med andra svar.");
        assert_eq!(e[1].message, "Skriv ett tal mellan 0 och 110.");
    }

    #[test]
    fn required_questions_and_structure() {
        let mut t = safety_survey_template();
        t.questions[0].required = true;
        let e = read_answers(&t, &[], &[], "sv").expect_err("required");
        assert_eq!(e[0].message, "Frågan måste besvaras.");
        let mut edited = t.clone();
        edited.questions[0].text.sv = "Ny text".into();
        assert!(t.same_structure(&edited));
        edited.questions[0].choices.pop();
        assert!(!t.same_structure(&edited));
    }

    #[test]
    fn duplicate_choices_are_a_problem() {
        let mut t = safety_survey_template();
        t.questions[0].choices = choices_from_lines("Ja\nJa\nNej", &[]);
        let p = t.problems();
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!(p[0].message, "Svarsalternativet ”Ja” finns två gånger.");
    }

    #[test]
    fn choices_keep_keys_when_lines_are_edited() {
        let existing = choices_from_lines("Ja | Yes\nNej\nVet ej", &[]);
        assert_eq!(existing.iter().map(|c| c.key.as_str()).collect::<Vec<_>>(), ["ja", "nej", "vet-ej"]);
        assert!(existing[2].dont_know);
        let edited = choices_from_lines("Nej | No\nJa | Yes\nJa", &existing);
        assert_eq!(edited.iter().map(|c| c.key.as_str()).collect::<Vec<_>>(), ["nej", "ja", "ja-2"]);
        assert_eq!(choices_to_lines(&edited[..2]), "Nej | No\nJa | Yes");
    }

    #[test]
    fn codes() {
        let code = code_from_bytes(&[0, 1, 2, 3, 250, 251, 252, 253]);
        assert_eq!(code.len(), 9);
        assert_eq!(normalize_code(&code.to_lowercase().replace('-', " ")), Some(code.replace('-', "")));
        assert_eq!(normalize_code("ABCD-EFG0"), None);
        assert_eq!(normalize_code("ABC"), None);
    }

    #[test]
    fn phases() {
        let d = |s: &str| time::Date::parse(s, &time::format_description::well_known::Iso8601::DATE).expect("date");
        let (o, c) = (Some(d("2026-03-01")), Some(d("2026-03-31")));
        assert_eq!(Phase::on(None, c, d("2026-03-10")), Phase::Draft);
        assert_eq!(Phase::on(o, c, d("2026-02-28")), Phase::Upcoming);
        assert_eq!(Phase::on(o, c, d("2026-03-31")), Phase::Open);
        assert_eq!(Phase::on(o, c, d("2026-04-01")), Phase::Closed);
        assert_eq!(Phase::on(o, None, d("2030-01-01")), Phase::Open);
    }

    proptest! {
        #[test]
        fn reading_never_panics_and_keeps_only_known_answers(
            pairs in proptest::collection::vec(("q:[a-z-]{1,20}|q:problem-klotter|q:kon|q:ar-i-omradet", ".{0,12}"), 0..12)
        ) {
            let t = safety_survey_template();
            if let Ok(a) = read_answers(&t, &[], &pairs, "sv") {
                for (q, chosen) in &a.choices {
                    let question = t.question(q).expect("known question");
                    prop_assert!(chosen.iter().all(|c| question.choice(c).is_some()));
                }
            }
        }
    }
}
