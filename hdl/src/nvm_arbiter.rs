//! NVM-port arbiter: one owner at a time drives the NVM port.
//!
//! The owner is chosen by the controller (`owner`): the host path, the COW
//! engine, the command sequencer, or the fallback release (`fallback_release`). The NVM answers in order, so ownership
//! may change only while nothing is in flight (`idle`); the controller's
//! blocks wait for `idle` before they take the port, which keeps every
//! response routed to the block that asked.

use crate::config::NVM_ADDR_BITS;
use rust_hdl::prelude::*;

/// Who drives the NVM port.
#[derive(Copy, Clone, PartialEq, Debug, LogicState)]
pub enum NvmOwner {
    Host,
    Cow,
    Sequencer,
    Fallback,
}

/// Bits of the in-flight counter: at most 2^16 − 1 requests outstanding.
const INFLIGHT_BITS: usize = 16;

#[derive(LogicInterface, Default)]
#[join = "NvmSlave"]
pub struct NvmMaster<const D: usize> {
    pub req_valid: Signal<Out, Bit>,
    pub req_ready: Signal<In, Bit>,
    pub req_write: Signal<Out, Bit>,
    pub req_addr: Signal<Out, Bits<NVM_ADDR_BITS>>,
    pub req_wdata: Signal<Out, Bits<D>>,
    pub rsp_valid: Signal<In, Bit>,
    pub rsp_rdata: Signal<In, Bits<D>>,
}

#[derive(LogicInterface, Default)]
#[join = "NvmMaster"]
pub struct NvmSlave<const D: usize> {
    pub req_valid: Signal<In, Bit>,
    pub req_ready: Signal<Out, Bit>,
    pub req_write: Signal<In, Bit>,
    pub req_addr: Signal<In, Bits<NVM_ADDR_BITS>>,
    pub req_wdata: Signal<In, Bits<D>>,
    pub rsp_valid: Signal<Out, Bit>,
    pub rsp_rdata: Signal<Out, Bits<D>>,
}

#[derive(LogicBlock, Default)]
pub struct NvmArbiter<const D: usize> {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub owner: Signal<In, NvmOwner>,
    /// Nothing in flight: ownership may change.
    pub idle: Signal<Out, Bit>,
    pub host: NvmSlave<D>,
    pub cow: NvmSlave<D>,
    pub sequencer: NvmSlave<D>,
    pub fallback: NvmSlave<D>,
    /// To the NVM.
    pub nvm: NvmMaster<D>,
    inflight: DFF<Bits<INFLIGHT_BITS>>,
}

impl<const D: usize> Logic for NvmArbiter<D> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, inflight);
        self.host.req_ready.next = false;
        self.cow.req_ready.next = false;
        self.sequencer.req_ready.next = false;
        self.fallback.req_ready.next = false;
        self.host.rsp_valid.next = false;
        self.cow.rsp_valid.next = false;
        self.sequencer.rsp_valid.next = false;
        self.fallback.rsp_valid.next = false;
        self.host.rsp_rdata.next = self.nvm.rsp_rdata.val();
        self.cow.rsp_rdata.next = self.nvm.rsp_rdata.val();
        self.sequencer.rsp_rdata.next = self.nvm.rsp_rdata.val();
        self.fallback.rsp_rdata.next = self.nvm.rsp_rdata.val();
        self.nvm.req_valid.next = self.host.req_valid.val();
        self.nvm.req_write.next = self.host.req_write.val();
        self.nvm.req_addr.next = self.host.req_addr.val();
        self.nvm.req_wdata.next = self.host.req_wdata.val();
        if self.owner.val() == NvmOwner::Cow {
            self.nvm.req_valid.next = self.cow.req_valid.val();
            self.nvm.req_write.next = self.cow.req_write.val();
            self.nvm.req_addr.next = self.cow.req_addr.val();
            self.nvm.req_wdata.next = self.cow.req_wdata.val();
            self.cow.req_ready.next = self.nvm.req_ready.val();
            self.cow.rsp_valid.next = self.nvm.rsp_valid.val();
        } else if self.owner.val() == NvmOwner::Sequencer {
            self.nvm.req_valid.next = self.sequencer.req_valid.val();
            self.nvm.req_write.next = self.sequencer.req_write.val();
            self.nvm.req_addr.next = self.sequencer.req_addr.val();
            self.nvm.req_wdata.next = self.sequencer.req_wdata.val();
            self.sequencer.req_ready.next = self.nvm.req_ready.val();
            self.sequencer.rsp_valid.next = self.nvm.rsp_valid.val();
        } else if self.owner.val() == NvmOwner::Fallback {
            self.nvm.req_valid.next = self.fallback.req_valid.val();
            self.nvm.req_write.next = self.fallback.req_write.val();
            self.nvm.req_addr.next = self.fallback.req_addr.val();
            self.nvm.req_wdata.next = self.fallback.req_wdata.val();
            self.fallback.req_ready.next = self.nvm.req_ready.val();
            self.fallback.rsp_valid.next = self.nvm.rsp_valid.val();
        } else {
            self.host.req_ready.next = self.nvm.req_ready.val();
            self.host.rsp_valid.next = self.nvm.rsp_valid.val();
        }
        if (self.nvm.req_valid.val() & self.nvm.req_ready.val()) & !self.nvm.rsp_valid.val() {
            self.inflight.d.next = self.inflight.q.val() + 1;
        }
        if !(self.nvm.req_valid.val() & self.nvm.req_ready.val()) & self.nvm.rsp_valid.val() {
            self.inflight.d.next = self.inflight.q.val() - 1;
        }
        if self.reset.val() {
            self.inflight.d.next = 0.into();
        }
        self.idle.next = self.inflight.q.val() == 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_the_owner_and_counts_what_is_in_flight() {
        let mut sim = Simulation::new();
        sim.add_clock(5, |x: &mut Box<NvmArbiter<32>>| x.clock.next = !x.clock.val());
        sim.add_testbench(move |mut sim: Sim<NvmArbiter<32>>| {
            let mut x = sim.init()?;
            x.nvm.req_ready.next = true;
            x.host.req_valid.next = true;
            x.host.req_addr.next = 11.into();
            x.cow.req_valid.next = true;
            x.cow.req_addr.next = 22.into();
            x.cow.req_write.next = true;
            // The host owns the port: its request goes out, only it sees ready.
            x = sim.wait(1, x)?;
            sim_assert!(sim, x.idle.val() & x.nvm.req_valid.val() & x.host.req_ready.val() & !x.cow.req_ready.val(), x);
            sim_assert_eq!(sim, x.nvm.req_addr.val(), 11, x);
            wait_clock_cycle!(sim, clock, x);
            // One in flight; a response and a new request in the same cycle
            // keep the count.
            x.nvm.rsp_valid.next = true;
            x.nvm.rsp_rdata.next = 7.into();
            x = sim.wait(1, x)?;
            sim_assert!(sim, !x.idle.val() & x.host.rsp_valid.val() & !x.cow.rsp_valid.val(), x);
            wait_clock_cycle!(sim, clock, x);
            x.host.req_valid.next = false;
            x = sim.wait(1, x)?;
            sim_assert!(sim, !x.idle.val(), x);
            wait_clock_cycle!(sim, clock, x);
            x.nvm.rsp_valid.next = false;
            x = sim.wait(1, x)?;
            sim_assert!(sim, x.idle.val() & !x.nvm.req_valid.val(), x);
            // The COW engine takes over: its write goes out, the host's ready
            // is low and the answer is the COW engine's.
            x.owner.next = NvmOwner::Cow;
            x.host.req_valid.next = true;
            x = sim.wait(1, x)?;
            sim_assert!(sim, x.nvm.req_valid.val() & x.nvm.req_write.val() & x.cow.req_ready.val() & !x.host.req_ready.val(), x);
            sim_assert_eq!(sim, x.nvm.req_addr.val(), 22, x);
            wait_clock_cycle!(sim, clock, x);
            x.cow.req_valid.next = false;
            x.nvm.rsp_valid.next = true;
            x = sim.wait(1, x)?;
            sim_assert!(sim, x.cow.rsp_valid.val() & !x.host.rsp_valid.val() & !x.sequencer.rsp_valid.val() & !x.fallback.rsp_valid.val(), x);
            wait_clock_cycle!(sim, clock, x);
            x.nvm.rsp_valid.next = false;
            x = sim.wait(1, x)?;
            sim_assert!(sim, x.idle.val(), x);
            sim.done(x)
        });
        let mut uut = NvmArbiter::<32>::default();
        uut.connect_all();
        sim.run(Box::new(uut), 10_000).unwrap();
    }

    #[test]
    fn lints_and_synthesizes() {
        crate::test_support::lint::check_block("nvm_arbiter", NvmArbiter::<32>::default());
    }
}
