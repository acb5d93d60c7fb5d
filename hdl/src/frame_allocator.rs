//! Free-frame allocator: a ring of frame numbers, oldest-freed first, so
//! writes spread over all free frames (wear levelling, claim 2).
//!
//! * `pop` takes the frame at the head (`head_frame`, valid while `!empty`
//!   and `settled`).
//! * `push` appends a freed frame, *staged* (registered first: it takes
//!   effect one cycle later, so `commit`, `publish` and `rollback` come at
//!   least a cycle after the last push; the sequencer leaves more). At `commit` (a snapshot is
//!   durable) staged frames become *retired*, and the frames retired at the
//!   previous commit become free: a frame the superseded snapshot used is
//!   kept until the snapshot after the current one, because that snapshot's
//!   commit record is the fallback should the current record be damaged.
//! * `free_retired` frees the retired frames at once, mid-epoch: the fallback
//!   snapshot yields them to a write that found no other frame free (its
//!   record was invalidated first, durably). They sit right behind the free
//!   region of the ring, so they are handed out last.
//! * `publish` makes every staged and retired frame free at once (FORMAT,
//!   RECOVER, which keep no fallback);
//! * `commit` and `publish` also mark the snapshot point;
//!   `rollback` returns every frame popped since that point (RESTORE), in
//!   O(1): between two snapshots the ring is only ever popped.
//! * `init` empties the ring (FORMAT then pushes every frame).
//!
//! The ring is read at `head`, a register, so a `pop` reaches no further
//! than the head and the counters: `head_frame` is `ring[head]` again one
//! cycle after the head moved (`settled` is low for that cycle; the host
//! port waits for it before it pops, which costs nothing, since it never
//! pops in the cycle after a pop or a command).
//!
//! `fallback_held` says a fallback snapshot is kept: set at `commit` (the
//! superseded snapshot becomes the fallback), cleared by `free_retired`,
//! `publish` and `init`. `free_count` counts the retired frames too: a
//! write can have them for the asking, so it is F minus the frames the
//! committed and working images use (spec I4).

use crate::config::{COUNTER_BITS, FRAME_BITS};
use crate::sync_ram::SyncRam;
use rust_hdl::prelude::*;

/// Bits of a count of frames (0 ..= F ≤ 2^18).
const FRAME_COUNT_BITS: usize = FRAME_BITS + 1;

/// The sequencer's control of the allocator.
#[derive(LogicInterface, Default)]
#[join = "AllocatorControlSlave"]
pub struct AllocatorControlMaster {
    pub push: Signal<Out, Bit>,
    pub push_frame: Signal<Out, Bits<FRAME_BITS>>,
    pub commit: Signal<Out, Bit>,
    pub publish: Signal<Out, Bit>,
    pub rollback: Signal<Out, Bit>,
    pub init: Signal<Out, Bit>,
}

#[derive(LogicInterface, Default)]
#[join = "AllocatorControlMaster"]
pub struct AllocatorControlSlave {
    pub push: Signal<In, Bit>,
    pub push_frame: Signal<In, Bits<FRAME_BITS>>,
    pub commit: Signal<In, Bit>,
    pub publish: Signal<In, Bit>,
    pub rollback: Signal<In, Bit>,
    pub init: Signal<In, Bit>,
}

#[derive(LogicBlock)]
pub struct FrameAllocator {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub pop: Signal<In, Bit>,
    /// push, commit, publish, rollback, init (above).
    pub control: AllocatorControlSlave,
    /// Frees the retired frames: the fallback snapshot yields them.
    pub free_retired: Signal<In, Bit>,
    /// The frame `pop` hands out, while `settled`.
    pub head_frame: Signal<Out, Bits<FRAME_BITS>>,
    /// The head did not move at the last edge: `head_frame` is current.
    pub settled: Signal<Out, Bit>,
    /// No frame can be popped without a `release` first.
    pub empty: Signal<Out, Bit>,
    /// Frames only the fallback snapshot uses (`free_retired` would free them).
    pub reclaimable: Signal<Out, Bit>,
    pub fallback_held: Signal<Out, Bit>,
    /// Frames a write can have: free, plus those the fallback would yield.
    pub free_count: Signal<Out, Bits<COUNTER_BITS>>,
    ring: SyncRam<Bits<FRAME_BITS>, FRAME_BITS>,
    head: DFF<Bits<FRAME_BITS>>,
    tail: DFF<Bits<FRAME_BITS>>,
    count: DFF<Bits<FRAME_COUNT_BITS>>,
    staged: DFF<Bits<FRAME_COUNT_BITS>>,
    retired: DFF<Bits<FRAME_COUNT_BITS>>,
    snap_head: DFF<Bits<FRAME_BITS>>,
    snap_count: DFF<Bits<FRAME_COUNT_BITS>>,
    fallback: DFF<Bit>,
    /// `push` and its frame, registered: the sequencer decides a push from
    /// a table lookup, which is all the time a cycle has.
    pushing: DFF<Bit>,
    push_frame: DFF<Bits<FRAME_BITS>>,
    /// `count` and `retired` are not zero: `empty` and `reclaimable` from
    /// registers, not from a compare of a counter.
    has_free: DFF<Bit>,
    has_retired: DFF<Bit>,
    /// The head did not move at the last edge (the ring's read register holds `ring[head]`).
    head_settled: DFF<Bit>,
    count_next: Signal<Local, Bits<FRAME_COUNT_BITS>>,
    retired_next: Signal<Local, Bits<FRAME_COUNT_BITS>>,
    head_next: Signal<Local, Bits<FRAME_BITS>>,
    head_inc: Signal<Local, Bits<FRAME_BITS>>,
    tail_inc: Signal<Local, Bits<FRAME_BITS>>,
    /// F − 1: the last ring index.
    last: Constant<Bits<FRAME_BITS>>,
}

impl FrameAllocator {
    pub fn new(frames: usize) -> Self {
        FrameAllocator {
            clock: Default::default(),
            reset: Default::default(),
            pop: Default::default(),
            control: Default::default(),
            free_retired: Default::default(),
            head_frame: Default::default(),
            settled: Default::default(),
            empty: Default::default(),
            reclaimable: Default::default(),
            fallback_held: Default::default(),
            free_count: Default::default(),
            ring: SyncRam::new(frames),
            head: Default::default(),
            tail: Default::default(),
            count: Default::default(),
            staged: Default::default(),
            retired: Default::default(),
            snap_head: Default::default(),
            snap_count: Default::default(),
            fallback: Default::default(),
            pushing: Default::default(),
            push_frame: Default::default(),
            has_free: Default::default(),
            has_retired: Default::default(),
            head_settled: Default::default(),
            count_next: Default::default(),
            retired_next: Default::default(),
            head_next: Default::default(),
            head_inc: Default::default(),
            tail_inc: Default::default(),
            last: Constant::new((frames as u64 - 1).to_bits()),
        }
    }
}

impl Logic for FrameAllocator {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, head, tail, count, staged, retired, snap_head, snap_count, fallback, pushing, push_frame, has_free, has_retired, head_settled);
        self.pushing.d.next = self.control.push.val();
        self.push_frame.d.next = self.control.push_frame.val();
        self.count_next.next = self.count.q.val();
        self.retired_next.next = self.retired.q.val();
        self.ring.clock.next = self.clock.val();
        self.head_inc.next = self.head.q.val() + 1;
        if self.head.q.val() == self.last.val() {
            self.head_inc.next = 0.into();
        }
        self.tail_inc.next = self.tail.q.val() + 1;
        if self.tail.q.val() == self.last.val() {
            self.tail_inc.next = 0.into();
        }
        self.head_next.next = self.head.q.val();
        if self.control.rollback.val() {
            self.head_next.next = self.snap_head.q.val();
            self.count_next.next = self.snap_count.q.val();
        } else if self.pop.val() {
            self.head_next.next = self.head_inc.val();
            self.count_next.next = self.count.q.val() - 1;
        }
        if self.control.commit.val() {
            self.count_next.next = self.count.q.val() + self.retired.q.val();
            self.snap_count.d.next = self.count.q.val() + self.retired.q.val();
            self.snap_head.d.next = self.head.q.val();
            self.retired_next.next = self.staged.q.val();
            self.staged.d.next = 0.into();
            self.fallback.d.next = true;
        }
        if self.free_retired.val() {
            // Never together with pop, push, commit or rollback: the host
            // port waits for it, and the sequencer is not running.
            self.count_next.next = self.count.q.val() + self.retired.q.val();
            self.snap_count.d.next = self.snap_count.q.val() + self.retired.q.val();
            self.retired_next.next = 0.into();
            self.fallback.d.next = false;
        }
        if self.control.publish.val() {
            self.count_next.next = self.count.q.val() + self.retired.q.val() + self.staged.q.val();
            self.snap_count.d.next = self.count.q.val() + self.retired.q.val() + self.staged.q.val();
            self.snap_head.d.next = self.head.q.val();
            self.retired_next.next = 0.into();
            self.staged.d.next = 0.into();
            self.fallback.d.next = false;
        }
        self.head.d.next = self.head_next.val();
        self.ring.read_address.next = self.head.q.val();
        self.ring.write_enable.next = self.pushing.q.val();
        self.ring.write_address.next = self.tail.q.val();
        self.ring.write_data.next = self.push_frame.q.val();
        if self.pushing.q.val() {
            self.tail.d.next = self.tail_inc.val();
            self.staged.d.next = self.staged.q.val() + 1;
        }
        if self.reset.val() {
            self.pushing.d.next = false;
        }
        self.head_settled.d.next = !self.pop.val() & !self.control.rollback.val();
        if self.control.init.val() | self.reset.val() {
            self.head_settled.d.next = false;
            self.head.d.next = 0.into();
            self.tail.d.next = 0.into();
            self.count_next.next = 0.into();
            self.staged.d.next = 0.into();
            self.retired_next.next = 0.into();
            self.snap_head.d.next = 0.into();
            self.snap_count.d.next = 0.into();
            self.fallback.d.next = false;
        }
        self.count.d.next = self.count_next.val();
        self.retired.d.next = self.retired_next.val();
        self.has_free.d.next = self.count_next.val().any();
        self.has_retired.d.next = self.retired_next.val().any();
        self.head_frame.next = self.ring.read_data.val();
        self.settled.next = self.head_settled.q.val();
        self.empty.next = !self.has_free.q.val();
        self.reclaimable.next = self.has_retired.q.val();
        self.fallback_held.next = self.fallback.q.val();
        self.free_count.next = bit_cast::<COUNTER_BITS, FRAME_COUNT_BITS>(self.count.q.val() + self.retired.q.val());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The head moved at the last edge: `head_frame` is current one cycle later.
    macro_rules! settle {
        ($sim:ident, $x:ident) => {
            sim_assert!($sim, !$x.settled.val(), $x);
            cycle!($sim, $x);
            sim_assert!($sim, $x.settled.val(), $x);
        };
    }

    #[test]
    fn pops_oldest_first_stages_pushes_and_rolls_back() {
        let mut sim = Simulation::new();
        sim.add_clock(5, |x: &mut Box<FrameAllocator>| x.clock.next = !x.clock.val());
        sim.add_testbench(move |mut sim: Sim<FrameAllocator>| {
            let mut x = sim.init()?;
            cycle!(sim, x, control.init);
            for f in [3u64, 1, 4, 0] {
                x.control.push_frame.next = f.into();
                cycle!(sim, x, control.push);
            }
            // A push counts one cycle later.
            sim_assert_eq!(sim, x.free_count.val(), 0, x);
            cycle!(sim, x);
            cycle!(sim, x, control.publish);
            sim_assert_eq!(sim, x.free_count.val(), 4, x);
            sim_assert!(sim, !x.fallback_held.val(), x);
            sim_assert_eq!(sim, x.head_frame.val(), 3, x);
            cycle!(sim, x, pop);
            settle!(sim, x);
            sim_assert_eq!(sim, x.head_frame.val(), 1, x);
            cycle!(sim, x, pop);
            settle!(sim, x);
            sim_assert_eq!(sim, x.head_frame.val(), 4, x);
            sim_assert_eq!(sim, x.free_count.val(), 2, x);
            // RESTORE: both pops since the commit come back, in order.
            cycle!(sim, x, control.rollback);
            sim_assert_eq!(sim, x.free_count.val(), 4, x);
            settle!(sim, x);
            sim_assert_eq!(sim, x.head_frame.val(), 3, x);
            // Pop one, free one (staged) and commit: the snapshot point
            // moves; the freed frame is retired: the fallback's, counted
            // free, handed out after every other free frame.
            cycle!(sim, x, pop);
            x.control.push_frame.next = 2.into();
            cycle!(sim, x, control.push);
            cycle!(sim, x);
            sim_assert_eq!(sim, x.free_count.val(), 3, x);
            cycle!(sim, x, control.commit);
            sim_assert_eq!(sim, x.free_count.val(), 4, x);
            sim_assert!(sim, x.fallback_held.val() & x.reclaimable.val(), x);
            for want in [1u64, 4, 0] {
                sim_assert_eq!(sim, x.head_frame.val(), want, x);
                cycle!(sim, x, pop);
                settle!(sim, x);
            }
            // Only the fallback's frame is left: empty until released.
            sim_assert!(sim, x.empty.val() & x.reclaimable.val(), x);
            sim_assert_eq!(sim, x.free_count.val(), 1, x);
            sim_assert_eq!(sim, x.head_frame.val(), 2, x);
            cycle!(sim, x, free_retired);
            sim_assert!(sim, !x.empty.val() & !x.reclaimable.val() & !x.fallback_held.val(), x);
            sim_assert_eq!(sim, x.free_count.val(), 1, x);
            cycle!(sim, x, pop);
            sim_assert!(sim, x.empty.val(), x);
            // RESTORE after a release: every frame popped since the commit
            // comes back, the released one included.
            cycle!(sim, x, control.rollback);
            sim_assert_eq!(sim, x.free_count.val(), 4, x);
            settle!(sim, x);
            sim_assert_eq!(sim, x.head_frame.val(), 1, x);
            // A commit with nothing staged keeps a fallback that holds no
            // frame: nothing to reclaim.
            cycle!(sim, x, control.commit);
            sim_assert!(sim, x.fallback_held.val() & !x.reclaimable.val(), x);
            // Drain the ring: it wraps around F = 5 slots and ends empty.
            for want in [1u64, 4, 0, 2] {
                sim_assert_eq!(sim, x.head_frame.val(), want, x);
                cycle!(sim, x, pop);
                settle!(sim, x);
            }
            sim_assert!(sim, x.empty.val() & !x.reclaimable.val(), x);
            cycle!(sim, x, control.init);
            sim_assert!(sim, !x.fallback_held.val(), x);
            sim.done(x)
        });
        let mut uut = FrameAllocator::new(5);
        uut.connect_all();
        sim.run(Box::new(uut), 10_000).unwrap();
    }

    #[test]
    fn lints_and_synthesizes() {
        crate::test_support::lint::check_block("frame_allocator", FrameAllocator::new(24));
    }
}
