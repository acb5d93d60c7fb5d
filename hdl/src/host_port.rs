//! Host port: the request pipeline of the working image `M`.
//!
//! One request is held in a single stage (`s1`) while its table entry, read
//! at the accepting edge, is decoded:
//!
//! * address ≥ L·W, or no device mounted → error response, nothing changes;
//! * read of a page with no frame → zero, no NVM access;
//! * read, or write to a page already remapped in this epoch → one NVM
//!   access at `frames_base + frame·W + offset` (computed as `(first_frame + frame)·W | offset`); the NVM's response is the
//!   host's response. This path accepts a request every cycle and adds one
//!   cycle to the NVM's latency;
//! * first write to a page in this epoch → COW fault: pop a free frame, hand
//!   the copy (with the written word merged) to the COW engine, remap the
//!   page in the working table, log it as dirty, respond. When only the
//!   fallback snapshot's frames are left, it first has `FallbackRelease`
//!   give them up (state `Release`), then faults. No frame at all → error
//!   response, nothing changes.
//!
//! Responses are in order: a locally answered request waits until the NVM
//! has answered everything before it (`nvm_idle`).

use crate::config::{FRAME_BITS, HOST_ADDR_BITS, NVM_ADDR_BITS, OFFSET_BITS, PAGE_BITS};
use crate::nvm_arbiter::NvmMaster;
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
    /// No request held and nothing in flight.
    pub idle: Signal<Out, Bit>,
    /// Indirection-table lookup (results one cycle after `lookup_page`).
    pub lookup_page: Signal<Out, Bits<PAGE_BITS>>,
    pub owned: Signal<In, Bit>,
    pub working_mapped: Signal<In, Bit>,
    pub working_frame: Signal<In, Bits<FRAME_BITS>>,
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
            remap: Default::default(),
            remap_page: Default::default(),
            remap_frame: Default::default(),
            alloc_pop: Default::default(),
            alloc_empty: Default::default(),
            alloc_reclaimable: Default::default(),
            alloc_frame: Default::default(),
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
            valid: Default::default(),
            state: Default::default(),
            write: Default::default(),
            addr: Default::default(),
            out_of_range: Default::default(),
            wdata: Default::default(),
            dst: Default::default(),
            complete: Default::default(),
            held_page: Default::default(),
            offset: Default::default(),
            limit: Constant::new(config.logical_words().to_bits()),
            page_shift: Constant::new((config.page_shift() as u64).to_bits()),
            offset_mask: Constant::new((config.page_words as u64 - 1).to_bits()),
            first_frame: Constant::new((config.layout().frames_base() / config.page_words as u64).to_bits()),
        }
    }
}

impl<const D: usize> Logic for HostPort<D> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, valid, state, write, addr, out_of_range, wdata, dst);
        self.held_page.next = bit_cast::<PAGE_BITS, HOST_ADDR_BITS>(self.addr.q.val() >> self.page_shift.val());
        self.offset.next = bit_cast::<OFFSET_BITS, HOST_ADDR_BITS>(self.addr.q.val() & self.offset_mask.val());
        self.complete.next = false;
        self.rsp_valid.next = false;
        self.rsp_err.next = false;
        self.rsp_rdata.next = 0.into();
        self.nvm.req_valid.next = false;
        self.nvm.req_write.next = self.write.q.val();
        self.nvm.req_addr.next = ((bit_cast::<NVM_ADDR_BITS, FRAME_BITS>(self.working_frame.val()) + self.first_frame.val()) << self.page_shift.val())
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
        self.cow_fault.next = false;
        self.error.next = false;
        match self.state.q.val() {
            HostState::Lookup => {
                if self.valid.q.val() {
                    if self.out_of_range.q.val() | !self.mounted.val() {
                        if self.nvm_idle.val() {
                            self.rsp_valid.next = true;
                            self.rsp_err.next = true;
                            self.error.next = true;
                            self.complete.next = true;
                        }
                    } else if !self.write.q.val() & !self.working_mapped.val() {
                        if self.nvm_idle.val() {
                            self.rsp_valid.next = true;
                            self.complete.next = true;
                        }
                    } else if !self.write.q.val() | self.owned.val() {
                        self.nvm.req_valid.next = true;
                        self.complete.next = self.nvm.req_ready.val();
                    } else if self.nvm_idle.val() {
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
        self.req_ready.next = self.enable.val() & (!self.valid.q.val() | self.complete.val());
        if self.complete.val() {
            self.valid.d.next = false;
        }
        if self.req_valid.val() & self.enable.val() & (!self.valid.q.val() | self.complete.val()) {
            self.valid.d.next = true;
            self.write.d.next = self.req_write.val();
            self.addr.d.next = self.req_addr.val();
            self.out_of_range.d.next = self.req_addr.val() >= self.limit.val();
            self.wdata.d.next = self.req_wdata.val();
        }
        // Re-read the held request's entry while it waits, so its lookup
        // result stays current; otherwise look up the incoming request.
        self.lookup_page.next = bit_cast::<PAGE_BITS, HOST_ADDR_BITS>(self.req_addr.val() >> self.page_shift.val());
        if self.valid.q.val() & !self.complete.val() {
            self.lookup_page.next = self.held_page.val();
        }
        self.idle.next = !self.valid.q.val() & self.nvm_idle.val();
        if self.reset.val() {
            self.valid.d.next = false;
            self.state.d.next = HostState::Lookup;
        }
    }
}

#[cfg(test)]
#[path = "host_port_tests.rs"]
mod tests;
