//! Exact cycle counts from the simulator (contract §7 latency figures).
//!
//! The NVM has zero wait states unless a test says otherwise: a request
//! accepted at the end of cycle c is answered in cycle c + 1, so the NVM's
//! own latency is one cycle. The host runs without a cache, one request a
//! cycle, and sends a command only once every request is answered, so every
//! figure below is the controller's. Each figure is asserted for both
//! variants, lookup latency K = 1 and K = 2 (`--lookup-latency`).

mod common;

use common::{assert_pass, run_trace};
use pmsnap_hdl::Config;

/// Both variants: the lookup latency K.
const VARIANTS: [u64; 2] = [1, 2];

fn config(pages: usize, page_words: usize, frames: usize, word_bits: usize, k: u64) -> Config {
    Config { lookup_latency: k as usize, ..common::config(pages, page_words, frames, word_bits) }
}
use pmsnap_cosim::harness::{CosimOptions, PortEvent};
use pmsnap_cosim::nvm::NvmTiming;

fn no_cache(o: &mut CosimOptions) {
    o.cache_lines = 0;
    o.record_ports = true;
    o.drain_before_commands = true;
}

fn latency(e: &PortEvent) -> u64 {
    e.answered - e.accepted
}

/// The log entries of requests to `addr`.
fn at(log: &[PortEvent], addr: u64) -> Vec<PortEvent> {
    log.iter().copied().filter(|e| e.addr == addr).collect()
}

/// Page 0 written (COW), committed, then read 64 times (mapped, not
/// owned), re-written once (COW), then written 64 times (owned).
fn reads_then_writes() -> String {
    let mut t = String::from("W 0 1\nS\n");
    for i in 0..64 {
        t += &format!("R {}\n", i % 8);
    }
    t += "W 0 2\n";
    for i in 0..64 {
        t += &format!("W {} {:x}\n", i % 8, i);
    }
    t
}

#[test]
fn reads_and_writes_without_cow_add_the_lookup_latency_and_stream_one_per_cycle() {
    for k in VARIANTS {
        let c = config(16, 8, 32, 32, k);
        let o = run_trace(c, &reads_then_writes(), no_cache);
        assert_pass(&o);
        let log = &o.port_log;
        let reads: Vec<_> = log.iter().filter(|e| !e.write).collect();
        // The first K owned writes are accepted (into the skid buffer, and
        // with K = 2 the lookup stage) while the COW fault ahead of them
        // runs, and wait for it: they are not the unobstructed requests
        // this test times.
        let fault = log.iter().filter(|e| e.write).nth(1).expect("the second COW write");
        let behind: Vec<_> = log.iter().filter(|e| e.write).skip(2).filter(|e| e.accepted < fault.answered).collect();
        assert_eq!(behind.len() as u64, k, "K = {k}: writes waiting behind the fault: {behind:?}");
        let writes: Vec<_> = log.iter().filter(|e| e.write).skip(2 + k as usize).collect();
        assert_eq!(reads.len(), 64);
        assert_eq!(writes.len() as u64, 64 - k);
        for run in [&reads, &writes] {
            for e in run.iter() {
                assert_eq!(latency(e), 1 + k, "K = {k}: NVM latency 1 + K controller cycles: {e:?}");
            }
            for pair in run.windows(2) {
                assert_eq!(pair[1].accepted, pair[0].accepted + 1, "K = {k}: one request accepted every cycle");
            }
        }
    }
}

#[test]
fn never_written_and_out_of_range_are_answered_locally_in_the_lookup_latency() {
    for k in VARIANTS {
        let c = config(16, 8, 32, 32, k);
        let o = run_trace(c, "R 40\nR 80\nW 80 1\nR 7fffffff\nR 40\n", no_cache);
        assert_pass(&o);
        let lat: Vec<(u64, bool)> = o.port_log.iter().map(|e| (latency(e), e.error)).collect();
        assert_eq!(lat, vec![(k, false), (k, true), (k, true), (k, true), (k, false)], "K = {k}");
        assert_eq!(o.reads, vec![Some(0), None, None, Some(0)]);
        assert_eq!(o.stats.cow_faults, 0, "an out-of-range write changes nothing");
    }
}

/// COW fault of a never-written page (zero fill) and of a written one
/// (copy), for one page size and NVM timing: (zero fill, copy) latencies.
fn cow_costs(page_words: usize, timing: NvmTiming, k: u64) -> (u64, u64) {
    let c = config(16, page_words, 32, 32, k);
    let o = run_trace(c, "W 0 1\nS\nW 1 2\n", |o| {
        no_cache(o);
        o.timing = timing;
    });
    assert_pass(&o);
    let log = at(&o.port_log, 0);
    let copy = at(&o.port_log, 1);
    (latency(&log[0]), latency(&copy[0]))
}

#[test]
fn cow_fault_costs() {
    // §7 bound: W + NVM latencies + 4, the latencies being a read's and a
    // write's (1 + r and 1 + w cycles, r and w the extra wait states).
    for k in VARIANTS {
        for (r, w) in [(0, 0), (3, 5)] {
            let timing = NvmTiming { read_latency: r, write_latency: w, ready_percent: 100 };
            for words in [4u64, 8, 16, 64] {
                let bound = words + (1 + r) + (1 + w) + 4;
                let (zero_fill, copy) = cow_costs(words as usize, timing, k);
                // Zero fill: W writes, then the last acknowledgement: within
                // the bound at K = 1, one over it at K = 2.
                assert_eq!(zero_fill, words + 5 + k + w, "K = {k}, W = {words}, r = {r}, w = {w}");
                assert!(zero_fill < bound + k);
                // Copy: 2·W transfers through the single NVM port; misses the
                // bound by W + 1 + K (cow_engine.rs).
                assert_eq!(copy, 2 * words + 7 + k + r + w, "K = {k}, W = {words}, r = {r}, w = {w}");
                assert_eq!(copy, bound + words + 1 + k);
            }
        }
    }
}

/// (SNAPSHOT cost after the flush, RESTORE cost) with `dirty` pages
/// dirtied in each of two epochs.
fn snapshot_and_restore(pages: usize, dirty: usize, k: u64) -> (Vec<u64>, Vec<u64>) {
    snapshot_and_restore_with(pages, dirty, 0, k)
}

/// The same, with an NVM whose writes are answered `write_latency`
/// cycles late.
fn snapshot_and_restore_with(pages: usize, dirty: usize, write_latency: u64, k: u64) -> (Vec<u64>, Vec<u64>) {
    let c = config(pages, 4, 2 * pages, 32, k);
    let mut t = String::new();
    for _ in 0..2 {
        for p in 0..dirty {
            t += &format!("W {:x} 1\n", p * 4 * 3 % (pages * 4));
        }
        t += "S\n";
    }
    for p in 0..dirty {
        t += &format!("W {:x} 2\n", p * 4);
    }
    t += "X\nX\n";
    let o = run_trace(c, &t, |o| {
        no_cache(o);
        o.timing.write_latency = write_latency;
    });
    assert_pass(&o);
    (o.stats.snapshots.iter().map(|s| s.after_flush).collect(), o.stats.restores.clone())
}

/// With slow NVM writes the harden writes still go out one a cycle: the
/// latency is paid once a wait for durability (retire, harden, each
/// commit-record write), not once an entry.
#[test]
fn snapshot_hardens_at_the_nvms_throughput_not_its_latency() {
    for (w, k) in [(3u64, 1), (10, 2)] {
        let extra: Vec<Vec<u64>> = [1usize, 12]
            .into_iter()
            .map(|dirty| {
                let (slow, fast) = (snapshot_and_restore_with(16, dirty, w, k).0, snapshot_and_restore_with(16, dirty, 0, k).0);
                slow.iter().zip(&fast).map(|(s, f)| s - f).collect()
            })
            .collect();
        assert_eq!(extra[0], extra[1], "write latency {w}: the extra cycles do not grow with the dirty entries");
        assert!(extra[0][0] <= 12 * w, "write latency {w}: {:?}", extra[0]);
    }
}

#[test]
fn snapshot_after_flush_is_linear_in_dirty_entries_and_independent_of_l() {
    for (dirty, k) in [(0usize, 1), (1, 2), (3, 1), (12, 2)] {
        let small = snapshot_and_restore(16, dirty, k);
        let large = snapshot_and_restore(1024, dirty, k);
        assert_eq!(small, large, "same dirty count, L = 16 and L = 1024, D = {dirty}, K = {k}");
        // 23 cycles to identify (a read of the commit record), retire the
        // target slot, write the record (seven words, then the magic) and
        // wait for each to be durable; then one cycle per hardened entry,
        // after three to fill the harden pipeline (read the log, look the
        // page up, register the entry). The second snapshot hardens both the
        // previous and the current epoch's pages. Within the target of D + 40.
        let cost = |entries: u64| if entries == 0 { 23 } else { 26 + entries };
        let d = dirty as u64;
        assert_eq!(small.0, vec![cost(d), cost(2 * d)], "D = {dirty}");
        assert!(small.0.iter().zip([d, 2 * d]).all(|(c, e)| *c <= e + 40));
    }
}

#[test]
fn restore_takes_two_cycles_whatever_l_and_dirty_count() {
    for (pages, dirty, k) in [(16, 0, 1), (16, 12, 2), (1024, 0, 2), (1024, 12, 1)] {
        assert_eq!(snapshot_and_restore(pages, dirty, k).1, vec![2, 2], "L = {pages}, D = {dirty}, K = {k}");
    }
}

#[test]
fn recover_is_linear_in_l_and_f() {
    // Read both slots, retire the other one, read the entries one a cycle
    // (L), copy them to the other table one a cycle (L), check each frame
    // against its noted owner into the free ring (F). Within the target of
    // 2L + F + 64.
    for (pages, frames, k) in [(4usize, 8usize, 1), (16, 32, 2), (16, 48, 1), (256, 512, 2), (1024, 2048, 1)] {
        let c = config(pages, 4, frames, 32, k);
        let o = run_trace(c, "W 0 1\nW 9 2\nS\nW 0 3\nP\nR 0\n", no_cache);
        assert_pass(&o);
        assert_eq!(o.reads, vec![Some(1)]);
        let want = 2 * pages as u64 + frames as u64 + 33;
        assert_eq!(o.stats.recovers, vec![want], "L = {pages}, F = {frames}, K = {k}");
        assert!(want <= 2 * pages as u64 + frames as u64 + 64);
    }
}

#[test]
fn the_first_cow_that_needs_the_fallbacks_frames_pays_one_durable_write() {
    // F = 2L, every page rewritten in two epochs: the committed image holds
    // L frames and the fallback snapshot the other L. The next COW fault
    // first invalidates the fallback's record (one NVM write, waited for
    // until durable), then copies as usual: 3 + w cycles more (a cycle to
    // start the release, the write answered 1 + w cycles after it is
    // offered, a cycle to look the page up again). The COW after it finds
    // the freed frames and pays nothing extra.
    for (r, w, k) in [(0u64, 0u64, 1u64), (3, 5, 2)] {
        for words in [4usize, 16] {
            let c = config(4, words, 8, 32, k);
            let page = |p: usize, offset: usize| p * words + offset;
            let mut t = String::new();
            for round in 1..=2 {
                for p in 0..4 {
                    t += &format!("W {:x} {round}\n", page(p, 0));
                }
                t += "S\n";
            }
            t += &format!("W {:x} 9\nW {:x} 9\n", page(0, 1), page(1, 1));
            let o = run_trace(c, &t, |o| {
                no_cache(o);
                o.timing = NvmTiming { read_latency: r, write_latency: w, ready_percent: 100 };
            });
            assert_pass(&o);
            let first = at(&o.port_log, page(0, 1) as u64)[0];
            // The next write waits in the skid buffer behind the first: its
            // cost runs from the first one's answer.
            let second = at(&o.port_log, page(1, 1) as u64)[0];
            let next = second.answered - first.answered;
            let first = latency(&first);
            let copy = 2 * words as u64 + 7 + k + r + w;
            assert_eq!(next, copy - (k - 1), "W = {words}, r = {r}, w = {w}, K = {k}: an ordinary copy");
            assert_eq!(first, copy + 3 + w, "W = {words}, r = {r}, w = {w}, K = {k}: the copy that releases the fallback");
        }
    }
}

/// `--host-bus axi4`, nothing pushing back: a burst's beats stream one a
/// cycle; a beat's answer comes 2 cycles after the native port's (a cycle
/// from the address handshake to the core, a cycle from the core's answer
/// to R or B).
#[test]
fn axi4_bursts_stream_one_beat_a_cycle_two_cycles_after_the_native_latency() {
    for k in VARIANTS {
        let c = Config { host_bus: pmsnap_hdl::HostBus::Axi4, ..config(16, 8, 32, 32, k) };
        // The host queues a request a cycle; the manager takes what is
        // queued into a burst.
        let o = run_trace(c, &reads_then_writes(), no_cache);
        assert_pass(&o);
        let log = &o.port_log;
        // Reads: one a cycle (a burst of one each: the host queues one a
        // cycle), each answered on R at the native 1 + K plus 2.
        let reads: Vec<_> = log.iter().filter(|e| !e.write).collect();
        assert_eq!(reads.len(), 64);
        for e in &reads {
            assert_eq!(latency(e), 3 + k, "K = {k}: {e:?}");
        }
        for pair in reads.windows(2) {
            assert_eq!(pair[1].accepted, pair[0].accepted + 1, "K = {k}: one read burst taken every cycle");
        }
        // Writes behind the second COW fault queue up and go out as bursts
        // of consecutive words: each burst's BRESP comes when its last beat
        // is answered plus one (beats + 2 + K after the address handshake),
        // and the next burst follows with no gap (one beat a cycle).
        let cow = log.iter().filter(|e| e.write).nth(1).expect("the second COW write");
        let mut bursts: Vec<Vec<&PortEvent>> = Vec::new();
        for e in log.iter().filter(|e| e.write && e.accepted > cow.answered) {
            match bursts.last_mut() {
                Some(b) if b[0].accepted == e.accepted => b.push(e),
                _ => bursts.push(vec![e]),
            }
        }
        assert!(bursts.len() >= 5 && bursts.iter().filter(|b| b.len() == 8).count() >= 4, "K = {k}: bursts of 8 beats: {bursts:?}");
        for b in &bursts {
            for e in b {
                assert_eq!(latency(e), b.len() as u64 + 2 + k, "K = {k}: a burst of {} beats: {e:?}", b.len());
            }
        }
        for pair in bursts.windows(2) {
            assert_eq!(pair[1][0].accepted, pair[0][0].accepted + pair[0].len() as u64, "K = {k}: one beat a cycle");
        }
    }
}

/// `--host-bus wishbone`, nothing pushing back: a request goes into the
/// core the cycle it is taken and its `ack` is the core's answer, so the
/// latency is the native port's, one request a cycle.
#[test]
fn wishbone_requests_take_the_native_latency_one_a_cycle() {
    for k in VARIANTS {
        let c = Config { host_bus: pmsnap_hdl::HostBus::Wishbone, ..config(16, 8, 32, 32, k) };
        let o = run_trace(c, &reads_then_writes(), no_cache);
        assert_pass(&o);
        let reads: Vec<_> = o.port_log.iter().filter(|e| !e.write).collect();
        assert_eq!(reads.len(), 64);
        for e in &reads {
            assert_eq!(latency(e), 1 + k, "K = {k}: {e:?}");
        }
        for pair in reads.windows(2) {
            assert_eq!(pair[1].accepted, pair[0].accepted + 1, "K = {k}: one request taken every cycle");
        }
    }
}

/// `--nvm-bus axi4`, nothing pushing back, a zero-wait subordinate (R or B
/// the cycle after AR or AW·W): a request reaches the bus the cycle after
/// the core offers it (from a register) and its answer reaches the core a
/// cycle after R or B, so every NVM round trip is two cycles longer than
/// on the native port.
/// Requests of one kind stream one a cycle. The COW copy is one copy
/// request a word, its read and write overlapped in the back end
/// (`backend/axi4_nvm.rs`): within contract §7's W + latencies + 8 at
/// either K, where the native port's copy is 2W + 7 + K + r + w.
#[test]
fn axi4_nvm_adds_two_cycles_to_each_nvm_round_trip_and_streams_one_a_cycle() {
    for k in VARIANTS {
        let c = Config { nvm_bus: pmsnap_hdl::NvmBus::Axi4, ..config(16, 8, 32, 32, k) };
        let o = run_trace(c, &reads_then_writes(), no_cache);
        assert_pass(&o);
        let log = &o.port_log;
        let reads: Vec<_> = log.iter().filter(|e| !e.write).collect();
        let writes: Vec<_> = log.iter().filter(|e| e.write).skip(2 + k as usize).collect();
        assert_eq!((reads.len() as u64, writes.len() as u64), (64, 64 - k));
        for run in [&reads, &writes] {
            for e in run.iter() {
                assert_eq!(latency(e), 3 + k, "K = {k}: {e:?}");
            }
            for pair in run.windows(2) {
                assert_eq!(pair[1].accepted, pair[0].accepted + 1, "K = {k}: one request accepted every cycle");
            }
        }
        for (r, w) in [(0, 0), (3, 5)] {
            let timing = NvmTiming { read_latency: r, write_latency: w, ready_percent: 100 };
            for words in [4u64, 8, 64] {
                let c = Config { nvm_bus: pmsnap_hdl::NvmBus::Axi4, ..config(16, words as usize, 32, 32, k) };
                let o = run_trace(c, "W 0 1\nS\nW 1 2\n", |o| {
                    no_cache(o);
                    o.timing = timing;
                });
                assert_pass(&o);
                let (zero_fill, copy) = (latency(&at(&o.port_log, 0)[0]), latency(&at(&o.port_log, 1)[0]));
                assert_eq!(zero_fill, words + 6 + k + w, "zero fill, K = {k}, W = {words}, r = {r}, w = {w}");
                assert_eq!(copy, words + 8 + k + r + w, "copy, K = {k}, W = {words}, r = {r}, w = {w}");
                assert!(copy <= words + (1 + r) + (1 + w) + 8, "the overlapped copy's bound");
                // The zero fill's bound, W + write latency + 6: met at K = 1.
                assert_eq!(zero_fill, words + (1 + w) + 5 + k);
            }
        }
    }
}

/// Behind the AXI4 NVM port a COW fault's page goes as bursts of the page
/// (256 words when it is longer): the zero fill one write burst of W beats
/// a burst, the copy a read burst and a write burst; each word one beat.
/// Counted as the difference one fault makes to the run's AXI4 totals.
#[test]
fn axi4_nvm_moves_a_cow_faults_page_in_bursts_of_the_page_or_256_words() {
    for words in [8u64, 512] {
        let c = Config { nvm_bus: pmsnap_hdl::NvmBus::Axi4, ..config(8, words as usize, 24, 32, 1) };
        let totals = |trace: &str| {
            let o = run_trace(c, trace, |o| {
                no_cache(o);
                o.dump_final = false;
            });
            assert_pass(&o);
            (o.stats.nvm_bursts, o.stats.nvm_beats)
        };
        let bursts = words.div_ceil(256);
        let (none, zero_filled) = (totals(""), totals("W 0 1\n"));
        assert_eq!((zero_filled.0 - none.0, zero_filled.1 - none.1), (bursts, words), "zero fill, W = {words}");
        let (snapped, copied) = (totals("W 0 1\nS\n"), totals("W 0 1\nS\nW 1 2\n"));
        assert_eq!((copied.0 - snapped.0, copied.1 - snapped.1), (2 * bursts, 2 * words), "copy, W = {words}");
    }
}

/// Behind the AXI4 NVM port a SNAPSHOT hardens the table entries of
/// neighbouring dirty pages as one write burst (up to 16 entries, inside
/// an aligned block of 16 words). Sixteen dirty pages side by side make
/// fifteen bursts fewer than sixteen scattered ones, with as many beats;
/// the commit record's words 1–7 are one burst of 7 either way. FORMAT's
/// zeroes go the same way, a burst an aligned block of 16 words.
#[test]
fn axi4_nvm_hardens_neighbouring_table_entries_as_one_burst() {
    let (pages, words) = (64u64, 4u64);
    let c = Config { nvm_bus: pmsnap_hdl::NvmBus::Axi4, ..config(pages as usize, words as usize, 2 * pages as usize, 32, 1) };
    let totals = |dirty: &[u64], snapshot: bool| {
        let mut trace: String = dirty.iter().map(|p| format!("W {:x} 1\n", p * words)).collect();
        if snapshot {
            trace.push_str("S\n");
        }
        let o = run_trace(c, &trace, |o| {
            no_cache(o);
            o.dump_final = false;
        });
        assert_pass(&o);
        (o.stats.nvm_bursts, o.stats.nvm_beats)
    };
    let snapshot_cost = |dirty: &[u64]| {
        let (before, after) = (totals(dirty, false), totals(dirty, true));
        (after.0 - before.0, after.1 - before.1)
    };
    let side_by_side: Vec<u64> = (16..32).collect();
    let scattered: Vec<u64> = (0..16).map(|p| 4 * p).collect();
    let (together, apart) = (snapshot_cost(&side_by_side), snapshot_cost(&scattered));
    assert_eq!(together.1, apart.1, "as many beats");
    assert_eq!(apart.0 - together.0, 15, "sixteen entries, one burst");
    // Identify's read, the retire, the entries, the record (one burst of
    // 7), its magic.
    assert_eq!(apart, (1 + 1 + 16 + 1 + 1, 1 + 1 + 16 + 7 + 1));
    // A trace without operations: RECOVER reads both slots' 16 words (one
    // AR each) and finds no record; FORMAT zeroes the 16 + 2L metadata
    // words, one burst a block of 16, then writes its record and magic.
    let metadata = 16 + 2 * pages;
    assert_eq!(totals(&[], false), (16 + metadata / 16 + 2, 16 + metadata + 7 + 1));
}
