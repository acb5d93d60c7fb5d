//! Simple dual-port RAM with a synchronous read (one cycle), sized at
//! generation time. Every table, log and buffer of the controller is one of
//! these, so they all map onto FPGA block RAM.
//!
//! rust-hdl's own `RAM` has a depth of 2^N fixed at compile time; this one
//! takes its depth from the [`Config`](crate::Config) when Verilog is emitted.
//! A read of the address being written in the same cycle returns the old
//! word; the controller never relies on it.

use rust_hdl::prelude::*;

/// `D`: the word type; `A`: bits of the address ports (only the low
/// `ceil(log2(depth))` are used).
#[derive(LogicBlock, Default)]
pub struct SyncRam<D: Synth, const A: usize> {
    pub clock: Signal<In, Clock>,
    /// Address read at the next rising edge.
    pub read_address: Signal<In, Bits<A>>,
    /// The word at `read_address` of the previous cycle.
    pub read_data: Signal<Out, D>,
    pub write_enable: Signal<In, Bit>,
    pub write_address: Signal<In, Bits<A>>,
    pub write_data: Signal<In, D>,
    _depth: usize,
    _sim: Vec<D>,
}

impl<D: Synth, const A: usize> SyncRam<D, A> {
    /// A RAM of `depth` words (1 ..= 2^A).
    pub fn new(depth: usize) -> Self {
        assert!(depth >= 1 && (A >= usize::BITS as usize || depth <= 1 << A), "depth {depth} needs more than {A} address bits");
        SyncRam { _depth: depth, _sim: vec![D::default(); depth], ..Default::default() }
    }

    fn index_bits(&self) -> usize {
        (usize::BITS - (self._depth.max(2) - 1).leading_zeros()) as usize
    }
}

impl<D: Synth, const A: usize> Logic for SyncRam<D, A> {
    fn update(&mut self) {
        if self.clock.pos_edge() {
            let r = self.read_address.val().index();
            self.read_data.next = self._sim.get(r).copied().unwrap_or_default();
            let w = self.write_address.val().index();
            if self.write_enable.val() && w < self._depth {
                self._sim[w] = self.write_data.val();
            }
        }
    }

    fn connect(&mut self) {
        self.read_data.connect();
    }

    fn hdl(&self) -> Verilog {
        let iw = self.index_bits();
        // Upper address bits beyond the depth are unused by construction;
        // Verilator's lint exempts signals whose name contains "unused".
        let unused = if iw < A {
            format!("wire unused_address_bits = &{{1'b0, read_address[{hi}:{iw}], write_address[{hi}:{iw}]}};\n", hi = A - 1)
        } else {
            String::new()
        };
        Verilog::Custom(format!(
            "reg [{dw}:0] storage [0:{last}];\n\
             {unused}\
             always @(posedge clock) begin\n\
             \x20   read_data <= storage[read_address[{ihi}:0]];\n\
             \x20   if (write_enable) storage[write_address[{ihi}:0]] <= write_data;\n\
             end\n",
            dw = D::BITS - 1,
            last = self._depth - 1,
            ihi = iw - 1,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_bits_cover_depth() {
        assert_eq!(SyncRam::<Bits<8>, 16>::new(4).index_bits(), 2);
        assert_eq!(SyncRam::<Bits<8>, 16>::new(5).index_bits(), 3);
        assert_eq!(SyncRam::<Bits<8>, 16>::new(1).index_bits(), 1);
        assert_eq!(SyncRam::<Bits<8>, 16>::new(65536).index_bits(), 16);
    }
}
