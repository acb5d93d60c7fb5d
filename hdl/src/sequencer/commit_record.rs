//! Writes one commit record (docs/persistent-layout.md): words 1–7 back to
//! back (the last the checksum of words 0–6), waits until they are durable,
//! then writes the magic word alone and waits until it is durable. Until
//! the magic lands the slot holds no valid record, so this last write is
//! the atomic switch. SNAPSHOT and FORMAT both end with it.
//!
//! The slot is the sequence number's parity (a record with sequence s
//! lives in slot s mod 2). Cost with a zero-wait NVM: 7 cycles of words, 2
//! to be durable, 3 for the magic word. Behind a back end that makes
//! bursts (`--nvm-bus axi4`) words 1–7 are one burst, answered once:
//! words 1–6 carry `BURST_GATHERS`, and word 7 closes it.

use super::checksum::ChecksumStep;
use super::durable_write::DurableWrite;
use super::gather_code::GatherCode;
use crate::config::{COUNTER_BITS, NVM_ADDR_BITS};
use crate::nvm_arbiter::{NvmMaster, MAX_GATHER_WORDS};
use crate::nvm_layout::{checksum_step, CommitWord, CHECKSUM_SEED, COMMIT_MAGIC, LAYOUT_VERSION};
use crate::Config;
use rust_hdl::prelude::*;

#[derive(Copy, Clone, PartialEq, Debug, LogicState)]
pub enum CommitState {
    Idle,
    /// Words 1–7, one a cycle as the NVM takes them.
    Words,
    /// Waiting until they are answered.
    WordsDurable,
    /// The magic word, written and made durable by `magic`.
    Magic,
}

#[derive(LogicBlock)]
pub struct CommitWriter<const D: usize> {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub start: Signal<In, Bit>,
    /// The record's sequence number and table, held until `done`.
    pub seq: Signal<In, Bits<COUNTER_BITS>>,
    pub record_table: Signal<In, Bit>,
    pub nvm: NvmMaster<D>,
    pub nvm_idle: Signal<In, Bit>,
    /// One-cycle pulse: the record is valid and durable.
    pub done: Signal<Out, Bit>,
    /// Writing: the sequencer's NVM port is this block's.
    pub busy: Signal<Out, Bit>,
    /// The port's answers carry nothing this block needs (it only
    /// writes); Verilator's lint exempts names with "unused" in them.
    unused_answers: Signal<Local, Bit>,
    state: DFF<CommitState>,
    /// The word being written (1 ..= 7), and the checksum of those before it.
    word: DFF<Bits<3>>,
    checksum: DFF<Bits<32>>,
    step: ChecksumStep,
    magic: DurableWrite,
    slot_base: Signal<Local, Bits<NVM_ADDR_BITS>>,
    record_word: Signal<Local, Bits<32>>,
    /// Word indices (`CommitWord`).
    word_version: Constant<Bits<3>>,
    word_sequence: Constant<Bits<3>>,
    word_table: Constant<Bits<3>>,
    word_pages: Constant<Bits<3>>,
    word_page_words: Constant<Bits<3>>,
    word_frames: Constant<Bits<3>>,
    word_checksum: Constant<Bits<3>>,
    /// The fixed words.
    magic_word: Constant<Bits<32>>,
    version: Constant<Bits<32>>,
    pages: Constant<Bits<32>>,
    page_words: Constant<Bits<32>>,
    frames: Constant<Bits<32>>,
    slot_1_base: Constant<Bits<NVM_ADDR_BITS>>,
    /// The checksum after word 0, the magic.
    first_checksum: Constant<Bits<32>>,
    /// Words 1–6 run on to the next word (gathered behind AXI4).
    gather: GatherCode,
}

// Words 1–7 of a slot, gathered into one burst, lie in one aligned block
// of `MAX_GATHER_WORDS` (slots start at multiples of 8).
const _: () = assert!(crate::nvm_layout::SLOT_WORDS <= MAX_GATHER_WORDS && MAX_GATHER_WORDS.is_multiple_of(crate::nvm_layout::SLOT_WORDS));

impl<const D: usize> CommitWriter<D> {
    pub fn new(config: &Config) -> Self {
        let word = |w: CommitWord| Constant::new((w as u64).to_bits());
        let value = |v: u64| Constant::new(v.to_bits());
        CommitWriter {
            clock: Default::default(),
            reset: Default::default(),
            start: Default::default(),
            seq: Default::default(),
            record_table: Default::default(),
            nvm: Default::default(),
            nvm_idle: Default::default(),
            done: Default::default(),
            busy: Default::default(),
            unused_answers: Default::default(),
            state: Default::default(),
            word: Default::default(),
            checksum: Default::default(),
            step: Default::default(),
            magic: Default::default(),
            slot_base: Default::default(),
            record_word: Default::default(),
            word_version: word(CommitWord::Version),
            word_sequence: word(CommitWord::Sequence),
            word_table: word(CommitWord::Table),
            word_pages: word(CommitWord::Pages),
            word_page_words: word(CommitWord::PageWords),
            word_frames: word(CommitWord::Frames),
            word_checksum: word(CommitWord::Checksum),
            magic_word: value(COMMIT_MAGIC as u64),
            version: value(LAYOUT_VERSION as u64),
            pages: value(config.pages as u64),
            page_words: value(config.page_words as u64),
            frames: value(config.frames as u64),
            slot_1_base: Constant::new(config.layout().slot_base(1).to_bits()),
            first_checksum: value(checksum_step(CHECKSUM_SEED, COMMIT_MAGIC) as u64),
            gather: GatherCode::new(config.nvm_bus),
        }
    }
}

impl<const D: usize> Logic for CommitWriter<D> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, state, word, checksum);
        clock!(self, clock, magic);
        self.magic.reset.next = self.reset.val();
        self.slot_base.next = 0.into();
        if self.seq.val().get_bit(0) {
            self.slot_base.next = self.slot_1_base.val();
        }
        // Word `word` of the record; the checksum word is the fold so far.
        self.record_word.next = self.checksum.q.val();
        if self.word.q.val() == self.word_version.val() {
            self.record_word.next = self.version.val();
        } else if self.word.q.val() == self.word_sequence.val() {
            self.record_word.next = self.seq.val();
        } else if self.word.q.val() == self.word_table.val() {
            self.record_word.next = 0.into();
            if self.record_table.val() {
                self.record_word.next = 1.into();
            }
        } else if self.word.q.val() == self.word_pages.val() {
            self.record_word.next = self.pages.val();
        } else if self.word.q.val() == self.word_page_words.val() {
            self.record_word.next = self.page_words.val();
        } else if self.word.q.val() == self.word_frames.val() {
            self.record_word.next = self.frames.val();
        }
        self.step.acc.next = self.checksum.q.val();
        self.step.word.next = self.record_word.val();
        self.nvm.req_valid.next = false;
        self.nvm.req_write.next = true;
        // Words 1–6 run on to the next word; the magic word goes alone, to
        // the slot's first word. (Chosen at the gather block's input: read
        // after its output, `slot_base` would make Verilator see a loop.)
        self.gather.addr.next = self.slot_base.val() + bit_cast::<NVM_ADDR_BITS, 3>(self.word.q.val());
        if self.state.q.val() == CommitState::Magic {
            self.gather.addr.next = self.slot_base.val();
        }
        self.gather.next_joins.next = (self.state.q.val() == CommitState::Words) & (self.word.q.val() != self.word_checksum.val());
        self.nvm.req_addr.next = self.gather.req_addr.val();
        self.nvm.req_wdata.next = bit_cast::<D, 32>(self.record_word.val());
        self.magic.start.next = false;
        self.magic.req_ready.next = self.nvm.req_ready.val();
        self.magic.nvm_idle.next = self.nvm_idle.val();
        self.unused_answers.next = self.nvm.rsp_valid.val() | self.nvm.rsp_rdata.val().any();
        self.done.next = false;
        self.busy.next = self.state.q.val() != CommitState::Idle;
        match self.state.q.val() {
            CommitState::Idle => {
                if self.start.val() {
                    // Word 0, the magic, is folded in already; it goes last.
                    self.word.d.next = self.word_version.val();
                    self.checksum.d.next = self.first_checksum.val();
                    self.state.d.next = CommitState::Words;
                }
            }
            CommitState::Words => {
                self.nvm.req_valid.next = true;
                if self.nvm.req_ready.val() {
                    self.checksum.d.next = self.step.sum.val();
                    self.word.d.next = self.word.q.val() + 1;
                    if self.word.q.val() == self.word_checksum.val() {
                        self.state.d.next = CommitState::WordsDurable;
                    }
                }
            }
            CommitState::WordsDurable => {
                if self.nvm_idle.val() {
                    self.magic.start.next = true;
                    self.state.d.next = CommitState::Magic;
                }
            }
            CommitState::Magic => {
                // The switch: word 0 alone, after the other seven are durable.
                self.nvm.req_valid.next = self.magic.req_valid.val();
                self.nvm.req_wdata.next = bit_cast::<D, 32>(self.magic_word.val());
                if self.magic.done.val() {
                    self.done.next = true;
                    self.state.d.next = CommitState::Idle;
                }
            }
            _ => {
                self.state.d.next = CommitState::Idle;
            }
        }
        if self.reset.val() {
            self.state.d.next = CommitState::Idle;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nvm_arbiter::{ADDRESS_MASK, BURST_GATHERS};
    use crate::nvm_layout::commit_record;
    use crate::test_support::zero_wait_nvm::ZeroWaitNvm;
    use crate::NvmBus;

    /// Writes the record of sequence 5, table 1 into a zero-wait NVM (a
    /// request accepted in cycle c answered in c + 1, a burst once, after
    /// its last write) and checks every word, the order and the cycle
    /// count: on the native port and behind the AXI4 back end, where words
    /// 1–7 are one burst.
    #[test]
    fn writes_the_record_magic_last_in_exact_cycles() {
        for nvm_bus in crate::NvmBus::ALL {
            let config = Config { nvm_bus, ..Config::sized(8, 4, 16, 32) };
            let want = commit_record(&config, 5, 1);
            let mut sim = Simulation::new();
            sim.add_clock(5, |x: &mut Box<CommitWriter<32>>| x.clock.next = !x.clock.val());
            sim.add_testbench(move |mut sim: Sim<CommitWriter<32>>| {
                let mut x = sim.init()?;
                x.seq.next = 5.into();
                x.record_table.next = true;
                x.nvm.req_ready.next = true;
                x.nvm_idle.next = true;
                cycle!(sim, x, start);
                let mut nvm = ZeroWaitNvm::default();
                let mut cycles = 0u64;
                loop {
                    cycles += 1;
                    nvm.drive(cycles, &mut x.nvm, &mut x.nvm_idle);
                    x = sim.wait(1, x)?;
                    if x.done.val() {
                        break;
                    }
                    nvm.observe(cycles, &x.nvm);
                    wait_clock_cycle!(sim, clock, x);
                    sim_assert!(sim, cycles < 100, x);
                }
                // Slot 1 (sequence 5 is odd): words 1..=7, then word 0.
                let burst = |i: u64| match (nvm_bus, i) {
                    (NvmBus::Native, _) | (_, 0 | 7) => 0,
                    _ => BURST_GATHERS,
                };
                let order: Vec<u64> = nvm.writes().iter().map(|w| w.0).collect();
                let expected: Vec<u64> = [1u64, 2, 3, 4, 5, 6, 7, 0].iter().map(|&i| (8 + i) | burst(i)).collect();
                sim_assert_eq!(sim, order, expected, x);
                for (addr, data) in nvm.writes() {
                    sim_assert_eq!(sim, data as u32, want[((addr & ADDRESS_MASK) - 8) as usize], x);
                }
                // Done 7 + 2 + 3 cycles after the one that started it.
                sim_assert_eq!(sim, cycles, 7 + 2 + 3, x);
                sim.done(x)
            });
            let mut uut = CommitWriter::<32>::new(&config);
            uut.connect_all();
            sim.run(Box::new(uut), 100_000).unwrap();
        }
    }

    #[test]
    fn lints_and_synthesizes() {
        crate::test_support::lint::check_block("commit_writer", CommitWriter::<32>::new(&Config::default()));
    }
}
