//! The persistent-memory model behind the controller's NVM port.
//!
//! In-order, one response per request; a request accepted at the end of
//! cycle `c` is answered in cycle `c + 1 + latency` at the earliest (latency 0
//! is a zero-wait-state memory, like a block RAM). `ready_percent` < 100 adds
//! seeded random back-pressure. The contents start as seeded garbage, as a
//! real device would be before FORMAT. Writes per frame are counted (wear).
//!
//! A write is durable once answered. At a power loss the writes accepted but
//! not yet answered are dropped ([`PowerLossMode::Drop`]) or a seeded random
//! subset of them lands ([`PowerLossMode::Adversarial`]), so multi-word
//! updates tear.
//!
//! The model checks the controller on every cycle and every write:
//!
//! * **I1**: it decodes the commit records itself and refuses a write to a
//!   valid record's slot, its table, or a frame that table references. The
//!   records counted valid are those of the current contents *and* those a
//!   power loss could leave (the durable contents, every unanswered write
//!   undone), so a frame is writable only once the record that used it is
//!   durably invalid. The magic word of any record but the newest may be
//!   overwritten: that is how a record is retired.
//! * **Commit order**: a record's magic word is written only when none of
//!   its other words has a write in flight.
//! * **Valid/ready** ([`Nvm::check_port`]): a request offered and not
//!   accepted is offered again in the next cycle, with the same direction,
//!   address and (for a write) data.

use crate::rng::Rng;
use pmsnap_hdl::nvm_layout::{checksum_step, NvmLayout, CHECKSUM_SEED, COMMIT_MAGIC, ENTRY_MAPPED_BIT, LAYOUT_VERSION, SLOT_WORDS};
use std::collections::VecDeque;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NvmTiming {
    /// Extra cycles before a read is answered.
    pub read_latency: u64,
    /// Extra cycles before a write is answered (durable).
    pub write_latency: u64,
    /// Chance, in percent, that `mem_req_ready` is high in a cycle.
    pub ready_percent: u32,
}

impl Default for NvmTiming {
    fn default() -> Self {
        NvmTiming { read_latency: 0, write_latency: 0, ready_percent: 100 }
    }
}

/// NVM timing as asked for: each figure pinned, or (`None`) drawn per run
/// from its range, so random runs and crash campaigns meet a stalling NVM
/// by default.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TimingSpec {
    pub read_latency: Option<u64>,
    pub write_latency: Option<u64>,
    pub ready_percent: Option<u32>,
}

impl TimingSpec {
    /// Ranges the figures are drawn from (inclusive).
    pub const READ_LATENCY: (u64, u64) = (0, 4);
    pub const WRITE_LATENCY: (u64, u64) = (0, 10);
    pub const READY_PERCENT: (u32, u32) = (40, 100);

    /// Every unpinned figure at zero wait states and no back-pressure.
    pub fn fixed(&self) -> NvmTiming {
        let zero = NvmTiming::default();
        NvmTiming {
            read_latency: self.read_latency.unwrap_or(zero.read_latency),
            write_latency: self.write_latency.unwrap_or(zero.write_latency),
            ready_percent: self.ready_percent.unwrap_or(zero.ready_percent),
        }
    }

    /// Every unpinned figure drawn with `seed`: a quarter of the draws give
    /// the zero-wait value, the rest are even over the range.
    pub fn draw(&self, seed: u64) -> NvmTiming {
        let mut rng = Rng::new(seed ^ 0x7131_6e67);
        let mut pick = |(lo, hi): (u64, u64), zero: u64| if rng.chance(25) { zero } else { lo + rng.below(hi - lo + 1) };
        let read = pick(Self::READ_LATENCY, 0);
        let write = pick(Self::WRITE_LATENCY, 0);
        let ready = pick((Self::READY_PERCENT.0 as u64, Self::READY_PERCENT.1 as u64), 100) as u32;
        NvmTiming {
            read_latency: self.read_latency.unwrap_or(read),
            write_latency: self.write_latency.unwrap_or(write),
            ready_percent: self.ready_percent.unwrap_or(ready),
        }
    }

    /// Whether any figure is drawn.
    pub fn draws(&self) -> bool {
        self.read_latency.is_none() || self.write_latency.is_none() || self.ready_percent.is_none()
    }

    /// What is pinned and what is drawn, for a campaign's header.
    pub fn describe(&self) -> String {
        fn one<T: std::fmt::Display>(name: &str, pinned: Option<T>, lo: T, hi: T, unit: &str) -> String {
            match pinned {
                Some(v) => format!("{name} {v}{unit}"),
                None => format!("{name} {lo}–{hi}{unit} (drawn)"),
            }
        }
        let (r, w, p) = (Self::READ_LATENCY, Self::WRITE_LATENCY, Self::READY_PERCENT);
        format!(
            "{}, {}, {}",
            one("read latency +", self.read_latency, r.0, r.1, ""),
            one("write latency +", self.write_latency, w.0, w.1, ""),
            one("ready", self.ready_percent, p.0, p.1, " %")
        )
        .replace("+ ", "+")
    }
}

impl std::fmt::Display for NvmTiming {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "read latency +{}, write latency +{}, ready {} %", self.read_latency, self.write_latency, self.ready_percent)
    }
}

/// What happens to unanswered writes at a power loss.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PowerLossMode {
    Drop,
    Adversarial,
}

impl std::str::FromStr for PowerLossMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "drop" => Ok(PowerLossMode::Drop),
            "adversarial" => Ok(PowerLossMode::Adversarial),
            _ => Err(format!("`{s}`: expected drop or adversarial")),
        }
    }
}

struct Pending {
    due: u64,
    rdata: u64,
    /// For a write: the address and the word it replaced.
    undo: Option<(usize, u64)>,
    new: u64,
}

/// A valid commit record as found in NVM.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CommitRecord {
    pub slot: u64,
    pub sequence: u64,
    pub table: u64,
}

pub struct Nvm {
    words: Vec<u64>,
    layout: NvmLayout,
    timing: NvmTiming,
    pending: VecDeque<Pending>,
    last_due: u64,
    rng: Rng,
    word_mask: u64,
    /// Per frame: referenced by the table of a valid commit record (I1).
    protected: Vec<bool>,
    /// Records valid in the current or in the durable contents.
    valid: Vec<CommitRecord>,
    /// The newest of them: its magic word is protected too.
    newest: Option<CommitRecord>,
    /// The request offered last cycle and not accepted: (write, address,
    /// data), and the cycle it was first offered.
    offered: Option<(bool, u64, u64, u64)>,
    /// A FORMAT is running: it erases everything by definition, so I1 is
    /// not checked until it completes.
    pub erasing: bool,
    /// Test-only fault: at a power loss, also undo this many of the most
    /// recently *answered* writes — a device that lies about durability,
    /// to show the checks catch what such a device does.
    pub forget_answered: usize,
    answered: VecDeque<(usize, u64)>,
    pub writes: u64,
    pub reads: u64,
    pub frame_writes: Vec<u32>,
}

/// An NVM access the controller must never make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NvmFault(pub String);

impl Nvm {
    pub fn new(layout: NvmLayout, word_bits: usize, timing: NvmTiming, seed: u64) -> Nvm {
        let mut rng = Rng::new(seed ^ 0x6e76_6d5f_6761_7262);
        let word_mask = if word_bits >= 64 { u64::MAX } else { (1u64 << word_bits) - 1 };
        let words = (0..layout.total_words()).map(|_| rng.next_u64() & word_mask).collect();
        let mut nvm = Nvm {
            words,
            layout,
            timing,
            pending: VecDeque::new(),
            last_due: 0,
            rng,
            word_mask,
            protected: vec![false; layout.frames as usize],
            valid: Vec::new(),
            newest: None,
            offered: None,
            erasing: false,
            forget_answered: 0,
            answered: VecDeque::new(),
            writes: 0,
            reads: 0,
            frame_writes: vec![0; layout.frames as usize],
        };
        nvm.refresh_protection();
        nvm
    }

    /// Decides `mem_req_ready` for this cycle (before seeing the request).
    pub fn ready(&mut self) -> bool {
        self.timing.ready_percent >= 100 || (self.rng.next_u64() % 100) < self.timing.ready_percent as u64
    }

    /// The response presented in `cycle`, if one is due.
    pub fn response(&self, cycle: u64) -> Option<u64> {
        self.pending.front().filter(|p| p.due <= cycle).map(|p| p.rdata)
    }

    /// The response of `response(cycle)` was presented: retire it (a write
    /// is now durable).
    pub fn retire(&mut self) {
        if let Some(Pending { undo: Some(undo), .. }) = self.pending.pop_front() {
            if self.forget_answered > 0 {
                self.answered.push_back(undo);
                if self.answered.len() > self.forget_answered {
                    self.answered.pop_front();
                }
            }
            if (undo.0 as u64) < 2 * SLOT_WORDS {
                self.refresh_protection();
            }
        }
    }

    /// The port's valid/ready rule, checked every cycle the controller is
    /// out of reset: what it offered and was not accepted, it offers again
    /// unchanged.
    pub fn check_port(&mut self, cycle: u64, valid: bool, ready: bool, write: bool, addr: u64, wdata: u64) -> Result<(), NvmFault> {
        let now = (write, addr, if write { wdata & self.word_mask } else { 0 });
        if let Some((w, a, d, since)) = self.offered.take() {
            let kind = |w: bool| if w { "write" } else { "read" };
            if !valid {
                return Err(NvmFault(format!(
                    "NVM port: the {} of {a:#x} offered since cycle {since} was withdrawn before it was accepted (mem_req_valid fell)",
                    kind(w)
                )));
            }
            if now != (w, a, d) {
                return Err(NvmFault(format!(
                    "NVM port: the {} of {d:#x} to {a:#x} offered since cycle {since} changed to a {} of {:#x} to {addr:#x} before it was accepted",
                    kind(w),
                    kind(write),
                    now.2
                )));
            }
            if !ready {
                self.offered = Some((w, a, d, since));
            }
            return Ok(());
        }
        if valid && !ready {
            self.offered = Some((now.0, now.1, now.2, cycle));
        }
        Ok(())
    }

    /// A request was accepted at the end of `cycle`.
    pub fn accept(&mut self, cycle: u64, write: bool, addr: u64, wdata: u64) -> Result<(), NvmFault> {
        let index = usize::try_from(addr).ok().filter(|&a| a < self.words.len()).ok_or_else(|| {
            NvmFault(format!("NVM {} at word address {addr:#x}, beyond the device's {} words", if write { "write" } else { "read" }, self.words.len()))
        })?;
        let latency = if write { self.timing.write_latency } else { self.timing.read_latency };
        let due = (cycle + 1 + latency).max(self.last_due + 1);
        self.last_due = due;
        if write {
            self.check_i1(addr)?;
            self.check_commit_order(addr, wdata & self.word_mask)?;
            let new = wdata & self.word_mask;
            let old = std::mem::replace(&mut self.words[index], new);
            self.writes += 1;
            if let Some(frame) = self.layout.frame_of(addr) {
                self.frame_writes[frame as usize] += 1;
            }
            self.pending.push_back(Pending { due, rdata: 0, undo: Some((index, old)), new });
            if addr < 2 * SLOT_WORDS {
                self.refresh_protection();
            }
        } else {
            self.reads += 1;
            let rdata = self.words[index];
            self.pending.push_back(Pending { due, rdata, undo: None, new: 0 });
        }
        Ok(())
    }

    fn check_i1(&self, addr: u64) -> Result<(), NvmFault> {
        if self.erasing {
            return Ok(());
        }
        for r in &self.valid {
            let slot = self.layout.slot_base(r.slot);
            let table = self.layout.table_base(r.table);
            let retiring = Some(*r) != self.newest && addr == slot;
            let hit = if (slot..slot + SLOT_WORDS).contains(&addr) && !retiring {
                Some(format!("commit slot {}", r.slot))
            } else if (table..table + self.layout.pages).contains(&addr) {
                Some(format!("table {} (entry of page {})", r.table, addr - table))
            } else {
                None
            };
            if let Some(what) = hit {
                return Err(NvmFault(format!("I1: NVM write to {addr:#x}, in {what} of the valid commit record seq {}", r.sequence)));
            }
        }
        if let Some(frame) = self.layout.frame_of(addr) {
            if self.protected[frame as usize] {
                return Err(NvmFault(format!("I1: NVM write to {addr:#x}, in frame {frame}, which a valid snapshot's table references")));
            }
        }
        Ok(())
    }

    /// The switch to a record is its magic word: every other word must be
    /// durable before it is written.
    fn check_commit_order(&self, addr: u64, data: u64) -> Result<(), NvmFault> {
        if addr >= 2 * SLOT_WORDS || !addr.is_multiple_of(SLOT_WORDS) || data != COMMIT_MAGIC as u64 {
            return Ok(());
        }
        let unanswered = self.pending.iter().filter_map(|p| p.undo).map(|(i, _)| i as u64).find(|&i| i > addr && i < addr + SLOT_WORDS);
        match unanswered {
            Some(i) => Err(NvmFault(format!(
                "commit order: the magic word of commit slot {} was written while the write of its word {} was not yet answered (durable)",
                addr / SLOT_WORDS,
                i - addr
            ))),
            None => Ok(()),
        }
    }

    /// Decodes a commit slot as the controller must: magic, version, sizes,
    /// table 0 or 1, checksum.
    pub fn decode_slot(&self, slot: u64) -> Option<CommitRecord> {
        let base = self.layout.slot_base(slot) as usize;
        self.decode_words(slot, std::array::from_fn(|i| self.words[base + i] as u32))
    }

    /// The slot as a power loss now would leave it (drop mode): every
    /// unanswered write undone.
    fn decode_durable_slot(&self, slot: u64) -> Option<CommitRecord> {
        let base = self.layout.slot_base(slot) as usize;
        let durable = |i: usize| self.pending.iter().filter_map(|p| p.undo).find(|&(at, _)| at == i).map_or(self.words[i], |(_, old)| old);
        self.decode_words(slot, std::array::from_fn(|i| durable(base + i) as u32))
    }

    fn decode_words(&self, slot: u64, w: [u32; 8]) -> Option<CommitRecord> {
        let sum = w[..7].iter().fold(CHECKSUM_SEED, |a, &x| checksum_step(a, x));
        let ok = w[0] == COMMIT_MAGIC
            && w[1] == LAYOUT_VERSION
            && w[3] < 2
            && w[4] as u64 == self.layout.pages
            && w[5] as u64 == self.layout.page_words
            && w[6] as u64 == self.layout.frames
            && w[7] == sum;
        ok.then_some(CommitRecord { slot, sequence: w[2] as u64, table: w[3] as u64 })
    }

    /// The record RECOVER must pick: the valid one with the highest sequence.
    pub fn committed(&self) -> Option<CommitRecord> {
        (0..2).filter_map(|s| self.decode_slot(s)).max_by_key(|r| r.sequence)
    }

    fn refresh_protection(&mut self) {
        let mut valid: Vec<CommitRecord> = (0..2).flat_map(|s| [self.decode_slot(s), self.decode_durable_slot(s)]).flatten().collect();
        valid.dedup();
        self.valid = valid;
        self.newest = self.valid.iter().copied().max_by_key(|r| r.sequence);
        self.protected.fill(false);
        for r in self.valid.clone() {
            for (_, frame) in self.table_frames(r.table) {
                if let Some(p) = self.protected.get_mut(frame as usize) {
                    *p = true;
                }
            }
        }
    }

    /// (page, frame) of every mapped entry of a table.
    fn table_frames(&self, table: u64) -> Vec<(u64, u64)> {
        let base = self.layout.table_base(table) as usize;
        (0..self.layout.pages as usize)
            .filter_map(|p| {
                let e = self.words[base + p];
                (e >> ENTRY_MAPPED_BIT & 1 == 1).then_some((p as u64, e & ((1 << ENTRY_MAPPED_BIT) - 1)))
            })
            .collect()
    }

    /// The image the committed snapshot holds, read straight from NVM: the
    /// words of every mapped page (pages absent read zero). `None` when no
    /// commit record is valid.
    pub fn committed_image(&self) -> Option<Vec<(u64, Vec<u64>)>> {
        let r = self.committed()?;
        Some(
            self.table_frames(r.table)
                .into_iter()
                .map(|(page, frame)| {
                    let base = self.layout.frame_base(frame.min(self.layout.frames - 1)) as usize;
                    (page, self.words[base..base + self.layout.page_words as usize].to_vec())
                })
                .collect(),
        )
    }

    /// Power fails: unanswered writes are dropped, or (adversarial) each
    /// lands or not at random. Pending reads vanish.
    pub fn power_loss(&mut self, mode: PowerLossMode) -> usize {
        let pending: Vec<Pending> = self.pending.drain(..).collect();
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
        self.last_due = 0;
        self.offered = None;
        self.refresh_protection();
        landed
    }

    /// Flips one bit of a stored word (corruption at rest).
    pub fn flip_bit(&mut self, addr: u64, bit: u32) {
        self.words[addr as usize] ^= 1 << bit;
        self.refresh_protection();
    }

    pub fn idle(&self) -> bool {
        self.pending.is_empty()
    }

    pub fn word(&self, addr: u64) -> u64 {
        self.words[addr as usize]
    }

    pub fn layout(&self) -> &NvmLayout {
        &self.layout
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pmsnap_hdl::nvm_layout::commit_record;
    use pmsnap_hdl::Config;

    fn formatted() -> (Nvm, Config) {
        let c = Config { pages: 4, page_words: 4, frames: 6, word_bits: 32 };
        let mut nvm = Nvm::new(c.layout(), 32, NvmTiming::default(), 5);
        let mut cycle = 0;
        let mut put = |nvm: &mut Nvm, addr: u64, data: u64| {
            nvm.accept(cycle, true, addr, data).unwrap();
            cycle += 1;
            nvm.retire();
        };
        for a in 0..c.layout().metadata_words() {
            put(&mut nvm, a, 0);
        }
        // Table 1 maps page 2 to frame 3; the record in slot 1 commits it.
        put(&mut nvm, c.layout().table_base(1) + 2, 1 << 31 | 3);
        for (i, w) in commit_record(&c, 1, 1).iter().enumerate() {
            put(&mut nvm, 8 + i as u64, *w as u64);
        }
        (nvm, c)
    }

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
    fn i1_refuses_writes_the_committed_snapshot_depends_on() {
        let (mut nvm, c) = formatted();
        let l = c.layout();
        for addr in [9, l.table_base(1), l.frame_base(3) + 1] {
            let e = nvm.accept(100, true, addr, 1).unwrap_err();
            assert!(e.0.starts_with("I1: "), "{}", e.0);
        }
        // Free frames, the other table and the other slot are fair game.
        for addr in [l.frame_base(0), l.table_base(0), 0] {
            nvm.accept(100, true, addr, 1).unwrap();
        }
        nvm.accept(100, false, 9, 0).unwrap();
    }

    #[test]
    fn a_frame_stays_protected_until_its_record_is_durably_retired() {
        let (mut nvm, c) = formatted();
        let l = c.layout();
        // A newer record (seq 2, table 0: page 1 in frame 4) makes slot 1's
        // record (seq 1, page 2 in frame 3) the fallback.
        let mut cycle = 100;
        let mut put = |nvm: &mut Nvm, addr: u64, data: u64| {
            nvm.accept(cycle, true, addr, data).unwrap();
            cycle += 1;
            nvm.retire();
        };
        put(&mut nvm, l.table_base(0) + 1, 1 << 31 | 4);
        for (i, w) in commit_record(&c, 2, 0).iter().enumerate().skip(1) {
            put(&mut nvm, i as u64, *w as u64);
        }
        put(&mut nvm, 0, COMMIT_MAGIC as u64);
        assert_eq!(nvm.committed().map(|r| r.sequence), Some(2));
        // Retire the fallback: its magic may be overwritten, but until that
        // write is answered a power loss could bring the record back.
        nvm.accept(200, true, 8, 0).unwrap();
        let e = nvm.accept(201, true, l.frame_base(3), 7).unwrap_err();
        assert!(e.0.starts_with("I1: ") && e.0.contains("frame 3"), "{}", e.0);
        nvm.retire();
        nvm.accept(202, true, l.frame_base(3), 7).unwrap();
        // The newest record's magic is never fair game.
        assert!(nvm.accept(203, true, 0, 0).unwrap_err().0.starts_with("I1: "));
    }

    #[test]
    fn the_magic_word_waits_for_the_rest_of_its_record() {
        let (mut nvm, c) = formatted();
        let record = commit_record(&c, 2, 0);
        for (i, w) in record.iter().enumerate().skip(1) {
            nvm.accept(100 + i as u64, true, i as u64, *w as u64).unwrap();
        }
        for _ in 1..7 {
            nvm.retire();
        }
        // Word 7 (the checksum) is still in flight.
        let e = nvm.accept(110, true, 0, COMMIT_MAGIC as u64).unwrap_err();
        assert!(e.0.starts_with("commit order: ") && e.0.contains("word 7"), "{}", e.0);
        nvm.retire();
        nvm.accept(111, true, 0, COMMIT_MAGIC as u64).unwrap();
    }

    #[test]
    fn an_offered_request_must_stay_put_until_accepted() {
        let (mut nvm, _) = formatted();
        // Offered, not accepted, offered again unchanged, then accepted.
        nvm.check_port(10, true, false, true, 40, 5).unwrap();
        nvm.check_port(11, true, false, true, 40, 5).unwrap();
        nvm.check_port(12, true, true, true, 40, 5).unwrap();
        // A read's data lines carry nothing: they may change.
        nvm.check_port(13, true, false, false, 40, 1).unwrap();
        nvm.check_port(14, true, true, false, 40, 2).unwrap();
        for (valid, write, addr, data, what) in
            [(true, true, 44, 5, "changed"), (true, true, 40, 6, "changed"), (true, false, 40, 5, "changed"), (false, true, 40, 5, "withdrawn")]
        {
            nvm.check_port(20, true, false, true, 40, 5).unwrap();
            let e = nvm.check_port(21, valid, false, write, addr, data).unwrap_err();
            assert!(e.0.starts_with("NVM port: ") && e.0.contains(what) && e.0.contains("since cycle 20"), "{}", e.0);
        }
    }

    #[test]
    fn timing_draws_cover_the_ranges_and_keep_pinned_figures() {
        let spec = TimingSpec::default();
        let draws: Vec<NvmTiming> = (0..400).map(|s| spec.draw(s)).collect();
        assert_eq!(draws[7], spec.draw(7), "seeded");
        let (r, w, p) = (TimingSpec::READ_LATENCY, TimingSpec::WRITE_LATENCY, TimingSpec::READY_PERCENT);
        assert!(draws.iter().all(|t| t.read_latency <= r.1 && t.write_latency <= w.1 && (p.0..=p.1).contains(&t.ready_percent)));
        assert!(draws.iter().filter(|t| t.ready_percent == 100).count() > 50, "about a quarter without back-pressure");
        assert!(draws.iter().any(|t| t.read_latency == r.1) && draws.iter().any(|t| t.write_latency == w.1));
        assert!(draws.iter().filter(|t| t.ready_percent < 100).count() > 200, "most runs stall");
        let pinned = TimingSpec { write_latency: Some(3), ..spec };
        assert!((0..50).all(|s| pinned.draw(s).write_latency == 3));
        assert_eq!(pinned.fixed(), NvmTiming { read_latency: 0, write_latency: 3, ready_percent: 100 });
        assert_eq!(pinned.describe(), "read latency +0–4 (drawn), write latency +3, ready 40–100 % (drawn)");
    }

    #[test]
    fn power_loss_drops_or_tears_unanswered_writes() {
        for (mode, seed) in [(PowerLossMode::Drop, 1), (PowerLossMode::Adversarial, 2)] {
            let (mut nvm, c) = formatted();
            let base = c.layout().frame_base(0);
            nvm.rng = Rng::new(seed);
            let before: Vec<u64> = (0..4).map(|i| nvm.word(base + i)).collect();
            for i in 0..4 {
                nvm.accept(200 + i, true, base + i, 0xabc0 + i).unwrap();
            }
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
}
