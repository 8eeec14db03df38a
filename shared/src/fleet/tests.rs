use super::*;
use crate::limits::Hypervisor::Nitro;
use crate::limits::fixtures::limits;
use crate::snapshot::{ErrorKind, SCHEMA_VERSION, SourceKind};

const SEED_USER_DATA: &str = "<powershell>\n[string]$EKSBootstrapScriptFile = \"$env:ProgramFiles\\Amazon\\EKS\\Start-EKSBootstrap.ps1\"\n(Get-Content $EKSBootstrapScriptFile).replace('\"--proxy-mode=kernelspace\",', '\"--proxy-mode=kernelspace\", \"--feature-gates WinDSR=true\", \"--enable-dsr\",') | Set-Content $EKSBootstrapScriptFile\n& $EKSBootstrapScriptFile -EKSClusterName \"eks-windows\" 3>&1 4>&1 5>&1 6>&1\n</powershell>";

fn table() -> InstanceTypeTable {
    InstanceTypeTable {
        source: "test".into(),
        types: vec![
            limits("c5.xlarge", 4, 15, Nitro, 4),
            limits("m5.large", 3, 10, Nitro, 2),
            limits("m5.xlarge", 4, 15, Nitro, 4),
        ],
    }
}

fn eni(
    id: &str,
    device_index: u32,
    kind: &str,
    primary: &str,
    secondary: &[&str],
    prefixes: &[&str],
) -> Eni {
    Eni {
        eni_id: id.into(),
        interface_type: Some(kind.into()),
        device_index: Some(device_index),
        network_card_index: Some(0),
        subnet_id: Some("subnet-a".into()),
        primary_ip: Some(primary.into()),
        secondary_ips: secondary.iter().map(|s| s.to_string()).collect(),
        ipv4_prefixes: prefixes.iter().map(|s| s.to_string()).collect(),
    }
}

fn node(id: &str, instance_type: &str, os: Os, group: Option<&str>, enis: Vec<Eni>) -> Node {
    Node {
        instance_id: id.into(),
        instance_type: instance_type.into(),
        os,
        nodegroup: group.map(str::to_string),
        subnet_id: Some("subnet-a".into()),
        availability_zone: Some("eu-west-1a".into()),
        private_ip: enis.first().and_then(|e| e.primary_ip.clone()),
        ami_id: None,
        launch_time: None,
        state: Some("running".into()),
        platform_details: None,
        windows_build: None,
        enis,
        pods_with_ips: None,
    }
}

fn group(
    name: &str,
    kind: NodegroupKind,
    os: Os,
    ami_type: &str,
    user_data: Option<UserDataFlags>,
) -> Nodegroup {
    Nodegroup {
        name: name.into(),
        kind,
        os: Some(os),
        ami_type: Some(ami_type.into()),
        release_version: None,
        version: None,
        instance_types: vec![],
        capacity_type: None,
        scaling: None,
        subnet_ids: vec!["subnet-a".into()],
        launch_template: user_data.as_ref().map(|_| LaunchTemplateRef {
            id: Some("lt-1".into()),
            name: None,
            version: Some("1".into()),
        }),
        asg_names: vec![],
        user_data,
        status: Some("ACTIVE".into()),
        labels: BTreeMap::new(),
    }
}

fn cluster(name: &str, region: &str, groups: Vec<Nodegroup>, nodes: Vec<Node>) -> Cluster {
    Cluster {
        name: name.into(),
        region: region.into(),
        account_id: Some("111111111111".into()),
        account_label: Some("prod".into()),
        version: Some("1.31".into()),
        platform_version: None,
        status: Some("ACTIVE".into()),
        vpc_id: Some("vpc-1".into()),
        subnet_ids: vec!["subnet-a".into()],
        service_ipv4_cidr: None,
        ip_family: None,
        nodegroups: groups,
        nodes,
        windows_ipam_config: None,
        linux_ipam_env: None,
        service_count: None,
    }
}

fn subnet(
    id: &str,
    cidr: &str,
    allocated: Option<Vec<String>>,
    prefixes: Vec<String>,
    available: Option<u32>,
) -> Subnet {
    Subnet {
        subnet_id: id.into(),
        region: "eu-west-1".into(),
        account_id: Some("111111111111".into()),
        vpc_id: Some("vpc-1".into()),
        availability_zone: Some("eu-west-1a".into()),
        cidr: cidr.into(),
        available_ip_count: available,
        cidr_reservations: vec![],
        allocated_ips: allocated,
        allocated_prefixes: Some(prefixes),
        tags: BTreeMap::new(),
    }
}

fn snapshot(clusters: Vec<Cluster>, subnets: Vec<Subnet>, errors: Vec<SourceError>) -> Snapshot {
    Snapshot {
        schema_version: SCHEMA_VERSION,
        collected_at: "2026-11-26T07:00:00Z".into(),
        source: SnapshotSource {
            kind: SourceKind::File,
            description: "test".into(),
        },
        clusters,
        subnets,
        instance_types: vec![],
        errors,
        api_calls: BTreeMap::from([
            ("eks:ListClusters".to_string(), 1),
            ("ec2:DescribeInstances".to_string(), 2),
        ]),
        scan_duration_ms: Some(1200),
    }
}

fn source_error(cluster: Option<&str>, region: Option<&str>, account: Option<&str>) -> SourceError {
    SourceError {
        account: account.map(str::to_string),
        region: region.map(str::to_string),
        cluster: cluster.map(str::to_string),
        operation: Some("eks:DescribeNodegroup".into()),
        kind: ErrorKind::AccessDenied,
        message: "not authorized".into(),
    }
}

#[test]
fn windows_counts_only_the_primary_eni_linux_skips_trunk_and_efa() {
    let win = node(
        "i-win",
        "m5.large",
        Os::Windows,
        Some("win"),
        vec![
            eni(
                "eni-0",
                0,
                "interface",
                "10.0.0.10",
                &["10.0.0.11", "10.0.0.12", "10.0.0.13"],
                &[],
            ),
            eni("eni-1", 1, "interface", "10.0.0.20", &["10.0.0.21"], &[]),
        ],
    );
    let lin = node(
        "i-lin",
        "m5.large",
        Os::Linux,
        Some("lin"),
        vec![
            eni(
                "eni-2",
                0,
                "interface",
                "10.0.0.30",
                &["10.0.0.31", "10.0.0.32"],
                &[],
            ),
            eni("eni-3", 1, "interface", "10.0.0.40", &["10.0.0.41"], &[]),
            eni("eni-4", 2, "trunk", "10.0.0.50", &["10.0.0.51"], &[]),
            eni("eni-5", 3, "efa", "10.0.0.60", &["10.0.0.61"], &[]),
        ],
    );
    let groups = vec![
        group(
            "win",
            NodegroupKind::Managed,
            Os::Windows,
            "WINDOWS_CORE_2022_x86_64",
            None,
        ),
        group(
            "lin",
            NodegroupKind::Managed,
            Os::Linux,
            "AL2023_x86_64_STANDARD",
            None,
        ),
    ];
    let view = analyze(
        &snapshot(
            vec![cluster("prod", "eu-west-1", groups, vec![win, lin])],
            vec![],
            vec![],
        ),
        &table(),
    );
    let w = view.node("i-win").expect("windows row");
    assert_eq!(
        (w.pod_enis, w.secondary_ips, w.held_ips, w.ip_mode),
        (1, 3, 3, IpMode::SecondaryIp)
    );
    assert_eq!(w.ip_capacity, Some(9), "m5.large Windows secondary: 10 − 1");
    assert!(
        w.warnings.iter().any(|x| x.contains("non-primary ENI")),
        "{:?}",
        w.warnings
    );
    let l = view.node("i-lin").expect("linux row");
    assert_eq!((l.enis, l.pod_enis, l.held_ips), (4, 2, 3));
    assert_eq!(l.ip_capacity, Some(27), "m5.large Linux: 3 × (10 − 1)");
    assert_eq!(l.dsr, None);
    assert_eq!(l.max_pods, Some(29));
}

#[test]
fn prefixes_mean_prefix_delegation_and_16_ips_each() {
    let n = node(
        "i-pd",
        "m5.large",
        Os::Windows,
        Some("win-pd"),
        vec![eni(
            "eni-0",
            0,
            "interface",
            "10.0.0.10",
            &["10.0.0.11"],
            &["10.0.1.0/28", "10.0.1.16/28"],
        )],
    );
    let groups = vec![group(
        "win-pd",
        NodegroupKind::Managed,
        Os::Windows,
        "WINDOWS_CORE_2022_x86_64",
        None,
    )];
    let view = analyze(
        &snapshot(
            vec![cluster("prod", "eu-west-1", groups, vec![n])],
            vec![],
            vec![],
        ),
        &table(),
    );
    let row = view.node("i-pd").expect("row");
    assert_eq!(
        (row.ip_mode, row.prefixes, row.held_ips),
        (IpMode::PrefixDelegation, 2, 33)
    );
    assert_eq!(
        (row.ip_capacity, row.max_pods),
        (Some(144), Some(110)),
        "(10 − 1) × 16, kubelet 110"
    );
    let g = &view.nodegroups[0];
    assert_eq!(
        (g.ip_mode, g.ips.held_ips, g.ips.prefixes),
        (Some(IpMode::PrefixDelegation), 33, 2)
    );
}

#[test]
fn unknown_type_has_unknown_capacity_and_used_ips_are_never_guessed() {
    let mut a = node(
        "i-a",
        "m5.large",
        Os::Linux,
        Some("lin"),
        vec![eni("e", 0, "interface", "10.0.0.5", &["10.0.0.6"], &[])],
    );
    a.pods_with_ips = Some(1);
    let b = node(
        "i-b",
        "zz9.huge",
        Os::Linux,
        Some("lin"),
        vec![eni("f", 0, "interface", "10.0.0.7", &[], &[])],
    );
    let groups = vec![group(
        "lin",
        NodegroupKind::Managed,
        Os::Linux,
        "AL2023_x86_64_STANDARD",
        None,
    )];
    let view = analyze(
        &snapshot(
            vec![cluster("prod", "eu-west-1", groups, vec![a.clone(), b])],
            vec![],
            vec![],
        ),
        &table(),
    );
    let row = view.node("i-b").expect("row");
    assert_eq!(row.ip_capacity, None);
    assert!(row.warnings[0].contains("not in the instance-type table"));
    let c = &view.clusters[0];
    assert_eq!(
        (
            c.ips.used_ips,
            c.ips.used_known_nodes,
            c.ips.capacity_unknown_nodes
        ),
        (None, 1, 1)
    );
    assert_eq!(c.ips.ip_capacity, 27);
    // Every node known → a sum.
    let groups = vec![group(
        "lin",
        NodegroupKind::Managed,
        Os::Linux,
        "AL2023_x86_64_STANDARD",
        None,
    )];
    let view = analyze(
        &snapshot(
            vec![cluster("prod", "eu-west-1", groups, vec![a])],
            vec![],
            vec![],
        ),
        &table(),
    );
    assert_eq!(view.totals.ips.used_ips, Some(1));
}

#[test]
fn dsr_per_node_and_board() {
    let seed = dsr::parse_user_data(SEED_USER_DATA, "lt-1 v1");
    let groups = vec![
        group(
            "win-dsr",
            NodegroupKind::SelfManaged,
            Os::Windows,
            "WINDOWS_CORE_2019_x86_64",
            Some(seed),
        ),
        // managed, no launch template
        group(
            "win-plain",
            NodegroupKind::Managed,
            Os::Windows,
            "WINDOWS_CORE_2022_x86_64",
            None,
        ),
        group(
            "lin",
            NodegroupKind::Managed,
            Os::Linux,
            "AL2023_x86_64_STANDARD",
            None,
        ),
    ];
    let mut nodes = vec![
        node(
            "i-1",
            "c5.xlarge",
            Os::Windows,
            Some("win-dsr"),
            vec![eni("e1", 0, "interface", "10.0.0.10", &[], &[])],
        ),
        node(
            "i-2",
            "c5.xlarge",
            Os::Windows,
            Some("win-dsr"),
            vec![eni("e2", 0, "interface", "10.0.0.11", &[], &[])],
        ),
        node(
            "i-3",
            "m5.large",
            Os::Windows,
            Some("win-plain"),
            vec![eni("e3", 0, "interface", "10.0.0.12", &[], &[])],
        ),
        node(
            "i-4",
            "m5.large",
            Os::Linux,
            Some("lin"),
            vec![eni("e4", 0, "interface", "10.0.0.13", &[], &[])],
        ),
    ];
    nodes[1].windows_build = Some("10.0.17763.1000".into());
    let mut c = cluster("prod", "eu-west-1", groups, nodes);
    c.service_count = Some(140);
    let view = analyze(&snapshot(vec![c], vec![], vec![]), &table());
    assert_eq!(view.node("i-1").and_then(|n| n.dsr), Some(DsrStatus::On));
    assert_eq!(
        view.node("i-2").and_then(|n| n.dsr),
        Some(DsrStatus::Off),
        "old 2019 build"
    );
    assert_eq!(view.node("i-3").and_then(|n| n.dsr), Some(DsrStatus::Off));
    assert!(
        view.node("i-3")
            .and_then(|n| n.dsr_reason.clone())
            .is_some_and(|r| r.contains("UNCONFIRMED"))
    );
    assert_eq!(view.node("i-4").and_then(|n| n.dsr), None);
    let cl = &view.clusters[0];
    assert_eq!(
        (
            cl.dsr.windows_nodes,
            cl.dsr.on,
            cl.dsr.off,
            cl.dsr.coverage_percent
        ),
        (3, 1, 2, Some(33))
    );
    assert_eq!(cl.port_exhaustion_risk, Some(RiskLevel::High));
    assert_eq!(view.totals.windows_nodes_at_port_exhaustion_risk, 2);
    let board = dsr_board(&view);
    assert_eq!(board.len(), 2, "one row per Windows nodegroup");
    assert_eq!(board[0].nodegroup, "win-plain", "off first");
    assert_eq!(board[1].assessment.status, DsrStatus::On);
    assert_eq!(board[1].nodes.len(), 2);
    assert_eq!(board[1].node_counts.off, 1);
    assert_eq!(board[1].service_count, Some(140));
    assert_eq!(
        board[1].assessment.fix.kube_proxy_flags,
        "--enable-dsr=true --feature-gates=WinDSR=true"
    );
}

#[test]
fn errors_attach_to_their_cluster_region_or_stay_unattached() {
    let clusters = vec![
        cluster("prod", "eu-west-1", vec![], vec![]),
        cluster("dev", "us-east-1", vec![], vec![]),
    ];
    let errors = vec![
        source_error(Some("prod"), Some("eu-west-1"), Some("111111111111")),
        source_error(None, Some("us-east-1"), Some("prod")),
        source_error(Some("ghost"), Some("eu-west-1"), None),
        source_error(None, Some("ap-south-1"), None),
        source_error(None, None, None),
    ];
    let view = analyze(&snapshot(clusters, vec![], errors), &table());
    let prod = view.cluster("eu-west-1", "prod").expect("prod");
    assert_eq!(prod.errors.len(), 1);
    assert_eq!(prod.errors[0].scope, ErrorScope::Cluster);
    let dev = view.cluster("us-east-1", "dev").expect("dev");
    assert_eq!(dev.errors.len(), 1);
    assert_eq!(dev.errors[0].scope, ErrorScope::Region);
    let scopes: Vec<ErrorScope> = view.unattached_errors.iter().map(|e| e.scope).collect();
    assert_eq!(
        scopes,
        vec![ErrorScope::Cluster, ErrorScope::Region, ErrorScope::Fleet]
    );
    assert_eq!(
        (view.totals.errors, view.totals.clusters_with_errors),
        (5, 2)
    );
    let json = serde_json::to_value(&prod.errors[0]).expect("json");
    assert_eq!(
        json["operation"], "eks:DescribeNodegroup",
        "flattened SourceError"
    );
}

fn ips(prefix: &str, range: std::ops::Range<u32>) -> Vec<String> {
    range.map(|i| format!("{prefix}.{i}")).collect()
}

#[test]
fn subnets_exhausted_fragmented_and_unread() {
    // /24: 251 usable; 240 allocated → 11 free (4 %).
    let full = subnet(
        "subnet-full",
        "10.0.0.0/24",
        Some(ips("10.0.0", 4..244)),
        vec![],
        Some(11),
    );
    // /26 with one address in use in every /28 block: 4 blocks, all fragmented or reserved.
    let fragmented = subnet(
        "subnet-frag",
        "10.0.1.0/26",
        Some(vec![
            "10.0.1.4".into(),
            "10.0.1.20".into(),
            "10.0.1.36".into(),
            "10.0.1.52".into(),
        ]),
        vec![],
        Some(55),
    );
    let unread = subnet("subnet-unread", "10.0.2.0/24", None, vec![], Some(200));
    let mut pd_node = node(
        "i-pd",
        "m5.large",
        Os::Linux,
        None,
        vec![eni("e", 0, "interface", "10.0.1.4", &[], &["10.9.0.0/28"])],
    );
    pd_node.subnet_id = Some("subnet-frag".into());
    let mut c = cluster("prod", "eu-west-1", vec![], vec![pd_node]);
    c.subnet_ids = vec![
        "subnet-full".into(),
        "subnet-frag".into(),
        "subnet-unread".into(),
    ];
    let view = analyze(
        &snapshot(vec![c], vec![full, fragmented, unread], vec![]),
        &table(),
    );
    let s = view.subnet("subnet-full").expect("full");
    assert_eq!(
        (s.free_ips, s.free_percent, s.usable_ips),
        (Some(11), Some(4), Some(251))
    );
    assert!(s.at_risk);
    assert!(
        s.risk_reasons[0].contains("only 11 free IPs"),
        "{:?}",
        s.risk_reasons
    );
    assert!(
        !s.notes.iter().any(|n| n.contains("differs")),
        "AvailableIpAddressCount matches the allocations: {:?}",
        s.notes
    );
    assert_eq!(
        s.prefix_delegation_ready,
        Some(false),
        "240 of 251 addresses in use: no whole /28 left"
    );
    let f = view.subnet("subnet-frag").expect("frag");
    assert_eq!(
        (f.prefix_slots_free, f.prefix_delegation_ready),
        (Some(0), Some(false))
    );
    assert!(f.at_risk, "a PD node lives here");
    assert!(
        f.risk_reasons
            .iter()
            .any(|r| r.contains("InsufficientCidrBlocks")),
        "{:?}",
        f.risk_reasons
    );
    assert_eq!((f.nodes, f.prefix_delegation_nodes), (1, 1));
    let u = view.subnet("subnet-unread").expect("unread");
    assert_eq!(
        (u.usage.is_none(), u.at_risk, u.free_ips),
        (true, false, Some(200))
    );
    assert!(u.notes[0].contains("not read"));
    let c = &view.clusters[0];
    assert_eq!(
        c.subnets_at_risk,
        vec!["subnet-frag".to_string(), "subnet-full".to_string()]
    );
    assert_eq!(view.totals.subnets_at_risk, 2);
}

#[test]
fn node_detail_explains_and_lists_enis() {
    let n = node(
        "i-win",
        "m5.large",
        Os::Windows,
        Some("win"),
        vec![eni(
            "eni-0",
            0,
            "interface",
            "10.0.0.10",
            &["10.0.0.11"],
            &["10.0.0.32/28"],
        )],
    );
    let groups = vec![group(
        "win",
        NodegroupKind::Managed,
        Os::Windows,
        "WINDOWS_CORE_2022_x86_64",
        None,
    )];
    let snap = snapshot(
        vec![cluster("prod", "eu-west-1", groups, vec![n])],
        vec![subnet("subnet-a", "10.0.0.0/24", None, vec![], Some(200))],
        vec![],
    );
    let detail = node_detail(&snap, &table(), "i-win").expect("detail");
    assert_eq!(detail.enis.len(), 1);
    assert!(detail.enis[0].carries_pod_ips);
    assert_eq!(
        detail.held_explanation.formula,
        "1 secondary IPs + 16 × 1 prefixes = 17 held pod IPs"
    );
    assert!(detail.held_explanation.caps[0].contains("unknown"));
    let capacity = detail.capacity.expect("capacity");
    assert_eq!(capacity.ip_capacity, 144);
    assert!(capacity.explain().contains("16"));
    assert_eq!(detail.nodegroup.map(|g| g.ips.held_ips), Some(17));
    assert_eq!(detail.subnet.map(|s| s.nodes), Some(1));
    assert_eq!(detail.dsr.map(|d| d.status), Some(DsrStatus::Off));
    assert!(node_detail(&snap, &table(), "i-nope").is_none());
}

#[test]
fn nodes_outside_described_groups_are_grouped_not_lost() {
    let a = node("i-a", "m5.large", Os::Linux, None, vec![]);
    let b = node(
        "i-b",
        "m5.large",
        Os::Linux,
        Some("karpenter-default"),
        vec![],
    );
    let view = analyze(
        &snapshot(
            vec![cluster("prod", "eu-west-1", vec![], vec![a, b])],
            vec![],
            vec![],
        ),
        &table(),
    );
    let names: Vec<&str> = view.nodegroups.iter().map(|g| g.name.as_str()).collect();
    assert_eq!(names, vec![UNGROUPED, "karpenter-default"]);
    assert!(
        view.nodegroups
            .iter()
            .all(|g| g.kind == NodegroupKind::Ungrouped)
    );
    assert_eq!(view.totals.ips.nodes, 2);
    assert_eq!(view.clusters[0].nodegroups, 2);
}

/// 10,000 nodes in 20 clusters: every node analysed once, totals add up (speed is measured by
/// benchmarks, not asserted here).
#[test]
fn ten_thousand_nodes() {
    let seed = dsr::parse_user_data(SEED_USER_DATA, "lt");
    let mut clusters = Vec::new();
    for c in 0..20 {
        let groups = vec![
            group(
                "win",
                NodegroupKind::Managed,
                Os::Windows,
                "WINDOWS_CORE_2019_x86_64",
                Some(seed.clone()),
            ),
            group(
                "lin",
                NodegroupKind::Managed,
                Os::Linux,
                "AL2023_x86_64_STANDARD",
                None,
            ),
        ];
        let nodes = (0..500)
            .map(|i| {
                let (os, g) = if i % 2 == 0 {
                    (Os::Windows, "win")
                } else {
                    (Os::Linux, "lin")
                };
                node(
                    &format!("i-{c}-{i}"),
                    "m5.large",
                    os,
                    Some(g),
                    vec![eni(
                        "e",
                        0,
                        "interface",
                        "10.0.0.1",
                        &["10.0.0.2", "10.0.0.3"],
                        &[],
                    )],
                )
            })
            .collect();
        clusters.push(cluster(&format!("c{c}"), "eu-west-1", groups, nodes));
    }
    let view = analyze(&snapshot(clusters, vec![], vec![]), &table());
    assert_eq!(view.nodes.len(), 10_000);
    assert_eq!(view.totals.ips.held_ips, 20_000);
    assert_eq!(view.totals.dsr.on, 5_000);
    assert_eq!(view.totals.ips.ip_capacity, 5_000 * 9 + 5_000 * 27);
}

#[test]
fn rfc3339_times() {
    assert_eq!(rfc3339_to_unix_seconds("1970-01-01T00:00:00Z"), Some(0));
    assert_eq!(
        rfc3339_to_unix_seconds("2026-11-26T07:00:00Z"),
        Some(1_795_676_400)
    );
    assert_eq!(
        rfc3339_to_unix_seconds("2026-11-26T09:00:00.123+02:00"),
        Some(1_795_676_400)
    );
    assert_eq!(rfc3339_to_unix_seconds("yesterday"), None);
    assert_eq!(rfc3339_to_unix_seconds("2026-13-01T00:00:00Z"), None);
    for seconds in [0, 951_782_400, 1_795_676_400, 4_107_542_399] {
        assert_eq!(
            rfc3339_to_unix_seconds(&unix_seconds_to_rfc3339(seconds)),
            Some(seconds)
        );
    }
    assert_eq!(unix_seconds_to_rfc3339(951_782_400), "2000-02-29T00:00:00Z");
}

#[test]
fn a_managed_group_that_could_not_be_described_has_unknown_dsr() {
    let listed_only = Nodegroup {
        ami_type: None,
        status: None,
        ..group("win-legacy", NodegroupKind::Managed, Os::Windows, "", None)
    };
    let n = node("i-1", "m5.large", Os::Windows, Some("win-legacy"), vec![]);
    let errors = vec![source_error(Some("prod"), Some("eu-west-1"), None)];
    let view = analyze(
        &snapshot(
            vec![cluster("prod", "eu-west-1", vec![listed_only], vec![n])],
            vec![],
            errors,
        ),
        &table(),
    );
    assert_eq!(
        view.node("i-1").and_then(|n| n.dsr),
        Some(DsrStatus::Unknown)
    );
    assert!(
        view.nodegroups[0]
            .warnings
            .iter()
            .any(|w| w.contains("not described"))
    );
    assert_eq!(view.clusters[0].errors.len(), 1);
}

#[test]
fn findings_name_the_problems_with_stable_codes() {
    use crate::findings::{Severity, findings};
    let groups = vec![
        group(
            "win-plain",
            NodegroupKind::Managed,
            Os::Windows,
            "WINDOWS_CORE_2022_x86_64",
            None,
        ),
        group(
            "win-gate",
            NodegroupKind::Managed,
            Os::Windows,
            "WINDOWS_CORE_2019_x86_64",
            Some(dsr::parse_user_data(
                "-KubeProxyExtraArgs '--enable-dsr'",
                "lt",
            )),
        ),
    ];
    let mut full_node = node(
        "i-1",
        "m5.large",
        Os::Windows,
        Some("win-plain"),
        vec![eni("e1", 0, "interface", "10.0.0.4", &[], &[])],
    );
    full_node.subnet_id = Some("subnet-full".into());
    let mut pd_node = node(
        "i-2",
        "m5.large",
        Os::Windows,
        Some("win-gate"),
        vec![eni(
            "e2",
            0,
            "interface",
            "10.0.1.4",
            &[],
            &["10.0.1.16/28"],
        )],
    );
    pd_node.subnet_id = Some("subnet-frag".into());
    let unknown = node("i-3", "zz9.huge", Os::Linux, None, vec![]);
    let mut c = cluster(
        "prod",
        "eu-west-1",
        groups,
        vec![full_node, pd_node, unknown],
    );
    c.service_count = Some(150);
    let full = subnet(
        "subnet-full",
        "10.0.0.0/24",
        Some(ips("10.0.0", 4..244)),
        vec![],
        Some(11),
    );
    let frag = subnet(
        "subnet-frag",
        "10.0.1.0/26",
        Some(vec![
            "10.0.1.4".into(),
            "10.0.1.36".into(),
            "10.0.1.52".into(),
        ]),
        vec!["10.0.1.16/28".into()],
        Some(40),
    );
    let errors = vec![source_error(Some("prod"), Some("eu-west-1"), None)];
    let view = analyze(&snapshot(vec![c], vec![full, frag], errors), &table());
    let found = findings(&view);
    let codes: Vec<(&str, Severity)> = found
        .iter()
        .map(|f| (f.code.as_str(), f.severity))
        .collect();
    for expected in [
        ("WIN001", Severity::High),
        ("WIN002", Severity::High),
        ("WIN005", Severity::High),
        ("SUB001", Severity::High),
        ("SUB002", Severity::High),
        ("SRC001", Severity::High),
        ("NODE001", Severity::Medium),
    ] {
        assert!(codes.contains(&expected), "{expected:?} in {codes:?}");
    }
    assert!(
        found.windows(2).all(|w| w[0].severity <= w[1].severity),
        "most severe first"
    );
    let gate = found.iter().find(|f| f.code == "WIN001").expect("WIN001");
    assert_eq!(
        (gate.nodegroup.as_deref(), gate.nodes),
        (Some("win-gate"), 1)
    );
    assert!(
        gate.fix
            .as_deref()
            .is_some_and(|f| f.contains("--feature-gates=WinDSR=true"))
    );
    let exposed = found.iter().find(|f| f.code == "WIN005").expect("WIN005");
    assert_eq!(exposed.nodes, 2);
    assert!(
        crate::findings::CATALOG
            .iter()
            .any(|k| found.iter().all(|f| f.code != k.code)),
        "not every code fires here"
    );
    assert!(
        found
            .iter()
            .all(|f| crate::findings::CATALOG.iter().any(|k| k.code == f.code))
    );
}
