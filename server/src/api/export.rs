//! CSV and JSON exports of the node and subnet tables, with the same filters as `/nodes` and
//! `/subnets` (no paging: the whole filtered table).
//!
//! - `GET /api/v1/export/nodes.csv`, `/export/nodes.json`
//! - `GET /api/v1/export/subnets.csv`, `/export/subnets.json`

use crate::api::errors::ApiError;
use crate::api::fleet::{NODE_FILTERS, current, filtered_rows, filtered_subnets};
use crate::api::query::QueryParams;
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use shared::fleet::{NodeRow, SubnetRow};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/export/nodes.csv", get(nodes_csv))
        .route("/export/nodes.json", get(nodes_json))
        .route("/export/subnets.csv", get(subnets_csv))
        .route("/export/subnets.json", get(subnets_json))
}

/// RFC 4180: quote a field that holds a comma, a quote or a line break; double inner quotes. A field
/// starting with `=`, `+`, `-` or `@` is prefixed with `'` so a spreadsheet does not run it as a formula.
pub fn csv_field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '@'])
        || (value.starts_with('-')
            && value.len() > 1
            && !value[1..].starts_with(|c: char| c.is_ascii_digit()))
    {
        format!("'{value}")
    } else {
        value.to_string()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

fn csv(header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> String {
    let mut out = header.join(",");
    out.push_str("\r\n");
    for row in rows {
        let fields: Vec<String> = row.iter().map(|f| csv_field(f)).collect();
        out.push_str(&fields.join(","));
        out.push_str("\r\n");
    }
    out
}

fn opt<T: ToString>(value: Option<T>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

const NODE_COLUMNS: [&str; 24] = [
    "cluster",
    "region",
    "account",
    "nodegroup",
    "instance_id",
    "instance_type",
    "os",
    "subnet_id",
    "availability_zone",
    "private_ip",
    "ip_mode",
    "enis",
    "pod_enis",
    "secondary_ips",
    "prefixes",
    "held_ips",
    "used_ips",
    "ip_capacity",
    "max_pods",
    "kubelet_max_pods",
    "dsr",
    "dsr_reason",
    "windows_build",
    "warnings",
];

fn node_record(row: &NodeRow) -> Vec<String> {
    vec![
        row.cluster.clone(),
        row.region.clone(),
        opt(row.account.as_deref()),
        opt(row.nodegroup.as_deref()),
        row.instance_id.clone(),
        row.instance_type.clone(),
        row.os.to_string(),
        opt(row.subnet_id.as_deref()),
        opt(row.availability_zone.as_deref()),
        opt(row.private_ip.as_deref()),
        row.ip_mode.as_str().to_string(),
        row.enis.to_string(),
        row.pod_enis.to_string(),
        row.secondary_ips.to_string(),
        row.prefixes.to_string(),
        row.held_ips.to_string(),
        opt(row.used_ips),
        opt(row.ip_capacity),
        opt(row.max_pods),
        opt(row.kubelet_max_pods),
        opt(row.dsr),
        opt(row.dsr_reason.as_deref()),
        opt(row.windows_build.as_deref()),
        row.warnings.join("; "),
    ]
}

const SUBNET_COLUMNS: [&str; 21] = [
    "subnet_id",
    "region",
    "account_id",
    "vpc_id",
    "availability_zone",
    "cidr",
    "usable_ips",
    "free_ips",
    "free_percent",
    "prefix_reserved_ips",
    "explicit_reserved_ips",
    "prefix_slots_free",
    "fragmentation_score",
    "fragmentation_band",
    "prefix_delegation_ready",
    "clusters",
    "nodes",
    "prefix_delegation_nodes",
    "node_held_ips",
    "at_risk",
    "risk_reasons",
];

fn subnet_record(row: &SubnetRow) -> Vec<String> {
    vec![
        row.subnet_id.clone(),
        row.region.clone(),
        opt(row.account_id.as_deref()),
        opt(row.vpc_id.as_deref()),
        opt(row.availability_zone.as_deref()),
        row.cidr.clone(),
        opt(row.usable_ips),
        opt(row.free_ips),
        opt(row.free_percent),
        row.prefix_reserved_ips.to_string(),
        row.explicit_reserved_ips.to_string(),
        opt(row.prefix_slots_free),
        opt(row.fragmentation_score),
        opt(row.fragmentation_band.map(|b| b.as_str())),
        opt(row.prefix_delegation_ready),
        row.clusters.join(" "),
        row.nodes.to_string(),
        row.prefix_delegation_nodes.to_string(),
        row.node_held_ips.to_string(),
        row.at_risk.to_string(),
        row.risk_reasons.join("; "),
    ]
}

fn download(body: Vec<u8>, content_type: &'static str, filename: &'static str) -> Response {
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static(filename),
            ),
        ],
        body,
    )
        .into_response()
}

fn json_bytes<T: serde::Serialize>(value: &T) -> Result<Vec<u8>, ApiError> {
    serde_json::to_vec(value).map_err(|e| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "serialize_failed",
            format!("cannot serialize the export: {e}"),
        )
    })
}

fn node_params() -> Vec<&'static str> {
    let mut allowed = NODE_FILTERS.to_vec();
    allowed.push("sort");
    allowed
}

async fn nodes_csv(
    State(state): State<AppState>,
    params: QueryParams,
) -> Result<Response, ApiError> {
    params.allow_only(&node_params())?;
    let current = current(&state).await?;
    let rows = filtered_rows(&params, &current.view)?;
    let body = csv(&NODE_COLUMNS, rows.into_iter().map(node_record));
    Ok(download(
        body.into_bytes(),
        "text/csv; charset=utf-8",
        "attachment; filename=\"eniscope-nodes.csv\"",
    ))
}

async fn nodes_json(
    State(state): State<AppState>,
    params: QueryParams,
) -> Result<Response, ApiError> {
    params.allow_only(&node_params())?;
    let current = current(&state).await?;
    let rows = filtered_rows(&params, &current.view)?;
    Ok(download(
        json_bytes(&rows)?,
        "application/json",
        "attachment; filename=\"eniscope-nodes.json\"",
    ))
}

async fn subnets_csv(
    State(state): State<AppState>,
    params: QueryParams,
) -> Result<Response, ApiError> {
    params.allow_only(&["region", "cluster", "at_risk"])?;
    let current = current(&state).await?;
    let rows = filtered_subnets(&params, &current.view)?;
    let body = csv(&SUBNET_COLUMNS, rows.into_iter().map(subnet_record));
    Ok(download(
        body.into_bytes(),
        "text/csv; charset=utf-8",
        "attachment; filename=\"eniscope-subnets.csv\"",
    ))
}

async fn subnets_json(
    State(state): State<AppState>,
    params: QueryParams,
) -> Result<Response, ApiError> {
    params.allow_only(&["region", "cluster", "at_risk"])?;
    let current = current(&state).await?;
    let rows = filtered_subnets(&params, &current.view)?;
    Ok(download(
        json_bytes(&rows)?,
        "application/json",
        "attachment; filename=\"eniscope-subnets.json\"",
    ))
}

#[cfg(test)]
mod tests {
    use super::csv_field;

    #[test]
    fn csv_fields_are_quoted_and_defused() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=cmd()"), "'=cmd()");
        assert_eq!(csv_field("-5"), "-5", "negative numbers stay numbers");
        assert_eq!(csv_field("--enable-dsr"), "'--enable-dsr");
        assert_eq!(csv_field("line\nbreak"), "\"line\nbreak\"");
    }
}
