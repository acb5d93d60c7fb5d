//! pmsnap's controller, described in rust-hdl, and its Verilog generator.
//!
//! The file names are the block diagram: see [`controller`] for how they
//! connect.

pub mod config;
pub mod controller;
pub mod cow_engine;
pub mod dirty_log;
pub mod flush_handshake;
pub mod frame_allocator;
pub mod host_port;
pub mod indirection_table;
pub mod nvm_arbiter;
pub mod nvm_layout;
pub mod snapshot_fsm;
pub mod status_counters;
pub mod sync_ram;
pub mod verilog;

pub use config::{Config, ConfigError};
pub use verilog::{generate, Generated, TOP_MODULE};
