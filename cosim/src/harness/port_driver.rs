//! The pins between the harness and the Verilated controller: what the host
//! and the NVM drive each cycle, and what the controller answers.

use super::host::Queued;
use super::scoreboard::nvm_rules::NvmRequest;
use crate::verilator::{Model, Port};
use anyhow::Result;
use pmsnap_hdl::ports::TOP_PORTS;

/// Every input and output of the controller but the clock (`Clocked`'s).
#[derive(Clone, Copy)]
pub(super) struct PortDriver {
    seq_phase: Port,
    reset: Port,
    req_valid: Port,
    req_ready: Port,
    req_write: Port,
    req_addr: Port,
    req_wdata: Port,
    rsp_valid: Port,
    rsp_rdata: Port,
    rsp_err: Port,
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

/// What the harness drives in one cycle.
pub(super) struct Inputs<'a> {
    pub reset: bool,
    /// The host request offered (`req_valid` and its fields).
    pub request: Option<&'a Queued>,
    /// The command offered (`cmd_valid`, `cmd_op`).
    pub command: Option<u64>,
    pub flush_ack: bool,
    pub nvm_ready: bool,
    /// The NVM's answer this cycle (`mem_rsp_valid`, `mem_rsp_rdata`).
    pub nvm_response: Option<u64>,
}

/// What the controller shows once the cycle's inputs have settled.
pub(super) struct Outputs {
    /// The host request was accepted.
    pub req_fire: bool,
    /// The host port answered: (error, read data).
    pub response: Option<(bool, u64)>,
    /// The command was accepted.
    pub cmd_fire: bool,
    /// `cmd_done` with its status.
    pub done: Option<u64>,
    pub flush_req: bool,
    pub nvm: NvmRequest,
}

impl PortDriver {
    /// The model's ports, which must be exactly those of contract §3
    /// (`pmsnap_hdl::ports::TOP_PORTS`) at `word_bits`.
    pub fn resolve(m: &Model, word_bits: usize) -> Result<PortDriver> {
        for p in &TOP_PORTS {
            let bits = m.port(p.name)?.bits() as usize;
            anyhow::ensure!(bits == p.width.bits(word_bits), "the model's port `{}` has {bits} bits, not {}", p.name, p.width.bits(word_bits));
        }
        anyhow::ensure!(m.port_count() == TOP_PORTS.len(), "the model has ports contract §3 does not name");
        Ok(PortDriver {
            seq_phase: m.port("seq_phase")?,
            reset: m.port("reset")?,
            req_valid: m.port("req_valid")?,
            req_ready: m.port("req_ready")?,
            req_write: m.port("req_write")?,
            req_addr: m.port("req_addr")?,
            req_wdata: m.port("req_wdata")?,
            rsp_valid: m.port("rsp_valid")?,
            rsp_rdata: m.port("rsp_rdata")?,
            rsp_err: m.port("rsp_err")?,
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
    pub fn drive(&self, i: Inputs) {
        self.reset.set(i.reset as u64);
        match i.request {
            Some(r) => {
                self.req_valid.set(1);
                self.req_write.set(r.write as u64);
                self.req_addr.set(r.addr);
                self.req_wdata.set(r.data);
            }
            None => self.req_valid.set(0),
        }
        self.cmd_valid.set(i.command.is_some() as u64);
        self.cmd_op.set(i.command.unwrap_or(0));
        self.flush_ack.set(i.flush_ack as u64);
        self.mem_req_ready.set(i.nvm_ready as u64);
        self.mem_rsp_valid.set(i.nvm_response.is_some() as u64);
        self.mem_rsp_rdata.set(i.nvm_response.unwrap_or(0));
    }

    #[inline]
    pub fn outputs(&self) -> Outputs {
        Outputs {
            req_fire: self.req_valid.get() == 1 && self.req_ready.get() == 1,
            response: (self.rsp_valid.get() == 1).then(|| (self.rsp_err.get() == 1, self.rsp_rdata.get())),
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
