//! The real `AwsApi`: aws-sdk-eks and aws-sdk-ec2. This file and nothing else sends requests to AWS;
//! every fluent call below is one of `ops::READ_ONLY_OPERATIONS` (checked by `guard_tests`).

use super::api::{
    ApiError, ApiResult, AwsApi, ClusterInfo, EniInfo, InstanceFilter, InstanceInfo,
    LaunchTemplateVersionInfo, NodegroupInfo, Page, SubnetEni, SubnetInfo, UnusableInstanceType,
};
use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_config::sts::AssumeRoleProvider;
use aws_config::timeout::TimeoutConfig;
use aws_sdk_ec2::types::{Filter, Tag};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::date_time::Format;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use aws_types::SdkConfig;
use aws_types::region::Region;
use aws_types::sdk_config::SharedCredentialsProvider;
use shared::snapshot::{CidrReservation, ErrorKind, LaunchTemplateRef, ReservationType, Scaling};
use shared::{Architecture, Hypervisor, InstanceTypeLimits};
use std::collections::BTreeMap;
use std::time::Duration;

/// Attempts per request (first try + retries) with the SDK's standard retry: exponential backoff with
/// jitter, throttling errors retried with a token bucket (aws-smithy-types `RetryConfig::standard`).
pub const MAX_ATTEMPTS: u32 = 5;

/// EC2 `DescribeInstances` / `DescribeNetworkInterfaces` page size (the API maximum).
const EC2_PAGE_SIZE: i32 = 1000;
/// `DescribeInstanceTypes` accepts at most 100 results a page.
const INSTANCE_TYPES_PAGE_SIZE: i32 = 100;

/// How to get credentials for one configured account.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Credentials {
    /// The standard chain: env, shared profile (`AWS_PROFILE`), SSO, web identity (IRSA), ECS/Pod
    /// Identity, IMDS.
    #[default]
    DefaultChain,
    /// A named profile from `~/.aws/config`.
    Profile(String),
    /// Assume this role with the default chain's credentials (cross-account).
    AssumeRole {
        role_arn: String,
        external_id: Option<String>,
    },
}

/// Build the SDK config for one account × region. Never fails: credentials are resolved lazily on the
/// first request, and a failure there is recorded as that source's error.
pub async fn sdk_config(
    credentials: &Credentials,
    region: &str,
    endpoint_url: Option<&str>,
) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(region.to_string()))
        .retry_config(RetryConfig::standard().with_max_attempts(MAX_ATTEMPTS))
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(5))
                .operation_attempt_timeout(Duration::from_secs(30))
                .operation_timeout(Duration::from_secs(120))
                .build(),
        );
    if let Some(url) = endpoint_url {
        loader = loader.endpoint_url(url);
    }
    if let Credentials::Profile(profile) = credentials {
        loader = loader.profile_name(profile);
    }
    let base = loader.load().await;
    match credentials {
        Credentials::AssumeRole {
            role_arn,
            external_id,
        } => {
            let mut builder = AssumeRoleProvider::builder(role_arn.clone())
                .session_name("eniscope")
                .region(Region::new(region.to_string()))
                .configure(&base);
            if let Some(id) = external_id {
                builder = builder.external_id(id.clone());
            }
            let provider = builder.build().await;
            base.into_builder()
                .credentials_provider(SharedCredentialsProvider::new(provider))
                .build()
        }
        Credentials::DefaultChain | Credentials::Profile(_) => base,
    }
}

/// Resolve credentials once without calling EKS or EC2: `Ok` if the chain yields any, else why not.
/// (For `AssumeRole` this calls `sts:AssumeRole`, the documented credential exception.)
pub async fn check_credentials(config: &SdkConfig) -> Result<(), String> {
    use aws_credential_types::provider::ProvideCredentials;
    let Some(provider) = config.credentials_provider() else {
        return Err("no credentials provider is configured".into());
    };
    provider
        .provide_credentials()
        .await
        .map(|_| ())
        .map_err(|e| error_chain(&e))
}

/// The real implementation of [`AwsApi`] for one account × region.
#[derive(Debug, Clone)]
pub struct SdkApi {
    eks: aws_sdk_eks::Client,
    ec2: aws_sdk_ec2::Client,
}

impl SdkApi {
    pub fn new(config: &SdkConfig) -> Self {
        Self {
            eks: aws_sdk_eks::Client::new(config),
            ec2: aws_sdk_ec2::Client::new(config),
        }
    }
}

impl AwsApi for SdkApi {
    async fn list_clusters(&self, next_token: Option<String>) -> ApiResult<Page<String>> {
        let out = self
            .eks
            .list_clusters()
            .set_next_token(next_token)
            .send()
            .await
            .map_err(classify)?;
        Ok(Page {
            items: out.clusters().to_vec(),
            next_token: out.next_token().map(str::to_string),
        })
    }

    async fn describe_cluster(&self, name: &str) -> ApiResult<ClusterInfo> {
        let out = self
            .eks
            .describe_cluster()
            .name(name)
            .send()
            .await
            .map_err(classify)?;
        let Some(cluster) = out.cluster() else {
            return Err(missing_field("DescribeCluster", "cluster"));
        };
        let vpc = cluster.resources_vpc_config();
        let network = cluster.kubernetes_network_config();
        Ok(ClusterInfo {
            name: cluster.name().unwrap_or(name).to_string(),
            arn: cluster.arn().map(str::to_string),
            version: cluster.version().map(str::to_string),
            platform_version: cluster.platform_version().map(str::to_string),
            status: cluster.status().map(|s| s.as_str().to_string()),
            vpc_id: vpc.and_then(|v| v.vpc_id()).map(str::to_string),
            subnet_ids: vpc.map(|v| v.subnet_ids().to_vec()).unwrap_or_default(),
            service_ipv4_cidr: network
                .and_then(|n| n.service_ipv4_cidr())
                .map(str::to_string),
            ip_family: network
                .and_then(|n| n.ip_family())
                .map(|f| f.as_str().to_string()),
        })
    }

    async fn list_nodegroups(
        &self,
        cluster: &str,
        next_token: Option<String>,
    ) -> ApiResult<Page<String>> {
        let out = self
            .eks
            .list_nodegroups()
            .cluster_name(cluster)
            .set_next_token(next_token)
            .send()
            .await
            .map_err(classify)?;
        Ok(Page {
            items: out.nodegroups().to_vec(),
            next_token: out.next_token().map(str::to_string),
        })
    }

    async fn describe_nodegroup(&self, cluster: &str, nodegroup: &str) -> ApiResult<NodegroupInfo> {
        let out = self
            .eks
            .describe_nodegroup()
            .cluster_name(cluster)
            .nodegroup_name(nodegroup)
            .send()
            .await
            .map_err(classify)?;
        let Some(ng) = out.nodegroup() else {
            return Err(missing_field("DescribeNodegroup", "nodegroup"));
        };
        let scaling = ng.scaling_config().map(|s| Scaling {
            min_size: non_negative(s.min_size()),
            max_size: non_negative(s.max_size()),
            desired_size: non_negative(s.desired_size()),
        });
        Ok(NodegroupInfo {
            name: ng.nodegroup_name().unwrap_or(nodegroup).to_string(),
            ami_type: ng.ami_type().map(|a| a.as_str().to_string()),
            release_version: ng.release_version().map(str::to_string),
            version: ng.version().map(str::to_string),
            instance_types: ng.instance_types().to_vec(),
            capacity_type: ng.capacity_type().map(|c| c.as_str().to_string()),
            scaling,
            subnet_ids: ng.subnets().to_vec(),
            launch_template: ng.launch_template().map(|lt| LaunchTemplateRef {
                id: lt.id().map(str::to_string),
                name: lt.name().map(str::to_string),
                version: lt.version().map(str::to_string),
            }),
            asg_names: ng
                .resources()
                .map(|r| {
                    r.auto_scaling_groups()
                        .iter()
                        .filter_map(|g| g.name().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default(),
            status: ng.status().map(|s| s.as_str().to_string()),
            labels: ng
                .labels()
                .map(|l| l.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                .unwrap_or_default(),
        })
    }

    async fn describe_instances(
        &self,
        filter: &InstanceFilter,
        next_token: Option<String>,
    ) -> ApiResult<Page<InstanceInfo>> {
        let selector = match filter {
            InstanceFilter::TagKey(key) => Filter::builder().name("tag-key").values(key).build(),
            InstanceFilter::TagValue { key, value } => Filter::builder()
                .name(format!("tag:{key}"))
                .values(value)
                .build(),
        };
        // Terminated/stopped instances hold no pod IPs; pending ones are about to.
        let state = Filter::builder()
            .name("instance-state-name")
            .values("running")
            .values("pending")
            .build();
        let out = self
            .ec2
            .describe_instances()
            .filters(selector)
            .filters(state)
            .max_results(EC2_PAGE_SIZE)
            .set_next_token(next_token)
            .send()
            .await
            .map_err(classify)?;
        let items = out
            .reservations()
            .iter()
            .flat_map(|r| r.instances())
            .map(instance_info)
            .collect();
        Ok(Page {
            items,
            next_token: non_empty(out.next_token()),
        })
    }

    async fn describe_instance_types(
        &self,
        names: &[String],
        next_token: Option<String>,
    ) -> ApiResult<Page<Result<InstanceTypeLimits, UnusableInstanceType>>> {
        let filter = any_of("instance-type", names);
        let out = self
            .ec2
            .describe_instance_types()
            .filters(filter)
            .max_results(INSTANCE_TYPES_PAGE_SIZE)
            .set_next_token(next_token)
            .send()
            .await
            .map_err(classify)?;
        let items = out
            .instance_types()
            .iter()
            .map(instance_type_limits)
            .collect();
        Ok(Page {
            items,
            next_token: non_empty(out.next_token()),
        })
    }

    async fn describe_subnets(
        &self,
        subnet_ids: &[String],
        next_token: Option<String>,
    ) -> ApiResult<Page<SubnetInfo>> {
        let filter = any_of("subnet-id", subnet_ids);
        let out = self
            .ec2
            .describe_subnets()
            .filters(filter)
            .max_results(EC2_PAGE_SIZE)
            .set_next_token(next_token)
            .send()
            .await
            .map_err(classify)?;
        let items = out
            .subnets()
            .iter()
            .map(|s| SubnetInfo {
                subnet_id: s.subnet_id().map(str::to_string),
                vpc_id: s.vpc_id().map(str::to_string),
                availability_zone: s.availability_zone().map(str::to_string),
                cidr: s.cidr_block().map(str::to_string),
                available_ip_count: s.available_ip_address_count().map(i64::from),
                owner_id: s.owner_id().map(str::to_string),
                tags: tag_map(s.tags()),
            })
            .collect();
        Ok(Page {
            items,
            next_token: non_empty(out.next_token()),
        })
    }

    async fn get_subnet_cidr_reservations(
        &self,
        subnet_id: &str,
        next_token: Option<String>,
    ) -> ApiResult<Page<CidrReservation>> {
        let out = self
            .ec2
            .get_subnet_cidr_reservations()
            .subnet_id(subnet_id)
            .set_next_token(next_token)
            .send()
            .await
            .map_err(classify)?;
        // IPv6 reservations are ignored: Windows pods are IPv4-only (domain.md §6).
        let items = out
            .subnet_ipv4_cidr_reservations()
            .iter()
            .filter_map(|r| {
                let reservation_type = match r.reservation_type()?.as_str() {
                    "prefix" => ReservationType::Prefix,
                    "explicit" => ReservationType::Explicit,
                    _ => return None,
                };
                Some(CidrReservation {
                    reservation_id: r.subnet_cidr_reservation_id().map(str::to_string),
                    cidr: r.cidr()?.to_string(),
                    reservation_type,
                    description: r.description().map(str::to_string),
                })
            })
            .collect();
        Ok(Page {
            items,
            next_token: non_empty(out.next_token()),
        })
    }

    async fn describe_network_interfaces(
        &self,
        subnet_ids: &[String],
        next_token: Option<String>,
    ) -> ApiResult<Page<SubnetEni>> {
        let filter = any_of("subnet-id", subnet_ids);
        let out = self
            .ec2
            .describe_network_interfaces()
            .filters(filter)
            .max_results(EC2_PAGE_SIZE)
            .set_next_token(next_token)
            .send()
            .await
            .map_err(classify)?;
        let items = out
            .network_interfaces()
            .iter()
            .map(|eni| SubnetEni {
                subnet_id: eni.subnet_id().map(str::to_string),
                private_ips: eni
                    .private_ip_addresses()
                    .iter()
                    .filter_map(|a| a.private_ip_address().map(str::to_string))
                    .collect(),
                ipv4_prefixes: eni
                    .ipv4_prefixes()
                    .iter()
                    .filter_map(|p| p.ipv4_prefix().map(str::to_string))
                    .collect(),
            })
            .collect();
        Ok(Page {
            items,
            next_token: non_empty(out.next_token()),
        })
    }

    async fn describe_launch_template_version(
        &self,
        launch_template_id: &str,
        version: &str,
    ) -> ApiResult<Vec<LaunchTemplateVersionInfo>> {
        let out = self
            .ec2
            .describe_launch_template_versions()
            .launch_template_id(launch_template_id)
            .versions(version)
            .send()
            .await
            .map_err(classify)?;
        Ok(out
            .launch_template_versions()
            .iter()
            .map(|v| LaunchTemplateVersionInfo {
                launch_template_id: v.launch_template_id().map(str::to_string),
                version_number: v.version_number(),
                user_data_base64: v
                    .launch_template_data()
                    .and_then(|d| d.user_data())
                    .map(str::to_string),
            })
            .collect())
    }
}

fn instance_info(instance: &aws_sdk_ec2::types::Instance) -> InstanceInfo {
    InstanceInfo {
        instance_id: instance.instance_id().map(str::to_string),
        instance_type: instance.instance_type().map(|t| t.as_str().to_string()),
        platform: instance.platform().map(|p| p.as_str().to_ascii_lowercase()),
        platform_details: instance.platform_details().map(str::to_string),
        subnet_id: instance.subnet_id().map(str::to_string),
        availability_zone: instance
            .placement()
            .and_then(|p| p.availability_zone())
            .map(str::to_string),
        private_ip: instance.private_ip_address().map(str::to_string),
        image_id: instance.image_id().map(str::to_string),
        launch_time: instance
            .launch_time()
            .and_then(|t| t.fmt(Format::DateTime).ok()),
        state: instance
            .state()
            .and_then(|s| s.name())
            .map(|n| n.as_str().to_string()),
        tags: tag_map(instance.tags()),
        enis: instance
            .network_interfaces()
            .iter()
            .map(|eni| {
                let addresses = eni.private_ip_addresses();
                let primary_ip = addresses
                    .iter()
                    .find(|a| a.primary() == Some(true))
                    .and_then(|a| a.private_ip_address())
                    .or(eni.private_ip_address())
                    .map(str::to_string);
                EniInfo {
                    eni_id: eni.network_interface_id().map(str::to_string),
                    interface_type: eni.interface_type().map(str::to_string),
                    device_index: eni
                        .attachment()
                        .and_then(|a| a.device_index())
                        .and_then(|i| u32::try_from(i).ok()),
                    network_card_index: eni
                        .attachment()
                        .and_then(|a| a.network_card_index())
                        .and_then(|i| u32::try_from(i).ok()),
                    subnet_id: eni.subnet_id().map(str::to_string),
                    secondary_ips: addresses
                        .iter()
                        .filter_map(|a| a.private_ip_address())
                        .filter(|ip| Some(*ip) != primary_ip.as_deref())
                        .map(str::to_string)
                        .collect(),
                    primary_ip,
                    ipv4_prefixes: eni
                        .ipv4_prefixes()
                        .iter()
                        .filter_map(|p| p.ipv4_prefix().map(str::to_string))
                        .collect(),
                }
            })
            .collect(),
    }
}

/// `InstanceTypeInfo` → limits (domain.md §7): the ENI count is the default network card's.
fn instance_type_limits(
    info: &aws_sdk_ec2::types::InstanceTypeInfo,
) -> Result<InstanceTypeLimits, UnusableInstanceType> {
    let name = info
        .instance_type()
        .map(|t| t.as_str().to_string())
        .unwrap_or_default();
    let unusable = |reason: &str| UnusableInstanceType {
        instance_type: name.clone(),
        reason: reason.to_string(),
    };
    if name.is_empty() {
        return Err(unusable("no InstanceType in the row"));
    }
    let network = info
        .network_info()
        .ok_or_else(|| unusable("no NetworkInfo"))?;
    let default_card = network.default_network_card_index().unwrap_or(0);
    let default_card_enis = network
        .network_cards()
        .iter()
        .find(|card| card.network_card_index().unwrap_or(0) == default_card)
        .and_then(|card| card.maximum_network_interfaces());
    let enis = default_card_enis
        .or(network.maximum_network_interfaces())
        .and_then(|n| u32::try_from(n).ok())
        .filter(|n| *n > 0)
        .ok_or_else(|| unusable("no MaximumNetworkInterfaces"))?;
    let ipv4_per_eni = network
        .ipv4_addresses_per_interface()
        .and_then(|n| u32::try_from(n).ok())
        .filter(|n| *n > 0)
        .ok_or_else(|| unusable("no Ipv4AddressesPerInterface"))?;
    let hypervisor = match info.hypervisor().map(|h| h.as_str()) {
        Some("nitro") => Hypervisor::Nitro,
        Some("xen") => Hypervisor::Xen,
        _ => Hypervisor::None,
    };
    let architectures = info
        .processor_info()
        .map(|p| p.supported_architectures())
        .unwrap_or_default()
        .iter()
        .filter_map(|a| match a.as_str() {
            "x86_64" => Some(Architecture::X86_64),
            "arm64" => Some(Architecture::Arm64),
            "i386" => Some(Architecture::I386),
            "x86_64_mac" => Some(Architecture::X86_64Mac),
            "arm64_mac" => Some(Architecture::Arm64Mac),
            _ => None,
        })
        .collect();
    Ok(InstanceTypeLimits {
        instance_type: name.clone(),
        hypervisor,
        bare_metal: info.bare_metal().unwrap_or(false),
        vcpus: info
            .v_cpu_info()
            .and_then(|v| v.default_v_cpus())
            .and_then(|n| u32::try_from(n).ok())
            .unwrap_or(0),
        memory_mib: info
            .memory_info()
            .and_then(|m| m.size_in_mib())
            .and_then(|n| u64::try_from(n).ok())
            .unwrap_or(0),
        architectures,
        enis,
        ipv4_per_eni,
        total_enis: network
            .maximum_network_interfaces()
            .and_then(|n| u32::try_from(n).ok())
            .unwrap_or(enis),
        network_cards: network
            .maximum_network_cards()
            .and_then(|n| u32::try_from(n).ok())
            .unwrap_or(1),
        current_generation: info.current_generation().unwrap_or(false),
    })
}

fn tag_map(tags: &[Tag]) -> BTreeMap<String, String> {
    tags.iter()
        .filter_map(|t| {
            Some((
                t.key()?.to_string(),
                t.value().unwrap_or_default().to_string(),
            ))
        })
        .collect()
}

fn non_negative(n: Option<i32>) -> u32 {
    n.and_then(|n| u32::try_from(n).ok()).unwrap_or(0)
}

/// An EC2 filter matching any of `values` for `name` (`subnet-id`, `instance-type`).
fn any_of(name: &str, values: &[String]) -> Filter {
    values
        .iter()
        .fold(Filter::builder().name(name), |filter, value| {
            filter.values(value)
        })
        .build()
}

/// Some services return `""` instead of omitting the token on the last page.
fn non_empty(token: Option<&str>) -> Option<String> {
    token.filter(|t| !t.is_empty()).map(str::to_string)
}

fn missing_field(operation: &str, field: &str) -> ApiError {
    ApiError::new(
        ErrorKind::InvalidResponse,
        None,
        format!("{operation} response has no `{field}`"),
    )
}

/// Classify an SDK error (after the SDK's own retries) into the kinds the snapshot records.
fn classify<E>(err: SdkError<E, HttpResponse>) -> ApiError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let detail = error_chain(&err);
    match &err {
        SdkError::ServiceError(service) => {
            let code = service.err().code();
            let message = service
                .err()
                .message()
                .map(str::to_string)
                .unwrap_or(detail);
            let status = service.raw().status().as_u16();
            ApiError::new(kind_for_code(code, Some(status)), code, message)
        }
        SdkError::TimeoutError(_) => ApiError::new(ErrorKind::Unreachable, None, detail),
        SdkError::DispatchFailure(dispatch) => {
            let kind = if mentions_credentials(&err) {
                ErrorKind::Credentials
            } else if dispatch.is_io() || dispatch.is_timeout() {
                ErrorKind::Unreachable
            } else {
                ErrorKind::Other
            };
            ApiError::new(kind, None, detail)
        }
        SdkError::ResponseError(_) => ApiError::new(ErrorKind::InvalidResponse, None, detail),
        _ => {
            let kind = if mentions_credentials(&err) {
                ErrorKind::Credentials
            } else {
                ErrorKind::Other
            };
            ApiError::new(kind, None, detail)
        }
    }
}

/// "dispatch failure: io error: … : Connection refused (os error 111)": each distinct message in the
/// source chain, on one line (`DisplayErrorContext` also appends a Debug dump, too long for the UI).
fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = current {
        let text = e
            .to_string()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if !text.is_empty() && !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        current = e.source();
    }
    parts.join(": ")
}

/// True if a credentials-provider error is anywhere in the error's source chain.
fn mentions_credentials(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = current {
        if e.downcast_ref::<aws_credential_types::provider::error::CredentialsError>()
            .is_some()
        {
            return true;
        }
        current = e.source();
    }
    false
}

/// AWS error code → kind. Codes from the EC2 API "Error codes" page and the EKS API "Common errors".
pub fn kind_for_code(code: Option<&str>, http_status: Option<u16>) -> ErrorKind {
    match code.unwrap_or_default() {
        "AccessDenied"
        | "AccessDeniedException"
        | "UnauthorizedOperation"
        | "UnauthorizedException"
        | "OptInRequired" => ErrorKind::AccessDenied,
        "Throttling"
        | "ThrottlingException"
        | "RequestLimitExceeded"
        | "TooManyRequestsException"
        | "RequestThrottled"
        | "RequestThrottledException"
        | "SlowDown" => ErrorKind::Throttled,
        "AuthFailure"
        | "InvalidClientTokenId"
        | "UnrecognizedClientException"
        | "ExpiredToken"
        | "ExpiredTokenException"
        | "SignatureDoesNotMatch"
        | "InvalidSignatureException"
        | "MissingAuthenticationToken" => ErrorKind::Credentials,
        "ResourceNotFoundException" | "NotFoundException" => ErrorKind::NotFound,
        c if c.ends_with(".NotFound") => ErrorKind::NotFound,
        "InternalError"
        | "InternalFailure"
        | "ServiceUnavailable"
        | "ServiceUnavailableException"
        | "ServerException"
        | "Unavailable" => ErrorKind::Unreachable,
        _ => match http_status {
            Some(403) => ErrorKind::AccessDenied,
            Some(429) => ErrorKind::Throttled,
            Some(404) => ErrorKind::NotFound,
            Some(500..=599) => ErrorKind::Unreachable,
            _ => ErrorKind::Other,
        },
    }
}

#[cfg(test)]
mod tests {
    //! Conversions from SDK shapes, built with the SDK's own builders (what a response deserializes to).
    use super::*;
    use aws_sdk_ec2::types::{
        InstanceNetworkInterface, InstanceNetworkInterfaceAttachment, InstancePrivateIpAddress,
        InstanceTypeInfo, NetworkCardInfo, NetworkInfo, ProcessorInfo, VCpuInfo,
    };

    #[test]
    fn error_codes_map_to_kinds() {
        for (code, kind) in [
            ("AccessDeniedException", ErrorKind::AccessDenied),
            ("UnauthorizedOperation", ErrorKind::AccessDenied),
            ("RequestLimitExceeded", ErrorKind::Throttled),
            ("ThrottlingException", ErrorKind::Throttled),
            ("AuthFailure", ErrorKind::Credentials),
            ("ExpiredToken", ErrorKind::Credentials),
            ("ResourceNotFoundException", ErrorKind::NotFound),
            ("InvalidLaunchTemplateId.NotFound", ErrorKind::NotFound),
            ("ServiceUnavailable", ErrorKind::Unreachable),
            ("SomethingNew", ErrorKind::Other),
        ] {
            assert_eq!(kind_for_code(Some(code), Some(400)), kind, "{code}");
        }
        assert_eq!(kind_for_code(None, Some(403)), ErrorKind::AccessDenied);
        assert_eq!(kind_for_code(None, Some(503)), ErrorKind::Unreachable);
        assert_eq!(kind_for_code(None, None), ErrorKind::Other);
    }

    /// p4d.24xlarge-like: 4 cards, 15 ENIs on the default card, 60 in total (domain.md §7).
    #[test]
    fn instance_type_uses_the_default_network_card() {
        let mut network = NetworkInfo::builder()
            .maximum_network_interfaces(60)
            .maximum_network_cards(4)
            .default_network_card_index(0)
            .ipv4_addresses_per_interface(50);
        for index in 0..4 {
            network = network.network_cards(
                NetworkCardInfo::builder()
                    .network_card_index(index)
                    .maximum_network_interfaces(15)
                    .build(),
            );
        }
        let info = InstanceTypeInfo::builder()
            .instance_type(aws_sdk_ec2::types::InstanceType::from("p4d.24xlarge"))
            .hypervisor(aws_sdk_ec2::types::InstanceTypeHypervisor::Nitro)
            .v_cpu_info(VCpuInfo::builder().default_v_cpus(96).build())
            .processor_info(
                ProcessorInfo::builder()
                    .supported_architectures(aws_sdk_ec2::types::ArchitectureType::X8664)
                    .build(),
            )
            .network_info(network.build())
            .build();
        let limits = instance_type_limits(&info).expect("complete row");
        assert_eq!(
            (
                limits.enis,
                limits.total_enis,
                limits.network_cards,
                limits.ipv4_per_eni
            ),
            (15, 60, 4, 50)
        );
        assert_eq!((limits.hypervisor, limits.vcpus), (Hypervisor::Nitro, 96));
        assert_eq!(limits.architectures, vec![Architecture::X86_64]);

        let no_network = InstanceTypeInfo::builder()
            .instance_type(aws_sdk_ec2::types::InstanceType::from("x1.odd"))
            .build();
        let unusable = instance_type_limits(&no_network).expect_err("no NetworkInfo");
        assert_eq!(
            (unusable.instance_type.as_str(), unusable.reason.as_str()),
            ("x1.odd", "no NetworkInfo")
        );
        assert!(
            instance_type_limits(&InstanceTypeInfo::builder().build()).is_err(),
            "no name: unusable, no panic"
        );
    }

    #[test]
    fn instance_enis_split_primary_and_secondary_ips() {
        let eni = InstanceNetworkInterface::builder()
            .network_interface_id("eni-1")
            .interface_type("interface")
            .subnet_id("subnet-a")
            .private_ip_address("10.0.0.5")
            .attachment(
                InstanceNetworkInterfaceAttachment::builder()
                    .device_index(0)
                    .network_card_index(0)
                    .build(),
            )
            .private_ip_addresses(
                InstancePrivateIpAddress::builder()
                    .private_ip_address("10.0.0.5")
                    .primary(true)
                    .build(),
            )
            .private_ip_addresses(
                InstancePrivateIpAddress::builder()
                    .private_ip_address("10.0.0.6")
                    .primary(false)
                    .build(),
            )
            .private_ip_addresses(
                InstancePrivateIpAddress::builder()
                    .private_ip_address("10.0.0.7")
                    .build(),
            )
            .ipv4_prefixes(
                aws_sdk_ec2::types::InstanceIpv4Prefix::builder()
                    .ipv4_prefix("10.0.0.32/28")
                    .build(),
            )
            .build();
        let instance = aws_sdk_ec2::types::Instance::builder()
            .instance_id("i-1")
            .platform(aws_sdk_ec2::types::PlatformValues::Windows)
            .tags(Tag::builder().key("eks:nodegroup-name").value("ng").build())
            .tags(Tag::builder().value("no key").build())
            .network_interfaces(eni)
            .network_interfaces(InstanceNetworkInterface::builder().build())
            .build();
        let info = instance_info(&instance);
        assert_eq!(info.platform.as_deref(), Some("windows"));
        assert_eq!(info.instance_type, None, "absent, not invented");
        assert_eq!(info.tags.len(), 1, "a tag without a key is dropped");
        let first = &info.enis[0];
        assert_eq!(first.primary_ip.as_deref(), Some("10.0.0.5"));
        assert_eq!(
            first.secondary_ips,
            vec!["10.0.0.6".to_string(), "10.0.0.7".to_string()]
        );
        assert_eq!(first.ipv4_prefixes, vec!["10.0.0.32/28".to_string()]);
        assert_eq!(
            (first.device_index, first.network_card_index),
            (Some(0), Some(0))
        );
        assert_eq!(
            info.enis[1].eni_id, None,
            "an empty ENI is passed on for the collector to record"
        );
    }
}
