//! `pmsnap crash`: a crash campaign — random workloads hit by power losses
//! at random cycles, every recovery checked; a violation comes with the
//! `pmsnap cosim` command that replays it.

use super::cosim::CosimArgs;
use crate::args::{cache_dir, NvmArgs, Sizing, WaveArgs};
use crate::exit::CheckFailed;
use anyhow::{Context, Result};
use pmsnap_cosim::campaign::{Campaign, Violation};
use pmsnap_cosim::harness::CosimOptions;
use pmsnap_hdl::Config;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct CrashArgs {
    /// Logical pages L.
    #[arg(long, default_value_t = 16)]
    pages: usize,
    /// Words per page W.
    #[arg(long, default_value_t = 8)]
    page_words: usize,
    /// Physical frames F [default: 2·L].
    #[arg(long)]
    frames: Option<usize>,
    /// Data width in bits.
    #[arg(long, default_value_t = 32)]
    word_bits: usize,
    /// Lookup latency of the controller under test: 1 or 2 (see `pmsnap generate --help`).
    #[arg(long, default_value_t = Config::DEFAULT_LOOKUP_LATENCY, value_name = "1|2")]
    lookup_latency: usize,
    /// Runs (random workloads).
    #[arg(long, default_value_t = 100)]
    runs: usize,
    /// Campaign seed; run i uses workload seed seed·1000003 + i.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Operations per run.
    #[arg(long, default_value_t = 400)]
    ops: usize,
    /// Power losses per run (besides the workload's own `P` operations).
    #[arg(long, default_value_t = 2)]
    crashes: usize,
    /// Host cache lines (0 = no cache).
    #[arg(long, default_value_t = 16)]
    cache_lines: usize,
    #[command(flatten)]
    nvm: NvmArgs,
    /// Parallel runs [default: the machine's cores].
    #[arg(long)]
    jobs: Option<usize>,
    /// On a violation, the waveform of the cycles around it (the replay
    /// run again, traced).
    #[command(flatten)]
    wave: WaveArgs,
    /// Where Verilated models are cached.
    #[arg(long, value_name = "DIR")]
    cache_dir: Option<PathBuf>,
}

/// Cycles of waveform before a violation, and after it.
const VCD_BEFORE: u64 = 400;
const VCD_AFTER: u64 = 20;

/// A violation is a `CheckFailed` error (exit 1) naming its replay.
pub fn run(a: CrashArgs) -> Result<()> {
    let sizing = Sizing { pages: a.pages, page_words: a.page_words, frames: a.frames, word_bits: a.word_bits, lookup_latency: a.lookup_latency };
    let config = sizing.config()?;
    a.wave.check()?;
    let mut base = CosimOptions::new(config);
    base.cache_lines = a.cache_lines;
    a.nvm.apply(&mut base);
    base.cache_dir = cache_dir(&a.cache_dir);
    let jobs = a.jobs.unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2));
    let timing = a.nvm.timing();
    let campaign = Campaign { base, timing, runs: a.runs, seed: a.seed, ops_per_run: a.ops, crashes_per_run: a.crashes, jobs };
    let mode = a.nvm.nvm;
    eprintln!("pmsnap crash: {} — {} runs × {} ops, {} power losses each, NVM {mode}, seed {}, {jobs} jobs", config.tag(), a.runs, a.ops, a.crashes, a.seed);
    eprintln!("pmsnap crash: NVM timing per run: {}", timing.describe());
    let bar = indicatif::ProgressBar::new(a.runs as u64);
    let result = campaign.run(Some(&bar))?;
    bar.finish_and_clear();
    println!("pmsnap crash — {} — {} runs, NVM {mode}, seed {}", config.tag(), result.runs, a.seed);
    println!("NVM timing per run: {}\n", timing.describe());
    print!("{}", result.table());
    println!(
        "\nviolations: {}   torn writes landed: {}   simulated cycles: {}   wall: {:.1} s",
        result.violations.len(),
        result.torn_writes,
        result.cycles,
        result.wall.as_secs_f64()
    );
    println!("refused requests: {}", result.refused);
    println!("refused commands: {} ({} stray commands sent)", result.refused_commands, result.stray_commands);
    println!("fallback snapshots given up for their frames: {}", result.fallback_releases);
    let Some(v) = result.violations.first() else { return Ok(()) };
    let replay = replay(&a, &config, v)?;
    if a.wave.file().is_some() {
        waveform(&replay, v.cycle, &a.wave)?;
    }
    let command = replay.to_args().join(" ");
    Err(CheckFailed(format!("violation at cycle {}: {}\nreplay: {} cosim {command}", v.cycle, v.message, crate::args::this_binary())).into())
}

/// The `pmsnap cosim` arguments that run the violating case again: its
/// workload seed, NVM seed and drawn timing, its power losses.
fn replay(a: &CrashArgs, config: &Config, v: &Violation) -> Result<CosimArgs> {
    // The defaults `pmsnap cosim` has, then what this run used.
    let mut r = CosimArgs::parse_from(Vec::new()).context("cannot build the replay command")?;
    r.sizing = Sizing {
        pages: config.pages,
        page_words: config.page_words,
        frames: Some(config.frames),
        word_bits: config.word_bits,
        lookup_latency: config.lookup_latency,
    };
    r.cache_lines = a.cache_lines;
    r.nvm = a.nvm.pinned(&v.timing);
    r.ops = a.ops;
    r.seed = v.workload_seed;
    r.nvm_seed = v.nvm_seed;
    r.crash_at = v.crash_at.clone();
    r.cache_dir = a.cache_dir.clone();
    Ok(r)
}

/// Re-runs `replay` tracing the cycles around `cycle` into `wave`'s file.
fn waveform(replay: &CosimArgs, cycle: u64, wave: &WaveArgs) -> Result<()> {
    let mut traced = replay.clone();
    traced.wave = wave.clone();
    let path = wave.file().map(|(p, _)| p).unwrap_or_default();
    traced.window = Some(format!("{}:{}", cycle.saturating_sub(VCD_BEFORE), cycle + VCD_AFTER));
    let status = std::process::Command::new(std::env::current_exe().context("cannot find this executable")?)
        .arg("cosim")
        .args(traced.to_args())
        .stdout(std::process::Stdio::null())
        .status()
        .context("cannot re-run the violating case")?;
    eprintln!("pmsnap crash: waveform of cycles {} in {} (replay exit {status})", traced.window.unwrap_or_default(), path.display());
    Ok(())
}
