//! Skid buffer: one request (write, address, data) of room in front of a
//! pipeline, so the `in_ready` a sender sees is a register and not the
//! pipeline's decision of this cycle.
//!
//! Empty, it passes a request straight through (`out_*` = `in_*`, no
//! cycle added). When the pipeline refuses a request it accepted
//! (`in_valid & in_ready & !out_ready`), the buffer keeps it and offers it
//! instead, with `in_ready` low, until the pipeline takes it. Requests
//! leave in the order they came.

use crate::config::HOST_ADDR_BITS;
use rust_hdl::prelude::*;

#[derive(LogicBlock, Default)]
pub struct SkidBuffer<const D: usize> {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    /// The sender's side.
    pub in_valid: Signal<In, Bit>,
    pub in_ready: Signal<Out, Bit>,
    pub in_write: Signal<In, Bit>,
    pub in_addr: Signal<In, Bits<HOST_ADDR_BITS>>,
    pub in_data: Signal<In, Bits<D>>,
    /// The pipeline's side.
    pub out_valid: Signal<Out, Bit>,
    pub out_ready: Signal<In, Bit>,
    pub out_write: Signal<Out, Bit>,
    pub out_addr: Signal<Out, Bits<HOST_ADDR_BITS>>,
    pub out_data: Signal<Out, Bits<D>>,
    /// A refused request is held.
    full: DFF<Bit>,
    write: DFF<Bit>,
    addr: DFF<Bits<HOST_ADDR_BITS>>,
    data: DFF<Bits<D>>,
}

impl<const D: usize> Logic for SkidBuffer<D> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, full, write, addr, data);
        self.in_ready.next = !self.full.q.val();
        self.out_valid.next = self.in_valid.val();
        self.out_write.next = self.in_write.val();
        self.out_addr.next = self.in_addr.val();
        self.out_data.next = self.in_data.val();
        if self.full.q.val() {
            self.out_valid.next = true;
            self.out_write.next = self.write.q.val();
            self.out_addr.next = self.addr.q.val();
            self.out_data.next = self.data.q.val();
            if self.out_ready.val() {
                self.full.d.next = false;
            }
        } else {
            // Capture every offered request; it counts only if refused.
            self.write.d.next = self.in_write.val();
            self.addr.d.next = self.in_addr.val();
            self.data.d.next = self.in_data.val();
            self.full.d.next = self.in_valid.val() & !self.out_ready.val();
        }
        if self.reset.val() {
            self.full.d.next = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Offers requests 1, 2, 3, ... back to back against a pipeline that
    /// refuses in the cycles `refuse`; returns (cycle, request) of what the
    /// pipeline took and the cycles `in_ready` was low.
    fn run(refuse: Vec<u64>, offers: u64) -> (Vec<(u64, u64)>, Vec<u64>) {
        let (tx, rx) = std::sync::mpsc::channel();
        let mut sim = Simulation::new();
        sim.add_clock(5, |x: &mut Box<SkidBuffer<32>>| x.clock.next = !x.clock.val());
        sim.add_testbench(move |mut sim: Sim<SkidBuffer<32>>| {
            let mut x = sim.init()?;
            let (mut next, mut taken, mut not_ready) = (1u64, Vec::new(), Vec::new());
            for cycle in 0..40u64 {
                x.in_valid.next = next <= offers;
                x.in_addr.next = next.to_bits();
                x.in_data.next = (next * 10).to_bits();
                x.in_write.next = next % 2 == 1;
                x.out_ready.next = !refuse.contains(&cycle);
                x = sim.wait(1, x)?;
                if x.out_valid.val() && x.out_ready.val() {
                    let r = x.out_addr.val().index() as u64;
                    sim_assert!(sim, x.out_data.val().index() as u64 == r * 10 && x.out_write.val() == (r % 2 == 1), x);
                    taken.push((cycle, r));
                }
                if !x.in_ready.val() {
                    not_ready.push(cycle);
                }
                if x.in_valid.val() && x.in_ready.val() {
                    next += 1;
                }
                wait_clock_cycle!(sim, clock, x);
            }
            tx.send((taken, not_ready)).unwrap();
            sim.done(x)
        });
        let mut uut = SkidBuffer::<32>::default();
        uut.connect_all();
        sim.run(Box::new(uut), 10_000).unwrap();
        rx.recv().unwrap()
    }

    #[test]
    fn passes_through_when_empty_and_holds_one_refused_request() {
        // Never refused: every request passes in the cycle it is offered.
        let (taken, not_ready) = run(Vec::new(), 5);
        assert_eq!(taken, (1..=5).map(|r| (r - 1, r)).collect::<Vec<_>>());
        assert!(not_ready.is_empty());
        // Refused in cycles 2..=4: request 3 is held (ready low from cycle 3
        // until the cycle after it leaves); nothing lost, nothing reordered.
        let (taken, not_ready) = run(vec![2, 3, 4], 6);
        assert_eq!(taken, vec![(0, 1), (1, 2), (5, 3), (6, 4), (7, 5), (8, 6)]);
        assert_eq!(not_ready, vec![3, 4, 5]);
        // Refusals every other cycle: still in order, none lost.
        let (taken, _) = run((0..40).step_by(2).collect(), 8);
        assert_eq!(taken.iter().map(|t| t.1).collect::<Vec<_>>(), (1..=8).collect::<Vec<_>>());
        assert!(taken.iter().all(|t| t.0 % 2 == 1));
    }

    #[test]
    fn lints_and_synthesizes() {
        crate::test_support::lint::check_block("skid_buffer", SkidBuffer::<32>::default());
    }
}
