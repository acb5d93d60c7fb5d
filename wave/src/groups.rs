//! Which signals a person wants to see, in which groups: the same in the
//! GTKWave save file and in `pmsnap wave`'s pictures.

/// Where a group's signal paths start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// The controller's own scope (`TOP.pmsnap_controller`, or the board
    /// top's `controller`).
    Controller,
    /// The simulation's top scope (`TOP`): the board's pins.
    Top,
}

/// A named group of signals.
#[derive(Clone, Copy, Debug)]
pub struct Group {
    pub name: &'static str,
    pub scope: Scope,
    /// Dot-separated paths below the scope.
    pub signals: &'static [&'static str],
    /// Only in a board's waveform.
    pub board_only: bool,
    /// Only in a waveform that has its first signal (a host bus the
    /// controller was generated with); its other signals only if there.
    pub optional: bool,
}

impl Group {
    /// The name as a command-line word: `host-port`.
    pub fn slug(&self) -> String {
        slug(self.name)
    }
}

/// A group's name as a command-line word: `Host port` → `host-port`.
pub fn slug(name: &str) -> String {
    name.to_ascii_lowercase().replace(' ', "-")
}

const fn group(name: &'static str, signals: &'static [&'static str]) -> Group {
    Group { name, scope: Scope::Controller, signals, board_only: false, optional: false }
}

/// The groups, top to bottom.
/// With a bus front end (`--host-bus axi4`, `wishbone`) the Host port group
/// shows the core's native port behind it, and with an NVM back end
/// (`--nvm-bus axi4`) the NVM port group the core's native NVM port in
/// front of it (the blocks sit one or two scopes down, in `core`;
/// `dump::full_name` finds them there).
pub const GROUPS: [Group; 13] = [
    Group {
        name: "AXI4 host port",
        scope: Scope::Controller,
        signals: &[
            "s_axi_awvalid",
            "s_axi_awready",
            "s_axi_awid",
            "s_axi_awaddr",
            "s_axi_awlen",
            "s_axi_awsize",
            "s_axi_awburst",
            "s_axi_wvalid",
            "s_axi_wready",
            "s_axi_wdata",
            "s_axi_wstrb",
            "s_axi_wlast",
            "s_axi_bvalid",
            "s_axi_bready",
            "s_axi_bid",
            "s_axi_bresp",
            "s_axi_arvalid",
            "s_axi_arready",
            "s_axi_arid",
            "s_axi_araddr",
            "s_axi_arlen",
            "s_axi_arsize",
            "s_axi_arburst",
            "s_axi_rvalid",
            "s_axi_rready",
            "s_axi_rid",
            "s_axi_rdata",
            "s_axi_rresp",
            "s_axi_rlast",
        ],
        board_only: false,
        optional: true,
    },
    Group {
        name: "AXI4-Lite registers",
        scope: Scope::Controller,
        signals: &[
            "s_axil_awvalid",
            "s_axil_awready",
            "s_axil_awaddr",
            "s_axil_wvalid",
            "s_axil_wready",
            "s_axil_wdata",
            "s_axil_wstrb",
            "s_axil_bvalid",
            "s_axil_bready",
            "s_axil_bresp",
            "s_axil_arvalid",
            "s_axil_arready",
            "s_axil_araddr",
            "s_axil_rvalid",
            "s_axil_rready",
            "s_axil_rdata",
            "s_axil_rresp",
            "irq",
        ],
        board_only: false,
        optional: true,
    },
    Group {
        name: "Wishbone host port",
        scope: Scope::Controller,
        signals: &["s_wb_cyc", "s_wb_stb", "s_wb_stall", "s_wb_we", "s_wb_adr", "s_wb_dat_w", "s_wb_sel", "s_wb_ack", "s_wb_err", "s_wb_dat_r"],
        board_only: false,
        optional: true,
    },
    Group {
        name: "Wishbone registers",
        scope: Scope::Controller,
        signals: &[
            "s_wbr_cyc",
            "s_wbr_stb",
            "s_wbr_stall",
            "s_wbr_we",
            "s_wbr_adr",
            "s_wbr_dat_w",
            "s_wbr_sel",
            "s_wbr_ack",
            "s_wbr_err",
            "s_wbr_dat_r",
            "irq",
        ],
        board_only: false,
        optional: true,
    },
    group(
        "Host port",
        &["clock", "reset", "req_valid", "req_ready", "req_write", "req_addr", "req_wdata", "rsp_valid", "rsp_rdata", "rsp_err", "host.state__q"],
    ),
    group(
        "Command and status",
        &[
            "cmd_valid",
            "cmd_ready",
            "cmd_op",
            "cmd_done",
            "cmd_status",
            "mounted",
            "snap_seq",
            "free_frames",
            "fallback_held",
            "cow_faults",
            "pages_hardened",
            "snapshots",
            "restores",
            "errors",
        ],
    ),
    group("Flush handshake", &["flush_req", "flush_ack"]),
    group("NVM port", &["mem_req_valid", "mem_req_ready", "mem_req_write", "mem_req_addr", "mem_req_wdata", "mem_rsp_valid", "mem_rsp_rdata", "arbiter.owner"]),
    group(
        "Sequencer",
        &[
            "seq_phase",
            "sequencer.front.state__q",
            "sequencer.snapshot.state__q",
            "sequencer.commit.state__q",
            "sequencer.restore.state__q",
            "sequencer.format.state__q",
            "sequencer.recover.state__q",
        ],
    ),
    Group {
        name: "AXI4 NVM port",
        scope: Scope::Controller,
        signals: &[
            "m_axi_awvalid",
            "m_axi_awready",
            "m_axi_awaddr",
            "m_axi_wvalid",
            "m_axi_wready",
            "m_axi_wdata",
            "m_axi_bvalid",
            "m_axi_bready",
            "m_axi_bresp",
            "m_axi_arvalid",
            "m_axi_arready",
            "m_axi_araddr",
            "m_axi_rvalid",
            "m_axi_rready",
            "m_axi_rdata",
            "m_axi_rresp",
            "nvm_bus_error",
        ],
        board_only: false,
        optional: true,
    },
    group("COW engine", &["cow.start", "cow.state__q", "cow.src_frame", "cow.dst_frame", "cow.issued__q", "cow.answered__q", "cow.done"]),
    group("Allocator", &["allocator.pop", "allocator.head_frame", "allocator.free_count", "allocator.empty", "allocator.fallback_held"]),
    Group { name: "UART", scope: Scope::Top, signals: &["uart_rx", "uart_tx", "leds"], board_only: true, optional: false },
];

/// The group a command-line word names (`host-port`, `Host port`), if any.
pub fn find(word: &str) -> Option<&'static Group> {
    GROUPS.iter().find(|g| g.slug() == slug(word))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_top_port_is_in_a_group_once() {
        for p in pmsnap_hdl::ports::TOP_PORTS
            .iter()
            .chain(&pmsnap_hdl::ports::AXI4_HOST_PORTS)
            .chain(&pmsnap_hdl::ports::AXIL_REG_PORTS)
            .chain(&pmsnap_hdl::ports::WISHBONE_HOST_PORTS)
            .chain(&pmsnap_hdl::ports::WISHBONE_REG_PORTS)
        {
            // Once, but for `irq`: in each bus's register group.
            let n = GROUPS.iter().filter(|g| g.scope == Scope::Controller).flat_map(|g| g.signals).filter(|s| **s == p.name).count();
            assert_eq!(n, if p.name == "irq" { 2 } else { 1 }, "{}", p.name);
        }
        assert_eq!(find("host-port").map(|g| g.name), Some("Host port"));
        assert_eq!(find("COW engine").map(|g| g.name), Some("COW engine"));
        assert!(find("nothing").is_none());
    }
}
