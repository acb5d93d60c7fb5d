//! `pmsnap synth`: resources and Fmax of a board's designs (contract §7).

use crate::args::board;
use crate::exit::BadInput;
use anyhow::{Context, Result};
use pmsnap_hdl::{HostBus, NvmBus};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct SynthArgs {
    /// ice40-hx8k or ulx3s.
    #[arg(long, value_name = "BOARD")]
    board: String,
    /// Placer seeds per design; Fmax is the best of them.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u64).range(1..=20))]
    seeds: u64,
    /// Work folder; the report is synth-BOARD-kK.md and .json in it (K: the
    /// lookup latency; `-axi4` appended for that host bus, `-nvm-axi4` for
    /// that NVM bus) [default: bench-out/synth].
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Only these designs (repeatable) [default: all three].
    #[arg(long, value_name = "NAME", value_parser = clap::builder::PossibleValuesParser::new(pmsnap_flow::report::DESIGNS))]
    design: Vec<String>,
    /// Lookup latency of the controller and the board top: 1 or 2 (see
    /// `pmsnap generate --help`) [default: the board's].
    #[arg(long, value_name = "1|2")]
    lookup_latency: Option<usize>,
    /// Host bus of the controller: native, axi4 or wishbone (see `pmsnap
    /// generate --help`). With a bus front end only the controller is
    /// built (`--design controller`): the pass-through and the board top
    /// have the native port only.
    #[arg(long, default_value_t = HostBus::Native, value_name = "native|axi4|wishbone")]
    host_bus: HostBus,
    /// NVM bus of the controller: native or axi4 (see `pmsnap generate
    /// --help`). With axi4, too, only the controller is built.
    #[arg(long, default_value_t = NvmBus::Native, value_name = "native|axi4")]
    nvm_bus: NvmBus,
}

pub fn run(a: SynthArgs) -> Result<()> {
    let mut b = *board(&a.board)?;
    if let Some(k) = a.lookup_latency {
        b.config.lookup_latency = k;
        b.config.validate()?;
    }
    if a.host_bus != HostBus::Native || a.nvm_bus != NvmBus::Native {
        if a.design.iter().any(|d| d != "controller") || a.design.is_empty() {
            let flag = if a.host_bus != HostBus::Native { format!("--host-bus {}", a.host_bus) } else { format!("--nvm-bus {}", a.nvm_bus) };
            return Err(BadInput(format!("{flag}: give --design controller (the pass-through and the board top have the native ports only)")).into());
        }
        b.config.host_bus = a.host_bus;
        b.config.nvm_bus = a.nvm_bus;
        b.config.validate()?;
    }
    let b = &b;
    let tools = pmsnap_flow::Toolchain::find(b.family)?;
    let dir = a.out.unwrap_or_else(|| PathBuf::from("bench-out/synth"));
    let bus = match b.config.host_bus {
        HostBus::Native => String::new(),
        bus => format!("-{bus}"),
    };
    let nvm = match b.config.nvm_bus {
        NvmBus::Native => String::new(),
        bus => format!("-nvm-{bus}"),
    };
    let variant = format!("{}-k{}{bus}{nvm}", b.name, b.config.lookup_latency);
    let work = dir.join(&variant);
    let report = pmsnap_flow::report(&tools, b, &work, a.seeds, &a.design, &mut |what| eprintln!("pmsnap synth: {what}"))?;
    let md = report.markdown();
    print!("{md}");
    let md_file = dir.join(format!("synth-{variant}.md"));
    std::fs::write(&md_file, &md).with_context(|| format!("cannot write {}", md_file.display()))?;
    let json_file = dir.join(format!("synth-{variant}.json"));
    let json = serde_json::to_string_pretty(&report.json()).context("cannot render the report as JSON")?;
    std::fs::write(&json_file, json + "\n").with_context(|| format!("cannot write {}", json_file.display()))?;
    println!("\nwrote {} and {}", md_file.display(), json_file.display());
    Ok(())
}
