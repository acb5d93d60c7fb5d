//! Suite 1: simulation speed. The same generated RTL and the same workload
//! ([`stimulus`](crate::stimulus)) under pmsnap's Rust-driven Verilator
//! binding, a plain C++ Verilator test bench, Icarus Verilog, rust-hdl's
//! own simulator, and with VCD tracing on. Every simulator must report the
//! same checksum of read data (and, cycle-accurate ones, the same cycle
//! count), or the suite fails.

use crate::stimulus::{Outputs, Stimulus, Tally, Workload, RESET_CYCLES};
use crate::{BenchOptions, Table};

mod others;
use anyhow::{anyhow, bail, Context, Result};
pub use others::{build_cpp, run_cpp, run_iverilog, run_rust_hdl};
use pmsnap_cosim::clocked::{Clocked, Waveform, COSIM_PERIOD_PS};
use pmsnap_cosim::harness::CosimOptions;
use pmsnap_cosim::trace::{Op, TraceOp};
use pmsnap_cosim::verilator::WaveFormat;
use pmsnap_cosim::verilator::{self, Model, Port};
use pmsnap_cosim::Cosim;
use pmsnap_hdl::Config;
use std::path::Path;
use std::time::{Duration, Instant};

/// The spec's default sizing, with F = 3L so no write is refused.
pub const CONFIG: Config = Config::sized(256, 64, 768, 32);

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
    reset: Port,
    inputs: [Port; 10],
    outputs: [Port; 11],
}

fn pins(m: &Model) -> Result<Pins> {
    let p = |n: &str| m.port(n);
    Ok(Pins {
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
    let m = Model::load(build)?;
    let p = pins(&m)?;
    let waveform = vcd.map(|path| Waveform { path: path.to_path_buf(), format: WaveFormat::Vcd, window: None, period_ps: COSIM_PERIOD_PS });
    let mut clock = Clocked::new(m, waveform)?;
    let mut s = Stimulus::new(w);
    p.inputs[9].set(1);
    clock.reset(p.reset, RESET_CYCLES);
    let start = Instant::now();
    while !s.done() {
        let i = s.inputs();
        clock.fall()?;
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
        clock.settle();
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
        clock.rise();
    }
    let secs = start.elapsed().as_secs_f64();
    clock.finish();
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
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Disagreement(pub String);

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
    let build = verilator::build(&g.verilog, g.top, &opts.cache_dir, None).context("cannot Verilate the controller")?;
    let traced = verilator::build(&g.verilog, g.top, &opts.cache_dir, Some(WaveFormat::Vcd)).context("cannot Verilate the controller with VCD support")?;
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
        &["simulator", "workload", "cycles", "checksum", "median s (runs)", "cycles / s", "pmsnap binding ÷ this", "contract §7 target"],
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
}
