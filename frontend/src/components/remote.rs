//! One API resource of a dashboard page: the URL asked for last and what came back. Every fetch of
//! the fleet, cluster and node pages goes through this one type (one future, one signal type in the
//! wasm instead of one per call site), and only the answer to the latest request is kept, so a slow
//! answer to an older filter can never replace a newer one.

use crate::api::ApiFailure;
use crate::components::json::Json;
use leptos::prelude::*;

/// What came back for a URL.
pub type Answer = (String, Result<Json, ApiFailure>);

#[derive(Debug, Clone, Copy)]
pub struct Remote {
    /// The URL of the latest request.
    pub wanted: RwSignal<String>,
    /// The answer to the latest request that has answered; `None` before the first one.
    pub got: RwSignal<Option<Answer>>,
    /// The last successful answer and when it came (browser clock, seconds), kept through later
    /// failures so a page can show the data it had while saying the refresh failed.
    pub ok: RwSignal<Option<(Json, f64)>>,
}

impl Default for Remote {
    fn default() -> Self {
        Self::new()
    }
}

impl Remote {
    pub fn new() -> Self {
        Self {
            wanted: RwSignal::new(String::new()),
            got: RwSignal::new(None),
            ok: RwSignal::new(None),
        }
    }

    /// A resource that already has its answer (native tests).
    pub fn answered(url: &str, result: Result<Json, ApiFailure>) -> Self {
        let remote = Self::new();
        remote.wanted.set(url.to_string());
        if let Ok(json) = &result {
            remote.ok.set(Some((json.clone(), 0.0)));
        }
        remote.got.set(Some((url.to_string(), result)));
        remote
    }

    /// GET `url` (in the browser; natively nothing is fetched and tests set `got`).
    pub fn request(self, url: String) {
        self.wanted.set(url.clone());
        #[cfg(target_arch = "wasm32")]
        leptos::task::spawn_local(async move {
            let result = crate::api::get_json(&url).await;
            // The page may be gone, or a newer request made, by the time this answers.
            if self.wanted.try_get_untracked().as_ref() == Some(&url) {
                if let Ok(json) = &result {
                    let now = crate::components::data_age::now_seconds();
                    self.ok.try_set(Some((json.clone(), now)));
                }
                self.got.try_set(Some((url, result)));
            }
        });
    }

    /// The JSON of the last successful answer (tracked).
    pub fn json(self) -> Option<Json> {
        self.ok.with(|ok| ok.as_ref().map(|(json, _)| json.clone()))
    }

    /// The JSON of the last successful answer, untracked.
    pub fn json_untracked(self) -> Option<Json> {
        self.ok
            .with_untracked(|ok| ok.as_ref().map(|(json, _)| json.clone()))
    }

    /// The failure of the latest answer, if it failed (tracked).
    pub fn failure(self) -> Option<ApiFailure> {
        self.got
            .with(|g| g.as_ref().and_then(|(_, r)| r.as_ref().err().cloned()))
    }

    /// A request is out that has not answered yet (tracked).
    pub fn pending(self) -> bool {
        let wanted = self.wanted.get();
        self.got
            .with(|g| g.as_ref().is_none_or(|(url, _)| *url != wanted))
    }
}
