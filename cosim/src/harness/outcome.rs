//! What a co-simulation run returns: its statistics, logs and the first
//! check that failed.

use super::scoreboard::recovery::CrashReport;
use super::{STATUS_BAD_OP, STATUS_BUSY, STATUS_UNFORMATTED};
use crate::reference::Refusal;
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
    /// Commands refused (busy, bad op, unformatted): the CPU's, and the
    /// stray ones (`stray_commands` of them) sent besides.
    pub refused_commands: RefusedCommands,
    pub stray_commands: u64,
    /// Commands accepted while host requests were queued or in flight.
    pub commands_meeting_requests: u64,
    /// FORMAT: accept → done, in cycles.
    pub format_cycles: u64,
    pub cow_faults: u64,
    /// Times the fallback snapshot gave up its frames to a COW fault.
    pub fallback_releases: u64,
    pub pages_hardened: u64,
    pub port_requests: u64,
    pub port_errors: u64,
    /// Host-port requests refused, by the reason the reference gives.
    pub refused: Refused,
    pub nvm_reads: u64,
    pub nvm_writes: u64,
    pub cache_hits: u64,
    /// Host request accepted → its response, one entry per port request.
    pub port_latency_sum: u64,
    pub port_latency_max: u64,
    /// With `--host-bus axi4`: bursts the host's AXI4 manager made, and
    /// their beats (requests).
    pub bus_bursts: u64,
    pub bus_beats: u64,
    /// Stray bursts it sent, each refused (`axi4_manager.rs`).
    pub bus_strays: u64,
    /// With `--nvm-bus axi4`: bursts the controller's AXI4 manager made to
    /// the NVM, and their beats.
    pub nvm_bursts: u64,
    pub nvm_beats: u64,
}

/// Host-port requests answered with an error, by reason.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Refused {
    pub out_of_range: u64,
    pub no_frame: u64,
    pub unmounted: u64,
}

impl Refused {
    pub fn count(&mut self, why: Refusal) {
        match why {
            Refusal::OutOfRange => self.out_of_range += 1,
            Refusal::NoFrames => self.no_frame += 1,
            Refusal::Unmounted => self.unmounted += 1,
        }
    }

    pub fn add(&mut self, other: &Refused) {
        self.out_of_range += other.out_of_range;
        self.no_frame += other.no_frame;
        self.unmounted += other.unmounted;
    }
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} out of range, {} no free frame, {} no device mounted", self.out_of_range, self.no_frame, self.unmounted)
    }
}

/// Commands refused without changing anything, by their status.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RefusedCommands {
    /// Sent while another command ran.
    pub busy: u64,
    /// An op that names no command.
    pub bad_op: u64,
    /// SNAPSHOT or RESTORE with no device mounted.
    pub unformatted: u64,
}

impl RefusedCommands {
    /// Counts a command answered `status`, if that is a refusal.
    pub fn count(&mut self, status: u64) {
        match status {
            STATUS_BUSY => self.busy += 1,
            STATUS_BAD_OP => self.bad_op += 1,
            STATUS_UNFORMATTED => self.unformatted += 1,
            _ => {}
        }
    }

    pub fn add(&mut self, other: &RefusedCommands) {
        self.busy += other.busy;
        self.bad_op += other.bad_op;
        self.unformatted += other.unformatted;
    }
}

impl std::fmt::Display for RefusedCommands {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} busy, {} bad op, {} unformatted", self.busy, self.bad_op, self.unformatted)
    }
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
    /// Cycles worth a waveform marker: each command the CPU sent (when
    /// the controller accepted it) and each power loss, in time order.
    pub marks: Vec<(u64, String)>,
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
