//! Local police areas (lokalpolisområden): editable reference data.

use lofte_domain::sv_sort_key;
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

/// Creates the police area if no area has this name, sets its region when one is given (by
/// default the region of the first municipality's county), and adds the municipalities to it.
pub async fn upsert(
    db: &Db,
    name: &str,
    region_id: Option<&str>,
    municipalities: &[String],
) -> Result<PoliceArea, DbError> {
    let mut tx = db.pool().begin().await?;
    let id = ensure(&mut tx, name, region_id, municipalities).await?;
    tx.commit().await?;
    get(db, &id).await?.ok_or(DbError::NotFound)
}

/// Removes a municipality from a police area.
pub async fn remove_municipality(db: &Db, name: &str, code: &str) -> Result<(), DbError> {
    let done = sqlx::query(
        "DELETE FROM police_area_municipality WHERE municipality_code = $2 \
         AND police_area_id = (SELECT id FROM police_area WHERE name = $1)",
    )
    .bind(name)
    .bind(code)
    .execute(db.pool())
    .await?;
    if done.rows_affected() == 0 {
        return Err(DbError::NotFound);
    }
    Ok(())
}

pub(crate) async fn ensure(
    conn: &mut AnyConnection,
    name: &str,
    region_id: Option<&str>,
    municipalities: &[String],
) -> Result<String, DbError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > lofte_domain::promise::MAX_NAME {
        return Err(DbError::invalid("police_area.name", "ange lokalpolisområdets namn (högst 200 tecken)"));
    }
    for (i, code) in municipalities.iter().enumerate() {
        let known: Option<(String,)> = sqlx::query_as("SELECT code FROM municipality WHERE code = $1")
            .bind(code)
            .fetch_optional(&mut *conn)
            .await?;
        if known.is_none() {
            return Err(DbError::invalid(format!("municipalities[{i}]"), format!("okänd kommunkod {code:?}")));
        }
    }
    let region = match region_id {
        Some(r) => {
            let known: Option<(String,)> =
                sqlx::query_as("SELECT id FROM police_region WHERE id = $1").bind(r).fetch_optional(&mut *conn).await?;
            Some(known.ok_or_else(|| DbError::invalid("police_region", format!("okänd polisregion {r:?}")))?.0)
        }
        None => None,
    };
    let existing: Option<(String,)> =
        sqlx::query_as("SELECT id FROM police_area WHERE name = $1").bind(name).fetch_optional(&mut *conn).await?;
    let id = match existing {
        Some((id,)) => {
            if let Some(region) = &region {
                sqlx::query("UPDATE police_area SET police_region_id = $2 WHERE id = $1")
                    .bind(&id)
                    .bind(region)
                    .execute(&mut *conn)
                    .await?;
            }
            id
        }
        None => {
            let region = match region {
                Some(r) => r,
                None => {
                    let first = municipalities.first().ok_or_else(|| {
                        DbError::invalid(
                            "police_region",
                            "ange polisregion eller minst en kommun för ett nytt lokalpolisområde",
                        )
                    })?;
                    let (r,): (String,) = sqlx::query_as(
                        "SELECT c.police_region_id FROM municipality m JOIN county c ON c.code = m.county_code WHERE m.code = $1",
                    )
                    .bind(first)
                    .fetch_one(&mut *conn)
                    .await?;
                    r
                }
            };
            let id = Uuid::now_v7().to_string();
            sqlx::query("INSERT INTO police_area (id, name, police_region_id, created_at) VALUES ($1, $2, $3, $4)")
                .bind(&id)
                .bind(name)
                .bind(&region)
                .bind(now_text())
                .execute(&mut *conn)
                .await?;
            id
        }
    };
    for code in municipalities {
        sqlx::query(
            "INSERT INTO police_area_municipality (police_area_id, municipality_code) VALUES ($1, $2) \
             ON CONFLICT (police_area_id, municipality_code) DO NOTHING",
        )
        .bind(&id)
        .bind(code)
        .execute(&mut *conn)
        .await?;
    }
    Ok(id)
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
