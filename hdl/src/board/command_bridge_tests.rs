//! Tests of the block in `command_bridge.rs`.
use super::super::protocol::{decode_reply, encode_request, BoardInfo, BoardStatus, Reply};
use super::*;
use crate::codes::Status;

/// Sends `frame` a byte a cycle (a host waits for each reply, as the
/// protocol asks) and plays the controller: it takes host
/// requests and commands at once and answers them the next cycle
/// (reads with 0x1234, commands with `status`). Returns the reply, the
/// request or command the controller saw, and the cycles the
/// controller was held in reset.
fn exchange(
    sim: &mut Sim<CommandBridge>,
    mut x: Box<CommandBridge>,
    frame: &[u8],
    status: u64,
    seen: &mut Vec<String>,
) -> Result<(Box<CommandBridge>, Reply), SimError> {
    // The bridge is back in Receive two cycles after its last byte.
    wait_clock_cycles!(sim, clock, x, 2);
    for &b in frame {
        x.rx_valid.next = true;
        x.rx_data.next = (b as u64).to_bits();
        wait_clock_cycle!(sim, clock, x);
    }
    x.rx_valid.next = false;
    let (mut reply, mut answer, mut reset) = (Vec::new(), None, 0);
    for _ in 0..200 {
        x.rsp_valid.next = answer == Some(false);
        x.rsp_rdata.next = 0x1234.into();
        x.cmd_done.next = answer == Some(true);
        x.cmd_status.next = status.to_bits();
        x.req_ready.next = true;
        x.cmd_ready.next = true;
        x = sim.wait(1, x)?;
        answer = None;
        if x.req_valid.val() {
            seen.push(format!("req write={} addr={} data={:#x}", x.req_write.val(), x.req_addr.val().index(), x.req_wdata.val().index()));
            answer = Some(false);
        }
        if x.cmd_valid.val() {
            seen.push(format!("cmd op={}", x.cmd_op.val().index()));
            answer = Some(true);
        }
        reset += x.controller_reset.val() as u64;
        if x.tx_start.val() {
            reply.push(x.tx_data.val().index() as u8);
        }
        wait_clock_cycle!(sim, clock, x);
        if reply.len() == REPLY_BYTES {
            break;
        }
    }
    if reset > 0 {
        seen.push(format!("reset {reset}"));
    }
    match <[u8; REPLY_BYTES]>::try_from(reply.as_slice()).ok().map(|f| decode_reply(&f)) {
        Some(Ok(r)) => Ok((x, r)),
        _ => {
            println!("HALT no valid reply to {frame:02x?}: {reply:02x?}");
            Err(sim.halt(x).unwrap_err())
        }
    }
}

#[test]
fn every_opcode_reaches_the_controller_as_it_should_and_is_answered() {
    let config = crate::Config::sized(8, 4, 24, 32);
    let mut sim = Simulation::new();
    sim.add_clock(5, |x: &mut Box<CommandBridge>| x.clock.next = !x.clock.val());
    sim.add_testbench(move |mut sim: Sim<CommandBridge>| {
        let mut x = sim.init()?;
        let mut seen = Vec::new();
        macro_rules! ask {
            ($frame:expr, $status:expr) => {{
                let (next, r) = exchange(&mut sim, x, $frame, $status, &mut seen)?;
                x = next;
                r
            }};
        }
        x.mounted.next = true;
        x.fallback_held.next = true;
        x.seq_phase.next = 2.into();
        x.free_frames.next = 17.into();
        x.snap_seq.next = 5.into();
        x.snapshots.next = 4.into();
        let r = ask!(&encode_request(op::WRITE, 17, 0xdead), 0);
        sim_assert!(sim, r.status == status::OK && r.opcode == op::WRITE, x);
        let r = ask!(&encode_request(op::READ, 3, 0), 0);
        sim_assert!(sim, r.status == status::OK && r.data == 0x1234, x);
        // Each command as its cmd_op code, the controller's status relayed.
        for (opcode, cmd, status) in [
            (op::SNAPSHOT, CmdOp::Snapshot, Status::Ok),
            (op::RESTORE, CmdOp::Restore, Status::Busy),
            (op::RECOVER, CmdOp::Recover, Status::Corrupt),
            (op::FORMAT, CmdOp::Format, Status::Ok),
        ] {
            let r = ask!(&encode_request(opcode, 0, 0), status.code());
            sim_assert!(sim, r.status == status.code() as u8, x);
            sim_assert_eq!(sim, seen.last().cloned(), Some(format!("cmd op={}", cmd.code())), x);
        }
        let r = ask!(&encode_request(op::STATUS, 0, 0), 0);
        sim_assert_eq!(sim, BoardStatus::from_data(r.data), BoardStatus { mounted: true, phase: 2, fallback_held: true, free_frames: 17, snap_seq: 5 }, x);
        let r = ask!(&encode_request(op::COUNTER, Counter::Snapshots.code() as u32, 0), 0);
        sim_assert_eq!(sim, r.data, 4, x);
        let r = ask!(&encode_request(op::COUNTER, 9, 0), 0);
        sim_assert_eq!(sim, r.status, status::BAD_ARGUMENT, x);
        let r = ask!(&encode_request(op::INFO, 0, 0), 0);
        sim_assert_eq!(sim, BoardInfo::from_data(r.data), BoardInfo { pages: 8, page_words: 4, frames: 24, word_bits: 32 }, x);
        let r = ask!(&encode_request(op::RESET, 0, 0), 0);
        sim_assert_eq!(sim, r.status, status::OK, x);
        let r = ask!(&encode_request(0x42, 0, 0), 0);
        sim_assert_eq!(sim, r.status, status::BAD_OPCODE, x);
        let mut bad = encode_request(op::WRITE, 1, 1);
        bad[14] ^= 1;
        let r = ask!(&bad, 0);
        sim_assert_eq!(sim, r.status, status::BAD_CHECKSUM, x);
        let want = [
            "req write=true addr=17 data=0xdead".to_string(),
            "req write=false addr=3 data=0x0".into(),
            format!("cmd op={}", CmdOp::Snapshot.code()),
            format!("cmd op={}", CmdOp::Restore.code()),
            format!("cmd op={}", CmdOp::Recover.code()),
            format!("cmd op={}", CmdOp::Format.code()),
            format!("reset {RESET_CYCLES}"),
        ];
        sim_assert_eq!(sim, seen.clone(), want.to_vec(), x);
        sim.done(x)
    });
    let mut uut = CommandBridge::new(104, &config);
    uut.connect_all();
    sim.run(Box::new(uut), 1_000_000).unwrap();
}

#[test]
fn lints_and_synthesizes() {
    crate::test_support::lint::check_block("command_bridge", CommandBridge::new(104, &crate::Config::default()));
}
