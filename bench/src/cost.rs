//! Suite 2: what the mechanism costs as memory grows. For L ∈ {256, 4096,
//! 65536} pages of W = 16 words and D dirty pages, exact cycle counts of
//! SNAPSHOT (by phase), RESTORE, RECOVER, a COW fault, and the host port's
//! latency and throughput without COW, at a zero-wait NVM and a PCM-like
//! one, on each NVM bus; next to a naive snapshot that copies all L·W words.

use crate::plot::{line_plot, Series};
use crate::{BenchOptions, Table};
use anyhow::{bail, Context, Result};
use pmsnap_cosim::harness::CosimOptions;
use pmsnap_cosim::nvm::NvmTiming;
use pmsnap_cosim::trace::{Op, TraceOp};
use pmsnap_cosim::{Cosim, Outcome};
use pmsnap_hdl::codes::{Code, Phase};
use pmsnap_hdl::{Config, NvmBus};

/// Words per page, fixed while L grows.
pub const PAGE_WORDS: usize = 16;
/// Host requests in each throughput stream.
const STREAM: usize = 256;

/// An NVM timing the suite runs at.
#[derive(Clone, Copy, Debug)]
pub struct Timing {
    pub name: &'static str,
    pub nvm: NvmTiming,
}

pub const TIMINGS: [Timing; 2] = [
    Timing { name: "zero-wait", nvm: NvmTiming { read_latency: 0, write_latency: 0, ready_percent: 100 } },
    // Phase-change memory: reads a few cycles, writes tens (pipelined).
    Timing { name: "PCM-like (r+4, w+40)", nvm: NvmTiming { read_latency: 4, write_latency: 40, ready_percent: 100 } },
];

/// One SNAPSHOT / RESTORE / RECOVER measurement.
#[derive(Clone, Debug, PartialEq)]
pub struct SnapshotPoint {
    pub pages: usize,
    pub timing: &'static str,
    pub dirty: usize,
    /// Cycles in each sequencer phase, by `codes::Phase` code.
    pub flush: u64,
    pub harden: u64,
    pub commit: u64,
    pub reclaim: u64,
    /// SNAPSHOT accepted → done.
    pub total: u64,
    pub restore: u64,
    pub recover: u64,
}

impl SnapshotPoint {
    /// A naive snapshot copies every word: a read and a write each on one
    /// NVM port that moves a word a cycle at best.
    pub fn naive_copy(&self) -> u64 {
        2 * (self.pages * PAGE_WORDS) as u64
    }
}

/// Host-port figures of one sizing and timing.
#[derive(Clone, Debug, PartialEq)]
pub struct PortPoint {
    pub pages: usize,
    pub timing: &'static str,
    pub nvm_bus: NvmBus,
    /// Accept → response, in cycles.
    pub read: u64,
    pub write: u64,
    pub cow_zero_fill: u64,
    pub cow_copy: u64,
    /// Requests accepted per cycle over a stream of reads / of writes.
    pub reads_per_cycle: f64,
    pub writes_per_cycle: f64,
}

fn config(pages: usize, nvm_bus: NvmBus) -> Config {
    Config { nvm_bus, ..Config::sized(pages, PAGE_WORDS, 2 * pages, 32) }
}

fn op(op: Op) -> TraceOp {
    TraceOp { op, line: 0 }
}

fn run(opts: &BenchOptions, config: Config, timing: &Timing, ops: &[TraceOp]) -> Result<Outcome> {
    let pages = config.pages;
    let mut o = CosimOptions::new(config);
    o.timing = timing.nvm;
    // No cache, and commands sent with the port quiet: the dirty pages are
    // in NVM before SNAPSHOT, so its flush phase is the handshake alone and
    // the figures are the controller's.
    o.cache_lines = 0;
    o.drain_before_commands = true;
    o.record_phases = true;
    o.record_ports = true;
    o.cache_dir = opts.cache_dir.clone();
    let out = Cosim::new(o, ops)?.run()?;
    if let Some(m) = &out.mismatch {
        bail!("L = {pages}, {}: co-simulation check failed at cycle {}: {}", timing.name, m.cycle, m.message);
    }
    Ok(out)
}

/// Cycles spent in each phase over the run.
fn phase_cycles(out: &Outcome) -> [u64; Phase::ALL.len()] {
    let mut sum = [0u64; Phase::ALL.len()];
    for w in out.phases.windows(2) {
        sum[w[0].1 as usize] += w[1].0 - w[0].0;
    }
    sum
}

/// D pages written (one word each), SNAPSHOT, RESTORE, power loss + RECOVER.
pub fn snapshot_point(opts: &BenchOptions, pages: usize, dirty: usize, timing: &Timing) -> Result<SnapshotPoint> {
    let mut ops: Vec<TraceOp> = (0..dirty).map(|p| op(Op::Write { addr: (p * PAGE_WORDS) as u64, data: p as u64 + 1 })).collect();
    ops.extend([op(Op::Snapshot), op(Op::Restore), op(Op::PowerLoss)]);
    let out = run(opts, config(pages, NvmBus::Native), timing, &ops)?;
    let s = &out.stats;
    let snap = s.snapshots.first().context("the run took no snapshot")?;
    if snap.dirty != dirty {
        bail!("L = {pages}: the snapshot saw {} dirty pages, not {dirty}", snap.dirty);
    }
    let phases = phase_cycles(&out);
    Ok(SnapshotPoint {
        pages,
        timing: timing.name,
        dirty,
        flush: phases[Phase::Flush as usize],
        harden: phases[Phase::Harden as usize],
        commit: phases[Phase::Commit as usize],
        reclaim: phases[Phase::Reclaim as usize],
        total: snap.flush + snap.after_flush,
        restore: *s.restores.first().context("no RESTORE measured")?,
        recover: *s.recovers.first().context("no RECOVER measured")?,
    })
}

/// Single requests of each kind, then a stream of reads and of writes.
pub fn port_point(opts: &BenchOptions, pages: usize, timing: &Timing, nvm_bus: NvmBus) -> Result<PortPoint> {
    let w = PAGE_WORDS as u64;
    // Each single request meets an idle NVM (a SNAPSHOT drains it; a COW
    // fault ends when its writes are durable), so in-order answers to
    // earlier requests do not inflate its latency. The plain write is
    // offered during the copying COW and waits in the host port's skid
    // buffer: its cost runs from the COW's answer.
    let mut ops = vec![
        op(Op::Write { addr: 0, data: 1 }), // page 0 never written: zero-fill COW
        op(Op::Snapshot),
        op(Op::Read { addr: 1 }), // mapped page: plain read
        op(Op::Snapshot),
        op(Op::Write { addr: 2, data: 3 }), // page 0 in the snapshot: copying COW
        op(Op::Write { addr: 1, data: 2 }), // page 0 owned now: plain write
    ];
    ops.extend((0..STREAM as u64).map(|i| op(Op::Read { addr: i % w })));
    ops.extend((0..STREAM as u64).map(|i| op(Op::Write { addr: i % w, data: i })));
    let out = run(opts, config(pages, nvm_bus), timing, &ops)?;
    let log = &out.port_log;
    if log.len() != 4 + 2 * STREAM || log.iter().any(|e| e.error) {
        bail!("L = {pages}: unexpected port log ({} requests)", log.len());
    }
    let latency = |i: usize| log[i].answered - log[i].accepted.max(if i == 0 { 0 } else { log[i - 1].answered });
    let rate = |from: usize| STREAM as f64 / (log[from + STREAM - 1].accepted - log[from].accepted + 1) as f64;
    Ok(PortPoint {
        pages,
        timing: timing.name,
        nvm_bus,
        cow_zero_fill: latency(0),
        read: latency(1),
        cow_copy: latency(2),
        write: latency(3),
        reads_per_cycle: rate(4),
        writes_per_cycle: rate(4 + STREAM),
    })
}

/// The sizes and dirty counts a run covers.
pub fn plan(quick: bool) -> (Vec<usize>, Vec<usize>) {
    if quick {
        (vec![256], vec![0, 1, 64])
    } else {
        (vec![256, 4096, 65536], vec![0, 1, 64, 1024])
    }
}

pub struct CostResult {
    pub snapshots: Vec<SnapshotPoint>,
    pub ports: Vec<PortPoint>,
}

pub fn run_suite(opts: &BenchOptions, progress: &mut dyn FnMut(&str)) -> Result<CostResult> {
    let (sizes, dirties) = plan(opts.quick);
    let mut snapshots = Vec::new();
    let mut ports = Vec::new();
    for &pages in &sizes {
        for timing in &TIMINGS {
            progress(&format!("cost: L = {pages}, {}", timing.name));
            for nvm_bus in NvmBus::ALL {
                ports.push(port_point(opts, pages, timing, nvm_bus)?);
            }
            for &d in dirties.iter().filter(|&&d| d <= pages) {
                snapshots.push(snapshot_point(opts, pages, d, timing)?);
            }
        }
    }
    Ok(CostResult { snapshots, ports })
}

impl CostResult {
    pub fn snapshot_table(&self) -> Table {
        let mut t = Table::new(
            "SNAPSHOT, RESTORE, RECOVER as memory grows (cycles, W = 16, F = 2L)",
            &["L", "NVM", "dirty D", "flush", "harden", "commit", "reclaim", "SNAPSHOT", "RESTORE", "RECOVER", "naive copy 2·L·W", "naive / SNAPSHOT"],
        );
        for p in &self.snapshots {
            t.push(vec![
                p.pages.to_string(),
                p.timing.into(),
                p.dirty.to_string(),
                p.flush.to_string(),
                p.harden.to_string(),
                p.commit.to_string(),
                p.reclaim.to_string(),
                p.total.to_string(),
                p.restore.to_string(),
                p.recover.to_string(),
                p.naive_copy().to_string(),
                format!("{:.0}×", p.naive_copy() as f64 / p.total as f64),
            ]);
        }
        t.note = "Exact simulator cycles. D pages are written (one word each, no host cache) after FORMAT, then \
                  SNAPSHOT (accepted → done; phases as `seq_phase` reports them: flush = the handshake, harden \
                  includes reading the committed record back and retiring the other slot), RESTORE, and a power \
                  loss followed by RECOVER (which reads the whole table: O(L + F)). The naive snapshot copies \
                  all L·W words, a read and a write per word on the one NVM port: 2·L·W cycles at best."
            .into();
        t
    }

    pub fn port_table(&self) -> Table {
        let mut t = Table::new(
            "Host port without and with COW (cycles, accept → response)",
            &["L", "NVM", "NVM bus", "read", "write", "COW, zero fill", "COW, copy", "reads / cycle", "writes / cycle"],
        );
        for p in &self.ports {
            t.push(vec![
                p.pages.to_string(),
                p.timing.into(),
                p.nvm_bus.to_string(),
                p.read.to_string(),
                p.write.to_string(),
                p.cow_zero_fill.to_string(),
                p.cow_copy.to_string(),
                format!("{:.3}", p.reads_per_cycle),
                format!("{:.3}", p.writes_per_cycle),
            ]);
        }
        t.note = format!(
            "Exact simulator cycles; W = {PAGE_WORDS}. Throughput: {STREAM} reads, then {STREAM} writes, to a page owned in this \
             epoch, issued one a cycle by a host without cache; requests accepted per cycle from the first to the last. \
             NVM bus axi4: the NVM behind the AXI4 manager (`--nvm-bus axi4`), R and B the NVM's latency after AR and AW·W; \
             each round trip two cycles longer (a request slot, a registered answer), the zero fill one write burst, the copy a read burst and a write burst overlapped; a read waits for every write before \
             it to be answered (B), so the read stream's first read, behind the plain write, costs the write latency once."
        );
        t
    }

    /// SNAPSHOT cycles against D, one line per L (zero-wait NVM).
    pub fn plot(&self, path: &std::path::Path) -> Result<()> {
        let timing = TIMINGS[0].name;
        let mut sizes: Vec<usize> = self.snapshots.iter().map(|p| p.pages).collect();
        sizes.dedup();
        let series: Vec<Series> = sizes
            .iter()
            .map(|&l| Series {
                label: format!("L = {l}"),
                points: self.snapshots.iter().filter(|p| p.pages == l && p.timing == timing).map(|p| (p.dirty as f64, p.total as f64)).collect(),
            })
            .collect();
        line_plot(path, "SNAPSHOT cycles against dirty pages (zero-wait NVM, W = 16)", "dirty pages D", "cycles, accept → done", &series)
    }
}
