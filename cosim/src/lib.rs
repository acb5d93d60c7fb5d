//! Verilator co-simulation of the pmsnap controller: the Verilated RTL
//! between a Rust host model (CPU, write-back cache, flush handshake) and an
//! NVM model, checked against an untimed reference model.

pub mod board;
pub mod cache;
pub mod campaign;
pub mod clocked;
pub mod harness;
pub mod nvm;
pub mod pty;
pub mod reference;
pub mod rng;
pub mod trace;
pub mod verilator;
pub mod vm;
pub mod workload;

pub use harness::{Cosim, CosimOptions, Outcome, Stats};
