//! Tests of the block in `host_port.rs`.
use super::*;
use crate::test_support::zero_wait_nvm::{Access, ZeroWaitNvm};
use crate::Config;
use std::collections::HashMap;

/// L = 4, W = 4, F = 8: frames start at word 24 (frame f at 24 + 4f).
fn config() -> Config {
    Config { pages: 4, page_words: 4, frames: 8, word_bits: 32 }
}

/// A page's table entry: (owned in this epoch, mapped, frame).
type Entry = (bool, bool, u64);

#[derive(Default)]
struct Setup {
    /// (write, address, data), offered back to back.
    requests: Vec<(bool, u64, u64)>,
    table: HashMap<u64, Entry>,
    mounted: bool,
    /// Free frames (the allocator's head first), and whether only the
    /// fallback's are left.
    free: Vec<u64>,
    reclaimable: bool,
    nvm_stall: Vec<u64>,
}

#[derive(Debug, Default)]
struct Seen {
    /// (request, accepted, answered, error, data)
    responses: Vec<(usize, u64, u64, bool, u64)>,
    nvm: Vec<Access>,
    cow_starts: Vec<(u64, u64)>,
    remaps: Vec<(u64, u64, u64)>,
    releases: Vec<u64>,
}

fn run(setup: Setup) -> Seen {
    let (tx, rx) = std::sync::mpsc::channel();
    let mut sim = Simulation::new();
    sim.add_clock(5, |x: &mut Box<HostPort<32>>| x.clock.next = !x.clock.val());
    sim.add_testbench(move |mut sim: Sim<HostPort<32>>| {
        let mut x = sim.init()?;
        let mut nvm = ZeroWaitNvm::default();
        nvm.stall = setup.nvm_stall.clone();
        let mut seen = Seen::default();
        let (mut next, mut accepted) = (0usize, std::collections::VecDeque::new());
        let (mut lookup, mut cow_busy, mut release_busy, mut free) = (0u64, None::<u64>, None::<u64>, setup.free.clone());
        x.enable.next = true;
        x.mounted.next = setup.mounted;
        for cycle in 0..200u64 {
            let &(owned, mapped, frame) = setup.table.get(&lookup).unwrap_or(&(false, false, 0));
            x.owned.next = owned;
            x.working_mapped.next = mapped;
            x.working_frame.next = frame.to_bits();
            x.alloc_empty.next = free.is_empty();
            x.alloc_reclaimable.next = setup.reclaimable;
            x.alloc_frame.next = free.first().copied().unwrap_or(0).to_bits();
            x.cow_done.next = cow_busy.is_some_and(|c| cycle == c + 5);
            x.release_done.next = release_busy.is_some_and(|c| cycle == c + 3);
            if release_busy.is_some_and(|c| cycle == c + 3) {
                free = vec![6, 7];
            }
            let offered = setup.requests.get(next).copied();
            x.req_valid.next = offered.is_some();
            let (w, a, d) = offered.unwrap_or((false, 0, 0));
            x.req_write.next = w;
            x.req_addr.next = a.to_bits();
            x.req_wdata.next = d.to_bits();
            nvm.drive(cycle, &mut x.nvm, &mut x.nvm_idle);
            x = sim.wait(1, x)?;
            nvm.observe(cycle, &x.nvm);
            // The COW engine owns the NVM from the cycle after the fault
            // to the one that remaps.
            sim_assert_eq!(sim, x.cow_active.val(), cow_busy.is_some_and(|c| cycle > c), x);
            sim_assert_eq!(sim, x.release_active.val(), release_busy.is_some_and(|c| cycle > c), x);
            if x.rsp_valid.val() {
                let (i, at) = accepted.pop_front().unwrap();
                seen.responses.push((i, at, cycle, x.rsp_err.val(), x.rsp_rdata.val().index() as u64));
            }
            if x.req_valid.val() && x.req_ready.val() {
                accepted.push_back((next, cycle));
                next += 1;
            }
            if x.cow_start.val() {
                sim_assert!(sim, x.alloc_pop.val(), x);
                seen.cow_starts.push((cycle, x.cow_offset.val().index() as u64));
                cow_busy = Some(cycle);
                free.remove(0);
            }
            if x.remap.val() {
                seen.remaps.push((cycle, x.remap_page.val().index() as u64, x.remap_frame.val().index() as u64));
                cow_busy = None;
            }
            if x.release_start.val() {
                seen.releases.push(cycle);
                release_busy = Some(cycle);
            }
            if x.release_done.val() {
                release_busy = None;
            }
            lookup = x.lookup_page.val().index() as u64;
            if next == setup.requests.len() && accepted.is_empty() {
                break;
            }
            wait_clock_cycle!(sim, clock, x);
        }
        seen.nvm = nvm.log.clone();
        tx.send(seen).unwrap();
        sim.done(x)
    });
    let mut uut = HostPort::<32>::new(&config());
    uut.connect_all();
    sim.run(Box::new(uut), 100_000).unwrap();
    rx.recv().unwrap()
}

#[test]
fn owned_pages_stream_one_request_a_cycle_with_one_cycle_over_the_nvm() {
    // Page 1 owned in frame 2 (words 32..36), written and read back.
    let setup = Setup {
        requests: vec![(true, 4, 0xa), (true, 5, 0xb), (false, 4, 0), (false, 5, 0)],
        table: HashMap::from([(1, (true, true, 2))]),
        mounted: true,
        ..Default::default()
    };
    let seen = run(setup);
    let latency: Vec<(u64, u64)> = seen.responses.iter().map(|r| (r.1, r.2 - r.1)).collect();
    assert_eq!(latency, vec![(0, 2), (1, 2), (2, 2), (3, 2)], "accepted every cycle, answered 2 later");
    let data: Vec<u64> = seen.responses.iter().map(|r| r.4).collect();
    assert_eq!(&data[2..], &[0xa, 0xb]);
    let addrs: Vec<(bool, u64)> = seen.nvm.iter().map(|a| (a.write, a.addr)).collect();
    assert_eq!(addrs, vec![(true, 32), (true, 33), (false, 32), (false, 33)]);
}

#[test]
fn a_held_request_keeps_its_address_while_the_nvm_stalls() {
    let setup = Setup {
        requests: vec![(true, 4, 0xa), (false, 6, 0)],
        table: HashMap::from([(1, (true, true, 2))]),
        mounted: true,
        nvm_stall: vec![1, 2, 3, 4, 5],
        ..Default::default()
    };
    let seen = run(setup);
    let addrs: Vec<(u64, u64)> = seen.nvm.iter().map(|a| (a.cycle, a.addr)).collect();
    assert_eq!(addrs, vec![(6, 32), (7, 34)]);
    assert_eq!(seen.responses.iter().map(|r| r.1).collect::<Vec<_>>(), vec![0, 6]);
}

#[test]
fn unmapped_out_of_range_and_unmounted_are_answered_locally_in_one_cycle() {
    let setup = Setup { requests: vec![(false, 9, 0), (false, 16, 0), (true, 99, 1)], mounted: true, ..Default::default() };
    let seen = run(setup);
    let r: Vec<(u64, bool, u64)> = seen.responses.iter().map(|r| (r.2 - r.1, r.3, r.4)).collect();
    assert_eq!(r, vec![(1, false, 0), (1, true, 0), (1, true, 0)]);
    assert!(seen.nvm.is_empty() && seen.cow_starts.is_empty());
    let seen = run(Setup { requests: vec![(false, 4, 0), (true, 5, 1)], table: HashMap::from([(1, (true, true, 2))]), ..Default::default() });
    assert!(seen.responses.iter().all(|r| r.3 && r.2 - r.1 == 1), "{seen:?}");
}

#[test]
fn a_first_write_faults_copies_remaps_and_answers() {
    // Page 2 committed in frame 5 (not owned): the write takes frame 4.
    let setup = Setup { requests: vec![(true, 9, 0xc)], table: HashMap::from([(2, (false, true, 5))]), mounted: true, free: vec![4, 6], ..Default::default() };
    let seen = run(setup);
    assert_eq!(seen.cow_starts, vec![(1, 1)], "started the cycle after acceptance, word 1");
    assert_eq!(seen.remaps, vec![(6, 2, 4)], "remapped when the copy is done");
    assert_eq!(seen.responses.iter().map(|r| (r.1, r.2, r.3)).collect::<Vec<_>>(), vec![(0, 7, false)]);
    assert!(seen.nvm.is_empty(), "the COW engine does the copy");
    assert!(seen.releases.is_empty());
}

#[test]
fn the_fallbacks_frames_are_released_first_and_none_at_all_is_an_error() {
    let setup = Setup { requests: vec![(true, 9, 0xc)], table: HashMap::from([(2, (false, true, 5))]), mounted: true, reclaimable: true, ..Default::default() };
    let seen = run(setup);
    // Release started at 1, done at 4; the fault follows at 5.
    assert_eq!(seen.releases, vec![1]);
    assert_eq!(seen.cow_starts, vec![(5, 1)]);
    assert_eq!(seen.remaps, vec![(10, 2, 6)]);
    let seen = run(Setup { requests: vec![(true, 9, 0xc)], table: HashMap::from([(2, (false, true, 5))]), mounted: true, ..Default::default() });
    assert_eq!(seen.responses.iter().map(|r| (r.2 - r.1, r.3)).collect::<Vec<_>>(), vec![(1, true)]);
    assert!(seen.cow_starts.is_empty() && seen.releases.is_empty());
}

#[test]
fn lints_and_synthesizes() {
    crate::test_support::lint::check_block("host_port", HostPort::<32>::new(&config()));
}
