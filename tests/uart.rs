//! End to end: `pmsnap uart` runs a trace against the co-simulated board top
//! through a pseudo-terminal (`pmsnap board-sim`), the bytes crossing the
//! board's UART pins bit by bit; every read must match the reference model.

mod common;

use common::pmsnap;
use pmsnap_cosim::harness::Refused;
use pmsnap_cosim::reference::Reference;
use pmsnap_cosim::trace::{self, Op};
use pmsnap_cosim::workload::RandomWorkload;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

/// The ice40-hx8k board's sizing.
const PAGES: usize = 32;
const PAGE_WORDS: usize = 16;
const FRAMES: usize = 96;

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        self.0.kill().ok();
        self.0.wait().ok();
    }
}

fn start_board(link: &std::path::Path, vcd: Option<&std::path::Path>) -> Server {
    let mut cmd = pmsnap();
    cmd.args(["board-sim", "--board", "ice40-hx8k", "--idle-exit", "2", "--link"]).arg(link);
    if let Some(v) = vcd {
        cmd.arg("--vcd").arg(v);
    }
    let server = Server(cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("pmsnap board-sim starts"));
    // The first run Verilates the board top.
    let deadline = Instant::now() + Duration::from_secs(600);
    while !link.exists() {
        assert!(Instant::now() < deadline, "board-sim made no link");
        std::thread::sleep(Duration::from_millis(50));
    }
    server
}

/// The reads the reference model expects of `ops` from a formatted device,
/// and the requests it refuses.
fn expected_reads(ops: &[trace::TraceOp]) -> (Vec<Option<u64>>, Refused) {
    let mut r = Reference::new(PAGES, PAGE_WORDS, 32, Some(FRAMES));
    r.format();
    let mut reads = Vec::new();
    let mut refused = Refused::default();
    for t in ops {
        match t.op {
            Op::Write { addr, data } => {
                if let Err(why) = r.write(addr, data) {
                    refused.count(why);
                }
            }
            Op::Read { addr } => {
                let v = r.read(addr);
                if let Err(why) = v {
                    refused.count(why);
                }
                reads.push(v.ok());
            }
            Op::Snapshot => r.snapshot(),
            Op::Restore => r.restore(),
            Op::PowerLoss => r.recover(),
        }
    }
    (reads, refused)
}

#[test]
fn trace_through_pmsnap_uart_matches_reference() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("tty");
    let vcd = dir.path().join("board.vcd");
    let mut server = start_board(&link, Some(&vcd));
    let mut ops = RandomWorkload { ops: 250, seed: 11, pages: PAGES, page_words: PAGE_WORDS, word_bits: 32 }.generate();
    // Restores and power losses are rare in random workloads: add some.
    for (at, op) in [
        (60, Op::Snapshot),
        (90, Op::PowerLoss),
        (150, Op::Restore),
        (180, Op::PowerLoss),
        (200, Op::Restore),
        (210, Op::Read { addr: (PAGES * PAGE_WORDS) as u64 }),
        (220, Op::Write { addr: 0xffff_ffff, data: 1 }),
    ] {
        ops.insert(at, trace::TraceOp { op, line: 0 });
    }
    assert!(ops.iter().any(|t| t.op == Op::PowerLoss) && ops.iter().any(|t| t.op == Op::Restore));
    let trace_file = dir.path().join("work.trace");
    std::fs::write(&trace_file, trace::render(&ops)).unwrap();
    let reads_file = dir.path().join("reads");
    let out = pmsnap().args(["uart", "--format", "--port"]).arg(&link).arg("--workload").arg(&trace_file).arg("--reads-out").arg(&reads_file).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "pmsnap uart failed:\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("257 operations") && stdout.contains("(formatted)"), "{stdout}");
    let (expected, refused) = expected_reads(&ops);
    assert!(refused.out_of_range > 2, "{refused:?}");
    let errors = refused.out_of_range + refused.no_frame + refused.unmounted;
    assert!(stdout.contains(&format!("ERR replies: {errors} (refused: {refused})")), "{stdout}");
    assert!(expected.iter().filter(|r| matches!(r, Some(v) if *v != 0)).count() > 20, "the trace reads back written data");
    assert!(expected.iter().any(|r| r.is_none()), "the trace reads out of range");
    let got = std::fs::read_to_string(&reads_file).unwrap();
    assert_eq!(got, pmsnap_cosim::harness::render_reads(&expected), "reads over the UART differ from the reference model");
    // The server ends by itself once the line is idle, closing the VCD.
    let status = server.0.wait().unwrap();
    assert!(status.success());
    let text = std::fs::read_to_string(&vcd).unwrap();
    assert!(text.contains("uart_rx") && text.contains("uart_tx") && text.contains("leds"));
    // At the board's clock: 12 MHz is 83 333 ps a cycle.
    let board = pmsnap_hdl::board::catalog::find("ice40-hx8k").unwrap();
    assert_eq!(board.period_ps(), 83_333);
    let dump = pmsnap_wave::dump::Dump::open(&vcd).unwrap();
    assert_eq!(dump.period, board.period_ps());
    let saved = pmsnap_wave::gtkw::read(&vcd.with_extension("gtkw")).expect("a save file beside the board's waveform");
    assert!(saved.groups.iter().any(|(g, s)| g == "UART" && s.iter().any(|(n, _)| n == "TOP.uart_tx")), "{:?}", saved.groups);
    assert!(saved.groups.iter().flat_map(|(_, s)| s).any(|(n, names)| n == "TOP.pmsnap_board.controller.seq_phase" && !names.is_empty()));
    assert!(!link.exists() && !dir.path().join("tty.pid").exists(), "the link is removed when board-sim ends");
}

#[test]
fn interactive_session_and_errors() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("tty");
    let _server = start_board(&link, None);
    let mut child = pmsnap().args(["uart", "--port"]).arg(&link).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(b"R 1\nformat\nW 1 beef\nR 1\nS\nW 1 0\nX\nR 1\nR 200\nW 200 1\nbogus\nstatus\n").unwrap();
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let answers: Vec<&str> = text.lines().collect();
    assert!(answers[0].contains("not mounted"), "{text}");
    assert_eq!(&answers[1..10], ["ERR", "ok", "ok", "beef", "ok", "ok", "ok", "beef", "ERR"], "{text}");
    assert!(answers[10].starts_with("ERR"));
    assert!(answers[11].contains("unknown command `bogus`; accepted: W, R, S, X, P, status, counters"), "{text}");
    assert!(answers[12].starts_with("mounted true, snapshot sequence 2, phase idle"), "{text}");
    assert!(answers[12].contains("device 512 words of 32 bits (2048 bytes)"), "{text}");
}

#[test]
fn missing_port_is_a_clear_error() {
    let out = pmsnap().args(["uart", "--port", "/dev/pmsnap-no-such-port"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot open serial port /dev/pmsnap-no-such-port"));
    let out = pmsnap().args(["board-sim", "--board", "nexys", "--link", "/tmp/x"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown board 'nexys' (known: ice40-hx8k, ulx3s)"));
}

#[test]
fn an_interrupted_board_sim_removes_its_link_and_uart_refuses_a_stale_one() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("tty");
    let child = pmsnap().args(["board-sim", "--board", "ice40-hx8k", "--link"]).arg(&link).stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(600);
    while !link.exists() {
        assert!(Instant::now() < deadline, "board-sim made no link");
        std::thread::sleep(Duration::from_millis(50));
    }
    // Ctrl-C.
    let kill = std::process::Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(kill.success());
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "an interrupt ends board-sim cleanly: {}\n{}", out.status, String::from_utf8_lossy(&out.stderr));
    assert!(link.symlink_metadata().is_err(), "the link is gone");
    // A link left pointing at a pseudo-terminal nobody serves is refused.
    std::os::unix::fs::symlink("/dev/pts/0", &link).unwrap();
    let out = pmsnap().args(["uart", "--port"]).arg(&link).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("points at /dev/pts/0 but no pmsnap board-sim serves it"), "{err}");
    let out = pmsnap().args(["uart", "--port", "/dev/null", "--baud", "0"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "--baud 0 refused");
}
