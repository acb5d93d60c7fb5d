//! The pins between the harness and the Verilated controller: what the host
//! and the NVM drive each cycle, and what the controller answers.

use super::axi4_manager::Axi4Manager;
use super::axi4_subordinate::{Axi4Subordinate, NvmEvents};
use super::host::Queued;
use super::scoreboard::nvm_rules::NvmRequest;
use super::wishbone_manager::WishboneManager;
use crate::nvm::Nvm;
use crate::verilator::{Model, Port};
use anyhow::Result;
use pmsnap_hdl::ports::top_ports;
use pmsnap_hdl::{Config, HostBus, NvmBus};
use std::collections::VecDeque;

/// A native valid/ready port's pins (contract §3): the host port's
/// (`req_*`, `rsp_*`) or the NVM port's (`mem_req_*`, `mem_rsp_*`).
#[derive(Clone, Copy)]
struct NativePins {
    req_valid: Port,
    req_ready: Port,
    req_write: Port,
    req_addr: Port,
    req_wdata: Port,
    rsp_valid: Port,
    rsp_rdata: Port,
}

impl NativePins {
    fn resolve(m: &Model, prefix: &str) -> Result<NativePins> {
        let p = |n: &str| m.port(&format!("{prefix}{n}"));
        Ok(NativePins {
            req_valid: p("req_valid")?,
            req_ready: p("req_ready")?,
            req_write: p("req_write")?,
            req_addr: p("req_addr")?,
            req_wdata: p("req_wdata")?,
            rsp_valid: p("rsp_valid")?,
            rsp_rdata: p("rsp_rdata")?,
        })
    }
}

/// The native host port's pins.
#[derive(Clone, Copy)]
struct NativeHost {
    pins: NativePins,
    rsp_err: Port,
}

/// The host's side of the host port: the pins themselves, or an AXI4
/// manager driving them.
enum HostSide {
    Native(NativeHost),
    Axi4(Box<Axi4Manager>),
    Wishbone(Box<WishboneManager>),
}

/// The native NVM port's pins.
#[derive(Clone, Copy)]
struct NativeNvm {
    pins: NativePins,
    /// An answer is presented this cycle.
    answering: bool,
}

/// The device's side of the NVM port: the pins themselves, or an AXI4
/// subordinate driving them.
enum NvmSide {
    Native(NativeNvm),
    Axi4(Box<Axi4Subordinate>),
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
    nvm: NvmSide,
    total_words: u64,
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
}

impl PortDriver {
    /// The model's ports, which must be exactly those of contract §3
    /// (`pmsnap_hdl::ports::top_ports`) for `config`'s host bus and word
    /// width; `seed`, `bus_ready_percent` and `bus_strays` drive the AXI4
    /// manager.
    pub fn resolve(m: &Model, config: &Config, seed: u64, bus_ready_percent: u32, bus_strays: bool) -> Result<PortDriver> {
        let ports = top_ports(config);
        for p in &ports {
            let bits = m.port(p.name)?.bits() as usize;
            anyhow::ensure!(bits == p.width.bits(config.word_bits), "the model's port `{}` has {bits} bits, not {}", p.name, p.width.bits(config.word_bits));
        }
        anyhow::ensure!(m.port_count() == ports.len(), "the model has ports contract §3 does not name");
        let host = match config.host_bus {
            HostBus::Native => HostSide::Native(NativeHost { pins: NativePins::resolve(m, "")?, rsp_err: m.port("rsp_err")? }),
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
            nvm: match config.nvm_bus {
                NvmBus::Native => NvmSide::Native(NativeNvm { pins: NativePins::resolve(m, "mem_")?, answering: false }),
                NvmBus::Axi4 => NvmSide::Axi4(Box::new(Axi4Subordinate::resolve(m, config)?)),
            },
            total_words: config.layout().total_words(),
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
                    h.pins.req_valid.set(1);
                    h.pins.req_write.set(r.write as u64);
                    h.pins.req_addr.set(r.addr);
                    h.pins.req_wdata.set(r.data);
                }
                None => h.pins.req_valid.set(0),
            },
            HostSide::Axi4(m) => m.drive(i.reset, i.queue, i.command_out),
            HostSide::Wishbone(m) => m.drive(i.reset, i.queue, i.command_out),
        }
        self.cmd_valid.set(i.command.is_some() as u64);
        self.cmd_op.set(i.command.unwrap_or(0));
        self.flush_ack.set(i.flush_ack as u64);
    }

    /// Drives the NVM's side of its port for `cycle` (before settling).
    #[inline]
    pub fn drive_nvm(&mut self, nvm: &mut Nvm, cycle: u64) {
        match &mut self.nvm {
            NvmSide::Native(n) => {
                n.pins.req_ready.set(nvm.ready() as u64);
                let answer = nvm.response(cycle);
                n.answering = answer.is_some();
                n.pins.rsp_valid.set(n.answering as u64);
                n.pins.rsp_rdata.set(answer.unwrap_or(0));
            }
            NvmSide::Axi4(s) => s.drive(nvm, cycle),
        }
    }

    /// What happened on the NVM port this cycle, once settled, into `ev`;
    /// and (native port) the request as the port's valid/ready rules see it.
    #[inline]
    pub fn observe_nvm(&mut self, ev: &mut NvmEvents) -> Option<NvmRequest> {
        match &mut self.nvm {
            NvmSide::Native(n) => {
                let r = NvmRequest {
                    valid: n.pins.req_valid.get() == 1,
                    ready: n.pins.req_ready.get() == 1,
                    write: n.pins.req_write.get() == 1,
                    addr: n.pins.req_addr.get(),
                    wdata: n.pins.req_wdata.get(),
                };
                ev.clear();
                ev.read_answers = n.answering as usize;
                if r.accepted() {
                    ev.requests.push((r.write, r.addr, r.wdata));
                }
                Some(r)
            }
            NvmSide::Axi4(s) => {
                s.observe(self.total_words, ev);
                None
            }
        }
    }

    /// Power lost: the NVM's bus forgets what it had in flight.
    pub fn nvm_power_loss(&mut self) {
        if let NvmSide::Axi4(s) = &mut self.nvm {
            s.power_loss();
        }
    }

    /// (bursts, beats) on the NVM's AXI4 port; zeros for the native port.
    pub fn nvm_bus_counts(&self) -> (u64, u64) {
        match &self.nvm {
            NvmSide::Native(_) => (0, 0),
            NvmSide::Axi4(s) => (s.bursts, s.beats),
        }
    }

    /// The NVM's bus has something in flight the NVM model does not hold
    /// yet (W beats waiting for their AW, …).
    pub fn nvm_bus_busy(&self) -> bool {
        match &self.nvm {
            NvmSide::Native(_) => false,
            NvmSide::Axi4(s) => s.busy(),
        }
    }

    /// What the controller shows once the cycle's inputs have settled;
    /// `queue` is the one `drive` was given.
    #[inline]
    pub fn outputs(&mut self, queue: &VecDeque<Queued>) -> Outputs {
        let host = match &mut self.host {
            HostSide::Native(h) => HostEvents {
                accepted: (h.pins.req_valid.get() == 1 && h.pins.req_ready.get() == 1) as usize,
                answered: (h.pins.rsp_valid.get() == 1).then(|| (1, h.rsp_err.get() == 1, h.pins.rsp_rdata.get())),
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
