//! The GTKWave save file written beside every waveform a command wrote.

use anyhow::{Context, Result};
use pmsnap_wave::gtkw::{self, Marker, SaveFile};
use pmsnap_wave::names;
use std::path::{Path, PathBuf};

/// What a run tells the save file besides the waveform itself.
pub struct RunMarks<'a> {
    /// The emitted Verilog and its top module (for the state names).
    pub verilog: &'a str,
    pub top: &'a str,
    /// One cycle in ps.
    pub period_ps: u64,
    /// Cycles the waveform covers, `[start, end)`.
    pub span: (u64, u64),
    /// (cycle, label), in time order.
    pub marks: &'a [(u64, String)],
    /// The cycle of the first failure, if the run failed.
    pub failure: Option<u64>,
}

/// Writes `dump`'s save file (and its translate filters); returns its path.
pub fn write(dump: &Path, run: &RunMarks) -> Result<PathBuf> {
    let states = pmsnap_hdl::state_names::state_registers(run.verilog, run.top);
    let tables = names::tables(&states);
    let mut markers: Vec<Marker> = run.marks.iter().map(|(cycle, label)| Marker { cycle: *cycle, label: label.clone() }).collect();
    if let Some(cycle) = run.failure {
        // The failure first, so it is always among GTKWave's 26 named markers.
        markers.insert(0, Marker { cycle, label: "first failure".into() });
    }
    gtkw::write(&SaveFile { dump, period: run.period_ps, span: run.span, markers: &markers, failure: run.failure, names: &tables })
        .with_context(|| format!("cannot write the GTKWave save file of {}", dump.display()))
}
