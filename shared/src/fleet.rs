//! Fleet analysis: from a [`Snapshot`] and the instance-type table, the rows the API and the UI show —
//! per node, per nodegroup, per cluster, per subnet, and fleet totals. Pure and deterministic.
//!
//! Every number here is either observed (ENI IPs and prefixes, `AvailableIpAddressCount`) or computed by
//! one `shared` function (`maxpods::max_pods`, `subnet::analyze`, `dsr::dsr_status`). Nothing is guessed:
//! what was not observed stays `None` and the UI says "unknown".
//!
//! Cost: one pass over clusters, nodegroups, nodes and subnets with `HashMap` indexes (no quadratic
//! lookups), so a 10,000-node fleet is analysed in milliseconds.

use crate::dsr::{self, DsrAssessment, DsrFacts, DsrStatus, RiskLevel};
use crate::explain::Explanation;
use crate::limits::{InstanceTypeLimits, InstanceTypeTable};
use crate::maxpods::{IPS_PER_PREFIX, IpMode, MaxPods, MaxPodsOptions, Os, max_pods};
use crate::snapshot::{
    CidrReservation, Cluster, Eni, LaunchTemplateRef, Node, Nodegroup, NodegroupKind,
    ReservationType, Scaling, Snapshot, SnapshotSource, SourceError, Subnet, UserDataFlags,
};
use crate::subnet::{self, BlockMap, FragmentationBand, Ipv4Cidr, SubnetState, SubnetUsage};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// A subnet with less than this share of its usable addresses free is "at risk" (an eniscope
/// dashboard threshold, not an AWS limit: below it one nodegroup scale-up can exhaust the subnet).
pub const LOW_FREE_IPS_PERCENT: u64 = 10;

/// Name of the synthetic group for nodes that belong to no nodegroup of their cluster.
pub const UNGROUPED: &str = "(ungrouped)";

const SRC_HELD: &str = "EC2 DescribeInstances NetworkInterfaces (PrivateIpAddresses Primary=false, Ipv4Prefixes); VPC RC eni.go InitResources";

// ---------------------------------------------------------------------------------------------
// Output types (JSON for the API; the frontend deserializes the same types)
// ---------------------------------------------------------------------------------------------

/// One node, as the node tables show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeRow {
    pub cluster: String,
    pub region: String,
    /// Account id, else the configured account label.
    pub account: Option<String>,
    pub nodegroup: Option<String>,
    pub nodegroup_kind: Option<NodegroupKind>,
    pub instance_id: String,
    pub instance_type: String,
    pub os: Os,
    pub subnet_id: Option<String>,
    pub availability_zone: Option<String>,
    pub private_ip: Option<String>,
    pub windows_build: Option<String>,
    /// `prefix-delegation` when any ENI carrying pod IPs holds a /28 prefix, else `secondary-ip`.
    pub ip_mode: IpMode,
    /// ENIs attached; of those, the ones that carry pod IPs (Windows: device index 0 only; Linux:
    /// every ENI of type `interface`).
    pub enis: u32,
    pub pod_enis: u32,
    /// Secondary IPs on the pod ENIs.
    pub secondary_ips: u32,
    /// /28 prefixes on the pod ENIs.
    pub prefixes: u32,
    /// `secondary_ips + 16 × prefixes`: pod addresses the node holds from its subnet.
    pub held_ips: u32,
    /// Pods that hold a VPC IP, when known (needs Kubernetes access); never estimated.
    pub used_ips: Option<u32>,
    /// Pod IPs the node can ever hold in the mode in effect (`shared::maxpods`); `None` when the
    /// instance type is unknown.
    pub ip_capacity: Option<u32>,
    /// `shared::maxpods` recommended max pods (Windows: min(capacity, kubelet); Linux: calculator cap).
    pub max_pods: Option<u32>,
    /// `--max-pods` from the nodegroup's user data, when seen.
    pub kubelet_max_pods: Option<u32>,
    /// `on` / `off` / `unknown`; `null` for Linux.
    pub dsr: Option<DsrStatus>,
    /// Why (one sentence); `null` for Linux.
    pub dsr_reason: Option<String>,
    pub dsr_evidence: Vec<String>,
    pub launch_time: Option<String>,
    pub state: Option<String>,
    pub warnings: Vec<String>,
}

/// One ENI of a node, for the node page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EniRow {
    pub eni_id: String,
    pub interface_type: Option<String>,
    pub device_index: Option<u32>,
    pub network_card_index: Option<u32>,
    pub subnet_id: Option<String>,
    pub primary_ip: Option<String>,
    pub secondary_ips: Vec<String>,
    pub ipv4_prefixes: Vec<String>,
    /// Counted in `held_ips` (see `NodeRow::pod_enis`).
    pub carries_pod_ips: bool,
    /// `secondary_ips + 16 × prefixes` of this ENI.
    pub held_ips: u32,
}

/// Everything about one node, for the node page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeDetail {
    pub node: NodeRow,
    pub enis: Vec<EniRow>,
    /// How `held_ips` was counted.
    pub held_explanation: Explanation,
    /// The capacity result with its explanation (formula, inputs, caps, source).
    pub capacity: Option<MaxPods>,
    /// Why `capacity` is missing (unknown instance type, ARM type on Windows, …).
    pub capacity_error: Option<String>,
    pub limits: Option<InstanceTypeLimits>,
    pub dsr: Option<DsrAssessment>,
    pub nodegroup: Option<NodegroupSummary>,
    pub subnet: Option<SubnetRow>,
}

/// Nodes by DSR status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DsrCounts {
    pub windows_nodes: u32,
    pub on: u32,
    pub off: u32,
    pub unknown: u32,
    /// `on × 100 / windows_nodes`, rounded down; `None` without Windows nodes.
    pub coverage_percent: Option<u32>,
}

impl DsrCounts {
    fn add(&mut self, status: DsrStatus) {
        self.windows_nodes += 1;
        match status {
            DsrStatus::On => self.on += 1,
            DsrStatus::Off => self.off += 1,
            DsrStatus::Unknown => self.unknown += 1,
        }
    }

    fn merge(&mut self, other: &DsrCounts) {
        self.windows_nodes += other.windows_nodes;
        self.on += other.on;
        self.off += other.off;
        self.unknown += other.unknown;
    }

    fn finish(&mut self) {
        self.coverage_percent = (self.windows_nodes > 0)
            .then(|| (u64::from(self.on) * 100 / u64::from(self.windows_nodes)) as u32);
    }
}

/// Pod-IP totals over a set of nodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct IpTotals {
    pub nodes: u32,
    pub held_ips: u64,
    pub secondary_ips: u64,
    pub prefixes: u64,
    /// Sum of `used_ips` when every node's is known, else `None` ("unknown", never estimated).
    pub used_ips: Option<u64>,
    /// Nodes whose `used_ips` is known.
    pub used_known_nodes: u32,
    /// Sum of `ip_capacity` over nodes with a known instance type.
    pub ip_capacity: u64,
    /// Nodes whose capacity is unknown (type not in the table); not in `ip_capacity`.
    pub capacity_unknown_nodes: u32,
}

impl IpTotals {
    fn add(&mut self, row: &NodeRow) {
        self.nodes += 1;
        self.held_ips += u64::from(row.held_ips);
        self.secondary_ips += u64::from(row.secondary_ips);
        self.prefixes += u64::from(row.prefixes);
        if let Some(used) = row.used_ips {
            self.used_known_nodes += 1;
            self.used_ips = Some(self.used_ips.unwrap_or(0) + u64::from(used));
        }
        match row.ip_capacity {
            Some(capacity) => self.ip_capacity += u64::from(capacity),
            None => self.capacity_unknown_nodes += 1,
        }
    }

    fn merge(&mut self, other: &IpTotals) {
        self.nodes += other.nodes;
        self.held_ips += other.held_ips;
        self.secondary_ips += other.secondary_ips;
        self.prefixes += other.prefixes;
        self.used_known_nodes += other.used_known_nodes;
        if let Some(used) = other.used_ips {
            self.used_ips = Some(self.used_ips.unwrap_or(0) + used);
        }
        self.ip_capacity += other.ip_capacity;
        self.capacity_unknown_nodes += other.capacity_unknown_nodes;
    }

    /// `used_ips` only when known for every node.
    fn finish(&mut self) {
        if self.used_known_nodes < self.nodes {
            self.used_ips = None;
        }
    }
}

/// One nodegroup (managed, self-managed, Karpenter pool, or the synthetic ungrouped set).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodegroupSummary {
    pub cluster: String,
    pub region: String,
    pub account: Option<String>,
    pub name: String,
    pub kind: NodegroupKind,
    pub os: Option<Os>,
    pub ami_type: Option<String>,
    pub release_version: Option<String>,
    /// Kubernetes version (the nodegroup's, else the cluster's).
    pub kubernetes_version: Option<String>,
    /// Configured instance types, then any other type observed on its nodes.
    pub instance_types: Vec<String>,
    pub capacity_type: Option<String>,
    pub scaling: Option<Scaling>,
    pub subnet_ids: Vec<String>,
    pub launch_template: Option<LaunchTemplateRef>,
    pub status: Option<String>,
    /// The IP mode of its nodes when they agree; `None` with no nodes or mixed modes.
    pub ip_mode: Option<IpMode>,
    /// Every mode observed (BPG prefix-mode_windows: do not mix modes in one nodegroup).
    pub ip_modes: Vec<IpMode>,
    pub ips: IpTotals,
    pub kubelet_max_pods: Option<u32>,
    pub user_data: Option<UserDataFlags>,
    /// Windows only: the nodegroup-level assessment (evidence and fix).
    pub dsr: Option<DsrAssessment>,
    pub dsr_nodes: DsrCounts,
    pub warnings: Vec<String>,
}

/// Where an error belongs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum ErrorScope {
    Cluster,
    Region,
    Account,
    Fleet,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopedError {
    pub scope: ErrorScope,
    #[serde(flatten)]
    pub error: SourceError,
}

/// One cluster card.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClusterSummary {
    pub name: String,
    pub region: String,
    pub account_id: Option<String>,
    pub account_label: Option<String>,
    pub version: Option<String>,
    pub platform_version: Option<String>,
    pub status: Option<String>,
    pub vpc_id: Option<String>,
    pub nodes_windows: u32,
    pub nodes_linux: u32,
    pub nodegroups: u32,
    pub ips: IpTotals,
    /// Every subnet the cluster, its nodegroups or its nodes use.
    pub subnet_ids: Vec<String>,
    pub subnets_at_risk: Vec<String>,
    pub dsr: DsrCounts,
    pub service_count: Option<u32>,
    /// Worst port-exhaustion risk over its Windows nodes; `None` without Windows nodes.
    pub port_exhaustion_risk: Option<RiskLevel>,
    /// Errors of this cluster, its region or its account: the card shows them while others render.
    pub errors: Vec<ScopedError>,
}

/// One subnet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubnetRow {
    pub subnet_id: String,
    pub region: String,
    pub account_id: Option<String>,
    pub vpc_id: Option<String>,
    pub availability_zone: Option<String>,
    pub cidr: String,
    /// 2^(32 − n) and that minus the 5 AWS-reserved addresses; `None` if the CIDR does not parse.
    pub size: Option<u64>,
    pub usable_ips: Option<u64>,
    /// `AvailableIpAddressCount` as AWS reported it, else the count computed from allocations.
    pub free_ips: Option<u64>,
    pub free_percent: Option<u64>,
    pub reservations: Vec<CidrReservation>,
    /// Addresses inside `prefix` / `explicit` CIDR reservations.
    pub prefix_reserved_ips: u64,
    pub explicit_reserved_ips: u64,
    /// /28 classification and fragmentation (`shared::subnet`), when the subnet's allocations were read.
    pub usage: Option<SubnetUsage>,
    /// New /28 prefixes that still fit; `None` when allocations were not read.
    pub prefix_slots_free: Option<u32>,
    pub fragmentation_score: Option<u32>,
    pub fragmentation_band: Option<FragmentationBand>,
    /// Can prefix delegation still get a /28 here? `None` when unknown.
    pub prefix_delegation_ready: Option<bool>,
    /// Clusters using it, as `region/name`.
    pub clusters: Vec<String>,
    pub nodes: u32,
    pub prefix_delegation_nodes: u32,
    /// Pod IPs held by the scanned nodes whose primary ENI is in this subnet.
    pub node_held_ips: u64,
    pub at_risk: bool,
    pub risk_reasons: Vec<String>,
    pub notes: Vec<String>,
}

/// Fleet-wide totals.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FleetTotals {
    pub clusters: u32,
    pub clusters_with_errors: u32,
    pub accounts: Vec<String>,
    pub regions: Vec<String>,
    pub nodegroups: u32,
    pub nodes_windows: u32,
    pub nodes_linux: u32,
    pub ips: IpTotals,
    pub subnets: u32,
    pub subnets_at_risk: u32,
    pub dsr: DsrCounts,
    pub windows_nodes_at_port_exhaustion_risk: u32,
    pub errors: u32,
    pub api_calls: u64,
}

/// The whole analysis of one snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FleetView {
    pub collected_at: String,
    pub source: SnapshotSource,
    pub totals: FleetTotals,
    pub clusters: Vec<ClusterSummary>,
    pub nodegroups: Vec<NodegroupSummary>,
    pub nodes: Vec<NodeRow>,
    pub subnets: Vec<SubnetRow>,
    /// Errors that hit no cluster present in the snapshot (a failed account or region, a cluster
    /// that could not be described).
    pub unattached_errors: Vec<ScopedError>,
    pub api_calls: BTreeMap<String, u64>,
    pub scan_duration_ms: Option<u64>,
}

impl FleetView {
    pub fn cluster(&self, region: &str, name: &str) -> Option<&ClusterSummary> {
        self.clusters
            .iter()
            .find(|c| c.region == region && c.name == name)
    }

    pub fn node(&self, instance_id: &str) -> Option<&NodeRow> {
        self.nodes.iter().find(|n| n.instance_id == instance_id)
    }

    pub fn subnet(&self, subnet_id: &str) -> Option<&SubnetRow> {
        self.subnets.iter().find(|s| s.subnet_id == subnet_id)
    }
}

// ---------------------------------------------------------------------------------------------
// Per-node math
// ---------------------------------------------------------------------------------------------

/// Does this ENI carry pod IPs? Windows: only the primary ENI (device index 0; VPC RC eni.go
/// "Windows doesn't support multi-ENI yet"). Linux: every ENI of type `interface` (trunk, branch and
/// EFA interfaces are not in the VPC CNI's pool).
pub fn eni_carries_pod_ips(os: Os, eni: &Eni, only_eni: bool) -> bool {
    match os {
        Os::Windows => eni.device_index == Some(0) || (eni.device_index.is_none() && only_eni),
        Os::Linux => eni
            .interface_type
            .as_deref()
            .is_none_or(|t| t.eq_ignore_ascii_case("interface")),
    }
}

/// Held pod addresses of one ENI: secondary IPs + 16 per /28 prefix (VPC RC `eni.go InitResources`).
pub fn eni_held_ips(eni: &Eni) -> u32 {
    let secondary = u32::try_from(eni.secondary_ips.len()).unwrap_or(u32::MAX);
    let prefixes = u32::try_from(eni.ipv4_prefixes.len()).unwrap_or(u32::MAX);
    secondary.saturating_add(prefixes.saturating_mul(IPS_PER_PREFIX))
}

/// Observed pod-IP holdings of a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Held {
    pub pod_enis: u32,
    pub secondary_ips: u32,
    pub prefixes: u32,
    pub held_ips: u32,
    pub ip_mode: IpMode,
}

pub fn node_held(node: &Node) -> Held {
    let only_eni = node.enis.len() == 1;
    let mut held = Held {
        pod_enis: 0,
        secondary_ips: 0,
        prefixes: 0,
        held_ips: 0,
        ip_mode: IpMode::SecondaryIp,
    };
    for eni in node
        .enis
        .iter()
        .filter(|e| eni_carries_pod_ips(node.os, e, only_eni))
    {
        held.pod_enis += 1;
        held.secondary_ips = held
            .secondary_ips
            .saturating_add(u32::try_from(eni.secondary_ips.len()).unwrap_or(u32::MAX));
        held.prefixes = held
            .prefixes
            .saturating_add(u32::try_from(eni.ipv4_prefixes.len()).unwrap_or(u32::MAX));
        held.held_ips = held.held_ips.saturating_add(eni_held_ips(eni));
    }
    // Any /28 on a pod ENI means the controller / ipamd runs in prefix mode.
    if held.prefixes > 0 {
        held.ip_mode = IpMode::PrefixDelegation;
    }
    held
}

/// Everything per-cluster that node rows need, indexed once.
struct ClusterContext<'a> {
    cluster: &'a Cluster,
    account: Option<String>,
    nodegroups: HashMap<&'a str, &'a Nodegroup>,
}

impl<'a> ClusterContext<'a> {
    fn new(cluster: &'a Cluster) -> Self {
        let nodegroups = cluster
            .nodegroups
            .iter()
            .map(|g| (g.name.as_str(), g))
            .collect();
        let account = cluster
            .account_id
            .clone()
            .or_else(|| cluster.account_label.clone());
        Self {
            cluster,
            account,
            nodegroups,
        }
    }

    fn nodegroup(&self, node: &Node) -> Option<&'a Nodegroup> {
        node.nodegroup
            .as_deref()
            .and_then(|name| self.nodegroups.get(name).copied())
    }

    fn kubernetes_version(&self, group: Option<&'a Nodegroup>) -> Option<&'a str> {
        group
            .and_then(|g| g.version.as_deref())
            .or(self.cluster.version.as_deref())
    }

    fn dsr_facts(
        &self,
        group: Option<&'a Nodegroup>,
        windows_build: Option<&'a str>,
        instance_type: Option<&'a str>,
    ) -> DsrFacts<'a> {
        DsrFacts {
            ami_type: group.and_then(|g| g.ami_type.as_deref()),
            windows_build,
            kubernetes_version: self.kubernetes_version(group),
            nodegroup_kind: group.map(|g| g.kind),
            has_launch_template: group.and_then(launch_template_known),
            user_data: group.and_then(|g| g.user_data.as_ref()),
            service_count: self.cluster.service_count,
            cluster_name: Some(self.cluster.name.as_str()),
            nodegroup_name: group.map(|g| g.name.as_str()),
            instance_type: instance_type
                .or_else(|| group.and_then(|g| g.instance_types.first().map(String::as_str))),
        }
    }
}

/// Instance-type limits: the snapshot's own (from DescribeInstanceTypes) first, then the table —
/// without copying the table.
struct Limits<'a> {
    observed: HashMap<&'a str, &'a InstanceTypeLimits>,
    table: &'a InstanceTypeTable,
}

impl<'a> Limits<'a> {
    fn new(snapshot: &'a Snapshot, table: &'a InstanceTypeTable) -> Self {
        let observed = snapshot
            .instance_types
            .iter()
            .map(|l| (l.instance_type.as_str(), l))
            .collect();
        Self { observed, table }
    }

    fn get(&self, instance_type: &str) -> Option<&'a InstanceTypeLimits> {
        self.observed
            .get(instance_type)
            .copied()
            .or_else(|| self.table.get(instance_type))
    }
}

/// A managed nodegroup always comes back from `DescribeNodegroup` with a status and an AMI type; one
/// with neither was only listed by name (its describe call failed), so nothing is known about it.
pub fn nodegroup_described(group: &Nodegroup) -> bool {
    group.kind != NodegroupKind::Managed
        || group.status.is_some()
        || group.ami_type.is_some()
        || group.release_version.is_some()
        || group.launch_template.is_some()
}

/// Whether the nodegroup has a launch template, when that is known.
fn launch_template_known(group: &Nodegroup) -> Option<bool> {
    nodegroup_described(group).then_some(group.launch_template.is_some())
}

/// Capacity of `node` in `mode`, or why it is unknown.
fn node_capacity(
    table: &Limits<'_>,
    node: &Node,
    mode: IpMode,
    kubelet_max_pods: Option<u32>,
) -> Result<MaxPods, String> {
    let limits = table.get(&node.instance_type).ok_or_else(|| {
        format!(
            "instance type {} is not in the instance-type table: capacity unknown",
            node.instance_type
        )
    })?;
    let options = MaxPodsOptions {
        prefix_delegation: mode == IpMode::PrefixDelegation,
        custom_networking: false,
        kubelet_max_pods,
    };
    max_pods(limits, node.os, options).map_err(|e| e.to_string())
}

/// What every node row of one cluster shares, computed once: DSR assessments per (nodegroup,
/// Windows build) and capacities per (instance type, OS, mode, kubelet max-pods). A 10,000-node fleet
/// has a handful of each.
#[derive(Default)]
struct RowMemo<'a> {
    dsr: HashMap<(Option<&'a str>, Option<&'a str>), DsrAssessment>,
    capacity: HashMap<CapacityKey<'a>, Result<CapacityBrief, String>>,
}

/// (instance type, OS, IP mode, kubelet max-pods).
type CapacityKey<'a> = (&'a str, Os, IpMode, Option<u32>);

/// The parts of `MaxPods` a row shows.
#[derive(Clone)]
struct CapacityBrief {
    ip_capacity: u32,
    max_pods: u32,
    warnings: Vec<String>,
}

fn node_row<'a>(
    ctx: &ClusterContext<'a>,
    table: &Limits<'_>,
    node: &'a Node,
    memo: &mut RowMemo<'a>,
) -> (NodeRow, Option<DsrAssessment>) {
    let group = ctx.nodegroup(node);
    let held = node_held(node);
    let kubelet_max_pods = group
        .and_then(|g| g.user_data.as_ref())
        .and_then(|u| u.kubelet_max_pods);
    let mut warnings = Vec::new();
    let capacity = memo
        .capacity
        .entry((
            node.instance_type.as_str(),
            node.os,
            held.ip_mode,
            kubelet_max_pods,
        ))
        .or_insert_with(|| {
            node_capacity(table, node, held.ip_mode, kubelet_max_pods).map(|m| CapacityBrief {
                ip_capacity: m.ip_capacity,
                max_pods: m.recommended_max_pods,
                warnings: m.warnings,
            })
        });
    let capacity = match capacity {
        Ok(brief) => {
            warnings.extend(brief.warnings.iter().cloned());
            Some(brief.clone())
        }
        Err(message) => {
            warnings.push(message.clone());
            None
        }
    };
    if node.os == Os::Windows
        && node
            .enis
            .iter()
            .filter(|e| !eni_carries_pod_ips(node.os, e, node.enis.len() == 1))
            .any(|e| eni_held_ips(e) > 0)
    {
        warnings.push("secondary IPs or prefixes on a non-primary ENI: Windows pods use only the primary ENI (BPG windows/networking)".into());
    }
    if let (Some(capacity), true) = (&capacity, held.held_ips > 0)
        && held.held_ips > capacity.ip_capacity
    {
        warnings.push(format!(
            "holds {} pod IPs, more than the {} capacity: mixed modes or a changed instance type?",
            held.held_ips, capacity.ip_capacity
        ));
    }
    if node.nodegroup.is_some() && group.is_none() {
        warnings.push(format!(
            "nodegroup {} was not described in this snapshot",
            node.nodegroup.as_deref().unwrap_or("")
        ));
    }
    let assessment = (node.os == Os::Windows).then(|| {
        let key = (node.nodegroup.as_deref(), node.windows_build.as_deref());
        memo.dsr
            .entry(key)
            .or_insert_with(|| {
                dsr::dsr_status(&ctx.dsr_facts(
                    group,
                    node.windows_build.as_deref(),
                    Some(node.instance_type.as_str()),
                ))
            })
            .clone()
    });
    let row = NodeRow {
        cluster: ctx.cluster.name.clone(),
        region: ctx.cluster.region.clone(),
        account: ctx.account.clone(),
        nodegroup: node.nodegroup.clone(),
        nodegroup_kind: group.map(|g| g.kind),
        instance_id: node.instance_id.clone(),
        instance_type: node.instance_type.clone(),
        os: node.os,
        subnet_id: node.subnet_id.clone(),
        availability_zone: node.availability_zone.clone(),
        private_ip: node.private_ip.clone(),
        windows_build: node.windows_build.clone(),
        ip_mode: held.ip_mode,
        enis: u32::try_from(node.enis.len()).unwrap_or(u32::MAX),
        pod_enis: held.pod_enis,
        secondary_ips: held.secondary_ips,
        prefixes: held.prefixes,
        held_ips: held.held_ips,
        used_ips: node.pods_with_ips,
        ip_capacity: capacity.as_ref().map(|c| c.ip_capacity),
        max_pods: capacity.as_ref().map(|c| c.max_pods),
        kubelet_max_pods,
        dsr: assessment.as_ref().map(|a| a.status),
        dsr_reason: assessment.as_ref().map(|a| a.reason.clone()),
        dsr_evidence: assessment
            .as_ref()
            .map(|a| a.evidence.clone())
            .unwrap_or_default(),
        launch_time: node.launch_time.clone(),
        state: node.state.clone(),
        warnings,
    };
    (row, assessment)
}

// ---------------------------------------------------------------------------------------------
// Subnets
// ---------------------------------------------------------------------------------------------

fn reserved_ips(reservations: &[CidrReservation], kind: ReservationType) -> u64 {
    reservations
        .iter()
        .filter(|r| r.reservation_type == kind)
        .filter_map(|r| Ipv4Cidr::parse(&r.cidr).ok())
        .map(|c| c.size())
        .sum()
}

/// Per-subnet usage by the scanned nodes, gathered while walking nodes.
#[derive(Default)]
struct SubnetNodes {
    clusters: BTreeSet<String>,
    nodes: u32,
    prefix_delegation_nodes: u32,
    held_ips: u64,
}

fn subnet_row(subnet: &Subnet, usage_by_nodes: Option<&SubnetNodes>) -> SubnetRow {
    let cidr = Ipv4Cidr::parse(&subnet.cidr);
    let mut notes = Vec::new();
    let mut risk_reasons = Vec::new();
    let usage = match (&subnet.allocated_ips, &cidr) {
        (Some(_), Ok(_)) => {
            let state = SubnetState::from_snapshot(subnet);
            match subnet::analyze(&state) {
                Ok(usage) => Some(usage),
                Err(error) => {
                    notes.push(format!("/28 classification failed: {error}"));
                    None
                }
            }
        }
        (None, Ok(_)) => {
            notes.push("the subnet's allocated IPs were not read (DescribeNetworkInterfaces by subnet): /28 blocks unknown".into());
            None
        }
        (_, Err(error)) => {
            notes.push(format!("CIDR {} cannot be used: {error}", subnet.cidr));
            None
        }
    };
    let size = cidr.as_ref().ok().map(Ipv4Cidr::size);
    let usable_ips = cidr.as_ref().ok().map(Ipv4Cidr::aws_usable_ips);
    let free_ips = subnet
        .available_ip_count
        .map(u64::from)
        .or(usage.as_ref().map(|u| u.free_ips));
    if let (Some(reported), Some(usage)) = (subnet.available_ip_count, &usage)
        && u64::from(reported) != usage.free_ips
    {
        notes.push(format!(
            "AvailableIpAddressCount {reported} differs from the {} computed from the ENIs read: interfaces changed between calls?",
            usage.free_ips
        ));
    }
    let free_percent = match (free_ips, usable_ips) {
        (Some(free), Some(usable)) if usable > 0 => Some(free * 100 / usable),
        _ => None,
    };
    if let (Some(free), Some(percent)) = (free_ips, free_percent)
        && percent < LOW_FREE_IPS_PERCENT
    {
        risk_reasons.push(format!("only {free} free IPs ({percent}% of usable, below {LOW_FREE_IPS_PERCENT}%): scaling up can exhaust the subnet"));
    }
    let nodes = usage_by_nodes.map_or(0, |n| n.nodes);
    let pd_nodes = usage_by_nodes.map_or(0, |n| n.prefix_delegation_nodes);
    let prefix_reserved_ips = reserved_ips(&subnet.cidr_reservations, ReservationType::Prefix);
    let pd_in_use = pd_nodes > 0
        || prefix_reserved_ips > 0
        || subnet
            .allocated_prefixes
            .as_ref()
            .is_some_and(|p| !p.is_empty());
    let prefix_delegation_ready = usage.as_ref().map(|u| u.free_prefix_slots > 0);
    if let Some(usage) = &usage {
        let no_slot = usage.free_prefix_slots == 0;
        if no_slot && pd_in_use {
            risk_reasons.push(format!(
                "no free /28 block although {} IPs are free: new prefixes fail with InsufficientCidrBlocks (domain.md §4)",
                usage.free_ips
            ));
        } else if no_slot {
            notes.push("no free /28 block: prefix delegation would fail here (InsufficientCidrBlocks); reserve a CIDR for prefixes".into());
        }
        if let (Some(score), Some(band)) = (usage.fragmentation_score, usage.fragmentation_band)
            && !no_slot
            && matches!(band, FragmentationBand::High | FragmentationBand::Critical)
        {
            let text = format!(
                "fragmentation {score}% ({}): {} of the candidate /28 blocks cannot take a prefix",
                band.as_str(),
                usage.blocks.fragmented + usage.blocks.full
            );
            if pd_in_use {
                risk_reasons.push(text)
            } else {
                notes.push(text)
            }
        }
    }
    SubnetRow {
        subnet_id: subnet.subnet_id.clone(),
        region: subnet.region.clone(),
        account_id: subnet.account_id.clone(),
        vpc_id: subnet.vpc_id.clone(),
        availability_zone: subnet.availability_zone.clone(),
        cidr: subnet.cidr.clone(),
        size,
        usable_ips,
        free_ips,
        free_percent,
        reservations: subnet.cidr_reservations.clone(),
        prefix_reserved_ips,
        explicit_reserved_ips: reserved_ips(&subnet.cidr_reservations, ReservationType::Explicit),
        prefix_slots_free: usage.as_ref().map(|u| u.free_prefix_slots),
        fragmentation_score: usage.as_ref().and_then(|u| u.fragmentation_score),
        fragmentation_band: usage.as_ref().and_then(|u| u.fragmentation_band),
        prefix_delegation_ready,
        usage,
        clusters: usage_by_nodes
            .map(|n| n.clusters.iter().cloned().collect())
            .unwrap_or_default(),
        nodes,
        prefix_delegation_nodes: pd_nodes,
        node_held_ips: usage_by_nodes.map_or(0, |n| n.held_ips),
        at_risk: !risk_reasons.is_empty(),
        risk_reasons,
        notes,
    }
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

fn account_matches(error: &SourceError, cluster: &Cluster) -> bool {
    error.account.as_deref().is_none_or(|a| {
        cluster.account_id.as_deref() == Some(a) || cluster.account_label.as_deref() == Some(a)
    })
}

fn error_scope(error: &SourceError) -> ErrorScope {
    if error.cluster.is_some() {
        ErrorScope::Cluster
    } else if error.region.is_some() {
        ErrorScope::Region
    } else if error.account.is_some() {
        ErrorScope::Account
    } else {
        ErrorScope::Fleet
    }
}

/// Does `error` concern `cluster`? Cluster errors by name (+ region/account when given); region and
/// account errors concern every cluster inside them. Fleet-wide errors concern no card in particular.
fn error_hits(error: &SourceError, cluster: &Cluster) -> bool {
    let region_ok = error.region.as_deref().is_none_or(|r| r == cluster.region);
    match error_scope(error) {
        ErrorScope::Cluster => {
            error.cluster.as_deref() == Some(cluster.name.as_str())
                && region_ok
                && account_matches(error, cluster)
        }
        ErrorScope::Region | ErrorScope::Account => region_ok && account_matches(error, cluster),
        ErrorScope::Fleet => false,
    }
}

// ---------------------------------------------------------------------------------------------
// The analysis
// ---------------------------------------------------------------------------------------------

fn cluster_key(cluster: &Cluster) -> String {
    format!("{}/{}", cluster.region, cluster.name)
}

/// Analyse a snapshot. `table` is the embedded instance-type table; the snapshot's own
/// `instance_types` (from DescribeInstanceTypes) win over it.
pub fn analyze(snapshot: &Snapshot, table: &InstanceTypeTable) -> FleetView {
    let table = Limits::new(snapshot, table);
    let mut nodes = Vec::new();
    let mut nodegroups = Vec::new();
    let mut clusters = Vec::new();
    let mut subnet_nodes: HashMap<&str, SubnetNodes> = HashMap::new();
    let mut attached = vec![false; snapshot.errors.len()];

    for cluster in &snapshot.clusters {
        let ctx = ClusterContext::new(cluster);
        let key = cluster_key(cluster);
        let mut memo = RowMemo::default();
        // Node rows, grouped by nodegroup name (declared groups first, in snapshot order).
        let mut group_order: Vec<Option<&str>> = cluster
            .nodegroups
            .iter()
            .map(|g| Some(g.name.as_str()))
            .collect();
        let mut group_rows: HashMap<Option<&str>, Vec<usize>> = HashMap::new();
        let first_row = nodes.len();
        let mut cluster_subnets: BTreeSet<String> = cluster.subnet_ids.iter().cloned().collect();
        for group in &cluster.nodegroups {
            cluster_subnets.extend(group.subnet_ids.iter().cloned());
        }
        for node in &cluster.nodes {
            let (row, _) = node_row(&ctx, &table, node, &mut memo);
            let group_key = match node.nodegroup.as_deref() {
                Some(name) if ctx.nodegroups.contains_key(name) => Some(name),
                other => other,
            };
            if !group_rows.contains_key(&group_key) && !group_order.contains(&group_key) {
                group_order.push(group_key);
            }
            group_rows.entry(group_key).or_default().push(nodes.len());
            if let Some(subnet_id) = node.subnet_id.as_deref() {
                cluster_subnets.insert(subnet_id.to_string());
                let entry = subnet_nodes.entry(subnet_id).or_default();
                entry.clusters.insert(key.clone());
                entry.nodes += 1;
                entry.held_ips += u64::from(row.held_ips);
                if row.ip_mode == IpMode::PrefixDelegation {
                    entry.prefix_delegation_nodes += 1;
                }
            }
            nodes.push(row);
        }

        let mut cluster_ips = IpTotals::default();
        let mut cluster_dsr = DsrCounts::default();
        let mut worst_risk: Option<RiskLevel> = None;
        let mut group_count = 0;
        for group_key in group_order {
            let rows = group_rows.get(&group_key).map(Vec::as_slice).unwrap_or(&[]);
            let declared = group_key.and_then(|name| ctx.nodegroups.get(name).copied());
            let summary = nodegroup_summary(&ctx, declared, group_key, rows, &nodes);
            cluster_ips.merge(&summary.ips);
            cluster_dsr.merge(&summary.dsr_nodes);
            group_count += 1;
            nodegroups.push(summary);
        }
        for row in &nodes[first_row..] {
            if row.os == Os::Windows {
                let risk = node_port_risk(row, cluster.service_count);
                worst_risk = Some(match (worst_risk, risk) {
                    (Some(RiskLevel::High), _) | (_, RiskLevel::High) => RiskLevel::High,
                    (Some(RiskLevel::Unknown), _) | (_, RiskLevel::Unknown) => RiskLevel::Unknown,
                    _ => RiskLevel::Low,
                });
            }
        }
        cluster_ips.finish();
        cluster_dsr.finish();
        let mut errors = Vec::new();
        for (index, error) in snapshot.errors.iter().enumerate() {
            if error_hits(error, cluster) {
                attached[index] = true;
                errors.push(ScopedError {
                    scope: error_scope(error),
                    error: error.clone(),
                });
            }
        }
        let windows = nodes[first_row..]
            .iter()
            .filter(|n| n.os == Os::Windows)
            .count() as u32;
        let linux = (nodes.len() - first_row) as u32 - windows;
        clusters.push(ClusterSummary {
            name: cluster.name.clone(),
            region: cluster.region.clone(),
            account_id: cluster.account_id.clone(),
            account_label: cluster.account_label.clone(),
            version: cluster.version.clone(),
            platform_version: cluster.platform_version.clone(),
            status: cluster.status.clone(),
            vpc_id: cluster.vpc_id.clone(),
            nodes_windows: windows,
            nodes_linux: linux,
            nodegroups: group_count,
            ips: cluster_ips,
            subnet_ids: cluster_subnets.into_iter().collect(),
            subnets_at_risk: Vec::new(),
            dsr: cluster_dsr,
            service_count: cluster.service_count,
            port_exhaustion_risk: worst_risk,
            errors,
        });
    }

    let subnets: Vec<SubnetRow> = snapshot
        .subnets
        .iter()
        .map(|s| subnet_row(s, subnet_nodes.get(s.subnet_id.as_str())))
        .collect();
    let at_risk: HashMap<&str, bool> = subnets
        .iter()
        .map(|s| (s.subnet_id.as_str(), s.at_risk))
        .collect();
    for cluster in &mut clusters {
        cluster.subnets_at_risk = cluster
            .subnet_ids
            .iter()
            .filter(|id| at_risk.get(id.as_str()).copied().unwrap_or(false))
            .cloned()
            .collect();
    }

    let unattached_errors: Vec<ScopedError> = snapshot
        .errors
        .iter()
        .zip(&attached)
        .filter(|(_, attached)| !**attached)
        .map(|(error, _)| ScopedError {
            scope: error_scope(error),
            error: error.clone(),
        })
        .collect();

    let mut totals = FleetTotals {
        clusters: clusters.len() as u32,
        clusters_with_errors: clusters.iter().filter(|c| !c.errors.is_empty()).count() as u32,
        nodegroups: nodegroups.len() as u32,
        subnets: subnets.len() as u32,
        subnets_at_risk: subnets.iter().filter(|s| s.at_risk).count() as u32,
        errors: snapshot.errors.len() as u32,
        api_calls: snapshot.api_calls.values().sum(),
        ..FleetTotals::default()
    };
    let mut accounts = BTreeSet::new();
    let mut regions = BTreeSet::new();
    for cluster in &clusters {
        totals.nodes_windows += cluster.nodes_windows;
        totals.nodes_linux += cluster.nodes_linux;
        totals.ips.merge(&cluster.ips);
        totals.dsr.merge(&cluster.dsr);
        regions.insert(cluster.region.clone());
        if let Some(account) = cluster
            .account_id
            .clone()
            .or_else(|| cluster.account_label.clone())
        {
            accounts.insert(account);
        }
    }
    let service_counts: HashMap<(&str, &str), Option<u32>> = snapshot
        .clusters
        .iter()
        .map(|c| ((c.region.as_str(), c.name.as_str()), c.service_count))
        .collect();
    totals.windows_nodes_at_port_exhaustion_risk = nodes
        .iter()
        .filter(|n| n.os == Os::Windows)
        .filter(|n| {
            let services = service_counts
                .get(&(n.region.as_str(), n.cluster.as_str()))
                .copied()
                .flatten();
            node_port_risk(n, services) == RiskLevel::High
        })
        .count() as u32;
    totals.ips.finish();
    totals.dsr.finish();
    totals.accounts = accounts.into_iter().collect();
    totals.regions = regions.into_iter().collect();

    FleetView {
        collected_at: snapshot.collected_at.clone(),
        source: snapshot.source.clone(),
        totals,
        clusters,
        nodegroups,
        nodes,
        subnets,
        unattached_errors,
        api_calls: snapshot.api_calls.clone(),
        scan_duration_ms: snapshot.scan_duration_ms,
    }
}

/// BPG windows/networking: > 100 services and DSR not on → high (see `dsr::dsr_status`).
fn node_port_risk(row: &NodeRow, service_count: Option<u32>) -> RiskLevel {
    match (row.dsr, service_count) {
        (Some(DsrStatus::On), _) => RiskLevel::Low,
        (_, Some(n)) if n > dsr::PORT_EXHAUSTION_SERVICE_THRESHOLD => RiskLevel::High,
        (_, Some(_)) => RiskLevel::Low,
        (_, None) => RiskLevel::Unknown,
    }
}

fn nodegroup_summary(
    ctx: &ClusterContext<'_>,
    declared: Option<&Nodegroup>,
    name: Option<&str>,
    rows: &[usize],
    nodes: &[NodeRow],
) -> NodegroupSummary {
    let mut ips = IpTotals::default();
    let mut dsr_nodes = DsrCounts::default();
    let mut modes = BTreeSet::new();
    let mut instance_types: Vec<String> = declared
        .map(|g| g.instance_types.clone())
        .unwrap_or_default();
    let mut os_seen = BTreeSet::new();
    let mut builds = BTreeSet::new();
    for &index in rows {
        let Some(row) = nodes.get(index) else {
            continue;
        };
        ips.add(row);
        modes.insert(row.ip_mode);
        os_seen.insert(row.os);
        builds.insert(row.windows_build.clone());
        if let Some(status) = row.dsr {
            dsr_nodes.add(status);
        }
        if !instance_types.contains(&row.instance_type) {
            instance_types.push(row.instance_type.clone());
        }
    }
    ips.finish();
    dsr_nodes.finish();
    let os = declared.and_then(|g| g.os).or_else(|| {
        if os_seen.len() == 1 {
            os_seen.first().copied()
        } else {
            None
        }
    });
    let ip_modes: Vec<IpMode> = modes.into_iter().collect();
    let mut warnings = Vec::new();
    if ip_modes.len() > 1 {
        warnings.push("nodes in both secondary-IP and prefix mode: replace the nodegroup rather than mixing modes (BPG prefix-mode_windows)".into());
    }
    if os_seen.len() > 1 {
        warnings.push("Windows and Linux nodes in one group".into());
    }
    if name.is_some() && declared.is_none_or(|g| !nodegroup_described(g)) {
        warnings.push(
            "this group was not described by the scan (DescribeNodegroup failed or no ASG data): see the cluster's errors".into(),
        );
    }
    // The group's own DSR verdict: one Windows build across its nodes → use it, else the AMI family.
    let single_build = if builds.len() == 1 {
        builds.into_iter().next().flatten()
    } else {
        None
    };
    let dsr = (os == Some(Os::Windows)).then(|| {
        let first_type = rows
            .first()
            .and_then(|&i| nodes.get(i))
            .map(|n| n.instance_type.as_str());
        dsr::dsr_status(&ctx.dsr_facts(declared, single_build.as_deref(), first_type))
    });
    NodegroupSummary {
        cluster: ctx.cluster.name.clone(),
        region: ctx.cluster.region.clone(),
        account: ctx.account.clone(),
        name: name.unwrap_or(UNGROUPED).to_string(),
        kind: declared.map_or(NodegroupKind::Ungrouped, |g| g.kind),
        os,
        ami_type: declared.and_then(|g| g.ami_type.clone()),
        release_version: declared.and_then(|g| g.release_version.clone()),
        kubernetes_version: ctx.kubernetes_version(declared).map(str::to_string),
        instance_types,
        capacity_type: declared.and_then(|g| g.capacity_type.clone()),
        scaling: declared.and_then(|g| g.scaling),
        subnet_ids: declared.map(|g| g.subnet_ids.clone()).unwrap_or_default(),
        launch_template: declared.and_then(|g| g.launch_template.clone()),
        status: declared.and_then(|g| g.status.clone()),
        ip_mode: if ip_modes.len() == 1 {
            ip_modes.first().copied()
        } else {
            None
        },
        ip_modes,
        ips,
        kubelet_max_pods: declared
            .and_then(|g| g.user_data.as_ref())
            .and_then(|u| u.kubelet_max_pods),
        user_data: declared.and_then(|g| g.user_data.clone()),
        dsr,
        dsr_nodes,
        warnings,
    }
}

/// The node page: the row plus ENIs, the capacity explanation, DSR, its nodegroup and subnet.
/// `None` when no node has this instance id.
pub fn node_detail(
    snapshot: &Snapshot,
    table: &InstanceTypeTable,
    instance_id: &str,
) -> Option<NodeDetail> {
    let (cluster, node) = snapshot.clusters.iter().find_map(|c| {
        c.nodes
            .iter()
            .find(|n| n.instance_id == instance_id)
            .map(|n| (c, n))
    })?;
    let table = Limits::new(snapshot, table);
    let ctx = ClusterContext::new(cluster);
    let mut memo = RowMemo::default();
    let (row, dsr) = node_row(&ctx, &table, node, &mut memo);
    let only_eni = node.enis.len() == 1;
    let enis: Vec<EniRow> = node
        .enis
        .iter()
        .map(|eni| EniRow {
            eni_id: eni.eni_id.clone(),
            interface_type: eni.interface_type.clone(),
            device_index: eni.device_index,
            network_card_index: eni.network_card_index,
            subnet_id: eni.subnet_id.clone(),
            primary_ip: eni.primary_ip.clone(),
            secondary_ips: eni.secondary_ips.clone(),
            ipv4_prefixes: eni.ipv4_prefixes.clone(),
            carries_pod_ips: eni_carries_pod_ips(node.os, eni, only_eni),
            held_ips: eni_held_ips(eni),
        })
        .collect();
    let which = match node.os {
        Os::Windows => "Windows: primary ENI (device index 0) only",
        Os::Linux => "Linux: every ENI of type interface",
    };
    let held_explanation = Explanation::new(
        format!(
            "{} secondary IPs + 16 × {} prefixes = {} held pod IPs",
            row.secondary_ips, row.prefixes, row.held_ips
        ),
        SRC_HELD,
    )
    .input("ENIs attached", row.enis)
    .input(
        "ENIs carrying pod IPs",
        format!("{} ({which})", row.pod_enis),
    )
    .input("IP mode", row.ip_mode.as_str());
    let held_explanation = match row.used_ips {
        Some(used) => held_explanation.input("pods with a VPC IP", used),
        None => held_explanation
            .cap("pods using those IPs: unknown (needs Kubernetes access), never estimated"),
    };
    let group = ctx.nodegroup(node);
    let (capacity, capacity_error) =
        match node_capacity(&table, node, row.ip_mode, row.kubelet_max_pods) {
            Ok(c) => (Some(c), None),
            Err(e) => (None, Some(e)),
        };
    let group_rows: Vec<NodeRow> = match node.nodegroup.as_deref() {
        Some(name) => cluster
            .nodes
            .iter()
            .filter(|n| n.nodegroup.as_deref() == Some(name))
            .map(|n| node_row(&ctx, &table, n, &mut memo).0)
            .collect(),
        None => Vec::new(),
    };
    let nodegroup = node.nodegroup.as_deref().map(|name| {
        let indexes: Vec<usize> = (0..group_rows.len()).collect();
        nodegroup_summary(&ctx, group, Some(name), &indexes, &group_rows)
    });
    let subnet = node
        .subnet_id
        .as_deref()
        .and_then(|id| snapshot.subnet(id))
        .map(|s| {
            let mut by_nodes = SubnetNodes::default();
            for c in &snapshot.clusters {
                for n in c.nodes.iter().filter(|n| n.subnet_id == node.subnet_id) {
                    let held = node_held(n);
                    by_nodes.clusters.insert(cluster_key(c));
                    by_nodes.nodes += 1;
                    by_nodes.held_ips += u64::from(held.held_ips);
                    if held.ip_mode == IpMode::PrefixDelegation {
                        by_nodes.prefix_delegation_nodes += 1;
                    }
                }
            }
            subnet_row(s, Some(&by_nodes))
        });
    Some(NodeDetail {
        node: row,
        enis,
        held_explanation,
        capacity,
        capacity_error,
        limits: table.get(&node.instance_type).cloned(),
        dsr,
        nodegroup,
        subnet,
    })
}

/// One Windows nodegroup on the DSR board, with its nodes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DsrBoardRow {
    pub cluster: String,
    pub region: String,
    pub account: Option<String>,
    pub nodegroup: String,
    pub kind: NodegroupKind,
    pub ami_type: Option<String>,
    pub instance_types: Vec<String>,
    pub kubernetes_version: Option<String>,
    pub service_count: Option<u32>,
    /// The nodegroup-level verdict with evidence, port-exhaustion risk and the fix.
    pub assessment: DsrAssessment,
    pub node_counts: DsrCounts,
    pub nodes: Vec<DsrBoardNode>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DsrBoardNode {
    pub instance_id: String,
    pub instance_type: String,
    pub windows_build: Option<String>,
    pub status: DsrStatus,
    pub reason: String,
}

/// The DSR board: every Windows nodegroup across clusters (worst first: off, unknown, on).
pub fn dsr_board(view: &FleetView) -> Vec<DsrBoardRow> {
    let mut by_group: HashMap<(&str, &str, &str), Vec<DsrBoardNode>> = HashMap::new();
    for node in view.nodes.iter().filter(|n| n.os == Os::Windows) {
        let group = node.nodegroup.as_deref().unwrap_or(UNGROUPED);
        by_group
            .entry((node.region.as_str(), node.cluster.as_str(), group))
            .or_default()
            .push(DsrBoardNode {
                instance_id: node.instance_id.clone(),
                instance_type: node.instance_type.clone(),
                windows_build: node.windows_build.clone(),
                status: node.dsr.unwrap_or(DsrStatus::Unknown),
                reason: node.dsr_reason.clone().unwrap_or_default(),
            });
    }
    let services: HashMap<(&str, &str), Option<u32>> = view
        .clusters
        .iter()
        .map(|c| ((c.region.as_str(), c.name.as_str()), c.service_count))
        .collect();
    let mut rows: Vec<DsrBoardRow> = view
        .nodegroups
        .iter()
        .filter_map(|g| {
            let assessment = g.dsr.clone()?;
            let nodes = by_group
                .remove(&(g.region.as_str(), g.cluster.as_str(), g.name.as_str()))
                .unwrap_or_default();
            Some(DsrBoardRow {
                cluster: g.cluster.clone(),
                region: g.region.clone(),
                account: g.account.clone(),
                nodegroup: g.name.clone(),
                kind: g.kind,
                ami_type: g.ami_type.clone(),
                instance_types: g.instance_types.clone(),
                kubernetes_version: g.kubernetes_version.clone(),
                service_count: services
                    .get(&(g.region.as_str(), g.cluster.as_str()))
                    .copied()
                    .flatten(),
                assessment,
                node_counts: g.dsr_nodes,
                nodes,
            })
        })
        .collect();
    rows.sort_by(|a, b| {
        (a.assessment.status, &a.region, &a.cluster, &a.nodegroup).cmp(&(
            b.assessment.status,
            &b.region,
            &b.cluster,
            &b.nodegroup,
        ))
    });
    // Off first, then unknown, then on.
    rows.sort_by_key(|r| match r.assessment.status {
        DsrStatus::Off => 0,
        DsrStatus::Unknown => 1,
        DsrStatus::On => 2,
    });
    rows
}

/// Seconds since the Unix epoch for an RFC 3339 UTC time such as `2026-11-26T07:00:00Z`
/// (fractional seconds and `+hh:mm` offsets accepted). `None` if it does not parse.
pub fn rfc3339_to_unix_seconds(text: &str) -> Option<i64> {
    let text = text.trim();
    let (date, time) = text.split_once(['T', 't', ' '])?;
    let mut d = date.split('-');
    let year: i64 = d.next()?.parse().ok()?;
    let month: i64 = d.next()?.parse().ok()?;
    let day: i64 = d.next()?.parse().ok()?;
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let (clock, offset_seconds) = if let Some(clock) = time.strip_suffix(['Z', 'z']) {
        (clock, 0)
    } else {
        let at = time.rfind(['+', '-'])?;
        let (clock, offset) = time.split_at(at);
        let sign = if offset.starts_with('-') { -1 } else { 1 };
        let (h, m) = offset.get(1..)?.split_once(':')?;
        (
            clock,
            sign * (h.parse::<i64>().ok()? * 3600 + m.parse::<i64>().ok()? * 60),
        )
    };
    let mut t = clock.split(':');
    let hour: i64 = t.next()?.parse().ok()?;
    let minute: i64 = t.next()?.parse().ok()?;
    let second: i64 = t.next()?.split('.').next()?.parse().ok()?;
    // Days from civil (Howard Hinnant's algorithm).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + hour * 3600 + minute * 60 + second - offset_seconds)
}

// ---------------------------------------------------------------------------------------------
// API responses (`/api/v1`): one definition for the server and the frontend
// ---------------------------------------------------------------------------------------------

/// The background collector, as the fleet endpoints report it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ScanInfo {
    /// `idle`, `running`, `succeeded` or `failed`.
    pub phase: String,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    pub sources_done: u32,
    pub sources_total: Option<u32>,
    /// What the collector is reading right now.
    pub current: Option<String>,
    /// Why the last attempt to produce a snapshot failed, if it did.
    pub last_error: Option<String>,
}

/// `GET /api/v1/fleet`: the overview page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FleetOverview {
    pub source: SnapshotSource,
    /// The embedded demo fleet is shown (the UI shows its banner).
    pub demo: bool,
    pub collected_at: String,
    /// Seconds between `collected_at` and the server's clock; `None` if `collected_at` does not parse.
    pub data_age_seconds: Option<i64>,
    /// When this server installed the snapshot.
    pub loaded_at: Option<String>,
    pub scan: ScanInfo,
    pub totals: FleetTotals,
    pub clusters: Vec<ClusterSummary>,
    pub unattached_errors: Vec<ScopedError>,
    pub api_calls: BTreeMap<String, u64>,
    pub scan_duration_ms: Option<u64>,
}

/// `GET /api/v1/clusters/{region}/{name}`: the cluster page (nodes come paginated from `/nodes`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClusterDetail {
    pub cluster: ClusterSummary,
    pub service_ipv4_cidr: Option<String>,
    pub ip_family: Option<String>,
    /// `kube-system/amazon-vpc-cni` data and `aws-node` env as observed (`None`: not read, defaults assumed).
    pub windows_ipam_config: Option<BTreeMap<String, String>>,
    pub linux_ipam_env: Option<BTreeMap<String, String>>,
    pub nodegroups: Vec<NodegroupSummary>,
    pub subnets: Vec<SubnetRow>,
}

/// `GET /api/v1/nodes`: one page of node rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodePage {
    /// Rows matching the filters, before paging.
    pub total: usize,
    pub offset: usize,
    pub limit: usize,
    /// Totals over every matching row (not just this page).
    pub ips: IpTotals,
    pub nodes: Vec<NodeRow>,
}

/// `GET /api/v1/subnets`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubnetList {
    pub total: usize,
    pub at_risk: usize,
    pub subnets: Vec<SubnetRow>,
}

/// `GET /api/v1/subnets/{subnet_id}`: the row plus the /28 block map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubnetDetail {
    pub subnet: SubnetRow,
    /// `None` when the subnet's allocations were not read or do not parse (see `subnet.notes`).
    pub block_map: Option<BlockMap>,
}

/// `GET /api/v1/dsr`: the DSR board.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DsrBoard {
    /// Windows nodes by status, over the rows shown.
    pub totals: DsrCounts,
    pub windows_nodes_at_port_exhaustion_risk: u32,
    /// Windows nodegroups, off first, then unknown, then on.
    pub nodegroups: Vec<DsrBoardRow>,
}

impl DsrBoard {
    pub fn new(view: &FleetView, rows: Vec<DsrBoardRow>) -> Self {
        let mut totals = DsrCounts::default();
        for row in &rows {
            totals.merge(&row.node_counts);
        }
        totals.finish();
        let keys: BTreeSet<(&str, &str, &str)> = rows
            .iter()
            .map(|r| (r.region.as_str(), r.cluster.as_str(), r.nodegroup.as_str()))
            .collect();
        let services: HashMap<(&str, &str), Option<u32>> = view
            .clusters
            .iter()
            .map(|c| ((c.region.as_str(), c.name.as_str()), c.service_count))
            .collect();
        let at_risk = view
            .nodes
            .iter()
            .filter(|n| n.os == Os::Windows)
            .filter(|n| {
                keys.contains(&(
                    n.region.as_str(),
                    n.cluster.as_str(),
                    n.nodegroup.as_deref().unwrap_or(UNGROUPED),
                ))
            })
            .filter(|n| {
                let services = services
                    .get(&(n.region.as_str(), n.cluster.as_str()))
                    .copied()
                    .flatten();
                node_port_risk(n, services) == RiskLevel::High
            })
            .count() as u32;
        Self {
            totals,
            windows_nodes_at_port_exhaustion_risk: at_risk,
            nodegroups: rows,
        }
    }
}

/// The cluster page's data; `None` when the snapshot has no such cluster.
pub fn cluster_detail(
    snapshot: &Snapshot,
    view: &FleetView,
    region: &str,
    name: &str,
) -> Option<ClusterDetail> {
    let cluster = snapshot.cluster(region, name)?;
    let summary = view.cluster(region, name)?.clone();
    let nodegroups = view
        .nodegroups
        .iter()
        .filter(|g| g.region == region && g.cluster == name)
        .cloned()
        .collect();
    let wanted: BTreeSet<&str> = summary.subnet_ids.iter().map(String::as_str).collect();
    let subnets = view
        .subnets
        .iter()
        .filter(|s| wanted.contains(s.subnet_id.as_str()))
        .cloned()
        .collect();
    Some(ClusterDetail {
        cluster: summary,
        service_ipv4_cidr: cluster.service_ipv4_cidr.clone(),
        ip_family: cluster.ip_family.clone(),
        windows_ipam_config: cluster.windows_ipam_config.clone(),
        linux_ipam_env: cluster.linux_ipam_env.clone(),
        nodegroups,
        subnets,
    })
}

/// The /28 block map of a subnet (`shared::subnet`), when its allocations were read.
pub fn subnet_block_map(subnet: &Subnet) -> Option<BlockMap> {
    subnet.allocated_ips.as_ref()?;
    let state = SubnetState::from_snapshot(subnet);
    subnet::ParsedSubnet::parse(&state)
        .ok()
        .map(|parsed| parsed.block_map())
}

/// Totals over a set of rows (a filtered node list).
pub fn ip_totals<'a>(rows: impl IntoIterator<Item = &'a NodeRow>) -> IpTotals {
    let mut totals = IpTotals::default();
    for row in rows {
        totals.add(row);
    }
    totals.finish();
    totals
}

/// RFC 3339 UTC (`2026-11-26T07:00:00Z`) for seconds since the Unix epoch.
pub fn unix_seconds_to_rfc3339(seconds: i64) -> String {
    let days = seconds.div_euclid(86_400);
    let rest = seconds.rem_euclid(86_400);
    // Civil from days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

#[cfg(test)]
mod tests;
