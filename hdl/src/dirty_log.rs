//! The dirty logs: which pages were remapped (copied on write) in the current
//! epoch, and in the one before it.
//!
//! SNAPSHOT hardens exactly these pages into the inactive NVM table (which
//! was last written two snapshots ago, so it differs from the new image in
//! both epochs' pages), so its cost is O(dirty), independent of `L`.
//! Both logs live in one RAM of 2·L page numbers; `bank` says which half is
//! current. `swap` (after a SNAPSHOT) turns the current log into the previous
//! one; `drop` (RESTORE) empties the current log; `clear` (FORMAT) both.

use crate::config::{COUNTER_BITS, LOG_BITS, PAGE_BITS};
use crate::sync_ram::SyncRam;
use rust_hdl::prelude::*;

/// The sequencer's side of the logs: reading them (SNAPSHOT hardens their
/// pages) and turning them over.
#[derive(LogicInterface, Default)]
#[join = "DirtyLogSlave"]
pub struct DirtyLogMaster {
    /// Entry to read at the next edge, and from which log.
    pub read_index: Signal<Out, Bits<LOG_BITS>>,
    pub read_previous: Signal<Out, Bit>,
    /// The page at the entry presented one cycle earlier.
    pub read_page: Signal<In, Bits<PAGE_BITS>>,
    pub current_count: Signal<In, Bits<COUNTER_BITS>>,
    pub previous_count: Signal<In, Bits<COUNTER_BITS>>,
    /// After a SNAPSHOT: the current log becomes the previous one.
    pub swap: Signal<Out, Bit>,
    /// RESTORE: the current log is emptied.
    pub drop: Signal<Out, Bit>,
    /// FORMAT, RECOVER: both are.
    pub clear: Signal<Out, Bit>,
}

#[derive(LogicInterface, Default)]
#[join = "DirtyLogMaster"]
pub struct DirtyLogSlave {
    pub read_index: Signal<In, Bits<LOG_BITS>>,
    pub read_previous: Signal<In, Bit>,
    pub read_page: Signal<Out, Bits<PAGE_BITS>>,
    pub current_count: Signal<Out, Bits<COUNTER_BITS>>,
    pub previous_count: Signal<Out, Bits<COUNTER_BITS>>,
    pub swap: Signal<In, Bit>,
    pub drop: Signal<In, Bit>,
    pub clear: Signal<In, Bit>,
}

#[derive(LogicBlock)]
pub struct DirtyLog {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    /// The host port logs a page remapped in this epoch.
    pub append: Signal<In, Bit>,
    pub append_page: Signal<In, Bits<PAGE_BITS>>,
    pub control: DirtyLogSlave,
    log: SyncRam<Bits<PAGE_BITS>, LOG_BITS>,
    bank: DFF<Bit>,
    current: DFF<Bits<COUNTER_BITS>>,
    previous: DFF<Bits<COUNTER_BITS>>,
    current_base: Signal<Local, Bits<LOG_BITS>>,
    previous_base: Signal<Local, Bits<LOG_BITS>>,
    /// L: size of one log.
    pages: Constant<Bits<LOG_BITS>>,
}

impl DirtyLog {
    pub fn new(pages: usize) -> Self {
        DirtyLog {
            clock: Default::default(),
            reset: Default::default(),
            append: Default::default(),
            append_page: Default::default(),
            control: Default::default(),
            log: SyncRam::new(2 * pages),
            bank: Default::default(),
            current: Default::default(),
            previous: Default::default(),
            current_base: Default::default(),
            previous_base: Default::default(),
            pages: Constant::new((pages as u64).to_bits()),
        }
    }
}

impl Logic for DirtyLog {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, bank, current, previous);
        self.log.clock.next = self.clock.val();
        self.current_base.next = 0.into();
        self.previous_base.next = self.pages.val();
        if self.bank.q.val() {
            self.current_base.next = self.pages.val();
            self.previous_base.next = 0.into();
        }
        self.log.write_enable.next = self.append.val();
        self.log.write_address.next = self.current_base.val() + bit_cast::<LOG_BITS, COUNTER_BITS>(self.current.q.val());
        self.log.write_data.next = self.append_page.val();
        self.log.read_address.next = self.current_base.val() + self.control.read_index.val();
        if self.control.read_previous.val() {
            self.log.read_address.next = self.previous_base.val() + self.control.read_index.val();
        }
        if self.append.val() {
            self.current.d.next = self.current.q.val() + 1;
        }
        if self.control.swap.val() {
            self.bank.d.next = !self.bank.q.val();
            self.previous.d.next = self.current.q.val();
            self.current.d.next = 0.into();
        }
        if self.control.drop.val() {
            self.current.d.next = 0.into();
        }
        if self.control.clear.val() | self.reset.val() {
            self.bank.d.next = false;
            self.current.d.next = 0.into();
            self.previous.d.next = 0.into();
        }
        self.control.read_page.next = self.log.read_data.val();
        self.control.current_count.next = self.current.q.val();
        self.control.previous_count.next = self.previous.q.val();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swap_keeps_the_previous_epoch_and_drop_empties_the_current() {
        let mut sim = Simulation::new();
        sim.add_clock(5, |x: &mut Box<DirtyLog>| x.clock.next = !x.clock.val());
        sim.add_testbench(move |mut sim: Sim<DirtyLog>| {
            let mut x = sim.init()?;
            cycle!(sim, x, control.clear);
            for p in [7u64, 2] {
                x.append_page.next = p.into();
                cycle!(sim, x, append);
            }
            sim_assert_eq!(sim, x.control.current_count.val(), 2, x);
            cycle!(sim, x, control.swap);
            sim_assert_eq!(sim, x.control.current_count.val(), 0, x);
            sim_assert_eq!(sim, x.control.previous_count.val(), 2, x);
            x.append_page.next = 5.into();
            cycle!(sim, x, append);
            // Entries read one cycle after their index is presented.
            x.control.read_previous.next = true;
            x.control.read_index.next = 1.into();
            wait_clock_cycle!(sim, clock, x);
            sim_assert_eq!(sim, x.control.read_page.val(), 2, x);
            x.control.read_previous.next = false;
            x.control.read_index.next = 0.into();
            wait_clock_cycle!(sim, clock, x);
            sim_assert_eq!(sim, x.control.read_page.val(), 5, x);
            cycle!(sim, x, control.drop);
            sim_assert_eq!(sim, x.control.current_count.val(), 0, x);
            sim_assert_eq!(sim, x.control.previous_count.val(), 2, x);
            sim.done(x)
        });
        let mut uut = DirtyLog::new(4);
        uut.connect_all();
        sim.run(Box::new(uut), 10_000).unwrap();
    }

    #[test]
    fn lints_and_synthesizes() {
        crate::test_support::lint::check_block("dirty_log", DirtyLog::new(16));
    }
}
