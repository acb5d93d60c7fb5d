//! GTKWave save files: written beside every waveform pmsnap writes, read
//! back by `pmsnap wave` for its groups and names.
//!
//! A save file is one directive a line: `[dumpfile] "path"`, window
//! geometry, `*zoom marker A..Z` (the zoom and the 26 named markers'
//! times), `[markername] A<label>`, then the signal list: `@<flags>` sets
//! the display flags of what follows (hex, binary, translated by a filter,
//! group begin/end), `^<n> <file>` selects translate filter n, and every
//! other line is a signal's full name or, after `-`, a group's label.

use crate::dump::{self, controller_scope};
use crate::groups::Scope;
use crate::names::{self, NameTable};
use anyhow::{bail, Context, Result};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

// Display flags (GTKWave's `TR_*` bits).
const HEX: u32 = 0x2;
const BIN: u32 = 0x8;
const RJUSTIFY: u32 = 0x20;
const BLANK: u32 = 0x200;
const TRANSLATED: u32 = 0x2000;
const GROUP_BEGIN: u32 = 0x80_0000;
const GROUP_END: u32 = 0x100_0000;

/// GTKWave has 26 named markers, A to Z.
pub const NAMED_MARKERS: usize = 26;

/// Window geometry the zoom is fitted to.
const WINDOW: (u32, u32) = (1600, 900);
const SST_WIDTH: u32 = 220;
const SIGNALS_WIDTH: u32 = 300;

/// A labelled cycle: a command, a power loss, the first failure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Marker {
    pub cycle: u64,
    pub label: String,
}

/// What a save file is written from.
pub struct SaveFile<'a> {
    /// The waveform (must exist: its signals are looked up in it).
    pub dump: &'a Path,
    /// One cycle in the waveform's time unit.
    pub period: u64,
    /// The cycles the waveform covers, `[start, end)`: the zoom fits them.
    pub span: (u64, u64),
    /// In time order; the first failure, if any, becomes the primary marker.
    pub markers: &'a [Marker],
    /// The cycle of the first failure.
    pub failure: Option<u64>,
    /// Names of coded values (`names::tables`).
    pub names: &'a [NameTable],
}

/// The save file of `dump`: the same name with `.gtkw`.
pub fn save_path(dump: &Path) -> PathBuf {
    dump.with_extension("gtkw")
}

/// GTKWave's zoom that fits `[first, last]` into a wave pane `width`
/// pixels wide (its "zoom best fit": the zoom is a power of 2, 200 time
/// units a pixel at zoom 0).
pub fn fit_zoom(first: u64, last: u64, width: u32) -> f64 {
    let span = (last.saturating_sub(first) + 1) as f64;
    -(span / f64::from(width.saturating_sub(4).max(1)) * 200.0).log2()
}

/// Writes the save file of `s.dump` and the translate filters it uses
/// (`gtkwave/<name>.txt` beside it); returns the save file's path.
pub fn write(s: &SaveFile) -> Result<PathBuf> {
    let h = dump::hierarchy(s.dump)?;
    controller_scope(&h).with_context(|| format!("{}: no controller scope (TOP.pmsnap_controller or TOP.pmsnap_board.controller)", s.dump.display()))?;
    // Markers and zoom cover `[start, end)`, at least one cycle.
    let end = s.span.1.max(s.span.0 + 1);
    let dump_abs = std::path::absolute(s.dump).with_context(|| format!("cannot resolve {}", s.dump.display()))?;
    let dir = dump_abs.parent().map(Path::to_path_buf).unwrap_or_default();
    let filter_dir = dir.join("gtkwave");
    std::fs::create_dir_all(&filter_dir).with_context(|| format!("cannot create {}", filter_dir.display()))?;
    let mut filter_ids: BTreeMap<String, usize> = BTreeMap::new();
    for t in s.names {
        std::fs::write(filter_dir.join(&t.file), t.filter()).with_context(|| format!("cannot write {}", filter_dir.join(&t.file).display()))?;
    }

    let mut out = String::new();
    let _ = writeln!(out, "[*] pmsnap: signals grouped, codes named by the filters in gtkwave/; markers at commands, power losses and the first failure");
    let _ = writeln!(out, "[*] pmsnap period {} (one clock cycle in the waveform's time unit)", s.period);
    let _ = writeln!(out, "[dumpfile] \"{}\"", dump_abs.display());
    let save = save_path(&dump_abs);
    let _ = writeln!(out, "[savefile] \"{}\"", save.display());
    let (first, last) = (s.span.0 * s.period, end * s.period);
    let _ = writeln!(out, "[timestart] {first}");
    let _ = writeln!(out, "[size] {} {}", WINDOW.0, WINDOW.1);
    let _ = writeln!(out, "[pos] -1 -1");
    let named: Vec<&Marker> = s.markers.iter().filter(|m| (s.span.0..end).contains(&m.cycle)).take(NAMED_MARKERS).collect();
    let mut times = vec!["-1".to_string(); NAMED_MARKERS];
    for (i, m) in named.iter().enumerate() {
        times[i] = (m.cycle * s.period).to_string();
    }
    let primary = s.failure.map_or(-1, |c| (c * s.period) as i64);
    let zoom = fit_zoom(first, last, WINDOW.0 - SST_WIDTH - SIGNALS_WIDTH - 40);
    let _ = writeln!(out, "*{zoom:.6} {primary} {}", times.join(" "));
    for (i, m) in named.iter().enumerate() {
        let _ = writeln!(out, "[markername] {}{}", (b'A' + i as u8) as char, m.label);
    }
    if s.markers.len() > named.len() {
        let _ = writeln!(out, "[*] {} more markers than GTKWave's 26 named ones were left out", s.markers.len() - named.len());
    }
    let _ = writeln!(out, "[sst_width] {SST_WIDTH}");
    let _ = writeln!(out, "[signals_width] {SIGNALS_WIDTH}");
    let _ = writeln!(out, "[sst_expanded] 1");
    let _ = writeln!(out, "[sst_vpaned_height] 300");
    for g in dump::groups_shown(&h) {
        let _ = writeln!(out, "@{:x}\n-{}", GROUP_BEGIN | BLANK, g.name);
        for path in g.signals {
            let missing = || format!("{}: no signal {path} in the {} group", s.dump.display(), g.name);
            // An optional group shows what the waveform has of it.
            let Some(full) = dump::full_name(&h, g.scope, path) else {
                if g.optional {
                    continue;
                }
                bail!(missing());
            };
            let var = dump::lookup_full(&h, &full).with_context(missing)?;
            let width = h[var].length(&h).unwrap_or(1);
            let table = (g.scope == Scope::Controller).then(|| s.names.iter().find(|t| t.path == *path)).flatten();
            let name = if width > 1 { format!("{full}[{}:0]", width - 1) } else { full };
            match table {
                Some(t) => {
                    let next = filter_ids.len() + 1;
                    let id = *filter_ids.entry(t.file.clone()).or_insert(next);
                    let _ = writeln!(out, "@{:x}\n^{id} {}\n{name}", HEX | RJUSTIFY | TRANSLATED, filter_dir.join(&t.file).display());
                }
                None => {
                    let _ = writeln!(out, "@{:x}\n{name}", if width > 1 { HEX } else { BIN } | RJUSTIFY);
                }
            }
        }
        let _ = writeln!(out, "@{:x}\n-{}", GROUP_END | BLANK, g.name);
    }
    let _ = writeln!(out, "[pattern_trace] 1\n[pattern_trace] 0");
    std::fs::write(&save, out).with_context(|| format!("cannot write {}", save.display()))?;
    Ok(save)
}

/// Values and their names, from a translate filter.
pub type Names = Vec<(u64, String)>;
/// A group's label and its signals: full name, names of its values.
pub type SavedGroup = (String, Vec<(String, Names)>);

/// A save file read back: its groups, each signal's full name (no bit
/// range) and the names its filter gives its values.
#[derive(Clone, Debug, Default)]
pub struct Saved {
    pub groups: Vec<SavedGroup>,
    pub markers: Vec<(u64, String)>,
    pub period: Option<u64>,
}

/// Reads a save file written by [`write`].
pub fn read(path: &Path) -> Result<Saved> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut saved = Saved::default();
    let mut filter: Option<Vec<(u64, String)>> = None;
    let mut translated = false;
    let mut in_group = false;
    let mut marker_times: Vec<i64> = Vec::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("[*] pmsnap period ") {
            saved.period = rest.split_whitespace().next().and_then(|p| p.parse().ok());
        } else if let Some(rest) = line.strip_prefix('*') {
            marker_times = rest.split_whitespace().skip(2).filter_map(|t| t.parse().ok()).collect();
        } else if let Some(rest) = line.strip_prefix("[markername] ") {
            let mut chars = rest.chars();
            if let Some(letter) = chars.next() {
                let i = (letter as u8).wrapping_sub(b'A') as usize;
                if let Some(&t) = marker_times.get(i).filter(|t| **t >= 0) {
                    saved.markers.push((t as u64, chars.as_str().to_string()));
                }
            }
        } else if let Some(flags) = line.strip_prefix('@') {
            let flags = u32::from_str_radix(flags, 16).unwrap_or(0);
            translated = flags & TRANSLATED != 0;
            if !translated {
                filter = None;
            }
            in_group = flags & GROUP_END == 0 && (flags & GROUP_BEGIN != 0 || in_group);
        } else if let Some(rest) = line.strip_prefix('^') {
            let file = rest.split_once(' ').map(|(_, f)| f).unwrap_or("");
            let text = std::fs::read_to_string(file).with_context(|| format!("{}: cannot read filter {file}", path.display()))?;
            filter = Some(names::parse_filter(&text));
        } else if let Some(label) = line.strip_prefix('-') {
            if in_group && saved.groups.last().is_none_or(|(n, _)| n != label) {
                saved.groups.push((label.to_string(), Vec::new()));
            }
        } else if !line.starts_with('[') && !line.is_empty() {
            let name = line.split('[').next().unwrap_or(line).to_string();
            let names = if translated { filter.clone().unwrap_or_default() } else { Vec::new() };
            if let Some((_, signals)) = saved.groups.last_mut() {
                signals.push((name, names));
            }
        }
    }
    Ok(saved)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zoom_fits_as_gtkwave_computes_it() {
        // 1000 time units into 404 pixels: 500 units a pixel = 200 · 2^1.32.
        let z = fit_zoom(0, 999, 404);
        assert!((z + (1000.0f64 / 400.0 * 200.0).log2()).abs() < 1e-9);
        assert!(fit_zoom(0, 99_999, 1000) < fit_zoom(0, 999, 1000));
    }
}
