//! pmsnap's controller, described in rust-hdl, and its Verilog generator.
//!
//! The file names are the block diagram (`hdl/src/README.md` draws it); see
//! [`controller`] for how they connect.

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

pub mod backend;
pub mod board;
pub mod codes;
pub mod config;
pub mod controller;
pub mod cow_engine;
pub mod dirty_log;
pub mod fallback_release;
pub mod flush_handshake;
pub mod frame_allocator;
pub mod frontend;
pub mod host_port;
pub mod indirection_table;
pub mod lut_ram;
pub mod nvm_arbiter;
pub mod nvm_layout;
pub mod passthrough;
pub mod ports;
pub mod sequencer;
pub mod skid_buffer;
pub mod state_names;
pub mod status_counters;
pub mod sync_ram;
#[cfg(test)]
mod test_support;
pub mod verilog;

pub use config::{Config, ConfigError, HostBus, NvmBus};
pub use verilog::{generate, generate_board, generate_passthrough, Generated, BOARD_MODULE, TOP_MODULE};
