//! Collector logic against the fake `AwsApi`. These cover what moto cannot do (tests/moto.rs covers
//! the SDK wiring against a real emulator): /28 prefixes on ENIs (moto assigns none), AccessDenied,
//! throttling and dead endpoints (moto never returns them), missing fields, and call counts at scale.

use super::api::{
    ClusterInfo, InstanceInfo, NodegroupInfo, SubnetEni, SubnetInfo, UnusableInstanceType,
};
use super::collect::{
    CollectContext, CollectOutcome, InstanceTypeCache, ScanProgress, Scope, collect,
};
use super::fake::{FakeAws, InstanceBuilder, instance};
use super::ops::Operation;
use crate::config::ClusterOverride;
use base64::Engine as _;
use shared::snapshot::{
    CidrReservation, ErrorKind, LaunchTemplateRef, NodegroupKind, ReservationType, Scaling,
    SourceKind,
};
use shared::{Architecture, Hypervisor, InstanceTypeLimits, InstanceTypeTable, Os};
use std::collections::BTreeMap;

const SEED_USER_DATA: &str = r#"<powershell>
[string]$EKSBinDir = "$env:ProgramFiles\Amazon\EKS"
[string]$EKSBootstrapScriptName = 'Start-EKSBootstrap.ps1'
[string]$EKSBootstrapScriptFile = "$EKSBinDir\$EKSBootstrapScriptName"
(Get-Content $EKSBootstrapScriptFile).replace('"--proxy-mode=kernelspace",', '"--proxy-mode=kernelspace", "--feature-gates WinDSR=true", "--enable-dsr",') | Set-Content $EKSBootstrapScriptFile
& $EKSBootstrapScriptFile -EKSClusterName "eks-windows" -APIServerEndpoint "https://x" -Base64ClusterCA "y" -DNSClusterIP "172.20.0.10" -KubeletExtraArgs "--node-labels=alpha.eksctl.io/cluster-name=eks-windows,alpha.eksctl.io/nodegroup-name=windows-ng-ltsc2019 --register-with-taints=" 3>&1 4>&1 5>&1 6>&1
</powershell>"#;

fn b64(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}

fn limits(name: &str, enis: u32, ipv4_per_eni: u32) -> InstanceTypeLimits {
    InstanceTypeLimits {
        instance_type: name.to_string(),
        hypervisor: Hypervisor::Nitro,
        bare_metal: false,
        vcpus: 4,
        memory_mib: 8192,
        architectures: vec![Architecture::X86_64],
        enis,
        ipv4_per_eni,
        total_enis: enis,
        network_cards: 1,
        current_generation: true,
    }
}

fn table(types: Vec<InstanceTypeLimits>) -> InstanceTypeTable {
    let json = serde_json::json!({ "source": "test table", "types": types }).to_string();
    InstanceTypeTable::from_json(&json).expect("test table")
}

fn subnet(id: &str, cidr: &str, free: i64) -> SubnetInfo {
    SubnetInfo {
        subnet_id: Some(id.into()),
        vpc_id: Some("vpc-1".into()),
        availability_zone: Some("eu-west-1a".into()),
        cidr: Some(cidr.into()),
        available_ip_count: Some(free),
        owner_id: Some("111122223333".into()),
        tags: BTreeMap::new(),
    }
}

fn cluster(name: &str) -> ClusterInfo {
    ClusterInfo {
        name: name.into(),
        arn: Some(format!("arn:aws:eks:eu-west-1:111122223333:cluster/{name}")),
        version: Some("1.31".into()),
        status: Some("ACTIVE".into()),
        vpc_id: Some("vpc-1".into()),
        subnet_ids: vec!["subnet-a".into()],
        ..ClusterInfo::default()
    }
}

/// The seed's eks-windows cluster: the eksctl self-managed windows-ng (seed patch in its launch
/// template), a managed Windows 2022 nodegroup with prefix delegation and -KubeProxyExtraArgs DSR, a
/// managed Linux nodegroup, Karpenter nodes and one stray instance.
fn seed_fleet() -> FakeAws {
    let mut fake = FakeAws::new();
    fake.clusters.push(cluster("eks-windows"));
    fake.nodegroups.insert(
        "eks-windows".into(),
        vec![
            NodegroupInfo {
                name: "win-2022".into(),
                ami_type: Some("WINDOWS_CORE_2022_x86_64".into()),
                release_version: Some("1.31-2024.11.12".into()),
                version: Some("1.31".into()),
                instance_types: vec!["m5.large".into()],
                capacity_type: Some("ON_DEMAND".into()),
                scaling: Some(Scaling {
                    min_size: 1,
                    max_size: 4,
                    desired_size: 2,
                }),
                subnet_ids: vec!["subnet-a".into()],
                launch_template: Some(LaunchTemplateRef {
                    id: Some("lt-win2022".into()),
                    name: Some("win2022".into()),
                    version: Some("2".into()),
                }),
                asg_names: vec!["eks-win-2022-abc".into()],
                status: Some("ACTIVE".into()),
                labels: BTreeMap::new(),
            },
            NodegroupInfo {
                name: "linux".into(),
                ami_type: Some("AL2023_x86_64_STANDARD".into()),
                instance_types: vec!["m5.large".into()],
                subnet_ids: vec!["subnet-b".into()],
                ..NodegroupInfo::default()
            },
        ],
    );
    let cluster_tag = "kubernetes.io/cluster/eks-windows";
    fake.instances = vec![
        instance("i-win1", "c5.xlarge")
            .windows()
            .in_subnet("subnet-a")
            .tag(cluster_tag, "owned")
            .tag("alpha.eksctl.io/nodegroup-name", "windows-ng")
            .tag("alpha.eksctl.io/cluster-name", "eks-windows")
            .tag(
                "aws:autoscaling:groupName",
                "eksctl-eks-windows-nodegroup-windows-ng-NodeGroup-1A2B",
            )
            .tag("aws:ec2launchtemplate:id", "lt-eksctl")
            .tag("aws:ec2launchtemplate:version", "1")
            .eni("eni-w1", 0, 14, 0),
        instance("i-win2", "c5.xlarge")
            .windows()
            .in_subnet("subnet-a")
            .tag(cluster_tag, "owned")
            .tag("alpha.eksctl.io/nodegroup-name", "windows-ng")
            .tag(
                "aws:autoscaling:groupName",
                "eksctl-eks-windows-nodegroup-windows-ng-NodeGroup-1A2B",
            )
            .tag("aws:ec2launchtemplate:id", "lt-eksctl")
            .tag("aws:ec2launchtemplate:version", "1")
            .eni("eni-w2", 0, 3, 0),
        // Managed Windows with prefix delegation: 2 × /28 on the primary ENI (moto cannot assign prefixes).
        instance("i-mng1", "m5.large")
            .windows()
            .in_subnet("subnet-a")
            .tag("eks:cluster-name", "eks-windows")
            .tag("eks:nodegroup-name", "win-2022")
            .tag(cluster_tag, "owned")
            .eni("eni-m1", 0, 0, 2),
        // Managed Linux: the amiType decides the OS even though Platform is absent.
        instance("i-lin1", "m5.large")
            .in_subnet("subnet-b")
            .tag("eks:nodegroup-name", "linux")
            .tag(cluster_tag, "owned")
            .eni("eni-l1", 0, 9, 0)
            .eni("eni-l2", 1, 10, 0),
        instance("i-karp1", "c6i.xlarge")
            .in_subnet("subnet-b")
            .tag(cluster_tag, "owned")
            .tag("karpenter.sh/nodepool", "default")
            .tag("karpenter.sh/capacity-type", "spot")
            .eni("eni-k1", 0, 5, 1),
        instance("i-stray", "t3.medium")
            .in_subnet("subnet-b")
            .tag("aws:eks:cluster-name", "eks-windows")
            .eni("eni-s1", 0, 0, 0),
    ];
    fake.instance_types = vec![
        limits("c5.xlarge", 4, 15),
        limits("m5.large", 3, 10),
        limits("c6i.xlarge", 4, 15),
        limits("t3.medium", 3, 6),
    ];
    fake.subnets = vec![
        subnet("subnet-a", "10.0.0.0/24", 200),
        subnet("subnet-b", "10.0.1.0/24", 100),
    ];
    fake.reservations.insert(
        "subnet-a".into(),
        vec![CidrReservation {
            reservation_id: Some("scr-1".into()),
            cidr: "10.0.0.128/25".into(),
            reservation_type: ReservationType::Prefix,
            description: None,
        }],
    );
    fake.enis = vec![
        SubnetEni {
            subnet_id: Some("subnet-a".into()),
            private_ips: vec!["10.0.0.10".into(), "10.0.0.11".into()],
            ipv4_prefixes: vec!["10.0.0.128/28".into()],
        },
        SubnetEni {
            subnet_id: Some("subnet-b".into()),
            private_ips: vec!["10.0.1.10".into()],
            ipv4_prefixes: vec![],
        },
    ];
    fake.launch_templates
        .insert(("lt-eksctl".into(), "1".into()), Some(b64(SEED_USER_DATA)));
    fake.launch_templates.insert(
        ("lt-win2022".into(), "2".into()),
        Some(b64("<powershell>& $EKSBootstrapScriptFile -EKSClusterName eks-windows -KubeProxyExtraArgs '--enable-dsr=true'</powershell>")),
    );
    fake
}

struct Harness {
    cache: InstanceTypeCache,
    table: InstanceTypeTable,
    progress: ScanProgress,
    overrides: Vec<ClusterOverride>,
}

impl Harness {
    fn new() -> Self {
        Self {
            cache: InstanceTypeCache::default(),
            table: table(vec![limits("t3.medium", 3, 6), limits("m5.large", 3, 10)]),
            progress: ScanProgress::default(),
            overrides: Vec::new(),
        }
    }

    async fn run(&self, scopes: &[Scope<FakeAws>]) -> CollectOutcome {
        let ctx = CollectContext {
            type_cache: &self.cache,
            embedded_types: &self.table,
            overrides: &self.overrides,
            progress: &self.progress,
            concurrency: 4,
            description: "test".into(),
        };
        collect(scopes, &ctx).await
    }
}

fn scope(region: &str, fake: FakeAws) -> Scope<FakeAws> {
    Scope {
        account_label: "prod".into(),
        region: region.into(),
        api: fake,
    }
}

fn calls(outcome: &CollectOutcome, operation: Operation) -> u64 {
    outcome
        .snapshot
        .api_calls
        .get(operation.iam_action())
        .copied()
        .unwrap_or(0)
}

#[tokio::test]
async fn collects_the_seed_windows_nodegroup_and_every_group_kind() {
    let mut harness = Harness::new();
    harness.overrides.push(ClusterOverride {
        name: "eks-windows".into(),
        region: None,
        windows_ipam_config: Some(BTreeMap::from([(
            "enable-windows-ipam".to_string(),
            "true".to_string(),
        )])),
        service_count: Some(150),
    });
    let outcome = harness.run(&[scope("eu-west-1", seed_fleet())]).await;
    let snapshot = &outcome.snapshot;
    assert_eq!(snapshot.source.kind, SourceKind::Aws);
    assert_eq!(snapshot.errors, vec![], "a clean fleet records no errors");
    assert!(!outcome.nothing_collected());
    let cluster = snapshot
        .cluster("eu-west-1", "eks-windows")
        .expect("cluster");
    assert_eq!(cluster.account_id.as_deref(), Some("111122223333"));
    assert_eq!(cluster.account_label.as_deref(), Some("prod"));
    assert_eq!(cluster.service_count, Some(150));
    assert!(cluster.windows_ipam_config.is_some());
    assert_eq!(cluster.nodes.len(), 6, "every tagged instance, each once");

    let group = |name: &str| {
        cluster
            .nodegroups
            .iter()
            .find(|ng| ng.name == name)
            .expect(name)
    };
    let windows_ng = group("windows-ng");
    assert_eq!(windows_ng.kind, NodegroupKind::SelfManaged);
    assert_eq!(windows_ng.os, Some(Os::Windows));
    assert_eq!(
        windows_ng.asg_names,
        vec!["eksctl-eks-windows-nodegroup-windows-ng-NodeGroup-1A2B".to_string()]
    );
    assert_eq!(windows_ng.instance_types, vec!["c5.xlarge".to_string()]);
    assert_eq!(
        windows_ng
            .launch_template
            .as_ref()
            .and_then(|lt| lt.id.as_deref()),
        Some("lt-eksctl")
    );
    let flags = windows_ng
        .user_data
        .as_ref()
        .expect("user data read from the launch template");
    assert!(
        flags.proxy_mode_patch
            && flags.enable_dsr == Some(true)
            && flags.win_dsr_gate == Some(true),
        "{flags:?}"
    );
    assert_eq!(flags.source, "lt-eksctl version 1");

    let managed = group("win-2022");
    assert_eq!(
        (managed.kind, managed.os),
        (NodegroupKind::Managed, Some(Os::Windows))
    );
    let flags = managed.user_data.as_ref().expect("managed LT user data");
    assert_eq!(flags.enable_dsr, Some(true));
    assert!(flags.kube_proxy_extra_args.is_some(), "{flags:?}");

    assert_eq!(group("linux").os, Some(Os::Linux));
    let karpenter = group("default");
    assert_eq!(
        (karpenter.kind, karpenter.capacity_type.as_deref()),
        (NodegroupKind::Karpenter, Some("spot"))
    );
    assert_eq!(group("ungrouped").kind, NodegroupKind::Ungrouped);

    let node = |id: &str| {
        cluster
            .nodes
            .iter()
            .find(|n| n.instance_id == id)
            .expect(id)
    };
    assert_eq!(node("i-win1").os, Os::Windows);
    assert_eq!(node("i-win1").nodegroup.as_deref(), Some("windows-ng"));
    assert_eq!(node("i-win1").enis[0].secondary_ips.len(), 14);
    assert_eq!(
        node("i-mng1").enis[0].ipv4_prefixes,
        vec!["10.0.100.0/28".to_string(), "10.0.101.0/28".to_string()]
    );
    assert_eq!(node("i-lin1").os, Os::Linux);
    assert_eq!(node("i-lin1").enis.len(), 2);
    assert_eq!(node("i-stray").nodegroup.as_deref(), Some("ungrouped"));

    let subnet_a = snapshot.subnet("subnet-a").expect("subnet-a");
    assert_eq!(subnet_a.available_ip_count, Some(200));
    assert_eq!(subnet_a.cidr_reservations.len(), 1);
    assert_eq!(
        subnet_a.allocated_prefixes.as_deref(),
        Some(&["10.0.0.128/28".to_string()][..])
    );
    assert_eq!(subnet_a.allocated_ips.as_ref().map(Vec::len), Some(2));
    let types: Vec<&str> = snapshot
        .instance_types
        .iter()
        .map(|t| t.instance_type.as_str())
        .collect();
    assert_eq!(types, ["c5.xlarge", "c6i.xlarge", "m5.large", "t3.medium"]);

    // Calls: one per page and per distinct thing, never per node.
    assert_eq!(calls(&outcome, Operation::EksListClusters), 1);
    assert_eq!(calls(&outcome, Operation::EksDescribeCluster), 1);
    assert_eq!(calls(&outcome, Operation::EksListNodegroups), 1);
    assert_eq!(calls(&outcome, Operation::EksDescribeNodegroup), 2);
    assert_eq!(
        calls(&outcome, Operation::Ec2DescribeInstances),
        3,
        "three tag forms, one page each"
    );
    assert_eq!(calls(&outcome, Operation::Ec2DescribeInstanceTypes), 1);
    assert_eq!(calls(&outcome, Operation::Ec2DescribeSubnets), 1);
    assert_eq!(
        calls(&outcome, Operation::Ec2GetSubnetCidrReservations),
        2,
        "one per subnet"
    );
    assert_eq!(calls(&outcome, Operation::Ec2DescribeNetworkInterfaces), 1);
    assert_eq!(
        calls(&outcome, Operation::Ec2DescribeLaunchTemplateVersions),
        2,
        "one per template version"
    );
    let progress = harness.progress.view();
    assert_eq!(
        (
            progress.clusters_done,
            progress.clusters_total,
            progress.sources_done
        ),
        (1, 1, 1)
    );
}

/// 2,500 nodes and 150 instance types in one cluster: calls follow pages (1000 a page) and batches
/// (100 types a call), not nodes; the next scan reads no instance type again (cache).
#[tokio::test]
async fn calls_grow_with_pages_not_nodes_and_types_are_cached() {
    let mut fake = FakeAws::new();
    fake.clusters.push(cluster("big"));
    for i in 0..2500 {
        let instance_type = format!("m{}.large", i % 150);
        fake.instances.push(
            instance(&format!("i-{i:05}"), &instance_type)
                .in_subnet("subnet-a")
                .tag("kubernetes.io/cluster/big", "owned")
                .tag("aws:autoscaling:groupName", "asg-big")
                .eni(&format!("eni-{i}"), 0, 3, 0),
        );
    }
    fake.instance_types = (0..150)
        .map(|i| limits(&format!("m{i}.large"), 3, 10))
        .collect();
    fake.subnets = vec![subnet("subnet-a", "10.0.0.0/16", 50_000)];
    let harness = Harness::new();
    let scopes = [scope("eu-west-1", fake)];
    let first = harness.run(&scopes).await;
    assert_eq!(first.snapshot.clusters[0].nodes.len(), 2500);
    assert_eq!(
        calls(&first, Operation::Ec2DescribeInstances),
        3 + 2,
        "tag-key: 3 pages; the two value tags: 1 each"
    );
    assert_eq!(
        calls(&first, Operation::Ec2DescribeInstanceTypes),
        2,
        "150 types in batches of at most 100"
    );
    assert_eq!(
        *scopes[0].api.type_batches.lock().expect("lock"),
        vec![100, 50]
    );
    assert_eq!(calls(&first, Operation::Ec2DescribeNetworkInterfaces), 1);
    assert_eq!(calls(&first, Operation::Ec2GetSubnetCidrReservations), 1);
    assert_eq!(first.snapshot.instance_types.len(), 150);

    let second = harness.run(&scopes).await;
    assert_eq!(
        calls(&second, Operation::Ec2DescribeInstanceTypes),
        0,
        "types come from the cache"
    );
    assert_eq!(second.snapshot.instance_types.len(), 150);
}

/// AccessDenied, throttling and a dead endpoint each hit one source; everything else is collected.
#[tokio::test]
async fn one_failing_source_never_hides_the_others() {
    let mut fleet = seed_fleet();
    fleet.clusters.push(cluster("other"));
    fleet.instances.push(
        instance("i-other", "m5.large")
            .in_subnet("subnet-a")
            .tag("kubernetes.io/cluster/other", "owned")
            .eni("eni-o", 0, 1, 0),
    );
    let fleet = fleet
        .fail(
            Operation::EksDescribeNodegroup,
            "win-2022",
            ErrorKind::AccessDenied,
            "AccessDeniedException",
        )
        .fail(
            Operation::Ec2DescribeInstances,
            "other",
            ErrorKind::Throttled,
            "RequestLimitExceeded",
        )
        .fail(
            Operation::Ec2GetSubnetCidrReservations,
            "subnet-b",
            ErrorKind::AccessDenied,
            "UnauthorizedOperation",
        );
    let dead_region = FakeAws::new().fail(
        Operation::EksListClusters,
        "",
        ErrorKind::Unreachable,
        "dispatch failure",
    );
    let harness = Harness::new();
    let outcome = harness
        .run(&[scope("eu-west-1", fleet), scope("ap-south-1", dead_region)])
        .await;
    let snapshot = &outcome.snapshot;
    assert_eq!((outcome.sources_reached, outcome.sources_total), (1, 2));
    assert!(!outcome.nothing_collected());

    let find = |operation: &str| {
        snapshot
            .errors
            .iter()
            .find(|e| e.operation.as_deref() == Some(operation))
            .expect(operation)
    };
    let denied = find("eks:DescribeNodegroup");
    assert_eq!(
        (denied.kind, denied.cluster.as_deref()),
        (ErrorKind::AccessDenied, Some("eks-windows"))
    );
    assert!(
        denied.message.contains("grant `eks:DescribeNodegroup`"),
        "{}",
        denied.message
    );
    let throttled = find("ec2:DescribeInstances");
    assert_eq!(
        (throttled.kind, throttled.cluster.as_deref()),
        (ErrorKind::Throttled, Some("other"))
    );
    assert!(
        throttled.message.contains("backoff"),
        "{}",
        throttled.message
    );
    let unreachable = find("eks:ListClusters");
    assert_eq!(
        (unreachable.kind, unreachable.region.as_deref()),
        (ErrorKind::Unreachable, Some("ap-south-1"))
    );
    assert!(
        unreachable.message.contains("region ap-south-1"),
        "{}",
        unreachable.message
    );
    assert_eq!(
        find("ec2:GetSubnetCidrReservations").kind,
        ErrorKind::AccessDenied
    );

    let windows = snapshot
        .cluster("eu-west-1", "eks-windows")
        .expect("cluster still collected");
    assert_eq!(
        windows.nodes.len(),
        6,
        "nodes are read even when DescribeNodegroup is denied"
    );
    let managed = windows
        .nodegroups
        .iter()
        .find(|ng| ng.name == "win-2022")
        .expect("listed by name");
    assert_eq!(managed.kind, NodegroupKind::Managed);
    assert_eq!(
        windows
            .nodes
            .iter()
            .find(|n| n.instance_id == "i-mng1")
            .map(|n| n.os),
        Some(Os::Windows)
    );
    let other = snapshot
        .cluster("eu-west-1", "other")
        .expect("throttled cluster is still listed");
    assert!(other.nodes.is_empty());
    assert!(
        snapshot
            .subnet("subnet-a")
            .is_some_and(|s| !s.cidr_reservations.is_empty())
    );
}

#[tokio::test]
async fn no_credentials_anywhere_means_nothing_collected() {
    let fake = || {
        FakeAws::new().fail(
            Operation::EksListClusters,
            "",
            ErrorKind::Credentials,
            "CredentialsNotLoaded",
        )
    };
    let outcome = Harness::new()
        .run(&[scope("eu-west-1", fake()), scope("us-east-1", fake())])
        .await;
    assert!(outcome.nothing_collected());
    assert_eq!(outcome.snapshot.errors.len(), 2);
    assert!(
        outcome
            .snapshot
            .errors
            .iter()
            .all(|e| e.kind == ErrorKind::Credentials && e.message.contains("AWS_PROFILE"))
    );
    assert_eq!(outcome.snapshot.api_calls.get("eks:ListClusters"), Some(&2));
}

#[tokio::test]
async fn instance_types_fall_back_to_the_embedded_table_with_a_note() {
    let mut fake = seed_fleet();
    // t3.medium (i-stray) is not returned by DescribeInstanceTypes: the embedded table has it.
    fake.instance_types
        .retain(|t| t.instance_type != "c6i.xlarge" && t.instance_type != "t3.medium");
    fake.instances.push(
        instance("i-new", "x9z.huge")
            .in_subnet("subnet-b")
            .tag("kubernetes.io/cluster/eks-windows", "owned")
            .eni("eni-n", 0, 0, 0),
    );
    fake.unusable_types.push(UnusableInstanceType {
        instance_type: "c6i.xlarge".into(),
        reason: "no NetworkInfo".into(),
    });
    let outcome = Harness::new().run(&[scope("eu-west-1", fake)]).await;
    let snapshot = &outcome.snapshot;
    let note = snapshot
        .errors
        .iter()
        .find(|e| e.message.contains("embedded instance-type table"))
        .expect("fallback note");
    assert!(
        note.message.contains("t3.medium") && note.message.contains("test table"),
        "{}",
        note.message
    );
    let unknown = snapshot
        .errors
        .iter()
        .find(|e| e.message.contains("x9z.huge"))
        .expect("unknown type recorded");
    assert_eq!(unknown.kind, ErrorKind::NotFound);
    assert!(
        snapshot
            .errors
            .iter()
            .any(|e| e.message.contains("c6i.xlarge skipped: no NetworkInfo"))
    );
    assert!(
        snapshot
            .instance_types
            .iter()
            .any(|t| t.instance_type == "t3.medium")
    );
    // The node with the unknown type is still there.
    assert!(
        snapshot.clusters[0]
            .nodes
            .iter()
            .any(|n| n.instance_id == "i-new")
    );

    // DescribeInstanceTypes denied: every type comes from the table, and the note says why.
    let denied = seed_fleet().fail(
        Operation::Ec2DescribeInstanceTypes,
        "",
        ErrorKind::AccessDenied,
        "UnauthorizedOperation",
    );
    let outcome = Harness::new().run(&[scope("eu-west-1", denied)]).await;
    let note = outcome
        .snapshot
        .errors
        .iter()
        .find(|e| e.message.contains("embedded instance-type table"))
        .expect("note");
    assert!(
        note.message.starts_with("DescribeInstanceTypes failed"),
        "{}",
        note.message
    );
    assert!(note.message.contains("m5.large"), "{}", note.message);
}

/// Missing fields and malformed user data are recorded; nothing panics and nothing else is lost.
#[tokio::test]
async fn bad_input_is_recorded_not_fatal() {
    let mut fake = seed_fleet();
    let tag = "kubernetes.io/cluster/eks-windows";
    fake.instances.push(InstanceInfo {
        instance_id: None,
        ..instance("", "m5.large").tag(tag, "owned")
    });
    fake.instances.push(InstanceInfo {
        instance_type: None,
        ..instance("i-notype", "").tag(tag, "owned")
    });
    fake.instances
        .push(instance("i-noeni", "m5.large").tag(tag, "owned"));
    let mut no_eni_id = instance("i-badeni", "m5.large")
        .in_subnet("subnet-a")
        .tag(tag, "owned")
        .eni("eni-x", 0, 2, 0)
        .eni("eni-y", 1, 1, 0);
    no_eni_id.enis[1].eni_id = None;
    fake.instances.push(no_eni_id);
    fake.subnets.push(SubnetInfo {
        cidr: None,
        ..subnet("subnet-c", "", 1)
    });
    fake.nodegroups
        .get_mut("eks-windows")
        .expect("ngs")
        .push(NodegroupInfo {
            name: "broken-lt".into(),
            ami_type: Some("WINDOWS_FULL_2019_x86_64".into()),
            subnet_ids: vec!["subnet-c".into()],
            launch_template: Some(LaunchTemplateRef {
                id: Some("lt-garbage".into()),
                name: None,
                version: Some("7".into()),
            }),
            ..NodegroupInfo::default()
        });
    fake.nodegroups
        .get_mut("eks-windows")
        .expect("ngs")
        .push(NodegroupInfo {
            name: "gone-lt".into(),
            launch_template: Some(LaunchTemplateRef {
                id: Some("lt-deleted".into()),
                name: None,
                version: Some("1".into()),
            }),
            ..NodegroupInfo::default()
        });
    fake.launch_templates.insert(
        ("lt-garbage".into(), "7".into()),
        Some("%%% not base64 %%%".into()),
    );

    let outcome = Harness::new().run(&[scope("eu-west-1", fake)]).await;
    let snapshot = &outcome.snapshot;
    let messages: Vec<&str> = snapshot.errors.iter().map(|e| e.message.as_str()).collect();
    let has = |needle: &str| messages.iter().any(|m| m.contains(needle));
    assert!(has("without InstanceId"), "{messages:#?}");
    assert!(has("i-notype has no InstanceType"), "{messages:#?}");
    assert!(
        has("i-noeni is running but DescribeInstances listed no network interfaces"),
        "{messages:#?}"
    );
    assert!(
        has("i-badeni: a network interface without NetworkInterfaceId"),
        "{messages:#?}"
    );
    assert!(has("without SubnetId or CidrBlock"), "{messages:#?}");
    assert!(
        has("lt-deleted version 1 was not returned"),
        "{messages:#?}"
    );

    let cluster = &snapshot.clusters[0];
    assert_eq!(
        cluster.nodes.len(),
        6 + 2,
        "the two usable odd instances are kept, the unusable skipped"
    );
    let bad_eni = cluster
        .nodes
        .iter()
        .find(|n| n.instance_id == "i-badeni")
        .expect("kept");
    assert_eq!(bad_eni.enis.len(), 1);
    let broken = cluster
        .nodegroups
        .iter()
        .find(|ng| ng.name == "broken-lt")
        .expect("kept");
    let flags = broken.user_data.as_ref().expect("flags with an error");
    assert!(
        flags
            .error
            .as_deref()
            .is_some_and(|e| e.contains("not valid base64")),
        "{flags:?}"
    );
    assert_eq!(flags.enable_dsr, None);
    assert!(
        cluster
            .nodegroups
            .iter()
            .find(|ng| ng.name == "gone-lt")
            .is_some_and(|ng| ng.user_data.is_none())
    );
    // The seed nodegroup is unaffected by its neighbours' bad data.
    let seed = cluster
        .nodegroups
        .iter()
        .find(|ng| ng.name == "windows-ng")
        .expect("seed ng");
    assert!(seed.user_data.as_ref().is_some_and(|f| f.proxy_mode_patch));
}

#[tokio::test]
async fn pagination_follows_next_token_for_clusters_and_nodegroups() {
    let mut fake = FakeAws::new();
    fake.page_size = 2;
    for i in 0..5 {
        fake.clusters.push(cluster(&format!("c{i}")));
    }
    fake.nodegroups.insert(
        "c0".into(),
        (0..3)
            .map(|i| NodegroupInfo {
                name: format!("ng{i}"),
                ..NodegroupInfo::default()
            })
            .collect(),
    );
    let outcome = Harness::new().run(&[scope("eu-west-1", fake)]).await;
    assert_eq!(outcome.snapshot.clusters.len(), 5);
    assert_eq!(calls(&outcome, Operation::EksListClusters), 3);
    assert_eq!(
        calls(&outcome, Operation::EksListNodegroups),
        2 + 4,
        "c0: 2 pages; the others 1 each"
    );
    assert_eq!(outcome.snapshot.clusters[0].nodegroups.len(), 3);
    assert_eq!(calls(&outcome, Operation::EksDescribeCluster), 5);
}
