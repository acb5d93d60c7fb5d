//! Persistent memory emulated in block RAM: the NVM port's far side on a
//! board without a real persistent part. A write is durable the cycle it is
//! accepted. Every request is answered two cycles after it is accepted: the
//! read data is registered once out of the block RAM, so the RAM's
//! clock-to-output time does not meet the controller's logic in one cycle
//! (one wait state in the co-simulation's terms). A real PHY replaces this
//! block at the same `NvmSlave` boundary.

use crate::config::NVM_ADDR_BITS;
use crate::nvm_arbiter::NvmSlave;
use crate::sync_ram::SyncRam;
use rust_hdl::prelude::*;

#[derive(LogicBlock)]
pub struct NvmBram<const D: usize> {
    pub clock: Signal<In, Clock>,
    /// Drops the answer in flight (the controller is being reset with it).
    pub reset: Signal<In, Bit>,
    pub port: NvmSlave<D>,
    memory: SyncRam<Bits<D>, NVM_ADDR_BITS>,
    /// A request was accepted one cycle ago, and two.
    answering: DFF<Bit>,
    answered: DFF<Bit>,
    /// The RAM's read data, registered.
    data: DFF<Bits<D>>,
}

impl<const D: usize> NvmBram<D> {
    /// `words`: the NVM's size, `NvmLayout::total_words()` of the sizing.
    pub fn new(words: usize) -> Self {
        NvmBram {
            clock: Default::default(),
            reset: Default::default(),
            port: Default::default(),
            memory: SyncRam::read_first(words),
            answering: Default::default(),
            answered: Default::default(),
            data: Default::default(),
        }
    }
}

impl<const D: usize> Logic for NvmBram<D> {
    #[hdl_gen]
    fn update(&mut self) {
        clock!(self, clock, memory);
        dff_setup!(self, clock, answering, answered, data);
        self.port.req_ready.next = true;
        self.memory.read_address.next = self.port.req_addr.val();
        self.memory.write_address.next = self.port.req_addr.val();
        self.memory.write_data.next = self.port.req_wdata.val();
        self.memory.write_enable.next = self.port.req_valid.val() & self.port.req_write.val();
        self.answering.d.next = self.port.req_valid.val() & !self.reset.val();
        self.answered.d.next = self.answering.q.val() & !self.reset.val();
        self.data.d.next = self.memory.read_data.val();
        self.port.rsp_valid.next = self.answered.q.val();
        self.port.rsp_rdata.next = self.data.q.val();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lints_and_synthesizes() {
        crate::test_support::lint::check_block("nvm_bram", NvmBram::<32>::new(64));
    }
}
