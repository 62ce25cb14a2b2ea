//! Signing: freezing a draft, signatures (electronic and registered paper ones), reopening,
//! withdrawal, the server's seal key, and which promise was in force on a day. Every change
//! runs in one [`Db::begin_write`] transaction and applies `lofte_domain::signing::transition`,
//! so two signatories signing at the same moment both land and the state is right.

use std::collections::BTreeSet;

use lofte_domain::seal::{SealKey, content_sha256};
use lofte_domain::signing::{Event, Lifecycle, PartyKey, TransitionError, Validity, stockholm_date, transition};
use lofte_domain::{IsoDate, PromiseDocument, SignatoryParty, Signature, SignatureMethod, Status};
use sqlx::AnyConnection;
use uuid::Uuid;

use crate::promises::{self, Actor, OTHERS_OF_PAIR, PairRow, StoredDocument, keep_version, take_over};
use crate::{Db, DbError, audit, now_text, signatures};

/// A party that must sign, with the organisation's name as signatures show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequiredParty {
    pub key: PartyKey,
    pub organisation: String,
}

/// The parties whose signatures a document needs: each municipality, then the police area.
pub fn required_parties(doc: &PromiseDocument) -> Vec<RequiredParty> {
    let mut out: Vec<RequiredParty> = doc
        .municipalities
        .iter()
        .map(|m| RequiredParty {
            key: PartyKey::Municipality(m.code.clone()),
            organisation: if m.code == "0980" { "Region Gotland".into() } else { format!("{} kommun", m.name) },
        })
        .collect();
    out.push(RequiredParty {
        key: PartyKey::PoliceArea,
        organisation: format!("Lokalpolisområde {}", doc.police_area.name),
    });
    out
}

fn lifecycle(doc: &PromiseDocument) -> (Lifecycle, BTreeSet<PartyKey>) {
    let required = required_parties(doc).into_iter().map(|p| p.key).collect();
    let signed = doc.signatures.iter().map(PartyKey::of).collect();
    (Lifecycle { status: doc.status, hash: doc.sha256.clone(), signed }, required)
}

async fn load(conn: &mut AnyConnection, id: Uuid) -> Result<StoredDocument, DbError> {
    promises::get_in(conn, &id.to_string()).await?.ok_or(DbError::NotFound)
}

async fn set_status(
    conn: &mut AnyConnection,
    id: &str,
    status: Status,
    sha256: Option<&str>,
    now: &str,
) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE promise_document SET status = $2, sha256 = $3, version = version + 1, updated_at = $4 WHERE id = $1",
    )
    .bind(id)
    .bind(status.as_str())
    .bind(sha256)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Freezes a draft for signing, if it is still at `base_version`. Returns the content hash.
pub async fn freeze(db: &Db, id: Uuid, base_version: i64, actor: Actor<'_>) -> Result<String, DbError> {
    let now = now_text();
    let mut tx = db.begin_write().await?;
    let stored = load(&mut tx, id).await?;
    if stored.version != base_version {
        return Err(DbError::Stale(stored.version));
    }
    let (state, required) = lifecycle(&stored.document);
    let hash = content_sha256(&stored.document);
    transition(&state, &required, &hash, &Event::Freeze)?;
    ready_to_sign(&stored.document)?;
    let id_text = id.to_string();
    set_status(&mut tx, &id_text, Status::ReadyForSigning, Some(&hash), &now).await?;
    keep_version(&mut tx, &id_text, actor, &now).await?;
    audit::append(&mut tx, actor, Some(&id_text), "låst för underskrift", &format!("SHA-256 {hash}"), &now).await?;
    tx.commit().await?;
    Ok(hash)
}

/// What a document must have before it is signed: at least one promise, and a period that has
/// not already ended.
fn ready_to_sign(doc: &PromiseDocument) -> Result<(), DbError> {
    if doc.promises.is_empty() {
        return Err(DbError::invalid("promises", "Lägg till minst ett löfte innan dokumentet låses för underskrift."));
    }
    let today = stockholm_date(time::OffsetDateTime::now_utc());
    if let Some(end) = doc.period.end
        && end < today
    {
        return Err(DbError::invalid(
            "period.end",
            format!("Perioden slutade {end}, så löftet skulle aldrig kunna gälla. Ändra perioden först."),
        ));
    }
    Ok(())
}

/// Returns a frozen or partly signed document to draft, voiding the signatures given. Returns
/// how many were voided.
pub async fn reopen(db: &Db, id: Uuid, reason: &str, actor: Actor<'_>) -> Result<usize, DbError> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > lofte_domain::promise::MAX_ITEM {
        return Err(DbError::invalid("reason", "Skriv varför dokumentet öppnas igen (högst 2000 tecken)."));
    }
    if reason.chars().any(lofte_domain::forbidden_char) {
        return Err(DbError::invalid("reason", "Skälet innehåller otillåtna tecken."));
    }
    let now = now_text();
    let mut tx = db.begin_write().await?;
    let stored = load(&mut tx, id).await?;
    let (state, required) = lifecycle(&stored.document);
    transition(&state, &required, "", &Event::Reopen)?;
    let id_text = id.to_string();
    let voided = stored.document.signatures.len();
    sqlx::query("UPDATE signature SET voided_at = $2, void_reason = $3 WHERE document_id = $1 AND voided_at IS NULL")
        .bind(&id_text)
        .bind(&now)
        .bind(reason)
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE promise_document SET signatures = '[]' WHERE id = $1").bind(&id_text).execute(&mut *tx).await?;
    set_status(&mut tx, &id_text, Status::Draft, None, &now).await?;
    keep_version(&mut tx, &id_text, actor, &now).await?;
    for s in &stored.document.signatures {
        let detail = format!("underskrift av {} ({}, {}) ogiltig: {reason}", s.name, s.title, s.organisation);
        audit::append(&mut tx, actor, Some(&id_text), "underskrift ogiltigförklarad", &detail, &now).await?;
    }
    audit::append(&mut tx, actor, Some(&id_text), "öppnat igen", reason, &now).await?;
    tx.commit().await?;
    Ok(voided)
}

/// A signature to record.
#[derive(Clone, Debug)]
pub struct NewSignature {
    pub party: PartyKey,
    pub name: String,
    pub title: String,
    /// The day of signing: today for electronic signatures, the day on the paper otherwise.
    pub signed_on: IsoDate,
    pub method: SignatureMethod,
    pub account_id: Option<String>,
    /// The content hash the signatory saw (or the paper was registered against).
    pub hash: String,
}

/// What a signature did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signed {
    /// Every party has signed: the document is public.
    pub in_force: bool,
    pub validity: Validity,
    pub superseded: Vec<(String, String)>,
}

/// Records a signature. The last one makes the document public, fixes its validity and ends
/// the promises it replaces.
pub async fn sign(db: &Db, id: Uuid, new: NewSignature, actor: Actor<'_>) -> Result<Signed, DbError> {
    for (path, label, text) in [("name", "Namn", &new.name), ("title", "Befattning", &new.title)] {
        if text.trim().is_empty() {
            return Err(DbError::invalid(path, format!("{label} saknas.")));
        }
        if text.chars().count() > lofte_domain::promise::MAX_NAME
            || text
                .chars()
                .any(|c| c.is_control() || lofte_domain::forbidden_char(c) || lofte_domain::invisible_char(c))
        {
            return Err(DbError::invalid(path, format!("{label} är för långt eller innehåller otillåtna tecken.")));
        }
    }
    let now = now_text();
    let today = stockholm_date(time::OffsetDateTime::now_utc());
    if new.signed_on > today {
        return Err(DbError::invalid("signed_on", "En underskrift kan inte vara daterad i framtiden."));
    }
    let mut tx = db.begin_write().await?;
    let stored = load(&mut tx, id).await?;
    let doc = &stored.document;
    // A paper cannot be signed for this text before the text was written here. (Promises
    // signed before they were recorded here are imported with their signatures instead.)
    // The day it was created in Sweden (the timestamp is UTC: around midnight the days differ).
    let created = time::OffsetDateTime::parse(&stored.created_at, &time::format_description::well_known::Rfc3339)
        .ok()
        .map(stockholm_date);
    if new.method == SignatureMethod::Paper
        && let Some(created) = created
        && new.signed_on < created
    {
        return Err(DbError::invalid(
            "signed_on",
            format!(
                "Datumet {} ligger före dokumentets tillkomst här ({created}); kontrollera datumet på papperet. \
                 Ett löfte som skrevs under innan det fanns här importeras med sina underskrifter.",
                new.signed_on
            ),
        ));
    }
    let (state, required) = lifecycle(doc);
    let next = transition(&state, &required, "", &Event::Sign { party: new.party.clone(), hash: new.hash.clone() })?;
    let organisation = required_parties(doc)
        .into_iter()
        .find(|p| p.key == new.party)
        .map(|p| p.organisation)
        .ok_or(DbError::Transition(TransitionError::NotAParty))?;
    let (party, municipality_code) = match &new.party {
        PartyKey::PoliceArea => (SignatoryParty::PoliceArea, None),
        PartyKey::Municipality(code) => (SignatoryParty::Municipality, Some(code.clone())),
    };
    let signature = Signature {
        party,
        municipality_code,
        organisation,
        name: new.name.trim().to_owned(),
        title: new.title.trim().to_owned(),
        signed_on: new.signed_on,
        signed_at: (new.method == SignatureMethod::Electronic).then(|| now.clone()),
        method: new.method,
        registered_by: (new.method == SignatureMethod::Paper).then(|| actor.name.to_owned()),
        document_sha256: Some(new.hash.clone()),
    };
    let id_text = id.to_string();
    signatures::insert(&mut tx, &id_text, &signature, new.account_id.as_deref(), &now).await?;
    let all = signatures::rows_in(&mut tx, &id_text).await?;
    let json = serde_json::to_string(&all).map_err(|e| DbError::Corrupt(e.to_string()))?;
    sqlx::query("UPDATE promise_document SET signatures = $2 WHERE id = $1")
        .bind(&id_text)
        .bind(&json)
        .execute(&mut *tx)
        .await?;
    let how = match new.method {
        SignatureMethod::Electronic => "undertecknat",
        SignatureMethod::Paper => "underskrift på papper registrerad",
    };
    let detail = format!(
        "{}, {}, {}, {}; SHA-256 {}",
        signature.name, signature.title, signature.organisation, signature.signed_on, new.hash
    );
    let mut outcome = Signed { in_force: false, validity: Validity::default(), superseded: Vec::new() };
    if next.status == Status::InForce {
        let last = all.iter().map(|s| s.signed_on).max().unwrap_or(new.signed_on);
        let mut validity = Validity::on_signing(doc.period.start, doc.period.end, last);
        let others: Vec<PairRow> = sqlx::query_as(OTHERS_OF_PAIR).bind(&id_text).fetch_all(&mut *tx).await?;
        let others: Vec<Validity> = others.into_iter().map(|(_, _, _, f, t, _)| validity_of(f, t)).collect();
        let today = stockholm_date(time::OffsetDateTime::now_utc());
        validity.from = validity.from.map(|f| lofte_domain::signing::start_after_started(f, &others, today));
        if validity.is_empty() {
            return Err(DbError::invalid(
                "period.end",
                "Perioden har redan tagit slut, så löftet skulle aldrig gälla. Öppna dokumentet igen och ändra perioden.",
            ));
        }
        sqlx::query(
            "UPDATE promise_document SET status = 'in_force', valid_from = $2, valid_to = $3, version = version + 1, \
             updated_at = $4 WHERE id = $1",
        )
        .bind(&id_text)
        .bind(validity.from.map(|d| d.to_string()))
        .bind(validity.to.map(|d| d.to_string()))
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        // Signing makes the police area the one that covers these municipalities now.
        let codes: Vec<String> = doc.municipalities.iter().map(|m| m.code.clone()).collect();
        crate::police_areas::ensure_for_document(&mut tx, &doc.police_area.name, codes.first(), &codes).await?;
        keep_version(&mut tx, &id_text, actor, &now).await?;
        audit::append(&mut tx, actor, Some(&id_text), how, &detail, &now).await?;
        audit::append(&mut tx, actor, Some(&id_text), "gällande", &format!("giltighet {validity}"), &now).await?;
        let taken = take_over(&mut tx, &id_text, &doc.title, Status::InForce, validity, false, actor, &now).await?;
        outcome = Signed { in_force: true, validity, superseded: taken.superseded };
    } else {
        sqlx::query("UPDATE promise_document SET version = version + 1, updated_at = $2 WHERE id = $1")
            .bind(&id_text)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        keep_version(&mut tx, &id_text, actor, &now).await?;
        audit::append(&mut tx, actor, Some(&id_text), how, &detail, &now).await?;
    }
    tx.commit().await?;
    Ok(outcome)
}

/// Withdraws a promise in force, with a public reason. It was in force until yesterday (or
/// never, if it had not started).
pub async fn withdraw(db: &Db, id: Uuid, reason: &str, actor: Actor<'_>) -> Result<Validity, DbError> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > lofte_domain::promise::MAX_ITEM {
        return Err(DbError::invalid("reason", "Skriv varför löftet återkallas (högst 2000 tecken)."));
    }
    if reason.chars().any(lofte_domain::forbidden_char) {
        return Err(DbError::invalid("reason", "Skälet innehåller otillåtna tecken."));
    }
    let now = now_text();
    let today = stockholm_date(time::OffsetDateTime::now_utc());
    let mut tx = db.begin_write().await?;
    let stored = load(&mut tx, id).await?;
    let (state, required) = lifecycle(&stored.document);
    transition(&state, &required, "", &Event::Withdraw)?;
    let validity = Validity { from: stored.document.valid_from, to: stored.document.valid_to }.ended_by(today);
    let id_text = id.to_string();
    sqlx::query(
        "UPDATE promise_document SET status = 'withdrawn', valid_to = $2, withdrawn_reason = $3, \
         version = version + 1, updated_at = $4 WHERE id = $1",
    )
    .bind(&id_text)
    .bind(validity.to.map(|d| d.to_string()))
    .bind(reason)
    .bind(&now)
    .execute(&mut *tx)
    .await?;
    keep_version(&mut tx, &id_text, actor, &now).await?;
    audit::append(&mut tx, actor, Some(&id_text), "återkallat", &format!("{reason} (giltighet {validity})"), &now)
        .await?;
    tx.commit().await?;
    Ok(validity)
}

const SEAL_SETTING: &str = "seal_key_ed25519";

/// The server's seal key, made at first start and kept in the `setting` table.
pub async fn seal_key(db: &Db) -> Result<SealKey, DbError> {
    if let Some(key) = stored_seal_key(db).await? {
        return Ok(key);
    }
    let secret: [u8; 32] = rand_bytes();
    use base64::Engine;
    let text = base64::engine::general_purpose::STANDARD.encode(secret);
    // Two processes starting at once: the first insert wins and both read it back.
    sqlx::query("INSERT INTO setting (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING")
        .bind(SEAL_SETTING)
        .bind(text)
        .execute(db.pool())
        .await?;
    stored_seal_key(db).await?.ok_or_else(|| DbError::Corrupt("seal key".into()))
}

/// The seal key if one has been made (never makes one).
pub async fn stored_seal_key(db: &Db) -> Result<Option<SealKey>, DbError> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT value FROM setting WHERE key = $1").bind(SEAL_SETTING).fetch_optional(db.pool()).await?;
    row.map(|(text,)| SealKey::from_base64(&text).ok_or_else(|| DbError::Corrupt("seal key".into()))).transpose()
}

fn rand_bytes() -> [u8; 32] {
    rand::random()
}

/// The promises in force for a municipality on a day (one per police area), by code.
pub async fn in_force_on(db: &Db, code: &str, day: IsoDate) -> Result<Vec<StoredDocument>, DbError> {
    let ids: Vec<(String,)> = sqlx::query_as(
        "SELECT d.id FROM promise_document_municipality dm JOIN promise_document d ON d.id = dm.document_id \
         WHERE dm.municipality_code = $1 AND d.status IN ('in_force', 'superseded', 'withdrawn') \
           AND (d.valid_from IS NULL OR d.valid_from <= $2) AND (d.valid_to IS NULL OR d.valid_to >= $2) \
           AND (d.valid_from IS NULL OR d.valid_to IS NULL OR d.valid_from <= d.valid_to) \
         ORDER BY d.id",
    )
    .bind(code)
    .bind(day.to_string())
    .fetch_all(db.pool())
    .await?;
    let mut out = Vec::with_capacity(ids.len());
    for (id,) in ids {
        let uuid = Uuid::parse_str(&id).map_err(|_| DbError::Corrupt(format!("id {id:?}")))?;
        if let Some(doc) = promises::get(db, uuid).await? {
            out.push(doc);
        }
    }
    Ok(out)
}

/// The public promise this one followed: of the same police area, sharing a municipality,
/// the latest to start before it.
pub async fn previous(db: &Db, doc: &PromiseDocument) -> Result<Option<StoredDocument>, DbError> {
    let Some(id) = doc.id else { return Ok(None) };
    let rows: Vec<PairRow> = sqlx::query_as(OTHERS_OF_PAIR).bind(id.to_string()).fetch_all(db.pool()).await?;
    let key = |from: &Option<String>, year: i64| (from.clone().unwrap_or_default(), year);
    let own = key(&doc.valid_from.map(|d| d.to_string()), i64::from(doc.year));
    let best = rows
        .iter()
        .filter(|(.., from, _, year)| key(from, *year) < own)
        .max_by_key(|(.., from, _, year)| key(from, *year));
    match best {
        Some((id, ..)) => {
            let uuid = Uuid::parse_str(id).map_err(|_| DbError::Corrupt(format!("id {id:?}")))?;
            promises::get(db, uuid).await
        }
        None => Ok(None),
    }
}

fn validity_of(from: Option<String>, to: Option<String>) -> Validity {
    let date = |d: Option<String>| d.and_then(|s| IsoDate::parse(&s));
    Validity { from: date(from), to: date(to) }
}

/// What signing a document today would do to the other public promises of its municipalities
/// and police area: (title, validity before, validity after), for those it changes.
pub async fn effects_of_signing(db: &Db, doc: &PromiseDocument) -> Result<Vec<(String, Validity, Validity)>, DbError> {
    let Some(id) = doc.id else { return Ok(Vec::new()) };
    let rows: Vec<PairRow> = sqlx::query_as(OTHERS_OF_PAIR).bind(id.to_string()).fetch_all(db.pool()).await?;
    let today = stockholm_date(time::OffsetDateTime::now_utc());
    let Some(own) = Validity::on_signing(doc.period.start, doc.period.end, today).from else { return Ok(Vec::new()) };
    let all: Vec<Validity> = rows.iter().map(|(_, _, _, f, t, _)| validity_of(f.clone(), t.clone())).collect();
    let from = lofte_domain::signing::start_after_started(own, &all, today);
    Ok(rows
        .into_iter()
        .filter_map(|(_, title, _, f, t, _)| {
            let before = validity_of(f, t);
            let after = before.ended_by(from);
            (!before.is_empty() && after != before).then_some((title, before, after))
        })
        .collect())
}
