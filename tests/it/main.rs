//! The one integration-test binary. Every test starts the real application on its own fresh
//! database (SQLite by default; PostgreSQL with LOFTE_TEST_BACKEND=postgres and
//! LOFTE_TEST_POSTGRES_URL) and talks to it over HTTP, through the `lofte` binary, or through
//! headless Chromium.

#![allow(clippy::expect_used, clippy::unwrap_used)] // a failing test should stop loudly

mod api;
mod authoring;
mod cli;
mod dialogues;
mod e2e;
mod lagesbild;
mod public_site;
mod schema;
mod signing;
mod staff;
mod statistics_cli;
mod surveys;
mod text_import;

/// The Säffle demo document, as committed.
pub const DEMO_JSON: &str = include_str!("../../data/demo/saffle-2024.json");
/// The real published page the public page must reproduce.
pub const SEED: &str = include_str!("fixtures/saffle-medborgarloften-2024.txt");
pub const SAFFLE_ID: &str = "01935f3a-8c00-7000-8000-000000001785";
pub const LOFTE: &str = env!("CARGO_BIN_EXE_lofte");

/// The demo with changes, as a document ready for import.
pub fn demo_with(change: impl FnOnce(&mut lofte_domain::PromiseDocument)) -> lofte_domain::PromiseDocument {
    let mut doc = lofte_domain::parse_documents(DEMO_JSON).expect("demo parses").remove(0);
    change(&mut doc);
    doc
}

/// The demo as the API and `lofte export` give it: the committed file plus its record (the
/// content hash, no signatures, validity unknown).
pub fn demo_published() -> serde_json::Value {
    let mut v: serde_json::Value = serde_json::from_str(DEMO_JSON).expect("demo json");
    let doc = lofte_domain::parse_documents(DEMO_JSON).expect("demo parses").remove(0);
    v["sha256"] = lofte_domain::seal::content_sha256(&doc).into();
    v["signatures"] = serde_json::json!([]);
    v["valid_from"] = serde_json::Value::Null;
    v["valid_to"] = serde_json::Value::Null;
    v
}

/// The one-row snapshot of every document equals its normalised rows.
pub async fn assert_snapshots_agree(app: &lofte_testkit::TestApp) {
    let bad = lofte_db::promises::verify_snapshots(&app.db).await.expect("verify");
    assert!(bad.is_empty(), "snapshots differ from rows for {bad:?}");
}
