//! The snapshot: what was observed, nothing derived. The contract between the collector (or a file,
//! or the embedded demo fleet) and every analysis. See design.md "The snapshot is the contract".

use crate::limits::InstanceTypeLimits;
use crate::maxpods::Os;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Bumped on every incompatible change; a reader refuses versions it does not know.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    pub schema_version: u32,
    /// RFC 3339 UTC time the collection finished.
    pub collected_at: String,
    pub source: SnapshotSource,
    pub clusters: Vec<Cluster>,
    /// Every subnet referenced by a cluster, nodegroup or node.
    pub subnets: Vec<Subnet>,
    /// Limits of the instance types seen (from DescribeInstanceTypes, else the embedded table).
    pub instance_types: Vec<InstanceTypeLimits>,
    /// Per-source errors: a failing account/region/cluster never hides the others.
    #[serde(default)]
    pub errors: Vec<SourceError>,
    /// AWS calls made by the scan, by operation (e.g. `ec2:DescribeInstances` → 12).
    #[serde(default)]
    pub api_calls: BTreeMap<String, u64>,
    #[serde(default)]
    pub scan_duration_ms: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    /// The embedded demo fleet.
    Demo,
    /// A live scan through the AWS SDK.
    Aws,
    /// A snapshot file given with `--snapshot`.
    File,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotSource {
    pub kind: SourceKind,
    /// Human description: "demo fleet", "accounts prod, dev × regions eu-west-1, us-east-1", a path.
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cluster {
    pub name: String,
    pub region: String,
    #[serde(default)]
    pub account_id: Option<String>,
    /// The configured account label (profile or role name) this cluster was read through.
    #[serde(default)]
    pub account_label: Option<String>,
    #[serde(default)]
    pub version: Option<String>,
    #[serde(default)]
    pub platform_version: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub vpc_id: Option<String>,
    /// `resourcesVpcConfig.subnetIds`.
    #[serde(default)]
    pub subnet_ids: Vec<String>,
    #[serde(default)]
    pub service_ipv4_cidr: Option<String>,
    #[serde(default)]
    pub ip_family: Option<String>,
    #[serde(default)]
    pub nodegroups: Vec<Nodegroup>,
    #[serde(default)]
    pub nodes: Vec<Node>,
    /// `kube-system/amazon-vpc-cni` ConfigMap data (Windows IPAM keys), when known. `None`: defaults
    /// are assumed and the UI says so.
    #[serde(default)]
    pub windows_ipam_config: Option<BTreeMap<String, String>>,
    /// `aws-node` env (WARM_ENI_TARGET, …), when known.
    #[serde(default)]
    pub linux_ipam_env: Option<BTreeMap<String, String>>,
    /// Number of Services in the cluster, when known (port-exhaustion risk on Windows without DSR).
    #[serde(default)]
    pub service_count: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum NodegroupKind {
    /// EKS managed nodegroup (DescribeNodegroup).
    Managed,
    /// Self-managed, grouped by Auto Scaling group (instance tag `aws:autoscaling:groupName`).
    SelfManaged,
    /// Karpenter, grouped by `karpenter.sh/nodepool`.
    Karpenter,
    /// Tagged for the cluster but in no group we can name.
    Ungrouped,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Nodegroup {
    pub name: String,
    pub kind: NodegroupKind,
    /// OS from `amiType`, else from the instances' platform; `None` if neither is known.
    #[serde(default)]
    pub os: Option<Os>,
    #[serde(default)]
    pub ami_type: Option<String>,
    #[serde(default)]
    pub release_version: Option<String>,
    /// Kubernetes version of the nodegroup.
    #[serde(default)]
    pub version: Option<String>,
    #[serde(default)]
    pub instance_types: Vec<String>,
    #[serde(default)]
    pub capacity_type: Option<String>,
    #[serde(default)]
    pub scaling: Option<Scaling>,
    #[serde(default)]
    pub subnet_ids: Vec<String>,
    #[serde(default)]
    pub launch_template: Option<LaunchTemplateRef>,
    #[serde(default)]
    pub asg_names: Vec<String>,
    /// What the user data says (decoded at collection; the raw text is not kept).
    #[serde(default)]
    pub user_data: Option<UserDataFlags>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scaling {
    pub min_size: u32,
    pub max_size: u32,
    pub desired_size: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LaunchTemplateRef {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub version: Option<String>,
}

/// Flags found in decoded launch-template user data (domain.md §5.4). Observed text facts only.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct UserDataFlags {
    /// Where the user data came from, e.g. "lt-0abc… version 3".
    pub source: String,
    /// Size of the decoded user data in bytes.
    pub decoded_bytes: u64,
    /// `--enable-dsr` (bare or `=true`) → `Some(true)`; `--enable-dsr=false` → `Some(false)`.
    #[serde(default)]
    pub enable_dsr: Option<bool>,
    /// `WinDSR=true` / `WinDSR=false` in a feature-gates list.
    #[serde(default)]
    pub win_dsr_gate: Option<bool>,
    /// The value given to `-KubeProxyExtraArgs`, if any.
    #[serde(default)]
    pub kube_proxy_extra_args: Option<String>,
    /// The BPG's `.replace('"--proxy-mode=kernelspace",' …)` patch of Start-EKSBootstrap.ps1.
    #[serde(default)]
    pub proxy_mode_patch: bool,
    /// `--max-pods=N` in `-KubeletExtraArgs` / kubelet flags.
    #[serde(default)]
    pub kubelet_max_pods: Option<u32>,
    /// `Start-EKSBootstrap.ps1` (Windows) / `bootstrap.sh` / `nodeadm` seen.
    #[serde(default)]
    pub bootstrap: Option<String>,
    /// Why the user data could not be read (not base64, not UTF-8, too large), if so.
    #[serde(default)]
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Node {
    pub instance_id: String,
    pub instance_type: String,
    /// OS from the nodegroup's amiType, else the instance's `Platform`.
    pub os: Os,
    /// Name of the nodegroup in the same cluster (see `Nodegroup::name`), if any.
    #[serde(default)]
    pub nodegroup: Option<String>,
    #[serde(default)]
    pub subnet_id: Option<String>,
    #[serde(default)]
    pub availability_zone: Option<String>,
    #[serde(default)]
    pub private_ip: Option<String>,
    #[serde(default)]
    pub ami_id: Option<String>,
    #[serde(default)]
    pub launch_time: Option<String>,
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub platform_details: Option<String>,
    /// Windows build (e.g. `10.0.20348`), when known.
    #[serde(default)]
    pub windows_build: Option<String>,
    #[serde(default)]
    pub enis: Vec<Eni>,
    /// Pods running on the node that hold a VPC IP, when known (needs Kubernetes access).
    #[serde(default)]
    pub pods_with_ips: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Eni {
    pub eni_id: String,
    /// `interface`, `trunk`, `efa`, `branch`, …
    #[serde(default)]
    pub interface_type: Option<String>,
    #[serde(default)]
    pub device_index: Option<u32>,
    #[serde(default)]
    pub network_card_index: Option<u32>,
    #[serde(default)]
    pub subnet_id: Option<String>,
    #[serde(default)]
    pub primary_ip: Option<String>,
    /// `PrivateIpAddresses` with `Primary=false`.
    #[serde(default)]
    pub secondary_ips: Vec<String>,
    /// `Ipv4Prefixes`: /28 CIDRs.
    #[serde(default)]
    pub ipv4_prefixes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Subnet {
    pub subnet_id: String,
    pub region: String,
    #[serde(default)]
    pub account_id: Option<String>,
    #[serde(default)]
    pub vpc_id: Option<String>,
    #[serde(default)]
    pub availability_zone: Option<String>,
    /// IPv4 CIDR, e.g. `10.0.1.0/24`.
    pub cidr: String,
    /// `AvailableIpAddressCount` (free /32s; says nothing about /28 contiguity).
    #[serde(default)]
    pub available_ip_count: Option<u32>,
    #[serde(default)]
    pub cidr_reservations: Vec<CidrReservation>,
    /// Every private IPv4 of every ENI in the subnet (DescribeNetworkInterfaces by subnet), when read.
    #[serde(default)]
    pub allocated_ips: Option<Vec<String>>,
    /// Every /28 prefix on an ENI in the subnet, when read.
    #[serde(default)]
    pub allocated_prefixes: Option<Vec<String>>,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReservationType {
    /// AWS assigns the reserved addresses to ENIs as prefixes.
    Prefix,
    /// You assign them.
    Explicit,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CidrReservation {
    #[serde(default)]
    pub reservation_id: Option<String>,
    pub cidr: String,
    pub reservation_type: ReservationType,
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorKind {
    AccessDenied,
    Throttled,
    Unreachable,
    NotFound,
    InvalidResponse,
    Credentials,
    Other,
}

/// An error scoped to the source it hit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceError {
    #[serde(default)]
    pub account: Option<String>,
    #[serde(default)]
    pub region: Option<String>,
    #[serde(default)]
    pub cluster: Option<String>,
    /// e.g. `eks:DescribeNodegroup`.
    #[serde(default)]
    pub operation: Option<String>,
    pub kind: ErrorKind,
    pub message: String,
}

/// Why a snapshot file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error(
        "snapshot schema_version {found} is newer than this eniscope understands ({supported}); upgrade eniscope or re-run `eniscope scan` with this version"
    )]
    NewerSchema { found: u32, supported: u32 },
    #[error(
        "snapshot schema_version {found} is not supported (this eniscope reads {supported}); re-run `eniscope scan`"
    )]
    UnknownSchema { found: u32, supported: u32 },
    #[error(
        "snapshot has no schema_version: is this an eniscope snapshot? (write one with `eniscope scan --output fleet.json`)"
    )]
    MissingSchema,
    #[error(
        "snapshot is not valid JSON ({0}); the file may be truncated: re-run `eniscope scan --output …`"
    )]
    Json(String),
}

impl Snapshot {
    /// Parse a snapshot, checking the schema version before anything else so a newer file gets the
    /// right message rather than a field error.
    pub fn from_json(text: &str) -> Result<Self, SnapshotError> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| SnapshotError::Json(e.to_string()))?;
        let found = value
            .get("schema_version")
            .and_then(serde_json::Value::as_u64)
            .ok_or(SnapshotError::MissingSchema)?;
        let found = u32::try_from(found).unwrap_or(u32::MAX);
        if found > SCHEMA_VERSION {
            return Err(SnapshotError::NewerSchema {
                found,
                supported: SCHEMA_VERSION,
            });
        }
        if found != SCHEMA_VERSION {
            return Err(SnapshotError::UnknownSchema {
                found,
                supported: SCHEMA_VERSION,
            });
        }
        serde_json::from_value(value).map_err(|e| SnapshotError::Json(e.to_string()))
    }

    pub fn cluster(&self, region: &str, name: &str) -> Option<&Cluster> {
        self.clusters
            .iter()
            .find(|c| c.region == region && c.name == name)
    }

    pub fn subnet(&self, subnet_id: &str) -> Option<&Subnet> {
        self.subnets.iter().find(|s| s.subnet_id == subnet_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_newer_and_truncated_snapshots() {
        let newer = r#"{"schema_version": 99, "clusters": []}"#;
        assert!(matches!(
            Snapshot::from_json(newer),
            Err(SnapshotError::NewerSchema { found: 99, .. })
        ));
        let truncated = r#"{"schema_version": 1, "clusters": [{"name": "a""#;
        let err = Snapshot::from_json(truncated).expect_err("truncated");
        assert!(err.to_string().contains("truncated"), "{err}");
        assert!(matches!(
            Snapshot::from_json("{}"),
            Err(SnapshotError::MissingSchema)
        ));
    }
}
