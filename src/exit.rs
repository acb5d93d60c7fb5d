//! The errors the command line tells apart, and the one table from an
//! error to the exit status (README, "Exit status"):
//!
//! | status | meaning |
//! |---:|---|
//! | 0 | success |
//! | 1 | a check failed: a co-simulation mismatch, a crash-campaign violation, timing not met, simulators that disagree, a board that refused a command |
//! | 2 | bad input: flags, sizing, a trace file (named with its line), shard files that are not one whole campaign |
//! | 3 | the tools failed: Verilator or a synthesis tool missing, a build error, an I/O error |

use std::error::Error;
use std::process::ExitCode;

/// Something wrong in what the user gave: a flag's value, a file that
/// cannot be read as input.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BadInput(pub String);

/// A check failed: a co-simulation mismatch, a crash-campaign violation.
#[derive(Debug, thiserror::Error)]
#[error("check failed: {0}")]
pub struct CheckFailed(pub String);

/// Exit statuses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Success = 0,
    CheckFailed = 1,
    BadInput = 2,
    ToolFailed = 3,
}

impl From<Status> for ExitCode {
    fn from(s: Status) -> ExitCode {
        ExitCode::from(s as u8)
    }
}

type Matcher = fn(&(dyn Error + 'static)) -> bool;

/// Error types and their exit status, in priority order: the first row a
/// cause in the error's chain matches decides. Anything else is a tool
/// failure.
const TABLE: [(Matcher, Status); 7] = [
    (|e| e.is::<CheckFailed>(), Status::CheckFailed),
    (|e| e.is::<pmsnap_flow::TimingMissed>(), Status::CheckFailed),
    (|e| e.is::<pmsnap_bench::speed::Disagreement>(), Status::CheckFailed),
    (|e| e.is::<crate::board_link::CommandFailed>(), Status::CheckFailed),
    (|e| e.is::<BadInput>(), Status::BadInput),
    (|e| e.is::<pmsnap_cosim::trace::TraceError>(), Status::BadInput),
    (|e| e.is::<pmsnap_hdl::ConfigError>(), Status::BadInput),
];

/// The exit status of a command that failed with `e`.
pub fn status(e: &anyhow::Error) -> Status {
    TABLE.iter().find(|(matches, _)| e.chain().any(matches)).map_or(Status::ToolFailed, |&(_, s)| s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context;

    #[test]
    fn the_table_reads_the_whole_chain() {
        let e = anyhow::Error::new(BadInput("x".into())).context("while reading");
        assert_eq!(status(&e), Status::BadInput);
        let e = anyhow::Error::new(pmsnap_flow::TimingMissed { fmax_mhz: 40.0, target_mhz: 50.0 }).context("bitstream");
        assert_eq!(status(&e), Status::CheckFailed);
        assert_eq!(status(&anyhow::anyhow!("no such file")), Status::ToolFailed);
        let io: anyhow::Result<()> = Err(std::io::Error::other("disk full")).context("cannot write x");
        assert_eq!(status(&io.unwrap_err()), Status::ToolFailed);
    }
}
