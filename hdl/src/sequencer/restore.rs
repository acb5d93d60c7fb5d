//! RESTORE: the working epoch is dropped. The epoch moves on (every working
//! entry becomes stale at once), the allocator rolls back to the snapshot
//! point and the current dirty log is emptied: done in the cycle it starts
//! (2 cycles from command to `cmd_done`), whatever L and the dirty count.
//! Once every 2^16 − 1 restores the epoch tag would wrap: the working table
//! is scrubbed instead (L cycles) and the epoch starts again at 1.

use crate::config::{PAGE_BITS, TAG_BITS};
use crate::frame_allocator::AllocatorControlMaster;
use crate::indirection_table::TableUpdateMaster;
use rust_hdl::prelude::*;

#[derive(Copy, Clone, PartialEq, Debug, LogicState)]
pub enum RestoreState {
    Idle,
    Scrub,
}

#[derive(LogicBlock)]
pub struct RestoreSeq {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub start: Signal<In, Bit>,
    pub done: Signal<Out, Bit>,
    /// A RESTORE started now ends in the same cycle (the epoch is not
    /// about to wrap): the command front ends the command on this, not on
    /// `done`, so its own decision is not chained behind this block's.
    pub instant: Signal<Out, Bit>,
    pub epoch: Signal<In, Bits<TAG_BITS>>,
    /// epoch + 1, or (after a scrub) epoch := 1.
    pub next_epoch: Signal<Out, Bit>,
    pub first_epoch: Signal<Out, Bit>,
    pub owns_table: Signal<Out, Bit>,
    pub table_update: TableUpdateMaster,
    /// The current dirty log is emptied.
    pub log_drop: Signal<Out, Bit>,
    pub alloc: AllocatorControlMaster,
    pub restore_taken: Signal<Out, Bit>,
    state: DFF<RestoreState>,
    /// The page being scrubbed.
    index: DFF<Bits<PAGE_BITS>>,
    /// The epoch can move on without wrapping (`instant`, read here as a
    /// local rather than from this block's own output).
    fits: Signal<Local, Bit>,
    last_page: Constant<Bits<PAGE_BITS>>,
    last_epoch: Constant<Bits<TAG_BITS>>,
}

impl RestoreSeq {
    pub fn new(pages: usize) -> Self {
        RestoreSeq {
            clock: Default::default(),
            reset: Default::default(),
            start: Default::default(),
            done: Default::default(),
            instant: Default::default(),
            epoch: Default::default(),
            next_epoch: Default::default(),
            first_epoch: Default::default(),
            owns_table: Default::default(),
            table_update: Default::default(),
            log_drop: Default::default(),
            alloc: Default::default(),
            restore_taken: Default::default(),
            state: Default::default(),
            index: Default::default(),
            fits: Default::default(),
            last_page: Constant::new((pages as u64 - 1).to_bits()),
            last_epoch: Constant::new(((1u64 << TAG_BITS) - 1).to_bits()),
        }
    }
}

impl Logic for RestoreSeq {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, state, index);
        self.done.next = false;
        self.fits.next = self.epoch.val() != self.last_epoch.val();
        self.instant.next = self.fits.val();
        self.next_epoch.next = false;
        self.first_epoch.next = false;
        self.owns_table.next = self.state.q.val() == RestoreState::Scrub;
        self.table_update.ct_write.next = false;
        self.table_update.ct_page.next = 0.into();
        self.table_update.ct_mapped.next = false;
        self.table_update.ct_frame.next = 0.into();
        self.table_update.wt_clear.next = false;
        self.table_update.wt_page.next = self.index.q.val();
        self.log_drop.next = false;
        self.alloc.push.next = false;
        self.alloc.push_frame.next = 0.into();
        self.alloc.commit.next = false;
        self.alloc.publish.next = false;
        self.alloc.rollback.next = false;
        self.alloc.init.next = false;
        self.restore_taken.next = false;
        match self.state.q.val() {
            RestoreState::Idle => {
                if self.start.val() {
                    self.alloc.rollback.next = true;
                    self.log_drop.next = true;
                    self.restore_taken.next = true;
                    if self.fits.val() {
                        self.next_epoch.next = true;
                        self.done.next = true;
                    } else {
                        self.index.d.next = 0.into();
                        self.state.d.next = RestoreState::Scrub;
                    }
                }
            }
            RestoreState::Scrub => {
                self.table_update.wt_clear.next = true;
                self.index.d.next = self.index.q.val() + 1;
                if self.index.q.val() == self.last_page.val() {
                    self.first_epoch.next = true;
                    self.done.next = true;
                    self.state.d.next = RestoreState::Idle;
                }
            }
            _ => {
                self.state.d.next = RestoreState::Idle;
            }
        }
        if self.reset.val() {
            self.state.d.next = RestoreState::Idle;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restores_in_the_cycle_it_starts_and_scrubs_when_the_epoch_would_wrap() {
        let mut sim = Simulation::new();
        sim.add_clock(5, |x: &mut Box<RestoreSeq>| x.clock.next = !x.clock.val());
        sim.add_testbench(move |mut sim: Sim<RestoreSeq>| {
            let mut x = sim.init()?;
            x.epoch.next = 7.into();
            x.start.next = true;
            x = sim.wait(1, x)?;
            sim_assert!(sim, x.instant.val() & x.done.val() & x.next_epoch.val() & x.alloc.rollback.val() & x.log_drop.val() & x.restore_taken.val(), x);
            wait_clock_cycle!(sim, clock, x);
            x.start.next = false;
            x = sim.wait(1, x)?;
            sim_assert!(sim, !x.done.val() & !x.owns_table.val(), x);
            // The last epoch: four pages scrubbed, one a cycle, then epoch 1.
            x.epoch.next = 0xffff.into();
            x = sim.wait(1, x)?;
            sim_assert!(sim, !x.instant.val(), x);
            cycle!(sim, x, start);
            for page in 0..4u64 {
                x = sim.wait(1, x)?;
                sim_assert!(sim, x.owns_table.val() & x.table_update.wt_clear.val(), x);
                sim_assert_eq!(sim, x.table_update.wt_page.val(), page, x);
                sim_assert_eq!(sim, x.done.val() & x.first_epoch.val(), page == 3, x);
                wait_clock_cycle!(sim, clock, x);
            }
            sim_assert!(sim, !x.owns_table.val(), x);
            sim.done(x)
        });
        let mut uut = RestoreSeq::new(4);
        uut.connect_all();
        sim.run(Box::new(uut), 10_000).unwrap();
    }

    #[test]
    fn lints_and_synthesizes() {
        crate::test_support::lint::check_block("restore", RestoreSeq::new(16));
    }
}
