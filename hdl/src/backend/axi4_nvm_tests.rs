//! Test bench of the AXI4 NVM back end: a core model offering random
//! reads and writes on the native port, against an AXI4 subordinate model
//! with random back-pressure on AR, AW and W and random latency on R and B.
//! The subordinate is as unhelpful as AXI allows between its channels: a
//! write lands the moment its AW and W are both in, a read takes its data
//! only when its R is presented — so a read let out past an unanswered
//! write, or a write past an unanswered read, returns the wrong word.
//! Copies (`COPY_FLAG`) come as the COW engine sends them: a page's words
//! from one region to another, with one plain write into the destination
//! among them, started only when nothing is in flight, in bursts
//! (`BURST_OPENS`, `BURST_FOLLOWS`); zero fills likewise, without copies;
//! and runs of writes to neighbouring words gathered into one burst as the
//! commit writer and the harden send them (`BURST_GATHERS`).
//! Every answer is checked against memory applied in request order, and
//! every handshake against the AXI rules.

use super::axi4_nvm::Axi4Nvm;
use crate::frontend::AXI_BURST_INCR;
use crate::nvm_arbiter::{BURST_FOLLOWS, BURST_GATHERS, BURST_OPENS, COPY_FLAG, MAX_GATHER_WORDS};
use crate::test_support::rng::Rng;
use rust_hdl::prelude::*;
use std::collections::VecDeque;

const WORDS: u64 = 64;

#[derive(Clone, Copy, Debug, PartialEq)]
struct Request {
    write: bool,
    addr: u64,
    data: u64,
    /// A copy from this word to `addr` (a write).
    from: Option<u64>,
    /// Offered only once every earlier request is answered.
    alone: bool,
    /// Opens a burst, follows in one, or gathers the next write into its
    /// burst (`BURST_OPENS`, `BURST_FOLLOWS`, `BURST_GATHERS`).
    burst: u64,
}

impl Request {
    fn read(addr: u64) -> Request {
        Request { write: false, addr, data: 0, from: None, alone: false, burst: 0 }
    }

    fn write(addr: u64, data: u64) -> Request {
        Request { write: true, addr, data, from: None, alone: false, burst: 0 }
    }

    /// What the core puts on the port.
    fn pins(&self) -> (bool, u64, u64) {
        match self.from {
            Some(from) => (true, self.addr | self.burst | COPY_FLAG, from),
            None => (self.write, self.addr | self.burst, self.data),
        }
    }

    /// It has an answer of its own (it neither follows in a burst nor
    /// gathers the next write into one).
    fn answered(&self) -> bool {
        self.burst & BURST_FOLLOWS == 0
    }
}

/// Words of one copied "page" in the bench, and of a burst: two a page.
const PAGE: u64 = 16;
const BURST: u64 = 8;

#[derive(Clone, Copy)]
struct Pressure {
    /// Chance the core offers its next request in a cycle.
    valid: u64,
    /// Chance ARREADY / AWREADY / WREADY is high in a cycle.
    ready: u64,
    /// R and B come 1 ..= this many cycles after their request.
    latency: u64,
    /// WREADY only while a write burst's AW is in (the subordinate takes
    /// no W before its AW).
    w_waits_for_aw: bool,
}

const NO_PRESSURE: Pressure = Pressure { valid: 100, ready: 100, latency: 1, w_waits_for_aw: false };

/// What the subordinate may do wrong, to see the checks fail.
#[derive(Clone, Copy, Default)]
struct Misbehave {
    /// Answer this B with SLVERR (its index among the writes).
    slverr_b: Option<usize>,
    /// Present an R in this cycle with nothing asked.
    stray_r_at: Option<u64>,
    /// RLAST on every R beat.
    rlast_always: bool,
}

#[derive(Default, Debug)]
struct Seen {
    /// (cycle the core's request was accepted, request).
    accepted: Vec<(u64, Request)>,
    /// (cycle, data) of every answer to the core.
    answers: Vec<(u64, u64)>,
    /// Cycles an AR, an AW, a W was taken, and AxLEN + 1 of the ARs, AWs.
    ar: Vec<u64>,
    aw: Vec<u64>,
    w: Vec<u64>,
    ar_beats: Vec<u64>,
    aw_beats: Vec<u64>,
    /// `bus_error` at the end.
    bus_error: bool,
    /// The subordinate's memory at the end.
    memory: Vec<u64>,
}

fn random_requests(rng: &mut Rng, n: usize) -> Vec<Request> {
    // Runs of one kind and switches, on a few words so reads meet writes,
    // and now and then a page copied as the COW engine does it.
    let mut write = false;
    let mut v = Vec::new();
    while v.len() < n {
        if rng.chance(6) {
            // After a read no write is in flight when the copies go out, so
            // they need not wait for the read's answer; the back end must
            // still tell the read's R from the copies'.
            let after_read = v.last().is_some_and(|r: &Request| !r.write);
            // Now and then the host's word opens a burst (its AR then
            // starts at the next word), or the page is zero-filled.
            let offset = if rng.chance(30) { BURST * rng.below(PAGE / BURST) } else { rng.below(PAGE) };
            let (from, to) = (rng.below(WORDS / PAGE), rng.below(WORDS / PAGE));
            let mut copy = if rng.chance(20) { zero_fill(to, offset, rng.next() & 0xffff_ffff) } else { page_copy(from, to, offset, rng.next() & 0xffff_ffff) };
            copy[0].alone = !after_read;
            v.extend(copy);
            continue;
        }
        if rng.chance(5) {
            // A gathered run, inside an aligned block as its senders keep it.
            let at = rng.below(WORDS);
            let len = 1 + rng.below(MAX_GATHER_WORDS - at % MAX_GATHER_WORDS);
            v.extend(gathered(at, len, rng.next() & 0xffff));
            continue;
        }
        if rng.chance(30) {
            write = !write;
        }
        let addr = rng.below(WORDS / 4) * 3;
        v.push(if write { Request::write(addr, rng.next() & 0xffff_ffff) } else { Request::read(addr) });
    }
    v
}

/// Page `from` copied to page `to` (another, unless equal: then the next),
/// the word at `offset` written with `data` instead; in bursts.
fn page_copy(from: u64, to: u64, offset: u64, data: u64) -> Vec<Request> {
    let to = if to == from { (to + 1) % (WORDS / PAGE) } else { to };
    (0..PAGE)
        .map(|i| {
            let dst = to * PAGE + i;
            let mut r = if i == offset { Request::write(dst, data) } else { Request { from: Some(from * PAGE + i), ..Request::write(dst, 0) } };
            r.alone = i == 0;
            r.burst = if i.is_multiple_of(BURST) { BURST_OPENS } else { BURST_FOLLOWS };
            r
        })
        .collect()
}

/// `len` writes from `at` gathered into one burst, as the commit writer
/// and the harden send them: each but the last says the next joins it.
fn gathered(at: u64, len: u64, data: u64) -> Vec<Request> {
    (0..len).map(|i| Request { burst: if i + 1 < len { BURST_GATHERS } else { 0 }, ..Request::write(at + i, data + i) }).collect()
}

/// Page `to` zero-filled, the word at `offset` written with `data`; in
/// bursts: a page copy's requests without their sources (a copy's data is
/// 0).
fn zero_fill(to: u64, offset: u64, data: u64) -> Vec<Request> {
    page_copy(0, to, offset, data).into_iter().map(|r| Request { from: None, ..r }).collect()
}

fn run(requests: Vec<Request>, pressure: Pressure, seed: u64, misbehave: Misbehave) -> Seen {
    let (tx, rx) = std::sync::mpsc::channel();
    let mut sim = Simulation::new();
    sim.add_clock(5, |x: &mut Box<Axi4Nvm<32, 4>>| x.clock.next = !x.clock.val());
    sim.add_testbench(move |mut sim: Sim<Axi4Nvm<32, 4>>| {
        let mut x = sim.init()?;
        let mut rng = Rng(seed | 1);
        x.reset.next = true;
        wait_clock_cycle!(sim, clock, x);
        x.reset.next = false;
        let mut seen = Seen::default();
        let mut memory: Vec<u64> = (0..WORDS).map(|a| a * 0x0101).collect();
        let mut next = 0usize;
        let mut offering = false;
        // Subordinate: R beats (due, byte address, last), AWs (byte
        // address, beats, beats landed) and W beats (data, last) waiting
        // for each other, B (due, resp).
        let mut reads: VecDeque<(u64, u64, bool)> = VecDeque::new();
        let mut aws: VecDeque<(u64, u64, u64)> = VecDeque::new();
        let mut ws: VecDeque<(u64, bool)> = VecDeque::new();
        let mut bs: VecDeque<(u64, u64)> = VecDeque::new();
        let (mut last_r, mut last_b, mut writes_done) = (0u64, 0u64, 0usize);
        let mut held: [Option<(u64, u64)>; 3] = [None; 3]; // AR, AW, W: (payload, payload)
        for cycle in 0..20_000u64 {
            // The core offers its next request until it is taken.
            let r = requests.get(next).copied().unwrap_or(Request::read(0));
            let drained = seen.answers.len() == seen.accepted.iter().filter(|a| a.1.answered()).count();
            offering |= next < requests.len() && rng.chance(pressure.valid) && (!r.alone || drained);
            let (write, addr, data) = r.pins();
            x.core.req_valid.next = offering;
            x.core.req_write.next = write;
            x.core.req_addr.next = addr.to_bits();
            x.core.req_wdata.next = data.to_bits();
            x.m_axi_arready.next = rng.chance(pressure.ready);
            x.m_axi_awready.next = rng.chance(pressure.ready);
            x.m_axi_wready.next = rng.chance(pressure.ready) && (!pressure.w_waits_for_aw || !aws.is_empty());
            let r_due = reads.front().filter(|r| r.0 <= cycle).copied();
            let stray = misbehave.stray_r_at == Some(cycle);
            x.m_axi_rvalid.next = r_due.is_some() || stray;
            x.m_axi_rdata.next = r_due.map_or(0, |r| memory[(r.1 / 4) as usize]).to_bits();
            x.m_axi_rresp.next = 0.into();
            x.m_axi_rlast.next = r_due.is_none_or(|r| r.2) || misbehave.rlast_always;
            x.m_axi_rid.next = 0.into();
            let b_due = bs.front().filter(|b| b.0 <= cycle).copied();
            x.m_axi_bvalid.next = b_due.is_some();
            x.m_axi_bresp.next = b_due.map_or(0, |b| b.1).to_bits();
            x.m_axi_bid.next = 0.into();
            x = sim.wait(1, x)?;

            // What happens at the coming edge.
            if x.core.rsp_valid.val() {
                seen.answers.push((cycle, x.core.rsp_rdata.val().index() as u64));
            }
            if offering && x.core.req_ready.val() {
                seen.accepted.push((cycle, r));
                next += 1;
                offering = false;
            }
            if r_due.is_some() && x.m_axi_rready.val() {
                reads.pop_front();
            }
            if b_due.is_some() {
                sim_assert!(sim, x.m_axi_bready.val(), x);
                bs.pop_front();
            }
            // Valid held, payload stable, until taken; full beats, bursts
            // within a 4 KB page.
            let channels = [
                (x.m_axi_arvalid.val(), x.m_axi_arready.val(), x.m_axi_araddr.val().index() as u64, x.m_axi_arlen.val().index() as u64),
                (x.m_axi_awvalid.val(), x.m_axi_awready.val(), x.m_axi_awaddr.val().index() as u64, x.m_axi_awlen.val().index() as u64),
                (x.m_axi_wvalid.val(), x.m_axi_wready.val(), x.m_axi_wdata.val().index() as u64, x.m_axi_wlast.val() as u64),
            ];
            for (k, &(valid, ready, payload, extra)) in channels.iter().enumerate() {
                sim_assert!(sim, held[k].is_none_or(|h| valid && h == (payload, extra)), x);
                held[k] = (valid && !ready).then_some((payload, extra));
            }
            for (valid, addr, len, size, burst) in [
                (
                    x.m_axi_arvalid.val(),
                    x.m_axi_araddr.val().index() as u64,
                    x.m_axi_arlen.val().index() as u64,
                    x.m_axi_arsize.val().index(),
                    x.m_axi_arburst.val().index(),
                ),
                (
                    x.m_axi_awvalid.val(),
                    x.m_axi_awaddr.val().index() as u64,
                    x.m_axi_awlen.val().index() as u64,
                    x.m_axi_awsize.val().index(),
                    x.m_axi_awburst.val().index(),
                ),
            ] {
                sim_assert!(
                    sim,
                    !valid || (size, burst) == (2, AXI_BURST_INCR as usize) && len < BURST.max(MAX_GATHER_WORDS) && addr % 4096 + 4 * (len + 1) <= 4096,
                    x
                );
            }
            if x.m_axi_wvalid.val() {
                sim_assert!(sim, x.m_axi_wstrb.val().index() == 0xf, x);
            }
            if x.m_axi_arvalid.val() && x.m_axi_arready.val() {
                let (addr, beats) = (x.m_axi_araddr.val().index() as u64, x.m_axi_arlen.val().index() as u64 + 1);
                for beat in 0..beats {
                    last_r = (cycle + 1 + rng.below(pressure.latency)).max(last_r + 1);
                    reads.push_back((last_r, addr + 4 * beat, beat + 1 == beats));
                }
                seen.ar.push(cycle);
                seen.ar_beats.push(beats);
            }
            if x.m_axi_awvalid.val() && x.m_axi_awready.val() {
                let beats = x.m_axi_awlen.val().index() as u64 + 1;
                aws.push_back((x.m_axi_awaddr.val().index() as u64, beats, 0));
                seen.aw.push(cycle);
                seen.aw_beats.push(beats);
            }
            if x.m_axi_wvalid.val() && x.m_axi_wready.val() {
                ws.push_back((x.m_axi_wdata.val().index() as u64, x.m_axi_wlast.val()));
                seen.w.push(cycle);
            }
            // A beat lands when its AW and W are both in; WLAST on the last.
            while let (Some(aw), Some(&(data, last))) = (aws.front_mut(), ws.front()) {
                ws.pop_front();
                memory[(aw.0 / 4 + aw.2) as usize] = data;
                aw.2 += 1;
                sim_assert!(sim, last == (aw.2 == aw.1), x);
                if aw.2 == aw.1 {
                    aws.pop_front();
                    last_b = (cycle + 1 + rng.below(pressure.latency)).max(last_b + 1);
                    let resp = if misbehave.slverr_b == Some(writes_done) { 2 } else { 0 };
                    bs.push_back((last_b, resp));
                    writes_done += 1;
                }
            }
            wait_clock_cycle!(sim, clock, x);
            if seen.answers.len() == requests.iter().filter(|r| r.answered()).count()
                && reads.is_empty()
                && bs.is_empty()
                && cycle > misbehave.stray_r_at.unwrap_or(0)
            {
                break;
            }
        }
        seen.bus_error = x.bus_error.val();
        seen.memory = memory;
        tx.send(seen).unwrap();
        sim.done(x)
    });
    let mut uut = Axi4Nvm::<32, 4>::new(BURST as usize);
    uut.connect_all();
    sim.run(Box::new(uut), 400_000).unwrap();
    rx.recv().unwrap()
}

/// The answers the native port promises: in request order, a read the
/// word as every earlier write left it (a write's answer carries no data:
/// `None`; a burst has one answer, its opener's).
fn reference(requests: &[Request]) -> Vec<Option<u64>> {
    reference_with_memory(requests).0
}

/// The answers and the memory after them.
fn reference_with_memory(requests: &[Request]) -> (Vec<Option<u64>>, Vec<u64>) {
    let mut memory: Vec<u64> = (0..WORDS).map(|a| a * 0x0101).collect();
    let answers = requests
        .iter()
        .filter_map(|r| {
            let answer = if r.write {
                memory[r.addr as usize] = r.from.map_or(r.data, |from| memory[from as usize]);
                None
            } else {
                Some(memory[r.addr as usize])
            };
            r.answered().then_some(answer)
        })
        .collect();
    (answers, memory)
}

#[test]
fn random_requests_under_back_pressure_are_answered_in_order_with_the_right_data() {
    for (seed, pressure) in [
        (1u64, Pressure { valid: 70, ready: 50, latency: 4, w_waits_for_aw: false }),
        (2, Pressure { valid: 100, ready: 30, latency: 12, w_waits_for_aw: false }),
        (5, Pressure { valid: 100, ready: 100, latency: 30, w_waits_for_aw: false }),
        (3, Pressure { valid: 40, ready: 90, latency: 1, w_waits_for_aw: false }),
        (4, NO_PRESSURE),
        (6, Pressure { valid: 100, ready: 70, latency: 3, w_waits_for_aw: true }),
    ] {
        let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        let requests = random_requests(&mut rng, 500);
        let seen = run(requests.clone(), pressure, seed, Misbehave::default());
        assert_eq!(seen.accepted.iter().map(|a| a.1).collect::<Vec<_>>(), requests, "seed {seed}: every request taken, in order");
        let data: Vec<u64> = seen.answers.iter().map(|a| a.1).collect();
        let answered: Vec<&Request> = requests.iter().filter(|r| r.answered()).collect();
        assert_eq!(data.len(), answered.len(), "seed {seed}: one answer a request, one a burst");
        for (k, (got, want)) in data.iter().zip(reference(&requests)).enumerate() {
            assert!(want.is_none_or(|w| w == *got), "seed {seed}: answer {k} ({:?}): {got:#x}, not {want:x?}", answered[k]);
        }
        assert!(!seen.bus_error, "seed {seed}: no error on a well-behaved bus");
        assert_eq!(seen.memory, reference_with_memory(&requests).1, "seed {seed}: memory after every request");
        let copies = requests.iter().filter(|r| r.from.is_some()).count();
        assert!(copies > 40, "seed {seed}: {copies} copies");
        let (ar_beats, aw_beats) = bursts(&requests);
        assert!(aw_beats.iter().filter(|&&b| b == BURST).count() > 10, "seed {seed}: bursts");
        let runs = requests.windows(2).filter(|w| w[0].burst == BURST_GATHERS && w[1].burst == 0).count();
        assert!(runs > 3, "seed {seed}: {runs} gathered runs");
        assert_eq!((&seen.ar_beats, &seen.aw_beats), (&ar_beats, &aw_beats), "seed {seed}: the ARs and AWs, with their lengths");
        assert_eq!(seen.w.len(), requests.iter().filter(|r| r.write).count(), "seed {seed}: a W beat a write");
    }
}

/// The ARs and AWs the requests make (their beats): an AR a read, an AW a
/// write outside a burst, one AW a burst (opened, or gathered up to the
/// write that closes it), and one AR a burst of copies, from its first
/// copy to its end.
fn bursts(requests: &[Request]) -> (Vec<u64>, Vec<u64>) {
    let (mut ar, mut aw) = (Vec::new(), Vec::new());
    let mut k = 0;
    while k < requests.len() {
        let r = requests[k];
        let len = match r.burst {
            BURST_OPENS => BURST as usize,
            BURST_GATHERS => 1 + requests[k..].iter().take_while(|r| r.burst == BURST_GATHERS).count(),
            _ => 1,
        };
        if !r.write {
            ar.push(1);
        } else {
            aw.push(len as u64);
            if let Some(first_copy) = requests[k..k + len].iter().position(|r| r.from.is_some()) {
                ar.push((len - first_copy) as u64);
            }
        }
        k += len;
    }
    (ar, aw)
}

#[test]
fn a_run_of_one_kind_streams_one_a_cycle_and_answers_three_cycles_after_the_request() {
    let reads: Vec<Request> = (0..8).map(Request::read).collect();
    let writes: Vec<Request> = (0..8).map(|a| Request::write(a, 0x100 + a)).collect();
    for requests in [reads, writes] {
        let seen = run(requests.clone(), NO_PRESSURE, 1, Misbehave::default());
        let accepted: Vec<u64> = seen.accepted.iter().map(|a| a.0).collect();
        let first = accepted[0];
        assert_eq!(accepted, (first..first + 8).collect::<Vec<_>>(), "one request taken a cycle");
        let bus = if requests[0].write { &seen.aw } else { &seen.ar };
        let next: Vec<u64> = accepted.iter().map(|c| c + 1).collect();
        assert_eq!(bus, &next, "each on the bus the cycle after the core offers it (from its slot)");
        // A zero-wait subordinate answers the cycle after; the core has it the next.
        let answered: Vec<u64> = seen.answers.iter().map(|a| a.0).collect();
        assert_eq!(answered, accepted.iter().map(|c| c + 3).collect::<Vec<_>>());
    }
}

#[test]
fn a_page_copy_is_one_burst_each_way_streaming_one_word_a_cycle() {
    let requests: Vec<Request> = page_copy(1, 2, 3, 0xbeef).into_iter().take(BURST as usize).collect();
    let seen = run(requests.clone(), NO_PRESSURE, 1, Misbehave::default());
    let accepted: Vec<u64> = seen.accepted.iter().map(|a| a.0).collect();
    let first = accepted[0];
    assert_eq!(accepted, (first..first + BURST).collect::<Vec<_>>(), "one copy taken a cycle");
    // One AR and one AW of the whole burst, the cycle after the core
    // offers its first word; the W beats from the R beats two cycles
    // later (R, then the copy data slot), the host's word's among them
    // (its R beat dropped); the one answer two cycles after the last.
    assert_eq!((seen.ar.clone(), seen.ar_beats.clone()), (vec![first + 1], vec![BURST]));
    assert_eq!((seen.aw.clone(), seen.aw_beats.clone()), (vec![first + 1], vec![BURST]));
    assert_eq!(seen.w, (first + 3..first + 3 + BURST).collect::<Vec<_>>(), "the W beats stream");
    assert_eq!(seen.answers.iter().map(|a| a.0).collect::<Vec<_>>(), vec![first + BURST + 4]);
    assert_eq!(seen.memory, reference_with_memory(&requests).1);
    // The host's word opens the burst: its W goes at once with the AW,
    // the AR (of the rest) with the first copy, a cycle later.
    let requests: Vec<Request> = page_copy(1, 2, 0, 0xbeef).into_iter().take(BURST as usize).collect();
    let seen = run(requests.clone(), NO_PRESSURE, 1, Misbehave::default());
    let first = seen.accepted[0].0;
    assert_eq!((seen.aw.clone(), seen.aw_beats.clone()), (vec![first + 1], vec![BURST]));
    assert_eq!((seen.ar.clone(), seen.ar_beats.clone()), (vec![first + 2], vec![BURST - 1]));
    let mut w = vec![first + 1];
    w.extend(first + 4..first + 3 + BURST);
    assert_eq!(seen.w, w);
    assert_eq!(seen.answers.iter().map(|a| a.0).collect::<Vec<_>>(), vec![first + BURST + 4]);
    assert_eq!(seen.memory, reference_with_memory(&requests).1);
}

/// A commit record's words 1–7 (slot 1: words 9–15) gathered: each W beat
/// goes the cycle after its request, the AW with the closing write's, and
/// the one answer is as early as a burst whose AW went first.
#[test]
fn a_gathered_run_sends_its_w_beats_at_once_and_its_aw_with_the_last() {
    let requests = gathered(9, 7, 0x50);
    let seen = run(requests.clone(), NO_PRESSURE, 1, Misbehave::default());
    let first = seen.accepted[0].0;
    assert_eq!(seen.accepted.iter().map(|a| a.0).collect::<Vec<_>>(), (first..first + 7).collect::<Vec<_>>());
    assert_eq!((seen.aw.clone(), seen.aw_beats.clone()), (vec![first + 7], vec![7]));
    assert_eq!(seen.w, (first + 1..first + 8).collect::<Vec<_>>());
    assert_eq!(seen.answers.iter().map(|a| a.0).collect::<Vec<_>>(), vec![first + 7 + 2]);
    assert_eq!(seen.memory, reference_with_memory(&requests).1);
    // A subordinate that takes no W before its AW: the longest run still
    // goes in one request a cycle (its beats wait in the W queue), then
    // streams one beat a cycle behind its AW.
    let requests = gathered(16, MAX_GATHER_WORDS, 0x70);
    let seen = run(requests.clone(), Pressure { w_waits_for_aw: true, ..NO_PRESSURE }, 1, Misbehave::default());
    let first = seen.accepted[0].0;
    let n = MAX_GATHER_WORDS;
    assert_eq!(seen.accepted.iter().map(|a| a.0).collect::<Vec<_>>(), (first..first + n).collect::<Vec<_>>());
    assert_eq!((seen.aw.clone(), seen.aw_beats.clone()), (vec![first + n], vec![n]));
    assert_eq!(seen.w, (first + n + 1..first + 2 * n + 1).collect::<Vec<_>>());
    assert_eq!(seen.answers.iter().map(|a| a.0).collect::<Vec<_>>(), vec![first + 2 * n + 2]);
    assert_eq!(seen.memory, reference_with_memory(&requests).1);
}

#[test]
fn a_zero_fill_is_one_write_burst_a_beat_a_cycle() {
    let requests = zero_fill(2, 5, 0xbeef);
    let seen = run(requests.clone(), NO_PRESSURE, 1, Misbehave::default());
    let first = seen.accepted[0].0;
    assert!(seen.ar.is_empty());
    assert_eq!((seen.aw.clone(), seen.aw_beats.clone()), (vec![first + 1, first + 1 + BURST], vec![BURST, BURST]));
    assert_eq!(seen.w, (first + 1..first + 1 + PAGE).collect::<Vec<_>>(), "W with the requests, one a cycle");
    assert_eq!(seen.answers.iter().map(|a| a.0).collect::<Vec<_>>(), vec![first + BURST + 2, first + PAGE + 2]);
    assert_eq!(seen.memory, reference_with_memory(&requests).1);
}

#[test]
fn a_read_after_a_write_waits_for_its_b() {
    let requests = vec![Request::write(5, 77), Request::read(5)];
    let seen = run(requests, NO_PRESSURE, 1, Misbehave::default());
    assert_eq!(seen.answers[1].1, 77);
    // AW at c, B at c + 1, the count clears at c + 2: the AR goes out then.
    assert_eq!(seen.ar[0], seen.aw[0] + 2);
    assert_eq!(seen.answers[1].0, seen.ar[0] + 2);
}

#[test]
fn an_error_answer_or_an_answer_to_nothing_raises_bus_error() {
    let mut rng = Rng(5);
    let requests = random_requests(&mut rng, 40);
    let first_write = requests.iter().position(|r| r.write).is_some();
    assert!(first_write);
    let answers = requests.iter().filter(|r| r.answered()).count();
    let seen = run(requests.clone(), NO_PRESSURE, 5, Misbehave { slverr_b: Some(0), ..Default::default() });
    assert!(seen.bus_error, "SLVERR on a B is an error");
    assert_eq!(seen.answers.len(), answers, "the core still gets every answer");
    let seen = run(requests.clone(), NO_PRESSURE, 5, Misbehave { stray_r_at: Some(400), ..Default::default() });
    assert!(seen.bus_error, "an R with no AR out is an error");
    assert_eq!(seen.answers.len(), answers, "and is not passed to the core");
    let seen = run(requests.clone(), NO_PRESSURE, 5, Misbehave::default());
    assert!(!seen.bus_error);
    let copy = page_copy(0, 1, 3, 7);
    let seen = run(copy, NO_PRESSURE, 5, Misbehave { rlast_always: true, ..Default::default() });
    assert!(seen.bus_error, "RLAST before a burst's last beat is an error");
}

#[test]
fn lints_and_synthesizes() {
    crate::test_support::lint::check_block("axi4_nvm", Axi4Nvm::<32, 4>::new(BURST as usize));
}
