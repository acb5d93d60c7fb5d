//! Tests of the block in `snapshot.rs`.
use super::*;
use crate::nvm_arbiter::{ADDRESS_MASK, BURST_GATHERS};
use crate::test_support::zero_wait_nvm::{Access, ZeroWaitNvm};

/// What one SNAPSHOT did.
#[derive(Clone, Debug, Default, PartialEq)]
struct Run {
    log: Vec<Access>,
    /// (cycle, page, frame) of each on-chip commit.
    ct_writes: Vec<(u64, u64, u64)>,
    pushes: Vec<u64>,
    commit_at: Option<u64>,
    done_at: Option<u64>,
}

/// A SNAPSHOT of sequence 4 (slot 0, table B) with page 3 in the
/// previous dirty log and pages 5 and 7 in the current one, against an
/// NVM that answers in one cycle and refuses requests in the `stall`
/// cycles, one-cycle RAMs for the logs and the tables, and a commit
/// writer that answers 12 cycles after it is started. The flush ends in
/// cycle 3.
fn snapshot(stall: Vec<u64>) -> Run {
    snapshot_of(Config::sized(16, 4, 32, 32), &[3], &[5, 7], stall)
}

/// The same with `config` and these dirty logs.
fn snapshot_of(config: Config, previous: &[u64], current: &[u64], stall: Vec<u64>) -> Run {
    let (previous, current) = (previous.to_vec(), current.to_vec());
    let result = std::sync::Arc::new(std::sync::Mutex::new(Run::default()));
    let out = result.clone();
    let mut sim = Simulation::new();
    sim.add_clock(5, |x: &mut Box<SnapshotSeq<32>>| x.clock.next = !x.clock.val());
    sim.add_testbench(move |mut sim: Sim<SnapshotSeq<32>>| {
        let mut x = sim.init()?;
        let mut nvm = ZeroWaitNvm::default();
        nvm.stall = stall.clone();
        nvm.mem.insert(2, 4); // slot 0's sequence word
        x.seq.next = 4.into();
        x.active_table.next = true;
        x.log.previous_count.next = (previous.len() as u64).to_bits();
        x.log.current_count.next = (current.len() as u64).to_bits();
        x.host_idle.next = true;
        let (mut log_read, mut lookup) = (None::<u64>, 0u64);
        let mut run = Run::default();
        for cycle in 0..200u64 {
            x.start.next = cycle == 0;
            x.flush_done.next = cycle == 3;
            x.commit_done.next = run.commit_at.is_some_and(|c| cycle == c + 12);
            // One-cycle RAMs: what was asked for last cycle.
            x.log.read_page.next = log_read.unwrap_or(0).to_bits();
            x.working_mapped.next = true;
            x.working_frame.next = working(lookup).to_bits();
            x.committed_mapped.next = true;
            x.committed_frame.next = committed(lookup).to_bits();
            nvm.drive(cycle, &mut x.nvm, &mut x.nvm_idle);
            x = sim.wait(1, x)?;
            nvm.observe(cycle, &x.nvm);
            let index = x.log.read_index.val().index();
            log_read = Some(if x.log.read_previous.val() { previous.get(index) } else { current.get(index) }.copied().unwrap_or(0));
            lookup = x.lookup_page.val().index() as u64;
            sim_assert!(sim, !x.flush_start.val() || cycle == 0, x);
            if x.table_update.ct_write.val() {
                run.ct_writes.push((cycle, x.table_update.ct_page.val().index() as u64, x.table_update.ct_frame.val().index() as u64));
                sim_assert!(sim, x.table_update.wt_clear.val() && x.table_update.wt_page.val() == x.table_update.ct_page.val(), x);
            }
            if x.alloc.push.val() {
                run.pushes.push(x.alloc.push_frame.val().index() as u64);
            }
            if x.commit_start.val() {
                run.commit_at = Some(cycle);
                sim_assert!(sim, x.new_seq_out.val() == 5 && !x.new_table_out.val(), x);
            }
            if x.done.val() {
                run.done_at = Some(cycle);
                sim_assert!(sim, x.set_committed.val() & x.alloc.commit.val() & x.log.swap.val() & x.snapshot_taken.val(), x);
                sim_assert_eq!(sim, x.status.val(), Status::Ok.bits(), x);
                break;
            }
            wait_clock_cycle!(sim, clock, x);
        }
        run.log = nvm.log.clone();
        *out.lock().unwrap() = run;
        sim.done(x)
    });
    let mut uut = SnapshotSeq::<32>::new(&config);
    uut.connect_all();
    sim.run(Box::new(uut), 100_000).unwrap();
    let run = result.lock().unwrap().clone();
    run
}

// Working and committed frames of a page, as the test's tables hold them.
fn working(p: u64) -> u64 {
    20 + p
}

fn committed(p: u64) -> u64 {
    10 + p
}

/// The flush handshake ends in cycle 3.
const F: u64 = 3;

#[test]
fn flushes_identifies_retires_hardens_both_logs_and_commits_in_exact_cycles() {
    let run = snapshot(Vec::new());
    // From the flush handshake's end: identify (read the sequence word),
    // retire slot 1 (sequence 5's), harden page 3, then 5 and 7 into
    // table A — one entry a cycle, one cycle between the two logs.
    let want = vec![
        Access { cycle: F + 2, write: false, addr: 2, data: 0 },
        Access { cycle: F + 4, write: true, addr: 8, data: 0 },
        Access { cycle: F + 10, write: true, addr: 16 + 3, data: 1 << 31 | working(3) },
        Access { cycle: F + 12, write: true, addr: 16 + 5, data: 1 << 31 | working(5) },
        Access { cycle: F + 13, write: true, addr: 16 + 7, data: 1 << 31 | working(7) },
    ];
    assert_eq!(run.log, want);
    // Only the current epoch's pages are committed on chip; the frames
    // they leave are staged for reclaim.
    assert_eq!(run.ct_writes, vec![(F + 12, 5, working(5)), (F + 13, 7, working(7))]);
    assert_eq!(run.pushes, vec![committed(5), committed(7)]);
    assert_eq!(run.commit_at, Some(F + 15));
    assert_eq!(run.done_at, Some(F + 15 + 12 + 1));
}

/// A refused write holds the pipeline: the same writes, in the same
/// order, none earlier than without refusals and none later by more than
/// the refusals before it (a refusal can fall in the cycle between the
/// two logs and cost nothing).
#[test]
fn a_refused_harden_write_holds_the_pipeline_without_losing_an_entry() {
    let free = snapshot(Vec::new());
    for stall in [vec![F + 10], vec![F + 12], vec![F + 12, F + 13, F + 14], vec![F + 10, F + 13, F + 15], (F + 9..F + 21).step_by(2).collect()] {
        let run = snapshot(stall.clone());
        let writes = |r: &Run| r.log.iter().map(|a| (a.write, a.addr, a.data)).collect::<Vec<_>>();
        assert_eq!(writes(&run), writes(&free), "stall {stall:?}");
        for (a, b) in run.log.iter().zip(&free.log) {
            let before = stall.iter().filter(|&&c| c >= F + 5 && c <= a.cycle).count() as u64;
            assert!(a.cycle >= b.cycle && a.cycle <= b.cycle + before, "stall {stall:?}: {a:?} against {b:?}");
        }
        assert_eq!(run.pushes, free.pushes, "stall {stall:?}");
        assert_eq!(run.ct_writes.iter().map(|w| (w.1, w.2)).collect::<Vec<_>>(), free.ct_writes.iter().map(|w| (w.1, w.2)).collect::<Vec<_>>());
    }
}

/// Behind a back end that makes bursts, a harden write whose next write
/// goes to the next word of the same aligned block of `MAX_GATHER_WORDS`
/// says so (`BURST_GATHERS`); the run's last write, and every write on the
/// native port, carries no code. The two logs are hardened apart (a
/// cycle between them), so a run never spans them. The writes, their
/// cycles and the SNAPSHOT's length are those of the native port, also
/// when the NVM refuses writes.
#[test]
fn behind_a_back_end_that_makes_bursts_neighbouring_entries_are_gathered_in_the_same_cycles() {
    // L = 32: table A is words 16..48, an aligned block boundary at word
    // 32 (page 16).
    let sized = Config::sized(32, 4, 64, 32);
    let (previous, current) = ([3u64, 4], [5u64, 6, 7, 14, 15, 16, 17, 9, 10, 10]);
    const G: u64 = BURST_GATHERS;
    // 3→4, 5→6→7, 14→15 | 16→17 (the block boundary), 9→10, 10 twice.
    let codes = [G, 0, G, G, 0, G, 0, G, 0, G, 0, 0];
    for stall in [Vec::new(), vec![F + 12, F + 15, F + 16, F + 19]] {
        let native = snapshot_of(sized, &previous, &current, stall.clone());
        let axi4 = snapshot_of(Config { nvm_bus: crate::NvmBus::Axi4, ..sized }, &previous, &current, stall.clone());
        let harden: Vec<&Access> = axi4.log.iter().filter(|a| a.write && a.addr & ADDRESS_MASK >= 16).collect();
        let pages: Vec<u64> = harden.iter().map(|a| (a.addr & ADDRESS_MASK) - 16).collect();
        assert_eq!(pages, [previous.as_slice(), current.as_slice()].concat(), "stall {stall:?}");
        assert_eq!(harden.iter().map(|a| a.addr & !ADDRESS_MASK).collect::<Vec<_>>(), codes, "stall {stall:?}");
        let plain = |r: &Run| r.log.iter().map(|a| (a.cycle, a.write, a.addr & ADDRESS_MASK, a.data)).collect::<Vec<_>>();
        assert_eq!(plain(&axi4), plain(&native), "stall {stall:?}");
        assert!(native.log.iter().all(|a| a.addr & !ADDRESS_MASK == 0));
        assert_eq!((axi4.commit_at, axi4.done_at), (native.commit_at, native.done_at), "stall {stall:?}");
    }
}

#[test]
fn a_record_that_does_not_match_answers_corrupt() {
    let config = Config::sized(16, 4, 32, 32);
    let mut sim = Simulation::new();
    sim.add_clock(5, |x: &mut Box<SnapshotSeq<32>>| x.clock.next = !x.clock.val());
    sim.add_testbench(move |mut sim: Sim<SnapshotSeq<32>>| {
        let mut x = sim.init()?;
        let mut nvm = ZeroWaitNvm::default();
        nvm.mem.insert(8 + 2, 9); // slot 1 holds sequence 9, not 5
        x.seq.next = 5.into();
        x.host_idle.next = true;
        for cycle in 0..20u64 {
            x.start.next = cycle == 0;
            x.flush_done.next = cycle == 1;
            nvm.drive(cycle, &mut x.nvm, &mut x.nvm_idle);
            x = sim.wait(1, x)?;
            nvm.observe(cycle, &x.nvm);
            if x.done.val() {
                sim_assert_eq!(sim, x.status.val(), Status::Corrupt.bits(), x);
                sim_assert!(sim, !x.set_committed.val() & !x.commit_start.val(), x);
                sim_assert_eq!(sim, cycle, 1 + 3, x);
                sim_assert!(sim, nvm.writes().is_empty(), x);
                return sim.done(x);
            }
            wait_clock_cycle!(sim, clock, x);
        }
        sim_assert!(sim, false, x);
        sim.done(x)
    });
    let mut uut = SnapshotSeq::<32>::new(&config);
    uut.connect_all();
    sim.run(Box::new(uut), 100_000).unwrap();
}

#[test]
fn lints_and_synthesizes() {
    crate::test_support::lint::check_block("snapshot", SnapshotSeq::<32>::new(&Config::default()));
}
