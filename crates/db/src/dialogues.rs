//! Records of citizen and employee dialogues: create, read, update with a version check (never
//! last-write-wins), delete, the list of a municipality's year, and the overview of which
//! problems the year's dialogues raised. Every write appends to the audit log (an entry without
//! a document: the dialogue's id stands in the detail).

use lofte_domain::IsoDate;
use lofte_domain::dialogue::{Dialogue, DialogueKind, FlaggedPlace, KindTotal, Overview, OverviewRow, Point};
use sqlx::AnyConnection;
use uuid::Uuid;

use crate::promises::Actor;
use crate::{Db, DbError, audit, now_text, problems};

/// A dialogue as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredDialogue {
    pub id: Uuid,
    pub dialogue: Dialogue,
    pub version: i64,
    pub created_at: String,
    pub created_by: String,
    pub updated_at: String,
    pub updated_by: String,
}

/// A line of a year's list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DialogueSummary {
    pub id: Uuid,
    pub kind: DialogueKind,
    pub held_on: String,
    pub place: String,
    pub participants: Option<i64>,
    /// Keys of the problems it raised (tags and flagged places).
    pub problems: Vec<String>,
}

/// The municipality a dialogue belongs to.
pub async fn municipality_of(db: &Db, id: Uuid) -> Result<Option<String>, DbError> {
    let row: Option<(String,)> = sqlx::query_as("SELECT municipality_code FROM dialogue WHERE id = $1")
        .bind(id.to_string())
        .fetch_optional(db.pool())
        .await?;
    Ok(row.map(|(c,)| c))
}

/// Every problem key must be in the municipality's vocabulary.
async fn check_problems(db: &Db, d: &Dialogue) -> Result<(), DbError> {
    let known = problems::list(db, &d.municipality_code).await?;
    let unknown = d
        .problems
        .iter()
        .chain(d.places.iter().filter_map(|p| p.problem.as_ref()))
        .find(|k| !known.iter().any(|p| &p.key == *k));
    match unknown {
        Some(key) => Err(DbError::invalid("problems", format!("Problemet ”{key}” finns inte i kommunens lista."))),
        None => Ok(()),
    }
}

fn describe(d: &Dialogue) -> String {
    format!("{} {}, {}", d.kind.label_sv(), d.held_on, d.place)
}

/// Stores a new dialogue. Returns its id.
pub async fn create(db: &Db, d: &Dialogue, actor: Actor<'_>) -> Result<Uuid, DbError> {
    check_problems(db, d).await?;
    let id = Uuid::now_v7();
    let now = now_text();
    let mut tx = db.begin_write().await?;
    let known: Option<(String,)> = sqlx::query_as("SELECT code FROM municipality WHERE code = $1")
        .bind(&d.municipality_code)
        .fetch_optional(&mut *tx)
        .await?;
    if known.is_none() {
        return Err(DbError::invalid("municipality", "Välj en kommun."));
    }
    let (lat, lon) = split(d.point);
    sqlx::query(
        "INSERT INTO dialogue (id, municipality_code, kind, held_on, place, latitude_e6, longitude_e6, participants, \
         notes, version, created_at, created_by_name, updated_at, updated_by_name) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10, $11, $10, $11)",
    )
    .bind(id.to_string())
    .bind(&d.municipality_code)
    .bind(d.kind.as_str())
    .bind(d.held_on.to_string())
    .bind(&d.place)
    .bind(lat)
    .bind(lon)
    .bind(d.participants)
    .bind(&d.notes)
    .bind(&now)
    .bind(actor.name)
    .execute(&mut *tx)
    .await?;
    write_children(&mut tx, &id.to_string(), d).await?;
    audit::append(&mut tx, actor, None, "dialog registrerad", &format!("dialog {id}: {}", describe(d)), &now).await?;
    tx.commit().await?;
    Ok(id)
}

/// Saves a dialogue edited from `base_version`. The municipality stays the stored one. If
/// someone saved in between, nothing is written and the answer is `Stale(current version)`.
/// Returns the new version.
pub async fn update(db: &Db, id: Uuid, d: &Dialogue, base_version: i64, actor: Actor<'_>) -> Result<i64, DbError> {
    let code = municipality_of(db, id).await?.ok_or(DbError::NotFound)?;
    let d = Dialogue { municipality_code: code, ..d.clone() };
    check_problems(db, &d).await?;
    let now = now_text();
    let mut tx = db.begin_write().await?;
    let current = version_in(&mut tx, id).await?.ok_or(DbError::NotFound)?;
    if current != base_version {
        return Err(DbError::Stale(current));
    }
    let (lat, lon) = split(d.point);
    sqlx::query(
        "UPDATE dialogue SET kind = $2, held_on = $3, place = $4, latitude_e6 = $5, longitude_e6 = $6, \
         participants = $7, notes = $8, version = $9, updated_at = $10, updated_by_name = $11 WHERE id = $1",
    )
    .bind(id.to_string())
    .bind(d.kind.as_str())
    .bind(d.held_on.to_string())
    .bind(&d.place)
    .bind(lat)
    .bind(lon)
    .bind(d.participants)
    .bind(&d.notes)
    .bind(current + 1)
    .bind(&now)
    .bind(actor.name)
    .execute(&mut *tx)
    .await?;
    for table in [
        "DELETE FROM dialogue_organisation WHERE dialogue_id = $1",
        "DELETE FROM dialogue_problem WHERE dialogue_id = $1",
        "DELETE FROM dialogue_place WHERE dialogue_id = $1",
    ] {
        sqlx::query(table).bind(id.to_string()).execute(&mut *tx).await?;
    }
    write_children(&mut tx, &id.to_string(), &d).await?;
    let detail = format!("dialog {id}, version {}: {}", current + 1, describe(&d));
    audit::append(&mut tx, actor, None, "dialog ändrad", &detail, &now).await?;
    tx.commit().await?;
    Ok(current + 1)
}

/// Deletes a dialogue shown at `base_version` (`Stale` if it changed since).
pub async fn delete(db: &Db, id: Uuid, base_version: i64, actor: Actor<'_>) -> Result<(), DbError> {
    let stored = get(db, id).await?.ok_or(DbError::NotFound)?;
    let now = now_text();
    let mut tx = db.begin_write().await?;
    let current = version_in(&mut tx, id).await?.ok_or(DbError::NotFound)?;
    if current != base_version {
        return Err(DbError::Stale(current));
    }
    sqlx::query("DELETE FROM dialogue WHERE id = $1").bind(id.to_string()).execute(&mut *tx).await?;
    let detail = format!("dialog {id}: {}", describe(&stored.dialogue));
    audit::append(&mut tx, actor, None, "dialog borttagen", &detail, &now).await?;
    tx.commit().await?;
    Ok(())
}

async fn version_in(conn: &mut AnyConnection, id: Uuid) -> Result<Option<i64>, DbError> {
    let row: Option<(i64,)> = sqlx::query_as("SELECT version FROM dialogue WHERE id = $1")
        .bind(id.to_string())
        .fetch_optional(&mut *conn)
        .await?;
    Ok(row.map(|(v,)| v))
}

fn split(p: Option<Point>) -> (Option<i64>, Option<i64>) {
    (p.map(|p| p.lat_e6), p.map(|p| p.lon_e6))
}

fn join(lat: Option<i64>, lon: Option<i64>) -> Result<Option<Point>, DbError> {
    match (lat, lon) {
        (None, None) => Ok(None),
        (Some(a), Some(b)) => Point::new(a, b).map(Some).ok_or_else(|| DbError::Corrupt("point off the globe".into())),
        _ => Err(DbError::Corrupt("half a point".into())),
    }
}

async fn write_children(conn: &mut AnyConnection, id: &str, d: &Dialogue) -> Result<(), DbError> {
    for (i, name) in d.organisations.iter().enumerate() {
        sqlx::query("INSERT INTO dialogue_organisation (dialogue_id, position, name) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(i as i64)
            .bind(name)
            .execute(&mut *conn)
            .await?;
    }
    for key in &d.problems {
        sqlx::query("INSERT INTO dialogue_problem (dialogue_id, problem_key) VALUES ($1, $2)")
            .bind(id)
            .bind(key)
            .execute(&mut *conn)
            .await?;
    }
    for (i, p) in d.places.iter().enumerate() {
        let (lat, lon) = split(p.point);
        sqlx::query(
            "INSERT INTO dialogue_place (dialogue_id, position, description, latitude_e6, longitude_e6, problem_key) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id)
        .bind(i as i64)
        .bind(&p.description)
        .bind(lat)
        .bind(lon)
        .bind(&p.problem)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

type Row = (
    String,
    String,
    String,
    String,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    String,
    i64,
    String,
    String,
    String,
    String,
);

type PlaceRow = (String, Option<i64>, Option<i64>, Option<String>);

/// One dialogue with its organisations, problems and places.
pub async fn get(db: &Db, id: Uuid) -> Result<Option<StoredDialogue>, DbError> {
    let text = id.to_string();
    let row: Option<Row> = sqlx::query_as(
        "SELECT municipality_code, kind, held_on, place, latitude_e6, longitude_e6, participants, notes, version, \
         created_at, created_by_name, updated_at, updated_by_name FROM dialogue WHERE id = $1",
    )
    .bind(&text)
    .fetch_optional(db.pool())
    .await?;
    let Some((
        code,
        kind,
        held_on,
        place,
        lat,
        lon,
        participants,
        notes,
        version,
        created_at,
        created_by,
        updated_at,
        updated_by,
    )) = row
    else {
        return Ok(None);
    };
    let organisations: Vec<(String,)> =
        sqlx::query_as("SELECT name FROM dialogue_organisation WHERE dialogue_id = $1 ORDER BY position")
            .bind(&text)
            .fetch_all(db.pool())
            .await?;
    let tags: Vec<(String,)> = sqlx::query_as("SELECT problem_key FROM dialogue_problem WHERE dialogue_id = $1")
        .bind(&text)
        .fetch_all(db.pool())
        .await?;
    let places: Vec<PlaceRow> = sqlx::query_as(
        "SELECT description, latitude_e6, longitude_e6, problem_key FROM dialogue_place WHERE dialogue_id = $1 \
         ORDER BY position",
    )
    .bind(&text)
    .fetch_all(db.pool())
    .await?;
    // Problems in the order of the municipality's vocabulary, as the form gives them.
    let vocabulary = problems::list(db, &code).await?;
    let mut keys: Vec<String> =
        vocabulary.iter().filter(|p| tags.iter().any(|(k,)| *k == p.key)).map(|p| p.key.clone()).collect();
    keys.extend(tags.into_iter().map(|(k,)| k).filter(|k| !vocabulary.iter().any(|p| p.key == *k)));
    let corrupt = |what: &str| DbError::Corrupt(format!("dialogue {id}: {what}"));
    let dialogue = Dialogue {
        municipality_code: code,
        kind: DialogueKind::parse(&kind).ok_or_else(|| corrupt("kind"))?,
        held_on: IsoDate::parse(&held_on).ok_or_else(|| corrupt("date"))?,
        place,
        point: join(lat, lon)?,
        organisations: organisations.into_iter().map(|(n,)| n).collect(),
        participants,
        notes,
        problems: keys,
        places: places
            .into_iter()
            .map(|(description, lat, lon, problem)| Ok(FlaggedPlace { description, point: join(lat, lon)?, problem }))
            .collect::<Result<_, DbError>>()?,
    };
    Ok(Some(StoredDialogue { id, dialogue, version, created_at, created_by, updated_at, updated_by }))
}

/// First and last day of a year, as stored dates compare.
fn year_range(year: i32) -> (String, String) {
    (format!("{year:04}-01-01"), format!("{year:04}-12-31"))
}

/// A municipality's dialogues of a year, newest first.
pub async fn list(db: &Db, municipality_code: &str, year: i32) -> Result<Vec<DialogueSummary>, DbError> {
    let (from, to) = year_range(year);
    let rows: Vec<(String, String, String, String, Option<i64>)> = sqlx::query_as(
        "SELECT id, kind, held_on, place, participants FROM dialogue \
         WHERE municipality_code = $1 AND held_on >= $2 AND held_on <= $3 ORDER BY held_on DESC, id DESC",
    )
    .bind(municipality_code)
    .bind(&from)
    .bind(&to)
    .fetch_all(db.pool())
    .await?;
    let tags: Vec<(String, String)> = sqlx::query_as(
        "SELECT t.dialogue_id, t.problem_key FROM dialogue d \
         JOIN (SELECT dialogue_id, problem_key FROM dialogue_problem \
               UNION SELECT dialogue_id, problem_key FROM dialogue_place WHERE problem_key IS NOT NULL) t \
           ON t.dialogue_id = d.id \
         WHERE d.municipality_code = $1 AND d.held_on >= $2 AND d.held_on <= $3 ORDER BY t.dialogue_id, t.problem_key",
    )
    .bind(municipality_code)
    .bind(&from)
    .bind(&to)
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .map(|(id, kind, held_on, place, participants)| {
            let problems = tags.iter().filter(|(d, _)| *d == id).map(|(_, k)| k.clone()).collect();
            Ok(DialogueSummary {
                id: Uuid::parse_str(&id).map_err(|_| DbError::Corrupt(format!("dialogue id {id}")))?,
                kind: DialogueKind::parse(&kind).ok_or_else(|| DbError::Corrupt(format!("dialogue {id}: kind")))?,
                held_on,
                place,
                participants,
                problems,
            })
        })
        .collect()
}

/// The years in which a municipality has dialogues, newest first.
pub async fn years(db: &Db, municipality_code: &str) -> Result<Vec<i32>, DbError> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT DISTINCT substr(held_on, 1, 4) FROM dialogue WHERE municipality_code = $1 ORDER BY 1 DESC",
    )
    .bind(municipality_code)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.into_iter().filter_map(|(y,)| y.parse().ok()).collect())
}

/// Which problems a municipality's dialogues of a year raised: for each problem and kind of
/// dialogue, the number of dialogues that raised it (tagged on the dialogue or on a place it
/// flagged; a dialogue counts once per problem), most raised problem first; and the number of
/// dialogues and participants per kind.
pub async fn overview(db: &Db, municipality_code: &str, year: i32) -> Result<Overview, DbError> {
    let (from, to) = year_range(year);
    let rows: Vec<(String, String, i64, i64)> = sqlx::query_as(
        "SELECT t.problem_key, d.kind, CAST(COUNT(*) AS BIGINT) AS n, \
                CAST(SUM(COUNT(*)) OVER (PARTITION BY t.problem_key) AS BIGINT) AS total \
         FROM dialogue d \
         JOIN (SELECT dialogue_id, problem_key FROM dialogue_problem \
               UNION SELECT dialogue_id, problem_key FROM dialogue_place WHERE problem_key IS NOT NULL) t \
           ON t.dialogue_id = d.id \
         WHERE d.municipality_code = $1 AND d.held_on >= $2 AND d.held_on <= $3 \
         GROUP BY t.problem_key, d.kind \
         ORDER BY total DESC, t.problem_key, d.kind",
    )
    .bind(municipality_code)
    .bind(&from)
    .bind(&to)
    .fetch_all(db.pool())
    .await?;
    let totals: Vec<(String, i64, i64, i64)> = sqlx::query_as(
        "SELECT kind, CAST(COUNT(*) AS BIGINT), CAST(COALESCE(SUM(participants), 0) AS BIGINT), \
                CAST(COUNT(*) - COUNT(participants) AS BIGINT) \
         FROM dialogue WHERE municipality_code = $1 AND held_on >= $2 AND held_on <= $3 GROUP BY kind",
    )
    .bind(municipality_code)
    .bind(&from)
    .bind(&to)
    .fetch_all(db.pool())
    .await?;
    let kind = |k: &str| DialogueKind::parse(k).ok_or_else(|| DbError::Corrupt(format!("dialogue kind {k}")));
    let rows = rows
        .into_iter()
        .map(|(problem, k, dialogues, _)| Ok(OverviewRow { problem, kind: kind(&k)?, dialogues }))
        .collect::<Result<Vec<_>, DbError>>()?;
    let totals = totals
        .into_iter()
        .map(|(k, dialogues, participants, uncounted)| {
            Ok((kind(&k)?, KindTotal { dialogues, participants, uncounted }))
        })
        .collect::<Result<Vec<_>, DbError>>()?;
    Ok(Overview::from_rows(&rows, &totals))
}
