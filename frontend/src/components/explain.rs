//! The "explain" panel under a number: formula, inputs, caps and source (`shared::Explanation`).

use leptos::prelude::*;
use shared::Explanation;

/// A `<details>` that stays in the DOM while its content follows the current explanation, so an
/// open panel stays open while sliders move.
#[component]
pub fn ExplainPanel(
    /// DOM id of the `<details>` element (`explain-ip-capacity`, …).
    #[prop(into)]
    id: String,
    /// The explanation; `None` while there is nothing to explain.
    #[prop(into)]
    explanation: Signal<Option<Explanation>>,
    /// What is explained, for screen readers ("Explain IP capacity"); shown text stays "Explain".
    #[prop(into)]
    about: String,
) -> impl IntoView {
    view! {
        <details class="explain" id=id hidden=move || explanation.with(Option::is_none)>
            <summary>"Explain" <span class="sr-only">" " {about}</span></summary>
            {move || explanation.get().map(|explanation| view! { <ExplanationBody explanation/> })}
        </details>
    }
}

/// The body of an explanation, rendered once.
#[component]
pub fn ExplanationBody(explanation: Explanation) -> impl IntoView {
    let Explanation {
        formula,
        inputs,
        caps,
        source,
    } = explanation;
    let has_inputs = !inputs.is_empty();
    let has_caps = !caps.is_empty();
    view! {
        <div class="explain__body">
            <p class="explain__formula">{formula}</p>
            {has_inputs.then(|| view! {
                <dl>
                    {inputs.into_iter().map(|(name, value)| view! { <dt>{name}</dt><dd>{value}</dd> }).collect_view()}
                </dl>
            })}
            {has_caps.then(|| view! {
                <div>
                    <p class="section-title">"Caps and fallbacks applied"</p>
                    <ul>{caps.into_iter().map(|cap| view! { <li>{cap}</li> }).collect_view()}</ul>
                </div>
            })}
            <p class="explain__source">"Source: " {source}</p>
        </div>
    }
}
