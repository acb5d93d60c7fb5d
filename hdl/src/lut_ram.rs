//! Small dual-port RAM with an asynchronous read: the word at `read_address`
//! in the same cycle. For shallow buffers (a bus front end's response
//! slots), where a block RAM's extra cycle would cost a cycle on every
//! answer; FPGA tools map it onto distributed (LUT) RAM where the part has
//! it (ECP5) and onto flip-flops where it does not (iCE40).

use rust_hdl::prelude::*;

/// `D`: the word type; `A`: address bits, depth 2^A.
#[derive(LogicBlock, Default)]
pub struct LutRam<D: Synth, const A: usize> {
    pub clock: Signal<In, Clock>,
    pub read_address: Signal<In, Bits<A>>,
    /// The word at `read_address` now (written words appear after the edge
    /// that writes them).
    pub read_data: Signal<Out, D>,
    pub write_enable: Signal<In, Bit>,
    pub write_address: Signal<In, Bits<A>>,
    pub write_data: Signal<In, D>,
    _sim: Vec<D>,
}

impl<D: Synth, const A: usize> LutRam<D, A> {
    pub fn new() -> Self {
        LutRam { _sim: vec![D::default(); 1 << A], ..Default::default() }
    }
}

impl<D: Synth, const A: usize> Logic for LutRam<D, A> {
    fn update(&mut self) {
        if self.clock.pos_edge() {
            let w = self.write_address.val().index();
            if self.write_enable.val() {
                self._sim[w] = self.write_data.val();
            }
        }
        self.read_data.next = self._sim[self.read_address.val().index()];
    }

    fn connect(&mut self) {
        self.read_data.connect();
    }

    fn hdl(&self) -> Verilog {
        Verilog::Custom(format!(
            "reg [{dw}:0] storage [0:{last}];\n\
             always @(*) read_data = storage[read_address];\n\
             always @(posedge clock) begin\n\
             \x20   if (write_enable) storage[write_address] <= write_data;\n\
             end\n",
            dw = D::BITS - 1,
            last = (1usize << A) - 1,
        ))
    }
}
