//! The mechanism case by case: flush handshake, copy-on-write, snapshot and
//! restore, frame exhaustion, epoch wrap-around, power loss and RECOVER.

mod common;

use common::{assert_pass, config, run_trace};
use pmsnap_cosim::harness::CosimOptions;

fn cached(o: &mut CosimOptions) {
    o.cache_lines = 64;
    o.record_ports = true;
}

fn uncached(o: &mut CosimOptions) {
    o.cache_lines = 0;
    o.record_ports = true;
}

#[test]
fn dirty_cache_lines_reach_the_snapshot_through_the_flush_handshake() {
    let c = config(4, 4, 8, 32);
    let trace = "W 5 a\nW 6 b\nS\nW 5 c\nX\nR 5\nR 6\n";
    let o = run_trace(c, trace, cached);
    assert_pass(&o);
    assert_eq!(o.reads, vec![Some(0xa), Some(0xb)]);
    // The two dirty lines were written back during the flush, not before.
    let writes: Vec<_> = o.port_log.iter().filter(|e| e.write).collect();
    assert_eq!(writes.len(), 2);
    assert!(o.stats.snapshots[0].flush > 2, "the flush waited for the write-backs");
}

#[test]
fn a_host_that_skips_the_flush_is_caught() {
    let c = config(4, 4, 8, 32);
    let o = run_trace(c, "W 5 a\nS\nX\nR 5\n", |o| {
        cached(o);
        o.faults.broken_flush = true;
    });
    let m = o.mismatch.expect("the lost dirty line is detected");
    assert!(m.message.contains("CPU read of 0x5 returned 0x0, the reference model expects 0xa"), "{m}");
    assert!(m.cycle > 0);
}

#[test]
fn copy_on_write_keeps_the_snapshot_intact() {
    let c = config(4, 4, 8, 32);
    // Page 0 saved, then rewritten (COW), restored, rewritten, saved.
    let t = "W 0 1\nW 1 2\nS\nW 1 3\nR 0\nR 1\nX\nR 0\nR 1\nW 0 4\nS\nX\nR 0\nR 1\n";
    let o = run_trace(c, t, uncached);
    assert_pass(&o);
    assert_eq!(o.reads, vec![Some(1), Some(3), Some(1), Some(2), Some(4), Some(2)]);
    // First write to page 0 in each of the three epochs faults once.
    assert_eq!(o.stats.cow_faults, 3);
}

#[test]
fn frame_exhaustion_fails_the_write_and_the_fallback_yields_its_frames() {
    // L = 4, F = L + 1 = 5, no cache: the CPU sees every refusal.
    let c = config(4, 4, 5, 32);
    let t = "W 0 1\nW 4 1\nW 8 1\nW c 1\nS\nW 0 2\nW 4 2\nR 4\nS\nW 4 3\nS\nW 4 3\nR 4\n";
    let o = run_trace(c, t, uncached);
    assert_pass(&o);
    let errors: Vec<bool> = o.port_log.iter().map(|e| e.error).collect();
    // Four pages take four frames; after the snapshot page 0's COW takes
    // the fifth, and page 1's finds none: F − committed (4) − working (1)
    // = 0. After the next snapshot the only free frame is page 0's old
    // one, which the fallback snapshot holds: it yields it to page 1's
    // COW. Likewise one snapshot later.
    assert_eq!(errors, [false, false, false, false, false, true, false, false, false, false]);
    assert_eq!(o.stats.refused.no_frame, 1);
    assert_eq!(o.reads, vec![Some(1), Some(3)], "the refused write changed nothing");
}

#[test]
fn a_refused_write_back_is_data_loss_and_fails_the_run() {
    // Every page written, saved, rewritten and saved at F = L + 1: the
    // rewrites sit in the cache until the flush, where most find no frame.
    let c = config(4, 4, 5, 32);
    let mut t = String::new();
    for round in [1, 0x100] {
        for a in 0..16 {
            t += &format!("W {a:x} {:x}\n", a + round);
        }
        t += "S\n";
    }
    let o = run_trace(c, &t, cached);
    let m = o.mismatch.expect("a write the CPU made was lost: the run must fail");
    assert!(m.message.starts_with("data loss: the controller refused the write-back of "), "{m}");
    assert!(m.message.contains("no free frame"), "{m}");
    // Without a cache the CPU sees each refusal as its write's answer:
    // legal, and the words keep their old values.
    t += &(0..16).map(|a| format!("R {a:x}\n")).collect::<String>();
    let o = run_trace(c, &t, uncached);
    assert_pass(&o);
    assert!(o.stats.refused.no_frame >= 8, "{:?}", o.stats.refused);
    let kept = o.reads.iter().enumerate().filter(|&(a, r)| *r == Some(a as u64 + 1)).count();
    assert_eq!(kept as u64, o.stats.refused.no_frame, "each refused write left its word as it was");
}

#[test]
fn epoch_tags_wrap_after_65535_restores() {
    let pages = 16;
    let c = config(pages, 4, 32, 32);
    let mut t = String::from("W 0 1\nS\n");
    for i in 0..66_000 {
        t += &format!("W {:x} {:x}\nX\n", (i % pages) * 4, i + 2);
    }
    t += "R 0\nR 4\n";
    // RESTORE costs are the controller's own: the host drains first.
    let o = run_trace(c, &t, |o| {
        uncached(o);
        o.drain_before_commands = true;
    });
    assert_pass(&o);
    assert_eq!(o.reads, vec![Some(1), Some(0)]);
    let slow: Vec<u64> = o.stats.restores.iter().copied().filter(|&r| r != 2).collect();
    // Epochs 1 ..= 65535; the restore that leaves the last one scrubs the
    // working table: L cycles.
    assert_eq!(slow, vec![2 + pages as u64], "exactly one restore scrubbed");
}

#[test]
fn power_loss_recovers_the_last_snapshot() {
    let c = config(8, 4, 12, 32);
    let t = "W 0 1\nW 9 2\nS\nW 0 3\nW 14 4\nP\nR 0\nR 9\nR 14\nW 0 5\nP\nR 0\n";
    for cache in [cached as fn(&mut CosimOptions), uncached] {
        let o = run_trace(c, t, cache);
        assert_pass(&o);
        assert_eq!(o.reads, vec![Some(1), Some(2), Some(0), Some(1)]);
        assert_eq!(o.stats.recovers.len(), 2);
        // RECOVER is O(L + F): slots, F frames cleared and scanned, L entries.
        for &r in &o.stats.recovers {
            assert!(r < 16 + 2 * 12 + 8 * 8 + 16, "RECOVER took {r} cycles");
        }
    }
}

#[test]
fn power_loss_before_the_first_snapshot_recovers_the_formatted_device() {
    let c = config(4, 4, 8, 64);
    let o = run_trace(c, "W 0 ffffffffffffffff\nP\nR 0\n", uncached);
    assert_pass(&o);
    assert_eq!(o.reads, vec![Some(0)]);
}

#[test]
fn a_command_sent_while_a_snapshot_runs_is_answered_busy_and_changes_nothing() {
    let c = config(8, 4, 16, 32);
    let t = "W 0 1\nS\nW 0 2\nW 4 3\nS\nR 0\nR 4\nX\nR 0\n";
    for cache in [cached as fn(&mut CosimOptions), uncached] {
        let o = run_trace(c, t, |o| {
            cache(o);
            o.faults.busy_probe = true;
        });
        assert_pass(&o);
        assert_eq!((o.stats.refused_commands.busy, o.stats.stray_commands), (2, 2), "one RESTORE probe per SNAPSHOT");
        assert_eq!(o.stats.restores.len(), 1, "only the trace's own RESTORE ran");
        assert_eq!(o.reads, vec![Some(2), Some(3), Some(2)]);
    }
}

#[test]
fn before_format_requests_fail_and_commands_answer_unformatted() {
    let t = "R 0\nW 1 2\nS\nX\nR 1\n";
    // A host knows no device is mounted (RECOVER said so) and does not
    // cache it: with or without a cache, the CPU sees every refusal.
    for cache in [cached as fn(&mut CosimOptions), uncached] {
        let o = run_trace(config(4, 4, 8, 32), t, |o| {
            cache(o);
            o.faults.skip_format = true;
        });
        assert_pass(&o);
        assert_eq!(o.reads, vec![None, None]);
        assert!(o.port_log.iter().all(|e| e.error), "every request answered with an error");
        assert_eq!(o.stats.refused.unmounted, 3);
        assert_eq!((o.stats.snapshots.len(), o.stats.restores.len()), (0, 0), "both answered unformatted");
        // RECOVER on the blank device, then S and X.
        assert_eq!(o.stats.refused_commands.unformatted, 3);
    }
}

#[test]
fn commands_meet_requests_in_flight_and_the_order_is_acceptance_order() {
    // No cache, a slow and stalling NVM: the CPU streams its requests and
    // sends SNAPSHOT without waiting for their answers, and RESTORE as soon
    // as they are accepted; stray commands arrive throughout.
    let c = config(8, 4, 16, 32);
    let mut t = String::new();
    for i in 0..40u64 {
        t += &format!("W {:x} {:x}\nR {:x}\n", (i * 5) % 32, i + 1, (i * 3) % 32);
        if i % 7 == 3 {
            t += "S\n";
        }
        if i % 11 == 5 {
            t += "X\n";
        }
    }
    for seed in 1..=4 {
        let o = run_trace(c, &t, |o| {
            uncached(o);
            o.timing = pmsnap_cosim::nvm::NvmTiming { read_latency: 2, write_latency: 4, ready_percent: 60 };
            o.stray_commands = Some(seed);
        });
        assert_pass(&o);
        assert!(o.stats.stray_commands > 5, "seed {seed}: {} stray commands", o.stats.stray_commands);
        assert!(o.stats.commands_meeting_requests >= 8, "seed {seed}: {} commands met requests in flight", o.stats.commands_meeting_requests);
        assert_eq!(o.stats.restores.len(), t.matches('X').count());
        assert_eq!(o.stats.snapshots.len(), t.matches('S').count());
    }
}
