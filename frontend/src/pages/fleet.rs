//! `/`: the fleet overview. One card per cluster (where it runs, nodes, pod IPs used / held /
//! capacity, subnets at risk, DSR coverage, its scan errors), fleet totals, the age of the data and
//! the background scan's progress. Polls `/api/v1/fleet` every 10 s, every 2 s while a scan runs or
//! no snapshot is loaded yet. Every number is a `shared::fleet::FleetOverview` value.

use crate::api::ApiFailure;
use crate::components::cluster_card::{cluster_card_html, scan_errors_html};
use crate::components::data_age::{data_age_html, scan_html};
use crate::components::demo_banner::demo_banner_html;
use crate::components::html::esc;
use crate::components::json::Json;
use crate::components::remote::Remote;
use crate::format::{count, grouped};
use leptos::prelude::*;

/// Poll fast while a scan runs or while the server has no snapshot yet.
pub fn wants_fast_poll(remote: Remote) -> bool {
    let no_snapshot = remote
        .got
        .with_untracked(|g| matches!(g, Some((_, Err(f))) if f.is_no_snapshot()));
    let scanning = remote.ok.with_untracked(|ok| {
        ok.as_ref()
            .is_some_and(|(o, _)| o.get("scan").str("phase").as_deref() == Some("running"))
    });
    no_snapshot || scanning
}

/// Seconds between polls, normally and while a scan runs.
#[cfg(target_arch = "wasm32")]
const POLL_TICK: std::time::Duration = std::time::Duration::from_secs(2);
#[cfg(target_arch = "wasm32")]
const SLOW_POLL_TICKS: u32 = 5;

/// The routed page: loads and polls, then hands the state to [`FleetView`].
#[component]
pub fn FleetPage() -> impl IntoView {
    let remote = Remote::new();
    let now = RwSignal::new(crate::components::data_age::now_seconds());
    #[cfg(target_arch = "wasm32")]
    poll_fleet(remote, now);
    view! { <FleetView remote now=now/> }
}

/// Fetch now, then every tick while scanning and every 5th tick otherwise; stop when the page goes.
#[cfg(target_arch = "wasm32")]
fn poll_fleet(remote: Remote, now: RwSignal<f64>) {
    use crate::components::data_age::now_seconds;
    use leptos::leptos_dom::helpers::set_interval_with_handle;
    use std::cell::Cell;

    let url = crate::api::FLEET_URL.to_string();
    remote.request(url.clone());
    let ticks = Cell::new(0u32);
    let handle = set_interval_with_handle(
        move || {
            now.try_set(now_seconds());
            let tick = ticks.get().wrapping_add(1);
            ticks.set(tick);
            // One request at a time: a slow server is not asked again before it answers.
            if (wants_fast_poll(remote) || tick.is_multiple_of(SLOW_POLL_TICKS))
                && !remote.pending()
            {
                remote.request(url.clone());
            }
        },
        POLL_TICK,
    );
    if let Ok(handle) = handle {
        on_cleanup(move || handle.clear());
    }
}

/// The overview for a `FleetOverview` resource (rendered natively in tests).
#[component]
pub fn FleetView(
    remote: Remote,
    /// The browser clock (seconds), ticking, for the data age.
    #[prop(into)]
    now: Signal<f64>,
) -> impl IntoView {
    // Everything but the age is text that only changes when the data does (`Memo` compares the
    // text, so a poll that brings the same fleet leaves the DOM — and keyboard focus — alone).
    let body = Memo::new(move |_| body_html(remote.json().as_ref(), remote.failure().as_ref()));
    let header = Memo::new(move |_| {
        remote.ok.with(|ok| {
            ok.as_ref().map(|(overview, at)| {
                let elapsed = (now.get() - at).max(0.0) as i64;
                let age = overview
                    .get("data_age_seconds")
                    .as_i64()
                    .map(|age| age + elapsed);
                header_html(overview, age)
            })
        })
    });
    view! {
        <div inner_html=move || header.get().unwrap_or_default()></div>
        <div id="fleet" inner_html=move || body.get()></div>
    }
}

/// The demo banner (when the source is the embedded demo fleet), the title with the fleet's shape
/// and the scan status.
fn header_html(overview: &Json, age_seconds: Option<i64>) -> String {
    let banner = if overview.bool("demo") == Some(true) {
        demo_banner_html(&overview.get("source").text("description"))
    } else {
        String::new()
    };
    format!(
        "{banner}<div class=\"page-header fleet-header\"><div><h1>Fleet</h1><p class=\"page-header__lead\" id=\"fleet-lead\">{}</p></div>\
         <div class=\"fleet-header__status\">{}{}</div></div>",
        esc(&lead(overview)),
        data_age_html(&overview.text("collected_at"), age_seconds),
        scan_html(&overview.get("scan"))
    )
}

/// "4 clusters in 2 regions and 2 accounts" (and the source, unless the demo banner says it).
fn lead(overview: &Json) -> String {
    let totals = overview.get("totals");
    let shape = format!(
        "{} in {} and {}",
        count(totals.count("clusters"), "cluster", "clusters"),
        count(totals.strings("regions").len() as u64, "region", "regions"),
        count(
            totals.strings("accounts").len() as u64,
            "account",
            "accounts"
        ),
    );
    if overview.bool("demo") == Some(true) {
        shape
    } else {
        format!(
            "{shape} · source: {}",
            overview.get("source").text("description")
        )
    }
}

/// Loading, failure, or the totals, the errors that hit no cluster, and the cards.
fn body_html(overview: Option<&Json>, failure: Option<&ApiFailure>) -> String {
    let Some(overview) = overview else {
        return match failure {
            None => "<div class=\"notice\" id=\"fleet-loading\" role=\"status\"><span class=\"spinner\" aria-hidden=\"true\"></span><p>Loading the fleet from the eniscope server…</p></div>".to_string(),
            Some(failure) if failure.is_no_snapshot() => no_snapshot_html(failure),
            Some(failure) => format!(
                "<section class=\"card empty-state\" id=\"fleet-error\" role=\"alert\"><h1 class=\"empty-state__title\">The fleet could not be loaded</h1>\
                 <p class=\"empty-state__message\">{}</p><p class=\"empty-state__message\">This page retries every 10 seconds.</p></section>",
                esc(&failure.message)
            ),
        };
    };
    let mut out = String::new();
    if let Some(failure) = failure {
        out.push_str(&format!(
            "<div class=\"notice notice--error\" id=\"fleet-refresh-error\" role=\"alert\"><span class=\"notice__icon\" aria-hidden=\"true\">✕</span>\
             <p>Could not refresh: {} Showing the data loaded before; retrying.</p></div>",
            esc(&failure.message)
        ));
    }
    out.push_str(&totals_html(&overview.get("totals")));
    let unattached = overview.list("unattached_errors");
    if !unattached.is_empty() {
        out.push_str(&format!(
            "<section class=\"notice notice--error fleet-errors\" id=\"fleet-unattached-errors\" role=\"alert\"><span class=\"notice__icon\" aria-hidden=\"true\">✕</span><div>\
             <p><strong>Some sources could not be read at all</strong> — clusters there may be missing from this page:</p>{}</div></section>",
            scan_errors_html(&unattached)
        ));
    }
    out.push_str("<section class=\"cluster-grid\" id=\"cluster-cards\" aria-label=\"Clusters\">");
    let clusters = overview.list("clusters");
    if clusters.is_empty() {
        out.push_str(
            "<div class=\"card empty-inline\" id=\"no-clusters\"><p><strong>No EKS clusters in this snapshot.</strong></p>\
             <p class=\"fineprint\">The scan found no cluster in the configured accounts and regions. Check <code>regions</code> and \
             <code>[[accounts]]</code> in the config, and that the credentials may call <code>eks:ListClusters</code>.</p></div>",
        );
    }
    for cluster in &clusters {
        out.push_str(&cluster_card_html(cluster));
    }
    out.push_str("</section>");
    out
}

/// 503 from `/api/v1/fleet`: no snapshot yet. Say why and how to get one.
fn no_snapshot_html(failure: &ApiFailure) -> String {
    format!(
        "<section class=\"card empty-state\" id=\"fleet-no-snapshot\" role=\"status\">\
         <h1 class=\"empty-state__title\"><span class=\"spinner\" aria-hidden=\"true\"></span> No fleet data yet</h1>\
         <p class=\"empty-state__message\">{}</p>\
         <p>If a scan is running, this page fills in by itself when it finishes (it checks every 2 seconds). Otherwise load a fleet:</p>\
         <ul class=\"steps\"><li>Scan your AWS accounts: <code>eniscope scan --output fleet.json</code>, then <code>eniscope serve --snapshot fleet.json</code></li>\
         <li>Or let the server scan on an interval: <code>eniscope serve --config eniscope.toml</code></li>\
         <li>Or look around with sample data: <code>eniscope serve --demo</code></li></ul>\
         <a class=\"button\" href=\"/what-if\">Meanwhile, plan a nodegroup →</a></section>",
        esc(&failure.message)
    )
}

/// One headline number: `id` on the digits, `data-value` with the raw value for tests.
fn tile(id: &str, label: &str, value: Option<u64>, unit: &str, detail: &str, bad: bool) -> String {
    format!(
        "<section class=\"metric totals__tile{}\" aria-labelledby=\"{id}-label\"><h2 class=\"metric__label\" id=\"{id}-label\">{label}</h2>\
         <p class=\"metric__value\"><span id=\"{id}\" data-value=\"{}\">{}</span><span class=\"metric__unit\">{unit}</span></p>\
         <p class=\"metric__detail\">{detail}</p></section>",
        if bad { " totals__tile--bad" } else { "" },
        value.map(|v| v.to_string()).unwrap_or_default(),
        value.map_or_else(|| "–".to_string(), grouped),
    )
}

/// Fleet totals, straight from `shared::fleet::FleetTotals`.
fn totals_html(t: &Json) -> String {
    let ips = t.get("ips");
    let dsr = t.get("dsr");
    let used = ips.u64("used_ips").map_or_else(
        || "used by pods: unknown".to_string(),
        |u| format!("{} used by pods", grouped(u)),
    );
    let mut held_detail = format!("of {} capacity · {used}", grouped(ips.count("ip_capacity")));
    let capacity_unknown = ips.count("capacity_unknown_nodes");
    if capacity_unknown > 0 {
        held_detail.push_str(&format!(
            " · capacity excludes {} of unknown type",
            count(capacity_unknown, "node", "nodes")
        ));
    }
    let windows = dsr.count("windows_nodes");
    let dsr_detail = if windows == 0 {
        "no Windows nodes".to_string()
    } else {
        format!(
            "of {}: ✓ {} on · ✕ {} off · ? {} unknown · {} at port-exhaustion risk",
            count(windows, "Windows node", "Windows nodes"),
            grouped(dsr.count("on")),
            grouped(dsr.count("off")),
            grouped(dsr.count("unknown")),
            grouped(t.count("windows_nodes_at_port_exhaustion_risk"))
        )
    };
    let errors = t.count("errors");
    let errors_detail = if errors == 0 {
        "every source answered".to_string()
    } else {
        format!(
            "{} affected · {} AWS calls",
            count(t.count("clusters_with_errors"), "cluster", "clusters"),
            grouped(t.count("api_calls"))
        )
    };
    let nodes_detail = format!(
        "⊞ {} Windows · ◆ {} Linux · {}",
        grouped(t.count("nodes_windows")),
        grouped(t.count("nodes_linux")),
        count(t.count("nodegroups"), "nodegroup", "nodegroups")
    );
    let at_risk = t.count("subnets_at_risk");
    [
        "<section class=\"totals\" aria-label=\"Fleet totals\" id=\"fleet-totals\">".to_string(),
        tile(
            "total-nodes",
            "Nodes",
            Some(ips.count("nodes")),
            &format!("in {}", count(t.count("clusters"), "cluster", "clusters")),
            &nodes_detail,
            false,
        ),
        tile(
            "total-held",
            "Pod IPs held",
            Some(ips.count("held_ips")),
            "pod IPs",
            &held_detail,
            false,
        ),
        tile(
            "total-subnets-at-risk",
            "Subnets at risk",
            Some(at_risk),
            &format!("of {}", grouped(t.count("subnets"))),
            "low on free IPs or /28 blocks",
            at_risk > 0,
        ),
        tile(
            "total-dsr-coverage",
            "DSR coverage (Windows)",
            dsr.u64("coverage_percent"),
            "%",
            &dsr_detail,
            dsr.count("off") > 0,
        ),
        tile(
            "total-errors",
            "Scan errors",
            Some(errors),
            if errors == 1 { "error" } else { "errors" },
            &errors_detail,
            errors > 0,
        ),
        "</section>".to_string(),
    ]
    .concat()
}
