//! Test bench of the Wishbone front end: a manager with random requests
//! (some with a `sel` bit low, some beyond L·W), random gaps, and now and
//! then a bus cycle given up with answers owed; a model of the core with
//! random `req_ready` and random in-order latency. Every answer is checked
//! against a reference memory the requests update in the order taken.

use super::wishbone_host::WishboneHost;
use crate::test_support::rng::Rng;
use crate::Config;
use rust_hdl::prelude::*;
use std::collections::VecDeque;

/// L·W of the test sizing (L = 4, W = 16).
const WORDS: u64 = 64;

#[derive(Default, Debug)]
struct Seen {
    /// Answers given: (cycle, err, data) in order.
    answers: u64,
    /// Requests given up with their bus cycle.
    abandoned: u64,
    /// Cycles a request was taken.
    taken: Vec<u64>,
}

/// Runs `requests` random requests; `stb` / `ready` / `drop` percent, core
/// latency 1 ..= `latency`.
fn run(seed: u64, requests: u64, stb: u64, ready: u64, drop: u64, latency: u64) -> Seen {
    let (tx, rx) = std::sync::mpsc::channel();
    let mut sim = Simulation::new();
    sim.add_clock(5, |x: &mut Box<WishboneHost<32, 4>>| x.clock.next = !x.clock.val());
    sim.add_testbench(move |mut sim: Sim<WishboneHost<32, 4>>| {
        let mut x = sim.init()?;
        let mut rng = Rng(seed | 1);
        let mut seen = Seen::default();
        let mut core: Vec<u64> = (0..WORDS).map(|a| a * 3).collect();
        let mut reference = core.clone();
        // The request offered: (write, addr, data, sel), held until taken.
        let mut offer: Option<(bool, u64, u64, u64)> = None;
        // Answers owed to this bus cycle: (err, data) expected.
        let mut owed: VecDeque<(bool, u64)> = VecDeque::new();
        let mut answers: VecDeque<(u64, u64, bool)> = VecDeque::new();
        let (mut sent, mut last_due) = (0u64, 0u64);
        x.reset.next = true;
        wait_clock_cycle!(sim, clock, x);
        x.reset.next = false;
        for cycle in 0..20_000u64 {
            let give_up = offer.is_none() && !owed.is_empty() && rng.chance(drop);
            if offer.is_none() && sent < requests && rng.chance(stb) {
                let addr = if rng.chance(10) { WORDS + rng.next() % 4 } else { rng.next() % WORDS };
                let sel = if rng.chance(5) { 0x7 } else { 0xf };
                offer = Some((rng.chance(50), addr, rng.next() & 0xffff_ffff, sel));
            }
            let (write, addr, data, sel) = offer.unwrap_or((false, 0, 0, 0));
            x.s_wb_cyc.next = !give_up && (offer.is_some() || !owed.is_empty());
            x.s_wb_stb.next = !give_up && offer.is_some();
            x.s_wb_we.next = write;
            x.s_wb_adr.next = addr.to_bits();
            x.s_wb_dat_w.next = data.to_bits();
            x.s_wb_sel.next = sel.to_bits();
            x.req_ready.next = rng.chance(ready);
            let answer = answers.front().filter(|a| a.0 <= cycle).copied();
            x.rsp_valid.next = answer.is_some();
            x.rsp_rdata.next = answer.map_or(0, |a| a.1).to_bits();
            x.rsp_err.next = answer.is_some_and(|a| a.2);
            x = sim.wait(1, x)?;

            if answer.is_some() {
                answers.pop_front();
            }
            let (ack, err) = (x.s_wb_ack.val(), x.s_wb_err.val());
            sim_assert!(sim, !(ack && err), x);
            sim_assert!(sim, !(ack || err) || x.s_wb_cyc.val(), x);
            if ack || err {
                let want = owed.pop_front();
                sim_assert!(sim, want.is_some(), x);
                let (want_err, want_data) = want.unwrap_or_default();
                sim_assert!(sim, err == want_err && (err || x.s_wb_dat_r.val().index() as u64 == want_data), x);
                seen.answers += 1;
            }
            if give_up {
                seen.abandoned += owed.len() as u64;
                owed.clear();
            }
            if x.req_valid.val() && x.req_ready.val() {
                // The core model: in order, an error beyond L·W.
                let (w, a, d) = (x.req_write.val(), x.req_addr.val().index() as u64, x.req_wdata.val().index() as u64);
                let e = a >= WORDS;
                if w && !e {
                    core[a as usize] = d;
                }
                last_due = (cycle + 1 + rng.next() % latency).max(last_due + 1);
                answers.push_back((last_due, if e || w { 0 } else { core[a as usize] }, e));
            }
            if x.s_wb_stb.val() && !x.s_wb_stall.val() {
                // Taken: what Wishbone promises for it.
                let refused = sel != 0xf || addr >= WORDS;
                if write && !refused {
                    reference[addr as usize] = data;
                }
                owed.push_back((refused, if refused || write { 0 } else { reference[addr as usize] }));
                seen.taken.push(cycle);
                offer = None;
                sent += 1;
            }
            wait_clock_cycle!(sim, clock, x);
            if sent == requests && owed.is_empty() && answers.is_empty() {
                break;
            }
        }
        sim_assert!(sim, owed.is_empty() && core == reference, x);
        tx.send(seen).unwrap();
        sim.done(x)
    });
    let mut uut = WishboneHost::<32, 4>::new(&Config::sized(4, 16, 8, 32));
    uut.connect_all();
    sim.run(Box::new(uut), 400_000).unwrap();
    rx.recv().unwrap()
}

#[test]
fn random_requests_given_up_cycles_and_stalls_match_the_reference() {
    for (seed, stb, ready, drop, latency) in [(1, 70, 60, 3, 4), (2, 100, 90, 5, 1), (3, 40, 30, 10, 12), (4, 100, 100, 0, 1)] {
        let seen = run(seed, 600, stb, ready, drop, latency);
        assert_eq!(seen.taken.len(), 600);
        if drop > 0 {
            assert!(seen.abandoned > 0, "seed {seed}: cycles were given up with answers owed");
        }
        assert_eq!(seen.answers + seen.abandoned, 600, "seed {seed}: every request answered or given up");
    }
}

#[test]
fn one_request_a_cycle_with_nothing_pushing_back() {
    let seen = run(5, 100, 100, 100, 0, 1);
    for pair in seen.taken.windows(2) {
        assert_eq!(pair[1], pair[0] + 1, "one request taken every cycle");
    }
}

#[test]
fn wishbone_host_lints_and_synthesizes() {
    crate::test_support::lint::check_block("wishbone_host", WishboneHost::<32, 4>::new(&Config::default()));
}
