//! The only crate of Löfte that knows HTTP and HTML: public pages (askama templates), the JSON
//! API (utoipa), error mapping, and the middleware stack.

mod api;
pub mod auth;
mod dialogues;
mod documents;
mod edit_form;
mod error;
mod i18n;
mod lagesbild;
pub mod mail;
mod middleware;
mod pages;
mod signing;
pub mod staff;
mod statistics;
mod survey_public;
mod survey_views;
mod surveys;
mod text_import;
mod views;

use std::time::Duration;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::routing::get;
use lofte_db::Db;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;

pub use api::openapi;
pub use error::{AppError, Problem};
pub use pages::render_promise_page;
pub use survey_public::CountsCache;

/// Largest request body accepted (413 above it).
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// Everything a handler needs. Cheap to clone.
#[derive(Clone, Debug)]
pub struct AppState {
    pub db: Db,
    /// Demo accounts may log in only while this is on.
    pub demo_enabled: bool,
    /// Session cookies carry `Secure` (set when served over https).
    pub secure_cookies: bool,
    /// Base URL for links handed out (invitations), e.g. `https://lofte.example.se`.
    pub public_url: String,
    pub throttle: auth::SharedThrottle,
    /// Sends invitation and reset links when configured.
    pub mailer: Option<std::sync::Arc<mail::Mailer>>,
    /// Behind a reverse proxy: take the client's address from the last `X-Forwarded-For` entry.
    pub trust_proxy: bool,
    /// Each survey's grouped counts, as of its number of answers.
    pub survey_counts: std::sync::Arc<CountsCache>,
}

impl AppState {
    pub fn new(db: Db) -> Self {
        AppState {
            db,
            demo_enabled: true,
            secure_cookies: false,
            public_url: "http://127.0.0.1:8080".into(),
            throttle: std::sync::Arc::new(auth::LoginThrottle::default()),
            mailer: None,
            trust_proxy: false,
            survey_counts: std::sync::Arc::new(CountsCache::default()),
        }
    }
}

/// The whole application: pages, API, health check, static files and the middleware stack.
pub fn router(state: AppState) -> Router {
    let (api_router, _spec) = api::router().split_for_parts();
    // Sessions only where people sign in: public pages never read or set a cookie.
    let sessions = tower_sessions::SessionManagerLayer::new(auth::DbSessionStore::new(state.db.clone()))
        .with_name("lofte_session")
        .with_http_only(true)
        .with_same_site(tower_sessions::cookie::SameSite::Lax)
        .with_secure(state.secure_cookies)
        .with_expiry(tower_sessions::Expiry::OnInactivity(time::Duration::hours(8)))
        // Saved on every request, so the 8 hours count from the last activity, not the login.
        .with_always_save(true);
    // Staff pages hold drafts and one-time links: never cached.
    let staff = staff::router()
        .layer(sessions)
        .layer(SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, HeaderValue::from_static("no-store")));
    Router::new()
        .route("/", get(pages::index))
        .route("/kommun/{key}", get(pages::municipality))
        .route("/kommun/{key}/lagesbild/{year}", get(lagesbild::public_page))
        .route("/lofte/{id}", get(pages::promise))
        .route("/lofte/{id}/andringar", get(pages::changes))
        .route("/lofte/{id}/forseglat.json", get(pages::sealed))
        .route("/verifiera", get(pages::verify_form).post(pages::verify))
        .route("/.well-known/lofte-seal-key", get(pages::seal_key))
        .route("/enkat/{id}", get(survey_public::form).post(survey_public::submit))
        .route("/enkat/{id}/tack", get(survey_public::thanks))
        .route("/enkat/{id}/resultat", get(survey_public::results_page))
        .route("/enkat/{id}/resultat.csv", get(survey_public::results_csv_file))
        .route("/healthz", get(pages::healthz))
        .route("/static/site.css", get(pages::stylesheet))
        .route("/api/openapi.json", get(api::openapi_json))
        .merge(api_router)
        .merge(staff)
        .fallback(pages::not_found)
        .with_state(state)
        // Layers listed first run innermost.
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        // Cross-site form posts are refused (Sec-Fetch-Site / Origin), without tokens in forms.
        .layer(tower_http::csrf::CsrfLayer::new())
        .layer(TimeoutLayer::with_status_code(axum::http::StatusCode::SERVICE_UNAVAILABLE, Duration::from_secs(30)))
        .layer(axum::middleware::from_fn(middleware::normalise_errors))
        .layer(axum::middleware::from_fn(middleware::record_metrics))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::if_not_present(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
            ),
        ))
        .layer(CatchPanicLayer::custom(middleware::panic_response))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
}

/// Serves the application until `shutdown` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // `/kommun/saffle/` is `/kommun/saffle`: the trailing slash is trimmed before routing.
    let app =
        tower::Layer::layer(&tower_http::normalize_path::NormalizePathLayer::trim_trailing_slash(), router(state));
    let app =
        axum::ServiceExt::<axum::extract::Request>::into_make_service_with_connect_info::<std::net::SocketAddr>(app);
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await
}

/// Serves `GET /metrics` (Prometheus text format) on its own listener, so metrics are never
/// exposed on the public address by accident.
pub async fn serve_metrics(
    listener: tokio::net::TcpListener,
    render: impl Fn() -> String + Clone + Send + Sync + 'static,
) -> std::io::Result<()> {
    let app = Router::new().route(
        "/metrics",
        get(move || {
            let render = render.clone();
            async move { ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], render()) }
        }),
    );
    axum::serve(listener, app).await
}
