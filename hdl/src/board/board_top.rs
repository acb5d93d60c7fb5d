//! The board top, Verilog module `pmsnap_board`: the controller with its NVM
//! emulated in block RAM, driven over the board's UART by the
//! [`CommandBridge`], with status LEDs.
//!
//! ```text
//!  uart_rx ─► UartRx ─► CommandBridge ─► UartTx ─► uart_tx
//!                          │  ▲
//!               host port, │  │ status, counters
//!               commands   ▼  │
//!                       Controller ◄─► NvmBram (the NVM port)
//! ```
//!
//! There is no cache in front of the controller, so a flush request is
//! acknowledged the next cycle. A power-on counter holds everything in
//! reset for the first 15 cycles; the controller then waits, unmounted,
//! for the host's RECOVER.

use super::catalog::BoardConfig;
use super::command_bridge::{CommandBridge, BRIDGE_WORD_BITS};
use super::nvm_bram::NvmBram;
use super::uart_rx::UartRx;
use super::uart_tx::UartTx;
use crate::codes::{Code, Phase, CODE_BITS};
use crate::controller::Controller;
use rust_hdl::prelude::*;

const HEARTBEAT_BITS: usize = 32;
/// Cycles the board holds everything in reset after power-on.
const POWER_ON_RESET_CYCLES: u64 = 15;

/// What each LED shows, LED 0 first.
pub const LED_MEANINGS: [&str; 8] = [
    "mounted",
    "busy (a request or command is running)",
    "error (the last reply's status was not ok)",
    "heartbeat (about 1 Hz)",
    "committed sequence number, bit 0",
    "committed sequence number, bit 1",
    "committed sequence number, bit 2",
    "committed sequence number, bit 3",
];

#[derive(LogicBlock)]
pub struct BoardTop {
    /// The board's oscillator.
    pub clock: Signal<In, Clock>,
    /// From the host's serial port (idle high).
    pub uart_rx: Signal<In, Bit>,
    /// To the host's serial port.
    pub uart_tx: Signal<Out, Bit>,
    /// Active high; see [`LED_MEANINGS`].
    pub leds: Signal<Out, Bits<8>>,
    controller: Controller<BRIDGE_WORD_BITS>,
    nvm: NvmBram<BRIDGE_WORD_BITS>,
    receiver: UartRx,
    transmitter: UartTx,
    bridge: CommandBridge,
    power_on: DFF<Bits<4>>,
    flush_ack: DFF<Bit>,
    heartbeat: DFF<Bits<HEARTBEAT_BITS>>,
    in_reset: Signal<Local, Bit>,
    /// Heartbeat counter bit that toggles at about 1 Hz.
    heartbeat_bit: Constant<Bits<8>>,
    power_on_cycles: Constant<Bits<4>>,
    phase_idle: Constant<Bits<CODE_BITS>>,
}

impl BoardTop {
    pub fn new(board: &BoardConfig) -> Self {
        assert_eq!(board.config.word_bits, BRIDGE_WORD_BITS, "board tops use {BRIDGE_WORD_BITS}-bit words");
        let clocks_per_bit = board.clocks_per_bit();
        // Bit b of a free-running counter toggles every 2^b clocks.
        let heartbeat_bit = (63 - board.clock_hz.max(2).leading_zeros()) as u64;
        BoardTop {
            clock: Default::default(),
            uart_rx: Default::default(),
            uart_tx: Default::default(),
            leds: Default::default(),
            controller: Controller::new(&board.config),
            nvm: NvmBram::new(board.config.layout().total_words() as usize),
            receiver: UartRx::new(clocks_per_bit),
            transmitter: UartTx::new(clocks_per_bit),
            bridge: CommandBridge::new(clocks_per_bit, &board.config),
            power_on: Default::default(),
            flush_ack: Default::default(),
            heartbeat: Default::default(),
            in_reset: Default::default(),
            heartbeat_bit: Constant::new(heartbeat_bit.to_bits()),
            power_on_cycles: Constant::new(POWER_ON_RESET_CYCLES.to_bits()),
            phase_idle: Constant::new(Phase::Idle.bits()),
        }
    }
}

impl Logic for BoardTop {
    #[hdl_gen]
    fn update(&mut self) {
        clock!(self, clock, controller, nvm, receiver, transmitter, bridge);
        dff_setup!(self, clock, power_on, flush_ack, heartbeat);
        self.in_reset.next = self.power_on.q.val() != self.power_on_cycles.val();
        if self.in_reset.val() {
            self.power_on.d.next = self.power_on.q.val() + 1;
        }
        self.heartbeat.d.next = self.heartbeat.q.val() + 1;
        self.receiver.reset.next = self.in_reset.val();
        self.transmitter.reset.next = self.in_reset.val();
        self.bridge.reset.next = self.in_reset.val();
        self.controller.reset.next = self.in_reset.val() | self.bridge.controller_reset.val();
        self.nvm.reset.next = self.in_reset.val() | self.bridge.controller_reset.val();

        // Serial line.
        self.receiver.rx.next = self.uart_rx.val();
        self.uart_tx.next = self.transmitter.tx.val();
        self.bridge.rx_valid.next = self.receiver.valid.val();
        self.bridge.rx_data.next = self.receiver.data.val();
        self.bridge.rx_error.next = self.receiver.framing_error.val();
        self.transmitter.start.next = self.bridge.tx_start.val();
        self.transmitter.data.next = self.bridge.tx_data.val();
        self.bridge.tx_busy.next = self.transmitter.busy.val();

        // Bridge to controller.
        self.controller.req_valid.next = self.bridge.req_valid.val();
        self.bridge.req_ready.next = self.controller.req_ready.val();
        self.controller.req_write.next = self.bridge.req_write.val();
        self.controller.req_addr.next = self.bridge.req_addr.val();
        self.controller.req_wdata.next = self.bridge.req_wdata.val();
        self.bridge.rsp_valid.next = self.controller.rsp_valid.val();
        self.bridge.rsp_rdata.next = self.controller.rsp_rdata.val();
        self.bridge.rsp_err.next = self.controller.rsp_err.val();
        self.controller.cmd_valid.next = self.bridge.cmd_valid.val();
        self.bridge.cmd_ready.next = self.controller.cmd_ready.val();
        self.controller.cmd_op.next = self.bridge.cmd_op.val();
        self.bridge.cmd_done.next = self.controller.cmd_done.val();
        self.bridge.cmd_status.next = self.controller.cmd_status.val();
        self.bridge.mounted.next = self.controller.mounted.val();
        self.bridge.seq_phase.next = self.controller.seq_phase.val();
        self.bridge.snap_seq.next = self.controller.snap_seq.val();
        self.bridge.free_frames.next = self.controller.free_frames.val();
        self.bridge.fallback_held.next = self.controller.fallback_held.val();
        self.bridge.cow_faults.next = self.controller.cow_faults.val();
        self.bridge.pages_hardened.next = self.controller.pages_hardened.val();
        self.bridge.snapshots.next = self.controller.snapshots.val();
        self.bridge.restores.next = self.controller.restores.val();
        self.bridge.errors.next = self.controller.errors.val();
        // No cache in front of the controller: nothing to write back.
        self.flush_ack.d.next = self.controller.flush_req.val() & !self.flush_ack.q.val();
        self.controller.flush_ack.next = self.flush_ack.q.val();

        // Controller to NVM.
        self.nvm.port.req_valid.next = self.controller.mem_req_valid.val();
        self.controller.mem_req_ready.next = self.nvm.port.req_ready.val();
        self.nvm.port.req_write.next = self.controller.mem_req_write.val();
        self.nvm.port.req_addr.next = self.controller.mem_req_addr.val();
        self.nvm.port.req_wdata.next = self.controller.mem_req_wdata.val();
        self.controller.mem_rsp_valid.next = self.nvm.port.rsp_valid.val();
        self.controller.mem_rsp_rdata.next = self.nvm.port.rsp_rdata.val();

        self.leds.next = (bit_cast::<8, 4>(bit_cast::<4, 32>(self.controller.snap_seq.val())) << 4)
            .replace_bit(0, self.controller.mounted.val())
            .replace_bit(1, self.bridge.busy.val() | (self.controller.seq_phase.val() != self.phase_idle.val()))
            .replace_bit(2, self.bridge.failed.val())
            .replace_bit(3, self.heartbeat.q.val().get_bit(self.heartbeat_bit.val().index()));
    }
}
