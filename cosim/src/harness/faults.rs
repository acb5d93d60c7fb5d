//! Fault injection: the knobs that break the host, the NVM or the records
//! on purpose, so tests can show that the checks catch what they promise.
//! None of them is a user option of a normal run.

use super::scoreboard::recovery::AfterCorruption;
use super::scoreboard::Scoreboard;
use crate::nvm::Nvm;

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

/// The faults a run injects (none by default).
#[derive(Clone, Debug, Default)]
pub struct Faults {
    /// A host that acknowledges the flush without writing its dirty lines
    /// back.
    pub broken_flush: bool,
    /// A lying NVM that also loses this many answered writes at a power
    /// loss (see `Nvm::forget_answered`).
    pub nvm_forgets_answered: usize,
    /// Damage commit records at rest: at each (cycle, target) — or the
    /// first cycle after it with no command running — flip a bit of the
    /// target. The next RECOVER must notice (checksum) and fall back.
    pub corrupt_at: Vec<(u64, SlotTarget)>,
    /// Send a RESTORE while each SNAPSHOT runs: it must be answered busy.
    pub busy_probe: bool,
    /// Do not FORMAT after the first RECOVER: the workload runs on an
    /// unmounted controller, where every request and command must fail.
    pub skip_format: bool,
}

/// Applies `Faults::corrupt_at` as the run goes.
pub(super) struct FaultInjector {
    corrupt_at: Vec<(u64, SlotTarget)>,
    done: usize,
}

impl FaultInjector {
    pub fn new(faults: &Faults) -> FaultInjector {
        FaultInjector { corrupt_at: faults.corrupt_at.clone(), done: 0 }
    }

    /// The record damage due in `cycle`, if any (applied once the device
    /// is at rest: formatted, no command, NVM idle, not in reset).
    #[inline]
    pub fn due(&self, cycle: u64) -> Option<SlotTarget> {
        self.corrupt_at.get(self.done).filter(|&&(at, _)| cycle >= at).map(|&(_, target)| target)
    }

    /// Applies the damage `due` named.
    pub fn corrupt(&mut self, target: SlotTarget, nvm: &mut Nvm, board: &mut Scoreboard) {
        corrupt(nvm, board, target);
        self.done += 1;
    }
}

/// Flips a bit of the sequence word of the target record(s), and tells the
/// scoreboard what RECOVER must then find.
fn corrupt(nvm: &mut Nvm, board: &mut Scoreboard, target: SlotTarget) {
    let committed = nvm.committed();
    let fallback = committed.and_then(|c| nvm.decode_slot(1 - c.slot));
    let flip = |nvm: &mut Nvm, slot: u64| nvm.flip_bit(nvm.layout().slot_base(slot) + 2, 0);
    if target == SlotTarget::CommittedTable {
        if let Some(r) = committed {
            // Bit 20: a frame number no device has (or a stray bit in an
            // unmapped entry).
            let entry = nvm.layout().table_base(r.table);
            nvm.flip_bit(entry, 20);
            board.rules.refresh(nvm);
        }
        let image = board.port_ref.snapshot_image();
        board.after_corruption = Some(AfterCorruption { seq: None, image, table_only: true });
        return;
    }
    let (hit_committed, hit_fallback) = match target {
        SlotTarget::Committed => (true, false),
        SlotTarget::Fallback => (false, true),
        SlotTarget::Both => (true, true),
        SlotTarget::CommittedTable => (false, false),
    };
    if let (true, Some(r)) = (hit_committed, committed) {
        flip(nvm, r.slot);
    }
    if let (true, Some(r)) = (hit_fallback, fallback) {
        flip(nvm, r.slot);
    }
    board.rules.refresh(nvm);
    let current = board.port_ref.snapshot_image();
    let seq = board.committed_seq;
    board.after_corruption = Some(if !hit_committed {
        AfterCorruption { seq: Some(seq), image: current, table_only: false }
    } else if let (false, Some(_), Some(image)) = (hit_fallback, fallback, board.previous_image.clone()) {
        AfterCorruption { seq: Some(seq - 1), image, table_only: false }
    } else {
        AfterCorruption { seq: None, image: current, table_only: false }
    });
}
