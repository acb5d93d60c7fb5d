//! FORMAT: an empty snapshot, every word zero. Zeroes both commit slots and
//! both tables in NVM (one write a cycle), clears the on-chip tables and,
//! beside that walk, pushes every frame onto the free ring; once the
//! writes are durable, commits the record of sequence 1, table A
//! (`CommitWriter`), then mounts the device: O(L + F) cycles. Behind a
//! back end that makes bursts (`--nvm-bus axi4`) the zeroes go as gathered
//! bursts of an aligned block of 16 words, in the same cycles.

use super::gather_code::GatherCode;
use crate::codes::{Code, Status, CODE_BITS};
use crate::config::{COUNTER_BITS, FRAME_BITS, NVM_ADDR_BITS, PAGE_BITS};
use crate::frame_allocator::AllocatorControlMaster;
use crate::indirection_table::TableUpdateMaster;
use crate::nvm_arbiter::NvmMaster;
use crate::Config;
use rust_hdl::prelude::*;

#[derive(Copy, Clone, PartialEq, Debug, LogicState)]
pub enum FormatState {
    Idle,
    /// Zero the metadata (slots, tables), one word a cycle.
    Zero,
    /// Wait until every frame is pushed.
    Frames,
    /// Wait until the zeroes are durable.
    Durable,
    Commit,
    Finish,
}

#[derive(LogicBlock)]
pub struct FormatSeq<const D: usize> {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub start: Signal<In, Bit>,
    pub done: Signal<Out, Bit>,
    pub status: Signal<Out, Bits<CODE_BITS>>,
    /// The device is unmounted at the start, mounted at the end with the
    /// snapshot of sequence 1 in table A (`commit_seq`, `commit_table`).
    pub unmount: Signal<Out, Bit>,
    pub mount: Signal<Out, Bit>,
    pub set_committed: Signal<Out, Bit>,
    pub commit_seq: Signal<Out, Bits<COUNTER_BITS>>,
    pub commit_table: Signal<Out, Bit>,
    pub commit_start: Signal<Out, Bit>,
    pub commit_done: Signal<In, Bit>,
    pub nvm: NvmMaster<D>,
    pub nvm_idle: Signal<In, Bit>,
    pub owns_nvm: Signal<Out, Bit>,
    pub owns_table: Signal<Out, Bit>,
    pub table_update: TableUpdateMaster,
    pub log_clear: Signal<Out, Bit>,
    pub alloc: AllocatorControlMaster,
    /// The port's answers carry nothing this block needs (it only
    /// writes); Verilator's lint exempts names with "unused" in them.
    unused_answers: Signal<Local, Bit>,
    state: DFF<FormatState>,
    /// The metadata word being zeroed.
    index: DFF<Bits<NVM_ADDR_BITS>>,
    /// `index` is below L: the walk is still in the tables' range (a flag,
    /// not a compare, on the path to the table RAMs' write ports).
    clearing: DFF<Bit>,
    /// Frames pushed onto the free ring so far.
    pushed: DFF<Bits<COUNTER_BITS>>,
    last_page: Constant<Bits<NVM_ADDR_BITS>>,
    /// Behind a back end that makes bursts the zeroes go as gathered
    /// bursts: every write but the walk's last runs on to the next word.
    gather: GatherCode,
    frames: Constant<Bits<COUNTER_BITS>>,
    metadata_last: Constant<Bits<NVM_ADDR_BITS>>,
    first_seq: Constant<Bits<COUNTER_BITS>>,
    status_ok: Constant<Bits<CODE_BITS>>,
}

impl<const D: usize> FormatSeq<D> {
    pub fn new(config: &Config) -> Self {
        FormatSeq {
            clock: Default::default(),
            reset: Default::default(),
            start: Default::default(),
            done: Default::default(),
            status: Default::default(),
            unmount: Default::default(),
            mount: Default::default(),
            set_committed: Default::default(),
            commit_seq: Default::default(),
            commit_table: Default::default(),
            commit_start: Default::default(),
            commit_done: Default::default(),
            nvm: Default::default(),
            nvm_idle: Default::default(),
            owns_nvm: Default::default(),
            owns_table: Default::default(),
            table_update: Default::default(),
            log_clear: Default::default(),
            alloc: Default::default(),
            unused_answers: Default::default(),
            state: Default::default(),
            index: Default::default(),
            clearing: Default::default(),
            pushed: Default::default(),
            last_page: Constant::new((config.pages as u64 - 1).to_bits()),
            gather: GatherCode::new(config.nvm_bus),
            frames: Constant::new((config.frames as u64).to_bits()),
            metadata_last: Constant::new((config.layout().metadata_words() - 1).to_bits()),
            first_seq: Constant::new(1u64.to_bits()),
            status_ok: Constant::new(Status::Ok.bits()),
        }
    }
}

impl<const D: usize> Logic for FormatSeq<D> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, state, index, clearing, pushed);
        self.unused_answers.next = self.nvm.rsp_valid.val() | self.nvm.rsp_rdata.val().any();
        self.done.next = false;
        self.status.next = self.status_ok.val();
        self.unmount.next = false;
        self.mount.next = false;
        self.set_committed.next = false;
        self.commit_seq.next = self.first_seq.val();
        self.commit_table.next = false;
        self.commit_start.next = false;
        self.nvm.req_valid.next = false;
        self.nvm.req_write.next = true;
        self.gather.addr.next = self.index.q.val();
        self.gather.next_joins.next = self.index.q.val() != self.metadata_last.val();
        self.nvm.req_addr.next = self.gather.req_addr.val();
        self.nvm.req_wdata.next = 0.into();
        self.owns_nvm.next = (self.state.q.val() != FormatState::Idle) & (self.state.q.val() != FormatState::Finish);
        self.owns_table.next = self.state.q.val() != FormatState::Idle;
        self.table_update.ct_write.next = false;
        self.table_update.ct_page.next = bit_cast::<PAGE_BITS, NVM_ADDR_BITS>(self.index.q.val());
        self.table_update.ct_mapped.next = false;
        self.table_update.ct_frame.next = 0.into();
        self.table_update.wt_clear.next = false;
        self.table_update.wt_page.next = bit_cast::<PAGE_BITS, NVM_ADDR_BITS>(self.index.q.val());
        self.log_clear.next = false;
        self.alloc.push.next = false;
        self.alloc.push_frame.next = bit_cast::<FRAME_BITS, COUNTER_BITS>(self.pushed.q.val());
        self.alloc.commit.next = false;
        self.alloc.publish.next = false;
        self.alloc.rollback.next = false;
        self.alloc.init.next = false;
        match self.state.q.val() {
            FormatState::Idle => {
                if self.start.val() {
                    self.alloc.init.next = true;
                    self.log_clear.next = true;
                    self.unmount.next = true;
                    self.index.d.next = 0.into();
                    self.clearing.d.next = true;
                    self.pushed.d.next = 0.into();
                    self.state.d.next = FormatState::Zero;
                }
            }
            FormatState::Zero => {
                // Zero both commit slots and both tables; clear the on-chip
                // tables; meanwhile fill the free ring with every frame.
                self.nvm.req_valid.next = true;
                if self.clearing.q.val() {
                    self.table_update.ct_write.next = true;
                    self.table_update.wt_clear.next = true;
                }
                if self.nvm.req_ready.val() {
                    self.index.d.next = self.index.q.val() + 1;
                    if self.index.q.val() == self.last_page.val() {
                        self.clearing.d.next = false;
                    }
                    if self.index.q.val() == self.metadata_last.val() {
                        self.state.d.next = FormatState::Frames;
                    }
                }
            }
            FormatState::Frames => {
                if self.pushed.q.val() == self.frames.val() {
                    self.state.d.next = FormatState::Durable;
                }
            }
            FormatState::Durable => {
                if self.nvm_idle.val() {
                    self.commit_start.next = true;
                    self.state.d.next = FormatState::Commit;
                }
            }
            FormatState::Commit => {
                if self.commit_done.val() {
                    self.state.d.next = FormatState::Finish;
                }
            }
            FormatState::Finish => {
                self.set_committed.next = true;
                self.alloc.publish.next = true;
                self.mount.next = true;
                self.done.next = true;
                self.state.d.next = FormatState::Idle;
            }
            _ => {
                self.state.d.next = FormatState::Idle;
            }
        }
        // The frame fill runs beside the metadata walk.
        if ((self.state.q.val() == FormatState::Zero) | (self.state.q.val() == FormatState::Frames)) & (self.pushed.q.val() != self.frames.val()) {
            self.alloc.push.next = true;
            self.pushed.d.next = self.pushed.q.val() + 1;
        }
        if self.reset.val() {
            self.state.d.next = FormatState::Idle;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nvm_arbiter::BURST_GATHERS;
    use crate::test_support::zero_wait_nvm::ZeroWaitNvm;

    /// On both NVM buses, in the same cycles; behind AXI4 the zeroes carry
    /// `BURST_GATHERS` but for each aligned block's last word and the
    /// walk's last.
    #[test]
    fn zeroes_the_metadata_fills_the_ring_commits_and_mounts_in_exact_cycles() {
        for nvm_bus in [crate::NvmBus::Native, crate::NvmBus::Axi4] {
            zeroes_the_metadata_on(Config { nvm_bus, ..Config::sized(4, 4, 8, 32) });
        }
    }

    fn zeroes_the_metadata_on(config: Config) {
        // L = 4, F = 8: 24 metadata words (two slots of 8, two tables of 4).
        let mut sim = Simulation::new();
        sim.add_clock(5, |x: &mut Box<FormatSeq<32>>| x.clock.next = !x.clock.val());
        sim.add_testbench(move |mut sim: Sim<FormatSeq<32>>| {
            let mut x = sim.init()?;
            let mut nvm = ZeroWaitNvm::default();
            let (mut pushes, mut cleared, mut commit_at) = (Vec::new(), Vec::new(), None);
            for cycle in 0..60u64 {
                x.start.next = cycle == 0;
                x.commit_done.next = commit_at.is_some_and(|c| cycle == c + 12);
                nvm.drive(cycle, &mut x.nvm, &mut x.nvm_idle);
                x = sim.wait(1, x)?;
                nvm.observe(cycle, &x.nvm);
                if cycle == 0 {
                    sim_assert!(sim, x.alloc.init.val() & x.log_clear.val() & x.unmount.val(), x);
                }
                if x.alloc.push.val() {
                    pushes.push((cycle, x.alloc.push_frame.val().index() as u64));
                }
                if x.table_update.ct_write.val() {
                    sim_assert!(sim, !x.table_update.ct_mapped.val() & x.table_update.wt_clear.val(), x);
                    cleared.push((cycle, x.table_update.ct_page.val().index() as u64));
                }
                if x.commit_start.val() {
                    commit_at = Some(cycle);
                }
                if x.done.val() {
                    sim_assert!(sim, x.set_committed.val() & x.alloc.publish.val() & x.mount.val() & !x.commit_table.val(), x);
                    sim_assert_eq!(sim, x.commit_seq.val(), 1, x);
                    sim_assert_eq!(sim, cycle, 26 + 12 + 1, x);
                    break;
                }
                wait_clock_cycle!(sim, clock, x);
            }
            // One metadata word zeroed a cycle, from cycle 1.
            let code = |a: u64| if config.nvm_bus == crate::NvmBus::Axi4 && a != 23 && a != 15 { BURST_GATHERS } else { 0 };
            let zeroes: Vec<(u64, u64)> = (0..24).map(|a| (a | code(a), 0)).collect();
            sim_assert_eq!(sim, nvm.writes(), zeroes, x);
            sim_assert!(sim, nvm.log.iter().enumerate().all(|(i, a)| a.cycle == 1 + i as u64), x);
            sim_assert_eq!(sim, cleared.clone(), (0..4).map(|p| (1 + p, p)).collect::<Vec<_>>(), x);
            sim_assert_eq!(sim, pushes.clone(), (0..8).map(|f| (1 + f, f)).collect::<Vec<_>>(), x);
            // The last zero is answered in cycle 25, the port idle in 26.
            sim_assert_eq!(sim, commit_at, Some(26), x);
            sim.done(x)
        });
        let mut uut = FormatSeq::<32>::new(&config);
        uut.connect_all();
        sim.run(Box::new(uut), 100_000).unwrap();
    }

    #[test]
    fn lints_and_synthesizes() {
        crate::test_support::lint::check_block("format", FormatSeq::<32>::new(&Config::default()));
    }
}
