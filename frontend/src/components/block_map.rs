//! The /28 block map of a subnet: one cell per block in address order, 16 to a row (a /24 per row,
//! labelled with its first address), classified by `shared::subnet` (aws-support-tools
//! `subnet_frag.py` classes). Each class has a colour AND a pattern or letter (hollow = free,
//! hatched = fragmented, solid = full, R / A / P), a legend with the counts the API sent, and a
//! tooltip per cell with the block's CIDR and how many of its addresses are in use.

use crate::components::html::esc;
use crate::components::json::Json;
use crate::format::grouped;
use shared::subnet::{BLOCK_SIZE, Ipv4Cidr, format_ipv4};

/// Blocks per row of the map: 16 × /28 = one /24.
pub const BLOCKS_PER_ROW: usize = 16;

/// Every class in legend order: API name (`shared::subnet::BlockClass`, kebab-case), the
/// `BlockCounts` field, the letter drawn in the cell, and the words.
pub const CLASSES: [(&str, &str, &str, &str); 6] = [
    ("free", "free", "", "free: a new /28 prefix fits"),
    (
        "prefix-reserved",
        "prefix_reserved",
        "P",
        "free inside a prefix reservation: a new prefix fits",
    ),
    (
        "prefix-allocated",
        "prefix_allocated",
        "A",
        "assigned as a /28 prefix",
    ),
    (
        "fragmented",
        "fragmented",
        "",
        "fragmented: some addresses used, no prefix fits",
    ),
    ("full", "full", "", "full: every address used"),
    (
        "reserved",
        "reserved",
        "R",
        "reserved (AWS or an explicit CIDR reservation)",
    ),
];

fn class_info(class: &str) -> (&'static str, &'static str, &'static str) {
    CLASSES
        .iter()
        .find(|(name, ..)| *name == class)
        .map(|(name, _, letter, words)| (*name, *letter, *words))
        .unwrap_or(("free", "", "free: a new /28 prefix fits"))
}

/// The address of block `index` of `cidr` (`10.0.1.16`).
fn block_address(cidr: &Ipv4Cidr, index: usize) -> String {
    u32::try_from(index)
        .ok()
        .and_then(|i| i.checked_mul(BLOCK_SIZE))
        .and_then(|offset| cidr.network().checked_add(offset))
        .map(format_ipv4)
        .unwrap_or_else(|| "?".to_string())
}

/// `10.0.1.16/28 · fragmented: some addresses used, no prefix fits · 5 of 16 addresses in use`.
pub fn block_title(cidr: &Ipv4Cidr, index: usize, class: &str, used: Option<u64>) -> String {
    let (_, _, words) = class_info(class);
    let address = block_address(cidr, index);
    match used {
        Some(used) => format!("{address}/28 · {words} · {used} of {BLOCK_SIZE} addresses in use"),
        None => format!("{address}/28 · {words}"),
    }
}

/// The grid for a `shared::subnet::BlockMap` as the API sends it (`cidr`, `classes`, `used`);
/// `None` if its CIDR does not parse.
pub fn block_map_html(id: &str, map: &Json) -> Option<String> {
    let cidr = Ipv4Cidr::parse(&map.str("cidr")?).ok()?;
    let classes: Vec<String> = map.strings("classes");
    let used: Vec<Option<u64>> = map.list("used").iter().map(Json::as_u64).collect();
    let mut counts = [0u64; CLASSES.len()];
    for class in &classes {
        if let Some(i) = CLASSES.iter().position(|(name, ..)| name == class) {
            counts[i] += 1;
        }
    }
    let summary = CLASSES
        .iter()
        .zip(counts)
        .map(|((name, ..), n)| format!("{n} {name}"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut out = format!(
        "<div class=\"blockmap\" id=\"{}\" role=\"img\" aria-label=\"/28 block map of {cidr}: {} blocks ({summary})\">",
        esc(id),
        grouped(classes.len() as u64)
    );
    for (row, chunk) in classes.chunks(BLOCKS_PER_ROW).enumerate() {
        let first = row * BLOCKS_PER_ROW;
        out.push_str(&format!(
            "<div class=\"blockmap__row\"><span class=\"blockmap__address mono\" aria-hidden=\"true\">{}</span><span class=\"blockmap__cells\">",
            block_address(&cidr, first)
        ));
        for (column, class) in chunk.iter().enumerate() {
            let index = first + column;
            let (name, letter, _) = class_info(class);
            let title = block_title(&cidr, index, name, used.get(index).copied().flatten());
            out.push_str(&format!(
                "<span class=\"blk blk--{name}\" data-class=\"{name}\" title=\"{title}\">{letter}</span>"
            ));
        }
        out.push_str("</span></div>");
    }
    out.push_str("</div>");
    Some(out)
}

/// The key: each class with its sample cell, its count (`shared::subnet::BlockCounts`) and words.
pub fn legend_html(counts: &Json) -> String {
    let mut out = String::from("<ul class=\"blockmap-legend\">");
    for (name, field, letter, words) in CLASSES {
        out.push_str(&format!(
            "<li data-class=\"{name}\"><span class=\"blk blk--{name}\" aria-hidden=\"true\">{letter}</span><span class=\"blockmap-legend__count\">{}</span><span class=\"blockmap-legend__words\">{words}</span></li>",
            grouped(counts.count(field))
        ));
    }
    out.push_str("</ul>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_name_the_block_cidr_and_use() {
        let cidr = Ipv4Cidr::parse("10.0.1.0/24").expect("cidr");
        assert_eq!(
            block_title(&cidr, 1, "fragmented", Some(5)),
            "10.0.1.16/28 · fragmented: some addresses used, no prefix fits · 5 of 16 addresses in use"
        );
        assert!(block_title(&cidr, 15, "reserved", None).starts_with("10.0.1.240/28"));
    }

    #[test]
    fn grid_has_a_cell_per_block_and_a_row_per_24() {
        let map = Json::parse(
            r#"{"cidr": "10.0.0.0/23", "classes": ["reserved","full","fragmented","free","free","free","free","free","free","free","free","free","free","free","free","free",
                "prefix-allocated","prefix-reserved","free","free","free","free","free","free","free","free","free","free","free","free","free","reserved"],
                "used": [4,16,3,0,0,0,0,0,0,0,0,0,0,0,0,0,16,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1]}"#,
        )
        .expect("json");
        let html = block_map_html("m", &map).expect("map");
        assert_eq!(html.matches("class=\"blk ").count(), 32);
        assert_eq!(html.matches("blockmap__row").count(), 2);
        assert!(
            html.contains("10.0.1.0</span>"),
            "second row starts at 10.0.1.0"
        );
        assert!(html.contains("data-class=\"prefix-allocated\""));
        assert!(html.contains("3 of 16 addresses in use"));
    }
}
