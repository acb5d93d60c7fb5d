//! Suite 1: simulation speed. The same generated RTL and the same workload
//! ([`stimulus`](crate::stimulus)) under pmsnap's Rust-driven Verilator
//! binding, a plain C++ Verilator test bench, Icarus Verilog, rust-hdl's
//! own simulator, and with VCD tracing on. Every simulator must report the
//! same checksum of read data (and, cycle-accurate ones, the same cycle
//! count), or the suite fails.

use crate::stimulus::{Inputs, Outputs, Stimulus, Tally, Workload, RESET_CYCLES};
use crate::{BenchOptions, Table};
use anyhow::{anyhow, bail, Context, Result};
use pmsnap_cosim::harness::CosimOptions;
use pmsnap_cosim::trace::{Op, TraceOp};
use pmsnap_cosim::verilator::{self, Model, Port};
use pmsnap_cosim::Cosim;
use pmsnap_hdl::controller::Controller;
use pmsnap_hdl::Config;
use rust_hdl::prelude::*;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The spec's default sizing, with F = 3L so no write is refused.
pub const CONFIG: Config = Config { pages: 256, page_words: 64, frames: 768, word_bits: 32 };

/// One simulator's result on one workload.
#[derive(Clone, Debug)]
pub struct Measured {
    pub tally: Tally,
    /// Seconds of each run's simulation loop (build and load excluded).
    pub seconds: Vec<f64>,
}

impl Measured {
    pub fn median(&self) -> f64 {
        let mut s = self.seconds.clone();
        s.sort_by(f64::total_cmp);
        s[s.len() / 2]
    }

    pub fn rate(&self) -> f64 {
        self.tally.cycles as f64 / self.median()
    }
}

fn workload(requests: u64, snapshot_every: u64) -> Workload {
    Workload { requests, snapshot_every, seed: 1, words: CONFIG.logical_words(), nvm_words: CONFIG.layout().total_words() }
}

struct Pins {
    clock: Port,
    reset: Port,
    inputs: [Port; 10],
    outputs: [Port; 11],
}

fn pins(m: &Model) -> Result<Pins> {
    let p = |n: &str| m.port(n);
    Ok(Pins {
        clock: p("clock")?,
        reset: p("reset")?,
        inputs: [
            p("req_valid")?,
            p("req_write")?,
            p("req_addr")?,
            p("req_wdata")?,
            p("cmd_valid")?,
            p("cmd_op")?,
            p("flush_ack")?,
            p("mem_rsp_valid")?,
            p("mem_rsp_rdata")?,
            p("mem_req_ready")?,
        ],
        outputs: [
            p("req_ready")?,
            p("rsp_valid")?,
            p("rsp_rdata")?,
            p("cmd_ready")?,
            p("cmd_done")?,
            p("cmd_status")?,
            p("flush_req")?,
            p("mem_req_valid")?,
            p("mem_req_write")?,
            p("mem_req_addr")?,
            p("mem_req_wdata")?,
        ],
    })
}

/// pmsnap's binding driving the Verilated model from Rust; with `vcd`,
/// tracing every cycle into that file.
pub fn run_binding(build: &verilator::Build, w: Workload, vcd: Option<&Path>) -> Result<(Tally, f64)> {
    let mut m = Model::load(build)?;
    if let Some(path) = vcd {
        m.trace_open(path)?;
    }
    let p = pins(&m)?;
    let mut s = Stimulus::new(w);
    p.inputs[9].set(1);
    p.reset.set(1);
    for _ in 0..RESET_CYCLES {
        p.clock.set(0);
        m.eval();
        p.clock.set(1);
        m.eval();
    }
    p.reset.set(0);
    let start = Instant::now();
    let mut t = 0;
    while !s.done() {
        let i = s.inputs();
        for (port, v) in p.inputs.iter().zip([
            i.req_valid as u64,
            i.req_write as u64,
            i.req_addr,
            i.req_wdata,
            i.cmd_valid as u64,
            i.cmd_op,
            i.flush_ack as u64,
            i.mem_rsp_valid as u64,
            i.mem_rsp_rdata,
        ]) {
            port.set(v);
        }
        p.clock.set(0);
        m.eval();
        m.trace_dump(t * 10);
        let g = |k: usize| p.outputs[k].get();
        let o = Outputs {
            req_ready: g(0) == 1,
            rsp_valid: g(1) == 1,
            rsp_rdata: g(2),
            cmd_ready: g(3) == 1,
            cmd_done: g(4) == 1,
            cmd_status: g(5),
            flush_req: g(6) == 1,
            mem_req_valid: g(7) == 1,
            mem_req_write: g(8) == 1,
            mem_req_addr: g(9),
            mem_req_wdata: g(10),
        };
        s.observe(&i, &o);
        p.clock.set(1);
        m.eval();
        m.trace_dump(t * 10 + 5);
        t += 1;
    }
    let secs = start.elapsed().as_secs_f64();
    m.trace_close();
    Ok((s.tally(), secs))
}

/// The workload as a trace, run by pmsnap's full co-simulation harness
/// (host model, reference model and every check); its checksum is over the
/// same reads (its cycles differ: it also runs RECOVER before FORMAT).
pub fn run_harness(opts: &BenchOptions, w: Workload) -> Result<(Tally, f64)> {
    let mut ops = Vec::new();
    let mut x = w.seed;
    for i in 1..=w.requests {
        x = crate::stimulus::lcg(x);
        let (write, addr, data) = crate::stimulus::request(x, w.words);
        let op = if write { Op::Write { addr, data } } else { Op::Read { addr } };
        ops.push(TraceOp { op, line: 0 });
        if i % w.snapshot_every == 0 && i != w.requests {
            ops.push(TraceOp { op: Op::Snapshot, line: 0 });
        }
    }
    let mut o = CosimOptions::new(CONFIG);
    o.cache_lines = 0;
    o.cache_dir = opts.cache_dir.clone();
    let out = Cosim::new(o, &ops)?.run()?;
    if let Some(m) = &out.mismatch {
        bail!("harness check failed at cycle {}: {}", m.cycle, m.message);
    }
    let mut checksum = crate::stimulus::FNV_OFFSET;
    for r in &out.reads {
        checksum = crate::stimulus::checksum_step(checksum, r.ok_or_else(|| anyhow!("a read was answered with an error"))?);
    }
    Ok((Tally { cycles: out.stats.cycles, reads: out.reads.len() as u64, checksum, failed_commands: 0 }, out.stats.wall.as_secs_f64()))
}

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
    std::fs::write(dir.join("pmsnap_tb.cpp"), include_str!("../tb/pmsnap_tb.cpp"))?;
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
    std::fs::write(dir.join("pmsnap_tb.v"), include_str!("../tb/pmsnap_tb.v"))?;
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

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Runs of one simulator: every run must give the same tally.
fn collect(runs: &[(Tally, f64)]) -> Result<Measured> {
    let first = runs.first().ok_or_else(|| anyhow!("no runs"))?.0;
    if let Some((t, _)) = runs.iter().find(|(t, _)| *t != first) {
        return Err(Disagreement(format!("two runs of the same simulator disagree: {first:?} and {t:?}")).into());
    }
    Ok(Measured { tally: first, seconds: runs.iter().map(|r| r.1).collect() })
}

/// Runs `f` `runs` times.
fn repeat(runs: usize, mut f: impl FnMut() -> Result<(Tally, f64)>) -> Result<Measured> {
    collect(&(0..runs).map(|_| f()).collect::<Result<Vec<_>>>()?)
}

/// Two simulators of the same RTL and workload disagree: the bench fails.
#[derive(Debug)]
pub struct Disagreement(pub String);

impl std::fmt::Display for Disagreement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Disagreement {}

fn agree(what: &str, a: &Tally, b: &Tally, cycles_too: bool) -> Result<()> {
    if a.checksum != b.checksum || a.reads != b.reads || (cycles_too && a.cycles != b.cycles) || b.failed_commands != 0 {
        return Err(Disagreement(format!("{what} disagrees with pmsnap's binding: {b:?} against {a:?}")).into());
    }
    Ok(())
}

pub fn run_suite(opts: &BenchOptions, progress: &mut dyn FnMut(&str)) -> Result<Table> {
    let (big, small, runs) = if opts.quick { (workload(20_000, 1000), workload(200, 50), 3) } else { (workload(400_000, 1000), workload(2_000, 500), 5) };
    let g = pmsnap_hdl::generate(&CONFIG)?;
    progress("speed: building the models");
    let build = verilator::build(&g.verilog, g.top, &opts.cache_dir, false).context("cannot Verilate the controller")?;
    let traced = verilator::build(&g.verilog, g.top, &opts.cache_dir, true).context("cannot Verilate the controller with VCD support")?;
    // Absolute: the test benches run inside their own folders.
    let work = std::path::absolute(opts.out.join("speed-work")).context("cannot resolve the output folder")?;
    let cpp = build_cpp(&work.join("cpp"), &g.verilog)?;

    // Pair by pair: binding, C++, binding, C++, …
    progress("speed: pmsnap binding and the C++ test bench, alternately");
    let mut binding = Vec::new();
    let mut plain = Vec::new();
    for _ in 0..runs {
        binding.push(run_binding(&build, big, None)?);
        plain.push(run_cpp(&cpp, big)?);
    }
    let rust_big = collect(&binding)?;
    let cpp_big = collect(&plain)?;
    agree("the C++ test bench", &rust_big.tally, &cpp_big.tally, true)?;
    // Rates of the same cycles: binding ÷ C++ = C++ seconds ÷ binding seconds.
    let cpp_ratio = median(binding.iter().zip(&plain).map(|(r, c)| c.1 / r.1).collect());

    progress("speed: pmsnap cosim with every check");
    let harness = repeat(runs.min(3), || run_harness(opts, big))?;
    agree("pmsnap cosim (checked)", &rust_big.tally, &harness.tally, false)?;

    progress("speed: the small workload, for the slow simulators and VCD");
    let rust_small = repeat(runs, || run_binding(&build, small, None))?;
    let vcd_file = work.join("speed.vcd");
    let vcd = repeat(runs.min(3), || run_binding(&traced, small, Some(&vcd_file)))?;
    agree("VCD to a file", &rust_small.tally, &vcd.tally, true)?;
    let vcd_bytes = std::fs::metadata(&vcd_file).map(|m| m.len()).unwrap_or(0);
    std::fs::remove_file(&vcd_file).ok();
    let vcd_null = repeat(runs.min(3), || run_binding(&traced, small, Some(Path::new("/dev/null"))))?;
    agree("VCD to /dev/null", &rust_small.tally, &vcd_null.tally, true)?;

    progress("speed: rust-hdl's simulator");
    let rust_hdl = repeat(1, || run_rust_hdl(small))?;
    agree("rust-hdl's simulator", &rust_small.tally, &rust_hdl.tally, true)?;

    progress("speed: Icarus Verilog");
    let limit = Duration::from_secs(if opts.quick { 20 } else { 120 });
    let icarus = run_iverilog(&work.join("iverilog"), &g.verilog, small, limit)?;
    if let Some((t, _)) = &icarus {
        agree("Icarus Verilog", &rust_small.tally, t, true)?;
    }

    let mut t = Table::new(
        "Simulation speed: the same RTL and workload",
        &["simulator", "workload", "cycles", "checksum", "median s (runs)", "cycles / s", "pmsnap binding ÷ this", "spec §7 target"],
    );
    let row = |t: &mut Table, name: &str, wl: &str, m: &Measured, ratio: String, target: &str| {
        t.push(vec![
            name.into(),
            wl.into(),
            m.tally.cycles.to_string(),
            format!("{:016x}", m.tally.checksum),
            format!("{:.3} ({})", m.median(), m.seconds.len()),
            format!("{:.2e}", m.rate()),
            ratio,
            target.into(),
        ]);
    };
    let big_name = format!("{} requests", big.requests);
    let small_name = format!("{} requests", small.requests);
    row(&mut t, "pmsnap binding (Rust drives the Verilated model)", &big_name, &rust_big, "1".into(), "—");
    row(&mut t, "plain C++ Verilator test bench", &big_name, &cpp_big, format!("{cpp_ratio:.2}"), "≥ 0.9");
    row(&mut t, "pmsnap cosim, every check on", &big_name, &harness, format!("{:.2}", harness.rate() / rust_big.rate()), "—");
    row(&mut t, "pmsnap binding", &small_name, &rust_small, "1".into(), "—");
    row(&mut t, "pmsnap binding, VCD to a file", &small_name, &vcd, format!("{:.2}", vcd.rate() / rust_small.rate()), "—");
    row(&mut t, "pmsnap binding, VCD to /dev/null", &small_name, &vcd_null, format!("{:.2}", vcd_null.rate() / rust_small.rate()), "—");
    row(&mut t, "rust-hdl simulator", &small_name, &rust_hdl, format!("{:.0}", rust_small.rate() / rust_hdl.rate()), "≥ 1000");
    match &icarus {
        Some((tally, secs)) => {
            let m = Measured { tally: *tally, seconds: vec![*secs] };
            row(&mut t, "Icarus Verilog (vvp)", &small_name, &m, format!("{:.0}", rust_small.rate() / m.rate()), "≥ 200");
        }
        None => t.push(vec![
            "Icarus Verilog (vvp)".into(),
            small_name.clone(),
            "—".into(),
            "—".into(),
            format!("> {} (stopped)", limit.as_secs()),
            "—".into(),
            "—".into(),
            "≥ 200".into(),
        ]),
    }
    t.note = format!(
        "Sizing {} (F = 3L). Workload: a request offered every cycle (random address, half writes), a SNAPSHOT every {} \
         requests ({} for the small workload), zero-wait NVM; every simulator reports the same checksum of read data (the \
         cycle-accurate ones the same cycle count), or the suite fails. Times are the simulation loop's (model build and load \
         excluded; Icarus: the whole `vvp` process, on the RTL after Yosys `proc`, see run_iverilog), medians of the runs shown; \"÷\" is the ratio of simulated cycles per \
         second, for the C++ bench the median of run-by-run pair ratios. The VCD written to a file was {:.1} MB. \
         The checked harness also runs RECOVER before FORMAT, hence its own cycle count.",
        CONFIG.tag(),
        big.snapshot_every,
        small.snapshot_every,
        vcd_bytes as f64 / 1e6
    );
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disagreement_is_an_error_of_its_own() {
        let a = Tally { cycles: 10, reads: 2, checksum: 7, failed_commands: 0 };
        assert!(agree("x", &a, &a, true).is_ok());
        assert!(agree("x", &a, &Tally { cycles: 11, ..a }, false).is_ok(), "cycles compared only when asked");
        for b in [Tally { cycles: 11, ..a }, Tally { checksum: 8, ..a }, Tally { failed_commands: 1, ..a }] {
            assert!(agree("x", &a, &b, true).unwrap_err().is::<Disagreement>());
        }
        assert!(collect(&[(a, 1.0), (Tally { checksum: 9, ..a }, 1.0)]).unwrap_err().is::<Disagreement>());
    }

    #[test]
    fn result_lines_parse() {
        let (t, s) = parse_tally("noise\ncycles 12 reads 3 checksum 00000000000000ff failed 0 seconds 0.5\n").unwrap();
        assert_eq!(t, Tally { cycles: 12, reads: 3, checksum: 255, failed_commands: 0 });
        assert_eq!(s, Some(0.5));
        assert!(parse_tally("nothing").is_err());
    }
}
