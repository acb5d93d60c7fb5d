//! Response queue: a bus front end's requests to the native host port, in
//! flight and answered, in order, with room reserved for every answer.
//!
//! The native port has no `rsp_ready`: it answers every request it accepted,
//! whenever it is ready. A bus, though, back-pressures its answers (AXI's
//! RREADY and BREADY, …). So a request goes to the core only when a slot is
//! free (`has_room`); the slot is taken as the request is issued, with a tag
//! saying what the bus needs to know about its answer (`issue_tag`); the
//! core's answer fills the oldest unanswered slot; the bus side reads the
//! oldest answered slot (`head_*`) and frees it (`pop`). The core answers in
//! order, so slots fill in issue order: three pointers go round one ring.
//!
//! Depth 2^A. With `2^A` at least the core's round trip (the NVM's read
//! latency plus 3 at lookup latency 1), a burst streams one beat a cycle.

use crate::lut_ram::LutRam;
use rust_hdl::prelude::*;

/// `D`: data bits; `T`: tag bits; `A`: log2 of the slots; `P` = A + 1
/// (pointer bits: a lap bit tells full from empty).
#[derive(LogicBlock)]
pub struct ResponseQueue<const D: usize, const T: usize, const A: usize, const P: usize> {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    /// A slot is free: a request may be issued this cycle.
    pub has_room: Signal<Out, Bit>,
    /// A request was issued to the core this cycle, with this tag.
    pub issue: Signal<In, Bit>,
    pub issue_tag: Signal<In, Bits<T>>,
    /// The core's answer (native `rsp_valid`, `rsp_rdata`, `rsp_err`).
    pub rsp_valid: Signal<In, Bit>,
    pub rsp_data: Signal<In, Bits<D>>,
    pub rsp_err: Signal<In, Bit>,
    /// The oldest answered slot.
    pub head_valid: Signal<Out, Bit>,
    pub head_tag: Signal<Out, Bits<T>>,
    pub head_data: Signal<Out, Bits<D>>,
    pub head_err: Signal<Out, Bit>,
    /// Frees the head slot (only while `head_valid`).
    pub pop: Signal<In, Bit>,
    issued: DFF<Bits<P>>,
    answered: DFF<Bits<P>>,
    read: DFF<Bits<P>>,
    tags: LutRam<Bits<T>, A>,
    data: LutRam<Bits<D>, A>,
    errs: LutRam<Bit, A>,
    slots: Constant<Bits<P>>,
}

impl<const D: usize, const T: usize, const A: usize, const P: usize> Default for ResponseQueue<D, T, A, P> {
    fn default() -> Self {
        assert_eq!(P, A + 1, "ResponseQueue: P must be A + 1");
        ResponseQueue {
            clock: Default::default(),
            reset: Default::default(),
            has_room: Default::default(),
            issue: Default::default(),
            issue_tag: Default::default(),
            rsp_valid: Default::default(),
            rsp_data: Default::default(),
            rsp_err: Default::default(),
            head_valid: Default::default(),
            head_tag: Default::default(),
            head_data: Default::default(),
            head_err: Default::default(),
            pop: Default::default(),
            issued: Default::default(),
            answered: Default::default(),
            read: Default::default(),
            tags: LutRam::new(),
            data: LutRam::new(),
            errs: LutRam::new(),
            slots: Constant::new((1u64 << A).to_bits()),
        }
    }
}

impl<const D: usize, const T: usize, const A: usize, const P: usize> Logic for ResponseQueue<D, T, A, P> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, issued, answered, read);
        clock!(self, clock, tags, data, errs);
        self.has_room.next = (self.issued.q.val() - self.read.q.val()) != self.slots.val();
        self.head_valid.next = self.answered.q.val() != self.read.q.val();

        self.tags.write_enable.next = self.issue.val();
        self.tags.write_address.next = bit_cast::<A, P>(self.issued.q.val());
        self.tags.write_data.next = self.issue_tag.val();
        self.data.write_enable.next = self.rsp_valid.val();
        self.data.write_address.next = bit_cast::<A, P>(self.answered.q.val());
        self.data.write_data.next = self.rsp_data.val();
        self.errs.write_enable.next = self.rsp_valid.val();
        self.errs.write_address.next = bit_cast::<A, P>(self.answered.q.val());
        self.errs.write_data.next = self.rsp_err.val();

        self.tags.read_address.next = bit_cast::<A, P>(self.read.q.val());
        self.data.read_address.next = bit_cast::<A, P>(self.read.q.val());
        self.errs.read_address.next = bit_cast::<A, P>(self.read.q.val());
        self.head_tag.next = self.tags.read_data.val();
        self.head_data.next = self.data.read_data.val();
        self.head_err.next = self.errs.read_data.val();

        if self.issue.val() {
            self.issued.d.next = self.issued.q.val() + 1;
        }
        if self.rsp_valid.val() {
            self.answered.d.next = self.answered.q.val() + 1;
        }
        if self.pop.val() {
            self.read.d.next = self.read.q.val() + 1;
        }
        if self.reset.val() {
            self.issued.d.next = 0.into();
            self.answered.d.next = 0.into();
            self.read.d.next = 0.into();
        }
    }
}
