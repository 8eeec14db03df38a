//! One subnet: CIDR, AZ, free IPs of the usable ones, CIDR reservations, how many new /28 prefixes
//! still fit, the fragmentation score and band, why it is at risk, and its /28 block map (loaded
//! separately from `/api/v1/subnets/{id}`). Input: `shared::fleet::SubnetRow` / `SubnetDetail` JSON.

use crate::components::block_map::{block_map_html, legend_html};
use crate::components::html::{dom_id, esc};
use crate::components::json::Json;
use crate::components::status_chip::fragmentation_chip;
use crate::format::{count, grouped};

/// Where a subnet's block map is.
#[derive(Debug, Clone)]
pub enum BlockMapState {
    Loading,
    Failed(String),
    /// `SubnetDetail::block_map` (null when the allocations were not read).
    Loaded(Json),
}

pub fn subnet_card_html(subnet: &Json, map: &BlockMapState) -> String {
    let subnet_id = subnet.text("subnet_id");
    let id = dom_id(&subnet_id);
    let at_risk = subnet.bool("at_risk").unwrap_or(false);
    let free = subnet.u64("free_ips");
    let usable = subnet.u64("usable_ips");
    let free_text = match (free, usable) {
        (Some(free), Some(usable)) => format!("{} of {} usable", grouped(free), grouped(usable)),
        (Some(free), None) => grouped(free),
        _ => "unknown".to_string(),
    };
    let mut meta = format!("<span class=\"mono\">{}</span>", esc(&subnet_id));
    if let Some(az) = subnet.str("availability_zone") {
        meta.push_str(&format!("<span>{}</span>", esc(&az)));
    }
    let pd_nodes = subnet.count("prefix_delegation_nodes");
    meta.push_str(&format!(
        "<span>{} here{}</span>",
        count(subnet.count("nodes"), "node", "nodes"),
        if pd_nodes > 0 {
            format!(" ({} with prefixes)", grouped(pd_nodes))
        } else {
            String::new()
        }
    ));
    // The bar shows the free share the API reported (free_percent); nothing recomputed.
    let free_bar = subnet
        .u64("free_percent")
        .map(|percent| {
            format!(
                "<span class=\"fact__detail\">{percent} % free</span><div class=\"usage-bar{}\" title=\"filled: share of the usable addresses in use\" aria-hidden=\"true\"><div class=\"usage-bar__fill\" style=\"width:{}%\"></div></div>",
                if at_risk { " usage-bar--risk" } else { "" },
                100u64.saturating_sub(percent.min(100))
            )
        })
        .unwrap_or_default();
    let slots = subnet.u64("prefix_slots_free");
    let usage = subnet.get("usage");
    let mut slots_detail = String::new();
    if let Some(reserved) = usage.u64("free_prefix_slots_reserved").filter(|n| *n > 0) {
        slots_detail.push_str(&format!(
            "<span class=\"fact__detail\">{} of them in prefix reservations</span>",
            grouped(reserved)
        ));
    }
    if subnet.bool("prefix_delegation_ready") == Some(false) {
        slots_detail.push_str(
            "<span class=\"fact__detail text-bad\">✕ prefix delegation cannot get a /28 here</span>",
        );
    }
    let mut out = format!(
        "<article class=\"subnet-card card{}\" id=\"subnet-{id}\" data-subnet=\"{}\" data-at-risk=\"{at_risk}\" aria-labelledby=\"subnet-title-{id}\">\
         <header class=\"subnet-card__head\"><div><h3 id=\"subnet-title-{id}\" class=\"mono\">{}</h3><p class=\"subnet-card__meta\">{meta}</p></div>{}</header>\
         <dl class=\"subnet-card__facts\">\
         <div class=\"fact\"><dt>Free IPs</dt><dd><span class=\"fact__big\" id=\"subnet-{id}-free\" data-value=\"{}\">{free_text}</span>{free_bar}</dd></div>\
         <div class=\"fact\"><dt>/28 prefixes that still fit</dt><dd><span class=\"fact__big\" id=\"subnet-{id}-slots\" data-value=\"{}\">{}</span>{slots_detail}</dd></div>\
         <div class=\"fact\"><dt>Fragmentation</dt><dd>{}<span class=\"fact__detail\">share of candidate /28 blocks that cannot take a prefix</span></dd></div>\
         <div class=\"fact\"><dt>Pod IPs held here</dt><dd><span class=\"fact__big\">{}</span><span class=\"fact__detail\">by the scanned nodes whose primary ENI is in this subnet</span></dd></div></dl>",
        if at_risk { " subnet-card--risk" } else { "" },
        esc(&subnet_id),
        esc(&subnet.text("cidr")),
        if at_risk {
            "<span class=\"chip chip--bad\">▲ at risk</span>"
        } else {
            "<span class=\"chip chip--ok\">✓ ok</span>"
        },
        free.map(|f| f.to_string()).unwrap_or_default(),
        slots.map(|s| s.to_string()).unwrap_or_default(),
        slots.map_or_else(|| "unknown".to_string(), grouped),
        fragmentation_chip(
            subnet.u64("fragmentation_score"),
            subnet.str("fragmentation_band").as_deref()
        ),
        grouped(subnet.count("node_held_ips")),
    );
    let reservations = subnet.list("reservations");
    if !reservations.is_empty() {
        out.push_str("<div class=\"subnet-card__reservations\"><p class=\"section-title\">CIDR reservations</p><ul>");
        for r in &reservations {
            let kind = match r.text("reservation_type").as_str() {
                "prefix" => "prefix (AWS assigns /28 prefixes from it)",
                _ => "explicit (only you assign from it)",
            };
            out.push_str(&format!(
                "<li><code>{}</code> · {kind}{}</li>",
                esc(&r.text("cidr")),
                r.str("description")
                    .map(|d| format!(" · {}", esc(&d)))
                    .unwrap_or_default()
            ));
        }
        out.push_str(&format!(
            "</ul><p class=\"fineprint\">{} addresses in prefix reservations, {} in explicit ones</p></div>",
            grouped(subnet.count("prefix_reserved_ips")),
            grouped(subnet.count("explicit_reserved_ips"))
        ));
    }
    let reasons = subnet.strings("risk_reasons");
    if !reasons.is_empty() {
        out.push_str("<ul class=\"warnings subnet-card__risks\">");
        for reason in &reasons {
            out.push_str(&format!(
                "<li class=\"warning warning--error\"><span class=\"warning__badge\">RISK</span><span>{}</span></li>",
                esc(reason)
            ));
        }
        out.push_str("</ul>");
    }
    let notes = subnet.strings("notes");
    if !notes.is_empty() {
        out.push_str("<ul class=\"subnet-card__notes\">");
        for note in &notes {
            out.push_str(&format!("<li>{}</li>", esc(note)));
        }
        out.push_str("</ul>");
    }
    let blocks = usage.get("blocks");
    let count = |key: &str| u32::try_from(blocks.count(key)).unwrap_or(u32::MAX);
    let total_blocks = shared::subnet::BlockCounts {
        free: count("free"),
        fragmented: count("fragmented"),
        full: count("full"),
        reserved: count("reserved"),
        prefix_allocated: count("prefix_allocated"),
        prefix_reserved: count("prefix_reserved"),
    }
    .total();
    out.push_str(&format!(
        "<details class=\"subnet-card__map\" open><summary>/28 block map{}</summary>",
        if blocks.is_null() {
            String::new()
        } else {
            format!(" · {} blocks", grouped(u64::from(total_blocks)))
        }
    ));
    if !blocks.is_null() {
        out.push_str(&legend_html(&blocks));
    }
    out.push_str(&match map {
        BlockMapState::Loading => "<p class=\"fineprint\"><span class=\"spinner\" aria-hidden=\"true\"></span> Loading the block map…</p>".to_string(),
        BlockMapState::Failed(message) => format!(
            "<p class=\"fineprint text-bad\">The block map could not be loaded: {}</p>",
            esc(message)
        ),
        BlockMapState::Loaded(map) => block_map_html(&format!("blockmap-{id}"), map).unwrap_or_else(|| {
            "<p class=\"fineprint\">No block map: this subnet's allocations were not read (see the notes above).</p>".to_string()
        }),
    });
    out.push_str("</details></article>");
    out
}
