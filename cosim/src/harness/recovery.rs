//! Power loss, recovery and damaged commit records: what the harness does
//! when the power fails, and the I2 check of what RECOVER brings back.

use super::{Cosim, CpuOp, Wait, RESET_CYCLES};
use super::{OP_RECOVER, OP_SNAPSHOT};
use crate::nvm::Nvm;
use pmsnap_hdl::codes::{Code, Phase};

/// Which commit record to damage at rest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SlotTarget {
    /// The record of the last snapshot.
    Committed,
    /// The record of the snapshot before it (the fallback).
    Fallback,
    Both,
    /// Page 0's entry in the committed snapshot's table (its record stays
    /// intact): RECOVER must notice the entry is impossible.
    CommittedTable,
}

/// What the next RECOVER must find after commit records were damaged.
#[derive(Clone, Debug)]
pub(super) struct AfterCorruption {
    /// `None`: no valid record is left (status corrupt).
    pub(super) seq: Option<u64>,
    pub(super) image: Vec<u64>,
    /// Only a table entry was damaged: SNAPSHOT (which reads the record)
    /// still goes ahead.
    pub(super) table_only: bool,
}

/// Which snapshot RECOVER brought back after a power loss.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recovered {
    /// The last committed snapshot before the power loss.
    Old,
    /// The snapshot being taken when power failed: its commit record landed.
    New,
}

/// One power loss and what RECOVER made of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CrashReport {
    pub cycle: u64,
    /// The sequencer's phase at the power loss (a `codes::Phase` code).
    pub phase: u8,
    /// Unanswered writes that landed anyway (adversarial mode).
    pub torn_writes: usize,
    /// `None` when I2 was violated (the run's mismatch says how).
    pub recovered: Option<Recovered>,
}

impl CrashReport {
    pub fn phase_name(&self) -> &'static str {
        Phase::from_code(self.phase as u64).map_or("?", |p| p.name())
    }
}

pub(super) struct Candidates {
    /// The committed snapshot's sequence number and image.
    old_seq: u64,
    old: Vec<u64>,
    /// The image of the snapshot in progress, if one was.
    new: Option<Vec<u64>>,
    report: CrashReport,
    /// Later power losses that struck before RECOVER finished: the
    /// candidates stay those of the first.
    again: Vec<CrashReport>,
}

impl Cosim {
    /// Power fails now: unanswered NVM writes are lost or torn, the cache
    /// and the controller's state are gone; reset, then RECOVER must bring
    /// back the old snapshot or, if its commit record landed, the new one.
    pub(super) fn power_fail(&mut self) {
        let snapshotting = matches!(&self.command, Some(c) if c.op == OP_SNAPSHOT && c.accepted_at.is_some());
        // Power lost again while the controller is still held in reset
        // counts as a loss during recovery.
        let phase = if self.reset_cycles > 0 { 6 } else { self.pins.seq_phase.get() as u8 };
        let report = CrashReport { cycle: self.cycle, phase, torn_writes: 0, recovered: None };
        let old = self.port_ref.snapshot_image();
        let new = snapshotting.then(|| self.port_ref.working_image());
        let torn_writes = self.nvm.power_loss(self.opts.power_loss);
        self.rules.power_loss(&self.nvm);
        let report = CrashReport { torn_writes, ..report };
        match self.pending_recovery.as_mut() {
            Some(pending) => pending.again.push(report),
            None => {
                let old_seq = self.committed_seq;
                self.pending_recovery = Some(Candidates { old_seq, old, new, report, again: Vec::new() });
            }
        }
        self.cache.invalidate_all();
        self.queue.clear();
        self.inflight.clear();
        self.command = None;
        self.stray = None;
        self.flushing = false;
        self.flush_acked = false;
        self.flush_ack_now = false;
        self.wait = Wait::Nothing;
        self.cow_faults_before += self.pins.cow_faults.get();
        self.hardened_before += self.pins.pages_hardened.get();
        self.faults_since_reset = 0;
        self.reset_cycles = RESET_CYCLES;
        self.program.insert(self.next_op, CpuOp::Command(OP_RECOVER));
        if let Some(vm) = self.vm.as_mut() {
            vm.lost_power();
        }
    }

    /// Flips a bit of the sequence word of the target record(s), and works
    /// out what RECOVER must then find.
    pub(super) fn corrupt(&mut self, target: SlotTarget) {
        let committed = self.nvm.committed();
        let fallback = committed.and_then(|c| self.nvm.decode_slot(1 - c.slot));
        let flip = |nvm: &mut Nvm, slot: u64| nvm.flip_bit(nvm.layout().slot_base(slot) + 2, 0);
        if target == SlotTarget::CommittedTable {
            if let Some(r) = committed {
                // Bit 20: a frame number no device has (or a stray bit in an
                // unmapped entry).
                let entry = self.nvm.layout().table_base(r.table);
                self.nvm.flip_bit(entry, 20);
                self.rules.refresh(&self.nvm);
            }
            let image = self.port_ref.snapshot_image();
            self.after_corruption = Some(AfterCorruption { seq: None, image, table_only: true });
            return;
        }
        let (hit_committed, hit_fallback) = match target {
            SlotTarget::Committed => (true, false),
            SlotTarget::Fallback => (false, true),
            SlotTarget::Both => (true, true),
            SlotTarget::CommittedTable => (false, false),
        };
        if let (true, Some(r)) = (hit_committed, committed) {
            flip(&mut self.nvm, r.slot);
        }
        if let (true, Some(r)) = (hit_fallback, fallback) {
            flip(&mut self.nvm, r.slot);
        }
        self.rules.refresh(&self.nvm);
        let current = self.port_ref.snapshot_image();
        self.after_corruption = Some(if !hit_committed {
            AfterCorruption { seq: Some(self.committed_seq), image: current, table_only: false }
        } else if let (false, Some(_), Some(image)) = (hit_fallback, fallback, self.previous_image.clone()) {
            AfterCorruption { seq: Some(self.committed_seq - 1), image, table_only: false }
        } else {
            AfterCorruption { seq: None, image: current, table_only: false }
        });
    }

    /// I2: the image RECOVER rebuilt (read straight from NVM) is exactly
    /// one of the candidates; the references follow it.
    pub(super) fn check_recovery(&mut self, mut c: Candidates) {
        if let Some(AfterCorruption { seq: Some(seq), image, .. }) = self.after_corruption.take() {
            // Damaged at rest, while idle: exactly this snapshot comes back.
            c.old_seq = seq;
            c.old = image;
            c.new = None;
            if seq + 1 == self.committed_seq {
                self.port_ref.load(&self.nvm.committed_image().unwrap_or_default());
                self.cpu_ref.load(&self.nvm.committed_image().unwrap_or_default());
            }
        }
        let mut image = vec![0u64; self.port_ref.logical_words() as usize];
        let words = self.opts.config.page_words;
        for (page, data) in self.nvm.committed_image().unwrap_or_default() {
            image[page as usize * words..(page as usize + 1) * words].copy_from_slice(&data);
        }
        // The record RECOVER must have taken names which snapshot it is.
        let seq = self.nvm.committed().map(|r| r.sequence);
        let (recovered, want) = if seq == Some(c.old_seq) {
            (Recovered::Old, Some(&c.old))
        } else if seq == Some(c.old_seq + 1) && c.new.is_some() {
            (Recovered::New, c.new.as_ref())
        } else {
            (Recovered::Old, None)
        };
        let ok = match want {
            Some(w) if *w == image => true,
            Some(w) => {
                let first = (0..image.len()).find(|&i| image[i] != w[i]).unwrap_or(0);
                self.fail(format!(
                    "I2: power loss at cycle {} ({}) recovered snapshot seq {} whose word {first:#x} is {:#x}, not {:#x}: a mix of old and new",
                    c.report.cycle,
                    c.report.phase_name(),
                    seq.unwrap_or(0),
                    image[first],
                    w[first]
                ));
                false
            }
            None => {
                self.fail(format!(
                    "I2: power loss at cycle {} ({}) left committed sequence {:?}; expected {}{}",
                    c.report.cycle,
                    c.report.phase_name(),
                    seq,
                    c.old_seq,
                    if c.new.is_some() { format!(" or {}", c.old_seq + 1) } else { String::new() }
                ));
                false
            }
        };
        if ok && recovered == Recovered::New {
            self.port_ref.snapshot();
            self.cpu_ref.snapshot();
        }
        if ok {
            self.committed_seq = seq.unwrap_or(0);
        }
        let recovered = ok.then_some(recovered);
        self.port_ref.recover();
        self.cpu_ref.recover();
        self.crashes.push(CrashReport { recovered, ..c.report });
        self.crashes.extend(c.again.iter().map(|r| CrashReport { recovered, ..*r }));
    }
}
