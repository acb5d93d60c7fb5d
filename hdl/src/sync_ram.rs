//! Simple dual-port RAM with a synchronous read (one cycle), sized at
//! generation time. Every table, log and buffer of the controller is one of
//! these, so they all map onto FPGA block RAM.
//!
//! rust-hdl's own `RAM` has a depth of 2^N fixed at compile time; this one
//! takes its depth from the [`Config`](crate::Config) when Verilog is emitted.
//!
//! A read of the address being written at the same edge returns a word
//! nobody may use: the controller never relies on it, so the Verilog marks
//! the memory `no_rw_check` and Yosys maps it onto the block RAM as it is.
//! (Without that mark it emulates "old word" around the block RAM with a
//! delayed write, an address compare and a multiplexer on the read data:
//! 348 logic cells for the six memories at the iCE40 board's sizing, on
//! the path of every read.) To hold the
//! controller to that, every model but the synthesized one returns a wrong
//! word there: rust-hdl's simulation and the Verilog under Verilator (or
//! any tool that leaves `SYNTHESIS` undefined) the complement of the old
//! word, the formal model (`FORMAL`, as `read_verilog -formal` defines it)
//! any word the solver picks. Only under `SYNTHESIS` (Yosys defines it) is
//! the RAM left to the block RAM. A RAM made with [`SyncRam::read_first`]
//! instead returns the old word, in every model.

use rust_hdl::prelude::*;

/// `D`: the word type; `A`: bits of the address ports (only the low
/// `ceil(log2(depth))` are used).
#[derive(LogicBlock, Default)]
pub struct SyncRam<D: Synth + std::ops::Not<Output = D>, const A: usize> {
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
    /// A read at the address being written returns the old word.
    _read_first: bool,
}

impl<D: Synth + std::ops::Not<Output = D>, const A: usize> SyncRam<D, A> {
    /// A RAM of `depth` words (1 ..= 2^A).
    pub fn new(depth: usize) -> Self {
        assert!(depth >= 1 && (A >= usize::BITS as usize || depth <= 1 << A), "depth {depth} needs more than {A} address bits");
        SyncRam { _depth: depth, _sim: vec![D::default(); depth], ..Default::default() }
    }

    /// A RAM of `depth` words whose read of the address being written
    /// returns the old word (the emulated NVM: a write reads its own
    /// address, and Yosys keeps the old word around the block RAM).
    pub fn read_first(depth: usize) -> Self {
        SyncRam { _read_first: true, ..Self::new(depth) }
    }

    fn index_bits(&self) -> usize {
        (usize::BITS - (self._depth.max(2) - 1).leading_zeros()) as usize
    }
}

impl<D: Synth + std::ops::Not<Output = D>, const A: usize> Logic for SyncRam<D, A> {
    fn update(&mut self) {
        if self.clock.pos_edge() {
            let r = self.read_address.val().index();
            self.read_data.next = self._sim.get(r).copied().unwrap_or_default();
            let w = self.write_address.val().index();
            if self.write_enable.val() && w == r && !self._read_first {
                // A word nobody may use (see the module's doc).
                self.read_data.next = !self.read_data.next;
            }
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
        let (dw, last, ihi) = (D::BITS - 1, self._depth - 1, iw - 1);
        let word = format!("storage[read_address[{ihi}:0]]");
        let ports = |read: &str| {
            format!(
                "always @(posedge clock) begin\n\
                 \x20   read_data <= {read};\n\
                 \x20   if (write_enable) storage[write_address[{ihi}:0]] <= write_data;\n\
                 end\n"
            )
        };
        let body = if self._read_first {
            format!("reg [{dw}:0] storage [0:{last}];\n{unused}{}", ports(&word))
        } else {
            // At a collision (the module's doc): the formal model reads any
            // word, Yosys's synthesis the block RAM's, a simulator the
            // complement of the old word.
            let hit = format!("write_enable && write_address[{ihi}:0] == read_address[{ihi}:0]");
            format!(
                "(* no_rw_check *) reg [{dw}:0] storage [0:{last}];\n\
                 {unused}\
                 `ifdef FORMAL\n\
                 (* anyseq *) wire [{dw}:0] collision_word;\n\
                 {}\
                 `elsif SYNTHESIS\n\
                 {}\
                 `else\n\
                 {}\
                 `endif\n",
                ports(&format!("({hit}) ? collision_word : {word}")),
                ports(&word),
                ports(&format!("({hit}) ? ~{word} : {word}")),
            )
        };
        Verilog::Custom(body)
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
