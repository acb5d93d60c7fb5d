//! What a co-simulation run is given besides its workload.

use super::faults::Faults;
use crate::nvm::{NvmTiming, PowerLossMode};
use crate::verilator;
use pmsnap_hdl::Config;
use std::path::PathBuf;

/// Everything a co-simulation run needs besides its workload.
#[derive(Clone, Debug)]
pub struct CosimOptions {
    pub config: Config,
    pub timing: NvmTiming,
    /// Host cache lines (0: no cache; every CPU access goes to the port and
    /// the CPU issues one request a cycle without waiting for reads).
    pub cache_lines: usize,
    /// Seed of the NVM's initial garbage and back-pressure.
    pub nvm_seed: u64,
    /// With `--host-bus axi4`: the chance in percent that each channel the
    /// host's AXI4 manager drives offers (valid) or takes (ready) in a
    /// cycle; 100 = no back-pressure from the host.
    pub bus_ready_percent: u32,
    /// Write a waveform to this file, in this format.
    pub waveform: Option<(PathBuf, verilator::WaveFormat)>,
    /// Cycles `[start, end)` to trace (default: all).
    pub window: Option<(u64, u64)>,
    pub cache_dir: PathBuf,
    /// Read the whole working image through the host at the end.
    pub dump_final: bool,
    /// Give up when nothing happens on any port for this many cycles.
    pub stall_limit: u64,
    /// Keep a log of every host-port request (for cycle-exact tests).
    pub record_ports: bool,
    /// Power losses at these cycles (after FORMAT has completed; earlier
    /// ones are ignored), each followed by reset and RECOVER.
    pub crash_at: Vec<u64>,
    /// What happens to unanswered NVM writes at a power loss.
    pub power_loss: PowerLossMode,
    /// Run the VM-like program instead of (after) the workload; its result
    /// must equal an uninterrupted run's.
    pub vm: Option<crate::vm::VmSpec>,
    /// Send stray commands (`harness/strays.rs`) at random cycles, drawn
    /// from this seed; also SNAPSHOT, RESTORE and an undefined op before
    /// FORMAT. With `--host-bus axi4` the host's AXI4 manager also sends
    /// stray bursts the port must refuse (`axi4_manager.rs`).
    pub stray_commands: Option<u64>,
    /// The CPU sends a command only once the host port is quiet (every
    /// request answered). Off, it sends SNAPSHOT at once and RESTORE once
    /// its requests are accepted, so commands meet requests in flight; on,
    /// cycle counts are the controller's own.
    pub drain_before_commands: bool,
    /// Record the sequencer's phase of every cycle (for crash campaigns).
    pub record_phases: bool,
    /// Faults injected on purpose, to test the checks (none by default).
    pub faults: Faults,
    /// Shows progress (operations done) on long runs.
    pub progress: Option<indicatif::ProgressBar>,
}

impl CosimOptions {
    pub fn new(config: Config) -> Self {
        CosimOptions {
            config,
            timing: NvmTiming::default(),
            cache_lines: 64,
            nvm_seed: 1,
            bus_ready_percent: 100,
            waveform: None,
            window: None,
            cache_dir: verilator::default_cache_dir(),
            dump_final: false,
            stall_limit: 200_000,
            record_ports: false,
            progress: None,
            crash_at: Vec::new(),
            power_loss: PowerLossMode::Drop,
            record_phases: false,
            stray_commands: None,
            drain_before_commands: false,
            vm: None,
            faults: Faults::default(),
        }
    }
}
