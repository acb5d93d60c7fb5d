//! The speed suite's workload, one clock cycle at a time: a request offered
//! every cycle (random address, half writes), a SNAPSHOT every K accepted
//! requests, a zero-wait NVM, and a checksum of the data every read
//! returned. Every test bench of the suite implements exactly this —
//! `bench/tb/pmsnap_tb.cpp` (C++), `bench/tb/pmsnap_tb.v` (Icarus) and the
//! Rust drivers here — so they must agree on the cycle count and checksum.

use pmsnap_hdl::codes::CmdOp;

const LCG_MUL: u64 = 6364136223846793005;
const LCG_ADD: u64 = 1442695040888963407;
pub const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;
/// Reset cycles before the first counted cycle.
pub const RESET_CYCLES: u64 = 4;
const OP_SNAPSHOT: u64 = CmdOp::Snapshot as u64;
const OP_FORMAT: u64 = CmdOp::Format as u64;

/// The codes the C++ and Verilog test benches use, each line `pattern`
/// with `{name}` and `{code}` filled in.
pub fn codes(pattern: &str) -> String {
    let status_ok = pmsnap_hdl::codes::Status::Ok as u64;
    [("OP_SNAPSHOT", OP_SNAPSHOT), ("OP_FORMAT", OP_FORMAT), ("STATUS_OK", status_ok)]
        .iter()
        .map(|(name, code)| pattern.replace("{name}", name).replace("{code}", &code.to_string()))
        .collect()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    FormatIssue,
    FormatWait,
    Run,
    Drain,
    SnapIssue,
    SnapWait,
    End,
}

/// The next state of the workload's generator.
pub fn lcg(x: u64) -> u64 {
    x.wrapping_mul(LCG_MUL).wrapping_add(LCG_ADD)
}

/// The read checksum after one more read of `data` (FNV-1a over words).
pub fn checksum_step(checksum: u64, data: u64) -> u64 {
    (checksum ^ data).wrapping_mul(FNV_PRIME)
}

/// The request generator state `x` stands for: (write, address, data).
pub fn request(x: u64, words: u64) -> (bool, u64, u64) {
    ((x >> 32) & 1 == 1, (x >> 33) % words, x & 0xffff_ffff)
}

/// What the bench drives in a cycle.
#[derive(Clone, Copy, Debug, Default)]
pub struct Inputs {
    pub req_valid: bool,
    pub req_write: bool,
    pub req_addr: u64,
    pub req_wdata: u64,
    pub cmd_valid: bool,
    pub cmd_op: u64,
    pub flush_ack: bool,
    pub mem_rsp_valid: bool,
    pub mem_rsp_rdata: u64,
}

/// What it observes after the inputs settle, before the rising edge.
#[derive(Clone, Copy, Debug, Default)]
pub struct Outputs {
    pub req_ready: bool,
    pub rsp_valid: bool,
    pub rsp_rdata: u64,
    pub cmd_ready: bool,
    pub cmd_done: bool,
    pub cmd_status: u64,
    pub flush_req: bool,
    pub mem_req_valid: bool,
    pub mem_req_write: bool,
    pub mem_req_addr: u64,
    pub mem_req_wdata: u64,
}

/// The workload's parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Workload {
    pub requests: u64,
    pub snapshot_every: u64,
    pub seed: u64,
    /// L·W: requests address 0 .. words.
    pub words: u64,
    /// The NVM's size in words.
    pub nvm_words: u64,
}

/// The result every bench reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tally {
    pub cycles: u64,
    pub reads: u64,
    pub checksum: u64,
    /// Commands answered anything but ok (must stay 0).
    pub failed_commands: u64,
}

pub struct Stimulus {
    w: Workload,
    phase: Phase,
    x: u64,
    issued: u64,
    /// Kinds of the requests in flight, oldest first (true: read).
    in_flight: std::collections::VecDeque<bool>,
    pending: Option<u64>,
    flush_ack: bool,
    mem: Vec<u64>,
    tally: Tally,
    done: bool,
}

impl Stimulus {
    pub fn new(w: Workload) -> Stimulus {
        let mut s = Stimulus {
            w,
            phase: Phase::FormatIssue,
            x: w.seed,
            issued: 0,
            in_flight: Default::default(),
            pending: None,
            flush_ack: false,
            mem: vec![0; w.nvm_words as usize],
            tally: Tally { cycles: 0, reads: 0, checksum: FNV_OFFSET, failed_commands: 0 },
            done: false,
        };
        s.next_request();
        s
    }

    fn next_request(&mut self) {
        self.x = lcg(self.x);
    }

    pub fn inputs(&self) -> Inputs {
        let (req_write, req_addr, req_wdata) = request(self.x, self.w.words);
        Inputs {
            req_valid: self.phase == Phase::Run,
            req_write,
            req_addr,
            req_wdata,
            cmd_valid: matches!(self.phase, Phase::FormatIssue | Phase::SnapIssue),
            cmd_op: if self.phase == Phase::FormatIssue { OP_FORMAT } else { OP_SNAPSHOT },
            flush_ack: self.flush_ack,
            mem_rsp_valid: self.pending.is_some(),
            mem_rsp_rdata: self.pending.unwrap_or(0),
        }
    }

    /// Advances the bench by the cycle whose settled outputs are `o`.
    pub fn observe(&mut self, i: &Inputs, o: &Outputs) {
        let p0 = self.phase;
        self.flush_ack = o.flush_req && !self.flush_ack;
        self.pending = None;
        if o.mem_req_valid {
            let a = o.mem_req_addr as usize % self.mem.len();
            if o.mem_req_write {
                self.mem[a] = o.mem_req_wdata;
                self.pending = Some(0);
            } else {
                self.pending = Some(self.mem[a]);
            }
        }
        if o.rsp_valid && self.in_flight.pop_front() == Some(true) {
            self.tally.checksum = checksum_step(self.tally.checksum, o.rsp_rdata);
            self.tally.reads += 1;
        }
        if p0 == Phase::Run && i.req_valid && o.req_ready {
            self.in_flight.push_back(!i.req_write);
            self.issued += 1;
            self.next_request();
            if self.issued == self.w.requests {
                self.phase = Phase::End;
            } else if self.issued.is_multiple_of(self.w.snapshot_every) {
                self.phase = Phase::Drain;
            }
        }
        match p0 {
            Phase::Drain if self.in_flight.is_empty() => self.phase = Phase::SnapIssue,
            Phase::FormatIssue if o.cmd_ready => self.phase = Phase::FormatWait,
            Phase::SnapIssue if o.cmd_ready => self.phase = Phase::SnapWait,
            Phase::FormatWait | Phase::SnapWait if o.cmd_done => {
                self.tally.failed_commands += (o.cmd_status != 0) as u64;
                self.phase = Phase::Run;
            }
            Phase::End if self.in_flight.is_empty() => self.done = true,
            _ => {}
        }
        self.tally.cycles += 1;
    }

    pub fn done(&self) -> bool {
        self.done
    }

    pub fn tally(&self) -> Tally {
        self.tally
    }
}
