//! Test bench of the AXI4 host front end: a manager with random bursts and
//! random back-pressure on all five channels, against a model of the native
//! core with random `req_ready` and random in-order latency. Every answer
//! is checked against a reference that applies the bursts in the order the
//! port took them, and every handshake against the AXI rules.

use super::axi4_host::Axi4Host;
use super::{AxiResp, AXI_BURST_FIXED, AXI_BURST_INCR, AXI_BURST_WRAP};
use crate::test_support::rng::Rng;
use crate::Config;
use rust_hdl::prelude::*;
use std::collections::VecDeque;

/// L·W of the test sizing (L = 4, W = 16).
const WORDS: u64 = 64;
/// The core model refuses writes to this word (as a core out of frames would).
const REFUSED_WORD: u64 = 9;
/// Response slots of the front end.
const SLOTS: u64 = 16;

#[derive(Clone, Debug)]
struct Burst {
    write: bool,
    id: u64,
    /// Byte address.
    addr: u64,
    /// AxLEN: beats − 1.
    len: u64,
    size: u64,
    kind: u64,
    data: Vec<u64>,
    strb: Vec<u64>,
    /// Beats sent with the wrong WLAST.
    wlast_wrong: Vec<bool>,
}

/// Channel readiness and latency, in percent / cycles.
#[derive(Clone, Copy)]
struct Pressure {
    /// Chance a channel with something to send offers it in a cycle.
    valid: u64,
    /// Chance RREADY / BREADY is high in a cycle.
    ready: u64,
    /// Chance the core's `req_ready` is high.
    core_ready: u64,
    /// The core answers 1 ..= this many cycles after accepting (in order).
    core_latency: u64,
}

const NO_PRESSURE: Pressure = Pressure { valid: 100, ready: 100, core_ready: 100, core_latency: 1 };

/// What the bench saw.
#[derive(Default, Debug)]
struct Seen {
    /// Bursts in the order the port took them (index into the burst list).
    taken: Vec<usize>,
    /// R beats: (cycle, id, data, resp, last).
    r: Vec<(u64, u64, u64, u64, bool)>,
    /// B: (cycle, id, resp).
    b: Vec<(u64, u64, u64)>,
    /// Cycles the W channel handed a beat over.
    w_cycles: Vec<u64>,
    /// The core model's memory at the end.
    memory: Vec<u64>,
}

/// Beats of the first `n` write bursts in `taken`.
fn written_beats(bursts: &[Burst], taken: &[usize], n: usize) -> u64 {
    taken.iter().filter(|&&i| bursts[i].write).take(n).map(|&i| bursts[i].len + 1).sum()
}

fn random_bursts(rng: &mut Rng, n: usize) -> Vec<Burst> {
    (0..n)
        .map(|i| {
            let write = rng.chance(50);
            let len = match rng.below(10) {
                0 => rng.below(256),
                1..=3 => 0,
                _ => rng.below(8),
            };
            // Mostly in range; some start near or past the end of memory.
            let word = if rng.chance(10) { WORDS - 4 + rng.below(8) } else { rng.below(WORDS) };
            let mut b = Burst {
                write,
                id: i as u64 % 16,
                addr: word * 4,
                len,
                size: 2,
                kind: AXI_BURST_INCR,
                data: (0..=len).map(|_| rng.next() & 0xffff_ffff).collect(),
                strb: vec![0xf; len as usize + 1],
                wlast_wrong: vec![false; len as usize + 1],
            };
            match rng.below(40) {
                0 => b.size = 1,
                1 => b.kind = [AXI_BURST_FIXED, AXI_BURST_WRAP][rng.below(2) as usize],
                2 => b.addr += 2,
                3 if write => b.strb[rng.below(len + 1) as usize] = 0x7,
                4 if write => b.wlast_wrong[rng.below(len + 1) as usize] = true,
                _ => {}
            }
            b
        })
        .collect()
}

/// Runs `bursts` through the front end; stops `cycles` after the start
/// or when everything was answered.
fn run(bursts: Vec<Burst>, pressure: Pressure, seed: u64, reset_at: Option<u64>) -> Seen {
    let (tx, rx) = std::sync::mpsc::channel();
    let mut sim = Simulation::new();
    sim.add_clock(5, |x: &mut Box<Axi4Host<32, 4>>| x.clock.next = !x.clock.val());
    let total = bursts.len();
    sim.add_testbench(move |mut sim: Sim<Axi4Host<32, 4>>| {
        let mut x = sim.init()?;
        let mut rng = Rng(seed | 1);
        let mut reset_pending = reset_at;
        x.reset.next = true;
        wait_clock_cycle!(sim, clock, x);
        x.reset.next = false;
        // A run; a reset in the middle starts the bursts over on the same
        // port, so anything the reset left behind shows as a mismatch.
        'run: loop {
            let mut seen = Seen::default();
            let (mut aw, mut ar): (VecDeque<usize>, VecDeque<usize>) = (0..total).partition(|&i| bursts[i].write);
            let mut w: VecDeque<(usize, usize)> = VecDeque::new(); // (burst, beat) for bursts whose AW went
            let (mut aw_on, mut ar_on, mut w_on) = (false, false, false);
            let mut memory: Vec<u64> = (0..WORDS).map(|a| a * 0x0101).collect();
            let mut answers: VecDeque<(u64, u64, bool)> = VecDeque::new(); // (due, data, err)
            let (mut reads_issued, mut answered_core) = (0u64, 0u64);
            let mut last_due = 0u64;
            let mut held_r: Option<(u64, u64, u64, bool)> = None;
            let mut held_b: Option<(u64, u64)> = None;
            for cycle in 0..20_000u64 {
                if reset_pending == Some(cycle) {
                    // The reset drops everything in flight, on both sides.
                    reset_pending = None;
                    x.reset.next = true;
                    x.s_axi_awvalid.next = false;
                    x.s_axi_arvalid.next = false;
                    x.s_axi_wvalid.next = false;
                    x.req_ready.next = false;
                    x.rsp_valid.next = false;
                    wait_clock_cycle!(sim, clock, x);
                    x.reset.next = false;
                    continue 'run;
                }
                // The manager: a channel keeps what it offers until it is taken.
                aw_on |= !aw.is_empty() && rng.chance(pressure.valid);
                ar_on |= !ar.is_empty() && rng.chance(pressure.valid);
                w_on |= !w.is_empty() && rng.chance(pressure.valid);
                x.s_axi_awvalid.next = aw_on;
                if let Some(&i) = aw.front() {
                    let b = &bursts[i];
                    x.s_axi_awid.next = b.id.to_bits();
                    x.s_axi_awaddr.next = b.addr.to_bits();
                    x.s_axi_awlen.next = b.len.to_bits();
                    x.s_axi_awsize.next = b.size.to_bits();
                    x.s_axi_awburst.next = b.kind.to_bits();
                }
                x.s_axi_arvalid.next = ar_on;
                if let Some(&i) = ar.front() {
                    let b = &bursts[i];
                    x.s_axi_arid.next = b.id.to_bits();
                    x.s_axi_araddr.next = b.addr.to_bits();
                    x.s_axi_arlen.next = b.len.to_bits();
                    x.s_axi_arsize.next = b.size.to_bits();
                    x.s_axi_arburst.next = b.kind.to_bits();
                }
                x.s_axi_wvalid.next = w_on;
                if let Some(&(i, beat)) = w.front() {
                    let b = &bursts[i];
                    x.s_axi_wdata.next = b.data[beat].to_bits();
                    x.s_axi_wstrb.next = b.strb[beat].to_bits();
                    x.s_axi_wlast.next = (beat as u64 == b.len) != b.wlast_wrong[beat];
                }
                x.s_axi_rready.next = rng.chance(pressure.ready);
                x.s_axi_bready.next = rng.chance(pressure.ready);
                // The core model.
                x.req_ready.next = rng.chance(pressure.core_ready);
                let answer = answers.front().filter(|a| a.0 <= cycle).copied();
                x.rsp_valid.next = answer.is_some();
                x.rsp_rdata.next = answer.map_or(0, |a| a.1).to_bits();
                x.rsp_err.next = answer.is_some_and(|a| a.2);
                x = sim.wait(1, x)?;

                // What happens at the coming edge.
                if answer.is_some() {
                    answers.pop_front();
                    answered_core += 1;
                }
                if x.req_valid.val() && x.req_ready.val() {
                    let (write, addr, data) = (x.req_write.val(), x.req_addr.val().index() as u64, x.req_wdata.val().index() as u64);
                    let err = addr >= WORDS || (write && addr == REFUSED_WORD);
                    let rdata = if err || write { 0 } else { memory[addr as usize] };
                    if write && !err {
                        memory[addr as usize] = data;
                    }
                    last_due = (cycle + 1 + rng.below(pressure.core_latency)).max(last_due + 1);
                    answers.push_back((last_due, rdata, err));
                    reads_issued += !write as u64;
                }
                if x.s_axi_awvalid.val() && x.s_axi_awready.val() {
                    let i = aw.pop_front().unwrap();
                    w.extend((0..=bursts[i].len as usize).map(|beat| (i, beat)));
                    seen.taken.push(i);
                    aw_on = false;
                }
                if x.s_axi_arvalid.val() && x.s_axi_arready.val() {
                    let i = ar.pop_front().unwrap();
                    seen.taken.push(i);
                    ar_on = false;
                }
                sim_assert!(sim, !(x.s_axi_awready.val() && x.s_axi_arready.val()), x);
                if x.s_axi_wvalid.val() && x.s_axi_wready.val() {
                    w.pop_front();
                    seen.w_cycles.push(cycle);
                    w_on = false;
                }
                // Answers: held ones must not change, and none shows before the
                // core answered every beat it stands for.
                let bus_beats = seen.r.len() as u64 + written_beats(&bursts, &seen.taken, seen.b.len());
                if x.s_axi_rvalid.val() {
                    let r = (x.s_axi_rid.val().index() as u64, x.s_axi_rdata.val().index() as u64, x.s_axi_rresp.val().index() as u64, x.s_axi_rlast.val());
                    sim_assert!(sim, held_r.is_none_or(|h| h == r), x);
                    sim_assert!(sim, bus_beats < answered_core, x);
                    held_r = Some(r);
                    if x.s_axi_rready.val() {
                        seen.r.push((cycle, r.0, r.1, r.2, r.3));
                        held_r = None;
                    }
                } else {
                    sim_assert!(sim, held_r.is_none(), x);
                }
                if x.s_axi_bvalid.val() {
                    let b = (x.s_axi_bid.val().index() as u64, x.s_axi_bresp.val().index() as u64);
                    sim_assert!(sim, held_b.is_none_or(|h| h == b), x);
                    let through = written_beats(&bursts, &seen.taken, seen.b.len() + 1);
                    sim_assert!(sim, seen.r.len() as u64 + through <= answered_core, x);
                    held_b = Some(b);
                    if x.s_axi_bready.val() {
                        seen.b.push((cycle, b.0, b.1));
                        held_b = None;
                    }
                } else {
                    sim_assert!(sim, held_b.is_none(), x);
                }
                // A read beat holds its slot until R takes it.
                sim_assert!(sim, reads_issued - seen.r.len() as u64 <= SLOTS, x);
                let done = seen.r.len() as u64 == bursts.iter().filter(|b| !b.write).map(|b| b.len + 1).sum::<u64>()
                    && seen.b.len() == bursts.iter().filter(|b| b.write).count();
                wait_clock_cycle!(sim, clock, x);
                if done {
                    break;
                }
            }
            seen.memory = memory;
            tx.send(seen).unwrap();
            return sim.done(x);
        }
    });
    let mut uut = Axi4Host::<32, 4>::new(&Config { pages: 4, page_words: 16, frames: 8, ..Config::default() });
    uut.connect_all();
    sim.run(Box::new(uut), 400_000).unwrap();
    rx.recv().unwrap()
}

/// R beats (id, data, resp, last), B responses (id, resp), the memory.
type Expected = (Vec<(u64, u64, u64, bool)>, Vec<(u64, u64)>, Vec<u64>);

/// The answers AXI promises for `bursts` applied in `order`: R beats
/// (id, data, resp, last), B (id, resp), and the memory after them.
fn reference(bursts: &[Burst], order: &[usize]) -> Expected {
    let mut memory: Vec<u64> = (0..WORDS).map(|a| a * 0x0101).collect();
    let (mut r, mut b) = (Vec::new(), Vec::new());
    for &i in order {
        let burst = &bursts[i];
        let refused = burst.size != 2 || burst.kind != AXI_BURST_INCR || !burst.addr.is_multiple_of(4);
        let mut worst = AxiResp::Okay;
        for beat in 0..=burst.len as usize {
            let word = burst.addr / 4 + beat as u64;
            let resp = if refused {
                AxiResp::SlvErr
            } else if word >= WORDS {
                AxiResp::DecErr
            } else if burst.write && (burst.strb[beat] != 0xf || burst.wlast_wrong[beat] || word == REFUSED_WORD) {
                AxiResp::SlvErr
            } else {
                AxiResp::Okay
            };
            if burst.write {
                if resp == AxiResp::Okay {
                    memory[word as usize] = burst.data[beat];
                }
                worst = worst.max(resp);
            } else {
                let data = if resp == AxiResp::Okay { memory[word as usize] } else { 0 };
                r.push((burst.id, data, resp as u64, beat as u64 == burst.len));
            }
        }
        if burst.write {
            b.push((burst.id, worst as u64));
        }
    }
    (r, b, memory)
}

fn check(bursts: &[Burst], seen: &Seen) {
    assert_eq!(seen.taken.len(), bursts.len(), "every burst is taken");
    let (r, b, memory) = reference(bursts, &seen.taken);
    let seen_r: Vec<_> = seen.r.iter().map(|&(_, id, d, resp, last)| (id, d, resp, last)).collect();
    let seen_b: Vec<_> = seen.b.iter().map(|&(_, id, resp)| (id, resp)).collect();
    assert_eq!(seen_r.len(), r.len(), "R beats");
    for (k, (s, e)) in seen_r.iter().zip(&r).enumerate() {
        assert_eq!(s, e, "R beat {k} (id, data, resp, last)");
    }
    assert_eq!(seen_b, b, "B responses (id, resp)");
    assert_eq!(seen.memory, memory, "memory after every burst");
}

#[test]
fn random_bursts_with_back_pressure_on_every_channel_match_the_reference() {
    for (seed, pressure) in [
        (1u64, Pressure { valid: 60, ready: 50, core_ready: 70, core_latency: 4 }),
        (2, Pressure { valid: 90, ready: 20, core_ready: 90, core_latency: 1 }),
        (3, Pressure { valid: 30, ready: 90, core_ready: 30, core_latency: 24 }),
        (4, NO_PRESSURE),
    ] {
        let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        let bursts = random_bursts(&mut rng, 80);
        let seen = run(bursts.clone(), pressure, seed, None);
        check(&bursts, &seen);
    }
}

fn burst(write: bool, word: u64, beats: u64) -> Burst {
    Burst {
        write,
        id: 3,
        addr: word * 4,
        len: beats - 1,
        size: 2,
        kind: AXI_BURST_INCR,
        data: (0..beats).map(|k| 0xa000 + k).collect(),
        strb: vec![0xf; beats as usize],
        wlast_wrong: vec![false; beats as usize],
    }
}

#[test]
fn bursts_stream_one_beat_a_cycle_back_to_back() {
    // A read burst of 16 then two write bursts of 16, nothing pushing
    // back, the core answering the cycle after it accepts. Out of reset
    // a read is taken first when both wait.
    let bursts = vec![burst(false, 8, 16), burst(true, 0, 16), burst(true, 16, 16)];
    let seen = run(bursts.clone(), NO_PRESSURE, 7, None);
    check(&bursts, &seen);
    assert_eq!(seen.taken, vec![0, 1, 2]);
    // AR in cycle 0; its beats go to the core in 1..=16, are answered a
    // cycle later and show on R the cycle after that: 3..=18, one a cycle.
    let r_cycles: Vec<u64> = seen.r.iter().map(|r| r.0).collect();
    assert_eq!(r_cycles, (3..=18).collect::<Vec<u64>>());
    // The first AW is taken with the last read beat (cycle 16), its beats
    // follow in 17..=32; the second AW with the last of those, its beats
    // in 33..=48: no gap between bursts.
    assert_eq!(seen.w_cycles, (17..=48).collect::<Vec<u64>>());
    // B: a burst's last beat goes to the core in cycle 32 (48), is
    // answered in 33 (49) and shows on B in 34 (50).
    assert_eq!(seen.b.iter().map(|b| b.0).collect::<Vec<u64>>(), vec![34, 50]);
}

#[test]
fn a_manager_that_stops_reading_stops_the_port_without_losing_answers() {
    // RREADY high 5 % of the cycles: the port fills its 16 slots and waits
    // (the bench asserts never more than 16 unanswered beats), then every
    // beat arrives in order.
    let bursts = vec![burst(true, 0, 64), burst(false, 0, 64), burst(false, 0, 40)];
    let seen = run(bursts.clone(), Pressure { valid: 100, ready: 5, core_ready: 100, core_latency: 3 }, 11, None);
    check(&bursts, &seen);
}

#[test]
fn a_reset_drops_the_bursts_in_flight_and_the_port_starts_clean() {
    // A reset in the middle of a burst, with answers queued and beats in
    // the core; the bench then starts every burst over on the same port
    // (and a fresh core model): a stuck pointer, a half burst or a stale
    // answer would show as a mismatch.
    let bursts = vec![burst(false, 0, 32), burst(true, 0, 32), burst(false, 0, 32)];
    for reset_at in [1, 6, 20, 40] {
        let seen = run(bursts.clone(), Pressure { valid: 70, ready: 40, core_ready: 70, core_latency: 3 }, 5, Some(reset_at));
        check(&bursts, &seen);
    }
}

#[test]
fn axi4_host_lints_and_synthesizes() {
    crate::test_support::lint::check_block("axi4_host", Axi4Host::<32, 4>::new(&Config::default()));
}
