//! `pmsnap wave`: a window of a waveform (VCD or FST) drawn as an SVG
//! timing diagram, grouped and named as in its GTKWave save file.

use crate::exit::BadInput;
use anyhow::{Context, Result};
use pmsnap_wave::dump::{self, Dump};
use pmsnap_wave::groups::{slug, Scope};
use pmsnap_wave::gtkw;
use pmsnap_wave::svg::{self, Picture, Row};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct WaveArgs {
    /// The waveform: a VCD or FST that pmsnap wrote (its save file beside it, FILE with .gtkw,
    /// gives the groups and the names of coded values; without it the built-in groups are used).
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// First cycle drawn.
    #[arg(long, value_name = "CYCLE")]
    from: u64,
    /// End of the window (excluded); at most 2000 cycles after --from.
    #[arg(long, value_name = "CYCLE")]
    to: u64,
    /// A group (host-port, command-and-status, flush-handshake, nvm-port, sequencer,
    /// cow-engine, allocator, uart) or a signal (its name below the controller, e.g.
    /// cow.state__q, or its full name); repeatable, in the order drawn [default: every group].
    #[arg(long, value_name = "GROUP|NAME")]
    signals: Vec<String>,
    /// Write the SVG here.
    #[arg(long, value_name = "OUT")]
    svg: PathBuf,
    /// Title above the diagram [default: the file and the window].
    #[arg(long)]
    title: Option<String>,
}

/// The widest window drawn: wider is unreadable.
const MAX_CYCLES: u64 = 2000;

type Groups = Vec<gtkw::SavedGroup>;

pub fn run(a: WaveArgs) -> Result<()> {
    if a.to <= a.from || a.to - a.from > MAX_CYCLES {
        return Err(BadInput(format!("--from {} --to {}: the window must hold 1 to {MAX_CYCLES} cycles", a.from, a.to)).into());
    }
    crate::args::writable("--svg", &Some(a.svg.clone()))?;
    if !a.file.is_file() {
        return Err(BadInput(format!("{}: no such waveform file", a.file.display())).into());
    }
    let mut d = Dump::open(&a.file).map_err(|e| BadInput(format!("{e:#}")))?;
    if a.from < d.cycles.0 || a.from > d.cycles.1 {
        return Err(BadInput(format!("--from {}: {} covers cycles {} to {}", a.from, a.file.display(), d.cycles.0, d.cycles.1)).into());
    }
    let save = gtkw::save_path(&a.file);
    let saved = if save.is_file() { Some(gtkw::read(&save)?) } else { None };
    let groups: Groups = match &saved {
        Some(s) => s.groups.clone(),
        None => builtin_groups(&d),
    };
    let wanted = select(&groups, &a.signals, &d)?;
    let mut vars = Vec::new();
    for row in &wanted {
        if let Selected::Signal(name, _) = row {
            vars.push(dump::lookup_full(d.hierarchy(), name).with_context(|| format!("{}: no signal {name}", a.file.display()))?);
        }
    }
    d.load(&vars);
    let to = a.to.min(d.cycles.1 + 1);
    let mut rows = Vec::new();
    let mut v = vars.iter();
    for row in wanted {
        match row {
            Selected::Group(group) => rows.push(Row::Group(group)),
            Selected::Signal(name, names) => {
                let var = *v.next().context("signal list out of step")?;
                let values = (a.from..to).map(|c| d.value(var, c)).collect::<Result<Vec<_>>>()?;
                rows.push(Row::Signal { name, bits: d.width(var), values, names });
            }
        }
    }
    let period = saved.as_ref().and_then(|s| s.period).unwrap_or(d.period).max(1);
    let markers = saved.as_ref().map(|s| s.markers.iter().map(|(t, l)| (t / period, l.clone())).collect()).unwrap_or_default();
    let title = a.title.clone().unwrap_or_else(|| format!("{}, cycles {} to {}", a.file.display(), a.from, to));
    let signals = rows.iter().filter(|r| matches!(r, Row::Signal { .. })).count();
    let picture = Picture { title, from: a.from, to, rows, markers };
    std::fs::write(&a.svg, svg::render(&picture)).with_context(|| format!("cannot write {}", a.svg.display()))?;
    println!("{}: {signals} signals, cycles {} to {} ({} ps a cycle)", a.svg.display(), a.from, to, d.period);
    Ok(())
}

/// The built-in groups, for a waveform without its save file: codes named
/// from `codes.rs`, states shown as numbers.
fn builtin_groups(d: &Dump) -> Groups {
    let h = d.hierarchy();
    let names = pmsnap_wave::names::tables(&[]);
    dump::groups_shown(h)
        .map(|g| {
            let signals: Vec<_> = g
                .signals
                .iter()
                .filter_map(|p| {
                    let codes = names.iter().find(|t| g.scope == Scope::Controller && t.path == *p).map(|t| t.codes.clone()).unwrap_or_default();
                    Some((dump::full_name(h, g.scope, p)?, codes))
                })
                .collect();
            (g.name.to_string(), signals)
        })
        .collect()
}

/// One row asked for: a group's heading, or a signal (full name, names
/// of its values).
enum Selected {
    Group(String),
    Signal(String, gtkw::Names),
}

/// The rows asked for, in order: each group word gives its heading and
/// its signals; any other word one signal.
fn select(groups: &Groups, words: &[String], d: &Dump) -> Result<Vec<Selected>> {
    let mut rows = Vec::new();
    let all: Vec<String> = groups.iter().map(|(g, _)| slug(g)).collect();
    let words: Vec<String> = if words.is_empty() { all.clone() } else { words.to_vec() };
    for w in &words {
        if let Some((group, signals)) = groups.iter().find(|(g, _)| slug(g) == slug(w)) {
            rows.push(Selected::Group(group.clone()));
            rows.extend(signals.iter().map(|(n, names)| Selected::Signal(n.clone(), names.clone())));
            continue;
        }
        let known = groups.iter().flat_map(|(_, s)| s).find(|(full, _)| full == w || full.ends_with(&format!(".{w}")));
        match known {
            Some((n, names)) => rows.push(Selected::Signal(n.clone(), names.clone())),
            None if dump::lookup_full(d.hierarchy(), w).is_some() => rows.push(Selected::Signal(w.clone(), Vec::new())),
            None => return Err(BadInput(format!("--signals {w}: no such group or signal (groups: {})", all.join(", "))).into()),
        }
    }
    Ok(rows)
}
