//! Tests of the block in `snapshot.rs`.
use super::*;
use crate::test_support::zero_wait_nvm::{Access, ZeroWaitNvm};

/// A SNAPSHOT of sequence 4 (slot 0, table B) with page 3 in the
/// previous dirty log and pages 5 and 7 in the current one, against a
/// zero-wait NVM, one-cycle RAMs for the logs and the tables, and a
/// commit writer that answers 12 cycles after it is started.
#[test]
fn flushes_identifies_retires_hardens_both_logs_and_commits_in_exact_cycles() {
    let config = Config { pages: 16, page_words: 4, frames: 32, word_bits: 32 };
    let mut sim = Simulation::new();
    sim.add_clock(5, |x: &mut Box<SnapshotSeq<32>>| x.clock.next = !x.clock.val());
    sim.add_testbench(move |mut sim: Sim<SnapshotSeq<32>>| {
        let mut x = sim.init()?;
        let mut nvm = ZeroWaitNvm::default();
        nvm.mem.insert(2, 4); // slot 0's sequence word
        let (previous, current) = ([3u64], [5u64, 7]);
        // Working and committed frames of a page, as the tables hold them.
        let working = |p: u64| 20 + p;
        let committed = |p: u64| 10 + p;
        x.seq.next = 4.into();
        x.active_table.next = true;
        x.log.previous_count.next = 1.into();
        x.log.current_count.next = 2.into();
        x.host_idle.next = true;
        let (mut log_read, mut lookup) = (None::<u64>, 0u64);
        let (mut flush_at, mut commit_at, mut done_at) = (None, None, None);
        let mut ct_writes = Vec::new();
        let mut pushes = Vec::new();
        for cycle in 0..60u64 {
            x.start.next = cycle == 0;
            x.flush_done.next = cycle == 3;
            x.commit_done.next = commit_at.is_some_and(|c| cycle == c + 12);
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
            if x.flush_start.val() {
                flush_at = Some(cycle);
            }
            if x.table_update.ct_write.val() {
                ct_writes.push((cycle, x.table_update.ct_page.val().index() as u64, x.table_update.ct_frame.val().index() as u64));
                sim_assert!(sim, x.table_update.wt_clear.val() && x.table_update.wt_page.val() == x.table_update.ct_page.val(), x);
            }
            if x.alloc.push.val() {
                pushes.push(x.alloc.push_frame.val().index() as u64);
            }
            if x.commit_start.val() {
                commit_at = Some(cycle);
                sim_assert!(sim, x.new_seq_out.val() == 5 && !x.new_table_out.val(), x);
            }
            if x.done.val() {
                done_at = Some(cycle);
                sim_assert!(sim, x.set_committed.val() & x.alloc.commit.val() & x.log.swap.val() & x.snapshot_taken.val(), x);
                sim_assert_eq!(sim, x.status.val(), Status::Ok.bits(), x);
                break;
            }
            wait_clock_cycle!(sim, clock, x);
        }
        sim_assert_eq!(sim, flush_at, Some(0), x);
        // From the flush handshake's end (cycle 3): identify (read the
        // sequence word), retire slot 1 (sequence 5's), harden page 3,
        // then 5 and 7 into table A, 3 cycles an entry.
        let f = 3;
        let want = vec![
            Access { cycle: f + 2, write: false, addr: 2, data: 0 },
            Access { cycle: f + 4, write: true, addr: 8, data: 0 },
            Access { cycle: f + 9, write: true, addr: 16 + 3, data: 1 << 31 | working(3) },
            Access { cycle: f + 13, write: true, addr: 16 + 5, data: 1 << 31 | working(5) },
            Access { cycle: f + 16, write: true, addr: 16 + 7, data: 1 << 31 | working(7) },
        ];
        sim_assert_eq!(sim, nvm.log.clone(), want, x);
        // Only the current epoch's pages are committed on chip; the
        // frames they leave are staged for reclaim.
        sim_assert_eq!(sim, ct_writes.clone(), vec![(f + 13, 5, working(5)), (f + 16, 7, working(7))], x);
        sim_assert_eq!(sim, pushes.clone(), vec![committed(5), committed(7)], x);
        sim_assert_eq!(sim, commit_at, Some(f + 18), x);
        sim_assert_eq!(sim, done_at, Some(f + 18 + 12 + 1), x);
        sim.done(x)
    });
    let mut uut = SnapshotSeq::<32>::new(&config);
    uut.connect_all();
    sim.run(Box::new(uut), 100_000).unwrap();
}

#[test]
fn a_record_that_does_not_match_answers_corrupt() {
    let config = Config { pages: 16, page_words: 4, frames: 32, word_bits: 32 };
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
