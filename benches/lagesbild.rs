//! Lägesbild benchmarks on the real application (optimised build, fresh SQLite file):
//!
//! 1. a Kolada import of 290 municipalities × 20 years × 10 indicators (58 000 values; a v3
//!    values document made in memory): parse time, store time and values per second through
//!    `statistics::store` (the path of `lofte import kolada`), then the same data again (every
//!    value an upsert of an existing row);
//! 2. the lägesbild of Säffle (1785) with a survey of 1 000 000 answers (written in bulk through
//!    `surveys::import_answers`) and 20 years of 50 indicators for the municipality, its county
//!    (17) and the nation (00), with population: median and worst time of the staff page
//!    `/arbetsyta/lagesbild/{id}` and of the public page of a published snapshot
//!    `/kommun/saffle/lagesbild/{year}`, and where the staff page's time goes.
//!
//! `cargo bench --bench lagesbild` (set `BENCH_ANSWERS` for another number of answers,
//! `BENCH_INDICATORS` for another number of indicators in part 2, `BENCH_VIEWS` for the number
//! of timed requests per page).

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::time::{Duration, Instant};

use lofte_db::promises::Actor;
use lofte_db::statistics;
use lofte_db::surveys::{self, Editable};
use lofte_domain::IsoDate;
use lofte_domain::statistics::{Batch, Better, Gender, Indicator, Observation, Source, Unit};
use lofte_domain::survey::{Answers, safety_survey_template};
use lofte_testkit::TestApp;

mod common;
use common::{Rng, env_number, median_and_max, random_answers};

const ACTOR: Actor<'static> = Actor { id: None, name: "Benchmark" };
const YEAR: i32 = 2026;

/// The ten Kolada KPIs of part 1 (three of them evidence of standard problems by default).
const KPIS: [&str; 10] =
    ["N07403", "N07402", "U07452", "N07401", "N07404", "N07405", "N07406", "N07407", "N07408", "N07409"];

/// Indicators of part 2: the ten KPIs, Polisen's event types that are default evidence, then
/// more Kolada ones, `n` in all, of every unit.
fn indicators(n: usize) -> Vec<Indicator> {
    let polisen = [
        "Skadegörelse",
        "Trafikbrott",
        "Trafikolycka",
        "Trafikolycka, personskada",
        "Olovlig körning",
        "Ofog barn/ungdom",
        "Ordningslagen",
        "Bråk",
        "Fylleri/LOB",
        "Alkohollagen",
        "Rattfylleri",
        "Narkotikabrott",
        "Misshandel",
        "Misshandel, grov",
        "Ofredande/förargelse",
        "Sedlighetsbrott",
    ];
    let units = [Unit::Per100k, Unit::Percent, Unit::Other, Unit::Count, Unit::Per1000];
    let mut out: Vec<Indicator> = KPIS
        .iter()
        .enumerate()
        .map(|(i, kpi)| Indicator {
            key: format!("kolada:{kpi}"),
            name: format!("Nyckeltal {kpi}"),
            unit: units[i % units.len()],
            source: Source::Kolada,
            description: format!("Benchmark-nyckeltal {kpi}."),
            better: Better::Lower,
        })
        .collect();
    out.extend(polisen.iter().map(|kind| lofte_domain::statistics::polisen::indicator(kind)));
    let mut i = 0;
    while out.len() < n {
        out.push(Indicator {
            key: format!("kolada:B{i:05}"),
            name: format!("Benchmark {i}"),
            unit: units[i % units.len()],
            source: Source::Kolada,
            description: String::new(),
            better: if i % 2 == 0 { Better::Higher } else { Better::Lower },
        });
        i += 1;
    }
    out.truncate(n);
    out
}

#[tokio::main]
async fn main() {
    let app = TestApp::spawn().await;
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);

    // 1. A Kolada import of 58 000 values.
    let reference = lofte_db::seed::reference_data().expect("reference data");
    let municipalities: Vec<String> = reference.municipalities.iter().map(|m| m.code.as_str().to_owned()).collect();
    assert_eq!(municipalities.len(), 290);
    let mut records = Vec::new();
    for kpi in KPIS {
        for m in &municipalities {
            for year in (YEAR - 20)..YEAR {
                let value = (rng.next() % 100_000) as f64 / 10.0;
                records.push(serde_json::json!({
                    "kpi": kpi, "municipality": m, "period": year,
                    "values": [{"gender": "T", "value": value}],
                }));
            }
        }
    }
    let document = serde_json::json!({ "values": records, "next_url": null }).to_string();
    drop(records);
    let start = Instant::now();
    let parsed = lofte_domain::statistics::kolada::parse(document.as_bytes()).expect("parse");
    let parse_time = start.elapsed();
    let n = parsed.batch.observations.len();
    assert_eq!(n, 58_000);
    println!(
        "kolada parse: {n} values ({:.1} MB of JSON) in {parse_time:.1?} = {:.0} values/s",
        document.len() as f64 / 1e6,
        n as f64 / parse_time.as_secs_f64()
    );
    for (what, new) in [("first import", n as u64), ("same data again (upserts)", 0)] {
        let start = Instant::now();
        let stored = statistics::store(&app.db, Source::Kolada, "benchmark", &parsed.batch, false, ACTOR, &mut |_| {})
            .await
            .expect("store");
        let t = start.elapsed();
        assert_eq!(stored.new_observations, new);
        println!(
            "kolada store, {what}: {n} values in {t:.1?} = {:.0} values/s (one transaction, SQLite)",
            n as f64 / t.as_secs_f64()
        );
    }
    drop(parsed);
    drop(document);

    // 2. The lägesbild of Säffle.
    let answers = env_number("BENCH_ANSWERS", 1_000_000) as usize;
    let n_indicators = env_number("BENCH_INDICATORS", 50) as usize;
    let views = env_number("BENCH_VIEWS", 20) as usize;
    let names: Vec<String> = (1..=10).map(|i| format!("Område {i}")).collect();
    surveys::save_sub_areas(&app.db, "1785", &names).await.expect("sub-areas");
    let areas = surveys::sub_areas(&app.db, "1785").await.expect("areas");
    let today = lofte_domain::signing::stockholm_date(time::OffsetDateTime::now_utc());
    let survey = surveys::create(
        &app.db,
        "1785",
        Editable {
            title: "Trygghetsundersökning".into(),
            title_en: String::new(),
            year: i64::from(YEAR),
            questionnaire: safety_survey_template(),
            opens_on: Some(today),
            closes_on: None,
            requires_code: false,
            min_cell: 5,
            results_public: true,
        },
    )
    .await
    .expect("survey");
    let day = IsoDate::parse("2026-03-01").unwrap();
    let start = Instant::now();
    let mut written = 0;
    while written < answers {
        let chunk: Vec<(IsoDate, Answers)> =
            (0..(answers - written).min(100_000)).map(|_| (day, random_answers(&mut rng, &areas))).collect();
        surveys::import_answers(&app.db, survey, &chunk, |_| {}).await.expect("import");
        written += chunk.len();
    }
    println!("wrote {answers} survey answers in {:.1} s", start.elapsed().as_secs_f64());

    let indicators = indicators(n_indicators);
    let mut batch = Batch { indicators: indicators.clone(), ..Batch::default() };
    batch.indicators.push(lofte_domain::statistics::scb::population_indicator());
    for (region, population) in [("1785", 15_500.0), ("17", 283_000.0), ("00", 10_587_140.0)] {
        for year in (YEAR - 20)..YEAR {
            let scale = population / 15_500.0;
            for i in &indicators {
                let base = (rng.next() % 1000) as f64;
                let value = match i.unit {
                    Unit::Count => (base * scale).round(),
                    Unit::Percent => base / 10.0,
                    _ => base,
                };
                batch.observations.push(Observation {
                    indicator: i.key.clone(),
                    region: region.into(),
                    period: year.to_string(),
                    gender: Gender::Total,
                    value: Some(value),
                    status: String::new(),
                });
            }
            batch.observations.push(Observation {
                indicator: statistics::POPULATION.into(),
                region: region.into(),
                period: year.to_string(),
                gender: Gender::Total,
                value: Some((population + f64::from(year - YEAR) * 10.0).round()),
                status: String::new(),
            });
        }
    }
    let start = Instant::now();
    statistics::store(&app.db, Source::Kolada, "benchmark", &batch, false, ACTOR, &mut |_| {}).await.expect("store");
    let (all_values,): (i64,) =
        sqlx::query_as("SELECT CAST(COUNT(*) AS BIGINT) FROM indicator_value").fetch_one(app.db.pool()).await.unwrap();
    println!(
        "stored {} values ({n_indicators} indicators and population × 20 years × 1785, 17, 00) in {:.1?}; \
         {all_values} values in the database",
        batch.observations.len(),
        start.elapsed()
    );
    let own = statistics::series_of_region(&app.db, "1785").await.unwrap();
    println!("Säffle has values of {} indicators (population included)", own.len());

    let id = lofte_db::lagesbild::create(&app.db, &["1785".to_owned()], YEAR, "Lägesbild 2026", ACTOR)
        .await
        .expect("lägesbild");
    let admin = app.login("admin@lofte.example").await;

    // Where a staff page's time goes: the reads of `web::lagesbild::build`, one by one.
    let timed = |what: &'static str, t: Duration| println!("  {what}: {t:.1?}");
    let start = Instant::now();
    lofte_db::problems::list(&app.db, "1785").await.unwrap();
    timed("problems::list", start.elapsed());
    let start = Instant::now();
    surveys::list(&app.db).await.unwrap();
    timed("surveys::list", start.elapsed());
    let start = Instant::now();
    let strata = surveys::tally_by_strata(&app.db, survey).await.unwrap().len();
    let subs = surveys::tally_by_sub_area(&app.db, survey).await.unwrap().len();
    timed("survey counts (tally_by_strata + tally_by_sub_area, cached by the page)", start.elapsed());
    let start = Instant::now();
    surveys::free_texts(&app.db, survey).await.unwrap();
    timed("surveys::free_texts", start.elapsed());
    let start = Instant::now();
    lofte_db::dialogues::overview(&app.db, "1785", YEAR).await.unwrap();
    timed("dialogues::overview", start.elapsed());
    let start = Instant::now();
    statistics::indicators(&app.db).await.unwrap();
    timed("statistics::indicators", start.elapsed());
    for region in ["1785", "17", "00"] {
        let start = Instant::now();
        let s = statistics::series_of_region(&app.db, region).await.unwrap();
        println!("  statistics::series_of_region({region}): {:.1?} ({} indicators)", start.elapsed(), s.len());
    }
    let start = Instant::now();
    statistics::population(&app.db, &["1785", "17", "00"]).await.unwrap();
    timed("statistics::population", start.elapsed());
    println!("  ({strata} + {subs} grouped count rows)");

    let measure = |client: reqwest::Client, path: String| {
        let url = app.url(&path);
        async move {
            let get = || async {
                let start = Instant::now();
                let res = client.get(&url).send().await.expect("get");
                assert_eq!(res.status(), 200, "{url}");
                let body = res.text().await.expect("body");
                (start.elapsed(), body.len())
            };
            let (first, size) = get().await;
            let mut times = Vec::new();
            for _ in 0..views {
                times.push(get().await.0);
            }
            let (median, worst) = median_and_max(times);
            (first, size, median, worst)
        }
    };
    let staff_path = format!("/arbetsyta/lagesbild/{id}");
    let (first, size, median, worst) = measure(admin.clone(), staff_path.clone()).await;
    println!(
        "staff page {staff_path} ({} KB): first {first:.1?}, then median {median:.1?}, worst {worst:.1?} ({views} views)",
        size / 1024
    );

    let res = admin
        .post(app.url(&format!("/arbetsyta/lagesbild/{id}/faststall")))
        .form(&[("public", "1")])
        .send()
        .await
        .expect("snapshot");
    assert_eq!(res.status(), 303, "snapshot: {}", res.text().await.unwrap_or_default());
    let public_path = format!("/kommun/saffle/lagesbild/{YEAR}");
    let (first, size, median, worst) = measure(app.client.clone(), public_path.clone()).await;
    println!(
        "public page {public_path} ({} KB): first {first:.1?}, then median {median:.1?}, worst {worst:.1?} ({views} views)",
        size / 1024
    );
    app.stop().await;
}
