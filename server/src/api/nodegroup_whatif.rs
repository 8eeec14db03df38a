//! `GET /api/v1/clusters/{region}/{name}/nodegroups/{nodegroup}/observed`: one nodegroup as observed
//! (`shared::observed::ObservedNodegroup`), the starting point of the nodegroup what-if page. The
//! browser turns it into the "before" scenario and recomputes every "after" itself with
//! `shared::observed::evaluate_observed`; this handler only looks the nodegroup up.
//!
//! `nodegroup` is the name as on the cluster page; `(ungrouped)` (`shared::fleet::UNGROUPED`) is the
//! set of the cluster's nodes in no nodegroup.

use crate::api::errors::ApiError;
use crate::api::fleet::current;
use crate::api::query::QueryParams;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use shared::observed::{ObserveError, ObservedNodegroup, observe_nodegroup};
use std::sync::Arc;

pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/clusters/{region}/{name}/nodegroups/{nodegroup}/observed",
        get(observed),
    )
}

async fn observed(
    State(state): State<AppState>,
    Path((region, name, nodegroup)): Path<(String, String, String)>,
    params: QueryParams,
) -> Result<Json<ObservedNodegroup>, ApiError> {
    params.allow_only(&[])?;
    let current = current(&state).await?;
    let (snapshot, table) = (Arc::clone(&current.snapshot), Arc::clone(&current.table));
    // Subnet lists of a large fleet hold tens of thousands of addresses: off the async runtime.
    let result = tokio::task::spawn_blocking(move || {
        observe_nodegroup(&snapshot, &table, &region, &name, &nodegroup)
    })
    .await
    .map_err(|e| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "analysis_failed",
            format!(
                "reading the nodegroup failed ({e}); please report this with the snapshot file"
            ),
        )
    })?;
    result.map(Json).map_err(|error| {
        let suggestions = match &error {
            ObserveError::NodegroupNotFound { .. } | ObserveError::ClusterNotFound { .. } => {
                current
                    .view
                    .nodegroups
                    .iter()
                    .map(|g| format!("{}/{}/{}", g.region, g.cluster, g.name))
                    .collect()
            }
            _ => Vec::new(),
        };
        let (status, code) = match error {
            ObserveError::ClusterNotFound { .. } => (StatusCode::NOT_FOUND, "cluster_not_found"),
            ObserveError::NodegroupNotFound { .. } => {
                (StatusCode::NOT_FOUND, "nodegroup_not_found")
            }
            ObserveError::OsUnknown { .. } | ObserveError::NoInstanceType { .. } => {
                (StatusCode::UNPROCESSABLE_ENTITY, "nodegroup_not_modelable")
            }
        };
        ApiError::new(status, code, error.to_string()).with_suggestions(suggestions)
    })
}

#[cfg(test)]
mod tests {
    use crate::api::router;
    use crate::state::{AppState, embedded_instance_types};
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use shared::Os;
    use shared::observed::{ObservedNodegroup, PodsBasis, Provenance};
    use shared::whatif::Scenario;
    use shared::whatif::evaluate;
    use std::path::PathBuf;
    use tower::ServiceExt as _;

    async fn get(uri: &str) -> (StatusCode, Vec<u8>) {
        let state = AppState::new(
            embedded_instance_types().expect("embedded table"),
            PathBuf::from("/nonexistent/eniscope-dist"),
        );
        let snapshot = crate::demo::demo_snapshot();
        let source = snapshot.source.clone();
        state.fleet.write().await.install(snapshot, source);
        let request = Request::builder()
            .uri(uri)
            .body(Body::empty())
            .expect("request");
        let response = router(state).oneshot(request).await.expect("infallible");
        let status = response.status();
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("body");
        (status, body.to_vec())
    }

    #[tokio::test]
    async fn observed_demo_nodegroup_reproduces_its_held_ips() {
        let (status, body) =
            get("/api/v1/clusters/eu-west-1/prod-eu/nodegroups/win2022-kube-proxy-args/observed")
                .await;
        assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
        let observed: ObservedNodegroup = serde_json::from_slice(&body).expect("json");
        assert_eq!(
            (observed.os, observed.instance_type.as_str()),
            (Os::Windows, "m5.large")
        );
        assert_eq!(observed.ipam, Provenance::Observed);
        assert_eq!(observed.pods_basis, PodsBasis::Observed);
        let table = embedded_instance_types().expect("table");
        let before = evaluate(&Scenario::from_observed(&observed), &observed.table(&table))
            .expect("evaluates");
        // The demo holds what the VPC RC keeps for its pods, so the model reproduces it.
        assert_eq!(before.totals.held_ips, observed.observed_held_ips());
        for (impact, subnet) in before.subnets.iter().zip(&observed.subnets) {
            assert_eq!(
                Some(impact.free_ips_after),
                subnet.available_ip_count.map(u64::from),
                "{:?}",
                subnet.state.subnet_id
            );
        }
    }

    #[tokio::test]
    async fn unknown_nodegroup_is_404_with_suggestions() {
        let (status, body) =
            get("/api/v1/clusters/eu-west-1/prod-eu/nodegroups/nope/observed").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let text = String::from_utf8_lossy(&body);
        assert!(text.contains("nodegroup_not_found"), "{text}");
        assert!(text.contains("eu-west-1/prod-eu/win2019-dsr"), "{text}");
        let (status, _) = get("/api/v1/clusters/eu-west-1/nope/nodegroups/x/observed").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) =
            get("/api/v1/clusters/eu-west-1/prod-eu/nodegroups/win2019-dsr/observed?x=1").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
    }
}
