//! The command front: accepts a command, refuses what cannot run, waits
//! for the host port to drain, starts the sequence, reports its end.
//!
//! * Idle: a command is accepted. SNAPSHOT or RESTORE with no device
//!   mounted is answered `unformatted`, an op that names no command
//!   `bad op`, both at once; the others go to Drain.
//! * Drain: once the host port is idle, the op's sequence starts. A
//!   RESTORE that need not scrub ends in that same cycle: the front goes
//!   to Done on `restore_instant` (from the epoch register alone), not on
//!   the sequence's `done`, which keeps the host port's idle out of a long
//!   chain.
//! * Run: until the sequence reports `done` with its status.
//! * Done: `cmd_done` with the status, for one cycle.
//!
//! A command accepted while another runs (`cmd_ready` stays high unless
//! such an answer is pending) is answered `busy` in the next cycle in which
//! the running command is not answering, and changes nothing.
//!
//! `phase` tells what the sequencer is doing (`codes::Phase`).

use crate::codes::{CmdOp, Code, Phase, Status, CODE_BITS};
use rust_hdl::prelude::*;

#[derive(Copy, Clone, PartialEq, Debug, LogicState)]
pub enum FrontState {
    Idle,
    Drain,
    Run,
    Done,
}

#[derive(LogicBlock)]
pub struct CommandFront {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    /// Command port (contract §3).
    pub cmd_valid: Signal<In, Bit>,
    pub cmd_ready: Signal<Out, Bit>,
    pub cmd_op: Signal<In, Bits<CODE_BITS>>,
    pub cmd_done: Signal<Out, Bit>,
    pub cmd_status: Signal<Out, Bits<CODE_BITS>>,
    pub mounted: Signal<In, Bit>,
    /// The host port has nothing held or in flight.
    pub host_idle: Signal<In, Bit>,
    /// Starts of the sequences, one-cycle pulses.
    pub start_snapshot: Signal<Out, Bit>,
    pub start_restore: Signal<Out, Bit>,
    pub start_recover: Signal<Out, Bit>,
    pub start_format: Signal<Out, Bit>,
    /// The running sequence ends, with this status (read in `Run`).
    pub done: Signal<In, Bit>,
    /// A RESTORE starting now ends at once (`RestoreSeq::instant`): the
    /// front ends it from `Drain` itself, on the epoch register alone.
    pub restore_instant: Signal<In, Bit>,
    pub done_status: Signal<In, Bits<CODE_BITS>>,
    /// SNAPSHOT's phase while it runs.
    pub snapshot_phase: Signal<In, Bits<CODE_BITS>>,
    /// No command is being handled.
    pub idle: Signal<Out, Bit>,
    pub phase: Signal<Out, Bits<CODE_BITS>>,
    /// A command ended with a status other than ok.
    pub error: Signal<Out, Bit>,
    state: DFF<FrontState>,
    op: DFF<Bits<CODE_BITS>>,
    status: DFF<Bits<CODE_BITS>>,
    /// A command arrived while another runs: answer it `busy`.
    reject: DFF<Bit>,
    op_snapshot: Constant<Bits<CODE_BITS>>,
    op_restore: Constant<Bits<CODE_BITS>>,
    op_recover: Constant<Bits<CODE_BITS>>,
    op_format: Constant<Bits<CODE_BITS>>,
    status_ok: Constant<Bits<CODE_BITS>>,
    status_busy: Constant<Bits<CODE_BITS>>,
    status_unformatted: Constant<Bits<CODE_BITS>>,
    status_bad_op: Constant<Bits<CODE_BITS>>,
    phase_idle: Constant<Bits<CODE_BITS>>,
    phase_flush: Constant<Bits<CODE_BITS>>,
    phase_reclaim: Constant<Bits<CODE_BITS>>,
    phase_restore: Constant<Bits<CODE_BITS>>,
    phase_recover: Constant<Bits<CODE_BITS>>,
    phase_format: Constant<Bits<CODE_BITS>>,
}

impl Default for CommandFront {
    fn default() -> Self {
        let code = |c: Bits<CODE_BITS>| Constant::new(c);
        CommandFront {
            clock: Default::default(),
            reset: Default::default(),
            cmd_valid: Default::default(),
            cmd_ready: Default::default(),
            cmd_op: Default::default(),
            cmd_done: Default::default(),
            cmd_status: Default::default(),
            mounted: Default::default(),
            host_idle: Default::default(),
            start_snapshot: Default::default(),
            start_restore: Default::default(),
            start_recover: Default::default(),
            start_format: Default::default(),
            done: Default::default(),
            restore_instant: Default::default(),
            done_status: Default::default(),
            snapshot_phase: Default::default(),
            idle: Default::default(),
            phase: Default::default(),
            error: Default::default(),
            state: Default::default(),
            op: Default::default(),
            status: Default::default(),
            reject: Default::default(),
            op_snapshot: code(CmdOp::Snapshot.bits()),
            op_restore: code(CmdOp::Restore.bits()),
            op_recover: code(CmdOp::Recover.bits()),
            op_format: code(CmdOp::Format.bits()),
            status_ok: code(Status::Ok.bits()),
            status_busy: code(Status::Busy.bits()),
            status_unformatted: code(Status::Unformatted.bits()),
            status_bad_op: code(Status::BadOp.bits()),
            phase_idle: code(Phase::Idle.bits()),
            phase_flush: code(Phase::Flush.bits()),
            phase_reclaim: code(Phase::Reclaim.bits()),
            phase_restore: code(Phase::Restore.bits()),
            phase_recover: code(Phase::Recover.bits()),
            phase_format: code(Phase::Format.bits()),
        }
    }
}

impl Logic for CommandFront {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, state, op, status, reject);
        self.cmd_ready.next = (self.state.q.val() == FrontState::Idle) | !self.reject.q.val();
        self.cmd_done.next = false;
        self.cmd_status.next = self.status.q.val();
        if (self.state.q.val() != FrontState::Idle) & self.cmd_valid.val() & !self.reject.q.val() {
            self.reject.d.next = true;
        }
        if self.reject.q.val() & (self.state.q.val() != FrontState::Done) {
            self.cmd_done.next = true;
            self.cmd_status.next = self.status_busy.val();
            self.reject.d.next = false;
        }
        self.start_snapshot.next = false;
        self.start_restore.next = false;
        self.start_recover.next = false;
        self.start_format.next = false;
        self.error.next = false;
        match self.state.q.val() {
            FrontState::Idle => {
                if self.cmd_valid.val() {
                    self.op.d.next = self.cmd_op.val();
                    self.status.d.next = self.status_ok.val();
                    self.state.d.next = FrontState::Drain;
                    if (self.cmd_op.val() == self.op_snapshot.val()) | (self.cmd_op.val() == self.op_restore.val()) {
                        if !self.mounted.val() {
                            self.status.d.next = self.status_unformatted.val();
                            self.state.d.next = FrontState::Done;
                        }
                    } else if (self.cmd_op.val() != self.op_recover.val()) & (self.cmd_op.val() != self.op_format.val()) {
                        self.status.d.next = self.status_bad_op.val();
                        self.state.d.next = FrontState::Done;
                    }
                }
            }
            FrontState::Drain => {
                if self.host_idle.val() {
                    self.start_snapshot.next = self.op.q.val() == self.op_snapshot.val();
                    self.start_restore.next = self.op.q.val() == self.op_restore.val();
                    self.start_recover.next = self.op.q.val() == self.op_recover.val();
                    self.start_format.next = self.op.q.val() == self.op_format.val();
                    self.state.d.next = FrontState::Run;
                    if (self.op.q.val() == self.op_restore.val()) & self.restore_instant.val() {
                        self.state.d.next = FrontState::Done;
                    }
                }
            }
            FrontState::Run => {}
            FrontState::Done => {
                self.cmd_done.next = true;
                self.cmd_status.next = self.status.q.val();
                self.error.next = self.status.q.val() != self.status_ok.val();
                self.state.d.next = FrontState::Idle;
            }
            _ => {
                self.state.d.next = FrontState::Idle;
            }
        }
        // The sequence ends (a RESTORE that ends as it starts: above).
        if self.done.val() & (self.state.q.val() == FrontState::Run) {
            self.status.d.next = self.done_status.val();
            self.state.d.next = FrontState::Done;
        }
        if self.reset.val() {
            self.state.d.next = FrontState::Idle;
            self.reject.d.next = false;
        }
        self.idle.next = self.state.q.val() == FrontState::Idle;
        // SNAPSHOT: flush while draining, its own phase while it runs,
        // reclaim as it answers (refused or not).
        self.phase.next = self.phase_idle.val();
        if self.state.q.val() != FrontState::Idle {
            if self.op.q.val() == self.op_snapshot.val() {
                self.phase.next = self.snapshot_phase.val();
                if self.state.q.val() == FrontState::Drain {
                    self.phase.next = self.phase_flush.val();
                } else if self.state.q.val() == FrontState::Done {
                    self.phase.next = self.phase_reclaim.val();
                }
            } else if self.op.q.val() == self.op_restore.val() {
                self.phase.next = self.phase_restore.val();
            } else if self.op.q.val() == self.op_recover.val() {
                self.phase.next = self.phase_recover.val();
            } else if self.op.q.val() == self.op_format.val() {
                self.phase.next = self.phase_format.val();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One cycle: settle, then the rising edge.
    macro_rules! step {
        ($sim:ident, $x:ident) => {
            $x = $sim.wait(1, $x)?;
        };
    }

    #[test]
    fn accepts_refuses_starts_answers_and_answers_busy() {
        let mut sim = Simulation::new();
        sim.add_clock(5, |x: &mut Box<CommandFront>| x.clock.next = !x.clock.val());
        sim.add_testbench(move |mut sim: Sim<CommandFront>| {
            let mut x = sim.init()?;
            let (snapshot, restore) = (CmdOp::Snapshot.bits(), CmdOp::Restore.bits());
            // No device mounted: SNAPSHOT is answered unformatted in the next
            // cycle; an undefined op bad op. Neither starts anything.
            for (op, status) in [(snapshot, Status::Unformatted), (6u64.to_bits(), Status::BadOp)] {
                x.cmd_op.next = op;
                x.cmd_valid.next = true;
                step!(sim, x);
                sim_assert!(sim, x.cmd_ready.val() & x.idle.val(), x);
                wait_clock_cycle!(sim, clock, x);
                x.cmd_valid.next = false;
                step!(sim, x);
                sim_assert!(sim, x.cmd_done.val() & x.error.val(), x);
                sim_assert_eq!(sim, x.cmd_status.val(), status.bits(), x);
                sim_assert!(sim, !x.start_snapshot.val() & !x.start_restore.val(), x);
                wait_clock_cycle!(sim, clock, x);
            }
            // Mounted: SNAPSHOT waits in Drain until the host port is idle.
            x.mounted.next = true;
            x.cmd_op.next = snapshot;
            cycle!(sim, x, cmd_valid);
            for _ in 0..3 {
                step!(sim, x);
                sim_assert!(sim, !x.start_snapshot.val(), x);
                sim_assert_eq!(sim, x.phase.val(), Phase::Flush.bits(), x);
                wait_clock_cycle!(sim, clock, x);
            }
            x.host_idle.next = true;
            step!(sim, x);
            sim_assert!(sim, x.start_snapshot.val() & !x.start_restore.val(), x);
            wait_clock_cycle!(sim, clock, x);
            // Running: its phase is the snapshot's. A RESTORE sent now is
            // accepted and answered busy in the next cycle.
            x.snapshot_phase.next = Phase::Commit.bits();
            x.cmd_op.next = restore;
            x.cmd_valid.next = true;
            step!(sim, x);
            sim_assert!(sim, x.cmd_ready.val(), x);
            sim_assert_eq!(sim, x.phase.val(), Phase::Commit.bits(), x);
            wait_clock_cycle!(sim, clock, x);
            x.cmd_valid.next = false;
            step!(sim, x);
            sim_assert!(sim, x.cmd_done.val() & !x.cmd_ready.val(), x);
            sim_assert_eq!(sim, x.cmd_status.val(), Status::Busy.bits(), x);
            wait_clock_cycle!(sim, clock, x);
            // The snapshot ends ok: cmd_done in the next cycle, phase reclaim.
            x.done.next = true;
            x.done_status.next = Status::Ok.bits();
            wait_clock_cycle!(sim, clock, x);
            x.done.next = false;
            step!(sim, x);
            sim_assert!(sim, x.cmd_done.val() & !x.error.val(), x);
            sim_assert_eq!(sim, x.cmd_status.val(), Status::Ok.bits(), x);
            sim_assert_eq!(sim, x.phase.val(), Phase::Reclaim.bits(), x);
            wait_clock_cycle!(sim, clock, x);
            step!(sim, x);
            sim_assert!(sim, x.idle.val() & !x.cmd_done.val(), x);
            sim_assert_eq!(sim, x.phase.val(), Phase::Idle.bits(), x);
            // RESTORE that ends in the cycle it starts: Drain → Done on
            // `restore_instant` alone (the sequence's `done` of that cycle
            // is not what the front waits for).
            x.cmd_op.next = restore;
            cycle!(sim, x, cmd_valid);
            x.restore_instant.next = true;
            step!(sim, x);
            sim_assert!(sim, x.start_restore.val(), x);
            sim_assert_eq!(sim, x.phase.val(), Phase::Restore.bits(), x);
            wait_clock_cycle!(sim, clock, x);
            step!(sim, x);
            sim_assert!(sim, x.cmd_done.val() & !x.error.val(), x);
            sim_assert_eq!(sim, x.cmd_status.val(), Status::Ok.bits(), x);
            wait_clock_cycle!(sim, clock, x);
            // RESTORE that scrubs (the epoch is about to wrap): Drain → Run,
            // until its `done`.
            x.restore_instant.next = false;
            cycle!(sim, x, cmd_valid);
            step!(sim, x);
            sim_assert!(sim, x.start_restore.val(), x);
            wait_clock_cycle!(sim, clock, x);
            for _ in 0..3 {
                step!(sim, x);
                sim_assert!(sim, !x.cmd_done.val() & !x.idle.val(), x);
                wait_clock_cycle!(sim, clock, x);
            }
            cycle!(sim, x, done);
            step!(sim, x);
            sim_assert!(sim, x.cmd_done.val() & !x.error.val(), x);
            sim.done(x)
        });
        let mut uut = CommandFront::default();
        uut.connect_all();
        sim.run(Box::new(uut), 100_000).unwrap();
    }

    #[test]
    fn lints_and_synthesizes() {
        crate::test_support::lint::check_block("command_front", CommandFront::default());
    }
}
