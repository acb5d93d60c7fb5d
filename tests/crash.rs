//! Power loss at any cycle: crash campaigns in both NVM modes, replay of one
//! crash, and proof that the checks catch a device that breaks the rules.

mod common;

use common::{assert_pass, config, pmsnap, run_trace};
use pmsnap_cosim::campaign::{Campaign, CampaignResult};
use pmsnap_cosim::harness::{CosimOptions, Recovered};
use pmsnap_cosim::nvm::PowerLossMode;

fn campaign(mode: PowerLossMode, runs: usize, seed: u64, tweak: impl FnOnce(&mut CosimOptions)) -> CampaignResult {
    let mut base = CosimOptions::new(config(16, 8, 32, 32));
    base.cache_lines = 16;
    base.power_loss = mode;
    tweak(&mut base);
    Campaign { base, runs, seed, ops_per_run: 400, crashes_per_run: 2, jobs: 2 }.run(None).expect("campaign runs")
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
fn the_checks_catch_an_nvm_that_loses_answered_writes() {
    // Such a device breaks the durability contract; what it does to the
    // snapshot must show up as a violation, never as a quiet pass.
    let r = campaign(PowerLossMode::Drop, 200, 23, |o| o.nvm_forgets_answered = 16);
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
    let c = config(4, 4, 8, 32);
    let prefix = "W 0 1\nS\nW 0 2\nS\n";
    let at = run_trace(c, prefix, |_| {}).stats.cycles;
    let trace = format!("{prefix}W 0 3\nR 0\nP\nR 0\nW 4 5\nS\nP\nR 4\n");
    for (target, after_loss) in [(SlotTarget::Committed, 1), (SlotTarget::Fallback, 2), (SlotTarget::Both, 0), (SlotTarget::CommittedTable, 0)] {
        let o = run_trace(c, &trace, |o| o.corrupt_at = vec![(at, target)]);
        assert_pass(&o);
        // R 0 before the loss, R 0 after RECOVER, R 4 after the next loss.
        assert_eq!(o.reads, vec![Some(3), Some(after_loss), Some(5)], "{target:?}");
        let recovered = o.crashes.len();
        // A SNAPSHOT between the damage and the power loss reads the
        // committed record back: damaged, it answers corrupt and changes
        // nothing.
        let with_snapshot = trace.replacen("R 0\nP", "R 0\nS\nP", 1);
        let o2 = run_trace(c, &with_snapshot, |o| o.corrupt_at = vec![(at, target)]);
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
fn vm_program_survives_restores_and_power_losses_with_the_uninterrupted_result() {
    use pmsnap_cosim::vm::VmSpec;
    // F = 3L: the fallback snapshot may hold up to L frames besides the
    // committed and working images, so no write can be refused.
    let c = config(16, 8, 48, 32);
    let spec = VmSpec { steps: 1500, checkpoint: 24, seed: 9, restore_percent: 20, power_loss_percent: 20, pages: 16, page_words: 8, word_bits: 32 };
    for (mode, seed) in [(PowerLossMode::Drop, 1u64), (PowerLossMode::Adversarial, 2)] {
        let mut rng = pmsnap_cosim::rng::Rng::new(seed);
        let crash_at: Vec<u64> = (0..25).map(|_| 600 + rng.below(40_000)).collect();
        let o = run_trace(c, "", |o| {
            o.vm = Some(spec);
            o.crash_at = crash_at.clone();
            o.power_loss = mode;
        });
        // The harness compares acc and every data word with expected().
        assert_pass(&o);
        assert!(o.crashes.len() >= 25, "{mode:?}: {} power losses", o.crashes.len());
        assert!(o.stats.restores.len() >= 3 && o.stats.vm_reloads >= 20, "{mode:?}: the program was interrupted often");
    }
}

#[test]
fn vm_result_check_can_fail() {
    use pmsnap_cosim::vm::VmSpec;
    // F = L + 1 with the program touching every page: writes are refused,
    // data is lost, and the result must not pass as an uninterrupted run's.
    let c = config(16, 8, 17, 32);
    let spec = VmSpec { steps: 600, checkpoint: 24, seed: 9, restore_percent: 0, power_loss_percent: 0, pages: 16, page_words: 8, word_bits: 32 };
    let o = run_trace(c, "", |o| o.vm = Some(spec));
    let m = o.mismatch.expect("lost writes change the result");
    assert!(m.message.starts_with("VM: "), "{m}");
}

#[test]
fn a_violating_campaign_exits_1_with_a_replay_command_and_a_waveform() {
    let dir = tempfile::tempdir().unwrap();
    let vcd = dir.path().join("violation.vcd");
    let out = pmsnap().args(["crash", "--runs", "60", "--nvm-forgets-answered", "16", "--vcd"]).arg(&vcd).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    let replay = err.lines().find_map(|l| l.strip_prefix("replay: pmsnap ")).expect("a replay command");
    assert!(std::fs::metadata(&vcd).map(|m| m.len() > 1000).unwrap_or(false), "waveform written");
    // The replay command reproduces the failure.
    let again = pmsnap().args(replay.split_whitespace()).output().unwrap();
    assert_eq!(again.status.code(), Some(1), "{}", String::from_utf8_lossy(&again.stderr));
}
