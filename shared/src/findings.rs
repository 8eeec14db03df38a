//! Findings: what needs attention in a fleet, each with a stable code, a severity, one line of why and
//! the fix. Derived from a [`FleetView`] only (no new math): DSR from `dsr::DsrCause`, subnets from
//! `subnet` usage, capacity from `maxpods`. The catalog below is the reference list of codes.

use crate::dsr::{DsrCause, DsrStatus, PORT_EXHAUSTION_SERVICE_THRESHOLD};
use crate::fleet::{FleetView, LOW_FREE_IPS_PERCENT, NodegroupSummary, SubnetRow};
use crate::maxpods::{IpMode, Os};
use crate::snapshot::ErrorKind;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Critical,
    High,
    Medium,
    Low,
    Info,
}

/// One entry of the catalog: the code and what it always means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FindingKind {
    pub code: &'static str,
    pub title: &'static str,
    pub why: &'static str,
    pub source: &'static str,
}

/// Every code eniscope emits. Codes never change meaning; new checks get new codes.
pub const CATALOG: [FindingKind; 13] = [
    FindingKind {
        code: "WIN001",
        title: "kube-proxy would fail to start with these DSR flags",
        why: "--enable-dsr needs the WinDSR feature gate before Kubernetes 1.33; with it off kube-proxy exits with \"WinDSR feature gate not enabled\"",
        source: "kubernetes pkg/proxy/winkernel/proxier.go; KEP-5100",
    },
    FindingKind {
        code: "WIN002",
        title: "DSR is off on Windows nodes",
        why: "without DSR, Windows nodes risk port exhaustion above 100 services (hcnCreateLoadBalancer: The specified port already exists)",
        source: "BPG windows/networking",
    },
    FindingKind {
        code: "WIN003",
        title: "Windows version without DSR support",
        why: "DSR needs Windows Server 2019 build 17763.1432 (August 2020) or later",
        source: "domain.md §5.2; containernetworking/plugins#613",
    },
    FindingKind {
        code: "WIN004",
        title: "DSR status unknown",
        why: "no evidence either way; eniscope never reports DSR on without the kube-proxy flags in user data",
        source: "domain.md §5.4",
    },
    FindingKind {
        code: "WIN005",
        title: "Port-exhaustion risk: more than 100 services and Windows nodes without DSR",
        why: "BPG: risk of port exhaustion on Windows nodes with more than 100 services; DSR is the fix",
        source: "BPG windows/networking",
    },
    FindingKind {
        code: "WIN006",
        title: "kubelet max-pods caps Windows pods below the pod-IP capacity",
        why: "the Windows kubelet defaults to 110 pods; with prefix delegation the node has more pod IPs than it will ever use",
        source: "EKS user guide, prefix delegation for Windows; BPG prefix-mode_windows",
    },
    FindingKind {
        code: "WIN007",
        title: "Secondary-IP and prefix mode mixed in one nodegroup",
        why: "advertised and actual capacity can disagree on nodes holding both kinds; replace nodegroups when switching modes",
        source: "BPG prefix-mode_windows; VPC RC ip/provider.go",
    },
    FindingKind {
        code: "SUB001",
        title: "Subnet near exhaustion",
        why: "less than 10% of the usable addresses are free: a scale-up or a warm pool refill can fail",
        source: "EC2 DescribeSubnets AvailableIpAddressCount",
    },
    FindingKind {
        code: "SUB002",
        title: "Prefix delegation cannot get a /28 in this subnet",
        why: "no free aligned /28 block is left: new prefixes fail with InsufficientCidrBlocks although single IPs are free",
        source: "EKS user guide, prefix delegation; VPC CNI #2749",
    },
    FindingKind {
        code: "SUB003",
        title: "Subnet too fragmented for prefix delegation",
        why: "allocations are scattered over every /28 block: turning prefix delegation on here would fail",
        source: "EKS user guide, prefix delegation; aws-support-tools subnet-fragmentation",
    },
    FindingKind {
        code: "SUB004",
        title: "High /28 fragmentation in a prefix-delegation subnet",
        why: "most candidate /28 blocks are partly used: prefixes will run out before addresses do",
        source: "aws-support-tools subnet-fragmentation",
    },
    FindingKind {
        code: "NODE001",
        title: "Instance type not in the limits table",
        why: "its ENI and IP limits are unknown, so its pod-IP capacity cannot be computed",
        source: "EC2 DescribeInstanceTypes",
    },
    FindingKind {
        code: "SRC001",
        title: "A source could not be read",
        why: "a denied, throttled or unreachable call hides part of the fleet; everything else is still shown",
        source: "eniscope collector",
    },
];

/// One finding in one place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub code: String,
    pub severity: Severity,
    pub title: String,
    /// What was found here, one sentence.
    pub message: String,
    /// What to do, ready to act on.
    pub fix: Option<String>,
    pub source: String,
    pub account: Option<String>,
    pub region: Option<String>,
    pub cluster: Option<String>,
    pub nodegroup: Option<String>,
    pub subnet_id: Option<String>,
    /// Nodes concerned (0 for subnet and source findings).
    pub nodes: u32,
}

fn kind(code: &str) -> FindingKind {
    CATALOG
        .iter()
        .copied()
        .find(|k| k.code == code)
        .unwrap_or(FindingKind {
            code: "UNKNOWN",
            title: "unknown finding",
            why: "",
            source: "",
        })
}

fn finding(code: &str, severity: Severity, message: String, fix: Option<String>) -> Finding {
    let kind = kind(code);
    Finding {
        code: kind.code.to_string(),
        severity,
        title: kind.title.to_string(),
        message,
        fix,
        source: kind.source.to_string(),
        account: None,
        region: None,
        cluster: None,
        nodegroup: None,
        subnet_id: None,
        nodes: 0,
    }
}

fn at_group(mut f: Finding, group: &NodegroupSummary) -> Finding {
    f.account = group.account.clone();
    f.region = Some(group.region.clone());
    f.cluster = Some(group.cluster.clone());
    f.nodegroup = Some(group.name.clone());
    f.nodes = group.ips.nodes;
    f
}

fn at_subnet(mut f: Finding, subnet: &SubnetRow) -> Finding {
    f.account = subnet.account_id.clone();
    f.region = Some(subnet.region.clone());
    f.subnet_id = Some(subnet.subnet_id.clone());
    f
}

fn nodegroup_findings(view: &FleetView, group: &NodegroupSummary, out: &mut Vec<Finding>) {
    let services = view
        .clusters
        .iter()
        .find(|c| c.region == group.region && c.name == group.cluster)
        .and_then(|c| c.service_count);
    if let Some(assessment) = &group.dsr {
        let fix = Some(format!(
            "start kube-proxy with {}",
            assessment.fix.kube_proxy_flags
        ));
        let many_services = services.is_some_and(|n| n > PORT_EXHAUSTION_SERVICE_THRESHOLD);
        let found = match assessment.cause {
            DsrCause::GateMissing | DsrCause::GateDisabled => {
                Some(finding("WIN001", Severity::High, assessment.reason.clone(), fix))
            }
            DsrCause::OsWithoutDsr => Some(finding(
                "WIN003",
                Severity::High,
                assessment.reason.clone(),
                Some("replace the AMI with Windows Server 2019 (build ≥ 17763.1432) or 2022, then enable DSR".into()),
            )),
            DsrCause::NoEnableDsr | DsrCause::NoLaunchTemplate | DsrCause::EnableDsrFalse | DsrCause::GateOnly => {
                let severity = if many_services { Severity::High } else { Severity::Medium };
                Some(finding("WIN002", severity, assessment.reason.clone(), fix))
            }
            DsrCause::DsrFlags => None,
            DsrCause::NoUserData
            | DsrCause::UserDataUnreadable
            | DsrCause::NodegroupNotDescribed
            | DsrCause::KubernetesVersionUnknown
            | DsrCause::SacUnverifiable
            | DsrCause::CustomAmi => Some(finding("WIN004", Severity::Low, assessment.reason.clone(), None)),
        };
        out.extend(found.map(|f| at_group(f, group)));
    }
    if group.os == Some(Os::Windows) && group.ip_mode == Some(IpMode::PrefixDelegation) {
        let capped = view
            .nodes
            .iter()
            .filter(|n| n.region == group.region && n.cluster == group.cluster)
            .filter(|n| n.nodegroup.as_deref() == Some(group.name.as_str()))
            .filter_map(|n| Some((n.max_pods?, n.ip_capacity?)))
            .find(|(max_pods, capacity)| max_pods < capacity);
        if let Some((max_pods, capacity)) = capped {
            let f = finding(
                "WIN006",
                Severity::Info,
                format!(
                    "pods are capped at {max_pods} per node although each node can hold {capacity} pod IPs"
                ),
                Some(format!(
                    "raise it with -KubeletExtraArgs '--max-pods=N' (N ≤ {capacity}) if the nodes have the CPU and memory"
                )),
            );
            out.push(at_group(f, group));
        }
    }
    if group.ip_modes.len() > 1 {
        let f = finding(
            "WIN007",
            Severity::Medium,
            "nodes of this group hold secondary IPs and /28 prefixes".into(),
            Some("replace the nodegroup (new nodes in one mode) instead of rolling it".into()),
        );
        out.push(at_group(f, group));
    }
}

fn subnet_findings(subnet: &SubnetRow, out: &mut Vec<Finding>) {
    if let (Some(free), Some(percent)) = (subnet.free_ips, subnet.free_percent)
        && percent < LOW_FREE_IPS_PERCENT
    {
        let f = finding(
            "SUB001",
            Severity::High,
            format!("{free} free IPs ({percent}% of {} usable)", subnet.usable_ips.unwrap_or(0)),
            Some("add a subnet (or a secondary VPC CIDR) to the nodegroups using it, or lower warm-pool targets".into()),
        );
        out.push(at_subnet(f, subnet));
    }
    let Some(usage) = &subnet.usage else { return };
    let pd_in_use = subnet.prefix_delegation_nodes > 0
        || subnet.prefix_reserved_ips > 0
        || usage.blocks.prefix_allocated > 0;
    let no_slot = usage.free_prefix_slots == 0;
    if no_slot && pd_in_use {
        let f = finding(
            "SUB002",
            Severity::High,
            format!("no free /28 block ({} IPs free but scattered)", usage.free_ips),
            Some("create a subnet CIDR reservation of type prefix in a clean range, or move prefix nodegroups to a new subnet".into()),
        );
        out.push(at_subnet(f, subnet));
    } else if no_slot && usage.free_ips >= 16 {
        let f = finding(
            "SUB003",
            Severity::Info,
            format!("{} IPs free but no whole /28 block", usage.free_ips),
            Some("before enabling prefix delegation, reserve a /28-aligned range (GetSubnetCidrReservations type prefix) or use a new subnet".into()),
        );
        out.push(at_subnet(f, subnet));
    }
    if pd_in_use
        && !no_slot
        && let (Some(score), Some(band)) = (usage.fragmentation_score, usage.fragmentation_band)
        && matches!(
            band,
            crate::subnet::FragmentationBand::High | crate::subnet::FragmentationBand::Critical
        )
    {
        let f = finding(
            "SUB004",
            Severity::Medium,
            format!(
                "fragmentation score {score}% ({}); {} /28 blocks still free",
                band.as_str(),
                usage.free_prefix_slots
            ),
            Some("reserve a prefix range before the free blocks run out".into()),
        );
        out.push(at_subnet(f, subnet));
    }
}

/// Every finding of the fleet, most severe first.
pub fn findings(view: &FleetView) -> Vec<Finding> {
    let mut out = Vec::new();
    for group in &view.nodegroups {
        nodegroup_findings(view, group, &mut out);
    }
    for cluster in &view.clusters {
        let exposed = view
            .nodes
            .iter()
            .filter(|n| {
                n.region == cluster.region && n.cluster == cluster.name && n.os == Os::Windows
            })
            .filter(|n| n.dsr != Some(DsrStatus::On))
            .count() as u32;
        if let Some(services) = cluster.service_count
            && services > PORT_EXHAUSTION_SERVICE_THRESHOLD
            && exposed > 0
        {
            let mut f = finding(
                "WIN005",
                Severity::High,
                format!("{services} services and {exposed} Windows nodes without DSR proven on"),
                Some(
                    "enable DSR on those nodegroups (see the DSR board for the exact flags)".into(),
                ),
            );
            f.account = cluster.account_id.clone();
            f.region = Some(cluster.region.clone());
            f.cluster = Some(cluster.name.clone());
            f.nodes = exposed;
            out.push(f);
        }
        let mut unknown: Vec<&str> = view
            .nodes
            .iter()
            .filter(|n| {
                n.region == cluster.region && n.cluster == cluster.name && n.ip_capacity.is_none()
            })
            .map(|n| n.instance_type.as_str())
            .collect();
        if !unknown.is_empty() {
            let nodes = unknown.len() as u32;
            unknown.sort_unstable();
            unknown.dedup();
            let mut f = finding(
                "NODE001",
                Severity::Medium,
                format!("instance types {} are not in the limits table", unknown.join(", ")),
                Some("grant ec2:DescribeInstanceTypes or regenerate the embedded table (cargo xtask gen-instance-types)".into()),
            );
            f.account = cluster.account_id.clone();
            f.region = Some(cluster.region.clone());
            f.cluster = Some(cluster.name.clone());
            f.nodes = nodes;
            out.push(f);
        }
    }
    for subnet in &view.subnets {
        subnet_findings(subnet, &mut out);
    }
    let errors = view
        .clusters
        .iter()
        .flat_map(|c| c.errors.iter())
        .chain(&view.unattached_errors);
    let mut seen = std::collections::BTreeSet::new();
    for scoped in errors {
        let e = &scoped.error;
        // A region error is attached to every cluster of the region: report it once.
        if !seen.insert((
            e.account.clone(),
            e.region.clone(),
            e.cluster.clone(),
            e.operation.clone(),
            e.message.clone(),
        )) {
            continue;
        }
        let severity = match e.kind {
            ErrorKind::AccessDenied | ErrorKind::Credentials => Severity::High,
            ErrorKind::Throttled | ErrorKind::Unreachable => Severity::Medium,
            ErrorKind::NotFound | ErrorKind::InvalidResponse | ErrorKind::Other => Severity::Low,
        };
        let operation = e.operation.as_deref().unwrap_or("a call");
        let mut f = finding(
            "SRC001",
            severity,
            format!("{operation}: {}", e.message),
            None,
        );
        f.account = e.account.clone();
        f.region = e.region.clone();
        f.cluster = e.cluster.clone();
        out.push(f);
    }
    out.sort_by(|a, b| {
        (
            a.severity,
            &a.code,
            &a.region,
            &a.cluster,
            &a.nodegroup,
            &a.subnet_id,
        )
            .cmp(&(
                b.severity,
                &b.code,
                &b.region,
                &b.cluster,
                &b.nodegroup,
                &b.subnet_id,
            ))
    });
    out
}

/// `GET /api/v1/findings`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingList {
    pub total: usize,
    /// Count per severity, over the findings returned.
    pub critical: usize,
    pub high: usize,
    pub medium: usize,
    pub low: usize,
    pub info: usize,
    pub findings: Vec<Finding>,
}

impl FindingList {
    pub fn new(findings: Vec<Finding>) -> Self {
        let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
        Self {
            total: findings.len(),
            critical: count(Severity::Critical),
            high: count(Severity::High),
            medium: count(Severity::Medium),
            low: count(Severity::Low),
            info: count(Severity::Info),
            findings,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn catalog_codes_are_unique_and_explained() {
        let codes: BTreeSet<&str> = CATALOG.iter().map(|k| k.code).collect();
        assert_eq!(codes.len(), CATALOG.len());
        for kind in CATALOG {
            assert!(
                !kind.title.is_empty() && !kind.why.is_empty() && !kind.source.is_empty(),
                "{}",
                kind.code
            );
            assert_eq!(super::kind(kind.code), kind);
        }
        assert_eq!(super::kind("NOPE").code, "UNKNOWN");
    }
}
