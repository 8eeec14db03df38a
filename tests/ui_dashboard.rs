//! The fleet dashboard (overview `/`, cluster `/clusters/:region/:name`, node `/nodes/:instance_id`)
//! in a real headless Chromium over WebDriver (chromedriver + fantoccini), against
//! `eniscope serve --demo` and the built bundle in `dist/`.
//!
//! Every expectation is read from the same server's JSON API (`shared::fleet` types), never typed in:
//! the page must show what the API says. Covers: each page loads with no console error; fleet →
//! cluster → node by clicking; sorting, filtering and paging the node table; the back button; deep
//! URLs opened directly (with the table state in the query); the demo banner; the card of a cluster
//! with a scan error shows that error while the others render; without a snapshot (the scan could
//! not reach AWS) the overview shows the server's reason and how to load a fleet. Saves screenshots under
//! `target/screenshots/` (fleet.png, cluster.png, node.png and full-page variants) and measures the
//! overview's first meaningful paint (cluster cards in the DOM) with `performance.now()` — printed
//! and written to `target/screenshots/fleet-paint.json`, not asserted (benchmarks are not tests).
//!
//! Needs: `dist/` (`cargo xtask build`), the `eniscope` binary (`cargo build -p server`),
//! chromedriver and Chromium — `cargo xtask test` builds and installs all of them.

mod ui_common;

use e2e::{EniscopeServer, free_port, target_dir, try_eniscope_bin};
use fantoccini::{Client, Locator};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use shared::fleet::{
    ClusterDetail, ClusterSummary, FleetOverview, NodeDetail, NodePage, SubnetDetail,
};
use std::ffi::OsStr;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use ui_common::{ChromeDriver, HOW_TO_FIX, WAIT, browser, dist_dir, js};

/// Rows per page of the node table (frontend `components::node_table::NODES_PER_PAGE`).
const NODES_PER_PAGE: usize = 50;

/// The server, chromedriver and one Chromium session, torn down on drop.
struct Session {
    server: EniscopeServer,
    driver: ChromeDriver,
    client: Client,
    /// The WebDriver session (`driver` ends it on drop, also after a failed assertion).
    session_id: String,
    _profile: tempfile::TempDir,
}

impl Session {
    /// `eniscope serve --demo`.
    async fn start() -> Self {
        let dist = dist_dir();
        let server =
            EniscopeServer::start(&[OsStr::new("--demo"), OsStr::new("--dist"), dist.as_os_str()])
                .unwrap_or_else(|error| panic!("cannot start eniscope serve --demo: {error:#}"));
        Self::with_server(server).await
    }

    /// A browser on `server`.
    async fn with_server(server: EniscopeServer) -> Self {
        if let Err(error) = try_eniscope_bin() {
            panic!("{error:#}; {HOW_TO_FIX}");
        }
        let driver = ChromeDriver::start().await;
        let profile = tempfile::tempdir().expect("a Chromium profile directory");
        let client = browser(&driver, profile.path()).await;
        let session_id = client
            .session_id()
            .await
            .ok()
            .flatten()
            .expect("a WebDriver session id");
        Self {
            server,
            driver,
            client,
            session_id,
            _profile: profile,
        }
    }

    fn url(&self, path: &str) -> String {
        self.server.url(path)
    }

    /// GET an API path and parse it as the `shared` type the server serializes.
    async fn api<T: DeserializeOwned>(&self, path: &str) -> T {
        let reply = reqwest::get(self.url(path))
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"));
        let status = reply.status();
        let body = reply.text().await.expect("API body");
        assert!(status.is_success(), "GET {path}: HTTP {status}: {body}");
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("GET {path}: {e}: {body}"))
    }

    /// No console error since the last check (a marker proves the log is read); the server log on failure.
    async fn assert_no_console_errors(&self, page: &str) {
        self.assert_console_errors_only(page, &[]).await;
    }

    /// Console errors only of the kinds `allowed` (e.g. the browser's line for an expected 404).
    async fn assert_console_errors_only(&self, page: &str, allowed: &[&str]) {
        let log = format!("server log:\n{}", self.server.log());
        ui_common::assert_console_errors_only(&self.client, &self.driver, page, &log, allowed)
            .await;
    }

    /// A Chrome DevTools command through chromedriver (`goog/cdp/execute`).
    async fn cdp(&self, cmd: &str, params: Value) -> Value {
        let session = &self.session_id;
        let reply = reqwest::Client::new()
            .post(
                self.driver
                    .url(&format!("/session/{session}/goog/cdp/execute")),
            )
            .json(&json!({ "cmd": cmd, "params": params }))
            .send()
            .await
            .expect("chromedriver CDP endpoint");
        let status = reply.status();
        let body: Value = reply.json().await.expect("CDP reply JSON");
        assert!(status.is_success(), "CDP {cmd}: HTTP {status}: {body}");
        body
    }
}

/// Poll `script` until it returns `true`; fail with `what` and the last value of `detail`.
async fn wait_until(client: &Client, what: &str, script: &str, args: Vec<Value>) {
    let deadline = Instant::now() + WAIT;
    loop {
        if js(client, script, args.clone()).await == Value::Bool(true) {
            return;
        }
        if Instant::now() >= deadline {
            let url = client
                .current_url()
                .await
                .map(|u| u.to_string())
                .unwrap_or_default();
            let body: String = js(
                client,
                "return document.body ? document.body.innerText : '';",
                vec![],
            )
            .await
            .as_str()
            .unwrap_or_default()
            .chars()
            .take(1500)
            .collect();
            panic!("timed out waiting until {what} (at {url}); page text:\n{body}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn text_of(client: &Client, css: &str) -> String {
    js(
        client,
        "const el = document.querySelector(arguments[0]); return el ? el.textContent.trim() : null;",
        vec![json!(css)],
    )
    .await
    .as_str()
    .unwrap_or_else(|| panic!("no element {css}"))
    .to_string()
}

async fn attr_of(client: &Client, css: &str, name: &str) -> Option<String> {
    js(
        client,
        "const el = document.querySelector(arguments[0]); return el ? el.getAttribute(arguments[1]) : null;",
        vec![json!(css), json!(name)],
    )
    .await
    .as_str()
    .map(str::to_owned)
}

async fn count(client: &Client, css: &str) -> usize {
    js(
        client,
        "return document.querySelectorAll(arguments[0]).length;",
        vec![json!(css)],
    )
    .await
    .as_u64()
    .unwrap_or(0) as usize
}

/// `data-instance` of the node rows, in order.
async fn row_ids(client: &Client) -> Vec<String> {
    let ids = js(
        client,
        "return Array.from(document.querySelectorAll('#node-rows tr[data-instance]')).map(r => r.dataset.instance);",
        vec![],
    )
    .await;
    ids.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Wait until the table shows exactly `expected` (ids in order) and is no longer updating.
async fn wait_for_rows(client: &Client, expected: &[String], what: &str) {
    let script = "const ids = Array.from(document.querySelectorAll('#node-rows tr[data-instance]')).map(r => r.dataset.instance);
                  const busy = document.querySelector('.table-scroll[aria-busy=\"true\"]');
                  return !busy && JSON.stringify(ids) === JSON.stringify(arguments[0]);";
    let deadline = Instant::now() + WAIT;
    loop {
        if js(client, script, vec![json!(expected)]).await == Value::Bool(true) {
            return;
        }
        if Instant::now() >= deadline {
            let shown = row_ids(client).await;
            panic!("{what}: the table shows {shown:?}, the API says {expected:?}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn click(client: &Client, css: &str) {
    client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("click {css}: {e}"));
}

async fn wait_for_path(client: &Client, path_and_query: &str) {
    let deadline = Instant::now() + WAIT;
    loop {
        let url = client.current_url().await.expect("current URL");
        let current = match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_string(),
        };
        if current == path_and_query {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the address bar shows {current}, expected {path_and_query}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn screenshot_dir() -> PathBuf {
    let dir = target_dir().join("screenshots");
    std::fs::create_dir_all(&dir).expect("create target/screenshots");
    dir
}

/// The viewport (1280 × 900) as `name`, then the whole page as `<name>-full.png`.
async fn screenshots(client: &Client, name: &str) {
    let dir = screenshot_dir();
    js(client, "window.scrollTo(0, 0); return true;", vec![]).await;
    let png = client.screenshot().await.expect("screenshot");
    std::fs::write(dir.join(format!("{name}.png")), png).expect("write the screenshot");
    let height = js(
        client,
        "return Math.ceil(document.documentElement.scrollHeight);",
        vec![],
    )
    .await
    .as_u64()
    .unwrap_or(900)
    .clamp(900, 8000) as u32;
    client
        .set_window_size(1280, height)
        .await
        .expect("resize for a full-page screenshot");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let png = client.screenshot().await.expect("full-page screenshot");
    std::fs::write(dir.join(format!("{name}-full.png")), png).expect("write the screenshot");
    client
        .set_window_size(1280, 900)
        .await
        .expect("restore the window size");
}

fn cluster_path(cluster: &ClusterSummary) -> String {
    format!("/clusters/{}/{}", cluster.region, cluster.name)
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                char::from(b).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

fn nodes_api(cluster: &ClusterSummary, extra: &str) -> String {
    format!(
        "/api/v1/nodes?cluster={}&region={}&limit={NODES_PER_PAGE}{extra}",
        encode(&cluster.name),
        encode(&cluster.region)
    )
}

fn ids(page: &NodePage) -> Vec<String> {
    page.nodes.iter().map(|n| n.instance_id.clone()).collect()
}

/// Records `performance.now()` when the first cluster card enters the DOM, on every page load.
const FIRST_CARDS_PROBE: &str = r#"
(() => {
  const seen = () => {
    if (window.__eniscopeFirstCards === undefined && document.querySelector('.cluster-card')) {
      window.__eniscopeFirstCards = performance.now();
      return true;
    }
    return false;
  };
  const observer = new MutationObserver(() => { if (seen()) observer.disconnect(); });
  observer.observe(document, { childList: true, subtree: true });
})();
"#;

/// Milestones of one load of the overview, in ms since navigation start: cluster cards in the DOM,
/// first contentful paint, DOMContentLoaded, the wasm downloaded, and the `/api/v1/fleet` request
/// sent and answered (resource timing), so a slow paint can be attributed.
async fn paint_timings(client: &Client) -> Value {
    js(
        client,
        "const nav = performance.getEntriesByType('navigation')[0];
         const fcp = performance.getEntriesByName('first-contentful-paint')[0];
         const res = performance.getEntriesByType('resource');
         const wasm = res.find(r => r.name.endsWith('.wasm'));
         const fleet = res.find(r => r.name.endsWith('/api/v1/fleet'));
         return {
           cluster_cards_ms: window.__eniscopeFirstCards,
           first_contentful_paint_ms: fcp ? fcp.startTime : null,
           dom_content_loaded_ms: nav ? nav.domContentLoadedEventEnd : null,
           wasm_downloaded_ms: wasm ? wasm.responseEnd : null,
           fleet_request_sent_ms: fleet ? fleet.startTime : null,
           fleet_answered_ms: fleet ? fleet.responseEnd : null,
         };",
        vec![],
    )
    .await
}

#[tokio::test]
async fn fleet_to_cluster_to_node_by_clicking_and_back() {
    let session = Session::start().await;
    let client = &session.client;
    let fleet: FleetOverview = session.api("/api/v1/fleet").await;
    assert!(fleet.demo, "the demo fleet is served");
    session
        .cdp(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({ "source": FIRST_CARDS_PROBE }),
        )
        .await;

    // 1. The overview: one card per cluster, totals, demo banner, data age, error on the failed card.
    client.goto(&session.url("/")).await.expect("open /");
    wait_until(
        client,
        "every cluster card is shown",
        "return document.querySelectorAll('.cluster-card').length === arguments[0];",
        vec![json!(fleet.clusters.len())],
    )
    .await;
    let cold = paint_timings(client).await;
    for cluster in &fleet.clusters {
        let card = format!("[data-cluster=\"{}/{}\"]", cluster.region, cluster.name);
        assert_eq!(
            text_of(client, &format!("{card} .cluster-card__link")).await,
            cluster.name
        );
        assert_eq!(
            attr_of(client, &format!("{card} [id$='-ips-held']"), "data-value")
                .await
                .as_deref(),
            Some(cluster.ips.held_ips.to_string().as_str()),
            "held IPs on the {} card",
            cluster.name
        );
        assert_eq!(
            attr_of(
                client,
                &format!("{card} [id$='-ips-capacity']"),
                "data-value"
            )
            .await
            .as_deref(),
            Some(cluster.ips.ip_capacity.to_string().as_str())
        );
        let coverage = cluster
            .dsr
            .coverage_percent
            .map_or_else(|| "none".to_string(), |p| p.to_string());
        assert_eq!(
            attr_of(client, &format!("{card} .dsr-coverage"), "data-coverage")
                .await
                .as_deref(),
            Some(coverage.as_str())
        );
        // A cluster the scan could not fully read shows its error on its own card.
        assert_eq!(
            count(client, &format!("{card} .scan-error")).await,
            cluster.errors.len(),
            "scan errors on the {} card",
            cluster.name
        );
        for error in &cluster.errors {
            let shown = text_of(client, &format!("{card} .cluster-card__errors")).await;
            assert!(
                shown.contains(&error.error.message),
                "the {} card shows its error: {shown}",
                cluster.name
            );
        }
    }
    let failed: Vec<&ClusterSummary> = fleet
        .clusters
        .iter()
        .filter(|c| !c.errors.is_empty())
        .collect();
    assert!(
        !failed.is_empty(),
        "the demo fleet has a cluster with a scan error"
    );
    assert_eq!(
        count(client, ".cluster-card--error").await,
        failed.len(),
        "only the failed clusters' cards are marked"
    );
    assert_eq!(
        attr_of(client, "#total-nodes", "data-value").await,
        Some(fleet.totals.ips.nodes.to_string())
    );
    assert_eq!(
        attr_of(client, "#total-held", "data-value").await,
        Some(fleet.totals.ips.held_ips.to_string())
    );
    assert_eq!(
        attr_of(client, "#total-subnets-at-risk", "data-value").await,
        Some(fleet.totals.subnets_at_risk.to_string())
    );
    assert_eq!(count(client, "#demo-banner").await, 1, "the demo banner");
    assert!(
        text_of(client, "#demo-banner")
            .await
            .contains("no AWS credentials"),
        "the banner says why this is demo data"
    );
    let shown_age = attr_of(client, "#data-age", "data-age-seconds")
        .await
        .and_then(|s| s.parse::<i64>().ok());
    assert!(
        shown_age.is_some_and(|age| fleet.data_age_seconds.is_some_and(|api| age >= api)),
        "the data age ({shown_age:?} s) counts from the API's data_age_seconds ({:?})",
        fleet.data_age_seconds
    );
    assert!(text_of(client, "#data-age").await.contains("ago"));
    if !fleet.unattached_errors.is_empty() {
        assert!(
            text_of(client, "#fleet-unattached-errors")
                .await
                .contains(&fleet.unattached_errors[0].error.message)
        );
    }
    session.assert_no_console_errors("the fleet overview").await;
    screenshots(client, "fleet").await;

    // First meaningful paint on loopback: warm reloads (the first load above was cold).
    let mut warm = Vec::new();
    for _ in 0..5 {
        client.goto(&session.url("/")).await.expect("reload /");
        wait_until(
            client,
            "cluster cards after a reload",
            "return window.__eniscopeFirstCards !== undefined;",
            vec![],
        )
        .await;
        warm.push(paint_timings(client).await);
    }
    let mut warm_cards: Vec<f64> = warm
        .iter()
        .filter_map(|t| t["cluster_cards_ms"].as_f64())
        .collect();
    warm_cards.sort_by(f64::total_cmp);
    let median = warm_cards.get(warm_cards.len() / 2).copied();
    let report = json!({
        "what": "ms from navigation start until the first .cluster-card is in the DOM (MutationObserver + performance.now()), eniscope serve --demo on 127.0.0.1, headless Chromium, debug server",
        "cold_first_load": cold,
        "warm_reloads": warm,
        "warm_median_cluster_cards_ms": median,
    });
    println!("first meaningful paint of the overview: {report:#}");
    std::fs::write(
        screenshot_dir().join("fleet-paint.json"),
        serde_json::to_string_pretty(&report).expect("JSON"),
    )
    .expect("write fleet-paint.json");

    // 2. Click through to the busiest cluster that has more than one page of nodes, if any.
    let cluster = fleet
        .clusters
        .iter()
        .filter(|c| c.errors.is_empty())
        .max_by_key(|c| (c.ips.nodes as usize > NODES_PER_PAGE, c.nodes_windows))
        .expect("a cluster without errors");
    let path = cluster_path(cluster);
    click(
        client,
        &format!(
            "[data-cluster=\"{}/{}\"] .cluster-card__link",
            cluster.region, cluster.name
        ),
    )
    .await;
    wait_for_path(client, &path).await;
    wait_until(
        client,
        "the cluster page shows the cluster",
        "const h = document.getElementById('cluster-name'); return !!h && h.textContent === arguments[0];",
        vec![json!(cluster.name)],
    )
    .await;
    let detail: ClusterDetail = session
        .api(&format!(
            "/api/v1/clusters/{}/{}",
            encode(&cluster.region),
            encode(&cluster.name)
        ))
        .await;
    let first_page: NodePage = session.api(&nodes_api(cluster, "&sort=-utilization")).await;
    wait_for_rows(
        client,
        &ids(&first_page),
        "the default order (fullest first)",
    )
    .await;
    assert_eq!(
        count(client, "#node-rows tr[data-instance]").await,
        first_page.total.min(NODES_PER_PAGE)
    );
    assert!(
        text_of(client, "#nodes-summary")
            .await
            .starts_with(&format!("{} nodes match", first_page.total)),
        "the summary counts every matching node"
    );
    // Each row's bar carries the API's numbers.
    let first = &first_page.nodes[0];
    let bar = format!(
        "#node-rows tr[data-instance=\"{}\"] .ipbar",
        first.instance_id
    );
    assert_eq!(
        attr_of(client, &bar, "data-held").await,
        Some(first.held_ips.to_string())
    );
    assert_eq!(
        attr_of(client, &bar, "data-capacity").await,
        Some(
            first
                .ip_capacity
                .map_or("unknown".into(), |c| c.to_string())
        )
    );
    assert_eq!(
        attr_of(client, &bar, "data-used").await,
        Some(first.used_ips.map_or("unknown".into(), |u| u.to_string()))
    );
    assert_eq!(
        count(client, "#nodegroup-table tbody tr").await,
        detail.nodegroups.len()
    );
    assert_eq!(
        count(client, "#nodegroup-table a[data-what-if]").await,
        detail
            .nodegroups
            .iter()
            .filter(|g| g.kind != shared::snapshot::NodegroupKind::Ungrouped)
            .count(),
        "every real nodegroup links to its what-if"
    );
    assert_eq!(count(client, ".subnet-card").await, detail.subnets.len());
    let mut maps = 0;
    for subnet in &detail.subnets {
        let sd: SubnetDetail = session
            .api(&format!("/api/v1/subnets/{}", encode(&subnet.subnet_id)))
            .await;
        if let Some(map) = sd.block_map {
            maps += 1;
            let grid = format!("[data-subnet=\"{}\"] .blockmap", subnet.subnet_id);
            wait_until(
                client,
                "the block map is drawn",
                "return document.querySelectorAll(arguments[0] + ' .blk').length === arguments[1];",
                vec![json!(grid), json!(map.classes.len())],
            )
            .await;
        }
    }
    assert!(maps > 0, "at least one subnet has a block map");
    session.assert_no_console_errors("the cluster page").await;
    screenshots(client, "cluster").await;

    // 3. Sort by held IPs: largest first, then smallest first; the URL follows.
    click(client, "#sort-held").await;
    let by_held: NodePage = session.api(&nodes_api(cluster, "&sort=-held_ips")).await;
    wait_for_rows(client, &ids(&by_held), "sorted by held, descending").await;
    assert_eq!(
        attr_of(client, "th:has(#sort-held)", "aria-sort")
            .await
            .as_deref(),
        Some("descending")
    );
    assert_eq!(
        attr_of(client, "th:has(#sort-utilization)", "aria-sort")
            .await
            .as_deref(),
        Some("none")
    );
    wait_for_path(client, &format!("{path}?sort=-held_ips")).await;
    // The header was rewritten: keyboard focus is back on the button that was used.
    wait_until(
        client,
        "focus returns to the sort button",
        "return !!document.activeElement && document.activeElement.id === 'sort-held';",
        vec![],
    )
    .await;
    click(client, "#sort-held").await;
    let by_held_asc: NodePage = session.api(&nodes_api(cluster, "&sort=held_ips")).await;
    wait_for_rows(client, &ids(&by_held_asc), "sorted by held, ascending").await;
    assert_eq!(
        attr_of(client, "th:has(#sort-held)", "aria-sort")
            .await
            .as_deref(),
        Some("ascending")
    );

    // 4. Next page, then filter to Windows nodes (back to page 1).
    if by_held_asc.total > NODES_PER_PAGE {
        click(client, "#nodes-next").await;
        let second: NodePage = session
            .api(&nodes_api(
                cluster,
                &format!("&sort=held_ips&offset={NODES_PER_PAGE}"),
            ))
            .await;
        wait_for_rows(client, &ids(&second), "page 2").await;
        assert!(
            text_of(client, "#nodes-range")
                .await
                .starts_with(&format!("Rows {}–", NODES_PER_PAGE + 1))
        );
        wait_for_path(client, &format!("{path}?sort=held_ips&page=2")).await;
    }
    client
        .find(Locator::Id("filter-os"))
        .await
        .expect("#filter-os")
        .select_by_value("windows")
        .await
        .expect("choose Windows");
    let windows: NodePage = session
        .api(&nodes_api(cluster, "&sort=held_ips&os=windows"))
        .await;
    assert!(windows.total > 0, "the cluster has Windows nodes");
    wait_for_rows(client, &ids(&windows), "Windows nodes only").await;
    assert_eq!(
        count(client, "#node-rows tr[data-os=\"linux\"]").await,
        0,
        "no Linux row left"
    );
    let filtered_path = format!("{path}?os=windows&sort=held_ips");
    wait_for_path(client, &filtered_path).await;

    // 5. Click a node: the node page shows the API's node detail.
    let node_id = windows.nodes[0].instance_id.clone();
    click(
        client,
        &format!("#node-rows tr[data-instance=\"{node_id}\"] th a"),
    )
    .await;
    wait_for_path(client, &format!("/nodes/{node_id}")).await;
    wait_until(
        client,
        "the node page shows the node",
        "const h = document.getElementById('node-id'); return !!h && h.textContent === arguments[0];",
        vec![json!(node_id)],
    )
    .await;
    let node: NodeDetail = session
        .api(&format!("/api/v1/nodes/{}", encode(&node_id)))
        .await;
    assert_eq!(
        count(client, "#eni-table tbody tr").await,
        node.enis.len(),
        "one row per ENI"
    );
    assert_eq!(
        attr_of(client, "#node-held", "data-value").await,
        Some(node.node.held_ips.to_string())
    );
    assert_eq!(
        attr_of(client, "#node-capacity", "data-value").await,
        Some(
            node.node
                .ip_capacity
                .map(|c| c.to_string())
                .unwrap_or_default()
        )
    );
    assert_eq!(
        count(client, "#explain-node-held").await,
        1,
        "the held number explains itself"
    );
    let crumbs = text_of(client, "#breadcrumbs").await;
    assert!(
        crumbs.contains(&cluster.name) && crumbs.contains(&node_id),
        "breadcrumbs: {crumbs}"
    );
    if node.dsr.is_some() {
        assert_eq!(
            count(client, "#node-dsr").await,
            1,
            "DSR panel on a Windows node"
        );
    }
    wait_until(
        client,
        "the subnet's block map on the node page",
        "return document.querySelectorAll('.subnet-card .blockmap').length > 0 || document.querySelectorAll('.subnet-card').length === 0;",
        vec![],
    )
    .await;
    session.assert_no_console_errors("the node page").await;
    screenshots(client, "node").await;

    // 6. Back: the filtered cluster page (state restored from the URL), then the overview.
    client.back().await.expect("back");
    wait_for_path(client, &filtered_path).await;
    wait_for_rows(client, &ids(&windows), "back on the filtered cluster page").await;
    let os_filter = client
        .find(Locator::Id("filter-os"))
        .await
        .expect("#filter-os")
        .prop("value")
        .await
        .ok()
        .flatten();
    assert_eq!(os_filter.as_deref(), Some("windows"));
    client.back().await.expect("back");
    wait_for_path(client, "/").await;
    wait_until(
        client,
        "the overview after going back",
        "return document.querySelectorAll('.cluster-card').length === arguments[0];",
        vec![json!(fleet.clusters.len())],
    )
    .await;
    session.assert_no_console_errors("after going back").await;
}

#[tokio::test]
async fn deep_urls_open_directly() {
    let session = Session::start().await;
    let client = &session.client;
    let fleet: FleetOverview = session.api("/api/v1/fleet").await;
    let cluster = fleet
        .clusters
        .iter()
        .find(|c| c.nodes_windows > 0 && c.nodes_linux > 0)
        .expect("a cluster with Windows and Linux nodes");

    // A cluster URL with table state: the filters, sort and page come from the query.
    let all_linux: NodePage = session.api(&nodes_api(cluster, "&os=linux")).await;
    let nodegroup = all_linux
        .nodes
        .iter()
        .find_map(|n| n.nodegroup.clone())
        .expect("a Linux node in a nodegroup");
    let query = format!("nodegroup={}&os=linux&sort=-held_ips", encode(&nodegroup));
    let path = format!("{}?{query}", cluster_path(cluster));
    client
        .goto(&session.url(&path))
        .await
        .expect("open a cluster URL");
    let linux: NodePage = session.api(&nodes_api(cluster, &format!("&{query}"))).await;
    wait_for_rows(client, &ids(&linux), "a deep cluster URL with filters").await;
    assert_eq!(text_of(client, "#cluster-name").await, cluster.name);
    for (id, value) in [
        ("filter-nodegroup", nodegroup.as_str()),
        ("filter-os", "linux"),
    ] {
        let shown = client
            .find(Locator::Id(id))
            .await
            .unwrap_or_else(|e| panic!("#{id}: {e}"))
            .prop("value")
            .await
            .ok()
            .flatten();
        assert_eq!(shown.as_deref(), Some(value), "#{id} follows the URL");
    }
    assert_eq!(
        attr_of(client, "th:has(#sort-held)", "aria-sort")
            .await
            .as_deref(),
        Some("descending")
    );
    // Typing in the search box filters (after a pause) and keeps the other filters.
    let needle = linux.nodes[0].instance_id[2..8].to_string();
    client
        .find(Locator::Id("filter-text"))
        .await
        .expect("#filter-text")
        .send_keys(&needle)
        .await
        .expect("type a search");
    let searched: NodePage = session
        .api(&nodes_api(cluster, &format!("&{query}&q={needle}")))
        .await;
    wait_for_rows(client, &ids(&searched), "searching by instance id").await;
    session.assert_no_console_errors("a deep cluster URL").await;

    // A node URL opened directly, with breadcrumbs back to its cluster.
    let node_id = linux.nodes[0].instance_id.clone();
    client
        .goto(&session.url(&format!("/nodes/{node_id}")))
        .await
        .expect("open a node URL");
    wait_until(
        client,
        "a deep node URL",
        "const h = document.getElementById('node-id'); return !!h && h.textContent === arguments[0];",
        vec![json!(node_id)],
    )
    .await;
    click(client, "#breadcrumbs a[href^='/clusters/']").await;
    wait_for_path(client, &cluster_path(cluster)).await;
    wait_until(
        client,
        "the cluster from the breadcrumb",
        "return document.querySelectorAll('#node-rows tr[data-instance]').length > 0;",
        vec![],
    )
    .await;
    session.assert_no_console_errors("a deep node URL").await;

    // Unknown cluster and node: a page that says so and links back, not a blank screen.
    client
        .goto(&session.url("/clusters/eu-west-1/no-such-cluster"))
        .await
        .expect("open an unknown cluster");
    wait_until(
        client,
        "the unknown-cluster message",
        "const e = document.getElementById('cluster-error'); return !!e && e.textContent.includes('no-such-cluster');",
        vec![],
    )
    .await;
    client
        .goto(&session.url("/nodes/i-00000000000000000"))
        .await
        .expect("open an unknown node");
    wait_until(
        client,
        "the unknown-node message",
        "const e = document.getElementById('node-error'); return !!e && e.textContent.includes('i-00000000000000000');",
        vec![],
    )
    .await;
    // The only console errors allowed here are the browser's own "404" lines for those two requests.
    session
        .assert_console_errors_only("unknown cluster and node URLs", &["404"])
        .await;
}

#[tokio::test]
async fn without_a_snapshot_the_overview_says_what_happened_and_what_to_do() {
    // Credentials, but every AWS endpoint refuses connections: the background scan fails and the
    // server has no snapshot to serve (HTTP 503 `no_snapshot` from /api/v1/fleet).
    let dist = dist_dir();
    let closed = format!("http://127.0.0.1:{}", free_port());
    let server = EniscopeServer::start_with(&[OsStr::new("--dist"), dist.as_os_str()], |command| {
        command
            .env("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
            .env("AWS_SECRET_ACCESS_KEY", "example")
            .env("AWS_REGION", "eu-west-1")
            .env("ENISCOPE_ENDPOINT_URL", &closed)
            .env_remove("AWS_PROFILE");
    })
    .unwrap_or_else(|error| panic!("cannot start eniscope serve: {error:#}"));
    let session = Session::with_server(server).await;
    let client = &session.client;
    client.goto(&session.url("/")).await.expect("open /");
    wait_until(
        client,
        "the no-snapshot state",
        "const e = document.getElementById('fleet-no-snapshot'); return !!e && e.textContent.includes('eniscope serve --demo');",
        vec![],
    )
    .await;
    // The server's reason (a scan in progress, or no snapshot because it failed) is on the page.
    let reply = reqwest::get(session.url("/api/v1/fleet"))
        .await
        .expect("GET /api/v1/fleet");
    assert_eq!(reply.status().as_u16(), 503);
    wait_until(
        client,
        "the server's reason on the page",
        "const e = document.getElementById('fleet-no-snapshot'); return !!e && e.textContent.includes('no fleet snapshot') || (!!e && e.textContent.includes('scan is in progress'));",
        vec![],
    )
    .await;
    assert_eq!(count(client, ".cluster-card").await, 0);
    // Only the browser's own lines about the 503 answers are allowed in the console.
    session
        .assert_console_errors_only("the overview without a snapshot", &["503"])
        .await;
}

/// The bundle has one entry per group of pages (frontend/src/entries.rs): links between entries are full
/// page loads of the other entry, and the back button returns to the page before.
#[tokio::test]
async fn links_between_bundle_entries_load_the_other_entry_and_back_returns() {
    let session = Session::start().await;
    let client = &session.client;
    let fleet: FleetOverview = session.api("/api/v1/fleet").await;
    let cluster = fleet
        .clusters
        .iter()
        .find(|c| c.errors.is_empty() && c.nodes_windows > 0)
        .expect("a Windows cluster without scan errors");
    let path = cluster_path(cluster);
    client
        .goto(&session.url(&path))
        .await
        .expect("open a cluster");
    wait_until(
        client,
        "the nodegroup table with what-if links",
        "return document.querySelector('#nodegroup-table a[data-what-if]') !== null;",
        vec![],
    )
    .await;
    // The header marks the section: a cluster page is part of "Fleet".
    assert_eq!(
        attr_of(client, ".main-nav a[href='/']", "aria-current")
            .await
            .as_deref(),
        Some("true")
    );
    assert_eq!(
        attr_of(client, ".main-nav a[href='/dsr']", "aria-current").await,
        None
    );
    let entry_script = "return performance.getEntriesByType('resource')\
        .map(r => new URL(r.name).pathname).filter(p => p.endsWith('.wasm'));";
    assert_eq!(
        js(client, entry_script, vec![]).await,
        json!(["/dashboard_bg.wasm"]),
        "the cluster page is the dashboard entry"
    );
    let href = attr_of(client, "#nodegroup-table a[data-what-if]", "href")
        .await
        .expect("a what-if link");
    // Mark this document: a full page load (the other entry) forgets it.
    js(client, "window.__sameDocument = true; return null;", vec![]).await;
    click(client, "#nodegroup-table a[data-what-if]").await;
    // The link is a path (`/clusters/…/what-if`), as the address bar will show it.
    wait_for_path(client, &href).await;
    wait_until(
        client,
        "the nodegroup what-if renders its results",
        "return document.getElementById('what-if-results') !== null;",
        vec![],
    )
    .await;
    assert_eq!(
        js(client, entry_script, vec![]).await,
        json!(["/nodegroup_planner_bg.wasm"]),
        "the nodegroup what-if comes from its own entry, and only that one was downloaded"
    );
    assert_eq!(
        js(client, "return window.__sameDocument === true;", vec![]).await,
        json!(false),
        "a new document was loaded"
    );
    session
        .assert_no_console_errors("the nodegroup what-if after a link from the cluster page")
        .await;

    // Back: the cluster page again, from the dashboard entry.
    client.back().await.expect("back");
    wait_for_path(client, &path).await;
    wait_until(
        client,
        "the cluster page after going back",
        "return document.querySelector('#nodegroup-table a[data-what-if]') !== null;",
        vec![],
    )
    .await;
    assert_eq!(text_of(client, "#cluster-name").await, cluster.name);

    // The header's what-if link (a leptos_router <A>) also leaves the dashboard entry.
    click(client, ".main-nav a[href='/what-if']").await;
    wait_for_path(client, "/what-if").await;
    wait_until(
        client,
        "the planner renders",
        "return document.querySelector('#instance-type') !== null;",
        vec![],
    )
    .await;
    assert_eq!(
        js(client, entry_script, vec![]).await,
        json!(["/planner_bg.wasm"])
    );
    // And from the planner back to the dashboard by a link.
    click(client, ".main-nav a[href='/']").await;
    wait_for_path(client, "/").await;
    wait_until(
        client,
        "the overview's cluster cards",
        "return document.querySelectorAll('.cluster-card').length > 0;",
        vec![],
    )
    .await;
    session
        .assert_no_console_errors("the overview after the planner")
        .await;
}
