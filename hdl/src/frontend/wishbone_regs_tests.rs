//! Test bench of the registers' Wishbone port: each request answered the
//! cycle after it is taken, `ack` or `err` as the register map says, no
//! answer for a cycle given up.

use super::register_file::{RegisterAccess, RegisterFile};
use super::register_map::{offset, ID_VALUE};
use super::wishbone_regs::WishboneRegs;
use crate::Config;
use rust_hdl::prelude::*;

/// The Wishbone port and the registers, as the Wishbone top joins them.
#[derive(LogicBlock)]
struct WishbonePair {
    clock: Signal<In, Clock>,
    bus: WishboneRegs,
    file: RegisterFile,
}

impl Logic for WishbonePair {
    #[hdl_gen]
    fn update(&mut self) {
        clock!(self, clock, bus, file);
        RegisterAccess::join(&mut self.bus.regs, &mut self.file.bus);
    }
}

/// (write, offset, data, sel, give the cycle up before the answer).
type Request = (bool, u64, u64, u64, bool);
/// What came back the cycle after each request, (ack, err, dat_r), and the
/// command the registers offered then, (reg_cmd_valid, reg_cmd_op).
type Seen = (Vec<(bool, bool, u64)>, Vec<(bool, u64)>);

fn run(requests: Vec<Request>) -> Seen {
    let (tx, rx) = std::sync::mpsc::channel();
    let mut sim = Simulation::new();
    sim.add_clock(5, |x: &mut Box<WishbonePair>| x.clock.next = !x.clock.val());
    sim.add_testbench(move |mut sim: Sim<WishbonePair>| {
        let mut x = sim.init()?;
        let (mut answers, mut commands) = (Vec::new(), Vec::new());
        x.bus.reset.next = true;
        x.file.reset.next = true;
        wait_clock_cycle!(sim, clock, x);
        x.bus.reset.next = false;
        x.file.reset.next = false;
        for &(write, addr, data, sel, give_up) in requests.iter() {
            x.bus.s_wbr_cyc.next = true;
            x.bus.s_wbr_stb.next = true;
            x.bus.s_wbr_we.next = write;
            x.bus.s_wbr_adr.next = addr.to_bits();
            x.bus.s_wbr_dat_w.next = data.to_bits();
            x.bus.s_wbr_sel.next = sel.to_bits();
            x = sim.wait(1, x)?;
            sim_assert!(sim, !x.bus.s_wbr_stall.val(), x);
            wait_clock_cycle!(sim, clock, x);
            x.bus.s_wbr_stb.next = false;
            x.bus.s_wbr_cyc.next = !give_up;
            x = sim.wait(1, x)?;
            answers.push((x.bus.s_wbr_ack.val(), x.bus.s_wbr_err.val(), x.bus.s_wbr_dat_r.val().index() as u64));
            commands.push((x.file.reg_cmd_valid.val(), x.file.reg_cmd_op.val().index() as u64));
            wait_clock_cycle!(sim, clock, x);
            x.bus.s_wbr_cyc.next = false;
            wait_clock_cycle!(sim, clock, x);
        }
        tx.send((answers, commands)).unwrap();
        sim.done(x)
    });
    let mut uut = WishbonePair { clock: Default::default(), bus: Default::default(), file: RegisterFile::new(&Config::default()) };
    for s in [&mut uut.file.cmd_taken, &mut uut.file.cmd_done, &mut uut.file.flush_req, &mut uut.file.mounted, &mut uut.file.fallback_held] {
        s.connect();
    }
    uut.file.cmd_status.connect();
    uut.file.reset.connect();
    uut.bus.reset.connect();
    for s in [&mut uut.bus.s_wbr_cyc, &mut uut.bus.s_wbr_stb, &mut uut.bus.s_wbr_we] {
        s.connect();
    }
    uut.bus.s_wbr_adr.connect();
    uut.bus.s_wbr_dat_w.connect();
    uut.bus.s_wbr_sel.connect();
    uut.file.seq_phase.connect();
    for s in [
        &mut uut.file.snap_seq,
        &mut uut.file.free_frames,
        &mut uut.file.cow_faults,
        &mut uut.file.pages_hardened,
        &mut uut.file.snapshots,
        &mut uut.file.restores,
        &mut uut.file.errors,
    ] {
        s.connect();
    }
    uut.connect_all();
    sim.run(Box::new(uut), 100_000).unwrap();
    rx.recv().unwrap()
}

#[test]
fn requests_are_answered_the_next_cycle_as_the_map_says() {
    let (answers, commands) = run(vec![
        (false, offset("ID"), 0, 0xf, false),
        (true, offset("COMMAND"), 3, 0xf, false),
        (true, offset("COMMAND"), 4, 0xf, false),
        (true, offset("SNAP_SEQ"), 1, 0xf, false),
        (false, 0x3c, 0, 0xf, false),
        (true, offset("IRQ_ENABLE"), 1, 0x3, false),
        (false, offset("IRQ_ENABLE"), 0, 0xf, false),
        (false, offset("ID"), 0, 0xf, true),
    ]);
    let codes: Vec<(bool, bool)> = answers.iter().map(|a| (a.0, a.1)).collect();
    assert_eq!(
        codes,
        vec![(true, false), (true, false), (false, true), (false, true), (false, true), (false, true), (true, false), (false, false)],
        "(ack, err) of: ID; COMMAND 3; COMMAND 4 before it is taken; a read-only register written; no register; a partial write; \
         IRQ_ENABLE read; a cycle given up"
    );
    assert_eq!(answers[0].2, ID_VALUE);
    assert_eq!(answers[6].2, 0, "the partial write changed nothing");
    assert_eq!(commands[1], (true, 3), "COMMAND offered to the core");
    assert_eq!(commands[2], (true, 3), "the second COMMAND refused, the first still offered");
}

#[test]
fn wishbone_regs_lint_and_synthesize() {
    crate::test_support::lint::check_block("wishbone_regs", WishboneRegs::default());
}
