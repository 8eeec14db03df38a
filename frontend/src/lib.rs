//! eniscope frontend: a Leptos CSR app compiled to wasm32.
//!
//! The view is thin: every number comes from the `shared` crate compiled into this wasm, so the
//! browser and the server compute the same values with the same functions. One file per page under
//! `pages/`, one component per concern under `components/`.

pub mod api;
pub mod components;
pub mod decode;
pub mod entries;
pub mod format;
pub mod pages;
pub mod what_if_form;

use components::header::AppHeader;
use leptos::prelude::*;
use leptos_router::components::Router;

/// The whole app: header with navigation, then the routed page.
///
/// Routes: `/` fleet overview, `/dsr` DSR board, `/what-if` the one-nodegroup calculator, a cluster, a
/// node and a nodegroup's what-if. Each entry build has only its own routes ([`entries::routes`]); any
/// other URL falls back to [`entries::Fallback`], which loads the entry that has it or says "not found".
#[component]
pub fn App() -> impl IntoView {
    view! {
        <Router>
            <div class="app-shell">
                <a class="skip-link" href="#main">"Skip to content"</a>
                <AppHeader/>
                <main id="main" class="page" tabindex="-1">
                    {entries::routes()}
                </main>
            </div>
        </Router>
    }
}

/// Browser entry point: called by the wasm-bindgen glue once the module is instantiated.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
    entries::let_browser_follow_links_to_other_entries();
    leptos::mount::mount_to_body(App);
}
