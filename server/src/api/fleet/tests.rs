//! The fleet API in process (`tower::ServiceExt::oneshot`) against the demo fleet.

use crate::api::router;
use crate::api::types::ErrorResponse;
use crate::state::{AppState, ScanPhase, embedded_instance_types};
use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use serde::de::DeserializeOwned;
use serde_json::Value;
use shared::Snapshot;
use shared::dsr::DsrStatus;
use shared::fleet::{
    ClusterDetail, DsrBoard, FleetOverview, NodeDetail, NodePage, NodeRow, SubnetDetail, SubnetList,
};
use std::path::PathBuf;
use tower::ServiceExt as _;

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Reply {
    fn json<T: DeserializeOwned>(&self) -> T {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "{} body is not the expected JSON ({e}): {}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// A 4xx/5xx with the API's error shape; returns it.
    fn error(&self, status: StatusCode, code: &str) -> ErrorResponse {
        assert_eq!(self.status, status, "{}", self.text());
        let error: ErrorResponse = self.json();
        assert_eq!(error.error.code, code, "{error:?}");
        assert!(!error.error.message.is_empty());
        error
    }
}

fn state() -> AppState {
    AppState::new(
        embedded_instance_types().expect("embedded table"),
        PathBuf::from("/nonexistent/eniscope-dist"),
    )
}

async fn demo_app() -> Router {
    let state = state();
    let snapshot = crate::demo::demo_snapshot();
    let source = snapshot.source.clone();
    state.fleet.write().await.install(snapshot, source);
    router(state)
}

async fn get(app: &Router, uri: &str) -> Reply {
    let request = Request::builder()
        .uri(uri)
        .body(Body::empty())
        .expect("request");
    let response = app.clone().oneshot(request).await.expect("infallible");
    let status = response.status();
    let headers = response.headers().clone();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("body")
        .to_vec();
    Reply {
        status,
        headers,
        body,
    }
}

#[tokio::test]
async fn without_a_snapshot_every_fleet_route_is_503_and_says_what_to_do() {
    let state = state();
    let app = router(state.clone());
    for uri in [
        "/api/v1/fleet",
        "/api/v1/clusters",
        "/api/v1/clusters/eu-west-1/prod-eu",
        "/api/v1/nodes",
        "/api/v1/nodes/i-0123",
        "/api/v1/subnets",
        "/api/v1/dsr",
        "/api/v1/snapshot",
        "/api/v1/export/nodes.csv",
        "/api/v1/export/subnets.json",
    ] {
        let error = get(&app, uri)
            .await
            .error(StatusCode::SERVICE_UNAVAILABLE, "no_snapshot");
        assert!(
            error.error.message.contains("eniscope serve --demo"),
            "{uri}: {}",
            error.error.message
        );
    }
    {
        let mut fleet = state.fleet.write().await;
        fleet.scan.phase = ScanPhase::Running;
        fleet.scan.sources_done = 2;
        fleet.scan.sources_total = Some(5);
    }
    let error = get(&app, "/api/v1/fleet")
        .await
        .error(StatusCode::SERVICE_UNAVAILABLE, "no_snapshot");
    assert!(
        error
            .error
            .message
            .contains("scan is in progress (2 of 5 sources read)"),
        "{}",
        error.error.message
    );
}

#[tokio::test]
async fn fleet_overview_has_cards_totals_age_and_the_demo_flag() {
    let app = demo_app().await;
    let reply = get(&app, "/api/v1/fleet").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let overview: FleetOverview = reply.json();
    assert!(overview.demo);
    assert_eq!(overview.collected_at, crate::demo::DEMO_COLLECTED_AT);
    assert!(overview.data_age_seconds.is_some_and(|age| age > 0));
    assert!(overview.loaded_at.is_some());
    assert_eq!(overview.scan.phase, "idle");
    assert_eq!(overview.totals.clusters, 4);
    assert_eq!(overview.clusters.len(), 4);
    assert_eq!(
        overview.totals.nodes_windows + overview.totals.nodes_linux,
        overview.totals.ips.nodes
    );
    let dev = overview
        .clusters
        .iter()
        .find(|c| c.name == "dev")
        .expect("dev card");
    assert_eq!(dev.errors.len(), 1, "the failing cluster shows its error");
    assert!(
        overview
            .clusters
            .iter()
            .filter(|c| c.name != "dev")
            .all(|c| c.errors.is_empty())
    );
    assert_eq!(overview.unattached_errors.len(), 1);
    assert!(overview.api_calls.contains_key("ec2:DescribeInstances"));
    // Field names the dashboard reads.
    let value: Value = reply.json();
    for key in [
        "source",
        "demo",
        "collected_at",
        "data_age_seconds",
        "scan",
        "totals",
        "clusters",
        "unattached_errors",
    ] {
        assert!(value.get(key).is_some(), "missing {key}");
    }
    let card = &value["clusters"][0];
    for key in [
        "name",
        "region",
        "account_id",
        "version",
        "nodes_windows",
        "nodes_linux",
        "ips",
        "subnets_at_risk",
        "dsr",
        "errors",
    ] {
        assert!(card.get(key).is_some(), "card misses {key}");
    }
    for key in ["held_ips", "used_ips", "ip_capacity"] {
        assert!(card["ips"].get(key).is_some(), "ips misses {key}");
    }
    assert!(get(&app, "/api/v1/fleet?verbose=1").await.status == StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn cluster_detail_and_not_found() {
    let app = demo_app().await;
    let reply = get(&app, "/api/v1/clusters/us-east-1/dev").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let detail: ClusterDetail = reply.json();
    assert_eq!(detail.cluster.name, "dev");
    assert_eq!(detail.nodegroups.len(), 3);
    assert_eq!(detail.subnets.len(), 1);
    assert!(detail.windows_ipam_config.is_some());
    let error = get(&app, "/api/v1/clusters/us-east-1/nope")
        .await
        .error(StatusCode::NOT_FOUND, "cluster_not_found");
    assert!(
        error
            .error
            .suggestions
            .contains(&"us-east-1/dev".to_string())
    );
    let list: Vec<Value> = get(&app, "/api/v1/clusters?region=eu-west-1").await.json();
    assert_eq!(list.len(), 2);
    let list: Vec<Value> = get(&app, "/api/v1/clusters?account=dev").await.json();
    assert_eq!(list.len(), 2);
}

#[tokio::test]
async fn nodes_have_the_contract_fields_and_filter_sort_page() {
    let app = demo_app().await;
    let reply = get(&app, "/api/v1/nodes").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let page: NodePage = reply.json();
    assert_eq!(
        (page.total, page.offset, page.limit, page.nodes.len()),
        (189, 0, 200, 189)
    );
    let value: Value = reply.json();
    for row in value["nodes"].as_array().expect("array") {
        for key in [
            "cluster",
            "region",
            "nodegroup",
            "instance_id",
            "instance_type",
            "os",
            "subnet_id",
            "ip_mode",
            "held_ips",
            "prefixes",
            "ip_capacity",
            "dsr",
        ] {
            assert!(row.get(key).is_some(), "row misses {key}: {row}");
        }
        match row["os"].as_str() {
            Some("linux") => assert!(row["dsr"].is_null()),
            Some("windows") => {
                assert!(["on", "off", "unknown"].contains(&row["dsr"].as_str().unwrap_or("")))
            }
            other => panic!("os {other:?}"),
        }
        assert!(
            ["secondary-ip", "prefix-delegation"].contains(&row["ip_mode"].as_str().unwrap_or(""))
        );
    }

    let prod_us: NodePage = get(
        &app,
        "/api/v1/nodes?cluster=prod-us&region=us-east-1&limit=1000",
    )
    .await
    .json();
    assert_eq!(prod_us.total, 76);
    assert!(prod_us.nodes.iter().all(|n| n.cluster == "prod-us"));
    assert_eq!(prod_us.ips.nodes, 76);

    let off: NodePage = get(&app, "/api/v1/nodes?os=windows&dsr=off").await.json();
    assert!(
        off.total > 0
            && off
                .nodes
                .iter()
                .all(|n| n.os == shared::Os::Windows && n.dsr == Some(DsrStatus::Off))
    );
    let pd: NodePage = get(&app, "/api/v1/nodes?ip_mode=prefix-delegation&os=WINDOWS")
        .await
        .json();
    assert_eq!(pd.total, 6, "win2022-pd");
    let group: NodePage = get(&app, "/api/v1/nodes?cluster=prod-us&nodegroup=windows-ng")
        .await
        .json();
    assert_eq!(group.total, 4);
    assert!(group.nodes.iter().all(|n| n.instance_type == "c5.xlarge"));
    let account: NodePage = get(&app, "/api/v1/nodes?account=dev").await.json();
    assert_eq!(account.total, 25 + 36);

    let sorted: NodePage = get(&app, "/api/v1/nodes?sort=-held_ips&limit=20")
        .await
        .json();
    assert_eq!(sorted.nodes.len(), 20);
    assert!(
        sorted
            .nodes
            .windows(2)
            .all(|w| w[0].held_ips >= w[1].held_ips)
    );
    let all: Vec<NodeRow> = get(&app, "/api/v1/export/nodes.json").await.json();
    assert_eq!(
        sorted.nodes[0].held_ips,
        all.iter().map(|n| n.held_ips).max().unwrap_or(0)
    );

    // Linux nodes have no DSR status: last whichever way the column is sorted, and the known ones in order.
    assert!(all.iter().any(|n| n.dsr.is_none()) && all.iter().any(|n| n.dsr.is_some()));
    for sort in ["dsr", "-dsr"] {
        let page: NodePage = get(&app, &format!("/api/v1/nodes?sort={sort}&limit=10000"))
            .await
            .json();
        let known = page.nodes.iter().take_while(|n| n.dsr.is_some()).count();
        assert!(known > 0, "{sort}");
        assert!(
            page.nodes[known..].iter().all(|n| n.dsr.is_none()),
            "{sort}: unknown last"
        );
        let statuses: Vec<_> = page.nodes[..known].iter().filter_map(|n| n.dsr).collect();
        let mut expected = statuses.clone();
        expected.sort();
        if sort.starts_with('-') {
            expected.reverse();
        }
        assert_eq!(statuses, expected, "{sort}");
    }

    let paged: NodePage = get(&app, "/api/v1/nodes?limit=10&offset=180").await.json();
    assert_eq!((paged.total, paged.nodes.len()), (189, 9));
    assert_eq!(paged.nodes[0].instance_id, all[180].instance_id);
    let past: NodePage = get(&app, "/api/v1/nodes?offset=5000").await.json();
    assert!(past.nodes.is_empty());

    let one = &all[0];
    let q: NodePage = get(&app, &format!("/api/v1/nodes?q={}", &one.instance_id[..8]))
        .await
        .json();
    assert!(q.nodes.iter().any(|n| n.instance_id == one.instance_id));
}

#[tokio::test]
async fn bad_filters_are_400_with_the_parameter_named() {
    let app = demo_app().await;
    let cases = [
        ("/api/v1/nodes?os=mac", "os"),
        ("/api/v1/nodes?limit=0", "limit"),
        ("/api/v1/nodes?limit=abc", "limit"),
        ("/api/v1/nodes?limit=10001", "limit"),
        ("/api/v1/nodes?offset=-1", "offset"),
        ("/api/v1/nodes?cluster=nope", "cluster"),
        ("/api/v1/nodes?cluster=prod-eu&region=us-east-1", "cluster"),
        ("/api/v1/nodes?region=mars-1", "region"),
        ("/api/v1/nodes?account=999", "account"),
        (
            "/api/v1/nodes?cluster=dev&nodegroup=win2019-dsr",
            "nodegroup",
        ),
        ("/api/v1/nodes?ip_mode=pd", "ip_mode"),
        ("/api/v1/nodes?dsr=maybe", "dsr"),
        ("/api/v1/nodes?subnet=subnet-nope", "subnet"),
        ("/api/v1/nodes?sort=bogus", "sort"),
        ("/api/v1/nodes?os=windows&os=linux", "os"),
        ("/api/v1/nodes?clustr=dev", "clustr"),
        ("/api/v1/subnets?at_risk=perhaps", "at_risk"),
        ("/api/v1/subnets?cluster=nope", "cluster"),
        ("/api/v1/dsr?status=green", "status"),
        ("/api/v1/dsr?cluster=nope", "cluster"),
        ("/api/v1/export/nodes.csv?os=mac", "os"),
        ("/api/v1/export/nodes.csv?limit=5", "limit"),
    ];
    for (uri, parameter) in cases {
        let error = get(&app, uri)
            .await
            .error(StatusCode::BAD_REQUEST, "invalid_parameter");
        assert_eq!(
            error.error.parameter.as_deref(),
            Some(parameter),
            "{uri}: {}",
            error.error.message
        );
    }
    let error = get(&app, "/api/v1/nodes?cluster=nope")
        .await
        .error(StatusCode::BAD_REQUEST, "invalid_parameter");
    assert!(
        error
            .error
            .suggestions
            .contains(&"eu-west-1/prod-eu".to_string())
    );
}

#[tokio::test]
async fn node_detail_explains_the_numbers() {
    let app = demo_app().await;
    let page: NodePage = get(
        &app,
        "/api/v1/nodes?cluster=analytics&nodegroup=win2022-pd&limit=1",
    )
    .await
    .json();
    let id = &page.nodes[0].instance_id;
    let reply = get(&app, &format!("/api/v1/nodes/{id}")).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let detail: NodeDetail = reply.json();
    assert_eq!(detail.enis.len(), 1);
    assert!(detail.enis[0].carries_pod_ips && !detail.enis[0].ipv4_prefixes.is_empty());
    assert!(detail.held_explanation.formula.contains("prefixes"));
    let capacity = detail.capacity.expect("capacity");
    assert_eq!(
        (capacity.ip_capacity, capacity.recommended_max_pods),
        (224, 150),
        "m5.xlarge PD, kubelet --max-pods=150"
    );
    assert!(
        detail
            .dsr
            .is_some_and(|d| !d.fix.user_data_snippet.is_empty())
    );
    assert_eq!(
        detail.nodegroup.map(|g| g.name),
        Some("win2022-pd".to_string())
    );
    assert!(detail.subnet.is_some());
    get(&app, "/api/v1/nodes/i-doesnotexist")
        .await
        .error(StatusCode::NOT_FOUND, "node_not_found");
}

#[tokio::test]
async fn subnets_list_risk_and_block_map() {
    let app = demo_app().await;
    let list: SubnetList = get(&app, "/api/v1/subnets").await.json();
    assert_eq!((list.total, list.at_risk), (8, 1));
    let risky: SubnetList = get(&app, "/api/v1/subnets?at_risk=true").await.json();
    assert_eq!(risky.subnets.len(), 1);
    assert_eq!(risky.subnets[0].free_ips, Some(9));
    let prod_us: SubnetList = get(&app, "/api/v1/subnets?cluster=prod-us").await.json();
    assert_eq!(prod_us.total, 3);
    let reply = get(&app, "/api/v1/subnets/subnet-0b2f3a4c5d6e7f802").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let detail: SubnetDetail = reply.json();
    let map = detail.block_map.expect("block map");
    assert_eq!(map.classes.len(), 16, "a /24 has 16 /28 blocks");
    assert!(
        map.classes.iter().all(|c| !c.takes_new_prefix()),
        "fragmented: no block takes a prefix"
    );
    assert_eq!(detail.subnet.prefix_delegation_ready, Some(false));
    get(&app, "/api/v1/subnets/subnet-nope")
        .await
        .error(StatusCode::NOT_FOUND, "subnet_not_found");
}

#[tokio::test]
async fn dsr_board_lists_every_windows_nodegroup_with_status_evidence_and_fix() {
    let app = demo_app().await;
    let reply = get(&app, "/api/v1/dsr").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let board: DsrBoard = reply.json();
    let names: Vec<(&str, DsrStatus)> = board
        .nodegroups
        .iter()
        .map(|r| (r.nodegroup.as_str(), r.assessment.status))
        .collect();
    assert_eq!(names.len(), 8, "{names:?}");
    for (name, status) in [
        ("win2019-dsr", DsrStatus::On),
        ("win2022-kube-proxy-args", DsrStatus::On),
        ("win2022-default", DsrStatus::Off),
        ("windows-ng", DsrStatus::On),
        ("win2022-dsr", DsrStatus::On),
        ("win2019-gate-missing", DsrStatus::Off),
        ("win-legacy", DsrStatus::Unknown),
        ("win2022-pd", DsrStatus::Off),
    ] {
        assert!(
            names.contains(&(name, status)),
            "{name} should be {status}: {names:?}"
        );
    }
    assert_eq!(
        board.nodegroups[0].assessment.status,
        DsrStatus::Off,
        "worst first"
    );
    assert_eq!(board.totals.windows_nodes, 61);
    assert!(board.windows_nodes_at_port_exhaustion_risk > 0);
    let gate = board
        .nodegroups
        .iter()
        .find(|r| r.nodegroup == "win2019-gate-missing")
        .expect("row");
    assert_eq!(
        gate.assessment.fix.kube_proxy_flags,
        "--enable-dsr=true --feature-gates=WinDSR=true"
    );
    assert!(
        gate.assessment
            .fix
            .eksctl_snippet
            .contains("preBootstrapCommands")
    );
    assert_eq!(gate.nodes.len(), 6);
    let on: DsrBoard = get(&app, "/api/v1/dsr?status=on&region=us-east-1")
        .await
        .json();
    assert_eq!(on.nodegroups.len(), 2);
    assert!(
        on.nodegroups
            .iter()
            .all(|r| r.assessment.status == DsrStatus::On && r.region == "us-east-1")
    );
    let value: Value = reply.json();
    let row = &value["nodegroups"][0];
    for key in [
        "cluster",
        "region",
        "nodegroup",
        "kubernetes_version",
        "service_count",
        "assessment",
        "nodes",
    ] {
        assert!(row.get(key).is_some(), "board row misses {key}");
    }
    for key in [
        "status",
        "reason",
        "evidence",
        "windows_version",
        "port_exhaustion",
        "fix",
    ] {
        assert!(
            row["assessment"].get(key).is_some(),
            "assessment misses {key}"
        );
    }
}

#[tokio::test]
async fn exports_and_raw_snapshot() {
    let app = demo_app().await;
    let reply = get(&app, "/api/v1/export/nodes.csv?cluster=dev").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    assert_eq!(
        reply.headers[header::CONTENT_TYPE],
        "text/csv; charset=utf-8"
    );
    assert!(
        reply.headers[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap_or("")
            .contains("eniscope-nodes.csv")
    );
    let text = reply.text();
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0]
            .starts_with("cluster,region,account,nodegroup,instance_id,instance_type,os,subnet_id")
    );
    assert_eq!(lines.len(), 1 + 25);
    assert!(lines[1..].iter().all(|l| l.starts_with("dev,us-east-1,")));

    let text = get(&app, "/api/v1/export/subnets.csv").await.text();
    assert_eq!(text.lines().count(), 1 + 8);
    assert!(text.starts_with("subnet_id,region,account_id,vpc_id,availability_zone,cidr,"));
    let subnets: Vec<Value> = get(&app, "/api/v1/export/subnets.json?at_risk=true")
        .await
        .json();
    assert_eq!(subnets.len(), 1);

    let reply = get(&app, "/api/v1/snapshot").await;
    assert_eq!(reply.status, StatusCode::OK);
    let snapshot =
        Snapshot::from_json(&reply.text()).expect("raw snapshot is a valid snapshot file");
    assert_eq!(snapshot, crate::demo::demo_snapshot());
}

#[tokio::test]
async fn findings_of_the_demo_fleet() {
    let app = demo_app().await;
    let reply = get(&app, "/api/v1/findings").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let list: shared::findings::FindingList = reply.json();
    let has = |code: &str, at: &str| {
        list.findings.iter().any(|f| {
            f.code == code
                && [
                    f.cluster.as_deref(),
                    f.nodegroup.as_deref(),
                    f.subnet_id.as_deref(),
                    f.region.as_deref(),
                ]
                .contains(&Some(at))
        })
    };
    assert!(
        has("WIN001", "win2019-gate-missing"),
        "gate missing on 1.30"
    );
    assert!(has("WIN002", "win2022-default"));
    assert!(has("WIN004", "win-legacy"));
    assert!(has("WIN005", "prod-eu"), "143 services");
    assert!(has("WIN006", "win2022-pd"), "kubelet 150 < 224 pod IPs");
    assert!(has("SUB001", "subnet-0b2f3a4c5d6e7f801"));
    assert!(has("SUB003", "subnet-0b2f3a4c5d6e7f802"));
    assert!(has("SRC001", "dev") && has("SRC001", "ap-southeast-2"));
    assert_eq!(list.total, list.findings.len());
    assert_eq!(
        list.critical + list.high + list.medium + list.low + list.info,
        list.total
    );
    let high: shared::findings::FindingList =
        get(&app, "/api/v1/findings?severity=high&region=us-east-1")
            .await
            .json();
    assert!(
        high.total > 0
            && high
                .findings
                .iter()
                .all(|f| f.severity == shared::findings::Severity::High)
    );
    let one: shared::findings::FindingList = get(&app, "/api/v1/findings?code=win001").await.json();
    assert_eq!(one.total, 1);
    get(&app, "/api/v1/findings?severity=urgent")
        .await
        .error(StatusCode::BAD_REQUEST, "invalid_parameter");
    get(&app, "/api/v1/findings?code=XYZ999")
        .await
        .error(StatusCode::BAD_REQUEST, "invalid_parameter");
}
