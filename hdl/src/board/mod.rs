//! The board top (issue 4): what the controller needs around it on a real
//! FPGA board. Not part of the controller itself.

pub mod board_top;
pub mod catalog;
pub mod command_bridge;
pub mod nvm_bram;
pub mod protocol;
pub mod uart_rx;
pub mod uart_tx;

pub use board_top::BoardTop;
pub use catalog::{BoardConfig, Family, BOARDS};
