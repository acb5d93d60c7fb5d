//! "Write, then wait until durable": the sequencing of one NVM write whose
//! durability a sequence depends on (retiring a commit slot, the switching
//! magic word). The parent drives the write's address and data while
//! `req_valid` is high; this block offers the write, and once it is
//! accepted waits until the NVM port has nothing in flight, so the write
//! has been answered: durable.
//!
//! Timing, with a zero-wait NVM: `start` in cycle t, the write offered in
//! t + 1 (accepted at its end), answered in t + 2, `done` in t + 3 (the
//! port is idle one cycle after the answer).

use rust_hdl::prelude::*;

#[derive(Copy, Clone, PartialEq, Debug, LogicState)]
pub enum DurableState {
    Idle,
    /// The write is offered.
    Offer,
    /// Accepted; waiting for the port to be idle.
    Durable,
}

#[derive(LogicBlock, Default)]
pub struct DurableWrite {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub start: Signal<In, Bit>,
    /// The parent's write is to be offered (it drives address and data).
    pub req_valid: Signal<Out, Bit>,
    pub req_ready: Signal<In, Bit>,
    /// The NVM port has nothing in flight.
    pub nvm_idle: Signal<In, Bit>,
    /// One-cycle pulse: the write is durable.
    pub done: Signal<Out, Bit>,
    state: DFF<DurableState>,
}

impl Logic for DurableWrite {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, state);
        self.req_valid.next = false;
        self.done.next = false;
        match self.state.q.val() {
            DurableState::Idle => {
                if self.start.val() {
                    self.state.d.next = DurableState::Offer;
                }
            }
            DurableState::Offer => {
                self.req_valid.next = true;
                if self.req_ready.val() {
                    self.state.d.next = DurableState::Durable;
                }
            }
            DurableState::Durable => {
                if self.nvm_idle.val() {
                    self.done.next = true;
                    self.state.d.next = DurableState::Idle;
                }
            }
            _ => {
                self.state.d.next = DurableState::Idle;
            }
        }
        if self.reset.val() {
            self.state.d.next = DurableState::Idle;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offers_until_accepted_then_waits_for_an_idle_port() {
        let mut sim = Simulation::new();
        sim.add_clock(5, |x: &mut Box<DurableWrite>| x.clock.next = !x.clock.val());
        sim.add_testbench(move |mut sim: Sim<DurableWrite>| {
            let mut x = sim.init()?;
            x.nvm_idle.next = true;
            cycle!(sim, x, start);
            // Offered, held while the NVM stalls two cycles.
            for _ in 0..2 {
                sim_assert!(sim, x.req_valid.val() & !x.done.val(), x);
                wait_clock_cycle!(sim, clock, x);
            }
            x.req_ready.next = true;
            x.nvm_idle.next = false;
            x = sim.wait(1, x)?;
            sim_assert!(sim, x.req_valid.val(), x);
            wait_clock_cycle!(sim, clock, x);
            x.req_ready.next = false;
            // In flight for three cycles: not done.
            for _ in 0..3 {
                sim_assert!(sim, !x.req_valid.val() & !x.done.val(), x);
                wait_clock_cycle!(sim, clock, x);
            }
            x.nvm_idle.next = true;
            x = sim.wait(1, x)?;
            sim_assert!(sim, x.done.val(), x);
            wait_clock_cycle!(sim, clock, x);
            sim_assert!(sim, !x.done.val() & !x.req_valid.val(), x);
            sim.done(x)
        });
        let mut uut = DurableWrite::default();
        uut.connect_all();
        sim.run(Box::new(uut), 10_000).unwrap();
    }

    #[test]
    fn lints_and_synthesizes() {
        crate::test_support::lint::check_block("durable_write", DurableWrite::default());
    }
}
