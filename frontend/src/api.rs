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
    let json = crate::components::json::Json::parse(body)
        .ok_or_else(|| "the body is not JSON".to_string());
    let table = json.and_then(crate::decode::instance_type_table).map_err(|error| {
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

/// The `message` of the server's error body, or the start of the body itself.
fn error_message(body: &str) -> String {
    crate::components::json::error_parts(body)
        .map(|(_, message)| message)
        .unwrap_or_else(|| body.chars().take(200).collect())
}

// ---------------------------------------------------------------------------------------------
// Fleet dashboard (fleet overview, cluster and node pages). The responses are `shared::fleet`
// types; the dashboard pages read them as `Json` (see `components/json.rs` for why).
// ---------------------------------------------------------------------------------------------

/// A failed API call, phrased for the user: the HTTP status (`None` when the server was not
/// reached), the API's stable error `code` when it sent one, and a message that says what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiFailure {
    pub status: Option<u16>,
    pub code: Option<String>,
    pub message: String,
}

impl ApiFailure {
    /// 503 from the fleet endpoints: no snapshot is loaded yet (a scan is running, or none was given).
    pub fn is_no_snapshot(&self) -> bool {
        self.status == Some(503)
    }

    pub fn is_not_found(&self) -> bool {
        self.status == Some(404)
    }
}

impl std::fmt::Display for ApiFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// Turn a non-2xx reply into an [`ApiFailure`] (the API's message when the body is its error JSON).
pub fn api_failure(url: &str, status: u16, body: &str) -> ApiFailure {
    match crate::components::json::error_parts(body) {
        Some((code, message)) => ApiFailure {
            status: Some(status),
            code,
            message,
        },
        None => ApiFailure {
            status: Some(status),
            code: None,
            message: format!(
                "{url} answered HTTP {status}: {}",
                body.chars().take(200).collect::<String>()
            ),
        },
    }
}

/// A 2xx body this page cannot read: page and server are different builds.
fn unreadable(url: &str, why: &dyn std::fmt::Display) -> ApiFailure {
    ApiFailure {
        status: None,
        code: None,
        message: format!(
            "{url} sent data this page cannot read ({why}); reload the page, and if it persists rebuild \
             with `cargo xtask dist` so page and server are the same version"
        ),
    }
}

/// Decode the body of `…/nodegroups/{nodegroup}/observed` (see `decode.rs` for why not serde).
pub fn parse_observed_nodegroup(
    url: &str,
    body: &str,
) -> Result<shared::observed::ObservedNodegroup, ApiFailure> {
    let json = crate::components::json::Json::parse(body)
        .ok_or_else(|| unreadable(url, &"the body is not JSON"))?;
    crate::decode::observed_nodegroup(json).map_err(|error| unreadable(url, &error))
}

/// GET `url`: the 2xx body, or the failure phrased for the user.
async fn get_body(url: &str) -> Result<String, ApiFailure> {
    let response = gloo_net::http::Request::get(url)
        .send()
        .await
        .map_err(|error| ApiFailure {
            status: None,
            code: None,
            message: format!(
                "could not reach the eniscope server ({error}); is `eniscope serve` still running?"
            ),
        })?;
    let status = response.status();
    let body = response.text().await.map_err(|error| ApiFailure {
        status: Some(status),
        code: None,
        message: format!("the reply from {url} could not be read ({error})"),
    })?;
    if !(200..300).contains(&status) {
        return Err(api_failure(url, status, &body));
    }
    Ok(body)
}

/// GET `url` and parse its JSON with the browser's parser (the dashboard pages).
pub async fn get_json(url: &str) -> Result<crate::components::json::Json, ApiFailure> {
    let body = get_body(url).await?;
    crate::components::json::Json::parse(&body).ok_or_else(|| ApiFailure {
        status: None,
        code: None,
        message: format!(
            "{url} sent something that is not JSON; reload the page, and if it persists check that \
             this is the eniscope server"
        ),
    })
}

/// Percent-encode one URL path segment or query value (RFC 3986 unreserved characters stay).
pub fn encode_component(text: &str) -> String {
    crate::what_if_form::percent_encode(text, b"")
}

pub const FLEET_URL: &str = "/api/v1/fleet";

/// `/api/v1/clusters/{region}/{name}`.
pub fn cluster_url(region: &str, name: &str) -> String {
    format!(
        "/api/v1/clusters/{}/{}",
        encode_component(region),
        encode_component(name)
    )
}

/// `/api/v1/nodes/{instance_id}`.
pub fn node_url(instance_id: &str) -> String {
    format!("/api/v1/nodes/{}", encode_component(instance_id))
}

/// `/api/v1/subnets/{subnet_id}` (the row and its /28 block map).
pub fn subnet_url(subnet_id: &str) -> String {
    format!("/api/v1/subnets/{}", encode_component(subnet_id))
}

/// `/api/v1/export/{file}?cluster=…&region=…` (`nodes.csv`, `nodes.json`, `subnets.csv`).
pub fn cluster_export_url(file: &str, region: &str, cluster: &str) -> String {
    format!(
        "/api/v1/export/{file}?cluster={}&region={}",
        encode_component(cluster),
        encode_component(region)
    )
}

// ---------------------------------------------------------------------------------------------
// DSR board (`pages/dsr.rs`) and the nodegroup what-if (`pages/nodegroup_what_if.rs`).
// ---------------------------------------------------------------------------------------------

/// `/api/v1/{path}?k=v&…` with only the filters that are set.
pub fn url_with_filters(path: &str, filters: &[(&str, Option<&str>)]) -> String {
    let mut url = path.to_string();
    for (key, value) in filters {
        if let Some(value) = value {
            url.push(if url.contains('?') { '&' } else { '?' });
            url.push_str(key);
            url.push('=');
            url.push_str(&encode_component(value));
        }
    }
    url
}

/// `/api/v1/dsr?region=…&cluster=…&status=…` (each filter only when set).
pub fn dsr_url(region: Option<&str>, cluster: Option<&str>, status: Option<&str>) -> String {
    url_with_filters(
        "/api/v1/dsr",
        &[("region", region), ("cluster", cluster), ("status", status)],
    )
}

/// The board (`shared::fleet::DsrBoard` JSON) read with `JSON.parse`, no serde.
pub async fn fetch_dsr_board(url: &str) -> Result<crate::components::json::Json, ApiFailure> {
    get_json(url).await
}

/// `/api/v1/clusters/{region}/{name}/nodegroups/{nodegroup}/observed`.
pub fn observed_nodegroup_url(region: &str, cluster: &str, nodegroup: &str) -> String {
    format!(
        "{}/nodegroups/{}/observed",
        cluster_url(region, cluster),
        encode_component(nodegroup)
    )
}

pub async fn fetch_observed_nodegroup(
    region: &str,
    cluster: &str,
    nodegroup: &str,
) -> Result<shared::observed::ObservedNodegroup, ApiFailure> {
    let url = observed_nodegroup_url(region, cluster, nodegroup);
    parse_observed_nodegroup(&url, &get_body(&url).await?)
}

/// The instance-type table, fetched once per load of the app and shared by every page that needs it
/// (it changes only when the server is upgraded).
#[cfg(target_arch = "wasm32")]
pub async fn instance_types_cached() -> Result<std::sync::Arc<InstanceTypeTable>, LoadError> {
    thread_local! {
        static CACHE: std::cell::RefCell<Option<std::sync::Arc<InstanceTypeTable>>> =
            const { std::cell::RefCell::new(None) };
    }
    if let Some(table) = CACHE.with(|cache| cache.borrow().clone()) {
        return Ok(table);
    }
    let table = std::sync::Arc::new(fetch_instance_types().await?);
    CACHE.with(|cache| *cache.borrow_mut() = Some(std::sync::Arc::clone(&table)));
    Ok(table)
}
