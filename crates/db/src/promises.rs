//! Promise documents: loading one whole document in two queries, and importing documents in
//! the interchange format inside one transaction.

use lofte_domain::seal::content_sha256;
use lofte_domain::{
    Activity, IsoDate, MunicipalityRef, Party, Period, PoliceAreaRef, Promise, PromiseDocument, Status, Theme,
    ValidationError,
};
use sqlx::AnyConnection;
use uuid::Uuid;

use crate::{Db, DbError, audit, now_text, police_areas, signatures};

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

/// The record columns of a document: what signing and supersession change.
#[derive(Clone, Debug, Default)]
pub(crate) struct RecordColumns {
    pub sha256: Option<String>,
    pub valid_from: Option<String>,
    pub valid_to: Option<String>,
    pub withdrawn_reason: Option<String>,
    pub signatures: Option<String>,
}

/// The columns after `snapshot` in [`SELECT_STORED`].
pub(crate) const SELECT_STORED: &str = "SELECT status, version, created_at, updated_at, snapshot, sha256, valid_from, \
    valid_to, withdrawn_reason, signatures FROM promise_document WHERE id = $1";

type StoredRow =
    (String, i64, String, String, String, Option<String>, Option<String>, Option<String>, Option<String>, String);

pub(crate) fn from_stored_row(id: &str, r: StoredRow) -> Result<StoredDocument, DbError> {
    let record =
        RecordColumns { sha256: r.5, valid_from: r.6, valid_to: r.7, withdrawn_reason: r.8, signatures: Some(r.9) };
    from_snapshot(id, &r.0, &r.4, r.1, r.2, r.3, record)
}

/// Loads a document in one query and one row, from its snapshot and record columns.
pub async fn get(db: &Db, id: Uuid) -> Result<Option<StoredDocument>, DbError> {
    let row: Option<StoredRow> = sqlx::query_as(SELECT_STORED).bind(id.to_string()).fetch_optional(db.pool()).await?;
    row.map(|r| from_stored_row(&id.to_string(), r)).transpose()
}

/// Loads a document inside a transaction.
pub(crate) async fn get_in(conn: &mut AnyConnection, id: &str) -> Result<Option<StoredDocument>, DbError> {
    let row: Option<StoredRow> = sqlx::query_as(SELECT_STORED).bind(id).fetch_optional(&mut *conn).await?;
    row.map(|r| from_stored_row(id, r)).transpose()
}

/// Rebuilds a stored document from its snapshot, status column and record columns (which win
/// over whatever the snapshot says about them).
pub(crate) fn from_snapshot(
    id: &str,
    status: &str,
    snapshot: &str,
    version: i64,
    created_at: String,
    updated_at: String,
    record: RecordColumns,
) -> Result<StoredDocument, DbError> {
    let corrupt = |what: &str| DbError::Corrupt(format!("document {id}: {what}"));
    let mut document: PromiseDocument = serde_json::from_str(snapshot).map_err(|_| corrupt("snapshot"))?;
    document.status = Status::parse(status).ok_or_else(|| corrupt("status"))?;
    apply_record(&mut document, record).map_err(|()| corrupt("record"))?;
    Ok(StoredDocument { document, version, created_at, updated_at })
}

fn apply_record(doc: &mut PromiseDocument, r: RecordColumns) -> Result<(), ()> {
    let date = |d: Option<String>| d.map(|s| IsoDate::parse(&s).ok_or(())).transpose();
    doc.sha256 = r.sha256;
    doc.valid_from = date(r.valid_from)?;
    doc.valid_to = date(r.valid_to)?;
    doc.withdrawn_reason = r.withdrawn_reason;
    doc.signatures = match r.signatures {
        Some(json) => serde_json::from_str(&json).map_err(|_| ())?,
        None => Vec::new(),
    };
    Ok(())
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
        sha256: None,
        signatures: Vec::new(),
        valid_from: None,
        valid_to: None,
        withdrawn_reason: None,
    };
    let (sha256, valid_from, valid_to, withdrawn_reason): (
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
    ) = sqlx::query_as("SELECT sha256, valid_from, valid_to, withdrawn_reason FROM promise_document WHERE id = $1")
        .bind(&id_text)
        .fetch_one(db.pool())
        .await?;
    let signatures = signatures::rows(db, &id_text).await?;
    let signatures = serde_json::to_string(&signatures).map_err(|e| DbError::Corrupt(e.to_string()))?;
    let record = RecordColumns { sha256, valid_from, valid_to, withdrawn_reason, signatures: Some(signatures) };
    apply_record(&mut doc, record).map_err(|()| corrupt("record"))?;
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
    /// True when the same signed document was imported again (nothing written).
    pub unchanged: bool,
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
        crate::municipalities::names(db).await?.into_iter().collect();
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
    import_as(db, docs, dry_run, Actor::IMPORT).await
}

/// [`import`] on behalf of a person (the staff import page), for versions and the audit log.
pub async fn import_as(
    db: &Db,
    docs: Vec<PromiseDocument>,
    dry_run: bool,
    actor: Actor<'_>,
) -> Result<Vec<Imported>, DbError> {
    let docs = check(db, docs).await?;
    let many = docs.len() > 1;
    let now = now_text();
    let mut tx = db.begin_write().await?;
    let mut done = Vec::with_capacity(docs.len());
    for (i, doc) in docs.into_iter().enumerate() {
        let result = write_one(&mut tx, doc, &now, actor).await;
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
    /// Statistics imported from the command line.
    pub const STATISTICS: Actor<'static> = Actor { id: None, name: "Import (lofte import, statistik)" };
}

/// Keeps the document's current state (content and record) as a numbered version.
pub(crate) async fn keep_version(
    conn: &mut AnyConnection,
    id: &str,
    actor: Actor<'_>,
    now: &str,
) -> Result<(), DbError> {
    let stored = get_in(&mut *conn, id).await?.ok_or(DbError::NotFound)?;
    let snapshot = serde_json::to_string(&stored.document).map_err(|e| DbError::Corrupt(e.to_string()))?;
    sqlx::query(
        "INSERT INTO document_version (document_id, version, snapshot, saved_by, saved_by_name, saved_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(stored.version)
    .bind(snapshot)
    .bind(actor.id)
    .bind(actor.name)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The first day in force of a public document being written: as given, else the period start,
/// else the day of its last signature.
fn stated_start(doc: &PromiseDocument) -> Option<IsoDate> {
    doc.valid_from.or(doc.period.start).or_else(|| doc.signatures.iter().map(|s| s.signed_on).max())
}

pub(crate) async fn write_one(
    conn: &mut AnyConnection,
    doc: PromiseDocument,
    now: &str,
    actor: Actor<'_>,
) -> Result<Imported, DbError> {
    let mut doc = doc;
    let id = doc.id.unwrap_or_else(Uuid::now_v7);
    let id_text = id.to_string();
    doc.id = Some(id);
    let content_hash = content_sha256(&doc);
    if doc.sha256.as_ref().is_some_and(|h| *h != content_hash) {
        return Err(DbError::invalid(
            "sha256",
            format!("stämmer inte med innehållet (innehållets SHA-256 är {content_hash})"),
        ));
    }

    let existing = get_in(&mut *conn, &id_text).await?;
    if let Some(old) = &existing
        && old.document.status != Status::Draft
    {
        // Frozen and signed documents never change. Importing the same again is a no-op.
        let same = content_sha256(&old.document) == content_hash && old.document.status == doc.status;
        if same && (doc.signatures.is_empty() || doc.signatures == old.document.signatures) {
            return Ok(Imported {
                id,
                title: old.document.title.clone(),
                created: false,
                unchanged: true,
                version: old.version,
                superseded: Vec::new(),
                new_police_area: None,
            });
        }
        return Err(DbError::invalid(
            "id",
            format!(
                "dokumentet finns redan och är {} (\"{}\"): dess innehåll och status kan inte ändras. \
                 Skapa ett nytt dokument (utan id) i stället.",
                old.document.status.label_sv().to_lowercase(),
                old.document.status.as_str()
            ),
        ));
    }

    let codes: Vec<String> = doc.municipalities.iter().map(|m| m.code.clone()).collect();
    // Only a promise in force says which police area covers a municipality now.
    let attach: &[String] = if doc.status == Status::InForce { &codes } else { &[] };
    let region_from: Option<&String> = codes.first();
    let (police_area_id, stored_name, created_area) =
        police_areas::ensure_for_document(&mut *conn, &doc.police_area.name, region_from, attach).await?;
    // The document names the area as it is stored ("arvika" finds "Arvika" and says "Arvika").
    doc.police_area.name = stored_name;

    let public = doc.status.is_public();
    if public {
        doc.sha256 = Some(content_hash);
        doc.valid_from = stated_start(&doc);
        doc.valid_to = doc.valid_to.or(doc.period.end);
        for s in &mut doc.signatures {
            s.document_sha256 = doc.sha256.clone();
            s.registered_by.get_or_insert_with(|| actor.name.to_owned());
        }
    } else {
        doc.sha256 = None;
    }
    let intro = serde_json::to_string(&doc.intro).map_err(|e| DbError::Corrupt(e.to_string()))?;
    let start = doc.period.start.map(|d| d.to_string());
    let end = doc.period.end.map(|d| d.to_string());

    if existing.is_some() {
        for table in DELETE_CHILDREN {
            sqlx::query(*table).bind(&id_text).execute(&mut *conn).await?;
        }
    }
    // The rows and columns must be in place before supersession looks at shared municipalities.
    let version = existing.as_ref().map_or(1, |e| e.version + 1);
    let write = |doc: &PromiseDocument| -> Result<(String, String), DbError> {
        let snapshot = serde_json::to_string(doc).map_err(|e| DbError::Corrupt(e.to_string()))?;
        let signatures = serde_json::to_string(&doc.signatures).map_err(|e| DbError::Corrupt(e.to_string()))?;
        Ok((snapshot, signatures))
    };
    let (snapshot, signatures_json) = write(&doc)?;
    sqlx::query(
        "INSERT INTO promise_document (id, police_area_id, title, year, period_start, period_end, status, \
         intro, follow_up, communication, validity, snapshot, version, created_at, updated_at, \
         sha256, valid_from, valid_to, withdrawn_reason, signatures) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14, $15, $16, $17, $18, $19) \
         ON CONFLICT (id) DO UPDATE SET police_area_id = excluded.police_area_id, title = excluded.title, \
           year = excluded.year, period_start = excluded.period_start, period_end = excluded.period_end, \
           status = excluded.status, intro = excluded.intro, follow_up = excluded.follow_up, \
           communication = excluded.communication, validity = excluded.validity, snapshot = excluded.snapshot, \
           version = excluded.version, updated_at = excluded.updated_at, sha256 = excluded.sha256, \
           valid_from = excluded.valid_from, valid_to = excluded.valid_to, \
           withdrawn_reason = excluded.withdrawn_reason, signatures = excluded.signatures",
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
    .bind(&doc.sha256)
    .bind(doc.valid_from.map(|d| d.to_string()))
    .bind(doc.valid_to.map(|d| d.to_string()))
    .bind(&doc.withdrawn_reason)
    .bind(&signatures_json)
    .execute(&mut *conn)
    .await?;
    write_children(&mut *conn, &id_text, &codes, &doc).await?;
    for s in &doc.signatures {
        signatures::insert(&mut *conn, &id_text, s, None, now).await?;
    }

    let mut superseded = Vec::new();
    if public {
        let from = doc.valid_from;
        let outcome = take_over(
            &mut *conn,
            &id_text,
            &doc.title,
            doc.status,
            lofte_domain::signing::Validity { from, to: doc.valid_to },
            true,
            actor,
            now,
        )
        .await?;
        superseded = outcome.superseded;
        if outcome.from != from {
            doc.valid_from = outcome.from;
            sqlx::query("UPDATE promise_document SET valid_from = $2, snapshot = $3 WHERE id = $1")
                .bind(&id_text)
                .bind(outcome.from.map(|d| d.to_string()))
                .bind(write(&doc)?.0)
                .execute(&mut *conn)
                .await?;
        }
    }
    keep_version(&mut *conn, &id_text, actor, now).await?;
    let what = if existing.is_some() { "uppdaterad" } else { "skapad" };
    let mut detail = format!("{} ({}), version {version}", doc.title, doc.status.label_sv());
    if public {
        let validity = lofte_domain::signing::Validity { from: doc.valid_from, to: doc.valid_to };
        detail.push_str(&format!(", giltighet {validity}, SHA-256 {}", doc.sha256.as_deref().unwrap_or_default()));
    }
    audit::append(&mut *conn, actor, Some(&id_text), what, &detail, now).await?;
    Ok(Imported {
        id,
        title: doc.title,
        created: existing.is_none(),
        unchanged: false,
        version,
        superseded,
        new_police_area: created_area.then(|| doc.police_area.name.clone()),
    })
}

async fn write_children(
    conn: &mut AnyConnection,
    id_text: &str,
    codes: &[String],
    doc: &PromiseDocument,
) -> Result<(), DbError> {
    for (pos, code) in codes.iter().enumerate() {
        sqlx::query(
            "INSERT INTO promise_document_municipality (document_id, municipality_code, position) VALUES ($1, $2, $3)",
        )
        .bind(id_text)
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
        .bind(id_text)
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
            .bind(id_text)
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
            .bind(id_text)
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
            .bind(id_text)
            .bind(apos as i64)
            .bind(&a.text)
            .bind(a.party.as_str())
            .bind(&a.party_name)
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}

/// The other public promises of document `$1`'s municipalities and police area, in the order
/// they were created: (id, title, status, valid_from, valid_to, year).
pub(crate) const OTHERS_OF_PAIR: &str = "SELECT d.id, d.title, d.status, d.valid_from, d.valid_to, d.year \
     FROM promise_document d \
     WHERE d.status IN ('in_force', 'superseded', 'withdrawn') AND d.id <> $1 \
       AND d.police_area_id = (SELECT police_area_id FROM promise_document WHERE id = $1) AND d.id IN ( \
       SELECT dm.document_id FROM promise_document_municipality dm WHERE dm.municipality_code IN ( \
         SELECT own.municipality_code FROM promise_document_municipality own WHERE own.document_id = $1)) \
     ORDER BY d.id";

pub(crate) type PairRow = (String, String, String, Option<String>, Option<String>, i64);

/// What [`take_over`] did.
pub(crate) struct TakeOver {
    /// The first day in force of the new document (today when it had none and ends others).
    pub from: Option<IsoDate>,
    /// Documents that were in force and are now superseded: (id, title).
    pub superseded: Vec<(String, String)>,
}

/// A public document `id` (already written, with its municipalities) takes its place in the
/// register of its police area and municipalities. In force: every other public promise of the
/// same police area sharing a municipality ends the day before it starts, and those in force
/// become superseded (it must cover all their municipalities). Otherwise (imported history) it
/// must not overlap any of them. `import` also refuses a promise in force that starts before
/// one already recorded (history is imported oldest first).
#[allow(clippy::too_many_arguments)]
pub(crate) async fn take_over(
    conn: &mut AnyConnection,
    id_text: &str,
    title: &str,
    status: Status,
    validity: lofte_domain::signing::Validity,
    import: bool,
    actor: Actor<'_>,
    now: &str,
) -> Result<TakeOver, DbError> {
    let others: Vec<PairRow> = sqlx::query_as(OTHERS_OF_PAIR).bind(id_text).fetch_all(&mut *conn).await?;
    let corrupt = |what: &str| DbError::Corrupt(format!("document {id_text}: {what}"));
    let mut parsed = Vec::with_capacity(others.len());
    for (oid, otitle, ostatus, ofrom, oto, _year) in others {
        let st = Status::parse(&ostatus).ok_or_else(|| corrupt("status"))?;
        let date = |d: Option<String>| d.map(|s| IsoDate::parse(&s).ok_or_else(|| corrupt("validity"))).transpose();
        let v = lofte_domain::signing::Validity { from: date(ofrom)?, to: date(oto)? };
        parsed.push((oid, otitle, st, v));
    }
    if status != Status::InForce {
        if let Some((oid, otitle, _, v)) = parsed.iter().find(|(.., v)| v.overlaps(&validity)) {
            return Err(DbError::invalid(
                "valid_from",
                format!(
                    "giltigheten {validity} överlappar \"{otitle}\" ({oid}) som gäller {v}; två löften för samma \
                     kommun och lokalpolisområde kan inte gälla samma dag"
                ),
            ));
        }
        return Ok(TakeOver { from: validity.from, superseded: Vec::new() });
    }
    let live: Vec<_> = parsed.iter().filter(|(.., v)| !v.is_empty()).collect();
    if live.is_empty() {
        return Ok(TakeOver { from: validity.from, superseded: Vec::new() });
    }
    let today = lofte_domain::signing::stockholm_date(time::OffsetDateTime::now_utc());
    let from = validity.from.unwrap_or(today);
    if import && let Some((oid, otitle, _, v)) = live.iter().find(|(.., v)| v.from.is_some_and(|f| f > from)) {
        return Err(DbError::invalid(
            "valid_from",
            format!(
                "\"{otitle}\" ({oid}) började gälla senare ({v}); importera äldre löften som \"superseded\" med \
                 valid_from och valid_to, eller i tidsordning"
            ),
        ));
    }
    let mut superseded = Vec::new();
    let before: Vec<(Status, lofte_domain::signing::Validity)> = parsed.iter().map(|(_, _, st, v)| (*st, *v)).collect();
    let after = lofte_domain::signing::supersede(&before, from);
    for ((oid, otitle, st, v), (new_st, new_v)) in parsed.iter().zip(after) {
        if (*st, *v) == (new_st, new_v) {
            continue;
        }
        if new_st != *st {
            let uncovered: Vec<(String,)> = sqlx::query_as(
                "SELECT m.name FROM promise_document_municipality dm JOIN municipality m ON m.code = dm.municipality_code \
                 WHERE dm.document_id = $1 AND dm.municipality_code NOT IN ( \
                   SELECT own.municipality_code FROM promise_document_municipality own WHERE own.document_id = $2) \
                 ORDER BY m.name",
            )
            .bind(oid)
            .bind(id_text)
            .fetch_all(&mut *conn)
            .await?;
            if !uncovered.is_empty() {
                let names: Vec<String> = uncovered.into_iter().map(|(n,)| n).collect();
                return Err(DbError::invalid(
                    "status",
                    format!(
                        "kan inte bli gällande: \"{otitle}\" ({oid}) gäller också för {} som inte ingår i \
                         det här dokumentet. Ta med alla dess kommuner, eller sätt först det gamla till \"superseded\".",
                        names.join(", ")
                    ),
                ));
            }
        }
        sqlx::query(
            "UPDATE promise_document SET status = $2, valid_to = $3, version = version + 1, updated_at = $4 WHERE id = $1",
        )
        .bind(oid)
        .bind(new_st.as_str())
        .bind(new_v.to.map(|d| d.to_string()))
        .bind(now)
        .execute(&mut *conn)
        .await?;
        keep_version(&mut *conn, oid, actor, now).await?;
        audit::append(
            &mut *conn,
            actor,
            Some(oid),
            "ersatt",
            &format!("ersatt av {title} ({id_text}), giltighet nu {new_v}"),
            now,
        )
        .await?;
        if new_st != *st {
            superseded.push((oid.clone(), otitle.clone()));
        }
    }
    Ok(TakeOver { from: Some(from), superseded })
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
        let snapshot = get(db, id).await?;
        let rows = get_from_rows(db, id).await?.map(|r| with_signed_names(r, snapshot.as_ref()));
        if snapshot != rows {
            bad.push(id);
        }
    }
    Ok(bad)
}

/// The rows of a document name its police area and municipalities through the reference data,
/// which can be renamed later; a frozen or signed document keeps the names it was signed with,
/// which its snapshot holds. Compare rows with a snapshot after this.
pub fn with_signed_names(mut rows: StoredDocument, snapshot: Option<&StoredDocument>) -> StoredDocument {
    if let Some(s) = snapshot
        && s.document.status != Status::Draft
    {
        rows.document.police_area.name.clone_from(&s.document.police_area.name);
        for (r, m) in rows.document.municipalities.iter_mut().zip(&s.document.municipalities) {
            if r.code == m.code {
                r.name.clone_from(&m.name);
            }
        }
    }
    rows
}
