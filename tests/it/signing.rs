//! Signing, validity and the public record, over HTTP and the CLI, on SQLite or PostgreSQL.

use lofte_db::promises::Actor;
use lofte_domain::signing::stockholm_date;
use lofte_domain::{IsoDate, Status};
use lofte_testkit::{Options, TestApp};
use reqwest::StatusCode;
use serde_json::Value;
use uuid::Uuid;

use crate::{LOFTE, SAFFLE_ID, assert_snapshots_agree, demo_with};

const SAFFLE_EDITOR: &str = "redaktor.saffle@lofte.example";
const SAFFLE_SIGNATORY: &str = "firmatecknare.saffle@lofte.example";
const ARVIKA_SIGNATORY: &str = "firmatecknare.arvika@lofte.example";
const PASSWORD: &str = lofte_db::seed::DEMO_PASSWORD;

fn today() -> IsoDate {
    stockholm_date(time::OffsetDateTime::now_utc())
}

fn yesterday() -> IsoDate {
    IsoDate(today().0.previous_day().expect("a day before"))
}

/// A new draft for Säffle and LPO Arvika, with one activity changed from the demo.
async fn new_draft(app: &TestApp, title: &str) -> Uuid {
    let draft = demo_with(|d| {
        d.id = None;
        d.status = Status::Draft;
        d.title = title.into();
        d.year = 2025;
        d.themes[1].activities[2].text = "Fotpatrullering och cykelpatrullering".into();
    });
    lofte_db::drafts::create(&app.db, draft, Actor::IMPORT).await.expect("draft")
}

async fn version(app: &TestApp, id: Uuid) -> i64 {
    lofte_db::promises::get(&app.db, id).await.expect("get").expect("exists").version
}

async fn status(app: &TestApp, id: Uuid) -> Status {
    lofte_db::promises::get(&app.db, id).await.expect("get").expect("exists").document.status
}

async fn freeze(app: &TestApp, id: Uuid) -> String {
    let editor = app.login(SAFFLE_EDITOR).await;
    let v = version(app, id).await.to_string();
    let res = editor
        .post(app.url(&format!("/arbetsyta/lofte/{id}/las")))
        .form(&[("version", v.as_str())])
        .send()
        .await
        .expect("freeze");
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", res.text().await.unwrap_or_default());
    let doc = lofte_db::promises::get(&app.db, id).await.expect("get").expect("exists").document;
    assert_eq!(doc.status, Status::ReadyForSigning);
    doc.sha256.expect("frozen with a hash")
}

async fn sign(
    client: &reqwest::Client,
    app: &TestApp,
    id: Uuid,
    party: &str,
    title: &str,
    password: &str,
    hash: &str,
) -> reqwest::Response {
    client
        .post(app.url(&format!("/arbetsyta/lofte/{id}/underteckna")))
        .form(&[
            ("party", party),
            ("name", "Namn Namnsson"),
            ("title", title),
            ("password", password),
            ("sha256", hash),
        ])
        .send()
        .await
        .expect("sign")
}

async fn audit_verifies(app: &TestApp) {
    let out = app.cli(LOFTE, &["audit", "verify"], "");
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("kedjan stämmer"), "{text}");
}

#[tokio::test]
async fn two_signatures_put_a_promise_in_force_and_the_record_shows_it() {
    let app = TestApp::spawn().await;
    let id = new_draft(&app, "Medborgarlöfte 2025").await;
    let hash = freeze(&app, id).await;
    app.get_text(&format!("/lofte/{id}"), 404).await;
    let editor = app.login(SAFFLE_EDITOR).await;
    let overview = editor.get(app.url(&format!("/arbetsyta/lofte/{id}"))).send().await.expect("get");
    let overview = overview.text().await.expect("text");
    assert!(overview.contains(&hash) && overview.contains("Väntar på underskrift"), "{overview}");

    // An editor is not a signatory; a frozen document cannot be edited.
    let res = sign(&editor, &app, id, "municipality:1785", "Redaktör", PASSWORD, &hash).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = editor.get(app.url(&format!("/arbetsyta/lofte/{id}/redigera"))).send().await.expect("edit");
    assert_eq!(res.status(), StatusCode::CONFLICT);

    // A wrong password keeps what was typed (but not the password) and signs nothing.
    let kommun = app.login(SAFFLE_SIGNATORY).await;
    let res = sign(&kommun, &app, id, "municipality:1785", "Kommunstyrelsens ordförande", "fel-lösen", &hash).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let body = res.text().await.expect("text");
    assert!(body.contains("Fel lösenord") && body.contains("value=\"Kommunstyrelsens ordförande\""), "{body}");
    assert!(!body.contains("fel-lösen"));
    // A hash that is not the frozen one is refused.
    let res = sign(&kommun, &app, id, "municipality:1785", "Ordförande", PASSWORD, &"0".repeat(64)).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert!(res.text().await.expect("text").contains("har ändrats sedan du läste det"));
    // The municipality's signatory cannot sign for the police.
    let res = sign(&kommun, &app, id, "police_area", "Ordförande", PASSWORD, &hash).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let res = sign(&kommun, &app, id, "municipality:1785", "Kommunstyrelsens ordförande", PASSWORD, &hash).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(status(&app, id).await, Status::ReadyForSigning, "one party of two has signed");
    let res = sign(&kommun, &app, id, "municipality:1785", "Kommunstyrelsens ordförande", PASSWORD, &hash).await;
    assert_eq!(res.status(), StatusCode::CONFLICT, "signing twice for one party");
    assert!(res.text().await.expect("text").contains("Den parten har redan skrivit under."));
    // Before the last signature the page says what it will do to the promise in force.
    let overview = editor.get(app.url(&format!("/arbetsyta/lofte/{id}"))).send().await.expect("get");
    let overview = overview.text().await.expect("text");
    assert!(overview.contains(&format!("Medborgarlöfte 2024 gäller till och med {}.", yesterday())), "{overview}");
    assert!(overview.contains("Delvis undertecknat"), "{overview}");
    let polis = app.login(ARVIKA_SIGNATORY).await;
    let res = sign(&polis, &app, id, "police_area", " ", PASSWORD, &hash).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.expect("text").contains("Befattning saknas."));

    let res = sign(&polis, &app, id, "police_area", "Lokalpolisområdeschef", PASSWORD, &hash).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(status(&app, id).await, Status::InForce);

    // The public page: the new promise, who signed, and the old one in the archive.
    let page = app.get_text("/kommun/saffle", 200).await;
    let today = today();
    assert!(page.contains("Medborgarlöfte 2025") && page.contains("Fotpatrullering och cykelpatrullering"), "{page}");
    assert!(page.contains(&format!("Undertecknat {today} av Namn Namnsson, Kommunstyrelsens ordförande (Säffle kommun) och Namn Namnsson, Lokalpolisområdeschef (Lokalpolisområde Arvika)")), "{page}");
    assert!(page.contains(&format!("Gäller från {today}")), "{page}");
    assert!(page.contains(&format!("Ersatt: gällde till {}", yesterday())), "{page}");

    // The API answers which promise was in force on a day.
    let doc = app.get_json(&format!("/api/v1/promises/{id}"), 200).await;
    assert_eq!(doc["status"], "in_force");
    assert_eq!(doc["valid_from"], today.to_string());
    assert_eq!(doc["signatures"].as_array().expect("array").len(), 2);
    assert_eq!(doc["signatures"][1]["document_sha256"], hash.as_str());
    let now = app.get_json(&format!("/api/v1/municipalities/1785/promises?at={today}"), 200).await;
    assert_eq!(now.as_array().expect("array").len(), 1);
    assert_eq!(now[0]["id"], id.to_string());
    let before = app.get_json(&format!("/api/v1/municipalities/saffle/promises?at={}", yesterday()), 200).await;
    assert_eq!(before[0]["id"], SAFFLE_ID);
    assert_eq!(before[0]["status"], "superseded");
    assert_eq!(before[0]["standing"], "in_force", "it was in force on that day");
    assert_eq!(before[0]["valid_to"], yesterday().to_string());
    let bad = app.get_json("/api/v1/municipalities/1785/promises?at=1-juni", 400).await;
    assert!(bad["detail"].as_str().expect("detail").contains("ÅÅÅÅ-MM-DD"));

    // What changed from the previous promise.
    let changes = app.get_text(&format!("/lofte/{id}/andringar"), 200).await;
    assert!(changes.contains("Medborgarlöfte 2024") && changes.contains("<ins>"), "{changes}");

    // The sealed download verifies, on the command line and on the page; a changed copy does not.
    let sealed = app.get_text(&format!("/lofte/{id}/forseglat.json"), 200).await;
    let dir = tempfile_dir();
    let good = dir.join("lofte.json");
    std::fs::write(&good, &sealed).expect("write");
    let out = app.cli(LOFTE, &["verify", good.to_str().expect("path")], "");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let forged = sealed.replacen("Lokalpolisområdeschef", "Rikspolischef", 1);
    let out = app.cli(LOFTE, &["verify", "-"], &forged);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("förseglingen stämmer inte"));
    let key = app.get_json("/.well-known/lofte-seal-key", 200).await;
    assert_eq!(key["algorithm"], "Ed25519");
    let form = reqwest::multipart::Form::new()
        .part("fil", reqwest::multipart::Part::bytes(sealed.clone().into_bytes()).file_name("lofte.json"));
    let res = app.client.post(app.url("/verifiera")).multipart(form).send().await.expect("verify");
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.expect("text").contains("Dokumentet är äkta och oförändrat"));
    let form = reqwest::multipart::Form::new().text("text", forged);
    let res = app.client.post(app.url("/verifiera")).multipart(form).send().await.expect("verify");
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);

    audit_verifies(&app).await;
    assert_snapshots_agree(&app).await;
    app.stop().await;
}

fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("lofte-signing-{}", Uuid::now_v7()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

#[tokio::test]
async fn reopening_voids_signatures_and_a_withdrawal_is_public() {
    let app = TestApp::spawn().await;
    let id = new_draft(&app, "Medborgarlöfte 2025").await;
    let hash = freeze(&app, id).await;
    let kommun = app.login(SAFFLE_SIGNATORY).await;
    let res = sign(&kommun, &app, id, "municipality:1785", "Ordförande", PASSWORD, &hash).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    let editor = app.login(SAFFLE_EDITOR).await;
    let reopen = |reason: &'static str| {
        editor.post(app.url(&format!("/arbetsyta/lofte/{id}/oppna"))).form(&[("reason", reason)]).send()
    };
    let res = reopen("  ").await.expect("reopen");
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = reopen("Polisen vill lägga till en aktivitet").await.expect("reopen");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let doc = lofte_db::promises::get(&app.db, id).await.expect("get").expect("exists").document;
    assert_eq!((doc.status, doc.signatures.len(), doc.sha256), (Status::Draft, 0, None));
    let log = lofte_db::drafts::audit_log(&app.db, id).await.expect("log");
    assert!(
        log.iter().any(|a| a.action == "underskrift ogiltigförklarad" && a.detail.contains("lägga till")),
        "{log:?}"
    );
    assert!(log.iter().any(|a| a.action == "öppnat igen"));

    // Frozen again, signed by both: in force; then withdrawn with a public reason.
    let hash = freeze(&app, id).await;
    sign(&kommun, &app, id, "municipality:1785", "Ordförande", PASSWORD, &hash).await;
    let polis = app.login(ARVIKA_SIGNATORY).await;
    sign(&polis, &app, id, "police_area", "Lokalpolisområdeschef", PASSWORD, &hash).await;
    assert_eq!(status(&app, id).await, Status::InForce);
    let res = editor
        .post(app.url(&format!("/arbetsyta/lofte/{id}/aterkalla")))
        .form(&[("reason", "Fel version skrevs under")])
        .send()
        .await
        .expect("withdraw");
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "editors do not withdraw");
    let res = polis
        .post(app.url(&format!("/arbetsyta/lofte/{id}/aterkalla")))
        .form(&[("reason", "Fel version skrevs under")])
        .send()
        .await
        .expect("withdraw");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(status(&app, id).await, Status::Withdrawn);
    let page = app.get_text(&format!("/lofte/{id}"), 200).await;
    assert!(page.contains("Återkallat: Fel version skrevs under"), "{page}");
    let municipality = app.get_text("/kommun/saffle", 200).await;
    assert!(municipality.contains("Det finns inget gällande medborgarlöfte"), "{municipality}");
    assert!(municipality.contains("Återkallat: började aldrig gälla"), "{municipality}");
    audit_verifies(&app).await;
    assert_snapshots_agree(&app).await;
    app.stop().await;
}

#[tokio::test]
async fn paper_signatures_are_registered_with_their_date() {
    let app = TestApp::spawn().await;
    let id = new_draft(&app, "Medborgarlöfte 2025").await;
    let hash = freeze(&app, id).await;
    let editor = app.login(SAFFLE_EDITOR).await;
    let paper = |party: &'static str, date: String| {
        let hash = hash.clone();
        editor
            .post(app.url(&format!("/arbetsyta/lofte/{id}/pappersunderskrift")))
            .form(&[
                ("party", party),
                ("name", "Per Polis"),
                ("title", "Lokalpolisområdeschef"),
                ("date", &date),
                ("sha256", &hash),
            ])
            .send()
    };
    let tomorrow = IsoDate(today().0.next_day().expect("a day after"));
    let res = paper("police_area", tomorrow.to_string()).await.expect("paper");
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = res.text().await.expect("text");
    assert!(body.contains("framtiden") && body.contains("value=\"Per Polis\""), "{body}");
    let res = paper("police_area", "2 mars".into()).await.expect("paper");
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = paper("police_area", "1900-01-01".into()).await.expect("paper");
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.expect("text").contains("före dokumentets tillkomst här"));
    let res = paper("police_area", yesterday().to_string()).await.expect("paper");
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "before the document was written here");
    let res = paper("police_area", today().to_string()).await.expect("paper");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let kommun = app.login(SAFFLE_SIGNATORY).await;
    sign(&kommun, &app, id, "municipality:1785", "Ordförande", PASSWORD, &hash).await;
    let doc = app.get_json(&format!("/api/v1/promises/{id}"), 200).await;
    assert_eq!(doc["valid_from"], today().to_string(), "from the last signature");
    assert_eq!(doc["signatures"][0]["method"], "paper");
    assert_eq!(doc["signatures"][0]["signed_on"], today().to_string());
    assert_eq!(doc["signatures"][0]["registered_by"], "Sara Redaktör");
    let page = app.get_text(&format!("/lofte/{id}"), 200).await;
    assert!(page.contains("Undertecknat på papper, registrerat av Sara Redaktör"), "{page}");
    app.stop().await;
}

#[tokio::test]
async fn a_period_start_in_the_future_makes_an_upcoming_promise() {
    let app = TestApp::spawn().await;
    let draft = demo_with(|d| {
        d.id = None;
        d.status = Status::Draft;
        d.title = "Medborgarlöfte 2099".into();
        d.year = 2099;
        d.period.start = IsoDate::parse("2099-01-01");
    });
    let id = lofte_db::drafts::create(&app.db, draft, Actor::IMPORT).await.expect("draft");
    sign_both(&app, id).await;
    let editor = app.login(SAFFLE_EDITOR).await;
    let workspace = editor.get(app.url("/arbetsyta")).send().await.expect("get").text().await.expect("text");
    assert!(workspace.contains("Kommande") && workspace.contains("Gällande"), "{workspace}");
    let page = app.get_text("/kommun/saffle", 200).await;
    // The old promise is still the one in force until the new one starts.
    assert!(page.contains("Medborgarlöfte 2024") && page.contains("Kommande: börjar gälla 2099-01-01"), "{page}");
    let at = app.get_json("/api/v1/municipalities/1785/promises?at=2098-12-31", 200).await;
    assert_eq!(at[0]["id"], SAFFLE_ID);
    let all = app.get_json("/api/v1/municipalities/1785/promises", 200).await;
    let standings: Vec<&str> =
        all.as_array().expect("array").iter().map(|d| d["standing"].as_str().expect("s")).collect();
    assert_eq!(standings, ["upcoming", "in_force"], "today: the 2099 promise is upcoming, the 2024 one in force");
    assert_eq!(at[0]["valid_to"], "2098-12-31");
    let at = app.get_json("/api/v1/municipalities/1785/promises?at=2099-01-01", 200).await;
    assert_eq!(at[0]["id"], id.to_string());
    app.stop().await;
}

/// Two signatories send their signatures at the same moment: both land, and the document is in
/// force with both. Repeated, on fresh documents.
#[tokio::test]
async fn simultaneous_signatures_both_land() {
    let app = TestApp::spawn().await;
    let kommun = app.login(SAFFLE_SIGNATORY).await;
    let polis = app.login(ARVIKA_SIGNATORY).await;
    for round in 0..4 {
        let id = new_draft(&app, &format!("Medborgarlöfte 2025 ({round})")).await;
        let hash = freeze(&app, id).await;
        let (a, b) = tokio::join!(
            sign(&kommun, &app, id, "municipality:1785", "Ordförande", PASSWORD, &hash),
            sign(&polis, &app, id, "police_area", "Lokalpolisområdeschef", PASSWORD, &hash),
        );
        assert_eq!((a.status(), b.status()), (StatusCode::SEE_OTHER, StatusCode::SEE_OTHER), "round {round}");
        let doc = lofte_db::promises::get(&app.db, id).await.expect("get").expect("exists").document;
        assert_eq!((doc.status, doc.signatures.len()), (Status::InForce, 2), "round {round}");
    }
    // Each new promise superseded the one before: exactly one is in force today.
    let now = app.get_json(&format!("/api/v1/municipalities/1785/promises?at={}", today()), 200).await;
    assert_eq!(now.as_array().expect("array").len(), 1, "{now}");
    audit_verifies(&app).await;
    app.stop().await;
}

#[tokio::test]
async fn tampering_with_the_audit_log_is_found_and_located() {
    let app = TestApp::spawn().await;
    let id = new_draft(&app, "Medborgarlöfte 2025").await;
    freeze(&app, id).await;
    audit_verifies(&app).await;
    let (seq, entry_id): (i64, String) =
        sqlx::query_as("SELECT seq, id FROM audit_log WHERE action = 'låst för underskrift'")
            .fetch_one(app.db.pool())
            .await
            .expect("entry");
    sqlx::query("UPDATE audit_log SET detail = 'SHA-256 något annat' WHERE seq = $1")
        .bind(seq)
        .execute(app.db.pool())
        .await
        .expect("tamper");
    let out = app.cli(LOFTE, &["audit", "verify"], "");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("post {seq} ({entry_id}) har ändrats")), "{err}");
    // Deleting an entry is found too.
    sqlx::query("DELETE FROM audit_log WHERE seq = 1").execute(app.db.pool()).await.expect("delete");
    let out = app.cli(LOFTE, &["audit", "verify"], "");
    assert!(String::from_utf8_lossy(&out.stderr).contains("en post saknas"));
    app.stop().await;
}

/// A signed document changed in the database behind the application's back (a signatory's
/// name, the text, the status) no longer matches its last audit entry; so does a document whose
/// entries were removed from the end of the log.
#[tokio::test]
async fn changing_a_signed_document_in_the_database_is_found() {
    let tampered = [
        "UPDATE signature SET name = 'Eve Forger' WHERE name = 'Namn Namnsson'",
        "UPDATE promise_document SET signatures = REPLACE(signatures, 'Namn Namnsson', 'Eve Forger')",
        "UPDATE promise_document SET snapshot = REPLACE(snapshot, 'Fotpatrullering', 'Ingen patrullering')",
        "UPDATE promise_document SET valid_to = '2030-01-01' WHERE status = 'superseded'",
        "DELETE FROM audit_log WHERE action = 'gällande'",
    ];
    for sql in tampered {
        let app = TestApp::spawn().await;
        let id = new_draft(&app, "Medborgarlöfte 2025").await;
        sign_both(&app, id).await;
        audit_verifies(&app).await;
        if sql.starts_with("DELETE") {
            // Removing the last entries of the log: the chain itself stays whole.
            let (max,): (i64,) =
                sqlx::query_as("SELECT MAX(seq) FROM audit_log").fetch_one(app.db.pool()).await.expect("max");
            sqlx::query("DELETE FROM audit_log WHERE seq >= $1")
                .bind(max - 2)
                .execute(app.db.pool())
                .await
                .expect("delete");
        } else {
            sqlx::query(sql).execute(app.db.pool()).await.expect("tamper");
        }
        let out = app.cli(LOFTE, &["audit", "verify"], "");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{sql}: {err}");
        assert!(err.contains("dokumentet \"Medborgarlöfte"), "{sql}: {err}");
        app.stop().await;
    }
}

#[tokio::test]
async fn a_document_cannot_be_locked_without_promises_or_with_a_past_period() {
    let app = TestApp::spawn().await;
    let editor = app.login(SAFFLE_EDITOR).await;
    for (change, message) in [
        (
            Box::new(|d: &mut lofte_domain::PromiseDocument| d.promises.clear()) as Box<dyn Fn(&mut _)>,
            "Lägg till minst ett löfte",
        ),
        (
            Box::new(|d: &mut lofte_domain::PromiseDocument| {
                d.period.start = IsoDate::parse("2020-01-01");
                d.period.end = IsoDate::parse("2020-12-31");
            }),
            "Perioden slutade 2020-12-31",
        ),
    ] {
        let draft = demo_with(|d| {
            d.id = None;
            d.status = Status::Draft;
            change(d);
        });
        let id = lofte_db::drafts::create(&app.db, draft, Actor::IMPORT).await.expect("draft");
        let v = version(&app, id).await.to_string();
        let res = editor
            .post(app.url(&format!("/arbetsyta/lofte/{id}/las")))
            .form(&[("version", v.as_str())])
            .send()
            .await
            .expect("freeze");
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.text().await.expect("text").contains(message));
        assert_eq!(status(&app, id).await, Status::Draft);
    }
    app.stop().await;
}

/// History imported with explicit validity answers the `at=` query and fills the archive.
#[tokio::test]
async fn imported_history_has_validity_and_the_archive_shows_it() {
    let app = TestApp::spawn_with(Options { demo: false, ..Options::default() }).await;
    let old = demo_with(|d| {
        d.id = None;
        d.title = "Medborgarlöfte 2023".into();
        d.year = 2023;
        d.status = Status::Superseded;
        d.valid_from = IsoDate::parse("2023-03-01");
        d.valid_to = IsoDate::parse("2024-02-14");
    });
    let new = demo_with(|d| {
        d.valid_from = IsoDate::parse("2024-02-15");
    });
    let overlapping = demo_with(|d| {
        d.id = None;
        d.title = "Medborgarlöfte 2022".into();
        d.status = Status::Superseded;
        d.valid_from = IsoDate::parse("2022-03-01");
        d.valid_to = IsoDate::parse("2023-03-01");
    });
    lofte_db::promises::import(&app.db, vec![old, new], false).await.expect("import");
    let err = lofte_db::promises::import(&app.db, vec![overlapping], false).await.expect_err("overlaps");
    assert!(err.to_string().contains("överlappar"), "{err}");
    assert_eq!(titles_at(&app, "2023-06-01").await, ["Medborgarlöfte 2023"]);
    assert_eq!(titles_at(&app, "2024-02-14").await, ["Medborgarlöfte 2023"]);
    assert_eq!(titles_at(&app, "2024-02-15").await, ["Medborgarlöfte 2024"]);
    assert!(titles_at(&app, "2022-01-01").await.is_empty());
    let page = app.get_text("/kommun/saffle", 200).await;
    assert!(page.contains("Gäller från 2024-02-15"), "{page}");
    assert!(page.contains("Ersatt: gällde 2023-03-01 – 2024-02-14"), "{page}");
    audit_verifies(&app).await;
    assert_snapshots_agree(&app).await;
    app.stop().await;
}

async fn titles_at(app: &TestApp, day: &str) -> Vec<String> {
    let v: Value = app.get_json(&format!("/api/v1/municipalities/1785/promises?at={day}"), 200).await;
    v.as_array().expect("array").iter().map(|d| d["title"].as_str().expect("title").to_owned()).collect()
}

async fn sign_both(app: &TestApp, id: Uuid) {
    let hash = freeze(app, id).await;
    let kommun = app.login(SAFFLE_SIGNATORY).await;
    let res = sign(&kommun, app, id, "municipality:1785", "Ordförande", PASSWORD, &hash).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let polis = app.login(ARVIKA_SIGNATORY).await;
    let res = sign(&polis, app, id, "police_area", "Lokalpolisområdeschef", PASSWORD, &hash).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
}

/// A promise that has started is ended by a newer one, never erased: a second promise signed
/// on the day the first began starts the next day.
#[tokio::test]
async fn a_newer_promise_never_erases_one_that_has_started() {
    let app = TestApp::spawn().await;
    let first = new_draft(&app, "Medborgarlöfte 2025").await;
    sign_both(&app, first).await;
    let second = new_draft(&app, "Medborgarlöfte 2025 (reviderat)").await;
    sign_both(&app, second).await;
    let tomorrow = IsoDate(today().0.next_day().expect("a day after"));
    let a = app.get_json(&format!("/api/v1/promises/{first}"), 200).await;
    assert_eq!(
        (a["valid_from"].as_str(), a["valid_to"].as_str()),
        (Some(&*today().to_string()), Some(&*today().to_string()))
    );
    let b = app.get_json(&format!("/api/v1/promises/{second}"), 200).await;
    assert_eq!(b["valid_from"], tomorrow.to_string());
    assert_eq!(titles_at(&app, &today().to_string()).await, ["Medborgarlöfte 2025"]);
    assert_eq!(titles_at(&app, &tomorrow.to_string()).await, ["Medborgarlöfte 2025 (reviderat)"]);
    audit_verifies(&app).await;
    app.stop().await;
}

/// Renaming a police area renames it in drafts; signed documents keep the name they were
/// signed with, so their hash, seal and audit state still hold.
#[tokio::test]
async fn renaming_a_police_area_leaves_signed_documents_as_signed() {
    let app = TestApp::spawn().await;
    let id = new_draft(&app, "Medborgarlöfte 2025").await;
    sign_both(&app, id).await;
    let draft = new_draft(&app, "Medborgarlöfte 2026").await;
    let out = app.cli(LOFTE, &["police-area", "rename", "Arvika", "Arvika-Säffle"], "");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    audit_verifies(&app).await;
    assert_snapshots_agree(&app).await;
    let signed = app.get_json(&format!("/api/v1/promises/{id}"), 200).await;
    assert_eq!(signed["police_area"]["name"], "Arvika");
    let d = lofte_db::promises::get(&app.db, draft).await.expect("get").expect("draft").document;
    assert_eq!(d.police_area.name, "Arvika-Säffle");
    let sealed = app.get_text(&format!("/lofte/{id}/forseglat.json"), 200).await;
    let out = app.cli(LOFTE, &["verify", "-"], &sealed);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    app.stop().await;
}
