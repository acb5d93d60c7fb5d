//! The pins between the harness and the Verilated controller: what the host
//! and the NVM drive each cycle, and what the controller answers.

use super::axi4_manager::Axi4Manager;
use super::host::Queued;
use super::scoreboard::nvm_rules::NvmRequest;
use super::wishbone_manager::WishboneManager;
use crate::verilator::{Model, Port};
use anyhow::Result;
use pmsnap_hdl::ports::top_ports;
use pmsnap_hdl::{Config, HostBus};
use std::collections::VecDeque;

/// The native host port's pins.
#[derive(Clone, Copy)]
struct NativeHost {
    req_valid: Port,
    req_ready: Port,
    req_write: Port,
    req_addr: Port,
    req_wdata: Port,
    rsp_valid: Port,
    rsp_rdata: Port,
    rsp_err: Port,
}

/// The host's side of the host port: the pins themselves, or an AXI4
/// manager driving them.
enum HostSide {
    Native(NativeHost),
    Axi4(Box<Axi4Manager>),
    Wishbone(Box<WishboneManager>),
}

/// Every input and output of the controller but the clock (`Clocked`'s).
pub(super) struct PortDriver {
    host: HostSide,
    seq_phase: Port,
    reset: Port,
    cmd_valid: Port,
    cmd_ready: Port,
    cmd_op: Port,
    cmd_done: Port,
    cmd_status: Port,
    free_frames: Port,
    fallback_held: Port,
    cow_faults: Port,
    pages_hardened: Port,
    flush_req: Port,
    flush_ack: Port,
    mem_req_valid: Port,
    mem_req_ready: Port,
    mem_req_write: Port,
    mem_req_addr: Port,
    mem_req_wdata: Port,
    mem_rsp_valid: Port,
    mem_rsp_rdata: Port,
}

/// What the host port did in one cycle, as the scoreboard sees it,
/// whatever its bus.
#[derive(Default)]
pub(super) struct HostEvents {
    /// Queued requests accepted (from the queue's front).
    pub accepted: usize,
    /// `(count, error, data)`: `count` requests answered alike, in order.
    pub answered: Option<(usize, bool, u64)>,
    /// A rule of the bus the controller broke this cycle.
    pub violation: Option<String>,
}

/// What the harness drives in one cycle.
pub(super) struct Inputs<'a> {
    pub reset: bool,
    /// The host's requests, oldest first (the native port offers the
    /// first; the AXI4 manager makes bursts of them).
    pub queue: &'a VecDeque<Queued>,
    /// The CPU has a command out: the AXI4 manager starts no stray burst
    /// (one the port took in the last cycle of a flush would hold the
    /// command port until after the command, against the strays' rules).
    pub command_out: bool,
    /// The command offered (`cmd_valid`, `cmd_op`).
    pub command: Option<u64>,
    pub flush_ack: bool,
    pub nvm_ready: bool,
    /// The NVM's answer this cycle (`mem_rsp_valid`, `mem_rsp_rdata`).
    pub nvm_response: Option<u64>,
}

/// What the controller shows once the cycle's inputs have settled.
pub(super) struct Outputs {
    /// Host requests accepted, from the front of the queue.
    pub accepted: usize,
    /// The host port answered: (requests answered alike, error, read data).
    pub response: Option<(usize, bool, u64)>,
    /// A rule of the host bus the controller broke.
    pub bus_violation: Option<String>,
    /// The command was accepted.
    pub cmd_fire: bool,
    /// `cmd_done` with its status.
    pub done: Option<u64>,
    pub flush_req: bool,
    pub nvm: NvmRequest,
}

impl PortDriver {
    /// The model's ports, which must be exactly those of contract §3
    /// (`pmsnap_hdl::ports::top_ports`) for `config`'s host bus and word
    /// width; `seed`, `bus_ready_percent` and `bus_strays` drive the AXI4
    /// manager.
    pub fn resolve(m: &Model, config: &Config, seed: u64, bus_ready_percent: u32, bus_strays: bool) -> Result<PortDriver> {
        let ports = top_ports(config.host_bus);
        for p in &ports {
            let bits = m.port(p.name)?.bits() as usize;
            anyhow::ensure!(bits == p.width.bits(config.word_bits), "the model's port `{}` has {bits} bits, not {}", p.name, p.width.bits(config.word_bits));
        }
        anyhow::ensure!(m.port_count() == ports.len(), "the model has ports contract §3 does not name");
        let host = match config.host_bus {
            HostBus::Native => HostSide::Native(NativeHost {
                req_valid: m.port("req_valid")?,
                req_ready: m.port("req_ready")?,
                req_write: m.port("req_write")?,
                req_addr: m.port("req_addr")?,
                req_wdata: m.port("req_wdata")?,
                rsp_valid: m.port("rsp_valid")?,
                rsp_rdata: m.port("rsp_rdata")?,
                rsp_err: m.port("rsp_err")?,
            }),
            HostBus::Axi4 => HostSide::Axi4(Box::new(Axi4Manager::resolve(m, config, seed, bus_ready_percent, bus_strays)?)),
            HostBus::Wishbone => HostSide::Wishbone(Box::new(WishboneManager::resolve(m, config, seed, bus_ready_percent, bus_strays)?)),
        };
        Ok(PortDriver {
            host,
            seq_phase: m.port("seq_phase")?,
            reset: m.port("reset")?,
            cmd_valid: m.port("cmd_valid")?,
            cmd_ready: m.port("cmd_ready")?,
            cmd_op: m.port("cmd_op")?,
            cmd_done: m.port("cmd_done")?,
            cmd_status: m.port("cmd_status")?,
            free_frames: m.port("free_frames")?,
            fallback_held: m.port("fallback_held")?,
            cow_faults: m.port("cow_faults")?,
            pages_hardened: m.port("pages_hardened")?,
            flush_req: m.port("flush_req")?,
            flush_ack: m.port("flush_ack")?,
            mem_req_valid: m.port("mem_req_valid")?,
            mem_req_ready: m.port("mem_req_ready")?,
            mem_req_write: m.port("mem_req_write")?,
            mem_req_addr: m.port("mem_req_addr")?,
            mem_req_wdata: m.port("mem_req_wdata")?,
            mem_rsp_valid: m.port("mem_rsp_valid")?,
            mem_rsp_rdata: m.port("mem_rsp_rdata")?,
        })
    }

    /// The reset input (for `Clocked::reset`).
    pub fn reset_port(&self) -> Port {
        self.reset
    }

    #[inline]
    pub fn drive(&mut self, i: Inputs) {
        self.reset.set(i.reset as u64);
        match &mut self.host {
            HostSide::Native(h) => match i.queue.front() {
                Some(r) => {
                    h.req_valid.set(1);
                    h.req_write.set(r.write as u64);
                    h.req_addr.set(r.addr);
                    h.req_wdata.set(r.data);
                }
                None => h.req_valid.set(0),
            },
            HostSide::Axi4(m) => m.drive(i.reset, i.queue, i.command_out),
            HostSide::Wishbone(m) => m.drive(i.reset, i.queue, i.command_out),
        }
        self.cmd_valid.set(i.command.is_some() as u64);
        self.cmd_op.set(i.command.unwrap_or(0));
        self.flush_ack.set(i.flush_ack as u64);
        self.mem_req_ready.set(i.nvm_ready as u64);
        self.mem_rsp_valid.set(i.nvm_response.is_some() as u64);
        self.mem_rsp_rdata.set(i.nvm_response.unwrap_or(0));
    }

    /// What the controller shows once the cycle's inputs have settled;
    /// `queue` is the one `drive` was given.
    #[inline]
    pub fn outputs(&mut self, queue: &VecDeque<Queued>) -> Outputs {
        let host = match &mut self.host {
            HostSide::Native(h) => HostEvents {
                accepted: (h.req_valid.get() == 1 && h.req_ready.get() == 1) as usize,
                answered: (h.rsp_valid.get() == 1).then(|| (1, h.rsp_err.get() == 1, h.rsp_rdata.get())),
                violation: None,
            },
            HostSide::Axi4(m) => m.observe(queue),
            HostSide::Wishbone(m) => m.observe(),
        };
        Outputs {
            accepted: host.accepted,
            response: host.answered,
            bus_violation: host.violation,
            cmd_fire: self.cmd_valid.get() == 1 && self.cmd_ready.get() == 1,
            done: (self.cmd_done.get() == 1).then(|| self.cmd_status.get()),
            flush_req: self.flush_req.get() == 1,
            nvm: NvmRequest {
                valid: self.mem_req_valid.get() == 1,
                ready: self.mem_req_ready.get() == 1,
                write: self.mem_req_write.get() == 1,
                addr: self.mem_req_addr.get(),
                wdata: self.mem_req_wdata.get(),
            },
        }
    }

    /// The host bus has a burst taken and not answered in full (never
    /// for the native port).
    pub fn bus_busy(&self) -> bool {
        match &self.host {
            HostSide::Native(_) => false,
            HostSide::Axi4(m) => m.busy(),
            HostSide::Wishbone(m) => m.busy(),
        }
    }

    /// (bursts, beats, stray bursts) the host's AXI4 manager sent; zeros
    /// for the native port.
    pub fn bus_counts(&self) -> (u64, u64, u64) {
        match &self.host {
            HostSide::Native(_) => (0, 0, 0),
            HostSide::Axi4(m) => (m.bursts, m.beats, m.strays_sent),
            HostSide::Wishbone(m) => (0, 0, m.strays_sent),
        }
    }

    /// The sequencer's phase (a `codes::Phase` code).
    #[inline]
    pub fn phase(&self) -> u8 {
        self.seq_phase.get() as u8
    }

    /// (`free_frames`, `fallback_held`).
    pub fn frames(&self) -> (u64, bool) {
        (self.free_frames.get(), self.fallback_held.get() == 1)
    }

    /// (`cow_faults`, `pages_hardened`): counters since the last reset.
    pub fn counters(&self) -> (u64, u64) {
        (self.cow_faults.get(), self.pages_hardened.get())
    }
}
