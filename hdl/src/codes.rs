//! The codes that cross the chip's edge, each defined once: command ops
//! (`cmd_op`), command statuses (`cmd_status`), sequencer phases
//! (`seq_phase`) and the status counters. rust-hdl kernels cannot name Rust
//! constants, so blocks carry them as `Constant` fields built from these
//! enums ([`CmdOp::bits`] …); the co-simulation, the UART protocol, the
//! waveform filters and the docs use the enums themselves.

use rust_hdl::prelude::*;

/// Bits of `cmd_op`, `cmd_status` and `seq_phase`.
pub const CODE_BITS: usize = 3;

/// A code and its name; implemented by every enum here.
pub trait Code: Copy + Sized + 'static {
    /// Every value, in code order.
    const ALL: &'static [Self];
    fn code(self) -> u64;
    fn name(self) -> &'static str;
    /// The code as a kernel's `Constant` needs it.
    fn bits(self) -> Bits<CODE_BITS> {
        self.code().to_bits()
    }
    fn from_code(code: u64) -> Option<Self> {
        Self::ALL.iter().copied().find(|c| c.code() == code)
    }
}

macro_rules! codes {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $code:literal, $text:literal;)* }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vdoc])* $variant = $code,)*
        }

        impl Code for $name {
            const ALL: &'static [Self] = &[$($name::$variant),*];
            fn code(self) -> u64 {
                self as u64
            }
            fn name(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)*
                }
            }
        }
    };
}

codes! {
    /// `cmd_op`: the controller's commands. The other codes of `cmd_op`
    /// (0, 5, 6, 7) name no command and are answered [`Status::BadOp`].
    CmdOp {
        Snapshot = 1, "SNAPSHOT";
        Restore = 2, "RESTORE";
        Recover = 3, "RECOVER";
        Format = 4, "FORMAT";
    }
}

codes! {
    /// `cmd_status`: how a command ended.
    Status {
        Ok = 0, "ok";
        /// Another command was running; nothing changed.
        Busy = 1, "busy";
        /// No valid commit record, or (SNAPSHOT, RESTORE) no device mounted.
        Unformatted = 2, "unformatted";
        /// A damaged commit record or an impossible table.
        Corrupt = 3, "corrupt";
        /// Reserved (contract §3); no command answers it: a write that finds no
        /// frame is answered on the host port.
        NoFrames = 4, "no-frames";
        /// `cmd_op` named no command.
        BadOp = 5, "bad-op";
    }
}

codes! {
    /// `seq_phase`: what the sequencer is doing. SNAPSHOT's steps are flush
    /// (handshake and drain), harden (identify, retire the target slot,
    /// write the dirty entries), commit (record, then magic) and reclaim.
    Phase {
        Idle = 0, "idle";
        Flush = 1, "flush";
        Harden = 2, "harden";
        Commit = 3, "commit";
        Reclaim = 4, "reclaim";
        Restore = 5, "restore";
        Recover = 6, "recover";
        Format = 7, "format";
    }
}

codes! {
    /// The event counters of the status port, in the order the UART's
    /// COUNTER request numbers them.
    Counter {
        CowFaults = 0, "cow_faults";
        PagesHardened = 1, "pages_hardened";
        Snapshots = 2, "snapshots";
        Restores = 3, "restores";
        Errors = 4, "errors";
    }
}

/// SNAPSHOT's phases, in order.
pub const SNAPSHOT_PHASES: [Phase; 4] = [Phase::Flush, Phase::Harden, Phase::Commit, Phase::Reclaim];

/// The name of a `cmd_op` code: a command's, or "undefined op N".
pub fn op_name(code: u64) -> String {
    CmdOp::from_code(code).map_or_else(|| format!("undefined op {code}"), |op| op.name().to_string())
}

/// A GTKWave translate filter for `C`: one line a code, its value as
/// GTKWave shows a bus (hex) and its name.
pub fn translate_filter<C: Code>() -> String {
    C::ALL.iter().map(|c| format!("{:x} {}\n", c.code(), c.name())).collect()
}

/// Renders a translate filter.
pub type Filter = fn() -> String;

/// The top's ports that carry codes, and each one's translate filter
/// (`pmsnap generate` writes them as `gtkwave/<port>.txt`).
pub const FILTERED_PORTS: [(&str, Filter); 3] =
    [("cmd_op", translate_filter::<CmdOp>), ("cmd_status", translate_filter::<Status>), ("seq_phase", translate_filter::<Phase>)];

// Each enum must fit its port.
const _: () = assert!((CmdOp::Format as u64) < 1 << CODE_BITS && (Status::BadOp as u64) < 1 << CODE_BITS && (Phase::Format as u64) < 1 << CODE_BITS);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_are_unique() {
        fn check<C: Code + PartialEq + std::fmt::Debug>() {
            for (i, c) in C::ALL.iter().enumerate() {
                assert_eq!(C::from_code(c.code()), Some(*c));
                assert!(C::ALL[..i].iter().all(|d| d.code() != c.code() && d.name() != c.name()));
            }
        }
        check::<CmdOp>();
        check::<Status>();
        check::<Phase>();
        check::<Counter>();
        assert_eq!(op_name(3), "RECOVER");
        assert_eq!(op_name(6), "undefined op 6");
    }

    #[test]
    fn translate_filters_name_every_code() {
        assert_eq!(translate_filter::<Status>().lines().nth(5), Some("5 bad-op"));
        for (port, filter) in FILTERED_PORTS {
            assert!(crate::ports::TOP_PORTS.iter().any(|p| p.name == port), "{port} is a top port");
            assert!(filter().lines().count() >= 4, "{port}");
        }
    }
}
