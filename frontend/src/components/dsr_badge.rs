//! The DSR verdict of a Windows nodegroup as a badge: an icon, the words and a colour that only
//! repeats what the words say (`✓ DSR on`, `✕ DSR off`, `? DSR unknown`). The raw status (the API's
//! `on` / `off` / `unknown`) is in `data-dsr-status` for tests.

/// Icon, words and CSS modifier for an API status; anything else reads as unknown.
pub fn dsr_badge_parts(status: &str) -> (&'static str, &'static str, &'static str) {
    match status {
        "on" => ("✓", "DSR on", "dsr-badge--on"),
        "off" => ("✕", "DSR off", "dsr-badge--off"),
        _ => ("?", "DSR unknown", "dsr-badge--unknown"),
    }
}

/// The badge as HTML text.
pub fn dsr_badge_html(status: &str) -> String {
    let (icon, words, modifier) = dsr_badge_parts(status);
    let raw = match status {
        "on" | "off" => status,
        _ => "unknown",
    };
    format!(
        "<span class=\"dsr-badge {modifier}\" data-dsr-status=\"{raw}\">\
         <span class=\"dsr-badge__icon\" aria-hidden=\"true\">{icon}</span>\
         <span class=\"dsr-badge__text\">{words}</span></span>"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_has_words_and_a_symbol() {
        assert!(dsr_badge_html("off").contains("✕</span><span class=\"dsr-badge__text\">DSR off"));
        assert!(dsr_badge_html("on").contains("data-dsr-status=\"on\""));
        assert!(dsr_badge_html("<x>").contains("data-dsr-status=\"unknown\""));
    }
}
