//! A co-simulated board behind a pseudo-terminal: what `pmsnap uart` (or
//! any serial terminal) opens in place of a USB serial adapter.
//!
//! Bytes the host writes are driven onto the board's RX pin at its baud
//! rate; bytes the board sends on its TX pin are written back. Simulated
//! time advances only while the line or the board is busy, so the board
//! sees a host that types instantly and a line that never drops a byte.

use crate::board::BoardSim;
use anyhow::{Context, Result};
use serialport::{SerialPort, TTYPort};
use std::io::{ErrorKind, Read, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Cycles simulated between looks at the pseudo-terminal.
const BATCH_CYCLES: u64 = 2_000;

#[derive(Clone, Copy, Debug, Default)]
pub struct ServeStats {
    pub bytes_in: u64,
    pub bytes_out: u64,
    pub cycles: u64,
}

/// A pseudo-terminal whose other end is reachable at `link` (a symlink).
pub struct Pty {
    master: TTYPort,
    /// Held open so the master does not see a hang-up between clients.
    _slave: TTYPort,
    pub device: String,
}

impl Pty {
    pub fn open(link: &Path) -> Result<Pty> {
        let (mut master, slave) = TTYPort::pair().context("cannot open a pseudo-terminal")?;
        let device = slave.name().context("the pseudo-terminal has no device name")?;
        master.set_timeout(Duration::from_millis(20)).context("cannot set the pseudo-terminal's timeout")?;
        if link.symlink_metadata().is_ok() {
            std::fs::remove_file(link).with_context(|| format!("cannot replace {}", link.display()))?;
        }
        std::os::unix::fs::symlink(&device, link).with_context(|| format!("cannot link {} to {device}", link.display()))?;
        Ok(Pty { master, _slave: slave, device })
    }

    /// Serves `sim` until the line has been quiet for `idle_exit` after at
    /// least one byte arrived (forever without it), or until `stop` is set
    /// (an interrupt).
    pub fn serve(&mut self, sim: &mut BoardSim, idle_exit: Option<Duration>, stop: &AtomicBool) -> Result<ServeStats> {
        let mut stats = ServeStats::default();
        let mut buf = [0u8; 256];
        let mut last_activity = Instant::now();
        loop {
            if stop.load(Ordering::Relaxed) {
                return Ok(stats);
            }
            let quiet = sim.quiet();
            // Take what the host wrote; wait for it only while the board is quiet.
            let pending = self.master.bytes_to_read().context("cannot poll the pseudo-terminal")?;
            if pending > 0 || quiet {
                match self.master.read(&mut buf) {
                    Ok(n) => {
                        sim.send(&buf[..n]);
                        stats.bytes_in += n as u64;
                        last_activity = Instant::now();
                        continue;
                    }
                    Err(e) if matches!(e.kind(), ErrorKind::TimedOut | ErrorKind::WouldBlock | ErrorKind::Interrupted) => {}
                    Err(e) => return Err(e).context("cannot read the pseudo-terminal"),
                }
            }
            if quiet {
                if let Some(limit) = idle_exit {
                    if stats.bytes_in > 0 && last_activity.elapsed() >= limit {
                        return Ok(stats);
                    }
                }
                continue;
            }
            let mut out = Vec::new();
            for _ in 0..BATCH_CYCLES {
                if let Some(b) = sim.step()? {
                    out.push(b);
                }
                stats.cycles += 1;
            }
            if !out.is_empty() {
                self.master.write_all(&out).context("cannot write the pseudo-terminal")?;
                stats.bytes_out += out.len() as u64;
                last_activity = Instant::now();
            }
        }
    }
}
