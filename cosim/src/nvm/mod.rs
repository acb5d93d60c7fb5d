//! The persistent-memory model behind the controller's NVM port: a device,
//! not a judge (the checks of what the controller does with it are the
//! scoreboard's, `harness/scoreboard/nvm_rules.rs`).
//!
//! In-order, one response per request; a request accepted at the end of
//! cycle `c` is answered in cycle `c + 1 + latency` at the earliest (latency 0
//! is a zero-wait-state memory, like a block RAM). `ready_percent` < 100 adds
//! seeded random back-pressure. The contents start as seeded garbage, as a
//! real device would be before FORMAT. Writes per frame are counted (wear).
//!
//! Behind an AXI4 port (`split_channels`), reads and writes are two
//! queues, each in order, with no order between them (as AXI4 has none
//! between its read and write channels); a read then takes its word when
//! its answer is presented, so a read the controller let past an
//! unanswered write to the same word sees the old word.
//!
//! A write is durable once answered. At a power loss the writes accepted but
//! not yet answered are dropped ([`PowerLossMode::Drop`]) or a seeded random
//! subset of them lands ([`PowerLossMode::Adversarial`]), so multi-word
//! updates tear. `records.rs` reads the layout back (commit records, the
//! committed image), independently of the controller.

mod records;
mod timing;

use crate::rng::Rng;
use pmsnap_hdl::nvm_layout::NvmLayout;
pub use records::CommitRecord;
use std::collections::VecDeque;
pub use timing::{NvmTiming, PowerLossMode, TimingSpec};

struct Pending {
    due: u64,
    /// A read's word (taken at acceptance, or its address when channels
    /// are split: taken when presented).
    rdata: u64,
    /// For a write: the address and the word it replaced.
    undo: Option<(usize, u64)>,
    new: u64,
}

pub struct Nvm {
    words: Vec<u64>,
    layout: NvmLayout,
    timing: NvmTiming,
    /// In flight, oldest first: one queue, or reads and writes apart.
    pending: [VecDeque<Pending>; 2],
    last_due: [u64; 2],
    split: bool,
    rng: Rng,
    word_mask: u64,
    /// Test-only fault: at a power loss, also undo this many of the most
    /// recently *answered* writes — a device that lies about durability,
    /// to show the checks catch what such a device does.
    pub forget_answered: usize,
    answered: VecDeque<(usize, u64)>,
    pub writes: u64,
    pub reads: u64,
    pub frame_writes: Vec<u32>,
}

impl Nvm {
    pub fn new(layout: NvmLayout, word_bits: usize, timing: NvmTiming, seed: u64) -> Nvm {
        let mut rng = Rng::new(seed ^ 0x6e76_6d5f_6761_7262);
        let word_mask = if word_bits >= 64 { u64::MAX } else { (1u64 << word_bits) - 1 };
        let words = (0..layout.total_words()).map(|_| rng.next_u64() & word_mask).collect();
        Nvm {
            words,
            layout,
            timing,
            pending: Default::default(),
            last_due: [0; 2],
            split: false,
            rng,
            word_mask,
            forget_answered: 0,
            answered: VecDeque::new(),
            writes: 0,
            reads: 0,
            frame_writes: vec![0; layout.frames as usize],
        }
    }

    /// Reads and writes in flight apart from here on (an AXI4 port's two
    /// channels); call before the first request.
    pub fn split_channels(&mut self) {
        self.split = true;
    }

    /// The queue a request of this kind waits in.
    fn queue(&self, write: bool) -> usize {
        (self.split && write) as usize
    }

    /// Decides `mem_req_ready` for this cycle (before seeing the request).
    pub fn ready(&mut self) -> bool {
        self.timing.ready_percent >= 100 || (self.rng.next_u64() % 100) < self.timing.ready_percent as u64
    }

    /// The response presented in `cycle`, if one is due.
    pub fn response(&self, cycle: u64) -> Option<u64> {
        self.response_of(false, cycle)
    }

    /// The oldest answer of this kind (both kinds, unless split), if due
    /// in `cycle`: a read's word, or 0 for a write.
    pub fn response_of(&self, write: bool, cycle: u64) -> Option<u64> {
        let p = self.pending[self.queue(write)].front().filter(|p| p.due <= cycle)?;
        Some(if self.split && p.undo.is_none() { self.words[p.rdata as usize] } else { p.rdata })
    }

    /// Whether the `n` oldest requests of this kind are all due in `cycle`
    /// (a burst's last beat).
    pub fn due(&self, write: bool, n: usize, cycle: u64) -> bool {
        n > 0 && self.pending[self.queue(write)].get(n - 1).is_some_and(|p| p.due <= cycle)
    }

    /// The response of `response(cycle)` was presented: retire it (a write
    /// is now durable). Returns the address of a write so retired.
    pub fn retire(&mut self) -> Option<u64> {
        self.retire_of(false)
    }

    /// The oldest answer of this kind was presented: retire it. Returns
    /// the address of a write so retired.
    pub fn retire_of(&mut self, write: bool) -> Option<u64> {
        let q = self.queue(write);
        let undo = self.pending[q].pop_front()?.undo?;
        if self.forget_answered > 0 {
            self.answered.push_back(undo);
            if self.answered.len() > self.forget_answered {
                self.answered.pop_front();
            }
        }
        Some(undo.0 as u64)
    }

    /// Whether `addr` is a word of the device.
    pub fn holds(&self, addr: u64) -> bool {
        addr < self.words.len() as u64
    }

    /// A request accepted at the end of `cycle` (`addr` must be held).
    pub fn accept(&mut self, cycle: u64, write: bool, addr: u64, wdata: u64) {
        let index = addr as usize;
        let latency = if write { self.timing.write_latency } else { self.timing.read_latency };
        let q = self.queue(write);
        let due = (cycle + 1 + latency).max(self.last_due[q] + 1);
        self.last_due[q] = due;
        if write {
            let new = wdata & self.word_mask;
            let old = std::mem::replace(&mut self.words[index], new);
            self.writes += 1;
            if let Some(frame) = self.layout.frame_of(addr) {
                self.frame_writes[frame as usize] += 1;
            }
            self.pending[q].push_back(Pending { due, rdata: 0, undo: Some((index, old)), new });
        } else {
            self.reads += 1;
            let rdata = if self.split { addr } else { self.words[index] };
            self.pending[q].push_back(Pending { due, rdata, undo: None, new: 0 });
        }
    }

    /// The word a power loss now would leave at `addr` (drop mode): its
    /// value before the oldest unanswered write to it, if any.
    pub fn durable_word(&self, addr: u64) -> u64 {
        let i = addr as usize;
        self.pending[self.queue(true)].iter().filter_map(|p| p.undo).find(|&(at, _)| at == i).map_or(self.words[i], |(_, old)| old)
    }

    /// Addresses written by requests not yet answered.
    pub fn unanswered_writes(&self) -> impl Iterator<Item = u64> + '_ {
        self.pending[self.queue(true)].iter().filter_map(|p| p.undo).map(|(i, _)| i as u64)
    }

    /// Power fails: unanswered writes are dropped, or (adversarial) each
    /// lands or not at random. Pending reads vanish.
    pub fn power_loss(&mut self, mode: PowerLossMode) -> usize {
        let q = self.queue(true);
        self.pending[1 - q].clear();
        let pending: Vec<Pending> = self.pending[q].drain(..).collect();
        for p in pending.iter().rev() {
            if let Some((index, old)) = p.undo {
                self.words[index] = old;
            }
        }
        while let Some((index, old)) = self.answered.pop_back() {
            self.words[index] = old;
        }
        let mut landed = 0;
        for p in &pending {
            if let Some((index, _)) = p.undo {
                if mode == PowerLossMode::Adversarial && self.rng.chance(50) {
                    self.words[index] = p.new;
                    landed += 1;
                }
            }
        }
        self.last_due = [0; 2];
        landed
    }

    /// Flips one bit of a stored word (corruption at rest).
    pub fn flip_bit(&mut self, addr: u64, bit: u32) {
        self.words[addr as usize] ^= 1 << bit;
    }

    pub fn idle(&self) -> bool {
        self.pending.iter().all(VecDeque::is_empty)
    }

    pub fn word(&self, addr: u64) -> u64 {
        self.words[addr as usize]
    }

    pub fn word_mask(&self) -> u64 {
        self.word_mask
    }

    pub fn layout(&self) -> &NvmLayout {
        &self.layout
    }
}

/// Test-only: a device holding one committed snapshot, for the tests of
/// the model and of the rules: L = 4, W = 4, F = 6, metadata zeroed, table
/// 1 mapping page 2 to frame 3, committed by the record of sequence 1 in
/// slot 1. Writes are answered at once.
#[cfg(test)]
pub(crate) fn formatted() -> (Nvm, pmsnap_hdl::Config) {
    use pmsnap_hdl::nvm_layout::commit_record;
    let c = pmsnap_hdl::Config::sized(4, 4, 6, 32);
    let mut nvm = Nvm::new(c.layout(), 32, NvmTiming::default(), 5);
    let mut cycle = 0;
    let mut put = |nvm: &mut Nvm, addr: u64, data: u64| {
        nvm.accept(cycle, true, addr, data);
        cycle += 1;
        nvm.retire();
    };
    for a in 0..c.layout().metadata_words() {
        put(&mut nvm, a, 0);
    }
    put(&mut nvm, c.layout().table_base(1) + 2, 1 << 31 | 3);
    for (i, w) in commit_record(&c, 1, 1).iter().enumerate() {
        put(&mut nvm, 8 + i as u64, *w as u64);
    }
    (nvm, c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_the_committed_record_and_its_image() {
        let (nvm, c) = formatted();
        assert_eq!(nvm.committed(), Some(CommitRecord { slot: 1, sequence: 1, table: 1 }));
        assert_eq!(nvm.decode_slot(0), None);
        let image = nvm.committed_image().unwrap();
        assert_eq!(image.len(), 1);
        assert_eq!(image[0].0, 2);
        assert_eq!(image[0].1, (0..4).map(|i| nvm.word(c.layout().frame_base(3) + i)).collect::<Vec<_>>());
    }

    #[test]
    fn power_loss_drops_or_tears_unanswered_writes() {
        for (mode, seed) in [(PowerLossMode::Drop, 1), (PowerLossMode::Adversarial, 2)] {
            let (mut nvm, c) = formatted();
            let base = c.layout().frame_base(0);
            nvm.rng = Rng::new(seed);
            let before: Vec<u64> = (0..4).map(|i| nvm.word(base + i)).collect();
            for i in 0..4 {
                nvm.accept(200 + i, true, base + i, 0xabc0 + i);
            }
            assert_eq!(nvm.durable_word(base + 1), before[1], "unanswered: not durable");
            nvm.retire(); // the first write was answered: durable
            let landed = nvm.power_loss(mode);
            assert_eq!(nvm.word(base), 0xabc0, "an answered write survives");
            let after: Vec<u64> = (1..4).map(|i| nvm.word(base + i)).collect();
            let kept = after.iter().zip(&before[1..]).filter(|(a, b)| a == b).count();
            match mode {
                PowerLossMode::Drop => assert_eq!((landed, kept), (0, 3)),
                PowerLossMode::Adversarial => assert_eq!((kept, landed > 0 && landed < 3), (3 - landed, true), "this seed tears"),
            }
            assert!(nvm.idle());
        }
    }

    #[test]
    fn split_channels_answer_reads_and_writes_apart_and_a_read_takes_its_word_when_presented() {
        let (mut nvm, c) = formatted();
        nvm.split_channels();
        nvm.timing = NvmTiming { read_latency: 0, write_latency: 5, ready_percent: 100 };
        let a = c.layout().frame_base(0);
        let old = nvm.word(a);
        nvm.accept(1000, false, a, 0); // a read, then a write of the same word
        nvm.accept(1000, true, a, 0x77);
        // The read is due first, though the write was accepted with it: no
        // order between the two queues; the read sees the write that landed.
        assert_eq!(nvm.response_of(false, 1001), Some(0x77));
        assert_eq!(nvm.response_of(true, 1001), None, "the write's answer comes later");
        assert!(nvm.due(true, 1, 1006) && !nvm.due(true, 1, 1005) && !nvm.due(true, 2, 1006));
        assert_eq!(nvm.retire_of(false), None);
        assert_eq!(nvm.durable_word(a), old, "not durable before its answer");
        assert_eq!(nvm.retire_of(true), Some(a));
        assert!(nvm.idle());
    }
}
