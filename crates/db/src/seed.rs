//! First-start data: the reference lists (compiled in from `data/reference/`) and the demo
//! promise (`data/demo/saffle-2024.json`).

use lofte_domain::parse_documents;
use lofte_domain::reference::{self, ReferenceData};

use crate::{Db, DbError, police_areas, promises};

pub const MUNICIPALITIES_CSV: &str = include_str!("../../../data/reference/swedish_admin_areas.csv");
pub const POLICE_REGIONS_TXT: &str = include_str!("../../../data/reference/bra_2015_polisregioner.txt");
pub const DEMO_JSON: &str = include_str!("../../../data/demo/saffle-2024.json");

pub fn reference_data() -> Result<ReferenceData, DbError> {
    reference::parse(MUNICIPALITIES_CSV, POLICE_REGIONS_TXT)
        .map_err(|e| DbError::Corrupt(format!("reference data: {e}")))
}

/// What [`initialise`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Initialised {
    pub first_start: bool,
    pub demo_loaded: bool,
}

/// Loads the reference data (idempotently) and, on the very first start of a database, the
/// demo promise unless `with_demo` is false. A database that has started once never gets the
/// demo again, even if its documents are deleted.
pub async fn initialise(db: &Db, with_demo: bool) -> Result<Initialised, DbError> {
    let data = reference_data()?;
    let mut tx = db.pool().begin().await?;
    for region in &data.police_regions {
        sqlx::query("INSERT INTO police_region (id, name) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING")
            .bind(&region.id)
            .bind(&region.name)
            .execute(&mut *tx)
            .await?;
    }
    for county in &data.counties {
        let region = data
            .police_regions
            .iter()
            .find(|r| r.county_codes.contains(&county.code))
            .ok_or_else(|| DbError::Corrupt(format!("county {} has no police region", county.code)))?;
        sqlx::query(
            "INSERT INTO county (code, name, police_region_id) VALUES ($1, $2, $3) ON CONFLICT (code) DO NOTHING",
        )
        .bind(&county.code)
        .bind(&county.name)
        .bind(&region.id)
        .execute(&mut *tx)
        .await?;
    }
    for m in &data.municipalities {
        sqlx::query(
            "INSERT INTO municipality (code, name, slug, county_code) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (code) DO NOTHING",
        )
        .bind(m.code.as_str())
        .bind(&m.name)
        .bind(&m.slug)
        .bind(&m.county_code)
        .execute(&mut *tx)
        .await?;
    }
    let first_start =
        sqlx::query("INSERT INTO setting (key, value) VALUES ('initialised_at', $1) ON CONFLICT (key) DO NOTHING")
            .bind(crate::now_text())
            .execute(&mut *tx)
            .await?
            .rows_affected()
            == 1;
    tx.commit().await?;

    let demo_loaded = first_start && with_demo;
    if demo_loaded {
        load_demo(db).await?;
    }
    Ok(Initialised { first_start, demo_loaded })
}

/// The demo: LPO Arvika covering Säffle, and Säffle's promise of 2024.
pub async fn load_demo(db: &Db) -> Result<(), DbError> {
    police_areas::upsert(db, "Arvika", None, &["1785".to_owned()]).await?;
    let docs = parse_documents(DEMO_JSON).map_err(|e| DbError::Corrupt(format!("demo: {e}")))?;
    promises::import(db, docs, false).await?;
    Ok(())
}
