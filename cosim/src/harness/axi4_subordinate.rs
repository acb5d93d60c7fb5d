//! The persistent memory behind an AXI4 port, for a controller generated
//! with `--nvm-bus axi4`: an AXI4 subordinate on `m_axi_*` in front of the
//! NVM model (`crate::nvm`, its channels split), with the NVM's random
//! back-pressure on AR, AW and W and its latencies on R and B. Every
//! handshake the controller makes is checked against the AXI rules as it
//! happens.
//!
//! What the device does, as unhelpfully as AXI allows:
//! * a read burst's beats enter the read queue at its AR, one a cycle, and
//!   each takes its word when its R is presented;
//! * a write beat lands (undoably) the moment its AW and its W are both
//!   in — W may come first — and is durable once its burst's B is taken;
//!   a power loss before that drops or tears it (the NVM model's mode);
//! * reads and writes are two queues with no order between them.
//!
//! So a controller that lets a read past an unanswered write to the same
//! word, or a write past an unanswered read, reads the wrong word, and one
//! that calls a write durable before its B loses it at a power loss.

use super::axi4_pins::Axi4Pins;
use crate::nvm::Nvm;
use crate::verilator::{Model, Port};
use anyhow::Result;
use pmsnap_hdl::frontend::AXI_BURST_INCR;
use pmsnap_hdl::Config;
use std::collections::VecDeque;

/// What the NVM did in one cycle, whatever its bus. One is kept for the
/// whole run and cleared each cycle, so a busy cycle allocates nothing.
#[derive(Default)]
pub(super) struct NvmEvents {
    /// Answers taken of reads, and of writes (durable now). Reads and
    /// writes are separate queues behind AXI4 and one queue behind the
    /// native port, whose answers count as reads (`Nvm::retire`).
    pub read_answers: usize,
    pub write_answers: usize,
    /// Requests that reached the device: (write, word address, data).
    pub requests: Vec<(bool, u64, u64)>,
    /// A rule of the bus the controller broke.
    pub violation: Option<String>,
}

impl NvmEvents {
    pub fn clear(&mut self) {
        self.read_answers = 0;
        self.write_answers = 0;
        self.requests.clear();
        self.violation = None;
    }
}

/// AXI4 burst of the controller's, as the device took it.
#[derive(Clone, Copy)]
struct Burst {
    word: u64,
    beats: usize,
    id: u64,
}

pub(super) struct Axi4Subordinate {
    pins: Axi4Pins,
    bus_error: Port,
    word_bytes: u64,
    /// AxSIZE the controller must use: log2(word bytes).
    size: u64,
    /// AxREADY of this cycle: AR, AW, W.
    ready: [bool; 3],
    /// Read bursts taken, and beats of the first answered.
    reads: VecDeque<Burst>,
    r_beat: usize,
    /// Write bursts taken, and their beats in so far.
    writes: VecDeque<(Burst, usize)>,
    /// W beats come before their AW: (data, strobe, WLAST).
    early_w: VecDeque<(u64, u64, bool)>,
    /// Write bursts all in, waiting for their B.
    b: VecDeque<Burst>,
    /// R (data, id, last) and B (id) presented, held until taken.
    shown_r: Option<(u64, u64, bool)>,
    shown_b: Option<Burst>,
    /// AR, AW, W offered and not taken: their payload, which must hold.
    held: [Option<[u64; 4]>; 3],
    pub bursts: u64,
    pub beats: u64,
}

impl Axi4Subordinate {
    pub fn resolve(m: &Model, config: &Config) -> Result<Axi4Subordinate> {
        let word_bytes = config.word_bits as u64 / 8;
        Ok(Axi4Subordinate {
            pins: Axi4Pins::resolve(m, "m_axi_")?,
            bus_error: m.port("nvm_bus_error")?,
            word_bytes,
            size: word_bytes.trailing_zeros() as u64,
            ready: [false; 3],
            reads: VecDeque::new(),
            r_beat: 0,
            writes: VecDeque::new(),
            early_w: VecDeque::new(),
            b: VecDeque::new(),
            shown_r: None,
            shown_b: None,
            held: [None; 3],
            bursts: 0,
            beats: 0,
        })
    }

    /// Power lost: the device forgets every burst in flight (the NVM
    /// model drops or tears their writes).
    pub fn power_loss(&mut self) {
        self.reads.clear();
        self.r_beat = 0;
        self.writes.clear();
        self.early_w.clear();
        self.b.clear();
        self.shown_r = None;
        self.shown_b = None;
        self.held = [None; 3];
    }

    /// Drives the device's side for `cycle`, before the controller settles.
    pub fn drive(&mut self, nvm: &mut Nvm, cycle: u64) {
        let p = &self.pins;
        self.ready = [nvm.ready(), nvm.ready(), nvm.ready()];
        p.arready.set(self.ready[0] as u64);
        p.awready.set(self.ready[1] as u64);
        p.wready.set(self.ready[2] as u64);
        if self.shown_r.is_none() {
            if let (Some(burst), Some(data)) = (self.reads.front(), nvm.response_of(false, cycle)) {
                self.shown_r = Some((data, burst.id, self.r_beat + 1 == burst.beats));
            }
        }
        let (data, id, last) = self.shown_r.unwrap_or((0, 0, false));
        p.rvalid.set(self.shown_r.is_some() as u64);
        p.rdata.set(data);
        p.rid.set(id);
        p.rlast.set(last as u64);
        p.rresp.set(0);
        if self.shown_b.is_none() {
            self.shown_b = self.b.front().copied().filter(|burst| nvm.due(true, burst.beats, cycle));
        }
        p.bvalid.set(self.shown_b.is_some() as u64);
        p.bid.set(self.shown_b.map_or(0, |b| b.id));
        p.bresp.set(0);
    }

    /// What the controller did at this cycle's edge, once it settled,
    /// into `ev` (cleared).
    pub fn observe(&mut self, total_words: u64, ev: &mut NvmEvents) {
        let p = self.pins;
        ev.clear();
        let fail = |ev: &mut NvmEvents, what: String| {
            ev.violation.get_or_insert(format!("NVM AXI4 port: {what}"));
        };
        if self.bus_error.get() == 1 {
            fail(ev, "nvm_bus_error is high, but the device answered nothing wrong".into());
        }
        if let Some((_, _, last)) = self.shown_r {
            if p.rready.get() == 1 {
                ev.read_answers += 1;
                self.shown_r = None;
                self.r_beat += 1;
                if last {
                    self.reads.pop_front();
                    self.r_beat = 0;
                }
            }
        }
        if let Some(burst) = self.shown_b {
            if p.bready.get() == 1 {
                ev.write_answers += burst.beats;
                self.shown_b = None;
                self.b.pop_front();
            }
        }
        // Valid held and payload stable until the handshake.
        let channels = [
            ("AR", p.arvalid.get() == 1, [p.araddr.get(), p.arlen.get(), p.arsize.get() << 8 | p.arburst.get(), p.arid.get()]),
            ("AW", p.awvalid.get() == 1, [p.awaddr.get(), p.awlen.get(), p.awsize.get() << 8 | p.awburst.get(), p.awid.get()]),
            ("W", p.wvalid.get() == 1, [p.wdata.get(), p.wstrb.get(), p.wlast.get(), 0]),
        ];
        for (k, (name, valid, payload)) in channels.into_iter().enumerate() {
            if let Some(h) = self.held[k] {
                if !valid {
                    fail(ev, format!("{name}VALID fell before {name}READY"));
                } else if h != payload {
                    fail(ev, format!("{name} changed while waiting for {name}READY: {h:x?} → {payload:x?}"));
                }
            }
            self.held[k] = (valid && !self.ready[k]).then_some(payload);
        }
        for (k, write) in [(0, false), (1, true)] {
            if !(channels[k].1 && self.ready[k]) {
                continue;
            }
            let [addr, len, size_burst, id] = channels[k].2;
            let burst = Burst { word: addr / self.word_bytes, beats: len as usize + 1, id };
            let name = channels[k].0;
            if size_burst != self.size << 8 | AXI_BURST_INCR {
                fail(ev, format!("{name} at {addr:#x} is not an INCR burst of full beats (size and burst {size_burst:#x})"));
            }
            if addr % self.word_bytes != 0 || (addr % 4096) + (len + 1) * self.word_bytes > 4096 {
                fail(ev, format!("{name} at {addr:#x}, {} beats, is unaligned or crosses a 4 KB boundary", len + 1));
            }
            if burst.word + burst.beats as u64 > total_words {
                fail(ev, format!("{name} at {addr:#x}, {} beats, runs beyond the device's {total_words} words", len + 1));
            }
            self.bursts += 1;
            self.beats += burst.beats as u64;
            if write {
                self.writes.push_back((burst, 0));
            } else {
                ev.requests.extend((0..burst.beats as u64).map(|i| (false, burst.word + i, 0)));
                self.reads.push_back(burst);
            }
        }
        if channels[2].1 && self.ready[2] {
            let [data, strobe, last, _] = channels[2].2;
            self.early_w.push_back((data, strobe, last == 1));
        }
        // Each W beat lands with its AW.
        while let (Some((burst, done)), Some(&(data, strobe, last))) = (self.writes.front_mut(), self.early_w.front()) {
            self.early_w.pop_front();
            if strobe != (1 << self.word_bytes) - 1 {
                fail(ev, format!("W beat {done} of the write at word {:#x} has strobe {strobe:#x}", burst.word));
            }
            if last != (*done + 1 == burst.beats) {
                fail(ev, format!("W beat {done} of a {}-beat write has WLAST {}", burst.beats, last as u8));
            }
            ev.requests.push((true, burst.word + *done as u64, data));
            *done += 1;
            if *done == burst.beats {
                self.b.push_back(*burst);
                self.writes.pop_front();
            }
        }
    }

    /// Bursts in flight (for the harness's "the NVM is idle").
    pub fn busy(&self) -> bool {
        !(self.reads.is_empty() && self.writes.is_empty() && self.early_w.is_empty() && self.b.is_empty())
    }
}
