//! SNAPSHOT (contract §1), started once the host port has drained:
//!
//! 1. (host) system state is already in the state pages;
//! 2. `Flush`: flush handshake while the host port stays open for the
//!    write-backs, then `FlushDrain` closes it and drains it;
//! 3. `Identify`: the preceding snapshot's sequence number is read back
//!    from its commit record and checked against the on-chip copy (a
//!    mismatch answers `corrupt`); it gives the new sequence number, slot
//!    and table. `Retire` then invalidates the record in the slot about to
//!    be written (the snapshot before the preceding one), durably;
//! 4. `Harden`: for each page in the previous and the current dirty log,
//!    write its entry of the new image into the inactive NVM table, one
//!    entry a cycle through a four-stage pipeline (A: read the dirty log;
//!    B: look the page up in the table; C: register the entry, so no
//!    block-RAM output reaches the NVM port; D: write it, the next write
//!    issued before the previous one is answered — the NVM port is in
//!    order; behind a back end that makes bursts, a write whose next one,
//!    C's, goes to the next word says so (`GatherCode`), and the back end
//!    makes one bus burst of the run). A write the NVM does not accept
//!    holds D and C, and B and A re-read their RAMs at the addresses they
//!    hold; current-epoch pages also become committed on chip, and the
//!    frames they leave behind are staged for reclaim; `HardenDurable`
//!    waits for every write to be answered;
//! 5. `Commit`: the commit record (`CommitWriter`): the atomic switch;
//! 6. `Finish`: reclaim, swap the dirty logs. Frames the superseded
//!    snapshot alone used stay reserved until the next snapshot commits,
//!    because its record, in the other slot, is the fallback should the
//!    current one be found damaged at rest — unless a COW fault needs them
//!    first (`fallback_release`).
//!
//! Cost after the flush with a zero-wait NVM: D plus a constant, D the
//! entries of both dirty logs, whatever L (exact in `tests/cycles.rs`).

use super::durable_write::DurableWrite;
use super::gather_code::GatherCode;
use crate::codes::{Code, Phase, Status, CODE_BITS};
use crate::config::{COUNTER_BITS, FRAME_BITS, LOG_BITS, NVM_ADDR_BITS, PAGE_BITS};
use crate::dirty_log::DirtyLogMaster;
use crate::frame_allocator::AllocatorControlMaster;
use crate::indirection_table::TableUpdateMaster;
use crate::nvm_arbiter::NvmMaster;
use crate::nvm_layout::{CommitWord, ENTRY_MAPPED_BIT};
use crate::Config;
use rust_hdl::prelude::*;

#[derive(Copy, Clone, PartialEq, Debug, LogicState)]
pub enum SnapshotState {
    Idle,
    Flush,
    FlushDrain,
    Identify,
    IdentifyWait,
    Retire,
    Harden,
    HardenDurable,
    Commit,
    Finish,
}

#[derive(LogicBlock)]
pub struct SnapshotSeq<const D: usize> {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub start: Signal<In, Bit>,
    /// Ends with `status`.
    pub done: Signal<Out, Bit>,
    pub status: Signal<Out, Bits<CODE_BITS>>,
    pub phase: Signal<Out, Bits<CODE_BITS>>,
    /// Flush handshake, and the host port open for its write-backs.
    pub flush_start: Signal<Out, Bit>,
    pub flush_done: Signal<In, Bit>,
    pub host_open: Signal<Out, Bit>,
    pub host_idle: Signal<In, Bit>,
    /// The committed snapshot: its sequence number and table.
    pub seq: Signal<In, Bits<COUNTER_BITS>>,
    pub active_table: Signal<In, Bit>,
    /// The new snapshot, committed by `Finish`.
    pub set_committed: Signal<Out, Bit>,
    pub new_seq_out: Signal<Out, Bits<COUNTER_BITS>>,
    pub new_table_out: Signal<Out, Bit>,
    pub nvm: NvmMaster<D>,
    pub nvm_idle: Signal<In, Bit>,
    pub owns_nvm: Signal<Out, Bit>,
    /// The table's read port, and what it reads.
    pub owns_table: Signal<Out, Bit>,
    pub lookup_page: Signal<Out, Bits<PAGE_BITS>>,
    pub working_mapped: Signal<In, Bit>,
    pub working_frame: Signal<In, Bits<FRAME_BITS>>,
    pub committed_mapped: Signal<In, Bit>,
    pub committed_frame: Signal<In, Bits<FRAME_BITS>>,
    pub table_update: TableUpdateMaster,
    pub log: DirtyLogMaster,
    pub alloc: AllocatorControlMaster,
    /// The commit record: started here, written by the sequencer's
    /// `CommitWriter` with `new_seq_out` and `new_table_out`.
    pub commit_start: Signal<Out, Bit>,
    pub commit_done: Signal<In, Bit>,
    /// Event pulses.
    pub page_hardened: Signal<Out, Bit>,
    pub snapshot_taken: Signal<Out, Bit>,
    state: DFF<SnapshotState>,
    /// Harden stage A: the next dirty-log entry to read, and which log.
    index: DFF<Bits<LOG_BITS>>,
    list_current: DFF<Bit>,
    /// Stage B: the log's output holds an entry (`index_b` of `list_b`).
    valid_b: DFF<Bit>,
    index_b: DFF<Bits<LOG_BITS>>,
    list_b: DFF<Bit>,
    /// Stage C: the table's output holds the entry of `page`.
    valid_c: DFF<Bit>,
    list_c: DFF<Bit>,
    page: DFF<Bits<PAGE_BITS>>,
    /// Stage D: the entry of `page_d` (and the frame its committed entry
    /// leaves behind), written to NVM.
    valid_d: DFF<Bit>,
    list_d: DFF<Bit>,
    page_d: DFF<Bits<PAGE_BITS>>,
    entry_d: DFF<Bits<32>>,
    frame_d: DFF<Bits<FRAME_BITS>>,
    leaves_frame_d: DFF<Bit>,
    left_frame_d: DFF<Bits<FRAME_BITS>>,
    new_seq: DFF<Bits<COUNTER_BITS>>,
    new_table: DFF<Bit>,
    retire: DurableWrite,
    rsp_word: Signal<Local, Bits<32>>,
    list_count: Signal<Local, Bits<COUNTER_BITS>>,
    /// Stage A has read every entry of its log.
    list_end: Signal<Local, Bit>,
    inactive_base: Signal<Local, Bits<NVM_ADDR_BITS>>,
    current_slot_base: Signal<Local, Bits<NVM_ADDR_BITS>>,
    new_slot_base: Signal<Local, Bits<NVM_ADDR_BITS>>,
    entry: Signal<Local, Bits<32>>,
    /// NVM addresses of D's and C's table entries.
    entry_addr_d: Signal<Local, Bits<NVM_ADDR_BITS>>,
    entry_addr_c: Signal<Local, Bits<NVM_ADDR_BITS>>,
    /// D's write runs on to C's when C's entry is the next word (gathered
    /// behind AXI4).
    gather: GatherCode,
    /// Stage D is free for C's entry (empty, or its write goes now); stage
    /// C is free for B's; stage B is free for A's.
    advance_d: Signal<Local, Bit>,
    advance_c: Signal<Local, Bit>,
    advance_b: Signal<Local, Bit>,
    table_a_base: Constant<Bits<NVM_ADDR_BITS>>,
    table_b_base: Constant<Bits<NVM_ADDR_BITS>>,
    /// L − 1: a table write's address takes only a page index's bits, so
    /// no value a register holds can address beyond the inactive table
    /// (I1 then holds for the tables by construction: formal/no_overwrite.v).
    page_mask: Constant<Bits<PAGE_BITS>>,
    slot_1_base: Constant<Bits<NVM_ADDR_BITS>>,
    sequence_word: Constant<Bits<NVM_ADDR_BITS>>,
    mapped_flag: Constant<Bits<32>>,
    status_ok: Constant<Bits<CODE_BITS>>,
    status_corrupt: Constant<Bits<CODE_BITS>>,
    phase_idle: Constant<Bits<CODE_BITS>>,
    phase_flush: Constant<Bits<CODE_BITS>>,
    phase_harden: Constant<Bits<CODE_BITS>>,
    phase_commit: Constant<Bits<CODE_BITS>>,
    phase_reclaim: Constant<Bits<CODE_BITS>>,
}

impl<const D: usize> SnapshotSeq<D> {
    pub fn new(config: &Config) -> Self {
        let layout = config.layout();
        SnapshotSeq {
            clock: Default::default(),
            reset: Default::default(),
            start: Default::default(),
            done: Default::default(),
            status: Default::default(),
            phase: Default::default(),
            flush_start: Default::default(),
            flush_done: Default::default(),
            host_open: Default::default(),
            host_idle: Default::default(),
            seq: Default::default(),
            active_table: Default::default(),
            set_committed: Default::default(),
            new_seq_out: Default::default(),
            new_table_out: Default::default(),
            nvm: Default::default(),
            nvm_idle: Default::default(),
            owns_nvm: Default::default(),
            owns_table: Default::default(),
            lookup_page: Default::default(),
            working_mapped: Default::default(),
            working_frame: Default::default(),
            committed_mapped: Default::default(),
            committed_frame: Default::default(),
            table_update: Default::default(),
            log: Default::default(),
            alloc: Default::default(),
            commit_start: Default::default(),
            commit_done: Default::default(),
            page_hardened: Default::default(),
            snapshot_taken: Default::default(),
            state: Default::default(),
            index: Default::default(),
            list_current: Default::default(),
            valid_b: Default::default(),
            index_b: Default::default(),
            list_b: Default::default(),
            valid_c: Default::default(),
            list_c: Default::default(),
            page: Default::default(),
            valid_d: Default::default(),
            list_d: Default::default(),
            page_d: Default::default(),
            entry_d: Default::default(),
            frame_d: Default::default(),
            leaves_frame_d: Default::default(),
            left_frame_d: Default::default(),
            new_seq: Default::default(),
            new_table: Default::default(),
            retire: Default::default(),
            rsp_word: Default::default(),
            list_count: Default::default(),
            list_end: Default::default(),
            inactive_base: Default::default(),
            current_slot_base: Default::default(),
            new_slot_base: Default::default(),
            entry: Default::default(),
            entry_addr_d: Default::default(),
            entry_addr_c: Default::default(),
            gather: GatherCode::new(config.nvm_bus),
            advance_d: Default::default(),
            advance_c: Default::default(),
            advance_b: Default::default(),
            table_a_base: Constant::new(layout.table_base(0).to_bits()),
            table_b_base: Constant::new(layout.table_base(1).to_bits()),
            page_mask: Constant::new((config.pages as u64 - 1).to_bits()),
            slot_1_base: Constant::new(layout.slot_base(1).to_bits()),
            sequence_word: Constant::new((CommitWord::Sequence as u64).to_bits()),
            mapped_flag: Constant::new((1u64 << ENTRY_MAPPED_BIT).to_bits()),
            status_ok: Constant::new(Status::Ok.bits()),
            status_corrupt: Constant::new(Status::Corrupt.bits()),
            phase_idle: Constant::new(Phase::Idle.bits()),
            phase_flush: Constant::new(Phase::Flush.bits()),
            phase_harden: Constant::new(Phase::Harden.bits()),
            phase_commit: Constant::new(Phase::Commit.bits()),
            phase_reclaim: Constant::new(Phase::Reclaim.bits()),
        }
    }
}

impl<const D: usize> Logic for SnapshotSeq<D> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            state,
            index,
            list_current,
            valid_b,
            index_b,
            list_b,
            valid_c,
            list_c,
            page,
            valid_d,
            list_d,
            page_d,
            entry_d,
            frame_d,
            leaves_frame_d,
            left_frame_d,
            new_seq,
            new_table
        );
        clock!(self, clock, retire);
        self.retire.reset.next = self.reset.val();
        self.retire.req_ready.next = self.nvm.req_ready.val();
        self.retire.nvm_idle.next = self.nvm_idle.val();
        self.rsp_word.next = bit_cast::<32, D>(self.nvm.rsp_rdata.val());
        // One assignment, outside the state match and from registers and
        // inputs only, so Verilator can split it from this process, which
        // reads `retire.done` (else the two processes form a loop it must
        // iterate).
        self.retire.start.next = (self.state.q.val() == SnapshotState::IdentifyWait)
            & self.nvm.rsp_valid.val()
            & (bit_cast::<COUNTER_BITS, D>(self.nvm.rsp_rdata.val()) == self.seq.val());
        // Derived values.
        self.list_count.next = self.log.previous_count.val();
        if self.list_current.q.val() {
            self.list_count.next = self.log.current_count.val();
        }
        self.list_end.next = bit_cast::<COUNTER_BITS, LOG_BITS>(self.index.q.val()) == self.list_count.val();
        self.inactive_base.next = self.table_b_base.val();
        if self.active_table.val() {
            self.inactive_base.next = self.table_a_base.val();
        }
        // A record with sequence number s lives in slot s mod 2.
        self.current_slot_base.next = 0.into();
        if self.seq.val().get_bit(0) {
            self.current_slot_base.next = self.slot_1_base.val();
        }
        self.new_slot_base.next = 0.into();
        if self.new_seq.q.val().get_bit(0) {
            self.new_slot_base.next = self.slot_1_base.val();
        }
        self.entry.next = 0.into();
        if self.working_mapped.val() {
            self.entry.next = bit_cast::<32, FRAME_BITS>(self.working_frame.val()) | self.mapped_flag.val();
        }
        self.advance_d.next = !self.valid_d.q.val() | self.nvm.req_ready.val();
        self.advance_c.next = !self.valid_c.q.val() | self.advance_d.val();
        self.advance_b.next = self.advance_c.val() | !self.valid_b.q.val();
        // Outputs idle by default.
        self.done.next = false;
        self.status.next = self.status_ok.val();
        self.flush_start.next = false;
        self.host_open.next = self.state.q.val() == SnapshotState::Flush;
        self.set_committed.next = false;
        self.new_seq_out.next = self.new_seq.q.val();
        self.new_table_out.next = self.new_table.q.val();
        self.nvm.req_valid.next = false;
        self.nvm.req_write.next = true;
        self.nvm.req_addr.next = 0.into();
        self.nvm.req_wdata.next = 0.into();
        self.owns_nvm.next = (self.state.q.val() != SnapshotState::Idle)
            & (self.state.q.val() != SnapshotState::Flush)
            & (self.state.q.val() != SnapshotState::FlushDrain)
            & (self.state.q.val() != SnapshotState::Finish);
        self.owns_table.next =
            (self.state.q.val() != SnapshotState::Idle) & (self.state.q.val() != SnapshotState::Flush) & (self.state.q.val() != SnapshotState::FlushDrain);
        self.lookup_page.next = self.page.q.val();
        self.table_update.ct_write.next = false;
        self.table_update.ct_page.next = self.page_d.q.val();
        self.table_update.ct_mapped.next = true;
        self.table_update.ct_frame.next = self.frame_d.q.val();
        self.table_update.wt_clear.next = false;
        self.table_update.wt_page.next = self.page_d.q.val();
        self.log.read_index.next = self.index.q.val();
        self.log.read_previous.next = !self.list_current.q.val();
        self.log.swap.next = false;
        self.log.drop.next = false;
        self.log.clear.next = false;
        self.alloc.push.next = false;
        self.alloc.push_frame.next = self.left_frame_d.q.val();
        self.alloc.commit.next = false;
        self.alloc.publish.next = false;
        self.alloc.rollback.next = false;
        self.alloc.init.next = false;
        self.commit_start.next = false;
        self.page_hardened.next = false;
        self.snapshot_taken.next = false;
        // Harden D's table entry. The next write is C's: gathered if it
        // goes to the next word of the same aligned block.
        self.entry_addr_d.next = self.inactive_base.val() + bit_cast::<NVM_ADDR_BITS, PAGE_BITS>(self.page_d.q.val() & self.page_mask.val());
        self.entry_addr_c.next = self.inactive_base.val() + bit_cast::<NVM_ADDR_BITS, PAGE_BITS>(self.page.q.val() & self.page_mask.val());
        self.gather.addr.next = self.entry_addr_d.val();
        self.gather.next_joins.next = self.valid_c.q.val() & (self.entry_addr_c.val() == self.entry_addr_d.val() + 1);
        self.phase.next = self.phase_harden.val();
        match self.state.q.val() {
            SnapshotState::Idle => {
                self.phase.next = self.phase_idle.val();
                if self.start.val() {
                    self.flush_start.next = true;
                    self.state.d.next = SnapshotState::Flush;
                }
            }
            SnapshotState::Flush => {
                self.phase.next = self.phase_flush.val();
                if self.flush_done.val() {
                    self.state.d.next = SnapshotState::FlushDrain;
                }
            }
            SnapshotState::FlushDrain => {
                self.phase.next = self.phase_flush.val();
                if self.host_idle.val() {
                    self.state.d.next = SnapshotState::Identify;
                }
            }
            SnapshotState::Identify => {
                // Read the preceding snapshot's sequence number from its
                // commit record; the on-chip copy must agree.
                self.new_seq.d.next = self.seq.val() + 1;
                self.new_table.d.next = !self.active_table.val();
                self.nvm.req_valid.next = true;
                self.nvm.req_write.next = false;
                self.nvm.req_addr.next = self.current_slot_base.val() + self.sequence_word.val();
                if self.nvm.req_ready.val() {
                    self.state.d.next = SnapshotState::IdentifyWait;
                }
            }
            SnapshotState::IdentifyWait => {
                if self.nvm.rsp_valid.val() {
                    if bit_cast::<COUNTER_BITS, 32>(self.rsp_word.val()) == self.seq.val() {
                        self.state.d.next = SnapshotState::Retire;
                    } else {
                        self.status.next = self.status_corrupt.val();
                        self.done.next = true;
                        self.state.d.next = SnapshotState::Idle;
                    }
                }
            }
            SnapshotState::Retire => {
                // The slot about to be written holds the snapshot before the
                // preceding one, whose table the harden overwrites: retire
                // its record first (its magic word), durably.
                self.nvm.req_valid.next = self.retire.req_valid.val();
                self.nvm.req_addr.next = self.new_slot_base.val();
                if self.retire.done.val() {
                    self.index.d.next = 0.into();
                    self.list_current.d.next = false;
                    self.valid_b.d.next = false;
                    self.valid_c.d.next = false;
                    self.valid_d.d.next = false;
                    self.state.d.next = SnapshotState::Harden;
                }
            }
            SnapshotState::Harden => {
                // D: the registered entry goes to NVM.
                self.nvm.req_valid.next = self.valid_d.q.val();
                self.nvm.req_addr.next = self.gather.req_addr.val();
                self.nvm.req_wdata.next = bit_cast::<D, 32>(self.entry_d.q.val());
                if self.valid_d.q.val() & self.nvm.req_ready.val() {
                    self.page_hardened.next = true;
                    if self.list_d.q.val() {
                        // Commit the page on chip (clearing its epoch tag) and
                        // stage the frame the old snapshot used for reclaim.
                        self.table_update.ct_write.next = true;
                        self.table_update.wt_clear.next = true;
                        self.alloc.push.next = self.leaves_frame_d.q.val();
                    }
                }
                // C → D: the entry the table read last cycle is registered.
                if self.advance_d.val() {
                    self.valid_d.d.next = self.valid_c.q.val();
                    self.list_d.d.next = self.list_c.q.val();
                    self.page_d.d.next = self.page.q.val();
                    self.entry_d.d.next = self.entry.val();
                    self.frame_d.d.next = self.working_frame.val();
                    self.leaves_frame_d.d.next = self.committed_mapped.val();
                    self.left_frame_d.d.next = self.committed_frame.val();
                }
                // B → C: the table looks up the page the log read last
                // cycle; a held C has it look up C's page again.
                if self.advance_c.val() {
                    self.valid_c.d.next = self.valid_b.q.val();
                    self.list_c.d.next = self.list_b.q.val();
                    self.page.d.next = self.log.read_page.val();
                    self.lookup_page.next = self.log.read_page.val();
                }
                // A → B: the log reads the next entry; a held B has it
                // read B's entry again.
                if self.advance_b.val() {
                    if self.list_end.val() {
                        self.valid_b.d.next = false;
                        if !self.list_current.q.val() {
                            self.index.d.next = 0.into();
                            self.list_current.d.next = true;
                        }
                    } else {
                        self.valid_b.d.next = true;
                        self.index_b.d.next = self.index.q.val();
                        self.list_b.d.next = self.list_current.q.val();
                        self.index.d.next = self.index.q.val() + 1;
                    }
                } else {
                    self.log.read_index.next = self.index_b.q.val();
                    self.log.read_previous.next = !self.list_b.q.val();
                }
                if self.list_current.q.val() & self.list_end.val() & !self.valid_b.q.val() & !self.valid_c.q.val() & !self.valid_d.q.val() {
                    self.state.d.next = SnapshotState::HardenDurable;
                }
            }
            SnapshotState::HardenDurable => {
                if self.nvm_idle.val() {
                    self.commit_start.next = true;
                    self.state.d.next = SnapshotState::Commit;
                }
            }
            SnapshotState::Commit => {
                self.phase.next = self.phase_commit.val();
                if self.commit_done.val() {
                    self.state.d.next = SnapshotState::Finish;
                }
            }
            SnapshotState::Finish => {
                self.phase.next = self.phase_reclaim.val();
                self.set_committed.next = true;
                self.alloc.commit.next = true;
                self.log.swap.next = true;
                self.snapshot_taken.next = true;
                self.done.next = true;
                self.state.d.next = SnapshotState::Idle;
            }
            _ => {
                self.state.d.next = SnapshotState::Idle;
            }
        }
        if self.reset.val() {
            self.state.d.next = SnapshotState::Idle;
        }
    }
}

#[cfg(test)]
#[path = "snapshot_tests.rs"]
mod tests;
