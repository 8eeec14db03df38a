//! What-if: a nodegroup scenario → capacity, held IPs, subnet consumption, warnings.
//!
//! The contract between the frontend (recomputes in the browser as sliders move), the server
//! (`POST /api/v1/what-if` with a `Scenario` JSON body) and the CLI. Every number comes from
//! `maxpods`, `warm` and `subnet`; this module only combines them.

use crate::explain::Explanation;
use crate::limits::{InstanceTypeLimits, InstanceTypeTable};
use crate::maxpods::{
    CALC_CAP_LARGE, IpMode, MaxPods, MaxPodsError, MaxPodsOptions, Os,
    WINDOWS_DEFAULT_KUBELET_MAX_PODS, max_pods,
};
use crate::subnet::{
    BLOCK_SIZE, FragmentationBand, Ipv4Cidr, ParsedSubnet, SubnetError, SubnetState, SubnetUsage,
};
use crate::warm::{
    HeldAddresses, HeldCounts, LinuxWarmInput, LinuxWarmSettings, WarmPool, WindowsWarmInput,
    WindowsWarmSettings,
};
use serde::{Deserialize, Serialize};

/// Largest node count accepted (a nodegroup of more is a typo, not a plan).
pub const MAX_NODE_COUNT: u32 = 100_000;
/// Largest pods-per-node accepted.
pub const MAX_PODS_PER_NODE: u32 = 10_000;
/// Largest absolute warm-target value accepted from a slider or URL.
pub const MAX_WARM_TARGET: i64 = 100_000;
/// Largest kubelet `--max-pods` accepted.
pub const MAX_KUBELET_MAX_PODS: u32 = 10_000;
/// Host-network pods on a Linux node that count against kubelet max-pods but take no VPC IP
/// (aws-node, kube-proxy: the "+2" in `ENIs × (IPs − 1) + 2`, VPC CNI README).
pub const LINUX_HOST_NETWORK_PODS: u32 = 2;
/// A subnet more than this percent used after the change gets a warning.
pub const SUBNET_HIGH_USE_PERCENT: u32 = 90;

/// A nodegroup to evaluate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scenario {
    pub instance_type: String,
    pub os: Os,
    pub node_count: u32,
    /// Pods per node that need a VPC IP (not hostNetwork).
    pub pods_per_node: u32,
    #[serde(default)]
    pub prefix_delegation: bool,
    /// Linux only: ENIConfig custom networking (the primary ENI carries no pod IPs).
    #[serde(default)]
    pub custom_networking: bool,
    /// kubelet `--max-pods`; `None` = the default (Windows 110; Linux the max-pods-calculator value).
    #[serde(default)]
    pub kubelet_max_pods: Option<u32>,
    /// Windows `amazon-vpc-cni` ConfigMap targets as raw slider values.
    #[serde(default)]
    pub windows_warm: WindowsWarmInput,
    /// Linux `aws-node` targets as raw slider values.
    #[serde(default)]
    pub linux_warm: LinuxWarmInput,
    /// Subnets the nodes spread over (round-robin, as an ASG balances AZs). They describe the address
    /// space *without* this nodegroup's nodes. Empty: subnet consumption is not checked.
    #[serde(default)]
    pub subnets: Vec<SubnetState>,
    /// For a real nodegroup: pods per node as observed, one entry per node (length = `node_count`).
    /// Overrides `pods_per_node` for the totals.
    #[serde(default)]
    pub observed_pods: Option<Vec<u32>>,
}

impl Default for Scenario {
    /// The what-if page's starting point: a small Windows nodegroup on m5.large.
    fn default() -> Self {
        Self {
            instance_type: "m5.large".into(),
            os: Os::Windows,
            node_count: 3,
            pods_per_node: 8,
            prefix_delegation: false,
            custom_networking: false,
            kubelet_max_pods: None,
            windows_warm: WindowsWarmInput::default(),
            linux_warm: LinuxWarmInput::default(),
            subnets: Vec::new(),
            observed_pods: None,
        }
    }
}

/// Why a scenario cannot be evaluated. Each message says what to change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WhatIfError {
    #[error("unknown instance type `{instance_type}`{}", suggestion_text(.suggestions))]
    UnknownInstanceType {
        instance_type: String,
        suggestions: Vec<String>,
    },
    #[error("{0}")]
    MaxPods(#[from] MaxPodsError),
    #[error("node_count {node_count} is too large: at most {MAX_NODE_COUNT} nodes per scenario")]
    TooManyNodes { node_count: u64 },
    #[error("pods_per_node {pods_per_node} is too large: at most {MAX_PODS_PER_NODE}")]
    TooManyPodsPerNode { pods_per_node: u64 },
    #[error(
        "kubelet_max_pods {value} is out of range: use 1 to {MAX_KUBELET_MAX_PODS}, or leave it empty for the default"
    )]
    KubeletMaxPodsOutOfRange { value: u64 },
    #[error(
        "{field} {value} is out of range: use −{MAX_WARM_TARGET} to {MAX_WARM_TARGET}, or leave it empty for the default"
    )]
    WarmTargetOutOfRange { field: &'static str, value: i64 },
    #[error(
        "observed_pods has {got} entries but node_count is {expected}: give one entry per node"
    )]
    ObservedPodsLength { expected: u32, got: usize },
    #[error("observed_pods[{index}] = {pods} is too large: at most {MAX_PODS_PER_NODE}")]
    ObservedPodsTooLarge { index: usize, pods: u32 },
    #[error("custom networking is a Linux feature (ENIConfig); turn it off for Windows nodes")]
    CustomNetworkingOnWindows,
    #[error(transparent)]
    Subnet(#[from] SubnetError),
    #[error("subnets {first} and {second} overlap: subnets in one VPC never do; fix one CIDR")]
    SubnetsOverlap { first: String, second: String },
}

fn suggestion_text(suggestions: &[String]) -> String {
    if suggestions.is_empty() {
        ": check the spelling (e.g. m5.large) or the instance-type table".to_string()
    } else {
        format!(": did you mean {}?", suggestions.join(", "))
    }
}

impl WhatIfError {
    /// Stable machine-readable code for API errors.
    /// The query key / form field the error is about, so the UI can mark it.
    pub fn field(&self) -> &'static str {
        match self {
            WhatIfError::UnknownInstanceType { .. }
            | WhatIfError::MaxPods(MaxPodsError::WindowsNeedsX86 { .. }) => {
                query_keys::INSTANCE_TYPE
            }
            WhatIfError::MaxPods(MaxPodsError::CustomNetworkingOnWindows)
            | WhatIfError::CustomNetworkingOnWindows => query_keys::CUSTOM_NETWORKING,
            WhatIfError::TooManyNodes { .. } => query_keys::NODES,
            WhatIfError::TooManyPodsPerNode { .. } => query_keys::PODS_PER_NODE,
            WhatIfError::KubeletMaxPodsOutOfRange { .. } => query_keys::KUBELET_MAX_PODS,
            WhatIfError::WarmTargetOutOfRange { field, .. } => field,
            WhatIfError::ObservedPodsLength { .. } | WhatIfError::ObservedPodsTooLarge { .. } => {
                "observed_pods"
            }
            WhatIfError::Subnet(_) | WhatIfError::SubnetsOverlap { .. } => query_keys::SUBNET,
        }
    }

    /// Stable machine-readable code for API errors.
    pub fn code(&self) -> &'static str {
        match self {
            WhatIfError::UnknownInstanceType { .. } => "unknown_instance_type",
            WhatIfError::MaxPods(MaxPodsError::WindowsNeedsX86 { .. }) => "windows_needs_x86_64",
            WhatIfError::MaxPods(MaxPodsError::CustomNetworkingOnWindows)
            | WhatIfError::CustomNetworkingOnWindows => "custom_networking_on_windows",
            WhatIfError::TooManyNodes { .. }
            | WhatIfError::TooManyPodsPerNode { .. }
            | WhatIfError::KubeletMaxPodsOutOfRange { .. }
            | WhatIfError::WarmTargetOutOfRange { .. }
            | WhatIfError::ObservedPodsLength { .. }
            | WhatIfError::ObservedPodsTooLarge { .. } => "out_of_range",
            WhatIfError::Subnet(_) | WhatIfError::SubnetsOverlap { .. } => "invalid_subnet",
        }
    }
}

/// Stable warning codes (documented in the findings reference).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
pub enum WarningCode {
    /// Prefix delegation requested on a non-Nitro (Xen) type: secondary-IP mode stays.
    #[serde(rename = "WHATIF001")]
    PrefixDelegationOnXen,
    /// Not enough free contiguous /28 blocks in a subnet for the prefixes needed.
    #[serde(rename = "WHATIF002")]
    NotEnoughContiguousBlocks,
    /// A subnet runs out of free IPs.
    #[serde(rename = "WHATIF003")]
    SubnetExhausted,
    /// kubelet max-pods is below the pod-IP capacity: the kubelet, not IPs, limits pods.
    #[serde(rename = "WHATIF004")]
    KubeletCapBelowIpCapacity,
    /// More pods per node requested than fit: the rest stay Pending.
    #[serde(rename = "WHATIF005")]
    PodsExceedCapacity,
    /// No subnet given: subnet consumption not checked.
    #[serde(rename = "WHATIF006")]
    NoSubnet,
    /// A subnet is highly fragmented for /28 prefixes.
    #[serde(rename = "WHATIF007")]
    SubnetFragmented,
    /// A subnet will be more than 90 % used.
    #[serde(rename = "WHATIF008")]
    SubnetNearlyFull,
    /// Custom networking: pod IPs come from the ENIConfig subnets.
    #[serde(rename = "WHATIF009")]
    CustomNetworkingSubnets,
    /// Warm targets were defaulted or overridden by the controller rules.
    #[serde(rename = "WHATIF010")]
    WarmTargetsAdjusted,
}

impl WarningCode {
    pub fn as_str(self) -> &'static str {
        match self {
            WarningCode::PrefixDelegationOnXen => "WHATIF001",
            WarningCode::NotEnoughContiguousBlocks => "WHATIF002",
            WarningCode::SubnetExhausted => "WHATIF003",
            WarningCode::KubeletCapBelowIpCapacity => "WHATIF004",
            WarningCode::PodsExceedCapacity => "WHATIF005",
            WarningCode::NoSubnet => "WHATIF006",
            WarningCode::SubnetFragmented => "WHATIF007",
            WarningCode::SubnetNearlyFull => "WHATIF008",
            WarningCode::CustomNetworkingSubnets => "WHATIF009",
            WarningCode::WarmTargetsAdjusted => "WHATIF010",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Critical,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WhatIfWarning {
    pub code: WarningCode,
    pub severity: Severity,
    pub message: String,
    /// The subnet the warning is about, if any.
    #[serde(default)]
    pub subnet: Option<String>,
}

/// Resolved warm settings, per OS.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "os", rename_all = "lowercase")]
pub enum ResolvedWarm {
    Windows(WindowsWarmSettings),
    Linux(LinuxWarmSettings),
}

/// One node with `pods_per_node` pods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeFigures {
    pub pods_requested: u32,
    /// Pod IPs the node can hold (Windows: PrivateIPv4Address capacity; Linux: without host pods).
    pub ip_capacity: u32,
    /// kubelet max-pods in force (given, or the default).
    pub kubelet_max_pods: u32,
    /// IP-consuming pods that fit: min(ip_capacity, kubelet limit for IP pods).
    pub pods_that_fit: u32,
    /// min(requested, fit).
    pub pods_scheduled: u32,
    /// requested − scheduled.
    pub pods_pending: u32,
    #[serde(flatten)]
    pub held: HeldCounts,
}

/// The whole nodegroup.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FleetTotals {
    pub nodes: u32,
    pub pods_requested: u64,
    /// nodes × pods_that_fit.
    pub pod_capacity: u64,
    pub pods_scheduled: u64,
    pub pods_pending: u64,
    /// Nodes with more pods requested than fit.
    pub nodes_over_capacity: u32,
    pub enis: u64,
    pub held_ips: u64,
    pub held_prefixes: u64,
    pub warm_ips: u64,
    /// Primary IPs (one per ENI) + held IPs: what the nodegroup takes from its subnets.
    pub subnet_ips: u64,
}

/// One subnet before and after the nodegroup lands in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubnetImpact {
    pub subnet_id: Option<String>,
    pub cidr: Ipv4Cidr,
    /// Nodes placed here (round-robin).
    pub nodes: u32,
    /// Individual addresses needed: ENI primary IPs plus secondary IPs.
    pub ips_needed: u64,
    /// /28 prefixes needed (each a free, aligned block).
    pub prefixes_needed: u64,
    /// Every address needed: ips_needed + 16 × prefixes_needed.
    pub addresses_needed: u64,
    pub before: SubnetUsage,
    pub free_ips_after: u64,
    pub ip_shortfall: u64,
    /// New /28 prefixes that still fit afterwards (best case: /32s fill scattered free IPs first).
    pub free_prefix_slots_after: u64,
    pub prefix_shortfall: u64,
    pub enough_ips: bool,
    pub enough_contiguous_blocks: bool,
    /// Percent of usable addresses allocated, rounded up.
    pub used_percent_before: u32,
    pub used_percent_after: u32,
    pub explanation: Explanation,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamedExplanation {
    /// What the explanation is about: `max_pods`, `held`, `pods_that_fit`, `subnets`.
    pub topic: String,
    pub explanation: Explanation,
}

/// Everything the what-if page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WhatIfResult {
    pub instance_type: String,
    pub os: Os,
    pub prefix_delegation_requested: bool,
    /// The mode in effect.
    pub mode: IpMode,
    pub max_pods: MaxPods,
    pub warm: ResolvedWarm,
    /// The warm-pool rule in force on this type.
    pub pool: WarmPool,
    /// One node with `pods_per_node` pods.
    pub per_node: NodeFigures,
    /// Held addresses with their explanation, for one node with `pods_per_node` pods.
    pub per_node_held: HeldAddresses,
    pub totals: FleetTotals,
    pub subnets: Vec<SubnetImpact>,
    pub warnings: Vec<WhatIfWarning>,
    pub explanations: Vec<NamedExplanation>,
}

impl WhatIfResult {
    pub fn has_warning(&self, code: WarningCode) -> bool {
        self.warnings.iter().any(|w| w.code == code)
    }
}

fn check_warm(field: &'static str, value: Option<i64>) -> Result<(), WhatIfError> {
    match value {
        Some(v) if v.unsigned_abs() > MAX_WARM_TARGET.unsigned_abs() => {
            Err(WhatIfError::WarmTargetOutOfRange { field, value: v })
        }
        _ => Ok(()),
    }
}

fn validate(scenario: &Scenario) -> Result<(), WhatIfError> {
    if scenario.node_count > MAX_NODE_COUNT {
        return Err(WhatIfError::TooManyNodes {
            node_count: u64::from(scenario.node_count),
        });
    }
    if scenario.pods_per_node > MAX_PODS_PER_NODE {
        return Err(WhatIfError::TooManyPodsPerNode {
            pods_per_node: u64::from(scenario.pods_per_node),
        });
    }
    if let Some(value) = scenario.kubelet_max_pods
        && !(1..=MAX_KUBELET_MAX_PODS).contains(&value)
    {
        return Err(WhatIfError::KubeletMaxPodsOutOfRange {
            value: u64::from(value),
        });
    }
    let w = &scenario.windows_warm;
    check_warm(query_keys::WIN_WARM_IP_TARGET, w.warm_ip_target)?;
    check_warm(query_keys::WIN_MINIMUM_IP_TARGET, w.minimum_ip_target)?;
    check_warm(query_keys::WIN_WARM_PREFIX_TARGET, w.warm_prefix_target)?;
    let l = &scenario.linux_warm;
    check_warm(query_keys::LINUX_WARM_ENI_TARGET, l.warm_eni_target)?;
    check_warm(query_keys::LINUX_WARM_IP_TARGET, l.warm_ip_target)?;
    check_warm(query_keys::LINUX_MINIMUM_IP_TARGET, l.minimum_ip_target)?;
    check_warm(query_keys::LINUX_WARM_PREFIX_TARGET, l.warm_prefix_target)?;
    if let Some(observed) = &scenario.observed_pods {
        if observed.len() != scenario.node_count as usize {
            return Err(WhatIfError::ObservedPodsLength {
                expected: scenario.node_count,
                got: observed.len(),
            });
        }
        if let Some((index, &pods)) = observed
            .iter()
            .enumerate()
            .find(|(_, p)| **p > MAX_PODS_PER_NODE)
        {
            return Err(WhatIfError::ObservedPodsTooLarge { index, pods });
        }
    }
    if scenario.os == Os::Windows && scenario.custom_networking {
        return Err(WhatIfError::CustomNetworkingOnWindows);
    }
    Ok(())
}

fn percent_ceil(part: u64, whole: u64) -> u32 {
    if whole == 0 {
        0
    } else {
        u32::try_from((part.saturating_mul(100)).div_ceil(whole)).unwrap_or(u32::MAX)
    }
}

/// The per-node numbers that do not depend on the pod count.
struct NodeModel {
    pool: WarmPool,
    ip_capacity: u32,
    kubelet_max_pods: u32,
    pods_that_fit: u32,
}

impl NodeModel {
    fn figures(&self, pods: u32) -> NodeFigures {
        let scheduled = pods.min(self.pods_that_fit);
        NodeFigures {
            pods_requested: pods,
            ip_capacity: self.ip_capacity,
            kubelet_max_pods: self.kubelet_max_pods,
            pods_that_fit: self.pods_that_fit,
            pods_scheduled: scheduled,
            pods_pending: pods - scheduled,
            held: self.pool.held(scheduled),
        }
    }
}

/// Per-subnet accumulator.
#[derive(Default, Clone, Copy)]
struct SubnetLoad {
    nodes: u32,
    ips: u64,
    prefixes: u64,
}

/// Evaluate a scenario against an instance-type table.
pub fn evaluate(
    scenario: &Scenario,
    table: &InstanceTypeTable,
) -> Result<WhatIfResult, WhatIfError> {
    validate(scenario)?;
    // EC2 instance-type names are lowercase; accept "M5.Large" from a hand-typed URL.
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
    let subnets = parse_subnets(&scenario.subnets)?;
    evaluate_prepared(scenario, limits, &subnets)
}

/// Parse and validate the scenario's subnets (also checks they do not overlap).
pub fn parse_subnets(states: &[SubnetState]) -> Result<Vec<ParsedSubnet>, WhatIfError> {
    let parsed = states
        .iter()
        .map(ParsedSubnet::parse)
        .collect::<Result<Vec<_>, _>>()?;
    for (i, a) in parsed.iter().enumerate() {
        for b in &parsed[i + 1..] {
            if a.cidr.overlaps(&b.cidr) {
                return Err(WhatIfError::SubnetsOverlap {
                    first: a.cidr.to_string(),
                    second: b.cidr.to_string(),
                });
            }
        }
    }
    Ok(parsed)
}

/// `evaluate` with the instance type looked up and the subnets parsed (the server and the bench
/// reuse parsed subnets across many scenarios).
pub fn evaluate_prepared(
    scenario: &Scenario,
    limits: &InstanceTypeLimits,
    subnets: &[ParsedSubnet],
) -> Result<WhatIfResult, WhatIfError> {
    validate(scenario)?;
    let options = MaxPodsOptions {
        prefix_delegation: scenario.prefix_delegation,
        custom_networking: scenario.custom_networking,
        kubelet_max_pods: scenario.kubelet_max_pods,
    };
    let max_pods = max_pods(limits, scenario.os, options)?;
    let mode = max_pods.mode;
    // kubelet default: Windows 110 (EKS-UG); Linux the max-pods-calculator value (labelled convention).
    let kubelet_max_pods = scenario.kubelet_max_pods.unwrap_or(match scenario.os {
        Os::Windows => WINDOWS_DEFAULT_KUBELET_MAX_PODS,
        Os::Linux => max_pods.recommended_max_pods,
    });
    let (pool, warm) = match scenario.os {
        Os::Windows => {
            let requested = if scenario.prefix_delegation {
                IpMode::PrefixDelegation
            } else {
                IpMode::SecondaryIp
            };
            let settings = WindowsWarmSettings::from_input(&scenario.windows_warm, requested);
            (
                WarmPool::windows(limits, &settings),
                ResolvedWarm::Windows(settings),
            )
        }
        Os::Linux => {
            let settings = LinuxWarmSettings::from_input(&scenario.linux_warm);
            (
                WarmPool::linux(
                    limits,
                    &settings,
                    scenario.prefix_delegation,
                    scenario.custom_networking,
                    kubelet_max_pods,
                ),
                ResolvedWarm::Linux(settings),
            )
        }
    };
    let ip_capacity = pool.ip_capacity;
    let kubelet_ip_pods = match scenario.os {
        Os::Windows => kubelet_max_pods,
        Os::Linux => kubelet_max_pods.saturating_sub(LINUX_HOST_NETWORK_PODS),
    };
    let pods_that_fit = ip_capacity.min(kubelet_ip_pods);
    let model = NodeModel {
        pool,
        ip_capacity,
        kubelet_max_pods,
        pods_that_fit,
    };

    // --- the fleet: per-node integer math, no allocation ---
    let subnet_count = subnets.len();
    let mut loads = vec![SubnetLoad::default(); subnet_count];
    let mut totals = FleetTotals {
        nodes: scenario.node_count,
        ..FleetTotals::default()
    };
    let nominal = model.figures(scenario.pods_per_node);
    let mut add_node = |index: usize, figures: &NodeFigures| {
        totals.pods_requested += u64::from(figures.pods_requested);
        totals.pods_scheduled += u64::from(figures.pods_scheduled);
        totals.pods_pending += u64::from(figures.pods_pending);
        totals.nodes_over_capacity += u32::from(figures.pods_pending > 0);
        totals.enis += u64::from(figures.held.enis);
        totals.held_ips += u64::from(figures.held.held_ips);
        totals.held_prefixes += u64::from(figures.held.held_prefixes);
        totals.warm_ips += u64::from(figures.held.warm_ips);
        totals.subnet_ips += u64::from(figures.held.subnet_ips);
        if subnet_count > 0 {
            let load = &mut loads[index % subnet_count];
            load.nodes += 1;
            load.prefixes += u64::from(figures.held.held_prefixes);
            // In PD mode the pod IPs are inside the prefixes; only ENI primaries are single addresses.
            load.ips +=
                u64::from(figures.held.subnet_ips - figures.held.held_prefixes * BLOCK_SIZE);
        }
    };
    match &scenario.observed_pods {
        Some(observed) => {
            for (index, &pods) in observed.iter().enumerate() {
                add_node(index, &model.figures(pods));
            }
        }
        None => {
            for index in 0..scenario.node_count as usize {
                add_node(index, &nominal);
            }
        }
    }
    totals.pod_capacity = u64::from(scenario.node_count) * u64::from(pods_that_fit);

    // --- warnings and explanations ---
    let mut warnings = Vec::new();
    if scenario.prefix_delegation && mode == IpMode::SecondaryIp {
        warnings.push(WhatIfWarning {
            code: WarningCode::PrefixDelegationOnXen,
            severity: Severity::Warning,
            message: format!(
                "prefix delegation needs a Nitro or bare-metal type; {} is {:?}, so the node stays in secondary-IP mode ({} pod IPs). Pick a Nitro type (e.g. m5) to use prefixes",
                limits.instance_type, limits.hypervisor, ip_capacity
            ),
            subnet: None,
        });
    }
    if kubelet_ip_pods < ip_capacity {
        warnings.push(WhatIfWarning {
            code: WarningCode::KubeletCapBelowIpCapacity,
            severity: Severity::Info,
            message: format!(
                "kubelet max-pods {kubelet_max_pods} caps the node at {kubelet_ip_pods} IP pods although it can hold {ip_capacity} pod IPs; raise --max-pods (e.g. -KubeletExtraArgs '--max-pods={ip_capacity}') to use them"
            ),
            subnet: None,
        });
    }
    if totals.pods_pending > 0 {
        warnings.push(WhatIfWarning {
            code: WarningCode::PodsExceedCapacity,
            severity: Severity::Critical,
            message: format!(
                "{} of {} nodes get more pods than fit ({pods_that_fit} per node): {} pods stay Pending; add nodes, a larger type{}",
                totals.nodes_over_capacity,
                totals.nodes,
                totals.pods_pending,
                if mode == IpMode::SecondaryIp && limits.is_nitro_or_bare_metal() { " or turn on prefix delegation" } else { "" }
            ),
            subnet: None,
        });
    }
    let warm_notes = match &warm {
        ResolvedWarm::Windows(s) => &s.notes,
        ResolvedWarm::Linux(s) => &s.notes,
    };
    let touched = match scenario.os {
        Os::Windows => !scenario.windows_warm.is_empty(),
        Os::Linux => !scenario.linux_warm.is_empty(),
    };
    if touched && !warm_notes.is_empty() {
        warnings.push(WhatIfWarning {
            code: WarningCode::WarmTargetsAdjusted,
            severity: Severity::Info,
            message: format!(
                "warm targets adjusted by the controller rules: {}",
                warm_notes.join("; ")
            ),
            subnet: None,
        });
    }
    if scenario.custom_networking {
        warnings.push(WhatIfWarning {
            code: WarningCode::CustomNetworkingSubnets,
            severity: Severity::Info,
            message: "custom networking: pod IPs come from the ENIConfig subnets; here every address is counted against the subnets given".into(),
            subnet: None,
        });
    }
    if subnets.is_empty() {
        warnings.push(WhatIfWarning {
            code: WarningCode::NoSubnet,
            severity: Severity::Info,
            message: "no subnet given: add one (e.g. subnet=10.0.0.0/24) to see how much of it the nodegroup takes".into(),
            subnet: None,
        });
    }

    let mut impacts = Vec::with_capacity(subnet_count);
    for (parsed, load) in subnets.iter().zip(&loads) {
        let impact = subnet_impact(parsed, *load);
        let label = parsed
            .subnet_id
            .clone()
            .unwrap_or_else(|| parsed.cidr.to_string());
        if !impact.enough_ips {
            warnings.push(WhatIfWarning {
                code: WarningCode::SubnetExhausted,
                severity: Severity::Critical,
                message: format!(
                    "subnet {label} runs out of IPs: {} needed, {} free ({} short); use a larger or an additional subnet, or lower the warm targets",
                    impact.addresses_needed, impact.before.free_ips, impact.ip_shortfall
                ),
                subnet: Some(label.clone()),
            });
        }
        if !impact.enough_contiguous_blocks {
            warnings.push(WhatIfWarning {
                code: WarningCode::NotEnoughContiguousBlocks,
                severity: Severity::Critical,
                message: format!(
                    "subnet {label} has {} free contiguous /28 blocks but {} prefixes are needed ({} short): expect InsufficientCidrBlocks; reserve space with a prefix CIDR reservation or use a new subnet",
                    impact.before.free_prefix_slots, impact.prefixes_needed, impact.prefix_shortfall
                ),
                subnet: Some(label.clone()),
            });
        }
        if mode == IpMode::PrefixDelegation
            && matches!(
                impact.before.fragmentation_band,
                Some(
                    FragmentationBand::High
                        | FragmentationBand::Critical
                        | FragmentationBand::Exhausted
                )
            )
        {
            warnings.push(WhatIfWarning {
                code: WarningCode::SubnetFragmented,
                severity: Severity::Warning,
                message: format!(
                    "subnet {label} is {}% fragmented ({}) for /28 prefixes: free IPs are scattered, prefix allocation may fail",
                    impact.before.fragmentation_score.unwrap_or(0),
                    impact.before.fragmentation_band.map_or("", FragmentationBand::as_str)
                ),
                subnet: Some(label.clone()),
            });
        }
        if impact.enough_ips && impact.used_percent_after > SUBNET_HIGH_USE_PERCENT {
            warnings.push(WhatIfWarning {
                code: WarningCode::SubnetNearlyFull,
                severity: Severity::Warning,
                message: format!(
                    "subnet {label} will be {}% used: little headroom for scaling, node replacement or other ENIs",
                    impact.used_percent_after
                ),
                subnet: Some(label),
            });
        }
        impacts.push(impact);
    }

    let per_node_held = model.pool.explain_held(nominal.pods_scheduled);
    let mut fit = Explanation::new(
        format!("min(pod IPs {ip_capacity}, kubelet limit {kubelet_ip_pods}) = {pods_that_fit} pods per node"),
        "domain.md §1.2 (effective limit), §3.1",
    )
    .input("kubelet max-pods", kubelet_max_pods)
    .input("pod IP capacity", ip_capacity);
    if scenario.os == Os::Linux {
        fit = fit.cap("Linux: 2 host-network pods (aws-node, kube-proxy) count against kubelet max-pods but take no VPC IP");
    }
    if scenario.kubelet_max_pods.is_none() {
        fit = fit.cap(match scenario.os {
            Os::Windows => "kubelet max-pods not given: the Windows default 110 (EKS user guide)".to_string(),
            Os::Linux => format!(
                "kubelet max-pods not given: the max-pods-calculator value {} (110, or {CALC_CAP_LARGE} above 30 vCPUs)",
                max_pods.recommended_max_pods
            ),
        });
    }
    let mut explanations = vec![
        NamedExplanation {
            topic: "max_pods".into(),
            explanation: max_pods.explanation.clone(),
        },
        NamedExplanation {
            topic: "pods_that_fit".into(),
            explanation: fit,
        },
        NamedExplanation {
            topic: "held".into(),
            explanation: per_node_held.explanation.clone(),
        },
    ];
    if !subnets.is_empty() {
        explanations.push(NamedExplanation {
            topic: "subnets".into(),
            explanation: Explanation::new(
                "nodes spread round-robin over the subnets; each node takes 1 primary IP per ENI + its held IPs; prefixes take free /28 blocks (prefix reservations first)",
                "domain.md §4; awslabs/aws-support-tools EKS/subnet-fragmentation",
            )
            .input("subnets", subnets.len())
            .input("subnet IPs for the nodegroup", totals.subnet_ips),
        });
    }

    Ok(WhatIfResult {
        instance_type: limits.instance_type.clone(),
        os: scenario.os,
        prefix_delegation_requested: scenario.prefix_delegation,
        mode,
        max_pods,
        warm,
        pool: model.pool,
        per_node: nominal,
        per_node_held,
        totals,
        subnets: impacts,
        warnings,
        explanations,
    })
}

/// How the nodegroup's load lands in one subnet (best case for /28s: single addresses go first to
/// free addresses outside free blocks, prefixes first into free prefix-reserved blocks).
fn subnet_impact(parsed: &ParsedSubnet, load: SubnetLoad) -> SubnetImpact {
    let before = parsed.usage().clone();
    let block = u64::from(BLOCK_SIZE);
    let addresses_needed = load.ips + load.prefixes * block;
    let free_ips_after = before.free_ips.saturating_sub(addresses_needed);
    let ip_shortfall = addresses_needed.saturating_sub(before.free_ips);

    // Prefixes: reserved free blocks first, then general free blocks.
    let reserved_slots = u64::from(before.free_prefix_slots_reserved);
    let general_slots = u64::from(before.blocks.free);
    let from_general = load
        .prefixes
        .saturating_sub(reserved_slots)
        .min(general_slots);
    let prefix_shortfall = load.prefixes.saturating_sub(reserved_slots + general_slots);
    // Single addresses: only outside reservations; scattered free addresses first, then free blocks.
    let unreserved_free = before
        .free_ips_unreserved
        .saturating_sub(from_general * block);
    let scattered_free = unreserved_free.saturating_sub((general_slots - from_general) * block);
    let blocks_eaten = load.ips.saturating_sub(scattered_free).div_ceil(block);
    let slots_left = (reserved_slots + general_slots)
        .saturating_sub(load.prefixes.min(reserved_slots + general_slots));
    let free_prefix_slots_after =
        slots_left.saturating_sub(blocks_eaten.min(general_slots - from_general));
    let single_ip_shortfall = load.ips.saturating_sub(unreserved_free);
    let ip_shortfall = ip_shortfall.max(single_ip_shortfall);

    let allocated_after = before.allocated_ips + addresses_needed.min(before.free_ips);
    let explanation = Explanation::new(
        format!(
            "{} nodes × (ENI primaries + held IPs) = {} single IPs + {} prefixes × 16 = {addresses_needed} addresses; free {} → {free_ips_after}",
            load.nodes, load.ips, load.prefixes, before.free_ips
        ),
        "domain.md §4; awslabs/aws-support-tools EKS/subnet-fragmentation",
    )
    .input("CIDR", before.cidr)
    .input("usable IPs (size − 5)", before.usable_ips)
    .input("free /28 blocks", before.free_prefix_slots)
    .input("free IPs outside reservations", before.free_ips_unreserved)
    .cap("best case for /28s: EC2 may place single IPs inside free blocks and leave fewer");
    SubnetImpact {
        subnet_id: parsed.subnet_id.clone(),
        cidr: parsed.cidr,
        nodes: load.nodes,
        ips_needed: load.ips,
        prefixes_needed: load.prefixes,
        addresses_needed,
        free_ips_after,
        ip_shortfall,
        free_prefix_slots_after,
        prefix_shortfall,
        enough_ips: ip_shortfall == 0,
        enough_contiguous_blocks: prefix_shortfall == 0,
        used_percent_before: percent_ceil(before.allocated_ips, before.usable_ips),
        used_percent_after: percent_ceil(allocated_after, before.usable_ips),
        before,
        explanation,
    }
}

/// Before/after deltas (after − before).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comparison {
    pub mode_before: IpMode,
    pub mode_after: IpMode,
    pub ip_capacity: i64,
    pub pods_that_fit_per_node: i64,
    pub held_ips_per_node: i64,
    pub held_prefixes_per_node: i64,
    pub subnet_ips_per_node: i64,
    pub pod_capacity: i64,
    pub pods_scheduled: i64,
    pub pods_pending: i64,
    pub held_ips: i64,
    pub held_prefixes: i64,
    pub subnet_ips: i64,
    /// Per subnet (matched by CIDR): change in free IPs and free /28 slots after the change.
    pub subnets: Vec<SubnetDelta>,
    /// Warning codes present only after / only before.
    pub warnings_added: Vec<WarningCode>,
    pub warnings_removed: Vec<WarningCode>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubnetDelta {
    pub cidr: Ipv4Cidr,
    pub free_ips_after: i64,
    pub free_prefix_slots_after: i64,
    pub addresses_needed: i64,
}

fn delta(before: u64, after: u64) -> i64 {
    i64::try_from(after)
        .unwrap_or(i64::MAX)
        .saturating_sub(i64::try_from(before).unwrap_or(i64::MAX))
}

/// Compare two results (e.g. the nodegroup today vs with prefix delegation).
pub fn compare(before: &WhatIfResult, after: &WhatIfResult) -> Comparison {
    let d32 = |b: u32, a: u32| i64::from(a) - i64::from(b);
    let subnets = after
        .subnets
        .iter()
        .filter_map(|a| {
            before
                .subnets
                .iter()
                .find(|b| b.cidr == a.cidr)
                .map(|b| SubnetDelta {
                    cidr: a.cidr,
                    free_ips_after: delta(b.free_ips_after, a.free_ips_after),
                    free_prefix_slots_after: delta(
                        b.free_prefix_slots_after,
                        a.free_prefix_slots_after,
                    ),
                    addresses_needed: delta(b.addresses_needed, a.addresses_needed),
                })
        })
        .collect();
    let codes = |r: &WhatIfResult| {
        let mut c: Vec<WarningCode> = r.warnings.iter().map(|w| w.code).collect();
        c.sort();
        c.dedup();
        c
    };
    let (codes_before, codes_after) = (codes(before), codes(after));
    Comparison {
        mode_before: before.mode,
        mode_after: after.mode,
        ip_capacity: d32(before.per_node.ip_capacity, after.per_node.ip_capacity),
        pods_that_fit_per_node: d32(before.per_node.pods_that_fit, after.per_node.pods_that_fit),
        held_ips_per_node: d32(before.per_node.held.held_ips, after.per_node.held.held_ips),
        held_prefixes_per_node: d32(
            before.per_node.held.held_prefixes,
            after.per_node.held.held_prefixes,
        ),
        subnet_ips_per_node: d32(
            before.per_node.held.subnet_ips,
            after.per_node.held.subnet_ips,
        ),
        pod_capacity: delta(before.totals.pod_capacity, after.totals.pod_capacity),
        pods_scheduled: delta(before.totals.pods_scheduled, after.totals.pods_scheduled),
        pods_pending: delta(before.totals.pods_pending, after.totals.pods_pending),
        held_ips: delta(before.totals.held_ips, after.totals.held_ips),
        held_prefixes: delta(before.totals.held_prefixes, after.totals.held_prefixes),
        subnet_ips: delta(before.totals.subnet_ips, after.totals.subnet_ips),
        subnets,
        warnings_added: codes_after
            .iter()
            .copied()
            .filter(|c| !codes_before.contains(c))
            .collect(),
        warnings_removed: codes_before
            .iter()
            .copied()
            .filter(|c| !codes_after.contains(c))
            .collect(),
    }
}

// ---------------------------------------------------------------------------------------------
// URL query state: /what-if?instance_type=m5.large&os=windows&prefix_delegation=true&nodes=10&pods_per_node=30

/// Query keys, in the order `scenario_to_query` writes them.
pub mod query_keys {
    pub const INSTANCE_TYPE: &str = "instance_type";
    pub const OS: &str = "os";
    pub const NODES: &str = "nodes";
    /// Accepted alias of `nodes`.
    pub const NODE_COUNT: &str = "node_count";
    pub const PODS_PER_NODE: &str = "pods_per_node";
    pub const PREFIX_DELEGATION: &str = "prefix_delegation";
    pub const CUSTOM_NETWORKING: &str = "custom_networking";
    pub const KUBELET_MAX_PODS: &str = "kubelet_max_pods";
    /// Windows ConfigMap targets.
    pub const WIN_WARM_IP_TARGET: &str = "win_warm_ip_target";
    pub const WIN_MINIMUM_IP_TARGET: &str = "win_minimum_ip_target";
    pub const WIN_WARM_PREFIX_TARGET: &str = "win_warm_prefix_target";
    /// Linux aws-node targets.
    pub const LINUX_WARM_ENI_TARGET: &str = "linux_warm_eni_target";
    pub const LINUX_WARM_IP_TARGET: &str = "linux_warm_ip_target";
    pub const LINUX_MINIMUM_IP_TARGET: &str = "linux_minimum_ip_target";
    pub const LINUX_WARM_PREFIX_TARGET: &str = "linux_warm_prefix_target";
    /// Un-prefixed aliases, applied to the scenario's OS.
    pub const WARM_IP_TARGET: &str = "warm_ip_target";
    pub const MINIMUM_IP_TARGET: &str = "minimum_ip_target";
    pub const WARM_PREFIX_TARGET: &str = "warm_prefix_target";
    pub const WARM_ENI_TARGET: &str = "warm_eni_target";
    /// Repeatable: one fresh subnet per value.
    pub const SUBNET: &str = "subnet";
}

/// One bad query parameter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub value: String,
    pub message: String,
}

/// Every bad query parameter at once, so the UI can mark each field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[error("{}", .errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; "))]
pub struct QueryErrors {
    pub errors: Vec<FieldError>,
}

fn parse_bool_param(value: &str) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Some(true),
        "false" | "0" | "no" | "off" => Some(false),
        _ => None,
    }
}

fn parse_count(value: &str, max: u32) -> Result<u32, String> {
    let trimmed = value.trim();
    if trimmed.starts_with('-') {
        return Err(format!("must be 0 or more (got {trimmed})"));
    }
    match trimmed.parse::<u64>() {
        Ok(n) if n <= u64::from(max) => Ok(n as u32),
        Ok(n) => Err(format!("{n} is too large: at most {max}")),
        Err(_) => Err(format!("`{trimmed}` is not a whole number")),
    }
}

fn parse_target(value: &str) -> Result<Option<i64>, String> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Ok(None);
    }
    match trimmed.parse::<i64>() {
        Ok(n) if n.unsigned_abs() <= MAX_WARM_TARGET.unsigned_abs() => Ok(Some(n)),
        Ok(n) => Err(format!(
            "{n} is out of range: use −{MAX_WARM_TARGET} to {MAX_WARM_TARGET}"
        )),
        Err(_) => Err(format!("`{trimmed}` is not a whole number")),
    }
}

/// Parse a scenario from URL query pairs. Missing keys keep `Scenario::default()`; unknown keys are
/// ignored; every bad value is reported with its field.
pub fn scenario_from_query(pairs: &[(String, String)]) -> Result<Scenario, QueryErrors> {
    use query_keys as k;
    let mut scenario = Scenario::default();
    let mut errors = Vec::new();
    let mut fail = |field: &str, value: &str, message: String| {
        errors.push(FieldError {
            field: field.to_string(),
            value: value.to_string(),
            message,
        });
    };
    // OS first: un-prefixed warm keys depend on it.
    if let Some((_, value)) = pairs.iter().rev().find(|(key, _)| key == k::OS) {
        match value.trim().parse::<Os>() {
            Ok(os) => scenario.os = os,
            Err(message) => fail(k::OS, value, message),
        }
    }
    let mut subnets_seen = false;
    for (key, value) in pairs {
        let key = key.as_str();
        match key {
            k::OS => {}
            k::INSTANCE_TYPE => {
                let name = value.trim();
                if name.is_empty() {
                    fail(key, value, "must not be empty: e.g. m5.large".into());
                } else {
                    scenario.instance_type = name.to_string();
                }
            }
            k::NODES | k::NODE_COUNT => match parse_count(value, MAX_NODE_COUNT) {
                Ok(n) => scenario.node_count = n,
                Err(message) => fail(key, value, message),
            },
            k::PODS_PER_NODE => match parse_count(value, MAX_PODS_PER_NODE) {
                Ok(n) => scenario.pods_per_node = n,
                Err(message) => fail(key, value, message),
            },
            k::PREFIX_DELEGATION | k::CUSTOM_NETWORKING => match parse_bool_param(value) {
                Some(flag) if key == k::PREFIX_DELEGATION => scenario.prefix_delegation = flag,
                Some(flag) => scenario.custom_networking = flag,
                None => fail(key, value, "use true or false".into()),
            },
            k::KUBELET_MAX_PODS => {
                if value.trim().is_empty() {
                    scenario.kubelet_max_pods = None;
                } else {
                    match parse_count(value, MAX_KUBELET_MAX_PODS) {
                        Ok(0) => fail(
                            key,
                            value,
                            "must be at least 1 (leave it out for the default)".into(),
                        ),
                        Ok(n) => scenario.kubelet_max_pods = Some(n),
                        Err(message) => fail(key, value, message),
                    }
                }
            }
            k::SUBNET => {
                if !subnets_seen {
                    scenario.subnets.clear();
                    subnets_seen = true;
                }
                match Ipv4Cidr::parse(value) {
                    Ok(cidr) => scenario.subnets.push(SubnetState::fresh(cidr.to_string())),
                    Err(error) => fail(key, value, error.to_string()),
                }
            }
            _ => {
                let slot = match (key, scenario.os) {
                    (k::WIN_WARM_IP_TARGET, _) | (k::WARM_IP_TARGET, Os::Windows) => {
                        Some(&mut scenario.windows_warm.warm_ip_target)
                    }
                    (k::WIN_MINIMUM_IP_TARGET, _) | (k::MINIMUM_IP_TARGET, Os::Windows) => {
                        Some(&mut scenario.windows_warm.minimum_ip_target)
                    }
                    (k::WIN_WARM_PREFIX_TARGET, _) | (k::WARM_PREFIX_TARGET, Os::Windows) => {
                        Some(&mut scenario.windows_warm.warm_prefix_target)
                    }
                    (k::LINUX_WARM_ENI_TARGET, _) | (k::WARM_ENI_TARGET, Os::Linux) => {
                        Some(&mut scenario.linux_warm.warm_eni_target)
                    }
                    (k::LINUX_WARM_IP_TARGET, _) | (k::WARM_IP_TARGET, Os::Linux) => {
                        Some(&mut scenario.linux_warm.warm_ip_target)
                    }
                    (k::LINUX_MINIMUM_IP_TARGET, _) | (k::MINIMUM_IP_TARGET, Os::Linux) => {
                        Some(&mut scenario.linux_warm.minimum_ip_target)
                    }
                    (k::LINUX_WARM_PREFIX_TARGET, _) | (k::WARM_PREFIX_TARGET, Os::Linux) => {
                        Some(&mut scenario.linux_warm.warm_prefix_target)
                    }
                    (k::WARM_ENI_TARGET, Os::Windows) => {
                        fail(
                            key,
                            value,
                            "WARM_ENI_TARGET is a Linux setting; Windows nodes have one ENI".into(),
                        );
                        None
                    }
                    _ => None,
                };
                if let Some(slot) = slot {
                    match parse_target(value) {
                        Ok(target) => *slot = target,
                        Err(message) => fail(key, value, message),
                    }
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(scenario)
    } else {
        Err(QueryErrors { errors })
    }
}

/// Write a scenario as query pairs (the inverse of `scenario_from_query` for URL-expressible
/// scenarios: subnets are written as CIDRs only; observed pods are not written).
pub fn scenario_to_query(scenario: &Scenario) -> Vec<(String, String)> {
    use query_keys as k;
    let mut pairs = vec![
        (k::INSTANCE_TYPE.to_string(), scenario.instance_type.clone()),
        (k::OS.to_string(), scenario.os.as_str().to_string()),
        (k::NODES.to_string(), scenario.node_count.to_string()),
        (
            k::PODS_PER_NODE.to_string(),
            scenario.pods_per_node.to_string(),
        ),
        (
            k::PREFIX_DELEGATION.to_string(),
            scenario.prefix_delegation.to_string(),
        ),
    ];
    if scenario.custom_networking {
        pairs.push((k::CUSTOM_NETWORKING.to_string(), "true".to_string()));
    }
    if let Some(n) = scenario.kubelet_max_pods {
        pairs.push((k::KUBELET_MAX_PODS.to_string(), n.to_string()));
    }
    let w = &scenario.windows_warm;
    let l = &scenario.linux_warm;
    for (key, value) in [
        (k::WIN_WARM_IP_TARGET, w.warm_ip_target),
        (k::WIN_MINIMUM_IP_TARGET, w.minimum_ip_target),
        (k::WIN_WARM_PREFIX_TARGET, w.warm_prefix_target),
        (k::LINUX_WARM_ENI_TARGET, l.warm_eni_target),
        (k::LINUX_WARM_IP_TARGET, l.warm_ip_target),
        (k::LINUX_MINIMUM_IP_TARGET, l.minimum_ip_target),
        (k::LINUX_WARM_PREFIX_TARGET, l.warm_prefix_target),
    ] {
        if let Some(v) = value {
            pairs.push((key.to_string(), v.to_string()));
        }
    }
    for subnet in &scenario.subnets {
        pairs.push((k::SUBNET.to_string(), subnet.cidr.clone()));
    }
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::Hypervisor::{Nitro, Xen};
    use crate::limits::fixtures::limits;

    fn table() -> InstanceTypeTable {
        let mut types = vec![
            limits("m5.large", 3, 10, Nitro, 2),
            limits("m5.xlarge", 4, 15, Nitro, 4),
            limits("m4.large", 2, 10, Xen, 2),
            limits("t3.small", 3, 4, Nitro, 2),
            limits("c6g.medium", 2, 4, Nitro, 1),
        ];
        types.sort_by(|a, b| a.instance_type.cmp(&b.instance_type));
        InstanceTypeTable {
            source: "test".into(),
            types,
        }
    }

    fn windows(pd: bool, nodes: u32, pods: u32) -> Scenario {
        Scenario {
            prefix_delegation: pd,
            node_count: nodes,
            pods_per_node: pods,
            ..Scenario::default()
        }
    }

    #[test]
    fn windows_m5_large_secondary_and_pd() {
        let r = evaluate(&windows(false, 10, 5), &table()).expect("valid");
        assert_eq!(
            (r.mode, r.per_node.ip_capacity, r.per_node.pods_that_fit),
            (IpMode::SecondaryIp, 9, 9)
        );
        // defaults 3/3: 5 pods → 8 IPs held, + 1 primary
        assert_eq!(
            (r.per_node.held.held_ips, r.per_node.held.subnet_ips),
            (8, 9)
        );
        assert_eq!(r.totals.subnet_ips, 90);
        let r = evaluate(&windows(true, 10, 30), &table()).expect("valid");
        assert_eq!(
            (r.mode, r.per_node.ip_capacity, r.per_node.pods_that_fit),
            (IpMode::PrefixDelegation, 144, 110)
        );
        // PD defaults warm 1 / min 3: ceil(31/16) = 2 prefixes
        assert_eq!(
            (r.per_node.held.held_prefixes, r.per_node.held.held_ips),
            (2, 32)
        );
        assert!(r.has_warning(WarningCode::KubeletCapBelowIpCapacity));
        assert!(r.has_warning(WarningCode::NoSubnet));
    }

    fn pairs(query: &str) -> Vec<(String, String)> {
        query
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// The URL from issue 2 opens with those values and these results.
    #[test]
    fn issue_url_scenario() {
        let scenario = scenario_from_query(&pairs(
            "instance_type=m5.large&os=windows&prefix_delegation=true&nodes=10&pods_per_node=30",
        ))
        .expect("valid query");
        assert_eq!(
            (
                scenario.instance_type.as_str(),
                scenario.os,
                scenario.prefix_delegation,
                scenario.node_count,
                scenario.pods_per_node
            ),
            ("m5.large", Os::Windows, true, 10, 30)
        );
        let r = evaluate(&scenario, &table()).expect("valid");
        assert_eq!(r.per_node.pods_that_fit, 110);
        assert_eq!(r.per_node.held.held_prefixes, 2); // ceil((30 + 1) / 16)
        assert_eq!(r.totals.pods_scheduled, 300);
        assert_eq!(r.totals.pod_capacity, 1100);
        assert_eq!(r.totals.held_prefixes, 20);
        assert_eq!(r.totals.subnet_ips, 10 * (32 + 1));
        let back = scenario_from_query(&scenario_to_query(&scenario)).expect("round trip");
        assert_eq!(back, scenario);
    }

    #[test]
    fn query_errors_are_per_field() {
        let err = scenario_from_query(&pairs(
            "nodes=-3&pods_per_node=abc&prefix_delegation=maybe&os=solaris&subnet=10.0.0.5/24&win_warm_ip_target=999999999&kubelet_max_pods=0",
        ))
        .expect_err("all bad");
        let fields: Vec<&str> = err.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "os",
                "nodes",
                "pods_per_node",
                "prefix_delegation",
                "subnet",
                "win_warm_ip_target",
                "kubelet_max_pods"
            ]
        );
        assert!(
            err.errors[1].message.contains("0 or more"),
            "{:?}",
            err.errors[1]
        );
        assert!(
            err.errors[4].message.contains("10.0.0.0/24"),
            "{:?}",
            err.errors[4]
        );
        assert!(err.to_string().contains("nodes:"), "{err}");
        let err = scenario_from_query(&pairs("nodes=100001")).expect_err("too many");
        assert!(err.errors[0].message.contains("at most 100000"), "{err}");
        let err =
            scenario_from_query(&pairs("os=windows&warm_eni_target=2")).expect_err("linux key");
        assert_eq!(err.errors[0].field, "warm_eni_target");
        // un-prefixed aliases follow the OS, wherever `os` appears
        let s = scenario_from_query(&pairs(
            "warm_ip_target=5&os=linux&subnet=10.0.0.0/24&subnet=10.0.1.0/24",
        ))
        .expect("ok");
        assert_eq!(
            (s.linux_warm.warm_ip_target, s.windows_warm.warm_ip_target),
            (Some(5), None)
        );
        assert_eq!(s.subnets.len(), 2);
        // unknown keys are ignored; empty target = unset
        let s = scenario_from_query(&pairs("utm_source=x&win_warm_ip_target=")).expect("ok");
        assert_eq!(s.windows_warm.warm_ip_target, None);
    }

    #[test]
    fn validation_errors_are_clear() {
        let t = table();
        let err = evaluate(
            &Scenario {
                instance_type: "m5.lrge".into(),
                ..Scenario::default()
            },
            &t,
        )
        .expect_err("typo");
        assert_eq!(err.code(), "unknown_instance_type");
        let upper = Scenario {
            instance_type: " M5.Large ".into(),
            ..Scenario::default()
        };
        assert_eq!(
            evaluate(&upper, &t)
                .expect("case-insensitive")
                .instance_type,
            "m5.large"
        );
        assert!(
            err.to_string()
                .contains("did you mean m5.large, m5.xlarge?"),
            "{err}"
        );
        let err = evaluate(
            &Scenario {
                instance_type: "c6g.medium".into(),
                ..Scenario::default()
            },
            &t,
        )
        .expect_err("arm");
        assert_eq!(err.code(), "windows_needs_x86_64");
        let err = evaluate(
            &Scenario {
                node_count: 100_001,
                ..Scenario::default()
            },
            &t,
        )
        .expect_err("nodes");
        assert!(err.to_string().contains("at most 100000"), "{err}");
        let err = evaluate(
            &Scenario {
                pods_per_node: 10_001,
                ..Scenario::default()
            },
            &t,
        )
        .expect_err("pods");
        assert_eq!(err.code(), "out_of_range");
        let err = evaluate(
            &Scenario {
                custom_networking: true,
                ..Scenario::default()
            },
            &t,
        )
        .expect_err("cn");
        assert_eq!(err.code(), "custom_networking_on_windows");
        let err = evaluate(
            &Scenario {
                observed_pods: Some(vec![1, 2]),
                ..Scenario::default()
            },
            &t,
        )
        .expect_err("len");
        assert!(err.to_string().contains("one entry per node"), "{err}");
        let mut s = Scenario::default();
        s.windows_warm.warm_ip_target = Some(-200_000);
        assert!(matches!(
            evaluate(&s, &t),
            Err(WhatIfError::WarmTargetOutOfRange { .. })
        ));
        let s = Scenario {
            subnets: vec![SubnetState::fresh("10.0.0.0/33")],
            ..Scenario::default()
        };
        let err = evaluate(&s, &t).expect_err("cidr");
        assert_eq!(err.code(), "invalid_subnet");
        assert!(err.to_string().contains("0–32"), "{err}");
        let s = Scenario {
            subnets: vec![
                SubnetState::fresh("10.0.0.0/23"),
                SubnetState::fresh("10.0.1.0/24"),
            ],
            ..Scenario::default()
        };
        assert!(matches!(
            evaluate(&s, &t),
            Err(WhatIfError::SubnetsOverlap { .. })
        ));
        let s = Scenario {
            kubelet_max_pods: Some(0),
            ..Scenario::default()
        };
        assert!(matches!(
            evaluate(&s, &t),
            Err(WhatIfError::KubeletMaxPodsOutOfRange { .. })
        ));
    }

    #[test]
    fn warnings_have_stable_codes() {
        let t = table();
        // PD on Xen falls back, pods beyond 9 stay pending
        let s = Scenario {
            instance_type: "m4.large".into(),
            prefix_delegation: true,
            pods_per_node: 12,
            ..Scenario::default()
        };
        let r = evaluate(&s, &t).expect("valid");
        assert_eq!(r.mode, IpMode::SecondaryIp);
        assert!(r.has_warning(WarningCode::PrefixDelegationOnXen));
        assert!(r.has_warning(WarningCode::PodsExceedCapacity));
        assert_eq!(
            (r.totals.pods_pending, r.totals.nodes_over_capacity),
            (9, 3)
        );
        let json = serde_json::to_value(&r.warnings[0]).expect("json");
        assert_eq!(json["code"], "WHATIF001");
        assert_eq!(json["severity"], "warning");
        // PD in a /24: 10 nodes × 2 prefixes = 20 > 14 free blocks; 330 addresses > 251 free
        let s = Scenario {
            prefix_delegation: true,
            node_count: 10,
            pods_per_node: 30,
            subnets: vec![SubnetState::fresh("10.0.0.0/24")],
            ..Scenario::default()
        };
        let r = evaluate(&s, &t).expect("valid");
        let impact = &r.subnets[0];
        assert_eq!(
            (
                impact.prefixes_needed,
                impact.ips_needed,
                impact.addresses_needed
            ),
            (20, 10, 330)
        );
        assert_eq!(
            (impact.prefix_shortfall, impact.free_prefix_slots_after),
            (6, 0)
        );
        assert!(!impact.enough_contiguous_blocks && !impact.enough_ips);
        assert!(r.has_warning(WarningCode::NotEnoughContiguousBlocks));
        assert!(r.has_warning(WarningCode::SubnetExhausted));
        assert!(r.has_warning(WarningCode::KubeletCapBelowIpCapacity));
        assert!(!r.has_warning(WarningCode::NoSubnet));
        // same in a /22: fits; 20 of 62 free blocks used
        let s = Scenario {
            subnets: vec![SubnetState::fresh("10.0.0.0/22")],
            ..s
        };
        let r = evaluate(&s, &t).expect("valid");
        let impact = &r.subnets[0];
        assert!(impact.enough_contiguous_blocks && impact.enough_ips);
        assert_eq!(
            (
                impact.before.free_prefix_slots,
                impact.free_prefix_slots_after
            ),
            (62, 42)
        );
        assert_eq!(impact.free_ips_after, 1019 - 330);
    }

    #[test]
    fn subnet_load_uses_reservations_and_scattered_ips_first() {
        use crate::snapshot::{CidrReservation, ReservationType};
        let t = table();
        // /24 with a /26 prefix reservation (4 blocks) and one IP in each of blocks 1..=3 (fragmented).
        let mut subnet = SubnetState::fresh("10.0.0.0/24");
        subnet.reservations.push(CidrReservation {
            reservation_id: None,
            cidr: "10.0.0.192/26".into(),
            reservation_type: ReservationType::Prefix,
            description: None,
        });
        subnet.allocated_ips = vec!["10.0.0.16".into(), "10.0.0.32".into(), "10.0.0.48".into()];
        let usage = crate::subnet::analyze(&subnet).expect("valid");
        // blocks: 0 reserved, 1-3 fragmented, 4-11 free, 12-14 prefix-reserved, 15 reserved (last address)
        assert_eq!(
            (
                usage.blocks.free,
                usage.blocks.prefix_reserved,
                usage.blocks.fragmented
            ),
            (8, 3, 3)
        );
        // scattered unreserved free: block 0 (12) + blocks 1-3 (45) + block 15 is in the reservation → 57
        let s = Scenario {
            prefix_delegation: true,
            node_count: 4,
            pods_per_node: 0,
            subnets: vec![subnet],
            ..Scenario::default()
        };
        let r = evaluate(&s, &t).expect("valid");
        let impact = &r.subnets[0];
        // 4 nodes × 1 prefix: 3 from the reservation, 1 general; 4 primaries fit in scattered IPs
        assert_eq!((impact.prefixes_needed, impact.ips_needed), (4, 4));
        assert_eq!(impact.free_prefix_slots_after, 11 - 4);
        assert!(impact.enough_contiguous_blocks);
    }

    #[test]
    fn observed_pods_and_compare() {
        let t = table();
        let before = Scenario {
            node_count: 4,
            observed_pods: Some(vec![0, 3, 9, 12]),
            ..Scenario::default()
        };
        let r = evaluate(&before, &t).expect("valid");
        // secondary 3/3 capped at 9: 3, 6, 9, 9 held; the 12-pod node has 3 pending
        assert_eq!(r.totals.held_ips, 3 + 6 + 9 + 9);
        assert_eq!(
            (
                r.totals.pods_requested,
                r.totals.pods_scheduled,
                r.totals.pods_pending
            ),
            (24, 21, 3)
        );
        let after = Scenario {
            prefix_delegation: true,
            ..before.clone()
        };
        let r2 = evaluate(&after, &t).expect("valid");
        // PD 1/3: 1, 1, 1, 1 prefixes
        assert_eq!(r2.totals.held_prefixes, 4);
        let c = compare(&r, &r2);
        assert_eq!(
            (c.mode_before, c.mode_after),
            (IpMode::SecondaryIp, IpMode::PrefixDelegation)
        );
        assert_eq!(c.ip_capacity, 144 - 9);
        assert_eq!(c.pods_pending, -3);
        assert_eq!(c.held_ips, 64 - 27);
        assert!(
            c.warnings_removed
                .contains(&WarningCode::PodsExceedCapacity)
        );
        assert!(
            c.warnings_added
                .contains(&WarningCode::KubeletCapBelowIpCapacity)
        );
    }

    #[test]
    fn linux_scenario() {
        let t = table();
        let s = Scenario {
            os: Os::Linux,
            instance_type: "m5.large".into(),
            node_count: 2,
            pods_per_node: 20,
            ..Scenario::default()
        };
        let r = evaluate(&s, &t).expect("valid");
        // 29 max pods (calculator), 27 pod IPs; WARM_ENI_TARGET=1: ceil(20/9)+1 = 4 → capped at 3 ENIs
        assert_eq!(
            (r.per_node.kubelet_max_pods, r.per_node.pods_that_fit),
            (29, 27)
        );
        assert_eq!(
            (
                r.per_node.held.enis,
                r.per_node.held.held_ips,
                r.per_node.held.subnet_ips
            ),
            (3, 27, 30)
        );
        assert!(matches!(r.warm, ResolvedWarm::Linux(_)));
        let s = Scenario {
            prefix_delegation: true,
            ..s
        };
        let r = evaluate(&s, &t).expect("valid");
        // PD: 110 max pods (calculator cap), 108 IP pods; WARM_PREFIX_TARGET=1: ceil(20/16)+1 = 3 prefixes
        assert_eq!(
            (
                r.per_node.pods_that_fit,
                r.per_node.held.held_prefixes,
                r.per_node.held.enis
            ),
            (108, 3, 1)
        );
    }

    #[test]
    fn json_round_trip() {
        let t = table();
        let s = Scenario {
            prefix_delegation: true,
            subnets: vec![SubnetState::fresh("10.0.0.0/24")],
            observed_pods: Some(vec![1, 2, 3]),
            ..Scenario::default()
        };
        let text = serde_json::to_string(&s).expect("serialize");
        assert_eq!(serde_json::from_str::<Scenario>(&text).expect("parse"), s);
        let minimal: Scenario = serde_json::from_str(
            r#"{"instance_type":"m5.large","os":"windows","node_count":2,"pods_per_node":5}"#,
        )
        .expect("minimal");
        assert!(!minimal.prefix_delegation && minimal.subnets.is_empty());
        let r = evaluate(&s, &t).expect("valid");
        let text = serde_json::to_string(&r).expect("serialize");
        assert_eq!(
            serde_json::from_str::<WhatIfResult>(&text).expect("parse"),
            r
        );
        let v: serde_json::Value = serde_json::from_str(&text).expect("value");
        assert_eq!(v["mode"], "prefix-delegation");
        assert_eq!(v["per_node"]["held_prefixes"], 1);
        assert_eq!(v["subnets"][0]["cidr"], "10.0.0.0/24");
        assert_eq!(v["warm"]["os"], "windows");
        assert_eq!(v["pool"]["rule"]["rule"], "prefixes-for-ips");
    }

    /// domain.md §1.3 through the what-if: secondary / PD capacity and pods that fit with kubelet 110.
    #[test]
    fn domain_1_3_windows_table() {
        let rows = [
            (limits("t3.nano", 2, 2, Nitro, 2), 1, 16, 16),
            (limits("t3.medium", 3, 6, Nitro, 2), 5, 80, 80),
            (limits("m5.large", 3, 10, Nitro, 2), 9, 144, 110),
            (limits("c5.large", 3, 10, Nitro, 2), 9, 144, 110),
            (limits("m5.xlarge", 4, 15, Nitro, 4), 14, 224, 110),
            (limits("m5.4xlarge", 8, 30, Nitro, 16), 29, 464, 110),
            (limits("m5.24xlarge", 15, 50, Nitro, 96), 49, 784, 110),
            (limits("m4.large", 2, 10, Xen, 2), 9, 9, 9),
            (limits("t2.medium", 3, 6, Xen, 2), 5, 5, 5),
        ];
        for (l, secondary, pd, fit_pd) in rows {
            let base = Scenario {
                instance_type: l.instance_type.clone(),
                node_count: 1,
                pods_per_node: 0,
                ..Scenario::default()
            };
            let r = evaluate_prepared(&base, &l, &[]).expect("valid");
            assert_eq!(r.per_node.ip_capacity, secondary, "{}", l.instance_type);
            let r = evaluate_prepared(
                &Scenario {
                    prefix_delegation: true,
                    ..base
                },
                &l,
                &[],
            )
            .expect("valid");
            assert_eq!(
                (r.per_node.ip_capacity, r.per_node.pods_that_fit),
                (pd, fit_pd),
                "{}",
                l.instance_type
            );
        }
    }

    #[test]
    fn errors_name_their_field() {
        let t = table();
        let mut s = Scenario::default();
        s.linux_warm.warm_ip_target = Some(1_000_000);
        let err = evaluate(&s, &t).expect_err("range");
        assert_eq!(err.field(), "linux_warm_ip_target");
        assert!(
            err.to_string()
                .starts_with("linux_warm_ip_target 1000000 is out of range"),
            "{err}"
        );
        let err = evaluate(
            &Scenario {
                instance_type: "nope".into(),
                ..Scenario::default()
            },
            &t,
        )
        .expect_err("unknown");
        assert_eq!(
            (err.field(), err.code()),
            ("instance_type", "unknown_instance_type")
        );
        assert!(err.to_string().contains("check the spelling"), "{err}");
    }
}
