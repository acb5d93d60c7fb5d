//! `pmsnap board-sim`: a board top co-simulated behind a pseudo-terminal,
//! bit by bit on its UART pins.

use crate::args::{board, cache_dir, WaveArgs};
use crate::exit::BadInput;
use crate::save_file;
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

#[derive(clap::Args)]
pub struct BoardSimArgs {
    /// Board top to co-simulate: ice40-hx8k or ulx3s.
    #[arg(long, value_name = "BOARD")]
    board: String,
    /// Make this path a symlink to the pseudo-terminal (replaced if it exists;
    /// removed when board-sim ends, interrupted or not).
    #[arg(long, value_name = "PATH")]
    link: PathBuf,
    /// The waveform of the whole session, at the board's clock period
    /// (closed when the simulation ends).
    #[command(flatten)]
    wave: WaveArgs,
    /// End when the line has been idle this many seconds after the first byte
    /// [default: run until interrupted].
    #[arg(long, value_name = "SECONDS")]
    idle_exit: Option<f64>,
    /// Where Verilated models are cached.
    #[arg(long, value_name = "DIR")]
    cache_dir: Option<PathBuf>,
}

/// The file beside a board-sim link that names the process serving it:
/// `pmsnap uart` refuses a link whose server is gone.
pub fn server_file(link: &Path) -> PathBuf {
    let mut name = link.as_os_str().to_owned();
    name.push(".pid");
    PathBuf::from(name)
}

/// Removes the link and its server file when dropped: on every way out.
struct LinkGuard(PathBuf);

impl Drop for LinkGuard {
    fn drop(&mut self) {
        std::fs::remove_file(&self.0).ok();
        std::fs::remove_file(server_file(&self.0)).ok();
    }
}

pub fn run(a: BoardSimArgs) -> Result<()> {
    let b = board(&a.board)?;
    let idle_exit = match a.idle_exit {
        Some(s) if !(s.is_finite() && s > 0.0) => return Err(BadInput(format!("--idle-exit: {s} is not a positive number of seconds")).into()),
        s => s.map(Duration::from_secs_f64),
    };
    a.wave.check()?;
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    ctrlc::set_handler(move || flag.store(true, Ordering::Relaxed)).context("cannot install the interrupt handler")?;
    let cache = cache_dir(&a.cache_dir);
    eprintln!("pmsnap board-sim: {} board top; Verilating into {} (a minute or so the first time, cached after) ...", b.name, cache.display());
    let wave = a.wave.file();
    let mut sim = pmsnap_cosim::board::BoardSim::new(b, &cache, wave.as_ref().map(|(p, f)| (p.as_path(), *f)))?;
    // The server file first: a link never exists without it.
    let _guard = LinkGuard(a.link.clone());
    std::fs::write(server_file(&a.link), format!("{}\n", std::process::id())).with_context(|| format!("cannot write {}", server_file(&a.link).display()))?;
    let mut pty = pmsnap_cosim::pty::Pty::open(&a.link)?;
    println!("{} board top ({}) on {} -> {}: {} baud, {} clocks a bit", b.name, b.config.tag(), a.link.display(), pty.device, b.baud, b.clocks_per_bit());
    let stats = pty.serve(&mut sim, idle_exit, &stop);
    sim.finish();
    let stats = stats?;
    if stop.load(Ordering::Relaxed) {
        eprintln!("pmsnap board-sim: interrupted; {} removed", a.link.display());
    }
    println!("{} bytes in, {} bytes out, {} cycles simulated", stats.bytes_in, stats.bytes_out, stats.cycles);
    if let Some((path, _)) = &wave {
        let generated = pmsnap_hdl::generate_board(b)?;
        let marks = save_file::RunMarks {
            verilog: &generated.verilog,
            top: generated.top,
            period_ps: b.period_ps(),
            span: (0, stats.cycles.max(1)),
            marks: &[],
            failure: None,
        };
        let save = save_file::write(path, &marks)?;
        println!("waveform {} at {} MHz ({} ps a cycle); GTKWave save file {}", path.display(), b.clock_mhz(), b.period_ps(), save.display());
    }
    Ok(())
}
