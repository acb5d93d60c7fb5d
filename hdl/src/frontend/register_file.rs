//! The control and status registers themselves, whatever the bus: the map
//! of `register_map.rs` decoded, the state behind it, the interrupt. A bus
//! adapter (`axil_regs.rs`, `wishbone_regs.rs`) drives `RegisterAccess`:
//! a write for one cycle (`write`, its address and data, whether it covers
//! the whole register) answered in the same cycle by `write_code`; a read
//! address answered by `read_data` and `read_code`, both combinational, for
//! the adapter to register as its bus needs.
//!
//! A write must cover the whole register, or it is refused (SLVERR) and
//! changes nothing. A COMMAND write hands its op to
//! the core's command port (`reg_cmd_valid`, `reg_cmd_op`) until the top
//! says the core took it (`cmd_taken`); a second COMMAND written before
//! that is refused with SLVERR. A FLUSH_ACK write pulses `flush_ack` for one
//! cycle. The answers to commands (`cmd_done`, `cmd_status`) land in STATUS
//! and DONE_COUNT and set IRQ_STATUS bit 0; a rising `flush_req` sets bit 1.

use super::register_map::{self, REG_ADDR_BITS};
use super::AxiResp;
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

/// A register access, as a bus adapter drives it. Codes are AXI's
/// (`AxiResp`): OKAY, SLVERR, DECERR.
#[derive(LogicInterface, Default)]
#[join = "RegisterTarget"]
pub struct RegisterAccess {
    pub write: Signal<Out, Bit>,
    pub write_addr: Signal<Out, Bits<REG_ADDR_BITS>>,
    pub write_data: Signal<Out, Bits<32>>,
    /// The write covers the whole register (every strobe or select bit).
    pub write_whole: Signal<Out, Bit>,
    pub write_code: Signal<In, Bits<2>>,
    pub read_addr: Signal<Out, Bits<REG_ADDR_BITS>>,
    pub read_data: Signal<In, Bits<32>>,
    pub read_code: Signal<In, Bits<2>>,
}

#[derive(LogicInterface, Default)]
#[join = "RegisterAccess"]
pub struct RegisterTarget {
    pub write: Signal<In, Bit>,
    pub write_addr: Signal<In, Bits<REG_ADDR_BITS>>,
    pub write_data: Signal<In, Bits<32>>,
    pub write_whole: Signal<In, Bit>,
    pub write_code: Signal<Out, Bits<2>>,
    pub read_addr: Signal<In, Bits<REG_ADDR_BITS>>,
    pub read_data: Signal<Out, Bits<32>>,
    pub read_code: Signal<Out, Bits<2>>,
}

#[derive(LogicBlock)]
pub struct RegisterFile {
    pub clock: Signal<In, Clock>,
    /// Synchronous, active high.
    pub reset: Signal<In, Bit>,
    /// From the bus adapter.
    pub bus: RegisterTarget,
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
    status_word: Signal<Local, Bits<32>>,
    irq_clear: Signal<Local, Bits<2>>,
    irq_set: Signal<Local, Bits<2>>,
    no_bits: Constant<Bits<2>>,
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

impl RegisterFile {
    pub fn new(config: &Config) -> Self {
        let at = |name: &str| Constant::new(register_map::offset(name).to_bits());
        RegisterFile {
            clock: Default::default(),
            reset: Default::default(),
            bus: Default::default(),
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
            status_word: Default::default(),
            irq_clear: Default::default(),
            irq_set: Default::default(),
            no_bits: Constant::new(0.into()),
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

impl Logic for RegisterFile {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, pending, op, last_status, irq_status, irq_enable, done_count, flush_seen, ack_pulse);
        self.reg_cmd_valid.next = self.pending.q.val();
        self.reg_cmd_op.next = self.op.q.val();
        self.flush_ack.next = self.ack_pulse.q.val();
        self.ack_pulse.d.next = false;
        self.irq.next = (self.irq_status.q.val() & self.irq_enable.q.val()) != 0;
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

        // A write's code, from its address alone (the adapter may read it
        // in the cycle it decides to write: it must not depend on `write`).
        self.bus.write_code.next = self.decerr.val();
        if !self.bus.write_whole.val() {
            self.bus.write_code.next = self.slverr.val();
        } else if self.bus.write_addr.val() == self.at_command.val() {
            self.bus.write_code.next = self.okay.val();
            if self.pending.q.val() {
                self.bus.write_code.next = self.slverr.val();
            }
        } else if (self.bus.write_addr.val() == self.at_irq_status.val())
            | (self.bus.write_addr.val() == self.at_irq_enable.val())
            | (self.bus.write_addr.val() == self.at_flush_ack.val())
        {
            self.bus.write_code.next = self.okay.val();
        } else if (self.bus.write_addr.val() == self.at_id.val())
            | (self.bus.write_addr.val() == self.at_config.val())
            | (self.bus.write_addr.val() == self.at_status.val())
            | (self.bus.write_addr.val() == self.at_done_count.val())
            | (self.bus.write_addr.val() == self.at_snap_seq.val())
            | (self.bus.write_addr.val() == self.at_free_frames.val())
            | (self.bus.write_addr.val() == self.at_cow_faults.val())
            | (self.bus.write_addr.val() == self.at_pages_hardened.val())
            | (self.bus.write_addr.val() == self.at_snapshots.val())
            | (self.bus.write_addr.val() == self.at_restores.val())
            | (self.bus.write_addr.val() == self.at_errors.val())
        {
            self.bus.write_code.next = self.slverr.val();
        }
        // Its effect, at the edge.
        self.irq_clear.next = 0.into();
        if self.bus.write.val() & self.bus.write_whole.val() {
            if (self.bus.write_addr.val() == self.at_command.val()) & !self.pending.q.val() {
                self.pending.d.next = true;
                self.op.d.next = bit_cast::<CODE_BITS, 32>(self.bus.write_data.val());
            }
            if self.bus.write_addr.val() == self.at_irq_status.val() {
                self.irq_clear.next = bit_cast::<2, 32>(self.bus.write_data.val());
            }
            if self.bus.write_addr.val() == self.at_irq_enable.val() {
                self.irq_enable.d.next = bit_cast::<2, 32>(self.bus.write_data.val());
            }
            if self.bus.write_addr.val() == self.at_flush_ack.val() {
                self.ack_pulse.d.next = true;
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

        // A read: its word and code, from the address alone.
        self.bus.read_code.next = self.okay.val();
        self.bus.read_data.next = 0.into();
        if self.bus.read_addr.val() == self.at_id.val() {
            self.bus.read_data.next = self.id_value.val();
        } else if self.bus.read_addr.val() == self.at_config.val() {
            self.bus.read_data.next = self.config_value.val();
        } else if self.bus.read_addr.val() == self.at_status.val() {
            self.bus.read_data.next = self.status_word.val();
        } else if self.bus.read_addr.val() == self.at_irq_status.val() {
            self.bus.read_data.next = bit_cast::<32, 2>(self.irq_status.q.val());
        } else if self.bus.read_addr.val() == self.at_irq_enable.val() {
            self.bus.read_data.next = bit_cast::<32, 2>(self.irq_enable.q.val());
        } else if self.bus.read_addr.val() == self.at_done_count.val() {
            self.bus.read_data.next = self.done_count.q.val();
        } else if self.bus.read_addr.val() == self.at_snap_seq.val() {
            self.bus.read_data.next = self.snap_seq.val();
        } else if self.bus.read_addr.val() == self.at_free_frames.val() {
            self.bus.read_data.next = self.free_frames.val();
        } else if self.bus.read_addr.val() == self.at_cow_faults.val() {
            self.bus.read_data.next = self.cow_faults.val();
        } else if self.bus.read_addr.val() == self.at_pages_hardened.val() {
            self.bus.read_data.next = self.pages_hardened.val();
        } else if self.bus.read_addr.val() == self.at_snapshots.val() {
            self.bus.read_data.next = self.snapshots.val();
        } else if self.bus.read_addr.val() == self.at_restores.val() {
            self.bus.read_data.next = self.restores.val();
        } else if self.bus.read_addr.val() == self.at_errors.val() {
            self.bus.read_data.next = self.errors.val();
        } else if (self.bus.read_addr.val() != self.at_command.val()) & (self.bus.read_addr.val() != self.at_flush_ack.val()) {
            self.bus.read_code.next = self.decerr.val();
        }

        if self.reset.val() {
            self.pending.d.next = false;
            self.irq_status.d.next = 0.into();
            self.irq_enable.d.next = 0.into();
            self.done_count.d.next = 0.into();
            self.last_status.d.next = 0.into();
            self.ack_pulse.d.next = false;
        }
    }
}
