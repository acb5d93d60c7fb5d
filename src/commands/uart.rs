//! `pmsnap uart`: a board top (or its co-simulation) over its UART — a
//! trace file run as a script, or commands typed one a line.

use crate::args::load_trace;
use crate::board_link::{self, BoardLink, Input};
use anyhow::{Context, Result};
use pmsnap_cosim::harness::write_reads;
use std::io::BufRead;
use std::path::Path;
use std::path::PathBuf;
use std::time::Duration;

#[derive(clap::Args)]
pub struct UartArgs {
    /// Serial device: the board's USB serial port (/dev/ttyUSB1 on the iCE40-HX8K breakout,
    /// /dev/ttyUSB0 on the ULX3S) or the link `pmsnap board-sim` made.
    #[arg(long, value_name = "DEV")]
    port: String,
    /// Baud rate (the board tops use 115200).
    #[arg(long, default_value_t = 115_200, value_parser = clap::value_parser!(u32).range(1..))]
    baud: u32,
    /// Run this trace file (format: docs/contract.md, "Trace files") instead of reading commands from stdin.
    #[arg(long, value_name = "FILE")]
    workload: Option<PathBuf>,
    /// With --workload: write one line per `R`, the value in hex or ERR (as `pmsnap cosim`).
    #[arg(long, value_name = "FILE", requires = "workload")]
    reads_out: Option<PathBuf>,
    /// FORMAT the device first (a trace runs from a freshly formatted device, as `pmsnap cosim` runs it);
    /// without it the device is recovered, and formatted only if it holds no snapshot.
    #[arg(long)]
    format: bool,
    /// Milliseconds to wait for a reply.
    #[arg(long, default_value_t = 2000)]
    timeout_ms: u64,
}

/// A command the board refused is a `CommandFailed` error (exit 1).
pub fn run(a: UartArgs) -> Result<()> {
    // The trace is read before the port is opened: bad input loses nothing.
    let script = match &a.workload {
        Some(path) => Some((path, load_trace(path, 32)?)),
        None => None,
    };
    board_link::check_served(Path::new(&a.port))?;
    let mut link = BoardLink::open(&a.port, a.baud, Duration::from_millis(a.timeout_ms))?;
    let Some((path, ops)) = script else {
        let stdin = std::io::stdin();
        let input = if std::io::IsTerminal::is_terminal(&stdin) {
            Input::Terminal(Box::new(rustyline::DefaultEditor::new().context("cannot set up line editing")?))
        } else {
            Input::Lines(stdin.lock().lines())
        };
        return board_link::interactive(&mut link, input, std::io::stdout().lock());
    };
    let started = std::time::Instant::now();
    let mounted = link.mount(a.format).context("cannot mount the device")?;
    let file = path.display().to_string();
    let run = board_link::run_script(&mut link, &ops, &file)?;
    let s = link.status()?;
    println!(
        "{file}: {} operations, {} reads over {} ({mounted}) in {:.2} s; snapshot sequence {}, free frames {}",
        ops.len(),
        run.reads.len(),
        a.port,
        started.elapsed().as_secs_f64(),
        s.snap_seq,
        s.free_frames
    );
    println!("ERR replies: {} (refused: {})", run.errors, run.refused);
    if let Some(out) = &a.reads_out {
        write_reads(out, &run.reads)?;
    }
    Ok(())
}
