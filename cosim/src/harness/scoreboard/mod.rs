//! The scoreboard: every check of the co-simulation, with one report
//! format (the first failure: its cycle and what differed).
//!
//! Two references run side by side:
//! * `port_ref` sees exactly the traffic on the host port (write-backs,
//!   fills, commands) and predicts every response, error and free-frame
//!   count;
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
//!
//! * `nvm_rules.rs`: the NVM port (valid/ready, I1, commit order);
//! * `recovery.rs`: power loss, damaged records, I2;
//! * here: the host port's answers (I3), the commands' statuses, I4 and the
//!   fallback, the CPU's reads, the final image of the VM program.

pub mod nvm_rules;
pub mod recovery;

use super::host::{Command, Purpose, Queued};
use super::outcome::{Mismatch, PortEvent, SnapshotCost, Stats};
use super::{OP_FORMAT, OP_RECOVER, OP_RESTORE, OP_SNAPSHOT, STATUS_BAD_OP, STATUS_CORRUPT, STATUS_OK, STATUS_UNFORMATTED};
use crate::nvm::Nvm;
use crate::reference::{Reference, Refusal};
use nvm_rules::NvmRules;
use pmsnap_hdl::codes::op_name;
use pmsnap_hdl::Config;
use recovery::{AfterCorruption, Candidates, CrashReport};
use std::collections::VecDeque;

/// An accepted request, awaiting its response.
struct PortRequest {
    req: Queued,
    /// The port reference's answer, decided when the request was accepted.
    expected: Result<u64, Refusal>,
    issued_at: u64,
}

/// A CPU read that the host must now deliver to its program.
pub(in crate::harness) struct ReadAnswer {
    pub addr: u64,
    pub value: Result<u64, Refusal>,
    /// What the port reference said when the controller accepted it.
    pub expected: Result<u64, Refusal>,
    /// The data lines as they were (a cache fill takes them as they are).
    pub rdata: u64,
    pub fill: bool,
    pub final_dump: bool,
}

/// A host-port answer: the request's log entry, and a CPU read's answer
/// for the host to deliver (none once a check failed).
pub(in crate::harness) struct Answered {
    pub event: PortEvent,
    pub read: Option<ReadAnswer>,
}

/// What a command's end asks of the host.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(in crate::harness) enum AfterCommand {
    Nothing,
    /// RECOVER found nothing valid: the host formats the device.
    Format,
}

pub(in crate::harness) struct Scoreboard {
    pub port_ref: Reference,
    pub cpu_ref: Reference,
    pub rules: NvmRules,
    inflight: VecDeque<PortRequest>,
    /// The device was formatted (a RECOVER finds a snapshot), and when.
    pub formatted: bool,
    pub formatted_at: u64,
    /// Sequence number of the committed snapshot, as the host knows it.
    pub committed_seq: u64,
    /// The snapshot before it (the fallback), kept when records may be
    /// damaged at rest.
    pub previous_image: Option<Vec<u64>>,
    keep_previous: bool,
    pub after_corruption: Option<AfterCorruption>,
    /// After a power loss: the images RECOVER may legally produce.
    pub pending_recovery: Option<Candidates>,
    pub crashes: Vec<CrashReport>,
    /// COW faults the reference counted since the controller's last reset.
    pub faults_since_reset: u64,
    pub stats: Stats,
    page_words: usize,
    failure: Option<Mismatch>,
}

fn show(r: Result<u64, Refusal>) -> String {
    match r {
        Ok(v) => format!("{v:#x}"),
        Err(why) => format!("an error ({})", why.reason()),
    }
}

impl Scoreboard {
    /// `keep_previous`: keep the fallback's image (runs that damage
    /// records need it).
    pub fn new(c: &Config, nvm: &Nvm, keep_previous: bool) -> Scoreboard {
        Scoreboard {
            port_ref: Reference::new(c.pages, c.page_words, c.word_bits, Some(c.frames)),
            cpu_ref: Reference::new(c.pages, c.page_words, c.word_bits, None),
            rules: NvmRules::new(nvm),
            inflight: VecDeque::new(),
            formatted: false,
            formatted_at: 0,
            committed_seq: 0,
            previous_image: None,
            keep_previous,
            after_corruption: None,
            pending_recovery: None,
            crashes: Vec::new(),
            faults_since_reset: 0,
            stats: Stats::default(),
            page_words: c.page_words,
            failure: None,
        }
    }

    /// Records the first failed check.
    pub fn fail(&mut self, cycle: u64, message: String) {
        if self.failure.is_none() {
            self.failure = Some(Mismatch { cycle, message });
        }
    }

    pub fn failed(&self) -> bool {
        self.failure.is_some()
    }

    pub fn take_failure(&mut self) -> Option<Mismatch> {
        self.failure.take()
    }

    /// Requests accepted and not answered.
    pub fn in_flight(&self) -> usize {
        self.inflight.len()
    }

    /// Forgets the requests in flight (power loss).
    pub fn clear_in_flight(&mut self) {
        self.inflight.clear();
    }

    /// The status the controller must answer `op` with, now.
    pub fn expect_command(&self, op: u64) -> u64 {
        // The device starts as garbage: the first RECOVER finds no valid
        // commit record; every later one finds the last snapshot.
        if ![OP_SNAPSHOT, OP_RESTORE, OP_RECOVER, OP_FORMAT].contains(&op) {
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
        }
    }

    /// The controller accepted `q` in `cycle`: the port reference answers
    /// it now, in acceptance order, after checking that the order is
    /// defined (`command`: the CPU's).
    pub fn accept_request(&mut self, cycle: u64, q: Queued, command: Option<&Command>, flush_req: bool) {
        if let Some(c) = command.filter(|c| c.accepted_at.is_some_and(|a| a < cycle)) {
            if !(c.op == OP_SNAPSHOT && flush_req) {
                let what = if q.write { "write" } else { "read" };
                let m = format!(
                    "host port: a {what} of {:#x} was accepted while {} (accepted at cycle {}) runs, outside a flush handshake: its order against the command is undefined",
                    q.addr,
                    op_name(c.op),
                    c.accepted_at.unwrap_or(0)
                );
                self.fail(cycle, m);
            }
        }
        let faults = self.port_ref.cow_faults;
        let expected = if q.write { self.port_ref.write(q.addr, q.data).map(|()| 0) } else { self.port_ref.read(q.addr) };
        if q.purpose == Purpose::CpuWrite && expected.is_ok() {
            let _ = self.cpu_ref.write(q.addr, q.data);
        }
        self.faults_since_reset += (self.port_ref.cow_faults != faults) as u64;
        self.inflight.push_back(PortRequest { req: q, expected, issued_at: cycle });
        self.stats.port_requests += 1;
    }

    /// The host port answered in `cycle`: checked against the port
    /// reference.
    pub fn response(&mut self, cycle: u64, err: bool, rdata: u64) -> Option<Answered> {
        let Some(PortRequest { req: r, expected, issued_at }) = self.inflight.pop_front() else {
            self.fail(cycle, "host port answered with nothing outstanding".into());
            return None;
        };
        let event = PortEvent { write: r.write, addr: r.addr, accepted: issued_at, answered: cycle, error: err };
        let read = self.check_response(cycle, r, expected, issued_at, err, rdata);
        Some(Answered { event, read })
    }

    fn check_response(&mut self, cycle: u64, r: Queued, expected: Result<u64, Refusal>, issued_at: u64, err: bool, rdata: u64) -> Option<ReadAnswer> {
        let latency = cycle - issued_at;
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
            let m = format!("data loss: the controller refused the write-back of {:#x} to {:#x} (accepted at cycle {issued_at}): {reference}", r.data, r.addr);
            self.fail(cycle, m);
            return None;
        }
        let got = if err { Err(()) } else { Ok(if r.write { 0 } else { rdata }) };
        let agrees = match (got, expected) {
            (Ok(g), Ok(e)) => r.write || g == e,
            (Err(()), Err(_)) => true,
            _ => false,
        };
        if !agrees {
            let what = if r.write { format!("write of {:#x} to {:#x}", r.data, r.addr) } else { format!("read of {:#x}", r.addr) };
            let got = match (err, r.write) {
                (true, _) => "an error".to_string(),
                (false, true) => "ok".into(),
                (false, false) => format!("{rdata:#x}"),
            };
            self.fail(cycle, format!("host port: {what} answered {got}, the reference model expects {}", show(expected)));
            return None;
        }
        match r.purpose {
            Purpose::CpuRead { fill, final_dump } => {
                let value = if err { Err(Refusal::OutOfRange) } else { Ok(rdata) };
                Some(ReadAnswer { addr: r.addr, value, expected, rdata, fill, final_dump })
            }
            _ => None,
        }
    }

    /// A CPU read returned `got`; the CPU's semantics say `want`.
    pub fn cpu_read(&mut self, cycle: u64, addr: u64, got: Result<u64, Refusal>, want: Result<u64, Refusal>) {
        if got.is_ok() != want.is_ok() || (got.is_ok() && got != want) {
            self.fail(cycle, format!("CPU read of {addr:#x} returned {}, the reference model expects {}", show(got), show(want)));
        }
    }

    /// The CPU's command `c` ended in `cycle` with `status`; `free_frames`
    /// and `fallback_held` as the status port shows them then.
    pub fn command_done(&mut self, cycle: u64, c: Command, status: u64, free_frames: u64, fallback_held: bool, nvm: &Nvm) -> AfterCommand {
        let Some(accepted) = c.accepted_at.filter(|&a| a < cycle) else {
            self.fail(cycle, format!("cmd_done for {} before it was accepted", op_name(c.op)));
            return AfterCommand::Nothing;
        };
        let expected = c.expect;
        if status != expected {
            self.fail(cycle, format!("{} answered status {status}, expected {expected}", op_name(c.op)));
            return AfterCommand::Nothing;
        }
        self.stats.refused_commands.count(status);
        let cost = cycle - accepted;
        if expected != STATUS_OK && c.op != OP_RECOVER {
            return AfterCommand::Nothing;
        }
        let mut after = AfterCommand::Nothing;
        match c.op {
            OP_SNAPSHOT => {
                self.committed_seq += 1;
                if self.keep_previous {
                    self.previous_image = Some(self.port_ref.snapshot_image());
                }
                // A damaged fallback record was in the slot just rewritten.
                self.after_corruption = None;
                let flushed = c.flushed_at.unwrap_or(accepted);
                // The reference has seen every request the snapshot took.
                let dirty = self.port_ref.dirty_pages();
                self.stats.snapshots.push(SnapshotCost { dirty, flush: flushed - accepted, after_flush: cycle - flushed });
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
                after = AfterCommand::Format;
            }
            OP_RECOVER => {
                if expected == STATUS_OK {
                    self.stats.recovers.push(cost);
                }
                if let Some(candidates) = self.pending_recovery.take() {
                    self.check_recovery(cycle, candidates, nvm);
                }
            }
            OP_FORMAT => {
                self.rules.erasing = false;
                self.formatted = true;
                self.formatted_at = cycle;
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
            if free_frames != want {
                self.fail(cycle, format!("I4: after {} free_frames is {free_frames}, the reference counts {want}", op_name(c.op)));
            } else if fallback_held != self.port_ref.fallback_held() {
                let want = self.port_ref.fallback_held() as u8;
                self.fail(cycle, format!("after {} fallback_held is {}, the reference model says {want}", op_name(c.op), fallback_held as u8));
            }
        }
        after
    }

    /// The VM program ended with `acc` and `image`: an uninterrupted run's
    /// result?
    pub fn vm_result(&mut self, cycle: u64, vm: &crate::vm::VmProgram, image: &[u64]) {
        let (acc, memory) = crate::vm::expected(vm.spec());
        let data = vm.data_words() as usize;
        if vm.acc() != acc {
            self.fail(cycle, format!("VM: final acc {:#x}, an uninterrupted run ends with {acc:#x}", vm.acc()));
        } else if let Some(i) = (0..data).find(|&i| image.get(i) != memory.get(i)) {
            let got = image.get(i).copied().unwrap_or(0);
            self.fail(cycle, format!("VM: word {i:#x} of the result is {got:#x}, an uninterrupted run leaves {:#x}", memory[i]));
        }
    }

    /// The controller's COW-fault counter (cleared by its last reset).
    pub fn cow_counter(&mut self, cycle: u64, counted: u64) {
        if counted != self.faults_since_reset {
            self.fail(cycle, format!("the cow_faults counter reads {counted}, the reference counted {}", self.faults_since_reset));
        }
    }
}
