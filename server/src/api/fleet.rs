//! Fleet endpoints over the current snapshot: overview, clusters, nodes, subnets, the DSR board and
//! the raw snapshot. Thin: every number comes from `shared::fleet` (which calls `shared::maxpods`,
//! `shared::subnet`, `shared::dsr`); the handlers only filter, sort and page.
//!
//! The analysis of a snapshot (with its DSR board and findings) is computed once, off the async
//! runtime, and cached until the snapshot is replaced, so a 10,000-node fleet costs one analysis per
//! scan, not one per request; requests only filter, sort and page.
//!
//! Routes (relative to `/api/v1`):
//! - `GET /fleet`: [`FleetOverview`]
//! - `GET /clusters`: `[ClusterSummary]`; `GET /clusters/{region}/{name}`: [`ClusterDetail`]
//! - `GET /nodes?cluster=&region=&account=&nodegroup=&os=&ip_mode=&dsr=&subnet=&q=&sort=&limit=&offset=`:
//!   [`NodePage`]; `GET /nodes/{instance_id}`: `shared::fleet::NodeDetail`
//! - `GET /subnets?region=&cluster=&at_risk=`: [`SubnetList`]; `GET /subnets/{subnet_id}`: [`SubnetDetail`]
//! - `GET /dsr?cluster=&region=&status=`: [`DsrBoard`]
//! - `GET /findings?severity=&code=&cluster=&region=`: `shared::findings::FindingList`
//! - `GET /snapshot`: the raw snapshot
//! - exports: see `export.rs`
//!
//! No snapshot yet → 503 `no_snapshot` saying whether a scan is running and how to load one.

use crate::api::errors::ApiError;
use crate::api::query::QueryParams;
use crate::state::{Analysis, AppState, FleetState};
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use shared::dsr::DsrStatus;
use shared::findings::{CATALOG, FindingList, Severity};
use shared::fleet::{
    self, ClusterDetail, ClusterSummary, DsrBoard, FleetOverview, FleetView, NodePage, NodeRow,
    ScanInfo, SubnetDetail, SubnetList, SubnetRow,
};
use shared::snapshot::SourceKind;
use shared::{IpMode, Os};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

/// Default and largest page of `/nodes`.
pub const DEFAULT_PAGE: u32 = 200;
pub const MAX_PAGE: u32 = 10_000;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/fleet", get(overview))
        .route("/clusters", get(clusters))
        .route("/clusters/{region}/{name}", get(cluster))
        .route("/nodes", get(nodes))
        .route("/nodes/{instance_id}", get(node))
        .route("/subnets", get(subnets))
        .route("/subnets/{subnet_id}", get(subnet))
        .route("/dsr", get(dsr))
        .route("/findings", get(findings))
        .route("/snapshot", get(raw_snapshot))
}

/// The current snapshot and its analysis (see [`Analysis`]).
pub type Current = Arc<Analysis>;

/// 503 with what is going on and what to do.
fn no_snapshot(fleet: &FleetState) -> ApiError {
    use crate::state::ScanPhase;
    let message = match (fleet.scan.phase, &fleet.last_error) {
        (ScanPhase::Running, _) => {
            let progress = match fleet.scan.sources_total {
                Some(total) => format!(" ({} of {total} sources read)", fleet.scan.sources_done),
                None => String::new(),
            };
            format!("a scan is in progress{progress}: the fleet appears when it finishes; retry in a few seconds")
        }
        (_, Some(error)) => format!(
            "no fleet snapshot: the last attempt failed ({error}); fix that, or start with `eniscope serve --demo` or `eniscope serve --snapshot fleet.json`"
        ),
        _ => "no fleet snapshot is loaded: start `eniscope serve --demo`, `eniscope serve --snapshot fleet.json` (written by `eniscope scan --output fleet.json`), or configure AWS accounts (see the README)".to_string(),
    };
    ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "no_snapshot", message)
}

/// The current snapshot with its (cached) analysis, or the 503.
pub async fn current(state: &AppState) -> Result<Current, ApiError> {
    let snapshot = {
        let fleet = state.fleet.read().await;
        fleet.snapshot.clone().ok_or_else(|| no_snapshot(&fleet))?
    };
    let table = Arc::clone(&state.instance_types);
    let cached = state
        .analysis
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .as_ref()
        .filter(|a| Arc::ptr_eq(&a.snapshot, &snapshot) && Arc::ptr_eq(&a.table, &table))
        .cloned();
    if let Some(analysis) = cached {
        return Ok(analysis);
    }
    let analysis = tokio::task::spawn_blocking(move || {
        let view = fleet::analyze(&snapshot, &table);
        Analysis {
            dsr_board: fleet::dsr_board(&view),
            findings: shared::findings::findings(&view),
            view,
            snapshot,
            table,
        }
    })
    .await
    .map_err(|e| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "analysis_failed",
            format!(
                "analysing the snapshot failed ({e}); please report this with the snapshot file"
            ),
        )
    })?;
    let analysis = Arc::new(analysis);
    *state.analysis.lock().unwrap_or_else(|p| p.into_inner()) = Some(Arc::clone(&analysis));
    Ok(analysis)
}

fn now_unix_seconds() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

async fn overview(
    State(state): State<AppState>,
    params: QueryParams,
) -> Result<Json<FleetOverview>, ApiError> {
    params.allow_only(&[])?;
    let current = current(&state).await?;
    let fleet = state.fleet.read().await;
    let scan = ScanInfo {
        phase: serde_json::to_value(fleet.scan.phase)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default(),
        started_at: fleet.scan.started_at.clone(),
        finished_at: fleet.scan.finished_at.clone(),
        sources_done: fleet.scan.sources_done,
        sources_total: fleet.scan.sources_total,
        current: fleet.scan.current.clone(),
        last_error: fleet.last_error.clone(),
    };
    let source = fleet
        .source
        .clone()
        .unwrap_or_else(|| current.snapshot.source.clone());
    let loaded_at = fleet.loaded_at.map(crate::aws::collect::rfc3339);
    drop(fleet);
    let view = &current.view;
    Ok(Json(FleetOverview {
        demo: source.kind == SourceKind::Demo,
        source,
        collected_at: view.collected_at.clone(),
        data_age_seconds: fleet::rfc3339_to_unix_seconds(&view.collected_at)
            .map(|t| now_unix_seconds() - t),
        loaded_at,
        scan,
        totals: view.totals.clone(),
        clusters: view.clusters.clone(),
        unattached_errors: view.unattached_errors.clone(),
        api_calls: view.api_calls.clone(),
        scan_duration_ms: view.scan_duration_ms,
    }))
}

async fn clusters(
    State(state): State<AppState>,
    params: QueryParams,
) -> Result<Json<Vec<ClusterSummary>>, ApiError> {
    params.allow_only(&["region", "account"])?;
    let current = current(&state).await?;
    let region = region_filter(&params, &current.view)?;
    let account = params.optional("account")?;
    Ok(Json(
        current
            .view
            .clusters
            .iter()
            .filter(|c| region.is_none_or(|r| c.region == r))
            .filter(|c| {
                account.is_none_or(|a| {
                    c.account_id.as_deref() == Some(a) || c.account_label.as_deref() == Some(a)
                })
            })
            .cloned()
            .collect(),
    ))
}

fn cluster_suggestions(view: &FleetView) -> Vec<String> {
    view.clusters
        .iter()
        .map(|c| format!("{}/{}", c.region, c.name))
        .collect()
}

async fn cluster(
    State(state): State<AppState>,
    Path((region, name)): Path<(String, String)>,
    params: QueryParams,
) -> Result<Json<ClusterDetail>, ApiError> {
    params.allow_only(&[])?;
    let current = current(&state).await?;
    fleet::cluster_detail(&current.snapshot, &current.view, &region, &name).map(Json).ok_or_else(|| {
        ApiError::not_found(
            "cluster_not_found",
            format!("no cluster {name} in region {region} in this snapshot; GET /api/v1/clusters lists them"),
        )
        .with_suggestions(cluster_suggestions(&current.view))
    })
}

/// `region=` must name a region that has a cluster.
fn region_filter<'a>(
    params: &'a QueryParams,
    view: &FleetView,
) -> Result<Option<&'a str>, ApiError> {
    let Some(region) = params.optional("region")? else {
        return Ok(None);
    };
    if view.totals.regions.iter().any(|r| r == region) {
        Ok(Some(region))
    } else {
        Err(ApiError::bad_parameter(
            "region",
            format!(
                "no cluster in region `{region}`; regions in this snapshot: {}",
                view.totals.regions.join(", ")
            ),
        )
        .with_suggestions(view.totals.regions.clone()))
    }
}

/// `cluster=`, checked against the snapshot (within `region=` when given): a name no cluster has is a
/// 400 with the cluster names as suggestions, never a silently empty list.
fn cluster_filter<'a>(
    params: &'a QueryParams,
    view: &FleetView,
    region: Option<&str>,
) -> Result<Option<&'a str>, ApiError> {
    let Some(name) = params.optional("cluster")? else {
        return Ok(None);
    };
    if view
        .clusters
        .iter()
        .any(|c| c.name == name && region.is_none_or(|r| c.region == r))
    {
        return Ok(Some(name));
    }
    let scope = region
        .map(|r| format!(" in region {r}"))
        .unwrap_or_default();
    Err(ApiError::bad_parameter(
        "cluster",
        format!("no cluster `{}`{scope} in this snapshot", truncate(name)),
    )
    .with_suggestions(cluster_suggestions(view)))
}

/// Node filters shared by `/nodes` and the exports.
#[derive(Debug, Default)]
pub struct NodeFilter<'a> {
    cluster: Option<&'a str>,
    region: Option<&'a str>,
    /// `(region, cluster)` of the clusters in the requested account (by id or label).
    account_clusters: Option<HashSet<(String, String)>>,
    nodegroup: Option<&'a str>,
    os: Option<Os>,
    ip_mode: Option<IpMode>,
    dsr: Option<DsrStatus>,
    subnet: Option<&'a str>,
    query: Option<String>,
}

pub const NODE_FILTERS: [&str; 9] = [
    "cluster",
    "region",
    "account",
    "nodegroup",
    "os",
    "ip_mode",
    "dsr",
    "subnet",
    "q",
];

impl<'a> NodeFilter<'a> {
    /// Parse and check every filter against the snapshot: a name that matches nothing is a 400 with
    /// suggestions, never a silently empty list.
    pub fn parse(params: &'a QueryParams, view: &FleetView) -> Result<Self, ApiError> {
        let region = region_filter(params, view)?;
        let cluster = cluster_filter(params, view, region)?;
        let account_clusters = match params.optional("account")? {
            None => None,
            Some(account) => {
                let keys: HashSet<(String, String)> = view
                    .clusters
                    .iter()
                    .filter(|c| {
                        c.account_id.as_deref() == Some(account)
                            || c.account_label.as_deref() == Some(account)
                    })
                    .map(|c| (c.region.clone(), c.name.clone()))
                    .collect();
                if keys.is_empty() {
                    return Err(ApiError::bad_parameter(
                        "account",
                        format!(
                            "no cluster in account `{}`; accounts: {}",
                            truncate(account),
                            view.totals.accounts.join(", ")
                        ),
                    ));
                }
                Some(keys)
            }
        };
        let nodegroup = params.optional("nodegroup")?;
        if let Some(name) = nodegroup {
            let matching = |g: &&fleet::NodegroupSummary| {
                cluster.is_none_or(|c| g.cluster == c) && region.is_none_or(|r| g.region == r)
            };
            if !view
                .nodegroups
                .iter()
                .filter(matching)
                .any(|g| g.name == name)
            {
                let names: Vec<String> = view
                    .nodegroups
                    .iter()
                    .filter(matching)
                    .map(|g| g.name.clone())
                    .collect();
                return Err(ApiError::bad_parameter(
                    "nodegroup",
                    format!("no nodegroup `{name}` in the selected clusters; give `cluster=` too if the name is ambiguous"),
                )
                .with_suggestions(names));
            }
        }
        let os = match params.optional("os")? {
            None => None,
            Some(value) => Some(
                value
                    .parse::<Os>()
                    .map_err(|e| ApiError::bad_parameter("os", e))?,
            ),
        };
        let ip_mode = match params.optional("ip_mode")? {
            None => None,
            Some("secondary-ip") => Some(IpMode::SecondaryIp),
            Some("prefix-delegation") => Some(IpMode::PrefixDelegation),
            Some(other) => {
                return Err(ApiError::bad_parameter(
                    "ip_mode",
                    format!(
                        "`ip_mode` must be secondary-ip or prefix-delegation, got `{}`",
                        truncate(other)
                    ),
                ));
            }
        };
        let dsr = match params.optional("dsr")? {
            None => None,
            Some(value) => Some(parse_dsr_status("dsr", value)?),
        };
        let subnet = params.optional("subnet")?;
        if let Some(id) = subnet
            && view.subnet(id).is_none()
            && !view
                .nodes
                .iter()
                .any(|n| n.subnet_id.as_deref() == Some(id))
        {
            return Err(ApiError::bad_parameter(
                "subnet",
                format!("no subnet `{}` in this snapshot", truncate(id)),
            ));
        }
        let query = params
            .optional("q")?
            .map(|q| q.trim().to_ascii_lowercase())
            .filter(|q| !q.is_empty());
        Ok(Self {
            cluster,
            region,
            account_clusters,
            nodegroup,
            os,
            ip_mode,
            dsr,
            subnet,
            query,
        })
    }

    pub fn matches(&self, row: &NodeRow) -> bool {
        self.cluster.is_none_or(|c| row.cluster == c)
            && self.region.is_none_or(|r| row.region == r)
            && self
                .account_clusters
                .as_ref()
                .is_none_or(|keys| keys.contains(&(row.region.clone(), row.cluster.clone())))
            && self
                .nodegroup
                .is_none_or(|g| row.nodegroup.as_deref().unwrap_or(fleet::UNGROUPED) == g)
            && self.os.is_none_or(|os| row.os == os)
            && self.ip_mode.is_none_or(|mode| row.ip_mode == mode)
            && self.dsr.is_none_or(|status| row.dsr == Some(status))
            && self
                .subnet
                .is_none_or(|s| row.subnet_id.as_deref() == Some(s))
            && self.query.as_deref().is_none_or(|q| {
                row.instance_id.to_ascii_lowercase().contains(q)
                    || row.private_ip.as_deref().is_some_and(|ip| ip.contains(q))
                    || row.instance_type.contains(q)
                    || row
                        .nodegroup
                        .as_deref()
                        .is_some_and(|g| g.to_ascii_lowercase().contains(q))
            })
    }
}

fn truncate(value: &str) -> String {
    value.chars().take(40).collect()
}

fn parse_dsr_status(name: &str, value: &str) -> Result<DsrStatus, ApiError> {
    match value.to_ascii_lowercase().as_str() {
        "on" => Ok(DsrStatus::On),
        "off" => Ok(DsrStatus::Off),
        "unknown" => Ok(DsrStatus::Unknown),
        _ => Err(ApiError::bad_parameter(
            name,
            format!(
                "`{name}` must be on, off or unknown, got `{}`",
                truncate(value)
            ),
        )),
    }
}

/// Sort keys of `/nodes` (prefix `-` for descending).
pub const SORT_KEYS: [&str; 13] = [
    "cluster",
    "nodegroup",
    "instance_id",
    "instance_type",
    "os",
    "ip_mode",
    "held_ips",
    "used_ips",
    "ip_capacity",
    "prefixes",
    "dsr",
    "utilization",
    "launch_time",
];

/// Sort rows in place by `sort` (e.g. `-held_ips`); ties keep cluster/nodegroup/instance order.
pub fn sort_rows(rows: &mut [&NodeRow], sort: Option<&str>) -> Result<(), ApiError> {
    let Some(sort) = sort else { return Ok(()) };
    let (descending, key) = match sort.strip_prefix('-') {
        Some(key) => (true, key),
        None => (false, sort),
    };
    if !SORT_KEYS.contains(&key) {
        return Err(ApiError::bad_parameter(
            "sort",
            format!(
                "`sort` must be one of {} (prefix - for descending), got `{}`",
                SORT_KEYS.join(", "),
                truncate(sort)
            ),
        ));
    }
    // held / capacity in per-mille (a sort key only, never shown).
    let utilization = |r: &NodeRow| {
        r.ip_capacity
            .filter(|c| *c > 0)
            .map(|c| u64::from(r.held_ips) * 1000 / u64::from(c))
    };
    // Unknown values (no pod counts, no capacity, Linux without DSR) sort last in both directions.
    let known_first = |a: bool, b: bool| b.cmp(&a);
    rows.sort_by(|a, b| {
        let unknown = match key {
            "used_ips" => Some((a.used_ips.is_some(), b.used_ips.is_some())),
            "ip_capacity" => Some((a.ip_capacity.is_some(), b.ip_capacity.is_some())),
            "dsr" => Some((a.dsr.is_some(), b.dsr.is_some())),
            "utilization" => Some((utilization(a).is_some(), utilization(b).is_some())),
            _ => None,
        };
        if let Some((a_known, b_known)) = unknown
            && a_known != b_known
        {
            return known_first(a_known, b_known);
        }
        let ordering = match key {
            "cluster" => (&a.region, &a.cluster).cmp(&(&b.region, &b.cluster)),
            "nodegroup" => a.nodegroup.cmp(&b.nodegroup),
            "instance_id" => a.instance_id.cmp(&b.instance_id),
            "instance_type" => a.instance_type.cmp(&b.instance_type),
            "os" => a.os.cmp(&b.os),
            "ip_mode" => a.ip_mode.cmp(&b.ip_mode),
            "held_ips" => a.held_ips.cmp(&b.held_ips),
            "used_ips" => a.used_ips.cmp(&b.used_ips),
            "ip_capacity" => a.ip_capacity.cmp(&b.ip_capacity),
            "prefixes" => a.prefixes.cmp(&b.prefixes),
            "dsr" => a.dsr.cmp(&b.dsr),
            "utilization" => utilization(a).cmp(&utilization(b)),
            _ => a.launch_time.cmp(&b.launch_time),
        };
        if descending {
            ordering.reverse()
        } else {
            ordering
        }
    });
    Ok(())
}

/// The rows of `view` matching the request's filters, sorted.
pub fn filtered_rows<'v>(
    params: &QueryParams,
    view: &'v FleetView,
) -> Result<Vec<&'v NodeRow>, ApiError> {
    let filter = NodeFilter::parse(params, view)?;
    let mut rows: Vec<&NodeRow> = view.nodes.iter().filter(|r| filter.matches(r)).collect();
    sort_rows(&mut rows, params.optional("sort")?)?;
    Ok(rows)
}

async fn nodes(
    State(state): State<AppState>,
    params: QueryParams,
) -> Result<Json<NodePage>, ApiError> {
    let mut allowed = NODE_FILTERS.to_vec();
    allowed.extend(["sort", "limit", "offset"]);
    params.allow_only(&allowed)?;
    let current = current(&state).await?;
    let rows = filtered_rows(&params, &current.view)?;
    let limit = params
        .u32_in("limit", 1..=MAX_PAGE)?
        .unwrap_or(DEFAULT_PAGE) as usize;
    let offset = params.u32_in("offset", 0..=u32::MAX)?.unwrap_or(0) as usize;
    let ips = fleet::ip_totals(rows.iter().copied());
    Ok(Json(NodePage {
        total: rows.len(),
        offset,
        limit,
        ips,
        nodes: rows.into_iter().skip(offset).take(limit).cloned().collect(),
    }))
}

async fn node(
    State(state): State<AppState>,
    Path(instance_id): Path<String>,
    params: QueryParams,
) -> Result<Response, ApiError> {
    params.allow_only(&[])?;
    let current = current(&state).await?;
    if current.view.node(&instance_id).is_none() {
        return Err(ApiError::not_found(
            "node_not_found",
            format!(
                "no node {} in this snapshot; GET /api/v1/nodes lists them",
                truncate(&instance_id)
            ),
        ));
    }
    let (snapshot, table) = (Arc::clone(&current.snapshot), Arc::clone(&current.table));
    let id = instance_id.clone();
    let detail = tokio::task::spawn_blocking(move || fleet::node_detail(&snapshot, &table, &id))
        .await
        .ok()
        .flatten()
        .ok_or_else(|| {
            ApiError::not_found(
                "node_not_found",
                format!("no node {} in this snapshot", truncate(&instance_id)),
            )
        })?;
    Ok(Json(detail).into_response())
}

/// Subnets matching `region=`, `cluster=` and `at_risk=`.
pub fn filtered_subnets<'v>(
    params: &QueryParams,
    view: &'v FleetView,
) -> Result<Vec<&'v SubnetRow>, ApiError> {
    let region = region_filter(params, view)?;
    // Every cluster of that name (one per region unless `region=` narrows it).
    let clusters: Option<Vec<_>> = cluster_filter(params, view, region)?.map(|name| {
        view.clusters
            .iter()
            .filter(|c| c.name == name && region.is_none_or(|r| c.region == r))
            .collect()
    });
    let at_risk = match params.optional("at_risk")? {
        None => None,
        Some(_) => Some(params.bool("at_risk", false)?),
    };
    Ok(view
        .subnets
        .iter()
        .filter(|s| region.is_none_or(|r| s.region == r))
        .filter(|s| {
            clusters
                .as_ref()
                .is_none_or(|cs| cs.iter().any(|c| c.subnet_ids.contains(&s.subnet_id)))
        })
        .filter(|s| at_risk.is_none_or(|want| s.at_risk == want))
        .collect())
}

async fn subnets(
    State(state): State<AppState>,
    params: QueryParams,
) -> Result<Json<SubnetList>, ApiError> {
    params.allow_only(&["region", "cluster", "at_risk"])?;
    let current = current(&state).await?;
    let rows = filtered_subnets(&params, &current.view)?;
    Ok(Json(SubnetList {
        total: rows.len(),
        at_risk: rows.iter().filter(|s| s.at_risk).count(),
        subnets: rows.into_iter().cloned().collect(),
    }))
}

async fn subnet(
    State(state): State<AppState>,
    Path(subnet_id): Path<String>,
    params: QueryParams,
) -> Result<Json<SubnetDetail>, ApiError> {
    params.allow_only(&[])?;
    let current = current(&state).await?;
    let row = current.view.subnet(&subnet_id).cloned().ok_or_else(|| {
        ApiError::not_found(
            "subnet_not_found",
            format!(
                "no subnet {} in this snapshot; GET /api/v1/subnets lists them",
                truncate(&subnet_id)
            ),
        )
    })?;
    let block_map = current
        .snapshot
        .subnet(&subnet_id)
        .and_then(fleet::subnet_block_map);
    Ok(Json(SubnetDetail {
        subnet: row,
        block_map,
    }))
}

async fn dsr(
    State(state): State<AppState>,
    params: QueryParams,
) -> Result<Json<DsrBoard>, ApiError> {
    params.allow_only(&["cluster", "region", "status"])?;
    let current = current(&state).await?;
    let view = &current.view;
    let region = region_filter(&params, view)?;
    let cluster = cluster_filter(&params, view, region)?;
    let status = match params.optional("status")? {
        None => None,
        Some(value) => Some(parse_dsr_status("status", value)?),
    };
    let rows = current
        .dsr_board
        .iter()
        .filter(|r| region.is_none_or(|x| r.region == x))
        .filter(|r| cluster.is_none_or(|x| r.cluster == x))
        .filter(|r| status.is_none_or(|x| r.assessment.status == x))
        .cloned()
        .collect();
    Ok(Json(DsrBoard::new(view, rows)))
}

async fn findings(
    State(state): State<AppState>,
    params: QueryParams,
) -> Result<Json<FindingList>, ApiError> {
    params.allow_only(&["severity", "code", "cluster", "region"])?;
    let current = current(&state).await?;
    let view = &current.view;
    let region = region_filter(&params, view)?;
    let cluster = cluster_filter(&params, view, region)?;
    let severity = match params.optional("severity")? {
        None => None,
        Some(value) => Some(
            serde_json::from_value::<Severity>(serde_json::Value::String(
                value.to_ascii_lowercase(),
            ))
            .map_err(|_| {
                ApiError::bad_parameter(
                    "severity",
                    format!(
                        "`severity` must be critical, high, medium, low or info, got `{}`",
                        truncate(value)
                    ),
                )
            })?,
        ),
    };
    let code = match params.optional("code")? {
        None => None,
        Some(value) => {
            let upper = value.to_ascii_uppercase();
            if !CATALOG.iter().any(|k| k.code == upper) {
                return Err(ApiError::bad_parameter(
                    "code",
                    format!("unknown finding code `{}`", truncate(value)),
                )
                .with_suggestions(CATALOG.iter().map(|k| k.code.to_string()).collect()));
            }
            Some(upper)
        }
    };
    let rows = current
        .findings
        .iter()
        .filter(|f| severity.is_none_or(|s| f.severity == s))
        .filter(|f| code.as_deref().is_none_or(|c| f.code == c))
        .filter(|f| region.is_none_or(|r| f.region.as_deref() == Some(r)))
        .filter(|f| cluster.is_none_or(|c| f.cluster.as_deref() == Some(c)))
        .cloned()
        .collect();
    Ok(Json(FindingList::new(rows)))
}

/// The snapshot exactly as loaded (`Snapshot` JSON, readable by `eniscope serve --snapshot`).
async fn raw_snapshot(
    State(state): State<AppState>,
    params: QueryParams,
) -> Result<Response, ApiError> {
    params.allow_only(&[])?;
    let current = current(&state).await?;
    let body = serde_json::to_vec(current.snapshot.as_ref()).map_err(|e| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "serialize_failed",
            format!("cannot serialize the snapshot: {e}"),
        )
    })?;
    Ok((
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response())
}

#[cfg(test)]
mod tests;
