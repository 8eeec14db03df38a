//! Copy-ready code blocks: a label, the text in `<pre><code>`, and a Copy button that writes the
//! text to the clipboard (`navigator.clipboard.writeText`). Where the clipboard is not available
//! (an insecure origin, a denied permission) the button selects the whole text instead and says
//! "press Ctrl+C", so the user can always copy it.
//!
//! The blocks are HTML text (they sit inside pages rendered as text, see `components/html.rs`); one
//! delegated click handler on the page ([`on_copy_click`]) serves every button: it finds the
//! `<code>` named by the button's `data-copy` and copies exactly its text.

use crate::components::html::esc;

/// `<figure>` with the label, an optional hint, the Copy button and the code. The `<code>` gets
/// `id`; the button `{id}-copy` (with `data-copy-state` idle/copied/selected) and the status line
/// `{id}-status`.
pub fn copy_block_html(out: &mut String, id: &str, label: &str, hint: Option<&str>, text: &str) {
    let (id, label) = (esc(id), esc(label));
    out.push_str(&format!(
        "<figure class=\"copy-block\"><figcaption class=\"copy-block__head\">\
         <span class=\"copy-block__label\">{label}</span>\
         <button type=\"button\" class=\"button button--small copy-block__button\" id=\"{id}-copy\" \
         data-copy=\"{id}\" data-copy-state=\"idle\" aria-label=\"Copy {label}\" \
         aria-describedby=\"{id}-status\">Copy</button></figcaption>"
    ));
    if let Some(hint) = hint {
        out.push_str(&format!("<p class=\"copy-block__hint\">{}</p>", esc(hint)));
    }
    out.push_str(&format!(
        "<pre class=\"copy-block__pre\" tabindex=\"0\"><code id=\"{id}\">{}</code></pre>\
         <p class=\"copy-block__status\" id=\"{id}-status\" role=\"status\" aria-live=\"polite\"></p>\
         </figure>",
        esc(text)
    ));
}

#[cfg(target_arch = "wasm32")]
const COPIED: &str = "✓ Copied to the clipboard.";
#[cfg(target_arch = "wasm32")]
const SELECTED: &str =
    "The clipboard is not available here: the text is selected, press Ctrl+C (⌘C) to copy it.";

/// The page's click handler: acts only on clicks inside a copy button.
#[cfg(target_arch = "wasm32")]
pub fn on_copy_click(event: &leptos::ev::MouseEvent) {
    use wasm_bindgen::JsCast;
    let Some(button) = event
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .and_then(|e| e.closest("button[data-copy]").ok().flatten())
    else {
        return;
    };
    let Some(code_id) = button.get_attribute("data-copy") else {
        return;
    };
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Some(code) = document.get_element_by_id(&code_id) else {
        return;
    };
    let text = code.text_content().unwrap_or_default();
    let status = document.get_element_by_id(&format!("{code_id}-status"));
    let show = move |state: &str, message: &str| {
        let _ = button.set_attribute("data-copy-state", state);
        button.set_text_content(Some(if state == "copied" { "Copied" } else { "Copy" }));
        if let Some(status) = &status {
            status.set_text_content(Some(message));
        }
    };
    let select = {
        let code = code.clone();
        move || {
            if let Some(selection) =
                web_sys::window().and_then(|w| w.get_selection().ok().flatten())
            {
                let _ = selection.select_all_children(&code);
            }
        }
    };
    let Some(window) = web_sys::window() else {
        return;
    };
    let navigator = window.navigator();
    // `navigator.clipboard` is undefined outside secure contexts; calling into it would throw.
    let has_clipboard = js_sys::Reflect::get(&navigator, &"clipboard".into())
        .is_ok_and(|clipboard| !clipboard.is_undefined() && !clipboard.is_null());
    if !has_clipboard {
        select();
        show("selected", SELECTED);
        return;
    }
    let promise = navigator.clipboard().write_text(&text);
    leptos::task::spawn_local(async move {
        match wasm_bindgen_futures::JsFuture::from(promise).await {
            Ok(_) => show("copied", COPIED),
            Err(_) => {
                select();
                show("selected", SELECTED);
            }
        }
    });
}

/// Host builds (native render tests) have no clipboard and no events.
#[cfg(not(target_arch = "wasm32"))]
pub fn on_copy_click(_event: &leptos::ev::MouseEvent) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_block_escapes_the_text_and_names_its_parts() {
        let mut out = String::new();
        copy_block_html(
            &mut out,
            "fix-1",
            "user data",
            Some("for 1.31"),
            "<powershell>\n& \"x\"",
        );
        assert!(out.contains("<code id=\"fix-1\">&lt;powershell&gt;\n&amp; &quot;x&quot;</code>"));
        assert!(out.contains("id=\"fix-1-copy\" data-copy=\"fix-1\""));
        assert!(out.contains("id=\"fix-1-status\""));
        assert!(out.contains("for 1.31"));
    }
}
