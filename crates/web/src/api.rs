//! The JSON API, `/api/v1`, documented by an OpenAPI 3 document at `/api/openapi.json`.
//! Handlers and their documentation are registered together (utoipa-axum), so the document
//! cannot forget a route.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use lofte_db::municipalities::{self, DocumentSummary, MunicipalityRow};
use lofte_db::promises;
use lofte_domain::{Period, PromiseDocument, Status, ValidationError, parse_documents};
use serde::{Deserialize, Serialize};
use utoipa::openapi::OpenApi as OpenApiDoc;
use utoipa::{OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::AppState;
use crate::error::{ApiError, AppError, Problem};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Löfte API",
        description = "Medborgarlöften: kommunernas och polisens löften till invånarna. Alla svar är JSON; fel är \
                       problemdokument (RFC 9457) med svensk `title` och en stabil `code`.",
        license(name = "EUPL-1.2")
    ),
    tags(
        (name = "kommuner", description = "Sveriges 290 kommuner och deras medborgarlöften"),
        (name = "medborgarlöften", description = "Medborgarlöften i utbytesformatet")
    )
)]
struct ApiDoc;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(list_municipalities))
        .routes(routes!(get_municipality))
        .routes(routes!(list_municipality_promises))
        .routes(routes!(get_promise))
        .routes(routes!(validate_promise))
}

/// The OpenAPI document as served.
pub fn openapi() -> OpenApiDoc {
    router().split_for_parts().1
}

pub async fn openapi_json() -> Response {
    Json(openapi()).into_response()
}

#[derive(Serialize, ToSchema)]
pub struct County {
    pub code: String,
    pub name: String,
}

/// A municipality in lists.
#[derive(Serialize, ToSchema)]
pub struct Municipality {
    /// SCB code, 4 digits.
    pub code: String,
    pub name: String,
    /// URL slug of the public page, `/kommun/{slug}`.
    pub slug: String,
    pub county: County,
    pub police_region: String,
    /// Id of the promise in force, if any.
    pub in_force_promise_id: Option<String>,
}

/// A local police area covering a municipality.
#[derive(Serialize, ToSchema)]
pub struct PoliceArea {
    pub name: String,
    pub police_region: String,
}

/// A municipality with its police areas.
#[derive(Serialize, ToSchema)]
pub struct MunicipalityDetail {
    #[serde(flatten)]
    pub municipality: Municipality,
    /// The local police areas that cover it (usually one; large cities have several).
    pub police_areas: Vec<PoliceArea>,
}

/// A promise document in lists.
#[derive(Serialize, ToSchema)]
pub struct PromiseSummary {
    pub id: String,
    pub title: String,
    pub year: i64,
    pub status: Status,
    pub period: Period,
    pub police_area: String,
    /// First day in force (Europe/Stockholm); null when unknown.
    #[schema(value_type = Option<String>, format = Date)]
    pub valid_from: Option<lofte_domain::IsoDate>,
    /// Last day in force, once known.
    #[schema(value_type = Option<String>, format = Date)]
    pub valid_to: Option<lofte_domain::IsoDate>,
    /// What the promise is on the day asked for (`at`, else today): `upcoming`, `in_force`,
    /// `superseded`, `ended`, `withdrawn` or `never_in_force`. (`status` is the lifecycle state:
    /// a promise signed to start later is already `in_force` there, and the one it replaces
    /// already `superseded`.)
    #[schema(example = "in_force")]
    pub standing: &'static str,
}

/// The answer of the validation endpoint for a valid document.
#[derive(Serialize, ToSchema)]
pub struct ValidationReport {
    pub valid: bool,
    /// Number of documents checked.
    pub documents: usize,
}

impl From<MunicipalityRow> for Municipality {
    fn from(m: MunicipalityRow) -> Self {
        Municipality {
            code: m.code,
            name: m.name,
            slug: m.slug,
            county: County { code: m.county_code, name: m.county_name },
            police_region: m.police_region,
            in_force_promise_id: m.in_force_document_id,
        }
    }
}

impl PromiseSummary {
    fn new(d: DocumentSummary, day: lofte_domain::IsoDate) -> Self {
        let standing = lofte_domain::signing::Standing::of(d.status, d.validity, day).as_str();
        let date = |s: Option<String>| s.and_then(|s| lofte_domain::IsoDate::parse(&s));
        PromiseSummary {
            id: d.id,
            title: d.title,
            year: d.year,
            status: d.status,
            period: Period { start: date(d.period_start), end: date(d.period_end) },
            police_area: d.police_area,
            valid_from: d.validity.from,
            valid_to: d.validity.to,
            standing,
        }
    }
}

/// A municipality key in the API: its SCB code (`1785`) or its slug (`saffle`).
fn municipality_key(key: &str) -> Result<&str, ApiError> {
    let is_code = lofte_domain::MunicipalityCode::parse(key).is_some();
    let is_slug = !key.is_empty()
        && key.len() <= 100
        && key.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && key.bytes().any(|b| b.is_ascii_lowercase());
    if is_code || is_slug {
        Ok(key)
    } else {
        Err(ApiError(AppError::BadRequest(format!(
            "{key:?} är varken en kommunkod (fyra siffror, t.ex. 1785) eller ett kommunnamn i adressform (t.ex. saffle)"
        ))))
    }
}

async fn find_municipality(state: &AppState, key: &str) -> Result<MunicipalityRow, ApiError> {
    let key = municipality_key(key)?;
    municipalities::find(&state.db, key, crate::views::today()).await?.ok_or(ApiError(AppError::NotFound))
}

/// All 290 municipalities, by county.
#[utoipa::path(get, path = "/api/v1/municipalities", tag = "kommuner", summary = "Alla 290 kommuner, i länsordning",
    responses((status = 200, description = "Alla kommuner", body = [Municipality])))]
async fn list_municipalities(State(state): State<AppState>) -> Result<Json<Vec<Municipality>>, ApiError> {
    let list = municipalities::list(&state.db, crate::views::today()).await?;
    Ok(Json(list.into_iter().map(Municipality::from).collect()))
}

/// One municipality, with its police areas and the id of the promise in force.
#[utoipa::path(get, path = "/api/v1/municipalities/{code}", tag = "kommuner",
    summary = "En kommun med dess lokalpolisområden och id för det gällande medborgarlöftet",
    params(("code" = String, Path, description = "SCB-kod, fyra siffror (eller kommunens adressnamn, t.ex. saffle)", example = "1785")),
    responses(
        (status = 200, description = "Kommunen", body = MunicipalityDetail),
        (status = 400, description = "Varken kommunkod eller adressnamn", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Okänd kommun", body = Problem, content_type = "application/problem+json")))]
async fn get_municipality(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Result<Json<MunicipalityDetail>, ApiError> {
    let m = find_municipality(&state, &code).await?;
    let police_areas = municipalities::police_areas(&state.db, &m.code)
        .await?
        .into_iter()
        .map(|p| PoliceArea { name: p.name, police_region: p.police_region })
        .collect();
    Ok(Json(MunicipalityDetail { municipality: m.into(), police_areas }))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct AtParams {
    /// En dag (ÅÅÅÅ-MM-DD): svara bara med de medborgarlöften som gällde den dagen.
    #[param(value_type = Option<String>, format = Date, example = "2024-06-01")]
    at: Option<String>,
}

/// The public promise documents of a municipality, newest first; with `at`, the ones in force
/// on that day (one per police area).
#[utoipa::path(get, path = "/api/v1/municipalities/{code}/promises", tag = "kommuner",
    summary = "Kommunens publicerade medborgarlöften, nyast först; med at= de som gällde en viss dag",
    params(("code" = String, Path, description = "SCB-kod, fyra siffror (eller kommunens adressnamn, t.ex. saffle)", example = "1785"), AtParams),
    responses(
        (status = 200, description = "Kommunens medborgarlöften", body = [PromiseSummary]),
        (status = 400, description = "Varken kommunkod eller adressnamn, eller ogiltigt datum", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Okänd kommun", body = Problem, content_type = "application/problem+json")))]
async fn list_municipality_promises(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<AtParams>,
) -> Result<Json<Vec<PromiseSummary>>, ApiError> {
    let m = find_municipality(&state, &code).await?;
    let docs = municipalities::documents(&state.db, &m.code, false).await?;
    let (docs, day) = match q.at.as_deref() {
        None => (docs, crate::views::today()),
        Some(at) => {
            let day = lofte_domain::IsoDate::parse(at).ok_or_else(|| {
                ApiError(AppError::BadRequest(format!("at={at:?} är inget datum; skriv ÅÅÅÅ-MM-DD, t.ex. 2024-06-01")))
            })?;
            (docs.into_iter().filter(|d| d.validity.contains(day) && !d.validity.is_empty()).collect(), day)
        }
    };
    Ok(Json(docs.into_iter().map(|d| PromiseSummary::new(d, day)).collect()))
}

/// One promise document in the interchange format (the same JSON that `lofte import json` reads).
#[utoipa::path(get, path = "/api/v1/promises/{id}", tag = "medborgarlöften",
    summary = "Ett medborgarlöfte i utbytesformatet (samma JSON som `lofte import json` läser)",
    params(("id" = String, Path, description = "Dokumentets UUID")),
    responses(
        (status = 200, description = "Medborgarlöftet", body = PromiseDocument),
        (status = 400, description = "Inget giltigt UUID", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Okänt eller opublicerat medborgarlöfte", body = Problem, content_type = "application/problem+json")))]
async fn get_promise(State(state): State<AppState>, Path(id): Path<String>) -> Result<Json<PromiseDocument>, ApiError> {
    let id = Uuid::parse_str(&id)
        .map_err(|_| ApiError(AppError::BadRequest(format!("{id:?} är inget giltigt id (UUID)"))))?;
    let stored = promises::get(&state.db, id).await?.ok_or(ApiError(AppError::NotFound))?;
    if !stored.document.status.is_public() {
        return Err(ApiError(AppError::NotFound));
    }
    Ok(Json(stored.document))
}

/// Checks one document (or an array) in the interchange format without storing anything:
/// syntax, types, every rule, and the municipality codes against the reference data.
#[utoipa::path(post, path = "/api/v1/promises/validate", tag = "medborgarlöften",
    summary = "Kontrollera ett eller flera dokument i utbytesformatet utan att spara något",
    request_body(content = PromiseDocument, description = "Ett dokument eller en lista av dokument", content_type = "application/json"),
    responses(
        (status = 200, description = "Giltigt", body = ValidationReport),
        (status = 413, description = "För stort (över 2 MiB)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Ogiltigt; `errors` säger var och varför", body = Problem, content_type = "application/problem+json")))]
async fn validate_promise(State(state): State<AppState>, body: Bytes) -> Result<Response, ApiError> {
    let text = std::str::from_utf8(&body).map_err(|e| {
        AppError::Invalid(vec![ValidationError {
            path: format!("byte {}", e.valid_up_to()),
            message: "texten är inte UTF-8".into(),
        }])
    })?;
    let docs = parse_documents(text).map_err(|e| AppError::Invalid(vec![e]))?;
    let n = docs.len();
    promises::check(&state.db, docs).await?;
    Ok((StatusCode::OK, Json(ValidationReport { valid: true, documents: n })).into_response())
}
