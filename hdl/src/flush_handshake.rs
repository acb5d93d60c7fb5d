//! Flush handshake (contract §1 step 2): raise `flush_req` and hold it until the
//! host pulses `flush_ack`, which it does after every dirty cache line it
//! held has been written back through the host port and answered.

use rust_hdl::prelude::*;

#[derive(LogicBlock, Default)]
pub struct FlushHandshake {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub start: Signal<In, Bit>,
    /// To the host.
    pub flush_req: Signal<Out, Bit>,
    /// From the host: one-cycle pulse.
    pub flush_ack: Signal<In, Bit>,
    /// One-cycle pulse: the host's cache is clean.
    pub done: Signal<Out, Bit>,
    pending: DFF<Bit>,
}

impl Logic for FlushHandshake {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, pending);
        self.flush_req.next = self.pending.q.val();
        self.done.next = self.pending.q.val() & self.flush_ack.val();
        if self.start.val() {
            self.pending.d.next = true;
        }
        if self.pending.q.val() & self.flush_ack.val() {
            self.pending.d.next = false;
        }
        if self.reset.val() {
            self.pending.d.next = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lints_and_synthesizes() {
        crate::test_support::lint::check_block("flush_handshake", FlushHandshake::default());
    }
}
