//! Municipalities, counties and the documents and police areas attached to them.

use lofte_domain::{MunicipalityCode, Status, slugify, sv_sort_key};

use crate::{Db, DbError};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MunicipalityRow {
    pub code: String,
    pub name: String,
    pub slug: String,
    pub county_code: String,
    pub county_name: String,
    pub police_region: String,
    /// The promise document in force, if any.
    pub in_force_document_id: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PoliceAreaSummary {
    pub id: String,
    pub name: String,
    pub police_region: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocumentSummary {
    pub id: String,
    pub title: String,
    pub year: i64,
    pub status: Status,
    pub period_start: Option<String>,
    pub period_end: Option<String>,
    pub police_area: String,
    pub updated_at: String,
}

macro_rules! select_municipality {
    () => {
        "SELECT m.code, m.name, m.slug, c.code, c.name, r.name, \
     (SELECT d.id FROM promise_document_municipality dm \
        JOIN promise_document d ON d.id = dm.document_id \
       WHERE dm.municipality_code = m.code AND d.status = 'in_force' \
       ORDER BY d.year DESC, d.updated_at DESC LIMIT 1) \
     FROM municipality m \
     JOIN county c ON c.code = m.county_code \
     JOIN police_region r ON r.id = c.police_region_id"
    };
}

type Row = (String, String, String, String, String, String, Option<String>);

fn from_row(r: Row) -> MunicipalityRow {
    MunicipalityRow {
        code: r.0,
        name: r.1,
        slug: r.2,
        county_code: r.3,
        county_name: r.4,
        police_region: r.5,
        in_force_document_id: r.6,
    }
}

/// All 290, ordered by county code and then by Swedish alphabetical order of the name.
pub async fn list(db: &Db) -> Result<Vec<MunicipalityRow>, DbError> {
    let rows: Vec<Row> = sqlx::query_as(select_municipality!()).fetch_all(db.pool()).await?;
    let mut list: Vec<MunicipalityRow> = rows.into_iter().map(from_row).collect();
    list.sort_by_cached_key(|m| (m.county_code.clone(), sv_sort_key(&m.name)));
    Ok(list)
}

/// Finds a municipality by slug (`saffle`), code (`1785`) or exact name (`Säffle`).
pub async fn find(db: &Db, key: &str) -> Result<Option<MunicipalityRow>, DbError> {
    const BY_SLUG: &str = concat!(select_municipality!(), " WHERE m.slug = $1");
    const BY_CODE: &str = concat!(select_municipality!(), " WHERE m.code = $1");
    const BY_NAME: &str = concat!(select_municipality!(), " WHERE m.name = $1");
    // PostgreSQL refuses NUL in text; no name has control characters anyway.
    if key.is_empty() || key.len() > 100 || key.chars().any(char::is_control) {
        return Ok(None);
    }
    let (sql, bound): (&'static str, String) = if MunicipalityCode::parse(key).is_some() {
        (BY_CODE, key.to_owned())
    } else if key.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
        (BY_SLUG, key.to_owned())
    } else {
        let row: Option<Row> = sqlx::query_as(BY_NAME).bind(key).fetch_optional(db.pool()).await?;
        if let Some(row) = row {
            return Ok(Some(from_row(row)));
        }
        (BY_SLUG, slugify(key))
    };
    let row: Option<Row> = sqlx::query_as(sql).bind(bound).fetch_optional(db.pool()).await?;
    Ok(row.map(from_row))
}

/// The police areas that cover a municipality (large cities have several).
pub async fn police_areas(db: &Db, code: &str) -> Result<Vec<PoliceAreaSummary>, DbError> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT pa.id, pa.name, r.name FROM police_area_municipality pam \
         JOIN police_area pa ON pa.id = pam.police_area_id \
         JOIN police_region r ON r.id = pa.police_region_id \
         WHERE pam.municipality_code = $1",
    )
    .bind(code)
    .fetch_all(db.pool())
    .await?;
    let mut list: Vec<PoliceAreaSummary> =
        rows.into_iter().map(|(id, name, police_region)| PoliceAreaSummary { id, name, police_region }).collect();
    list.sort_by_cached_key(|p| sv_sort_key(&p.name));
    Ok(list)
}

/// The documents a municipality is party to, newest first. Drafts only when asked for.
pub async fn documents(db: &Db, code: &str, include_drafts: bool) -> Result<Vec<DocumentSummary>, DbError> {
    type SummaryRow = (String, String, i64, String, Option<String>, Option<String>, String, String);
    let rows: Vec<SummaryRow> = sqlx::query_as(
        "SELECT d.id, d.title, d.year, d.status, d.period_start, d.period_end, pa.name, d.updated_at \
         FROM promise_document_municipality dm \
         JOIN promise_document d ON d.id = dm.document_id \
         JOIN police_area pa ON pa.id = d.police_area_id \
         WHERE dm.municipality_code = $1 AND (d.status <> 'draft' OR $2 = 1) \
         ORDER BY d.year DESC, d.updated_at DESC, d.id",
    )
    .bind(code)
    .bind(i64::from(include_drafts))
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .map(|(id, title, year, status, period_start, period_end, police_area, updated_at)| {
            let status = Status::parse(&status).ok_or_else(|| DbError::Corrupt(format!("status {status:?}")))?;
            Ok(DocumentSummary { id, title, year, status, period_start, period_end, police_area, updated_at })
        })
        .collect()
}
