//! Differential random workloads: the Verilated controller against the
//! reference model at several sizings, host settings and NVM timings. As
//! `pmsnap cosim` does, each run draws its NVM timing from its seed (unless
//! the test pins it) and sends stray commands.

mod common;

use common::{assert_pass, config};
use pmsnap_cosim::harness::CosimOptions;
use pmsnap_cosim::nvm::{NvmTiming, TimingSpec};
use pmsnap_cosim::trace::Op;
use pmsnap_cosim::workload::RandomWorkload;
use pmsnap_cosim::Cosim;
use pmsnap_hdl::{Config, HostBus, NvmBus};

fn run(config: Config, ops: usize, seed: u64, tweak: impl FnOnce(&mut CosimOptions)) -> (Vec<pmsnap_cosim::trace::TraceOp>, pmsnap_cosim::Outcome) {
    let w = RandomWorkload { ops, seed, pages: config.pages, page_words: config.page_words, word_bits: config.word_bits };
    let workload = w.generate();
    let mut opts = CosimOptions::new(config);
    opts.timing = TimingSpec::default().draw(w.timing_seed());
    opts.stray_commands = Some(w.stray_seed());
    tweak(&mut opts);
    let o = Cosim::new(opts, &workload).expect("model builds").run().expect("run completes");
    (workload, o)
}

fn random(config: Config, ops: usize, seed: u64, tweak: impl FnOnce(&mut CosimOptions)) -> pmsnap_cosim::Outcome {
    let (workload, o) = run(config, ops, seed, tweak);
    assert_pass(&o);
    assert_eq!(o.stats.ops, ops);
    let count = |f: fn(&Op) -> bool| workload.iter().filter(|t| f(&t.op)).count();
    // The run exercised what it was meant to.
    assert_eq!(o.stats.snapshots.len(), count(|op| matches!(op, Op::Snapshot)));
    assert_eq!(o.stats.restores.len(), count(|op| matches!(op, Op::Restore)));
    assert_eq!(o.stats.recovers.len(), count(|op| matches!(op, Op::PowerLoss)));
    assert!(o.stats.cow_faults > 0);
    assert!(o.stats.stray_commands > 0 && o.stats.commands_meeting_requests > 0);
    if config.frames >= 2 * config.pages {
        assert_eq!(o.stats.refused.no_frame, 0, "F ≥ 2L never refuses a write");
    }
    o
}

#[test]
fn smallest_sizing_with_cache() {
    let o = random(config(4, 4, 8, 32), 30_000, 11, |_| {});
    assert!(o.stats.port_errors > 0, "out-of-range accesses answered errors");
}

#[test]
fn smallest_sizing_without_cache_and_slow_nvm() {
    random(config(4, 4, 8, 32), 20_000, 12, |o| {
        o.cache_lines = 0;
        o.timing = NvmTiming { read_latency: 2, write_latency: 5, ready_percent: 60 };
    });
}

#[test]
fn frames_scarce_f_below_2l() {
    // F < 2L without a cache: writes that need a frame when none is free
    // fail cleanly, and the CPU sees it.
    let o = random(config(8, 4, 10, 32), 30_000, 13, |o| o.cache_lines = 0);
    assert!(o.stats.refused.no_frame > 500, "frame exhaustion happened ({:?})", o.stats.refused);
}

#[test]
fn frames_scarce_behind_a_cache_is_data_loss() {
    // The same behind a cache: a refused write-back loses a write the CPU
    // made, and the run must fail, naming it.
    let (_, o) = run(config(16, 8, 17, 32), 30_000, 14, |o| {
        o.cache_lines = 8;
        o.timing = NvmTiming { read_latency: 1, write_latency: 3, ready_percent: 80 };
    });
    let m = o.mismatch.expect("write-backs were refused");
    assert!(m.message.starts_with("data loss: the controller refused the write-back of ") && m.message.contains("no free frame"), "{m}");
}

#[test]
fn default_sizing() {
    random(Config::default(), 20_000, 15, |_| {});
}

#[test]
fn wide_words_and_large_pages() {
    random(config(32, 256, 64, 64), 10_000, 16, |o| {
        o.cache_lines = 16;
        o.timing = NvmTiming { read_latency: 3, write_latency: 9, ready_percent: 90 };
    });
}

#[test]
fn lookup_latency_2_at_odd_sizings_behind_a_stalling_nvm() {
    let k2 = |c: Config| Config { lookup_latency: 2, ..c };
    random(k2(config(4, 4, 5, 32)), 20_000, 17, |o| {
        o.cache_lines = 0;
        o.timing = NvmTiming { read_latency: 2, write_latency: 5, ready_percent: 40 };
    });
    let o = random(k2(config(8, 4, 10, 32)), 20_000, 18, |o| o.cache_lines = 0);
    assert!(o.stats.refused.no_frame > 300, "frame exhaustion happened ({:?})", o.stats.refused);
    random(k2(config(32, 256, 64, 64)), 10_000, 19, |o| {
        o.cache_lines = 16;
        o.timing = NvmTiming { read_latency: 3, write_latency: 9, ready_percent: 90 };
    });
}

/// `--host-bus axi4`: the same random workloads through the AXI4 front end,
/// the host's AXI4 manager pushing back on every channel it drives.
fn axi4(c: Config) -> Config {
    Config { host_bus: HostBus::Axi4, ..c }
}

#[test]
fn axi4_host_bus_with_back_pressure_at_odd_sizings() {
    let o = random(axi4(config(4, 4, 8, 32)), 20_000, 31, |o| o.bus_ready_percent = 40);
    assert!(o.stats.port_errors > 0, "out-of-range accesses answered errors (DECERR)");
    assert_eq!(o.stats.bus_beats, o.stats.port_requests, "every request went out as a beat");
    assert!(o.stats.bus_strays > 50, "stray bursts were sent and refused ({})", o.stats.bus_strays);
    random(axi4(config(4, 4, 8, 32)), 20_000, 32, |o| {
        o.cache_lines = 0;
        o.bus_ready_percent = 25;
        o.timing = NvmTiming { read_latency: 2, write_latency: 5, ready_percent: 60 };
    });
    random(axi4(Config { lookup_latency: 2, ..config(32, 256, 64, 64) }), 10_000, 33, |o| {
        o.cache_lines = 16;
        o.bus_ready_percent = 70;
        o.timing = NvmTiming { read_latency: 3, write_latency: 9, ready_percent: 90 };
    });
    // F < 2L: writes refused for want of a frame come back as SLVERR, each
    // on its own (the manager makes no write bursts then).
    let o = random(axi4(config(8, 4, 10, 32)), 20_000, 34, |o| {
        o.cache_lines = 0;
        o.bus_ready_percent = 60;
    });
    assert!(o.stats.refused.no_frame > 300, "frame exhaustion happened ({:?})", o.stats.refused);
}

#[test]
fn axi4_bursts_of_the_vm_program_survive_restores_and_power_losses() {
    use pmsnap_cosim::nvm::PowerLossMode;
    use pmsnap_cosim::vm::VmSpec;
    // Without a cache the program's register saves and loads go out as
    // bursts of consecutive words.
    let spec = VmSpec { steps: 1500, checkpoint: 24, seed: 9, restore_percent: 20, power_loss_percent: 20, pages: 16, page_words: 8, word_bits: 32 };
    for (k, mode, seed) in [(1, PowerLossMode::Drop, 1u64), (2, PowerLossMode::Adversarial, 2)] {
        let mut rng = pmsnap_cosim::rng::Rng::new(seed);
        let crash_at: Vec<u64> = (0..10).map(|_| 600 + rng.below(40_000)).collect();
        let c = axi4(Config { lookup_latency: k, ..config(16, 8, 32, 32) });
        let o = common::run_trace(c, "", |o| {
            o.vm = Some(spec);
            o.cache_lines = 0;
            o.crash_at = crash_at.clone();
            o.power_loss = mode;
            o.bus_ready_percent = 50;
            o.timing = NvmTiming { read_latency: 1, write_latency: 4, ready_percent: 70 };
        });
        assert_pass(&o);
        assert!(o.crashes.len() >= 10, "K = {k}: {} power losses", o.crashes.len());
        // The run exercised bursts: beats beyond the first of their burst.
        let beyond = o.stats.bus_beats - o.stats.bus_bursts;
        assert!(beyond >= 200, "K = {k}: {beyond} beats rode in longer bursts ({} beats in {} bursts)", o.stats.bus_beats, o.stats.bus_bursts);
    }
}

/// `--host-bus wishbone`: the same random workloads through the Wishbone
/// front end, the host's manager leaving gaps, and (with strays) sending
/// requests with a `sel` bit low and reads it gives up on.
fn wishbone(c: Config) -> Config {
    Config { host_bus: HostBus::Wishbone, ..c }
}

#[test]
fn wishbone_host_bus_with_gaps_at_odd_sizings() {
    let o = random(wishbone(config(4, 4, 8, 32)), 20_000, 41, |o| o.bus_ready_percent = 40);
    assert!(o.stats.port_errors > 0, "out-of-range accesses answered err");
    assert!(o.stats.bus_strays > 20, "stray requests were sent and refused or given up ({})", o.stats.bus_strays);
    random(wishbone(Config { lookup_latency: 2, ..config(32, 256, 64, 64) }), 10_000, 42, |o| {
        o.cache_lines = 16;
        o.bus_ready_percent = 70;
        o.timing = NvmTiming { read_latency: 3, write_latency: 9, ready_percent: 90 };
    });
    let o = random(wishbone(config(8, 4, 10, 32)), 20_000, 43, |o| {
        o.cache_lines = 0;
        o.bus_ready_percent = 60;
    });
    assert!(o.stats.refused.no_frame > 300, "frame exhaustion happened ({:?})", o.stats.refused);
}

/// `--nvm-bus axi4`: the same random workloads with the NVM behind an AXI4
/// port whose reads and writes are two queues with no order between them,
/// back-pressure on AR, AW and W, and every host bus in front.
fn nvm_axi4(c: Config) -> Config {
    Config { nvm_bus: NvmBus::Axi4, ..c }
}

#[test]
fn nvm_axi4_bus_behind_every_host_bus_at_odd_sizings() {
    for (host_bus, seed) in [(HostBus::Native, 51u64), (HostBus::Axi4, 52), (HostBus::Wishbone, 53)] {
        let o = random(nvm_axi4(Config { host_bus, ..config(4, 4, 8, 32) }), 20_000, seed, |o| {
            o.cache_lines = 0;
            o.bus_ready_percent = 60;
            o.timing = NvmTiming { read_latency: 2, write_latency: 7, ready_percent: 50 };
        });
        assert_eq!(o.stats.nvm_beats, o.stats.nvm_reads + o.stats.nvm_writes, "{host_bus}: every NVM access went over the AXI4 port");
        assert!(o.stats.nvm_bursts > 10_000, "{host_bus}: {} bursts", o.stats.nvm_bursts);
    }
    random(nvm_axi4(Config { lookup_latency: 2, ..config(32, 256, 64, 64) }), 10_000, 54, |o| {
        o.cache_lines = 16;
        o.timing = NvmTiming { read_latency: 3, write_latency: 9, ready_percent: 90 };
    });
    let o = random(nvm_axi4(config(8, 4, 10, 32)), 20_000, 55, |o| o.cache_lines = 0);
    assert!(o.stats.refused.no_frame > 300, "frame exhaustion happened ({:?})", o.stats.refused);
}
