//! The host: a CPU running its program (a trace, the VM, the final dump),
//! its write-back cache, its side of the flush handshake, and the queue of
//! requests it offers on the host port. It knows what a host knows —
//! whether a device is mounted (from RECOVER and FORMAT), what it sent —
//! and nothing of the controller's inside.

use crate::cache::Cache;
use crate::trace::Op;
use crate::vm::VmProgram;
use std::collections::VecDeque;

/// Why the host issued a port request, and what to do with its answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Purpose {
    /// A CPU read that goes to memory (miss, uncached, or no cache).
    CpuRead { fill: bool, final_dump: bool },
    /// An uncached CPU write: the CPU sees its answer.
    CpuWrite,
    /// A dirty line evicted or flushed: the CPU sees nothing.
    WriteBack,
}

/// What the CPU does next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum CpuOp {
    Trace(Op),
    /// A controller command (RECOVER, FORMAT, or one that must be refused).
    Command(u64),
    /// The final dump: every logical word read through the host.
    FinalRead(u64),
}

/// What the CPU is waiting for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Wait {
    Nothing,
    /// A read's answer (with a cache, the CPU stalls on a miss).
    Read,
    Command,
}

/// The host's side of the flush handshake.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Flush {
    /// No `flush_req`, or one already acknowledged.
    Idle,
    /// `flush_req` seen: the dirty lines are written back; waiting until
    /// every request is answered.
    WritingBack,
    /// `flush_ack` is pulsed this cycle.
    Acknowledging,
    /// Acknowledged: waiting for `flush_req` to fall.
    Acknowledged,
}

/// A host-port request, queued until the controller accepts it.
#[derive(Clone, Copy, Debug)]
pub(super) struct Queued {
    pub write: bool,
    pub addr: u64,
    pub data: u64,
    pub purpose: Purpose,
}

/// The CPU's command on the command port.
pub(super) struct Command {
    pub op: u64,
    /// The status the reference model predicts.
    pub expect: u64,
    pub accepted_at: Option<u64>,
    pub flushed_at: Option<u64>,
    /// With `busy_probe`: a RESTORE was sent while it ran.
    pub probed: bool,
}

pub(super) struct Host {
    pub program: Vec<CpuOp>,
    pub next_op: usize,
    pub wait: Wait,
    pub cache: Cache,
    pub queue: VecDeque<Queued>,
    pub command: Option<Command>,
    pub flush: Flush,
    pub vm: Option<VmProgram>,
    /// Reads the VM has been given.
    pub vm_seen: usize,
    /// The VM program has started issuing operations.
    vm_started: bool,
    pub final_queued: bool,
    /// One entry per `R`: the value, or `None` for an error.
    pub reads: Vec<Option<u64>>,
    pub final_image: Vec<u64>,
    pub cache_hits: u64,
}

impl Host {
    pub fn new(program: Vec<CpuOp>, cache_lines: usize, vm: Option<VmProgram>, final_queued: bool) -> Host {
        Host {
            program,
            next_op: 0,
            wait: Wait::Nothing,
            cache: Cache::new(cache_lines),
            queue: VecDeque::new(),
            command: None,
            flush: Flush::Idle,
            vm,
            vm_seen: 0,
            vm_started: false,
            final_queued,
            reads: Vec::new(),
            final_image: Vec::new(),
            cache_hits: 0,
        }
    }

    /// Queues a port request.
    pub fn enqueue(&mut self, write: bool, addr: u64, data: u64, purpose: Purpose) {
        self.queue.push_back(Queued { write, addr, data, purpose });
    }

    /// The operation the CPU is at, if it is not waiting.
    #[inline]
    pub fn current(&self) -> Option<CpuOp> {
        (self.wait == Wait::Nothing).then(|| self.program.get(self.next_op).copied()).flatten()
    }

    /// Everything the program had is done (the VM's too), nothing waits.
    pub fn finished(&self) -> bool {
        self.vm.as_ref().is_none_or(|vm| vm.finished() && self.final_queued)
            && self.next_op == self.program.len()
            && self.wait == Wait::Nothing
            && self.queue.is_empty()
            && self.command.is_none()
    }

    /// Asks the VM program for its next operations once the CPU has run
    /// everything it had and every read is back (`quiet`: the port too);
    /// at its end, reads the whole image to check the result.
    pub fn feed_vm(&mut self, quiet: bool, logical_words: u64) {
        if self.next_op < self.program.len() || self.wait != Wait::Nothing || !quiet || self.command.is_some() {
            return;
        }
        let Some(vm) = self.vm.as_mut() else { return };
        if vm.finished() {
            if !self.final_queued {
                self.final_queued = true;
                self.program.extend((0..logical_words).map(CpuOp::FinalRead));
            }
            return;
        }
        let ops = vm.next(&self.reads[self.vm_seen..]);
        self.vm_seen = self.reads.len();
        self.vm_started = true;
        self.program.extend(ops.into_iter().map(CpuOp::Trace));
    }

    /// A CPU read's value reaches the program.
    pub fn deliver_read(&mut self, value: Option<u64>, final_dump: bool) {
        if final_dump {
            self.final_image.push(value.unwrap_or(0));
        } else {
            self.reads.push(value);
        }
    }

    /// The host's side of the flush handshake, once a cycle: on
    /// `flush_req`, write back every dirty line (`broken`: drop them
    /// instead, a host that breaks the handshake), wait until the port is
    /// quiet, then pulse `flush_ack` for one cycle.
    #[inline]
    pub fn flush_step(&mut self, cycle: u64, flush_req: bool, quiet: bool, broken: bool) {
        match self.flush {
            Flush::Acknowledging => {
                self.flush = Flush::Acknowledged;
                if let Some(c) = self.command.as_mut() {
                    c.flushed_at = Some(cycle);
                }
            }
            Flush::Idle if flush_req => {
                self.flush = Flush::WritingBack;
                let dirty = self.cache.take_dirty();
                if !broken {
                    for (a, d) in dirty {
                        self.enqueue(true, a, d, Purpose::WriteBack);
                    }
                }
            }
            Flush::WritingBack if quiet => self.flush = Flush::Acknowledging,
            _ => {}
        }
        if !flush_req && self.flush == Flush::Acknowledged {
            self.flush = Flush::Idle;
        }
    }

    /// `flush_ack` this cycle.
    #[inline]
    pub fn flush_ack(&self) -> bool {
        self.flush == Flush::Acknowledging
    }

    /// A power loss: the cache, what was queued and the command are gone.
    pub fn power_loss(&mut self) {
        self.cache.invalidate_all();
        self.queue.clear();
        self.command = None;
        self.flush = Flush::Idle;
        self.wait = Wait::Nothing;
        if let Some(vm) = self.vm.as_mut() {
            if self.vm_started && !vm.finished() {
                // The instructions the CPU had not run yet are lost with
                // it: the program reloads its registers and redoes them.
                // Left in place they would run after RECOVER, writing a
                // half-new state page or handing the reload a stale read.
                self.program.truncate(self.next_op);
                self.vm_seen = self.reads.len();
            }
            vm.lost_power();
        }
    }
}
