//! Promise documents: loading one whole document in two queries, and importing documents in
//! the interchange format inside one transaction.

use lofte_domain::{
    Activity, IsoDate, MunicipalityRef, Party, Period, PoliceAreaRef, Promise, PromiseDocument, Status, Theme,
    ValidationError,
};
use sqlx::AnyConnection;
use uuid::Uuid;

use crate::{Db, DbError, now_text, police_areas};

/// A document as stored: the interchange document plus bookkeeping.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredDocument {
    pub document: PromiseDocument,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl StoredDocument {
    pub fn id(&self) -> Option<Uuid> {
        self.document.id
    }
}

type DocRow =
    (String, String, i64, Option<String>, Option<String>, String, String, String, String, String, i64, String, String);

/// Loads a document in one query and one row, from its snapshot (the status comes from its
/// column, which supersession updates).
pub async fn get(db: &Db, id: Uuid) -> Result<Option<StoredDocument>, DbError> {
    let row: Option<(String, i64, String, String, String)> =
        sqlx::query_as("SELECT status, version, created_at, updated_at, snapshot FROM promise_document WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(db.pool())
            .await?;
    row.map(|(status, version, created_at, updated_at, snapshot)| {
        from_snapshot(&id.to_string(), &status, &snapshot, version, created_at, updated_at)
    })
    .transpose()
}

/// Rebuilds a stored document from its snapshot and status column.
pub(crate) fn from_snapshot(
    id: &str,
    status: &str,
    snapshot: &str,
    version: i64,
    created_at: String,
    updated_at: String,
) -> Result<StoredDocument, DbError> {
    let corrupt = |what: &str| DbError::Corrupt(format!("document {id}: {what}"));
    let mut document: PromiseDocument = serde_json::from_str(snapshot).map_err(|_| corrupt("snapshot"))?;
    document.status = Status::parse(status).ok_or_else(|| corrupt("status"))?;
    Ok(StoredDocument { document, version, created_at, updated_at })
}

/// Loads a document from its normalised rows (two queries). The snapshot must always equal
/// this; [`verify_snapshots`] checks it.
pub async fn get_from_rows(db: &Db, id: Uuid) -> Result<Option<StoredDocument>, DbError> {
    let id_text = id.to_string();
    let row: Option<DocRow> = sqlx::query_as(
        "SELECT pa.name, d.title, d.year, d.period_start, d.period_end, d.status, d.intro, \
                d.follow_up, d.communication, d.validity, d.version, d.created_at, d.updated_at \
         FROM promise_document d JOIN police_area pa ON pa.id = d.police_area_id WHERE d.id = $1",
    )
    .bind(&id_text)
    .fetch_optional(db.pool())
    .await?;
    let Some((
        police_area,
        title,
        year,
        start,
        end,
        status,
        intro,
        follow_up,
        communication,
        validity,
        version,
        created_at,
        updated_at,
    )) = row
    else {
        return Ok(None);
    };
    let corrupt = |what: &str| DbError::Corrupt(format!("document {id_text}: {what}"));
    let year = i32::try_from(year).map_err(|_| corrupt("year"))?;
    let status = Status::parse(&status).ok_or_else(|| corrupt("status"))?;
    let intro: Vec<String> = serde_json::from_str(&intro).map_err(|_| corrupt("intro"))?;
    let date = |d: Option<String>| -> Result<Option<IsoDate>, DbError> {
        d.map(|s| IsoDate::parse(&s).ok_or_else(|| corrupt("period"))).transpose()
    };
    let period = Period { start: date(start)?, end: date(end)? };

    // kind: m = municipality, p = promise, f = focus area, t = theme, a = activity.
    // pos/sub locate the item: (promise, focus area) and (theme, activity).
    let items: Vec<(String, i64, i64, String, String, Option<String>)> = sqlx::query_as(
        "SELECT 'm', dm.position, CAST(0 AS BIGINT), m.code, m.name, CAST(NULL AS TEXT) \
           FROM promise_document_municipality dm JOIN municipality m ON m.code = dm.municipality_code \
          WHERE dm.document_id = $1 \
         UNION ALL SELECT 'p', p.position, CAST(0 AS BIGINT), p.text, p.party, p.party_name \
           FROM promise p WHERE p.document_id = $1 \
         UNION ALL SELECT 'f', p.position, f.position, f.text, '', CAST(NULL AS TEXT) \
           FROM focus_area f JOIN promise p ON p.id = f.promise_id WHERE f.document_id = $1 \
         UNION ALL SELECT 't', t.position, CAST(0 AS BIGINT), t.name, '', CAST(NULL AS TEXT) \
           FROM theme t WHERE t.document_id = $1 \
         UNION ALL SELECT 'a', t.position, a.position, a.text, a.party, a.party_name \
           FROM activity a JOIN theme t ON t.id = a.theme_id WHERE a.document_id = $1",
    )
    .bind(&id_text)
    .fetch_all(db.pool())
    .await?;
    let mut items = items;
    let rank = |k: &str| match k {
        "m" => 0,
        "p" => 1,
        "f" => 2,
        "t" => 3,
        _ => 4,
    };
    items.sort_by_key(|(kind, pos, sub, ..)| (rank(kind), *pos, *sub));

    let mut doc = PromiseDocument {
        id: Some(id),
        municipalities: Vec::new(),
        police_area: PoliceAreaRef { name: police_area },
        title,
        year,
        period,
        status,
        intro,
        promises: Vec::new(),
        themes: Vec::new(),
        follow_up,
        communication,
        validity,
    };
    let party = |p: &str| Party::parse(p).ok_or_else(|| corrupt("party"));
    let index = |pos: i64| usize::try_from(pos).map_err(|_| corrupt("position"));
    for (kind, pos, _sub, text, party_text, party_name) in items {
        match kind.as_str() {
            "m" => doc.municipalities.push(MunicipalityRef { code: text, name: party_text }),
            "p" => doc.promises.push(Promise { text, party: party(&party_text)?, party_name, focus_areas: Vec::new() }),
            "f" => doc.promises.get_mut(index(pos)?).ok_or_else(|| corrupt("focus area"))?.focus_areas.push(text),
            "t" => doc.themes.push(Theme { name: text, activities: Vec::new() }),
            _ => doc.themes.get_mut(index(pos)?).ok_or_else(|| corrupt("activity"))?.activities.push(Activity {
                text,
                party: party(&party_text)?,
                party_name,
            }),
        }
    }
    Ok(Some(StoredDocument { document: doc, version, created_at, updated_at }))
}

/// What importing one document did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Imported {
    pub id: Uuid,
    pub title: String,
    /// False when an existing document with the same id was replaced.
    pub created: bool,
    pub version: i64,
    /// Documents that were in force and are now superseded by this one: (id, title).
    pub superseded: Vec<(String, String)>,
    /// Set when the police area did not exist and was created.
    pub new_police_area: Option<String>,
}

/// At most this many problems are reported for one file; the rest are counted.
pub const MAX_REPORTED_ERRORS: usize = 200;

/// Checks documents against the rules and the reference data without writing anything.
/// Returns the normalised documents, or every problem found (paths prefixed `[i]` when there
/// is more than one document).
pub async fn check(db: &Db, docs: Vec<PromiseDocument>) -> Result<Vec<PromiseDocument>, DbError> {
    let names: std::collections::HashMap<String, String> =
        sqlx::query_as::<_, (String, String)>("SELECT code, name FROM municipality")
            .fetch_all(db.pool())
            .await?
            .into_iter()
            .collect();
    let many = docs.len() > 1;
    let mut errors = Vec::new();
    let mut out = Vec::with_capacity(docs.len());
    let mut seen_ids = Vec::new();
    let mut in_force_codes: Vec<(String, usize)> = Vec::new();
    for (i, doc) in docs.into_iter().enumerate() {
        let prefix = |p: String| if many { format!("[{i}].{p}") } else { p };
        let mut doc = doc.normalized();
        let mut problems = doc.validate();
        if let Some(id) = doc.id {
            if seen_ids.contains(&id) {
                problems.push(ValidationError {
                    path: "id".into(),
                    message: "samma id förekommer två gånger i filen".into(),
                });
            }
            seen_ids.push(id);
        }
        for (j, m) in doc.municipalities.iter_mut().enumerate() {
            if lofte_domain::MunicipalityCode::parse(&m.code).is_none() {
                continue; // validate() has reported it
            }
            match names.get(&m.code) {
                None => problems.push(ValidationError {
                    path: format!("municipalities[{j}].code"),
                    message: format!("okänd kommunkod {}", m.code),
                }),
                Some(name) if m.name.is_empty() => m.name = name.clone(),
                Some(name) if *name != m.name => problems.push(ValidationError {
                    path: format!("municipalities[{j}].name"),
                    message: format!("kommun {} heter {name}, inte {}", m.code, m.name),
                }),
                Some(_) => {}
            }
            if doc.status == Status::InForce {
                let key = format!("{}|{}", m.code, doc.police_area.name.to_lowercase());
                if let Some((_, other)) = in_force_codes.iter().find(|(c, _)| *c == key) {
                    problems.push(ValidationError {
                        path: "status".into(),
                        message: format!(
                            "två dokument i filen är gällande för {}; bara ett kan gälla (se dokument {other})",
                            names.get(&m.code).unwrap_or(&m.code)
                        ),
                    });
                }
                in_force_codes.push((key, i));
            }
        }
        errors.extend(problems.into_iter().map(|e| ValidationError { path: prefix(e.path), message: e.message }));
        out.push(doc);
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        let total = errors.len();
        if total > MAX_REPORTED_ERRORS {
            errors.truncate(MAX_REPORTED_ERRORS);
            errors.push(ValidationError {
                path: "…".into(),
                message: format!("och {} fel till", total - MAX_REPORTED_ERRORS),
            });
        }
        Err(DbError::Invalid(errors))
    }
}

/// Imports documents: all of them or, on any error, none. With `dry_run` everything is done in
/// a transaction that is then rolled back, so the report says exactly what would happen.
///
/// A document whose id exists replaces the stored one (its version goes up); one without an id
/// gets a new UUID. The police area is found by name (case-insensitively, without the word
/// "Lokalpolisområde") or created in the police region of the first municipality; a published
/// document in force makes it cover the document's municipalities. A document imported as
/// `in_force` supersedes the documents in force for its municipalities *with the same police
/// area* (a city with several police areas has one promise with each); one that is also in
/// force for a municipality the new document does not cover is an error, since that
/// municipality would be left without its promise. Imports run one at a time.
pub async fn import(db: &Db, docs: Vec<PromiseDocument>, dry_run: bool) -> Result<Vec<Imported>, DbError> {
    let docs = check(db, docs).await?;
    let many = docs.len() > 1;
    let now = now_text();
    let mut tx = db.begin_write().await?;
    let mut done = Vec::with_capacity(docs.len());
    for (i, doc) in docs.into_iter().enumerate() {
        let result = write_one(&mut tx, doc, &now, Actor::IMPORT).await;
        match result {
            Ok(imported) => done.push(imported),
            Err(DbError::Invalid(errors)) if many => {
                return Err(DbError::Invalid(
                    errors.into_iter().map(|e| ValidationError { path: format!("[{i}].{}", e.path), ..e }).collect(),
                ));
            }
            Err(e) => return Err(e),
        }
    }
    if dry_run {
        tx.rollback().await?;
    } else {
        tx.commit().await?;
    }
    Ok(done)
}

/// Who makes a change, for versions and the audit log.
#[derive(Clone, Copy, Debug)]
pub struct Actor<'a> {
    pub id: Option<&'a str>,
    pub name: &'a str,
}

impl Actor<'_> {
    pub const IMPORT: Actor<'static> = Actor { id: None, name: "Import (lofte import json)" };
}

/// Appends an audit entry.
pub(crate) async fn audit(
    conn: &mut AnyConnection,
    actor: Actor<'_>,
    document_id: Option<&str>,
    action: &str,
    detail: &str,
    now: &str,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO audit_log (id, at, account_id, account_name, document_id, action, detail) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(Uuid::now_v7().to_string())
    .bind(now)
    .bind(actor.id)
    .bind(actor.name)
    .bind(document_id)
    .bind(action)
    .bind(detail)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Keeps the document's current state as a numbered version.
async fn keep_version(conn: &mut AnyConnection, id: &str, actor: Actor<'_>, now: &str) -> Result<(), DbError> {
    let (version, status, snapshot): (i64, String, String) =
        sqlx::query_as("SELECT version, status, snapshot FROM promise_document WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *conn)
            .await?;
    let mut doc: PromiseDocument =
        serde_json::from_str(&snapshot).map_err(|_| DbError::Corrupt(format!("document {id}: snapshot")))?;
    doc.status = Status::parse(&status).ok_or_else(|| DbError::Corrupt(format!("document {id}: status")))?;
    let snapshot = serde_json::to_string(&doc).map_err(|e| DbError::Corrupt(e.to_string()))?;
    sqlx::query(
        "INSERT INTO document_version (document_id, version, snapshot, saved_by, saved_by_name, saved_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(version)
    .bind(snapshot)
    .bind(actor.id)
    .bind(actor.name)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub(crate) async fn write_one(
    conn: &mut AnyConnection,
    doc: PromiseDocument,
    now: &str,
    actor: Actor<'_>,
) -> Result<Imported, DbError> {
    let mut doc = doc;
    let codes: Vec<String> = doc.municipalities.iter().map(|m| m.code.clone()).collect();
    // Only a promise in force says which police area covers a municipality now.
    let attach: &[String] = if doc.status == Status::InForce { &codes } else { &[] };
    let region_from: Option<&String> = codes.first();
    let (police_area_id, stored_name, created_area) =
        police_areas::ensure_for_document(&mut *conn, &doc.police_area.name, region_from, attach).await?;
    // The document names the area as it is stored ("arvika" finds "Arvika" and says "Arvika").
    doc.police_area.name = stored_name;
    let id = doc.id.unwrap_or_else(Uuid::now_v7);
    let id_text = id.to_string();
    let intro = serde_json::to_string(&doc.intro).map_err(|e| DbError::Corrupt(e.to_string()))?;
    let snapshot = serde_json::to_string(&PromiseDocument { id: Some(id), ..doc.clone() })
        .map_err(|e| DbError::Corrupt(e.to_string()))?;
    let start = doc.period.start.map(|d| d.to_string());
    let end = doc.period.end.map(|d| d.to_string());

    let existing: Option<(i64,)> = sqlx::query_as("SELECT version FROM promise_document WHERE id = $1")
        .bind(&id_text)
        .fetch_optional(&mut *conn)
        .await?;
    if existing.is_some() {
        for table in DELETE_CHILDREN {
            sqlx::query(*table).bind(&id_text).execute(&mut *conn).await?;
        }
    }
    let version = existing.map_or(1, |(v,)| v + 1);
    sqlx::query(
        "INSERT INTO promise_document (id, police_area_id, title, year, period_start, period_end, status, \
         intro, follow_up, communication, validity, snapshot, version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14) \
         ON CONFLICT (id) DO UPDATE SET police_area_id = excluded.police_area_id, title = excluded.title, \
           year = excluded.year, period_start = excluded.period_start, period_end = excluded.period_end, \
           status = excluded.status, intro = excluded.intro, follow_up = excluded.follow_up, \
           communication = excluded.communication, validity = excluded.validity, snapshot = excluded.snapshot, \
           version = excluded.version, updated_at = excluded.updated_at",
    )
    .bind(&id_text)
    .bind(&police_area_id)
    .bind(&doc.title)
    .bind(i64::from(doc.year))
    .bind(&start)
    .bind(&end)
    .bind(doc.status.as_str())
    .bind(&intro)
    .bind(&doc.follow_up)
    .bind(&doc.communication)
    .bind(&doc.validity)
    .bind(&snapshot)
    .bind(version)
    .bind(now)
    .execute(&mut *conn)
    .await?;

    for (pos, code) in codes.iter().enumerate() {
        sqlx::query(
            "INSERT INTO promise_document_municipality (document_id, municipality_code, position) VALUES ($1, $2, $3)",
        )
        .bind(&id_text)
        .bind(code)
        .bind(pos as i64)
        .execute(&mut *conn)
        .await?;
    }
    for (pos, p) in doc.promises.iter().enumerate() {
        let promise_id = Uuid::now_v7().to_string();
        sqlx::query(
            "INSERT INTO promise (id, document_id, position, text, party, party_name) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&promise_id)
        .bind(&id_text)
        .bind(pos as i64)
        .bind(&p.text)
        .bind(p.party.as_str())
        .bind(&p.party_name)
        .execute(&mut *conn)
        .await?;
        for (fpos, f) in p.focus_areas.iter().enumerate() {
            sqlx::query(
                "INSERT INTO focus_area (id, promise_id, document_id, position, text) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(Uuid::now_v7().to_string())
            .bind(&promise_id)
            .bind(&id_text)
            .bind(fpos as i64)
            .bind(f)
            .execute(&mut *conn)
            .await?;
        }
    }
    for (pos, t) in doc.themes.iter().enumerate() {
        let theme_id = Uuid::now_v7().to_string();
        sqlx::query("INSERT INTO theme (id, document_id, position, name) VALUES ($1, $2, $3, $4)")
            .bind(&theme_id)
            .bind(&id_text)
            .bind(pos as i64)
            .bind(&t.name)
            .execute(&mut *conn)
            .await?;
        for (apos, a) in t.activities.iter().enumerate() {
            sqlx::query(
                "INSERT INTO activity (id, theme_id, document_id, position, text, party, party_name) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(Uuid::now_v7().to_string())
            .bind(&theme_id)
            .bind(&id_text)
            .bind(apos as i64)
            .bind(&a.text)
            .bind(a.party.as_str())
            .bind(&a.party_name)
            .execute(&mut *conn)
            .await?;
        }
    }
    let mut superseded = Vec::new();
    if doc.status == Status::InForce {
        let others: Vec<(String, String)> = sqlx::query_as(
            "SELECT d.id, d.title FROM promise_document d \
             WHERE d.status = 'in_force' AND d.id <> $1 AND d.police_area_id = $2 AND d.id IN ( \
               SELECT dm.document_id FROM promise_document_municipality dm \
               WHERE dm.municipality_code IN ( \
                 SELECT own.municipality_code FROM promise_document_municipality own WHERE own.document_id = $1)) \
             ORDER BY d.id",
        )
        .bind(&id_text)
        .bind(&police_area_id)
        .fetch_all(&mut *conn)
        .await?;
        for (other_id, other_title) in others {
            let uncovered: Vec<(String,)> = sqlx::query_as(
                "SELECT m.name FROM promise_document_municipality dm JOIN municipality m ON m.code = dm.municipality_code \
                 WHERE dm.document_id = $1 AND dm.municipality_code NOT IN ( \
                   SELECT own.municipality_code FROM promise_document_municipality own WHERE own.document_id = $2) \
                 ORDER BY m.name",
            )
            .bind(&other_id)
            .bind(&id_text)
            .fetch_all(&mut *conn)
            .await?;
            if !uncovered.is_empty() {
                let names: Vec<String> = uncovered.into_iter().map(|(n,)| n).collect();
                return Err(DbError::invalid(
                    "status",
                    format!(
                        "kan inte bli gällande: \"{other_title}\" ({other_id}) gäller också för {} som inte ingår i \
                         det här dokumentet. Ta med alla dess kommuner, eller sätt först det gamla till \"superseded\".",
                        names.join(", ")
                    ),
                ));
            }
            sqlx::query(
                "UPDATE promise_document SET status = 'superseded', version = version + 1, updated_at = $2 WHERE id = $1",
            )
            .bind(&other_id)
            .bind(now)
            .execute(&mut *conn)
            .await?;
            keep_version(&mut *conn, &other_id, actor, now).await?;
            audit(&mut *conn, actor, Some(&other_id), "ersatt", &format!("ersatt av {} ({id_text})", doc.title), now)
                .await?;
            superseded.push((other_id, other_title));
        }
    }
    keep_version(&mut *conn, &id_text, actor, now).await?;
    let what = if existing.is_some() { "uppdaterad" } else { "skapad" };
    audit(
        &mut *conn,
        actor,
        Some(&id_text),
        what,
        &format!("{} ({}), version {version}", doc.title, doc.status.label_sv()),
        now,
    )
    .await?;
    Ok(Imported {
        id,
        title: doc.title,
        created: existing.is_none(),
        version,
        superseded,
        new_police_area: created_area.then(|| doc.police_area.name.clone()),
    })
}

const DELETE_CHILDREN: &[&str] = &[
    "DELETE FROM activity WHERE document_id = $1",
    "DELETE FROM theme WHERE document_id = $1",
    "DELETE FROM focus_area WHERE document_id = $1",
    "DELETE FROM promise WHERE document_id = $1",
    "DELETE FROM promise_document_municipality WHERE document_id = $1",
];

/// Ids of every document, for `lofte export` of everything.
pub async fn all_ids(db: &Db) -> Result<Vec<Uuid>, DbError> {
    let rows: Vec<(String,)> =
        sqlx::query_as("SELECT id FROM promise_document ORDER BY year, id").fetch_all(db.pool()).await?;
    rows.into_iter().map(|(id,)| Uuid::parse_str(&id).map_err(|_| DbError::Corrupt(format!("id {id:?}")))).collect()
}

/// Ids of the documents whose snapshot differs from their rows (should always be empty).
pub async fn verify_snapshots(db: &Db) -> Result<Vec<Uuid>, DbError> {
    let mut bad = Vec::new();
    for id in all_ids(db).await? {
        if get(db, id).await? != get_from_rows(db, id).await? {
            bad.push(id);
        }
    }
    Ok(bad)
}
