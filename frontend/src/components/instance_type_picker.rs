//! The searchable instance-type control: a text box with a datalist of every type the chosen OS
//! can run, and the limits of the type typed so far.

use crate::components::fields::{FieldMessage, FormContext};
use crate::format::{count, grouped, memory_gib};
use crate::what_if_form::Field;
use leptos::prelude::*;
use shared::{Architecture, Hypervisor, InstanceTypeLimits, InstanceTypeTable, Os};
use std::sync::Arc;

/// `2 vCPU · 8 GiB · 3 ENIs × 10 IPv4 · Nitro · x86_64`.
pub fn type_facts(limits: &InstanceTypeLimits) -> String {
    let hypervisor = match (limits.hypervisor, limits.bare_metal) {
        (_, true) => "bare metal",
        (Hypervisor::Nitro, false) => "Nitro",
        (Hypervisor::Xen, false) => "Xen (no prefix delegation)",
        (Hypervisor::None, false) => "no hypervisor",
    };
    let architectures: Vec<&str> = limits
        .architectures
        .iter()
        .map(|a| architecture_name(*a))
        .collect();
    format!(
        "{} · {} · {} × {} IPv4 · {} · {}",
        count(u64::from(limits.vcpus), "vCPU", "vCPUs"),
        memory_gib(limits.memory_mib),
        count(u64::from(limits.enis), "ENI", "ENIs"),
        grouped(u64::from(limits.ipv4_per_eni)),
        hypervisor,
        architectures.join("/")
    )
}

/// The EC2 spelling (`DescribeInstanceTypes` `SupportedArchitectures`).
pub fn architecture_name(architecture: Architecture) -> &'static str {
    match architecture {
        Architecture::X86_64 => "x86_64",
        Architecture::Arm64 => "arm64",
        Architecture::I386 => "i386",
        Architecture::X86_64Mac => "x86_64_mac",
        Architecture::Arm64Mac => "arm64_mac",
    }
}

#[component]
pub fn InstanceTypePicker(
    ctx: FormContext,
    /// `None` while the table loads.
    #[prop(into)]
    table: Signal<Option<Arc<InstanceTypeTable>>>,
) -> impl IntoView {
    let field = Field::InstanceType;
    let value = ctx.value(field);
    let message = ctx.message(field);
    let form = ctx.form;
    let os = Memo::new(move |_| form.with(|f| f.os()));
    // Options for the datalist: every type the OS can run (Windows: x86_64 only).
    let options = move || {
        let os = os.get();
        table.with(|table| {
            table.as_ref().map(|table| {
                table
                    .types
                    .iter()
                    .filter(|t| os == Os::Linux || t.supports_windows())
                    .map(|t| view! { <option value=t.instance_type.clone()></option> })
                    .collect_view()
            })
        })
    };
    let option_count = move || {
        let os = os.get();
        table.with(|table| {
            table.as_ref().map(|t| {
                t.types
                    .iter()
                    .filter(|t| os == Os::Linux || t.supports_windows())
                    .count()
            })
        })
    };
    let facts = move || {
        let name = value.get();
        table.with(|table| match table {
            None => "Loading the instance-type table…".to_string(),
            Some(table) => match table.get(name.trim()) {
                Some(limits) => type_facts(limits),
                None => match option_count() {
                    Some(n) => format!("Type to search {} types", grouped(n as u64)),
                    None => String::new(),
                },
            },
        })
    };
    view! {
        <div class="field">
            <label class="field__label" for="instance-type">
                <span>"Instance type"</span>
            </label>
            <input
                type="text"
                id="instance-type"
                name=field.key()
                list="instance-type-options"
                autocomplete="off"
                spellcheck="false"
                placeholder="e.g. m5.large"
                prop:value=value
                aria-invalid=move || if message.get().is_some() { "true" } else { "false" }
                aria-describedby="instance-type-facts error-instance-type"
                on:input=move |ev| ctx.set(field, event_target_value(&ev).trim().to_string())
            />
            <datalist id="instance-type-options">{options}</datalist>
            <p class="type-facts" id="instance-type-facts">{facts}</p>
            <FieldMessage message field/>
        </div>
    }
}
