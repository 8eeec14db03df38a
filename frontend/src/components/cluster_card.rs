//! One cluster on the fleet overview: where it runs, its nodes, its pod IPs (used / held / capacity),
//! subnets at risk, DSR coverage of its Windows nodes, and — on the card itself — any scan error that
//! hit it, so a failed cluster says what failed while the others render normally. Also the pieces the
//! cluster page reuses (scan errors, pod-IP totals, DSR coverage). Input: `shared::fleet` JSON.

use crate::components::breadcrumbs::cluster_href;
use crate::components::html::{dom_id, esc, width};
use crate::components::json::Json;
use crate::components::node_ip_bar::IpBar;
use crate::components::status_chip::risk_chip;
use crate::format::{count, grouped};

/// `(words, what to do)` for a `shared::snapshot::ErrorKind` (kebab-case in the API).
pub fn error_kind_words(kind: &str) -> (&'static str, &'static str) {
    match kind {
        "access-denied" => (
            "Access denied",
            "Grant the read-only actions in iam-policy.json to the role or profile used for this account.",
        ),
        "throttled" => (
            "Throttled",
            "AWS throttled the scan; the next scan retries (or lower `concurrency`).",
        ),
        "unreachable" => (
            "Unreachable",
            "Check network access to the AWS endpoint (or `endpoint_url`).",
        ),
        "not-found" => (
            "Not found",
            "The resource disappeared during the scan; the next scan will not list it.",
        ),
        "invalid-response" => (
            "Invalid response",
            "AWS sent something eniscope could not read; re-run the scan.",
        ),
        "credentials" => (
            "No credentials",
            "Configure credentials for this account (profile, SSO or role ARN).",
        ),
        _ => ("Error", "See the message; the next scan retries."),
    }
}

/// A list of scan errors (`shared::fleet::ScopedError`): kind, operation, scope, message and the fix.
pub fn scan_errors_html(errors: &[Json]) -> String {
    let mut out = String::from("<ul class=\"scan-errors\">");
    for error in errors {
        let kind = error.text("kind");
        let (words, fix) = error_kind_words(&kind);
        let place = ["account", "region", "cluster"]
            .iter()
            .filter_map(|k| error.str(k))
            .collect::<Vec<_>>()
            .join(" / ");
        let operation = error
            .str("operation")
            .map(|op| format!(" in <code>{}</code>", esc(&op)))
            .unwrap_or_default();
        let place = if place.is_empty() {
            String::new()
        } else {
            format!(": {}", esc(&place))
        };
        out.push_str(&format!(
            "<li class=\"scan-error\" data-kind=\"{}\"><p><strong>{words}</strong>{operation}<span class=\"scan-error__scope\"> ({}{place})</span></p><p class=\"scan-error__message\">{}</p><p class=\"scan-error__fix\">{fix}</p></li>",
            esc(&kind),
            esc(&error.text("scope")),
            esc(&error.text("message")),
        ));
    }
    out.push_str("</ul>");
    out
}

/// Pod IPs of a set of nodes (`shared::fleet::IpTotals`): numbers, then the bar, then what is unknown.
pub fn ip_totals_html(ips: &Json, id_prefix: &str) -> String {
    let used = ips.u64("used_ips");
    let nodes = ips.count("nodes");
    let known = ips.count("used_known_nodes");
    let capacity_unknown = ips.count("capacity_unknown_nodes");
    let bar = IpBar {
        held_ips: ips.count("held_ips"),
        used_ips: used,
        ip_capacity: Some(ips.count("ip_capacity")),
        max_pods: None,
    };
    let mut out = format!(
        "<div class=\"ip-totals\"><dl class=\"ip-totals__numbers\">\
         <div><dt>used</dt><dd id=\"{id_prefix}-used\"{}>{}</dd></div>\
         <div><dt>held</dt><dd id=\"{id_prefix}-held\" data-value=\"{}\">{}</dd></div>\
         <div><dt>capacity</dt><dd id=\"{id_prefix}-capacity\" data-value=\"{}\">{}</dd></div></dl>{}",
        if used.is_none() {
            " class=\"muted\""
        } else {
            ""
        },
        used.map_or_else(|| "unknown".to_string(), grouped),
        bar.held_ips,
        grouped(bar.held_ips),
        ips.count("ip_capacity"),
        grouped(ips.count("ip_capacity")),
        bar.html(false),
    );
    if used.is_none() {
        let note = if known == 0 {
            "used: needs Kubernetes access (pods with a VPC IP), never estimated".to_string()
        } else {
            format!(
                "used known for {} of {} nodes only",
                grouped(known),
                grouped(nodes)
            )
        };
        out.push_str(&format!("<p class=\"fineprint\">{note}</p>"));
    }
    if capacity_unknown > 0 {
        out.push_str(&format!(
            "<p class=\"fineprint\">capacity excludes {} of unknown instance type</p>",
            count(capacity_unknown, "node", "nodes")
        ));
    }
    out.push_str("</div>");
    out
}

/// "76 % of 34 Windows nodes with DSR on" with on / off / unknown counts and a segmented bar
/// (`shared::fleet::DsrCounts`).
pub fn dsr_coverage_html(dsr: &Json, id: &str) -> String {
    let Some(percent) = dsr.u64("coverage_percent") else {
        return format!(
            "<p class=\"dsr-coverage dsr-coverage--none\" id=\"{id}\" data-coverage=\"none\">No Windows nodes</p>"
        );
    };
    let total = dsr.count("windows_nodes");
    let (on, off, unknown) = (dsr.count("on"), dsr.count("off"), dsr.count("unknown"));
    format!(
        "<div class=\"dsr-coverage\" id=\"{id}\" data-coverage=\"{percent}\">\
         <p><strong>{percent} %</strong> of {} with DSR on</p>\
         <div class=\"dsr-bar\" aria-hidden=\"true\"><span class=\"dsr-bar__on\" style=\"width:{}\"></span>\
         <span class=\"dsr-bar__unknown\" style=\"width:{}\"></span><span class=\"dsr-bar__off\" style=\"width:{}\"></span></div>\
         <p class=\"dsr-coverage__counts\"><span class=\"chip chip--ok\">✓ {} on</span>\
         <span class=\"chip chip--bad\">✕ {} off</span><span class=\"chip chip--warn\">? {} unknown</span></p></div>",
        count(total, "Windows node", "Windows nodes"),
        width(on, total),
        width(unknown, total),
        width(off, total),
        grouped(on),
        grouped(off),
        grouped(unknown),
    )
}

/// The card for one `shared::fleet::ClusterSummary`.
pub fn cluster_card_html(cluster: &Json) -> String {
    let (name, region) = (cluster.text("name"), cluster.text("region"));
    let href = esc(&cluster_href(&region, &name));
    let key = format!("{region}/{name}");
    let id = dom_id(&key);
    let account = [cluster.str("account_label"), cluster.str("account_id")]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" · ");
    let errors = cluster.list("errors");
    let at_risk = cluster.strings("subnets_at_risk");
    let ips = cluster.get("ips");
    let mut meta = format!("<span class=\"mono\">{}</span>", esc(&region));
    if !account.is_empty() {
        meta.push_str(&format!("<span>{}</span>", esc(&account)));
    }
    meta.push_str(&format!(
        "<span>Kubernetes {}</span>",
        esc(&cluster.str("version").unwrap_or_else(|| "?".into()))
    ));
    if let Some(status) = cluster.str("status") {
        meta.push_str(&format!("<span>{}</span>", esc(&status.to_lowercase())));
    }
    let mut out = format!(
        "<article class=\"cluster-card card{}\" id=\"cluster-{id}\" data-cluster=\"{}\" data-errors=\"{}\" aria-labelledby=\"cluster-title-{id}\">\
         <header class=\"cluster-card__head\"><div><h2 id=\"cluster-title-{id}\"><a class=\"cluster-card__link\" href=\"{href}\">{}</a></h2>\
         <p class=\"cluster-card__meta\">{meta}</p></div>",
        if errors.is_empty() {
            ""
        } else {
            " cluster-card--error"
        },
        esc(&key),
        errors.len(),
        esc(&name),
    );
    if !errors.is_empty() {
        out.push_str(&format!(
            "<span class=\"chip chip--bad\">✕ {}</span>",
            count(errors.len() as u64, "scan error", "scan errors")
        ));
    }
    out.push_str("</header>");
    if !errors.is_empty() {
        out.push_str(&format!(
            "<div class=\"notice notice--error cluster-card__errors\" role=\"alert\"><span class=\"notice__icon\" aria-hidden=\"true\">✕</span><div>\
             <p><strong>Part of this cluster could not be read.</strong> Numbers below cover what was read.</p>{}</div></div>",
            scan_errors_html(&errors)
        ));
    }
    let risk_list = if at_risk.is_empty() {
        String::new()
    } else {
        format!(": <span class=\"mono\">{}</span>", esc(&at_risk.join(", ")))
    };
    out.push_str(&format!(
        "<dl class=\"cluster-card__facts\">\
         <div class=\"fact\"><dt>Nodes</dt><dd><span class=\"fact__big\">{}</span><span class=\"fact__detail\">\
         <span class=\"os__symbol\" aria-hidden=\"true\">⊞</span>{} Windows · <span class=\"os__symbol\" aria-hidden=\"true\">◆</span>{} Linux · {}</span></dd></div>\
         <div class=\"fact\"><dt>Subnets at risk</dt><dd><span class=\"fact__big{}\">{}{}</span><span class=\"fact__detail\">of {}{risk_list}</span></dd></div>\
         <div class=\"fact fact--wide\"><dt>Pod IPs</dt><dd>{}</dd></div>\
         <div class=\"fact fact--wide\"><dt>DSR</dt><dd>{}",
        grouped(ips.count("nodes")),
        grouped(cluster.count("nodes_windows")),
        grouped(cluster.count("nodes_linux")),
        count(cluster.count("nodegroups"), "nodegroup", "nodegroups"),
        if at_risk.is_empty() { "" } else { " text-bad" },
        if at_risk.is_empty() { "" } else { "▲ " },
        grouped(at_risk.len() as u64),
        count(
            cluster.strings("subnet_ids").len() as u64,
            "subnet",
            "subnets"
        ),
        ip_totals_html(&ips, &format!("cluster-{id}-ips")),
        dsr_coverage_html(&cluster.get("dsr"), &format!("cluster-{id}-dsr")),
    ));
    if let Some(risk) = cluster.str("port_exhaustion_risk") {
        let services = cluster
            .u64("service_count")
            .map(|n| format!(" · {}", count(n, "service", "services")))
            .unwrap_or_default();
        out.push_str(&format!(
            "<p class=\"fact__detail\">Port-exhaustion risk: {}{services}</p>",
            risk_chip(Some(&risk))
        ));
    }
    out.push_str(&format!(
        "</dd></div></dl><a class=\"button cluster-card__open\" href=\"{href}\">Open cluster →</a></article>"
    ));
    out
}
