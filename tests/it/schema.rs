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

/// A database made before signing existed (migrations 1–4, with a document in force and an
/// unchained audit log) upgrades without losing anything: the documents and their rows stay,
/// the new states are allowed, and the old log entries are linked into the chain.
async fn upgrade_from_version_4(backend: Backend) {
    let database = TestDatabase::create_on(backend).await;
    let db = Db::connect(&database.url, 1).await.expect("connect");
    db.migrate_until(4).await.expect("migrate to 4");
    for sql in [
        "INSERT INTO police_region (id, name) VALUES ('r', 'Bergslagen')",
        "INSERT INTO county (code, name, police_region_id) VALUES ('17', 'Värmlands län', 'r')",
        "INSERT INTO municipality (code, name, slug, county_code) VALUES ('1785', 'Säffle', 'saffle', '17')",
        "INSERT INTO police_area (id, name, police_region_id, created_at) VALUES ('pa', 'Arvika', 'r', '2024-01-01T00:00:00.000Z')",
        "INSERT INTO promise_document (id, police_area_id, title, year, status, intro, follow_up, communication, \
         validity, snapshot, version, created_at, updated_at) VALUES ('d', 'pa', 'Medborgarlöfte 2024', 2024, \
         'in_force', '[]', '', '', '', '{}', 1, '2024-01-01T00:00:00.000Z', '2024-01-01T00:00:00.000Z')",
        "INSERT INTO promise_document_municipality (document_id, municipality_code, position) VALUES ('d', '1785', 0)",
        "INSERT INTO theme (id, document_id, position, name) VALUES ('t', 'd', 0, 'ANDT')",
        "INSERT INTO activity (id, theme_id, document_id, position, text, party) VALUES ('a', 't', 'd', 0, 'x', 'joint')",
        "INSERT INTO document_version (document_id, version, snapshot, saved_by_name, saved_at) \
         VALUES ('d', 1, '{}', 'Import', '2024-01-01T00:00:00.000Z')",
        "INSERT INTO audit_log (id, at, account_name, document_id, action, detail) \
         VALUES ('e1', '2024-01-01T00:00:00.000Z', 'Import', 'd', 'skapad', 'första')",
        "INSERT INTO audit_log (id, at, account_name, document_id, action, detail) \
         VALUES ('e2', '2024-01-02T00:00:00.000Z', 'Import', 'd', 'uppdaterad', 'andra')",
    ] {
        sqlx::query(sql).execute(db.pool()).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
    db.migrate().await.expect("upgrade");
    let count = |table: &'static str| {
        let db = db.clone();
        async move {
            let sql = match table {
                "activity" => "SELECT CAST(COUNT(*) AS BIGINT) FROM activity",
                "theme" => "SELECT CAST(COUNT(*) AS BIGINT) FROM theme",
                "document_version" => "SELECT CAST(COUNT(*) AS BIGINT) FROM document_version",
                _ => "SELECT CAST(COUNT(*) AS BIGINT) FROM promise_document_municipality",
            };
            let (n,): (i64,) = sqlx::query_as(sql).fetch_one(db.pool()).await.expect("count");
            n
        }
    };
    for table in ["activity", "theme", "document_version", "promise_document_municipality"] {
        assert_eq!(count(table).await, 1, "{table} kept its row");
    }
    let (status, signatures): (String, String) =
        sqlx::query_as("SELECT status, signatures FROM promise_document WHERE id = 'd'")
            .fetch_one(db.pool())
            .await
            .expect("document");
    assert_eq!((status.as_str(), signatures.as_str()), ("in_force", "[]"));
    sqlx::query("UPDATE promise_document SET status = 'withdrawn' WHERE id = 'd'")
        .execute(db.pool())
        .await
        .expect("new state allowed");
    assert!(sqlx::query("UPDATE promise_document SET status = 'bogus'").execute(db.pool()).await.is_err());
    // Cascades still reach the children after the SQLite table rebuild.
    sqlx::query("DELETE FROM promise_document WHERE id = 'd'").execute(db.pool()).await.expect("delete");
    assert_eq!(count("activity").await, 0, "foreign keys point at the rebuilt table");
    assert_eq!(lofte_db::audit::verify(&db).await.expect("verify"), Ok(2));
    assert_eq!(
        sqlx::query_as::<_, (i64,)>("SELECT CAST(COUNT(*) AS BIGINT) FROM audit_log WHERE seq = 2")
            .fetch_one(db.pool())
            .await
            .expect("count")
            .0,
        1,
        "the old entries are linked in the order they were written"
    );
    db.close().await;
}

#[tokio::test]
async fn a_sqlite_database_from_before_signing_upgrades() {
    upgrade_from_version_4(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_postgres_database_from_before_signing_upgrades() {
    if postgres_admin_url().is_none() {
        skip_or_fail("the upgrade test on PostgreSQL needs LOFTE_TEST_POSTGRES_URL");
        return;
    }
    upgrade_from_version_4(Backend::Postgres).await;
}
