//! The UART command protocol of the board top (docs/uart-protocol.md): the
//! constants the hardware bridge is built from, and the host's codec.
//!
//! Every frame has a fixed length. A request is
//! `SYNC op addr[4] data[8] check`, a reply `SYNC op status data[8] check`,
//! multi-byte fields big-endian, and `check` makes the sum of all bytes of
//! the frame 0 modulo 256.

use crate::codes::{Code, Status};

/// First byte of a request (`'p'`).
pub const REQUEST_SYNC: u8 = 0x70;
/// First byte of a reply (`'P'`).
pub const REPLY_SYNC: u8 = 0x50;
pub const REQUEST_BYTES: usize = 15;
pub const REPLY_BYTES: usize = 12;

/// Request opcodes.
pub mod op {
    /// Read the logical word at `addr`; the reply's data is the word.
    pub const READ: u8 = 0x01;
    /// Write `data` at the logical word `addr`.
    pub const WRITE: u8 = 0x02;
    /// The controller commands (`command` maps them to `cmd_op`).
    pub const SNAPSHOT: u8 = 0x03;
    pub const RESTORE: u8 = 0x04;
    pub const RECOVER: u8 = 0x05;
    pub const FORMAT: u8 = 0x06;
    /// Reply data: bit 0 mounted, bits 1..=3 sequencer phase, bit 4 a
    /// fallback snapshot is held, bits 8..=31 free frames, bits 32..=63
    /// committed sequence number.
    pub const STATUS: u8 = 0x07;
    /// Reply data: the counter `addr` names (`codes::Counter`).
    pub const COUNTER: u8 = 0x08;
    /// Power-cycle the controller (the block-RAM NVM keeps its contents):
    /// an emulated power loss. RECOVER mounts it again.
    pub const RESET: u8 = 0x09;
    /// Reply data: the controller's sizing (see [`super::BoardInfo`]).
    pub const INFO: u8 = 0x0A;

    /// The controller command a request opcode asks for.
    pub fn command(opcode: u8) -> Option<crate::codes::CmdOp> {
        use crate::codes::CmdOp;
        match opcode {
            SNAPSHOT => Some(CmdOp::Snapshot),
            RESTORE => Some(CmdOp::Restore),
            RECOVER => Some(CmdOp::Recover),
            FORMAT => Some(CmdOp::Format),
            _ => None,
        }
    }
}

/// Reply statuses. The first six are the controller's `cmd_status` codes
/// (`codes::Status`) for the commands (and ok for the other requests).
pub mod status {
    use crate::codes::Status;
    pub const OK: u8 = Status::Ok as u8;
    pub const BUSY: u8 = Status::Busy as u8;
    pub const UNFORMATTED: u8 = Status::Unformatted as u8;
    pub const CORRUPT: u8 = Status::Corrupt as u8;
    pub const NO_FRAMES: u8 = Status::NoFrames as u8;
    pub const BAD_COMMAND: u8 = Status::BadOp as u8;
    /// A read or write the controller answered with `rsp_err`.
    pub const REQUEST_ERROR: u8 = 0x08;
    /// The request's check byte did not make its sum 0.
    pub const BAD_CHECKSUM: u8 = 0x10;
    pub const BAD_OPCODE: u8 = 0x11;
    /// COUNTER with an address that names no counter.
    pub const BAD_ARGUMENT: u8 = 0x12;
}

/// STATUS's reply data, field by field.
pub mod status_word {
    pub const MOUNTED: u64 = 1 << 0;
    pub const PHASE_SHIFT: u32 = 1;
    pub const FALLBACK_HELD: u64 = 1 << 4;
    pub const FREE_FRAMES_SHIFT: u32 = 8;
    pub const SNAP_SEQ_SHIFT: u32 = 32;
}

/// Cycles RESET holds the controller in reset.
pub const RESET_CYCLES: u64 = 15;

/// A partial frame is dropped when the line stays idle this many byte times.
pub const TIMEOUT_BYTE_TIMES: u64 = 4;

pub fn status_name(code: u8) -> &'static str {
    if let Some(s) = Status::from_code(code as u64) {
        return s.name();
    }
    match code {
        status::REQUEST_ERROR => "error",
        status::BAD_CHECKSUM => "bad-checksum",
        status::BAD_OPCODE => "bad-opcode",
        status::BAD_ARGUMENT => "bad-argument",
        _ => "unknown-status",
    }
}

fn byte_sum(bytes: &[u8]) -> u8 {
    bytes.iter().fold(0u8, |a, &b| a.wrapping_add(b))
}

/// The byte that makes the sum of `bytes` and it 0 modulo 256.
pub fn check_byte(bytes: &[u8]) -> u8 {
    byte_sum(bytes).wrapping_neg()
}

pub fn encode_request(opcode: u8, addr: u32, data: u64) -> [u8; REQUEST_BYTES] {
    let mut f = [0u8; REQUEST_BYTES];
    f[0] = REQUEST_SYNC;
    f[1] = opcode;
    f[2..6].copy_from_slice(&addr.to_be_bytes());
    f[6..14].copy_from_slice(&data.to_be_bytes());
    f[14] = check_byte(&f[..14]);
    f
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reply {
    pub opcode: u8,
    pub status: u8,
    pub data: u64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReplyError {
    BadSync(u8),
    BadChecksum,
}

impl std::fmt::Display for ReplyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReplyError::BadSync(b) => write!(f, "reply starts with {b:#04x}, not the sync byte {REPLY_SYNC:#04x}"),
            ReplyError::BadChecksum => write!(f, "reply's bytes do not sum to 0 modulo 256"),
        }
    }
}

pub fn decode_reply(f: &[u8; REPLY_BYTES]) -> Result<Reply, ReplyError> {
    if f[0] != REPLY_SYNC {
        return Err(ReplyError::BadSync(f[0]));
    }
    if byte_sum(f) != 0 {
        return Err(ReplyError::BadChecksum);
    }
    let mut data = [0u8; 8];
    data.copy_from_slice(&f[3..11]);
    Ok(Reply { opcode: f[1], status: f[2], data: u64::from_be_bytes(data) })
}

/// The fields of a STATUS reply's data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BoardStatus {
    pub mounted: bool,
    pub phase: u8,
    pub fallback_held: bool,
    pub free_frames: u32,
    pub snap_seq: u32,
}

impl BoardStatus {
    pub fn from_data(data: u64) -> Self {
        use status_word::*;
        BoardStatus {
            mounted: data & MOUNTED != 0,
            phase: ((data >> PHASE_SHIFT) & 7) as u8,
            fallback_held: data & FALLBACK_HELD != 0,
            free_frames: ((data >> FREE_FRAMES_SHIFT) & 0xff_ffff) as u32,
            snap_seq: (data >> SNAP_SEQ_SHIFT) as u32,
        }
    }
}

/// INFO's reply data: the sizing of the controller on the board. Bits
/// 0..=19 pages L, 20..=31 page words W, 32..=51 frames F, 56..=63 word
/// bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BoardInfo {
    pub pages: u64,
    pub page_words: u64,
    pub frames: u64,
    pub word_bits: u64,
}

impl BoardInfo {
    pub fn from_config(c: &crate::Config) -> Self {
        BoardInfo { pages: c.pages as u64, page_words: c.page_words as u64, frames: c.frames as u64, word_bits: c.word_bits as u64 }
    }

    pub fn to_data(&self) -> u64 {
        self.pages | self.page_words << 20 | self.frames << 32 | self.word_bits << 56
    }

    pub fn from_data(data: u64) -> Self {
        BoardInfo { pages: data & 0xf_ffff, page_words: data >> 20 & 0xfff, frames: data >> 32 & 0xf_ffff, word_bits: data >> 56 }
    }

    /// Host-visible words, L·W.
    pub fn logical_words(&self) -> u64 {
        self.pages * self.page_words
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_sums_to_zero() {
        let f = encode_request(op::WRITE, 0x1234_5678, 0xdead_beef_0bad_f00d);
        assert_eq!(byte_sum(&f), 0);
        assert_eq!(&f[2..6], &[0x12, 0x34, 0x56, 0x78]);
    }

    #[test]
    fn info_round_trips_the_largest_sizing() {
        let c = crate::Config::sized(65536, 1024, 1 << 18, 64);
        let i = BoardInfo::from_config(&c);
        assert_eq!(BoardInfo::from_data(i.to_data()), i);
    }

    #[test]
    fn reply_decoding_rejects_damage() {
        let mut f = [REPLY_SYNC, op::READ, status::OK, 0, 0, 0, 0, 0, 0, 0xab, 0xcd, 0];
        f[11] = check_byte(&f[..11]);
        assert_eq!(decode_reply(&f), Ok(Reply { opcode: op::READ, status: 0, data: 0xabcd }));
        f[9] ^= 1;
        assert_eq!(decode_reply(&f), Err(ReplyError::BadChecksum));
        f[0] = 0;
        assert_eq!(decode_reply(&f), Err(ReplyError::BadSync(0)));
    }
}
