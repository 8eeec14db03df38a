//! The browser bundle is split into entries so no page downloads code it never runs.
//!
//! Each entry is this crate built for wasm32 with one cargo feature: `dashboard` (fleet overview,
//! cluster, node, DSR board), `planner` (`/what-if`, plan a new nodegroup) and `nodegroup-planner`
//! (what-if on a scanned nodegroup). An entry's router has only its own routes; a URL it does not know
//! falls back to [`Fallback`], which loads another entry's page as a full navigation ([`OtherEntry`]) or
//! says "not found". Links between entries are plain links: the router takes the click, finds no route
//! and the fallback reloads the URL, so the back button keeps working. `assets/index.html` picks the entry for the first page from the path with the same
//! rules as [`entry_for_path`] (the e2e tests open every page directly and by clicking across entries).
//!
//! Native builds (tests, clippy) enable every feature, so all pages compile everywhere.

use leptos::either::Either;
use leptos::prelude::*;
use leptos_router::components::{FlatRoutes, Route};
use leptos_router::path;

/// The entries, in the order `cargo xtask dist` builds them: (name = cargo feature, JS/wasm file stem).
pub const ENTRIES: [(&str, &str); 3] = [
    ("dashboard", "dashboard"),
    ("planner", "planner"),
    ("nodegroup-planner", "nodegroup_planner"),
];

/// The entry whose bundle renders `path` (what `assets/index.html` computes in JavaScript).
pub fn entry_for_path(path: &str) -> &'static str {
    let path = path
        .strip_suffix('/')
        .filter(|p| !p.is_empty())
        .unwrap_or(path);
    if path == "/what-if" {
        return "planner";
    }
    let segments: Vec<&str> = path.split('/').collect();
    // ["", "clusters", region, name, "nodegroups", nodegroup, "what-if"]
    if segments.len() == 7
        && segments[1] == "clusters"
        && segments[4] == "nodegroups"
        && segments[6] == "what-if"
        && segments[2..6].iter().all(|s| !s.is_empty())
    {
        return "nodegroup-planner";
    }
    "dashboard"
}

/// The entry this build is (`"all"` in native builds, which have every page).
#[cfg(all(
    feature = "dashboard",
    feature = "planner",
    feature = "nodegroup-planner"
))]
pub const THIS_ENTRY: &str = "all";
#[cfg(all(
    feature = "dashboard",
    not(feature = "planner"),
    not(feature = "nodegroup-planner")
))]
pub const THIS_ENTRY: &str = "dashboard";
#[cfg(all(
    feature = "planner",
    not(feature = "dashboard"),
    not(feature = "nodegroup-planner")
))]
pub const THIS_ENTRY: &str = "planner";
#[cfg(all(
    feature = "nodegroup-planner",
    not(feature = "dashboard"),
    not(feature = "planner")
))]
pub const THIS_ENTRY: &str = "nodegroup-planner";

/// Only this entry's routes: every route costs code in the router's matcher, so an entry does not carry
/// the others' (their URLs reach [`Fallback`]).
#[cfg(all(
    feature = "dashboard",
    feature = "planner",
    feature = "nodegroup-planner"
))]
pub fn routes() -> impl IntoView {
    use crate::pages::{cluster, dsr, fleet, node, nodegroup_what_if, what_if};
    view! {
        <FlatRoutes fallback=Fallback>
            <Route path=path!("/") view=fleet::FleetPage/>
            <Route path=path!("/dsr") view=dsr::DsrPage/>
            <Route path=path!("/what-if") view=what_if::WhatIfPage/>
            <Route path=path!("/clusters/:region/:name") view=cluster::ClusterPage/>
            <Route path=path!("/clusters/:region/:name/nodegroups/:nodegroup/what-if") view=nodegroup_what_if::NodegroupWhatIfPage/>
            <Route path=path!("/nodes/:instance_id") view=node::NodePage/>
        </FlatRoutes>
    }
}

#[cfg(all(
    feature = "dashboard",
    not(feature = "planner"),
    not(feature = "nodegroup-planner")
))]
pub fn routes() -> impl IntoView {
    use crate::pages::{cluster, dsr, fleet, node};
    view! {
        <FlatRoutes fallback=Fallback>
            <Route path=path!("/") view=fleet::FleetPage/>
            <Route path=path!("/dsr") view=dsr::DsrPage/>
            <Route path=path!("/clusters/:region/:name") view=cluster::ClusterPage/>
            <Route path=path!("/nodes/:instance_id") view=node::NodePage/>
        </FlatRoutes>
    }
}

#[cfg(all(
    feature = "planner",
    not(feature = "dashboard"),
    not(feature = "nodegroup-planner")
))]
pub fn routes() -> impl IntoView {
    view! {
        <FlatRoutes fallback=Fallback>
            <Route path=path!("/what-if") view=crate::pages::what_if::WhatIfPage/>
        </FlatRoutes>
    }
}

#[cfg(all(
    feature = "nodegroup-planner",
    not(feature = "dashboard"),
    not(feature = "planner")
))]
pub fn routes() -> impl IntoView {
    view! {
        <FlatRoutes fallback=Fallback>
            <Route
                path=path!("/clusters/:region/:name/nodegroups/:nodegroup/what-if")
                view=crate::pages::nodegroup_what_if::NodegroupWhatIfPage
            />
        </FlatRoutes>
    }
}

#[cfg(not(any(
    all(
        feature = "dashboard",
        feature = "planner",
        feature = "nodegroup-planner"
    ),
    all(
        feature = "dashboard",
        not(feature = "planner"),
        not(feature = "nodegroup-planner")
    ),
    all(
        feature = "planner",
        not(feature = "dashboard"),
        not(feature = "nodegroup-planner")
    ),
    all(
        feature = "nodegroup-planner",
        not(feature = "dashboard"),
        not(feature = "planner")
    ),
)))]
compile_error!(
    "build the frontend with exactly one entry feature (dashboard, planner, nodegroup-planner) or all of them"
);

/// A URL this entry has no route for: another entry's page (load it) or no page at all ("not found").
#[component]
#[allow(non_snake_case)]
pub fn Fallback() -> impl IntoView {
    // The browser's URL, not the router's `use_location` (its memos cost ~16 KB of wasm per entry): links
    // to other entries never reach the router, so the fallback only runs for the page being loaded.
    let (path, _) = browser_url();
    let elsewhere = THIS_ENTRY != "all" && entry_for_path(&path) != THIS_ENTRY;
    if elsewhere {
        Either::Left(OtherEntry())
    } else {
        Either::Right(crate::pages::not_found::NotFoundPage())
    }
}

/// Key in `sessionStorage`: the URL this tab last reloaded into another entry, and when.
const RELOAD_KEY: &str = "eniscope-entry-switch";

/// A page that lives in another entry: load it with a full navigation (the server answers every page
/// URL with `index.html`, which starts the right entry). Clicks on links never get here (see
/// [`let_browser_follow_links_to_other_entries`]); this covers a stale `index.html` and typed URLs. If the
/// same URL was loaded for this reason in the last 10 seconds, the bundles and `index.html` disagree: say
/// so instead of reloading forever.
#[component]
#[allow(non_snake_case)]
pub fn OtherEntry() -> impl IntoView {
    let (_, target) = browser_url();
    if switch_entry(&target) {
        Either::Left(view! { <p class="boot" id="entry-switch">"Loading this page…"</p> })
    } else {
        Either::Right(view! {
            <div class="notice notice--error" role="alert" id="entry-switch-failed">
                <p>
                    "This page's part of the eniscope bundle did not start: dist/index.html and the built entries \
                     disagree. Rebuild the bundle with " <code>"cargo xtask build"</code> " and reload."
                </p>
            </div>
        })
    }
}

/// Load `target` as a new document; false when that already happened for `target` moments ago.
#[cfg(target_arch = "wasm32")]
fn switch_entry(target: &str) -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    // Whole milliseconds: formatting or parsing an f64 would link Rust's float formatting (~15 KB gz).
    let now = js_sys::Date::now() as u64;
    let storage = window.session_storage().ok().flatten();
    if let Some(storage) = &storage
        && let Ok(Some(last)) = storage.get_item(RELOAD_KEY)
        && let Some((url, at)) = last.rsplit_once(' ')
        && url == target
        && at
            .parse::<u64>()
            .is_ok_and(|at| now.saturating_sub(at) < 10_000)
    {
        return false;
    }
    if let Some(storage) = &storage {
        storage
            .set_item(RELOAD_KEY, &format!("{target} {now}"))
            .ok();
    }
    // The browser is already at `target`: load it again in place of this document.
    window.location().replace(target).is_ok()
}

/// (path, path + query + fragment) of the browser's current URL.
#[cfg(target_arch = "wasm32")]
fn browser_url() -> (String, String) {
    let Some(location) = web_sys::window().map(|w| w.location()) else {
        return (String::new(), String::new());
    };
    let path = location.pathname().unwrap_or_default();
    let full = format!(
        "{path}{}{}",
        location.search().unwrap_or_default(),
        location.hash().unwrap_or_default()
    );
    (path, full)
}

#[cfg(not(target_arch = "wasm32"))]
fn browser_url() -> (String, String) {
    (String::new(), String::new())
}

#[cfg(not(target_arch = "wasm32"))]
fn switch_entry(_target: &str) -> bool {
    let _ = RELOAD_KEY;
    true
}

/// Before the router sees a click (capture phase), mark links to another entry's page `rel="external"`,
/// which leptos_router leaves to the browser: a normal page load with its own history entry, so the back
/// button returns to this page.
#[cfg(target_arch = "wasm32")]
pub fn let_browser_follow_links_to_other_entries() {
    use wasm_bindgen::JsCast as _;
    use wasm_bindgen::closure::Closure;

    if THIS_ENTRY == "all" {
        return;
    }
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let on_click = Closure::<dyn Fn(web_sys::Event)>::new(|event: web_sys::Event| {
        let anchor = event
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|el| el.closest("a[href]").ok().flatten())
            .and_then(|el| el.dyn_into::<web_sys::HtmlAnchorElement>().ok());
        let Some(anchor) = anchor else {
            return;
        };
        let same_origin = web_sys::window()
            .and_then(|w| w.location().origin().ok())
            .is_some_and(|origin| origin == anchor.origin());
        if same_origin && entry_for_path(&anchor.pathname()) != THIS_ENTRY {
            let rel = anchor.rel();
            if !rel.split_whitespace().any(|r| r == "external") {
                anchor.set_rel(format!("{rel} external").trim_start());
            }
        }
    });
    document
        .add_event_listener_with_callback_and_bool("click", on_click.as_ref().unchecked_ref(), true)
        .ok();
    on_click.forget();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_maps_to_the_entry_that_renders_it() {
        assert_eq!(entry_for_path("/"), "dashboard");
        assert_eq!(entry_for_path("/dsr"), "dashboard");
        assert_eq!(entry_for_path("/clusters/eu-west-1/prod"), "dashboard");
        assert_eq!(entry_for_path("/nodes/i-0abc"), "dashboard");
        assert_eq!(entry_for_path("/what-if"), "planner");
        assert_eq!(entry_for_path("/what-if/"), "planner");
        assert_eq!(
            entry_for_path("/clusters/eu-west-1/prod/nodegroups/win-ng/what-if"),
            "nodegroup-planner"
        );
        // Not a page: the dashboard shows "not found".
        assert_eq!(
            entry_for_path("/clusters//prod/nodegroups/x/what-if"),
            "dashboard"
        );
        assert_eq!(entry_for_path("/what-if/extra"), "dashboard");
        assert_eq!(entry_for_path("/nope"), "dashboard");
    }

    #[test]
    fn index_html_routes_with_the_same_rules() {
        let index = include_str!("../../assets/index.html");
        for (_, stem) in ENTRIES {
            assert!(
                index.contains(&format!("\"{stem}\"")),
                "assets/index.html names the {stem} entry"
            );
        }
        assert!(index.contains("/what-if"));
        assert!(index.contains("nodegroups"));
    }
}
