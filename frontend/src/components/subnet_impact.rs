//! Subnet consumption: one row per subnet with a usage bar (before → after), free IPs and /28
//! blocks before and after, and a verdict in words and symbols.

use crate::components::explain::ExplainPanel;
use crate::components::html::width;
use crate::format::grouped;
use crate::what_if_form::Outcome;
use leptos::prelude::*;
use shared::whatif::SubnetImpact;

/// Every subnet of the scenario. Rows are keyed by position and read their numbers reactively, so
/// an open explain panel stays open while sliders move.
#[component]
pub fn SubnetList(outcome: Memo<Outcome>) -> impl IntoView {
    let subnet_count = Memo::new(move |_| outcome.with(|o| o.result().map(|r| r.subnets.len())));
    move || {
        match subnet_count.get() {
        None => view! { <p class="field__help">"Subnet use appears here once the scenario is valid."</p> }.into_any(),
        Some(0) => view! {
            <p class="field__help" id="subnet-empty">
                "No subnet given. Add a CIDR such as 10.0.0.0/24 under “Subnet CIDRs” to see how many addresses and /28 blocks this nodegroup takes."
            </p>
        }
        .into_any(),
        Some(n) => view! {
            <div class="subnets">
                <For each=move || 0..n key=|index| *index let:index>
                    <SubnetRow outcome index/>
                </For>
            </div>
        }
        .into_any(),
    }
    }
}

#[component]
fn SubnetRow(outcome: Memo<Outcome>, index: usize) -> impl IntoView {
    let impact = Memo::new(move |_| {
        outcome.with(|o| o.result().and_then(|r| r.subnets.get(index).cloned()))
    });
    let read = move |f: fn(&SubnetImpact) -> String| {
        move || impact.with(|i| i.as_ref().map(f).unwrap_or_default())
    };
    let id = move |name: &str| format!("subnet-{index}-{name}");
    // Bar: existing use, then this nodegroup, as shares of the usable addresses.
    let before_width = move || {
        impact.with(|i| {
            i.as_ref()
                .map_or((0, 0), |i| (i.before.allocated_ips, i.before.usable_ips))
        })
    };
    let added_width = move || {
        impact.with(|i| {
            i.as_ref().map_or((0, 0), |i| {
                (
                    i.addresses_needed.min(i.before.free_ips),
                    i.before.usable_ips,
                )
            })
        })
    };
    let short = move || impact.with(|i| i.as_ref().is_some_and(|i| !i.enough_ips));
    view! {
        <article class="subnet" aria-labelledby=id("title")>
            <div class="subnet__head">
                <h3 id=id("title") class="mono">{read(|i| i.cidr.to_string())}</h3>
                <span class="card__hint">{read(|i| format!("{} usable IPs (size − 5) · {} nodes here", grouped(i.before.usable_ips), grouped(u64::from(i.nodes))))}</span>
            </div>
            <div
                class="usage-bar"
                role="img"
                aria-label=read(|i| format!("{}% used before, {}% after", i.used_percent_before, i.used_percent_after))
            >
                <div class="usage-bar__fill usage-bar__fill--before" style:width=move || { let (part, whole) = before_width(); width(part, whole) }></div>
                <div
                    class="usage-bar__fill"
                    class:usage-bar__fill--over=short
                    style:width=move || { let (part, whole) = added_width(); width(part, whole) }
                ></div>
            </div>
            <div class="usage-legend">
                <span>"used before " <strong id=id("used-before")>{read(|i| i.used_percent_before.to_string())}</strong> "%"</span>
                <span>"used after " <strong id=id("used-after")>{read(|i| i.used_percent_after.to_string())}</strong> "%"</span>
            </div>
            <table class="table subnet__table">
                <thead>
                    <tr><th scope="col"></th><th scope="col" class="num">"before"</th><th scope="col" class="num">"this nodegroup"</th><th scope="col" class="num">"after"</th></tr>
                </thead>
                <tbody>
                    <tr>
                        <th scope="row">"Free IPs"</th>
                        <td class="num" id=id("free-before")>{read(|i| grouped(i.before.free_ips))}</td>
                        <td class="num" id=id("addresses-needed")>{read(|i| format!("−{}", grouped(i.addresses_needed)))}</td>
                        <td class="num" id=id("free-after")>{read(|i| grouped(i.free_ips_after))}</td>
                    </tr>
                    <tr>
                        <th scope="row">"Free /28 blocks"</th>
                        <td class="num" id=id("prefix-slots-before")>{read(|i| grouped(u64::from(i.before.free_prefix_slots)))}</td>
                        <td class="num" id=id("prefixes-needed")>{read(|i| format!("−{} prefixes", grouped(i.prefixes_needed)))}</td>
                        <td class="num" id=id("prefix-slots-after")>{read(|i| grouped(i.free_prefix_slots_after))}</td>
                    </tr>
                </tbody>
            </table>
            <ul class="verdicts">
                <li class="verdict" class:verdict--bad=short id=id("ip-verdict")>
                    {read(|i| if i.enough_ips {
                        "✓ Enough IPs".to_string()
                    } else {
                        format!("✕ {} IPs short", grouped(i.ip_shortfall))
                    })}
                </li>
                <li
                    class="verdict"
                    class:verdict--bad=move || impact.with(|i| i.as_ref().is_some_and(|i| !i.enough_contiguous_blocks))
                    id=id("prefix-verdict")
                >
                    {read(|i| if i.prefixes_needed == 0 {
                        "– No /28 prefixes needed (secondary-IP mode)".to_string()
                    } else if i.enough_contiguous_blocks {
                        "✓ Enough contiguous /28 blocks".to_string()
                    } else {
                        format!("✕ {} /28 blocks short", grouped(i.prefix_shortfall))
                    })}
                </li>
            </ul>
            <ExplainPanel
                id=id("explain")
                about=format!("subnet {} consumption", index + 1)
                explanation=Signal::derive(move || impact.with(|i| i.as_ref().map(|i| i.explanation.clone())))
            />
        </article>
    }
}
