//! The `eniscope` binary end to end: the `max-pods` CLI contract (issue 2 §4) and `serve`'s API over
//! real HTTP. Needs the binary built first (`cargo build -p server`, or `cargo xtask test`).

use e2e::{EniscopeServer, http_get, http_post_json, run_eniscope};
use serde_json::Value;
use std::ffi::OsStr;
use std::process::Output;

fn os(text: &str) -> &OsStr {
    OsStr::new(text)
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Run `eniscope max-pods ARGS --output json`, expect success, return the array.
fn max_pods_json(args: &[&str]) -> Vec<Value> {
    let output = run_eniscope(["max-pods"].iter().chain(args).chain(&["--output", "json"]));
    assert!(
        output.status.success(),
        "max-pods {args:?} failed: {}",
        stderr(&output)
    );
    let value: Value = serde_json::from_str(&stdout(&output))
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", stdout(&output)));
    match value {
        Value::Array(rows) => rows,
        other => panic!("expected a JSON array, got {other}"),
    }
}

fn only_row(args: &[&str]) -> Value {
    let mut rows = max_pods_json(args);
    assert_eq!(rows.len(), 1, "{rows:?}");
    rows.remove(0)
}

/// The fields other tools rely on, each with the right JSON type.
fn assert_contract_fields(row: &Value) {
    for field in ["instance_type", "os", "mode", "explain"] {
        assert!(row[field].is_string(), "`{field}` must be a string: {row}");
    }
    for field in ["eni_max_pods", "recommended_max_pods", "ip_capacity"] {
        assert!(
            row[field].is_u64(),
            "`{field}` must be a whole number: {row}"
        );
    }
    assert!(
        row["warnings"].is_array(),
        "`warnings` must be an array: {row}"
    );
    let explain = row["explain"].as_str().unwrap_or_default();
    assert!(
        !explain.is_empty() && !explain.contains('\n'),
        "`explain` is one line: {explain:?}"
    );
    assert!(
        matches!(
            row["mode"].as_str(),
            Some("secondary-ip" | "prefix-delegation")
        ),
        "{row}"
    );
}

/// domain.md §1.3: m5.large Windows, 9 pod IPs in secondary-IP mode, 144 with prefix delegation,
/// recommended 110 (kubelet max-pods default).
#[test]
fn max_pods_m5_large_windows() {
    let secondary = only_row(&["--instance-type", "m5.large", "--os", "windows"]);
    assert_contract_fields(&secondary);
    assert_eq!(secondary["instance_type"], "m5.large");
    assert_eq!(secondary["os"], "windows");
    assert_eq!(secondary["mode"], "secondary-ip");
    assert_eq!(secondary["eni_max_pods"], 9);
    assert_eq!(secondary["recommended_max_pods"], 9);

    let prefix = only_row(&[
        "--instance-type",
        "m5.large",
        "--os",
        "windows",
        "--prefix-delegation",
    ]);
    assert_contract_fields(&prefix);
    assert_eq!(prefix["mode"], "prefix-delegation");
    assert_eq!(prefix["eni_max_pods"], 144);
    assert_eq!(prefix["recommended_max_pods"], 110);
    assert_eq!(prefix["ip_capacity"], 144);
}

/// domain.md §3.2: m5.large Linux 29; with prefix delegation 434 uncapped, 110 recommended.
#[test]
fn max_pods_m5_large_linux() {
    let secondary = only_row(&["--instance-type", "m5.large", "--os", "linux"]);
    assert_contract_fields(&secondary);
    assert_eq!(secondary["mode"], "secondary-ip");
    assert_eq!(secondary["eni_max_pods"], 29);
    assert_eq!(secondary["recommended_max_pods"], 29);

    let prefix = only_row(&[
        "--instance-type",
        "m5.large",
        "--os",
        "linux",
        "--prefix-delegation",
    ]);
    assert_eq!(prefix["mode"], "prefix-delegation");
    assert_eq!(prefix["eni_max_pods"], 434);
    assert_eq!(prefix["recommended_max_pods"], 110);

    let custom = only_row(&[
        "--instance-type",
        "m5.large",
        "--os",
        "linux",
        "--custom-networking",
    ]);
    assert_eq!(custom["eni_max_pods"], 20);
}

#[test]
fn max_pods_several_types_keep_their_order() {
    let rows = max_pods_json(&[
        "--instance-type",
        "t3.medium,m5.large",
        "--instance-type",
        "m4.large",
        "--os",
        "windows",
        "--prefix-delegation",
    ]);
    let names: Vec<&str> = rows
        .iter()
        .filter_map(|r| r["instance_type"].as_str())
        .collect();
    assert_eq!(names, ["t3.medium", "m5.large", "m4.large"]);
    // m4.large is Xen: prefix delegation requested, secondary-IP in effect, with a warning.
    assert_eq!(rows[2]["mode"], "secondary-ip");
    assert_eq!(rows[2]["eni_max_pods"], 9);
    assert!(
        rows[2]["warnings"]
            .as_array()
            .is_some_and(|w| !w.is_empty()),
        "{}",
        rows[2]
    );
}

#[test]
fn max_pods_all_windows_is_every_x86_64_type() {
    let rows = max_pods_json(&["--instance-type", "all", "--os", "windows"]);
    assert!(
        rows.len() >= 300,
        "`all` should list several hundred types, got {}",
        rows.len()
    );
    let linux = max_pods_json(&["--instance-type", "all", "--os", "linux"]);
    assert!(linux.len() > rows.len(), "Linux also runs the arm64 types");

    // Every Windows row is an x86_64 type according to the API's own limits table.
    let server = EniscopeServer::start(&["--demo"]).expect("server");
    let (status, body) =
        http_get(&server.url("/api/v1/instance-types")).expect("GET instance-types");
    assert_eq!(status, 200, "{body}");
    let table: Value = serde_json::from_str(&body).expect("JSON");
    let types = table["types"].as_array().expect("types array");
    for row in &rows {
        assert_contract_fields(row);
        assert_eq!(row["os"], "windows");
        let name = row["instance_type"].as_str().unwrap_or_default();
        let limits = types
            .iter()
            .find(|t| t["instance_type"] == name)
            .unwrap_or_else(|| panic!("{name} not in the table"));
        let architectures = limits["architectures"].as_array().expect("architectures");
        assert!(
            architectures.iter().any(|a| a == "x86_64"),
            "{name} is not x86_64: {architectures:?}"
        );
    }
    assert!(rows.iter().all(|r| r["instance_type"] != "c6g.medium"));
}

#[test]
fn unknown_type_exits_2_without_json() {
    let output = run_eniscope([
        "max-pods",
        "--instance-type",
        "m5.larg",
        "--os",
        "windows",
        "--output",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(2), "stderr: {}", stderr(&output));
    assert!(
        !stdout(&output).contains('['),
        "no JSON array on failure: {}",
        stdout(&output)
    );
    let message = stderr(&output);
    assert!(
        message.contains("unknown instance type") && message.contains("m5.larg"),
        "{message}"
    );
    assert!(
        message.contains("did you mean") && message.contains("m5.large"),
        "{message}"
    );

    // One unknown type among known ones fails the whole command: a partial list looks complete.
    let output = run_eniscope([
        "max-pods",
        "--instance-type",
        "m5.large,nope.huge",
        "--os",
        "linux",
        "--output",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stdout(&output).trim().is_empty(), "{}", stdout(&output));
}

#[test]
fn windows_on_arm64_exits_2_saying_x86_64() {
    let output = run_eniscope([
        "max-pods",
        "--instance-type",
        "c6g.medium",
        "--os",
        "windows",
        "--output",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(2), "stderr: {}", stderr(&output));
    assert!(stdout(&output).trim().is_empty(), "{}", stdout(&output));
    assert!(stderr(&output).contains("x86_64"), "{}", stderr(&output));
}

#[test]
fn bad_flags_are_usage_errors() {
    for args in [
        &["max-pods", "--instance-type", "m5.large", "--os", "macos"][..],
        &["max-pods", "--os", "linux"],
        &[
            "max-pods",
            "--instance-type",
            "m5.large",
            "--os",
            "linux",
            "--kubelet-max-pods",
            "-1",
        ],
        &[
            "max-pods",
            "--instance-type",
            "m5.large",
            "--os",
            "linux",
            "--output",
            "yaml",
        ],
    ] {
        let output = run_eniscope(args);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(stdout(&output).is_empty(), "{args:?}");
    }
}

#[test]
fn text_output_is_a_table_with_the_explanation() {
    let output = run_eniscope([
        "max-pods",
        "--instance-type",
        "m5.large",
        "--os",
        "windows",
        "--prefix-delegation",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    let mut lines = text.lines();
    let header = lines.next().unwrap_or_default();
    assert!(
        header.starts_with("INSTANCE TYPE") && header.contains("RECOMMENDED"),
        "{text}"
    );
    let row: Vec<&str> = lines
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .collect();
    assert_eq!(
        row,
        [
            "m5.large",
            "windows",
            "prefix-delegation",
            "144",
            "110",
            "144"
        ],
        "{text}"
    );
    assert!(text.contains("(10 − 1) × 16"), "explanation shown: {text}");
}

#[test]
fn help_explains_commands_with_examples() {
    let output = run_eniscope(["--help"]);
    assert!(output.status.success());
    let help = stdout(&output);
    for needle in ["serve", "max-pods", "Examples:", "eniscope serve --demo"] {
        assert!(help.contains(needle), "--help lacks `{needle}`:\n{help}");
    }
    let output = run_eniscope(["max-pods", "--help"]);
    let help = stdout(&output);
    for needle in [
        "--instance-type",
        "--prefix-delegation",
        "--kubelet-max-pods",
        "--output",
        "Exit codes",
    ] {
        assert!(
            help.contains(needle),
            "max-pods --help lacks `{needle}`:\n{help}"
        );
    }
}

#[test]
fn serve_answers_health_max_pods_and_json_errors() {
    let server = EniscopeServer::start(&["--demo"]).expect("eniscope serve");

    let (status, body) = http_get(&server.url("/healthz")).expect("healthz");
    assert_eq!((status, body.as_str()), (200, "ok"));

    // The API gives the same objects as the CLI.
    let (status, body) = http_get(
        &server.url("/api/v1/max-pods?instance_type=m5.large&os=windows&prefix_delegation=true"),
    )
    .expect("max-pods");
    assert_eq!(status, 200, "{body}");
    let api: Value = serde_json::from_str(&body).expect("JSON");
    let cli = max_pods_json(&[
        "--instance-type",
        "m5.large",
        "--os",
        "windows",
        "--prefix-delegation",
    ]);
    assert_eq!(api, Value::Array(cli));

    let (status, body) = http_get(&server.url("/api/v1/max-pods?instance_type=m5.larg&os=windows"))
        .expect("unknown");
    assert_eq!(status, 404, "{body}");
    let error: Value = serde_json::from_str(&body).expect("JSON error");
    assert_eq!(error["error"]["code"], "unknown_instance_type");
    assert!(
        error["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("m5.larg")),
        "{error}"
    );

    let (status, body) = http_get(
        &server.url("/api/v1/max-pods?instance_type=m5.large&os=windows&prefix_delegation=perhaps"),
    )
    .expect("bad bool");
    assert_eq!(status, 400, "{body}");
    let error: Value = serde_json::from_str(&body).expect("JSON error");
    assert_eq!(error["error"]["code"], "invalid_parameter");
    assert!(
        error["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("prefix_delegation")),
        "{error}"
    );

    let (status, body) =
        http_post_json(&server.url("/api/v1/what-if"), "{\"instance_type\": 5").expect("bad body");
    assert_eq!(status, 400, "{body}");
    assert!(
        serde_json::from_str::<Value>(&body).is_ok_and(|v| v["error"]["code"].is_string()),
        "{body}"
    );

    let (status, body) = http_get(&server.url("/metrics")).expect("metrics");
    assert_eq!(status, 200);
    assert!(
        body.contains(
            r#"eniscope_http_requests_total{route="/api/v1/max-pods",method="GET",status="404"} 1"#
        ),
        "{body}"
    );
}

#[test]
fn serve_refuses_a_bad_snapshot_file_with_the_reason() {
    let dir = tempfile::tempdir().expect("tempdir");
    let truncated = dir.path().join("fleet.json");
    std::fs::write(
        &truncated,
        r#"{"schema_version": 1, "clusters": [{"name": "#,
    )
    .expect("write");
    let output = run_eniscope([
        os("serve"),
        os("--listen"),
        os("127.0.0.1:0"),
        os("--snapshot"),
        truncated.as_os_str(),
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let message = stderr(&output);
    assert!(
        message.contains("fleet.json") && message.contains("truncated"),
        "{message}"
    );

    let newer = dir.path().join("newer.json");
    std::fs::write(&newer, r#"{"schema_version": 99}"#).expect("write");
    let output = run_eniscope([
        os("serve"),
        os("--listen"),
        os("127.0.0.1:0"),
        os("--snapshot"),
        newer.as_os_str(),
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("newer"), "{}", stderr(&output));
}

#[test]
fn serve_loads_a_snapshot_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("fleet.json");
    std::fs::write(
        &path,
        r#"{"schema_version":1,"collected_at":"2026-11-26T00:00:00Z","source":{"kind":"aws","description":"test"},
            "clusters":[{"name":"prod","region":"eu-west-1"}],"subnets":[],"instance_types":[]}"#,
    )
    .expect("write");
    let server =
        EniscopeServer::start(&[os("--snapshot"), path.as_os_str()]).expect("serve --snapshot");
    let (status, body) = http_get(&server.url("/readyz")).expect("readyz");
    assert_eq!(status, 200, "{body}");
    let ready: Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(ready["snapshot"]["clusters"], 1, "{ready}");
    let (_, metrics) = http_get(&server.url("/metrics")).expect("metrics");
    assert!(
        metrics
            .lines()
            .any(|l| l.starts_with("eniscope_snapshot_age_seconds ")),
        "{metrics}"
    );
}

#[test]
fn serve_demo_loads_the_embedded_fleet() {
    let server = EniscopeServer::start(&["--demo"]).expect("serve --demo");
    let (status, body) = http_get(&server.url("/readyz")).expect("readyz");
    assert_eq!(status, 200, "{body}");
    let ready: Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(ready["snapshot"]["source_kind"], "demo", "{ready}");
    assert!(
        ready["snapshot"]["clusters"]
            .as_u64()
            .is_some_and(|n| n >= 3),
        "{ready}"
    );
}

#[test]
fn serve_with_a_busy_port_fails_with_the_reason() {
    let server = EniscopeServer::start(&["--demo"]).expect("first server");
    let busy = server.address().to_string();
    let output = run_eniscope(["serve", "--demo", "--listen", busy.as_str()]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("cannot listen on"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn serve_listens_where_the_config_file_says_unless_a_flag_overrides() {
    let dir = tempfile::tempdir().expect("tempdir");
    let port = e2e::free_port();
    let config = dir.path().join("eniscope.toml");
    std::fs::write(&config, format!("listen = \"127.0.0.1:{port}\"\n")).expect("write config");

    let mut child = e2e::eniscope_command()
        .args([
            os("serve"),
            os("--demo"),
            os("--config"),
            config.as_os_str(),
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn serve");
    let mut first_line = String::new();
    if let Some(stdout) = child.stdout.take() {
        use std::io::BufRead as _;
        std::io::BufReader::new(stdout)
            .read_line(&mut first_line)
            .expect("read stdout");
    }
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(
        first_line.trim(),
        format!("eniscope listening on http://127.0.0.1:{port}")
    );

    // A flag beats the file (EniscopeServer passes --listen 127.0.0.1:0).
    let server = EniscopeServer::start(&[os("--demo"), os("--config"), config.as_os_str()])
        .expect("serve with --listen and --config");
    assert_ne!(server.address().port(), port);

    std::fs::write(&config, "listen = \"nowhere\"\n").expect("write bad config");
    let output = run_eniscope([
        os("serve"),
        os("--demo"),
        os("--config"),
        config.as_os_str(),
    ]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("listen"), "{}", stderr(&output));
}
