//! One file per page.

pub mod cluster;
pub mod dsr;
pub mod fleet;
pub mod node;
pub mod nodegroup_what_if;
pub mod not_found;
pub mod what_if;
