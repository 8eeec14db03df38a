//! Warm pools: how many IPs and /28 prefixes a node holds for N pods.
//!
//! Windows: the VPC Resource Controller (domain.md §2). Settings come from the `kube-system/amazon-vpc-cni`
//! ConfigMap, parsed exactly as `pkg/config/loader.go ParseWinIPTargetConfigs` does, then normalised as
//! `pkg/pool/pool.go calculateSecondaryIPDeviation` / `getPDDeviation` do. Held IPs are the steady state
//! those deviations converge to.
//!
//! Linux: the VPC CNI's ipamd (domain.md §3.1), `WARM_ENI_TARGET`, `WARM_IP_TARGET`, `MINIMUM_IP_TARGET`,
//! `WARM_PREFIX_TARGET` from the `aws-node` environment.

use crate::explain::Explanation;
use crate::limits::InstanceTypeLimits;
use crate::maxpods::{
    IPS_PER_PREFIX, IpMode, Os, effective_mode, linux_ip_capacity, linux_pod_enis,
    windows_ip_capacity,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// VPC RC `pkg/config/loader.go`: secondary-IP defaults.
pub const WINDOWS_SECONDARY_DEFAULT_WARM_IP_TARGET: u64 = 3;
pub const WINDOWS_SECONDARY_DEFAULT_MINIMUM_IP_TARGET: u64 = 3;
/// VPC RC `pkg/config/loader.go`: prefix-delegation defaults.
pub const WINDOWS_PD_DEFAULT_WARM_IP_TARGET: u64 = 1;
pub const WINDOWS_PD_DEFAULT_MINIMUM_IP_TARGET: u64 = 3;
pub const WINDOWS_PD_DEFAULT_WARM_PREFIX_TARGET: u64 = 0;
/// VPC CNI README: `WARM_ENI_TARGET` defaults to 1.
pub const LINUX_DEFAULT_WARM_ENI_TARGET: u64 = 1;

/// ConfigMap keys (VPC RC `pkg/config/type.go`).
pub mod keys {
    pub const ENABLE_WINDOWS_IPAM: &str = "enable-windows-ipam";
    pub const ENABLE_WINDOWS_PREFIX_DELEGATION: &str = "enable-windows-prefix-delegation";
    pub const WARM_IP_TARGET: &str = "warm-ip-target";
    pub const MINIMUM_IP_TARGET: &str = "minimum-ip-target";
    pub const WARM_PREFIX_TARGET: &str = "warm-prefix-target";
    pub const WINDOWS_WARM_IP_TARGET: &str = "windows-warm-ip-target";
    pub const WINDOWS_MINIMUM_IP_TARGET: &str = "windows-minimum-ip-target";
    pub const WINDOWS_WARM_PREFIX_TARGET: &str = "windows-warm-prefix-target";
    /// `aws-node` environment variables (VPC CNI README).
    pub const ENV_WARM_ENI_TARGET: &str = "WARM_ENI_TARGET";
    pub const ENV_WARM_IP_TARGET: &str = "WARM_IP_TARGET";
    pub const ENV_MINIMUM_IP_TARGET: &str = "MINIMUM_IP_TARGET";
    pub const ENV_WARM_PREFIX_TARGET: &str = "WARM_PREFIX_TARGET";
    pub const ENV_ENABLE_PREFIX_DELEGATION: &str = "ENABLE_PREFIX_DELEGATION";
    pub const ENV_CUSTOM_NETWORK: &str = "AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG";
}

const SRC_WINDOWS_SECONDARY: &str =
    "VPC RC pkg/pool/pool.go calculateSecondaryIPDeviation, ReconcilePool";
const SRC_WINDOWS_PD: &str = "VPC RC pkg/pool/pool.go getPDDeviation, ReconcilePool";
const SRC_LINUX: &str =
    "VPC CNI docs/eni-and-ip-target.md, docs/prefix-and-ip-target.md; pkg/ipamd/ipamd.go";

/// Go `strconv.ParseBool`: 1, t, T, TRUE, true, True / 0, f, F, FALSE, false, False; anything else fails.
pub fn go_parse_bool(value: &str) -> Option<bool> {
    match value {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// Go `strconv.Atoi` on a 64-bit platform: optional sign, ASCII digits, no spaces. Out of range: Go
/// returns the clamped value *and* an error, and the controller keeps the value (it only logs).
fn go_atoi(value: &str) -> RawTarget {
    let digits = value.strip_prefix(['+', '-']).unwrap_or(value);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return RawTarget::Unparseable;
    }
    match value.parse::<i64>() {
        Ok(v) => RawTarget::Int(v),
        Err(_) if value.starts_with('-') => RawTarget::Int(i64::MIN),
        Err(_) => RawTarget::Int(i64::MAX),
    }
}

/// One target as read from the ConfigMap or a slider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RawTarget {
    Absent,
    Unparseable,
    Int(i64),
}

impl RawTarget {
    fn from_option(value: Option<i64>) -> Self {
        value.map_or(RawTarget::Absent, RawTarget::Int)
    }
}

/// Raw Windows warm targets, one `Option<i64>` per key (`None` = key absent). Slider values from the UI
/// and the URL arrive like this; the same rules as for the ConfigMap apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct WindowsWarmInput {
    #[serde(default)]
    pub warm_ip_target: Option<i64>,
    #[serde(default)]
    pub minimum_ip_target: Option<i64>,
    #[serde(default)]
    pub warm_prefix_target: Option<i64>,
}

impl WindowsWarmInput {
    pub fn is_empty(&self) -> bool {
        self.warm_ip_target.is_none()
            && self.minimum_ip_target.is_none()
            && self.warm_prefix_target.is_none()
    }
}

/// Windows warm targets after every default and override the controller applies, for one mode.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowsWarmSettings {
    /// The pool these targets drive: secondary IPs or /28 prefixes.
    pub mode: IpMode,
    /// Free IPs kept beyond use. `None` in PD mode when only warm-prefix applies.
    pub warm_ip_target: Option<u64>,
    /// Floor on total IPs. `None` in PD mode when only warm-prefix applies.
    pub minimum_ip_target: Option<u64>,
    /// Whole free /28 prefixes kept (PD only; `Some` only when it is the rule in force).
    pub warm_prefix_target: Option<u64>,
    /// Human notes: which values were defaulted or overridden and why.
    pub notes: Vec<String>,
}

impl WindowsWarmSettings {
    /// Settings from explicit slider values, with the ConfigMap rules applied for `mode`.
    pub fn from_input(input: &WindowsWarmInput, mode: IpMode) -> Self {
        resolve_windows(
            RawTarget::from_option(input.warm_ip_target),
            RawTarget::from_option(input.minimum_ip_target),
            RawTarget::from_option(input.warm_prefix_target),
            mode,
            Vec::new(),
        )
    }

    /// The controller's defaults for `mode` (no targets set).
    pub fn defaults(mode: IpMode) -> Self {
        Self::from_input(&WindowsWarmInput::default(), mode)
    }

    /// Which rule decides the number of prefixes (PD mode).
    pub fn uses_warm_prefix_rule(&self) -> bool {
        self.mode == IpMode::PrefixDelegation
            && self.warm_prefix_target.is_some()
            && self.warm_ip_target.is_none()
    }
}

/// `kube-system/amazon-vpc-cni` as the VPC Resource Controller reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowsIpamConfig {
    /// `enable-windows-ipam` parses as true (`pkg/condition/conditions.go IsWindowsIPAMEnabled`).
    pub windows_ipam_enabled: bool,
    /// `enable-windows-prefix-delegation` parses as true.
    pub prefix_delegation_key: bool,
    /// PD in effect: IPAM on, the PD key on (and the controller's `--enable-windows-prefix-delegation`
    /// flag, which is not visible from the cluster and is assumed on when the key is set).
    pub prefix_delegation_enabled: bool,
    /// The raw values after key precedence (legacy un-prefixed key wins), `None` = absent.
    pub input: WindowsWarmInput,
    /// Targets resolved for the mode the ConfigMap selects.
    pub settings: WindowsWarmSettings,
    /// Notes on the keys themselves (precedence, unparseable values), before the settings' notes.
    pub notes: Vec<String>,
}

fn read_key<'a>(
    data: &'a BTreeMap<String, String>,
    legacy: &str,
    windows: &str,
    notes: &mut Vec<String>,
) -> Option<(&'a str, String)> {
    // loader.go: the un-prefixed key is read first; the windows- key only if it is absent.
    match (data.get(legacy), data.get(windows)) {
        (Some(value), Some(other)) => {
            notes.push(format!(
                "both `{legacy}` ({value:?}) and `{windows}` ({other:?}) are set: the controller uses the legacy `{legacy}` (loader.go reads it first)"
            ));
            Some((value.as_str(), legacy.to_string()))
        }
        (Some(value), None) => Some((value.as_str(), legacy.to_string())),
        (None, Some(value)) => Some((value.as_str(), windows.to_string())),
        (None, None) => None,
    }
}

fn raw_from_key(
    found: Option<(&str, String)>,
    notes: &mut Vec<String>,
) -> (RawTarget, Option<i64>) {
    match found {
        None => (RawTarget::Absent, None),
        Some((value, key)) => match go_atoi(value) {
            RawTarget::Int(v) => (RawTarget::Int(v), Some(v)),
            _ => {
                notes.push(format!(
                    "`{key}` = {value:?} is not an integer: the controller treats it as 0"
                ));
                (RawTarget::Unparseable, Some(0))
            }
        },
    }
}

/// Parse the `amazon-vpc-cni` ConfigMap data (`None` if the ConfigMap has no data).
pub fn parse_windows_configmap(data: Option<&BTreeMap<String, String>>) -> WindowsIpamConfig {
    let Some(data) = data else {
        // loader.go: no data → secondary defaults; conditions.go: IPAM off.
        let mut settings = WindowsWarmSettings::defaults(IpMode::SecondaryIp);
        settings
            .notes
            .insert(0, "ConfigMap has no data: defaults apply".to_string());
        return WindowsIpamConfig {
            windows_ipam_enabled: false,
            prefix_delegation_key: false,
            prefix_delegation_enabled: false,
            input: WindowsWarmInput::default(),
            settings,
            notes: vec![format!(
                "`{}` is not set: the controller does not manage Windows pod IPs",
                keys::ENABLE_WINDOWS_IPAM
            )],
        };
    };
    let mut notes = Vec::new();
    let ipam = data
        .get(keys::ENABLE_WINDOWS_IPAM)
        .map(|v| (v, go_parse_bool(v)));
    let windows_ipam_enabled = matches!(ipam, Some((_, Some(true))));
    match ipam {
        None => notes.push(format!(
            "`{}` is not set: the controller does not manage Windows pod IPs",
            keys::ENABLE_WINDOWS_IPAM
        )),
        Some((value, None)) => notes.push(format!(
            "`{}` = {value:?} is not a boolean (use \"true\"): Windows IPAM is off",
            keys::ENABLE_WINDOWS_IPAM
        )),
        Some((_, Some(false))) => notes.push(format!(
            "`{}` is false: Windows IPAM is off",
            keys::ENABLE_WINDOWS_IPAM
        )),
        Some((_, Some(true))) => {}
    }
    let pd_value = data.get(keys::ENABLE_WINDOWS_PREFIX_DELEGATION);
    let prefix_delegation_key = pd_value.and_then(|v| go_parse_bool(v)).unwrap_or(false);
    if let Some(value) = pd_value
        && go_parse_bool(value).is_none()
    {
        notes.push(format!(
            "`{}` = {value:?} is not a boolean: the controller stays in secondary-IP mode",
            keys::ENABLE_WINDOWS_PREFIX_DELEGATION
        ));
    }
    let prefix_delegation_enabled = windows_ipam_enabled && prefix_delegation_key;
    if prefix_delegation_key && !windows_ipam_enabled {
        notes.push(
            "prefix delegation is set but Windows IPAM is off, so it has no effect".to_string(),
        );
    }
    if prefix_delegation_enabled {
        notes.push(
            "prefix delegation also needs the controller flag --enable-windows-prefix-delegation (set by EKS on supported platform versions; not visible from the cluster)"
                .to_string(),
        );
    }

    let warm_ip = read_key(
        data,
        keys::WARM_IP_TARGET,
        keys::WINDOWS_WARM_IP_TARGET,
        &mut notes,
    );
    let minimum_ip = read_key(
        data,
        keys::MINIMUM_IP_TARGET,
        keys::WINDOWS_MINIMUM_IP_TARGET,
        &mut notes,
    );
    let warm_prefix = read_key(
        data,
        keys::WARM_PREFIX_TARGET,
        keys::WINDOWS_WARM_PREFIX_TARGET,
        &mut notes,
    );
    let (warm_ip, warm_ip_value) = raw_from_key(warm_ip, &mut notes);
    let (minimum_ip, minimum_ip_value) = raw_from_key(minimum_ip, &mut notes);
    let (warm_prefix, warm_prefix_value) = raw_from_key(warm_prefix, &mut notes);
    // loader.go parses targets with the PD key alone (not the IPAM switch).
    let parse_mode = if prefix_delegation_key {
        IpMode::PrefixDelegation
    } else {
        IpMode::SecondaryIp
    };
    let settings = resolve_windows(warm_ip, minimum_ip, warm_prefix, parse_mode, Vec::new());
    WindowsIpamConfig {
        windows_ipam_enabled,
        prefix_delegation_key,
        prefix_delegation_enabled,
        input: WindowsWarmInput {
            warm_ip_target: warm_ip_value,
            minimum_ip_target: minimum_ip_value,
            warm_prefix_target: warm_prefix_value,
        },
        settings,
        notes,
    }
}

fn nonneg(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}

/// loader.go `ParseWinIPTargetConfigs`, then pool.go's normalisation for the mode.
fn resolve_windows(
    warm_ip: RawTarget,
    minimum_ip: RawTarget,
    warm_prefix: RawTarget,
    mode: IpMode,
    mut notes: Vec<String>,
) -> WindowsWarmSettings {
    let pd = mode == IpMode::PrefixDelegation;
    // --- loader.go ---
    let mut warm = match warm_ip {
        RawTarget::Absent | RawTarget::Unparseable => 0,
        RawTarget::Int(0) if !pd => {
            notes.push(
                "warm-ip-target 0 is not supported in secondary-IP mode (no on-demand allocation): the controller uses 1"
                    .to_string(),
            );
            1
        }
        RawTarget::Int(v) => v,
    };
    let mut minimum = match minimum_ip {
        RawTarget::Absent | RawTarget::Unparseable => 0,
        RawTarget::Int(v) => v,
    };
    let mut prefix = match warm_prefix {
        RawTarget::Int(v) if pd => v,
        _ => 0,
    };
    if !pd && matches!(warm_prefix, RawTarget::Int(_) | RawTarget::Unparseable) {
        notes.push("warm-prefix-target is ignored in secondary-IP mode".to_string());
    }
    if warm == 0 && minimum == 0 {
        if pd && prefix == 0 {
            warm = WINDOWS_PD_DEFAULT_WARM_IP_TARGET as i64;
            minimum = WINDOWS_PD_DEFAULT_MINIMUM_IP_TARGET as i64;
            prefix = WINDOWS_PD_DEFAULT_WARM_PREFIX_TARGET as i64;
            notes.push(
                "no warm target set (or all 0): PD defaults warm-ip-target 1, minimum-ip-target 3, warm-prefix-target 0"
                    .to_string(),
            );
        } else if !pd {
            warm = WINDOWS_SECONDARY_DEFAULT_WARM_IP_TARGET as i64;
            minimum = WINDOWS_SECONDARY_DEFAULT_MINIMUM_IP_TARGET as i64;
            notes.push("no warm target set (or both 0): secondary-IP defaults warm-ip-target 3, minimum-ip-target 3".to_string());
        }
    }

    if !pd {
        // --- pool.go calculateSecondaryIPDeviation ---
        if minimum < 0 {
            notes.push(format!(
                "minimum-ip-target {minimum} is negative: the controller uses the default 3"
            ));
            minimum = WINDOWS_SECONDARY_DEFAULT_MINIMUM_IP_TARGET as i64;
        }
        if warm < 0 {
            notes.push(format!(
                "warm-ip-target {warm} is negative: the controller uses the default 3"
            ));
            warm = WINDOWS_SECONDARY_DEFAULT_WARM_IP_TARGET as i64;
        }
        return WindowsWarmSettings {
            mode,
            warm_ip_target: Some(nonneg(warm)),
            minimum_ip_target: Some(nonneg(minimum)),
            warm_prefix_target: None,
            notes,
        };
    }

    // --- pool.go getPDDeviation: a target counts as set only when > 0 ---
    let warm_defined = warm > 0;
    let minimum_defined = minimum > 0;
    let prefix_defined = prefix > 0;
    for (name, value, defined) in [
        ("warm-ip-target", warm, warm_defined),
        ("minimum-ip-target", minimum, minimum_defined),
        ("warm-prefix-target", prefix, prefix_defined),
    ] {
        if value < 0 && !defined {
            notes.push(format!(
                "{name} {value} is ≤ 0: in PD mode that counts as not set"
            ));
        }
    }
    if !warm_defined && !minimum_defined && prefix_defined {
        if matches!(warm_ip, RawTarget::Int(_)) || matches!(minimum_ip, RawTarget::Int(_)) {
            notes.push("warm-ip-target and minimum-ip-target are not set (≤ 0): the warm-prefix rule applies".to_string());
        }
        return WindowsWarmSettings {
            mode,
            warm_ip_target: None,
            minimum_ip_target: None,
            warm_prefix_target: Some(nonneg(prefix)),
            notes,
        };
    }
    if !warm_defined {
        warm = WINDOWS_PD_DEFAULT_WARM_IP_TARGET as i64;
        if minimum_defined {
            notes.push("only minimum-ip-target is set: warm-ip-target defaults to 1".to_string());
        }
    }
    if !minimum_defined {
        minimum = WINDOWS_PD_DEFAULT_MINIMUM_IP_TARGET as i64;
        if warm_defined {
            notes.push("only warm-ip-target is set: minimum-ip-target defaults to 3".to_string());
        }
    }
    if prefix_defined {
        notes.push(format!(
            "warm-prefix-target {prefix} is ignored because warm-ip-target/minimum-ip-target take precedence"
        ));
    }
    WindowsWarmSettings {
        mode,
        warm_ip_target: Some(nonneg(warm)),
        minimum_ip_target: Some(nonneg(minimum)),
        warm_prefix_target: None,
        notes,
    }
}

/// Raw Linux `aws-node` targets, one `Option<i64>` per variable (`None` = not set: the shipped
/// manifest values apply, `WARM_ENI_TARGET=1`, `WARM_PREFIX_TARGET=1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct LinuxWarmInput {
    #[serde(default)]
    pub warm_eni_target: Option<i64>,
    #[serde(default)]
    pub warm_ip_target: Option<i64>,
    #[serde(default)]
    pub minimum_ip_target: Option<i64>,
    #[serde(default)]
    pub warm_prefix_target: Option<i64>,
}

impl LinuxWarmInput {
    pub fn is_empty(&self) -> bool {
        self.warm_eni_target.is_none()
            && self.warm_ip_target.is_none()
            && self.minimum_ip_target.is_none()
            && self.warm_prefix_target.is_none()
    }
}

/// VPC CNI `config/master/aws-k8s-cni.yaml` and the Helm chart ship `WARM_PREFIX_TARGET=1`; ipamd's
/// built-in default when the variable is absent is 0 (`ipamd.go defaultWarmPrefixTarget`).
pub const LINUX_MANIFEST_WARM_PREFIX_TARGET: u64 = 1;

/// Linux targets as ipamd uses them (`pkg/ipamd/ipamd.go getWarmENITarget`, `getWarmIPTarget`,
/// `getMinimumIPTarget`, `getWarmPrefixTarget`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinuxWarmSettings {
    pub warm_eni_target: u64,
    /// `None` = not set (ipamd treats 0 as not set: `noWarmIPTarget = 0`).
    pub warm_ip_target: Option<u64>,
    pub minimum_ip_target: Option<u64>,
    pub warm_prefix_target: u64,
    pub notes: Vec<String>,
}

impl LinuxWarmSettings {
    /// Apply ipamd's rules to raw values.
    pub fn from_input(input: &LinuxWarmInput) -> Self {
        let mut notes = Vec::new();
        // getWarmIPTarget / getMinimumIPTarget: values < 0 are ignored; 0 is the "not set" marker.
        let ip_target = |name: &str, value: Option<i64>, notes: &mut Vec<String>| match value {
            Some(v) if v > 0 => Some(nonneg(v)),
            Some(0) | None => None,
            Some(v) => {
                notes.push(format!(
                    "{name}={v} is negative: ipamd ignores it (not set)"
                ));
                None
            }
        };
        let warm_ip_target = ip_target(keys::ENV_WARM_IP_TARGET, input.warm_ip_target, &mut notes);
        let minimum_ip_target = ip_target(
            keys::ENV_MINIMUM_IP_TARGET,
            input.minimum_ip_target,
            &mut notes,
        );
        let warm_eni_target = match input.warm_eni_target {
            Some(v) if v >= 0 => nonneg(v),
            Some(v) => {
                notes.push(format!(
                    "WARM_ENI_TARGET={v} is negative: ipamd uses the default 1"
                ));
                LINUX_DEFAULT_WARM_ENI_TARGET
            }
            None => LINUX_DEFAULT_WARM_ENI_TARGET,
        };
        let warm_prefix_target = match input.warm_prefix_target {
            Some(v) if v >= 0 => nonneg(v),
            Some(v) => {
                notes.push(format!(
                    "WARM_PREFIX_TARGET={v} is negative: ipamd uses its built-in default 0"
                ));
                0
            }
            None => LINUX_MANIFEST_WARM_PREFIX_TARGET,
        };
        if warm_ip_target.is_some() || minimum_ip_target.is_some() {
            notes.push(
                "WARM_IP_TARGET/MINIMUM_IP_TARGET set: they override WARM_ENI_TARGET and WARM_PREFIX_TARGET".to_string(),
            );
        }
        Self {
            warm_eni_target,
            warm_ip_target,
            minimum_ip_target,
            warm_prefix_target,
            notes,
        }
    }

    /// The shipped manifest's values (WARM_ENI_TARGET=1, WARM_PREFIX_TARGET=1, no IP targets).
    pub fn defaults() -> Self {
        Self::from_input(&LinuxWarmInput::default())
    }
}

/// Parse the `aws-node` container env as ipamd does. Absent `WARM_PREFIX_TARGET` means ipamd's
/// built-in 0; unparseable values fall back the way each getter does.
pub fn parse_linux_env(env: &BTreeMap<String, String>) -> (LinuxWarmInput, Vec<String>) {
    let mut notes = Vec::new();
    let mut read = |key: &str, fallback: Option<i64>, fallback_text: &str| match env.get(key) {
        None => fallback,
        Some(value) => match go_atoi(value) {
            RawTarget::Int(v) => Some(v),
            _ => {
                notes.push(format!(
                    "{key}={value:?} is not an integer: ipamd uses {fallback_text}"
                ));
                fallback
            }
        },
    };
    let warm_eni_target = read(keys::ENV_WARM_ENI_TARGET, None, "the default 1");
    let warm_ip_target = read(keys::ENV_WARM_IP_TARGET, None, "no target");
    let minimum_ip_target = read(keys::ENV_MINIMUM_IP_TARGET, None, "no target");
    let warm_prefix_target = read(keys::ENV_WARM_PREFIX_TARGET, Some(0), "its built-in 0");
    if !env.contains_key(keys::ENV_WARM_PREFIX_TARGET) {
        notes.push("WARM_PREFIX_TARGET is absent: ipamd's built-in default 0 applies (the shipped manifest sets 1)".to_string());
    }
    (
        LinuxWarmInput {
            warm_eni_target,
            warm_ip_target,
            minimum_ip_target,
            warm_prefix_target,
        },
        notes,
    )
}

/// The rule that decides how many addresses a pool keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "kebab-case")]
pub enum PoolRule {
    /// Secondary IPs: `max(used + warm_ip, minimum_ip)` (VPC RC calculateSecondaryIPDeviation;
    /// ipamd datastoreTargetState).
    WarmIps {
        warm_ip_target: u64,
        minimum_ip_target: u64,
    },
    /// Whole ENIs of secondary IPs, every slot filled: grow while free IPs < warm_eni × slots
    /// (ipamd isDatastorePoolTooLow) → `max(ceil(used / slots) + warm_eni, floor(used / slots) + 1)` ENIs.
    WarmEnis { warm_eni_target: u64 },
    /// Prefixes: `max(ceil((used + warm_ip) / 16), ceil(minimum_ip / 16))` (VPC RC getPDDeviation;
    /// ipamd datastoreTargetState).
    PrefixesForIps {
        warm_ip_target: u64,
        minimum_ip_target: u64,
    },
    /// Prefixes with `warm_prefix` whole free prefixes: `max(ceil(used / 16) + warm_prefix,
    /// floor(used / 16) + 1)` (the second term: ipamd also grows when no IP at all is free).
    WarmPrefixes { warm_prefix_target: u64 },
}

/// What a node holds for its pods: plain numbers, cheap to compute per node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct HeldCounts {
    /// Pods using a VPC IP, capped at `ip_capacity` (the rest cannot start).
    pub used_ips: u32,
    /// ENIs attached (Windows: always 1; Linux custom networking includes the primary ENI).
    pub enis: u32,
    /// Pod IPs allocated to the node: secondary IPs, or 16 per prefix.
    pub held_ips: u32,
    /// /28 prefixes allocated (0 in secondary-IP mode).
    pub held_prefixes: u32,
    /// Held but unused: `held_ips − used_ips`.
    pub warm_ips: u32,
    /// Subnet addresses the node consumes: one primary IP per ENI plus `held_ips`.
    pub subnet_ips: u32,
}

/// A node's warm pool, prepared once per instance type and settings; `held()` is then integer math.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WarmPool {
    pub os: Os,
    /// Mode in effect on this instance type (PD on Xen falls back to secondary-IP).
    pub mode: IpMode,
    pub rule: PoolRule,
    /// Pod IPs the node can hold at most.
    pub ip_capacity: u32,
    /// ENIs that carry pod IPs.
    pub pod_enis: u32,
    /// Secondary-IP or prefix slots per ENI: IPv4 per ENI − 1.
    pub slots_per_eni: u32,
    /// ENIs attached that carry no pod IPs (Linux custom networking: the primary ENI).
    pub extra_enis: u32,
    /// Linux: ipamd stops growing the pool once it holds this many IPs, the node's `pods` capacity
    /// (kubelet max-pods; `isDatastorePoolTooLow`: "If max pods has been reached, pool is not too low").
    pub growth_stops_at_ips: Option<u32>,
    /// Defaults/overrides applied, for the explain panel.
    pub notes: Vec<String>,
}

/// Result of `WarmPool::explain_held`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldAddresses {
    pub mode: IpMode,
    pub ip_capacity: u32,
    #[serde(flatten)]
    pub counts: HeldCounts,
    pub explanation: Explanation,
}

fn clamp_u32(value: u64) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

/// Units a pool wants, before caps: (units, unit size in IPs).
fn wanted_units(rule: PoolRule, used: u64, slots_per_eni: u64) -> (u64, u64) {
    let per_prefix = u64::from(IPS_PER_PREFIX);
    match rule {
        PoolRule::WarmIps {
            warm_ip_target,
            minimum_ip_target,
        } => (
            used.saturating_add(warm_ip_target).max(minimum_ip_target),
            1,
        ),
        PoolRule::WarmEnis { warm_eni_target } => {
            let enis = (used.div_ceil(slots_per_eni).saturating_add(warm_eni_target))
                .max(used / slots_per_eni + 1);
            (enis, slots_per_eni)
        }
        PoolRule::PrefixesForIps {
            warm_ip_target,
            minimum_ip_target,
        } => {
            let for_warm = used.saturating_add(warm_ip_target).div_ceil(per_prefix);
            (
                for_warm.max(minimum_ip_target.div_ceil(per_prefix)),
                per_prefix,
            )
        }
        PoolRule::WarmPrefixes { warm_prefix_target } => {
            let prefixes = (used.div_ceil(per_prefix).saturating_add(warm_prefix_target))
                .max(used / per_prefix + 1);
            (prefixes, per_prefix)
        }
    }
}

impl WarmPool {
    /// Windows: the VPC RC pool for `settings.mode`. On a Xen type the controller stays in
    /// secondary-IP mode, and that pool keeps its built-in defaults 3/3 (loader.go copies ConfigMap
    /// targets only into the pool of the configured mode).
    pub fn windows(limits: &InstanceTypeLimits, settings: &WindowsWarmSettings) -> Self {
        let mode = effective_mode(limits, settings.mode == IpMode::PrefixDelegation);
        let mut notes = settings.notes.clone();
        let fallback;
        let settings = if mode == settings.mode {
            settings
        } else {
            notes.push(format!(
                "{} is not Nitro: the controller keeps secondary-IP mode with its default targets 3/3",
                limits.instance_type
            ));
            fallback = WindowsWarmSettings::defaults(IpMode::SecondaryIp);
            &fallback
        };
        let rule = match mode {
            IpMode::SecondaryIp => PoolRule::WarmIps {
                warm_ip_target: settings
                    .warm_ip_target
                    .unwrap_or(WINDOWS_SECONDARY_DEFAULT_WARM_IP_TARGET),
                minimum_ip_target: settings
                    .minimum_ip_target
                    .unwrap_or(WINDOWS_SECONDARY_DEFAULT_MINIMUM_IP_TARGET),
            },
            IpMode::PrefixDelegation if settings.uses_warm_prefix_rule() => {
                PoolRule::WarmPrefixes {
                    warm_prefix_target: settings.warm_prefix_target.unwrap_or(0),
                }
            }
            IpMode::PrefixDelegation => PoolRule::PrefixesForIps {
                warm_ip_target: settings
                    .warm_ip_target
                    .unwrap_or(WINDOWS_PD_DEFAULT_WARM_IP_TARGET),
                minimum_ip_target: settings
                    .minimum_ip_target
                    .unwrap_or(WINDOWS_PD_DEFAULT_MINIMUM_IP_TARGET),
            },
        };
        WarmPool {
            os: Os::Windows,
            mode,
            rule,
            ip_capacity: windows_ip_capacity(limits, mode),
            pod_enis: 1,
            slots_per_eni: limits.ipv4_per_eni.saturating_sub(1),
            extra_enis: 0,
            growth_stops_at_ips: None,
            notes,
        }
    }

    /// Linux: the VPC CNI ipamd pool. `kubelet_max_pods` is the node's `pods` capacity, which stops
    /// the pool from growing further.
    pub fn linux(
        limits: &InstanceTypeLimits,
        settings: &LinuxWarmSettings,
        prefix_delegation: bool,
        custom_networking: bool,
        kubelet_max_pods: u32,
    ) -> Self {
        let mode = effective_mode(limits, prefix_delegation);
        let mut notes = settings.notes.clone();
        // ipamd warmIPTargetsDefined: WARM_IP_TARGET or MINIMUM_IP_TARGET non-zero.
        let ip_rule = settings.warm_ip_target.is_some() || settings.minimum_ip_target.is_some();
        let rule = match (mode, ip_rule) {
            (IpMode::SecondaryIp, true) => PoolRule::WarmIps {
                warm_ip_target: settings.warm_ip_target.unwrap_or(0),
                minimum_ip_target: settings.minimum_ip_target.unwrap_or(0),
            },
            (IpMode::SecondaryIp, false) => PoolRule::WarmEnis {
                warm_eni_target: settings.warm_eni_target,
            },
            (IpMode::PrefixDelegation, true) => PoolRule::PrefixesForIps {
                warm_ip_target: settings.warm_ip_target.unwrap_or(0),
                minimum_ip_target: settings.minimum_ip_target.unwrap_or(0),
            },
            (IpMode::PrefixDelegation, false) => PoolRule::WarmPrefixes {
                warm_prefix_target: settings.warm_prefix_target,
            },
        };
        match rule {
            PoolRule::WarmEnis { warm_eni_target: 0 } => notes.push(
                "WARM_ENI_TARGET=0: ipamd attaches a new ENI only when no IP is free".to_string(),
            ),
            PoolRule::WarmPrefixes { warm_prefix_target: 0 } => notes.push(
                "WARM_PREFIX_TARGET=0 with no IP targets is not supported with prefix delegation (VPC CNI docs): ipamd adds a prefix only when no IP is free".to_string(),
            ),
            _ => {}
        }
        if prefix_delegation && mode == IpMode::SecondaryIp {
            notes.push(format!(
                "{} is not Nitro: ipamd falls back to secondary-IP mode, so WARM_ENI_TARGET/WARM_IP_TARGET apply",
                limits.instance_type
            ));
        }
        WarmPool {
            os: Os::Linux,
            mode,
            rule,
            ip_capacity: linux_ip_capacity(limits, mode, custom_networking),
            pod_enis: linux_pod_enis(limits, custom_networking),
            slots_per_eni: limits.ipv4_per_eni.saturating_sub(1),
            extra_enis: u32::from(custom_networking),
            growth_stops_at_ips: Some(kubelet_max_pods),
            notes,
        }
    }

    /// /28 prefixes the node can hold: capacity / 16.
    pub fn prefix_capacity(&self) -> u32 {
        match self.mode {
            IpMode::SecondaryIp => 0,
            IpMode::PrefixDelegation => self.ip_capacity / IPS_PER_PREFIX,
        }
    }

    /// Steady state for `pods` IP-consuming pods. No allocation; cheap enough for 10,000 nodes per frame.
    pub fn held(&self, pods: u32) -> HeldCounts {
        self.held_with_caps(pods).0
    }

    /// (counts, the rule's raw wish in units, the unit size, which cap bit).
    fn held_with_caps(&self, pods: u32) -> (HeldCounts, u64, u64, HeldCap) {
        let used = pods.min(self.ip_capacity);
        let used64 = u64::from(used);
        let slots = u64::from(self.slots_per_eni.max(1));
        let (wanted, unit) = wanted_units(self.rule, used64, slots);
        // Units the node can hold at all.
        let max_units = match self.rule {
            PoolRule::WarmIps { .. } => u64::from(self.ip_capacity),
            PoolRule::WarmEnis { .. } => u64::from(self.pod_enis),
            _ => u64::from(self.prefix_capacity()),
        };
        let mut units = wanted.min(max_units);
        let mut cap = if wanted > max_units {
            HeldCap::Capacity
        } else {
            HeldCap::None
        };
        if let Some(stop) = self.growth_stops_at_ips {
            // Growth happens one unit at a time while the pool holds fewer than `stop` IPs; the units
            // the pods already use are always kept.
            let stop_units = u64::from(stop).div_ceil(unit).max(used64.div_ceil(unit));
            if units > stop_units {
                units = stop_units;
                cap = HeldCap::KubeletMaxPods;
            }
        }
        let held_ips = clamp_u32(units.saturating_mul(unit).min(u64::from(self.ip_capacity)));
        let held_prefixes = match self.rule {
            PoolRule::PrefixesForIps { .. } | PoolRule::WarmPrefixes { .. } => clamp_u32(units),
            _ => 0,
        };
        // ENIs needed for the slots in use (IPs or prefixes); a node always has its primary ENI.
        let slots_used = if self.mode == IpMode::PrefixDelegation {
            held_prefixes
        } else {
            held_ips
        };
        let pod_enis = if self.pod_enis == 0 {
            0
        } else {
            slots_used
                .div_ceil(self.slots_per_eni.max(1))
                .clamp(1, self.pod_enis)
        };
        let enis = (pod_enis + self.extra_enis).max(1);
        let counts = HeldCounts {
            used_ips: used,
            enis,
            held_ips,
            held_prefixes,
            warm_ips: held_ips - used.min(held_ips),
            subnet_ips: held_ips.saturating_add(enis),
        };
        (counts, wanted, unit, cap)
    }

    /// `held()` plus the explanation for the UI.
    pub fn explain_held(&self, pods: u32) -> HeldAddresses {
        let (counts, wanted, _unit, cap) = self.held_with_caps(pods);
        let used = counts.used_ips;
        let capacity = self.ip_capacity;
        let (formula, source) = match self.rule {
            PoolRule::WarmIps {
                warm_ip_target: w,
                minimum_ip_target: m,
            } => (
                format!(
                    "max(used {used} + warm {w}, minimum {m}) = {wanted} → {} IPs held",
                    counts.held_ips
                ),
                if self.os == Os::Windows {
                    SRC_WINDOWS_SECONDARY
                } else {
                    SRC_LINUX
                },
            ),
            PoolRule::WarmEnis { warm_eni_target: w } => {
                let slots = self.slots_per_eni.max(1);
                (
                    format!(
                        "max(ceil(used {used} / {slots}) + warm ENIs {w}, floor(used / {slots}) + 1) = {wanted} ENIs → {} IPs held",
                        counts.held_ips
                    ),
                    SRC_LINUX,
                )
            }
            PoolRule::PrefixesForIps {
                warm_ip_target: w,
                minimum_ip_target: m,
            } => (
                format!(
                    "max(ceil((used {used} + warm {w}) / 16), ceil(minimum {m} / 16)) = {wanted} → {} prefixes = {} IPs",
                    counts.held_prefixes, counts.held_ips
                ),
                if self.os == Os::Windows {
                    SRC_WINDOWS_PD
                } else {
                    SRC_LINUX
                },
            ),
            PoolRule::WarmPrefixes {
                warm_prefix_target: w,
            } => (
                format!(
                    "max(ceil(used {used} / 16) + warm prefixes {w}, floor(used / 16) + 1) = {wanted} → {} prefixes = {} IPs",
                    counts.held_prefixes, counts.held_ips
                ),
                if self.os == Os::Windows {
                    SRC_WINDOWS_PD
                } else {
                    SRC_LINUX
                },
            ),
        };
        let mut explanation = Explanation::new(formula, source)
            .input("pods using a VPC IP", used)
            .input("pod IP capacity", capacity)
            .input("ENIs attached", counts.enis);
        match cap {
            HeldCap::None => {}
            HeldCap::Capacity => {
                explanation = explanation.cap(match self.rule {
                    PoolRule::WarmIps { .. } => format!("capped at the node's {capacity} pod IPs"),
                    PoolRule::WarmEnis { .. } => format!("capped at {} ENIs", self.pod_enis),
                    _ => format!(
                        "capped at {} prefixes (pod IP capacity / 16)",
                        self.prefix_capacity()
                    ),
                });
            }
            HeldCap::KubeletMaxPods => {
                explanation = explanation.cap(format!(
                    "ipamd stops growing the pool once it holds the node's max-pods ({}) IPs",
                    self.growth_stops_at_ips.unwrap_or(0)
                ));
            }
        }
        if pods > capacity {
            explanation = explanation.cap(format!(
                "{pods} pods requested but only {capacity} pod IPs: the rest cannot start"
            ));
        }
        for note in &self.notes {
            explanation = explanation.cap(note.clone());
        }
        HeldAddresses {
            mode: self.mode,
            ip_capacity: capacity,
            counts,
            explanation,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HeldCap {
    None,
    Capacity,
    KubeletMaxPods,
}

/// Windows node with `pods` IP-consuming pods (convenience over `WarmPool::windows`).
pub fn windows_held(
    limits: &InstanceTypeLimits,
    settings: &WindowsWarmSettings,
    pods: u32,
) -> HeldAddresses {
    WarmPool::windows(limits, settings).explain_held(pods)
}

/// Linux node with `pods` IP-consuming pods (convenience over `WarmPool::linux`).
pub fn linux_held(
    limits: &InstanceTypeLimits,
    settings: &LinuxWarmSettings,
    prefix_delegation: bool,
    custom_networking: bool,
    kubelet_max_pods: u32,
    pods: u32,
) -> HeldAddresses {
    WarmPool::linux(
        limits,
        settings,
        prefix_delegation,
        custom_networking,
        kubelet_max_pods,
    )
    .explain_held(pods)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::Hypervisor::{Nitro, Xen};
    use crate::limits::fixtures::limits;

    fn m5_large() -> InstanceTypeLimits {
        limits("m5.large", 3, 10, Nitro, 2)
    }
    fn m5_4xlarge() -> InstanceTypeLimits {
        limits("m5.4xlarge", 8, 30, Nitro, 16)
    }
    fn t3_small() -> InstanceTypeLimits {
        limits("t3.small", 3, 4, Nitro, 2)
    }
    fn p3dn() -> InstanceTypeLimits {
        limits("p3dn.24xlarge", 15, 50, Nitro, 96)
    }
    fn data(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }
    fn win(
        mode: IpMode,
        warm: Option<i64>,
        min: Option<i64>,
        prefix: Option<i64>,
    ) -> WindowsWarmSettings {
        let input = WindowsWarmInput {
            warm_ip_target: warm,
            minimum_ip_target: min,
            warm_prefix_target: prefix,
        };
        WindowsWarmSettings::from_input(&input, mode)
    }

    /// VPC RC docs/windows/secondary_ip_mode_config_options.md "Examples" table, every row:
    /// (windows-warm-ip-target, windows-minimum-ip-target, running pods) → (total allocated IPs, warm IPs).
    /// m5.4xlarge (29 pod IPs) so no row hits the capacity cap.
    #[test]
    fn vpc_rc_secondary_ip_doc_table() {
        let rows = [
            (1, 0, 0, 1, 1),
            (1, 0, 5, 6, 1),
            (5, 0, 0, 5, 5),
            (1, 1, 0, 1, 1),
            (1, 1, 1, 2, 1),
            (1, 3, 3, 4, 1),
            (1, 3, 5, 6, 1),
            (5, 10, 0, 10, 10),
            (10, 10, 0, 10, 10),
            (10, 10, 10, 20, 10),
            (15, 10, 10, 25, 15),
        ];
        for (warm, min, pods, total, warm_ips) in rows {
            let settings = win(IpMode::SecondaryIp, Some(warm), Some(min), None);
            let held = windows_held(&m5_4xlarge(), &settings, pods);
            assert_eq!(
                (held.counts.held_ips, held.counts.warm_ips),
                (total, warm_ips),
                "row {warm},{min},{pods}"
            );
            assert_eq!(held.counts.held_prefixes, 0);
        }
    }

    /// domain.md §2.2: (warm, min, pods → total) and the 3/3 defaults, capped at 9 on m5.large.
    #[test]
    fn domain_2_2_secondary_vectors() {
        for (warm, min, pods, total) in [
            (1, 0, 5, 6),
            (5, 10, 0, 10),
            (10, 10, 10, 20),
            (15, 10, 10, 25),
            (1, 3, 3, 4),
        ] {
            let held = windows_held(
                &m5_4xlarge(),
                &win(IpMode::SecondaryIp, Some(warm), Some(min), None),
                pods,
            );
            assert_eq!(held.counts.held_ips, total, "{warm},{min},{pods}");
        }
        let defaults = WindowsWarmSettings::defaults(IpMode::SecondaryIp);
        assert_eq!(
            (defaults.warm_ip_target, defaults.minimum_ip_target),
            (Some(3), Some(3))
        );
        let m5 = m5_large();
        assert_eq!(windows_held(&m5, &defaults, 0).counts.held_ips, 3);
        for pods in 0..=6 {
            assert_eq!(
                windows_held(&m5, &defaults, pods).counts.held_ips,
                pods + 3,
                "{pods} pods"
            );
        }
        for pods in 6..=20 {
            assert_eq!(
                windows_held(&m5, &defaults, pods).counts.held_ips,
                9,
                "{pods} pods: capped at capacity 9"
            );
        }
        let capped = windows_held(&m5, &defaults, 8);
        assert!(
            capped
                .explanation
                .caps
                .iter()
                .any(|c| c.contains("capped at the node's 9")),
            "{:?}",
            capped.explanation
        );
        // domain.md §1.3: an idle m5.large uses 1 + 3 = 4 subnet addresses; with PD 1 + 16 = 17.
        assert_eq!(windows_held(&m5, &defaults, 0).counts.subnet_ips, 4);
        let pd = WindowsWarmSettings::defaults(IpMode::PrefixDelegation);
        assert_eq!(windows_held(&m5, &pd, 0).counts.subnet_ips, 17);
    }

    /// VPC RC docs/windows/prefix_delegation_config_options.md "Examples" table, every row:
    /// (warm-prefix-target, warm-ip-target, minimum-ip-target, pods) → (attached prefixes, unused
    /// prefixes, unused IPs). `None` = "-" (not set). m5.large: 9 prefix slots.
    #[test]
    fn vpc_rc_prefix_delegation_doc_table() {
        type Row = (Option<i64>, Option<i64>, Option<i64>, u32, u32, u32, u32);
        let rows: [Row; 23] = [
            (None, None, None, 0, 1, 1, 16),
            (None, None, None, 15, 1, 0, 1),
            (None, None, None, 16, 2, 1, 16),
            (Some(1), None, None, 0, 1, 1, 16),
            (Some(3), None, None, 0, 3, 3, 48),
            (Some(1), None, None, 5, 2, 1, 27),
            (Some(1), None, None, 17, 3, 1, 31),
            (None, None, Some(1), 0, 1, 1, 16),
            (None, None, Some(1), 5, 1, 0, 11),
            (None, None, Some(1), 15, 1, 0, 1),
            (None, None, Some(1), 16, 2, 1, 16),
            (None, Some(5), None, 0, 1, 1, 16),
            (None, Some(5), None, 5, 1, 0, 11),
            (None, Some(5), None, 11, 1, 0, 5),
            (None, Some(5), None, 12, 2, 1, 20),
            (None, Some(1), Some(1), 0, 1, 1, 16),
            (None, Some(1), Some(1), 5, 1, 0, 11),
            (None, Some(1), Some(1), 17, 2, 0, 15),
            (None, Some(3), Some(1), 14, 2, 1, 18),
            (None, Some(7), Some(20), 0, 2, 2, 32),
            (None, Some(7), Some(20), 5, 2, 1, 27),
            (None, Some(7), Some(20), 17, 2, 0, 15),
            (None, Some(7), Some(20), 26, 3, 1, 22),
        ];
        for (prefix, warm, min, pods, attached, unused_prefixes, unused_ips) in rows {
            let settings = win(IpMode::PrefixDelegation, warm, min, prefix);
            let held = windows_held(&m5_large(), &settings, pods);
            let c = held.counts;
            // New IPs come from the prefix with the fewest free IPs (prefix_delegation_hld_workflow.md),
            // so pods pack into ceil(pods / 16) prefixes and the rest are whole free prefixes.
            let free_prefixes = c.held_prefixes - pods.div_ceil(16);
            assert_eq!(
                (c.held_prefixes, free_prefixes, c.warm_ips),
                (attached, unused_prefixes, unused_ips),
                "row {prefix:?},{warm:?},{min:?},{pods}"
            );
            assert_eq!(c.held_ips, attached * 16);
        }
    }

    /// domain.md §2.3 vectors and the capacity cap (doc: 14 slots, warm-prefix 20 → 14 prefixes).
    #[test]
    fn domain_2_3_pd_vectors_and_cap() {
        let defaults = WindowsWarmSettings::defaults(IpMode::PrefixDelegation);
        assert_eq!(
            (
                defaults.warm_ip_target,
                defaults.minimum_ip_target,
                defaults.warm_prefix_target
            ),
            (Some(1), Some(3), None)
        );
        for pods in 0..=15 {
            assert_eq!(
                windows_held(&m5_large(), &defaults, pods)
                    .counts
                    .held_prefixes,
                1,
                "{pods}"
            );
        }
        assert_eq!(
            windows_held(&m5_large(), &defaults, 16)
                .counts
                .held_prefixes,
            2
        );
        let warm_prefix = win(IpMode::PrefixDelegation, None, None, Some(1));
        assert_eq!(
            windows_held(&m5_large(), &warm_prefix, 17)
                .counts
                .held_prefixes,
            3
        );
        let s = win(IpMode::PrefixDelegation, Some(7), Some(20), None);
        assert_eq!(windows_held(&m5_large(), &s, 26).counts.held_prefixes, 3);
        // m5.xlarge has 14 slots: warm-prefix-target 20 → 14 prefixes (doc "Considerations").
        let m5_xlarge = limits("m5.xlarge", 4, 15, Nitro, 4);
        let held = windows_held(
            &m5_xlarge,
            &win(IpMode::PrefixDelegation, None, None, Some(20)),
            0,
        );
        assert_eq!(held.counts.held_prefixes, 14);
        assert!(
            held.explanation
                .caps
                .iter()
                .any(|c| c.contains("capped at 14 prefixes")),
            "{:?}",
            held.explanation
        );
        // Full node: 144 pods hold all 9 prefixes, nothing warm.
        let full = windows_held(&m5_large(), &defaults, 144).counts;
        assert_eq!((full.held_prefixes, full.warm_ips), (9, 0));
    }

    #[test]
    fn loader_rules_secondary() {
        // explicit 0 warm → 1 (loader.go), min 0 stays: not "both zero"
        let s = win(IpMode::SecondaryIp, Some(0), Some(0), None);
        assert_eq!((s.warm_ip_target, s.minimum_ip_target), (Some(1), Some(0)));
        assert!(s.notes[0].contains("uses 1"), "{:?}", s.notes);
        // absent both → defaults 3/3
        let s = win(IpMode::SecondaryIp, None, None, None);
        assert_eq!((s.warm_ip_target, s.minimum_ip_target), (Some(3), Some(3)));
        // absent warm, min 0 → both zero → defaults
        let s = win(IpMode::SecondaryIp, None, Some(0), None);
        assert_eq!((s.warm_ip_target, s.minimum_ip_target), (Some(3), Some(3)));
        // negative → default 3 each (pool.go calculateSecondaryIPDeviation)
        let s = win(IpMode::SecondaryIp, Some(-2), Some(-1), None);
        assert_eq!((s.warm_ip_target, s.minimum_ip_target), (Some(3), Some(3)));
        assert_eq!(s.notes.len(), 2, "{:?}", s.notes);
        let s = win(IpMode::SecondaryIp, Some(-2), Some(5), None);
        assert_eq!((s.warm_ip_target, s.minimum_ip_target), (Some(3), Some(5)));
        // warm-prefix ignored in secondary mode
        let s = win(IpMode::SecondaryIp, Some(2), None, Some(4));
        assert_eq!(
            (s.warm_ip_target, s.minimum_ip_target, s.warm_prefix_target),
            (Some(2), Some(0), None)
        );
        assert!(
            s.notes
                .iter()
                .any(|n| n.contains("ignored in secondary-IP mode"))
        );
    }

    #[test]
    fn get_pd_deviation_partial_settings() {
        // only min → warm defaults to 1
        let s = win(IpMode::PrefixDelegation, None, Some(20), None);
        assert_eq!(
            (s.warm_ip_target, s.minimum_ip_target, s.warm_prefix_target),
            (Some(1), Some(20), None)
        );
        // only warm → min defaults to 3
        let s = win(IpMode::PrefixDelegation, Some(5), None, None);
        assert_eq!((s.warm_ip_target, s.minimum_ip_target), (Some(5), Some(3)));
        // only warm-prefix → warm-prefix rule, IP targets unset
        let s = win(IpMode::PrefixDelegation, None, None, Some(2));
        assert_eq!(
            (s.warm_ip_target, s.minimum_ip_target, s.warm_prefix_target),
            (None, None, Some(2))
        );
        assert!(s.uses_warm_prefix_rule());
        // ≤ 0 counts as not set: warm -1, min 0, prefix 2 → warm-prefix rule
        let s = win(IpMode::PrefixDelegation, Some(-1), Some(0), Some(2));
        assert!(s.uses_warm_prefix_rule(), "{s:?}");
        // explicit 0 warm is NOT bumped to 1 in PD mode; all zero → PD defaults
        let s = win(IpMode::PrefixDelegation, Some(0), Some(0), Some(0));
        assert_eq!(
            (s.warm_ip_target, s.minimum_ip_target, s.warm_prefix_target),
            (Some(1), Some(3), None)
        );
        // all negative → getPDDeviation defaults 1/3
        let s = win(IpMode::PrefixDelegation, Some(-5), Some(-5), Some(-5));
        assert_eq!((s.warm_ip_target, s.minimum_ip_target), (Some(1), Some(3)));
        // warm-ip wins over warm-prefix
        let s = win(IpMode::PrefixDelegation, Some(4), None, Some(2));
        assert_eq!(
            (s.warm_ip_target, s.minimum_ip_target, s.warm_prefix_target),
            (Some(4), Some(3), None)
        );
        assert!(
            s.notes
                .iter()
                .any(|n| n.contains("warm-prefix-target 2 is ignored")),
            "{:?}",
            s.notes
        );
    }

    #[test]
    fn configmap_parsing() {
        assert_eq!(go_parse_bool("True"), Some(true));
        for t in ["1", "t", "T", "TRUE", "true", "True"] {
            assert_eq!(go_parse_bool(t), Some(true), "{t}");
        }
        for f in ["0", "f", "F", "FALSE", "false", "False"] {
            assert_eq!(go_parse_bool(f), Some(false), "{f}");
        }
        for bad in ["yes", "tRuE", " true", "", "on"] {
            assert_eq!(go_parse_bool(bad), None, "{bad}");
        }
        // legacy un-prefixed key wins when both are present
        let cfg = parse_windows_configmap(Some(&data(&[
            ("enable-windows-ipam", "true"),
            ("warm-ip-target", "5"),
            ("windows-warm-ip-target", "7"),
            ("windows-minimum-ip-target", "6"),
        ])));
        assert!(cfg.windows_ipam_enabled && !cfg.prefix_delegation_enabled);
        assert_eq!(
            (cfg.input.warm_ip_target, cfg.input.minimum_ip_target),
            (Some(5), Some(6))
        );
        assert_eq!(
            (cfg.settings.warm_ip_target, cfg.settings.minimum_ip_target),
            (Some(5), Some(6))
        );
        assert!(
            cfg.notes
                .iter()
                .any(|n| n.contains("uses the legacy `warm-ip-target`")),
            "{:?}",
            cfg.notes
        );
        // non-integer → 0 (not bumped to 1); with min set, no defaults
        let cfg = parse_windows_configmap(Some(&data(&[
            ("enable-windows-ipam", "true"),
            ("windows-warm-ip-target", "three"),
            ("windows-minimum-ip-target", "4"),
        ])));
        assert_eq!(
            (cfg.settings.warm_ip_target, cfg.settings.minimum_ip_target),
            (Some(0), Some(4))
        );
        assert!(cfg.notes.iter().any(|n| n.contains("not an integer")));
        // both unparseable → both 0 → defaults
        let cfg = parse_windows_configmap(Some(&data(&[
            ("warm-ip-target", "x"),
            ("minimum-ip-target", ""),
        ])));
        assert_eq!(
            (cfg.settings.warm_ip_target, cfg.settings.minimum_ip_target),
            (Some(3), Some(3))
        );
        assert!(!cfg.windows_ipam_enabled);
        // PD on, only warm-prefix set via the windows- key
        let cfg = parse_windows_configmap(Some(&data(&[
            ("enable-windows-ipam", "TRUE"),
            ("enable-windows-prefix-delegation", "t"),
            ("windows-warm-prefix-target", "2"),
        ])));
        assert!(cfg.prefix_delegation_enabled);
        assert_eq!(cfg.settings.mode, IpMode::PrefixDelegation);
        assert!(cfg.settings.uses_warm_prefix_rule());
        // PD key without IPAM: no effect; bad bool → note
        let cfg = parse_windows_configmap(Some(&data(&[
            ("enable-windows-ipam", "yes"),
            ("enable-windows-prefix-delegation", "true"),
        ])));
        assert!(!cfg.windows_ipam_enabled && !cfg.prefix_delegation_enabled);
        assert!(
            cfg.notes.iter().any(|n| n.contains("not a boolean")),
            "{:?}",
            cfg.notes
        );
        // no data → defaults, IPAM off
        let cfg = parse_windows_configmap(None);
        assert_eq!(
            (cfg.settings.warm_ip_target, cfg.settings.minimum_ip_target),
            (Some(3), Some(3))
        );
        assert!(!cfg.windows_ipam_enabled);
        // Go Atoi: sign allowed, spaces not, overflow clamps (and the controller keeps the value)
        assert_eq!(go_atoi("+5"), RawTarget::Int(5));
        assert_eq!(go_atoi(" 5"), RawTarget::Unparseable);
        assert_eq!(go_atoi("99999999999999999999"), RawTarget::Int(i64::MAX));
        assert_eq!(go_atoi("-99999999999999999999"), RawTarget::Int(i64::MIN));
    }

    #[test]
    fn xen_with_pd_uses_secondary_defaults() {
        let m4 = limits("m4.large", 2, 10, Xen, 2);
        let held = windows_held(
            &m4,
            &win(IpMode::PrefixDelegation, Some(10), Some(20), None),
            2,
        );
        assert_eq!(held.mode, IpMode::SecondaryIp);
        assert_eq!((held.counts.held_ips, held.counts.held_prefixes), (5, 0)); // max(2 + 3, 3)
        assert!(
            held.explanation
                .caps
                .iter()
                .any(|c| c.contains("not Nitro"))
        );
    }

    fn linux(
        warm_eni: Option<i64>,
        warm_ip: Option<i64>,
        min_ip: Option<i64>,
        warm_prefix: Option<i64>,
    ) -> LinuxWarmSettings {
        LinuxWarmSettings::from_input(&LinuxWarmInput {
            warm_eni_target: warm_eni,
            warm_ip_target: warm_ip,
            minimum_ip_target: min_ip,
            warm_prefix_target: warm_prefix,
        })
    }

    /// VPC CNI docs/eni-and-ip-target.md table, every row: (WARM_ENI_TARGET, WARM_IP_TARGET,
    /// MINIMUM_IP_TARGET, pods) → (attached ENIs, attached secondary IPs, unused IPs).
    /// kubelet max-pods = eni-max-pods (t3.small 11, p3dn.24xlarge 737); no row reaches it.
    #[test]
    fn vpc_cni_eni_and_ip_target_doc_table() {
        type Row = (
            fn() -> InstanceTypeLimits,
            u32,
            Option<i64>,
            Option<i64>,
            Option<i64>,
            u32,
            u32,
            u32,
            u32,
        );
        let rows: [Row; 16] = [
            (t3_small, 11, Some(1), None, None, 0, 1, 3, 3),
            (t3_small, 11, Some(1), None, None, 5, 3, 9, 4),
            (t3_small, 11, Some(1), None, None, 9, 3, 9, 0),
            (t3_small, 11, None, Some(1), Some(1), 0, 1, 1, 1),
            (t3_small, 11, None, Some(1), Some(1), 5, 2, 6, 1),
            (t3_small, 11, None, Some(1), Some(1), 9, 3, 9, 0),
            (t3_small, 11, None, Some(2), Some(5), 0, 2, 5, 5),
            (t3_small, 11, None, Some(2), Some(5), 5, 3, 7, 2),
            (t3_small, 11, None, Some(2), Some(5), 9, 3, 9, 0),
            (p3dn, 737, Some(1), None, None, 0, 1, 49, 49),
            (p3dn, 737, Some(1), None, None, 3, 2, 98, 95),
            (p3dn, 737, Some(1), None, None, 95, 3, 147, 52),
            (p3dn, 737, None, Some(5), Some(10), 0, 1, 10, 10),
            (p3dn, 737, None, Some(5), Some(10), 7, 1, 12, 5),
            (p3dn, 737, None, Some(5), Some(10), 15, 1, 20, 5),
            (p3dn, 737, None, Some(5), Some(10), 45, 2, 50, 5),
        ];
        for (instance, kubelet, warm_eni, warm_ip, min_ip, pods, enis, ips, unused) in rows {
            let l = instance();
            let held = linux_held(
                &l,
                &linux(warm_eni, warm_ip, min_ip, None),
                false,
                false,
                kubelet,
                pods,
            );
            let c = held.counts;
            assert_eq!(
                (c.enis, c.held_ips, c.warm_ips),
                (enis, ips, unused),
                "{} {warm_eni:?},{warm_ip:?},{min_ip:?},{pods}",
                l.instance_type
            );
        }
    }

    /// VPC CNI docs/prefix-and-ip-target.md table, every row: (WARM_PREFIX_TARGET, WARM_IP_TARGET,
    /// MINIMUM_IP_TARGET, pods) → (ENIs, attached prefixes, unused IPs). kubelet max-pods 110 (t3.small)
    /// and 250 (p3dn), the max-pods-calculator PD values; no row reaches them.
    ///
    /// Where the doc disagrees with ipamd, the code wins (noted per row):
    /// - t3.small `-,7,20` with 0 pods: the doc says 1 attached prefix but also "prefixes per ENI 2" and
    ///   "pods per prefix 0,0"; ipamd `datastoreTargetState` needs ceil(20/16) = 2 prefixes → 2, 32 unused.
    /// - p3dn rows with 3, 95 (warm-prefix 1) and 45 (5/10) pods: the doc lists 2, 3 and 2 ENIs with 0
    ///   prefixes on the extra ones; ipamd `increaseDatastorePool` attaches an ENI only when no prefix
    ///   fits on the attached ones (49 slots each), so 1 ENI.
    #[test]
    fn vpc_cni_prefix_and_ip_target_doc_table() {
        type Row = (
            fn() -> InstanceTypeLimits,
            u32,
            Option<i64>,
            Option<i64>,
            Option<i64>,
            u32,
            u32,
            u32,
            u32,
        );
        let rows: [Row; 20] = [
            (t3_small, 110, Some(1), None, None, 0, 1, 1, 16),
            (t3_small, 110, Some(1), None, None, 5, 1, 2, 27),
            (t3_small, 110, Some(1), None, None, 16, 1, 2, 16),
            (t3_small, 110, Some(1), None, None, 17, 1, 3, 31),
            (t3_small, 110, Some(1), None, None, 58, 2, 5, 22),
            (t3_small, 110, None, Some(1), Some(1), 0, 1, 1, 16),
            (t3_small, 110, None, Some(1), Some(1), 5, 1, 1, 11),
            (t3_small, 110, None, Some(1), Some(1), 17, 1, 2, 15),
            (t3_small, 110, None, Some(1), Some(1), 58, 2, 4, 6),
            (t3_small, 110, None, Some(7), Some(20), 0, 1, 2, 32), // doc: 1 prefix, 16 unused (see above)
            (t3_small, 110, None, Some(7), Some(20), 5, 1, 2, 27),
            (t3_small, 110, None, Some(7), Some(20), 17, 1, 2, 15),
            (t3_small, 110, None, Some(7), Some(20), 58, 2, 5, 22),
            (p3dn, 250, Some(1), None, None, 0, 1, 1, 16),
            (p3dn, 250, Some(1), None, None, 3, 1, 2, 29), // doc: 2 ENIs
            (p3dn, 250, Some(1), None, None, 95, 1, 7, 17), // doc: 3 ENIs
            (p3dn, 250, None, Some(5), Some(10), 0, 1, 1, 16),
            (p3dn, 250, None, Some(5), Some(10), 7, 1, 1, 9),
            (p3dn, 250, None, Some(5), Some(10), 15, 1, 2, 17),
            (p3dn, 250, None, Some(5), Some(10), 45, 1, 4, 19), // doc: 2 ENIs
        ];
        for (instance, kubelet, warm_prefix, warm_ip, min_ip, pods, enis, prefixes, unused) in rows
        {
            let l = instance();
            let held = linux_held(
                &l,
                &linux(None, warm_ip, min_ip, warm_prefix),
                true,
                false,
                kubelet,
                pods,
            );
            let c = held.counts;
            assert_eq!(held.mode, IpMode::PrefixDelegation);
            assert_eq!(
                (c.enis, c.held_prefixes, c.warm_ips),
                (enis, prefixes, unused),
                "{} {warm_prefix:?},{warm_ip:?},{min_ip:?},{pods}",
                l.instance_type
            );
        }
    }

    #[test]
    fn linux_env_parsing_and_defaults() {
        let d = LinuxWarmSettings::defaults();
        assert_eq!(
            (
                d.warm_eni_target,
                d.warm_ip_target,
                d.minimum_ip_target,
                d.warm_prefix_target
            ),
            (1, None, None, 1)
        );
        // 0 is "not set" for the IP targets; negative WARM_ENI_TARGET → 1; negative WARM_PREFIX_TARGET → 0
        let s = linux(Some(-1), Some(0), Some(-3), Some(-1));
        assert_eq!(
            (
                s.warm_eni_target,
                s.warm_ip_target,
                s.minimum_ip_target,
                s.warm_prefix_target
            ),
            (1, None, None, 0)
        );
        let (input, notes) = parse_linux_env(&data(&[
            ("WARM_ENI_TARGET", "2"),
            ("WARM_IP_TARGET", "abc"),
        ]));
        assert_eq!(input.warm_eni_target, Some(2));
        assert_eq!(input.warm_ip_target, None);
        assert_eq!(
            input.warm_prefix_target,
            Some(0),
            "absent in a real env → ipamd default 0"
        );
        assert_eq!(notes.len(), 2, "{notes:?}");
        // WARM_ENI_TARGET=0: an ENI only when no IP is free: t3.small 3 pods → 2 ENIs
        let held = linux_held(
            &t3_small(),
            &linux(Some(0), None, None, None),
            false,
            false,
            11,
            3,
        );
        assert_eq!((held.counts.enis, held.counts.held_ips), (2, 6));
        let held = linux_held(
            &t3_small(),
            &linux(Some(0), None, None, None),
            false,
            false,
            11,
            2,
        );
        assert_eq!((held.counts.enis, held.counts.held_ips), (1, 3));
    }

    #[test]
    fn linux_growth_stops_at_kubelet_max_pods() {
        // m5.large PD, max-pods 110: WARM_PREFIX_TARGET=1 and 108 pods want 8 prefixes, ipamd stops at 7 (112 IPs ≥ 110).
        let held = linux_held(
            &m5_large(),
            &LinuxWarmSettings::defaults(),
            true,
            false,
            110,
            108,
        );
        assert_eq!(held.counts.held_prefixes, 7);
        assert!(
            held.explanation
                .caps
                .iter()
                .any(|c| c.contains("max-pods (110)")),
            "{:?}",
            held.explanation
        );
        // m5.large secondary, max-pods 29: 27 pod IPs never reach 29, so only the ENI limit caps.
        let held = linux_held(
            &m5_large(),
            &LinuxWarmSettings::defaults(),
            false,
            false,
            29,
            20,
        );
        assert_eq!((held.counts.enis, held.counts.held_ips), (3, 27));
        // custom networking: primary ENI + pod ENIs; m5.large has 2 pod ENIs (18 IPs)
        let held = linux_held(
            &m5_large(),
            &LinuxWarmSettings::defaults(),
            false,
            true,
            20,
            5,
        );
        assert_eq!(
            (
                held.counts.enis,
                held.counts.held_ips,
                held.counts.subnet_ips
            ),
            (3, 18, 21)
        );
    }
}
