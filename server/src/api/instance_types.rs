//! `GET /api/v1/instance-types` and `GET /api/v1/instance-types/{type}`: the embedded limits table with
//! a max-pods summary per OS and IP mode (for the what-if page's searchable type picker).

use crate::api::errors::{ApiError, quoted};
use crate::api::maxpods::ranked_suggestions;
use crate::api::query::QueryParams;
use crate::api::types::{InstanceTypeList, InstanceTypeSummary, PodsBrief, PodsByMode};
use crate::state::AppState;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use shared::maxpods::max_pods;
use shared::{InstanceTypeLimits, MaxPodsOptions, Os};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/instance-types", get(list_instance_types))
        .route("/instance-types/{instance_type}", get(get_instance_type))
}

/// Pods on `os` with prefix delegation off and on (default options otherwise); `None` if `os` cannot
/// run this type.
fn pods_by_mode(limits: &InstanceTypeLimits, os: Os) -> Option<PodsByMode> {
    let secondary = max_pods(limits, os, MaxPodsOptions::default()).ok()?;
    let prefix = max_pods(
        limits,
        os,
        MaxPodsOptions {
            prefix_delegation: true,
            ..Default::default()
        },
    )
    .ok()?;
    Some(PodsByMode {
        secondary_ip: PodsBrief::from(&secondary),
        prefix_delegation: PodsBrief::from(&prefix),
    })
}

pub fn summarize(limits: &InstanceTypeLimits) -> InstanceTypeSummary {
    InstanceTypeSummary {
        limits: limits.clone(),
        nitro_or_bare_metal: limits.is_nitro_or_bare_metal(),
        windows: pods_by_mode(limits, Os::Windows),
        linux: pods_by_mode(limits, Os::Linux),
    }
}

/// `?os=windows|linux` keeps the types that OS can run; `?q=m5` keeps names containing `m5`.
async fn list_instance_types(
    State(state): State<AppState>,
    query: QueryParams,
) -> Result<Json<InstanceTypeList>, ApiError> {
    query.allow_only(&["os", "q"])?;
    let os = match query.optional("os")? {
        None => None,
        Some(_) => Some(query.parse_required::<Os>("os", "give `windows` or `linux`")?),
    };
    let needle = query
        .optional("q")?
        .map(|q| q.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let table = &state.instance_types;
    let types: Vec<InstanceTypeSummary> = table
        .types
        .iter()
        .filter(|t| os != Some(Os::Windows) || t.supports_windows())
        .filter(|t| needle.is_empty() || t.instance_type.contains(needle.as_str()))
        .map(summarize)
        .collect();
    Ok(Json(InstanceTypeList {
        source: table.source.clone(),
        count: types.len(),
        types,
    }))
}

async fn get_instance_type(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Json<InstanceTypeSummary>, ApiError> {
    let Path(name) =
        path.map_err(|rejection| ApiError::bad_parameter("instance_type", rejection.body_text()))?;
    let name = name.trim().to_ascii_lowercase();
    let table = &state.instance_types;
    match table.get(&name) {
        Some(limits) => Ok(Json(summarize(limits))),
        None => {
            let suggestions = ranked_suggestions(table, &name, 5);
            let hint = if suggestions.is_empty() {
                "list the known types with GET /api/v1/instance-types".to_string()
            } else {
                format!("did you mean {}?", suggestions.join(", "))
            };
            Err(ApiError::not_found(
                "unknown_instance_type",
                format!(
                    "unknown instance type {}: not in eniscope's instance-type table ({}); {hint}",
                    quoted(&name),
                    table.source
                ),
            )
            .with_suggestions(suggestions))
        }
    }
}
