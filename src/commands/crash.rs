//! `pmsnap crash`: a crash campaign — random workloads hit by power losses
//! at random cycles, every recovery checked; a violation comes with the
//! `pmsnap cosim` command that replays it.
//!
//! `--shard K/N` runs the K-th of N disjoint slices of the campaign, and
//! `--json FILE` writes what it found as a shard file; `pmsnap crash-merge`
//! adds shard files up to the whole campaign's report.

use super::cosim::CosimArgs;
use crate::args::{cache_dir, flag, writable, NvmArgs, Sizing, WaveArgs};
use crate::exit::CheckFailed;
use anyhow::{Context, Result};
use pmsnap_cosim::campaign::{Campaign, CampaignResult, Shard, Violation};
use pmsnap_cosim::harness::CosimOptions;
use pmsnap_hdl::{Config, HostBus, NvmBus};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

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
    /// Host bus of the controller under test: native, axi4 or wishbone (see `pmsnap generate --help`).
    #[arg(long, default_value_t = HostBus::Native, value_name = "native|axi4|wishbone")]
    host_bus: HostBus,
    /// NVM bus of the controller under test: native or axi4 (see `pmsnap generate --help`).
    #[arg(long, default_value_t = NvmBus::Native, value_name = "native|axi4")]
    nvm_bus: NvmBus,
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
    /// Run only the K-th of N disjoint slices of the campaign's runs (K from
    /// 1): the same runs, with the same seeds, that the whole campaign runs.
    /// Merge the shards' --json files with `pmsnap crash-merge`.
    #[arg(long, value_name = "K/N")]
    shard: Option<Shard>,
    /// Also write what this campaign (or shard) found to FILE as JSON, for
    /// `pmsnap crash-merge`.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
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
    let sizing = Sizing {
        pages: a.pages,
        page_words: a.page_words,
        frames: a.frames,
        word_bits: a.word_bits,
        lookup_latency: a.lookup_latency,
        host_bus: a.host_bus,
        nvm_bus: a.nvm_bus,
    };
    let config = sizing.config()?;
    a.wave.check()?;
    writable("--json", &a.json)?;
    let mut base = CosimOptions::new(config);
    base.cache_lines = a.cache_lines;
    a.nvm.apply(&mut base);
    base.bus_ready_percent = a.nvm.bus_ready(true);
    base.cache_dir = cache_dir(&a.cache_dir);
    let jobs = a.jobs.unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2));
    let timing = a.nvm.timing();
    let shard = a.shard.unwrap_or(Shard::WHOLE);
    let campaign = Campaign { base, timing, runs: a.runs, shard, seed: a.seed, ops_per_run: a.ops, crashes_per_run: a.crashes, jobs };
    let id = CampaignId::of(&a, &config);
    let slice = shard.runs(a.runs);
    let which = match a.shard {
        None => format!("{} runs", a.runs),
        Some(_) if slice.is_empty() => format!("none of {} runs (shard {shard})", a.runs),
        Some(_) => format!("runs {}–{} of {} (shard {shard})", slice.start + 1, slice.end, a.runs),
    };
    eprintln!("pmsnap crash: {} — {which} × {} ops, {} power losses each, NVM {}, seed {}, {jobs} jobs", id.tag, a.ops, a.crashes, id.nvm, a.seed);
    eprintln!("pmsnap crash: NVM timing per run: {}", id.timing);
    let bar = indicatif::ProgressBar::new(slice.len() as u64);
    let result = campaign.run(Some(&bar))?;
    bar.finish_and_clear();
    let replays = result.violations.iter().map(|v| replay(&a, &config, v)).collect::<Result<Vec<_>>>()?;
    if let Some(path) = &a.json {
        let replays = replays.iter().map(CosimArgs::to_args).collect();
        let file = ShardFile { format: ShardFile::FORMAT.into(), campaign: id.clone(), shard, result: result.clone(), replays };
        file.write(path)?;
    }
    let heading = a.shard.map(|_| format!("{which}, NVM {}, seed {}", id.nvm, a.seed));
    print_report(&id, heading, &result);
    let (Some(v), Some(replay)) = (result.violations.first(), replays.first()) else { return Ok(()) };
    if a.wave.file().is_some() {
        waveform(replay, v.cycle, &a.wave)?;
    }
    Err(violation_error(v, &replay.to_args()))
}

/// What defines a campaign, as its shard files carry it: two shards merge
/// only when these are equal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignId {
    /// The `pmsnap crash` flags that run the whole campaign (defaults
    /// spelled out).
    pub args: Vec<String>,
    pub tag: String,
    pub runs: usize,
    pub seed: u64,
    pub nvm: String,
    pub timing: String,
}

impl CampaignId {
    fn of(a: &CrashArgs, config: &Config) -> CampaignId {
        let mut args = Sizing::of(config).flags();
        flag(&mut args, "--runs", a.runs);
        flag(&mut args, "--seed", a.seed);
        flag(&mut args, "--ops", a.ops);
        flag(&mut args, "--crashes", a.crashes);
        flag(&mut args, "--cache-lines", a.cache_lines);
        args.extend(a.nvm.flags());
        CampaignId { args, tag: config.tag(), runs: a.runs, seed: a.seed, nvm: a.nvm.nvm.to_string(), timing: a.nvm.timing().describe() }
    }
}

/// A shard's findings, as `--json` writes them.
#[derive(Debug, Serialize, Deserialize)]
pub struct ShardFile {
    /// `ShardFile::FORMAT`.
    pub format: String,
    pub campaign: CampaignId,
    pub shard: Shard,
    pub result: CampaignResult,
    /// For each violation (in `result`'s order), the `pmsnap cosim`
    /// arguments that replay it.
    pub replays: Vec<Vec<String>>,
}

impl ShardFile {
    pub const FORMAT: &'static str = "pmsnap-crash-shard/1";

    fn write(&self, path: &Path) -> Result<()> {
        let text = serde_json::to_string_pretty(self).context("cannot encode the shard's results")?;
        std::fs::write(path, text + "\n").with_context(|| format!("cannot write {}", path.display()))
    }
}

/// The report on stdout: heading, the table by phase, the counters. A
/// shard names its slice in the heading (`heading`); the whole campaign and
/// merged shards print the same bytes but for the wall time.
pub fn print_report(id: &CampaignId, heading: Option<String>, result: &CampaignResult) {
    let heading = heading.unwrap_or_else(|| format!("{} runs, NVM {}, seed {}", id.runs, id.nvm, id.seed));
    println!("pmsnap crash — {} — {heading}", id.tag);
    println!("NVM timing per run: {}\n", id.timing);
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
}

/// The error (exit 1) a violation ends a campaign with: what failed, and
/// the command that replays it.
pub fn violation_error(v: &Violation, replay: &[String]) -> anyhow::Error {
    CheckFailed(format!("violation at cycle {}: {}\nreplay: {} cosim {}", v.cycle, v.message, crate::args::this_binary(), replay.join(" "))).into()
}

/// The `pmsnap cosim` arguments that run the violating case again: its
/// workload seed, NVM seed and drawn timing, its power losses.
fn replay(a: &CrashArgs, config: &Config, v: &Violation) -> Result<CosimArgs> {
    // The defaults `pmsnap cosim` has, then what this run used.
    let mut r = CosimArgs::parse_from(Vec::new()).context("cannot build the replay command")?;
    r.sizing = Sizing::of(config);
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
