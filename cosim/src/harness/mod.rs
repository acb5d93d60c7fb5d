//! The co-simulation: the Verilated controller, clocked cycle by cycle
//! between the host model (CPU + cache + flush handshake) and the NVM model,
//! with every response checked against the reference model.
//!
//! Two references run side by side:
//! * `port_ref` sees exactly the traffic on the host port (write-backs, fills,
//!   commands) and predicts every response, error and free-frame count;
//! * `cpu_ref` sees the CPU's operations and predicts what each CPU read
//!   returns, so a lost dirty line (a broken flush) is caught as well.

use crate::cache::Cache;
use crate::nvm::Nvm;
use crate::reference::{Reference, Refusal};
use crate::trace::{Op, TraceOp};
use crate::verilator::{self, Model, Port};
use anyhow::{Context, Result};
use pmsnap_hdl::snapshot_fsm::{OP_FORMAT, OP_RECOVER, OP_RESTORE, OP_SNAPSHOT, STATUS_BUSY, STATUS_CORRUPT, STATUS_OK, STATUS_UNFORMATTED};
use pmsnap_hdl::Config;
use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::time::Instant;

mod files;
mod options;
mod outcome;
mod recovery;

pub use files::{parse_window, render_reads, write_image, write_reads};
pub use options::CosimOptions;
pub use outcome::{Mismatch, Outcome, PortEvent, SnapshotCost, Stats};

use recovery::{AfterCorruption, Candidates};
pub use recovery::{CrashReport, Recovered, SlotTarget};

#[derive(Clone, Copy)]
struct Pins {
    clock: Port,
    seq_phase: Port,
    reset: Port,
    req_valid: Port,
    req_ready: Port,
    req_write: Port,
    req_addr: Port,
    req_wdata: Port,
    rsp_valid: Port,
    rsp_rdata: Port,
    rsp_err: Port,
    cmd_valid: Port,
    cmd_ready: Port,
    cmd_op: Port,
    cmd_done: Port,
    cmd_status: Port,
    free_frames: Port,
    cow_faults: Port,
    pages_hardened: Port,
    flush_req: Port,
    flush_ack: Port,
    mem_req_valid: Port,
    mem_req_ready: Port,
    mem_req_write: Port,
    mem_req_addr: Port,
    mem_req_wdata: Port,
    mem_rsp_valid: Port,
    mem_rsp_rdata: Port,
}

impl Pins {
    fn resolve(m: &Model) -> Result<Pins> {
        Ok(Pins {
            clock: m.port("clock")?,
            seq_phase: m.port("seq_phase")?,
            reset: m.port("reset")?,
            req_valid: m.port("req_valid")?,
            req_ready: m.port("req_ready")?,
            req_write: m.port("req_write")?,
            req_addr: m.port("req_addr")?,
            req_wdata: m.port("req_wdata")?,
            rsp_valid: m.port("rsp_valid")?,
            rsp_rdata: m.port("rsp_rdata")?,
            rsp_err: m.port("rsp_err")?,
            cmd_valid: m.port("cmd_valid")?,
            cmd_ready: m.port("cmd_ready")?,
            cmd_op: m.port("cmd_op")?,
            cmd_done: m.port("cmd_done")?,
            cmd_status: m.port("cmd_status")?,
            free_frames: m.port("free_frames")?,
            cow_faults: m.port("cow_faults")?,
            pages_hardened: m.port("pages_hardened")?,
            flush_req: m.port("flush_req")?,
            flush_ack: m.port("flush_ack")?,
            mem_req_valid: m.port("mem_req_valid")?,
            mem_req_ready: m.port("mem_req_ready")?,
            mem_req_write: m.port("mem_req_write")?,
            mem_req_addr: m.port("mem_req_addr")?,
            mem_req_wdata: m.port("mem_req_wdata")?,
            mem_rsp_valid: m.port("mem_rsp_valid")?,
            mem_rsp_rdata: m.port("mem_rsp_rdata")?,
        })
    }
}

/// Why the host issued a port request, and what to do with its answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Purpose {
    /// A CPU read that goes to memory (miss, uncached, or no cache).
    CpuRead { fill: bool, final_dump: bool },
    CpuWrite,
    WriteBack,
}

#[derive(Clone, Copy, Debug)]
struct PortRequest {
    write: bool,
    addr: u64,
    data: u64,
    purpose: Purpose,
    /// The port reference's answer, decided when the request was queued.
    expected: Result<u64, Refusal>,
    /// The reference counts a COW fault for it.
    cow_fault: bool,
    issued_at: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CpuOp {
    Trace(Op),
    Recover,
    Format,
    FinalRead(u64),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Wait {
    Nothing,
    Read,
    Command,
}

struct Command {
    op: u64,
    /// The status the reference model predicts.
    expect: u64,
    accepted_at: Option<u64>,
    flushed_at: Option<u64>,
    dirty: usize,
    /// With `busy_probe`: a RESTORE sent while this SNAPSHOT runs, which
    /// must be answered `busy` and change nothing.
    probe: Probe,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Probe {
    Off,
    Due,
    Sent,
    Answered,
}

pub struct Cosim {
    opts: CosimOptions,
    model: Model,
    pins: Pins,
    nvm: Nvm,
    cache: Cache,
    port_ref: Reference,
    cpu_ref: Reference,
    program: Vec<CpuOp>,
    next_op: usize,
    wait: Wait,
    queue: VecDeque<PortRequest>,
    inflight: VecDeque<PortRequest>,
    command: Option<Command>,
    flushing: bool,
    flush_acked: bool,
    flush_ack_now: bool,
    cycle: u64,
    last_progress: u64,
    /// Cycles of reset still to apply (power loss).
    reset_cycles: u64,
    formatted: bool,
    cow_faults_before: u64,
    hardened_before: u64,
    faults_since_reset: u64,
    /// Sequence number of the committed snapshot, as the host knows it.
    committed_seq: u64,
    /// The snapshot before it (the fallback), when it has one.
    previous_image: Option<Vec<u64>>,
    after_corruption: Option<AfterCorruption>,
    corruptions_done: usize,
    vm: Option<crate::vm::VmProgram>,
    /// Reads the VM has been given.
    vm_seen: usize,
    final_queued: bool,
    port_log: Vec<PortEvent>,
    crashes: Vec<CrashReport>,
    /// After a power loss: the images RECOVER may legally produce.
    pending_recovery: Option<Candidates>,
    phases: Vec<(u64, u8)>,
    formatted_at: u64,
    stats: Stats,
    reads: Vec<Option<u64>>,
    final_image: Vec<u64>,
    mismatch: Option<Mismatch>,
    verilated: bool,
    tracing: bool,
}

/// The Verilated controller for `config`: generated and built (or found in
/// the cache) once per process, since campaigns start thousands of runs.
pub(crate) fn verilated(config: &Config, cache_dir: &Path, trace: bool) -> Result<verilator::Build> {
    type Built = (Config, PathBuf, bool, verilator::Build);
    static BUILT: std::sync::Mutex<Vec<Built>> = std::sync::Mutex::new(Vec::new());
    let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((.., b)) = built.iter().find(|(c, d, t, b)| c == config && d == cache_dir && *t == trace && b.library.exists()) {
        return Ok(verilator::Build { compiled: false, ..b.clone() });
    }
    let generated = pmsnap_hdl::generate(config)?;
    let build = verilator::build(&generated.verilog, generated.top, cache_dir, trace).context("cannot Verilate the controller")?;
    built.push((*config, cache_dir.to_path_buf(), trace, build.clone()));
    Ok(build)
}

/// Reset cycles applied at a power loss.
const RESET_CYCLES: u64 = 3;

fn op_name(op: u64) -> &'static str {
    match op {
        OP_SNAPSHOT => "SNAPSHOT",
        OP_RESTORE => "RESTORE",
        OP_RECOVER => "RECOVER",
        OP_FORMAT => "FORMAT",
        _ => "?",
    }
}

fn show(r: Result<u64, Refusal>) -> String {
    match r {
        Ok(v) => format!("{v:#x}"),
        Err(Refusal::OutOfRange) => "an error (address out of range)".into(),
        Err(Refusal::NoFrames) => "an error (no free frame)".into(),
        Err(Refusal::Unmounted) => "an error (no device mounted)".into(),
    }
}

impl Cosim {
    /// Generates the Verilog of `opts.config`, Verilates it (or reuses the
    /// cached build) and loads it.
    pub fn new(opts: CosimOptions, workload: &[TraceOp]) -> Result<Cosim> {
        let build = verilated(&opts.config, &opts.cache_dir, opts.vcd.is_some())?;
        let mut model = Model::load(&build)?;
        let pins = Pins::resolve(&model)?;
        let c = opts.config;
        let mut nvm = Nvm::new(c.layout(), c.word_bits, opts.timing, opts.nvm_seed);
        nvm.forget_answered = opts.nvm_forgets_answered;
        let mut program = if opts.skip_format { vec![CpuOp::Recover] } else { vec![CpuOp::Recover, CpuOp::Format] };
        program.extend(workload.iter().map(|t| CpuOp::Trace(t.op)));
        let final_queued = opts.dump_final && opts.vm.is_none();
        if final_queued {
            program.extend((0..c.logical_words()).map(CpuOp::FinalRead));
        }
        let tracing = match (&opts.vcd, opts.window) {
            (Some(path), None) | (Some(path), Some((0, _))) => {
                model.trace_open(path)?;
                true
            }
            _ => false,
        };
        Ok(Cosim {
            model,
            pins,
            nvm,
            cache: Cache::new(opts.cache_lines),
            port_ref: Reference::new(c.pages, c.page_words, c.word_bits, Some(c.frames)),
            cpu_ref: Reference::new(c.pages, c.page_words, c.word_bits, None),
            program,
            next_op: 0,
            wait: Wait::Nothing,
            queue: VecDeque::new(),
            inflight: VecDeque::new(),
            command: None,
            flushing: false,
            flush_acked: false,
            flush_ack_now: false,
            cycle: 0,
            last_progress: 0,
            reset_cycles: 0,
            formatted: false,
            cow_faults_before: 0,
            hardened_before: 0,
            faults_since_reset: 0,
            committed_seq: 0,
            previous_image: None,
            after_corruption: None,
            corruptions_done: 0,
            vm: opts.vm.map(crate::vm::VmProgram::new),
            vm_seen: 0,
            final_queued,
            port_log: Vec::new(),
            crashes: Vec::new(),
            pending_recovery: None,
            phases: Vec::new(),
            formatted_at: 0,
            stats: Stats { ops: workload.len(), ..Stats::default() },
            reads: Vec::new(),
            final_image: Vec::new(),
            mismatch: None,
            verilated: build.compiled,
            tracing,
            opts,
        })
    }

    fn fail(&mut self, message: String) {
        if self.mismatch.is_none() {
            self.mismatch = Some(Mismatch { cycle: self.cycle, message });
        }
    }

    /// Runs the whole program; returns what happened.
    pub fn run(mut self) -> Result<Outcome> {
        let start = Instant::now();
        self.reset(2);
        while self.mismatch.is_none() && !self.finished() {
            self.cpu_step();
            self.clock_cycle()?;
            if self.cycle.is_multiple_of(65_536) {
                if let Some(bar) = &self.opts.progress {
                    bar.set_position(self.next_op as u64);
                }
            }
            if self.cycle - self.last_progress > self.opts.stall_limit {
                let m = format!(
                    "no progress for {} cycles (op {} of {}, waiting for {:?}, {} queued, {} in flight)",
                    self.opts.stall_limit,
                    self.next_op,
                    self.program.len(),
                    self.wait,
                    self.queue.len(),
                    self.inflight.len()
                );
                self.fail(m);
            }
        }
        if let (None, Some(vm)) = (&self.mismatch, &self.vm) {
            let (acc, memory) = crate::vm::expected(vm.spec());
            let data = vm.data_words() as usize;
            if vm.acc() != acc {
                self.fail(format!("VM: final acc {:#x}, an uninterrupted run ends with {acc:#x}", vm.acc()));
            } else if let Some(i) = (0..data).find(|&i| self.final_image.get(i) != memory.get(i)) {
                self.fail(format!("VM: word {i:#x} of the result is {:#x}, an uninterrupted run leaves {:#x}", self.final_image.get(i).copied().unwrap_or(0), memory[i]));
            }
        }
        if self.mismatch.is_none() {
            // Reset clears the counter: compare what was sent since.
            let faults = self.pins.cow_faults.get();
            if faults != self.faults_since_reset {
                self.fail(format!("the cow_faults counter reads {faults}, the reference counted {}", self.faults_since_reset));
            }
        }
        self.stats.vm_reloads = self.vm.as_ref().map_or(0, |vm| vm.reloads);
        self.stats.wall = start.elapsed();
        self.stats.cycles = self.cycle;
        self.stats.cow_faults = self.cow_faults_before + self.pins.cow_faults.get();
        self.stats.pages_hardened = self.hardened_before + self.pins.pages_hardened.get();
        self.stats.nvm_reads = self.nvm.reads;
        self.stats.nvm_writes = self.nvm.writes;
        self.model.trace_close();
        if let Some(bar) = &self.opts.progress {
            bar.finish_and_clear();
        }
        Ok(Outcome { crashes: self.crashes, phases: self.phases, formatted_at: self.formatted_at, port_log: self.port_log, stats: self.stats, reads: self.reads, final_image: self.final_image, mismatch: self.mismatch, verilated: self.verilated, frame_writes: std::mem::take(&mut self.nvm.frame_writes) })
    }

    fn finished(&self) -> bool {
        self.vm.as_ref().is_none_or(|vm| vm.finished() && self.final_queued)
            && self.next_op == self.program.len() && self.wait == Wait::Nothing && self.queue.is_empty() && self.inflight.is_empty() && self.command.is_none()
    }

    fn reset(&mut self, cycles: u64) {
        self.pins.reset.set(1);
        for _ in 0..cycles {
            self.pins.clock.set(0);
            self.model.eval();
            self.pins.clock.set(1);
            self.model.eval();
        }
        self.pins.reset.set(0);
    }

    /// Queues a port request, deciding its expected answer now: the port is
    /// in order, so the reference sees requests in the order they are sent.
    fn enqueue(&mut self, write: bool, addr: u64, data: u64, purpose: Purpose) -> Result<u64, Refusal> {
        let faults = self.port_ref.cow_faults;
        let expected = if write { self.port_ref.write(addr, data).map(|()| 0) } else { self.port_ref.read(addr) };
        let cow_fault = self.port_ref.cow_faults != faults;
        self.queue.push_back(PortRequest { write, addr, data, purpose, expected, cow_fault, issued_at: 0 });
        expected
    }

    fn write_back(&mut self, addr: u64, data: u64) {
        if self.enqueue(true, addr, data, Purpose::WriteBack).is_err() {
            // No frame for it: the data is lost, memory keeps the old word.
            self.cache.invalidate(addr);
            if !self.cache.is_dirty(addr) {
                let kept = self.port_ref.read(addr).unwrap_or(0);
                let _ = self.cpu_ref.write(addr, kept);
            }
        }
    }

    fn port_quiet(&self) -> bool {
        self.queue.is_empty() && self.inflight.is_empty()
    }

    /// The CPU: one operation a cycle, unless it waits.
    /// Asks the VM program for its next operations once the CPU has run
    /// everything it had and every read is back; at its end, reads the
    /// whole image to check the result.
    fn feed_vm(&mut self) {
        if self.next_op < self.program.len() || self.wait != Wait::Nothing || !self.port_quiet() || self.command.is_some() {
            return;
        }
        let Some(vm) = self.vm.as_mut() else { return };
        if vm.finished() {
            if !self.final_queued {
                self.final_queued = true;
                let words = self.port_ref.logical_words();
                self.program.extend((0..words).map(CpuOp::FinalRead));
            }
            return;
        }
        let ops = vm.next(&self.reads[self.vm_seen..]);
        self.vm_seen = self.reads.len();
        self.program.extend(ops.into_iter().map(CpuOp::Trace));
    }

    fn cpu_step(&mut self) {
        if self.vm.is_some() {
            self.feed_vm();
        }
        if self.reset_cycles > 0 || self.wait != Wait::Nothing || self.next_op == self.program.len() {
            return;
        }
        let op = self.program[self.next_op];
        let in_range = |a: u64| a < self.port_ref.logical_words();
        match op {
            CpuOp::Trace(Op::Read { addr }) | CpuOp::FinalRead(addr) => {
                let final_dump = matches!(op, CpuOp::FinalRead(_));
                if self.cache.enabled() && in_range(addr) {
                    if let Some(data) = self.cache.lookup(addr) {
                        self.stats.cache_hits += 1;
                        let want = self.cpu_ref.read(addr);
                        self.deliver_read(Ok(data), want, addr, final_dump);
                    } else {
                        let _ = self.enqueue(false, addr, 0, Purpose::CpuRead { fill: true, final_dump });
                        self.wait = Wait::Read;
                    }
                } else {
                    let _ = self.enqueue(false, addr, 0, Purpose::CpuRead { fill: false, final_dump });
                    if self.cache.enabled() {
                        self.wait = Wait::Read;
                    }
                }
            }
            CpuOp::Trace(Op::Write { addr, data }) => {
                if self.cache.enabled() && in_range(addr) {
                    let _ = self.cpu_ref.write(addr, data);
                    if let Some((va, vd)) = self.cache.write(addr, data) {
                        self.write_back(va, vd);
                    }
                } else if self.enqueue(true, addr, data, Purpose::CpuWrite).is_ok() {
                    let _ = self.cpu_ref.write(addr, data);
                }
            }
            CpuOp::Trace(Op::Snapshot) => {
                if !self.port_quiet() {
                    return;
                }
                self.start_command(OP_SNAPSHOT);
            }
            CpuOp::Trace(Op::Restore) => {
                self.cache.invalidate_all();
                if !self.port_quiet() {
                    return;
                }
                self.start_command(OP_RESTORE);
            }
            CpuOp::Trace(Op::PowerLoss) => {
                // At an operation boundary with the port quiet every NVM
                // write has been answered; what is lost is the cache and the
                // controller's on-chip state.
                self.cache.invalidate_all();
                if self.port_quiet() {
                    self.next_op += 1;
                    self.power_fail();
                }
                return;
            }
            CpuOp::Recover => self.start_command(OP_RECOVER),
            CpuOp::Format => self.start_command(OP_FORMAT),
        }
        self.next_op += 1;
    }

    fn start_command(&mut self, op: u64) {
        // The device starts as garbage: the first RECOVER finds no valid
        // commit record; every later one finds the last snapshot.
        let expect = if op == OP_RECOVER && !self.formatted {
            STATUS_UNFORMATTED
        } else if op == OP_RECOVER && matches!(self.after_corruption, Some(AfterCorruption { seq: None, .. })) {
            STATUS_CORRUPT
        } else if (op == OP_SNAPSHOT || op == OP_RESTORE) && !self.port_ref.mounted {
            STATUS_UNFORMATTED
        } else if op == OP_SNAPSHOT && matches!(&self.after_corruption, Some(a) if a.seq != Some(self.committed_seq) && !a.table_only) {
            // SNAPSHOT reads the committed record back first: damaged, it
            // refuses to build on it.
            STATUS_CORRUPT
        } else {
            STATUS_OK
        };
        if op == OP_FORMAT {
            self.nvm.erasing = true;
        }
        let probe = if op == OP_SNAPSHOT && self.opts.busy_probe { Probe::Due } else { Probe::Off };
        self.command = Some(Command { op, expect, accepted_at: None, flushed_at: None, dirty: self.port_ref.dirty_pages(), probe });
        self.wait = Wait::Command;
    }

    fn deliver_read(&mut self, got: Result<u64, Refusal>, want: Result<u64, Refusal>, addr: u64, final_dump: bool) {
        if got.is_ok() != want.is_ok() || (got.is_ok() && got != want) {
            self.fail(format!("CPU read of {addr:#x} returned {}, the reference model expects {}", show(got), show(want)));
        }
        if final_dump {
            self.final_image.push(got.unwrap_or(0));
        } else {
            self.reads.push(got.ok());
        }
    }

    fn trace_window(&mut self) {
        let (Some(path), Some((start, end))) = (self.opts.vcd.clone(), self.opts.window) else { return };
        if self.cycle == start && start > 0 {
            if let Err(e) = self.model.trace_open(&path) {
                self.fail(format!("{e:#}"));
            }
            self.tracing = true;
        }
        if self.cycle == end && self.tracing {
            self.model.trace_close();
            self.tracing = false;
        }
    }

    /// One clock cycle: drive inputs, settle, observe, rising edge.
    fn clock_cycle(&mut self) -> Result<()> {
        if let Some(&(at, target)) = self.opts.corrupt_at.get(self.corruptions_done) {
            if self.cycle >= at && self.formatted && self.command.is_none() && self.nvm.idle() && self.reset_cycles == 0 {
                self.corrupt(target);
                self.corruptions_done += 1;
            }
        }
        if self.formatted && self.opts.crash_at.contains(&self.cycle) {
            self.power_fail();
        }
        let p = self.pins;
        let cycle = self.cycle;
        if self.opts.record_phases {
            let phase = p.seq_phase.get() as u8;
            if self.phases.last().map(|&(_, ph)| ph) != Some(phase) {
                self.phases.push((cycle, phase));
            }
        }
        self.trace_window();
        p.clock.set(0);
        let in_reset = self.reset_cycles > 0;
        p.reset.set(in_reset as u64);
        if in_reset {
            self.reset_cycles -= 1;
            self.last_progress = self.cycle;
        }
        // Host port.
        match self.queue.front() {
            Some(r) => {
                p.req_valid.set(1);
                p.req_write.set(r.write as u64);
                p.req_addr.set(r.addr);
                p.req_wdata.set(r.data);
            }
            None => p.req_valid.set(0),
        }
        // Command port.
        match &self.command {
            Some(c) if c.accepted_at.is_none() => {
                p.cmd_valid.set(1);
                p.cmd_op.set(c.op);
            }
            Some(c) if c.probe == Probe::Due => {
                p.cmd_valid.set(1);
                p.cmd_op.set(OP_RESTORE);
            }
            _ => p.cmd_valid.set(0),
        }
        p.flush_ack.set(self.flush_ack_now as u64);
        // NVM.
        p.mem_req_ready.set(self.nvm.ready() as u64);
        let response = self.nvm.response(cycle);
        p.mem_rsp_valid.set(response.is_some() as u64);
        p.mem_rsp_rdata.set(response.unwrap_or(0));
        self.model.eval();
        if self.tracing {
            self.model.trace_dump(cycle * 10);
        }

        // Observe (nothing while in reset: the controller's outputs still
        // show the state it is losing).
        if in_reset {
            self.pins.clock.set(1);
            self.model.eval();
            if self.tracing {
                self.model.trace_dump(cycle * 10 + 5);
            }
            self.cycle += 1;
            return Ok(());
        }
        let p = self.pins;
        let mut progress = false;
        if response.is_some() {
            self.nvm.retire();
        }
        if p.mem_req_valid.get() == 1 && p.mem_req_ready.get() == 1 {
            let (w, a, d) = (p.mem_req_write.get() == 1, p.mem_req_addr.get(), p.mem_req_wdata.get());
            if let Err(fault) = self.nvm.accept(cycle, w, a, d) {
                self.fail(fault.0);
            }
            progress = true;
        }
        let req_fire = p.req_valid.get() == 1 && p.req_ready.get() == 1;
        let rsp = (p.rsp_valid.get() == 1).then(|| (p.rsp_err.get() == 1, p.rsp_rdata.get()));
        let cmd_fire = p.cmd_valid.get() == 1 && p.cmd_ready.get() == 1;
        let done = (p.cmd_done.get() == 1).then(|| (p.cmd_status.get(), p.free_frames.get()));
        let flush_req = p.flush_req.get() == 1;
        if req_fire {
            let mut r = self.queue.pop_front().expect("req_valid was driven from the queue");
            r.issued_at = cycle;
            self.faults_since_reset += r.cow_fault as u64;
            self.inflight.push_back(r);
            self.stats.port_requests += 1;
            progress = true;
        }
        if let Some((err, rdata)) = rsp {
            progress = true;
            self.on_response(err, rdata);
        }
        if cmd_fire {
            if let Some(c) = self.command.as_mut() {
                if c.accepted_at.is_none() {
                    c.accepted_at = Some(cycle);
                } else {
                    c.probe = Probe::Sent;
                }
            }
            progress = true;
        }
        if let Some((status, free)) = done {
            progress = true;
            self.on_done(status, free);
        }
        // Flush handshake: write back every dirty line, wait for the answers,
        // then pulse flush_ack for one cycle.
        if self.flush_ack_now {
            self.flush_ack_now = false;
            self.flush_acked = true;
            if let Some(c) = self.command.as_mut() {
                c.flushed_at = Some(cycle);
            }
        } else if flush_req && !self.flushing && !self.flush_acked {
            self.flushing = true;
            let dirty = self.cache.take_dirty();
            if !self.opts.broken_flush {
                for (a, d) in dirty {
                    self.write_back(a, d);
                }
            }
        } else if self.flushing && self.port_quiet() {
            self.flushing = false;
            self.flush_ack_now = true;
        }
        if !flush_req {
            self.flush_acked = false;
        }

        // Rising edge.
        self.pins.clock.set(1);
        self.model.eval();
        if self.tracing {
            self.model.trace_dump(cycle * 10 + 5);
        }
        self.cycle += 1;
        if progress {
            self.last_progress = self.cycle;
        }
        Ok(())
    }

    fn on_response(&mut self, err: bool, rdata: u64) {
        let Some(r) = self.inflight.pop_front() else {
            self.fail("host port answered with nothing outstanding".into());
            return;
        };
        let latency = self.cycle - r.issued_at;
        if self.opts.record_ports {
            self.port_log.push(PortEvent { write: r.write, addr: r.addr, accepted: r.issued_at, answered: self.cycle, error: err });
        }
        self.stats.port_latency_sum += latency;
        self.stats.port_latency_max = self.stats.port_latency_max.max(latency);
        let got = if err { Err(()) } else { Ok(if r.write { 0 } else { rdata }) };
        let agrees = match (got, r.expected) {
            (Ok(g), Ok(e)) => r.write || g == e,
            (Err(()), Err(_)) => true,
            _ => false,
        };
        if err {
            self.stats.port_errors += 1;
        }
        if !agrees {
            let what = if r.write { format!("write of {:#x} to {:#x}", r.data, r.addr) } else { format!("read of {:#x}", r.addr) };
            let got = if err { "an error".to_string() } else if r.write { "ok".into() } else { format!("{rdata:#x}") };
            self.fail(format!("host port: {what} answered {got}, the reference model expects {}", show(r.expected)));
            return;
        }
        if let Purpose::CpuRead { fill, final_dump } = r.purpose {
            let got = if err { Err(Refusal::OutOfRange) } else { Ok(rdata) };
            if fill {
                if let Some((va, vd)) = self.cache.fill(r.addr, rdata) {
                    self.write_back(va, vd);
                }
            }
            // With a cache the CPU waited for this read, so the CPU view is
            // current (write-backs queued before it may have failed and
            // changed it). Without one the CPU ran ahead, and the port
            // reference's answer, fixed when the read was sent, is the view.
            let want = if self.cache.enabled() { self.cpu_ref.read(r.addr) } else { r.expected };
            self.deliver_read(got, want, r.addr, final_dump);
            if self.cache.enabled() {
                self.wait = Wait::Nothing;
            }
        }
    }

    fn on_done(&mut self, status: u64, free: u64) {
        if let Some(c) = self.command.as_mut().filter(|c| c.probe == Probe::Sent) {
            c.probe = Probe::Answered;
            self.stats.busy_answers += 1;
            if status != STATUS_BUSY {
                self.fail(format!("RESTORE sent during a SNAPSHOT answered status {status}, expected {STATUS_BUSY} (busy)"));
            }
            return;
        }
        let Some(c) = self.command.take() else {
            self.fail("cmd_done pulsed with no command outstanding".into());
            return;
        };
        self.wait = Wait::Nothing;
        let Some(accepted) = c.accepted_at else {
            self.fail(format!("cmd_done for {} before it was accepted", op_name(c.op)));
            return;
        };
        let expected = c.expect;
        if status != expected {
            self.fail(format!("{} answered status {status}, expected {expected}", op_name(c.op)));
            return;
        }
        let cost = self.cycle - accepted;
        if expected != STATUS_OK && c.op != OP_RECOVER {
            return;
        }
        match c.op {
            OP_SNAPSHOT => {
                self.committed_seq += 1;
                // Only runs that damage records need the fallback's image.
                if !self.opts.corrupt_at.is_empty() {
                    self.previous_image = Some(self.port_ref.snapshot_image());
                }
                // A damaged fallback record was in the slot just rewritten.
                self.after_corruption = None;
                let flushed = c.flushed_at.unwrap_or(accepted);
                self.stats.snapshots.push(SnapshotCost { dirty: c.dirty, flush: flushed - accepted, after_flush: self.cycle - flushed });
                self.port_ref.snapshot();
                self.cpu_ref.snapshot();
            }
            OP_RESTORE => {
                self.stats.restores.push(cost);
                self.port_ref.restore();
                self.cpu_ref.restore();
            }
            OP_RECOVER if expected == STATUS_CORRUPT => {
                // Nothing valid is left: the host formats the device again.
                self.port_ref.mounted = false;
                self.cpu_ref.mounted = false;
                self.after_corruption = None;
                self.pending_recovery = None;
                self.formatted = false;
                self.previous_image = None;
                self.program.insert(self.next_op, CpuOp::Format);
            }
            OP_RECOVER => {
                if expected == STATUS_OK {
                    self.stats.recovers.push(cost);
                }
                if let Some(candidates) = self.pending_recovery.take() {
                    self.check_recovery(candidates);
                }
            }
            OP_FORMAT => {
                self.nvm.erasing = false;
                self.formatted = true;
                self.formatted_at = self.cycle;
                self.committed_seq = 1;
                self.previous_image = None;
                self.stats.format_cycles = cost;
                self.port_ref.format();
                self.cpu_ref.format();
            }
            _ => {}
        }
        if expected == STATUS_OK {
            let want = self.port_ref.free_frames().unwrap_or(0) as u64;
            if free != want {
                self.fail(format!("I4: after {} free_frames is {free}, the reference counts {want}", op_name(c.op)));
            }
        }
    }
}
