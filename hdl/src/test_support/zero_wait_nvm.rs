//! Test-only: a zero-wait NVM for the blocks' test benches, driven cycle by
//! cycle from a rust-hdl test bench. A request accepted in cycle c is
//! answered in c + 1 (as the co-simulation's NVM at zero wait states);
//! `idle` is high in a cycle when nothing was in flight at its start, as
//! the NVM arbiter reports it. Every accepted request is logged. A burst
//! (`BURST_OPENS`, then writes with `BURST_FOLLOWS`; or writes with
//! `BURST_GATHERS`, then one without) is answered once, the cycle after
//! its last write.

use crate::nvm_arbiter::{NvmMaster, BURST_CODE, BURST_FOLLOWS, BURST_GATHERS, BURST_OPENS};
use rust_hdl::prelude::*;
use std::collections::HashMap;

/// One accepted request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Access {
    pub cycle: u64,
    pub write: bool,
    pub addr: u64,
    pub data: u64,
}

#[derive(Default)]
pub struct ZeroWaitNvm {
    /// Words written or preloaded; others read 0.
    pub mem: HashMap<u64, u64>,
    pub log: Vec<Access>,
    /// `req_ready` is low in these cycles.
    pub stall: Vec<u64>,
    /// Words of a burst (`Config::nvm_burst_words`), for blocks that send
    /// them.
    pub burst_words: u64,
    /// Writes still to come in the open burst.
    burst_left: u64,
    answer: Option<u64>,
    in_flight: u64,
}

impl ZeroWaitNvm {
    /// An NVM holding `mem`.
    pub fn with(mem: HashMap<u64, u64>) -> Self {
        ZeroWaitNvm { mem, ..Default::default() }
    }

    /// Drives the NVM's side of the port for `cycle`, before the block
    /// settles.
    pub fn drive<const D: usize>(&self, cycle: u64, nvm: &mut NvmMaster<D>, idle: &mut Signal<In, Bit>) {
        nvm.req_ready.next = !self.stall.contains(&cycle);
        nvm.rsp_valid.next = self.answer.is_some();
        nvm.rsp_rdata.next = self.answer.unwrap_or(0).to_bits();
        idle.next = self.in_flight == 0;
    }

    /// Takes the request the block offers in `cycle`, once it settled.
    pub fn observe<const D: usize>(&mut self, cycle: u64, nvm: &NvmMaster<D>) {
        if self.answer.take().is_some() {
            self.in_flight -= 1;
        }
        if nvm.req_valid.val() && nvm.req_ready.val() {
            let (write, addr, data) = (nvm.req_write.val(), nvm.req_addr.val().index() as u64, nvm.req_wdata.val().index() as u64);
            let answer = if write {
                self.mem.insert(addr, data);
                0
            } else {
                self.mem.get(&addr).copied().unwrap_or(0)
            };
            match addr & BURST_CODE {
                BURST_OPENS => self.burst_left = self.burst_words,
                // One more: the write that closes the burst.
                BURST_GATHERS => self.burst_left = 2,
                BURST_FOLLOWS => {}
                _ => self.burst_left = 1,
            }
            if addr & BURST_FOLLOWS == 0 {
                self.in_flight += 1;
            }
            self.burst_left = self.burst_left.saturating_sub(1);
            if self.burst_left == 0 {
                self.answer = Some(answer);
            }
            self.log.push(Access { cycle, write, addr, data });
        }
    }

    /// The accepted writes, in order: (address, data).
    pub fn writes(&self) -> Vec<(u64, u64)> {
        self.log.iter().filter(|a| a.write).map(|a| (a.addr, a.data)).collect()
    }
}
