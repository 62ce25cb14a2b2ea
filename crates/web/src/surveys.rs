//! The staff survey pages: the list and a new survey (from the safety-survey template or
//! blank), a survey's settings and questions (saved with a version check; a failed form comes
//! back with what was typed), one question's texts and choices in Swedish and English, one-time
//! codes (a CSV to print on letters), importing answers from another tool's CSV, the anonymous
//! export, results with weighting and comparison, free texts to tag and quote, and a
//! municipality's sub-areas.

use askama::Template;
use axum::Form;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use lofte_db::DbError;
use lofte_db::surveys::{self, Editable, Survey};
use lofte_domain::auth::{Org, Staff};
use lofte_domain::population;
use lofte_domain::survey::csv_import::{self, LineProblem};
use lofte_domain::survey::{
    self as domain, Kind, Phase, Population, PopulationCell, Question, Role, Sex, Text, choices_from_lines,
    choices_to_lines, code_from_bytes, safety_survey_template,
};
use lofte_domain::{IsoDate, ValidationError};
use serde::Deserialize;
use uuid::Uuid;

use crate::AppState;
use crate::auth::CurrentStaff;
use crate::error::AppError;
use crate::survey_public::{ResultsPage, csv_response};
use crate::survey_views::results_view;

/// The problems a municipality's surveys can measure and free texts be tagged with: (key, name).
async fn vocabulary(state: &AppState, code: &str) -> Result<Vec<(String, String)>, AppError> {
    Ok(lofte_db::problems::list(&state.db, code).await?.into_iter().map(|p| (p.key, p.name)).collect())
}

fn render(status: StatusCode, t: &impl Template) -> Result<Response, AppError> {
    Ok((status, Html(t.render()?)).into_response())
}

/// The survey `{survey}` if the member of staff may read it (edit, with `edit`).
async fn survey_for(state: &AppState, staff: &Staff, id: &str, edit: bool) -> Result<Survey, AppError> {
    let id: Uuid = id.parse().map_err(|_| AppError::NotFound)?;
    let s = surveys::get(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let allowed = if edit { staff.can_edit(&s.parties) } else { staff.can_read(&s.parties) };
    if !allowed {
        return Err(AppError::Forbidden);
    }
    Ok(s)
}

// ---------------------------------------------------------------------------------------------
// List and new survey

pub struct SurveyRow {
    pub id: String,
    pub title: String,
    pub municipality: String,
    pub year: i64,
    pub phase: &'static str,
    pub responses: i64,
}

#[derive(Template)]
#[template(path = "survey_list.html")]
struct ListPage {
    search_value: String,
    surveys: Vec<SurveyRow>,
    /// Municipalities the member of staff may create surveys for (code, name).
    municipalities: Vec<(String, String)>,
    errors: Vec<(String, String)>,
    title: String,
    municipality: String,
    year: String,
    blank: bool,
}

/// Every municipality, for admins (who may create surveys for any).
async fn all_municipalities(state: &AppState) -> Result<Vec<(String, String)>, AppError> {
    let mut out = lofte_db::municipalities::names(&state.db).await?;
    out.sort_by_key(|(_, n)| lofte_domain::sv_sort_key(n));
    Ok(out)
}

async fn list_page(state: &AppState, staff: &Staff) -> Result<ListPage, AppError> {
    let today = crate::views::today().0;
    let surveys = surveys::list(&state.db)
        .await?
        .into_iter()
        .filter(|s| staff.can_read(&s.parties))
        .map(|s| SurveyRow {
            id: s.id.to_string(),
            title: s.title,
            municipality: s.municipality_name,
            year: s.year,
            phase: Phase::on(s.opens_on.map(|d| d.0), s.closes_on.map(|d| d.0), today).label(),
            responses: s.responses,
        })
        .collect();
    let municipalities =
        if staff.is_admin { all_municipalities(state).await? } else { staff_municipalities(state, staff).await? };
    Ok(ListPage {
        search_value: String::new(),
        surveys,
        municipalities,
        errors: Vec::new(),
        title: "Trygghetsundersökning".into(),
        municipality: String::new(),
        year: crate::views::today().0.year().to_string(),
        blank: false,
    })
}

/// Municipalities of the editor's own organisations (all 290 are checked only for admins).
async fn staff_municipalities(state: &AppState, staff: &Staff) -> Result<Vec<(String, String)>, AppError> {
    let names = lofte_db::municipalities::names(&state.db).await?;
    let mut codes = Vec::new();
    for (org, role) in &staff.memberships {
        if *role != lofte_domain::auth::Role::Editor {
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
    let mut out: Vec<(String, String)> = names.into_iter().filter(|(c, _)| codes.contains(c)).collect();
    out.sort_by_key(|(_, n)| lofte_domain::sv_sort_key(n));
    Ok(out)
}

pub async fn list(State(state): State<AppState>, CurrentStaff(staff, _): CurrentStaff) -> Result<Response, AppError> {
    render(StatusCode::OK, &list_page(&state, &staff).await?)
}

#[derive(Deserialize)]
pub struct NewSurvey {
    #[serde(default)]
    titel: String,
    #[serde(default)]
    kommun: String,
    #[serde(default)]
    ar: String,
    #[serde(default)]
    tom: Option<String>,
}

pub async fn create(
    State(state): State<AppState>,
    CurrentStaff(staff, _): CurrentStaff,
    Form(f): Form<NewSurvey>,
) -> Result<Response, AppError> {
    let mut page = list_page(&state, &staff).await?;
    page.title = f.titel.clone();
    page.municipality = f.kommun.clone();
    page.year = f.ar.clone();
    page.blank = f.tom.is_some();
    if !page.municipalities.iter().any(|(c, _)| *c == f.kommun) {
        page.errors.push(("kommun".into(), "Välj en kommun som du får skapa enkäter för.".into()));
    }
    let year = f.ar.trim().parse::<i64>().ok();
    if year.is_none() {
        page.errors.push(("ar".into(), "Skriv året med fyra siffror.".into()));
    }
    if !page.errors.is_empty() {
        return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let questionnaire = if f.tom.is_some() { domain::Questionnaire::default() } else { safety_survey_template() };
    let editable = Editable {
        title: f.titel.trim().to_owned(),
        title_en: if f.tom.is_some() { String::new() } else { "Safety survey".into() },
        year: year.unwrap_or_default(),
        questionnaire,
        opens_on: None,
        closes_on: None,
        requires_code: false,
        min_cell: i64::from(domain::DEFAULT_MIN_CELL),
        results_public: false,
    };
    match surveys::create(&state.db, &f.kommun, editable).await {
        Ok(id) => Ok(Redirect::to(&format!("/arbetsyta/enkater/{id}")).into_response()),
        Err(DbError::Invalid(errors)) => {
            page.errors = errors.into_iter().map(|e| (field_of(&e.path).to_owned(), e.message)).collect();
            render(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(e) => Err(e.into()),
    }
}

fn field_of(path: &str) -> &'static str {
    match path {
        "title" => "titel",
        "year" => "ar",
        "opens_on" => "oppnar",
        "closes_on" => "stanger",
        "min_cell" => "minsta",
        "municipality" => "kommun",
        _ => "fel",
    }
}

// ---------------------------------------------------------------------------------------------
// A survey: settings and questions

/// The settings form as typed.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct SettingsForm {
    #[serde(default)]
    titel: String,
    #[serde(default)]
    titel_en: String,
    #[serde(default)]
    ar: String,
    #[serde(default)]
    inledning: String,
    #[serde(default)]
    inledning_en: String,
    #[serde(default)]
    oppnar: String,
    #[serde(default)]
    stanger: String,
    #[serde(default)]
    koder: Option<String>,
    #[serde(default)]
    minsta: String,
    #[serde(default)]
    publicera: Option<String>,
    #[serde(default)]
    version: String,
}

impl SettingsForm {
    fn of(s: &Survey) -> Self {
        SettingsForm {
            titel: s.title.clone(),
            titel_en: s.title_en.clone(),
            ar: s.year.to_string(),
            inledning: s.questionnaire.intro.sv.clone(),
            inledning_en: s.questionnaire.intro.en.clone(),
            oppnar: s.opens_on.map(|d| d.to_string()).unwrap_or_default(),
            stanger: s.closes_on.map(|d| d.to_string()).unwrap_or_default(),
            koder: s.requires_code.then(|| "1".into()),
            minsta: s.min_cell.to_string(),
            publicera: s.results_public.then(|| "1".into()),
            version: s.version.to_string(),
        }
    }
}

pub struct QuestionRow {
    pub key: String,
    pub text: String,
    pub kind: &'static str,
    pub translated: bool,
    pub required: bool,
}

#[derive(Template)]
#[template(path = "survey_edit.html")]
struct EditPage {
    search_value: String,
    id: String,
    title: String,
    municipality: String,
    municipality_code: String,
    phase: &'static str,
    public_url: String,
    responses: i64,
    form: SettingsForm,
    version: i64,
    questions: Vec<QuestionRow>,
    kinds: Vec<(&'static str, &'static str)>,
    locked: bool,
    can_edit: bool,
    codes: (i64, i64),
    errors: Vec<(String, String)>,
    new_kind: String,
    new_text: String,
    new_text_en: String,
}

impl EditPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|(f, _)| f == field).map(|(_, m)| m.as_str())
    }
}

async fn edit_page(state: &AppState, staff: &Staff, s: &Survey, form: SettingsForm) -> Result<EditPage, AppError> {
    let today = crate::views::today().0;
    Ok(EditPage {
        search_value: String::new(),
        id: s.id.to_string(),
        title: s.title.clone(),
        municipality: s.municipality_name.clone(),
        municipality_code: s.municipality_code.clone(),
        phase: Phase::on(s.opens_on.map(|d| d.0), s.closes_on.map(|d| d.0), today).label(),
        public_url: format!("{}/enkat/{}", state.public_url.trim_end_matches('/'), s.id),
        responses: s.responses,
        form,
        version: s.version,
        questions: s
            .questionnaire
            .questions
            .iter()
            .map(|q| QuestionRow {
                key: q.key.clone(),
                text: q.text.sv.clone(),
                kind: q.kind.label(),
                translated: !q.text.en.trim().is_empty(),
                required: q.required,
            })
            .collect(),
        kinds: Kind::ALL.iter().map(|k| (k.key(), k.label())).collect(),
        locked: s.responses > 0,
        can_edit: staff.can_edit(&s.parties),
        codes: surveys::code_counts(&state.db, s.id).await?,
        errors: Vec::new(),
        new_kind: "single".into(),
        new_text: String::new(),
        new_text_en: String::new(),
    })
}

pub async fn overview(
    State(state): State<AppState>,
    CurrentStaff(staff, _): CurrentStaff,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let s = survey_for(&state, &staff, &id, false).await?;
    let page = edit_page(&state, &staff, &s, SettingsForm::of(&s)).await?;
    render(StatusCode::OK, &page)
}

fn parse_day(field: &str, value: &str, errors: &mut Vec<(String, String)>) -> Option<IsoDate> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    let day = IsoDate::parse(value);
    if day.is_none() {
        errors.push((field.into(), format!("{value:?} är inte ett datum (ÅÅÅÅ-MM-DD).")));
    }
    day
}

/// What a failed save says, per field.
fn db_errors(errors: Vec<ValidationError>) -> Vec<(String, String)> {
    errors.into_iter().map(|e| (field_of(&e.path).to_owned(), e.message)).collect()
}

const STALE: &str = "Någon annan har sparat enkäten sedan du öppnade sidan. Det du skrev finns kvar nedan: \
                     öppna enkäten i en annan flik för att se deras ändringar. Sparar du igen ersätter du dem \
                     med det som står här.";

pub async fn save_settings(
    State(state): State<AppState>,
    CurrentStaff(staff, _): CurrentStaff,
    Path(id): Path<String>,
    Form(f): Form<SettingsForm>,
) -> Result<Response, AppError> {
    let s = survey_for(&state, &staff, &id, true).await?;
    let mut errors = Vec::new();
    let year =
        f.ar.trim().parse::<i64>().map_err(|_| errors.push(("ar".into(), "Skriv året med fyra siffror.".into()))).ok();
    let min_cell = f
        .minsta
        .trim()
        .parse::<i64>()
        .map_err(|_| errors.push(("minsta".into(), "Skriv ett heltal, till exempel 5.".into())))
        .ok();
    let opens_on = parse_day("oppnar", &f.oppnar, &mut errors);
    let closes_on = parse_day("stanger", &f.stanger, &mut errors);
    let version = f.version.trim().parse::<i64>().unwrap_or(-1);
    let mut questionnaire = s.questionnaire.clone();
    questionnaire.intro = Text { sv: f.inledning.replace("\r\n", "\n"), en: f.inledning_en.replace("\r\n", "\n") };
    let mut page = edit_page(&state, &staff, &s, f.clone()).await?;
    if !errors.is_empty() {
        page.errors = errors;
        return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let editable = Editable {
        title: f.titel.clone(),
        title_en: f.titel_en.clone(),
        year: year.unwrap_or_default(),
        questionnaire,
        opens_on,
        closes_on,
        requires_code: f.koder.is_some(),
        min_cell: min_cell.unwrap_or_default(),
        results_public: f.publicera.is_some(),
    };
    match surveys::save(&state.db, s.id, version, editable).await {
        Ok(_) => Ok(Redirect::to(&format!("/arbetsyta/enkater/{}", s.id)).into_response()),
        Err(DbError::Invalid(e)) => {
            page.errors = db_errors(e);
            render(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(DbError::Stale(current)) => {
            // The form now carries the current version: saving again replaces the other save.
            page.form.version = current.to_string();
            page.version = current;
            page.errors = vec![("fel".into(), STALE.into())];
            render(StatusCode::CONFLICT, &page)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
pub struct QuestionsForm {
    #[serde(default)]
    atgard: String,
    #[serde(default)]
    typ: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    text_en: String,
    #[serde(default)]
    version: String,
}

/// Adds a question, or moves or removes one (`atgard` = `ny`, `upp:KEY`, `ned:KEY`, `bort:KEY`).
pub async fn change_questions(
    State(state): State<AppState>,
    CurrentStaff(staff, _): CurrentStaff,
    Path(id): Path<String>,
    Form(f): Form<QuestionsForm>,
) -> Result<Response, AppError> {
    let s = survey_for(&state, &staff, &id, true).await?;
    let mut e = s.editable();
    let q = &mut e.questionnaire.questions;
    let mut page = edit_page(&state, &staff, &s, SettingsForm::of(&s)).await?;
    page.new_kind = f.typ.clone();
    page.new_text = f.text.clone();
    page.new_text_en = f.text_en.clone();
    let (action, key) = f.atgard.split_once(':').unwrap_or((f.atgard.as_str(), ""));
    let index = q.iter().position(|q| q.key == key);
    let mut new_key = None;
    match (action, index) {
        ("ny", _) => {
            let Some(kind) = Kind::from_key(&f.typ) else {
                page.errors.push(("ny-typ".into(), "Välj vilken sorts fråga.".into()));
                return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
            };
            if f.text.trim().is_empty() {
                page.errors.push(("ny-text".into(), "Skriv frågan.".into()));
                return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
            }
            let key = e.questionnaire.new_key(&f.text);
            let mut question = Question::new(&key, kind, Text::new(f.text.trim(), f.text_en.trim()));
            if kind.has_choices() {
                question.choices = choices_from_lines("Ja | Yes\nNej | No\nVet ej | Don't know", &[]);
            }
            e.questionnaire.questions.push(question);
            new_key = Some(key);
        }
        ("upp", Some(i)) if i > 0 => q.swap(i, i - 1),
        ("ned", Some(i)) if i + 1 < q.len() => q.swap(i, i + 1),
        ("bort", Some(i)) => {
            q.remove(i);
        }
        ("upp" | "ned", Some(_)) => {}
        _ => {
            page.errors.push(("fragor".into(), "Frågan finns inte längre: ladda om sidan.".into()));
            return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    }
    let version = f.version.trim().parse::<i64>().unwrap_or(-1);
    match surveys::save(&state.db, s.id, version, e).await {
        Ok(_) => Ok(Redirect::to(&match new_key {
            Some(k) => format!("/arbetsyta/enkater/{}/fragor/{k}", s.id),
            None => format!("/arbetsyta/enkater/{}#fragor", s.id),
        })
        .into_response()),
        Err(DbError::Invalid(errors)) => {
            page.errors = errors.into_iter().map(|e| ("fragor".to_owned(), e.message)).collect();
            render(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(DbError::Stale(_)) => {
            page.errors = vec![("fel".into(), STALE.into())];
            render(StatusCode::CONFLICT, &page)
        }
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------------------------------------
// One question

#[derive(Clone, Debug, Default, Deserialize)]
pub struct QuestionForm {
    #[serde(default)]
    text: String,
    #[serde(default)]
    text_en: String,
    #[serde(default)]
    hjalp: String,
    #[serde(default)]
    hjalp_en: String,
    #[serde(default)]
    obligatorisk: Option<String>,
    #[serde(default)]
    alternativ: String,
    #[serde(default)]
    lagst: String,
    #[serde(default)]
    hogst: String,
    #[serde(default)]
    roll: String,
    #[serde(default)]
    problem: String,
    #[serde(default)]
    version: String,
}

impl QuestionForm {
    fn of(q: &Question, version: i64) -> Self {
        QuestionForm {
            text: q.text.sv.clone(),
            text_en: q.text.en.clone(),
            hjalp: q.help.sv.clone(),
            hjalp_en: q.help.en.clone(),
            obligatorisk: q.required.then(|| "1".into()),
            alternativ: choices_to_lines(&q.choices),
            lagst: q.min.map(|m| m.to_string()).unwrap_or_default(),
            hogst: q.max.map(|m| m.to_string()).unwrap_or_default(),
            roll: match q.role {
                Some(Role::AgeGroup) => "alder".into(),
                Some(Role::Gender) => "kon".into(),
                None => String::new(),
            },
            problem: q.problem.clone().unwrap_or_default(),
            version: version.to_string(),
        }
    }
}

#[derive(Template)]
#[template(path = "survey_question.html")]
struct QuestionPage {
    search_value: String,
    id: String,
    survey_title: String,
    key: String,
    kind: Kind,
    kind_label: &'static str,
    form: QuestionForm,
    problems: Vec<(String, String)>,
    locked: bool,
    errors: Vec<(String, String)>,
}

impl QuestionPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|(f, _)| f == field).map(|(_, m)| m.as_str())
    }
}

fn question_page(s: &Survey, q: &Question, form: QuestionForm, problems: Vec<(String, String)>) -> QuestionPage {
    QuestionPage {
        search_value: String::new(),
        id: s.id.to_string(),
        survey_title: s.title.clone(),
        key: q.key.clone(),
        kind: q.kind,
        kind_label: q.kind.label(),
        form,
        problems,
        locked: s.responses > 0,
        errors: Vec::new(),
    }
}

pub async fn question_form(
    State(state): State<AppState>,
    CurrentStaff(staff, _): CurrentStaff,
    Path((id, key)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let s = survey_for(&state, &staff, &id, true).await?;
    let q = s.questionnaire.question(&key).ok_or(AppError::NotFound)?;
    render(
        StatusCode::OK,
        &question_page(&s, q, QuestionForm::of(q, s.version), vocabulary(&state, &s.municipality_code).await?),
    )
}

fn number(field: &str, value: &str, errors: &mut Vec<(String, String)>) -> Option<i64> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    let n = value.parse::<i64>().ok();
    if n.is_none() {
        errors.push((field.into(), format!("{value:?} är inte ett heltal.")));
    }
    n
}

/// The age range an age-group choice's Swedish text names: "16–24 år", "80 år eller äldre".
pub fn ages_from_label(label: &str) -> Option<(u32, Option<u32>)> {
    let numbers: Vec<u32> =
        label.split(|c: char| !c.is_ascii_digit()).filter(|p| !p.is_empty()).filter_map(|p| p.parse().ok()).collect();
    let lower = label.to_lowercase();
    match numbers.as_slice() {
        [from, to] if from <= to => Some((*from, Some(*to))),
        [from] if lower.contains("äldre") || lower.contains('+') || lower.contains("över") => Some((*from, None)),
        _ => None,
    }
}

pub async fn save_question(
    State(state): State<AppState>,
    CurrentStaff(staff, _): CurrentStaff,
    Path((id, key)): Path<(String, String)>,
    Form(f): Form<QuestionForm>,
) -> Result<Response, AppError> {
    let s = survey_for(&state, &staff, &id, true).await?;
    let old = s.questionnaire.question(&key).ok_or(AppError::NotFound)?.clone();
    let problems = vocabulary(&state, &s.municipality_code).await?;
    let mut page = question_page(&s, &old, f.clone(), problems.clone());
    let mut errors = Vec::new();
    let mut q = old.clone();
    q.text = Text::new(f.text.trim(), f.text_en.trim());
    q.help = Text::new(f.hjalp.trim(), f.hjalp_en.trim());
    q.required = f.obligatorisk.is_some();
    q.min = number("lagst", &f.lagst, &mut errors);
    q.max = number("hogst", &f.hogst, &mut errors);
    q.problem = problems.iter().find(|(k, _)| *k == f.problem).map(|(k, _)| k.clone());
    q.role = match (q.kind, f.roll.as_str()) {
        (Kind::Single, "alder") => Some(Role::AgeGroup),
        (Kind::Single, "kon") => Some(Role::Gender),
        _ => None,
    };
    if q.kind.has_choices() {
        q.choices = choices_from_lines(&f.alternativ, &old.choices);
        // Once answered, the choices are the same ones in the same order: a changed text keeps
        // the key of the choice in its place.
        if s.responses > 0 && q.choices.len() == old.choices.len() {
            for (new, before) in q.choices.iter_mut().zip(&old.choices) {
                new.key.clone_from(&before.key);
            }
        }
        for c in &mut q.choices {
            c.ages = if q.role == Some(Role::AgeGroup) { ages_from_label(&c.text.sv) } else { None };
            c.sex = match (q.role, c.key.as_str()) {
                (Some(Role::Gender), "kvinna") => Some(Sex::Woman),
                (Some(Role::Gender), "man") => Some(Sex::Man),
                _ => None,
            };
            if q.role == Some(Role::AgeGroup) && c.ages.is_none() {
                errors.push((
                    "alternativ".into(),
                    format!("Åldersgruppen {:?} säger inte vilka åldrar den gäller, skriv t.ex. ”16–24 år” eller ”80 år eller äldre”.", c.text.sv),
                ));
            }
        }
    }
    if !errors.is_empty() {
        page.errors = errors;
        return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let mut e = s.editable();
    if let Some(slot) = e.questionnaire.questions.iter_mut().find(|x| x.key == key) {
        *slot = q;
    }
    let version = f.version.trim().parse::<i64>().unwrap_or(-1);
    match surveys::save(&state.db, s.id, version, e).await {
        Ok(_) => Ok(Redirect::to(&format!("/arbetsyta/enkater/{}#fragor", s.id)).into_response()),
        Err(DbError::Invalid(errors)) => {
            page.errors = errors
                .into_iter()
                .map(|e| (if e.message.contains("alternativ") { "alternativ" } else { "text" }.to_owned(), e.message))
                .collect();
            render(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(DbError::Stale(current)) => {
            page.form.version = current.to_string();
            page.errors = vec![("text".into(), STALE.into())];
            render(StatusCode::CONFLICT, &page)
        }
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------------------------------------
// One-time codes, import and export of answers

#[derive(Deserialize, Default)]
pub struct CodesForm {
    #[serde(default)]
    antal: String,
}

/// Most codes made at once.
const MAX_CODES: usize = 20_000;

/// Makes `antal` new codes and answers with them as a CSV to print on letters. Only their
/// hashes are kept: this is the one time they can be seen.
pub async fn make_codes(
    State(state): State<AppState>,
    CurrentStaff(staff, _): CurrentStaff,
    Path(id): Path<String>,
    Form(f): Form<CodesForm>,
) -> Result<Response, AppError> {
    let s = survey_for(&state, &staff, &id, true).await?;
    let n = f.antal.trim().parse::<usize>().ok().filter(|n| (1..=MAX_CODES).contains(n));
    let Some(n) = n else {
        let mut page = edit_page(&state, &staff, &s, SettingsForm::of(&s)).await?;
        page.errors = vec![("antal".into(), format!("Skriv hur många koder, från 1 till {MAX_CODES}."))];
        return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    let mut codes = Vec::with_capacity(n);
    while codes.len() < n {
        let bytes: [u8; 8] = rand::random();
        let code = code_from_bytes(&bytes);
        if !codes.contains(&code) {
            codes.push(code);
        }
    }
    let normalised: Vec<String> = codes.iter().map(|c| c.replace('-', "")).collect();
    surveys::add_codes(&state.db, s.id, &normalised).await?;
    let mut w = csv::WriterBuilder::new().delimiter(b';').from_writer(Vec::new());
    let link = format!("{}/enkat/{}", state.public_url.trim_end_matches('/'), s.id);
    let write = |w: &mut csv::Writer<Vec<u8>>| -> Result<(), csv::Error> {
        w.write_record(["kod", "adress"])?;
        for c in &codes {
            w.write_record([c.as_str(), link.as_str()])?;
        }
        Ok(())
    };
    write(&mut w).map_err(|e| AppError::Internal(e.to_string()))?;
    let bytes = w.into_inner().map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(csv_response(bytes, &format!("koder-{}.csv", s.id)))
}

/// The anonymous answers as CSV (no free text).
pub async fn export(
    State(state): State<AppState>,
    CurrentStaff(staff, _): CurrentStaff,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let s = survey_for(&state, &staff, &id, false).await?;
    let rows: Vec<(time::Date, domain::Answers)> =
        surveys::answers(&state.db, s.id).await?.into_iter().map(|(d, a)| (d.0, a)).collect();
    let bytes = csv_import::export(&s.questionnaire, &rows).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(csv_response(bytes, &format!("svar-{}.csv", s.id)))
}

#[derive(Template)]
#[template(path = "survey_import.html")]
struct ImportPage {
    search_value: String,
    id: String,
    title: String,
    problems: Vec<String>,
    read: Option<(usize, Vec<String>, bool)>,
}

pub async fn import_form(
    State(state): State<AppState>,
    CurrentStaff(staff, _): CurrentStaff,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let s = survey_for(&state, &staff, &id, true).await?;
    render(
        StatusCode::OK,
        &ImportPage { search_value: String::new(), id: s.id.to_string(), title: s.title, problems: vec![], read: None },
    )
}

/// Reads a CSV of answers (with an optional mapping file); saves them unless it is a dry run.
/// Any problem: nothing is saved and every problem is listed with its line.
pub async fn import(
    State(state): State<AppState>,
    CurrentStaff(staff, _): CurrentStaff,
    Path(id): Path<String>,
    mut form: Result<Multipart, MultipartRejection>,
) -> Result<Response, AppError> {
    let s = survey_for(&state, &staff, &id, true).await?;
    let (mut file, mut mapping, mut dry_run) = (Vec::new(), Vec::new(), false);
    // A form that is not multipart has no file: the page says so.
    while let Ok(form) = &mut form
        && let Some(field) = form.next_field().await.map_err(|e| AppError::BadRequest(e.body_text()))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        let bytes = field.bytes().await.map_err(|e| AppError::BadRequest(e.body_text()))?;
        match name.as_str() {
            "fil" => file = bytes.to_vec(),
            "mappning" => mapping = bytes.to_vec(),
            "prov" => dry_run = true,
            _ => {}
        }
    }
    let mut page = ImportPage {
        search_value: String::new(),
        id: s.id.to_string(),
        title: s.title.clone(),
        problems: vec![],
        read: None,
    };
    let fail = |mut page: ImportPage, problems: Vec<LineProblem>| {
        page.problems = problems.iter().map(ToString::to_string).collect();
        render(StatusCode::UNPROCESSABLE_ENTITY, &page)
    };
    if file.is_empty() {
        return fail(page, vec![LineProblem { line: 0, message: "Välj en CSV-fil med svar.".into() }]);
    }
    let mapping = if mapping.is_empty() {
        None
    } else {
        match csv_import::parse_mapping(&mapping) {
            Ok(m) => Some(m),
            Err(p) => return fail(page, vec![p]),
        }
    };
    let sub_areas = surveys::sub_areas(&state.db, &s.municipality_code).await?;
    let read = match csv_import::read(&s.questionnaire, &sub_areas, &file, mapping.as_ref()) {
        Ok(r) => r,
        Err(p) => return fail(page, p),
    };
    let today = crate::views::today();
    let rows: Vec<(IsoDate, domain::Answers)> =
        read.rows.into_iter().map(|r| (r.answered_on.map_or(today, IsoDate), r.answers)).collect();
    if !dry_run {
        surveys::import_answers(&state.db, s.id, &rows, |_| {}).await?;
    }
    page.read = Some((rows.len(), read.unused_columns, dry_run));
    render(StatusCode::OK, &page)
}

// ---------------------------------------------------------------------------------------------
// Results, weighting, free texts

#[derive(Deserialize, Default)]
pub struct ResultsQuery {
    #[serde(default)]
    jamfor: String,
}

async fn results_page(
    state: &AppState,
    staff: &Staff,
    s: &Survey,
    compare: &str,
    population_error: Option<String>,
) -> Result<ResultsPage, AppError> {
    let others: Vec<Survey> = surveys::list(&state.db)
        .await?
        .into_iter()
        .filter(|o| o.id != s.id && o.municipality_code == s.municipality_code && staff.can_read(&o.parties))
        // Earlier surveys: an earlier year, or the same year and opened before.
        .filter(|o| o.year < s.year || (o.year == s.year && o.opens_on.is_some() && o.opens_on < s.opens_on))
        .collect();
    let earlier = others.iter().find(|o| o.id.to_string() == compare);
    let r = crate::survey_public::compute(state, s, false, earlier).await?;
    Ok(ResultsPage {
        search_value: String::new(),
        responses: s.responses,
        title: s.title.clone(),
        municipality: s.municipality_name.clone(),
        id: s.id.to_string(),
        staff: true,
        r: results_view(&r, earlier.is_some()),
        quotes: surveys::published_quotes(&state.db, s.id).await?,
        comparable: others.iter().map(|o| (o.id.to_string(), format!("{} ({})", o.title, o.year))).collect(),
        compare: earlier.map(|e| e.id.to_string()).unwrap_or_default(),
        population: s.population.as_ref().map(|p| p.source.clone()).unwrap_or_default(),
        population_error,
        can_edit: staff.can_edit(&s.parties),
    })
}

pub async fn results(
    State(state): State<AppState>,
    CurrentStaff(staff, _): CurrentStaff,
    Path(id): Path<String>,
    Query(q): Query<ResultsQuery>,
) -> Result<Response, AppError> {
    let s = survey_for(&state, &staff, &id, false).await?;
    render(StatusCode::OK, &results_page(&state, &staff, &s, &q.jamfor, None).await?)
}

/// The population per age group × gender for weighting, from an SCB table.
pub fn population_for(s: &Survey, bytes: &[u8]) -> Result<Population, String> {
    let q = &s.questionnaire;
    let (Some(age), Some(gender)) = (q.role(Role::AgeGroup), q.role(Role::Gender)) else {
        return Err("Enkäten behöver en fråga om åldersgrupp och en om kön för att kunna viktas.".into());
    };
    let groups: Vec<(String, (u32, Option<u32>))> =
        age.choices.iter().filter_map(|c| c.ages.map(|a| (c.key.clone(), a))).collect();
    if groups.is_empty() {
        return Err("Åldersfrågans svarsalternativ säger inte vilka åldrar de gäller.".into());
    }
    let table = population::parse(bytes).map_err(|e| format!("Filen kunde inte läsas som en tabell från SCB: {e}"))?;
    let years = table.years(&s.municipality_code);
    let year = years.last().map(|y| (*y).to_owned()).ok_or_else(|| {
        format!("Tabellen har inga siffror för {} (regionkod {}).", s.municipality_name, s.municipality_code)
    })?;
    let ranges: Vec<(u32, Option<u32>)> = groups.iter().map(|(_, a)| *a).collect();
    let counts = population::by_age_and_sex_in_year(&table, &s.municipality_code, &year, &ranges)
        .map_err(|e| format!("Tabellen räcker inte för enkätens åldersgrupper: {e}"))?;
    let key_of = |sex: Sex| gender.choices.iter().find(|c| c.sex == Some(sex)).map(|c| c.key.clone());
    let (Some(man), Some(woman)) = (key_of(Sex::Man), key_of(Sex::Woman)) else {
        return Err("Könsfrågan behöver svarsalternativen ”Kvinna” och ”Man” för att kunna viktas.".into());
    };
    let mut cells = Vec::new();
    for ((age_key, _), [men, women]) in groups.iter().zip(counts) {
        cells.push(PopulationCell { age: age_key.clone(), gender: man.clone(), count: men });
        cells.push(PopulationCell { age: age_key.clone(), gender: woman.clone(), count: women });
    }
    if let Some(empty) = cells.iter().find(|c| c.count == 0) {
        return Err(format!(
            "Tabellen har inga invånare i gruppen {} {} år: en sådan tabell kan inte användas för viktning.",
            empty.gender, empty.age
        ));
    }
    Ok(Population {
        source: format!("SCB, folkmängd efter ålder och kön, {}, {year}", s.municipality_name),
        region: s.municipality_code.clone(),
        year,
        cells,
    })
}

pub async fn upload_population(
    State(state): State<AppState>,
    CurrentStaff(staff, _): CurrentStaff,
    Path(id): Path<String>,
    mut form: Result<Multipart, MultipartRejection>,
) -> Result<Response, AppError> {
    let s = survey_for(&state, &staff, &id, true).await?;
    let (mut file, mut remove) = (Vec::new(), false);
    while let Ok(form) = &mut form
        && let Some(field) = form.next_field().await.map_err(|e| AppError::BadRequest(e.body_text()))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        let bytes = field.bytes().await.map_err(|e| AppError::BadRequest(e.body_text()))?;
        match name.as_str() {
            "fil" => file = bytes.to_vec(),
            "ta_bort" => remove = true,
            _ => {}
        }
    }
    let outcome = if remove {
        Ok(None)
    } else if file.is_empty() {
        Err("Välj en fil från SCB.".to_owned())
    } else {
        population_for(&s, &file).map(Some)
    };
    match outcome {
        Ok(p) => {
            surveys::set_population(&state.db, s.id, p.as_ref()).await?;
            Ok(Redirect::to(&format!("/arbetsyta/enkater/{}/resultat", s.id)).into_response())
        }
        Err(message) => {
            render(StatusCode::UNPROCESSABLE_ENTITY, &results_page(&state, &staff, &s, "", Some(message)).await?)
        }
    }
}

pub struct FreeTextView {
    pub id: String,
    pub question: String,
    pub text: String,
    pub tags: Vec<(String, String, bool)>,
    pub quote: String,
    pub published: bool,
    pub version: i64,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "survey_free_text.html")]
struct FreeTextPage {
    search_value: String,
    id: String,
    title: String,
    texts: Vec<FreeTextView>,
    can_edit: bool,
    notice: Option<String>,
}

async fn free_text_page(state: &AppState, staff: &Staff, s: &Survey) -> Result<FreeTextPage, AppError> {
    let problems = vocabulary(state, &s.municipality_code).await?;
    let texts = surveys::free_texts(&state.db, s.id)
        .await?
        .into_iter()
        .map(|t| FreeTextView {
            id: t.id.to_string(),
            question: s.questionnaire.question(&t.question).map_or(t.question.clone(), |q| q.text.sv.clone()),
            tags: problems.iter().map(|(k, n)| (k.clone(), n.clone(), t.tags.iter().any(|t| t == k))).collect(),
            quote: t.quote.unwrap_or_default(),
            published: t.quote_published,
            version: t.version,
            text: t.text,
            error: None,
        })
        .collect();
    Ok(FreeTextPage {
        search_value: String::new(),
        id: s.id.to_string(),
        title: s.title.clone(),
        texts,
        can_edit: staff.can_edit(&s.parties),
        notice: None,
    })
}

pub async fn free_texts(
    State(state): State<AppState>,
    CurrentStaff(staff, _): CurrentStaff,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let s = survey_for(&state, &staff, &id, false).await?;
    render(StatusCode::OK, &free_text_page(&state, &staff, &s).await?)
}

pub async fn save_free_text(
    State(state): State<AppState>,
    CurrentStaff(staff, _): CurrentStaff,
    Path((id, text_id)): Path<(String, String)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let s = survey_for(&state, &staff, &id, true).await?;
    let text: Uuid = text_id.parse().map_err(|_| AppError::NotFound)?;
    let problems = vocabulary(&state, &s.municipality_code).await?;
    let get = |k: &str| fields.iter().find(|(f, _)| f == k).map(|(_, v)| v.as_str());
    let tags: Vec<String> = fields
        .iter()
        .filter(|(k, _)| k == "problem")
        .filter(|(_, v)| problems.iter().any(|(k, _)| k == v))
        .map(|(_, v)| v.clone())
        .collect();
    let quote = get("citat").unwrap_or("").replace("\r\n", "\n");
    let publish = get("publicera").is_some();
    let version = get("version").and_then(|v| v.trim().parse::<i64>().ok()).unwrap_or(-1);
    let outcome = surveys::save_free_text(&state.db, s.id, text, version, &tags, Some(&quote), publish).await;
    let message = match outcome {
        Ok(()) => return Ok(Redirect::to(&format!("/arbetsyta/enkater/{}/fritext#svar-{text}", s.id)).into_response()),
        Err(DbError::Invalid(e)) => e.into_iter().map(|e| e.message).collect::<Vec<_>>().join(" "),
        Err(DbError::Stale(_)) => STALE.to_owned(),
        Err(e) => return Err(e.into()),
    };
    let mut page = free_text_page(&state, &staff, &s).await?;
    if let Some(v) = page.texts.iter_mut().find(|v| v.id == text.to_string()) {
        v.quote = quote;
        v.published = publish;
        for tag in &mut v.tags {
            tag.2 = tags.contains(&tag.0);
        }
        v.error = Some(message.clone());
    }
    page.notice = Some(message);
    render(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

// ---------------------------------------------------------------------------------------------
// Sub-areas

#[derive(Template)]
#[template(path = "sub_areas.html")]
struct SubAreasPage {
    search_value: String,
    code: String,
    municipality: String,
    names: String,
    error: Option<String>,
}

async fn sub_area_access(state: &AppState, staff: &Staff, code: &str) -> Result<String, AppError> {
    let names = lofte_db::municipalities::names(&state.db).await?;
    let (_, name) = names.into_iter().find(|(c, _)| c == code).ok_or(AppError::NotFound)?;
    if !staff.can_edit(&lofte_db::municipalities::parties(&state.db, code).await?) {
        return Err(AppError::Forbidden);
    }
    Ok(name)
}

pub async fn sub_areas_form(
    State(state): State<AppState>,
    CurrentStaff(staff, _): CurrentStaff,
    Path(code): Path<String>,
) -> Result<Response, AppError> {
    let municipality = sub_area_access(&state, &staff, &code).await?;
    let names = surveys::sub_areas(&state.db, &code).await?.into_iter().map(|(_, n)| n).collect::<Vec<_>>().join("\n");
    render(StatusCode::OK, &SubAreasPage { search_value: String::new(), code, municipality, names, error: None })
}

#[derive(Deserialize, Default)]
pub struct SubAreasForm {
    #[serde(default)]
    namn: String,
}

pub async fn save_sub_areas(
    State(state): State<AppState>,
    CurrentStaff(staff, _): CurrentStaff,
    Path(code): Path<String>,
    Form(f): Form<SubAreasForm>,
) -> Result<Response, AppError> {
    let municipality = sub_area_access(&state, &staff, &code).await?;
    let names: Vec<String> = f.namn.lines().map(str::to_owned).collect();
    match surveys::save_sub_areas(&state.db, &code, &names).await {
        Ok(()) => Ok(Redirect::to(&format!("/arbetsyta/delomraden/{code}")).into_response()),
        Err(DbError::Invalid(e)) => render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &SubAreasPage {
                search_value: String::new(),
                code,
                municipality,
                names: f.namn,
                error: Some(e.into_iter().map(|e| e.message).collect::<Vec<_>>().join(" ")),
            },
        ),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::ages_from_label;

    #[test]
    fn age_groups_from_their_names() {
        assert_eq!(ages_from_label("16–24 år"), Some((16, Some(24))));
        assert_eq!(ages_from_label("80 år eller äldre"), Some((80, None)));
        assert_eq!(ages_from_label("65+"), Some((65, None)));
        assert_eq!(ages_from_label("Vet ej"), None);
        assert_eq!(ages_from_label("30–20"), None);
    }
}
