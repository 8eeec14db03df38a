//! What-if: `shared::whatif::evaluate` behind HTTP. Pure and validated: the same scenario gives the
//! same result here and in the browser, which runs the same function.
//!
//! - `POST /api/v1/what-if` with a `Scenario` JSON body → `WhatIfResult`;
//! - `GET /api/v1/what-if?instance_type=…&os=…&nodes=…` with the what-if page's URL query → `WhatIfResult`;
//! - `POST /api/v1/what-if/compare` with `{"before": Scenario, "after": Scenario}` → both results and
//!   the deltas (`shared::whatif::compare`).

use crate::api::errors::{ApiError, quoted};
use crate::api::query::{ApiJson, QueryParams};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use shared::whatif::{
    Comparison, Scenario, WhatIfError, WhatIfResult, compare, evaluate, scenario_from_query,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/what-if", post(post_what_if).get(get_what_if))
        .route("/what-if/compare", post(post_compare))
}

impl From<WhatIfError> for ApiError {
    fn from(error: WhatIfError) -> Self {
        let message = error.to_string();
        match error {
            WhatIfError::UnknownInstanceType { suggestions, .. } => {
                ApiError::not_found("unknown_instance_type", message).with_suggestions(suggestions)
            }
            // The body parsed, but the scenario cannot be evaluated as given.
            other => ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, other.code(), message),
        }
    }
}

async fn post_what_if(
    State(state): State<AppState>,
    ApiJson(scenario): ApiJson<Scenario>,
) -> Result<Json<WhatIfResult>, ApiError> {
    Ok(Json(evaluate_checked(&scenario, &state)?))
}

/// `evaluate`, refusing absurdly long instance-type names first: the shared error message echoes the
/// name, and a 20 kB name must not come back in the reply.
fn evaluate_checked(scenario: &Scenario, state: &AppState) -> Result<WhatIfResult, ApiError> {
    const LONGEST_PLAUSIBLE_NAME: usize = 64;
    if scenario.instance_type.len() > LONGEST_PLAUSIBLE_NAME {
        return Err(ApiError::not_found(
            "unknown_instance_type",
            format!(
                "unknown instance type {}: no instance type has a name that long; check the spelling (e.g. m5.large)",
                quoted(&scenario.instance_type)
            ),
        ));
    }
    Ok(evaluate(scenario, &state.instance_types)?)
}

/// The what-if page's shareable URL state (`/what-if?instance_type=m5.large&os=windows&nodes=10…`).
async fn get_what_if(
    State(state): State<AppState>,
    query: QueryParams,
) -> Result<Json<WhatIfResult>, ApiError> {
    let scenario = scenario_from_query(query.pairs()).map_err(|errors| {
        let parameter = errors
            .errors
            .first()
            .map(|e| e.field.clone())
            .unwrap_or_default();
        ApiError::bad_parameter(&parameter, errors.to_string())
    })?;
    Ok(Json(evaluate_checked(&scenario, &state)?))
}

#[derive(Debug, Clone, Deserialize)]
pub struct CompareRequest {
    pub before: Scenario,
    pub after: Scenario,
}

#[derive(Debug, Clone, Serialize)]
pub struct CompareResponse {
    pub before: WhatIfResult,
    pub after: WhatIfResult,
    pub comparison: Comparison,
}

async fn post_compare(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<CompareRequest>,
) -> Result<Json<CompareResponse>, ApiError> {
    let before = evaluate_checked(&request.before, &state).map_err(|e| prefixed("before", e))?;
    let after = evaluate_checked(&request.after, &state).map_err(|e| prefixed("after", e))?;
    let comparison = compare(&before, &after);
    Ok(Json(CompareResponse {
        before,
        after,
        comparison,
    }))
}

/// Say which of the two scenarios is at fault.
fn prefixed(which: &str, mut api_error: ApiError) -> ApiError {
    api_error.body.message = format!("{which}: {}", api_error.body.message);
    api_error
}
