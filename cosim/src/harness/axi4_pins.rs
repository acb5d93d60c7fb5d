//! The five channels of an AXI4 port, by name: the controller's host port
//! (`s_axi_*`) or its NVM port (`m_axi_*`).

use crate::verilator::{Model, Port};
use anyhow::Result;

#[derive(Clone, Copy)]
pub(super) struct Axi4Pins {
    pub awid: Port,
    pub awaddr: Port,
    pub awlen: Port,
    pub awsize: Port,
    pub awburst: Port,
    pub awvalid: Port,
    pub awready: Port,
    pub wdata: Port,
    pub wstrb: Port,
    pub wlast: Port,
    pub wvalid: Port,
    pub wready: Port,
    pub bid: Port,
    pub bresp: Port,
    pub bvalid: Port,
    pub bready: Port,
    pub arid: Port,
    pub araddr: Port,
    pub arlen: Port,
    pub arsize: Port,
    pub arburst: Port,
    pub arvalid: Port,
    pub arready: Port,
    pub rid: Port,
    pub rdata: Port,
    pub rresp: Port,
    pub rlast: Port,
    pub rvalid: Port,
    pub rready: Port,
}

impl Axi4Pins {
    /// The ports `<prefix>awid` … `<prefix>rready` of `m`.
    pub fn resolve(m: &Model, prefix: &str) -> Result<Axi4Pins> {
        let p = |n: &str| m.port(&format!("{prefix}{n}"));
        Ok(Axi4Pins {
            awid: p("awid")?,
            awaddr: p("awaddr")?,
            awlen: p("awlen")?,
            awsize: p("awsize")?,
            awburst: p("awburst")?,
            awvalid: p("awvalid")?,
            awready: p("awready")?,
            wdata: p("wdata")?,
            wstrb: p("wstrb")?,
            wlast: p("wlast")?,
            wvalid: p("wvalid")?,
            wready: p("wready")?,
            bid: p("bid")?,
            bresp: p("bresp")?,
            bvalid: p("bvalid")?,
            bready: p("bready")?,
            arid: p("arid")?,
            araddr: p("araddr")?,
            arlen: p("arlen")?,
            arsize: p("arsize")?,
            arburst: p("arburst")?,
            arvalid: p("arvalid")?,
            arready: p("arready")?,
            rid: p("rid")?,
            rdata: p("rdata")?,
            rresp: p("rresp")?,
            rlast: p("rlast")?,
            rvalid: p("rvalid")?,
            rready: p("rready")?,
        })
    }
}
