//! AXI4 manager on the memory side: the core's native NVM port (contract
//! §3, `mem_*`) in, an AXI4 manager (`m_axi_*`) out, one request a cycle.
//!
//! Every transaction is an INCR burst of the full data width (AxSIZE
//! log2(DW/8), WSTRB all ones, ID 0) at byte address `word address ·
//! DW/8`. A read is a single-beat AR; a write a single-beat AW and its W
//! beat, offered together (either may be taken first). A *copy*
//! (`nvm_arbiter::COPY_FLAG`, sent by the COW engine) is an AR of the
//! source and an AW of the destination, offered together; its W beat is
//! the R data, sent as it comes back.
//!
//! Bursts. The COW engine sends a page copy or zero fill as bursts of B
//! words (`Config::nvm_burst_words`: the page, at most 256): the first
//! write of each opens it (`BURST_OPENS`), the B − 1 after it follow
//! (`BURST_FOLLOWS`). The opener's AW carries AWLEN, beats − 1; a
//! follower adds only its W beat (WLAST on the last). The burst's first
//! copy sends one AR for the source words from its own to the burst's end;
//! the copies after it take their data from its R beats, and a plain write
//! among them (the host's word) sends its own data and drops its R beat.
//! So a page copy's reads and writes overlap, one word a cycle on each
//! channel. The burst's one B is its one answer to the core (the arbiter
//! counts no follower).
//!
//! Gathered bursts. The commit writer (a record's words 1–7), FORMAT (its
//! zeroes) and the harden (table entries of neighbouring dirty pages)
//! know only that the next write goes to the next word (`BURST_GATHERS`),
//! not how many will. So the back end holds the AW: each gathering write
//! sends its W beat (AXI4 lets W come before its AW) and counts a beat,
//! and the write that closes the burst (the first without the code) sends
//! the AW of them all with its own W, the last. The sender keeps a
//! gathered burst inside `MAX_GATHER_WORDS` (16, the W queue's slots), so
//! a subordinate that takes no W before its AW still lets the closing
//! write in.
//!
//! Order. The native port answers in order, and a read after a write to
//! the same word must see it; AXI4 orders reads among reads and writes
//! among writes (one ID), but nothing between the two channels. So a read
//! goes out only once every earlier write and copy has had its B (and no
//! burst is open), and a write or copy only once every earlier read of the
//! core's (not a copy's) has had its R. A copy's own read and write are of
//! different frames, as are those of the copies and
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
//! Timing. BREADY is always high (the core cannot hold off an answer, and
//! never more than one of its answers arrives in a cycle); RREADY too, but
//! while the copy data slots are full (a burst's R beats may outrun its W
//! beats). A request goes to the AXI channels the cycle after the core
//! offers it, from a register (two request slots, `req_ready` high while
//! one is free: one request a cycle), and the answer reaches the core the
//! cycle after its R or B (registered): the core's request logic, the back
//! end's decisions and the bus's AxREADY are each a register away from the
//! others.
//!
//! Errors. An R or B with RRESP/BRESP other than OKAY, an ID other than 0,
//! an R whose RLAST is not on its burst's last beat, or one with nothing
//! outstanding, sets `bus_error` (sticky until reset). An unexpected one is
//! not passed to the core (its in-flight count would go wrong); an error
//! answer is (the core waits for every answer), with the data the bus
//! gave.

use crate::config::NVM_ADDR_BITS;
use crate::frontend::{AXI_ADDR_BITS, AXI_BURST_INCR, AXI_ID_BITS};
use crate::lut_ram::LutRam;
use crate::nvm_arbiter::{NvmSlave, ADDRESS_MASK, BURST_CODE, BURST_FOLLOWS, BURST_GATHERS, BURST_OPENS, COPY_FLAG, MAX_GATHER_WORDS};
use rust_hdl::prelude::*;

/// Bits of the outstanding-request counters: at most 2^16 − 1 in flight,
/// as the NVM arbiter counts them.
const OUTSTANDING_BITS: usize = 16;
/// log2 of the W queue's slots (W beats behind their AW), and of the copy
/// data slots (R data of copies waiting for their W). Copies stream one a
/// cycle while the NVM's round trip (R, then W) stays under 16 cycles.
const QUEUE_BITS: usize = 4;
/// Queue pointers: a lap bit more.
const POINTER_BITS: usize = QUEUE_BITS + 1;
/// Slots of the W queue and of the copy data.
const QUEUE_SLOTS: u64 = 1 << QUEUE_BITS;
/// Bits of a burst's beat count (1 ..= 256).
const BEAT_BITS: usize = 9;

// An NVM word address shifted to bytes is an AXI address.
const _: () = assert!(AXI_ADDR_BITS == NVM_ADDR_BITS);
// A gathered burst's W beats fit the W queue while its AW is held.
const _: () = assert!(MAX_GATHER_WORDS <= QUEUE_SLOTS);

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
    /// The core's reads without their R, copies' R beats not yet taken,
    /// AWs without their B.
    reads_out: DFF<Bits<OUTSTANDING_BITS>>,
    copy_beats_out: DFF<Bits<OUTSTANDING_BITS>>,
    writes_out: DFF<Bits<OUTSTANDING_BITS>>,
    /// Writes still to come in the open burst (0: none open), and whether
    /// its AR went out (its later words take R beats).
    open_left: DFF<Bits<BEAT_BITS>>,
    burst_reading: DFF<Bit>,
    /// The gathered burst being built: its W beats sent so far (0: none)
    /// and its first word's address, for the AW its closing write sends.
    gathered: DFF<Bits<BEAT_BITS>>,
    gather_addr: DFF<Bits<NVM_ADDR_BITS>>,
    /// W beats whose AW went out, in AW order: the data, whether it is
    /// "the next copy data" instead (a copy), whether the beat takes the
    /// next copy data (a copy, or a plain write its burst's AR covers),
    /// and WLAST.
    w_queue_data: LutRam<Bits<D>, QUEUE_BITS>,
    w_queue_from_r: LutRam<Bit, QUEUE_BITS>,
    w_queue_uses_r: LutRam<Bit, QUEUE_BITS>,
    w_queue_last: LutRam<Bit, QUEUE_BITS>,
    w_in: DFF<Bits<POINTER_BITS>>,
    w_out: DFF<Bits<POINTER_BITS>>,
    /// R data of copies, in order, until their W beat goes; and RLAST.
    copy_data: LutRam<Bits<D>, QUEUE_BITS>,
    copy_last: LutRam<Bit, QUEUE_BITS>,
    copy_in: DFF<Bits<POINTER_BITS>>,
    copy_out: DFF<Bits<POINTER_BITS>>,
    rsp_valid: DFF<Bit>,
    rsp_data: DFF<Bits<D>>,
    error: DFF<Bit>,
    /// What the head request is.
    head_read: Signal<Local, Bit>,
    head_copy: Signal<Local, Bit>,
    head_write: Signal<Local, Bit>,
    head_follows: Signal<Local, Bit>,
    head_gathers: Signal<Local, Bit>,
    /// Beats of the head's burst from the head on (1 outside a burst), and
    /// one less (AxLEN).
    beats_left: Signal<Local, Bits<BEAT_BITS>>,
    beats_less_one: Signal<Local, Bits<BEAT_BITS>>,
    head_last: Signal<Local, Bit>,
    /// The head needs an AW (it is no follower), an AR (a copy its burst's
    /// AR does not yet cover); its W beat takes an R beat.
    needs_aw: Signal<Local, Bit>,
    needs_ar: Signal<Local, Bit>,
    uses_r: Signal<Local, Bit>,
    /// A copy's AR is taken this cycle.
    copy_ar_taken: Signal<Local, Bit>,
    /// A copy data slot is free (RREADY); an R is taken.
    r_room: Signal<Local, Bit>,
    r_take: Signal<Local, Bit>,
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
    w_queue_taken: Signal<Local, Bit>,
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
    /// The burst codes (`nvm_arbiter`).
    burst_code: Constant<Bits<NVM_ADDR_BITS>>,
    opens_code: Constant<Bits<NVM_ADDR_BITS>>,
    follows_code: Constant<Bits<NVM_ADDR_BITS>>,
    gathers_code: Constant<Bits<NVM_ADDR_BITS>>,
    address_mask: Constant<Bits<NVM_ADDR_BITS>>,
    /// B, the words of a burst.
    burst_words: Constant<Bits<BEAT_BITS>>,
    queue_slots: Constant<Bits<POINTER_BITS>>,
}

impl<const D: usize, const S: usize> Axi4Nvm<D, S> {
    /// A back end whose bursts are `burst_words` long
    /// (`Config::nvm_burst_words`).
    pub fn new(burst_words: usize) -> Self {
        assert_eq!(D, 8 * S, "Axi4Nvm: S must be D / 8");
        assert!(burst_words.is_power_of_two() && burst_words <= crate::config::MAX_NVM_BURST_WORDS, "Axi4Nvm: bursts of 1 ..= 256 words, a power of two");
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
            copy_beats_out: Default::default(),
            writes_out: Default::default(),
            open_left: Default::default(),
            burst_reading: Default::default(),
            gathered: Default::default(),
            gather_addr: Default::default(),
            w_queue_data: LutRam::new(),
            w_queue_from_r: LutRam::new(),
            w_queue_uses_r: LutRam::new(),
            w_queue_last: LutRam::new(),
            w_in: Default::default(),
            w_out: Default::default(),
            copy_data: LutRam::new(),
            copy_last: LutRam::new(),
            copy_in: Default::default(),
            copy_out: Default::default(),
            rsp_valid: Default::default(),
            rsp_data: Default::default(),
            error: Default::default(),
            head_read: Default::default(),
            head_copy: Default::default(),
            head_write: Default::default(),
            head_follows: Default::default(),
            head_gathers: Default::default(),
            beats_left: Default::default(),
            beats_less_one: Default::default(),
            head_last: Default::default(),
            needs_aw: Default::default(),
            needs_ar: Default::default(),
            uses_r: Default::default(),
            copy_ar_taken: Default::default(),
            r_room: Default::default(),
            r_take: Default::default(),
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
            w_queue_taken: Default::default(),
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
            burst_code: Constant::new(BURST_CODE.to_bits()),
            opens_code: Constant::new(BURST_OPENS.to_bits()),
            follows_code: Constant::new(BURST_FOLLOWS.to_bits()),
            gathers_code: Constant::new(BURST_GATHERS.to_bits()),
            address_mask: Constant::new(ADDRESS_MASK.to_bits()),
            burst_words: Constant::new((burst_words as u64).to_bits()),
            queue_slots: Constant::new(QUEUE_SLOTS.to_bits()),
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
            copy_beats_out,
            writes_out,
            open_left,
            burst_reading,
            gathered,
            gather_addr,
            w_in,
            w_out,
            copy_in,
            copy_out,
            rsp_valid,
            rsp_data,
            error
        );
        clock!(self, clock, slot_write, slot_addr, slot_data, w_queue_data, w_queue_from_r, w_queue_uses_r, w_queue_last, copy_data, copy_last);
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
        self.head_follows.next = (self.head_addr.val() & self.burst_code.val()) == self.follows_code.val();
        self.head_gathers.next = (self.head_addr.val() & self.burst_code.val()) == self.gathers_code.val();
        // Beats of an opened burst; a gathering write's count as 1 here
        // (its burst's AW goes with the closing write).
        self.beats_left.next = 1.into();
        if (self.head_addr.val() & self.burst_code.val()) == self.opens_code.val() {
            self.beats_left.next = self.burst_words.val();
        }
        if self.head_follows.val() {
            self.beats_left.next = self.open_left.q.val();
        }
        self.beats_less_one.next = self.beats_left.val() - 1;
        self.head_last.next = (self.beats_left.val() == 1) & !self.head_gathers.val();
        self.needs_aw.next = !self.head_follows.val() & !self.head_gathers.val();
        self.uses_r.next = self.head_copy.val() | (self.head_follows.val() & self.burst_reading.q.val());
        self.needs_ar.next = self.head_copy.val() & !(self.head_follows.val() & self.burst_reading.q.val());
        self.w_queue_empty.next = self.w_in.q.val() == self.w_out.q.val();
        self.w_queue_room.next = (self.w_in.q.val() - self.w_out.q.val()) != self.queue_slots.val();
        self.read_go.next = self.head_read.val() & (self.writes_out.q.val() == 0) & (self.open_left.q.val() == 0) & (self.gathered.q.val() == 0);
        self.write_go.next = self.head_write.val() & (self.reads_out.q.val() == 0) & self.w_queue_room.val();
        self.copy_go.next = self.head_copy.val() & (self.reads_out.q.val() == 0) & self.w_queue_room.val();
        self.m_axi_arid.next = 0.into();
        self.m_axi_araddr.next = self.head_addr.val() << self.size.val();
        if self.head_copy.val() {
            self.m_axi_araddr.next = bit_cast::<AXI_ADDR_BITS, D>(self.head_data.val()) << self.size.val();
        }
        self.m_axi_arlen.next = bit_cast::<8, BEAT_BITS>(self.beats_less_one.val());
        self.m_axi_arsize.next = self.size.val();
        self.m_axi_arburst.next = self.incr.val();
        self.m_axi_arvalid.next = self.read_go.val() | (self.copy_go.val() & self.needs_ar.val() & !self.ar_sent.q.val());
        self.m_axi_awid.next = 0.into();
        // A closing write's AW covers the gathered beats before it.
        self.m_axi_awaddr.next = (self.head_addr.val() & self.address_mask.val()) << self.size.val();
        if self.gathered.q.val() != 0 {
            self.m_axi_awaddr.next = self.gather_addr.q.val() << self.size.val();
        }
        self.m_axi_awlen.next = bit_cast::<8, BEAT_BITS>(self.beats_less_one.val() + self.gathered.q.val());
        self.m_axi_awsize.next = self.size.val();
        self.m_axi_awburst.next = self.incr.val();
        self.m_axi_awvalid.next = (self.write_go.val() | self.copy_go.val()) & self.needs_aw.val() & !self.aw_sent.q.val();
        self.ar_done.next = self.ar_sent.q.val() | self.m_axi_arready.val() | !self.needs_ar.val();
        self.aw_done.next = self.aw_sent.q.val() | self.m_axi_awready.val() | !self.needs_aw.val();
        self.copy_ar_taken.next = self.copy_go.val() & self.needs_ar.val() & !self.ar_sent.q.val() & self.m_axi_arready.val();

        // W: the queue's head, or with the queue empty the head write's own
        // (unless it must first drop an R beat).
        self.w_queue_data.read_address.next = bit_cast::<QUEUE_BITS, POINTER_BITS>(self.w_out.q.val());
        self.w_queue_from_r.read_address.next = bit_cast::<QUEUE_BITS, POINTER_BITS>(self.w_out.q.val());
        self.w_queue_uses_r.read_address.next = bit_cast::<QUEUE_BITS, POINTER_BITS>(self.w_out.q.val());
        self.w_queue_last.read_address.next = bit_cast::<QUEUE_BITS, POINTER_BITS>(self.w_out.q.val());
        self.copy_data.read_address.next = bit_cast::<QUEUE_BITS, POINTER_BITS>(self.copy_out.q.val());
        self.copy_last.read_address.next = bit_cast::<QUEUE_BITS, POINTER_BITS>(self.copy_out.q.val());
        self.w_from_queue.next = !self.w_queue_empty.val();
        self.w_valid.next = self.write_go.val() & !self.uses_r.val() & !self.w_sent.q.val();
        self.m_axi_wdata.next = self.head_data.val();
        self.m_axi_wlast.next = self.head_last.val();
        if self.w_from_queue.val() {
            self.w_valid.next = !self.w_queue_uses_r.read_data.val() | (self.copy_in.q.val() != self.copy_out.q.val());
            self.m_axi_wdata.next = self.w_queue_data.read_data.val();
            if self.w_queue_from_r.read_data.val() {
                self.m_axi_wdata.next = self.copy_data.read_data.val();
            }
            self.m_axi_wlast.next = self.w_queue_last.read_data.val();
        }
        self.m_axi_wstrb.next = self.strobe.val();
        self.m_axi_wvalid.next = self.w_valid.val();
        self.w_done.next = self.w_sent.q.val() | (!self.w_from_queue.val() & self.w_valid.val() & self.m_axi_wready.val());
        self.w_queue_taken.next = self.w_from_queue.val() & self.w_valid.val() & self.m_axi_wready.val();
        if self.w_queue_taken.val() {
            self.w_out.d.next = self.w_out.q.val() + 1;
            if self.w_queue_uses_r.read_data.val() {
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
        if self.write_sent.val() | self.copy_sent.val() {
            self.open_left.d.next = self.beats_less_one.val();
            self.burst_reading.d.next = !self.head_last.val() & self.uses_r.val();
            self.gathered.d.next = 0.into();
        }
        if self.write_sent.val() & self.head_gathers.val() {
            self.gathered.d.next = self.gathered.q.val() + 1;
            if self.gathered.q.val() == 0 {
                self.gather_addr.d.next = self.head_addr.val() & self.address_mask.val();
            }
        }
        self.w_queue_data.write_enable.next = (self.write_sent.val() & !self.w_done.val()) | self.copy_sent.val();
        self.w_queue_from_r.write_enable.next = (self.write_sent.val() & !self.w_done.val()) | self.copy_sent.val();
        self.w_queue_uses_r.write_enable.next = (self.write_sent.val() & !self.w_done.val()) | self.copy_sent.val();
        self.w_queue_last.write_enable.next = (self.write_sent.val() & !self.w_done.val()) | self.copy_sent.val();
        self.w_queue_data.write_address.next = bit_cast::<QUEUE_BITS, POINTER_BITS>(self.w_in.q.val());
        self.w_queue_from_r.write_address.next = bit_cast::<QUEUE_BITS, POINTER_BITS>(self.w_in.q.val());
        self.w_queue_uses_r.write_address.next = bit_cast::<QUEUE_BITS, POINTER_BITS>(self.w_in.q.val());
        self.w_queue_last.write_address.next = bit_cast::<QUEUE_BITS, POINTER_BITS>(self.w_in.q.val());
        self.w_queue_data.write_data.next = self.head_data.val();
        self.w_queue_from_r.write_data.next = self.copy_sent.val();
        self.w_queue_uses_r.write_data.next = self.uses_r.val();
        self.w_queue_last.write_data.next = self.head_last.val();
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
        self.r_room.next = (self.copy_in.q.val() - self.copy_out.q.val()) != self.queue_slots.val();
        self.m_axi_rready.next = self.r_room.val();
        self.m_axi_bready.next = true;
        self.r_take.next = self.m_axi_rvalid.val() & self.r_room.val();
        self.r_copy.next = self.r_take.val() & (self.copy_beats_out.q.val() != 0);
        self.r_expected.next = self.r_take.val() & (self.reads_out.q.val() != 0) & (self.copy_beats_out.q.val() == 0);
        self.b_expected.next = self.m_axi_bvalid.val() & (self.writes_out.q.val() != 0);
        self.copy_data.write_enable.next = self.r_copy.val();
        self.copy_last.write_enable.next = self.r_copy.val();
        self.copy_data.write_address.next = bit_cast::<QUEUE_BITS, POINTER_BITS>(self.copy_in.q.val());
        self.copy_last.write_address.next = bit_cast::<QUEUE_BITS, POINTER_BITS>(self.copy_in.q.val());
        self.copy_data.write_data.next = self.m_axi_rdata.val();
        self.copy_last.write_data.next = self.m_axi_rlast.val();
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
        // A copy's beats count from its AR handshake: an R may come before
        // its AW is taken.
        if self.copy_ar_taken.val() & !self.r_copy.val() {
            self.copy_beats_out.d.next = self.copy_beats_out.q.val() + bit_cast::<OUTSTANDING_BITS, BEAT_BITS>(self.beats_left.val());
        }
        if self.copy_ar_taken.val() & self.r_copy.val() {
            self.copy_beats_out.d.next = self.copy_beats_out.q.val() + bit_cast::<OUTSTANDING_BITS, BEAT_BITS>(self.beats_less_one.val());
        }
        if !self.copy_ar_taken.val() & self.r_copy.val() {
            self.copy_beats_out.d.next = self.copy_beats_out.q.val() - 1;
        }
        if ((self.write_sent.val() | self.copy_sent.val()) & self.needs_aw.val()) & !self.b_expected.val() {
            self.writes_out.d.next = self.writes_out.q.val() + 1;
        }
        if !((self.write_sent.val() | self.copy_sent.val()) & self.needs_aw.val()) & self.b_expected.val() {
            self.writes_out.d.next = self.writes_out.q.val() - 1;
        }
        // An R beat's RLAST must fall where its W beat's WLAST does.
        if (self.r_take.val()
            & ((!self.r_expected.val() & !self.r_copy.val())
                | (self.m_axi_rresp.val() != self.okay.val())
                | (self.m_axi_rid.val() != 0)
                | (self.r_expected.val() & !self.m_axi_rlast.val())))
            | (self.m_axi_bvalid.val() & (!self.b_expected.val() | (self.m_axi_bresp.val() != self.okay.val()) | (self.m_axi_bid.val() != 0)))
            | (self.w_queue_taken.val() & self.w_queue_uses_r.read_data.val() & (self.copy_last.read_data.val() != self.w_queue_last.read_data.val()))
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
            self.copy_beats_out.d.next = 0.into();
            self.writes_out.d.next = 0.into();
            self.open_left.d.next = 0.into();
            self.burst_reading.d.next = false;
            self.gathered.d.next = 0.into();
            self.w_in.d.next = 0.into();
            self.w_out.d.next = 0.into();
            self.copy_in.d.next = 0.into();
            self.copy_out.d.next = 0.into();
            self.rsp_valid.d.next = false;
            self.error.d.next = false;
        }
    }
}
