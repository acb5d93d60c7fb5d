//! The untimed reference model (contract §4): what the memory holds, by the
//! rules of contract §1–§2, with no notion of time, tables or NVM.
//!
//! With `frames` set it also follows frame accounting, so it predicts the
//! controller's host-port answers exactly (errors for out-of-range addresses
//! and for exhausted frames), the free-frame count after each command (I4)
//! and whether a fallback snapshot is held. Without it, it is the CPU's
//! view: plain memory with save/restore.
//!
//! Frames (contract §2): the committed image and the working image hold
//! frames; so may the fallback snapshot (the one before the committed
//! one), but it yields them the moment a write needs a frame and no other
//! is free. So a write is refused only when F minus the frames of the
//! committed and working images is 0, which never happens with F ≥ 2L.

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
    /// The fallback snapshot, while it is held: the frames only it uses.
    fallback: Option<usize>,
    /// Pages of `M` first written in this epoch (COW faults so far, total).
    pub cow_faults: u64,
    /// Times the fallback snapshot gave up its frames to a write.
    pub fallback_releases: u64,
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

impl Refusal {
    pub fn reason(self) -> &'static str {
        match self {
            Refusal::OutOfRange => "address out of range",
            Refusal::NoFrames => "no free frame",
            Refusal::Unmounted => "no device mounted",
        }
    }
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
            fallback: None,
            cow_faults: 0,
            fallback_releases: 0,
            mounted: false,
        }
    }

    /// FORMAT: every word zero, every frame free.
    pub fn format(&mut self) {
        self.snapshot.clear();
        self.snapshot_mapped.fill(false);
        self.working.clear();
        self.fallback = None;
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
            // Only the fallback's frames are left: it gives them up.
            if let Some(held) = self.fallback.filter(|&held| self.free_frames() == Some(held)) {
                debug_assert!(held > 0);
                self.fallback = None;
                self.fallback_releases += 1;
            }
            let copy = self.snapshot.get(&page).cloned().unwrap_or_else(|| vec![0; self.page_words]);
            self.working.insert(page, copy);
            self.cow_faults += 1;
        }
        self.working.get_mut(&page).expect("inserted above")[offset] = data & self.word_mask;
        Ok(())
    }

    /// SNAPSHOT: `S := M`. The old snapshot becomes the fallback, holding
    /// the frames it alone used; the previous fallback's become free.
    pub fn snapshot(&mut self) {
        let mut superseded = 0;
        for (page, data) in self.working.drain() {
            superseded += self.snapshot_mapped[page] as usize;
            self.snapshot_mapped.set(page, true);
            self.snapshot.insert(page, data);
        }
        self.fallback = Some(superseded);
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
        self.fallback = None;
    }

    /// RESTORE: `M := S`.
    pub fn restore(&mut self) {
        self.working.clear();
    }

    /// Frames a write can get: F minus the frames of the committed and the
    /// working image (I4); the fallback's are among them.
    pub fn free_frames(&self) -> Option<usize> {
        self.frames.map(|f| f - self.snapshot_mapped.count_ones() - self.working.len())
    }

    /// A fallback snapshot is held (with frames accounting only).
    pub fn fallback_held(&self) -> bool {
        self.fallback.is_some()
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
        assert!(r.fallback_held());
        assert_eq!(r.free_frames(), Some(5), "page 1's superseded frame is the fallback's, and free for the asking");
        assert_eq!(r.read(16), Err(Refusal::OutOfRange));
        assert_eq!(r.write(16, 1), Err(Refusal::OutOfRange));
        assert_eq!(r.cow_faults, 3);
    }

    #[test]
    fn the_fallback_yields_its_frames_before_a_write_is_refused() {
        // F = 2L: every page rewritten in epoch after epoch, never refused.
        let mut r = Reference::new(4, 4, 32, Some(8));
        r.format();
        for epoch in 0..6u64 {
            for p in 0..4 {
                r.write(p * 4, epoch).unwrap();
            }
            r.snapshot();
            assert_eq!(r.free_frames(), Some(4));
        }
        // The committed image holds 4 frames, the fallback the other 4:
        // the first COW fault of the next epoch needs one of those.
        assert!(r.fallback_held());
        r.write(0, 9).unwrap();
        assert!(!r.fallback_held(), "released for the first write that needed a frame");
        for p in 1..4 {
            r.write(p * 4, 9).unwrap();
        }
        assert_eq!(r.free_frames(), Some(0));
        r.restore();
        assert!(!r.fallback_held(), "a release is not undone by RESTORE");
        assert_eq!(r.read(0), Ok(5));
        // Epochs 2 to 5 each began the same way, then this one.
        assert_eq!(r.fallback_releases, 5);
    }

    #[test]
    fn with_three_l_frames_the_fallback_is_always_kept() {
        let mut r = Reference::new(4, 4, 32, Some(12));
        r.format();
        for epoch in 0..8u64 {
            for p in 0..4 {
                r.write(p * 4, epoch).unwrap();
            }
            r.snapshot();
            assert!(r.fallback_held());
        }
        assert_eq!(r.fallback_releases, 0);
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
        // Page 0's old frame is the fallback's: it yields it.
        assert!(r.fallback_held());
        r.write(4, 2).unwrap();
        assert!(!r.fallback_held());
        assert_eq!(r.write(8, 2), Err(Refusal::NoFrames));
    }
}
