//! Co-simulation of a board top (`pmsnap_board`): the Verilated RTL clocked
//! from Rust, its UART pins driven and decoded bit by bit at the board's
//! baud rate, so the bytes a host sends reach the bridge exactly as they
//! would over a serial cable.

use crate::clocked::{Clocked, Waveform};
use crate::verilator::{self, Model, Port, WaveFormat};
use anyhow::{bail, Context, Result};
use pmsnap_hdl::board::BoardConfig;
use std::collections::VecDeque;
use std::path::Path;

/// The Verilated board top with a UART line on each side.
pub struct BoardSim {
    clock: Clocked,
    rx: Port,
    tx: Port,
    leds: Port,
    clocks_per_bit: u64,
    to_board: VecDeque<u8>,
    sender: LineSender,
    receiver: LineReceiver,
}

impl BoardSim {
    /// Generates, Verilates (cached by content under `cache_dir`) and loads
    /// the board top of `board`; with `waveform`, traces the whole run
    /// there at the board's clock period.
    pub fn new(board: &BoardConfig, cache_dir: &Path, waveform: Option<(&Path, WaveFormat)>) -> Result<BoardSim> {
        let generated = pmsnap_hdl::generate_board(board)?;
        let build = verilator::build(&generated.verilog, generated.top, cache_dir, waveform.map(|w| w.1)).context("cannot Verilate the board top")?;
        let model = Model::load(&build)?;
        let rx = model.port("uart_rx")?;
        // The line idles high.
        rx.set(1);
        Ok(BoardSim {
            rx,
            tx: model.port("uart_tx")?,
            leds: model.port("leds")?,
            clock: Clocked::new(
                model,
                waveform.map(|(path, format)| Waveform { path: path.to_path_buf(), format, window: None, period_ps: board.period_ps() }),
            )?,
            clocks_per_bit: board.clocks_per_bit(),
            to_board: VecDeque::new(),
            sender: LineSender::default(),
            receiver: LineReceiver::default(),
        })
    }

    /// Queues bytes for the board's RX pin, sent back to back (8N1).
    pub fn send(&mut self, bytes: &[u8]) {
        self.to_board.extend(bytes);
    }

    /// One clock cycle; a byte the board finished sending on its TX pin.
    /// A byte whose stop bit is 0 is an error naming the cycle.
    pub fn step(&mut self) -> Result<Option<u8>> {
        if self.sender.idle() {
            if let Some(b) = self.to_board.pop_front() {
                self.sender.load(b, self.clocks_per_bit);
            }
        }
        self.clock.fall()?;
        self.rx.set(self.sender.line() as u64);
        self.sender.tick();
        self.clock.settle();
        self.clock.rise();
        let got = self.receiver.sample(self.tx.get() == 1, self.clocks_per_bit);
        got.map_err(|()| anyhow::anyhow!("cycle {}: the board's uart_tx sent a byte with a 0 stop bit", self.clock.cycle()))
    }

    /// Nothing queued or being sent to the board, nothing arriving from it.
    pub fn line_idle(&self) -> bool {
        self.to_board.is_empty() && self.sender.idle() && self.receiver.idle()
    }

    /// The LEDs (`pmsnap_hdl::board::board_top::LED_MEANINGS`).
    pub fn leds(&self) -> u8 {
        self.leds.get() as u8
    }

    /// Nothing on the line and the board's busy LED (1) off: it will do
    /// nothing more until it is sent something.
    pub fn quiet(&self) -> bool {
        self.line_idle() && self.leds() & 0b10 == 0
    }

    pub fn cycle(&self) -> u64 {
        self.clock.cycle()
    }

    /// Flushes and closes the VCD.
    pub fn finish(&mut self) {
        self.clock.finish();
    }
}

impl Drop for BoardSim {
    fn drop(&mut self) {
        self.finish();
    }
}

/// Drives a line: start bit, 8 data bits LSB first, stop bit.
#[derive(Default)]
struct LineSender {
    /// Bits still to send, LSB first; 0 when idle.
    frame: u16,
    bits_left: u32,
    clocks_left: u64,
    clocks_per_bit: u64,
}

impl LineSender {
    fn idle(&self) -> bool {
        self.bits_left == 0
    }

    fn load(&mut self, byte: u8, clocks_per_bit: u64) {
        self.frame = (byte as u16) << 1 | 1 << 9;
        self.bits_left = 10;
        self.clocks_left = clocks_per_bit;
        self.clocks_per_bit = clocks_per_bit;
    }

    fn line(&self) -> bool {
        self.idle() || self.frame & 1 == 1
    }

    fn tick(&mut self) {
        if self.idle() {
            return;
        }
        self.clocks_left -= 1;
        if self.clocks_left == 0 {
            self.frame >>= 1;
            self.bits_left -= 1;
            self.clocks_left = self.clocks_per_bit;
        }
    }
}

/// Decodes a line: waits for a start bit, samples each bit mid-bit.
#[derive(Default)]
struct LineReceiver {
    /// Clocks until the next sample; `None` while idle.
    countdown: Option<u64>,
    bits: u32,
    shift: u16,
}

impl LineReceiver {
    fn idle(&self) -> bool {
        self.countdown.is_none()
    }

    fn sample(&mut self, line: bool, clocks_per_bit: u64) -> std::result::Result<Option<u8>, ()> {
        let Some(left) = self.countdown else {
            if !line {
                // The start bit's middle is half a bit from its edge.
                self.countdown = Some(clocks_per_bit / 2);
                self.bits = 0;
                self.shift = 0;
            }
            return Ok(None);
        };
        if left > 1 {
            self.countdown = Some(left - 1);
            return Ok(None);
        }
        self.shift |= (line as u16) << self.bits;
        self.bits += 1;
        self.countdown = Some(clocks_per_bit);
        if self.bits == 1 && line {
            // Not a start bit after all: a glitch.
            self.countdown = None;
            return Ok(None);
        }
        if self.bits < 10 {
            return Ok(None);
        }
        self.countdown = None;
        if !line {
            return Err(());
        }
        Ok(Some((self.shift >> 1) as u8))
    }
}

/// Runs `sim` until it has answered `reply_bytes` bytes, or `limit` cycles.
pub fn exchange(sim: &mut BoardSim, request: &[u8], reply_bytes: usize, limit: u64) -> Result<Vec<u8>> {
    sim.send(request);
    let mut reply = Vec::with_capacity(reply_bytes);
    let start = sim.cycle();
    while reply.len() < reply_bytes {
        if sim.cycle() - start > limit {
            bail!("no complete reply within {limit} cycles ({} of {reply_bytes} bytes)", reply.len());
        }
        if let Some(b) = sim.step()? {
            reply.push(b);
        }
    }
    Ok(reply)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_sender_and_receiver_agree() {
        let mut tx = LineSender::default();
        let mut rx = LineReceiver::default();
        let mut got = Vec::new();
        for &b in &[0x00u8, 0xff, 0x5a, 0x81] {
            tx.load(b, 7);
            while !tx.idle() {
                let line = tx.line();
                tx.tick();
                if let Some(x) = rx.sample(line, 7).unwrap() {
                    got.push(x);
                }
            }
        }
        for _ in 0..20 {
            if let Some(x) = rx.sample(true, 7).unwrap() {
                got.push(x);
            }
        }
        assert_eq!(got, vec![0x00, 0xff, 0x5a, 0x81]);
    }

    #[test]
    fn receiver_reports_a_zero_stop_bit() {
        let mut rx = LineReceiver::default();
        let mut result = Ok(None);
        // Start bit and 9 more zero bits: the stop bit is 0.
        for _ in 0..12 * 4 {
            result = rx.sample(false, 4);
            if result.is_err() {
                break;
            }
        }
        assert!(result.is_err());
    }
}
