//! The `pmsnap` command line: trace files, output files, waveforms, and
//! the exit statuses of contract §6.

mod common;

use common::pmsnap;
use std::path::Path;
use std::process::{Command, Output};

fn repo(path: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn demo_trace_reads_out_and_final_image() {
    let dir = tempfile::tempdir().unwrap();
    let reads = dir.path().join("reads.txt");
    let image = dir.path().join("final.txt");
    let out = pmsnap()
        .arg("cosim")
        .arg("--workload")
        .arg(repo("workloads/demo.trace"))
        .arg("--reads-out")
        .arg(&reads)
        .arg("--dump-final")
        .arg(&image)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("PASS"), "{stdout}");
    let reads = std::fs::read_to_string(&reads).unwrap();
    // One line per R of the trace, in order (see the comments in the trace).
    assert_eq!(
        reads.lines().collect::<Vec<_>>(),
        ["cafe0000", "beef0040", "0", "dead0000", "12345678", "cafe0000", "0", "badf00d", "ERR", "cafe1111", "cafe0000"]
    );
    let image: Vec<String> = std::fs::read_to_string(&image).unwrap().lines().map(String::from).collect();
    assert_eq!(image.len(), 256 * 64, "every logical word");
    let word = |a: usize| image[a].as_str();
    assert_eq!((word(0), word(1), word(0x40), word(0x140), word(0x200), word(2)), ("cafe0000", "cafe1111", "beef0040", "badf00d", "0", "0"));
}

#[test]
fn a_lost_write_is_exit_status_1_never_a_pass() {
    // The repro: every word written, saved, rewritten, saved, at
    // F = L + 1 behind a cache: the rewrites' write-backs find no frame.
    let dir = tempfile::tempdir().unwrap();
    let trace = dir.path().join("t.trace");
    let mut t = String::new();
    for round in [1u64, 0x100] {
        t += &(0..16u64).map(|a| format!("W {a:x} {:x}\n", a + round)).collect::<String>();
        t += "S\n";
    }
    std::fs::write(&trace, &t).unwrap();
    let run = |frames: &str, cache: &str| {
        pmsnap().args(["cosim", "--pages", "4", "--page-words", "4", "--frames", frames, "--cache-lines", cache, "--workload"]).arg(&trace).output().unwrap()
    };
    let out = run("5", "64");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("data loss: the controller refused the write-back of ") && err.contains("at cycle") && err.contains("no free frame"), "{err}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("FAIL"));
    // Without a cache the refusals are the writes' own answers: legal, counted.
    let out = run("5", "0");
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("no free frame") && !text.contains(" 0 no free frame"), "{text}");
    // F = 2L: nothing refused, nothing lost.
    let out = run("8", "64");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("refused            0 out of range, 0 no free frame, 0 no device mounted"));
}

#[test]
fn dump_final_includes_the_dirty_cache() {
    // At the end of a trace the host's cache is part of the working image.
    let dir = tempfile::tempdir().unwrap();
    let trace = dir.path().join("t.trace");
    std::fs::write(&trace, "W 3 abc\nW 11 def\n").unwrap();
    let image = dir.path().join("final.txt");
    let out = pmsnap()
        .args(["cosim", "--pages", "4", "--page-words", "4", "--cache-lines", "8", "--workload"])
        .arg(&trace)
        .arg("--dump-final")
        .arg(&image)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let image = std::fs::read_to_string(&image).unwrap();
    let words: Vec<&str> = image.lines().collect();
    assert_eq!(words.len(), 16);
    assert_eq!((words[3], words[0x11 % 16]), ("abc", "0"));
}

fn bad_trace(text: &str) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    let trace = dir.path().join("bad.trace");
    std::fs::write(&trace, text).unwrap();
    let reads = dir.path().join("reads.txt");
    std::fs::write(&reads, "keep me\n").unwrap();
    let out = pmsnap().args(["cosim", "--workload"]).arg(&trace).arg("--reads-out").arg(&reads).output().unwrap();
    assert_eq!(std::fs::read_to_string(&reads).unwrap(), "keep me\n", "bad input loses nothing");
    (out.status.code().unwrap_or(-1), stderr(&out))
}

#[test]
fn malformed_traces_exit_2_naming_file_and_line() {
    for (text, line, needle) in [
        ("W 0 1\nR 0\nQ 5\n", 3, "unknown operation `Q`"),
        ("# c\n\nW 0\n", 3, "takes 2 operand(s)"),
        ("R 0\nR xyz\n", 2, "not a hex number"),
        ("W 0 123456789\n", 1, "does not fit in 32 bits"),
        ("S extra\n", 1, "takes 0 operand(s)"),
    ] {
        let (code, err) = bad_trace(text);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains(&format!("bad.trace:{line}: ")), "names file and line: {err}");
        assert!(err.contains(needle), "{err}");
    }
}

#[test]
fn bad_flags_exit_2_naming_the_parameter() {
    for (args, needle) in [
        (vec!["cosim", "--pages", "3"], "--pages"),
        (vec!["cosim", "--frames", "10"], "--frames"),
        (vec!["cosim", "--word-bits", "16"], "--word-bits"),
        (vec!["generate", "--out", "/tmp/x", "--page-words", "2048"], "--page-words"),
        (vec!["cosim", "--vcd", "/tmp/x.vcd", "--window", "9:3"], "--window"),
        (vec!["cosim", "--workload", "/nonexistent/trace"], "/nonexistent/trace"),
    ] {
        let out = pmsnap().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(needle), "{args:?}: {}", stderr(&out));
    }
    let out = pmsnap().args(["cosim", "--workload", "x", "--ops", "5"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "--workload and --ops conflict");
}

#[test]
fn generate_writes_verilog_waivers_and_translate_filters() {
    let dir = tempfile::tempdir().unwrap();
    let out = pmsnap().args(["generate", "--pages", "8", "--page-words", "4", "--out"]).arg(dir.path().join("rtl")).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let v = std::fs::read_to_string(dir.path().join("rtl/pmsnap_controller.v")).unwrap();
    assert!(v.contains("module pmsnap_controller(clock,reset,"));
    assert!(v.contains("pages (L) = 8, page-words (W) = 4, frames (F) = 16"));
    assert!(dir.path().join("rtl/verilator.vlt").exists());
    let phases = std::fs::read_to_string(dir.path().join("rtl/gtkwave/seq_phase.txt")).unwrap();
    assert!(phases.lines().any(|l| l == "6 recover"), "{phases}");
    let ops = std::fs::read_to_string(dir.path().join("rtl/gtkwave/cmd_op.txt")).unwrap();
    assert!(ops.lines().any(|l| l == "1 SNAPSHOT"), "{ops}");
}

#[test]
fn help_explains_every_subcommand() {
    for sub in ["generate", "cosim"] {
        let out = pmsnap().args([sub, "--help"]).output().unwrap();
        assert!(out.status.success());
        let text = String::from_utf8_lossy(&out.stdout);
        for flag in ["--pages", "--page-words", "--frames", "--word-bits"] {
            assert!(text.contains(flag), "{sub} --help lists {flag}");
        }
    }
    let out = pmsnap().arg("--help").output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("Exit status"));
    // The timing ranges the help names are the ones drawn from.
    use pmsnap_cosim::nvm::TimingSpec;
    let (r, w, p) = (TimingSpec::READ_LATENCY, TimingSpec::WRITE_LATENCY, TimingSpec::READY_PERCENT);
    for sub in ["cosim", "crash"] {
        let out = pmsnap().args([sub, "--help"]).output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout).split_whitespace().collect::<Vec<_>>().join(" ");
        for range in [format!("drawn from {}..={}", r.0, r.1), format!("drawn from {}..={}", w.0, w.1), format!("drawn from {}..={}", p.0, p.1)] {
            assert!(text.contains(&range), "{sub} --help says {range}: {text}");
        }
    }
}

fn vcd_signals_and_times(path: &Path) -> (Vec<String>, Vec<u64>) {
    let file = std::io::BufReader::new(std::fs::File::open(path).unwrap());
    let mut parser = vcd::Parser::new(file);
    let header = parser.parse_header().expect("VCD header parses");
    let mut names = Vec::new();
    fn walk(items: &[vcd::ScopeItem], prefix: &str, names: &mut Vec<String>) {
        for item in items {
            match item {
                vcd::ScopeItem::Var(v) => names.push(format!("{prefix}{}", v.reference)),
                vcd::ScopeItem::Scope(s) => walk(&s.items, &format!("{prefix}{}.", s.identifier), names),
                _ => {}
            }
        }
    }
    walk(&header.items, "", &mut names);
    let mut times = Vec::new();
    for command in parser {
        if let vcd::Command::Timestamp(t) = command.expect("VCD body parses") {
            times.push(t);
        }
    }
    (names, times)
}

#[test]
fn vcd_has_readable_signal_names_and_honours_the_window() {
    let dir = tempfile::tempdir().unwrap();
    let full = dir.path().join("full.vcd");
    let out = pmsnap().args(["cosim", "--pages", "4", "--page-words", "4", "--ops", "300", "--vcd"]).arg(&full).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let (names, times) = vcd_signals_and_times(&full);
    for wanted in [
        "TOP.clock",
        "TOP.req_valid",
        "TOP.rsp_rdata",
        "TOP.cmd_op",
        "TOP.flush_req",
        "TOP.flush_ack",
        "TOP.mem_req_addr",
        "TOP.pmsnap_controller.host.lookup_page",
        "TOP.pmsnap_controller.sequencer.front.state__q",
        "TOP.pmsnap_controller.sequencer.snapshot.state__q",
        "TOP.pmsnap_controller.cow.nvm__req_valid",
    ] {
        assert!(names.iter().any(|n| n == wanted), "signal {wanted} in the VCD (have e.g. {:?})", &names[..10.min(names.len())]);
    }
    assert_eq!(times.first(), Some(&0));
    let windowed = dir.path().join("window.vcd");
    let out = pmsnap().args(["cosim", "--pages", "4", "--page-words", "4", "--ops", "300", "--window", "100:200", "--vcd"]).arg(&windowed).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let (_, times) = vcd_signals_and_times(&windowed);
    // Two dumps a cycle (clock low, clock high) at 10 ns (10 000 ps) a cycle.
    assert_eq!(times.first(), Some(&1_000_000));
    assert_eq!(times.last(), Some(&1_995_000));
    assert_eq!(times.len(), 200);
}

/// The board workload fits the smallest board top and reads what its
/// comments say, at that board's sizing and at the largest board's.
#[test]
fn the_board_workload_fits_every_board() {
    let want = ["cafe0000", "beef0010", "0", "dead0000", "12345678", "cafe0000", "0", "badf00d", "ERR", "cafe1111", "cafe0000"];
    for board in ["ice40-hx8k", "ulx3s"] {
        let c = pmsnap_hdl::board::catalog::find(board).unwrap().config;
        let dir = tempfile::tempdir().unwrap();
        let reads = dir.path().join("reads.txt");
        let out = pmsnap()
            .args(["cosim", "--pages", &c.pages.to_string(), "--page-words", &c.page_words.to_string(), "--frames", &c.frames.to_string(), "--workload"])
            .arg(repo("workloads/board.trace"))
            .arg("--reads-out")
            .arg(&reads)
            .output()
            .unwrap();
        assert!(out.status.success(), "{board}: {}", stderr(&out));
        assert_eq!(std::fs::read_to_string(&reads).unwrap().lines().collect::<Vec<_>>(), want, "{board}");
    }
}

#[test]
fn generate_axi4_writes_a_register_header_firmware_compiles() {
    // The header next to the Verilog, used as firmware would: every offset
    // and code as the register map (hdl/src/frontend/register_map.rs) has it.
    let dir = tempfile::tempdir().unwrap();
    let out = pmsnap().args(["generate", "--pages", "16", "--page-words", "8", "--host-bus", "axi4", "--out"]).arg(dir.path()).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut program = String::from("#include \"pmsnap_regs.h\"\nint main(void) {\n    int bad = 0;\n");
    for r in &pmsnap_hdl::frontend::register_map::REGISTERS {
        program += &format!("    bad |= PMSNAP_REG_{} != {};\n", r.name, r.offset);
    }
    program +=
        "    bad |= PMSNAP_OP_SNAPSHOT != 1 || PMSNAP_OP_FORMAT != 4 || PMSNAP_RESULT_BUSY != 1 || PMSNAP_ID_VALUE != 0x706d736eu;\n    return bad;\n}\n";
    std::fs::write(dir.path().join("firmware.c"), program).unwrap();
    let cc =
        Command::new("cc").current_dir(dir.path()).args(["-Wall", "-Werror", "-o", "firmware", "firmware.c"]).output().expect("cc runs (apt-get install gcc)");
    assert!(cc.status.success(), "{}", String::from_utf8_lossy(&cc.stderr));
    assert!(Command::new(dir.path().join("firmware")).status().unwrap().success(), "the header's values");
    // A native controller has no registers, so no header.
    let native = tempfile::tempdir().unwrap();
    assert!(pmsnap().args(["generate", "--pages", "16", "--page-words", "8", "--out"]).arg(native.path()).status().unwrap().success());
    assert!(!native.path().join("pmsnap_regs.h").exists());
}

#[test]
fn nvm_bus_axi4_is_refused_where_there_is_no_back_end() {
    // The board tops keep their block-RAM NVM on the native port, the
    // pass-through has no back end: a clear error naming the flag, exit 2,
    // nothing written.
    for args in [vec!["--board", "ice40-hx8k"], vec!["--pass-through", "--pages", "16", "--page-words", "8"]] {
        let dir = tempfile::tempdir().unwrap();
        let out = pmsnap().arg("generate").args(&args).args(["--nvm-bus", "axi4", "--out"]).arg(dir.path()).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains("--nvm-bus: ") && stderr(&out).contains("native NVM port only"), "{args:?}: {}", stderr(&out));
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "{args:?}: nothing written");
    }
    let out = pmsnap().args(["generate", "--nvm-bus", "pcie", "--out", "/nonexistent"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("unknown NVM bus 'pcie' (known: native, axi4)"), "{}", stderr(&out));
    let out = pmsnap().args(["synth", "--board", "ulx3s", "--nvm-bus", "axi4"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--nvm-bus axi4: give --design controller"), "{}", stderr(&out));
}
