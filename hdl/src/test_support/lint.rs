//! Test-only: every block's Verilog, alone, must pass Verilator's `-Wall`
//! lint (with the project's waivers) and synthesize in Yosys without
//! latches, so a block is known sound before the controller uses it.

use rust_hdl::prelude::*;
use std::process::Command;

/// Lints and synthesizes `block` (its top module is rust-hdl's `top`).
pub fn check_block<B: Block>(name: &str, mut block: B) {
    block.connect_all();
    let verilog = generate_verilog(&block).replace('$', "__");
    let dir = std::env::temp_dir().join(format!("pmsnap-block-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("verilator.vlt"), crate::verilog::LINT_WAIVERS).unwrap();
    std::fs::write(dir.join("top.v"), &verilog).unwrap();
    let out = Command::new("verilator")
        .current_dir(&dir)
        .args(["--lint-only", "-Wall", "verilator.vlt", "top.v"])
        .output()
        .expect("verilator runs (apt-get install verilator)");
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && !text.contains("%Warning"), "{name}: verilator -Wall:\n{text}");
    let out = Command::new("yosys")
        .current_dir(&dir)
        .args(["-q", "-p", "read_verilog top.v; synth -top top; check -assert; select -assert-none t:$dlatch t:$_DLATCH_*"])
        .output()
        .expect("yosys runs (apt-get install yosys)");
    assert!(out.status.success(), "{name}: yosys synth:\n{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    std::fs::remove_dir_all(&dir).ok();
}
