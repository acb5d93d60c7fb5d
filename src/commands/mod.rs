//! One module per subcommand: its arguments and what it does.

pub mod bench;
pub mod bitstream;
pub mod board_sim;
pub mod cosim;
pub mod crash;
pub mod crash_merge;
pub mod generate;
pub mod synth;
pub mod uart;
pub mod wave;
