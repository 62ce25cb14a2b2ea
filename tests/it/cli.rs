use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use lofte_testkit::{Options, TestApp, TestDatabase};
use serde_json::Value;

use crate::{DEMO_JSON, LOFTE, SAFFLE_ID, assert_snapshots_agree};

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

async fn document_count(app: &TestApp) -> usize {
    lofte_db::promises::all_ids(&app.db).await.expect("ids").len()
}

#[tokio::test]
async fn export_then_import_round_trips() {
    let app = TestApp::spawn().await;
    let out = app.cli(LOFTE, &["export", "promise", SAFFLE_ID], "");
    assert!(out.status.success(), "{}", stderr(&out));
    let exported: Value = serde_json::from_str(&stdout(&out)).expect("json");
    assert_eq!(exported, crate::demo_published());
    let page = app.get_text("/kommun/saffle", 200).await;

    let empty = TestApp::spawn_with(Options { demo: false, ..Options::default() }).await;
    assert_eq!(document_count(&empty).await, 0);
    let out = empty.cli(LOFTE, &["import", "json", "-"], &stdout(&app.cli(LOFTE, &["export", "all"], "")));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains(&format!("Importerade {SAFFLE_ID} – Medborgarlöfte 2024 (ny)")), "{}", stdout(&out));
    // The police area came along with the document.
    assert_eq!(empty.get_text("/kommun/saffle", 200).await, page);

    // Importing the same public document again changes nothing; changing its content is
    // refused (a promise in force is what was signed).
    let again = empty.cli(LOFTE, &["import", "json", "-"], DEMO_JSON);
    assert!(stdout(&again).contains("(redan importerad, oförändrad)"), "{}", stdout(&again));
    let changed = empty.cli(LOFTE, &["import", "json", "-"], &DEMO_JSON.replacen("Fotpatrullering", "Cykelpatrull", 1));
    assert_eq!(changed.status.code(), Some(1));
    assert!(stderr(&changed).contains("id: dokumentet finns redan och är gällande"), "{}", stderr(&changed));
    assert_eq!(document_count(&empty).await, 1);
    assert_snapshots_agree(&empty).await;
    app.stop().await;
    empty.stop().await;
}

#[tokio::test]
async fn a_failing_import_says_where_and_writes_nothing() {
    let app = TestApp::spawn_with(Options { demo: false, ..Options::default() }).await;
    let broken_syntax = "{\n  \"title\": \"x\",\n  \"year\": 2024,,\n}";
    let out = app.cli(LOFTE, &["import", "json", "-"], broken_syntax);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("-: rad 3, kolumn 16: ogiltig JSON"), "{}", stderr(&out));
    assert!(stderr(&out).contains("Inget importerades"));

    // Two documents, the second one wrong in two places: neither is written.
    let mut second: Value = serde_json::from_str(DEMO_JSON).expect("json");
    second["id"] = Value::Null;
    second["status"] = "draft".into();
    second["municipalities"][0]["name"] = "Arvika".into();
    second["themes"][0]["activities"][1]["text"] = "   ".into();
    let file = std::env::temp_dir().join(format!("lofte-import-{}.json", uuid::Uuid::new_v4().simple()));
    std::fs::write(&file, format!("[{DEMO_JSON}, {second}]")).expect("write");
    let path = file.display().to_string();
    let out = app.cli(LOFTE, &["import", "json", &path], "");
    let _ = std::fs::remove_file(&file);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains(&format!("{path}: [1].themes[0].activities[1].text: får inte vara tom")), "{err}");
    assert!(
        err.contains(&format!("{path}: [1].municipalities[0].name: kommun 1785 heter Säffle, inte Arvika")),
        "{err}"
    );
    assert!(err.contains("Inget importerades (2 fel)"), "{err}");
    assert_eq!(document_count(&app).await, 0);
    assert!(lofte_db::police_areas::list(&app.db).await.expect("list").is_empty(), "no police area was created");

    let not_utf8 = app.cli(LOFTE, &["import", "json", "-"], "");
    assert_eq!(not_utf8.status.code(), Some(1));
    let missing = app.cli(LOFTE, &["import", "json", "/finns/inte.json"], "");
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        stderr(&missing).contains("/finns/inte.json: kunde inte läsa filen: filen finns inte"),
        "{}",
        stderr(&missing)
    );
    app.stop().await;
}

#[tokio::test]
async fn dry_run_checks_without_writing() {
    let app = TestApp::spawn_with(Options { demo: false, ..Options::default() }).await;
    let out = app.cli(LOFTE, &["import", "json", "--dry-run", "-"], DEMO_JSON);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("Skulle importera 01935f3a-8c00-7000-8000-000000001785 – Medborgarlöfte 2024 (ny)"),
        "{}",
        stdout(&out)
    );
    assert!(stdout(&out).contains("nytt lokalpolisområde: Arvika"), "{}", stdout(&out));
    assert!(stdout(&out).contains("giltig; inget skrevs"));
    assert_eq!(document_count(&app).await, 0);
    assert!(lofte_db::police_areas::list(&app.db).await.expect("list").is_empty());
    app.stop().await;
}

#[tokio::test]
async fn export_errors_are_clear() {
    let app = TestApp::spawn().await;
    let bad = app.cli(LOFTE, &["export", "promise", "x"], "");
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("inget giltigt id"));
    let unknown = app.cli(LOFTE, &["export", "promise", "01935f3a-8c00-7000-8000-000000000000"], "");
    assert_eq!(unknown.status.code(), Some(1));
    app.stop().await;
}

#[tokio::test]
async fn police_areas_are_editable_reference_data() {
    let app = TestApp::spawn().await;
    let add = app.cli(LOFTE, &["police-area", "add", "Arvika", "-m", "1784", "-m", "1730", "-m", "1765"], "");
    assert!(add.status.success(), "{}", stderr(&add));
    let list = app.cli(LOFTE, &["police-area", "list"], "");
    assert!(
        stdout(&list).contains("Lokalpolisområde Arvika (polisregion Bergslagen): 1730, 1765, 1784, 1785"),
        "{}",
        stdout(&list)
    );
    let m = app.get_json("/api/v1/municipalities/1765", 200).await;
    assert_eq!(m["police_areas"][0]["name"], "Arvika");
    let remove = app.cli(LOFTE, &["police-area", "remove", "Arvika", "-m", "1765"], "");
    assert!(remove.status.success(), "{}", stderr(&remove));
    assert_eq!(app.get_json("/api/v1/municipalities/1765", 200).await["police_areas"], serde_json::json!([]));
    let bad = app.cli(LOFTE, &["police-area", "add", "Nytt", "-m", "0000"], "");
    assert_eq!(bad.status.code(), Some(1));
    assert!(stderr(&bad).contains("okänd kommunkod"), "{}", stderr(&bad));
    let wrong_region = app.cli(LOFTE, &["police-area", "add", "Arvika", "-m", "0180"], "");
    assert_eq!(wrong_region.status.code(), Some(1));
    assert!(
        stderr(&wrong_region)
            .contains("Stockholm ligger i polisregion Stockholm, men lokalpolisområde Arvika i polisregion Bergslagen"),
        "{}",
        stderr(&wrong_region)
    );
    let not_member = app.cli(LOFTE, &["police-area", "remove", "Arvika", "-m", "1765"], "");
    assert!(
        stderr(&not_member).contains("kommun 1765 ingår inte i lokalpolisområde Arvika"),
        "{}",
        stderr(&not_member)
    );
    let in_use = app.cli(LOFTE, &["police-area", "delete", "Arvika"], "");
    assert!(stderr(&in_use).contains("används av ett medborgarlöfte"), "{}", stderr(&in_use));
    let renamed = app.cli(LOFTE, &["police-area", "rename", "arvika", "Arvika-Säffle"], "");
    assert!(renamed.status.success(), "{}", stderr(&renamed));
    // The reference data has the new name; the promise in force keeps the name it was signed with.
    let page = app.get_text("/kommun/saffle", 200).await;
    assert!(page.contains("<dd>Arvika-Säffle</dd>") && page.contains("· Lokalpolisområde Arvika</p>"), "{page}");
    assert_snapshots_agree(&app).await;
    let spare = app.cli(LOFTE, &["police-area", "add", "Reserv", "--region", "bergslagen"], "");
    assert!(spare.status.success(), "{}", stderr(&spare));
    let deleted = app.cli(LOFTE, &["police-area", "delete", "Reserv"], "");
    assert!(deleted.status.success(), "{}", stderr(&deleted));
    // Global options may stand before the subcommand, as the README writes them.
    let migrate = app.cli(LOFTE, &["--database-url", &app.database.url, "migrate"], "");
    assert!(migrate.status.success(), "migrate twice is harmless: {}", stderr(&migrate));
    app.stop().await;
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("free port")
}

/// `lofte` with no subcommand on an empty database: migrates, loads reference data and the demo,
/// serves pages, and serves metrics on a separate listener.
#[tokio::test]
async fn the_binary_serves_a_new_database_with_the_demo_and_metrics() {
    let database = TestDatabase::create().await;
    let (port, metrics_port) = (free_port(), free_port());
    let mut child = Command::new(LOFTE)
        .env("DATABASE_URL", &database.url)
        .env("RUST_LOG", "info")
        .args(["--addr", &format!("127.0.0.1:{port}"), "--metrics-addr", &format!("127.0.0.1:{metrics_port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start lofte");
    let stderr = child.stderr.take().expect("stderr");
    let log = std::thread::spawn(move || BufReader::new(stderr).lines().map_while(Result::ok).collect::<Vec<_>>());
    let client = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    let mut up = false;
    for _ in 0..150 {
        if client.get(format!("{base}/healthz")).send().await.is_ok_and(|r| r.status() == 200) {
            up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let page = client.get(format!("{base}/kommun/saffle")).send().await;
    let metrics = client.get(format!("http://127.0.0.1:{metrics_port}/metrics")).send().await;
    let public_metrics = client.get(format!("{base}/metrics")).send().await;
    let _ = child.kill();
    let _ = child.wait();
    let log = log.join().unwrap_or_default().join("\n");
    assert!(up, "server did not come up:\n{log}");
    let page = page.expect("page").text().await.expect("text");
    assert!(page.contains("Säffle – medborgarlöften"));
    let metrics = metrics.expect("metrics").text().await.expect("text");
    assert!(metrics.contains("lofte_http_requests_total"), "{metrics}");
    assert!(metrics.contains("route=\"/kommun/{key}\""), "{metrics}");
    assert_eq!(public_metrics.expect("public").status(), 404, "metrics are not on the public address");
    assert!(log.contains("loaded the Säffle demo promise"), "{log}");
    assert!(log.contains("GET") || log.contains("request"), "request log expected:\n{log}");
}

#[tokio::test]
async fn supersession_is_reported_and_never_strands_a_municipality() {
    let app = TestApp::spawn().await;
    let mut next: Value = serde_json::from_str(DEMO_JSON).expect("json");
    next["id"] = Value::Null;
    next["title"] = "Medborgarlöfte 2025".into();
    next["year"] = 2025.into();
    next["police_area"]["name"] = "Lokalpolisområde Arvika".into();
    let out = app.cli(LOFTE, &["import", "json", "-"], &next.to_string());
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains(&format!("ersätter {SAFFLE_ID} – Medborgarlöfte 2024 (inte längre gällande)")),
        "{}",
        stdout(&out)
    );
    assert!(
        !stdout(&out).contains("nytt lokalpolisområde"),
        "the prefix is dropped and the area found: {}",
        stdout(&out)
    );

    // A joint promise for Arvika and Säffle, then one for Säffle alone: refused, since Arvika
    // would be left without the promise it has.
    let mut joint = next.clone();
    joint["title"] = "Gemensamt 2026".into();
    joint["year"] = 2026.into();
    joint["municipalities"] = serde_json::json!([{"code": "1784"}, {"code": "1785"}]);
    let out = app.cli(LOFTE, &["import", "json", "-"], &joint.to_string());
    assert!(out.status.success(), "{}", stderr(&out));
    let mut alone = next.clone();
    alone["title"] = "Bara Säffle 2027".into();
    alone["year"] = 2027.into();
    let out = app.cli(LOFTE, &["import", "json", "-"], &alone.to_string());
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("status: kan inte bli gällande: \"Gemensamt 2026\""), "{}", stderr(&out));
    assert!(stderr(&out).contains("gäller också för Arvika"), "{}", stderr(&out));
    assert!(app.get_text("/kommun/arvika", 200).await.contains("Gemensamt 2026"));

    // Two documents in force for the same municipality in one file.
    let out = app.cli(LOFTE, &["import", "json", "-"], &format!("[{alone}, {next}]"));
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("[1].status: två dokument i filen är gällande för Säffle"), "{}", stderr(&out));
    assert_snapshots_agree(&app).await;
    app.stop().await;
}

#[tokio::test]
async fn drafts_do_not_change_which_police_area_a_municipality_has() {
    let app = TestApp::spawn().await;
    let mut draft: Value = serde_json::from_str(DEMO_JSON).expect("json");
    draft["id"] = Value::Null;
    draft["status"] = "draft".into();
    draft["police_area"]["name"] = "Nytt område".into();
    let out = app.cli(LOFTE, &["import", "json", "-"], &draft.to_string());
    assert!(out.status.success(), "{}", stderr(&out));
    let m = app.get_json("/api/v1/municipalities/1785", 200).await;
    assert_eq!(m["police_areas"], serde_json::json!([{"name": "Arvika", "police_region": "Bergslagen"}]));
    assert!(!app.get_text("/kommun/saffle", 200).await.contains("Nytt område"));
    app.stop().await;
}

/// Several imports at once, each bringing a new promise in force for Säffle: afterwards exactly
/// one is in force, and every view agrees which.
#[tokio::test]
async fn concurrent_imports_keep_one_promise_in_force() {
    let app = TestApp::spawn().await;
    let files: Vec<(std::path::PathBuf, String)> = (0..4)
        .map(|i| {
            let mut doc: Value = serde_json::from_str(DEMO_JSON).expect("json");
            doc["id"] = Value::Null;
            doc["title"] = format!("Samtidigt {i}").into();
            doc["year"] = (2030 + i).into();
            doc["police_area"]["name"] = if i % 2 == 0 { "arvika" } else { "Lokalpolisområde Arvika" }.into();
            let path = std::env::temp_dir().join(format!("lofte-conc-{}-{i}.json", uuid::Uuid::new_v4().simple()));
            std::fs::write(&path, doc.to_string()).expect("write");
            (path, app.database.url.clone())
        })
        .collect();
    let handles: Vec<_> = files
        .iter()
        .map(|(path, url)| {
            let (path, url) = (path.clone(), url.clone());
            std::thread::spawn(move || {
                Command::new(LOFTE)
                    .args(["import", "json", &path.display().to_string()])
                    .env("DATABASE_URL", url)
                    .output()
                    .expect("run")
            })
        })
        .collect();
    for h in handles {
        let out = h.join().expect("thread");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    for (path, _) in &files {
        let _ = std::fs::remove_file(path);
    }
    let list = app.get_json("/api/v1/municipalities/1785/promises", 200).await;
    let in_force: Vec<&Value> = list.as_array().expect("array").iter().filter(|p| p["status"] == "in_force").collect();
    assert_eq!(in_force.len(), 1, "{list}");
    let id = in_force[0]["id"].as_str().expect("id");
    assert_eq!(app.get_json("/api/v1/municipalities/1785", 200).await["in_force_promise_id"], id);
    let all = app.get_json("/api/v1/municipalities", 200).await;
    let saffle = all.as_array().expect("array").iter().find(|m| m["code"] == "1785").expect("Säffle");
    assert_eq!(saffle["in_force_promise_id"], id);
    // The area is named as stored, whatever spelling the files used.
    let exported: Value = serde_json::from_str(&stdout(&app.cli(LOFTE, &["export", "promise", id], ""))).expect("json");
    assert_eq!(exported["police_area"]["name"], "Arvika");
    assert_eq!(lofte_db::police_areas::list(&app.db).await.expect("list").len(), 1);
    assert_snapshots_agree(&app).await;
    app.stop().await;
}

#[tokio::test]
async fn read_only_commands_do_not_create_a_database() {
    let missing = std::env::temp_dir().join(format!("lofte-missing-{}.db", uuid::Uuid::new_v4().simple()));
    let url = format!("sqlite://{}", missing.display());
    for args in [
        &["export", "all"][..],
        &["police-area", "list"][..],
        &["import", "json", "--dry-run", "-"][..],
        &["audit", "verify"][..],
        &["verify", "-"][..],
    ] {
        let out = Command::new(LOFTE)
            .args(args)
            .env("DATABASE_URL", &url)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .and_then(|mut c| {
                use std::io::Write;
                if let Some(mut i) = c.stdin.take() {
                    let _ = i.write_all(DEMO_JSON.as_bytes());
                }
                c.wait_with_output()
            })
            .expect("run");
        assert_eq!(out.status.code(), Some(if args[0] == "verify" { 2 } else { 1 }), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("finns inte"),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!missing.exists(), "{args:?} created the database");
    }
}
