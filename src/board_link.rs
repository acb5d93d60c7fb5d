//! `pmsnap uart`: the host side of the board top's UART protocol
//! (docs/uart-protocol.md), over a serial port or a pseudo-terminal.

use anyhow::{bail, Context, Result};
use pmsnap_cosim::harness::Refused;
use pmsnap_cosim::reference::Refusal;
use pmsnap_cosim::trace::{self, Op, TraceOp};
use pmsnap_hdl::board::protocol::{decode_reply, encode_request, op, status, status_name, BoardInfo, BoardStatus, Reply, REPLY_BYTES};
use pmsnap_hdl::codes::{Code, Counter, Phase};
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
    /// Requests the board answered ERR.
    pub errors: u64,
}

/// Scripted mode: the trace's operations in order.
pub fn run_script(link: &mut BoardLink, ops: &[TraceOp], file: &str) -> Result<ScriptRun> {
    let info = link.info()?;
    let mut run = ScriptRun { reads: Vec::new(), refused: Refused::default(), errors: 0 };
    for t in ops {
        let at = || format!("{file}:{}", t.line);
        let answer = link.run(t.op).with_context(at)?;
        let refused = match (answer, t.op) {
            (Answer::Read(None), Op::Read { addr }) => Some((false, addr)),
            (Answer::Write(false), Op::Write { addr, .. }) => Some((true, addr)),
            _ => None,
        };
        if let Some((write, addr)) = refused {
            run.errors += 1;
            run.refused.count(link.refusal(&info, write, addr).with_context(at)?);
        }
        if let Answer::Read(v) = answer {
            run.reads.push(v);
        }
    }
    Ok(run)
}

/// The interactive commands: (words, arguments, what it does). `help`
/// prints this table; an unknown word lists the first column.
const COMMANDS: [(&str, &str, &str); 11] = [
    ("W", "<addr> <data>", "write a word (numbers in hex, as in trace files)"),
    ("R", "<addr>", "read a word"),
    ("S", "", "SNAPSHOT"),
    ("X", "", "RESTORE the last snapshot"),
    ("P", "", "power-cycle the controller (the NVM keeps its contents), then RECOVER"),
    ("status", "", "mounted, snapshot sequence, phase, free frames, fallback, the device's size"),
    ("counters", "", "COW faults, pages hardened, snapshots, restores, errors"),
    ("recover", "", "RECOVER: mount the newest valid snapshot"),
    ("format", "", "FORMAT: erase the device and mount it empty"),
    ("help", "", "this list"),
    ("quit", "", "leave (also exit, or end of input)"),
];

fn help() -> String {
    let mut s = String::from("commands:\n");
    for (word, args, what) in COMMANDS {
        s.push_str(&format!("  {:<20} {what}\n", format!("{word} {args}")));
    }
    s.trim_end().to_string()
}

fn accepted() -> String {
    COMMANDS.iter().map(|(w, _, _)| *w).collect::<Vec<_>>().join(", ")
}

/// Where interactive commands come from: a terminal with line editing and
/// history, or any other input a line at a time.
pub enum Input<R: BufRead> {
    Terminal(Box<rustyline::DefaultEditor>),
    Lines(std::io::Lines<R>),
}

impl<R: BufRead> Input<R> {
    /// The next line; `None` at the end of input (or Ctrl-D / Ctrl-C).
    fn next_line(&mut self) -> Result<Option<String>> {
        match self {
            Input::Terminal(editor) => match editor.readline("pmsnap> ") {
                Ok(line) => {
                    if !line.trim().is_empty() {
                        editor.add_history_entry(line.as_str()).ok();
                    }
                    Ok(Some(line))
                }
                Err(rustyline::error::ReadlineError::Eof | rustyline::error::ReadlineError::Interrupted) => Ok(None),
                Err(e) => Err(e).context("cannot read the command line"),
            },
            Input::Lines(lines) => lines.next().transpose().context("cannot read the command line"),
        }
    }
}

/// The device's size as a person reads it.
fn describe(i: &BoardInfo) -> String {
    let words = i.logical_words();
    format!("{words} words of {} bits ({} bytes): L {} pages of W {} words, F {} frames", i.word_bits, words * i.word_bits / 8, i.pages, i.page_words, i.frames)
}

/// Interactive mode: one command a line from `input`, answers to `out`.
pub fn interactive<R: BufRead>(link: &mut BoardLink, mut input: Input<R>, mut out: impl Write) -> Result<()> {
    let s = link.status()?;
    let state = if s.mounted { format!("mounted, snapshot sequence {}", s.snap_seq) } else { "not mounted: `recover` (or `format`) first".to_string() };
    writeln!(out, "connected to {}: {state}; `help` lists the commands", link.device)?;
    while let Some(line) = input.next_line()? {
        let word = line.trim();
        let answer = match word.to_ascii_lowercase().as_str() {
            "" => continue,
            "quit" | "exit" => break,
            "help" => Ok(help()),
            "status" => link.status().and_then(|s| {
                let i = link.info()?;
                let phase = Phase::from_code(u64::from(s.phase)).map_or_else(|| format!("unknown ({})", s.phase), |p| p.name().to_string());
                Ok(format!(
                    "mounted {}, snapshot sequence {}, phase {phase}, free frames {}, fallback held {}; device {}",
                    s.mounted,
                    s.snap_seq,
                    s.free_frames,
                    s.fallback_held,
                    describe(&i)
                ))
            }),
            "counters" => Counter::ALL
                .iter()
                .map(|c| link.ask(op::COUNTER, c.code() as u32, 0).map(|r| format!("{} {}", c.name(), r.data)))
                .collect::<Result<Vec<_>>>()
                .map(|v| v.join(", ")),
            "recover" => link.ask(op::RECOVER, 0, 0).map(|r| status_name(r.status).to_string()),
            "format" => link.ask(op::FORMAT, 0, 0).map(|r| status_name(r.status).to_string()),
            lower => {
                let first = lower.split_whitespace().next().unwrap_or("");
                if !COMMANDS.iter().any(|(w, _, _)| w.eq_ignore_ascii_case(first)) {
                    Ok(format!("unknown command `{first}`; accepted: {}", accepted()))
                } else {
                    match trace::parse(word, "input", 32) {
                        Err(e) => Ok(format!("{}; `help` lists the commands", e.message)),
                        Ok(ops) => match ops.first().map(|t| link.run(t.op)) {
                            Some(Ok(Answer::Read(Some(v)))) => Ok(format!("{v:x}")),
                            Some(Ok(Answer::Read(None) | Answer::Write(false))) => Ok("ERR".to_string()),
                            Some(Ok(Answer::Write(true) | Answer::Done)) => Ok("ok".to_string()),
                            Some(Err(e)) if e.is::<CommandFailed>() => Ok(format!("{e}")),
                            Some(Err(e)) => Err(e),
                            None => continue,
                        },
                    }
                }
            }
        };
        writeln!(out, "{}", answer?)?;
    }
    Ok(())
}

/// Refuses a `pmsnap board-sim` link whose board-sim is gone: the
/// pseudo-terminal it points at may since belong to someone else's
/// terminal. A link is recognised by the server file board-sim writes
/// beside it (`<link>.pid`), or by pointing into `/dev/pts/`.
pub fn check_served(port: &std::path::Path) -> Result<(), crate::exit::BadInput> {
    let Ok(target) = std::fs::read_link(port) else { return Ok(()) };
    let server = crate::commands::board_sim::server_file(port);
    let pid = std::fs::read_to_string(&server).ok().and_then(|s| s.trim().parse::<u32>().ok());
    if pid.is_none() && !target.starts_with("/dev/pts") {
        return Ok(());
    }
    let alive = pid.is_some_and(|p| std::fs::read(format!("/proc/{p}/cmdline")).is_ok_and(|c| String::from_utf8_lossy(&c).contains("board-sim")));
    if alive {
        return Ok(());
    }
    Err(crate::exit::BadInput(format!(
        "--port {}: points at {} but no pmsnap board-sim serves it (left by one that ended?); start `pmsnap board-sim --link {}` again",
        port.display(),
        target.display(),
        port.display()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn help_lists_every_command() {
        let h = help();
        for (word, _, _) in COMMANDS {
            assert!(h.contains(&format!("  {word} ")), "{word} in\n{h}");
        }
        assert_eq!(accepted(), "W, R, S, X, P, status, counters, recover, format, help, quit");
    }
}
