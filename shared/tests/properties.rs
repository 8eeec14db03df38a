//! Invariants of the IP/pod math, checked on random inputs (proptest).

use proptest::prelude::*;
use shared::limits::{Architecture, Hypervisor, InstanceTypeLimits, InstanceTypeTable};
use shared::maxpods::{IpMode, Os, linux_ip_capacity, windows_ip_capacity};
use shared::snapshot::{CidrReservation, ReservationType};
use shared::subnet::{self, Ipv4Cidr, ParsedSubnet, SubnetState, format_ipv4};
use shared::warm::{
    LinuxWarmInput, LinuxWarmSettings, WarmPool, WindowsWarmInput, WindowsWarmSettings,
};
use shared::whatif::{self, Scenario};

fn instance(
    enis: u32,
    ipv4_per_eni: u32,
    hypervisor: Hypervisor,
    vcpus: u32,
) -> InstanceTypeLimits {
    InstanceTypeLimits {
        instance_type: format!("test.{enis}x{ipv4_per_eni}"),
        hypervisor,
        bare_metal: hypervisor == Hypervisor::None,
        vcpus,
        memory_mib: 8192,
        architectures: vec![Architecture::X86_64],
        enis,
        ipv4_per_eni,
        total_enis: enis,
        network_cards: 1,
        current_generation: true,
    }
}

fn any_instance() -> impl Strategy<Value = InstanceTypeLimits> {
    (
        1u32..=15,
        2u32..=50,
        prop_oneof![
            Just(Hypervisor::Nitro),
            Just(Hypervisor::Xen),
            Just(Hypervisor::None)
        ],
        1u32..=192,
    )
        .prop_map(|(enis, ips, hypervisor, vcpus)| instance(enis, ips, hypervisor, vcpus))
}

fn any_target() -> impl Strategy<Value = Option<i64>> {
    prop_oneof![Just(None), (-5i64..=40).prop_map(Some)]
}

fn any_windows_warm() -> impl Strategy<Value = WindowsWarmInput> {
    (any_target(), any_target(), any_target()).prop_map(|(w, m, p)| WindowsWarmInput {
        warm_ip_target: w,
        minimum_ip_target: m,
        warm_prefix_target: p,
    })
}

fn any_linux_warm() -> impl Strategy<Value = LinuxWarmInput> {
    (any_target(), any_target(), any_target(), any_target()).prop_map(|(e, w, m, p)| {
        LinuxWarmInput {
            warm_eni_target: e,
            warm_ip_target: w,
            minimum_ip_target: m,
            warm_prefix_target: p,
        }
    })
}

/// A warm pool for either OS.
fn any_pool() -> impl Strategy<Value = WarmPool> {
    (
        any_instance(),
        any::<bool>(),
        any::<bool>(),
        any_windows_warm(),
        any_linux_warm(),
        1u32..=300,
        any::<bool>(),
    )
        .prop_map(|(limits, windows, pd, win, linux, kubelet, custom)| {
            if windows {
                let mode = if pd {
                    IpMode::PrefixDelegation
                } else {
                    IpMode::SecondaryIp
                };
                WarmPool::windows(&limits, &WindowsWarmSettings::from_input(&win, mode))
            } else {
                let settings = LinuxWarmSettings::from_input(&linux);
                WarmPool::linux(&limits, &settings, pd, custom && limits.enis > 1, kubelet)
            }
        })
}

proptest! {
    /// capacity ≥ held ≥ used for every pod count up to capacity; held is a whole number of prefixes in PD.
    #[test]
    fn capacity_ge_held_ge_used(pool in any_pool(), fraction in 0.0f64..=1.0) {
        let pods = (f64::from(pool.ip_capacity) * fraction) as u32;
        let held = pool.held(pods);
        prop_assert_eq!(held.used_ips, pods);
        prop_assert!(held.held_ips <= pool.ip_capacity, "{:?} {:?}", pool, held);
        prop_assert!(held.held_ips >= held.used_ips, "{:?} {:?}", pool, held);
        prop_assert_eq!(held.warm_ips, held.held_ips - held.used_ips);
        prop_assert_eq!(held.subnet_ips, held.held_ips + held.enis);
        prop_assert!(held.enis >= 1);
        if pool.mode == IpMode::PrefixDelegation {
            prop_assert_eq!(held.held_ips, held.held_prefixes * 16);
            prop_assert!(held.held_prefixes <= pool.prefix_capacity());
        } else {
            prop_assert_eq!(held.held_prefixes, 0);
        }
    }

    /// More pods never hold fewer addresses.
    #[test]
    fn held_is_monotonic_in_pods(pool in any_pool(), pods in 0u32..=2000) {
        let a = pool.held(pods);
        let b = pool.held(pods + 1);
        prop_assert!(b.held_ips >= a.held_ips, "{:?}: {} → {:?}, {} → {:?}", pool, pods, a, pods + 1, b);
        prop_assert!(b.held_prefixes >= a.held_prefixes);
        prop_assert!(b.enis >= a.enis);
    }

    /// Prefix delegation never lowers pod-IP capacity on a Nitro (or bare-metal) type.
    #[test]
    fn pd_capacity_ge_secondary_on_nitro(limits in any_instance(), custom in any::<bool>()) {
        prop_assume!(limits.is_nitro_or_bare_metal());
        prop_assert!(windows_ip_capacity(&limits, IpMode::PrefixDelegation) >= windows_ip_capacity(&limits, IpMode::SecondaryIp));
        prop_assert!(
            linux_ip_capacity(&limits, IpMode::PrefixDelegation, custom) >= linux_ip_capacity(&limits, IpMode::SecondaryIp, custom)
        );
    }
}

fn table_of(limits: &InstanceTypeLimits) -> InstanceTypeTable {
    InstanceTypeTable {
        source: "proptest".into(),
        types: vec![limits.clone()],
    }
}

fn any_scenario() -> impl Strategy<Value = (InstanceTypeLimits, Scenario)> {
    (
        any_instance(),
        any::<bool>(),
        any::<bool>(),
        0u32..=500,
        0u32..=300,
        any_windows_warm(),
        any_linux_warm(),
        prop_oneof![Just(None), (1u32..=300).prop_map(Some)],
        prop_oneof![
            Just(Vec::<String>::new()),
            Just(vec!["10.0.0.0/20".to_string(), "10.0.16.0/24".to_string()])
        ],
    )
        .prop_map(
            |(limits, windows, pd, nodes, pods, win, linux, kubelet, subnets)| {
                let scenario = Scenario {
                    instance_type: limits.instance_type.clone(),
                    os: if windows { Os::Windows } else { Os::Linux },
                    node_count: nodes,
                    pods_per_node: pods,
                    prefix_delegation: pd,
                    custom_networking: false,
                    kubelet_max_pods: kubelet,
                    windows_warm: win,
                    linux_warm: linux,
                    subnets: subnets.into_iter().map(SubnetState::fresh).collect(),
                    observed_pods: None,
                };
                (limits, scenario)
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// Totals never shrink when nodes are added; pods split into scheduled + pending.
    #[test]
    fn totals_monotonic_in_node_count((limits, scenario) in any_scenario(), extra in 1u32..=50) {
        let table = table_of(&limits);
        let small = whatif::evaluate(&scenario, &table).expect("valid scenario");
        let bigger = Scenario { node_count: scenario.node_count + extra, ..scenario.clone() };
        let big = whatif::evaluate(&bigger, &table).expect("valid scenario");
        prop_assert!(big.totals.subnet_ips >= small.totals.subnet_ips);
        prop_assert!(big.totals.held_ips >= small.totals.held_ips);
        prop_assert!(big.totals.held_prefixes >= small.totals.held_prefixes);
        prop_assert!(big.totals.pod_capacity >= small.totals.pod_capacity);
        prop_assert!(big.totals.pods_scheduled >= small.totals.pods_scheduled);
        for (a, b) in small.subnets.iter().zip(&big.subnets) {
            prop_assert!(b.addresses_needed >= a.addresses_needed);
            prop_assert!(b.free_ips_after <= a.free_ips_after);
            prop_assert!(b.free_prefix_slots_after <= a.free_prefix_slots_after);
        }
        let t = &big.totals;
        prop_assert_eq!(t.pods_requested, t.pods_scheduled + t.pods_pending);
        prop_assert!(t.pods_scheduled <= t.pod_capacity);
        if !big.subnets.is_empty() {
            prop_assert_eq!(t.subnet_ips, big.subnets.iter().map(|s| s.addresses_needed).sum::<u64>());
        }
    }

    /// The URL form of a scenario reads back to the same scenario.
    #[test]
    fn query_round_trip((_limits, scenario) in any_scenario()) {
        let pairs = whatif::scenario_to_query(&scenario);
        let back = whatif::scenario_from_query(&pairs).expect("own output parses");
        prop_assert_eq!(back, scenario);
    }

    /// Arbitrary values for the real keys never panic: each is accepted or reported on its field.
    #[test]
    fn query_never_panics(values in proptest::collection::vec((0usize..QUERY_KEYS.len(), "\\PC{0,12}|-?[0-9]{1,22}"), 0..12)) {
        let pairs: Vec<(String, String)> =
            values.into_iter().map(|(key, value)| (QUERY_KEYS[key].to_string(), value)).collect();
        match whatif::scenario_from_query(&pairs) {
            Ok(scenario) => {
                // Whatever parses evaluates to a result or a clear error, never a panic.
                let table = table_of(&instance(3, 10, Hypervisor::Nitro, 2));
                let _ = whatif::evaluate(&Scenario { instance_type: "test.3x10".into(), ..scenario }, &table);
            }
            Err(errors) => prop_assert!(!errors.errors.is_empty()),
        }
    }
}

const QUERY_KEYS: &[&str] = &[
    "instance_type",
    "os",
    "nodes",
    "node_count",
    "pods_per_node",
    "prefix_delegation",
    "custom_networking",
    "kubelet_max_pods",
    "win_warm_ip_target",
    "win_minimum_ip_target",
    "win_warm_prefix_target",
    "linux_warm_eni_target",
    "linux_warm_ip_target",
    "linux_minimum_ip_target",
    "linux_warm_prefix_target",
    "warm_ip_target",
    "minimum_ip_target",
    "warm_prefix_target",
    "warm_eni_target",
    "subnet",
    "unknown_key",
];

/// A random subnet state: CIDR /16–/28, random allocated IPs and prefixes, and non-overlapping
/// reservations laid out on /26 chunks.
fn any_subnet() -> impl Strategy<Value = SubnetState> {
    (16u8..=28, any::<u32>())
        .prop_flat_map(|(prefix_len, seed)| {
            let size = 1u32 << (32 - prefix_len);
            let blocks = size / 16;
            let chunks = (blocks / 4).max(1);
            (
                Just((prefix_len, seed)),
                proptest::collection::vec(0..size, 0..300),
                proptest::collection::vec(0..blocks, 0..40),
                proptest::collection::vec((0..chunks, 0u8..=3), 0..12),
            )
        })
        .prop_map(|((prefix_len, seed), ips, prefixes, reservations)| {
            let network =
                Ipv4Cidr::new(seed & (u32::MAX << (32 - prefix_len)), prefix_len).expect("masked");
            let base = network.network();
            let mut state = SubnetState::fresh(network.to_string());
            let size = network.size() as u32;
            let blocks = network.block_count();
            // EC2 never hands out the 5 AWS-reserved addresses, nor a prefix over them.
            state.allocated_ips = ips
                .iter()
                .filter(|&&o| o >= 4 && o + 1 < size)
                .map(|o| format_ipv4(base + o))
                .collect();
            state.allocated_prefixes = prefixes
                .iter()
                .filter(|&&b| b > 0 && b + 1 < blocks)
                .map(|b| format!("{}/28", format_ipv4(base + b * 16)))
                .collect();
            let mut used_chunks = std::collections::BTreeSet::new();
            for (chunk, kind) in reservations {
                if prefix_len > 26 || !used_chunks.insert(chunk) {
                    continue;
                }
                let start = base + chunk * 64;
                let (cidr, reservation_type) = match kind {
                    0 => (
                        format!("{}/26", format_ipv4(start)),
                        ReservationType::Prefix,
                    ),
                    1 => (
                        format!("{}/28", format_ipv4(start)),
                        ReservationType::Prefix,
                    ),
                    2 => (
                        format!("{}/27", format_ipv4(start)),
                        ReservationType::Explicit,
                    ),
                    _ => (
                        format!("{}/32", format_ipv4(start + 20)),
                        ReservationType::Explicit,
                    ),
                };
                state.reservations.push(CidrReservation {
                    reservation_id: None,
                    cidr,
                    reservation_type,
                    description: None,
                });
            }
            state
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// Every /28 gets exactly one class; free IPs = usable − allocated; the score is a percentage.
    #[test]
    fn classification_is_complete(state in any_subnet()) {
        let parsed = ParsedSubnet::parse(&state).expect("generated states are valid");
        let usage = parsed.usage();
        prop_assert_eq!(usage.blocks.total(), parsed.cidr.block_count());
        prop_assert_eq!(usage.free_ips, usage.usable_ips - usage.allocated_ips);
        prop_assert!(usage.free_ips_unreserved <= usage.free_ips);
        prop_assert!(usage.allocated_ips <= usage.usable_ips);
        prop_assert_eq!(usage.free_prefix_slots, usage.blocks.free + usage.blocks.prefix_reserved);
        if let Some(score) = usage.fragmentation_score {
            prop_assert!(score <= 100);
        }
        let map = parsed.block_map();
        prop_assert_eq!(map.classes.len() as u32, parsed.cidr.block_count());
        // Distinct allocated addresses: single IPs outside prefixes + 16 per distinct prefix.
        let prefix_count = usage.prefix_ips / 16;
        prop_assert_eq!(usage.blocks.prefix_allocated as u64, prefix_count);
    }

    /// Parsing never panics on arbitrary text.
    #[test]
    fn cidr_parse_never_panics(text in "\\PC{0,24}") {
        let _ = Ipv4Cidr::parse(&text);
        let _ = subnet::parse_ipv4(&text);
    }
}
