//! The what-if pages' API data as `shared` types, decoded from [`Json`] without serde's derive.
//!
//! Why: a derived `Deserialize` in the wasm brings serde_json's typed parser, one visitor per struct and,
//! through serde's "invalid type: floating point …" messages, Rust's whole float formatting. Measured
//! with `cargo xtask dist`, that was ~15 KB gzipped per entry and what kept the planner entries over
//! the 250 KB budget. The browser parses the JSON (`JSON.parse`, see [`Json`]); this module reads it
//! field by field, as strictly as serde would: a missing or mistyped field is an error naming its path
//! (`types[3].vcpus: expected a whole number ≥ 0`), a missing `Option` or `#[serde(default)]` field is
//! `None` / empty. The tests decode `serde_json::to_value` of real `shared` values and compare them
//! with the originals, so a renamed field or variant fails a test.

use crate::components::json::Json;
use shared::limits::{Architecture, Hypervisor, InstanceTypeLimits, InstanceTypeTable};
use shared::maxpods::Os;
use shared::observed::{
    InstanceTypeCount, ObservedNode, ObservedNodegroup, ObservedSubnet, PodsBasis, Provenance,
};
use shared::snapshot::{CidrReservation, NodegroupKind, ReservationType, Scaling};
use shared::subnet::SubnetState;
use shared::warm::{LinuxWarmInput, WindowsWarmInput};

/// What was wrong and where (`nodes[2].held_ips`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    pub path: String,
    pub expected: &'static str,
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: expected {}", self.path, self.expected)
    }
}

type Result<T> = std::result::Result<T, DecodeError>;

/// A JSON object being decoded, with its path for error messages.
struct Obj {
    json: Json,
    path: String,
}

impl Obj {
    fn new(json: Json, path: String) -> Result<Obj> {
        if !json.is_map() {
            return Err(DecodeError {
                path: if path.is_empty() {
                    "(body)".into()
                } else {
                    path
                },
                expected: "an object",
            });
        }
        Ok(Obj { json, path })
    }

    fn at(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    fn fail<T>(&self, key: &str, expected: &'static str) -> Result<T> {
        Err(DecodeError {
            path: self.at(key),
            expected,
        })
    }

    /// The field, `None` when missing or null.
    fn field(&self, key: &str) -> Option<Json> {
        Some(self.json.get(key)).filter(|v| !v.is_null())
    }

    fn opt_string(&self, key: &str) -> Result<Option<String>> {
        match self.field(key) {
            None => Ok(None),
            Some(v) => v
                .as_str()
                .map(Some)
                .map_or_else(|| self.fail(key, "a string"), Ok),
        }
    }

    fn string(&self, key: &str) -> Result<String> {
        self.opt_string(key)?
            .map_or_else(|| self.fail(key, "a string"), Ok)
    }

    fn boolean(&self, key: &str) -> Result<bool> {
        self.field(key)
            .and_then(|v| v.as_bool())
            .map_or_else(|| self.fail(key, "true or false"), Ok)
    }

    fn opt_u64(&self, key: &str) -> Result<Option<u64>> {
        match self.field(key) {
            None => Ok(None),
            Some(v) => v
                .as_u64()
                .map(Some)
                .map_or_else(|| self.fail(key, "a whole number ≥ 0"), Ok),
        }
    }

    fn u64(&self, key: &str) -> Result<u64> {
        self.opt_u64(key)?
            .map_or_else(|| self.fail(key, "a whole number ≥ 0"), Ok)
    }

    fn opt_u32(&self, key: &str) -> Result<Option<u32>> {
        match self.opt_u64(key)? {
            None => Ok(None),
            Some(n) => u32::try_from(n)
                .map(Some)
                .map_or_else(|_| self.fail(key, "a whole number below 2^32"), Ok),
        }
    }

    fn u32(&self, key: &str) -> Result<u32> {
        self.opt_u32(key)?
            .map_or_else(|| self.fail(key, "a whole number ≥ 0"), Ok)
    }

    fn opt_i64(&self, key: &str) -> Result<Option<i64>> {
        match self.field(key) {
            None => Ok(None),
            Some(v) => v
                .as_i64()
                .map(Some)
                .map_or_else(|| self.fail(key, "a whole number"), Ok),
        }
    }

    fn opt_object(&self, key: &str) -> Result<Option<Obj>> {
        self.field(key)
            .map(|v| Obj::new(v, self.at(key)))
            .transpose()
    }

    fn object(&self, key: &str) -> Result<Obj> {
        self.opt_object(key)?
            .map_or_else(|| self.fail(key, "an object"), Ok)
    }

    /// An array field; `required` = not `#[serde(default)]` (then missing is an error).
    fn array(&self, key: &str, required: bool) -> Result<Vec<Json>> {
        match self.field(key) {
            None if required => self.fail(key, "an array"),
            None => Ok(Vec::new()),
            Some(v) if v.is_array() => Ok(v.items()),
            Some(_) => self.fail(key, "an array"),
        }
    }

    fn objects<T>(
        &self,
        key: &str,
        required: bool,
        decode: impl Fn(&Obj) -> Result<T>,
    ) -> Result<Vec<T>> {
        self.array(key, required)?
            .into_iter()
            .enumerate()
            .map(|(i, item)| decode(&Obj::new(item, format!("{}[{i}]", self.at(key)))?))
            .collect()
    }

    fn strings(&self, key: &str, required: bool) -> Result<Vec<String>> {
        self.array(key, required)?
            .into_iter()
            .enumerate()
            .map(|(i, item)| {
                item.as_str().ok_or_else(|| DecodeError {
                    path: format!("{}[{i}]", self.at(key)),
                    expected: "a string",
                })
            })
            .collect()
    }

    /// A unit enum by its serde name.
    fn choice<T: Copy>(&self, key: &str, names: &[(&str, T)], expected: &'static str) -> Result<T> {
        match self.opt_choice(key, names, expected)? {
            Some(value) => Ok(value),
            None => self.fail(key, expected),
        }
    }

    fn opt_choice<T: Copy>(
        &self,
        key: &str,
        names: &[(&str, T)],
        expected: &'static str,
    ) -> Result<Option<T>> {
        match self.opt_string(key) {
            Ok(None) => Ok(None),
            Ok(Some(name)) => names
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| Some(*v))
                .map_or_else(|| self.fail(key, expected), Ok),
            Err(_) => self.fail(key, expected),
        }
    }
}

const HYPERVISORS: [(&str, Hypervisor); 3] = [
    ("nitro", Hypervisor::Nitro),
    ("xen", Hypervisor::Xen),
    ("none", Hypervisor::None),
];
const ARCHITECTURES: [(&str, Architecture); 5] = [
    ("x86_64", Architecture::X86_64),
    ("arm64", Architecture::Arm64),
    ("i386", Architecture::I386),
    ("x86_64_mac", Architecture::X86_64Mac),
    ("arm64_mac", Architecture::Arm64Mac),
];
const OSES: [(&str, Os); 2] = [("windows", Os::Windows), ("linux", Os::Linux)];
const KINDS: [(&str, NodegroupKind); 4] = [
    ("managed", NodegroupKind::Managed),
    ("self-managed", NodegroupKind::SelfManaged),
    ("karpenter", NodegroupKind::Karpenter),
    ("ungrouped", NodegroupKind::Ungrouped),
];
const PROVENANCES: [(&str, Provenance); 2] = [
    ("observed", Provenance::Observed),
    ("assumed", Provenance::Assumed),
];
const PODS_BASES: [(&str, PodsBasis); 4] = [
    ("observed", PodsBasis::Observed),
    ("estimated-from-held-ips", PodsBasis::EstimatedFromHeldIps),
    ("partly", PodsBasis::Partly),
    ("no-nodes", PodsBasis::NoNodes),
];
const RESERVATION_TYPES: [(&str, ReservationType); 2] = [
    ("prefix", ReservationType::Prefix),
    ("explicit", ReservationType::Explicit),
];

fn instance_type_limits(o: &Obj) -> Result<InstanceTypeLimits> {
    let architectures = o
        .strings("architectures", true)?
        .iter()
        .enumerate()
        .map(|(i, name)| {
            ARCHITECTURES
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, a)| *a)
                .ok_or_else(|| DecodeError {
                    path: format!("{}[{i}]", o.at("architectures")),
                    expected: "x86_64, arm64, i386, x86_64_mac or arm64_mac",
                })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(InstanceTypeLimits {
        instance_type: o.string("instance_type")?,
        hypervisor: o.choice("hypervisor", &HYPERVISORS, "nitro, xen or none")?,
        bare_metal: o.boolean("bare_metal")?,
        vcpus: o.u32("vcpus")?,
        memory_mib: o.u64("memory_mib")?,
        architectures,
        enis: o.u32("enis")?,
        ipv4_per_eni: o.u32("ipv4_per_eni")?,
        total_enis: o.u32("total_enis")?,
        network_cards: o.u32("network_cards")?,
        current_generation: o.boolean("current_generation")?,
    })
}

/// `GET /api/v1/instance-types` (or an `InstanceTypeTable` JSON): checked, sorted and deduplicated
/// by [`InstanceTypeTable::from_rows`].
pub fn instance_type_table(json: Json) -> std::result::Result<InstanceTypeTable, String> {
    let o = Obj::new(json, String::new()).map_err(|e| e.to_string())?;
    let source = o.string("source").map_err(|e| e.to_string())?;
    let types = o
        .objects("types", true, instance_type_limits)
        .map_err(|e| e.to_string())?;
    InstanceTypeTable::from_rows(source, types).map_err(|e| e.to_string())
}

fn windows_warm(o: &Obj) -> Result<WindowsWarmInput> {
    Ok(WindowsWarmInput {
        warm_ip_target: o.opt_i64("warm_ip_target")?,
        minimum_ip_target: o.opt_i64("minimum_ip_target")?,
        warm_prefix_target: o.opt_i64("warm_prefix_target")?,
    })
}

fn linux_warm(o: &Obj) -> Result<LinuxWarmInput> {
    Ok(LinuxWarmInput {
        warm_eni_target: o.opt_i64("warm_eni_target")?,
        warm_ip_target: o.opt_i64("warm_ip_target")?,
        minimum_ip_target: o.opt_i64("minimum_ip_target")?,
        warm_prefix_target: o.opt_i64("warm_prefix_target")?,
    })
}

fn reservation(o: &Obj) -> Result<CidrReservation> {
    Ok(CidrReservation {
        reservation_id: o.opt_string("reservation_id")?,
        cidr: o.string("cidr")?,
        reservation_type: o.choice("reservation_type", &RESERVATION_TYPES, "prefix or explicit")?,
        description: o.opt_string("description")?,
    })
}

fn subnet_state(o: &Obj) -> Result<SubnetState> {
    Ok(SubnetState {
        subnet_id: o.opt_string("subnet_id")?,
        cidr: o.string("cidr")?,
        allocated_ips: o.strings("allocated_ips", false)?,
        allocated_prefixes: o.strings("allocated_prefixes", false)?,
        reservations: o.objects("reservations", false, reservation)?,
    })
}

fn observed_subnet(o: &Obj) -> Result<ObservedSubnet> {
    Ok(ObservedSubnet {
        state: subnet_state(&o.object("state")?)?,
        availability_zone: o.opt_string("availability_zone")?,
        available_ip_count: o.opt_u32("available_ip_count")?,
        allocations_known: o.boolean("allocations_known")?,
        nodes_observed: o.u32("nodes_observed")?,
        nodes_modelled: o.u32("nodes_modelled")?,
        own_addresses_removed: o.u64("own_addresses_removed")?,
    })
}

fn observed_node(o: &Obj) -> Result<ObservedNode> {
    Ok(ObservedNode {
        instance_id: o.string("instance_id")?,
        instance_type: o.string("instance_type")?,
        subnet_id: o.opt_string("subnet_id")?,
        held_ips: o.u32("held_ips")?,
        prefixes: o.u32("prefixes")?,
        pods: o.u32("pods")?,
        pods_observed: o.boolean("pods_observed")?,
    })
}

fn scaling(o: &Obj) -> Result<Scaling> {
    Ok(Scaling {
        min_size: o.u32("min_size")?,
        max_size: o.u32("max_size")?,
        desired_size: o.u32("desired_size")?,
    })
}

/// `GET /api/v1/clusters/{region}/{name}/nodegroups/{nodegroup}/observed`.
pub fn observed_nodegroup(json: Json) -> std::result::Result<ObservedNodegroup, DecodeError> {
    let o = Obj::new(json, String::new())?;
    Ok(ObservedNodegroup {
        cluster: o.string("cluster")?,
        region: o.string("region")?,
        nodegroup: o.string("nodegroup")?,
        kind: o.opt_choice(
            "kind",
            &KINDS,
            "managed, self-managed, karpenter or ungrouped",
        )?,
        os: o.choice("os", &OSES, "windows or linux")?,
        kubernetes_version: o.opt_string("kubernetes_version")?,
        instance_type: o.string("instance_type")?,
        instance_types_seen: o.objects("instance_types_seen", true, |t| {
            Ok(InstanceTypeCount {
                instance_type: t.string("instance_type")?,
                nodes: t.u32("nodes")?,
            })
        })?,
        prefix_delegation: o.boolean("prefix_delegation")?,
        ip_mode_basis: o.string("ip_mode_basis")?,
        custom_networking: o.boolean("custom_networking")?,
        kubelet_max_pods: o.opt_u32("kubelet_max_pods")?,
        windows_warm: windows_warm(&o.object("windows_warm")?)?,
        linux_warm: linux_warm(&o.object("linux_warm")?)?,
        ipam: o.choice("ipam", &PROVENANCES, "observed or assumed")?,
        ipam_notes: o.strings("ipam_notes", true)?,
        pods_basis: o.choice(
            "pods_basis",
            &PODS_BASES,
            "observed, estimated-from-held-ips, partly or no-nodes",
        )?,
        nodes: o.objects("nodes", true, observed_node)?,
        subnets: o.objects("subnets", true, observed_subnet)?,
        scaling: o.opt_object("scaling")?.map(|s| scaling(&s)).transpose()?,
        instance_type_limits: o.objects("instance_type_limits", true, instance_type_limits)?,
        notes: o.strings("notes", true)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json_of<T: serde::Serialize>(value: &T) -> Json {
        Json::from_value(serde_json::to_value(value).expect("serializes"))
    }

    fn limits(
        name: &str,
        hypervisor: Hypervisor,
        architectures: Vec<Architecture>,
    ) -> InstanceTypeLimits {
        InstanceTypeLimits {
            instance_type: name.into(),
            hypervisor,
            bare_metal: hypervisor == Hypervisor::None,
            vcpus: 2,
            memory_mib: 8192,
            architectures,
            enis: 3,
            ipv4_per_eni: 10,
            total_enis: 3,
            network_cards: 1,
            current_generation: true,
        }
    }

    #[test]
    fn the_instance_type_table_decodes_like_serde() {
        let text = include_str!("../../assets/instance-types.json");
        let by_serde = InstanceTypeTable::from_json(text).expect("serde parses the table");
        let decoded = instance_type_table(Json::parse(text).expect("JSON")).expect("decodes");
        assert_eq!(decoded, by_serde);
        assert!(decoded.types.len() > 1000);

        // Every hypervisor and architecture by its serde name.
        let rows = vec![
            limits(
                "a.x",
                Hypervisor::Nitro,
                vec![Architecture::X86_64, Architecture::I386],
            ),
            limits("b.x", Hypervisor::Xen, vec![Architecture::Arm64]),
            limits(
                "c.metal",
                Hypervisor::None,
                vec![Architecture::X86_64Mac, Architecture::Arm64Mac],
            ),
        ];
        let table = InstanceTypeTable::from_rows("test".into(), rows).expect("valid rows");
        assert_eq!(
            instance_type_table(json_of(&table)).expect("decodes"),
            table
        );
    }

    fn observed(full: bool) -> ObservedNodegroup {
        let some = |s: &str| full.then(|| s.to_string());
        ObservedNodegroup {
            cluster: "prod".into(),
            region: "eu-west-1".into(),
            nodegroup: "win-ng".into(),
            kind: full.then_some(NodegroupKind::SelfManaged),
            os: Os::Windows,
            kubernetes_version: some("1.31"),
            instance_type: "m5.large".into(),
            instance_types_seen: vec![InstanceTypeCount {
                instance_type: "m5.large".into(),
                nodes: 2,
            }],
            prefix_delegation: full,
            ip_mode_basis: "prefixes seen on the pod ENIs".into(),
            custom_networking: !full,
            kubelet_max_pods: full.then_some(110),
            windows_warm: WindowsWarmInput {
                warm_ip_target: full.then_some(3),
                minimum_ip_target: full.then_some(-1),
                warm_prefix_target: None,
            },
            linux_warm: LinuxWarmInput {
                warm_eni_target: full.then_some(1),
                warm_ip_target: None,
                minimum_ip_target: full.then_some(0),
                warm_prefix_target: full.then_some(2),
            },
            ipam: if full {
                Provenance::Observed
            } else {
                Provenance::Assumed
            },
            ipam_notes: if full { vec!["note".into()] } else { vec![] },
            pods_basis: if full {
                PodsBasis::EstimatedFromHeldIps
            } else {
                PodsBasis::NoNodes
            },
            nodes: vec![ObservedNode {
                instance_id: "i-0abc".into(),
                instance_type: "m5.large".into(),
                subnet_id: some("subnet-a"),
                held_ips: 9,
                prefixes: u32::from(full),
                pods: 6,
                pods_observed: full,
            }],
            subnets: vec![ObservedSubnet {
                state: SubnetState {
                    subnet_id: some("subnet-a"),
                    cidr: "10.0.0.0/24".into(),
                    allocated_ips: if full {
                        vec!["10.0.0.10".into()]
                    } else {
                        vec![]
                    },
                    allocated_prefixes: if full {
                        vec!["10.0.0.32/28".into()]
                    } else {
                        vec![]
                    },
                    reservations: if full {
                        vec![
                            CidrReservation {
                                reservation_id: some("scr-1"),
                                cidr: "10.0.0.128/28".into(),
                                reservation_type: ReservationType::Prefix,
                                description: some("for prefixes"),
                            },
                            CidrReservation {
                                reservation_id: None,
                                cidr: "10.0.0.200/29".into(),
                                reservation_type: ReservationType::Explicit,
                                description: None,
                            },
                        ]
                    } else {
                        vec![]
                    },
                },
                availability_zone: some("eu-west-1a"),
                available_ip_count: full.then_some(200),
                allocations_known: full,
                nodes_observed: 1,
                nodes_modelled: 1,
                own_addresses_removed: 25,
            }],
            scaling: full.then_some(Scaling {
                min_size: 1,
                max_size: 5,
                desired_size: 2,
            }),
            instance_type_limits: vec![limits(
                "m5.large",
                Hypervisor::Nitro,
                vec![Architecture::X86_64],
            )],
            notes: vec!["caveat".into()],
        }
    }

    #[test]
    fn an_observed_nodegroup_decodes_like_serde() {
        for full in [true, false] {
            let original = observed(full);
            assert_eq!(
                observed_nodegroup(json_of(&original)).expect("decodes"),
                original,
                "every field set: {full}"
            );
        }
        // Every variant of the enums it carries, by its serde name.
        for kind in [
            NodegroupKind::Managed,
            NodegroupKind::SelfManaged,
            NodegroupKind::Karpenter,
            NodegroupKind::Ungrouped,
        ] {
            for (basis, ipam) in [
                (PodsBasis::Observed, Provenance::Observed),
                (PodsBasis::EstimatedFromHeldIps, Provenance::Assumed),
                (PodsBasis::Partly, Provenance::Observed),
                (PodsBasis::NoNodes, Provenance::Assumed),
            ] {
                let mut group = observed(true);
                group.kind = Some(kind);
                group.pods_basis = basis;
                group.ipam = ipam;
                group.os = Os::Linux;
                assert_eq!(observed_nodegroup(json_of(&group)).expect("decodes"), group);
            }
        }
    }

    #[test]
    fn serde_defaults_and_null_options_are_accepted() {
        let mut value = serde_json::to_value(observed(false)).expect("serializes");
        let state = &mut value["subnets"][0]["state"];
        for key in [
            "subnet_id",
            "allocated_ips",
            "allocated_prefixes",
            "reservations",
        ] {
            state.as_object_mut().expect("object").remove(key);
        }
        value
            .as_object_mut()
            .expect("object")
            .remove("kubernetes_version");
        value["windows_warm"] = serde_json::json!({});
        let decoded = observed_nodegroup(Json::from_value(value)).expect("decodes");
        assert_eq!(decoded, observed(false));
    }

    #[test]
    fn bad_data_names_the_field_and_what_was_expected() {
        let good = serde_json::to_value(observed(true)).expect("serializes");
        type Break = Box<dyn Fn(&mut serde_json::Value)>;
        let cases: Vec<(Break, &str)> = vec![
            (
                Box::new(|v| {
                    v.as_object_mut().expect("object").remove("cluster");
                }),
                "cluster: expected a string",
            ),
            (
                Box::new(|v| v["nodes"][0]["held_ips"] = serde_json::json!(-1)),
                "nodes[0].held_ips: expected a whole number ≥ 0",
            ),
            (
                Box::new(|v| v["nodes"][0]["pods"] = serde_json::json!(2.5)),
                "nodes[0].pods: expected a whole number ≥ 0",
            ),
            (
                Box::new(|v| v["nodes"][0]["prefixes"] = serde_json::json!(5_000_000_000_u64)),
                "nodes[0].prefixes: expected a whole number below 2^32",
            ),
            (
                Box::new(|v| v["os"] = serde_json::json!("macos")),
                "os: expected windows or linux",
            ),
            (
                Box::new(|v| {
                    v["subnets"][0]["state"]["reservations"][1]["reservation_type"] =
                        serde_json::json!("other")
                }),
                "subnets[0].state.reservations[1].reservation_type: expected prefix or explicit",
            ),
            (
                Box::new(|v| v["nodes"] = serde_json::json!({"0": {}})),
                "nodes: expected an array",
            ),
            (
                Box::new(|v| v["windows_warm"]["warm_ip_target"] = serde_json::json!("3")),
                "windows_warm.warm_ip_target: expected a whole number",
            ),
            (
                Box::new(|v| {
                    v["instance_type_limits"][0]["architectures"][0] = serde_json::json!("sparc")
                }),
                "instance_type_limits[0].architectures[0]: expected x86_64, arm64, i386, x86_64_mac or arm64_mac",
            ),
            (
                Box::new(|v| *v = serde_json::json!([1, 2])),
                "(body): expected an object",
            ),
        ];
        for (break_it, message) in cases {
            let mut value = good.clone();
            break_it(&mut value);
            let error = observed_nodegroup(Json::from_value(value)).expect_err(message);
            assert_eq!(error.to_string(), message);
        }
        let error = instance_type_table(Json::from_value(serde_json::json!({"source": "x"})))
            .expect_err("no types");
        assert_eq!(error, "types: expected an array");
    }
}
