//! Importing published promise texts: `lofte import text` and the staff import page.

use lofte_testkit::TestApp;
use serde_json::Value;

use crate::{DEMO_JSON, LOFTE, SAFFLE_ID, SEED};

const OLD_EDA: &str = "Medborgarlöfte för Eda kommun 2019

Period: 2019-07-01—2021-06-30

Eda kommun och lokalpolisområde Arvika lovar tillsammans följande.

Löften

• Polisen och kommunen lovar att öka tryggheten i Charlottenberg.

Aktiviteter

Trygghet

Polisen lovar att:
• Fotpatrullering på fredagar

Kommunen lovar att:
• Bättre belysning vid busstationen
";

const NAME_ARVIKA_EDITOR: &str = "Pia Kommunpolis";

fn demo_content() -> Value {
    let mut v: Value = serde_json::from_str(DEMO_JSON).unwrap();
    v.as_object_mut().unwrap().remove("id");
    v
}

fn without_record(mut doc: Value) -> Value {
    for key in ["id", "sha256", "signatures", "valid_from", "valid_to", "withdrawn_reason"] {
        doc.as_object_mut().unwrap().remove(key);
    }
    doc
}

#[tokio::test]
async fn dry_run_prints_the_document_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let dir = tempdir();
    let seed = dir.join("saffle.txt");
    std::fs::write(&seed, SEED).unwrap();
    let out = app.cli(LOFTE, &["import", "text", seed.to_str().unwrap(), "--historical", "--dry-run"], "");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let got: Value = serde_json::from_slice(&out.stdout).unwrap();
    // The seed text gives exactly the demo document (a published promise, validity unknown).
    assert_eq!(without_record(got["document"].clone()), without_record(demo_content()));
    assert_eq!(got["document"]["status"], "in_force");
    assert_eq!(got["warnings"][0]["line"], 1);
    assert_eq!(got["warnings"][0]["excerpt"], "Sök");
    assert_eq!(got["truncated"], false);
    assert_eq!(got["problems"], serde_json::json!([]));
    let activity = got["items"].as_array().unwrap().iter().find(|i| i["path"] == "themes[0].activities[2]").unwrap();
    assert_eq!(activity["line"], 30);
    assert_eq!(activity["owner_from"], "header");
    assert_eq!(activity["confidence"], 0.9);
    // Nothing was written: only the demo is there.
    let ids = lofte_db::promises::all_ids(&app.db).await.unwrap();
    assert_eq!(ids.len(), 1);

    // Standard input, without --historical: a draft.
    let out = app.cli(LOFTE, &["import", "text", "-", "--dry-run"], SEED);
    assert!(out.status.success());
    let got: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(got["document"]["status"], "draft");
    assert_eq!(got["format"], "text");
}

#[tokio::test]
async fn import_stores_a_draft_or_a_historical_promise() {
    let app = TestApp::spawn().await;
    let dir = tempdir();
    let old = dir.join("eda-2019.txt");
    std::fs::write(&old, OLD_EDA).unwrap();
    let out = app.cli(LOFTE, &["import", "text", old.to_str().unwrap()], "");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("(utkast)"), "{stdout}");
    let id = stdout.split_whitespace().nth(1).unwrap().to_owned();
    let stored = lofte_db::promises::get(&app.db, id.parse().unwrap()).await.unwrap().unwrap();
    assert_eq!(stored.document.status, lofte_domain::Status::Draft);
    assert_eq!(stored.document.municipalities[0].code, "1730");
    assert_eq!(stored.document.police_area.name, "Arvika");
    assert_eq!(stored.document.themes[0].activities[1].party, lofte_domain::Party::Municipality);

    // As a historical promise: its period makes it superseded today, and it is public.
    let out = app.cli(LOFTE, &["import", "text", old.to_str().unwrap(), "--historical"], "");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("(publicerat löfte)"), "{stdout}");
    let id = stdout.split_whitespace().nth(1).unwrap().to_owned();
    let v = app.get_json(&format!("/api/v1/promises/{id}"), 200).await;
    assert_eq!(v["status"], "superseded");
    assert_eq!(v["valid_from"], "2019-07-01");
    assert_eq!(v["valid_to"], "2021-06-30");
    let page = app.get_text("/kommun/eda", 200).await;
    assert!(page.contains("Medborgarlöfte för Eda kommun 2019"), "the archive lists it");
    crate::assert_snapshots_agree(&app).await;
}

#[tokio::test]
async fn bad_input_is_a_clear_error_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let dir = tempdir();
    let binary = dir.join("bild.txt");
    std::fs::write(&binary, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR").unwrap();
    let out = app.cli(LOFTE, &["import", "text", binary.to_str().unwrap()], "");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("binära data") && stderr.contains("Inget importerades"), "{stderr}");

    let out = app.cli(LOFTE, &["import", "text", "-"], "   \n");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("tom"));

    // A text without a police area: the warning and the missing field are named.
    let text = "Medborgarlöfte 2024\n\nKils kommun och polisen lovar.\n\n• Polisen lovar att synas mer.\n";
    let out = app.cli(LOFTE, &["import", "text", "-"], text);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("police_area.name") && stderr.contains("--police-area"), "{stderr}");
    // Given on the command line, it goes in.
    let out = app.cli(LOFTE, &["import", "text", "-", "--police-area", "Karlstad"], text);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let out = app.cli(LOFTE, &["import", "text", "-", "--valid-from", "2024-01-01"], text);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("bara med --historical"));
    // A dry run with an unknown municipality names the problem and exits 1.
    let out = app.cli(LOFTE, &["import", "text", "-", "--municipality", "9999", "--dry-run"], text);
    assert!(!out.status.success());
    let got: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(got["problems"].to_string().contains("okänd kommunkod 9999"), "{got}");
    let out = app.cli(LOFTE, &["import", "text", "-", "--historical", "--valid-from", "30/2"], text);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("ÅÅÅÅ-MM-DD"));
    assert_eq!(lofte_db::promises::all_ids(&app.db).await.unwrap().len(), 2, "the demo and the one good import");
}

#[tokio::test]
async fn a_public_page_reads_back_as_its_document() {
    let app = TestApp::spawn().await;
    let page = app.get_text(&format!("/lofte/{SAFFLE_ID}"), 200).await;
    let out = app.cli(LOFTE, &["import", "text", "-", "--format", "html", "--historical", "--dry-run"], &page);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let got: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(without_record(got["document"].clone()), without_record(demo_content()));
    assert_eq!(got["warnings"], serde_json::json!([]), "our own page reads without doubts");
}

/// Posts the staff import form (multipart, as the browser does) with these fields.
async fn post_import(client: &reqwest::Client, app: &TestApp, fields: &[(&str, &str)]) -> reqwest::Response {
    let form = fields.iter().fold(reqwest::multipart::Form::new(), |f, (k, v)| f.text(k.to_string(), v.to_string()));
    client.post(app.url("/arbetsyta/importera")).multipart(form).send().await.unwrap()
}

#[tokio::test]
async fn staff_read_a_text_see_it_beside_the_source_and_save_it() {
    let app = TestApp::spawn().await;
    let editor = app.login("redaktor.arvika@lofte.example").await;
    let res = editor.get(app.url("/arbetsyta/importera")).send().await.unwrap();
    assert_eq!(res.status(), 200);

    // Read: the result beside the text, each item with its line.
    let res = post_import(&editor, &app, &[("text", OLD_EDA), ("action", "read")]).await;
    assert_eq!(res.status(), 200);
    let body = res.text().await.unwrap();
    assert!(body.contains("Så lästes texten"), "{body}");
    assert!(body.contains(r#"<li id="rad-16" class="used">• Fotpatrullering på fredagar</li>"#), "{body}");
    assert!(body.contains("Fotpatrullering på fredagar"));
    assert!(body.contains("ansvarig enligt rubriken över listan, 90 %"));
    assert!(body.contains(r#"value="2019-07-01""#), "the period fills the historical dates");
    assert!(body.contains(r#"<option value="Arvika">"#) || body.contains(r#"value="Arvika""#));

    // A wrong date keeps everything typed and says what is wrong.
    let res =
        post_import(&editor, &app, &[("text", OLD_EDA), ("giltig_fran", "1 juli"), ("action", "historical")]).await;
    assert_eq!(res.status(), 422);
    let body = res.text().await.unwrap();
    assert!(body.contains("1 juli&#34; är inget datum"), "{body}");
    assert!(body.contains("Fotpatrullering på fredagar"), "the text is kept");

    // The police area the page filled in from this text is not carried over to another text.
    let other_text = OLD_EDA.replace("lokalpolisområde Arvika", "lokalpolisområde Karlstad");
    let res = post_import(
        &editor,
        &app,
        &[("text", &other_text), ("lokalpolisomrade", "Arvika"), ("ifyllt_lpo", "Arvika"), ("action", "read")],
    )
    .await;
    let body = res.text().await.unwrap();
    assert!(body.contains(r#"name="lokalpolisomrade" value="Karlstad""#), "{body}");

    // Save as a draft: on to the editor.
    let res = post_import(&editor, &app, &[("text", OLD_EDA), ("action", "draft")]).await;
    assert_eq!(res.status(), 303);
    let to = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(to.ends_with("/redigera"), "{to}");
    let res = editor.get(app.url(&to)).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("Bättre belysning vid busstationen"));

    // Save as historical: public, superseded (its period is over), logged as the editor.
    let res = post_import(
        &editor,
        &app,
        &[("text", OLD_EDA), ("giltig_fran", "2019-07-01"), ("giltig_till", "2021-06-30"), ("action", "historical")],
    )
    .await;
    assert_eq!(res.status(), 303);
    let to = res.headers()["location"].to_str().unwrap().to_owned();
    let id = to.rsplit('/').next().unwrap();
    let v = app.get_json(&format!("/api/v1/promises/{id}"), 200).await;
    assert_eq!(v["status"], "superseded");
    let log = lofte_db::drafts::audit_log(&app.db, id.parse().unwrap()).await.unwrap();
    assert!(log.iter().all(|e| e.who == NAME_ARVIKA_EDITOR), "{:?}", log.iter().map(|e| &e.who).collect::<Vec<_>>());
    crate::assert_snapshots_agree(&app).await;
}

#[tokio::test]
async fn only_editors_of_a_party_may_save_and_an_upload_fills_the_text() {
    let app = TestApp::spawn().await;
    // A reader of Årjäng may read a text but not store a promise of Eda.
    let reader = app.login("lasare.arjang@lofte.example").await;
    let res = post_import(&reader, &app, &[("text", OLD_EDA), ("action", "draft")]).await;
    assert_eq!(res.status(), 403);
    let body = res.text().await.unwrap();
    assert!(body.contains("Du är inte redaktör för Eda"), "the reason is given: {body}");
    assert!(body.contains("Bättre belysning vid busstationen"), "and the text is kept");

    // An uploaded web page: its text as read fills the box for corrections.
    let editor = app.login("redaktor.saffle@lofte.example").await;
    let page = app.get_text(&format!("/lofte/{SAFFLE_ID}"), 200).await;
    let form = reqwest::multipart::Form::new()
        .text("action", "read")
        .part("fil", reqwest::multipart::Part::bytes(page.into_bytes()).file_name("saffle.html"));
    let res = editor.post(app.url("/arbetsyta/importera")).multipart(form).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let body = res.text().await.unwrap();
    assert!(body.contains("(webbsida)"), "{body}");
    assert!(body.contains("• Narkotikainformation riktad till föräldrar"), "{body}");
    // The demo is in force for Säffle with Arvika: saving this as historical would end it.
    assert!(body.contains("slutar det här att gälla: Medborgarlöfte 2024"), "{body}");

    // Nothing readable: the error is next to the text box.
    let res = post_import(&editor, &app, &[("text", "  "), ("action", "read")]).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("Klistra in texten eller välj en fil."));
}

fn tempdir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("lofte-import-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
