//! The simulators pmsnap's binding is measured against: a plain C++
//! Verilator test bench, Icarus Verilog, and rust-hdl's own simulator, each
//! driven by the same stimulus and reporting the same tally.

use super::CONFIG;
use crate::stimulus::{Inputs, Outputs, Stimulus, Tally, Workload, RESET_CYCLES};
use anyhow::{anyhow, bail, Context, Result};
use pmsnap_hdl::controller::Controller;
use rust_hdl::prelude::*;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Parses `cycles N reads N checksum HEX failed N [seconds S]`.
fn parse_tally(text: &str) -> Result<(Tally, Option<f64>)> {
    let line = text.lines().find(|l| l.starts_with("cycles ")).ok_or_else(|| anyhow!("no result line in:\n{text}"))?;
    let f: Vec<&str> = line.split_whitespace().collect();
    let get = |k: &str| f.iter().position(|x| *x == k).and_then(|i| f.get(i + 1)).copied().ok_or_else(|| anyhow!("no `{k}` in `{line}`"));
    let tally = Tally {
        cycles: get("cycles")?.parse()?,
        reads: get("reads")?.parse()?,
        checksum: u64::from_str_radix(get("checksum")?, 16)?,
        failed_commands: get("failed")?.parse()?,
    };
    Ok((tally, get("seconds").ok().and_then(|s| s.parse().ok())))
}

fn tool(dir: &Path, cmd: &mut Command, what: &str) -> Result<String> {
    let out = cmd.current_dir(dir).output().with_context(|| format!("cannot run {what}"))?;
    if !out.status.success() {
        bail!("{what} failed ({}):\n{}{}", out.status, String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Builds the plain C++ test bench (bench/tb/pmsnap_tb.cpp) with
/// Verilator's own `--exe --build`, at the C++ optimisation pmsnap's model uses.
pub fn build_cpp(dir: &Path, verilog: &str) -> Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    std::fs::write(dir.join("pmsnap_controller.v"), verilog)?;
    std::fs::write(dir.join("pmsnap_tb.cpp"), include_str!("../../tb/pmsnap_tb.cpp"))?;
    std::fs::write(dir.join("codes.h"), crate::stimulus::codes("#define {name} {code}\n"))?;
    tool(
        dir,
        Command::new("verilator").args([
            "--cc",
            "--exe",
            "--build",
            "-O3",
            "--x-assign",
            "fast",
            "--x-initial",
            "fast",
            "--noassert",
            "-Wno-fatal",
            "-Wno-lint",
            "-Wno-style",
            "--top-module",
            "pmsnap_controller",
            "-j",
            "2",
            "-MAKEFLAGS",
            "OPT_FAST=-O2 OPT_SLOW=-O1 OPT_GLOBAL=-O2",
            "-CFLAGS",
            "-O2",
            "-o",
            "pmsnap_tb",
            "pmsnap_controller.v",
            "pmsnap_tb.cpp",
        ]),
        "verilator --exe --build (the C++ test bench)",
    )?;
    Ok(dir.join("obj_dir/pmsnap_tb"))
}

pub fn run_cpp(exe: &Path, w: Workload) -> Result<(Tally, f64)> {
    let dir = exe.parent().unwrap_or(Path::new("."));
    let out = tool(dir, Command::new(exe).args([w.requests, w.snapshot_every, w.seed, w.words, w.nvm_words].map(|v| v.to_string())), "the C++ test bench")?;
    let (tally, secs) = parse_tally(&out)?;
    Ok((tally, secs.ok_or_else(|| anyhow!("the C++ test bench reported no time"))?))
}

/// Icarus Verilog: compiles bench/tb/pmsnap_tb.v with the RTL and runs
/// `vvp`, timed as a whole process (its start-up is small against the run);
/// `None` when it did not finish within `limit`.
///
/// The RTL goes through Yosys `proc` first (same logic, its always blocks
/// turned into processes and assignments): rust-hdl writes each block as
/// one `always @(*)` that assigns defaults and then overrides them, and
/// where two such blocks feed each other their transient values re-trigger
/// one another for ever in Icarus's event scheduling (the run never leaves
/// the first cycles). Verilator, which orders whole blocks, is unaffected.
pub fn run_iverilog(dir: &Path, verilog: &str, w: Workload, limit: Duration) -> Result<Option<(Tally, f64)>> {
    std::fs::create_dir_all(dir)?;
    std::fs::write(dir.join("pmsnap_controller.v"), verilog)?;
    std::fs::write(dir.join("pmsnap_tb.v"), include_str!("../../tb/pmsnap_tb.v"))?;
    std::fs::write(dir.join("codes.vh"), crate::stimulus::codes("    localparam [2:0] {name} = {code};\n"))?;
    std::fs::write(dir.join("ports.vh"), pmsnap_hdl::ports::verilog_wires(32))?;
    std::fs::write(dir.join("port_map.vh"), pmsnap_hdl::ports::verilog_port_map())?;
    tool(
        dir,
        Command::new("yosys").args([
            "-q",
            "-p",
            "read_verilog pmsnap_controller.v; hierarchy -top pmsnap_controller; proc; opt_clean; write_verilog -noattr processed.v",
        ]),
        "yosys (apt-get install yosys)",
    )?;
    tool(
        dir,
        Command::new("iverilog").args(["-g2012", &format!("-Ptb.NVM_WORDS={}", w.nvm_words), "-o", "tb.vvp", "pmsnap_tb.v", "processed.v"]),
        "iverilog (apt-get install iverilog)",
    )?;
    let start = Instant::now();
    let mut child = Command::new("vvp")
        .current_dir(dir)
        .args([
            "-n",
            "tb.vvp",
            &format!("+requests={}", w.requests),
            &format!("+every={}", w.snapshot_every),
            &format!("+seed={}", w.seed),
            &format!("+words={}", w.words),
        ])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .context("cannot run vvp")?;
    loop {
        if let Some(status) = child.try_wait()? {
            let secs = start.elapsed().as_secs_f64();
            let mut text = String::new();
            std::io::Read::read_to_string(child.stdout.as_mut().context("no vvp output")?, &mut text)?;
            if !status.success() {
                bail!("vvp failed ({status}):\n{text}");
            }
            return Ok(Some((parse_tally(&text)?.0, secs)));
        }
        if start.elapsed() > limit {
            child.kill().ok();
            child.wait().ok();
            return Ok(None);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// rust-hdl's own event-driven simulator on the same design (the
/// `Controller` block itself, before Verilog), with the stimulus in a
/// test bench thread as rust-hdl's documentation does it.
pub fn run_rust_hdl(w: Workload) -> Result<(Tally, f64)> {
    let result: Arc<Mutex<Option<Tally>>> = Arc::new(Mutex::new(None));
    let sink = result.clone();
    let mut sim = Simulation::new();
    sim.add_clock(5, |x: &mut Box<Controller<32>>| x.clock.next = !x.clock.val());
    sim.add_testbench(move |mut sim: Sim<Controller<32>>| {
        let mut x = sim.init()?;
        let mut s = Stimulus::new(w);
        x.mem_req_ready.next = true;
        x.reset.next = true;
        wait_clock_cycles!(sim, clock, x, RESET_CYCLES);
        x.reset.next = false;
        while !s.done() {
            let i: Inputs = s.inputs();
            x.req_valid.next = i.req_valid;
            x.req_write.next = i.req_write;
            x.req_addr.next = i.req_addr.into();
            x.req_wdata.next = i.req_wdata.into();
            x.cmd_valid.next = i.cmd_valid;
            x.cmd_op.next = i.cmd_op.into();
            x.flush_ack.next = i.flush_ack;
            x.mem_rsp_valid.next = i.mem_rsp_valid;
            x.mem_rsp_rdata.next = i.mem_rsp_rdata.into();
            x = sim.wait(1, x)?;
            let o = Outputs {
                req_ready: x.req_ready.val(),
                rsp_valid: x.rsp_valid.val(),
                rsp_rdata: x.rsp_rdata.val().index() as u64,
                cmd_ready: x.cmd_ready.val(),
                cmd_done: x.cmd_done.val(),
                cmd_status: x.cmd_status.val().index() as u64,
                flush_req: x.flush_req.val(),
                mem_req_valid: x.mem_req_valid.val(),
                mem_req_write: x.mem_req_write.val(),
                mem_req_addr: x.mem_req_addr.val().index() as u64,
                mem_req_wdata: x.mem_req_wdata.val().index() as u64,
            };
            s.observe(&i, &o);
            wait_clock_true!(sim, clock, x);
            wait_clock_false!(sim, clock, x);
        }
        *sink.lock().unwrap_or_else(|e| e.into_inner()) = Some(s.tally());
        sim.done(x)
    });
    let mut uut = Controller::<32>::new(&CONFIG);
    uut.connect_all();
    let start = Instant::now();
    sim.run(Box::new(uut), u64::MAX / 4).map_err(|e| anyhow!("rust-hdl simulation failed: {e:?}"))?;
    let secs = start.elapsed().as_secs_f64();
    let tally = result.lock().unwrap_or_else(|e| e.into_inner()).take().ok_or_else(|| anyhow!("rust-hdl test bench did not finish"))?;
    Ok((tally, secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn result_lines_parse() {
        let (t, s) = parse_tally("noise\ncycles 12 reads 3 checksum 00000000000000ff failed 0 seconds 0.5\n").unwrap();
        assert_eq!(t, Tally { cycles: 12, reads: 3, checksum: 255, failed_commands: 0 });
        assert_eq!(s, Some(0.5));
        assert!(parse_tally("nothing").is_err());
    }
}
