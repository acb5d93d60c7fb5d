//! The board top's UART bridge, co-simulated bit by bit on its pins: every
//! request kind, the error replies, and exact reply contents.

use pmsnap_cosim::board::{exchange, BoardSim};
use pmsnap_hdl::board::catalog;
use pmsnap_hdl::board::protocol::{decode_reply, encode_request, op, status, BoardInfo, BoardStatus, Reply, REPLY_BYTES};

/// Cycles a reply may take: the frame's 27 bytes on the line and the work.
const LIMIT: u64 = 40_000;

fn board() -> BoardSim {
    let b = catalog::find("ice40-hx8k").unwrap();
    BoardSim::new(b, &pmsnap_cosim::verilator::default_cache_dir(), None).expect("board top builds")
}

/// Sends `bytes` and decodes the one reply they get.
fn reply_to(sim: &mut BoardSim, bytes: &[u8]) -> Reply {
    let raw = exchange(sim, bytes, REPLY_BYTES, LIMIT).unwrap();
    decode_reply(raw.as_slice().try_into().unwrap()).unwrap()
}

fn ask(sim: &mut BoardSim, opcode: u8, addr: u32, data: u64) -> Reply {
    reply_to(sim, &encode_request(opcode, addr, data))
}

fn status_of(sim: &mut BoardSim) -> BoardStatus {
    let r = ask(sim, op::STATUS, 0, 0);
    assert_eq!(r.status, status::OK);
    BoardStatus::from_data(r.data)
}

#[test]
fn bridge_runs_every_request() {
    let mut sim = board();
    let words = 32 * 16;
    let s = status_of(&mut sim);
    assert!(!s.mounted);
    assert_eq!(sim.leds() & 1, 0, "mounted LED off");
    // Block RAM powers up zero: no commit record anywhere.
    assert_eq!(ask(&mut sim, op::RECOVER, 0, 0).status, status::UNFORMATTED);
    assert_eq!(ask(&mut sim, op::READ, 3, 0).status, status::REQUEST_ERROR, "unmounted: host requests fail");
    assert_eq!(ask(&mut sim, op::FORMAT, 0, 0).status, status::OK);
    let s = status_of(&mut sim);
    assert!(s.mounted && !s.fallback_held);
    assert_eq!(s.free_frames, 96);
    assert_eq!(sim.leds() & 0b101, 0b001, "mounted LED on, error LED off");
    let info = BoardInfo::from_data(ask(&mut sim, op::INFO, 0, 0).data);
    assert_eq!(info, BoardInfo { pages: 32, page_words: 16, frames: 96, word_bits: 32 });

    assert_eq!(ask(&mut sim, op::WRITE, 17, 0xdead_beef), Reply { opcode: op::WRITE, status: status::OK, data: 0 });
    assert_eq!(ask(&mut sim, op::READ, 17, 0), Reply { opcode: op::READ, status: status::OK, data: 0xdead_beef });
    // The upper half of a frame's data does not fit a 32-bit word.
    assert_eq!(ask(&mut sim, op::WRITE, 18, 0x1_0000_0002).status, status::OK);
    assert_eq!(ask(&mut sim, op::READ, 18, 0).data, 2);
    assert_eq!(ask(&mut sim, op::READ, words, 0).status, status::REQUEST_ERROR);
    assert_eq!(sim.leds() & 0b100, 0b100, "error LED after a failed reply");

    assert_eq!(ask(&mut sim, op::SNAPSHOT, 0, 0).status, status::OK);
    let s = status_of(&mut sim);
    assert_eq!(s.snap_seq, 2);
    assert!(s.fallback_held, "the formatted, empty snapshot is the fallback");
    assert_eq!(ask(&mut sim, op::WRITE, 17, 7).status, status::OK);
    assert_eq!(ask(&mut sim, op::RESTORE, 0, 0).status, status::OK);
    assert_eq!(ask(&mut sim, op::READ, 17, 0).data, 0xdead_beef);
    assert_eq!(ask(&mut sim, op::COUNTER, 0, 0).data, 2, "COW faults: page 1 before and after the snapshot");
    assert_eq!(ask(&mut sim, op::COUNTER, 2, 0).data, 1, "snapshots");
    assert_eq!(ask(&mut sim, op::COUNTER, 3, 0).data, 1, "restores");
    assert_eq!(ask(&mut sim, op::COUNTER, 5, 0).status, status::BAD_ARGUMENT);

    // An emulated power loss: the controller forgets, the NVM does not.
    assert_eq!(ask(&mut sim, op::WRITE, 40, 9).status, status::OK);
    assert_eq!(ask(&mut sim, op::RESET, 0, 0).status, status::OK);
    assert!(!status_of(&mut sim).mounted);
    assert_eq!(ask(&mut sim, op::RECOVER, 0, 0).status, status::OK);
    assert!(!status_of(&mut sim).fallback_held, "RECOVER keeps no fallback");
    assert_eq!(ask(&mut sim, op::READ, 17, 0).data, 0xdead_beef);
    assert_eq!(ask(&mut sim, op::READ, 40, 0).data, 0, "unsnapshotted write lost");
    assert_eq!(status_of(&mut sim).snap_seq, 2);
}

#[test]
fn bridge_rejects_bad_frames_and_resynchronises() {
    let mut sim = board();
    let mut bad = encode_request(op::STATUS, 0, 0);
    bad[14] ^= 0x40;
    let r = reply_to(&mut sim, &bad);
    assert_eq!((r.opcode, r.status), (op::STATUS, status::BAD_CHECKSUM));
    assert_eq!(ask(&mut sim, 0x42, 0, 0).status, status::BAD_OPCODE);
    // Noise before a frame (no sync byte) is skipped.
    let mut noisy = vec![0x00, 0x13, 0xff];
    noisy.extend_from_slice(&encode_request(op::STATUS, 0, 0));
    let r = reply_to(&mut sim, &noisy);
    assert_eq!(r.status, status::OK);
    // A truncated frame is dropped after the line is idle 4 byte times;
    // the next frame is then understood.
    let whole = encode_request(op::STATUS, 0, 0);
    sim.send(&whole[..6]);
    for _ in 0..104 * 10 * 12 {
        assert_eq!(sim.step().unwrap(), None, "no reply to half a frame");
    }
    assert_eq!(ask(&mut sim, op::STATUS, 0, 0).status, status::OK);
}
