//! The untimed reference model (spec §4): what the memory holds, by the
//! rules of spec §1–§2, with no notion of time, tables or NVM.
//!
//! With `frames` set it also follows frame accounting, so it predicts the
//! controller's host-port answers exactly (errors for out-of-range addresses
//! and for exhausted frames) and the free-frame count after each command
//! (I4). Without it, it is the CPU's view: plain memory with save/restore.

use bitvec::prelude::*;
use std::collections::HashMap;

#[derive(Clone, Debug)]
pub struct Reference {
    pages: usize,
    page_words: usize,
    word_mask: u64,
    /// `None`: unlimited frames (CPU view).
    frames: Option<usize>,
    /// The snapshot `S`: pages never written are absent and read zero.
    snapshot: HashMap<usize, Vec<u64>>,
    /// Pages of `S` that hold a frame (written at least once before a snapshot).
    snapshot_mapped: BitVec,
    /// Pages copied on write since the last snapshot, with their contents.
    working: HashMap<usize, Vec<u64>>,
    /// Frames only the superseded snapshot used: kept as its fallback until
    /// the next snapshot commits.
    retired: usize,
    /// Pages of `M` first written in this epoch (COW faults so far, total).
    pub cow_faults: u64,
    /// A device is mounted: FORMAT or a successful RECOVER happened.
    pub mounted: bool,
}

/// Why a write or read was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    OutOfRange,
    NoFrames,
    /// No device mounted (before FORMAT, or after RECOVER found none).
    Unmounted,
}

impl Reference {
    pub fn new(pages: usize, page_words: usize, word_bits: usize, frames: Option<usize>) -> Self {
        Reference {
            pages,
            page_words,
            word_mask: if word_bits >= 64 { u64::MAX } else { (1u64 << word_bits) - 1 },
            frames,
            snapshot: HashMap::new(),
            snapshot_mapped: bitvec![0; pages],
            working: HashMap::new(),
            retired: 0,
            cow_faults: 0,
            mounted: false,
        }
    }

    /// FORMAT: every word zero, every frame free.
    pub fn format(&mut self) {
        self.snapshot.clear();
        self.snapshot_mapped.fill(false);
        self.working.clear();
        self.retired = 0;
        self.mounted = true;
    }

    fn split(&self, addr: u64) -> Result<(usize, usize), Refusal> {
        if !self.mounted {
            return Err(Refusal::Unmounted);
        }
        if addr >= (self.pages * self.page_words) as u64 {
            return Err(Refusal::OutOfRange);
        }
        Ok((addr as usize / self.page_words, addr as usize % self.page_words))
    }

    pub fn read(&self, addr: u64) -> Result<u64, Refusal> {
        let (page, offset) = self.split(addr)?;
        Ok(self.working.get(&page).or_else(|| self.snapshot.get(&page)).map_or(0, |p| p[offset]))
    }

    pub fn write(&mut self, addr: u64, data: u64) -> Result<(), Refusal> {
        let (page, offset) = self.split(addr)?;
        if !self.working.contains_key(&page) {
            if self.free_frames() == Some(0) {
                return Err(Refusal::NoFrames);
            }
            let copy = self.snapshot.get(&page).cloned().unwrap_or_else(|| vec![0; self.page_words]);
            self.working.insert(page, copy);
            self.cow_faults += 1;
        }
        self.working.get_mut(&page).expect("inserted above")[offset] = data & self.word_mask;
        Ok(())
    }

    /// SNAPSHOT: `S := M`. The frames the old snapshot alone used are
    /// retired; those retired by the snapshot before it become free.
    pub fn snapshot(&mut self) {
        let mut retired = 0;
        for (page, data) in self.working.drain() {
            retired += self.snapshot_mapped[page] as usize;
            self.snapshot_mapped.set(page, true);
            self.snapshot.insert(page, data);
        }
        self.retired = retired;
    }

    /// Makes `pages` (page, words) the snapshot, every other page unmapped,
    /// with nothing written since: what RECOVER of an older record yields.
    pub fn load(&mut self, pages: &[(u64, Vec<u64>)]) {
        self.format();
        for (page, words) in pages {
            self.snapshot_mapped.set(*page as usize, true);
            self.snapshot.insert(*page as usize, words.iter().map(|w| w & self.word_mask).collect());
        }
    }

    /// Power loss and RECOVER: `M := S`, and no fallback snapshot is kept.
    pub fn recover(&mut self) {
        self.working.clear();
        self.retired = 0;
    }

    /// RESTORE: `M := S`.
    pub fn restore(&mut self) {
        self.working.clear();
    }

    /// Free frames: F minus the frames the committed image, the working
    /// image and the fallback snapshot hold.
    pub fn free_frames(&self) -> Option<usize> {
        self.frames.map(|f| f - self.snapshot_mapped.count_ones() - self.working.len() - self.retired)
    }

    /// Pages remapped since the last snapshot.
    pub fn dirty_pages(&self) -> usize {
        self.working.len()
    }

    /// Every word of the snapshot `S`, in address order.
    pub fn snapshot_image(&self) -> Vec<u64> {
        self.flatten(|page| self.snapshot.get(&page))
    }

    /// Every word of the working image `M`, in address order.
    pub fn working_image(&self) -> Vec<u64> {
        self.flatten(|page| self.working.get(&page).or_else(|| self.snapshot.get(&page)))
    }

    fn flatten<'a>(&'a self, page_of: impl Fn(usize) -> Option<&'a Vec<u64>>) -> Vec<u64> {
        let mut out = vec![0; self.pages * self.page_words];
        for (page, chunk) in out.chunks_mut(self.page_words).enumerate() {
            if let Some(words) = page_of(page) {
                chunk.copy_from_slice(words);
            }
        }
        out
    }

    pub fn logical_words(&self) -> u64 {
        (self.pages * self.page_words) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cow_snapshot_restore_and_frames() {
        let mut r = Reference::new(4, 4, 32, Some(6));
        assert_eq!(r.read(0), Err(Refusal::Unmounted));
        r.format();
        assert_eq!(r.free_frames(), Some(6));
        assert_eq!(r.read(5), Ok(0));
        r.write(5, 0x1_0000_0007).unwrap();
        assert_eq!(r.read(5), Ok(7), "data is masked to the word width");
        assert_eq!(r.free_frames(), Some(5));
        r.snapshot();
        assert_eq!(r.free_frames(), Some(5));
        r.write(5, 9).unwrap();
        assert_eq!(r.free_frames(), Some(4));
        r.restore();
        assert_eq!(r.read(5), Ok(7));
        assert_eq!(r.free_frames(), Some(5));
        r.write(4, 1).unwrap();
        r.snapshot();
        assert_eq!(r.free_frames(), Some(4), "the superseded frame of page 1 is kept as fallback");
        r.snapshot();
        assert_eq!(r.free_frames(), Some(5), "and reclaimed one snapshot later");
        assert_eq!(r.read(16), Err(Refusal::OutOfRange));
        assert_eq!(r.write(16, 1), Err(Refusal::OutOfRange));
        assert_eq!(r.cow_faults, 3);
    }

    #[test]
    fn exhausted_frames_refuse_and_change_nothing() {
        let mut r = Reference::new(4, 4, 32, Some(5));
        r.format();
        for p in 0..4 {
            r.write(p * 4, 1).unwrap();
        }
        r.snapshot();
        r.write(0, 2).unwrap();
        assert_eq!(r.write(4, 2), Err(Refusal::NoFrames));
        assert_eq!(r.read(4), Ok(1));
        r.snapshot();
        assert_eq!(r.write(4, 2), Err(Refusal::NoFrames), "page 0's old frame is the fallback's");
        r.snapshot();
        r.write(4, 2).unwrap();
    }
}
