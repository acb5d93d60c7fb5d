//! UART transmitter: 8 data bits, no parity, one stop bit, LSB first.

use rust_hdl::prelude::*;

/// Bits of the baud counter: up to 65535 clocks per bit.
const DIVISOR_BITS: usize = 16;

#[derive(LogicBlock)]
pub struct UartTx {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    /// Byte to send, sampled when `start` is high and `busy` low.
    pub data: Signal<In, Bits<8>>,
    pub start: Signal<In, Bit>,
    pub busy: Signal<Out, Bit>,
    /// The serial line (idle high).
    pub tx: Signal<Out, Bit>,
    /// Start bit, data bits and stop bit still to send, LSB first.
    frame: DFF<Bits<10>>,
    bits_left: DFF<Bits<4>>,
    countdown: DFF<Bits<DIVISOR_BITS>>,
    /// Clocks per bit, minus one.
    bit_clocks: Constant<Bits<DIVISOR_BITS>>,
    stop_bit: Constant<Bits<10>>,
}

impl UartTx {
    /// `clocks_per_bit` = clock frequency / baud rate (≥ 2).
    pub fn new(clocks_per_bit: u64) -> Self {
        assert!((2..1 << DIVISOR_BITS).contains(&clocks_per_bit), "clocks per bit {clocks_per_bit} out of range");
        UartTx {
            clock: Default::default(),
            reset: Default::default(),
            data: Default::default(),
            start: Default::default(),
            busy: Default::default(),
            tx: Default::default(),
            frame: Default::default(),
            bits_left: Default::default(),
            countdown: Default::default(),
            bit_clocks: Constant::new((clocks_per_bit - 1).to_bits()),
            stop_bit: Constant::new((1u64 << 9).to_bits()),
        }
    }
}

impl Logic for UartTx {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, frame, bits_left, countdown);
        self.busy.next = self.bits_left.q.val() != 0;
        self.tx.next = true;
        if self.bits_left.q.val() != 0 {
            self.tx.next = self.frame.q.val().get_bit(0);
            if self.countdown.q.val() == 0 {
                self.countdown.d.next = self.bit_clocks.val();
                self.frame.d.next = self.frame.q.val() >> 1;
                self.bits_left.d.next = self.bits_left.q.val() - 1;
            } else {
                self.countdown.d.next = self.countdown.q.val() - 1;
            }
        } else if self.start.val() {
            // Start bit 0 in bit 0, the byte in bits 1..=8, stop bit 1.
            self.frame.d.next = (bit_cast::<10, 8>(self.data.val()) << 1) | self.stop_bit.val();
            self.bits_left.d.next = 10.into();
            self.countdown.d.next = self.bit_clocks.val();
        }
        if self.reset.val() {
            self.bits_left.d.next = 0.into();
        }
    }
}
