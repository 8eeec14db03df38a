//! `/dsr`: the DSR board. Every Windows nodegroup across clusters with its Direct Server Return
//! verdict (on / off / unknown) and the evidence behind it, Windows and Kubernetes versions, the
//! service count, the port-exhaustion risk, and the exact fix ready to copy. Filters (cluster,
//! status) live in the URL (`/dsr?region=…&cluster=…&status=off`), so a filtered board can be shared.
//!
//! Every verdict, count and snippet comes from the server's `shared::fleet::DsrBoard` (built by
//! `shared::dsr::dsr_status`); this page only lays it out. The board is read with the browser's
//! `JSON.parse` (`components/json.rs`) and written as escaped HTML text (`components/html.rs`); only
//! the filters are Leptos views. Why: the same board as `view!` trees and serde structs cost several
//! times the wasm (see those modules).

use crate::api::{ApiFailure, dsr_url, url_with_filters};
use crate::components::breadcrumbs::{cluster_href, node_href, nodegroup_what_if_href};
use crate::components::copy_block::{copy_block_html, on_copy_click};
use crate::components::dsr_badge::dsr_badge_html;
use crate::components::html::{dom_id, esc};
use crate::components::json::Json;
use crate::components::status_chip::{dsr_chip, risk_chip};
use crate::format::{count, grouped};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use shared::dsr::DsrStatus;

/// The board's filters, as in the URL query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DsrFilters {
    pub region: Option<String>,
    pub cluster: Option<String>,
    pub status: Option<DsrStatus>,
}

impl DsrFilters {
    /// From query pairs; unknown keys and bad values are ignored (the board shows everything).
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut filters = Self::default();
        for (key, value) in pairs {
            let value = value.trim();
            if value.is_empty() {
                continue;
            }
            match key {
                "region" => filters.region = Some(value.to_string()),
                "cluster" => filters.cluster = Some(value.to_string()),
                "status" => filters.status = parse_status(value),
                _ => {}
            }
        }
        filters
    }

    pub fn is_empty(&self) -> bool {
        self.region.is_none() && self.cluster.is_none() && self.status.is_none()
    }

    /// `/api/v1/dsr?…` for these filters.
    pub fn api_url(&self) -> String {
        dsr_url(
            self.region.as_deref(),
            self.cluster.as_deref(),
            self.status.map(DsrStatus::as_str),
        )
    }

    /// `/dsr?…` for these filters.
    pub fn page_url(&self) -> String {
        url_with_filters(
            "/dsr",
            &[
                ("region", self.region.as_deref()),
                ("cluster", self.cluster.as_deref()),
                ("status", self.status.map(DsrStatus::as_str)),
            ],
        )
    }

    /// The Windows nodes of the filtered clusters as CSV (`/api/v1/export/nodes.csv`, with the
    /// node-level DSR status when a status is chosen).
    pub fn csv_url(&self) -> String {
        url_with_filters(
            "/api/v1/export/nodes.csv",
            &[
                ("os", Some("windows")),
                ("region", self.region.as_deref()),
                ("cluster", self.cluster.as_deref()),
                ("dsr", self.status.map(DsrStatus::as_str)),
            ],
        )
    }

    /// The cluster `<select>` value: `region/name`, or empty for all clusters.
    fn cluster_choice(&self) -> String {
        match (&self.region, &self.cluster) {
            (Some(region), Some(cluster)) => format!("{region}/{cluster}"),
            _ => String::new(),
        }
    }
}

fn parse_status(value: &str) -> Option<DsrStatus> {
    match value.to_ascii_lowercase().as_str() {
        "on" => Some(DsrStatus::On),
        "off" => Some(DsrStatus::Off),
        "unknown" => Some(DsrStatus::Unknown),
        _ => None,
    }
}

/// The board as the page shows it: the HTML of counts and rows, and what the filter bar needs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BoardView {
    pub html: String,
    pub nodegroups: usize,
    /// `(region, cluster)` of every cluster with a Windows nodegroup, sorted.
    pub clusters: Vec<(String, String)>,
}

/// A board as loaded: `None` while loading.
pub type BoardState = Option<Result<BoardView, ApiFailure>>;

/// The routed page: filters from the URL, the unfiltered board (for the cluster list) and, when a
/// filter is set, the filtered board with its own counts.
#[component]
pub fn DsrPage() -> impl IntoView {
    let query = use_query_map();
    let filters = Memo::new(move |_| {
        query.with(|q| {
            DsrFilters::from_pairs(
                ["region", "cluster", "status"]
                    .into_iter()
                    .filter_map(|key| q.get_str(key).map(|value| (key, value))),
            )
        })
    });
    // Loaded with spawn_local into signals.
    let all = RwSignal::new(None::<Result<BoardView, ApiFailure>>);
    let filtered = RwSignal::new(None::<Result<BoardView, ApiFailure>>);
    #[cfg(target_arch = "wasm32")]
    {
        leptos::task::spawn_local(async move {
            let board = load_board(&DsrFilters::default()).await;
            // The user may have left the page while the board loaded.
            let _ = all.try_set(Some(board));
        });
        Effect::new(move |_| {
            let wanted = filters.get();
            if wanted.is_empty() {
                return;
            }
            filtered.set(None);
            leptos::task::spawn_local(async move {
                let board = load_board(&wanted).await;
                // Only the answer for the filters still chosen.
                if filters.try_get_untracked().as_ref() == Some(&wanted) {
                    let _ = filtered.try_set(Some(board));
                }
            });
        });
    }
    let all = Signal::from(all);
    let shown = Signal::derive(move || {
        if filters.with(DsrFilters::is_empty) {
            all.get()
        } else {
            filtered.get()
        }
    });
    // Filter changes go through the URL (replace: a filter is a view of the board, not a page).
    let set_filters = RwSignal::new(filters.get_untracked());
    #[cfg(target_arch = "wasm32")]
    {
        let navigate = leptos_router::hooks::use_navigate();
        Effect::new(move |previous: Option<()>| {
            let next = set_filters.get();
            if previous.is_some() {
                navigate(
                    &next.page_url(),
                    leptos_router::NavigateOptions {
                        replace: true,
                        scroll: false,
                        ..Default::default()
                    },
                );
            }
        });
    }
    let set_filters = set_filters.write_only();
    view! { <DsrBoardView all shown filters set_filters/> }
}

/// GET the board and lay it out.
#[cfg(target_arch = "wasm32")]
async fn load_board(filters: &DsrFilters) -> Result<BoardView, ApiFailure> {
    let board = crate::api::fetch_dsr_board(&filters.api_url()).await?;
    Ok(board_view(&board, filters.is_empty()))
}

/// The page for given data (rendered natively in tests).
#[component]
pub fn DsrBoardView(
    /// The unfiltered board: the cluster list of the filter comes from it.
    #[prop(into)]
    all: Signal<BoardState>,
    /// The board for the current filters.
    #[prop(into)]
    shown: Signal<BoardState>,
    #[prop(into)] filters: Signal<DsrFilters>,
    /// Where the view asks for other filters (the page turns that into a URL change).
    set_filters: WriteSignal<DsrFilters>,
) -> impl IntoView {
    let clusters = Memo::new(move |_| {
        all.with(|all| {
            all.as_ref()
                .and_then(|r| r.as_ref().ok())
                .map(|b| b.clusters.clone())
                .unwrap_or_default()
        })
    });
    let shown_groups = move || {
        shown.with(|s| {
            s.as_ref()
                .and_then(|r| r.as_ref().ok())
                .map(|b| b.nodegroups)
        })
    };
    let total_groups = move || {
        all.with(|s| {
            s.as_ref()
                .and_then(|r| r.as_ref().ok())
                .map(|b| b.nodegroups)
        })
    };
    let on_cluster = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        let mut next = filters.get_untracked();
        match value.split_once('/') {
            Some((region, cluster)) => {
                next.region = Some(region.to_string());
                next.cluster = Some(cluster.to_string());
            }
            None => {
                next.region = None;
                next.cluster = None;
            }
        }
        set_filters.set(next);
    };
    let on_status = move |ev: leptos::ev::Event| {
        let mut next = filters.get_untracked();
        next.status = parse_status(&event_target_value(&ev));
        set_filters.set(next);
    };
    let cluster_options = move || {
        let chosen = filters.with(DsrFilters::cluster_choice);
        let mut html = String::from("<option value=\"\">All clusters</option>");
        for (region, cluster) in clusters.get() {
            let value = format!("{region}/{cluster}");
            html.push_str(&format!(
                "<option value=\"{}\"{}>{} ({})</option>",
                esc(&value),
                if value == chosen { " selected" } else { "" },
                esc(&cluster),
                esc(&region)
            ));
        }
        html
    };
    let status_options = move || {
        let chosen = filters.with(|f| f.status.map_or("", DsrStatus::as_str));
        let mut html = String::new();
        for (value, label) in [
            ("", "Any status"),
            ("off", "✕ Off"),
            ("unknown", "? Unknown"),
            ("on", "✓ On"),
        ] {
            html.push_str(&format!(
                "<option value=\"{value}\"{}>{label}</option>",
                if value == chosen { " selected" } else { "" }
            ));
        }
        html
    };
    // Both links in one piece of text: one reactive update instead of one per attribute.
    let export_links = move || {
        filters.with(|f| {
            format!(
                "<span class=\"card__hint\">Export</span>\
                 <a class=\"button button--small\" id=\"dsr-export-csv\" href=\"{}\" download=\"eniscope-windows-nodes.csv\">⤓ Windows nodes CSV</a>\
                 <a class=\"button button--small\" id=\"dsr-export-json\" href=\"{}\" download=\"eniscope-dsr-board.json\">⤓ Board JSON</a>",
                esc(&f.csv_url()),
                esc(&f.api_url())
            )
        })
    };
    let body = move || {
        match shown.get() {
        None => "<div class=\"notice\" id=\"dsr-loading\" role=\"status\"><span class=\"notice__icon\" aria-hidden=\"true\">…</span><p>Loading the DSR board…</p></div>".to_string(),
        Some(Err(failure)) => format!(
            "<div class=\"notice notice--error\" id=\"dsr-error\" role=\"alert\"><span class=\"notice__icon\" aria-hidden=\"true\">✕</span><p>The DSR board could not be loaded: {}</p></div>",
            esc(&failure.message)
        ),
        Some(Ok(board)) => board.html,
    }
    };
    view! {
        <div class="page-header">
            <div>
                <h1>"DSR board"</h1>
                <p class="page-header__lead">
                    "Direct Server Return on every Windows nodegroup and node. Without DSR, a Windows node in a cluster with more than 100 Services risks port exhaustion: "
                    <code>"Policy creation failed: hcnCreateLoadBalancer failed in Win32: The specified port already exists."</code>
                    " (EKS Best Practices, Windows networking)."
                </p>
            </div>
        </div>
        <aside class="notice dsr-method" id="dsr-method" role="note" inner_html=METHOD_HTML></aside>
        <section class="card dsr-filters" aria-label="Filters and export">
            <div class="dsr-filters__fields">
                <div class="field">
                    <label class="field__label" for="dsr-filter-cluster">"Cluster"</label>
                    <select id="dsr-filter-cluster" on:change=on_cluster inner_html=cluster_options></select>
                </div>
                <div class="field">
                    <label class="field__label" for="dsr-filter-status">"DSR status"</label>
                    <select id="dsr-filter-status" on:change=on_status inner_html=status_options></select>
                </div>
                <p class="dsr-filters__scope" id="dsr-scope" role="status">
                    {move || match (shown_groups(), total_groups()) {
                        (Some(shown), Some(total)) if shown != total => format!("Showing {shown} of {} Windows nodegroups", grouped(total as u64)),
                        (Some(shown), _) => format!("Showing all {}", count(shown as u64, "Windows nodegroup", "Windows nodegroups")),
                        _ => String::new(),
                    }}
                </p>
                <button
                    type="button"
                    class="button button--small"
                    id="dsr-filter-clear"
                    disabled=move || filters.with(DsrFilters::is_empty)
                    on:click=move |_| set_filters.set(DsrFilters::default())
                >
                    "Clear filters"
                </button>
            </div>
            <div class="dsr-filters__export" aria-label="Export" inner_html=export_links></div>
        </section>
        <div id="dsr-board" on:click=|ev| on_copy_click(&ev) inner_html=body></div>
    }
}

/// How a verdict is reached, and what is UNCONFIRMED (domain.md §5.3).
const METHOD_HTML: &str = "<span class=\"notice__icon\" aria-hidden=\"true\">i</span><div>\
<p><strong>How a verdict is reached. </strong>DSR is <em>on</em> only when the launch-template user data proves kube-proxy starts with \
<code>--enable-dsr=true</code> (and <code>--feature-gates=WinDSR=true</code> before Kubernetes 1.33: the WinDSR gate alone never turns DSR on). \
Without that evidence it is <em>off</em>, or <em>unknown</em> when the user data could not be read.</p>\
<p class=\"dsr-method__unconfirmed\" id=\"dsr-unconfirmed\"><span class=\"tag tag--unconfirmed\">UNCONFIRMED</span> \
Whether current EKS Windows AMIs (Windows Server 2019, 2022, 2025) enable DSR by default: the evidence so far says they do not \
(EKS Best Practices, aws-eks-best-practices#296, Calico notes), so eniscope treats DSR as off unless proven on. \
The exact default kube-proxy arguments inside <code>Start-EKSBootstrap.ps1</code> are UNCONFIRMED too.</p></div>";

/// Counts, then one card per nodegroup in the server's order (off, unknown, on).
pub fn board_view(board: &Json, filters_empty: bool) -> BoardView {
    let rows = board.list("nodegroups");
    let totals = board.get("totals");
    let mut clusters: Vec<(String, String)> = rows
        .iter()
        .map(|r| (r.text("region"), r.text("cluster")))
        .collect();
    clusters.sort();
    clusters.dedup();
    let coverage = totals
        .u64("coverage_percent")
        .map_or_else(|| "–".to_string(), |p| format!("{p}%"));
    let cards: [(&str, &str, &str, &str, u64, String); 5] = [
        (
            "",
            "",
            "Windows nodegroups",
            "dsr-count-nodegroups",
            rows.len() as u64,
            count(
                totals.count("windows_nodes"),
                "Windows node",
                "Windows nodes",
            ),
        ),
        (
            "dsr-count--off",
            "✕ ",
            "DSR off",
            "dsr-count-off",
            totals.count("off"),
            "nodes".into(),
        ),
        (
            "dsr-count--unknown",
            "? ",
            "DSR unknown",
            "dsr-count-unknown",
            totals.count("unknown"),
            "nodes".into(),
        ),
        (
            "dsr-count--on",
            "✓ ",
            "DSR on",
            "dsr-count-on",
            totals.count("on"),
            format!("nodes · {coverage} coverage"),
        ),
        (
            "dsr-count--risk",
            "▲ ",
            "Port-exhaustion risk",
            "dsr-count-risk",
            board.count("windows_nodes_at_port_exhaustion_risk"),
            "nodes: > 100 Services, DSR not on".into(),
        ),
    ];
    let mut html = String::from(
        "<section class=\"dsr-summary\" id=\"dsr-summary\" aria-label=\"DSR counts\">",
    );
    for (modifier, symbol, label, id, value, detail) in cards {
        html.push_str(&format!(
            "<div class=\"dsr-count {modifier}\"><p class=\"dsr-count__label\"><span aria-hidden=\"true\">{symbol}</span>{label}</p>\
             <p class=\"dsr-count__value\" id=\"{id}\" data-value=\"{value}\">{}</p><p class=\"dsr-count__detail\">{}</p></div>",
            grouped(value),
            esc(&detail)
        ));
    }
    html.push_str("</section>");
    if rows.is_empty() {
        html.push_str(&format!(
            "<section class=\"card empty-state dsr-empty\" id=\"dsr-empty\"><h2>No Windows nodegroups here</h2><p class=\"empty-state__message\">{}</p></section>",
            if filters_empty {
                "This fleet has no Windows nodes, so DSR does not apply. Windows nodegroups appear here after the next scan that finds them."
            } else {
                "No Windows nodegroup matches these filters. Clear them to see the whole board."
            }
        ));
    } else {
        html.push_str("<div class=\"dsr-rows\" id=\"dsr-rows\">");
        for row in &rows {
            row_html(&mut html, row);
        }
        html.push_str("</div>");
    }
    BoardView {
        html,
        nodegroups: rows.len(),
        clusters,
    }
}

/// `eu-west-1-prod-win2019` style id fragment: letters, digits and dashes only.
pub fn row_slug(region: &str, cluster: &str, nodegroup: &str) -> String {
    dom_id(&format!("{region}-{cluster}-{nodegroup}")).to_ascii_lowercase()
}

fn kind_words(kind: &str) -> &'static str {
    match kind {
        "managed" => "managed nodegroup",
        "self-managed" => "self-managed nodegroup",
        "karpenter" => "Karpenter node pool",
        _ => "nodes in no nodegroup",
    }
}

fn windows_words(version: &Json) -> String {
    match (version.str("name"), version.u64("build")) {
        (Some(name), Some(build)) => match version.u64("revision") {
            Some(revision) => format!("{name} · build {build}.{revision}"),
            None => format!("{name} · build {build}"),
        },
        _ => "unknown".to_string(),
    }
}

/// One Windows nodegroup: verdict, facts, evidence, fix, nodes.
fn row_html(out: &mut String, row: &Json) {
    let (region, cluster, nodegroup) = (
        row.text("region"),
        row.text("cluster"),
        row.text("nodegroup"),
    );
    let slug = row_slug(&region, &cluster, &nodegroup);
    let assessment = row.get("assessment");
    let status = assessment.text("status");
    let counts = row.get("node_counts");
    let mut context = vec![region.clone()];
    context.extend(row.str("account"));
    context.push(kind_words(&row.text("kind")).to_string());
    context.extend(row.str("ami_type"));
    let types = row.strings("instance_types");
    if !types.is_empty() {
        context.push(types.join(", "));
    }
    let services = match row.u64("service_count") {
        Some(n) => count(n, "Service", "Services"),
        None => "unknown (needs Kubernetes access)".to_string(),
    };
    let parts: Vec<String> = [("off", "off"), ("unknown", "unknown"), ("on", "on")]
        .into_iter()
        .filter_map(|(key, word)| {
            let n = counts.count(key);
            (n > 0).then(|| format!("{} {word}", grouped(n)))
        })
        .collect();
    let nodes_words = if parts.is_empty() {
        "no nodes running".to_string()
    } else {
        format!(
            "{} · {}",
            count(counts.count("windows_nodes"), "node", "nodes"),
            parts.join(", ")
        )
    };
    let kubernetes = row
        .str("kubernetes_version")
        .unwrap_or_else(|| "unknown".into());
    let exhaustion = assessment.get("port_exhaustion");
    out.push_str(&format!(
        "<article class=\"card dsr-row dsr-row--{status}\" id=\"dsr-{slug}\" data-region=\"{}\" data-cluster=\"{}\" \
         data-nodegroup=\"{}\" data-dsr-status=\"{status}\" aria-labelledby=\"dsr-{slug}-title\">\
         <header class=\"dsr-row__head\">{}<div class=\"dsr-row__title\"><h2 id=\"dsr-{slug}-title\">\
         <span class=\"dsr-row__name\">{}</span><span class=\"dsr-row__in\"> in </span><a href=\"{}\">{}</a></h2>\
         <p class=\"dsr-row__context\">{}</p></div><a class=\"button button--small\" href=\"{}\">IP what-if →</a></header>\
         <p class=\"dsr-row__reason\" id=\"dsr-{slug}-reason\">{}</p><div class=\"dsr-row__body\"><div class=\"dsr-row__facts\"><dl class=\"dsr-facts\">",
        esc(&region),
        esc(&cluster),
        esc(&nodegroup),
        dsr_badge_html(&status),
        esc(&nodegroup),
        esc(&cluster_href(&region, &cluster)),
        esc(&cluster),
        esc(&context.join(" · ")),
        esc(&nodegroup_what_if_href(&region, &cluster, &nodegroup)),
        esc(&assessment.text("reason")),
    ));
    for (term, text) in [
        ("Windows", windows_words(&assessment.get("windows_version"))),
        ("Kubernetes", kubernetes.clone()),
        ("Services in cluster", services),
        ("Nodes", nodes_words),
    ] {
        out.push_str(&format!(
            "<div><dt>{term}</dt><dd>{}</dd></div>",
            esc(&text)
        ));
    }
    out.push_str(&format!(
        "<div><dt>Port-exhaustion risk</dt><dd>{} <span class=\"dsr-facts__note\">{}</span></dd></div></dl>\
         <h3 class=\"section-title\">Evidence</h3><ul class=\"dsr-evidence\" id=\"dsr-{slug}-evidence\">",
        risk_chip(exhaustion.str("risk").as_deref()),
        esc(&exhaustion.text("message"))
    ));
    for line in assessment.strings("evidence") {
        out.push_str(&format!("<li>{}</li>", esc(&line)));
    }
    out.push_str("</ul></div><div class=\"dsr-row__fix\">");
    let fix = assessment.get("fix");
    if fix.bool("needed").unwrap_or(true) {
        out.push_str("<h3 class=\"section-title\">Fix: turn DSR on</h3>");
        copy_block_html(
            out,
            &format!("dsr-{slug}-flags"),
            "kube-proxy flags",
            Some(&format!("for Kubernetes {kubernetes}")),
            &fix.text("kube_proxy_flags"),
        );
        out.push_str(
            "<details class=\"dsr-snippets\"><summary>User data and eksctl snippets</summary>",
        );
        copy_block_html(
            out,
            &format!("dsr-{slug}-user-data"),
            "Launch-template user data (-KubeProxyExtraArgs)",
            None,
            &fix.text("user_data_snippet"),
        );
        copy_block_html(
            out,
            &format!("dsr-{slug}-eksctl"),
            "eksctl nodegroup (BPG bootstrap patch)",
            None,
            &fix.text("eksctl_snippet"),
        );
        out.push_str("</details><ul class=\"dsr-fix__notes\">");
        for note in fix.strings("notes") {
            out.push_str(&format!("<li>{}</li>", esc(&note)));
        }
        out.push_str("</ul>");
    } else {
        out.push_str(&format!(
            "<h3 class=\"section-title\">Fix</h3><p class=\"all-clear\" id=\"dsr-{slug}-no-fix\"><span aria-hidden=\"true\">✓</span>\
             Nothing to do: kube-proxy already runs with DSR.</p><p class=\"field__help\">Flags in force: <code>{}</code></p>",
            esc(&fix.text("kube_proxy_flags"))
        ));
    }
    let nodes = row.list("nodes");
    out.push_str(&format!(
        "</div></div><details class=\"dsr-nodes\" id=\"dsr-{slug}-nodes\"><summary>{} in this nodegroup</summary>",
        count(nodes.len() as u64, "node", "nodes")
    ));
    if nodes.is_empty() {
        out.push_str(
            "<p class=\"field__help\">No running nodes were scanned in this nodegroup.</p>",
        );
    } else {
        out.push_str(
            "<div class=\"table-scroll\"><table class=\"table dsr-node-table\"><thead><tr><th scope=\"col\">Node</th>\
             <th scope=\"col\">Type</th><th scope=\"col\">Windows build</th><th scope=\"col\">DSR</th><th scope=\"col\">Why</th></tr></thead><tbody>",
        );
        for node in &nodes {
            let id = node.text("instance_id");
            out.push_str(&format!(
                "<tr data-instance-id=\"{}\" data-dsr=\"{}\"><td class=\"mono\"><a href=\"{}\">{}</a></td><td class=\"mono\">{}</td>\
                 <td class=\"mono\">{}</td><td>{}</td><td class=\"dsr-node-table__why\">{}</td></tr>",
                esc(&id),
                esc(&node.text("status")),
                esc(&node_href(&id)),
                esc(&id),
                esc(&node.text("instance_type")),
                esc(&node.str("windows_build").unwrap_or_else(|| "unknown".into())),
                dsr_chip(node.str("status").as_deref()),
                esc(&node.text("reason")),
            ));
        }
        out.push_str("</tbody></table></div>");
    }
    out.push_str("</details></article>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_round_trip_through_the_url() {
        let f = DsrFilters::from_pairs([
            ("region", "eu-west-1"),
            ("cluster", "prod eu"),
            ("status", "OFF"),
            ("x", "y"),
        ]);
        assert_eq!(f.status, Some(DsrStatus::Off));
        assert_eq!(
            f.page_url(),
            "/dsr?region=eu-west-1&cluster=prod%20eu&status=off"
        );
        assert_eq!(
            f.api_url(),
            "/api/v1/dsr?region=eu-west-1&cluster=prod%20eu&status=off"
        );
        assert_eq!(
            f.csv_url(),
            "/api/v1/export/nodes.csv?os=windows&region=eu-west-1&cluster=prod%20eu&dsr=off"
        );
        assert_eq!(f.cluster_choice(), "eu-west-1/prod eu");
        assert!(DsrFilters::from_pairs([("status", "maybe")]).is_empty());
        assert_eq!(DsrFilters::default().page_url(), "/dsr");
        assert_eq!(
            row_slug("eu-west-1", "prod", "(ungrouped)"),
            "eu-west-1-prod--ungrouped-"
        );
    }
}
