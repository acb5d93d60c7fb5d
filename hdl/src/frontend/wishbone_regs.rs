//! The control and status registers' Wishbone port (`s_wbr_*`, B4
//! pipelined, for `--host-bus wishbone`): never stalls; a request taken in
//! one cycle is answered the next, `ack` (with `dat_r` for a read) or
//! `err` (no register there, a read-only register written, a `sel` bit
//! low). `adr` is the register's byte offset (register_map.rs). The
//! registers themselves are `register_file.rs`.

use super::register_file::RegisterAccess;
use super::register_map::REG_ADDR_BITS;
use super::AxiResp;
use rust_hdl::prelude::*;

#[derive(LogicBlock)]
pub struct WishboneRegs {
    pub clock: Signal<In, Clock>,
    /// Synchronous, active high.
    pub reset: Signal<In, Bit>,
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
    /// To the registers.
    pub regs: RegisterAccess,
    ack: DFF<Bit>,
    err: DFF<Bit>,
    data: DFF<Bits<32>>,
    take: Signal<Local, Bit>,
    okay: Constant<Bits<2>>,
}

impl Default for WishboneRegs {
    fn default() -> Self {
        WishboneRegs {
            clock: Default::default(),
            reset: Default::default(),
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
            regs: Default::default(),
            ack: Default::default(),
            err: Default::default(),
            data: Default::default(),
            take: Default::default(),
            okay: Constant::new(AxiResp::Okay.bits()),
        }
    }
}

impl Logic for WishboneRegs {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, ack, err, data);
        self.s_wbr_stall.next = false;
        // A cycle given up takes its answer with it.
        self.s_wbr_ack.next = self.ack.q.val() & self.s_wbr_cyc.val();
        self.s_wbr_err.next = self.err.q.val() & self.s_wbr_cyc.val();
        self.s_wbr_dat_r.next = self.data.q.val();
        self.take.next = self.s_wbr_cyc.val() & self.s_wbr_stb.val();
        self.regs.write.next = self.take.val() & self.s_wbr_we.val();
        self.regs.write_addr.next = self.s_wbr_adr.val();
        self.regs.write_data.next = self.s_wbr_dat_w.val();
        self.regs.write_whole.next = self.s_wbr_sel.val().all();
        self.regs.read_addr.next = self.s_wbr_adr.val();
        self.ack.d.next = false;
        self.err.d.next = false;
        if self.take.val() {
            if self.s_wbr_we.val() {
                self.ack.d.next = self.regs.write_code.val() == self.okay.val();
                self.err.d.next = self.regs.write_code.val() != self.okay.val();
            } else {
                // A read with a sel bit low reads the whole word anyway.
                self.ack.d.next = self.regs.read_code.val() == self.okay.val();
                self.err.d.next = self.regs.read_code.val() != self.okay.val();
                self.data.d.next = self.regs.read_data.val();
            }
        }
        if self.reset.val() {
            self.ack.d.next = false;
            self.err.d.next = false;
        }
    }
}
