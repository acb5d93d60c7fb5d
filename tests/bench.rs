//! `pmsnap bench --quick`: the suites run, every simulator agrees on the
//! speed workload, and the tables, JSON and plot are written.

mod common;

use common::pmsnap;

#[test]
fn quick_bench_runs_every_suite() {
    let dir = tempfile::tempdir().unwrap();
    let out = pmsnap().args(["bench", "--quick", "--out"]).arg(dir.path()).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}\n{}", String::from_utf8_lossy(&out.stderr));
    for name in ["speed", "cost-snapshot", "cost-port", "wear"] {
        let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir.path().join(format!("{name}.json"))).unwrap()).unwrap();
        assert!(!json["rows"].as_array().unwrap().is_empty(), "{name} has rows");
    }
    let svg = std::fs::read_to_string(dir.path().join("snapshot-vs-dirty.svg")).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("L = 256"));
    // The speed suite fails unless its simulators agree; all four reported a checksum.
    let speed: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir.path().join("speed.json")).unwrap()).unwrap();
    let rows = speed["rows"].as_array().unwrap();
    let checksum = |name: &str| rows.iter().find(|r| r["simulator"].as_str().unwrap().starts_with(name)).map(|r| r["checksum"].as_str().unwrap().to_string());
    let small = checksum("rust-hdl").unwrap();
    assert_eq!(checksum("Icarus").as_deref(), Some(small.as_str()));
    assert_eq!(checksum("plain C++"), checksum("pmsnap binding (Rust"));
    // Cycle counts are exact: the cost suite's snapshot of 0 dirty pages.
    let cost: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir.path().join("cost-snapshot.json")).unwrap()).unwrap();
    let zero = cost["rows"].as_array().unwrap().iter().find(|r| r["dirty D"] == "0" && r["NVM"] == "zero-wait").unwrap();
    assert_eq!(zero["SNAPSHOT"], "27");
    assert_eq!(zero["RESTORE"], "2");
    assert_eq!(zero["RECOVER"], "1057", "2L + F + 33 at L = 256, F = 512");
}
