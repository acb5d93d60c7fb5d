//! Crash campaigns: many random workloads, each hit by power losses at
//! random cycles — half of them inside SNAPSHOT (flush, harden, commit,
//! reclaim) — each followed by RECOVER and the checks of I1–I4.
//!
//! Each run also draws its NVM timing (latencies, back-pressure) unless the
//! campaign pins it, and sends stray commands (`harness/strays.rs`), so
//! copies, durability waits and commands all meet a stalling NVM.
//!
//! Every run is deterministic from its seeds: a dry run without power loss
//! finds where the snapshots' phases fall, then the crash run replays the
//! same workload with the chosen crash cycles. A violation carries what
//! `pmsnap cosim` needs to replay it, the timing drawn included.
//!
//! A campaign can be cut into shards (`Shard`): disjoint slices of its runs
//! that different machines run, and whose results add up (`merge`) to
//! exactly the whole campaign's, run for run.

use crate::harness::{CosimOptions, Recovered, Refused, RefusedCommands};
use crate::nvm::{NvmTiming, TimingSpec};
use crate::rng::Rng;
use crate::workload::RandomWorkload;
use crate::Cosim;
use anyhow::Result;
use pmsnap_hdl::codes::{Code, Phase, SNAPSHOT_PHASES};
use serde::{Deserialize, Serialize};
use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Clone, Debug)]
pub struct Campaign {
    /// Sizing, host and NVM settings shared by every run.
    pub base: CosimOptions,
    /// The NVM timing: pinned figures, or drawn per run.
    pub timing: TimingSpec,
    /// Runs of the whole campaign; `shard` says which of them this one does.
    pub runs: usize,
    pub shard: Shard,
    pub seed: u64,
    pub ops_per_run: usize,
    pub crashes_per_run: usize,
    pub jobs: usize,
}

/// The `index`-th (from 1) of `count` contiguous, disjoint slices of a
/// campaign's runs; together the `count` slices are every run once.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl Shard {
    /// The whole campaign, as one shard.
    pub const WHOLE: Shard = Shard { index: 1, count: 1 };

    /// The `index`-th of `count`: 1 ≤ index ≤ count.
    pub fn new(index: usize, count: usize) -> Result<Shard, String> {
        if count == 0 || index == 0 || index > count {
            return Err(format!("{index}/{count}: K must be 1 to N, and N at least 1"));
        }
        Ok(Shard { index, count })
    }

    /// The runs of this slice out of `runs`.
    pub fn runs(&self, runs: usize) -> Range<usize> {
        let bound = |k: usize| (runs as u128 * k as u128 / self.count as u128) as usize;
        bound(self.index - 1)..bound(self.index)
    }
}

impl std::str::FromStr for Shard {
    type Err = String;

    /// `K/N` with 1 ≤ K ≤ N.
    fn from_str(text: &str) -> Result<Shard, String> {
        let (k, n) = text.split_once('/').ok_or_else(|| format!("`{text}` is not K/N (e.g. 3/8)"))?;
        let number = |t: &str| t.trim().parse::<usize>().map_err(|_| format!("`{t}` in `{text}` is not a whole number"));
        Shard::new(number(k)?, number(n)?)
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// A run whose checks failed, with what replays it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Violation {
    pub workload_seed: u64,
    pub nvm_seed: u64,
    pub timing: NvmTiming,
    pub crash_at: Vec<u64>,
    pub cycle: u64,
    pub message: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignResult {
    /// Runs done (a shard's: its slice).
    pub runs: usize,
    /// Power losses injected, by phase (`codes::Phase` code).
    pub crashes: [u64; 8],
    pub recovered_old: [u64; 8],
    pub recovered_new: [u64; 8],
    /// Unanswered writes that landed anyway (adversarial mode).
    pub torn_writes: u64,
    /// Host-port requests refused in the crash runs, by reason.
    pub refused: Refused,
    pub refused_commands: RefusedCommands,
    pub stray_commands: u64,
    /// COW faults that took the fallback snapshot's frames (crash runs).
    pub fallback_releases: u64,
    pub cycles: u64,
    pub wall: Duration,
    pub violations: Vec<Violation>,
}

impl Campaign {
    /// The seeds of run `i`: (workload, NVM).
    pub fn seeds(&self, i: usize) -> (u64, u64) {
        let w = self.seed.wrapping_mul(1_000_003).wrapping_add(i as u64);
        (w, w ^ 0x5eed_a5a5)
    }

    pub fn run(&self, progress: Option<&indicatif::ProgressBar>) -> Result<CampaignResult> {
        let start = Instant::now();
        // Verilate once, before the workers share the cached model.
        crate::harness::verilated(&self.base.config, &self.base.cache_dir, None)?;
        let slice = self.shard.runs(self.runs);
        let next = AtomicUsize::new(slice.start);
        let total = Mutex::new(CampaignResult::default());
        let failure = Mutex::new(None::<anyhow::Error>);
        std::thread::scope(|scope| {
            for _ in 0..self.jobs.max(1) {
                scope.spawn(|| loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= slice.end {
                        break;
                    }
                    match self.one_run(i) {
                        Ok(r) => total.lock().expect("no worker panicked").add(r),
                        Err(e) => {
                            *failure.lock().expect("no worker panicked") = Some(e);
                            next.store(slice.end, Ordering::Relaxed);
                        }
                    }
                    if let Some(bar) = progress {
                        bar.inc(1);
                    }
                });
            }
        });
        if let Some(e) = failure.into_inner().expect("no worker panicked") {
            return Err(e);
        }
        let mut result = total.into_inner().expect("no worker panicked");
        result.sort_violations();
        result.wall = start.elapsed();
        Ok(result)
    }

    fn one_run(&self, i: usize) -> Result<CampaignResult> {
        let (workload_seed, nvm_seed) = self.seeds(i);
        let c = self.base.config;
        let random = RandomWorkload { ops: self.ops_per_run, seed: workload_seed, pages: c.pages, page_words: c.page_words, word_bits: c.word_bits };
        let workload = random.generate();
        let timing = self.timing.draw(random.timing_seed());
        let mut out = CampaignResult { runs: 1, ..Default::default() };
        let violation =
            |crash_at: &[u64], cycle: u64, message: String| Violation { workload_seed, nvm_seed, timing, crash_at: crash_at.to_vec(), cycle, message };

        let mut base = self.base.clone();
        base.timing = timing;
        base.stray_commands = Some(random.stray_seed());
        let mut dry = base.clone();
        dry.nvm_seed = nvm_seed;
        dry.record_phases = true;
        dry.progress = None;
        let d = Cosim::new(dry, &workload)?.run()?;
        out.cycles += d.stats.cycles;
        if let Some(m) = d.mismatch {
            out.violations.push(violation(&[], m.cycle, m.message));
            return Ok(out);
        }
        let crash_at = self.pick_crashes(&d.phases, d.formatted_at, d.stats.cycles, workload_seed);

        let mut run = base;
        run.nvm_seed = nvm_seed;
        run.crash_at = crash_at.clone();
        run.progress = None;
        let o = Cosim::new(run, &workload)?.run()?;
        out.cycles += o.stats.cycles;
        out.refused = o.stats.refused;
        out.refused_commands = o.stats.refused_commands;
        out.stray_commands = o.stats.stray_commands;
        out.fallback_releases = o.stats.fallback_releases;
        for crash in &o.crashes {
            let p = crash.phase as usize & 7;
            out.crashes[p] += 1;
            out.torn_writes += crash.torn_writes as u64;
            match crash.recovered {
                Some(Recovered::Old) => out.recovered_old[p] += 1,
                Some(Recovered::New) => out.recovered_new[p] += 1,
                None => {}
            }
        }
        if let Some(m) = o.mismatch {
            out.violations.push(violation(&crash_at, m.cycle, m.message));
        }
        Ok(out)
    }

    /// Crash cycles: half inside a SNAPSHOT (a phase picked evenly among
    /// flush, harden, commit and reclaim), half anywhere after FORMAT.
    fn pick_crashes(&self, phases: &[(u64, u8)], formatted_at: u64, cycles: u64, seed: u64) -> Vec<u64> {
        let mut rng = Rng::new(seed ^ 0xc4a5_11ed);
        // Intervals [start, end) of each snapshot phase.
        let mut intervals: [Vec<(u64, u64)>; SNAPSHOT_PHASES.len()] = Default::default();
        for (k, &(start, phase)) in phases.iter().enumerate() {
            let end = phases.get(k + 1).map_or(cycles, |&(s, _)| s);
            let which = SNAPSHOT_PHASES.iter().position(|p| p.code() == phase as u64);
            if let (Some(i), true) = (which, start > formatted_at && end > start) {
                intervals[i].push((start, end));
            }
        }
        let present: Vec<usize> = (0..SNAPSHOT_PHASES.len()).filter(|&i| !intervals[i].is_empty()).collect();
        let mut picks = Vec::new();
        for _ in 0..self.crashes_per_run {
            if !present.is_empty() && rng.chance(50) {
                let p = present[rng.below(present.len() as u64) as usize];
                let (a, b) = intervals[p][rng.below(intervals[p].len() as u64) as usize];
                picks.push(a + rng.below(b - a));
            } else if cycles > formatted_at + 2 {
                picks.push(formatted_at + 1 + rng.below(cycles - formatted_at - 2));
            }
        }
        picks.sort_unstable();
        picks.dedup();
        picks
    }
}

impl CampaignResult {
    /// Adds `other`'s runs (another run, or another shard) to these.
    pub fn add(&mut self, other: CampaignResult) {
        for p in 0..8 {
            self.crashes[p] += other.crashes[p];
            self.recovered_old[p] += other.recovered_old[p];
            self.recovered_new[p] += other.recovered_new[p];
        }
        self.runs += other.runs;
        self.torn_writes += other.torn_writes;
        self.refused.add(&other.refused);
        self.refused_commands.add(&other.refused_commands);
        self.stray_commands += other.stray_commands;
        self.fallback_releases += other.fallback_releases;
        self.cycles += other.cycles;
        self.wall += other.wall;
        self.violations.extend(other.violations);
    }

    /// Violations in the order of their runs' seeds, whoever found them
    /// first: the same order for a whole campaign and its merged shards.
    pub fn sort_violations(&mut self) {
        self.violations.sort_by_key(|v| (v.workload_seed, v.cycle));
    }

    /// The campaign as a Markdown table.
    pub fn table(&self) -> String {
        let mut t = String::from("| phase at power loss | crash points | recovered old | recovered new |\n|---|---:|---:|---:|\n");
        for phase in Phase::ALL {
            let (p, name) = (phase.code() as usize, phase.name());
            if self.crashes[p] > 0 || SNAPSHOT_PHASES.contains(phase) {
                t += &format!("| {name} | {} | {} | {} |\n", self.crashes[p], self.recovered_old[p], self.recovered_new[p]);
            }
        }
        let sum = |a: &[u64; 8]| a.iter().sum::<u64>();
        t += &format!("| **all** | {} | {} | {} |\n", sum(&self.crashes), sum(&self.recovered_old), sum(&self.recovered_new));
        t
    }
}

#[cfg(test)]
mod tests {
    use super::Shard;

    #[test]
    fn shards_are_disjoint_slices_that_cover_every_run_once() {
        for runs in [0, 1, 7, 100, 45_000] {
            for count in [1, 2, 3, 8, 13, 150] {
                let mut next = 0;
                for index in 1..=count {
                    let slice = Shard { index, count }.runs(runs);
                    assert_eq!(slice.start, next, "shard {index}/{count} of {runs} starts where the one before ended");
                    assert!(slice.len() <= runs / count + 1, "shard {index}/{count} of {runs}: {slice:?} is even");
                    next = slice.end;
                }
                assert_eq!(next, runs, "{count} shards of {runs} cover them all");
            }
        }
    }

    #[test]
    fn a_shard_is_written_k_of_n() {
        assert_eq!("3/8".parse::<Shard>(), Ok(Shard { index: 3, count: 8 }));
        assert_eq!(Shard { index: 3, count: 8 }.to_string(), "3/8");
        for bad in ["0/8", "9/8", "1/0", "3", "a/8", "3/8/1", "-1/8", ""] {
            assert!(bad.parse::<Shard>().is_err(), "{bad} refused");
        }
    }
}
