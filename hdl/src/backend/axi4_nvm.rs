//! AXI4 manager on the memory side: the core's native NVM port (contract
//! §3, `mem_*`) in, an AXI4 manager (`m_axi_*`) out, one request a cycle.
//!
//! Each native request is one single-beat INCR burst of the full data
//! width (AxLEN 0, AxSIZE log2(DW/8), WSTRB all ones, WLAST high, ID 0) at
//! byte address `word address · DW/8`. A read is an AR; a write an AW and
//! its W beat, offered together (either may be taken first). A *copy*
//! (`nvm_arbiter::COPY_FLAG`, sent by the COW engine) is an AR of the
//! source and an AW of the destination, offered together; its W beat is
//! the R data, sent as it comes back, so the copies of a page stream one a
//! cycle with their reads and writes overlapped.
//!
//! Order. The native port answers in order, and a read after a write to
//! the same word must see it; AXI4 orders reads among reads and writes
//! among writes (one ID), but nothing between the two channels. So a read
//! goes out only once every earlier write and copy has had its B, and a
//! write or copy only once every earlier read of the core's (not a copy's)
//! has had its R. A copy's own
//! read and write are of different frames, as are those of the copies and
//! the host's write that make up one COW fault (the only sender of copies,
//! which the arbiter gives the port only when nothing is in flight), so
//! copies and writes do not wait for each other. W beats go out in AW
//! order (`w_queue`), a copy's when its R is back. Answers come back in
//! request order by themselves. A run of one kind streams one a cycle; a
//! change between reading and writing waits for the other kind to drain
//! (the NVM's latency plus one cycle).
//!
//! Durability. The native write's answer — "this word is durable" — is
//! the B: it goes to the core only once BVALID·BREADY. A subordinate that
//! answers B before the write is durable breaks that, as a native NVM that
//! answered early would.
//!
//! Timing. RREADY and BREADY are always high (the core cannot hold off an
//! answer, and never more than one of its answers arrives in a cycle). A
//! request goes to the AXI channels the cycle after the core offers it,
//! from a register (two request slots, `req_ready` high while one is free:
//! one request a cycle), and the answer reaches the core the cycle after
//! its R or B (registered): the core's request logic, the back end's
//! decisions and the bus's AxREADY are each a register away from the
//! others.
//!
//! Errors. An R or B with RRESP/BRESP other than OKAY, an ID other than 0,
//! an R without RLAST, or one with nothing outstanding, sets `bus_error`
//! (sticky until reset). An unexpected one is not passed to the core (its
//! in-flight count would go wrong); an error answer is (the core waits for
//! every answer), with the data the bus gave.

use crate::config::NVM_ADDR_BITS;
use crate::frontend::{AXI_ADDR_BITS, AXI_BURST_INCR, AXI_ID_BITS};
use crate::lut_ram::LutRam;
use crate::nvm_arbiter::{NvmSlave, COPY_FLAG};
use rust_hdl::prelude::*;

/// Bits of the outstanding-request counters: at most 2^16 − 1 in flight,
/// as the NVM arbiter counts them.
const OUTSTANDING_BITS: usize = 16;
/// log2 of the W queue's slots (W beats behind their AW), and of the copy
/// data slots (R data of copies waiting for their W). Copies stream one a
/// cycle while the NVM's round trip (R, then W, then B) stays under 15.
const QUEUE_BITS: usize = 4;
/// Queue pointers: a lap bit more.
const POINTER_BITS: usize = QUEUE_BITS + 1;
/// Beats the W queue holds at most: one short of its slots, so copies whose
/// R came back before their W entry was queued (at most one) still find a
/// copy data slot.
const W_QUEUE_LIMIT: u64 = (1 << QUEUE_BITS) - 1;

// An NVM word address shifted to bytes is an AXI address.
const _: () = assert!(AXI_ADDR_BITS == NVM_ADDR_BITS);

/// `D`: data bits (32 or 64); `S` = D / 8, the strobe bits.
#[derive(LogicBlock)]
pub struct Axi4Nvm<const D: usize, const S: usize> {
    pub clock: Signal<In, Clock>,
    /// Synchronous, active high; forgets everything in flight (a reset
    /// with requests out is a power loss: the subordinate is reset too).
    pub reset: Signal<In, Bit>,
    /// The core's NVM port.
    pub core: NvmSlave<D>,
    // Write address channel.
    pub m_axi_awid: Signal<Out, Bits<AXI_ID_BITS>>,
    pub m_axi_awaddr: Signal<Out, Bits<AXI_ADDR_BITS>>,
    pub m_axi_awlen: Signal<Out, Bits<8>>,
    pub m_axi_awsize: Signal<Out, Bits<3>>,
    pub m_axi_awburst: Signal<Out, Bits<2>>,
    pub m_axi_awvalid: Signal<Out, Bit>,
    pub m_axi_awready: Signal<In, Bit>,
    // Write data channel.
    pub m_axi_wdata: Signal<Out, Bits<D>>,
    pub m_axi_wstrb: Signal<Out, Bits<S>>,
    pub m_axi_wlast: Signal<Out, Bit>,
    pub m_axi_wvalid: Signal<Out, Bit>,
    pub m_axi_wready: Signal<In, Bit>,
    // Write response channel.
    pub m_axi_bid: Signal<In, Bits<AXI_ID_BITS>>,
    pub m_axi_bresp: Signal<In, Bits<2>>,
    pub m_axi_bvalid: Signal<In, Bit>,
    pub m_axi_bready: Signal<Out, Bit>,
    // Read address channel.
    pub m_axi_arid: Signal<Out, Bits<AXI_ID_BITS>>,
    pub m_axi_araddr: Signal<Out, Bits<AXI_ADDR_BITS>>,
    pub m_axi_arlen: Signal<Out, Bits<8>>,
    pub m_axi_arsize: Signal<Out, Bits<3>>,
    pub m_axi_arburst: Signal<Out, Bits<2>>,
    pub m_axi_arvalid: Signal<Out, Bit>,
    pub m_axi_arready: Signal<In, Bit>,
    // Read data channel.
    pub m_axi_rid: Signal<In, Bits<AXI_ID_BITS>>,
    pub m_axi_rdata: Signal<In, Bits<D>>,
    pub m_axi_rresp: Signal<In, Bits<2>>,
    pub m_axi_rlast: Signal<In, Bit>,
    pub m_axi_rvalid: Signal<In, Bit>,
    pub m_axi_rready: Signal<Out, Bit>,
    /// The NVM answered an error or answered nothing asked (sticky).
    pub bus_error: Signal<Out, Bit>,
    /// The request slots: write, address, data; pointers with a lap bit;
    /// `room` (a slot is free) as a register. Kept in this block: as a
    /// block of its own, its head and the decision to take it would form a
    /// loop between two processes (Verilator's UNOPTFLAT).
    slot_write: LutRam<Bit, 1>,
    slot_addr: LutRam<Bits<NVM_ADDR_BITS>, 1>,
    slot_data: LutRam<Bits<D>, 1>,
    pushed: DFF<Bits<2>>,
    popped: DFF<Bits<2>>,
    room: DFF<Bit>,
    push: Signal<Local, Bit>,
    pop: Signal<Local, Bit>,
    /// The head request (the oldest slot).
    head_valid: Signal<Local, Bit>,
    head_is_write: Signal<Local, Bit>,
    head_addr: Signal<Local, Bits<NVM_ADDR_BITS>>,
    head_data: Signal<Local, Bits<D>>,
    /// The head request's AR / AW / W went out in an earlier cycle.
    ar_sent: DFF<Bit>,
    aw_sent: DFF<Bit>,
    w_sent: DFF<Bit>,
    /// Reads without their R (the core's, the copies'), writes and copies
    /// without their B.
    reads_out: DFF<Bits<OUTSTANDING_BITS>>,
    copy_reads_out: DFF<Bits<OUTSTANDING_BITS>>,
    writes_out: DFF<Bits<OUTSTANDING_BITS>>,
    /// W beats whose AW went out, in AW order: the data, or (a copy) "the
    /// next copy data".
    w_queue_data: LutRam<Bits<D>, QUEUE_BITS>,
    w_queue_copy: LutRam<Bit, QUEUE_BITS>,
    w_in: DFF<Bits<POINTER_BITS>>,
    w_out: DFF<Bits<POINTER_BITS>>,
    /// R data of copies, in order, until their W beat goes.
    copy_data: LutRam<Bits<D>, QUEUE_BITS>,
    copy_in: DFF<Bits<POINTER_BITS>>,
    copy_out: DFF<Bits<POINTER_BITS>>,
    rsp_valid: DFF<Bit>,
    rsp_data: DFF<Bits<D>>,
    error: DFF<Bit>,
    /// What the head request is.
    head_read: Signal<Local, Bit>,
    head_copy: Signal<Local, Bit>,
    head_write: Signal<Local, Bit>,
    /// It may go out: a read with no write or copy in flight, a write or
    /// copy with no read of the core's in flight and room in the W queue.
    read_go: Signal<Local, Bit>,
    write_go: Signal<Local, Bit>,
    copy_go: Signal<Local, Bit>,
    w_queue_room: Signal<Local, Bit>,
    w_queue_empty: Signal<Local, Bit>,
    ar_done: Signal<Local, Bit>,
    aw_done: Signal<Local, Bit>,
    /// The head write's W went out directly (the W queue was empty).
    w_done: Signal<Local, Bit>,
    w_valid: Signal<Local, Bit>,
    w_from_queue: Signal<Local, Bit>,
    read_sent: Signal<Local, Bit>,
    write_sent: Signal<Local, Bit>,
    copy_sent: Signal<Local, Bit>,
    r_expected: Signal<Local, Bit>,
    r_copy: Signal<Local, Bit>,
    b_expected: Signal<Local, Bit>,
    /// log2(DW/8): AxSIZE and the word-to-byte shift.
    size: Constant<Bits<3>>,
    incr: Constant<Bits<2>>,
    strobe: Constant<Bits<S>>,
    okay: Constant<Bits<2>>,
    copy_flag: Constant<Bits<NVM_ADDR_BITS>>,
    w_queue_limit: Constant<Bits<POINTER_BITS>>,
}

impl<const D: usize, const S: usize> Default for Axi4Nvm<D, S> {
    fn default() -> Self {
        assert_eq!(D, 8 * S, "Axi4Nvm: S must be D / 8");
        Axi4Nvm {
            clock: Default::default(),
            reset: Default::default(),
            core: Default::default(),
            m_axi_awid: Default::default(),
            m_axi_awaddr: Default::default(),
            m_axi_awlen: Default::default(),
            m_axi_awsize: Default::default(),
            m_axi_awburst: Default::default(),
            m_axi_awvalid: Default::default(),
            m_axi_awready: Default::default(),
            m_axi_wdata: Default::default(),
            m_axi_wstrb: Default::default(),
            m_axi_wlast: Default::default(),
            m_axi_wvalid: Default::default(),
            m_axi_wready: Default::default(),
            m_axi_bid: Default::default(),
            m_axi_bresp: Default::default(),
            m_axi_bvalid: Default::default(),
            m_axi_bready: Default::default(),
            m_axi_arid: Default::default(),
            m_axi_araddr: Default::default(),
            m_axi_arlen: Default::default(),
            m_axi_arsize: Default::default(),
            m_axi_arburst: Default::default(),
            m_axi_arvalid: Default::default(),
            m_axi_arready: Default::default(),
            m_axi_rid: Default::default(),
            m_axi_rdata: Default::default(),
            m_axi_rresp: Default::default(),
            m_axi_rlast: Default::default(),
            m_axi_rvalid: Default::default(),
            m_axi_rready: Default::default(),
            bus_error: Default::default(),
            slot_write: LutRam::new(),
            slot_addr: LutRam::new(),
            slot_data: LutRam::new(),
            pushed: Default::default(),
            popped: Default::default(),
            room: Default::default(),
            push: Default::default(),
            pop: Default::default(),
            head_valid: Default::default(),
            head_is_write: Default::default(),
            head_addr: Default::default(),
            head_data: Default::default(),
            ar_sent: Default::default(),
            aw_sent: Default::default(),
            w_sent: Default::default(),
            reads_out: Default::default(),
            copy_reads_out: Default::default(),
            writes_out: Default::default(),
            w_queue_data: LutRam::new(),
            w_queue_copy: LutRam::new(),
            w_in: Default::default(),
            w_out: Default::default(),
            copy_data: LutRam::new(),
            copy_in: Default::default(),
            copy_out: Default::default(),
            rsp_valid: Default::default(),
            rsp_data: Default::default(),
            error: Default::default(),
            head_read: Default::default(),
            head_copy: Default::default(),
            head_write: Default::default(),
            read_go: Default::default(),
            write_go: Default::default(),
            copy_go: Default::default(),
            w_queue_room: Default::default(),
            w_queue_empty: Default::default(),
            ar_done: Default::default(),
            aw_done: Default::default(),
            w_done: Default::default(),
            w_valid: Default::default(),
            w_from_queue: Default::default(),
            read_sent: Default::default(),
            write_sent: Default::default(),
            copy_sent: Default::default(),
            r_expected: Default::default(),
            r_copy: Default::default(),
            b_expected: Default::default(),
            size: Constant::new((S.trailing_zeros() as u64).to_bits()),
            incr: Constant::new(AXI_BURST_INCR.to_bits()),
            strobe: Constant::new(((1u64 << S) - 1).to_bits()),
            okay: Constant::new(0u64.to_bits()),
            copy_flag: Constant::new(COPY_FLAG.to_bits()),
            w_queue_limit: Constant::new(W_QUEUE_LIMIT.to_bits()),
        }
    }
}

impl<const D: usize, const S: usize> Logic for Axi4Nvm<D, S> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            pushed,
            popped,
            room,
            ar_sent,
            aw_sent,
            w_sent,
            reads_out,
            copy_reads_out,
            writes_out,
            w_in,
            w_out,
            copy_in,
            copy_out,
            rsp_valid,
            rsp_data,
            error
        );
        clock!(self, clock, slot_write, slot_addr, slot_data, w_queue_data, w_queue_copy, copy_data);
        // The core's request into a free slot; the oldest slot is the head.
        self.core.req_ready.next = self.room.q.val();
        self.push.next = self.core.req_valid.val() & self.room.q.val();
        self.slot_write.write_enable.next = self.push.val();
        self.slot_addr.write_enable.next = self.push.val();
        self.slot_data.write_enable.next = self.push.val();
        self.slot_write.write_address.next = self.pushed.q.val().get_bit(0).into();
        self.slot_addr.write_address.next = self.pushed.q.val().get_bit(0).into();
        self.slot_data.write_address.next = self.pushed.q.val().get_bit(0).into();
        self.slot_write.write_data.next = self.core.req_write.val();
        self.slot_addr.write_data.next = self.core.req_addr.val();
        self.slot_data.write_data.next = self.core.req_wdata.val();
        self.slot_write.read_address.next = self.popped.q.val().get_bit(0).into();
        self.slot_addr.read_address.next = self.popped.q.val().get_bit(0).into();
        self.slot_data.read_address.next = self.popped.q.val().get_bit(0).into();
        self.head_valid.next = self.pushed.q.val() != self.popped.q.val();
        self.head_is_write.next = self.slot_write.read_data.val();
        self.head_addr.next = self.slot_addr.read_data.val();
        self.head_data.next = self.slot_data.read_data.val();

        // The head request, gated so reads never meet writes in flight.
        self.head_read.next = self.head_valid.val() & !self.head_is_write.val();
        self.head_copy.next = self.head_valid.val() & self.head_is_write.val() & ((self.head_addr.val() & self.copy_flag.val()) != 0);
        self.head_write.next = self.head_valid.val() & self.head_is_write.val() & !self.head_copy.val();
        self.w_queue_empty.next = self.w_in.q.val() == self.w_out.q.val();
        self.w_queue_room.next = (self.w_in.q.val() - self.w_out.q.val()) < self.w_queue_limit.val();
        self.read_go.next = self.head_read.val() & (self.writes_out.q.val() == 0);
        self.write_go.next = self.head_write.val() & (self.reads_out.q.val() == 0) & self.w_queue_room.val();
        self.copy_go.next = self.head_copy.val() & (self.reads_out.q.val() == 0) & self.w_queue_room.val();
        self.m_axi_arid.next = 0.into();
        self.m_axi_araddr.next = self.head_addr.val() << self.size.val();
        if self.head_copy.val() {
            self.m_axi_araddr.next = bit_cast::<AXI_ADDR_BITS, D>(self.head_data.val()) << self.size.val();
        }
        self.m_axi_arlen.next = 0.into();
        self.m_axi_arsize.next = self.size.val();
        self.m_axi_arburst.next = self.incr.val();
        self.m_axi_arvalid.next = self.read_go.val() | (self.copy_go.val() & !self.ar_sent.q.val());
        self.m_axi_awid.next = 0.into();
        self.m_axi_awaddr.next = (self.head_addr.val() & !self.copy_flag.val()) << self.size.val();
        self.m_axi_awlen.next = 0.into();
        self.m_axi_awsize.next = self.size.val();
        self.m_axi_awburst.next = self.incr.val();
        self.m_axi_awvalid.next = (self.write_go.val() | self.copy_go.val()) & !self.aw_sent.q.val();
        self.ar_done.next = self.ar_sent.q.val() | self.m_axi_arready.val();
        self.aw_done.next = self.aw_sent.q.val() | self.m_axi_awready.val();

        // W: the queue's head, or with the queue empty the head write's own.
        self.w_queue_data.read_address.next = bit_cast::<QUEUE_BITS, POINTER_BITS>(self.w_out.q.val());
        self.w_queue_copy.read_address.next = bit_cast::<QUEUE_BITS, POINTER_BITS>(self.w_out.q.val());
        self.copy_data.read_address.next = bit_cast::<QUEUE_BITS, POINTER_BITS>(self.copy_out.q.val());
        self.w_from_queue.next = !self.w_queue_empty.val();
        self.w_valid.next = self.write_go.val() & !self.w_sent.q.val();
        self.m_axi_wdata.next = self.head_data.val();
        if self.w_from_queue.val() {
            self.w_valid.next = !self.w_queue_copy.read_data.val() | (self.copy_in.q.val() != self.copy_out.q.val());
            self.m_axi_wdata.next = self.w_queue_data.read_data.val();
            if self.w_queue_copy.read_data.val() {
                self.m_axi_wdata.next = self.copy_data.read_data.val();
            }
        }
        self.m_axi_wstrb.next = self.strobe.val();
        self.m_axi_wlast.next = true;
        self.m_axi_wvalid.next = self.w_valid.val();
        self.w_done.next = self.w_sent.q.val() | (!self.w_from_queue.val() & self.w_valid.val() & self.m_axi_wready.val());
        if self.w_from_queue.val() & self.w_valid.val() & self.m_axi_wready.val() {
            self.w_out.d.next = self.w_out.q.val() + 1;
            if self.w_queue_copy.read_data.val() {
                self.copy_out.d.next = self.copy_out.q.val() + 1;
            }
        }

        // The head leaves once its address handshakes are done; a write
        // whose W did not go directly leaves it in the W queue, as a copy
        // leaves its "W from R" there.
        self.read_sent.next = self.read_go.val() & self.m_axi_arready.val();
        self.write_sent.next = self.write_go.val() & self.aw_done.val();
        self.copy_sent.next = self.copy_go.val() & self.ar_done.val() & self.aw_done.val();
        self.pop.next = self.read_sent.val() | self.write_sent.val() | self.copy_sent.val();
        if self.push.val() {
            self.pushed.d.next = self.pushed.q.val() + 1;
        }
        if self.pop.val() {
            self.popped.d.next = self.popped.q.val() + 1;
        }
        // Room after this edge unless both slots are then in use.
        if self.push.val() & !self.pop.val() {
            self.room.d.next = self.pushed.q.val() == self.popped.q.val();
        }
        if !self.push.val() & self.pop.val() {
            self.room.d.next = true;
        }
        self.w_queue_data.write_enable.next = (self.write_sent.val() & !self.w_done.val()) | self.copy_sent.val();
        self.w_queue_copy.write_enable.next = (self.write_sent.val() & !self.w_done.val()) | self.copy_sent.val();
        self.w_queue_data.write_address.next = bit_cast::<QUEUE_BITS, POINTER_BITS>(self.w_in.q.val());
        self.w_queue_copy.write_address.next = bit_cast::<QUEUE_BITS, POINTER_BITS>(self.w_in.q.val());
        self.w_queue_data.write_data.next = self.head_data.val();
        self.w_queue_copy.write_data.next = self.copy_sent.val();
        if self.w_queue_data.write_enable.val() {
            self.w_in.d.next = self.w_in.q.val() + 1;
        }
        self.ar_sent.d.next = false;
        self.aw_sent.d.next = false;
        self.w_sent.d.next = false;
        if (self.write_go.val() & !self.write_sent.val()) | (self.copy_go.val() & !self.copy_sent.val()) {
            self.ar_sent.d.next = self.copy_go.val() & self.ar_done.val();
            self.aw_sent.d.next = self.aw_done.val();
            self.w_sent.d.next = self.w_done.val();
        }

        // Answers: R of the core's reads and B go to the core, at most one a
        // cycle (reads never meet writes in flight); R of copies to their W.
        self.m_axi_rready.next = true;
        self.m_axi_bready.next = true;
        self.r_copy.next = self.m_axi_rvalid.val() & (self.copy_reads_out.q.val() != 0);
        self.r_expected.next = self.m_axi_rvalid.val() & (self.reads_out.q.val() != 0) & (self.copy_reads_out.q.val() == 0);
        self.b_expected.next = self.m_axi_bvalid.val() & (self.writes_out.q.val() != 0);
        self.copy_data.write_enable.next = self.r_copy.val();
        self.copy_data.write_address.next = bit_cast::<QUEUE_BITS, POINTER_BITS>(self.copy_in.q.val());
        self.copy_data.write_data.next = self.m_axi_rdata.val();
        if self.r_copy.val() {
            self.copy_in.d.next = self.copy_in.q.val() + 1;
        }
        self.rsp_valid.d.next = self.r_expected.val() | self.b_expected.val();
        self.rsp_data.d.next = self.m_axi_rdata.val();
        self.core.rsp_valid.next = self.rsp_valid.q.val();
        self.core.rsp_rdata.next = self.rsp_data.q.val();
        if self.read_sent.val() & !self.r_expected.val() {
            self.reads_out.d.next = self.reads_out.q.val() + 1;
        }
        if !self.read_sent.val() & self.r_expected.val() {
            self.reads_out.d.next = self.reads_out.q.val() - 1;
        }
        // A copy's read counts from its AR handshake: its R may come
        // before its AW is taken.
        if (self.copy_go.val() & !self.ar_sent.q.val() & self.m_axi_arready.val()) & !self.r_copy.val() {
            self.copy_reads_out.d.next = self.copy_reads_out.q.val() + 1;
        }
        if !(self.copy_go.val() & !self.ar_sent.q.val() & self.m_axi_arready.val()) & self.r_copy.val() {
            self.copy_reads_out.d.next = self.copy_reads_out.q.val() - 1;
        }
        if (self.write_sent.val() | self.copy_sent.val()) & !self.b_expected.val() {
            self.writes_out.d.next = self.writes_out.q.val() + 1;
        }
        if !(self.write_sent.val() | self.copy_sent.val()) & self.b_expected.val() {
            self.writes_out.d.next = self.writes_out.q.val() - 1;
        }
        if (self.m_axi_rvalid.val()
            & ((!self.r_expected.val() & !self.r_copy.val())
                | (self.m_axi_rresp.val() != self.okay.val())
                | (self.m_axi_rid.val() != 0)
                | !self.m_axi_rlast.val()))
            | (self.m_axi_bvalid.val() & (!self.b_expected.val() | (self.m_axi_bresp.val() != self.okay.val()) | (self.m_axi_bid.val() != 0)))
        {
            self.error.d.next = true;
        }
        self.bus_error.next = self.error.q.val();

        if self.reset.val() {
            self.pushed.d.next = 0.into();
            self.popped.d.next = 0.into();
            self.room.d.next = true;
            self.ar_sent.d.next = false;
            self.aw_sent.d.next = false;
            self.w_sent.d.next = false;
            self.reads_out.d.next = 0.into();
            self.copy_reads_out.d.next = 0.into();
            self.writes_out.d.next = 0.into();
            self.w_in.d.next = 0.into();
            self.w_out.d.next = 0.into();
            self.copy_in.d.next = 0.into();
            self.copy_out.d.next = 0.into();
            self.rsp_valid.d.next = false;
            self.error.d.next = false;
        }
    }
}
