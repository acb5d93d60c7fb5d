//! A client no one here wrote: cocotb and cocotbext-axi's AxiMaster (both
//! from PyPI, installed into .venv by scripts/setup.sh) drive the AXI4 host
//! port of the controller generated with `--host-bus axi4`, under Icarus
//! Verilog: writes, reads, bursts, SNAPSHOT, RESTORE, a power loss and
//! RECOVER, refusals (tests/cocotb/test_axi4_host.py) — with the NVM on the
//! native port, and with cocotbext-axi's AxiRam as the NVM behind
//! `--nvm-bus axi4`.

mod common;

use common::pmsnap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// The generated Verilog with every RAM's storage starting at zero.
/// Icarus starts a memory at X where an FPGA's block RAM starts at zero,
/// and RECOVER reads owner notes of frames no page names (stale words it
/// rejects, whatever they hold: the formal proof of RECOVER takes them
/// arbitrary): under Icarus an X there would poison the decision.
fn zero_storage(verilog: &str) -> String {
    let mut out = String::new();
    for line in verilog.lines() {
        out.push_str(line);
        out.push('\n');
        // The controller's memories carry `(* no_rw_check *)` (sync_ram.rs).
        let decl = line.trim().trim_start_matches("(* no_rw_check *) ");
        if let Some(last) = decl.strip_prefix("reg [").and_then(|r| r.split_once("] storage [0:")).and_then(|(_, r)| r.strip_suffix("];")) {
            out.push_str(&format!("initial begin : zero_storage\n    integer i;\n    for (i = 0; i <= {last}; i = i + 1) storage[i] = 0;\nend\n"));
        }
    }
    out
}

#[test]
fn cocotbext_axi_master_drives_the_axi4_host_port() {
    run_cocotb("native");
}

#[test]
fn cocotbext_axi_ram_is_the_nvm_behind_the_axi4_nvm_port() {
    run_cocotb("axi4");
}

/// The cocotb test on the controller with the AXI4 host port and `nvm_bus`.
fn run_cocotb(nvm_bus: &str) {
    let python = repo(".venv/bin/python");
    let has_cocotb = Command::new(&python).args(["-c", "import cocotb, cocotbext.axi"]).output().is_ok_and(|o| o.status.success());
    assert!(has_cocotb, "cocotb and cocotbext-axi are not in .venv: run scripts/setup.sh");
    let dir = tempfile::tempdir().unwrap();
    let out = pmsnap()
        .args(["generate", "--pages", "16", "--page-words", "8", "--frames", "32", "--host-bus", "axi4", "--nvm-bus", nvm_bus, "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "generate: {}", String::from_utf8_lossy(&out.stderr));
    let verilog = std::fs::read_to_string(dir.path().join("pmsnap_controller.v")).unwrap();
    let zeroed = zero_storage(&verilog);
    assert_eq!(zeroed.matches("zero_storage").count(), verilog.matches("] storage [0:").count(), "every RAM zeroed");
    std::fs::write(dir.path().join("zeroed.v"), zeroed).unwrap();
    // rust-hdl's Verilog needs Yosys's `proc` before Icarus runs it
    // (docs/benchmarks.md).
    let out = Command::new("yosys")
        .current_dir(dir.path())
        .args(["-q", "-p", "read_verilog zeroed.v; hierarchy -top pmsnap_controller; proc; opt_clean; write_verilog -noattr processed.v"])
        .output()
        .expect("yosys runs (apt-get install yosys)");
    assert!(out.status.success(), "yosys: {}", String::from_utf8_lossy(&out.stderr));
    let out = Command::new(&python).arg(repo("tests/cocotb/run.py")).arg(dir.path()).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let summary = stdout.lines().find(|l| l.starts_with("cocotb: ")).unwrap_or("no summary");
    assert!(out.status.success(), "cocotb failed ({summary}):\n{}\n{}", stdout, String::from_utf8_lossy(&out.stderr));
    assert_eq!(summary, "cocotb: 1 tests, 0 failed");
    let nvm = if nvm_bus == "axi4" { "AxiNvm" } else { "Nvm" };
    assert!(stdout.contains(&format!("NVM: {nvm}")), "the test ran with the NVM it was meant to:\n{stdout}");
}
