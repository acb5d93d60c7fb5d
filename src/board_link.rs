//! `pmsnap uart`: the host side of the board top's UART protocol
//! (docs/uart-protocol.md), over a serial port or a pseudo-terminal.

use anyhow::{bail, Context, Result};
use pmsnap_cosim::harness::Refused;
use pmsnap_cosim::reference::Refusal;
use pmsnap_cosim::trace::{self, Op, TraceOp};
use pmsnap_hdl::board::protocol::{decode_reply, encode_request, op, status, status_name, BoardInfo, BoardStatus, Reply, REPLY_BYTES};
use pmsnap_hdl::codes::{Code, Counter};
use std::io::{BufRead, Read, Write};
use std::time::{Duration, Instant};

/// A board on the other end of a serial line.
pub struct BoardLink {
    port: Box<dyn serialport::SerialPort>,
    device: String,
    timeout: Duration,
}

/// A command reply that was not ok: which command, what status.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct CommandFailed(pub String);

impl BoardLink {
    pub fn open(device: &str, baud: u32, timeout: Duration) -> Result<BoardLink> {
        let port = serialport::new(device, baud).timeout(timeout).open().with_context(|| format!("cannot open serial port {device} at {baud} baud"))?;
        port.clear(serialport::ClearBuffer::All).with_context(|| format!("cannot clear {device}'s buffers"))?;
        Ok(BoardLink { port, device: device.to_string(), timeout })
    }

    /// Sends one request and waits for its reply.
    pub fn ask(&mut self, opcode: u8, addr: u32, data: u64) -> Result<Reply> {
        self.port.write_all(&encode_request(opcode, addr, data)).with_context(|| format!("cannot write to {}", self.device))?;
        self.port.flush().with_context(|| format!("cannot write to {}", self.device))?;
        let mut frame = [0u8; REPLY_BYTES];
        let mut got = 0;
        let deadline = Instant::now() + self.timeout;
        while got < REPLY_BYTES {
            match self.port.read(&mut frame[got..]) {
                Ok(n) => got += n,
                Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {}
                Err(e) => return Err(e).with_context(|| format!("cannot read from {}", self.device)),
            }
            if got < REPLY_BYTES && Instant::now() > deadline {
                bail!(
                    "{}: no reply to opcode {opcode:#04x} within {} ms ({got} of {REPLY_BYTES} bytes): is the board programmed and the baud rate right?",
                    self.device,
                    self.timeout.as_millis()
                );
            }
        }
        let reply = decode_reply(&frame).map_err(|e| anyhow::anyhow!("{}: {e} (bytes {frame:02x?})", self.device))?;
        if reply.opcode != opcode {
            bail!("{}: reply to opcode {:#04x} arrived for request {opcode:#04x}", self.device, reply.opcode);
        }
        Ok(reply)
    }

    pub fn status(&mut self) -> Result<BoardStatus> {
        Ok(BoardStatus::from_data(self.ask(op::STATUS, 0, 0)?.data))
    }

    /// The controller's sizing.
    pub fn info(&mut self) -> Result<BoardInfo> {
        Ok(BoardInfo::from_data(self.ask(op::INFO, 0, 0)?.data))
    }

    /// Why the board refused a READ or WRITE of `addr`, by the
    /// controller's rules: out of range, or no device mounted, or (a write)
    /// no free frame. An in-range READ refused while mounted breaks them.
    pub fn refusal(&mut self, info: &BoardInfo, write: bool, addr: u64) -> Result<Refusal> {
        if addr >= info.logical_words() {
            return Ok(Refusal::OutOfRange);
        }
        if !self.status()?.mounted {
            return Ok(Refusal::Unmounted);
        }
        if write {
            return Ok(Refusal::NoFrames);
        }
        Err(CommandFailed(format!("the board refused a READ of {addr:#x}, in range with a device mounted")).into())
    }

    /// A controller command; anything but ok is a [`CommandFailed`].
    pub fn command(&mut self, opcode: u8, what: &str) -> Result<()> {
        let r = self.ask(opcode, 0, 0)?;
        if r.status != status::OK {
            return Err(CommandFailed(format!("{what} answered {}", status_name(r.status))).into());
        }
        Ok(())
    }

    /// Mounts the device: RECOVER, and FORMAT when `format` or when
    /// RECOVER finds no snapshot. Returns what was done.
    pub fn mount(&mut self, format: bool) -> Result<&'static str> {
        if format {
            self.command(op::FORMAT, "FORMAT")?;
            return Ok("formatted");
        }
        if self.status()?.mounted {
            return Ok("already mounted");
        }
        let r = self.ask(op::RECOVER, 0, 0)?;
        match r.status {
            status::OK => Ok("recovered"),
            status::UNFORMATTED => {
                self.command(op::FORMAT, "FORMAT")?;
                Ok("unformatted, formatted")
            }
            s => Err(CommandFailed(format!("RECOVER answered {}; format the device (--format) to use it", status_name(s))).into()),
        }
    }

    /// Runs one trace operation. A failed command is a [`CommandFailed`].
    pub fn run(&mut self, o: Op) -> Result<Answer> {
        // Addresses beyond 32 bits are out of range anyway.
        let addr = |a: u64| u32::try_from(a).unwrap_or(u32::MAX);
        match o {
            Op::Write { addr: a, data } => Ok(Answer::Write(self.ask(op::WRITE, addr(a), data)?.status == status::OK)),
            Op::Read { addr: a } => {
                let r = self.ask(op::READ, addr(a), 0)?;
                Ok(Answer::Read((r.status == status::OK).then_some(r.data)))
            }
            Op::Snapshot => self.command(op::SNAPSHOT, "SNAPSHOT").map(|()| Answer::Done),
            Op::Restore => self.command(op::RESTORE, "RESTORE").map(|()| Answer::Done),
            Op::PowerLoss => {
                self.command(op::RESET, "RESET")?;
                self.command(op::RECOVER, "RECOVER after the power loss").map(|()| Answer::Done)
            }
        }
    }
}

/// What a trace operation got back.
#[derive(Clone, Copy)]
pub enum Answer {
    /// The word, or None: the board answered an error.
    Read(Option<u64>),
    /// The write was done (false: the board answered an error).
    Write(bool),
    /// A command that succeeded.
    Done,
}

/// What a scripted run got: the reads' values, and the requests the board
/// refused, by reason.
pub struct ScriptRun {
    pub reads: Vec<Option<u64>>,
    pub refused: Refused,
}

/// Scripted mode: the trace's operations in order.
pub fn run_script(link: &mut BoardLink, ops: &[TraceOp], file: &str) -> Result<ScriptRun> {
    let info = link.info()?;
    let mut run = ScriptRun { reads: Vec::new(), refused: Refused::default() };
    for t in ops {
        let at = || format!("{file}:{}", t.line);
        let answer = link.run(t.op).with_context(at)?;
        let refused = match (answer, t.op) {
            (Answer::Read(None), Op::Read { addr }) => Some((false, addr)),
            (Answer::Write(false), Op::Write { addr, .. }) => Some((true, addr)),
            _ => None,
        };
        if let Some((write, addr)) = refused {
            run.refused.count(link.refusal(&info, write, addr).with_context(at)?);
        }
        if let Answer::Read(v) = answer {
            run.reads.push(v);
        }
    }
    Ok(run)
}

const HELP: &str = "\
commands (numbers in hex, as in trace files):
  W <addr> <data>   write a word          R <addr>   read a word
  S                 snapshot              X          restore the last snapshot
  P                 power-cycle the controller (the NVM keeps its contents), then RECOVER
  status            mounted, sequence number, free frames, fallback, sizing
  counters          COW faults, pages hardened, snapshots, restores, errors
  recover | format  the controller commands
  help | quit";

/// Interactive mode: one command a line from `input`, answers to `out`.
pub fn interactive(link: &mut BoardLink, input: impl BufRead, mut out: impl Write, prompt: bool) -> Result<()> {
    let s = link.status()?;
    let state = if s.mounted { format!("mounted, snapshot sequence {}", s.snap_seq) } else { "not mounted: `recover` (or `format`) first".to_string() };
    writeln!(out, "connected to {}: {state}; `help` lists the commands", link.device)?;
    let mut lines = input.lines();
    loop {
        if prompt {
            write!(out, "pmsnap> ")?;
            out.flush()?;
        }
        let Some(line) = lines.next() else { break };
        let line = line.context("cannot read the command line")?;
        let word = line.trim();
        let answer = match word.to_ascii_lowercase().as_str() {
            "" => continue,
            "quit" | "exit" => break,
            "help" => Ok(HELP.to_string()),
            "status" => link.status().and_then(|s| {
                let i = link.info()?;
                Ok(format!(
                    "mounted {}, snapshot sequence {}, free frames {}, fallback held {}, phase {}; L {} W {} F {}",
                    s.mounted, s.snap_seq, s.free_frames, s.fallback_held, s.phase, i.pages, i.page_words, i.frames
                ))
            }),
            "counters" => Counter::ALL
                .iter()
                .map(|c| link.ask(op::COUNTER, c.code() as u32, 0).map(|r| format!("{} {}", c.name(), r.data)))
                .collect::<Result<Vec<_>>>()
                .map(|v| v.join(", ")),
            "recover" => link.ask(op::RECOVER, 0, 0).map(|r| status_name(r.status).to_string()),
            "format" => link.ask(op::FORMAT, 0, 0).map(|r| status_name(r.status).to_string()),
            _ => match trace::parse(word, "input", 32) {
                Err(e) => Ok(format!("{}; `help` lists the commands", e.message)),
                Ok(ops) => match ops.first().map(|t| link.run(t.op)) {
                    Some(Ok(Answer::Read(Some(v)))) => Ok(format!("{v:x}")),
                    Some(Ok(Answer::Read(None) | Answer::Write(false))) => Ok("ERR".to_string()),
                    Some(Ok(Answer::Write(true) | Answer::Done)) => Ok("ok".to_string()),
                    Some(Err(e)) if e.is::<CommandFailed>() => Ok(format!("{e}")),
                    Some(Err(e)) => Err(e),
                    None => continue,
                },
            },
        };
        writeln!(out, "{}", answer?)?;
    }
    Ok(())
}
