//! A warm-pool target as a slider: the setting's real name (ConfigMap key or `aws-node` variable),
//! a range input, a number box that shows exactly what is set (empty = the controller's default),
//! and a "Default" button that unsets it. The slider sits on the default while nothing is set, so
//! what the thumb shows is always what is in force.

use crate::components::fields::{FieldMessage, FormContext};
use crate::what_if_form::Field;
use leptos::prelude::*;

#[component]
pub fn WarmTargetSlider(
    ctx: FormContext,
    field: Field,
    #[prop(into)] label: String,
    /// `windows-warm-ip-target`, `WARM_IP_TARGET`, …
    setting: &'static str,
    /// Slider end (larger values can be typed).
    max: u32,
    /// The value in force when unset (the thumb position), and how the empty box shows it ("3", "–").
    #[prop(into)]
    default_value: Signal<u32>,
    #[prop(into)] default_words: Signal<String>,
    #[prop(into)] help: Signal<String>,
) -> impl IntoView {
    let value = ctx.value(field);
    let message = ctx.message(field);
    let stem = field.dom_id();
    let slider_id = format!("slider-{stem}");
    let input_id = format!("input-{stem}");
    let reset_id = format!("default-{stem}");
    let help_id = format!("help-{stem}");
    let described_by = format!("{help_id} error-{stem}");
    let slider_label = format!("{label} slider");
    let reset_label = format!("Use the default {setting}");
    let label_for = input_id.clone();
    let thumb = move || {
        value.with(|raw| match raw.trim().parse::<u32>() {
            Ok(n) => n.to_string(),
            Err(_) => default_value.get().to_string(),
        })
    };
    let unset = Memo::new(move |_| value.with(|v| v.trim().is_empty()));
    let invalid = move || {
        if message.get().is_some() {
            "true"
        } else {
            "false"
        }
    };
    view! {
        <div class="field warm-slider" data-unset=move || unset.get().to_string()>
            <label class="field__label" for=label_for>
                <span>{label}</span>
                <code class="field__key">{setting}</code>
            </label>
            <div class="field__row">
                <input
                    type="range"
                    id=slider_id
                    min="0"
                    max=max.to_string()
                    step="1"
                    prop:value=thumb
                    aria-label=slider_label
                    aria-invalid=invalid
                    on:input=move |ev| ctx.set(field, event_target_value(&ev))
                />
                <input
                    type="text"
                    class="warm-slider__box"
                    id=input_id
                    name=field.key()
                    inputmode="numeric"
                    autocomplete="off"
                    placeholder=move || default_words.get()
                    prop:value=value
                    aria-invalid=invalid
                    aria-describedby=described_by
                    on:input=move |ev| ctx.set(field, event_target_value(&ev))
                />
                <button
                    type="button"
                    class="button button--small"
                    id=reset_id
                    aria-label=reset_label
                    disabled=move || unset.get()
                    on:click=move |_| ctx.set(field, String::new())
                >
                    "Default"
                </button>
            </div>
            <p class="field__help" id=help_id>{move || help.get()}</p>
            <FieldMessage message field/>
        </div>
    }
}
