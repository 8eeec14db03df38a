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

/// Raw Linux `aws-node` targets, one `Option<i64>` per variable (`None` = unset).
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

/// Linux targets after defaults, with notes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinuxWarmSettings {
    pub warm_eni_target: u64,
    /// `None` = unset.
    pub warm_ip_target: Option<u64>,
    pub minimum_ip_target: Option<u64>,
    pub warm_prefix_target: Option<u64>,
    pub notes: Vec<String>,
}

impl LinuxWarmSettings {
    /// ipamd semantics: a value ≤ 0 counts as unset for WARM_IP/MINIMUM_IP; WARM_ENI defaults to 1.
    pub fn from_input(input: &LinuxWarmInput) -> Self {
        let mut notes = Vec::new();
        let positive = |name: &str, value: Option<i64>, notes: &mut Vec<String>| match value {
            Some(v) if v > 0 => Some(nonneg(v)),
            Some(v) => {
                notes.push(format!("{name}={v} counts as unset"));
                None
            }
            None => None,
        };
        let warm_ip_target = positive(keys::ENV_WARM_IP_TARGET, input.warm_ip_target, &mut notes);
        let minimum_ip_target = positive(
            keys::ENV_MINIMUM_IP_TARGET,
            input.minimum_ip_target,
            &mut notes,
        );
        let warm_prefix_target = positive(
            keys::ENV_WARM_PREFIX_TARGET,
            input.warm_prefix_target,
            &mut notes,
        );
        let warm_eni_target = match input.warm_eni_target {
            Some(v) if v >= 0 => nonneg(v),
            Some(v) => {
                notes.push(format!("WARM_ENI_TARGET={v} is negative: default 1 used"));
                LINUX_DEFAULT_WARM_ENI_TARGET
            }
            None => LINUX_DEFAULT_WARM_ENI_TARGET,
        };
        if warm_ip_target.is_some() || minimum_ip_target.is_some() {
            notes.push("WARM_IP_TARGET/MINIMUM_IP_TARGET set: they override WARM_ENI_TARGET and WARM_PREFIX_TARGET".to_string());
        }
        Self {
            warm_eni_target,
            warm_ip_target,
            minimum_ip_target,
            warm_prefix_target,
            notes,
        }
    }

    pub fn defaults() -> Self {
        Self::from_input(&LinuxWarmInput::default())
    }
}

/// Parse `aws-node` env (`WARM_ENI_TARGET` …). Non-integer values are reported and ignored (unset).
pub fn parse_linux_env(env: &BTreeMap<String, String>) -> (LinuxWarmInput, Vec<String>) {
    let mut notes = Vec::new();
    let mut read = |key: &str| {
        env.get(key).and_then(|v| match v.trim().parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                notes.push(format!("{key}={v:?} is not an integer: treated as unset"));
                None
            }
        })
    };
    let input = LinuxWarmInput {
        warm_eni_target: read(keys::ENV_WARM_ENI_TARGET),
        warm_ip_target: read(keys::ENV_WARM_IP_TARGET),
        minimum_ip_target: read(keys::ENV_MINIMUM_IP_TARGET),
        warm_prefix_target: read(keys::ENV_WARM_PREFIX_TARGET),
    };
    (input, notes)
}

/// The rule that decides how many addresses a pool keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "kebab-case")]
pub enum PoolRule {
    /// Secondary IPs: `max(used + warm_ip, minimum_ip)`.
    WarmIps {
        warm_ip_target: u64,
        minimum_ip_target: u64,
    },
    /// Whole ENIs of secondary IPs: `ceil(used / IPs per ENI) + warm_eni` ENIs, every slot filled.
    WarmEnis { warm_eni_target: u64 },
    /// Prefixes: `max(ceil((used + warm_ip) / 16), ceil(minimum_ip / 16))`.
    PrefixesForIps {
        warm_ip_target: u64,
        minimum_ip_target: u64,
    },
    /// Prefixes: `ceil(used / 16) + warm_prefix` whole free prefixes.
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
            notes,
        }
    }

    /// Linux: the VPC CNI ipamd pool.
    pub fn linux(
        limits: &InstanceTypeLimits,
        settings: &LinuxWarmSettings,
        prefix_delegation: bool,
        custom_networking: bool,
    ) -> Self {
        let mode = effective_mode(limits, prefix_delegation);
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
                warm_prefix_target: settings.warm_prefix_target.unwrap_or(1),
            },
        };
        WarmPool {
            os: Os::Linux,
            mode,
            rule,
            ip_capacity: linux_ip_capacity(limits, mode, custom_networking),
            pod_enis: linux_pod_enis(limits, custom_networking),
            slots_per_eni: limits.ipv4_per_eni.saturating_sub(1),
            extra_enis: u32::from(custom_networking),
            notes: settings.notes.clone(),
        }
    }

    /// /28 prefixes the node can hold: capacity / 16.
    pub fn prefix_capacity(&self) -> u32 {
        match self.mode {
            IpMode::SecondaryIp => 0,
            IpMode::PrefixDelegation => self.ip_capacity / IPS_PER_PREFIX,
        }
    }

    /// Steady state for `pods` IP-consuming pods. No allocation; safe for 10,000 nodes per frame.
    pub fn held(&self, pods: u32) -> HeldCounts {
        let used = pods.min(self.ip_capacity);
        let used64 = u64::from(used);
        let per_prefix = u64::from(IPS_PER_PREFIX);
        let slots = u64::from(self.slots_per_eni.max(1));
        let capacity = u64::from(self.ip_capacity);
        let (held_ips, held_prefixes) = match self.rule {
            PoolRule::WarmIps {
                warm_ip_target,
                minimum_ip_target,
            } => {
                let wanted = used64.saturating_add(warm_ip_target).max(minimum_ip_target);
                (clamp_u32(wanted.min(capacity)), 0)
            }
            PoolRule::WarmEnis { warm_eni_target } => {
                let enis = used64
                    .div_ceil(slots)
                    .saturating_add(warm_eni_target)
                    .max(1);
                (clamp_u32(enis.saturating_mul(slots).min(capacity)), 0)
            }
            PoolRule::PrefixesForIps {
                warm_ip_target,
                minimum_ip_target,
            } => {
                let wanted = used64
                    .saturating_add(warm_ip_target)
                    .div_ceil(per_prefix)
                    .max(minimum_ip_target.div_ceil(per_prefix));
                let prefixes = clamp_u32(wanted.min(u64::from(self.prefix_capacity())));
                (prefixes * IPS_PER_PREFIX, prefixes)
            }
            PoolRule::WarmPrefixes { warm_prefix_target } => {
                let wanted = used64
                    .div_ceil(per_prefix)
                    .saturating_add(warm_prefix_target);
                let prefixes = clamp_u32(wanted.min(u64::from(self.prefix_capacity())));
                (prefixes * IPS_PER_PREFIX, prefixes)
            }
        };
        // ENIs needed to hold the slots (IPs or prefixes), at least the primary one.
        let slots_used = if held_prefixes > 0 {
            held_prefixes
        } else {
            held_ips
        };
        let enis = slots_used
            .div_ceil(self.slots_per_eni.max(1))
            .clamp(1, self.pod_enis.max(1))
            + self.extra_enis;
        HeldCounts {
            used_ips: used,
            enis,
            held_ips,
            held_prefixes,
            warm_ips: held_ips - used.min(held_ips),
            subnet_ips: held_ips.saturating_add(enis),
        }
    }

    /// `held()` plus the explanation for the UI.
    pub fn explain_held(&self, pods: u32) -> HeldAddresses {
        let counts = self.held(pods);
        let used = counts.used_ips;
        let capacity = self.ip_capacity;
        let per = IPS_PER_PREFIX;
        let (formula, raw, limit, source) = match self.rule {
            PoolRule::WarmIps {
                warm_ip_target: w,
                minimum_ip_target: m,
            } => {
                let raw = u64::from(used).saturating_add(w).max(m);
                (
                    format!(
                        "min(capacity {capacity}, max(used {used} + warm {w}, minimum {m})) = {} IPs",
                        counts.held_ips
                    ),
                    raw,
                    u64::from(capacity),
                    if self.os == Os::Windows {
                        SRC_WINDOWS_SECONDARY
                    } else {
                        SRC_LINUX
                    },
                )
            }
            PoolRule::WarmEnis { warm_eni_target: w } => {
                let slots = self.slots_per_eni.max(1);
                let enis = u64::from(used)
                    .div_ceil(u64::from(slots))
                    .saturating_add(w)
                    .max(1);
                (
                    format!(
                        "(ceil(used {used} / {slots} IPs per ENI) + warm ENIs {w}) × {slots} = {} IPs on {} ENIs",
                        counts.held_ips,
                        counts.enis - self.extra_enis
                    ),
                    enis,
                    u64::from(self.pod_enis),
                    SRC_LINUX,
                )
            }
            PoolRule::PrefixesForIps {
                warm_ip_target: w,
                minimum_ip_target: m,
            } => {
                let for_warm = u64::from(used).saturating_add(w).div_ceil(u64::from(per));
                let for_min = m.div_ceil(u64::from(per));
                (
                    format!(
                        "max(ceil((used {used} + warm {w}) / 16), ceil(minimum {m} / 16)) = max({for_warm}, {for_min}) → {} prefixes = {} IPs",
                        counts.held_prefixes, counts.held_ips
                    ),
                    for_warm.max(for_min),
                    u64::from(self.prefix_capacity()),
                    if self.os == Os::Windows {
                        SRC_WINDOWS_PD
                    } else {
                        SRC_LINUX
                    },
                )
            }
            PoolRule::WarmPrefixes {
                warm_prefix_target: w,
            } => {
                let raw = u64::from(used).div_ceil(u64::from(per)).saturating_add(w);
                (
                    format!(
                        "ceil(used {used} / 16) + warm prefixes {w} → {} prefixes = {} IPs",
                        counts.held_prefixes, counts.held_ips
                    ),
                    raw,
                    u64::from(self.prefix_capacity()),
                    if self.os == Os::Windows {
                        SRC_WINDOWS_PD
                    } else {
                        SRC_LINUX
                    },
                )
            }
        };
        let mut explanation = Explanation::new(formula, source)
            .input("pods using a VPC IP", used)
            .input("pod IP capacity", capacity)
            .input("ENIs attached", counts.enis);
        if raw > limit {
            explanation = explanation.cap(match self.rule {
                PoolRule::WarmIps { .. } => format!("capped at the node's {capacity} pod IPs"),
                PoolRule::WarmEnis { .. } => format!("capped at {} ENIs", self.pod_enis),
                _ => format!(
                    "capped at {} prefixes (capacity / 16)",
                    self.prefix_capacity()
                ),
            });
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
    pods: u32,
) -> HeldAddresses {
    WarmPool::linux(limits, settings, prefix_delegation, custom_networking).explain_held(pods)
}
