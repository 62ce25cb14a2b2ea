//! First-start data: the reference lists (compiled in from `data/reference/`) and the demo
//! promise (`data/demo/saffle-2024.json`).

use lofte_domain::parse_documents;
use lofte_domain::reference::{self, ReferenceData};

use crate::{Db, DbError, accounts, police_areas, promises, statistics};

pub const MUNICIPALITIES_CSV: &str = include_str!("../../../data/reference/swedish_admin_areas.csv");
pub const POLICE_REGIONS_TXT: &str = include_str!("../../../data/reference/bra_2015_polisregioner.txt");
pub const DEMO_JSON: &str = include_str!("../../../data/demo/saffle-2024.json");
pub const DEMO_ACCOUNTS_JSON: &str = include_str!("../../../data/demo/accounts.json");
pub const DEMO_POPULATION_CSV: &str = include_str!("../../../data/demo/population_2024_by_municipality.csv");
pub const DEMO_POLISEN_JSON: &str = include_str!("../../../data/demo/polisen_events_2026-05.json");
/// The password of every demo account (printed in the README; refused when the demo is off).
pub const DEMO_PASSWORD: &str = "demo-lofte-2024";

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

/// The demo: LPO Arvika covering Säffle, and Säffle's promise of 2024, its staff, and real
/// statistics (population 2024, Polisen's events of May 2026).
pub async fn load_demo(db: &Db) -> Result<(), DbError> {
    police_areas::upsert(db, "Arvika", None, &["1785".to_owned()]).await?;
    let docs = parse_documents(DEMO_JSON).map_err(|e| DbError::Corrupt(format!("demo: {e}")))?;
    promises::import(db, docs, false).await?;
    load_demo_accounts(db).await?;
    load_demo_statistics(db).await
}

async fn load_demo_statistics(db: &Db) -> Result<(), DbError> {
    use lofte_domain::statistics::{Source, places::Places, polisen, scb};
    let bad = |e: lofte_domain::statistics::ImportError| DbError::Corrupt(format!("demo statistics: {e}"));
    let actor = crate::promises::Actor { id: None, name: "Demo" };
    let population = scb::parse_population_csv(DEMO_POPULATION_CSV.as_bytes(), 2024).map_err(bad)?;
    statistics::store(db, Source::Scb, "SCB folkmängd 2024 (demo)", &population, false, actor, &mut |_| {}).await?;
    let events = polisen::parse(DEMO_POLISEN_JSON.as_bytes(), &Places::new(&reference_data()?)).map_err(bad)?;
    statistics::store_events(db, "Polisens händelser maj 2026 (demo)", &events.events, false, actor, &mut |_| {})
        .await?;
    Ok(())
}

/// The demo's staff: an admin, an editor and a signatory for Säffle and for LPO Arvika, and a
/// reader of Årjäng (`data/demo/accounts.json`).
async fn load_demo_accounts(db: &Db) -> Result<(), DbError> {
    let bad = |what: &str| DbError::Corrupt(format!("demo accounts: {what}"));
    let data: serde_json::Value = serde_json::from_str(DEMO_ACCOUNTS_JSON).map_err(|e| bad(&e.to_string()))?;
    let hash = data["password_hash"].as_str().ok_or_else(|| bad("password_hash"))?;
    for account in data["accounts"].as_array().ok_or_else(|| bad("accounts"))? {
        let email = account["email"].as_str().ok_or_else(|| bad("email"))?;
        let name = account["name"].as_str().ok_or_else(|| bad("name"))?;
        let admin = account["admin"].as_bool().unwrap_or(false);
        let id = accounts::create(db, email, name, Some(hash), admin, true).await?;
        for m in account["memberships"].as_array().ok_or_else(|| bad("memberships"))? {
            let key = m["org"].as_str().ok_or_else(|| bad("org"))?;
            let org = accounts::find_org(db, key).await?.ok_or_else(|| bad(key))?;
            let role = m["role"].as_str().and_then(lofte_domain::auth::Role::parse).ok_or_else(|| bad("role"))?;
            accounts::set_membership(db, &id, &org, role).await?;
        }
    }
    Ok(())
}
