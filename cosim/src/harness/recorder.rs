//! What a run records for later besides the waveform (which `Clocked`
//! writes): the sequencer's phase at every change, for crash campaigns to
//! pick power-loss cycles, and every host-port request, for cycle-exact
//! tests.

use super::outcome::PortEvent;

pub(super) struct Recorder {
    phases: Option<Vec<(u64, u8)>>,
    ports: Option<Vec<PortEvent>>,
}

impl Recorder {
    pub fn new(phases: bool, ports: bool) -> Recorder {
        Recorder { phases: phases.then(Vec::new), ports: ports.then(Vec::new) }
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

    /// (phase changes, port events), empty when not recorded.
    pub fn finish(self) -> (Vec<(u64, u8)>, Vec<PortEvent>) {
        (self.phases.unwrap_or_default(), self.ports.unwrap_or_default())
    }
}
