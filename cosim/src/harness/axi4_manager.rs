//! The host's AXI4 manager, for a controller generated with
//! `--host-bus axi4`: it turns the host's queue of word requests into AXI4
//! bursts on `s_axi_*`, with random back-pressure on every channel it
//! drives, and turns the answers back into one answer per request, in
//! order, for the scoreboard. Every handshake the controller makes is
//! checked against the AXI rules as it happens.
//!
//! Bursts: consecutive queued requests of one kind at consecutive word
//! addresses, all inside L·W, go out as one INCR burst of up to
//! `MAX_BEATS` beats (a read always; a write only when F ≥ 2L, where no
//! write can be refused: BRESP has one code for the whole burst, so a
//! refused beat inside a longer burst could not be told from the others).
//! Anything else goes alone.
//!
//! Stray bursts (with stray commands, `CosimOptions::stray_commands`):
//! now and then the manager sends a burst of its own that the port must
//! refuse — a FIXED or WRAP burst, a narrow beat, an unaligned address, a
//! one-beat write with a strobe low or a wrong WLAST — and checks that every beat is
//! answered SLVERR; the scoreboard never hears of it, so a refused burst
//! that changed memory shows as a wrong read later.
//!
//! Codes: a beat at or beyond L·W must be answered DECERR, any other error
//! SLVERR.
//!
//! Order: bursts are offered one at a time, in queue order, the next only
//! after the last one's address handshake; W beats follow their AW. The
//! port serves bursts in the order it takes them (`axi4_host.rs`), so this
//! is the queue's order. A request counts as accepted (for the
//! scoreboard's order against commands) at its burst's address handshake.

use super::axi4_pins::Axi4Pins;
use super::host::Queued;
use super::port_driver::HostEvents;
use crate::rng::Rng;
use crate::verilator::Model;
use anyhow::Result;
use pmsnap_hdl::frontend::{AxiResp, AXI_BURST_FIXED, AXI_BURST_INCR, AXI_BURST_WRAP};
use pmsnap_hdl::Config;
use std::collections::VecDeque;

/// The longest burst the manager makes.
const MAX_BEATS: usize = 16;
/// IDs cycle through 0 .. ID_COUNT (the port answers in order whatever the ID).
const ID_COUNT: u64 = 16;

/// Chance in percent that a new burst is a stray one (when strays are on).
const STRAY_PERCENT: u64 = 1;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stray {
    Fixed,
    Wrap,
    Narrow,
    Unaligned,
    /// One beat's strobe not all ones (writes).
    Strobe,
    /// One beat's WLAST wrong (writes).
    Wlast,
}

#[derive(Clone, Copy)]
struct Burst {
    write: bool,
    /// First word address.
    word: u64,
    beats: usize,
    id: u64,
    /// A burst of the manager's own that must be refused.
    stray: Option<Stray>,
}

impl Burst {
    fn burst_type(&self) -> u64 {
        match self.stray {
            Some(Stray::Fixed) => AXI_BURST_FIXED,
            Some(Stray::Wrap) => AXI_BURST_WRAP,
            _ => AXI_BURST_INCR,
        }
    }
}

pub(super) struct Axi4Manager {
    pins: Axi4Pins,
    rng: Rng,
    /// Chance in percent that a channel the manager drives offers (valid)
    /// or takes (ready) in a cycle.
    ready_percent: u64,
    word_bytes: u64,
    logical_words: u64,
    burst_writes: bool,
    /// The burst on AW or AR, until its handshake.
    offered: Option<Burst>,
    /// Its valid is up (and must stay up).
    offer_on: bool,
    /// Write data to send, in order: (data, strobe, WLAST).
    w: VecDeque<(u64, u64, bool)>,
    w_on: bool,
    /// Bursts taken, not yet answered: (burst, beats answered on R).
    taken: VecDeque<(Burst, usize)>,
    next_id: u64,
    /// R or B shown and not yet taken: it must not change.
    held_r: Option<(u64, u64, u64, bool)>,
    held_b: Option<(u64, u64)>,
    /// Send stray bursts.
    strays: bool,
    /// Bursts taken, and their beats (stray ones not counted).
    pub bursts: u64,
    pub beats: u64,
    /// Stray bursts taken (each refused, or the run failed).
    pub strays_sent: u64,
}

impl Axi4Manager {
    pub fn resolve(m: &Model, config: &Config, seed: u64, ready_percent: u32, strays: bool) -> Result<Axi4Manager> {
        let pins = Axi4Pins::resolve(m, "s_axi_")?;
        Ok(Axi4Manager {
            pins,
            rng: Rng::new(seed ^ 0xA8_1A4),
            ready_percent: ready_percent as u64,
            word_bytes: config.word_bits as u64 / 8,
            logical_words: config.logical_words(),
            burst_writes: config.frames >= 2 * config.pages,
            offered: None,
            offer_on: false,
            w: VecDeque::new(),
            w_on: false,
            taken: VecDeque::new(),
            next_id: 0,
            held_r: None,
            held_b: None,
            strays,
            bursts: 0,
            beats: 0,
            strays_sent: 0,
        })
    }

    /// The next burst: the one that starts at the queue's front, or now and
    /// then a stray one.
    fn next_burst(&mut self, queue: &VecDeque<Queued>, stray_ok: bool) -> Option<Burst> {
        if self.strays && stray_ok && self.rng.chance(STRAY_PERCENT) {
            let write = self.rng.chance(50);
            let kinds: &[Stray] = if write {
                &[Stray::Fixed, Stray::Wrap, Stray::Narrow, Stray::Unaligned, Stray::Strobe, Stray::Wlast]
            } else {
                &[Stray::Fixed, Stray::Wrap, Stray::Narrow, Stray::Unaligned]
            };
            let stray = kinds[self.rng.below(kinds.len() as u64) as usize];
            // A spoilt beat is refused alone (the beats before it may be
            // written already): those strays are bursts of one beat.
            let whole = matches!(stray, Stray::Fixed | Stray::Wrap | Stray::Narrow | Stray::Unaligned);
            let beats = if whole { 1 + self.rng.below(4) as usize } else { 1 };
            let word = self.rng.below(self.logical_words.saturating_sub(beats as u64).max(1));
            let id = self.next_id();
            return Some(Burst { write, word, beats, id, stray: Some(stray) });
        }
        let first = queue.front()?;
        let can_burst = first.addr < self.logical_words && (!first.write || self.burst_writes);
        let mut beats = 1;
        while can_burst && beats < MAX_BEATS {
            match queue.get(beats) {
                Some(q) if q.write == first.write && q.addr == first.addr + beats as u64 && q.addr < self.logical_words => beats += 1,
                _ => break,
            }
        }
        let id = self.next_id();
        Some(Burst { write: first.write, word: first.addr, beats, id, stray: None })
    }

    fn next_id(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id = (self.next_id + 1) % ID_COUNT;
        id
    }

    /// Drives the manager's side for this cycle; `reset` drops everything;
    /// no stray burst starts while `command_out`.
    pub fn drive(&mut self, reset: bool, queue: &VecDeque<Queued>, command_out: bool) {
        if reset {
            // A reset (power loss) ends every transaction, on both sides.
            self.offered = None;
            self.offer_on = false;
            self.w.clear();
            self.w_on = false;
            self.taken.clear();
            self.held_r = None;
            self.held_b = None;
        } else if self.offered.is_none() {
            self.offered = self.next_burst(queue, !command_out);
        }
        let pct = self.ready_percent;
        if let Some(b) = self.offered {
            self.offer_on |= self.rng.chance(pct);
            let (valid, id, addr, len, size, burst) = if b.write {
                let p = &self.pins;
                (p.awvalid, p.awid, p.awaddr, p.awlen, p.awsize, p.awburst)
            } else {
                let p = &self.pins;
                (p.arvalid, p.arid, p.araddr, p.arlen, p.arsize, p.arburst)
            };
            let other = if b.write { self.pins.arvalid } else { self.pins.awvalid };
            valid.set(self.offer_on as u64);
            other.set(0);
            id.set(b.id);
            let full = self.word_bytes.trailing_zeros() as u64;
            addr.set(b.word * self.word_bytes + (b.stray == Some(Stray::Unaligned)) as u64);
            len.set(b.beats as u64 - 1);
            size.set(if b.stray == Some(Stray::Narrow) { full - 1 } else { full });
            burst.set(b.burst_type());
        } else {
            self.pins.awvalid.set(0);
            self.pins.arvalid.set(0);
        }
        self.w_on |= !self.w.is_empty() && self.rng.chance(pct);
        self.pins.wvalid.set(self.w_on as u64);
        let (data, strobe, last) = self.w.front().copied().unwrap_or((0, 0, false));
        self.pins.wdata.set(data);
        self.pins.wlast.set(last as u64);
        self.pins.wstrb.set(strobe);
        self.pins.rready.set(self.rng.chance(pct) as u64);
        self.pins.bready.set(self.rng.chance(pct) as u64);
    }

    /// A burst was taken and is not answered in full.
    pub fn busy(&self) -> bool {
        !self.taken.is_empty()
    }

    /// The handshakes of this cycle (inputs settled), checked, and what
    /// they mean for the queue and the scoreboard.
    pub fn observe(&mut self, queue: &VecDeque<Queued>) -> HostEvents {
        let p = self.pins;
        let mut ev = HostEvents::default();
        if let Some(b) = self.offered.filter(|_| self.offer_on) {
            let ready = if b.write { p.awready.get() } else { p.arready.get() };
            if ready == 1 {
                let all = (1u64 << self.word_bytes) - 1;
                if b.write && b.stray.is_none() {
                    self.w.extend((0..b.beats).map(|k| (queue[k].data, all, k + 1 == b.beats)));
                } else if b.write {
                    // A stray write: random data, one beat spoilt if that is its kind.
                    let spoilt = self.rng.below(b.beats as u64) as usize;
                    for k in 0..b.beats {
                        let strobe = if b.stray == Some(Stray::Strobe) && k == spoilt { all >> 1 } else { all };
                        let last = (k + 1 == b.beats) != (b.stray == Some(Stray::Wlast) && k == spoilt);
                        let data = self.rng.next_u64();
                        self.w.push_back((data, strobe, last));
                    }
                }
                self.taken.push_back((b, 0));
                if b.stray.is_none() {
                    ev.accepted = b.beats;
                    self.bursts += 1;
                    self.beats += b.beats as u64;
                } else {
                    self.strays_sent += 1;
                }
                self.offered = None;
                self.offer_on = false;
            }
        }
        if self.w_on && p.wready.get() == 1 {
            self.w.pop_front();
            self.w_on = false;
        }
        if p.rvalid.get() == 1 {
            let r = (p.rid.get(), p.rdata.get(), p.rresp.get(), p.rlast.get() == 1);
            if self.held_r.is_some_and(|h| h != r) {
                ev.violation = Some(format!("AXI: R changed while RVALID was high and RREADY low: {:?} became {r:?} (id, data, resp, last)", self.held_r));
            }
            self.held_r = Some(r);
            if p.rready.get() == 1 {
                self.held_r = None;
                let words = self.logical_words;
                match self.taken.front_mut() {
                    Some((b, answered)) if !b.write => {
                        let word = b.word + *answered as u64;
                        *answered += 1;
                        let last = *answered == b.beats;
                        if r.0 != b.id || r.3 != last {
                            ev.violation = Some(format!(
                                "AXI: R beat {} of {} of the read burst with ARID {} came with RID {} and RLAST {}",
                                answered, b.beats, b.id, r.0, r.3
                            ));
                        }
                        if let Some(why) = wrong_code(b.stray, word >= words, r.2) {
                            ev.violation = Some(format!("AXI: R beat {answered} of the read burst with ARID {} at word {word:#x}: {why}", b.id));
                        }
                        let stray = b.stray.is_some();
                        if last {
                            self.taken.pop_front();
                        }
                        if !stray {
                            ev.answered = Some((1, r.2 != AxiResp::Okay as u64, r.1));
                        }
                    }
                    _ => ev.violation = Some(format!("AXI: an R beat (RID {}) with no read burst next to answer", r.0)),
                }
            }
        } else if self.held_r.take().is_some() {
            ev.violation = Some("AXI: RVALID fell before RREADY took the beat".into());
        }
        if p.bvalid.get() == 1 {
            let b = (p.bid.get(), p.bresp.get());
            if self.held_b.is_some_and(|h| h != b) {
                ev.violation = Some(format!("AXI: B changed while BVALID was high and BREADY low: {:?} became {b:?} (id, resp)", self.held_b));
            }
            self.held_b = Some(b);
            if p.bready.get() == 1 {
                self.held_b = None;
                match self.taken.front() {
                    Some((burst, _)) if burst.write && ev.answered.is_none() => {
                        if b.0 != burst.id {
                            ev.violation = Some(format!("AXI: BID {} answered the write burst with AWID {}", b.0, burst.id));
                        }
                        let later: usize = self.taken.iter().skip(1).filter(|(t, _)| t.write).map(|(t, _)| t.beats).sum();
                        if self.w.len() > later {
                            ev.violation = Some(format!("AXI: BRESP for the write burst with AWID {} before all its data was sent", burst.id));
                        }
                        // One beat of a burst can only be at or beyond L·W alone:
                        // the manager bursts only inside L·W.
                        if let Some(why) = wrong_code(burst.stray, burst.word >= self.logical_words, b.1) {
                            ev.violation = Some(format!("AXI: BRESP of the write burst with AWID {} at word {:#x}: {why}", burst.id, burst.word));
                        }
                        if burst.stray.is_none() {
                            ev.answered = Some((burst.beats, b.1 != AxiResp::Okay as u64, 0));
                        }
                        self.taken.pop_front();
                    }
                    _ => ev.violation = Some(format!("AXI: a write response (BID {}) with no write burst next to answer", b.0)),
                }
            }
        } else if self.held_b.take().is_some() {
            ev.violation = Some("AXI: BVALID fell before BREADY took the response".into());
        }
        ev
    }
}

/// What is wrong with answering `resp` to a beat of a burst that is
/// `stray` (or not), at a word `beyond` L·W (or not); None when it is right.
fn wrong_code(stray: Option<Stray>, beyond: bool, resp: u64) -> Option<String> {
    let resp = AxiResp::from_code(resp);
    match (stray, beyond, resp) {
        (_, _, None) => Some("EXOKAY or no AXI code at all".into()),
        (Some(kind), _, Some(r)) if r != AxiResp::SlvErr => Some(format!("a {kind:?} burst must be refused with SLVERR, not {r:?}")),
        (None, true, Some(r)) if r != AxiResp::DecErr => Some(format!("beyond L·W must answer DECERR, not {r:?}")),
        (None, false, Some(AxiResp::DecErr)) => Some("DECERR inside L·W".into()),
        _ => None,
    }
}
