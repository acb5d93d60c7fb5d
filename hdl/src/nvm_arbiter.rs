//! NVM-port arbiter: one owner at a time drives the NVM port.
//!
//! The owner is chosen by the controller (`owner`): the host path, the COW
//! engine, the command sequencer, or the fallback release (`fallback_release`). The NVM answers in order, so ownership
//! may change only while nothing is in flight (`idle`); the controller's
//! blocks wait for `idle` before they take the port, which keeps every
//! response routed to the block that asked. A burst's followers
//! and gatherers (`BURST_FOLLOWS`, `BURST_GATHERS`) have no answer of
//! their own and are not counted.
//!
//! The host path's grant is registered (`host_grant`, the owner was the
//! host at the last edge): `req_ready` reaches the host port through one
//! gate, off the owner's decode. It lags the owner by a cycle. Giving the
//! port away is safe because the host port then holds no NVM request (its
//! COW engine or fallback release runs for the request it holds, the
//! sequencer only once it is idle and closed). Taking it back, the host's
//! request reaches the NVM only with the grant too, so a request offered in
//! the lag cycle waits a cycle instead of being taken by the NVM unseen.
//! (The host port issues none there — leaving `Release`, its request is the
//! COW fault's write — but that rests on the table's contents; the formal
//! proof of the NVM port, docs/formal.md, needs it to rest on this gate.)

use crate::config::NVM_ADDR_BITS;
use rust_hdl::prelude::*;

/// Who drives the NVM port.
#[derive(Copy, Clone, PartialEq, Debug, LogicState)]
pub enum NvmOwner {
    Host,
    Cow,
    Sequencer,
    Fallback,
}

/// A write request whose word address has this bit set is a *copy*: the
/// word at the address in `req_wdata` is to be written to the address
/// with the bit cleared; its answer means the copy is durable. Only the
/// COW engine sends copies, and only to a back end that performs them
/// (`--nvm-bus axi4`, `backend/axi4_nvm.rs`): there a copy's read and
/// write overlap other copies', where the native port would carry a read
/// and a write. No NVM reaches 2^31 words (`config.rs` asserts the
/// largest fits 32-bit byte addresses), so the bit is free.
pub const COPY_FLAG: u64 = 1 << (NVM_ADDR_BITS - 1);

/// Word-address bits 30 and 29 are a burst code (above every NVM address,
/// like [`COPY_FLAG`]). A burst is a run of writes to consecutive words
/// (their copies' sources likewise), answered once, when every word of it
/// is durable; only a back end that makes them bus bursts
/// (`--nvm-bus axi4`) is sent any. Two kinds:
///
/// * a write (or copy) with [`BURST_OPENS`] opens a burst of
///   `Config::nvm_burst_words()` writes, the writes after it carrying
///   [`BURST_FOLLOWS`] (the COW engine's page copies and zero fills: the
///   length is known up front, as a copy's read burst needs);
/// * a write with [`BURST_GATHERS`] says the next write goes to the next
///   word and joins its burst; the first write without the code closes
///   the burst (the commit record's words 1–7, FORMAT's zeroes, the
///   harden's table entries of neighbouring dirty pages: the sender knows
///   only one write ahead).
///   A gathered burst stays inside one aligned block of
///   [`MAX_GATHER_WORDS`].
pub const BURST_OPENS: u64 = 1 << (NVM_ADDR_BITS - 2);
/// A write that continues the burst opened before it: it has no answer of
/// its own, so the arbiter does not count it in flight.
pub const BURST_FOLLOWS: u64 = 1 << (NVM_ADDR_BITS - 3);
/// The next write joins this one's burst: no answer of its own either
/// (the code holds the `BURST_FOLLOWS` bit, which the arbiter tests).
pub const BURST_GATHERS: u64 = BURST_OPENS | BURST_FOLLOWS;
/// The bits of the burst code.
pub const BURST_CODE: u64 = BURST_OPENS | BURST_FOLLOWS;
/// The word address without the flags above.
pub const ADDRESS_MASK: u64 = BURST_FOLLOWS - 1;
/// A gathered burst never leaves an aligned block of this many words, so
/// it is at most this long (the AXI4 back end holds that many W beats) and
/// never crosses a 4 KiB boundary (16 words of 8 bytes divide 4096).
pub const MAX_GATHER_WORDS: u64 = 16;
const _: () = assert!(4096 % (MAX_GATHER_WORDS * 8) == 0);

/// Bits of the in-flight counter: at most 2^16 − 1 requests outstanding.
const INFLIGHT_BITS: usize = 16;

#[derive(LogicInterface, Default)]
#[join = "NvmSlave"]
pub struct NvmMaster<const D: usize> {
    pub req_valid: Signal<Out, Bit>,
    pub req_ready: Signal<In, Bit>,
    pub req_write: Signal<Out, Bit>,
    pub req_addr: Signal<Out, Bits<NVM_ADDR_BITS>>,
    pub req_wdata: Signal<Out, Bits<D>>,
    pub rsp_valid: Signal<In, Bit>,
    pub rsp_rdata: Signal<In, Bits<D>>,
}

#[derive(LogicInterface, Default)]
#[join = "NvmMaster"]
pub struct NvmSlave<const D: usize> {
    pub req_valid: Signal<In, Bit>,
    pub req_ready: Signal<Out, Bit>,
    pub req_write: Signal<In, Bit>,
    pub req_addr: Signal<In, Bits<NVM_ADDR_BITS>>,
    pub req_wdata: Signal<In, Bits<D>>,
    pub rsp_valid: Signal<Out, Bit>,
    pub rsp_rdata: Signal<Out, Bits<D>>,
}

#[derive(LogicBlock)]
pub struct NvmArbiter<const D: usize> {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub owner: Signal<In, NvmOwner>,
    /// Nothing in flight: ownership may change.
    pub idle: Signal<Out, Bit>,
    pub host: NvmSlave<D>,
    pub cow: NvmSlave<D>,
    pub sequencer: NvmSlave<D>,
    pub fallback: NvmSlave<D>,
    /// To the NVM.
    pub nvm: NvmMaster<D>,
    inflight: DFF<Bits<INFLIGHT_BITS>>,
    /// The owner was the host at the last edge.
    host_grant: DFF<Bit>,
    /// `inflight` is not zero, kept as a register (`idle` fans out widely).
    busy: DFF<Bit>,
    /// A request that has an answer of its own (not a burst's follower
    /// or gatherer: no `BURST_FOLLOWS` bit) was accepted at the last edge;
    /// `inflight` counts it at the next (its valid comes late in the cycle,
    /// from the owner's decisions).
    accepted: DFF<Bit>,
    /// Behind a back end that makes bursts: a request can be a follower
    /// or a gatherer.
    offload: Constant<Bit>,
    follows: Constant<Bits<NVM_ADDR_BITS>>,
}

impl<const D: usize> NvmArbiter<D> {
    /// The arbiter for `config`: bursts' followers are told apart only
    /// behind a back end that makes bursts (`--nvm-bus axi4`); on the
    /// native port no request is one, and the check folds away.
    pub fn new(config: &crate::Config) -> Self {
        NvmArbiter {
            clock: Default::default(),
            reset: Default::default(),
            owner: Default::default(),
            idle: Default::default(),
            host: Default::default(),
            cow: Default::default(),
            sequencer: Default::default(),
            fallback: Default::default(),
            nvm: Default::default(),
            inflight: Default::default(),
            host_grant: Default::default(),
            busy: Default::default(),
            accepted: Default::default(),
            offload: Constant::new(config.nvm_bus == crate::NvmBus::Axi4),
            follows: Constant::new(BURST_FOLLOWS.to_bits()),
        }
    }
}

impl<const D: usize> Logic for NvmArbiter<D> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, inflight, busy, accepted, host_grant);
        self.host_grant.d.next = self.owner.val() == NvmOwner::Host;
        self.host.req_ready.next = false;
        self.cow.req_ready.next = false;
        self.sequencer.req_ready.next = false;
        self.fallback.req_ready.next = false;
        self.host.rsp_valid.next = false;
        self.cow.rsp_valid.next = false;
        self.sequencer.rsp_valid.next = false;
        self.fallback.rsp_valid.next = false;
        self.host.rsp_rdata.next = self.nvm.rsp_rdata.val();
        self.cow.rsp_rdata.next = self.nvm.rsp_rdata.val();
        self.sequencer.rsp_rdata.next = self.nvm.rsp_rdata.val();
        self.fallback.rsp_rdata.next = self.nvm.rsp_rdata.val();
        self.nvm.req_valid.next = self.host.req_valid.val() & self.host_grant.q.val();
        self.nvm.req_write.next = self.host.req_write.val();
        self.nvm.req_addr.next = self.host.req_addr.val();
        self.nvm.req_wdata.next = self.host.req_wdata.val();
        if self.owner.val() == NvmOwner::Cow {
            self.nvm.req_valid.next = self.cow.req_valid.val();
            self.nvm.req_write.next = self.cow.req_write.val();
            self.nvm.req_addr.next = self.cow.req_addr.val();
            self.nvm.req_wdata.next = self.cow.req_wdata.val();
            self.cow.req_ready.next = self.nvm.req_ready.val();
            self.cow.rsp_valid.next = self.nvm.rsp_valid.val();
        } else if self.owner.val() == NvmOwner::Sequencer {
            self.nvm.req_valid.next = self.sequencer.req_valid.val();
            self.nvm.req_write.next = self.sequencer.req_write.val();
            self.nvm.req_addr.next = self.sequencer.req_addr.val();
            self.nvm.req_wdata.next = self.sequencer.req_wdata.val();
            self.sequencer.req_ready.next = self.nvm.req_ready.val();
            self.sequencer.rsp_valid.next = self.nvm.rsp_valid.val();
        } else if self.owner.val() == NvmOwner::Fallback {
            self.nvm.req_valid.next = self.fallback.req_valid.val();
            self.nvm.req_write.next = self.fallback.req_write.val();
            self.nvm.req_addr.next = self.fallback.req_addr.val();
            self.nvm.req_wdata.next = self.fallback.req_wdata.val();
            self.fallback.req_ready.next = self.nvm.req_ready.val();
            self.fallback.rsp_valid.next = self.nvm.rsp_valid.val();
        } else {
            self.host.rsp_valid.next = self.nvm.rsp_valid.val();
        }
        self.host.req_ready.next = self.nvm.req_ready.val() & self.host_grant.q.val();
        self.accepted.d.next =
            self.nvm.req_valid.val() & self.nvm.req_ready.val() & !(self.offload.val() & ((self.nvm.req_addr.val() & self.follows.val()) != 0));
        // A response comes a cycle after its request's acceptance at the
        // earliest, so the count never goes below zero.
        if self.accepted.q.val() & !self.nvm.rsp_valid.val() {
            self.inflight.d.next = self.inflight.q.val() + 1;
            self.busy.d.next = true;
        }
        if !self.accepted.q.val() & self.nvm.rsp_valid.val() {
            self.inflight.d.next = self.inflight.q.val() - 1;
            self.busy.d.next = self.inflight.q.val() != 1;
        }
        if self.reset.val() {
            self.inflight.d.next = 0.into();
            self.busy.d.next = false;
            self.accepted.d.next = false;
        }
        self.idle.next = !self.busy.q.val() & !self.accepted.q.val();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_the_owner_and_counts_what_is_in_flight() {
        let mut sim = Simulation::new();
        sim.add_clock(5, |x: &mut Box<NvmArbiter<32>>| x.clock.next = !x.clock.val());
        sim.add_testbench(move |mut sim: Sim<NvmArbiter<32>>| {
            let mut x = sim.init()?;
            x.nvm.req_ready.next = true;
            x.host.req_valid.next = true;
            x.host.req_addr.next = 11.into();
            x.cow.req_valid.next = true;
            x.cow.req_addr.next = 22.into();
            x.cow.req_write.next = true;
            // The host's grant is registered: before the first edge its
            // request waits — the NVM does not see it, the host no ready.
            x = sim.wait(1, x)?;
            sim_assert!(sim, !x.nvm.req_valid.val() & !x.host.req_ready.val(), x);
            x.host.req_valid.next = false;
            wait_clock_cycle!(sim, clock, x);
            // The host owns the port: its request goes out, only it sees ready.
            x.host.req_valid.next = true;
            x = sim.wait(1, x)?;
            sim_assert!(sim, x.idle.val() & x.nvm.req_valid.val() & x.host.req_ready.val() & !x.cow.req_ready.val(), x);
            sim_assert_eq!(sim, x.nvm.req_addr.val(), 11, x);
            wait_clock_cycle!(sim, clock, x);
            // One in flight; a response and a new request in the same cycle
            // keep the count.
            x.nvm.rsp_valid.next = true;
            x.nvm.rsp_rdata.next = 7.into();
            x = sim.wait(1, x)?;
            sim_assert!(sim, !x.idle.val() & x.host.rsp_valid.val() & !x.cow.rsp_valid.val(), x);
            wait_clock_cycle!(sim, clock, x);
            x.host.req_valid.next = false;
            x = sim.wait(1, x)?;
            sim_assert!(sim, !x.idle.val(), x);
            wait_clock_cycle!(sim, clock, x);
            x.nvm.rsp_valid.next = false;
            x = sim.wait(1, x)?;
            sim_assert!(sim, x.idle.val() & !x.nvm.req_valid.val(), x);
            // The COW engine takes over: its write goes out and the answer
            // is the COW engine's; the host's grant lags a cycle (it has
            // no request out then), then its ready is low.
            x.owner.next = NvmOwner::Cow;
            x.cow.req_valid.next = false;
            x = sim.wait(1, x)?;
            sim_assert!(sim, !x.nvm.req_valid.val() & x.host.req_ready.val(), x);
            wait_clock_cycle!(sim, clock, x);
            x.cow.req_valid.next = true;
            x.host.req_valid.next = true;
            x = sim.wait(1, x)?;
            sim_assert!(sim, x.nvm.req_valid.val() & x.nvm.req_write.val() & x.cow.req_ready.val() & !x.host.req_ready.val(), x);
            sim_assert_eq!(sim, x.nvm.req_addr.val(), 22, x);
            wait_clock_cycle!(sim, clock, x);
            x.cow.req_valid.next = false;
            x.nvm.rsp_valid.next = true;
            x = sim.wait(1, x)?;
            sim_assert!(sim, x.cow.rsp_valid.val() & !x.host.rsp_valid.val() & !x.sequencer.rsp_valid.val() & !x.fallback.rsp_valid.val(), x);
            wait_clock_cycle!(sim, clock, x);
            x.nvm.rsp_valid.next = false;
            x = sim.wait(1, x)?;
            sim_assert!(sim, x.idle.val(), x);
            sim.done(x)
        });
        let mut uut = NvmArbiter::<32>::new(&crate::Config::default());
        uut.connect_all();
        sim.run(Box::new(uut), 10_000).unwrap();
    }

    /// Behind a back end that makes bursts, a burst's followers and
    /// gatherers are not counted: its one answer leaves the port idle. On
    /// the native port the same requests are counted like any other.
    #[test]
    fn a_burst_is_one_request_in_flight_behind_a_back_end_that_makes_bursts() {
        let opened = [BURST_OPENS | 40, BURST_FOLLOWS | 41, BURST_FOLLOWS | 42];
        let gathered = [BURST_GATHERS | 40, BURST_GATHERS | 41, 42];
        for (nvm_bus, burst, idle_after_one_answer) in [
            (crate::NvmBus::Axi4, opened, true),
            (crate::NvmBus::Axi4, gathered, true),
            (crate::NvmBus::Native, opened, false),
            (crate::NvmBus::Native, gathered, false),
        ] {
            let mut sim = Simulation::new();
            sim.add_clock(5, |x: &mut Box<NvmArbiter<32>>| x.clock.next = !x.clock.val());
            sim.add_testbench(move |mut sim: Sim<NvmArbiter<32>>| {
                let mut x = sim.init()?;
                x.owner.next = NvmOwner::Cow;
                x.nvm.req_ready.next = true;
                x.cow.req_write.next = true;
                for addr in burst {
                    x.cow.req_valid.next = true;
                    x.cow.req_addr.next = addr.to_bits();
                    wait_clock_cycle!(sim, clock, x);
                }
                x.cow.req_valid.next = false;
                wait_clock_cycle!(sim, clock, x);
                x.nvm.rsp_valid.next = true;
                wait_clock_cycle!(sim, clock, x);
                x.nvm.rsp_valid.next = false;
                x = sim.wait(1, x)?;
                sim_assert_eq!(sim, x.idle.val(), idle_after_one_answer, x);
                sim.done(x)
            });
            let mut uut = NvmArbiter::<32>::new(&crate::Config { nvm_bus, ..crate::Config::default() });
            uut.connect_all();
            sim.run(Box::new(uut), 10_000).unwrap();
        }
    }

    #[test]
    fn lints_and_synthesizes() {
        crate::test_support::lint::check_block("nvm_arbiter", NvmArbiter::<32>::new(&crate::Config::default()));
    }
}
