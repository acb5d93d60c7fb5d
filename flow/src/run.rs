//! One design through synthesis, place-and-route and packing. Every tool
//! runs inside the design's folder on relative paths (the yowasp tools see
//! only the working folder), with its log kept there.

use crate::toolchain::Toolchain;
use anyhow::{anyhow, bail, Context, Result};
use pmsnap_hdl::board::{BoardConfig, Family};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Verilog to place: its top module and the constraints of the board.
pub struct Design {
    /// What the report calls it.
    pub name: String,
    pub top: String,
    pub verilog: String,
}

/// Yosys's cell counts after technology mapping.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Synthesized {
    pub json: PathBuf,
    /// LUT4 cells (carry cells not included).
    pub luts: u64,
    pub flip_flops: u64,
    pub block_rams: u64,
}

/// nextpnr's result for one seed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Placed {
    pub seed: u64,
    /// Logic cells: ICESTORM_LC (iCE40) or TRELLIS_COMB (ECP5).
    pub cells: u64,
    pub cells_available: u64,
    pub block_rams: u64,
    pub fmax_mhz: f64,
    pub target_mhz: f64,
    /// Where the placed design is (`.asc` or `.config`).
    pub placed: PathBuf,
}

impl Placed {
    pub fn meets_target(&self) -> bool {
        self.fmax_mhz >= self.target_mhz
    }
}

fn run(dir: &Path, program: &Path, args: &[String], log: &str) -> Result<()> {
    let out = Command::new(program).current_dir(dir).args(args).output().with_context(|| format!("cannot run {}", program.display()))?;
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text += &String::from_utf8_lossy(&out.stderr);
    std::fs::write(dir.join(log), &text).with_context(|| format!("cannot write {}", dir.join(log).display()))?;
    if !out.status.success() {
        let tail: Vec<&str> = text.lines().rev().take(15).collect::<Vec<_>>().into_iter().rev().collect();
        bail!("{} failed ({}); log {}:\n{}", program.display(), out.status, dir.join(log).display(), tail.join("\n"));
    }
    Ok(())
}

fn read_json(path: &Path) -> Result<Value> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{} is not JSON", path.display()))
}

/// Synthesizes `design` in `dir` (created) for `tools.family`.
pub fn synthesize(tools: &Toolchain, dir: &Path, design: &Design) -> Result<Synthesized> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    std::fs::write(dir.join("design.v"), &design.verilog).with_context(|| format!("cannot write {}/design.v", dir.display()))?;
    let synth = match tools.family {
        Family::Ice40 => "synth_ice40",
        Family::Ecp5 => "synth_ecp5",
    };
    let script = format!("read_verilog design.v; {synth} -top {} -json design.json; tee -q -o stat.json stat -json", design.top);
    run(dir, &tools.yosys, &["-q".into(), "-l".into(), "yosys.log".into(), "-p".into(), script], "yosys.out")?;
    let stat = read_json(&dir.join("stat.json"))?;
    let cells = stat
        .pointer("/design/num_cells_by_type")
        .and_then(Value::as_object)
        .ok_or_else(|| anyhow!("{}/stat.json has no design.num_cells_by_type", dir.display()))?;
    let count = |pred: &dyn Fn(&str) -> bool| cells.iter().filter(|(k, _)| pred(k)).map(|(_, v)| v.as_u64().unwrap_or(0)).sum::<u64>();
    let (luts, flip_flops, block_rams) = match tools.family {
        Family::Ice40 => (count(&|k| k == "SB_LUT4"), count(&|k| k.starts_with("SB_DFF")), count(&|k| k.starts_with("SB_RAM40"))),
        Family::Ecp5 => (count(&|k| k == "LUT4"), count(&|k| k == "TRELLIS_FF"), count(&|k| k == "DP16KD" || k == "PDPW16KD")),
    };
    Ok(Synthesized { json: dir.join("design.json"), luts, flip_flops, block_rams })
}

/// The board's constraints file (`constraints/`, built into the binary).
pub fn constraints(board: &BoardConfig) -> &'static str {
    match board.family {
        Family::Ice40 => include_str!("../../constraints/ice40-hx8k.pcf"),
        Family::Ecp5 => include_str!("../../constraints/ulx3s.lpf"),
    }
}

/// Places and routes the synthesized design in `dir` with the board's
/// constraints (copied in), aiming at `target_mhz`. With `allow_fail`, a
/// missed target is a result, not an error.
pub fn place(tools: &Toolchain, dir: &Path, board: &BoardConfig, target_mhz: f64, seed: u64, allow_fail: bool) -> Result<Placed> {
    std::fs::write(dir.join(board.constraints), constraints(board)).with_context(|| format!("cannot write {}", dir.join(board.constraints).display()))?;
    let placed = match tools.family {
        Family::Ice40 => format!("seed{seed}.asc"),
        Family::Ecp5 => format!("seed{seed}.config"),
    };
    let report = format!("seed{seed}.json");
    let mut args: Vec<String> = vec![board.device.into(), "--package".into(), board.package.into(), "--json".into(), "design.json".into()];
    match tools.family {
        Family::Ice40 => args.extend(["--pcf".into(), board.constraints.into(), "--asc".into(), placed.clone()]),
        Family::Ecp5 => args.extend(["--lpf".into(), board.constraints.into(), "--textcfg".into(), placed.clone()]),
    }
    args.extend(["--freq".into(), format!("{target_mhz}"), "--seed".into(), seed.to_string(), "--report".into(), report.clone()]);
    if allow_fail {
        args.push("--timing-allow-fail".into());
    }
    let log = format!("nextpnr-seed{seed}.log");
    let result = run(dir, &tools.nextpnr, &args, &log);
    // A failed run may still have reported its timing: read it first, and
    // prefer nextpnr's own error when there is no report.
    let summary = match read_json(&dir.join(&report)) {
        Ok(s) => s,
        Err(e) => return Err(result.err().unwrap_or(e)),
    };
    let used = |cell: &str| summary.pointer(&format!("/utilization/{cell}/used")).and_then(Value::as_u64).unwrap_or(0);
    let available = |cell: &str| summary.pointer(&format!("/utilization/{cell}/available")).and_then(Value::as_u64).unwrap_or(0);
    let (lc, ram) = match tools.family {
        Family::Ice40 => ("ICESTORM_LC", "ICESTORM_RAM"),
        Family::Ecp5 => ("TRELLIS_COMB", "DP16KD"),
    };
    // The slowest clock domain (the designs have one clock).
    let fmax = summary
        .get("fmax")
        .and_then(Value::as_object)
        .and_then(|m| m.values().filter_map(|c| c.get("achieved").and_then(Value::as_f64)).reduce(f64::min))
        .ok_or_else(|| anyhow!("{}/{report} names no clock's Fmax", dir.display()))?;
    let p = Placed { seed, cells: used(lc), cells_available: available(lc), block_rams: used(ram), fmax_mhz: fmax, target_mhz, placed: dir.join(placed) };
    match result {
        Ok(()) => Ok(p),
        Err(e) if !p.meets_target() => Err(e.context(TimingMissed { fmax_mhz: p.fmax_mhz, target_mhz })),
        Err(e) => Err(e),
    }
}

/// A placed design misses the clock it was placed for.
#[derive(Debug, thiserror::Error)]
#[error("timing not met: Fmax {fmax_mhz:.2} MHz < {target_mhz} MHz")]
pub struct TimingMissed {
    pub fmax_mhz: f64,
    pub target_mhz: f64,
}

/// Packs a placed design into the bitstream `out`.
pub fn pack(tools: &Toolchain, dir: &Path, placed: &Placed, out: &str) -> Result<PathBuf> {
    let name = placed.placed.file_name().and_then(|n| n.to_str()).ok_or_else(|| anyhow!("placed design has no file name"))?;
    run(dir, &tools.pack, &[name.into(), out.into()], "pack.log")?;
    Ok(dir.join(out))
}

/// A board top's bitstream and what it took.
pub struct Bitstream {
    pub file: PathBuf,
    pub synthesized: Synthesized,
    pub placed: Placed,
}

/// The board top of `board` from Verilog to a bitstream in `dir`, timed at
/// the board's clock: a missed clock is an error.
pub fn bitstream(tools: &Toolchain, board: &BoardConfig, dir: &Path, seed: u64) -> Result<Bitstream> {
    let g = pmsnap_hdl::generate_board(board)?;
    let design = Design { name: "board top".into(), top: g.top.into(), verilog: g.verilog };
    let synthesized = synthesize(tools, dir, &design).context("synthesis failed")?;
    let placed = place(tools, dir, board, board.clock_mhz(), seed, false).context("place and route failed")?;
    let out = match tools.family {
        Family::Ice40 => "pmsnap_board.bin",
        Family::Ecp5 => "pmsnap_board.bit",
    };
    let file = pack(tools, dir, &placed, out).context("packing the bitstream failed")?;
    Ok(Bitstream { file, synthesized, placed })
}
