//! The gathered-burst code of one NVM write (`nvm_arbiter::BURST_GATHERS`),
//! shared by every sender whose writes can run on to the next word: the
//! commit record, FORMAT's zeroes and the harden's table entries.
//!
//! One rule for all of them: a write gathers when its sender's next write
//! goes to the next word (`next_joins`) and this word is not the last of
//! its aligned block of `MAX_GATHER_WORDS`, so a run never leaves its
//! block. Only a back end that makes bursts (`--nvm-bus axi4`) is sent the
//! code; on the native port the block is a wire.

use crate::config::NVM_ADDR_BITS;
use crate::nvm_arbiter::{BURST_GATHERS, MAX_GATHER_WORDS};
use crate::NvmBus;
use rust_hdl::prelude::*;

#[derive(LogicBlock)]
pub struct GatherCode {
    /// This write's word address.
    pub addr: Signal<In, Bits<NVM_ADDR_BITS>>,
    /// The sender's next write goes to `addr + 1`, straight after this one.
    pub next_joins: Signal<In, Bit>,
    /// `addr`, with `BURST_GATHERS` when the write gathers.
    pub req_addr: Signal<Out, Bits<NVM_ADDR_BITS>>,
    /// The back end makes bursts.
    offload: Constant<Bit>,
    gathers: Constant<Bits<NVM_ADDR_BITS>>,
    /// A block's last word has all these bits set.
    block_last: Constant<Bits<NVM_ADDR_BITS>>,
}

impl GatherCode {
    pub fn new(nvm_bus: NvmBus) -> Self {
        GatherCode {
            addr: Default::default(),
            next_joins: Default::default(),
            req_addr: Default::default(),
            offload: Constant::new(nvm_bus == NvmBus::Axi4),
            gathers: Constant::new(BURST_GATHERS.to_bits()),
            block_last: Constant::new((MAX_GATHER_WORDS - 1).to_bits()),
        }
    }
}

impl Logic for GatherCode {
    #[hdl_gen]
    fn update(&mut self) {
        self.req_addr.next = self.addr.val();
        if self.offload.val() & self.next_joins.val() & ((self.addr.val() & self.block_last.val()) != self.block_last.val()) {
            self.req_addr.next = self.addr.val() | self.gathers.val();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every address of two blocks, joined or not, on both buses.
    #[test]
    fn gathers_behind_axi4_when_the_next_write_joins_inside_the_block() {
        for bus in [NvmBus::Native, NvmBus::Axi4] {
            let mut sim = Simulation::new();
            sim.add_testbench(move |mut sim: Sim<GatherCode>| {
                let mut x = sim.init()?;
                for addr in 0x40..0x60u64 {
                    for joins in [false, true] {
                        x.addr.next = addr.to_bits();
                        x.next_joins.next = joins;
                        x = sim.wait(1, x)?;
                        let gathers = bus == NvmBus::Axi4 && joins && addr % MAX_GATHER_WORDS != MAX_GATHER_WORDS - 1;
                        let expected = if gathers { addr | BURST_GATHERS } else { addr };
                        sim_assert_eq!(sim, x.req_addr.val(), expected, x);
                    }
                }
                sim.done(x)
            });
            let mut uut = GatherCode::new(bus);
            uut.connect_all();
            sim.run(Box::new(uut), 10_000).unwrap();
        }
    }

    #[test]
    fn lints_and_synthesizes() {
        crate::test_support::lint::check_block("gather_code", GatherCode::new(NvmBus::Axi4));
    }
}
