//! UART command bridge: turns the framed requests of
//! [`protocol`](super::protocol) into host-port requests and controller
//! commands, and answers each with one reply frame. One request is handled
//! at a time; bytes that arrive while a request runs are dropped (the host
//! waits for each reply).

use super::protocol::{op, status, status_word, REPLY_BYTES, REPLY_SYNC, REQUEST_BYTES, REQUEST_SYNC, RESET_CYCLES, TIMEOUT_BYTE_TIMES};
use crate::codes::{CmdOp, Code, Counter, CODE_BITS};
use crate::config::{COUNTER_BITS, HOST_ADDR_BITS};
use crate::Config;
use rust_hdl::prelude::*;

/// The bridge works on 32-bit words (the boards' sizing); a frame carries
/// 64 data bits, the upper 32 are zero.
pub const BRIDGE_WORD_BITS: usize = 32;
const FRAME_BITS: usize = 8 * REQUEST_BYTES;
/// A reply without its check byte, which is computed while sending.
const REPLY_BODY_BITS: usize = 8 * (REPLY_BYTES - 1);
const TIMER_BITS: usize = 24;

// The kernel shifts STATUS's fields by literals (rust-hdl copies them into
// the Verilog); keep them in step with protocol::status_word.
const _: () = assert!(status_word::PHASE_SHIFT == 1 && status_word::FREE_FRAMES_SHIFT == 8 && status_word::SNAP_SEQ_SHIFT == 32 && RESET_CYCLES < 16);

#[derive(Copy, Clone, PartialEq, Debug, LogicState)]
pub enum BridgeState {
    Receive,
    Decode,
    Request,
    AwaitResponse,
    Command,
    AwaitCommand,
    Resetting,
    Answer,
    Send,
}

#[derive(LogicBlock)]
pub struct CommandBridge {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    // From the UART receiver and to the transmitter.
    pub rx_valid: Signal<In, Bit>,
    pub rx_data: Signal<In, Bits<8>>,
    /// A byte with a bad stop bit: the partial frame is dropped.
    pub rx_error: Signal<In, Bit>,
    pub tx_start: Signal<Out, Bit>,
    pub tx_data: Signal<Out, Bits<8>>,
    pub tx_busy: Signal<In, Bit>,
    // To the controller's host port.
    pub req_valid: Signal<Out, Bit>,
    pub req_ready: Signal<In, Bit>,
    pub req_write: Signal<Out, Bit>,
    pub req_addr: Signal<Out, Bits<HOST_ADDR_BITS>>,
    pub req_wdata: Signal<Out, Bits<BRIDGE_WORD_BITS>>,
    pub rsp_valid: Signal<In, Bit>,
    pub rsp_rdata: Signal<In, Bits<BRIDGE_WORD_BITS>>,
    pub rsp_err: Signal<In, Bit>,
    // To the controller's command port.
    pub cmd_valid: Signal<Out, Bit>,
    pub cmd_ready: Signal<In, Bit>,
    pub cmd_op: Signal<Out, Bits<CODE_BITS>>,
    pub cmd_done: Signal<In, Bit>,
    pub cmd_status: Signal<In, Bits<CODE_BITS>>,
    // The controller's status.
    pub mounted: Signal<In, Bit>,
    pub seq_phase: Signal<In, Bits<CODE_BITS>>,
    pub snap_seq: Signal<In, Bits<COUNTER_BITS>>,
    pub free_frames: Signal<In, Bits<COUNTER_BITS>>,
    pub fallback_held: Signal<In, Bit>,
    pub cow_faults: Signal<In, Bits<COUNTER_BITS>>,
    pub pages_hardened: Signal<In, Bits<COUNTER_BITS>>,
    pub snapshots: Signal<In, Bits<COUNTER_BITS>>,
    pub restores: Signal<In, Bits<COUNTER_BITS>>,
    pub errors: Signal<In, Bits<COUNTER_BITS>>,
    /// Holds the controller (and the NVM's answer path) in reset: RESET.
    pub controller_reset: Signal<Out, Bit>,
    /// A request is being handled.
    pub busy: Signal<Out, Bit>,
    /// The last reply's status was not ok.
    pub failed: Signal<Out, Bit>,
    state: DFF<BridgeState>,
    frame: DFF<Bits<FRAME_BITS>>,
    received: DFF<Bits<4>>,
    sum: DFF<Bits<8>>,
    idle_clocks: DFF<Bits<TIMER_BITS>>,
    result_status: DFF<Bits<8>>,
    result_data: DFF<Bits<64>>,
    reply: DFF<Bits<REPLY_BODY_BITS>>,
    reply_left: DFF<Bits<4>>,
    reply_sum: DFF<Bits<8>>,
    reset_clocks: DFF<Bits<4>>,
    last_failed: DFF<Bit>,
    opcode: Signal<Local, Bits<8>>,
    address: Signal<Local, Bits<32>>,
    status_word: Signal<Local, Bits<64>>,
    /// The opcode names a controller command.
    is_command: Signal<Local, Bit>,
    timeout: Constant<Bits<TIMER_BITS>>,
    request_sync: Constant<Bits<8>>,
    reply_sync: Constant<Bits<8>>,
    last_request_byte: Constant<Bits<4>>,
    reply_bytes: Constant<Bits<4>>,
    op_read: Constant<Bits<8>>,
    op_write: Constant<Bits<8>>,
    op_snapshot: Constant<Bits<8>>,
    op_restore: Constant<Bits<8>>,
    op_recover: Constant<Bits<8>>,
    op_format: Constant<Bits<8>>,
    op_status: Constant<Bits<8>>,
    op_counter: Constant<Bits<8>>,
    op_reset: Constant<Bits<8>>,
    op_info: Constant<Bits<8>>,
    /// The `cmd_op` codes of the commands.
    cmd_snapshot: Constant<Bits<CODE_BITS>>,
    cmd_restore: Constant<Bits<CODE_BITS>>,
    cmd_recover: Constant<Bits<CODE_BITS>>,
    cmd_format: Constant<Bits<CODE_BITS>>,
    /// COUNTER's addresses.
    counter_cow_faults: Constant<Bits<32>>,
    counter_pages_hardened: Constant<Bits<32>>,
    counter_snapshots: Constant<Bits<32>>,
    counter_restores: Constant<Bits<32>>,
    counter_errors: Constant<Bits<32>>,
    /// STATUS's single-bit fields.
    status_mounted: Constant<Bits<64>>,
    status_fallback_held: Constant<Bits<64>>,
    status_ok: Constant<Bits<8>>,
    reset_cycles: Constant<Bits<4>>,
    /// INFO's reply data: the controller's sizing.
    info_word: Constant<Bits<64>>,
    status_request_error: Constant<Bits<8>>,
    status_bad_checksum: Constant<Bits<8>>,
    status_bad_opcode: Constant<Bits<8>>,
    status_bad_argument: Constant<Bits<8>>,
}

impl CommandBridge {
    /// `clocks_per_bit`: the UART's, to time out partial frames; `config`:
    /// the controller's sizing, which INFO reports.
    pub fn new(clocks_per_bit: u64, config: &Config) -> Self {
        let timeout = clocks_per_bit * 10 * TIMEOUT_BYTE_TIMES;
        assert!(timeout < 1 << TIMER_BITS, "clocks per bit {clocks_per_bit} too large for the frame timeout");
        let byte = |b: u8| Constant::new((b as u64).to_bits());
        CommandBridge {
            clock: Default::default(),
            reset: Default::default(),
            rx_valid: Default::default(),
            rx_data: Default::default(),
            rx_error: Default::default(),
            tx_start: Default::default(),
            tx_data: Default::default(),
            tx_busy: Default::default(),
            req_valid: Default::default(),
            req_ready: Default::default(),
            req_write: Default::default(),
            req_addr: Default::default(),
            req_wdata: Default::default(),
            rsp_valid: Default::default(),
            rsp_rdata: Default::default(),
            rsp_err: Default::default(),
            cmd_valid: Default::default(),
            cmd_ready: Default::default(),
            cmd_op: Default::default(),
            cmd_done: Default::default(),
            cmd_status: Default::default(),
            mounted: Default::default(),
            seq_phase: Default::default(),
            snap_seq: Default::default(),
            free_frames: Default::default(),
            fallback_held: Default::default(),
            cow_faults: Default::default(),
            pages_hardened: Default::default(),
            snapshots: Default::default(),
            restores: Default::default(),
            errors: Default::default(),
            controller_reset: Default::default(),
            busy: Default::default(),
            failed: Default::default(),
            state: Default::default(),
            frame: Default::default(),
            received: Default::default(),
            sum: Default::default(),
            idle_clocks: Default::default(),
            result_status: Default::default(),
            result_data: Default::default(),
            reply: Default::default(),
            reply_left: Default::default(),
            reply_sum: Default::default(),
            reset_clocks: Default::default(),
            last_failed: Default::default(),
            opcode: Default::default(),
            address: Default::default(),
            status_word: Default::default(),
            is_command: Default::default(),
            timeout: Constant::new(timeout.to_bits()),
            request_sync: byte(REQUEST_SYNC),
            reply_sync: byte(REPLY_SYNC),
            last_request_byte: Constant::new(((REQUEST_BYTES - 1) as u64).to_bits()),
            reply_bytes: Constant::new((REPLY_BYTES as u64).to_bits()),
            op_read: byte(op::READ),
            op_write: byte(op::WRITE),
            op_snapshot: byte(op::SNAPSHOT),
            op_restore: byte(op::RESTORE),
            op_recover: byte(op::RECOVER),
            op_format: byte(op::FORMAT),
            op_status: byte(op::STATUS),
            op_counter: byte(op::COUNTER),
            op_reset: byte(op::RESET),
            op_info: byte(op::INFO),
            cmd_snapshot: Constant::new(CmdOp::Snapshot.bits()),
            cmd_restore: Constant::new(CmdOp::Restore.bits()),
            cmd_recover: Constant::new(CmdOp::Recover.bits()),
            cmd_format: Constant::new(CmdOp::Format.bits()),
            counter_cow_faults: Constant::new(Counter::CowFaults.code().to_bits()),
            counter_pages_hardened: Constant::new(Counter::PagesHardened.code().to_bits()),
            counter_snapshots: Constant::new(Counter::Snapshots.code().to_bits()),
            counter_restores: Constant::new(Counter::Restores.code().to_bits()),
            counter_errors: Constant::new(Counter::Errors.code().to_bits()),
            status_mounted: Constant::new(status_word::MOUNTED.to_bits()),
            status_fallback_held: Constant::new(status_word::FALLBACK_HELD.to_bits()),
            status_ok: byte(status::OK),
            reset_cycles: Constant::new(RESET_CYCLES.to_bits()),
            info_word: Constant::new(super::protocol::BoardInfo::from_config(config).to_data().to_bits()),
            status_request_error: byte(status::REQUEST_ERROR),
            status_bad_checksum: byte(status::BAD_CHECKSUM),
            status_bad_opcode: byte(status::BAD_OPCODE),
            status_bad_argument: byte(status::BAD_ARGUMENT),
        }
    }
}

impl Logic for CommandBridge {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, state, frame, received, sum, idle_clocks, result_status, result_data, reply, reply_left, reply_sum, reset_clocks, last_failed);
        // The request's fields: byte 0 (sync) in the top bits.
        self.opcode.next = bit_cast::<8, FRAME_BITS>(self.frame.q.val() >> 104);
        self.address.next = bit_cast::<32, FRAME_BITS>(self.frame.q.val() >> 72);
        self.req_write.next = self.opcode.val() == self.op_write.val();
        self.req_addr.next = self.address.val();
        self.req_wdata.next = bit_cast::<BRIDGE_WORD_BITS, FRAME_BITS>(self.frame.q.val() >> 8);
        self.is_command.next = (self.opcode.val() == self.op_snapshot.val())
            | (self.opcode.val() == self.op_restore.val())
            | (self.opcode.val() == self.op_recover.val())
            | (self.opcode.val() == self.op_format.val());
        self.cmd_op.next = self.cmd_snapshot.val();
        if self.opcode.val() == self.op_restore.val() {
            self.cmd_op.next = self.cmd_restore.val();
        } else if self.opcode.val() == self.op_recover.val() {
            self.cmd_op.next = self.cmd_recover.val();
        } else if self.opcode.val() == self.op_format.val() {
            self.cmd_op.next = self.cmd_format.val();
        }
        // Shifts as in protocol::status_word (checked above).
        self.status_word.next = (bit_cast::<64, COUNTER_BITS>(self.snap_seq.val()) << 32)
            | (bit_cast::<64, 24>(bit_cast::<24, COUNTER_BITS>(self.free_frames.val())) << 8)
            | (bit_cast::<64, 3>(self.seq_phase.val()) << 1);
        if self.mounted.val() {
            self.status_word.next = self.status_word.val() | self.status_mounted.val();
        }
        if self.fallback_held.val() {
            self.status_word.next = self.status_word.val() | self.status_fallback_held.val();
        }
        self.req_valid.next = self.state.q.val() == BridgeState::Request;
        self.cmd_valid.next = self.state.q.val() == BridgeState::Command;
        self.controller_reset.next = self.state.q.val() == BridgeState::Resetting;
        self.busy.next = self.state.q.val() != BridgeState::Receive;
        self.failed.next = self.last_failed.q.val();
        self.tx_start.next = false;
        self.tx_data.next = bit_cast::<8, REPLY_BODY_BITS>(self.reply.q.val() >> 80);
        match self.state.q.val() {
            BridgeState::Receive => {
                if self.received.q.val() != 0 {
                    self.idle_clocks.d.next = self.idle_clocks.q.val() + 1;
                    if (self.idle_clocks.q.val() == self.timeout.val()) | self.rx_error.val() {
                        self.received.d.next = 0.into();
                        self.sum.d.next = 0.into();
                    }
                }
                if self.rx_valid.val() & ((self.received.q.val() != 0) | (self.rx_data.val() == self.request_sync.val())) {
                    self.frame.d.next = (self.frame.q.val() << 8) | bit_cast::<FRAME_BITS, 8>(self.rx_data.val());
                    self.sum.d.next = self.sum.q.val() + self.rx_data.val();
                    self.received.d.next = self.received.q.val() + 1;
                    self.idle_clocks.d.next = 0.into();
                    if self.received.q.val() == self.last_request_byte.val() {
                        self.state.d.next = BridgeState::Decode;
                    }
                }
            }
            BridgeState::Decode => {
                self.received.d.next = 0.into();
                self.sum.d.next = 0.into();
                self.result_status.d.next = self.status_ok.val();
                self.result_data.d.next = 0.into();
                self.state.d.next = BridgeState::Answer;
                if self.sum.q.val() != 0 {
                    self.result_status.d.next = self.status_bad_checksum.val();
                } else if (self.opcode.val() == self.op_read.val()) | (self.opcode.val() == self.op_write.val()) {
                    self.state.d.next = BridgeState::Request;
                } else if self.is_command.val() {
                    self.state.d.next = BridgeState::Command;
                } else if self.opcode.val() == self.op_status.val() {
                    self.result_data.d.next = self.status_word.val();
                } else if self.opcode.val() == self.op_counter.val() {
                    if self.address.val() == self.counter_cow_faults.val() {
                        self.result_data.d.next = bit_cast::<64, COUNTER_BITS>(self.cow_faults.val());
                    } else if self.address.val() == self.counter_pages_hardened.val() {
                        self.result_data.d.next = bit_cast::<64, COUNTER_BITS>(self.pages_hardened.val());
                    } else if self.address.val() == self.counter_snapshots.val() {
                        self.result_data.d.next = bit_cast::<64, COUNTER_BITS>(self.snapshots.val());
                    } else if self.address.val() == self.counter_restores.val() {
                        self.result_data.d.next = bit_cast::<64, COUNTER_BITS>(self.restores.val());
                    } else if self.address.val() == self.counter_errors.val() {
                        self.result_data.d.next = bit_cast::<64, COUNTER_BITS>(self.errors.val());
                    } else {
                        self.result_status.d.next = self.status_bad_argument.val();
                    }
                } else if self.opcode.val() == self.op_info.val() {
                    self.result_data.d.next = self.info_word.val();
                } else if self.opcode.val() == self.op_reset.val() {
                    self.reset_clocks.d.next = self.reset_cycles.val();
                    self.state.d.next = BridgeState::Resetting;
                } else {
                    self.result_status.d.next = self.status_bad_opcode.val();
                }
            }
            BridgeState::Request => {
                if self.req_ready.val() {
                    self.state.d.next = BridgeState::AwaitResponse;
                }
            }
            BridgeState::AwaitResponse => {
                if self.rsp_valid.val() {
                    self.result_data.d.next = bit_cast::<64, BRIDGE_WORD_BITS>(self.rsp_rdata.val());
                    if self.rsp_err.val() {
                        self.result_status.d.next = self.status_request_error.val();
                    }
                    self.state.d.next = BridgeState::Answer;
                }
            }
            BridgeState::Command => {
                if self.cmd_ready.val() {
                    self.state.d.next = BridgeState::AwaitCommand;
                }
            }
            BridgeState::AwaitCommand => {
                if self.cmd_done.val() {
                    self.result_status.d.next = bit_cast::<8, 3>(self.cmd_status.val());
                    self.state.d.next = BridgeState::Answer;
                }
            }
            BridgeState::Resetting => {
                self.reset_clocks.d.next = self.reset_clocks.q.val() - 1;
                if self.reset_clocks.q.val() == 1 {
                    self.state.d.next = BridgeState::Answer;
                }
            }
            BridgeState::Answer => {
                self.reply.d.next = (bit_cast::<REPLY_BODY_BITS, 8>(self.reply_sync.val()) << 80)
                    | (bit_cast::<REPLY_BODY_BITS, 8>(self.opcode.val()) << 72)
                    | (bit_cast::<REPLY_BODY_BITS, 8>(self.result_status.q.val()) << 64)
                    | bit_cast::<REPLY_BODY_BITS, 64>(self.result_data.q.val());
                self.reply_left.d.next = self.reply_bytes.val();
                self.reply_sum.d.next = 0.into();
                self.last_failed.d.next = self.result_status.q.val() != self.status_ok.val();
                self.state.d.next = BridgeState::Send;
            }
            BridgeState::Send => {
                if !self.tx_busy.val() {
                    if self.reply_left.q.val() == 0 {
                        self.state.d.next = BridgeState::Receive;
                    } else {
                        self.tx_start.next = true;
                        if self.reply_left.q.val() == 1 {
                            // The check byte: the sum of the frame becomes 0.
                            self.tx_data.next = !self.reply_sum.q.val() + 1;
                        }
                        self.reply_sum.d.next = self.reply_sum.q.val() + bit_cast::<8, REPLY_BODY_BITS>(self.reply.q.val() >> 80);
                        self.reply.d.next = self.reply.q.val() << 8;
                        self.reply_left.d.next = self.reply_left.q.val() - 1;
                    }
                }
            }
            _ => {
                self.state.d.next = BridgeState::Receive;
            }
        }
        if self.reset.val() {
            self.state.d.next = BridgeState::Receive;
            self.received.d.next = 0.into();
            self.sum.d.next = 0.into();
            self.last_failed.d.next = false;
        }
    }
}

#[cfg(test)]
#[path = "command_bridge_tests.rs"]
mod tests;
