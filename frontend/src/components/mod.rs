//! Small view components, one per concern, named for what the user sees.

pub mod empty_state;
pub mod header;
