//! Local police areas (lokalpolisområden): editable reference data. A police area lies in one
//! police region and covers municipalities of that region's counties.

use lofte_domain::{police_area_name, sv_sort_key};
use sqlx::AnyConnection;
use uuid::Uuid;

use crate::{Db, DbError, now_text};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PoliceArea {
    pub id: String,
    pub name: String,
    pub police_region_id: String,
    pub police_region: String,
    /// Codes of the municipalities it covers.
    pub municipalities: Vec<String>,
}

fn refuse(message: impl Into<String>) -> DbError {
    DbError::invalid("", message)
}

/// Checks and normalises a name given by a person.
fn clean_name(name: &str) -> Result<String, DbError> {
    let name = police_area_name(name);
    if name.is_empty() || name.chars().count() > lofte_domain::promise::MAX_NAME {
        return Err(refuse("ange lokalpolisområdets namn (högst 200 tecken)"));
    }
    if name.chars().any(|c| c.is_control() || lofte_domain::forbidden_char(c) || lofte_domain::invisible_char(c)) {
        return Err(refuse("namnet får inte innehålla radbrytningar, styrtecken eller osynliga tecken"));
    }
    if ["lokalpolisområde", "lokalpolisområdet", "lpo"].contains(&name.to_lowercase().as_str()) {
        return Err(refuse("ange lokalpolisområdets eget namn, t.ex. Arvika"));
    }
    Ok(name)
}

/// The police area with this name, compared without regard to case: (id, name, region id).
async fn find_by_name(conn: &mut AnyConnection, name: &str) -> Result<Option<(String, String, String)>, DbError> {
    let all: Vec<(String, String, String)> =
        sqlx::query_as("SELECT id, name, police_region_id FROM police_area").fetch_all(&mut *conn).await?;
    let wanted = name.to_lowercase();
    Ok(all.into_iter().find(|(_, n, _)| n.to_lowercase() == wanted))
}

/// The police region and name of a municipality, or an error naming the unknown code.
async fn municipality_region(conn: &mut AnyConnection, code: &str) -> Result<(String, String), DbError> {
    if lofte_domain::MunicipalityCode::parse(code).is_none() {
        return Err(refuse(format!("{code:?} är ingen kommunkod (fyra siffror)")));
    }
    let row: Option<(String, String)> = sqlx::query_as(
        "SELECT c.police_region_id, m.name FROM municipality m JOIN county c ON c.code = m.county_code WHERE m.code = $1",
    )
    .bind(code)
    .fetch_optional(&mut *conn)
    .await?;
    row.ok_or_else(|| refuse(format!("okänd kommunkod {code:?}")))
}

/// Makes the area cover the municipalities, which must lie in its region.
async fn attach(conn: &mut AnyConnection, area: (&str, &str, &str), codes: &[String]) -> Result<(), DbError> {
    let (id, name, region) = area;
    for code in codes {
        let (m_region, m_name) = municipality_region(&mut *conn, code).await?;
        if m_region != region {
            let names: Vec<(String, String)> =
                sqlx::query_as("SELECT id, name FROM police_region").fetch_all(&mut *conn).await?;
            let label = |id: &str| names.iter().find(|(i, _)| i == id).map_or(id.to_owned(), |(_, n)| n.clone());
            return Err(refuse(format!(
                "{m_name} ligger i polisregion {}, men lokalpolisområde {name} i polisregion {}",
                label(&m_region),
                label(region)
            )));
        }
        sqlx::query(
            "INSERT INTO police_area_municipality (police_area_id, municipality_code) VALUES ($1, $2) \
             ON CONFLICT (police_area_id, municipality_code) DO NOTHING",
        )
        .bind(id)
        .bind(code)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

async fn create(conn: &mut AnyConnection, name: &str, region: &str) -> Result<String, DbError> {
    let known: Option<(String,)> =
        sqlx::query_as("SELECT id FROM police_region WHERE id = $1").bind(region).fetch_optional(&mut *conn).await?;
    if known.is_none() {
        return Err(refuse(format!(
            "okänd polisregion {region:?} (nord, mitt, stockholm, ost, vast, syd eller bergslagen)"
        )));
    }
    let id = Uuid::now_v7().to_string();
    sqlx::query("INSERT INTO police_area (id, name, police_region_id, created_at) VALUES ($1, $2, $3, $4)")
        .bind(&id)
        .bind(name)
        .bind(region)
        .bind(now_text())
        .execute(&mut *conn)
        .await?;
    Ok(id)
}

/// Creates the police area if no area has this name (its region given, or that of the first
/// municipality), and adds the municipalities to it.
pub async fn upsert(
    db: &Db,
    name: &str,
    region_id: Option<&str>,
    municipalities: &[String],
) -> Result<PoliceArea, DbError> {
    let name = clean_name(name)?;
    let mut tx = db.begin_write().await?;
    let (id, region) = match find_by_name(&mut tx, &name).await? {
        Some((id, _, region)) => {
            if let Some(wanted) = region_id.filter(|r| *r != region) {
                return Err(refuse(format!(
                    "lokalpolisområde {name} ligger redan i polisregion {region}, inte {wanted}"
                )));
            }
            (id, region)
        }
        None => {
            let region = match (region_id, municipalities.first()) {
                (Some(r), _) => r.to_owned(),
                (None, Some(code)) => municipality_region(&mut tx, code).await?.0,
                (None, None) => {
                    return Err(refuse("ange polisregion eller minst en kommun för ett nytt lokalpolisområde"));
                }
            };
            (create(&mut tx, &name, &region).await?, region)
        }
    };
    attach(&mut tx, (&id, &name, &region), municipalities).await?;
    tx.commit().await?;
    get(db, &id).await?.ok_or(DbError::NotFound)
}

/// For an imported document: the police area by name, created if missing in the region of
/// `region_from` (a municipality code). Returns its id and whether it was created.
pub(crate) async fn ensure_for_document(
    conn: &mut AnyConnection,
    name: &str,
    region_from: Option<&String>,
    attach_codes: &[String],
) -> Result<(String, String, bool), DbError> {
    let name = clean_name(name).map_err(|e| match e {
        DbError::Invalid(errs) => DbError::Invalid(
            errs.into_iter().map(|e| lofte_domain::ValidationError { path: "police_area.name".into(), ..e }).collect(),
        ),
        other => other,
    })?;
    let located = |e: DbError| match e {
        DbError::Invalid(errs) => DbError::Invalid(
            errs.into_iter().map(|e| lofte_domain::ValidationError { path: "municipalities".into(), ..e }).collect(),
        ),
        other => other,
    };
    let (id, name, region, created) = match find_by_name(&mut *conn, &name).await? {
        Some((id, stored, region)) => (id, stored, region, false),
        None => {
            let code = region_from.ok_or_else(|| refuse("minst en kommun krävs"))?;
            let region = municipality_region(&mut *conn, code).await.map_err(located)?.0;
            (create(&mut *conn, &name, &region).await?, name, region, true)
        }
    };
    attach(&mut *conn, (&id, &name, &region), attach_codes).await.map_err(located)?;
    Ok((id, name, created))
}

/// Removes a municipality from a police area.
pub async fn remove_municipality(db: &Db, name: &str, code: &str) -> Result<(), DbError> {
    let mut conn = db.pool().acquire().await?;
    let Some((id, name, _)) = find_by_name(&mut conn, &police_area_name(name)).await? else {
        return Err(refuse(format!("det finns inget lokalpolisområde som heter {name:?}")));
    };
    let done = sqlx::query("DELETE FROM police_area_municipality WHERE police_area_id = $1 AND municipality_code = $2")
        .bind(&id)
        .bind(code)
        .execute(&mut *conn)
        .await?;
    if done.rows_affected() == 0 {
        return Err(refuse(format!("kommun {code} ingår inte i lokalpolisområde {name}")));
    }
    Ok(())
}

/// Renames a police area. Documents refer to it by id, so they follow.
pub async fn rename(db: &Db, old: &str, new: &str) -> Result<(), DbError> {
    let new = clean_name(new)?;
    let mut tx = db.begin_write().await?;
    let Some((id, old_name, _)) = find_by_name(&mut tx, &police_area_name(old)).await? else {
        return Err(refuse(format!("det finns inget lokalpolisområde som heter {old:?}")));
    };
    if let Some((other, _, _)) = find_by_name(&mut tx, &new).await?
        && other != id
    {
        return Err(refuse(format!("det finns redan ett lokalpolisområde som heter {new}")));
    }
    sqlx::query("UPDATE police_area SET name = $2 WHERE id = $1").bind(&id).bind(&new).execute(&mut *tx).await?;
    // The snapshots of drafts name the police area too. Frozen and signed documents keep the
    // name they were signed with: their content never changes.
    let docs: Vec<(String, String)> =
        sqlx::query_as("SELECT id, snapshot FROM promise_document WHERE police_area_id = $1 AND status = 'draft'")
            .bind(&id)
            .fetch_all(&mut *tx)
            .await?;
    for (doc_id, snapshot) in docs {
        let mut doc: lofte_domain::PromiseDocument =
            serde_json::from_str(&snapshot).map_err(|_| DbError::Corrupt(format!("document {doc_id}: snapshot")))?;
        doc.police_area.name = new.clone();
        let snapshot = serde_json::to_string(&doc).map_err(|e| DbError::Corrupt(e.to_string()))?;
        sqlx::query("UPDATE promise_document SET snapshot = $2 WHERE id = $1")
            .bind(&doc_id)
            .bind(snapshot)
            .execute(&mut *tx)
            .await?;
        let actor = crate::promises::Actor { id: None, name: "lofte police-area rename" };
        let detail = format!("lokalpolisområdet {old_name} heter nu {new}");
        crate::audit::append(&mut tx, actor, Some(&doc_id), "lokalpolisområde bytte namn", &detail, &crate::now_text())
            .await?;
    }
    tx.commit().await?;
    tracing::info!(from = %old_name, to = %new, "police area renamed");
    Ok(())
}

/// Deletes a police area that no document refers to.
pub async fn delete(db: &Db, name: &str) -> Result<(), DbError> {
    let mut tx = db.begin_write().await?;
    let Some((id, name, _)) = find_by_name(&mut tx, &police_area_name(name)).await? else {
        return Err(refuse(format!("det finns inget lokalpolisområde som heter {name:?}")));
    };
    let (used,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM promise_document WHERE police_area_id = $1")
        .bind(&id)
        .fetch_one(&mut *tx)
        .await?;
    if used > 0 {
        let what = if used == 1 { "ett medborgarlöfte".to_owned() } else { format!("{used} medborgarlöften") };
        return Err(refuse(format!("lokalpolisområde {name} används av {what} och kan inte tas bort")));
    }
    sqlx::query("DELETE FROM police_area_municipality WHERE police_area_id = $1").bind(&id).execute(&mut *tx).await?;
    sqlx::query("DELETE FROM police_area WHERE id = $1").bind(&id).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn get(db: &Db, id: &str) -> Result<Option<PoliceArea>, DbError> {
    Ok(list(db).await?.into_iter().find(|p| p.id == id))
}

pub async fn list(db: &Db) -> Result<Vec<PoliceArea>, DbError> {
    let rows: Vec<(String, String, String, String, Option<String>)> = sqlx::query_as(
        "SELECT pa.id, pa.name, r.id, r.name, pam.municipality_code FROM police_area pa \
         JOIN police_region r ON r.id = pa.police_region_id \
         LEFT JOIN police_area_municipality pam ON pam.police_area_id = pa.id \
         ORDER BY pa.id, pam.municipality_code",
    )
    .fetch_all(db.pool())
    .await?;
    let mut out: Vec<PoliceArea> = Vec::new();
    for (id, name, police_region_id, police_region, code) in rows {
        if out.last().is_none_or(|p| p.id != id) {
            out.push(PoliceArea { id, name, police_region_id, police_region, municipalities: Vec::new() });
        }
        if let (Some(code), Some(last)) = (code, out.last_mut()) {
            last.municipalities.push(code);
        }
    }
    out.sort_by_cached_key(|p| sv_sort_key(&p.name));
    Ok(out)
}
