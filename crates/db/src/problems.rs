//! The problem vocabulary of a municipality: the standard problems (in code,
//! `lofte_domain::problems::STANDARD_PROBLEMS`) followed by the ones it added (table `problem`).
//! Surveys tag free-text answers and dialogues tag what was raised with these keys.

use lofte_domain::problems::{STANDARD_PROBLEMS, check_name, key_for};

use crate::promises::Actor;
use crate::{Db, DbError, audit, now_text};

/// A problem of a municipality's vocabulary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub key: String,
    /// Swedish name.
    pub name: String,
    /// One of the standard problems (otherwise added by the municipality).
    pub standard: bool,
}

/// The standard problems in survey order, then the municipality's own in the order added.
pub async fn list(db: &Db, municipality_code: &str) -> Result<Vec<Problem>, DbError> {
    let own: Vec<(String, String)> =
        sqlx::query_as("SELECT key, name FROM problem WHERE municipality_code = $1 ORDER BY created_at, key")
            .bind(municipality_code)
            .fetch_all(db.pool())
            .await?;
    Ok(STANDARD_PROBLEMS
        .iter()
        .map(|p| Problem { key: p.key.to_owned(), name: p.sv.to_owned(), standard: true })
        .chain(own.into_iter().map(|(key, name)| Problem { key, name, standard: false }))
        .collect())
}

/// Adds a problem to the municipality's vocabulary and returns its key. A name whose key is
/// already in the vocabulary (standard or own) adds nothing and returns that key. An empty or
/// unusable name is `Invalid` (path `name`); an unknown municipality `NotFound`.
pub async fn add(db: &Db, municipality_code: &str, name: &str) -> Result<String, DbError> {
    add_as(db, municipality_code, name, Actor { id: None, name: "Löfte" }).await
}

/// [`add`], recording who added it in the audit log.
pub async fn add_as(db: &Db, municipality_code: &str, name: &str, actor: Actor<'_>) -> Result<String, DbError> {
    let name = check_name(name).map_err(|m| DbError::invalid("name", m))?;
    let key = key_for(&name).ok_or_else(|| DbError::invalid("name", "Skriv problemets namn."))?;
    if STANDARD_PROBLEMS.iter().any(|p| p.key == key) {
        return Ok(key);
    }
    let mut tx = db.begin_write().await?;
    let known: Option<(String,)> = sqlx::query_as("SELECT code FROM municipality WHERE code = $1")
        .bind(municipality_code)
        .fetch_optional(&mut *tx)
        .await?;
    if known.is_none() {
        return Err(DbError::NotFound);
    }
    let exists: Option<(String,)> = sqlx::query_as("SELECT key FROM problem WHERE municipality_code = $1 AND key = $2")
        .bind(municipality_code)
        .bind(&key)
        .fetch_optional(&mut *tx)
        .await?;
    if exists.is_none() {
        let now = now_text();
        sqlx::query(
            "INSERT INTO problem (municipality_code, key, name, created_at, created_by_name) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(municipality_code)
        .bind(&key)
        .bind(&name)
        .bind(&now)
        .bind(actor.name)
        .execute(&mut *tx)
        .await?;
        let detail = format!("kommun {municipality_code}: {name} ({key})");
        audit::append(&mut tx, actor, None, "problem tillagt", &detail, &now).await?;
    }
    tx.commit().await?;
    Ok(key)
}
