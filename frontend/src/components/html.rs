//! The dashboard's static parts (cards, tables, block maps) are written as HTML text and set with
//! `inner_html`, and only the parts that react to input (filters, sort buttons, pager, polling) are
//! Leptos views.
//!
//! Why: measured with `cargo xtask dist`, the same three pages as nested `view!` trees cost 182 KB
//! gzipped of wasm (each distinct element tree is its own monomorphized build/mount/drop code), more
//! than half the bundle budget; as text they cost a few KB. Every piece of text that comes from the
//! API goes through [`esc`], so a cluster name or an AWS error message can never become markup.
//! Links are plain `<a href>`: the router handles clicks on them like any other link.

use crate::format::grouped;

/// Escape text for HTML content and quoted attribute values.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

/// `1,234`, or `—` when unknown.
pub fn num(value: Option<u64>) -> String {
    value.map_or_else(|| "—".to_string(), grouped)
}

/// `part / whole` as a CSS percentage with two decimals (`37.50%`), in integers: bar widths only.
pub fn width(part: u64, whole: u64) -> String {
    if whole == 0 {
        return "0%".to_string();
    }
    let basis_points = (u128::from(part.min(whole)) * 10_000 / u128::from(whole)) as u64;
    format!("{}.{:02}%", basis_points / 100, basis_points % 100)
}

/// `<dl>` rows (`<div><dt>k</dt><dd>v</dd></div>`) for the facts that are known; values escaped.
pub fn facts(out: &mut String, items: &[(&str, Option<String>)]) {
    for (key, value) in items {
        if let Some(value) = value {
            out.push_str(&format!(
                "<div><dt>{}</dt><dd>{}</dd></div>",
                esc(key),
                esc(value)
            ));
        }
    }
}

/// `<dt>k</dt><dd>v</dd>` pairs (for a two-column `dl`); values escaped.
pub fn settings(out: &mut String, items: &[(&str, Option<String>)]) {
    for (key, value) in items {
        if let Some(value) = value {
            out.push_str(&format!("<dt>{}</dt><dd>{}</dd>", esc(key), esc(value)));
        }
    }
}

/// A DOM-id-safe form of any name (`eu-west-1/prod` → `eu-west-1-prod`).
pub fn dom_id(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            esc(r#"<img src=x onerror="a">&'"#),
            "&lt;img src=x onerror=&quot;a&quot;&gt;&amp;&#39;"
        );
    }

    #[test]
    fn widths_are_exact_integers() {
        assert_eq!(width(1, 3), "33.33%");
        assert_eq!(width(5, 5), "100.00%");
        assert_eq!(width(7, 5), "100.00%");
        assert_eq!(width(1, 0), "0%");
        assert_eq!(num(None), "—");
        assert_eq!(num(Some(12345)), "12,345");
        assert_eq!(dom_id("eu-west-1/prod x"), "eu-west-1-prod-x");
    }
}
