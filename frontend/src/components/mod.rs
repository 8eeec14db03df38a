//! Small view components, one per concern, named for what the user sees.

pub mod empty_state;
pub mod explain;
pub mod fields;
pub mod header;
pub mod instance_type_picker;
pub mod metric;
pub mod subnet_impact;
pub mod warnings;
