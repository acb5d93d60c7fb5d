//! A waveform file (VCD or FST) read back: the controller's scope, the
//! clock period, and any signal's value in any cycle.

use crate::groups::{Group, Scope, GROUPS};
use anyhow::{anyhow, bail, Context, Result};
use std::path::Path;
use wellen::{Hierarchy, LoadOptions, SignalRef, VarRef};

/// The scope paths a controller can sit at: a co-simulation's, a board's.
const CONTROLLER_SCOPES: [&[&str]; 2] = [&["TOP", "pmsnap_controller"], &["TOP", "pmsnap_board", "controller"]];

/// Where the controller is in `h`.
pub fn controller_scope(h: &Hierarchy) -> Option<&'static [&'static str]> {
    CONTROLLER_SCOPES.into_iter().find(|s| h.lookup_scope(s).is_some())
}

/// True when `h` is a board top's waveform.
pub fn is_board(h: &Hierarchy) -> bool {
    controller_scope(h) == Some(CONTROLLER_SCOPES[1])
}

/// The groups a waveform of `h` shows: the board's only in a board's
/// waveform, an optional one only when the waveform has its first signal.
pub fn groups_shown(h: &Hierarchy) -> impl Iterator<Item = &'static Group> + '_ {
    let board = is_board(h);
    GROUPS.iter().filter(move |g| (board || !g.board_only) && (!g.optional || full_name(h, g.scope, g.signals[0]).is_some()))
}

/// The full name of the signal at `path` (dot-separated) below `scope`:
/// `TOP.pmsnap_controller.cow.state__q`; for a controller with a bus front
/// end or an NVM back end, whose core sits one scope down,
/// `TOP.pmsnap_controller.core.cow.state__q`, and with both, two scopes
/// down (`core.core`). None when the waveform has none of them.
pub fn full_name(h: &Hierarchy, scope: Scope, path: &str) -> Option<String> {
    let base = match scope {
        Scope::Controller => controller_scope(h)?.join("."),
        Scope::Top => return Some(format!("TOP.{path}")),
    };
    ["", "core.", "core.core."].into_iter().map(|down| format!("{base}.{down}{path}")).find(|full| lookup_full(h, full).is_some())
}

/// The variable at `path` below `scope`, if the waveform has it.
pub fn lookup(h: &Hierarchy, scope: Scope, path: &str) -> Option<VarRef> {
    lookup_full(h, &full_name(h, scope, path)?)
}

/// The variable with this full name, if the waveform has it.
pub fn lookup_full(h: &Hierarchy, full: &str) -> Option<VarRef> {
    let (scope, name) = full.rsplit_once('.')?;
    let scopes: Vec<&str> = scope.split('.').collect();
    h.lookup_var(&scopes, name)
}

/// A waveform's header only (fast: the values are not read).
pub fn hierarchy(path: &Path) -> Result<Hierarchy> {
    let header = wellen::viewers::read_header_from_file(path, &LoadOptions::default())
        .map_err(|e| anyhow!("{e}"))
        .with_context(|| format!("cannot read waveform {}", path.display()))?;
    Ok(header.hierarchy)
}

/// A signal's value in one cycle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    Known(u64),
    /// Some bits X or Z, or wider than 64 bits: the bits as written.
    Other(String),
}

/// A whole waveform, read.
pub struct Dump {
    wave: wellen::simple::Waveform,
    /// One clock cycle in the file's time unit.
    pub period: u64,
    /// The first and last cycle the file covers.
    pub cycles: (u64, u64),
}

impl Dump {
    pub fn open(path: &Path) -> Result<Dump> {
        let mut wave = wellen::simple::read(path).map_err(|e| anyhow!("{e}")).with_context(|| format!("cannot read waveform {}", path.display()))?;
        let clock = lookup(wave.hierarchy(), Scope::Top, "clock").with_context(|| format!("{}: no TOP.clock (not a pmsnap waveform?)", path.display()))?;
        let clock = wave.hierarchy()[clock].signal_ref();
        wave.load_signals(&[clock]);
        // The clock falls at each cycle's start: a period between falls.
        let times = wave.time_table();
        let falls: Vec<u64> = wave
            .get_signal(clock)
            .map(|s| s.iter_changes().filter(|(_, v)| v.to_bit_string().as_deref() == Some("0")).map(|(i, _)| times[i as usize]).collect())
            .unwrap_or_default();
        let period = falls.windows(2).map(|w| w[1] - w[0]).min().with_context(|| format!("{}: the clock does not run", path.display()))?;
        let first = times.first().copied().unwrap_or(0) / period;
        let last = times.last().copied().unwrap_or(0) / period;
        Ok(Dump { wave, period, cycles: (first, last) })
    }

    pub fn hierarchy(&self) -> &Hierarchy {
        self.wave.hierarchy()
    }

    /// Reads these variables' values.
    pub fn load(&mut self, vars: &[VarRef]) {
        let signals: Vec<SignalRef> = vars.iter().map(|v| self.wave.hierarchy()[*v].signal_ref()).collect();
        self.wave.load_signals(&signals);
    }

    /// Width of a variable in bits.
    pub fn width(&self, var: VarRef) -> u32 {
        let h = self.wave.hierarchy();
        h[var].length(h).unwrap_or(1)
    }

    /// The value `var` (loaded) has during `cycle`: what settled at the
    /// cycle's start, which the cycle's rising edge samples.
    pub fn value(&self, var: VarRef, cycle: u64) -> Result<Value> {
        let signal = self.wave.hierarchy()[var].signal_ref();
        let signal = self.wave.get_signal(signal).context("signal not loaded")?;
        let time = cycle * self.period;
        let times = self.wave.time_table();
        let index = match times.binary_search(&time) {
            Ok(i) => i,
            Err(0) => bail!("cycle {cycle} is before the waveform starts"),
            Err(i) => i - 1,
        };
        let offset = signal.get_offset(index as u32).with_context(|| format!("no value at cycle {cycle}"))?;
        let bits = signal.get_value_at(&offset, offset.elements - 1).to_bit_string().unwrap_or_default();
        Ok(match u64::from_str_radix(&bits, 2) {
            Ok(v) if bits.len() <= 64 => Value::Known(v),
            _ => Value::Other(bits),
        })
    }
}
