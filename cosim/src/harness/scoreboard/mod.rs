//! The scoreboard: every check of the co-simulation.

pub mod nvm_rules;
