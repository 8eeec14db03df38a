//! Max pods per instance type: the one function behind `eniscope max-pods` and `GET /api/v1/max-pods`,
//! so the CLI's JSON and the API's JSON cannot drift apart.

use crate::api::errors::{ApiError, quoted};
use crate::api::query::QueryParams;
use crate::api::types::MaxPodsReport;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use shared::maxpods::{MaxPodsError, max_pods};
use shared::{InstanceTypeTable, MaxPodsOptions, Os};

/// Which instance types a request is about: every type the OS can run, or a list of names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeSelection {
    All,
    Named(Vec<String>),
}

/// How many "did you mean" names to offer per unknown type.
const SUGGESTIONS_PER_NAME: usize = 5;
/// Unknown names for which suggestions are computed (each is a scan of the table).
const NAMES_WITH_SUGGESTIONS: usize = 3;

impl TypeSelection {
    /// Parse one or more comma-separated lists (`m5.large,c5.large`) or the word `all`. Names are
    /// trimmed and lowercased; empty entries (a trailing comma) are skipped; duplicates keep the first.
    pub fn parse<'a>(
        lists: impl IntoIterator<Item = &'a str>,
    ) -> Result<Self, MaxPodsRequestError> {
        let mut names: Vec<String> = Vec::new();
        for name in lists.into_iter().flat_map(|list| list.split(',')) {
            let name = name.trim().to_ascii_lowercase();
            if !name.is_empty() && !names.contains(&name) {
                names.push(name);
            }
        }
        match names.as_slice() {
            [] => Err(MaxPodsRequestError::NoInstanceType),
            [only] if only == "all" => Ok(Self::All),
            _ if names.iter().any(|n| n == "all") => Err(MaxPodsRequestError::AllWithNames),
            _ => Ok(Self::Named(names)),
        }
    }
}

/// Why a max-pods request has no answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MaxPodsRequestError {
    #[error("no instance type given: name one or more (e.g. m5.large,c5.large) or `all`")]
    NoInstanceType,
    #[error(
        "`all` cannot be combined with named instance types: give either `all` or a list of names"
    )]
    AllWithNames,
    #[error(
        "unknown instance type{} {}: not in eniscope's instance-type table ({}){}",
        if names.len() == 1 { "" } else { "s" },
        names.iter().map(|n| quoted(n)).collect::<Vec<_>>().join(", "),
        table_source,
        did_you_mean(suggestions)
    )]
    UnknownInstanceType {
        names: Vec<String>,
        suggestions: Vec<String>,
        table_source: String,
    },
    /// A real type that cannot run this way (Windows on arm64, custom networking on Windows).
    #[error(transparent)]
    Unsupported(#[from] MaxPodsError),
}

fn did_you_mean(suggestions: &[String]) -> String {
    if suggestions.is_empty() {
        "; list the known types with `eniscope max-pods --instance-type all --os linux`".into()
    } else {
        format!("; did you mean {}?", suggestions.join(", "))
    }
}

/// "Did you mean" names for `unknown`, closest first ([`InstanceTypeTable::suggestions`]).
pub fn ranked_suggestions(table: &InstanceTypeTable, unknown: &str, limit: usize) -> Vec<String> {
    table
        .suggestions(unknown, limit)
        .into_iter()
        .map(str::to_owned)
        .collect()
}

/// Max pods for each selected type. Fails as a whole if any named type is unknown or unsupported: a
/// partial list would look like a complete answer.
pub fn max_pods_reports(
    table: &InstanceTypeTable,
    selection: &TypeSelection,
    os: Os,
    options: MaxPodsOptions,
) -> Result<Vec<MaxPodsReport>, MaxPodsRequestError> {
    let limits: Vec<_> = match selection {
        TypeSelection::All => table
            .types
            .iter()
            .filter(|t| os != Os::Windows || t.supports_windows())
            .collect(),
        TypeSelection::Named(names) => {
            let unknown: Vec<&String> = names.iter().filter(|n| table.get(n).is_none()).collect();
            if !unknown.is_empty() {
                let mut suggestions: Vec<String> = Vec::new();
                for name in unknown.iter().take(NAMES_WITH_SUGGESTIONS) {
                    for s in ranked_suggestions(table, name, SUGGESTIONS_PER_NAME) {
                        if !suggestions.contains(&s) {
                            suggestions.push(s);
                        }
                    }
                }
                return Err(MaxPodsRequestError::UnknownInstanceType {
                    names: unknown.into_iter().cloned().collect(),
                    suggestions,
                    table_source: table.source.clone(),
                });
            }
            names.iter().filter_map(|n| table.get(n)).collect()
        }
    };
    limits
        .into_iter()
        .map(|l| {
            max_pods(l, os, options)
                .map(MaxPodsReport::from)
                .map_err(Into::into)
        })
        .collect()
}

impl From<MaxPodsRequestError> for ApiError {
    fn from(error: MaxPodsRequestError) -> Self {
        let message = error.to_string();
        match error {
            MaxPodsRequestError::NoInstanceType | MaxPodsRequestError::AllWithNames => {
                ApiError::bad_parameter("instance_type", format!("`instance_type`: {message}"))
            }
            MaxPodsRequestError::UnknownInstanceType { suggestions, .. } => {
                ApiError::not_found("unknown_instance_type", message).with_suggestions(suggestions)
            }
            // Same codes as `shared::whatif::WhatIfError::code` for the same refusals.
            MaxPodsRequestError::Unsupported(MaxPodsError::WindowsNeedsX86 { .. }) => {
                ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "windows_needs_x86_64",
                    message,
                )
            }
            MaxPodsRequestError::Unsupported(MaxPodsError::CustomNetworkingOnWindows) => {
                ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "custom_networking_on_windows",
                    message,
                )
            }
        }
    }
}

pub fn routes() -> Router<AppState> {
    Router::new().route("/max-pods", get(get_max_pods))
}

const MAX_PODS_PARAMETERS: [&str; 5] = [
    "instance_type",
    "os",
    "prefix_delegation",
    "custom_networking",
    "kubelet_max_pods",
];

/// `GET /api/v1/max-pods?instance_type=m5.large[,c5.large]|all&os=windows|linux
/// [&prefix_delegation=true][&custom_networking=true][&kubelet_max_pods=N]` → `[MaxPodsReport]`.
async fn get_max_pods(
    State(state): State<AppState>,
    query: QueryParams,
) -> Result<Json<Vec<MaxPodsReport>>, ApiError> {
    query.allow_only(&MAX_PODS_PARAMETERS)?;
    if query.all("instance_type").is_empty() {
        return Err(ApiError::missing_parameter(
            "instance_type",
            "give one or more types (m5.large,c5.large) or `all`",
        ));
    }
    let selection = TypeSelection::parse(query.all("instance_type"))?;
    let os: Os = query.parse_required("os", "give `windows` or `linux`")?;
    let options = MaxPodsOptions {
        prefix_delegation: query.bool("prefix_delegation", false)?,
        custom_networking: query.bool("custom_networking", false)?,
        kubelet_max_pods: query.u32_in("kubelet_max_pods", 1..=u32::MAX)?,
    };
    Ok(Json(max_pods_reports(
        &state.instance_types,
        &selection,
        os,
        options,
    )?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::embedded_instance_types;
    use shared::IpMode;

    fn report(name: &str, os: Os, prefix_delegation: bool) -> MaxPodsReport {
        let table = embedded_instance_types().expect("table");
        let selection = TypeSelection::Named(vec![name.into()]);
        let options = MaxPodsOptions {
            prefix_delegation,
            ..Default::default()
        };
        let mut reports = max_pods_reports(&table, &selection, os, options).expect("known type");
        assert_eq!(reports.len(), 1);
        reports.remove(0)
    }

    #[test]
    fn suggestions_put_the_likely_fix_first() {
        let table = embedded_instance_types().expect("table");
        assert_eq!(
            ranked_suggestions(&table, "m5.larg", 3)
                .first()
                .map(String::as_str),
            Some("m5.large")
        );
        assert_eq!(
            ranked_suggestions(&table, "m5large", 3)
                .first()
                .map(String::as_str),
            Some("m5.large")
        );
        assert!(ranked_suggestions(&table, &"x".repeat(10_000), 3).is_empty());
    }

    #[test]
    fn selection_parsing() {
        assert_eq!(TypeSelection::parse(["all"]), Ok(TypeSelection::All));
        assert_eq!(
            TypeSelection::parse([" M5.large, c5.large,", "m5.large"]),
            Ok(TypeSelection::Named(vec![
                "m5.large".into(),
                "c5.large".into()
            ]))
        );
        assert_eq!(
            TypeSelection::parse([",", ""]),
            Err(MaxPodsRequestError::NoInstanceType)
        );
        assert_eq!(
            TypeSelection::parse(["all,m5.large"]),
            Err(MaxPodsRequestError::AllWithNames)
        );
    }

    /// domain.md §1.3 and §3.2 through the embedded table.
    #[test]
    fn m5_large_windows_and_linux() {
        let secondary = report("m5.large", Os::Windows, false);
        assert_eq!(
            (secondary.result.mode, secondary.result.eni_max_pods),
            (IpMode::SecondaryIp, 9)
        );
        let pd = report("m5.large", Os::Windows, true);
        assert_eq!(
            (
                pd.result.mode,
                pd.result.eni_max_pods,
                pd.result.recommended_max_pods
            ),
            (IpMode::PrefixDelegation, 144, 110)
        );
        assert_eq!(pd.explain, pd.result.explain());
        let linux = report("m5.large", Os::Linux, false);
        assert_eq!(
            (linux.result.eni_max_pods, linux.result.recommended_max_pods),
            (29, 29)
        );
        let linux_pd = report("m5.large", Os::Linux, true);
        assert_eq!(
            (
                linux_pd.result.eni_max_pods,
                linux_pd.result.recommended_max_pods
            ),
            (434, 110)
        );
    }

    #[test]
    fn unknown_types_fail_the_whole_request_with_suggestions() {
        let table = embedded_instance_types().expect("table");
        let selection = TypeSelection::parse(["m5.large,m5.larg"]).expect("parse");
        let err = max_pods_reports(&table, &selection, Os::Linux, MaxPodsOptions::default())
            .expect_err("unknown");
        let MaxPodsRequestError::UnknownInstanceType {
            names, suggestions, ..
        } = &err
        else {
            panic!("{err:?}")
        };
        assert_eq!(names, &["m5.larg".to_string()]);
        assert!(
            suggestions.iter().any(|s| s == "m5.large"),
            "{suggestions:?}"
        );
        assert!(err.to_string().contains("did you mean"), "{err}");
    }

    #[test]
    fn windows_all_is_x86_only_and_arm_is_refused() {
        let table = embedded_instance_types().expect("table");
        let all = max_pods_reports(
            &table,
            &TypeSelection::All,
            Os::Windows,
            MaxPodsOptions::default(),
        )
        .expect("all");
        assert!(!all.is_empty());
        for r in &all {
            let limits = table.get(&r.result.instance_type).expect("row from table");
            assert!(limits.supports_windows(), "{}", r.result.instance_type);
        }
        let linux_all = max_pods_reports(
            &table,
            &TypeSelection::All,
            Os::Linux,
            MaxPodsOptions::default(),
        )
        .expect("all");
        assert_eq!(linux_all.len(), table.types.len());

        let arm = TypeSelection::Named(vec!["c6g.medium".into()]);
        let err = max_pods_reports(&table, &arm, Os::Windows, MaxPodsOptions::default())
            .expect_err("arm");
        assert!(err.to_string().contains("x86_64"), "{err}");
    }
}
