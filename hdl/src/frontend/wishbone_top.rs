//! The controller with a Wishbone B4 pipelined subordinate as its host
//! port (`pmsnap generate --host-bus wishbone`): the Wishbone front end
//! (`wishbone_host.rs`) in front of the native core (`controller.rs`), and
//! the control and status registers (`register_file.rs`) on a second
//! Wishbone port (`wishbone_regs.rs`: `s_wbr_*`, `irq`). Commands come from
//! the pins (first) or the COMMAND register; `flush_ack` is the pin or a
//! FLUSH_ACK write. Every other port is the core's, unchanged: a Wishbone
//! request is in the core the cycle it is taken, so commands and requests
//! keep the native port's order. Emitted as `pmsnap_controller`, like the native top.

use super::register_file::{RegisterAccess, RegisterFile};
use super::register_map::REG_ADDR_BITS;
use super::wishbone_host::WishboneHost;
use super::wishbone_regs::WishboneRegs;
use crate::codes::CODE_BITS;
use crate::config::{COUNTER_BITS, HOST_ADDR_BITS, NVM_ADDR_BITS};
use crate::controller::Controller;
use crate::Config;
use rust_hdl::prelude::*;

/// `D`: data bits (32 or 64); `S` = D / 8.
#[derive(LogicBlock)]
pub struct WishboneController<const D: usize, const S: usize> {
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
    pub s_wbr_cyc: Signal<In, Bit>,
    pub s_wbr_stb: Signal<In, Bit>,
    pub s_wbr_we: Signal<In, Bit>,
    pub s_wbr_adr: Signal<In, Bits<REG_ADDR_BITS>>,
    pub s_wbr_dat_w: Signal<In, Bits<32>>,
    pub s_wbr_sel: Signal<In, Bits<4>>,
    pub s_wbr_stall: Signal<Out, Bit>,
    pub s_wbr_ack: Signal<Out, Bit>,
    pub s_wbr_err: Signal<Out, Bit>,
    pub s_wbr_dat_r: Signal<Out, Bits<32>>,
    /// IRQ_STATUS & IRQ_ENABLE is not zero (docs/registers.md).
    pub irq: Signal<Out, Bit>,
    pub cmd_valid: Signal<In, Bit>,
    pub cmd_ready: Signal<Out, Bit>,
    pub cmd_op: Signal<In, Bits<CODE_BITS>>,
    pub cmd_done: Signal<Out, Bit>,
    pub cmd_status: Signal<Out, Bits<CODE_BITS>>,
    pub mounted: Signal<Out, Bit>,
    pub snap_seq: Signal<Out, Bits<COUNTER_BITS>>,
    pub seq_phase: Signal<Out, Bits<CODE_BITS>>,
    pub free_frames: Signal<Out, Bits<COUNTER_BITS>>,
    pub fallback_held: Signal<Out, Bit>,
    pub cow_faults: Signal<Out, Bits<COUNTER_BITS>>,
    pub pages_hardened: Signal<Out, Bits<COUNTER_BITS>>,
    pub snapshots: Signal<Out, Bits<COUNTER_BITS>>,
    pub restores: Signal<Out, Bits<COUNTER_BITS>>,
    pub errors: Signal<Out, Bits<COUNTER_BITS>>,
    pub flush_req: Signal<Out, Bit>,
    pub flush_ack: Signal<In, Bit>,
    pub mem_req_valid: Signal<Out, Bit>,
    pub mem_req_ready: Signal<In, Bit>,
    pub mem_req_write: Signal<Out, Bit>,
    pub mem_req_addr: Signal<Out, Bits<NVM_ADDR_BITS>>,
    pub mem_req_wdata: Signal<Out, Bits<D>>,
    pub mem_rsp_valid: Signal<In, Bit>,
    pub mem_rsp_rdata: Signal<In, Bits<D>>,
    front: WishboneHost<D, S>,
    regs_bus: WishboneRegs,
    regs: RegisterFile,
    core: Controller<D>,
}

impl<const D: usize, const S: usize> WishboneController<D, S> {
    pub fn new(config: &Config) -> Self {
        WishboneController {
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
            s_wbr_cyc: Default::default(),
            s_wbr_stb: Default::default(),
            s_wbr_we: Default::default(),
            s_wbr_adr: Default::default(),
            s_wbr_dat_w: Default::default(),
            s_wbr_sel: Default::default(),
            s_wbr_stall: Default::default(),
            s_wbr_ack: Default::default(),
            s_wbr_err: Default::default(),
            s_wbr_dat_r: Default::default(),
            irq: Default::default(),
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
            front: WishboneHost::new(config),
            regs_bus: Default::default(),
            regs: RegisterFile::new(config),
            core: Controller::new(config),
        }
    }
}

impl<const D: usize, const S: usize> Logic for WishboneController<D, S> {
    #[hdl_gen]
    fn update(&mut self) {
        clock!(self, clock, front, regs_bus, regs, core);
        self.regs_bus.reset.next = self.reset.val();
        self.regs.reset.next = self.reset.val();
        RegisterAccess::join(&mut self.regs_bus.regs, &mut self.regs.bus);
        self.regs_bus.s_wbr_cyc.next = self.s_wbr_cyc.val();
        self.regs_bus.s_wbr_stb.next = self.s_wbr_stb.val();
        self.regs_bus.s_wbr_we.next = self.s_wbr_we.val();
        self.regs_bus.s_wbr_adr.next = self.s_wbr_adr.val();
        self.regs_bus.s_wbr_dat_w.next = self.s_wbr_dat_w.val();
        self.regs_bus.s_wbr_sel.next = self.s_wbr_sel.val();
        self.s_wbr_stall.next = self.regs_bus.s_wbr_stall.val();
        self.s_wbr_ack.next = self.regs_bus.s_wbr_ack.val();
        self.s_wbr_err.next = self.regs_bus.s_wbr_err.val();
        self.s_wbr_dat_r.next = self.regs_bus.s_wbr_dat_r.val();
        self.irq.next = self.regs.irq.val();
        self.front.reset.next = self.reset.val();
        self.core.reset.next = self.reset.val();
        self.front.s_wb_cyc.next = self.s_wb_cyc.val();
        self.front.s_wb_stb.next = self.s_wb_stb.val();
        self.front.s_wb_we.next = self.s_wb_we.val();
        self.front.s_wb_adr.next = self.s_wb_adr.val();
        self.front.s_wb_dat_w.next = self.s_wb_dat_w.val();
        self.front.s_wb_sel.next = self.s_wb_sel.val();
        self.s_wb_stall.next = self.front.s_wb_stall.val();
        self.s_wb_ack.next = self.front.s_wb_ack.val();
        self.s_wb_err.next = self.front.s_wb_err.val();
        self.s_wb_dat_r.next = self.front.s_wb_dat_r.val();
        // The front end drives the core's native host port.
        self.core.req_valid.next = self.front.req_valid.val();
        self.core.req_write.next = self.front.req_write.val();
        self.core.req_addr.next = self.front.req_addr.val();
        self.core.req_wdata.next = self.front.req_wdata.val();
        self.front.req_ready.next = self.core.req_ready.val();
        self.front.rsp_valid.next = self.core.rsp_valid.val();
        self.front.rsp_rdata.next = self.core.rsp_rdata.val();
        self.front.rsp_err.next = self.core.rsp_err.val();
        // Everything else is the core's.
        // Commands come from the pins or the registers (the pins first).
        self.core.cmd_valid.next = self.cmd_valid.val() | self.regs.reg_cmd_valid.val();
        self.regs.cmd_taken.next = self.regs.reg_cmd_valid.val() & !self.cmd_valid.val() & self.core.cmd_ready.val();
        self.cmd_ready.next = self.core.cmd_ready.val();
        self.core.cmd_op.next = self.regs.reg_cmd_op.val();
        if self.cmd_valid.val() {
            self.core.cmd_op.next = self.cmd_op.val();
        }
        self.cmd_done.next = self.core.cmd_done.val();
        self.cmd_status.next = self.core.cmd_status.val();
        self.mounted.next = self.core.mounted.val();
        self.snap_seq.next = self.core.snap_seq.val();
        self.seq_phase.next = self.core.seq_phase.val();
        self.free_frames.next = self.core.free_frames.val();
        self.fallback_held.next = self.core.fallback_held.val();
        self.cow_faults.next = self.core.cow_faults.val();
        self.pages_hardened.next = self.core.pages_hardened.val();
        self.snapshots.next = self.core.snapshots.val();
        self.restores.next = self.core.restores.val();
        self.errors.next = self.core.errors.val();
        self.flush_req.next = self.core.flush_req.val();
        self.core.flush_ack.next = self.flush_ack.val() | self.regs.flush_ack.val();
        // The registers see what the status port shows.
        self.regs.cmd_done.next = self.core.cmd_done.val();
        self.regs.cmd_status.next = self.core.cmd_status.val();
        self.regs.flush_req.next = self.core.flush_req.val();
        self.regs.mounted.next = self.core.mounted.val();
        self.regs.fallback_held.next = self.core.fallback_held.val();
        self.regs.seq_phase.next = self.core.seq_phase.val();
        self.regs.snap_seq.next = self.core.snap_seq.val();
        self.regs.free_frames.next = self.core.free_frames.val();
        self.regs.cow_faults.next = self.core.cow_faults.val();
        self.regs.pages_hardened.next = self.core.pages_hardened.val();
        self.regs.snapshots.next = self.core.snapshots.val();
        self.regs.restores.next = self.core.restores.val();
        self.regs.errors.next = self.core.errors.val();
        self.mem_req_valid.next = self.core.mem_req_valid.val();
        self.core.mem_req_ready.next = self.mem_req_ready.val();
        self.mem_req_write.next = self.core.mem_req_write.val();
        self.mem_req_addr.next = self.core.mem_req_addr.val();
        self.mem_req_wdata.next = self.core.mem_req_wdata.val();
        self.core.mem_rsp_valid.next = self.mem_rsp_valid.val();
        self.core.mem_rsp_rdata.next = self.mem_rsp_rdata.val();
    }
}
