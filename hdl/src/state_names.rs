//! The names of every state register's codes, read back from the emitted
//! Verilog, so a waveform viewer can show `Harden` instead of `4`.
//!
//! rust-hdl declares a `LogicState` enum's codes as `localparam Type__Name
//! = N;` in every module that uses it, and makes each register a module of
//! its own; a register module that declares exactly one enum holds a
//! value of that enum. Its output is the parent's `<instance>__q`.

use std::collections::BTreeMap;

/// A register that holds a state enum.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StateRegister {
    /// Hierarchical path below the top module, dot-separated:
    /// `sequencer.snapshot.state__q`.
    pub path: String,
    /// The enum's name (`SnapshotState`).
    pub enum_name: String,
    /// Register width in bits.
    pub bits: u32,
    /// Every code and its name, in code order.
    pub codes: Codes,
}

/// An enum's codes and their names.
type Codes = Vec<(u64, String)>;

/// The state registers of `verilog`, whose top module is `top`.
pub fn state_registers(verilog: &str, top: &str) -> Vec<StateRegister> {
    // Module name → its enums.
    let mut enums: BTreeMap<&str, BTreeMap<String, Codes>> = BTreeMap::new();
    let mut instances: Vec<(&str, &str, &str)> = Vec::new(); // (parent, module, instance)
    let mut widths: BTreeMap<(&str, String), u32> = BTreeMap::new();
    let mut current = "";
    for line in verilog.lines() {
        if let Some(rest) = line.strip_prefix("module ") {
            current = rest.split('(').next().unwrap_or("");
            enums.entry(current).or_default();
            continue;
        }
        let trimmed = line.trim();
        if let Some(decl) = trimmed.strip_prefix("localparam ") {
            // `Type__Name = N;`
            if let Some((name, value)) = decl.trim_end_matches(';').split_once(" = ") {
                if let (Some((ty, code_name)), Ok(code)) = (name.trim().split_once("__"), value.trim().parse::<u64>()) {
                    enums.entry(current).or_default().entry(ty.to_string()).or_default().push((code, code_name.to_string()));
                }
            }
        } else if let Some(inst) = line.strip_prefix("    ").and_then(|l| l.strip_suffix('(')) {
            if let Some((module, instance)) = inst.split_once(' ') {
                if !module.contains(' ') && !instance.contains(' ') {
                    instances.push((current, module, instance));
                }
            }
        } else if let Some(decl) = trimmed.strip_prefix("wire ").and_then(|d| d.strip_suffix(';')) {
            let mut words = decl.split_whitespace();
            let (first, second) = (words.next(), words.next());
            let (bits, name) = match (first, second) {
                (Some(range), Some(name)) if range.starts_with('[') => {
                    (range.trim_matches(['[', ']']).split(':').next().and_then(|m| m.parse::<u32>().ok()).map(|m| m + 1), name)
                }
                (Some(name), None) => (Some(1), name),
                _ => (None, ""),
            };
            if let Some(bits) = bits {
                widths.insert((current, name.to_string()), bits);
            }
        }
    }
    let path_of = |module: &str| -> Option<String> {
        let below = module.strip_prefix(top)?;
        Some(below.trim_start_matches("__").replace("__", "."))
    };
    let mut out = Vec::new();
    for (parent, module, instance) in instances {
        let Some(types) = enums.get(module) else { continue };
        if types.len() != 1 {
            continue;
        }
        let Some((name, codes)) = types.iter().next() else { continue };
        let Some(prefix) = path_of(parent) else { continue };
        let register = format!("{instance}__q");
        let Some(&bits) = widths.get(&(parent, register.clone())) else { continue };
        let mut codes = codes.clone();
        codes.sort();
        let path = if prefix.is_empty() { register } else { format!("{prefix}.{register}") };
        out.push(StateRegister { path, enum_name: name.clone(), bits, codes });
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_controllers_state_registers_are_named() {
        let v = crate::generate(&crate::Config::sized(16, 8, 32, 32)).unwrap().verilog;
        let regs = state_registers(&v, crate::verilog::TOP_MODULE);
        let find = |p: &str| regs.iter().find(|r| r.path == p).unwrap_or_else(|| panic!("{p} in {regs:?}"));
        let snapshot = find("sequencer.snapshot.state__q");
        assert_eq!(snapshot.enum_name, "SnapshotState");
        assert_eq!(snapshot.codes[0], (0, "Idle".to_string()));
        assert!(snapshot.codes.len() > 4 && snapshot.codes.len() as u64 <= 1 << snapshot.bits);
        for p in ["host.state__q", "cow.state__q", "sequencer.front.state__q", "sequencer.recover.state__q"] {
            find(p);
        }
    }
}
