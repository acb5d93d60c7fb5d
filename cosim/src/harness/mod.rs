//! The co-simulation: the Verilated controller, clocked cycle by cycle
//! between the host model (CPU + cache + flush handshake) and the NVM model,
//! with every response checked against the reference model.
//!
//! Two references run side by side:
//! * `port_ref` sees exactly the traffic on the host port (write-backs, fills,
//!   commands) and predicts every response, error and free-frame count;
//! * `cpu_ref` sees the CPU's operations and predicts what each CPU read
//!   returns, so a lost dirty line (a broken flush) is caught as well.
//!
//! The order the port reference follows is the controller's documented one:
//! requests and commands are ordered by the clock edge that accepts them; a
//! request accepted at or before a command's edge comes before it. While a
//! command runs the controller accepts no request, except during SNAPSHOT's
//! flush handshake (`flush_req` high), and those belong to the snapshot. A
//! request accepted at any other time while a command runs fails the run.
//!
//! A write the CPU performed must read back until a RESTORE or a power loss
//! says otherwise: a write-back the controller refuses is data loss and
//! fails the run. The CPU sees refusals only of its uncached accesses.

use crate::cache::Cache;
use crate::nvm::Nvm;
use crate::reference::{Reference, Refusal};
use crate::trace::{Op, TraceOp};
use crate::verilator::{self, Model, Port};
use anyhow::{Context, Result};
use pmsnap_hdl::codes::{op_name, CmdOp, Status};
use pmsnap_hdl::Config;
use scoreboard::nvm_rules::{in_slots, NvmRequest, NvmRules};
use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::time::Instant;

mod files;
mod options;
mod outcome;
mod recovery;
mod scoreboard;
mod strays;

pub use files::{parse_window, render_reads, write_image, write_reads};
pub use options::CosimOptions;
pub use outcome::{Mismatch, Outcome, PortEvent, Refused, RefusedCommands, SnapshotCost, Stats};

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
    fallback_held: Port,
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
    /// The model's ports, which must be exactly those of spec §3
    /// (`pmsnap_hdl::ports::TOP_PORTS`) at `word_bits`.
    fn resolve(m: &Model, word_bits: usize) -> Result<Pins> {
        for p in &pmsnap_hdl::ports::TOP_PORTS {
            let bits = m.port(p.name)?.bits() as usize;
            anyhow::ensure!(bits == p.width.bits(word_bits), "the model's port `{}` has {bits} bits, not {}", p.name, p.width.bits(word_bits));
        }
        anyhow::ensure!(m.port_count() == pmsnap_hdl::ports::TOP_PORTS.len(), "the model has ports spec §3 does not name");
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
            fallback_held: m.port("fallback_held")?,
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
    CpuRead {
        fill: bool,
        final_dump: bool,
    },
    CpuWrite,
    WriteBack,
}

/// A host-port request, queued until the controller accepts it.
#[derive(Clone, Copy, Debug)]
struct Queued {
    write: bool,
    addr: u64,
    data: u64,
    purpose: Purpose,
}

/// An accepted request, awaiting its response.
#[derive(Clone, Copy, Debug)]
struct PortRequest {
    req: Queued,
    /// The port reference's answer, decided when the request was accepted.
    expected: Result<u64, Refusal>,
    issued_at: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CpuOp {
    Trace(Op),
    /// A controller command (RECOVER, FORMAT, or one that must be refused).
    Command(u64),
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
    /// With `busy_probe`: a RESTORE was sent while it ran.
    probed: bool,
}

pub struct Cosim {
    opts: CosimOptions,
    model: Model,
    pins: Pins,
    nvm: Nvm,
    rules: NvmRules,
    cache: Cache,
    port_ref: Reference,
    cpu_ref: Reference,
    program: Vec<CpuOp>,
    next_op: usize,
    wait: Wait,
    queue: VecDeque<Queued>,
    inflight: VecDeque<PortRequest>,
    command: Option<Command>,
    /// A command sent besides the CPU's, which must be refused.
    stray: Option<strays::Stray>,
    /// Draws when to send stray commands (`CosimOptions::stray_commands`).
    stray_rng: Option<crate::rng::Rng>,
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

// The codes the harness sends and expects, by name (`pmsnap_hdl::codes`).
const OP_SNAPSHOT: u64 = CmdOp::Snapshot as u64;
const OP_RESTORE: u64 = CmdOp::Restore as u64;
const OP_RECOVER: u64 = CmdOp::Recover as u64;
const OP_FORMAT: u64 = CmdOp::Format as u64;
const STATUS_OK: u64 = Status::Ok as u64;
const STATUS_BUSY: u64 = Status::Busy as u64;
const STATUS_UNFORMATTED: u64 = Status::Unformatted as u64;
const STATUS_CORRUPT: u64 = Status::Corrupt as u64;
const STATUS_BAD_OP: u64 = Status::BadOp as u64;

fn show(r: Result<u64, Refusal>) -> String {
    match r {
        Ok(v) => format!("{v:#x}"),
        Err(why) => format!("an error ({})", why.reason()),
    }
}

impl Cosim {
    /// Generates the Verilog of `opts.config`, Verilates it (or reuses the
    /// cached build) and loads it.
    pub fn new(opts: CosimOptions, workload: &[TraceOp]) -> Result<Cosim> {
        let build = verilated(&opts.config, &opts.cache_dir, opts.vcd.is_some())?;
        let mut model = Model::load(&build)?;
        let pins = Pins::resolve(&model, opts.config.word_bits)?;
        let c = opts.config;
        let mut nvm = Nvm::new(c.layout(), c.word_bits, opts.timing, opts.nvm_seed);
        nvm.forget_answered = opts.nvm_forgets_answered;
        let mut program = vec![CpuOp::Command(OP_RECOVER)];
        let mut stray_rng = opts.stray_commands.map(crate::rng::Rng::new);
        if let Some(rng) = stray_rng.as_mut() {
            // Before FORMAT: commands that need a mounted device, and an op
            // that names no command, must be refused and change nothing.
            program.extend([OP_SNAPSHOT, OP_RESTORE, strays::undefined_op(rng)].map(CpuOp::Command));
        }
        if !opts.skip_format {
            program.push(CpuOp::Command(OP_FORMAT));
        }
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
            rules: NvmRules::new(&nvm),
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
            stray: None,
            stray_rng,
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
                self.fail(format!(
                    "VM: word {i:#x} of the result is {:#x}, an uninterrupted run leaves {:#x}",
                    self.final_image.get(i).copied().unwrap_or(0),
                    memory[i]
                ));
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
        self.stats.fallback_releases = self.port_ref.fallback_releases;
        self.stats.pages_hardened = self.hardened_before + self.pins.pages_hardened.get();
        self.stats.nvm_reads = self.nvm.reads;
        self.stats.nvm_writes = self.nvm.writes;
        self.model.trace_close();
        if let Some(bar) = &self.opts.progress {
            bar.finish_and_clear();
        }
        Ok(Outcome {
            crashes: self.crashes,
            phases: self.phases,
            formatted_at: self.formatted_at,
            port_log: self.port_log,
            stats: self.stats,
            reads: self.reads,
            final_image: self.final_image,
            mismatch: self.mismatch,
            verilated: self.verilated,
            frame_writes: std::mem::take(&mut self.nvm.frame_writes),
        })
    }

    fn finished(&self) -> bool {
        self.vm.as_ref().is_none_or(|vm| vm.finished() && self.final_queued)
            && self.next_op == self.program.len()
            && self.wait == Wait::Nothing
            && self.queue.is_empty()
            && self.inflight.is_empty()
            && self.command.is_none()
            && self.stray.is_none()
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

    /// Queues a port request; its expected answer is decided when the
    /// controller accepts it.
    fn enqueue(&mut self, write: bool, addr: u64, data: u64, purpose: Purpose) {
        self.queue.push_back(Queued { write, addr, data, purpose });
    }

    fn port_quiet(&self) -> bool {
        self.queue.is_empty() && self.inflight.is_empty()
    }

    /// A device is mounted, as the host knows it (from its last RECOVER or
    /// FORMAT): only then does it cache memory.
    fn cacheable(&self, addr: u64) -> bool {
        self.cache.enabled() && self.cpu_ref.mounted && addr < self.port_ref.logical_words()
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
        // A command waits until a stray one has been answered (the
        // controller answers a command sent before that `busy`), and, for a
        // host that drains first, until the port is quiet.
        let command_blocked = self.stray.is_some() || (self.opts.drain_before_commands && !self.port_quiet());
        match op {
            CpuOp::Trace(Op::Read { addr }) | CpuOp::FinalRead(addr) => {
                let final_dump = matches!(op, CpuOp::FinalRead(_));
                if self.cacheable(addr) {
                    if let Some(data) = self.cache.lookup(addr) {
                        self.stats.cache_hits += 1;
                        let want = self.cpu_ref.read(addr);
                        self.deliver_read(Ok(data), want, addr, final_dump);
                    } else {
                        self.enqueue(false, addr, 0, Purpose::CpuRead { fill: true, final_dump });
                        self.wait = Wait::Read;
                    }
                } else {
                    self.enqueue(false, addr, 0, Purpose::CpuRead { fill: false, final_dump });
                    if self.cache.enabled() {
                        self.wait = Wait::Read;
                    }
                }
            }
            CpuOp::Trace(Op::Write { addr, data }) => {
                if self.cacheable(addr) {
                    let _ = self.cpu_ref.write(addr, data);
                    if let Some((va, vd)) = self.cache.write(addr, data) {
                        self.enqueue(true, va, vd, Purpose::WriteBack);
                    }
                } else {
                    // Uncached: the CPU sees the answer (cpu_ref follows it
                    // when the request is accepted).
                    self.enqueue(true, addr, data, Purpose::CpuWrite);
                }
            }
            CpuOp::Trace(Op::Snapshot) => {
                // Requests still queued are accepted during the flush
                // handshake, before the snapshot is taken: no need to wait.
                if command_blocked {
                    return;
                }
                self.start_command(OP_SNAPSHOT);
            }
            CpuOp::Trace(Op::Restore) => {
                self.cache.invalidate_all();
                // What the CPU sent before RESTORE must reach the controller
                // before it: wait until the queue is accepted (not answered).
                if command_blocked || !self.queue.is_empty() {
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
            CpuOp::Command(op) => {
                if command_blocked {
                    return;
                }
                self.start_command(op);
            }
        }
        self.next_op += 1;
    }

    fn start_command(&mut self, op: u64) {
        // The device starts as garbage: the first RECOVER finds no valid
        // commit record; every later one finds the last snapshot.
        let expect = if ![OP_SNAPSHOT, OP_RESTORE, OP_RECOVER, OP_FORMAT].contains(&op) {
            STATUS_BAD_OP
        } else if op == OP_RECOVER && !self.formatted {
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
            self.rules.erasing = true;
        }
        self.command = Some(Command { op, expect, accepted_at: None, flushed_at: None, probed: false });
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
        self.send_stray();
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
        // Command port: the CPU's command or a stray one, never both.
        let offered = match (&self.command, &self.stray) {
            (Some(c), _) if c.accepted_at.is_none() => Some(c.op),
            (_, Some(s)) if s.accepted_at.is_none() => Some(s.op),
            _ => None,
        };
        p.cmd_valid.set(offered.is_some() as u64);
        p.cmd_op.set(offered.unwrap_or(0));
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
        if response.is_some() && self.nvm.retire().is_some_and(in_slots) {
            self.rules.refresh(&self.nvm);
        }
        let mem = NvmRequest {
            valid: p.mem_req_valid.get() == 1,
            ready: p.mem_req_ready.get() == 1,
            write: p.mem_req_write.get() == 1,
            addr: p.mem_req_addr.get(),
            wdata: p.mem_req_wdata.get(),
        };
        let (w, a, d) = (mem.write, mem.addr, mem.wdata);
        if let Err(fault) = self.rules.check_port(cycle, self.nvm.word_mask(), mem) {
            self.fail(fault);
        }
        if mem.accepted() {
            match self.rules.check_access(&self.nvm, w, a, d) {
                Err(fault) => self.fail(fault),
                Ok(()) => {
                    self.nvm.accept(cycle, w, a, d);
                    if w && in_slots(a) {
                        self.rules.refresh(&self.nvm);
                    }
                }
            }
            progress = true;
        }
        let req_fire = p.req_valid.get() == 1 && p.req_ready.get() == 1;
        let rsp = (p.rsp_valid.get() == 1).then(|| (p.rsp_err.get() == 1, p.rsp_rdata.get()));
        let cmd_fire = p.cmd_valid.get() == 1 && p.cmd_ready.get() == 1;
        let done = (p.cmd_done.get() == 1).then(|| p.cmd_status.get());
        let flush_req = p.flush_req.get() == 1;
        if req_fire {
            let q = self.queue.pop_front().expect("req_valid was driven from the queue");
            self.accept_request(q, flush_req);
            progress = true;
        }
        if let Some((err, rdata)) = rsp {
            progress = true;
            self.on_response(err, rdata);
        }
        if cmd_fire {
            self.stats.commands_meeting_requests += !self.port_quiet() as u64;
            if let Some(c) = self.command.as_mut().filter(|c| c.accepted_at.is_none()) {
                c.accepted_at = Some(cycle);
            } else if let Some(s) = self.stray.as_mut().filter(|s| s.accepted_at.is_none()) {
                s.accepted_at = Some(cycle);
            }
            progress = true;
        }
        self.check_stray_accepted();
        if let Some(status) = done {
            progress = true;
            if !self.stray_done(status) {
                self.on_done(status);
            }
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
                    self.enqueue(true, a, d, Purpose::WriteBack);
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

    /// The controller accepted `q`: the port reference answers it now, in
    /// acceptance order, after checking that the order is defined.
    fn accept_request(&mut self, q: Queued, flush_req: bool) {
        let cycle = self.cycle;
        if let Some(c) = self.command.as_ref().filter(|c| c.accepted_at.is_some_and(|a| a < cycle)) {
            if !(c.op == OP_SNAPSHOT && flush_req) {
                let what = if q.write { "write" } else { "read" };
                let m = format!(
                    "host port: a {what} of {:#x} was accepted while {} (accepted at cycle {}) runs, outside a flush handshake: its order against the command is undefined",
                    q.addr,
                    op_name(c.op),
                    c.accepted_at.unwrap_or(0)
                );
                self.fail(m);
            }
        }
        let faults = self.port_ref.cow_faults;
        let expected = if q.write { self.port_ref.write(q.addr, q.data).map(|()| 0) } else { self.port_ref.read(q.addr) };
        let cow_fault = self.port_ref.cow_faults != faults;
        if q.purpose == Purpose::CpuWrite && expected.is_ok() {
            let _ = self.cpu_ref.write(q.addr, q.data);
        }
        self.faults_since_reset += cow_fault as u64;
        self.inflight.push_back(PortRequest { req: q, expected, issued_at: cycle });
        self.stats.port_requests += 1;
    }

    fn on_response(&mut self, err: bool, rdata: u64) {
        let Some(PortRequest { req: r, expected, issued_at, .. }) = self.inflight.pop_front() else {
            self.fail("host port answered with nothing outstanding".into());
            return;
        };
        let latency = self.cycle - issued_at;
        if self.opts.record_ports {
            self.port_log.push(PortEvent { write: r.write, addr: r.addr, accepted: issued_at, answered: self.cycle, error: err });
        }
        self.stats.port_latency_sum += latency;
        self.stats.port_latency_max = self.stats.port_latency_max.max(latency);
        if err {
            self.stats.port_errors += 1;
            if let Err(why) = expected {
                self.stats.refused.count(why);
            }
        }
        if err && r.purpose == Purpose::WriteBack {
            // The CPU wrote this word and was told nothing: it is gone.
            let reference = match expected {
                Err(why) => format!("{} (the reference model refuses it too)", why.reason()),
                Ok(_) => "the reference model accepts it".into(),
            };
            self.fail(format!(
                "data loss: the controller refused the write-back of {:#x} to {:#x} (accepted at cycle {issued_at}): {reference}",
                r.data, r.addr
            ));
            return;
        }
        let got = if err { Err(()) } else { Ok(if r.write { 0 } else { rdata }) };
        let agrees = match (got, expected) {
            (Ok(g), Ok(e)) => r.write || g == e,
            (Err(()), Err(_)) => true,
            _ => false,
        };
        if !agrees {
            let what = if r.write { format!("write of {:#x} to {:#x}", r.data, r.addr) } else { format!("read of {:#x}", r.addr) };
            let got = if err {
                "an error".to_string()
            } else if r.write {
                "ok".into()
            } else {
                format!("{rdata:#x}")
            };
            self.fail(format!("host port: {what} answered {got}, the reference model expects {}", show(expected)));
            return;
        }
        if let Purpose::CpuRead { fill, final_dump } = r.purpose {
            let got = if err { Err(Refusal::OutOfRange) } else { Ok(rdata) };
            if fill {
                if let Some((va, vd)) = self.cache.fill(r.addr, rdata) {
                    self.enqueue(true, va, vd, Purpose::WriteBack);
                }
            }
            // With a cache the CPU waited for this read, so the CPU view is
            // current. Without one the CPU ran ahead, and the port
            // reference's answer, fixed when the read was accepted, is the
            // view (every CPU access went through the port, in order).
            let want = if self.cache.enabled() { self.cpu_ref.read(r.addr) } else { expected };
            self.deliver_read(got, want, r.addr, final_dump);
            if self.cache.enabled() {
                self.wait = Wait::Nothing;
            }
        }
    }

    fn on_done(&mut self, status: u64) {
        let Some(c) = self.command.take() else {
            self.fail("cmd_done pulsed with no command outstanding".into());
            return;
        };
        self.wait = Wait::Nothing;
        let Some(accepted) = c.accepted_at.filter(|&a| a < self.cycle) else {
            self.fail(format!("cmd_done for {} before it was accepted", op_name(c.op)));
            return;
        };
        let expected = c.expect;
        if status != expected {
            self.fail(format!("{} answered status {status}, expected {expected}", op_name(c.op)));
            return;
        }
        self.stats.refused_commands.count(status);
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
                // The reference has seen every request the snapshot took.
                let dirty = self.port_ref.dirty_pages();
                self.stats.snapshots.push(SnapshotCost { dirty, flush: flushed - accepted, after_flush: self.cycle - flushed });
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
                self.program.insert(self.next_op, CpuOp::Command(OP_FORMAT));
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
                self.rules.erasing = false;
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
            let (free, held) = (self.pins.free_frames.get(), self.pins.fallback_held.get() == 1);
            let want = self.port_ref.free_frames().unwrap_or(0) as u64;
            if free != want {
                self.fail(format!("I4: after {} free_frames is {free}, the reference counts {want}", op_name(c.op)));
            } else if held != self.port_ref.fallback_held() {
                self.fail(format!("after {} fallback_held is {}, the reference model says {}", op_name(c.op), held as u8, self.port_ref.fallback_held() as u8));
            }
        }
    }
}
