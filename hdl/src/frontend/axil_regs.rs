//! Control and status registers on AXI4-Lite (`s_axil_*`), with an
//! interrupt on command done (`irq`). The register map is
//! `register_map.rs`; this block decodes it.
//!
//! One transaction at a time each way: a write is taken when AW and W are
//! both valid and no B waits (B the next cycle); a read when no R waits (R
//! the next cycle). A write must write the whole register: one with a WSTRB
//! bit low is refused with SLVERR and changes nothing. A COMMAND write hands its op to
//! the core's command port (`reg_cmd_valid`, `reg_cmd_op`) until the top
//! says the core took it (`cmd_taken`); a second COMMAND written before
//! that is refused with SLVERR. A FLUSH_ACK write pulses `flush_ack` for one
//! cycle. The answers to commands (`cmd_done`, `cmd_status`) land in STATUS
//! and DONE_COUNT and set IRQ_STATUS bit 0; a rising `flush_req` sets bit 1.

use super::register_map::{self, REG_ADDR_BITS};
use crate::codes::CODE_BITS;
use crate::config::COUNTER_BITS;
use crate::Config;
use rust_hdl::prelude::*;

// The kernel spells the STATUS and IRQ bit positions as literals.
const _: () = assert!(
    register_map::STATUS_MOUNTED == 0
        && register_map::STATUS_COMMAND_PENDING == 1
        && register_map::STATUS_FLUSH_REQ == 2
        && register_map::STATUS_FALLBACK_HELD == 3
        && register_map::STATUS_PHASE == 4
        && register_map::STATUS_LAST == 8
        && register_map::IRQ_DONE == 0
        && register_map::IRQ_FLUSH == 1
        && CODE_BITS == 3
);

#[derive(LogicBlock)]
pub struct AxiLiteRegs {
    pub clock: Signal<In, Clock>,
    /// Synchronous, active high.
    pub reset: Signal<In, Bit>,
    pub s_axil_awaddr: Signal<In, Bits<REG_ADDR_BITS>>,
    pub s_axil_awvalid: Signal<In, Bit>,
    pub s_axil_awready: Signal<Out, Bit>,
    pub s_axil_wdata: Signal<In, Bits<32>>,
    pub s_axil_wstrb: Signal<In, Bits<4>>,
    pub s_axil_wvalid: Signal<In, Bit>,
    pub s_axil_wready: Signal<Out, Bit>,
    pub s_axil_bresp: Signal<Out, Bits<2>>,
    pub s_axil_bvalid: Signal<Out, Bit>,
    pub s_axil_bready: Signal<In, Bit>,
    pub s_axil_araddr: Signal<In, Bits<REG_ADDR_BITS>>,
    pub s_axil_arvalid: Signal<In, Bit>,
    pub s_axil_arready: Signal<Out, Bit>,
    pub s_axil_rdata: Signal<Out, Bits<32>>,
    pub s_axil_rresp: Signal<Out, Bits<2>>,
    pub s_axil_rvalid: Signal<Out, Bit>,
    pub s_axil_rready: Signal<In, Bit>,
    /// IRQ_STATUS & IRQ_ENABLE is not zero.
    pub irq: Signal<Out, Bit>,
    // To and from the core.
    pub reg_cmd_valid: Signal<Out, Bit>,
    pub reg_cmd_op: Signal<Out, Bits<CODE_BITS>>,
    /// The core took the command offered on `reg_cmd_*` this cycle.
    pub cmd_taken: Signal<In, Bit>,
    pub cmd_done: Signal<In, Bit>,
    pub cmd_status: Signal<In, Bits<CODE_BITS>>,
    pub flush_req: Signal<In, Bit>,
    /// One-cycle pulse after a FLUSH_ACK write.
    pub flush_ack: Signal<Out, Bit>,
    pub mounted: Signal<In, Bit>,
    pub fallback_held: Signal<In, Bit>,
    pub seq_phase: Signal<In, Bits<CODE_BITS>>,
    pub snap_seq: Signal<In, Bits<COUNTER_BITS>>,
    pub free_frames: Signal<In, Bits<COUNTER_BITS>>,
    pub cow_faults: Signal<In, Bits<COUNTER_BITS>>,
    pub pages_hardened: Signal<In, Bits<COUNTER_BITS>>,
    pub snapshots: Signal<In, Bits<COUNTER_BITS>>,
    pub restores: Signal<In, Bits<COUNTER_BITS>>,
    pub errors: Signal<In, Bits<COUNTER_BITS>>,
    pending: DFF<Bit>,
    op: DFF<Bits<CODE_BITS>>,
    last_status: DFF<Bits<CODE_BITS>>,
    irq_status: DFF<Bits<2>>,
    irq_enable: DFF<Bits<2>>,
    done_count: DFF<Bits<32>>,
    flush_seen: DFF<Bit>,
    ack_pulse: DFF<Bit>,
    bvalid: DFF<Bit>,
    bresp: DFF<Bits<2>>,
    rvalid: DFF<Bit>,
    rdata: DFF<Bits<32>>,
    rresp: DFF<Bits<2>>,
    write: Signal<Local, Bit>,
    read: Signal<Local, Bit>,
    status_word: Signal<Local, Bits<32>>,
    irq_clear: Signal<Local, Bits<2>>,
    irq_set: Signal<Local, Bits<2>>,
    no_bits: Constant<Bits<2>>,
    strb_all: Constant<Bits<4>>,
    okay: Constant<Bits<2>>,
    slverr: Constant<Bits<2>>,
    decerr: Constant<Bits<2>>,
    id_value: Constant<Bits<32>>,
    config_value: Constant<Bits<32>>,
    at_id: Constant<Bits<REG_ADDR_BITS>>,
    at_config: Constant<Bits<REG_ADDR_BITS>>,
    at_command: Constant<Bits<REG_ADDR_BITS>>,
    at_status: Constant<Bits<REG_ADDR_BITS>>,
    at_irq_status: Constant<Bits<REG_ADDR_BITS>>,
    at_irq_enable: Constant<Bits<REG_ADDR_BITS>>,
    at_flush_ack: Constant<Bits<REG_ADDR_BITS>>,
    at_done_count: Constant<Bits<REG_ADDR_BITS>>,
    at_snap_seq: Constant<Bits<REG_ADDR_BITS>>,
    at_free_frames: Constant<Bits<REG_ADDR_BITS>>,
    at_cow_faults: Constant<Bits<REG_ADDR_BITS>>,
    at_pages_hardened: Constant<Bits<REG_ADDR_BITS>>,
    at_snapshots: Constant<Bits<REG_ADDR_BITS>>,
    at_restores: Constant<Bits<REG_ADDR_BITS>>,
    at_errors: Constant<Bits<REG_ADDR_BITS>>,
}

/// CONFIG's value for `config` (register_map.rs).
pub fn config_word(config: &Config) -> u64 {
    config.pages.trailing_zeros() as u64
        | (config.page_words.trailing_zeros() as u64) << 8
        | ((config.word_bits == 64) as u64) << 12
        | (config.lookup_latency as u64) << 16
}

impl AxiLiteRegs {
    pub fn new(config: &Config) -> Self {
        use crate::frontend::AxiResp;
        let at = |name: &str| Constant::new(register_map::offset(name).to_bits());
        AxiLiteRegs {
            clock: Default::default(),
            reset: Default::default(),
            s_axil_awaddr: Default::default(),
            s_axil_awvalid: Default::default(),
            s_axil_awready: Default::default(),
            s_axil_wdata: Default::default(),
            s_axil_wstrb: Default::default(),
            s_axil_wvalid: Default::default(),
            s_axil_wready: Default::default(),
            s_axil_bresp: Default::default(),
            s_axil_bvalid: Default::default(),
            s_axil_bready: Default::default(),
            s_axil_araddr: Default::default(),
            s_axil_arvalid: Default::default(),
            s_axil_arready: Default::default(),
            s_axil_rdata: Default::default(),
            s_axil_rresp: Default::default(),
            s_axil_rvalid: Default::default(),
            s_axil_rready: Default::default(),
            irq: Default::default(),
            reg_cmd_valid: Default::default(),
            reg_cmd_op: Default::default(),
            cmd_taken: Default::default(),
            cmd_done: Default::default(),
            cmd_status: Default::default(),
            flush_req: Default::default(),
            flush_ack: Default::default(),
            mounted: Default::default(),
            fallback_held: Default::default(),
            seq_phase: Default::default(),
            snap_seq: Default::default(),
            free_frames: Default::default(),
            cow_faults: Default::default(),
            pages_hardened: Default::default(),
            snapshots: Default::default(),
            restores: Default::default(),
            errors: Default::default(),
            pending: Default::default(),
            op: Default::default(),
            last_status: Default::default(),
            irq_status: Default::default(),
            irq_enable: Default::default(),
            done_count: Default::default(),
            flush_seen: Default::default(),
            ack_pulse: Default::default(),
            bvalid: Default::default(),
            bresp: Default::default(),
            rvalid: Default::default(),
            rdata: Default::default(),
            rresp: Default::default(),
            write: Default::default(),
            read: Default::default(),
            status_word: Default::default(),
            irq_clear: Default::default(),
            irq_set: Default::default(),
            no_bits: Constant::new(0.into()),
            strb_all: Constant::new(0xfu64.to_bits()),
            okay: Constant::new(AxiResp::Okay.bits()),
            slverr: Constant::new(AxiResp::SlvErr.bits()),
            decerr: Constant::new(AxiResp::DecErr.bits()),
            id_value: Constant::new(register_map::ID_VALUE.to_bits()),
            config_value: Constant::new(config_word(config).to_bits()),
            at_id: at("ID"),
            at_config: at("CONFIG"),
            at_command: at("COMMAND"),
            at_status: at("STATUS"),
            at_irq_status: at("IRQ_STATUS"),
            at_irq_enable: at("IRQ_ENABLE"),
            at_flush_ack: at("FLUSH_ACK"),
            at_done_count: at("DONE_COUNT"),
            at_snap_seq: at("SNAP_SEQ"),
            at_free_frames: at("FREE_FRAMES"),
            at_cow_faults: at("COW_FAULTS"),
            at_pages_hardened: at("PAGES_HARDENED"),
            at_snapshots: at("SNAPSHOTS"),
            at_restores: at("RESTORES"),
            at_errors: at("ERRORS"),
        }
    }
}

impl Logic for AxiLiteRegs {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, pending, op, last_status, irq_status, irq_enable, done_count, flush_seen, ack_pulse, bvalid, bresp, rvalid, rdata, rresp);
        self.reg_cmd_valid.next = self.pending.q.val();
        self.reg_cmd_op.next = self.op.q.val();
        self.flush_ack.next = self.ack_pulse.q.val();
        self.ack_pulse.d.next = false;
        self.irq.next = (self.irq_status.q.val() & self.irq_enable.q.val()) != 0;
        self.s_axil_bvalid.next = self.bvalid.q.val();
        self.s_axil_bresp.next = self.bresp.q.val();
        self.s_axil_rvalid.next = self.rvalid.q.val();
        self.s_axil_rdata.next = self.rdata.q.val();
        self.s_axil_rresp.next = self.rresp.q.val();
        self.status_word.next = ((bit_cast::<32, CODE_BITS>(self.last_status.q.val()) << 8) | (bit_cast::<32, CODE_BITS>(self.seq_phase.val()) << 4))
            .replace_bit(3, self.fallback_held.val())
            .replace_bit(2, self.flush_req.val())
            .replace_bit(1, self.pending.q.val())
            .replace_bit(0, self.mounted.val());

        // Events from the core.
        if self.cmd_taken.val() {
            self.pending.d.next = false;
        }
        self.flush_seen.d.next = self.flush_req.val();

        // Writes: AW and W together, one B at a time.
        self.irq_clear.next = 0.into();
        self.write.next = self.s_axil_awvalid.val() & self.s_axil_wvalid.val() & !self.bvalid.q.val();
        self.s_axil_awready.next = self.write.val();
        self.s_axil_wready.next = self.write.val();
        if self.bvalid.q.val() & self.s_axil_bready.val() {
            self.bvalid.d.next = false;
        }
        if self.write.val() {
            self.bvalid.d.next = true;
            self.bresp.d.next = self.okay.val();
            if self.s_axil_wstrb.val() != self.strb_all.val() {
                self.bresp.d.next = self.slverr.val();
            } else if self.s_axil_awaddr.val() == self.at_command.val() {
                if self.pending.q.val() {
                    self.bresp.d.next = self.slverr.val();
                } else {
                    self.pending.d.next = true;
                    self.op.d.next = bit_cast::<CODE_BITS, 32>(self.s_axil_wdata.val());
                }
            } else if self.s_axil_awaddr.val() == self.at_irq_status.val() {
                self.irq_clear.next = bit_cast::<2, 32>(self.s_axil_wdata.val());
            } else if self.s_axil_awaddr.val() == self.at_irq_enable.val() {
                self.irq_enable.d.next = bit_cast::<2, 32>(self.s_axil_wdata.val());
            } else if self.s_axil_awaddr.val() == self.at_flush_ack.val() {
                self.ack_pulse.d.next = true;
            } else if (self.s_axil_awaddr.val() == self.at_id.val())
                | (self.s_axil_awaddr.val() == self.at_config.val())
                | (self.s_axil_awaddr.val() == self.at_status.val())
                | (self.s_axil_awaddr.val() == self.at_done_count.val())
                | (self.s_axil_awaddr.val() == self.at_snap_seq.val())
                | (self.s_axil_awaddr.val() == self.at_free_frames.val())
                | (self.s_axil_awaddr.val() == self.at_cow_faults.val())
                | (self.s_axil_awaddr.val() == self.at_pages_hardened.val())
                | (self.s_axil_awaddr.val() == self.at_snapshots.val())
                | (self.s_axil_awaddr.val() == self.at_restores.val())
                | (self.s_axil_awaddr.val() == self.at_errors.val())
            {
                self.bresp.d.next = self.slverr.val();
            } else {
                self.bresp.d.next = self.decerr.val();
            }
        }
        // Events set their bits; a write clearing a bit in the same cycle
        // does not clear the new event.
        if self.cmd_done.val() {
            self.last_status.d.next = self.cmd_status.val();
            self.done_count.d.next = self.done_count.q.val() + 1;
        }
        self.irq_set.next = self.no_bits.val().replace_bit(0, self.cmd_done.val()).replace_bit(1, self.flush_req.val() & !self.flush_seen.q.val());
        self.irq_status.d.next = (self.irq_status.q.val() & !self.irq_clear.val()) | self.irq_set.val();

        // Reads: one R at a time.
        self.read.next = self.s_axil_arvalid.val() & !self.rvalid.q.val();
        self.s_axil_arready.next = self.read.val();
        if self.rvalid.q.val() & self.s_axil_rready.val() {
            self.rvalid.d.next = false;
        }
        if self.read.val() {
            self.rvalid.d.next = true;
            self.rresp.d.next = self.okay.val();
            self.rdata.d.next = 0.into();
            if self.s_axil_araddr.val() == self.at_id.val() {
                self.rdata.d.next = self.id_value.val();
            } else if self.s_axil_araddr.val() == self.at_config.val() {
                self.rdata.d.next = self.config_value.val();
            } else if self.s_axil_araddr.val() == self.at_status.val() {
                self.rdata.d.next = self.status_word.val();
            } else if self.s_axil_araddr.val() == self.at_irq_status.val() {
                self.rdata.d.next = bit_cast::<32, 2>(self.irq_status.q.val());
            } else if self.s_axil_araddr.val() == self.at_irq_enable.val() {
                self.rdata.d.next = bit_cast::<32, 2>(self.irq_enable.q.val());
            } else if self.s_axil_araddr.val() == self.at_done_count.val() {
                self.rdata.d.next = self.done_count.q.val();
            } else if self.s_axil_araddr.val() == self.at_snap_seq.val() {
                self.rdata.d.next = self.snap_seq.val();
            } else if self.s_axil_araddr.val() == self.at_free_frames.val() {
                self.rdata.d.next = self.free_frames.val();
            } else if self.s_axil_araddr.val() == self.at_cow_faults.val() {
                self.rdata.d.next = self.cow_faults.val();
            } else if self.s_axil_araddr.val() == self.at_pages_hardened.val() {
                self.rdata.d.next = self.pages_hardened.val();
            } else if self.s_axil_araddr.val() == self.at_snapshots.val() {
                self.rdata.d.next = self.snapshots.val();
            } else if self.s_axil_araddr.val() == self.at_restores.val() {
                self.rdata.d.next = self.restores.val();
            } else if self.s_axil_araddr.val() == self.at_errors.val() {
                self.rdata.d.next = self.errors.val();
            } else if (self.s_axil_araddr.val() != self.at_command.val()) & (self.s_axil_araddr.val() != self.at_flush_ack.val()) {
                self.rresp.d.next = self.decerr.val();
            }
        }

        if self.reset.val() {
            self.pending.d.next = false;
            self.irq_status.d.next = 0.into();
            self.irq_enable.d.next = 0.into();
            self.done_count.d.next = 0.into();
            self.last_status.d.next = 0.into();
            self.ack_pulse.d.next = false;
            self.bvalid.d.next = false;
            self.rvalid.d.next = false;
        }
    }
}
