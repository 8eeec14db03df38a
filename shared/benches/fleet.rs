//! Fleet analysis of a 10,000-node snapshot: 20 clusters × 5 nodegroups × 100 nodes (Windows with the
//! seed's DSR user data and without, Linux with and without prefix delegation), 40 subnets /20 with
//! every ENI address listed, so `shared::subnet` classifies every /28 block.
//!
//! `cargo bench -p shared --bench fleet` (add `-- --quick` for a short run).

use criterion::{Criterion, black_box, criterion_group, criterion_main};
use shared::dsr::parse_user_data;
use shared::fleet::{analyze, dsr_board, node_detail};
use shared::limits::InstanceTypeTable;
use shared::maxpods::Os;
use shared::snapshot::{
    Cluster, Eni, LaunchTemplateRef, Node, Nodegroup, NodegroupKind, SCHEMA_VERSION, Snapshot,
    SnapshotSource, SourceKind, Subnet,
};
use shared::subnet::{Ipv4Cidr, format_ipv4};
use std::collections::BTreeMap;

const TABLE_JSON: &str = include_str!("../../assets/instance-types.json");
const SEED_USER_DATA: &str = "<powershell>\n[string]$EKSBootstrapScriptFile = \"$env:ProgramFiles\\Amazon\\EKS\\Start-EKSBootstrap.ps1\"\n(Get-Content $EKSBootstrapScriptFile).replace('\"--proxy-mode=kernelspace\",', '\"--proxy-mode=kernelspace\", \"--feature-gates WinDSR=true\", \"--enable-dsr\",') | Set-Content $EKSBootstrapScriptFile\n& $EKSBootstrapScriptFile -EKSClusterName \"c\" 3>&1 4>&1 5>&1 6>&1\n</powershell>";

/// Addresses handed out in order from one /20.
struct Pool {
    subnet: Subnet,
    base: u32,
    next: u32,
    ips: Vec<String>,
    prefixes: Vec<String>,
}

impl Pool {
    fn new(index: u32, region: &str) -> Self {
        let base = (10 << 24) | (index << 12);
        let cidr =
            Ipv4Cidr::new(base, 20).map_or_else(|| "10.0.0.0/20".to_string(), |c| c.to_string());
        let subnet = Subnet {
            subnet_id: format!("subnet-{index:017x}"),
            region: region.into(),
            account_id: Some("111122223333".into()),
            vpc_id: None,
            availability_zone: None,
            cidr,
            available_ip_count: None,
            cidr_reservations: vec![],
            allocated_ips: None,
            allocated_prefixes: None,
            tags: BTreeMap::new(),
        };
        Self {
            subnet,
            base,
            next: 4,
            ips: vec![],
            prefixes: vec![],
        }
    }

    fn ip(&mut self) -> String {
        let ip = format_ipv4(self.base + self.next);
        self.next += 1;
        self.ips.push(ip.clone());
        ip
    }

    fn prefix(&mut self) -> String {
        self.next = self.next.div_ceil(16) * 16;
        let prefix = format!("{}/28", format_ipv4(self.base + self.next));
        self.next += 16;
        self.prefixes.push(prefix.clone());
        prefix
    }

    fn finish(mut self) -> Subnet {
        let allocated = self.ips.len() as u32 + 16 * self.prefixes.len() as u32;
        self.subnet.available_ip_count = Some(4091 - allocated);
        self.subnet.allocated_ips = Some(self.ips);
        self.subnet.allocated_prefixes = Some(self.prefixes);
        self.subnet
    }
}

fn fleet() -> Snapshot {
    let seed = parse_user_data(SEED_USER_DATA, "lt-0 version 1");
    let mut clusters = Vec::new();
    let mut subnets = Vec::new();
    for c in 0..20u32 {
        let region = if c % 2 == 0 { "eu-west-1" } else { "us-east-1" };
        let mut pools = [Pool::new(2 * c, region), Pool::new(2 * c + 1, region)];
        let specs: [(
            &str,
            Os,
            &str,
            bool,
            Option<&shared::snapshot::UserDataFlags>,
        ); 5] = [
            ("win-dsr", Os::Windows, "m5.xlarge", false, Some(&seed)),
            ("win-plain", Os::Windows, "m5.large", false, None),
            ("win-pd", Os::Windows, "m5.xlarge", true, None),
            ("linux", Os::Linux, "m5.large", false, None),
            ("linux-pd", Os::Linux, "c6i.2xlarge", true, None),
        ];
        let mut nodegroups = Vec::new();
        let mut nodes = Vec::new();
        for (g, (name, os, instance_type, pd, user_data)) in specs.into_iter().enumerate() {
            nodegroups.push(Nodegroup {
                name: name.into(),
                kind: NodegroupKind::Managed,
                os: Some(os),
                ami_type: Some(
                    if os == Os::Windows {
                        "WINDOWS_CORE_2022_x86_64"
                    } else {
                        "AL2023_x86_64_STANDARD"
                    }
                    .into(),
                ),
                release_version: None,
                version: Some("1.31".into()),
                instance_types: vec![instance_type.into()],
                capacity_type: None,
                scaling: None,
                subnet_ids: pools.iter().map(|p| p.subnet.subnet_id.clone()).collect(),
                launch_template: user_data.map(|_| LaunchTemplateRef {
                    id: Some("lt-0".into()),
                    name: None,
                    version: None,
                }),
                asg_names: vec![],
                user_data: user_data.cloned(),
                status: Some("ACTIVE".into()),
                labels: BTreeMap::new(),
            });
            for n in 0..100u32 {
                let pool = &mut pools[(n % 2) as usize];
                let enis = if os == Os::Windows { 1 } else { 2 };
                let eni_list = (0..enis)
                    .map(|d| Eni {
                        eni_id: format!("eni-{c:04}{g:02}{n:04}{d}"),
                        interface_type: Some("interface".into()),
                        device_index: Some(d),
                        network_card_index: Some(0),
                        subnet_id: Some(pool.subnet.subnet_id.clone()),
                        primary_ip: Some(pool.ip()),
                        secondary_ips: if pd {
                            vec![]
                        } else {
                            (0..5).map(|_| pool.ip()).collect()
                        },
                        ipv4_prefixes: if pd { vec![pool.prefix()] } else { vec![] },
                    })
                    .collect::<Vec<_>>();
                nodes.push(Node {
                    instance_id: format!("i-{c:04}{g:02}{n:010}"),
                    instance_type: instance_type.into(),
                    os,
                    nodegroup: Some(name.into()),
                    subnet_id: Some(pool.subnet.subnet_id.clone()),
                    availability_zone: None,
                    private_ip: eni_list[0].primary_ip.clone(),
                    ami_id: None,
                    launch_time: None,
                    state: None,
                    platform_details: None,
                    windows_build: None,
                    enis: eni_list,
                    pods_with_ips: Some(3),
                });
            }
        }
        clusters.push(Cluster {
            name: format!("cluster-{c:02}"),
            region: region.into(),
            account_id: Some("111122223333".into()),
            account_label: None,
            version: Some("1.31".into()),
            platform_version: None,
            status: None,
            vpc_id: None,
            subnet_ids: pools.iter().map(|p| p.subnet.subnet_id.clone()).collect(),
            service_ipv4_cidr: None,
            ip_family: None,
            nodegroups,
            nodes,
            windows_ipam_config: None,
            linux_ipam_env: None,
            service_count: Some(120),
        });
        subnets.extend(pools.into_iter().map(Pool::finish));
    }
    Snapshot {
        schema_version: SCHEMA_VERSION,
        collected_at: "2026-11-26T07:00:00Z".into(),
        source: SnapshotSource {
            kind: SourceKind::File,
            description: "bench".into(),
        },
        clusters,
        subnets,
        instance_types: vec![],
        errors: vec![],
        api_calls: BTreeMap::new(),
        scan_duration_ms: None,
    }
}

fn bench(c: &mut Criterion) {
    let table = InstanceTypeTable::from_json(TABLE_JSON).unwrap_or_default();
    let snapshot = fleet();
    let view = analyze(&snapshot, &table);
    assert_eq!(view.nodes.len(), 10_000);
    c.bench_function("fleet::analyze 10,000 nodes", |b| {
        b.iter(|| black_box(analyze(black_box(&snapshot), &table)))
    });
    c.bench_function("fleet::dsr_board 10,000 nodes", |b| {
        b.iter(|| black_box(dsr_board(black_box(&view))))
    });
    let last = snapshot
        .clusters
        .last()
        .and_then(|c| c.nodes.last())
        .map(|n| n.instance_id.clone())
        .unwrap_or_default();
    c.bench_function("fleet::node_detail (last node)", |b| {
        b.iter(|| black_box(node_detail(&snapshot, &table, &last)))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
