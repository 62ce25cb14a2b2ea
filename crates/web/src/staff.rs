//! The staff side: login, logout, password change, the workspace, invitations. Every route that
//! needs a signed-in person is declared in [`ROUTES`] with who may use it; the authorisation
//! matrix test walks that table, so a new route cannot be left out of it.

use std::net::SocketAddr;

use askama::Template;
use axum::Form;
use axum::Router;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{MethodRouter, get, post};
use lofte_db::{DbError, accounts};
use lofte_domain::auth::{Role, Staff, normalize_email, password_problem};
use serde::Deserialize;
use tower_sessions::Session;

use crate::AppState;
use crate::auth::{
    ACCOUNT_KEY, CurrentStaff, PASSWORD_KEY, hash_password, new_token, safe_next, token_hash, verify_password,
};
use crate::error::AppError;

/// Who may use a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Anyone signed in.
    Staff,
    /// System administrators only.
    Admin,
    /// Staff of an organisation party to the document `{id}` (and admins).
    DocumentRead,
    /// Editors of an organisation party to the document `{id}` (and admins).
    DocumentEdit,
    /// Signatories of an organisation party to the document `{id}` (not admins: signing and
    /// withdrawing are the parties' decisions).
    DocumentSign,
    /// Staff of the municipality of the survey `{survey}` or of its police areas (and admins).
    SurveyRead,
    /// Editors of the municipality of the survey `{survey}` or of its police areas (and admins).
    SurveyEdit,
    /// Editors of the municipality `{code}` or of its police areas (and admins).
    MunicipalityEdit,
    /// Staff of the municipality of the dialogue `{id}` or of a police area covering it (and
    /// admins).
    DialogueRead,
    /// Editors of the municipality of the dialogue `{id}` or of a police area covering it (and
    /// admins).
    DialogueEdit,
    /// Editors of any organisation (and admins): shared statistics.
    AnyEditor,
    /// Staff of the municipalities of the lägesbild `{id}` or of a police area covering them (and
    /// admins).
    LagesbildRead,
    /// Editors of the municipality of the lägesbild `{id}` or of a police area covering it (and
    /// admins).
    LagesbildEdit,
}

/// A staff route: method, path, and who may use it.
#[derive(Clone, Copy, Debug)]
pub struct RouteSpec {
    pub method: &'static str,
    pub path: &'static str,
    pub access: Access,
}

/// Every route behind login, with its handler. `router()` registers exactly these, and
/// [`route_specs`] lists them for the authorisation matrix test.
fn staff_routes() -> Vec<(RouteSpec, MethodRouter<AppState>)> {
    let spec = |method, path, access| RouteSpec { method, path, access };
    vec![
        (spec("GET", "/arbetsyta", Access::Staff), get(workspace)),
        (spec("GET", "/konto/losenord", Access::Staff), get(password_form)),
        (spec("POST", "/konto/losenord", Access::Staff), post(change_password)),
        (spec("POST", "/logga-ut", Access::Staff), post(logout)),
        (spec("POST", "/arbetsyta/nytt", Access::Staff), post(crate::documents::create)),
        (spec("GET", "/arbetsyta/importera", Access::Staff), get(crate::text_import::form)),
        (spec("POST", "/arbetsyta/importera", Access::Staff), post(crate::text_import::read)),
        (spec("GET", "/arbetsyta/lofte/{id}", Access::DocumentRead), get(crate::documents::overview)),
        (spec("GET", "/arbetsyta/lofte/{id}/forhandsgranska", Access::DocumentRead), get(crate::documents::preview)),
        (spec("GET", "/arbetsyta/lofte/{id}/jamfor", Access::DocumentRead), get(crate::documents::compare)),
        (spec("GET", "/arbetsyta/lofte/{id}/redigera", Access::DocumentEdit), get(crate::documents::edit_form)),
        (spec("POST", "/arbetsyta/lofte/{id}/redigera", Access::DocumentEdit), post(crate::documents::edit)),
        (spec("POST", "/arbetsyta/lofte/{id}/las", Access::DocumentEdit), post(crate::signing::freeze)),
        (spec("POST", "/arbetsyta/lofte/{id}/underteckna", Access::DocumentSign), post(crate::signing::sign)),
        (
            spec("POST", "/arbetsyta/lofte/{id}/pappersunderskrift", Access::DocumentEdit),
            post(crate::signing::register_paper),
        ),
        (spec("POST", "/arbetsyta/lofte/{id}/oppna", Access::DocumentEdit), post(crate::signing::reopen)),
        (spec("POST", "/arbetsyta/lofte/{id}/aterkalla", Access::DocumentSign), post(crate::signing::withdraw)),
        (spec("GET", "/arbetsyta/enkater", Access::Staff), get(crate::surveys::list)),
        (spec("POST", "/arbetsyta/enkater", Access::Staff), post(crate::surveys::create)),
        (spec("GET", "/arbetsyta/enkater/{survey}", Access::SurveyRead), get(crate::surveys::overview)),
        (spec("POST", "/arbetsyta/enkater/{survey}", Access::SurveyEdit), post(crate::surveys::save_settings)),
        (
            spec("POST", "/arbetsyta/enkater/{survey}/fragor", Access::SurveyEdit),
            post(crate::surveys::change_questions),
        ),
        (
            spec("GET", "/arbetsyta/enkater/{survey}/fragor/{question}", Access::SurveyEdit),
            get(crate::surveys::question_form),
        ),
        (
            spec("POST", "/arbetsyta/enkater/{survey}/fragor/{question}", Access::SurveyEdit),
            post(crate::surveys::save_question),
        ),
        (spec("POST", "/arbetsyta/enkater/{survey}/koder", Access::SurveyEdit), post(crate::surveys::make_codes)),
        (spec("GET", "/arbetsyta/enkater/{survey}/importera", Access::SurveyEdit), get(crate::surveys::import_form)),
        (spec("POST", "/arbetsyta/enkater/{survey}/importera", Access::SurveyEdit), post(crate::surveys::import)),
        (spec("GET", "/arbetsyta/enkater/{survey}/svar.csv", Access::SurveyRead), get(crate::surveys::export)),
        (spec("GET", "/arbetsyta/enkater/{survey}/resultat", Access::SurveyRead), get(crate::surveys::results)),
        (
            spec("POST", "/arbetsyta/enkater/{survey}/befolkning", Access::SurveyEdit),
            post(crate::surveys::upload_population),
        ),
        (spec("GET", "/arbetsyta/enkater/{survey}/fritext", Access::SurveyRead), get(crate::surveys::free_texts)),
        (
            spec("POST", "/arbetsyta/enkater/{survey}/fritext/{text}", Access::SurveyEdit),
            post(crate::surveys::save_free_text),
        ),
        (spec("GET", "/arbetsyta/delomraden/{code}", Access::MunicipalityEdit), get(crate::surveys::sub_areas_form)),
        (spec("POST", "/arbetsyta/delomraden/{code}", Access::MunicipalityEdit), post(crate::surveys::save_sub_areas)),
        (spec("GET", "/arbetsyta/dialoger", Access::Staff), get(crate::dialogues::index)),
        (spec("GET", "/arbetsyta/dialoger/ny", Access::Staff), get(crate::dialogues::new_form)),
        (spec("POST", "/arbetsyta/dialoger/ny", Access::Staff), post(crate::dialogues::create)),
        (spec("GET", "/arbetsyta/dialoger/{id}", Access::DialogueRead), get(crate::dialogues::view)),
        (spec("GET", "/arbetsyta/dialoger/{id}/redigera", Access::DialogueEdit), get(crate::dialogues::edit_form)),
        (spec("POST", "/arbetsyta/dialoger/{id}/redigera", Access::DialogueEdit), post(crate::dialogues::edit)),
        (spec("POST", "/arbetsyta/dialoger/{id}/ta-bort", Access::DialogueEdit), post(crate::dialogues::delete)),
        (spec("GET", "/arbetsyta/statistik", Access::Staff), get(crate::statistics::index)),
        (spec("POST", "/arbetsyta/statistik/importera", Access::AnyEditor), post(crate::statistics::upload)),
        (spec("GET", "/arbetsyta/statistik/indikator", Access::Staff), get(crate::statistics::indicator)),
        (spec("POST", "/arbetsyta/statistik/indikator", Access::AnyEditor), post(crate::statistics::save_indicator)),
        (spec("GET", "/arbetsyta/statistik/ny-indikator", Access::AnyEditor), get(crate::statistics::new_indicator)),
        (spec("POST", "/arbetsyta/statistik/varde", Access::AnyEditor), post(crate::statistics::save_value)),
        (spec("GET", "/arbetsyta/lagesbild", Access::Staff), get(crate::lagesbild::index)),
        (spec("POST", "/arbetsyta/lagesbild", Access::Staff), post(crate::lagesbild::create)),
        (spec("GET", "/arbetsyta/lagesbild/{id}", Access::LagesbildRead), get(crate::lagesbild::view)),
        (spec("GET", "/arbetsyta/lagesbild/{id}/redigera", Access::LagesbildEdit), get(crate::lagesbild::edit_form)),
        (spec("POST", "/arbetsyta/lagesbild/{id}/redigera", Access::LagesbildEdit), post(crate::lagesbild::edit)),
        (spec("POST", "/arbetsyta/lagesbild/{id}/fokus", Access::LagesbildEdit), post(crate::lagesbild::focus)),
        (spec("POST", "/arbetsyta/lagesbild/{id}/faststall", Access::LagesbildEdit), post(crate::lagesbild::snapshot)),
        (
            spec("GET", "/arbetsyta/lagesbild/{id}/version/{snapshot}", Access::LagesbildRead),
            get(crate::lagesbild::snapshot_view),
        ),
        (
            spec("GET", "/arbetsyta/lagesbild/{id}/version/{snapshot}/utskrift", Access::LagesbildRead),
            get(crate::lagesbild::snapshot_print),
        ),
        (spec("GET", "/arbetsyta/lagesbild/{id}/utskrift", Access::LagesbildRead), get(crate::lagesbild::print)),
        (spec("GET", "/arbetsyta/lagesbild/{id}/lagesbild.json", Access::LagesbildRead), get(crate::lagesbild::json)),
        (spec("GET", "/arbetsyta/problem", Access::Staff), get(crate::dialogues::problem_list)),
        (spec("POST", "/arbetsyta/problem", Access::Staff), post(crate::dialogues::add_problem)),
        (spec("GET", "/arbetsyta/inbjudningar", Access::Admin), get(invite_form)),
        (spec("POST", "/arbetsyta/inbjudningar", Access::Admin), post(invite)),
    ]
}

/// The staff routes and who may use them.
pub fn route_specs() -> Vec<RouteSpec> {
    staff_routes().into_iter().map(|(spec, _)| spec).collect()
}

/// Staff routes plus the public ones of signing in (login, invitations).
pub fn router() -> Router<AppState> {
    let public = Router::new()
        .route("/logga-in", get(login_form).post(login))
        .route("/inbjudan/{token}", get(invitation_form).post(accept_invitation))
        .route("/glomt-losenord", get(forgot_form).post(forgot))
        .route("/aterstall/{token}", get(reset_form).post(reset));
    staff_routes().into_iter().fold(public, |r, (spec, handler)| r.route(spec.path, handler))
}

/// Why a new password (typed twice) is refused, in Swedish.
fn new_password_problem(new: &str, repeat: &str, email: &str) -> Option<String> {
    password_problem(new, email).or_else(|| (new != repeat).then(|| "De två lösenorden är inte lika.".to_owned()))
}

/// Whether a link token has the shape of ours (checked before any lookup).
fn token_shape_ok(token: &str) -> bool {
    token.len() <= 100 && token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn page(status: StatusCode, t: &impl Template) -> Result<Response, AppError> {
    Ok((status, Html(t.render()?)).into_response())
}

fn forbidden() -> AppError {
    AppError::Forbidden
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    search_value: String,
    next: String,
    email: String,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct NextParam {
    #[serde(default)]
    nasta: String,
}

async fn login_form(Query(q): Query<NextParam>) -> Result<Response, AppError> {
    let next = safe_next(&q.nasta).to_owned();
    page(StatusCode::OK, &LoginPage { search_value: String::new(), next, email: String::new(), error: None })
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    nasta: String,
}

/// Checks the password; on success renews the session id and goes where the person was headed.
/// A wrong address and a wrong password get the same answer, in the same time.
async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: axum::http::HeaderMap,
    session: Session,
    Form(form): Form<LoginForm>,
) -> Result<Response, AppError> {
    let email_key = form.email.trim().to_lowercase();
    let ip = crate::auth::client_ip(&headers, peer, state.trust_proxy);
    let next = safe_next(&form.nasta).to_owned();
    let again = |status: StatusCode, error: String| {
        page(
            status,
            &LoginPage {
                search_value: String::new(),
                next: next.clone(),
                email: form.email.clone(),
                error: Some(error),
            },
        )
    };
    if let Some(wait) = state.throttle.attempt(&email_key, &ip) {
        let minutes = wait.as_secs().div_ceil(60).max(1);
        return again(
            StatusCode::TOO_MANY_REQUESTS,
            format!("För många misslyckade inloggningar. Vänta {minutes} minuter och försök igen."),
        );
    }
    let row = match normalize_email(&form.email) {
        Some(email) if form.password.len() <= 1024 => accounts::login_row(&state.db, &email).await?,
        _ => None,
    };
    let usable = row.as_ref().filter(|r| !r.is_demo || state.demo_enabled);
    let ok = verify_password(form.password.clone(), usable.and_then(|r| r.password_hash.clone())).await?;
    let Some(account) = usable.filter(|_| ok) else {
        tracing::info!("login failed");
        return again(StatusCode::UNAUTHORIZED, "Fel e-postadress eller lösenord.".into());
    };
    state.throttle.succeed(&email_key, &ip);
    session.cycle_id().await.map_err(|e| AppError::Internal(e.to_string()))?;
    session.insert(ACCOUNT_KEY, &account.id).await.map_err(|e| AppError::Internal(e.to_string()))?;
    let since = accounts::staff(&state.db, &account.id).await?.and_then(|s| s.password_changed_at);
    session.insert(PASSWORD_KEY, since).await.map_err(|e| AppError::Internal(e.to_string()))?;
    tracing::info!(account = %account.id, "login");
    Ok(Redirect::to(&next).into_response())
}

async fn logout(CurrentStaff(_, session): CurrentStaff) -> Result<Response, AppError> {
    session.flush().await.map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(Redirect::to("/").into_response())
}

struct OrgView {
    name: String,
    role: &'static str,
    documents: Vec<DocRow>,
    /// Municipalities this person may start a draft for through this organisation: (code, name).
    new_draft: Vec<(String, String)>,
    /// The organisation's municipalities with the day their last lägesbild was fixed (if any) and
    /// whether that is more than two years ago (or never).
    lagesbild: Vec<(String, String, Option<String>, bool)>,
}

struct DocRow {
    id: String,
    title: String,
    year: i64,
    status: &'static str,
    updated: String,
}

#[derive(Template)]
#[template(path = "workspace.html")]
struct WorkspacePage {
    search_value: String,
    staff: Staff,
    orgs: Vec<OrgView>,
    /// For administrators: the latest documents of every organisation.
    all: Vec<DocRow>,
}

fn doc_row(d: accounts::WorkspaceDocument) -> DocRow {
    DocRow {
        status: crate::views::status_label(d.status, d.validity, d.signed),
        updated: d.updated_at.get(..16).unwrap_or(&d.updated_at).replace('T', " "),
        id: d.id,
        title: d.title,
        year: d.year,
    }
}

/// The start page: my organisations and their documents, newest change first.
async fn workspace(State(state): State<AppState>, CurrentStaff(staff, _): CurrentStaff) -> Result<Response, AppError> {
    let mut orgs = Vec::new();
    for (org, role) in &staff.memberships {
        let name = match accounts::org_name(&state.db, org).await {
            Ok(n) => n,
            Err(DbError::NotFound) => continue,
            Err(e) => return Err(e.into()),
        };
        let documents = accounts::documents_of(&state.db, org).await?.into_iter().map(doc_row).collect();
        let codes = match org {
            lofte_domain::auth::Org::Municipality(code) => vec![code.clone()],
            lofte_domain::auth::Org::PoliceArea(id) => {
                lofte_db::police_areas::get(&state.db, id).await?.map(|p| p.municipalities).unwrap_or_default()
            }
        };
        let mut municipalities = Vec::new();
        for code in codes {
            if let Some(m) = lofte_db::municipalities::find(&state.db, &code, crate::views::today()).await? {
                municipalities.push((m.code, m.name));
            }
        }
        let today = crate::views::today().0;
        let mut lagesbild = Vec::new();
        for (code, name) in &municipalities {
            let last = lofte_db::lagesbild::last_snapshot_on(&state.db, code).await?;
            let overdue =
                last.as_deref().and_then(lofte_domain::IsoDate::parse).is_none_or(|d| (today - d.0).whole_days() > 730);
            lagesbild.push((code.clone(), name.clone(), last, overdue));
        }
        let new_draft = if *role == Role::Editor { municipalities } else { Vec::new() };
        orgs.push(OrgView { name, role: role.label_sv(), documents, new_draft, lagesbild });
    }
    let all = if staff.is_admin {
        accounts::recent_documents(&state.db, 100).await?.into_iter().map(doc_row).collect()
    } else {
        Vec::new()
    };
    page(StatusCode::OK, &WorkspacePage { search_value: String::new(), staff, orgs, all })
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    search_value: String,
    done: bool,
    error: Option<String>,
}

async fn password_form(CurrentStaff(..): CurrentStaff) -> Result<Response, AppError> {
    page(StatusCode::OK, &PasswordPage { search_value: String::new(), done: false, error: None })
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    repeat: String,
}

async fn change_password(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: axum::http::HeaderMap,
    CurrentStaff(staff, session): CurrentStaff,
    Form(form): Form<PasswordForm>,
) -> Result<Response, AppError> {
    // Guessing the current password counts like failed logins.
    let ip = crate::auth::client_ip(&headers, peer, state.trust_proxy);
    if state.throttle.attempt(&staff.email, &ip).is_some() {
        return page(
            StatusCode::TOO_MANY_REQUESTS,
            &PasswordPage {
                search_value: String::new(),
                done: false,
                error: Some("För många försök. Vänta 15 minuter och försök igen.".into()),
            },
        );
    }
    let refuse = |e: &str| {
        page(
            StatusCode::UNPROCESSABLE_ENTITY,
            &PasswordPage { search_value: String::new(), done: false, error: Some(e.to_owned()) },
        )
    };
    let hash = accounts::password_hash(&state.db, &staff.id).await?;
    if form.current.len() > 1024 || !verify_password(form.current, hash).await? {
        return refuse("Det nuvarande lösenordet stämmer inte.");
    }
    if let Some(problem) = new_password_problem(&form.new, &form.repeat, &staff.email) {
        return refuse(&problem);
    }
    let hash = hash_password(form.new).await?;
    let since = accounts::set_password(&state.db, &staff.id, &hash).await?;
    state.throttle.succeed(&staff.email, &ip);
    // This session lives on with the new password; every other one ends.
    session.cycle_id().await.map_err(|e| AppError::Internal(e.to_string()))?;
    session.insert(PASSWORD_KEY, Some(since)).await.map_err(|e| AppError::Internal(e.to_string()))?;
    page(StatusCode::OK, &PasswordPage { search_value: String::new(), done: true, error: None })
}

#[derive(Deserialize, Default, Clone)]
pub struct InviteForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    org: String,
    #[serde(default)]
    role: String,
}

#[derive(Template)]
#[template(path = "invite_new.html")]
struct InvitePage {
    search_value: String,
    form: InviteForm,
    roles: Vec<(&'static str, &'static str)>,
    errors: Vec<String>,
    link: Option<String>,
    invited: String,
    notice: Option<String>,
}

fn roles() -> Vec<(&'static str, &'static str)> {
    Role::ALL.iter().map(|r| (r.as_str(), r.label_sv())).collect()
}

async fn invite_form(CurrentStaff(staff, _): CurrentStaff) -> Result<Response, AppError> {
    if !staff.is_admin {
        return Err(forbidden());
    }
    let form = InviteForm { role: "editor".into(), ..InviteForm::default() };
    page(
        StatusCode::OK,
        &InvitePage {
            search_value: String::new(),
            form,
            roles: roles(),
            errors: vec![],
            link: None,
            invited: String::new(),
            notice: None,
        },
    )
}

/// Days an invitation link stays valid.
pub const INVITATION_DAYS: i64 = 7;

/// Creates an invitation and returns its link path (`/inbjudan/{token}`).
pub async fn create_invitation(
    state: &AppState,
    email: &str,
    name: &str,
    org_key: &str,
    role: &str,
    created_by: Option<&str>,
) -> Result<String, Vec<String>> {
    let mut errors = Vec::new();
    let email = normalize_email(email);
    if email.is_none() {
        errors.push("Ange en giltig e-postadress.".to_owned());
    }
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
        errors.push("Ange personens namn (högst 200 tecken).".to_owned());
    }
    let role = Role::parse(role);
    if role.is_none() {
        errors.push("Välj en roll: läsare, redaktör eller firmatecknare.".to_owned());
    }
    let org = match accounts::find_org(&state.db, org_key).await {
        Ok(Some(org)) => Some(org),
        Ok(None) => {
            errors.push(format!("Ingen kommun eller lokalpolisområde heter eller har koden ”{}”.", org_key.trim()));
            None
        }
        Err(e) => return Err(vec![format!("Databasfel: {e}")]),
    };
    let (Some(email), Some(role), Some(org), true) = (email, role, org, errors.is_empty()) else {
        return Err(errors);
    };
    let (token, hash) = new_token();
    let expires = lofte_db::time_text(time::OffsetDateTime::now_utc() + time::Duration::days(INVITATION_DAYS));
    accounts::create_invitation(
        &state.db,
        accounts::NewInvitation {
            token_hash: &hash,
            email: &email,
            name,
            org: &org,
            role,
            created_by,
            expires_at: &expires,
        },
    )
    .await
    .map_err(|e| vec![format!("Databasfel: {e}")])?;
    Ok(format!("/inbjudan/{token}"))
}

async fn invite(
    State(state): State<AppState>,
    CurrentStaff(staff, _): CurrentStaff,
    Form(form): Form<InviteForm>,
) -> Result<Response, AppError> {
    if !staff.is_admin {
        return Err(forbidden());
    }
    match create_invitation(&state, &form.email, &form.name, &form.org, &form.role, Some(&staff.id)).await {
        Ok(path) => {
            let link = format!("{}{path}", state.public_url);
            let invited = form.name.trim().to_owned();
            let blank = InviteForm { role: "editor".into(), ..InviteForm::default() };
            let mailed = match &state.mailer {
                Some(mailer) => {
                    let body = format!(
                        "Hej {invited}!\n\n{} har bjudit in dig till Löfte, där kommunen och polisen skriver \
                         medborgarlöften.\n\nÖppna länken och välj ett lösenord. Den fungerar en gång och gäller i \
                         {INVITATION_DAYS} dagar:\n{link}\n",
                        staff.name
                    );
                    Some(mailer.send(&form.email.trim().to_lowercase(), "Inbjudan till Löfte", body).await)
                }
                None => None,
            };
            let (notice, link) = match mailed {
                Some(Ok(())) => (Some(format!("Inbjudan är skickad till {}.", form.email.trim())), None),
                Some(Err(e)) => (Some(format!("{e}. Lämna länken själv:")), Some(link)),
                None => (None, Some(link)),
            };
            page(
                StatusCode::OK,
                &InvitePage {
                    search_value: String::new(),
                    form: blank,
                    roles: roles(),
                    errors: vec![],
                    link,
                    invited,
                    notice,
                },
            )
        }
        Err(errors) => page(
            StatusCode::UNPROCESSABLE_ENTITY,
            &InvitePage {
                search_value: String::new(),
                form,
                roles: roles(),
                errors,
                link: None,
                invited: String::new(),
                notice: None,
            },
        ),
    }
}

#[derive(Template)]
#[template(path = "invite_accept.html")]
struct AcceptPage {
    search_value: String,
    /// "läsare" when the account already has a role there.
    current_role: Option<&'static str>,
    token: String,
    name: String,
    email: String,
    role: &'static str,
    org: String,
    account_exists: bool,
    error: Option<String>,
}

async fn accept_page(
    state: &AppState,
    token: &str,
    status: StatusCode,
    error: Option<String>,
) -> Result<Response, AppError> {
    if !token_shape_ok(token) {
        return Err(AppError::NotFound);
    }
    let Some(inv) = accounts::pending_invitation(&state.db, &token_hash(token), &lofte_db::now_text()).await? else {
        return Err(AppError::Gone);
    };
    let org = accounts::org_name(&state.db, &inv.org).await?;
    page(
        status,
        &AcceptPage {
            search_value: String::new(),
            token: token.to_owned(),
            name: inv.name,
            email: inv.email,
            role: inv.role.label_sv(),
            org,
            account_exists: inv.account_exists,
            current_role: inv.current_role.filter(|r| *r != inv.role).map(|r| r.label_sv()),
            error,
        },
    )
}

async fn invitation_form(State(state): State<AppState>, Path(token): Path<String>) -> Result<Response, AppError> {
    accept_page(&state, &token, StatusCode::OK, None).await
}

async fn accept_invitation(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Form(form): Form<PasswordForm>,
) -> Result<Response, AppError> {
    let hash = token_hash(&token);
    let Some(inv) = accounts::pending_invitation(&state.db, &hash, &lofte_db::now_text()).await? else {
        return Err(AppError::Gone);
    };
    let password_hash = if inv.account_exists {
        None
    } else {
        if let Some(problem) = new_password_problem(&form.new, &form.repeat, &inv.email) {
            return accept_page(&state, &token, StatusCode::UNPROCESSABLE_ENTITY, Some(problem)).await;
        }
        Some(hash_password(form.new).await?)
    };
    match accounts::accept_invitation(&state.db, &hash, &lofte_db::now_text(), password_hash.as_deref()).await {
        Ok(_) => Ok(Redirect::to("/logga-in?nasta=/arbetsyta").into_response()),
        Err(DbError::NotFound) => Err(AppError::Gone),
        Err(e) => Err(e.into()),
    }
}

/// Hours a password reset link stays valid.
pub const RESET_HOURS: i64 = 2;

#[derive(Template)]
#[template(path = "forgot.html")]
struct ForgotPage {
    search_value: String,
    message: Option<String>,
}

async fn forgot_form() -> Result<Response, AppError> {
    page(StatusCode::OK, &ForgotPage { search_value: String::new(), message: None })
}

#[derive(Deserialize)]
pub struct ForgotForm {
    #[serde(default)]
    email: String,
}

/// Creates a reset link for an address and returns its path, if the address has an account.
pub async fn create_password_reset(state: &AppState, email: &str) -> Result<Option<String>, AppError> {
    let Some(email) = normalize_email(email) else { return Ok(None) };
    let (token, hash) = new_token();
    let expires = lofte_db::time_text(time::OffsetDateTime::now_utc() + time::Duration::hours(RESET_HOURS));
    Ok(accounts::create_password_reset(&state.db, &email, &hash, &expires)
        .await?
        .then(|| format!("/aterstall/{token}")))
}

/// The answer is the same whether or not the address has an account, and the mail is sent in
/// the background, so neither the text nor the time tells.
async fn forgot(State(state): State<AppState>, Form(form): Form<ForgotForm>) -> Result<Response, AppError> {
    let key = format!("reset:{}", form.email.trim().to_lowercase());
    if state.throttle.attempt_reset(&key).is_some() {
        let message = "För många förfrågningar. Vänta en stund och försök igen.".to_owned();
        return page(
            StatusCode::TOO_MANY_REQUESTS,
            &ForgotPage { search_value: String::new(), message: Some(message) },
        );
    }
    let message = match state.mailer.clone() {
        Some(mailer) => {
            let state = state.clone();
            let email = form.email.clone();
            tokio::spawn(async move {
                match create_password_reset(&state, &email).await {
                    Ok(Some(path)) => {
                        let body = format!(
                            "Hej!\n\nNågon (förhoppningsvis du) bad om ett nytt lösenord till Löfte. Öppna länken inom \
                             {RESET_HOURS} timmar för att välja ett:\n{}{path}\n\nOm det inte var du kan du strunta i det här \
                             brevet.\n",
                            state.public_url
                        );
                        if let Err(e) =
                            mailer.send(&email.trim().to_lowercase(), "Nytt lösenord till Löfte", body).await
                        {
                            tracing::warn!(error = %e, "reset mail not sent");
                        }
                    }
                    Ok(None) => {}
                    Err(e) => tracing::warn!(error = %e, "reset link not created"),
                }
            });
            "Om det finns ett konto för adressen har vi skickat en länk dit. Länken gäller i två timmar."
        }
        None => {
            "Om det finns ett konto för adressen kan din administratör ge dig en länk för att välja ett nytt lösenord."
        }
    };
    page(StatusCode::OK, &ForgotPage { search_value: String::new(), message: Some(message.to_owned()) })
}

#[derive(Template)]
#[template(path = "reset.html")]
struct ResetPage {
    search_value: String,
    token: String,
    email: String,
    error: Option<String>,
}

async fn reset_page(
    state: &AppState,
    token: &str,
    status: StatusCode,
    error: Option<String>,
) -> Result<Response, AppError> {
    if !token_shape_ok(token) {
        return Err(AppError::NotFound);
    }
    let Some(email) = accounts::password_reset_email(&state.db, &token_hash(token), &lofte_db::now_text()).await?
    else {
        return Err(AppError::Gone);
    };
    page(status, &ResetPage { search_value: String::new(), token: token.to_owned(), email, error })
}

async fn reset_form(State(state): State<AppState>, Path(token): Path<String>) -> Result<Response, AppError> {
    reset_page(&state, &token, StatusCode::OK, None).await
}

async fn reset(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Form(form): Form<PasswordForm>,
) -> Result<Response, AppError> {
    let hash = token_hash(&token);
    let Some(email) = accounts::password_reset_email(&state.db, &hash, &lofte_db::now_text()).await? else {
        return Err(AppError::Gone);
    };
    if let Some(problem) = new_password_problem(&form.new, &form.repeat, &email) {
        return reset_page(&state, &token, StatusCode::UNPROCESSABLE_ENTITY, Some(problem)).await;
    }
    let password = hash_password(form.new).await?;
    match accounts::use_password_reset(&state.db, &hash, &lofte_db::now_text(), &password).await {
        Ok(()) => Ok(Redirect::to("/logga-in?nasta=/arbetsyta").into_response()),
        Err(DbError::NotFound) => Err(AppError::Gone),
        Err(e) => Err(e.into()),
    }
}
