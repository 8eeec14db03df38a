#![recursion_limit = "512"]
//! Native (host) render test of the DSR board: the view rendered to HTML with Leptos `ssr` for a
//! board that `shared` builds from a small snapshot; expected statuses, counts and flags come from
//! the same `shared` values, never typed in.

use frontend::components::json::Json;
use frontend::pages::dsr::{BoardState, DsrBoardView, DsrFilters, board_view};
use leptos::prelude::*;
use shared::dsr::DsrStatus;
use shared::fleet::DsrBoard;
use shared::snapshot::NodegroupKind;

use shared::dsr::parse_user_data;
use shared::maxpods::Os;
use shared::snapshot::{
    Cluster, Eni, LaunchTemplateRef, Node, Nodegroup, SCHEMA_VERSION, Snapshot, SnapshotSource,
    SourceKind,
};
use std::collections::BTreeMap;

fn group(name: &str, user_data: Option<&str>) -> Nodegroup {
    Nodegroup {
        name: name.into(),
        kind: NodegroupKind::Managed,
        os: Some(Os::Windows),
        ami_type: Some("WINDOWS_CORE_2022_x86_64".into()),
        release_version: None,
        version: Some("1.31".into()),
        instance_types: vec!["m5.large".into()],
        capacity_type: None,
        scaling: None,
        subnet_ids: vec![],
        launch_template: user_data.map(|_| LaunchTemplateRef {
            id: Some("lt-1".into()),
            name: None,
            version: Some("1".into()),
        }),
        asg_names: vec![],
        user_data: user_data.map(|text| parse_user_data(text, "lt-1 version 1")),
        status: Some("ACTIVE".into()),
        labels: BTreeMap::new(),
    }
}

fn node(id: &str, group: &str) -> Node {
    Node {
        instance_id: id.into(),
        instance_type: "m5.large".into(),
        os: Os::Windows,
        nodegroup: Some(group.into()),
        subnet_id: None,
        availability_zone: None,
        private_ip: None,
        ami_id: None,
        launch_time: None,
        state: None,
        platform_details: None,
        windows_build: Some("10.0.20348.4171".into()),
        enis: vec![Eni {
            eni_id: format!("eni-{id}"),
            interface_type: Some("interface".into()),
            device_index: Some(0),
            network_card_index: Some(0),
            subnet_id: None,
            primary_ip: Some("10.0.0.10".into()),
            secondary_ips: vec!["10.0.0.11".into()],
            ipv4_prefixes: vec![],
        }],
        pods_with_ips: None,
    }
}

/// Two Windows nodegroups: one proving DSR on in its user data, one with no launch template.
fn board() -> DsrBoard {
    let on = "<powershell>\n& $EKSBootstrapScriptFile -EKSClusterName \"prod\" -KubeProxyExtraArgs '--enable-dsr=true --feature-gates=WinDSR=true'\n</powershell>";
    let snapshot = Snapshot {
        schema_version: SCHEMA_VERSION,
        collected_at: "2026-11-26T07:00:00Z".into(),
        source: SnapshotSource {
            kind: SourceKind::File,
            description: "test".into(),
        },
        clusters: vec![Cluster {
            name: "prod".into(),
            region: "eu-west-1".into(),
            account_id: None,
            account_label: None,
            version: Some("1.31".into()),
            platform_version: None,
            status: None,
            vpc_id: None,
            subnet_ids: vec![],
            service_ipv4_cidr: None,
            ip_family: None,
            nodegroups: vec![group("dsr-on", Some(on)), group("no-lt", None)],
            nodes: vec![
                node("i-1", "dsr-on"),
                node("i-2", "no-lt"),
                node("i-3", "no-lt"),
            ],
            windows_ipam_config: None,
            linux_ipam_env: None,
            service_count: Some(150),
        }],
        subnets: vec![],
        instance_types: vec![],
        errors: vec![],
        api_calls: BTreeMap::new(),
        scan_duration_ms: None,
    };
    let table =
        shared::InstanceTypeTable::from_json(include_str!("../../assets/instance-types.json"))
            .expect("table");
    let view = shared::fleet::analyze(&snapshot, &table);
    let rows = shared::fleet::dsr_board(&view);
    DsrBoard::new(&view, rows)
}

#[test]
fn the_board_shows_every_row_with_shareds_status_counts_and_fix() {
    let board = board();
    let statuses: Vec<(String, DsrStatus)> = board
        .nodegroups
        .iter()
        .map(|r| (r.nodegroup.clone(), r.assessment.status))
        .collect();
    assert_eq!(
        statuses,
        [
            ("no-lt".to_string(), DsrStatus::Off),
            ("dsr-on".to_string(), DsrStatus::On)
        ]
    );
    let flags = board.nodegroups[0].assessment.fix.kube_proxy_flags.clone();
    let owner = Owner::new();
    owner.set();
    // The page reads the API's JSON, i.e. the serialized `DsrBoard`.
    let json = Json::from_value(serde_json::to_value(&board).expect("board as JSON"));
    let laid_out = board_view(&json, true);
    assert_eq!(laid_out.nodegroups, 2);
    assert_eq!(
        laid_out.clusters,
        [("eu-west-1".to_string(), "prod".to_string())]
    );
    let state: BoardState = Some(Ok(laid_out));
    let set_filters = RwSignal::new(DsrFilters::default()).write_only();
    let html = view! {
        <DsrBoardView
            all=Signal::stored(state.clone())
            shown=Signal::stored(state)
            filters=Signal::stored(DsrFilters::default())
            set_filters
        />
    }
    .to_html();
    assert!(
        html.contains("data-nodegroup=\"no-lt\" data-dsr-status=\"off\""),
        "{html}"
    );
    assert!(html.contains("data-nodegroup=\"dsr-on\" data-dsr-status=\"on\""));
    assert!(html.contains(&format!(
        "id=\"dsr-count-off\" data-value=\"{}\"",
        board.totals.off
    )));
    assert!(html.contains(&format!(
        "id=\"dsr-count-on\" data-value=\"{}\"",
        board.totals.on
    )));
    assert!(
        html.contains(&format!(">{flags}</code>")),
        "the exact flags, copy-ready"
    );
    assert!(html.contains("UNCONFIRMED"));
    assert!(
        html.contains("id=\"dsr-eu-west-1-prod-dsr-on-no-fix\""),
        "no fix for DSR on"
    );
    // 150 Services and DSR off: high port-exhaustion risk, in words.
    assert!(html.contains("data-risk=\"high\""));
}
