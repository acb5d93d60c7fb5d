//! The co-simulation: the Verilated controller, clocked cycle by cycle
//! between the host model and the NVM model, every answer checked.
//!
//! Its parts, one a file:
//! * `host.rs`: the CPU, its cache, its side of the flush handshake and the
//!   queue of requests it offers;
//! * `port_driver.rs`: the controller's pins, driven and read each cycle;
//! * `scoreboard/`: every check (I1–I4, reads, commit order, statuses) and
//!   the references they follow;
//! * `strays.rs`: commands sent besides the CPU's, which must be refused;
//! * `faults.rs`: faults injected on purpose, to test the checks;
//! * `recorder.rs`: phases and port events kept for later; the waveform is
//!   `Clocked`'s (`crate::clocked`).
//!
//! This file runs them in a fixed order each cycle (`clock_cycle`).

use crate::clocked::{Clocked, Waveform, COSIM_PERIOD_PS};
use crate::nvm::Nvm;
use crate::reference::Refusal;
use crate::trace::{Op, TraceOp};
use crate::verilator::{self, Model, WaveFormat};
use anyhow::{Context, Result};
use axi4_subordinate::NvmEvents;
use faults::FaultInjector;
use host::{Command, CpuOp, Host, Purpose, Wait};
use pmsnap_hdl::codes::{CmdOp, Phase, Status};
use pmsnap_hdl::{Config, NvmBus};
use port_driver::{Inputs, PortDriver};
use recorder::Recorder;
use scoreboard::nvm_rules::in_slots;
use scoreboard::{AfterCommand, Scoreboard};
use std::path::{Path, PathBuf};
use std::time::Instant;
use strays::Strays;

mod axi4_manager;
mod axi4_pins;
mod axi4_subordinate;
mod faults;
mod files;
mod host;
mod options;
mod outcome;
mod port_driver;
mod recorder;
mod scoreboard;
mod strays;
mod wishbone_manager;

pub use faults::{Faults, SlotTarget};
pub use files::{parse_window, render_reads, write_image, write_reads};
pub use options::CosimOptions;
pub use outcome::{Mismatch, Outcome, PortEvent, Refused, RefusedCommands, SnapshotCost, Stats};
pub use scoreboard::recovery::{CrashReport, Recovered};

/// The Verilated controller for `config`: generated and built (or found in
/// the cache) once per process, since campaigns start thousands of runs.
pub(crate) fn verilated(config: &Config, cache_dir: &Path, trace: Option<WaveFormat>) -> Result<verilator::Build> {
    type Built = (Config, PathBuf, Option<WaveFormat>, verilator::Build);
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

/// Reset cycles before the run starts.
const START_RESET_CYCLES: u64 = 2;

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

pub struct Cosim {
    opts: CosimOptions,
    clock: Clocked,
    pins: PortDriver,
    /// What the NVM port did this cycle (kept: its buffer is reused).
    nvm_events: NvmEvents,
    nvm: Nvm,
    host: Host,
    board: Scoreboard,
    strays: Strays,
    faults: FaultInjector,
    broken_flush: bool,
    recorder: Recorder,
    /// The last cycle anything happened on a port.
    last_progress: u64,
    /// Cycles of reset still to apply (power loss).
    reset_cycles: u64,
    /// Counters the controller showed before each reset cleared them.
    cow_faults_before: u64,
    hardened_before: u64,
    ops: usize,
    verilated: bool,
}

impl Cosim {
    /// Generates the Verilog of `opts.config`, Verilates it (or reuses the
    /// cached build) and loads it.
    pub fn new(opts: CosimOptions, workload: &[TraceOp]) -> Result<Cosim> {
        let build = verilated(&opts.config, &opts.cache_dir, opts.waveform.as_ref().map(|w| w.1))?;
        let model = Model::load(&build)?;
        let c = opts.config;
        let pins = PortDriver::resolve(&model, &c, opts.nvm_seed, opts.bus_ready_percent, opts.stray_commands.is_some())?;
        let waveform = opts.waveform.clone().map(|(path, format)| Waveform { path, format, window: opts.window, period_ps: COSIM_PERIOD_PS });
        let clock = Clocked::new(model, waveform)?;
        let mut nvm = Nvm::new(c.layout(), c.word_bits, opts.timing, opts.nvm_seed);
        nvm.forget_answered = opts.faults.nvm_forgets_answered;
        if c.nvm_bus == NvmBus::Axi4 {
            nvm.split_channels();
        }
        let mut program = vec![CpuOp::Command(OP_RECOVER)];
        let mut strays = Strays::new(opts.stray_commands, opts.faults.busy_probe);
        if let Some(undefined) = strays.undefined_op() {
            // Before FORMAT: commands that need a mounted device, and an op
            // that names no command, must be refused and change nothing.
            program.extend([OP_SNAPSHOT, OP_RESTORE, undefined].map(CpuOp::Command));
        }
        if !opts.faults.skip_format {
            program.push(CpuOp::Command(OP_FORMAT));
        }
        program.extend(workload.iter().map(|t| CpuOp::Trace(t.op)));
        let final_queued = opts.dump_final && opts.vm.is_none();
        if final_queued {
            program.extend((0..c.logical_words()).map(CpuOp::FinalRead));
        }
        Ok(Cosim {
            clock,
            pins,
            nvm_events: NvmEvents::default(),
            board: Scoreboard::new(&c, &nvm, !opts.faults.corrupt_at.is_empty()),
            nvm,
            host: Host::new(program, opts.cache_lines, opts.vm.map(crate::vm::VmProgram::new), final_queued),
            strays,
            faults: FaultInjector::new(&opts.faults),
            broken_flush: opts.faults.broken_flush,
            recorder: Recorder::new(opts.record_phases, opts.record_ports),
            last_progress: 0,
            reset_cycles: 0,
            cow_faults_before: 0,
            hardened_before: 0,
            ops: workload.len(),
            verilated: build.compiled,
            opts,
        })
    }

    fn cycle(&self) -> u64 {
        self.clock.cycle()
    }

    fn fail(&mut self, message: String) {
        self.board.fail(self.cycle(), message);
    }

    /// Runs the whole program; returns what happened.
    pub fn run(mut self) -> Result<Outcome> {
        let start = Instant::now();
        self.clock.reset(self.pins.reset_port(), START_RESET_CYCLES);
        while !self.board.failed() && !self.finished() {
            self.cpu_step();
            self.clock_cycle()?;
            if self.cycle().is_multiple_of(65_536) {
                if let Some(bar) = &self.opts.progress {
                    bar.set_position(self.host.next_op as u64);
                }
            }
            if self.cycle() - self.last_progress > self.opts.stall_limit {
                let m = format!(
                    "no progress for {} cycles (op {} of {}, waiting for {:?}, {} queued, {} in flight)",
                    self.opts.stall_limit,
                    self.host.next_op,
                    self.host.program.len(),
                    self.host.wait,
                    self.host.queue.len(),
                    self.board.in_flight()
                );
                self.fail(m);
            }
        }
        let cycle = self.cycle();
        if let (false, Some(vm)) = (self.board.failed(), &self.host.vm) {
            self.board.vm_result(cycle, vm, &self.host.final_image);
        }
        let (cow_faults, hardened) = self.pins.counters();
        if !self.board.failed() {
            // Reset clears the counter: compare what was sent since.
            self.board.cow_counter(cycle, cow_faults);
        }
        self.clock.finish();
        if let Some(bar) = &self.opts.progress {
            bar.finish_and_clear();
        }
        let (bus_bursts, bus_beats, bus_strays) = self.pins.bus_counts();
        let (nvm_bursts, nvm_beats) = self.pins.nvm_bus_counts();
        let stats = Stats {
            ops: self.ops,
            cache_hits: self.host.cache_hits,
            vm_reloads: self.host.vm.as_ref().map_or(0, |vm| vm.reloads),
            wall: start.elapsed(),
            cycles: cycle,
            cow_faults: self.cow_faults_before + cow_faults,
            fallback_releases: self.board.port_ref.fallback_releases,
            pages_hardened: self.hardened_before + hardened,
            nvm_reads: self.nvm.reads,
            nvm_writes: self.nvm.writes,
            bus_bursts,
            bus_beats,
            bus_strays,
            nvm_bursts,
            nvm_beats,
            ..std::mem::take(&mut self.board.stats)
        };
        let recorded = self.recorder.finish();
        Ok(Outcome {
            crashes: std::mem::take(&mut self.board.crashes),
            phases: recorded.phases,
            formatted_at: self.board.formatted_at,
            port_log: recorded.ports,
            marks: recorded.marks,
            stats,
            reads: self.host.reads,
            final_image: self.host.final_image,
            mismatch: self.board.take_failure(),
            verilated: self.verilated,
            frame_writes: std::mem::take(&mut self.nvm.frame_writes),
        })
    }

    fn finished(&self) -> bool {
        self.host.finished() && self.board.in_flight() == 0 && !self.strays.pending()
    }

    /// No request queued or in flight, and no burst of the host's AXI4
    /// manager (its stray ones included) unanswered.
    fn port_quiet(&self) -> bool {
        self.host.queue.is_empty() && self.board.in_flight() == 0 && !self.pins.bus_busy()
    }

    /// A device is mounted, as the host knows it (from its last RECOVER or
    /// FORMAT): only then does it cache memory.
    fn cacheable(&self, addr: u64) -> bool {
        self.host.cache.enabled() && self.board.cpu_ref.mounted && addr < self.board.port_ref.logical_words()
    }

    /// The CPU: one operation a cycle, unless it waits.
    fn cpu_step(&mut self) {
        if self.host.vm.is_some() {
            let quiet = self.port_quiet();
            self.host.feed_vm(quiet, self.board.port_ref.logical_words());
        }
        if self.reset_cycles > 0 {
            return;
        }
        let Some(op) = self.host.current() else { return };
        // A command waits until a stray one has been answered (the
        // controller answers a command sent before that `busy`), and, for a
        // host that drains first, until the port is quiet.
        let command_blocked = self.strays.pending() || (self.opts.drain_before_commands && !self.port_quiet());
        match op {
            CpuOp::Trace(Op::Read { addr }) | CpuOp::FinalRead(addr) => {
                let final_dump = matches!(op, CpuOp::FinalRead(_));
                if self.cacheable(addr) {
                    if let Some(data) = self.host.cache.lookup(addr) {
                        self.host.cache_hits += 1;
                        let want = self.board.cpu_ref.read(addr);
                        self.deliver_read(Ok(data), want, addr, final_dump);
                    } else {
                        self.host.enqueue(false, addr, 0, Purpose::CpuRead { fill: true, final_dump });
                        self.host.wait = Wait::Read;
                    }
                } else {
                    self.host.enqueue(false, addr, 0, Purpose::CpuRead { fill: false, final_dump });
                    if self.host.cache.enabled() {
                        self.host.wait = Wait::Read;
                    }
                }
            }
            CpuOp::Trace(Op::Write { addr, data }) => {
                if self.cacheable(addr) {
                    let _ = self.board.cpu_ref.write(addr, data);
                    if let Some((va, vd)) = self.host.cache.write(addr, data) {
                        self.host.enqueue(true, va, vd, Purpose::WriteBack);
                    }
                } else {
                    // Uncached: the CPU sees the answer (cpu_ref follows it
                    // when the request is accepted).
                    self.host.enqueue(true, addr, data, Purpose::CpuWrite);
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
                self.host.cache.invalidate_all();
                // What the CPU sent before RESTORE must reach the controller
                // before it: wait until the queue is accepted (not answered).
                if command_blocked || !self.host.queue.is_empty() {
                    return;
                }
                self.start_command(OP_RESTORE);
            }
            CpuOp::Trace(Op::PowerLoss) => {
                // At an operation boundary with the port quiet every NVM
                // write has been answered; what is lost is the cache and the
                // controller's on-chip state.
                self.host.cache.invalidate_all();
                if self.port_quiet() {
                    self.host.next_op += 1;
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
        self.host.next_op += 1;
    }

    fn start_command(&mut self, op: u64) {
        let expect = self.board.expect_command(op);
        if op == OP_FORMAT {
            self.board.rules.erasing = true;
        }
        self.host.command = Some(Command { op, expect, accepted_at: None, flushed_at: None, probed: false });
        self.host.wait = Wait::Command;
    }

    fn deliver_read(&mut self, got: Result<u64, Refusal>, want: Result<u64, Refusal>, addr: u64, final_dump: bool) {
        self.board.cpu_read(self.cycle(), addr, got, want);
        self.host.deliver_read(got.ok(), final_dump);
    }

    /// Power fails now: unanswered NVM writes are lost or torn, the cache
    /// and the controller's state are gone; reset, then RECOVER must bring
    /// back the old snapshot or, if its commit record landed, the new one.
    fn power_fail(&mut self) {
        let snapshotting = matches!(&self.host.command, Some(c) if c.op == OP_SNAPSHOT && c.accepted_at.is_some());
        // Power lost again while the controller is still held in reset
        // counts as a loss during recovery.
        let phase = if self.reset_cycles > 0 { Phase::Recover as u8 } else { self.pins.phase() };
        let torn_writes = self.nvm.power_loss(self.opts.power_loss);
        self.pins.nvm_power_loss();
        self.recorder.mark(self.cycle(), "power loss".into());
        self.board.power_loss(self.cycle(), phase, snapshotting, torn_writes, &self.nvm);
        self.board.clear_in_flight();
        self.host.power_loss();
        self.strays.clear();
        let (cow_faults, hardened) = self.pins.counters();
        self.cow_faults_before += cow_faults;
        self.hardened_before += hardened;
        self.reset_cycles = RESET_CYCLES;
        self.host.program.insert(self.host.next_op, CpuOp::Command(OP_RECOVER));
    }

    /// One clock cycle: inject, drive inputs, settle, observe and check,
    /// rising edge.
    fn clock_cycle(&mut self) -> Result<()> {
        let cycle = self.cycle();
        if let Some(target) = self.faults.due(cycle) {
            if self.board.formatted && self.host.command.is_none() && self.nvm.idle() && !self.pins.nvm_bus_busy() && self.reset_cycles == 0 {
                self.faults.corrupt(target, &mut self.nvm, &mut self.board);
            }
        }
        if self.board.formatted && self.opts.crash_at.contains(&cycle) {
            self.power_fail();
        }
        if self.reset_cycles == 0 {
            self.strays.send(cycle, self.host.command.as_mut(), self.board.port_ref.mounted);
        }
        self.recorder.phase(cycle, self.pins.phase());
        self.clock.fall()?;
        let in_reset = self.reset_cycles > 0;
        if in_reset {
            self.reset_cycles -= 1;
            self.last_progress = cycle;
        }
        // Command port: the CPU's command or a stray one, never both.
        let command = match &self.host.command {
            Some(c) if c.accepted_at.is_none() => Some(c.op),
            _ => self.strays.offered(),
        };
        let flush_ack = self.host.flush_ack();
        let command_out = self.host.command.is_some();
        self.pins.drive(Inputs { reset: in_reset, queue: &self.host.queue, command_out, command, flush_ack });
        self.pins.drive_nvm(&mut self.nvm, cycle);
        self.clock.settle();
        // Nothing to observe in reset: the outputs still show the state the
        // controller is losing.
        if in_reset {
            self.clock.rise();
            return Ok(());
        }
        let out = self.pins.outputs(&self.host.queue);
        if let Some(v) = out.bus_violation.clone() {
            self.fail(v);
        }
        let mut progress = false;
        // Taken out for the cycle (and put back) so `self` stays free.
        let mut nvm_events = std::mem::take(&mut self.nvm_events);
        let native_request = self.pins.observe_nvm(&mut nvm_events);
        let answers = std::iter::repeat_n(false, nvm_events.read_answers).chain(std::iter::repeat_n(true, nvm_events.write_answers));
        for write in answers {
            if self.nvm.retire_of(write).is_some_and(in_slots) {
                self.board.rules.refresh(&self.nvm);
            }
        }
        if let Some(Err(fault)) = native_request.map(|r| self.board.rules.check_port(cycle, self.nvm.word_mask(), r)) {
            self.fail(fault);
        }
        if let Some(v) = nvm_events.violation.take() {
            self.fail(v);
        }
        for &(w, a, d) in &nvm_events.requests {
            match self.board.rules.check_access(&self.nvm, w, a, d) {
                Err(fault) => self.fail(fault),
                Ok(()) => {
                    self.nvm.accept(cycle, w, a, d);
                    if w && in_slots(a) {
                        self.board.rules.refresh(&self.nvm);
                    }
                }
            }
            progress = true;
        }
        self.nvm_events = nvm_events;
        for _ in 0..out.accepted {
            let q = self.host.queue.pop_front().context("a request was accepted from the empty queue")?;
            self.board.accept_request(cycle, q, self.host.command.as_ref(), out.flush_req);
            progress = true;
        }
        if let Some((count, err, rdata)) = out.response {
            progress = true;
            for _ in 0..count {
                self.on_response(err, rdata);
            }
        }
        if out.cmd_fire {
            self.board.stats.commands_meeting_requests += !self.port_quiet() as u64;
            match self.host.command.as_mut().filter(|c| c.accepted_at.is_none()) {
                Some(c) => {
                    c.accepted_at = Some(cycle);
                    let n = self.board.stats.snapshots.len() + 1;
                    let label = if c.op == OP_SNAPSHOT { format!("SNAPSHOT {n}") } else { pmsnap_hdl::codes::op_name(c.op) };
                    self.recorder.mark(cycle, label);
                }
                None => self.strays.accepted(cycle),
            }
            progress = true;
        }
        self.strays.check_accepted(cycle, self.pins.bus_busy(), &mut self.board);
        if let Some(status) = out.done {
            progress = true;
            let running = self.host.command.as_ref().is_some_and(|c| c.accepted_at.is_some_and(|a| a < cycle));
            if !self.strays.done(cycle, status, running, &mut self.board) {
                self.on_done(status);
            }
        }
        let quiet = self.port_quiet();
        self.host.flush_step(cycle, out.flush_req, quiet, self.broken_flush);
        self.clock.rise();
        if progress {
            self.last_progress = self.cycle();
        }
        Ok(())
    }

    fn on_response(&mut self, err: bool, rdata: u64) {
        let cycle = self.cycle();
        let Some(answered) = self.board.response(cycle, err, rdata) else { return };
        self.recorder.port(answered.event);
        let Some(r) = answered.read else { return };
        if r.fill {
            if let Some((va, vd)) = self.host.cache.fill(r.addr, r.rdata) {
                self.host.enqueue(true, va, vd, Purpose::WriteBack);
            }
        }
        // With a cache the CPU waited for this read, so the CPU view is
        // current. Without one the CPU ran ahead, and the port reference's
        // answer, fixed when the read was accepted, is the view (every CPU
        // access went through the port, in order).
        let cached = self.host.cache.enabled();
        let want = if cached { self.board.cpu_ref.read(r.addr) } else { r.expected };
        self.deliver_read(r.value, want, r.addr, r.final_dump);
        if cached {
            self.host.wait = Wait::Nothing;
        }
    }

    fn on_done(&mut self, status: u64) {
        let cycle = self.cycle();
        let Some(c) = self.host.command.take() else {
            self.fail("cmd_done pulsed with no command outstanding".into());
            return;
        };
        self.host.wait = Wait::Nothing;
        let (free_frames, fallback_held) = self.pins.frames();
        if self.board.command_done(cycle, c, status, free_frames, fallback_held, &self.nvm) == AfterCommand::Format {
            self.host.program.insert(self.host.next_op, CpuOp::Command(OP_FORMAT));
        }
    }
}
