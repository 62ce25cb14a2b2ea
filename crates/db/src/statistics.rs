//! Indicators and their values: storing what an importer read (one transaction, upserts keyed
//! by indicator, region, period and gender, so the same file twice changes nothing), manual
//! values with a source note, Polisen's events (kept by id, so overlapping downloads count
//! each event once), and the reads of the statistics pages and the lägesbild.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::LazyLock;

use lofte_domain::statistics::add_totals;
use lofte_domain::statistics::places::Places;
use lofte_domain::statistics::polisen::{self, Event, EventCount};
use lofte_domain::statistics::{Batch, Better, Gender, Indicator, Level, Observation, Source, Unit, valid_period};
use sqlx::AnyConnection;
use uuid::Uuid;

use crate::batch::{BATCH, batched, statement};
use crate::promises::Actor;
use crate::{Db, DbError, audit, now_text};

/// The indicator key of population (SCB), used for rates per 100 000.
pub use lofte_domain::statistics::scb::POPULATION;

/// What storing a batch did (or, on a dry run, would do).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stored {
    pub indicators: u64,
    pub observations: u64,
    /// Values that were not there before.
    pub new_observations: u64,
    /// Police events not seen before (Polisen imports only).
    pub new_events: u64,
}

static VALUE_SQL: LazyLock<Vec<String>> = LazyLock::new(|| {
    batched(
        "INSERT INTO indicator_value (indicator_key, region, period, gender, value, status, note, updated_at) VALUES",
        8,
        " ON CONFLICT (indicator_key, region, period, gender) DO UPDATE SET value = excluded.value, \
         status = excluded.status, note = excluded.note, updated_at = excluded.updated_at",
    )
});

static EVENT_SQL: LazyLock<Vec<String>> = LazyLock::new(|| {
    batched(
        "INSERT INTO police_event (id, published_on, month, kind, county_code, municipality_code) VALUES",
        6,
        " ON CONFLICT (id) DO NOTHING",
    )
});

/// An indicator read from a values document alone has no texts yet: its name is its code and it
/// has no description. Such an indicator never overwrites a described one.
fn bare(i: &Indicator) -> bool {
    i.description.is_empty() && i.key.split_once(':').is_some_and(|(_, code)| code == i.name)
}

async fn count_values(conn: &mut AnyConnection) -> Result<i64, DbError> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM indicator_value").fetch_one(&mut *conn).await?;
    Ok(n)
}

/// Checks a batch against the database: every observation's indicator is in the batch or
/// stored, its region is a known municipality or county, the nation or a police area, its period
/// a year or month. The first fault is named (indicator, region, period).
async fn check(conn: &mut AnyConnection, batch: &Batch) -> Result<(), DbError> {
    let municipalities: BTreeSet<String> = sqlx::query_as::<_, (String,)>("SELECT code FROM municipality")
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|(c,)| c)
        .collect();
    let counties: BTreeSet<String> = sqlx::query_as::<_, (String,)>("SELECT code FROM county")
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|(c,)| c)
        .collect();
    let stored: BTreeSet<String> = sqlx::query_as::<_, (String,)>("SELECT key FROM indicator")
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|(c,)| c)
        .collect();
    let named: BTreeSet<&str> = batch.indicators.iter().map(|i| i.key.as_str()).collect();
    for (n, o) in batch.observations.iter().enumerate() {
        let at = || format!("värde {} ({}, {}, {})", n + 1, o.indicator, o.region, o.period);
        if !named.contains(o.indicator.as_str()) && !stored.contains(&o.indicator) {
            return Err(DbError::invalid(at(), "Indikatorn finns inte."));
        }
        let known = match Level::of(&o.region) {
            Some(Level::Municipality) => municipalities.contains(&o.region),
            Some(Level::County) => counties.contains(&o.region),
            Some(Level::Nation | Level::PoliceArea) => true,
            None => false,
        };
        if !known {
            return Err(DbError::invalid(at(), format!("Okänd region ”{}”.", o.region)));
        }
        if !valid_period(&o.period) {
            return Err(DbError::invalid(at(), format!("Perioden ”{}” är inte ett år eller en månad.", o.period)));
        }
        if o.value.is_some_and(|v| !v.is_finite()) {
            return Err(DbError::invalid(at(), "Värdet är inte ett tal."));
        }
    }
    Ok(())
}

async fn write_indicators(conn: &mut AnyConnection, indicators: &[Indicator], now: &str) -> Result<(), DbError> {
    for i in indicators {
        let sql = if bare(i) {
            "INSERT INTO indicator (key, name, unit, source, description, better, described, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 0, $7) ON CONFLICT (key) DO NOTHING"
        } else {
            "INSERT INTO indicator (key, name, unit, source, description, better, described, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 1, $7) ON CONFLICT (key) DO UPDATE SET name = excluded.name, \
             unit = excluded.unit, source = excluded.source, description = excluded.description, \
             better = excluded.better, described = 1, updated_at = excluded.updated_at"
        };
        sqlx::query(sql)
            .bind(&i.key)
            .bind(&i.name)
            .bind(i.unit.code())
            .bind(i.source.code())
            .bind(&i.description)
            .bind(i.better.code())
            .bind(now)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

async fn write_values(
    conn: &mut AnyConnection,
    values: &[Observation],
    note: &str,
    now: &str,
    progress: &mut (dyn FnMut(usize) + Send),
) -> Result<(), DbError> {
    let mut done = 0;
    for chunk in values.chunks(BATCH) {
        let mut query = sqlx::query(statement(&VALUE_SQL, chunk.len()));
        for o in chunk {
            query = query
                .bind(&o.indicator)
                .bind(&o.region)
                .bind(&o.period)
                .bind(o.gender.code())
                .bind(o.value)
                .bind(&o.status)
                .bind(note)
                .bind(now);
        }
        query.execute(&mut *conn).await?;
        done += chunk.len();
        progress(done);
    }
    Ok(())
}

async fn record(
    conn: &mut AnyConnection,
    source: Source,
    label: &str,
    stored: &Stored,
    actor: Actor<'_>,
    now: &str,
) -> Result<(), DbError> {
    let id = Uuid::now_v7().to_string();
    sqlx::query(
        "INSERT INTO statistics_import (id, source, label, indicators, observations, made_at, made_by_name) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(source.code())
    .bind(label)
    .bind(i64::try_from(stored.indicators).unwrap_or(i64::MAX))
    .bind(i64::try_from(stored.observations).unwrap_or(i64::MAX))
    .bind(now)
    .bind(actor.name)
    .execute(&mut *conn)
    .await?;
    let detail = format!("statistik {id}: {} ({label}), {} värden", source.code(), stored.observations);
    audit::append(conn, actor, None, "statistik importerad", &detail, now).await
}

/// Stores a batch in one transaction: indicators (described ones replace texts, bare ones only
/// fill gaps) and values (upserted). With `dry_run` everything is checked and done, then rolled
/// back, so the figures are exactly what a real run would give. Nothing is written on error.
/// Counts given for every municipality of a county (or the country) also get the county's (the
/// nation's) total (`statistics::add_totals`). `progress` hears how many values are written.
pub async fn store(
    db: &Db,
    source: Source,
    label: &str,
    batch: &Batch,
    dry_run: bool,
    actor: Actor<'_>,
    progress: &mut (dyn FnMut(usize) + Send),
) -> Result<Stored, DbError> {
    let mut batch = batch.clone();
    add_totals(&mut batch, &Places::new(&crate::seed::reference_data()?));
    let batch = &batch;
    let now = now_text();
    let mut tx = db.begin_write().await?;
    check(&mut tx, batch).await?;
    let before = count_values(&mut tx).await?;
    write_indicators(&mut tx, &batch.indicators, &now).await?;
    write_values(&mut tx, &batch.observations, "", &now, progress).await?;
    let after = count_values(&mut tx).await?;
    let stored = Stored {
        indicators: batch.indicators.len() as u64,
        observations: batch.observations.len() as u64,
        new_observations: u64::try_from(after - before).unwrap_or(0),
        new_events: 0,
    };
    record(&mut tx, source, label, &stored, actor, &now).await?;
    if dry_run {
        tx.rollback().await?;
    } else {
        tx.commit().await?;
    }
    Ok(stored)
}

/// Stores Polisen's events (each id once), then recounts every month they touch from all stored
/// events (`polisen::observations`: per municipality, county and the nation) and stores those
/// counts, all in one transaction; with `dry_run` rolled back.
pub async fn store_events(
    db: &Db,
    label: &str,
    events: &[Event],
    dry_run: bool,
    actor: Actor<'_>,
    progress: &mut (dyn FnMut(usize) + Send),
) -> Result<Stored, DbError> {
    let now = now_text();
    let mut tx = db.begin_write().await?;
    let (before,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM police_event").fetch_one(&mut *tx).await?;
    for chunk in events.chunks(BATCH) {
        let mut query = sqlx::query(statement(&EVENT_SQL, chunk.len()));
        for e in chunk {
            query = query
                .bind(e.id)
                .bind(&e.date)
                .bind(&e.month)
                .bind(&e.kind)
                .bind(&e.county)
                .bind(e.municipality.as_deref());
        }
        query.execute(&mut *tx).await?;
    }
    let mut counted = 0;
    let (after,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM police_event").fetch_one(&mut *tx).await?;
    let months: BTreeSet<&str> = events.iter().map(|e| e.month.as_str()).collect();
    let mut counts = Vec::new();
    for month in months {
        let rows: Vec<(String, String, String, Option<String>, i64)> = sqlx::query_as(
            "SELECT kind, month, county_code, municipality_code, COUNT(*) FROM police_event WHERE month = $1 \
             GROUP BY kind, month, county_code, municipality_code",
        )
        .bind(month)
        .fetch_all(&mut *tx)
        .await?;
        counts.extend(rows.into_iter().map(|(kind, month, county, municipality, count)| EventCount {
            kind,
            month,
            county,
            municipality,
            count: u64::try_from(count).unwrap_or(0),
        }));
        counted += 1;
        progress(counted);
    }
    let batch = polisen::observations(&counts);
    check(&mut tx, &batch).await?;
    let values_before = count_values(&mut tx).await?;
    write_indicators(&mut tx, &batch.indicators, &now).await?;
    write_values(&mut tx, &batch.observations, "", &now, &mut |_| {}).await?;
    let values_after = count_values(&mut tx).await?;
    let stored = Stored {
        indicators: batch.indicators.len() as u64,
        observations: batch.observations.len() as u64,
        new_observations: u64::try_from(values_after - values_before).unwrap_or(0),
        new_events: u64::try_from(after - before).unwrap_or(0),
    };
    record(&mut tx, Source::Polisen, label, &stored, actor, &now).await?;
    if dry_run {
        tx.rollback().await?;
    } else {
        tx.commit().await?;
    }
    Ok(stored)
}

/// Stores one value entered by hand with where it comes from.
pub async fn set_value(db: &Db, o: &Observation, note: &str, actor: Actor<'_>) -> Result<(), DbError> {
    let now = now_text();
    let mut tx = db.begin_write().await?;
    let batch = Batch { indicators: Vec::new(), observations: vec![o.clone()], warnings: Vec::new() };
    check(&mut tx, &batch).await?;
    write_values(&mut tx, &batch.observations, note, &now, &mut |_| {}).await?;
    let detail = format!("värde {} {} {} {}: {:?} ({note})", o.indicator, o.region, o.period, o.gender.code(), o.value);
    audit::append(&mut tx, actor, None, "statistikvärde inmatat", &detail, &now).await?;
    tx.commit().await?;
    Ok(())
}

/// Creates (or re-describes) an indicator by hand: name, unit, direction, description.
pub async fn describe(db: &Db, i: &Indicator, actor: Actor<'_>) -> Result<(), DbError> {
    let now = now_text();
    let mut tx = db.begin_write().await?;
    write_indicators(&mut tx, std::slice::from_ref(i), &now).await?;
    audit::append(&mut tx, actor, None, "indikator beskriven", &format!("indikator {}: {}", i.key, i.name), &now)
        .await?;
    tx.commit().await?;
    Ok(())
}

type IndicatorRow = (String, String, String, String, String, String);

fn indicator_of(row: IndicatorRow) -> Result<Indicator, DbError> {
    let (key, name, unit, source, description, better) = row;
    let corrupt = |what: &str| DbError::Corrupt(format!("indicator {key}: {what}"));
    Ok(Indicator {
        unit: Unit::from_code(&unit).ok_or_else(|| corrupt("unit"))?,
        source: Source::from_code(&source).ok_or_else(|| corrupt("source"))?,
        better: Better::from_code(&better).ok_or_else(|| corrupt("better"))?,
        key,
        name,
        description,
    })
}

/// Every indicator, by name.
pub async fn indicators(db: &Db) -> Result<Vec<Indicator>, DbError> {
    let rows: Vec<IndicatorRow> =
        sqlx::query_as("SELECT key, name, unit, source, description, better FROM indicator ORDER BY name, key")
            .fetch_all(db.pool())
            .await?;
    rows.into_iter().map(indicator_of).collect()
}

/// One indicator.
pub async fn indicator(db: &Db, key: &str) -> Result<Option<Indicator>, DbError> {
    let row: Option<IndicatorRow> =
        sqlx::query_as("SELECT key, name, unit, source, description, better FROM indicator WHERE key = $1")
            .bind(key)
            .fetch_optional(db.pool())
            .await?;
    row.map(indicator_of).transpose()
}

/// A stored value with its flag and note.
#[derive(Clone, Debug, PartialEq)]
pub struct Value {
    pub region: String,
    pub period: String,
    pub gender: Gender,
    pub value: Option<f64>,
    pub status: String,
    pub note: String,
}

/// All values of an indicator in the given regions (every gender), by region, period, gender.
pub async fn values(db: &Db, key: &str, regions: &[&str]) -> Result<Vec<Value>, DbError> {
    let mut out = Vec::new();
    for region in regions {
        let rows: Vec<(String, String, String, Option<f64>, String, String)> = sqlx::query_as(
            "SELECT region, period, gender, value, status, note FROM indicator_value \
             WHERE region = $1 AND indicator_key = $2 ORDER BY period, gender",
        )
        .bind(region)
        .bind(key)
        .fetch_all(db.pool())
        .await?;
        for (region, period, gender, value, status, note) in rows {
            let gender = Gender::from_code(&gender).ok_or_else(|| DbError::Corrupt(format!("gender {gender}")))?;
            out.push(Value { region, period, gender, value, status, note });
        }
    }
    Ok(out)
}

/// Totals (gender T) of a region: indicator → periods (oldest first) → value.
pub type Series = BTreeMap<String, Vec<(String, Option<f64>)>>;

/// Every indicator's totals in a region, in one query.
pub async fn series_of_region(db: &Db, region: &str) -> Result<Series, DbError> {
    let rows: Vec<(String, String, Option<f64>)> = sqlx::query_as(
        "SELECT indicator_key, period, value FROM indicator_value WHERE region = $1 AND gender = 'T' \
         ORDER BY indicator_key, period",
    )
    .bind(region)
    .fetch_all(db.pool())
    .await?;
    let mut out: Series = BTreeMap::new();
    for (key, period, value) in rows {
        out.entry(key).or_default().push((period, value));
    }
    Ok(out)
}

/// Population (SCB, total) per region and year, for rates.
pub async fn population(db: &Db, regions: &[&str]) -> Result<HashMap<(String, String), f64>, DbError> {
    let mut out = HashMap::new();
    for region in regions {
        let rows: Vec<(String, Option<f64>)> = sqlx::query_as(
            "SELECT period, value FROM indicator_value WHERE indicator_key = $1 AND region = $2 AND gender = 'T'",
        )
        .bind(POPULATION)
        .bind(region)
        .fetch_all(db.pool())
        .await?;
        for (period, value) in rows {
            if let Some(v) = value {
                out.insert(((*region).to_owned(), period), v);
            }
        }
    }
    Ok(out)
}

/// A line of the import history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportRecord {
    pub source: String,
    pub label: String,
    pub indicators: i64,
    pub observations: i64,
    pub made_at: String,
    pub made_by: String,
}

/// The latest imports, newest first.
pub async fn imports(db: &Db, limit: i64) -> Result<Vec<ImportRecord>, DbError> {
    let rows: Vec<(String, String, i64, i64, String, String)> = sqlx::query_as(
        "SELECT source, label, indicators, observations, made_at, made_by_name FROM statistics_import \
         ORDER BY made_at DESC, id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(source, label, indicators, observations, made_at, made_by)| ImportRecord {
            source,
            label,
            indicators,
            observations,
            made_at,
            made_by,
        })
        .collect())
}
