//! The host's Wishbone manager, for a controller generated with
//! `--host-bus wishbone`: the host's queue of word requests on `s_wb_*`
//! (B4 pipelined), one request a cycle at most, `stb` held until the port
//! takes it (`stall` low), with random gaps; every `ack` or `err` checked
//! against the rules as it comes: never both, never with nothing owed,
//! never while `cyc` is low.
//!
//! With stray commands on (random workloads, campaigns) it also sends
//! requests of its own: a word with a `sel` bit low, which must be answered
//! `err`; and a read it abandons by dropping `cyc` before its answer, which
//! must then never be answered (the next cycle's answers are its own, or
//! the scoreboard sees them out of order). The scoreboard never hears of
//! these.

use super::host::Queued;
use super::port_driver::HostEvents;
use crate::rng::Rng;
use crate::verilator::{Model, Port};
use anyhow::Result;
use pmsnap_hdl::Config;
use std::collections::VecDeque;

/// Chance in percent that an idle cycle starts a stray request.
const STRAY_PERCENT: u64 = 1;

/// What the manager offers on `stb`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Offer {
    /// The queue's front request.
    Queued,
    /// A request with a `sel` bit low: answered `err`.
    BadSel { write: bool, addr: u64 },
    /// A read abandoned once taken.
    Abandoned { addr: u64 },
}

#[derive(Clone, Copy)]
struct Pins {
    cyc: Port,
    stb: Port,
    we: Port,
    adr: Port,
    dat_w: Port,
    sel: Port,
    stall: Port,
    ack: Port,
    err: Port,
    dat_r: Port,
}

pub(super) struct WishboneManager {
    pins: Pins,
    rng: Rng,
    ready_percent: u64,
    sel_all: u64,
    logical_words: u64,
    strays: bool,
    offer: Option<Offer>,
    /// Requests taken and not answered, oldest first: stray or not.
    owed: VecDeque<Offer>,
    /// Drop `cyc` this cycle (abandoning what is owed).
    abandon: bool,
    /// Stray requests taken (each refused or abandoned, or the run failed).
    pub strays_sent: u64,
}

impl WishboneManager {
    pub fn resolve(m: &Model, config: &Config, seed: u64, ready_percent: u32, strays: bool) -> Result<WishboneManager> {
        let p = |n: &str| m.port(&format!("s_wb_{n}"));
        let pins = Pins {
            cyc: p("cyc")?,
            stb: p("stb")?,
            we: p("we")?,
            adr: p("adr")?,
            dat_w: p("dat_w")?,
            sel: p("sel")?,
            stall: p("stall")?,
            ack: p("ack")?,
            err: p("err")?,
            dat_r: p("dat_r")?,
        };
        Ok(WishboneManager {
            pins,
            rng: Rng::new(seed ^ 0x3B_0B),
            ready_percent: ready_percent as u64,
            sel_all: (1 << (config.word_bits / 8)) - 1,
            logical_words: config.logical_words(),
            strays,
            offer: None,
            owed: VecDeque::new(),
            abandon: false,
            strays_sent: 0,
        })
    }

    /// A request (or a stray one) is taken and not answered.
    pub fn busy(&self) -> bool {
        !self.owed.is_empty()
    }

    /// Drives the manager's side; `reset` drops everything; no stray
    /// request starts while `command_out`.
    pub fn drive(&mut self, reset: bool, queue: &VecDeque<Queued>, command_out: bool) {
        self.abandon = false;
        if reset {
            self.offer = None;
            self.owed.clear();
        } else if self.offer.is_none() {
            let idle = self.owed.iter().all(|o| *o != Offer::Queued);
            if self.strays && !command_out && idle && self.rng.chance(STRAY_PERCENT) {
                let addr = self.rng.below(self.logical_words);
                self.offer = Some(if self.rng.chance(50) { Offer::BadSel { write: self.rng.chance(50), addr } } else { Offer::Abandoned { addr } });
            } else if !queue.is_empty() && self.rng.chance(self.ready_percent) {
                self.offer = Some(Offer::Queued);
            } else if self.owed.iter().any(|o| matches!(o, Offer::Abandoned { .. })) && self.owed.iter().all(|o| *o != Offer::Queued) {
                // Give up the abandoned read (and any stray owed with it).
                self.abandon = true;
            }
        }
        let p = &self.pins;
        let (write, addr, data, sel) = match self.offer {
            Some(Offer::Queued) => queue.front().map_or((false, 0, 0, self.sel_all), |q| (q.write, q.addr, q.data, self.sel_all)),
            Some(Offer::BadSel { write, addr }) => (write, addr, 0, self.sel_all >> 1),
            Some(Offer::Abandoned { addr }) => (false, addr, 0, self.sel_all),
            None => (false, 0, 0, 0),
        };
        p.stb.set(self.offer.is_some() as u64);
        p.cyc.set((!self.abandon && (self.offer.is_some() || !self.owed.is_empty())) as u64);
        p.we.set(write as u64);
        p.adr.set(addr);
        p.dat_w.set(data);
        p.sel.set(sel);
    }

    pub fn observe(&mut self) -> HostEvents {
        let p = self.pins;
        let mut ev = HostEvents::default();
        let (ack, err) = (p.ack.get() == 1, p.err.get() == 1);
        if ack || err {
            if ack && err {
                ev.violation = Some("Wishbone: ack and err in one cycle".into());
            } else if p.cyc.get() == 0 {
                ev.violation = Some("Wishbone: an answer while cyc is low".into());
            } else {
                match self.owed.pop_front() {
                    None => ev.violation = Some("Wishbone: an answer with no request owed one".into()),
                    Some(Offer::Queued) => ev.answered = Some((1, err, p.dat_r.get())),
                    Some(Offer::BadSel { .. }) if !err => ev.violation = Some("Wishbone: a request with a sel bit low was answered ack, not err".into()),
                    Some(_) => {}
                }
            }
        }
        if self.abandon {
            self.owed.clear();
        }
        if let Some(offer) = self.offer.filter(|_| p.stall.get() == 0) {
            self.owed.push_back(offer);
            self.offer = None;
            if offer == Offer::Queued {
                ev.accepted = 1;
            } else {
                self.strays_sent += 1;
            }
        }
        ev
    }
}
