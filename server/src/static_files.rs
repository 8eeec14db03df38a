//! The frontend bundle: files from `--dist` (`index.html`, one `<entry>.js` + `<entry>_bg.wasm` per entry, CSS), with
//! `index.html` for client-side routes (`/what-if?…`, `/clusters/…`, `/dsr`) so deep links and reloads work.
//!
//! `index.html` is read on each request rather than cached at startup, so `cargo xtask build` can
//! rebuild `dist/` under a running server. When it is missing, the page says how to build it instead of
//! answering 404s that look like a routing bug.

use crate::state::AppState;
use axum::Router;
use axum::handler::HandlerWithoutStateExt;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Response};
use std::path::{Path, PathBuf};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

/// A router whose fallback serves `dist_dir`; merge it last, after every API route.
pub fn router(dist_dir: PathBuf) -> Router<AppState> {
    let index_dir = dist_dir.clone();
    let spa_fallback = move |uri: Uri| {
        let dist_dir = index_dir.clone();
        async move { spa_index(&dist_dir, &uri).await }
    };
    // `cargo xtask dist` writes `<file>.gz` next to the wasm, JS and CSS: sent as is to browsers that accept
    // gzip (the compression layer leaves encoded responses alone), so a cold load does not wait for the
    // server to compress a megabyte of wasm.
    //
    // The file names are not content-hashed and an entry's JS glue must match its wasm, so browsers are
    // told to revalidate (`no-cache`): an unchanged file costs a 304, a rebuilt bundle is never mixed with
    // a cached half of the old one.
    let files = ServeDir::new(dist_dir)
        .precompressed_gzip()
        .fallback(spa_fallback.into_service());
    Router::new().fallback_service(
        tower::ServiceBuilder::new()
            .layer(SetResponseHeaderLayer::if_not_present(
                header::CACHE_CONTROL,
                HeaderValue::from_static("no-cache"),
            ))
            .service(files),
    )
}

/// Paths whose last segment has a dot are files (`/dashboard.js`): a missing one is a real 404.
/// Everything else is a client-side route and gets `index.html`.
async fn spa_index(dist_dir: &Path, uri: &Uri) -> Response {
    let last_segment = uri.path().rsplit('/').next().unwrap_or("");
    if last_segment.contains('.') {
        return (
            StatusCode::NOT_FOUND,
            format!("not found: {} is not in the frontend bundle", uri.path()),
        )
            .into_response();
    }
    let index = dist_dir.join("index.html");
    match tokio::fs::read_to_string(&index).await {
        Ok(html) => {
            let mut response = Html(html).into_response();
            // The bundle's file names are not content-hashed: make browsers revalidate.
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
            response
        }
        Err(error) => {
            tracing::warn!(path = %index.display(), %error, "frontend bundle missing");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Html(bundle_missing_page(&index, &error)),
            )
                .into_response()
        }
    }
}

fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn bundle_missing_page(index: &Path, error: &std::io::Error) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>eniscope: frontend bundle not built</title></head>\n\
         <body style=\"font-family: sans-serif; max-width: 44rem; margin: 3rem auto\">\n\
         <h1>eniscope: frontend bundle not built</h1>\n\
         <p>The server is running, but it cannot read <code>{}</code> ({}).</p>\n\
         <p>Build and start everything with <code>cargo xtask run</code>, or build the bundle with \
         <code>cargo xtask build</code> and point the server at it with <code>eniscope serve --dist DIR</code> \
         (or the <code>ENISCOPE_DIST</code> environment variable).</p>\n\
         <p>The JSON API works without the bundle: try <a href=\"/api/v1/max-pods?instance_type=m5.large&amp;os=windows\">/api/v1/max-pods?instance_type=m5.large&amp;os=windows</a>.</p>\n\
         </body></html>\n",
        escape_html(&index.display().to_string()),
        escape_html(&error.to_string()),
    )
}
