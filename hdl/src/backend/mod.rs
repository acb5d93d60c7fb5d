//! Memory back ends: standard buses on the NVM side, each a block that
//! turns the core's native NVM port (contract §3, `mem_*`) into its bus.
//! The core stays the same whatever the bus; `pmsnap generate --nvm-bus`
//! picks the back end, and the generator wires it to the core
//! (`verilog.rs`).
//!
//! * `axi4_nvm.rs`: an AXI4 manager (`m_axi_*`).

pub mod axi4_nvm;
#[cfg(test)]
mod axi4_nvm_tests;
