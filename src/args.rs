//! Argument groups several subcommands share, and what they turn into.

use crate::exit::BadInput;
use anyhow::Result;
use clap::Args;
use pmsnap_cosim::harness::CosimOptions;
use pmsnap_cosim::nvm::{NvmTiming, PowerLossMode, TimingSpec};
use pmsnap_cosim::trace::{self, TraceError, TraceOp};
use pmsnap_cosim::verilator::WaveFormat;
use pmsnap_hdl::board::BoardConfig;
use pmsnap_hdl::{Config, ConfigError, HostBus, NvmBus};
use std::path::{Path, PathBuf};

/// Sizing of the controller (contract §2).
#[derive(Args, Clone, Debug, PartialEq, Eq)]
pub struct Sizing {
    /// Logical pages L: a power of two, 4 ..= 65536.
    #[arg(long, default_value_t = 256)]
    pub pages: usize,
    /// Words per page W: a power of two, 4 ..= 1024.
    #[arg(long, default_value_t = 64)]
    pub page_words: usize,
    /// Physical frames F, at least L + 1 [default: 2·L].
    #[arg(long)]
    pub frames: Option<usize>,
    /// Data width DW in bits: 32 or 64.
    #[arg(long, default_value_t = 32)]
    pub word_bits: usize,
    /// Cycles from accepting a host request to deciding on its table entry:
    /// 1, or 2 to register the table's block-RAM output (higher Fmax, one
    /// more cycle on every host request).
    #[arg(long, default_value_t = Config::DEFAULT_LOOKUP_LATENCY, value_name = "1|2")]
    pub lookup_latency: usize,
    /// The host port's bus: `native` (the valid/ready `req_*`/`rsp_*` port),
    /// `axi4` (an AXI4 subordinate, `s_axi_*`, in front of the same core;
    /// docs/axi4.md) or `wishbone` (a Wishbone B4 pipelined subordinate,
    /// `s_wb_*`; docs/wishbone.md).
    #[arg(long, default_value_t = HostBus::Native, value_name = "native|axi4|wishbone")]
    pub host_bus: HostBus,
    /// The NVM port's bus: `native` (the valid/ready `mem_*` port) or `axi4`
    /// (an AXI4 manager, `m_axi_*`, behind the same core; docs/axi4-nvm.md).
    #[arg(long, default_value_t = NvmBus::Native, value_name = "native|axi4")]
    pub nvm_bus: NvmBus,
}

impl Sizing {
    /// The sizing of `config`, every figure given (frames included).
    pub fn of(config: &Config) -> Sizing {
        Sizing {
            pages: config.pages,
            page_words: config.page_words,
            frames: Some(config.frames),
            word_bits: config.word_bits,
            lookup_latency: config.lookup_latency,
            host_bus: config.host_bus,
            nvm_bus: config.nvm_bus,
        }
    }

    /// The flags that give this sizing.
    pub fn flags(&self) -> Vec<String> {
        let mut v = Vec::new();
        flag(&mut v, "--pages", self.pages);
        flag(&mut v, "--page-words", self.page_words);
        optional(&mut v, "--frames", self.frames);
        flag(&mut v, "--word-bits", self.word_bits);
        flag(&mut v, "--lookup-latency", self.lookup_latency);
        if self.host_bus != HostBus::Native {
            flag(&mut v, "--host-bus", self.host_bus);
        }
        if self.nvm_bus != NvmBus::Native {
            flag(&mut v, "--nvm-bus", self.nvm_bus);
        }
        v
    }

    pub fn config(&self) -> Result<Config, ConfigError> {
        let c = Config {
            pages: self.pages,
            page_words: self.page_words,
            frames: self.frames.unwrap_or(2 * self.pages),
            word_bits: self.word_bits,
            lookup_latency: self.lookup_latency,
            host_bus: self.host_bus,
            nvm_bus: self.nvm_bus,
        };
        c.validate()?;
        Ok(c)
    }
}

/// The NVM model's timing and power-loss behaviour, and the host bus's
/// back-pressure. Random workloads and crash campaigns draw each NVM timing
/// figure not given per run (seeded); a trace runs with zero wait states
/// and no back-pressure unless told otherwise.
#[derive(Args, Clone, Debug, PartialEq, Eq)]
pub struct NvmArgs {
    /// NVM read latency in cycles beyond the first (0 = zero wait states)
    /// [default: 0 for a trace; drawn from 0..=4 per random run].
    #[arg(long, value_name = "N")]
    pub nvm_read_latency: Option<u64>,
    /// NVM write latency in cycles beyond the first [default: 0 for a trace;
    /// drawn from 0..=10 per random run].
    #[arg(long, value_name = "N")]
    pub nvm_write_latency: Option<u64>,
    /// Chance in percent that the NVM accepts a request in a cycle (back-pressure)
    /// [default: 100 for a trace; drawn from 40..=100 per random run].
    #[arg(long, value_name = "P", value_parser = clap::value_parser!(u32).range(1..=100))]
    pub nvm_ready_percent: Option<u32>,
    /// What a power loss does to NVM writes not yet answered: drop them, or
    /// land a seeded random subset (adversarial).
    #[arg(long, default_value = "drop", value_name = "MODE")]
    pub nvm: PowerLossMode,
    /// Fault injection, to test the checkers: an NVM that also loses its
    /// last N *answered* writes at a power loss, breaking its contract.
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub nvm_forgets_answered: usize,
    /// With `--host-bus axi4` or `wishbone`: chance in percent that each bus
    /// channel the host drives is valid (when it has something to send) or
    /// ready in a cycle [default: 100 for a trace; 60 for a random workload].
    #[arg(long, value_name = "P", value_parser = clap::value_parser!(u32).range(1..=100))]
    pub bus_ready_percent: Option<u32>,
}

impl NvmArgs {
    pub fn timing(&self) -> TimingSpec {
        TimingSpec { read_latency: self.nvm_read_latency, write_latency: self.nvm_write_latency, ready_percent: self.nvm_ready_percent }
    }

    /// Sets the power-loss behaviour; the timing is the caller's to set.
    pub fn apply(&self, opts: &mut CosimOptions) {
        opts.power_loss = self.nvm;
        opts.faults.nvm_forgets_answered = self.nvm_forgets_answered;
    }

    /// The host bus's back-pressure for a run of a trace (`random` false)
    /// or of a random workload.
    pub fn bus_ready(&self, random: bool) -> u32 {
        self.bus_ready_percent.unwrap_or(if random { 60 } else { 100 })
    }

    /// These settings with every timing figure pinned to `timing` (as a
    /// run drew it): what replays that run.
    pub fn pinned(&self, timing: &NvmTiming) -> NvmArgs {
        NvmArgs {
            nvm_read_latency: Some(timing.read_latency),
            nvm_write_latency: Some(timing.write_latency),
            nvm_ready_percent: Some(timing.ready_percent),
            ..self.clone()
        }
    }

    /// The flags that give these settings.
    pub fn flags(&self) -> Vec<String> {
        let mut v = Vec::new();
        optional(&mut v, "--nvm-read-latency", self.nvm_read_latency);
        optional(&mut v, "--nvm-write-latency", self.nvm_write_latency);
        optional(&mut v, "--nvm-ready-percent", self.nvm_ready_percent);
        flag(&mut v, "--nvm", self.nvm);
        if self.nvm_forgets_answered > 0 {
            flag(&mut v, "--nvm-forgets-answered", self.nvm_forgets_answered);
        }
        optional(&mut v, "--bus-ready-percent", self.bus_ready_percent);
        v
    }
}

/// Appends `--name value`.
pub fn flag(v: &mut Vec<String>, name: &str, value: impl std::fmt::Display) {
    v.push(name.into());
    v.push(value.to_string());
}

/// Appends `--name value` when there is a value.
pub fn optional(v: &mut Vec<String>, name: &str, value: Option<impl std::fmt::Display>) {
    if let Some(value) = value {
        flag(v, name, value);
    }
}

/// Appends `--name path` when there is a path.
pub fn optional_path(v: &mut Vec<String>, name: &str, path: &Option<PathBuf>) {
    optional(v, name, path.as_ref().map(|p| p.display()));
}

/// The board named on the command line, or a bad-input error listing the
/// known ones.
pub fn board(name: &str) -> Result<&'static BoardConfig, BadInput> {
    pmsnap_hdl::board::catalog::find(name)
        .ok_or_else(|| BadInput(format!("--board: unknown board '{name}' (known: {})", pmsnap_hdl::board::catalog::names().join(", "))))
}

/// Where Verilated models are cached: `--cache-dir`, else the default.
pub fn cache_dir(given: &Option<PathBuf>) -> PathBuf {
    given.clone().unwrap_or_else(pmsnap_cosim::verilator::default_cache_dir)
}

/// Loads a trace file; a file that cannot be read is bad input (exit 2),
/// as a malformed line is.
pub fn load_trace(path: &Path, word_bits: usize) -> Result<Vec<TraceOp>> {
    trace::load(path, word_bits).map_err(|e| match e.downcast::<TraceError>() {
        Ok(t) => anyhow::Error::new(t),
        Err(e) => anyhow::Error::new(BadInput(format!("{e:#}"))),
    })
}

/// Where a run writes its waveform. Beside it go a GTKWave save file (the
/// same name with `.gtkw`) and the translate filters it uses
/// (`gtkwave/*.txt` in the same folder).
#[derive(Args, Clone, Debug, Default, PartialEq, Eq)]
#[group(id = "waveform", multiple = false)]
pub struct WaveArgs {
    /// Write a VCD waveform (text: every viewer reads it; large).
    #[arg(long, value_name = "FILE")]
    pub vcd: Option<PathBuf>,
    /// Write an FST waveform (GTKWave's compressed format: about a tenth of
    /// the VCD's size, and faster to write).
    #[arg(long, value_name = "FILE")]
    pub fst: Option<PathBuf>,
}

impl WaveArgs {
    /// The file asked for and its format.
    pub fn file(&self) -> Option<(PathBuf, WaveFormat)> {
        match (&self.vcd, &self.fst) {
            (Some(p), _) => Some((p.clone(), WaveFormat::Vcd)),
            (None, Some(p)) => Some((p.clone(), WaveFormat::Fst)),
            (None, None) => None,
        }
    }

    /// The flags that give these settings.
    pub fn flags(&self) -> Vec<String> {
        let mut v = Vec::new();
        optional_path(&mut v, "--vcd", &self.vcd);
        optional_path(&mut v, "--fst", &self.fst);
        v
    }

    /// Fails, before anything is simulated, when the waveform cannot be
    /// written.
    pub fn check(&self) -> Result<(), BadInput> {
        writable("--vcd", &self.vcd)?;
        writable("--fst", &self.fst)
    }
}

/// Fails with the OS's reason when `path` (given with `flag`) cannot be
/// created. Checked before a run, so a long simulation never ends in an
/// unwritable file; the file is left empty, to be written by the run.
pub fn writable(flag: &str, path: &Option<PathBuf>) -> Result<(), BadInput> {
    let Some(path) = path else { return Ok(()) };
    if path.is_dir() {
        return Err(BadInput(format!("{flag} {}: is a directory, not a file", path.display())));
    }
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map(drop)
        .map_err(|e| BadInput(format!("{flag} {}: cannot write it: {e}", path.display())))
}

/// How this program was started, for commands it prints to be run again:
/// its full path when it can tell, else `pmsnap`.
pub fn this_binary() -> String {
    std::env::current_exe().map_or_else(|_| "pmsnap".to_string(), |p| p.display().to_string())
}
