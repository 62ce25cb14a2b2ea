//! Public pages. Every page works without JavaScript.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use lofte_db::municipalities::{self, MunicipalityRow, PoliceAreaSummary};
use lofte_db::promises;
use lofte_domain::{IsoDate, Status};
use serde::Deserialize;
use uuid::Uuid;

use crate::AppState;
use crate::error::AppError;
use crate::views::{self, CountyGroup, DocumentView, OtherDocument};

fn html(t: &impl Template) -> Result<Response, AppError> {
    Ok(Html(t.render()?).into_response())
}

#[derive(Template)]
#[template(path = "index.html")]
struct IndexPage {
    search_value: String,
    query: String,
    results: Vec<MunicipalityRow>,
    counties: Vec<CountyGroup>,
    total: usize,
}

#[derive(Deserialize)]
pub struct SearchParams {
    #[serde(default)]
    q: String,
}

/// `/`: the municipalities with a promise in force, by county; `?q=` searches all 290.
pub async fn index(State(state): State<AppState>, Query(params): Query<SearchParams>) -> Result<Response, AppError> {
    let query: String = params
        .q
        .chars()
        .filter(|c| !c.is_control() && !lofte_domain::forbidden_char(*c) && !lofte_domain::invisible_char(*c))
        .take(100)
        .collect::<String>()
        .trim()
        .to_owned();
    let (results, counties, total) = if query.is_empty() {
        let in_force = municipalities::list_in_force(&state.db, views::today()).await?;
        let total = in_force.len();
        (Vec::new(), views::by_county(in_force), total)
    } else {
        let all = municipalities::list(&state.db, views::today()).await?;
        let mut hits: Vec<MunicipalityRow> = all.into_iter().filter(|m| views::matches(m, &query)).collect();
        hits.sort_by_cached_key(|m| lofte_domain::sv_sort_key(&m.name));
        (hits, Vec::new(), 0)
    };
    html(&IndexPage { search_value: query.clone(), query, results, counties, total })
}

#[derive(Template)]
#[template(path = "municipality.html")]
struct MunicipalityPage {
    search_value: String,
    municipality: MunicipalityRow,
    /// The promises in force today (one per police area; usually one).
    documents: Vec<DocumentView>,
    /// Every other public promise: earlier, upcoming, withdrawn.
    others: Vec<OtherDocument>,
    police_areas: Vec<PoliceAreaSummary>,
    /// Surveys open today or with published results.
    surveys: Vec<lofte_db::surveys::PublicSurvey>,
    /// Published lägesbilder: (year, title).
    lagesbilder: Vec<(i32, String)>,
}

/// `/kommun/{slug|code}`: the promises in force today, the archive of earlier ones (one query),
/// and the municipality's open surveys and published survey results (a second).
pub async fn municipality(State(state): State<AppState>, Path(key): Path<String>) -> Result<Response, AppError> {
    let today = views::today();
    let Some(page) = municipalities::page(&state.db, &key, today).await? else {
        return Err(AppError::NotFound);
    };
    let mut documents: Vec<DocumentView> = Vec::new();
    for s in &page.in_force {
        let because = match s.document.id {
            Some(id) => crate::lagesbild::because_of(&state, id, &page.municipality.slug).await?,
            None => Vec::new(),
        };
        documents.push(DocumentView::new(&s.document, today).with_because(because));
    }
    let others = page
        .documents
        .iter()
        .filter(|d| !documents.iter().any(|v| v.id == d.id))
        .map(|d| OtherDocument::new(d, today))
        .collect();
    let surveys = lofte_db::surveys::public_of(&state.db, &page.municipality.code, today).await?;
    let lagesbilder = lofte_db::lagesbild::public_of(&state.db, &page.municipality.code)
        .await?
        .into_iter()
        .map(|(_, year, title)| (year, title))
        .collect();
    html(&MunicipalityPage {
        lagesbilder,
        search_value: String::new(),
        municipality: page.municipality,
        documents,
        others,
        surveys,
        police_areas: page.police_areas,
    })
}

#[derive(Template)]
#[template(path = "promise_page.html")]
struct PromisePage {
    search_value: String,
    d: DocumentView,
    previous: Option<(String, String)>,
}

async fn public_document(state: &AppState, id: &str) -> Result<promises::StoredDocument, AppError> {
    let id = Uuid::parse_str(id).map_err(|_| AppError::NotFound)?;
    let stored = promises::get(&state.db, id).await?.ok_or(AppError::NotFound)?;
    if !stored.document.status.is_public() {
        return Err(AppError::NotFound);
    }
    Ok(stored)
}

/// `/lofte/{id}`: any public document by id (drafts and documents being signed are not public).
/// A promise's public page as HTML, as `/lofte/{id}` serves it (without the link to the
/// previous promise). For the text importer's round-trip tests.
pub fn render_promise_page(doc: &lofte_domain::PromiseDocument, today: IsoDate) -> Result<String, askama::Error> {
    PromisePage { search_value: String::new(), d: DocumentView::new(doc, today), previous: None }.render()
}

pub async fn promise(State(state): State<AppState>, Path(id): Path<String>) -> Result<Response, AppError> {
    let stored = public_document(&state, &id).await?;
    let previous = lofte_db::signing::previous(&state.db, &stored.document)
        .await?
        .map(|p| (p.document.id.map(|i| i.to_string()).unwrap_or_default(), p.document.title.clone()));
    let slug = match stored.document.municipalities.first() {
        Some(m) => municipalities::find(&state.db, &m.code, views::today()).await?.map(|m| m.slug).unwrap_or_default(),
        None => String::new(),
    };
    let because = match stored.document.id {
        Some(id) => crate::lagesbild::because_of(&state, id, &slug).await?,
        None => Vec::new(),
    };
    let d = DocumentView::new(&stored.document, views::today()).with_because(because);
    html(&PromisePage { search_value: String::new(), d, previous })
}

#[derive(Template)]
#[template(path = "public_changes.html")]
struct PublicChangesPage {
    search_value: String,
    d: DocumentView,
    previous: Option<DocumentView>,
    changes: Vec<crate::documents::ChangeView>,
}

/// `/lofte/{id}/andringar`: what changed from the promise this one followed.
pub async fn changes(State(state): State<AppState>, Path(id): Path<String>) -> Result<Response, AppError> {
    let stored = public_document(&state, &id).await?;
    let today = views::today();
    let previous = lofte_db::signing::previous(&state.db, &stored.document).await?;
    let changes = match &previous {
        Some(p) => crate::documents::change_views(lofte_domain::diff::document_changes(
            &record_free(&p.document),
            &record_free(&stored.document),
        )),
        None => Vec::new(),
    };
    html(&PublicChangesPage {
        search_value: String::new(),
        d: DocumentView::new(&stored.document, today),
        previous: previous.map(|p| DocumentView::new(&p.document, today)),
        changes,
    })
}

/// The content only, so that a comparison shows what was promised, not the record.
fn record_free(doc: &lofte_domain::PromiseDocument) -> lofte_domain::PromiseDocument {
    lofte_domain::PromiseDocument {
        status: Status::Draft,
        signatures: Vec::new(),
        valid_from: None,
        valid_to: None,
        sha256: None,
        withdrawn_reason: None,
        ..doc.clone()
    }
}

/// `/lofte/{id}/forseglat.json`: the document's canonical content, hash and signatures, sealed
/// by the server (Ed25519).
pub async fn sealed(State(state): State<AppState>, Path(id): Path<String>) -> Result<Response, AppError> {
    let stored = public_document(&state, &id).await?;
    let key = lofte_db::signing::seal_key(&state.db).await?;
    let sealed = key.seal(&stored.document, &lofte_db::now_text());
    let body = serde_json::to_string_pretty(&sealed).map_err(|e| AppError::Internal(e.to_string()))?;
    let file = format!("attachment; filename=\"medborgarlofte-{id}.json\"");
    let disposition = HeaderValue::from_str(&file).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("application/json")),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response())
}

/// `/.well-known/lofte-seal-key`: the public key that seals downloaded documents.
pub async fn seal_key(State(state): State<AppState>) -> Result<Response, AppError> {
    let key = lofte_db::signing::seal_key(&state.db).await?;
    Ok(axum::Json(serde_json::json!({
        "algorithm": "Ed25519",
        "public_key": key.public_key_base64(),
        "format": lofte_domain::seal::SEALED_FORMAT,
    }))
    .into_response())
}

#[derive(Template)]
#[template(path = "verify.html")]
struct VerifyPage {
    search_value: String,
    text: String,
    result: Option<Result<VerifiedView, String>>,
}

struct VerifiedView {
    title: String,
    sha256: String,
    /// The standing and validity stated in the file, e.g. "Ersatt: gällde 2023-03-01 – 2024-02-14".
    standing: String,
    withdrawn_reason: Option<String>,
    sealed_at: String,
    signatures: Vec<String>,
}

/// `/verifiera`: paste or upload a downloaded document to check its seal.
pub async fn verify_form() -> Result<Response, AppError> {
    html(&VerifyPage { search_value: String::new(), text: String::new(), result: None })
}

/// Checks a document posted as a file (multipart) or pasted text.
pub async fn verify(State(state): State<AppState>, mut form: axum::extract::Multipart) -> Result<Response, AppError> {
    let mut text = String::new();
    let mut file = String::new();
    while let Some(field) = form.next_field().await.map_err(|e| AppError::BadRequest(e.body_text()))? {
        let name = field.name().unwrap_or_default().to_owned();
        let bytes = field.bytes().await.map_err(|e| AppError::BadRequest(e.body_text()))?;
        let value = String::from_utf8_lossy(&bytes).into_owned();
        match name.as_str() {
            "fil" => file = value,
            "text" => text = value,
            _ => {}
        }
    }
    let key = lofte_db::signing::seal_key(&state.db).await?;
    let today = views::today();
    let result = match (file.trim().is_empty(), text.trim().is_empty()) {
        (true, true) => Err("Välj en fil eller klistra in texten i filen.".to_owned()),
        (false, false) => Err("Välj antingen en fil eller klistra in text, inte båda.".to_owned()),
        (file_empty, _) => {
            let input = if file_empty { &text } else { &file };
            lofte_domain::seal::verify_sealed(input, Some(&key.public_key_base64()))
                .map(|v| {
                    let validity = lofte_domain::signing::Validity { from: v.valid_from, to: v.valid_to };
                    let standing = lofte_domain::signing::Standing::of(v.status, validity, today);
                    let label = views::validity_label(standing, validity);
                    VerifiedView {
                        title: v.title,
                        sha256: v.sha256,
                        standing: if label.is_empty() || label == standing.label_sv() {
                            standing.label_sv().to_owned()
                        } else {
                            format!("{}: {}", standing.label_sv(), label.to_lowercase())
                        },
                        withdrawn_reason: v.withdrawn_reason,
                        sealed_at: v.sealed_at.get(..16).unwrap_or(&v.sealed_at).replace('T', " "),
                        signatures: v
                            .signatures
                            .iter()
                            .map(|s| format!("{}, {} ({}), {}", s.name, s.title, s.organisation, s.signed_on))
                            .collect(),
                    }
                })
                .map_err(|e| {
                    let m = e.to_string();
                    let mut c = m.chars();
                    c.next().map(|f| f.to_uppercase().chain(c).collect::<String>()).unwrap_or_default() + "."
                })
        }
    };
    let status = if result.is_ok() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let text = if text.chars().count() > 200_000 { String::new() } else { text };
    let page = VerifyPage { search_value: String::new(), text, result: Some(result) };
    Ok((status, Html(page.render()?)).into_response())
}

pub async fn healthz(State(state): State<AppState>) -> Response {
    match state.db.ping().await {
        Ok(()) => (StatusCode::OK, "ok\n").into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n").into_response()
        }
    }
}

pub async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/css; charset=utf-8")),
            (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600")),
        ],
        include_str!("../static/site.css"),
    )
        .into_response()
}

pub async fn not_found() -> AppError {
    AppError::NotFound
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    search_value: String,
    heading: String,
    message: String,
}

/// The Swedish error page for any status.
pub fn error_page(status: StatusCode, detail: Option<String>) -> Response {
    let (heading, message) = match status.as_u16() {
        404 => (
            "Sidan finns inte".to_owned(),
            "Vi hittade ingen sida på den här adressen. Kontrollera stavningen, eller sök efter kommunen i sökrutan."
                .to_owned(),
        ),
        405 => (
            "Det går inte att göra så här".to_owned(),
            "Sidan kan bara läsas, inte ändras på det här sättet.".to_owned(),
        ),
        413 => (
            "För mycket data".to_owned(),
            format!(
                "Det du skickade är större än vad tjänsten tar emot ({} MB). Gå tillbaka och välj en mindre fil; \
                 större statistikfiler importeras med kommandot lofte import.",
                crate::MAX_BODY_BYTES / (1024 * 1024)
            ),
        ),
        400 => (
            "Felaktig adress eller begäran".to_owned(),
            detail.map_or_else(
                || "Adressen eller formuläret innehöll något som inte gick att läsa.".to_owned(),
                |d| format!("Adressen eller formuläret innehöll något som inte gick att läsa ({d})."),
            ),
        ),
        409 => (
            "Det går inte just nu".to_owned(),
            detail.clone().unwrap_or_else(|| "Begäran krockar med dokumentets läge.".to_owned()),
        ),
        422 => (
            "Uppgifterna behöver rättas".to_owned(),
            detail.clone().unwrap_or_else(|| "Något i formuläret saknas eller är fel.".to_owned()),
        ),
        s if s >= 500 => (
            "Något gick fel hos oss".to_owned(),
            "Ett fel uppstod när sidan skulle visas. Försök igen om en stund.".to_owned(),
        ),
        _ => (crate::error::describe(status).0.to_owned(), "Begäran kunde inte utföras.".to_owned()),
    };
    let page = ErrorPage { search_value: String::new(), heading, message };
    match page.render() {
        Ok(body) => (status, Html(body)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "error page failed to render");
            (status, "Fel").into_response()
        }
    }
}
