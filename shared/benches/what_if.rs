//! What-if over a 10,000-node fleet: 100 nodegroups × 100 nodes with per-node observed pod counts,
//! spread over realistic /19–/24 subnets that already hold IPs, prefixes and CIDR reservations.
//!
//! `cargo bench -p shared --bench what_if` (add `-- --quick` for a short run).

use criterion::{Criterion, black_box, criterion_group, criterion_main};
use shared::limits::InstanceTypeTable;
use shared::maxpods::Os;
use shared::snapshot::{CidrReservation, ReservationType};
use shared::subnet::{Ipv4Cidr, ParsedSubnet, SubnetState, format_ipv4};
use shared::warm::{LinuxWarmInput, WindowsWarmInput};
use shared::whatif::{Scenario, evaluate, evaluate_prepared, parse_subnets};

const TABLE_JSON: &str = include_str!("../../assets/instance-types.json");
const NODEGROUPS: usize = 100;
const NODES_PER_GROUP: u32 = 100;

/// Deterministic xorshift so every run benchmarks the same fleet.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// A subnet with ~`fill_percent` of its addresses in use, some /28 prefixes, and (for /22 and larger)
/// a prefix reservation.
fn used_subnet(rng: &mut Rng, cidr: &str, fill_percent: u64) -> SubnetState {
    let net = Ipv4Cidr::parse(cidr).expect("bench CIDR");
    let size = net.size();
    let blocks = u64::from(net.block_count());
    let mut state = SubnetState::fresh(cidr);
    state.subnet_id = Some(format!("subnet-{}", format_ipv4(net.network())));
    // Prefixes on every 7th block (not the AWS-reserved first/last), then scattered single IPs.
    let prefix_blocks: Vec<u64> = (1..blocks - 1).filter(|b| b % 7 == 3).collect();
    for b in &prefix_blocks {
        state.allocated_prefixes.push(format!(
            "{}/28",
            format_ipv4(net.network() + (*b as u32) * 16)
        ));
    }
    let singles = size * fill_percent / 100;
    for _ in 0..singles {
        let offset = 4 + rng.below(size - 5);
        if prefix_blocks.contains(&(offset / 16)) {
            continue;
        }
        state
            .allocated_ips
            .push(format_ipv4(net.network() + offset as u32));
    }
    if net.prefix_len() <= 22 {
        // The last /26 below the top block as a prefix reservation.
        let start = net.network() + (size as u32) - 128;
        state.reservations.push(CidrReservation {
            reservation_id: None,
            cidr: format!("{}/26", format_ipv4(start)),
            reservation_type: ReservationType::Prefix,
            description: Some("bench prefix reservation".into()),
        });
    }
    state
}

fn fleet(table: &InstanceTypeTable) -> Vec<Scenario> {
    let mut rng = Rng(0x5eed_1234_abcd_ef01);
    let sizes = [19u8, 20, 21, 22, 23, 24];
    let subnets: Vec<SubnetState> = (0..12)
        .map(|i| {
            let len = sizes[i % sizes.len()];
            // Distinct, aligned networks: 10.<i*16>.0.0/len.
            let cidr = format!("10.{}.0.0/{len}", i * 16);
            used_subnet(&mut rng, &cidr, 10 + (i as u64 % 4) * 10)
        })
        .collect();
    let windows_types = [
        "m5.large",
        "m5.xlarge",
        "c5.2xlarge",
        "m5.4xlarge",
        "r5.xlarge",
        "m4.large",
        "t3.medium",
    ];
    let linux_types = [
        "m5.large",
        "c6g.xlarge",
        "m6i.2xlarge",
        "r6g.4xlarge",
        "t3.small",
        "m5.24xlarge",
        "c5n.18xlarge",
    ];
    (0..NODEGROUPS)
        .map(|g| {
            let windows = g % 2 == 0;
            let names = if windows {
                &windows_types
            } else {
                &linux_types
            };
            let instance_type = names[g % names.len()].to_string();
            assert!(
                table.get(&instance_type).is_some(),
                "{instance_type} missing from the table"
            );
            let max_observed = 1 + rng.below(60) as u32;
            let observed: Vec<u32> = (0..NODES_PER_GROUP)
                .map(|_| rng.below(u64::from(max_observed) + 1) as u32)
                .collect();
            let first = g % subnets.len();
            Scenario {
                instance_type,
                os: if windows { Os::Windows } else { Os::Linux },
                node_count: NODES_PER_GROUP,
                pods_per_node: max_observed,
                prefix_delegation: g % 3 == 0,
                custom_networking: false,
                kubelet_max_pods: if g % 5 == 0 { Some(250) } else { None },
                windows_warm: WindowsWarmInput {
                    warm_ip_target: (g % 4 == 1).then_some(5),
                    minimum_ip_target: (g % 4 == 1).then_some(10),
                    warm_prefix_target: (g % 7 == 0).then_some(1),
                },
                linux_warm: LinuxWarmInput {
                    warm_ip_target: (g % 6 == 1).then_some(2),
                    minimum_ip_target: (g % 6 == 1).then_some(12),
                    ..LinuxWarmInput::default()
                },
                subnets: vec![
                    subnets[first].clone(),
                    subnets[(first + 5) % subnets.len()].clone(),
                ],
                observed_pods: Some(observed),
            }
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let table = InstanceTypeTable::from_json(TABLE_JSON).expect("embedded table");
    let scenarios = fleet(&table);
    let prepared: Vec<(Scenario, Vec<ParsedSubnet>)> = scenarios
        .iter()
        .map(|s| {
            (
                s.clone(),
                parse_subnets(&s.subnets).expect("bench subnets are valid"),
            )
        })
        .collect();
    let total_nodes: u32 = scenarios.iter().map(|s| s.node_count).sum();
    assert_eq!(total_nodes, 10_000);

    let mut group = c.benchmark_group("what_if_fleet_10k_nodes");
    // The recompute when a slider moves: subnets already parsed, every nodegroup re-evaluated.
    group.bench_function("evaluate_prepared_100x100", |b| {
        b.iter(|| {
            let mut held = 0u64;
            for (scenario, subnets) in &prepared {
                let limits = table.get(&scenario.instance_type).expect("known type");
                let result =
                    evaluate_prepared(black_box(scenario), limits, subnets).expect("valid");
                held += result.totals.held_ips;
            }
            held
        })
    });
    // The full path from JSON-shaped state: subnet IP strings parsed and classified each time.
    group.bench_function("evaluate_with_subnet_parsing_100x100", |b| {
        b.iter(|| {
            let mut held = 0u64;
            for scenario in &scenarios {
                held += evaluate(black_box(scenario), &table)
                    .expect("valid")
                    .totals
                    .held_ips;
            }
            held
        })
    });
    // One nodegroup of 10,000 nodes: the per-node loop alone.
    let mut big = scenarios[0].clone();
    big.node_count = 10_000;
    big.observed_pods = Some((0..10_000).map(|i| i % 40).collect());
    let big_subnets = parse_subnets(&big.subnets).expect("valid");
    let big_limits = table.get(&big.instance_type).expect("known type");
    group.bench_function("one_nodegroup_10000_nodes", |b| {
        b.iter(|| {
            evaluate_prepared(black_box(&big), big_limits, &big_subnets)
                .expect("valid")
                .totals
                .subnet_ips
        })
    });
    group.finish();

    let mut group = c.benchmark_group("subnet");
    let mut rng = Rng(7);
    let slash16 = used_subnet(&mut rng, "10.200.0.0/16", 30);
    let parsed16 = ParsedSubnet::parse(&slash16).expect("valid");
    group.bench_function("classify_slash16_4096_blocks", |b| {
        b.iter(|| black_box(&parsed16).classify())
    });
    group.bench_function("parse_and_classify_slash16_30pct_used", |b| {
        b.iter(|| {
            ParsedSubnet::parse(black_box(&slash16))
                .expect("valid")
                .usage()
                .free_ips
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
