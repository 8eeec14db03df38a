//! Honest empty states for pages that are not built yet or have nothing to show.

use leptos::prelude::*;

/// A card that says what is missing and where to go instead.
#[component]
pub fn EmptyState(
    /// Headline, e.g. "Fleet overview is coming with the dashboard".
    #[prop(into)]
    title: String,
    /// One or two sentences: what happened and what to do.
    #[prop(into)]
    message: String,
    /// Where to go instead: (href, label).
    #[prop(optional)]
    action: Option<(&'static str, &'static str)>,
) -> impl IntoView {
    view! {
        <section class="card empty-state">
            <h1 class="empty-state__title">{title}</h1>
            <p class="empty-state__message">{message}</p>
            {action.map(|(href, label)| view! { <a class="button button--primary" href=href>{label}</a> })}
        </section>
    }
}
