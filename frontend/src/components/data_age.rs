//! How old the data on screen is ("collected 3 min ago") and what the background scan is doing
//! (a spinner with progress while it runs, the reason when it failed).

use crate::components::html::esc;
use crate::components::json::Json;
use crate::format::grouped;

/// Data older than this is marked stale (an eniscope dashboard choice: the default scan interval
/// is 5 minutes, so an hour means several scans were missed).
pub const STALE_AFTER_SECONDS: i64 = 3600;

/// `just now`, `42 s ago`, `3 min ago`, `2 h 5 min ago`, `3 days ago`.
pub fn age_words(seconds: i64) -> String {
    match seconds {
        ..10 => "just now".to_string(),
        10..60 => format!("{seconds} s ago"),
        60..3600 => format!("{} min ago", seconds / 60),
        3600..86_400 => match seconds % 3600 / 60 {
            0 => format!("{} h ago", seconds / 3600),
            minutes => format!("{} h {minutes} min ago", seconds / 3600),
        },
        _ => match seconds / 86_400 {
            1 => "1 day ago".to_string(),
            days => format!("{} days ago", grouped(days.unsigned_abs())),
        },
    }
}

/// Seconds since the Unix epoch on this machine (the browser's clock; 0 natively, where views are
/// rendered in tests with a fixed age).
pub fn now_seconds() -> f64 {
    #[cfg(target_arch = "wasm32")]
    {
        js_sys::Date::now() / 1000.0
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        0.0
    }
}

/// "collected 3 min ago" with the exact time as a tooltip and `<time datetime>`; `▲ stale` when old.
pub fn data_age_html(collected_at: &str, age_seconds: Option<i64>) -> String {
    let when = esc(collected_at);
    let stale = age_seconds
        .filter(|s| *s >= STALE_AFTER_SECONDS)
        .map_or("", |_| " <span class=\"chip chip--warn\">▲ stale</span>");
    format!(
        "<p class=\"data-age\" id=\"data-age\" data-age-seconds=\"{}\"><span class=\"data-age__clock\" aria-hidden=\"true\">◷</span> collected \
         <time datetime=\"{when}\" title=\"collected at {when}\">{}</time>{stale}</p>",
        age_seconds.map(|s| s.to_string()).unwrap_or_default(),
        age_seconds.map_or_else(|| when.clone(), age_words)
    )
}

/// The background scan (`shared::fleet::ScanInfo`): running with progress, failed with why, else
/// when it last finished.
pub fn scan_html(scan: &Json) -> String {
    let phase = scan.text("phase");
    match phase.as_str() {
        "running" => {
            let done = grouped(scan.count("sources_done"));
            let progress = match scan.u64("sources_total") {
                Some(total) => format!("{done} of {} sources read", grouped(total)),
                None => format!("{done} sources read"),
            };
            let current = scan
                .str("current")
                .map(|c| format!("<span class=\"scan__current\"> · {}</span>", esc(&c)))
                .unwrap_or_default();
            format!(
                "<div class=\"scan scan--running\" id=\"scan-status\" data-phase=\"running\" role=\"status\">\
                 <span class=\"spinner\" aria-hidden=\"true\"></span><span><strong>Scanning AWS…</strong> {progress}{current}</span></div>"
            )
        }
        "failed" => format!(
            "<div class=\"scan scan--failed\" id=\"scan-status\" data-phase=\"failed\" role=\"status\"><span aria-hidden=\"true\">✕</span>\
             <span><strong>The last scan failed</strong>{}. Showing the previous data; the next scan retries.</span></div>",
            scan.str("last_error")
                .map(|e| format!(": {}", esc(&e)))
                .unwrap_or_default()
        ),
        _ => match scan.str("finished_at") {
            Some(at) => format!(
                "<div class=\"scan scan--idle\" id=\"scan-status\" data-phase=\"{}\">Last scan finished <time datetime=\"{at}\">{at}</time></div>",
                esc(&phase),
                at = esc(&at)
            ),
            None => String::new(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_read_naturally() {
        assert_eq!(age_words(-5), "just now");
        assert_eq!(age_words(42), "42 s ago");
        assert_eq!(age_words(180), "3 min ago");
        assert_eq!(age_words(7200), "2 h ago");
        assert_eq!(age_words(7500), "2 h 5 min ago");
        assert_eq!(age_words(86_400), "1 day ago");
        assert_eq!(age_words(3 * 86_400 + 5), "3 days ago");
    }

    #[test]
    fn a_running_scan_shows_progress() {
        let scan = Json::parse(
            r#"{"phase": "running", "sources_done": 3, "sources_total": 8, "current": "prod / eu-west-1"}"#,
        )
        .expect("json");
        let html = scan_html(&scan);
        assert!(html.contains("3 of 8 sources read") && html.contains("spinner"));
        let failed =
            Json::parse(r#"{"phase": "failed", "last_error": "<no creds>"}"#).expect("json");
        assert!(scan_html(&failed).contains("&lt;no creds&gt;"));
    }
}
