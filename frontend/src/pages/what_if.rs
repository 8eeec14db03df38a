//! `/what-if`: plan one nodegroup. Pick an instance type, OS, prefix delegation, warm targets, node
//! count, pods per node and subnets; see capacity, held IPs/prefixes, subnet consumption and warnings,
//! each with its explanation. Recomputed in the browser by `shared::whatif::evaluate` on every input;
//! the scenario lives in the URL query (`history.replaceState` through the router, no reload).

use crate::components::fields::{FormContext, OsField, SliderField, TextField, ToggleField};
use crate::components::instance_type_picker::InstanceTypePicker;
use crate::components::metric::MetricCard;
use crate::components::subnet_impact::SubnetList;
use crate::components::warnings::WarningList;
use crate::format::{count, grouped};
use crate::what_if_form::{Field, Outcome, WhatIfForm, evaluate_form};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use shared::maxpods::{IpMode, Os};
use shared::whatif::WhatIfResult;
use shared::{Explanation, InstanceTypeTable};
use std::sync::Arc;

/// The instance-type table as the page sees it: `None` while loading, `Err` with a message to show.
pub type TableState = Option<Result<Arc<InstanceTypeTable>, String>>;

/// The routed page: reads the scenario from the URL once, loads the instance-type table, keeps the
/// URL in step with the form.
#[component]
pub fn WhatIfPage() -> impl IntoView {
    let query = use_query_map();
    let pairs: Vec<(String, String)> = query.with_untracked(|map| {
        map.into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    });
    let form = RwSignal::new(WhatIfForm::from_query_pairs(&pairs));

    let table = RwSignal::new(None::<Result<Arc<InstanceTypeTable>, String>>);
    #[cfg(target_arch = "wasm32")]
    leptos::task::spawn_local(async move {
        let loaded = crate::api::instance_types_cached()
            .await
            .map_err(|error| error.to_string());
        // The user may have left the page while the table loaded.
        let _ = table.try_set(Some(loaded));
    });

    #[cfg(target_arch = "wasm32")]
    crate::components::url_sync::keep_url_in_step(
        form,
        |f| format!("/what-if{}", f.to_query_string()),
        true,
    );

    let table: Signal<TableState> = table.into();
    view! { <WhatIfView form table/> }
}

/// The calculator view for a form and a table (rendered natively in tests with a fixture table).
#[component]
pub fn WhatIfView(
    form: RwSignal<WhatIfForm>,
    #[prop(into)] table: Signal<TableState>,
) -> impl IntoView {
    // Every input changes the result, so comparing old and new results (a deep `PartialEq` over
    // the whole result, in code and in time) buys nothing: always notify.
    let outcome = Memo::new_with_compare(
        move |_| {
            table.with(|table| {
                let table = table
                    .as_ref()
                    .map(|result| result.as_ref().map(|t| &**t).map_err(String::as_str));
                form.with(|f| evaluate_form(f, table))
            })
        },
        |_, _| true,
    );
    let ctx = FormContext { form, outcome };
    let ready_table =
        Signal::derive(move || table.with(|t| t.as_ref().and_then(|r| r.as_ref().ok().cloned())));
    let os = Memo::new(move |_| form.with(|f| f.os()));

    view! {
        <div class="page-header">
            <div>
                <h1>"What-if: plan a nodegroup"</h1>
                <p class="page-header__lead">
                    "Every number is recomputed in your browser as you change the scenario; "
                    "the address bar always holds it, so you can share the link."
                </p>
            </div>
        </div>
        <div class="what-if">
            <aside class="card what-if__controls" aria-label="Scenario">
                <h2 class="section-title">"Nodegroup"</h2>
                <InstanceTypePicker ctx table=ready_table/>
                <OsField ctx/>
                <ToggleField
                    ctx
                    field=Field::PrefixDelegation
                    label="Prefix delegation"
                    setting=Signal::derive(move || match os.get() {
                        Os::Windows => "enable-windows-prefix-delegation".to_string(),
                        Os::Linux => "ENABLE_PREFIX_DELEGATION".to_string(),
                    })
                    help="Assign /28 prefixes (16 IPs each) instead of single secondary IPs. Nitro and bare-metal types only."
                />
                <SliderField
                    ctx
                    field=Field::Nodes
                    label="Nodes"
                    unit="nodes"
                    min=0
                    max=200u32
                    help="Slider up to 200; type any count up to 100,000."
                />
                <SliderField
                    ctx
                    field=Field::PodsPerNode
                    label="Pods per node"
                    unit="pods"
                    min=0
                    max=250u32
                    help="Pods that need a VPC IP (not hostNetwork)."
                />
                <TextField
                    ctx
                    field=Field::KubeletMaxPods
                    label="kubelet max-pods"
                    setting="--max-pods"
                    numeric=true
                    placeholder=Signal::derive(move || kubelet_placeholder(outcome, os.get()))
                    help="Empty: the default (Windows 110; Linux the max-pods-calculator value)."
                />
                <TextField
                    ctx
                    field=Field::Subnets
                    label="Subnet CIDRs"
                    placeholder="e.g. 10.0.0.0/24, 10.0.1.0/24"
                    help="Nodes spread round-robin over these subnets. Empty: subnet use is not checked."
                />
                <hr class="divider"/>
                {move || match os.get() {
                    Os::Windows => view! { <WindowsWarmFields ctx/> }.into_any(),
                    Os::Linux => view! { <LinuxWarmFields ctx/> }.into_any(),
                }}
            </aside>
            <div class="what-if__results">
                <ResultsStatus outcome/>
                <ScenarioSummary outcome/>
                <PerNodeMetrics outcome/>
                <NodegroupTotals outcome/>
                <section class="card" aria-labelledby="warnings-title">
                    <div class="card__title">
                        <h2 id="warnings-title">"Warnings"</h2>
                        <span class="card__hint" id="warnings-count">{move || warning_count(outcome)}</span>
                    </div>
                    <div id="warnings">
                        <WarningList warnings=Signal::derive(move || outcome.with(|o| o.result().map(|r| r.warnings.clone())))/>
                    </div>
                </section>
                <section class="card" aria-labelledby="subnets-title">
                    <div class="card__title">
                        <h2 id="subnets-title">"Subnets"</h2>
                        <span class="card__hint">"before → after this nodegroup"</span>
                    </div>
                    <SubnetList outcome/>
                </section>
            </div>
        </div>
    }
}

/// "2 critical · 1 note" for the warnings card header.
fn warning_count(outcome: Memo<Outcome>) -> String {
    use shared::whatif::Severity;
    outcome.with(|o| {
        let Some(result) = o.result() else {
            return String::new();
        };
        let count = |severity| {
            result
                .warnings
                .iter()
                .filter(|w| w.severity == severity)
                .count() as u64
        };
        let parts: Vec<String> = [
            (count(Severity::Critical), "critical", "critical"),
            (count(Severity::Warning), "warning", "warnings"),
            (count(Severity::Info), "note", "notes"),
        ]
        .into_iter()
        .filter(|(n, _, _)| *n > 0)
        .map(|(n, one, many)| crate::format::count(n, one, many))
        .collect();
        if parts.is_empty() {
            "none".to_string()
        } else {
            parts.join(" · ")
        }
    })
}

fn kubelet_placeholder(outcome: Memo<Outcome>, os: Os) -> String {
    match os {
        Os::Windows => "default 110".to_string(),
        Os::Linux => outcome
            .with(|o| {
                o.result()
                    .map(|r| format!("default {}", r.per_node.kubelet_max_pods))
            })
            .unwrap_or_else(|| "default: max-pods-calculator".to_string()),
    }
}

/// Windows warm targets: the `kube-system/amazon-vpc-cni` ConfigMap keys.
#[component]
fn WindowsWarmFields(ctx: FormContext) -> impl IntoView {
    let outcome = ctx.outcome;
    let pd = Memo::new(move |_| ctx.form.with(|f| f.prefix_delegation()));
    view! {
        <h2 class="section-title">"Warm pool · amazon-vpc-cni ConfigMap"</h2>
        <TextField
            ctx
            field=Field::WinWarmIpTarget
            label="Warm IP target"
            setting="windows-warm-ip-target"
            numeric=true
            placeholder=Signal::derive(move || if pd.get() { "default 1".to_string() } else { "default 3".to_string() })
            help="Free IPs kept beyond the pods in use."
        />
        <TextField
            ctx
            field=Field::WinMinimumIpTarget
            label="Minimum IP target"
            setting="windows-minimum-ip-target"
            numeric=true
            placeholder="default 3"
            help="Floor on IPs allocated (used + free)."
        />
        <TextField
            ctx
            field=Field::WinWarmPrefixTarget
            label="Warm prefix target"
            setting="windows-warm-prefix-target"
            numeric=true
            placeholder="default 0"
            help=Signal::derive(move || {
                if pd.get() {
                    "Whole free /28 prefixes kept; ignored when a warm or minimum IP target is set.".to_string()
                } else {
                    "Prefix delegation only: ignored in secondary-IP mode.".to_string()
                }
            })
        />
        <p class="field__help" id="warm-in-force">{move || warm_in_force(outcome)}</p>
    }
}

/// Linux warm targets: the `aws-node` environment variables.
#[component]
fn LinuxWarmFields(ctx: FormContext) -> impl IntoView {
    let outcome = ctx.outcome;
    view! {
        <h2 class="section-title">"Warm pool · aws-node environment"</h2>
        <TextField
            ctx
            field=Field::LinuxWarmEniTarget
            label="Warm ENI target"
            setting="WARM_ENI_TARGET"
            numeric=true
            placeholder="default 1"
            help="Whole free ENIs kept attached (ignored when WARM_IP_TARGET or MINIMUM_IP_TARGET is set)."
        />
        <TextField
            ctx
            field=Field::LinuxWarmIpTarget
            label="Warm IP target"
            setting="WARM_IP_TARGET"
            numeric=true
            placeholder="unset"
            help="Free IPs kept beyond the pods in use."
        />
        <TextField
            ctx
            field=Field::LinuxMinimumIpTarget
            label="Minimum IP target"
            setting="MINIMUM_IP_TARGET"
            numeric=true
            placeholder="unset"
            help="Floor on IPs allocated."
        />
        <TextField
            ctx
            field=Field::LinuxWarmPrefixTarget
            label="Warm prefix target"
            setting="WARM_PREFIX_TARGET"
            numeric=true
            placeholder="unset"
            help="Whole free /28 prefixes kept (prefix delegation)."
        />
        <ToggleField
            ctx
            field=Field::CustomNetworking
            label="Custom networking"
            setting="AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG"
            help="ENIConfig: the primary ENI carries no pod IPs (one ENI fewer)."
        />
        <p class="field__help" id="warm-in-force">{move || warm_in_force(outcome)}</p>
    }
}

/// "In force: warm 3, minimum 3" — the targets after the controller's defaults and overrides.
fn warm_in_force(outcome: Memo<Outcome>) -> String {
    use shared::warm::PoolRule;
    outcome.with(|o| {
        o.result()
            .map(|r| {
                let rule = match r.pool.rule {
                    PoolRule::WarmIps { warm_ip_target, minimum_ip_target } => {
                        format!("warm IP target {warm_ip_target}, minimum IP target {minimum_ip_target} (secondary IPs)")
                    }
                    PoolRule::WarmEnis { warm_eni_target } => format!("warm ENI target {warm_eni_target} (whole ENIs)"),
                    PoolRule::PrefixesForIps { warm_ip_target, minimum_ip_target } => {
                        format!("warm IP target {warm_ip_target}, minimum IP target {minimum_ip_target} (in /28 prefixes)")
                    }
                    PoolRule::WarmPrefixes { warm_prefix_target } => format!("warm prefix target {warm_prefix_target}"),
                };
                format!("In force on this node: {rule}.")
            })
            .unwrap_or_default()
    })
}

/// Loading / failed / invalid: one sentence that says what to do. Empty when results are shown.
#[component]
fn ResultsStatus(outcome: Memo<Outcome>) -> impl IntoView {
    move || {
        outcome.with(|o| match o {
            Outcome::Ready(_) => None,
            Outcome::Loading => Some(
                view! {
                    <div class="notice" id="results-status" role="status">
                        <span class="notice__icon" aria-hidden="true">"…"</span>
                        <p>"Loading the instance-type table from the eniscope server…"</p>
                    </div>
                }
                .into_any(),
            ),
            Outcome::TableFailed(message) => Some(
                view! {
                    <div class="notice notice--error" id="results-status" role="alert">
                        <span class="notice__icon" aria-hidden="true">"✕"</span>
                        <p>"The instance-type table could not be loaded: " {message.clone()}</p>
                    </div>
                }
                .into_any(),
            ),
            Outcome::Invalid { summary, .. } => Some(
                view! {
                    <div class="notice notice--error" id="results-status" role="alert">
                        <span class="notice__icon" aria-hidden="true">"✕"</span>
                        <p>{summary.clone()}</p>
                    </div>
                }
                .into_any(),
            ),
        })
    }
}

fn mode_text(result: &WhatIfResult) -> String {
    match (result.mode, result.prefix_delegation_requested) {
        (IpMode::PrefixDelegation, _) => "Prefix delegation".to_string(),
        (IpMode::SecondaryIp, true) => {
            "Secondary IP (prefix delegation not possible on this type)".to_string()
        }
        (IpMode::SecondaryIp, false) => "Secondary IP".to_string(),
    }
}

/// "10 × m5.large, Windows, 30 pods each" and the IP mode in effect.
#[component]
fn ScenarioSummary(outcome: Memo<Outcome>) -> impl IntoView {
    let summary = move || {
        outcome.with(|o| {
            o.result().map(|r| {
                format!(
                    "{} × {}, {}, {} each",
                    grouped(u64::from(r.totals.nodes)),
                    r.instance_type,
                    match r.os {
                        Os::Windows => "Windows",
                        Os::Linux => "Linux",
                    },
                    count(u64::from(r.per_node.pods_requested), "pod", "pods"),
                )
            })
        })
    };
    let mode = move || outcome.with(|o| o.result().map(mode_text));
    let mode_class = move || {
        outcome.with(
            |o| match o.result().map(|r| (r.mode, r.prefix_delegation_requested)) {
                Some((IpMode::PrefixDelegation, _)) => "badge badge--accent",
                Some((IpMode::SecondaryIp, true)) => "badge badge--warn",
                _ => "badge",
            },
        )
    };
    view! {
        <section class="summary" aria-label="Scenario summary" hidden=move || outcome.with(|o| o.result().is_none())>
            <p class="summary__text" id="scenario-summary">{summary}</p>
            <p class="summary__mode">
                "IP mode in effect: "
                <span class=mode_class id="mode">{mode}</span>
            </p>
        </section>
    }
}

fn explanation_for(result: &WhatIfResult, topic: &str) -> Option<Explanation> {
    result
        .explanations
        .iter()
        .find(|e| e.topic == topic)
        .map(|e| e.explanation.clone())
}

/// Per-node numbers: pod-IP capacity, pods that fit, held IPs, held prefixes, subnet addresses.
#[component]
fn PerNodeMetrics(outcome: Memo<Outcome>) -> impl IntoView {
    let pick = move |f: fn(&WhatIfResult) -> u64| {
        Signal::derive(move || outcome.with(|o| o.result().map(f)))
    };
    let text = move |f: fn(&WhatIfResult) -> String| {
        Signal::derive(move || outcome.with(|o| o.result().map(f).unwrap_or_default()))
    };
    let explain = move |f: fn(&WhatIfResult) -> Option<Explanation>| {
        Signal::derive(move || outcome.with(|o| o.result().and_then(f)))
    };
    view! {
        <section aria-labelledby="per-node-title">
            <h2 class="section-title" id="per-node-title">"Per node"</h2>
            <div class="metrics">
                <MetricCard
                    id="ip-capacity"
                    label="IP capacity"
                    unit="pod IPs"
                    value=pick(|r| u64::from(r.per_node.ip_capacity))
                    detail=text(|r| match r.mode {
                        IpMode::PrefixDelegation => format!(
                            "{} × {} /28 prefixes × 16",
                            count(u64::from(r.pool.pod_enis), "ENI", "ENIs"),
                            r.pool.slots_per_eni
                        ),
                        IpMode::SecondaryIp => format!(
                            "{} × {} secondary IPs",
                            count(u64::from(r.pool.pod_enis), "ENI", "ENIs"),
                            r.pool.slots_per_eni
                        ),
                    })
                    explanation=explain(|r| explanation_for(r, "max_pods"))
                />
                <MetricCard
                    id="pods-fit"
                    label="Pods that fit"
                    unit="pods"
                    value=pick(|r| u64::from(r.per_node.pods_that_fit))
                    detail=text(|r| {
                        if r.per_node.pods_that_fit < r.per_node.ip_capacity {
                            format!("capped by kubelet max-pods {}", r.per_node.kubelet_max_pods)
                        } else {
                            format!("limited by pod IPs (kubelet max-pods {})", r.per_node.kubelet_max_pods)
                        }
                    })
                    explanation=explain(|r| explanation_for(r, "pods_that_fit"))
                />
                <MetricCard
                    id="held-ips"
                    label="Held IPs"
                    unit="IPs"
                    value=pick(|r| u64::from(r.per_node.held.held_ips))
                    detail=text(|r| format!(
                        "{} in use by pods, {} warm",
                        grouped(u64::from(r.per_node.held.used_ips)),
                        grouped(u64::from(r.per_node.held.warm_ips))
                    ))
                    explanation=explain(|r| Some(r.per_node_held.explanation.clone()))
                />
                <MetricCard
                    id="held-prefixes"
                    label="Held prefixes"
                    unit="/28s"
                    value=pick(|r| u64::from(r.per_node.held.held_prefixes))
                    detail=text(|r| match r.mode {
                        IpMode::PrefixDelegation => format!("{} IPs in prefixes", grouped(u64::from(r.per_node.held.held_prefixes) * 16)),
                        IpMode::SecondaryIp => "secondary-IP mode holds no prefixes".to_string(),
                    })
                    explanation=explain(|r| Some(r.per_node_held.explanation.clone()))
                />
                <MetricCard
                    id="subnet-ips-per-node"
                    label="Subnet IPs"
                    unit="IPs"
                    value=pick(|r| u64::from(r.per_node.held.subnet_ips))
                    detail=text(|r| format!(
                        "{} primary + {} held",
                        grouped(u64::from(r.per_node.held.enis)),
                        grouped(u64::from(r.per_node.held.held_ips))
                    ))
                    explanation=explain(|r| {
                        let held = &r.per_node.held;
                        Some(
                            Explanation::new(
                                format!("{} ENI primary IPs + {} held pod IPs = {}", held.enis, held.held_ips, held.subnet_ips),
                                "shared::warm HeldCounts::subnet_ips; EC2: every ENI takes one primary IP from the subnet",
                            )
                            .input("ENIs", held.enis)
                            .input("held pod IPs", held.held_ips),
                        )
                    })
                />
            </div>
        </section>
    }
}

/// Totals for the nodegroup, each "nodes × per node" with the shared totals.
#[component]
fn NodegroupTotals(outcome: Memo<Outcome>) -> impl IntoView {
    let pick = move |f: fn(&WhatIfResult) -> u64| {
        Signal::derive(move || outcome.with(|o| o.result().map(f)))
    };
    let text = move |f: fn(&WhatIfResult) -> String| {
        Signal::derive(move || outcome.with(|o| o.result().map(f).unwrap_or_default()))
    };
    let explain = move |f: fn(&WhatIfResult) -> Option<Explanation>| {
        Signal::derive(move || outcome.with(|o| o.result().and_then(f)))
    };
    view! {
        <section aria-labelledby="totals-title">
            <h2 class="section-title" id="totals-title">"Whole nodegroup"</h2>
            <div class="metrics">
                <MetricCard
                    id="pods-scheduled"
                    label="Pods running"
                    unit="pods"
                    value=pick(|r| r.totals.pods_scheduled)
                    detail=text(|r| format!(
                        "of {} requested; room for {}",
                        grouped(r.totals.pods_requested),
                        grouped(r.totals.pod_capacity)
                    ))
                    explanation=explain(|r| Some(total_explanation(
                        r,
                        "pods that start",
                        u64::from(r.per_node.pods_scheduled),
                        r.totals.pods_scheduled,
                        "min(pods requested, pods that fit) per node",
                    )))
                />
                <MetricCard
                    id="pods-pending"
                    label="Pods pending"
                    unit="pods"
                    value=pick(|r| r.totals.pods_pending)
                    detail=text(|r| {
                        if r.totals.pods_pending == 0 {
                            "every pod fits".to_string()
                        } else {
                            format!("{} over capacity", count(u64::from(r.totals.nodes_over_capacity), "node", "nodes"))
                        }
                    })
                    explanation=explain(|r| Some(total_explanation(
                        r,
                        "pending pods",
                        u64::from(r.per_node.pods_pending),
                        r.totals.pods_pending,
                        "pods requested − pods that fit, per node",
                    )))
                />
                <MetricCard
                    id="held-ips-total"
                    label="Held IPs"
                    unit="IPs"
                    value=pick(|r| r.totals.held_ips)
                    detail=text(|r| format!("{} warm", grouped(r.totals.warm_ips)))
                    explanation=explain(|r| Some(total_explanation(
                        r,
                        "held pod IPs",
                        u64::from(r.per_node.held.held_ips),
                        r.totals.held_ips,
                        "held pod IPs per node",
                    )))
                />
                <MetricCard
                    id="held-prefixes-total"
                    label="Held prefixes"
                    unit="/28s"
                    value=pick(|r| r.totals.held_prefixes)
                    detail=text(|r| format!("each a free, aligned /28 ({} addresses)", grouped(r.totals.held_prefixes * 16)))
                    explanation=explain(|r| Some(total_explanation(
                        r,
                        "held /28 prefixes",
                        u64::from(r.per_node.held.held_prefixes),
                        r.totals.held_prefixes,
                        "held prefixes per node",
                    )))
                />
                <MetricCard
                    id="subnet-ips-total"
                    label="Subnet IPs"
                    unit="IPs"
                    value=pick(|r| r.totals.subnet_ips)
                    detail=text(|r| format!("{} primary + {} held", grouped(r.totals.enis), grouped(r.totals.held_ips)))
                    explanation=explain(|r| Some(total_explanation(
                        r,
                        "subnet addresses",
                        u64::from(r.per_node.held.subnet_ips),
                        r.totals.subnet_ips,
                        "ENI primary IPs + held pod IPs per node",
                    )))
                />
            </div>
        </section>
    }
}

/// `10 nodes × 32 = 320` for a total that `shared` summed over identical nodes.
fn total_explanation(
    result: &WhatIfResult,
    what: &str,
    per_node: u64,
    total: u64,
    per_node_meaning: &str,
) -> Explanation {
    Explanation::new(
        format!(
            "{} nodes × {} {what} per node = {}",
            result.totals.nodes,
            grouped(per_node),
            grouped(total)
        ),
        "shared::whatif::evaluate (FleetTotals: summed node by node)",
    )
    .input("nodes", result.totals.nodes)
    .input(per_node_meaning, per_node)
}
