//! The app header: product name and the main navigation.

use leptos::prelude::*;
use leptos_router::components::A;

/// Product name plus one link per top-level page. `A` marks the current page with
/// `aria-current="page"`, which the CSS underlines (shape, not colour alone).
#[component]
pub fn AppHeader() -> impl IntoView {
    view! {
        <header class="app-header">
            <div class="app-header__inner">
                <a class="brand" href="/what-if" aria-label="eniscope home">
                    <span class="brand__mark" aria-hidden="true">"◆"</span>
                    <span class="brand__name">"eniscope"</span>
                    <span class="brand__tagline">"pod IPs, prefixes and DSR on EKS"</span>
                </a>
                <nav class="main-nav" aria-label="Main">
                    <A href="/" exact=true>"Fleet"</A>
                    <A href="/dsr">"DSR"</A>
                    <A href="/what-if">"What-if"</A>
                </nav>
            </div>
        </header>
    }
}
