//! The app header: product name and the main navigation.

use leptos::prelude::*;
use leptos_router::hooks::use_location;

/// The top-level section a path belongs to: the overview's drill-downs (cluster, node, a nodegroup's
/// what-if) are part of "Fleet".
pub fn section(path: &str) -> Option<&'static str> {
    let path = path
        .strip_suffix('/')
        .filter(|p| !p.is_empty())
        .unwrap_or(path);
    match path {
        "/" => Some("/"),
        "/dsr" => Some("/dsr"),
        "/what-if" => Some("/what-if"),
        _ if path.starts_with("/clusters/") || path.starts_with("/nodes/") => Some("/"),
        _ => None,
    }
}

/// `aria-current` of the nav link to `href` on `path`: `page` on that page, `true` inside its section
/// (a cluster or node page under "Fleet"), none elsewhere. The CSS underlines both (shape, not colour
/// alone).
pub fn aria_current(href: &str, path: &str) -> Option<&'static str> {
    if path == href {
        Some("page")
    } else if section(path) == Some(href) {
        Some("true")
    } else {
        None
    }
}

/// Product name (home: the fleet overview) plus one link per top-level page.
#[component]
pub fn AppHeader() -> impl IntoView {
    let pathname = use_location().pathname;
    let current = move |href: &'static str| move || aria_current(href, &pathname.get());
    view! {
        <header class="app-header">
            <div class="app-header__inner">
                <a class="brand" href="/" aria-label="eniscope home: the fleet overview">
                    <span class="brand__mark" aria-hidden="true">"◆"</span>
                    <span class="brand__name">"eniscope"</span>
                    <span class="brand__tagline">"pod IPs, prefixes and DSR on EKS"</span>
                </a>
                <nav class="main-nav" aria-label="Main">
                    <a href="/" aria-current=current("/")>"Fleet"</a>
                    <a href="/dsr" aria-current=current("/dsr")>"DSR"</a>
                    <a href="/what-if" aria-current=current("/what-if")>"What-if"</a>
                </nav>
            </div>
        </header>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drill_downs_mark_their_section() {
        assert_eq!(aria_current("/", "/"), Some("page"));
        assert_eq!(aria_current("/", "/clusters/eu-west-1/prod"), Some("true"));
        assert_eq!(aria_current("/", "/nodes/i-0abc"), Some("true"));
        assert_eq!(
            aria_current("/", "/clusters/eu-west-1/prod/nodegroups/win/what-if"),
            Some("true")
        );
        assert_eq!(
            aria_current(
                "/what-if",
                "/clusters/eu-west-1/prod/nodegroups/win/what-if"
            ),
            None
        );
        assert_eq!(aria_current("/dsr", "/dsr"), Some("page"));
        assert_eq!(aria_current("/", "/dsr"), None);
        assert_eq!(aria_current("/what-if", "/what-if"), Some("page"));
        assert_eq!(aria_current("/", "/no-such-page"), None);
    }
}
