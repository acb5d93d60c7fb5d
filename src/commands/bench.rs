//! `pmsnap bench`: simulation speed, the mechanism's cycle costs and wear
//! (contract §7), as Markdown and JSON tables and SVG plots.

use anyhow::{Context, Result};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct BenchArgs {
    /// The reduced set (one size, fewer points): a smoke test that the suites run and agree.
    #[arg(long)]
    quick: bool,
    /// Only these suites (repeatable) [default: all].
    #[arg(long, value_name = "SUITE", value_parser = ["speed", "cost", "wear"])]
    suite: Vec<String>,
    /// Where the tables and plots go.
    #[arg(long, value_name = "DIR", default_value = "bench-out")]
    out: PathBuf,
    /// Where Verilated models are cached.
    #[arg(long, value_name = "DIR")]
    cache_dir: Option<PathBuf>,
}

/// Simulators that disagree are a `Disagreement` error (exit 1).
pub fn run(a: BenchArgs) -> Result<()> {
    let opts = pmsnap_bench::BenchOptions { quick: a.quick, out: a.out.clone(), cache_dir: crate::args::cache_dir(&a.cache_dir) };
    let wanted = |s: &str| a.suite.is_empty() || a.suite.iter().any(|x| x == s);
    let mut progress = |what: &str| eprintln!("pmsnap bench: {what}");
    let mut report = String::new();
    let publish = |t: pmsnap_bench::Table, name: &str, report: &mut String| -> Result<()> {
        t.write(&a.out, name)?;
        *report += &t.markdown();
        report.push('\n');
        Ok(())
    };
    if wanted("speed") {
        publish(pmsnap_bench::speed::run_suite(&opts, &mut progress)?, "speed", &mut report)?;
    }
    if wanted("cost") {
        let r = pmsnap_bench::cost::run_suite(&opts, &mut progress)?;
        publish(r.snapshot_table(), "cost-snapshot", &mut report)?;
        publish(r.port_table(), "cost-port", &mut report)?;
        let svg = a.out.join("snapshot-vs-dirty.svg");
        r.plot(&svg)?;
        report += &format!("Plot: {}\n\n", svg.display());
    }
    if wanted("wear") {
        publish(pmsnap_bench::wear::run_suite(&opts, &mut progress)?, "wear", &mut report)?;
    }
    print!("{report}");
    let all = a.out.join("bench.md");
    std::fs::write(&all, &report).with_context(|| format!("cannot write {}", all.display()))?;
    eprintln!("pmsnap bench: wrote {} and the tables' .md/.json beside it", all.display());
    Ok(())
}
