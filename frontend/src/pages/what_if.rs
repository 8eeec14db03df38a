//! `/what-if`: plan one nodegroup.

use leptos::prelude::*;

#[component]
pub fn WhatIfPage() -> impl IntoView {
    view! { <h1>"What-if"</h1> }
}
