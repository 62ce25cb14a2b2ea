//! Staff pages of citizen and employee dialogues: a municipality's year (overview of problems
//! raised, totals, list), recording and editing a dialogue (a failed save comes back with what
//! was typed; a stale one is refused and keeps it), and the municipality's problem vocabulary.
//! Staff of a municipality, or of a police area covering it, read its dialogues; its editors
//! write them (`Staff::can_read`/`can_edit` of the municipality's organisations).

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use lofte_db::promises::Actor;
use lofte_db::{DbError, dialogues, problems};
use lofte_domain::auth::{Org, Role, Staff};
use lofte_domain::dialogue::{DialogueForm, DialogueKind, FieldError, PlaceForm};
use serde::Deserialize;
use std::collections::HashMap;
use uuid::Uuid;

use crate::AppState;
use crate::auth::CurrentStaff;
use crate::error::AppError;

fn page(status: StatusCode, t: &impl Template) -> Result<Response, AppError> {
    Ok((status, Html(t.render()?)).into_response())
}

fn actor(staff: &Staff) -> Actor<'_> {
    Actor { id: Some(&staff.id), name: &staff.name }
}

/// Blank rows for flagged places shown under the filled ones; the button adds this many more.
const BLANK_PLACES: usize = 2;

/// The municipalities whose dialogues this person may read (or write, with `edit`), as (code,
/// name) in Swedish order: their own municipalities and those of their police areas; for
/// administrators all.
pub(crate) async fn municipalities_of(
    state: &AppState,
    staff: &Staff,
    edit: bool,
) -> Result<Vec<(String, String)>, AppError> {
    let all = lofte_db::municipalities::names(&state.db).await?;
    let mut codes: Vec<String> = Vec::new();
    for (org, role) in &staff.memberships {
        if edit && *role != Role::Editor {
            continue;
        }
        match org {
            Org::Municipality(code) => codes.push(code.clone()),
            Org::PoliceArea(id) => {
                if let Some(area) = lofte_db::police_areas::get(&state.db, id).await? {
                    codes.extend(area.municipalities);
                }
            }
        }
    }
    let mut list: Vec<(String, String)> =
        all.into_iter().filter(|(code, _)| staff.is_admin || codes.contains(code)).collect();
    list.sort_by_cached_key(|(_, name)| lofte_domain::sv_sort_key(name));
    Ok(list)
}

/// The municipality's name, or `None` when the code is not one of the 290.
pub(crate) async fn municipality_name(state: &AppState, code: &str) -> Result<Option<String>, AppError> {
    if code.is_empty() || code.len() > 4 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(None);
    }
    Ok(lofte_db::municipalities::find(&state.db, code, crate::views::today()).await?.map(|m| m.name))
}

/// Whether this person may read (or write) the municipality's dialogues.
pub(crate) async fn may(state: &AppState, staff: &Staff, code: &str, edit: bool) -> Result<bool, AppError> {
    let orgs = lofte_db::municipalities::parties(&state.db, code).await?;
    Ok(if edit { staff.can_edit(&orgs) } else { staff.can_read(&orgs) })
}

fn parse_id(id: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(id).map_err(|_| AppError::NotFound)
}

/// A dialogue the person may read (or edit), or 404/403.
async fn authorised(
    state: &AppState,
    staff: &Staff,
    id: &str,
    edit: bool,
) -> Result<dialogues::StoredDialogue, AppError> {
    let id = parse_id(id)?;
    let code = dialogues::municipality_of(&state.db, id).await?.ok_or(AppError::NotFound)?;
    if !may(state, staff, &code, edit).await? {
        return Err(AppError::Forbidden);
    }
    dialogues::get(&state.db, id).await?.ok_or(AppError::NotFound)
}

fn kinds() -> Vec<(&'static str, &'static str)> {
    DialogueKind::ALL.iter().map(|k| (k.as_str(), k.label_sv())).collect()
}

fn this_year() -> i32 {
    crate::views::today().0.year()
}

// ---------------------------------------------------------------------------------------------
// A municipality's year: overview and list.

#[derive(Deserialize, Default)]
pub struct YearParams {
    #[serde(default)]
    kommun: String,
    #[serde(default)]
    ar: String,
}

struct ProblemRow {
    name: String,
    total: i64,
    by_kind: [i64; 5],
    /// Bar length in the chart, in SVG units (of 300).
    bar: i64,
    /// The bar's row in the chart.
    y: i64,
}

struct TotalRow {
    label: &'static str,
    dialogues: i64,
    participants: i64,
    uncounted: i64,
}

struct ListRow {
    id: String,
    held_on: String,
    kind: &'static str,
    place: String,
    participants: String,
    problems: String,
}

#[derive(Template)]
#[template(path = "dialogues.html")]
struct YearPage {
    search_value: String,
    choices: Vec<(String, String)>,
    code: String,
    name: String,
    year: String,
    years: Vec<i32>,
    can_edit: bool,
    kind_labels: Vec<&'static str>,
    problems: Vec<ProblemRow>,
    chart_height: i64,
    totals: Vec<TotalRow>,
    total: TotalRow,
    list: Vec<ListRow>,
    error: Option<String>,
}

fn problem_name(vocabulary: &[problems::Problem], key: &str) -> String {
    vocabulary.iter().find(|p| p.key == key).map_or_else(|| key.to_owned(), |p| p.name.clone())
}

/// `/arbetsyta/dialoger?kommun=1785&ar=2025`: choose a municipality and year; its overview,
/// totals and dialogues.
pub async fn index(
    State(state): State<AppState>,
    CurrentStaff(staff, _): CurrentStaff,
    Query(q): Query<YearParams>,
) -> Result<Response, AppError> {
    let choices = municipalities_of(&state, &staff, false).await?;
    let code = match q.kommun.trim() {
        "" if !staff.is_admin => choices.first().map(|(c, _)| c.clone()).unwrap_or_default(),
        c => c.to_owned(),
    };
    let mut p = YearPage {
        search_value: String::new(),
        choices,
        code: code.clone(),
        name: String::new(),
        year: q.ar.trim().to_owned(),
        years: vec![],
        can_edit: false,
        kind_labels: DialogueKind::ALL.iter().map(|k| k.label_sv()).collect(),
        problems: vec![],
        chart_height: 0,
        totals: vec![],
        total: TotalRow { label: "Totalt", dialogues: 0, participants: 0, uncounted: 0 },
        list: vec![],
        error: None,
    };
    let year = match p.year.as_str() {
        "" => Some(this_year()),
        y => y.parse::<i32>().ok().filter(|y| (1900..=2200).contains(y)),
    };
    let Some(year) = year else {
        p.error = Some("Skriv året med fyra siffror, t.ex. 2025.".into());
        return page(StatusCode::UNPROCESSABLE_ENTITY, &p);
    };
    p.year = year.to_string();
    if code.is_empty() {
        return page(StatusCode::OK, &p);
    }
    let Some(name) = municipality_name(&state, &code).await? else {
        p.error = Some("Välj en kommun i listan.".into());
        return page(StatusCode::UNPROCESSABLE_ENTITY, &p);
    };
    if !may(&state, &staff, &code, false).await? {
        return Err(AppError::Forbidden);
    }
    p.name = name;
    p.can_edit = may(&state, &staff, &code, true).await?;
    p.years = dialogues::years(&state.db, &code).await?;
    let vocabulary = problems::list(&state.db, &code).await?;
    let overview = dialogues::overview(&state.db, &code, year).await?;
    let max = overview.problems.first().map_or(1, |p| p.total.max(1));
    p.problems = overview
        .problems
        .iter()
        .enumerate()
        .map(|(i, c)| ProblemRow {
            name: problem_name(&vocabulary, &c.problem),
            total: c.total,
            by_kind: c.by_kind,
            bar: (c.total * 300 / max).max(2),
            y: i as i64 * 28,
        })
        .collect();
    p.chart_height = p.problems.len() as i64 * 28;
    p.totals = DialogueKind::ALL
        .iter()
        .zip(overview.totals.iter())
        .map(|(k, t)| TotalRow {
            label: k.label_sv(),
            dialogues: t.dialogues,
            participants: t.participants,
            uncounted: t.uncounted,
        })
        .collect();
    p.total = TotalRow {
        label: "Totalt",
        dialogues: overview.dialogues(),
        participants: overview.participants(),
        uncounted: overview.totals.iter().map(|t| t.uncounted).sum(),
    };
    p.list = dialogues::list(&state.db, &code, year)
        .await?
        .into_iter()
        .map(|d| ListRow {
            id: d.id.to_string(),
            held_on: d.held_on,
            kind: d.kind.label_sv(),
            place: d.place,
            participants: d.participants.map(|n| n.to_string()).unwrap_or_else(|| "–".into()),
            problems: d.problems.iter().map(|k| problem_name(&vocabulary, k)).collect::<Vec<_>>().join(", "),
        })
        .collect();
    page(StatusCode::OK, &p)
}

// ---------------------------------------------------------------------------------------------
// The form: new and edit.

/// What a button of the form asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Action {
    Save,
    /// More blank rows for flagged places; nothing is saved.
    MorePlaces,
}

/// Reads the posted fields (`kind`, `problem` once per ticked box, `place0_description`, …).
fn form_from_fields(fields: &[(String, String)]) -> (DialogueForm, Action) {
    let map: HashMap<&str, &str> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let get = |k: &str| map.get(k).map(|v| v.replace("\r\n", "\n")).unwrap_or_default();
    let mut rows: Vec<usize> = map
        .keys()
        .filter_map(|k| k.strip_prefix("place")?.split_once('_')?.0.parse::<usize>().ok())
        .filter(|i| *i < 1000)
        .collect();
    rows.sort_unstable();
    rows.dedup();
    let places = rows
        .into_iter()
        .map(|i| PlaceForm {
            description: get(&format!("place{i}_description")),
            latitude: get(&format!("place{i}_latitude")),
            longitude: get(&format!("place{i}_longitude")),
            problem: get(&format!("place{i}_problem")),
        })
        .collect();
    let form = DialogueForm {
        version: get("version"),
        municipality: get("municipality"),
        kind: get("kind"),
        held_on: get("held_on"),
        place: get("place"),
        latitude: get("latitude"),
        longitude: get("longitude"),
        organisations: get("organisations"),
        participants: get("participants"),
        notes: get("notes"),
        problems: fields.iter().filter(|(k, _)| k == "problem").map(|(_, v)| v.clone()).take(1000).collect(),
        places,
    };
    let action = if map.get("action").copied() == Some("more_places") { Action::MorePlaces } else { Action::Save };
    (form, action)
}

/// The rows shown: the typed ones (so error field names keep pointing at them) and blank ones.
fn with_blank_rows(mut places: Vec<PlaceForm>, extra: usize) -> Vec<PlaceForm> {
    let blank_tail = places.iter().rev().take_while(|p| **p == PlaceForm::default()).count();
    for _ in blank_tail..BLANK_PLACES.max(blank_tail) + extra {
        places.push(PlaceForm::default());
    }
    places
}

#[derive(Template)]
#[template(path = "dialogue_form.html")]
struct FormPage {
    search_value: String,
    /// `None` for a new dialogue.
    id: Option<String>,
    /// Municipalities to choose from (new dialogues); on edit, the one it belongs to.
    choices: Vec<(String, String)>,
    municipality_name: String,
    kinds: Vec<(&'static str, &'static str)>,
    vocabulary: Vec<problems::Problem>,
    form: DialogueForm,
    errors: Vec<FieldError>,
    notice: Option<String>,
    /// A stale save: the version now stored and the fields that differ from it.
    stale: Option<(i64, Vec<&'static str>)>,
}

impl FormPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|e| e.field == field).map(|e| e.message.as_str())
    }

    fn ticked(&self, key: &str) -> bool {
        self.form.problems.iter().any(|k| k == key)
    }

    fn action(&self) -> String {
        match &self.id {
            Some(id) => format!("/arbetsyta/dialoger/{id}/redigera"),
            None => "/arbetsyta/dialoger/ny".into(),
        }
    }
}

fn form_page(form: DialogueForm, id: Option<String>, choices: Vec<(String, String)>) -> FormPage {
    FormPage {
        search_value: String::new(),
        id,
        choices,
        municipality_name: String::new(),
        kinds: kinds(),
        vocabulary: vec![],
        form,
        errors: vec![],
        notice: None,
        stale: None,
    }
}

/// The vocabulary offered: the municipality's (the standard one until a municipality is
/// chosen).
async fn vocabulary(state: &AppState, code: &str) -> Result<Vec<problems::Problem>, AppError> {
    match municipality_name(state, code).await? {
        Some(_) => Ok(problems::list(&state.db, code).await?),
        None => Ok(problems::list(&state.db, "").await?),
    }
}

#[derive(Deserialize, Default)]
pub struct MunicipalityParam {
    #[serde(default)]
    kommun: String,
}

/// `/arbetsyta/dialoger/ny?kommun=1785`: an empty form.
pub async fn new_form(
    State(state): State<AppState>,
    CurrentStaff(staff, _): CurrentStaff,
    Query(q): Query<MunicipalityParam>,
) -> Result<Response, AppError> {
    let choices = municipalities_of(&state, &staff, true).await?;
    let code = match q.kommun.trim() {
        "" => choices.first().map(|(c, _)| c.clone()).unwrap_or_default(),
        c => c.to_owned(),
    };
    let form = DialogueForm {
        municipality: code.clone(),
        held_on: crate::views::today().to_string(),
        places: with_blank_rows(vec![], 0),
        ..DialogueForm::default()
    };
    let mut p = form_page(form, None, choices);
    p.vocabulary = vocabulary(&state, &code).await?;
    page(StatusCode::OK, &p)
}

/// Saves a new dialogue, or shows the form again with what was typed and the errors.
pub async fn create(
    State(state): State<AppState>,
    CurrentStaff(staff, _): CurrentStaff,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let (form, action) = form_from_fields(&fields);
    let code = form.municipality.trim().to_owned();
    let known = municipality_name(&state, &code).await?.is_some();
    if known && !may(&state, &staff, &code, true).await? {
        return Err(AppError::Forbidden);
    }
    let choices = municipalities_of(&state, &staff, true).await?;
    let vocabulary = vocabulary(&state, &code).await?;
    let again = |form: DialogueForm, status: StatusCode, errors: Vec<FieldError>, extra: usize| {
        let form = DialogueForm { places: with_blank_rows(form.places, extra), ..form };
        let mut p = form_page(form, None, choices.clone());
        p.vocabulary = vocabulary.clone();
        p.errors = errors;
        if action == Action::MorePlaces {
            p.notice = Some("Fler rader för platser. Inget är sparat än: tryck Spara när du är klar.".into());
        }
        page(status, &p)
    };
    if action == Action::MorePlaces {
        return again(form, StatusCode::OK, vec![], 3);
    }
    let keys: Vec<&str> = vocabulary.iter().map(|p| p.key.as_str()).collect();
    let mut errors = match form.validate(&keys, crate::views::today()) {
        Ok(d) if known => match dialogues::create(&state.db, &d, actor(&staff)).await {
            Ok(id) => return Ok(Redirect::to(&format!("/arbetsyta/dialoger/{id}")).into_response()),
            Err(DbError::Invalid(errors)) => {
                errors.into_iter().map(|e| FieldError { field: e.path, message: e.message }).collect()
            }
            Err(e) => return Err(e.into()),
        },
        Ok(_) => vec![],
        Err(errors) => errors,
    };
    if !known && !errors.iter().any(|e| e.field == "municipality") {
        errors.insert(0, FieldError { field: "municipality".into(), message: "Välj en kommun i listan.".into() });
    }
    again(form, StatusCode::UNPROCESSABLE_ENTITY, errors, 0)
}

/// `/arbetsyta/dialoger/{id}/redigera`: the form with the stored dialogue.
pub async fn edit_form(
    State(state): State<AppState>,
    CurrentStaff(staff, _): CurrentStaff,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let stored = authorised(&state, &staff, &id, true).await?;
    let mut form = DialogueForm::from_record(&stored.dialogue, stored.version);
    form.places = with_blank_rows(form.places, 0);
    let code = stored.dialogue.municipality_code.clone();
    let name = municipality_name(&state, &code).await?.unwrap_or_default();
    let mut p = form_page(form, Some(stored.id.to_string()), vec![(code.clone(), name.clone())]);
    p.municipality_name = name;
    p.vocabulary = problems::list(&state.db, &code).await?;
    page(StatusCode::OK, &p)
}

/// The labels of the fields in which two forms differ.
fn differences(a: &DialogueForm, b: &DialogueForm) -> Vec<&'static str> {
    let trim_places = |f: &DialogueForm| -> Vec<PlaceForm> {
        f.places.iter().filter(|p| **p != PlaceForm::default()).cloned().collect()
    };
    let mut problems_a = a.problems.clone();
    let mut problems_b = b.problems.clone();
    problems_a.sort();
    problems_b.sort();
    let pairs = [
        (a.kind.trim() != b.kind.trim(), "Typ av dialog"),
        (a.held_on.trim() != b.held_on.trim(), "Datum"),
        (a.place.trim() != b.place.trim(), "Plats"),
        (a.latitude.trim() != b.latitude.trim() || a.longitude.trim() != b.longitude.trim(), "Punkt på kartan"),
        (a.organisations.trim() != b.organisations.trim(), "Organisationer"),
        (a.participants.trim() != b.participants.trim(), "Antal deltagare"),
        (a.notes.trim() != b.notes.trim(), "Anteckningar"),
        (problems_a != problems_b, "Problem som togs upp"),
        (trim_places(a) != trim_places(b), "Platser"),
    ];
    pairs.into_iter().filter(|(differs, _)| *differs).map(|(_, label)| label).collect()
}

/// Saves an edit if the dialogue is still at the version the form was based on. A stale save
/// writes nothing: the form comes back with what was typed, now based on the stored version,
/// and names the fields where the stored dialogue differs.
pub async fn edit(
    State(state): State<AppState>,
    CurrentStaff(staff, _): CurrentStaff,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let stored = authorised(&state, &staff, &id, true).await?;
    let (mut form, action) = form_from_fields(&fields);
    let code = stored.dialogue.municipality_code.clone();
    form.municipality = code.clone();
    let name = municipality_name(&state, &code).await?.unwrap_or_default();
    let vocabulary = problems::list(&state.db, &code).await?;
    let again = |form: DialogueForm, errors: Vec<FieldError>, extra: usize| {
        let form = DialogueForm { places: with_blank_rows(form.places, extra), ..form };
        let mut p = form_page(form, Some(stored.id.to_string()), vec![(code.clone(), name.clone())]);
        p.municipality_name = name.clone();
        p.vocabulary = vocabulary.clone();
        p.errors = errors;
        p
    };
    if action == Action::MorePlaces {
        let mut p = again(form, vec![], 3);
        p.notice = Some("Fler rader för platser. Inget är sparat än: tryck Spara när du är klar.".into());
        return page(StatusCode::OK, &p);
    }
    let Ok(base) = form.version.trim().parse::<i64>() else {
        let form = DialogueForm { version: stored.version.to_string(), ..form };
        let message = "Formuläret saknade versionsuppgift. Kontrollera uppgifterna och spara igen.".to_owned();
        let p = again(form, vec![FieldError { field: "fel".into(), message }], 0);
        return page(StatusCode::UNPROCESSABLE_ENTITY, &p);
    };
    let keys: Vec<&str> = vocabulary.iter().map(|p| p.key.as_str()).collect();
    let d = match form.validate(&keys, crate::views::today()) {
        Ok(d) => d,
        Err(errors) => return page(StatusCode::UNPROCESSABLE_ENTITY, &again(form, errors, 0)),
    };
    if base == stored.version && d == stored.dialogue {
        // Nothing changed: no new version (it would only make colleagues' saves stale).
        return Ok(Redirect::to(&format!("/arbetsyta/dialoger/{}", stored.id)).into_response());
    }
    match dialogues::update(&state.db, stored.id, &d, base, actor(&staff)).await {
        Ok(_) => Ok(Redirect::to(&format!("/arbetsyta/dialoger/{}", stored.id)).into_response()),
        Err(DbError::Invalid(errors)) => {
            let errors = errors.into_iter().map(|e| FieldError { field: e.path, message: e.message }).collect();
            page(StatusCode::UNPROCESSABLE_ENTITY, &again(form, errors, 0))
        }
        Err(DbError::Stale(current)) => {
            let now = dialogues::get(&state.db, stored.id).await?.ok_or(AppError::NotFound)?;
            let theirs = DialogueForm::from_record(&now.dialogue, now.version);
            let changed = differences(&form, &theirs);
            let form = DialogueForm { version: current.to_string(), ..form };
            let mut p = again(form, vec![], 0);
            p.stale = Some((current, changed));
            page(StatusCode::CONFLICT, &p)
        }
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------------------------------------
// One dialogue.

struct PlaceView {
    description: String,
    point: Option<(String, String)>,
    problem: String,
}

#[derive(Template)]
#[template(path = "dialogue.html")]
struct ViewPage {
    search_value: String,
    id: String,
    version: i64,
    kind: &'static str,
    held_on: String,
    year: i32,
    code: String,
    municipality: String,
    place: String,
    /// (text, openstreetmap.org link)
    point: Option<(String, String)>,
    organisations: Vec<String>,
    participants: String,
    notes: String,
    problems: Vec<String>,
    places: Vec<PlaceView>,
    created: String,
    updated: String,
    can_edit: bool,
    error: Option<String>,
}

async fn view_page(
    state: &AppState,
    staff: &Staff,
    stored: dialogues::StoredDialogue,
    status: StatusCode,
    error: Option<String>,
) -> Result<Response, AppError> {
    let d = &stored.dialogue;
    let vocabulary = problems::list(&state.db, &d.municipality_code).await?;
    let municipality = municipality_name(state, &d.municipality_code).await?.unwrap_or_default();
    let p = ViewPage {
        search_value: String::new(),
        id: stored.id.to_string(),
        version: stored.version,
        kind: d.kind.label_sv(),
        held_on: d.held_on.to_string(),
        year: d.held_on.0.year(),
        code: d.municipality_code.clone(),
        municipality,
        place: d.place.clone(),
        point: d.point.map(|p| (p.to_string(), p.osm_url())),
        organisations: d.organisations.clone(),
        participants: d.participants.map(|n| n.to_string()).unwrap_or_else(|| "inte räknat".into()),
        notes: d.notes.clone(),
        problems: d.problems.iter().map(|k| problem_name(&vocabulary, k)).collect(),
        places: d
            .places
            .iter()
            .map(|p| PlaceView {
                description: p.description.clone(),
                point: p.point.map(|pt| (pt.to_string(), pt.osm_url())),
                problem: p.problem.as_deref().map(|k| problem_name(&vocabulary, k)).unwrap_or_default(),
            })
            .collect(),
        created: format!("{} av {}", crate::views::time_label(&stored.created_at), stored.created_by),
        updated: format!(
            "{} av {} (version {})",
            crate::views::time_label(&stored.updated_at),
            stored.updated_by,
            stored.version
        ),
        can_edit: may(state, staff, &d.municipality_code, true).await?,
        error,
    };
    page(status, &p)
}

/// `/arbetsyta/dialoger/{id}`.
pub async fn view(
    State(state): State<AppState>,
    CurrentStaff(staff, _): CurrentStaff,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let stored = authorised(&state, &staff, &id, false).await?;
    view_page(&state, &staff, stored, StatusCode::OK, None).await
}

#[derive(Deserialize, Default)]
pub struct DeleteForm {
    #[serde(default)]
    version: String,
}

/// Deletes the dialogue shown (at the version shown), then back to its year.
pub async fn delete(
    State(state): State<AppState>,
    CurrentStaff(staff, _): CurrentStaff,
    Path(id): Path<String>,
    Form(form): Form<DeleteForm>,
) -> Result<Response, AppError> {
    let stored = authorised(&state, &staff, &id, true).await?;
    let Ok(base) = form.version.trim().parse::<i64>() else {
        let error = Some("Formuläret saknade versionsuppgift. Försök igen.".to_owned());
        return view_page(&state, &staff, stored, StatusCode::UNPROCESSABLE_ENTITY, error).await;
    };
    let back = format!(
        "/arbetsyta/dialoger?kommun={}&ar={}",
        stored.dialogue.municipality_code,
        stored.dialogue.held_on.0.year()
    );
    match dialogues::delete(&state.db, stored.id, base, actor(&staff)).await {
        Ok(()) => Ok(Redirect::to(&back).into_response()),
        Err(DbError::Stale(_)) => {
            let now = dialogues::get(&state.db, stored.id).await?.ok_or(AppError::NotFound)?;
            let error = Some(
                "Någon annan har ändrat dialogen sedan du öppnade sidan, så den togs inte bort. Här är den som den är \
                 nu: ta bort den igen om du fortfarande vill."
                    .to_owned(),
            );
            view_page(&state, &staff, now, StatusCode::CONFLICT, error).await
        }
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------------------------------------
// The problem vocabulary.

#[derive(Template)]
#[template(path = "problems.html")]
struct ProblemsPage {
    search_value: String,
    choices: Vec<(String, String)>,
    code: String,
    name: String,
    vocabulary: Vec<problems::Problem>,
    can_edit: bool,
    new_name: String,
    error: Option<String>,
    notice: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct ProblemsParams {
    #[serde(default)]
    kommun: String,
    /// The key just added (after the redirect).
    #[serde(default)]
    tillagt: String,
}

async fn problems_page(
    state: &AppState,
    staff: &Staff,
    code: &str,
    status: StatusCode,
    new_name: String,
    error: Option<String>,
    notice: Option<String>,
) -> Result<Response, AppError> {
    let choices = municipalities_of(state, staff, false).await?;
    let name = municipality_name(state, code).await?;
    let (vocabulary, can_edit) = match &name {
        Some(_) => {
            if !may(state, staff, code, false).await? {
                return Err(AppError::Forbidden);
            }
            (problems::list(&state.db, code).await?, may(state, staff, code, true).await?)
        }
        None => (problems::list(&state.db, "").await?, false),
    };
    let p = ProblemsPage {
        search_value: String::new(),
        choices,
        code: code.to_owned(),
        name: name.unwrap_or_default(),
        vocabulary,
        can_edit,
        new_name,
        error,
        notice,
    };
    page(status, &p)
}

/// `/arbetsyta/problem?kommun=1785`: the standard problems and the municipality's own.
pub async fn problem_list(
    State(state): State<AppState>,
    CurrentStaff(staff, _): CurrentStaff,
    Query(q): Query<ProblemsParams>,
) -> Result<Response, AppError> {
    let code = match q.kommun.trim() {
        "" if !staff.is_admin => {
            municipalities_of(&state, &staff, false).await?.first().map(|(c, _)| c.clone()).unwrap_or_default()
        }
        c => c.to_owned(),
    };
    let notice = match q.tillagt.trim() {
        "" => None,
        key => {
            let list = problems::list(&state.db, &code).await?;
            list.iter().find(|p| p.key == key).map(|p| format!("”{}” finns nu i listan.", p.name))
        }
    };
    problems_page(&state, &staff, &code, StatusCode::OK, String::new(), None, notice).await
}

#[derive(Deserialize, Default)]
pub struct ProblemForm {
    #[serde(default)]
    municipality: String,
    #[serde(default)]
    name: String,
}

/// Adds a problem to a municipality's vocabulary (its editors).
pub async fn add_problem(
    State(state): State<AppState>,
    CurrentStaff(staff, _): CurrentStaff,
    Form(form): Form<ProblemForm>,
) -> Result<Response, AppError> {
    let code = form.municipality.trim().to_owned();
    if municipality_name(&state, &code).await?.is_none() {
        let error = Some("Välj en kommun i listan först.".to_owned());
        return problems_page(&state, &staff, "", StatusCode::UNPROCESSABLE_ENTITY, form.name, error, None).await;
    }
    if !may(&state, &staff, &code, true).await? {
        return Err(AppError::Forbidden);
    }
    match problems::add_as(&state.db, &code, &form.name, actor(&staff)).await {
        Ok(key) => Ok(Redirect::to(&format!("/arbetsyta/problem?kommun={code}&tillagt={key}")).into_response()),
        Err(DbError::Invalid(errors)) => {
            let error = Some(errors.into_iter().map(|e| e.message).collect::<Vec<_>>().join(" "));
            problems_page(&state, &staff, &code, StatusCode::UNPROCESSABLE_ENTITY, form.name, error, None).await
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owned(fields: &[(&str, &str)]) -> Vec<(String, String)> {
        fields.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn fields_are_read_with_every_ticked_problem_and_place_row() {
        let (form, action) = form_from_fields(&owned(&[
            ("kind", "safety_walk"),
            ("problem", "klotter"),
            ("problem", "narkotika"),
            ("notes", "a\r\nb"),
            ("place3_description", "Tunneln"),
            ("place0_description", ""),
            ("place0_problem", "klotter"),
            ("placebo_x", "ignored"),
            ("action", "more_places"),
        ]));
        assert_eq!(action, Action::MorePlaces);
        assert_eq!(form.problems, ["klotter", "narkotika"]);
        assert_eq!(form.notes, "a\nb");
        assert_eq!(form.places.len(), 2, "rows 0 and 3, gaps closed");
        assert_eq!(form.places[1].description, "Tunneln");
        let (_, action) = form_from_fields(&owned(&[("action", "save")]));
        assert_eq!(action, Action::Save);
    }

    #[test]
    fn blank_rows_are_added_after_the_typed_ones() {
        let typed = PlaceForm { description: "x".into(), ..PlaceForm::default() };
        assert_eq!(with_blank_rows(vec![typed.clone()], 0).len(), 1 + BLANK_PLACES);
        assert_eq!(with_blank_rows(vec![typed.clone(), PlaceForm::default()], 0).len(), 1 + BLANK_PLACES);
        assert_eq!(with_blank_rows(vec![typed], 3).len(), 1 + BLANK_PLACES + 3);
        assert_eq!(with_blank_rows(vec![], 0).len(), BLANK_PLACES);
    }
}
