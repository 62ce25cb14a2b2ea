//! The staff page for importing a published promise: paste the text or upload the saved page,
//! see what was read beside the text as read (each item with the line it came from, each
//! owner with how it was decided), correct the text or the details and read again, then save
//! it as a draft (to correct further in the editor) or as a historical, published promise with
//! its period. Works without JavaScript; a failed step comes back with everything typed.

use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use lofte_db::promises::Actor;
use lofte_db::{DbError, police_areas, promises, text_import};
use lofte_domain::auth::Org;
use lofte_domain::{IsoDate, Party, PromiseDocument, ValidationError};
use lofte_import::{Format, ImportError, Imported, OwnerBasis};

use crate::AppState;
use crate::auth::CurrentStaff;
use crate::error::AppError;

#[derive(Default)]
pub struct Inputs {
    text: String,
    file_name: String,
    file: Vec<u8>,
    municipality: String,
    police_area: String,
    valid_from: String,
    valid_to: String,
    /// What this page filled in last time (detected, not typed): read again, it is detected
    /// again from the new text.
    filled: [String; 3],
    action: String,
}

pub struct ItemView {
    pub text: String,
    pub line: usize,
    /// "Polisen", "Kommunen", "Gemensam", or the other party's name.
    pub owner: String,
    /// How the owner was decided, and how sure (percent).
    pub basis: String,
    pub confidence: u32,
    pub unsure: bool,
    pub sub: Vec<(String, usize)>,
}

pub struct ThemeView {
    pub name: String,
    pub line: usize,
    pub activities: Vec<ItemView>,
}

pub struct ResultView {
    pub format: &'static str,
    pub truncated: bool,
    /// (line number, text, whether something was read from it).
    pub lines: Vec<(usize, String, bool)>,
    pub warnings: Vec<(usize, String, String)>,
    pub title: String,
    pub year: i32,
    pub period: String,
    pub municipalities: String,
    pub police_area: String,
    pub intro: Vec<(String, usize)>,
    pub promises: Vec<ItemView>,
    pub themes: Vec<ThemeView>,
    /// (heading, text, line) of follow-up, communication and validity.
    pub sections: Vec<(&'static str, String, usize)>,
    pub signatories: Vec<String>,
    pub signed_on: String,
    /// What saving it as historical would do to other promises.
    pub consequences: Vec<String>,
}

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    search_value: String,
    text: String,
    municipality: String,
    police_area: String,
    valid_from: String,
    valid_to: String,
    municipalities: Vec<(String, String)>,
    police_areas: Vec<String>,
    /// (field id, message).
    errors: Vec<(String, String)>,
    /// What the error box says first.
    errors_heading: &'static str,
    result: Option<ResultView>,
    /// The values this page filled in from the text (police area, from, to).
    filled: [String; 3],
}

impl ImportPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|(f, _)| f == field).map(|(_, m)| m.as_str())
    }
}

fn page(status: StatusCode, p: &ImportPage) -> Result<Response, AppError> {
    Ok((status, Html(p.render()?)).into_response())
}

/// The page with what was typed, and the municipalities and police areas to choose from.
fn empty_page(ctx: &lofte_import::Context, inputs: &Inputs) -> ImportPage {
    let mut municipalities: Vec<(String, String)> =
        ctx.municipalities.iter().map(|m| (m.code.clone(), m.name.clone())).collect();
    municipalities.sort_by_key(|(_, name)| lofte_domain::sv_sort_key(name));
    ImportPage {
        search_value: String::new(),
        text: inputs.text.clone(),
        municipality: inputs.municipality.clone(),
        police_area: inputs.police_area.clone(),
        valid_from: inputs.valid_from.clone(),
        valid_to: inputs.valid_to.clone(),
        municipalities,
        police_areas: ctx.police_areas.iter().map(|p| p.name.clone()).collect(),
        errors: vec![],
        errors_heading: "Inget sparades. Rätta det som är markerat:",
        result: None,
        filled: Default::default(),
    }
}

pub async fn form(State(state): State<AppState>, CurrentStaff(_, _): CurrentStaff) -> Result<Response, AppError> {
    let ctx = text_import::context(&state.db, None, None, crate::views::today()).await?;
    page(StatusCode::OK, &empty_page(&ctx, &Inputs::default()))
}

async fn read_inputs(mut form: Multipart) -> Result<Inputs, AppError> {
    let mut inputs = Inputs::default();
    while let Some(field) = form.next_field().await.map_err(|e| AppError::BadRequest(e.body_text()))? {
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field.file_name().unwrap_or_default().to_owned();
        let bytes = field.bytes().await.map_err(|e| AppError::BadRequest(e.body_text()))?;
        let text = || String::from_utf8_lossy(&bytes).replace("\r\n", "\n");
        match name.as_str() {
            "fil" => {
                inputs.file_name = file_name;
                inputs.file = bytes.to_vec();
            }
            "text" => inputs.text = text(),
            "kommun" => inputs.municipality = text().trim().to_owned(),
            "lokalpolisomrade" => inputs.police_area = text().trim().to_owned(),
            "giltig_fran" => inputs.valid_from = text().trim().to_owned(),
            "giltig_till" => inputs.valid_to = text().trim().to_owned(),
            "action" => inputs.action = text(),
            "ifyllt_lpo" => inputs.filled[0] = text().trim().to_owned(),
            "ifyllt_fran" => inputs.filled[1] = text().trim().to_owned(),
            "ifyllt_till" => inputs.filled[2] = text().trim().to_owned(),
            _ => {}
        }
    }
    Ok(inputs)
}

fn owner_label(party: Party, name: Option<&str>) -> String {
    match party {
        Party::Joint => "Gemensam".into(),
        Party::Municipality => "Kommunen".into(),
        Party::Police => "Polisen".into(),
        Party::Other => name.unwrap_or("Annan aktör").to_owned(),
    }
}

fn result_view(got: &Imported) -> ResultView {
    let doc = &got.document;
    let source = |path: &str| got.items.iter().find(|i| i.path == path);
    let line_of = |path: &str| source(path).map(|s| s.line).unwrap_or(0);
    let item = |path: String, text: &str, party: Party, name: Option<&str>, sub: Vec<(String, usize)>| {
        let s = source(&path);
        let basis = s.and_then(|s| s.owner_from).unwrap_or(OwnerBasis::Default);
        ItemView {
            text: text.to_owned(),
            line: s.map(|s| s.line).unwrap_or(0),
            owner: owner_label(party, name),
            basis: basis.label_sv().to_owned(),
            confidence: (basis.confidence() * 100.0).round() as u32,
            unsure: basis.confidence() < 0.7,
            sub,
        }
    };
    let used: std::collections::HashSet<usize> = got.items.iter().map(|i| i.line).collect();
    let period = match (doc.period.start, doc.period.end) {
        (Some(s), Some(e)) => format!("{s} – {e}"),
        (Some(s), None) => format!("från {s}"),
        (None, Some(e)) => format!("till {e}"),
        (None, None) => "ingen angiven".into(),
    };
    let mut sections = Vec::new();
    for (heading, path, text) in [
        ("Uppföljning", "follow_up", &doc.follow_up),
        ("Kommunikation", "communication", &doc.communication),
        ("Giltighet", "validity", &doc.validity),
    ] {
        if !text.is_empty() {
            sections.push((heading, text.clone(), line_of(path)));
        }
    }
    ResultView {
        format: match got.format {
            Format::Text => "text",
            Format::Html => "webbsida",
        },
        truncated: got.truncated,
        lines: got.source_lines.iter().enumerate().map(|(i, l)| (i + 1, l.clone(), used.contains(&(i + 1)))).collect(),
        warnings: got.warnings.iter().map(|w| (w.line, w.message.clone(), w.excerpt.clone())).collect(),
        title: doc.title.clone(),
        year: doc.year,
        period,
        municipalities: doc.municipalities.iter().map(|m| m.name.clone()).collect::<Vec<_>>().join(", "),
        police_area: doc.police_area.name.clone(),
        intro: doc.intro.iter().enumerate().map(|(i, p)| (p.clone(), line_of(&format!("intro[{i}]")))).collect(),
        promises: doc
            .promises
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let focus = p
                    .focus_areas
                    .iter()
                    .enumerate()
                    .map(|(j, f)| (f.clone(), line_of(&format!("promises[{i}].focus_areas[{j}]"))))
                    .collect();
                item(format!("promises[{i}]"), &p.text, p.party, p.party_name.as_deref(), focus)
            })
            .collect(),
        themes: doc
            .themes
            .iter()
            .enumerate()
            .map(|(i, t)| ThemeView {
                name: t.name.clone(),
                line: line_of(&format!("themes[{i}]")),
                activities: t
                    .activities
                    .iter()
                    .enumerate()
                    .map(|(j, a)| {
                        item(format!("themes[{i}].activities[{j}]"), &a.text, a.party, a.party_name.as_deref(), vec![])
                    })
                    .collect(),
            })
            .collect(),
        sections,
        signatories: got.signatories.iter().map(|s| format!("{}, {} ({})", s.name, s.title, s.organisation)).collect(),
        signed_on: got.signed_on.map(|d| d.to_string()).unwrap_or_default(),
        consequences: vec![],
    }
}

fn date_field(value: &str, field: &str, errors: &mut Vec<(String, String)>) -> Option<IsoDate> {
    if value.is_empty() {
        return None;
    }
    let d = IsoDate::parse(value);
    if d.is_none() {
        errors.push((field.into(), format!("\"{value}\" är inget datum; skriv ÅÅÅÅ-MM-DD")));
    }
    d
}

/// Which form field a document problem belongs to (the rest are shown at the text).
fn field_of(e: &ValidationError) -> String {
    if e.path.starts_with("municipalities") {
        "kommun".into()
    } else if e.path.starts_with("police_area") {
        "lokalpolisomrade".into()
    } else if e.path.starts_with("valid_to") {
        "giltig_till".into()
    } else if e.path.starts_with("valid_from") || e.path == "status" {
        "giltig_fran".into()
    } else {
        "text".into()
    }
}

/// A problem in words: "Löfte 2, text: får inte vara tom" rather than `promises[1].text`.
fn describe(e: &ValidationError) -> String {
    let mut parts = Vec::new();
    for seg in e.path.split('.') {
        let (name, index) = match seg.split_once('[') {
            Some((n, i)) => (n, i.trim_end_matches(']').parse::<usize>().ok().map(|i| i + 1)),
            None => (seg, None),
        };
        let word = match name {
            "municipalities" => "Kommun",
            "police_area" => "Lokalpolisområde",
            "name" | "title" if parts.is_empty() => "Titel",
            "year" => "År",
            "period" => "Period",
            "intro" => "Inledningens stycke",
            "promises" => "Löfte",
            "focus_areas" => "fokusområde",
            "themes" => "Tema",
            "activities" => "aktivitet",
            "valid_from" => "Gällde från",
            "valid_to" => "Gällde till och med",
            "signatures" => "Underskrift",
            "follow_up" => "Uppföljning",
            "communication" => "Kommunikation",
            "validity" => "Giltighet",
            "text" | "name" | "code" | "party_name" | "party" | "start" | "end" | "status" => continue,
            other => other,
        };
        parts.push(match index {
            Some(i) => format!("{word} {i}"),
            None => word.to_owned(),
        });
    }
    if parts.is_empty() { e.message.clone() } else { format!("{}: {}", parts.join(", "), e.message) }
}

/// Every button of the page posts here: "Läs in" reads the text (a file wins over the text
/// box, and its text then fills the box for corrections); "Spara som utkast" and "Spara som
/// historiskt löfte" read it again and store it.
pub async fn read(
    State(state): State<AppState>,
    CurrentStaff(staff, _): CurrentStaff,
    form: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, AppError> {
    // A form that is not multipart (a plain form post) has nothing to read: the page says so.
    let mut inputs = match form {
        Ok(form) => read_inputs(form).await?,
        Err(_) => Inputs::default(),
    };
    // Values the page filled in from the last text are not the person's: detect them anew.
    for (value, filled) in
        [&mut inputs.police_area, &mut inputs.valid_from, &mut inputs.valid_to].into_iter().zip(inputs.filled.clone())
    {
        if !filled.is_empty() && *value == filled {
            value.clear();
        }
    }
    let today = crate::views::today();
    let municipality = (!inputs.municipality.is_empty()).then(|| inputs.municipality.clone());
    let police_area = (!inputs.police_area.is_empty()).then(|| inputs.police_area.clone());
    let ctx = text_import::context(&state.db, municipality, police_area, today).await?;
    let mut p = empty_page(&ctx, &inputs);
    let (bytes, format) = if inputs.file.is_empty() {
        let bytes = inputs.text.clone().into_bytes();
        let format = Format::guess(None, &bytes);
        (bytes, format)
    } else {
        let format = Format::guess(Some(&inputs.file_name), &inputs.file);
        (std::mem::take(&mut inputs.file), format)
    };
    if inputs.action != "draft" && inputs.action != "historical" {
        p.errors_heading = "Texten lästes inte:";
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        p.errors.push(("text".into(), "Klistra in texten eller välj en fil.".into()));
        return page(StatusCode::UNPROCESSABLE_ENTITY, &p);
    }
    let got = match lofte_import::import(&bytes, format, &ctx) {
        Ok(g) => g,
        Err(e) => {
            let message = match e {
                ImportError::Empty => "Texten är tom.".to_owned(),
                e => format!("Texten gick inte att läsa: {e}."),
            };
            p.errors.push(("text".into(), message));
            return page(StatusCode::UNPROCESSABLE_ENTITY, &p);
        }
    };
    // The text as read fills the box, so that corrections are made to what was read.
    if format == Format::Html || !inputs.file_name.is_empty() {
        p.text = got.source_lines.join("\n");
    }
    if p.police_area.is_empty() {
        p.police_area = got.document.police_area.name.clone();
        p.filled[0] = p.police_area.clone();
    }
    if p.valid_from.is_empty() && p.valid_to.is_empty() {
        p.valid_from = got.document.period.start.map(|d| d.to_string()).unwrap_or_default();
        p.valid_to = got.document.period.end.map(|d| d.to_string()).unwrap_or_default();
        p.filled[1] = p.valid_from.clone();
        p.filled[2] = p.valid_to.clone();
    }
    let mut errors = Vec::new();
    let from = date_field(&p.valid_from, "giltig_fran", &mut errors);
    let to = date_field(&p.valid_to, "giltig_till", &mut errors);
    let historical = got.historical(from, to, today);
    let mut result = result_view(&got);
    let actor = Actor { id: Some(&staff.id), name: &staff.name };
    match inputs.action.as_str() {
        "draft" | "historical" if errors.is_empty() => {
            let doc = if inputs.action == "draft" { got.document.clone() } else { historical };
            if !may_edit(&state, &staff, &doc).await? {
                // Nothing typed is lost: the page comes back and says why.
                let parties = doc.municipalities.iter().map(|m| m.name.clone()).collect::<Vec<_>>().join(", ");
                let message = format!(
                    "Du är inte redaktör för {} eller lokalpolisområde {} och kan inte spara det här löftet. Välj rätt kommun eller be en redaktör för någon av parterna.",
                    if parties.is_empty() { "kommunen".to_owned() } else { parties },
                    doc.police_area.name
                );
                p.errors = vec![("kommun".into(), message)];
                p.result = Some(result);
                return page(StatusCode::FORBIDDEN, &p);
            }
            let saved = if inputs.action == "draft" {
                lofte_db::drafts::create(&state.db, doc, actor)
                    .await
                    .map(|id| format!("/arbetsyta/lofte/{id}/redigera"))
            } else {
                promises::import_as(&state.db, vec![doc], false, actor)
                    .await
                    .map(|done| done.first().map(|d| format!("/arbetsyta/lofte/{}", d.id)).unwrap_or_default())
            };
            match saved {
                Ok(to) => return Ok(Redirect::to(&to).into_response()),
                Err(DbError::Invalid(problems)) => {
                    errors.extend(problems.iter().map(|e| (field_of(e), describe(e))));
                }
                Err(e) => return Err(e.into()),
            }
        }
        _ => {
            // What saving it as historical would do.
            if errors.is_empty()
                && let Ok(done) = promises::import_as(&state.db, vec![historical], true, actor).await
            {
                result.consequences =
                    done.iter().flat_map(|d| d.superseded.iter().map(|(_, title)| title.clone())).collect();
            }
        }
    }
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    p.errors = errors;
    p.result = Some(result);
    page(status, &p)
}

/// Editors of one of the document's parties (or admins) may store it.
async fn may_edit(
    state: &AppState,
    staff: &lofte_domain::auth::Staff,
    doc: &PromiseDocument,
) -> Result<bool, AppError> {
    let mut orgs: Vec<Org> = doc.municipalities.iter().map(|m| Org::Municipality(m.code.clone())).collect();
    let name = doc.police_area.name.to_lowercase();
    if let Some(area) = police_areas::list(&state.db).await?.into_iter().find(|a| a.name.to_lowercase() == name) {
        orgs.push(Org::PoliceArea(area.id));
    }
    Ok(staff.can_edit(&orgs))
}
