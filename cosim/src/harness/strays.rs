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

use super::host::Command;
use super::scoreboard::Scoreboard;
use super::{OP_RESTORE, OP_SNAPSHOT, STATUS_BAD_OP, STATUS_BUSY, STATUS_UNFORMATTED};
use crate::rng::Rng;
use pmsnap_hdl::codes::{op_name, Code, Status};

/// A stray command in flight.
struct Stray {
    op: u64,
    expect: u64,
    offered_at: u64,
    accepted_at: Option<u64>,
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

/// The sender of stray commands, and their checks.
pub(super) struct Strays {
    /// Draws when to send (none without a seed).
    rng: Option<Rng>,
    /// Sends a RESTORE into each SNAPSHOT (`Faults::busy_probe`).
    busy_probe: bool,
    stray: Option<Stray>,
}

impl Strays {
    pub fn new(seed: Option<u64>, busy_probe: bool) -> Strays {
        Strays { rng: seed.map(Rng::new), busy_probe, stray: None }
    }

    /// Draws the undefined op sent before FORMAT (with a seed).
    pub fn undefined_op(&mut self) -> Option<u64> {
        self.rng.as_mut().map(undefined_op)
    }

    /// A stray command is out.
    #[inline]
    pub fn pending(&self) -> bool {
        self.stray.is_some()
    }

    /// Forgets the stray command (power loss).
    pub fn clear(&mut self) {
        self.stray = None;
    }

    /// Decides whether to send a stray command in `cycle`, beside the CPU's
    /// `command`, with a device `mounted` or not.
    #[inline]
    pub fn send(&mut self, cycle: u64, command: Option<&mut Command>, mounted: bool) {
        if self.stray.is_some() {
            return;
        }
        // The CPU's command, once accepted, runs until its cmd_done.
        let running = match command {
            Some(c) if c.accepted_at.is_none() => return,
            Some(c) => {
                if self.busy_probe && c.op == OP_SNAPSHOT && !c.probed {
                    c.probed = true;
                    self.stray = Some(Stray { op: OP_RESTORE, expect: STATUS_BUSY, offered_at: cycle, accepted_at: None });
                    return;
                }
                true
            }
            None => false,
        };
        let Some(rng) = self.rng.as_mut() else { return };
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

    /// The op offered on the command port, if the stray is not accepted yet.
    #[inline]
    pub fn offered(&self) -> Option<u64> {
        self.stray.as_ref().filter(|s| s.accepted_at.is_none()).map(|s| s.op)
    }

    /// The command port accepted the offered stray in `cycle`.
    pub fn accepted(&mut self, cycle: u64) {
        if let Some(s) = self.stray.as_mut().filter(|s| s.accepted_at.is_none()) {
            s.accepted_at = Some(cycle);
        }
    }

    /// A stray command is accepted the cycle it is offered, unless the
    /// host bus is in a burst (`bus_busy`: with `--host-bus axi4` a command
    /// waits for the burst the port is serving).
    #[inline]
    pub fn check_accepted(&self, cycle: u64, bus_busy: bool, board: &mut Scoreboard) {
        if let Some(s) = self.stray.as_ref().filter(|s| s.accepted_at.is_none() && !bus_busy) {
            let m = format!("command port: {} offered at cycle {} was not accepted, though no busy answer was pending", op_name(s.op), s.offered_at);
            board.fail(cycle, m);
        }
    }

    /// A `cmd_done` pulsed with `status` in `cycle` (`running`: the CPU's
    /// command runs): if it answers the stray command, checks it and
    /// returns true. A running command is never answered `busy`, so a
    /// `busy` answer while both are out is the stray's.
    pub fn done(&mut self, cycle: u64, status: u64, running: bool, board: &mut Scoreboard) -> bool {
        let Some(accepted) = self.stray.as_ref().and_then(|s| s.accepted_at).filter(|&a| a < cycle) else { return false };
        if running && status != STATUS_BUSY {
            return false;
        }
        let Some(s) = self.stray.take() else { return false };
        let what = format!("{} sent as a stray command (accepted at cycle {accepted})", op_name(s.op));
        if status != s.expect {
            let name = |code: u64| Status::from_code(code).map_or("an undefined status", |s| s.name());
            board.fail(cycle, format!("{what} was answered {} ({status}), expected {} ({})", name(status), name(s.expect), s.expect));
        } else if cycle > accepted + ANSWER_WITHIN {
            board.fail(cycle, format!("{what} was answered {} cycles after it was accepted, not within {ANSWER_WITHIN}", cycle - accepted));
        }
        board.stats.refused_commands.count(status);
        board.stats.stray_commands += 1;
        true
    }
}
