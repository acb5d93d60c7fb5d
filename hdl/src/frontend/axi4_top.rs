//! The controller with an AXI4 subordinate as its host port
//! (`pmsnap generate --host-bus axi4`): the AXI4 front end
//! (`axi4_host.rs`) in front of the native core (`controller.rs`), and the
//! control and status registers (`register_file.rs`) on AXI4-Lite
//! (`axil_regs.rs`: `s_axil_*`, `irq`). The command port's pins stay (a command on them goes first; tie
//! `cmd_valid` low to use the registers alone), and `flush_ack` is the pin
//! or a FLUSH_ACK write. Every other port — status, flush handshake, NVM —
//! is the core's, unchanged but for one rule: a command is accepted only while the front
//! end is between bursts. A burst taken before the command then reaches the
//! core whole before it (the core finishes the requests it holds before a
//! command runs), and one taken after it waits for it whole: a command
//! never lands between the beats of a burst. No burst is taken in the
//! cycle a command is, nor while a command runs outside SNAPSHOT's flush
//! handshake (as the native port takes no request then): a burst is
//! ordered before or after a command, never across it. Emitted as
//! `pmsnap_controller`, like the native top.

use super::axi4_host::Axi4Host;
use super::axil_regs::AxiLiteRegs;
use super::register_file::{RegisterAccess, RegisterFile};
use super::register_map::REG_ADDR_BITS;
use super::{AXI_ADDR_BITS, AXI_ID_BITS};
use crate::codes::CODE_BITS;
use crate::config::{COUNTER_BITS, NVM_ADDR_BITS};
use crate::controller::Controller;
use crate::Config;
use rust_hdl::prelude::*;

/// `D`: data bits (32 or 64); `S` = D / 8.
#[derive(LogicBlock)]
pub struct Axi4Controller<const D: usize, const S: usize> {
    pub clock: Signal<In, Clock>,
    /// Synchronous, active high.
    pub reset: Signal<In, Bit>,
    pub s_axi_awid: Signal<In, Bits<AXI_ID_BITS>>,
    pub s_axi_awaddr: Signal<In, Bits<AXI_ADDR_BITS>>,
    pub s_axi_awlen: Signal<In, Bits<8>>,
    pub s_axi_awsize: Signal<In, Bits<3>>,
    pub s_axi_awburst: Signal<In, Bits<2>>,
    pub s_axi_awvalid: Signal<In, Bit>,
    pub s_axi_awready: Signal<Out, Bit>,
    pub s_axi_wdata: Signal<In, Bits<D>>,
    pub s_axi_wstrb: Signal<In, Bits<S>>,
    pub s_axi_wlast: Signal<In, Bit>,
    pub s_axi_wvalid: Signal<In, Bit>,
    pub s_axi_wready: Signal<Out, Bit>,
    pub s_axi_bid: Signal<Out, Bits<AXI_ID_BITS>>,
    pub s_axi_bresp: Signal<Out, Bits<2>>,
    pub s_axi_bvalid: Signal<Out, Bit>,
    pub s_axi_bready: Signal<In, Bit>,
    pub s_axi_arid: Signal<In, Bits<AXI_ID_BITS>>,
    pub s_axi_araddr: Signal<In, Bits<AXI_ADDR_BITS>>,
    pub s_axi_arlen: Signal<In, Bits<8>>,
    pub s_axi_arsize: Signal<In, Bits<3>>,
    pub s_axi_arburst: Signal<In, Bits<2>>,
    pub s_axi_arvalid: Signal<In, Bit>,
    pub s_axi_arready: Signal<Out, Bit>,
    pub s_axi_rid: Signal<Out, Bits<AXI_ID_BITS>>,
    pub s_axi_rdata: Signal<Out, Bits<D>>,
    pub s_axi_rresp: Signal<Out, Bits<2>>,
    pub s_axi_rlast: Signal<Out, Bit>,
    pub s_axi_rvalid: Signal<Out, Bit>,
    pub s_axi_rready: Signal<In, Bit>,
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
    front: Axi4Host<D, S>,
    regs_bus: AxiLiteRegs,
    regs: RegisterFile,
    core: Controller<D>,
    /// A command is offered, from the pins or the registers.
    offered: Signal<Local, Bit>,
    /// Commands taken and not answered (a running one, and one answered
    /// `busy` beside it).
    commands: DFF<Bits<2>>,
}

impl<const D: usize, const S: usize> Axi4Controller<D, S> {
    pub fn new(config: &Config) -> Self {
        Axi4Controller {
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
            front: Axi4Host::new(config),
            regs_bus: Default::default(),
            regs: RegisterFile::new(config),
            core: Controller::new(config),
            offered: Default::default(),
            commands: Default::default(),
        }
    }
}

impl<const D: usize, const S: usize> Logic for Axi4Controller<D, S> {
    #[hdl_gen]
    fn update(&mut self) {
        clock!(self, clock, front, regs_bus, regs, core);
        self.regs_bus.reset.next = self.reset.val();
        self.regs.reset.next = self.reset.val();
        RegisterAccess::join(&mut self.regs_bus.regs, &mut self.regs.bus);
        dff_setup!(self, clock, commands);
        self.front.reset.next = self.reset.val();
        self.core.reset.next = self.reset.val();
        self.front.s_axi_awid.next = self.s_axi_awid.val();
        self.front.s_axi_awaddr.next = self.s_axi_awaddr.val();
        self.front.s_axi_awlen.next = self.s_axi_awlen.val();
        self.front.s_axi_awsize.next = self.s_axi_awsize.val();
        self.front.s_axi_awburst.next = self.s_axi_awburst.val();
        self.front.s_axi_awvalid.next = self.s_axi_awvalid.val();
        self.s_axi_awready.next = self.front.s_axi_awready.val();
        self.front.s_axi_wdata.next = self.s_axi_wdata.val();
        self.front.s_axi_wstrb.next = self.s_axi_wstrb.val();
        self.front.s_axi_wlast.next = self.s_axi_wlast.val();
        self.front.s_axi_wvalid.next = self.s_axi_wvalid.val();
        self.s_axi_wready.next = self.front.s_axi_wready.val();
        self.s_axi_bid.next = self.front.s_axi_bid.val();
        self.s_axi_bresp.next = self.front.s_axi_bresp.val();
        self.s_axi_bvalid.next = self.front.s_axi_bvalid.val();
        self.front.s_axi_bready.next = self.s_axi_bready.val();
        self.front.s_axi_arid.next = self.s_axi_arid.val();
        self.front.s_axi_araddr.next = self.s_axi_araddr.val();
        self.front.s_axi_arlen.next = self.s_axi_arlen.val();
        self.front.s_axi_arsize.next = self.s_axi_arsize.val();
        self.front.s_axi_arburst.next = self.s_axi_arburst.val();
        self.front.s_axi_arvalid.next = self.s_axi_arvalid.val();
        self.s_axi_arready.next = self.front.s_axi_arready.val();
        self.s_axi_rid.next = self.front.s_axi_rid.val();
        self.s_axi_rdata.next = self.front.s_axi_rdata.val();
        self.s_axi_rresp.next = self.front.s_axi_rresp.val();
        self.s_axi_rlast.next = self.front.s_axi_rlast.val();
        self.s_axi_rvalid.next = self.front.s_axi_rvalid.val();
        self.front.s_axi_rready.next = self.s_axi_rready.val();
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
        self.offered.next = self.cmd_valid.val() | self.regs.reg_cmd_valid.val();
        self.core.cmd_valid.next = self.offered.val() & self.front.idle.val();
        self.regs.cmd_taken.next = self.regs.reg_cmd_valid.val() & !self.cmd_valid.val() & self.core.cmd_ready.val() & self.front.idle.val();
        self.cmd_ready.next = self.core.cmd_ready.val() & self.front.idle.val();
        // A burst and a command are never taken in one cycle (the command
        // first), and no burst is taken while a command runs, but while it
        // asks for the flush (`flush_req`), when the host writes its cache
        // back.
        self.front.hold.next =
            (self.offered.val() & self.core.cmd_ready.val() & self.front.idle.val()) | ((self.commands.q.val() != 0) & !self.core.flush_req.val());
        if self.core.cmd_valid.val() & self.core.cmd_ready.val() & !self.core.cmd_done.val() {
            self.commands.d.next = self.commands.q.val() + 1;
        }
        if self.core.cmd_done.val() & !(self.core.cmd_valid.val() & self.core.cmd_ready.val()) {
            self.commands.d.next = self.commands.q.val() - 1;
        }
        if self.reset.val() {
            self.commands.d.next = 0.into();
        }
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
        self.regs_bus.s_axil_awaddr.next = self.s_axil_awaddr.val();
        self.regs_bus.s_axil_awvalid.next = self.s_axil_awvalid.val();
        self.s_axil_awready.next = self.regs_bus.s_axil_awready.val();
        self.regs_bus.s_axil_wdata.next = self.s_axil_wdata.val();
        self.regs_bus.s_axil_wstrb.next = self.s_axil_wstrb.val();
        self.regs_bus.s_axil_wvalid.next = self.s_axil_wvalid.val();
        self.s_axil_wready.next = self.regs_bus.s_axil_wready.val();
        self.s_axil_bresp.next = self.regs_bus.s_axil_bresp.val();
        self.s_axil_bvalid.next = self.regs_bus.s_axil_bvalid.val();
        self.regs_bus.s_axil_bready.next = self.s_axil_bready.val();
        self.regs_bus.s_axil_araddr.next = self.s_axil_araddr.val();
        self.regs_bus.s_axil_arvalid.next = self.s_axil_arvalid.val();
        self.s_axil_arready.next = self.regs_bus.s_axil_arready.val();
        self.s_axil_rdata.next = self.regs_bus.s_axil_rdata.val();
        self.s_axil_rresp.next = self.regs_bus.s_axil_rresp.val();
        self.s_axil_rvalid.next = self.regs_bus.s_axil_rvalid.val();
        self.regs_bus.s_axil_rready.next = self.s_axil_rready.val();
        self.irq.next = self.regs.irq.val();
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
