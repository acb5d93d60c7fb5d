//! The emitted Verilog: committed copy fresh, top-module interface, lint
//! clean under Verilator -Wall, synthesizable by Yosys for iCE40 without
//! latches.

mod common;

use common::config;
use pmsnap_cosim::verilator::parse_ports;
use pmsnap_hdl::ports::{top_ports, TOP_PORTS};
use pmsnap_hdl::{generate, generate_passthrough, Config, HostBus, NvmBus};
use std::path::Path;
use std::process::Command;

fn repo(path: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

#[test]
fn rtl_out_matches_the_generator() {
    let g = generate(&Config::default()).unwrap();
    let committed = std::fs::read_to_string(repo("rtl-out/pmsnap_controller.v")).expect("rtl-out/pmsnap_controller.v exists");
    assert!(committed == g.verilog, "rtl-out/pmsnap_controller.v is stale: run `make verilog`");
    let waivers = std::fs::read_to_string(repo("rtl-out/verilator.vlt")).expect("rtl-out/verilator.vlt exists");
    assert!(waivers == pmsnap_hdl::verilog::LINT_WAIVERS, "rtl-out/verilator.vlt is stale: run `make verilog`");
}

#[test]
fn rtl_out_board_tops_match_the_generator_and_lint_clean() {
    for b in &pmsnap_hdl::board::BOARDS {
        let g = pmsnap_hdl::generate_board(b).unwrap();
        let dir = repo(&format!("rtl-out/{}", b.name));
        let committed = std::fs::read_to_string(dir.join("pmsnap_board.v")).unwrap_or_default();
        assert!(committed == g.verilog, "rtl-out/{}/pmsnap_board.v is stale: run `make verilog`", b.name);
        let waivers = std::fs::read_to_string(dir.join("verilator.vlt")).unwrap_or_default();
        assert!(waivers == g.waivers, "rtl-out/{}/verilator.vlt is stale: run `make verilog`", b.name);
        let ports = parse_ports(&g.verilog, g.top).unwrap();
        let names: Vec<(&str, u32, bool)> = ports.iter().map(|p| (p.name.as_str(), p.bits, p.input)).collect();
        assert_eq!(names, [("clock", 1, true), ("uart_rx", 1, true), ("uart_tx", 1, false), ("leds", 8, false)], "the ports the constraints name");
        let out = Command::new("verilator")
            .current_dir(&dir)
            .args(["--lint-only", "-Wall", "verilator.vlt", "pmsnap_board.v"])
            .output()
            .expect("verilator runs (apt-get install verilator)");
        let text = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success() && !text.contains("%Warning"), "lint of the {} board top:\n{text}", b.name);
    }
}

#[test]
fn constraints_name_every_board_port() {
    for (file, pins) in [
        ("constraints/ice40-hx8k.pcf", ["set_io clock J3", "set_io uart_rx B10", "set_io uart_tx B12", "set_io leds[7] C3"]),
        (
            "constraints/ulx3s.lpf",
            [
                "LOCATE COMP \"clock\" SITE \"G2\"",
                "LOCATE COMP \"uart_rx\" SITE \"M1\"",
                "LOCATE COMP \"uart_tx\" SITE \"L4\"",
                "LOCATE COMP \"leds[7]\" SITE \"H3\"",
            ],
        ),
    ] {
        let text = std::fs::read_to_string(repo(file)).unwrap();
        for p in pins {
            assert!(text.contains(p), "{file}: {p}");
        }
        let leds = text.lines().filter(|l| l.contains("leds[") && !l.trim_start().starts_with('#') && !l.starts_with("IOBUF")).count();
        assert_eq!(leds, 8, "{file}: eight LEDs");
    }
}

#[test]
fn top_module_has_the_spec_ports_with_widths_from_the_sizing() {
    // The controller and the pass-through alike: ports::TOP_PORTS.
    for (c, dw, pass_through) in [(Config::default(), 32, false), (config(4, 4, 5, 64), 64, false), (config(8, 4, 16, 32), 32, true)] {
        let g = if pass_through { generate_passthrough(&c).unwrap() } else { generate(&c).unwrap() };
        assert_eq!(g.top, "pmsnap_controller");
        assert!(!g.verilog.contains("module top"), "no module keeps rust-hdl's name `top`");
        assert!(!g.verilog.contains('$'), "no `$` left in names");
        let ports = parse_ports(&g.verilog, g.top).unwrap();
        assert_eq!(ports.len(), TOP_PORTS.len(), "no extra ports");
        for (got, want) in ports.iter().zip(&TOP_PORTS) {
            let got = (got.name.as_str(), got.input, got.bits as usize);
            assert_eq!(got, (want.name, want.input, want.width.bits(dw)), "the ports of contract §3, in order");
        }
        // Sizing enters as constants and memory depths.
        let depth = format!("storage [0:{}]", c.frames - 1);
        assert_eq!(g.verilog.contains(&depth), !pass_through, "free-frame ring of depth F");
    }
}

#[test]
fn the_bus_tops_have_their_host_port_in_place_of_the_native_one() {
    let bus = |host_bus, c: Config| Config { host_bus, ..c };
    let nvm = |c: Config| Config { nvm_bus: NvmBus::Axi4, ..c };
    for (c, dw) in [
        (bus(HostBus::Axi4, Config::default()), 32),
        (bus(HostBus::Axi4, Config { lookup_latency: 2, ..config(4, 4, 5, 64) }), 64),
        (bus(HostBus::Wishbone, Config::default()), 32),
        (bus(HostBus::Wishbone, Config { lookup_latency: 2, ..config(4, 4, 5, 64) }), 64),
        (nvm(bus(HostBus::Native, Config::default())), 32),
        (nvm(bus(HostBus::Axi4, Config { lookup_latency: 2, ..config(4, 4, 5, 64) })), 64),
        (nvm(bus(HostBus::Wishbone, Config::default())), 32),
    ] {
        let g = generate(&c).unwrap();
        assert_eq!(g.top, "pmsnap_controller");
        let ports = parse_ports(&g.verilog, g.top).unwrap();
        let want = top_ports(&c);
        assert_eq!(ports.len(), want.len(), "no extra ports");
        for (got, want) in ports.iter().zip(&want) {
            let got = (got.name.as_str(), got.input, got.bits as usize);
            assert_eq!(got, (want.name, want.input, want.width.bits(dw)), "the ports of the {} top, in order", c.tag());
        }
        if c.host_bus != HostBus::Native {
            assert!(ports.iter().all(|p| !p.name.starts_with("req_") && !p.name.starts_with("rsp_")), "no native host port beside the bus");
            let strobe = if c.host_bus == HostBus::Axi4 { "s_axi_wstrb" } else { "s_wb_sel" };
            assert_eq!(ports.iter().find(|p| p.name == strobe).map(|p| p.bits), Some(dw as u32 / 8));
        }
        if c.nvm_bus == NvmBus::Axi4 {
            assert!(ports.iter().all(|p| !p.name.starts_with("mem_")), "no native NVM port beside the bus");
            assert_eq!(ports.iter().find(|p| p.name == "m_axi_wstrb").map(|p| p.bits), Some(dw as u32 / 8));
        }
        lint(&c);
    }
}

fn lint(c: &Config) {
    let dir = tempfile::tempdir().unwrap();
    let g = generate(c).unwrap();
    std::fs::write(dir.path().join("pmsnap_controller.v"), &g.verilog).unwrap();
    std::fs::write(dir.path().join("verilator.vlt"), pmsnap_hdl::verilog::LINT_WAIVERS).unwrap();
    let out = Command::new("verilator")
        .current_dir(dir.path())
        .args(["--lint-only", "-Wall", "verilator.vlt", "pmsnap_controller.v"])
        .output()
        .expect("verilator runs (apt-get install verilator)");
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && !text.contains("%Warning"), "lint of {}:\n{text}", c.tag());
}

/// Verilator orders the controller's logic in one pass: no loop between
/// processes (UNOPTFLAT) and no clock driven from inside a process, either
/// of which it re-evaluates on every edge — 40 % of co-simulation speed
/// when the sequencer's blocks had both. `--lint-only` does not order the
/// logic, so this Verilates (without compiling the C++).
#[test]
fn verilator_orders_the_controller_in_one_pass() {
    for c in [
        Config::default(),
        Config { lookup_latency: 2, ..config(4, 4, 5, 32) },
        Config { host_bus: HostBus::Axi4, ..config(4, 4, 5, 32) },
        Config { host_bus: HostBus::Wishbone, ..config(4, 4, 5, 32) },
        Config { host_bus: HostBus::Axi4, nvm_bus: NvmBus::Axi4, ..config(4, 4, 5, 32) },
    ] {
        let dir = tempfile::tempdir().unwrap();
        let g = generate(&c).unwrap();
        let in_process = g.verilog.lines().filter(|l| l.starts_with("        ") && l.ends_with("__clock = clock;")).count();
        assert_eq!(in_process, 0, "{}: clocks assigned inside a process", c.tag());
        std::fs::write(dir.path().join("pmsnap_controller.v"), &g.verilog).unwrap();
        std::fs::write(dir.path().join("verilator.vlt"), pmsnap_hdl::verilog::LINT_WAIVERS).unwrap();
        let out = Command::new("verilator")
            .current_dir(dir.path())
            .args(["--cc", "-Wall", "--Mdir", "obj", "verilator.vlt", "pmsnap_controller.v"])
            .output()
            .expect("verilator runs (apt-get install verilator)");
        let text = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success() && !text.contains("%Warning"), "Verilating {}:\n{text}", c.tag());
    }
}

#[test]
fn verilator_lint_wall_is_clean_at_three_sizings_and_both_lookup_latencies() {
    for c in [Config::default(), config(4, 4, 5, 32), Config { lookup_latency: 2, ..config(65536, 1024, 131072, 64) }] {
        lint(&c);
    }
}

#[test]
fn yosys_synthesizes_for_ice40_without_latches() {
    let dir = tempfile::tempdir().unwrap();
    let c = config(64, 16, 100, 32);
    let g = generate(&c).unwrap();
    std::fs::write(dir.path().join("top.v"), &g.verilog).unwrap();
    let out = Command::new("yosys")
        .current_dir(dir.path())
        .args(["-p", "read_verilog top.v; synth_ice40 -top pmsnap_controller; check -assert; stat"])
        .output()
        .expect("yosys runs (apt-get install yosys)");
    let log = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "yosys failed:\n{}", String::from_utf8_lossy(&out.stderr));
    for line in log.lines() {
        let l = line.trim_start();
        assert!(!l.starts_with("Latch inferred"), "latch: {l}");
        assert!(!l.contains("DLATCH") || l.starts_with("Generating RTLIL") || l.contains("Executing"), "latch cell: {l}");
        assert!(!l.starts_with("ERROR"), "{l}");
    }
    let stats = &log[log.rfind("Printing statistics").expect("stat ran")..];
    assert!(stats.contains("SB_RAM40_4K"), "tables map to iCE40 block RAM");
    assert!(!stats.contains("$_DLATCH"), "no latch cells");
}
