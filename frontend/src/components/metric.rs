//! A headline number with its unit, a one-line detail and an explain panel.

use crate::components::explain::ExplainPanel;
use crate::format::grouped;
use leptos::prelude::*;
use shared::Explanation;

/// One number card. The value element carries the stable id (`#ip-capacity`) and holds only the
/// digits (grouped with commas), so tests and screen readers read the number without its unit.
#[component]
pub fn MetricCard(
    /// Stable DOM id of the value element.
    id: &'static str,
    #[prop(into)] label: String,
    /// Unit shown after the number (`pod IPs`, `/28 prefixes`).
    #[prop(into)]
    unit: Signal<String>,
    /// `None` when there is no valid scenario: shown as an em dash, never as 0 or NaN.
    #[prop(into)]
    value: Signal<Option<u64>>,
    #[prop(into)] detail: Signal<String>,
    #[prop(into)] explanation: Signal<Option<Explanation>>,
) -> impl IntoView {
    let label_id = format!("{id}-label");
    let labelled_by = label_id.clone();
    let about = label.clone();
    view! {
        <section
            class="metric"
            class:metric--unavailable=move || value.get().is_none()
            aria-labelledby=labelled_by
        >
            <h3 class="metric__label" id=label_id>{label}</h3>
            <p class="metric__value">
                <span id=id data-value=move || value.get().map(|v| v.to_string()).unwrap_or_default()>
                    {move || value.get().map(grouped).unwrap_or_else(|| "—".to_string())}
                </span>
                <span class="metric__unit">{move || unit.get()}</span>
            </p>
            <p class="metric__detail">{move || detail.get()}</p>
            <ExplainPanel id=format!("explain-{id}") explanation about/>
        </section>
    }
}
