//! Waveforms for people: one copy of each signal, a GTKWave save file
//! beside every waveform (groups, names, markers that point at what they
//! say), FST as well as VCD, and `pmsnap wave`'s SVG pictures holding the
//! values the waveform holds.

mod common;

use common::pmsnap;
use pmsnap_wave::gtkw;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Output;

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

/// The demo trace's waveform in `dir` (`demo.vcd` or `demo.fst`).
fn demo(dir: &Path, flag: &str, name: &str) -> PathBuf {
    let path = dir.join(name);
    let out = pmsnap().args(["cosim", "--workload"]).arg(repo("workloads/demo.trace")).arg(flag).arg(&path).output().unwrap();
    assert!(out.status.success(), "{}", text(&out));
    path
}

/// A VCD read with the `vcd` crate (not the library pmsnap reads with):
/// full names → id, and each id's value changes as (time, bits).
struct Vcd {
    ids: HashMap<String, vcd::IdCode>,
    changes: HashMap<vcd::IdCode, Vec<(u64, String)>>,
}

impl Vcd {
    fn read(path: &Path) -> Vcd {
        let mut parser = vcd::Parser::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
        let header = parser.parse_header().unwrap();
        let mut ids = HashMap::new();
        fn walk(items: &[vcd::ScopeItem], prefix: &str, ids: &mut HashMap<String, vcd::IdCode>) {
            for item in items {
                match item {
                    vcd::ScopeItem::Var(v) => {
                        assert!(ids.insert(format!("{prefix}{}", v.reference), v.code).is_none(), "{prefix}{} twice", v.reference);
                    }
                    vcd::ScopeItem::Scope(s) => walk(&s.items, &format!("{prefix}{}.", s.identifier), ids),
                    _ => {}
                }
            }
        }
        walk(&header.items, "", &mut ids);
        let mut changes: HashMap<vcd::IdCode, Vec<(u64, String)>> = HashMap::new();
        let mut now = 0;
        for c in parser {
            match c.unwrap() {
                vcd::Command::Timestamp(t) => now = t,
                vcd::Command::ChangeScalar(id, v) => changes.entry(id).or_default().push((now, v.to_string())),
                vcd::Command::ChangeVector(id, v) => changes.entry(id).or_default().push((now, v.iter().map(|b| b.to_string()).collect())),
                _ => {}
            }
        }
        Vcd { ids, changes }
    }

    /// The value of `name` at `time`, as a number.
    fn at(&self, name: &str, time: u64) -> u64 {
        let id = self.ids.get(name).unwrap_or_else(|| panic!("{name} in the VCD"));
        let bits = self.changes[id].iter().take_while(|(t, _)| *t <= time).last().map(|(_, b)| b.clone()).unwrap();
        u64::from_str_radix(&bits, 2).unwrap_or_else(|_| panic!("{name} = {bits} at {time}"))
    }
}

#[test]
fn each_signal_is_traced_once() {
    let dir = tempfile::tempdir().unwrap();
    let vcd = Vcd::read(&demo(dir.path(), "--vcd", "demo.vcd"));
    let controller: Vec<&String> = vcd.ids.keys().filter(|n| n.starts_with("TOP.pmsnap_controller.")).collect();
    let scopes: std::collections::HashSet<String> = vcd.ids.keys().filter_map(|n| n.rsplit_once('.').map(|(s, _)| s.to_string())).collect();
    for n in &controller {
        let (scope, last) = n.rsplit_once('.').unwrap();
        // Registers once (their output, `x__q`): no `x__d`, no `x__clock`;
        // no parent copy of a child's ports (`host__req_valid` beside the
        // scope `host`); no enum constants (`SnapshotState__Idle`).
        assert!(!last.ends_with("__d") && !last.ends_with("__clock"), "{n} should not be traced");
        if let Some((child, _)) = last.split_once("__") {
            assert!(!scopes.contains(&format!("{scope}.{child}")), "{n} copies a port of {scope}.{child}");
        }
        assert!(!last.chars().next().unwrap().is_ascii_uppercase(), "{n} is a constant");
    }
    assert!(controller.iter().any(|n| n.ends_with("sequencer.snapshot.state__q")));
    assert!(controller.iter().any(|n| n.ends_with("host.req_valid")), "a block's ports in its own scope");
    // Each register scope is gone: a register is its parent's `x__q`.
    assert!(!controller.iter().any(|n| n.contains(".state.")), "register modules are not traced");
    assert!(vcd.ids.len() < 800, "{} signals", vcd.ids.len());
}

#[test]
fn the_save_file_groups_names_and_marks_the_demo() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo(dir.path(), "--vcd", "demo.vcd");
    let vcd = Vcd::read(&path);
    let saved = gtkw::read(&gtkw::save_path(&path)).expect("demo.gtkw beside demo.vcd");
    let groups: Vec<&str> = saved.groups.iter().map(|(g, _)| g.as_str()).collect();
    assert_eq!(groups, ["Host port", "Command and status", "Flush handshake", "NVM port", "Sequencer", "COW engine", "Allocator"]);
    for (_, signals) in &saved.groups {
        for (name, _) in signals {
            assert!(vcd.ids.contains_key(name), "{name} is in the waveform");
        }
    }
    let names = |signal: &str| saved.groups.iter().flat_map(|(_, s)| s).find(|(n, _)| n.ends_with(signal)).map(|(_, t)| t.clone()).unwrap();
    assert!(names(".cmd_op").contains(&(1, "SNAPSHOT".to_string())));
    assert!(names(".seq_phase").contains(&(2, "harden".to_string())));
    assert!(names(".sequencer.snapshot.state__q").iter().any(|(_, n)| n == "Flush"));
    assert!(names(".mem_req_addr").is_empty(), "buses without codes are hex");
    // Markers point at what they say: the CPU's command accepted at that
    // cycle (valid, ready, the op), the power loss where the trace has it.
    let period = saved.period.expect("the period is recorded");
    assert_eq!(period, 10_000);
    let labels: Vec<&str> = saved.markers.iter().map(|(_, l)| l.as_str()).collect();
    assert_eq!(labels, ["RECOVER", "FORMAT", "SNAPSHOT 1", "RESTORE", "SNAPSHOT 2", "power loss", "RECOVER"]);
    let c = "TOP.pmsnap_controller.";
    for (time, label) in &saved.markers {
        let op = match label.split(' ').next().unwrap() {
            "SNAPSHOT" => 1,
            "RESTORE" => 2,
            "RECOVER" => 3,
            "FORMAT" => 4,
            _ => continue,
        };
        let (valid, ready, got) = (vcd.at(&format!("{c}cmd_valid"), *time), vcd.at(&format!("{c}cmd_ready"), *time), vcd.at(&format!("{c}cmd_op"), *time));
        assert_eq!((valid, ready, got), (1, 1, op), "{label} at {time}");
    }
}

/// Values of one SVG: signal → [(from, to, value)].
fn svg_values(svg: &str) -> HashMap<String, Vec<(u64, u64, String)>> {
    let doc = roxmltree::Document::parse(svg).expect("the SVG is well-formed XML");
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    let mut out: HashMap<String, Vec<(u64, u64, String)>> = HashMap::new();
    for g in doc.descendants().filter(|n| n.attribute("class") == Some("value")) {
        let n = |a: &str| g.attribute(a).unwrap().to_string();
        out.entry(n("data-signal")).or_default().push((n("data-from").parse().unwrap(), n("data-to").parse().unwrap(), n("data-value")));
    }
    out
}

#[test]
fn pictures_hold_the_waveforms_values() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo(dir.path(), "--vcd", "demo.vcd");
    let vcd = Vcd::read(&path);
    let svg = dir.path().join("w.svg");
    let (from, to) = (780u64, 900u64);
    let out = pmsnap()
        .arg("wave")
        .arg(&path)
        .args(["--from", &from.to_string(), "--to", &to.to_string(), "--signals", "sequencer", "--signals", "nvm-port", "--signals", "cow.state__q", "--svg"])
        .arg(&svg)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let values = svg_values(&std::fs::read_to_string(&svg).unwrap());
    let c = "TOP.pmsnap_controller.";
    for s in ["seq_phase", "sequencer.snapshot.state__q", "mem_req_addr", "mem_req_valid", "cow.state__q"] {
        assert!(values.contains_key(&format!("{c}{s}")), "{s} drawn");
    }
    assert!(!values.contains_key(&format!("{c}req_valid")), "only what was asked for");
    // Every cycle of every hex signal equals the VCD's value at the
    // cycle's start; named ones name that value.
    for (signal, runs) in &values {
        assert_eq!(runs.first().unwrap().0, from);
        assert_eq!(runs.last().unwrap().1, to);
        for (a, b, value) in runs {
            for cycle in *a..*b {
                let want = vcd.at(signal, cycle * 10_000);
                if signal.ends_with("seq_phase") {
                    assert_eq!(value, ["idle", "flush", "harden", "commit", "reclaim", "restore", "recover", "format"][want as usize], "{signal} at {cycle}");
                } else if !signal.ends_with("state__q") {
                    assert_eq!(u64::from_str_radix(value, 16).unwrap(), want, "{signal} at {cycle}");
                }
            }
        }
    }
    // The SNAPSHOT the demo takes at 788 goes through every phase.
    let phases: Vec<&str> = values[&format!("{c}seq_phase")].iter().map(|(_, _, v)| v.as_str()).collect();
    assert_eq!(phases, ["idle", "flush", "harden", "commit", "reclaim", "idle"]);
}

#[test]
fn fst_holds_what_the_vcd_holds() {
    let dir = tempfile::tempdir().unwrap();
    let vcd = demo(dir.path(), "--vcd", "demo.vcd");
    let fst = demo(dir.path(), "--fst", "demo.fst");
    assert!(std::fs::metadata(&fst).unwrap().len() * 5 < std::fs::metadata(&vcd).unwrap().len(), "FST is much smaller");
    let draw = |wave: &Path, svg: &str| {
        let svg = dir.path().join(svg);
        let out = pmsnap().arg("wave").arg(wave).args(["--from", "1030", "--to", "1080", "--svg"]).arg(&svg).output().unwrap();
        assert!(out.status.success(), "{}", text(&out));
        svg_values(&std::fs::read_to_string(svg).unwrap())
    };
    let (a, b) = (draw(&vcd, "vcd.svg"), draw(&fst, "fst.svg"));
    assert!(a.len() > 40);
    assert_eq!(a, b, "the same values from VCD and FST");
}

#[test]
fn a_window_past_the_end_and_unreachable_power_losses_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let vcd = dir.path().join("late.vcd");
    let out = pmsnap().args(["cosim", "--pages", "4", "--page-words", "4", "--ops", "50", "--window", "900000:900100", "--vcd"]).arg(&vcd).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("--window 900000:900100: the run ended at cycle"), "{}", text(&out));
    assert!(!vcd.exists(), "no empty waveform left behind");
    for (at, why) in [("3", "before FORMAT completed"), ("900000", "the run ended at cycle")] {
        let out = pmsnap().args(["cosim", "--pages", "4", "--page-words", "4", "--ops", "50", "--crash-at", at]).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{}", text(&out));
        assert!(text(&out).contains(&format!("--crash-at: no power loss at {at} ({why}")), "{}", text(&out));
    }
}

#[test]
fn unwritable_outputs_are_refused_before_simulating() {
    for flag in ["--vcd", "--fst", "--reads-out", "--dump-final"] {
        let out = pmsnap().args(["cosim", "--ops", "10", flag, "/nonexistent-dir/x"]).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{flag}: {}", text(&out));
        let t = text(&out);
        assert!(t.contains(&format!("{flag} /nonexistent-dir/x: cannot write it: No such file or directory")), "{t}");
        assert!(!t.contains("Verilating"), "refused before any work: {t}");
    }
    let out = pmsnap().args(["cosim", "--ops", "10", "--vcd", "a.vcd", "--fst", "a.fst"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "one waveform a run");
}

#[test]
fn make_wave_without_a_display_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo(dir.path(), "--vcd", "demo.vcd");
    std::fs::write(dir.path().join("last-wave"), format!("{}\n", gtkw::save_path(&path).display())).unwrap();
    let out = std::process::Command::new("make")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["-s", "wave"])
        .arg(format!("BUILD={}", dir.path().display()))
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(text(&out).contains("no display"), "{}", text(&out));
}

/// GTKWave itself opens the save file with every signal and marker. Runs
/// where GTKWave and Xvfb are installed (CI installs them).
#[test]
fn gtkwave_opens_the_save_file() {
    let have = |tool: &str| std::process::Command::new("sh").args(["-c", &format!("command -v {tool}")]).output().is_ok_and(|o| o.status.success());
    if !(have("gtkwave") && have("xvfb-run")) {
        assert!(std::env::var_os("CI").is_none(), "CI must install gtkwave and xvfb");
        eprintln!("gtkwave or xvfb-run missing: skipped");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = demo(dir.path(), "--fst", "demo.fst");
    let save = gtkw::save_path(&path);
    let script = dir.path().join("probe.tcl");
    std::fs::write(&script, "puts \"SIGNALS [llength [gtkwave::getDisplayedSignals]]\"\nputs \"MARKER [gtkwave::getNamedMarker C]\"\ngtkwave::/File/Quit\n")
        .unwrap();
    let out = std::process::Command::new("xvfb-run").args(["-a", "gtkwave", "-S"]).arg(&script).arg(&save).output().unwrap();
    let t = text(&out);
    let saved = gtkw::read(&save).unwrap();
    let signals: usize = saved.groups.iter().map(|(_, s)| s.len()).sum();
    assert!(t.contains(&format!("SIGNALS {signals}")), "GTKWave shows every signal of the save file:\n{t}");
    let snapshot = saved.markers.iter().find(|(_, l)| l == "SNAPSHOT 1").unwrap().0;
    assert!(t.contains(&format!("MARKER {snapshot}")), "marker C is SNAPSHOT 1:\n{t}");
}

#[test]
fn a_window_works_in_fst_too() {
    let dir = tempfile::tempdir().unwrap();
    let fst = dir.path().join("w.fst");
    let out = pmsnap().args(["cosim", "--pages", "4", "--page-words", "4", "--ops", "300", "--window", "100:200", "--fst"]).arg(&fst).output().unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let d = pmsnap_wave::dump::Dump::open(&fst).unwrap();
    assert_eq!((d.period, d.cycles.0, d.cycles.1), (10_000, 100, 199), "cycles 100 … 199 at 10 ns");
}

#[test]
fn an_empty_trace_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let trace = dir.path().join("empty.trace");
    std::fs::write(&trace, "# nothing\n").unwrap();
    let out = pmsnap().args(["cosim", "--pages", "4", "--page-words", "4", "--workload"]).arg(&trace).output().unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("holds no operations: the run is RECOVER and FORMAT only"), "{}", text(&out));
}

/// `make help` names every target the Makefile declares.
#[test]
fn make_help_lists_every_target() {
    let makefile = std::fs::read_to_string(repo("Makefile")).unwrap();
    let phony = makefile.lines().find_map(|l| l.strip_prefix(".PHONY:")).expect("a .PHONY line");
    let out = std::process::Command::new("make").current_dir(env!("CARGO_MANIFEST_DIR")).args(["-s", "help"]).output().unwrap();
    let help = text(&out);
    for target in phony.split_whitespace().filter(|t| *t != "help") {
        assert!(help.contains(&format!("make {target} ")), "`make help` names {target}:\n{help}");
    }
}
