//! Query-string and JSON-body extractors whose every failure is a JSON `ApiError` naming the parameter.
//!
//! axum's `Query<T>` answers a bad value with a plain-text 400 such as "invalid digit found in string"
//! that names neither the parameter nor the fix. `QueryParams` keeps the raw pairs and parses each
//! parameter on demand, so the message can say "`kubelet_max_pods` must be a whole number …".
//! Unknown parameters are rejected too: a typo such as `prefix_delegaton=true` would otherwise be
//! silently ignored and return numbers for a scenario the user did not ask for.

use crate::api::errors::{ApiError, quoted};
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use std::fmt::Display;
use std::ops::RangeInclusive;
use std::str::FromStr;

/// The decoded `name=value` pairs of a request's query string, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueryParams {
    pairs: Vec<(String, String)>,
}

impl<S: Send + Sync> FromRequestParts<S> for QueryParams {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let Query(pairs) = Query::<Vec<(String, String)>>::try_from_uri(&parts.uri).map_err(|rejection| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_query",
                format!("the query string cannot be decoded ({}); encode it as name=value pairs joined by &", rejection.body_text()),
            )
        })?;
        Ok(Self { pairs })
    }
}

impl QueryParams {
    #[cfg(test)]
    pub fn from_pairs<N: Into<String>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (N, V)>,
    ) -> Self {
        Self {
            pairs: pairs
                .into_iter()
                .map(|(n, v)| (n.into(), v.into()))
                .collect(),
        }
    }

    /// All pairs, in order.
    pub fn pairs(&self) -> &[(String, String)] {
        &self.pairs
    }

    /// Refuse any parameter not in `allowed`, listing the ones that are.
    pub fn allow_only(&self, allowed: &[&str]) -> Result<(), ApiError> {
        match self
            .pairs
            .iter()
            .find(|(name, _)| !allowed.contains(&name.as_str()))
        {
            None => Ok(()),
            Some((name, _)) => Err(ApiError::bad_parameter(
                name,
                format!(
                    "unknown query parameter {}: this route accepts {}",
                    quoted(name),
                    allowed.join(", ")
                ),
            )),
        }
    }

    /// Every value given for `name` (repeated parameters), in order.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.pairs
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// A parameter that may appear at most once.
    pub fn optional(&self, name: &str) -> Result<Option<&str>, ApiError> {
        let values = self.all(name);
        let first = values.first().copied();
        if values.len() > 1 {
            return Err(ApiError::bad_parameter(
                name,
                format!("query parameter `{name}` is given more than once; give it once"),
            ));
        }
        Ok(first)
    }

    /// A parameter that must appear exactly once; `hint` says what to put there.
    pub fn required(&self, name: &str, hint: &str) -> Result<&str, ApiError> {
        self.optional(name)?
            .ok_or_else(|| ApiError::missing_parameter(name, hint))
    }

    /// `true`/`false` (also `1`/`0`, `yes`/`no`, `on`/`off`, as the what-if page's URLs), case-insensitive;
    /// `default` when absent.
    pub fn bool(&self, name: &str, default: bool) -> Result<bool, ApiError> {
        let Some(value) = self.optional(name)? else {
            return Ok(default);
        };
        match value.to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "on" => Ok(true),
            "false" | "0" | "no" | "off" => Ok(false),
            _ => Err(ApiError::bad_parameter(
                name,
                format!("`{name}` must be true or false, got {}", quoted(value)),
            )),
        }
    }

    /// A whole number within `range`, or `None` when absent.
    pub fn u32_in(&self, name: &str, range: RangeInclusive<u32>) -> Result<Option<u32>, ApiError> {
        let Some(value) = self.optional(name)? else {
            return Ok(None);
        };
        let out_of_range = || {
            ApiError::bad_parameter(
                name,
                format!(
                    "`{name}` must be a whole number from {} to {}, got {}",
                    range.start(),
                    range.end(),
                    quoted(value)
                ),
            )
        };
        let number: u32 = value.trim().parse().map_err(|_| out_of_range())?;
        if range.contains(&number) {
            Ok(Some(number))
        } else {
            Err(out_of_range())
        }
    }

    /// Any `FromStr` value whose error text already says what is accepted (e.g. `shared::Os`).
    pub fn parse_required<T>(&self, name: &str, hint: &str) -> Result<T, ApiError>
    where
        T: FromStr,
        T::Err: Display,
    {
        let value = self.required(name, hint)?;
        // Parser errors echo the value; a value this long cannot be valid, so do not echo it.
        if value.len() > 64 {
            return Err(ApiError::bad_parameter(
                name,
                format!("`{name}` is too long to be valid: {hint}"),
            ));
        }
        value
            .parse()
            .map_err(|e| ApiError::bad_parameter(name, format!("`{name}`: {e}")))
    }
}

/// `Json<T>` whose rejections (wrong content type, syntax error, wrong field type) are JSON `ApiError`s.
#[derive(Debug, Clone)]
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(request, state).await {
            Ok(axum::Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(json_rejection_to_api_error(&rejection)),
        }
    }
}

fn json_rejection_to_api_error(rejection: &JsonRejection) -> ApiError {
    let (status, code) = match rejection {
        JsonRejection::MissingJsonContentType(_) => {
            (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
        }
        JsonRejection::JsonSyntaxError(_) => (StatusCode::BAD_REQUEST, "invalid_json"),
        // Wrong field type or missing field: malformed input, 400 like a bad query parameter. (422 is
        // for a well-formed scenario that cannot be evaluated, e.g. Windows on arm64.)
        JsonRejection::JsonDataError(_) => (StatusCode::BAD_REQUEST, "invalid_body"),
        // Body too large or unreadable.
        _ => (rejection.status(), "invalid_body"),
    };
    let hint = match rejection {
        JsonRejection::MissingJsonContentType(_) => {
            "; send the body with `Content-Type: application/json`"
        }
        _ => "",
    };
    ApiError::new(status, code, format!("{}{hint}", rejection.body_text()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::Os;

    fn params(pairs: &[(&str, &str)]) -> QueryParams {
        QueryParams::from_pairs(pairs.iter().copied())
    }

    #[test]
    fn bool_parsing_names_the_parameter() {
        let q = params(&[
            ("prefix_delegation", "TRUE"),
            ("custom_networking", "maybe"),
        ]);
        assert_eq!(q.bool("prefix_delegation", false), Ok(true));
        assert_eq!(q.bool("absent", true), Ok(true));
        let err = q
            .bool("custom_networking", false)
            .expect_err("maybe is not a bool");
        assert_eq!(err.status, StatusCode::BAD_REQUEST);
        assert_eq!(err.body.parameter.as_deref(), Some("custom_networking"));
        assert!(
            err.body.message.contains("true or false"),
            "{}",
            err.body.message
        );
    }

    #[test]
    fn numbers_reject_negative_huge_and_out_of_range() {
        for bad in ["-1", "0", "99999999999", "1e3", "", "ten"] {
            let q = params(&[("kubelet_max_pods", bad)]);
            let err = q.u32_in("kubelet_max_pods", 1..=u32::MAX).expect_err(bad);
            assert!(
                err.body
                    .message
                    .starts_with("`kubelet_max_pods` must be a whole number"),
                "{}",
                err.body.message
            );
        }
        assert_eq!(
            params(&[("n", "110")]).u32_in("n", 1..=u32::MAX),
            Ok(Some(110))
        );
    }

    #[test]
    fn repeated_unknown_and_missing_parameters() {
        let q = params(&[("os", "linux"), ("os", "windows")]);
        assert_eq!(
            q.optional("os")
                .expect_err("repeated")
                .body
                .parameter
                .as_deref(),
            Some("os")
        );
        let q = params(&[("prefix_delegaton", "true")]);
        let err = q.allow_only(&["prefix_delegation"]).expect_err("typo");
        assert!(
            err.body.message.contains("prefix_delegaton"),
            "{}",
            err.body.message
        );
        let err = params(&[])
            .parse_required::<Os>("os", "windows or linux")
            .expect_err("missing");
        assert_eq!(err.body.code, "missing_parameter");
        let err = params(&[("os", "macos")])
            .parse_required::<Os>("os", "windows or linux")
            .expect_err("bad os");
        assert_eq!(err.body.code, "invalid_parameter");
        assert!(err.body.message.contains("windows"), "{}", err.body.message);
    }

    #[test]
    fn long_values_are_truncated_in_messages() {
        let long = "x".repeat(10_000);
        let err = params(&[("prefix_delegation", long.as_str())])
            .bool("prefix_delegation", false)
            .expect_err("bad");
        assert!(err.body.message.len() < 200, "{}", err.body.message.len());
    }
}
