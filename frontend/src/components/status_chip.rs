//! Small labelled chips for statuses the dashboard repeats in every table: DSR on/off/unknown, IP
//! mode, OS, port-exhaustion risk, subnet fragmentation band. Each carries a symbol and a word, so the
//! colour is never the only signal, and a `data-*` attribute with the raw API value for tests.
//! Inputs are the API's serialized values (`shared` serde names: `on`, `prefix-delegation`, …).

use crate::components::html::esc;

/// `✓ on` / `✕ off` / `? unknown`; Linux nodes have no DSR and show a dashed `– n/a`.
pub fn dsr_chip(status: Option<&str>) -> String {
    let (class, text) = match status {
        Some("on") => ("chip chip--ok", "✓ on"),
        Some("off") => ("chip chip--bad", "✕ off"),
        Some("unknown") => ("chip chip--warn", "? unknown"),
        _ => ("chip chip--none", "– n/a"),
    };
    format!(
        "<span class=\"{class}\" data-dsr=\"{}\">{text}</span>",
        esc(status.unwrap_or("none"))
    )
}

/// `PD` (prefix delegation, /28 prefixes) or `secondary IP`; `mixed / none` when a group has no
/// single mode.
pub fn mode_chip(mode: Option<&str>) -> String {
    let (class, text, title) = match mode {
        Some("prefix-delegation") => (
            "chip chip--accent",
            "PD",
            "prefix delegation: /28 prefixes, 16 pod IPs each",
        ),
        Some("secondary-ip") => (
            "chip",
            "secondary IP",
            "secondary-IP mode: one pod IP per secondary address",
        ),
        _ => (
            "chip chip--warn",
            "mixed / none",
            "no nodes, or nodes in both modes",
        ),
    };
    format!(
        "<span class=\"{class}\" title=\"{title}\" data-mode=\"{}\">{text}</span>",
        esc(mode.unwrap_or("none"))
    )
}

/// `⊞ Windows` / `◆ Linux` (plain glyphs that every font has, plus the word).
pub fn os_chip(os: Option<&str>) -> String {
    let (symbol, word) = match os {
        Some("windows") => ("⊞", "Windows"),
        Some("linux") => ("◆", "Linux"),
        _ => ("?", "unknown"),
    };
    format!(
        "<span class=\"os\" data-os=\"{}\"><span class=\"os__symbol\" aria-hidden=\"true\">{symbol}</span>{word}</span>",
        esc(os.unwrap_or("unknown"))
    )
}

/// Port-exhaustion risk of Windows nodes without DSR (BPG windows/networking).
pub fn risk_chip(risk: Option<&str>) -> String {
    let (class, text) = match risk {
        Some("high") => ("chip chip--bad", "▲ high"),
        Some("low") => ("chip chip--ok", "low"),
        Some("unknown") => ("chip chip--warn", "? unknown"),
        _ => ("chip chip--none", "– n/a"),
    };
    format!(
        "<span class=\"{class}\" data-risk=\"{}\">{text}</span>",
        esc(risk.unwrap_or("none"))
    )
}

/// Fragmentation score and band of a subnet (aws-support-tools `subnet_frag.py` bands).
pub fn fragmentation_chip(score: Option<u64>, band: Option<&str>) -> String {
    let class = match band {
        Some("HEALTHY") => "chip chip--ok",
        Some("LOW" | "MEDIUM") => "chip chip--warn",
        Some(_) => "chip chip--bad",
        None => "chip chip--none",
    };
    let text = match (score, band) {
        (Some(score), Some(band)) => format!("{score}% · {}", esc(band)),
        _ => "– unknown".to_string(),
    };
    format!(
        "<span class=\"{class}\" data-band=\"{}\">{text}</span>",
        esc(band.unwrap_or("none"))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chips_pair_colour_with_words() {
        assert!(dsr_chip(Some("off")).contains("✕ off"));
        assert!(dsr_chip(None).contains("data-dsr=\"none\""));
        assert!(mode_chip(Some("prefix-delegation")).contains(">PD<"));
        assert!(os_chip(Some("windows")).contains("Windows"));
        assert!(risk_chip(Some("high")).contains("chip--bad"));
        assert!(fragmentation_chip(Some(100), Some("CRITICAL")).contains("100% · CRITICAL"));
        assert!(fragmentation_chip(None, None).contains("unknown"));
    }
}
