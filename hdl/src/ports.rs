//! The top module's ports (contract §3), once: name, direction, width. The
//! controller and the pass-through declare them as struct fields (rust-hdl
//! needs that); `tests/verilog.rs` holds both to this table, the
//! co-simulation's pins are resolved from it, and the benches' test benches
//! are generated from it.

use crate::codes::CODE_BITS;
use crate::config::{Config, HostBus, NvmBus, COUNTER_BITS, HOST_ADDR_BITS, NVM_ADDR_BITS};
use crate::frontend::register_map::REG_ADDR_BITS;
use crate::frontend::{AXI_ADDR_BITS, AXI_ID_BITS};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Width {
    Bit,
    /// `--word-bits`.
    Data,
    HostAddress,
    NvmAddress,
    Counter,
    Code,
    /// `--word-bits` / 8: a write strobe.
    Strobe,
    /// A width that does not depend on the sizing.
    Fixed(usize),
}

impl Width {
    pub fn bits(self, word_bits: usize) -> usize {
        match self {
            Width::Bit => 1,
            Width::Data => word_bits,
            Width::HostAddress => HOST_ADDR_BITS,
            Width::NvmAddress => NVM_ADDR_BITS,
            Width::Counter => COUNTER_BITS,
            Width::Code => CODE_BITS,
            Width::Strobe => word_bits / 8,
            Width::Fixed(bits) => bits,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TopPort {
    pub name: &'static str,
    pub input: bool,
    pub width: Width,
}

const fn input(name: &'static str, width: Width) -> TopPort {
    TopPort { name, input: true, width }
}

const fn output(name: &'static str, width: Width) -> TopPort {
    TopPort { name, input: false, width }
}

/// Every port of `pmsnap_controller`, in declaration order.
pub const TOP_PORTS: [TopPort; 34] = [
    input("clock", Width::Bit),
    input("reset", Width::Bit),
    // Host port.
    input("req_valid", Width::Bit),
    output("req_ready", Width::Bit),
    input("req_write", Width::Bit),
    input("req_addr", Width::HostAddress),
    input("req_wdata", Width::Data),
    output("rsp_valid", Width::Bit),
    output("rsp_rdata", Width::Data),
    output("rsp_err", Width::Bit),
    // Command port.
    input("cmd_valid", Width::Bit),
    output("cmd_ready", Width::Bit),
    input("cmd_op", Width::Code),
    output("cmd_done", Width::Bit),
    output("cmd_status", Width::Code),
    // Status.
    output("mounted", Width::Bit),
    output("snap_seq", Width::Counter),
    output("seq_phase", Width::Code),
    output("free_frames", Width::Counter),
    output("fallback_held", Width::Bit),
    output("cow_faults", Width::Counter),
    output("pages_hardened", Width::Counter),
    output("snapshots", Width::Counter),
    output("restores", Width::Counter),
    output("errors", Width::Counter),
    // Flush handshake.
    output("flush_req", Width::Bit),
    input("flush_ack", Width::Bit),
    // NVM port.
    output("mem_req_valid", Width::Bit),
    input("mem_req_ready", Width::Bit),
    output("mem_req_write", Width::Bit),
    output("mem_req_addr", Width::NvmAddress),
    output("mem_req_wdata", Width::Data),
    input("mem_rsp_valid", Width::Bit),
    input("mem_rsp_rdata", Width::Data),
];

/// AXI4's five channels (the ID, address, length, size and burst of AW and
/// AR; data, strobe and last of W; ID and response of B; ID, data, response
/// and last of R), with `$prefix` before each name: `$to` for what the
/// manager drives, `$from` for what the subordinate drives. One list for
/// the host's subordinate and the NVM's manager.
macro_rules! axi4_ports {
    ($prefix:literal, $to:ident, $from:ident) => {
        [
            $to(concat!($prefix, "awid"), Width::Fixed(AXI_ID_BITS)),
            $to(concat!($prefix, "awaddr"), Width::Fixed(AXI_ADDR_BITS)),
            $to(concat!($prefix, "awlen"), Width::Fixed(8)),
            $to(concat!($prefix, "awsize"), Width::Fixed(3)),
            $to(concat!($prefix, "awburst"), Width::Fixed(2)),
            $to(concat!($prefix, "awvalid"), Width::Bit),
            $from(concat!($prefix, "awready"), Width::Bit),
            $to(concat!($prefix, "wdata"), Width::Data),
            $to(concat!($prefix, "wstrb"), Width::Strobe),
            $to(concat!($prefix, "wlast"), Width::Bit),
            $to(concat!($prefix, "wvalid"), Width::Bit),
            $from(concat!($prefix, "wready"), Width::Bit),
            $from(concat!($prefix, "bid"), Width::Fixed(AXI_ID_BITS)),
            $from(concat!($prefix, "bresp"), Width::Fixed(2)),
            $from(concat!($prefix, "bvalid"), Width::Bit),
            $to(concat!($prefix, "bready"), Width::Bit),
            $to(concat!($prefix, "arid"), Width::Fixed(AXI_ID_BITS)),
            $to(concat!($prefix, "araddr"), Width::Fixed(AXI_ADDR_BITS)),
            $to(concat!($prefix, "arlen"), Width::Fixed(8)),
            $to(concat!($prefix, "arsize"), Width::Fixed(3)),
            $to(concat!($prefix, "arburst"), Width::Fixed(2)),
            $to(concat!($prefix, "arvalid"), Width::Bit),
            $from(concat!($prefix, "arready"), Width::Bit),
            $from(concat!($prefix, "rid"), Width::Fixed(AXI_ID_BITS)),
            $from(concat!($prefix, "rdata"), Width::Data),
            $from(concat!($prefix, "rresp"), Width::Fixed(2)),
            $from(concat!($prefix, "rlast"), Width::Bit),
            $from(concat!($prefix, "rvalid"), Width::Bit),
            $to(concat!($prefix, "rready"), Width::Bit),
        ]
    };
}

/// The host port of `--host-bus axi4`, in place of `req_*` / `rsp_*`
/// (`frontend/axi4_host.rs`): the controller is the subordinate.
pub const AXI4_HOST_PORTS: [TopPort; 29] = axi4_ports!("s_axi_", input, output);

/// The control and status registers of `--host-bus axi4`, after its host
/// port (`frontend/axil_regs.rs`, `frontend/register_map.rs`).
pub const AXIL_REG_PORTS: [TopPort; 18] = [
    input("s_axil_awaddr", Width::Fixed(REG_ADDR_BITS)),
    input("s_axil_awvalid", Width::Bit),
    output("s_axil_awready", Width::Bit),
    input("s_axil_wdata", Width::Fixed(32)),
    input("s_axil_wstrb", Width::Fixed(4)),
    input("s_axil_wvalid", Width::Bit),
    output("s_axil_wready", Width::Bit),
    output("s_axil_bresp", Width::Fixed(2)),
    output("s_axil_bvalid", Width::Bit),
    input("s_axil_bready", Width::Bit),
    input("s_axil_araddr", Width::Fixed(REG_ADDR_BITS)),
    input("s_axil_arvalid", Width::Bit),
    output("s_axil_arready", Width::Bit),
    output("s_axil_rdata", Width::Fixed(32)),
    output("s_axil_rresp", Width::Fixed(2)),
    output("s_axil_rvalid", Width::Bit),
    input("s_axil_rready", Width::Bit),
    output("irq", Width::Bit),
];

/// The host port of `--host-bus wishbone`, in place of `req_*` / `rsp_*`
/// (`frontend/wishbone_host.rs`).
pub const WISHBONE_HOST_PORTS: [TopPort; 10] = [
    input("s_wb_cyc", Width::Bit),
    input("s_wb_stb", Width::Bit),
    input("s_wb_we", Width::Bit),
    input("s_wb_adr", Width::HostAddress),
    input("s_wb_dat_w", Width::Data),
    input("s_wb_sel", Width::Strobe),
    output("s_wb_stall", Width::Bit),
    output("s_wb_ack", Width::Bit),
    output("s_wb_err", Width::Bit),
    output("s_wb_dat_r", Width::Data),
];

/// The control and status registers of `--host-bus wishbone`, after its
/// host port (`frontend/wishbone_regs.rs`, `frontend/register_map.rs`).
pub const WISHBONE_REG_PORTS: [TopPort; 11] = [
    input("s_wbr_cyc", Width::Bit),
    input("s_wbr_stb", Width::Bit),
    input("s_wbr_we", Width::Bit),
    input("s_wbr_adr", Width::Fixed(REG_ADDR_BITS)),
    input("s_wbr_dat_w", Width::Fixed(32)),
    input("s_wbr_sel", Width::Fixed(4)),
    output("s_wbr_stall", Width::Bit),
    output("s_wbr_ack", Width::Bit),
    output("s_wbr_err", Width::Bit),
    output("s_wbr_dat_r", Width::Fixed(32)),
    output("irq", Width::Bit),
];

/// The NVM port of `--nvm-bus axi4`, in place of `mem_*`
/// (`backend/axi4_nvm.rs`): the controller is the manager. Then
/// `NVM_BUS_ERROR`.
pub const NVM_AXI4_PORTS: [TopPort; 29] = axi4_ports!("m_axi_", output, input);
/// The NVM answered an error, or an answer nothing asked for (sticky).
pub const NVM_BUS_ERROR: TopPort = output("nvm_bus_error", Width::Bit);

/// The native host port's ports in `TOP_PORTS`: `req_valid` ..= `rsp_err`.
const NATIVE_HOST: std::ops::Range<usize> = 2..10;
/// The native NVM port's: `mem_req_valid` ..= `mem_rsp_rdata`.
pub const NATIVE_NVM: std::ops::Range<usize> = 27..34;

/// Every port of `pmsnap_controller` generated for `config`'s host and
/// NVM buses, in declaration order: `TOP_PORTS` with the host port's
/// group and the NVM port's replaced by the buses'.
pub fn top_ports(config: &Config) -> Vec<TopPort> {
    let nvm: Vec<TopPort> = match config.nvm_bus {
        NvmBus::Native => TOP_PORTS[NATIVE_NVM].to_vec(),
        NvmBus::Axi4 => [NVM_AXI4_PORTS.as_slice(), &[NVM_BUS_ERROR]].concat(),
    };
    let mut ports = host_ports(config.host_bus);
    let at = ports.len() - NATIVE_NVM.len();
    ports.splice(at.., nvm);
    ports
}

/// The ports of the controller with `bus` as its host port and the native
/// NVM port: the core a back end is wired to.
pub fn host_ports(bus: HostBus) -> Vec<TopPort> {
    let host: Vec<TopPort> = match bus {
        HostBus::Native => TOP_PORTS[NATIVE_HOST].to_vec(),
        HostBus::Axi4 => [AXI4_HOST_PORTS.as_slice(), &AXIL_REG_PORTS].concat(),
        HostBus::Wishbone => [WISHBONE_HOST_PORTS.as_slice(), &WISHBONE_REG_PORTS].concat(),
    };
    let mut ports = TOP_PORTS.to_vec();
    ports.splice(NATIVE_HOST, host);
    ports
}

/// The port called `name`.
pub fn top_port(name: &str) -> Option<&'static TopPort> {
    TOP_PORTS.iter().find(|p| p.name == name)
}

/// Verilog declarations of the ports as a test bench's wires (outputs) and
/// the instance's port list, for test benches that instantiate the top.
pub fn verilog_wires(word_bits: usize) -> String {
    TOP_PORTS
        .iter()
        .filter(|p| !p.input)
        .map(|p| match p.width.bits(word_bits) {
            1 => format!("    wire {};\n", p.name),
            n => format!("    wire [{}:0] {};\n", n - 1, p.name),
        })
        .collect()
}

/// `.name(name)` for every port.
pub fn verilog_port_map() -> String {
    TOP_PORTS.iter().map(|p| format!(".{0}({0})", p.name)).collect::<Vec<_>>().join(", ")
}

// The NVM port is the last group of `TOP_PORTS`, as `top_ports` assumes.
const _: () = assert!(NATIVE_NVM.end == TOP_PORTS.len());
