//! Copy-on-write page engine.
//!
//! On the first write to a page in an epoch, copies the page's `W` words
//! from its current frame (`src`, or zeros when the page was never written)
//! into a fresh frame (`dst`), with the host's word merged in at `offset`.
//! Reads are issued back to back into a page buffer, then writes back to
//! back; `done` pulses once every write is acknowledged (durable).
//!
//! Behind a back end that copies (`--nvm-bus axi4`), a copy is instead W
//! requests back to back, one a word: a *copy* request (`COPY_FLAG`, the
//! source word's address as its data) for every word but the host's, a
//! plain write for the host's. The back end overlaps their reads and
//! writes: W + 8 + K + r + w (host request accepted → answered,
//! tests/cycles.rs) where the native port's read-then-write copy takes
//! 2·W + 7 + K + r + w. There the words, copied or zero-filled, go in
//! bursts of `Config::nvm_burst_words()` (the page, or 256 words): the
//! first word of each opens it (`BURST_OPENS`), the rest follow
//! (`BURST_FOLLOWS`), and each burst is answered once.
//!
//! Cost of a COW fault, host request accepted → answered, with an NVM that
//! answers 1 + r cycles after a read and 1 + w after a write (tests/cycles.rs
//! asserts these): never-written page W + 5 + K + w, written page
//! 2·W + 7 + K + r + w, K the lookup latency (1 or 2). At K = 1 the zero
//! fill is within the bound of W + NVM latencies + 4 and the copy W + 2 over
//! it: the single NVM port is the limit, a copy needs 2·W transfers on it.

use crate::config::{FRAME_BITS, NVM_ADDR_BITS, OFFSET_BITS, WORD_COUNT_BITS};
use crate::nvm_arbiter::{NvmMaster, BURST_FOLLOWS, BURST_OPENS, COPY_FLAG};
use crate::sync_ram::SyncRam;
use rust_hdl::prelude::*;

#[derive(Copy, Clone, PartialEq, Debug, LogicState)]
pub enum CowState {
    Idle,
    Read,
    Prefetch,
    Write,
    Drain,
    Done,
}

#[derive(LogicBlock)]
pub struct CowEngine<const D: usize> {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    /// Starts a copy; the parameters are sampled on this cycle.
    pub start: Signal<In, Bit>,
    pub src_mapped: Signal<In, Bit>,
    pub src_frame: Signal<In, Bits<FRAME_BITS>>,
    pub dst_frame: Signal<In, Bits<FRAME_BITS>>,
    pub offset: Signal<In, Bits<OFFSET_BITS>>,
    pub wdata: Signal<In, Bits<D>>,
    /// One-cycle pulse: the new frame is complete and durable.
    pub done: Signal<Out, Bit>,
    /// NVM master port (through the arbiter).
    pub nvm: NvmMaster<D>,
    buffer: SyncRam<Bits<D>, WORD_COUNT_BITS>,
    state: DFF<CowState>,
    issued: DFF<Bits<WORD_COUNT_BITS>>,
    answered: DFF<Bits<WORD_COUNT_BITS>>,
    mapped: DFF<Bit>,
    src: DFF<Bits<FRAME_BITS>>,
    dst: DFF<Bits<FRAME_BITS>>,
    word: DFF<Bits<OFFSET_BITS>>,
    data: DFF<Bits<D>>,
    issued_next: Signal<Local, Bits<WORD_COUNT_BITS>>,
    /// W, log2(W), and the first word address of frame 0.
    page_words: Constant<Bits<WORD_COUNT_BITS>>,
    page_shift: Constant<Bits<8>>,
    /// Frame 0's place in NVM, in frames (the frames area starts on a
    /// multiple of W, so a word's address is (first_frame + frame)·W | offset:
    /// one short adder).
    first_frame: Constant<Bits<NVM_ADDR_BITS>>,
    /// The NVM back end performs copies (`COPY_FLAG`) and bursts
    /// (`BURST_OPENS`, `BURST_FOLLOWS`).
    offload: Constant<Bit>,
    copy_flag: Constant<Bits<NVM_ADDR_BITS>>,
    burst_opens: Constant<Bits<NVM_ADDR_BITS>>,
    burst_follows: Constant<Bits<NVM_ADDR_BITS>>,
    /// Words of a burst, less one (a mask: bursts are a power of two).
    burst_mask: Constant<Bits<WORD_COUNT_BITS>>,
    /// Answers the writes of a page get: one a word, or one a burst.
    write_answers: Constant<Bits<WORD_COUNT_BITS>>,
    /// The flag of the word being written: opens or follows a burst.
    burst_flag: Signal<Local, Bits<NVM_ADDR_BITS>>,
    /// The word being copied, at the source and at the destination.
    src_word: Signal<Local, Bits<NVM_ADDR_BITS>>,
    dst_word: Signal<Local, Bits<NVM_ADDR_BITS>>,
}

impl<const D: usize> CowEngine<D> {
    pub fn new(config: &crate::Config) -> Self {
        CowEngine {
            clock: Default::default(),
            reset: Default::default(),
            start: Default::default(),
            src_mapped: Default::default(),
            src_frame: Default::default(),
            dst_frame: Default::default(),
            offset: Default::default(),
            wdata: Default::default(),
            done: Default::default(),
            nvm: Default::default(),
            buffer: SyncRam::new(config.page_words),
            state: Default::default(),
            issued: Default::default(),
            answered: Default::default(),
            mapped: Default::default(),
            src: Default::default(),
            dst: Default::default(),
            word: Default::default(),
            data: Default::default(),
            issued_next: Default::default(),
            page_words: Constant::new((config.page_words as u64).to_bits()),
            page_shift: Constant::new((config.page_shift() as u64).to_bits()),
            first_frame: Constant::new((config.layout().frames_base() / config.page_words as u64).to_bits()),
            offload: Constant::new(config.nvm_bus == crate::NvmBus::Axi4),
            copy_flag: Constant::new(COPY_FLAG.to_bits()),
            burst_opens: Constant::new(BURST_OPENS.to_bits()),
            burst_follows: Constant::new(BURST_FOLLOWS.to_bits()),
            burst_mask: Constant::new((config.nvm_burst_words() as u64 - 1).to_bits()),
            write_answers: Constant::new(
                (if config.nvm_bus == crate::NvmBus::Axi4 { config.page_words / config.nvm_burst_words() } else { config.page_words } as u64).to_bits(),
            ),
            burst_flag: Default::default(),
            src_word: Default::default(),
            dst_word: Default::default(),
        }
    }
}

impl<const D: usize> Logic for CowEngine<D> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, state, issued, answered, mapped, src, dst, word, data);
        self.buffer.clock.next = self.clock.val();
        self.done.next = false;
        self.nvm.req_valid.next = false;
        self.nvm.req_write.next = false;
        self.src_word.next = ((bit_cast::<NVM_ADDR_BITS, FRAME_BITS>(self.src.q.val()) + self.first_frame.val()) << self.page_shift.val())
            | bit_cast::<NVM_ADDR_BITS, WORD_COUNT_BITS>(self.issued.q.val());
        self.dst_word.next = ((bit_cast::<NVM_ADDR_BITS, FRAME_BITS>(self.dst.q.val()) + self.first_frame.val()) << self.page_shift.val())
            | bit_cast::<NVM_ADDR_BITS, WORD_COUNT_BITS>(self.issued.q.val());
        self.nvm.req_addr.next = self.src_word.val();
        self.burst_flag.next = 0.into();
        if self.offload.val() {
            self.burst_flag.next = self.burst_follows.val();
            if (self.issued.q.val() & self.burst_mask.val()) == 0 {
                self.burst_flag.next = self.burst_opens.val();
            }
        }
        self.nvm.req_wdata.next = 0.into();
        self.issued_next.next = self.issued.q.val();
        // Read responses land in the buffer in order; in the write phase the
        // same counter counts acknowledgements.
        self.buffer.write_enable.next = self.nvm.rsp_valid.val() & (self.state.q.val() == CowState::Read);
        self.buffer.write_address.next = self.answered.q.val();
        self.buffer.write_data.next = self.nvm.rsp_rdata.val();
        if self.nvm.rsp_valid.val() {
            self.answered.d.next = self.answered.q.val() + 1;
        }
        match self.state.q.val() {
            CowState::Idle => {
                if self.start.val() {
                    self.mapped.d.next = self.src_mapped.val();
                    self.src.d.next = self.src_frame.val();
                    self.dst.d.next = self.dst_frame.val();
                    self.word.d.next = self.offset.val();
                    self.data.d.next = self.wdata.val();
                    self.issued_next.next = 0.into();
                    self.answered.d.next = 0.into();
                    // Prefetch reads the page buffer's first word; a copy
                    // the back end performs, or a zero fill behind it, does
                    // not need it (the native zero fill keeps its timing).
                    if self.src_mapped.val() & !self.offload.val() {
                        self.state.d.next = CowState::Read;
                    } else if self.offload.val() {
                        self.state.d.next = CowState::Write;
                    } else {
                        self.state.d.next = CowState::Prefetch;
                    }
                }
            }
            CowState::Read => {
                if self.issued.q.val() != self.page_words.val() {
                    self.nvm.req_valid.next = true;
                    if self.nvm.req_ready.val() {
                        self.issued_next.next = self.issued.q.val() + 1;
                    }
                }
                if self.answered.q.val() == self.page_words.val() {
                    self.issued_next.next = 0.into();
                    self.answered.d.next = 0.into();
                    self.state.d.next = CowState::Prefetch;
                }
            }
            CowState::Prefetch => {
                // buffer[0] is being read this cycle.
                self.state.d.next = CowState::Write;
            }
            CowState::Write => {
                self.nvm.req_valid.next = true;
                self.nvm.req_write.next = true;
                self.nvm.req_addr.next = self.dst_word.val() | self.burst_flag.val();
                if self.mapped.q.val() {
                    self.nvm.req_wdata.next = self.buffer.read_data.val();
                    if self.offload.val() {
                        self.nvm.req_addr.next = self.dst_word.val() | self.burst_flag.val() | self.copy_flag.val();
                        self.nvm.req_wdata.next = bit_cast::<D, NVM_ADDR_BITS>(self.src_word.val());
                    }
                }
                if bit_cast::<OFFSET_BITS, WORD_COUNT_BITS>(self.issued.q.val()) == self.word.q.val() {
                    self.nvm.req_addr.next = self.dst_word.val() | self.burst_flag.val();
                    self.nvm.req_wdata.next = self.data.q.val();
                }
                if self.nvm.req_ready.val() {
                    self.issued_next.next = self.issued.q.val() + 1;
                    if self.issued.q.val() == self.page_words.val() - 1 {
                        self.state.d.next = CowState::Drain;
                    }
                }
            }
            CowState::Drain => {
                if self.answered.q.val() == self.write_answers.val() {
                    self.state.d.next = CowState::Done;
                }
            }
            CowState::Done => {
                self.done.next = true;
                self.state.d.next = CowState::Idle;
            }
            _ => {
                self.state.d.next = CowState::Idle;
            }
        }
        self.issued.d.next = self.issued_next.val();
        // Read the buffer one word ahead of the write that consumes it.
        self.buffer.read_address.next = self.issued_next.val();
        if self.reset.val() {
            self.state.d.next = CowState::Idle;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nvm_arbiter::{BURST_FOLLOWS, BURST_OPENS};
    use crate::test_support::zero_wait_nvm::ZeroWaitNvm;
    use crate::Config;
    use std::collections::HashMap;

    /// Copies frame 2 (or, `mapped` false, zero-fills) into frame 3 with
    /// 0xbeef merged at word 1; returns (done cycle, words written).
    fn cow(page_words: usize, mapped: bool) -> (u64, Vec<(u64, u64)>) {
        cow_with(Config::sized(4, page_words, 8, 32), mapped)
    }

    fn cow_with(config: Config, mapped: bool) -> (u64, Vec<(u64, u64)>) {
        let page_words = config.page_words;
        let base = |frame: u64| config.layout().frame_base(frame);
        let src: HashMap<u64, u64> = (0..page_words as u64).map(|i| (base(2) + i, 0x100 + i)).collect();
        let (tx, rx) = std::sync::mpsc::channel();
        let mut sim = Simulation::new();
        sim.add_clock(5, |x: &mut Box<CowEngine<32>>| x.clock.next = !x.clock.val());
        sim.add_testbench(move |mut sim: Sim<CowEngine<32>>| {
            let mut x = sim.init()?;
            let mut nvm = ZeroWaitNvm::with(src.clone());
            nvm.burst_words = config.nvm_burst_words() as u64;
            x.src_mapped.next = mapped;
            x.src_frame.next = 2.into();
            x.dst_frame.next = 3.into();
            x.offset.next = 1.into();
            x.wdata.next = 0xbeef.into();
            for cycle in 0..2_000u64 {
                x.start.next = cycle == 0;
                let mut idle = Signal::<In, Bit>::default();
                nvm.drive(cycle, &mut x.nvm, &mut idle);
                x = sim.wait(1, x)?;
                nvm.observe(cycle, &x.nvm);
                if x.done.val() {
                    tx.send((cycle, nvm.writes())).unwrap();
                    return sim.done(x);
                }
                wait_clock_cycle!(sim, clock, x);
            }
            sim_assert!(sim, false, x);
            sim.done(x)
        });
        let mut uut = CowEngine::<32>::new(&config);
        uut.connect_all();
        sim.run(Box::new(uut), 100_000).unwrap();
        rx.recv().unwrap()
    }

    #[test]
    fn zero_fills_and_copies_with_the_word_merged_in_exact_cycles() {
        for words in [4usize, 8] {
            let w = words as u64;
            let dst = |i: u64| Config::sized(4, words, 8, 32).layout().frame_base(3) + i;
            let merged = |i: u64, old: u64| if i == 1 { 0xbeef } else { old };
            // Zero fill: W writes, then the last answer; W + 4 cycles.
            let (done, writes) = cow(words, false);
            assert_eq!(done, w + 4, "W = {words}");
            assert_eq!(writes, (0..w).map(|i| (dst(i), merged(i, 0))).collect::<Vec<_>>());
            // Copy: W reads, then W writes; 2W + 6 cycles.
            let (done, writes) = cow(words, true);
            assert_eq!(done, 2 * w + 6, "W = {words}");
            assert_eq!(writes, (0..w).map(|i| (dst(i), merged(i, 0x100 + i))).collect::<Vec<_>>());
        }
    }

    #[test]
    fn behind_a_back_end_that_copies_a_copy_is_one_request_a_word_in_bursts() {
        for words in [4usize, 8, 512] {
            let w = words as u64;
            let config = Config { nvm_bus: crate::NvmBus::Axi4, ..Config::sized(4, words, 8, 32) };
            let base = |frame: u64| config.layout().frame_base(frame);
            // Bursts of the page, or of 256 words when it is longer.
            let burst = |i: u64| if i.is_multiple_of(w.min(256)) { BURST_OPENS } else { BURST_FOLLOWS };
            // Every word but the host's a copy request (the source word's
            // address as data), the host's a plain write; W + 3 cycles at
            // zero wait (a zero fill's W + 4 but for its prefetch cycle).
            let (done, writes) = cow_with(config, true);
            assert_eq!(done, w + 3, "W = {words}");
            let want: Vec<(u64, u64)> =
                (0..w).map(|i| if i == 1 { ((base(3) + i) | burst(i), 0xbeef) } else { ((base(3) + i) | burst(i) | COPY_FLAG, base(2) + i) }).collect();
            assert_eq!(writes, want);
            // A never-written page is still zero-filled with plain writes,
            // in bursts, without the prefetch cycle too.
            let (done, writes) = cow_with(config, false);
            assert_eq!(done, w + 3);
            let want: Vec<(u64, u64)> = (0..w).map(|i| ((base(3) + i) | burst(i), if i == 1 { 0xbeef } else { 0 })).collect();
            assert_eq!(writes, want);
        }
    }

    #[test]
    fn lints_and_synthesizes() {
        crate::test_support::lint::check_block("cow_engine", CowEngine::<32>::new(&crate::Config::default()));
    }
}
