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

/// The part of `GET /api/v1/instance-types` the calculator needs: each row is an
/// `InstanceTypeLimits` flattened with a max-pods summary (server `api/types.rs` `InstanceTypeList`);
/// the summary is ignored because the browser recomputes every number with `shared`.
#[derive(Debug, serde::Deserialize)]
struct InstanceTypeListBody {
    source: String,
    instance_types: Vec<shared::InstanceTypeLimits>,
}

/// Parse the body of `GET /api/v1/instance-types` into a table sorted by name, ready for lookups.
pub fn parse_instance_types(body: &str) -> Result<InstanceTypeTable, LoadError> {
    let list: InstanceTypeListBody = serde_json::from_str(body).map_err(|error| {
        LoadError(format!(
            "the server sent an instance-type list this page cannot read ({error}); reload the page, and if it \
             persists rebuild with `cargo xtask dist` so page and server are the same version"
        ))
    })?;
    let mut types = list.instance_types;
    // `InstanceTypeTable::get` binary-searches by name.
    types.sort_by(|a, b| a.instance_type.cmp(&b.instance_type));
    types.dedup_by(|a, b| a.instance_type == b.instance_type);
    if types.is_empty() {
        return Err(LoadError("the server's instance-type table is empty; regenerate it with `cargo xtask gen-instance-types`".into()));
    }
    Ok(InstanceTypeTable {
        source: list.source,
        types,
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
