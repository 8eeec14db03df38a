//! Operations endpoints: `/healthz` (the process answers), `/readyz` (it has data to serve) and
//! `/metrics` (Prometheus text format 0.0.4, written by hand: a few counters do not need a crate).

use crate::api::types::{Readiness, SnapshotInfo};
use crate::state::AppState;
use aws_smithy_types::DateTime;
use aws_smithy_types::date_time::Format;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::SystemTime;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
}

async fn healthz() -> &'static str {
    "ok"
}

/// 200 when the instance-type table is loaded (every calculator route works); the body also says
/// whether a fleet snapshot is loaded. 503 with the same body otherwise.
async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Readiness>) {
    let snapshot = state.snapshot().await;
    let readiness = Readiness {
        ready: !state.instance_types.types.is_empty(),
        instance_types: state.instance_types.types.len(),
        snapshot: snapshot.map(|s| SnapshotInfo {
            source_kind: s.source.kind,
            source: s.source.description.clone(),
            collected_at: s.collected_at.clone(),
            clusters: s.clusters.len(),
        }),
    };
    let status = if readiness.ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(readiness))
}

/// One counter series: route template (not the raw path, to bound cardinality), method, status.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct RequestKey {
    route: String,
    method: &'static str,
    status: u16,
}

/// Request counters, shared by every connection.
#[derive(Debug, Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<RequestKey, u64>>,
}

impl Metrics {
    pub fn record(&self, route: &str, method: &Method, status: StatusCode) {
        let key = RequestKey {
            route: route.to_owned(),
            method: method_label(method),
            status: status.as_u16(),
        };
        // A poisoned lock only means another thread panicked mid-increment; the map is still valid.
        let mut requests = self
            .requests
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *requests.entry(key).or_insert(0) += 1;
    }

    /// Requests counted for `route` with `status`, over all methods.
    #[cfg(test)]
    pub fn count(&self, route: &str, status: u16) -> u64 {
        let requests = self
            .requests
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        requests
            .iter()
            .filter(|(k, _)| k.route == route && k.status == status)
            .map(|(_, n)| n)
            .sum()
    }

    fn snapshot(&self) -> Vec<(RequestKey, u64)> {
        let requests = self
            .requests
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        requests.iter().map(|(k, n)| (k.clone(), *n)).collect()
    }
}

/// Methods are client-controlled: anything unusual is folded into one label.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::OPTIONS => "OPTIONS",
        _ => "OTHER",
    }
}

/// Middleware: count every response by the route template it matched.
pub async fn track_metrics(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let route = match request.extensions().get::<MatchedPath>() {
        Some(matched) => matched.as_str().to_owned(),
        // Unmatched paths are client-controlled: bucket them instead of making one series each.
        None if request.uri().path().starts_with("/api/") => "/api/(unmatched)".to_owned(),
        None => "(static)".to_owned(),
    };
    let method = request.method().clone();
    let response = next.run(request).await;
    state.metrics.record(&route, &method, response.status());
    response
}

/// Prometheus label values escape `\`, `"` and newlines (exposition format 0.0.4).
fn escape_label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Seconds between an RFC 3339 time and `now`; `None` if the text is not RFC 3339.
fn age_seconds(rfc3339: &str, now: SystemTime) -> Option<f64> {
    let then = DateTime::from_str(rfc3339, Format::DateTime).ok()?;
    let now = DateTime::from(now);
    Some(now.as_secs_f64() - then.as_secs_f64())
}

fn gauge(out: &mut String, name: &str, help: &str, value: impl std::fmt::Display) {
    // Writing to a String cannot fail.
    let _ = writeln!(
        out,
        "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}"
    );
}

async fn metrics(State(state): State<AppState>) -> Response {
    let mut out = String::new();
    out.push_str("# HELP eniscope_http_requests_total HTTP requests answered, by route template, method and status.\n");
    out.push_str("# TYPE eniscope_http_requests_total counter\n");
    for (key, count) in state.metrics.snapshot() {
        let _ = writeln!(
            out,
            "eniscope_http_requests_total{{route=\"{}\",method=\"{}\",status=\"{}\"}} {count}",
            escape_label(&key.route),
            key.method,
            key.status
        );
    }
    gauge(
        &mut out,
        "eniscope_uptime_seconds",
        "Seconds since this eniscope process started.",
        format!("{:.3}", state.started_at.elapsed().as_secs_f64()),
    );
    gauge(
        &mut out,
        "eniscope_instance_types",
        "Instance types in the limits table.",
        state.instance_types.types.len(),
    );

    let fleet = state.fleet.read().await;
    gauge(
        &mut out,
        "eniscope_snapshot_loaded",
        "1 when a fleet snapshot is loaded.",
        u8::from(fleet.snapshot.is_some()),
    );
    if let Some(snapshot) = &fleet.snapshot {
        if let Some(age) = age_seconds(&snapshot.collected_at, SystemTime::now()) {
            gauge(
                &mut out,
                "eniscope_snapshot_age_seconds",
                "Seconds since the loaded snapshot was collected (its collected_at).",
                format!("{age:.3}"),
            );
        }
        gauge(
            &mut out,
            "eniscope_snapshot_clusters",
            "Clusters in the loaded snapshot.",
            snapshot.clusters.len(),
        );
        gauge(
            &mut out,
            "eniscope_snapshot_source_errors",
            "Per-source errors recorded in the loaded snapshot.",
            snapshot.errors.len(),
        );
    }
    gauge(
        &mut out,
        "eniscope_scan_running",
        "1 while a background scan is running.",
        u8::from(fleet.scan.phase == crate::state::ScanPhase::Running),
    );
    gauge(
        &mut out,
        "eniscope_last_load_failed",
        "1 when the last attempt to load or scan a snapshot failed.",
        u8::from(fleet.last_error.is_some()),
    );
    drop(fleet);

    let mut response = out.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn age_from_rfc3339() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_764_115_200 + 90); // 2025-11-26T00:01:30Z
        assert_eq!(age_seconds("2025-11-26T00:00:00Z", now), Some(90.0));
        assert_eq!(age_seconds("yesterday", now), None);
    }

    #[test]
    fn labels_are_escaped() {
        assert_eq!(escape_label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }

    #[test]
    fn counts_accumulate_per_route_and_status() {
        let metrics = Metrics::default();
        metrics.record("/healthz", &Method::GET, StatusCode::OK);
        metrics.record("/healthz", &Method::GET, StatusCode::OK);
        metrics.record(
            "/healthz",
            &Method::from_bytes(b"BREW").expect("method"),
            StatusCode::METHOD_NOT_ALLOWED,
        );
        assert_eq!(metrics.count("/healthz", 200), 2);
        assert_eq!(metrics.count("/healthz", 405), 1);
        assert!(metrics.snapshot().iter().any(|(k, _)| k.method == "OTHER"));
    }
}
