//! Where everything lives in NVM (physical word addresses).
//!
//! | words                      | contents                                   |
//! |----------------------------|--------------------------------------------|
//! | 0 .. 8                     | commit-record slot 0                       |
//! | 8 .. 16                    | commit-record slot 1                       |
//! | 16 .. 16+L                 | indirection table A (one entry a word)     |
//! | 16+L .. 16+2L              | indirection table B                        |
//! | frames_base .. + F·W       | frames (frames_base = 16+2L rounded up to W)|
//!
//! A table entry is `mapped << 31 | frame`. A commit record is the eight
//! words of [`CommitWord`], the last one a checksum of the first seven.

use crate::config::Config;

/// Words in one commit-record slot.
pub const SLOT_WORDS: u64 = 8;
/// Magic number in word 0 of a valid commit record ("PMSN").
pub const COMMIT_MAGIC: u32 = 0x504D_534E;
/// Layout version in word 1.
pub const LAYOUT_VERSION: u32 = 1;
/// Bit of a table entry that says the page is mapped to a frame.
pub const ENTRY_MAPPED_BIT: u32 = 31;
/// Initial value of the commit-record checksum.
pub const CHECKSUM_SEED: u32 = 0xFFFF_FFFF;

/// Word index inside a commit record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u64)]
pub enum CommitWord {
    Magic = 0,
    Version = 1,
    Sequence = 2,
    Table = 3,
    Pages = 4,
    PageWords = 5,
    Frames = 6,
    Checksum = 7,
}

/// One step of the commit-record checksum: rotate left by 5, xor the word.
pub fn checksum_step(acc: u32, word: u32) -> u32 {
    acc.rotate_left(5) ^ word
}

/// The eight words of a commit record.
pub fn commit_record(config: &Config, sequence: u32, table: u32) -> [u32; 8] {
    let mut words = [COMMIT_MAGIC, LAYOUT_VERSION, sequence, table, config.pages as u32, config.page_words as u32, config.frames as u32, 0];
    words[7] = words[..7].iter().fold(CHECKSUM_SEED, |acc, &w| checksum_step(acc, w));
    words
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NvmLayout {
    pub pages: u64,
    pub page_words: u64,
    pub frames: u64,
}

impl NvmLayout {
    pub fn new(config: &Config) -> Self {
        NvmLayout { pages: config.pages as u64, page_words: config.page_words as u64, frames: config.frames as u64 }
    }
    pub fn slot_base(&self, slot: u64) -> u64 {
        slot * SLOT_WORDS
    }
    pub fn table_base(&self, table: u64) -> u64 {
        2 * SLOT_WORDS + table * self.pages
    }
    /// End of the metadata: FORMAT zeroes everything below this.
    pub fn metadata_words(&self) -> u64 {
        self.table_base(2)
    }
    pub fn frames_base(&self) -> u64 {
        self.metadata_words().div_ceil(self.page_words) * self.page_words
    }
    pub fn frame_base(&self, frame: u64) -> u64 {
        self.frames_base() + frame * self.page_words
    }
    pub fn total_words(&self) -> u64 {
        self.frame_base(self.frames)
    }
    /// The frame a physical word address falls in, if any.
    pub fn frame_of(&self, addr: u64) -> Option<u64> {
        (addr >= self.frames_base() && addr < self.total_words()).then(|| (addr - self.frames_base()) / self.page_words)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_do_not_overlap() {
        let c = Config::sized(4, 4, 5, 32);
        let l = c.layout();
        assert_eq!(l.table_base(0), 16);
        assert_eq!(l.table_base(1), 20);
        assert_eq!(l.metadata_words(), 24);
        assert_eq!(l.frames_base(), 24);
        assert_eq!(l.total_words(), 44);
        assert_eq!(l.frame_of(23), None);
        assert_eq!(l.frame_of(24), Some(0));
        assert_eq!(l.frame_of(43), Some(4));
        assert_eq!(l.frame_of(44), None);
    }

    #[test]
    fn checksum_covers_every_word() {
        let c = Config::default();
        let r = commit_record(&c, 7, 1);
        for i in 0..7 {
            let mut bad = r;
            bad[i] ^= 1 << (i * 3);
            let sum = bad[..7].iter().fold(CHECKSUM_SEED, |a, &w| checksum_step(a, w));
            assert_ne!(sum, r[7], "flip in word {i} not detected");
        }
    }
}
