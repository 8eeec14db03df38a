//! The what-if warnings, each with its stable code, a severity in words and the message.

use leptos::prelude::*;
use shared::whatif::{Severity, WhatIfWarning};

fn severity_word(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "Critical",
        Severity::Warning => "Warning",
        Severity::Info => "Note",
    }
}

fn severity_class(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "warning warning--error",
        Severity::Warning => "warning",
        Severity::Info => "warning warning--info",
    }
}

/// The list, most severe first. An empty list says so in words (and a check mark).
#[component]
pub fn WarningList(#[prop(into)] warnings: Signal<Option<Vec<WhatIfWarning>>>) -> impl IntoView {
    move || {
        match warnings.get() {
        None => view! { <p class="field__help">"Warnings appear here once the scenario is valid."</p> }.into_any(),
        Some(list) if list.is_empty() => {
            view! { <p class="all-clear"><span aria-hidden="true">"✓"</span>"No warnings for this scenario."</p> }
                .into_any()
        }
        Some(list) => {
            // Most severe first, shared's order within a severity (three passes: no sort code in the wasm).
            let ordered = [Severity::Critical, Severity::Warning, Severity::Info]
                .into_iter()
                .flat_map(|severity| list.iter().filter(move |w| w.severity == severity).cloned())
                .collect::<Vec<_>>();
            view! {
                <ul class="warnings">
                    {ordered
                        .into_iter()
                        .map(|warning| {
                            let code = warning.code.as_str();
                            view! {
                                <li class=severity_class(warning.severity) data-code=code>
                                    <span class="warning__badge">{code}</span>
                                    <span>
                                        <strong>{severity_word(warning.severity)} ": "</strong>
                                        {warning.message}
                                    </span>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            }
            .into_any()
        }
    }
    }
}
