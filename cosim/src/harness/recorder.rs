//! What a run records for later besides the waveform (which `Clocked`
//! writes): the sequencer's phase at every change, for crash campaigns to
//! pick power-loss cycles; every host-port request, for cycle-exact
//! tests; and the cycles worth a marker in a waveform viewer (each command
//! the CPU sent, each power loss).

use super::outcome::PortEvent;

pub(super) struct Recorded {
    /// (cycle, phase) at every change.
    pub phases: Vec<(u64, u8)>,
    pub ports: Vec<PortEvent>,
    /// (cycle, label) worth a waveform marker.
    pub marks: Vec<(u64, String)>,
}

pub(super) struct Recorder {
    phases: Option<Vec<(u64, u8)>>,
    ports: Option<Vec<PortEvent>>,
    marks: Vec<(u64, String)>,
}

impl Recorder {
    pub fn new(phases: bool, ports: bool) -> Recorder {
        Recorder { phases: phases.then(Vec::new), ports: ports.then(Vec::new), marks: Vec::new() }
    }

    /// The sequencer is in `phase` during `cycle`.
    #[inline]
    pub fn phase(&mut self, cycle: u64, phase: u8) {
        if let Some(phases) = self.phases.as_mut() {
            if phases.last().map(|&(_, p)| p) != Some(phase) {
                phases.push((cycle, phase));
            }
        }
    }

    pub fn port(&mut self, event: PortEvent) {
        if let Some(ports) = self.ports.as_mut() {
            ports.push(event);
        }
    }

    /// Something a person looking at the waveform wants to find.
    pub fn mark(&mut self, cycle: u64, label: String) {
        self.marks.push((cycle, label));
    }

    /// What was recorded; phases and ports empty when not asked for.
    pub fn finish(self) -> Recorded {
        Recorded { phases: self.phases.unwrap_or_default(), ports: self.ports.unwrap_or_default(), marks: self.marks }
    }
}
