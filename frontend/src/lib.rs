//! eniscope frontend: a Leptos CSR app compiled to wasm32.
//!
//! The view is thin: every number comes from the `shared` crate compiled into this wasm, so the
//! browser and the server compute the same values with the same functions. One file per page under
//! `pages/`, one component per concern under `components/`.

pub mod api;
pub mod components;
pub mod format;
pub mod pages;
pub mod what_if_form;

use components::header::AppHeader;
use leptos::prelude::*;
use leptos_router::components::{FlatRoutes, Route, Router};
use leptos_router::path;
use pages::cluster::ClusterPage;
use pages::dsr::DsrPage;
use pages::fleet::FleetPage;
use pages::node::NodePage;
use pages::nodegroup_what_if::NodegroupWhatIfPage;
use pages::not_found::NotFoundPage;
use pages::what_if::WhatIfPage;

/// The whole app: header with navigation, then the routed page.
///
/// Routes: `/` fleet overview, `/dsr` DSR board, `/what-if` the one-nodegroup calculator. Later pages
/// (cluster, node, nodegroup what-if) slot in as more `<Route>`s here and files under `pages/`.
#[component]
pub fn App() -> impl IntoView {
    view! {
        <Router>
            <div class="app-shell">
                <a class="skip-link" href="#main">"Skip to content"</a>
                <AppHeader/>
                <main id="main" class="page" tabindex="-1">
                    <FlatRoutes fallback=NotFoundPage>
                        <Route path=path!("/") view=FleetPage/>
                        <Route path=path!("/dsr") view=DsrPage/>
                        <Route path=path!("/what-if") view=WhatIfPage/>
                        <Route path=path!("/clusters/:region/:name") view=ClusterPage/>
                        <Route path=path!("/clusters/:region/:name/nodegroups/:nodegroup/what-if") view=NodegroupWhatIfPage/>
                        <Route path=path!("/nodes/:instance_id") view=NodePage/>
                    </FlatRoutes>
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
    leptos::mount::mount_to_body(App);
}
