//! Tests of the block in `recover.rs`.
use super::*;
use crate::nvm_layout::commit_record;
use crate::test_support::zero_wait_nvm::ZeroWaitNvm;

/// What one RECOVER did: its NVM accesses, table writes, pushes, and how
/// it ended (cycle, status).
struct Run {
    nvm: ZeroWaitNvm,
    committed: Option<(u64, bool)>,
    ct: Vec<(u64, bool, u64)>,
    pushes: Vec<u64>,
    end: (u64, u64),
    mounted: bool,
}

/// L = 4, W = 4, F = 8; `nvm` preloaded.
fn recover(device: ZeroWaitNvm) -> Run {
    let config = Config::sized(4, 4, 8, 32);
    let (tx, rx) = std::sync::mpsc::channel();
    let mut sim = Simulation::new();
    sim.add_clock(5, |x: &mut Box<RecoverSeq<32>>| x.clock.next = !x.clock.val());
    sim.add_testbench(move |mut sim: Sim<RecoverSeq<32>>| {
        let mut x = sim.init()?;
        let mut nvm = ZeroWaitNvm::with(device.mem.clone());
        nvm.stall = device.stall.clone();
        let (mut committed, mut ct, mut pushes) = (None, Vec::new(), Vec::new());
        // The on-chip committed table, read one cycle after its page is
        // asked for; every page starts unmapped.
        let mut table: std::collections::HashMap<u64, (bool, u64)> = Default::default();
        let mut lookup = 0u64;
        for cycle in 0..200u64 {
            x.start.next = cycle == 0;
            let (mapped, frame) = table.get(&lookup).copied().unwrap_or((false, 0));
            x.committed_mapped.next = mapped;
            x.committed_frame.next = frame.to_bits();
            nvm.drive(cycle, &mut x.nvm, &mut x.nvm_idle);
            x = sim.wait(1, x)?;
            nvm.observe(cycle, &x.nvm);
            if x.set_committed.val() {
                committed = Some((x.found_seq.val().index() as u64, x.found_table.val()));
                x.active_table.next = x.found_table.val();
            }
            lookup = x.lookup_page.val().index() as u64 % 4;
            if x.table_update.ct_write.val() {
                sim_assert!(sim, x.table_update.wt_clear.val(), x);
                let (page, mapped, frame) =
                    (x.table_update.ct_page.val().index() as u64, x.table_update.ct_mapped.val(), x.table_update.ct_frame.val().index() as u64);
                ct.push((page, mapped, frame));
                table.insert(page, (mapped, frame));
            }
            if x.alloc.push.val() {
                pushes.push(x.alloc.push_frame.val().index() as u64);
            }
            if x.done.val() {
                let end = (cycle, x.status.val().index() as u64);
                let mounted = x.mount.val() & x.alloc.publish.val();
                tx.send(Run { nvm, committed, ct, pushes, end, mounted }).unwrap();
                return sim.done(x);
            }
            wait_clock_cycle!(sim, clock, x);
        }
        sim_assert!(sim, false, x);
        sim.done(x)
    });
    let mut uut = RecoverSeq::<32>::new(&config);
    uut.connect_all();
    sim.run(Box::new(uut), 100_000).unwrap();
    rx.recv().unwrap()
}

/// Slot 0: sequence 2, table B (page 0 in frame 5, page 2 in frame 1);
/// slot 1: sequence 1, table A.
fn device() -> ZeroWaitNvm {
    let config = Config::sized(4, 4, 8, 32);
    let mut nvm = ZeroWaitNvm::default();
    for (slot, seq, table) in [(0u64, 2, 1), (1, 1, 0)] {
        for (i, w) in commit_record(&config, seq, table).iter().enumerate() {
            nvm.mem.insert(slot * 8 + i as u64, *w as u64);
        }
    }
    nvm.mem.insert(16 + 4, 1 << 31 | 5);
    nvm.mem.insert(16 + 4 + 2, 1 << 31 | 1);
    nvm
}

#[test]
fn takes_the_newest_record_retires_the_other_rebuilds_and_mounts_in_exact_cycles() {
    let r = recover(device());
    // 2L + F + 31 cycles from the start (the command front adds 2): both
    // slots read, one retired, the entries read one a cycle, copied one a
    // cycle, the frames checked one a cycle.
    assert_eq!(r.end, (2 * 4 + 8 + 31, Status::Ok.code()));
    assert!(r.mounted);
    assert_eq!(r.committed, Some((2, true)));
    // Both slots read, slot 1 retired, table B copied into table A.
    let reads: Vec<u64> = r.nvm.log.iter().filter(|a| !a.write).map(|a| a.addr).collect();
    assert_eq!(reads, (0..16).chain(20..24).collect::<Vec<u64>>());
    assert_eq!(r.nvm.writes(), vec![(8, 0), (16, 1 << 31 | 5), (17, 0), (18, 1 << 31 | 1), (19, 0)]);
    assert_eq!(r.ct, vec![(0, true, 5), (1, false, 0), (2, true, 1), (3, false, 0)]);
    assert_eq!(r.pushes, vec![0, 2, 3, 4, 6, 7]);
}

#[test]
fn no_record_is_unformatted_a_damaged_one_or_an_impossible_table_corrupt() {
    let blank = recover(ZeroWaitNvm::default());
    assert_eq!(blank.end.1, Status::Unformatted.code());
    assert!(!blank.mounted && blank.committed.is_none() && blank.nvm.writes().is_empty());
    // Slot 0's checksum broken, slot 1 blank: the magic is there.
    let mut damaged = device();
    damaged.mem.insert(7, 0);
    damaged.mem.insert(8, 0);
    assert_eq!(recover(damaged).end.1, Status::Corrupt.code());
    // A table entry naming frame 9 of 8, or 8 (the first past the end),
    // or an unmapped entry with a stray bit.
    for entry in [1 << 31 | 9, 1 << 31 | 8, 2, 1 << 30] {
        let mut impossible = device();
        impossible.mem.insert(16 + 4 + 3, entry);
        let r = recover(impossible);
        assert_eq!(r.end.1, Status::Corrupt.code(), "entry {entry:#x}");
        assert!(!r.mounted, "entry {entry:#x}");
    }
    // Two entries naming one frame.
    let mut twice = device();
    twice.mem.insert(16 + 4 + 3, 1 << 31 | 5);
    assert_eq!(recover(twice).end.1, Status::Corrupt.code());
}

/// Refused requests anywhere (slots, entry reads, copies) change nothing
/// but the time: the same accesses in the same order, the same table and
/// free frames.
#[test]
fn refused_requests_only_delay_it() {
    let free = recover(device());
    for stall in [vec![20u64, 21], vec![24, 26, 27], vec![28, 29, 30, 31], (10..40).step_by(3).collect()] {
        let mut d = device();
        d.stall = stall.clone();
        let r = recover(d);
        let accesses = |r: &Run| r.nvm.log.iter().map(|a| (a.write, a.addr, a.data)).collect::<Vec<_>>();
        assert_eq!(accesses(&r), accesses(&free), "stall {stall:?}");
        assert_eq!((&r.ct, &r.pushes, r.mounted), (&free.ct, &free.pushes, true), "stall {stall:?}");
        assert!(r.end.0 >= free.end.0 && r.end.0 <= free.end.0 + stall.len() as u64, "stall {stall:?}: {:?}", r.end);
    }
}

#[test]
fn lints_and_synthesizes() {
    crate::test_support::lint::check_block("recover", RecoverSeq::<32>::new(&Config::default()));
}
