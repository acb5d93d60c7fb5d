//! `pmsnap synth`: resources and Fmax of a board's designs (contract §7).

use crate::args::board;
use anyhow::{Context, Result};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct SynthArgs {
    /// ice40-hx8k or ulx3s.
    #[arg(long, value_name = "BOARD")]
    board: String,
    /// Placer seeds per design; Fmax is the best of them.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u64).range(1..=20))]
    seeds: u64,
    /// Work folder; the report is synth-BOARD.md and .json in it [default: bench-out/synth].
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Only these designs (repeatable) [default: all three].
    #[arg(long, value_name = "NAME", value_parser = clap::builder::PossibleValuesParser::new(pmsnap_flow::report::DESIGNS))]
    design: Vec<String>,
}

pub fn run(a: SynthArgs) -> Result<()> {
    let b = board(&a.board)?;
    let tools = pmsnap_flow::Toolchain::find(b.family)?;
    let dir = a.out.unwrap_or_else(|| PathBuf::from("bench-out/synth"));
    let work = dir.join(b.name);
    let report = pmsnap_flow::report(&tools, b, &work, a.seeds, &a.design, &mut |what| eprintln!("pmsnap synth: {what}"))?;
    let md = report.markdown();
    print!("{md}");
    let md_file = dir.join(format!("synth-{}.md", b.name));
    std::fs::write(&md_file, &md).with_context(|| format!("cannot write {}", md_file.display()))?;
    let json_file = dir.join(format!("synth-{}.json", b.name));
    let json = serde_json::to_string_pretty(&report.json()).context("cannot render the report as JSON")?;
    std::fs::write(&json_file, json + "\n").with_context(|| format!("cannot write {}", json_file.display()))?;
    println!("\nwrote {} and {}", md_file.display(), json_file.display());
    Ok(())
}
