//! Power loss at any cycle: crash campaigns in both NVM modes at the default
//! F = 2L with the NVM's timing drawn per run, the worst cases for frames,
//! replay of one crash, and proof that the checks catch a device that
//! breaks the rules.

mod common;

use common::{assert_pass, config, pmsnap, run_trace};
use pmsnap_cosim::campaign::{Campaign, CampaignResult, Shard};
use pmsnap_cosim::harness::{CosimOptions, Recovered};
use pmsnap_cosim::nvm::{NvmTiming, PowerLossMode, TimingSpec};

fn campaign(mode: PowerLossMode, runs: usize, seed: u64, tweak: impl FnOnce(&mut CosimOptions)) -> CampaignResult {
    campaign_on(config(16, 8, 32, 32), mode, runs, seed, tweak)
}

fn campaign_on(c: pmsnap_hdl::Config, mode: PowerLossMode, runs: usize, seed: u64, tweak: impl FnOnce(&mut CosimOptions)) -> CampaignResult {
    let mut base = CosimOptions::new(c);
    base.cache_lines = 16;
    base.power_loss = mode;
    tweak(&mut base);
    Campaign { base, timing: TimingSpec::default(), runs, shard: Shard::WHOLE, seed, ops_per_run: 400, crashes_per_run: 2, jobs: 2 }
        .run(None)
        .expect("campaign runs")
}

fn assert_clean_and_thorough(r: &CampaignResult) {
    if let Some(v) = r.violations.first() {
        panic!("{} violations; first: seed {} crash at {:?}: cycle {}: {}", r.violations.len(), v.workload_seed, v.crash_at, v.cycle, v.message);
    }
    let total: u64 = r.crashes.iter().sum();
    assert!(total >= 2000, "a few thousand crash points ({total})");
    // Every SNAPSHOT phase was hit, and both outcomes occurred.
    for (phase, name) in [(1, "flush"), (2, "harden"), (3, "commit"), (4, "reclaim")] {
        assert!(r.crashes[phase] >= 50, "{name}: {} crash points", r.crashes[phase]);
    }
    assert_eq!(r.recovered_new[1] + r.recovered_new[2], 0, "before the commit only the old snapshot can come back");
    assert_eq!(r.recovered_old[4], 0, "after the commit only the new one");
    assert!(r.recovered_new[3] > 0 && r.recovered_old[3] > 0, "a loss during the commit goes either way");
    // F = 2L: not one write refused for want of a frame; commands met the
    // traffic and were refused as they must be.
    assert_eq!(r.refused.no_frame, 0);
    assert!(r.refused.out_of_range > 1000);
    assert!(r.refused_commands.busy > 1000 && r.refused_commands.bad_op > 1000, "{:?}", r.refused_commands);
    assert!(r.refused_commands.unformatted >= 2 * r.runs as u64, "SNAPSHOT and RESTORE before FORMAT, every run");
    assert!(r.fallback_releases > 100, "frames ran short and the fallback gave them up ({})", r.fallback_releases);
}

#[test]
fn campaign_with_unanswered_writes_dropped() {
    let r = campaign(PowerLossMode::Drop, 1000, 21, |_| {});
    assert_clean_and_thorough(&r);
    assert_eq!(r.torn_writes, 0);
}

#[test]
fn campaign_with_unanswered_writes_landing_at_random() {
    let r = campaign(PowerLossMode::Adversarial, 1000, 22, |_| {});
    assert_clean_and_thorough(&r);
    assert!(r.torn_writes > 200, "multi-word updates tore ({} writes landed)", r.torn_writes);
}

#[test]
fn campaigns_on_the_variant_with_lookup_latency_2() {
    let c = pmsnap_hdl::Config { lookup_latency: 2, ..config(16, 8, 32, 32) };
    let r = campaign_on(c, PowerLossMode::Drop, 1000, 23, |_| {});
    assert_clean_and_thorough(&r);
    let r = campaign_on(c, PowerLossMode::Adversarial, 1000, 24, |_| {});
    assert_clean_and_thorough(&r);
    assert!(r.torn_writes > 200, "multi-word updates tore ({} writes landed)", r.torn_writes);
}

#[test]
fn the_checks_catch_an_nvm_that_loses_answered_writes() {
    // Such a device breaks the durability contract; what it does to the
    // snapshot must show up as a violation, never as a quiet pass.
    let r = campaign(PowerLossMode::Drop, 200, 23, |o| o.faults.nvm_forgets_answered = 16);
    assert!(r.violations.len() > 10, "{} violations", r.violations.len());
}

#[test]
fn one_crash_replays_exactly() {
    let c = config(4, 4, 8, 32);
    let trace = "W 0 1\nW 5 2\nS\nW 0 3\nW 9 4\nS\nR 0\n";
    // Find the second snapshot's commit and reclaim phases, then lose
    // power as each begins: before the switch, and just after it.
    let dry = run_trace(c, trace, |o| o.record_phases = true);
    assert_pass(&dry);
    let starts = |phase: u8| -> Vec<u64> { dry.phases.iter().filter(|(_, p)| *p == phase).map(|(c, _)| *c).collect() };
    let (commits, reclaims) = (starts(3), starts(4));
    assert_eq!((commits.len(), reclaims.len()), (2, 2));
    for (cycle, want) in [(commits[1], Recovered::Old), (reclaims[1], Recovered::New)] {
        let o = run_trace(c, trace, |o| o.crash_at = vec![cycle]);
        assert_pass(&o);
        assert_eq!(o.crashes.len(), 1);
        assert_eq!(o.crashes[0].cycle, cycle);
        assert_eq!(o.crashes[0].recovered, Some(want), "power loss at cycle {cycle}");
        // After recovery the host carries on from the recovered snapshot.
        let last = if want == Recovered::New { 3 } else { 1 };
        assert_eq!(o.reads.last(), Some(&Some(last)));
    }
}

#[test]
fn crash_command_prints_the_table_and_exits_0() {
    let out = pmsnap().args(["crash", "--runs", "20", "--seed", "5", "--nvm", "adversarial"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    for row in ["| flush |", "| harden |", "| commit |", "| reclaim |", "| **all** |", "violations: 0"] {
        assert!(text.contains(row), "{row} in:\n{text}");
    }
}

#[test]
fn commit_records_damaged_at_rest_are_detected_and_the_other_slot_is_used() {
    use pmsnap_cosim::harness::SlotTarget;
    // F = 2L.
    let c = config(4, 4, 8, 32);
    let prefix = "W 0 1\nS\nW 0 2\nS\n";
    let at = run_trace(c, prefix, |_| {}).stats.cycles;
    let trace = format!("{prefix}W 0 3\nR 0\nP\nR 0\nW 4 5\nS\nP\nR 4\n");
    for (target, after_loss) in [(SlotTarget::Committed, 1), (SlotTarget::Fallback, 2), (SlotTarget::Both, 0), (SlotTarget::CommittedTable, 0)] {
        let o = run_trace(c, &trace, |o| o.faults.corrupt_at = vec![(at, target)]);
        assert_pass(&o);
        // R 0 before the loss, R 0 after RECOVER, R 4 after the next loss.
        assert_eq!(o.reads, vec![Some(3), Some(after_loss), Some(5)], "{target:?}");
        let recovered = o.crashes.len();
        // A SNAPSHOT between the damage and the power loss reads the
        // committed record back: damaged, it answers corrupt and changes
        // nothing.
        let with_snapshot = trace.replacen("R 0\nP", "R 0\nS\nP", 1);
        let o2 = run_trace(c, &with_snapshot, |o| o.faults.corrupt_at = vec![(at, target)]);
        assert_pass(&o2);
        let want = if matches!(target, SlotTarget::Fallback | SlotTarget::CommittedTable) {
            // The committed record is intact: the snapshot goes ahead (it
            // rewrites the damaged slot, or leaves the damaged table behind
            // as the fallback's); the loss then recovers it.
            vec![Some(3), Some(3), Some(5)]
        } else {
            o.reads.clone()
        };
        assert_eq!(o2.reads, want, "{target:?}");
        // Both records bad, or the committed table holding an impossible
        // entry: RECOVER answers corrupt and the host formats.
        let corrupt = matches!(target, SlotTarget::Both | SlotTarget::CommittedTable);
        assert_eq!(recovered, if corrupt { 1 } else { 2 }, "{target:?}");
    }
}

#[test]
fn a_fallback_given_up_for_frames_is_not_there_to_fall_back_to() {
    use pmsnap_cosim::harness::SlotTarget;
    // F = 2L, every page rewritten in two epochs: the fallback holds the L
    // frames the committed image does not. A COW fault takes them, after
    // invalidating the fallback's record. Damage to the committed record
    // then leaves nothing valid: RECOVER answers corrupt, the host formats.
    // Without that COW the fallback is still there and comes back.
    let c = config(4, 4, 8, 32);
    let prefix = "W 0 1\nW 4 1\nW 8 1\nW c 1\nS\nW 0 2\nW 4 2\nW 8 2\nW c 2\nS\n";
    for (extra, after_loss) in [("", Some(1)), ("W 1 3\n", Some(0))] {
        let setup = format!("{prefix}{extra}");
        let uncached = |o: &mut pmsnap_cosim::harness::CosimOptions| o.cache_lines = 0;
        let at = run_trace(c, &setup, uncached).stats.cycles;
        // The reads give the damage (at the end of `setup`) time to land
        // before the power loss.
        let o = run_trace(c, &format!("{setup}R 4\nR 8\nR c\nP\nR 0\n"), |o| {
            uncached(o);
            o.faults.corrupt_at = vec![(at, SlotTarget::Committed)];
        });
        assert_pass(&o);
        assert_eq!(o.reads, vec![Some(2), Some(2), Some(2), after_loss], "after {extra:?}");
        assert_eq!(o.stats.refused.no_frame, 0);
    }
}

/// The SNAPSHOT phases, by their `seq_phase` codes.
const SNAPSHOT_PHASES: [u8; 4] = [1, 2, 3, 4];

#[test]
fn worst_case_for_frames_every_page_rewritten_every_epoch_with_power_lost_in_every_phase() {
    // F = 2L. Six epochs, each rewriting every page (twice in the epochs
    // that RESTORE halfway), a SNAPSHOT between them. Then one power loss
    // at the first, middle and last cycle of every phase of every
    // SNAPSHOT, both NVM modes, with and without a cache, on a stalling
    // NVM: never a refused write, every recovery exact.
    let c = config(8, 4, 16, 32);
    let mut t = String::new();
    for epoch in 1..=6u64 {
        for round in 0..if epoch % 2 == 0 { 2 } else { 1 } {
            for p in 0..8u64 {
                t += &format!("W {:x} {:x}\nW {:x} {:x}\n", p * 4, epoch * 16 + p, p * 4 + 3, round);
            }
            if epoch % 2 == 0 && round == 0 {
                t += "X\n";
            }
        }
        t += "S\n";
    }
    t += &(0..32).map(|a| format!("R {a:x}\n")).collect::<String>();
    let timing = NvmTiming { read_latency: 2, write_latency: 3, ready_percent: 75 };
    let mut crash_points = 0;
    for cache_lines in [0usize, 8] {
        let setup = |o: &mut pmsnap_cosim::harness::CosimOptions| {
            o.cache_lines = cache_lines;
            o.timing = timing;
        };
        let dry = run_trace(c, &t, |o| {
            setup(o);
            o.record_phases = true;
        });
        assert_pass(&dry);
        assert_eq!(dry.stats.snapshots.len(), 6);
        assert_eq!(dry.stats.refused.no_frame, 0);
        assert!(dry.stats.fallback_releases >= 4, "frames ran short: the fallback gave them up ({})", dry.stats.fallback_releases);
        let mut cycles = Vec::new();
        for (k, &(start, phase)) in dry.phases.iter().enumerate() {
            let end = dry.phases.get(k + 1).map_or(dry.stats.cycles, |&(s, _)| s);
            if SNAPSHOT_PHASES.contains(&phase) && start > dry.formatted_at {
                cycles.extend([start, (start + end) / 2, end - 1]);
            }
        }
        assert_eq!(cycles.len(), 6 * 4 * 3, "every phase of every SNAPSHOT");
        for mode in [PowerLossMode::Drop, PowerLossMode::Adversarial] {
            for &cycle in &cycles {
                let o = run_trace(c, &t, |o| {
                    setup(o);
                    o.power_loss = mode;
                    o.crash_at = vec![cycle];
                });
                assert_pass(&o);
                assert_eq!(o.stats.refused.no_frame, 0, "cycle {cycle}");
                assert_eq!(o.crashes.len(), 1);
                assert!(SNAPSHOT_PHASES.contains(&o.crashes[0].phase), "cycle {cycle}: {:?}", o.crashes[0]);
                crash_points += 1;
            }
        }
    }
    assert_eq!(crash_points, 2 * 2 * 72);
    // With F = 3L the same trace never touches the fallback's frames.
    let o = run_trace(config(8, 4, 24, 32), &t, |o| o.timing = timing);
    assert_pass(&o);
    assert_eq!(o.stats.fallback_releases, 0);
}

#[test]
fn vm_program_survives_restores_and_power_losses_with_the_uninterrupted_result() {
    use pmsnap_cosim::vm::VmSpec;
    // F = 2L: no write is ever refused (a refused write-back would fail
    // the run as data loss), whatever the fallback snapshot holds.
    let c = config(16, 8, 32, 32);
    let spec = VmSpec { steps: 1500, checkpoint: 24, seed: 9, restore_percent: 20, power_loss_percent: 20, pages: 16, page_words: 8, word_bits: 32 };
    // Twelve draws of power-loss cycles, both modes: the ones that cut a
    // checkpoint's writes short must not let the rest run after RECOVER.
    for (mode, seed) in (1..=12u64).map(|s| (if s % 2 == 1 { PowerLossMode::Drop } else { PowerLossMode::Adversarial }, s)) {
        let mut rng = pmsnap_cosim::rng::Rng::new(seed);
        let crash_at: Vec<u64> = (0..25).map(|_| 600 + rng.below(40_000)).collect();
        let o = run_trace(c, "", |o| {
            o.vm = Some(spec);
            o.crash_at = crash_at.clone();
            o.power_loss = mode;
            o.timing = NvmTiming { read_latency: 1, write_latency: 4, ready_percent: 70 };
        });
        // The harness compares acc and every data word with expected().
        assert_pass(&o);
        assert!(o.crashes.len() >= 25, "{mode:?} seed {seed}: {} power losses", o.crashes.len());
        assert!(o.stats.restores.len() >= 3 && o.stats.vm_reloads >= 20, "{mode:?}: the program was interrupted often");
        assert_eq!(o.stats.refused.no_frame, 0);
    }
}

#[test]
fn vm_result_check_can_fail() {
    use pmsnap_cosim::vm::VmSpec;
    // F = L + 1 with the program touching every page: writes are refused.
    // Behind a cache that is data loss, caught as it happens; without one
    // the CPU is told, the program ignores it, and its result must not pass
    // as an uninterrupted run's.
    let c = config(16, 8, 17, 32);
    let spec = VmSpec { steps: 600, checkpoint: 24, seed: 9, restore_percent: 0, power_loss_percent: 0, pages: 16, page_words: 8, word_bits: 32 };
    let o = run_trace(c, "", |o| o.vm = Some(spec));
    let m = o.mismatch.expect("a refused write-back is data loss");
    assert!(m.message.starts_with("data loss: "), "{m}");
    let o = run_trace(c, "", |o| {
        o.vm = Some(spec);
        o.cache_lines = 0;
    });
    let m = o.mismatch.expect("refused writes change the result");
    assert!(m.message.starts_with("VM: "), "{m}");
    assert!(o.stats.refused.no_frame > 0);
}

#[test]
fn a_violating_campaign_exits_1_with_a_replay_command_and_a_waveform() {
    let dir = tempfile::tempdir().unwrap();
    let vcd = dir.path().join("violation.vcd");
    let out = pmsnap().args(["crash", "--runs", "60", "--nvm-forgets-answered", "16", "--vcd"]).arg(&vcd).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    // The replay names this very binary, so it can be pasted as it is.
    let replay = err.lines().find_map(|l| l.strip_prefix(&format!("replay: {} ", env!("CARGO_BIN_EXE_pmsnap")))).expect("a replay command naming the binary");
    // It pins the NVM timing the run drew.
    for flag in ["--nvm-read-latency ", "--nvm-write-latency ", "--nvm-ready-percent "] {
        assert!(replay.contains(flag), "{flag} in {replay}");
    }
    assert!(String::from_utf8_lossy(&out.stdout).contains("NVM timing per run: read latency +0–4 (drawn)"));
    assert!(std::fs::metadata(&vcd).map(|m| m.len() > 1000).unwrap_or(false), "waveform written");
    let saved = pmsnap_wave::gtkw::read(&vcd.with_extension("gtkw")).expect("with its save file");
    assert!(saved.markers.iter().any(|(_, l)| l == "first failure"), "{:?}", saved.markers);
    // The replay command reproduces the failure: the same check, at the same cycle.
    let violation = err.lines().find_map(|l| l.strip_prefix("pmsnap: error: check failed: violation at ")).expect("the violation");
    let again = pmsnap().args(replay.split_whitespace()).output().unwrap();
    let again_err = String::from_utf8_lossy(&again.stderr);
    assert_eq!(again.status.code(), Some(1), "{again_err}");
    assert!(again_err.contains(&format!("check failed: {violation}")), "replay of `{violation}` said:\n{again_err}");
}

#[test]
fn campaigns_on_the_axi4_host_bus() {
    // The AXI4 front end, the host's manager pushing back on every channel.
    let c = pmsnap_hdl::Config { host_bus: pmsnap_hdl::HostBus::Axi4, ..config(16, 8, 32, 32) };
    let r = campaign_on(c, PowerLossMode::Drop, 1000, 25, |o| o.bus_ready_percent = 60);
    assert_clean_and_thorough(&r);
    let c = pmsnap_hdl::Config { lookup_latency: 2, ..c };
    let r = campaign_on(c, PowerLossMode::Adversarial, 1000, 26, |o| o.bus_ready_percent = 60);
    assert_clean_and_thorough(&r);
    assert!(r.torn_writes > 200, "multi-word updates tore ({} writes landed)", r.torn_writes);
}

#[test]
fn campaigns_on_the_wishbone_host_bus() {
    let c = pmsnap_hdl::Config { host_bus: pmsnap_hdl::HostBus::Wishbone, ..config(16, 8, 32, 32) };
    let r = campaign_on(c, PowerLossMode::Drop, 1000, 27, |o| o.bus_ready_percent = 60);
    assert_clean_and_thorough(&r);
    let c = pmsnap_hdl::Config { lookup_latency: 2, ..c };
    let r = campaign_on(c, PowerLossMode::Adversarial, 1000, 28, |o| o.bus_ready_percent = 60);
    assert_clean_and_thorough(&r);
    assert!(r.torn_writes > 200, "multi-word updates tore ({} writes landed)", r.torn_writes);
}

#[test]
fn campaigns_on_the_axi4_nvm_bus() {
    // Durability is the B: writes without one are dropped or torn.
    let c = pmsnap_hdl::Config { nvm_bus: pmsnap_hdl::NvmBus::Axi4, ..config(16, 8, 32, 32) };
    let r = campaign_on(c, PowerLossMode::Drop, 1000, 29, |_| {});
    assert_clean_and_thorough(&r);
    let c = pmsnap_hdl::Config { lookup_latency: 2, host_bus: pmsnap_hdl::HostBus::Axi4, ..c };
    let r = campaign_on(c, PowerLossMode::Adversarial, 1000, 30, |o| o.bus_ready_percent = 60);
    assert_clean_and_thorough(&r);
    assert!(r.torn_writes > 200, "multi-word updates tore ({} writes landed)", r.torn_writes);
}
