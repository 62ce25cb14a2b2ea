//! The only crate of Löfte that knows SQL.
//!
//! One `AnyPool` serves SQLite and PostgreSQL with the same SQL text (`$1…$n` bind parameters,
//! portable types: see `migrations/README.md`). The few statements that differ per backend
//! sit behind `match db.backend()` in this crate and nowhere else.

pub mod accounts;
pub mod audit;
mod batch;
pub mod dialogues;
pub mod drafts;
mod error;
pub mod lagesbild;
pub mod municipalities;
pub mod police_areas;
pub mod problems;
pub mod promises;
pub mod seed;
pub mod signatures;
pub mod signing;
pub mod statistics;
pub mod surveys;
pub mod text_import;
mod time_text;

use std::str::FromStr;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};

pub use error::DbError;
pub use time_text::{format as time_text, now_text};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn from_url(url: &str) -> Result<Self, DbError> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(DbError::Config(format!("unsupported database URL {url:?}: use sqlite:… or postgres://…")))
        }
    }
}

/// The database handle passed around the application. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
}

/// A SQLite URL without `mode=` gets `mode=rwc`, so the file is created when missing.
fn sqlite_url_with_create(url: &str) -> String {
    if url.contains("mode=") || url.contains(":memory:") {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    }
}

impl Db {
    /// Connects (creating a SQLite file if missing). Does not migrate: call [`Db::migrate`].
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self, DbError> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url)?;
        let url = match backend {
            Backend::Sqlite => sqlite_url_with_create(url),
            Backend::Postgres => url.to_owned(),
        };
        let options = AnyConnectOptions::from_str(&url).map_err(|e| DbError::Config(e.to_string()))?;
        let pool = AnyPoolOptions::new()
            .max_connections(max_connections)
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        conn.execute(
                            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                             PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;",
                        )
                        .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        Ok(Db { pool, backend })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Applies the migrations of this backend (`migrations/sqlite` or `migrations/postgres`).
    pub async fn migrate(&self) -> Result<(), DbError> {
        let migrator = match self.backend {
            Backend::Sqlite => sqlx::migrate!("migrations/sqlite"),
            Backend::Postgres => sqlx::migrate!("migrations/postgres"),
        };
        migrator.run(&self.pool).await?;
        audit::link_unchained(self).await?;
        Ok(())
    }

    /// Applies only the migrations up to version `last`: for tests of upgrading a database
    /// made by an earlier release.
    #[doc(hidden)]
    pub async fn migrate_until(&self, last: i64) -> Result<(), DbError> {
        let all = match self.backend {
            Backend::Sqlite => sqlx::migrate!("migrations/sqlite"),
            Backend::Postgres => sqlx::migrate!("migrations/postgres"),
        };
        let mut migrator = all;
        migrator.migrations = migrator.migrations.iter().filter(|m| m.version <= last).cloned().collect();
        migrator.run(&self.pool).await?;
        Ok(())
    }

    /// Begins a transaction that writes promise documents. Such transactions run one at a time
    /// (SQLite: `BEGIN IMMEDIATE` takes the write lock up front, so the busy timeout applies
    /// instead of failing on upgrade; PostgreSQL: a transaction-scoped advisory lock), so that
    /// rules spanning documents, such as one promise in force, hold under concurrent imports.
    pub async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>, DbError> {
        match self.backend {
            Backend::Sqlite => Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?),
            Backend::Postgres => {
                let mut tx = self.pool.begin().await?;
                sqlx::query("SELECT CAST(1 AS BIGINT) FROM (SELECT pg_advisory_xact_lock(7411)) AS locked")
                    .execute(&mut *tx)
                    .await?;
                Ok(tx)
            }
        }
    }

    /// `SELECT 1`, for health checks.
    /// A transaction that writes, without the document lock of [`Db::begin_write`]: SQLite takes
    /// its write lock at `BEGIN` (no deadlock on upgrade), PostgreSQL relies on row locks.
    pub async fn begin_immediate(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>, DbError> {
        match self.backend {
            Backend::Sqlite => Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?),
            Backend::Postgres => Ok(self.pool.begin().await?),
        }
    }

    pub async fn ping(&self) -> Result<(), DbError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Table and column names of the migrated schema, sorted: the parity test compares the two
    /// backends with this.
    pub async fn schema_columns(&self) -> Result<Vec<(String, String)>, DbError> {
        let sql = match self.backend {
            Backend::Sqlite => {
                "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p \
                 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx%' \
                 ORDER BY 1, 2"
            }
            Backend::Postgres => {
                "SELECT CAST(table_name AS TEXT), CAST(column_name AS TEXT) FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name NOT LIKE '_sqlx%' ORDER BY 1, 2"
            }
        };
        Ok(sqlx::query_as(sql).fetch_all(&self.pool).await?)
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}
