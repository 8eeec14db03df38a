//! The AWS collector: the only code in eniscope that talks to AWS. Read-only by construction.
//!
//! - `ops`: the allow-list of operations (the call counter, `iam-policy.json` and the guard test use it);
//! - `api`: the `AwsApi` trait (one method per request) and the plain structs it returns;
//! - `real`: `SdkApi`, the implementation over aws-sdk-eks / aws-sdk-ec2, plus credentials setup;
//! - `collect`: pagination, counting, concurrency, failure isolation and snapshot assembly;
//! - `userdata`: launch-template user data → `UserDataFlags`.

pub mod api;
pub mod collect;
pub mod ops;
pub mod real;
pub mod userdata;

#[cfg(test)]
mod collect_tests;
#[cfg(test)]
mod fake;
#[cfg(test)]
mod guard_tests;
