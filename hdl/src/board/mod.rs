//! Blocks for board tops (issue 4): what a controller needs around it on a
//! real FPGA board. Not part of the controller itself.

pub mod uart_rx;
pub mod uart_tx;
