//! `/clusters/:region/:name`: one cluster. Its facts and scan errors, pod-IP and DSR summaries, the
//! nodegroups table (each linking to its what-if), the node table (a pod-IP bar per node, sortable,
//! filterable, paged; state in the URL), and its subnets with the /28 block maps. Every number is a
//! `shared::fleet` value from `/api/v1/clusters/…`, `/api/v1/nodes` and `/api/v1/subnets/…`.

use crate::api::{self, ApiFailure};
use crate::components::breadcrumbs::{Crumb, breadcrumbs_html};
use crate::components::cluster_card::{dsr_coverage_html, ip_totals_html, scan_errors_html};
use crate::components::html::{esc, facts};
use crate::components::json::Json;
use crate::components::node_table::{NodeTable, NodeTableSignals, NodeTableState};
use crate::components::nodegroup_table::nodegroup_table_html;
use crate::components::remote::Remote;
use crate::components::status_chip::risk_chip;
use crate::components::subnet_card::{BlockMapState, subnet_card_html};
use crate::format::{count, grouped};
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

/// The routed page: a new cluster in the URL builds a new page.
#[component]
pub fn ClusterPage() -> impl IntoView {
    let params = use_params_map();
    // `params` changes only with the path (not the query the table writes), so this rebuilds the
    // page only for another cluster.
    move || {
        let (region, name) = params.with(|p| {
            (
                p.get("region").unwrap_or_default(),
                p.get("name").unwrap_or_default(),
            )
        });
        view! { <ClusterScreen region name/> }
    }
}

#[component]
fn ClusterScreen(region: String, name: String) -> impl IntoView {
    let detail = Remote::new();
    detail.request(api::cluster_url(&region, &name));
    let query = use_query_map();
    let pairs: Vec<(String, String)> = query.with_untracked(|q| {
        q.into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    });
    let signals = NodeTableSignals::new(NodeTableState::from_query_pairs(&pairs));
    #[cfg(target_arch = "wasm32")]
    {
        follow_text_input(signals);
        keep_url_in_step(signals.table, region.clone(), name.clone());
    }
    let loaded = Memo::new(move |_| detail.ok.with(Option::is_some));
    move || {
        if loaded.get() {
            detail
                .json_untracked()
                .map(|detail| view! { <ClusterWithNodes detail signals/> })
                .into_any()
        } else {
            let html = match detail.failure() {
                None => loading_html(&region, &name),
                Some(failure) => failure_html(&region, &name, &failure),
            };
            view! { <div inner_html=html></div> }.into_any()
        }
    }
}

fn loading_html(region: &str, name: &str) -> String {
    format!(
        "{}<div class=\"notice\" id=\"cluster-loading\" role=\"status\"><span class=\"spinner\" aria-hidden=\"true\"></span><p>Loading cluster <strong>{}</strong> ({})…</p></div>",
        breadcrumbs_html(&[Crumb::link("Fleet", "/"), Crumb::here(name)]),
        esc(name),
        esc(region)
    )
}

/// 404 or any other failure loading the cluster: what happened and the way back.
fn failure_html(region: &str, name: &str, failure: &ApiFailure) -> String {
    let title = if failure.is_not_found() {
        format!("No cluster {name} in {region}")
    } else if failure.is_no_snapshot() {
        "No fleet data yet".to_string()
    } else {
        format!("Cluster {name} could not be loaded")
    };
    format!(
        "{}<section class=\"card empty-state\" id=\"cluster-error\" role=\"alert\"><h1 class=\"empty-state__title\">{}</h1>\
         <p class=\"empty-state__message\">{}</p><a class=\"button button--primary\" href=\"/\">← Back to the fleet</a></section>",
        breadcrumbs_html(&[Crumb::link("Fleet", "/"), Crumb::here(name)]),
        esc(&title),
        esc(&failure.message)
    )
}

/// Once the cluster is known: its node table follows the table state (one request per change) and
/// each subnet's block map is fetched.
#[component]
fn ClusterWithNodes(detail: Json, signals: NodeTableSignals) -> impl IntoView {
    let cluster = detail.get("cluster");
    let (region, name) = (cluster.text("region"), cluster.text("name"));
    let nodes = Remote::new();
    Effect::new(move |_| nodes.request(signals.table.with(|s| s.api_url(&region, &name))));
    let maps: Vec<(String, Remote)> = detail
        .list("subnets")
        .iter()
        .map(|subnet| {
            let id = subnet.text("subnet_id");
            let map = Remote::new();
            map.request(api::subnet_url(&id));
            (id, map)
        })
        .collect();
    view! { <ClusterView detail signals nodes maps/> }
}

/// Wait for typing to pause before the text filter follows the box.
#[cfg(target_arch = "wasm32")]
fn follow_text_input(signals: NodeTableSignals) {
    use leptos::leptos_dom::helpers::{TimeoutHandle, set_timeout_with_handle};
    let pending: StoredValue<Option<TimeoutHandle>> = StoredValue::new(None);
    Effect::new(move |previous: Option<String>| {
        let text = signals.text_input.get();
        if previous.is_none() {
            return text;
        }
        if let Some(handle) = pending.try_update_value(|p| p.take()).flatten() {
            handle.clear();
        }
        let value = text.clone();
        let write = move || signals.update(|s| s.text = value);
        if let Ok(handle) = set_timeout_with_handle(write, std::time::Duration::from_millis(250)) {
            pending.try_set_value(Some(handle));
        }
        text
    });
    on_cleanup(move || {
        if let Some(handle) = pending.try_update_value(|p| p.take()).flatten() {
            handle.clear();
        }
    });
}

/// The table's filters, sort and page go into the address bar (replacing the entry, so the back
/// button leaves the page rather than stepping through every filter change).
#[cfg(target_arch = "wasm32")]
fn keep_url_in_step(state: RwSignal<NodeTableState>, region: String, name: String) {
    use crate::components::breadcrumbs::cluster_href;
    use leptos_router::NavigateOptions;
    use leptos_router::hooks::{use_location, use_navigate};
    let navigate = use_navigate();
    let location = use_location();
    let base = cluster_href(&region, &name);
    Effect::new(move |_| {
        let query = state.with(|s| s.to_page_query());
        let current = location.search.get_untracked();
        let current = if current.is_empty() || current == "?" {
            String::new()
        } else if current.starts_with('?') {
            current
        } else {
            format!("?{current}")
        };
        // Only the page's own path: a late effect must never pull the user back from another page.
        if current != query && location.pathname.get_untracked() == base {
            navigate(
                &format!("{base}{query}"),
                NavigateOptions {
                    replace: true,
                    scroll: false,
                    resolve: false,
                    ..Default::default()
                },
            );
        }
    });
}

/// The cluster page for a loaded `shared::fleet::ClusterDetail` (rendered natively in tests).
#[component]
pub fn ClusterView(
    detail: Json,
    signals: NodeTableSignals,
    /// The `NodePage` of the table.
    nodes: Remote,
    /// Each subnet's `SubnetDetail` (its block map), by subnet id.
    maps: Vec<(String, Remote)>,
) -> impl IntoView {
    let cluster = detail.get("cluster");
    let (region, name) = (cluster.text("region"), cluster.text("name"));
    let nodegroups = detail.get("nodegroups").items();
    let nodegroup_names: Vec<String> = nodegroups.iter().map(|g| g.text("name")).collect();
    let top = top_html(&detail);
    let nodegroup_table = nodegroup_table_html(&nodegroups);
    let subnets = detail.get("subnets").items();
    let subnet_cards = Memo::new(move |_| {
        if subnets.is_empty() {
            return "<p class=\"card fineprint\" id=\"subnets-empty\">No subnet of this cluster was read in this snapshot.</p>".to_string();
        }
        let mut out = String::from("<div class=\"subnet-grid\" id=\"subnet-cards\">");
        for subnet in &subnets {
            let id = subnet.text("subnet_id");
            let map = maps.iter().find(|(m, _)| *m == id).map(|(_, r)| *r);
            let state = match map.map(|r| (r.json(), r.failure())) {
                Some((Some(detail), _)) => BlockMapState::Loaded(detail.get("block_map")),
                Some((None, Some(failure))) => BlockMapState::Failed(failure.message),
                _ => BlockMapState::Loading,
            };
            out.push_str(&subnet_card_html(subnet, &state));
        }
        out.push_str("</div>");
        out
    });
    let export = |file: &str| esc(&api::cluster_export_url(file, &region, &name));
    let subnet_exports = format!(
        "<span class=\"export-links__label\">Export</span>\
         <a class=\"button button--small\" id=\"export-subnets-csv\" download=\"subnets.csv\" href=\"{}\"><span aria-hidden=\"true\">⤓ </span>CSV</a>\
         <a class=\"button button--small\" id=\"export-subnets-json\" download=\"subnets.json\" href=\"{}\"><span aria-hidden=\"true\">⤓ </span>JSON</a>",
        export("subnets.csv"),
        export("subnets.json")
    );
    view! {
        <div inner_html=top></div>
        <section class="card section" aria-labelledby="nodegroups-title">
            <div class="card__title">
                <h2 id="nodegroups-title">"Nodegroups"</h2>
                <span class="card__hint">"open a nodegroup's what-if to try prefix delegation, warm targets or another type"</span>
            </div>
            <div inner_html=nodegroup_table></div>
        </section>
        <section class="card section" aria-labelledby="nodes-title">
            <div class="card__title">
                <h2 id="nodes-title">"Nodes"</h2>
                <span class="card__hint">"pod IPs per node: used, held from the subnet, capacity, kubelet cap"</span>
            </div>
            <NodeTable region=region.clone() cluster=name.clone() signals load=nodes nodegroups=nodegroup_names/>
        </section>
        <section class="section" aria-labelledby="subnets-title">
            <div class="card__title section__title">
                <h2 id="subnets-title">"Subnets"</h2>
                <div class="export-links" role="group" aria-label="Export this cluster's subnets" inner_html=subnet_exports></div>
            </div>
            <div inner_html=move || subnet_cards.get()></div>
        </section>
    }
}

/// Breadcrumbs, header facts, scan errors, the summary cards and the VPC CNI settings.
fn top_html(detail: &Json) -> String {
    let cluster = detail.get("cluster");
    let (region, name) = (cluster.text("region"), cluster.text("name"));
    let account = [cluster.str("account_label"), cluster.str("account_id")]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" · ");
    let kubernetes = cluster
        .str("version")
        .map(|v| match cluster.str("platform_version") {
            Some(p) => format!("{v} ({p})"),
            None => v,
        });
    let mut fact_html = String::new();
    facts(
        &mut fact_html,
        &[
            ("Region", Some(region.clone())),
            ("Account", (!account.is_empty()).then_some(account)),
            ("Kubernetes", kubernetes),
            ("Status", cluster.str("status").map(|s| s.to_lowercase())),
            ("VPC", cluster.str("vpc_id")),
            ("Service CIDR", detail.str("service_ipv4_cidr")),
            ("IP family", detail.str("ip_family")),
            (
                "Services",
                cluster
                    .u64("service_count")
                    .map(|n| count(n, "service", "services")),
            ),
        ],
    );
    let mut out = format!(
        "{}<div class=\"page-header\"><div><h1 id=\"cluster-name\">{}</h1><dl class=\"facts-inline\" id=\"cluster-facts\">{fact_html}</dl></div></div>",
        breadcrumbs_html(&[
            Crumb::link("Fleet", "/"),
            Crumb::here(format!("{name} · {region}"))
        ]),
        esc(&name)
    );
    let errors = cluster.list("errors");
    if !errors.is_empty() {
        out.push_str(&format!(
            "<div class=\"notice notice--error\" id=\"cluster-errors\" role=\"alert\"><span class=\"notice__icon\" aria-hidden=\"true\">✕</span><div>\
             <p><strong>Part of this cluster could not be read.</strong> The numbers cover what was read.</p>{}</div></div>",
            scan_errors_html(&errors)
        ));
    }
    let ips = cluster.get("ips");
    let at_risk = cluster.strings("subnets_at_risk").len() as u64;
    let risk = cluster
        .str("port_exhaustion_risk")
        .map(|r| {
            format!(
                "<p class=\"fact__detail\">Port-exhaustion risk: {}</p>",
                risk_chip(Some(&r))
            )
        })
        .unwrap_or_default();
    out.push_str(&format!(
        "<section class=\"cluster-summary\" aria-label=\"Cluster summary\">\
         <div class=\"card\"><h2 class=\"section-title\">Nodes</h2><p class=\"fact__big\" id=\"cluster-nodes\" data-value=\"{}\">{}</p>\
         <p class=\"fact__detail\">⊞ {} Windows · ◆ {} Linux · {}</p></div>\
         <div class=\"card cluster-summary__ips\"><h2 class=\"section-title\">Pod IPs</h2>{}</div>\
         <div class=\"card\"><h2 class=\"section-title\">DSR on Windows nodes</h2>{}{risk}</div>\
         <div class=\"card\"><h2 class=\"section-title\">Subnets</h2><p class=\"fact__big{}\" id=\"cluster-subnets-at-risk\" data-value=\"{at_risk}\">{}{}<span class=\"metric__unit\"> at risk</span></p>\
         <p class=\"fact__detail\">of {} used by this cluster</p></div></section>",
        ips.count("nodes"),
        grouped(ips.count("nodes")),
        grouped(cluster.count("nodes_windows")),
        grouped(cluster.count("nodes_linux")),
        count(cluster.count("nodegroups"), "nodegroup", "nodegroups"),
        ip_totals_html(&ips, "cluster-ips"),
        dsr_coverage_html(&cluster.get("dsr"), "cluster-dsr"),
        if at_risk > 0 { " text-bad" } else { "" },
        if at_risk > 0 { "▲ " } else { "✓ " },
        grouped(at_risk),
        count(
            cluster.strings("subnet_ids").len() as u64,
            "subnet",
            "subnets"
        ),
    ));
    out.push_str(&ipam_html(
        &detail.get("windows_ipam_config"),
        &detail.get("linux_ipam_env"),
    ));
    out
}

/// The VPC CNI settings seen for this cluster, or that the defaults are assumed.
fn ipam_html(windows: &Json, linux: &Json) -> String {
    let block = |title: &str, source: &str, settings: &Json| {
        let body = if settings.is_null() {
            "<p class=\"fineprint\">Not read (needs Kubernetes access): the defaults are assumed.</p>".to_string()
        } else {
            let entries = settings.entries();
            if entries.is_empty() {
                "<p class=\"fineprint\">Read, and empty: every default applies.</p>".to_string()
            } else {
                let rows: String = entries
                    .iter()
                    .map(|(k, v)| {
                        format!(
                            "<div><dt><code>{}</code></dt><dd>{}</dd></div>",
                            esc(k),
                            esc(&v.as_str().unwrap_or_default())
                        )
                    })
                    .collect();
                format!("<dl class=\"facts-inline\">{rows}</dl>")
            }
        };
        format!("<div><p class=\"section-title\">{title} · <code>{source}</code></p>{body}</div>")
    };
    format!(
        "<details class=\"card section ipam-settings\" id=\"ipam-settings\"><summary><h2 class=\"inline-heading\">VPC CNI settings</h2></summary>\
         <div class=\"ipam-settings__body\">{}{}</div></details>",
        block("Windows", "kube-system/amazon-vpc-cni", windows),
        block("Linux", "aws-node env", linux)
    )
}
