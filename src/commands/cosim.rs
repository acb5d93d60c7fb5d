//! `pmsnap cosim`: generate, Verilate and co-simulate a workload (a trace,
//! a random one, or the VM program), every answer checked.

use crate::args::{cache_dir, flag, load_trace, optional, optional_path, writable, NvmArgs, Sizing, WaveArgs};
use crate::exit::{BadInput, CheckFailed};
use crate::save_file;
use anyhow::{Context, Result};
use clap::{Args, FromArgMatches};
use pmsnap_cosim::clocked::COSIM_PERIOD_PS;
use pmsnap_cosim::harness::{parse_window, write_image, write_reads, CosimOptions, Recovered};
use pmsnap_cosim::nvm::{NvmTiming, TimingSpec};
use pmsnap_cosim::workload::RandomWorkload;
use pmsnap_cosim::{Cosim, Outcome};
use pmsnap_hdl::{Config, HostBus, NvmBus};
use std::path::{Path, PathBuf};

#[derive(Args, Clone, Debug, PartialEq, Eq)]
pub struct CosimArgs {
    #[command(flatten)]
    pub sizing: Sizing,
    /// Trace file to run (format: docs/contract.md §5). Without it, a random workload.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["ops", "seed"])]
    pub workload: Option<PathBuf>,
    /// Operations of the random workload.
    #[arg(long, default_value_t = 10_000)]
    pub ops: usize,
    /// Seed of the random workload.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Write one line per `R`: the value in hex, or ERR.
    #[arg(long, value_name = "FILE")]
    pub reads_out: Option<PathBuf>,
    /// Read every logical word through the host at the end; write them in hex, one a line.
    #[arg(long, value_name = "FILE")]
    pub dump_final: Option<PathBuf>,
    #[command(flatten)]
    pub wave: WaveArgs,
    /// Trace only cycles START:END (decimal, END excluded) into the waveform.
    #[arg(long, value_name = "START:END", requires = "waveform")]
    pub window: Option<String>,
    /// Host cache lines (direct mapped, one word a line); 0 = no cache, one request a cycle.
    #[arg(long, default_value_t = 64)]
    pub cache_lines: usize,
    /// Seed of the NVM's initial garbage and back-pressure.
    #[arg(long, default_value_t = 1)]
    pub nvm_seed: u64,
    #[command(flatten)]
    pub nvm: NvmArgs,
    /// Where Verilated models are cached [default: $PMSNAP_CACHE_DIR, else ~/.cache/pmsnap].
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Run the VM-like program for STEPS steps (after the workload, if one is
    /// given): registers saved to the state page (the last page) before
    /// each snapshot, reloaded after restores and power losses; its result
    /// must equal an uninterrupted run's.
    #[arg(long, value_name = "STEPS")]
    pub vm: Option<u64>,
    /// Steps between the VM's checkpoints (state page + SNAPSHOT).
    #[arg(long, default_value_t = 32, requires = "vm")]
    pub vm_checkpoint: u64,
    /// Chance in percent that the VM restores, and that it loses power,
    /// some steps after a checkpoint.
    #[arg(long, default_value_t = 20, requires = "vm")]
    pub vm_interrupt_percent: u64,
    /// Power loss at this cycle (repeatable), then reset and RECOVER; the
    /// recovered image must be the old or the new snapshot (I2).
    #[arg(long, value_name = "CYCLE")]
    pub crash_at: Vec<u64>,
}

impl CosimArgs {
    /// What `pmsnap cosim` makes of `args` (the words after `cosim`).
    pub fn parse_from<I: IntoIterator<Item = String>>(args: I) -> Result<CosimArgs, clap::Error> {
        let command = CosimArgs::augment_args(clap::Command::new("cosim"));
        let matches = command.try_get_matches_from(std::iter::once("cosim".to_string()).chain(args))?;
        CosimArgs::from_arg_matches(&matches)
    }

    /// The words after `cosim` that parse back into these arguments.
    pub fn to_args(&self) -> Vec<String> {
        let mut v = self.sizing.flags();
        match &self.workload {
            Some(path) => flag(&mut v, "--workload", path.display()),
            None => {
                flag(&mut v, "--ops", self.ops);
                flag(&mut v, "--seed", self.seed);
            }
        }
        optional_path(&mut v, "--reads-out", &self.reads_out);
        optional_path(&mut v, "--dump-final", &self.dump_final);
        v.extend(self.wave.flags());
        optional(&mut v, "--window", self.window.as_ref());
        flag(&mut v, "--cache-lines", self.cache_lines);
        flag(&mut v, "--nvm-seed", self.nvm_seed);
        v.extend(self.nvm.flags());
        optional_path(&mut v, "--cache-dir", &self.cache_dir);
        if let Some(steps) = self.vm {
            flag(&mut v, "--vm", steps);
            flag(&mut v, "--vm-checkpoint", self.vm_checkpoint);
            flag(&mut v, "--vm-interrupt-percent", self.vm_interrupt_percent);
        }
        for cycle in &self.crash_at {
            flag(&mut v, "--crash-at", cycle);
        }
        v
    }
}

/// A failed check is a `CheckFailed` error (exit 1), after the summary.
pub fn run(a: CosimArgs) -> Result<()> {
    let config = a.sizing.config()?;
    // Output files are checked before anything is simulated.
    a.wave.check()?;
    writable("--reads-out", &a.reads_out)?;
    writable("--dump-final", &a.dump_final)?;
    let mut opts = CosimOptions::new(config);
    a.nvm.apply(&mut opts);
    let timing = a.nvm.timing();
    opts.timing = timing.fixed();
    let (ops, source) = match &a.workload {
        None if a.vm.is_some() => (Vec::new(), format!("VM program, {} steps, seed {}", a.vm.unwrap_or(0), a.seed)),
        Some(path) => {
            let ops = load_trace(path, config.word_bits)?;
            if ops.is_empty() {
                eprintln!("pmsnap cosim: {} holds no operations: the run is RECOVER and FORMAT only", path.display());
            }
            (ops, format!("trace {}", path.display()))
        }
        None => {
            // A random run meets a stalling NVM and stray commands.
            let w = RandomWorkload { ops: a.ops, seed: a.seed, pages: config.pages, page_words: config.page_words, word_bits: config.word_bits };
            opts.timing = timing.draw(w.timing_seed());
            opts.stray_commands = Some(w.stray_seed());
            (w.generate(), format!("random, {} ops, seed {}", a.ops, a.seed))
        }
    };
    opts.window = a.window.as_deref().map(parse_window).transpose().map_err(|e| BadInput(format!("{e:#}")))?;
    opts.cache_lines = a.cache_lines;
    opts.nvm_seed = a.nvm_seed;
    opts.bus_ready_percent = a.nvm.bus_ready(a.workload.is_none());
    opts.waveform = a.wave.file();
    opts.dump_final = a.dump_final.is_some();
    opts.crash_at = a.crash_at.clone();
    if let Some(steps) = a.vm {
        if a.vm_checkpoint == 0 {
            return Err(BadInput("--vm-checkpoint: must be at least 1".into()).into());
        }
        if config.pages < 2 {
            return Err(BadInput("--vm needs at least 2 pages".into()).into());
        }
        opts.vm = Some(pmsnap_cosim::vm::VmSpec {
            steps,
            checkpoint: a.vm_checkpoint,
            seed: a.seed,
            restore_percent: a.vm_interrupt_percent,
            power_loss_percent: a.vm_interrupt_percent,
            pages: config.pages,
            page_words: config.page_words,
            word_bits: config.word_bits,
        });
    }
    opts.cache_dir = cache_dir(&a.cache_dir);
    eprintln!("pmsnap cosim: {} ({}), Verilating into {} ...", config.tag(), source, opts.cache_dir.display());
    let total = ops.len() as u64 + 2 + if opts.dump_final { config.logical_words() } else { 0 };
    // Drawn only when stderr is a terminal.
    let bar = indicatif::ProgressBar::new(total);
    bar.set_style(indicatif::ProgressStyle::with_template("{spinner} {pos}/{len} operations [{elapsed_precise}] {wide_bar}").context("progress bar template")?);
    opts.progress = Some(bar);
    let timing_used = opts.timing;
    let window = opts.window;
    let crash_at = opts.crash_at.clone();
    let outcome = Cosim::new(opts, &ops)?.run()?;
    if let Some(path) = &a.reads_out {
        write_reads(path, &outcome.reads)?;
    }
    if let Some(path) = &a.dump_final {
        write_image(path, &outcome.final_image)?;
    }
    let drawn = timing_note(&a.nvm.timing(), a.workload.is_none() && a.vm.is_none());
    let cycles = outcome.stats.cycles;
    let traced = match (a.wave.file(), window) {
        (Some((path, _)), Some((start, _))) if start >= cycles => {
            // Nothing was traced: no file is left behind.
            std::fs::remove_file(&path).ok();
            None
        }
        (file, _) => file.map(|(path, _)| path),
    };
    let save = match &traced {
        Some(path) => {
            let generated = pmsnap_hdl::generate(&config)?;
            let span = window.map_or((0, cycles), |(s, e)| (s, e.min(cycles)));
            let marks = save_file::RunMarks {
                verilog: &generated.verilog,
                top: generated.top,
                period_ps: COSIM_PERIOD_PS,
                span,
                marks: &outcome.marks,
                failure: outcome.mismatch.as_ref().map(|m| m.cycle),
            };
            Some(save_file::write(path, &marks)?)
        }
        None => None,
    };
    print_summary(&config, &source, &timing_used, &drawn, &outcome, traced.as_deref(), save.as_deref());
    if let Some(m) = &outcome.mismatch {
        return Err(CheckFailed(m.to_string()).into());
    }
    if let (Some((start, end)), None) = (window, &traced) {
        return Err(BadInput(format!("--window {start}:{end}: the run ended at cycle {cycles}, before the window starts; nothing was traced")).into());
    }
    let ignored: Vec<String> = crash_at
        .iter()
        .filter(|c| !outcome.crashes.iter().any(|r| r.cycle == **c))
        .map(|c| {
            if *c >= cycles {
                format!("{c} (the run ended at cycle {cycles})")
            } else {
                format!("{c} (before FORMAT completed at cycle {})", outcome.formatted_at)
            }
        })
        .collect();
    if !ignored.is_empty() {
        return Err(BadInput(format!(
            "--crash-at: no power loss at {}; a power loss needs a formatted device and a cycle the run reaches",
            ignored.join(", ")
        ))
        .into());
    }
    Ok(())
}

fn min_mean_max(values: impl Iterator<Item = u64> + Clone) -> String {
    let n = values.clone().count();
    if n == 0 {
        return "-".into();
    }
    let min = values.clone().min().unwrap_or(0);
    let max = values.clone().max().unwrap_or(0);
    let mean = values.sum::<u64>() as f64 / n as f64;
    format!("min {min} / mean {mean:.1} / max {max}")
}

/// How the run's NVM timing came about, for the summary.
fn timing_note(spec: &TimingSpec, random: bool) -> String {
    if random && spec.draws() {
        " (drawn from the workload seed; --nvm-* flags pin it)".into()
    } else {
        String::new()
    }
}

fn print_summary(config: &Config, source: &str, timing: &NvmTiming, drawn: &str, o: &Outcome, wave: Option<&Path>, save: Option<&Path>) {
    let s = &o.stats;
    println!("pmsnap cosim — {} — {}", config.tag(), source);
    println!("  result             {}", if o.mismatch.is_none() { "PASS: every response matched the reference model, no write lost" } else { "FAIL" });
    println!("  NVM timing         {timing}{drawn}");
    println!("  ops                {}", s.ops);
    println!("  cycles             {}", s.cycles);
    println!("  host-port requests {} ({} answered with an error), cache hits {}", s.port_requests, s.port_errors, s.cache_hits);
    match config.host_bus {
        HostBus::Native => {}
        HostBus::Axi4 => println!(
            "  host bus           axi4: {} bursts ({} beats, {:.2} a burst), {} stray bursts refused",
            s.bus_bursts,
            s.bus_beats,
            s.bus_beats as f64 / s.bus_bursts.max(1) as f64,
            s.bus_strays
        ),
        HostBus::Wishbone => println!("  host bus           wishbone: {} stray requests refused or given up", s.bus_strays),
    }
    println!("  refused            {}", s.refused);
    println!("  refused commands   {} ({} stray commands sent)", s.refused_commands, s.stray_commands);
    if s.port_requests > 0 {
        println!("  request latency    mean {:.2} / max {} cycles (accept → response)", s.port_latency_sum as f64 / s.port_requests as f64, s.port_latency_max);
    }
    println!("  COW faults         {} ({} of them took the fallback snapshot's frames)", s.cow_faults, s.fallback_releases);
    println!("  NVM reads/writes   {} / {}", s.nvm_reads, s.nvm_writes);
    if config.nvm_bus == NvmBus::Axi4 {
        println!("  NVM bus            axi4: {} bursts ({} beats)", s.nvm_bursts, s.nvm_beats);
    }
    println!("  snapshots          {} (pages hardened {})", s.snapshots.len(), s.pages_hardened);
    println!("    flush            {} cycles", min_mean_max(s.snapshots.iter().map(|c| c.flush)));
    println!("    after flush      {} cycles", min_mean_max(s.snapshots.iter().map(|c| c.after_flush)));
    println!("  restores           {}: {} cycles", s.restores.len(), min_mean_max(s.restores.iter().copied()));
    println!("  recovers           {}: {} cycles", s.recovers.len(), min_mean_max(s.recovers.iter().copied()));
    println!("  format             {} cycles", s.format_cycles);
    if s.vm_reloads > 0 && o.mismatch.is_none() {
        println!("  VM program         result equals an uninterrupted run's; registers reloaded {} times", s.vm_reloads);
    }
    println!(
        "  speed              {:.0} simulated cycles/s ({:.3} s wall{})",
        s.cycles_per_second(),
        s.wall.as_secs_f64(),
        if o.verilated { ", model Verilated this run" } else { ", cached model" }
    );
    for c in &o.crashes {
        let what = match c.recovered {
            Some(Recovered::Old) => "recovered the old snapshot",
            Some(Recovered::New) => "recovered the new snapshot",
            None => "VIOLATION",
        };
        println!("  power loss         cycle {} ({}), {} torn write(s): {what}", c.cycle, c.phase_name(), c.torn_writes);
    }
    if let Some(v) = wave {
        println!("  waveform           {}", v.display());
    }
    if let Some(s) = save {
        println!("  GTKWave save file  {} (open with: gtkwave {})", s.display(), s.display());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    /// Every flag `to_args` writes parses back to the same arguments.
    #[test]
    fn arguments_survive_a_round_trip() {
        for line in [
            "",
            "--pages 4 --page-words 4 --frames 8 --ops 7 --seed 9 --cache-lines 0 --nvm adversarial --nvm-forgets-answered 3",
            "--workload w.trace --reads-out r --dump-final d --vcd x.vcd --window 5:90 --nvm-read-latency 2 --nvm-ready-percent 40",
            "--fst x.fst --window 0:9 --ops 4",
            "--vm 300 --vm-checkpoint 5 --vm-interrupt-percent 7 --crash-at 10 --crash-at 20 --cache-dir /c --word-bits 64 --nvm-seed 4",
        ] {
            let a = CosimArgs::parse_from(words(line)).unwrap_or_else(|e| panic!("{line}: {e}"));
            let again = CosimArgs::parse_from(a.to_args()).unwrap_or_else(|e| panic!("{:?}: {e}", a.to_args()));
            assert_eq!(again, a, "{line}");
        }
    }
}
