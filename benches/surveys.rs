//! Survey benchmarks on the real application (optimised build, fresh SQLite file):
//!
//! 1. durable submissions per second: concurrent residents post the questionnaire over HTTP,
//!    each with its own one-time code; a submission counts when its 303 arrives, which is only
//!    after the commit;
//! 2. the results pages of one survey with 1 000 000 answers (written in bulk through
//!    `surveys::import_answers`, the path of an import): median and worst time of the staff and
//!    the public page.
//!
//! `cargo bench --bench surveys` (set `BENCH_ANSWERS` for another number of answers, and
//! `BENCH_SECONDS` for the length of the submission run).

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::time::{Duration, Instant};

use lofte_db::surveys::{self, Editable};
use lofte_domain::IsoDate;
use lofte_domain::survey::{Answers, safety_survey_template};
use lofte_testkit::TestApp;

mod common;
use common::{Rng, env_number, median_and_max, random_answers};

fn form_of(a: &Answers, code: &str) -> Vec<(String, String)> {
    let mut f: Vec<(String, String)> = a
        .choices
        .iter()
        .flat_map(|(k, v)| v.iter().map(move |c| (format!("q:{k}"), c.clone())))
        .chain(a.numbers.iter().map(|(k, n)| (format!("q:{k}"), n.to_string())))
        .collect();
    f.push(("kod".into(), code.into()));
    f.push(("sprak".into(), "sv".into()));
    f
}

async fn new_survey(app: &TestApp, title: &str, requires_code: bool) -> uuid::Uuid {
    let today = lofte_domain::signing::stockholm_date(time::OffsetDateTime::now_utc());
    let e = Editable {
        title: title.into(),
        title_en: String::new(),
        year: 2026,
        questionnaire: safety_survey_template(),
        opens_on: Some(today),
        closes_on: None,
        requires_code,
        min_cell: 5,
        results_public: true,
    };
    surveys::create(&app.db, "1785", e).await.expect("survey")
}

#[tokio::main]
async fn main() {
    let app = TestApp::spawn().await;
    let names: Vec<String> = (1..=10).map(|i| format!("Område {i}")).collect();
    surveys::save_sub_areas(&app.db, "1785", &names).await.expect("sub-areas");
    let areas = surveys::sub_areas(&app.db, "1785").await.expect("areas");
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);

    // 1. Durable submissions per second over HTTP.
    let seconds = env_number("BENCH_SECONDS", 10);
    let id = new_survey(&app, "Inskickning", true).await;
    let codes: Vec<String> = (0..40_000u64)
        .map(|i| lofte_domain::survey::code_from_bytes(&(i * 7919 + 13).to_le_bytes()).replace('-', ""))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    surveys::add_codes(&app.db, id, &codes).await.expect("codes");
    let url = app.url(&format!("/enkat/{id}"));
    let forms: Vec<Vec<(String, String)>> =
        codes.iter().map(|c| form_of(&random_answers(&mut rng, &areas), c)).collect();
    let forms = std::sync::Arc::new(forms);
    let next = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let (url, forms, next) = (url.clone(), forms.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
            let mut done = 0u64;
            while Instant::now() < deadline {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(form) = forms.get(i) else { break };
                let status = client.post(&url).form(form).send().await.expect("post").status();
                assert_eq!(status, 303, "submission refused");
                done += 1;
            }
            done
        }));
    }
    let start = Instant::now();
    let mut total = 0;
    for t in tasks {
        total += t.await.expect("task");
    }
    let elapsed = start.elapsed().as_secs_f64();
    let stored = surveys::get(&app.db, id).await.unwrap().unwrap().responses;
    assert_eq!(stored as u64, total);
    println!(
        "submissions: {total} in {elapsed:.1} s = {:.0} durable submissions/s (16 clients, HTTP, SQLite)",
        total as f64 / elapsed
    );

    // 2. The results of one survey with many answers.
    let n = env_number("BENCH_ANSWERS", 1_000_000) as usize;
    let big = new_survey(&app, "En miljon svar", false).await;
    let day = IsoDate::parse("2026-03-01").unwrap();
    let start = Instant::now();
    let mut written = 0;
    while written < n {
        let chunk: Vec<(IsoDate, Answers)> =
            (0..(n - written).min(100_000)).map(|_| (day, random_answers(&mut rng, &areas))).collect();
        surveys::import_answers(&app.db, big, &chunk, |_| {}).await.expect("import");
        written += chunk.len();
    }
    println!("wrote {n} answers in {:.1} s", start.elapsed().as_secs_f64());
    let tally: (i64,) = sqlx::query_as("SELECT CAST(COUNT(*) AS BIGINT) FROM survey_tally WHERE survey_id = $1")
        .bind(big.to_string())
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    println!("running counts: {} rows", tally.0);
    // Where the time of a page goes: the two grouped queries, and the statistics.
    let start = Instant::now();
    let strata = surveys::tally_by_strata(&app.db, big).await.unwrap();
    let by_strata = start.elapsed();
    let start = Instant::now();
    let subs = surveys::tally_by_sub_area(&app.db, big).await.unwrap();
    let by_sub_area = start.elapsed();
    let (strata_rows, sub_rows) = (strata.len(), subs.len());
    let start = Instant::now();
    let counts = lofte_domain::survey::results::Counts::from_rows(strata, subs);
    let r = lofte_domain::survey::results::compute(
        &safety_survey_template(),
        &areas,
        &counts,
        None,
        None,
        "sv",
        lofte_domain::survey::results::Options { min_cell: 5, public: true },
    );
    let computing = start.elapsed();
    assert_eq!(r.respondents as usize, n);
    println!(
        "  grouped counts: {by_strata:.1?} ({strata_rows} rows), by sub-area {by_sub_area:.1?} ({sub_rows} rows); statistics {computing:.1?}"
    );
    let staff = app.login("redaktor.saffle@lofte.example").await;
    for (what, client, path) in [
        ("public results page", app.client.clone(), format!("/enkat/{big}/resultat")),
        ("staff results page", staff.clone(), format!("/arbetsyta/enkater/{big}/resultat")),
        ("public results CSV", app.client.clone(), format!("/enkat/{big}/resultat.csv")),
    ] {
        let get = || async {
            let start = Instant::now();
            let res = client.get(app.url(&path)).send().await.expect("get");
            assert_eq!(res.status(), 200);
            let body = res.bytes().await.expect("body");
            assert!(body.len() > 1000);
            start.elapsed()
        };
        // Right after an answer came in: the counts are read from the database.
        let mut fresh = Vec::new();
        for _ in 0..7 {
            let one = vec![(day, random_answers(&mut rng, &areas))];
            surveys::import_answers(&app.db, big, &one, |_| {}).await.expect("answer");
            fresh.push(get().await);
        }
        // Views with no new answer in between.
        let mut again = Vec::new();
        for _ in 0..21 {
            again.push(get().await);
        }
        let (fresh_median, fresh_max) = median_and_max(fresh);
        let (median, max) = median_and_max(again);
        println!(
            "{what} with {n} answers: median {median:.1?}, worst {max:.1?} (21 views); \
             right after a new answer: median {fresh_median:.1?}, worst {fresh_max:.1?} (7 views)"
        );
    }
    app.stop().await;
}
