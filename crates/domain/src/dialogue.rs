//! Records of citizen and employee dialogues (meetings, market presence, safety walks, digital
//! dialogues, employee dialogues) and the overview of which problems they raised. Pure: a
//! [`DialogueForm`] of raw strings, as typed, becomes a [`Dialogue`] or field errors in Swedish;
//! [`Overview::from_rows`] arranges the counts the database grouped.

use std::fmt;

use crate::promise::{IsoDate, forbidden_char, invisible_char};

/// The kinds of dialogue, in the order forms and tables show them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DialogueKind {
    /// Medborgardialog – möte.
    Meeting,
    /// Närvaro på torg eller marknad (torgmöte).
    Market,
    /// Trygghetsvandring: a walk through a neighbourhood, often at night, noting places.
    SafetyWalk,
    /// Digital dialog.
    Digital,
    /// Medarbetardialog: with the municipality's and the police's own staff.
    Employee,
}

impl DialogueKind {
    pub const ALL: [DialogueKind; 5] = [
        DialogueKind::Meeting,
        DialogueKind::Market,
        DialogueKind::SafetyWalk,
        DialogueKind::Digital,
        DialogueKind::Employee,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DialogueKind::Meeting => "meeting",
            DialogueKind::Market => "market",
            DialogueKind::SafetyWalk => "safety_walk",
            DialogueKind::Digital => "digital",
            DialogueKind::Employee => "employee",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label_sv(self) -> &'static str {
        match self {
            DialogueKind::Meeting => "Medborgardialog – möte",
            DialogueKind::Market => "Närvaro på torg eller marknad",
            DialogueKind::SafetyWalk => "Trygghetsvandring",
            DialogueKind::Digital => "Digital dialog",
            DialogueKind::Employee => "Medarbetardialog",
        }
    }

    /// A citizen dialogue (every kind but the employee dialogue).
    pub fn is_citizen(self) -> bool {
        self != DialogueKind::Employee
    }
}

/// A point in WGS84, in millionths of a degree (about 0.1 m): exact, and stored as integers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Point {
    pub lat_e6: i64,
    pub lon_e6: i64,
}

impl Point {
    pub fn new(lat_e6: i64, lon_e6: i64) -> Option<Point> {
        ((-90_000_000..=90_000_000).contains(&lat_e6) && (-180_000_000..=180_000_000).contains(&lon_e6))
            .then_some(Point { lat_e6, lon_e6 })
    }

    pub fn latitude(&self) -> String {
        degrees(self.lat_e6)
    }

    pub fn longitude(&self) -> String {
        degrees(self.lon_e6)
    }

    /// The point on openstreetmap.org, with a marker.
    pub fn osm_url(&self) -> String {
        let (lat, lon) = (self.latitude(), self.longitude());
        format!("https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}")
    }
}

impl fmt::Display for Point {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}, {}", self.latitude(), self.longitude())
    }
}

/// Millionths of a degree as a decimal without trailing zeros: 59379300 → "59.3793".
fn degrees(e6: i64) -> String {
    let sign = if e6 < 0 { "-" } else { "" };
    let (whole, frac) = (e6.unsigned_abs() / 1_000_000, e6.unsigned_abs() % 1_000_000);
    if frac == 0 {
        return format!("{sign}{whole}");
    }
    let frac = format!("{frac:06}");
    format!("{sign}{whole}.{}", frac.trim_end_matches('0'))
}

/// Reads a coordinate in degrees ("59.3793", "59,3793", "-0.5") into millionths, rounding past
/// the sixth decimal. No exponents, no degree signs: what a map service shows when copied.
pub fn parse_degrees(raw: &str) -> Option<i64> {
    let s = raw.trim().replace(',', ".");
    let (negative, digits) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(&s)),
    };
    let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let all_digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || whole.len() > 3 || frac.len() > 15 || !all_digits(whole) || !all_digits(frac) {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let mut micro: i64 = 0;
    for (i, b) in frac.bytes().chain(std::iter::repeat(b'0')).take(7).enumerate() {
        let d = i64::from(b - b'0');
        if i < 6 {
            micro = micro * 10 + d;
        } else if d >= 5 {
            micro += 1;
        }
    }
    let value = whole * 1_000_000 + micro;
    Some(if negative { -value } else { value })
}

/// A place flagged on a safety walk: what was seen, where, and which problem it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlaggedPlace {
    pub description: String,
    pub point: Option<Point>,
    pub problem: Option<String>,
}

/// One dialogue, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dialogue {
    pub municipality_code: String,
    pub kind: DialogueKind,
    pub held_on: IsoDate,
    pub place: String,
    pub point: Option<Point>,
    /// Organisations taking part, in the order given.
    pub organisations: Vec<String>,
    /// `None` when not counted.
    pub participants: Option<i64>,
    pub notes: String,
    /// Keys of the problems raised, in the order of the vocabulary given to `validate`.
    pub problems: Vec<String>,
    /// Only for safety walks.
    pub places: Vec<FlaggedPlace>,
}

/// A flagged place as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PlaceForm {
    pub description: String,
    pub latitude: String,
    pub longitude: String,
    pub problem: String,
}

impl PlaceForm {
    fn is_blank(&self) -> bool {
        [&self.description, &self.latitude, &self.longitude, &self.problem].iter().all(|s| s.trim().is_empty())
    }
}

/// A dialogue as typed into the form: raw strings, so that everything comes back on an error.
/// Field errors name the form fields: `municipality`, `kind`, `held_on`, `place`, `latitude`,
/// `longitude`, `organisations`, `participants`, `notes`, `problems`, and `place{i}_description`,
/// `place{i}_latitude`, `place{i}_longitude`, `place{i}_problem` for the i-th flagged place.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DialogueForm {
    /// The version the edit is based on (empty for a new dialogue).
    pub version: String,
    pub municipality: String,
    pub kind: String,
    pub held_on: String,
    pub place: String,
    pub latitude: String,
    pub longitude: String,
    /// One organisation per line.
    pub organisations: String,
    pub participants: String,
    pub notes: String,
    /// Problem keys ticked.
    pub problems: Vec<String>,
    pub places: Vec<PlaceForm>,
}

/// A field and what is wrong with it, in Swedish.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

pub const MAX_PLACE: usize = 200;
pub const MAX_NOTES: usize = 20_000;
pub const MAX_ORGANISATIONS: usize = 50;
pub const MAX_PLACES: usize = 100;
pub const MAX_PARTICIPANTS: i64 = 1_000_000;

/// A one-line text: trimmed, at most `max` characters, no control or invisible characters.
fn line(raw: &str, max: usize) -> Result<String, String> {
    let s = raw.trim();
    if s.chars().count() > max {
        Err(format!("Högst {max} tecken."))
    } else if s.chars().any(|c| forbidden_char(c) || invisible_char(c) || c == '\n' || c == '\r') {
        Err("Texten innehåller osynliga tecken eller radbrytningar. Skriv den på en rad.".into())
    } else {
        Ok(s.to_owned())
    }
}

impl DialogueForm {
    pub fn from_record(d: &Dialogue, version: i64) -> Self {
        let (lat, lon) = d.point.map(|p| (p.latitude(), p.longitude())).unwrap_or_default();
        DialogueForm {
            version: version.to_string(),
            municipality: d.municipality_code.clone(),
            kind: d.kind.as_str().into(),
            held_on: d.held_on.to_string(),
            place: d.place.clone(),
            latitude: lat,
            longitude: lon,
            organisations: d.organisations.join("\n"),
            participants: d.participants.map(|n| n.to_string()).unwrap_or_default(),
            notes: d.notes.clone(),
            problems: d.problems.clone(),
            places: d
                .places
                .iter()
                .map(|p| {
                    let (latitude, longitude) = p.point.map(|p| (p.latitude(), p.longitude())).unwrap_or_default();
                    PlaceForm {
                        description: p.description.clone(),
                        latitude,
                        longitude,
                        problem: p.problem.clone().unwrap_or_default(),
                    }
                })
                .collect(),
        }
    }

    /// The dialogue, or every problem with the fields. `problems` is the vocabulary of the
    /// municipality (keys, in order); `today` the day in Sweden (a dialogue cannot be recorded
    /// before it is held). Blank rows of flagged places are dropped.
    pub fn validate(&self, problems: &[&str], today: IsoDate) -> Result<Dialogue, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut err = |field: &str, message: String| errors.push(FieldError { field: field.into(), message });

        let municipality_code = self.municipality.trim().to_owned();
        if municipality_code.is_empty() {
            err("municipality", "Välj en kommun.".into());
        }
        let kind = DialogueKind::parse(self.kind.trim());
        if kind.is_none() {
            err("kind", "Välj vilken sorts dialog det var.".into());
        }
        let held_on = match IsoDate::parse(self.held_on.trim()) {
            None => {
                err("held_on", "Skriv datumet som ÅÅÅÅ-MM-DD, t.ex. 2025-03-01.".into());
                None
            }
            Some(d) if d > today => {
                err("held_on", "Datumet har inte varit än: registrera dialogen när den har hållits.".into());
                None
            }
            Some(d) => Some(d),
        };
        let place = match line(&self.place, MAX_PLACE) {
            Ok(p) if p.is_empty() => {
                err("place", "Skriv var dialogen hölls (för en digital dialog: kanalen).".into());
                p
            }
            Ok(p) => p,
            Err(e) => {
                err("place", e);
                String::new()
            }
        };
        let point = read_point(&self.latitude, &self.longitude, "latitude", "longitude", &mut err);
        let mut organisations = Vec::new();
        for raw in self.organisations.lines().filter(|l| !l.trim().is_empty()) {
            match line(raw, MAX_PLACE) {
                Ok(o) if !organisations.contains(&o) => organisations.push(o),
                Ok(_) => {}
                Err(e) => {
                    err("organisations", format!("Organisationen ”{}”: {e}", raw.trim()));
                    break;
                }
            }
        }
        if organisations.len() > MAX_ORGANISATIONS {
            err("organisations", format!("Högst {MAX_ORGANISATIONS} organisationer, en per rad."));
        }
        let participants = match self.participants.trim() {
            "" => None,
            raw => match raw.parse::<i64>() {
                Ok(n) if (0..=MAX_PARTICIPANTS).contains(&n) => Some(n),
                _ => {
                    err("participants", "Skriv antalet deltagare med siffror, t.ex. 25 (eller lämna tomt).".into());
                    None
                }
            },
        };
        let notes = self.notes.replace("\r\n", "\n").trim().to_owned();
        if notes.chars().count() > MAX_NOTES {
            err("notes", format!("Anteckningarna får ha högst {MAX_NOTES} tecken."));
        } else if notes.chars().any(forbidden_char) {
            err("notes", "Anteckningarna innehåller otillåtna kontrolltecken.".into());
        }
        let mut chosen = Vec::new();
        for key in &self.problems {
            if !problems.contains(&key.as_str()) {
                err("problems", format!("Problemet ”{key}” finns inte i kommunens lista. Välj bland dem som visas."));
            }
        }
        for key in problems {
            if self.problems.iter().any(|k| k == key) {
                chosen.push((*key).to_owned());
            }
        }
        let rows: Vec<(usize, &PlaceForm)> = self.places.iter().enumerate().filter(|(_, p)| !p.is_blank()).collect();
        if !rows.is_empty() && kind.is_some_and(|k| k != DialogueKind::SafetyWalk) {
            let (i, _) = rows[0];
            err(
                &format!("place{i}_description"),
                "Platser markeras bara vid trygghetsvandringar. Töm raderna eller välj Trygghetsvandring.".into(),
            );
        }
        if rows.len() > MAX_PLACES {
            err("places", format!("Högst {MAX_PLACES} platser."));
        }
        let mut places = Vec::new();
        for (i, p) in rows {
            let description = match line(&p.description, 500) {
                Ok(d) if d.is_empty() => {
                    err(&format!("place{i}_description"), format!("Beskriv plats {}.", i + 1));
                    d
                }
                Ok(d) => d,
                Err(e) => {
                    err(&format!("place{i}_description"), e);
                    String::new()
                }
            };
            let point = read_point(
                &p.latitude,
                &p.longitude,
                &format!("place{i}_latitude"),
                &format!("place{i}_longitude"),
                &mut err,
            );
            let problem = match p.problem.trim() {
                "" => None,
                key if problems.contains(&key) => Some(key.to_owned()),
                key => {
                    err(&format!("place{i}_problem"), format!("Problemet ”{key}” finns inte i kommunens lista."));
                    None
                }
            };
            places.push(FlaggedPlace { description, point, problem });
        }
        match (kind, held_on, errors.is_empty()) {
            (Some(kind), Some(held_on), true) => Ok(Dialogue {
                municipality_code,
                kind,
                held_on,
                place,
                point,
                organisations,
                participants,
                notes,
                problems: chosen,
                places,
            }),
            _ => Err(errors),
        }
    }
}

/// Both coordinates or neither.
fn read_point(
    lat: &str,
    lon: &str,
    lat_field: &str,
    lon_field: &str,
    err: &mut impl FnMut(&str, String),
) -> Option<Point> {
    match (lat.trim(), lon.trim()) {
        ("", "") => None,
        (a, b) => {
            let la = parse_degrees(a).filter(|v| (-90_000_000..=90_000_000).contains(v));
            let lo = parse_degrees(b).filter(|v| (-180_000_000..=180_000_000).contains(v));
            if la.is_none() {
                err(lat_field, "Latitud i grader, mellan -90 och 90, t.ex. 59.3793 (Säffle).".into());
            }
            if lo.is_none() {
                err(lon_field, "Longitud i grader, mellan -180 och 180, t.ex. 12.9285 (Säffle).".into());
            }
            Point::new(la?, lo?)
        }
    }
}

/// One row of the grouped overview query: a problem, a kind of dialogue, and how many dialogues
/// of that kind raised it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OverviewRow {
    pub problem: String,
    pub kind: DialogueKind,
    pub dialogues: i64,
}

/// A problem in the overview: dialogues that raised it, in all and by kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProblemCount {
    pub problem: String,
    pub total: i64,
    /// In the order of [`DialogueKind::ALL`].
    pub by_kind: [i64; 5],
}

/// Dialogues held and participants counted, per kind.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KindTotal {
    pub dialogues: i64,
    pub participants: i64,
    /// Dialogues whose participants were not counted.
    pub uncounted: i64,
}

/// Which problems came up in a municipality's dialogues of a year, most often raised first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Overview {
    pub problems: Vec<ProblemCount>,
    /// In the order of [`DialogueKind::ALL`].
    pub totals: [KindTotal; 5],
}

fn kind_index(kind: DialogueKind) -> usize {
    DialogueKind::ALL.iter().position(|k| *k == kind).unwrap_or(0)
}

impl Overview {
    /// Arranges grouped rows (any order) and totals per kind into the overview: problems by the
    /// number of dialogues that raised them, most first, ties by key.
    pub fn from_rows(rows: &[OverviewRow], totals: &[(DialogueKind, KindTotal)]) -> Overview {
        let mut problems: Vec<ProblemCount> = Vec::new();
        for r in rows {
            let i = match problems.iter().position(|p| p.problem == r.problem) {
                Some(i) => i,
                None => {
                    problems.push(ProblemCount { problem: r.problem.clone(), total: 0, by_kind: [0; 5] });
                    problems.len() - 1
                }
            };
            problems[i].by_kind[kind_index(r.kind)] += r.dialogues;
            problems[i].total += r.dialogues;
        }
        problems.sort_by(|a, b| b.total.cmp(&a.total).then_with(|| a.problem.cmp(&b.problem)));
        let mut by_kind = [KindTotal::default(); 5];
        for (kind, t) in totals {
            let slot = &mut by_kind[kind_index(*kind)];
            slot.dialogues += t.dialogues;
            slot.participants += t.participants;
            slot.uncounted += t.uncounted;
        }
        Overview { problems, totals: by_kind }
    }

    /// All dialogues of the year.
    pub fn dialogues(&self) -> i64 {
        self.totals.iter().map(|t| t.dialogues).sum()
    }

    pub fn participants(&self) -> i64 {
        self.totals.iter().map(|t| t.participants).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const KEYS: &[&str] = &["nedskrapning", "klotter", "morka-platser", "buskorning"];

    fn today() -> IsoDate {
        IsoDate::parse("2025-06-30").expect("date")
    }

    fn walk() -> DialogueForm {
        DialogueForm {
            version: String::new(),
            municipality: "1785".into(),
            kind: "safety_walk".into(),
            held_on: "2025-03-12".into(),
            place: " Stadsparken och resecentrum ".into(),
            latitude: "59,1325".into(),
            longitude: "12.9285".into(),
            organisations: "Säffle kommun\nPolisen\n\nSäffle kommun\nSäffleBostäder AB".into(),
            participants: "14".into(),
            notes: "Mörkt vid gångtunneln.\r\nKlotter på busskuren.".into(),
            problems: vec!["klotter".into(), "morka-platser".into()],
            places: vec![
                PlaceForm {
                    description: "Gångtunneln under järnvägen".into(),
                    latitude: "59.13".into(),
                    longitude: "12.93".into(),
                    problem: "morka-platser".into(),
                },
                PlaceForm::default(),
            ],
        }
    }

    #[test]
    fn a_safety_walk_is_read() {
        let d = walk().validate(KEYS, today()).expect("valid");
        assert_eq!(d.kind, DialogueKind::SafetyWalk);
        assert_eq!(d.place, "Stadsparken och resecentrum");
        assert_eq!(d.point, Some(Point { lat_e6: 59_132_500, lon_e6: 12_928_500 }));
        assert_eq!(d.organisations, ["Säffle kommun", "Polisen", "SäffleBostäder AB"], "blank and repeated dropped");
        assert_eq!(d.participants, Some(14));
        assert_eq!(d.notes, "Mörkt vid gångtunneln.\nKlotter på busskuren.");
        assert_eq!(d.problems, ["klotter", "morka-platser"]);
        assert_eq!(d.places.len(), 1, "the blank row is dropped");
        assert_eq!(d.places[0].problem.as_deref(), Some("morka-platser"));
        assert_eq!(
            d.point.map(|p| p.osm_url()).as_deref(),
            Some("https://www.openstreetmap.org/?mlat=59.1325&mlon=12.9285#map=17/59.1325/12.9285")
        );
    }

    #[test]
    fn problems_come_in_vocabulary_order() {
        let form = DialogueForm { problems: vec!["buskorning".into(), "nedskrapning".into()], ..walk() };
        assert_eq!(form.validate(KEYS, today()).expect("valid").problems, ["nedskrapning", "buskorning"]);
    }

    fn fields(form: DialogueForm) -> Vec<String> {
        form.validate(KEYS, today()).expect_err("invalid").into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn every_problem_is_reported_on_its_field() {
        let form = DialogueForm {
            municipality: " ".into(),
            kind: "picnic".into(),
            held_on: "2025-02-30".into(),
            place: String::new(),
            latitude: "91".into(),
            longitude: String::new(),
            participants: "många".into(),
            problems: vec!["okand".into()],
            places: vec![PlaceForm { latitude: "59".into(), problem: "x".into(), ..PlaceForm::default() }],
            ..walk()
        };
        assert_eq!(
            fields(form),
            [
                "municipality",
                "kind",
                "held_on",
                "place",
                "latitude",
                "longitude",
                "participants",
                "problems",
                "place0_description",
                "place0_longitude",
                "place0_problem"
            ]
        );
    }

    #[test]
    fn places_belong_to_safety_walks_and_dates_to_the_past() {
        let meeting = DialogueForm { kind: "meeting".into(), ..walk() };
        assert_eq!(fields(meeting), ["place0_description"]);
        let mut blank_rows = DialogueForm { kind: "meeting".into(), ..walk() };
        blank_rows.places = vec![PlaceForm::default(), PlaceForm { description: "  ".into(), ..PlaceForm::default() }];
        assert!(blank_rows.validate(KEYS, today()).is_ok());
        let future = DialogueForm { held_on: "2025-07-01".into(), ..walk() };
        assert_eq!(fields(future), ["held_on"]);
        let control = DialogueForm { place: "Torget\u{7}".into(), ..walk() };
        assert_eq!(fields(control), ["place"]);
    }

    #[test]
    fn degrees_are_read_exactly() {
        assert_eq!(parse_degrees("59.3793"), Some(59_379_300));
        assert_eq!(parse_degrees(" -0,5 "), Some(-500_000));
        assert_eq!(parse_degrees("+12"), Some(12_000_000));
        assert_eq!(parse_degrees("12.00000049"), Some(12_000_000));
        assert_eq!(parse_degrees("12.0000005"), Some(12_000_001), "rounded half up past the sixth decimal");
        for bad in ["", "-", ".5", "1e3", "59°", "1234", "12.3.4", "NaN", "１２"] {
            assert_eq!(parse_degrees(bad), None, "{bad:?}");
        }
        assert_eq!(degrees(-500_000), "-0.5");
        assert_eq!(degrees(59_000_000), "59");
    }

    #[test]
    fn the_overview_counts_and_orders() {
        let row = |problem: &str, kind, dialogues| OverviewRow { problem: problem.into(), kind, dialogues };
        let rows = [
            row("klotter", DialogueKind::Meeting, 1),
            row("narkotika", DialogueKind::SafetyWalk, 2),
            row("klotter", DialogueKind::SafetyWalk, 1),
            row("narkotika", DialogueKind::Employee, 1),
            row("fortkorning", DialogueKind::Market, 2),
        ];
        let t = |dialogues, participants, uncounted| KindTotal { dialogues, participants, uncounted };
        let o = Overview::from_rows(
            &rows,
            &[(DialogueKind::Meeting, t(1, 30, 0)), (DialogueKind::SafetyWalk, t(2, 20, 1))],
        );
        let order: Vec<(&str, i64)> = o.problems.iter().map(|p| (p.problem.as_str(), p.total)).collect();
        assert_eq!(order, [("narkotika", 3), ("fortkorning", 2), ("klotter", 2)]);
        assert_eq!(o.problems[0].by_kind, [0, 0, 2, 0, 1]);
        assert_eq!((o.dialogues(), o.participants()), (3, 50));
        assert_eq!(o.totals[2].uncounted, 1);
    }

    fn form_strategy() -> impl Strategy<Value = DialogueForm> {
        let text = "\\PC{0,30}";
        (
            prop::sample::select(vec!["meeting", "market", "safety_walk", "digital", "employee", "x"]),
            "(19|20)[0-9]{2}-[01][0-9]-[0-3][0-9]",
            text,
            "-?[0-9]{1,3}([.,][0-9]{0,9})?|",
            "-?[0-9]{1,3}([.,][0-9]{0,9})?|",
            "[0-9]{0,8}",
            prop::collection::vec(prop::sample::select(KEYS.to_vec()), 0..4),
            prop::collection::vec(
                (text, "[0-9.]{0,6}", "[0-9.]{0,6}", prop::sample::select(vec!["", "klotter"])),
                0..3,
            ),
        )
            .prop_map(|(kind, date, place, lat, lon, participants, problems, places)| DialogueForm {
                version: "1".into(),
                municipality: "1785".into(),
                kind: kind.into(),
                held_on: date,
                place: place.clone(),
                latitude: lat,
                longitude: lon,
                organisations: format!("{place}\nPolisen"),
                participants,
                notes: place,
                problems: problems.into_iter().map(str::to_owned).collect(),
                places: places
                    .into_iter()
                    .map(|(description, latitude, longitude, problem)| PlaceForm {
                        description,
                        latitude,
                        longitude,
                        problem: problem.into(),
                    })
                    .collect(),
            })
    }

    proptest! {
        /// Whatever is typed, validation answers (never panics); a valid record put back into
        /// the form reads as the same record, and its point lies on the globe.
        #[test]
        fn valid_records_survive_the_form(form in form_strategy()) {
            if let Ok(d) = form.validate(KEYS, today()) {
                let again = DialogueForm::from_record(&d, 1).validate(KEYS, today());
                prop_assert_eq!(again, Ok(d.clone()));
                if let Some(p) = d.point {
                    prop_assert!(p.lat_e6.abs() <= 90_000_000 && p.lon_e6.abs() <= 180_000_000);
                }
                prop_assert!(d.places.is_empty() || d.kind == DialogueKind::SafetyWalk);
            }
        }

        /// Degrees written with six decimals read back exactly.
        #[test]
        fn degrees_round_trip(e6 in -180_000_000i64..=180_000_000) {
            prop_assert_eq!(parse_degrees(&degrees(e6)), Some(e6));
        }

        /// Every dialogue counted under a problem is counted under exactly one kind.
        #[test]
        fn overview_totals_add_up(rows in prop::collection::vec((prop::sample::select(KEYS.to_vec()), 0usize..5, 1i64..50), 0..20)) {
            let rows: Vec<OverviewRow> = rows
                .into_iter()
                .map(|(p, k, n)| OverviewRow { problem: p.into(), kind: DialogueKind::ALL[k], dialogues: n })
                .collect();
            let o = Overview::from_rows(&rows, &[]);
            for p in &o.problems {
                prop_assert_eq!(p.total, p.by_kind.iter().sum::<i64>());
            }
            prop_assert!(o.problems.windows(2).all(|w| w[0].total >= w[1].total));
            prop_assert_eq!(o.problems.iter().map(|p| p.total).sum::<i64>(), rows.iter().map(|r| r.dialogues).sum::<i64>());
        }
    }
}
