//! Event counters exported on the status port (contract §3).

use crate::config::COUNTER_BITS;
use rust_hdl::prelude::*;

#[derive(LogicBlock, Default)]
pub struct StatusCounters {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    /// One-cycle event pulses.
    pub cow_fault: Signal<In, Bit>,
    pub page_hardened: Signal<In, Bit>,
    pub snapshot: Signal<In, Bit>,
    pub restore: Signal<In, Bit>,
    pub error: Signal<In, Bit>,
    pub cow_faults: Signal<Out, Bits<COUNTER_BITS>>,
    pub pages_hardened: Signal<Out, Bits<COUNTER_BITS>>,
    pub snapshots: Signal<Out, Bits<COUNTER_BITS>>,
    pub restores: Signal<Out, Bits<COUNTER_BITS>>,
    pub errors: Signal<Out, Bits<COUNTER_BITS>>,
    cow: DFF<Bits<COUNTER_BITS>>,
    hardened: DFF<Bits<COUNTER_BITS>>,
    snaps: DFF<Bits<COUNTER_BITS>>,
    rests: DFF<Bits<COUNTER_BITS>>,
    errs: DFF<Bits<COUNTER_BITS>>,
}

impl Logic for StatusCounters {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, cow, hardened, snaps, rests, errs);
        if self.cow_fault.val() {
            self.cow.d.next = self.cow.q.val() + 1;
        }
        if self.page_hardened.val() {
            self.hardened.d.next = self.hardened.q.val() + 1;
        }
        if self.snapshot.val() {
            self.snaps.d.next = self.snaps.q.val() + 1;
        }
        if self.restore.val() {
            self.rests.d.next = self.rests.q.val() + 1;
        }
        if self.error.val() {
            self.errs.d.next = self.errs.q.val() + 1;
        }
        if self.reset.val() {
            self.cow.d.next = 0.into();
            self.hardened.d.next = 0.into();
            self.snaps.d.next = 0.into();
            self.rests.d.next = 0.into();
            self.errs.d.next = 0.into();
        }
        self.cow_faults.next = self.cow.q.val();
        self.pages_hardened.next = self.hardened.q.val();
        self.snapshots.next = self.snaps.q.val();
        self.restores.next = self.rests.q.val();
        self.errors.next = self.errs.q.val();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lints_and_synthesizes() {
        crate::test_support::lint::check_block("status_counters", StatusCounters::default());
    }
}
