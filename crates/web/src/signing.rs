//! Staff steps of signing, all on the document's overview page: freeze a draft, sign (with the
//! password again), register a paper signature, reopen, withdraw. A form that fails comes back
//! with the error and what was typed (never the password).

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use lofte_db::promises::Actor;
use lofte_db::signing::{self, NewSignature, RequiredParty};
use lofte_db::{DbError, accounts};
use lofte_domain::auth::{Org, Role, Staff};
use lofte_domain::signing::PartyKey;
use lofte_domain::{IsoDate, SignatureMethod};
use serde::Deserialize;

use crate::AppState;
use crate::auth::{CurrentStaff, verify_password};
use crate::documents::{Forms, overview_page, parse_id};
use crate::error::AppError;

/// The party a person may sign for in a document: the parties where they are a signatory.
pub fn signable(staff: &Staff, parties: &[Org], required: &[RequiredParty]) -> Vec<RequiredParty> {
    required
        .iter()
        .filter(|p| {
            staff.memberships.iter().any(|(org, role)| {
                *role == Role::Signatory
                    && parties.contains(org)
                    && match (&p.key, org) {
                        (PartyKey::Municipality(code), Org::Municipality(c)) => code == c,
                        (PartyKey::PoliceArea, Org::PoliceArea(_)) => true,
                        _ => false,
                    }
            })
        })
        .cloned()
        .collect()
}

/// Wrong passwords when signing are counted per person, apart from logins.
fn throttle_key(staff: &Staff) -> String {
    format!("signing:{}", staff.id)
}

fn actor(staff: &Staff) -> Actor<'_> {
    Actor { id: Some(&staff.id), name: &staff.name }
}

fn back(id: uuid::Uuid, anchor: &str) -> Response {
    Redirect::to(&format!("/arbetsyta/lofte/{id}#{anchor}")).into_response()
}

/// A refused step comes back as the overview with the message in the form it belongs to.
async fn again(
    state: &AppState,
    staff: &Staff,
    id: uuid::Uuid,
    status: StatusCode,
    forms: Forms,
) -> Result<Response, AppError> {
    overview_page(state, staff, id, status, forms).await
}

/// 422 for input to correct, 409 for a step the document's state does not allow.
fn refusal_status(e: &DbError) -> StatusCode {
    if matches!(e, DbError::Invalid(_)) { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::CONFLICT }
}

/// The Swedish message of a refused step, as a sentence.
fn message(e: DbError) -> Result<String, AppError> {
    let text = match e {
        DbError::Invalid(errors) => errors.into_iter().map(|e| e.message).collect::<Vec<_>>().join(" "),
        other => match AppError::from(other) {
            AppError::Conflict(m) => m,
            err => return Err(err),
        },
    };
    let mut chars = text.chars();
    let mut sentence: String = chars.next().map(|f| f.to_uppercase().chain(chars).collect()).unwrap_or_default();
    if !sentence.ends_with('.') {
        sentence.push('.');
    }
    Ok(sentence)
}

#[derive(Deserialize)]
pub struct FreezeForm {
    #[serde(default)]
    version: String,
}

/// Freezes the draft for signing (if nobody saved since the page was shown).
pub async fn freeze(
    State(state): State<AppState>,
    CurrentStaff(staff, _): CurrentStaff,
    Path(id): Path<String>,
    Form(form): Form<FreezeForm>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    crate::documents::authorised(&state, &staff, id, true).await?;
    let Ok(version) = form.version.trim().parse::<i64>() else {
        let forms = Forms {
            freeze_error: Some("Formuläret saknade versionsuppgift. Försök igen.".into()),
            ..Forms::default()
        };
        return again(&state, &staff, id, StatusCode::UNPROCESSABLE_ENTITY, forms).await;
    };
    match signing::freeze(&state.db, id, version, actor(&staff)).await {
        Ok(_) => Ok(back(id, "underskrift")),
        Err(e) => {
            let status = refusal_status(&e);
            let forms = Forms { freeze_error: Some(message(e)?), ..Forms::default() };
            again(&state, &staff, id, status, forms).await
        }
    }
}

#[derive(Deserialize, Default, Clone)]
pub struct SignForm {
    #[serde(default)]
    pub party: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub sha256: String,
    /// Paper signatures: the day on the paper.
    #[serde(default)]
    pub date: String,
}

/// Signs for a party the person is a signatory of, after checking their password again.
pub async fn sign(
    State(state): State<AppState>,
    CurrentStaff(staff, _): CurrentStaff,
    Path(id): Path<String>,
    Form(form): Form<SignForm>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let (stored, parties) = crate::documents::authorised(&state, &staff, id, false).await?;
    let required = signing::required_parties(&stored.document);
    let mine = signable(&staff, &parties, &required);
    if mine.is_empty() {
        return Err(AppError::Forbidden);
    }
    let kept = SignForm { password: String::new(), ..form.clone() };
    let fail = |text: String| Forms { sign: kept.clone(), sign_error: Some(text), ..Forms::default() };
    let Some(party) = PartyKey::parse(&form.party).filter(|p| mine.iter().any(|m| m.key == *p)) else {
        let forms = fail("Välj en part som du får skriva under för.".into());
        return again(&state, &staff, id, StatusCode::UNPROCESSABLE_ENTITY, forms).await;
    };
    if let Some(wait) = state.throttle.attempt(&throttle_key(&staff), &throttle_key(&staff)) {
        let minutes = wait.as_secs().div_ceil(60).max(1);
        let forms = fail(format!("För många fel lösenord. Vänta {minutes} minuter."));
        return again(&state, &staff, id, StatusCode::TOO_MANY_REQUESTS, forms).await;
    }
    let hash = accounts::password_hash(&state.db, &staff.id).await?;
    let ok = form.password.len() <= 1024 && verify_password(form.password.clone(), hash).await?;
    if !ok {
        let forms = fail("Fel lösenord. Skriv ditt lösenord för att skriva under.".into());
        return again(&state, &staff, id, StatusCode::UNAUTHORIZED, forms).await;
    }
    state.throttle.succeed(&throttle_key(&staff), &throttle_key(&staff));
    let new = NewSignature {
        party,
        name: form.name.clone(),
        title: form.title.clone(),
        signed_on: crate::views::today(),
        method: SignatureMethod::Electronic,
        account_id: Some(staff.id.clone()),
        hash: form.sha256.trim().to_owned(),
    };
    match signing::sign(&state.db, id, new, actor(&staff)).await {
        Ok(_) => Ok(back(id, "underskrift")),
        Err(e) => {
            let status = refusal_status(&e);
            let forms = fail(message(e)?);
            again(&state, &staff, id, status, forms).await
        }
    }
}

/// Registers a signature given on paper (editors of a party).
pub async fn register_paper(
    State(state): State<AppState>,
    CurrentStaff(staff, _): CurrentStaff,
    Path(id): Path<String>,
    Form(form): Form<SignForm>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    crate::documents::authorised(&state, &staff, id, true).await?;
    let kept = SignForm { password: String::new(), ..form.clone() };
    let fail = |text: String| Forms { paper: kept.clone(), paper_error: Some(text), ..Forms::default() };
    let Some(party) = PartyKey::parse(&form.party) else {
        return again(
            &state,
            &staff,
            id,
            StatusCode::UNPROCESSABLE_ENTITY,
            fail("Välj vilken part som skrev under.".into()),
        )
        .await;
    };
    let Some(date) = IsoDate::parse(form.date.trim()) else {
        let text = "Skriv datumet på papperet som ÅÅÅÅ-MM-DD.".to_owned();
        return again(&state, &staff, id, StatusCode::UNPROCESSABLE_ENTITY, fail(text)).await;
    };
    let new = NewSignature {
        party,
        name: form.name.clone(),
        title: form.title.clone(),
        signed_on: date,
        method: SignatureMethod::Paper,
        account_id: None,
        hash: form.sha256.trim().to_owned(),
    };
    match signing::sign(&state.db, id, new, actor(&staff)).await {
        Ok(_) => Ok(back(id, "underskrift")),
        Err(e) => {
            let status = refusal_status(&e);
            again(&state, &staff, id, status, fail(message(e)?)).await
        }
    }
}

#[derive(Deserialize, Default, Clone)]
pub struct ReasonForm {
    #[serde(default)]
    pub reason: String,
}

/// Returns a frozen or partly signed document to draft (editors of a party).
pub async fn reopen(
    State(state): State<AppState>,
    CurrentStaff(staff, _): CurrentStaff,
    Path(id): Path<String>,
    Form(form): Form<ReasonForm>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    crate::documents::authorised(&state, &staff, id, true).await?;
    match signing::reopen(&state.db, id, &form.reason, actor(&staff)).await {
        Ok(_) => Ok(back(id, "underskrift")),
        Err(e) => {
            let status = refusal_status(&e);
            let forms = Forms { reopen: form.clone(), reopen_error: Some(message(e)?), ..Forms::default() };
            again(&state, &staff, id, status, forms).await
        }
    }
}

/// Withdraws a promise in force, with a public reason (a signatory of a party).
pub async fn withdraw(
    State(state): State<AppState>,
    CurrentStaff(staff, _): CurrentStaff,
    Path(id): Path<String>,
    Form(form): Form<ReasonForm>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let (stored, parties) = crate::documents::authorised(&state, &staff, id, false).await?;
    let required = signing::required_parties(&stored.document);
    if signable(&staff, &parties, &required).is_empty() {
        return Err(AppError::Forbidden);
    }
    match signing::withdraw(&state.db, id, &form.reason, actor(&staff)).await {
        Ok(_) => Ok(back(id, "underskrift")),
        Err(e) => {
            let status = refusal_status(&e);
            let forms = Forms { withdraw: form.clone(), withdraw_error: Some(message(e)?), ..Forms::default() };
            again(&state, &staff, id, status, forms).await
        }
    }
}
