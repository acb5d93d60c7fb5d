//! RECOVER's validator of the two commit records: takes the 16 words of
//! slot 0 then slot 1 as they come back from NVM (`take`, one a cycle at
//! most) and checks each record — magic, version, sizes, table 0/1,
//! checksum (`nvm_layout::commit_record` writes them). After the last word
//! (`last`) it names the valid record with the higher sequence number.

use super::checksum::ChecksumStep;
use crate::config::COUNTER_BITS;
use crate::nvm_layout::{CommitWord, CHECKSUM_SEED, COMMIT_MAGIC, LAYOUT_VERSION, SLOT_WORDS};
use crate::Config;
use rust_hdl::prelude::*;

#[derive(LogicBlock)]
pub struct CommitCheck {
    pub clock: Signal<In, Clock>,
    /// Starts over: the next word taken is slot 0's first.
    pub restart: Signal<In, Bit>,
    /// `word` is the next word of the records.
    pub take: Signal<In, Bit>,
    pub word: Signal<In, Bits<32>>,
    /// The word taken this cycle is slot 1's last: the verdict below is
    /// complete from the next cycle.
    pub last: Signal<Out, Bit>,
    /// A valid record was found; which, its sequence number and table.
    pub any_valid: Signal<Out, Bit>,
    pub found_in_1: Signal<Out, Bit>,
    pub found_seq: Signal<Out, Bits<COUNTER_BITS>>,
    pub found_table: Signal<Out, Bit>,
    /// Some slot began with the magic word (no valid record then means a
    /// damaged one, not an unformatted device).
    pub magic_seen: Signal<Out, Bit>,
    /// Words taken (0 ..= 15); the word in its slot is the low 3 bits.
    answered: DFF<Bits<5>>,
    checksum: DFF<Bits<32>>,
    slot_ok: DFF<Bit>,
    slot_seq: DFF<Bits<32>>,
    slot_table: DFF<Bit>,
    valid0: DFF<Bit>,
    valid1: DFF<Bit>,
    seq0: DFF<Bits<32>>,
    seq1: DFF<Bits<32>>,
    table0: DFF<Bit>,
    table1: DFF<Bit>,
    seen: DFF<Bit>,
    step: ChecksumStep,
    slot_word: Signal<Local, Bits<3>>,
    pages: Constant<Bits<32>>,
    page_words: Constant<Bits<32>>,
    frames: Constant<Bits<32>>,
    magic: Constant<Bits<32>>,
    version: Constant<Bits<32>>,
    seed: Constant<Bits<32>>,
    /// Word indices (`CommitWord`) and the last word of slot 0.
    word_magic: Constant<Bits<3>>,
    word_version: Constant<Bits<3>>,
    word_sequence: Constant<Bits<3>>,
    word_table: Constant<Bits<3>>,
    word_pages: Constant<Bits<3>>,
    word_page_words: Constant<Bits<3>>,
    word_frames: Constant<Bits<3>>,
    slot_0_last: Constant<Bits<5>>,
}

// `found_seq` carries a record's 32-bit sequence word.
const _: () = assert!(COUNTER_BITS == 32);

impl CommitCheck {
    pub fn new(config: &Config) -> Self {
        let word = |w: CommitWord| Constant::new((w as u64).to_bits());
        let value = |v: u64| Constant::new(v.to_bits());
        CommitCheck {
            clock: Default::default(),
            restart: Default::default(),
            take: Default::default(),
            word: Default::default(),
            last: Default::default(),
            any_valid: Default::default(),
            found_in_1: Default::default(),
            found_seq: Default::default(),
            found_table: Default::default(),
            magic_seen: Default::default(),
            answered: Default::default(),
            checksum: Default::default(),
            slot_ok: Default::default(),
            slot_seq: Default::default(),
            slot_table: Default::default(),
            valid0: Default::default(),
            valid1: Default::default(),
            seq0: Default::default(),
            seq1: Default::default(),
            table0: Default::default(),
            table1: Default::default(),
            seen: Default::default(),
            step: Default::default(),
            slot_word: Default::default(),
            pages: value(config.pages as u64),
            page_words: value(config.page_words as u64),
            frames: value(config.frames as u64),
            magic: value(COMMIT_MAGIC as u64),
            version: value(LAYOUT_VERSION as u64),
            seed: value(CHECKSUM_SEED as u64),
            word_magic: word(CommitWord::Magic),
            word_version: word(CommitWord::Version),
            word_sequence: word(CommitWord::Sequence),
            word_table: word(CommitWord::Table),
            word_pages: word(CommitWord::Pages),
            word_page_words: word(CommitWord::PageWords),
            word_frames: word(CommitWord::Frames),
            slot_0_last: Constant::new((SLOT_WORDS - 1).to_bits()),
        }
    }
}

impl Logic for CommitCheck {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, answered, checksum, slot_ok, slot_seq, slot_table, valid0, valid1, seq0, seq1, table0, table1, seen);
        self.slot_word.next = self.answered.q.val().get_bits::<3>(0);
        // The checksum of a slot folds its words from the seed.
        self.step.acc.next = self.checksum.q.val();
        if self.slot_word.val() == self.word_magic.val() {
            self.step.acc.next = self.seed.val();
        }
        self.step.word.next = self.word.val();
        self.magic_seen.next = self.seen.q.val();
        self.any_valid.next = self.valid0.q.val() | self.valid1.q.val();
        self.found_in_1.next = self.valid1.q.val() & (!self.valid0.q.val() | (self.seq1.q.val() > self.seq0.q.val()));
        self.found_seq.next = self.seq0.q.val();
        self.found_table.next = self.table0.q.val();
        if self.found_in_1.val() {
            self.found_seq.next = self.seq1.q.val();
            self.found_table.next = self.table1.q.val();
        }
        self.last.next = false;
        if self.restart.val() {
            self.answered.d.next = 0.into();
            self.seen.d.next = false;
        }
        if self.take.val() {
            self.answered.d.next = self.answered.q.val() + 1;
            self.checksum.d.next = self.step.sum.val();
            if self.slot_word.val() == self.word_magic.val() {
                self.slot_ok.d.next = self.word.val() == self.magic.val();
                if self.word.val() == self.magic.val() {
                    self.seen.d.next = true;
                }
            } else if self.slot_word.val() == self.word_version.val() {
                self.slot_ok.d.next = self.slot_ok.q.val() & (self.word.val() == self.version.val());
            } else if self.slot_word.val() == self.word_sequence.val() {
                self.slot_seq.d.next = self.word.val();
            } else if self.slot_word.val() == self.word_table.val() {
                self.slot_table.d.next = self.word.val().get_bit(0);
                self.slot_ok.d.next = self.slot_ok.q.val() & ((self.word.val() >> 1) == 0);
            } else if self.slot_word.val() == self.word_pages.val() {
                self.slot_ok.d.next = self.slot_ok.q.val() & (self.word.val() == self.pages.val());
            } else if self.slot_word.val() == self.word_page_words.val() {
                self.slot_ok.d.next = self.slot_ok.q.val() & (self.word.val() == self.page_words.val());
            } else if self.slot_word.val() == self.word_frames.val() {
                self.slot_ok.d.next = self.slot_ok.q.val() & (self.word.val() == self.frames.val());
            } else if self.answered.q.val() == self.slot_0_last.val() {
                self.valid0.d.next = self.slot_ok.q.val() & (self.word.val() == self.checksum.q.val());
                self.seq0.d.next = self.slot_seq.q.val();
                self.table0.d.next = self.slot_table.q.val();
            } else {
                self.valid1.d.next = self.slot_ok.q.val() & (self.word.val() == self.checksum.q.val());
                self.seq1.d.next = self.slot_seq.q.val();
                self.table1.d.next = self.slot_table.q.val();
                self.last.next = true;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nvm_layout::commit_record;

    const CONFIG: Config = Config::sized(16, 8, 32, 32);

    /// What the block says of slots holding `words` (16 of them), taken
    /// with a gap before every third word: (any valid, in slot 1, seq,
    /// table, magic seen). `last` must pulse with the 16th word only.
    fn check(words: [u32; 16]) -> (bool, bool, u64, bool, bool) {
        let verdict = std::sync::Arc::new(std::sync::Mutex::new((false, false, 0, false, false)));
        let out = verdict.clone();
        let mut sim = Simulation::new();
        sim.add_clock(5, |x: &mut Box<CommitCheck>| x.clock.next = !x.clock.val());
        sim.add_testbench(move |mut sim: Sim<CommitCheck>| {
            let mut x = sim.init()?;
            x.restart.next = true;
            wait_clock_cycle!(sim, clock, x);
            x.restart.next = false;
            for (i, w) in words.iter().enumerate() {
                if i % 3 == 2 {
                    x.take.next = false;
                    x = sim.wait(1, x)?;
                    sim_assert!(sim, !x.last.val(), x);
                    wait_clock_cycle!(sim, clock, x);
                }
                x.take.next = true;
                x.word.next = (*w as u64).to_bits();
                x = sim.wait(1, x)?;
                sim_assert_eq!(sim, x.last.val(), i == 15, x);
                wait_clock_cycle!(sim, clock, x);
            }
            x.take.next = false;
            x = sim.wait(1, x)?;
            *out.lock().unwrap() = (x.any_valid.val(), x.found_in_1.val(), x.found_seq.val().index() as u64, x.found_table.val(), x.magic_seen.val());
            sim.done(x)
        });
        let mut uut = CommitCheck::new(&CONFIG);
        uut.connect_all();
        sim.run(Box::new(uut), 100_000).unwrap();
        let v = *verdict.lock().unwrap();
        v
    }

    fn slots(a: [u32; 8], b: [u32; 8]) -> [u32; 16] {
        let mut w = [0; 16];
        w[..8].copy_from_slice(&a);
        w[8..].copy_from_slice(&b);
        w
    }

    #[test]
    fn names_the_newer_valid_record() {
        let (older, newer) = (commit_record(&CONFIG, 6, 1), commit_record(&CONFIG, 7, 0));
        assert_eq!(check(slots(older, newer)), (true, true, 7, false, true));
        assert_eq!(check(slots(newer, older)), (true, false, 7, false, true));
    }

    #[test]
    fn a_damaged_word_invalidates_its_record() {
        let (older, mut newer) = (commit_record(&CONFIG, 6, 1), commit_record(&CONFIG, 7, 0));
        for word in 1..8 {
            let mut bad = newer;
            bad[word] ^= 1 << 4;
            assert_eq!(check(slots(older, bad)), (true, false, 6, true, true), "word {word} damaged");
        }
        newer[0] ^= 1;
        let mut both = older;
        both[7] ^= 1;
        assert_eq!(check(slots(both, newer)), (false, false, 6, true, true));
        // A record of another sizing is not this device's.
        let other = commit_record(&Config { frames: 33, ..CONFIG }, 9, 0);
        assert_eq!(check(slots(older, other)), (true, false, 6, true, true));
    }

    #[test]
    fn garbage_has_no_magic() {
        let garbage: [u32; 16] = std::array::from_fn(|i| (i as u32).wrapping_mul(0x9e37_79b9));
        let (valid, _, _, _, magic) = check(garbage);
        assert!(!valid && !magic);
    }

    #[test]
    fn lints_and_synthesizes() {
        crate::test_support::lint::check_block("commit_check", CommitCheck::new(&CONFIG));
    }
}
