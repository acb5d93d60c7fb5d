//! Free-frame allocator: a ring of frame numbers, oldest-freed first, so
//! writes spread over all free frames (wear levelling, claim 2).
//!
//! * `pop` takes the frame at the head (`head_frame`, valid while `!empty`).
//! * `push` appends a freed frame, *staged*: it becomes allocatable only at
//!   `commit`, because SNAPSHOT frees frames before its commit record is
//!   durable.
//! * `commit` publishes the staged frames and marks the snapshot point;
//!   `rollback` returns every frame popped since that point (RESTORE), in
//!   O(1): between two snapshots the ring is only ever popped.
//! * `init` empties the ring (FORMAT then pushes every frame).

use crate::config::{COUNTER_BITS, FRAME_BITS};
use crate::sync_ram::SyncRam;
use rust_hdl::prelude::*;

#[derive(LogicBlock)]
pub struct FrameAllocator {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub pop: Signal<In, Bit>,
    pub push: Signal<In, Bit>,
    pub push_frame: Signal<In, Bits<FRAME_BITS>>,
    pub commit: Signal<In, Bit>,
    pub rollback: Signal<In, Bit>,
    pub init: Signal<In, Bit>,
    /// The frame `pop` hands out.
    pub head_frame: Signal<Out, Bits<FRAME_BITS>>,
    pub empty: Signal<Out, Bit>,
    /// Allocatable frames (published, not popped).
    pub free_count: Signal<Out, Bits<COUNTER_BITS>>,
    ring: SyncRam<Bits<FRAME_BITS>, FRAME_BITS>,
    head: DFF<Bits<FRAME_BITS>>,
    tail: DFF<Bits<FRAME_BITS>>,
    count: DFF<Bits<COUNTER_BITS>>,
    staged: DFF<Bits<COUNTER_BITS>>,
    snap_head: DFF<Bits<FRAME_BITS>>,
    snap_count: DFF<Bits<COUNTER_BITS>>,
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
            push: Default::default(),
            push_frame: Default::default(),
            commit: Default::default(),
            rollback: Default::default(),
            init: Default::default(),
            head_frame: Default::default(),
            empty: Default::default(),
            free_count: Default::default(),
            ring: SyncRam::new(frames),
            head: Default::default(),
            tail: Default::default(),
            count: Default::default(),
            staged: Default::default(),
            snap_head: Default::default(),
            snap_count: Default::default(),
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
        dff_setup!(self, clock, head, tail, count, staged, snap_head, snap_count);
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
        if self.rollback.val() {
            self.head_next.next = self.snap_head.q.val();
            self.count.d.next = self.snap_count.q.val();
        } else if self.pop.val() {
            self.head_next.next = self.head_inc.val();
            self.count.d.next = self.count.q.val() - 1;
        }
        if self.commit.val() {
            self.count.d.next = self.count.q.val() + self.staged.q.val();
            self.snap_count.d.next = self.count.q.val() + self.staged.q.val();
            self.snap_head.d.next = self.head.q.val();
            self.staged.d.next = 0.into();
        }
        self.head.d.next = self.head_next.val();
        // The ring is read at the next head, so head_frame is always ring[head].
        self.ring.read_address.next = self.head_next.val();
        self.ring.write_enable.next = self.push.val();
        self.ring.write_address.next = self.tail.q.val();
        self.ring.write_data.next = self.push_frame.val();
        if self.push.val() {
            self.tail.d.next = self.tail_inc.val();
            self.staged.d.next = self.staged.q.val() + 1;
        }
        if self.init.val() | self.reset.val() {
            self.head.d.next = 0.into();
            self.tail.d.next = 0.into();
            self.count.d.next = 0.into();
            self.staged.d.next = 0.into();
            self.snap_head.d.next = 0.into();
            self.snap_count.d.next = 0.into();
        }
        self.head_frame.next = self.ring.read_data.val();
        self.empty.next = self.count.q.val() == 0;
        self.free_count.next = self.count.q.val();
    }
}
