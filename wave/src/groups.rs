//! Which signals a person wants to see, in which groups: the same in the
//! GTKWave save file and in `pmsnap wave`'s pictures.

/// Where a group's signal paths start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// The controller's own scope (`TOP.pmsnap_controller`, or the board
    /// top's `controller`).
    Controller,
    /// The simulation's top scope (`TOP`): the board's pins.
    Top,
}

/// A named group of signals.
#[derive(Clone, Copy, Debug)]
pub struct Group {
    pub name: &'static str,
    pub scope: Scope,
    /// Dot-separated paths below the scope.
    pub signals: &'static [&'static str],
    /// Only in a board's waveform.
    pub board_only: bool,
}

impl Group {
    /// The name as a command-line word: `host-port`.
    pub fn slug(&self) -> String {
        slug(self.name)
    }
}

/// A group's name as a command-line word: `Host port` → `host-port`.
pub fn slug(name: &str) -> String {
    name.to_ascii_lowercase().replace(' ', "-")
}

const fn group(name: &'static str, signals: &'static [&'static str]) -> Group {
    Group { name, scope: Scope::Controller, signals, board_only: false }
}

/// The groups, top to bottom.
pub const GROUPS: [Group; 8] = [
    group(
        "Host port",
        &["clock", "reset", "req_valid", "req_ready", "req_write", "req_addr", "req_wdata", "rsp_valid", "rsp_rdata", "rsp_err", "host.state__q"],
    ),
    group(
        "Command and status",
        &[
            "cmd_valid",
            "cmd_ready",
            "cmd_op",
            "cmd_done",
            "cmd_status",
            "mounted",
            "snap_seq",
            "free_frames",
            "fallback_held",
            "cow_faults",
            "pages_hardened",
            "snapshots",
            "restores",
            "errors",
        ],
    ),
    group("Flush handshake", &["flush_req", "flush_ack"]),
    group("NVM port", &["mem_req_valid", "mem_req_ready", "mem_req_write", "mem_req_addr", "mem_req_wdata", "mem_rsp_valid", "mem_rsp_rdata", "arbiter.owner"]),
    group(
        "Sequencer",
        &[
            "seq_phase",
            "sequencer.front.state__q",
            "sequencer.snapshot.state__q",
            "sequencer.commit.state__q",
            "sequencer.restore.state__q",
            "sequencer.format.state__q",
            "sequencer.recover.state__q",
        ],
    ),
    group("COW engine", &["cow.start", "cow.state__q", "cow.src_frame", "cow.dst_frame", "cow.issued__q", "cow.answered__q", "cow.done"]),
    group("Allocator", &["allocator.pop", "allocator.head_frame", "allocator.free_count", "allocator.empty", "allocator.fallback_held"]),
    Group { name: "UART", scope: Scope::Top, signals: &["uart_rx", "uart_tx", "leds"], board_only: true },
];

/// The group a command-line word names (`host-port`, `Host port`), if any.
pub fn find(word: &str) -> Option<&'static Group> {
    GROUPS.iter().find(|g| g.slug() == slug(word))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_top_port_is_in_a_group_once() {
        for p in pmsnap_hdl::ports::TOP_PORTS.iter() {
            let n = GROUPS.iter().filter(|g| g.scope == Scope::Controller).flat_map(|g| g.signals).filter(|s| **s == p.name).count();
            assert_eq!(n, 1, "{}", p.name);
        }
        assert_eq!(find("host-port").map(|g| g.name), Some("Host port"));
        assert_eq!(find("COW engine").map(|g| g.name), Some("COW engine"));
        assert!(find("nothing").is_none());
    }
}
