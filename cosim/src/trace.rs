//! Workload trace format (contract §5): one operation a line, numbers in hex.

use anyhow::{Context, Result};
use std::path::Path;

/// One host operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Write { addr: u64, data: u64 },
    Read { addr: u64 },
    Snapshot,
    Restore,
    PowerLoss,
}

/// An operation and the line it came from (0 for generated workloads).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TraceOp {
    pub op: Op,
    pub line: usize,
}

/// A malformed trace line: file, line, and what is wrong. Exit status 2.
#[derive(Debug, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct TraceError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

fn hex(token: &str, what: &str, word_bits: usize) -> std::result::Result<u64, String> {
    let digits = token.strip_prefix("0x").or_else(|| token.strip_prefix("0X")).unwrap_or(token);
    if digits.is_empty() {
        return Err(format!("{what} `{token}` has no digits"));
    }
    let value = u64::from_str_radix(digits, 16).map_err(|_| format!("{what} `{token}` is not a hex number"))?;
    if word_bits < 64 && value >> word_bits != 0 {
        return Err(format!("{what} `{token}` does not fit in {word_bits} bits"));
    }
    Ok(value)
}

/// Parses trace text; `file` names it in errors. Data must fit `word_bits`;
/// addresses must fit the 32-bit host address bus.
pub fn parse(text: &str, file: &str, word_bits: usize) -> std::result::Result<Vec<TraceOp>, TraceError> {
    let mut ops = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let err = |message: String| TraceError { file: file.to_string(), line, message };
        let content = raw.split('#').next().unwrap_or("").trim();
        if content.is_empty() {
            continue;
        }
        let tokens: Vec<&str> = content.split_whitespace().collect();
        let want = |n: usize| -> std::result::Result<(), TraceError> {
            if tokens.len() != n {
                Err(err(format!("`{}` takes {} operand(s), found {}", tokens[0], n - 1, tokens.len() - 1)))
            } else {
                Ok(())
            }
        };
        let op = match tokens[0] {
            "W" | "w" => {
                want(3)?;
                Op::Write { addr: hex(tokens[1], "address", 32).map_err(err)?, data: hex(tokens[2], "data", word_bits).map_err(err)? }
            }
            "R" | "r" => {
                want(2)?;
                Op::Read { addr: hex(tokens[1], "address", 32).map_err(err)? }
            }
            "S" | "s" => {
                want(1)?;
                Op::Snapshot
            }
            "X" | "x" => {
                want(1)?;
                Op::Restore
            }
            "P" | "p" => {
                want(1)?;
                Op::PowerLoss
            }
            other => return Err(err(format!("unknown operation `{other}` (expected W, R, S, X or P)"))),
        };
        ops.push(TraceOp { op, line });
    }
    Ok(ops)
}

/// Reads and parses a trace file.
pub fn load(path: &Path, word_bits: usize) -> Result<Vec<TraceOp>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read workload {}", path.display()))?;
    Ok(parse(&text, &path.display().to_string(), word_bits)?)
}

/// Writes ops back in trace format (for generated workloads).
pub fn render(ops: &[TraceOp]) -> String {
    let mut out = String::new();
    for op in ops {
        match op.op {
            Op::Write { addr, data } => out.push_str(&format!("W {addr:x} {data:x}\n")),
            Op::Read { addr } => out.push_str(&format!("R {addr:x}\n")),
            Op::Snapshot => out.push_str("S\n"),
            Op::Restore => out.push_str("X\n"),
            Op::PowerLoss => out.push_str("P\n"),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_op_comments_and_blank_lines() {
        let ops = parse("# hello\n\nW 0x10 ff\nR 10 # trailing\nS\nX\nP\n", "t", 32).unwrap();
        assert_eq!(
            ops.iter().map(|o| o.op).collect::<Vec<_>>(),
            vec![Op::Write { addr: 16, data: 255 }, Op::Read { addr: 16 }, Op::Snapshot, Op::Restore, Op::PowerLoss]
        );
        assert_eq!(ops[0].line, 3);
        assert_eq!(ops[1].line, 4);
    }

    #[test]
    fn malformed_lines_name_file_and_line() {
        let e = parse("W 1 2\nR\n", "f.trace", 32).unwrap_err();
        assert_eq!((e.file.as_str(), e.line), ("f.trace", 2));
        assert!(e.to_string().starts_with("f.trace:2: "), "{e}");
        assert!(parse("Q 1\n", "f", 32).unwrap_err().message.contains("unknown operation"));
        assert!(parse("W 1 zz\n", "f", 32).unwrap_err().message.contains("not a hex number"));
        assert!(parse("W 1 100000000\n", "f", 32).unwrap_err().message.contains("32 bits"));
        parse("W 1 100000000\n", "f", 64).unwrap();
        assert!(parse("R 1 2\n", "f", 32).unwrap_err().message.contains("1 operand"));
        assert!(parse("W 0x 1\n", "f", 32).unwrap_err().message.contains("no digits"));
    }

    #[test]
    fn render_round_trips() {
        let ops = parse("W 10 ff\nR 3\nS\nX\n", "t", 32).unwrap();
        let again = parse(&render(&ops), "t", 32).unwrap();
        assert_eq!(ops.iter().map(|o| o.op).collect::<Vec<_>>(), again.iter().map(|o| o.op).collect::<Vec<_>>());
    }
}
