//! Real headless Chromium (Debian's chromium + chromedriver) driven over WebDriver, with
//! axe-core (from npm, `tests/a11y/node_modules`) injected to check WCAG 2.1 A/AA.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

fn axe_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/a11y/node_modules/axe-core/axe.min.js")
}

pub struct Browser {
    pub client: Client,
    driver: Child,
    profile: PathBuf,
    axe: String,
}

impl Browser {
    /// Starts chromedriver and a headless Chromium. `None` (after [`crate::skip_or_fail`]) when
    /// they or axe-core are not installed; in CI that is a failure instead.
    pub async fn start() -> Option<Browser> {
        for needed in [Path::new(CHROMEDRIVER), Path::new(CHROMIUM), axe_path().as_path()] {
            if !needed.exists() {
                crate::skip_or_fail(&format!(
                    "browser tests need {} (apt-get install chromium chromium-driver; npm ci --prefix tests/a11y)",
                    needed.display()
                ));
                return None;
            }
        }
        let axe = std::fs::read_to_string(axe_path()).unwrap_or_else(|e| panic!("read axe-core: {e}"));
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("free port: {e}"));
            l.local_addr().unwrap_or_else(|e| panic!("free port: {e}")).port()
        };
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("start chromedriver: {e}"));
        let profile = std::env::temp_dir().join(format!("lofte-chromium-{}", uuid::Uuid::new_v4().simple()));
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": CHROMIUM,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--window-size=1280,900",
                    format!("--user-data-dir={}", profile.display()),
                ]
            }),
        );
        let url = format!("http://127.0.0.1:{port}");
        let mut last_error = String::new();
        for _ in 0..100 {
            match ClientBuilder::new(HttpConnector::new()).capabilities(caps.clone()).connect(&url).await {
                Ok(client) => return Some(Browser { client, driver, profile, axe }),
                Err(e) => last_error = e.to_string(),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("could not start a WebDriver session: {last_error}");
    }

    /// Clicks a button or link that loads a new page, and waits until the old page is gone, so
    /// that what is found next belongs to the new page.
    pub async fn click_and_wait(&self, element: fantoccini::elements::Element) {
        let old = self.client.find(fantoccini::Locator::Css("html")).await.unwrap_or_else(|e| panic!("html: {e}"));
        element.click().await.unwrap_or_else(|e| panic!("click: {e}"));
        for _ in 0..400 {
            if old.tag_name().await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("the page did not change after the click");
    }

    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.unwrap_or_else(|e| panic!("goto {url}: {e}"));
    }

    /// axe-core's violations for the current page under the WCAG 2.0/2.1 A and AA rules.
    pub async fn axe_violations(&self) -> Vec<Value> {
        self.client.execute(&self.axe, vec![]).await.unwrap_or_else(|e| panic!("inject axe-core: {e}"));
        let result = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];\
                 axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})\
                    .then(r => done(r.violations)).catch(e => done([{id: 'axe-error', description: String(e)}]));",
                vec![],
            )
            .await
            .unwrap_or_else(|e| panic!("run axe-core: {e}"));
        match result {
            Value::Array(v) => v,
            other => panic!("axe-core returned {other}"),
        }
    }

    /// Asserts that axe-core finds nothing on the page at `url`.
    pub async fn assert_accessible(&self, url: &str) {
        self.goto(url).await;
        let violations = self.axe_violations().await;
        let summary: Vec<String> = violations
            .iter()
            .map(|v| {
                let nodes: Vec<String> = v["nodes"]
                    .as_array()
                    .map(|n| {
                        n.iter().take(3).map(|n| n["html"].as_str().unwrap_or("").chars().take(120).collect()).collect()
                    })
                    .unwrap_or_default();
                format!("{}: {} {:?}", v["id"], v["help"], nodes)
            })
            .collect();
        assert!(violations.is_empty(), "axe-core violations on {url}:\n{}", summary.join("\n"));
    }

    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
    }
}
