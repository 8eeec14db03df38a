//! `shared`: the eniscope domain model and every piece of IP/pod math.
//!
//! Pure: no I/O, no async, no AWS types. Builds for the host and for `wasm32-unknown-unknown`, so the
//! server and the browser compute every number with the same functions. Each formula cites its source
//! (see `docs` in the repository and `domain.md`).

pub mod dsr;
pub mod explain;
pub mod findings;
pub mod fleet;
pub mod limits;
pub mod maxpods;
pub mod observed;
pub mod snapshot;
pub mod subnet;
pub mod warm;
pub mod whatif;

pub use explain::Explanation;
pub use limits::{Architecture, Hypervisor, InstanceTypeLimits, InstanceTypeTable};
pub use maxpods::{IpMode, MaxPods, MaxPodsError, MaxPodsOptions, Os};
pub use snapshot::Snapshot;
