//! Power loss and recovery, as the scoreboard sees them: which images
//! RECOVER may legally bring back (I2), and the check of the one it did.

use super::Scoreboard;
use crate::nvm::Nvm;
use pmsnap_hdl::codes::{Code, Phase};

/// What the next RECOVER must find after commit records were damaged at
/// rest (`faults.rs` does the damage).
#[derive(Clone, Debug)]
pub(in crate::harness) struct AfterCorruption {
    /// `None`: no valid record is left (status corrupt).
    pub seq: Option<u64>,
    pub image: Vec<u64>,
    /// Only a table entry was damaged: SNAPSHOT (which reads the record)
    /// still goes ahead.
    pub table_only: bool,
}

/// Which snapshot RECOVER brought back after a power loss.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recovered {
    /// The last committed snapshot before the power loss.
    Old,
    /// The snapshot being taken when power failed: its commit record landed.
    New,
}

/// One power loss and what RECOVER made of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CrashReport {
    pub cycle: u64,
    /// The sequencer's phase at the power loss (a `codes::Phase` code).
    pub phase: u8,
    /// Unanswered writes that landed anyway (adversarial mode).
    pub torn_writes: usize,
    /// `None` when I2 was violated (the run's mismatch says how).
    pub recovered: Option<Recovered>,
}

impl CrashReport {
    pub fn phase_name(&self) -> &'static str {
        Phase::from_code(self.phase as u64).map_or("?", |p| p.name())
    }
}

/// The images RECOVER may bring back after a power loss.
pub(in crate::harness) struct Candidates {
    /// The committed snapshot's sequence number and image.
    old_seq: u64,
    old: Vec<u64>,
    /// The image of the snapshot in progress, if one was.
    new: Option<Vec<u64>>,
    report: CrashReport,
    /// Later power losses that struck before RECOVER finished: the
    /// candidates stay those of the first.
    again: Vec<CrashReport>,
}

impl Scoreboard {
    /// Power failed in `cycle` (sequencer `phase`; `snapshotting`: a
    /// SNAPSHOT had been accepted), tearing `torn_writes` writes: RECOVER
    /// must bring back the old snapshot or, if its commit record landed,
    /// the new one.
    pub fn power_loss(&mut self, cycle: u64, phase: u8, snapshotting: bool, torn_writes: usize, nvm: &Nvm) {
        self.rules.power_loss(nvm);
        let report = CrashReport { cycle, phase, torn_writes, recovered: None };
        match self.pending_recovery.as_mut() {
            Some(pending) => pending.again.push(report),
            None => {
                let old = self.port_ref.snapshot_image();
                let new = snapshotting.then(|| self.port_ref.working_image());
                self.pending_recovery = Some(Candidates { old_seq: self.committed_seq, old, new, report, again: Vec::new() });
            }
        }
        self.faults_since_reset = 0;
    }

    /// I2: the image RECOVER rebuilt (read straight from NVM) is exactly
    /// one of the candidates; the references follow it.
    pub(super) fn check_recovery(&mut self, cycle: u64, mut c: Candidates, nvm: &Nvm) {
        if let Some(AfterCorruption { seq: Some(seq), image, .. }) = self.after_corruption.take() {
            // Damaged at rest, while idle: exactly this snapshot comes back.
            c.old_seq = seq;
            c.old = image;
            c.new = None;
            if seq + 1 == self.committed_seq {
                self.port_ref.load(&nvm.committed_image().unwrap_or_default());
                self.cpu_ref.load(&nvm.committed_image().unwrap_or_default());
            }
        }
        let mut image = vec![0u64; self.port_ref.logical_words() as usize];
        let words = self.page_words;
        for (page, data) in nvm.committed_image().unwrap_or_default() {
            image[page as usize * words..(page as usize + 1) * words].copy_from_slice(&data);
        }
        // The record RECOVER must have taken names which snapshot it is.
        let seq = nvm.committed().map(|r| r.sequence);
        let (recovered, want) = if seq == Some(c.old_seq) {
            (Recovered::Old, Some(&c.old))
        } else if seq == Some(c.old_seq + 1) && c.new.is_some() {
            (Recovered::New, c.new.as_ref())
        } else {
            (Recovered::Old, None)
        };
        let failure = match want {
            Some(w) if *w == image => None,
            Some(w) => {
                let first = (0..image.len()).find(|&i| image[i] != w[i]).unwrap_or(0);
                Some(format!(
                    "I2: power loss at cycle {} ({}) recovered snapshot seq {} whose word {first:#x} is {:#x}, not {:#x}: a mix of old and new",
                    c.report.cycle,
                    c.report.phase_name(),
                    seq.unwrap_or(0),
                    image[first],
                    w[first]
                ))
            }
            None => Some(format!(
                "I2: power loss at cycle {} ({}) left committed sequence {:?}; expected {}{}",
                c.report.cycle,
                c.report.phase_name(),
                seq,
                c.old_seq,
                if c.new.is_some() { format!(" or {}", c.old_seq + 1) } else { String::new() }
            )),
        };
        let ok = failure.is_none();
        if let Some(m) = failure {
            self.fail(cycle, m);
        }
        if ok && recovered == Recovered::New {
            self.port_ref.snapshot();
            self.cpu_ref.snapshot();
        }
        if ok {
            self.committed_seq = seq.unwrap_or(0);
        }
        let recovered = ok.then_some(recovered);
        self.port_ref.recover();
        self.cpu_ref.recover();
        self.crashes.push(CrashReport { recovered, ..c.report });
        self.crashes.extend(c.again.iter().map(|r| CrashReport { recovered, ..*r }));
    }
}
