//! `pmsnap generate`: the controller's Verilog, a board top, or the
//! pass-through baseline, with Verilator lint waivers and GTKWave
//! translate filters that name the codes on `cmd_op`, `cmd_status` and
//! `seq_phase`; with a bus (`--host-bus axi4`, `wishbone`) also the
//! registers' C header
//! (`pmsnap_regs.h`).

use crate::args::{board, Sizing};
use anyhow::{Context, Result};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct GenerateArgs {
    /// Output directory (created if missing).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Emit the board top of this board (its own sizing; the sizing flags must not be given,
    /// `--lookup-latency` may): ice40-hx8k or ulx3s.
    #[arg(long, value_name = "BOARD", conflicts_with_all = ["pages", "page_words", "frames", "word_bits"])]
    board: Option<String>,
    /// Emit the pass-through controller instead (indirection off: same ports, page p is frame p,
    /// commands refused): the baseline `pmsnap synth` compares against.
    #[arg(long, conflicts_with = "board")]
    pass_through: bool,
    #[command(flatten)]
    sizing: Sizing,
}

pub fn run(a: GenerateArgs) -> Result<()> {
    let g = match &a.board {
        Some(name) => {
            let mut b = *board(name)?;
            b.config.lookup_latency = a.sizing.lookup_latency;
            b.config.host_bus = a.sizing.host_bus;
            b.config.nvm_bus = a.sizing.nvm_bus;
            b.config.validate()?;
            pmsnap_hdl::generate_board(&b)?
        }
        None if a.pass_through => pmsnap_hdl::generate_passthrough(&a.sizing.config()?)?,
        None => pmsnap_hdl::generate(&a.sizing.config()?)?,
    };
    std::fs::create_dir_all(&a.out).with_context(|| format!("cannot create {}", a.out.display()))?;
    let file = a.out.join(format!("{}.v", g.top));
    std::fs::write(&file, &g.verilog).with_context(|| format!("cannot write {}", file.display()))?;
    let waivers = a.out.join("verilator.vlt");
    std::fs::write(&waivers, &g.waivers).with_context(|| format!("cannot write {}", waivers.display()))?;
    // With registers, their C header for firmware.
    let header = match g.config.host_bus {
        pmsnap_hdl::HostBus::Axi4 | pmsnap_hdl::HostBus::Wishbone => {
            let path = a.out.join("pmsnap_regs.h");
            std::fs::write(&path, pmsnap_hdl::frontend::register_map::c_header()).with_context(|| format!("cannot write {}", path.display()))?;
            format!(", the registers' C header {}", path.display())
        }
        _ => String::new(),
    };
    let filters = a.out.join("gtkwave");
    std::fs::create_dir_all(&filters).with_context(|| format!("cannot create {}", filters.display()))?;
    for (port, filter) in pmsnap_hdl::codes::FILTERED_PORTS {
        let path = filters.join(format!("{port}.txt"));
        std::fs::write(&path, filter()).with_context(|| format!("cannot write {}", path.display()))?;
    }
    println!(
        "wrote {} (top module {}, {}), {}{header} and GTKWave translate filters in {}",
        file.display(),
        g.top,
        g.config.tag(),
        waivers.display(),
        filters.display()
    );
    Ok(())
}
