//! The collection logic, above the `AwsApi` seam: pagination, call counting, bounded concurrency,
//! failure isolation, grouping of instances into nodegroups, and assembly of the `Snapshot`.
//! Everything here runs the same against the SDK and against the fakes in the tests.

use super::api::{
    ApiError, ApiResult, AwsApi, ClusterInfo, EniInfo, InstanceFilter, InstanceInfo, NodegroupInfo,
    Page, SubnetEni, SubnetInfo,
};
use super::ops::{CallCounter, Operation};
use super::userdata::decode_user_data;
use crate::config::ClusterOverride;
use futures::future::join_all;
use serde::Serialize;
use shared::snapshot::{
    Cluster, Eni, ErrorKind, LaunchTemplateRef, Node, Nodegroup, NodegroupKind, Snapshot,
    SnapshotSource, SourceError, SourceKind, Subnet, UserDataFlags,
};
use shared::{InstanceTypeLimits, InstanceTypeTable, Os};
use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::sync::Mutex;
use std::time::{Instant, SystemTime};

/// In-flight AWS requests at most, across all accounts, regions and clusters of one scan.
pub const DEFAULT_CONCURRENCY: usize = 4;
/// IDs per `DescribeSubnets` / `DescribeNetworkInterfaces` / `DescribeInstanceTypes` request
/// (EC2 accepts up to 200 filter values; `DescribeInstanceTypes` returns at most 100 a page).
const IDS_PER_CALL: usize = 100;
/// A paginated listing longer than this is cut (and recorded): protects against a server that
/// keeps returning a token.
const MAX_PAGES: usize = 10_000;

/// Instance tags that name the nodegroup of a node (checked in this order).
pub const TAG_MANAGED_NODEGROUP: &str = "eks:nodegroup-name";
pub const TAG_KARPENTER_NODEPOOL: &str = "karpenter.sh/nodepool";
/// Karpenter before v1beta1 (`v1alpha5` Provisioner).
pub const TAG_KARPENTER_PROVISIONER: &str = "karpenter.sh/provisioner-name";
pub const TAG_EKSCTL_NODEGROUP: &str = "alpha.eksctl.io/nodegroup-name";
pub const TAG_ASG: &str = "aws:autoscaling:groupName";
pub const TAG_LAUNCH_TEMPLATE_ID: &str = "aws:ec2launchtemplate:id";
pub const TAG_LAUNCH_TEMPLATE_VERSION: &str = "aws:ec2launchtemplate:version";
/// Name of the pseudo-nodegroup holding instances tagged for a cluster but in no group we can name.
pub const UNGROUPED: &str = "ungrouped";

/// One account × region to scan, with the API to scan it through.
pub struct Scope<A> {
    /// The configured account name (or `default`).
    pub account_label: String,
    pub region: String,
    pub api: A,
}

/// Instance-type limits read from `DescribeInstanceTypes`, kept across scans (types do not change).
#[derive(Debug, Default)]
pub struct InstanceTypeCache {
    types: Mutex<BTreeMap<String, InstanceTypeLimits>>,
}

impl InstanceTypeCache {
    fn get(&self, name: &str) -> Option<InstanceTypeLimits> {
        self.types
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(name)
            .cloned()
    }

    fn insert(&self, limits: InstanceTypeLimits) {
        self.types
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(limits.instance_type.clone(), limits);
    }
}

/// What a scan is doing right now, for `/readyz`, the UI and the CLI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ScanPhase {
    #[default]
    Idle,
    ListingClusters,
    ReadingClusters,
    ReadingLaunchTemplates,
    ReadingSubnets,
    ReadingInstanceTypes,
    Done,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ProgressView {
    pub phase: ScanPhase,
    /// RFC 3339 start of the running (or last) scan.
    pub started_at: Option<String>,
    pub sources_total: usize,
    pub sources_done: usize,
    pub clusters_total: usize,
    pub clusters_done: usize,
}

/// Shared progress of the running scan. Cheap to update from many tasks.
#[derive(Debug, Default)]
pub struct ScanProgress {
    view: Mutex<ProgressView>,
}

impl ScanProgress {
    pub fn view(&self) -> ProgressView {
        self.view.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn update(&self, change: impl FnOnce(&mut ProgressView)) {
        change(&mut self.view.lock().unwrap_or_else(|p| p.into_inner()));
    }

    fn start(&self, sources_total: usize) {
        self.update(|v| {
            *v = ProgressView {
                phase: ScanPhase::ListingClusters,
                started_at: Some(rfc3339(SystemTime::now())),
                sources_total,
                ..ProgressView::default()
            }
        });
    }
}

/// Everything a scan needs besides the scopes.
pub struct CollectContext<'a> {
    pub type_cache: &'a InstanceTypeCache,
    /// The embedded table, used for types `DescribeInstanceTypes` did not return.
    pub embedded_types: &'a InstanceTypeTable,
    pub overrides: &'a [ClusterOverride],
    pub progress: &'a ScanProgress,
    pub concurrency: usize,
    /// `SnapshotSource.description`.
    pub description: String,
}

/// The result of one scan.
#[derive(Debug, Clone)]
pub struct CollectOutcome {
    pub snapshot: Snapshot,
    /// Account × region scopes whose `ListClusters` answered.
    pub sources_reached: usize,
    pub sources_total: usize,
}

impl CollectOutcome {
    /// True if not one account × region could be read (bad credentials, no network, …).
    pub fn nothing_collected(&self) -> bool {
        self.sources_total > 0 && self.sources_reached == 0
    }
}

/// Scan every scope and assemble one snapshot. Never fails: each failing source becomes a
/// `SourceError` in the snapshot and every other source is still collected.
pub async fn collect<A: AwsApi>(scopes: &[Scope<A>], ctx: &CollectContext<'_>) -> CollectOutcome {
    let started = Instant::now();
    ctx.progress.start(scopes.len());
    let run = Run {
        calls: CallCounter::default(),
        errors: Mutex::new(Vec::new()),
        limit: tokio::sync::Semaphore::new(ctx.concurrency.max(1)),
        ctx,
    };
    let outcomes: Vec<ScopeOutcome> = join_all(scopes.iter().map(|scope| run.scope(scope))).await;

    let mut clusters = Vec::new();
    let mut subnets: BTreeMap<String, Subnet> = BTreeMap::new();
    let mut instance_types: BTreeMap<String, InstanceTypeLimits> = BTreeMap::new();
    let mut sources_reached = 0;
    for outcome in outcomes {
        sources_reached += usize::from(outcome.reached);
        clusters.extend(outcome.clusters);
        for subnet in outcome.subnets {
            subnets.entry(subnet.subnet_id.clone()).or_insert(subnet);
        }
        for limits in outcome.instance_types {
            instance_types
                .entry(limits.instance_type.clone())
                .or_insert(limits);
        }
    }
    clusters.sort_by(|a, b| {
        (&a.account_label, &a.region, &a.name).cmp(&(&b.account_label, &b.region, &b.name))
    });
    let mut errors = run.errors.into_inner().unwrap_or_else(|p| p.into_inner());
    errors.sort_by(|a, b| {
        (&a.account, &a.region, &a.cluster, &a.operation).cmp(&(
            &b.account,
            &b.region,
            &b.cluster,
            &b.operation,
        ))
    });
    ctx.progress.update(|v| v.phase = ScanPhase::Done);
    let snapshot = Snapshot {
        schema_version: shared::snapshot::SCHEMA_VERSION,
        collected_at: rfc3339(SystemTime::now()),
        source: SnapshotSource {
            kind: SourceKind::Aws,
            description: ctx.description.clone(),
        },
        clusters,
        subnets: subnets.into_values().collect(),
        instance_types: instance_types.into_values().collect(),
        errors,
        api_calls: run.calls.by_action(),
        scan_duration_ms: Some(u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX)),
    };
    CollectOutcome {
        snapshot,
        sources_reached,
        sources_total: scopes.len(),
    }
}

/// RFC 3339 UTC with second precision, e.g. `2026-11-26T07:02:04Z`.
pub fn rfc3339(time: SystemTime) -> String {
    let seconds = time
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    shared::fleet::unix_seconds_to_rfc3339(seconds)
}

struct ScopeOutcome {
    reached: bool,
    clusters: Vec<Cluster>,
    subnets: Vec<Subnet>,
    instance_types: Vec<InstanceTypeLimits>,
}

/// Where an error happened.
#[derive(Debug, Clone, Copy)]
struct Source<'s> {
    account: &'s str,
    region: &'s str,
    cluster: Option<&'s str>,
}

/// State of one scan.
struct Run<'a> {
    calls: CallCounter,
    errors: Mutex<Vec<SourceError>>,
    limit: tokio::sync::Semaphore,
    ctx: &'a CollectContext<'a>,
}

impl Run<'_> {
    /// Send one request: wait for a concurrency slot, count it, record a failure against `source`.
    async fn call<T>(
        &self,
        source: Source<'_>,
        operation: Operation,
        request: impl Future<Output = ApiResult<T>>,
    ) -> Option<T> {
        let _slot = self.limit.acquire().await.ok();
        self.calls.count(operation);
        match request.await {
            Ok(value) => Some(value),
            Err(error) => {
                self.record_api_error(source, operation, &error);
                None
            }
        }
    }

    /// Follow `NextToken` to the end. Returns the items read and whether the listing is complete.
    async fn paginate<T, F, Fut>(
        &self,
        source: Source<'_>,
        operation: Operation,
        mut fetch: F,
    ) -> (Vec<T>, bool)
    where
        F: FnMut(Option<String>) -> Fut,
        Fut: Future<Output = ApiResult<Page<T>>>,
    {
        let mut items = Vec::new();
        let mut token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let Some(page) = self.call(source, operation, fetch(token.clone())).await else {
                return (items, false);
            };
            items.extend(page.items);
            match page.next_token {
                Some(next) if Some(&next) == token.as_ref() => {
                    self.note(
                        source,
                        Some(operation),
                        ErrorKind::InvalidResponse,
                        "the same NextToken came back twice; listing cut short".into(),
                    );
                    return (items, false);
                }
                Some(next) => token = Some(next),
                None => return (items, true),
            }
        }
        self.note(
            source,
            Some(operation),
            ErrorKind::InvalidResponse,
            format!("more than {MAX_PAGES} pages; listing cut short"),
        );
        (items, false)
    }

    /// Record a failed call. The same (source, operation, kind) is recorded once: three throttled
    /// `DescribeInstances` filters of one cluster are one problem.
    fn record_api_error(&self, source: Source<'_>, operation: Operation, error: &ApiError) {
        let message = describe_failure(operation, source.region, error);
        self.push(source, Some(operation), error.kind, message, true);
    }

    /// Record a problem in the data (missing field, fallback) for a source.
    fn note(
        &self,
        source: Source<'_>,
        operation: Option<Operation>,
        kind: ErrorKind,
        message: String,
    ) {
        self.push(source, operation, kind, message, false);
    }

    fn push(
        &self,
        source: Source<'_>,
        operation: Option<Operation>,
        kind: ErrorKind,
        message: String,
        once_per_kind: bool,
    ) {
        let error = SourceError {
            account: Some(source.account.to_string()),
            region: Some(source.region.to_string()),
            cluster: source.cluster.map(str::to_string),
            operation: operation.map(|op| op.iam_action().to_string()),
            kind,
            message,
        };
        let mut errors = self.errors.lock().unwrap_or_else(|p| p.into_inner());
        let repeated = errors.iter().any(|e| {
            e.account == error.account
                && e.region == error.region
                && e.cluster == error.cluster
                && e.operation == error.operation
                && e.kind == error.kind
                && (once_per_kind || e.message == error.message)
        });
        if !repeated {
            errors.push(error);
        }
    }

    async fn scope<A: AwsApi>(&self, scope: &Scope<A>) -> ScopeOutcome {
        let source = Source {
            account: &scope.account_label,
            region: &scope.region,
            cluster: None,
        };
        let (names, complete) = self
            .paginate(source, Operation::EksListClusters, |token| {
                scope.api.list_clusters(token)
            })
            .await;
        let reached = complete || !names.is_empty();
        self.ctx.progress.update(|v| {
            v.clusters_total += names.len();
            v.phase = ScanPhase::ReadingClusters;
        });
        let mut clusters: Vec<Cluster> =
            join_all(names.into_iter().map(|name| self.cluster(scope, name))).await;
        clusters.sort_by(|a, b| a.name.cmp(&b.name));

        self.ctx
            .progress
            .update(|v| v.phase = ScanPhase::ReadingLaunchTemplates);
        self.read_user_data(scope, &mut clusters).await;
        self.ctx
            .progress
            .update(|v| v.phase = ScanPhase::ReadingSubnets);
        let subnets = self.subnets(scope, &clusters).await;
        self.ctx
            .progress
            .update(|v| v.phase = ScanPhase::ReadingInstanceTypes);
        let instance_types = self.instance_types(scope, &clusters).await;
        self.ctx.progress.update(|v| v.sources_done += 1);
        ScopeOutcome {
            reached,
            clusters,
            subnets,
            instance_types,
        }
    }

    async fn cluster<A: AwsApi>(&self, scope: &Scope<A>, name: String) -> Cluster {
        let source = Source {
            account: &scope.account_label,
            region: &scope.region,
            cluster: Some(&name),
        };
        let describe = self.call(
            source,
            Operation::EksDescribeCluster,
            scope.api.describe_cluster(&name),
        );
        let nodegroups = self.nodegroups(scope, source, &name);
        let instances = self.instances(scope, source, &name);
        let (info, nodegroups, instances) = futures::join!(describe, nodegroups, instances);

        let overrides = self
            .ctx
            .overrides
            .iter()
            .find(|o| o.name == name && o.region.as_deref().is_none_or(|r| r == scope.region));
        let (cluster, issues) = assemble_cluster(
            &name,
            &scope.account_label,
            &scope.region,
            info,
            nodegroups,
            instances,
            overrides,
        );
        for (kind, message) in issues {
            self.note(source, Some(Operation::Ec2DescribeInstances), kind, message);
        }
        self.ctx.progress.update(|v| v.clusters_done += 1);
        cluster
    }

    async fn nodegroups<A: AwsApi>(
        &self,
        scope: &Scope<A>,
        source: Source<'_>,
        cluster: &str,
    ) -> Vec<NodegroupInfo> {
        let (names, _) = self
            .paginate(source, Operation::EksListNodegroups, |token| {
                scope.api.list_nodegroups(cluster, token)
            })
            .await;
        let described: Vec<Option<NodegroupInfo>> = join_all(names.iter().map(|ng| {
            self.call(
                source,
                Operation::EksDescribeNodegroup,
                scope.api.describe_nodegroup(cluster, ng),
            )
        }))
        .await;
        // A nodegroup whose DescribeNodegroup failed is still listed by name (the error is recorded).
        names
            .into_iter()
            .zip(described)
            .map(|(name, info)| {
                info.unwrap_or(NodegroupInfo {
                    name,
                    ..NodegroupInfo::default()
                })
            })
            .collect()
    }

    /// Instances tagged for the cluster: one paginated, filtered `DescribeInstances` per tag form.
    async fn instances<A: AwsApi>(
        &self,
        scope: &Scope<A>,
        source: Source<'_>,
        cluster: &str,
    ) -> Vec<InstanceInfo> {
        let filters = cluster_instance_filters(cluster);
        let pages: Vec<Vec<InstanceInfo>> = join_all(filters.iter().map(|filter| async move {
            self.paginate(source, Operation::Ec2DescribeInstances, |token| {
                scope.api.describe_instances(filter, token)
            })
            .await
            .0
        }))
        .await;
        let mut seen = BTreeSet::new();
        let mut instances = Vec::new();
        for instance in pages.into_iter().flatten() {
            // An instance with both tag forms comes back twice; one without an id is kept for the report.
            if instance
                .instance_id
                .as_ref()
                .is_none_or(|id| seen.insert(id.clone()))
            {
                instances.push(instance);
            }
        }
        instances
    }

    /// `DescribeLaunchTemplateVersions` once per distinct template/version, then decode user data.
    async fn read_user_data<A: AwsApi>(&self, scope: &Scope<A>, clusters: &mut [Cluster]) {
        let source = Source {
            account: &scope.account_label,
            region: &scope.region,
            cluster: None,
        };
        let wanted: BTreeSet<(String, String)> = clusters
            .iter()
            .flat_map(|c| &c.nodegroups)
            .filter_map(|ng| launch_template_key(ng.launch_template.as_ref()?))
            .collect();
        let read: Vec<((String, String), Option<UserDataFlags>)> = join_all(wanted.into_iter().map(|(id, version)| async move {
                let rows = self
                    .call(source, Operation::Ec2DescribeLaunchTemplateVersions, scope.api.describe_launch_template_version(&id, &version))
                    .await;
                let label = format!("{id} version {version}");
                let flags = match rows {
                    None => None,
                    Some(rows) => match rows.into_iter().next() {
                        Some(row) => Some(decode_user_data(row.user_data_base64.as_deref().unwrap_or_default(), &label)),
                        None => {
                            self.note(
                                source,
                                Some(Operation::Ec2DescribeLaunchTemplateVersions),
                                ErrorKind::NotFound,
                                format!("launch template {label} was not returned (deleted?); its user data could not be read"),
                            );
                            None
                        }
                    },
                };
                ((id, version), flags)
            })).await;
        let read: BTreeMap<(String, String), UserDataFlags> = read
            .into_iter()
            .filter_map(|(key, flags)| Some((key, flags?)))
            .collect();
        for nodegroup in clusters.iter_mut().flat_map(|c| c.nodegroups.iter_mut()) {
            if let Some(key) = nodegroup
                .launch_template
                .as_ref()
                .and_then(launch_template_key)
            {
                nodegroup.user_data = read.get(&key).cloned();
            }
        }
    }

    /// `DescribeSubnets`, `GetSubnetCidrReservations` and `DescribeNetworkInterfaces` for every subnet
    /// the clusters reference.
    async fn subnets<A: AwsApi>(&self, scope: &Scope<A>, clusters: &[Cluster]) -> Vec<Subnet> {
        let source = Source {
            account: &scope.account_label,
            region: &scope.region,
            cluster: None,
        };
        let referenced: Vec<String> = referenced_subnets(clusters).into_iter().collect();
        if referenced.is_empty() {
            return Vec::new();
        }
        let chunks: Vec<&[String]> = referenced.chunks(IDS_PER_CALL).collect();
        let described: Vec<(Vec<SubnetInfo>, bool)> = join_all(chunks.iter().map(|ids| {
            self.paginate(source, Operation::Ec2DescribeSubnets, move |token| {
                scope.api.describe_subnets(ids, token)
            })
        }))
        .await;
        let all_answered = described.iter().all(|(_, complete)| *complete);
        let mut subnets: BTreeMap<String, Subnet> = BTreeMap::new();
        let mut returned: BTreeSet<String> = BTreeSet::new();
        for info in described.into_iter().flat_map(|(infos, _)| infos) {
            returned.extend(info.subnet_id.clone());
            let (Some(subnet_id), Some(cidr)) = (info.subnet_id, info.cidr) else {
                self.note(
                    source,
                    Some(Operation::Ec2DescribeSubnets),
                    ErrorKind::InvalidResponse,
                    "a subnet without SubnetId or CidrBlock was skipped".into(),
                );
                continue;
            };
            subnets.insert(
                subnet_id.clone(),
                Subnet {
                    subnet_id,
                    region: scope.region.clone(),
                    account_id: info.owner_id,
                    vpc_id: info.vpc_id,
                    availability_zone: info.availability_zone,
                    cidr,
                    available_ip_count: info.available_ip_count.and_then(|n| u32::try_from(n).ok()),
                    cidr_reservations: Vec::new(),
                    allocated_ips: None,
                    allocated_prefixes: None,
                    tags: info.tags,
                },
            );
        }
        if all_answered {
            let missing: Vec<&str> = referenced
                .iter()
                .filter(|id| !returned.contains(*id))
                .map(String::as_str)
                .collect();
            if !missing.is_empty() {
                self.note(
                    source,
                    Some(Operation::Ec2DescribeSubnets),
                    ErrorKind::NotFound,
                    format!(
                        "subnets referenced by clusters or nodes were not returned (deleted?): {}",
                        missing.join(", ")
                    ),
                );
            }
        }

        let found: Vec<String> = subnets.keys().cloned().collect();
        let reservations: Vec<(String, Vec<shared::snapshot::CidrReservation>)> =
            join_all(found.iter().map(|id| async move {
                let (items, _) = self
                    .paginate(source, Operation::Ec2GetSubnetCidrReservations, |token| {
                        scope.api.get_subnet_cidr_reservations(id, token)
                    })
                    .await;
                (id.clone(), items)
            }))
            .await;
        for (id, items) in reservations {
            if let Some(subnet) = subnets.get_mut(&id) {
                subnet.cidr_reservations = items;
            }
        }

        let found_chunks: Vec<&[String]> = found.chunks(IDS_PER_CALL).collect();
        let interfaces: Vec<(&[String], Vec<SubnetEni>, bool)> =
            join_all(found_chunks.into_iter().map(|ids| async move {
                let (enis, complete) = self
                    .paginate(source, Operation::Ec2DescribeNetworkInterfaces, |token| {
                        scope.api.describe_network_interfaces(ids, token)
                    })
                    .await;
                (ids, enis, complete)
            }))
            .await;
        for (ids, enis, complete) in interfaces {
            // A partial listing would undercount what is allocated: leave the subnet "unknown" instead.
            if !complete {
                continue;
            }
            for id in ids {
                if let Some(subnet) = subnets.get_mut(id) {
                    subnet.allocated_ips = Some(Vec::new());
                    subnet.allocated_prefixes = Some(Vec::new());
                }
            }
            for eni in enis {
                let Some(subnet) = eni.subnet_id.as_ref().and_then(|id| subnets.get_mut(id)) else {
                    continue;
                };
                subnet
                    .allocated_ips
                    .get_or_insert_with(Vec::new)
                    .extend(eni.private_ips);
                subnet
                    .allocated_prefixes
                    .get_or_insert_with(Vec::new)
                    .extend(eni.ipv4_prefixes);
            }
        }
        for subnet in subnets.values_mut() {
            for list in [
                subnet.allocated_ips.as_mut(),
                subnet.allocated_prefixes.as_mut(),
            ]
            .into_iter()
            .flatten()
            {
                list.sort();
                list.dedup();
            }
        }
        subnets.into_values().collect()
    }

    /// Limits for every type seen: the cache, then `DescribeInstanceTypes` (≤ 100 a call) for the rest,
    /// then the embedded table (noted), else an unknown-type error.
    async fn instance_types<A: AwsApi>(
        &self,
        scope: &Scope<A>,
        clusters: &[Cluster],
    ) -> Vec<InstanceTypeLimits> {
        let source = Source {
            account: &scope.account_label,
            region: &scope.region,
            cluster: None,
        };
        let seen: BTreeSet<String> = clusters
            .iter()
            .flat_map(|c| {
                c.nodes
                    .iter()
                    .map(|n| n.instance_type.clone())
                    .chain(c.nodegroups.iter().flat_map(|ng| ng.instance_types.clone()))
            })
            .filter(|t| !t.is_empty())
            .collect();
        let uncached: Vec<String> = seen
            .iter()
            .filter(|t| self.ctx.type_cache.get(t).is_none())
            .cloned()
            .collect();
        let chunks: Vec<&[String]> = uncached.chunks(IDS_PER_CALL).collect();
        let answers: Vec<(
            Vec<Result<InstanceTypeLimits, super::api::UnusableInstanceType>>,
            bool,
        )> = join_all(chunks.into_iter().map(|names| {
            self.paginate(source, Operation::Ec2DescribeInstanceTypes, move |token| {
                scope.api.describe_instance_types(names, token)
            })
        }))
        .await;
        let call_failed = answers.iter().any(|(_, complete)| !complete);
        for row in answers.into_iter().flat_map(|(rows, _)| rows) {
            match row {
                Ok(limits) => self.ctx.type_cache.insert(limits),
                Err(unusable) => self.note(
                    source,
                    Some(Operation::Ec2DescribeInstanceTypes),
                    ErrorKind::InvalidResponse,
                    format!(
                        "instance type {} skipped: {}",
                        unusable.instance_type, unusable.reason
                    ),
                ),
            }
        }
        let mut limits = Vec::new();
        let mut from_table = Vec::new();
        for name in &seen {
            if let Some(found) = self.ctx.type_cache.get(name) {
                limits.push(found);
            } else if let Some(row) = self.ctx.embedded_types.get(name) {
                from_table.push(name.as_str());
                limits.push(row.clone());
            } else {
                self.note(
                    source,
                    Some(Operation::Ec2DescribeInstanceTypes),
                    ErrorKind::NotFound,
                    format!(
                        "unknown instance type {name}: not returned by DescribeInstanceTypes in {} and not in the embedded table; its IP capacity cannot be computed",
                        scope.region
                    ),
                );
            }
        }
        if !from_table.is_empty() {
            let why = if call_failed {
                "DescribeInstanceTypes failed (see its error)"
            } else {
                "DescribeInstanceTypes did not return them"
            };
            self.note(
                source,
                None,
                ErrorKind::NotFound,
                format!(
                    "{why}; using the embedded instance-type table ({}) for: {}",
                    self.ctx.embedded_types.source,
                    from_table.join(", ")
                ),
            );
        }
        limits
    }
}

/// The `DescribeInstances` filters that find a cluster's nodes: the Kubernetes cluster tag (set by
/// EKS managed nodegroups, eksctl, Karpenter and the cluster-autoscaler convention) and the two EKS
/// cluster-name tags.
pub fn cluster_instance_filters(cluster: &str) -> [InstanceFilter; 3] {
    [
        InstanceFilter::TagKey(format!("kubernetes.io/cluster/{cluster}")),
        InstanceFilter::TagValue {
            key: "aws:eks:cluster-name".into(),
            value: cluster.into(),
        },
        InstanceFilter::TagValue {
            key: "eks:cluster-name".into(),
            value: cluster.into(),
        },
    ]
}

/// Which nodegroup an instance belongs to, from its tags.
pub fn group_of(tags: &BTreeMap<String, String>) -> (NodegroupKind, String) {
    if let Some(name) = tags.get(TAG_MANAGED_NODEGROUP) {
        return (NodegroupKind::Managed, name.clone());
    }
    if let Some(pool) = tags
        .get(TAG_KARPENTER_NODEPOOL)
        .or_else(|| tags.get(TAG_KARPENTER_PROVISIONER))
    {
        return (NodegroupKind::Karpenter, pool.clone());
    }
    // eksctl names its self-managed nodegroups; its ASG name is a generated CloudFormation name.
    if let Some(name) = tags.get(TAG_EKSCTL_NODEGROUP) {
        return (NodegroupKind::SelfManaged, name.clone());
    }
    if let Some(asg) = tags.get(TAG_ASG) {
        return (NodegroupKind::SelfManaged, asg.clone());
    }
    (NodegroupKind::Ungrouped, UNGROUPED.to_string())
}

/// OS from an EKS `amiType`: `WINDOWS_*` → Windows, `CUSTOM` or absent → unknown, anything else Linux.
pub fn os_from_ami_type(ami_type: Option<&str>) -> Option<Os> {
    match ami_type? {
        t if t.starts_with("WINDOWS_") => Some(Os::Windows),
        "CUSTOM" => None,
        _ => Some(Os::Linux),
    }
}

/// OS from the instance's `Platform` (`windows` or absent).
fn os_from_platform(platform: Option<&str>) -> Os {
    if platform.is_some_and(|p| p.eq_ignore_ascii_case("windows")) {
        Os::Windows
    } else {
        Os::Linux
    }
}

fn launch_template_key(lt: &LaunchTemplateRef) -> Option<(String, String)> {
    let id = lt.id.clone()?;
    Some((
        id,
        lt.version.clone().unwrap_or_else(|| "$Default".to_string()),
    ))
}

fn referenced_subnets(clusters: &[Cluster]) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    for cluster in clusters {
        ids.extend(cluster.subnet_ids.iter().cloned());
        for ng in &cluster.nodegroups {
            ids.extend(ng.subnet_ids.iter().cloned());
        }
        for node in &cluster.nodes {
            ids.extend(node.subnet_id.iter().cloned());
            for eni in &node.enis {
                ids.extend(eni.subnet_id.iter().cloned());
            }
        }
    }
    ids.retain(|id| !id.is_empty());
    ids
}

/// `arn:aws:eks:<region>:<account>:cluster/<name>` → account.
fn account_from_arn(arn: &str) -> Option<String> {
    arn.split(':')
        .nth(4)
        .filter(|a| !a.is_empty())
        .map(str::to_string)
}

/// Build one cluster from what was read. Pure: returns the cluster and the problems found in the
/// data (missing fields), as (kind, message).
#[allow(clippy::too_many_arguments)]
pub fn assemble_cluster(
    name: &str,
    account_label: &str,
    region: &str,
    info: Option<ClusterInfo>,
    managed: Vec<NodegroupInfo>,
    instances: Vec<InstanceInfo>,
    overrides: Option<&ClusterOverride>,
) -> (Cluster, Vec<(ErrorKind, String)>) {
    let mut issues = Vec::new();
    let info = info.unwrap_or_else(|| ClusterInfo {
        name: name.to_string(),
        ..ClusterInfo::default()
    });

    let mut groups: BTreeMap<(NodegroupKind, String), Nodegroup> = BTreeMap::new();
    for ng in managed {
        let nodegroup = Nodegroup {
            name: ng.name.clone(),
            kind: NodegroupKind::Managed,
            os: os_from_ami_type(ng.ami_type.as_deref()),
            ami_type: ng.ami_type,
            release_version: ng.release_version,
            version: ng.version,
            instance_types: ng.instance_types,
            capacity_type: ng.capacity_type,
            scaling: ng.scaling,
            subnet_ids: ng.subnet_ids,
            launch_template: ng.launch_template,
            asg_names: ng.asg_names,
            user_data: None,
            status: ng.status,
            labels: ng.labels,
        };
        groups.insert((NodegroupKind::Managed, ng.name), nodegroup);
    }

    // Per non-managed group: launch templates seen on its instances, to pick the most common.
    let mut group_templates: BTreeMap<(NodegroupKind, String), BTreeMap<(String, String), usize>> =
        BTreeMap::new();
    let mut nodes = Vec::new();
    for instance in instances {
        let Some(instance_id) = instance.instance_id.clone() else {
            issues.push((
                ErrorKind::InvalidResponse,
                "an instance without InstanceId was skipped".to_string(),
            ));
            continue;
        };
        let Some(instance_type) = instance.instance_type.clone().filter(|t| !t.is_empty()) else {
            issues.push((
                ErrorKind::InvalidResponse,
                format!("instance {instance_id} has no InstanceType; skipped"),
            ));
            continue;
        };
        let key = group_of(&instance.tags);
        let platform_os = os_from_platform(instance.platform.as_deref());
        let group = groups.entry(key.clone()).or_insert_with(|| Nodegroup {
            name: key.1.clone(),
            kind: key.0,
            os: None,
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
        });
        // amiType decides for managed nodegroups; the instance platform otherwise (and for CUSTOM).
        let os = os_from_ami_type(group.ami_type.as_deref()).unwrap_or(platform_os);
        if key.0 != NodegroupKind::Managed {
            if !group.instance_types.contains(&instance_type) {
                group.instance_types.push(instance_type.clone());
            }
            if let Some(subnet) = &instance.subnet_id
                && !group.subnet_ids.contains(subnet)
            {
                group.subnet_ids.push(subnet.clone());
            }
            if let Some(asg) = instance.tags.get(TAG_ASG)
                && !group.asg_names.contains(asg)
            {
                group.asg_names.push(asg.clone());
            }
            if key.0 == NodegroupKind::Karpenter && group.capacity_type.is_none() {
                group.capacity_type = instance.tags.get("karpenter.sh/capacity-type").cloned();
            }
            if let Some(id) = instance.tags.get(TAG_LAUNCH_TEMPLATE_ID) {
                let version = instance
                    .tags
                    .get(TAG_LAUNCH_TEMPLATE_VERSION)
                    .cloned()
                    .unwrap_or_else(|| "$Default".into());
                *group_templates
                    .entry(key.clone())
                    .or_default()
                    .entry((id.clone(), version))
                    .or_default() += 1;
            }
        }

        let mut enis = Vec::new();
        for eni in instance.enis {
            match eni_from(eni) {
                Some(eni) => enis.push(eni),
                None => issues.push((
                    ErrorKind::InvalidResponse,
                    format!("instance {instance_id}: a network interface without NetworkInterfaceId was skipped"),
                )),
            }
        }
        if enis.is_empty() && instance.state.as_deref() == Some("running") {
            issues.push((
                ErrorKind::InvalidResponse,
                format!("instance {instance_id} is running but DescribeInstances listed no network interfaces; it is shown holding no IPs"),
            ));
        }
        enis.sort_by_key(|e| {
            (
                e.network_card_index.unwrap_or(0),
                e.device_index.unwrap_or(u32::MAX),
            )
        });
        let subnet_id = instance.subnet_id.or_else(|| {
            enis.iter()
                .find(|e| e.device_index == Some(0))
                .and_then(|e| e.subnet_id.clone())
        });
        nodes.push(Node {
            instance_id,
            instance_type,
            os,
            nodegroup: Some(key.1.clone()),
            subnet_id,
            availability_zone: instance.availability_zone,
            private_ip: instance.private_ip,
            ami_id: instance.image_id,
            launch_time: instance.launch_time,
            state: instance.state,
            platform_details: instance.platform_details,
            windows_build: None,
            enis,
            pods_with_ips: None,
        });
    }

    // Groups named only by instances: OS when all members agree, most common launch template.
    for (key, group) in groups.iter_mut() {
        let members: Vec<&Node> = nodes
            .iter()
            .filter(|n| n.nodegroup.as_deref() == Some(key.1.as_str()))
            .collect();
        if group.os.is_none() && !members.is_empty() {
            let first = members[0].os;
            if members.iter().all(|n| n.os == first) {
                group.os = Some(first);
            }
        }
        if let Some(templates) = group_templates.get(key)
            && let Some(((id, version), _)) = templates
                .iter()
                .max_by_key(|(lt, count)| (**count, std::cmp::Reverse((*lt).clone())))
        {
            group.launch_template = Some(LaunchTemplateRef {
                id: Some(id.clone()),
                name: None,
                version: Some(version.clone()),
            });
        }
        group.instance_types.sort();
        group.subnet_ids.sort();
        group.asg_names.sort();
    }
    nodes.sort_by(|a, b| (&a.nodegroup, &a.instance_id).cmp(&(&b.nodegroup, &b.instance_id)));

    let cluster = Cluster {
        name: name.to_string(),
        region: region.to_string(),
        account_id: info.arn.as_deref().and_then(account_from_arn),
        account_label: Some(account_label.to_string()),
        version: info.version,
        platform_version: info.platform_version,
        status: info.status,
        vpc_id: info.vpc_id,
        subnet_ids: info.subnet_ids,
        service_ipv4_cidr: info.service_ipv4_cidr,
        ip_family: info.ip_family,
        nodegroups: groups.into_values().collect(),
        nodes,
        windows_ipam_config: overrides.and_then(|o| o.windows_ipam_config.clone()),
        linux_ipam_env: None,
        service_count: overrides.and_then(|o| o.service_count),
    };
    (cluster, issues)
}

fn eni_from(eni: EniInfo) -> Option<Eni> {
    Some(Eni {
        eni_id: eni.eni_id.filter(|id| !id.is_empty())?,
        interface_type: eni.interface_type,
        device_index: eni.device_index,
        network_card_index: eni.network_card_index,
        subnet_id: eni.subnet_id,
        primary_ip: eni.primary_ip,
        secondary_ips: eni.secondary_ips,
        ipv4_prefixes: eni.ipv4_prefixes,
    })
}

/// The error message for a failed call: what failed, AWS's words, and what to do about it.
pub fn describe_failure(operation: Operation, region: &str, error: &ApiError) -> String {
    let action = operation.iam_action();
    let fix = match error.kind {
        ErrorKind::AccessDenied => format!(
            "grant `{action}` to the identity eniscope uses for this account (iam-policy.json lists every action eniscope needs)"
        ),
        ErrorKind::Throttled => format!(
            "AWS kept throttling after {} attempts with backoff; the next scan retries (raise scan_interval_seconds if this repeats)",
            super::real::MAX_ATTEMPTS
        ),
        ErrorKind::Unreachable => format!(
            "could not reach the {} endpoint for region {region}: check the network or proxy, the region name, or endpoint_url",
            operation.service()
        ),
        ErrorKind::Credentials => format!(
            "no usable AWS credentials: set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, check this account's profile or role_arn in the config (a role_arn account needs `{}` on the caller), or run `eniscope serve --demo`",
            super::ops::CREDENTIAL_ACTIONS.join("`, `")
        ),
        ErrorKind::NotFound => {
            "not found (deleted during the scan?); the next scan catches up".to_string()
        }
        ErrorKind::InvalidResponse => {
            "the response was incomplete; the rest of the scan went on".to_string()
        }
        ErrorKind::Other => "the next scan retries".to_string(),
    };
    let code = error
        .code
        .as_deref()
        .map(|c| format!(" ({c})"))
        .unwrap_or_default();
    format!(
        "{action} failed{code}: {}. {fix}",
        error.message.trim_end_matches('.')
    )
}
