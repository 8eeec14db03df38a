//! The read-only guard: fails if the collector could issue anything but the listed Describe/List/Get
//! operations, or if the shipped IAM policy drifts from that list.

use super::ops::{CREDENTIAL_ACTIONS, READ_ONLY_OPERATIONS};
use std::collections::BTreeSet;
use std::path::PathBuf;

/// SDK method prefixes of operations that create, change or delete something (EC2/EKS verbs).
const MUTATING_PREFIXES: [&str; 40] = [
    "accept_",
    "allocate_",
    "apply_",
    "assign_",
    "associate_",
    "attach_",
    "authorize_",
    "cancel_",
    "copy_",
    "create_",
    "delete_",
    "deprovision_",
    "deregister_",
    "detach_",
    "disable_",
    "disassociate_",
    "enable_",
    "export_",
    "import_",
    "modify_",
    "move_",
    "provision_",
    "purchase_",
    "put_",
    "reboot_",
    "register_",
    "reject_",
    "release_",
    "replace_",
    "report_",
    "request_",
    "reset_",
    "restore_",
    "revoke_",
    "run_",
    "send_",
    "start_",
    "stop_",
    "terminate_",
    "unassign_",
];

/// Response getters whose names happen to start with one of those verbs. They take no request and
/// send nothing; each one here was checked by hand (a new one must be too).
const READ_GETTERS_WITH_VERB_NAMES: [&str; 1] = ["release_version"];

fn aws_sources() -> Vec<(String, String)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("src")
        .join("aws");
    let mut files = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("server/src/aws is readable") {
        let path = entry.expect("directory entry").path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        // This file names the forbidden verbs on purpose.
        if path.extension().is_some_and(|e| e == "rs") && name != "guard_tests.rs" {
            let text = std::fs::read_to_string(&path).expect("source is readable");
            files.push((name, text));
        }
    }
    assert!(
        files.iter().any(|(name, _)| name == "real.rs"),
        "real.rs must be scanned"
    );
    files
}

/// Source with all whitespace removed, so `self\n    .ec2\n    .describe_instances()` reads as one token run.
fn compact(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Every `<receiver>.<method>(` where `receiver` is the given client field name.
fn client_calls(compact_text: &str, client: &str) -> Vec<String> {
    let needle = format!(".{client}.");
    let mut calls = Vec::new();
    let mut rest = compact_text;
    while let Some(at) = rest.find(&needle) {
        let after = &rest[at + needle.len()..];
        let method: String = after
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if after[method.len()..].starts_with('(') {
            calls.push(method);
        }
        rest = after;
    }
    calls
}

/// Every `.<prefix><ident>(` (a method call; `.enable_dsr` as a field is not one).
fn method_calls_starting_with(compact_text: &str, prefix: &str) -> Vec<String> {
    let needle = format!(".{prefix}");
    let mut calls = Vec::new();
    let mut rest = compact_text;
    while let Some(at) = rest.find(&needle) {
        let after = &rest[at + 1..];
        let method: String = after
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if after[method.len()..].starts_with('(') || after[method.len()..].starts_with("::<") {
            calls.push(method);
        }
        rest = after;
    }
    calls
}

#[test]
fn every_listed_operation_is_describe_list_or_get() {
    for (_, action, sdk_method) in READ_ONLY_OPERATIONS {
        let (service, verb) = action.split_once(':').expect("service:Action");
        assert!(
            service == "eks" || service == "ec2",
            "{action}: only EKS and EC2 are read"
        );
        assert!(
            ["Describe", "List", "Get"]
                .iter()
                .any(|p| verb.starts_with(p)),
            "{action} is not a Describe/List/Get operation"
        );
        assert!(
            ["describe_", "list_", "get_"]
                .iter()
                .any(|p| sdk_method.starts_with(p)),
            "{sdk_method} is not a read method"
        );
    }
    // The single exception, used by aws-config's AssumeRoleProvider for role_arn accounts only.
    assert_eq!(CREDENTIAL_ACTIONS, ["sts:AssumeRole"]);
}

#[test]
fn collector_source_calls_only_listed_operations() {
    let allowed: BTreeSet<&str> = READ_ONLY_OPERATIONS
        .iter()
        .map(|(_, _, method)| *method)
        .collect();
    let mut used = BTreeSet::new();
    for (name, text) in aws_sources() {
        let compact_text = compact(&text);
        for prefix in MUTATING_PREFIXES {
            for method in method_calls_starting_with(&compact_text, prefix) {
                assert!(
                    READ_GETTERS_WITH_VERB_NAMES.contains(&method.as_str()),
                    "{name} calls `.{method}()`: the collector must stay read-only"
                );
            }
        }
        // Operations can also be reached through their modules (`aws_sdk_ec2::operation::x`).
        for sdk in ["aws_sdk_ec2::operation::", "aws_sdk_eks::operation::"] {
            let mut rest = compact_text.as_str();
            while let Some(at) = rest.find(sdk) {
                let after = &rest[at + sdk.len()..];
                let module: String = after
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                assert!(
                    allowed.contains(module.as_str()),
                    "{name} uses operation module {sdk}{module}, not in the allow-list"
                );
                rest = after;
            }
        }
        // Every request sent goes through `self.ec2`/`self.eks` and an allowed operation.
        for (at, _) in compact_text.match_indices(".send()") {
            let statement_start = compact_text[..at].rfind([';', '{']).map_or(0, |i| i + 1);
            let statement = &compact_text[statement_start..at];
            let client_call = ["ec2", "eks"]
                .iter()
                .flat_map(|client| client_calls(statement, client))
                .next();
            match client_call {
                Some(method) => assert!(
                    allowed.contains(method.as_str()),
                    "{name} sends `{method}`, not in the allow-list"
                ),
                None => panic!(
                    "{name} sends a request that does not start at self.ec2/self.eks: {statement}"
                ),
            }
        }
        for client in ["ec2", "eks"] {
            for method in client_calls(&compact_text, client) {
                assert!(
                    allowed.contains(method.as_str()),
                    "{name} calls `{client}.{method}()`, which is not in ops::READ_ONLY_OPERATIONS"
                );
                used.insert(method);
            }
        }
    }
    // And the list is not stale: every listed operation is really called.
    let unused: Vec<&&str> = allowed.iter().filter(|m| !used.contains(**m)).collect();
    assert!(
        unused.is_empty(),
        "listed but never called (remove from ops.rs and iam-policy.json): {unused:?}"
    );
}

#[test]
fn scanner_finds_calls_across_lines() {
    let sample = "self\n    .ec2\n    .create_tags()\n    .send(); self.eks.list_clusters().send()";
    assert_eq!(client_calls(&compact(sample), "ec2"), ["create_tags"]);
    assert_eq!(client_calls(&compact(sample), "eks"), ["list_clusters"]);
    assert_eq!(
        method_calls_starting_with(&compact(sample), "create_"),
        ["create_tags"]
    );
    assert!(method_calls_starting_with("flags.enable_dsr==Some(true)", "enable_").is_empty());
}

#[test]
fn shipped_iam_policy_is_exactly_the_list() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("iam-policy.json");
    let text = std::fs::read_to_string(&path).expect("iam-policy.json at the repository root");
    let policy: serde_json::Value = serde_json::from_str(&text).expect("iam-policy.json is JSON");
    let mut actions = Vec::new();
    for statement in policy["Statement"].as_array().expect("Statement array") {
        assert_eq!(statement["Effect"], "Allow", "only Allow statements");
        for action in statement["Action"].as_array().expect("Action array") {
            actions.push(action.as_str().expect("action string").to_string());
        }
    }
    let mut expected: Vec<String> = READ_ONLY_OPERATIONS
        .iter()
        .map(|(_, action, _)| action.to_string())
        .collect();
    expected.extend(CREDENTIAL_ACTIONS.iter().map(|a| a.to_string()));
    assert_eq!(
        actions, expected,
        "iam-policy.json must list exactly ops::READ_ONLY_OPERATIONS + sts:AssumeRole, in order"
    );
    assert!(
        !text.contains('*') || !actions.iter().any(|a| a.contains('*')),
        "no wildcard actions"
    );
}
