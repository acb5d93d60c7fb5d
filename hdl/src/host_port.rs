//! Host port: the request pipeline of the working image `M`.
//!
//! Requests come in through a one-request skid buffer (`req_ready` is a
//! register; a request offered while the pipeline is busy waits there). A
//! request is decided on in one stage (the decide stage: `valid`, `addr`,
//! ...) from its table entry. With lookup latency 1 it enters that stage as
//! it is accepted, and the entry, read at the accepting edge, comes straight
//! from the table's block RAM. With lookup latency 2 it first waits a cycle
//! in a lookup stage (`s1_*`) while the entry is read, and the entry is
//! registered (`lk_*`) as the request moves on — in parts: each half of the
//! tag compare, the two frames, and the request's class both ways the
//! compare can go — so the block RAM meets half a compare before a register
//! and the decision is one LUT on registers, at one more cycle on every
//! request. The decision:
//!
//! * address ≥ L·W, or no device mounted → error response, nothing changes;
//! * read of a page with no frame → zero, no NVM access;
//! * read, or write to a page already remapped in this epoch → one NVM
//!   access at `frames_base + frame·W + offset` (computed as
//!   `(first_frame + frame)·W | offset`); the NVM's response is the host's
//!   response. This path accepts a request every cycle and adds the lookup
//!   latency to the NVM's;
//! * first write to a page in this epoch → COW fault: pop a free frame, hand
//!   the copy (with the written word merged) to the COW engine, remap the
//!   page in the working table, log it as dirty, respond. When only the
//!   fallback snapshot's frames are left, it first has `FallbackRelease`
//!   give them up (state `Release`), then faults. No frame at all → error
//!   response, nothing changes.
//!
//! Responses are in order: a locally answered request waits until the NVM
//! has answered everything before it (`nvm_idle`).
//!
//! With lookup latency 2 the entry of a request in the lookup stage can be
//! rewritten by the remap of the request ahead of it, at the very edge the
//! table RAM reads it (which then returns a word nobody may use, see
//! `sync_ram`): `fwd` notes that, and the registered entry is the remap's
//! (owned, mapped, `dst`) instead.
//! Only the remap needs this: the sequencer writes the tables while the
//! port is idle.

use crate::config::{FRAME_BITS, HOST_ADDR_BITS, NVM_ADDR_BITS, OFFSET_BITS, PAGE_BITS};
use crate::nvm_arbiter::NvmMaster;
use crate::skid_buffer::SkidBuffer;
use rust_hdl::prelude::*;

#[derive(Copy, Clone, PartialEq, Debug, LogicState)]
pub enum HostState {
    Lookup,
    /// The fallback snapshot is giving up its frames for this COW fault.
    Release,
    CowRun,
    CowFinish,
}

#[derive(LogicBlock)]
pub struct HostPort<const D: usize> {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    /// Host request/response (contract §3).
    pub req_valid: Signal<In, Bit>,
    pub req_ready: Signal<Out, Bit>,
    pub req_write: Signal<In, Bit>,
    pub req_addr: Signal<In, Bits<HOST_ADDR_BITS>>,
    pub req_wdata: Signal<In, Bits<D>>,
    pub rsp_valid: Signal<Out, Bit>,
    pub rsp_rdata: Signal<Out, Bits<D>>,
    pub rsp_err: Signal<Out, Bit>,
    /// Low while the command sequencer owns the controller.
    pub enable: Signal<In, Bit>,
    /// Low until FORMAT or RECOVER succeeds: every request is an error.
    pub mounted: Signal<In, Bit>,
    /// No request held and nothing in flight, from registers alone: a
    /// request offered in this cycle is not counted, so it means "drained"
    /// only while `enable` is low (every reader closes the port first).
    pub idle: Signal<Out, Bit>,
    /// Indirection-table lookup (results one cycle after `lookup_page`).
    pub lookup_page: Signal<Out, Bits<PAGE_BITS>>,
    pub owned: Signal<In, Bit>,
    pub working_mapped: Signal<In, Bit>,
    pub working_frame: Signal<In, Bits<FRAME_BITS>>,
    /// The same entry in parts, which lookup latency 2 registers: the two
    /// halves of the tag compare (`owned` = both), the working entry's
    /// frame, and the committed entry.
    pub tag_low_match: Signal<In, Bit>,
    pub tag_high_match: Signal<In, Bit>,
    pub tagged_frame: Signal<In, Bits<FRAME_BITS>>,
    pub committed_mapped: Signal<In, Bit>,
    pub committed_frame: Signal<In, Bits<FRAME_BITS>>,
    /// Remap after a COW fault: wt[page] = (current epoch, frame).
    pub remap: Signal<Out, Bit>,
    pub remap_page: Signal<Out, Bits<PAGE_BITS>>,
    pub remap_frame: Signal<Out, Bits<FRAME_BITS>>,
    /// Frame allocator.
    pub alloc_pop: Signal<Out, Bit>,
    pub alloc_empty: Signal<In, Bit>,
    /// Frames only the fallback snapshot holds: free once it is released.
    pub alloc_reclaimable: Signal<In, Bit>,
    pub alloc_frame: Signal<In, Bits<FRAME_BITS>>,
    /// `alloc_frame` is current (the allocator's head did not just move).
    pub alloc_settled: Signal<In, Bit>,
    /// Fallback release: start it, it is done, and it owns the NVM port.
    pub release_start: Signal<Out, Bit>,
    pub release_done: Signal<In, Bit>,
    pub release_active: Signal<Out, Bit>,
    /// COW engine.
    pub cow_start: Signal<Out, Bit>,
    pub cow_done: Signal<In, Bit>,
    /// High while the COW engine owns the NVM port.
    pub cow_active: Signal<Out, Bit>,
    pub cow_offset: Signal<Out, Bits<OFFSET_BITS>>,
    pub cow_wdata: Signal<Out, Bits<D>>,
    /// Event pulses for the counters.
    pub cow_fault: Signal<Out, Bit>,
    pub error: Signal<Out, Bit>,
    /// NVM (through the arbiter) and whether it has nothing in flight.
    pub nvm: NvmMaster<D>,
    pub nvm_idle: Signal<In, Bit>,
    /// COW engine's source: the faulting page's frame, as decided on.
    pub cow_src_mapped: Signal<Out, Bit>,
    pub cow_src_frame: Signal<Out, Bits<FRAME_BITS>>,
    /// The input: `req_ready` from a register.
    skid: SkidBuffer<D>,
    /// Lookup stage (lookup latency 2 only): a request whose entry is being read.
    s1_valid: DFF<Bit>,
    s1_write: DFF<Bit>,
    s1_addr: DFF<Bits<HOST_ADDR_BITS>>,
    s1_out_of_range: DFF<Bit>,
    s1_wdata: DFF<Bits<D>>,
    /// The decide stage's entry in parts, registered (lookup latency 2
    /// only), and its class both ways the tag compare can go: the block
    /// RAM's output meets only half a tag compare before a register.
    lk_tag_low: DFF<Bit>,
    lk_tag_high: DFF<Bit>,
    lk_tagged_frame: DFF<Bits<FRAME_BITS>>,
    lk_committed_mapped: DFF<Bit>,
    lk_committed_frame: DFF<Bits<FRAME_BITS>>,
    lk_error: DFF<Bit>,
    lk_zero_unowned: DFF<Bit>,
    lk_nvm_unowned: DFF<Bit>,
    lk_cow_unowned: DFF<Bit>,
    /// The entry the table returns this cycle was remapped at the edge it was read.
    fwd: DFF<Bit>,
    /// Decide stage.
    valid: DFF<Bit>,
    state: DFF<HostState>,
    write: DFF<Bit>,
    addr: DFF<Bits<HOST_ADDR_BITS>>,
    /// The held address is ≥ L·W (compared as it is accepted, off the
    /// decision path).
    out_of_range: DFF<Bit>,
    wdata: DFF<Bits<D>>,
    dst: DFF<Bits<FRAME_BITS>>,
    complete: Signal<Local, Bit>,
    /// The decide stage takes a request (or empties) at this edge.
    advance: Signal<Local, Bit>,
    /// The request the decide stage takes when it advances.
    next_valid: Signal<Local, Bit>,
    next_write: Signal<Local, Bit>,
    next_addr: Signal<Local, Bits<HOST_ADDR_BITS>>,
    next_out_of_range: Signal<Local, Bit>,
    next_wdata: Signal<Local, Bits<D>>,
    /// What the decision uses: the held request's class (error, a read of a
    /// page with no frame answered zero, one NVM access, a COW fault) and
    /// its entry, from the table's output (lookup latency 1) or from the
    /// registered parts (2).
    view_error: Signal<Local, Bit>,
    view_zero: Signal<Local, Bit>,
    view_nvm: Signal<Local, Bit>,
    view_cow: Signal<Local, Bit>,
    view_mapped: Signal<Local, Bit>,
    view_frame: Signal<Local, Bits<FRAME_BITS>>,
    /// Lookup latency 2: the registered entry is owned in this epoch.
    view_owned: Signal<Local, Bit>,
    held_page: Signal<Local, Bits<PAGE_BITS>>,
    offset: Signal<Local, Bits<OFFSET_BITS>>,
    /// L·W, log2(W), W − 1, first word of frame 0.
    limit: Constant<Bits<HOST_ADDR_BITS>>,
    page_shift: Constant<Bits<8>>,
    offset_mask: Constant<Bits<HOST_ADDR_BITS>>,
    /// Frame 0's place in NVM, in frames (the frames area starts on a
    /// multiple of W, so a word's address is (first_frame + frame)·W | offset:
    /// one short adder).
    first_frame: Constant<Bits<NVM_ADDR_BITS>>,
    /// Lookup latency 2: the lookup stage and the registered entry are in use.
    registered: Constant<Bit>,
}

impl<const D: usize> HostPort<D> {
    pub fn new(config: &crate::Config) -> Self {
        HostPort {
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
            enable: Default::default(),
            mounted: Default::default(),
            idle: Default::default(),
            lookup_page: Default::default(),
            owned: Default::default(),
            working_mapped: Default::default(),
            working_frame: Default::default(),
            tag_low_match: Default::default(),
            tag_high_match: Default::default(),
            tagged_frame: Default::default(),
            committed_mapped: Default::default(),
            committed_frame: Default::default(),
            remap: Default::default(),
            remap_page: Default::default(),
            remap_frame: Default::default(),
            alloc_pop: Default::default(),
            alloc_empty: Default::default(),
            alloc_reclaimable: Default::default(),
            alloc_frame: Default::default(),
            alloc_settled: Default::default(),
            release_start: Default::default(),
            release_done: Default::default(),
            release_active: Default::default(),
            cow_start: Default::default(),
            cow_done: Default::default(),
            cow_active: Default::default(),
            cow_offset: Default::default(),
            cow_wdata: Default::default(),
            cow_fault: Default::default(),
            error: Default::default(),
            nvm: Default::default(),
            nvm_idle: Default::default(),
            cow_src_mapped: Default::default(),
            cow_src_frame: Default::default(),
            skid: Default::default(),
            s1_valid: Default::default(),
            s1_write: Default::default(),
            s1_addr: Default::default(),
            s1_out_of_range: Default::default(),
            s1_wdata: Default::default(),
            lk_tag_low: Default::default(),
            lk_tag_high: Default::default(),
            lk_tagged_frame: Default::default(),
            lk_committed_mapped: Default::default(),
            lk_committed_frame: Default::default(),
            lk_error: Default::default(),
            lk_zero_unowned: Default::default(),
            lk_nvm_unowned: Default::default(),
            lk_cow_unowned: Default::default(),
            fwd: Default::default(),
            valid: Default::default(),
            state: Default::default(),
            write: Default::default(),
            addr: Default::default(),
            out_of_range: Default::default(),
            wdata: Default::default(),
            dst: Default::default(),
            complete: Default::default(),
            advance: Default::default(),
            view_error: Default::default(),
            view_zero: Default::default(),
            view_nvm: Default::default(),
            view_cow: Default::default(),
            view_mapped: Default::default(),
            view_frame: Default::default(),
            view_owned: Default::default(),
            next_valid: Default::default(),
            next_write: Default::default(),
            next_addr: Default::default(),
            next_out_of_range: Default::default(),
            next_wdata: Default::default(),
            held_page: Default::default(),
            offset: Default::default(),
            limit: Constant::new(config.logical_words().to_bits()),
            page_shift: Constant::new((config.page_shift() as u64).to_bits()),
            offset_mask: Constant::new((config.page_words as u64 - 1).to_bits()),
            first_frame: Constant::new((config.layout().frames_base() / config.page_words as u64).to_bits()),
            registered: Constant::new(config.lookup_latency == 2),
        }
    }
}

impl<const D: usize> Logic for HostPort<D> {
    #[hdl_gen]
    fn update(&mut self) {
        clock!(self, clock, skid);
        self.skid.reset.next = self.reset.val();
        dff_setup!(
            self,
            clock,
            s1_valid,
            s1_write,
            s1_addr,
            s1_out_of_range,
            s1_wdata,
            lk_tag_low,
            lk_tag_high,
            lk_tagged_frame,
            lk_committed_mapped,
            lk_committed_frame,
            lk_error,
            lk_zero_unowned,
            lk_nvm_unowned,
            lk_cow_unowned,
            fwd,
            valid,
            state,
            write,
            addr,
            out_of_range,
            wdata,
            dst
        );
        // Lookup latency 1: the request in the decide stage, classified from
        // the table's output. (An error is decided first, so the other
        // classes need not exclude it.)
        self.view_error.next = self.out_of_range.q.val() | !self.mounted.val();
        self.view_zero.next = !self.write.q.val() & !self.working_mapped.val();
        self.view_nvm.next = (!self.write.q.val() & self.working_mapped.val()) | (self.write.q.val() & self.owned.val());
        self.view_cow.next = self.write.q.val() & !self.owned.val();
        self.view_mapped.next = self.working_mapped.val();
        self.view_frame.next = self.working_frame.val();
        // Lookup latency 2: the registered parts; owned in this epoch means a
        // mapped page, a write in place, and the tagged frame.
        self.view_owned.next = self.lk_tag_low.q.val() & self.lk_tag_high.q.val();
        if self.registered.val() {
            self.view_error.next = self.lk_error.q.val();
            self.view_zero.next = !self.view_owned.val() & self.lk_zero_unowned.q.val();
            self.view_nvm.next = self.view_owned.val() | self.lk_nvm_unowned.q.val();
            self.view_cow.next = !self.view_owned.val() & self.lk_cow_unowned.q.val();
            self.view_mapped.next = self.view_owned.val() | self.lk_committed_mapped.q.val();
            self.view_frame.next = self.lk_committed_frame.q.val();
            if self.view_owned.val() {
                self.view_frame.next = self.lk_tagged_frame.q.val();
            }
        }
        self.held_page.next = bit_cast::<PAGE_BITS, HOST_ADDR_BITS>(self.addr.q.val() >> self.page_shift.val());
        self.offset.next = bit_cast::<OFFSET_BITS, HOST_ADDR_BITS>(self.addr.q.val() & self.offset_mask.val());
        self.complete.next = false;
        self.rsp_valid.next = false;
        self.rsp_err.next = false;
        self.rsp_rdata.next = 0.into();
        self.nvm.req_valid.next = false;
        self.nvm.req_write.next = self.write.q.val();
        self.nvm.req_addr.next = ((bit_cast::<NVM_ADDR_BITS, FRAME_BITS>(self.view_frame.val()) + self.first_frame.val()) << self.page_shift.val())
            | bit_cast::<NVM_ADDR_BITS, OFFSET_BITS>(self.offset.val());
        self.nvm.req_wdata.next = self.wdata.q.val();
        self.remap.next = false;
        self.remap_page.next = self.held_page.val();
        self.remap_frame.next = self.dst.q.val();
        self.alloc_pop.next = false;
        self.cow_start.next = false;
        self.cow_active.next = self.state.q.val() == HostState::CowRun;
        self.release_start.next = false;
        self.release_active.next = self.state.q.val() == HostState::Release;
        self.cow_offset.next = self.offset.val();
        self.cow_wdata.next = self.wdata.q.val();
        self.cow_src_mapped.next = self.view_mapped.val();
        self.cow_src_frame.next = self.view_frame.val();
        self.cow_fault.next = false;
        self.error.next = false;
        match self.state.q.val() {
            HostState::Lookup => {
                if self.valid.q.val() {
                    if self.view_error.val() {
                        if self.nvm_idle.val() {
                            self.rsp_valid.next = true;
                            self.rsp_err.next = true;
                            self.error.next = true;
                            self.complete.next = true;
                        }
                    } else if self.view_zero.val() {
                        if self.nvm_idle.val() {
                            self.rsp_valid.next = true;
                            self.complete.next = true;
                        }
                    } else if self.view_nvm.val() {
                        self.nvm.req_valid.next = true;
                        self.complete.next = self.nvm.req_ready.val();
                    } else if self.view_cow.val() & self.nvm_idle.val() & self.alloc_settled.val() {
                        if self.alloc_empty.val() & self.alloc_reclaimable.val() {
                            self.release_start.next = true;
                            self.state.d.next = HostState::Release;
                        } else if self.alloc_empty.val() {
                            self.rsp_valid.next = true;
                            self.rsp_err.next = true;
                            self.error.next = true;
                            self.complete.next = true;
                        } else {
                            self.cow_start.next = true;
                            self.cow_fault.next = true;
                            self.alloc_pop.next = true;
                            self.dst.d.next = self.alloc_frame.val();
                            self.state.d.next = HostState::CowRun;
                        }
                    }
                }
            }
            HostState::Release => {
                // Back to Lookup: the entry is re-read, and the frames are free.
                if self.release_done.val() {
                    self.state.d.next = HostState::Lookup;
                }
            }
            HostState::CowRun => {
                if self.cow_done.val() {
                    self.remap.next = true;
                    self.state.d.next = HostState::CowFinish;
                }
            }
            HostState::CowFinish => {
                // The remap was written at the last edge; answer the write.
                self.rsp_valid.next = true;
                self.complete.next = true;
                self.state.d.next = HostState::Lookup;
            }
            _ => {
                self.state.d.next = HostState::Lookup;
            }
        }
        if self.nvm.rsp_valid.val() {
            self.rsp_valid.next = true;
            self.rsp_rdata.next = self.nvm.rsp_rdata.val();
        }
        self.advance.next = !self.valid.q.val() | self.complete.val();
        // Requests come in through the skid buffer: `req_ready` is a register.
        self.skid.in_valid.next = self.req_valid.val() & self.enable.val();
        self.skid.in_write.next = self.req_write.val();
        self.skid.in_addr.next = self.req_addr.val();
        self.skid.in_data.next = self.req_wdata.val();
        self.req_ready.next = self.enable.val() & self.skid.in_ready.val();
        // The decide stage takes the next request from the skid buffer
        // (lookup latency 1) or the lookup stage (2); its data load whenever
        // it advances (a shallower enable than one that also waits for a
        // request), and valid says whether they count.
        self.skid.out_ready.next = self.advance.val();
        self.next_valid.next = self.skid.out_valid.val();
        self.next_write.next = self.skid.out_write.val();
        self.next_addr.next = self.skid.out_addr.val();
        self.next_out_of_range.next = self.skid.out_addr.val() >= self.limit.val();
        self.next_wdata.next = self.skid.out_data.val();
        self.lookup_page.next = bit_cast::<PAGE_BITS, HOST_ADDR_BITS>(self.skid.out_addr.val() >> self.page_shift.val());
        if self.registered.val() {
            self.skid.out_ready.next = !self.s1_valid.q.val() | self.advance.val();
            self.next_valid.next = self.s1_valid.q.val();
            self.next_write.next = self.s1_write.q.val();
            self.next_addr.next = self.s1_addr.q.val();
            self.next_out_of_range.next = self.s1_out_of_range.q.val();
            self.next_wdata.next = self.s1_wdata.q.val();
            if self.advance.val() {
                // The class both ways: a page not owned in this epoch reads
                // through to its committed entry. A remap at the edge the
                // entry was read (`fwd`) makes it owned, in `dst`.
                self.lk_tag_low.d.next = self.tag_low_match.val() | self.fwd.q.val();
                self.lk_tag_high.d.next = self.tag_high_match.val() | self.fwd.q.val();
                self.lk_tagged_frame.d.next = self.tagged_frame.val();
                if self.fwd.q.val() {
                    self.lk_tagged_frame.d.next = self.dst.q.val();
                }
                self.lk_committed_mapped.d.next = self.committed_mapped.val();
                self.lk_committed_frame.d.next = self.committed_frame.val();
                self.lk_error.d.next = self.s1_out_of_range.q.val() | !self.mounted.val();
                self.lk_zero_unowned.d.next = !self.s1_write.q.val() & !self.committed_mapped.val();
                self.lk_nvm_unowned.d.next = !self.s1_write.q.val() & self.committed_mapped.val();
                self.lk_cow_unowned.d.next = self.s1_write.q.val();
            }
            if self.skid.out_ready.val() {
                self.s1_valid.d.next = self.skid.out_valid.val();
                self.s1_write.d.next = self.skid.out_write.val();
                self.s1_addr.d.next = self.skid.out_addr.val();
                self.s1_out_of_range.d.next = self.skid.out_addr.val() >= self.limit.val();
                self.s1_wdata.d.next = self.skid.out_data.val();
            }
            // A waiting request's entry is re-read, so it is current when it moves on.
            if self.s1_valid.q.val() & !self.advance.val() {
                self.lookup_page.next = bit_cast::<PAGE_BITS, HOST_ADDR_BITS>(self.s1_addr.q.val() >> self.page_shift.val());
            }
        } else if self.valid.q.val() & !self.complete.val() {
            // Re-read the held request's entry while it waits, so its lookup
            // result stays current; otherwise look up the incoming request.
            self.lookup_page.next = self.held_page.val();
        }
        // A completing request leaves as the next one comes in.
        if self.advance.val() {
            self.valid.d.next = self.next_valid.val();
            self.write.d.next = self.next_write.val();
            self.addr.d.next = self.next_addr.val();
            self.out_of_range.d.next = self.next_out_of_range.val();
            self.wdata.d.next = self.next_wdata.val();
        }
        self.fwd.d.next = self.remap.val() & (self.remap_page.val() == self.lookup_page.val());
        // The skid buffer's `in_ready` is its `!full`, a register: it holds nothing.
        self.idle.next = self.skid.in_ready.val() & !self.s1_valid.q.val() & !self.valid.q.val() & self.nvm_idle.val();
        if self.reset.val() {
            self.s1_valid.d.next = false;
            self.valid.d.next = false;
            self.state.d.next = HostState::Lookup;
        }
    }
}

#[cfg(test)]
#[path = "host_port_tests.rs"]
mod tests;
