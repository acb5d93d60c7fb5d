//! Names for coded values: ops, statuses and phases from `codes.rs` (the
//! tables the RTL is built from), every state register's states from the
//! emitted Verilog. Written as GTKWave translate filters (`<hex> <name>`
//! a line), read back from them.

use pmsnap_hdl::codes::FILTERED_PORTS;
use pmsnap_hdl::state_names::StateRegister;

/// The names of one signal's values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NameTable {
    /// The signal, below the controller's scope (`sequencer.snapshot.state__q`).
    pub path: String,
    /// Its filter file's name (`SnapshotState.txt`).
    pub file: String,
    pub bits: u32,
    pub codes: Vec<(u64, String)>,
}

impl NameTable {
    /// The translate filter: values as GTKWave shows them in hex (padded
    /// to the signal's width), then the name.
    pub fn filter(&self) -> String {
        let digits = self.bits.div_ceil(4).max(1) as usize;
        self.codes.iter().map(|(c, n)| format!("{c:0digits$x} {n}\n")).collect()
    }

    pub fn name(&self, value: u64) -> Option<&str> {
        self.codes.iter().find(|(c, _)| *c == value).map(|(_, n)| n.as_str())
    }
}

/// Reads a translate filter back.
pub fn parse_filter(text: &str) -> Vec<(u64, String)> {
    text.lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .filter_map(|l| {
            let (code, name) = l.trim().split_once(char::is_whitespace)?;
            Some((u64::from_str_radix(code, 16).ok()?, name.trim().to_string()))
        })
        .collect()
}

/// Every named signal of a controller whose state registers are `states`
/// (from `pmsnap_hdl::state_names`, paths below the top module; a board
/// top's start with `controller.`).
pub fn tables(states: &[StateRegister]) -> Vec<NameTable> {
    let mut out: Vec<NameTable> = FILTERED_PORTS
        .iter()
        .map(|(port, filter)| NameTable {
            path: port.to_string(),
            file: format!("{port}.txt"),
            bits: pmsnap_hdl::codes::CODE_BITS as u32,
            codes: parse_filter(&filter()),
        })
        .collect();
    for s in states {
        let path = s.path.strip_prefix("controller.").unwrap_or(&s.path).to_string();
        out.push(NameTable { path, file: format!("{}.txt", s.enum_name), bits: s.bits, codes: s.codes.clone() });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_read_back_as_written() {
        let t = NameTable { path: "x".into(), file: "x.txt".into(), bits: 5, codes: vec![(0, "Idle".into()), (17, "Harden".into())] };
        assert_eq!(t.filter(), "00 Idle\n11 Harden\n");
        assert_eq!(parse_filter(&t.filter()), t.codes);
        let ports = tables(&[]);
        let op = ports.iter().find(|t| t.path == "cmd_op").expect("cmd_op named");
        assert_eq!(op.name(pmsnap_hdl::codes::CmdOp::Snapshot as u64), Some("SNAPSHOT"));
    }
}
