//! UART receiver: 8 data bits, no parity, one stop bit, LSB first. The line
//! is synchronised through two flip-flops and sampled mid-bit.

use rust_hdl::prelude::*;

const DIVISOR_BITS: usize = 16;

#[derive(Copy, Clone, PartialEq, Debug, LogicState)]
pub enum RxState {
    Idle,
    Start,
    Data,
    Stop,
}

#[derive(LogicBlock)]
pub struct UartRx {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    /// The serial line (idle high).
    pub rx: Signal<In, Bit>,
    /// One-cycle pulse with the received byte.
    pub valid: Signal<Out, Bit>,
    pub data: Signal<Out, Bits<8>>,
    /// One-cycle pulse: the stop bit was 0 (byte dropped).
    pub framing_error: Signal<Out, Bit>,
    sync1: DFF<Bit>,
    line: DFF<Bit>,
    state: DFF<RxState>,
    countdown: DFF<Bits<DIVISOR_BITS>>,
    bits_done: DFF<Bits<4>>,
    shift: DFF<Bits<8>>,
    /// Clocks per bit, minus one, and half of that (to reach mid-bit).
    bit_clocks: Constant<Bits<DIVISOR_BITS>>,
    half_bit: Constant<Bits<DIVISOR_BITS>>,
}

impl UartRx {
    /// `clocks_per_bit` = clock frequency / baud rate (≥ 4).
    pub fn new(clocks_per_bit: u64) -> Self {
        assert!((4..1 << DIVISOR_BITS).contains(&clocks_per_bit), "clocks per bit {clocks_per_bit} out of range");
        UartRx {
            clock: Default::default(),
            reset: Default::default(),
            rx: Default::default(),
            valid: Default::default(),
            data: Default::default(),
            framing_error: Default::default(),
            sync1: Default::default(),
            line: Default::default(),
            state: Default::default(),
            countdown: Default::default(),
            bits_done: Default::default(),
            shift: Default::default(),
            bit_clocks: Constant::new((clocks_per_bit - 1).to_bits()),
            half_bit: Constant::new((clocks_per_bit / 2 - 1).to_bits()),
        }
    }
}

impl Logic for UartRx {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, sync1, line, state, countdown, bits_done, shift);
        self.sync1.d.next = self.rx.val();
        self.line.d.next = self.sync1.q.val();
        self.valid.next = false;
        self.framing_error.next = false;
        self.data.next = self.shift.q.val();
        if self.countdown.q.val() != 0 {
            self.countdown.d.next = self.countdown.q.val() - 1;
        }
        match self.state.q.val() {
            RxState::Idle => {
                if !self.line.q.val() {
                    self.countdown.d.next = self.half_bit.val();
                    self.state.d.next = RxState::Start;
                }
            }
            RxState::Start => {
                if self.countdown.q.val() == 0 {
                    // Mid start bit: still low, or it was a glitch.
                    if self.line.q.val() {
                        self.state.d.next = RxState::Idle;
                    } else {
                        self.countdown.d.next = self.bit_clocks.val();
                        self.bits_done.d.next = 0.into();
                        self.state.d.next = RxState::Data;
                    }
                }
            }
            RxState::Data => {
                if self.countdown.q.val() == 0 {
                    self.shift.d.next = self.shift.q.val() >> 1;
                    if self.line.q.val() {
                        self.shift.d.next = (self.shift.q.val() >> 1) | 128;
                    }
                    self.countdown.d.next = self.bit_clocks.val();
                    self.bits_done.d.next = self.bits_done.q.val() + 1;
                    if self.bits_done.q.val() == 7 {
                        self.state.d.next = RxState::Stop;
                    }
                }
            }
            RxState::Stop => {
                if self.countdown.q.val() == 0 {
                    self.valid.next = self.line.q.val();
                    self.framing_error.next = !self.line.q.val();
                    self.state.d.next = RxState::Idle;
                }
            }
            _ => {
                self.state.d.next = RxState::Idle;
            }
        }
        if self.reset.val() {
            // The line idles high.
            self.sync1.d.next = true;
            self.line.d.next = true;
            self.state.d.next = RxState::Idle;
            self.countdown.d.next = 0.into();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::board::uart_tx::UartTx;

    /// A transmitter wired to a receiver.
    #[derive(LogicBlock)]
    struct Loopback {
        clock: Signal<In, Clock>,
        reset: Signal<In, Bit>,
        send: Signal<In, Bits<8>>,
        start: Signal<In, Bit>,
        busy: Signal<Out, Bit>,
        got: Signal<Out, Bits<8>>,
        valid: Signal<Out, Bit>,
        bad: Signal<Out, Bit>,
        tx: UartTx,
        rx: UartRx,
    }

    impl Logic for Loopback {
        #[hdl_gen]
        fn update(&mut self) {
            clock!(self, clock, tx, rx);
            self.tx.reset.next = self.reset.val();
            self.rx.reset.next = self.reset.val();
            self.tx.data.next = self.send.val();
            self.tx.start.next = self.start.val();
            self.rx.rx.next = self.tx.tx.val();
            self.busy.next = self.tx.busy.val();
            self.got.next = self.rx.data.val();
            self.valid.next = self.rx.valid.val();
            self.bad.next = self.rx.framing_error.val();
        }
    }

    #[test]
    fn bytes_sent_are_received_in_order() {
        let bytes = [0x00u64, 0xa5, 0xff, 0x3c, 0x81];
        let mut sim = Simulation::new();
        sim.add_clock(5, |x: &mut Box<Loopback>| x.clock.next = !x.clock.val());
        sim.add_testbench(move |mut sim: Sim<Loopback>| {
            let mut x = sim.init()?;
            x.reset.next = true;
            wait_clock_cycles!(sim, clock, x, 3);
            x.reset.next = false;
            wait_clock_cycle!(sim, clock, x);
            for &b in &bytes {
                x.send.next = b.into();
                x.start.next = true;
                wait_clock_cycle!(sim, clock, x);
                x.start.next = false;
                let mut received = None;
                for _ in 0..200 {
                    wait_clock_cycle!(sim, clock, x);
                    sim_assert!(sim, !x.bad.val(), x);
                    if x.valid.val() {
                        received = Some(x.got.val());
                    }
                    if received.is_some() && !x.busy.val() {
                        break;
                    }
                }
                sim_assert_eq!(sim, received, Some(Bits::<8>::from(b)), x);
            }
            sim.done(x)
        });
        let mut uut = Loopback {
            clock: Default::default(),
            reset: Default::default(),
            send: Default::default(),
            start: Default::default(),
            busy: Default::default(),
            got: Default::default(),
            valid: Default::default(),
            bad: Default::default(),
            tx: UartTx::new(8),
            rx: UartRx::new(8),
        };
        uut.connect_all();
        sim.run(Box::new(uut), 100_000).unwrap();
    }

    #[test]
    fn uart_blocks_emit_lint_clean_verilog() {
        let dir = std::env::temp_dir().join(format!("pmsnap-uart-lint-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("verilator.vlt"), crate::verilog::LINT_WAIVERS).unwrap();
        let mut rx = UartRx::new(104);
        rx.connect_all();
        let mut tx = UartTx::new(104);
        tx.connect_all();
        for (name, v) in [("rx.v", generate_verilog(&rx)), ("tx.v", generate_verilog(&tx))] {
            std::fs::write(dir.join(name), v).unwrap();
            let out = std::process::Command::new("verilator")
                .current_dir(&dir)
                .args(["--lint-only", "-Wall", "verilator.vlt", name])
                .output()
                .expect("verilator runs (apt-get install verilator)");
            let text = String::from_utf8_lossy(&out.stderr);
            assert!(out.status.success() && !text.contains("%Warning"), "{name}:\n{text}");
        }
        std::fs::remove_dir_all(&dir).ok();
    }
}
