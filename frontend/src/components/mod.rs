//! Small view components, one per concern, named for what the user sees.

pub mod before_after;
pub mod block_map;
pub mod breadcrumbs;
pub mod cluster_card;
pub mod copy_block;
pub mod data_age;
pub mod data_table;
pub mod demo_banner;
pub mod dsr_badge;
pub mod empty_state;
pub mod explain;
pub mod fields;
pub mod header;
pub mod html;
pub mod instance_type_picker;
pub mod json;
pub mod metric;
pub mod node_ip_bar;
pub mod node_table;
pub mod nodegroup_table;
pub mod remote;
pub mod status_chip;
pub mod subnet_card;
pub mod subnet_impact;
pub mod warm_target_slider;
pub mod warnings;
