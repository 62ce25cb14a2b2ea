//! Staff accounts, memberships, invitations, and the rows behind web sessions.

use lofte_domain::auth::{Org, Role, Staff};
use lofte_domain::{Status, sv_sort_key};
use uuid::Uuid;

use crate::{Db, DbError, now_text};

fn refuse(path: &str, message: impl Into<String>) -> DbError {
    DbError::invalid(path, message)
}

/// Creates an account (the e-mail must already be normalised). Returns its id.
pub async fn create(
    db: &Db,
    email: &str,
    name: &str,
    password_hash: Option<&str>,
    is_admin: bool,
    is_demo: bool,
) -> Result<String, DbError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 || name.chars().any(|c| c.is_control()) {
        return Err(refuse("name", "ange ett namn (högst 200 tecken)"));
    }
    let taken: Option<(String,)> =
        sqlx::query_as("SELECT id FROM account WHERE email = $1").bind(email).fetch_optional(db.pool()).await?;
    if taken.is_some() {
        return Err(refuse("email", "det finns redan ett konto med den e-postadressen"));
    }
    let id = Uuid::now_v7().to_string();
    sqlx::query(
        "INSERT INTO account (id, email, name, password_hash, is_admin, is_demo, created_at, password_changed_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&id)
    .bind(email)
    .bind(name)
    .bind(password_hash)
    .bind(i64::from(is_admin))
    .bind(i64::from(is_demo))
    .bind(now_text())
    .bind(password_hash.map(|_| now_text()))
    .execute(db.pool())
    .await?;
    Ok(id)
}

/// Finds an organisation by a key a person types: a municipality code (`1785`) or a police
/// area's name (`Arvika`, `Lokalpolisområde Arvika`).
pub async fn find_org(db: &Db, key: &str) -> Result<Option<Org>, DbError> {
    let key = key.trim();
    if lofte_domain::MunicipalityCode::parse(key).is_some() {
        let known: Option<(String,)> =
            sqlx::query_as("SELECT code FROM municipality WHERE code = $1").bind(key).fetch_optional(db.pool()).await?;
        return Ok(known.map(|(c,)| Org::Municipality(c)));
    }
    let wanted = lofte_domain::police_area_name(key).to_lowercase();
    let areas: Vec<(String, String)> = sqlx::query_as("SELECT id, name FROM police_area").fetch_all(db.pool()).await?;
    Ok(areas.into_iter().find(|(_, n)| n.to_lowercase() == wanted).map(|(id, _)| Org::PoliceArea(id)))
}

/// A display name: "Säffle kommun" or "Lokalpolisområde Arvika".
pub async fn org_name(db: &Db, org: &Org) -> Result<String, DbError> {
    let row: Option<(String,)> = match org {
        Org::Municipality(code) => {
            sqlx::query_as("SELECT name FROM municipality WHERE code = $1").bind(code).fetch_optional(db.pool()).await?
        }
        Org::PoliceArea(id) => {
            sqlx::query_as("SELECT name FROM police_area WHERE id = $1").bind(id).fetch_optional(db.pool()).await?
        }
    };
    let (name,) = row.ok_or(DbError::NotFound)?;
    Ok(match org {
        Org::Municipality(_) => format!("{name} kommun"),
        Org::PoliceArea(_) => format!("Lokalpolisområde {name}"),
    })
}

/// Gives an account a role in an organisation (replacing an earlier role there).
pub async fn set_membership(db: &Db, account_id: &str, org: &Org, role: Role) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO membership (account_id, org_kind, org_id, role) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (account_id, org_kind, org_id) DO UPDATE SET role = excluded.role",
    )
    .bind(account_id)
    .bind(org.kind())
    .bind(org.id())
    .bind(role.as_str())
    .execute(db.pool())
    .await?;
    Ok(())
}

/// What login needs to know about an address.
#[derive(Clone, Debug)]
pub struct LoginRow {
    pub id: String,
    pub password_hash: Option<String>,
    pub is_demo: bool,
}

pub async fn login_row(db: &Db, email: &str) -> Result<Option<LoginRow>, DbError> {
    let row: Option<(String, Option<String>, i64)> =
        sqlx::query_as("SELECT id, password_hash, is_demo FROM account WHERE email = $1")
            .bind(email)
            .fetch_optional(db.pool())
            .await?;
    Ok(row.map(|(id, password_hash, is_demo)| LoginRow { id, password_hash, is_demo: is_demo == 1 }))
}

pub async fn password_hash(db: &Db, id: &str) -> Result<Option<String>, DbError> {
    let row: Option<(Option<String>,)> =
        sqlx::query_as("SELECT password_hash FROM account WHERE id = $1").bind(id).fetch_optional(db.pool()).await?;
    Ok(row.and_then(|(h,)| h))
}

/// Sets a new password and ends every outstanding reset link of the account. Returns the new
/// `password_changed_at`, which invalidates sessions begun before it.
pub async fn set_password(db: &Db, id: &str, hash: &str) -> Result<String, DbError> {
    let now = now_text();
    let mut tx = db.pool().begin().await?;
    sqlx::query("UPDATE account SET password_hash = $2, password_changed_at = $3 WHERE id = $1")
        .bind(id)
        .bind(hash)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE password_reset SET used_at = $2 WHERE account_id = $1 AND used_at IS NULL")
        .bind(id)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(now)
}

/// The signed-in person with all memberships, or None when the account is gone.
pub async fn staff(db: &Db, id: &str) -> Result<Option<Staff>, DbError> {
    type Row = (String, String, String, i64, i64, Option<String>);
    let row: Option<Row> =
        sqlx::query_as("SELECT id, email, name, is_admin, is_demo, password_changed_at FROM account WHERE id = $1")
            .bind(id)
            .fetch_optional(db.pool())
            .await?;
    let Some((id, email, name, is_admin, is_demo, password_changed_at)) = row else { return Ok(None) };
    let rows: Vec<(String, String, String)> =
        sqlx::query_as("SELECT org_kind, org_id, role FROM membership WHERE account_id = $1 ORDER BY org_kind, org_id")
            .bind(&id)
            .fetch_all(db.pool())
            .await?;
    let memberships = rows
        .into_iter()
        .filter_map(|(kind, org_id, role)| Some((Org::from_parts(&kind, org_id)?, Role::parse(&role)?)))
        .collect();
    Ok(Some(Staff {
        id,
        email,
        name,
        is_admin: is_admin == 1,
        is_demo: is_demo == 1,
        password_changed_at,
        memberships,
    }))
}

/// A document as the workspace lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkspaceDocument {
    pub id: String,
    pub title: String,
    pub year: i64,
    pub status: Status,
    pub updated_at: String,
    pub police_area: String,
    /// For public documents: the days in force.
    pub validity: lofte_domain::signing::Validity,
    /// Signatures given so far (a document being signed may have some).
    pub signed: bool,
}

/// The documents an organisation is party to, most recently changed first.
pub async fn documents_of(db: &Db, org: &Org) -> Result<Vec<WorkspaceDocument>, DbError> {
    type Row = WorkspaceRow;
    let rows: Vec<Row> =
        match org {
            Org::Municipality(code) => sqlx::query_as(
                "SELECT d.id, d.title, d.year, d.status, d.updated_at, pa.name, d.valid_from, d.valid_to, d.signatures \
                 FROM promise_document d \
                 JOIN police_area pa ON pa.id = d.police_area_id \
                 JOIN promise_document_municipality dm ON dm.document_id = d.id WHERE dm.municipality_code = $1",
            )
            .bind(code)
            .fetch_all(db.pool())
            .await?,
            Org::PoliceArea(id) => sqlx::query_as(
                "SELECT d.id, d.title, d.year, d.status, d.updated_at, pa.name, d.valid_from, d.valid_to, d.signatures \
                 FROM promise_document d \
                 JOIN police_area pa ON pa.id = d.police_area_id WHERE d.police_area_id = $1",
            )
            .bind(id)
            .fetch_all(db.pool())
            .await?,
        };
    let mut docs = workspace_documents(rows)?;
    docs.sort_by(|a, b| {
        b.updated_at.cmp(&a.updated_at).then_with(|| sv_sort_key(&a.title).cmp(&sv_sort_key(&b.title)))
    });
    Ok(docs)
}

/// The most recently changed documents of all organisations (for administrators).
pub async fn recent_documents(db: &Db, limit: i64) -> Result<Vec<WorkspaceDocument>, DbError> {
    let rows: Vec<WorkspaceRow> = sqlx::query_as(
        "SELECT d.id, d.title, d.year, d.status, d.updated_at, pa.name, d.valid_from, d.valid_to, d.signatures \
                 FROM promise_document d \
         JOIN police_area pa ON pa.id = d.police_area_id ORDER BY d.updated_at DESC, d.id LIMIT $1",
    )
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    workspace_documents(rows)
}

type WorkspaceRow = (String, String, i64, String, String, String, Option<String>, Option<String>, String);

/// Rows of (id, title, year, status, updated_at, police area name, valid_from, valid_to,
/// signatures JSON) as workspace documents.
fn workspace_documents(rows: Vec<WorkspaceRow>) -> Result<Vec<WorkspaceDocument>, DbError> {
    rows.into_iter()
        .map(|(id, title, year, status, updated_at, police_area, from, to, signatures)| {
            let status = Status::parse(&status).ok_or_else(|| DbError::Corrupt(format!("status {status:?}")))?;
            let date = |d: Option<String>| d.and_then(|s| lofte_domain::IsoDate::parse(&s));
            let validity = lofte_domain::signing::Validity { from: date(from), to: date(to) };
            let signed = signatures.trim() != "[]";
            Ok(WorkspaceDocument { id, title, year, status, updated_at, police_area, validity, signed })
        })
        .collect()
}

/// An invitation to be stored; the token itself stays with the person invited.
pub struct NewInvitation<'a> {
    pub token_hash: &'a str,
    pub email: &'a str,
    pub name: &'a str,
    pub org: &'a Org,
    pub role: Role,
    pub created_by: Option<&'a str>,
    pub expires_at: &'a str,
}

pub async fn create_invitation(db: &Db, inv: NewInvitation<'_>) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO invitation (token_hash, email, name, org_kind, org_id, role, created_by, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(inv.token_hash)
    .bind(inv.email)
    .bind(inv.name)
    .bind(inv.org.kind())
    .bind(inv.org.id())
    .bind(inv.role.as_str())
    .bind(inv.created_by)
    .bind(now_text())
    .bind(inv.expires_at)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// A pending invitation: (email, name, org, role, whether an account with the e-mail exists).
#[derive(Clone, Debug)]
pub struct PendingInvitation {
    pub email: String,
    pub name: String,
    pub org: Org,
    pub role: Role,
    pub account_exists: bool,
    /// The role the account already has in the organisation, if any.
    pub current_role: Option<Role>,
}

/// The invitation behind a token hash, if it is unused and not expired at `now`.
pub async fn pending_invitation(db: &Db, token_hash: &str, now: &str) -> Result<Option<PendingInvitation>, DbError> {
    let row: Option<(String, String, String, String, String)> = sqlx::query_as(
        "SELECT email, name, org_kind, org_id, role FROM invitation \
         WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(db.pool())
    .await?;
    let Some((email, name, kind, org_id, role)) = row else { return Ok(None) };
    let org = Org::from_parts(&kind, org_id).ok_or_else(|| DbError::Corrupt("invitation org".into()))?;
    let role = Role::parse(&role).ok_or_else(|| DbError::Corrupt("invitation role".into()))?;
    let exists: Option<(String,)> =
        sqlx::query_as("SELECT id FROM account WHERE email = $1").bind(&email).fetch_optional(db.pool()).await?;
    let current_role = match &exists {
        Some((id,)) => sqlx::query_as::<_, (String,)>(
            "SELECT role FROM membership WHERE account_id = $1 AND org_kind = $2 AND org_id = $3",
        )
        .bind(id)
        .bind(org.kind())
        .bind(org.id())
        .fetch_optional(db.pool())
        .await?
        .and_then(|(r,)| Role::parse(&r)),
        None => None,
    };
    Ok(Some(PendingInvitation { email, name, org, role, account_exists: exists.is_some(), current_role }))
}

/// Uses an invitation once: creates the account (with `password_hash`) or, if it exists, only
/// adds the membership. Returns the account id. A used or expired token is `NotFound`.
pub async fn accept_invitation(
    db: &Db,
    token_hash: &str,
    now: &str,
    password_hash: Option<&str>,
) -> Result<String, DbError> {
    let mut tx = db.pool().begin().await?;
    let claimed =
        sqlx::query("UPDATE invitation SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2")
            .bind(token_hash)
            .bind(now)
            .execute(&mut *tx)
            .await?;
    if claimed.rows_affected() != 1 {
        return Err(DbError::NotFound);
    }
    let (email, name, kind, org_id, role): (String, String, String, String, String) =
        sqlx::query_as("SELECT email, name, org_kind, org_id, role FROM invitation WHERE token_hash = $1")
            .bind(token_hash)
            .fetch_one(&mut *tx)
            .await?;
    let existing: Option<(String,)> =
        sqlx::query_as("SELECT id FROM account WHERE email = $1").bind(&email).fetch_optional(&mut *tx).await?;
    let id = match existing {
        Some((id,)) => id,
        None => {
            let hash = password_hash.ok_or_else(|| refuse("password", "ange ett lösenord"))?;
            let id = Uuid::now_v7().to_string();
            sqlx::query(
                "INSERT INTO account (id, email, name, password_hash, is_admin, is_demo, created_at, password_changed_at) \
                 VALUES ($1, $2, $3, $4, 0, 0, $5, $5)",
            )
            .bind(&id)
            .bind(&email)
            .bind(&name)
            .bind(hash)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            id
        }
    };
    sqlx::query(
        "INSERT INTO membership (account_id, org_kind, org_id, role) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (account_id, org_kind, org_id) DO UPDATE SET role = excluded.role",
    )
    .bind(&id)
    .bind(&kind)
    .bind(&org_id)
    .bind(&role)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(id)
}

// Web sessions: rows of (id, serde_json data, RFC 3339 expiry). The web crate adapts these to
// tower-sessions' `SessionStore`.

pub async fn session_load(db: &Db, id: &str, now: &str) -> Result<Option<(String, String)>, DbError> {
    Ok(sqlx::query_as("SELECT data, expires_at FROM web_session WHERE id = $1 AND expires_at > $2")
        .bind(id)
        .bind(now)
        .fetch_optional(db.pool())
        .await?)
}

/// Inserts a new session row; false when the id is taken.
pub async fn session_create(db: &Db, id: &str, data: &str, expires_at: &str) -> Result<bool, DbError> {
    let done =
        sqlx::query("INSERT INTO web_session (id, data, expires_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING")
            .bind(id)
            .bind(data)
            .bind(expires_at)
            .execute(db.pool())
            .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn session_save(db: &Db, id: &str, data: &str, expires_at: &str) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO web_session (id, data, expires_at) VALUES ($1, $2, $3) \
         ON CONFLICT (id) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at",
    )
    .bind(id)
    .bind(data)
    .bind(expires_at)
    .execute(db.pool())
    .await?;
    Ok(())
}

pub async fn session_delete(db: &Db, id: &str) -> Result<(), DbError> {
    sqlx::query("DELETE FROM web_session WHERE id = $1").bind(id).execute(db.pool()).await?;
    Ok(())
}

pub async fn sessions_delete_expired(db: &Db, now: &str) -> Result<u64, DbError> {
    Ok(sqlx::query("DELETE FROM web_session WHERE expires_at <= $1")
        .bind(now)
        .execute(db.pool())
        .await?
        .rows_affected())
}

/// Stores a reset link for the account with this e-mail, if there is one (and it is not a demo
/// account). Returns whether a link was stored; callers must answer the same either way.
pub async fn create_password_reset(db: &Db, email: &str, token_hash: &str, expires_at: &str) -> Result<bool, DbError> {
    let row: Option<(String, i64)> = sqlx::query_as("SELECT id, is_demo FROM account WHERE email = $1")
        .bind(email)
        .fetch_optional(db.pool())
        .await?;
    let Some((id, 0)) = row else { return Ok(false) };
    sqlx::query("INSERT INTO password_reset (token_hash, account_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
        .bind(token_hash)
        .bind(&id)
        .bind(now_text())
        .bind(expires_at)
        .execute(db.pool())
        .await?;
    Ok(true)
}

/// The e-mail of the account behind a valid (unused, unexpired) reset token.
pub async fn password_reset_email(db: &Db, token_hash: &str, now: &str) -> Result<Option<String>, DbError> {
    Ok(sqlx::query_as::<_, (String,)>(
        "SELECT a.email FROM password_reset r JOIN account a ON a.id = r.account_id \
         WHERE r.token_hash = $1 AND r.used_at IS NULL AND r.expires_at > $2",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(db.pool())
    .await?
    .map(|(e,)| e))
}

/// Uses a reset token once and sets the new password. `NotFound` when used or expired.
pub async fn use_password_reset(db: &Db, token_hash: &str, now: &str, password_hash: &str) -> Result<(), DbError> {
    let mut tx = db.pool().begin().await?;
    let claimed = sqlx::query(
        "UPDATE password_reset SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
    )
    .bind(token_hash)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    if claimed.rows_affected() != 1 {
        return Err(DbError::NotFound);
    }
    sqlx::query(
        "UPDATE account SET password_hash = $2, password_changed_at = $3 \
         WHERE id = (SELECT account_id FROM password_reset WHERE token_hash = $1)",
    )
    .bind(token_hash)
    .bind(password_hash)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    // Every other link of the account ends too.
    sqlx::query(
        "UPDATE password_reset SET used_at = $2 WHERE used_at IS NULL \
         AND account_id = (SELECT account_id FROM password_reset WHERE token_hash = $1)",
    )
    .bind(token_hash)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}
