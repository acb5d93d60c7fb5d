//! Crash campaigns past one machine: `pmsnap crash --shard K/N --json FILE`
//! and `pmsnap crash-merge`. The shards of a campaign, merged in any order,
//! print exactly what the whole campaign prints (but for the wall time); a
//! violation in any shard fails the merge with the whole run's replay; the
//! merge refuses anything that is not every shard of one campaign; and the
//! recipes in campaigns/ (local, Slurm, Kubernetes) run their shards.

mod common;

use common::pmsnap;
use std::path::Path;
use std::process::{Command, Output};

/// A small campaign, in the adversarial mode (torn writes land).
const CAMPAIGN: [&str; 6] = ["--runs", "36", "--seed", "11", "--nvm", "adversarial"];

fn crash(extra: &[&str]) -> Output {
    pmsnap().arg("crash").args(CAMPAIGN).args(["--jobs", "2"]).args(extra).output().unwrap()
}

fn merge(files: &[&Path]) -> Output {
    pmsnap().arg("crash-merge").args(files).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The report with its wall time (the one figure that differs) blanked.
fn report(out: &Output) -> String {
    text(&out.stdout).lines().map(|l| l.split("   wall: ").next().unwrap_or(l)).collect::<Vec<_>>().join("\n")
}

fn shard(dir: &Path, k: usize, n: usize) -> std::path::PathBuf {
    let file = dir.join(format!("shard-{k}.json"));
    let out = crash(&["--shard", &format!("{k}/{n}"), "--json", file.to_str().unwrap()]);
    assert!(out.status.success(), "shard {k}/{n}: {}", text(&out.stderr));
    file
}

#[test]
fn shards_merged_in_any_order_print_what_the_whole_campaign_prints() {
    let dir = tempfile::tempdir().unwrap();
    let whole = crash(&[]);
    assert!(whole.status.success(), "{}", text(&whole.stderr));
    let files: Vec<_> = (1..=3).map(|k| shard(dir.path(), k, 3)).collect();
    let merged = merge(&[&files[2], &files[0], &files[1]]);
    assert!(merged.status.success(), "{}", text(&merged.stderr));
    assert_eq!(report(&merged), report(&whole));
    assert!(report(&whole).contains("| **all** |") && report(&whole).contains("violations: 0"), "{}", report(&whole));
    // Each shard did a third of the runs, and only those.
    let one = text(&crash(&["--shard", "2/3"]).stdout);
    assert!(one.contains("runs 13–24 of 36 (shard 2/3)"), "{one}");
    assert_ne!(report(&whole), one);
}

#[test]
fn a_violation_in_any_shard_fails_the_merge_with_the_whole_runs_replay() {
    let dir = tempfile::tempdir().unwrap();
    // An NVM that loses answered writes breaks its contract: violations.
    let faulty = ["--nvm-forgets-answered", "16"];
    let whole = crash(&faulty);
    assert_eq!(whole.status.code(), Some(1), "{}", text(&whole.stderr));
    let mut files = Vec::new();
    for k in 1..=2 {
        let file = dir.path().join(format!("shard-{k}.json"));
        let out = crash(&[&faulty[..], &["--shard", &format!("{k}/2"), "--json", file.to_str().unwrap()]].concat());
        assert_eq!(out.status.code(), Some(1), "shard {k}: {}", text(&out.stderr));
        files.push(file);
    }
    let merged = merge(&[&files[1], &files[0]]);
    assert_eq!(merged.status.code(), Some(1), "{}", text(&merged.stderr));
    assert_eq!(report(&merged), report(&whole));
    // The same first violation, and the same command replays it.
    let tail = |o: &Output| text(&o.stderr).lines().skip_while(|l| !l.contains("check failed: violation at")).collect::<Vec<_>>().join("\n");
    assert!(tail(&whole).contains("\nreplay: "), "{}", text(&whole.stderr));
    assert_eq!(tail(&merged), tail(&whole));
}

#[test]
fn merge_refuses_what_is_not_every_shard_of_one_campaign() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let files: Vec<_> = (1..=2).map(|k| shard(d, k, 2)).collect();
    let other = d.join("other.json");
    let out = pmsnap().args(["crash", "--runs", "4", "--seed", "12", "--shard", "1/2", "--json"]).arg(&other).output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let empty = d.join("empty.json");
    std::fs::write(&empty, "").unwrap();
    let garbled = d.join("garbled.json");
    std::fs::write(&garbled, "{\"format\": ").unwrap();
    let foreign = d.join("foreign.json");
    std::fs::write(&foreign, "{\"format\": \"something else\"}").unwrap();
    let absent = d.join("absent.json");
    // A shard file edited by hand to name a shard that cannot be.
    let impossible = d.join("impossible.json");
    std::fs::write(&impossible, std::fs::read_to_string(&files[0]).unwrap().replacen("\"index\": 1", "\"index\": 0", 1)).unwrap();
    let cases: [(Vec<&Path>, &str); 8] = [
        (vec![&files[0]], "shards 2/2 missing"),
        (vec![&files[0], &files[0], &files[1]], "shard-1.json: named twice"),
        (vec![&files[0], &other], "other.json: a shard of another campaign"),
        (vec![&files[0], &files[1], &empty], "empty.json: empty — its shard did not finish"),
        (vec![&garbled], "garbled.json: not JSON"),
        (vec![&foreign], "foreign.json: not a crash shard file"),
        (vec![&absent], "cannot read"),
        (vec![&impossible, &files[1]], "impossible.json: shard 0/2: K must be 1 to N"),
    ];
    for (args, says) in cases {
        let out = merge(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out.stderr));
        assert!(text(&out.stderr).contains(says), "{args:?} should say {says:?}: {}", text(&out.stderr));
        assert!(out.stdout.is_empty(), "no table from {args:?}");
    }
}

#[test]
fn bad_shard_flags_are_refused() {
    for bad in ["0/3", "4/3", "3", "1/0", "x/3"] {
        let out = pmsnap().args(["crash", "--runs", "4", "--shard", bad]).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "--shard {bad}");
        assert!(text(&out.stderr).contains("--shard"), "names the flag: {}", text(&out.stderr));
    }
}

/// The container command of campaigns/kubernetes-job.yaml: the block
/// after `- |`, and the shard count it is given.
fn kubernetes_shard_script(yaml: &str) -> (String, String, String) {
    let script: Vec<&str> = yaml.lines().skip_while(|l| l.trim() != "- |").skip(1).take_while(|l| l.starts_with("              ")).collect();
    let value_after = |name: &str| {
        let line = yaml.lines().skip_while(|l| !l.contains(&format!("name: {name}"))).nth(1).expect(name);
        line.trim().trim_start_matches("value:").trim().trim_matches('"').to_string()
    };
    let completions = yaml.lines().find_map(|l| l.trim().strip_prefix("completions:")).expect("completions").trim().to_string();
    assert_eq!(value_after("SHARDS"), completions, "SHARDS equals completions");
    (script.iter().map(|l| l.trim()).collect::<Vec<_>>().join("\n"), completions, value_after("CAMPAIGN"))
}

#[test]
fn the_recipes_run_shards_that_merge_into_the_whole_campaign() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let binary = env!("CARGO_BIN_EXE_pmsnap");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let flags = CAMPAIGN.join(" ");
    let whole = crash(&[]);
    assert!(whole.status.success(), "{}", text(&whole.stderr));

    // Slurm: array task 1 of 0..=2 is shard 2/3.
    std::fs::create_dir(d.join("shards")).unwrap();
    let out = Command::new("bash")
        .arg(root.join("campaigns/slurm.sbatch"))
        .current_dir(d)
        .envs([("PMSNAP", binary), ("CAMPAIGN", &flags), ("SLURM_ARRAY_TASK_ID", "1"), ("SLURM_ARRAY_TASK_MIN", "0"), ("SLURM_ARRAY_TASK_COUNT", "3")])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("(shard 2/3)"), "{}", text(&out.stdout));

    // Kubernetes: completion index 2 is shard 3 of SHARDS, written to the volume.
    let yaml = std::fs::read_to_string(root.join("campaigns/kubernetes-job.yaml")).unwrap();
    let (script, completions, campaign) = kubernetes_shard_script(&yaml);
    assert!(campaign.starts_with("--runs "), "the manifest's campaign: {campaign}");
    let out = Command::new("sh")
        .args(["-c", &script])
        .envs([("PMSNAP", binary), ("CAMPAIGN", &flags), ("SHARDS", "3"), ("JOB_COMPLETION_INDEX", "2"), ("SHARD_DIR", d.join("shards").to_str().unwrap())])
        .output()
        .unwrap();
    assert!(out.status.success(), "{script}\n{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("(shard 3/3)"), "{}", text(&out.stdout));
    assert_eq!(completions, "8");

    // The first shard by hand, then the merge of all three.
    let first = d.join("shards/shard-1.json");
    let out = crash(&["--shard", "1/3", "--json", first.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let files: Vec<_> = (1..=3).map(|k| d.join(format!("shards/shard-{k}.json"))).collect();
    let merged = merge(&files.iter().map(|f| f.as_path()).collect::<Vec<_>>());
    assert!(merged.status.success(), "{}", text(&merged.stderr));
    assert_eq!(report(&merged), report(&whole));

    // On one machine: 4 shards, 2 at a time, merged by the script.
    let local = Command::new("bash")
        .arg(root.join("campaigns/local.sh"))
        .args(["4", "2"])
        .arg(d.join("local"))
        .args(CAMPAIGN)
        .args(["--jobs", "1"])
        .env("PMSNAP", binary)
        .output()
        .unwrap();
    assert!(local.status.success(), "{}", text(&local.stderr));
    assert_eq!(report(&local), report(&whole));
}
