//! A fresh database per test app: a temporary SQLite file, or a new PostgreSQL database that is
//! dropped when the guard goes.

use sqlx::{Connection, Executor};
use uuid::Uuid;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// `LOFTE_TEST_BACKEND`: `postgres` or (default) `sqlite`.
pub fn test_backend() -> Backend {
    match std::env::var("LOFTE_TEST_BACKEND").as_deref() {
        Ok("postgres") => Backend::Postgres,
        Ok("sqlite") | Err(_) => Backend::Sqlite,
        Ok(other) => panic!("LOFTE_TEST_BACKEND={other:?}: use sqlite or postgres"),
    }
}

/// `LOFTE_TEST_POSTGRES_URL`: a PostgreSQL server (any database on it) where test databases may
/// be created.
pub fn postgres_admin_url() -> Option<String> {
    std::env::var("LOFTE_TEST_POSTGRES_URL").ok().filter(|u| !u.is_empty())
}

pub struct TestDatabase {
    pub url: String,
    pub backend: Backend,
    cleanup: Cleanup,
}

enum Cleanup {
    File(std::path::PathBuf),
    Postgres { admin: String, name: String },
}

impl TestDatabase {
    pub async fn create() -> TestDatabase {
        Self::create_on(test_backend()).await
    }

    pub async fn create_on(backend: Backend) -> TestDatabase {
        match backend {
            Backend::Sqlite => {
                let dir = std::env::temp_dir().join(format!("lofte-test-{}", Uuid::new_v4().simple()));
                std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("temp dir: {e}"));
                let url = format!("sqlite://{}?mode=rwc", dir.join("lofte.db").display());
                TestDatabase { url, backend, cleanup: Cleanup::File(dir) }
            }
            Backend::Postgres => {
                let admin = postgres_admin_url()
                    .unwrap_or_else(|| panic!("LOFTE_TEST_BACKEND=postgres needs LOFTE_TEST_POSTGRES_URL"));
                let name = format!("lofte_test_{}", Uuid::new_v4().simple());
                sqlx::any::install_default_drivers();
                let mut conn =
                    sqlx::AnyConnection::connect(&admin).await.unwrap_or_else(|e| panic!("connect {admin}: {e}"));
                conn.execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .await
                    .unwrap_or_else(|e| panic!("create database {name}: {e}"));
                let _ = conn.close().await;
                let url = with_database(&admin, &name);
                TestDatabase { url, backend, cleanup: Cleanup::Postgres { admin, name } }
            }
        }
    }
}

/// Replaces the database name in a PostgreSQL URL.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let after_scheme = base.find("://").map_or(0, |i| i + 3);
    let base = match base[after_scheme..].find('/') {
        Some(slash) => &base[..after_scheme + slash],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::File(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Cleanup::Postgres { admin, name } => {
                let (admin, name) = (admin.clone(), name.clone());
                // Drop runs inside the test's runtime; use a thread with its own.
                let _ = std::thread::spawn(move || {
                    let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else { return };
                    rt.block_on(async {
                        if let Ok(mut conn) = sqlx::AnyConnection::connect(&admin).await {
                            let _ = conn
                                .execute(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
                                .await;
                            let _ = conn.close().await;
                        }
                    });
                })
                .join();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn database_name_is_replaced() {
        assert_eq!(
            super::with_database("postgres://postgres@127.0.0.1:5432/postgres", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            super::with_database("postgres://u:p@h/db?sslmode=disable", "x"),
            "postgres://u:p@h/x?sslmode=disable"
        );
        assert_eq!(super::with_database("postgres://h", "x"), "postgres://h/x");
    }
}
