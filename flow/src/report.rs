//! The resource / Fmax report of contract §7: per board, the controller alone
//! (in an IO ring), the pass-through controller of the same sizing (in the
//! same ring) and the board top, each placed with a few seeds.

use crate::io_ring::{io_ring, RING_MODULE};
use crate::run::{place, synthesize, Design, Placed, Synthesized};
use crate::toolchain::Toolchain;
use anyhow::{Context, Result};
use pmsnap_hdl::board::{BoardConfig, Family};
use std::path::Path;

/// One design's line of the report: resources, and the best seed's Fmax.
#[derive(Clone, Debug)]
pub struct Row {
    pub design: String,
    pub synthesized: Synthesized,
    pub best: Placed,
    /// Fmax of every seed, in seed order.
    pub fmax_by_seed: Vec<f64>,
}

pub struct Report {
    pub board: BoardConfig,
    /// The Fmax the controller should reach (contract §7).
    pub target_mhz: f64,
    pub rows: Vec<Row>,
}

/// Fmax target of the controller core on each family (contract §7).
pub fn target_mhz(family: Family) -> f64 {
    match family {
        Family::Ice40 => 100.0,
        Family::Ecp5 => 150.0,
    }
}

pub const CONTROLLER: &str = "controller (IO ring)";
pub const PASS_THROUGH: &str = "pass-through (IO ring)";
pub const BOARD_TOP: &str = "board top";

fn ring(g: pmsnap_hdl::Generated, name: &str) -> Result<Design> {
    let ports = pmsnap_hdl::verilog::parse_ports(&g.verilog, g.top).map_err(|e| anyhow::anyhow!(e))?;
    Ok(Design { name: name.into(), top: RING_MODULE.into(), verilog: format!("{}\n{}", g.verilog, io_ring(g.top, &ports)) })
}

/// The designs a report can hold, by the names `--design` takes.
pub const DESIGNS: [&str; 3] = ["controller", "pass-through", "board-top"];

/// Builds the designs of `board` named in `only` (all when empty) in `dir`
/// and places each with seeds 1..=`seeds`; `progress` hears what runs.
pub fn report(tools: &Toolchain, board: &BoardConfig, dir: &Path, seeds: u64, only: &[String], progress: &mut dyn FnMut(&str)) -> Result<Report> {
    let target = target_mhz(board.family);
    // The pass-through and the board top have the native ports only.
    let native =
        BoardConfig { config: pmsnap_hdl::Config { host_bus: pmsnap_hdl::HostBus::Native, nvm_bus: pmsnap_hdl::NvmBus::Native, ..board.config }, ..*board };
    let designs = [ring(pmsnap_hdl::generate(&board.config)?, CONTROLLER)?, ring(pmsnap_hdl::generate_passthrough(&native.config)?, PASS_THROUGH)?, {
        let g = pmsnap_hdl::generate_board(&native)?;
        Design { name: BOARD_TOP.into(), top: g.top.into(), verilog: g.verilog }
    }];
    let mut rows = Vec::new();
    for (design, key) in designs.iter().zip(DESIGNS) {
        if !only.is_empty() && !only.iter().any(|o| o == key) {
            continue;
        }
        let sub = dir.join(key);
        progress(&format!("{}: synthesizing {}", board.name, design.name));
        let synthesized = synthesize(tools, &sub, design).with_context(|| format!("{}: synthesis failed", design.name))?;
        let mut placed: Vec<Placed> = Vec::new();
        for seed in 1..=seeds {
            progress(&format!("{}: placing {} (seed {seed} of {seeds})", board.name, design.name));
            placed.push(place(tools, &sub, board, target, seed, true).with_context(|| format!("{}: place and route failed", design.name))?);
        }
        let fmax_by_seed = placed.iter().map(|p| p.fmax_mhz).collect();
        let best = placed
            .into_iter()
            .reduce(|a, b| if b.fmax_mhz > a.fmax_mhz { b } else { a })
            .ok_or_else(|| anyhow::anyhow!("no placer seeds to run (seeds must be at least 1)"))?;
        rows.push(Row { design: design.name.clone(), synthesized, best, fmax_by_seed });
    }
    Ok(Report { board: *board, target_mhz: target, rows })
}

impl Report {
    fn row(&self, name: &str) -> Option<&Row> {
        self.rows.iter().find(|r| r.design == name)
    }

    /// The controller's Fmax lost against the pass-through, in percent.
    pub fn fmax_loss_percent(&self) -> Option<f64> {
        let (c, p) = (self.row(CONTROLLER)?, self.row(PASS_THROUGH)?);
        Some(100.0 * (1.0 - c.best.fmax_mhz / p.best.fmax_mhz))
    }

    pub fn markdown(&self) -> String {
        let b = &self.board;
        let (cells, luts, ffs, brams) = match b.family {
            Family::Ice40 => ("ICESTORM_LC", "SB_LUT4", "SB_DFF*", "SB_RAM40_4K"),
            Family::Ecp5 => ("TRELLIS_COMB", "LUT4", "TRELLIS_FF", "DP16KD"),
        };
        let seeds = self.rows.first().map_or(0, |r| r.fmax_by_seed.len());
        let mut s = format!(
            "### {} — {} {}, sizing {}\n\n\
             | design | logic cells ({cells}) | LUTs ({luts}) | flip-flops ({ffs}) | block RAMs ({brams}) | Fmax MHz, best of {seeds} seeds | seeds |\n\
             |---|---:|---:|---:|---:|---:|---|\n",
            b.title,
            b.device.trim_start_matches("--"),
            b.package,
            b.config.tag()
        );
        for r in &self.rows {
            let all: Vec<String> = r.fmax_by_seed.iter().map(|f| format!("{f:.1}")).collect();
            s += &format!(
                "| {} | {} | {} | {} | {} | {:.1} | {} |\n",
                r.design,
                r.best.cells,
                r.synthesized.luts,
                r.synthesized.flip_flops,
                r.best.block_rams,
                r.best.fmax_mhz,
                all.join(" / ")
            );
        }
        if let (Some(c), Some(p)) = (self.row(CONTROLLER), self.row(PASS_THROUGH)) {
            let ratio = |a: u64, b: u64| if b == 0 { "—".to_string() } else { format!("{:.1}×", a as f64 / b as f64) };
            s += &format!(
                "\nMechanism cost (controller / pass-through): logic cells {}, flip-flops {}, block RAMs {} vs {}; Fmax {:.1} vs {:.1} MHz, {:.1} % lost (stretch target ≤ 15 %).\n",
                ratio(c.best.cells, p.best.cells),
                ratio(c.synthesized.flip_flops, p.synthesized.flip_flops),
                c.best.block_rams,
                p.best.block_rams,
                c.best.fmax_mhz,
                p.best.fmax_mhz,
                self.fmax_loss_percent().unwrap_or(f64::NAN)
            );
            s += &format!(
                "Controller Fmax target {:.0} MHz: {}. Board top at the board clock ({} MHz): {}.\n",
                self.target_mhz,
                if c.best.fmax_mhz >= self.target_mhz { "met" } else { "**missed**" },
                b.clock_mhz(),
                match self.row(BOARD_TOP) {
                    Some(t) if t.best.fmax_mhz >= b.clock_mhz() => "met",
                    Some(_) => "**missed**",
                    None => "not built",
                }
            );
        }
        s
    }

    pub fn json(&self) -> serde_json::Value {
        let rows: Vec<serde_json::Value> = self
            .rows
            .iter()
            .map(|r| {
                serde_json::json!({
                    "design": r.design,
                    "logic_cells": r.best.cells,
                    "logic_cells_available": r.best.cells_available,
                    "luts": r.synthesized.luts,
                    "flip_flops": r.synthesized.flip_flops,
                    "block_rams": r.best.block_rams,
                    "fmax_mhz_best": r.best.fmax_mhz,
                    "fmax_mhz_by_seed": r.fmax_by_seed,
                    "target_mhz": r.best.target_mhz,
                })
            })
            .collect();
        serde_json::json!({
            "board": self.board.name,
            "sizing": self.board.config.tag(),
            "clock_mhz": self.board.clock_mhz(),
            "controller_target_mhz": self.target_mhz,
            "fmax_loss_percent": self.fmax_loss_percent(),
            "rows": rows,
        })
    }
}
