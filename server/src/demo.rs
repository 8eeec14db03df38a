//! The embedded demo fleet (`eniscope serve --demo`, and the default when no AWS credentials are found).
//!
//! THIS IS DEMO DATA, not a scan of real AWS accounts. It is built deterministically (a fixed-seed
//! SplitMix64, no clock, no randomness) through the real `shared` types and math, so that every page
//! has something true to show:
//!
//! - 4 clusters in eu-west-1 and us-east-1 across two accounts (`prod` 111122223333, `dev` 444455556666),
//!   plus a region (`dev` / ap-southeast-2) whose `ListClusters` was denied;
//! - Windows Server 2019 and 2022 nodegroups with and without DSR: the seed's BPG `.replace` patch
//!   (self-managed eksctl `windows-ng`, c5.xlarge, WindowsServer2019CoreContainer, and a managed one),
//!   `-KubeProxyExtraArgs '--enable-dsr=true --feature-gates=WinDSR=true'`, `--enable-dsr=true` without
//!   the gate on 1.30 (kube-proxy would fail), no launch template at all, and a nodegroup whose
//!   `DescribeNodegroup` was denied;
//! - one Windows nodegroup with prefix delegation (/28 prefixes on the primary ENI), Linux nodegroups
//!   with and without prefix delegation, two Karpenter pools;
//! - a subnet near exhaustion, a subnet whose allocations are scattered over every /28 block (prefix
//!   delegation would fail there with `InsufficientCidrBlocks`), `prefix` and `explicit` CIDR reservations;
//! - one cluster with more than 100 services (port-exhaustion risk without DSR), ~200 nodes.
//!
//! How many IPs / prefixes each node holds is what the VPC Resource Controller (Windows) or ipamd
//! (Linux) keeps for its pod count (`shared::warm::WarmPool::held`), under each cluster's IPAM settings.
//! Every address is taken from its subnet by a small allocator, so the subnets are consistent: every
//! IP inside its CIDR, no duplicates, `AvailableIpAddressCount = usable − allocated`.
//! `api_calls` are the calls `eniscope scan` would make for this fleet (same rules as
//! `aws::collect`: pages, not nodes).

use shared::InstanceTypeLimits;
use shared::dsr::parse_user_data;
use shared::limits::InstanceTypeTable;
use shared::maxpods::{IpMode, MaxPodsOptions, Os, max_pods};
use shared::snapshot::{
    CidrReservation, Cluster, Eni, ErrorKind, LaunchTemplateRef, Node, Nodegroup, NodegroupKind,
    ReservationType, SCHEMA_VERSION, Scaling, Snapshot, SnapshotSource, SourceError, SourceKind,
    Subnet,
};
use shared::subnet::{Ipv4Cidr, format_ipv4};
use shared::warm::{
    HeldCounts, LinuxWarmSettings, WarmPool, parse_linux_env, parse_windows_configmap,
};
use std::collections::{BTreeMap, BTreeSet};

/// When the demo "scan" finished. Fixed, so the demo is reproducible; the UI shows the data age.
pub const DEMO_COLLECTED_AT: &str = "2026-11-26T06:45:00Z";

const PROD: (&str, &str) = ("111122223333", "prod");
const DEV: (&str, &str) = ("444455556666", "dev");

/// The seed document's user data (BPG windows/networking), verbatim.
pub const SEED_USER_DATA: &str = r#"<powershell>
[string]$EKSBinDir = "$env:ProgramFiles\Amazon\EKS"
[string]$EKSBootstrapScriptName = 'Start-EKSBootstrap.ps1'
[string]$EKSBootstrapScriptFile = "$EKSBinDir\$EKSBootstrapScriptName"
(Get-Content $EKSBootstrapScriptFile).replace('"--proxy-mode=kernelspace",', '"--proxy-mode=kernelspace", "--feature-gates WinDSR=true", "--enable-dsr",') | Set-Content $EKSBootstrapScriptFile
& $EKSBootstrapScriptFile -EKSClusterName "eks-windows" -APIServerEndpoint "https://<REPLACE-EKS-CLUSTER-CONFIG-API-SERVER>" -Base64ClusterCA "<REPLACE-EKSCLUSTER-CONFIG-DETAILS-CA>" -DNSClusterIP "172.20.0.10" -KubeletExtraArgs "--node-labels=alpha.eksctl.io/cluster-name=eks-windows,alpha.eksctl.io/nodegroup-name=windows-ng-ltsc2019 --register-with-taints=" 3>&1 4>&1 5>&1 6>&1
</powershell>
"#;

fn windows_user_data(
    cluster: &str,
    kube_proxy_args: Option<&str>,
    kubelet_args: Option<&str>,
) -> String {
    let mut call = format!("& $EKSBootstrapScriptFile -EKSClusterName \"{cluster}\"");
    if let Some(args) = kubelet_args {
        call.push_str(&format!(" -KubeletExtraArgs '{args}'"));
    }
    if let Some(args) = kube_proxy_args {
        call.push_str(&format!(" -KubeProxyExtraArgs '{args}'"));
    }
    format!(
        "<powershell>\n[string]$EKSBootstrapScriptFile = \"$env:ProgramFiles\\Amazon\\EKS\\Start-EKSBootstrap.ps1\"\n{call} 3>&1 4>&1 5>&1 6>&1\n</powershell>\n"
    )
}

/// SplitMix64: a tiny fixed-seed PRNG so the demo is the same on every run.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `min..=max`.
    fn range(&mut self, min: u32, max: u32) -> u32 {
        let span = u64::from(max.saturating_sub(min)) + 1;
        min + (self.next() % span) as u32
    }

    /// An AWS-style id: `prefix-0` + 16 hex digits.
    fn id(&mut self, prefix: &str) -> String {
        format!("{prefix}-0{:016x}", self.next())
    }
}

/// Hands out addresses and /28 prefixes from one subnet, as EC2 would: IPs outside reservations,
/// prefixes from `prefix` reservations first (VPC CNI #2749), never an AWS-reserved address.
struct SubnetPlan {
    subnet: Subnet,
    cidr: Ipv4Cidr,
    /// One flag per address offset: allocated (ENI IP or inside a prefix).
    used: Vec<bool>,
    /// Offsets inside `explicit` / `prefix` reservations.
    explicit: Vec<bool>,
    prefix_reserved: Vec<bool>,
    allocated_ips: Vec<u32>,
    allocated_prefixes: Vec<u32>,
    /// ENIs in the subnet that belong to no node (load balancers, endpoints, Lambda): one IP each.
    other_enis: u32,
    /// ENIs of nodes in this subnet (for the DescribeNetworkInterfaces page count).
    node_enis: u32,
    cursor: u32,
}

impl SubnetPlan {
    fn new(
        id: &str,
        region: &str,
        account: &str,
        vpc: &str,
        az: &str,
        cidr: &str,
        reservations: Vec<CidrReservation>,
    ) -> Option<Self> {
        let parsed = Ipv4Cidr::parse(cidr).ok()?;
        let size = usize::try_from(parsed.size()).ok()?;
        let mut explicit = vec![false; size];
        let mut prefix_reserved = vec![false; size];
        for reservation in &reservations {
            let r = Ipv4Cidr::parse(&reservation.cidr).ok()?;
            let start = usize::try_from(r.first().checked_sub(parsed.first())?).ok()?;
            let end = start + usize::try_from(r.size()).ok()?;
            let flags = match reservation.reservation_type {
                ReservationType::Explicit => &mut explicit,
                ReservationType::Prefix => &mut prefix_reserved,
            };
            for flag in flags.get_mut(start..end)? {
                *flag = true;
            }
        }
        let subnet = Subnet {
            subnet_id: id.into(),
            region: region.into(),
            account_id: Some(account.into()),
            vpc_id: Some(vpc.into()),
            availability_zone: Some(az.into()),
            cidr: cidr.into(),
            available_ip_count: None,
            cidr_reservations: reservations,
            allocated_ips: None,
            allocated_prefixes: None,
            tags: BTreeMap::from([("Name".to_string(), format!("{vpc}-{az}"))]),
        };
        Some(Self {
            subnet,
            cidr: parsed,
            used: vec![false; size],
            explicit,
            prefix_reserved,
            allocated_ips: Vec::new(),
            allocated_prefixes: Vec::new(),
            other_enis: 0,
            node_enis: 0,
            cursor: 4,
        })
    }

    fn size(&self) -> u32 {
        self.used.len() as u32
    }

    /// AWS reserves the first four addresses and the last one (VPC user guide, subnet sizing).
    fn aws_reserved(&self, offset: u32) -> bool {
        offset < 4 || offset + 1 == self.size()
    }

    fn ip_free(&self, offset: u32) -> bool {
        let i = offset as usize;
        !self.aws_reserved(offset) && !self.used[i] && !self.explicit[i] && !self.prefix_reserved[i]
    }

    fn mark_ip(&mut self, offset: u32) -> String {
        self.used[offset as usize] = true;
        self.allocated_ips.push(offset);
        format_ipv4(self.cidr.first() + offset)
    }

    /// The next free address after the cursor (wrapping once), or `None` when the subnet is full.
    fn take_ip(&mut self) -> Option<String> {
        let size = self.size();
        for step in 0..size {
            let offset = (self.cursor + step) % size;
            if self.ip_free(offset) {
                self.cursor = offset + 1;
                return Some(self.mark_ip(offset));
            }
        }
        None
    }

    /// A free, aligned /28: inside a `prefix` reservation first, then anywhere outside reservations.
    fn take_prefix(&mut self) -> Option<String> {
        let blocks = self.size() / 16;
        let block_ok = |plan: &Self, block: u32, reserved: bool| {
            (block * 16..block * 16 + 16).all(|o| {
                let i = o as usize;
                !plan.aws_reserved(o)
                    && !plan.used[i]
                    && !plan.explicit[i]
                    && plan.prefix_reserved[i] == reserved
            })
        };
        let block = (0..blocks)
            .find(|&b| block_ok(self, b, true))
            .or_else(|| (0..blocks).find(|&b| block_ok(self, b, false)))?;
        for offset in block * 16..block * 16 + 16 {
            self.used[offset as usize] = true;
        }
        self.allocated_prefixes.push(block * 16);
        Some(format!(
            "{}/28",
            format_ipv4(self.cidr.first() + block * 16)
        ))
    }

    /// One single-IP ENI (not a node's) at `offset`, if that address is free.
    fn other_eni_at(&mut self, offset: u32) {
        if offset < self.size() && self.ip_free(offset) {
            self.mark_ip(offset);
            self.other_enis += 1;
        }
    }

    fn allocated(&self) -> u64 {
        self.allocated_ips.len() as u64 + 16 * self.allocated_prefixes.len() as u64
    }

    fn free(&self) -> u64 {
        self.cidr.aws_usable_ips().saturating_sub(self.allocated())
    }

    /// Other workloads' ENIs until only `free` addresses are left (a subnet near exhaustion).
    fn fill_until_free(&mut self, free: u64) {
        while self.free() > free {
            if self.take_ip().is_none() {
                break;
            }
            self.other_enis += 1;
        }
    }

    /// The observed subnet: what DescribeSubnets + DescribeNetworkInterfaces would return.
    fn finish(mut self) -> Subnet {
        let base = self.cidr.first();
        let mut ips = self.allocated_ips.clone();
        ips.sort_unstable();
        let mut prefixes = self.allocated_prefixes.clone();
        prefixes.sort_unstable();
        self.subnet.available_ip_count = u32::try_from(self.free()).ok();
        self.subnet.allocated_ips = Some(ips.into_iter().map(|o| format_ipv4(base + o)).collect());
        self.subnet.allocated_prefixes = Some(
            prefixes
                .into_iter()
                .map(|o| format!("{}/28", format_ipv4(base + o)))
                .collect(),
        );
        self.subnet
    }
}

/// One nodegroup of the demo, before its nodes exist.
struct GroupSpec {
    name: &'static str,
    kind: NodegroupKind,
    os: Os,
    ami_type: Option<&'static str>,
    release_version: Option<&'static str>,
    instance_types: &'static [&'static str],
    capacity_type: &'static str,
    nodes: u32,
    /// Indexes into the cluster's subnet plans; nodes go round-robin.
    subnets: &'static [usize],
    /// (launch template name, version, user data text).
    launch_template: Option<(&'static str, &'static str, String)>,
    asg: Option<&'static str>,
    windows_build: Option<&'static str>,
    /// IP-consuming pods per node, drawn uniformly from this range.
    pods: (u32, u32),
    /// `false`: `DescribeNodegroup` was denied; the group is known by name only.
    described: bool,
}

struct ClusterSpec {
    name: &'static str,
    region: &'static str,
    account: (&'static str, &'static str),
    version: &'static str,
    platform_version: &'static str,
    vpc: &'static str,
    service_cidr: &'static str,
    service_count: Option<u32>,
    /// Pod counts are known (the scan had Kubernetes access) or not.
    pods_known: bool,
    windows_ipam: BTreeMap<String, String>,
    linux_env: BTreeMap<String, String>,
    groups: Vec<GroupSpec>,
}

fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn reservation(id: &str, cidr: &str, kind: ReservationType, description: &str) -> CidrReservation {
    CidrReservation {
        reservation_id: Some(id.into()),
        cidr: cidr.into(),
        reservation_type: kind,
        description: Some(description.into()),
    }
}

/// The subnets of one VPC, with the demo's story for each.
fn subnet_plans(cluster: &str) -> Vec<SubnetPlan> {
    let plans = match cluster {
        "prod-eu" => vec![
            SubnetPlan::new(
                "subnet-0a1e2f3b4c5d6e701",
                "eu-west-1",
                PROD.0,
                "vpc-0prodeu000000001",
                "eu-west-1a",
                "10.10.0.0/22",
                vec![],
            ),
            SubnetPlan::new(
                "subnet-0a1e2f3b4c5d6e702",
                "eu-west-1",
                PROD.0,
                "vpc-0prodeu000000001",
                "eu-west-1b",
                "10.10.4.0/22",
                vec![],
            ),
        ],
        "prod-us" => vec![
            // Near exhaustion: nodes plus other workloads' ENIs leave 9 addresses.
            SubnetPlan::new(
                "subnet-0b2f3a4c5d6e7f801",
                "us-east-1",
                PROD.0,
                "vpc-0produs000000001",
                "us-east-1a",
                "10.20.0.0/24",
                vec![],
            ),
            // Fragmented: one address in use in every /28 block; no prefix fits although ~150 IPs are free.
            SubnetPlan::new(
                "subnet-0b2f3a4c5d6e7f802",
                "us-east-1",
                PROD.0,
                "vpc-0produs000000001",
                "us-east-1b",
                "10.20.1.0/24",
                vec![],
            ),
            SubnetPlan::new(
                "subnet-0b2f3a4c5d6e7f803",
                "us-east-1",
                PROD.0,
                "vpc-0produs000000001",
                "us-east-1c",
                "10.20.16.0/20",
                vec![],
            ),
        ],
        "dev" => vec![SubnetPlan::new(
            "subnet-0c3a4b5c6d7e8f901",
            "us-east-1",
            DEV.0,
            "vpc-0dev0000000000001",
            "us-east-1a",
            "10.30.0.0/22",
            vec![],
        )],
        "analytics" => vec![
            SubnetPlan::new(
                "subnet-0d4b5c6d7e8f9a001",
                "eu-west-1",
                DEV.0,
                "vpc-0analytics000001",
                "eu-west-1a",
                "10.40.0.0/20",
                vec![
                    reservation(
                        "scr-0a1b2c3d4e5f60001",
                        "10.40.8.0/21",
                        ReservationType::Prefix,
                        "prefix delegation (Windows + Linux PD nodegroups)",
                    ),
                    reservation(
                        "scr-0a1b2c3d4e5f60002",
                        "10.40.0.64/26",
                        ReservationType::Explicit,
                        "static IPs for the ingest appliances",
                    ),
                ],
            ),
            SubnetPlan::new(
                "subnet-0d4b5c6d7e8f9a002",
                "eu-west-1",
                DEV.0,
                "vpc-0analytics000001",
                "eu-west-1b",
                "10.40.16.0/20",
                vec![],
            ),
        ],
        _ => vec![],
    };
    plans.into_iter().flatten().collect()
}

fn clusters_spec() -> Vec<ClusterSpec> {
    let ipam_secondary = map(&[("enable-windows-ipam", "true")]);
    let linux_default = map(&[("WARM_ENI_TARGET", "1")]);
    vec![
        ClusterSpec {
            name: "prod-eu",
            region: "eu-west-1",
            account: PROD,
            version: "1.31",
            platform_version: "eks.24",
            vpc: "vpc-0prodeu000000001",
            service_cidr: "172.20.0.0/16",
            service_count: Some(143),
            pods_known: true,
            windows_ipam: ipam_secondary.clone(),
            linux_env: linux_default.clone(),
            groups: vec![
                GroupSpec {
                    name: "win2019-dsr",
                    kind: NodegroupKind::Managed,
                    os: Os::Windows,
                    ami_type: Some("WINDOWS_CORE_2019_x86_64"),
                    release_version: Some("1.31-2025.10.14"),
                    instance_types: &["m5.xlarge"],
                    capacity_type: "ON_DEMAND",
                    nodes: 16,
                    subnets: &[0, 1],
                    launch_template: Some(("prod-eu-win2019-dsr", "3", SEED_USER_DATA.to_string())),
                    asg: Some("eks-win2019-dsr-5ec9a1b2-0c3d-4e5f-8a9b-0c1d2e3f4a5b"),
                    windows_build: Some("10.0.17763.7792"),
                    pods: (4, 12),
                    described: true,
                },
                GroupSpec {
                    name: "win2022-kube-proxy-args",
                    kind: NodegroupKind::Managed,
                    os: Os::Windows,
                    ami_type: Some("WINDOWS_FULL_2022_x86_64"),
                    release_version: Some("1.31-2025.10.14"),
                    instance_types: &["m5.large"],
                    capacity_type: "ON_DEMAND",
                    nodes: 10,
                    subnets: &[0, 1],
                    launch_template: Some((
                        "prod-eu-win2022",
                        "7",
                        windows_user_data(
                            "prod-eu",
                            Some("--enable-dsr=true --feature-gates=WinDSR=true"),
                            None,
                        ),
                    )),
                    asg: Some("eks-win2022-kube-proxy-args-7fa1b2c3-4d5e-6f70-8192-a3b4c5d6e7f8"),
                    windows_build: Some("10.0.20348.4171"),
                    pods: (2, 7),
                    described: true,
                },
                GroupSpec {
                    name: "win2022-default",
                    kind: NodegroupKind::Managed,
                    os: Os::Windows,
                    ami_type: Some("WINDOWS_CORE_2022_x86_64"),
                    release_version: Some("1.31-2025.09.10"),
                    instance_types: &["m5.large"],
                    capacity_type: "ON_DEMAND",
                    nodes: 8,
                    subnets: &[0, 1],
                    launch_template: None,
                    asg: Some("eks-win2022-default-0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"),
                    windows_build: Some("10.0.20348.4171"),
                    pods: (3, 8),
                    described: true,
                },
                GroupSpec {
                    name: "linux-system",
                    kind: NodegroupKind::Managed,
                    os: Os::Linux,
                    ami_type: Some("AL2023_x86_64_STANDARD"),
                    release_version: Some("1.31.11-20251016"),
                    instance_types: &["m5.large"],
                    capacity_type: "ON_DEMAND",
                    nodes: 10,
                    subnets: &[0, 1],
                    launch_template: None,
                    asg: Some("eks-linux-system-1a2b3c4d-5e6f-7081-92a3-b4c5d6e7f809"),
                    windows_build: None,
                    pods: (6, 20),
                    described: true,
                },
                GroupSpec {
                    name: "linux-apps",
                    kind: NodegroupKind::Managed,
                    os: Os::Linux,
                    ami_type: Some("AL2023_x86_64_STANDARD"),
                    release_version: Some("1.31.11-20251016"),
                    instance_types: &["m5.xlarge"],
                    capacity_type: "SPOT",
                    nodes: 8,
                    subnets: &[0, 1],
                    launch_template: None,
                    asg: Some("eks-linux-apps-2b3c4d5e-6f70-8192-a3b4-c5d6e7f8091a"),
                    windows_build: None,
                    pods: (10, 40),
                    described: true,
                },
            ],
        },
        ClusterSpec {
            name: "prod-us",
            region: "us-east-1",
            account: PROD,
            version: "1.33",
            platform_version: "eks.12",
            vpc: "vpc-0produs000000001",
            service_cidr: "10.100.0.0/16",
            service_count: Some(87),
            pods_known: false,
            windows_ipam: ipam_secondary.clone(),
            linux_env: linux_default.clone(),
            groups: vec![
                // The seed's own example: an eksctl self-managed Windows nodegroup with the BPG user data.
                GroupSpec {
                    name: "windows-ng",
                    kind: NodegroupKind::SelfManaged,
                    os: Os::Windows,
                    ami_type: None,
                    release_version: None,
                    instance_types: &["c5.xlarge"],
                    capacity_type: "ON_DEMAND",
                    nodes: 4,
                    subnets: &[2],
                    launch_template: Some((
                        "eksctl-prod-us-nodegroup-windows-ng",
                        "1",
                        SEED_USER_DATA.to_string(),
                    )),
                    asg: Some("eksctl-prod-us-nodegroup-windows-ng-NodeGroup-7Q2M4K1ZC1VX"),
                    windows_build: Some("10.0.17763.7792"),
                    pods: (3, 10),
                    described: true,
                },
                GroupSpec {
                    name: "win2022-dsr",
                    kind: NodegroupKind::Managed,
                    os: Os::Windows,
                    ami_type: Some("WINDOWS_CORE_2022_x86_64"),
                    release_version: Some("1.33-2025.10.14"),
                    instance_types: &["m5.large"],
                    capacity_type: "ON_DEMAND",
                    nodes: 8,
                    subnets: &[1],
                    launch_template: Some((
                        "prod-us-win2022-dsr",
                        "2",
                        windows_user_data("prod-us", Some("--enable-dsr=true"), None),
                    )),
                    asg: Some("eks-win2022-dsr-3c4d5e6f-7081-92a3-b4c5-d6e7f8091a2b"),
                    windows_build: Some("10.0.20348.4171"),
                    pods: (1, 6),
                    described: true,
                },
                GroupSpec {
                    name: "linux-general",
                    kind: NodegroupKind::Managed,
                    os: Os::Linux,
                    ami_type: Some("AL2023_x86_64_STANDARD"),
                    release_version: Some("1.33.4-20251016"),
                    instance_types: &["m5.large"],
                    capacity_type: "ON_DEMAND",
                    nodes: 20,
                    subnets: &[0, 2],
                    launch_template: None,
                    asg: Some("eks-linux-general-4d5e6f70-8192-a3b4-c5d6-e7f8091a2b3c"),
                    windows_build: None,
                    pods: (2, 8),
                    described: true,
                },
                GroupSpec {
                    name: "default",
                    kind: NodegroupKind::Karpenter,
                    os: Os::Linux,
                    ami_type: None,
                    release_version: None,
                    instance_types: &["c5.large", "m5.xlarge", "c6i.2xlarge"],
                    capacity_type: "spot",
                    nodes: 44,
                    subnets: &[2],
                    launch_template: None,
                    asg: None,
                    windows_build: None,
                    pods: (5, 30),
                    described: true,
                },
            ],
        },
        ClusterSpec {
            name: "dev",
            region: "us-east-1",
            account: DEV,
            version: "1.30",
            platform_version: "eks.33",
            vpc: "vpc-0dev0000000000001",
            service_cidr: "172.20.0.0/16",
            service_count: None,
            pods_known: false,
            windows_ipam: ipam_secondary,
            linux_env: linux_default,
            groups: vec![
                // --enable-dsr without the gate on 1.30: kube-proxy would fail "WinDSR feature gate not enabled".
                GroupSpec {
                    name: "win2019-gate-missing",
                    kind: NodegroupKind::Managed,
                    os: Os::Windows,
                    ami_type: Some("WINDOWS_FULL_2019_x86_64"),
                    release_version: Some("1.30-2025.10.14"),
                    instance_types: &["m5.large"],
                    capacity_type: "ON_DEMAND",
                    nodes: 6,
                    subnets: &[0],
                    launch_template: Some((
                        "dev-win2019",
                        "4",
                        windows_user_data("dev", Some("--enable-dsr=true"), None),
                    )),
                    asg: Some("eks-win2019-gate-missing-5e6f7081-92a3-b4c5-d6e7-f8091a2b3c4d"),
                    windows_build: Some("10.0.17763.7792"),
                    pods: (1, 6),
                    described: true,
                },
                // DescribeNodegroup denied (see `errors`): known by name and its instances only.
                GroupSpec {
                    name: "win-legacy",
                    kind: NodegroupKind::Managed,
                    os: Os::Windows,
                    ami_type: None,
                    release_version: None,
                    instance_types: &["m5.large"],
                    capacity_type: "ON_DEMAND",
                    nodes: 3,
                    subnets: &[0],
                    launch_template: None,
                    asg: None,
                    windows_build: Some("10.0.17763.6414"),
                    pods: (2, 5),
                    described: false,
                },
                GroupSpec {
                    name: "linux-dev",
                    kind: NodegroupKind::Managed,
                    os: Os::Linux,
                    ami_type: Some("AL2023_x86_64_STANDARD"),
                    release_version: Some("1.30.14-20251016"),
                    instance_types: &["t3.large"],
                    capacity_type: "SPOT",
                    nodes: 16,
                    subnets: &[0],
                    launch_template: None,
                    asg: Some("eks-linux-dev-6f708192-a3b4-c5d6-e7f8-091a2b3c4d5e"),
                    windows_build: None,
                    pods: (3, 14),
                    described: true,
                },
            ],
        },
        ClusterSpec {
            name: "analytics",
            region: "eu-west-1",
            account: DEV,
            version: "1.32",
            platform_version: "eks.18",
            vpc: "vpc-0analytics000001",
            service_cidr: "10.100.0.0/16",
            service_count: Some(36),
            pods_known: true,
            windows_ipam: map(&[
                ("enable-windows-ipam", "true"),
                ("enable-windows-prefix-delegation", "true"),
            ]),
            linux_env: map(&[
                ("ENABLE_PREFIX_DELEGATION", "true"),
                ("WARM_PREFIX_TARGET", "1"),
                ("WARM_ENI_TARGET", "1"),
            ]),
            groups: vec![
                GroupSpec {
                    name: "win2022-pd",
                    kind: NodegroupKind::Managed,
                    os: Os::Windows,
                    ami_type: Some("WINDOWS_CORE_2022_x86_64"),
                    release_version: Some("1.32-2025.10.14"),
                    instance_types: &["m5.xlarge"],
                    capacity_type: "ON_DEMAND",
                    nodes: 6,
                    subnets: &[0],
                    launch_template: Some((
                        "analytics-win2022-pd",
                        "5",
                        windows_user_data("analytics", None, Some("--max-pods=150")),
                    )),
                    asg: Some("eks-win2022-pd-708192a3-b4c5-d6e7-f809-1a2b3c4d5e6f"),
                    windows_build: Some("10.0.20348.4171"),
                    pods: (12, 40),
                    described: true,
                },
                GroupSpec {
                    name: "linux-pd",
                    kind: NodegroupKind::Managed,
                    os: Os::Linux,
                    ami_type: Some("AL2023_x86_64_STANDARD"),
                    release_version: Some("1.32.9-20251016"),
                    instance_types: &["m5.xlarge"],
                    capacity_type: "ON_DEMAND",
                    nodes: 10,
                    subnets: &[0],
                    launch_template: None,
                    asg: Some("eks-linux-pd-8192a3b4-c5d6-e7f8-091a-2b3c4d5e6f70"),
                    windows_build: None,
                    pods: (15, 60),
                    described: true,
                },
                GroupSpec {
                    name: "batch",
                    kind: NodegroupKind::Karpenter,
                    os: Os::Linux,
                    ami_type: None,
                    release_version: None,
                    instance_types: &["c6i.4xlarge", "m6i.4xlarge"],
                    capacity_type: "spot",
                    nodes: 20,
                    subnets: &[1],
                    launch_template: None,
                    asg: None,
                    windows_build: None,
                    pods: (20, 90),
                    described: true,
                },
            ],
        },
    ]
}

/// Per-scope facts for the call count.
#[derive(Default)]
struct ScopeCalls {
    clusters: u32,
    managed_nodegroups: u32,
    launch_templates: BTreeSet<(String, String)>,
    subnets: u32,
    enis: u32,
    instance_types: BTreeSet<String>,
}

/// The calls `eniscope scan` makes for this fleet, per `aws::collect`: per account × region one
/// ListClusters page; per cluster DescribeCluster, ListNodegroups, one DescribeNodegroup per managed
/// nodegroup, three filtered DescribeInstances (≤ 1000 instances a page); per region one
/// DescribeLaunchTemplateVersions per distinct template version, DescribeSubnets in chunks of 100,
/// one GetSubnetCidrReservations per subnet, DescribeNetworkInterfaces in chunks of 100 subnets
/// (≤ 1000 ENIs a page), DescribeInstanceTypes for types not already cached (≤ 100 a call).
fn api_calls(scopes: &[((&str, &str), ScopeCalls)]) -> BTreeMap<String, u64> {
    let mut calls: BTreeMap<String, u64> = BTreeMap::new();
    let mut add = |name: &str, n: u64| *calls.entry(name.to_string()).or_insert(0) += n;
    let mut cached: BTreeSet<String> = BTreeSet::new();
    for (_, scope) in scopes {
        add("eks:ListClusters", 1);
        add("eks:DescribeCluster", u64::from(scope.clusters));
        add("eks:ListNodegroups", u64::from(scope.clusters));
        add("eks:DescribeNodegroup", u64::from(scope.managed_nodegroups));
        add("ec2:DescribeInstances", 3 * u64::from(scope.clusters));
        add(
            "ec2:DescribeLaunchTemplateVersions",
            scope.launch_templates.len() as u64,
        );
        if scope.subnets > 0 {
            add(
                "ec2:DescribeSubnets",
                u64::from(scope.subnets.div_ceil(100)),
            );
            add("ec2:GetSubnetCidrReservations", u64::from(scope.subnets));
            add(
                "ec2:DescribeNetworkInterfaces",
                u64::from(scope.enis.div_ceil(1000).max(1)),
            );
        }
        let new_types = scope.instance_types.difference(&cached).count() as u64;
        if new_types > 0 {
            add("ec2:DescribeInstanceTypes", new_types.div_ceil(100));
        }
        cached.extend(scope.instance_types.iter().cloned());
    }
    calls
}

/// Build one node's ENIs for `held` (from the warm-pool math), taking addresses from `plan`.
/// Windows: one ENI (device index 0). Linux: `held.enis` ENIs, each filled up to its slots.
fn node_enis(
    rng: &mut SplitMix64,
    plan: &mut SubnetPlan,
    os: Os,
    mode: IpMode,
    limits: &InstanceTypeLimits,
    held: HeldCounts,
) -> Vec<Eni> {
    let slots = limits.ipv4_per_eni.saturating_sub(1).max(1);
    let enis = if os == Os::Windows {
        1
    } else {
        held.enis.max(1)
    };
    let mut ips_left = held.held_ips;
    let mut prefixes_left = held.held_prefixes;
    let mut out = Vec::new();
    for device in 0..enis {
        let Some(primary) = plan.take_ip() else { break };
        let mut eni = Eni {
            eni_id: rng.id("eni"),
            interface_type: Some("interface".into()),
            device_index: Some(device),
            network_card_index: Some(0),
            subnet_id: Some(plan.subnet.subnet_id.clone()),
            primary_ip: Some(primary),
            secondary_ips: Vec::new(),
            ipv4_prefixes: Vec::new(),
        };
        match mode {
            IpMode::SecondaryIp => {
                for _ in 0..ips_left.min(slots) {
                    if let Some(ip) = plan.take_ip() {
                        eni.secondary_ips.push(ip);
                    }
                }
                ips_left = ips_left.saturating_sub(slots);
            }
            IpMode::PrefixDelegation => {
                for _ in 0..prefixes_left.min(slots) {
                    if let Some(prefix) = plan.take_prefix() {
                        eni.ipv4_prefixes.push(prefix);
                    }
                }
                prefixes_left = prefixes_left.saturating_sub(slots);
            }
        }
        plan.node_enis += 1;
        out.push(eni);
    }
    out
}

/// The demo fleet, with instance-type limits from `table` (as a scan's DescribeInstanceTypes would return).
pub fn demo_snapshot_with(table: &InstanceTypeTable) -> Snapshot {
    let mut rng = SplitMix64(0x0E15_C0BE_2026_1126);
    let mut clusters = Vec::new();
    let mut subnets = Vec::new();
    let mut types_seen: BTreeSet<String> = BTreeSet::new();
    let mut scopes: Vec<((&str, &str), ScopeCalls)> = vec![
        ((PROD.1, "eu-west-1"), ScopeCalls::default()),
        ((PROD.1, "us-east-1"), ScopeCalls::default()),
        ((DEV.1, "eu-west-1"), ScopeCalls::default()),
        ((DEV.1, "us-east-1"), ScopeCalls::default()),
        // ListClusters denied here (see errors): one call, nothing else.
        ((DEV.1, "ap-southeast-2"), ScopeCalls::default()),
    ];

    for spec in clusters_spec() {
        let mut plans = subnet_plans(spec.name);
        if spec.name == "prod-us" {
            // Other workloads scattered one ENI into every /28 block of the second subnet.
            if let Some(plan) = plans.get_mut(1) {
                for block in 0..plan.size() / 16 {
                    plan.other_eni_at(block * 16 + 7);
                }
            }
        }
        let windows_config = parse_windows_configmap(Some(&spec.windows_ipam));
        let (linux_input, _) = parse_linux_env(&spec.linux_env);
        let linux_settings = LinuxWarmSettings::from_input(&linux_input);
        let linux_pd = spec
            .linux_env
            .get("ENABLE_PREFIX_DELEGATION")
            .is_some_and(|v| v == "true");
        let scope = scopes
            .iter_mut()
            .find(|((label, region), _)| *label == spec.account.1 && *region == spec.region)
            .map(|(_, s)| s);

        let mut nodegroups = Vec::new();
        let mut nodes = Vec::new();
        let mut managed = 0;
        let mut launch_templates = BTreeSet::new();
        for group in &spec.groups {
            let lt_id = group.launch_template.as_ref().map(|_| rng.id("lt"));
            let ami_id = rng.id("ami");
            let user_data = match (&group.launch_template, &lt_id) {
                (Some((_, version, text)), Some(id)) => {
                    Some(parse_user_data(text, &format!("{id} version {version}")))
                }
                _ => None,
            };
            if let (Some((_, version, _)), Some(id)) = (&group.launch_template, &lt_id) {
                launch_templates.insert((id.clone(), version.to_string()));
            }
            if group.kind == NodegroupKind::Managed {
                managed += 1;
            }
            let kubelet_max_pods = user_data.as_ref().and_then(|u| u.kubelet_max_pods);
            for index in 0..group.nodes {
                let instance_type =
                    group.instance_types[index as usize % group.instance_types.len()];
                types_seen.insert(instance_type.to_string());
                let Some(limits) = table.get(instance_type) else {
                    continue;
                };
                let plan_index = group.subnets[index as usize % group.subnets.len()];
                let Some(plan) = plans.get_mut(plan_index) else {
                    continue;
                };
                let pods = rng.range(group.pods.0, group.pods.1);
                let (mode, held) = match group.os {
                    Os::Windows => {
                        let pool = WarmPool::windows(limits, &windows_config.settings);
                        (pool.mode, pool.held(pods))
                    }
                    Os::Linux => {
                        let options = MaxPodsOptions {
                            prefix_delegation: linux_pd,
                            custom_networking: false,
                            kubelet_max_pods: None,
                        };
                        let kubelet = max_pods(limits, Os::Linux, options)
                            .map_or(110, |m| m.recommended_max_pods);
                        let pool =
                            WarmPool::linux(limits, &linux_settings, linux_pd, false, kubelet);
                        (pool.mode, pool.held(pods))
                    }
                };
                let enis = node_enis(&mut rng, plan, group.os, mode, limits, held);
                let used = match group.os {
                    // Pods beyond the kubelet's max-pods do not run.
                    Os::Windows => held.used_ips.min(
                        kubelet_max_pods
                            .unwrap_or(shared::maxpods::WINDOWS_DEFAULT_KUBELET_MAX_PODS),
                    ),
                    Os::Linux => held.used_ips,
                };
                let day = 18 + rng.range(0, 7);
                let launch_time = format!(
                    "2026-11-{day:02}T{:02}:{:02}:{:02}Z",
                    rng.range(0, 23),
                    rng.range(0, 59),
                    rng.range(0, 59)
                );
                nodes.push(Node {
                    instance_id: rng.id("i"),
                    instance_type: instance_type.to_string(),
                    os: group.os,
                    nodegroup: Some(group.name.to_string()),
                    subnet_id: Some(plan.subnet.subnet_id.clone()),
                    availability_zone: plan.subnet.availability_zone.clone(),
                    private_ip: enis.first().and_then(|e| e.primary_ip.clone()),
                    ami_id: Some(ami_id.clone()),
                    launch_time: Some(launch_time),
                    state: Some("running".into()),
                    platform_details: Some(match group.os {
                        Os::Windows => "Windows".into(),
                        Os::Linux => "Linux/UNIX".into(),
                    }),
                    windows_build: group.windows_build.map(str::to_string),
                    enis,
                    pods_with_ips: spec.pods_known.then_some(used),
                });
            }
            let subnet_ids: Vec<String> = group
                .subnets
                .iter()
                .filter_map(|&i| plans.get(i))
                .map(|p| p.subnet.subnet_id.clone())
                .collect();
            let mut labels = BTreeMap::new();
            match group.kind {
                NodegroupKind::Karpenter => {
                    labels.insert("karpenter.sh/nodepool".to_string(), group.name.to_string());
                }
                NodegroupKind::SelfManaged => {
                    labels.insert(
                        "alpha.eksctl.io/nodegroup-name".to_string(),
                        group.name.to_string(),
                    );
                    labels.insert(
                        "alpha.eksctl.io/cluster-name".to_string(),
                        spec.name.to_string(),
                    );
                }
                _ => {}
            }
            nodegroups.push(if group.described {
                Nodegroup {
                    name: group.name.to_string(),
                    kind: group.kind,
                    os: Some(group.os),
                    ami_type: group.ami_type.map(str::to_string),
                    release_version: group.release_version.map(str::to_string),
                    version: Some(spec.version.to_string()),
                    instance_types: group.instance_types.iter().map(|t| t.to_string()).collect(),
                    capacity_type: Some(group.capacity_type.to_string()),
                    scaling: (group.kind != NodegroupKind::Karpenter).then_some(Scaling {
                        min_size: 1,
                        max_size: group.nodes * 2,
                        desired_size: group.nodes,
                    }),
                    subnet_ids,
                    launch_template: group.launch_template.as_ref().map(|(name, version, _)| {
                        LaunchTemplateRef {
                            id: lt_id.clone(),
                            name: Some(name.to_string()),
                            version: Some(version.to_string()),
                        }
                    }),
                    asg_names: group.asg.map(|a| vec![a.to_string()]).unwrap_or_default(),
                    user_data,
                    status: (group.kind == NodegroupKind::Managed).then(|| "ACTIVE".to_string()),
                    labels,
                }
            } else {
                // What the collector keeps when DescribeNodegroup fails: the name, the OS of its instances.
                Nodegroup {
                    name: group.name.to_string(),
                    kind: group.kind,
                    os: Some(group.os),
                    ami_type: None,
                    release_version: None,
                    version: None,
                    instance_types: Vec::new(),
                    capacity_type: None,
                    scaling: None,
                    subnet_ids: Vec::new(),
                    launch_template: None,
                    asg_names: Vec::new(),
                    user_data: None,
                    status: None,
                    labels: BTreeMap::new(),
                }
            });
        }

        if spec.name == "prod-us"
            && let Some(plan) = plans.get_mut(0)
        {
            plan.fill_until_free(9);
        }
        if let Some(scope) = scope {
            scope.clusters += 1;
            scope.managed_nodegroups += managed;
            scope.launch_templates.extend(launch_templates);
            scope.subnets += plans.len() as u32;
            scope.enis += plans
                .iter()
                .map(|p| p.node_enis + p.other_enis)
                .sum::<u32>();
            scope.instance_types.extend(
                spec.groups
                    .iter()
                    .flat_map(|g| g.instance_types.iter().map(|t| t.to_string())),
            );
        }
        let subnet_ids: Vec<String> = plans.iter().map(|p| p.subnet.subnet_id.clone()).collect();
        subnets.extend(plans.into_iter().map(SubnetPlan::finish));
        clusters.push(Cluster {
            name: spec.name.to_string(),
            region: spec.region.to_string(),
            account_id: Some(spec.account.0.to_string()),
            account_label: Some(spec.account.1.to_string()),
            version: Some(spec.version.to_string()),
            platform_version: Some(spec.platform_version.to_string()),
            status: Some("ACTIVE".into()),
            vpc_id: Some(spec.vpc.to_string()),
            subnet_ids,
            service_ipv4_cidr: Some(spec.service_cidr.to_string()),
            ip_family: Some("ipv4".into()),
            nodegroups,
            nodes,
            windows_ipam_config: Some(spec.windows_ipam.clone()),
            linux_ipam_env: Some(spec.linux_env.clone()),
            service_count: spec.service_count,
        });
    }

    let errors = vec![
        SourceError {
            account: Some(DEV.1.into()),
            region: Some("us-east-1".into()),
            cluster: Some("dev".into()),
            operation: Some("eks:DescribeNodegroup".into()),
            kind: ErrorKind::AccessDenied,
            message: format!(
                "User: arn:aws:sts::{}:assumed-role/eniscope-readonly/eniscope is not authorized to perform: eks:DescribeNodegroup on resource: arn:aws:eks:us-east-1:{}:nodegroup/dev/win-legacy/* (nodegroup win-legacy: its AMI type, launch template and user data are unknown; add eks:DescribeNodegroup to the role)",
                DEV.0, DEV.0
            ),
        },
        SourceError {
            account: Some(DEV.1.into()),
            region: Some("ap-southeast-2".into()),
            cluster: None,
            operation: Some("eks:ListClusters".into()),
            kind: ErrorKind::AccessDenied,
            message: "explicit deny in a service control policy for ap-southeast-2: clusters in this region are not shown; remove the region from the config or allow eks:ListClusters".into(),
        },
    ];

    let instance_types = types_seen
        .iter()
        .filter_map(|t| table.get(t).cloned())
        .collect();
    let cluster_count = clusters.len();
    Snapshot {
        schema_version: SCHEMA_VERSION,
        collected_at: DEMO_COLLECTED_AT.into(),
        source: SnapshotSource {
            kind: SourceKind::Demo,
            description: format!(
                "demo fleet built into eniscope (not real AWS data): {cluster_count} clusters in eu-west-1 and us-east-1, accounts prod ({}) and dev ({})",
                PROD.0, DEV.0
            ),
        },
        clusters,
        subnets,
        instance_types,
        errors,
        api_calls: api_calls(&scopes),
        // Not measured: the demo was not scanned.
        scan_duration_ms: None,
    }
}

/// The demo fleet with the embedded instance-type table.
pub fn demo_snapshot() -> Snapshot {
    let table = crate::state::embedded_instance_types()
        .map(|t| (*t).clone())
        .unwrap_or_default();
    demo_snapshot_with(&table)
}

#[cfg(test)]
mod tests;
