//! One clock cycle of a Verilated model, the same way for the co-simulation
//! harness, the board simulation and the benches: the clock falls, the
//! caller drives the cycle's inputs, they settle (traced at the cycle's
//! start), the caller reads the outputs, the clock rises (traced half a
//! cycle later). A waveform may cover the whole run or a window of cycles.

use crate::verilator::{Model, Port, WaveFormat};
use anyhow::Result;
use std::path::PathBuf;

/// The clock period of a co-simulation waveform, in its time unit (ps):
/// 10 ns, a nominal 100 MHz (the controller has no clock of its own; a
/// board's waveform uses the board's).
pub const COSIM_PERIOD_PS: u64 = 10_000;

/// A waveform file, the cycles it covers (`[start, end)`; all when
/// `None`) and the clock period it is drawn at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Waveform {
    pub path: PathBuf,
    pub format: WaveFormat,
    pub window: Option<(u64, u64)>,
    /// One clock cycle in ps (the waveform's time unit).
    pub period_ps: u64,
}

pub struct Clocked {
    model: Model,
    clock: Port,
    cycle: u64,
    waveform: Option<Waveform>,
    tracing: bool,
    /// One cycle in trace time units.
    period: u64,
}

impl Clocked {
    /// `model`, clocked by its `clock` port, held low; with `waveform`,
    /// traced from its window's first cycle.
    pub fn new(mut model: Model, waveform: Option<Waveform>) -> Result<Clocked> {
        let clock = model.port("clock")?;
        clock.set(0);
        model.eval();
        let period = waveform.as_ref().map_or(COSIM_PERIOD_PS, |w| w.period_ps.max(2));
        let mut c = Clocked { model, clock, cycle: 0, waveform, tracing: false, period };
        c.window()?;
        Ok(c)
    }

    /// Cycles run so far (the current one's number).
    pub fn cycle(&self) -> u64 {
        self.cycle
    }

    /// Holds `reset` high for `cycles` clock cycles before the run: not
    /// counted, not traced.
    pub fn reset(&mut self, reset: Port, cycles: u64) {
        reset.set(1);
        for _ in 0..cycles {
            self.clock.set(0);
            self.model.eval();
            self.clock.set(1);
            self.model.eval();
        }
        reset.set(0);
    }

    /// Opens or closes the waveform as the window requires.
    fn window(&mut self) -> Result<()> {
        let Some(w) = &self.waveform else { return Ok(()) };
        let (start, end) = w.window.unwrap_or((0, u64::MAX));
        if self.cycle == start && !self.tracing {
            self.model.trace_open(&w.path)?;
            self.tracing = true;
        }
        if self.cycle == end && self.tracing {
            self.model.trace_close();
            self.tracing = false;
        }
        Ok(())
    }

    /// Begins a cycle: the waveform window opens or closes, the clock
    /// falls. The caller then drives the cycle's inputs.
    #[inline]
    pub fn fall(&mut self) -> Result<()> {
        if self.waveform.is_some() {
            self.window()?;
        }
        self.clock.set(0);
        Ok(())
    }

    /// The inputs settle; traced at the cycle's start.
    #[inline]
    pub fn settle(&mut self) {
        self.model.eval();
        if self.tracing {
            self.model.trace_dump(self.cycle * self.period);
        }
    }

    /// The rising edge ends the cycle; traced half a cycle later.
    #[inline]
    pub fn rise(&mut self) {
        self.clock.set(1);
        self.model.eval();
        if self.tracing {
            self.model.trace_dump(self.cycle * self.period + self.period / 2);
        }
        self.cycle += 1;
    }

    /// Flushes and closes the waveform.
    pub fn finish(&mut self) {
        self.model.trace_close();
        self.tracing = false;
    }
}
