//! The nodegroups of a cluster: kind, instance types, OS / AMI, IP mode, nodes, pod IPs held of
//! capacity, DSR — each with a link to its what-if page. Input: `shared::fleet::NodegroupSummary` JSON.

use crate::components::breadcrumbs::nodegroup_what_if_href;
use crate::components::html::esc;
use crate::components::json::Json;
use crate::components::node_ip_bar::IpBar;
use crate::components::status_chip::{dsr_chip, mode_chip, os_chip};
use crate::format::grouped;

/// `shared::snapshot::NodegroupKind` (kebab-case in the API) in words.
pub fn kind_words(kind: &str) -> &'static str {
    match kind {
        "managed" => "managed",
        "self-managed" => "self-managed",
        "karpenter" => "Karpenter",
        _ => "ungrouped",
    }
}

/// `ON_DEMAND` → `on-demand`, `SPOT` → `spot`.
pub fn capacity_type_words(value: &str) -> String {
    value.to_lowercase().replace('_', "-")
}

/// `desired 4 · min 1 · max 8` from a `shared::snapshot::Scaling`.
pub fn scaling_words(scaling: &Json) -> Option<String> {
    (!scaling.is_null()).then(|| {
        format!(
            "desired {} · min {} · max {}",
            scaling.count("desired_size"),
            scaling.count("min_size"),
            scaling.count("max_size")
        )
    })
}

pub fn nodegroup_table_html(nodegroups: &[Json]) -> String {
    if nodegroups.is_empty() {
        return "<p class=\"fineprint\" id=\"nodegroups-empty\">This cluster has no nodegroups and no nodes in this snapshot.</p>".to_string();
    }
    let mut out = String::from(
        "<div class=\"table-scroll\"><table class=\"table nodegroup-table\" id=\"nodegroup-table\"><thead><tr>\
         <th scope=\"col\">Nodegroup</th><th scope=\"col\">Instance types</th><th scope=\"col\">OS / AMI</th>\
         <th scope=\"col\">Mode</th><th scope=\"col\" class=\"num\">Nodes</th>\
         <th scope=\"col\" class=\"num\" title=\"Pod IPs held of the IP capacity of its nodes\">Pod IPs held / capacity</th>\
         <th scope=\"col\">DSR</th><th scope=\"col\"><span class=\"visually-hidden\">What-if</span></th></tr></thead><tbody>",
    );
    for group in nodegroups {
        out.push_str(&row_html(group));
    }
    out.push_str("</tbody></table></div>");
    out
}

fn row_html(group: &Json) -> String {
    let name = group.text("name");
    let kind = group.text("kind");
    let ips = group.get("ips");
    let mut head = format!(
        "<span class=\"nodegroup-name\">{}</span><span class=\"fineprint\"> {}{}</span>",
        esc(&name),
        kind_words(&kind),
        group
            .str("capacity_type")
            .map(|c| format!(" · {}", esc(&capacity_type_words(&c))))
            .unwrap_or_default()
    );
    let warnings = group.strings("warnings");
    if !warnings.is_empty() {
        head.push_str("<ul class=\"row-warnings\">");
        for warning in &warnings {
            head.push_str(&format!("<li>▲ {}</li>", esc(warning)));
        }
        head.push_str("</ul>");
    }
    let mut os = os_chip(group.str("os").as_deref());
    let ami = [group.str("ami_type"), group.str("release_version")]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" · ");
    if !ami.is_empty() {
        os.push_str(&format!(
            "<div class=\"fineprint mono\">{}</div>",
            esc(&ami)
        ));
    }
    if let Some(version) = group.str("kubernetes_version") {
        os.push_str(&format!(
            "<div class=\"fineprint\">Kubernetes {}</div>",
            esc(&version)
        ));
    }
    let scaling = scaling_words(&group.get("scaling"))
        .map(|s| format!("<div class=\"fineprint\">{s}</div>"))
        .unwrap_or_default();
    let dsr = group.get("dsr");
    let mut dsr_cell = dsr_chip(dsr.str("status").as_deref());
    let counts = group.get("dsr_nodes");
    if counts.count("windows_nodes") > 0 {
        dsr_cell.push_str(&format!(
            "<div class=\"fineprint\">{} on · {} off · {} unknown</div>",
            counts.count("on"),
            counts.count("off"),
            counts.count("unknown")
        ));
    }
    let what_if = if kind == "ungrouped" {
        String::new()
    } else {
        format!(
            "<a class=\"button button--small\" href=\"{}\" data-what-if=\"{}\">What-if →</a>",
            esc(&nodegroup_what_if_href(
                &group.text("region"),
                &group.text("cluster"),
                &name
            )),
            esc(&name)
        )
    };
    let (held, capacity) = (ips.count("held_ips"), ips.count("ip_capacity"));
    let bar = IpBar {
        held_ips: held,
        used_ips: ips.u64("used_ips"),
        ip_capacity: Some(capacity),
        max_pods: None,
    };
    format!(
        "<tr data-nodegroup=\"{}\" data-kind=\"{}\"><th scope=\"row\">{head}</th><td class=\"mono\">{}</td><td>{os}</td><td>{}</td>\
         <td class=\"num\"><span data-col=\"nodes\">{}</span>{scaling}</td>\
         <td class=\"num nodegroup-table__ips\"><span data-col=\"held\">{}</span> / <span data-col=\"capacity\">{}</span>{}</td>\
         <td>{dsr_cell}</td><td>{what_if}</td></tr>",
        esc(&name),
        esc(&kind),
        esc(&group.strings("instance_types").join(", ")),
        mode_chip(group.str("ip_mode").as_deref()),
        grouped(ips.count("nodes")),
        grouped(held),
        grouped(capacity),
        bar.html(false),
    )
}
