//! A before / after / change table: one row per number, the "before" as observed and the "after"
//! with the user's changes, both from `shared::whatif::evaluate`, the change from
//! `shared::whatif::compare`. A change is marked "better" or "worse" in words when the direction has
//! a meaning (fewer pending pods is better), never by colour alone. Written as HTML text (the table
//! is redrawn on every input; see `components/html.rs` for why text).

use crate::components::html::esc;
use crate::format::{grouped, signed};

/// Which direction of change is good for a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Better {
    Higher,
    Lower,
    /// Neither: more held IPs can be what you want (warm pool) or not.
    Neutral,
}

/// One row of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompareRow {
    /// Stable id stem: cells are `{id}-before`, `{id}-after`, `{id}-delta`, each with `data-value`.
    pub id: &'static str,
    pub label: &'static str,
    pub unit: &'static str,
    pub before: Option<u64>,
    pub after: Option<u64>,
    /// From `shared::whatif::compare`; `None` where it has no delta for this number.
    pub delta: Option<i64>,
    pub better: Better,
}

/// `("better", class)` / `("worse", class)` / nothing, for a delta.
fn judgement(delta: i64, better: Better) -> Option<(&'static str, &'static str)> {
    match (better, delta.signum()) {
        (_, 0) | (Better::Neutral, _) => None,
        (Better::Higher, 1) | (Better::Lower, -1) => Some(("better", "delta--better")),
        _ => Some(("worse", "delta--worse")),
    }
}

fn value_cell(out: &mut String, id: &str, class: &str, value: Option<u64>) {
    match value {
        Some(v) => out.push_str(&format!(
            "<td class=\"num{class}\" id=\"{id}\" data-value=\"{v}\">{}</td>",
            grouped(v)
        )),
        None => out.push_str(&format!("<td class=\"num{class}\" id=\"{id}\">—</td>")),
    }
}

/// The table as HTML text.
pub fn compare_table_html(out: &mut String, id: &str, caption: &str, rows: &[CompareRow]) {
    out.push_str(&format!(
        "<div class=\"table-scroll\"><table class=\"table before-after\" id=\"{}\"><caption>{}</caption>\
         <thead><tr><th scope=\"col\"></th><th scope=\"col\" class=\"before-after__unit-col\">Unit</th>\
         <th scope=\"col\" class=\"num\">Before <span class=\"before-after__sub\">(observed)</span></th>\
         <th scope=\"col\" class=\"num\">After <span class=\"before-after__sub\">(what-if)</span></th>\
         <th scope=\"col\" class=\"num\">Change</th></tr></thead><tbody>",
        esc(id),
        esc(caption)
    ));
    for row in rows {
        out.push_str(&format!(
            "<tr data-row=\"{}\"><th scope=\"row\">{}</th><td class=\"before-after__unit\">{}</td>",
            row.id, row.label, row.unit
        ));
        value_cell(out, &format!("{}-before", row.id), "", row.before);
        value_cell(
            out,
            &format!("{}-after", row.id),
            " before-after__after",
            row.after,
        );
        match row.delta {
            Some(delta) => {
                let verdict = judgement(delta, row.better);
                out.push_str(&format!(
                    "<td class=\"num\" id=\"{}-delta\" data-value=\"{delta}\"><span class=\"delta {}\">{}{}</span></td>",
                    row.id,
                    verdict.map_or("", |(_, class)| class),
                    signed(delta),
                    verdict.map_or(String::new(), |(word, _)| format!(
                        "<span class=\"delta__word\">{word}</span>"
                    ))
                ));
            }
            None => out.push_str(&format!("<td class=\"num\" id=\"{}-delta\"></td>", row.id)),
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table></div>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn judgement_follows_the_good_direction() {
        assert_eq!(judgement(5, Better::Higher).map(|j| j.0), Some("better"));
        assert_eq!(judgement(5, Better::Lower).map(|j| j.0), Some("worse"));
        assert_eq!(judgement(-2, Better::Lower).map(|j| j.0), Some("better"));
        assert_eq!(judgement(0, Better::Higher), None);
        assert_eq!(judgement(7, Better::Neutral), None);
    }

    #[test]
    fn cells_carry_ids_raw_values_and_words() {
        let mut out = String::new();
        compare_table_html(
            &mut out,
            "t",
            "caption",
            &[CompareRow {
                id: "cmp-x",
                label: "Pods that fit",
                unit: "pods",
                before: Some(1100),
                after: None,
                delta: Some(-3),
                better: Better::Higher,
            }],
        );
        assert!(out.contains("id=\"cmp-x-before\" data-value=\"1100\">1,100</td>"));
        assert!(out.contains("id=\"cmp-x-after\">—</td>"));
        assert!(out.contains("data-value=\"-3\"><span class=\"delta delta--worse\">−3<span class=\"delta__word\">worse</span>"));
    }
}
