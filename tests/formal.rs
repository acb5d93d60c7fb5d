//! Formal proofs (formal/, docs/formal.md): the port protocols proved by
//! k-induction with SymbiYosys on small sizings of both lookup latencies,
//! and each proof shown able to fail — the controller with a known bug
//! patched into its Verilog gets a counterexample from the base case, and
//! the check that fails is the one about that bug.

mod common;

use common::pmsnap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The sizings the proofs run at: (pages, page words, frames, lookup latency).
/// F = 2L, 2L + 1 and L + 1 (frames scarce), both lookup latencies.
const SIZINGS: [(usize, usize, usize, usize); 4] = [(4, 4, 8, 1), (4, 4, 5, 1), (4, 4, 9, 2), (4, 4, 5, 2)];

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

/// Runs formal/prove.sh; its exit status and log.
fn prove(verilog: &Path, work: &Path, pages: usize, words: usize) -> (Option<i32>, String) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("formal/prove.sh");
    let out = Command::new("bash").arg(script).arg(verilog).arg(work).args([pages.to_string(), words.to_string()]).output().unwrap();
    (out.status.code(), String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr))
}

#[test]
fn the_port_protocols_are_proved_by_induction_on_both_variants() {
    let dir = tempfile::tempdir().unwrap();
    std::thread::scope(|s| {
        let runs: Vec<_> = SIZINGS
            .iter()
            .map(|&sizing| {
                let d = dir.path().join(format!("L{}-W{}-F{}-K{}", sizing.0, sizing.1, sizing.2, sizing.3));
                s.spawn(move || {
                    let verilog = generate(&d.join("rtl"), sizing);
                    (sizing, prove(&verilog, &d.join("sby"), sizing.0, sizing.1))
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
    let verilog = std::fs::read_to_string(generate(&dir.path().join("rtl"), SIZINGS[0])).unwrap();
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
        let (status, log) = prove(&file, &d.join("sby"), 4, 4);
        assert_eq!(status, Some(2), "{bug}: expected FAIL\n{log}");
        // The checks that failed at the base case's counterexample step.
        let failed: Vec<&str> = log.lines().filter(|l| l.contains("basecase") && l.contains("Assert failed")).collect();
        assert!(failed.iter().any(|l| l.ends_with(&format!("pmsnap_formal: {check}"))), "{bug}: expected {check} among the failures: {failed:#?}\n{log}");
        let trace = d.join("sby/pmsnap_prove/engine_0/trace.vcd");
        assert!(std::fs::metadata(&trace).map(|m| m.len() > 0).unwrap_or(false), "{bug}: counterexample {}", trace.display());
    }
}
