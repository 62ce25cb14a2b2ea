//! Test helpers: the real application on a fresh database, reached over HTTP; the `lofte`
//! binary against the same database; and a real headless Chromium with axe-core.
//!
//! Environment:
//! - `LOFTE_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres`: a server on which
//!   throwaway databases may be created. With `LOFTE_TEST_BACKEND=postgres` every test app runs
//!   on its own new PostgreSQL database (dropped afterwards); otherwise on a temporary SQLite file.
//! - `CI=true` turns every "skipped: … not available" into a failure, so nothing skips silently.

mod browser;
mod database;
mod smtp;

use std::net::SocketAddr;

pub use browser::Browser;
pub use database::{Backend, TestDatabase, postgres_admin_url, test_backend};
use lofte_db::{Db, seed};
pub use smtp::FakeSmtp;
use tokio::sync::oneshot;

/// True when running in CI, where a missing suite is an error.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// Reports that a suite cannot run here: a failure in CI, a visible skip elsewhere. Returns
/// normally only when the test should be skipped.
pub fn skip_or_fail(what: &str) {
    if in_ci() {
        panic!("{what} (CI=true: refusing to skip)");
    }
    // Written past the test harness's capture, so a skip is visible in a passing run.
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "SKIPPED: {what}");
}

pub struct Options {
    /// Load the Säffle demo (promise and demo accounts).
    pub demo: bool,
    /// Whether demo accounts may log in (the server's demo mode).
    pub demo_logins: bool,
    /// Mail through this fake SMTP server (none: links are shown instead).
    pub smtp: Option<FakeSmtp>,
}

impl Default for Options {
    fn default() -> Self {
        Options { demo: true, demo_logins: true, smtp: None }
    }
}

/// The application served on a free loopback port, on its own fresh database.
pub struct TestApp {
    pub addr: SocketAddr,
    pub client: reqwest::Client,
    pub db: Db,
    pub database: TestDatabase,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<()>>,
}

impl TestApp {
    /// A new app with reference data and the Säffle demo.
    pub async fn spawn() -> TestApp {
        Self::spawn_with(Options::default()).await
    }

    pub async fn spawn_with(options: Options) -> TestApp {
        let database = TestDatabase::create().await;
        let db = Db::connect(&database.url, 4).await.unwrap_or_else(|e| panic!("connect {}: {e}", database.url));
        db.migrate().await.unwrap_or_else(|e| panic!("migrate: {e}"));
        seed::initialise(&db, options.demo).await.unwrap_or_else(|e| panic!("initialise: {e}"));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap_or_else(|e| panic!("bind: {e}"));
        let addr = listener.local_addr().unwrap_or_else(|e| panic!("addr: {e}"));
        let (tx, rx) = oneshot::channel::<()>();
        let state = lofte_web::AppState {
            demo_enabled: options.demo && options.demo_logins,
            public_url: format!("http://{addr}"),
            mailer: options.smtp.as_ref().map(|s| {
                std::sync::Arc::new(
                    lofte_web::mail::Mailer::new(&s.url(), "Löfte <lofte@test.example>")
                        .unwrap_or_else(|e| panic!("mailer: {e}")),
                )
            }),
            ..lofte_web::AppState::new(db.clone())
        };
        let server = tokio::spawn(async move {
            let shutdown = async move {
                let _ = rx.await;
            };
            if let Err(e) = lofte_web::serve(listener, state, shutdown).await {
                eprintln!("test server stopped: {e}");
            }
        });
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_else(|e| panic!("client: {e}"));
        TestApp { addr, client, db, database, shutdown: Some(tx), server: Some(server) }
    }

    /// A client with its own cookie jar, signed in as `email` with the demo password.
    pub async fn login(&self, email: &str) -> reqwest::Client {
        self.login_with(email, lofte_db::seed::DEMO_PASSWORD).await
    }

    pub async fn login_with(&self, email: &str, password: &str) -> reqwest::Client {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_else(|e| panic!("client: {e}"));
        let res = client
            .post(self.url("/logga-in"))
            .form(&[("email", email), ("password", password), ("nasta", "/arbetsyta")])
            .send()
            .await
            .unwrap_or_else(|e| panic!("login: {e}"));
        assert_eq!(res.status(), 303, "login as {email} failed: {}", res.text().await.unwrap_or_default());
        client
    }

    /// Stops the server and starts it again on the same address and database, with other
    /// options (as an operator restarting with other flags would).
    pub async fn restart(&mut self, options: Options) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
        let mut listener = None;
        for _ in 0..50 {
            match tokio::net::TcpListener::bind(self.addr).await {
                Ok(l) => {
                    listener = Some(l);
                    break;
                }
                Err(_) => tokio::time::sleep(std::time::Duration::from_millis(50)).await,
            }
        }
        let listener = listener.unwrap_or_else(|| panic!("could not bind {} again", self.addr));
        let state = lofte_web::AppState {
            demo_enabled: options.demo && options.demo_logins,
            public_url: format!("http://{}", self.addr),
            ..lofte_web::AppState::new(self.db.clone())
        };
        let (tx, rx) = oneshot::channel::<()>();
        self.server = Some(tokio::spawn(async move {
            let shutdown = async move {
                let _ = rx.await;
            };
            let _ = lofte_web::serve(listener, state, shutdown).await;
        }));
        self.shutdown = Some(tx);
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap_or_else(|e| panic!("GET {path}: {e}"))
    }

    /// GET, asserting the status, returning the body text.
    pub async fn get_text(&self, path: &str, status: u16) -> String {
        let res = self.get(path).await;
        let got = res.status().as_u16();
        let body = res.text().await.unwrap_or_else(|e| panic!("body of {path}: {e}"));
        assert_eq!(got, status, "GET {path} answered {got}:\n{body}");
        body
    }

    pub async fn get_json(&self, path: &str, status: u16) -> serde_json::Value {
        let body = self.get_text(path, status).await;
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("GET {path} is not JSON ({e}): {body}"))
    }

    /// Runs the `lofte` binary (path from the caller's `env!("CARGO_BIN_EXE_lofte")`) on this
    /// app's database, feeding `stdin`.
    pub fn cli(&self, bin: &str, args: &[&str], stdin: &str) -> std::process::Output {
        use std::io::Write;
        use std::process::{Command, Stdio};
        let mut child = Command::new(bin)
            .args(args)
            .env("DATABASE_URL", &self.database.url)
            .env("RUST_LOG", "warn")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("run {bin}: {e}"));
        if let Some(mut input) = child.stdin.take() {
            let _ = input.write_all(stdin.as_bytes());
        }
        child.wait_with_output().unwrap_or_else(|e| panic!("wait for {bin}: {e}"))
    }

    /// Stops the server and closes the pool (call at the end of a test; dropping also works).
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
        self.db.close().await;
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// The visible text of an HTML page: tags removed, the entities askama writes decoded.
pub fn visible_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    let body = html.split_once("<body").map_or(html, |(_, b)| b);
    for c in body.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    decode_entities(&out)
}

pub fn decode_entities(s: &str) -> String {
    s.replace("&#60;", "<")
        .replace("&lt;", "<")
        .replace("&#62;", ">")
        .replace("&gt;", ">")
        .replace("&#34;", "\"")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#38;", "&")
        .replace("&amp;", "&")
}

/// Words: maximal runs of letters and digits.
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_owned).collect()
}
