use super::*;
use crate::limits::Hypervisor::{Nitro, Xen};
use crate::limits::fixtures::limits;
use crate::snapshot::{
    Cluster, Eni, Nodegroup, SCHEMA_VERSION, SnapshotSource, SourceKind, Subnet,
};
use crate::subnet::{Ipv4Cidr, format_ipv4};
use crate::whatif::{compare, evaluate, scenario_to_query};
use std::collections::BTreeMap;

fn table() -> InstanceTypeTable {
    let mut types = vec![
        limits("m5.large", 3, 10, Nitro, 2),
        limits("m5.xlarge", 4, 15, Nitro, 4),
        limits("m4.large", 2, 10, Xen, 2),
    ];
    types.sort_by(|a, b| a.instance_type.cmp(&b.instance_type));
    InstanceTypeTable {
        source: "test".into(),
        types,
    }
}

/// Hands out addresses of one subnet in order (skipping the 4 AWS-reserved ones at the start).
struct Allocator {
    network: u32,
    next: u32,
    handed: Vec<String>,
}

impl Allocator {
    fn new(cidr: &str) -> Self {
        let net = Ipv4Cidr::parse(cidr).expect("test CIDR");
        Self {
            network: net.network(),
            next: 4,
            handed: Vec::new(),
        }
    }
    fn ip(&mut self) -> String {
        let ip = format_ipv4(self.network + self.next);
        self.next += 1;
        self.handed.push(ip.clone());
        ip
    }
    /// The next aligned /28 (not handed out as single IPs).
    fn prefix(&mut self) -> String {
        self.next = self.next.div_ceil(16) * 16;
        let prefix = format!("{}/28", format_ipv4(self.network + self.next));
        self.next += 16;
        prefix
    }
}

/// A Windows node with `held` secondary IPs (or `prefixes` /28s) on its one ENI.
fn windows_node(
    id: &str,
    subnet: &str,
    alloc: &mut Allocator,
    held: u32,
    prefixes: u32,
    pods: Option<u32>,
) -> Node {
    let primary = alloc.ip();
    let secondary = (0..held).map(|_| alloc.ip()).collect();
    let ipv4_prefixes = (0..prefixes).map(|_| alloc.prefix()).collect();
    Node {
        instance_id: id.into(),
        instance_type: "m5.large".into(),
        os: Os::Windows,
        nodegroup: Some("win".into()),
        subnet_id: Some(subnet.into()),
        availability_zone: None,
        private_ip: Some(primary.clone()),
        ami_id: None,
        launch_time: None,
        state: Some("running".into()),
        platform_details: None,
        windows_build: Some("10.0.20348".into()),
        enis: vec![Eni {
            eni_id: format!("eni-{id}"),
            interface_type: Some("interface".into()),
            device_index: Some(0),
            network_card_index: Some(0),
            subnet_id: Some(subnet.into()),
            primary_ip: Some(primary),
            secondary_ips: secondary,
            ipv4_prefixes,
        }],
        pods_with_ips: pods,
    }
}

fn subnet(id: &str, cidr: &str, mut alloc: Allocator, prefixes: Vec<String>) -> Subnet {
    // Another workload's ENI, so the subnet is not only this nodegroup.
    alloc.ip();
    let usable = Ipv4Cidr::parse(cidr).expect("cidr").aws_usable_ips();
    let allocated = alloc.handed.len() as u64 + 16 * prefixes.len() as u64;
    Subnet {
        subnet_id: id.into(),
        region: "eu-west-1".into(),
        account_id: None,
        vpc_id: None,
        availability_zone: Some(format!("eu-west-1{}", &id[id.len() - 1..])),
        cidr: cidr.into(),
        available_ip_count: Some((usable - allocated) as u32),
        cidr_reservations: vec![],
        allocated_ips: Some(alloc.handed),
        allocated_prefixes: Some(prefixes),
        tags: BTreeMap::new(),
    }
}

fn nodegroup(name: &str, instance_types: &[&str], subnets: &[&str]) -> Nodegroup {
    Nodegroup {
        name: name.into(),
        kind: NodegroupKind::Managed,
        os: Some(Os::Windows),
        ami_type: Some("WINDOWS_CORE_2022_x86_64".into()),
        release_version: None,
        version: Some("1.31".into()),
        instance_types: instance_types.iter().map(|s| s.to_string()).collect(),
        capacity_type: None,
        scaling: Some(Scaling {
            min_size: 1,
            max_size: 10,
            desired_size: 4,
        }),
        subnet_ids: subnets.iter().map(|s| s.to_string()).collect(),
        launch_template: None,
        asg_names: vec![],
        user_data: None,
        status: Some("ACTIVE".into()),
        labels: BTreeMap::new(),
    }
}

/// Four Windows m5.large nodes, two per subnet, holding what the VPC RC keeps with the 3/3
/// defaults for pods 2, 5, 0, 6 (held 5, 8, 3, 9).
fn fleet(pods_known: bool, config: Option<&[(&str, &str)]>) -> Snapshot {
    let mut a = Allocator::new("10.0.0.0/24");
    let mut b = Allocator::new("10.0.1.0/24");
    let pods = [2, 5, 0, 6];
    let held = [5, 8, 3, 9];
    let mut nodes = Vec::new();
    for (i, (&p, &h)) in pods.iter().zip(&held).enumerate() {
        let (id, alloc) = if i % 2 == 0 {
            ("subnet-a", &mut a)
        } else {
            ("subnet-b", &mut b)
        };
        nodes.push(windows_node(
            &format!("i-{i}"),
            id,
            alloc,
            h,
            0,
            pods_known.then_some(p),
        ));
    }
    snapshot(
        nodes,
        vec![
            subnet("subnet-a", "10.0.0.0/24", a, vec![]),
            subnet("subnet-b", "10.0.1.0/24", b, vec![]),
        ],
        config,
    )
}

fn snapshot(nodes: Vec<Node>, subnets: Vec<Subnet>, config: Option<&[(&str, &str)]>) -> Snapshot {
    Snapshot {
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
            nodegroups: vec![nodegroup("win", &["m5.large"], &["subnet-a", "subnet-b"])],
            nodes,
            windows_ipam_config: config.map(|pairs| {
                pairs
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect()
            }),
            linux_ipam_env: None,
            service_count: None,
        }],
        subnets,
        instance_types: vec![],
        errors: vec![],
        api_calls: BTreeMap::new(),
        scan_duration_ms: None,
    }
}

const IPAM_ON: &[(&str, &str)] = &[("enable-windows-ipam", "true")];

#[test]
fn before_scenario_reproduces_the_observed_nodegroup_and_subnets() {
    let snapshot = fleet(true, Some(IPAM_ON));
    let observed =
        observe_nodegroup(&snapshot, &table(), "eu-west-1", "prod", "win").expect("observed");
    assert_eq!(observed.os, Os::Windows);
    assert_eq!(observed.instance_type, "m5.large");
    assert_eq!(observed.ipam, Provenance::Observed);
    assert_eq!(observed.pods_basis, PodsBasis::Observed);
    assert!(!observed.prefix_delegation);
    // Round-robin order keeps each node in its own subnet.
    let order: Vec<&str> = observed
        .nodes
        .iter()
        .map(|n| n.instance_id.as_str())
        .collect();
    assert_eq!(order, ["i-0", "i-1", "i-2", "i-3"]);
    assert!(
        observed
            .subnets
            .iter()
            .all(|s| s.nodes_observed == 2 && s.nodes_modelled == 2)
    );
    // Own addresses out: node primaries + secondaries (1+5 + 1+3 in a, 1+8 + 1+9 in b).
    assert_eq!(
        observed
            .subnets
            .iter()
            .map(|s| s.own_addresses_removed)
            .collect::<Vec<_>>(),
        [10, 19]
    );
    assert_eq!(observed.subnets[0].state.allocated_ips, ["10.0.0.14"]);

    let scenario = Scenario::from_observed(&observed);
    assert_eq!(scenario.observed_pods.as_deref(), Some(&[2, 5, 0, 6][..]));
    assert_eq!(scenario.pods_per_node, 4); // ceil(13 / 4)
    let result = evaluate(&scenario, &table()).expect("valid");
    // The model puts back exactly what was taken out: the VPC RC rule explains every held IP.
    assert_eq!(result.totals.held_ips, observed.observed_held_ips());
    for (impact, real) in result.subnets.iter().zip(&snapshot.subnets) {
        assert_eq!(
            impact.free_ips_after,
            u64::from(real.available_ip_count.expect("count")),
            "{}",
            real.subnet_id
        );
    }
    // Same through the prepared path the browser uses.
    let parsed = whatif::parse_subnets(&scenario.subnets).expect("subnets");
    assert_eq!(
        evaluate_observed(&scenario, &table(), &parsed).expect("valid"),
        result
    );
}

#[test]
fn pods_are_estimated_from_held_ips_when_not_observed() {
    let snapshot = fleet(false, Some(IPAM_ON));
    let observed =
        observe_nodegroup(&snapshot, &table(), "eu-west-1", "prod", "win").expect("observed");
    assert_eq!(observed.pods_basis, PodsBasis::EstimatedFromHeldIps);
    // held = min(9, max(pods + 3, 3)): 5 → 2, 8 → 5, 3 → 0, 9 → the fewest pods reaching 9 is 6.
    assert_eq!(observed.observed_pods(), [2, 5, 0, 6]);
    assert!(observed.nodes.iter().all(|n| !n.pods_observed));
    let result = evaluate(&Scenario::from_observed(&observed), &table()).expect("valid");
    assert_eq!(result.totals.held_ips, observed.observed_held_ips());
}

#[test]
fn missing_configmap_means_assumed_defaults() {
    let snapshot = fleet(true, None);
    let observed =
        observe_nodegroup(&snapshot, &table(), "eu-west-1", "prod", "win").expect("observed");
    assert_eq!(observed.ipam, Provenance::Assumed);
    assert!(observed.windows_warm.is_empty());
    assert!(
        observed.ipam_notes[0].contains("not read"),
        "{:?}",
        observed.ipam_notes
    );
    // A ConfigMap with targets: read as the controller does.
    let snapshot = fleet(
        true,
        Some(&[
            ("enable-windows-ipam", "true"),
            ("windows-warm-ip-target", "5"),
            ("windows-minimum-ip-target", "6"),
        ]),
    );
    let observed =
        observe_nodegroup(&snapshot, &table(), "eu-west-1", "prod", "win").expect("observed");
    assert_eq!(
        (
            observed.windows_warm.warm_ip_target,
            observed.windows_warm.minimum_ip_target
        ),
        (Some(5), Some(6))
    );
    let off = fleet(true, Some(&[("enable-windows-ipam", "false")]));
    let observed = observe_nodegroup(&off, &table(), "eu-west-1", "prod", "win").expect("observed");
    assert!(
        observed.ipam_notes.iter().any(|n| n.contains("assume")),
        "{:?}",
        observed.ipam_notes
    );
}

#[test]
fn prefixes_on_the_enis_mean_prefix_delegation_and_leave_the_subnet() {
    let mut alloc = Allocator::new("10.0.0.0/24");
    let nodes = vec![
        windows_node("i-0", "subnet-a", &mut alloc, 0, 1, Some(3)),
        windows_node("i-1", "subnet-a", &mut alloc, 0, 2, Some(20)),
    ];
    let prefixes: Vec<String> = nodes
        .iter()
        .flat_map(|n| n.enis[0].ipv4_prefixes.clone())
        .collect();
    let snap = snapshot(
        nodes,
        vec![subnet("subnet-a", "10.0.0.0/24", alloc, prefixes)],
        Some(&[
            ("enable-windows-ipam", "true"),
            ("enable-windows-prefix-delegation", "true"),
        ]),
    );
    let observed =
        observe_nodegroup(&snap, &table(), "eu-west-1", "prod", "win").expect("observed");
    assert!(observed.prefix_delegation);
    assert!(
        observed.ip_mode_basis.contains("2 of 2"),
        "{}",
        observed.ip_mode_basis
    );
    assert_eq!(observed.observed_prefixes(), 3);
    // subnet-b is configured but absent from the snapshot: left out with a note.
    assert_eq!(observed.subnets.len(), 1);
    assert!(observed.notes.iter().any(|n| n.contains("subnet-b")));
    let subnet = &observed.subnets[0];
    assert!(subnet.state.allocated_prefixes.is_empty());
    assert_eq!(subnet.own_addresses_removed, 2 + 3 * 16);
    let result = evaluate(&Scenario::from_observed(&observed), &table()).expect("valid");
    // PD defaults warm 1 / min 3: 3 pods → 1 prefix, 20 pods → 2 prefixes: as observed.
    assert_eq!(result.totals.held_prefixes, 3);
    assert_eq!(
        result.subnets[0].free_ips_after,
        u64::from(snap.subnets[0].available_ip_count.expect("count"))
    );
}

#[test]
fn url_changes_apply_on_top_of_the_observed_scenario() {
    let snapshot = fleet(true, Some(IPAM_ON));
    let observed =
        observe_nodegroup(&snapshot, &table(), "eu-west-1", "prod", "win").expect("observed");
    let before = Scenario::from_observed(&observed);
    let changes: Vec<(String, String)> = [
        ("prefix_delegation", "true"),
        ("nodes", "6"),
        ("win_warm_ip_target", "2"),
        // Pinned: ignored.
        ("os", "linux"),
        ("subnet", "192.168.0.0/24"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let after = observed.scenario_from_query(&changes).expect("valid");
    assert_eq!(after.os, Os::Windows);
    assert!(after.prefix_delegation);
    assert_eq!(after.node_count, 6);
    assert_eq!(after.windows_warm.warm_ip_target, Some(2));
    assert_eq!(after.subnets, before.subnets);
    // Observed nodes first, then the typical 4 pods on each added node.
    assert_eq!(
        after.observed_pods.as_deref(),
        Some(&[2, 5, 0, 6, 4, 4][..])
    );
    // Shrinking drops the last nodes.
    assert_eq!(observed.observed_pods_for(2, 9), [2, 5]);

    let result_before = evaluate(&before, &table()).expect("before");
    let result_after = evaluate(&after, &table()).expect("after");
    let delta = compare(&result_before, &result_after);
    assert_eq!(delta.mode_after, IpMode::PrefixDelegation);
    assert_eq!(delta.ip_capacity, 144 - 9);

    // The URL carries only what changed, and reading it back gives the same scenario.
    let base = scenario_to_query(&before);
    let short = query_changes(&base, &scenario_to_query(&after));
    let keys: Vec<&str> = short.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, ["nodes", "prefix_delegation", "win_warm_ip_target"]);
    assert_eq!(observed.scenario_from_query(&short).expect("valid"), after);
    // Nothing changed: an empty query.
    assert!(query_changes(&base, &base).is_empty());
    // A target the base has and the current lacks is written empty, i.e. back to the default.
    let with_target = Scenario {
        kubelet_max_pods: Some(50),
        ..before.clone()
    };
    let back = query_changes(&scenario_to_query(&with_target), &base);
    assert_eq!(back, [("kubelet_max_pods".to_string(), String::new())]);
    // A bad value is reported for its field.
    let bad = vec![("nodes".to_string(), "-1".to_string())];
    let err = observed.scenario_from_query(&bad).expect_err("bad");
    assert_eq!(err.errors[0].field, "nodes");
}

#[test]
fn unknown_cluster_nodegroup_and_type_say_what_to_do() {
    let snapshot = fleet(true, Some(IPAM_ON));
    let t = table();
    assert!(matches!(
        observe_nodegroup(&snapshot, &t, "us-east-1", "prod", "win"),
        Err(ObserveError::ClusterNotFound { .. })
    ));
    let err = observe_nodegroup(&snapshot, &t, "eu-west-1", "prod", "nope").expect_err("none");
    assert!(err.to_string().contains("cluster page"), "{err}");
    let observed = observe_nodegroup(&snapshot, &t, "eu-west-1", "prod", "win").expect("observed");
    let scenario = Scenario {
        instance_type: "m5.lrge".into(),
        ..Scenario::from_observed(&observed)
    };
    let err = evaluate_observed(&scenario, &t, &[]).expect_err("typo");
    assert!(err.to_string().contains("did you mean"), "{err}");
    let upper = Scenario {
        instance_type: " M5.Large ".into(),
        ..Scenario::from_observed(&observed)
    };
    assert_eq!(
        evaluate_observed(&upper, &t, &[])
            .expect("case-insensitive")
            .instance_type,
        "m5.large"
    );
}

#[test]
fn ungrouped_nodes_and_mixed_types() {
    let mut snapshot = fleet(true, Some(IPAM_ON));
    let cluster = &mut snapshot.clusters[0];
    cluster.nodes[0].nodegroup = None;
    cluster.nodes[1].nodegroup = None;
    cluster.nodes[1].instance_type = "m5.xlarge".into();
    let observed =
        observe_nodegroup(&snapshot, &table(), "eu-west-1", "prod", UNGROUPED).expect("observed");
    assert_eq!(observed.nodes.len(), 2);
    assert_eq!(observed.kind, None);
    assert_eq!(observed.instance_types_seen.len(), 2);
    assert!(
        observed
            .notes
            .iter()
            .any(|n| n.contains("2 instance types"))
    );
    // The declared group keeps its other two nodes.
    let win = observe_nodegroup(&snapshot, &table(), "eu-west-1", "prod", "win").expect("observed");
    assert_eq!(win.nodes.len(), 2);
    assert!(win.notes.iter().any(|n| n.contains("desired size is 4")));
}

#[test]
fn pods_for_held_ips_inverts_the_warm_rule() {
    let t = table();
    let limits = t.get("m5.large").expect("m5.large");
    let pool = WarmPool::windows(
        limits,
        &crate::warm::WindowsWarmSettings::defaults(IpMode::PrefixDelegation),
    );
    // PD 1/3: prefixes = ceil((pods + 1) / 16): 16 IPs → 0 pods, 32 → 16, 48 → 32.
    assert_eq!(pods_for_held_ips(&pool, 16), 0);
    assert_eq!(pods_for_held_ips(&pool, 32), 16);
    assert_eq!(pods_for_held_ips(&pool, 48), 32);
    // More than a full node can hold: capacity.
    assert_eq!(pods_for_held_ips(&pool, 10_000), 144);
}
