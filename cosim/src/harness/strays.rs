//! Stray commands: commands sent besides the CPU's, which the controller
//! must refuse without changing anything — any command while another runs
//! (`busy`), an op that names no command (`bad op`), SNAPSHOT or RESTORE
//! with no device mounted (`unformatted`). Sent at random cycles of a run,
//! so they meet host requests in flight and a stalling NVM, as a real
//! system's other bus masters do not drain for a command.
//!
//! The rules checked (README, "Interface"): `cmd_ready` is high whenever no
//! busy answer is pending, so a stray command is accepted the cycle it is
//! offered; it is answered within two cycles; its status is the one above.

use super::Cosim;
use super::{OP_RESTORE, OP_SNAPSHOT, STATUS_BAD_OP, STATUS_BUSY, STATUS_UNFORMATTED};
use crate::rng::Rng;
use pmsnap_hdl::codes::{Code, Status};

/// A stray command in flight.
pub(super) struct Stray {
    pub(super) op: u64,
    expect: u64,
    offered_at: u64,
    pub(super) accepted_at: Option<u64>,
}

/// Chance, in 1/1024 a cycle, that a stray command is sent when the
/// command port is free.
const PER_1024_CYCLES: u64 = 12;

/// Cycles within which a refused command is answered, from acceptance.
const ANSWER_WITHIN: u64 = 2;

/// A `cmd_op` code that names no command.
pub(super) fn undefined_op(rng: &mut Rng) -> u64 {
    [0, 5, 6, 7][rng.below(4) as usize]
}

impl Cosim {
    /// Decides whether to send a stray command this cycle.
    pub(super) fn send_stray(&mut self) {
        if self.stray.is_some() || self.reset_cycles > 0 {
            return;
        }
        // The CPU's command, once accepted, runs until its cmd_done.
        let running = match &self.command {
            Some(c) if c.accepted_at.is_none() => return,
            Some(_) => true,
            None => false,
        };
        let cycle = self.cycle;
        if self.opts.busy_probe {
            if let Some(c) = self.command.as_mut().filter(|c| c.op == OP_SNAPSHOT && !c.probed) {
                c.probed = true;
                self.stray = Some(Stray { op: OP_RESTORE, expect: STATUS_BUSY, offered_at: cycle, accepted_at: None });
                return;
            }
        }
        let mounted = self.port_ref.mounted;
        let Some(rng) = self.stray_rng.as_mut() else { return };
        if rng.below(1024) >= PER_1024_CYCLES {
            return;
        }
        let (op, expect) = if running {
            (rng.below(8), STATUS_BUSY)
        } else if !mounted && rng.chance(50) {
            ([OP_SNAPSHOT, OP_RESTORE][rng.below(2) as usize], STATUS_UNFORMATTED)
        } else {
            (undefined_op(rng), STATUS_BAD_OP)
        };
        self.stray = Some(Stray { op, expect, offered_at: cycle, accepted_at: None });
    }

    /// A stray command is accepted the cycle it is offered.
    pub(super) fn check_stray_accepted(&mut self) {
        let late = self.stray.as_ref().filter(|s| s.accepted_at.is_none()).map(|s| (s.op, s.offered_at));
        if let Some((op, at)) = late {
            self.fail(format!("command port: {} offered at cycle {at} was not accepted, though no busy answer was pending", pmsnap_hdl::codes::op_name(op)));
        }
    }

    /// A `cmd_done` pulsed with `status`: if it answers the stray command,
    /// checks it and returns true. A running command is never answered
    /// `busy`, so a `busy` answer while both are out is the stray's.
    pub(super) fn stray_done(&mut self, status: u64) -> bool {
        let cycle = self.cycle;
        let Some(accepted) = self.stray.as_ref().and_then(|s| s.accepted_at).filter(|&a| a < cycle) else { return false };
        let running = self.command.as_ref().is_some_and(|c| c.accepted_at.is_some_and(|a| a < cycle));
        if running && status != STATUS_BUSY {
            return false;
        }
        let Some(s) = self.stray.take() else { return false };
        let what = format!("{} sent as a stray command (accepted at cycle {accepted})", pmsnap_hdl::codes::op_name(s.op));
        if status != s.expect {
            let name = |code: u64| Status::from_code(code).map_or("an undefined status", |s| s.name());
            self.fail(format!("{what} was answered {} ({status}), expected {} ({})", name(status), name(s.expect), s.expect));
        } else if cycle > accepted + ANSWER_WITHIN {
            self.fail(format!("{what} was answered {} cycles after it was accepted, not within {ANSWER_WITHIN}", cycle - accepted));
        }
        self.stats.refused_commands.count(status);
        self.stats.stray_commands += 1;
        true
    }
}
