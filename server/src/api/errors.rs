//! The one error shape of the API: `{"error": {"code", "message", ...}}` with a 4xx/5xx status.
//!
//! Every rejection (bad query, bad JSON body, unknown route, wrong method) is turned into this shape so
//! a client never has to parse axum's plain-text rejections.

use crate::api::types::{ErrorBody, ErrorResponse};
use axum::Json;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};

/// Shorten user input before echoing it in a message (a 10 kB query value stays out of the reply).
pub fn quoted(value: &str) -> String {
    const MAX_CHARS: usize = 40;
    if value.chars().count() > MAX_CHARS {
        format!("`{}…`", value.chars().take(MAX_CHARS).collect::<String>())
    } else {
        format!("`{value}`")
    }
}

/// An API error: HTTP status + stable machine code + a message that says what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub body: ErrorBody,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            body: ErrorBody {
                code: code.into(),
                message: message.into(),
                parameter: None,
                suggestions: Vec::new(),
            },
        }
    }

    /// 400 for a query parameter that is missing or malformed; the message names the parameter.
    pub fn bad_parameter(parameter: &str, message: impl Into<String>) -> Self {
        let mut error = Self::new(StatusCode::BAD_REQUEST, "invalid_parameter", message);
        error.body.parameter = Some(parameter.into());
        error
    }

    pub fn missing_parameter(parameter: &str, hint: &str) -> Self {
        let mut error = Self::new(
            StatusCode::BAD_REQUEST,
            "missing_parameter",
            format!("missing query parameter `{parameter}`: {hint}"),
        );
        error.body.parameter = Some(parameter.into());
        error
    }

    pub fn not_found(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, code, message)
    }

    pub fn with_suggestions(mut self, suggestions: Vec<String>) -> Self {
        self.body.suggestions = suggestions;
        self
    }
}

impl IntoResponse for ApiError {
    fn into_response(mut self) -> Response {
        self.body.message = shorten_message(&self.body.message);
        (self.status, Json(ErrorResponse { error: self.body })).into_response()
    }
}

/// Messages from `shared` may quote a value as given; keep a huge one from bouncing back whole. The
/// head names the problem and the tail usually says what to do, so both are kept.
fn shorten_message(message: &str) -> String {
    const HEAD_CHARS: usize = 400;
    const TAIL_CHARS: usize = 300;
    let count = message.chars().count();
    if count <= HEAD_CHARS + TAIL_CHARS {
        return message.to_string();
    }
    let head: String = message.chars().take(HEAD_CHARS).collect();
    let tail: String = message.chars().skip(count - TAIL_CHARS).collect();
    format!("{head} … {tail}")
}

/// Fallback for `/api/...` paths that match no route: JSON 404, never the SPA's index.html.
pub async fn api_route_not_found(uri: Uri) -> ApiError {
    ApiError::not_found(
        "route_not_found",
        format!(
            "no API route {}: see the routes listed in the README (e.g. /api/v1/instance-types, /api/v1/max-pods)",
            uri.path()
        ),
    )
}

/// A route exists but not for this method (e.g. `POST /api/v1/max-pods`).
pub async fn api_method_not_allowed(method: axum::http::Method, uri: Uri) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!("{method} is not supported on {}", uri.path()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_messages_keep_head_and_tail() {
        let message = format!("bad value {}; use 1 to 10", "9".repeat(50_000));
        let short = shorten_message(&message);
        assert!(short.len() < 800, "{}", short.len());
        assert!(
            short.starts_with("bad value 999") && short.ends_with("; use 1 to 10"),
            "{short}"
        );
        assert_eq!(shorten_message("fine"), "fine");
    }
}
