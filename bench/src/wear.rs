//! Suite 3: wear. A hot-page workload (most writes to a few pages) with a
//! snapshot every K writes: NVM word writes per frame, against the same
//! writes done in place (page p always in frame p, no remapping).

use crate::{BenchOptions, Table};
use anyhow::{bail, Result};
use pmsnap_cosim::harness::CosimOptions;
use pmsnap_cosim::rng::Rng;
use pmsnap_cosim::trace::{Op, TraceOp};
use pmsnap_cosim::Cosim;
use pmsnap_hdl::Config;

pub const CONFIG: Config = Config::sized(64, 16, 192, 32);
/// Pages that take most of the writes, and how much of them.
pub const HOT_PAGES: u64 = 4;
pub const HOT_PERCENT: u64 = 90;

#[derive(Clone, Debug, PartialEq)]
pub struct WearPoint {
    /// Snapshot every this many writes.
    pub every: usize,
    pub writes: usize,
    /// Word writes into frames (the workload's and COW copies).
    pub frame_writes: u64,
    pub frame_max: u64,
    pub frame_mean: f64,
    pub in_place_max: u64,
    pub in_place_mean: f64,
}

/// The hot-page workload: `writes` writes, a snapshot after every `every`.
pub fn workload(writes: usize, every: usize, seed: u64) -> Vec<TraceOp> {
    let mut rng = Rng::new(seed);
    let mut ops = Vec::new();
    let w = CONFIG.page_words as u64;
    for i in 0..writes {
        let page = if rng.below(100) < HOT_PERCENT { rng.below(HOT_PAGES) } else { rng.below(CONFIG.pages as u64) };
        ops.push(TraceOp { op: Op::Write { addr: page * w + rng.below(w), data: i as u64 }, line: 0 });
        if (i + 1) % every == 0 {
            ops.push(TraceOp { op: Op::Snapshot, line: 0 });
        }
    }
    ops
}

fn max_mean(counts: &[u64]) -> (u64, f64) {
    let max = counts.iter().copied().max().unwrap_or(0);
    (max, counts.iter().sum::<u64>() as f64 / counts.len().max(1) as f64)
}

pub fn wear_point(opts: &BenchOptions, writes: usize, every: usize) -> Result<WearPoint> {
    let ops = workload(writes, every, 7);
    let run = |ops: &[TraceOp]| -> Result<Vec<u32>> {
        let mut o = CosimOptions::new(CONFIG);
        o.cache_lines = 0;
        o.cache_dir = opts.cache_dir.clone();
        let out = Cosim::new(o, ops)?.run()?;
        if let Some(m) = &out.mismatch {
            bail!("wear run: check failed at cycle {}: {}", m.cycle, m.message);
        }
        Ok(out.frame_writes)
    };
    // FORMAT's own writes are the same in every run: subtract them.
    let base = run(&[])?;
    let frames: Vec<u64> = run(&ops)?.iter().zip(&base).map(|(&a, &b)| (a - b) as u64).collect();
    let mut in_place = vec![0u64; CONFIG.pages];
    for t in &ops {
        if let Op::Write { addr, .. } = t.op {
            in_place[(addr / CONFIG.page_words as u64) as usize] += 1;
        }
    }
    let (frame_max, frame_mean) = max_mean(&frames);
    let (in_place_max, in_place_mean) = max_mean(&in_place);
    Ok(WearPoint { every, writes, frame_writes: frames.iter().sum(), frame_max, frame_mean, in_place_max, in_place_mean })
}

pub fn run_suite(opts: &BenchOptions, progress: &mut dyn FnMut(&str)) -> Result<Table> {
    let (writes, periods): (usize, &[usize]) = if opts.quick { (2_000, &[64]) } else { (20_000, &[16, 64, 256, 1024]) };
    let mut t = Table::new(
        "Wear: word writes per frame under a hot-page workload",
        &[
            "snapshot every K writes",
            "frame writes",
            "max / frame",
            "mean / frame",
            "max / mean",
            "in place: max / page",
            "in place: mean",
            "in place: max / mean",
        ],
    );
    for &every in periods {
        progress(&format!("wear: {writes} writes, a snapshot every {every}"));
        let p = wear_point(opts, writes, every)?;
        t.push(vec![
            every.to_string(),
            p.frame_writes.to_string(),
            p.frame_max.to_string(),
            format!("{:.1}", p.frame_mean),
            format!("{:.1}", p.frame_max as f64 / p.frame_mean),
            p.in_place_max.to_string(),
            format!("{:.1}", p.in_place_mean),
            format!("{:.1}", p.in_place_max as f64 / p.in_place_mean),
        ]);
    }
    t.note = format!(
        "L = {}, W = {}, F = {}, no host cache; {writes} writes, {HOT_PERCENT} % of them to {HOT_PAGES} hot pages, the rest to \
         random pages, one word each. Frame writes count every NVM word write into a frame (the host's and the COW \
         engine's copies), FORMAT's excluded; in place, page p is always frame p and only the host's writes happen. \
         Means are over all F frames and all L pages.",
        CONFIG.pages, CONFIG.page_words, CONFIG.frames
    );
    Ok(t)
}
