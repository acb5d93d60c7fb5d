//! The FPGA flow: Verilog of a board top (or of the controller inside an IO
//! ring) through Yosys, nextpnr and the bitstream packer of its family, and
//! the resource / Fmax report of contract §7.

pub mod io_ring;
pub mod report;
pub mod run;
pub mod toolchain;

pub use report::{report, Report, Row};
pub use run::{bitstream, Bitstream, Design, Placed, Synthesized, TimingMissed};
pub use toolchain::{MissingTool, Toolchain};
