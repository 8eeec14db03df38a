//! HTTP handlers. Thin: they parse input into `shared` types, call `shared`, and serialize the result.
//!
//! Layout of the whole app (see [`router`]):
//! - `/api/v1/...`: one sub-router per area (`instance_types`, `maxpods`, `whatif`, and the fleet routes
//!   of issue 3), each a `pub fn routes() -> Router<AppState>` with paths relative to `/api/v1`;
//! - `/healthz`, `/readyz`, `/metrics` (`ops`);
//! - everything else: the frontend bundle (`static_files`).

pub mod errors;
pub mod export;
pub mod fleet;
pub mod instance_types;
pub mod maxpods;
pub mod nodegroup_whatif;
pub mod ops;
pub mod query;
pub mod types;
pub mod whatif;

#[cfg(test)]
mod tests;

use crate::state::AppState;
use axum::Router;
use axum::routing::any;
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

/// Every `/api/v1` route. To add an area: write `api/<area>.rs` with `pub fn routes() -> Router<AppState>`
/// and add one `.merge(<area>::routes())` line here, above the fallbacks.
fn api_v1_routes() -> Router<AppState> {
    Router::new()
        .merge(instance_types::routes())
        .merge(maxpods::routes())
        .merge(whatif::routes())
        .merge(nodegroup_whatif::routes())
        .merge(fleet::routes())
        .merge(export::routes())
        // Must come after every route: it applies to the routes registered so far.
        .method_not_allowed_fallback(errors::api_method_not_allowed)
        .fallback(errors::api_route_not_found)
}

/// The whole application: API, ops endpoints, frontend bundle, with request metrics, tracing and
/// gzip on every response.
pub fn router(state: AppState) -> Router {
    Router::new()
        .nest("/api/v1", api_v1_routes())
        // `/api/v2`, `/api/foo`: JSON 404 too, never the SPA's index.html.
        .route("/api/{*rest}", any(errors::api_route_not_found))
        .merge(ops::routes())
        .merge(crate::static_files::router(state.dist_dir.clone()))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            ops::track_metrics,
        ))
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
