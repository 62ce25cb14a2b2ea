//! The survey pages residents see: the questionnaire (Swedish or English, no JavaScript), the
//! receipt, and the published results. Nothing about the request is stored with an answer; the
//! only cookie is the per-survey "answered" mark set after a submission to an open survey
//! (surveys with one-time codes need none).

use askama::Template;
use axum::Form;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use lofte_db::surveys::{self, Refusal, Submission, Survey};
use lofte_domain::survey::results::{self, Counts, Options, Results};
use lofte_domain::survey::{Kind, Phase, Questionnaire, language, normalize_code, read_answers};
use serde::Deserialize;
use std::net::SocketAddr;
use uuid::Uuid;

use crate::AppState;
use crate::error::AppError;
use crate::i18n::{Tr, text};
use crate::survey_views::{ResultsView, results_csv, results_view};

#[derive(Deserialize, Default)]
pub struct LangQuery {
    #[serde(default)]
    sprak: String,
}

pub struct ChoiceView {
    pub value: String,
    pub label: String,
    pub checked: bool,
}

pub struct FieldView {
    pub key: String,
    pub kind: &'static str,
    pub text: String,
    pub help: String,
    pub required: bool,
    pub choices: Vec<ChoiceView>,
    pub value: String,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "survey_form.html")]
struct FormPage {
    search_value: String,
    t: Tr,
    id: String,
    title: String,
    municipality: String,
    intro: Vec<String>,
    fields: Vec<FieldView>,
    requires_code: bool,
    code: String,
    code_error: Option<String>,
    /// A refusal or the validation summary.
    notice: Option<String>,
    errors: Vec<(String, String)>,
    open_until: String,
    other_languages: Vec<(&'static str, &'static str)>,
}

#[derive(Template)]
#[template(path = "survey_message.html")]
struct MessagePage {
    search_value: String,
    t: Tr,
    title: String,
    heading: String,
    municipality: String,
    message: String,
    results_link: Option<String>,
}

#[derive(Template)]
#[template(path = "survey_results.html")]
pub struct ResultsPage {
    pub search_value: String,
    /// Everyone who answered (the survey's count of answers).
    pub responses: i64,
    pub title: String,
    pub municipality: String,
    pub id: String,
    pub staff: bool,
    pub r: ResultsView,
    pub quotes: Vec<(String, String)>,
    /// Staff: surveys to compare with (id, title) and the chosen one.
    pub comparable: Vec<(String, String)>,
    pub compare: String,
    pub population: String,
    pub population_error: Option<String>,
    pub can_edit: bool,
}

/// A survey that is public (has an open date); drafts are not found.
async fn public_survey(state: &AppState, id: &str) -> Result<Survey, AppError> {
    let id: Uuid = id.parse().map_err(|_| AppError::NotFound)?;
    let survey = surveys::get(&state.db, id).await?.ok_or(AppError::NotFound)?;
    if survey.opens_on.is_none() {
        return Err(AppError::NotFound);
    }
    Ok(survey)
}

fn title(s: &Survey, lang: &str) -> String {
    if lang == "en" && !s.title_en.trim().is_empty() { s.title_en.clone() } else { s.title.clone() }
}

fn fields(q: &Questionnaire, sub_areas: &[(String, String)], typed: &[(String, String)], lang: &str) -> Vec<FieldView> {
    q.questions
        .iter()
        .map(|question| {
            let name = format!("q:{}", question.key);
            let given: Vec<&str> = typed.iter().filter(|(k, _)| *k == name).map(|(_, v)| v.as_str()).collect();
            let options: Vec<(String, String)> = match question.kind {
                Kind::SubArea => sub_areas.to_vec(),
                _ => question.choices.iter().map(|c| (c.key.clone(), c.text.get(lang).to_owned())).collect(),
            };
            FieldView {
                key: question.key.clone(),
                kind: question.kind.key(),
                text: question.text.get(lang).to_owned(),
                help: question.help.get(lang).to_owned(),
                required: question.required,
                choices: options
                    .into_iter()
                    .map(|(value, label)| ChoiceView { checked: given.contains(&value.as_str()), value, label })
                    .collect(),
                value: given.first().map(|v| (*v).to_owned()).unwrap_or_default(),
                error: None,
            }
        })
        .collect()
}

fn other_languages(lang: &str) -> Vec<(&'static str, &'static str)> {
    lofte_domain::survey::LANGUAGES.iter().copied().filter(|(c, _)| *c != lang).collect()
}

fn cookie_name(id: Uuid) -> String {
    format!("lofte_enkat_{}", id.simple())
}

fn answered_here(headers: &HeaderMap, id: Uuid) -> bool {
    let name = cookie_name(id);
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(tower_sessions::cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        .any(|c| c.name() == name)
}

fn closed_message(s: &Survey, lang: &str, phase: Phase) -> String {
    let from = s.opens_on.map(|d| d.to_string()).unwrap_or_default();
    match (phase, s.closes_on) {
        (Phase::Upcoming, _) => text(lang, "survey-upcoming", &[("from", &from)]),
        (_, Some(to)) => text(lang, "survey-closed-on", &[("to", &to.to_string())]),
        _ => text(lang, "survey-closed", &[]),
    }
}

fn results_link(s: &Survey) -> Option<String> {
    s.results_public.then(|| format!("/enkat/{}/resultat", s.id))
}

/// The questionnaire, or why it cannot be answered today.
pub async fn form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<LangQuery>,
) -> Result<Response, AppError> {
    let s = public_survey(&state, &id).await?;
    let lang = language(&q.sprak);
    let t = Tr(lang);
    let phase = Phase::on(s.opens_on.map(|d| d.0), s.closes_on.map(|d| d.0), crate::views::today().0);
    let already = !s.requires_code && answered_here(&headers, s.id);
    if phase != Phase::Open || already {
        let page = MessagePage {
            search_value: String::new(),
            t,
            title: title(&s, lang),
            heading: if already { text(lang, "survey-already-heading", &[]) } else { title(&s, lang) },
            municipality: s.municipality_name.clone(),
            message: if already { text(lang, "survey-already", &[]) } else { closed_message(&s, lang, phase) },
            results_link: results_link(&s),
        };
        return Ok((StatusCode::OK, Html(page.render()?)).into_response());
    }
    let sub_areas = surveys::sub_areas(&state.db, &s.municipality_code).await?;
    let page = form_page(&s, &sub_areas, &[], lang, String::new());
    Ok((StatusCode::OK, Html(page.render()?)).into_response())
}

fn form_page(
    s: &Survey,
    sub_areas: &[(String, String)],
    typed: &[(String, String)],
    lang: &'static str,
    code: String,
) -> FormPage {
    FormPage {
        search_value: String::new(),
        t: Tr(lang),
        id: s.id.to_string(),
        title: title(s, lang),
        municipality: s.municipality_name.clone(),
        intro: s
            .questionnaire
            .intro
            .get(lang)
            .split("\n\n")
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .collect(),
        fields: fields(&s.questionnaire, sub_areas, typed, lang),
        requires_code: s.requires_code,
        code,
        code_error: None,
        notice: None,
        errors: Vec::new(),
        open_until: s.closes_on.map(|d| text(lang, "survey-open-dates", &[("to", &d.to_string())])).unwrap_or_default(),
        other_languages: other_languages(lang),
    }
}

fn refused(mut page: FormPage, status: StatusCode, message: String, code_field: bool) -> Result<Response, AppError> {
    if code_field {
        page.code_error = Some(message.clone());
        page.errors = vec![("kod".into(), message.clone())];
    }
    page.notice = Some(message);
    Ok((status, Html(page.render()?)).into_response())
}

/// Takes the answers. A refused or invalid submission comes back with everything typed.
pub async fn submit(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let s = public_survey(&state, &id).await?;
    let lang = language(fields.iter().find(|(k, _)| k == "sprak").map_or("", |(_, v)| v.as_str()));
    let sub_areas = surveys::sub_areas(&state.db, &s.municipality_code).await?;
    let typed_code = fields.iter().find(|(k, _)| k == "kod").map(|(_, v)| v.trim().to_owned()).unwrap_or_default();
    let mut page = form_page(&s, &sub_areas, &fields, lang, typed_code.clone());
    let answers = match read_answers(&s.questionnaire, &sub_areas, &fields, lang) {
        Ok(a) => a,
        Err(problems) => {
            for p in &problems {
                if let Some(f) = page.fields.iter_mut().find(|f| f.key == p.question) {
                    f.error = Some(p.message.clone());
                    page.errors.push((format!("q-{}", f.key), format!("{}: {}", f.text, p.message)));
                }
            }
            page.notice = Some(text(lang, "survey-errors", &[]));
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response());
        }
    };
    if answers.is_empty() {
        page.notice = Some(text(lang, "survey-empty", &[]));
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response());
    }
    if !s.requires_code {
        if answered_here(&headers, s.id) {
            return refused(page, StatusCode::CONFLICT, text(lang, "survey-refused-again", &[]), false);
        }
        let ip = crate::auth::client_ip(&headers, peer, state.trust_proxy);
        if let Some(wait) = state.throttle.survey_attempt(&ip) {
            let minutes = wait.as_secs().div_ceil(60).max(1).to_string();
            return refused(
                page,
                StatusCode::TOO_MANY_REQUESTS,
                text(lang, "survey-refused-rate", &[("minutes", &minutes)]),
                false,
            );
        }
    }
    let code = if s.requires_code {
        match normalize_code(&typed_code) {
            Some(c) => Some(c),
            None if typed_code.is_empty() => {
                return refused(
                    page,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    text(lang, "survey-refused-code-missing", &[]),
                    true,
                );
            }
            None => return refused(page, StatusCode::CONFLICT, text(lang, "survey-refused-code-used", &[]), true),
        }
    } else {
        None
    };
    let submission = Submission { answers, language: lang, day: crate::views::today(), code };
    match surveys::submit(&state.db, s.id, submission).await? {
        Ok(()) => {}
        Err(Refusal::NotOpen) => {
            return refused(page, StatusCode::CONFLICT, text(lang, "survey-refused-closed", &[]), false);
        }
        Err(Refusal::CodeMissing) => {
            return refused(
                page,
                StatusCode::UNPROCESSABLE_ENTITY,
                text(lang, "survey-refused-code-missing", &[]),
                true,
            );
        }
        Err(Refusal::CodeUsed) => {
            return refused(page, StatusCode::CONFLICT, text(lang, "survey-refused-code-used", &[]), true);
        }
    }
    let mut response = Redirect::to(&format!("/enkat/{}/tack?sprak={lang}", s.id)).into_response();
    if !s.requires_code {
        let cookie = format!(
            "{}=1; Path=/enkat/{}; Max-Age=31536000; HttpOnly; SameSite=Lax{}",
            cookie_name(s.id),
            s.id,
            if state.secure_cookies { "; Secure" } else { "" }
        );
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            response.headers_mut().insert(header::SET_COOKIE, v);
        }
    }
    Ok(response)
}

/// The receipt after answering.
pub async fn thanks(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<LangQuery>,
) -> Result<Response, AppError> {
    let s = public_survey(&state, &id).await?;
    let lang = language(&q.sprak);
    let page = MessagePage {
        search_value: String::new(),
        t: Tr(lang),
        title: title(&s, lang),
        heading: text(lang, "survey-thanks", &[]),
        municipality: s.municipality_name.clone(),
        message: text(lang, "survey-thanks-text", &[]),
        results_link: results_link(&s),
    };
    Ok((StatusCode::OK, Html(page.render()?)).into_response())
}

/// Surveys' grouped counts, kept with the number of answers they were read at: a results page
/// reads them again only after an answer has come in (or was imported) since. Bounded.
#[derive(Debug, Default)]
pub struct CountsCache(std::sync::Mutex<std::collections::HashMap<Uuid, (i64, std::sync::Arc<Counts>)>>);

const COUNTS_CACHED: usize = 64;

impl CountsCache {
    fn get(&self, id: Uuid, responses: i64) -> Option<std::sync::Arc<Counts>> {
        let map = self.0.lock().ok()?;
        map.get(&id).filter(|(n, _)| *n == responses).map(|(_, c)| c.clone())
    }

    fn put(&self, id: Uuid, responses: i64, counts: std::sync::Arc<Counts>) {
        if let Ok(mut map) = self.0.lock() {
            if map.len() >= COUNTS_CACHED && !map.contains_key(&id) {
                map.clear();
            }
            map.insert(id, (responses, counts));
        }
    }
}

/// A survey's counts, grouped the two ways results need (the two queries run side by side).
pub(crate) async fn counts(state: &AppState, s: &Survey) -> Result<std::sync::Arc<Counts>, AppError> {
    if let Some(c) = state.survey_counts.get(s.id, s.responses) {
        return Ok(c);
    }
    let (strata, sub_areas) =
        tokio::try_join!(surveys::tally_by_strata(&state.db, s.id), surveys::tally_by_sub_area(&state.db, s.id))?;
    let c = std::sync::Arc::new(Counts::from_rows(strata, sub_areas));
    state.survey_counts.put(s.id, s.responses, c.clone());
    Ok(c)
}

/// A survey's results from its counts (never from the answers).
pub async fn compute(
    state: &AppState,
    s: &Survey,
    public: bool,
    earlier: Option<&Survey>,
) -> Result<Results, AppError> {
    let now = counts(state, s).await?;
    let before = match earlier {
        Some(e) => Some((e.questionnaire.clone(), counts(state, e).await?)),
        None => None,
    };
    let sub_areas = surveys::sub_areas(&state.db, &s.municipality_code).await?;
    let min_cell = u64::try_from(s.min_cell).unwrap_or(5);
    Ok(results::compute(
        &s.questionnaire,
        &sub_areas,
        &now,
        s.population.as_ref(),
        before.as_ref().map(|(q, c)| (q, c.as_ref())),
        "sv",
        Options { min_cell, public },
    ))
}

async fn published(state: &AppState, id: &str) -> Result<Survey, AppError> {
    let s = public_survey(state, id).await?;
    if !s.results_public {
        return Err(AppError::NotFound);
    }
    Ok(s)
}

/// The published results: small cells suppressed, published quotes only.
pub async fn results_page(State(state): State<AppState>, Path(id): Path<String>) -> Result<Response, AppError> {
    let s = published(&state, &id).await?;
    let r = compute(&state, &s, true, None).await?;
    let page = ResultsPage {
        search_value: String::new(),
        responses: s.responses,
        title: s.title.clone(),
        municipality: s.municipality_name.clone(),
        id: s.id.to_string(),
        staff: false,
        r: results_view(&r, false),
        quotes: surveys::published_quotes(&state.db, s.id).await?,
        comparable: Vec::new(),
        compare: String::new(),
        population: s.population.as_ref().map(|p| p.source.clone()).unwrap_or_default(),
        population_error: None,
        can_edit: false,
    };
    Ok((StatusCode::OK, Html(page.render()?)).into_response())
}

pub fn csv_response(bytes: Vec<u8>, file_name: &str) -> Response {
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    response
}

/// The published results as CSV, suppressed like the page.
pub async fn results_csv_file(State(state): State<AppState>, Path(id): Path<String>) -> Result<Response, AppError> {
    let s = published(&state, &id).await?;
    let r = compute(&state, &s, true, None).await?;
    let bytes = results_csv(&r).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(csv_response(bytes, &format!("resultat-{}.csv", s.id)))
}
