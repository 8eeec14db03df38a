//! `eniscope scan` against a real AWS emulator: moto (`moto_server` from PyPI).
//!
//! Each test starts its own moto on 127.0.0.1 (a free port), builds a fleet through the AWS API with
//! the Rust SDK (VPC, subnets, CIDR reservations, EKS clusters and nodegroups, launch templates with
//! Windows user data, instances with secondary IPs), runs the real binary with `--endpoint-url`, and
//! checks the snapshot against what moto itself reports.
//!
//! What moto cannot do is tested with a fake `AwsApi` in `server/src/aws/collect_tests.rs`: /28
//! prefixes on ENIs (moto accepts `Ipv4PrefixCount` but assigns nothing), throttling, AccessDenied.
//! moto also creates no instances for EKS nodegroups, so the tests launch them with the tags EKS,
//! eksctl and Karpenter put on their instances.
//!
//! moto: `ENISCOPE_MOTO_SERVER` (path to `moto_server`), else `<repo>/.venv/bin/moto_server`
//! (`python3 -m venv .venv && .venv/bin/pip install 'moto[server]==5.2.5'`). Build the binary first:
//! `cargo build -p server`.

use aws_config::BehaviorVersion;
use aws_sdk_ec2::types::{
    Filter, InstanceType, LaunchTemplateSpecification, RequestLaunchTemplateData, ResourceType,
    SubnetCidrReservationType, Tag, TagSpecification,
};
use aws_sdk_eks::types::{AmiTypes, NodegroupScalingConfig, VpcConfigRequest};
use base64::Engine as _;
use shared::Os;
use shared::snapshot::{NodegroupKind, Snapshot};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const REGION: &str = "us-east-1";
const OTHER_REGION: &str = "eu-west-1";
/// moto's built-in Windows Server AMI (`platform: windows`) and an Ubuntu one.
const WINDOWS_AMI: &str = "ami-03cf127a";
const LINUX_AMI: &str = "ami-1e749f67";
const NODE_ROLE: &str = "arn:aws:iam::123456789012:role/eks-node";

/// The seed's user data (EKS Best Practices Guide, Windows networking): eksctl windows-ng, DSR via
/// the `.replace('"--proxy-mode=kernelspace",' …)` patch of Start-EKSBootstrap.ps1.
const SEED_USER_DATA: &str = r#"<powershell>
[string]$EKSBinDir = "$env:ProgramFiles\Amazon\EKS"
[string]$EKSBootstrapScriptName = 'Start-EKSBootstrap.ps1'
[string]$EKSBootstrapScriptFile = "$EKSBinDir\$EKSBootstrapScriptName"
(Get-Content $EKSBootstrapScriptFile).replace('"--proxy-mode=kernelspace",', '"--proxy-mode=kernelspace", "--feature-gates WinDSR=true", "--enable-dsr",') | Set-Content $EKSBootstrapScriptFile
& $EKSBootstrapScriptFile -EKSClusterName "eks-windows" -APIServerEndpoint "https://<REPLACE-EKS-CLUSTER-CONFIG-API-SERVER>" -Base64ClusterCA "<REPLACE-EKSCLUSTER-CONFIG-DETAILS-CA>" -DNSClusterIP "172.20.0.10" -KubeletExtraArgs "--node-labels=alpha.eksctl.io/cluster-name=eks-windows,alpha.eksctl.io/nodegroup-name=windows-ng-ltsc2019 --register-with-taints=" 3>&1 4>&1 5>&1 6>&1
</powershell>"#;

/// DSR through the bootstrap parameter (EKS User Guide, Windows AMI bootstrap parameters).
const KUBE_PROXY_ARGS_USER_DATA: &str = r#"<powershell>
[string]$EKSBootstrapScriptFile = "$env:ProgramFiles\Amazon\EKS\Start-EKSBootstrap.ps1"
& $EKSBootstrapScriptFile -EKSClusterName "eks-windows" -KubeProxyExtraArgs '--enable-dsr=true --feature-gates=WinDSR=true' 3>&1 4>&1 5>&1 6>&1
</powershell>"#;

/// Plain bootstrap: DSR off.
const NO_DSR_USER_DATA: &str = r#"<powershell>
[string]$EKSBootstrapScriptFile = "$env:ProgramFiles\Amazon\EKS\Start-EKSBootstrap.ps1"
& $EKSBootstrapScriptFile -EKSClusterName "eks-windows" 3>&1 4>&1 5>&1 6>&1
</powershell>"#;

// ---------------------------------------------------------------------------------------------
// moto process
// ---------------------------------------------------------------------------------------------

/// A running `moto_server`, killed (and reaped) on drop.
struct Moto {
    child: Child,
    endpoint: String,
}

impl Moto {
    fn start() -> Moto {
        let binary = std::env::var_os("ENISCOPE_MOTO_SERVER")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                e2e::workspace_root()
                    .join(".venv")
                    .join("bin")
                    .join("moto_server")
            });
        assert!(
            binary.is_file(),
            "moto is missing: no moto_server at {}. Install it with \
             `python3 -m venv .venv && .venv/bin/pip install 'moto[server]==5.2.5'` at the repository root, \
             or set ENISCOPE_MOTO_SERVER to its path",
            binary.display()
        );
        // The port was free a moment ago; if moto loses the race, try another.
        let mut last_problem = String::new();
        for _ in 0..3 {
            let port = e2e::free_port();
            let mut child = Command::new(&binary)
                .args(["-H", "127.0.0.1", "-p", &port.to_string()])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
            let endpoint = format!("http://127.0.0.1:{port}");
            let deadline = Instant::now() + Duration::from_secs(60);
            while Instant::now() < deadline {
                if let Ok(Some(status)) = child.try_wait() {
                    last_problem = format!("moto_server exited with {status} on port {port}");
                    break;
                }
                if matches!(
                    e2e::http_get(&format!("{endpoint}/moto-api/data.json")),
                    Ok((200, _))
                ) {
                    return Moto { child, endpoint };
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            let _ = child.kill();
            let _ = child.wait();
            if last_problem.is_empty() {
                last_problem = format!("moto_server did not answer on port {port} within 60 s");
            }
        }
        panic!("{last_problem}");
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn clients(endpoint: &str, region: &str) -> (aws_sdk_ec2::Client, aws_sdk_eks::Client) {
    let config = aws_config::defaults(BehaviorVersion::latest())
        .region(aws_config::Region::new(region.to_string()))
        .endpoint_url(endpoint)
        .credentials_provider(aws_sdk_ec2::config::Credentials::new(
            "test",
            "test",
            None,
            None,
            "moto-test",
        ))
        .load()
        .await;
    (
        aws_sdk_ec2::Client::new(&config),
        aws_sdk_eks::Client::new(&config),
    )
}

/// `eniscope scan --endpoint-url … --regions … --output …` with static test credentials and nothing
/// from the developer's own AWS setup.
fn scan(endpoint: &str, regions: &str, output: &std::path::Path) -> std::process::Output {
    let mut command = e2e::eniscope_command();
    command
        .args([
            "scan",
            "--endpoint-url",
            endpoint,
            "--regions",
            regions,
            "--output",
        ])
        .arg(output)
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", REGION);
    isolate_from_developer_aws(&mut command);
    command.output().expect("run eniscope scan")
}

fn isolate_from_developer_aws(command: &mut Command) {
    for var in [
        "AWS_PROFILE",
        "AWS_SESSION_TOKEN",
        "AWS_DEFAULT_REGION",
        "ENISCOPE_CONFIG",
        "ENISCOPE_REGIONS",
        "ENISCOPE_ENDPOINT_URL",
    ] {
        command.env_remove(var);
    }
    command
        .env("AWS_CONFIG_FILE", "/nonexistent/eniscope-test/config")
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent/eniscope-test/credentials",
        )
        .env("AWS_EC2_METADATA_DISABLED", "true");
}

fn read_snapshot(path: &std::path::Path) -> Snapshot {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Snapshot::from_json(&text).expect("the scan writes a valid snapshot")
}

// ---------------------------------------------------------------------------------------------
// Building a fleet through the AWS API
// ---------------------------------------------------------------------------------------------

fn b64(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}

fn tags(resource: ResourceType, pairs: &[(&str, &str)]) -> TagSpecification {
    let mut spec = TagSpecification::builder().resource_type(resource);
    for (key, value) in pairs {
        spec = spec.tags(Tag::builder().key(*key).value(*value).build());
    }
    spec.build()
}

async fn launch_template(
    ec2: &aws_sdk_ec2::Client,
    name: &str,
    image: &str,
    user_data: &str,
) -> String {
    let created = ec2
        .create_launch_template()
        .launch_template_name(name)
        .launch_template_data(
            RequestLaunchTemplateData::builder()
                .image_id(image)
                .user_data(b64(user_data))
                .build(),
        )
        .send()
        .await
        .expect("create launch template");
    created
        .launch_template()
        .and_then(|t| t.launch_template_id())
        .expect("launch template id")
        .to_string()
}

struct Launch<'a> {
    count: i32,
    image: &'a str,
    instance_type: &'a str,
    subnet: &'a str,
    tags: Vec<(&'a str, &'a str)>,
    launch_template: Option<&'a str>,
}

/// RunInstances; returns (instance id, primary ENI id) of each instance.
async fn launch(ec2: &aws_sdk_ec2::Client, spec: Launch<'_>) -> Vec<(String, String)> {
    let mut request = ec2
        .run_instances()
        .image_id(spec.image)
        .instance_type(InstanceType::from(spec.instance_type))
        .min_count(spec.count)
        .max_count(spec.count)
        .subnet_id(spec.subnet)
        .tag_specifications(tags(ResourceType::Instance, &spec.tags));
    if let Some(template) = spec.launch_template {
        request = request.launch_template(
            LaunchTemplateSpecification::builder()
                .launch_template_id(template)
                .version("1")
                .build(),
        );
    }
    let out = request.send().await.expect("run instances");
    out.instances()
        .iter()
        .map(|i| {
            let id = i.instance_id().expect("instance id").to_string();
            let eni = i
                .network_interfaces()
                .first()
                .and_then(|n| n.network_interface_id())
                .expect("moto creates a primary ENI")
                .to_string();
            (id, eni)
        })
        .collect()
}

async fn assign_secondary_ips(ec2: &aws_sdk_ec2::Client, eni: &str, count: i32) {
    ec2.assign_private_ip_addresses()
        .network_interface_id(eni)
        .secondary_private_ip_address_count(count)
        .send()
        .await
        .expect("assign secondary IPs");
}

/// What the test fleet holds, to compare with the snapshot.
struct Fleet {
    subnet_a: String,
    subnet_b: String,
    /// cluster → instance ids that must be found.
    nodes: BTreeMap<String, BTreeSet<String>>,
    /// instance id → secondary IPs assigned over all its ENIs.
    secondary_ips: BTreeMap<String, usize>,
    stopped: String,
    outsider: String,
    nodegroups: usize,
    launch_template_versions: usize,
}

async fn build_fleet(endpoint: &str) -> Fleet {
    let (ec2, eks) = clients(endpoint, REGION).await;
    let vpc = ec2
        .create_vpc()
        .cidr_block("10.0.0.0/16")
        .send()
        .await
        .expect("vpc");
    let vpc_id = vpc
        .vpc()
        .and_then(|v| v.vpc_id())
        .expect("vpc id")
        .to_string();
    let mut subnets = Vec::new();
    for (cidr, zone) in [("10.0.1.0/24", "us-east-1a"), ("10.0.2.0/24", "us-east-1b")] {
        let subnet = ec2
            .create_subnet()
            .vpc_id(&vpc_id)
            .cidr_block(cidr)
            .availability_zone(zone)
            .send()
            .await
            .expect("subnet");
        subnets.push(
            subnet
                .subnet()
                .and_then(|s| s.subnet_id())
                .expect("subnet id")
                .to_string(),
        );
    }
    let (subnet_a, subnet_b) = (subnets[0].clone(), subnets[1].clone());
    // A /28-prefix reservation (prefix delegation) and an explicit one.
    ec2.create_subnet_cidr_reservation()
        .subnet_id(&subnet_a)
        .cidr("10.0.1.192/26")
        .reservation_type(SubnetCidrReservationType::Prefix)
        .send()
        .await
        .expect("prefix reservation");
    ec2.create_subnet_cidr_reservation()
        .subnet_id(&subnet_b)
        .cidr("10.0.2.240/28")
        .reservation_type(SubnetCidrReservationType::Explicit)
        .description("reserved for appliances")
        .send()
        .await
        .expect("explicit reservation");

    let lt_seed = launch_template(&ec2, "eksctl-windows-ng", WINDOWS_AMI, SEED_USER_DATA).await;
    let lt_managed = launch_template(&ec2, "win-mng", WINDOWS_AMI, KUBE_PROXY_ARGS_USER_DATA).await;
    let lt_no_dsr = launch_template(&ec2, "win-nodsr", WINDOWS_AMI, NO_DSR_USER_DATA).await;

    for (name, subnets) in [
        ("eks-windows", vec![subnet_a.clone(), subnet_b.clone()]),
        ("linux-only", vec![subnet_b.clone()]),
    ] {
        eks.create_cluster()
            .name(name)
            .version("1.31")
            .role_arn("arn:aws:iam::123456789012:role/eks-cluster")
            .resources_vpc_config(
                VpcConfigRequest::builder()
                    .set_subnet_ids(Some(subnets))
                    .build(),
            )
            .send()
            .await
            .expect("create cluster");
    }
    let scaling = |n| {
        NodegroupScalingConfig::builder()
            .min_size(0)
            .max_size(10)
            .desired_size(n)
            .build()
    };
    eks.create_nodegroup()
        .cluster_name("eks-windows")
        .nodegroup_name("win-mng")
        .node_role(NODE_ROLE)
        .subnets(&subnet_a)
        .ami_type(AmiTypes::WindowsCore2022X8664)
        .instance_types("m5.large")
        .scaling_config(scaling(2))
        .launch_template(
            aws_sdk_eks::types::LaunchTemplateSpecification::builder()
                .id(&lt_managed)
                .version("1")
                .build(),
        )
        .send()
        .await
        .expect("windows managed nodegroup");
    eks.create_nodegroup()
        .cluster_name("eks-windows")
        .nodegroup_name("linux-mng")
        .node_role(NODE_ROLE)
        .subnets(&subnet_b)
        .ami_type(AmiTypes::Al2023X8664Standard)
        .instance_types("m5.large")
        .scaling_config(scaling(1))
        .send()
        .await
        .expect("linux managed nodegroup");
    eks.create_nodegroup()
        .cluster_name("linux-only")
        .nodegroup_name("default")
        .node_role(NODE_ROLE)
        .subnets(&subnet_b)
        .ami_type(AmiTypes::Al2X8664)
        .scaling_config(scaling(1))
        .send()
        .await
        .expect("linux-only nodegroup");

    let cluster_tag = "kubernetes.io/cluster/eks-windows";
    let asg = "eksctl-eks-windows-nodegroup-windows-ng-NodeGroup-1A2B3C";
    // The seed's eksctl self-managed windows-ng: 2 × c5.xlarge from its launch template.
    let windows_ng = launch(
        &ec2,
        Launch {
            count: 2,
            image: WINDOWS_AMI,
            instance_type: "c5.xlarge",
            subnet: &subnet_a,
            tags: vec![
                (cluster_tag, "owned"),
                ("alpha.eksctl.io/cluster-name", "eks-windows"),
                ("alpha.eksctl.io/nodegroup-name", "windows-ng"),
                ("aws:autoscaling:groupName", asg),
                ("Name", "eks-windows-windows-ng-Node"),
            ],
            launch_template: Some(&lt_seed),
        },
    )
    .await;
    let managed_windows = launch(
        &ec2,
        Launch {
            count: 2,
            image: WINDOWS_AMI,
            instance_type: "m5.large",
            subnet: &subnet_a,
            tags: vec![
                (cluster_tag, "owned"),
                ("eks:cluster-name", "eks-windows"),
                ("eks:nodegroup-name", "win-mng"),
            ],
            launch_template: Some(&lt_managed),
        },
    )
    .await;
    let no_dsr = launch(
        &ec2,
        Launch {
            count: 1,
            image: WINDOWS_AMI,
            instance_type: "m5.xlarge",
            subnet: &subnet_a,
            tags: vec![
                (cluster_tag, "owned"),
                ("aws:autoscaling:groupName", "win-nodsr-asg"),
            ],
            launch_template: Some(&lt_no_dsr),
        },
    )
    .await;
    // Managed Linux, found only by the eks:cluster-name tag (no kubernetes.io/cluster tag).
    let managed_linux = launch(
        &ec2,
        Launch {
            count: 1,
            image: LINUX_AMI,
            instance_type: "m5.large",
            subnet: &subnet_b,
            tags: vec![
                ("eks:cluster-name", "eks-windows"),
                ("eks:nodegroup-name", "linux-mng"),
            ],
            launch_template: None,
        },
    )
    .await;
    let karpenter = launch(
        &ec2,
        Launch {
            count: 1,
            image: LINUX_AMI,
            instance_type: "c6i.xlarge",
            subnet: &subnet_b,
            tags: vec![
                (cluster_tag, "owned"),
                ("karpenter.sh/nodepool", "default"),
                ("karpenter.sh/capacity-type", "spot"),
            ],
            launch_template: None,
        },
    )
    .await;
    let linux_only = launch(
        &ec2,
        Launch {
            count: 2,
            image: LINUX_AMI,
            instance_type: "t3.medium",
            subnet: &subnet_b,
            tags: vec![
                ("kubernetes.io/cluster/linux-only", "owned"),
                ("eks:nodegroup-name", "default"),
            ],
            launch_template: None,
        },
    )
    .await;
    let stopped = launch(
        &ec2,
        Launch {
            count: 1,
            image: LINUX_AMI,
            instance_type: "m5.large",
            subnet: &subnet_b,
            tags: vec![(cluster_tag, "owned")],
            launch_template: None,
        },
    )
    .await;
    ec2.stop_instances()
        .instance_ids(&stopped[0].0)
        .send()
        .await
        .expect("stop");
    let outsider = launch(
        &ec2,
        Launch {
            count: 1,
            image: LINUX_AMI,
            instance_type: "m5.large",
            subnet: &subnet_b,
            tags: vec![("team", "data")],
            launch_template: None,
        },
    )
    .await;

    // Pod IPs: secondary IPs on the primary ENIs, and a second ENI on the Linux node.
    let mut secondary_ips = BTreeMap::new();
    for ((instance, eni), count) in windows_ng
        .iter()
        .zip([14, 3])
        .chain(managed_windows.iter().zip([9, 0]))
        .chain(no_dsr.iter().zip([2]))
    {
        if count > 0 {
            assign_secondary_ips(&ec2, eni, count).await;
        }
        secondary_ips.insert(instance.clone(), count as usize);
    }
    let (linux_node, linux_eni) = &managed_linux[0];
    assign_secondary_ips(&ec2, linux_eni, 5).await;
    let second = ec2
        .create_network_interface()
        .subnet_id(&subnet_b)
        .secondary_private_ip_address_count(7)
        .send()
        .await
        .expect("second ENI");
    let second_id = second
        .network_interface()
        .and_then(|n| n.network_interface_id())
        .expect("eni id")
        .to_string();
    ec2.attach_network_interface()
        .network_interface_id(&second_id)
        .instance_id(linux_node)
        .device_index(1)
        .send()
        .await
        .expect("attach second ENI");
    secondary_ips.insert(linux_node.clone(), 5 + 7);
    for (instance, _) in karpenter.iter().chain(&linux_only) {
        secondary_ips.insert(instance.clone(), 0);
    }

    // A cluster in a second region, with no nodes: regions are scanned independently.
    let (_, eks_other) = clients(endpoint, OTHER_REGION).await;
    eks_other
        .create_cluster()
        .name("eu-empty")
        .role_arn("arn:aws:iam::123456789012:role/eks-cluster")
        .resources_vpc_config(VpcConfigRequest::builder().build())
        .send()
        .await
        .expect("cluster in the other region");

    let ids = |groups: &[&Vec<(String, String)>]| -> BTreeSet<String> {
        groups
            .iter()
            .flat_map(|g| g.iter().map(|(id, _)| id.clone()))
            .collect()
    };
    Fleet {
        subnet_a,
        subnet_b,
        nodes: BTreeMap::from([
            (
                "eks-windows".to_string(),
                ids(&[
                    &windows_ng,
                    &managed_windows,
                    &no_dsr,
                    &managed_linux,
                    &karpenter,
                ]),
            ),
            ("linux-only".to_string(), ids(&[&linux_only])),
        ]),
        secondary_ips,
        stopped: stopped[0].0.clone(),
        outsider: outsider[0].0.clone(),
        nodegroups: 3,
        launch_template_versions: 3,
    }
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scan_reads_the_whole_fleet_from_moto() {
    let moto = Moto::start();
    let fleet = build_fleet(&moto.endpoint).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let output = dir.path().join("fleet.json");
    let run = scan(&moto.endpoint, &format!("{REGION},{OTHER_REGION}"), &output);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "scan failed: {stderr}");
    let snapshot = read_snapshot(&output);
    assert_eq!(
        snapshot.errors,
        vec![],
        "moto supports every call eniscope makes; stderr: {stderr}"
    );

    // Every cluster, in its region.
    let clusters: BTreeSet<(&str, &str)> = snapshot
        .clusters
        .iter()
        .map(|c| (c.region.as_str(), c.name.as_str()))
        .collect();
    assert_eq!(
        clusters,
        BTreeSet::from([
            (REGION, "eks-windows"),
            (REGION, "linux-only"),
            (OTHER_REGION, "eu-empty")
        ])
    );

    // Every node, once; not the stopped instance nor the untagged one.
    for (name, expected) in &fleet.nodes {
        let cluster = snapshot.cluster(REGION, name).expect("cluster");
        let found: BTreeSet<String> = cluster
            .nodes
            .iter()
            .map(|n| n.instance_id.clone())
            .collect();
        assert_eq!(&found, expected, "nodes of {name}");
        assert_eq!(
            cluster.nodes.len(),
            expected.len(),
            "no duplicates in {name}"
        );
    }
    let all_nodes: Vec<&shared::snapshot::Node> =
        snapshot.clusters.iter().flat_map(|c| &c.nodes).collect();
    assert!(
        all_nodes
            .iter()
            .all(|n| n.instance_id != fleet.stopped && n.instance_id != fleet.outsider)
    );

    // Held IPs per node: the secondary IPs on all its ENIs, and each ENI's shape.
    for node in &all_nodes {
        let held: usize = node
            .enis
            .iter()
            .map(|e| e.secondary_ips.len() + 16 * e.ipv4_prefixes.len())
            .sum();
        assert_eq!(
            Some(&held),
            fleet.secondary_ips.get(&node.instance_id),
            "held IPs of {}",
            node.instance_id
        );
        assert!(
            node.enis
                .iter()
                .all(|e| e.primary_ip.is_some() && e.subnet_id.is_some())
        );
    }
    let (ec2, _) = clients(&moto.endpoint, REGION).await;
    let described = ec2
        .describe_instances()
        .send()
        .await
        .expect("describe instances");
    for instance in described.reservations().iter().flat_map(|r| r.instances()) {
        let Some(node) = all_nodes
            .iter()
            .find(|n| Some(n.instance_id.as_str()) == instance.instance_id())
        else {
            continue;
        };
        let moto_secondary: usize = instance
            .network_interfaces()
            .iter()
            .map(|eni| {
                eni.private_ip_addresses()
                    .iter()
                    .filter(|a| a.primary() != Some(true))
                    .count()
            })
            .sum();
        let ours: usize = node.enis.iter().map(|e| e.secondary_ips.len()).sum();
        assert_eq!(
            ours, moto_secondary,
            "{} matches moto's DescribeInstances",
            node.instance_id
        );
        assert_eq!(node.enis.len(), instance.network_interfaces().len());
    }

    // Grouping and OS.
    let windows_cluster = snapshot.cluster(REGION, "eks-windows").expect("cluster");
    let group = |name: &str| {
        windows_cluster
            .nodegroups
            .iter()
            .find(|ng| ng.name == name)
            .unwrap_or_else(|| panic!("nodegroup {name}"))
    };
    let seed = group("windows-ng");
    assert_eq!(
        (seed.kind, seed.os),
        (NodegroupKind::SelfManaged, Some(Os::Windows))
    );
    assert_eq!(
        seed.asg_names,
        vec!["eksctl-eks-windows-nodegroup-windows-ng-NodeGroup-1A2B3C".to_string()]
    );
    assert_eq!(seed.instance_types, vec!["c5.xlarge".to_string()]);
    let managed = group("win-mng");
    assert_eq!(
        (managed.kind, managed.os),
        (NodegroupKind::Managed, Some(Os::Windows))
    );
    assert_eq!(
        managed.ami_type.as_deref(),
        Some("WINDOWS_CORE_2022_x86_64")
    );
    assert_eq!(managed.scaling.map(|s| s.desired_size), Some(2));
    assert_eq!(group("linux-mng").os, Some(Os::Linux));
    assert_eq!(group("default").kind, NodegroupKind::Karpenter);
    assert_eq!(group("win-nodsr-asg").kind, NodegroupKind::SelfManaged);
    for node in &windows_cluster.nodes {
        let expected = if node.instance_type == "c6i.xlarge"
            || node.nodegroup.as_deref() == Some("linux-mng")
        {
            Os::Linux
        } else {
            Os::Windows
        };
        assert_eq!(
            node.os, expected,
            "OS of {} ({:?})",
            node.instance_id, node.nodegroup
        );
    }

    // DSR evidence from each launch template's user data.
    let seed_flags = seed.user_data.as_ref().expect("seed user data read");
    assert!(seed_flags.proxy_mode_patch, "{seed_flags:?}");
    assert_eq!(
        (seed_flags.enable_dsr, seed_flags.win_dsr_gate),
        (Some(true), Some(true))
    );
    assert_eq!(seed_flags.decoded_bytes, SEED_USER_DATA.len() as u64);
    let managed_flags = managed
        .user_data
        .as_ref()
        .expect("managed LT user data read");
    assert_eq!(managed_flags.enable_dsr, Some(true), "{managed_flags:?}");
    assert!(
        managed_flags
            .kube_proxy_extra_args
            .as_deref()
            .is_some_and(|a| a.contains("--enable-dsr")),
        "{managed_flags:?}"
    );
    assert!(!managed_flags.proxy_mode_patch);
    let off = group("win-nodsr-asg")
        .user_data
        .as_ref()
        .expect("no-DSR user data read");
    assert_eq!(
        (
            off.enable_dsr,
            off.win_dsr_gate,
            off.proxy_mode_patch,
            off.error.as_deref()
        ),
        (None, None, false, None)
    );
    assert_eq!(
        group("linux-mng").user_data,
        None,
        "no launch template, no user data"
    );

    // Subnets: moto's own free-IP count, every allocated IP, the reservations.
    let subnets = ec2
        .describe_subnets()
        .subnet_ids(&fleet.subnet_a)
        .subnet_ids(&fleet.subnet_b)
        .send()
        .await
        .expect("subnets");
    for moto_subnet in subnets.subnets() {
        let id = moto_subnet.subnet_id().expect("id");
        let ours = snapshot
            .subnet(id)
            .unwrap_or_else(|| panic!("subnet {id} in the snapshot"));
        assert_eq!(
            ours.available_ip_count.map(i64::from),
            moto_subnet.available_ip_address_count().map(i64::from),
            "free IPs of {id}"
        );
        assert_eq!(ours.cidr, moto_subnet.cidr_block().unwrap_or_default());
        let enis = ec2
            .describe_network_interfaces()
            .filters(Filter::builder().name("subnet-id").values(id).build())
            .send()
            .await
            .expect("enis");
        let mut moto_ips: Vec<String> = enis
            .network_interfaces()
            .iter()
            .flat_map(|e| {
                e.private_ip_addresses()
                    .iter()
                    .filter_map(|a| a.private_ip_address().map(str::to_string))
            })
            .collect();
        // moto picks secondary IPs at random and can hand out one address twice; AWS never does, and
        // the snapshot lists each allocated address once.
        moto_ips.sort();
        moto_ips.dedup();
        assert_eq!(
            ours.allocated_ips.as_ref(),
            Some(&moto_ips),
            "allocated IPs of {id}"
        );
        assert_eq!(
            ours.allocated_prefixes.as_ref().map(Vec::len),
            Some(0),
            "moto assigns no prefixes"
        );
    }
    let reservation = |id: &str| {
        snapshot
            .subnet(id)
            .map(|s| s.cidr_reservations.clone())
            .unwrap_or_default()
    };
    assert_eq!(
        reservation(&fleet.subnet_a)
            .iter()
            .map(|r| r.cidr.as_str())
            .collect::<Vec<_>>(),
        ["10.0.1.192/26"]
    );
    assert_eq!(
        reservation(&fleet.subnet_a)[0].reservation_type,
        shared::snapshot::ReservationType::Prefix
    );
    assert_eq!(
        reservation(&fleet.subnet_b)[0].reservation_type,
        shared::snapshot::ReservationType::Explicit
    );

    // Instance types from DescribeInstanceTypes (moto has real data), only the ones seen.
    let m5 = snapshot
        .instance_types
        .iter()
        .find(|t| t.instance_type == "m5.large")
        .expect("m5.large");
    assert_eq!((m5.enis, m5.ipv4_per_eni), (3, 10));
    let seen: BTreeSet<&str> = snapshot
        .instance_types
        .iter()
        .map(|t| t.instance_type.as_str())
        .collect();
    assert_eq!(
        seen,
        BTreeSet::from([
            "c5.xlarge",
            "c6i.xlarge",
            "m5.large",
            "m5.xlarge",
            "t3.medium"
        ])
    );

    // AWS calls: per page, cluster, nodegroup, subnet and template, never per node or ENI.
    let calls = |op: &str| snapshot.api_calls.get(op).copied().unwrap_or(0);
    assert_eq!(calls("eks:ListClusters"), 2, "one per region");
    assert_eq!(calls("eks:DescribeCluster"), 3);
    assert_eq!(calls("eks:ListNodegroups"), 3);
    assert_eq!(calls("eks:DescribeNodegroup"), fleet.nodegroups as u64);
    assert_eq!(
        calls("ec2:DescribeInstances"),
        3 * 3,
        "three tag filters per cluster, one page each"
    );
    assert_eq!(
        calls("ec2:DescribeInstanceTypes"),
        1,
        "one batch for the 5 distinct types"
    );
    assert_eq!(calls("ec2:DescribeSubnets"), 1);
    assert_eq!(calls("ec2:GetSubnetCidrReservations"), 2, "one per subnet");
    assert_eq!(calls("ec2:DescribeNetworkInterfaces"), 1);
    assert_eq!(
        calls("ec2:DescribeLaunchTemplateVersions"),
        fleet.launch_template_versions as u64
    );
    assert_eq!(snapshot.api_calls.len(), 10, "{:?}", snapshot.api_calls);

    // The summary on stderr names what was read.
    assert!(
        stderr.contains("clusters 3") && stderr.contains("ec2:DescribeInstances"),
        "{stderr}"
    );
    drop(moto);
}

/// Accounts from a config file: the default chain and an assumed role (sts:AssumeRole through the same
/// endpoint). moto maps the role's account to the same backend, so each cluster is read once per account.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scan_reads_every_configured_account() {
    let moto = Moto::start();
    let (_, eks) = clients(&moto.endpoint, REGION).await;
    eks.create_cluster()
        .name("shared")
        .role_arn("arn:aws:iam::123456789012:role/eks-cluster")
        .resources_vpc_config(VpcConfigRequest::builder().build())
        .send()
        .await
        .expect("cluster");
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("eniscope.toml");
    std::fs::write(
        &config,
        format!(
            "regions = [\"{REGION}\"]\nendpoint_url = \"{}\"\n\n[[accounts]]\nname = \"base\"\n\n\
             [[accounts]]\nname = \"audit\"\nrole_arn = \"arn:aws:iam::123456789012:role/eniscope-read\"\nexternal_id = \"x-1\"\n\n\
             [[clusters]]\nname = \"shared\"\nservice_count = 120\n",
            moto.endpoint
        ),
    )
    .expect("write config");
    let output = dir.path().join("fleet.json");
    let mut command = e2e::eniscope_command();
    command
        .args(["scan", "--config"])
        .arg(&config)
        .arg("--output")
        .arg(&output);
    isolate_from_developer_aws(&mut command);
    command
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test");
    let run = command.output().expect("run eniscope scan");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    let snapshot = read_snapshot(&output);
    assert_eq!(snapshot.errors, vec![], "{stderr}");
    let labels: BTreeSet<Option<&str>> = snapshot
        .clusters
        .iter()
        .map(|c| c.account_label.as_deref())
        .collect();
    assert_eq!(labels, BTreeSet::from([Some("audit"), Some("base")]));
    assert!(
        snapshot
            .clusters
            .iter()
            .all(|c| c.name == "shared" && c.service_count == Some(120))
    );
    assert_eq!(
        snapshot.api_calls.get("eks:ListClusters"),
        Some(&2),
        "one per account × region"
    );
}

/// Nothing readable (no credentials at all) → exit 1, a reason that says what to do, no file.
#[test]
fn scan_without_credentials_fails_with_what_to_do() {
    let dir = tempfile::tempdir().expect("tempdir");
    let output = dir.path().join("fleet.json");
    let mut command = e2e::eniscope_command();
    command
        .args([
            "scan",
            "--regions",
            REGION,
            "--endpoint-url",
            "http://127.0.0.1:9",
            "--output",
        ])
        .arg(&output);
    command
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY");
    isolate_from_developer_aws(&mut command);
    let run = command.output().expect("run eniscope scan");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("no AWS credentials found") && stderr.contains("eniscope serve --demo"),
        "{stderr}"
    );
    assert!(!output.exists(), "nothing is written when nothing was read");
}

/// A dead endpoint with credentials → exit 1 naming the unreachable endpoint (after the SDK's retries).
#[test]
fn scan_of_a_dead_endpoint_says_it_is_unreachable() {
    let dir = tempfile::tempdir().expect("tempdir");
    let output = dir.path().join("fleet.json");
    let dead = format!("http://127.0.0.1:{}", e2e::free_port());
    let run = scan(&dead, REGION, &output);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("[unreachable]") && stderr.contains("eks:ListClusters"),
        "{stderr}"
    );
    assert!(!output.exists());
}

/// `eniscope serve` with credentials and no `--demo`/`--snapshot`: the background loop scans moto and
/// `/readyz` reports the live snapshot.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_scans_in_the_background() {
    let moto = Moto::start();
    let fleet = build_fleet(&moto.endpoint).await;
    let endpoint = moto.endpoint.clone();
    let server = e2e::EniscopeServer::start_with(&[] as &[&str], |command| {
        isolate_from_developer_aws(command);
        command
            .env("AWS_ACCESS_KEY_ID", "test")
            .env("AWS_SECRET_ACCESS_KEY", "test")
            .env("ENISCOPE_ENDPOINT_URL", &endpoint)
            .env("ENISCOPE_REGIONS", REGION)
            .env("ENISCOPE_SCAN_INTERVAL_SECONDS", "10");
    })
    .expect("serve starts");
    let deadline = Instant::now() + Duration::from_secs(60);
    let readiness = loop {
        let (status, body) = e2e::http_get(&server.url("/readyz")).expect("GET /readyz");
        let json: serde_json::Value = serde_json::from_str(&body).expect("readyz JSON");
        if status == 200 && json["snapshot"]["source_kind"] == "aws" {
            break json;
        }
        assert!(
            Instant::now() < deadline,
            "no live snapshot after 60 s: {body}\n{}",
            server.log()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(
        readiness["snapshot"]["clusters"],
        fleet.nodes.len(),
        "{readiness}"
    );
    let source = readiness["snapshot"]["source"].as_str().unwrap_or_default();
    assert!(
        source.contains(REGION) && source.contains(&moto.endpoint),
        "{source}"
    );
}

/// `eniscope serve` with no credentials anywhere: the demo fleet, and the source says why.
#[test]
fn serve_without_credentials_falls_back_to_the_demo_fleet() {
    let server = e2e::EniscopeServer::start_with(&[] as &[&str], |command| {
        isolate_from_developer_aws(command);
        command
            .env_remove("AWS_ACCESS_KEY_ID")
            .env_remove("AWS_SECRET_ACCESS_KEY")
            .env("ENISCOPE_REGIONS", REGION);
    })
    .expect("serve starts");
    let (status, body) = e2e::http_get(&server.url("/readyz")).expect("GET /readyz");
    assert_eq!(status, 200, "{body}");
    let json: serde_json::Value = serde_json::from_str(&body).expect("readyz JSON");
    assert_eq!(json["snapshot"]["source_kind"], "demo", "{body}");
    let source = json["snapshot"]["source"].as_str().unwrap_or_default();
    assert!(source.contains("no AWS credentials found"), "{source}");
}

/// Scale run: 1,000 instances across 10 clusters in moto, then one scan. Prints wall time and calls by
/// operation (for the issue note). `cargo test -p e2e --test moto -- --ignored --nocapture scale`.
#[ignore = "slow: builds 1,000 instances in moto"]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scale_1000_instances_in_10_clusters() {
    let moto = Moto::start();
    let (ec2, eks) = clients(&moto.endpoint, REGION).await;
    let vpc = ec2
        .create_vpc()
        .cidr_block("10.0.0.0/16")
        .send()
        .await
        .expect("vpc");
    let vpc_id = vpc
        .vpc()
        .and_then(|v| v.vpc_id())
        .expect("vpc id")
        .to_string();
    let build_started = Instant::now();
    let types = [
        "m5.large",
        "m5.xlarge",
        "c5.xlarge",
        "c6i.xlarge",
        "t3.medium",
        "r5.large",
        "m6i.large",
        "c5.large",
        "m5.2xlarge",
        "c6i.2xlarge",
    ];
    for cluster in 0..10 {
        let subnet = ec2
            .create_subnet()
            .vpc_id(&vpc_id)
            .cidr_block(format!("10.0.{}.0/24", cluster * 16))
            .send()
            .await
            .expect("subnet");
        let subnet_id = subnet
            .subnet()
            .and_then(|s| s.subnet_id())
            .expect("subnet id")
            .to_string();
        let name = format!("scale-{cluster}");
        eks.create_cluster()
            .name(&name)
            .role_arn("arn:aws:iam::123456789012:role/eks-cluster")
            .resources_vpc_config(VpcConfigRequest::builder().subnet_ids(&subnet_id).build())
            .send()
            .await
            .expect("cluster");
        for group in 0..2 {
            let nodegroup = format!("ng-{group}");
            eks.create_nodegroup()
                .cluster_name(&name)
                .nodegroup_name(&nodegroup)
                .node_role(NODE_ROLE)
                .subnets(&subnet_id)
                .send()
                .await
                .expect("nodegroup");
            let cluster_tag = format!("kubernetes.io/cluster/{name}");
            let instances = launch(
                &ec2,
                Launch {
                    count: 50,
                    image: if group == 0 { WINDOWS_AMI } else { LINUX_AMI },
                    instance_type: types[(cluster + group) % types.len()],
                    subnet: &subnet_id,
                    tags: vec![
                        (cluster_tag.as_str(), "owned"),
                        ("eks:cluster-name", &name),
                        ("eks:nodegroup-name", &nodegroup),
                    ],
                    launch_template: None,
                },
            )
            .await;
            assert_eq!(instances.len(), 50);
        }
    }
    let build_seconds = build_started.elapsed().as_secs_f64();
    let dir = tempfile::tempdir().expect("tempdir");
    let output = dir.path().join("fleet.json");
    let started = Instant::now();
    let run = scan(&moto.endpoint, REGION, &output);
    let wall = started.elapsed();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    let snapshot = read_snapshot(&output);
    let nodes: usize = snapshot.clusters.iter().map(|c| c.nodes.len()).sum();
    assert_eq!((snapshot.clusters.len(), nodes), (10, 1000));
    assert_eq!(snapshot.errors, vec![]);
    let total: u64 = snapshot.api_calls.values().sum();
    println!("scale: built 1,000 instances in 10 clusters in {build_seconds:.1} s");
    println!(
        "scale: scan wall time {:.2} s (collector {} ms), {total} AWS calls",
        wall.as_secs_f64(),
        snapshot.scan_duration_ms.unwrap_or(0)
    );
    for (operation, count) in &snapshot.api_calls {
        println!("scale:   {operation:<36} {count}");
    }
    assert!(
        total < 200,
        "calls grow with clusters and pages, not with the 1,000 nodes: {total}"
    );
}
