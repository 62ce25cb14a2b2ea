//! Errors at the HTTP edge, mapped to responses in one place: an HTML page in Swedish for the
//! site, an RFC 9457 problem document (Swedish `title`) for the API. Internal causes are logged
//! and never shown.

use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use lofte_db::DbError;
use lofte_domain::ValidationError;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("invalid document")]
    Invalid(Vec<ValidationError>),
    #[error("internal: {0}")]
    Internal(String),
    #[error("unavailable: {0}")]
    Unavailable(String),
    #[error("forbidden")]
    Forbidden,
    #[error("gone")]
    Gone,
    /// The request conflicts with the state of things; the text says so in Swedish.
    #[error("conflict: {0}")]
    Conflict(String),
}

impl From<DbError> for AppError {
    fn from(e: DbError) -> Self {
        match e {
            DbError::NotFound => AppError::NotFound,
            DbError::Invalid(errors) => AppError::Invalid(errors),
            DbError::Transition(t) => AppError::Conflict(format!("{}.", capitalize(&t.to_string()))),
            DbError::Stale(_) => {
                AppError::Conflict("Dokumentet har ändrats sedan du öppnade sidan. Ladda om och försök igen.".into())
            }
            DbError::NotDraft => AppError::Conflict("Bara ett utkast kan ändras.".into()),
            other => AppError::Internal(other.to_string()),
        }
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::Internal(format!("template: {e}"))
    }
}

/// An RFC 9457 problem document.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// Always `about:blank`: `code` carries the stable machine-readable kind.
    #[serde(rename = "type")]
    pub kind: String,
    /// Short Swedish summary.
    pub title: String,
    pub status: u16,
    /// Swedish explanation for this occurrence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Stable snake_case code, e.g. `not_found`, `invalid_document`.
    pub code: String,
    /// Validation problems with JSON paths, for `invalid_document`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ValidationError>,
}

/// Swedish title and stable code for a status.
pub fn describe(status: StatusCode) -> (&'static str, &'static str) {
    match status.as_u16() {
        400 => ("Felaktig begäran", "bad_request"),
        401 => ("Inloggning krävs", "unauthorized"),
        403 => ("Åtkomst nekad", "forbidden"),
        409 => ("Konflikt", "conflict"),
        410 => ("Finns inte längre", "gone"),
        404 => ("Hittades inte", "not_found"),
        405 => ("Metoden stöds inte", "method_not_allowed"),
        406 => ("Formatet kan inte levereras", "not_acceptable"),
        408 => ("Begäran tog för lång tid", "request_timeout"),
        413 => ("Begäran är för stor", "payload_too_large"),
        415 => ("Innehållstypen stöds inte", "unsupported_media_type"),
        422 => ("Dokumentet är inte giltigt", "invalid_document"),
        429 => ("För många förfrågningar", "too_many_requests"),
        503 => ("Tjänsten är inte tillgänglig just nu", "unavailable"),
        s if s >= 500 => ("Ett internt fel inträffade", "internal_error"),
        _ => ("Fel", "error"),
    }
}

impl Problem {
    pub fn new(status: StatusCode, detail: Option<String>) -> Self {
        let (title, code) = describe(status);
        Problem {
            kind: "about:blank".into(),
            title: title.into(),
            status: status.as_u16(),
            detail,
            code: code.into(),
            errors: Vec::new(),
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut res = (status, Json(self)).into_response();
        res.headers_mut().insert(header::CONTENT_TYPE, header::HeaderValue::from_static("application/problem+json"));
        res
    }
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::Gone => StatusCode::GONE,
            AppError::Conflict(_) => StatusCode::CONFLICT,
        }
    }

    fn log(&self) {
        match self {
            AppError::Internal(cause) => tracing::error!(%cause, "internal error"),
            AppError::Unavailable(cause) => tracing::warn!(%cause, "unavailable"),
            _ => {}
        }
    }

    /// The API form of this error.
    pub fn problem(self) -> Problem {
        self.log();
        let status = self.status();
        match self {
            AppError::BadRequest(detail) | AppError::Conflict(detail) => Problem::new(status, Some(detail)),
            AppError::Invalid(errors) => Problem {
                errors,
                ..Problem::new(status, Some("Se listan errors för vad som behöver rättas.".into()))
            },
            _ => Problem::new(status, None),
        }
    }
}

/// API handlers return `ApiError`, pages return `AppError`.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.0.problem().into_response()
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        self.log();
        let status = self.status();
        let detail = match &self {
            AppError::BadRequest(d) | AppError::Conflict(d) => Some(d.clone()),
            AppError::Invalid(errors) => Some(errors.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join("; ")),
            _ => None,
        };
        crate::pages::error_page(status, detail)
    }
}
