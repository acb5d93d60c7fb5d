//! RECOVER (after reset, or any time): mount the last committed snapshot.
//!
//! 1. `Slots`: read both commit slots; `CommitCheck` checks each as its
//!    words come back: magic, version, sizes, table 0/1, checksum.
//! 2. `Decide`: take the valid record with the higher sequence number. None
//!    valid: `unformatted` if no slot has the magic word, `corrupt` if one
//!    has (a record damaged at rest); the device stays unmounted.
//! 3. `Retire`: invalidate the other slot, durably (its table is about to
//!    become a copy of the committed one).
//! 4. `Load`: read the committed table's entries, one request a cycle
//!    without waiting for the answers; as each comes back, load `ct`, clear
//!    `wt`, and note the page as its frame's owner in `frame_owner`. An
//!    entry naming a frame ≥ F, or a stray bit in an unmapped entry, is
//!    `corrupt`.
//! 5. `Copy`: write every entry, from `ct`, into the other table, one a
//!    cycle, so both tables agree (the dirty logs that said where they
//!    differ were lost). A refused write holds the two stages (table read,
//!    write), which re-read at the page they hold.
//! 6. `Free`: for each frame, read its noted owner, then the owner's entry
//!    in `ct`: the frame is used only if that entry names it; push every
//!    other frame onto the free ring (the verdict registered first, so the
//!    table's output meets only the compare). No clearing pass is needed: a stale
//!    note either names a page that does map the frame (so it is used) or
//!    fails the check. `Check`: two entries naming one frame leave too few
//!    frames free: `corrupt`. Otherwise mount, epoch 1.
//!
//! Cost with a zero-wait NVM: 2L + F plus a constant (exact in
//! `tests/cycles.rs`).

use super::commit_check::CommitCheck;
use super::durable_write::DurableWrite;
use crate::codes::{Code, Status, CODE_BITS};
use crate::config::{COUNTER_BITS, FRAME_BITS, NVM_ADDR_BITS, PAGE_BITS};
use crate::frame_allocator::AllocatorControlMaster;
use crate::indirection_table::TableUpdateMaster;
use crate::nvm_arbiter::NvmMaster;
use crate::nvm_layout::{ENTRY_MAPPED_BIT, SLOT_WORDS};
use crate::sync_ram::SyncRam;
use crate::Config;
use rust_hdl::prelude::*;

// Kernels spell the entry's mapped bit as 31 (rust-hdl copies literals into
// the Verilog; it cannot name a Rust constant).
const _: () = assert!(ENTRY_MAPPED_BIT == 31);

#[derive(Copy, Clone, PartialEq, Debug, LogicState)]
pub enum RecoverState {
    Idle,
    Slots,
    Decide,
    Retire,
    Load,
    Copy,
    Free,
    Check,
}

#[derive(LogicBlock)]
pub struct RecoverSeq<const D: usize> {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub start: Signal<In, Bit>,
    pub done: Signal<Out, Bit>,
    pub status: Signal<Out, Bits<CODE_BITS>>,
    /// Unmounted at the start; the committed record found (`Decide`); mounted
    /// at the end if all is well.
    pub unmount: Signal<Out, Bit>,
    pub mount: Signal<Out, Bit>,
    pub set_committed: Signal<Out, Bit>,
    pub found_seq: Signal<Out, Bits<COUNTER_BITS>>,
    pub found_table: Signal<Out, Bit>,
    /// The committed table, once `set_committed` has set it.
    pub active_table: Signal<In, Bit>,
    pub nvm: NvmMaster<D>,
    pub nvm_idle: Signal<In, Bit>,
    pub owns_nvm: Signal<Out, Bit>,
    pub owns_table: Signal<Out, Bit>,
    pub table_update: TableUpdateMaster,
    /// The table's read port (`Copy`, `Free`) and the committed entry it
    /// reads.
    pub lookup_page: Signal<Out, Bits<PAGE_BITS>>,
    pub committed_mapped: Signal<In, Bit>,
    pub committed_frame: Signal<In, Bits<FRAME_BITS>>,
    pub log_clear: Signal<Out, Bit>,
    pub alloc: AllocatorControlMaster,
    state: DFF<RecoverState>,
    /// Slots: words asked for; Load, Copy: page asked for; Free: frame.
    index: DFF<Bits<COUNTER_BITS>>,
    /// Load: entries answered; the one taken last cycle, and its page.
    answered: DFF<Bits<COUNTER_BITS>>,
    entry_valid: DFF<Bit>,
    entry_page: DFF<Bits<COUNTER_BITS>>,
    /// Copy: the page whose entry the table read (stage B); Free: the
    /// frame whose owner `frame_owner` read (B), then whose owner's entry
    /// the table read (C).
    valid_b: DFF<Bit>,
    item_b: DFF<Bits<COUNTER_BITS>>,
    valid_c: DFF<Bit>,
    item_c: DFF<Bits<COUNTER_BITS>>,
    /// Free: the frame `item_d` was found free (stage D): pushed.
    valid_d: DFF<Bit>,
    item_d: DFF<Bits<COUNTER_BITS>>,
    /// The slot to retire: 1 when the committed record is in slot 0.
    other_slot: DFF<Bit>,
    entry_reg: DFF<Bits<32>>,
    /// `entry_reg` is corrupt (a frame ≥ F, or a stray bit in an unmapped
    /// entry), judged as the word comes in: the compare's carry chain ends
    /// in a register, not in `corrupt`'s enable.
    entry_bad: DFF<Bit>,
    mapped_count: DFF<Bits<COUNTER_BITS>>,
    /// Frames neither mapped nor pushed free yet (F − mapped − pushed,
    /// modulo 2^32), and whether it is 0 after this cycle's push: kept as a
    /// register so the final check is one bit, not an adder.
    unaccounted: DFF<Bits<COUNTER_BITS>>,
    all_accounted: DFF<Bit>,
    corrupt: DFF<Bit>,
    /// For each frame, the last page noted as mapping it.
    frame_owner: SyncRam<Bits<PAGE_BITS>, FRAME_BITS>,
    check: CommitCheck,
    retire: DurableWrite,
    rsp_word: Signal<Local, Bits<32>>,
    /// Copy's stage B is free for the next page (empty, or its write goes
    /// now).
    advance: Signal<Local, Bit>,
    /// `index` has not reached the end of its walk: the pages (Load,
    /// Copy) or the frames (Free).
    walking: Signal<Local, Bit>,
    committed_base: Signal<Local, Bits<NVM_ADDR_BITS>>,
    inactive_base: Signal<Local, Bits<NVM_ADDR_BITS>>,
    pages: Constant<Bits<COUNTER_BITS>>,
    frames: Constant<Bits<COUNTER_BITS>>,
    slot_words: Constant<Bits<COUNTER_BITS>>,
    table_a_base: Constant<Bits<NVM_ADDR_BITS>>,
    table_b_base: Constant<Bits<NVM_ADDR_BITS>>,
    slot_1_base: Constant<Bits<NVM_ADDR_BITS>>,
    /// An entry's mapped bit, as a data word.
    mapped_word: Constant<Bits<D>>,
    status_ok: Constant<Bits<CODE_BITS>>,
    status_unformatted: Constant<Bits<CODE_BITS>>,
    status_corrupt: Constant<Bits<CODE_BITS>>,
}

impl<const D: usize> RecoverSeq<D> {
    pub fn new(config: &Config) -> Self {
        let layout = config.layout();
        let value = |v: u64| Constant::new(v.to_bits());
        RecoverSeq {
            clock: Default::default(),
            reset: Default::default(),
            start: Default::default(),
            done: Default::default(),
            status: Default::default(),
            unmount: Default::default(),
            mount: Default::default(),
            set_committed: Default::default(),
            found_seq: Default::default(),
            found_table: Default::default(),
            active_table: Default::default(),
            nvm: Default::default(),
            nvm_idle: Default::default(),
            owns_nvm: Default::default(),
            owns_table: Default::default(),
            table_update: Default::default(),
            lookup_page: Default::default(),
            committed_mapped: Default::default(),
            committed_frame: Default::default(),
            log_clear: Default::default(),
            alloc: Default::default(),
            state: Default::default(),
            index: Default::default(),
            answered: Default::default(),
            entry_valid: Default::default(),
            entry_page: Default::default(),
            valid_b: Default::default(),
            item_b: Default::default(),
            valid_c: Default::default(),
            valid_d: Default::default(),
            item_d: Default::default(),
            item_c: Default::default(),
            other_slot: Default::default(),
            entry_reg: Default::default(),
            entry_bad: Default::default(),
            mapped_count: Default::default(),
            unaccounted: Default::default(),
            all_accounted: Default::default(),
            corrupt: Default::default(),
            frame_owner: SyncRam::new(config.frames),
            check: CommitCheck::new(config),
            retire: Default::default(),
            rsp_word: Default::default(),
            advance: Default::default(),
            walking: Default::default(),
            committed_base: Default::default(),
            inactive_base: Default::default(),
            pages: value(config.pages as u64),
            frames: value(config.frames as u64),
            slot_words: value(2 * SLOT_WORDS),
            table_a_base: Constant::new(layout.table_base(0).to_bits()),
            table_b_base: Constant::new(layout.table_base(1).to_bits()),
            slot_1_base: Constant::new(layout.slot_base(1).to_bits()),
            mapped_word: Constant::new((1u64 << ENTRY_MAPPED_BIT).to_bits()),
            status_ok: Constant::new(Status::Ok.bits()),
            status_unformatted: Constant::new(Status::Unformatted.bits()),
            status_corrupt: Constant::new(Status::Corrupt.bits()),
        }
    }
}

impl<const D: usize> Logic for RecoverSeq<D> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            state,
            index,
            answered,
            entry_valid,
            entry_page,
            valid_b,
            item_b,
            valid_c,
            item_c,
            valid_d,
            item_d,
            other_slot,
            entry_reg,
            entry_bad,
            mapped_count,
            unaccounted,
            all_accounted,
            corrupt
        );
        clock!(self, clock, retire, check);
        self.frame_owner.clock.next = self.clock.val();
        self.retire.reset.next = self.reset.val();
        self.retire.start.next = false;
        self.retire.req_ready.next = self.nvm.req_ready.val();
        self.retire.nvm_idle.next = self.nvm_idle.val();
        self.frame_owner.write_enable.next = false;
        self.frame_owner.write_address.next = bit_cast::<FRAME_BITS, 32>(self.entry_reg.q.val());
        self.frame_owner.write_data.next = bit_cast::<PAGE_BITS, COUNTER_BITS>(self.entry_page.q.val());
        self.frame_owner.read_address.next = bit_cast::<FRAME_BITS, COUNTER_BITS>(self.index.q.val());
        self.lookup_page.next = bit_cast::<PAGE_BITS, COUNTER_BITS>(self.index.q.val());
        self.rsp_word.next = bit_cast::<32, D>(self.nvm.rsp_rdata.val());
        self.advance.next = !self.valid_b.q.val() | self.nvm.req_ready.val();
        self.walking.next = self.index.q.val() != self.pages.val();
        if self.state.q.val() == RecoverState::Free {
            self.walking.next = self.index.q.val() != self.frames.val();
        }
        self.check.restart.next = (self.state.q.val() == RecoverState::Idle) & self.start.val();
        self.check.take.next = (self.state.q.val() == RecoverState::Slots) & self.nvm.rsp_valid.val();
        self.check.word.next = self.rsp_word.val();
        self.committed_base.next = self.table_a_base.val();
        self.inactive_base.next = self.table_b_base.val();
        if self.active_table.val() {
            self.committed_base.next = self.table_b_base.val();
            self.inactive_base.next = self.table_a_base.val();
        }
        self.done.next = false;
        self.status.next = self.status_ok.val();
        self.unmount.next = false;
        self.mount.next = false;
        self.set_committed.next = false;
        self.found_seq.next = self.check.found_seq.val();
        self.found_table.next = self.check.found_table.val();
        self.nvm.req_valid.next = false;
        self.nvm.req_write.next = true;
        self.nvm.req_addr.next = 0.into();
        self.nvm.req_wdata.next = 0.into();
        // Copy writes may still be answered during `Free` and `Check`.
        self.owns_nvm.next = (self.state.q.val() != RecoverState::Idle) & (self.state.q.val() != RecoverState::Decide);
        self.owns_table.next = self.state.q.val() != RecoverState::Idle;
        self.table_update.ct_write.next = false;
        self.table_update.ct_page.next = bit_cast::<PAGE_BITS, COUNTER_BITS>(self.entry_page.q.val());
        self.table_update.ct_mapped.next = self.entry_reg.q.val().get_bit(31);
        self.table_update.ct_frame.next = self.entry_reg.q.val().get_bits::<FRAME_BITS>(0);
        self.table_update.wt_clear.next = false;
        self.table_update.wt_page.next = bit_cast::<PAGE_BITS, COUNTER_BITS>(self.entry_page.q.val());
        self.log_clear.next = false;
        self.alloc.push.next = false;
        self.alloc.push_frame.next = bit_cast::<FRAME_BITS, COUNTER_BITS>(self.item_d.q.val());
        self.alloc.commit.next = false;
        self.alloc.publish.next = false;
        self.alloc.rollback.next = false;
        self.alloc.init.next = false;
        self.entry_valid.d.next = false;
        match self.state.q.val() {
            RecoverState::Idle => {
                if self.start.val() {
                    self.alloc.init.next = true;
                    self.log_clear.next = true;
                    self.unmount.next = true;
                    self.index.d.next = 0.into();
                    self.state.d.next = RecoverState::Slots;
                }
            }
            RecoverState::Slots => {
                // Ask for the 16 words of both slots; `check` takes each as
                // it comes back.
                if self.index.q.val() != self.slot_words.val() {
                    self.nvm.req_valid.next = true;
                    self.nvm.req_write.next = false;
                    self.nvm.req_addr.next = self.index.q.val();
                    if self.nvm.req_ready.val() {
                        self.index.d.next = self.index.q.val() + 1;
                    }
                }
                if self.check.last.val() {
                    self.state.d.next = RecoverState::Decide;
                }
            }
            RecoverState::Decide => {
                // The valid slot with the higher sequence number (found_*).
                self.index.d.next = 0.into();
                if self.check.any_valid.val() {
                    self.set_committed.next = true;
                    self.other_slot.d.next = !self.check.found_in_1.val();
                    self.retire.start.next = true;
                    self.state.d.next = RecoverState::Retire;
                } else {
                    self.status.next = self.status_unformatted.val();
                    if self.check.magic_seen.val() {
                        self.status.next = self.status_corrupt.val();
                    }
                    self.done.next = true;
                    self.state.d.next = RecoverState::Idle;
                }
            }
            RecoverState::Retire => {
                // The other slot's snapshot is given up: its table is about
                // to become a copy of the committed one.
                self.nvm.req_valid.next = self.retire.req_valid.val();
                if self.other_slot.q.val() {
                    self.nvm.req_addr.next = self.slot_1_base.val();
                }
                if self.retire.done.val() {
                    self.index.d.next = 0.into();
                    self.answered.d.next = 0.into();
                    self.mapped_count.d.next = 0.into();
                    self.corrupt.d.next = false;
                    self.state.d.next = RecoverState::Load;
                }
            }
            RecoverState::Load => {
                // Ask for every entry, one a cycle.
                if self.walking.val() {
                    self.nvm.req_valid.next = true;
                    self.nvm.req_write.next = false;
                    self.nvm.req_addr.next = self.committed_base.val() + self.index.q.val();
                    if self.nvm.req_ready.val() {
                        self.index.d.next = self.index.q.val() + 1;
                    }
                }
                // Take each answer (in order: they are all reads)...
                if self.nvm.rsp_valid.val() {
                    self.entry_reg.d.next = self.rsp_word.val();
                    self.entry_bad.d.next = self.rsp_word.val() != 0;
                    if self.rsp_word.val().get_bit(31) {
                        self.entry_bad.d.next = bit_cast::<COUNTER_BITS, 31>(self.rsp_word.val().get_bits::<31>(0)) >= self.frames.val();
                    }
                    self.entry_valid.d.next = true;
                    self.entry_page.d.next = self.answered.q.val();
                    self.answered.d.next = self.answered.q.val() + 1;
                }
                // ... and load the one taken last cycle.
                if self.entry_valid.q.val() {
                    self.table_update.ct_write.next = true;
                    self.table_update.wt_clear.next = true;
                    if self.entry_reg.q.val().get_bit(31) {
                        self.frame_owner.write_enable.next = true;
                        self.mapped_count.d.next = self.mapped_count.q.val() + 1;
                    }
                    if self.entry_bad.q.val() {
                        self.corrupt.d.next = true;
                    }
                }
                if (self.answered.q.val() == self.pages.val()) & !self.entry_valid.q.val() {
                    self.index.d.next = 0.into();
                    self.valid_b.d.next = false;
                    self.state.d.next = RecoverState::Copy;
                }
            }
            RecoverState::Copy => {
                // B: the entry the table read last cycle goes to the other
                // table.
                self.nvm.req_valid.next = self.valid_b.q.val();
                self.nvm.req_addr.next = self.inactive_base.val() + self.item_b.q.val();
                self.nvm.req_wdata.next = 0.into();
                if self.committed_mapped.val() {
                    self.nvm.req_wdata.next = bit_cast::<D, FRAME_BITS>(self.committed_frame.val()) | self.mapped_word.val();
                }
                // A: the table reads the next page, or B's again while B
                // is held.
                if self.advance.val() {
                    self.valid_b.d.next = self.walking.val();
                    self.item_b.d.next = self.index.q.val();
                    if self.walking.val() {
                        self.index.d.next = self.index.q.val() + 1;
                    }
                } else {
                    self.lookup_page.next = bit_cast::<PAGE_BITS, COUNTER_BITS>(self.item_b.q.val());
                }
                if !self.walking.val() & !self.valid_b.q.val() {
                    self.index.d.next = 0.into();
                    self.valid_b.d.next = false;
                    self.valid_c.d.next = false;
                    self.valid_d.d.next = false;
                    self.unaccounted.d.next = self.frames.val() - self.mapped_count.q.val();
                    self.state.d.next = RecoverState::Free;
                }
            }
            RecoverState::Free => {
                // A: `frame_owner` reads frame `index`; B: the table reads
                // its owner's entry; C: the frame is free unless that entry
                // names it; D: a free frame is pushed.
                self.lookup_page.next = self.frame_owner.read_data.val();
                self.valid_b.d.next = self.walking.val();
                self.item_b.d.next = self.index.q.val();
                if self.walking.val() {
                    self.index.d.next = self.index.q.val() + 1;
                }
                self.valid_c.d.next = self.valid_b.q.val();
                self.item_c.d.next = self.item_b.q.val();
                self.valid_d.d.next = self.valid_c.q.val()
                    & !(self.committed_mapped.val() & (bit_cast::<COUNTER_BITS, FRAME_BITS>(self.committed_frame.val()) == self.item_c.q.val()));
                self.item_d.d.next = self.item_c.q.val();
                self.all_accounted.d.next = self.unaccounted.q.val() == 0;
                if self.valid_d.q.val() {
                    self.alloc.push.next = true;
                    self.unaccounted.d.next = self.unaccounted.q.val() - 1;
                    self.all_accounted.d.next = self.unaccounted.q.val() == 1;
                }
                if !self.walking.val() & !self.valid_b.q.val() & !self.valid_c.q.val() & !self.valid_d.q.val() {
                    self.state.d.next = RecoverState::Check;
                }
            }
            RecoverState::Check => {
                // Two entries naming one frame leave too few frames free.
                if !self.nvm_idle.val() {
                    // The last copy is not acknowledged yet.
                } else if self.corrupt.q.val() | !self.all_accounted.q.val() {
                    self.status.next = self.status_corrupt.val();
                    self.alloc.init.next = true;
                    self.done.next = true;
                    self.state.d.next = RecoverState::Idle;
                } else {
                    self.alloc.publish.next = true;
                    self.mount.next = true;
                    self.done.next = true;
                    self.state.d.next = RecoverState::Idle;
                }
            }
            _ => {
                self.state.d.next = RecoverState::Idle;
            }
        }
        if self.reset.val() {
            self.state.d.next = RecoverState::Idle;
        }
    }
}

#[cfg(test)]
#[path = "recover_tests.rs"]
mod tests;
