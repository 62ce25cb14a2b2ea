//! Surveys: the questionnaire and its settings (saved with a version check), anonymous answers
//! with their running counts, one-time codes, free texts, and each municipality's sub-areas.
//!
//! Anonymity by construction: an answer row holds a random id, the day, the language and the
//! closed answers; free texts go to their own table with no link to it. Nothing about the
//! request (address, browser, cookie, time of day) is passed in, so nothing can be stored.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use lofte_domain::auth::Org;
use lofte_domain::survey::{Answers, Population, Questionnaire, TallyKey};
use lofte_domain::{IsoDate, ValidationError};
use sqlx::AnyConnection;
use uuid::Uuid;

use crate::batch::{BATCH, batched, statement};
use crate::{Db, DbError, now_text};

/// Why an answer was not taken. Not an error of ours: the respondent is told.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The survey is not open on the day.
    NotOpen,
    /// A code is required and none (or a malformed one) was given.
    CodeMissing,
    /// No such code, or it has been used.
    CodeUsed,
}

/// A survey's record as staff and respondents see it.
#[derive(Clone, Debug)]
pub struct Survey {
    pub id: Uuid,
    pub municipality_code: String,
    pub municipality_name: String,
    pub title: String,
    pub title_en: String,
    pub year: i64,
    pub questionnaire: Questionnaire,
    pub opens_on: Option<IsoDate>,
    pub closes_on: Option<IsoDate>,
    pub requires_code: bool,
    pub min_cell: i64,
    pub results_public: bool,
    pub responses: i64,
    pub population: Option<Population>,
    pub version: i64,
    pub updated_at: String,
    /// The municipality and the police areas it belongs to.
    pub parties: Vec<Org>,
}

/// What staff edit: settings and questionnaire, saved together.
#[derive(Clone, Debug)]
pub struct Editable {
    pub title: String,
    pub title_en: String,
    pub year: i64,
    pub questionnaire: Questionnaire,
    pub opens_on: Option<IsoDate>,
    pub closes_on: Option<IsoDate>,
    pub requires_code: bool,
    pub min_cell: i64,
    pub results_public: bool,
}

impl Survey {
    pub fn editable(&self) -> Editable {
        Editable {
            title: self.title.clone(),
            title_en: self.title_en.clone(),
            year: self.year,
            questionnaire: self.questionnaire.clone(),
            opens_on: self.opens_on,
            closes_on: self.closes_on,
            requires_code: self.requires_code,
            min_cell: self.min_cell,
            results_public: self.results_public,
        }
    }
}

type SurveyRow = (
    String,
    String,
    String,
    String,
    String,
    i64,
    String,
    Option<String>,
    Option<String>,
    i64,
    i64,
    i64,
    i64,
    Option<String>,
    i64,
    String,
);

macro_rules! select_survey {
    () => {
        "SELECT s.id, s.municipality_code, m.name, s.title, s.title_en, s.year, s.questionnaire, s.opens_on, \
         s.closes_on, s.requires_code, s.min_cell, s.results_public, s.responses, s.population, s.version, \
         s.updated_at FROM survey s JOIN municipality m ON m.code = s.municipality_code"
    };
}

fn corrupt(what: &str) -> DbError {
    DbError::Corrupt(format!("survey {what}"))
}

fn date(s: Option<String>) -> Result<Option<IsoDate>, DbError> {
    s.map(|s| IsoDate::parse(&s).ok_or_else(|| corrupt("date"))).transpose()
}

/// Every (municipality, police area) pair, to give many surveys their parties with one query.
async fn police_areas(db: &Db) -> Result<Vec<(String, String)>, DbError> {
    Ok(sqlx::query_as("SELECT municipality_code, police_area_id FROM police_area_municipality")
        .fetch_all(db.pool())
        .await?)
}

fn parties_from(code: &str, areas: &[(String, String)]) -> Vec<Org> {
    let mut parties = vec![Org::Municipality(code.to_owned())];
    parties.extend(areas.iter().filter(|(m, _)| m == code).map(|(_, p)| Org::PoliceArea(p.clone())));
    parties
}

fn to_survey(row: SurveyRow, parties: Vec<Org>) -> Result<Survey, DbError> {
    let (
        id,
        code,
        name,
        title,
        title_en,
        year,
        q,
        opens,
        closes,
        requires_code,
        min_cell,
        public,
        responses,
        pop,
        version,
        at,
    ) = row;
    Ok(Survey {
        id: id.parse().map_err(|_| corrupt("id"))?,
        municipality_code: code,
        municipality_name: name,
        title,
        title_en,
        year,
        questionnaire: serde_json::from_str(&q).map_err(|_| corrupt("questionnaire"))?,
        opens_on: date(opens)?,
        closes_on: date(closes)?,
        requires_code: requires_code != 0,
        min_cell,
        results_public: public != 0,
        responses,
        population: pop.map(|p| serde_json::from_str(&p).map_err(|_| corrupt("population"))).transpose()?,
        version,
        updated_at: at,
        parties,
    })
}

pub async fn get(db: &Db, id: Uuid) -> Result<Option<Survey>, DbError> {
    const SQL: &str = concat!(select_survey!(), " WHERE s.id = $1");
    let row: Option<SurveyRow> = sqlx::query_as(SQL).bind(id.to_string()).fetch_optional(db.pool()).await?;
    let Some(row) = row else { return Ok(None) };
    let parties = crate::municipalities::parties(db, &row.1).await?;
    Ok(Some(to_survey(row, parties)?))
}

/// Every survey, newest year first, then by municipality and title.
pub async fn list(db: &Db) -> Result<Vec<Survey>, DbError> {
    let rows: Vec<SurveyRow> = sqlx::query_as(select_survey!()).fetch_all(db.pool()).await?;
    let areas = police_areas(db).await?;
    let mut out = rows
        .into_iter()
        .map(|r| {
            let parties = parties_from(&r.1, &areas);
            to_survey(r, parties)
        })
        .collect::<Result<Vec<_>, _>>()?;
    out.sort_by(|a, b| {
        b.year.cmp(&a.year).then(a.municipality_name.cmp(&b.municipality_name)).then(a.title.cmp(&b.title))
    });
    Ok(out)
}

/// A survey as the municipality's public page lists it.
#[derive(Clone, Debug)]
pub struct PublicSurvey {
    pub id: String,
    pub title: String,
    /// Open for answers on the day asked about.
    pub open: bool,
    pub closes_on: Option<String>,
    pub results_public: bool,
    /// Answered with a one-time code from a letter.
    pub requires_code: bool,
}

/// A municipality's surveys that residents can answer on `day` or whose results are published.
pub async fn public_of(db: &Db, municipality_code: &str, day: IsoDate) -> Result<Vec<PublicSurvey>, DbError> {
    let rows: Vec<(String, String, String, Option<String>, i64, i64)> = sqlx::query_as(
        "SELECT id, title, opens_on, closes_on, results_public, requires_code FROM survey WHERE municipality_code = $1 \
         AND opens_on IS NOT NULL AND ((opens_on <= $2 AND (closes_on IS NULL OR closes_on >= $2)) OR results_public = 1) \
         ORDER BY opens_on DESC, title",
    )
    .bind(municipality_code)
    .bind(day.to_string())
    .fetch_all(db.pool())
    .await?;
    let today = day.to_string();
    Ok(rows
        .into_iter()
        .map(|(id, title, opens, closes, public, code)| PublicSurvey {
            id,
            title,
            open: opens <= today && closes.as_ref().is_none_or(|c| *c >= today),
            closes_on: closes,
            results_public: public != 0,
            requires_code: code != 0,
        })
        .collect())
}

fn check(e: &Editable) -> Result<(), DbError> {
    let mut errors: Vec<ValidationError> = e
        .questionnaire
        .problems()
        .into_iter()
        .map(|p| ValidationError { path: p.question, message: p.message })
        .collect();
    let mut push =
        |path: &str, message: &str| errors.push(ValidationError { path: path.into(), message: message.into() });
    if e.title.trim().is_empty() {
        push("title", "Enkäten behöver en titel.");
    }
    if e.title.chars().count() > 200 || e.title_en.chars().count() > 200 {
        push("title", "Titeln får vara högst 200 tecken.");
    }
    if !(2000..=2100).contains(&e.year) {
        push("year", "Året ska vara mellan 2000 och 2100.");
    }
    if let (Some(o), Some(c)) = (e.opens_on, e.closes_on)
        && c < o
    {
        push("closes_on", "Enkäten stänger före den öppnar.");
    }
    if e.closes_on.is_some() && e.opens_on.is_none() {
        push("opens_on", "Ange när enkäten öppnar.");
    }
    if !(1..=100).contains(&e.min_cell) {
        push("min_cell", "Minsta antal svar som visas ska vara mellan 1 och 100.");
    }
    if errors.is_empty() { Ok(()) } else { Err(DbError::Invalid(errors)) }
}

/// A new survey for a municipality. Returns its id.
pub async fn create(db: &Db, municipality_code: &str, e: Editable) -> Result<Uuid, DbError> {
    check(&e)?;
    let known: Option<(String,)> = sqlx::query_as("SELECT code FROM municipality WHERE code = $1")
        .bind(municipality_code)
        .fetch_optional(db.pool())
        .await?;
    if known.is_none() {
        return Err(DbError::invalid("municipality", "Kommunen finns inte."));
    }
    let id = Uuid::now_v7();
    let now = now_text();
    sqlx::query(
        "INSERT INTO survey (id, municipality_code, title, title_en, year, questionnaire, opens_on, closes_on, \
         requires_code, min_cell, results_public, responses, population, version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 0, NULL, 1, $12, $12)",
    )
    .bind(id.to_string())
    .bind(municipality_code)
    .bind(e.title.trim())
    .bind(e.title_en.trim())
    .bind(e.year)
    .bind(json(&e.questionnaire)?)
    .bind(e.opens_on.map(|d| d.to_string()))
    .bind(e.closes_on.map(|d| d.to_string()))
    .bind(i64::from(e.requires_code))
    .bind(e.min_cell)
    .bind(i64::from(e.results_public))
    .bind(&now)
    .execute(db.pool())
    .await?;
    Ok(id)
}

fn json<T: serde::Serialize + ?Sized>(v: &T) -> Result<String, DbError> {
    serde_json::to_string(v).map_err(|e| DbError::Corrupt(e.to_string()))
}

/// Saves what staff edited from `base_version`; `Stale` if someone saved in between. Once a
/// survey has answers its questionnaire keeps its structure (texts may change). Returns the new
/// version.
pub async fn save(db: &Db, id: Uuid, base_version: i64, e: Editable) -> Result<i64, DbError> {
    check(&e)?;
    let mut tx = db.begin_immediate().await?;
    let row: Option<(i64, i64, String)> =
        sqlx::query_as("SELECT version, responses, questionnaire FROM survey WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&mut *tx)
            .await?;
    let (current, responses, stored) = row.ok_or(DbError::NotFound)?;
    if current != base_version {
        return Err(DbError::Stale(current));
    }
    let stored: Questionnaire = serde_json::from_str(&stored).map_err(|_| corrupt("questionnaire"))?;
    if responses > 0 && !stored.same_structure(&e.questionnaire) {
        return Err(DbError::invalid(
            "questionnaire",
            "Enkäten har svar: frågor och svarsalternativ kan inte längre läggas till, tas bort eller flyttas, \
             bara texterna ändras.",
        ));
    }
    let version = current + 1;
    sqlx::query(
        "UPDATE survey SET title = $1, title_en = $2, year = $3, questionnaire = $4, opens_on = $5, closes_on = $6, \
         requires_code = $7, min_cell = $8, results_public = $9, version = $10, updated_at = $11 WHERE id = $12",
    )
    .bind(e.title.trim())
    .bind(e.title_en.trim())
    .bind(e.year)
    .bind(json(&e.questionnaire)?)
    .bind(e.opens_on.map(|d| d.to_string()))
    .bind(e.closes_on.map(|d| d.to_string()))
    .bind(i64::from(e.requires_code))
    .bind(e.min_cell)
    .bind(i64::from(e.results_public))
    .bind(version)
    .bind(now_text())
    .bind(id.to_string())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(version)
}

/// Sets (or clears) the population table answers are weighted to.
pub async fn set_population(db: &Db, id: Uuid, population: Option<&Population>) -> Result<(), DbError> {
    let text = population.map(json).transpose()?;
    let done = sqlx::query("UPDATE survey SET population = $1, updated_at = $2 WHERE id = $3")
        .bind(text)
        .bind(now_text())
        .bind(id.to_string())
        .execute(db.pool())
        .await?;
    if done.rows_affected() == 0 { Err(DbError::NotFound) } else { Ok(()) }
}

/// One respondent's answers, as submitted.
#[derive(Clone, Debug)]
pub struct Submission {
    pub answers: Answers,
    pub language: &'static str,
    /// The day (Europe/Stockholm) it was sent; no time is kept.
    pub day: IsoDate,
    /// The normalised one-time code, when one was typed.
    pub code: Option<String>,
}

fn code_hash(code: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(code.as_bytes()))
}

/// Takes one respondent's answers: in one transaction checks that the survey is open, uses the
/// one-time code (a code works once, also under concurrent submissions), writes the answer row,
/// the free texts and the counts. Acknowledged only after the commit.
pub async fn submit(db: &Db, id: Uuid, s: Submission) -> Result<Result<(), Refusal>, DbError> {
    let mut tx = db.begin_immediate().await?;
    let row: Option<(Option<String>, Option<String>, i64, String)> =
        sqlx::query_as("SELECT opens_on, closes_on, requires_code, questionnaire FROM survey WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&mut *tx)
            .await?;
    let (opens, closes, requires_code, q) = row.ok_or(DbError::NotFound)?;
    let (opens, closes) = (date(opens)?, date(closes)?);
    let open = opens.is_some_and(|o| o <= s.day) && closes.is_none_or(|c| s.day <= c);
    if !open {
        return Ok(Err(Refusal::NotOpen));
    }
    if requires_code != 0 {
        let Some(code) = &s.code else { return Ok(Err(Refusal::CodeMissing)) };
        let used =
            sqlx::query("UPDATE survey_code SET used = 1 WHERE survey_id = $1 AND code_sha256 = $2 AND used = 0")
                .bind(id.to_string())
                .bind(code_hash(code))
                .execute(&mut *tx)
                .await?;
        if used.rows_affected() != 1 {
            return Ok(Err(Refusal::CodeUsed));
        }
    }
    let q: Questionnaire = serde_json::from_str(&q).map_err(|_| corrupt("questionnaire"))?;
    write_answers(&mut tx, id, &q, &[(s.day, s.answers)], s.language).await?;
    tx.commit().await?;
    Ok(Ok(()))
}

static TALLY_SQL: LazyLock<Vec<String>> = LazyLock::new(|| {
    batched(
        "INSERT INTO survey_tally (survey_id, question, choice, sub_area, gender, age, n) VALUES",
        7,
        " ON CONFLICT (survey_id, question, choice, gender, age, sub_area) DO UPDATE SET n = survey_tally.n + excluded.n",
    )
});
static RESPONSE_SQL: LazyLock<Vec<String>> = LazyLock::new(|| {
    batched("INSERT INTO survey_response (id, survey_id, answered_on, language, answers) VALUES", 5, "")
});
static FREE_TEXT_SQL: LazyLock<Vec<String>> = LazyLock::new(|| {
    batched("INSERT INTO survey_free_text (id, survey_id, question, answered_on, text) VALUES", 5, "")
});

/// Writes answer rows, free texts and counts (summed per key first) in the caller's transaction,
/// [`BATCH`] rows per statement.
async fn write_answers(
    conn: &mut AnyConnection,
    id: Uuid,
    q: &Questionnaire,
    rows: &[(IsoDate, Answers)],
    language: &str,
) -> Result<(), DbError> {
    let survey = id.to_string();
    let mut counts: BTreeMap<TallyKey, i64> = BTreeMap::new();
    let mut responses: Vec<(String, String)> = Vec::with_capacity(rows.len());
    let mut texts: Vec<(String, &str, &str)> = Vec::new();
    for (day, answers) in rows {
        for key in answers.tally_keys(q) {
            *counts.entry(key).or_default() += 1;
        }
        let closed = Answers { texts: BTreeMap::new(), ..answers.clone() };
        responses.push((day.to_string(), json(&closed)?));
        // A free text keeps only its month: with the day it could be matched to the answer row
        // of a quiet day, and so to the respondent's age, gender and sub-area.
        let month = format!("{}-01", day.to_string().get(..7).unwrap_or("1970-01"));
        texts.extend(answers.texts.iter().map(|(question, text)| (month.clone(), question.as_str(), text.as_str())));
    }
    for chunk in responses.chunks(BATCH) {
        let mut query = sqlx::query(statement(&RESPONSE_SQL, chunk.len()));
        for (day, answers) in chunk {
            query = query.bind(Uuid::new_v4().to_string()).bind(&survey).bind(day).bind(language).bind(answers);
        }
        query.execute(&mut *conn).await?;
    }
    for chunk in texts.chunks(BATCH) {
        let mut query = sqlx::query(statement(&FREE_TEXT_SQL, chunk.len()));
        for (day, question, text) in chunk {
            query = query.bind(Uuid::new_v4().to_string()).bind(&survey).bind(*question).bind(day).bind(*text);
        }
        query.execute(&mut *conn).await?;
    }
    let counts: Vec<(TallyKey, i64)> = counts.into_iter().collect();
    for chunk in counts.chunks(BATCH) {
        let mut query = sqlx::query(statement(&TALLY_SQL, chunk.len()));
        for (k, n) in chunk {
            query = query
                .bind(&survey)
                .bind(&k.question)
                .bind(&k.choice)
                .bind(&k.sub_area)
                .bind(&k.gender)
                .bind(&k.age)
                .bind(*n);
        }
        query.execute(&mut *conn).await?;
    }
    sqlx::query("UPDATE survey SET responses = responses + $1 WHERE id = $2")
        .bind(i64::try_from(rows.len()).unwrap_or(i64::MAX))
        .bind(&survey)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Adds answers read from another tool's export, all in one transaction (nothing on error).
/// `progress` is told how many rows are written, after every chunk.
pub async fn import_answers(
    db: &Db,
    id: Uuid,
    rows: &[(IsoDate, Answers)],
    progress: impl Fn(usize),
) -> Result<(), DbError> {
    let mut tx = db.begin_immediate().await?;
    let q: Option<(String,)> = sqlx::query_as("SELECT questionnaire FROM survey WHERE id = $1")
        .bind(id.to_string())
        .fetch_optional(&mut *tx)
        .await?;
    let q: Questionnaire =
        serde_json::from_str(&q.ok_or(DbError::NotFound)?.0).map_err(|_| corrupt("questionnaire"))?;
    let mut done = 0;
    for chunk in rows.chunks(1_000) {
        write_answers(&mut tx, id, &q, chunk, "sv").await?;
        done += chunk.len();
        progress(done);
    }
    tx.commit().await?;
    Ok(())
}

/// The answers (without free text) for the anonymous export, oldest day first.
pub async fn answers(db: &Db, id: Uuid) -> Result<Vec<(IsoDate, Answers)>, DbError> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT answered_on, answers FROM survey_response WHERE survey_id = $1 ORDER BY answered_on, id",
    )
    .bind(id.to_string())
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .map(|(d, a)| {
            Ok((
                IsoDate::parse(&d).ok_or_else(|| corrupt("answer day"))?,
                serde_json::from_str(&a).map_err(|_| corrupt("answer"))?,
            ))
        })
        .collect()
}

/// Counts per question, choice, gender and age group (sub-areas summed).
pub async fn tally_by_strata(db: &Db, id: Uuid) -> Result<Vec<(String, String, String, String, i64)>, DbError> {
    Ok(sqlx::query_as(
        "SELECT question, choice, gender, age, CAST(SUM(n) AS BIGINT) FROM survey_tally WHERE survey_id = $1 \
         GROUP BY question, choice, gender, age",
    )
    .bind(id.to_string())
    .fetch_all(db.pool())
    .await?)
}

/// Counts per question, choice and sub-area.
pub async fn tally_by_sub_area(db: &Db, id: Uuid) -> Result<Vec<(String, String, String, i64)>, DbError> {
    Ok(sqlx::query_as(
        "SELECT question, choice, sub_area, CAST(SUM(n) AS BIGINT) FROM survey_tally WHERE survey_id = $1 \
         GROUP BY question, choice, sub_area",
    )
    .bind(id.to_string())
    .fetch_all(db.pool())
    .await?)
}

/// Stores new one-time codes (their hashes only). Returns how many the survey now has.
pub async fn add_codes(db: &Db, id: Uuid, codes: &[String]) -> Result<i64, DbError> {
    let mut tx = db.begin_immediate().await?;
    let now = now_text();
    for code in codes {
        sqlx::query("INSERT INTO survey_code (survey_id, code_sha256, used, created_at) VALUES ($1, $2, 0, $3)")
            .bind(id.to_string())
            .bind(code_hash(code))
            .bind(&now)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(code_counts(db, id).await?.0)
}

/// How many codes a survey has, and how many are used.
pub async fn code_counts(db: &Db, id: Uuid) -> Result<(i64, i64), DbError> {
    let row: (i64, Option<i64>) = sqlx::query_as(
        "SELECT CAST(COUNT(*) AS BIGINT), CAST(SUM(used) AS BIGINT) FROM survey_code WHERE survey_id = $1",
    )
    .bind(id.to_string())
    .fetch_one(db.pool())
    .await?;
    Ok((row.0, row.1.unwrap_or(0)))
}

/// A free-text answer as staff see it.
#[derive(Clone, Debug)]
pub struct FreeText {
    pub id: Uuid,
    pub question: String,
    pub answered_on: String,
    pub text: String,
    pub tags: Vec<String>,
    pub quote: Option<String>,
    pub quote_published: bool,
    pub version: i64,
}

type FreeTextRow = (String, String, String, String, String, Option<String>, i64, i64);

fn to_free_text(r: FreeTextRow) -> Result<FreeText, DbError> {
    Ok(FreeText {
        id: r.0.parse().map_err(|_| corrupt("free text id"))?,
        question: r.1,
        answered_on: r.2,
        text: r.3,
        tags: serde_json::from_str(&r.4).map_err(|_| corrupt("tags"))?,
        quote: r.5,
        quote_published: r.6 != 0,
        version: r.7,
    })
}

/// The free texts of a survey, oldest first.
pub async fn free_texts(db: &Db, id: Uuid) -> Result<Vec<FreeText>, DbError> {
    let rows: Vec<FreeTextRow> = sqlx::query_as(
        "SELECT id, question, answered_on, text, tags, quote, quote_published, version FROM survey_free_text \
         WHERE survey_id = $1 ORDER BY answered_on, id",
    )
    .bind(id.to_string())
    .fetch_all(db.pool())
    .await?;
    rows.into_iter().map(to_free_text).collect()
}

/// The quotes published with the results: (question, quote).
pub async fn published_quotes(db: &Db, id: Uuid) -> Result<Vec<(String, String)>, DbError> {
    Ok(sqlx::query_as(
        "SELECT question, quote FROM survey_free_text WHERE survey_id = $1 AND quote_published = 1 \
         AND quote IS NOT NULL ORDER BY answered_on, id",
    )
    .bind(id.to_string())
    .fetch_all(db.pool())
    .await?)
}

/// Tags a free text with problems and sets the quote that may be published (with personal data
/// removed by staff). A quote is published only when it is given. `Stale` if it changed since
/// `base_version`.
pub async fn save_free_text(
    db: &Db,
    survey: Uuid,
    text: Uuid,
    base_version: i64,
    tags: &[String],
    quote: Option<&str>,
    publish: bool,
) -> Result<(), DbError> {
    let quote = quote.map(str::trim).filter(|q| !q.is_empty());
    if publish && quote.is_none() {
        return Err(DbError::invalid("quote", "Skriv citatet som ska publiceras (utan personuppgifter)."));
    }
    if quote.is_some_and(|q| q.chars().count() > lofte_domain::survey::MAX_FREE_TEXT) {
        return Err(DbError::invalid("quote", "Citatet är för långt."));
    }
    let mut tx = db.begin_immediate().await?;
    let row: Option<(i64,)> = sqlx::query_as("SELECT version FROM survey_free_text WHERE id = $1 AND survey_id = $2")
        .bind(text.to_string())
        .bind(survey.to_string())
        .fetch_optional(&mut *tx)
        .await?;
    let (current,) = row.ok_or(DbError::NotFound)?;
    if current != base_version {
        return Err(DbError::Stale(current));
    }
    sqlx::query("UPDATE survey_free_text SET tags = $1, quote = $2, quote_published = $3, version = $4 WHERE id = $5")
        .bind(json(&tags)?)
        .bind(quote)
        .bind(i64::from(publish))
        .bind(current + 1)
        .bind(text.to_string())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// A municipality's sub-areas: (key, name) in order.
pub async fn sub_areas(db: &Db, municipality_code: &str) -> Result<Vec<(String, String)>, DbError> {
    Ok(sqlx::query_as("SELECT key, name FROM sub_area WHERE municipality_code = $1 ORDER BY position")
        .bind(municipality_code)
        .fetch_all(db.pool())
        .await?)
}

/// Replaces a municipality's sub-areas with `names` (in order). A name kept keeps its key, so
/// answers already given stay in their sub-area.
pub async fn save_sub_areas(db: &Db, municipality_code: &str, names: &[String]) -> Result<(), DbError> {
    let old = sub_areas(db, municipality_code).await?;
    let mut rows: Vec<(String, String)> = Vec::new();
    for name in names.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
        if name.chars().count() > 100 || name.chars().any(lofte_domain::forbidden_char) {
            return Err(DbError::invalid(
                "names",
                format!("Delområdet {name:?} är för långt eller har otillåtna tecken."),
            ));
        }
        if rows.iter().any(|(_, n)| n == name) {
            continue;
        }
        let key = match old.iter().find(|(_, n)| n == name) {
            Some((k, _)) => k.clone(),
            None => {
                let base = lofte_domain::slugify(name);
                let base = if base.is_empty() { "omrade".to_owned() } else { base };
                lofte_domain::survey::unique_key(&base, |k| {
                    rows.iter().any(|(r, _)| r == k)
                        || old.iter().any(|(o, n)| o == k && !names.iter().any(|x| x.trim() == n))
                })
            }
        };
        rows.push((key, name.to_owned()));
    }
    let mut tx = db.begin_immediate().await?;
    sqlx::query("DELETE FROM sub_area WHERE municipality_code = $1").bind(municipality_code).execute(&mut *tx).await?;
    for (i, (key, name)) in rows.iter().enumerate() {
        sqlx::query("INSERT INTO sub_area (municipality_code, key, name, position) VALUES ($1, $2, $3, $4)")
            .bind(municipality_code)
            .bind(key)
            .bind(name)
            .bind(i64::try_from(i).unwrap_or(i64::MAX))
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multi_row_statements_number_their_placeholders_in_order() {
        let all = batched("INSERT INTO t (a, b) VALUES", 2, " ON CONFLICT DO NOTHING");
        assert_eq!(all.len(), BATCH + 1);
        assert_eq!(all[1], "INSERT INTO t (a, b) VALUES ($1, $2) ON CONFLICT DO NOTHING");
        assert_eq!(all[3], "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4), ($5, $6) ON CONFLICT DO NOTHING");
        assert!(statement(&TALLY_SQL, BATCH).ends_with("$700) ON CONFLICT (survey_id, question, choice, gender, age, sub_area) DO UPDATE SET n = survey_tally.n + excluded.n"));
    }
}
