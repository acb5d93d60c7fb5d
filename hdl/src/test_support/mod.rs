//! Test-only helpers for the blocks' test benches: each block linted and
//! synthesized alone, a zero-wait NVM to drive an NVM port, and a seeded
//! generator for random traffic.

pub mod lint;
pub mod rng;
pub mod zero_wait_nvm;
