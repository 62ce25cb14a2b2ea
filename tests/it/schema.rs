use std::collections::BTreeSet;
use std::path::Path;

use lofte_db::Db;
use lofte_testkit::{Backend, TestDatabase, postgres_admin_url, skip_or_fail};

fn migration_names(dir: &str) -> BTreeSet<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/db/migrations").join(dir);
    std::fs::read_dir(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".sql"))
        .collect()
}

#[test]
fn both_backends_have_the_same_migrations() {
    let sqlite = migration_names("sqlite");
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, migration_names("postgres"));
}

async fn columns(backend: Backend) -> Vec<(String, String)> {
    let database = TestDatabase::create_on(backend).await;
    let db = Db::connect(&database.url, 1).await.expect("connect");
    db.migrate().await.expect("migrate");
    let columns = db.schema_columns().await.expect("columns");
    db.close().await;
    columns
}

#[tokio::test]
async fn sqlite_and_postgres_schemas_have_the_same_tables_and_columns() {
    if postgres_admin_url().is_none() {
        skip_or_fail("schema parity needs LOFTE_TEST_POSTGRES_URL");
        return;
    }
    let sqlite = columns(Backend::Sqlite).await;
    assert!(sqlite.len() > 30, "{sqlite:?}");
    assert_eq!(sqlite, columns(Backend::Postgres).await);
}

#[tokio::test]
async fn sqlite_runs_in_wal_mode_with_foreign_keys() {
    let database = TestDatabase::create_on(Backend::Sqlite).await;
    let db = Db::connect(&database.url, 1).await.expect("connect");
    let (mode,): (String,) = sqlx::query_as("PRAGMA journal_mode").fetch_one(db.pool()).await.expect("pragma");
    assert_eq!(mode, "wal");
    let (fk,): (i64,) = sqlx::query_as("PRAGMA foreign_keys").fetch_one(db.pool()).await.expect("pragma");
    assert_eq!(fk, 1);
    db.close().await;
}
