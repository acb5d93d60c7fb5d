//! Reading the persistent layout back (docs/persistent-layout.md), as the
//! controller must, but independently of it: the commit records, the
//! committed table and the image it describes.

use super::Nvm;
use pmsnap_hdl::nvm_layout::{checksum_step, CHECKSUM_SEED, COMMIT_MAGIC, ENTRY_MAPPED_BIT, LAYOUT_VERSION};

/// A valid commit record as found in NVM.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CommitRecord {
    pub slot: u64,
    pub sequence: u64,
    pub table: u64,
}

impl Nvm {
    /// Decodes a commit slot as the controller must: magic, version, sizes,
    /// table 0 or 1, checksum.
    pub fn decode_slot(&self, slot: u64) -> Option<CommitRecord> {
        let base = self.layout().slot_base(slot);
        self.decode_words(slot, std::array::from_fn(|i| self.word(base + i as u64) as u32))
    }

    /// The slot as a power loss now would leave it (drop mode): every
    /// unanswered write undone.
    pub fn decode_durable_slot(&self, slot: u64) -> Option<CommitRecord> {
        let base = self.layout().slot_base(slot);
        self.decode_words(slot, std::array::from_fn(|i| self.durable_word(base + i as u64) as u32))
    }

    fn decode_words(&self, slot: u64, w: [u32; 8]) -> Option<CommitRecord> {
        let l = self.layout();
        let sum = w[..7].iter().fold(CHECKSUM_SEED, |a, &x| checksum_step(a, x));
        let ok = w[0] == COMMIT_MAGIC
            && w[1] == LAYOUT_VERSION
            && w[3] < 2
            && w[4] as u64 == l.pages
            && w[5] as u64 == l.page_words
            && w[6] as u64 == l.frames
            && w[7] == sum;
        ok.then_some(CommitRecord { slot, sequence: w[2] as u64, table: w[3] as u64 })
    }

    /// The record RECOVER must pick: the valid one with the highest sequence.
    pub fn committed(&self) -> Option<CommitRecord> {
        (0..2).filter_map(|s| self.decode_slot(s)).max_by_key(|r| r.sequence)
    }

    /// (page, frame) of every mapped entry of a table.
    pub fn table_frames(&self, table: u64) -> Vec<(u64, u64)> {
        let base = self.layout().table_base(table);
        (0..self.layout().pages)
            .filter_map(|p| {
                let e = self.word(base + p);
                (e >> ENTRY_MAPPED_BIT & 1 == 1).then_some((p, e & ((1 << ENTRY_MAPPED_BIT) - 1)))
            })
            .collect()
    }

    /// The image the committed snapshot holds, read straight from NVM: the
    /// words of every mapped page (pages absent read zero). `None` when no
    /// commit record is valid.
    pub fn committed_image(&self) -> Option<Vec<(u64, Vec<u64>)>> {
        let r = self.committed()?;
        let l = *self.layout();
        Some(
            self.table_frames(r.table)
                .into_iter()
                .map(|(page, frame)| {
                    let base = l.frame_base(frame.min(l.frames - 1));
                    (page, (0..l.page_words).map(|i| self.word(base + i)).collect())
                })
                .collect(),
        )
    }
}
