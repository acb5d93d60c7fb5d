"""pmsnap's AXI4 host port driven by a client no one here wrote.

cocotb and cocotbext-axi's AxiMaster (PyPI) drive the controller generated
with `--host-bus axi4`. The NVM is cocotbext-axi's AxiRam on the AXI4 NVM
port when the controller has one (`--nvm-bus axi4`), else a Python dict on
the native NVM port (answers in order after a random latency, writes
durable when answered). This file models only what is not AXI: that dict,
the flush handshake and the command port. Commands and the flush acknowledgement go through the control and
status registers with cocotbext-axi's AxiLiteMaster (the register map:
docs/registers.md). The masters pause at random on every channel.
Checked: single writes and reads, bursts, SNAPSHOT, RESTORE, a power loss
and RECOVER, refusals (DECERR, SLVERR), every value against a plain Python
model of the memory; the registers' identity and counters.
"""

import random
from collections import deque

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import ReadOnly, RisingEdge
from cocotbext.axi import AxiBurstType, AxiBus, AxiLiteBus, AxiLiteMaster, AxiMaster, AxiRam

# contract §3 codes (hdl/src/codes.rs): ops and statuses.
SNAPSHOT, RESTORE, RECOVER, FORMAT = 1, 2, 3, 4
OK, UNFORMATTED = 0, 2
OKAY, SLVERR, DECERR = 0, 2, 3

WORD_BYTES = 4
# Register offsets and bits (hdl/src/frontend/register_map.rs).
REG_ID, REG_COMMAND, REG_STATUS, REG_IRQ_STATUS, REG_FLUSH_ACK, REG_DONE_COUNT, REG_SNAP_SEQ, REG_SNAPSHOTS = 0x00, 0x08, 0x0C, 0x10, 0x18, 0x1C, 0x20, 0x30
IRQ_DONE, IRQ_FLUSH = 1, 2
# L·W of the sizing tests/cocotb.rs generates (L16-W8-F32-D32).
WORDS = 16 * 8


class AxiNvm:
    """The NVM behind the AXI4 NVM port: cocotbext-axi's AxiRam, pausing at
    random on every channel. It starts zeroed, as a blank device; the
    controller's reset resets its channels, and the memory keeps what it
    took (a write it took but had not answered may land at a power loss)."""

    def __init__(self, dut, pause):
        self.ram = AxiRam(AxiBus.from_prefix(dut, "m_axi"), dut.clock, dut.reset, size=1 << 20)
        for channel in (self.ram.write_if.aw_channel, self.ram.write_if.w_channel, self.ram.write_if.b_channel, self.ram.read_if.ar_channel, self.ram.read_if.r_channel):
            channel.set_pause_generator(pause())
        self.dut = dut

    def power_loss(self):
        pass

    async def run(self):
        while True:
            await RisingEdge(self.dut.clock)
            assert int(self.dut.nvm_bus_error.value) == 0, "nvm_bus_error: the controller saw a bad answer"


class Nvm:
    """The NVM on the native port: in order, one answer a request, a write
    durable when answered; a power loss drops what is not answered."""

    def __init__(self, dut, seed):
        self.dut = dut
        self.mem = {}
        self.pending = deque()
        self.rng = random.Random(seed)
        self.cycle = 0

    def power_loss(self):
        self.pending.clear()

    async def run(self):
        dut = self.dut
        dut.mem_req_ready.value = 1
        dut.mem_rsp_valid.value = 0
        dut.mem_rsp_rdata.value = 0
        last_due = 0
        while True:
            await RisingEdge(dut.clock)
            self.cycle += 1
            # The edge took a request if one was offered while ready.
            if int(dut.reset.value) == 0 and int(dut.mem_req_valid.value) and int(dut.mem_req_ready.value):
                write = int(dut.mem_req_write.value)
                addr = int(dut.mem_req_addr.value)
                data = int(dut.mem_req_wdata.value)
                last_due = max(self.cycle + self.rng.randint(1, 3), last_due + 1)
                self.pending.append((last_due, write, addr, data))
            if self.pending and self.pending[0][0] <= self.cycle:
                _, write, addr, data = self.pending.popleft()
                if write:
                    self.mem[addr] = data
                    dut.mem_rsp_rdata.value = 0
                else:
                    dut.mem_rsp_rdata.value = self.mem.get(addr, 0)
                dut.mem_rsp_valid.value = 1
            else:
                dut.mem_rsp_valid.value = 0
            dut.mem_req_ready.value = int(self.rng.random() < 0.8)


async def reg_read(regs, offset):
    return int.from_bytes((await regs.read(offset, 4)).data, "little")


async def reg_write(regs, offset, value):
    r = await regs.write(offset, value.to_bytes(4, "little"))
    return r.resp


async def command(regs, op):
    """Sends `op` through the COMMAND register, acknowledges the flush
    through FLUSH_ACK when asked (the host has no cache), and returns the
    status STATUS shows once IRQ_STATUS says the command was answered."""
    assert await reg_write(regs, REG_COMMAND, op) == OKAY
    for _ in range(10_000):
        irq = await reg_read(regs, REG_IRQ_STATUS)
        if irq & IRQ_FLUSH:
            await reg_write(regs, REG_IRQ_STATUS, IRQ_FLUSH)
            await reg_write(regs, REG_FLUSH_ACK, 1)
        if irq & IRQ_DONE:
            await reg_write(regs, REG_IRQ_STATUS, IRQ_DONE)
            return (await reg_read(regs, REG_STATUS)) >> 8 & 7
    raise AssertionError(f"command {op} never answered")


async def reset(dut, nvm, cycles=3):
    """A power loss: the controller reset, the NVM's unanswered writes gone."""
    dut.reset.value = 1
    nvm.power_loss()
    for _ in range(cycles):
        await RisingEdge(dut.clock)
    dut.reset.value = 0
    await RisingEdge(dut.clock)


def words_of(data):
    return [int.from_bytes(data[i:i + WORD_BYTES], "little") for i in range(0, len(data), WORD_BYTES)]


def bytes_of(words):
    return b"".join(w.to_bytes(WORD_BYTES, "little") for w in words)


@cocotb.test()
async def axi4_master_against_the_controller(dut):
    words = WORDS
    rng = random.Random(7)
    cocotb.start_soon(Clock(dut.clock, 10, unit="ns").start())
    dut.cmd_valid.value = 0
    dut.cmd_op.value = 0
    dut.flush_ack.value = 0

    def random_pause():
        while True:
            yield rng.random() < 0.3

    nvm = AxiNvm(dut, random_pause) if hasattr(dut, "m_axi_awvalid") else Nvm(dut, seed=3)
    dut._log.info("NVM: %s", type(nvm).__name__)
    cocotb.start_soon(nvm.run())
    master = AxiMaster(AxiBus.from_prefix(dut, "s_axi"), dut.clock, dut.reset)
    regs = AxiLiteMaster(AxiLiteBus.from_prefix(dut, "s_axil"), dut.clock, dut.reset)

    master.write_if.aw_channel.set_pause_generator(random_pause())
    master.write_if.w_channel.set_pause_generator(random_pause())
    master.read_if.ar_channel.set_pause_generator(random_pause())
    master.write_if.b_channel.set_pause_generator(random_pause())
    master.read_if.r_channel.set_pause_generator(random_pause())
    for channel in (regs.write_if.aw_channel, regs.write_if.w_channel, regs.write_if.b_channel, regs.read_if.ar_channel, regs.read_if.r_channel):
        channel.set_pause_generator(random_pause())

    await reset(dut, nvm)
    assert await reg_read(regs, REG_ID) == 0x706D736E
    # A blank device: RECOVER finds no snapshot, FORMAT mounts it.
    assert await command(regs, RECOVER) == UNFORMATTED
    assert await command(regs, FORMAT) == OK
    model = [0] * words

    async def write(word, values):
        r = await master.write(word * WORD_BYTES, bytes_of(values))
        assert r.resp == OKAY, f"write of {len(values)} words at {word:#x}: {r.resp}"
        model[word:word + len(values)] = values

    async def check(word, count):
        r = await master.read(word * WORD_BYTES, count * WORD_BYTES)
        assert r.resp == OKAY, f"read of {count} words at {word:#x}: {r.resp}"
        assert words_of(r.data) == model[word:word + count], f"read of {count} words at {word:#x}"

    # Single words, then bursts (one AXI transfer of n words is one INCR
    # burst of n beats), across page boundaries.
    await write(0, [0x11111111])
    await check(0, 1)
    await write(5, [rng.getrandbits(32) for _ in range(20)])
    await check(0, 32)
    await write(64, [rng.getrandbits(32) for _ in range(64)])
    await check(60, 68)

    # SNAPSHOT, more writes, RESTORE: the snapshot's image comes back.
    assert await command(regs, SNAPSHOT) == OK
    assert await reg_read(regs, REG_SNAPSHOTS) == 1
    saved = list(model)
    await write(3, [rng.getrandbits(32) for _ in range(40)])
    await check(0, words)
    assert await command(regs, RESTORE) == OK
    model = list(saved)
    await check(0, words)

    # A second snapshot, writes after it, a power loss: RECOVER mounts the
    # last snapshot; the writes after it are gone.
    await write(100, [rng.getrandbits(32) for _ in range(16)])
    assert await command(regs, SNAPSHOT) == OK
    seq = await reg_read(regs, REG_SNAP_SEQ)
    saved = list(model)
    await write(0, [rng.getrandbits(32) for _ in range(16)])
    await reset(dut, nvm)
    assert await command(regs, RECOVER) == OK
    assert await reg_read(regs, REG_SNAP_SEQ) == seq, "RECOVER mounts the last snapshot"
    assert await reg_read(regs, REG_DONE_COUNT) == 1, "commands answered since the reset"
    model = list(saved)
    await check(0, words)

    # Refusals: beyond L·W is DECERR, a partial strobe SLVERR; neither
    # changes memory.
    r = await master.read(words * WORD_BYTES, 4 * WORD_BYTES)
    assert r.resp == DECERR, r.resp
    r = await master.write(words * WORD_BYTES, bytes_of([1, 2]))
    assert r.resp == DECERR, r.resp
    r = await master.write(8 * WORD_BYTES + 1, b"\xaa")  # one byte: WSTRB 0b0010
    assert r.resp == SLVERR, r.resp
    r = await master.write(8 * WORD_BYTES, bytes_of([5, 6]), burst=AxiBurstType.FIXED)
    assert r.resp == SLVERR, r.resp
    await check(0, words)
