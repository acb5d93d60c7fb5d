//! Tests of the block in `host_port.rs`.
use super::*;
use crate::test_support::zero_wait_nvm::{Access, ZeroWaitNvm};
use crate::Config;
use std::collections::HashMap;

/// L = 4, W = 4, F = 8: frames start at word 24 (frame f at 24 + 4f).
fn config(lookup_latency: usize) -> Config {
    Config { lookup_latency, ..Config::sized(4, 4, 8, 32) }
}

/// Both variants.
const LATENCIES: [u64; 2] = [1, 2];

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
    /// The lookup latency of the port under test.
    latency: u64,
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
    let setup_latency = setup.latency as usize;
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
        // The table is a block RAM: a remap is written at the edge that ends
        // its cycle, and a read at that same edge returns a word nobody may
        // use (sync_ram.rs): here one that is not owned, its other fields
        // complemented.
        let (mut table, mut remapped) = (setup.table.clone(), None::<(u64, Entry)>);
        x.enable.next = true;
        x.mounted.next = setup.mounted;
        for cycle in 0..200u64 {
            let &(mut owned, mut mapped, mut frame) = table.get(&lookup).unwrap_or(&(false, false, 0));
            if remapped.is_some_and(|(page, _)| page == lookup) {
                (owned, mapped, frame) = (false, !mapped, !frame & 63);
            }
            if let Some((page, entry)) = remapped.take() {
                table.insert(page, entry);
            }
            x.owned.next = owned;
            x.working_mapped.next = mapped;
            x.working_frame.next = frame.to_bits();
            // The same entry in parts: an owned page's frame is tagged, one
            // not owned reads through to its committed entry.
            x.tag_low_match.next = owned;
            x.tag_high_match.next = owned;
            x.tagged_frame.next = if owned { frame } else { 63 }.to_bits();
            x.committed_mapped.next = !owned && mapped;
            x.committed_frame.next = if owned { 62 } else { frame }.to_bits();
            x.alloc_empty.next = free.is_empty();
            x.alloc_reclaimable.next = setup.reclaimable;
            x.alloc_frame.next = free.first().copied().unwrap_or(0).to_bits();
            // The allocator's head frame is current a cycle after a pop.
            x.alloc_settled.next = cow_busy.is_none_or(|c| cycle != c + 1);
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
                let (page, frame) = (x.remap_page.val().index() as u64, x.remap_frame.val().index() as u64);
                seen.remaps.push((cycle, page, frame));
                remapped = Some((page, (true, true, frame)));
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
    let mut uut = HostPort::<32>::new(&config(setup_latency));
    uut.connect_all();
    sim.run(Box::new(uut), 100_000).unwrap();
    rx.recv().unwrap()
}

#[test]
fn owned_pages_stream_one_request_a_cycle_with_the_lookup_latency_over_the_nvm() {
    for k in LATENCIES {
        // Page 1 owned in frame 2 (words 32..36), written and read back.
        let setup = Setup {
            requests: vec![(true, 4, 0xa), (true, 5, 0xb), (false, 4, 0), (false, 5, 0)],
            table: HashMap::from([(1, (true, true, 2))]),
            mounted: true,
            latency: k,
            ..Default::default()
        };
        let seen = run(setup);
        let latency: Vec<(u64, u64)> = seen.responses.iter().map(|r| (r.1, r.2 - r.1)).collect();
        assert_eq!(latency, (0..4).map(|i| (i, 1 + k)).collect::<Vec<_>>(), "lookup latency {k}: accepted every cycle, answered 1 + {k} later");
        let data: Vec<u64> = seen.responses.iter().map(|r| r.4).collect();
        assert_eq!(&data[2..], &[0xa, 0xb]);
        let addrs: Vec<(bool, u64)> = seen.nvm.iter().map(|a| (a.write, a.addr)).collect();
        assert_eq!(addrs, vec![(true, 32), (true, 33), (false, 32), (false, 33)]);
    }
}

#[test]
fn a_held_request_keeps_its_address_while_the_nvm_stalls() {
    for k in LATENCIES {
        // The NVM refuses in cycles 1..=5; the second request waits in the
        // skid buffer (accepted at once), then behind the first.
        let setup = Setup {
            requests: vec![(true, 4, 0xa), (false, 6, 0)],
            table: HashMap::from([(1, (true, true, 2))]),
            mounted: true,
            nvm_stall: (1..=4 + k).collect(),
            latency: k,
            ..Default::default()
        };
        let seen = run(setup);
        let addrs: Vec<(u64, u64)> = seen.nvm.iter().map(|a| (a.cycle, a.addr)).collect();
        assert_eq!(addrs, vec![(5 + k, 32), (6 + k, 34)], "lookup latency {k}");
        assert_eq!(seen.responses.iter().map(|r| r.1).collect::<Vec<_>>(), vec![0, 1]);
    }
}

#[test]
fn unmapped_out_of_range_and_unmounted_are_answered_locally_in_the_lookup_latency() {
    for k in LATENCIES {
        let setup = Setup { requests: vec![(false, 9, 0), (false, 16, 0), (true, 99, 1)], mounted: true, latency: k, ..Default::default() };
        let seen = run(setup);
        let r: Vec<(u64, bool, u64)> = seen.responses.iter().map(|r| (r.2 - r.1, r.3, r.4)).collect();
        assert_eq!(r, vec![(k, false, 0), (k, true, 0), (k, true, 0)]);
        assert!(seen.nvm.is_empty() && seen.cow_starts.is_empty());
        let seen = run(Setup { requests: vec![(false, 4, 0), (true, 5, 1)], table: HashMap::from([(1, (true, true, 2))]), latency: k, ..Default::default() });
        assert!(seen.responses.iter().all(|r| r.3 && r.2 - r.1 == k), "{seen:?}");
    }
}

#[test]
fn a_first_write_faults_copies_remaps_and_answers() {
    for k in LATENCIES {
        // Page 2 committed in frame 5 (not owned): the write takes frame 4.
        let setup = Setup {
            requests: vec![(true, 9, 0xc)],
            table: HashMap::from([(2, (false, true, 5))]),
            mounted: true,
            free: vec![4, 6],
            latency: k,
            ..Default::default()
        };
        let seen = run(setup);
        assert_eq!(seen.cow_starts, vec![(k, 1)], "started {k} cycle(s) after acceptance, word 1");
        assert_eq!(seen.remaps, vec![(5 + k, 2, 4)], "remapped when the copy is done");
        assert_eq!(seen.responses.iter().map(|r| (r.1, r.2, r.3)).collect::<Vec<_>>(), vec![(0, 6 + k, false)]);
        assert!(seen.nvm.is_empty(), "the COW engine does the copy");
        assert!(seen.releases.is_empty());
    }
}

#[test]
fn a_write_behind_a_fault_on_the_same_page_sees_the_remap() {
    for k in LATENCIES {
        // Two writes to page 2 back to back: the second, waiting behind the
        // fault, must go to the new frame 4 (word 24 + 16 + 2), not fault again.
        let setup = Setup {
            requests: vec![(true, 9, 0xc), (true, 10, 0xd)],
            table: HashMap::from([(2, (false, true, 5))]),
            mounted: true,
            free: vec![4, 6],
            latency: k,
            ..Default::default()
        };
        let seen = run(setup);
        assert_eq!(seen.cow_starts.len(), 1, "lookup latency {k}: {seen:?}");
        assert_eq!(seen.nvm.iter().map(|a| (a.write, a.addr, a.data)).collect::<Vec<_>>(), vec![(true, 42, 0xd)], "lookup latency {k}");
        assert_eq!(seen.responses.len(), 2);
    }
}

#[test]
fn the_fallbacks_frames_are_released_first_and_none_at_all_is_an_error() {
    for k in LATENCIES {
        let setup = Setup {
            requests: vec![(true, 9, 0xc)],
            table: HashMap::from([(2, (false, true, 5))]),
            mounted: true,
            reclaimable: true,
            latency: k,
            ..Default::default()
        };
        let seen = run(setup);
        // Release started at k, done 3 later; the fault follows a cycle after.
        assert_eq!(seen.releases, vec![k]);
        assert_eq!(seen.cow_starts, vec![(k + 4, 1)]);
        assert_eq!(seen.remaps, vec![(k + 9, 2, 6)]);
        let seen =
            run(Setup { requests: vec![(true, 9, 0xc)], table: HashMap::from([(2, (false, true, 5))]), mounted: true, latency: k, ..Default::default() });
        assert_eq!(seen.responses.iter().map(|r| (r.2 - r.1, r.3)).collect::<Vec<_>>(), vec![(k, true)]);
        assert!(seen.cow_starts.is_empty() && seen.releases.is_empty());
    }
}

#[test]
fn lints_and_synthesizes() {
    for k in LATENCIES {
        crate::test_support::lint::check_block("host_port", HostPort::<32>::new(&config(k as usize)));
    }
}
