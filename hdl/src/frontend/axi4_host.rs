//! AXI4 subordinate on the host side: AXI4 bursts in, native host requests
//! out, one beat a cycle.
//!
//! What it takes and what it refuses:
//! * INCR bursts of 1 to 256 beats of the full data width (AxSIZE =
//!   log2(DW/8)), at word-aligned byte addresses. Each beat is one native
//!   request at word address `AxADDR / (DW/8) + beat`.
//! * A FIXED or WRAP burst, a narrower beat size or an unaligned address
//!   answers SLVERR on every beat (read) or in BRESP (write), and no beat
//!   reaches memory.
//! * WSTRB must be all ones: a write beat with any strobe low is refused
//!   with SLVERR and changes nothing (a partial write would need a
//!   read-modify-write of the word the core does not do atomically).
//! * A beat at or beyond L·W words answers DECERR; a beat the core refuses
//!   (device not mounted, no frame left) answers SLVERR. A write burst's
//!   BRESP is the worst of its beats (DECERR over SLVERR over OKAY).
//! * The port counts the beats AWLEN announced; a write beat whose WLAST
//!   disagrees with that count is refused with SLVERR. AxLOCK, AxCACHE, AxPROT, AxQOS, AxREGION and the user signals are not
//!   ports.
//!
//! Order: one burst at a time (none while `hold` is high), read and write bursts alternating when both
//! wait; the next burst is taken in the cycle the last beat of the current
//! one goes to the core. Answers come back in the order bursts were taken,
//! whatever their IDs. BVALID rises only after the core has answered every
//! beat of the burst, so a write is in the working image before its BRESP.
//!
//! Beats go to the core only while the response queue has a slot for their
//! answer (`response_queue.rs`), so a manager that holds RREADY or BREADY
//! low stops the port, never loses an answer.

use super::response_queue::ResponseQueue;
use super::{AxiResp, AXI_ADDR_BITS, AXI_BURST_INCR, AXI_ID_BITS, NOWHERE};
use crate::config::HOST_ADDR_BITS;
use crate::Config;
use rust_hdl::prelude::*;

/// log2 of the response slots: 16, enough for one beat a cycle while the
/// core's round trip (NVM read latency + 3 at lookup latency 1, + 4 at 2)
/// is at most 16 cycles.
pub const RESPONSE_SLOT_BITS: usize = 4;
/// Tag of a beat in the response queue: bit 0 read, bit 1 last beat of its
/// burst, bits 2..4 the code the port decided on (`AxiResp`), then the ID.
const TAG_BITS: usize = 4 + AXI_ID_BITS;

/// `D`: data bits (32 or 64); `S` = D / 8, the strobe bits.
#[derive(LogicBlock)]
pub struct Axi4Host<const D: usize, const S: usize> {
    pub clock: Signal<In, Clock>,
    /// Synchronous, active high; drops every burst in progress.
    pub reset: Signal<In, Bit>,
    // Write address channel.
    pub s_axi_awid: Signal<In, Bits<AXI_ID_BITS>>,
    pub s_axi_awaddr: Signal<In, Bits<AXI_ADDR_BITS>>,
    pub s_axi_awlen: Signal<In, Bits<8>>,
    pub s_axi_awsize: Signal<In, Bits<3>>,
    pub s_axi_awburst: Signal<In, Bits<2>>,
    pub s_axi_awvalid: Signal<In, Bit>,
    pub s_axi_awready: Signal<Out, Bit>,
    // Write data channel.
    pub s_axi_wdata: Signal<In, Bits<D>>,
    pub s_axi_wstrb: Signal<In, Bits<S>>,
    pub s_axi_wlast: Signal<In, Bit>,
    pub s_axi_wvalid: Signal<In, Bit>,
    pub s_axi_wready: Signal<Out, Bit>,
    // Write response channel.
    pub s_axi_bid: Signal<Out, Bits<AXI_ID_BITS>>,
    pub s_axi_bresp: Signal<Out, Bits<2>>,
    pub s_axi_bvalid: Signal<Out, Bit>,
    pub s_axi_bready: Signal<In, Bit>,
    // Read address channel.
    pub s_axi_arid: Signal<In, Bits<AXI_ID_BITS>>,
    pub s_axi_araddr: Signal<In, Bits<AXI_ADDR_BITS>>,
    pub s_axi_arlen: Signal<In, Bits<8>>,
    pub s_axi_arsize: Signal<In, Bits<3>>,
    pub s_axi_arburst: Signal<In, Bits<2>>,
    pub s_axi_arvalid: Signal<In, Bit>,
    pub s_axi_arready: Signal<Out, Bit>,
    // Read data channel.
    pub s_axi_rid: Signal<Out, Bits<AXI_ID_BITS>>,
    pub s_axi_rdata: Signal<Out, Bits<D>>,
    pub s_axi_rresp: Signal<Out, Bits<2>>,
    pub s_axi_rlast: Signal<Out, Bit>,
    pub s_axi_rvalid: Signal<Out, Bit>,
    pub s_axi_rready: Signal<In, Bit>,
    // The core's native host port (contract §3).
    pub req_valid: Signal<Out, Bit>,
    pub req_ready: Signal<In, Bit>,
    pub req_write: Signal<Out, Bit>,
    pub req_addr: Signal<Out, Bits<HOST_ADDR_BITS>>,
    pub req_wdata: Signal<Out, Bits<D>>,
    pub rsp_valid: Signal<In, Bit>,
    pub rsp_rdata: Signal<In, Bits<D>>,
    pub rsp_err: Signal<In, Bit>,
    /// No burst is taken and unfinished: every beat of every burst taken
    /// has gone to the core.
    pub idle: Signal<Out, Bit>,
    /// Take no burst this cycle (the core takes a command in it).
    pub hold: Signal<In, Bit>,
    /// A burst is being issued to the core.
    busy: DFF<Bit>,
    write: DFF<Bit>,
    /// Word address of the next beat.
    addr: DFF<Bits<HOST_ADDR_BITS>>,
    /// Beats after the next one.
    count: DFF<Bits<8>>,
    id: DFF<Bits<AXI_ID_BITS>>,
    /// OKAY, or the code every beat of the burst gets (a burst refused whole).
    burst_code: DFF<Bits<2>>,
    /// Take a write burst next when both kinds wait.
    prefer_write: DFF<Bit>,
    /// The worst code of the write burst's beats answered so far.
    b_code: DFF<Bits<2>>,
    queue: ResponseQueue<D, TAG_BITS, RESPONSE_SLOT_BITS, { RESPONSE_SLOT_BITS + 1 }>,
    beat_code: Signal<Local, Bits<2>>,
    last: Signal<Local, Bit>,
    is_read: Signal<Local, Bit>,
    go: Signal<Local, Bit>,
    fire: Signal<Local, Bit>,
    free: Signal<Local, Bit>,
    take_read: Signal<Local, Bit>,
    take_write: Signal<Local, Bit>,
    ar_code: Signal<Local, Bits<2>>,
    aw_code: Signal<Local, Bits<2>>,
    head_code: Signal<Local, Bits<2>>,
    worst: Signal<Local, Bits<2>>,
    head_read: Signal<Local, Bit>,
    head_last: Signal<Local, Bit>,
    okay: Constant<Bits<2>>,
    slverr: Constant<Bits<2>>,
    decerr: Constant<Bits<2>>,
    incr: Constant<Bits<2>>,
    /// AxSIZE of a full-width beat, log2(DW/8); also the byte-to-word shift.
    full_size: Constant<Bits<3>>,
    word_shift: Constant<Bits<8>>,
    align_mask: Constant<Bits<AXI_ADDR_BITS>>,
    strb_all: Constant<Bits<S>>,
    /// L·W: the first word address with no memory.
    limit: Constant<Bits<HOST_ADDR_BITS>>,
    /// Where a refused beat is sent (`NOWHERE`).
    nowhere: Constant<Bits<HOST_ADDR_BITS>>,
}

impl<const D: usize, const S: usize> Axi4Host<D, S> {
    pub fn new(config: &Config) -> Self {
        assert!(D == config.word_bits && S * 8 == D, "Axi4Host<{D}, {S}> built for word-bits {}", config.word_bits);
        let size = S.trailing_zeros() as u64;
        Axi4Host {
            clock: Default::default(),
            reset: Default::default(),
            s_axi_awid: Default::default(),
            s_axi_awaddr: Default::default(),
            s_axi_awlen: Default::default(),
            s_axi_awsize: Default::default(),
            s_axi_awburst: Default::default(),
            s_axi_awvalid: Default::default(),
            s_axi_awready: Default::default(),
            s_axi_wdata: Default::default(),
            s_axi_wstrb: Default::default(),
            s_axi_wlast: Default::default(),
            s_axi_wvalid: Default::default(),
            s_axi_wready: Default::default(),
            s_axi_bid: Default::default(),
            s_axi_bresp: Default::default(),
            s_axi_bvalid: Default::default(),
            s_axi_bready: Default::default(),
            s_axi_arid: Default::default(),
            s_axi_araddr: Default::default(),
            s_axi_arlen: Default::default(),
            s_axi_arsize: Default::default(),
            s_axi_arburst: Default::default(),
            s_axi_arvalid: Default::default(),
            s_axi_arready: Default::default(),
            s_axi_rid: Default::default(),
            s_axi_rdata: Default::default(),
            s_axi_rresp: Default::default(),
            s_axi_rlast: Default::default(),
            s_axi_rvalid: Default::default(),
            s_axi_rready: Default::default(),
            req_valid: Default::default(),
            req_ready: Default::default(),
            req_write: Default::default(),
            req_addr: Default::default(),
            req_wdata: Default::default(),
            rsp_valid: Default::default(),
            rsp_rdata: Default::default(),
            rsp_err: Default::default(),
            idle: Default::default(),
            hold: Default::default(),
            busy: Default::default(),
            write: Default::default(),
            addr: Default::default(),
            count: Default::default(),
            id: Default::default(),
            burst_code: Default::default(),
            prefer_write: Default::default(),
            b_code: Default::default(),
            queue: Default::default(),
            beat_code: Default::default(),
            last: Default::default(),
            is_read: Default::default(),
            go: Default::default(),
            fire: Default::default(),
            free: Default::default(),
            take_read: Default::default(),
            take_write: Default::default(),
            ar_code: Default::default(),
            aw_code: Default::default(),
            head_code: Default::default(),
            worst: Default::default(),
            head_read: Default::default(),
            head_last: Default::default(),
            okay: Constant::new(AxiResp::Okay.bits()),
            slverr: Constant::new(AxiResp::SlvErr.bits()),
            decerr: Constant::new(AxiResp::DecErr.bits()),
            incr: Constant::new(AXI_BURST_INCR.to_bits()),
            full_size: Constant::new(size.to_bits()),
            word_shift: Constant::new(size.to_bits()),
            align_mask: Constant::new((S as u64 - 1).to_bits()),
            strb_all: Constant::new(((1u64 << S) - 1).to_bits()),
            limit: Constant::new(config.logical_words().to_bits()),
            nowhere: Constant::new(NOWHERE.to_bits()),
        }
    }
}

impl<const D: usize, const S: usize> Logic for Axi4Host<D, S> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, busy, write, addr, count, id, burst_code, prefer_write, b_code);
        clock!(self, clock, queue);
        self.queue.reset.next = self.reset.val();

        self.idle.next = !self.busy.q.val();

        // The next beat: its code, and whether it goes to the core now.
        self.last.next = self.count.q.val() == 0;
        self.beat_code.next = self.burst_code.q.val();
        if self.burst_code.q.val() == self.okay.val() {
            if self.addr.q.val() >= self.limit.val() {
                self.beat_code.next = self.decerr.val();
            } else if self.write.q.val() & ((self.s_axi_wstrb.val() != self.strb_all.val()) | (self.s_axi_wlast.val() != self.last.val())) {
                self.beat_code.next = self.slverr.val();
            }
        }
        self.go.next = self.busy.q.val() & self.queue.has_room.val() & (!self.write.q.val() | self.s_axi_wvalid.val());
        self.fire.next = self.go.val() & self.req_ready.val();
        self.req_valid.next = self.go.val();
        self.req_write.next = self.write.q.val();
        self.req_addr.next = self.addr.q.val();
        if self.beat_code.val() != self.okay.val() {
            self.req_addr.next = self.nowhere.val();
        }
        self.req_wdata.next = self.s_axi_wdata.val();
        self.s_axi_wready.next = self.busy.q.val() & self.write.q.val() & self.queue.has_room.val() & self.req_ready.val();
        self.queue.issue.next = self.fire.val();
        // A separate signal: Verilog would widen `!write` to the tag's width
        // before inverting it, setting every bit above bit 0.
        self.is_read.next = !self.write.q.val();
        self.queue.issue_tag.next = ((bit_cast::<TAG_BITS, AXI_ID_BITS>(self.id.q.val()) << 4) | (bit_cast::<TAG_BITS, 2>(self.beat_code.val()) << 2))
            .replace_bit(1, self.last.val())
            .replace_bit(0, self.is_read.val());
        if self.fire.val() {
            self.addr.d.next = self.addr.q.val() + 1;
            self.count.d.next = self.count.q.val() - 1;
            if self.last.val() {
                self.busy.d.next = false;
            }
        }

        // The next burst, taken when the port is free or frees this cycle.
        self.free.next = (!self.busy.q.val() | (self.fire.val() & self.last.val())) & !self.hold.val();
        self.take_read.next = self.free.val() & self.s_axi_arvalid.val() & (!self.s_axi_awvalid.val() | !self.prefer_write.q.val());
        self.take_write.next = self.free.val() & self.s_axi_awvalid.val() & (!self.s_axi_arvalid.val() | self.prefer_write.q.val());
        self.s_axi_arready.next = self.take_read.val();
        self.s_axi_awready.next = self.take_write.val();
        self.ar_code.next = self.okay.val();
        if (self.s_axi_arsize.val() != self.full_size.val())
            | (self.s_axi_arburst.val() != self.incr.val())
            | ((self.s_axi_araddr.val() & self.align_mask.val()) != 0)
        {
            self.ar_code.next = self.slverr.val();
        }
        self.aw_code.next = self.okay.val();
        if (self.s_axi_awsize.val() != self.full_size.val())
            | (self.s_axi_awburst.val() != self.incr.val())
            | ((self.s_axi_awaddr.val() & self.align_mask.val()) != 0)
        {
            self.aw_code.next = self.slverr.val();
        }
        if self.take_read.val() {
            self.busy.d.next = true;
            self.write.d.next = false;
            self.addr.d.next = bit_cast::<HOST_ADDR_BITS, AXI_ADDR_BITS>(self.s_axi_araddr.val() >> self.word_shift.val());
            self.count.d.next = self.s_axi_arlen.val();
            self.id.d.next = self.s_axi_arid.val();
            self.burst_code.d.next = self.ar_code.val();
            self.prefer_write.d.next = true;
        }
        if self.take_write.val() {
            self.busy.d.next = true;
            self.write.d.next = true;
            self.addr.d.next = bit_cast::<HOST_ADDR_BITS, AXI_ADDR_BITS>(self.s_axi_awaddr.val() >> self.word_shift.val());
            self.count.d.next = self.s_axi_awlen.val();
            self.id.d.next = self.s_axi_awid.val();
            self.burst_code.d.next = self.aw_code.val();
            self.prefer_write.d.next = false;
        }

        // Answers, in order: a read beat on R, a write burst's last beat on B.
        self.queue.rsp_valid.next = self.rsp_valid.val();
        self.queue.rsp_data.next = self.rsp_rdata.val();
        self.queue.rsp_err.next = self.rsp_err.val();
        self.head_read.next = self.queue.head_tag.val().get_bit(0);
        self.head_last.next = self.queue.head_tag.val().get_bit(1);
        self.head_code.next = self.queue.head_tag.val().get_bits::<2>(2);
        if (self.queue.head_tag.val().get_bits::<2>(2) == self.okay.val()) & self.queue.head_err.val() {
            self.head_code.next = self.slverr.val();
        }
        self.worst.next = self.b_code.q.val();
        if self.head_code.val() > self.b_code.q.val() {
            self.worst.next = self.head_code.val();
        }
        self.s_axi_rvalid.next = self.queue.head_valid.val() & self.head_read.val();
        self.s_axi_rdata.next = self.queue.head_data.val();
        self.s_axi_rresp.next = self.head_code.val();
        self.s_axi_rlast.next = self.head_last.val();
        self.s_axi_rid.next = self.queue.head_tag.val().get_bits::<AXI_ID_BITS>(4);
        self.s_axi_bvalid.next = self.queue.head_valid.val() & !self.head_read.val() & self.head_last.val();
        self.s_axi_bresp.next = self.worst.val();
        self.s_axi_bid.next = self.queue.head_tag.val().get_bits::<AXI_ID_BITS>(4);
        self.queue.pop.next = false;
        if self.queue.head_valid.val() {
            if self.head_read.val() {
                self.queue.pop.next = self.s_axi_rready.val();
            } else if self.head_last.val() {
                self.queue.pop.next = self.s_axi_bready.val();
                if self.s_axi_bready.val() {
                    self.b_code.d.next = self.okay.val();
                }
            } else {
                self.queue.pop.next = true;
                self.b_code.d.next = self.worst.val();
            }
        }

        if self.reset.val() {
            self.busy.d.next = false;
            self.prefer_write.d.next = false;
            self.b_code.d.next = self.okay.val();
        }
    }
}
