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

    /// Up to `limit` closest names, for "did you mean" messages.
    pub fn suggestions(&self, unknown: &str, limit: usize) -> Vec<&str> {
        let needle = unknown.to_ascii_lowercase();
        let family = needle.split('.').next().unwrap_or("");
        let mut hits: Vec<&str> = self
            .types
            .iter()
            .map(|t| t.instance_type.as_str())
            .filter(|name| !family.is_empty() && name.starts_with(family) && name.contains('.'))
            .collect();
        if hits.is_empty() {
            hits = self
                .types
                .iter()
                .map(|t| t.instance_type.as_str())
                .filter(|name| name.contains(needle.as_str()))
                .collect();
        }
        hits.truncate(limit);
        hits
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
