//! The control and status registers' AXI4-Lite port (`s_axil_*`): one
//! write and one read at a time. A write is taken when AW and W are both
//! valid and no B waits, and answered on B the next cycle; a read is taken
//! when no R waits, and answered on R the next cycle; each answer is held
//! until taken. WSTRB must be all ones (`register_file.rs` refuses a
//! partial write). The registers themselves are `register_file.rs`.

use super::register_file::RegisterAccess;
use super::register_map::REG_ADDR_BITS;
use rust_hdl::prelude::*;

#[derive(LogicBlock, Default)]
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
    /// To the registers.
    pub regs: RegisterAccess,
    bvalid: DFF<Bit>,
    bresp: DFF<Bits<2>>,
    rvalid: DFF<Bit>,
    rdata: DFF<Bits<32>>,
    rresp: DFF<Bits<2>>,
    write: Signal<Local, Bit>,
    read: Signal<Local, Bit>,
}

impl Logic for AxiLiteRegs {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, bvalid, bresp, rvalid, rdata, rresp);
        self.s_axil_bvalid.next = self.bvalid.q.val();
        self.s_axil_bresp.next = self.bresp.q.val();
        self.s_axil_rvalid.next = self.rvalid.q.val();
        self.s_axil_rdata.next = self.rdata.q.val();
        self.s_axil_rresp.next = self.rresp.q.val();

        self.write.next = self.s_axil_awvalid.val() & self.s_axil_wvalid.val() & !self.bvalid.q.val();
        self.s_axil_awready.next = self.write.val();
        self.s_axil_wready.next = self.write.val();
        self.regs.write.next = self.write.val();
        self.regs.write_addr.next = self.s_axil_awaddr.val();
        self.regs.write_data.next = self.s_axil_wdata.val();
        self.regs.write_whole.next = self.s_axil_wstrb.val().all();
        if self.bvalid.q.val() & self.s_axil_bready.val() {
            self.bvalid.d.next = false;
        }
        if self.write.val() {
            self.bvalid.d.next = true;
            self.bresp.d.next = self.regs.write_code.val();
        }

        self.read.next = self.s_axil_arvalid.val() & !self.rvalid.q.val();
        self.s_axil_arready.next = self.read.val();
        self.regs.read_addr.next = self.s_axil_araddr.val();
        if self.rvalid.q.val() & self.s_axil_rready.val() {
            self.rvalid.d.next = false;
        }
        if self.read.val() {
            self.rvalid.d.next = true;
            self.rdata.d.next = self.regs.read_data.val();
            self.rresp.d.next = self.regs.read_code.val();
        }
        if self.reset.val() {
            self.bvalid.d.next = false;
            self.rvalid.d.next = false;
        }
    }
}
