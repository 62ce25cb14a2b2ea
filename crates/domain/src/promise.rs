//! The promise document (medborgarlöfte) in its interchange format, and its validation.
//!
//! The same JSON shape is used by the API, `lofte export` and `lofte import`; see
//! `docs/interchange-format.md`.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::Date;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::org::MunicipalityCode;

/// Limits on text sizes (characters). Generous, but bounded so that no field can hold a book.
pub const MAX_NAME: usize = 200;
pub const MAX_ITEM: usize = 2_000;
pub const MAX_PARAGRAPH: usize = 10_000;
pub const MAX_ITEMS: usize = 200;
pub const YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

/// A promise document: what one municipality (or several) and one police area promise.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PromiseDocument {
    /// UUID of the document. Optional on import: a new one is made when it is missing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Uuid>,
    /// The municipalities that are party to the promise (at least one).
    pub municipalities: Vec<MunicipalityRef>,
    /// The local police area (lokalpolisområde) that is party to it.
    pub police_area: PoliceAreaRef,
    /// E.g. "Medborgarlöfte 2024".
    pub title: String,
    pub year: i32,
    #[serde(default)]
    pub period: Period,
    #[serde(default)]
    pub status: Status,
    /// Introduction, one string per paragraph.
    #[serde(default)]
    pub intro: Vec<String>,
    #[serde(default)]
    pub promises: Vec<Promise>,
    #[serde(default)]
    pub themes: Vec<Theme>,
    /// How the work is followed up (uppföljning); paragraphs separated by a blank line.
    #[serde(default)]
    pub follow_up: String,
    /// How the work is communicated (kommunikation).
    #[serde(default)]
    pub communication: String,
    /// When the promise is in force (giltighet).
    #[serde(default)]
    pub validity: String,
    /// SHA-256 (hex) of the canonical content, set when the document is frozen for signing (see
    /// `docs/interchange-format.md`). On import it is checked when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// The signatures that made the document public. On import: signatures on paper.
    #[serde(default)]
    pub signatures: Vec<Signature>,
    /// First day in force (Europe/Stockholm). `null` on a public document means "since before it
    /// was recorded here".
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub valid_from: Option<IsoDate>,
    /// Last day in force, once known (end of period, supersession or withdrawal).
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub valid_to: Option<IsoDate>,
    /// Why a withdrawn promise was taken back (public).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawn_reason: Option<String>,
}

/// Which party a signature is given for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SignatoryParty {
    Municipality,
    PoliceArea,
}

/// How a signature was given.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SignatureMethod {
    /// Signed here by a signatory who confirmed with their password.
    Electronic,
    /// Signed on paper and registered here by an editor.
    Paper,
}

/// A signature on a promise document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Signature {
    pub party: SignatoryParty,
    /// The municipality signed for (its SCB code), when `party` is `municipality`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub municipality_code: Option<String>,
    /// E.g. "Säffle kommun", "Lokalpolisområde Arvika".
    pub organisation: String,
    pub name: String,
    /// E.g. "Kommunstyrelsens ordförande", "Lokalpolisområdeschef".
    pub title: String,
    #[schema(value_type = String, format = Date)]
    pub signed_on: IsoDate,
    /// Time of an electronic signature (RFC 3339, UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_at: Option<String>,
    pub method: SignatureMethod,
    /// Who registered a paper signature.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registered_by: Option<String>,
    /// The content hash the signature was given for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_sha256: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MunicipalityRef {
    /// SCB code, 4 digits.
    pub code: String,
    /// Optional on import; when given it must match the code's name.
    #[serde(default)]
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PoliceAreaRef {
    /// Name without the word "Lokalpolisområde", e.g. "Arvika".
    pub name: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Period {
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub start: Option<IsoDate>,
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub end: Option<IsoDate>,
}

/// The stored state of a document. `ready_for_signing` freezes the content; the last signature
/// makes it `in_force`; a newer promise for the same municipality and police area makes it
/// `superseded`. Whether a public promise is in force *on a given day* follows from its
/// `valid_from`/`valid_to` (see `crate::signing`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    #[default]
    Draft,
    ReadyForSigning,
    InForce,
    Superseded,
    Withdrawn,
}

impl Status {
    pub const ALL: [Status; 5] =
        [Status::Draft, Status::ReadyForSigning, Status::InForce, Status::Superseded, Status::Withdrawn];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::ReadyForSigning => "ready_for_signing",
            Status::InForce => "in_force",
            Status::Superseded => "superseded",
            Status::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// Swedish label: utkast, klar för underskrift, gällande, ersatt, återkallat.
    pub fn label_sv(self) -> &'static str {
        match self {
            Status::Draft => "Utkast",
            Status::ReadyForSigning => "Klar för underskrift",
            Status::InForce => "Gällande",
            Status::Superseded => "Ersatt",
            Status::Withdrawn => "Återkallat",
        }
    }

    /// Whether the public may see a document in this state: once every party has signed.
    pub fn is_public(self) -> bool {
        matches!(self, Status::InForce | Status::Superseded | Status::Withdrawn)
    }
}

/// Who owns a promise or an activity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Party {
    Joint,
    Municipality,
    Police,
    /// A named third party (a housing company, a region, …); `party_name` says who.
    Other,
}

impl Party {
    pub const ALL: [Party; 4] = [Party::Joint, Party::Municipality, Party::Police, Party::Other];

    pub fn as_str(self) -> &'static str {
        match self {
            Party::Joint => "joint",
            Party::Municipality => "municipality",
            Party::Police => "police",
            Party::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Promise {
    pub text: String,
    pub party: Party,
    /// Required when `party` is `other`, absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub party_name: Option<String>,
    #[serde(default)]
    pub focus_areas: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Theme {
    pub name: String,
    #[serde(default)]
    pub activities: Vec<Activity>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Activity {
    pub text: String,
    pub party: Party,
    /// Required when `party` is `other`, absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub party_name: Option<String>,
}

/// A calendar date written `YYYY-MM-DD` in JSON and in the database.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IsoDate(pub Date);

const ISO: &[time::format_description::BorrowedFormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]");

impl IsoDate {
    pub fn parse(s: &str) -> Option<Self> {
        (s.len() == 10).then(|| Date::parse(s, ISO).ok().map(IsoDate)).flatten()
    }
}

impl fmt::Display for IsoDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = (self.0.year(), u8::from(self.0.month()), self.0.day());
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

impl Serialize for IsoDate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for IsoDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        IsoDate::parse(&s).ok_or_else(|| serde::de::Error::custom(format!("ogiltigt datum {s:?}, skriv ÅÅÅÅ-MM-DD")))
    }
}

/// One problem with a document, at a JSON path such as `themes[1].activities[0].party_name`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ValidationError {
    pub path: String,
    /// In Swedish, for people.
    pub message: String,
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// Parses interchange JSON holding one document or an array of documents. Syntax and type
/// errors come back with line, column and path.
pub fn parse_documents(json: &str) -> Result<Vec<PromiseDocument>, ValidationError> {
    // serde would also read a struct written as a positional array; the format has named fields
    // only, so that shape is refused first (a syntax error is left to the typed parse below).
    if let Ok(value) = serde_json::from_str::<serde_json::Value>(json)
        && let Some(path) = positional(&value)
    {
        return Err(ValidationError { path, message: "väntade ett objekt med namngivna fält, inte en lista".into() });
    }
    let many = json.trim_start().starts_with('[');
    let mut de = serde_json::Deserializer::from_str(json);
    let parsed = if many {
        serde_path_to_error::deserialize::<_, Vec<PromiseDocument>>(&mut de)
    } else {
        serde_path_to_error::deserialize::<_, PromiseDocument>(&mut de).map(|d| vec![d])
    };
    let docs = parsed.map_err(|e| {
        let path = e.path().to_string();
        json_error(e.into_inner(), &path)
    })?;
    de.end().map_err(|e| json_error(e, "."))?;
    Ok(docs)
}

/// The first place where an object of the format is written as an array, if any.
fn positional(value: &serde_json::Value) -> Option<String> {
    use serde_json::Value;
    fn object_at(v: Option<&Value>, path: String) -> Option<String> {
        matches!(v, Some(Value::Array(_))).then_some(path)
    }
    fn objects_in(v: Option<&Value>, path: &str, each: impl Fn(&Value, String) -> Option<String>) -> Option<String> {
        let Some(Value::Array(items)) = v else { return None };
        items.iter().enumerate().find_map(|(i, item)| {
            let at = format!("{path}[{i}]");
            if item.is_array() { Some(at) } else { each(item, at) }
        })
    }
    let doc = |d: &Value, prefix: String| -> Option<String> {
        if d.is_array() {
            return Some(if prefix.is_empty() { "dokument".into() } else { prefix });
        }
        let p = |name: &str| if prefix.is_empty() { name.to_owned() } else { format!("{prefix}.{name}") };
        objects_in(d.get("municipalities"), &p("municipalities"), |_, _| None)
            .or_else(|| object_at(d.get("police_area"), p("police_area")))
            .or_else(|| object_at(d.get("period"), p("period")))
            .or_else(|| objects_in(d.get("promises"), &p("promises"), |_, _| None))
            .or_else(|| {
                objects_in(d.get("themes"), &p("themes"), |t, at| {
                    objects_in(t.get("activities"), &format!("{at}.activities"), |_, _| None)
                })
            })
    };
    match value {
        Value::Array(docs) => docs.iter().enumerate().find_map(|(i, d)| doc(d, format!("[{i}]"))),
        other => doc(other, String::new()),
    }
}

/// A serde_json error as a located, Swedish validation error: syntax errors by line and column,
/// data errors by JSON path (and line).
fn json_error(e: serde_json::Error, path: &str) -> ValidationError {
    use serde_json::error::Category;
    let at =
        if e.column() == 0 { format!("rad {}", e.line()) } else { format!("rad {}, kolumn {}", e.line(), e.column()) };
    // serde_json appends " at line L column C"; the location is given separately.
    let text = e.to_string();
    let text = text.rsplit_once(" at line ").map_or(text.as_str(), |(m, _)| m).to_owned();
    match e.classify() {
        Category::Syntax | Category::Eof | Category::Io => {
            let message = if e.classify() == Category::Eof {
                "ogiltig JSON: texten tar slut för tidigt (saknas en avslutande } eller ]?)".to_owned()
            } else {
                format!("ogiltig JSON: {}", serde_message_sv(&text))
            };
            ValidationError { path: at, message }
        }
        Category::Data => {
            let path = if path == "." || path.is_empty() { "dokument".to_owned() } else { path.to_owned() };
            ValidationError { path, message: format!("{} ({at})", serde_message_sv(&text)) }
        }
    }
}

/// serde's messages are English; the common ones are put in Swedish, the rest kept as they are.
pub(crate) fn serde_message_sv(message: &str) -> String {
    const PHRASES: &[(&str, &str)] = &[
        ("expected `:`", "väntade `:`"),
        ("expected `,` or `}`", "väntade `,` eller `}`"),
        ("expected `,` or `]`", "väntade `,` eller `]`"),
        ("expected ident", "okänt ord (menade du null, true eller false?)"),
        ("unexpected end of hex escape", "ofullständig \\u-escape"),
        ("lone leading surrogate in hex escape", "ensamt surrogattecken i \\u-escape"),
        ("floating point ", "decimaltal "),
        ("a formatted UUID string", "ett UUID"),
        ("unit value", "null"),
        ("EOF while parsing", "texten tar slut"),
        ("with ", "med "),
        (" elements", " element"),
        ("invalid type: ", "fel typ: "),
        ("unknown field ", "okänt fält "),
        ("missing field ", "fältet saknas: "),
        ("duplicate field ", "fältet finns två gånger: "),
        ("unknown variant ", "okänt värde "),
        ("invalid value: ", "ogiltigt värde: "),
        ("invalid length ", "fel längd "),
        ("trailing characters", "text efter dokumentets slut"),
        ("trailing comma", "kommatecken för mycket"),
        ("expected value", "ett värde saknas"),
        ("key must be a string", "nyckeln måste vara en text inom citattecken"),
        ("control character (\\u0000-\\u001F) found while parsing a string", "styrtecken i en text"),
        ("invalid escape", "ogiltig escape-sekvens"),
        ("invalid number", "ogiltigt tal"),
        ("number out of range", "talet är för stort"),
        (", expected one of ", ", tillåtna är "),
        (", expected ", ", väntade "),
        ("` or `", "` eller `"),
        (" a value", " ett värde"),
        ("struct PromiseDocument", "ett dokument (objekt)"),
        ("struct ", "ett objekt av typen "),
        ("a string", "en text"),
        ("i32", "ett heltal"),
        ("a sequence", "en lista"),
        ("UUID parsing failed: ", "ogiltigt UUID: "),
    ];
    // The uuid crate's own explanations are English and technical; the verdict is enough.
    if message.contains("UUID parsing failed")
        || message.starts_with("invalid character: ")
        || message.contains("invalid group")
    {
        return "ogiltigt UUID (skriv t.ex. 01935f3a-8c00-7000-8000-000000001785)".into();
    }
    let mut m = PHRASES.iter().fold(message.to_owned(), |m, (en, sv)| m.replace(en, sv));
    for (en, sv) in [
        ("integer ", "heltal "),
        ("string ", "text "),
        ("map", "objekt"),
        ("sequence", "lista"),
        ("boolean ", "sant/falskt "),
    ] {
        m = m.replace(&format!("fel typ: {en}"), &format!("fel typ: {sv}"));
    }
    m
}

impl PromiseDocument {
    /// Trims every text. (Empty items are kept, so that validation reports them at their index.)
    pub fn normalized(mut self) -> Self {
        fn t(s: &mut String) {
            let trimmed = s.trim();
            if trimmed.len() != s.len() {
                *s = trimmed.to_owned();
            }
        }
        fn tn(s: &mut Option<String>) {
            if let Some(v) = s {
                t(v);
            }
        }
        for m in &mut self.municipalities {
            t(&mut m.code);
            t(&mut m.name);
        }
        self.police_area.name = police_area_name(&self.police_area.name);
        t(&mut self.title);
        self.intro.iter_mut().for_each(t);
        for p in &mut self.promises {
            t(&mut p.text);
            tn(&mut p.party_name);
            p.focus_areas.iter_mut().for_each(t);
        }
        for th in &mut self.themes {
            t(&mut th.name);
            for a in &mut th.activities {
                t(&mut a.text);
                tn(&mut a.party_name);
            }
        }
        t(&mut self.follow_up);
        t(&mut self.communication);
        t(&mut self.validity);
        tn(&mut self.withdrawn_reason);
        for s in &mut self.signatures {
            t(&mut s.organisation);
            t(&mut s.name);
            t(&mut s.title);
            tn(&mut s.municipality_code);
        }
        self
    }

    /// Every rule a document must satisfy on its own (that the municipality codes exist is
    /// checked against the reference data by the caller). Returns all problems, not the first.
    pub fn validate(&self) -> Vec<ValidationError> {
        let mut v = Validator::default();
        if self.municipalities.is_empty() {
            v.err("municipalities", "minst en kommun krävs");
        }
        for (i, m) in self.municipalities.iter().enumerate() {
            if MunicipalityCode::parse(&m.code).is_none() {
                v.err(format!("municipalities[{i}].code"), format!("{:?} är ingen kommunkod (fyra siffror)", m.code));
            }
            if self.municipalities[..i].iter().any(|o| o.code == m.code) {
                v.err(format!("municipalities[{i}].code"), format!("kommunen {} finns redan med", m.code));
            }
            v.text(format!("municipalities[{i}].name"), &m.name, MAX_NAME, false);
        }
        v.text("police_area.name", &self.police_area.name, MAX_NAME, true);
        v.text("title", &self.title, MAX_NAME, true);
        if !YEARS.contains(&self.year) {
            v.err("year", format!("året måste ligga mellan {} och {}", YEARS.start(), YEARS.end()));
        }
        if let (Some(start), Some(end)) = (self.period.start, self.period.end)
            && end <= start
        {
            v.err("period.end", "slutdatum måste vara efter startdatum");
        }
        v.count("intro", self.intro.len());
        for (i, p) in self.intro.iter().enumerate() {
            v.text(format!("intro[{i}]"), p, MAX_PARAGRAPH, true);
        }
        v.count("promises", self.promises.len());
        for (i, p) in self.promises.iter().enumerate() {
            let at = format!("promises[{i}]");
            v.text(format!("{at}.text"), &p.text, MAX_ITEM, true);
            v.party(&at, p.party, p.party_name.as_deref());
            v.count(format!("{at}.focus_areas"), p.focus_areas.len());
            for (j, f) in p.focus_areas.iter().enumerate() {
                v.text(format!("{at}.focus_areas[{j}]"), f, MAX_ITEM, true);
            }
        }
        v.count("themes", self.themes.len());
        for (i, th) in self.themes.iter().enumerate() {
            let at = format!("themes[{i}]");
            v.text(format!("{at}.name"), &th.name, MAX_NAME, true);
            v.count(format!("{at}.activities"), th.activities.len());
            for (j, a) in th.activities.iter().enumerate() {
                let at = format!("{at}.activities[{j}]");
                v.text(format!("{at}.text"), &a.text, MAX_ITEM, true);
                v.party(&at, a.party, a.party_name.as_deref());
            }
        }
        v.text("follow_up", &self.follow_up, MAX_PARAGRAPH, false);
        v.text("communication", &self.communication, MAX_PARAGRAPH, false);
        v.text("validity", &self.validity, MAX_PARAGRAPH, false);
        self.validate_record(&mut v);
        v.errors
    }
}

impl PromiseDocument {
    /// Rules for the record fields (status, signatures, validity) of an imported document.
    fn validate_record(&self, v: &mut Validator) {
        let public = self.status.is_public();
        if self.status == Status::ReadyForSigning {
            v.err(
                "status",
                "ett dokument kan inte importeras som \"ready_for_signing\"; importera det som utkast och lås det här",
            );
        }
        if !public {
            if !self.signatures.is_empty() {
                v.err("signatures", "bara ett gällande, ersatt eller återkallat dokument har underskrifter");
            }
            if self.valid_from.is_some() || self.valid_to.is_some() {
                v.err("valid_from", "bara ett gällande, ersatt eller återkallat dokument har giltighetsdatum");
            }
        }
        if let (Some(from), Some(to)) = (self.valid_from, self.valid_to)
            && to < from
        {
            v.err("valid_to", "sista giltighetsdag kan inte ligga före första");
        }
        match (&self.withdrawn_reason, self.status) {
            (None, Status::Withdrawn) => v.err("withdrawn_reason", "ange varför löftet återkallades"),
            (Some(r), Status::Withdrawn) => v.text("withdrawn_reason", r, MAX_ITEM, true),
            (Some(_), _) => v.err("withdrawn_reason", "anges bara för ett återkallat dokument"),
            (None, _) => {}
        }
        if let Some(h) = &self.sha256
            && (h.len() != 64 || !h.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()))
        {
            v.err("sha256", "ska vara 64 hexadecimala tecken (gemener)");
        }
        v.count("signatures", self.signatures.len());
        for (i, s) in self.signatures.iter().enumerate() {
            let at = format!("signatures[{i}]");
            v.text(format!("{at}.organisation"), &s.organisation, MAX_NAME, true);
            v.text(format!("{at}.name"), &s.name, MAX_NAME, true);
            v.text(format!("{at}.title"), &s.title, MAX_NAME, true);
            match (s.party, &s.municipality_code) {
                (SignatoryParty::Municipality, None) => {
                    v.err(format!("{at}.municipality_code"), "ange kommunkoden för en kommuns underskrift")
                }
                (SignatoryParty::Municipality, Some(code)) if !self.municipalities.iter().any(|m| m.code == *code) => {
                    v.err(format!("{at}.municipality_code"), format!("kommun {code} är inte part i dokumentet"))
                }
                (SignatoryParty::PoliceArea, Some(_)) => {
                    v.err(format!("{at}.municipality_code"), "anges bara för en kommuns underskrift")
                }
                _ => {}
            }
            if s.method != SignatureMethod::Paper {
                v.err(format!("{at}.method"), "importerade underskrifter är underskrifter på papper (\"paper\")");
            }
        }
    }
}

/// A police area's name as stored: trimmed and without a leading "Lokalpolisområde" or "LPO"
/// (`Lokalpolisområde Arvika` → `Arvika`), which the pages add themselves.
pub fn police_area_name(name: &str) -> String {
    let trimmed = name.trim();
    let lower = trimmed.to_lowercase();
    for prefix in ["lokalpolisområdet ", "lokalpolisområde ", "lpo "] {
        if lower.starts_with(prefix) {
            // The prefixes are the same length in bytes in either case (ASCII and å/Å both 2).
            return trimmed.get(prefix.len()..).unwrap_or(trimmed).trim().to_owned();
        }
    }
    trimmed.to_owned()
}

/// Characters no text may hold: control characters other than line breaks and tabs, and the
/// bidirectional overrides that make text display differently from what it is.
pub fn forbidden_char(c: char) -> bool {
    (c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
}

/// Characters that show nothing: zero-width spaces and joiners, the byte-order mark, soft
/// hyphens, the Arabic letter mark, line and paragraph separators. Names may not hold them (two
/// names that look the same must be the same); running text may.
pub fn invisible_char(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}' | '\u{061C}' | '\u{2028}' | '\u{2029}')
}

#[derive(Default)]
struct Validator {
    errors: Vec<ValidationError>,
}

impl Validator {
    fn err(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.errors.push(ValidationError { path: path.into(), message: message.into() });
    }

    fn text(&mut self, path: impl Into<String>, s: &str, max: usize, required: bool) {
        let path = path.into();
        if required && s.chars().all(|c| c.is_whitespace() || invisible_char(c)) {
            self.err(path, "får inte vara tom");
        } else if s.chars().count() > max {
            self.err(path, format!("är för lång (högst {max} tecken)"));
        } else if s.chars().any(|c| forbidden_char(c) || (max <= MAX_NAME && (c.is_control() || invisible_char(c)))) {
            let what = if max <= MAX_NAME { "styrtecken, radbrytningar eller osynliga tecken" } else { "styrtecken" };
            self.err(path, format!("innehåller otillåtna {what}"));
        }
    }

    fn count(&mut self, path: impl Into<String>, n: usize) {
        if n > MAX_ITEMS {
            self.err(path, format!("för många delar (högst {MAX_ITEMS})"));
        }
    }

    fn party(&mut self, at: &str, party: Party, name: Option<&str>) {
        match (party, name) {
            (Party::Other, None) => self.err(format!("{at}.party_name"), "ange namnet på den aktör som ansvarar"),
            (Party::Other, Some(n)) => self.text(format!("{at}.party_name"), n, MAX_NAME, true),
            (_, Some(_)) => self.err(
                format!("{at}.party_name"),
                "ett aktörsnamn anges bara när en annan aktör ansvarar (party \"other\")",
            ),
            (_, None) => {}
        }
    }
}

#[cfg(test)]
mod tests;

/// Who owns a group of activities within a theme: a party, or a named other body.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Owner {
    Joint,
    Municipality,
    Police,
    Other(String),
}

impl Theme {
    /// The theme's activities grouped by owner, as the public page shows them: joint first,
    /// then the municipality's, the police's, and other bodies in order of first appearance.
    /// Order within a group is the document order.
    pub fn groups(&self) -> Vec<(Owner, Vec<&Activity>)> {
        let mut groups: Vec<(Owner, Vec<&Activity>)> = Vec::new();
        for a in &self.activities {
            let owner = match a.party {
                Party::Joint => Owner::Joint,
                Party::Municipality => Owner::Municipality,
                Party::Police => Owner::Police,
                Party::Other => Owner::Other(a.party_name.clone().unwrap_or_default()),
            };
            match groups.iter_mut().find(|(o, _)| *o == owner) {
                Some((_, list)) => list.push(a),
                None => groups.push((owner, vec![a])),
            }
        }
        let rank = |o: &Owner| match o {
            Owner::Joint => 0,
            Owner::Municipality => 1,
            Owner::Police => 2,
            Owner::Other(_) => 3,
        };
        groups.sort_by_key(|(o, _)| rank(o));
        groups
    }
}
