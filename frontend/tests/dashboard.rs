#![recursion_limit = "512"]
//! Native (host) render tests of the fleet dashboard pages: the overview, the cluster page and the
//! node page rendered to HTML with Leptos `ssr` from data that `shared::fleet` computes for a small
//! snapshot — the page must carry shared's numbers, not its own. The browser tests are in
//! `tests/ui_dashboard.rs` (workspace `tests/`).

use frontend::api::ApiFailure;
use frontend::components::json::Json;
use frontend::components::node_table::{NodeTableSignals, NodeTableState};
use frontend::components::remote::Remote;
use frontend::pages::cluster::ClusterView;
use frontend::pages::fleet::FleetView as FleetPageView;
use frontend::pages::node::NodeView;
use leptos::prelude::*;
use shared::fleet::{self, FleetOverview, FleetView, NodePage, ScanInfo, SubnetDetail};
use shared::{InstanceTypeTable, Snapshot};

/// What the browser reads: the JSON the server sends for a `shared` value.
fn json<T: serde::Serialize>(value: &T) -> Json {
    Json::from_value(serde_json::to_value(value).expect("shared types serialize"))
}

/// Two clusters: `prod` (one Windows m5.large with 3 secondary IPs on its primary ENI, in a /24 whose
/// allocations were read) and `dev` (one Linux node) whose nodegroup could not be described.
fn fixture() -> (Snapshot, InstanceTypeTable, FleetView) {
    let snapshot: Snapshot = serde_json::from_value(serde_json::json!({
        "schema_version": 1,
        "collected_at": "2026-11-26T06:45:00Z",
        "source": { "kind": "demo", "description": "test fleet" },
        "clusters": [
            { "name": "prod", "region": "eu-west-1", "account_id": "111122223333", "version": "1.31",
              "subnet_ids": ["subnet-a"],
              "nodes": [{ "instance_id": "i-0win", "instance_type": "m5.large", "os": "windows",
                          "subnet_id": "subnet-a", "nodegroup": "win",
                          "enis": [{ "eni_id": "eni-1", "device_index": 0, "subnet_id": "subnet-a",
                                     "primary_ip": "10.0.0.10",
                                     "secondary_ips": ["10.0.0.11", "10.0.0.12", "10.0.0.13"] }] }] },
            { "name": "dev", "region": "us-east-1", "account_id": "444455556666",
              "nodes": [{ "instance_id": "i-0lin", "instance_type": "m5.large", "os": "linux",
                          "enis": [{ "eni_id": "eni-2", "device_index": 0,
                                     "secondary_ips": ["10.1.0.11"] }] }] }
        ],
        "subnets": [{ "subnet_id": "subnet-a", "region": "eu-west-1", "cidr": "10.0.0.0/24",
                      "available_ip_count": 247,
                      "allocated_ips": ["10.0.0.10", "10.0.0.11", "10.0.0.12", "10.0.0.13"] }],
        "instance_types": [],
        "errors": [{ "cluster": "dev", "region": "us-east-1", "operation": "eks:DescribeNodegroup",
                     "kind": "access-denied", "message": "denied for this test" }]
    }))
    .expect("fixture snapshot");
    let table = InstanceTypeTable::from_json(include_str!("../../assets/instance-types.json"))
        .expect("assets/instance-types.json parses");
    let view = fleet::analyze(&snapshot, &table);
    (snapshot, table, view)
}

/// What `GET /api/v1/fleet` sends for the fixture, three minutes after collection.
fn overview(view: &FleetView) -> FleetOverview {
    FleetOverview {
        source: view.source.clone(),
        demo: true,
        collected_at: view.collected_at.clone(),
        data_age_seconds: Some(180),
        loaded_at: None,
        scan: ScanInfo::default(),
        totals: view.totals.clone(),
        clusters: view.clusters.clone(),
        unattached_errors: view.unattached_errors.clone(),
        api_calls: view.api_calls.clone(),
        scan_duration_ms: None,
    }
}

fn render_fleet(answer: Result<Json, ApiFailure>) -> String {
    let owner = Owner::new();
    owner.set();
    let remote = Remote::answered("/api/v1/fleet", answer);
    view! { <FleetPageView remote now=Signal::stored(0.0)/> }.to_html()
}

#[test]
fn overview_cards_show_shared_numbers_and_the_failed_cluster_its_error() {
    let (_, _, view) = fixture();
    let html = render_fleet(Ok(json(&overview(&view))));
    assert!(html.contains("id=\"demo-banner\""), "demo banner");
    assert!(html.contains("3 min ago"), "data age");
    let nodes = format!(
        "id=\"total-nodes\" data-value=\"{}\"",
        view.totals.ips.nodes
    );
    assert!(html.contains(&nodes), "{nodes}");
    for cluster in &view.clusters {
        let card = format!(
            "data-cluster=\"{}/{}\" data-errors=\"{}\"",
            cluster.region,
            cluster.name,
            cluster.errors.len()
        );
        assert!(html.contains(&card), "{card}");
        let held = format!("data-value=\"{}\"", cluster.ips.held_ips);
        assert!(html.contains(&held), "{held}");
    }
    assert!(
        html.contains("denied for this test"),
        "the error is on its card"
    );
    assert_eq!(html.matches("cluster-card--error").count(), 1);
}

#[test]
fn no_snapshot_says_how_to_load_one() {
    let html = render_fleet(Err(ApiFailure {
        status: Some(503),
        code: Some("no_snapshot".into()),
        message: "a scan is in progress".into(),
    }));
    assert!(html.contains("id=\"fleet-no-snapshot\""));
    assert!(html.contains("a scan is in progress"));
    assert!(html.contains("eniscope serve --demo"));
}

#[test]
fn cluster_page_renders_nodegroups_nodes_and_subnets() {
    let (snapshot, _, view) = fixture();
    let detail =
        fleet::cluster_detail(&snapshot, &view, "eu-west-1", "prod").expect("cluster detail");
    let rows: Vec<_> = view
        .nodes
        .iter()
        .filter(|n| n.cluster == "prod")
        .cloned()
        .collect();
    let page = NodePage {
        total: rows.len(),
        offset: 0,
        limit: 50,
        ips: fleet::ip_totals(rows.iter()),
        nodes: rows,
    };
    let state = NodeTableState::default();
    let url = state.api_url("eu-west-1", "prod");
    let subnet = view.subnet("subnet-a").expect("subnet-a").clone();
    let block_map = fleet::subnet_block_map(snapshot.subnet("subnet-a").expect("subnet-a"));
    let blocks = block_map.as_ref().map_or(0, |m| m.classes.len());
    assert_eq!(blocks, 16, "a /24 has 16 blocks");
    let owner = Owner::new();
    owner.set();
    let maps = vec![(
        "subnet-a".to_string(),
        Remote::answered(
            "/api/v1/subnets/subnet-a",
            Ok(json(&SubnetDetail { subnet, block_map })),
        ),
    )];
    let signals = NodeTableSignals::new(state);
    let nodes = Remote::answered(&url, Ok(json(&page)));
    let html = view! {
        <ClusterView detail=json(&detail) signals nodes maps/>
    }
    .to_html();
    assert!(html.contains("id=\"cluster-name\""));
    assert!(html.contains("data-instance=\"i-0win\""));
    assert!(html.contains("data-nodegroup=\"win\""));
    assert!(html.contains("data-subnet=\"subnet-a\""));
    assert!(
        html.contains("aria-sort=\"descending\""),
        "the default sort is marked"
    );
    assert!(html.contains("/api/v1/export/nodes.csv?cluster=prod&amp;region=eu-west-1"));
    // One cell per /28 block, each titled with its CIDR (the legend's sample cells have no title).
    assert_eq!(
        html.matches("title=\"10.0.0.").count(),
        blocks,
        "the block map"
    );
    let held = format!("data-held=\"{}\"", view.nodes[0].held_ips);
    assert!(
        html.contains(&held),
        "the node's bar carries shared's held IPs"
    );
    assert!(
        html.contains("1 node match"),
        "the page total from NodePage"
    );
}

#[test]
fn node_page_shows_enis_and_the_held_explanation() {
    let (snapshot, table, _) = fixture();
    let detail = fleet::node_detail(&snapshot, &table, "i-0win").expect("node detail");
    let held = detail.node.held_ips;
    assert_eq!(held, 3, "3 secondary IPs on the primary ENI");
    let owner = Owner::new();
    owner.set();
    let html = view! {
        <NodeView detail=json(&detail) subnet=Remote::new()/>
    }
    .to_html();
    assert!(html.contains("data-eni=\"eni-1\""));
    assert!(html.contains(&format!("id=\"node-held\" data-value=\"{held}\"")));
    assert!(html.contains("id=\"explain-node-held\""));
    assert!(
        html.contains("href=\"/clusters/eu-west-1/prod\""),
        "link back to the cluster"
    );
}
