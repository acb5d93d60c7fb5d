//! The FPGA flow from Verilog to bitstream for both boards, timed at the
//! board clock, and the resource / Fmax report.

mod common;

use common::pmsnap;
use pmsnap_hdl::board::catalog;

#[test]
fn ice40_bitstream_meets_the_board_clock() {
    let dir = tempfile::tempdir().unwrap();
    let out = pmsnap().args(["bitstream", "--board", "ice40-hx8k", "--out"]).arg(dir.path()).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("at a 12 MHz clock: timing met"), "{text}");
    // An iCE40-HX8K image is always this size.
    let bin = std::fs::metadata(dir.path().join("pmsnap_board.bin")).unwrap();
    assert_eq!(bin.len(), 135_100);
    // The same placement aimed at an impossible clock is refused.
    let b = catalog::find("ice40-hx8k").unwrap();
    let tools = pmsnap_flow::Toolchain::find(b.family).unwrap();
    let err = pmsnap_flow::run::place(&tools, dir.path(), b, 400.0, 1, false).unwrap_err();
    assert!(format!("{err:#}").contains("timing not met"), "{err:#}");
}

#[test]
fn ecp5_bitstream_meets_the_board_clock() {
    let dir = tempfile::tempdir().unwrap();
    let out = pmsnap().args(["bitstream", "--board", "ulx3s", "--out"]).arg(dir.path()).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("at a 25 MHz clock: timing met"), "{text}");
    let bit = std::fs::read(dir.path().join("pmsnap_board.bit")).unwrap();
    assert!(bit.len() > 100_000, "an ECP5-85F bitstream ({} bytes)", bit.len());
}

#[test]
fn report_compares_controller_with_pass_through() {
    let dir = tempfile::tempdir().unwrap();
    let out = pmsnap().args(["synth", "--board", "ice40-hx8k", "--seeds", "1", "--out"]).arg(dir.path()).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}\n{}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir.path().join("synth-ice40-hx8k-k1.json")).unwrap()).unwrap();
    let rows = json["rows"].as_array().unwrap();
    let row = |name: &str| rows.iter().find(|r| r["design"] == name).unwrap_or_else(|| panic!("row {name}"));
    let (c, p, t) = (row("controller (IO ring)"), row("pass-through (IO ring)"), row("board top"));
    // The mechanism costs logic and the tables' block RAM; the board top adds the NVM's.
    assert!(c["logic_cells"].as_u64() > p["logic_cells"].as_u64());
    assert_eq!(p["block_rams"], 0);
    assert!(c["block_rams"].as_u64().unwrap() > 0 && t["block_rams"].as_u64() > c["block_rams"].as_u64());
    for r in [c, p, t] {
        assert!(r["fmax_mhz_best"].as_f64().unwrap() > 12.0, "{r}");
    }
    assert!(text.contains("Mechanism cost (controller / pass-through)"), "{text}");
    assert!(std::fs::read_to_string(dir.path().join("synth-ice40-hx8k-k1.md")).unwrap().contains("| board top |"));
}

#[test]
fn missing_tool_names_its_package() {
    let out = pmsnap().args(["bitstream", "--board", "ice40-hx8k", "--out", "/tmp/never"]).env("PATH", "/nonexistent").output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("`yosys` not found") && err.contains("the Debian package yosys"), "{err}");
}
