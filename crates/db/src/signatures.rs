//! Signature rows. The valid ones (not voided) are also kept as JSON in the document's
//! `signatures` column, written in the same transaction, so that reads take one row.

use lofte_domain::signing::PartyKey;
use lofte_domain::{IsoDate, SignatoryParty, Signature, SignatureMethod};
use sqlx::AnyConnection;
use uuid::Uuid;

use crate::{Db, DbError};

pub(crate) async fn insert(
    conn: &mut AnyConnection,
    document_id: &str,
    s: &Signature,
    account_id: Option<&str>,
    now: &str,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO signature (id, document_id, party_key, organisation, name, title, signed_on, signed_at, method, \
         account_id, registered_by, document_sha256, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(Uuid::now_v7().to_string())
    .bind(document_id)
    .bind(PartyKey::of(s).to_text())
    .bind(&s.organisation)
    .bind(&s.name)
    .bind(&s.title)
    .bind(s.signed_on.to_string())
    .bind(&s.signed_at)
    .bind(match s.method {
        SignatureMethod::Electronic => "electronic",
        SignatureMethod::Paper => "paper",
    })
    .bind(account_id)
    .bind(&s.registered_by)
    .bind(&s.document_sha256)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

type SigRow = (String, String, String, String, String, Option<String>, String, Option<String>, Option<String>);

const SELECT_VALID: &str = "SELECT party_key, organisation, name, title, signed_on, signed_at, method, registered_by, \
     document_sha256 FROM signature WHERE document_id = $1 AND voided_at IS NULL ORDER BY created_at, id";

fn from_row(r: SigRow) -> Result<Signature, DbError> {
    let corrupt = |what: &str| DbError::Corrupt(format!("signature: {what}"));
    let (party, municipality_code) = match PartyKey::parse(&r.0) {
        Some(PartyKey::Municipality(code)) => (SignatoryParty::Municipality, Some(code)),
        Some(PartyKey::PoliceArea) => (SignatoryParty::PoliceArea, None),
        None => return Err(corrupt("party")),
    };
    Ok(Signature {
        party,
        municipality_code,
        organisation: r.1,
        name: r.2,
        title: r.3,
        signed_on: IsoDate::parse(&r.4).ok_or_else(|| corrupt("date"))?,
        signed_at: r.5,
        method: match r.6.as_str() {
            "electronic" => SignatureMethod::Electronic,
            "paper" => SignatureMethod::Paper,
            _ => return Err(corrupt("method")),
        },
        registered_by: r.7,
        document_sha256: r.8,
    })
}

/// The valid signatures of a document, from their rows, in the order given.
pub async fn rows(db: &Db, document_id: &str) -> Result<Vec<Signature>, DbError> {
    let rows: Vec<SigRow> = sqlx::query_as(SELECT_VALID).bind(document_id).fetch_all(db.pool()).await?;
    rows.into_iter().map(from_row).collect()
}

pub(crate) async fn rows_in(conn: &mut AnyConnection, document_id: &str) -> Result<Vec<Signature>, DbError> {
    let rows: Vec<SigRow> = sqlx::query_as(SELECT_VALID).bind(document_id).fetch_all(&mut *conn).await?;
    rows.into_iter().map(from_row).collect()
}
