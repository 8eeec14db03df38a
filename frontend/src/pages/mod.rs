//! One file per page.

pub mod dsr;
pub mod fleet;
pub mod not_found;
pub mod what_if;
