//! The command sequencer: one command at a time, in the patent's order.
//!
//! ```text
//!  cmd ──► CommandFront ──start──► SnapshotSeq ─┐      ┌─► NVM (one port, muxed)
//!            ▲   │                 RestoreSeq   ├──────┼─► tables, dirty logs,
//!            │   │                 FormatSeq  ──┤      │   allocator
//!            │   │                 RecoverSeq ──┘      │
//!            └─done, status─────── (each)              │
//!                                  SnapshotSeq, FormatSeq ─► CommitWriter ─┘
//! ```
//!
//! * `front.rs`: accept, refuse (busy, unformatted, bad op), drain the host
//!   port, start, answer; the phase.
//! * `snapshot.rs`, `restore.rs`, `format.rs`, `recover.rs`: the commands.
//! * `commit_record.rs`: the commit record (SNAPSHOT's and FORMAT's last
//!   step), with `checksum.rs` and `durable_write.rs` ("write, then wait
//!   until durable", also used to retire a slot).
//! * `gather_code.rs`: whether a write runs on to the next word, as one
//!   gathered burst behind AXI4 (the record, FORMAT's zeroes, the harden).
//!
//! This block holds what every sequence shares — the committed snapshot's
//! sequence number and table, whether a device is mounted, the epoch —
//! and merges the sequences' use of the NVM port, the tables, the dirty
//! logs and the allocator (one sequence runs at a time).

pub mod checksum;
pub mod commit_check;
pub mod commit_record;
pub mod durable_write;
pub mod format;
pub mod front;
pub mod gather_code;
pub mod recover;
pub mod restore;
pub mod snapshot;

use crate::codes::CODE_BITS;
use crate::config::{COUNTER_BITS, FRAME_BITS, PAGE_BITS, TAG_BITS};
use crate::dirty_log::DirtyLogMaster;
use crate::frame_allocator::AllocatorControlMaster;
use crate::indirection_table::TableUpdateMaster;
use crate::nvm_arbiter::NvmMaster;
use crate::Config;
use commit_record::CommitWriter;
use format::FormatSeq;
use front::CommandFront;
use recover::RecoverSeq;
use restore::RestoreSeq;
use rust_hdl::prelude::*;
use snapshot::SnapshotSeq;

#[derive(LogicBlock)]
pub struct Sequencer<const D: usize> {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    /// Command port (contract §3).
    pub cmd_valid: Signal<In, Bit>,
    pub cmd_ready: Signal<Out, Bit>,
    pub cmd_op: Signal<In, Bits<CODE_BITS>>,
    pub cmd_done: Signal<Out, Bit>,
    pub cmd_status: Signal<Out, Bits<CODE_BITS>>,
    /// The host port may accept requests; it has nothing held or in flight.
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
    /// The table's read port (results one cycle later) and its writes.
    pub lookup_page: Signal<Out, Bits<PAGE_BITS>>,
    pub working_mapped: Signal<In, Bit>,
    pub working_frame: Signal<In, Bits<FRAME_BITS>>,
    pub committed_mapped: Signal<In, Bit>,
    pub committed_frame: Signal<In, Bits<FRAME_BITS>>,
    pub table_update: TableUpdateMaster,
    pub log: DirtyLogMaster,
    pub alloc: AllocatorControlMaster,
    /// State exported to the other blocks and the status port.
    pub epoch: Signal<Out, Bits<TAG_BITS>>,
    pub mounted: Signal<Out, Bit>,
    pub snap_seq: Signal<Out, Bits<COUNTER_BITS>>,
    pub phase: Signal<Out, Bits<CODE_BITS>>,
    /// Event pulses.
    pub page_hardened: Signal<Out, Bit>,
    pub snapshot_taken: Signal<Out, Bit>,
    pub restore_taken: Signal<Out, Bit>,
    pub error: Signal<Out, Bit>,
    front: CommandFront,
    snapshot: SnapshotSeq<D>,
    restore: RestoreSeq,
    format: FormatSeq<D>,
    recover: RecoverSeq<D>,
    commit: CommitWriter<D>,
    /// The committed snapshot: sequence number and table (0 = A, 1 = B).
    seq: DFF<Bits<COUNTER_BITS>>,
    active_table: DFF<Bit>,
    is_mounted: DFF<Bit>,
    epoch_reg: DFF<Bits<TAG_BITS>>,
    /// Tag 0 means "not written in this epoch": epochs count from 1.
    first_epoch: Constant<Bits<TAG_BITS>>,
}

impl<const D: usize> Sequencer<D> {
    pub fn new(config: &Config) -> Self {
        Sequencer {
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
            table_update: Default::default(),
            log: Default::default(),
            alloc: Default::default(),
            epoch: Default::default(),
            mounted: Default::default(),
            snap_seq: Default::default(),
            phase: Default::default(),
            page_hardened: Default::default(),
            snapshot_taken: Default::default(),
            restore_taken: Default::default(),
            error: Default::default(),
            front: Default::default(),
            snapshot: SnapshotSeq::new(config),
            restore: RestoreSeq::new(config.pages),
            format: FormatSeq::new(config),
            recover: RecoverSeq::new(config),
            commit: CommitWriter::new(config),
            seq: Default::default(),
            active_table: Default::default(),
            is_mounted: Default::default(),
            epoch_reg: Default::default(),
            first_epoch: Constant::new(1u64.to_bits()),
        }
    }
}

impl<const D: usize> Logic for Sequencer<D> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, seq, active_table, is_mounted, epoch_reg);
        clock!(self, clock, front, snapshot, restore, format, recover, commit);
        self.front.reset.next = self.reset.val();
        self.snapshot.reset.next = self.reset.val();
        self.restore.reset.next = self.reset.val();
        self.format.reset.next = self.reset.val();
        self.recover.reset.next = self.reset.val();
        self.commit.reset.next = self.reset.val();

        // The front: commands in and out, the sequences started and ended.
        self.front.cmd_valid.next = self.cmd_valid.val();
        self.front.cmd_op.next = self.cmd_op.val();
        self.cmd_ready.next = self.front.cmd_ready.val();
        self.cmd_done.next = self.front.cmd_done.val();
        self.cmd_status.next = self.front.cmd_status.val();
        self.front.mounted.next = self.is_mounted.q.val();
        self.front.host_idle.next = self.host_idle.val();
        self.front.snapshot_phase.next = self.snapshot.phase.val();
        self.snapshot.start.next = self.front.start_snapshot.val();
        self.restore.start.next = self.front.start_restore.val();
        self.format.start.next = self.front.start_format.val();
        self.recover.start.next = self.front.start_recover.val();
        self.front.done.next = self.snapshot.done.val() | self.restore.done.val() | self.format.done.val() | self.recover.done.val();
        self.front.restore_instant.next = self.restore.instant.val();
        self.front.done_status.next = self.snapshot.status.val();
        if self.format.done.val() {
            self.front.done_status.next = self.format.status.val();
        } else if self.recover.done.val() {
            self.front.done_status.next = self.recover.status.val();
        }

        // What the sequences read.
        self.snapshot.flush_done.next = self.flush_done.val();
        self.snapshot.host_idle.next = self.host_idle.val();
        self.snapshot.seq.next = self.seq.q.val();
        self.snapshot.active_table.next = self.active_table.q.val();
        self.snapshot.working_mapped.next = self.working_mapped.val();
        self.snapshot.working_frame.next = self.working_frame.val();
        self.snapshot.committed_mapped.next = self.committed_mapped.val();
        self.snapshot.committed_frame.next = self.committed_frame.val();
        self.snapshot.log.read_page.next = self.log.read_page.val();
        self.snapshot.log.current_count.next = self.log.current_count.val();
        self.snapshot.log.previous_count.next = self.log.previous_count.val();
        self.restore.epoch.next = self.epoch_reg.q.val();
        self.recover.active_table.next = self.active_table.q.val();
        self.recover.committed_mapped.next = self.committed_mapped.val();
        self.recover.committed_frame.next = self.committed_frame.val();

        // The commit record, for SNAPSHOT or FORMAT.
        self.commit.start.next = self.snapshot.commit_start.val() | self.format.commit_start.val();
        self.commit.seq.next = self.snapshot.new_seq_out.val();
        self.commit.record_table.next = self.snapshot.new_table_out.val();
        if self.format.owns_table.val() {
            self.commit.seq.next = self.format.commit_seq.val();
            self.commit.record_table.next = self.format.commit_table.val();
        }
        self.snapshot.commit_done.next = self.commit.done.val();
        self.format.commit_done.next = self.commit.done.val();

        // The NVM port: the answers go to everyone, the requests come from
        // whoever runs (the commit writer within SNAPSHOT or FORMAT).
        self.snapshot.nvm.req_ready.next = self.nvm.req_ready.val();
        self.snapshot.nvm.rsp_valid.next = self.nvm.rsp_valid.val();
        self.snapshot.nvm.rsp_rdata.next = self.nvm.rsp_rdata.val();
        self.format.nvm.req_ready.next = self.nvm.req_ready.val();
        self.format.nvm.rsp_valid.next = self.nvm.rsp_valid.val();
        self.format.nvm.rsp_rdata.next = self.nvm.rsp_rdata.val();
        self.recover.nvm.req_ready.next = self.nvm.req_ready.val();
        self.recover.nvm.rsp_valid.next = self.nvm.rsp_valid.val();
        self.recover.nvm.rsp_rdata.next = self.nvm.rsp_rdata.val();
        self.commit.nvm.req_ready.next = self.nvm.req_ready.val();
        self.commit.nvm.rsp_valid.next = self.nvm.rsp_valid.val();
        self.commit.nvm.rsp_rdata.next = self.nvm.rsp_rdata.val();
        self.snapshot.nvm_idle.next = self.nvm_idle.val();
        self.format.nvm_idle.next = self.nvm_idle.val();
        self.recover.nvm_idle.next = self.nvm_idle.val();
        self.commit.nvm_idle.next = self.nvm_idle.val();
        self.nvm.req_valid.next = self.snapshot.nvm.req_valid.val();
        self.nvm.req_write.next = self.snapshot.nvm.req_write.val();
        self.nvm.req_addr.next = self.snapshot.nvm.req_addr.val();
        self.nvm.req_wdata.next = self.snapshot.nvm.req_wdata.val();
        if self.commit.busy.val() {
            self.nvm.req_valid.next = self.commit.nvm.req_valid.val();
            self.nvm.req_write.next = self.commit.nvm.req_write.val();
            self.nvm.req_addr.next = self.commit.nvm.req_addr.val();
            self.nvm.req_wdata.next = self.commit.nvm.req_wdata.val();
        } else if self.format.owns_nvm.val() {
            self.nvm.req_valid.next = self.format.nvm.req_valid.val();
            self.nvm.req_write.next = self.format.nvm.req_write.val();
            self.nvm.req_addr.next = self.format.nvm.req_addr.val();
            self.nvm.req_wdata.next = self.format.nvm.req_wdata.val();
        } else if self.recover.owns_nvm.val() {
            self.nvm.req_valid.next = self.recover.nvm.req_valid.val();
            self.nvm.req_write.next = self.recover.nvm.req_write.val();
            self.nvm.req_addr.next = self.recover.nvm.req_addr.val();
            self.nvm.req_wdata.next = self.recover.nvm.req_wdata.val();
        }
        self.owns_nvm.next = self.snapshot.owns_nvm.val() | self.format.owns_nvm.val() | self.recover.owns_nvm.val() | self.commit.busy.val();

        // The tables: SNAPSHOT reads them; the writes of whoever writes.
        self.owns_table.next = self.snapshot.owns_table.val() | self.restore.owns_table.val() | self.format.owns_table.val() | self.recover.owns_table.val();
        self.lookup_page.next = self.snapshot.lookup_page.val();
        if self.recover.owns_table.val() {
            self.lookup_page.next = self.recover.lookup_page.val();
        }
        self.table_update.ct_write.next = self.snapshot.table_update.ct_write.val()
            | self.restore.table_update.ct_write.val()
            | self.format.table_update.ct_write.val()
            | self.recover.table_update.ct_write.val();
        self.table_update.ct_page.next = self.snapshot.table_update.ct_page.val();
        self.table_update.ct_mapped.next = self.snapshot.table_update.ct_mapped.val();
        self.table_update.ct_frame.next = self.snapshot.table_update.ct_frame.val();
        if self.format.table_update.ct_write.val() {
            self.table_update.ct_page.next = self.format.table_update.ct_page.val();
            self.table_update.ct_mapped.next = self.format.table_update.ct_mapped.val();
            self.table_update.ct_frame.next = self.format.table_update.ct_frame.val();
        } else if self.recover.table_update.ct_write.val() {
            self.table_update.ct_page.next = self.recover.table_update.ct_page.val();
            self.table_update.ct_mapped.next = self.recover.table_update.ct_mapped.val();
            self.table_update.ct_frame.next = self.recover.table_update.ct_frame.val();
        } else if self.restore.table_update.ct_write.val() {
            self.table_update.ct_page.next = self.restore.table_update.ct_page.val();
            self.table_update.ct_mapped.next = self.restore.table_update.ct_mapped.val();
            self.table_update.ct_frame.next = self.restore.table_update.ct_frame.val();
        }
        self.table_update.wt_clear.next = self.snapshot.table_update.wt_clear.val()
            | self.restore.table_update.wt_clear.val()
            | self.format.table_update.wt_clear.val()
            | self.recover.table_update.wt_clear.val();
        self.table_update.wt_page.next = self.snapshot.table_update.wt_page.val();
        if self.format.table_update.wt_clear.val() {
            self.table_update.wt_page.next = self.format.table_update.wt_page.val();
        } else if self.recover.table_update.wt_clear.val() {
            self.table_update.wt_page.next = self.recover.table_update.wt_page.val();
        } else if self.restore.table_update.wt_clear.val() {
            self.table_update.wt_page.next = self.restore.table_update.wt_page.val();
        }

        // The dirty logs: SNAPSHOT reads and swaps them, RESTORE drops the
        // current one, FORMAT and RECOVER clear both.
        self.log.read_index.next = self.snapshot.log.read_index.val();
        self.log.read_previous.next = self.snapshot.log.read_previous.val();
        self.log.swap.next = self.snapshot.log.swap.val();
        self.log.drop.next = self.snapshot.log.drop.val() | self.restore.log_drop.val();
        self.log.clear.next = self.snapshot.log.clear.val() | self.format.log_clear.val() | self.recover.log_clear.val();

        // The allocator.
        self.alloc.push.next = self.snapshot.alloc.push.val() | self.restore.alloc.push.val() | self.format.alloc.push.val() | self.recover.alloc.push.val();
        self.alloc.push_frame.next = self.snapshot.alloc.push_frame.val();
        if self.format.alloc.push.val() {
            self.alloc.push_frame.next = self.format.alloc.push_frame.val();
        } else if self.recover.alloc.push.val() {
            self.alloc.push_frame.next = self.recover.alloc.push_frame.val();
        } else if self.restore.alloc.push.val() {
            self.alloc.push_frame.next = self.restore.alloc.push_frame.val();
        }
        self.alloc.commit.next =
            self.snapshot.alloc.commit.val() | self.restore.alloc.commit.val() | self.format.alloc.commit.val() | self.recover.alloc.commit.val();
        self.alloc.publish.next =
            self.snapshot.alloc.publish.val() | self.restore.alloc.publish.val() | self.format.alloc.publish.val() | self.recover.alloc.publish.val();
        self.alloc.rollback.next =
            self.snapshot.alloc.rollback.val() | self.restore.alloc.rollback.val() | self.format.alloc.rollback.val() | self.recover.alloc.rollback.val();
        self.alloc.init.next = self.snapshot.alloc.init.val() | self.restore.alloc.init.val() | self.format.alloc.init.val() | self.recover.alloc.init.val();

        // The committed snapshot, the mount and the epoch.
        if self.snapshot.set_committed.val() {
            self.seq.d.next = self.snapshot.new_seq_out.val();
            self.active_table.d.next = self.snapshot.new_table_out.val();
        }
        if self.format.set_committed.val() {
            self.seq.d.next = self.format.commit_seq.val();
            self.active_table.d.next = self.format.commit_table.val();
        }
        if self.recover.set_committed.val() {
            self.seq.d.next = self.recover.found_seq.val();
            self.active_table.d.next = self.recover.found_table.val();
        }
        if self.format.unmount.val() | self.recover.unmount.val() {
            self.is_mounted.d.next = false;
        }
        if self.format.mount.val() | self.recover.mount.val() {
            self.is_mounted.d.next = true;
            self.epoch_reg.d.next = self.first_epoch.val();
        }
        if self.restore.next_epoch.val() {
            self.epoch_reg.d.next = self.epoch_reg.q.val() + 1;
        }
        if self.restore.first_epoch.val() {
            self.epoch_reg.d.next = self.first_epoch.val();
        }
        if self.reset.val() {
            self.is_mounted.d.next = false;
            self.seq.d.next = 0.into();
            self.active_table.d.next = false;
            self.epoch_reg.d.next = self.first_epoch.val();
        }

        // Outputs.
        self.host_enable.next = self.front.idle.val() | self.snapshot.host_open.val();
        self.flush_start.next = self.snapshot.flush_start.val();
        self.epoch.next = self.epoch_reg.q.val();
        self.mounted.next = self.is_mounted.q.val();
        self.snap_seq.next = self.seq.q.val();
        self.phase.next = self.front.phase.val();
        self.page_hardened.next = self.snapshot.page_hardened.val();
        self.snapshot_taken.next = self.snapshot.snapshot_taken.val();
        self.restore_taken.next = self.restore.restore_taken.val();
        self.error.next = self.front.error.val();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lints_and_synthesizes() {
        crate::test_support::lint::check_block("sequencer", Sequencer::<32>::new(&crate::Config::default()));
    }
}
