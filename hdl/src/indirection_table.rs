//! The on-chip indirection tables: where each logical page lives.
//!
//! * committed table `ct[page] = (mapped, frame)`: a cache of the committed
//!   table in NVM; it describes the snapshot `S`.
//! * working table `wt[page] = (tag, frame)`: the page's frame in the working
//!   image `M`, valid only while `tag` equals the current epoch. A page whose
//!   tag is stale reads through to `ct` (copy-on-write view), so RESTORE drops
//!   every working entry at once by changing the epoch.
//!
//! One read address serves both RAMs; results appear the next cycle.
//!
//! Writes: the host port's remap (`wt[page] = (epoch, frame)` after a COW
//! fault) and the sequencer's [`TableUpdateMaster`]: a committed entry, and
//! clearing a working entry (tag 0, never an epoch: the page reads through
//! to `ct`), which wins over a remap in the same cycle (it never happens:
//! the host port is closed while the sequencer writes).

use crate::config::{FRAME_BITS, PAGE_BITS, TAG_BITS};
use crate::sync_ram::SyncRam;
use rust_hdl::prelude::*;

/// Committed entry: bit FRAME_BITS = mapped, low bits = frame.
pub const CT_BITS: usize = FRAME_BITS + 1;
/// Working entry: high TAG_BITS = epoch tag, low bits = frame.
pub const WT_BITS: usize = TAG_BITS + FRAME_BITS;

/// The sequencer's writes to the tables.
#[derive(LogicInterface, Default)]
#[join = "TableUpdateSlave"]
pub struct TableUpdateMaster {
    /// `ct[ct_page] = (ct_mapped, ct_frame)`.
    pub ct_write: Signal<Out, Bit>,
    pub ct_page: Signal<Out, Bits<PAGE_BITS>>,
    pub ct_mapped: Signal<Out, Bit>,
    pub ct_frame: Signal<Out, Bits<FRAME_BITS>>,
    /// `wt[wt_page]` := tag 0: the page reads through to `ct`.
    pub wt_clear: Signal<Out, Bit>,
    pub wt_page: Signal<Out, Bits<PAGE_BITS>>,
}

#[derive(LogicInterface, Default)]
#[join = "TableUpdateMaster"]
pub struct TableUpdateSlave {
    pub ct_write: Signal<In, Bit>,
    pub ct_page: Signal<In, Bits<PAGE_BITS>>,
    pub ct_mapped: Signal<In, Bit>,
    pub ct_frame: Signal<In, Bits<FRAME_BITS>>,
    pub wt_clear: Signal<In, Bit>,
    pub wt_page: Signal<In, Bits<PAGE_BITS>>,
}

#[derive(LogicBlock)]
pub struct IndirectionTable {
    pub clock: Signal<In, Clock>,
    /// Page looked up at the next edge.
    pub read_page: Signal<In, Bits<PAGE_BITS>>,
    /// The current epoch; working entries with another tag are stale.
    pub epoch: Signal<In, Bits<TAG_BITS>>,
    /// Lookup results for the page presented one cycle earlier.
    pub committed_mapped: Signal<Out, Bit>,
    pub committed_frame: Signal<Out, Bits<FRAME_BITS>>,
    /// The page was remapped in this epoch (its frame is private to `M`).
    pub owned: Signal<Out, Bit>,
    /// The page's frame in the working image `M`, and whether it has one.
    pub working_mapped: Signal<Out, Bit>,
    pub working_frame: Signal<Out, Bits<FRAME_BITS>>,
    /// `owned` in parts, for a reader that registers them before it
    /// decides (lookup latency 2): each half of the tag compare, and the
    /// working entry's frame. `owned` = both halves.
    pub tag_low_match: Signal<Out, Bit>,
    pub tag_high_match: Signal<Out, Bit>,
    pub tagged_frame: Signal<Out, Bits<FRAME_BITS>>,
    /// The sequencer's writes.
    pub update: TableUpdateSlave,
    /// The host port's remap: `wt[remap_page] = (epoch, remap_frame)`.
    pub remap: Signal<In, Bit>,
    pub remap_page: Signal<In, Bits<PAGE_BITS>>,
    pub remap_frame: Signal<In, Bits<FRAME_BITS>>,
    ct: SyncRam<Bits<CT_BITS>, PAGE_BITS>,
    wt: SyncRam<Bits<WT_BITS>, PAGE_BITS>,
    mapped_flag: Constant<Bits<CT_BITS>>,
}

impl IndirectionTable {
    pub fn new(pages: usize) -> Self {
        IndirectionTable {
            clock: Default::default(),
            read_page: Default::default(),
            epoch: Default::default(),
            committed_mapped: Default::default(),
            committed_frame: Default::default(),
            owned: Default::default(),
            working_mapped: Default::default(),
            working_frame: Default::default(),
            tag_low_match: Default::default(),
            tag_high_match: Default::default(),
            tagged_frame: Default::default(),
            update: Default::default(),
            remap: Default::default(),
            remap_page: Default::default(),
            remap_frame: Default::default(),
            ct: SyncRam::new(pages),
            wt: SyncRam::new(pages),
            mapped_flag: Constant::new(Bits::<CT_BITS>::from(1u64 << FRAME_BITS)),
        }
    }
}

impl Logic for IndirectionTable {
    #[hdl_gen]
    fn update(&mut self) {
        self.ct.clock.next = self.clock.val();
        self.wt.clock.next = self.clock.val();
        self.ct.read_address.next = self.read_page.val();
        self.wt.read_address.next = self.read_page.val();
        self.ct.write_enable.next = self.update.ct_write.val();
        self.ct.write_address.next = self.update.ct_page.val();
        // Offsets below are literals: rust-hdl copies them into the Verilog
        // verbatim (FRAME_BITS = 18, checked in config.rs).
        self.ct.write_data.next = bit_cast::<CT_BITS, FRAME_BITS>(self.update.ct_frame.val());
        if self.update.ct_mapped.val() {
            self.ct.write_data.next = bit_cast::<CT_BITS, FRAME_BITS>(self.update.ct_frame.val()) | self.mapped_flag.val();
        }
        self.wt.write_enable.next = self.remap.val() | self.update.wt_clear.val();
        self.wt.write_address.next = self.remap_page.val();
        self.wt.write_data.next = bit_cast::<WT_BITS, FRAME_BITS>(self.remap_frame.val()) | (bit_cast::<WT_BITS, TAG_BITS>(self.epoch.val()) << 18);
        if self.update.wt_clear.val() {
            self.wt.write_address.next = self.update.wt_page.val();
            self.wt.write_data.next = 0.into();
        }
        self.tag_low_match.next = self.wt.read_data.val().get_bits::<8>(18) == self.epoch.val().get_bits::<8>(0);
        self.tag_high_match.next = self.wt.read_data.val().get_bits::<8>(26) == self.epoch.val().get_bits::<8>(8);
        self.tagged_frame.next = self.wt.read_data.val().get_bits::<FRAME_BITS>(0);
        self.committed_mapped.next = self.ct.read_data.val().get_bit(18);
        self.committed_frame.next = self.ct.read_data.val().get_bits::<FRAME_BITS>(0);
        self.owned.next = self.tag_low_match.val() & self.tag_high_match.val();
        if self.owned.val() {
            self.working_mapped.next = true;
            self.working_frame.next = self.wt.read_data.val().get_bits::<FRAME_BITS>(0);
        } else {
            self.working_mapped.next = self.ct.read_data.val().get_bit(18);
            self.working_frame.next = self.ct.read_data.val().get_bits::<FRAME_BITS>(0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn working_entries_count_only_in_their_epoch() {
        let mut sim = Simulation::new();
        sim.add_clock(5, |x: &mut Box<IndirectionTable>| x.clock.next = !x.clock.val());
        sim.add_testbench(move |mut sim: Sim<IndirectionTable>| {
            let mut x = sim.init()?;
            x.epoch.next = 3.into();
            // Page 1 committed to frame 9; working copy in frame 4, epoch 3.
            x.update.ct_write.next = true;
            x.update.ct_page.next = 1.into();
            x.update.ct_mapped.next = true;
            x.update.ct_frame.next = 9.into();
            x.remap.next = true;
            x.remap_page.next = 1.into();
            x.remap_frame.next = 4.into();
            wait_clock_cycle!(sim, clock, x);
            x.update.ct_write.next = false;
            x.remap.next = false;
            x.read_page.next = 1.into();
            wait_clock_cycle!(sim, clock, x);
            sim_assert!(sim, x.owned.val() & x.working_mapped.val() & x.committed_mapped.val(), x);
            sim_assert_eq!(sim, x.working_frame.val(), 4, x);
            sim_assert_eq!(sim, x.committed_frame.val(), 9, x);
            sim_assert!(sim, x.tag_low_match.val() & x.tag_high_match.val(), x);
            sim_assert_eq!(sim, x.tagged_frame.val(), 4, x);
            // A new epoch (RESTORE): the page reads through to the snapshot.
            x.epoch.next = 4.into();
            wait_clock_cycle!(sim, clock, x);
            sim_assert!(sim, !x.owned.val() & x.working_mapped.val(), x);
            sim_assert!(sim, !x.tag_low_match.val() & x.tag_high_match.val(), x);
            // An epoch that differs only in the high half.
            x.epoch.next = (3 + 256).into();
            wait_clock_cycle!(sim, clock, x);
            sim_assert!(sim, !x.owned.val() & x.tag_low_match.val() & !x.tag_high_match.val(), x);
            x.epoch.next = 4.into();
            wait_clock_cycle!(sim, clock, x);
            sim_assert_eq!(sim, x.working_frame.val(), 9, x);
            // Back in epoch 3, the sequencer clears the working entry.
            x.epoch.next = 3.into();
            wait_clock_cycle!(sim, clock, x);
            sim_assert!(sim, x.owned.val(), x);
            x.update.wt_clear.next = true;
            x.update.wt_page.next = 1.into();
            wait_clock_cycle!(sim, clock, x);
            x.update.wt_clear.next = false;
            wait_clock_cycle!(sim, clock, x);
            sim_assert!(sim, !x.owned.val(), x);
            sim_assert_eq!(sim, x.working_frame.val(), 9, x);
            sim.done(x)
        });
        let mut uut = IndirectionTable::new(4);
        uut.connect_all();
        sim.run(Box::new(uut), 10_000).unwrap();
    }

    #[test]
    fn lints_and_synthesizes() {
        crate::test_support::lint::check_block("indirection_table", IndirectionTable::new(16));
    }
}
