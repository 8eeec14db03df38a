//! A real nodegroup, as observed, as the starting point of a what-if.
//!
//! [`observe_nodegroup`] reads one nodegroup out of a [`Snapshot`]: its instance type, OS and nodes, the
//! pods and held IPs of each node, the IP mode its ENIs show, the cluster's IPAM settings (or the
//! controller defaults, marked as assumed) and the real state of its subnets **without its own
//! addresses** — a what-if scenario's subnets describe the space the nodegroup lands in
//! (`whatif::Scenario::subnets`), so the nodegroup's current ENIs are taken out and the model puts
//! them back. [`Scenario::from_observed`] is then the "before" scenario; the "after" is the same
//! scenario with the user's changes applied through the shared URL query functions
//! ([`overlay_query`], [`query_changes`]), and [`ObservedNodegroup::observed_pods_for`] sizes the
//! per-node pod list when the node count changes.
//!
//! Nothing is invented: where pods per node were not observed (no Kubernetes access), each node gets
//! the fewest pods that explain the IPs it holds under its warm-pool rule, and [`PodsBasis`] says so.

use crate::fleet::{UNGROUPED, eni_carries_pod_ips, node_held};
use crate::limits::{InstanceTypeLimits, InstanceTypeTable};
use crate::maxpods::{IpMode, Os};
use crate::snapshot::{Node, NodegroupKind, Scaling, Snapshot};
use crate::subnet::{ParsedSubnet, SubnetState};
use crate::warm::{
    LinuxWarmInput, WarmPool, WindowsWarmInput, go_parse_bool, keys, parse_linux_env,
    parse_windows_configmap,
};
use crate::whatif::{self, MAX_PODS_PER_NODE, Scenario, WhatIfError, WhatIfResult, query_keys};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// Where a setting came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Provenance {
    /// Read from the cluster (ConfigMap, `aws-node` env, ENIs, Kubernetes).
    Observed,
    /// Not read: the controller / manifest defaults are assumed, and the UI says so.
    Assumed,
}

/// How the pods per node were obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PodsBasis {
    /// Every node's pod count was observed (the scan had Kubernetes access).
    Observed,
    /// No node's pod count was observed: each is the fewest pods that explain its held IPs.
    EstimatedFromHeldIps,
    /// Some observed, the rest estimated from held IPs.
    Partly,
    /// The nodegroup has no nodes.
    NoNodes,
}

/// One node of the nodegroup, as the what-if sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObservedNode {
    pub instance_id: String,
    pub instance_type: String,
    pub subnet_id: Option<String>,
    /// Pod addresses held: secondary IPs + 16 per /28 prefix on the pod ENIs (`fleet::node_held`).
    pub held_ips: u32,
    pub prefixes: u32,
    /// Pods with a VPC IP: observed, or estimated (see `pods_observed`).
    pub pods: u32,
    pub pods_observed: bool,
}

/// One subnet of the nodegroup, as the what-if places nodes in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObservedSubnet {
    /// The subnet's real allocations and reservations minus this nodegroup's pod-ENI addresses.
    pub state: SubnetState,
    pub availability_zone: Option<String>,
    /// `AvailableIpAddressCount` as AWS reported it (with the nodegroup's own addresses in use).
    pub available_ip_count: Option<u32>,
    /// Whether the subnet's allocations were read. When not, `state` holds only the CIDR and the
    /// reservations, so its headroom is an upper bound.
    pub allocations_known: bool,
    /// This nodegroup's nodes observed in the subnet.
    pub nodes_observed: u32,
    /// Nodes the round-robin model places here (see `whatif::evaluate`).
    pub nodes_modelled: u32,
    /// Addresses of this nodegroup taken out of `state` (single IPs + 16 per prefix).
    pub own_addresses_removed: u64,
}

/// Instance type and how many of the nodegroup's nodes run it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstanceTypeCount {
    pub instance_type: String,
    pub nodes: u32,
}

/// A nodegroup as observed: everything a what-if needs, with where each piece came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObservedNodegroup {
    pub cluster: String,
    pub region: String,
    pub nodegroup: String,
    /// `None` for the synthetic ungrouped set.
    pub kind: Option<NodegroupKind>,
    pub os: Os,
    pub kubernetes_version: Option<String>,
    /// The type the scenario uses: the one most nodes run, else the first configured type.
    pub instance_type: String,
    /// Configured types and the types observed on nodes, most nodes first.
    pub instance_types_seen: Vec<InstanceTypeCount>,
    pub prefix_delegation: bool,
    /// Why `prefix_delegation` is what it is (prefixes seen on the ENIs, or the configuration).
    pub ip_mode_basis: String,
    pub custom_networking: bool,
    /// `--max-pods` from the user data, when seen.
    pub kubelet_max_pods: Option<u32>,
    /// Windows `amazon-vpc-cni` ConfigMap targets (raw, after key precedence).
    pub windows_warm: WindowsWarmInput,
    /// Linux `aws-node` targets (raw).
    pub linux_warm: LinuxWarmInput,
    /// Whether the warm targets were read or the defaults are assumed.
    pub ipam: Provenance,
    /// What the ConfigMap / env say beyond the targets (precedence, bad values, IPAM off, …).
    pub ipam_notes: Vec<String>,
    pub pods_basis: PodsBasis,
    /// The nodes, in the order the round-robin model spreads them over `subnets`.
    pub nodes: Vec<ObservedNode>,
    pub subnets: Vec<ObservedSubnet>,
    pub scaling: Option<Scaling>,
    /// Limits of the instance types the snapshot carries (they win over the embedded table).
    pub instance_type_limits: Vec<InstanceTypeLimits>,
    /// Caveats worth showing next to the numbers.
    pub notes: Vec<String>,
}

/// Why a nodegroup cannot be observed. Each message says what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum ObserveError {
    #[error(
        "no cluster {name} in region {region} in this snapshot: pick one from the fleet overview"
    )]
    ClusterNotFound { region: String, name: String },
    #[error(
        "cluster {cluster} has no nodegroup {nodegroup} and no nodes in it: pick one from the cluster page"
    )]
    NodegroupNotFound { cluster: String, nodegroup: String },
    #[error(
        "nodegroup {nodegroup} mixes Windows and Linux nodes or its OS is unknown: a what-if needs one OS"
    )]
    OsUnknown { nodegroup: String },
    #[error(
        "nodegroup {nodegroup} has no instance type (none configured, no nodes): nothing to start from; use the \"plan a nodegroup\" page"
    )]
    NoInstanceType { nodegroup: String },
}

/// Read one nodegroup (by name; [`UNGROUPED`] for nodes in no nodegroup) out of a snapshot.
pub fn observe_nodegroup(
    snapshot: &Snapshot,
    table: &InstanceTypeTable,
    region: &str,
    cluster_name: &str,
    nodegroup: &str,
) -> Result<ObservedNodegroup, ObserveError> {
    let cluster =
        snapshot
            .cluster(region, cluster_name)
            .ok_or_else(|| ObserveError::ClusterNotFound {
                region: region.to_string(),
                name: cluster_name.to_string(),
            })?;
    let declared = cluster.nodegroups.iter().find(|g| g.name == nodegroup);
    let declared_names: HashSet<&str> =
        cluster.nodegroups.iter().map(|g| g.name.as_str()).collect();
    // The same grouping as `fleet::analyze`: by the node's nodegroup name, none → ungrouped.
    let members: Vec<&Node> = cluster
        .nodes
        .iter()
        .filter(|n| match n.nodegroup.as_deref() {
            Some(name) => name == nodegroup,
            None => nodegroup == UNGROUPED && !declared_names.contains(UNGROUPED),
        })
        .collect();
    if declared.is_none() && members.is_empty() {
        return Err(ObserveError::NodegroupNotFound {
            cluster: cluster.name.clone(),
            nodegroup: nodegroup.to_string(),
        });
    }
    let os = declared.and_then(|g| g.os).or_else(|| {
        let first = members.first()?.os;
        members.iter().all(|n| n.os == first).then_some(first)
    });
    let Some(os) = os.filter(|os| members.iter().all(|n| n.os == *os)) else {
        return Err(ObserveError::OsUnknown {
            nodegroup: nodegroup.to_string(),
        });
    };
    let mut notes = Vec::new();

    // Instance types: count per type, most nodes first; configured types keep their order on ties.
    let mut seen: Vec<InstanceTypeCount> = declared
        .map(|g| {
            g.instance_types
                .iter()
                .map(|t| InstanceTypeCount {
                    instance_type: t.clone(),
                    nodes: 0,
                })
                .collect()
        })
        .unwrap_or_default();
    for node in &members {
        match seen
            .iter_mut()
            .find(|c| c.instance_type == node.instance_type)
        {
            Some(count) => count.nodes += 1,
            None => seen.push(InstanceTypeCount {
                instance_type: node.instance_type.clone(),
                nodes: 1,
            }),
        }
    }
    seen.sort_by_key(|c| std::cmp::Reverse(c.nodes));
    let instance_type = seen
        .first()
        .map(|c| c.instance_type.clone())
        .ok_or_else(|| ObserveError::NoInstanceType {
            nodegroup: nodegroup.to_string(),
        })?;
    if seen.iter().filter(|c| c.nodes > 0).count() > 1 {
        notes.push(format!(
            "nodes run {} instance types; the what-if models every node as {instance_type} (the most common)",
            seen.iter().filter(|c| c.nodes > 0).count()
        ));
    }

    // IP mode: the ENIs are the truth; the configuration only decides for a group without nodes.
    let held: Vec<_> = members.iter().map(|n| node_held(n)).collect();
    let pd_nodes = held
        .iter()
        .filter(|h| h.ip_mode == IpMode::PrefixDelegation)
        .count();
    let (windows_warm, linux_warm, ipam, mut ipam_notes, configured_pd, custom_networking) =
        match os {
            Os::Windows => match &cluster.windows_ipam_config {
                Some(data) => {
                    let config = parse_windows_configmap(Some(data));
                    let mut notes = config.notes.clone();
                    if !config.windows_ipam_enabled {
                        notes.push("the numbers assume the VPC Resource Controller manages these nodes' IPs (set enable-windows-ipam: \"true\")".into());
                    }
                    (
                        config.input,
                        LinuxWarmInput::default(),
                        Provenance::Observed,
                        notes,
                        config.prefix_delegation_enabled,
                        false,
                    )
                }
                None => (
                    WindowsWarmInput::default(),
                    LinuxWarmInput::default(),
                    Provenance::Assumed,
                    vec!["the kube-system/amazon-vpc-cni ConfigMap was not read: the controller's default warm targets are assumed".into()],
                    false,
                    false,
                ),
            },
            Os::Linux => match &cluster.linux_ipam_env {
                Some(env) => {
                    let (input, notes) = parse_linux_env(env);
                    let flag = |key: &str| {
                        env.get(key)
                            .and_then(|v| go_parse_bool(v))
                            .unwrap_or(false)
                    };
                    (
                        WindowsWarmInput::default(),
                        input,
                        Provenance::Observed,
                        notes,
                        flag(keys::ENV_ENABLE_PREFIX_DELEGATION),
                        flag(keys::ENV_CUSTOM_NETWORK),
                    )
                }
                None => (
                    WindowsWarmInput::default(),
                    LinuxWarmInput::default(),
                    Provenance::Assumed,
                    vec!["the aws-node environment was not read: the VPC CNI manifest defaults (WARM_ENI_TARGET=1, WARM_PREFIX_TARGET=1) are assumed".into()],
                    false,
                    false,
                ),
            },
        };
    let prefix_delegation = if members.is_empty() {
        configured_pd
    } else {
        pd_nodes * 2 > members.len()
    };
    let ip_mode_basis = if members.is_empty() {
        format!(
            "no nodes: prefix delegation {} per the {}",
            if configured_pd { "on" } else { "off" },
            match (os, ipam) {
                (_, Provenance::Assumed) => "assumed defaults",
                (Os::Windows, _) => "amazon-vpc-cni ConfigMap",
                (Os::Linux, _) => "aws-node environment",
            }
        )
    } else {
        format!(
            "{pd_nodes} of {} nodes hold /28 prefixes on their pod ENIs",
            members.len()
        )
    };
    if pd_nodes > 0 && pd_nodes < members.len() {
        notes.push(format!(
            "{pd_nodes} of {} nodes are in prefix mode, the rest in secondary-IP mode: the what-if models all in {} mode (BPG: replace the nodegroup rather than mix modes)",
            members.len(),
            if prefix_delegation { "prefix" } else { "secondary-IP" }
        ));
    }
    if !members.is_empty() && ipam == Provenance::Observed && configured_pd != (pd_nodes > 0) {
        ipam_notes.push(format!(
            "the configuration says prefix delegation is {} but {} hold prefixes: nodes launched before the switch keep their mode until replaced",
            if configured_pd { "on" } else { "off" },
            if pd_nodes > 0 {
                format!("{pd_nodes} nodes")
            } else {
                "no node".to_string()
            }
        ));
    }
    let kubelet_max_pods = declared
        .and_then(|g| g.user_data.as_ref())
        .and_then(|u| u.kubelet_max_pods);

    // Subnets: the configured ones (the ASG spreads over them), then any other a node sits in.
    let mut subnet_ids: Vec<String> = declared.map(|g| g.subnet_ids.clone()).unwrap_or_default();
    for node in &members {
        if let Some(id) = &node.subnet_id
            && !subnet_ids.contains(id)
        {
            subnet_ids.push(id.clone());
        }
    }
    subnet_ids.retain(|id| {
        let known = snapshot.subnet(id).is_some();
        if !known {
            notes.push(format!(
                "subnet {id} is not in the snapshot (DescribeSubnets did not return it): left out of the what-if"
            ));
        }
        known
    });

    // Order nodes so that round-robin over `subnet_ids` puts each node in its own subnet when the
    // nodes are spread evenly (as an ASG balances AZs).
    let mut by_subnet: Vec<Vec<usize>> = vec![Vec::new(); subnet_ids.len()];
    let mut elsewhere = Vec::new();
    for (index, node) in members.iter().enumerate() {
        match node
            .subnet_id
            .as_deref()
            .and_then(|id| subnet_ids.iter().position(|s| s == id))
        {
            Some(position) => by_subnet[position].push(index),
            None => elsewhere.push(index),
        }
    }
    let mut order = Vec::with_capacity(members.len());
    let mut round = 0;
    while order.len() + elsewhere.len() < members.len() {
        for list in &by_subnet {
            if let Some(&index) = list.get(round) {
                order.push(index);
            }
        }
        round += 1;
    }
    order.extend(elsewhere);

    // Pods per node: observed, else the fewest that explain the held IPs under the warm rule.
    let pool = estimation_pool(
        table,
        snapshot,
        &instance_type,
        os,
        prefix_delegation,
        custom_networking,
        kubelet_max_pods,
        &windows_warm,
        &linux_warm,
    );
    let mut estimates: HashMap<u32, u32> = HashMap::new();
    let mut observed_count = 0;
    let mut nodes = Vec::with_capacity(members.len());
    for &index in &order {
        let node = members[index];
        let node_held = held[index];
        let (pods, pods_observed) = match node.pods_with_ips {
            Some(pods) => {
                observed_count += 1;
                (pods.min(MAX_PODS_PER_NODE), true)
            }
            None => {
                let pods = match &pool {
                    Some(pool) => *estimates
                        .entry(node_held.held_ips)
                        .or_insert_with(|| pods_for_held_ips(pool, node_held.held_ips)),
                    None => 0,
                };
                (pods, false)
            }
        };
        nodes.push(ObservedNode {
            instance_id: node.instance_id.clone(),
            instance_type: node.instance_type.clone(),
            subnet_id: node.subnet_id.clone(),
            held_ips: node_held.held_ips,
            prefixes: node_held.prefixes,
            pods,
            pods_observed,
        });
    }
    let pods_basis = match (observed_count, members.len()) {
        (_, 0) => PodsBasis::NoNodes,
        (o, n) if o == n => PodsBasis::Observed,
        (0, _) => PodsBasis::EstimatedFromHeldIps,
        _ => PodsBasis::Partly,
    };
    if pool.is_none() && pods_basis != PodsBasis::Observed && !members.is_empty() {
        notes.push(format!(
            "instance type {instance_type} is not in the instance-type table: pods per node could not be estimated from held IPs (0 assumed)"
        ));
    }

    // Subnet states without this nodegroup's pod-ENI addresses.
    let mut own_ips: HashMap<&str, HashSet<&str>> = HashMap::new();
    let mut own_prefixes: HashMap<&str, HashSet<&str>> = HashMap::new();
    for node in &members {
        let only_eni = node.enis.len() == 1;
        for eni in node
            .enis
            .iter()
            .filter(|e| eni_carries_pod_ips(node.os, e, only_eni))
        {
            let Some(subnet) = eni.subnet_id.as_deref().or(node.subnet_id.as_deref()) else {
                continue;
            };
            let ips = own_ips.entry(subnet).or_default();
            ips.extend(eni.primary_ip.as_deref());
            ips.extend(eni.secondary_ips.iter().map(String::as_str));
            own_prefixes
                .entry(subnet)
                .or_default()
                .extend(eni.ipv4_prefixes.iter().map(String::as_str));
        }
    }
    let count = subnet_ids.len().max(1);
    let node_total = nodes.len();
    let subnets = subnet_ids
        .iter()
        .enumerate()
        .filter_map(|(position, id)| {
            let subnet = snapshot.subnet(id)?;
            let ips = own_ips.get(id.as_str());
            let prefixes = own_prefixes.get(id.as_str());
            let mut removed = 0u64;
            let allocated_ips = subnet
                .allocated_ips
                .iter()
                .flatten()
                .filter(|ip| {
                    let own = ips.is_some_and(|set| set.contains(ip.trim()));
                    removed += u64::from(own);
                    !own
                })
                .cloned()
                .collect();
            let allocated_prefixes = subnet
                .allocated_prefixes
                .iter()
                .flatten()
                .filter(|prefix| {
                    let own = prefixes.is_some_and(|set| set.contains(prefix.trim()));
                    removed += if own { 16 } else { 0 };
                    !own
                })
                .cloned()
                .collect();
            Some(ObservedSubnet {
                state: SubnetState {
                    subnet_id: Some(subnet.subnet_id.clone()),
                    cidr: subnet.cidr.clone(),
                    allocated_ips,
                    allocated_prefixes,
                    reservations: subnet.cidr_reservations.clone(),
                },
                availability_zone: subnet.availability_zone.clone(),
                available_ip_count: subnet.available_ip_count,
                allocations_known: subnet.allocated_ips.is_some(),
                nodes_observed: members
                    .iter()
                    .filter(|n| n.subnet_id.as_deref() == Some(id.as_str()))
                    .count() as u32,
                // Round-robin: node i goes to subnet i mod count.
                nodes_modelled: (node_total / count + usize::from(position < node_total % count))
                    as u32,
                own_addresses_removed: removed,
            })
        })
        .collect::<Vec<_>>();
    if subnets.iter().any(|s| !s.allocations_known) {
        notes.push("some subnets' allocations were not read (DescribeNetworkInterfaces by subnet): those are modelled as holding only this nodegroup, an upper bound on their headroom".into());
    }
    if subnets.iter().any(|s| s.nodes_observed != s.nodes_modelled) {
        notes.push("the model spreads nodes round-robin over the subnets; the observed spread differs, so per-subnet numbers are approximate".into());
    }
    if let Some(scaling) = declared.and_then(|g| g.scaling)
        && scaling.desired_size as usize != members.len()
    {
        notes.push(format!(
            "desired size is {} but {} nodes were scanned: the what-if starts from the nodes seen",
            scaling.desired_size,
            members.len()
        ));
    }
    let instance_type_limits = snapshot
        .instance_types
        .iter()
        .filter(|l| seen.iter().any(|c| c.instance_type == l.instance_type))
        .cloned()
        .collect();
    Ok(ObservedNodegroup {
        cluster: cluster.name.clone(),
        region: cluster.region.clone(),
        nodegroup: nodegroup.to_string(),
        kind: declared.map(|g| g.kind),
        os,
        kubernetes_version: declared
            .and_then(|g| g.version.clone())
            .or_else(|| cluster.version.clone()),
        instance_type,
        instance_types_seen: seen,
        prefix_delegation,
        ip_mode_basis,
        custom_networking,
        kubelet_max_pods,
        windows_warm,
        linux_warm,
        ipam,
        ipam_notes,
        pods_basis,
        nodes,
        subnets,
        scaling: declared.and_then(|g| g.scaling),
        instance_type_limits,
        notes,
    })
}

/// The warm pool of one node of the nodegroup as configured, for estimating pods from held IPs.
#[allow(clippy::too_many_arguments)]
fn estimation_pool(
    table: &InstanceTypeTable,
    snapshot: &Snapshot,
    instance_type: &str,
    os: Os,
    prefix_delegation: bool,
    custom_networking: bool,
    kubelet_max_pods: Option<u32>,
    windows_warm: &WindowsWarmInput,
    linux_warm: &LinuxWarmInput,
) -> Option<WarmPool> {
    let limits = snapshot
        .instance_types
        .iter()
        .find(|l| l.instance_type == instance_type)
        .or_else(|| table.get(instance_type))?;
    let scenario = Scenario {
        instance_type: instance_type.to_string(),
        os,
        node_count: 1,
        pods_per_node: 0,
        prefix_delegation,
        custom_networking: custom_networking && os == Os::Linux,
        kubelet_max_pods,
        windows_warm: *windows_warm,
        linux_warm: *linux_warm,
        subnets: Vec::new(),
        observed_pods: None,
    };
    whatif::evaluate_prepared(&scenario, limits, &[])
        .ok()
        .map(|r| r.pool)
}

/// The fewest pods for which `pool` holds at least `held_ips` pod addresses (held IPs grow with pods,
/// so a binary search finds it); the pool's capacity when even a full node holds fewer.
pub fn pods_for_held_ips(pool: &WarmPool, held_ips: u32) -> u32 {
    let (mut low, mut high) = (0u32, pool.ip_capacity);
    if pool.held(high).held_ips < held_ips {
        return high;
    }
    while low < high {
        let middle = low + (high - low) / 2;
        if pool.held(middle).held_ips >= held_ips {
            high = middle;
        } else {
            low = middle + 1;
        }
    }
    low
}

impl ObservedNodegroup {
    /// Pods per node in model order.
    pub fn observed_pods(&self) -> Vec<u32> {
        self.nodes.iter().map(|n| n.pods).collect()
    }

    /// The average pods per node, rounded up (0 without nodes): the default for nodes a what-if adds.
    pub fn typical_pods_per_node(&self) -> u32 {
        let total: u64 = self.nodes.iter().map(|n| u64::from(n.pods)).sum();
        u32::try_from(total.div_ceil(self.nodes.len().max(1) as u64)).unwrap_or(MAX_PODS_PER_NODE)
    }

    /// Pods per node for `node_count` nodes: the observed nodes first (the last ones removed when
    /// shrinking), then `pods_per_new_node` on each added node.
    pub fn observed_pods_for(&self, node_count: u32, pods_per_new_node: u32) -> Vec<u32> {
        let count = node_count as usize;
        let mut pods: Vec<u32> = self.nodes.iter().take(count).map(|n| n.pods).collect();
        pods.resize(count, pods_per_new_node);
        pods
    }

    /// The subnets as a what-if scenario takes them.
    pub fn subnet_states(&self) -> Vec<SubnetState> {
        self.subnets.iter().map(|s| s.state.clone()).collect()
    }

    /// Held pod IPs summed over the observed nodes (to compare with the model's "before").
    pub fn observed_held_ips(&self) -> u64 {
        self.nodes.iter().map(|n| u64::from(n.held_ips)).sum()
    }

    /// /28 prefixes summed over the observed nodes.
    pub fn observed_prefixes(&self) -> u64 {
        self.nodes.iter().map(|n| u64::from(n.prefixes)).sum()
    }

    /// The instance-type table with the snapshot's limits for this nodegroup's types merged in.
    pub fn table(&self, table: &InstanceTypeTable) -> InstanceTypeTable {
        table.merged_with(&self.instance_type_limits)
    }

    /// A scenario from URL query pairs applied on top of the observed one ([`overlay_query`]); the
    /// OS and the subnets stay as observed, the node list follows the node count.
    pub fn scenario_from_query(
        &self,
        changes: &[(String, String)],
    ) -> Result<Scenario, whatif::QueryErrors> {
        let before = Scenario::from_observed(self);
        let pairs = overlay_query(&whatif::scenario_to_query(&before), changes);
        let mut scenario = whatif::scenario_from_query(&pairs)?;
        self.apply_observed(&mut scenario);
        scenario.subnets = self.subnet_states();
        Ok(scenario)
    }

    /// Pin what a query cannot carry: the OS, and pods per node for the scenario's node count
    /// ([`Self::observed_pods_for`], `pods_per_node` on added nodes). Subnets are left alone: the
    /// browser passes them pre-parsed to [`evaluate_observed`] instead of copying thousands of
    /// addresses into every scenario.
    pub fn apply_observed(&self, scenario: &mut Scenario) {
        scenario.os = self.os;
        scenario.observed_pods =
            Some(self.observed_pods_for(scenario.node_count, scenario.pods_per_node));
    }
}

impl Scenario {
    /// The nodegroup as observed: its type, OS, mode, settings, nodes with their pods, and its
    /// subnets without its own addresses. `pods_per_node` is the typical pods per node (used only
    /// for nodes a what-if adds).
    pub fn from_observed(observed: &ObservedNodegroup) -> Self {
        Scenario {
            instance_type: observed.instance_type.clone(),
            os: observed.os,
            node_count: u32::try_from(observed.nodes.len()).unwrap_or(u32::MAX),
            pods_per_node: observed.typical_pods_per_node(),
            prefix_delegation: observed.prefix_delegation,
            custom_networking: observed.custom_networking,
            kubelet_max_pods: observed.kubelet_max_pods,
            windows_warm: observed.windows_warm,
            linux_warm: observed.linux_warm,
            subnets: observed.subnet_states(),
            observed_pods: Some(observed.observed_pods()),
        }
    }
}

/// Query keys a nodegroup what-if does not take from the URL: the OS is observed, and so are the
/// subnets (their real allocations cannot travel in a URL).
pub const PINNED_QUERY_KEYS: [&str; 2] = [query_keys::OS, query_keys::SUBNET];

/// `base` followed by `changes` (minus the pinned keys): `whatif::scenario_from_query` lets a later
/// pair win, so the result is the base scenario with the changes applied.
pub fn overlay_query(
    base: &[(String, String)],
    changes: &[(String, String)],
) -> Vec<(String, String)> {
    base.iter()
        .cloned()
        .chain(
            changes
                .iter()
                .filter(|(key, _)| !PINNED_QUERY_KEYS.contains(&key.as_str()))
                .cloned(),
        )
        .collect()
}

/// The pairs of `current` that differ from `base`, for a short shareable URL. A key `base` has and
/// `current` lacks is written empty (`win_warm_ip_target=`: back to the default). Pinned keys are
/// left out. `overlay_query(base, query_changes(base, current))` parses to the same scenario as
/// `current` (for single-valued keys).
pub fn query_changes(
    base: &[(String, String)],
    current: &[(String, String)],
) -> Vec<(String, String)> {
    // A handful of pairs: linear lookups (no map or sort code in the wasm).
    let value_in = |pairs: &[(String, String)], key: &str| {
        pairs
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    };
    let pinned = |key: &str| PINNED_QUERY_KEYS.contains(&key);
    let mut changes: Vec<(String, String)> = current
        .iter()
        .filter(|(key, value)| !pinned(key) && value_in(base, key).as_ref() != Some(value))
        .cloned()
        .collect();
    for (key, _) in base {
        if !pinned(key)
            && value_in(current, key).is_none()
            && !changes.iter().any(|(k, _)| k == key)
        {
            changes.push((key.clone(), String::new()));
        }
    }
    changes
}

/// Evaluate with the instance type looked up in `table` and subnets already parsed (parse them once
/// with `whatif::parse_subnets`: a /16 with thousands of addresses need not be re-read per input).
pub fn evaluate_observed(
    scenario: &Scenario,
    table: &InstanceTypeTable,
    parsed_subnets: &[ParsedSubnet],
) -> Result<WhatIfResult, WhatIfError> {
    // Same lookup as `whatif::evaluate`: EC2 names are lowercase, a hand-typed URL may not be.
    let name = scenario.instance_type.trim().to_ascii_lowercase();
    let limits = table
        .get(&name)
        .ok_or_else(|| WhatIfError::UnknownInstanceType {
            instance_type: scenario.instance_type.clone(),
            suggestions: table
                .suggestions(&name, 5)
                .into_iter()
                .map(String::from)
                .collect(),
        })?;
    whatif::evaluate_prepared(scenario, limits, parsed_subnets)
}

#[cfg(test)]
mod tests;
