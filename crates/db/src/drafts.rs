//! Drafts written by staff: creating, saving with a version check (never last-write-wins), and
//! reading the versions and the audit log.

use lofte_domain::auth::Org;
use lofte_domain::{PromiseDocument, Status};
use uuid::Uuid;

use crate::promises::{self, Actor};
use crate::{Db, DbError, now_text};

/// The state of a document and the organisations party to it.
pub async fn parties(db: &Db, id: Uuid) -> Result<Option<(Status, Vec<Org>)>, DbError> {
    let row: Option<(String, String)> =
        sqlx::query_as("SELECT status, police_area_id FROM promise_document WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(db.pool())
            .await?;
    let Some((status, police_area)) = row else { return Ok(None) };
    let status = Status::parse(&status).ok_or_else(|| DbError::Corrupt("status".into()))?;
    let codes: Vec<(String,)> =
        sqlx::query_as("SELECT municipality_code FROM promise_document_municipality WHERE document_id = $1")
            .bind(id.to_string())
            .fetch_all(db.pool())
            .await?;
    let mut orgs: Vec<Org> = codes.into_iter().map(|(c,)| Org::Municipality(c)).collect();
    orgs.push(Org::PoliceArea(police_area));
    Ok(Some((status, orgs)))
}

/// A draft has no record: no hash, signatures or validity.
fn clear_record(doc: &mut PromiseDocument) {
    doc.status = Status::Draft;
    doc.sha256 = None;
    doc.signatures.clear();
    doc.valid_from = None;
    doc.valid_to = None;
    doc.withdrawn_reason = None;
}

/// Stores a new draft (status forced to draft, a new id). Returns its id.
pub async fn create(db: &Db, mut doc: PromiseDocument, actor: Actor<'_>) -> Result<Uuid, DbError> {
    doc.id = Some(Uuid::now_v7());
    clear_record(&mut doc);
    let doc = promises::check(db, vec![doc]).await?.remove(0);
    let now = now_text();
    let mut tx = db.begin_write().await?;
    let done = promises::write_one(&mut tx, doc, &now, actor).await?;
    tx.commit().await?;
    Ok(done.id)
}

/// Saves a draft edited from `base_version`. If someone saved in between, nothing is written
/// and the answer is `Stale(current version)`. Returns the new version.
pub async fn save(db: &Db, mut doc: PromiseDocument, base_version: i64, actor: Actor<'_>) -> Result<i64, DbError> {
    let id = doc.id.ok_or(DbError::NotFound)?;
    clear_record(&mut doc);
    let doc = promises::check(db, vec![doc]).await?.remove(0);
    let now = now_text();
    let mut tx = db.begin_write().await?;
    let row: Option<(i64, String)> = sqlx::query_as("SELECT version, status FROM promise_document WHERE id = $1")
        .bind(id.to_string())
        .fetch_optional(&mut *tx)
        .await?;
    let (current, status) = row.ok_or(DbError::NotFound)?;
    if status != Status::Draft.as_str() {
        return Err(DbError::NotDraft);
    }
    if current != base_version {
        return Err(DbError::Stale(current));
    }
    let done = promises::write_one(&mut tx, doc, &now, actor).await?;
    tx.commit().await?;
    Ok(done.version)
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VersionRow {
    pub version: i64,
    pub saved_by: String,
    pub saved_at: String,
}

/// Every kept version, newest first.
pub async fn versions(db: &Db, id: Uuid) -> Result<Vec<VersionRow>, DbError> {
    let rows: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT version, saved_by_name, saved_at FROM document_version WHERE document_id = $1 ORDER BY version DESC",
    )
    .bind(id.to_string())
    .fetch_all(db.pool())
    .await?;
    Ok(rows.into_iter().map(|(version, saved_by, saved_at)| VersionRow { version, saved_by, saved_at }).collect())
}

/// One kept version of a document.
pub async fn version(db: &Db, id: Uuid, version: i64) -> Result<Option<PromiseDocument>, DbError> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT snapshot FROM document_version WHERE document_id = $1 AND version = $2")
            .bind(id.to_string())
            .bind(version)
            .fetch_optional(db.pool())
            .await?;
    row.map(|(s,)| serde_json::from_str(&s).map_err(|_| DbError::Corrupt(format!("version {version} of {id}"))))
        .transpose()
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditRow {
    pub at: String,
    pub who: String,
    pub action: String,
    pub detail: String,
}

/// The audit log of a document, oldest first.
pub async fn audit_log(db: &Db, id: Uuid) -> Result<Vec<AuditRow>, DbError> {
    let rows: Vec<(String, String, String, String, String)> = sqlx::query_as(
        "SELECT at, account_name, action, detail, id FROM audit_log WHERE document_id = $1 ORDER BY at, id",
    )
    .bind(id.to_string())
    .fetch_all(db.pool())
    .await?;
    Ok(rows.into_iter().map(|(at, who, action, detail, _)| AuditRow { at, who, action, detail }).collect())
}
