//! `pmsnap board-sim`: a board top co-simulated behind a pseudo-terminal,
//! bit by bit on its UART pins.

use crate::args::{board, cache_dir};
use crate::exit::BadInput;
use anyhow::Result;
use std::path::PathBuf;
use std::time::Duration;

#[derive(clap::Args)]
pub struct BoardSimArgs {
    /// Board top to co-simulate: ice40-hx8k or ulx3s.
    #[arg(long, value_name = "BOARD")]
    board: String,
    /// Make this path a symlink to the pseudo-terminal (replaced if it exists).
    #[arg(long, value_name = "PATH")]
    link: PathBuf,
    /// Write a VCD waveform of the whole session (closed when the simulation ends).
    #[arg(long, value_name = "FILE")]
    vcd: Option<PathBuf>,
    /// End when the line has been idle this many seconds after the first byte
    /// [default: run until interrupted].
    #[arg(long, value_name = "SECONDS")]
    idle_exit: Option<f64>,
    /// Where Verilated models are cached.
    #[arg(long, value_name = "DIR")]
    cache_dir: Option<PathBuf>,
}

pub fn run(a: BoardSimArgs) -> Result<()> {
    let b = board(&a.board)?;
    let idle_exit = match a.idle_exit {
        Some(s) if !(s.is_finite() && s > 0.0) => return Err(BadInput(format!("--idle-exit: {s} is not a positive number of seconds")).into()),
        s => s.map(Duration::from_secs_f64),
    };
    let mut sim = pmsnap_cosim::board::BoardSim::new(b, &cache_dir(&a.cache_dir), a.vcd.as_deref())?;
    let mut pty = pmsnap_cosim::pty::Pty::open(&a.link)?;
    println!("{} board top ({}) on {} -> {}: {} baud, {} clocks a bit", b.name, b.config.tag(), a.link.display(), pty.device, b.baud, b.clocks_per_bit());
    let stats = pty.serve(&mut sim, idle_exit)?;
    sim.finish();
    std::fs::remove_file(&a.link).ok();
    println!("{} bytes in, {} bytes out, {} cycles simulated", stats.bytes_in, stats.bytes_out, stats.cycles);
    Ok(())
}
