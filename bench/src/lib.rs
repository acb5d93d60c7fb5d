//! `pmsnap bench`: the figures of contract §7 that are measured rather than
//! asserted. Each suite returns a [`Table`] (printed as Markdown, written as
//! JSON) and may draw an SVG plot; cycle counts are exact, process timings
//! are medians of several runs.

pub mod cost;
pub mod plot;
pub mod speed;
pub mod stimulus;
pub mod table;
pub mod wear;

pub use table::Table;

use std::path::PathBuf;

/// What every suite is given.
#[derive(Clone, Debug)]
pub struct BenchOptions {
    /// The reduced set CI runs: a smoke test that the suites run and agree.
    pub quick: bool,
    /// Where tables, JSON and plots go.
    pub out: PathBuf,
    /// Where Verilated models are cached.
    pub cache_dir: PathBuf,
}
