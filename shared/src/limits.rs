//! Instance-type ENI/IP limits: the model and a lookup table.
//!
//! Fields follow EC2 `DescribeInstanceTypes` (domain.md §7). The ENI count is always the one on the
//! **default network card** (`NetworkCards[DefaultNetworkCardIndex].MaximumNetworkInterfaces`), as the
//! VPC CNI generator (`scripts/gen_vpc_ip_limits.go`) and the max-pods calculator use it.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Hypervisor {
    Nitro,
    Xen,
    /// `Hypervisor` absent: bare metal.
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
pub enum Architecture {
    #[serde(rename = "x86_64")]
    X86_64,
    #[serde(rename = "arm64")]
    Arm64,
    #[serde(rename = "i386")]
    I386,
    #[serde(rename = "x86_64_mac")]
    X86_64Mac,
    #[serde(rename = "arm64_mac")]
    Arm64Mac,
}

/// One instance type's limits, as `DescribeInstanceTypes` reports them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstanceTypeLimits {
    pub instance_type: String,
    pub hypervisor: Hypervisor,
    pub bare_metal: bool,
    pub vcpus: u32,
    pub memory_mib: u64,
    pub architectures: Vec<Architecture>,
    /// `NetworkCards[DefaultNetworkCardIndex].MaximumNetworkInterfaces`.
    pub enis: u32,
    /// `NetworkInfo.Ipv4AddressesPerInterface`.
    pub ipv4_per_eni: u32,
    /// `NetworkInfo.MaximumNetworkInterfaces` (all cards).
    pub total_enis: u32,
    /// `NetworkInfo.MaximumNetworkCards`.
    pub network_cards: u32,
    pub current_generation: bool,
}

impl InstanceTypeLimits {
    /// VPC RC `pkg/utils/helper.go` `IsNitroInstance`: `Hypervisor == "nitro" || IsBareMetal`.
    pub fn is_nitro_or_bare_metal(&self) -> bool {
        self.hypervisor == Hypervisor::Nitro || self.bare_metal
    }

    /// Windows AMIs exist only for x86_64 (every Windows `amiType` is `_x86_64`).
    pub fn supports_windows(&self) -> bool {
        self.architectures.contains(&Architecture::X86_64)
    }

    /// The instance family (`m5` for `m5.large`).
    pub fn family(&self) -> &str {
        self.instance_type
            .split('.')
            .next()
            .unwrap_or(&self.instance_type)
    }
}

/// Error while loading an instance-type table.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum LimitsError {
    #[error("instance-type table is not valid JSON: {0}")]
    Parse(String),
    #[error("instance-type table has a bad row for {instance_type}: {reason}")]
    BadRow {
        instance_type: String,
        reason: String,
    },
}

/// A sorted, searchable set of instance types.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstanceTypeTable {
    /// Where the data came from (e.g. "DescribeInstanceTypes via moto 5.2.5, 2026-11-26").
    pub source: String,
    pub types: Vec<InstanceTypeLimits>,
}

impl InstanceTypeTable {
    /// Parse and validate the embedded or a user-supplied table (JSON of this struct).
    pub fn from_json(json: &str) -> Result<Self, LimitsError> {
        let table: InstanceTypeTable =
            serde_json::from_str(json).map_err(|e| LimitsError::Parse(e.to_string()))?;
        Self::from_rows(table.source, table.types)
    }

    /// A table from rows read some other way (the browser decodes them without serde's derive, see
    /// `frontend/src/decode.rs`): the same checks, sorted by name, one row per name.
    pub fn from_rows(
        source: String,
        mut types: Vec<InstanceTypeLimits>,
    ) -> Result<Self, LimitsError> {
        for row in &types {
            if row.ipv4_per_eni == 0 || row.enis == 0 {
                return Err(LimitsError::BadRow {
                    instance_type: row.instance_type.clone(),
                    reason: "ENIs and IPv4 per ENI must be at least 1".into(),
                });
            }
        }
        types.sort_by(|a, b| a.instance_type.cmp(&b.instance_type));
        types.dedup_by(|a, b| a.instance_type == b.instance_type);
        Ok(Self { source, types })
    }

    pub fn get(&self, instance_type: &str) -> Option<&InstanceTypeLimits> {
        self.types
            .binary_search_by(|t| t.instance_type.as_str().cmp(instance_type))
            .ok()
            .and_then(|i| self.types.get(i))
    }

    /// Merge types observed elsewhere (e.g. a snapshot's `instance_types`): they win over the table.
    pub fn merged_with(&self, observed: &[InstanceTypeLimits]) -> Self {
        let mut types = self.types.clone();
        for t in observed {
            match types.binary_search_by(|x| x.instance_type.cmp(&t.instance_type)) {
                Ok(i) => types[i] = t.clone(),
                Err(i) => types.insert(i, t.clone()),
            }
        }
        Self {
            source: self.source.clone(),
            types,
        }
    }

    /// Up to `limit` names for a "did you mean" message, closest first (edit distance): names of the same
    /// family (`m5.larg` → `m5.large` before `m5.12xlarge`), else names containing the text, else any
    /// name within a few edits (`m5large`, `m5.lrage`). The CLI, the API and the browser all use this.
    pub fn suggestions(&self, unknown: &str, limit: usize) -> Vec<&str> {
        let needle = unknown.trim().to_ascii_lowercase();
        // Longer than any instance-type name: nothing is close, and the distance would be costly.
        if needle.len() > 64 {
            return Vec::new();
        }
        let names = || self.types.iter().map(|t| t.instance_type.as_str());
        let family = needle.split('.').next().unwrap_or("");
        let mut candidates = rank(
            &needle,
            names().filter(|name| {
                !family.is_empty() && name.starts_with(family) && name.contains('.')
            }),
        );
        if candidates.is_empty() {
            candidates = rank(
                &needle,
                names().filter(|name| name.contains(needle.as_str())),
            );
        }
        if candidates.is_empty() {
            let max_distance = (needle.len() / 4).max(2);
            candidates = rank(&needle, names());
            candidates.retain(|(distance, _)| *distance <= max_distance);
        }
        candidates.sort();
        candidates
            .into_iter()
            .take(limit)
            .map(|(_, name)| name)
            .collect()
    }
}

/// Each name with its edit distance from `needle`.
fn rank<'t>(needle: &str, names: impl Iterator<Item = &'t str>) -> Vec<(usize, &'t str)> {
    names
        .map(|name| (edit_distance(needle, name), name))
        .collect()
}

/// Levenshtein distance over bytes (instance-type names are ASCII).
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, &ca) in a.iter().enumerate() {
        current[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

#[cfg(test)]
mod suggestion_tests {
    use super::*;

    fn table() -> InstanceTypeTable {
        InstanceTypeTable::from_json(include_str!("../../assets/instance-types.json"))
            .expect("table")
    }

    #[test]
    fn suggestions_put_the_likely_fix_first() {
        let table = table();
        assert_eq!(table.suggestions("m5.larg", 3).first(), Some(&"m5.large"));
        assert_eq!(table.suggestions("M5.LARGE ", 1), vec!["m5.large"]);
        assert_eq!(table.suggestions("m5large", 3).first(), Some(&"m5.large"));
        assert_eq!(table.suggestions("m5.lrage", 3).first(), Some(&"m5.large"));
        assert!(table.suggestions(&"x".repeat(10_000), 3).is_empty());
        assert!(table.suggestions("zzzzzzzzzzzz", 3).is_empty());
        assert_eq!(table.suggestions("m5.larg", 2).len(), 2);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
    }
}

#[cfg(test)]
pub(crate) mod fixtures {
    use super::*;

    /// A limits row for tests: `limits("m5.large", 3, 10, Hypervisor::Nitro, 2)`.
    pub fn limits(
        name: &str,
        enis: u32,
        ipv4_per_eni: u32,
        hypervisor: Hypervisor,
        vcpus: u32,
    ) -> InstanceTypeLimits {
        let arm = name.contains('g')
            && (name.starts_with("c6g") || name.starts_with("a1") || name.starts_with("m6g"));
        InstanceTypeLimits {
            instance_type: name.into(),
            hypervisor,
            bare_metal: name.ends_with(".metal"),
            vcpus,
            memory_mib: 8192,
            architectures: vec![if arm {
                Architecture::Arm64
            } else {
                Architecture::X86_64
            }],
            enis,
            ipv4_per_eni,
            total_enis: enis,
            network_cards: 1,
            current_generation: true,
        }
    }
}
