//! Test bench of the AXI4-Lite registers: every register read and written
//! as register_map.rs says, commands handed over and answered, the
//! interrupt, the flush acknowledgement, and back-pressure on B and R.

use super::axil_regs::AxiLiteRegs;
use super::register_file::{config_word, RegisterAccess, RegisterFile};
use super::register_map::{
    self, offset, ID_VALUE, IRQ_DONE, IRQ_FLUSH, REGISTERS, STATUS_COMMAND_PENDING, STATUS_FLUSH_REQ, STATUS_LAST, STATUS_MOUNTED, STATUS_PHASE,
};
use super::AxiResp;
use crate::Config;
use rust_hdl::prelude::*;

/// The AXI4-Lite port and the registers, as the AXI4 top joins them.
#[derive(LogicBlock)]
struct AxilPair {
    clock: Signal<In, Clock>,
    bus: AxiLiteRegs,
    file: RegisterFile,
}

impl Logic for AxilPair {
    #[hdl_gen]
    fn update(&mut self) {
        clock!(self, clock, bus, file);
        RegisterAccess::join(&mut self.bus.regs, &mut self.file.bus);
    }
}

type X = Box<AxilPair>;

/// One AXI4-Lite write with strobes `strb`; B taken `b_wait` cycles after
/// it shows. Returns the response code, the cycles from AW/W offered to B
/// taken, and the cycles `flush_ack` was high meanwhile.
fn write_strb(sim: &mut Sim<AxilPair>, mut x: X, addr: u64, data: u64, strb: u64, b_wait: u64) -> Result<(X, u64, u64, u64), SimError> {
    x.bus.s_axil_awaddr.next = addr.to_bits();
    x.bus.s_axil_wdata.next = data.to_bits();
    x.bus.s_axil_wstrb.next = strb.to_bits();
    x.bus.s_axil_awvalid.next = true;
    x.bus.s_axil_wvalid.next = true;
    x.bus.s_axil_bready.next = false;
    let mut cycles = 0;
    loop {
        x = sim.wait(1, x)?;
        let taken = x.bus.s_axil_awready.val() && x.bus.s_axil_wready.val();
        wait_clock_cycle!(sim, clock, x);
        cycles += 1;
        if taken {
            break;
        }
    }
    x.bus.s_axil_awvalid.next = false;
    x.bus.s_axil_wvalid.next = false;
    let (mut shown, mut acks) = (0, 0);
    let resp = loop {
        x = sim.wait(1, x)?;
        acks += x.file.flush_ack.val() as u64;
        if x.bus.s_axil_bvalid.val() {
            if shown == b_wait {
                x.bus.s_axil_bready.next = true;
                x = sim.wait(1, x)?;
                let r = x.bus.s_axil_bresp.val().index() as u64;
                wait_clock_cycle!(sim, clock, x);
                x.bus.s_axil_bready.next = false;
                break r;
            }
            shown += 1;
        }
        wait_clock_cycle!(sim, clock, x);
        cycles += 1;
    };
    Ok((x, resp, cycles, acks))
}

/// A whole-register write: (response code, cycles to B taken).
fn write(sim: &mut Sim<AxilPair>, x: X, addr: u64, data: u64, b_wait: u64) -> Result<(X, u64, u64), SimError> {
    let (x, resp, cycles, _) = write_strb(sim, x, addr, data, 0xf, b_wait)?;
    Ok((x, resp, cycles))
}

/// One AXI4-Lite read, R taken `r_wait` cycles after it shows (its data
/// checked unchanged meanwhile): (data, response code).
fn read(sim: &mut Sim<AxilPair>, mut x: X, addr: u64, r_wait: u64) -> Result<(X, u64, u64), SimError> {
    x.bus.s_axil_araddr.next = addr.to_bits();
    x.bus.s_axil_arvalid.next = true;
    x.bus.s_axil_rready.next = false;
    loop {
        x = sim.wait(1, x)?;
        let taken = x.bus.s_axil_arready.val();
        wait_clock_cycle!(sim, clock, x);
        if taken {
            break;
        }
    }
    x.bus.s_axil_arvalid.next = false;
    let mut held: Option<(u64, u64)> = None;
    let mut shown = 0;
    loop {
        x = sim.wait(1, x)?;
        if x.bus.s_axil_rvalid.val() {
            let now = (x.bus.s_axil_rdata.val().index() as u64, x.bus.s_axil_rresp.val().index() as u64);
            if held.is_some_and(|h| h != now) {
                return Err(SimError::SimHalted);
            }
            held = Some(now);
            if shown == r_wait {
                x.bus.s_axil_rready.next = true;
                x = sim.wait(1, x)?;
                wait_clock_cycle!(sim, clock, x);
                x.bus.s_axil_rready.next = false;
                return Ok((x, now.0, now.1));
            }
            shown += 1;
        }
        wait_clock_cycle!(sim, clock, x);
    }
}

const OKAY: u64 = AxiResp::Okay as u64;
const SLVERR: u64 = AxiResp::SlvErr as u64;
const DECERR: u64 = AxiResp::DecErr as u64;

#[test]
fn registers_commands_interrupts_and_flush_acknowledgement() {
    let config = Config { lookup_latency: 2, ..Config::sized(16, 8, 32, 64) };
    let (tx, rx) = std::sync::mpsc::channel::<Vec<String>>();
    let mut sim = Simulation::new();
    sim.add_clock(5, |x: &mut Box<AxilPair>| x.clock.next = !x.clock.val());
    sim.add_testbench(move |mut sim: Sim<AxilPair>| {
        let mut x = sim.init()?;
        let mut failures = Vec::new();
        let mut check = |what: &str, got: u64, want: u64| {
            if got != want {
                failures.push(format!("{what}: {got:#x}, not {want:#x}"));
            }
        };
        x.bus.reset.next = true;
        x.file.reset.next = true;
        wait_clock_cycle!(sim, clock, x);
        x.bus.reset.next = false;
        x.file.reset.next = false;
        x.file.mounted.next = true;
        x.file.seq_phase.next = 5u64.to_bits();
        x.file.snap_seq.next = 7u64.to_bits();
        x.file.free_frames.next = 21u64.to_bits();
        x.file.cow_faults.next = 0x100u64.to_bits();
        x.file.pages_hardened.next = 0x200u64.to_bits();
        x.file.snapshots.next = 0x300u64.to_bits();
        x.file.restores.next = 0x400u64.to_bits();
        x.file.errors.next = 0x500u64.to_bits();

        // Identity, configuration, the status mirror, the counters.
        let (y, d, r) = read(&mut sim, x, offset("ID"), 0)?;
        check("ID", d, ID_VALUE);
        check("ID resp", r, OKAY);
        let (y, d, _) = read(&mut sim, y, offset("CONFIG"), 2)?;
        check("CONFIG", d, config_word(&Config { lookup_latency: 2, ..Config::sized(16, 8, 32, 64) }));
        let (y, d, _) = read(&mut sim, y, offset("STATUS"), 0)?;
        check("STATUS", d, 1 << STATUS_MOUNTED | 5 << STATUS_PHASE);
        let mut y = y;
        for (name, want) in [
            ("SNAP_SEQ", 7),
            ("FREE_FRAMES", 21),
            ("COW_FAULTS", 0x100),
            ("PAGES_HARDENED", 0x200),
            ("SNAPSHOTS", 0x300),
            ("RESTORES", 0x400),
            ("ERRORS", 0x500),
            ("DONE_COUNT", 0),
            ("COMMAND", 0),
            ("FLUSH_ACK", 0),
        ] {
            let (z, d, r) = read(&mut sim, y, offset(name), 1)?;
            check(name, d, want);
            check(&format!("{name} resp"), r, OKAY);
            y = z;
        }
        // No register: DECERR; a read-only one written: SLVERR, unchanged.
        let (y, _, r) = read(&mut sim, y, 0x3c, 0)?;
        check("read of 0x3c", r, DECERR);
        let (y, r, _) = write(&mut sim, y, 0x80, 1, 0)?;
        check("write of 0x80", r, DECERR);
        let (y, r, _) = write(&mut sim, y, offset("SNAP_SEQ"), 99, 0)?;
        check("write of SNAP_SEQ", r, SLVERR);
        let (y, d, _) = read(&mut sim, y, offset("SNAP_SEQ"), 0)?;
        check("SNAP_SEQ after the refused write", d, 7);

        // A command: offered to the core until taken; a second one before
        // that is refused; B waits 3 cycles and holds meanwhile.
        let (mut y, r, cycles) = write(&mut sim, y, offset("COMMAND"), 1, 3)?;
        check("COMMAND resp", r, OKAY);
        check("B the cycle after AW and W, held 3 cycles (cycles to B taken)", cycles, 1 + 3);
        y = sim.wait(1, y)?;
        check("reg_cmd_valid", y.file.reg_cmd_valid.val() as u64, 1);
        check("reg_cmd_op", y.file.reg_cmd_op.val().index() as u64, 1);
        let (y, r, _) = write(&mut sim, y, offset("COMMAND"), 2, 0)?;
        check("second COMMAND before the first is taken", r, SLVERR);
        let (mut y, d, _) = read(&mut sim, y, offset("STATUS"), 0)?;
        check("STATUS pending", d >> STATUS_COMMAND_PENDING & 1, 1);
        y.file.cmd_taken.next = true;
        wait_clock_cycle!(sim, clock, y);
        y.file.cmd_taken.next = false;
        y = sim.wait(1, y)?;
        check("reg_cmd_valid after taken", y.file.reg_cmd_valid.val() as u64, 0);
        // Answered: status, count, interrupt (only once enabled).
        y.file.cmd_done.next = true;
        y.file.cmd_status.next = 1u64.to_bits();
        wait_clock_cycle!(sim, clock, y);
        y.file.cmd_done.next = false;
        y = sim.wait(1, y)?;
        check("irq while disabled", y.file.irq.val() as u64, 0);
        let (y, d, _) = read(&mut sim, y, offset("STATUS"), 0)?;
        check("STATUS last", d >> STATUS_LAST & 7, 1);
        check("STATUS pending after taken", d >> STATUS_COMMAND_PENDING & 1, 0);
        let (y, d, _) = read(&mut sim, y, offset("DONE_COUNT"), 0)?;
        check("DONE_COUNT", d, 1);
        let (y, d, _) = read(&mut sim, y, offset("IRQ_STATUS"), 0)?;
        check("IRQ_STATUS", d, 1 << IRQ_DONE);
        let (mut y, _, _) = write(&mut sim, y, offset("IRQ_ENABLE"), 1 << IRQ_DONE, 0)?;
        y = sim.wait(1, y)?;
        check("irq enabled", y.file.irq.val() as u64, 1);
        let (mut y, _, _) = write(&mut sim, y, offset("IRQ_STATUS"), 1 << IRQ_DONE, 0)?;
        y = sim.wait(1, y)?;
        check("irq after W1C", y.file.irq.val() as u64, 0);

        // Flush: a rising flush_req sets IRQ bit 1; FLUSH_ACK pulses flush_ack once.
        y.file.flush_req.next = true;
        wait_clock_cycle!(sim, clock, y);
        let (y, d, _) = read(&mut sim, y, offset("IRQ_STATUS"), 0)?;
        check("IRQ_STATUS flush", d, 1 << IRQ_FLUSH);
        let (y, d, _) = read(&mut sim, y, offset("STATUS"), 0)?;
        check("STATUS flush_req", d >> STATUS_FLUSH_REQ & 1, 1);
        let (mut y, _, _, mut pulses) = write_strb(&mut sim, y, offset("FLUSH_ACK"), 1, 0xf, 2)?;
        for _ in 0..6 {
            y = sim.wait(1, y)?;
            pulses += y.file.flush_ack.val() as u64;
            wait_clock_cycle!(sim, clock, y);
        }
        check("flush_ack pulses", pulses, 1);
        // A partial write is refused and changes nothing.
        let (y, r, _, _) = write_strb(&mut sim, y, offset("IRQ_ENABLE"), 3, 0x1, 0)?;
        check("partial write", r, SLVERR);
        let (y, d, _) = read(&mut sim, y, offset("IRQ_ENABLE"), 0)?;
        check("IRQ_ENABLE after the partial write", d, 1 << IRQ_DONE);
        tx.send(failures).unwrap();
        sim.done(y)
    });
    let mut uut = AxilPair { clock: Default::default(), bus: Default::default(), file: RegisterFile::new(&config) };
    // The bench drives the two blocks' outer inputs itself.
    uut.bus.reset.connect();
    uut.bus.s_axil_awaddr.connect();
    uut.bus.s_axil_awvalid.connect();
    uut.bus.s_axil_wdata.connect();
    uut.bus.s_axil_wstrb.connect();
    uut.bus.s_axil_wvalid.connect();
    uut.bus.s_axil_bready.connect();
    uut.bus.s_axil_araddr.connect();
    uut.bus.s_axil_arvalid.connect();
    uut.bus.s_axil_rready.connect();
    uut.file.reset.connect();
    uut.file.cmd_taken.connect();
    uut.file.cmd_done.connect();
    uut.file.cmd_status.connect();
    uut.file.flush_req.connect();
    uut.file.mounted.connect();
    uut.file.fallback_held.connect();
    uut.file.seq_phase.connect();
    uut.file.snap_seq.connect();
    uut.file.free_frames.connect();
    uut.file.cow_faults.connect();
    uut.file.pages_hardened.connect();
    uut.file.snapshots.connect();
    uut.file.restores.connect();
    uut.file.errors.connect();
    uut.connect_all();
    sim.run(Box::new(uut), 100_000).unwrap();
    let failures = rx.recv().unwrap();
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn the_register_map_is_consistent_and_its_c_header_names_every_register() {
    let mut offsets: Vec<u64> = REGISTERS.iter().map(|r| r.offset).collect();
    offsets.dedup();
    assert_eq!(offsets.len(), REGISTERS.len(), "offsets unique and in order");
    assert!(REGISTERS.iter().all(|r| r.offset % 4 == 0 && r.offset < 1 << register_map::REG_ADDR_BITS));
    let h = register_map::c_header();
    for r in &REGISTERS {
        assert!(h.contains(&format!("#define PMSNAP_REG_{:<16} 0x{:02x}u", r.name, r.offset)), "{}", r.name);
    }
    assert!(h.contains("#define PMSNAP_OP_SNAPSHOT") && h.contains("#define PMSNAP_RESULT_BAD_OP"));
}

#[test]
fn axil_regs_and_register_file_lint_and_synthesize() {
    crate::test_support::lint::check_block("axil_regs", AxiLiteRegs::default());
    crate::test_support::lint::check_block("register_file", RegisterFile::new(&Config::default()));
}

#[test]
fn docs_registers_md_lists_every_register_at_its_offset() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/registers.md")).unwrap();
    for r in &REGISTERS {
        let row = format!("| 0x{:02x} | {} | {} |", r.offset, r.name, r.access.name());
        assert!(doc.contains(&row), "docs/registers.md: no row `{row}`");
    }
}
