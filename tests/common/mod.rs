//! Shared helpers for the end-to-end tests (`tests/cli.rs`, `tests/ui.rs`, `tests/moto.rs`): find the
//! built `eniscope` binary, run it, start `eniscope serve` on a free port and wait until it answers.
//!
//! Everything here is synchronous std code (no reqwest, no runtime), so it works the same from plain
//! `#[test]`s and from `#[tokio::test]`s, and dropping an `EniscopeServer` inside an async test is fine.
//!
//! ```no_run
//! let server = e2e::EniscopeServer::start(&["--demo"]).expect("server");
//! let (status, body) = e2e::http_get(&server.url("/api/v1/max-pods?instance_type=m5.large&os=windows")).expect("GET");
//! assert_eq!(status, 200);
//! // the server is killed when `server` goes out of scope
//! ```

use anyhow::{Context as _, anyhow, bail};
use std::ffi::OsStr;
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{SocketAddr, TcpListener, TcpStream, ToSocketAddrs as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Files `cargo xtask build` puts in dist/ that the pages load: index.html, the CSS and each entry's JS +
/// wasm (frontend/src/entries.rs).
pub const BUNDLE_FILES: [&str; 8] = [
    "index.html",
    "style.css",
    "dashboard.js",
    "dashboard_bg.wasm",
    "planner.js",
    "planner_bg.wasm",
    "nodegroup_planner.js",
    "nodegroup_planner_bg.wasm",
];

/// How long `EniscopeServer::start` waits for the address line and `/healthz`.
pub const STARTUP_TIMEOUT: Duration = Duration::from_secs(30);

/// The repository root (the workspace containing this crate).
pub fn workspace_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().unwrap_or(manifest_dir).to_path_buf()
}

/// The cargo target directory: `CARGO_TARGET_DIR` if set, else `<workspace>/target`.
/// Tests put screenshots and other artefacts under it.
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => {
            let dir = PathBuf::from(dir);
            if dir.is_absolute() {
                dir
            } else {
                workspace_root().join(dir)
            }
        }
        None => workspace_root().join("target"),
    }
}

/// The `eniscope` binary under test: `ENISCOPE_BIN` if set, else `<target>/debug/eniscope`.
///
/// Panics with the command to run when the binary is missing: e2e tests need it built first and a
/// clear instruction beats a "No such file" from `Command::spawn`.
pub fn eniscope_bin() -> PathBuf {
    try_eniscope_bin().unwrap_or_else(|error| panic!("{error:#}"))
}

/// Like [`eniscope_bin`], as a `Result`.
pub fn try_eniscope_bin() -> anyhow::Result<PathBuf> {
    let (path, origin) = match std::env::var_os("ENISCOPE_BIN") {
        Some(path) => (PathBuf::from(path), "ENISCOPE_BIN"),
        None => (
            target_dir()
                .join("debug")
                .join(format!("eniscope{}", std::env::consts::EXE_SUFFIX)),
            "the default path",
        ),
    };
    if path.is_file() {
        Ok(path)
    } else {
        bail!(
            "the eniscope binary is not at {} ({origin}): build it first with `cargo build -p server` \
             (or run every test with `cargo xtask test`), or set ENISCOPE_BIN to its path",
            path.display()
        )
    }
}

/// A `Command` for the binary with a quiet, predictable environment (no inherited `RUST_LOG`).
pub fn eniscope_command() -> Command {
    let mut command = Command::new(eniscope_bin());
    command.env_remove("RUST_LOG").current_dir(workspace_root());
    command
}

/// Run `eniscope ARGS…` to completion and capture stdout/stderr.
pub fn run_eniscope<I, S>(args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut command = eniscope_command();
    command.args(args);
    command
        .output()
        .unwrap_or_else(|error| panic!("cannot run {:?}: {error}", command.get_program()))
}

/// A TCP port that was free a moment ago on 127.0.0.1 (for moto, chromedriver, …). Another process
/// may take it before you bind it; for eniscope itself prefer [`EniscopeServer::start`], which listens
/// on port 0 and reads the port back, so it cannot race.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .unwrap_or_else(|error| panic!("no free port on 127.0.0.1: {error}"))
}

/// A running `eniscope serve`, killed (and reaped) on drop.
pub struct EniscopeServer {
    child: Child,
    address: SocketAddr,
    log_path: PathBuf,
    /// Keeps the log file's directory alive for as long as the server runs.
    _log_dir: tempfile::TempDir,
}

impl EniscopeServer {
    /// `eniscope serve --listen 127.0.0.1:0 ARGS…`, waiting until `/healthz` answers 200.
    /// `ARGS` are extra `serve` flags such as `["--demo"]` or `["--snapshot", path]`.
    pub fn start<S: AsRef<OsStr>>(args: &[S]) -> anyhow::Result<Self> {
        Self::start_with(args, |_| {})
    }

    /// Like [`start`](Self::start), with a hook to adjust the command (env vars, `--dist`, …).
    pub fn start_with<S: AsRef<OsStr>>(
        args: &[S],
        configure: impl FnOnce(&mut Command),
    ) -> anyhow::Result<Self> {
        let log_dir = tempfile::tempdir().context("creating a directory for the server log")?;
        let log_path = log_dir.path().join("eniscope-serve.log");
        let log = std::fs::File::create(&log_path).context("creating the server log")?;

        let mut command = eniscope_command();
        command
            .arg("serve")
            .arg("--listen")
            .arg("127.0.0.1:0")
            .args(args);
        command
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log));
        configure(&mut command);
        let mut child = command
            .spawn()
            .with_context(|| format!("starting {command:?}"))?;

        // The server prints `eniscope listening on http://ADDR` on stdout once bound. Read it on a
        // thread (a blocking read has no timeout), and keep draining stdout so the pipe never fills.
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| anyhow!("no stdout pipe"))?;
        let (address_tx, address_rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut sent = false;
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if !sent && let Some(url) = line.strip_prefix("eniscope listening on http://") {
                    sent = address_tx.send(url.trim().to_owned()).is_ok();
                }
            }
        });

        let mut server = Self {
            child,
            address: SocketAddr::from(([127, 0, 0, 1], 0)),
            log_path,
            _log_dir: log_dir,
        };
        let deadline = Instant::now() + STARTUP_TIMEOUT;
        let address = loop {
            if let Some(status) = server.child.try_wait().context("polling the server")? {
                bail!(
                    "eniscope serve exited with {status} before listening; its log:\n{}",
                    server.log()
                );
            }
            match address_rx.recv_timeout(Duration::from_millis(100)) {
                Ok(address) => break address,
                Err(mpsc::RecvTimeoutError::Timeout) if Instant::now() < deadline => continue,
                Err(_) => bail!(
                    "eniscope serve did not print its address within {STARTUP_TIMEOUT:?}; its log:\n{}",
                    server.log()
                ),
            }
        };
        server.address = address
            .to_socket_addrs()
            .ok()
            .and_then(|mut addresses| addresses.next())
            .ok_or_else(|| anyhow!("eniscope printed an address that does not parse: {address}"))?;
        server.wait_healthy(deadline.saturating_duration_since(Instant::now()))?;
        Ok(server)
    }

    /// Poll `/healthz` until it answers 200 or `timeout` passes.
    pub fn wait_healthy(&mut self, timeout: Duration) -> anyhow::Result<()> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().context("polling the server")? {
                bail!(
                    "eniscope serve exited with {status}; its log:\n{}",
                    self.log()
                );
            }
            let last = match http_get(&self.url("/healthz")) {
                Ok((200, _)) => return Ok(()),
                Ok((status, body)) => format!("HTTP {status}: {body}"),
                Err(error) => format!("{error:#}"),
            };
            if Instant::now() >= deadline {
                bail!(
                    "/healthz did not answer 200 within {timeout:?} (last: {last}); log:\n{}",
                    self.log()
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// `http://127.0.0.1:PORT` + `path_and_query` (which starts with `/`).
    pub fn url(&self, path_and_query: &str) -> String {
        format!("{}{path_and_query}", self.base_url())
    }

    /// Everything the server logged to stderr so far (for assertion messages).
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log_path)
            .unwrap_or_else(|error| format!("(log unreadable: {error})"))
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Stop the server now (also done on drop).
    pub fn stop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

impl Drop for EniscopeServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// One HTTP/1.1 request over a fresh connection, std only: `(status, body)`. Enough for JSON APIs
/// and health checks; not for streaming or chunked uploads.
pub fn http_request(
    method: &str,
    url: &str,
    body: Option<(&str, &[u8])>,
) -> anyhow::Result<(u16, String)> {
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| anyhow!("only http:// URLs are supported: {url}"))?;
    let (host, path) = match rest.find('/') {
        Some(slash) => (&rest[..slash], &rest[slash..]),
        None => (rest, "/"),
    };
    let address = host
        .to_socket_addrs()
        .with_context(|| format!("resolving {host}"))?
        .next()
        .ok_or_else(|| anyhow!("{host} resolves to nothing"))?;
    let timeout = Duration::from_secs(30);
    let mut stream = TcpStream::connect_timeout(&address, Duration::from_secs(5))
        .with_context(|| format!("connecting to {host}"))?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nAccept-Encoding: identity\r\n"
    );
    if let Some((content_type, bytes)) = body {
        request.push_str(&format!(
            "Content-Type: {content_type}\r\nContent-Length: {}\r\n",
            bytes.len()
        ));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes())?;
    if let Some((_, bytes)) = body {
        stream.write_all(bytes)?;
    }
    let mut raw = Vec::new();
    stream
        .read_to_end(&mut raw)
        .with_context(|| format!("reading the reply to {method} {url}"))?;
    parse_http_response(&raw).with_context(|| format!("{method} {url}"))
}

/// `GET url` → `(status, body)`.
pub fn http_get(url: &str) -> anyhow::Result<(u16, String)> {
    http_request("GET", url, None)
}

/// `POST url` with a JSON body → `(status, body)`.
pub fn http_post_json(url: &str, json: &str) -> anyhow::Result<(u16, String)> {
    http_request("POST", url, Some(("application/json", json.as_bytes())))
}

fn parse_http_response(raw: &[u8]) -> anyhow::Result<(u16, String)> {
    let header_end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| anyhow!("no end of headers in the reply"))?;
    let head = String::from_utf8_lossy(&raw[..header_end]);
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status: u16 = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| anyhow!("bad status line: {status_line}"))?;
    let chunked = lines.any(|line| {
        let line = line.to_ascii_lowercase();
        line.starts_with("transfer-encoding:") && line.contains("chunked")
    });
    let body = &raw[header_end + 4..];
    let body = if chunked {
        dechunk(body)?
    } else {
        body.to_vec()
    };
    Ok((status, String::from_utf8_lossy(&body).into_owned()))
}

/// Decode a `Transfer-Encoding: chunked` body.
fn dechunk(mut body: &[u8]) -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = body
            .windows(2)
            .position(|w| w == b"\r\n")
            .ok_or_else(|| anyhow!("truncated chunk size"))?;
        let size_text = String::from_utf8_lossy(&body[..line_end]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .with_context(|| format!("bad chunk size {size_text:?}"))?;
        body = &body[line_end + 2..];
        if size == 0 {
            return Ok(out);
        }
        let chunk = body.get(..size).ok_or_else(|| anyhow!("truncated chunk"))?;
        out.extend_from_slice(chunk);
        body = body
            .get(size + 2..)
            .ok_or_else(|| anyhow!("truncated chunk end"))?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_plain_and_chunked_replies() {
        let plain = b"HTTP/1.1 404 Not Found\r\ncontent-length: 2\r\n\r\n{}";
        assert_eq!(
            parse_http_response(plain).expect("plain"),
            (404, "{}".to_string())
        );
        let chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n";
        assert_eq!(
            parse_http_response(chunked).expect("chunked"),
            (200, "abcde".to_string())
        );
        assert!(parse_http_response(b"garbage").is_err());
    }

    #[test]
    fn free_ports_are_bindable() {
        let port = free_port();
        assert!(port > 0);
    }
}
