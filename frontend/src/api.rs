//! Talking to the eniscope server (`/api/v1`). Only data comes from here; every number is computed
//! in the browser by `shared`.

use shared::InstanceTypeTable;

/// Where the instance-type table is served (server `src/api`).
pub const INSTANCE_TYPES_URL: &str = "/api/v1/instance-types";

/// Why the instance-type table could not be loaded, phrased for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError(pub String);

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Parse the body of `GET /api/v1/instance-types`: a superset of `InstanceTypeTable`'s JSON
/// (`source`, `types`; each row an `InstanceTypeLimits` plus a max-pods summary, ignored here because
/// the browser recomputes every number with `shared`). Validated and sorted for lookups.
pub fn parse_instance_types(body: &str) -> Result<InstanceTypeTable, LoadError> {
    let table = InstanceTypeTable::from_json(body).map_err(|error| {
        LoadError(format!(
            "the server sent an instance-type table this page cannot read ({error}); reload the page, and if it \
             persists rebuild with `cargo xtask dist` so page and server are the same version"
        ))
    })?;
    if table.types.is_empty() {
        return Err(LoadError(
            "the server's instance-type table is empty; regenerate it with `cargo xtask gen-instance-types`".into(),
        ));
    }
    Ok(table)
}

/// Fetch the instance-type table from the server.
pub async fn fetch_instance_types() -> Result<InstanceTypeTable, LoadError> {
    let response = gloo_net::http::Request::get(INSTANCE_TYPES_URL).send().await.map_err(|error| {
        LoadError(format!("could not reach the eniscope server at {INSTANCE_TYPES_URL} ({error}); is `eniscope serve` running?"))
    })?;
    let status = response.status();
    let body = response.text().await.map_err(|error| {
        LoadError(format!(
            "the instance-type response could not be read ({error})"
        ))
    })?;
    if !(200..300).contains(&status) {
        return Err(LoadError(format!(
            "{INSTANCE_TYPES_URL} answered HTTP {status}: {}",
            error_message(&body)
        )));
    }
    parse_instance_types(&body)
}

/// `{"error": {"code": …, "message": …}}`, the server's error body (typed, so no `serde_json::Value`
/// code lands in the wasm).
#[derive(serde::Deserialize)]
struct ErrorReply {
    error: ErrorBody,
}

#[derive(serde::Deserialize)]
struct ErrorBody {
    message: String,
}

/// The `message` of an error body, or the start of the body itself.
fn error_message(body: &str) -> String {
    serde_json::from_str::<ErrorReply>(body)
        .map(|reply| reply.error.message)
        .unwrap_or_else(|_| body.chars().take(200).collect())
}
