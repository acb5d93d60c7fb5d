//! Gives up the fallback snapshot when the working image needs its frames.
//!
//! After a SNAPSHOT the frames only the superseded snapshot uses are kept
//! (retired, see `frame_allocator`), so its commit record — the fallback —
//! still describes an intact image should the committed record be found
//! damaged at rest. That must never cost a write: when a COW fault finds no
//! other frame free, the host port starts this block. It writes 0 over the
//! fallback record's magic word, waits until that write is durable (its
//! response), and only then frees the retired frames (`done`, which drives
//! the allocator's `free_retired`). So no write can land in a frame of a valid
//! record, even across a power loss (I1).
//!
//! The fallback lives in the slot the committed record is not in.
//! Cost: 3 cycles + the NVM's write latency before the COW fault proceeds
//! (`tests/cycles.rs`).

use crate::config::NVM_ADDR_BITS;
use crate::nvm_arbiter::NvmMaster;
use crate::Config;
use rust_hdl::prelude::*;

#[derive(Copy, Clone, PartialEq, Debug, LogicState)]
pub enum ReleaseState {
    Idle,
    /// Offer the write of 0 over the fallback's magic word.
    Retire,
    /// Wait for its response: the record is durably invalid.
    Durable,
}

#[derive(LogicBlock)]
pub struct FallbackRelease<const D: usize> {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    /// Starts a release; the NVM port must have nothing in flight.
    pub start: Signal<In, Bit>,
    /// The fallback's commit slot (0 or 1).
    pub fallback_slot: Signal<In, Bit>,
    /// NVM master port (through the arbiter).
    pub nvm: NvmMaster<D>,
    /// One-cycle pulse: the fallback record is durably invalid; its frames
    /// may be handed out.
    pub done: Signal<Out, Bit>,
    state: DFF<ReleaseState>,
    /// A write's response carries no data; Verilator's lint exempts names
    /// with "unused" in them.
    unused_rdata: Signal<Local, Bit>,
    slot_1_base: Constant<Bits<NVM_ADDR_BITS>>,
}

impl<const D: usize> FallbackRelease<D> {
    pub fn new(config: &Config) -> Self {
        FallbackRelease {
            clock: Default::default(),
            reset: Default::default(),
            start: Default::default(),
            fallback_slot: Default::default(),
            nvm: Default::default(),
            done: Default::default(),
            state: Default::default(),
            unused_rdata: Default::default(),
            slot_1_base: Constant::new(config.layout().slot_base(1).to_bits()),
        }
    }
}

impl<const D: usize> Logic for FallbackRelease<D> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, state);
        self.nvm.req_valid.next = false;
        self.nvm.req_write.next = true;
        // The magic word is word 0 of the slot.
        self.nvm.req_addr.next = 0.into();
        if self.fallback_slot.val() {
            self.nvm.req_addr.next = self.slot_1_base.val();
        }
        self.nvm.req_wdata.next = 0.into();
        self.done.next = false;
        self.unused_rdata.next = self.nvm.rsp_rdata.val().any();
        match self.state.q.val() {
            ReleaseState::Idle => {
                if self.start.val() {
                    self.state.d.next = ReleaseState::Retire;
                }
            }
            ReleaseState::Retire => {
                self.nvm.req_valid.next = true;
                if self.nvm.req_ready.val() {
                    self.state.d.next = ReleaseState::Durable;
                }
            }
            ReleaseState::Durable => {
                if self.nvm.rsp_valid.val() {
                    self.done.next = true;
                    self.state.d.next = ReleaseState::Idle;
                }
            }
            _ => {
                self.state.d.next = ReleaseState::Idle;
            }
        }
        if self.reset.val() {
            self.state.d.next = ReleaseState::Idle;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retires_the_fallback_record_then_reports_done_once_it_is_durable() {
        let config = Config::sized(4, 4, 8, 32);
        let mut sim = Simulation::new();
        sim.add_clock(5, |x: &mut Box<FallbackRelease<32>>| x.clock.next = !x.clock.val());
        sim.add_testbench(move |mut sim: Sim<FallbackRelease<32>>| {
            let mut x = sim.init()?;
            x.fallback_slot.next = true;
            cycle!(sim, x, start);
            // The NVM stalls for two cycles: the write stays offered, intact.
            for _ in 0..2 {
                sim_assert!(sim, x.nvm.req_valid.val() & x.nvm.req_write.val(), x);
                sim_assert_eq!(sim, x.nvm.req_addr.val(), 8, x);
                sim_assert_eq!(sim, x.nvm.req_wdata.val(), 0, x);
                wait_clock_cycle!(sim, clock, x);
            }
            x.nvm.req_ready.next = true;
            wait_clock_cycle!(sim, clock, x);
            x.nvm.req_ready.next = false;
            // Accepted, not answered: nothing is released yet.
            for _ in 0..3 {
                sim_assert!(sim, !x.nvm.req_valid.val() & !x.done.val(), x);
                wait_clock_cycle!(sim, clock, x);
            }
            x.nvm.rsp_valid.next = true;
            x = sim.wait(1, x)?;
            sim_assert!(sim, x.done.val(), x);
            wait_clock_cycle!(sim, clock, x);
            x.nvm.rsp_valid.next = false;
            sim_assert!(sim, !x.done.val() & !x.nvm.req_valid.val(), x);
            // Slot 0's fallback: its magic is word 0.
            x.fallback_slot.next = false;
            cycle!(sim, x, start);
            sim_assert_eq!(sim, x.nvm.req_addr.val(), 0, x);
            sim.done(x)
        });
        let mut uut = FallbackRelease::<32>::new(&config);
        uut.connect_all();
        sim.run(Box::new(uut), 10_000).unwrap();
    }

    #[test]
    fn lints_and_synthesizes() {
        crate::test_support::lint::check_block("fallback_release", FallbackRelease::<32>::new(&crate::Config::default()));
    }
}
