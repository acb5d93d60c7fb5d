//! One step of the commit-record checksum, `rotl(acc, 5) ^ word`
//! (`nvm_layout::checksum_step`): the writer of a record and RECOVER's
//! validator both fold words with it.

use rust_hdl::prelude::*;

#[derive(LogicBlock, Default)]
pub struct ChecksumStep {
    pub acc: Signal<In, Bits<32>>,
    pub word: Signal<In, Bits<32>>,
    pub sum: Signal<Out, Bits<32>>,
}

impl Logic for ChecksumStep {
    #[hdl_gen]
    fn update(&mut self) {
        self.sum.next = ((self.acc.val() << 5) | (self.acc.val() >> 27)) ^ self.word.val();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nvm_layout::checksum_step;

    #[test]
    fn matches_the_rust_checksum_step() {
        let mut sim = Simulation::new();
        sim.add_testbench(move |mut sim: Sim<ChecksumStep>| {
            let mut x = sim.init()?;
            let mut seed = 0x1234_5678u32;
            for i in 0..200u32 {
                let (acc, word) = (seed, seed.rotate_right(13) ^ i.wrapping_mul(0x9e37_79b9));
                x.acc.next = (acc as u64).to_bits();
                x.word.next = (word as u64).to_bits();
                x = sim.wait(1, x)?;
                sim_assert_eq!(sim, x.sum.val(), checksum_step(acc, word) as u64, x);
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            }
            sim.done(x)
        });
        let mut uut = ChecksumStep::default();
        uut.connect_all();
        sim.run(Box::new(uut), 10_000).unwrap();
    }

    #[test]
    fn lints_and_synthesizes() {
        crate::test_support::lint::check_block("checksum_step", ChecksumStep::default());
    }
}
