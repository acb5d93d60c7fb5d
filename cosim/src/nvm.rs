//! The persistent-memory model behind the controller's NVM port.
//!
//! In-order, one response per request; a request accepted at the end of
//! cycle `c` is answered in cycle `c + 1 + latency` at the earliest (latency 0
//! is a zero-wait-state memory, like a block RAM). `ready_percent` < 100 adds
//! seeded random back-pressure. The contents start as seeded garbage, as a
//! real device would be before FORMAT. Writes per frame are counted (wear).

use crate::rng::Rng;
use pmsnap_hdl::nvm_layout::NvmLayout;
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

struct Pending {
    due: u64,
    rdata: u64,
}

pub struct Nvm {
    words: Vec<u64>,
    layout: NvmLayout,
    timing: NvmTiming,
    pending: VecDeque<Pending>,
    last_due: u64,
    rng: Rng,
    ready_now: bool,
    word_mask: u64,
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
        Nvm {
            words,
            layout,
            timing,
            pending: VecDeque::new(),
            last_due: 0,
            rng,
            ready_now: true,
            word_mask,
            writes: 0,
            reads: 0,
            frame_writes: vec![0; layout.frames as usize],
        }
    }

    /// Decides `mem_req_ready` for `cycle` (before seeing the request).
    pub fn ready(&mut self) -> bool {
        self.ready_now = self.timing.ready_percent >= 100 || (self.rng.next_u64() % 100) < self.timing.ready_percent as u64;
        self.ready_now
    }

    /// The response presented in `cycle`, if one is due.
    pub fn response(&self, cycle: u64) -> Option<u64> {
        self.pending.front().filter(|p| p.due <= cycle).map(|p| p.rdata)
    }

    /// The response of `response(cycle)` was presented: retire it.
    pub fn retire(&mut self) {
        self.pending.pop_front();
    }

    /// A request was accepted at the end of `cycle`.
    pub fn accept(&mut self, cycle: u64, write: bool, addr: u64, wdata: u64) -> Result<(), NvmFault> {
        let index = usize::try_from(addr).ok().filter(|&a| a < self.words.len()).ok_or_else(|| {
            NvmFault(format!("NVM {} at word address {addr:#x}, beyond the device's {} words", if write { "write" } else { "read" }, self.words.len()))
        })?;
        let latency = if write { self.timing.write_latency } else { self.timing.read_latency };
        let due = (cycle + 1 + latency).max(self.last_due + 1);
        self.last_due = due;
        let rdata = if write {
            self.words[index] = wdata & self.word_mask;
            self.writes += 1;
            if let Some(frame) = self.layout.frame_of(addr) {
                self.frame_writes[frame as usize] += 1;
            }
            0
        } else {
            self.reads += 1;
            self.words[index]
        };
        self.pending.push_back(Pending { due, rdata });
        Ok(())
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
