//! The audit log, a hash chain: entry `seq` stores the hash of entry `seq - 1`, so changing or
//! removing any entry breaks the chain at that point. Entries are only appended, inside the
//! write transactions of [`Db::begin_write`], which run one at a time.

use lofte_domain::seal::{AuditEntry, ChainBreak, GENESIS, verify_chain};
use sqlx::AnyConnection;
use uuid::Uuid;

use crate::promises::Actor;
use crate::{Db, DbError};

/// Appends an entry at the end of the chain. Must run inside [`Db::begin_write`].
pub(crate) async fn append(
    conn: &mut AnyConnection,
    actor: Actor<'_>,
    document_id: Option<&str>,
    action: &str,
    detail: &str,
    now: &str,
) -> Result<(), DbError> {
    let last: Option<(i64, Option<String>)> =
        sqlx::query_as("SELECT seq, hash FROM audit_log WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&mut *conn)
            .await?;
    let (seq, prev_hash) = match last {
        Some((seq, Some(hash))) => (seq + 1, hash),
        Some((seq, None)) => return Err(DbError::Corrupt(format!("audit entry {seq} has no hash"))),
        None => (1, GENESIS.to_owned()),
    };
    let entry = AuditEntry {
        seq,
        id: Uuid::now_v7().to_string(),
        at: now.to_owned(),
        account_id: actor.id.map(str::to_owned),
        account_name: actor.name.to_owned(),
        document_id: document_id.map(str::to_owned),
        action: action.to_owned(),
        detail: detail.to_owned(),
        prev_hash,
    };
    insert(conn, &entry).await
}

async fn insert(conn: &mut AnyConnection, e: &AuditEntry) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO audit_log (id, at, account_id, account_name, document_id, action, detail, seq, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(&e.id)
    .bind(&e.at)
    .bind(&e.account_id)
    .bind(&e.account_name)
    .bind(&e.document_id)
    .bind(&e.action)
    .bind(&e.detail)
    .bind(e.seq)
    .bind(&e.prev_hash)
    .bind(e.hash())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

type EntryRow = (
    String,
    String,
    Option<String>,
    String,
    Option<String>,
    String,
    String,
    Option<i64>,
    Option<String>,
    Option<String>,
);

macro_rules! select {
    ($rest:literal) => {
        concat!(
            "SELECT id, at, account_id, account_name, document_id, action, detail, seq, prev_hash, hash FROM audit_log ",
            $rest
        )
    };
}

/// Links entries written before the log was a chain (databases from before migration 5), in
/// the order they were written. Runs at start; does nothing once every entry is linked.
pub async fn link_unchained(db: &Db) -> Result<usize, DbError> {
    let (unlinked,): (i64,) =
        sqlx::query_as("SELECT CAST(COUNT(*) AS BIGINT) FROM audit_log WHERE seq IS NULL").fetch_one(db.pool()).await?;
    if unlinked == 0 {
        return Ok(0);
    }
    let mut tx = db.begin_write().await?;
    let rows: Vec<EntryRow> = sqlx::query_as(select!("WHERE seq IS NULL ORDER BY at, id")).fetch_all(&mut *tx).await?;
    let n = rows.len();
    for (id, at, account_id, account_name, document_id, action, detail, ..) in rows {
        sqlx::query("DELETE FROM audit_log WHERE id = $1").bind(&id).execute(&mut *tx).await?;
        let last: Option<(i64, Option<String>)> =
            sqlx::query_as("SELECT seq, hash FROM audit_log WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1")
                .fetch_optional(&mut *tx)
                .await?;
        let (seq, prev_hash) = match last {
            Some((seq, hash)) => (seq + 1, hash.unwrap_or_default()),
            None => (1, GENESIS.to_owned()),
        };
        let entry = AuditEntry { seq, id, at, account_id, account_name, document_id, action, detail, prev_hash };
        insert(&mut tx, &entry).await?;
    }
    tx.commit().await?;
    Ok(n)
}

/// Checks the whole chain. `Ok(n)` with the number of entries, or the first broken one.
pub async fn verify(db: &Db) -> Result<Result<usize, ChainBreak>, DbError> {
    let rows: Vec<EntryRow> = sqlx::query_as(select!("ORDER BY seq, at, id")).fetch_all(db.pool()).await?;
    let mut entries = Vec::with_capacity(rows.len());
    for (id, at, account_id, account_name, document_id, action, detail, seq, prev_hash, hash) in rows {
        let Some(seq) = seq else {
            return Ok(Err(ChainBreak { seq: 0, id, reason: "saknar plats i kedjan".into() }));
        };
        let entry = AuditEntry {
            seq,
            id,
            at,
            account_id,
            account_name,
            document_id,
            action,
            detail,
            prev_hash: prev_hash.unwrap_or_default(),
        };
        entries.push((entry, hash.unwrap_or_default()));
    }
    Ok(verify_chain(entries.iter().map(|(e, h)| (e, h.as_str()))))
}
