//! Generated random workloads: writes and reads clustered on a working set
//! of pages (so pages are re-written within an epoch and the cache hits),
//! some out-of-range accesses, and periodic snapshots, restores and power
//! losses (between operations).

use crate::rng::Rng;
use crate::trace::{Op, TraceOp};

#[derive(Clone, Copy, Debug)]
pub struct RandomWorkload {
    pub ops: usize,
    pub seed: u64,
    pub pages: usize,
    pub page_words: usize,
    pub word_bits: usize,
}

impl RandomWorkload {
    /// Seed of the stray commands sent during this workload, so that
    /// `pmsnap cosim --seed S` replays a crash campaign's run with seed S.
    pub fn stray_seed(&self) -> u64 {
        self.seed ^ 0x5772_6179
    }

    /// Seed of the NVM timing drawn for this workload.
    pub fn timing_seed(&self) -> u64 {
        self.seed ^ 0x7469_6d65
    }

    pub fn generate(&self) -> Vec<TraceOp> {
        let mut rng = Rng::new(self.seed);
        let words = (self.pages * self.page_words) as u64;
        let mask = if self.word_bits >= 64 { u64::MAX } else { (1u64 << self.word_bits) - 1 };
        // A working set of up to 16 pages, redrawn now and then.
        let set_size = self.pages.min(16) as u64;
        let mut set: Vec<u64> = (0..set_size).map(|_| rng.below(self.pages as u64)).collect();
        let mut ops = Vec::with_capacity(self.ops);
        while ops.len() < self.ops {
            let roll = rng.below(1000);
            let addr = if rng.chance(2) {
                // Out of range, sometimes far out.
                words + if rng.chance(50) { rng.below(16) } else { rng.below(1 << 31) }
            } else if rng.chance(85) {
                set[rng.below(set_size) as usize] * self.page_words as u64 + rng.below(self.page_words as u64)
            } else {
                rng.below(words)
            };
            let op = match roll {
                0..=7 => Op::Snapshot,
                8..=11 => Op::Restore,
                12 => Op::PowerLoss,
                13..=20 => {
                    let i = rng.below(set_size) as usize;
                    set[i] = rng.below(self.pages as u64);
                    continue;
                }
                21..=520 => Op::Write { addr, data: rng.next_u64() & mask },
                _ => Op::Read { addr },
            };
            ops.push(TraceOp { op, line: 0 });
        }
        ops
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_mixed() {
        let w = RandomWorkload { ops: 2000, seed: 7, pages: 8, page_words: 4, word_bits: 32 };
        let a = w.generate();
        assert_eq!(a, w.generate());
        assert_eq!(a.len(), 2000);
        let count = |f: fn(&Op) -> bool| a.iter().filter(|o| f(&o.op)).count();
        assert!(count(|o| matches!(o, Op::Snapshot)) > 5);
        assert!(count(|o| matches!(o, Op::Restore)) > 2);
        assert!(count(|o| matches!(o, Op::PowerLoss)) > 0);
        assert!(count(|o| matches!(o, Op::Write { addr, .. } if *addr >= 32)) > 5);
        assert!(count(|o| matches!(o, Op::Read { .. })) > 500);
    }
}
