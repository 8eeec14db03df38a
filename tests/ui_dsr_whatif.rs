//! The DSR board and the nodegroup what-if in a real headless Chromium, driven over WebDriver
//! (chromedriver + fantoccini) against `eniscope serve` and the built bundle in `dist/`.
//!
//! Expected values are computed here with `shared` from the snapshot the server serves
//! (`GET /api/v1/snapshot` → `shared::fleet::analyze` / `dsr_board`, `shared::observed`,
//! `shared::whatif`), never typed in by hand.
//!
//! 1. `/dsr` lists every Windows nodegroup of the demo fleet with the status `shared` decides, the
//!    counts, the fix; the status filter and the copy button work; no console errors.
//! 2. The nodegroup what-if opens from a deep URL with changes in its query; moving the node-count
//!    slider and the prefix-delegation switch gives the before/after numbers `shared` computes; the
//!    URL follows; "Reset to observed" goes back.
//! 3. Measurement (printed, never asserted): a 10,000-node fleet generated here from the demo
//!    snapshot plus one large cluster (consistent IPs in /16 subnets), served with `--snapshot`;
//!    the what-if on its 8,000-node Windows nodegroup is driven input by input and the page's own
//!    `data-recompute-ms` (performance.now() around the recompute) and the input→DOM time are
//!    reported.
//!
//! Screenshots: `target/screenshots/dsr.png`, `nodegroup-what-if.png`.
//! Needs `dist/` (`cargo xtask build`), the `eniscope` binary (`cargo build -p server`), chromedriver
//! and Chromium — `cargo xtask test` builds and installs all of them.

mod ui_common;

use e2e::{EniscopeServer, http_get, target_dir, try_eniscope_bin};
use fantoccini::{Client, Locator};
use serde_json::json;
use shared::dsr::DsrStatus;
use shared::fleet::{self, DsrBoardRow};
use shared::limits::InstanceTypeTable;
use shared::maxpods::{IpMode, Os};
use shared::observed::{ObservedNodegroup, observe_nodegroup};
use shared::snapshot::{
    Cluster, Eni, Node, Nodegroup, NodegroupKind, Scaling, Snapshot, SourceKind, Subnet,
};
use shared::subnet::{Ipv4Cidr, format_ipv4};
use shared::warm::{LinuxWarmSettings, WarmPool, WindowsWarmSettings};
use shared::whatif::{self, Scenario, WhatIfResult};
use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use ui_common::{ChromeDriver, HOW_TO_FIX, WAIT, assert_no_console_errors, browser, dist_dir, js};

// ---------------------------------------------------------------------------------------------
// Page helpers (the browser plumbing is in tests/ui_common)
// ---------------------------------------------------------------------------------------------

/// `data-value` of `#id` as a number, `None` while missing or empty.
async fn data_value(client: &Client, id: &str) -> Option<i64> {
    js(
        client,
        "const el = document.getElementById(arguments[0]); return el ? el.dataset.value : null;",
        vec![json!(id)],
    )
    .await
    .as_str()
    .and_then(|s| s.parse().ok())
}

/// Poll until every `(id, value)` shows, or fail with what differs.
async fn assert_values(client: &Client, wanted: &[(String, i64)], context: &str) {
    let deadline = Instant::now() + WAIT;
    loop {
        let mut mismatches = Vec::new();
        for (id, value) in wanted {
            let shown = data_value(client, id).await;
            if shown != Some(*value) {
                mismatches.push(format!("#{id}: page {shown:?}, shared {value}"));
            }
        }
        if mismatches.is_empty() {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{context}: the page does not show shared's numbers: {}",
            mismatches.join("; ")
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn wait_for_url(client: &Client, needles: &[&str], absent: &[&str]) -> String {
    let deadline = Instant::now() + WAIT;
    loop {
        let url = client.current_url().await.expect("current URL").to_string();
        if needles.iter().all(|n| url.contains(n)) && absent.iter().all(|n| !url.contains(n)) {
            return url;
        }
        assert!(
            Instant::now() < deadline,
            "the address bar never got {needles:?} without {absent:?}: {url}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Full-page screenshot at 1280 px wide into `target/screenshots/{name}`.
async fn save_full_page(client: &Client, name: &str) -> PathBuf {
    let height = js(
        client,
        "return document.documentElement.scrollHeight;",
        vec![],
    )
    .await
    .as_u64()
    .unwrap_or(900)
    .clamp(900, 6000) as u32;
    client
        .set_window_size(1280, height + 120)
        .await
        .expect("tall window");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let dir = target_dir().join("screenshots");
    std::fs::create_dir_all(&dir).expect("create target/screenshots");
    let path = dir.join(name);
    let png = client.screenshot().await.expect("screenshot");
    std::fs::write(&path, png).expect("write the screenshot");
    client
        .set_window_size(1280, 900)
        .await
        .expect("window back to 1280×900");
    path
}

fn table() -> InstanceTypeTable {
    InstanceTypeTable::from_json(include_str!("../assets/instance-types.json"))
        .expect("the embedded table parses")
}

fn start_server(args: &[&OsStr]) -> EniscopeServer {
    if let Err(error) = try_eniscope_bin() {
        panic!("{error:#}; {HOW_TO_FIX}");
    }
    let dist = dist_dir();
    let mut all: Vec<&OsStr> = args.to_vec();
    all.extend([OsStr::new("--dist"), dist.as_os_str()]);
    EniscopeServer::start(&all)
        .unwrap_or_else(|error| panic!("cannot start eniscope serve: {error:#}"))
}

/// The snapshot the server serves.
fn served_snapshot(server: &EniscopeServer) -> Snapshot {
    let (status, body) = http_get(&server.url("/api/v1/snapshot")).expect("GET /api/v1/snapshot");
    assert_eq!(status, 200, "{body}");
    Snapshot::from_json(&body).expect("the served snapshot parses")
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// 1. DSR board
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn dsr_board_lists_every_windows_nodegroup_with_shareds_status() {
    let server = start_server(&[OsStr::new("--demo")]);
    let snapshot = served_snapshot(&server);
    let view = fleet::analyze(&snapshot, &table());
    let expected: Vec<DsrBoardRow> = fleet::dsr_board(&view);
    assert!(
        expected
            .iter()
            .any(|r| r.assessment.status == DsrStatus::Off)
            && expected
                .iter()
                .any(|r| r.assessment.status == DsrStatus::On),
        "the demo fleet has Windows nodegroups with DSR on and off"
    );
    let totals = fleet::DsrBoard::new(&view, expected.clone()).totals;

    let driver = ChromeDriver::start().await;
    let profile = tempfile::tempdir().expect("a Chromium profile directory");
    let client = browser(&driver, profile.path()).await;
    client.goto(&server.url("/dsr")).await.expect("open /dsr");
    client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("#dsr-rows .dsr-row"))
        .await
        .expect("the board renders its rows");

    // Every Windows nodegroup, once, with shared's status; in shared's order (off, unknown, on).
    let shown = js(
        &client,
        "return Array.from(document.querySelectorAll('#dsr-rows .dsr-row')).map(r => \
         [r.dataset.region, r.dataset.cluster, r.dataset.nodegroup, r.dataset.dsrStatus, \
          r.querySelector('.dsr-badge').textContent.trim()]);",
        vec![],
    )
    .await;
    let shown: Vec<Vec<String>> = serde_json::from_value(shown).expect("rows as strings");
    let wanted: Vec<Vec<String>> = expected
        .iter()
        .map(|r| {
            vec![
                r.region.clone(),
                r.cluster.clone(),
                r.nodegroup.clone(),
                r.assessment.status.as_str().to_string(),
            ]
        })
        .collect();
    let shown_keys: Vec<Vec<String>> = shown.iter().map(|r| r[..4].to_vec()).collect();
    assert_eq!(shown_keys, wanted, "rows and statuses as shared decides");
    // The status is in words (and a symbol), not colour alone.
    for row in &shown {
        let words = match row[3].as_str() {
            "on" => "✓DSR on",
            "off" => "✕DSR off",
            _ => "?DSR unknown",
        };
        assert_eq!(row[4], words, "badge text of {}/{}", row[1], row[2]);
    }
    // Counts.
    assert_values(
        &client,
        &[
            ("dsr-count-nodegroups".into(), expected.len() as i64),
            ("dsr-count-on".into(), i64::from(totals.on)),
            ("dsr-count-off".into(), i64::from(totals.off)),
            ("dsr-count-unknown".into(), i64::from(totals.unknown)),
        ],
        "DSR counts",
    )
    .await;
    // The evidence and the exact fix for the first row that needs one.
    let off = expected
        .iter()
        .find(|r| r.assessment.fix.needed)
        .expect("a row with a fix");
    let slug: String = format!("{}-{}-{}", off.region, off.cluster, off.nodegroup)
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let flags = js(
        &client,
        "return document.getElementById(arguments[0]).textContent;",
        vec![json!(format!("dsr-{slug}-flags"))],
    )
    .await;
    assert_eq!(
        flags.as_str(),
        Some(off.assessment.fix.kube_proxy_flags.as_str())
    );
    let user_data = js(
        &client,
        "return document.getElementById(arguments[0]).textContent;",
        vec![json!(format!("dsr-{slug}-user-data"))],
    )
    .await;
    assert_eq!(
        user_data.as_str(),
        Some(off.assessment.fix.user_data_snippet.as_str())
    );
    let evidence = js(
        &client,
        "return Array.from(document.querySelectorAll('#' + arguments[0] + ' li')).map(li => li.textContent);",
        vec![json!(format!("dsr-{slug}-evidence"))],
    )
    .await;
    let evidence: Vec<String> = serde_json::from_value(evidence).expect("evidence lines");
    assert_eq!(evidence, off.assessment.evidence);
    let body = client
        .find(Locator::Css("body"))
        .await
        .expect("body")
        .text()
        .await
        .expect("page text");
    assert!(
        body.contains("UNCONFIRMED"),
        "the unconfirmed AMI default is said"
    );

    // Copy: the clipboard (or, where it is refused, a selection with a hint) — never nothing.
    client
        .find(Locator::Id(&format!("dsr-{slug}-flags-copy")))
        .await
        .expect("copy button")
        .click()
        .await
        .expect("click copy");
    let deadline = Instant::now() + WAIT;
    loop {
        let state = js(
            &client,
            "return document.getElementById(arguments[0]).dataset.copyState;",
            vec![json!(format!("dsr-{slug}-flags-copy"))],
        )
        .await;
        if matches!(state.as_str(), Some("copied" | "selected")) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the copy button did nothing: {state}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_no_console_errors(&client, &driver, "/dsr", &server.log()).await;
    let shot = save_full_page(&client, "dsr.png").await;

    // Filter by status: the URL carries it and only those rows remain, with the server's counts.
    client
        .find(Locator::Id("dsr-filter-status"))
        .await
        .expect("status filter")
        .select_by_value("off")
        .await
        .expect("choose off");
    wait_for_url(&client, &["/dsr", "status=off"], &[]).await;
    let off_rows = expected
        .iter()
        .filter(|r| r.assessment.status == DsrStatus::Off)
        .count() as i64;
    assert_values(
        &client,
        &[("dsr-count-nodegroups".into(), off_rows)],
        "after filtering on off",
    )
    .await;
    let statuses = js(
        &client,
        "return Array.from(document.querySelectorAll('#dsr-rows .dsr-row')).map(r => r.dataset.dsrStatus);",
        vec![],
    )
    .await;
    let statuses: Vec<String> = serde_json::from_value(statuses).expect("statuses");
    assert_eq!(statuses.len() as i64, off_rows);
    assert!(statuses.iter().all(|s| s == "off"), "{statuses:?}");
    let csv = client
        .find(Locator::Id("dsr-export-csv"))
        .await
        .expect("CSV link")
        .attr("href")
        .await
        .expect("href")
        .unwrap_or_default();
    assert!(
        csv.contains("os=windows") && csv.contains("dsr=off"),
        "{csv}"
    );
    // The filtered board reopens from its URL (shareable), and its export link answers.
    let (status, body) = http_get(&server.url(&csv)).expect("GET the CSV export");
    assert_eq!(status, 200, "{body}");
    assert!(body.lines().count() > 1, "the CSV has rows: {body}");
    assert_no_console_errors(&client, &driver, "/dsr?status=off", &server.log()).await;
    client.close().await.expect("close the browser");
    println!("screenshot: {}", shot.display());
}

// ---------------------------------------------------------------------------------------------
// 2. Nodegroup what-if
// ---------------------------------------------------------------------------------------------

/// Ids and values of the before/after tables for `before` and `after` (from `shared`).
fn compare_values(before: &WhatIfResult, after: &WhatIfResult) -> Vec<(String, i64)> {
    let delta = whatif::compare(before, after);
    let n = |v: u64| i64::try_from(v).expect("fits");
    let mut values = Vec::new();
    for (id, b, a, d) in [
        (
            "cmp-ip-capacity",
            u64::from(before.per_node.ip_capacity),
            u64::from(after.per_node.ip_capacity),
            Some(delta.ip_capacity),
        ),
        (
            "cmp-pods-fit",
            u64::from(before.per_node.pods_that_fit),
            u64::from(after.per_node.pods_that_fit),
            Some(delta.pods_that_fit_per_node),
        ),
        (
            "cmp-nodes",
            u64::from(before.totals.nodes),
            u64::from(after.totals.nodes),
            None,
        ),
        (
            "cmp-pod-capacity",
            before.totals.pod_capacity,
            after.totals.pod_capacity,
            Some(delta.pod_capacity),
        ),
        (
            "cmp-pods-pending",
            before.totals.pods_pending,
            after.totals.pods_pending,
            Some(delta.pods_pending),
        ),
        (
            "cmp-held-ips",
            before.totals.held_ips,
            after.totals.held_ips,
            Some(delta.held_ips),
        ),
        (
            "cmp-held-prefixes",
            before.totals.held_prefixes,
            after.totals.held_prefixes,
            Some(delta.held_prefixes),
        ),
        (
            "cmp-subnet-ips",
            before.totals.subnet_ips,
            after.totals.subnet_ips,
            Some(delta.subnet_ips),
        ),
    ] {
        values.push((format!("{id}-before"), n(b)));
        values.push((format!("{id}-after"), n(a)));
        if let Some(d) = d {
            values.push((format!("{id}-delta"), d));
        }
    }
    for (index, impact) in after.subnets.iter().enumerate() {
        values.push((
            format!("subnet-{index}-free-after"),
            n(impact.free_ips_after),
        ));
        values.push((
            format!("subnet-{index}-blocks-after"),
            n(impact.free_prefix_slots_after),
        ));
    }
    values
}

fn expected_after(
    observed: &ObservedNodegroup,
    table: &InstanceTypeTable,
    changes: &[(&str, &str)],
) -> WhatIfResult {
    let scenario = observed
        .scenario_from_query(&pairs(changes))
        .expect("a valid change");
    whatif::evaluate(&scenario, table).expect("shared evaluates the after")
}

#[tokio::test]
async fn nodegroup_what_if_opens_from_a_deep_url_and_follows_the_controls() {
    let server = start_server(&[OsStr::new("--demo")]);
    let snapshot = served_snapshot(&server);
    // A Windows nodegroup in secondary-IP mode with nodes (the demo has several).
    let view = fleet::analyze(&snapshot, &table());
    let group = view
        .nodegroups
        .iter()
        .find(|g| {
            g.os == Some(Os::Windows) && g.ip_mode == Some(IpMode::SecondaryIp) && g.ips.nodes > 2
        })
        .expect("a Windows secondary-IP nodegroup in the demo fleet");
    let observed = observe_nodegroup(
        &snapshot,
        &table(),
        &group.region,
        &group.cluster,
        &group.name,
    )
    .expect("shared observes it");
    let table = observed.table(&table());
    let before = whatif::evaluate(&Scenario::from_observed(&observed), &table).expect("before");
    let path = format!(
        "/clusters/{}/{}/nodegroups/{}/what-if",
        group.region, group.cluster, group.name
    );

    let driver = ChromeDriver::start().await;
    let profile = tempfile::tempdir().expect("a Chromium profile directory");
    let client = browser(&driver, profile.path()).await;

    // 1. A deep URL with a change in its query opens with it applied.
    client
        .goto(&server.url(&format!("{path}?win_warm_ip_target=5")))
        .await
        .expect("open the nodegroup what-if");
    let changes = [("win_warm_ip_target", "5")];
    let after = expected_after(&observed, &table, &changes);
    assert_values(&client, &compare_values(&before, &after), "deep URL").await;
    assert_values(
        &client,
        &[(
            "observed-held".into(),
            i64::try_from(observed.observed_held_ips()).expect("fits"),
        )],
        "observed held IPs",
    )
    .await;

    // 2. Move the node-count slider (value + input event, as a drag or the arrow keys end).
    let nodes = observed.nodes.len() + 7;
    js(
        &client,
        "const s = document.getElementById('slider-nodes'); s.value = String(arguments[0]); \
         s.dispatchEvent(new Event('input', { bubbles: true }));",
        vec![json!(nodes)],
    )
    .await;
    let nodes_text = nodes.to_string();
    let changes = [("win_warm_ip_target", "5"), ("nodes", nodes_text.as_str())];
    let after = expected_after(&observed, &table, &changes);
    assert_eq!(after.totals.nodes as usize, nodes);
    assert_values(
        &client,
        &compare_values(&before, &after),
        "after the node slider",
    )
    .await;

    // 3. Prefix delegation on, by clicking the switch.
    client
        .find(Locator::Id("prefix-delegation"))
        .await
        .expect("PD switch")
        .click()
        .await
        .expect("click PD");
    let changes = [
        ("win_warm_ip_target", "5"),
        ("nodes", nodes_text.as_str()),
        ("prefix_delegation", "true"),
    ];
    let after = expected_after(&observed, &table, &changes);
    assert_eq!(after.mode, IpMode::PrefixDelegation);
    assert_values(
        &client,
        &compare_values(&before, &after),
        "after prefix delegation",
    )
    .await;
    let url = wait_for_url(
        &client,
        &[
            path.as_str(),
            &format!("nodes={nodes}"),
            "prefix_delegation=true",
            "win_warm_ip_target=5",
        ],
        &["os=", "subnet="],
    )
    .await;
    let recompute_ms = js(
        &client,
        "return document.getElementById('what-if-results').dataset.recomputeMs;",
        vec![],
    )
    .await;
    let recompute_ms: f64 = recompute_ms
        .as_str()
        .and_then(|s| s.parse().ok())
        .expect("data-recompute-ms is a number");
    assert!(recompute_ms >= 0.0);
    assert_no_console_errors(&client, &driver, "nodegroup what-if", &server.log()).await;
    let shot = save_full_page(&client, "nodegroup-what-if.png").await;

    // 4. The URL the page wrote reopens the same scenario.
    client.goto(&url).await.expect("reopen the written URL");
    assert_values(&client, &compare_values(&before, &after), "reopened URL").await;

    // 5. Reset to observed: before = after, and the query is gone.
    client
        .find(Locator::Id("reset-observed"))
        .await
        .expect("reset button")
        .click()
        .await
        .expect("click reset");
    assert_values(&client, &compare_values(&before, &before), "after reset").await;
    wait_for_url(&client, &[path.as_str()], &["?"]).await;

    // 6. An unknown nodegroup says what to do.
    client
        .goto(&server.url(&format!(
            "/clusters/{}/{}/nodegroups/no-such-group/what-if",
            group.region, group.cluster
        )))
        .await
        .expect("open an unknown nodegroup");
    let error = client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Id("what-if-error"))
        .await
        .expect("an error notice")
        .text()
        .await
        .expect("error text");
    assert!(error.contains("cluster page"), "{error}");
    client.close().await.expect("close the browser");
    println!("screenshot: {}", shot.display());
}

// ---------------------------------------------------------------------------------------------
// 3. Measurement on a 10,000-node fleet
// ---------------------------------------------------------------------------------------------

/// Hands out consecutive addresses of a subnet (after the 4 AWS-reserved ones).
struct Allocator {
    network: u32,
    next: u32,
    last: u32,
    handed: Vec<String>,
}

impl Allocator {
    fn new(cidr: &str) -> Self {
        let net = Ipv4Cidr::parse(cidr).expect("CIDR");
        Self {
            network: net.network(),
            next: 4,
            last: u32::try_from(net.size()).expect("fits") - 2,
            handed: Vec::new(),
        }
    }

    fn ip(&mut self) -> String {
        assert!(
            self.next <= self.last,
            "subnet full: make the test subnets larger"
        );
        let ip = format_ipv4(self.network + self.next);
        self.next += 1;
        self.handed.push(ip.clone());
        ip
    }

    fn subnet(self, id: &str, cidr: &str, az: &str) -> Subnet {
        let usable = Ipv4Cidr::parse(cidr).expect("CIDR").aws_usable_ips();
        Subnet {
            subnet_id: id.into(),
            region: "eu-central-1".into(),
            account_id: Some("999988887777".into()),
            vpc_id: Some("vpc-0scale000000001".into()),
            availability_zone: Some(az.into()),
            cidr: cidr.into(),
            available_ip_count: Some(
                u32::try_from(usable - self.handed.len() as u64).expect("fits"),
            ),
            cidr_reservations: vec![],
            allocated_ips: Some(self.handed),
            allocated_prefixes: Some(vec![]),
            tags: BTreeMap::new(),
        }
    }
}

fn scale_group(name: &str, os: Os, instance_type: &str, nodes: u32, subnets: &[&str]) -> Nodegroup {
    Nodegroup {
        name: name.into(),
        kind: NodegroupKind::Managed,
        os: Some(os),
        ami_type: Some(match os {
            Os::Windows => "WINDOWS_CORE_2022_x86_64".into(),
            Os::Linux => "AL2023_x86_64_STANDARD".into(),
        }),
        release_version: None,
        version: Some("1.33".into()),
        instance_types: vec![instance_type.into()],
        capacity_type: Some("ON_DEMAND".into()),
        scaling: Some(Scaling {
            min_size: 1,
            max_size: nodes * 2,
            desired_size: nodes,
        }),
        subnet_ids: subnets.iter().map(|s| s.to_string()).collect(),
        launch_template: None,
        asg_names: vec![],
        user_data: None,
        status: Some("ACTIVE".into()),
        labels: BTreeMap::new(),
    }
}

/// The demo fleet plus one cluster that brings it to exactly 10,000 nodes: an 8,000-node Windows
/// nodegroup and a Linux nodegroup, in four /16 subnets. Every address comes from its subnet's
/// allocator, and each node holds what the VPC RC / ipamd keep for its pods (`WarmPool::held`).
fn ten_thousand_node_snapshot(mut snapshot: Snapshot, table: &InstanceTypeTable) -> Snapshot {
    const TOTAL: usize = 10_000;
    const WINDOWS_NODES: u32 = 8_000;
    let existing: usize = snapshot.clusters.iter().map(|c| c.nodes.len()).sum();
    let linux_nodes = u32::try_from(TOTAL - existing).expect("fits") - WINDOWS_NODES;
    let subnet_ids = [
        "subnet-0scale0000000a",
        "subnet-0scale0000000b",
        "subnet-0scale0000000c",
        "subnet-0scale0000000d",
    ];
    let cidrs = [
        "10.60.0.0/16",
        "10.61.0.0/16",
        "10.62.0.0/16",
        "10.63.0.0/16",
    ];
    let azs = [
        "eu-central-1a",
        "eu-central-1b",
        "eu-central-1c",
        "eu-central-1a",
    ];
    let mut allocators: Vec<Allocator> = cidrs.iter().map(|c| Allocator::new(c)).collect();
    let m5 = table
        .get("m5.large")
        .expect("m5.large in the table")
        .clone();
    let windows_pool = WarmPool::windows(&m5, &WindowsWarmSettings::defaults(IpMode::SecondaryIp));
    let linux_pool = WarmPool::linux(&m5, &LinuxWarmSettings::defaults(), false, false, 29);
    let mut nodes = Vec::with_capacity(TOTAL - existing);
    let mut seed: u64 = 0x5eed_0010_0000;
    let mut next = move |n: u32| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        u32::try_from(seed % u64::from(n)).expect("fits")
    };
    for (group, os, count, pool) in [
        ("win-scale", Os::Windows, WINDOWS_NODES, &windows_pool),
        ("linux-scale", Os::Linux, linux_nodes, &linux_pool),
    ] {
        for index in 0..count {
            let subnet = index as usize % subnet_ids.len();
            let alloc = &mut allocators[subnet];
            let pods = match os {
                Os::Windows => 1 + next(8),
                Os::Linux => 2 + next(20),
            };
            let held = pool.held(pods);
            let per_eni = pool.slots_per_eni;
            let mut left = held.held_ips;
            let enis = (0..held.enis)
                .map(|device| {
                    let take = left.min(per_eni);
                    left -= take;
                    Eni {
                        eni_id: format!("eni-{group}-{index}-{device}"),
                        interface_type: Some("interface".into()),
                        device_index: Some(device),
                        network_card_index: Some(0),
                        subnet_id: Some(subnet_ids[subnet].into()),
                        primary_ip: Some(alloc.ip()),
                        secondary_ips: (0..take).map(|_| alloc.ip()).collect(),
                        ipv4_prefixes: vec![],
                    }
                })
                .collect::<Vec<_>>();
            nodes.push(Node {
                instance_id: format!("i-{group}-{index:05}"),
                instance_type: "m5.large".into(),
                os,
                nodegroup: Some(group.into()),
                subnet_id: Some(subnet_ids[subnet].into()),
                availability_zone: Some(azs[subnet].into()),
                private_ip: enis.first().and_then(|e| e.primary_ip.clone()),
                ami_id: None,
                launch_time: Some("2026-11-20T08:00:00Z".into()),
                state: Some("running".into()),
                platform_details: None,
                windows_build: (os == Os::Windows).then(|| "10.0.20348.4171".to_string()),
                enis,
                pods_with_ips: Some(pods),
            });
        }
    }
    let subnets: Vec<Subnet> = allocators
        .into_iter()
        .zip(subnet_ids.iter().zip(cidrs.iter().zip(azs)))
        .map(|(alloc, (id, (cidr, az)))| alloc.subnet(id, cidr, az))
        .collect();
    snapshot.clusters.push(Cluster {
        name: "scale".into(),
        region: "eu-central-1".into(),
        account_id: Some("999988887777".into()),
        account_label: Some("scale".into()),
        version: Some("1.33".into()),
        platform_version: Some("eks.12".into()),
        status: Some("ACTIVE".into()),
        vpc_id: Some("vpc-0scale000000001".into()),
        subnet_ids: subnet_ids.iter().map(|s| s.to_string()).collect(),
        service_ipv4_cidr: Some("172.20.0.0/16".into()),
        ip_family: Some("ipv4".into()),
        nodegroups: vec![
            scale_group(
                "win-scale",
                Os::Windows,
                "m5.large",
                WINDOWS_NODES,
                &subnet_ids,
            ),
            scale_group(
                "linux-scale",
                Os::Linux,
                "m5.large",
                linux_nodes,
                &subnet_ids,
            ),
        ],
        nodes,
        windows_ipam_config: Some(BTreeMap::from([(
            "enable-windows-ipam".to_string(),
            "true".to_string(),
        )])),
        linux_ipam_env: Some(BTreeMap::from([(
            "WARM_ENI_TARGET".to_string(),
            "1".to_string(),
        )])),
        service_count: Some(120),
    });
    snapshot.subnets.extend(subnets);
    snapshot.source.kind = SourceKind::File;
    snapshot.source.description =
        "demo fleet scaled to 10,000 nodes by tests/ui_dsr_whatif.rs".into();
    snapshot
}

/// One input on the page: set `control` (a slider or the PD switch), wait until `#cmp-…-after`
/// shows `expected`, and return (page recompute ms, input → DOM ms), both from performance.now().
const TIMED_INPUT: &str = r#"
const [kind, id, value, watchId, want] = arguments;
const results = document.getElementById('what-if-results');
return new Promise((resolve, reject) => {
  const done = () => {
    const el = document.getElementById(watchId);
    return el && el.dataset.value === String(want);
  };
  const timer = setTimeout(() => { observer.disconnect(); reject(new Error('no update for ' + id)); }, 20000);
  let start = 0;
  const observer = new MutationObserver(() => {
    if (done()) {
      const domMs = performance.now() - start;
      observer.disconnect();
      clearTimeout(timer);
      resolve([parseFloat(results.dataset.recomputeMs), domMs]);
    }
  });
  observer.observe(results, { subtree: true, childList: true, attributes: true, characterData: true });
  const control = document.getElementById(id);
  start = performance.now();
  if (kind === 'click') { control.click(); }
  else { control.value = String(value); control.dispatchEvent(new Event('input', { bubbles: true })); }
});
"#;

fn stats(label: &str, mut samples: Vec<f64>) -> String {
    samples.sort_by(f64::total_cmp);
    let pick = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];
    format!(
        "{label}: n={} min {:.2} ms, median {:.2} ms, p95 {:.2} ms, max {:.2} ms",
        samples.len(),
        pick(0.0),
        pick(0.5),
        pick(0.95),
        pick(1.0)
    )
}

#[tokio::test]
async fn measure_nodegroup_what_if_recompute_on_a_10000_node_fleet() {
    let table = table();
    // The demo snapshot as the server serves it, scaled; written with shared types.
    let demo = {
        let server = start_server(&[OsStr::new("--demo")]);
        served_snapshot(&server)
    };
    let snapshot = ten_thousand_node_snapshot(demo, &table);
    let node_count: usize = snapshot.clusters.iter().map(|c| c.nodes.len()).sum();
    assert_eq!(node_count, 10_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("fleet-10000.json");
    std::fs::write(&file, serde_json::to_vec(&snapshot).expect("serialize"))
        .expect("write the snapshot");
    let server = start_server(&[OsStr::new("--snapshot"), file.as_os_str()]);
    let observed = observe_nodegroup(&snapshot, &table, "eu-central-1", "scale", "win-scale")
        .expect("observe win-scale");
    let table = observed.table(&table);

    let driver = ChromeDriver::start().await;
    let profile = tempfile::tempdir().expect("a Chromium profile directory");
    let client = browser(&driver, profile.path()).await;
    let path = "/clusters/eu-central-1/scale/nodegroups/win-scale/what-if";
    let opened = Instant::now();
    client
        .goto(&server.url(path))
        .await
        .expect("open the big what-if");
    let before = whatif::evaluate(&Scenario::from_observed(&observed), &table).expect("before");
    assert_values(
        &client,
        &[(
            "cmp-held-ips-before".into(),
            i64::try_from(before.totals.held_ips).expect("fits"),
        )],
        "the 8,000-node nodegroup loads",
    )
    .await;
    let load_time = opened.elapsed();

    // Warm up once (first use of every code path), then time every input.
    let mut recompute = Vec::new();
    let mut input_to_dom = Vec::new();
    let base = observed.nodes.len();
    let steps: Vec<usize> = (1..=30).map(|i| base - 150 + i * 10).collect();
    for (round, nodes) in steps.iter().enumerate() {
        let nodes_text = nodes.to_string();
        let expected = expected_after(&observed, &table, &[("nodes", nodes_text.as_str())]);
        let reply = js(
            &client,
            TIMED_INPUT,
            vec![
                json!("input"),
                json!("slider-nodes"),
                json!(nodes),
                json!("cmp-held-ips-after"),
                json!(expected.totals.held_ips),
            ],
        )
        .await;
        let (page_ms, dom_ms) = (
            reply[0].as_f64().unwrap_or(f64::NAN),
            reply[1].as_f64().unwrap_or(f64::NAN),
        );
        if round > 0 {
            recompute.push(page_ms);
            input_to_dom.push(dom_ms);
        }
    }
    // The prefix-delegation switch (a different path through the warm pool and the subnets).
    for round in 0..6 {
        let pd = if round % 2 == 0 { "true" } else { "false" };
        let nodes_text = steps[steps.len() - 1].to_string();
        let expected = expected_after(
            &observed,
            &table,
            &[("nodes", nodes_text.as_str()), ("prefix_delegation", pd)],
        );
        let reply = js(
            &client,
            TIMED_INPUT,
            vec![
                json!("click"),
                json!("prefix-delegation"),
                json!(null),
                json!("cmp-held-ips-after"),
                json!(expected.totals.held_ips),
            ],
        )
        .await;
        recompute.push(reply[0].as_f64().unwrap_or(f64::NAN));
        input_to_dom.push(reply[1].as_f64().unwrap_or(f64::NAN));
    }
    assert_no_console_errors(&client, &driver, "10,000-node what-if", &server.log()).await;
    client.close().await.expect("close the browser");
    println!(
        "10,000-node fleet, what-if on win-scale ({} nodes, {} subnets; Chromium headless, this machine):",
        observed.nodes.len(),
        observed.subnets.len()
    );
    println!("  page load to first numbers: {load_time:?}");
    println!(
        "  {}",
        stats(
            "recompute (data-recompute-ms: evaluate + compare)",
            recompute
        )
    );
    println!(
        "  {}",
        stats("input → DOM updated (MutationObserver)", input_to_dom)
    );
}
