//! The what-if pages keep their scenario in the address bar: after input settles, the URL is replaced
//! (no new history entry, no scroll), so the link can be shared and the back button leaves the page.

#[cfg(target_arch = "wasm32")]
use crate::what_if_form::WhatIfForm;
#[cfg(target_arch = "wasm32")]
use leptos::prelude::*;

/// How long the URL waits for input to settle before it is rewritten (a slider drag fires dozens of
/// input events a second; Chromium throttles history updates beyond ~100 per 10 s).
#[cfg(target_arch = "wasm32")]
const URL_WRITE_DELAY: std::time::Duration = std::time::Duration::from_millis(200);

/// Replace the URL with `url(form)` after each change of `form` settles. `write_on_load`: also on the
/// first run (the planner normalises a hand-written query; the nodegroup page keeps the link it was
/// opened with until something changes).
#[cfg(target_arch = "wasm32")]
pub fn keep_url_in_step(
    form: RwSignal<WhatIfForm>,
    url: impl Fn(&WhatIfForm) -> String + 'static,
    write_on_load: bool,
) {
    use leptos::leptos_dom::helpers::{TimeoutHandle, set_timeout_with_handle};
    use leptos_router::NavigateOptions;
    use leptos_router::hooks::use_navigate;
    use std::sync::{Arc, Mutex};

    let navigate = use_navigate();
    let pending: Arc<Mutex<Option<TimeoutHandle>>> = Arc::default();
    let cancel = {
        let pending = Arc::clone(&pending);
        move || {
            if let Some(handle) = pending.lock().ok().and_then(|mut slot| slot.take()) {
                handle.clear();
            }
        }
    };
    // A write still pending when the user leaves the page must not pull them back to it.
    on_cleanup(cancel.clone());
    Effect::new(move |previous: Option<()>| {
        let url = form.with(|f| url(f));
        if previous.is_none() && !write_on_load {
            return;
        }
        cancel();
        let navigate = navigate.clone();
        let write = move || {
            navigate(
                &url,
                NavigateOptions {
                    replace: true,
                    scroll: false,
                    resolve: false,
                    ..Default::default()
                },
            );
        };
        if let Ok(handle) = set_timeout_with_handle(write, URL_WRITE_DELAY)
            && let Ok(mut slot) = pending.lock()
        {
            *slot = Some(handle);
        }
    });
}
