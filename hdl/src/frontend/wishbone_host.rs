//! Wishbone B4 pipelined subordinate on the host side (`s_wb_*`): one
//! request a cycle straight into the core's native host port.
//!
//! Wishbone's pipelined mode is the native port with other names: a
//! request is `cyc & stb` taken when `stall` is low, and every request is
//! answered, in order, by one cycle of `ack` or `err` that the manager
//! cannot hold off. So there is no queue: `stall` is the core's
//! `!req_ready`, and the answers are the core's.
//!
//! * `adr` is a word address (as LiteX's Wishbone buses have it); at or
//!   beyond L·W → `err`, nothing changes.
//! * `sel` must be all ones: a request with any bit low is answered `err`
//!   and changes nothing (no read-modify-write).
//! * A manager that drops `cyc` abandons its requests in flight: the core
//!   still carries them out (a write taken is a write done), but their
//!   answers are not given; the next cycle's answers are its own.
//! * Commands: a request is in the core the cycle it is taken, so the
//!   native port's order against commands holds as it is.

use super::NOWHERE;
use crate::config::HOST_ADDR_BITS;
use crate::Config;
use rust_hdl::prelude::*;

/// Bits of the count of answers owed (requests in flight in the core).
const OWED_BITS: usize = 16;

/// `D`: data bits (32 or 64); `S` = D / 8, the select bits.
#[derive(LogicBlock)]
pub struct WishboneHost<const D: usize, const S: usize> {
    pub clock: Signal<In, Clock>,
    /// Synchronous, active high.
    pub reset: Signal<In, Bit>,
    pub s_wb_cyc: Signal<In, Bit>,
    pub s_wb_stb: Signal<In, Bit>,
    pub s_wb_we: Signal<In, Bit>,
    pub s_wb_adr: Signal<In, Bits<HOST_ADDR_BITS>>,
    pub s_wb_dat_w: Signal<In, Bits<D>>,
    pub s_wb_sel: Signal<In, Bits<S>>,
    pub s_wb_stall: Signal<Out, Bit>,
    pub s_wb_ack: Signal<Out, Bit>,
    pub s_wb_err: Signal<Out, Bit>,
    pub s_wb_dat_r: Signal<Out, Bits<D>>,
    // The core's native host port (contract §3).
    pub req_valid: Signal<Out, Bit>,
    pub req_ready: Signal<In, Bit>,
    pub req_write: Signal<Out, Bit>,
    pub req_addr: Signal<Out, Bits<HOST_ADDR_BITS>>,
    pub req_wdata: Signal<Out, Bits<D>>,
    pub rsp_valid: Signal<In, Bit>,
    pub rsp_rdata: Signal<In, Bits<D>>,
    pub rsp_err: Signal<In, Bit>,
    /// Answers owed to the current bus cycle.
    owed: DFF<Bits<OWED_BITS>>,
    /// Answers of abandoned bus cycles still to come (dropped).
    stale: DFF<Bits<OWED_BITS>>,
    taken: Signal<Local, Bit>,
    from_stale: Signal<Local, Bit>,
    from_owed: Signal<Local, Bit>,
    answer: Signal<Local, Bit>,
    stale_left: Signal<Local, Bits<OWED_BITS>>,
    owed_left: Signal<Local, Bits<OWED_BITS>>,
    sel_all: Constant<Bits<S>>,
    /// Where a refused request is sent (`NOWHERE`).
    nowhere: Constant<Bits<HOST_ADDR_BITS>>,
}

impl<const D: usize, const S: usize> WishboneHost<D, S> {
    pub fn new(config: &Config) -> Self {
        assert!(D == config.word_bits && S * 8 == D, "WishboneHost<{D}, {S}> built for word-bits {}", config.word_bits);
        WishboneHost {
            clock: Default::default(),
            reset: Default::default(),
            s_wb_cyc: Default::default(),
            s_wb_stb: Default::default(),
            s_wb_we: Default::default(),
            s_wb_adr: Default::default(),
            s_wb_dat_w: Default::default(),
            s_wb_sel: Default::default(),
            s_wb_stall: Default::default(),
            s_wb_ack: Default::default(),
            s_wb_err: Default::default(),
            s_wb_dat_r: Default::default(),
            req_valid: Default::default(),
            req_ready: Default::default(),
            req_write: Default::default(),
            req_addr: Default::default(),
            req_wdata: Default::default(),
            rsp_valid: Default::default(),
            rsp_rdata: Default::default(),
            rsp_err: Default::default(),
            owed: Default::default(),
            stale: Default::default(),
            taken: Default::default(),
            from_stale: Default::default(),
            from_owed: Default::default(),
            answer: Default::default(),
            stale_left: Default::default(),
            owed_left: Default::default(),
            sel_all: Constant::new(((1u64 << S) - 1).to_bits()),
            nowhere: Constant::new(NOWHERE.to_bits()),
        }
    }
}

impl<const D: usize, const S: usize> Logic for WishboneHost<D, S> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, owed, stale);
        self.req_valid.next = self.s_wb_cyc.val() & self.s_wb_stb.val();
        self.req_write.next = self.s_wb_we.val();
        self.req_addr.next = self.s_wb_adr.val();
        if self.s_wb_sel.val() != self.sel_all.val() {
            self.req_addr.next = self.nowhere.val();
        }
        self.req_wdata.next = self.s_wb_dat_w.val();
        self.s_wb_stall.next = !self.req_ready.val();
        self.taken.next = self.s_wb_cyc.val() & self.s_wb_stb.val() & self.req_ready.val();

        // Answers come oldest first: those of abandoned cycles (dropped),
        // then those owed to this one, given while `cyc` is high.
        self.from_stale.next = self.rsp_valid.val() & (self.stale.q.val() != 0);
        self.from_owed.next = self.rsp_valid.val() & (self.stale.q.val() == 0);
        self.answer.next = self.from_owed.val() & self.s_wb_cyc.val();
        self.s_wb_ack.next = self.answer.val() & !self.rsp_err.val();
        self.s_wb_err.next = self.answer.val() & self.rsp_err.val();
        self.s_wb_dat_r.next = self.rsp_rdata.val();

        self.stale_left.next = self.stale.q.val();
        if self.from_stale.val() {
            self.stale_left.next = self.stale.q.val() - 1;
        }
        self.owed_left.next = self.owed.q.val();
        if self.from_owed.val() & !self.taken.val() {
            self.owed_left.next = self.owed.q.val() - 1;
        }
        if !self.from_owed.val() & self.taken.val() {
            self.owed_left.next = self.owed.q.val() + 1;
        }
        self.stale.d.next = self.stale_left.val();
        self.owed.d.next = self.owed_left.val();
        if !self.s_wb_cyc.val() {
            // The manager gave up: what is still owed comes back stale.
            self.stale.d.next = self.stale_left.val() + self.owed_left.val();
            self.owed.d.next = 0.into();
        }
        if self.reset.val() {
            self.owed.d.next = 0.into();
            self.stale.d.next = 0.into();
        }
    }
}
