//! A VM-like workload (contract §4): a deterministic program whose registers
//! live in the CPU, saved to the state page before each snapshot and
//! reloaded after a restore or a power loss. However often it is
//! interrupted, it must end with exactly the result of an uninterrupted run
//! ([`expected`]).
//!
//! The program: each step reads a word chosen by `x`, folds it into `acc`,
//! writes a word chosen by `acc`, and advances `x` (an LCG). Every
//! `checkpoint` steps it stores (magic, pc, acc, x) to the state page — the
//! last page — and takes a snapshot. Now and then it restores the last
//! snapshot or loses power on purpose, then reloads its registers.

use crate::rng::Rng;
use crate::trace::Op;

const STATE_MAGIC: u64 = 0x564d_5354; // "VMST"

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VmSpec {
    pub steps: u64,
    pub checkpoint: u64,
    pub seed: u64,
    /// Chance in percent, at each checkpoint, of a restore right after it
    /// and a few more steps; likewise of a power loss.
    pub restore_percent: u64,
    pub power_loss_percent: u64,
    pub pages: usize,
    pub page_words: usize,
    pub word_bits: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Registers {
    pc: u64,
    acc: u64,
    x: u64,
}

impl VmSpec {
    fn mask(&self) -> u64 {
        if self.word_bits >= 64 {
            u64::MAX
        } else {
            (1 << self.word_bits) - 1
        }
    }
    /// Words the program computes on: every page but the state page.
    fn data_words(&self) -> u64 {
        ((self.pages - 1) * self.page_words) as u64
    }
    fn state_base(&self) -> u64 {
        self.data_words()
    }
    fn initial(&self) -> Registers {
        Registers { pc: 0, acc: 0, x: self.seed & self.mask() }
    }
    fn read_addr(&self, r: &Registers) -> u64 {
        (r.x >> 3) % self.data_words()
    }
    /// One step given the word read at `read_addr`: (write address, data).
    fn step(&self, r: &mut Registers, value: u64) -> (u64, u64) {
        let m = self.mask();
        r.acc = (r.acc.wrapping_mul(31).wrapping_add(value).wrapping_add(r.pc)) & m;
        let write = (r.acc ^ (r.acc >> 7)) % self.data_words();
        let data = (r.acc ^ r.x) & m;
        r.x = (r.x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407)) & m;
        r.pc += 1;
        (write, data)
    }
}

/// The result of an uninterrupted run: final `acc` and the data words.
pub fn expected(spec: &VmSpec) -> (u64, Vec<u64>) {
    let mut memory = vec![0u64; spec.data_words() as usize];
    let mut r = spec.initial();
    while r.pc < spec.steps {
        let value = memory[spec.read_addr(&r) as usize];
        let (a, d) = spec.step(&mut r, value);
        memory[a as usize] = d;
    }
    (r.acc, memory)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// Read the registers back from the state page (4 reads).
    Reload,
    /// The 4 reads are issued: apply them.
    Reloaded,
    /// Read the next step's input word.
    Fetch,
    /// The input word is read: compute and write.
    Execute,
    Finished,
}

/// Generates the program's operations as its reads come back.
pub struct VmProgram {
    spec: VmSpec,
    regs: Registers,
    phase: Phase,
    rng: Rng,
    /// A restore or power loss the program will cause at this pc.
    interrupt: Option<(Op, u64)>,
    pub restores: u64,
    pub power_losses: u64,
    pub reloads: u64,
}

impl VmProgram {
    pub fn new(spec: VmSpec) -> VmProgram {
        VmProgram {
            spec,
            regs: spec.initial(),
            phase: Phase::Reload,
            rng: Rng::new(spec.seed ^ 0x766d),
            interrupt: None,
            restores: 0,
            power_losses: 0,
            reloads: 0,
        }
    }

    /// Power failed (by the program's own `P` or injected): what the CPU
    /// held is gone; reload from the recovered state page.
    pub fn lost_power(&mut self) {
        if self.phase != Phase::Finished {
            self.phase = Phase::Reload;
        }
    }

    /// The words the result is made of: the data pages.
    pub fn data_words(&self) -> u64 {
        self.spec.data_words()
    }

    pub fn spec(&self) -> &VmSpec {
        &self.spec
    }

    pub fn finished(&self) -> bool {
        self.phase == Phase::Finished
    }

    pub fn acc(&self) -> u64 {
        self.regs.acc
    }

    /// The next operations, given the values of every read issued by the
    /// previous call (in order). Empty when the program has finished.
    pub fn next(&mut self, reads: &[Option<u64>]) -> Vec<Op> {
        let s = self.spec;
        let value = |i: usize| reads.get(i).copied().flatten().unwrap_or(0);
        match self.phase {
            Phase::Reload => {
                self.phase = Phase::Reloaded;
                (0..4).map(|i| Op::Read { addr: s.state_base() + i }).collect()
            }
            Phase::Reloaded => {
                self.reloads += 1;
                self.regs = if value(0) == STATE_MAGIC { Registers { pc: value(1), acc: value(2), x: value(3) } } else { s.initial() };
                self.phase = Phase::Fetch;
                self.next(&[])
            }
            Phase::Fetch => {
                if self.regs.pc >= s.steps {
                    self.phase = Phase::Finished;
                    return Vec::new();
                }
                self.phase = Phase::Execute;
                vec![Op::Read { addr: s.read_addr(&self.regs) }]
            }
            Phase::Execute => {
                let (addr, data) = s.step(&mut self.regs, value(0));
                let mut ops = vec![Op::Write { addr, data }];
                self.phase = Phase::Fetch;
                if let Some((op, at)) = self.interrupt {
                    if self.regs.pc == at {
                        // Lose the steps since the checkpoint, then redo them.
                        self.interrupt = None;
                        ops.push(op);
                        self.phase = Phase::Reload;
                        return ops;
                    }
                }
                if self.regs.pc.is_multiple_of(s.checkpoint) || self.regs.pc == s.steps {
                    let r = self.regs;
                    for (i, w) in [STATE_MAGIC, r.pc, r.acc, r.x].into_iter().enumerate() {
                        ops.push(Op::Write { addr: s.state_base() + i as u64, data: w });
                    }
                    ops.push(Op::Snapshot);
                    let at = r.pc + 1 + self.rng.below(s.checkpoint.max(2) - 1);
                    if r.pc < s.steps && self.rng.chance(s.restore_percent) {
                        self.restores += 1;
                        self.interrupt = Some((Op::Restore, at.min(s.steps)));
                    } else if r.pc < s.steps && self.rng.chance(s.power_loss_percent) {
                        self.power_losses += 1;
                        self.interrupt = Some((Op::PowerLoss, at.min(s.steps)));
                    }
                }
                ops
            }
            Phase::Finished => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expected_result_is_deterministic_and_touches_memory() {
        let spec = VmSpec { steps: 500, checkpoint: 50, seed: 3, restore_percent: 0, power_loss_percent: 0, pages: 8, page_words: 8, word_bits: 32 };
        let (acc, mem) = expected(&spec);
        assert_eq!((acc, mem.clone()), expected(&spec));
        assert!(mem.iter().filter(|&&w| w != 0).count() > 20);
        assert_ne!(expected(&VmSpec { seed: 4, ..spec }).0, acc);
    }
}
