//! What a co-simulation run returns: its statistics, logs and the first
//! check that failed.

use super::recovery::CrashReport;
use std::time::Duration;

/// Cycle costs of one SNAPSHOT (command accepted → `cmd_done`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SnapshotCost {
    /// Pages remapped since the previous snapshot.
    pub dirty: usize,
    /// Accept → flush handshake acknowledged (the host's write-backs).
    pub flush: u64,
    /// Flush acknowledged → done: identify, harden, commit, reclaim.
    pub after_flush: u64,
}

#[derive(Clone, Debug, Default)]
pub struct Stats {
    pub cycles: u64,
    pub ops: usize,
    pub wall: Duration,
    pub snapshots: Vec<SnapshotCost>,
    /// RESTORE: accept → done, in cycles.
    pub restores: Vec<u64>,
    /// RECOVER that found a snapshot: accept → done, in cycles.
    pub recovers: Vec<u64>,
    /// VM program: times it reloaded its registers from the state page
    /// (start, restores, power losses).
    pub vm_reloads: u64,
    /// Commands answered `busy` (with `busy_probe`).
    pub busy_answers: u64,
    /// FORMAT: accept → done, in cycles.
    pub format_cycles: u64,
    pub cow_faults: u64,
    pub pages_hardened: u64,
    pub port_requests: u64,
    pub port_errors: u64,
    pub nvm_reads: u64,
    pub nvm_writes: u64,
    pub cache_hits: u64,
    /// Host request accepted → its response, one entry per port request.
    pub port_latency_sum: u64,
    pub port_latency_max: u64,
}

impl Stats {
    pub fn cycles_per_second(&self) -> f64 {
        self.cycles as f64 / self.wall.as_secs_f64().max(1e-9)
    }
}

/// The first check that failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mismatch {
    pub cycle: u64,
    pub message: String,
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cycle {}: {}", self.cycle, self.message)
    }
}

/// One host-port request: when it was accepted and answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PortEvent {
    pub write: bool,
    pub addr: u64,
    /// Cycle whose rising edge accepted the request.
    pub accepted: u64,
    /// Cycle in which `rsp_valid` was high for it.
    pub answered: u64,
    pub error: bool,
}

pub struct Outcome {
    /// Every power loss injected with `crash_at`.
    pub crashes: Vec<CrashReport>,
    /// With `record_phases`: (first cycle, phase) of every phase change.
    pub phases: Vec<(u64, u8)>,
    /// Cycle at which FORMAT completed (crashes before it are not injected).
    pub formatted_at: u64,
    /// With `record_ports`: every host-port request in order.
    pub port_log: Vec<PortEvent>,
    pub stats: Stats,
    /// One entry per `R` of the workload: the value, or `None` for an error.
    pub reads: Vec<Option<u64>>,
    /// Every logical word at the end (with `dump_final`).
    pub final_image: Vec<u64>,
    pub mismatch: Option<Mismatch>,
    pub verilated: bool,
    /// NVM word writes into each frame over the run (wear), FORMAT's included.
    pub frame_writes: Vec<u32>,
}
