//! Form controls of the what-if page. Each keeps the raw text of its control in the form, marks
//! itself `aria-invalid` and shows the parser's message right under it when the value is bad.

use crate::what_if_form::{Field, Outcome, WhatIfForm};
use leptos::prelude::*;

/// The form and its evaluation, shared by every control.
#[derive(Clone, Copy)]
pub struct FormContext {
    pub form: RwSignal<WhatIfForm>,
    pub outcome: Memo<Outcome>,
}

impl FormContext {
    /// The raw text of one control; notifies only when that control's text changes.
    pub fn value(self, field: Field) -> Memo<String> {
        let form = self.form;
        Memo::new(move |_| form.with(|f| f.get(field).to_string()))
    }

    /// The message for one control, if its value is bad.
    pub fn message(self, field: Field) -> Memo<Option<String>> {
        let outcome = self.outcome;
        Memo::new(move |_| outcome.with(|o| o.message_for(field)))
    }

    pub fn set(self, field: Field, value: String) {
        self.form.update(|f| f.set(field, value));
    }
}

fn error_id(field: Field) -> String {
    format!("error-{}", field.dom_id())
}

/// The message under a control; an empty live region when the value is fine.
#[component]
pub fn FieldMessage(message: Memo<Option<String>>, field: Field) -> impl IntoView {
    view! {
        <p class="field__error" id=error_id(field) role="alert" hidden=move || message.get().is_none()>
            {move || message.get().unwrap_or_default()}
        </p>
    }
}

/// A labelled text input for a whole number or a name. Empty = "use the default" for optional ones.
#[component]
pub fn TextField(
    ctx: FormContext,
    field: Field,
    #[prop(into)] label: String,
    /// The setting's real name (ConfigMap key or env var), shown in monospace next to the label.
    #[prop(optional, into)]
    setting: Option<Signal<String>>,
    #[prop(optional, into)] help: Option<Signal<String>>,
    #[prop(optional, into)] placeholder: Option<Signal<String>>,
    /// `numeric` for whole numbers (mobile keyboards); text otherwise.
    #[prop(optional)]
    numeric: bool,
) -> impl IntoView {
    let value = ctx.value(field);
    let message = ctx.message(field);
    let id = field.dom_id();
    let help_id = format!("help-{id}");
    let described_by = format!("{help_id} {}", error_id(field));
    view! {
        <div class="field">
            <label class="field__label" for=id>
                <span>{label}</span>
                {setting.map(|s| view! { <code class="field__key">{move || s.get()}</code> })}
            </label>
            <input
                type="text"
                id=id
                name=field.key()
                inputmode=if numeric { "numeric" } else { "text" }
                autocomplete="off"
                spellcheck="false"
                placeholder=move || placeholder.map(|p| p.get()).unwrap_or_default()
                prop:value=value
                aria-invalid=move || if message.get().is_some() { "true" } else { "false" }
                aria-describedby=described_by
                on:input=move |ev| ctx.set(field, event_target_value(&ev))
            />
            <p class="field__help" id=help_id>{move || help.map(|h| h.get()).unwrap_or_default()}</p>
            <FieldMessage message field/>
        </div>
    }
}

/// A slider plus a number box for the same value. The box shows exactly what is in the form (a bad
/// value stays visible); the slider follows whenever the value is a number in its range.
#[component]
pub fn SliderField(
    ctx: FormContext,
    field: Field,
    #[prop(into)] label: String,
    /// Unit after the number box (`nodes`, `pods`).
    #[prop(into)]
    unit: String,
    min: u32,
    /// Slider end; larger values can still be typed into the box.
    #[prop(into)]
    max: Signal<u32>,
    #[prop(optional, into)] help: Option<Signal<String>>,
) -> impl IntoView {
    let value = ctx.value(field);
    let message = ctx.message(field);
    let stem = field.dom_id();
    let slider_id = format!("slider-{stem}");
    let input_id = format!("input-{stem}");
    let help_id = format!("help-{stem}");
    let described_by = format!("{help_id} {}", error_id(field));
    let slider_value = move || {
        value.with(|raw| {
            raw.trim()
                .parse::<u32>()
                .map(|n| n.to_string())
                .unwrap_or_else(|_| min.to_string())
        })
    };
    let label_for = input_id.clone();
    let slider_label = format!("{label} slider");
    let invalid = move || {
        if message.get().is_some() {
            "true"
        } else {
            "false"
        }
    };
    view! {
        <div class="field">
            <label class="field__label" for=label_for>
                <span>{label}</span>
            </label>
            <div class="field__row">
                <input
                    type="range"
                    id=slider_id
                    min=min.to_string()
                    max=move || max.get().to_string()
                    step="1"
                    prop:value=slider_value
                    aria-label=slider_label
                    aria-invalid=invalid
                    on:input=move |ev| ctx.set(field, event_target_value(&ev))
                />
                <input
                    type="text"
                    id=input_id
                    name=field.key()
                    inputmode="numeric"
                    autocomplete="off"
                    prop:value=value
                    aria-invalid=invalid
                    aria-describedby=described_by
                    on:input=move |ev| ctx.set(field, event_target_value(&ev))
                />
                <span class="field__unit">{unit}</span>
            </div>
            <p class="field__help" id=help_id>{move || help.map(|h| h.get()).unwrap_or_default()}</p>
            <FieldMessage message field/>
        </div>
    }
}

/// A checkbox stored as `true`/`false`.
#[component]
pub fn ToggleField(
    ctx: FormContext,
    field: Field,
    #[prop(into)] label: String,
    #[prop(optional, into)] setting: Option<Signal<String>>,
    #[prop(optional, into)] help: Option<Signal<String>>,
) -> impl IntoView {
    let value = ctx.value(field);
    let message = ctx.message(field);
    let id = field.dom_id();
    let help_id = format!("help-{id}");
    let described_by = format!("{help_id} {}", error_id(field));
    view! {
        <div class="field">
            <label class="toggle" for=id>
                <input
                    type="checkbox"
                    role="switch"
                    id=id
                    name=field.key()
                    prop:checked=move || value.with(|v| v.trim() == "true")
                    aria-invalid=move || if message.get().is_some() { "true" } else { "false" }
                    aria-describedby=described_by
                    on:change=move |ev| ctx.set(field, event_target_checked(&ev).to_string())
                />
                <span class="toggle__text">
                    <span>{label}</span>
                    {setting.map(|s| view! { <code class="field__key">{move || s.get()}</code> })}
                </span>
            </label>
            <p class="field__help" id=help_id>{move || help.map(|h| h.get()).unwrap_or_default()}</p>
            <FieldMessage message field/>
        </div>
    }
}

/// Windows / Linux as a segmented radio group.
#[component]
pub fn OsField(ctx: FormContext) -> impl IntoView {
    let field = Field::Os;
    let value = ctx.value(field);
    let message = ctx.message(field);
    let option = move |os: &'static str, label: &'static str| {
        let id = format!("os-{os}");
        let label_for = id.clone();
        view! {
            <label for=label_for>
                <input
                    type="radio"
                    id=id
                    name="os"
                    value=os
                    prop:checked=move || value.with(|v| v.trim().eq_ignore_ascii_case(os))
                    on:change=move |_| ctx.set(field, os.to_string())
                />
                {label}
            </label>
        }
    };
    view! {
        <fieldset class="fieldset" aria-describedby=error_id(field)>
            <legend>"Node OS"</legend>
            <div class="segmented" role="radiogroup" aria-invalid=move || if message.get().is_some() { "true" } else { "false" }>
                {option("windows", "Windows")}
                {option("linux", "Linux")}
            </div>
            <FieldMessage message field/>
        </fieldset>
    }
}
