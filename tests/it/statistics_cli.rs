//! `lofte import kolada|scb|polisen|bra` through the real binary, on the test app's database
//! (SQLite or PostgreSQL): what each importer stores, that importing again changes nothing,
//! that `--dry-run` and every failure write nothing, and `kolada --url` paging against a local
//! HTTP server (no internet).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::process::Output;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use lofte_db::statistics;
use lofte_testkit::{Options, TestApp};
use serde_json::{Value, json};

use crate::LOFTE;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/crates/domain/tests/fixtures");

fn fixture(path: &str) -> String {
    format!("{FIXTURES}/{path}")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

async fn empty_app() -> TestApp {
    TestApp::spawn_with(Options { demo: false, ..Options::default() }).await
}

/// Runs the binary off the async threads (a `--url` import talks to a server in this process).
async fn run(app: &TestApp, args: &[&str]) -> Output {
    let url = app.database.url.clone();
    let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    tokio::task::spawn_blocking(move || {
        std::process::Command::new(LOFTE)
            .args(&args)
            .env("DATABASE_URL", url)
            .env("RUST_LOG", "warn")
            // The local server must be reached directly, whatever the machine's proxy settings.
            .env_remove("HTTP_PROXY")
            .env_remove("http_proxy")
            .env_remove("ALL_PROXY")
            .env_remove("all_proxy")
            .stdin(std::process::Stdio::null())
            .output()
            .expect("run lofte")
    })
    .await
    .expect("join")
}

fn assert_ok(o: &Output) {
    assert!(o.status.success(), "exit {:?}\nstdout: {}\nstderr: {}", o.status, stdout(o), stderr(o));
}

fn assert_failed(o: &Output) {
    assert_eq!(o.status.code(), Some(1), "stdout: {}\nstderr: {}", stdout(o), stderr(o));
    assert!(!stderr(o).contains("panicked"), "{}", stderr(o));
}

async fn count(app: &TestApp, sql: &'static str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sql).fetch_one(app.db.pool()).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    n
}

/// Rows of every statistics table (values, indicators, events, import history).
async fn counts(app: &TestApp) -> [i64; 4] {
    [
        count(app, "SELECT CAST(COUNT(*) AS BIGINT) FROM indicator_value").await,
        count(app, "SELECT CAST(COUNT(*) AS BIGINT) FROM indicator").await,
        count(app, "SELECT CAST(COUNT(*) AS BIGINT) FROM police_event").await,
        count(app, "SELECT CAST(COUNT(*) AS BIGINT) FROM statistics_import").await,
    ]
}

async fn assert_nothing_stored(app: &TestApp) {
    assert_eq!(counts(app).await, [0; 4], "values, indicators, events, imports");
    assert!(statistics::imports(&app.db, 10).await.expect("imports").is_empty());
}

/// Every stored value (without its time of update), in a stable order.
async fn all_values(app: &TestApp) -> Vec<(String, String, String, String, Option<f64>, String)> {
    sqlx::query_as(
        "SELECT indicator_key, region, period, gender, value, status FROM indicator_value \
         ORDER BY indicator_key, region, period, gender",
    )
    .fetch_all(app.db.pool())
    .await
    .expect("values")
}

fn temp_file(name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("lofte-stat-{}-{name}", uuid::Uuid::new_v4().simple()));
    std::fs::write(&path, bytes).expect("write temp file");
    path
}

// ---------------------------------------------------------------------------------------------
// SCB

#[tokio::test]
async fn scb_csv_stores_municipalities_counties_and_nation_and_is_idempotent() {
    let app = empty_app().await;
    let file = fixture("scb/population_2024_by_municipality.csv");
    let out = run(&app, &["import", "scb", &file, "--year", "2024"]).await;
    assert_ok(&out);
    // 290 municipalities + 21 counties + the nation.
    assert!(stdout(&out).contains("Importerat (scb): 1 indikatorer, 312 värden (312 nya)."), "{}", stdout(&out));

    let rows = all_values(&app).await;
    let population: BTreeMap<String, f64> = rows
        .iter()
        .filter(|r| r.0 == statistics::POPULATION && r.2 == "2024" && r.3 == "T")
        .map(|r| (r.1.clone(), r.4.expect("population value")))
        .collect();
    assert_eq!(rows.len(), population.len(), "only totals of 2024: {rows:?}");
    let municipalities: Vec<_> = population.iter().filter(|(r, _)| r.len() == 4).collect();
    let counties: Vec<_> = population.iter().filter(|(r, _)| r.len() == 2 && r.as_str() != "00").collect();
    assert_eq!(municipalities.len(), 290);
    assert_eq!(counties.len(), 21);
    assert_eq!(population.get("00"), Some(&10_587_140.0));
    // Each county is the sum of its municipalities (a municipality code starts with its county's).
    for (county, total) in &counties {
        let sum: f64 = municipalities.iter().filter(|(m, _)| m.starts_with(county.as_str())).map(|(_, v)| **v).sum();
        assert_eq!(**total, sum, "county {county}");
    }
    // Read through the storage API as the lägesbild does.
    let pop = statistics::population(&app.db, &["1785", "17", "00"]).await.expect("population");
    assert_eq!(pop.get(&("00".to_owned(), "2024".to_owned())), Some(&10_587_140.0));
    let saffle_csv = std::fs::read_to_string(&file).expect("csv");
    let saffle: f64 = saffle_csv
        .lines()
        .find_map(|l| l.strip_prefix("1785,Säffle,"))
        .expect("Säffle in the CSV")
        .trim()
        .parse()
        .expect("number");
    assert_eq!(pop.get(&("1785".to_owned(), "2024".to_owned())), Some(&saffle));
    assert_eq!(counts(&app).await[3], 1, "one import recorded");

    // The same file again: nothing new, the same values.
    let again = run(&app, &["import", "scb", &file, "--year", "2024"]).await;
    assert_ok(&again);
    assert!(stdout(&again).contains("312 värden (0 nya)"), "{}", stdout(&again));
    assert_eq!(all_values(&app).await, rows);
    assert_eq!(counts(&app).await[..3], [312, 1, 0]);
    app.stop().await;
}

// ---------------------------------------------------------------------------------------------
// Polisen

/// Säffle's events in the files, counted independently of the importer: each id once, summaries
/// left out (they stay at county level), placed by `location.name` or, for a county location, by
/// the `name` suffix.
fn saffle_events_in(files: &[&str]) -> (usize, BTreeMap<String, usize>) {
    let mut seen = HashSet::new();
    let mut by_month: BTreeMap<String, usize> = BTreeMap::new();
    for f in files {
        let events: Vec<Value> = serde_json::from_str(&std::fs::read_to_string(f).expect("read")).expect("json");
        for e in events {
            let id = e["id"].as_i64().expect("id");
            if !seen.insert(id) {
                continue;
            }
            let kind = e["type"].as_str().expect("type");
            if kind.starts_with("Sammanfattning") {
                continue;
            }
            let location = e["location"]["name"].as_str().expect("location");
            let name = e["name"].as_str().unwrap_or("");
            let in_saffle = location == "Säffle"
                || (location == "Värmlands län" && name.rsplit_once(", ").is_some_and(|(_, s)| s == "Säffle"));
            if in_saffle {
                let month = e["datetime"].as_str().expect("datetime")[..7].to_owned();
                *by_month.entry(month).or_default() += 1;
            }
        }
    }
    (seen.len(), by_month)
}

async fn polisen_values(app: &TestApp) -> Vec<(String, String, String, String, Option<f64>, String)> {
    all_values(app).await.into_iter().filter(|r| r.0.starts_with("polisen:")).collect()
}

#[tokio::test]
async fn polisen_overlapping_files_count_each_event_once() {
    let may25 = fixture("polisen/events_2025-05.json");
    let may26 = fixture("polisen/events_2026-05.json");

    // Each file once.
    let once = empty_app().await;
    assert_ok(&run(&once, &["import", "polisen", &may25]).await);
    assert_ok(&run(&once, &["import", "polisen", &may26]).await);

    // The first file, then both with the first one again (overlapping downloads).
    let app = empty_app().await;
    let first = run(&app, &["import", "polisen", &may25]).await;
    assert_ok(&first);
    assert!(stdout(&first).contains("inte brottsstatistik"), "{}", stdout(&first));
    let events_may25 = count(&app, "SELECT CAST(COUNT(*) AS BIGINT) FROM police_event").await;
    let overlapping = run(&app, &["import", "polisen", &may26, &may25]).await;
    assert_ok(&overlapping);
    let out = stdout(&overlapping);
    assert!(out.contains("Polisens händelser (urval) — inte brottsstatistik."), "{out}");
    let events = count(&app, "SELECT CAST(COUNT(*) AS BIGINT) FROM police_event").await;
    assert!(
        out.contains(&format!(", {} nya händelser.", events - events_may25)),
        "only May 2026's events are new: {out}"
    );

    let (unique, saffle) = saffle_events_in(&[&may25, &may26]);
    assert_eq!(events, unique as i64, "each id once (county-level and municipality events alike)");
    assert_eq!(count(&once, "SELECT CAST(COUNT(*) AS BIGINT) FROM police_event").await, events);
    let values = polisen_values(&app).await;
    assert!(!values.is_empty());
    assert_eq!(values, polisen_values(&once).await, "overlap counted like each file once");

    // Säffle (1785), per month, summed over the event types.
    let mut stored: BTreeMap<String, usize> = BTreeMap::new();
    for (_, region, period, gender, value, _) in &values {
        if region == "1785" {
            assert_eq!(gender, "T");
            *stored.entry(period.clone()).or_default() += value.expect("a count") as usize;
        }
    }
    assert!(saffle.values().sum::<usize>() > 0, "the fixtures have events in Säffle");
    assert_eq!(stored, saffle, "Säffle's events per month");
    // Through the lägesbild's read: every type has a series for Säffle.
    let series = statistics::series_of_region(&app.db, "1785").await.expect("series");
    let total: f64 = series.values().flatten().filter_map(|(_, v)| *v).sum();
    assert_eq!(total as usize, saffle.values().sum::<usize>());

    // The first file a third time: no new event, no change.
    let again = run(&app, &["import", "polisen", &may25]).await;
    assert_ok(&again);
    assert!(stdout(&again).contains(", 0 nya händelser."), "{}", stdout(&again));
    assert_eq!(polisen_values(&app).await, values);
    assert_eq!(count(&app, "SELECT CAST(COUNT(*) AS BIGINT) FROM police_event").await, events);
    app.stop().await;
    once.stop().await;
}

// ---------------------------------------------------------------------------------------------
// Kolada --url against a local server

type Pages = Arc<HashMap<String, (u16, String)>>;

async fn page(State(pages): State<Pages>, Path(name): Path<String>) -> (StatusCode, String) {
    match pages.get(&name) {
        Some((status, body)) => (StatusCode::from_u16(*status).expect("status"), body.clone()),
        None => (StatusCode::NOT_FOUND, "{}".into()),
    }
}

/// Serves `pages` (name → status and body; `{base}` in a body is the server's address) on a
/// free loopback port; returns the address.
async fn serve(pages: &[(&str, u16, String)]) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let pages: Pages = Arc::new(
        pages
            .iter()
            .map(|(name, status, body)| ((*name).to_owned(), (*status, body.replace("{base}", &base))))
            .collect(),
    );
    let router = axum::Router::new().route("/{name}", axum::routing::get(page)).with_state(pages);
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    base
}

fn v3(records: Value, next: Option<&str>) -> String {
    json!({ "values": records, "next_url": next.map(|n| format!("{{base}}/{n}")) }).to_string()
}

fn record(kpi: &str, municipality: &str, period: i64, cells: &[(&str, Option<f64>)]) -> Value {
    json!({
        "kpi": kpi, "municipality": municipality, "period": period,
        "values": cells.iter().map(|(g, v)| json!({ "gender": g, "value": v })).collect::<Vec<_>>(),
    })
}

#[tokio::test]
async fn kolada_url_follows_v3_and_v2_pages() {
    let app = empty_app().await;
    let base = serve(&[
        (
            "p1",
            200,
            v3(
                json!([
                    record("N07403", "1785", 2022, &[("T", Some(801.5))]),
                    record("N07403", "1785", 2023, &[("T", Some(812.25))]),
                    record("N07403", "G33416", 2023, &[("T", Some(1.0))]),
                ]),
                Some("p2"),
            ),
        ),
        (
            "p2",
            200,
            json!({
                "values": [{
                    "kpi": "N07403", "municipality": "1784", "period": "2023",
                    "values": [
                        {"count": 1, "gender": "K", "status": "", "value": 455.0},
                        {"count": 1, "gender": "M", "status": "", "value": 1170.5},
                        {"count": 1, "gender": "T", "status": "", "value": 812.0},
                    ],
                }],
                "count": 1,
                "previous_page": null,
                "next_page": "{base}/p3",
            })
            .to_string(),
        ),
        (
            "p3",
            200,
            v3(
                json!([
                    record("N07403", "0017", 2023, &[("T", Some(900.0))]),
                    record("N07403", "0000", 2023, &[("T", Some(1104.5))]),
                    record("U07414", "1730", 2023, &[("T", None)]),
                ]),
                None,
            ),
        ),
    ])
    .await;
    let out = run(&app, &["import", "kolada", "--url", &format!("{base}/p1")]).await;
    assert_ok(&out);
    assert!(stdout(&out).contains("Importerat (kolada): 2 indikatorer, 8 värden (8 nya)."), "{}", stdout(&out));
    assert!(stderr(&out).contains("G33416"), "a skipped group is named: {}", stderr(&out));

    let values = statistics::values(&app.db, "kolada:N07403", &["1785", "1784", "17", "00"]).await.expect("values");
    let got: Vec<(&str, &str, &str, Option<f64>)> =
        values.iter().map(|v| (v.region.as_str(), v.period.as_str(), v.gender.code(), v.value)).collect();
    assert_eq!(
        got,
        [
            ("1785", "2022", "T", Some(801.5)),
            ("1785", "2023", "T", Some(812.25)),
            ("1784", "2023", "K", Some(455.0)),
            ("1784", "2023", "M", Some(1170.5)),
            ("1784", "2023", "T", Some(812.0)),
            ("17", "2023", "T", Some(900.0)),
            ("00", "2023", "T", Some(1104.5)),
        ]
    );
    let eda = statistics::values(&app.db, "kolada:U07414", &["1730"]).await.expect("values");
    assert_eq!(eda.len(), 1);
    assert_eq!(eda[0].value, None);
    let keys: Vec<String> =
        statistics::indicators(&app.db).await.expect("indicators").into_iter().map(|i| i.key).collect();
    assert_eq!(keys, ["kolada:N07403", "kolada:U07414"]);
    let imports = statistics::imports(&app.db, 10).await.expect("imports");
    assert_eq!(imports.len(), 1);
    assert_eq!((imports[0].source.as_str(), imports[0].observations), ("kolada", 8));
    assert_eq!(imports[0].label, format!("{base}/p1"));

    // Again: nothing new.
    let again = run(&app, &["import", "kolada", "--url", &format!("{base}/p1")]).await;
    assert_ok(&again);
    assert!(stdout(&again).contains("8 värden (0 nya)"), "{}", stdout(&again));
    assert_eq!(counts(&app).await[..2], [8, 2]);
    app.stop().await;
}

#[tokio::test]
async fn kolada_url_failures_write_nothing() {
    let app = empty_app().await;
    let good = |next: &str| v3(json!([record("N07403", "1785", 2023, &[("T", Some(1.0))])]), Some(next));
    let base = serve(&[
        // A server error on page 2.
        ("e1", 200, good("e2")),
        ("e2", 500, "{\"error\": \"internal\"}".into()),
        // A malformed record on page 2.
        ("m1", 200, good("m2")),
        ("m2", 200, v3(json!([record("N07403", "1784", 2023, &[("T", Some(2.0)), ("X", Some(3.0))])]), None)),
        // Pages that point back to each other.
        ("l1", 200, good("l2")),
        ("l2", 200, good("l1")),
        // Not JSON at all.
        ("h1", 200, good("h2")),
        ("h2", 200, "<html><body>Kolada är nere</body></html>".into()),
    ])
    .await;

    let out = run(&app, &["import", "kolada", "--url", &format!("{base}/e1")]).await;
    assert_failed(&out);
    let err = stderr(&out);
    assert!(err.contains(&format!("{base}/e2: servern svarade 500")), "{err}");
    assert!(err.contains("Inget importerades"), "{err}");
    assert_nothing_stored(&app).await;

    let out = run(&app, &["import", "kolada", "--url", &format!("{base}/m1")]).await;
    assert_failed(&out);
    let err = stderr(&out);
    assert!(err.contains(&format!("{base}/m2 (sida 2): values[0].values[1]: okänt kön \"X\"")), "{err}");
    assert!(err.contains("kommun 1784"), "the record is named: {err}");
    assert_nothing_stored(&app).await;

    let out = run(&app, &["import", "kolada", "--url", &format!("{base}/l1")]).await;
    assert_failed(&out);
    let err = stderr(&out);
    assert!(err.contains(&format!("{base}/l1: sidorna tar aldrig slut")), "{err}");
    assert_nothing_stored(&app).await;

    let out = run(&app, &["import", "kolada", "--url", &format!("{base}/h1")]).await;
    assert_failed(&out);
    assert!(stderr(&out).contains(&format!("{base}/h2 (sida 2)")), "{}", stderr(&out));
    assert_nothing_stored(&app).await;

    // Nothing listens there any more (a port just freed).
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr")
    };
    let out = run(&app, &["import", "kolada", "--url", &format!("http://{closed}/x")]).await;
    assert_failed(&out);
    assert!(stderr(&out).contains(&format!("http://{closed}/x: kunde inte hämta")), "{}", stderr(&out));
    assert_nothing_stored(&app).await;
    app.stop().await;
}

// ---------------------------------------------------------------------------------------------
// Brå

#[tokio::test]
async fn bra_tables_are_stored_long_and_wide() {
    let app = empty_app().await;
    let out = run(&app, &["import", "bra", &fixture("bra/anmalda_brott_2024_long.csv")]).await;
    assert_ok(&out);
    let keys: Vec<String> =
        statistics::indicators(&app.db).await.expect("indicators").into_iter().map(|i| i.key).collect();
    assert_eq!(keys, ["bra:anmalda-brott-totalt", "bra:anmalda-brott-totalt-per-100k"]);
    let count = statistics::values(&app.db, "bra:anmalda-brott-totalt", &["1785", "1730", "1765", "17", "00"])
        .await
        .expect("values");
    let got: Vec<(&str, &str, Option<f64>, &str)> =
        count.iter().map(|v| (v.region.as_str(), v.period.as_str(), v.value, v.status.as_str())).collect();
    assert_eq!(got[0], ("1785", "2024", Some(1234.0), ""));
    assert_eq!(got[1].0, "1730");
    assert_eq!(got[1].2, None, "\"..\" is suppressed");
    assert!(!got[1].3.is_empty(), "with a status");
    assert_eq!(got[2], ("1765", "2024", Some(0.0), "-"), "\"-\" is zero, its flag kept");
    assert_eq!(got[3], ("17", "2024", Some(25310.0), ""));
    assert_eq!(got[4], ("00", "2024", Some(1_434_512.0), ""));
    assert_eq!(got.len(), 5);
    let rate = statistics::values(&app.db, "bra:anmalda-brott-totalt-per-100k", &["1785"]).await.expect("values");
    assert_eq!(rate[0].value, Some(8134.5));
    // The row after the footnote (Arvika) is not a value.
    assert!(statistics::values(&app.db, "bra:anmalda-brott-totalt", &["1784"]).await.expect("values").is_empty());

    let out = run(&app, &["import", "bra", &fixture("bra/anmalda_brott_wide.csv")]).await;
    assert_ok(&out);
    let arvika = statistics::values(&app.db, "bra:anmalda-valdsbrott", &["1784"]).await.expect("values");
    let got: Vec<(&str, Option<f64>)> = arvika.iter().map(|v| (v.period.as_str(), v.value)).collect();
    assert_eq!(got, [("2022", Some(980.0)), ("2023", Some(1021.0)), ("2024", Some(1002.0))]);

    let again = run(&app, &["import", "bra", &fixture("bra/anmalda_brott_wide.csv")]).await;
    assert_ok(&again);
    assert!(stdout(&again).contains("(0 nya)"), "{}", stdout(&again));
    app.stop().await;
}

#[tokio::test]
async fn bra_errors_name_the_line_or_the_missing_option_and_write_nothing() {
    let app = empty_app().await;
    let unknown = temp_file(
        "unknown.csv",
        "Anmälda brott totalt 2024\n\nKommun;Antal (prel.);Per 100 000 inv. (prel.)\nSäffle;1 234;8 134,5\nAtlantis;12;3\n"
            .as_bytes(),
    );
    let out = run(&app, &["import", "bra", &unknown.display().to_string()]).await;
    assert_failed(&out);
    assert!(stderr(&out).contains("rad 5: okänd kommun \"Atlantis\""), "{}", stderr(&out));
    assert!(stderr(&out).contains("Inget importerades."), "{}", stderr(&out));
    assert_nothing_stored(&app).await;

    let untitled = temp_file("untitled.csv", "Kommun;Antal;Per 100 000 inv.\nSäffle;1 234;8 134,5\n".as_bytes());
    let path = untitled.display().to_string();
    let out = run(&app, &["import", "bra", &path, "--year", "2024"]).await;
    assert_failed(&out);
    let err = stderr(&out);
    assert!(err.contains("ingen titel som säger brottstypen"), "{err}");
    // The message names the option that exists.
    assert!(err.contains("--name"), "{err}");
    assert_nothing_stored(&app).await;
    // With the option it goes through, and the year is then asked for.
    let out = run(&app, &["import", "bra", &path, "--name", "Anmälda brott totalt"]).await;
    assert_failed(&out);
    assert!(stderr(&out).contains("--year"), "{}", stderr(&out));
    assert_nothing_stored(&app).await;
    let out = run(&app, &["import", "bra", &path, "--name", "Anmälda brott totalt", "--year", "2024"]).await;
    assert_ok(&out);
    let v = statistics::values(&app.db, "bra:anmalda-brott-totalt", &["1785"]).await.expect("values");
    assert_eq!(v.len(), 1);
    assert_eq!((v[0].period.as_str(), v[0].value), ("2024", Some(1234.0)));
    let _ = std::fs::remove_file(unknown);
    let _ = std::fs::remove_file(untitled);
    app.stop().await;
}

// ---------------------------------------------------------------------------------------------
// --dry-run and invalid files, every importer

#[tokio::test]
async fn dry_runs_report_figures_and_write_nothing() {
    let app = empty_app().await;
    let kolada = fixture("kolada/v3_values_N07403.json");
    let scb = fixture("scb/population_2024_by_municipality.csv");
    let polisen = fixture("polisen/events_2025-05.json");
    let bra = fixture("bra/anmalda_brott_2024_long.csv");
    let cases: [(&[&str], &str); 4] = [
        (&["import", "kolada", &kolada, "--dry-run"], "Provläsning (kolada): 1 indikatorer, 5 värden (5 nya)."),
        (
            &["import", "scb", &scb, "--year", "2024", "--dry-run"],
            "Provläsning (scb): 1 indikatorer, 312 värden (312 nya).",
        ),
        (&["import", "polisen", &polisen, "--dry-run"], "Provläsning (Polisen): "),
        (&["import", "bra", &bra, "--dry-run"], "Provläsning (bra): 2 indikatorer, 10 värden (10 nya)."),
    ];
    for (args, expected) in cases {
        let out = run(&app, args).await;
        assert_ok(&out);
        let text = stdout(&out);
        assert!(text.contains(expected), "{args:?}: {text}");
        assert!(text.contains("Inget skrevs."), "{args:?}: {text}");
        assert_nothing_stored(&app).await;
    }
    // Polisen's figures are those of the real run that follows.
    let dry = stdout(&run(&app, &["import", "polisen", &polisen, "--dry-run"]).await);
    let real = run(&app, &["import", "polisen", &polisen]).await;
    assert_ok(&real);
    let real = stdout(&real);
    assert!(dry.contains(" nya händelser. Inget skrevs."), "{dry}");
    assert_eq!(
        dry.replace("Provläsning", "Importerat").replace(" Inget skrevs.", ""),
        real,
        "a dry run reports what the import does"
    );
    assert!(count(&app, "SELECT CAST(COUNT(*) AS BIGINT) FROM police_event").await > 2000);
    app.stop().await;
}

#[tokio::test]
async fn invalid_files_fail_in_swedish_and_write_nothing() {
    let app = empty_app().await;
    let mut noise = Vec::new();
    let mut x: u32 = 0x2545_f491;
    for _ in 0..4096 {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        noise.push((x >> 24) as u8);
    }
    let random = temp_file("random.bin", &noise);
    let html = temp_file("page.json", b"<!doctype html><html><body>404</body></html>");
    let empty = temp_file("empty.json", b"");
    let files = [random.display().to_string(), html.display().to_string(), empty.display().to_string()];
    for file in &files {
        for args in [
            vec!["import", "kolada", file.as_str()],
            vec!["import", "scb", file.as_str(), "--year", "2024"],
            vec!["import", "scb", file.as_str()],
            vec!["import", "polisen", file.as_str()],
            vec!["import", "bra", file.as_str(), "--name", "Anmälda brott totalt", "--year", "2024"],
            vec!["import", "bra", file.as_str()],
        ] {
            let out = run(&app, &args).await;
            assert_failed(&out);
            let err = stderr(&out);
            assert!(err.contains(&format!("{file}: ")), "{args:?}: names the file: {err}");
            assert!(err.contains("Inget importerades."), "{args:?}: {err}");
            assert!(!err.contains("Error:"), "{args:?}: an error of the program, not of the file: {err}");
            assert_nothing_stored(&app).await;
        }
    }
    // A file that is not there.
    for importer in ["kolada", "scb", "polisen", "bra"] {
        let out = run(&app, &["import", importer, "/nonexistent/lofte.json"]).await;
        assert_failed(&out);
        assert!(stderr(&out).contains("kunde inte läsa filen"), "{importer}: {}", stderr(&out));
    }
    assert_nothing_stored(&app).await;
    for f in [random, html, empty] {
        let _ = std::fs::remove_file(f);
    }
    app.stop().await;
}
