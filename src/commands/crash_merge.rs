//! `pmsnap crash-merge`: the shard files of one crash campaign (written by
//! `pmsnap crash --shard K/N --json FILE`, on any machines, in any order)
//! added up to the report the whole campaign prints.

use super::crash::{print_report, violation_error, CampaignId, ShardFile};
use crate::exit::BadInput;
use anyhow::Result;
use pmsnap_cosim::campaign::{CampaignResult, Shard};
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct CrashMergeArgs {
    /// Shard files, one for each of the N shards of one campaign, in any order.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
}

/// Exit 1 when any shard saw a violation (the first, in run order, is
/// named with its replay), 2 when the files are not the N shards of one
/// campaign.
pub fn run(a: CrashMergeArgs) -> Result<()> {
    let shards = a.files.iter().map(|p| read(p).map(|f| (p.as_path(), f))).collect::<Result<Vec<_>>>()?;
    let (first_path, first) = &shards[0];
    let count = first.shard.count;
    let mut seen: Vec<Option<&Path>> = vec![None; count];
    for (path, f) in &shards {
        if f.campaign != first.campaign {
            return Err(BadInput(format!(
                "{}: a shard of another campaign than {}:\n  {}\n  {}",
                path.display(),
                first_path.display(),
                command(&f.campaign),
                command(&first.campaign)
            ))
            .into());
        }
        if f.shard.count != count {
            return Err(BadInput(format!("{}: shard {} of {}, but {} is one of {count}", path.display(), f.shard, f.shard.count, first_path.display())).into());
        }
        let slot = &mut seen[f.shard.index - 1];
        if let Some(other) = slot {
            let why = if other == path { "named twice".to_string() } else { format!("shard {} again (also in {})", f.shard, other.display()) };
            return Err(BadInput(format!("{}: {why}", path.display())).into());
        }
        let expected = f.shard.runs(f.campaign.runs).len();
        if f.result.runs != expected {
            return Err(
                BadInput(format!("{}: shard {} holds {} runs, not its {expected}: an unfinished shard?", path.display(), f.shard, f.result.runs)).into()
            );
        }
        *slot = Some(path);
    }
    let missing: Vec<String> = (1..=count).filter(|k| seen[k - 1].is_none()).map(|k| format!("{k}/{count}")).collect();
    if !missing.is_empty() {
        return Err(BadInput(format!("shards {} missing; each runs as: {} --shard K/N --json FILE", missing.join(", "), command(&first.campaign))).into());
    }

    let id = first.campaign.clone();
    let mut total = CampaignResult::default();
    let mut replays = Vec::new();
    for (_, f) in shards {
        replays.extend(f.result.violations.iter().cloned().zip(f.replays));
        total.add(f.result);
    }
    total.sort_violations();
    eprintln!("pmsnap crash-merge: {count} shards of: {}", command(&id));
    print_report(&id, None, &total);
    let Some(v) = total.violations.first() else { return Ok(()) };
    let replay = replays.iter().find(|(w, _)| w == v).map(|(_, r)| r.as_slice()).unwrap_or_default();
    Err(violation_error(v, replay))
}

/// The command that runs the whole campaign.
fn command(id: &CampaignId) -> String {
    format!("pmsnap crash {}", id.args.join(" "))
}

fn read(path: &Path) -> Result<ShardFile> {
    let text = std::fs::read_to_string(path).map_err(|e| BadInput(format!("cannot read {}: {e}", path.display())))?;
    if text.trim().is_empty() {
        return Err(BadInput(format!("{}: empty — its shard did not finish (the file is created when the shard starts)", path.display())).into());
    }
    let format = serde_json::from_str::<serde_json::Value>(&text)
        .map_err(|e| BadInput(format!("{}: not JSON: {e}", path.display())))?
        .get("format")
        .and_then(|f| f.as_str().map(String::from));
    if format.as_deref() != Some(ShardFile::FORMAT) {
        return Err(BadInput(format!(
            "{}: not a crash shard file (format {:?}, expected \"{}\")",
            path.display(),
            format.unwrap_or_default(),
            ShardFile::FORMAT
        ))
        .into());
    }
    let file: ShardFile = serde_json::from_str(&text).map_err(|e| BadInput(format!("{}: not a whole shard file: {e}", path.display())))?;
    Shard::new(file.shard.index, file.shard.count).map_err(|e| BadInput(format!("{}: shard {e}", path.display())))?;
    Ok(file)
}
