//! The demo fleet must be a fleet a scan could have returned: consistent subnets, every feature the
//! UI shows, and the JSON contract.

use super::*;
use shared::dsr::DsrStatus;
use shared::fleet::{self, ErrorScope};
use shared::subnet::{SubnetState, analyze, parse_ipv4};
use std::collections::{HashMap, HashSet};

fn table() -> InstanceTypeTable {
    crate::state::embedded_instance_types()
        .map(|t| (*t).clone())
        .expect("embedded instance-type table")
}

fn demo() -> Snapshot {
    demo_snapshot_with(&table())
}

#[test]
fn round_trips_through_the_snapshot_contract_and_is_deterministic() {
    let snapshot = demo();
    let json = serde_json::to_string(&snapshot).expect("serialize");
    let back = Snapshot::from_json(&json).expect("Snapshot::from_json accepts the demo");
    assert_eq!(back, snapshot);
    assert_eq!(demo_snapshot(), snapshot, "same fleet on every call");
    assert_eq!(snapshot.source.kind, SourceKind::Demo);
    assert!(snapshot.source.description.contains("not real AWS data"));
}

/// Every address inside its subnet, no address twice, the subnet lists are the union of what the
/// ENIs hold, and `AvailableIpAddressCount = usable − allocated`.
#[test]
fn ips_are_consistent_with_their_subnets() {
    let snapshot = demo();
    let subnets: HashMap<&str, &Subnet> = snapshot
        .subnets
        .iter()
        .map(|s| (s.subnet_id.as_str(), s))
        .collect();
    let mut seen_ips: HashSet<u32> = HashSet::new();
    let mut seen_prefixes: HashSet<u32> = HashSet::new();
    for cluster in &snapshot.clusters {
        for node in &cluster.nodes {
            assert!(!node.enis.is_empty(), "{} has ENIs", node.instance_id);
            assert_eq!(
                node.subnet_id, node.enis[0].subnet_id,
                "{}: node subnet = primary ENI subnet",
                node.instance_id
            );
            assert_eq!(node.private_ip, node.enis[0].primary_ip);
            if node.os == Os::Windows {
                assert_eq!(node.enis.len(), 1, "Windows uses one ENI");
            }
            for eni in &node.enis {
                let subnet = subnets[eni.subnet_id.as_deref().expect("ENI subnet")];
                let cidr = Ipv4Cidr::parse(&subnet.cidr).expect("cidr");
                let allocated: HashSet<&String> = subnet
                    .allocated_ips
                    .as_ref()
                    .expect("read")
                    .iter()
                    .collect();
                for ip in eni.primary_ip.iter().chain(&eni.secondary_ips) {
                    let address = parse_ipv4(ip).expect("ip");
                    assert!(cidr.contains_address(address), "{ip} in {}", subnet.cidr);
                    assert!(seen_ips.insert(address), "{ip} is used twice");
                    assert!(
                        allocated.contains(ip),
                        "{ip} is listed in its subnet's allocated IPs"
                    );
                }
                let prefixes: HashSet<&String> = subnet
                    .allocated_prefixes
                    .as_ref()
                    .expect("read")
                    .iter()
                    .collect();
                for prefix in &eni.ipv4_prefixes {
                    let p = Ipv4Cidr::parse(prefix).expect("prefix");
                    assert_eq!(p.prefix_len(), 28);
                    assert!(cidr.contains(&p), "{prefix} in {}", subnet.cidr);
                    assert!(seen_prefixes.insert(p.first()), "{prefix} twice");
                    assert!(prefixes.contains(prefix));
                }
            }
        }
    }
    for subnet in &snapshot.subnets {
        let state = SubnetState {
            subnet_id: Some(subnet.subnet_id.clone()),
            cidr: subnet.cidr.clone(),
            allocated_ips: subnet.allocated_ips.clone().expect("read"),
            allocated_prefixes: subnet.allocated_prefixes.clone().expect("read"),
            reservations: subnet.cidr_reservations.clone(),
        };
        // shared::subnet rejects IPs outside the CIDR, overlapping reservations and bad prefixes.
        let usage = analyze(&state).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            usage.allocated_ips,
            state.allocated_ips.len() as u64 + 16 * state.allocated_prefixes.len() as u64,
            "{}: no IP inside a prefix",
            subnet.subnet_id
        );
        assert_eq!(
            subnet.available_ip_count.map(u64::from),
            Some(usage.usable_ips - usage.allocated_ips),
            "{}",
            subnet.subnet_id
        );
        let unique: HashSet<&String> = state.allocated_ips.iter().collect();
        assert_eq!(
            unique.len(),
            state.allocated_ips.len(),
            "{}: duplicates",
            subnet.subnet_id
        );
        // No allocated address is AWS-reserved or inside a reservation.
        let cidr = Ipv4Cidr::parse(&subnet.cidr).expect("cidr");
        for ip in &state.allocated_ips {
            let offset = parse_ipv4(ip).expect("ip") - cidr.first();
            assert!(
                offset >= 4 && u64::from(offset) < cidr.size() - 1,
                "{ip} is AWS-reserved"
            );
            for reservation in &subnet.cidr_reservations {
                let r = Ipv4Cidr::parse(&reservation.cidr).expect("reservation");
                assert!(
                    !r.contains_address(cidr.first() + offset),
                    "{ip} inside reservation {}",
                    reservation.cidr
                );
            }
        }
    }
}

#[test]
fn exercises_every_feature_the_ui_shows() {
    let snapshot = demo();
    let table = table();
    let view = fleet::analyze(&snapshot, &table);
    let nodes = view.nodes.len();
    assert!((180..=220).contains(&nodes), "~200 nodes, got {nodes}");
    assert!(view.totals.clusters >= 3);
    assert!(view.totals.regions.len() >= 2);
    assert_eq!(view.totals.accounts.len(), 2);
    assert!(
        view.nodes.iter().all(|n| n.ip_capacity.is_some()),
        "every type is in the table"
    );
    for t in snapshot
        .clusters
        .iter()
        .flat_map(|c| &c.nodes)
        .map(|n| &n.instance_type)
    {
        assert!(
            snapshot
                .instance_types
                .iter()
                .any(|l| &l.instance_type == t),
            "{t} in snapshot.instance_types"
        );
    }

    // Windows 2019 and 2022, with and without DSR, for every reason the board explains.
    let groups = |pred: &dyn Fn(&fleet::NodegroupSummary) -> bool| {
        view.nodegroups.iter().filter(|g| pred(g)).count()
    };
    assert!(groups(&|g| g.ami_type.as_deref().is_some_and(|a| a.contains("2019"))) >= 2);
    assert!(groups(&|g| g.ami_type.as_deref().is_some_and(|a| a.contains("2022"))) >= 2);
    let status = |name: &str| {
        view.nodegroups
            .iter()
            .find(|g| g.name == name)
            .and_then(|g| g.dsr.as_ref())
            .map(|d| (d.status, d.reason.clone()))
    };
    assert_eq!(
        status("win2019-dsr").map(|s| s.0),
        Some(DsrStatus::On),
        "seed patch"
    );
    assert_eq!(
        status("win2022-kube-proxy-args").map(|s| s.0),
        Some(DsrStatus::On)
    );
    assert_eq!(
        status("win2022-dsr").map(|s| s.0),
        Some(DsrStatus::On),
        "1.33: --enable-dsr alone"
    );
    let (off, reason) = status("win2019-gate-missing").expect("group");
    assert_eq!(off, DsrStatus::Off);
    assert!(
        reason.contains("WinDSR feature gate not enabled"),
        "{reason}"
    );
    let (off, reason) = status("win2022-default").expect("group");
    assert_eq!(off, DsrStatus::Off);
    assert!(reason.contains("UNCONFIRMED"), "{reason}");
    assert_eq!(
        status("win-legacy").map(|s| s.0),
        Some(DsrStatus::Unknown),
        "DescribeNodegroup denied"
    );
    assert_eq!(status("win2022-pd").map(|s| s.0), Some(DsrStatus::Off));

    // The seed's eksctl nodegroup, exactly.
    let prod_us = snapshot.cluster("us-east-1", "prod-us").expect("prod-us");
    let windows_ng = prod_us
        .nodegroups
        .iter()
        .find(|g| g.name == "windows-ng")
        .expect("windows-ng");
    assert_eq!(
        (windows_ng.kind, windows_ng.instance_types.as_slice()),
        (
            NodegroupKind::SelfManaged,
            ["c5.xlarge".to_string()].as_slice()
        )
    );
    let flags = windows_ng.user_data.as_ref().expect("user data");
    assert!(
        flags.proxy_mode_patch
            && flags.enable_dsr == Some(true)
            && flags.win_dsr_gate == Some(true)
    );
    assert_eq!(status("windows-ng").map(|s| s.0), Some(DsrStatus::On));

    // IP modes: Windows PD, Linux PD and secondary, Karpenter.
    let windows_pd = view
        .nodes
        .iter()
        .filter(|n| n.os == Os::Windows && n.ip_mode == IpMode::PrefixDelegation)
        .count();
    let linux_pd = view
        .nodes
        .iter()
        .filter(|n| n.os == Os::Linux && n.ip_mode == IpMode::PrefixDelegation)
        .count();
    let linux_secondary = view
        .nodes
        .iter()
        .filter(|n| n.os == Os::Linux && n.ip_mode == IpMode::SecondaryIp)
        .count();
    assert!(
        windows_pd > 0 && linux_pd > 0 && linux_secondary > 0,
        "{windows_pd} {linux_pd} {linux_secondary}"
    );
    assert!(
        view.nodes
            .iter()
            .all(|n| n.held_ips <= n.ip_capacity.unwrap_or(0)),
        "held ≤ capacity"
    );
    assert!(
        view.nodes
            .iter()
            .filter_map(|n| n.used_ips.map(|u| (u, n.held_ips)))
            .all(|(used, held)| used <= held),
        "used ≤ held"
    );
    assert!(
        view.nodes.iter().any(|n| n.used_ips.is_some())
            && view.nodes.iter().any(|n| n.used_ips.is_none())
    );
    assert_eq!(
        view.nodegroups
            .iter()
            .filter(|g| g.kind == NodegroupKind::Karpenter)
            .count(),
        2
    );
    assert!(
        view.nodes
            .iter()
            .filter(|n| n.nodegroup.as_deref() == Some("win2022-pd"))
            .all(|n| n.kubelet_max_pods == Some(150))
    );

    // Subnets: one near exhaustion, one fragmented so PD would fail, a prefix reservation in use.
    let near = view
        .subnets
        .iter()
        .find(|s| s.free_ips == Some(9))
        .expect("near exhaustion");
    assert!(
        near.at_risk
            && near
                .risk_reasons
                .iter()
                .any(|r| r.contains("only 9 free IPs"))
    );
    let fragmented = view.subnet("subnet-0b2f3a4c5d6e7f802").expect("fragmented");
    assert_eq!(fragmented.prefix_delegation_ready, Some(false));
    assert!(
        fragmented.free_ips.is_some_and(|f| f > 100),
        "plenty of free /32s, no free /28"
    );
    let usage = fragmented.usage.as_ref().expect("usage");
    assert_eq!(usage.blocks.free + usage.blocks.prefix_reserved, 0);
    assert!(
        usage.blocks.fragmented > 0
            && usage.blocks.fragmented + usage.blocks.full + usage.blocks.reserved
                == usage.blocks.total()
    );
    let reserved = view
        .subnets
        .iter()
        .find(|s| s.prefix_reserved_ips > 0)
        .expect("prefix reservation");
    assert!(
        reserved
            .usage
            .as_ref()
            .is_some_and(|u| u.blocks.prefix_allocated > 0)
    );
    assert!(reserved.explicit_reserved_ips > 0);

    // Services > 100 without DSR → port-exhaustion risk; errors on their card and unattached.
    let prod_eu = view.cluster("eu-west-1", "prod-eu").expect("prod-eu");
    assert!(prod_eu.service_count.is_some_and(|n| n > 100));
    assert_eq!(
        prod_eu.port_exhaustion_risk,
        Some(shared::dsr::RiskLevel::High)
    );
    let dev = view.cluster("us-east-1", "dev").expect("dev");
    assert_eq!(dev.errors.len(), 1);
    assert_eq!(
        dev.errors[0].error.operation.as_deref(),
        Some("eks:DescribeNodegroup")
    );
    assert_eq!(view.unattached_errors.len(), 1);
    assert_eq!(view.unattached_errors[0].scope, ErrorScope::Region);
}

/// Calls grow with clusters and pages, not nodes (the rules of `aws::collect`).
#[test]
fn api_calls_are_what_a_scan_would_make() {
    let snapshot = demo();
    let calls = &snapshot.api_calls;
    let clusters = snapshot.clusters.len() as u64;
    assert_eq!(
        calls.get("eks:ListClusters"),
        Some(&5),
        "2 accounts × their regions"
    );
    assert_eq!(calls.get("eks:DescribeCluster"), Some(&clusters));
    assert_eq!(calls.get("ec2:DescribeInstances"), Some(&(3 * clusters)));
    let managed = snapshot
        .clusters
        .iter()
        .flat_map(|c| &c.nodegroups)
        .filter(|g| g.kind == NodegroupKind::Managed)
        .count() as u64;
    assert_eq!(calls.get("eks:DescribeNodegroup"), Some(&managed));
    assert_eq!(
        calls.get("ec2:GetSubnetCidrReservations"),
        Some(&(snapshot.subnets.len() as u64))
    );
    let templates = snapshot
        .clusters
        .iter()
        .flat_map(|c| &c.nodegroups)
        .filter(|g| g.launch_template.is_some())
        .count() as u64;
    assert_eq!(
        calls.get("ec2:DescribeLaunchTemplateVersions"),
        Some(&templates)
    );
    let total: u64 = calls.values().sum();
    let nodes = snapshot
        .clusters
        .iter()
        .map(|c| c.nodes.len() as u64)
        .sum::<u64>();
    assert!(total < nodes, "{total} calls for {nodes} nodes");
    for operation in calls.keys() {
        let action = operation.split(':').nth(1).unwrap_or("");
        assert!(
            ["Describe", "List", "Get"]
                .iter()
                .any(|p| action.starts_with(p)),
            "{operation} is read-only"
        );
    }
}
