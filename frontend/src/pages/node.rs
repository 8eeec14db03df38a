//! `/nodes/:instance_id`: one node. Held / capacity / max pods / used with the explanation of each
//! number (the shared `MetricCard` + explain panels), its ENIs (secondary IPs and /28 prefixes, which
//! ones carry pod IPs), its nodegroup's settings (AMI, release, launch template, user-data flags),
//! DSR with the evidence, and its subnet. Everything is `shared::fleet::NodeDetail` from
//! `/api/v1/nodes/{instance_id}`.

use crate::api::{self, ApiFailure};
use crate::components::breadcrumbs::{
    Crumb, breadcrumbs_html, cluster_href, nodegroup_what_if_href,
};
use crate::components::html::{esc, facts, settings};
use crate::components::json::Json;
use crate::components::metric::MetricCard;
use crate::components::node_ip_bar::{IpBar, legend_html};
use crate::components::nodegroup_table::{capacity_type_words, kind_words, scaling_words};
use crate::components::remote::Remote;
use crate::components::status_chip::{dsr_chip, mode_chip, os_chip, risk_chip};
use crate::components::subnet_card::{BlockMapState, subnet_card_html};
use crate::format::{count, grouped};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use shared::Explanation;

/// The routed page.
#[component]
pub fn NodePage() -> impl IntoView {
    let params = use_params_map();
    move || {
        let id = params.with(|p| p.get("instance_id").unwrap_or_default());
        view! { <NodeScreen instance_id=id/> }
    }
}

#[component]
fn NodeScreen(instance_id: String) -> impl IntoView {
    let detail = Remote::new();
    detail.request(api::node_url(&instance_id));
    // The subnet's block map, asked for once the node says which subnet it is in.
    let subnet = Remote::new();
    Effect::new(move |_| {
        if let Some(id) = detail.json().and_then(|d| d.get("subnet").str("subnet_id")) {
            subnet.request(api::subnet_url(&id));
        }
    });
    let loaded = Memo::new(move |_| detail.ok.with(Option::is_some));
    move || {
        if loaded.get() {
            detail
                .json_untracked()
                .map(|detail| view! { <NodeView detail subnet/> })
                .into_any()
        } else {
            let html = match detail.failure() {
                None => format!(
                    "{}<div class=\"notice\" id=\"node-loading\" role=\"status\"><span class=\"spinner\" aria-hidden=\"true\"></span><p>Loading node <strong class=\"mono\">{}</strong>…</p></div>",
                    breadcrumbs_html(&[Crumb::link("Fleet", "/"), Crumb::here(&instance_id)]),
                    esc(&instance_id)
                ),
                Some(failure) => failure_html(&instance_id, &failure),
            };
            view! { <div inner_html=html></div> }.into_any()
        }
    }
}

fn failure_html(instance_id: &str, failure: &ApiFailure) -> String {
    let title = if failure.is_not_found() {
        format!("No node {instance_id} in this snapshot")
    } else if failure.is_no_snapshot() {
        "No fleet data yet".to_string()
    } else {
        format!("Node {instance_id} could not be loaded")
    };
    format!(
        "{}<section class=\"card empty-state\" id=\"node-error\" role=\"alert\"><h1 class=\"empty-state__title\">{}</h1>\
         <p class=\"empty-state__message\">{}</p>\
         <p class=\"empty-state__message\">Nodes come and go: it may have been replaced since the scan. Find it from its cluster.</p>\
         <a class=\"button button--primary\" href=\"/\">← Back to the fleet</a></section>",
        breadcrumbs_html(&[Crumb::link("Fleet", "/"), Crumb::here(instance_id)]),
        esc(&title),
        esc(&failure.message)
    )
}

/// A `shared::Explanation` from its JSON (formula, inputs as `[name, value]` pairs, caps, source).
pub fn explanation(json: &Json) -> Option<Explanation> {
    if json.is_null() {
        return None;
    }
    Some(Explanation {
        formula: json.text("formula"),
        inputs: json
            .list("inputs")
            .iter()
            .map(|pair| {
                let pair = pair.items();
                let text = |i: usize| {
                    pair.get(i)
                        .map(|v| {
                            v.as_str()
                                .or_else(|| v.as_u64().map(|n| n.to_string()))
                                .unwrap_or_default()
                        })
                        .unwrap_or_default()
                };
                (text(0), text(1))
            })
            .collect(),
        caps: json.strings("caps"),
        source: json.text("source"),
    })
}

/// One `MetricCard`: id, label, unit, value, detail, explanation.
type Metric = (
    &'static str,
    &'static str,
    &'static str,
    Option<u64>,
    String,
    Option<Explanation>,
);

/// The node page for a loaded `NodeDetail` (rendered natively in tests).
#[component]
pub fn NodeView(
    detail: Json,
    /// The node's subnet (`SubnetDetail`, for its block map), as it loads.
    subnet: Remote,
) -> impl IntoView {
    let node = detail.get("node");
    let held = node.count("held_ips");
    let used = node.u64("used_ips");
    let capacity = node.u64("ip_capacity");
    let max_pods = node.u64("max_pods");
    let capacity_json = detail.get("capacity");
    let capacity_explanation = explanation(&capacity_json.get("explanation"));
    let used_explanation = Explanation::new(
        match used {
            Some(used) => format!("{used} pods with a VPC IP on this node"),
            None => "unknown: counting pods needs Kubernetes access; eniscope never estimates it"
                .to_string(),
        },
        "Kubernetes pods on the node (not hostNetwork), when read",
    );
    let capacity_detail = if capacity_json.is_null() {
        detail
            .str("capacity_error")
            .unwrap_or_else(|| "unknown".to_string())
    } else {
        format!(
            "{} in {} mode",
            node.text("instance_type"),
            match capacity_json.text("mode").as_str() {
                "prefix-delegation" => "prefix-delegation",
                _ => "secondary-IP",
            }
        )
    };
    let max_pods_detail = node.u64("kubelet_max_pods").map_or_else(
        || "no --max-pods in the user data: the default applies".to_string(),
        |m| format!("--max-pods={m} in the user data"),
    );
    let held_detail = format!(
        "{} on {}",
        count(node.count("pod_enis"), "pod ENI", "pod ENIs"),
        count(node.count("enis"), "ENI", "ENIs")
    );
    let bar = IpBar {
        held_ips: held,
        used_ips: used,
        ip_capacity: capacity,
        max_pods,
    };
    let ips_hint = format!(
        "{} secondary IPs + {} × 16 from /28 prefixes",
        grouped(node.count("secondary_ips")),
        grouped(node.count("prefixes"))
    );
    let bar_html = format!("{}{}", bar.html(true), legend_html(used.is_none()));
    let used_detail = if used.is_some() {
        "pods holding a VPC IP"
    } else {
        "unknown: needs Kubernetes access"
    };
    // One `MetricCard` per number, each with its explanation (one view instantiated four times).
    let metrics: [Metric; 4] = [
        (
            "node-held",
            "Held from the subnet",
            "pod IPs",
            Some(held),
            held_detail,
            explanation(&detail.get("held_explanation")),
        ),
        (
            "node-capacity",
            "IP capacity",
            "pod IPs",
            capacity,
            capacity_detail,
            capacity_explanation.clone(),
        ),
        (
            "node-max-pods",
            "Max pods (kubelet)",
            "pods",
            max_pods,
            max_pods_detail,
            capacity_explanation,
        ),
        (
            "node-used",
            "Used by pods",
            "pod IPs",
            used,
            used_detail.to_string(),
            Some(used_explanation),
        ),
    ];
    let subnet_row = detail.get("subnet");
    view! {
        <div inner_html=header_html(&node)></div>
        <section class="card section" aria-labelledby="node-ips-title">
            <div class="card__title">
                <h2 id="node-ips-title">"Pod IPs on this node"</h2>
                <span class="card__hint">{ips_hint}</span>
            </div>
            <div inner_html=bar_html></div>
            <div class="metrics node-metrics">
                {metrics
                    .into_iter()
                    .map(|(id, label, unit, value, detail, explanation)| view! {
                        <MetricCard id label unit value detail explanation/>
                    })
                    .collect_view()}
            </div>
        </section>
        <div inner_html=rest_html(&detail)></div>
        <div inner_html=move || subnet_html(&subnet_row, &block_map(subnet))></div>
    }
}

/// Breadcrumbs, the instance id, chips, facts and warnings.
fn header_html(node: &Json) -> String {
    let (region, cluster, id) = (
        node.text("region"),
        node.text("cluster"),
        node.text("instance_id"),
    );
    let cluster_link = cluster_href(&region, &cluster);
    let mut crumbs = vec![
        Crumb::link("Fleet", "/"),
        Crumb::link(format!("{cluster} · {region}"), cluster_link.clone()),
    ];
    if let Some(group) = node.str("nodegroup") {
        crumbs.push(Crumb::link(
            group.clone(),
            format!("{cluster_link}?nodegroup={}", api::encode_component(&group)),
        ));
    }
    crumbs.push(Crumb::here(id.clone()));
    let dsr = node
        .str("dsr")
        .map(|status| format!("<span>DSR</span>{}", dsr_chip(Some(&status))))
        .unwrap_or_default();
    let mut fact_html = String::new();
    facts(
        &mut fact_html,
        &[
            ("Instance type", node.str("instance_type")),
            ("Windows build", node.str("windows_build")),
            ("Availability zone", node.str("availability_zone")),
            ("Subnet", node.str("subnet_id")),
            ("Private IP", node.str("private_ip")),
            ("State", node.str("state")),
            ("Launched", node.str("launch_time")),
            ("Account", node.str("account")),
        ],
    );
    let mut out = format!(
        "{}<div class=\"page-header\"><div><h1 class=\"mono\" id=\"node-id\">{}</h1>\
         <p class=\"node-chips\">{}{}{dsr}</p><dl class=\"facts-inline\" id=\"node-facts\">{fact_html}</dl></div>\
         <a class=\"button\" href=\"{}\" id=\"back-to-cluster\">← {}</a></div>",
        breadcrumbs_html(&crumbs),
        esc(&id),
        os_chip(node.str("os").as_deref()),
        mode_chip(node.str("ip_mode").as_deref()),
        esc(&cluster_link),
        esc(&cluster)
    );
    let warnings = node.strings("warnings");
    if !warnings.is_empty() {
        out.push_str("<ul class=\"warnings section\" id=\"node-warnings\">");
        for warning in &warnings {
            out.push_str(&format!(
                "<li class=\"warning\"><span class=\"warning__badge\">NOTE</span><span>{}</span></li>",
                esc(warning)
            ));
        }
        out.push_str("</ul>");
    }
    out
}

/// ENIs, nodegroup settings, DSR and the subnet.
fn rest_html(detail: &Json) -> String {
    let node = detail.get("node");
    let hint = match node.text("os").as_str() {
        "windows" => "Windows pods use only the primary ENI (device index 0)",
        _ => "Linux pods use every ENI of type interface",
    };
    let mut out = format!(
        "<section class=\"card section\" aria-labelledby=\"enis-title\"><div class=\"card__title\"><h2 id=\"enis-title\">Network interfaces</h2>\
         <span class=\"card__hint\">{hint}</span></div>{}</section><div class=\"node-columns\">",
        eni_table_html(&detail.list("enis"))
    );
    let group = detail.get("nodegroup");
    if !group.is_null() {
        out.push_str(&nodegroup_settings_html(&group));
    }
    let dsr = detail.get("dsr");
    if !dsr.is_null() {
        out.push_str(&dsr_html(&dsr));
    }
    out.push_str("</div>");
    out
}

fn block_map(subnet: Remote) -> BlockMapState {
    match (subnet.json(), subnet.failure()) {
        (Some(detail), _) => BlockMapState::Loaded(detail.get("block_map")),
        (None, Some(failure)) => BlockMapState::Failed(failure.message),
        (None, None) => BlockMapState::Loading,
    }
}

/// The node's subnet with its block map (`shared::fleet::SubnetRow`), if the subnet was read.
fn subnet_html(subnet: &Json, map: &BlockMapState) -> String {
    if subnet.is_null() {
        return String::new();
    }
    format!(
        "<section class=\"section\" aria-labelledby=\"node-subnet-title\"><h2 class=\"section__heading\" id=\"node-subnet-title\">Subnet of its primary ENI</h2>{}</section>",
        subnet_card_html(subnet, map)
    )
}

fn eni_table_html(enis: &[Json]) -> String {
    if enis.is_empty() {
        return "<p class=\"fineprint\" id=\"enis-empty\">No network interface was read for this instance.</p>".to_string();
    }
    let index = |v: Option<u64>| v.map_or_else(|| "—".to_string(), |n| n.to_string());
    let mut out = String::from(
        "<div class=\"table-scroll\"><table class=\"table eni-table\" id=\"eni-table\"><thead><tr>\
         <th scope=\"col\">ENI</th><th scope=\"col\">Type</th><th scope=\"col\" class=\"num\" title=\"Device index / network card index\">Device · card</th>\
         <th scope=\"col\">Subnet</th><th scope=\"col\">Primary IP</th><th scope=\"col\">Secondary IPs</th><th scope=\"col\">/28 prefixes</th>\
         <th scope=\"col\">Pod IPs</th><th scope=\"col\" class=\"num\">Held</th></tr></thead><tbody>",
    );
    for eni in enis {
        let secondary = eni.strings("secondary_ips");
        let prefixes = eni.strings("ipv4_prefixes");
        let carries = eni.bool("carries_pod_ips").unwrap_or(false);
        let secondary_cell = if secondary.is_empty() {
            "<span class=\"muted\">none</span>".to_string()
        } else {
            format!(
                "<details class=\"ip-list\"><summary>{}</summary><p class=\"mono\">{}</p></details>",
                count(secondary.len() as u64, "address", "addresses"),
                esc(&secondary.join(", "))
            )
        };
        let prefix_cell = if prefixes.is_empty() {
            "<span class=\"muted\">none</span>".to_string()
        } else {
            esc(&prefixes.join(", "))
        };
        out.push_str(&format!(
            "<tr data-eni=\"{}\" data-carries=\"{carries}\"><th scope=\"row\" class=\"mono\">{}</th><td>{}</td><td class=\"num\">{} · {}</td>\
             <td class=\"mono\">{}</td><td class=\"mono\">{}</td><td>{secondary_cell}</td><td class=\"mono\">{prefix_cell}</td><td>{}</td><td class=\"num\">{}</td></tr>",
            esc(&eni.text("eni_id")),
            esc(&eni.text("eni_id")),
            esc(&eni.str("interface_type").unwrap_or_else(|| "interface".into())),
            index(eni.u64("device_index")),
            index(eni.u64("network_card_index")),
            esc(&eni.str("subnet_id").unwrap_or_else(|| "—".into())),
            esc(&eni.str("primary_ip").unwrap_or_else(|| "—".into())),
            if carries {
                "<span class=\"chip chip--ok\">✓ counted</span>"
            } else {
                "<span class=\"chip chip--none\">– not for pods</span>"
            },
            grouped(eni.count("held_ips")),
        ));
    }
    out.push_str("</tbody></table></div>");
    out
}

fn yes_no(value: Option<bool>) -> String {
    match value {
        Some(true) => "yes".to_string(),
        Some(false) => "no".to_string(),
        None => "not set".to_string(),
    }
}

fn nodegroup_settings_html(group: &Json) -> String {
    let name = group.text("name");
    let kind = group.text("kind");
    let what_if = if kind == "ungrouped" {
        String::new()
    } else {
        format!(
            "<a class=\"button button--small\" href=\"{}\">What-if →</a>",
            esc(&nodegroup_what_if_href(
                &group.text("region"),
                &group.text("cluster"),
                &name
            ))
        )
    };
    let lt = group.get("launch_template");
    let launch_template = (!lt.is_null()).then(|| {
        [
            lt.str("name"),
            lt.str("id"),
            lt.str("version").map(|v| format!("version {v}")),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" · ")
    });
    let mut list = String::new();
    settings(
        &mut list,
        &[
            ("Kind", Some(kind_words(&kind).to_string())),
            ("AMI type", group.str("ami_type")),
            ("Release", group.str("release_version")),
            ("Kubernetes", group.str("kubernetes_version")),
            (
                "Instance types",
                Some(group.strings("instance_types").join(", ")),
            ),
            (
                "Capacity type",
                group.str("capacity_type").map(|c| capacity_type_words(&c)),
            ),
            ("Scaling", scaling_words(&group.get("scaling"))),
            ("Launch template", launch_template),
            ("Status", group.str("status").map(|s| s.to_lowercase())),
            (
                "Kubelet --max-pods",
                group.u64("kubelet_max_pods").map(|m| m.to_string()),
            ),
        ],
    );
    let flags = group.get("user_data");
    let user_data = if flags.is_null() {
        "<p class=\"fineprint\">No user data read (no launch template, or it could not be fetched).</p>".to_string()
    } else {
        let extra_args = flags.str("kube_proxy_extra_args").map_or_else(
            || "not set".to_string(),
            |a| format!("<code>{}</code>", esc(&a)),
        );
        let error = flags
            .str("error")
            .map(|e| {
                format!(
                    "<dt>Could not read</dt><dd class=\"text-bad\">{}</dd>",
                    esc(&e)
                )
            })
            .unwrap_or_default();
        format!(
            "<dl class=\"settings-list\" id=\"user-data-flags\"><dt>Source</dt><dd>{} · {}</dd><dt>Bootstrap</dt><dd>{}</dd>\
             <dt><code>--enable-dsr</code></dt><dd>{}</dd><dt><code>WinDSR</code> gate</dt><dd>{}</dd>\
             <dt><code>-KubeProxyExtraArgs</code></dt><dd>{extra_args}</dd><dt>BPG proxy-mode patch</dt><dd>{}</dd>{error}</dl>",
            esc(&flags.text("source")),
            count(flags.count("decoded_bytes"), "byte", "bytes"),
            esc(&flags.str("bootstrap").unwrap_or_else(|| "not seen".into())),
            yes_no(flags.bool("enable_dsr")),
            yes_no(flags.bool("win_dsr_gate")),
            if flags.bool("proxy_mode_patch") == Some(true) {
                "yes"
            } else {
                "no"
            },
        )
    };
    format!(
        "<section class=\"card\" aria-labelledby=\"nodegroup-settings-title\" id=\"nodegroup-settings\"><div class=\"card__title\">\
         <h2 id=\"nodegroup-settings-title\">Nodegroup <span class=\"mono\">{}</span></h2>{what_if}</div>\
         <dl class=\"settings-list\">{list}</dl><p class=\"section-title\">User data</p>{user_data}</section>",
        esc(&name)
    )
}

/// DSR verdict, reason, evidence, versions, port-exhaustion risk and the kube-proxy flags
/// (`shared::dsr::DsrAssessment`).
fn dsr_html(dsr: &Json) -> String {
    let mut out = format!(
        "<section class=\"card\" aria-labelledby=\"dsr-title\" id=\"node-dsr\"><div class=\"card__title\"><h2 id=\"dsr-title\">Direct Server Return</h2>{}</div><p>{}</p>",
        dsr_chip(dsr.str("status").as_deref()),
        esc(&dsr.text("reason"))
    );
    let evidence = dsr.strings("evidence");
    if !evidence.is_empty() {
        out.push_str("<p class=\"section-title\">Evidence</p><ul class=\"evidence\">");
        for item in &evidence {
            out.push_str(&format!("<li>{}</li>", esc(item)));
        }
        out.push_str("</ul>");
    }
    let windows = dsr.get("windows_version");
    let windows = (!windows.is_null()).then(|| match windows.u64("revision") {
        Some(revision) => format!(
            "{} (build {}.{revision})",
            windows.text("name"),
            windows.count("build")
        ),
        None => format!(
            "{} (build {})",
            windows.text("name"),
            windows.count("build")
        ),
    });
    let port = dsr.get("port_exhaustion");
    let mut list = String::new();
    settings(
        &mut list,
        &[
            ("Windows", windows),
            ("Kubernetes", dsr.str("kubernetes_version")),
        ],
    );
    out.push_str(&format!(
        "<dl class=\"settings-list\">{list}<dt>Port exhaustion</dt><dd>{} {}</dd></dl>",
        risk_chip(port.str("risk").as_deref()),
        esc(&port.text("message"))
    ));
    let fix = dsr.get("fix");
    if fix.bool("needed") == Some(true) {
        out.push_str(&format!(
            "<p class=\"section-title\">Turn it on: kube-proxy flags</p><pre class=\"snippet\"><code>{}</code></pre>\
             <p class=\"fineprint\">The user data and eksctl snippets are on the <a href=\"/dsr\">DSR board</a>.</p>",
            esc(&fix.text("kube_proxy_flags"))
        ));
    }
    out.push_str("</section>");
    out
}
