//! Max pods and pod-IP capacity per instance type, for Windows and Linux nodes.
//!
//! Windows (VPC Resource Controller, domain.md §1): one ENI; secondary-IP mode gives
//! `IPv4PerENI − 1` pod IPs, prefix delegation `(IPv4PerENI − 1) × 16` on Nitro or bare metal only;
//! on Xen the controller stays in secondary-IP mode. The kubelet's max-pods (default 110) is a separate
//! limit. Linux (VPC CNI / max-pods-calculator.sh, domain.md §3): `ENIs × (IPv4PerENI − 1) + 2`.

use crate::explain::Explanation;
use crate::limits::InstanceTypeLimits;
use serde::{Deserialize, Serialize};

/// Addresses in one /28 prefix (VPC RC `pkg/pool/pool.go` `NumIPv4AddrPerPrefix`).
pub const IPS_PER_PREFIX: u32 = 16;
/// The Windows kubelet's default `--max-pods` (EKS-UG prefix section; BPG prefix-mode_windows).
pub const WINDOWS_DEFAULT_KUBELET_MAX_PODS: u32 = 110;
/// max-pods-calculator.sh caps: 110, or 250 above 30 vCPUs.
pub const CALC_CAP_SMALL: u32 = 110;
pub const CALC_CAP_LARGE: u32 = 250;
pub const CALC_LARGE_VCPU_THRESHOLD: u32 = 30;

const SRC_WINDOWS: &str =
    "VPC RC pkg/provider/ip/provider.go getCapacity, prefix/provider.go; BPG windows/networking";
const SRC_LINUX: &str =
    "VPC CNI scripts/gen_vpc_ip_limits.go; amazon-eks-ami max-pods-calculator.sh";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Os {
    Windows,
    Linux,
}

impl Os {
    pub fn as_str(self) -> &'static str {
        match self {
            Os::Windows => "windows",
            Os::Linux => "linux",
        }
    }
}

impl std::str::FromStr for Os {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "windows" => Ok(Os::Windows),
            "linux" => Ok(Os::Linux),
            other => Err(format!("unknown OS `{other}`: use `windows` or `linux`")),
        }
    }
}

impl std::fmt::Display for Os {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How pod IPs are handed out: one secondary IP at a time, or /28 prefixes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum IpMode {
    SecondaryIp,
    PrefixDelegation,
}

impl IpMode {
    pub fn as_str(self) -> &'static str {
        match self {
            IpMode::SecondaryIp => "secondary-ip",
            IpMode::PrefixDelegation => "prefix-delegation",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MaxPodsOptions {
    /// Prefix delegation requested (`enable-windows-prefix-delegation` / `ENABLE_PREFIX_DELEGATION`).
    pub prefix_delegation: bool,
    /// Linux custom networking (ENIConfig): the primary ENI carries no pod IPs.
    pub custom_networking: bool,
    /// The kubelet's `--max-pods`, when known. Windows default 110.
    pub kubelet_max_pods: Option<u32>,
}

/// The answer to "how many pods fit on this type".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MaxPods {
    pub instance_type: String,
    pub os: Os,
    /// The mode actually in effect (PD requested on Xen falls back to secondary-IP).
    pub mode: IpMode,
    /// Pods limited by IPs alone, uncapped. Windows: the `vpc.amazonaws.com/PrivateIPv4Address`
    /// capacity. Linux: `ENIs × (IPs − 1) + 2` or its PD / custom-networking variant.
    pub eni_max_pods: u32,
    /// Linux: max-pods-calculator's 110/250 cap. Windows: `min(eni_max_pods, kubelet max-pods)`.
    pub recommended_max_pods: u32,
    /// Pod IPs the node can hold (Windows: same as `eni_max_pods`; Linux: without the +2 host pods).
    pub ip_capacity: u32,
    /// Warnings a user should see (PD requested on Xen, kubelet cap below IP capacity, …).
    pub warnings: Vec<String>,
    pub explanation: Explanation,
}

impl MaxPods {
    /// The one-line explanation used by the CLI and the API's `explain` field.
    pub fn explain(&self) -> String {
        self.explanation.one_line()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MaxPodsError {
    #[error(
        "{instance_type} cannot run Windows: Windows AMIs are x86_64 only and {instance_type} is {architectures}; pick an x86_64 type such as m5.large"
    )]
    WindowsNeedsX86 {
        instance_type: String,
        architectures: String,
    },
    #[error(
        "custom networking is not supported on Windows nodes (EKS user guide, windows-support); drop --custom-networking"
    )]
    CustomNetworkingOnWindows,
}

/// Pod capacity of `limits` for `os` with `options`.
pub fn max_pods(
    limits: &InstanceTypeLimits,
    os: Os,
    options: MaxPodsOptions,
) -> Result<MaxPods, MaxPodsError> {
    match os {
        Os::Windows => windows_max_pods(limits, options),
        Os::Linux => Ok(linux_max_pods(limits, options)),
    }
}

/// The mode the VPC RC / VPC CNI actually uses: PD only on Nitro or bare metal.
pub fn effective_mode(limits: &InstanceTypeLimits, prefix_delegation: bool) -> IpMode {
    if prefix_delegation && limits.is_nitro_or_bare_metal() {
        IpMode::PrefixDelegation
    } else {
        IpMode::SecondaryIp
    }
}

/// Windows `vpc.amazonaws.com/PrivateIPv4Address` capacity in `mode` (VPC RC getCapacity × 16 for PD).
pub fn windows_ip_capacity(limits: &InstanceTypeLimits, mode: IpMode) -> u32 {
    let slots = limits.ipv4_per_eni.saturating_sub(1);
    match mode {
        IpMode::SecondaryIp => slots,
        IpMode::PrefixDelegation => slots.saturating_mul(IPS_PER_PREFIX),
    }
}

fn windows_max_pods(
    limits: &InstanceTypeLimits,
    options: MaxPodsOptions,
) -> Result<MaxPods, MaxPodsError> {
    if !limits.supports_windows() {
        let architectures = limits
            .architectures
            .iter()
            .map(|a| format!("{a:?}").to_ascii_lowercase())
            .collect::<Vec<_>>()
            .join("/");
        return Err(MaxPodsError::WindowsNeedsX86 {
            instance_type: limits.instance_type.clone(),
            architectures,
        });
    }
    if options.custom_networking {
        return Err(MaxPodsError::CustomNetworkingOnWindows);
    }
    let mode = effective_mode(limits, options.prefix_delegation);
    let capacity = windows_ip_capacity(limits, mode);
    let kubelet = options
        .kubelet_max_pods
        .unwrap_or(WINDOWS_DEFAULT_KUBELET_MAX_PODS);
    let slots = limits.ipv4_per_eni.saturating_sub(1);
    let formula = match mode {
        IpMode::SecondaryIp => format!(
            "{} − 1 = {capacity} pod IPs (one ENI; its primary IP is not for pods)",
            limits.ipv4_per_eni
        ),
        IpMode::PrefixDelegation => {
            format!(
                "({} − 1) × 16 = {slots} /28 prefixes × 16 = {capacity} pod IPs (one ENI)",
                limits.ipv4_per_eni
            )
        }
    };
    let mut explanation = Explanation::new(formula, SRC_WINDOWS)
        .input("IPv4 per ENI", limits.ipv4_per_eni)
        .input("ENIs used by Windows", 1)
        .input(
            "hypervisor",
            format!("{:?}", limits.hypervisor).to_ascii_lowercase(),
        )
        .input("kubelet max-pods", kubelet);
    let mut warnings = Vec::new();
    if options.prefix_delegation && mode == IpMode::SecondaryIp {
        let note = format!(
            "prefix delegation needs Nitro or bare metal; {} is Xen, so the VPC Resource Controller keeps secondary-IP mode",
            limits.instance_type
        );
        explanation = explanation.cap(note.clone());
        warnings.push(note);
    }
    let recommended = capacity.min(kubelet);
    if kubelet < capacity {
        let note = format!("kubelet max-pods {kubelet} caps pods below the {capacity} pod IPs");
        explanation = explanation.cap(note.clone());
        warnings.push(note);
    }
    Ok(MaxPods {
        instance_type: limits.instance_type.clone(),
        os: Os::Windows,
        mode,
        eni_max_pods: capacity,
        recommended_max_pods: recommended,
        ip_capacity: capacity,
        warnings,
        explanation,
    })
}

/// The max-pods-calculator.sh cap: 110, or 250 when `VCpuInfo.DefaultVCpus > 30`.
pub fn calculator_cap(limits: &InstanceTypeLimits) -> u32 {
    if limits.vcpus > CALC_LARGE_VCPU_THRESHOLD {
        CALC_CAP_LARGE
    } else {
        CALC_CAP_SMALL
    }
}

/// ENIs that carry pod IPs on Linux: all on the default card, one fewer with custom networking.
pub fn linux_pod_enis(limits: &InstanceTypeLimits, custom_networking: bool) -> u32 {
    if custom_networking {
        limits.enis.saturating_sub(1)
    } else {
        limits.enis
    }
}

/// Linux pod IP capacity (without the 2 host-network pods): ENIs × (IPs − 1) [× 16 with PD].
pub fn linux_ip_capacity(
    limits: &InstanceTypeLimits,
    mode: IpMode,
    custom_networking: bool,
) -> u32 {
    let per_eni = limits.ipv4_per_eni.saturating_sub(1);
    let per_eni = match mode {
        IpMode::SecondaryIp => per_eni,
        IpMode::PrefixDelegation => per_eni.saturating_mul(IPS_PER_PREFIX),
    };
    linux_pod_enis(limits, custom_networking).saturating_mul(per_eni)
}

fn linux_max_pods(limits: &InstanceTypeLimits, options: MaxPodsOptions) -> MaxPods {
    let mode = effective_mode(limits, options.prefix_delegation);
    let enis = linux_pod_enis(limits, options.custom_networking);
    let capacity = linux_ip_capacity(limits, mode, options.custom_networking);
    let eni_max_pods = capacity.saturating_add(2);
    let cap = calculator_cap(limits);
    let recommended = eni_max_pods.min(cap);
    let eni_text = if options.custom_networking {
        format!("({} − 1)", limits.enis)
    } else {
        limits.enis.to_string()
    };
    let formula = match mode {
        IpMode::SecondaryIp => format!(
            "{eni_text} × ({} − 1) + 2 = {eni_max_pods}",
            limits.ipv4_per_eni
        ),
        IpMode::PrefixDelegation => format!(
            "{eni_text} × (({} − 1) × 16) + 2 = {eni_max_pods}",
            limits.ipv4_per_eni
        ),
    };
    let mut explanation = Explanation::new(formula, SRC_LINUX)
        .input("ENIs (default network card)", limits.enis)
        .input("ENIs carrying pod IPs", enis)
        .input("IPv4 per ENI", limits.ipv4_per_eni)
        .input("vCPUs", limits.vcpus)
        .input(
            "hypervisor",
            format!("{:?}", limits.hypervisor).to_ascii_lowercase(),
        );
    let mut warnings = Vec::new();
    if options.prefix_delegation && mode == IpMode::SecondaryIp {
        let note = format!(
            "prefix delegation needs Nitro or bare metal; {} is Xen, so ipamd falls back to secondary-IP mode",
            limits.instance_type
        );
        explanation = explanation.cap(note.clone());
        warnings.push(note);
    }
    if options.custom_networking {
        explanation = explanation
            .cap("custom networking: the primary ENI carries no pod IPs (one ENI fewer)");
    }
    if recommended < eni_max_pods {
        explanation = explanation.cap(format!(
            "max-pods-calculator caps at {cap} ({} vCPUs {} 30): recommended {recommended}",
            limits.vcpus,
            if limits.vcpus > CALC_LARGE_VCPU_THRESHOLD {
                ">"
            } else {
                "≤"
            }
        ));
    }
    if mode == IpMode::PrefixDelegation
        && limits.bare_metal
        && limits.hypervisor == crate::limits::Hypervisor::None
    {
        explanation = explanation.cap("bare metal: max-pods-calculator.sh uses the secondary-IP formula here; VPC CNI ≥ 1.11 does use prefixes");
    }
    if let Some(kubelet) = options.kubelet_max_pods
        && kubelet < capacity
    {
        warnings.push(format!(
            "kubelet max-pods {kubelet} is below the {capacity} pod IPs"
        ));
    }
    MaxPods {
        instance_type: limits.instance_type.clone(),
        os: Os::Linux,
        mode,
        eni_max_pods,
        recommended_max_pods: recommended,
        ip_capacity: capacity,
        warnings,
        explanation,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::Hypervisor;
    use crate::limits::{
        Hypervisor::{Nitro, Xen},
        fixtures::limits,
    };

    fn win(l: &InstanceTypeLimits, pd: bool) -> MaxPods {
        max_pods(
            l,
            Os::Windows,
            MaxPodsOptions {
                prefix_delegation: pd,
                ..Default::default()
            },
        )
        .expect("windows")
    }
    fn linux(l: &InstanceTypeLimits, pd: bool, cn: bool) -> MaxPods {
        max_pods(
            l,
            Os::Linux,
            MaxPodsOptions {
                prefix_delegation: pd,
                custom_networking: cn,
                kubelet_max_pods: None,
            },
        )
        .expect("linux")
    }

    /// domain.md §1.3 (VPC RC limits.go) — Windows secondary / PD / effective with kubelet 110.
    #[test]
    fn windows_vectors_domain_1_3() {
        let rows = [
            (limits("t3.nano", 2, 2, Nitro, 2), 1, 16, 16),
            (limits("t3.medium", 3, 6, Nitro, 2), 5, 80, 80),
            (limits("m5.large", 3, 10, Nitro, 2), 9, 144, 110),
            (limits("c5.large", 3, 10, Nitro, 2), 9, 144, 110),
            (limits("m5.xlarge", 4, 15, Nitro, 4), 14, 224, 110),
            (limits("t3.xlarge", 4, 15, Nitro, 4), 14, 224, 110),
            (limits("m5.4xlarge", 8, 30, Nitro, 16), 29, 464, 110),
            (limits("m5.24xlarge", 15, 50, Nitro, 96), 49, 784, 110),
            (limits("m4.large", 2, 10, Xen, 2), 9, 9, 9),
            (limits("t2.medium", 3, 6, Xen, 2), 5, 5, 5),
        ];
        for (l, secondary, pd, effective) in rows {
            assert_eq!(
                win(&l, false).eni_max_pods,
                secondary,
                "{} secondary",
                l.instance_type
            );
            let p = win(&l, true);
            assert_eq!(p.eni_max_pods, pd, "{} pd", l.instance_type);
            assert_eq!(
                p.recommended_max_pods, effective,
                "{} effective",
                l.instance_type
            );
        }
        let xen = win(&limits("m4.large", 2, 10, Xen, 2), true);
        assert_eq!(xen.mode, IpMode::SecondaryIp);
        assert!(xen.warnings[0].contains("Xen"));
        let metal = win(&limits("m5.metal", 15, 50, Hypervisor::None, 96), true);
        assert_eq!(
            (metal.mode, metal.eni_max_pods),
            (IpMode::PrefixDelegation, 784)
        );
    }

    /// domain.md §3.2: eni-max-pods, CALC secondary (capped), CALC PD (capped), custom networking.
    #[test]
    fn linux_vectors_domain_3_2() {
        let rows = [
            (limits("t3.nano", 2, 2, Nitro, 2), 4, 4, 34, 3),
            (limits("t3.small", 3, 4, Nitro, 2), 11, 11, 110, 8),
            (limits("t3.medium", 3, 6, Nitro, 2), 17, 17, 110, 12),
            (limits("t2.medium", 3, 6, Xen, 2), 17, 17, 17, 12),
            (limits("m4.large", 2, 10, Xen, 2), 20, 20, 20, 11),
            (limits("m5.large", 3, 10, Nitro, 2), 29, 29, 110, 20),
            (limits("m5.xlarge", 4, 15, Nitro, 4), 58, 58, 110, 44),
            (limits("c5.xlarge", 4, 15, Nitro, 4), 58, 58, 110, 44),
            (limits("m5.4xlarge", 8, 30, Nitro, 16), 234, 110, 110, 205),
            (limits("m5.24xlarge", 15, 50, Nitro, 96), 737, 250, 250, 688),
            (
                limits("c5n.18xlarge", 15, 50, Nitro, 72),
                737,
                250,
                250,
                688,
            ),
            (
                limits("m5.metal", 15, 50, Hypervisor::None, 96),
                737,
                250,
                250,
                688,
            ),
            (
                limits("p4d.24xlarge", 15, 50, Nitro, 96),
                737,
                250,
                250,
                688,
            ),
            (limits("c6g.medium", 2, 4, Nitro, 1), 8, 8, 98, 5),
        ];
        for (l, eni_max, calc_secondary, calc_pd, custom) in rows {
            let s = linux(&l, false, false);
            assert_eq!(s.eni_max_pods, eni_max, "{} eni-max-pods", l.instance_type);
            assert_eq!(
                s.recommended_max_pods, calc_secondary,
                "{} calc secondary",
                l.instance_type
            );
            assert_eq!(
                linux(&l, true, false).recommended_max_pods,
                calc_pd,
                "{} calc pd",
                l.instance_type
            );
            assert_eq!(
                linux(&l, false, true).eni_max_pods,
                custom,
                "{} custom networking",
                l.instance_type
            );
        }
        // raw PD values quoted in §3.2
        assert_eq!(
            linux(&limits("t3.small", 3, 4, Nitro, 2), true, false).eni_max_pods,
            146
        );
        assert_eq!(
            linux(&limits("m5.large", 3, 10, Nitro, 2), true, false).eni_max_pods,
            434
        );
        assert_eq!(
            linux(&limits("m5.24xlarge", 15, 50, Nitro, 96), true, false).eni_max_pods,
            11762
        );
    }

    #[test]
    fn windows_rejects_arm_and_custom_networking() {
        let arm = limits("c6g.medium", 2, 4, Nitro, 1);
        let err = max_pods(&arm, Os::Windows, MaxPodsOptions::default()).expect_err("arm");
        assert!(err.to_string().contains("x86_64 only"), "{err}");
        let m5 = limits("m5.large", 3, 10, Nitro, 2);
        let err = max_pods(
            &m5,
            Os::Windows,
            MaxPodsOptions {
                custom_networking: true,
                ..Default::default()
            },
        );
        assert_eq!(err, Err(MaxPodsError::CustomNetworkingOnWindows));
    }

    #[test]
    fn explanation_names_formula_and_cap() {
        let m5 = win(&limits("m5.large", 3, 10, Nitro, 2), true);
        assert_eq!(
            m5.explanation.formula,
            "(10 − 1) × 16 = 9 /28 prefixes × 16 = 144 pod IPs (one ENI)"
        );
        assert!(
            m5.explain().contains("kubelet max-pods 110"),
            "{}",
            m5.explain()
        );
    }
}
