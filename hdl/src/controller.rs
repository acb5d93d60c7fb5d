//! The controller top: the blocks of this crate wired together, with the
//! ports of contract §3. Emitted as the Verilog module `pmsnap_controller`.
//!
//! ```text
//!  host ──► HostPort ──┬──► IndirectionTable (ct, wt)   DirtyLog
//!                      ├──► FrameAllocator ◄── FallbackRelease ▲
//!                      └──► CowEngine ──┐                  │
//!  cmd ───► Sequencer ◄──► FlushHandshake ◄─► host flush  │
//!              │  └──────────────────────────────────────────┘
//!              └──────────► NvmArbiter ◄── HostPort, CowEngine,
//!                                          FallbackRelease ──► NVM
//! ```

use crate::codes::CODE_BITS;
use crate::config::{COUNTER_BITS, HOST_ADDR_BITS, NVM_ADDR_BITS};
use crate::cow_engine::CowEngine;
use crate::dirty_log::{DirtyLog, DirtyLogMaster};
use crate::fallback_release::FallbackRelease;
use crate::flush_handshake::FlushHandshake;
use crate::frame_allocator::{AllocatorControlMaster, FrameAllocator};
use crate::host_port::HostPort;
use crate::indirection_table::{IndirectionTable, TableUpdateMaster};
use crate::nvm_arbiter::{NvmArbiter, NvmMaster, NvmOwner};
use crate::sequencer::Sequencer;
use crate::status_counters::StatusCounters;
use crate::Config;
use rust_hdl::prelude::*;

#[derive(LogicBlock)]
pub struct Controller<const D: usize> {
    pub clock: Signal<In, Clock>,
    /// Synchronous, active high.
    pub reset: Signal<In, Bit>,
    // Host port.
    pub req_valid: Signal<In, Bit>,
    pub req_ready: Signal<Out, Bit>,
    pub req_write: Signal<In, Bit>,
    pub req_addr: Signal<In, Bits<HOST_ADDR_BITS>>,
    pub req_wdata: Signal<In, Bits<D>>,
    pub rsp_valid: Signal<Out, Bit>,
    pub rsp_rdata: Signal<Out, Bits<D>>,
    pub rsp_err: Signal<Out, Bit>,
    // Command port.
    pub cmd_valid: Signal<In, Bit>,
    pub cmd_ready: Signal<Out, Bit>,
    pub cmd_op: Signal<In, Bits<CODE_BITS>>,
    pub cmd_done: Signal<Out, Bit>,
    pub cmd_status: Signal<Out, Bits<CODE_BITS>>,
    // Status.
    pub mounted: Signal<Out, Bit>,
    pub snap_seq: Signal<Out, Bits<COUNTER_BITS>>,
    /// What the command sequencer is doing: `codes::Phase`.
    pub seq_phase: Signal<Out, Bits<CODE_BITS>>,
    /// Frames a write can still get: F minus the frames of the committed
    /// and working images (those only the fallback holds count as free).
    pub free_frames: Signal<Out, Bits<COUNTER_BITS>>,
    /// A fallback snapshot (the one before the committed one) is kept.
    pub fallback_held: Signal<Out, Bit>,
    pub cow_faults: Signal<Out, Bits<COUNTER_BITS>>,
    pub pages_hardened: Signal<Out, Bits<COUNTER_BITS>>,
    pub snapshots: Signal<Out, Bits<COUNTER_BITS>>,
    pub restores: Signal<Out, Bits<COUNTER_BITS>>,
    pub errors: Signal<Out, Bits<COUNTER_BITS>>,
    // Flush handshake.
    pub flush_req: Signal<Out, Bit>,
    pub flush_ack: Signal<In, Bit>,
    // NVM port.
    pub mem_req_valid: Signal<Out, Bit>,
    pub mem_req_ready: Signal<In, Bit>,
    pub mem_req_write: Signal<Out, Bit>,
    pub mem_req_addr: Signal<Out, Bits<NVM_ADDR_BITS>>,
    pub mem_req_wdata: Signal<Out, Bits<D>>,
    pub mem_rsp_valid: Signal<In, Bit>,
    pub mem_rsp_rdata: Signal<In, Bits<D>>,
    host: HostPort<D>,
    tables: IndirectionTable,
    allocator: FrameAllocator,
    dirty: DirtyLog,
    cow: CowEngine<D>,
    fallback: FallbackRelease<D>,
    sequencer: Sequencer<D>,
    flush: FlushHandshake,
    arbiter: NvmArbiter<D>,
    counters: StatusCounters,
}

impl<const D: usize> Controller<D> {
    pub fn new(config: &Config) -> Self {
        assert_eq!(config.word_bits, D, "Controller<{D}> built for word-bits {}", config.word_bits);
        Controller {
            clock: Default::default(),
            reset: Default::default(),
            req_valid: Default::default(),
            req_ready: Default::default(),
            req_write: Default::default(),
            req_addr: Default::default(),
            req_wdata: Default::default(),
            rsp_valid: Default::default(),
            rsp_rdata: Default::default(),
            rsp_err: Default::default(),
            cmd_valid: Default::default(),
            cmd_ready: Default::default(),
            cmd_op: Default::default(),
            cmd_done: Default::default(),
            cmd_status: Default::default(),
            mounted: Default::default(),
            snap_seq: Default::default(),
            seq_phase: Default::default(),
            free_frames: Default::default(),
            fallback_held: Default::default(),
            cow_faults: Default::default(),
            pages_hardened: Default::default(),
            snapshots: Default::default(),
            restores: Default::default(),
            errors: Default::default(),
            flush_req: Default::default(),
            flush_ack: Default::default(),
            mem_req_valid: Default::default(),
            mem_req_ready: Default::default(),
            mem_req_write: Default::default(),
            mem_req_addr: Default::default(),
            mem_req_wdata: Default::default(),
            mem_rsp_valid: Default::default(),
            mem_rsp_rdata: Default::default(),
            host: HostPort::new(config),
            tables: IndirectionTable::new(config.pages),
            allocator: FrameAllocator::new(config.frames),
            dirty: DirtyLog::new(config.pages),
            cow: CowEngine::new(config),
            fallback: FallbackRelease::new(config),
            sequencer: Sequencer::new(config),
            flush: Default::default(),
            arbiter: NvmArbiter::new(config),
            counters: Default::default(),
        }
    }
}

impl<const D: usize> Logic for Controller<D> {
    #[hdl_gen]
    fn update(&mut self) {
        clock!(self, clock, host, tables, allocator, dirty, cow, fallback, sequencer, flush, arbiter, counters);
        self.host.reset.next = self.reset.val();
        self.allocator.reset.next = self.reset.val();
        self.dirty.reset.next = self.reset.val();
        self.cow.reset.next = self.reset.val();
        self.fallback.reset.next = self.reset.val();
        self.sequencer.reset.next = self.reset.val();
        self.flush.reset.next = self.reset.val();
        self.arbiter.reset.next = self.reset.val();
        self.counters.reset.next = self.reset.val();

        // Host port.
        self.host.req_valid.next = self.req_valid.val();
        self.host.req_write.next = self.req_write.val();
        self.host.req_addr.next = self.req_addr.val();
        self.host.req_wdata.next = self.req_wdata.val();
        self.req_ready.next = self.host.req_ready.val();
        self.rsp_valid.next = self.host.rsp_valid.val();
        self.rsp_rdata.next = self.host.rsp_rdata.val();
        self.rsp_err.next = self.host.rsp_err.val();
        self.host.enable.next = self.sequencer.host_enable.val();
        self.host.mounted.next = self.sequencer.mounted.val();
        self.host.nvm_idle.next = self.arbiter.idle.val();
        self.host.owned.next = self.tables.owned.val();
        self.host.working_mapped.next = self.tables.working_mapped.val();
        self.host.working_frame.next = self.tables.working_frame.val();
        self.host.tag_low_match.next = self.tables.tag_low_match.val();
        self.host.tag_high_match.next = self.tables.tag_high_match.val();
        self.host.tagged_frame.next = self.tables.tagged_frame.val();
        self.host.committed_mapped.next = self.tables.committed_mapped.val();
        self.host.committed_frame.next = self.tables.committed_frame.val();
        self.host.alloc_empty.next = self.allocator.empty.val();
        self.host.alloc_reclaimable.next = self.allocator.reclaimable.val();
        self.host.release_done.next = self.fallback.done.val();
        self.host.alloc_frame.next = self.allocator.head_frame.val();
        self.host.alloc_settled.next = self.allocator.settled.val();
        self.host.cow_done.next = self.cow.done.val();

        // Command port and sequencer.
        self.sequencer.cmd_valid.next = self.cmd_valid.val();
        self.sequencer.cmd_op.next = self.cmd_op.val();
        self.cmd_ready.next = self.sequencer.cmd_ready.val();
        self.cmd_done.next = self.sequencer.cmd_done.val();
        self.cmd_status.next = self.sequencer.cmd_status.val();
        self.sequencer.host_idle.next = self.host.idle.val();
        self.sequencer.nvm_idle.next = self.arbiter.idle.val();
        self.sequencer.flush_done.next = self.flush.done.val();
        self.sequencer.working_mapped.next = self.tables.working_mapped.val();
        self.sequencer.working_frame.next = self.tables.working_frame.val();
        self.sequencer.committed_mapped.next = self.tables.committed_mapped.val();
        self.sequencer.committed_frame.next = self.tables.committed_frame.val();

        // Flush handshake.
        self.flush.start.next = self.sequencer.flush_start.val();
        self.flush.flush_ack.next = self.flush_ack.val();
        self.flush_req.next = self.flush.flush_req.val();

        // Indirection table: the sequencer owns it while it runs a command.
        self.tables.epoch.next = self.sequencer.epoch.val();
        self.tables.read_page.next = self.host.lookup_page.val();
        if self.sequencer.owns_table.val() {
            self.tables.read_page.next = self.sequencer.lookup_page.val();
        }
        TableUpdateMaster::join(&mut self.sequencer.table_update, &mut self.tables.update);
        self.tables.remap.next = self.host.remap.val();
        self.tables.remap_page.next = self.host.remap_page.val();
        self.tables.remap_frame.next = self.host.remap_frame.val();

        // Frame allocator and dirty log.
        self.allocator.pop.next = self.host.alloc_pop.val();
        AllocatorControlMaster::join(&mut self.sequencer.alloc, &mut self.allocator.control);
        self.allocator.free_retired.next = self.fallback.done.val();
        self.dirty.append.next = self.host.remap.val();
        self.dirty.append_page.next = self.host.remap_page.val();
        DirtyLogMaster::join(&mut self.sequencer.log, &mut self.dirty.control);

        // COW engine: the page is not owned, so its working frame (as the
        // host port decided on it) is the committed one.
        self.cow.start.next = self.host.cow_start.val();
        self.cow.src_mapped.next = self.host.cow_src_mapped.val();
        self.cow.src_frame.next = self.host.cow_src_frame.val();
        self.cow.dst_frame.next = self.allocator.head_frame.val();
        self.cow.offset.next = self.host.cow_offset.val();
        self.cow.wdata.next = self.host.cow_wdata.val();

        // Fallback release: the fallback's record is in the slot the
        // committed one (sequence number s, slot s mod 2) is not in.
        self.fallback.start.next = self.host.release_start.val();
        self.fallback.fallback_slot.next = !self.sequencer.snap_seq.val().get_bit(0);

        // NVM port.
        NvmMaster::<D>::join(&mut self.host.nvm, &mut self.arbiter.host);
        NvmMaster::<D>::join(&mut self.cow.nvm, &mut self.arbiter.cow);
        NvmMaster::<D>::join(&mut self.sequencer.nvm, &mut self.arbiter.sequencer);
        NvmMaster::<D>::join(&mut self.fallback.nvm, &mut self.arbiter.fallback);
        self.arbiter.owner.next = NvmOwner::Host;
        if self.host.cow_active.val() {
            self.arbiter.owner.next = NvmOwner::Cow;
        }
        if self.host.release_active.val() {
            self.arbiter.owner.next = NvmOwner::Fallback;
        }
        if self.sequencer.owns_nvm.val() {
            self.arbiter.owner.next = NvmOwner::Sequencer;
        }
        self.mem_req_valid.next = self.arbiter.nvm.req_valid.val();
        self.mem_req_write.next = self.arbiter.nvm.req_write.val();
        self.mem_req_addr.next = self.arbiter.nvm.req_addr.val();
        self.mem_req_wdata.next = self.arbiter.nvm.req_wdata.val();
        self.arbiter.nvm.req_ready.next = self.mem_req_ready.val();
        self.arbiter.nvm.rsp_valid.next = self.mem_rsp_valid.val();
        self.arbiter.nvm.rsp_rdata.next = self.mem_rsp_rdata.val();

        // Status.
        self.mounted.next = self.sequencer.mounted.val();
        self.snap_seq.next = self.sequencer.snap_seq.val();
        self.seq_phase.next = self.sequencer.phase.val();
        self.free_frames.next = self.allocator.free_count.val();
        self.fallback_held.next = self.allocator.fallback_held.val();
        self.counters.cow_fault.next = self.host.cow_fault.val();
        self.counters.page_hardened.next = self.sequencer.page_hardened.val();
        self.counters.snapshot.next = self.sequencer.snapshot_taken.val();
        self.counters.restore.next = self.sequencer.restore_taken.val();
        self.counters.error.next = self.host.error.val() | self.sequencer.error.val();
        self.cow_faults.next = self.counters.cow_faults.val();
        self.pages_hardened.next = self.counters.pages_hardened.val();
        self.snapshots.next = self.counters.snapshots.val();
        self.restores.next = self.counters.restores.val();
        self.errors.next = self.counters.errors.val();
    }
}
