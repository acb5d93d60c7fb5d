//! Bus front ends: standard buses on the host side, each a block that turns
//! its bus into the native host port (contract §3) of the controller core.
//! The core stays the same whatever the bus; `pmsnap generate --host-bus`
//! picks the front end.
//!
//! * `axi4_host.rs`: an AXI4 subordinate (`s_axi_*`);
//! * `axi4_top.rs`: the controller with that front end as its host port;
//! * `wishbone_host.rs`: a Wishbone B4 pipelined subordinate (`s_wb_*`),
//!   and `wishbone_top.rs` the controller with it;
//! * `register_file.rs`: the control and status registers (map:
//!   `register_map.rs`), with their bus ports `axil_regs.rs` (AXI4-Lite,
//!   `s_axil_*`, in the AXI4 top) and `wishbone_regs.rs` (Wishbone,
//!   `s_wbr_*`, in the Wishbone top);
//! * `response_queue.rs`: the in-order answer slots a front end needs because
//!   the native port cannot be back-pressured and a bus can.

pub mod axi4_host;
#[cfg(test)]
mod axi4_host_tests;
pub mod axi4_top;
pub mod axil_regs;
#[cfg(test)]
mod axil_regs_tests;
pub mod register_file;
pub mod register_map;
pub mod response_queue;
pub mod wishbone_host;
#[cfg(test)]
mod wishbone_host_tests;
pub mod wishbone_regs;
#[cfg(test)]
mod wishbone_regs_tests;
pub mod wishbone_top;

use rust_hdl::prelude::*;

/// Byte-address bits of the AXI4 ports.
pub const AXI_ADDR_BITS: usize = 32;
/// ID bits of the AXI4 ports (AWID, BID, ARID, RID). Every ID is answered
/// in the order its request was accepted, which AXI allows for any IDs.
pub const AXI_ID_BITS: usize = 4;

/// The native word address a front end sends a request it refuses to:
/// beyond any L·W (at most 2^26 words), so the core answers it with an
/// error and changes nothing, and the answer keeps its place in order.
pub const NOWHERE: u64 = u32::MAX as u64;

/// AXI response codes (BRESP, RRESP). EXOKAY (1) is never sent: exclusive
/// access is not supported.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum AxiResp {
    Okay = 0,
    /// The request was understood and refused: a partial write strobe, a
    /// burst type or beat size the port does not take, an unaligned
    /// address, a device not mounted, a write with no frame left.
    SlvErr = 2,
    /// No memory at the address: at or beyond L·W words.
    DecErr = 3,
}

impl AxiResp {
    pub fn bits(self) -> Bits<2> {
        (self as u64).to_bits()
    }

    pub fn from_code(code: u64) -> Option<AxiResp> {
        [AxiResp::Okay, AxiResp::SlvErr, AxiResp::DecErr].into_iter().find(|r| *r as u64 == code)
    }
}

/// AXI burst types (AWBURST, ARBURST); only INCR is served.
pub const AXI_BURST_FIXED: u64 = 0;
pub const AXI_BURST_INCR: u64 = 1;
pub const AXI_BURST_WRAP: u64 = 2;
