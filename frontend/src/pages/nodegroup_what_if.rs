//! `/clusters/:region/:name/nodegroups/:nodegroup/what-if`: what-if on a real nodegroup.
//!
//! Starts from the nodegroup as scanned (`shared::observed::ObservedNodegroup` from the server:
//! instance type, OS, nodes with their pods and held IPs, the IP mode its ENIs show, the cluster's
//! IPAM settings or the defaults marked as assumed, its subnets' real allocations and reservations).
//! The user changes prefix delegation, warm targets, node count, instance type or kubelet max-pods
//! and sees before / after side by side. Every number is `shared::whatif::evaluate` (via
//! `shared::observed::evaluate_observed`, with the subnets parsed once) and
//! `shared::whatif::compare`, recomputed in the browser on every input: no server round trip.
//!
//! The URL carries only what differs from the observed nodegroup (`shared::observed::query_changes`,
//! written with `history.replaceState`), so a shared link opens the same scenario on the same data.
//! The last recompute time is in `data-recompute-ms` on `#what-if-results` (performance.now()
//! around the evaluation), for measuring.

use crate::api::ApiFailure;
use crate::components::before_after::{Better, CompareRow, compare_table_html};
use crate::components::breadcrumbs::{Crumb, breadcrumbs_html, cluster_href};
use crate::components::fields::{FormContext, SliderField, TextField, ToggleField};
use crate::components::html::esc;
use crate::components::instance_type_picker::InstanceTypePicker;
use crate::components::warm_target_slider::WarmTargetSlider;
use crate::components::warnings::WarningList;
use crate::format::{count, grouped, signed};
use crate::what_if_form::{
    Field, FieldMessage, Outcome, WhatIfForm, encode_query_component, field_for_error,
};
use leptos::prelude::*;
use shared::InstanceTypeTable;
use shared::maxpods::{IpMode, Os};
use shared::observed::{
    ObservedNodegroup, PodsBasis, Provenance, evaluate_observed, overlay_query, query_changes,
};
use shared::subnet::ParsedSubnet;
use shared::warm::{self, PoolRule};
use shared::whatif::{self, Comparison, Scenario, SubnetImpact, WhatIfResult};
use std::sync::Arc;

/// The page path for a nodegroup (the URL the query is appended to).
pub fn page_path(region: &str, cluster: &str, nodegroup: &str) -> String {
    crate::components::breadcrumbs::nodegroup_what_if_href(region, cluster, nodegroup)
}

/// The form showing the nodegroup as observed. The subnet control stays empty: the subnets are the
/// observed ones, passed pre-parsed, and never travel in the URL.
pub fn observed_form(observed: &ObservedNodegroup) -> WhatIfForm {
    let mut form = WhatIfForm::from_scenario(&Scenario::from_observed(observed));
    form.set(Field::Subnets, "");
    form
}

/// The form for a URL: the observed form with the URL's changes on top (shared `overlay_query`;
/// a bad value stays in its control with its message).
pub fn form_from_url(observed: &ObservedNodegroup, url_pairs: &[(String, String)]) -> WhatIfForm {
    let base = observed_form(observed).to_query_pairs();
    let mut form = WhatIfForm::from_query_pairs(&overlay_query(&base, url_pairs));
    form.set(Field::Subnets, "");
    form.set(Field::Os, observed.os.as_str());
    form
}

/// `?nodes=12&prefix_delegation=true`: only what differs from the observed form.
pub fn query_for(base: &WhatIfForm, form: &WhatIfForm) -> String {
    let mut query = String::new();
    for (key, value) in query_changes(&base.to_query_pairs(), &form.to_query_pairs()) {
        query.push(if query.is_empty() { '?' } else { '&' });
        query.push_str(&encode_query_component(&key));
        query.push('=');
        query.push_str(&encode_query_component(&value));
    }
    query
}

/// Evaluate the form as the "after" scenario: OS and per-node pods pinned to the observation, the
/// observed subnets pre-parsed.
pub fn evaluate_after(
    form: &WhatIfForm,
    observed: &ObservedNodegroup,
    table: &InstanceTypeTable,
    subnets: &[ParsedSubnet],
) -> Outcome {
    let mut scenario = match form.scenario() {
        Ok(scenario) => scenario,
        Err(messages) => {
            let summary = summary_for(&messages);
            return Outcome::Invalid { messages, summary };
        }
    };
    scenario.subnets.clear();
    observed.apply_observed(&mut scenario);
    match evaluate_observed(&scenario, table, subnets) {
        Ok(result) => Outcome::Ready(Box::new(result)),
        Err(error) => {
            let message = error.to_string();
            let messages: Vec<FieldMessage> = field_for_error(&error)
                .map(|field| FieldMessage {
                    field,
                    message: message.clone(),
                })
                .into_iter()
                .collect();
            let summary = if messages.is_empty() {
                message
            } else {
                summary_for(&messages)
            };
            Outcome::Invalid { messages, summary }
        }
    }
}

fn summary_for(messages: &[FieldMessage]) -> String {
    match messages {
        [only] => format!(
            "Fix the highlighted control to see the “after”: {}",
            only.message
        ),
        _ => format!(
            "Fix the {} highlighted controls to see the “after”.",
            messages.len()
        ),
    }
}

/// One recompute: the "after" outcome, its comparison with "before", and how long it took.
#[derive(Debug, Clone, PartialEq)]
pub struct Recompute {
    pub outcome: Outcome,
    pub comparison: Option<Comparison>,
    /// performance.now() around evaluate + compare (0 natively).
    pub millis: f64,
}

/// Milliseconds from the browser's monotonic clock (0 on the host, where nothing is timed).
fn now_millis() -> f64 {
    #[cfg(target_arch = "wasm32")]
    {
        web_sys::window()
            .and_then(|w| w.performance())
            .map_or(0.0, |p| p.now())
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        0.0
    }
}

/// `0.42` (two decimals, by the browser's Number.toFixed: no float formatting code in the wasm).
fn millis_text(millis: f64) -> String {
    #[cfg(target_arch = "wasm32")]
    {
        js_sys::Number::from(millis)
            .to_fixed(2)
            .map(String::from)
            .unwrap_or_default()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = millis;
        "0.00".to_string()
    }
}

/// The routed page: reads the route, loads the observed nodegroup and the instance-type table.
#[component]
pub fn NodegroupWhatIfPage() -> impl IntoView {
    use leptos_router::hooks::{use_params_map, use_query_map};
    let params = use_params_map();
    let (region, cluster, nodegroup) = params.with_untracked(|p| {
        (
            p.get("region").unwrap_or_default(),
            p.get("name").unwrap_or_default(),
            p.get("nodegroup").unwrap_or_default(),
        )
    });
    let url_pairs: Vec<(String, String)> = use_query_map().with_untracked(|map| {
        map.into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    });
    // The nodegroup and the instance-type table (fetched once per app load, `api::instance_types_cached`),
    // loaded with spawn_local into a signal.
    let data = RwSignal::new(None::<Result<Loaded, ApiFailure>>);
    #[cfg(target_arch = "wasm32")]
    {
        let (region, cluster, nodegroup) = (region.clone(), cluster.clone(), nodegroup.clone());
        leptos::task::spawn_local(async move {
            let loaded = load(&region, &cluster, &nodegroup).await;
            // The user may have left the page while it loaded.
            let _ = data.try_set(Some(loaded));
        });
    }
    let crumbs = breadcrumbs_html(&[
        Crumb::link("Fleet", "/"),
        Crumb::link(
            format!("{cluster} ({region})"),
            cluster_href(&region, &cluster),
        ),
        Crumb::here(format!("{nodegroup} · what-if")),
    ]);
    view! {
        <div inner_html=crumbs></div>
        {move || match data.get() {
            Some(Err(failure)) => view! { <div inner_html=load_failure_html(&failure)></div> }.into_any(),
            Some(Ok((observed, table))) => {
                let form = RwSignal::new(form_from_url(&observed, &url_pairs));
                #[cfg(target_arch = "wasm32")]
                {
                    let base = observed_form(&observed);
                    let path = page_path(&observed.region, &observed.cluster, &observed.nodegroup);
                    crate::components::url_sync::keep_url_in_step(form, move |f| format!("{path}{}", query_for(&base, f)), false);
                }
                view! { <NodegroupWhatIfView observed table form/> }.into_any()
            }
            None => view! {
                <div class="notice" id="what-if-loading" role="status">
                    <span class="notice__icon" aria-hidden="true">"…"</span>
                    <p>"Loading the nodegroup as scanned and the instance-type table…"</p>
                </div>
            }
            .into_any(),
        }}
    }
}

/// The observed nodegroup and the instance-type table with its limits merged in.
type Loaded = (Arc<ObservedNodegroup>, Arc<InstanceTypeTable>);

#[cfg(target_arch = "wasm32")]
async fn load(region: &str, cluster: &str, nodegroup: &str) -> Result<Loaded, ApiFailure> {
    let observed = crate::api::fetch_observed_nodegroup(region, cluster, nodegroup).await?;
    let table = crate::api::instance_types_cached()
        .await
        .map_err(|message| ApiFailure {
            status: None,
            code: None,
            message: format!("the instance-type table could not be loaded: {message}"),
        })?;
    let table = Arc::new(observed.table(&table));
    Ok((Arc::new(observed), table))
}

/// The load error, saying what to do.
fn load_failure_html(failure: &ApiFailure) -> String {
    let hint = if failure.is_not_found() {
        " Pick the nodegroup again from its cluster page: the fleet may have been rescanned."
    } else if failure.is_no_snapshot() {
        " The page reloads the data when you come back."
    } else {
        ""
    };
    format!(
        "<div class=\"notice notice--error\" id=\"what-if-error\" role=\"alert\"><span class=\"notice__icon\" aria-hidden=\"true\">✕</span>\
         <p>This nodegroup could not be loaded: {}{hint}</p></div>",
        esc(&failure.message)
    )
}

/// The what-if for loaded data (rendered natively in tests).
#[component]
pub fn NodegroupWhatIfView(
    observed: Arc<ObservedNodegroup>,
    /// The instance-type table with the snapshot's limits merged in (`ObservedNodegroup::table`).
    table: Arc<InstanceTypeTable>,
    form: RwSignal<WhatIfForm>,
) -> impl IntoView {
    let base = observed_form(&observed);
    // Subnets parsed once: their allocations do not change while sliders move.
    let parsed = whatif::parse_subnets(&observed.subnet_states());
    let subnet_error = parsed.as_ref().err().map(ToString::to_string);
    let parsed: Arc<Vec<ParsedSubnet>> = Arc::new(parsed.unwrap_or_default());
    let before = evaluate_observed(&Scenario::from_observed(&observed), &table, &parsed);
    let before_error = before.as_ref().err().map(ToString::to_string);
    let before: Option<Arc<WhatIfResult>> = before.ok().map(Arc::new);

    let recompute = {
        let (observed, table, parsed, before) = (
            Arc::clone(&observed),
            Arc::clone(&table),
            Arc::clone(&parsed),
            before.clone(),
        );
        // Always notify: every form change is a new result, and a deep comparison of two results (with
        // `millis`, which always differs) would only cost time on each input.
        Memo::new_with_compare(
            move |_| {
                let start = now_millis();
                let outcome = form.with(|f| evaluate_after(f, &observed, &table, &parsed));
                let comparison = match (&before, outcome.result()) {
                    (Some(before), Some(after)) => Some(whatif::compare(before, after)),
                    _ => None,
                };
                Recompute {
                    outcome,
                    comparison,
                    millis: now_millis() - start,
                }
            },
            |_, _| true,
        )
    };
    let outcome =
        Memo::new_with_compare(move |_| recompute.with(|r| r.outcome.clone()), |_, _| true);
    let ctx = FormContext { form, outcome };
    let os = observed.os;
    let at_observed = {
        let base = base.clone();
        Memo::new(move |_| form.with(|f| *f == base))
    };
    let reset = {
        let base = base.clone();
        move |_| form.set(base.clone())
    };
    let ready_table = Signal::derive({
        let table = Arc::clone(&table);
        move || Some(Arc::clone(&table))
    });
    let observed_nodes = observed.nodes.len() as u32;
    let node_slider_max = (observed_nodes.saturating_mul(3)).clamp(30, whatif::MAX_NODE_COUNT);
    let title = format!("What-if: {}", observed.nodegroup);
    let lead_context = format!(
        "{} · {} · {} · {}",
        observed.cluster,
        observed.region,
        match os {
            Os::Windows => "Windows",
            Os::Linux => "Linux",
        },
        observed.kind.map_or("nodes in no nodegroup", |k| match k {
            shared::snapshot::NodegroupKind::Managed => "managed nodegroup",
            shared::snapshot::NodegroupKind::SelfManaged => "self-managed nodegroup",
            shared::snapshot::NodegroupKind::Karpenter => "Karpenter node pool",
            shared::snapshot::NodegroupKind::Ungrouped => "nodes in no nodegroup",
        })
    );
    // The observation (fixed) and the results (redrawn on every input) as HTML text.
    let mut facts_html = observed_html(&observed, before.as_deref());
    if let Some(error) = before_error {
        facts_html.push_str(&format!(
            "<div class=\"notice notice--error\" id=\"before-error\" role=\"alert\"><span class=\"notice__icon\" aria-hidden=\"true\">✕</span>\
             <p>The nodegroup as observed cannot be modelled ({}); the “before” column stays empty. Pick a known instance type to see an “after”.</p></div>",
            esc(&error)
        ));
    }
    if let Some(error) = subnet_error {
        facts_html.push_str(&format!(
            "<div class=\"notice notice--error\" id=\"subnet-error\" role=\"alert\"><span class=\"notice__icon\" aria-hidden=\"true\">✕</span>\
             <p>The subnets' scanned state cannot be used ({}): subnet headroom is not shown.</p></div>",
            esc(&error)
        ));
    }
    let typical = observed.typical_pods_per_node();
    let results = move || recompute.with(|r| results_html(r, before.as_deref(), typical));
    view! {
        <div class="page-header">
            <div>
                <h1 id="what-if-title">{title}</h1>
                <p class="page-header__lead">
                    <span class="ng-context">{lead_context}</span>
                    " — starts from the nodegroup as scanned. Change one thing at a time and compare: every number is recomputed in your browser as you move a control, and the address bar keeps your changes so you can share them."
                </p>
            </div>
            <button
                type="button"
                class="button"
                id="reset-observed"
                disabled=move || at_observed.get()
                on:click=reset
            >
                <span aria-hidden="true">"↺"</span>
                "Reset to observed"
            </button>
        </div>
        <div inner_html=facts_html></div>
        <div class="what-if ng-what-if">
            <aside class="card what-if__controls" aria-label="Changes to try">
                <h2 class="section-title">"Change"</h2>
                <ToggleField
                    ctx
                    field=Field::PrefixDelegation
                    label="Prefix delegation"
                    setting=match os {
                        Os::Windows => "enable-windows-prefix-delegation".to_string(),
                        Os::Linux => "ENABLE_PREFIX_DELEGATION".to_string(),
                    }
                    help=format!("Observed: {}.", observed.ip_mode_basis)
                />
                <SliderField
                    ctx
                    field=Field::Nodes
                    label="Nodes"
                    unit="nodes"
                    min=0
                    max=node_slider_max
                    help=format!("Observed: {}. Removing nodes drops the last ones; added nodes get the pods below.", count(u64::from(observed_nodes), "node", "nodes"))
                />
                <InstanceTypePicker ctx table=ready_table/>
                <SliderField
                    ctx
                    field=Field::PodsPerNode
                    label="Pods on each added node"
                    unit="pods"
                    min=0
                    max=250u32
                    help="Only for nodes beyond the observed ones; the observed nodes keep their own pods. Starts at the observed average."
                />
                <TextField
                    ctx
                    field=Field::KubeletMaxPods
                    label="kubelet max-pods"
                    setting="--max-pods"
                    numeric=true
                    placeholder=match os {
                        Os::Windows => "default 110".to_string(),
                        Os::Linux => "default: max-pods-calculator".to_string(),
                    }
                    help=match observed.kubelet_max_pods {
                        Some(n) => format!("Observed in the user data: --max-pods={n}."),
                        None => "Not set in the user data: the default applies.".to_string(),
                    }
                />
                <hr class="divider"/>
                {match os {
                    Os::Windows => view! { <WindowsWarmSliders ctx observed=Arc::clone(&observed)/> }.into_any(),
                    Os::Linux => view! { <LinuxWarmSliders ctx observed=Arc::clone(&observed)/> }.into_any(),
                }}
                <p class="field__help" id="warm-in-force">{move || outcome.with(|o| o.result().map(warm_in_force).unwrap_or_default())}</p>
            </aside>
            <div
                class="what-if__results"
                id="what-if-results"
                data-recompute-ms=move || recompute.with(|r| millis_text(r.millis))
            >
                <div class="what-if__tables" inner_html=results></div>
                <section class="card" aria-labelledby="warnings-title">
                    <div class="card__title">
                        <h2 id="warnings-title">"Warnings after the change"</h2>
                        <span class="card__hint" id="warnings-delta">
                            {move || recompute.with(|r| r.comparison.as_ref().map(warning_delta_words).unwrap_or_default())}
                        </span>
                    </div>
                    <div id="warnings">
                        <WarningList warnings=Signal::derive(move || recompute.with(|r| r.outcome.result().map(|a| a.warnings.clone())))/>
                    </div>
                </section>
            </div>
        </div>
    }
}

/// "In force: warm IP target 3, minimum IP target 3 (secondary IPs)" after defaults and overrides.
fn warm_in_force(result: &WhatIfResult) -> String {
    let rule = match result.pool.rule {
        PoolRule::WarmIps {
            warm_ip_target,
            minimum_ip_target,
        } => format!(
            "warm IP target {warm_ip_target}, minimum IP target {minimum_ip_target} (secondary IPs)"
        ),
        PoolRule::WarmEnis { warm_eni_target } => {
            format!("warm ENI target {warm_eni_target} (whole ENIs)")
        }
        PoolRule::PrefixesForIps {
            warm_ip_target,
            minimum_ip_target,
        } => format!(
            "warm IP target {warm_ip_target}, minimum IP target {minimum_ip_target} (in /28 prefixes)"
        ),
        PoolRule::WarmPrefixes { warm_prefix_target } => {
            format!("warm prefix target {warm_prefix_target} (whole /28 prefixes)")
        }
    };
    format!("After: in force on each node: {rule}.")
}

/// "observed 5" / "assumed default" for a target, shown under its slider.
fn observed_words(value: Option<i64>, ipam: Provenance) -> String {
    match (value, ipam) {
        (Some(v), _) => format!("Observed: {v}."),
        (None, Provenance::Observed) => "Observed: not set (the default applies).".to_string(),
        (None, Provenance::Assumed) => {
            "Not read from the cluster: the default is assumed.".to_string()
        }
    }
}

/// Windows: the `amazon-vpc-cni` ConfigMap targets as sliders.
#[component]
fn WindowsWarmSliders(ctx: FormContext, observed: Arc<ObservedNodegroup>) -> impl IntoView {
    let form = ctx.form;
    let pd = Memo::new(move |_| form.with(|f| f.prefix_delegation()));
    let ipam = observed.ipam;
    let warm = observed.windows_warm;
    view! {
        <h2 class="section-title">"Warm pool · amazon-vpc-cni ConfigMap"</h2>
        <WarmTargetSlider
            ctx
            field=Field::WinWarmIpTarget
            label="Warm IP target"
            setting="windows-warm-ip-target"
            max=64
            default_value=Signal::derive(move || default(if pd.get() { warm::WINDOWS_PD_DEFAULT_WARM_IP_TARGET } else { warm::WINDOWS_SECONDARY_DEFAULT_WARM_IP_TARGET }))
            default_words=Signal::derive(move || if pd.get() { warm::WINDOWS_PD_DEFAULT_WARM_IP_TARGET } else { warm::WINDOWS_SECONDARY_DEFAULT_WARM_IP_TARGET }.to_string())
            help=Signal::derive(move || format!("Free IPs kept beyond the pods in use. {}", observed_words(warm.warm_ip_target, ipam)))
        />
        <WarmTargetSlider
            ctx
            field=Field::WinMinimumIpTarget
            label="Minimum IP target"
            setting="windows-minimum-ip-target"
            max=64
            default_value=Signal::derive(move || default(if pd.get() { warm::WINDOWS_PD_DEFAULT_MINIMUM_IP_TARGET } else { warm::WINDOWS_SECONDARY_DEFAULT_MINIMUM_IP_TARGET }))
            default_words=Signal::derive(move || if pd.get() { warm::WINDOWS_PD_DEFAULT_MINIMUM_IP_TARGET } else { warm::WINDOWS_SECONDARY_DEFAULT_MINIMUM_IP_TARGET }.to_string())
            help=Signal::derive(move || format!("Floor on IPs allocated (used + free). {}", observed_words(warm.minimum_ip_target, ipam)))
        />
        <WarmTargetSlider
            ctx
            field=Field::WinWarmPrefixTarget
            label="Warm prefix target"
            setting="windows-warm-prefix-target"
            max=16
            default_value=Signal::derive(|| default(warm::WINDOWS_PD_DEFAULT_WARM_PREFIX_TARGET))
            default_words=Signal::derive(|| warm::WINDOWS_PD_DEFAULT_WARM_PREFIX_TARGET.to_string())
            help=Signal::derive(move || {
                let role = if pd.get() {
                    "Whole free /28 prefixes kept; ignored while a warm or minimum IP target is set."
                } else {
                    "Prefix delegation only: ignored in secondary-IP mode."
                };
                format!("{role} {}", observed_words(warm.warm_prefix_target, ipam))
            })
        />
    }
}

/// A `shared::warm` default as a slider position (the defaults are single digits).
fn default(value: u64) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

/// Linux: the `aws-node` environment targets as sliders.
#[component]
fn LinuxWarmSliders(ctx: FormContext, observed: Arc<ObservedNodegroup>) -> impl IntoView {
    let ipam = observed.ipam;
    let warm = observed.linux_warm;
    view! {
        <h2 class="section-title">"Warm pool · aws-node environment"</h2>
        <WarmTargetSlider
            ctx
            field=Field::LinuxWarmEniTarget
            label="Warm ENI target"
            setting="WARM_ENI_TARGET"
            max=8
            default_value=Signal::derive(|| default(warm::LINUX_DEFAULT_WARM_ENI_TARGET))
            default_words=Signal::derive(|| warm::LINUX_DEFAULT_WARM_ENI_TARGET.to_string())
            help=Signal::derive(move || format!("Whole free ENIs kept (ignored when WARM_IP_TARGET or MINIMUM_IP_TARGET is set). {}", observed_words(warm.warm_eni_target, ipam)))
        />
        <WarmTargetSlider
            ctx
            field=Field::LinuxWarmIpTarget
            label="Warm IP target"
            setting="WARM_IP_TARGET"
            max=64
            default_value=Signal::derive(|| 0)
            default_words=Signal::derive(|| "–".to_string())
            help=Signal::derive(move || format!("Free IPs kept beyond the pods in use (0 = unset). {}", observed_words(warm.warm_ip_target, ipam)))
        />
        <WarmTargetSlider
            ctx
            field=Field::LinuxMinimumIpTarget
            label="Minimum IP target"
            setting="MINIMUM_IP_TARGET"
            max=64
            default_value=Signal::derive(|| 0)
            default_words=Signal::derive(|| "–".to_string())
            help=Signal::derive(move || format!("Floor on IPs allocated (0 = unset). {}", observed_words(warm.minimum_ip_target, ipam)))
        />
        <WarmTargetSlider
            ctx
            field=Field::LinuxWarmPrefixTarget
            label="Warm prefix target"
            setting="WARM_PREFIX_TARGET"
            max=16
            default_value=Signal::derive(|| default(warm::LINUX_MANIFEST_WARM_PREFIX_TARGET))
            default_words=Signal::derive(|| warm::LINUX_MANIFEST_WARM_PREFIX_TARGET.to_string())
            help=Signal::derive(move || format!("Whole free /28 prefixes kept (prefix delegation). {}", observed_words(warm.warm_prefix_target, ipam)))
        />
    }
}

/// "Starting point": what was observed and what is assumed, each labelled. HTML text.
pub fn observed_html(o: &ObservedNodegroup, before: Option<&WhatIfResult>) -> String {
    let types = o
        .instance_types_seen
        .iter()
        .filter(|c| c.nodes > 0)
        .map(|c| format!("{} × {}", grouped(u64::from(c.nodes)), c.instance_type))
        .collect::<Vec<_>>();
    let nodes_text = if types.is_empty() {
        format!("no nodes running (configured: {})", o.instance_type)
    } else {
        types.join(", ")
    };
    let pods_min = o.nodes.iter().map(|n| n.pods).min().unwrap_or(0);
    let pods_max = o.nodes.iter().map(|n| n.pods).max().unwrap_or(0);
    let (pods_tag, pods_class, pods_basis) = match o.pods_basis {
        PodsBasis::Observed => ("observed", "tag tag--observed", "counted on every node"),
        PodsBasis::EstimatedFromHeldIps => (
            "estimated",
            "tag tag--assumed",
            "not observed (no Kubernetes access): the fewest pods that explain each node's held IPs",
        ),
        PodsBasis::Partly => (
            "partly estimated",
            "tag tag--assumed",
            "counted where known, else the fewest pods that explain the held IPs",
        ),
        PodsBasis::NoNodes => ("no nodes", "tag", "no nodes running"),
    };
    let observed_held = o.observed_held_ips();
    let held_check = before.map(|b| {
        let model = b.totals.held_ips;
        if model == observed_held {
            ("✓ the model reproduces it".to_string(), "held-check held-check--ok")
        } else {
            (
                format!(
                    "! the model gives {} ({}): the nodes hold what the controller kept under other settings or pods",
                    grouped(model),
                    signed(
                        i64::try_from(model).unwrap_or(i64::MAX)
                            - i64::try_from(observed_held).unwrap_or(i64::MAX)
                    )
                ),
                "held-check held-check--differs",
            )
        }
    });
    let (ipam_tag, ipam_class, ipam_source) = match (o.ipam, o.os) {
        (Provenance::Observed, Os::Windows) => (
            "read",
            "tag tag--observed",
            "kube-system/amazon-vpc-cni ConfigMap",
        ),
        (Provenance::Observed, Os::Linux) => ("read", "tag tag--observed", "aws-node environment"),
        (Provenance::Assumed, Os::Windows) => (
            "assumed",
            "tag tag--assumed",
            "controller defaults (ConfigMap not read)",
        ),
        (Provenance::Assumed, Os::Linux) => (
            "assumed",
            "tag tag--assumed",
            "VPC CNI manifest defaults (aws-node not read)",
        ),
    };
    let targets = match o.os {
        Os::Windows => {
            let w = o.windows_warm;
            vec![
                ("windows-warm-ip-target", w.warm_ip_target),
                ("windows-minimum-ip-target", w.minimum_ip_target),
                ("windows-warm-prefix-target", w.warm_prefix_target),
            ]
        }
        Os::Linux => {
            let l = o.linux_warm;
            vec![
                ("WARM_ENI_TARGET", l.warm_eni_target),
                ("WARM_IP_TARGET", l.warm_ip_target),
                ("MINIMUM_IP_TARGET", l.minimum_ip_target),
                ("WARM_PREFIX_TARGET", l.warm_prefix_target),
            ]
        }
    };
    let targets_text = targets
        .into_iter()
        .map(|(key, value)| match value {
            Some(v) => format!("{key}={v}"),
            None => format!("{key} default"),
        })
        .collect::<Vec<_>>()
        .join(" · ");
    let kubelet = match o.kubelet_max_pods {
        Some(n) => format!("--max-pods={n} (user data)"),
        None => match o.os {
            Os::Windows => "not set: default 110".to_string(),
            Os::Linux => "not set: max-pods-calculator default".to_string(),
        },
    };
    // (term, tag (class, text, id), dd id, data-value, text, note, check)
    type Fact = (
        &'static str,
        Option<(&'static str, &'static str, &'static str)>,
        &'static str,
        Option<u64>,
        String,
        Option<String>,
        Option<(String, &'static str)>,
    );
    let facts: [Fact; 6] = [
        (
            "Nodes",
            None,
            "observed-nodes",
            Some(o.nodes.len() as u64),
            nodes_text,
            None,
            None,
        ),
        (
            "IP mode",
            None,
            "observed-mode",
            None,
            if o.prefix_delegation {
                "prefix delegation"
            } else {
                "secondary IP"
            }
            .to_string(),
            Some(o.ip_mode_basis.clone()),
            None,
        ),
        (
            "Pods with a VPC IP",
            Some((pods_class, pods_tag, "observed-pods-tag")),
            "observed-pods",
            None,
            format!(
                "{}–{} per node, {} on average",
                grouped(u64::from(pods_min)),
                grouped(u64::from(pods_max)),
                grouped(u64::from(o.typical_pods_per_node()))
            ),
            Some(pods_basis.to_string()),
            None,
        ),
        (
            "Held pod IPs",
            None,
            "observed-held",
            Some(observed_held),
            format!(
                "{} IPs, {} prefixes",
                grouped(observed_held),
                grouped(o.observed_prefixes())
            ),
            None,
            held_check,
        ),
        (
            "Warm targets",
            Some((ipam_class, ipam_tag, "observed-ipam-tag")),
            "observed-ipam",
            None,
            ipam_source.to_string(),
            Some(targets_text),
            None,
        ),
        (
            "kubelet max-pods",
            None,
            "observed-kubelet",
            None,
            kubelet,
            None,
            None,
        ),
    ];
    let mut out = String::from(
        "<section class=\"card observed-facts\" id=\"observed\" aria-labelledby=\"observed-title\">\
         <div class=\"card__title\"><h2 id=\"observed-title\">Starting point, as scanned</h2>\
         <span class=\"card__hint\">the “before” column below</span></div><dl class=\"facts\">",
    );
    for (term, tag, id, value, text, note, check) in facts {
        out.push_str(&format!("<div><dt>{term}"));
        if let Some((class, tag_text, tag_id)) = tag {
            out.push_str(&format!(
                " <span class=\"{class}\" id=\"{tag_id}\">{tag_text}</span>"
            ));
        }
        out.push_str(&format!("</dt><dd id=\"{id}\""));
        if let Some(value) = value {
            out.push_str(&format!(" data-value=\"{value}\""));
        }
        out.push_str(&format!(">{}", esc(&text)));
        if let Some(note) = note {
            out.push_str(&format!(
                "<span class=\"facts__note\">{}</span>",
                esc(&note)
            ));
        }
        if let Some((check, class)) = check {
            out.push_str(&format!(
                "<span class=\"{class}\" id=\"observed-held-check\">{}</span>",
                esc(&check)
            ));
        }
        out.push_str("</dd></div>");
    }
    out.push_str("</dl><h3 class=\"section-title\">Subnets (without this nodegroup's own addresses, which the model puts back)</h3>");
    if o.subnets.is_empty() {
        out.push_str("<p class=\"field__help\" id=\"observed-no-subnets\">No subnet of this nodegroup is in the snapshot: subnet headroom cannot be shown.</p>");
    } else {
        out.push_str(
            "<div class=\"table-scroll\"><table class=\"table observed-subnets\" id=\"observed-subnets\"><thead><tr>\
             <th scope=\"col\">Subnet</th><th scope=\"col\">CIDR</th><th scope=\"col\">AZ</th><th scope=\"col\" class=\"num\">Others hold</th>\
             <th scope=\"col\" class=\"num\">Free now (AWS)</th><th scope=\"col\" class=\"num\">This nodegroup holds</th>\
             <th scope=\"col\" class=\"num\">Nodes seen / modelled</th><th scope=\"col\">Reservations</th></tr></thead><tbody>",
        );
        for subnet in &o.subnets {
            let id = subnet.state.subnet_id.clone().unwrap_or_default();
            let reservations = if subnet.state.reservations.is_empty() {
                "none".to_string()
            } else {
                subnet
                    .state
                    .reservations
                    .iter()
                    .map(|r| {
                        format!(
                            "{} {}",
                            r.cidr,
                            match r.reservation_type {
                                shared::snapshot::ReservationType::Prefix => "prefix",
                                shared::snapshot::ReservationType::Explicit => "explicit",
                            }
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let (others, own) = if subnet.allocations_known {
                (
                    format!(
                        "{} IPs · {} /28s",
                        grouped(subnet.state.allocated_ips.len() as u64),
                        grouped(subnet.state.allocated_prefixes.len() as u64)
                    ),
                    format!("{} addresses", grouped(subnet.own_addresses_removed)),
                )
            } else {
                ("not read".to_string(), "allocations not read".to_string())
            };
            out.push_str(&format!(
                "<tr data-subnet=\"{}\"><td class=\"mono\">{}</td><td class=\"mono\">{}</td><td>{}</td><td class=\"num\">{}</td>\
                 <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{} / {}</td><td class=\"mono\">{}</td></tr>",
                esc(&id),
                esc(&id),
                esc(&subnet.state.cidr),
                esc(subnet.availability_zone.as_deref().unwrap_or("–")),
                others,
                subnet
                    .available_ip_count
                    .map_or_else(|| "unknown".to_string(), |n| grouped(u64::from(n))),
                own,
                subnet.nodes_observed,
                subnet.nodes_modelled,
                esc(&reservations)
            ));
        }
        out.push_str("</tbody></table></div>");
    }
    let notes: Vec<&String> = o.ipam_notes.iter().chain(&o.notes).collect();
    if !notes.is_empty() {
        out.push_str("<ul class=\"observed-notes\" id=\"observed-notes\">");
        for note in notes {
            out.push_str(&format!("<li>{}</li>", esc(note)));
        }
        out.push_str("</ul>");
    }
    out.push_str("</section>");
    out
}

fn mode_words(mode: IpMode) -> &'static str {
    match mode {
        IpMode::PrefixDelegation => "prefix delegation",
        IpMode::SecondaryIp => "secondary IP",
    }
}

/// Mode change, timing, the two before/after tables and the subnets: HTML text, redrawn on every
/// input (the warnings list is a view next to it).
pub fn results_html(r: &Recompute, before: Option<&WhatIfResult>, typical_pods: u32) -> String {
    let after = r.outcome.result();
    let delta = r.comparison.as_ref();
    let mut out = String::new();
    if let Outcome::Invalid { summary, .. } = &r.outcome {
        out.push_str(&format!(
            "<div class=\"notice notice--error\" id=\"results-status\" role=\"alert\"><span class=\"notice__icon\" aria-hidden=\"true\">✕</span><p>{}</p></div>",
            esc(summary)
        ));
    }
    out.push_str(&format!(
        "<section class=\"summary ng-summary\" aria-label=\"Change summary\"><p class=\"summary__text\" id=\"mode-change\">\
         IP mode: <strong id=\"mode-before\">{}</strong> → <strong id=\"mode-after\">{}</strong></p>\
         <p class=\"summary__timing\" id=\"recompute-time\">Recomputed in your browser in <span id=\"recompute-ms\">{}</span> ms</p></section>",
        before.map_or("—", |b| mode_words(b.mode)),
        after.map_or("—", |a| mode_words(a.mode)),
        millis_text(r.millis)
    ));
    out.push_str(&format!(
        "<section class=\"card\" aria-labelledby=\"per-node-title\"><div class=\"card__title\"><h2 id=\"per-node-title\">Per node</h2>\
         <span class=\"card__hint\">one node with the typical {} pods</span></div>",
        grouped(u64::from(typical_pods))
    ));
    compare_table_html(
        &mut out,
        "compare-per-node",
        "Per node: before and after",
        &per_node_rows(before, after, delta),
    );
    out.push_str(
        "</section><section class=\"card\" aria-labelledby=\"totals-title\"><div class=\"card__title\"><h2 id=\"totals-title\">Whole nodegroup</h2>\
         <span class=\"card__hint\">every node with its own pods</span></div>",
    );
    compare_table_html(
        &mut out,
        "compare-totals",
        "Whole nodegroup: before and after",
        &total_rows(before, after, delta),
    );
    out.push_str(
        "</section><section class=\"card\" aria-labelledby=\"subnets-title\"><div class=\"card__title\"><h2 id=\"subnets-title\">Subnet headroom</h2>\
         <span class=\"card__hint\">nodes spread round-robin; /28s best case</span></div>",
    );
    subnets_html(&mut out, before, after, delta);
    out.push_str("</section>");
    out
}

fn warning_delta_words(comparison: &Comparison) -> String {
    let codes = |list: &[whatif::WarningCode]| {
        list.iter()
            .map(|c| c.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    match (
        comparison.warnings_added.is_empty(),
        comparison.warnings_removed.is_empty(),
    ) {
        (true, true) => "same warnings as before".to_string(),
        (false, true) => format!("new: {}", codes(&comparison.warnings_added)),
        (true, false) => format!("resolved: {}", codes(&comparison.warnings_removed)),
        (false, false) => format!(
            "new: {} · resolved: {}",
            codes(&comparison.warnings_added),
            codes(&comparison.warnings_removed)
        ),
    }
}

/// Per-node rows (one node with the typical pods).
pub fn per_node_rows(
    before: Option<&WhatIfResult>,
    after: Option<&WhatIfResult>,
    delta: Option<&Comparison>,
) -> Vec<CompareRow> {
    let b = |f: fn(&WhatIfResult) -> u32| before.map(|r| u64::from(f(r)));
    let a = |f: fn(&WhatIfResult) -> u32| after.map(|r| u64::from(f(r)));
    let d = |f: fn(&Comparison) -> i64| delta.map(f);
    vec![
        CompareRow {
            id: "cmp-ip-capacity",
            label: "Pod-IP capacity",
            unit: "pod IPs",
            before: b(|r| r.per_node.ip_capacity),
            after: a(|r| r.per_node.ip_capacity),
            delta: d(|c| c.ip_capacity),
            better: Better::Higher,
        },
        CompareRow {
            id: "cmp-pods-fit",
            label: "Pods that fit",
            unit: "pods",
            before: b(|r| r.per_node.pods_that_fit),
            after: a(|r| r.per_node.pods_that_fit),
            delta: d(|c| c.pods_that_fit_per_node),
            better: Better::Higher,
        },
        CompareRow {
            id: "cmp-held-ips-per-node",
            label: "Held pod IPs",
            unit: "IPs",
            before: b(|r| r.per_node.held.held_ips),
            after: a(|r| r.per_node.held.held_ips),
            delta: d(|c| c.held_ips_per_node),
            better: Better::Neutral,
        },
        CompareRow {
            id: "cmp-held-prefixes-per-node",
            label: "Held /28 prefixes",
            unit: "prefixes",
            before: b(|r| r.per_node.held.held_prefixes),
            after: a(|r| r.per_node.held.held_prefixes),
            delta: d(|c| c.held_prefixes_per_node),
            better: Better::Neutral,
        },
        CompareRow {
            id: "cmp-subnet-ips-per-node",
            label: "Subnet addresses",
            unit: "IPs",
            before: b(|r| r.per_node.held.subnet_ips),
            after: a(|r| r.per_node.held.subnet_ips),
            delta: d(|c| c.subnet_ips_per_node),
            better: Better::Lower,
        },
    ]
}

/// Whole-nodegroup rows (every node with its own pods).
pub fn total_rows(
    before: Option<&WhatIfResult>,
    after: Option<&WhatIfResult>,
    delta: Option<&Comparison>,
) -> Vec<CompareRow> {
    let b = |f: fn(&WhatIfResult) -> u64| before.map(f);
    let a = |f: fn(&WhatIfResult) -> u64| after.map(f);
    let d = |f: fn(&Comparison) -> i64| delta.map(f);
    vec![
        CompareRow {
            id: "cmp-nodes",
            label: "Nodes",
            unit: "nodes",
            before: b(|r| u64::from(r.totals.nodes)),
            after: a(|r| u64::from(r.totals.nodes)),
            delta: None,
            better: Better::Neutral,
        },
        CompareRow {
            id: "cmp-pod-capacity",
            label: "Pods that fit",
            unit: "pods",
            before: b(|r| r.totals.pod_capacity),
            after: a(|r| r.totals.pod_capacity),
            delta: d(|c| c.pod_capacity),
            better: Better::Higher,
        },
        CompareRow {
            id: "cmp-pods-scheduled",
            label: "Pods that start",
            unit: "pods",
            before: b(|r| r.totals.pods_scheduled),
            after: a(|r| r.totals.pods_scheduled),
            delta: d(|c| c.pods_scheduled),
            better: Better::Higher,
        },
        CompareRow {
            id: "cmp-pods-pending",
            label: "Pods left Pending",
            unit: "pods",
            before: b(|r| r.totals.pods_pending),
            after: a(|r| r.totals.pods_pending),
            delta: d(|c| c.pods_pending),
            better: Better::Lower,
        },
        CompareRow {
            id: "cmp-held-ips",
            label: "Held pod IPs",
            unit: "IPs",
            before: b(|r| r.totals.held_ips),
            after: a(|r| r.totals.held_ips),
            delta: d(|c| c.held_ips),
            better: Better::Neutral,
        },
        CompareRow {
            id: "cmp-held-prefixes",
            label: "Held /28 prefixes",
            unit: "prefixes",
            before: b(|r| r.totals.held_prefixes),
            after: a(|r| r.totals.held_prefixes),
            delta: d(|c| c.held_prefixes),
            better: Better::Neutral,
        },
        CompareRow {
            id: "cmp-subnet-ips",
            label: "Subnet addresses",
            unit: "IPs",
            before: b(|r| r.totals.subnet_ips),
            after: a(|r| r.totals.subnet_ips),
            delta: d(|c| c.subnet_ips),
            better: Better::Lower,
        },
    ]
}

fn verdict(impact: &SubnetImpact) -> (String, bool) {
    let ips = if impact.enough_ips {
        "✓ IPs".to_string()
    } else {
        format!("✕ {} IPs short", grouped(impact.ip_shortfall))
    };
    let blocks = if impact.prefixes_needed == 0 {
        "– no /28s needed".to_string()
    } else if impact.enough_contiguous_blocks {
        "✓ contiguous /28s".to_string()
    } else {
        format!("✕ {} /28s short", grouped(impact.prefix_shortfall))
    };
    (
        format!("{ips} · {blocks}"),
        impact.enough_ips && impact.enough_contiguous_blocks,
    )
}

/// One row group per subnet: nodes, addresses taken, free IPs and free /28 blocks left, use and
/// verdict, before and after.
fn subnets_html(
    out: &mut String,
    before: Option<&WhatIfResult>,
    after: Option<&WhatIfResult>,
    delta: Option<&Comparison>,
) {
    let Some(before) = before.filter(|b| !b.subnets.is_empty()) else {
        out.push_str("<p class=\"field__help\" id=\"subnet-compare-empty\">No subnet of this nodegroup could be modelled (see the notes above), so headroom is not shown.</p>");
        return;
    };
    out.push_str(
        "<div class=\"table-scroll\"><table class=\"table subnet-compare\" id=\"subnet-compare\"><thead><tr>\
         <th scope=\"col\">Subnet</th><th scope=\"col\" class=\"num\">Nodes</th><th scope=\"col\" class=\"num\">Addresses taken</th>\
         <th scope=\"col\" class=\"num\">Free IPs left</th><th scope=\"col\" class=\"num\">Free /28 blocks left</th>\
         <th scope=\"col\" class=\"num\">Used</th><th scope=\"col\">Enough?</th></tr></thead>",
    );
    for (index, b) in before.subnets.iter().enumerate() {
        let a = after.and_then(|a| a.subnets.get(index));
        let d = delta.and_then(|c| c.subnets.get(index));
        let key = b.subnet_id.clone().unwrap_or_else(|| b.cidr.to_string());
        out.push_str(&format!(
            "<tbody class=\"subnet-compare__group\" data-subnet=\"{}\"><tr><th scope=\"rowgroup\" rowspan=\"2\" class=\"subnet-compare__name\">\
             <span class=\"mono\">{}</span><span class=\"subnet-compare__cidr mono\">{}</span></th>",
            esc(&key),
            b.cidr,
            esc(b.subnet_id.as_deref().unwrap_or(""))
        ));
        subnet_cells(out, index, "before", Some(b), None);
        out.push_str("</tr><tr class=\"subnet-compare__after\">");
        subnet_cells(out, index, "after", a, d);
        out.push_str("</tr></tbody>");
    }
    out.push_str("</table></div>");
}

/// The cells of one subnet row: `subnet-{index}-{free,blocks,verdict}-{when}` ids with raw values.
fn subnet_cells(
    out: &mut String,
    index: usize,
    when: &str,
    impact: Option<&SubnetImpact>,
    delta: Option<&whatif::SubnetDelta>,
) {
    let Some(i) = impact else {
        out.push_str(&format!(
            "<td class=\"num\"><span class=\"subnet-compare__when\">{when}</span>—</td><td class=\"num\">—</td>\
             <td class=\"num\" id=\"subnet-{index}-free-{when}\">—</td><td class=\"num\" id=\"subnet-{index}-blocks-{when}\">—</td>\
             <td class=\"num\">—</td><td class=\"verdict\" id=\"subnet-{index}-verdict-{when}\">—</td>"
        ));
        return;
    };
    let (verdict_text, ok) = verdict(i);
    let small = |value: Option<i64>| {
        value.map_or(String::new(), |v| {
            format!("<span class=\"delta\">{}</span>", signed(v))
        })
    };
    out.push_str(&format!(
        "<td class=\"num\"><span class=\"subnet-compare__when\">{when}</span>{}</td><td class=\"num\" id=\"subnet-{index}-taken-{when}\">{}</td>\
         <td class=\"num\" id=\"subnet-{index}-free-{when}\" data-value=\"{}\">{}{}</td>\
         <td class=\"num\" id=\"subnet-{index}-blocks-{when}\" data-value=\"{}\">{}{}</td><td class=\"num\">{}%</td>\
         <td class=\"verdict{}\" id=\"subnet-{index}-verdict-{when}\">{}</td>",
        grouped(u64::from(i.nodes)),
        grouped(i.addresses_needed),
        i.free_ips_after,
        grouped(i.free_ips_after),
        small(delta.map(|d| d.free_ips_after)),
        i.free_prefix_slots_after,
        grouped(i.free_prefix_slots_after),
        small(delta.map(|d| d.free_prefix_slots_after)),
        i.used_percent_after,
        if ok { "" } else { " verdict--bad" },
        esc(&verdict_text)
    ));
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::observed::{InstanceTypeCount, ObservedNode, ObservedSubnet};
    use shared::subnet::SubnetState;
    use shared::warm::{LinuxWarmInput, WindowsWarmInput};

    fn table() -> InstanceTypeTable {
        InstanceTypeTable::from_json(include_str!("../../../assets/instance-types.json"))
            .expect("assets/instance-types.json parses")
    }

    /// Four Windows m5.large nodes (pods 2, 5, 0, 6) in one /24 that holds one other address.
    fn observed() -> ObservedNodegroup {
        let nodes = [2, 5, 0, 6]
            .iter()
            .enumerate()
            .map(|(i, &pods)| ObservedNode {
                instance_id: format!("i-{i}"),
                instance_type: "m5.large".into(),
                subnet_id: Some("subnet-a".into()),
                held_ips: (pods + 3).min(9),
                prefixes: 0,
                pods,
                pods_observed: true,
            })
            .collect();
        ObservedNodegroup {
            cluster: "prod".into(),
            region: "eu-west-1".into(),
            nodegroup: "win".into(),
            kind: Some(shared::snapshot::NodegroupKind::Managed),
            os: Os::Windows,
            kubernetes_version: Some("1.31".into()),
            instance_type: "m5.large".into(),
            instance_types_seen: vec![InstanceTypeCount {
                instance_type: "m5.large".into(),
                nodes: 4,
            }],
            prefix_delegation: false,
            ip_mode_basis: "0 of 4 nodes hold /28 prefixes".into(),
            custom_networking: false,
            kubelet_max_pods: None,
            windows_warm: WindowsWarmInput::default(),
            linux_warm: LinuxWarmInput::default(),
            ipam: Provenance::Observed,
            ipam_notes: vec![],
            pods_basis: PodsBasis::Observed,
            nodes,
            subnets: vec![ObservedSubnet {
                state: SubnetState {
                    subnet_id: Some("subnet-a".into()),
                    cidr: "10.0.0.0/24".into(),
                    allocated_ips: vec!["10.0.0.200".into()],
                    allocated_prefixes: vec![],
                    reservations: vec![],
                },
                availability_zone: Some("eu-west-1a".into()),
                available_ip_count: Some(251 - 1 - 29),
                allocations_known: true,
                nodes_observed: 4,
                nodes_modelled: 4,
                own_addresses_removed: 29,
            }],
            scaling: None,
            instance_type_limits: vec![],
            notes: vec![],
        }
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn parsed(observed: &ObservedNodegroup) -> Vec<ParsedSubnet> {
        whatif::parse_subnets(&observed.subnet_states()).expect("subnets")
    }

    #[test]
    fn the_url_carries_only_the_changes_and_reads_back() {
        let o = observed();
        let base = observed_form(&o);
        assert_eq!(form_from_url(&o, &[]), base);
        assert_eq!(query_for(&base, &base), "");
        let mut form = base.clone();
        form.set(Field::PrefixDelegation, "true");
        form.set(Field::Nodes, "12");
        let query = query_for(&base, &form);
        assert_eq!(query, "?prefix_delegation=true&nodes=12");
        let back = form_from_url(
            &o,
            &pairs(&[("prefix_delegation", "true"), ("nodes", "12")]),
        );
        assert_eq!(back, form);
        // OS and subnets are pinned to the observation whatever the URL says.
        let pinned = form_from_url(&o, &pairs(&[("os", "linux"), ("subnet", "10.9.0.0/24")]));
        assert_eq!(pinned, base);
    }

    #[test]
    fn after_is_what_shared_computes_for_the_changed_scenario() {
        let o = observed();
        let t = table();
        let changes = pairs(&[("prefix_delegation", "true"), ("nodes", "6")]);
        let form = form_from_url(&o, &changes);
        let outcome = evaluate_after(&form, &o, &t, &parsed(&o));
        let expected = whatif::evaluate(&o.scenario_from_query(&changes).expect("valid"), &t)
            .expect("evaluates");
        assert_eq!(outcome.result(), Some(&expected));
        assert_eq!(expected.totals.nodes, 6);
        assert_eq!(expected.mode, IpMode::PrefixDelegation);
        // A bad value is reported next to its control, not evaluated.
        let bad = form_from_url(&o, &pairs(&[("nodes", "many")]));
        let outcome = evaluate_after(&bad, &o, &t, &parsed(&o));
        assert!(outcome.message_for(Field::Nodes).is_some(), "{outcome:?}");
        assert!(outcome.result().is_none());
    }

    #[test]
    fn the_view_shows_before_and_after_from_shared() {
        let o = observed();
        let t = table();
        let before = whatif::evaluate(&Scenario::from_observed(&o), &t).expect("before evaluates");
        let changes = pairs(&[("prefix_delegation", "true")]);
        let after = whatif::evaluate(&o.scenario_from_query(&changes).expect("valid"), &t)
            .expect("after evaluates");
        let owner = Owner::new();
        owner.set();
        let form = RwSignal::new(form_from_url(&o, &changes));
        let html =
            view! { <NodegroupWhatIfView observed=Arc::new(o) table=Arc::new(t) form/> }.to_html();
        let cell = |id: &str| {
            let needle = format!("id=\"{id}\" data-value=\"");
            let start = html
                .find(&needle)
                .unwrap_or_else(|| panic!("no #{id} with data-value"))
                + needle.len();
            html[start..]
                .split('"')
                .next()
                .unwrap_or_default()
                .to_string()
        };
        assert_eq!(
            cell("cmp-pod-capacity-before"),
            before.totals.pod_capacity.to_string()
        );
        assert_eq!(
            cell("cmp-pod-capacity-after"),
            after.totals.pod_capacity.to_string()
        );
        assert_eq!(
            cell("cmp-held-ips-after"),
            after.totals.held_ips.to_string()
        );
        let delta = whatif::compare(&before, &after);
        assert_eq!(cell("cmp-ip-capacity-delta"), delta.ip_capacity.to_string());
        assert!(html.contains("id=\"what-if-results\""));
        assert!(html.contains("data-recompute-ms"));
        assert!(
            html.contains("the model reproduces it"),
            "observed held IPs check"
        );
    }
}
