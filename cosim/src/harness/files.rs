//! The command line's output files and the `--window` argument.

use anyhow::{bail, Context, Result};
use std::path::Path;

/// The `--reads-out` text: one line per read, hex value or `ERR`.
pub fn render_reads(reads: &[Option<u64>]) -> String {
    reads.iter().map(|r| r.map_or_else(|| "ERR\n".to_string(), |v| format!("{v:x}\n"))).collect()
}

/// Writes `--reads-out`.
pub fn write_reads(path: &Path, reads: &[Option<u64>]) -> Result<()> {
    std::fs::write(path, render_reads(reads)).with_context(|| format!("cannot write {}", path.display()))
}

/// Writes `--dump-final`: every logical word in address order, hex.
pub fn write_image(path: &Path, image: &[u64]) -> Result<()> {
    let text: String = image.iter().map(|v| format!("{v:x}\n")).collect();
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
}

/// Parses `A:B` (decimal cycles) for `--window`.
pub fn parse_window(text: &str) -> Result<(u64, u64)> {
    let (a, b) = text.split_once(':').with_context(|| format!("--window `{text}`: expected START:END in cycles"))?;
    let a: u64 = a.trim().parse().with_context(|| format!("--window `{text}`: START is not a number"))?;
    let b: u64 = b.trim().parse().with_context(|| format!("--window `{text}`: END is not a number"))?;
    if b <= a {
        bail!("--window `{text}`: END must be greater than START");
    }
    Ok((a, b))
}
