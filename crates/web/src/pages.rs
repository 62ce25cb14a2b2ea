//! Public pages. Every page works without JavaScript.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use lofte_db::municipalities::{self, MunicipalityRow, PoliceAreaSummary};
use lofte_db::promises;
use lofte_domain::Status;
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
        let in_force = municipalities::list_in_force(&state.db).await?;
        let total = in_force.len();
        (Vec::new(), views::by_county(in_force), total)
    } else {
        let all = municipalities::list(&state.db).await?;
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
    document: Option<DocumentView>,
    others: Vec<OtherDocument>,
    police_areas: Vec<PoliceAreaSummary>,
}

/// `/kommun/{slug|code}`: the promise in force, or a page saying there is none. One query.
pub async fn municipality(State(state): State<AppState>, Path(key): Path<String>) -> Result<Response, AppError> {
    let Some(page) = municipalities::page(&state.db, &key).await? else {
        return Err(AppError::NotFound);
    };
    let document = page.in_force.as_ref().map(|stored| DocumentView::new(&stored.document));
    let in_force_id = page.municipality.in_force_document_id.as_deref();
    let others =
        page.documents.iter().filter(|d| Some(d.id.as_str()) != in_force_id).map(OtherDocument::from).collect();
    html(&MunicipalityPage {
        search_value: String::new(),
        municipality: page.municipality,
        document,
        others,
        police_areas: page.police_areas,
    })
}

#[derive(Template)]
#[template(path = "promise_page.html")]
struct PromisePage {
    search_value: String,
    d: DocumentView,
}

/// `/lofte/{id}`: any public document by id (drafts are not public).
pub async fn promise(State(state): State<AppState>, Path(id): Path<String>) -> Result<Response, AppError> {
    let id = Uuid::parse_str(&id).map_err(|_| AppError::NotFound)?;
    let stored = promises::get(&state.db, id).await?.ok_or(AppError::NotFound)?;
    if stored.document.status == Status::Draft {
        return Err(AppError::NotFound);
    }
    html(&PromisePage { search_value: String::new(), d: DocumentView::new(&stored.document) })
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
        413 => ("För mycket data".to_owned(), "Det du skickade är större än vad tjänsten tar emot.".to_owned()),
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
