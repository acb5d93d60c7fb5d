//! Helpers shared by the integration tests.
#![allow(dead_code)]

use pmsnap_cosim::harness::CosimOptions;
use pmsnap_cosim::trace;
use pmsnap_cosim::{Cosim, Outcome};
use pmsnap_hdl::Config;

pub fn config(pages: usize, page_words: usize, frames: usize, word_bits: usize) -> Config {
    Config::sized(pages, page_words, frames, word_bits)
}

/// Runs trace text on `config` with options adjusted by `tweak`.
pub fn run_trace(config: Config, text: &str, tweak: impl FnOnce(&mut CosimOptions)) -> Outcome {
    let ops = trace::parse(text, "test", config.word_bits).expect("test trace parses");
    let mut opts = CosimOptions::new(config);
    tweak(&mut opts);
    Cosim::new(opts, &ops).expect("model builds").run().expect("run completes")
}

/// Asserts that every check held.
pub fn assert_pass(o: &Outcome) {
    if let Some(m) = &o.mismatch {
        panic!("co-simulation failed: {m}");
    }
}

pub fn pmsnap() -> std::process::Command {
    std::process::Command::new(env!("CARGO_BIN_EXE_pmsnap"))
}
