//! `/dsr`: the DSR board. Until the dashboard lands it says so.

use crate::components::empty_state::EmptyState;
use leptos::prelude::*;

#[component]
pub fn DsrPage() -> impl IntoView {
    view! {
        <EmptyState
            title="DSR board is coming with the dashboard"
            message="This page will list every Windows nodegroup and node with its Direct Server Return \
                     status, the evidence, and the kube-proxy flags that turn it on."
            action=("/what-if", "Plan a nodegroup →")
        />
    }
}
