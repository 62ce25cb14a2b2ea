//! Lägesbilder: one per municipality (or agreement of several) and year, with settings (title,
//! summary, weights, which surveys), what staff wrote per problem, which statistics are evidence
//! for which problem, focus areas linked to a promise's themes, and dated snapshots that are
//! never changed. Edits name the version they are based on (`Stale` otherwise); every write
//! appends to the audit log.

use lofte_domain::lagesbild::Weights;
use sqlx::AnyConnection;
use uuid::Uuid;

use crate::promises::Actor;
use crate::{Db, DbError, audit, now_text};

/// What staff wrote about one problem.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProblemNotes {
    pub key: String,
    pub analysis: String,
    pub notes: String,
    pub focus: bool,
    pub document_id: Option<Uuid>,
    pub theme: Option<String>,
}

/// Staff's choice of an indicator for a problem: `chosen` adds it, `!chosen` removes a default.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Choice {
    pub problem: String,
    pub indicator: String,
    pub chosen: bool,
}

/// A lägesbild as stored.
#[derive(Clone, Debug, PartialEq)]
pub struct Lagesbild {
    pub id: Uuid,
    /// The first municipality (it owns the lägesbild); `municipalities` lists all, this one first.
    pub municipality_code: String,
    pub municipalities: Vec<String>,
    pub year: i32,
    pub title: String,
    pub summary: String,
    pub weights: Weights,
    pub survey_id: Option<Uuid>,
    pub previous_survey_id: Option<Uuid>,
    pub version: i64,
    pub updated_at: String,
    pub updated_by: String,
    pub problems: Vec<ProblemNotes>,
    pub choices: Vec<Choice>,
}

impl Lagesbild {
    pub fn notes_of(&self, key: &str) -> Option<&ProblemNotes> {
        self.problems.iter().find(|p| p.key == key)
    }
}

/// A line of a municipality's list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    pub id: Uuid,
    pub year: i32,
    pub title: String,
    pub updated_at: String,
    /// Day of the latest snapshot.
    pub last_snapshot: Option<String>,
}

/// A snapshot's record (its content is read separately).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snapshot {
    pub id: Uuid,
    pub lagesbild_id: Uuid,
    pub made_on: String,
    pub made_at: String,
    pub made_by: String,
    pub public: bool,
}

fn uuid(text: &str, what: &str) -> Result<Uuid, DbError> {
    Uuid::parse_str(text).map_err(|_| DbError::Corrupt(format!("{what}: {text}")))
}

fn weights_json(w: &Weights) -> Result<String, DbError> {
    serde_json::to_string(w).map_err(|e| DbError::Corrupt(e.to_string()))
}

/// Creates an empty lägesbild of `municipalities` (the first owns it) for `year`. A second one
/// for the same municipality and year is refused with a message.
pub async fn create(
    db: &Db,
    municipalities: &[String],
    year: i32,
    title: &str,
    actor: Actor<'_>,
) -> Result<Uuid, DbError> {
    let Some(first) = municipalities.first() else {
        return Err(DbError::invalid("municipalities", "Välj minst en kommun."));
    };
    if !(2000..=2100).contains(&year) {
        return Err(DbError::invalid("year", "Ange ett år mellan 2000 och 2100."));
    }
    let id = Uuid::now_v7();
    let now = now_text();
    let mut tx = db.begin_write().await?;
    let taken: Option<(String,)> =
        sqlx::query_as("SELECT id FROM lagesbild WHERE municipality_code = $1 AND year = $2")
            .bind(first)
            .bind(i64::from(year))
            .fetch_optional(&mut *tx)
            .await?;
    if taken.is_some() {
        return Err(DbError::invalid("year", format!("Det finns redan en lägesbild för {year}.")));
    }
    sqlx::query(
        "INSERT INTO lagesbild (id, municipality_code, year, title, summary, weights, survey_id, previous_survey_id, \
         version, created_at, created_by_name, updated_at, updated_by_name) \
         VALUES ($1, $2, $3, $4, '', $5, NULL, NULL, 1, $6, $7, $6, $7)",
    )
    .bind(id.to_string())
    .bind(first)
    .bind(i64::from(year))
    .bind(title)
    .bind(weights_json(&Weights::default())?)
    .bind(&now)
    .bind(actor.name)
    .execute(&mut *tx)
    .await?;
    for code in municipalities {
        let known: Option<(String,)> =
            sqlx::query_as("SELECT code FROM municipality WHERE code = $1").bind(code).fetch_optional(&mut *tx).await?;
        if known.is_none() {
            return Err(DbError::invalid("municipalities", format!("Okänd kommunkod {code}.")));
        }
        sqlx::query(
            "INSERT INTO lagesbild_municipality (lagesbild_id, municipality_code) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind(id.to_string())
        .bind(code)
        .execute(&mut *tx)
        .await?;
    }
    audit::append(&mut tx, actor, None, "lägesbild skapad", &format!("lägesbild {id}: {title}"), &now).await?;
    tx.commit().await?;
    Ok(id)
}

type ProblemRow = (String, String, String, i64, Option<String>, Option<String>);

type Row = (String, String, i64, String, String, String, Option<String>, Option<String>, i64, String, String);

/// A lägesbild with its problems' notes and indicator choices.
pub async fn get(db: &Db, id: Uuid) -> Result<Option<Lagesbild>, DbError> {
    let row: Option<Row> = sqlx::query_as(
        "SELECT id, municipality_code, year, title, summary, weights, survey_id, previous_survey_id, version, \
         updated_at, updated_by_name FROM lagesbild WHERE id = $1",
    )
    .bind(id.to_string())
    .fetch_optional(db.pool())
    .await?;
    let Some((_, code, year, title, summary, weights, survey, previous, version, updated_at, updated_by)) = row else {
        return Ok(None);
    };
    let others: Vec<(String,)> = sqlx::query_as(
        "SELECT municipality_code FROM lagesbild_municipality WHERE lagesbild_id = $1 ORDER BY municipality_code",
    )
    .bind(id.to_string())
    .fetch_all(db.pool())
    .await?;
    let mut municipalities = vec![code.clone()];
    municipalities.extend(others.into_iter().map(|(c,)| c).filter(|c| *c != code));
    let problems: Vec<ProblemRow> = sqlx::query_as(
        "SELECT problem_key, analysis, notes, focus, document_id, theme FROM lagesbild_problem \
         WHERE lagesbild_id = $1 ORDER BY problem_key",
    )
    .bind(id.to_string())
    .fetch_all(db.pool())
    .await?;
    let choices: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT problem_key, indicator_key, chosen FROM lagesbild_indicator WHERE lagesbild_id = $1 \
         ORDER BY problem_key, indicator_key",
    )
    .bind(id.to_string())
    .fetch_all(db.pool())
    .await?;
    Ok(Some(Lagesbild {
        id,
        municipality_code: code,
        municipalities,
        year: i32::try_from(year).map_err(|_| DbError::Corrupt("lagesbild year".into()))?,
        title,
        summary,
        weights: serde_json::from_str(&weights).map_err(|_| DbError::Corrupt("lagesbild weights".into()))?,
        survey_id: survey.as_deref().map(|s| uuid(s, "survey")).transpose()?,
        previous_survey_id: previous.as_deref().map(|s| uuid(s, "survey")).transpose()?,
        version,
        updated_at,
        updated_by,
        problems: problems
            .into_iter()
            .map(|(key, analysis, notes, focus, document, theme)| {
                Ok(ProblemNotes {
                    key,
                    analysis,
                    notes,
                    focus: focus != 0,
                    document_id: document.as_deref().map(|d| uuid(d, "document")).transpose()?,
                    theme,
                })
            })
            .collect::<Result<_, DbError>>()?,
        choices: choices
            .into_iter()
            .map(|(problem, indicator, chosen)| Choice { problem, indicator, chosen: chosen != 0 })
            .collect(),
    }))
}

/// A municipality's lägesbilder (those it owns or takes part in), newest year first.
pub async fn list(db: &Db, municipality_code: &str) -> Result<Vec<Summary>, DbError> {
    let rows: Vec<(String, i64, String, String, Option<String>)> = sqlx::query_as(
        "SELECT l.id, l.year, l.title, l.updated_at, \
         (SELECT MAX(s.made_on) FROM lagesbild_snapshot s WHERE s.lagesbild_id = l.id) \
         FROM lagesbild l WHERE l.municipality_code = $1 OR l.id IN \
         (SELECT lagesbild_id FROM lagesbild_municipality WHERE municipality_code = $1) \
         ORDER BY l.year DESC",
    )
    .bind(municipality_code)
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .map(|(id, year, title, updated_at, last_snapshot)| {
            Ok(Summary {
                id: uuid(&id, "lagesbild")?,
                year: i32::try_from(year).map_err(|_| DbError::Corrupt("lagesbild year".into()))?,
                title,
                updated_at,
                last_snapshot,
            })
        })
        .collect()
}

/// The settings and texts of an edit.
#[derive(Clone, Debug, PartialEq)]
pub struct Edit {
    pub title: String,
    pub summary: String,
    pub weights: Weights,
    pub survey_id: Option<Uuid>,
    pub previous_survey_id: Option<Uuid>,
    /// Analysis and notes per problem (focus and links are kept as they are).
    pub problems: Vec<(String, String, String)>,
    /// The complete set of indicator choices.
    pub choices: Vec<Choice>,
}

async fn bump(
    conn: &mut AnyConnection,
    id: Uuid,
    base_version: i64,
    actor: Actor<'_>,
    now: &str,
) -> Result<i64, DbError> {
    let done = sqlx::query(
        "UPDATE lagesbild SET version = version + 1, updated_at = $1, updated_by_name = $2 WHERE id = $3 AND version = $4",
    )
    .bind(now)
    .bind(actor.name)
    .bind(id.to_string())
    .bind(base_version)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        let current: Option<(i64,)> = sqlx::query_as("SELECT version FROM lagesbild WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&mut *conn)
            .await?;
        return Err(match current {
            Some((v,)) => DbError::Stale(v),
            None => DbError::NotFound,
        });
    }
    Ok(base_version + 1)
}

async fn problem_row(conn: &mut AnyConnection, id: Uuid, key: &str) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO lagesbild_problem (lagesbild_id, problem_key, analysis, notes, focus, document_id, theme) \
         VALUES ($1, $2, '', '', 0, NULL, NULL) ON CONFLICT DO NOTHING",
    )
    .bind(id.to_string())
    .bind(key)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Saves an edit made from `base_version`; `Stale(current)` if someone saved in between.
/// Returns the new version.
pub async fn save(db: &Db, id: Uuid, base_version: i64, edit: &Edit, actor: Actor<'_>) -> Result<i64, DbError> {
    let now = now_text();
    let mut tx = db.begin_write().await?;
    let version = bump(&mut tx, id, base_version, actor, &now).await?;
    sqlx::query(
        "UPDATE lagesbild SET title = $1, summary = $2, weights = $3, survey_id = $4, previous_survey_id = $5 WHERE id = $6",
    )
    .bind(&edit.title)
    .bind(&edit.summary)
    .bind(weights_json(&edit.weights)?)
    .bind(edit.survey_id.map(|u| u.to_string()))
    .bind(edit.previous_survey_id.map(|u| u.to_string()))
    .bind(id.to_string())
    .execute(&mut *tx)
    .await?;
    for (key, analysis, notes) in &edit.problems {
        problem_row(&mut tx, id, key).await?;
        sqlx::query(
            "UPDATE lagesbild_problem SET analysis = $1, notes = $2 WHERE lagesbild_id = $3 AND problem_key = $4",
        )
        .bind(analysis)
        .bind(notes)
        .bind(id.to_string())
        .bind(key)
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query("DELETE FROM lagesbild_indicator WHERE lagesbild_id = $1")
        .bind(id.to_string())
        .execute(&mut *tx)
        .await?;
    for c in &edit.choices {
        sqlx::query(
            "INSERT INTO lagesbild_indicator (lagesbild_id, problem_key, indicator_key, chosen) VALUES ($1, $2, $3, $4) \
             ON CONFLICT DO NOTHING",
        )
        .bind(id.to_string())
        .bind(&c.problem)
        .bind(&c.indicator)
        .bind(i64::from(c.chosen))
        .execute(&mut *tx)
        .await?;
    }
    audit::append(&mut tx, actor, None, "lägesbild sparad", &format!("lägesbild {id}: version {version}"), &now)
        .await?;
    tx.commit().await?;
    Ok(version)
}

/// Marks a problem as a focus area linked to `theme` of promise `document_id`, or (with `None`)
/// unmarks it. Returns the new version.
pub async fn set_focus(
    db: &Db,
    id: Uuid,
    base_version: i64,
    key: &str,
    link: Option<(Uuid, &str)>,
    actor: Actor<'_>,
) -> Result<i64, DbError> {
    let now = now_text();
    let mut tx = db.begin_write().await?;
    let version = bump(&mut tx, id, base_version, actor, &now).await?;
    problem_row(&mut tx, id, key).await?;
    sqlx::query(
        "UPDATE lagesbild_problem SET focus = $1, document_id = $2, theme = $3 WHERE lagesbild_id = $4 AND problem_key = $5",
    )
    .bind(i64::from(link.is_some()))
    .bind(link.map(|(d, _)| d.to_string()))
    .bind(link.map(|(_, t)| t))
    .bind(id.to_string())
    .bind(key)
    .execute(&mut *tx)
    .await?;
    let detail = match link {
        Some((d, t)) => format!("lägesbild {id}: {key} fokusområde ”{t}” i dokument {d}"),
        None => format!("lägesbild {id}: {key} inte längre fokusområde"),
    };
    audit::append(&mut tx, actor, None, "lägesbild fokusområde", &detail, &now).await?;
    tx.commit().await?;
    Ok(version)
}

/// Saves a dated snapshot of the document as shown (JSON). Returns its id.
pub async fn snapshot(
    db: &Db,
    id: Uuid,
    made_on: &str,
    public: bool,
    content: &str,
    actor: Actor<'_>,
) -> Result<Uuid, DbError> {
    let snapshot = Uuid::now_v7();
    let now = now_text();
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "INSERT INTO lagesbild_snapshot (id, lagesbild_id, made_on, made_at, made_by_name, public, content) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(snapshot.to_string())
    .bind(id.to_string())
    .bind(made_on)
    .bind(&now)
    .bind(actor.name)
    .bind(i64::from(public))
    .bind(content)
    .execute(&mut *tx)
    .await?;
    let detail =
        format!("lägesbild {id}: ögonblicksbild {snapshot} {made_on}{}", if public { ", publicerad" } else { "" });
    audit::append(&mut tx, actor, None, "lägesbild fastställd", &detail, &now).await?;
    tx.commit().await?;
    Ok(snapshot)
}

type SnapshotRow = (String, String, String, String, String, i64);

fn snapshot_of(row: SnapshotRow) -> Result<Snapshot, DbError> {
    let (id, lagesbild_id, made_on, made_at, made_by, public) = row;
    Ok(Snapshot {
        id: uuid(&id, "snapshot")?,
        lagesbild_id: uuid(&lagesbild_id, "lagesbild")?,
        made_on,
        made_at,
        made_by,
        public: public != 0,
    })
}

/// A lägesbild's snapshots, newest first.
pub async fn snapshots(db: &Db, id: Uuid) -> Result<Vec<Snapshot>, DbError> {
    let rows: Vec<SnapshotRow> = sqlx::query_as(
        "SELECT id, lagesbild_id, made_on, made_at, made_by_name, public FROM lagesbild_snapshot \
         WHERE lagesbild_id = $1 ORDER BY made_at DESC, id DESC",
    )
    .bind(id.to_string())
    .fetch_all(db.pool())
    .await?;
    rows.into_iter().map(snapshot_of).collect()
}

/// One snapshot with its content.
pub async fn get_snapshot(db: &Db, snapshot: Uuid) -> Result<Option<(Snapshot, String)>, DbError> {
    let row: Option<(String, String, String, String, String, i64, String)> = sqlx::query_as(
        "SELECT id, lagesbild_id, made_on, made_at, made_by_name, public, content FROM lagesbild_snapshot WHERE id = $1",
    )
    .bind(snapshot.to_string())
    .fetch_optional(db.pool())
    .await?;
    row.map(|(id, l, on, at, by, public, content)| Ok((snapshot_of((id, l, on, at, by, public))?, content))).transpose()
}

/// The latest public snapshot of a lägesbild, with its content.
pub async fn latest_public(db: &Db, id: Uuid) -> Result<Option<(Snapshot, String)>, DbError> {
    let row: Option<(String,)> = sqlx::query_as(
        "SELECT id FROM lagesbild_snapshot WHERE lagesbild_id = $1 AND public = 1 ORDER BY made_at DESC, id DESC LIMIT 1",
    )
    .bind(id.to_string())
    .fetch_optional(db.pool())
    .await?;
    match row {
        Some((s,)) => get_snapshot(db, uuid(&s, "snapshot")?).await,
        None => Ok(None),
    }
}

/// The public lägesbilder of a municipality: (lägesbild id, year, title), newest year first.
pub async fn public_of(db: &Db, municipality_code: &str) -> Result<Vec<(Uuid, i32, String)>, DbError> {
    let rows: Vec<(String, i64, String)> = sqlx::query_as(
        "SELECT l.id, l.year, l.title FROM lagesbild l WHERE (l.municipality_code = $1 OR l.id IN \
         (SELECT lagesbild_id FROM lagesbild_municipality WHERE municipality_code = $1)) AND EXISTS \
         (SELECT 1 FROM lagesbild_snapshot s WHERE s.lagesbild_id = l.id AND s.public = 1) ORDER BY l.year DESC",
    )
    .bind(municipality_code)
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .map(|(id, year, title)| Ok((uuid(&id, "lagesbild")?, i32::try_from(year).unwrap_or(0), title)))
        .collect()
}

/// The focus areas linked to a promise document: (theme, lägesbild id, problem key).
pub async fn focus_links(db: &Db, document_id: Uuid) -> Result<Vec<(String, Uuid, String)>, DbError> {
    let rows: Vec<(Option<String>, String, String)> = sqlx::query_as(
        "SELECT theme, lagesbild_id, problem_key FROM lagesbild_problem WHERE document_id = $1 AND focus = 1 \
         ORDER BY lagesbild_id, problem_key",
    )
    .bind(document_id.to_string())
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .filter_map(|(theme, l, key)| theme.map(|t| (t, l, key)))
        .map(|(t, l, key)| Ok((t, uuid(&l, "lagesbild")?, key)))
        .collect()
}

/// The municipality a lägesbild belongs to.
pub async fn municipality_of(db: &Db, id: Uuid) -> Result<Option<String>, DbError> {
    let row: Option<(String,)> = sqlx::query_as("SELECT municipality_code FROM lagesbild WHERE id = $1")
        .bind(id.to_string())
        .fetch_optional(db.pool())
        .await?;
    Ok(row.map(|(c,)| c))
}

/// The day of the latest snapshot of any lägesbild of the municipality (the law asks for one at
/// least every second year).
pub async fn last_snapshot_on(db: &Db, municipality_code: &str) -> Result<Option<String>, DbError> {
    let row: (Option<String>,) = sqlx::query_as(
        "SELECT MAX(s.made_on) FROM lagesbild_snapshot s JOIN lagesbild l ON l.id = s.lagesbild_id \
         WHERE l.municipality_code = $1 OR l.id IN \
         (SELECT lagesbild_id FROM lagesbild_municipality WHERE municipality_code = $1)",
    )
    .bind(municipality_code)
    .fetch_one(db.pool())
    .await?;
    Ok(row.0)
}
