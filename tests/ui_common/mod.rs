//! Browser plumbing for the UI tests (`tests/ui.rs`, `tests/ui_dashboard.rs`, `tests/ui_dsr_whatif.rs`):
//! the bundle in `dist/`, chromedriver on a free port, one headless Chromium session per test with a
//! fresh profile, the browser console read back through chromedriver, and scripts in the page.
//!
//! Sessions are ended when the driver is dropped (also after a failed assertion), so chromedriver closes
//! Chromium instead of leaving it running when chromedriver is killed.

#![allow(dead_code)] // each test file uses a different part of this module

use e2e::{free_port, workspace_root};
use fantoccini::{Client, ClientBuilder};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const HOW_TO_FIX: &str = "run every test with `cargo xtask test` (it builds dist/ and the binary and installs \
     Chromium), or build the bundle with `cargo xtask build` and the server with `cargo build -p server`";
pub const WAIT: Duration = Duration::from_secs(30);

/// The bundle directory: `ENISCOPE_DIST` or `<repo>/dist`, with every file the pages load.
pub fn dist_dir() -> PathBuf {
    let dist = std::env::var_os("ENISCOPE_DIST")
        .map_or_else(|| workspace_root().join("dist"), PathBuf::from);
    for file in e2e::BUNDLE_FILES {
        assert!(
            dist.join(file).is_file(),
            "the frontend bundle is missing {file} in {}: {HOW_TO_FIX} (or set ENISCOPE_DIST)",
            dist.display()
        );
    }
    dist
}

/// A tool from `env`, else `default`; fails saying how to install it.
pub fn tool(env: &str, default: &str) -> PathBuf {
    let path = std::env::var_os(env).map_or_else(|| PathBuf::from(default), PathBuf::from);
    assert!(
        path.is_file(),
        "{env}: {} not found: {HOW_TO_FIX}, or set {env}",
        path.display()
    );
    path
}

/// chromedriver on a free port; on drop its sessions are ended, then it is killed.
pub struct ChromeDriver {
    child: Child,
    pub port: u16,
    sessions: Mutex<Vec<String>>,
}

impl ChromeDriver {
    pub async fn start() -> Self {
        let binary = tool("CHROMEDRIVER", "/usr/bin/chromedriver");
        let port = free_port();
        let child = Command::new(&binary)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start {}: {error}", binary.display()));
        let driver = Self {
            child,
            port,
            sessions: Mutex::new(Vec::new()),
        };
        let deadline = Instant::now() + WAIT;
        let http = reqwest::Client::new();
        loop {
            let ready = http
                .get(driver.url("/status"))
                .send()
                .await
                .is_ok_and(|reply| reply.status().is_success());
            if ready {
                return driver;
            }
            assert!(
                Instant::now() < deadline,
                "chromedriver did not answer on port {port} within {WAIT:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        let sessions = self.sessions.lock().map(|s| s.clone()).unwrap_or_default();
        for session in sessions {
            end_session(self.port, &session);
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `DELETE /session/{id}` to chromedriver, waiting for its answer (Chromium has quit by then) but
/// not for the connection to close. Plain std I/O: this runs in `Drop`, inside the test's runtime.
fn end_session(port: u16, session_id: &str) {
    use std::io::{Read as _, Write as _};
    let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) else {
        return;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let request = format!(
        "DELETE /session/{session_id} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    if stream.write_all(request.as_bytes()).is_err() {
        return;
    }
    let mut reply = Vec::new();
    let mut buffer = [0u8; 1024];
    while !reply.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buffer) {
            Ok(0) | Err(_) => return,
            Ok(n) => reply.extend_from_slice(&buffer[..n]),
        }
    }
}

/// A headless Chromium session at 1280×900 with the profile in `profile`, its console kept at every
/// level (read back with [`console_entries`]).
pub async fn browser(driver: &ChromeDriver, profile: &Path) -> Client {
    let chromium = tool("CHROMIUM", "/usr/bin/chromium");
    let capabilities = json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": chromium,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--hide-scrollbars", "--window-size=1280,900", format!("--user-data-dir={}", profile.display()),
            ],
        },
        "goog:loggingPrefs": { "browser": "ALL" },
    });
    let Value::Object(capabilities) = capabilities else {
        unreachable!("a JSON object literal")
    };
    let client = ClientBuilder::rustls()
        .expect("TLS roots for the WebDriver client")
        .capabilities(capabilities)
        .connect(&driver.url(""))
        .await
        .unwrap_or_else(|error| {
            panic!("cannot open a Chromium session through chromedriver: {error}")
        });
    if let Ok(Some(session)) = client.session_id().await
        && let Ok(mut sessions) = driver.sessions.lock()
    {
        sessions.push(session);
    }
    client
}

/// Browser console entries since the last call (chromedriver's `/se/log`).
pub async fn console_entries(client: &Client, driver: &ChromeDriver) -> Vec<Value> {
    let session = client
        .session_id()
        .await
        .ok()
        .flatten()
        .expect("a WebDriver session id");
    let reply = reqwest::Client::new()
        .post(driver.url(&format!("/session/{session}/se/log")))
        .json(&json!({ "type": "browser" }))
        .send()
        .await
        .expect("chromedriver log endpoint");
    let status = reply.status();
    let reply: Value = reply.json().await.expect("log JSON");
    assert!(
        status.is_success(),
        "reading the browser log: HTTP {status}: {reply}"
    );
    reply["value"].as_array().cloned().unwrap_or_default()
}

/// No SEVERE console entry since the last read; a marker logged first proves the channel works, so
/// an empty list means something. `context` (e.g. the server's log) is printed on failure.
pub async fn assert_no_console_errors(
    client: &Client,
    driver: &ChromeDriver,
    page: &str,
    context: &str,
) {
    assert_console_errors_only(client, driver, page, context, &[]).await;
}

/// Like [`assert_no_console_errors`], but SEVERE entries containing one of `allowed` are accepted (the
/// browser's own line for an expected HTTP 404 or 503, for example).
pub async fn assert_console_errors_only(
    client: &Client,
    driver: &ChromeDriver,
    page: &str,
    context: &str,
    allowed: &[&str],
) {
    client
        .execute("console.info('eniscope-e2e-marker');", vec![])
        .await
        .expect("log a marker");
    let entries = console_entries(client, driver).await;
    assert!(
        entries.iter().any(|entry| entry["message"]
            .as_str()
            .is_some_and(|m| m.contains("eniscope-e2e-marker"))),
        "the browser log channel does not work: {entries:#?}"
    );
    let errors: Vec<&Value> = entries
        .iter()
        .filter(|entry| entry["level"] == "SEVERE")
        .filter(|entry| {
            let message = entry["message"].as_str().unwrap_or_default();
            !allowed.iter().any(|a| message.contains(a))
        })
        .collect();
    assert!(
        errors.is_empty(),
        "{page}: browser console errors: {errors:#?}\n{context}"
    );
}

/// Run `script` (a function body returning JSON) in the page.
pub async fn js(client: &Client, script: &str, args: Vec<Value>) -> Value {
    client
        .execute(script, args)
        .await
        .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
}
