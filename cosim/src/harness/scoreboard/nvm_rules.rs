//! What the controller may do on the NVM port, checked on every cycle and
//! every write:
//!
//! * **Valid/ready**: a request offered and not accepted is offered again in
//!   the next cycle, with the same direction, address and (for a write)
//!   data.
//! * **In the device**: no request beyond its last word.
//! * **I1**: no write to a valid record's slot, its table, or a frame that
//!   table references. The records counted valid are those of the current
//!   contents *and* those a power loss could leave (the durable contents,
//!   every unanswered write undone), so a frame is writable only once the
//!   record that used it is durably invalid. The magic word of any record
//!   but the newest may be overwritten: that is how a record is retired.
//!   FORMAT is exempt while it runs: erasing everything is what it is for.
//! * **Commit order**: a record's magic word is written only when none of
//!   its other words has a write in flight.

use crate::nvm::{CommitRecord, Nvm};
use pmsnap_hdl::nvm_layout::{COMMIT_MAGIC, SLOT_WORDS};

/// What the controller offers on the NVM port in a cycle.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NvmRequest {
    pub valid: bool,
    /// The NVM's `mem_req_ready` in that cycle.
    pub ready: bool,
    pub write: bool,
    pub addr: u64,
    pub wdata: u64,
}

impl NvmRequest {
    pub fn accepted(&self) -> bool {
        self.valid && self.ready
    }
}

#[derive(Default)]
pub struct NvmRules {
    /// Per frame: referenced by the table of a valid commit record.
    protected: Vec<bool>,
    /// Records valid in the current or in the durable contents.
    valid: Vec<CommitRecord>,
    /// The newest of them: its magic word is protected too.
    newest: Option<CommitRecord>,
    /// The request offered last cycle and not accepted: (write, address,
    /// data), and the cycle it was first offered.
    offered: Option<(bool, u64, u64, u64)>,
    /// A FORMAT is running: I1 does not apply.
    pub erasing: bool,
}

impl NvmRules {
    pub fn new(nvm: &Nvm) -> NvmRules {
        let mut rules = NvmRules::default();
        rules.refresh(nvm);
        rules
    }

    /// The commit slots may have changed (a slot write accepted or
    /// answered, a power loss, damage at rest): decode them again.
    pub fn refresh(&mut self, nvm: &Nvm) {
        let mut valid: Vec<CommitRecord> = (0..2).flat_map(|s| [nvm.decode_slot(s), nvm.decode_durable_slot(s)]).flatten().collect();
        valid.dedup();
        self.valid = valid;
        self.newest = self.valid.iter().copied().max_by_key(|r| r.sequence);
        self.protected = vec![false; nvm.layout().frames as usize];
        for r in &self.valid {
            for (_, frame) in nvm.table_frames(r.table) {
                if let Some(p) = self.protected.get_mut(frame as usize) {
                    *p = true;
                }
            }
        }
    }

    /// A power loss: nothing is offered any more.
    pub fn power_loss(&mut self, nvm: &Nvm) {
        self.offered = None;
        self.refresh(nvm);
    }

    /// The valid/ready rule for `cycle`'s request.
    pub fn check_port(&mut self, cycle: u64, word_mask: u64, r: NvmRequest) -> Result<(), String> {
        let NvmRequest { valid, ready, write, addr, wdata } = r;
        let now = (write, addr, if write { wdata & word_mask } else { 0 });
        if let Some((w, a, d, since)) = self.offered.take() {
            let kind = |w: bool| if w { "write" } else { "read" };
            if !valid {
                return Err(format!(
                    "NVM port: the {} of {a:#x} offered since cycle {since} was withdrawn before it was accepted (mem_req_valid fell)",
                    kind(w)
                ));
            }
            if now != (w, a, d) {
                return Err(format!(
                    "NVM port: the {} of {d:#x} to {a:#x} offered since cycle {since} changed to a {} of {:#x} to {addr:#x} before it was accepted",
                    kind(w),
                    kind(write),
                    now.2
                ));
            }
            if !ready {
                self.offered = Some((w, a, d, since));
            }
            return Ok(());
        }
        if valid && !ready {
            self.offered = Some((now.0, now.1, now.2, cycle));
        }
        Ok(())
    }

    /// A request the NVM is about to accept.
    pub fn check_access(&self, nvm: &Nvm, write: bool, addr: u64, wdata: u64) -> Result<(), String> {
        if !nvm.holds(addr) {
            let kind = if write { "write" } else { "read" };
            return Err(format!("NVM {kind} at word address {addr:#x}, beyond the device's {} words", nvm.layout().total_words()));
        }
        if write {
            self.check_i1(nvm, addr)?;
            check_commit_order(nvm, addr, wdata & nvm.word_mask())?;
        }
        Ok(())
    }

    fn check_i1(&self, nvm: &Nvm, addr: u64) -> Result<(), String> {
        if self.erasing {
            return Ok(());
        }
        let layout = nvm.layout();
        for r in &self.valid {
            let slot = layout.slot_base(r.slot);
            let table = layout.table_base(r.table);
            let retiring = Some(*r) != self.newest && addr == slot;
            let hit = if (slot..slot + SLOT_WORDS).contains(&addr) && !retiring {
                Some(format!("commit slot {}", r.slot))
            } else if (table..table + layout.pages).contains(&addr) {
                Some(format!("table {} (entry of page {})", r.table, addr - table))
            } else {
                None
            };
            if let Some(what) = hit {
                return Err(format!("I1: NVM write to {addr:#x}, in {what} of the valid commit record seq {}", r.sequence));
            }
        }
        if let Some(frame) = layout.frame_of(addr) {
            if self.protected[frame as usize] {
                return Err(format!("I1: NVM write to {addr:#x}, in frame {frame}, which a valid snapshot's table references"));
            }
        }
        Ok(())
    }
}

/// Whether a write at `addr` changes a commit slot.
pub fn in_slots(addr: u64) -> bool {
    addr < 2 * SLOT_WORDS
}

/// The switch to a record is its magic word: every other word must be
/// durable before it is written.
fn check_commit_order(nvm: &Nvm, addr: u64, data: u64) -> Result<(), String> {
    if !in_slots(addr) || !addr.is_multiple_of(SLOT_WORDS) || data != COMMIT_MAGIC as u64 {
        return Ok(());
    }
    match nvm.unanswered_writes().find(|&i| i > addr && i < addr + SLOT_WORDS) {
        Some(i) => Err(format!(
            "commit order: the magic word of commit slot {} was written while the write of its word {} was not yet answered (durable)",
            addr / SLOT_WORDS,
            i - addr
        )),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nvm::formatted;
    use pmsnap_hdl::nvm_layout::commit_record;

    /// Checks and accepts a write as the harness does (slots decoded again
    /// when they change); answered at once when `answer`.
    fn put(rules: &mut NvmRules, nvm: &mut Nvm, cycle: u64, addr: u64, data: u64, answer: bool) -> Result<(), String> {
        rules.check_access(nvm, true, addr, data)?;
        nvm.accept(cycle, true, addr, data);
        if in_slots(addr) {
            rules.refresh(nvm);
        }
        if answer {
            nvm.retire();
            rules.refresh(nvm);
        }
        Ok(())
    }

    #[test]
    fn i1_refuses_writes_the_committed_snapshot_depends_on() {
        let (mut nvm, c) = formatted();
        let mut rules = NvmRules::new(&nvm);
        let l = c.layout();
        for addr in [9, l.table_base(1), l.frame_base(3) + 1] {
            let e = put(&mut rules, &mut nvm, 100, addr, 1, true).unwrap_err();
            assert!(e.starts_with("I1: "), "{e}");
        }
        // Free frames, the other table and the other slot are fair game.
        for addr in [l.frame_base(0), l.table_base(0), 0] {
            put(&mut rules, &mut nvm, 100, addr, 1, true).unwrap();
        }
        rules.check_access(&nvm, false, 9, 0).unwrap();
        assert!(rules.check_access(&nvm, false, l.total_words(), 0).unwrap_err().contains("beyond the device"));
        // FORMAT erases everything.
        rules.erasing = true;
        put(&mut rules, &mut nvm, 100, 9, 1, true).unwrap();
    }

    #[test]
    fn a_frame_stays_protected_until_its_record_is_durably_retired() {
        let (mut nvm, c) = formatted();
        let mut rules = NvmRules::new(&nvm);
        let l = c.layout();
        // A newer record (seq 2, table 0: page 1 in frame 4) makes slot 1's
        // record (seq 1, page 2 in frame 3) the fallback.
        put(&mut rules, &mut nvm, 100, l.table_base(0) + 1, 1 << 31 | 4, true).unwrap();
        for (i, w) in commit_record(&c, 2, 0).iter().enumerate().skip(1) {
            put(&mut rules, &mut nvm, 101, i as u64, *w as u64, true).unwrap();
        }
        put(&mut rules, &mut nvm, 102, 0, COMMIT_MAGIC as u64, true).unwrap();
        assert_eq!(nvm.committed().map(|r| r.sequence), Some(2));
        // Retire the fallback: its magic may be overwritten, but until that
        // write is answered a power loss could bring the record back.
        put(&mut rules, &mut nvm, 200, 8, 0, false).unwrap();
        let e = put(&mut rules, &mut nvm, 201, l.frame_base(3), 7, false).unwrap_err();
        assert!(e.starts_with("I1: ") && e.contains("frame 3"), "{e}");
        nvm.retire();
        rules.refresh(&nvm);
        put(&mut rules, &mut nvm, 202, l.frame_base(3), 7, true).unwrap();
        // The newest record's magic is never fair game.
        assert!(put(&mut rules, &mut nvm, 203, 0, 0, true).unwrap_err().starts_with("I1: "));
    }

    #[test]
    fn the_magic_word_waits_for_the_rest_of_its_record() {
        let (mut nvm, c) = formatted();
        let mut rules = NvmRules::new(&nvm);
        let record = commit_record(&c, 2, 0);
        for (i, w) in record.iter().enumerate().skip(1) {
            put(&mut rules, &mut nvm, 100 + i as u64, i as u64, *w as u64, false).unwrap();
        }
        for _ in 1..7 {
            nvm.retire();
        }
        // Word 7 (the checksum) is still in flight.
        let e = put(&mut rules, &mut nvm, 110, 0, COMMIT_MAGIC as u64, false).unwrap_err();
        assert!(e.starts_with("commit order: ") && e.contains("word 7"), "{e}");
        nvm.retire();
        put(&mut rules, &mut nvm, 111, 0, COMMIT_MAGIC as u64, false).unwrap();
    }

    #[test]
    fn an_offered_request_must_stay_put_until_accepted() {
        let mut rules = NvmRules::default();
        let mask = u32::MAX as u64;
        let req = |valid, ready, write, addr, wdata| NvmRequest { valid, ready, write, addr, wdata };
        // Offered, not accepted, offered again unchanged, then accepted.
        rules.check_port(10, mask, req(true, false, true, 40, 5)).unwrap();
        rules.check_port(11, mask, req(true, false, true, 40, 5)).unwrap();
        rules.check_port(12, mask, req(true, true, true, 40, 5)).unwrap();
        // A read's data lines carry nothing: they may change.
        rules.check_port(13, mask, req(true, false, false, 40, 1)).unwrap();
        rules.check_port(14, mask, req(true, true, false, 40, 2)).unwrap();
        for (valid, write, addr, data, what) in
            [(true, true, 44, 5, "changed"), (true, true, 40, 6, "changed"), (true, false, 40, 5, "changed"), (false, true, 40, 5, "withdrawn")]
        {
            rules.check_port(20, mask, req(true, false, true, 40, 5)).unwrap();
            let e = rules.check_port(21, mask, req(valid, false, write, addr, data)).unwrap_err();
            assert!(e.starts_with("NVM port: ") && e.contains(what) && e.contains("since cycle 20"), "{e}");
        }
    }
}
