//! The pass-through controller: the same generator with indirection turned
//! off, to price the mechanism (contract §7). Same ports as
//! [`Controller`](crate::controller::Controller) and the same
//! [`HostPort`] pipeline and [`NvmArbiter`], but logical page `p` is frame
//! `p` forever: no tables, no COW, no frame allocator, no snapshots.
//! Commands are answered `bad command`; the device is always mounted.

use crate::codes::{Code, Status, CODE_BITS};
use crate::config::{COUNTER_BITS, FRAME_BITS, HOST_ADDR_BITS, NVM_ADDR_BITS, PAGE_BITS};
use crate::host_port::HostPort;
use crate::nvm_arbiter::{NvmArbiter, NvmMaster, NvmOwner};
use crate::Config;
use rust_hdl::prelude::*;

#[derive(LogicBlock)]
pub struct PassThrough<const D: usize> {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub req_valid: Signal<In, Bit>,
    pub req_ready: Signal<Out, Bit>,
    pub req_write: Signal<In, Bit>,
    pub req_addr: Signal<In, Bits<HOST_ADDR_BITS>>,
    pub req_wdata: Signal<In, Bits<D>>,
    pub rsp_valid: Signal<Out, Bit>,
    pub rsp_rdata: Signal<Out, Bits<D>>,
    pub rsp_err: Signal<Out, Bit>,
    pub cmd_valid: Signal<In, Bit>,
    pub cmd_ready: Signal<Out, Bit>,
    pub cmd_op: Signal<In, Bits<CODE_BITS>>,
    pub cmd_done: Signal<Out, Bit>,
    pub cmd_status: Signal<Out, Bits<CODE_BITS>>,
    pub mounted: Signal<Out, Bit>,
    pub snap_seq: Signal<Out, Bits<COUNTER_BITS>>,
    pub seq_phase: Signal<Out, Bits<CODE_BITS>>,
    pub free_frames: Signal<Out, Bits<COUNTER_BITS>>,
    pub fallback_held: Signal<Out, Bit>,
    pub cow_faults: Signal<Out, Bits<COUNTER_BITS>>,
    pub pages_hardened: Signal<Out, Bits<COUNTER_BITS>>,
    pub snapshots: Signal<Out, Bits<COUNTER_BITS>>,
    pub restores: Signal<Out, Bits<COUNTER_BITS>>,
    pub errors: Signal<Out, Bits<COUNTER_BITS>>,
    pub flush_req: Signal<Out, Bit>,
    pub flush_ack: Signal<In, Bit>,
    pub mem_req_valid: Signal<Out, Bit>,
    pub mem_req_ready: Signal<In, Bit>,
    pub mem_req_write: Signal<Out, Bit>,
    pub mem_req_addr: Signal<Out, Bits<NVM_ADDR_BITS>>,
    pub mem_req_wdata: Signal<Out, Bits<D>>,
    pub mem_rsp_valid: Signal<In, Bit>,
    pub mem_rsp_rdata: Signal<In, Bits<D>>,
    host: HostPort<D>,
    arbiter: NvmArbiter<D>,
    /// The identity table: the page looked up, one cycle later (as a RAM).
    looked_up: DFF<Bits<PAGE_BITS>>,
    answer: DFF<Bit>,
    bad_command: Constant<Bits<CODE_BITS>>,
}

impl<const D: usize> PassThrough<D> {
    pub fn new(config: &Config) -> Self {
        PassThrough {
            clock: Default::default(),
            reset: Default::default(),
            req_valid: Default::default(),
            req_ready: Default::default(),
            req_write: Default::default(),
            req_addr: Default::default(),
            req_wdata: Default::default(),
            rsp_valid: Default::default(),
            rsp_rdata: Default::default(),
            rsp_err: Default::default(),
            cmd_valid: Default::default(),
            cmd_ready: Default::default(),
            cmd_op: Default::default(),
            cmd_done: Default::default(),
            cmd_status: Default::default(),
            mounted: Default::default(),
            snap_seq: Default::default(),
            seq_phase: Default::default(),
            free_frames: Default::default(),
            fallback_held: Default::default(),
            cow_faults: Default::default(),
            pages_hardened: Default::default(),
            snapshots: Default::default(),
            restores: Default::default(),
            errors: Default::default(),
            flush_req: Default::default(),
            flush_ack: Default::default(),
            mem_req_valid: Default::default(),
            mem_req_ready: Default::default(),
            mem_req_write: Default::default(),
            mem_req_addr: Default::default(),
            mem_req_wdata: Default::default(),
            mem_rsp_valid: Default::default(),
            mem_rsp_rdata: Default::default(),
            host: HostPort::new(config),
            arbiter: NvmArbiter::new(config),
            looked_up: Default::default(),
            answer: Default::default(),
            bad_command: Constant::new(Status::BadOp.bits()),
        }
    }
}

impl<const D: usize> Logic for PassThrough<D> {
    #[hdl_gen]
    fn update(&mut self) {
        clock!(self, clock, host, arbiter);
        dff_setup!(self, clock, looked_up, answer);
        self.host.reset.next = self.reset.val();
        self.arbiter.reset.next = self.reset.val();
        self.host.req_valid.next = self.req_valid.val();
        self.host.req_write.next = self.req_write.val();
        self.host.req_addr.next = self.req_addr.val();
        self.host.req_wdata.next = self.req_wdata.val();
        self.req_ready.next = self.host.req_ready.val();
        self.rsp_valid.next = self.host.rsp_valid.val();
        self.rsp_rdata.next = self.host.rsp_rdata.val();
        self.rsp_err.next = self.host.rsp_err.val();
        self.host.enable.next = true;
        self.host.mounted.next = true;
        self.host.nvm_idle.next = self.arbiter.idle.val();
        // Every page is mapped, owned, and its own frame.
        self.looked_up.d.next = self.host.lookup_page.val();
        self.host.owned.next = true;
        self.host.working_mapped.next = true;
        self.host.working_frame.next = bit_cast::<FRAME_BITS, PAGE_BITS>(self.looked_up.q.val());
        self.host.tag_low_match.next = true;
        self.host.tag_high_match.next = true;
        self.host.tagged_frame.next = bit_cast::<FRAME_BITS, PAGE_BITS>(self.looked_up.q.val());
        self.host.committed_mapped.next = true;
        self.host.committed_frame.next = bit_cast::<FRAME_BITS, PAGE_BITS>(self.looked_up.q.val());
        self.host.alloc_empty.next = true;
        self.host.alloc_reclaimable.next = false;
        self.host.alloc_frame.next = 0.into();
        self.host.alloc_settled.next = true;
        self.host.release_done.next = false;
        self.host.cow_done.next = false;
        NvmMaster::<D>::join(&mut self.host.nvm, &mut self.arbiter.host);
        self.arbiter.owner.next = NvmOwner::Host;
        self.arbiter.cow.req_valid.next = false;
        self.arbiter.cow.req_write.next = false;
        self.arbiter.cow.req_addr.next = 0.into();
        self.arbiter.cow.req_wdata.next = 0.into();
        self.arbiter.sequencer.req_valid.next = false;
        self.arbiter.sequencer.req_write.next = false;
        self.arbiter.sequencer.req_addr.next = 0.into();
        self.arbiter.sequencer.req_wdata.next = 0.into();
        self.arbiter.fallback.req_valid.next = false;
        self.arbiter.fallback.req_write.next = false;
        self.arbiter.fallback.req_addr.next = 0.into();
        self.arbiter.fallback.req_wdata.next = 0.into();
        self.mem_req_valid.next = self.arbiter.nvm.req_valid.val();
        self.mem_req_write.next = self.arbiter.nvm.req_write.val();
        self.mem_req_addr.next = self.arbiter.nvm.req_addr.val();
        self.mem_req_wdata.next = self.arbiter.nvm.req_wdata.val();
        self.arbiter.nvm.req_ready.next = self.mem_req_ready.val();
        self.arbiter.nvm.rsp_valid.next = self.mem_rsp_valid.val();
        self.arbiter.nvm.rsp_rdata.next = self.mem_rsp_rdata.val();
        // Commands: refused, one cycle after they are given.
        self.cmd_ready.next = true;
        self.answer.d.next = self.cmd_valid.val();
        self.cmd_done.next = self.answer.q.val();
        self.cmd_status.next = self.bad_command.val();
        self.mounted.next = true;
        self.snap_seq.next = 0.into();
        self.seq_phase.next = 0.into();
        self.free_frames.next = 0.into();
        self.fallback_held.next = false;
        self.cow_faults.next = 0.into();
        self.pages_hardened.next = 0.into();
        self.snapshots.next = 0.into();
        self.restores.next = 0.into();
        self.errors.next = 0.into();
        self.flush_req.next = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A write and a read go straight to `frames_base + addr`; a command is refused.
    #[test]
    fn requests_map_to_their_own_frame() {
        let config = Config::sized(16, 8, 32, 32);
        let base = config.layout().frames_base();
        let mut sim = Simulation::new();
        sim.add_clock(5, |x: &mut Box<PassThrough<32>>| x.clock.next = !x.clock.val());
        sim.add_testbench(move |mut sim: Sim<PassThrough<32>>| {
            let mut x = sim.init()?;
            x.mem_req_ready.next = true;
            wait_clock_cycle!(sim, clock, x);
            for (write, addr, data) in [(true, 43u64, 0x77u64), (false, 43, 0x77)] {
                x.req_valid.next = true;
                x.req_write.next = write;
                x.req_addr.next = addr.into();
                x.req_wdata.next = data.into();
                wait_clock_cycle!(sim, clock, x);
                x.req_valid.next = false;
                let mut seen = false;
                for _ in 0..4 {
                    if x.mem_req_valid.val() {
                        sim_assert_eq!(sim, x.mem_req_addr.val(), Bits::<32>::from(base + addr), x);
                        sim_assert_eq!(sim, x.mem_req_write.val(), write, x);
                        seen = true;
                        wait_clock_cycle!(sim, clock, x);
                        x.mem_rsp_valid.next = true;
                        x.mem_rsp_rdata.next = data.into();
                        sim_assert!(sim, !x.rsp_valid.val(), x);
                        wait_clock_cycle!(sim, clock, x);
                        x.mem_rsp_valid.next = false;
                        break;
                    }
                    wait_clock_cycle!(sim, clock, x);
                }
                sim_assert!(sim, seen, x);
            }
            x.cmd_valid.next = true;
            x.cmd_op.next = 1.into();
            wait_clock_cycle!(sim, clock, x);
            x.cmd_valid.next = false;
            sim_assert!(sim, x.cmd_done.val() && x.cmd_status.val() == Status::BadOp.bits(), x);
            sim.done(x)
        });
        let mut uut = PassThrough::<32>::new(&config);
        uut.connect_all();
        sim.run(Box::new(uut), 10_000).unwrap();
    }
}
