//! Fallback for unknown paths.

use crate::components::empty_state::EmptyState;
use leptos::prelude::*;

#[component]
pub fn NotFoundPage() -> impl IntoView {
    view! {
        <EmptyState
            title="Page not found"
            message="No eniscope page lives at this address. Use the navigation above, or plan a nodegroup."
            action=("/what-if", "Open the what-if calculator →")
        />
    }
}
