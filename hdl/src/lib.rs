//! pmsnap's controller, described in rust-hdl, and its Verilog generator.
//!
//! The file names are the block diagram: see [`controller`] for how they
//! connect.

/// Test benches: one clock cycle with the given strobes high, then low.
#[cfg(test)]
#[macro_export]
macro_rules! cycle {
    ($sim:ident, $x:ident $(, $($strobe:ident).+)*) => {
        $( $x.$($strobe).+.next = true; )*
        wait_clock_cycle!($sim, clock, $x);
        $( $x.$($strobe).+.next = false; )*
    };
}

pub mod board;
pub mod codes;
pub mod config;
pub mod controller;
pub mod cow_engine;
pub mod dirty_log;
pub mod fallback_release;
pub mod flush_handshake;
pub mod frame_allocator;
pub mod host_port;
pub mod indirection_table;
#[cfg(test)]
mod lint;
pub mod nvm_arbiter;
pub mod nvm_layout;
pub mod passthrough;
pub mod sequencer;
pub mod status_counters;
pub mod sync_ram;
pub mod verilog;

pub use config::{Config, ConfigError};
pub use verilog::{generate, generate_board, generate_passthrough, Generated, BOARD_MODULE, TOP_MODULE};
