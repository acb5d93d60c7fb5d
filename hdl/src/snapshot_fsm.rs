//! Command sequencer: SNAPSHOT (flush, identify, harden, switch, reclaim),
//! RESTORE, FORMAT and RECOVER, one at a time, in the patent's order.
//!
//! SNAPSHOT (spec §1):
//! 1. (host) system state is already in the state pages;
//! 2. `Flush`: flush handshake while the host port stays open for the
//!    write-backs, then `FlushDrain` closes it and drains it;
//! 3. `Identify`: the preceding snapshot's sequence number is read back
//!    from its commit record and checked against the on-chip copy (a
//!    mismatch answers `corrupt`); it gives the new sequence number, slot
//!    and table. `Invalidate` then retires the record in the slot about to
//!    be written (the snapshot before the preceding one);
//! 4. `Harden*`: for each page in the previous and the current dirty log,
//!    write its entry of the new image into the inactive NVM table (3 cycles
//!    an entry); current-epoch pages also become committed on chip, and the
//!    frames they leave behind are staged for reclaim; `HardenDurable` waits
//!    for every write to be answered;
//! 5. `Commit*`: one commit record into the slot that is not current: words
//!    1–7 (the last a checksum), durable, then the magic word alone — the
//!    atomic switch: a record is valid only once its magic has landed;
//! 6. `Finish`: reclaim, swap the dirty logs. Frames the superseded
//!    snapshot alone used stay reserved until the next snapshot commits,
//!    because its record, in the other slot, is the fallback should the
//!    current one be found damaged at rest — unless a COW fault needs them
//!    first (`fallback_release`).
//!
//! A command that arrives while another runs is answered `busy` (status 1)
//! and changes nothing.
//!
//! RESTORE drops the working epoch: epoch + 1, allocator rollback, dirty log
//! dropped: two cycles whatever `L` and the dirty count. Once every 2^16 − 1
//! restores the epoch tag wraps and the working table is scrubbed (L cycles).

use crate::config::{COUNTER_BITS, FRAME_BITS, LOG_BITS, NVM_ADDR_BITS, PAGE_BITS, TAG_BITS};
use crate::nvm_arbiter::NvmMaster;
use crate::nvm_layout::{CHECKSUM_SEED, COMMIT_MAGIC, LAYOUT_VERSION};
use crate::sync_ram::SyncRam;
use rust_hdl::prelude::*;

/// `cmd_op` encodings.
pub const OP_SNAPSHOT: u64 = 1;
pub const OP_RESTORE: u64 = 2;
pub const OP_RECOVER: u64 = 3;
pub const OP_FORMAT: u64 = 4;

/// `cmd_status` encodings.
pub const STATUS_OK: u64 = 0;
pub const STATUS_BUSY: u64 = 1;
pub const STATUS_UNFORMATTED: u64 = 2;
pub const STATUS_CORRUPT: u64 = 3;
pub const STATUS_NO_FRAMES: u64 = 4;
pub const STATUS_BAD_OP: u64 = 5;

/// `seq_phase` values: what the sequencer is doing. SNAPSHOT's steps are
/// flush (handshake and drain), harden (identify, retire the target slot,
/// write the dirty entries), commit (record, then magic) and reclaim.
pub const PHASE_NAMES: [&str; 8] = ["idle", "flush", "harden", "commit", "reclaim", "restore", "recover", "format"];

#[derive(Copy, Clone, PartialEq, Debug, LogicState)]
pub enum SeqState {
    Idle,
    Drain,
    Flush,
    FlushDrain,
    Identify,
    IdentifyWait,
    Invalidate,
    InvalidateDurable,
    HardenRead,
    HardenPage,
    HardenWrite,
    HardenDurable,
    CommitWrite,
    CommitDurable,
    CommitMagic,
    CommitMagicDurable,
    Finish,
    Scrub,
    FormatZero,
    FormatFrames,
    FormatDurable,
    RecoverSlots,
    RecoverDecide,
    RecoverInvalidate,
    RecoverInvalidateDurable,
    RecoverClear,
    RecoverEntryRead,
    RecoverEntryWait,
    RecoverEntryCopy,
    RecoverFree,
    RecoverCheck,
    Done,
}

#[derive(LogicBlock)]
pub struct SnapshotFsm<const D: usize> {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    /// Command port (spec §3).
    pub cmd_valid: Signal<In, Bit>,
    pub cmd_ready: Signal<Out, Bit>,
    pub cmd_op: Signal<In, Bits<3>>,
    pub cmd_done: Signal<Out, Bit>,
    pub cmd_status: Signal<Out, Bits<3>>,
    /// Host port control.
    pub host_enable: Signal<Out, Bit>,
    pub host_idle: Signal<In, Bit>,
    /// Flush handshake.
    pub flush_start: Signal<Out, Bit>,
    pub flush_done: Signal<In, Bit>,
    /// Ownership of the NVM port and of the table's read port.
    pub owns_nvm: Signal<Out, Bit>,
    pub owns_table: Signal<Out, Bit>,
    pub nvm: NvmMaster<D>,
    pub nvm_idle: Signal<In, Bit>,
    /// Indirection table.
    pub lookup_page: Signal<Out, Bits<PAGE_BITS>>,
    pub working_mapped: Signal<In, Bit>,
    pub working_frame: Signal<In, Bits<FRAME_BITS>>,
    pub committed_mapped: Signal<In, Bit>,
    pub committed_frame: Signal<In, Bits<FRAME_BITS>>,
    pub ct_write: Signal<Out, Bit>,
    pub ct_write_page: Signal<Out, Bits<PAGE_BITS>>,
    pub ct_write_mapped: Signal<Out, Bit>,
    pub ct_write_frame: Signal<Out, Bits<FRAME_BITS>>,
    pub wt_write: Signal<Out, Bit>,
    pub wt_write_page: Signal<Out, Bits<PAGE_BITS>>,
    /// Dirty logs.
    pub log_read_index: Signal<Out, Bits<LOG_BITS>>,
    pub log_read_previous: Signal<Out, Bit>,
    pub log_page: Signal<In, Bits<PAGE_BITS>>,
    pub log_current: Signal<In, Bits<COUNTER_BITS>>,
    pub log_previous: Signal<In, Bits<COUNTER_BITS>>,
    pub log_swap: Signal<Out, Bit>,
    pub log_drop: Signal<Out, Bit>,
    pub log_clear: Signal<Out, Bit>,
    /// Frame allocator.
    pub alloc_push: Signal<Out, Bit>,
    pub alloc_push_frame: Signal<Out, Bits<FRAME_BITS>>,
    pub alloc_commit: Signal<Out, Bit>,
    pub alloc_publish: Signal<Out, Bit>,
    pub alloc_rollback: Signal<Out, Bit>,
    pub alloc_init: Signal<Out, Bit>,
    /// State exported to the other blocks and the status port.
    pub epoch: Signal<Out, Bits<TAG_BITS>>,
    pub mounted: Signal<Out, Bit>,
    pub snap_seq: Signal<Out, Bits<COUNTER_BITS>>,
    /// What the sequencer is doing (see [`PHASE_NAMES`]).
    pub phase: Signal<Out, Bits<3>>,
    /// Event pulses.
    pub page_hardened: Signal<Out, Bit>,
    pub snapshot_taken: Signal<Out, Bit>,
    pub restore_taken: Signal<Out, Bit>,
    pub error: Signal<Out, Bit>,
    state: DFF<SeqState>,
    op: DFF<Bits<3>>,
    status: DFF<Bits<3>>,
    is_mounted: DFF<Bit>,
    seq: DFF<Bits<COUNTER_BITS>>,
    active: DFF<Bit>,
    epoch_reg: DFF<Bits<TAG_BITS>>,
    index: DFF<Bits<COUNTER_BITS>>,
    /// FORMAT: frames pushed onto the free ring so far.
    pushed: DFF<Bits<COUNTER_BITS>>,
    list_current: DFF<Bit>,
    page: DFF<Bits<PAGE_BITS>>,
    word: DFF<Bits<3>>,
    checksum: DFF<Bits<32>>,
    new_seq: DFF<Bits<COUNTER_BITS>>,
    new_table: DFF<Bit>,
    // RECOVER: the two commit slots as read back, and the rebuild.
    answered: DFF<Bits<5>>,
    slot_ok: DFF<Bit>,
    slot_seq: DFF<Bits<32>>,
    slot_table: DFF<Bit>,
    valid0: DFF<Bit>,
    valid1: DFF<Bit>,
    seq0: DFF<Bits<32>>,
    seq1: DFF<Bits<32>>,
    table0: DFF<Bit>,
    table1: DFF<Bit>,
    entry_reg: DFF<Bits<32>>,
    mapped_count: DFF<Bits<COUNTER_BITS>>,
    /// RECOVER: frames neither mapped nor pushed free yet (F − mapped −
    /// pushed, modulo 2^32), and whether it is 0 after this cycle's push:
    /// kept as a register so the final check is one bit, not an adder.
    unaccounted: DFF<Bits<COUNTER_BITS>>,
    all_accounted: DFF<Bit>,
    corrupt: DFF<Bit>,
    magic_seen: DFF<Bit>,
    other_slot: DFF<Bit>,
    /// A command arrived while another runs: answer it `busy`.
    reject: DFF<Bit>,
    /// RECOVER's map of the frames the committed table uses.
    frame_used: SyncRam<Bit, FRAME_BITS>,
    rsp_word: Signal<Local, Bits<32>>,
    committed_base: Signal<Local, Bits<NVM_ADDR_BITS>>,
    list_count: Signal<Local, Bits<COUNTER_BITS>>,
    commit_word: Signal<Local, Bits<32>>,
    entry: Signal<Local, Bits<32>>,
    inactive_base: Signal<Local, Bits<NVM_ADDR_BITS>>,
    slot_base: Signal<Local, Bits<NVM_ADDR_BITS>>,
    current_slot_base: Signal<Local, Bits<NVM_ADDR_BITS>>,
    pages: Constant<Bits<COUNTER_BITS>>,
    page_words: Constant<Bits<COUNTER_BITS>>,
    frames: Constant<Bits<COUNTER_BITS>>,
    metadata_last: Constant<Bits<COUNTER_BITS>>,
    table_a_base: Constant<Bits<NVM_ADDR_BITS>>,
    table_b_base: Constant<Bits<NVM_ADDR_BITS>>,
    slot_1_base: Constant<Bits<NVM_ADDR_BITS>>,
    magic: Constant<Bits<32>>,
    version: Constant<Bits<32>>,
    seed: Constant<Bits<32>>,
    mapped_flag: Constant<Bits<32>>,
    epoch_last: Constant<Bits<TAG_BITS>>,
}

impl<const D: usize> SnapshotFsm<D> {
    pub fn new(config: &crate::Config) -> Self {
        let layout = config.layout();
        SnapshotFsm {
            clock: Default::default(),
            reset: Default::default(),
            cmd_valid: Default::default(),
            cmd_ready: Default::default(),
            cmd_op: Default::default(),
            cmd_done: Default::default(),
            cmd_status: Default::default(),
            host_enable: Default::default(),
            host_idle: Default::default(),
            flush_start: Default::default(),
            flush_done: Default::default(),
            owns_nvm: Default::default(),
            owns_table: Default::default(),
            nvm: Default::default(),
            nvm_idle: Default::default(),
            lookup_page: Default::default(),
            working_mapped: Default::default(),
            working_frame: Default::default(),
            committed_mapped: Default::default(),
            committed_frame: Default::default(),
            ct_write: Default::default(),
            ct_write_page: Default::default(),
            ct_write_mapped: Default::default(),
            ct_write_frame: Default::default(),
            wt_write: Default::default(),
            wt_write_page: Default::default(),
            log_read_index: Default::default(),
            log_read_previous: Default::default(),
            log_page: Default::default(),
            log_current: Default::default(),
            log_previous: Default::default(),
            log_swap: Default::default(),
            log_drop: Default::default(),
            log_clear: Default::default(),
            alloc_push: Default::default(),
            alloc_push_frame: Default::default(),
            alloc_commit: Default::default(),
            alloc_publish: Default::default(),
            alloc_rollback: Default::default(),
            alloc_init: Default::default(),
            epoch: Default::default(),
            mounted: Default::default(),
            snap_seq: Default::default(),
            phase: Default::default(),
            page_hardened: Default::default(),
            snapshot_taken: Default::default(),
            restore_taken: Default::default(),
            error: Default::default(),
            state: Default::default(),
            op: Default::default(),
            status: Default::default(),
            is_mounted: Default::default(),
            seq: Default::default(),
            active: Default::default(),
            epoch_reg: Default::default(),
            index: Default::default(),
            pushed: Default::default(),
            list_current: Default::default(),
            page: Default::default(),
            word: Default::default(),
            checksum: Default::default(),
            new_seq: Default::default(),
            new_table: Default::default(),
            answered: Default::default(),
            slot_ok: Default::default(),
            slot_seq: Default::default(),
            slot_table: Default::default(),
            valid0: Default::default(),
            valid1: Default::default(),
            seq0: Default::default(),
            seq1: Default::default(),
            table0: Default::default(),
            table1: Default::default(),
            entry_reg: Default::default(),
            mapped_count: Default::default(),
            unaccounted: Default::default(),
            all_accounted: Default::default(),
            corrupt: Default::default(),
            magic_seen: Default::default(),
            other_slot: Default::default(),
            reject: Default::default(),
            frame_used: SyncRam::new(config.frames),
            rsp_word: Default::default(),
            committed_base: Default::default(),
            list_count: Default::default(),
            commit_word: Default::default(),
            entry: Default::default(),
            inactive_base: Default::default(),
            slot_base: Default::default(),
            current_slot_base: Default::default(),
            pages: Constant::new((config.pages as u64).to_bits()),
            page_words: Constant::new((config.page_words as u64).to_bits()),
            frames: Constant::new((config.frames as u64).to_bits()),
            metadata_last: Constant::new((layout.metadata_words() - 1).to_bits()),
            table_a_base: Constant::new(layout.table_base(0).to_bits()),
            table_b_base: Constant::new(layout.table_base(1).to_bits()),
            slot_1_base: Constant::new(layout.slot_base(1).to_bits()),
            magic: Constant::new((COMMIT_MAGIC as u64).to_bits()),
            version: Constant::new((LAYOUT_VERSION as u64).to_bits()),
            seed: Constant::new((CHECKSUM_SEED as u64).to_bits()),
            mapped_flag: Constant::new((1u64 << crate::nvm_layout::ENTRY_MAPPED_BIT).to_bits()),
            epoch_last: Constant::new(((1u64 << TAG_BITS) - 1).to_bits()),
        }
    }
}

impl<const D: usize> Logic for SnapshotFsm<D> {
    #[hdl_gen]
    fn update(&mut self) {
        // Kernels cannot name Rust constants: ops are 1 SNAPSHOT, 2 RESTORE,
        // 3 RECOVER, 4 FORMAT; statuses 0 ok, 2 unformatted, 5 bad op.
        dff_setup!(
            self,
            clock,
            state,
            op,
            status,
            is_mounted,
            seq,
            active,
            epoch_reg,
            index,
            pushed,
            list_current,
            page,
            word,
            checksum,
            new_seq,
            new_table,
            answered,
            slot_ok,
            slot_seq,
            slot_table,
            valid0,
            valid1,
            seq0,
            seq1,
            table0,
            table1,
            entry_reg,
            mapped_count,
            unaccounted,
            all_accounted,
            corrupt,
            magic_seen,
            other_slot,
            reject
        );
        self.frame_used.clock.next = self.clock.val();
        self.frame_used.write_enable.next = false;
        self.frame_used.write_address.next = bit_cast::<FRAME_BITS, 32>(self.entry_reg.q.val());
        self.frame_used.write_data.next = true;
        self.frame_used.read_address.next = bit_cast::<FRAME_BITS, COUNTER_BITS>(self.index.q.val());
        self.rsp_word.next = bit_cast::<32, D>(self.nvm.rsp_rdata.val());
        self.committed_base.next = self.table_a_base.val();
        if self.active.q.val() {
            self.committed_base.next = self.table_b_base.val();
        }
        // Outputs idle by default.
        // Idle: accept a command. Busy: accept one and answer it `busy`
        // (status 1) at the next cycle the running command is not done.
        self.cmd_ready.next = (self.state.q.val() == SeqState::Idle) | !self.reject.q.val();
        self.cmd_done.next = false;
        self.cmd_status.next = self.status.q.val();
        if (self.state.q.val() != SeqState::Idle) & self.cmd_valid.val() & !self.reject.q.val() {
            self.reject.d.next = true;
        }
        if self.reject.q.val() & (self.state.q.val() != SeqState::Done) {
            self.cmd_done.next = true;
            self.cmd_status.next = 1.into();
            self.reject.d.next = false;
        }
        self.host_enable.next = (self.state.q.val() == SeqState::Idle) | (self.state.q.val() == SeqState::Flush);
        self.flush_start.next = false;
        // Done takes no table reads: a command answered at once (bad op,
        // not mounted) passes through it while a host request may still
        // wait at the NVM port, whose address comes from the table.
        self.owns_table.next = !((self.state.q.val() == SeqState::Idle)
            | (self.state.q.val() == SeqState::Drain)
            | (self.state.q.val() == SeqState::Flush)
            | (self.state.q.val() == SeqState::FlushDrain)
            | (self.state.q.val() == SeqState::Done));
        self.owns_nvm.next = (self.state.q.val() == SeqState::Identify)
            | (self.state.q.val() == SeqState::IdentifyWait)
            | (self.state.q.val() == SeqState::Invalidate)
            | (self.state.q.val() == SeqState::InvalidateDurable)
            | (self.state.q.val() == SeqState::CommitMagic)
            | (self.state.q.val() == SeqState::CommitMagicDurable)
            | (self.state.q.val() == SeqState::RecoverInvalidate)
            | (self.state.q.val() == SeqState::RecoverInvalidateDurable)
            | (self.state.q.val() == SeqState::HardenRead)
            | (self.state.q.val() == SeqState::HardenPage)
            | (self.state.q.val() == SeqState::HardenWrite)
            | (self.state.q.val() == SeqState::HardenDurable)
            | (self.state.q.val() == SeqState::CommitWrite)
            | (self.state.q.val() == SeqState::CommitDurable)
            | (self.state.q.val() == SeqState::FormatZero)
            | (self.state.q.val() == SeqState::FormatFrames)
            | (self.state.q.val() == SeqState::FormatDurable)
            | (self.state.q.val() == SeqState::RecoverSlots)
            | (self.state.q.val() == SeqState::RecoverEntryRead)
            | (self.state.q.val() == SeqState::RecoverEntryWait)
            | (self.state.q.val() == SeqState::RecoverEntryCopy)
            | (self.state.q.val() == SeqState::RecoverFree)
            | (self.state.q.val() == SeqState::RecoverCheck);
        self.nvm.req_valid.next = false;
        self.nvm.req_write.next = true;
        self.nvm.req_addr.next = 0.into();
        self.nvm.req_wdata.next = 0.into();
        self.lookup_page.next = self.page.q.val();
        self.ct_write.next = false;
        self.ct_write_page.next = self.page.q.val();
        self.ct_write_mapped.next = true;
        self.ct_write_frame.next = self.working_frame.val();
        self.wt_write.next = false;
        self.wt_write_page.next = self.page.q.val();
        self.log_read_index.next = bit_cast::<LOG_BITS, COUNTER_BITS>(self.index.q.val());
        self.log_read_previous.next = !self.list_current.q.val();
        self.log_swap.next = false;
        self.log_drop.next = false;
        self.log_clear.next = false;
        self.alloc_push.next = false;
        self.alloc_push_frame.next = self.committed_frame.val();
        self.alloc_commit.next = false;
        self.alloc_publish.next = false;
        self.alloc_rollback.next = false;
        self.alloc_init.next = false;
        self.page_hardened.next = false;
        self.snapshot_taken.next = false;
        self.restore_taken.next = false;
        self.error.next = false;
        // Derived values.
        self.list_count.next = self.log_previous.val();
        if self.list_current.q.val() {
            self.list_count.next = self.log_current.val();
        }
        self.inactive_base.next = self.table_b_base.val();
        if self.active.q.val() {
            self.inactive_base.next = self.table_a_base.val();
        }
        // A record with sequence number s lives in slot s mod 2.
        self.slot_base.next = 0.into();
        if self.new_seq.q.val().get_bit(0) {
            self.slot_base.next = self.slot_1_base.val();
        }
        self.current_slot_base.next = 0.into();
        if self.seq.q.val().get_bit(0) {
            self.current_slot_base.next = self.slot_1_base.val();
        }
        self.entry.next = 0.into();
        if self.working_mapped.val() {
            self.entry.next = bit_cast::<32, FRAME_BITS>(self.working_frame.val()) | self.mapped_flag.val();
        }
        self.commit_word.next = self.checksum.q.val();
        if self.word.q.val() == 0 {
            self.commit_word.next = self.magic.val();
        } else if self.word.q.val() == 1 {
            self.commit_word.next = self.version.val();
        } else if self.word.q.val() == 2 {
            self.commit_word.next = self.new_seq.q.val();
        } else if self.word.q.val() == 3 {
            self.commit_word.next = 0.into();
            if self.new_table.q.val() {
                self.commit_word.next = 1.into();
            }
        } else if self.word.q.val() == 4 {
            self.commit_word.next = self.pages.val();
        } else if self.word.q.val() == 5 {
            self.commit_word.next = self.page_words.val();
        } else if self.word.q.val() == 6 {
            self.commit_word.next = self.frames.val();
        }
        match self.state.q.val() {
            SeqState::Idle => {
                if self.cmd_valid.val() {
                    self.op.d.next = self.cmd_op.val();
                    self.status.d.next = 0.into();
                    self.state.d.next = SeqState::Drain;
                    if (self.cmd_op.val() == 1) | (self.cmd_op.val() == 2) {
                        if !self.is_mounted.q.val() {
                            self.status.d.next = 2.into();
                            self.state.d.next = SeqState::Done;
                        }
                    } else if (self.cmd_op.val() != 3) & (self.cmd_op.val() != 4) {
                        self.status.d.next = 5.into();
                        self.state.d.next = SeqState::Done;
                    }
                }
            }
            SeqState::Drain => {
                if self.host_idle.val() {
                    if self.op.q.val() == 1 {
                        self.flush_start.next = true;
                        self.state.d.next = SeqState::Flush;
                    } else if self.op.q.val() == 2 {
                        self.alloc_rollback.next = true;
                        self.log_drop.next = true;
                        self.restore_taken.next = true;
                        if self.epoch_reg.q.val() == self.epoch_last.val() {
                            self.index.d.next = 0.into();
                            self.state.d.next = SeqState::Scrub;
                        } else {
                            self.epoch_reg.d.next = self.epoch_reg.q.val() + 1;
                            self.state.d.next = SeqState::Done;
                        }
                    } else if self.op.q.val() == 3 {
                        self.alloc_init.next = true;
                        self.log_clear.next = true;
                        self.is_mounted.d.next = false;
                        self.index.d.next = 0.into();
                        self.answered.d.next = 0.into();
                        self.magic_seen.d.next = false;
                        self.state.d.next = SeqState::RecoverSlots;
                    } else {
                        // FORMAT
                        self.alloc_init.next = true;
                        self.log_clear.next = true;
                        self.is_mounted.d.next = false;
                        self.index.d.next = 0.into();
                        self.pushed.d.next = 0.into();
                        self.state.d.next = SeqState::FormatZero;
                    }
                }
            }
            SeqState::Flush => {
                if self.flush_done.val() {
                    self.state.d.next = SeqState::FlushDrain;
                }
            }
            SeqState::FlushDrain => {
                if self.host_idle.val() {
                    self.state.d.next = SeqState::Identify;
                }
            }
            SeqState::Identify => {
                // Read the preceding snapshot's sequence number from its
                // commit record; the on-chip copy must agree.
                self.new_seq.d.next = self.seq.q.val() + 1;
                self.new_table.d.next = !self.active.q.val();
                self.nvm.req_valid.next = true;
                self.nvm.req_write.next = false;
                self.nvm.req_addr.next = self.current_slot_base.val() + 2;
                if self.nvm.req_ready.val() {
                    self.state.d.next = SeqState::IdentifyWait;
                }
            }
            SeqState::IdentifyWait => {
                if self.nvm.rsp_valid.val() {
                    if self.rsp_word.val() == self.seq.q.val() {
                        self.state.d.next = SeqState::Invalidate;
                    } else {
                        self.status.d.next = 3.into();
                        self.state.d.next = SeqState::Done;
                    }
                }
            }
            SeqState::Invalidate => {
                // The slot about to be written holds the snapshot before the
                // preceding one, whose table the harden overwrites: retire
                // its record first (its magic word), durably.
                self.nvm.req_valid.next = true;
                self.nvm.req_addr.next = self.slot_base.val();
                if self.nvm.req_ready.val() {
                    self.state.d.next = SeqState::InvalidateDurable;
                }
            }
            SeqState::InvalidateDurable => {
                if self.nvm_idle.val() {
                    self.index.d.next = 0.into();
                    self.list_current.d.next = false;
                    self.state.d.next = SeqState::HardenRead;
                }
            }
            SeqState::HardenRead => {
                if self.index.q.val() == self.list_count.val() {
                    self.index.d.next = 0.into();
                    if self.list_current.q.val() {
                        self.state.d.next = SeqState::HardenDurable;
                    } else {
                        self.list_current.d.next = true;
                    }
                } else {
                    self.state.d.next = SeqState::HardenPage;
                }
            }
            SeqState::HardenPage => {
                self.lookup_page.next = self.log_page.val();
                self.page.d.next = self.log_page.val();
                self.state.d.next = SeqState::HardenWrite;
            }
            SeqState::HardenWrite => {
                self.nvm.req_valid.next = true;
                self.nvm.req_addr.next = self.inactive_base.val() + bit_cast::<NVM_ADDR_BITS, PAGE_BITS>(self.page.q.val());
                self.nvm.req_wdata.next = bit_cast::<D, 32>(self.entry.val());
                if self.nvm.req_ready.val() {
                    self.page_hardened.next = true;
                    self.index.d.next = self.index.q.val() + 1;
                    self.state.d.next = SeqState::HardenRead;
                    if self.list_current.q.val() {
                        // Commit the page on chip (clearing its epoch tag) and
                        // stage the frame the old snapshot used for reclaim.
                        self.ct_write.next = true;
                        self.wt_write.next = true;
                        self.alloc_push.next = self.committed_mapped.val();
                    }
                }
            }
            SeqState::HardenDurable => {
                if self.nvm_idle.val() {
                    self.word.d.next = 1.into();
                    self.checksum.d.next = ((self.seed.val() << 5) | (self.seed.val() >> 27)) ^ self.magic.val();
                    self.state.d.next = SeqState::CommitWrite;
                }
            }
            SeqState::CommitWrite => {
                self.nvm.req_valid.next = true;
                self.nvm.req_addr.next = self.slot_base.val() + bit_cast::<NVM_ADDR_BITS, 3>(self.word.q.val());
                self.nvm.req_wdata.next = bit_cast::<D, 32>(self.commit_word.val());
                if self.nvm.req_ready.val() {
                    self.checksum.d.next = ((self.checksum.q.val() << 5) | (self.checksum.q.val() >> 27)) ^ self.commit_word.val();
                    self.word.d.next = self.word.q.val() + 1;
                    if self.word.q.val() == 7 {
                        self.state.d.next = SeqState::CommitDurable;
                    }
                }
            }
            SeqState::CommitDurable => {
                if self.nvm_idle.val() {
                    self.state.d.next = SeqState::CommitMagic;
                }
            }
            SeqState::CommitMagic => {
                // The switch: the record becomes valid when its magic word,
                // written alone after the other seven are durable, lands.
                self.nvm.req_valid.next = true;
                self.nvm.req_addr.next = self.slot_base.val();
                self.nvm.req_wdata.next = bit_cast::<D, 32>(self.magic.val());
                if self.nvm.req_ready.val() {
                    self.state.d.next = SeqState::CommitMagicDurable;
                }
            }
            SeqState::CommitMagicDurable => {
                if self.nvm_idle.val() {
                    self.state.d.next = SeqState::Finish;
                }
            }
            SeqState::Finish => {
                self.seq.d.next = self.new_seq.q.val();
                self.active.d.next = self.new_table.q.val();
                if self.op.q.val() == 4 {
                    self.alloc_publish.next = true;
                    self.is_mounted.d.next = true;
                    self.epoch_reg.d.next = 1.into();
                } else {
                    self.alloc_commit.next = true;
                    self.log_swap.next = true;
                    self.snapshot_taken.next = true;
                }
                self.state.d.next = SeqState::Done;
            }
            SeqState::Scrub => {
                self.wt_write.next = true;
                self.wt_write_page.next = bit_cast::<PAGE_BITS, COUNTER_BITS>(self.index.q.val());
                self.index.d.next = self.index.q.val() + 1;
                if self.index.q.val() == self.pages.val() - 1 {
                    self.epoch_reg.d.next = 1.into();
                    self.state.d.next = SeqState::Done;
                }
            }
            SeqState::FormatZero => {
                // Zero both commit slots and both tables; clear the on-chip
                // tables; meanwhile fill the free ring with every frame.
                self.nvm.req_valid.next = true;
                self.nvm.req_addr.next = self.index.q.val();
                if self.index.q.val() < self.pages.val() {
                    self.ct_write.next = true;
                    self.ct_write_mapped.next = false;
                    self.ct_write_page.next = bit_cast::<PAGE_BITS, COUNTER_BITS>(self.index.q.val());
                    self.wt_write.next = true;
                    self.wt_write_page.next = bit_cast::<PAGE_BITS, COUNTER_BITS>(self.index.q.val());
                }
                if self.nvm.req_ready.val() {
                    self.index.d.next = self.index.q.val() + 1;
                    if self.index.q.val() == self.metadata_last.val() {
                        self.state.d.next = SeqState::FormatFrames;
                    }
                }
            }
            SeqState::FormatFrames => {
                if self.pushed.q.val() == self.frames.val() {
                    self.state.d.next = SeqState::FormatDurable;
                }
            }
            SeqState::FormatDurable => {
                if self.nvm_idle.val() {
                    self.new_seq.d.next = 1.into();
                    self.new_table.d.next = false;
                    self.word.d.next = 1.into();
                    self.checksum.d.next = ((self.seed.val() << 5) | (self.seed.val() >> 27)) ^ self.magic.val();
                    self.state.d.next = SeqState::CommitWrite;
                }
            }
            SeqState::RecoverSlots => {
                // Read both commit slots (words 0..16) and check each as it
                // comes back: magic, version, sizes, table 0/1, checksum.
                if self.index.q.val() != 16 {
                    self.nvm.req_valid.next = true;
                    self.nvm.req_write.next = false;
                    self.nvm.req_addr.next = self.index.q.val();
                    if self.nvm.req_ready.val() {
                        self.index.d.next = self.index.q.val() + 1;
                    }
                }
                if self.nvm.rsp_valid.val() {
                    self.answered.d.next = self.answered.q.val() + 1;
                    self.checksum.d.next = ((self.checksum.q.val() << 5) | (self.checksum.q.val() >> 27)) ^ self.rsp_word.val();
                    if self.answered.q.val().get_bits::<3>(0) == 0 {
                        self.checksum.d.next = ((self.seed.val() << 5) | (self.seed.val() >> 27)) ^ self.rsp_word.val();
                        self.slot_ok.d.next = self.rsp_word.val() == self.magic.val();
                        if self.rsp_word.val() == self.magic.val() {
                            self.magic_seen.d.next = true;
                        }
                    } else if self.answered.q.val().get_bits::<3>(0) == 1 {
                        self.slot_ok.d.next = self.slot_ok.q.val() & (self.rsp_word.val() == self.version.val());
                    } else if self.answered.q.val().get_bits::<3>(0) == 2 {
                        self.slot_seq.d.next = self.rsp_word.val();
                    } else if self.answered.q.val().get_bits::<3>(0) == 3 {
                        self.slot_table.d.next = self.rsp_word.val().get_bit(0);
                        self.slot_ok.d.next = self.slot_ok.q.val() & ((self.rsp_word.val() >> 1) == 0);
                    } else if self.answered.q.val().get_bits::<3>(0) == 4 {
                        self.slot_ok.d.next = self.slot_ok.q.val() & (self.rsp_word.val() == self.pages.val());
                    } else if self.answered.q.val().get_bits::<3>(0) == 5 {
                        self.slot_ok.d.next = self.slot_ok.q.val() & (self.rsp_word.val() == self.page_words.val());
                    } else if self.answered.q.val().get_bits::<3>(0) == 6 {
                        self.slot_ok.d.next = self.slot_ok.q.val() & (self.rsp_word.val() == self.frames.val());
                    } else if self.answered.q.val() == 7 {
                        self.valid0.d.next = self.slot_ok.q.val() & (self.rsp_word.val() == self.checksum.q.val());
                        self.seq0.d.next = self.slot_seq.q.val();
                        self.table0.d.next = self.slot_table.q.val();
                    } else {
                        self.valid1.d.next = self.slot_ok.q.val() & (self.rsp_word.val() == self.checksum.q.val());
                        self.seq1.d.next = self.slot_seq.q.val();
                        self.table1.d.next = self.slot_table.q.val();
                        self.state.d.next = SeqState::RecoverDecide;
                    }
                }
            }
            SeqState::RecoverDecide => {
                // Take the valid slot with the higher sequence number. None
                // valid: a device never formatted has no magic word at all
                // (unformatted); a record with its magic but a bad checksum
                // was damaged at rest (corrupt).
                self.index.d.next = 0.into();
                self.state.d.next = SeqState::RecoverInvalidate;
                if self.valid1.q.val() & (!self.valid0.q.val() | (self.seq1.q.val() > self.seq0.q.val())) {
                    self.seq.d.next = self.seq1.q.val();
                    self.active.d.next = self.table1.q.val();
                    self.other_slot.d.next = false;
                } else if self.valid0.q.val() {
                    self.seq.d.next = self.seq0.q.val();
                    self.active.d.next = self.table0.q.val();
                    self.other_slot.d.next = true;
                } else if self.magic_seen.q.val() {
                    self.status.d.next = 3.into();
                    self.state.d.next = SeqState::Done;
                } else {
                    self.status.d.next = 2.into();
                    self.state.d.next = SeqState::Done;
                }
            }
            SeqState::RecoverInvalidate => {
                // The other slot's snapshot is given up: its table is about
                // to become a copy of the committed one.
                self.nvm.req_valid.next = true;
                self.nvm.req_addr.next = 0.into();
                if self.other_slot.q.val() {
                    self.nvm.req_addr.next = self.slot_1_base.val();
                }
                if self.nvm.req_ready.val() {
                    self.state.d.next = SeqState::RecoverInvalidateDurable;
                }
            }
            SeqState::RecoverInvalidateDurable => {
                if self.nvm_idle.val() {
                    self.state.d.next = SeqState::RecoverClear;
                }
            }
            SeqState::RecoverClear => {
                self.frame_used.write_enable.next = true;
                self.frame_used.write_address.next = bit_cast::<FRAME_BITS, COUNTER_BITS>(self.index.q.val());
                self.frame_used.write_data.next = false;
                self.index.d.next = self.index.q.val() + 1;
                self.mapped_count.d.next = 0.into();
                self.corrupt.d.next = false;
                if self.index.q.val() == self.frames.val() - 1 {
                    self.index.d.next = 0.into();
                    self.state.d.next = SeqState::RecoverEntryRead;
                }
            }
            SeqState::RecoverEntryRead => {
                // One entry at a time: wait for the previous copy's
                // acknowledgement so the next response is this read's.
                self.nvm.req_valid.next = self.nvm_idle.val();
                self.nvm.req_write.next = false;
                self.nvm.req_addr.next = self.committed_base.val() + self.index.q.val();
                if self.nvm_idle.val() & self.nvm.req_ready.val() {
                    self.state.d.next = SeqState::RecoverEntryWait;
                }
            }
            SeqState::RecoverEntryWait => {
                if self.nvm.rsp_valid.val() {
                    self.entry_reg.d.next = self.rsp_word.val();
                    self.state.d.next = SeqState::RecoverEntryCopy;
                }
            }
            SeqState::RecoverEntryCopy => {
                // Rebuild the on-chip entry, mark its frame, and copy the
                // entry into the inactive table so both tables agree (the
                // dirty logs that said where they differ were lost).
                self.ct_write.next = true;
                self.ct_write_page.next = bit_cast::<PAGE_BITS, COUNTER_BITS>(self.index.q.val());
                self.ct_write_mapped.next = self.entry_reg.q.val().get_bit(31);
                self.ct_write_frame.next = self.entry_reg.q.val().get_bits::<FRAME_BITS>(0);
                self.wt_write.next = true;
                self.wt_write_page.next = bit_cast::<PAGE_BITS, COUNTER_BITS>(self.index.q.val());
                self.nvm.req_valid.next = true;
                self.nvm.req_addr.next = self.inactive_base.val() + self.index.q.val();
                self.nvm.req_wdata.next = bit_cast::<D, 32>(self.entry_reg.q.val());
                if self.nvm.req_ready.val() {
                    if self.entry_reg.q.val().get_bit(31) {
                        self.frame_used.write_enable.next = true;
                        self.mapped_count.d.next = self.mapped_count.q.val() + 1;
                        if bit_cast::<COUNTER_BITS, 31>(self.entry_reg.q.val().get_bits::<31>(0)) >= self.frames.val() {
                            self.corrupt.d.next = true;
                        }
                    } else if self.entry_reg.q.val() != 0 {
                        self.corrupt.d.next = true;
                    }
                    self.index.d.next = self.index.q.val() + 1;
                    self.state.d.next = SeqState::RecoverEntryRead;
                    if self.index.q.val() == self.pages.val() - 1 {
                        self.index.d.next = 0.into();
                        self.state.d.next = SeqState::RecoverFree;
                    }
                }
            }
            SeqState::RecoverFree => {
                // frame_used is read at `index`; its answer for index − 1
                // arrives now: push that frame if no entry uses it.
                self.index.d.next = self.index.q.val() + 1;
                self.all_accounted.d.next = self.unaccounted.q.val() == 0;
                if self.index.q.val() == 0 {
                    self.unaccounted.d.next = self.frames.val() - self.mapped_count.q.val();
                } else if !self.frame_used.read_data.val() {
                    self.alloc_push.next = true;
                    self.alloc_push_frame.next = bit_cast::<FRAME_BITS, COUNTER_BITS>(self.index.q.val() - 1);
                    self.unaccounted.d.next = self.unaccounted.q.val() - 1;
                    self.all_accounted.d.next = self.unaccounted.q.val() == 1;
                }
                if self.index.q.val() == self.frames.val() {
                    self.state.d.next = SeqState::RecoverCheck;
                }
            }
            SeqState::RecoverCheck => {
                // Two entries naming one frame leave too few frames free.
                if !self.nvm_idle.val() {
                    // The last copy is not acknowledged yet.
                } else if self.corrupt.q.val() | !self.all_accounted.q.val() {
                    self.status.d.next = 3.into();
                    self.alloc_init.next = true;
                    self.state.d.next = SeqState::Done;
                } else {
                    self.alloc_publish.next = true;
                    self.is_mounted.d.next = true;
                    self.epoch_reg.d.next = 1.into();
                    self.state.d.next = SeqState::Done;
                }
            }
            SeqState::Done => {
                self.cmd_done.next = true;
                self.cmd_status.next = self.status.q.val();
                self.error.next = self.status.q.val() != 0;
                self.state.d.next = SeqState::Idle;
            }
            _ => {
                self.state.d.next = SeqState::Idle;
            }
        }
        // FORMAT's frame fill runs beside its NVM walk.
        if ((self.state.q.val() == SeqState::FormatZero) | (self.state.q.val() == SeqState::FormatFrames)) & (self.pushed.q.val() != self.frames.val()) {
            self.alloc_push.next = true;
            self.alloc_push_frame.next = bit_cast::<FRAME_BITS, COUNTER_BITS>(self.pushed.q.val());
            self.pushed.d.next = self.pushed.q.val() + 1;
        }
        if self.reset.val() {
            self.state.d.next = SeqState::Idle;
            self.reject.d.next = false;
            self.is_mounted.d.next = false;
            self.seq.d.next = 0.into();
            self.active.d.next = false;
            self.epoch_reg.d.next = 1.into();
        }
        self.epoch.next = self.epoch_reg.q.val();
        self.mounted.next = self.is_mounted.q.val();
        self.snap_seq.next = self.seq.q.val();
        self.phase.next = 0.into();
        if (self.op.q.val() == 1) & (self.state.q.val() != SeqState::Idle) {
            self.phase.next = 2.into();
            if (self.state.q.val() == SeqState::Drain) | (self.state.q.val() == SeqState::Flush) | (self.state.q.val() == SeqState::FlushDrain) {
                self.phase.next = 1.into();
            }
            if (self.state.q.val() == SeqState::CommitWrite)
                | (self.state.q.val() == SeqState::CommitDurable)
                | (self.state.q.val() == SeqState::CommitMagic)
                | (self.state.q.val() == SeqState::CommitMagicDurable)
            {
                self.phase.next = 3.into();
            }
            if (self.state.q.val() == SeqState::Finish) | (self.state.q.val() == SeqState::Done) {
                self.phase.next = 4.into();
            }
        } else if (self.op.q.val() == 2) & (self.state.q.val() != SeqState::Idle) {
            self.phase.next = 5.into();
        } else if (self.op.q.val() == 3) & (self.state.q.val() != SeqState::Idle) {
            self.phase.next = 6.into();
        } else if (self.op.q.val() == 4) & (self.state.q.val() != SeqState::Idle) {
            self.phase.next = 7.into();
        }
    }
}
