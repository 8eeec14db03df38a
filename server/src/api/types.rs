//! JSON shapes of the API (and of the CLI's `--output json`). The numbers inside come from `shared`
//! (`MaxPods`, `InstanceTypeLimits`) and are embedded, not copied, so there is one definition of each.

use serde::{Deserialize, Serialize};
use shared::maxpods::IpMode;
use shared::snapshot::SourceKind;
use shared::{InstanceTypeLimits, MaxPods};

/// `{"error": {...}}`: the body of every non-2xx API response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorResponse {
    pub error: ErrorBody,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// Stable machine code: `invalid_parameter`, `missing_parameter`, `unknown_instance_type`,
    /// `windows_needs_x86_64`, `invalid_body`, `route_not_found`, `method_not_allowed`, ...
    pub code: String,
    /// A sentence for humans that says what was wrong and what to do.
    pub message: String,
    /// The query parameter at fault, for `invalid_parameter` / `missing_parameter`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameter: Option<String>,
    /// "Did you mean" candidates, for unknown names.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suggestions: Vec<String>,
}

/// One element of `eniscope max-pods --output json` and of `GET /api/v1/max-pods`: the `shared`
/// result (`instance_type`, `os`, `mode`, `eni_max_pods`, `recommended_max_pods`, `ip_capacity`,
/// `warnings`, `explanation`) plus `explain`, its one-line form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MaxPodsReport {
    #[serde(flatten)]
    pub result: MaxPods,
    /// `MaxPods::explain()`: formula, caps and source on one line.
    pub explain: String,
}

impl From<MaxPods> for MaxPodsReport {
    fn from(result: MaxPods) -> Self {
        let explain = result.explain();
        Self { result, explain }
    }
}

/// `GET /api/v1/instance-types`. A superset of `shared::InstanceTypeTable`'s JSON (`source`, `types`),
/// so `InstanceTypeTable::from_json` reads it directly (the frontend does; extra fields are ignored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstanceTypeList {
    /// Where the table came from (the embedded table's `source`).
    pub source: String,
    pub count: usize,
    pub types: Vec<InstanceTypeSummary>,
}

/// One instance type: its limits (flattened) and the pods it fits on each OS, in both IP modes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstanceTypeSummary {
    #[serde(flatten)]
    pub limits: InstanceTypeLimits,
    /// Prefix delegation possible (Nitro or bare metal).
    pub nitro_or_bare_metal: bool,
    /// `null` when the type cannot run Windows (not x86_64).
    pub windows: Option<PodsByMode>,
    /// `null` only if the Linux math refused the type (it accepts every row of the table today).
    pub linux: Option<PodsByMode>,
}

/// Max pods with prefix delegation off and on (default kubelet max-pods, no custom networking).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PodsByMode {
    pub secondary_ip: PodsBrief,
    /// With prefix delegation requested; `mode` says `secondary-ip` when the type is Xen.
    pub prefix_delegation: PodsBrief,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PodsBrief {
    pub mode: IpMode,
    pub eni_max_pods: u32,
    pub recommended_max_pods: u32,
    pub ip_capacity: u32,
}

impl From<&MaxPods> for PodsBrief {
    fn from(result: &MaxPods) -> Self {
        Self {
            mode: result.mode,
            eni_max_pods: result.eni_max_pods,
            recommended_max_pods: result.recommended_max_pods,
            ip_capacity: result.ip_capacity,
        }
    }
}

/// `GET /readyz`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Readiness {
    pub ready: bool,
    pub instance_types: usize,
    /// The loaded snapshot, if any (`null` before the first scan or without `--demo`/`--snapshot`).
    pub snapshot: Option<SnapshotInfo>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotInfo {
    /// `demo`, `file` or `aws`.
    pub source_kind: SourceKind,
    pub source: String,
    /// When the data was collected (the snapshot's `collected_at`).
    pub collected_at: String,
    pub clusters: usize,
}
