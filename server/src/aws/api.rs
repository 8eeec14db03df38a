//! The seam between the collector and AWS: one trait, one method per AWS request (one page), returning
//! plain structs. `real::SdkApi` implements it over aws-sdk-eks/aws-sdk-ec2; tests implement it with
//! fakes. Pagination, counting, concurrency and error isolation live in `collect`, above this seam, so
//! they are the same code for the SDK and for the fakes.

use shared::InstanceTypeLimits;
use shared::snapshot::{CidrReservation, ErrorKind, LaunchTemplateRef, Scaling};
use std::collections::BTreeMap;
use std::future::Future;

/// One page of a paginated AWS response.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_token: Option<String>,
}

/// `DescribeCluster.cluster`, the fields we keep.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClusterInfo {
    pub name: String,
    pub arn: Option<String>,
    pub version: Option<String>,
    pub platform_version: Option<String>,
    pub status: Option<String>,
    pub vpc_id: Option<String>,
    pub subnet_ids: Vec<String>,
    pub service_ipv4_cidr: Option<String>,
    pub ip_family: Option<String>,
}

/// `DescribeNodegroup.nodegroup`, the fields we keep.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NodegroupInfo {
    pub name: String,
    pub ami_type: Option<String>,
    pub release_version: Option<String>,
    pub version: Option<String>,
    pub instance_types: Vec<String>,
    pub capacity_type: Option<String>,
    pub scaling: Option<Scaling>,
    pub subnet_ids: Vec<String>,
    pub launch_template: Option<LaunchTemplateRef>,
    pub asg_names: Vec<String>,
    pub status: Option<String>,
    pub labels: BTreeMap<String, String>,
}

/// One `DescribeInstances` instance. Everything is optional because AWS (or an emulator) may omit it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InstanceInfo {
    pub instance_id: Option<String>,
    pub instance_type: Option<String>,
    /// `Platform`: `windows` or absent.
    pub platform: Option<String>,
    pub platform_details: Option<String>,
    pub subnet_id: Option<String>,
    pub availability_zone: Option<String>,
    pub private_ip: Option<String>,
    pub image_id: Option<String>,
    /// RFC 3339.
    pub launch_time: Option<String>,
    pub state: Option<String>,
    pub tags: BTreeMap<String, String>,
    pub enis: Vec<EniInfo>,
}

/// One of an instance's `NetworkInterfaces`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EniInfo {
    pub eni_id: Option<String>,
    pub interface_type: Option<String>,
    pub device_index: Option<u32>,
    pub network_card_index: Option<u32>,
    pub subnet_id: Option<String>,
    pub primary_ip: Option<String>,
    /// `PrivateIpAddresses` other than the primary.
    pub secondary_ips: Vec<String>,
    /// `Ipv4Prefixes` (/28 CIDRs).
    pub ipv4_prefixes: Vec<String>,
}

/// How instances are selected for a cluster (one paginated `DescribeInstances` per filter).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum InstanceFilter {
    /// `tag-key` = key (e.g. `kubernetes.io/cluster/<name>`).
    TagKey(String),
    /// `tag:<key>` = value (e.g. `eks:cluster-name` = name).
    TagValue { key: String, value: String },
}

/// A `DescribeInstanceTypes` row we could not turn into limits (a required field was missing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnusableInstanceType {
    pub instance_type: String,
    pub reason: String,
}

/// `DescribeSubnets` row.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SubnetInfo {
    pub subnet_id: Option<String>,
    pub vpc_id: Option<String>,
    pub availability_zone: Option<String>,
    pub cidr: Option<String>,
    pub available_ip_count: Option<i64>,
    pub owner_id: Option<String>,
    pub tags: BTreeMap<String, String>,
}

/// What `DescribeNetworkInterfaces` tells us about one ENI's use of its subnet.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SubnetEni {
    pub subnet_id: Option<String>,
    /// Every private IPv4 (primary and secondary).
    pub private_ips: Vec<String>,
    /// `/28` prefixes.
    pub ipv4_prefixes: Vec<String>,
}

/// One `DescribeLaunchTemplateVersions` row: just the user data (base64, as AWS returns it).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LaunchTemplateVersionInfo {
    pub launch_template_id: Option<String>,
    pub version_number: Option<i64>,
    pub user_data_base64: Option<String>,
}

/// An AWS call that failed after the SDK's retries, classified so callers can tell cases apart.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{message}", code.as_deref().map(|c| format!("{c}: ")).unwrap_or_default())]
pub struct ApiError {
    pub kind: ErrorKind,
    /// The AWS error code (`AccessDenied`, `Throttling`, …) when the service answered.
    pub code: Option<String>,
    pub message: String,
}

impl ApiError {
    pub fn new(kind: ErrorKind, code: Option<&str>, message: impl Into<String>) -> Self {
        Self {
            kind,
            code: code.map(str::to_string),
            message: message.into(),
        }
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// What the collector needs from AWS for one account × region. Each method sends exactly one request
/// (so the collector's per-call counting is exact), all of them Describe/List/Get.
pub trait AwsApi: Send + Sync {
    fn list_clusters(
        &self,
        next_token: Option<String>,
    ) -> impl Future<Output = ApiResult<Page<String>>> + Send;

    fn describe_cluster(&self, name: &str) -> impl Future<Output = ApiResult<ClusterInfo>> + Send;

    fn list_nodegroups(
        &self,
        cluster: &str,
        next_token: Option<String>,
    ) -> impl Future<Output = ApiResult<Page<String>>> + Send;

    fn describe_nodegroup(
        &self,
        cluster: &str,
        nodegroup: &str,
    ) -> impl Future<Output = ApiResult<NodegroupInfo>> + Send;

    /// Running and pending instances matching `filter`, up to 1000 a page.
    fn describe_instances(
        &self,
        filter: &InstanceFilter,
        next_token: Option<String>,
    ) -> impl Future<Output = ApiResult<Page<InstanceInfo>>> + Send;

    /// Limits of up to 100 named types. Unknown names are simply absent (filter, not `InstanceTypes`,
    /// so one bad name does not fail the batch).
    fn describe_instance_types(
        &self,
        names: &[String],
        next_token: Option<String>,
    ) -> impl Future<Output = ApiResult<Page<Result<InstanceTypeLimits, UnusableInstanceType>>>> + Send;

    /// Subnets by id (filter `subnet-id`, so a deleted subnet is absent rather than an error).
    fn describe_subnets(
        &self,
        subnet_ids: &[String],
        next_token: Option<String>,
    ) -> impl Future<Output = ApiResult<Page<SubnetInfo>>> + Send;

    fn get_subnet_cidr_reservations(
        &self,
        subnet_id: &str,
        next_token: Option<String>,
    ) -> impl Future<Output = ApiResult<Page<CidrReservation>>> + Send;

    /// Every ENI in the given subnets (filter `subnet-id`), up to 1000 a page.
    fn describe_network_interfaces(
        &self,
        subnet_ids: &[String],
        next_token: Option<String>,
    ) -> impl Future<Output = ApiResult<Page<SubnetEni>>> + Send;

    /// One version (`"3"`, `"$Latest"`, `"$Default"`) of one launch template.
    fn describe_launch_template_version(
        &self,
        launch_template_id: &str,
        version: &str,
    ) -> impl Future<Output = ApiResult<Vec<LaunchTemplateVersionInfo>>> + Send;
}
