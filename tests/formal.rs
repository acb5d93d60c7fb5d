//! Formal proofs (formal/, docs/formal.md): the port protocols and I1 for
//! the metadata proved by k-induction with SymbiYosys on small sizings of
//! both lookup latencies, and each proof shown able to fail — the
//! controller with a known bug patched into its Verilog gets a
//! counterexample (from the base case; I1's from a mounted start state,
//! which reset's 8 cycles do not reach), and the check that fails is the
//! one about that bug. And the covers: each reached from its start state,
//! its trace kept with a save file whose every signal is in the trace.

mod common;

use common::pmsnap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The sizings the proofs run at (formal/proofs.txt, as `make formal` reads
/// it): (pages, page words, frames, lookup latency).
fn sizings() -> Vec<(usize, usize, usize, usize)> {
    let list: Vec<_> = rows("proofs.txt", 5)
        .iter()
        .map(|w| {
            assert!(["ci", "long"].contains(&w[4].as_str()), "formal/proofs.txt: frames ci or long: {w:?}");
            let n: Vec<usize> = w[..4].iter().map(|x| x.parse().unwrap_or_else(|_| panic!("formal/proofs.txt: {w:?}"))).collect();
            (n[0], n[1], n[2], n[3])
        })
        .collect();
    assert!([1, 2].iter().all(|k| list.iter().any(|s| s.3 == *k)), "formal/proofs.txt proves both lookup latencies: {list:?}");
    list
}

/// The rows of a list in formal/ (`#` comments and blank lines skipped),
/// each `columns` words.
fn rows(file: &str, columns: usize) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("formal").join(file)).unwrap();
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let w: Vec<String> = l.split_whitespace().map(String::from).collect();
            assert_eq!(w.len(), columns, "formal/{file}: {l}");
            w
        })
        .collect()
}

fn generate(dir: &Path, (pages, words, frames, latency): (usize, usize, usize, usize)) -> PathBuf {
    let out = pmsnap()
        .args(["generate", "--out"])
        .arg(dir)
        .args(["--pages", &pages.to_string(), "--page-words", &words.to_string(), "--frames", &frames.to_string()])
        .args(["--lookup-latency", &latency.to_string()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    dir.join("pmsnap_controller.v")
}

/// Runs formal/prove.sh's `task` (prove or frames) on the Verilog of a
/// sizing; its exit status and log.
fn prove(verilog: &Path, work: &Path, (pages, words, frames, latency): (usize, usize, usize, usize), task: &str) -> (Option<i32>, String) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("formal/prove.sh");
    let sizing = [pages, words, frames, latency].map(|n| n.to_string());
    let out = Command::new("bash").arg(script).arg(verilog).arg(work).args(sizing).arg(task).output().unwrap();
    (out.status.code(), String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr))
}

/// formal/cover.sh for one cover (or, with PMSNAP_FORMAL_TASK=check, the
/// assertions) from a start trace in formal/start/, at a sizing and depth.
fn cover_sh(name: &str, start: &str, work: &Path, sizing: &[String], depth: &str) -> Command {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut command = Command::new("bash");
    command.arg(root.join("formal/cover.sh")).arg(name).arg(root.join("formal/start").join(start)).arg(work).args(sizing).arg(depth);
    command.env("PMSNAP", env!("CARGO_BIN_EXE_pmsnap"));
    command
}

#[test]
fn the_port_protocols_are_proved_by_induction_on_both_variants() {
    let dir = tempfile::tempdir().unwrap();
    std::thread::scope(|s| {
        let runs: Vec<_> = sizings()
            .into_iter()
            .map(|sizing| {
                let d = dir.path().join(format!("L{}-W{}-F{}-K{}", sizing.0, sizing.1, sizing.2, sizing.3));
                s.spawn(move || {
                    let verilog = generate(&d.join("rtl"), sizing);
                    (sizing, prove(&verilog, &d.join("sby"), sizing, "prove"))
                })
            })
            .collect();
        for run in runs {
            let (sizing, (status, log)) = run.join().unwrap();
            assert_eq!(status, Some(0), "{sizing:?} not proved:\n{log}");
            assert!(log.contains("successful proof by k-induction"), "{sizing:?}:\n{log}");
        }
    });
}

/// I1 for the frames (formal/no_overwrite_frames.v) with the invariants of
/// formal/invariants/frames.v, every property of the prove task among them,
/// proved by k-induction (formal/prove.sh's `frames` task) at each sizing
/// of formal/proofs.txt its `frames` column runs in the test suite (`ci`),
/// or at all of them with PMSNAP_FORMAL_LONG set.
#[test]
fn i1_for_the_frames_is_proved_by_induction_on_both_variants() {
    let dir = tempfile::tempdir().unwrap();
    let long = std::env::var_os("PMSNAP_FORMAL_LONG").is_some();
    let list: Vec<_> = rows("proofs.txt", 5).into_iter().zip(sizings()).filter(|(w, _)| long || w[4] == "ci").map(|(_, s)| s).collect();
    assert!([1, 2].iter().all(|k| list.iter().any(|s| s.3 == *k)), "the test suite proves I1 for the frames at both lookup latencies: {list:?}");
    let results = two_at_a_time(&list, |&sizing| {
        let d = dir.path().join(format!("L{}-W{}-F{}-K{}", sizing.0, sizing.1, sizing.2, sizing.3));
        let verilog = generate(&d.join("rtl"), sizing);
        prove(&verilog, &d.join("sby"), sizing, "frames")
    });
    for (sizing, (status, log)) in list.iter().zip(results) {
        assert_eq!(status, Some(0), "{sizing:?}: I1 for the frames not proved:\n{log}");
        assert!(log.contains("successful proof by k-induction"), "{sizing:?}:\n{log}");
    }
}

/// The checks an induction step failed, by name: a named assertion's name
/// (`frames.i1.committed_frame_kept`), or for one of invariants/frames.v's
/// (asserted in loops, where Verilog allows no labels) the name its line's
/// comment gives.
fn induction_failures(log: &str) -> Vec<String> {
    let frames_v = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("formal/invariants/frames.v")).unwrap();
    let lines: Vec<&str> = frames_v.lines().collect();
    log.lines()
        .filter(|l| l.contains("induction") && l.contains("Assert failed in pmsnap_formal: "))
        .map(|l| {
            let what = l.split("Assert failed in pmsnap_formal: ").nth(1).unwrap();
            let Some(at) = what.strip_prefix("frames.v:") else { return what.to_string() };
            let line: usize = at.split('.').next().and_then(|n| n.parse().ok()).unwrap_or_else(|| panic!("a line number: {what}"));
            // The assertion may span lines; its name closes the last.
            let name = lines[line - 1..].iter().find_map(|l| l.split("); // ").nth(1)).unwrap_or_else(|| panic!("frames.v:{line} has a name"));
            format!("frames_proof.account.{}", name.trim())
        })
        .collect()
}

/// The frames proof (I1 for the frames, RESTORE's effect) can fail: on the
/// controller with a known bug its
/// induction step fails (exit 4, "not proved": the base case, 2 cycles
/// from reset, reaches no mounted device) at the check about that bug.
/// That the first three also break I1 from a reachable state is
/// bounded_checks_fail_on_the_bug_they_are_about's; RECOVER's two break
/// it only after a mount, a write and a SNAPSHOT (over 100 cycles), too
/// deep for BMC, so their failure here is the evidence.
#[test]
fn the_frames_proof_fails_on_the_bug_it_is_about() {
    let dir = tempfile::tempdir().unwrap();
    let sizing = (4, 4, 5, 1);
    let verilog = std::fs::read_to_string(generate(&dir.path().join("rtl"), sizing)).unwrap();
    // (what the bug is, the patch, the checks of which one must fail)
    let bugs = [
        (
            "a write to a committed page goes in place, without a COW fault",
            patch(&verilog, "pmsnap_controller__host", "else if (view_nvm) begin", "else if (view_nvm | (write__q & committed_mapped)) begin"),
            &["frames.i1.committed_frame_kept"][..],
        ),
        (
            "the allocator's rollback starts one slot early",
            patch(&verilog, "pmsnap_controller__allocator", "head_next = snap_head__q;", "head_next = snap_head__q == 0 ? last : snap_head__q - 1;"),
            &["frames_proof.account.popped_count", "frames_proof.account.tail_after_live", "frames_proof.account.accounting"][..],
        ),
        (
            "RESTORE keeps the epoch: the working entries stay current",
            patch(&verilog, "pmsnap_controller__sequencer__restore", "next_epoch = 1'b1;", ""),
            &["from_start.restore.reads_committed"][..],
        ),
        (
            "RECOVER's final count is off by one: it mounts a table with two entries naming one frame",
            patch(
                &verilog,
                "pmsnap_controller__sequencer__recover",
                "else if (corrupt__q | ~all_accounted__q) begin",
                "else if (corrupt__q | ~(all_accounted__q | &unaccounted__q)) begin",
            ),
            &["frames_proof.account.committed_once", "frames_proof.account.accounting"][..],
        ),
        (
            "RECOVER leaves the working table as it was: its entries may be current after the mount",
            patch(&verilog, "pmsnap_controller__sequencer__recover", "table_update__wt_clear = 1'b1;", ""),
            &["frames_proof.account.load_wt_cleared", "frames_proof.account.owned_popped", "frames_proof.account.owned_not_committed"][..],
        ),
    ];
    let numbered: Vec<_> = bugs.iter().enumerate().collect();
    let results = two_at_a_time(&numbered, |(k, (_, patched, _))| {
        let d = dir.path().join(format!("bug{k}"));
        std::fs::create_dir_all(&d).unwrap();
        let file = d.join("pmsnap_controller.v");
        std::fs::write(&file, patched).unwrap();
        prove(&file, &d.join("sby"), sizing, "frames")
    });
    for ((bug, _, checks), (status, log)) in bugs.iter().zip(results) {
        assert_eq!(status, Some(4), "{bug}: expected the induction step to fail\n{log}");
        let failed = induction_failures(&log);
        assert!(failed.iter().any(|f| checks.contains(&f.as_str())), "{bug}: expected one of {checks:?} among {failed:?}\n{log}");
    }
}

/// Replaces `old` by `new` once, inside Verilog module `module` only.
fn patch(verilog: &str, module: &str, old: &str, new: &str) -> String {
    let start = verilog.find(&format!("module {module}(")).unwrap_or_else(|| panic!("module {module} in the Verilog"));
    let end = start + verilog[start..].find("endmodule").unwrap();
    let body = &verilog[start..end];
    assert_eq!(body.matches(old).count(), 1, "the line to patch, once in {module}: {old}");
    format!("{}{}{}", &verilog[..start], body.replacen(old, new, 1), &verilog[end..])
}

#[test]
fn each_proof_fails_with_a_counterexample_on_the_bug_it_is_about() {
    let dir = tempfile::tempdir().unwrap();
    let verilog = std::fs::read_to_string(generate(&dir.path().join("rtl"), (4, 4, 8, 1))).unwrap();
    // (what the bug is, the patch, the check that must fail)
    let bugs = [
        (
            // The probe's bug class: a held NVM request that changes.
            "RECOVER moves to the next commit-slot word without waiting for the NVM to take the one it offers",
            patch(
                &verilog,
                "pmsnap_controller__sequencer__recover",
                "nvm__req_addr = index__q;\n                        if (nvm__req_ready) begin",
                "nvm__req_addr = index__q;\n                        if (1'b1) begin",
            ),
            "nvm.request_held",
        ),
        (
            "the host port answers an error response but keeps the request, answering it again",
            patch(
                &verilog,
                "pmsnap_controller__host",
                "if (view_error) begin\n                            if (nvm_idle) begin\n                                rsp_valid = 1'b1;\n                                rsp_err = 1'b1;\n                                error = 1'b1;\n                                complete = 1'b1;",
                "if (view_error) begin\n                            if (nvm_idle) begin\n                                rsp_valid = 1'b1;\n                                rsp_err = 1'b1;\n                                error = 1'b1;",
            ),
            "host.response_to_a_request",
        ),
        (
            "the command front stays in Done, pulsing cmd_done again",
            patch(
                &verilog,
                "pmsnap_controller__sequencer__front",
                "error = status__q != status_ok;\n                    state__d = FrontState__Idle;",
                "error = status__q != status_ok;",
            ),
            "controller.command_count",
        ),
    ];
    for (k, (bug, patched, check)) in bugs.iter().enumerate() {
        let d = dir.path().join(format!("bug{k}"));
        std::fs::create_dir_all(&d).unwrap();
        let file = d.join("pmsnap_controller.v");
        std::fs::write(&file, patched).unwrap();
        let (status, log) = prove(&file, &d.join("sby"), (4, 4, 8, 1), "prove");
        assert_eq!(status, Some(2), "{bug}: expected FAIL\n{log}");
        // The checks that failed at the base case's counterexample step.
        let failed: Vec<&str> = log.lines().filter(|l| l.contains("basecase") && l.contains("Assert failed")).collect();
        assert!(failed.iter().any(|l| l.ends_with(&format!("pmsnap_formal: {check}"))), "{bug}: expected {check} among the failures: {failed:#?}\n{log}");
        let trace = d.join("sby/pmsnap_prove/engine_0/trace.vcd");
        assert!(std::fs::metadata(&trace).map(|m| m.len() > 0).unwrap_or(false), "{bug}: counterexample {}", trace.display());
    }
}

/// I1 (formal/no_overwrite.v) holds only while a device is mounted, which
/// the base case's 8 cycles from reset do not reach, and the host port's
/// order (formal/host_order.v) needs an NVM read in flight, which needs a
/// mounted device too; so each bug runs from a mounted state
/// (formal/cover.sh's start state, `check` task: every assertion over 16
/// cycles of BMC, every input free), and must fail there with a trace,
/// naming the check it is about.
#[test]
fn i1_and_order_fail_with_a_counterexample_from_a_mounted_state() {
    let dir = tempfile::tempdir().unwrap();
    let verilog = std::fs::read_to_string(generate(&dir.path().join("rtl"), (4, 4, 8, 1))).unwrap();
    let bugs = [
        (
            "SNAPSHOT retires the committed record's slot instead of the one it is about to write",
            patch(&verilog, "pmsnap_controller__sequencer__snapshot", "nvm__req_addr = new_slot_base;", "nvm__req_addr = current_slot_base;"),
            "i1.committed_slot_kept",
        ),
        (
            "SNAPSHOT hardens into the committed table instead of the inactive one",
            patch(
                &verilog,
                "pmsnap_controller__sequencer__snapshot",
                "nvm__req_addr = gather__req_addr;",
                "nvm__req_addr = table_a_base + ((page_d__q & page_mask) & 32'hffffffff);",
            ),
            "i1.committed_table_kept",
        ),
        (
            "an error answer does not wait for the NVM reads ahead of it: it overtakes them",
            patch(
                &verilog,
                "pmsnap_controller__host",
                "if (view_error) begin\n                            if (nvm_idle) begin",
                "if (view_error) begin\n                            if (1'b1) begin",
            ),
            "host_order.order_no_error",
        ),
    ];
    for (k, (bug, patched, check)) in bugs.iter().enumerate() {
        let file = dir.path().join(format!("bug{k}.v"));
        std::fs::write(&file, patched).unwrap();
        let work = dir.path().join(format!("check{k}"));
        let out = cover_sh("snapshot", "one-write.trace", &work, &["4", "4", "8", "1"].map(String::from), "16")
            .env("PMSNAP_FORMAL_TASK", "check")
            .env("PMSNAP_FORMAL_VERILOG", &file)
            .output()
            .unwrap();
        let log = std::fs::read_to_string(work.join("cover.log")).unwrap_or_default();
        assert_eq!(out.status.code(), Some(2), "{bug}: expected FAIL\n{}\n{log}", String::from_utf8_lossy(&out.stderr));
        assert!(log.lines().any(|l| l.ends_with(&format!("Assert failed in pmsnap_formal: {check}"))), "{bug}: expected {check} to fail\n{log}");
        assert!(std::fs::metadata(work.join("snapshot.vcd")).map(|m| m.len() > 0).unwrap_or(false), "{bug}: counterexample trace");
    }
}

/// Runs `job` on every item, two at a time (this machine's cores); the
/// results in the items' order.
fn two_at_a_time<T: Sync, R: Send>(items: &[T], job: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(item) = items.get(i) else { break };
                let result = job(item);
                results.lock().unwrap().push((i, result));
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

/// One line of formal/covers.txt.
struct Cover {
    name: String,
    start: String,
    sizing: [String; 4],
    depth: String,
    /// Too deep for the test suite's budget unless PMSNAP_FORMAL_LONG is set.
    long: bool,
}

fn covers() -> Vec<Cover> {
    rows("covers.txt", 8)
        .into_iter()
        .map(|w| {
            assert!(["ci", "long"].contains(&w[7].as_str()), "formal/covers.txt: ci or long: {w:?}");
            Cover { name: w[0].clone(), start: w[1].clone(), sizing: [2, 3, 4, 5].map(|i| w[i].clone()), depth: w[6].clone(), long: w[7] == "long" }
        })
        .collect()
}

/// The full names of a VCD's variables (scope.scope.name).
fn vcd_names(path: &Path) -> std::collections::HashSet<String> {
    let mut parser = vcd::Parser::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    let header = parser.parse_header().unwrap();
    let mut names = std::collections::HashSet::new();
    fn walk(items: &[vcd::ScopeItem], prefix: &str, names: &mut std::collections::HashSet<String>) {
        for item in items {
            match item {
                vcd::ScopeItem::Scope(s) => walk(&s.items, &format!("{prefix}{}.", s.identifier), names),
                vcd::ScopeItem::Var(v) => {
                    names.insert(format!("{prefix}{}", v.reference));
                }
                _ => {}
            }
        }
    }
    walk(&header.items, "", &mut names);
    names
}

#[test]
fn every_cover_is_reached_and_its_trace_has_every_signal_of_its_save_file() {
    let dir = tempfile::tempdir().unwrap();
    let all = covers();
    assert!(all.len() >= 5, "the five covers docs/formal.md lists");
    for k in ["1", "2"] {
        assert!(all.iter().any(|c| c.sizing[3] == k), "covers at lookup latency {k}");
    }
    let long = std::env::var_os("PMSNAP_FORMAL_LONG").is_some();
    let list: Vec<&Cover> = all.iter().filter(|c| long || !c.long).collect();
    let results = two_at_a_time(&list, |c| {
        // A cover runs at both lookup latencies: one folder for each.
        let work = dir.path().join(format!("{}-K{}", c.name, c.sizing[3]));
        let out = cover_sh(&c.name, &c.start, &work, &c.sizing, &c.depth).output().unwrap();
        (format!("{} at lookup latency {}", c.name, c.sizing[3]), &c.name, work, out)
    });
    for (name, cover, work, out) in results {
        let log = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "cover {name} not reached:\n{log}");
        let vcd = work.join(format!("{cover}.vcd"));
        let names = vcd_names(&vcd);
        let save = std::fs::read_to_string(work.join(format!("{cover}.gtkw"))).unwrap();
        let signals: Vec<&str> = save.lines().filter(|l| l.starts_with("pmsnap_formal.")).collect();
        assert!(signals.len() > 40, "{name}: the save file's groups");
        for signal in signals {
            let base = signal.split('[').next().unwrap();
            assert!(names.contains(base), "{name}: {signal} of the save file is not in {}", vcd.display());
        }
    }
}

/// One line of formal/checks.txt: name, task, where it runs.
struct Check {
    name: String,
    task: String,
    long: bool,
}

fn checks() -> Vec<Check> {
    rows("checks.txt", 15)
        .into_iter()
        .map(|w| {
            assert!(["check", "live"].contains(&w[1].as_str()), "formal/checks.txt: check or live: {w:?}");
            assert!(["ci", "long"].contains(&w[14].as_str()), "formal/checks.txt: ci or long: {w:?}");
            Check { name: w[0].clone(), task: w[1].clone(), long: w[14] == "long" }
        })
        .collect()
}

/// formal/checks.sh for one row of formal/checks.txt.
fn checks_sh(name: &str, work: &Path) -> Command {
    let mut command = Command::new("bash");
    command.arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("formal/checks.sh")).arg(name).arg(work);
    command.env("PMSNAP", env!("CARGO_BIN_EXE_pmsnap"));
    command
}

/// RESTORE's effect holds over every input sequence of the row's depth from
/// its start state, and each liveness row's longest wait is exact: reached
/// (its trace kept) and never exceeded.
#[test]
fn bounded_checks_hold_and_each_longest_wait_is_reached_and_never_exceeded() {
    let dir = tempfile::tempdir().unwrap();
    let all = checks();
    assert!(all.iter().any(|c| c.task == "check") && all.iter().any(|c| c.task == "live"), "RESTORE's effect and liveness");
    let long = std::env::var_os("PMSNAP_FORMAL_LONG").is_some();
    let list: Vec<&Check> = all.iter().filter(|c| long || !c.long).collect();
    let results = two_at_a_time(&list, |c| (*c, checks_sh(&c.name, &dir.path().join(&c.name)).output().unwrap()));
    for (c, out) in results {
        let said = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{}: {said}\n{}", c.name, String::from_utf8_lossy(&out.stderr));
        if c.task == "live" {
            let trace = dir.path().join(&c.name).join("reached").join(format!("{}.vcd", c.name));
            assert!(std::fs::metadata(&trace).map(|m| m.len() > 0).unwrap_or(false), "{}: the longest wait's trace {}", c.name, trace.display());
        }
    }
}

/// The bounded checks can fail: each row, run on the controller with a
/// known bug, reports the check about that bug.
#[test]
fn bounded_checks_fail_on_the_bug_they_are_about() {
    let dir = tempfile::tempdir().unwrap();
    // The Verilog of each row's sizing: checks.txt's after-writes runs at
    // F = 8, after-snapshot and host-answers at F = 5.
    let verilog = |frames| std::fs::read_to_string(generate(&dir.path().join(format!("rtl{frames}")), (4, 4, frames, 1))).unwrap();
    let (f8, f5) = (verilog(8), verilog(5));
    let restore = "pmsnap_controller__sequencer__restore";
    // (what the bug is, the patch, the row of checks.txt, what it must say)
    let bugs = [
        (
            "RESTORE keeps the epoch: the working entries stay current",
            patch(&f8, restore, "next_epoch = 1'b1;", ""),
            "after-writes",
            "an assertion fails: from_start.restore.reads_committed",
        ),
        (
            "RESTORE does not roll the allocator back: the frames popped since the snapshot stay out",
            patch(&f8, restore, "alloc__rollback = 1'b1;", ""),
            "after-writes",
            "an assertion fails: from_start.restore.free_count",
        ),
        (
            // Off the start trace's path: its writes all come before its
            // SNAPSHOT, when no page is committed yet.
            "a write to a committed page goes in place, without a COW fault",
            patch(&f5, "pmsnap_controller__host", "else if (view_nvm) begin", "else if (view_nvm | (write__q & committed_mapped)) begin"),
            "after-snapshot",
            "an assertion fails: frames.i1.committed_frame_kept",
        ),
        (
            "the allocator's rollback starts one slot early: the next pop hands out a frame the committed table references",
            patch(&f5, "pmsnap_controller__allocator", "head_next = snap_head__q;", "head_next = snap_head__q == 0 ? last : snap_head__q - 1;"),
            "after-snapshot",
            "an assertion fails: frames.i1.committed_frame_kept",
        ),
        (
            // A bug off the start trace's path (the replay must match it):
            // the start state holds the fallback's frame, no write took it yet.
            "the fallback release never offers its write: a write that needs the fallback's frame is never answered",
            patch(
                &f5,
                "pmsnap_controller__fallback",
                "nvm__req_valid = 1'b1;\n                    if (nvm__req_ready) begin",
                "nvm__req_valid = 1'b0;\n                    if (1'b0) begin",
            ),
            "host-answers",
            "a wait longer than 31 cycles: bounded.live.host_answered",
        ),
    ];
    let numbered: Vec<_> = bugs.iter().enumerate().collect();
    let results = two_at_a_time(&numbered, |(k, (_, patched, row, _))| {
        let file = dir.path().join(format!("bug{k}.v"));
        std::fs::write(&file, patched).unwrap();
        checks_sh(row, &dir.path().join(format!("bug{k}"))).env("PMSNAP_FORMAL_VERILOG", &file).output().unwrap()
    });
    for ((bug, _, row, says), out) in bugs.iter().zip(results) {
        let said = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(1), "{bug}: expected {row} to fail\n{said}\n{}", String::from_utf8_lossy(&out.stderr));
        assert!(said.contains(says), "{bug}: expected \"{says}\", got: {said}");
    }
}
