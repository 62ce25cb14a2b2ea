//! Cross-cutting middleware: every error response gets the right form (problem JSON under
//! `/api`, a Swedish HTML page elsewhere), and every request is counted for Prometheus.

use std::any::Any;
use std::time::Instant;

use axum::body::Body;
use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::Problem;

/// Rewrites error responses produced outside our handlers (axum's 404/405, body-limit 413,
/// extractor rejections, timeouts) into the site's forms. Our own errors already have them.
/// The original bodies are English and technical, so only the status is kept.
pub async fn normalise_errors(req: Request, next: Next) -> Response {
    let is_api = req.uri().path().starts_with("/api/");
    let is_health = req.uri().path() == "/healthz";
    let res = next.run(req).await;
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) || is_health {
        return res;
    }
    let content_type = res.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let allow = res.headers().get(header::ALLOW).cloned();
    let mut fixed = if is_api {
        if content_type.starts_with("application/problem+json") {
            return res;
        }
        Problem::new(status, None).into_response()
    } else {
        if content_type.starts_with("text/html") {
            return res;
        }
        crate::pages::error_page(status, None)
    };
    if let Some(allow) = allow {
        fixed.headers_mut().insert(header::ALLOW, allow);
    }
    fixed
}

pub async fn record_metrics(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let route =
        req.extensions().get::<MatchedPath>().map(|p| p.as_str().to_owned()).unwrap_or_else(|| "unmatched".to_owned());
    // Only known methods become labels: a client must not grow the metrics without bound.
    let method = match req.method().as_str() {
        m @ ("GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS") => m.to_owned(),
        _ => "other".to_owned(),
    };
    let res = next.run(req).await;
    let status = res.status().as_u16().to_string();
    metrics::counter!("lofte_http_requests_total", "route" => route.clone(), "method" => method, "status" => status)
        .increment(1);
    metrics::histogram!("lofte_http_request_duration_seconds", "route" => route)
        .record(started.elapsed().as_secs_f64());
    res
}

/// A panic in a handler is a bug; the person still gets a proper page and the cause is logged.
pub fn panic_response(err: Box<dyn Any + Send + 'static>) -> Response<Body> {
    let cause = err
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| err.downcast_ref::<&str>().copied())
        .unwrap_or("unknown panic");
    tracing::error!(%cause, "handler panicked");
    let mut res = crate::pages::error_page(StatusCode::INTERNAL_SERVER_ERROR, None);
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}
