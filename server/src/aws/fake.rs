//! A fake `AwsApi` for tests of what moto cannot do: /28 prefixes on ENIs, throttling, AccessDenied,
//! dead endpoints, missing fields, and exact call counting at scale. Pages like AWS (NextToken).

use super::api::{
    ApiError, ApiResult, AwsApi, ClusterInfo, EniInfo, InstanceFilter, InstanceInfo,
    LaunchTemplateVersionInfo, NodegroupInfo, Page, SubnetEni, SubnetInfo, UnusableInstanceType,
};
use super::ops::Operation;
use shared::InstanceTypeLimits;
use shared::snapshot::{CidrReservation, ErrorKind};
use std::collections::BTreeMap;
use std::sync::Mutex;

#[derive(Debug, Default)]
pub struct FakeAws {
    pub clusters: Vec<ClusterInfo>,
    /// cluster → nodegroups.
    pub nodegroups: BTreeMap<String, Vec<NodegroupInfo>>,
    pub instances: Vec<InstanceInfo>,
    pub instance_types: Vec<InstanceTypeLimits>,
    pub unusable_types: Vec<UnusableInstanceType>,
    pub subnets: Vec<SubnetInfo>,
    pub reservations: BTreeMap<String, Vec<CidrReservation>>,
    pub enis: Vec<SubnetEni>,
    /// (template id, version) → base64 user data (None: a version without user data).
    pub launch_templates: BTreeMap<(String, String), Option<String>>,
    /// Items per page for paginated calls (AWS: up to 1000 for DescribeInstances).
    pub page_size: usize,
    /// (operation, target or "" for any) → the error to return.
    pub failures: Vec<(Operation, String, ApiError)>,
    /// Sizes of each DescribeInstanceTypes batch, to check the ≤ 100 rule.
    pub type_batches: Mutex<Vec<usize>>,
}

impl FakeAws {
    pub fn new() -> Self {
        Self {
            page_size: 1000,
            ..Self::default()
        }
    }

    pub fn fail(mut self, operation: Operation, target: &str, kind: ErrorKind, code: &str) -> Self {
        self.failures.push((
            operation,
            target.to_string(),
            ApiError::new(kind, Some(code), format!("fake {code}")),
        ));
        self
    }

    fn check(&self, operation: Operation, target: &str) -> ApiResult<()> {
        match self
            .failures
            .iter()
            .find(|(op, t, _)| *op == operation && (t.is_empty() || t == target))
        {
            Some((_, _, error)) => Err(error.clone()),
            None => Ok(()),
        }
    }

    fn page<T: Clone>(&self, items: &[T], token: Option<String>) -> ApiResult<Page<T>> {
        let start: usize = match token {
            None => 0,
            Some(t) => t
                .parse()
                .map_err(|_| ApiError::new(ErrorKind::Other, Some("InvalidNextToken"), t))?,
        };
        let end = (start + self.page_size.max(1)).min(items.len());
        let next_token = (end < items.len()).then(|| end.to_string());
        Ok(Page {
            items: items.get(start..end).unwrap_or_default().to_vec(),
            next_token,
        })
    }
}

impl AwsApi for FakeAws {
    async fn list_clusters(&self, next_token: Option<String>) -> ApiResult<Page<String>> {
        self.check(Operation::EksListClusters, "")?;
        let names: Vec<String> = self.clusters.iter().map(|c| c.name.clone()).collect();
        self.page(&names, next_token)
    }

    async fn describe_cluster(&self, name: &str) -> ApiResult<ClusterInfo> {
        self.check(Operation::EksDescribeCluster, name)?;
        self.clusters
            .iter()
            .find(|c| c.name == name)
            .cloned()
            .ok_or_else(|| {
                ApiError::new(ErrorKind::NotFound, Some("ResourceNotFoundException"), name)
            })
    }

    async fn list_nodegroups(
        &self,
        cluster: &str,
        next_token: Option<String>,
    ) -> ApiResult<Page<String>> {
        self.check(Operation::EksListNodegroups, cluster)?;
        let names: Vec<String> = self
            .nodegroups
            .get(cluster)
            .into_iter()
            .flatten()
            .map(|ng| ng.name.clone())
            .collect();
        self.page(&names, next_token)
    }

    async fn describe_nodegroup(&self, cluster: &str, nodegroup: &str) -> ApiResult<NodegroupInfo> {
        self.check(Operation::EksDescribeNodegroup, cluster)?;
        self.check(Operation::EksDescribeNodegroup, nodegroup)?;
        self.nodegroups
            .get(cluster)
            .into_iter()
            .flatten()
            .find(|ng| ng.name == nodegroup)
            .cloned()
            .ok_or_else(|| {
                ApiError::new(
                    ErrorKind::NotFound,
                    Some("ResourceNotFoundException"),
                    nodegroup,
                )
            })
    }

    async fn describe_instances(
        &self,
        filter: &InstanceFilter,
        next_token: Option<String>,
    ) -> ApiResult<Page<InstanceInfo>> {
        let target = match filter {
            InstanceFilter::TagKey(key) => key.rsplit('/').next().unwrap_or_default().to_string(),
            InstanceFilter::TagValue { value, .. } => value.clone(),
        };
        self.check(Operation::Ec2DescribeInstances, &target)?;
        let matching: Vec<InstanceInfo> = self
            .instances
            .iter()
            .filter(|i| match filter {
                InstanceFilter::TagKey(key) => i.tags.contains_key(key),
                InstanceFilter::TagValue { key, value } => i.tags.get(key) == Some(value),
            })
            .cloned()
            .collect();
        self.page(&matching, next_token)
    }

    async fn describe_instance_types(
        &self,
        names: &[String],
        next_token: Option<String>,
    ) -> ApiResult<Page<Result<InstanceTypeLimits, UnusableInstanceType>>> {
        self.check(Operation::Ec2DescribeInstanceTypes, "")?;
        self.type_batches
            .lock()
            .expect("test lock")
            .push(names.len());
        let mut rows: Vec<Result<InstanceTypeLimits, UnusableInstanceType>> = self
            .instance_types
            .iter()
            .filter(|t| names.contains(&t.instance_type))
            .cloned()
            .map(Ok)
            .collect();
        rows.extend(
            self.unusable_types
                .iter()
                .filter(|u| names.contains(&u.instance_type))
                .cloned()
                .map(Err),
        );
        self.page(&rows, next_token)
    }

    async fn describe_subnets(
        &self,
        subnet_ids: &[String],
        next_token: Option<String>,
    ) -> ApiResult<Page<SubnetInfo>> {
        self.check(Operation::Ec2DescribeSubnets, "")?;
        let rows: Vec<SubnetInfo> = self
            .subnets
            .iter()
            .filter(|s| {
                s.subnet_id
                    .as_ref()
                    .is_none_or(|id| subnet_ids.contains(id))
            })
            .cloned()
            .collect();
        self.page(&rows, next_token)
    }

    async fn get_subnet_cidr_reservations(
        &self,
        subnet_id: &str,
        next_token: Option<String>,
    ) -> ApiResult<Page<CidrReservation>> {
        self.check(Operation::Ec2GetSubnetCidrReservations, subnet_id)?;
        let rows = self
            .reservations
            .get(subnet_id)
            .cloned()
            .unwrap_or_default();
        self.page(&rows, next_token)
    }

    async fn describe_network_interfaces(
        &self,
        subnet_ids: &[String],
        next_token: Option<String>,
    ) -> ApiResult<Page<SubnetEni>> {
        self.check(Operation::Ec2DescribeNetworkInterfaces, "")?;
        let rows: Vec<SubnetEni> = self
            .enis
            .iter()
            .filter(|e| {
                e.subnet_id
                    .as_ref()
                    .is_some_and(|id| subnet_ids.contains(id))
            })
            .cloned()
            .collect();
        self.page(&rows, next_token)
    }

    async fn describe_launch_template_version(
        &self,
        id: &str,
        version: &str,
    ) -> ApiResult<Vec<LaunchTemplateVersionInfo>> {
        self.check(Operation::Ec2DescribeLaunchTemplateVersions, id)?;
        Ok(self
            .launch_templates
            .get(&(id.to_string(), version.to_string()))
            .map(|user_data| LaunchTemplateVersionInfo {
                launch_template_id: Some(id.to_string()),
                version_number: version.parse().ok(),
                user_data_base64: user_data.clone(),
            })
            .into_iter()
            .collect())
    }
}

/// Builder for a fake instance: `instance("i-1", "m5.large").tag(k, v).eni(...)`.
pub fn instance(id: &str, instance_type: &str) -> InstanceInfo {
    InstanceInfo {
        instance_id: Some(id.to_string()),
        instance_type: Some(instance_type.to_string()),
        state: Some("running".into()),
        ..InstanceInfo::default()
    }
}

pub trait InstanceBuilder {
    fn tag(self, key: &str, value: &str) -> Self;
    fn windows(self) -> Self;
    fn in_subnet(self, subnet: &str) -> Self;
    /// An ENI with `secondary` secondary IPs and `prefixes` /28 prefixes.
    fn eni(self, eni_id: &str, device_index: u32, secondary: usize, prefixes: usize) -> Self;
}

impl InstanceBuilder for InstanceInfo {
    fn tag(mut self, key: &str, value: &str) -> Self {
        self.tags.insert(key.to_string(), value.to_string());
        self
    }

    fn windows(mut self) -> Self {
        self.platform = Some("windows".into());
        self
    }

    fn in_subnet(mut self, subnet: &str) -> Self {
        self.subnet_id = Some(subnet.to_string());
        self
    }

    fn eni(mut self, eni_id: &str, device_index: u32, secondary: usize, prefixes: usize) -> Self {
        let base = self.enis.len() * 40 + 10;
        self.enis.push(EniInfo {
            eni_id: Some(eni_id.to_string()),
            interface_type: Some("interface".into()),
            device_index: Some(device_index),
            network_card_index: Some(0),
            subnet_id: self.subnet_id.clone(),
            primary_ip: Some(format!("10.0.0.{base}")),
            secondary_ips: (1..=secondary)
                .map(|i| format!("10.0.0.{}", base + i))
                .collect(),
            ipv4_prefixes: (0..prefixes)
                .map(|i| format!("10.0.{}.0/28", 100 + i))
                .collect(),
        });
        self
    }
}
