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

/// Parse the body of `GET /api/v1/instance-types` into a validated table.
///
/// The rows are `InstanceTypeLimits` (extra fields the server adds are ignored); the table is
/// re-validated and sorted by `InstanceTypeTable::from_json` so lookups can binary-search.
pub fn parse_instance_types(body: &str) -> Result<InstanceTypeTable, LoadError> {
    InstanceTypeTable::from_json(body).map_err(|error| {
        LoadError(format!("the server sent an instance-type table eniscope cannot read ({error}); is the server the same version as this page?"))
    })
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

/// The `message` of an `{error: {code, message}}` body, or the body itself.
fn error_message(body: &str) -> String {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|value| {
            value
                .pointer("/error/message")
                .and_then(|m| m.as_str())
                .map(str::to_owned)
        })
        .unwrap_or_else(|| body.chars().take(200).collect())
}
