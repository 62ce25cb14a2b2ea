//! Municipalities, counties and the documents and police areas attached to them.

use lofte_domain::auth::Org;
use lofte_domain::signing::Validity;
use lofte_domain::{IsoDate, MunicipalityCode, Status, slugify, sv_sort_key};

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
    /// The days it is or was in force (public documents).
    pub validity: Validity,
}

macro_rules! select_municipality {
    () => {
        "SELECT m.code, m.name, m.slug, c.code, c.name, r.name, f.id \
         FROM municipality m \
         JOIN county c ON c.code = m.county_code \
         JOIN police_region r ON r.id = c.police_region_id \
         LEFT JOIN (SELECT dm.municipality_code AS code, d.id AS id, d.year AS year \
                      FROM promise_document_municipality dm \
                      JOIN promise_document d ON d.id = dm.document_id \
                     WHERE d.status IN ('in_force', 'superseded', 'withdrawn') \
                       AND (d.valid_from IS NULL OR d.valid_from <= $1) \
                       AND (d.valid_to IS NULL OR d.valid_to >= $1)) f ON f.code = m.code"
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

/// Rows to municipalities, one each, ordered by county and Swedish name. Should two documents
/// be in force for one municipality (import prevents it), the first one wins.
fn collect(rows: Vec<Row>) -> Vec<MunicipalityRow> {
    let mut list: Vec<MunicipalityRow> = rows.into_iter().map(from_row).collect();
    list.sort_by_cached_key(|m| (m.county_code.clone(), sv_sort_key(&m.name), m.in_force_document_id.is_none()));
    list.dedup_by(|a, b| a.code == b.code);
    list
}

/// All 290, ordered by county code and then by Swedish alphabetical order of the name, with
/// the promise in force on `today`.
/// Every municipality's (code, name), by code.
/// The organisations whose staff may read (and, as editors, write) a municipality's own data
/// (dialogues, surveys, sub-areas): the municipality and every police area covering it.
pub async fn parties(db: &Db, municipality_code: &str) -> Result<Vec<Org>, DbError> {
    let areas: Vec<(String,)> =
        sqlx::query_as("SELECT police_area_id FROM police_area_municipality WHERE municipality_code = $1")
            .bind(municipality_code)
            .fetch_all(db.pool())
            .await?;
    let mut orgs = vec![Org::Municipality(municipality_code.to_owned())];
    orgs.extend(areas.into_iter().map(|(id,)| Org::PoliceArea(id)));
    Ok(orgs)
}

pub async fn names(db: &Db) -> Result<Vec<(String, String)>, DbError> {
    Ok(sqlx::query_as::<_, (String, String)>("SELECT code, name FROM municipality ORDER BY code")
        .fetch_all(db.pool())
        .await?)
}

pub async fn list(db: &Db, today: IsoDate) -> Result<Vec<MunicipalityRow>, DbError> {
    let rows: Vec<Row> = sqlx::query_as(select_municipality!()).bind(today.to_string()).fetch_all(db.pool()).await?;
    Ok(collect(rows))
}

/// The municipalities that have a promise in force, in the same order.
pub async fn list_in_force(db: &Db, today: IsoDate) -> Result<Vec<MunicipalityRow>, DbError> {
    const SQL: &str = concat!(select_municipality!(), " WHERE f.id IS NOT NULL");
    let rows: Vec<Row> = sqlx::query_as(SQL).bind(today.to_string()).fetch_all(db.pool()).await?;
    Ok(collect(rows))
}

/// Which column a lookup key is for, or None when it cannot name a municipality.
enum Key {
    Code(String),
    Slug(String),
    Name(String),
}

fn key_kind(key: &str) -> Option<Key> {
    // PostgreSQL refuses NUL in text; no name has control characters anyway.
    if key.is_empty() || key.len() > 100 || key.chars().any(char::is_control) {
        return None;
    }
    Some(if MunicipalityCode::parse(key).is_some() {
        Key::Code(key.to_owned())
    } else if key.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
        Key::Slug(key.to_owned())
    } else {
        Key::Name(key.to_owned())
    })
}

/// Finds a municipality by slug (`saffle`), code (`1785`) or exact name (`Säffle`); a name
/// that is not exact is tried as a slug (`SÄFFLE` → `saffle`).
pub async fn find(db: &Db, key: &str, today: IsoDate) -> Result<Option<MunicipalityRow>, DbError> {
    const BY_SLUG: &str = concat!(select_municipality!(), " WHERE m.slug = $2");
    const BY_CODE: &str = concat!(select_municipality!(), " WHERE m.code = $2");
    const BY_NAME: &str = concat!(select_municipality!(), " WHERE m.name = $2");
    let today = today.to_string();
    let (sql, bound) = match key_kind(key) {
        None => return Ok(None),
        Some(Key::Code(k)) => (BY_CODE, k),
        Some(Key::Slug(k)) => (BY_SLUG, k),
        Some(Key::Name(k)) => {
            let rows: Vec<Row> = sqlx::query_as(BY_NAME).bind(&today).bind(&k).fetch_all(db.pool()).await?;
            if let Some(m) = collect(rows).into_iter().next() {
                return Ok(Some(m));
            }
            (BY_SLUG, slugify(&k))
        }
    };
    let rows: Vec<Row> = sqlx::query_as(sql).bind(&today).bind(bound).fetch_all(db.pool()).await?;
    Ok(collect(rows).into_iter().next())
}

/// Everything the public page of a municipality shows.
#[derive(Clone, Debug, PartialEq)]
pub struct MunicipalityPage {
    pub municipality: MunicipalityRow,
    /// The promises in force today, whole: one per police area (a city may have several).
    pub in_force: Vec<crate::promises::StoredDocument>,
    /// Every public document of the municipality, newest first.
    pub documents: Vec<DocumentSummary>,
    pub police_areas: Vec<PoliceAreaSummary>,
}

// One query for the whole page: the municipality ('m'), its public documents ('d', with the
// snapshot and signatures of those in force on $2) and its police areas ('p'), as rows of
// fifteen text columns.
macro_rules! page_query {
    ($where:literal) => {
        concat!(
            "WITH target AS (SELECT m.code, m.name, m.slug, m.county_code, c.name AS county_name, r.name AS region \
               FROM municipality m JOIN county c ON c.code = m.county_code \
               JOIN police_region r ON r.id = c.police_region_id WHERE ",
            $where,
            ") \
             SELECT 'm', code, name, slug, county_code, county_name, region, \
                    CAST(NULL AS TEXT), CAST(NULL AS TEXT), CAST(NULL AS TEXT), CAST(NULL AS TEXT), \
                    CAST(NULL AS TEXT), CAST(NULL AS TEXT), CAST(NULL AS TEXT), CAST(NULL AS TEXT), \
                    CAST(NULL AS TEXT) FROM target \
             UNION ALL \
             SELECT 'd', d.id, d.title, d.status, pa.name, CAST(d.year AS TEXT), d.period_start, d.period_end, \
                    d.updated_at, CAST(d.version AS TEXT), d.created_at, \
                    CASE WHEN (d.valid_from IS NULL OR d.valid_from <= $2) AND (d.valid_to IS NULL OR d.valid_to >= $2) \
                         THEN d.snapshot ELSE NULL END, \
                    d.valid_from, d.valid_to, d.signatures, d.sha256 \
               FROM target t \
               JOIN promise_document_municipality dm ON dm.municipality_code = t.code \
               JOIN promise_document d ON d.id = dm.document_id \
               JOIN police_area pa ON pa.id = d.police_area_id \
              WHERE d.status IN ('in_force', 'superseded', 'withdrawn') \
             UNION ALL \
             SELECT 'p', pa.id, pa.name, r.name, CAST(NULL AS TEXT), CAST(NULL AS TEXT), CAST(NULL AS TEXT), \
                    CAST(NULL AS TEXT), CAST(NULL AS TEXT), CAST(NULL AS TEXT), CAST(NULL AS TEXT), CAST(NULL AS TEXT), \
                    CAST(NULL AS TEXT), CAST(NULL AS TEXT), CAST(NULL AS TEXT), CAST(NULL AS TEXT) \
               FROM target t \
               JOIN police_area_municipality pam ON pam.municipality_code = t.code \
               JOIN police_area pa ON pa.id = pam.police_area_id \
               JOIN police_region r ON r.id = pa.police_region_id"
        )
    };
}

type PageRow = (
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// The public page of a municipality in one query, found as by [`find`], as of `today`.
pub async fn page(db: &Db, key: &str, today: IsoDate) -> Result<Option<MunicipalityPage>, DbError> {
    const BY_SLUG: &str = page_query!("m.slug = $1");
    const BY_CODE: &str = page_query!("m.code = $1");
    const BY_NAME: &str = page_query!("m.name = $1");
    let day = today.to_string();
    let rows: Vec<PageRow> = match key_kind(key) {
        None => return Ok(None),
        Some(Key::Code(k)) => sqlx::query_as(BY_CODE).bind(k).bind(&day).fetch_all(db.pool()).await?,
        Some(Key::Slug(k)) => sqlx::query_as(BY_SLUG).bind(k).bind(&day).fetch_all(db.pool()).await?,
        Some(Key::Name(k)) => {
            let rows: Vec<PageRow> = sqlx::query_as(BY_NAME).bind(&k).bind(&day).fetch_all(db.pool()).await?;
            if rows.is_empty() {
                sqlx::query_as(BY_SLUG).bind(slugify(&k)).bind(&day).fetch_all(db.pool()).await?
            } else {
                rows
            }
        }
    };
    assemble_page(rows)
}

fn assemble_page(rows: Vec<PageRow>) -> Result<Option<MunicipalityPage>, DbError> {
    let corrupt = |what: &str| DbError::Corrupt(format!("municipality page: {what}"));
    let mut municipality = None;
    let mut documents = Vec::new();
    let mut in_force: Vec<crate::promises::StoredDocument> = Vec::new();
    let mut police_areas = Vec::new();
    for (kind, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15) in rows {
        let need = |v: Option<String>| v.ok_or_else(|| corrupt("missing column"));
        match kind.as_str() {
            "m" => {
                municipality = Some(MunicipalityRow {
                    code: need(c1)?,
                    name: need(c2)?,
                    slug: need(c3)?,
                    county_code: need(c4)?,
                    county_name: need(c5)?,
                    police_region: need(c6)?,
                    in_force_document_id: None,
                })
            }
            "d" => {
                let (id, status_text, updated_at) = (need(c1)?, need(c3)?, need(c8)?);
                let status = Status::parse(&status_text).ok_or_else(|| corrupt("status"))?;
                let year = need(c5)?.parse::<i64>().map_err(|_| corrupt("year"))?;
                let date =
                    |d: Option<String>| d.map(|s| IsoDate::parse(&s).ok_or_else(|| corrupt("validity"))).transpose();
                let validity = Validity { from: date(c12.clone())?, to: date(c13.clone())? };
                if let Some(snapshot) = c11 {
                    let version = need(c9)?.parse::<i64>().map_err(|_| corrupt("version"))?;
                    let record = crate::promises::RecordColumns {
                        sha256: c15,
                        valid_from: c12,
                        valid_to: c13,
                        withdrawn_reason: None,
                        signatures: c14,
                    };
                    let doc = crate::promises::from_snapshot(
                        &id,
                        &status_text,
                        &snapshot,
                        version,
                        need(c10)?,
                        updated_at.clone(),
                        record,
                    )?;
                    in_force.push(doc);
                }
                documents.push(DocumentSummary {
                    id,
                    title: need(c2)?,
                    year,
                    status,
                    period_start: c6,
                    period_end: c7,
                    police_area: need(c4)?,
                    updated_at,
                    validity,
                });
            }
            _ => police_areas.push(PoliceAreaSummary { id: need(c1)?, name: need(c2)?, police_region: need(c3)? }),
        }
    }
    let Some(mut municipality) = municipality else { return Ok(None) };
    in_force.sort_by_cached_key(|d| sv_sort_key(&d.document.police_area.name));
    municipality.in_force_document_id = in_force.first().and_then(|d| d.document.id).map(|id| id.to_string());
    documents.sort_by(|a, b| {
        b.year.cmp(&a.year).then_with(|| b.updated_at.cmp(&a.updated_at)).then_with(|| a.id.cmp(&b.id))
    });
    police_areas.sort_by_cached_key(|p| sv_sort_key(&p.name));
    Ok(Some(MunicipalityPage { municipality, in_force, documents, police_areas }))
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
    type SummaryRow =
        (String, String, i64, String, Option<String>, Option<String>, String, String, Option<String>, Option<String>);
    let rows: Vec<SummaryRow> = sqlx::query_as(
        "SELECT d.id, d.title, d.year, d.status, d.period_start, d.period_end, pa.name, d.updated_at, d.valid_from, \
                d.valid_to \
         FROM promise_document_municipality dm \
         JOIN promise_document d ON d.id = dm.document_id \
         JOIN police_area pa ON pa.id = d.police_area_id \
         WHERE dm.municipality_code = $1 AND (d.status IN ('in_force', 'superseded', 'withdrawn') OR $2 = 1) \
         ORDER BY d.year DESC, d.updated_at DESC, d.id",
    )
    .bind(code)
    .bind(i64::from(include_drafts))
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .map(|(id, title, year, status, period_start, period_end, police_area, updated_at, from, to)| {
            let status = Status::parse(&status).ok_or_else(|| DbError::Corrupt(format!("status {status:?}")))?;
            let date = |d: Option<String>| {
                d.map(|s| IsoDate::parse(&s).ok_or_else(|| DbError::Corrupt(format!("date {s:?}")))).transpose()
            };
            let validity = Validity { from: date(from)?, to: date(to)? };
            Ok(DocumentSummary { id, title, year, status, period_start, period_end, police_area, updated_at, validity })
        })
        .collect()
}
