//! The audit log, a hash chain: entry `seq` stores the hash of entry `seq - 1`, so changing or
//! removing any entry breaks the chain at that point. Each entry about a document also stores
//! the hash of the document's whole state after the change, so a document changed in the
//! database behind the application's back no longer matches its last entry. Entries are only
//! appended, inside the write transactions of [`Db::begin_write`], which run one at a time.

use std::collections::HashMap;
use std::fmt;

use lofte_domain::seal::{AuditEntry, ChainBreak, GENESIS, document_state_sha256, verify_chain};
use sqlx::AnyConnection;
use uuid::Uuid;

use crate::promises::{self, Actor};
use crate::{Db, DbError};

/// Appends an entry at the end of the chain, with the state of `document_id` as it is now in
/// this transaction. Must run inside [`Db::begin_write`], after the change.
pub(crate) async fn append(
    conn: &mut AnyConnection,
    actor: Actor<'_>,
    document_id: Option<&str>,
    action: &str,
    detail: &str,
    now: &str,
) -> Result<(), DbError> {
    let document_state = match document_id {
        Some(id) => promises::get_in(&mut *conn, id).await?.map(|d| document_state_sha256(&d.document)),
        None => None,
    };
    let (seq, prev_hash) = head(conn).await?;
    let entry = AuditEntry {
        seq,
        id: Uuid::now_v7().to_string(),
        at: now.to_owned(),
        account_id: actor.id.map(str::to_owned),
        account_name: actor.name.to_owned(),
        document_id: document_id.map(str::to_owned),
        action: action.to_owned(),
        detail: detail.to_owned(),
        document_state,
        prev_hash,
    };
    insert(conn, &entry).await
}

/// The next entry's number and the hash it links to.
async fn head(conn: &mut AnyConnection) -> Result<(i64, String), DbError> {
    let last: Option<(i64, Option<String>)> =
        sqlx::query_as("SELECT seq, hash FROM audit_log WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&mut *conn)
            .await?;
    match last {
        Some((seq, Some(hash))) => Ok((seq + 1, hash)),
        Some((seq, None)) => Err(DbError::Corrupt(format!("audit entry {seq} has no hash"))),
        None => Ok((1, GENESIS.to_owned())),
    }
}

async fn insert(conn: &mut AnyConnection, e: &AuditEntry) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO audit_log (id, at, account_id, account_name, document_id, action, detail, document_state, seq, \
         prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(&e.id)
    .bind(&e.at)
    .bind(&e.account_id)
    .bind(&e.account_name)
    .bind(&e.document_id)
    .bind(&e.action)
    .bind(&e.detail)
    .bind(&e.document_state)
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
    Option<String>,
    Option<i64>,
    Option<String>,
    Option<String>,
);

macro_rules! select {
    ($rest:literal) => {
        concat!(
            "SELECT id, at, account_id, account_name, document_id, action, detail, document_state, seq, prev_hash, \
             hash FROM audit_log ",
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
        let (seq, prev_hash) = head(&mut tx).await?;
        let entry = AuditEntry {
            seq,
            id,
            at,
            account_id,
            account_name,
            document_id,
            action,
            detail,
            document_state: None,
            prev_hash,
        };
        insert(&mut tx, &entry).await?;
    }
    tx.commit().await?;
    Ok(n)
}

/// What `lofte audit verify` found wrong first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuditProblem {
    /// The chain itself is broken.
    Chain(ChainBreak),
    /// A document no longer matches its last entry (or has none).
    Document { id: String, title: String, last_seq: Option<i64>, reason: String },
}

impl fmt::Display for AuditProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuditProblem::Chain(b) => write!(f, "{b}"),
            AuditProblem::Document { id, title, last_seq: Some(seq), reason } => {
                write!(f, "dokumentet \"{title}\" ({id}) {reason} (senaste loggpost för det: {seq})")
            }
            AuditProblem::Document { id, title, last_seq: None, reason } => {
                write!(f, "dokumentet \"{title}\" ({id}) {reason}")
            }
        }
    }
}

/// Checks the whole chain, then every document against its last entry. `Ok(n)` with the number
/// of entries, or the first problem.
pub async fn verify(db: &Db) -> Result<Result<usize, AuditProblem>, DbError> {
    let rows: Vec<EntryRow> = sqlx::query_as(select!("ORDER BY seq, at, id")).fetch_all(db.pool()).await?;
    let mut entries = Vec::with_capacity(rows.len());
    for (id, at, account_id, account_name, document_id, action, detail, document_state, seq, prev_hash, hash) in rows {
        let Some(seq) = seq else {
            let reason = "saknar plats i kedjan".into();
            return Ok(Err(AuditProblem::Chain(ChainBreak { seq: 0, id, reason })));
        };
        let prev_hash = prev_hash.unwrap_or_default();
        let entry = AuditEntry {
            seq,
            id,
            at,
            account_id,
            account_name,
            document_id,
            action,
            detail,
            document_state,
            prev_hash,
        };
        entries.push((entry, hash.unwrap_or_default()));
    }
    let n = match verify_chain(entries.iter().map(|(e, h)| (e, h.as_str()))) {
        Ok(n) => n,
        Err(b) => return Ok(Err(AuditProblem::Chain(b))),
    };
    // The last entry of each document, and whether it has any at all.
    let mut last: HashMap<&str, (i64, Option<&str>)> = HashMap::new();
    for (e, _) in &entries {
        if let Some(doc) = e.document_id.as_deref() {
            let state = e.document_state.as_deref().or_else(|| last.get(doc).and_then(|(_, s)| *s));
            last.insert(doc, (e.seq, state));
        }
    }
    let ids = promises::all_ids(db).await?;
    let existing: std::collections::HashSet<String> = ids.iter().map(Uuid::to_string).collect();
    if let Some((doc, (seq, _))) = last
        .iter()
        .filter(|(doc, (_, state))| state.is_some() && !existing.contains(**doc))
        .min_by_key(|(_, (s, _))| *s)
    {
        return Ok(Err(AuditProblem::Document {
            id: (*doc).to_owned(),
            title: String::new(),
            last_seq: Some(*seq),
            reason: "finns i loggen men har tagits bort ur databasen".into(),
        }));
    }
    for id in ids {
        let text = id.to_string();
        let stored = promises::get(db, id).await?;
        let rows = promises::get_from_rows(db, id).await?.map(|r| promises::with_signed_names(r, stored.as_ref()));
        let title = stored.as_ref().map(|s| s.document.title.clone()).unwrap_or_default();
        let problem = |last_seq: Option<i64>, reason: &str| {
            Ok(Err(AuditProblem::Document { id: text.clone(), title: title.clone(), last_seq, reason: reason.into() }))
        };
        match last.get(text.as_str()) {
            None => return problem(None, "har inga poster i loggen: poster har tagits bort"),
            // Only entries from before states were logged: nothing to compare with.
            Some((_, None)) => {}
            Some((seq, Some(state))) => {
                let now = stored.map(|s| document_state_sha256(&s.document));
                if now.as_deref() != Some(*state) {
                    return problem(Some(*seq), "har ändrats utanför Löfte: det stämmer inte med loggen");
                }
                let from_rows = rows.map(|s| document_state_sha256(&s.document));
                if from_rows.as_deref() != Some(*state) {
                    return problem(
                        Some(*seq),
                        "har ändrats utanför Löfte: dess rader (text eller underskrifter) stämmer inte med loggen",
                    );
                }
            }
        }
    }
    Ok(Ok(n))
}
