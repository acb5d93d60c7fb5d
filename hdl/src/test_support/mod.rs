//! Test-only helpers for the blocks' test benches: each block linted and
//! synthesized alone, and a zero-wait NVM to drive an NVM port.

pub mod lint;
pub mod zero_wait_nvm;
