//! `/`: the fleet overview. Until the dashboard lands it says so and sends the user to the calculator.

use crate::components::empty_state::EmptyState;
use leptos::prelude::*;

#[component]
pub fn FleetPage() -> impl IntoView {
    view! {
        <EmptyState
            title="Fleet overview is coming with the dashboard"
            message="Clusters, nodegroups and per-node IP use will show here once eniscope reads a fleet. \
                     Today you can plan a nodegroup: pick an instance type and see how many pods fit and \
                     how much of the subnet it takes."
            action=("/what-if", "Plan a nodegroup →")
        />
    }
}
