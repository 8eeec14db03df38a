//! The whole router, in process (`tower::ServiceExt::oneshot`): status codes, JSON bodies, the error
//! shape of every 4xx, the SPA fallback, gzip and metrics.

use super::router;
use crate::api::types::{
    ErrorResponse, InstanceTypeList, InstanceTypeSummary, MaxPodsReport, Readiness,
};
use crate::state::{AppState, embedded_instance_types};
use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use serde::de::DeserializeOwned;
use shared::snapshot::SourceKind;
use shared::{InstanceTypeTable, IpMode, Os};
use std::path::PathBuf;
use tower::ServiceExt as _;

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Reply {
    fn json<T: DeserializeOwned>(&self) -> T {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "{} body is not the expected JSON ({e}): {}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// Every non-2xx API reply must be `{"error": {"code", "message"}}`.
    fn error(&self) -> ErrorResponse {
        assert!(
            self.headers
                .get(header::CONTENT_TYPE)
                .is_some_and(|v| v == "application/json"),
            "error replies are JSON: {:?} {}",
            self.headers,
            self.text()
        );
        let error: ErrorResponse = self.json();
        assert!(
            !error.error.code.is_empty() && !error.error.message.is_empty(),
            "{error:?}"
        );
        error
    }
}

fn state_with_dist(dist: PathBuf) -> AppState {
    AppState::new(embedded_instance_types().expect("embedded table"), dist)
}

fn app() -> Router {
    router(state_with_dist(PathBuf::from("/nonexistent/eniscope-dist")))
}

async fn send(
    app: &Router,
    method: Method,
    uri: &str,
    body: Option<&str>,
    headers: &[(&str, &str)],
) -> Reply {
    let mut request = Request::builder().method(method).uri(uri);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let body = match body {
        Some(json) => {
            request = request.header(header::CONTENT_TYPE, "application/json");
            Body::from(json.to_owned())
        }
        None => Body::empty(),
    };
    let request = request.body(body).expect("valid request");
    let response = app
        .clone()
        .oneshot(request)
        .await
        .expect("router is infallible");
    let status = response.status();
    let headers = response.headers().clone();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("body");
    Reply {
        status,
        headers,
        body: body.to_vec(),
    }
}

async fn get(app: &Router, uri: &str) -> Reply {
    send(app, Method::GET, uri, None, &[]).await
}

async fn post(app: &Router, uri: &str, json: &str) -> Reply {
    send(app, Method::POST, uri, Some(json), &[]).await
}

#[tokio::test]
async fn health_and_readiness() {
    let app = app();
    let health = get(&app, "/healthz").await;
    assert_eq!(
        (health.status, health.text().as_str()),
        (StatusCode::OK, "ok")
    );

    let ready = get(&app, "/readyz").await;
    assert_eq!(ready.status, StatusCode::OK);
    let readiness: Readiness = ready.json();
    assert!(readiness.ready);
    assert!(readiness.instance_types > 0);
    assert_eq!(readiness.snapshot, None);
}

#[tokio::test]
async fn readyz_is_503_without_instance_types_and_reports_a_loaded_snapshot() {
    let empty = AppState::new(
        std::sync::Arc::new(InstanceTypeTable::default()),
        PathBuf::from("dist"),
    );
    let reply = get(&router(empty), "/readyz").await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(!reply.json::<Readiness>().ready);

    let state = state_with_dist(PathBuf::from("dist"));
    state
        .fleet
        .write()
        .await
        .install_file(sample_snapshot(), std::path::Path::new("fleet.json"));
    let readiness: Readiness = get(&router(state), "/readyz").await.json();
    let snapshot = readiness.snapshot.expect("snapshot info");
    assert_eq!(
        (snapshot.source_kind, snapshot.clusters),
        (SourceKind::File, 0)
    );
}

fn sample_snapshot() -> shared::Snapshot {
    shared::Snapshot::from_json(
        r#"{"schema_version":1,"collected_at":"2026-11-26T00:00:00Z",
            "source":{"kind":"file","description":"test"},
            "clusters":[],"subnets":[],"instance_types":[]}"#,
    )
    .expect("sample snapshot")
}

/// domain.md §1.3: m5.large Windows 9 secondary / 144 PD, recommended 110 with PD.
#[tokio::test]
async fn max_pods_windows_m5_large() {
    let app = app();
    let reply = get(&app, "/api/v1/max-pods?instance_type=m5.large&os=windows").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let reports: Vec<MaxPodsReport> = reply.json();
    assert_eq!(reports.len(), 1);
    let m5 = &reports[0].result;
    assert_eq!(
        (m5.os, m5.mode, m5.eni_max_pods, m5.recommended_max_pods),
        (Os::Windows, IpMode::SecondaryIp, 9, 9)
    );

    let reports: Vec<MaxPodsReport> = get(
        &app,
        "/api/v1/max-pods?instance_type=m5.large&os=windows&prefix_delegation=true",
    )
    .await
    .json();
    let m5 = &reports[0];
    assert_eq!(
        (
            m5.result.mode,
            m5.result.eni_max_pods,
            m5.result.recommended_max_pods
        ),
        (IpMode::PrefixDelegation, 144, 110)
    );
    assert!(m5.explain.contains("144"), "{}", m5.explain);

    // A kubelet max-pods above the IP capacity: the IPs are the limit.
    let reports: Vec<MaxPodsReport> = get(
        &app,
        "/api/v1/max-pods?instance_type=m5.large&os=windows&prefix_delegation=true&kubelet_max_pods=250",
    )
    .await
    .json();
    assert_eq!(reports[0].result.recommended_max_pods, 144);
}

/// domain.md §3.2: m5.large Linux 29; with PD raw 434, recommended 110; custom networking 20.
#[tokio::test]
async fn max_pods_linux_several_types_in_order() {
    let app = app();
    let reply = get(
        &app,
        "/api/v1/max-pods?instance_type=m5.large,t3.medium&os=linux&prefix_delegation=1",
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let raw: serde_json::Value = reply.json();
    let rows = raw.as_array().expect("a JSON array");
    assert_eq!(rows[0]["instance_type"], "m5.large");
    assert_eq!(rows[0]["mode"], "prefix-delegation");
    assert_eq!(rows[0]["eni_max_pods"], 434);
    assert_eq!(rows[0]["recommended_max_pods"], 110);
    assert!(
        rows[0]["explain"]
            .as_str()
            .is_some_and(|s| !s.contains('\n'))
    );
    assert_eq!(rows[1]["instance_type"], "t3.medium");

    let reports: Vec<MaxPodsReport> = get(
        &app,
        "/api/v1/max-pods?instance_type=m5.large&os=linux&custom_networking=true",
    )
    .await
    .json();
    assert_eq!(reports[0].result.eni_max_pods, 20);
}

#[tokio::test]
async fn max_pods_all_windows_is_x86_only() {
    let app = app();
    let reports: Vec<MaxPodsReport> = get(&app, "/api/v1/max-pods?instance_type=all&os=windows")
        .await
        .json();
    let table = embedded_instance_types().expect("table");
    let expected = table.types.iter().filter(|t| t.supports_windows()).count();
    assert_eq!(reports.len(), expected);
    assert!(reports.iter().all(|r| r.result.os == Os::Windows));
}

#[tokio::test]
async fn unknown_instance_type_is_404_with_suggestions() {
    let app = app();
    let reply = get(&app, "/api/v1/max-pods?instance_type=m5.larg&os=windows").await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    let error = reply.error().error;
    assert_eq!(error.code, "unknown_instance_type");
    assert!(error.message.contains("m5.larg"), "{}", error.message);
    assert!(
        error.suggestions.iter().any(|s| s == "m5.large"),
        "{:?}",
        error.suggestions
    );

    let reply = get(&app, "/api/v1/instance-types/m5.larg").await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.error().error.code, "unknown_instance_type");
}

#[tokio::test]
async fn windows_on_arm64_is_refused() {
    let reply = get(
        &app(),
        "/api/v1/max-pods?instance_type=c6g.medium&os=windows",
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    let error = reply.error().error;
    assert_eq!(error.code, "windows_needs_x86_64");
    assert!(error.message.contains("x86_64"), "{}", error.message);
}

#[tokio::test]
async fn malformed_queries_are_400_naming_the_parameter() {
    let app = app();
    let cases = [
        (
            "instance_type=m5.large&os=windows&prefix_delegation=maybe",
            "prefix_delegation",
            "invalid_parameter",
        ),
        (
            "instance_type=m5.large&os=windows&custom_networking=2",
            "custom_networking",
            "invalid_parameter",
        ),
        (
            "instance_type=m5.large&os=windows&kubelet_max_pods=-3",
            "kubelet_max_pods",
            "invalid_parameter",
        ),
        (
            "instance_type=m5.large&os=windows&kubelet_max_pods=lots",
            "kubelet_max_pods",
            "invalid_parameter",
        ),
        (
            "instance_type=m5.large&os=windows&kubelet_max_pods=0",
            "kubelet_max_pods",
            "invalid_parameter",
        ),
        (
            "instance_type=m5.large&os=windows&kubelet_max_pods=4294967296",
            "kubelet_max_pods",
            "invalid_parameter",
        ),
        ("instance_type=m5.large", "os", "missing_parameter"),
        ("os=windows", "instance_type", "missing_parameter"),
        ("instance_type=m5.large&os=macos", "os", "invalid_parameter"),
        (
            "instance_type=m5.large&os=windows&os=linux",
            "os",
            "invalid_parameter",
        ),
        (
            "instance_type=,&os=linux",
            "instance_type",
            "invalid_parameter",
        ),
        (
            "instance_type=all,m5.large&os=linux",
            "instance_type",
            "invalid_parameter",
        ),
        (
            "instance_type=m5.large&os=windows&prefix_delegaton=true",
            "prefix_delegaton",
            "invalid_parameter",
        ),
    ];
    for (query, parameter, code) in cases {
        let reply = get(&app, &format!("/api/v1/max-pods?{query}")).await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{query}: {}",
            reply.text()
        );
        let error = reply.error().error;
        assert_eq!(error.code, code, "{query}");
        assert_eq!(error.parameter.as_deref(), Some(parameter), "{query}");
        assert!(
            error.message.contains(parameter),
            "{query}: message should name the parameter: {}",
            error.message
        );
    }
}

/// Nothing a client can put in a query string makes a handler panic or answer non-JSON.
#[tokio::test]
async fn garbage_query_strings_never_panic() {
    let app = app();
    let garbage = [
        "",
        "&&&",
        "=",
        "==&=",
        "instance_type",
        "instance_type=%ZZ&os=%",
        "instance_type=%FF%FE&os=windows",
        "instance_type=m5.large%00&os=windows",
        "instance_type=..........&os=linux",
        "instance_type=m5.large&os=windows&kubelet_max_pods=1e309",
        "instance_type=m5.large&os=WINDOWS&prefix_delegation=TRUE",
        "instance_type=%E2%80%AEm5.large&os=linux",
        "instance_type=m5.large&os=linux&kubelet_max_pods=%20110%20",
        "q=%&os=linux",
    ];
    let long_type = format!("instance_type={}&os=linux", "x".repeat(20_000));
    let many_types = format!(
        "instance_type={}&os=linux",
        vec!["nope.large"; 2_000].join(",")
    );
    let paths = [
        "/api/v1/max-pods",
        "/api/v1/instance-types",
        "/api/v1/what-if",
    ];
    for path in paths {
        for query in garbage
            .iter()
            .copied()
            .chain([long_type.as_str(), many_types.as_str()])
        {
            let reply = get(&app, &format!("{path}?{query}")).await;
            let label = format!("{path}?{}", query.chars().take(60).collect::<String>());
            if reply.status.is_success() {
                let _: serde_json::Value = reply.json();
            } else {
                assert!(reply.status.is_client_error(), "{label}: {}", reply.status);
                let error = reply.error().error;
                assert!(
                    error.message.len() < 2_000,
                    "{label}: message echoes too much input"
                );
            }
        }
    }
    // Case-insensitive values that are valid still work.
    let reply = get(
        &app,
        "/api/v1/max-pods?instance_type=M5.LARGE&os=WINDOWS&prefix_delegation=TRUE",
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
}

#[tokio::test]
async fn instance_types_list_filters_and_reads_as_a_table() {
    let app = app();
    let reply = get(&app, "/api/v1/instance-types").await;
    assert_eq!(reply.status, StatusCode::OK);
    let list: InstanceTypeList = reply.json();
    let table = embedded_instance_types().expect("table");
    assert_eq!(
        (list.count, list.types.len()),
        (table.types.len(), table.types.len())
    );
    // The frontend parses this body with `InstanceTypeTable::from_json`.
    let parsed = InstanceTypeTable::from_json(&reply.text())
        .expect("body is a superset of InstanceTypeTable");
    assert_eq!(parsed.types.len(), table.types.len());

    let windows: InstanceTypeList = get(&app, "/api/v1/instance-types?os=windows").await.json();
    assert!(windows.count > 0 && windows.count < list.count);
    assert!(
        windows
            .types
            .iter()
            .all(|t| t.windows.is_some() && t.limits.supports_windows())
    );

    let m5: InstanceTypeList = get(&app, "/api/v1/instance-types?q=M5.LARGE").await.json();
    assert!(
        m5.types
            .iter()
            .any(|t| t.limits.instance_type == "m5.large")
    );
    assert!(
        m5.types
            .iter()
            .all(|t| t.limits.instance_type.contains("m5.large"))
    );

    let reply = get(&app, "/api/v1/instance-types?os=solaris").await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.error().error.parameter.as_deref(), Some("os"));
}

#[tokio::test]
async fn one_instance_type_with_both_os_summaries() {
    let app = app();
    let summary: InstanceTypeSummary = get(&app, "/api/v1/instance-types/m5.large").await.json();
    let windows = summary.windows.expect("m5.large runs Windows");
    assert_eq!(
        (
            windows.secondary_ip.eni_max_pods,
            windows.prefix_delegation.eni_max_pods
        ),
        (9, 144)
    );
    assert_eq!(windows.prefix_delegation.recommended_max_pods, 110);
    let linux = summary.linux.expect("linux");
    assert_eq!(
        (
            linux.secondary_ip.eni_max_pods,
            linux.prefix_delegation.eni_max_pods
        ),
        (29, 434)
    );
    assert!(summary.nitro_or_bare_metal);

    let arm: InstanceTypeSummary = get(&app, "/api/v1/instance-types/c6g.medium").await.json();
    assert_eq!(arm.windows, None);
    let raw: serde_json::Value = get(&app, "/api/v1/instance-types/c6g.medium").await.json();
    assert!(raw["windows"].is_null() && raw["enis"] == 2, "{raw}");
}

#[tokio::test]
async fn unknown_routes_and_methods_are_json() {
    let app = app();
    for path in [
        "/api/v1/nope",
        "/api/v1",
        "/api/v2/max-pods",
        "/api/anything",
    ] {
        let reply = get(&app, path).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(reply.error().error.code, "route_not_found", "{path}");
    }
    // Not UTF-8 after percent-decoding: axum's Path rejection, as JSON.
    let reply = get(&app, "/api/v1/instance-types/%FF%FE").await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.text());
    assert_eq!(
        reply.error().error.parameter.as_deref(),
        Some("instance_type")
    );

    let reply = send(&app, Method::DELETE, "/api/v1/max-pods", None, &[]).await;
    assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(reply.error().error.code, "method_not_allowed");
}

#[tokio::test]
async fn what_if_post_get_and_compare() {
    let app = app();
    let body = r#"{"instance_type":"m5.large","os":"windows","node_count":10,"pods_per_node":30,"prefix_delegation":true}"#;
    let reply = post(&app, "/api/v1/what-if", body).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let result: serde_json::Value = reply.json();
    assert_eq!(result["mode"], "prefix-delegation");
    assert_eq!(result["max_pods"]["eni_max_pods"], 144);

    // The page's URL state gives the same result.
    let reply = get(&app, "/api/v1/what-if?instance_type=m5.large&os=windows&prefix_delegation=true&nodes=10&pods_per_node=30").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    assert_eq!(reply.json::<serde_json::Value>(), result);

    let compare = format!(
        r#"{{"before":{},"after":{}}}"#,
        body.replace("\"prefix_delegation\":true", "\"prefix_delegation\":false"),
        body
    );
    let reply = post(&app, "/api/v1/what-if/compare", &compare).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let compared: serde_json::Value = reply.json();
    assert_eq!(compared["comparison"]["mode_before"], "secondary-ip");
    assert_eq!(compared["comparison"]["mode_after"], "prefix-delegation");
    assert_eq!(compared["comparison"]["ip_capacity"], 144 - 9);
}

#[tokio::test]
async fn what_if_bad_bodies_are_json_errors() {
    let app = app();
    let cases: [(&str, StatusCode, &str); 6] = [
        ("{not json", StatusCode::BAD_REQUEST, "invalid_json"),
        (
            r#"{"instance_type":"m5.large","os":"macos","node_count":1,"pods_per_node":1}"#,
            StatusCode::BAD_REQUEST,
            "invalid_body",
        ),
        (
            r#"{"instance_type":"m5.large","os":"windows","node_count":-1,"pods_per_node":1}"#,
            StatusCode::BAD_REQUEST,
            "invalid_body",
        ),
        (
            r#"{"instance_type":"m5.larg","os":"windows","node_count":1,"pods_per_node":1}"#,
            StatusCode::NOT_FOUND,
            "unknown_instance_type",
        ),
        (
            r#"{"instance_type":"c6g.medium","os":"windows","node_count":1,"pods_per_node":1}"#,
            StatusCode::UNPROCESSABLE_ENTITY,
            "windows_needs_x86_64",
        ),
        (
            r#"{"instance_type":"m5.large","os":"windows","node_count":1,"pods_per_node":1,"subnets":[{"cidr":"10.0.0.0/33"}]}"#,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_subnet",
        ),
    ];
    for (body, status, code) in cases {
        let reply = post(&app, "/api/v1/what-if", body).await;
        assert_eq!(reply.status, status, "{body}: {}", reply.text());
        assert_eq!(reply.error().error.code, code, "{body}");
    }
    let reply = send(
        &app,
        Method::POST,
        "/api/v1/what-if",
        None,
        &[("content-type", "text/plain")],
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(reply.error().error.message.contains("application/json"));

    let reply = get(
        &app,
        "/api/v1/what-if?instance_type=m5.large&os=windows&nodes=-4",
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.text());
    assert_eq!(reply.error().error.parameter.as_deref(), Some("nodes"));

    let reply = post(&app, "/api/v1/what-if/compare", r#"{"before":{}}"#).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.text());
}

#[tokio::test]
async fn frontend_bundle_and_client_side_routes() {
    let dist = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dist.path().join("index.html"),
        "<!doctype html><title>eniscope</title>",
    )
    .expect("index");
    std::fs::write(dist.path().join("dashboard.js"), "export default 1;").expect("js");
    // `cargo xtask dist` writes a gzip -9 copy next to each wasm/JS/CSS file.
    let wasm = b"\0asm\x01\0\0\0 pretend this is a large module";
    std::fs::write(dist.path().join("dashboard_bg.wasm"), wasm).expect("wasm");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    std::io::Write::write_all(&mut gz, wasm).expect("gzip");
    let gz = gz.finish().expect("gzip");
    std::fs::write(dist.path().join("dashboard_bg.wasm.gz"), &gz).expect("wasm.gz");
    let app = router(state_with_dist(dist.path().to_path_buf()));

    for path in [
        "/",
        "/what-if?instance_type=m5.large&os=windows",
        "/clusters/prod/eu-west-1",
        "/dsr",
    ] {
        let reply = get(&app, path).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}");
        assert!(
            reply.text().contains("<title>eniscope</title>"),
            "{path}: {}",
            reply.text()
        );
    }
    // A browser that accepts gzip gets the precompressed file as is; others get the original.
    let zipped = send(
        &app,
        Method::GET,
        "/dashboard_bg.wasm",
        None,
        &[("accept-encoding", "gzip")],
    )
    .await;
    assert_eq!(zipped.status, StatusCode::OK);
    assert_eq!(zipped.headers[header::CONTENT_ENCODING], "gzip");
    assert_eq!(zipped.headers[header::CONTENT_TYPE], "application/wasm");
    assert_eq!(zipped.body, gz);
    assert_eq!(zipped.headers[header::CACHE_CONTROL], "no-cache");
    let plain = get(&app, "/dashboard_bg.wasm").await;
    assert_eq!(plain.body, wasm);
    // Unchanged since the last load: 304, nothing sent again.
    let last_modified = plain.headers[header::LAST_MODIFIED]
        .to_str()
        .expect("Last-Modified")
        .to_string();
    let revalidated = send(
        &app,
        Method::GET,
        "/dashboard_bg.wasm",
        None,
        &[("if-modified-since", last_modified.as_str())],
    )
    .await;
    assert_eq!(revalidated.status, StatusCode::NOT_MODIFIED);
    assert!(revalidated.body.is_empty());
    assert!(!plain.headers.contains_key(header::CONTENT_ENCODING));

    let js = get(&app, "/dashboard.js").await;
    assert_eq!(js.status, StatusCode::OK);
    assert!(
        js.headers[header::CONTENT_TYPE]
            .to_str()
            .is_ok_and(|v| v.contains("javascript"))
    );
    assert_eq!(
        get(&app, "/missing.wasm").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn missing_bundle_says_how_to_build_it() {
    let app = app();
    for path in ["/", "/what-if"] {
        let reply = get(&app, path).await;
        assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE, "{path}");
        assert!(
            reply.text().contains("frontend bundle not built"),
            "{}",
            reply.text()
        );
        assert!(reply.text().contains("cargo xtask run"), "{}", reply.text());
    }
    // The API still answers.
    assert_eq!(
        get(&app, "/api/v1/instance-types/m5.large").await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn responses_are_gzipped_when_asked() {
    let app = app();
    let reply = send(
        &app,
        Method::GET,
        "/api/v1/instance-types",
        None,
        &[("accept-encoding", "gzip")],
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply
            .headers
            .get(header::CONTENT_ENCODING)
            .map(|v| v.as_bytes()),
        Some(&b"gzip"[..])
    );
    assert_eq!(&reply.body[..2], &[0x1f, 0x8b], "gzip magic");
}

#[tokio::test]
async fn metrics_count_requests_by_route_template() {
    let state = state_with_dist(PathBuf::from("/nonexistent"));
    state
        .fleet
        .write()
        .await
        .install_file(sample_snapshot(), std::path::Path::new("fleet.json"));
    let app = router(state.clone());
    get(&app, "/api/v1/max-pods?instance_type=m5.large&os=windows").await;
    get(&app, "/api/v1/max-pods?instance_type=nope&os=windows").await;
    get(&app, "/api/v1/instance-types/m5.large").await;
    get(&app, "/api/v1/no-such-route").await;

    let reply = get(&app, "/metrics").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(
        reply.headers[header::CONTENT_TYPE]
            .to_str()
            .is_ok_and(|v| v.starts_with("text/plain; version=0.0.4"))
    );
    let text = reply.text();
    for line in [
        r#"eniscope_http_requests_total{route="/api/v1/max-pods",method="GET",status="200"} 1"#,
        r#"eniscope_http_requests_total{route="/api/v1/max-pods",method="GET",status="404"} 1"#,
        r#"eniscope_http_requests_total{route="/api/v1/instance-types/{instance_type}",method="GET",status="200"} 1"#,
        "# TYPE eniscope_uptime_seconds gauge",
        "eniscope_snapshot_loaded 1",
        "eniscope_snapshot_clusters 0",
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "missing `{line}` in:\n{text}"
        );
    }
    assert!(
        text.lines()
            .any(|l| l.starts_with("eniscope_snapshot_age_seconds ")),
        "{text}"
    );
    // Unmatched paths share one series rather than one per path.
    assert!(!text.contains("no-such-route"), "{text}");
    assert_eq!(state.metrics.count("/api/v1/max-pods", 200), 1);
}
