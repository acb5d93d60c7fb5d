//! `pmsnap`: generate the controller's Verilog, co-simulate it, put it on a
//! board (bitstreams, UART host, FPGA report) and benchmark it.
//!
//! Each subcommand is a module of `commands/`; the exit status of an error
//! comes from one table (`exit.rs`).

use clap::{Parser, Subcommand};
use commands::*;
use std::process::ExitCode;

mod args;
mod board_link;
mod commands;
mod exit;
mod save_file;

#[derive(Parser)]
#[command(
    name = "pmsnap",
    version,
    about = "Persistent-memory snapshot controller: Verilog generator and Verilator co-simulation",
    long_about = "pmsnap generates the Verilog of a memory controller that gives persistent memory \
instantaneous save/restore (after US 9,195,614), and co-simulates it under Verilator against a Rust \
model of the host (CPU, write-back cache, NVM) with every response checked against a reference model. \
It also builds bitstreams of a board top for the iCE40-HX8K breakout and the ULX3S, talks to a board \
(or its co-simulation) over UART, reports FPGA resources and Fmax, and runs the benchmarks.\n\n\
Exit status: 0 success, 1 a check failed, 2 bad input, 3 a tool or I/O failure."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write the controller's Verilog (top module `pmsnap_controller`), or with --board a board
    /// top (`pmsnap_board`: controller, block-RAM NVM, UART bridge, LEDs), and lint waivers to DIR.
    Generate(generate::GenerateArgs),
    /// Generate, Verilate (cached by content) and co-simulate a workload, checking every response.
    Cosim(cosim::CosimArgs),
    /// Crash campaign: random workloads hit by power losses at random cycles, half inside SNAPSHOT;
    /// every recovery checked (I1 no overwrite, I2 atomicity, I3 agreement, I4 no leak).
    Crash(crash::CrashArgs),
    /// Merge the shard files of one crash campaign (`pmsnap crash --shard K/N --json FILE`, run
    /// anywhere, in any order) into the report the whole campaign prints; exit 1 on any violation,
    /// 2 when the files are not every shard of one campaign, each once.
    CrashMerge(crash_merge::CrashMergeArgs),
    /// Talk to a board top over its UART (docs/uart-protocol.md): run a trace file (scripted),
    /// or type commands (interactive).
    Uart(uart::UartArgs),
    /// Co-simulate a board top behind a pseudo-terminal, bit by bit on its UART pins, for
    /// `pmsnap uart` or any serial terminal.
    BoardSim(board_sim::BoardSimArgs),
    /// Build a board top's bitstream (Yosys, nextpnr, icepack/ecppack), timed at the board's
    /// clock: exit 1 when timing is not met.
    Bitstream(bitstream::BitstreamArgs),
    /// Resource and Fmax report of a board (docs/contract.md §7): the controller alone, the pass-through
    /// controller of the same sizing, and the board top, each placed with a few seeds.
    Synth(synth::SynthArgs),
    /// Benchmarks (docs/contract.md §7): simulation speed against a plain C++ Verilator bench, Icarus and
    /// rust-hdl; the mechanism's cycle costs as memory grows; wear. Tables as Markdown and JSON,
    /// plots as SVG, under --out. Exit 1 when simulators disagree.
    Bench(bench::BenchArgs),
    /// Draw a window of a waveform (VCD or FST) as an SVG timing diagram: groups and names as in
    /// its GTKWave save file, a cycle ruler, markers.
    Wave(wave::WaveArgs),
}

fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Command::Generate(a) => generate::run(a),
        Command::Cosim(a) => cosim::run(a),
        Command::Crash(a) => crash::run(a),
        Command::CrashMerge(a) => crash_merge::run(a),
        Command::Uart(a) => uart::run(a),
        Command::BoardSim(a) => board_sim::run(a),
        Command::Bitstream(a) => bitstream::run(a),
        Command::Synth(a) => synth::run(a),
        Command::Bench(a) => bench::run(a),
        Command::Wave(a) => wave::run(a),
    };
    match result {
        Ok(()) => exit::Status::Success.into(),
        Err(e) => {
            eprintln!("pmsnap: error: {e:#}");
            exit::status(&e).into()
        }
    }
}
