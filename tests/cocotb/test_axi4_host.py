"""pmsnap's AXI4 host port driven by a client no one here wrote.

cocotb and cocotbext-axi's AxiMaster (PyPI) drive the controller generated
with `--host-bus axi4`; this file models only what is not AXI: the NVM on
the native NVM port (a Python dict, answers in order after a random
latency, writes durable when answered), the flush handshake and the command
port. The master pushes back on R and B and pauses on AW, W and AR at
random. Checked: single writes and reads, bursts, SNAPSHOT, RESTORE, a
power loss and RECOVER, refusals (DECERR, SLVERR), every value against a
plain Python model of the memory.
"""

import random
from collections import deque

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import ReadOnly, RisingEdge
from cocotbext.axi import AxiBus, AxiMaster, AxiBurstType

# contract §3 codes (hdl/src/codes.rs): ops and statuses.
SNAPSHOT, RESTORE, RECOVER, FORMAT = 1, 2, 3, 4
OK, UNFORMATTED = 0, 2
OKAY, SLVERR, DECERR = 0, 2, 3

WORD_BYTES = 4
# L·W of the sizing tests/cocotb.rs generates (L16-W8-F32-D32).
WORDS = 16 * 8


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


async def flush_acker(dut):
    """The host has no cache: it acknowledges a flush at once."""
    dut.flush_ack.value = 0
    while True:
        await RisingEdge(dut.clock)
        dut.flush_ack.value = 0
        if int(dut.flush_req.value):
            dut.flush_ack.value = 1
            await RisingEdge(dut.clock)
            dut.flush_ack.value = 0
            while int(dut.flush_req.value):
                await RisingEdge(dut.clock)


async def command(dut, op):
    """Sends `op` on the command port; returns its status."""
    dut.cmd_op.value = op
    dut.cmd_valid.value = 1
    while True:
        await RisingEdge(dut.clock)
        if int(dut.cmd_ready.value):
            break
    dut.cmd_valid.value = 0
    for _ in range(100_000):
        await ReadOnly()
        if int(dut.cmd_done.value):
            status = int(dut.cmd_status.value)
            await RisingEdge(dut.clock)
            return status
        await RisingEdge(dut.clock)
    raise AssertionError(f"command {op} never answered")


async def reset(dut, nvm, cycles=3):
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
    nvm = Nvm(dut, seed=3)
    cocotb.start_soon(nvm.run())
    cocotb.start_soon(flush_acker(dut))
    master = AxiMaster(AxiBus.from_prefix(dut, "s_axi"), dut.clock, dut.reset)

    def random_pause():
        while True:
            yield rng.random() < 0.3

    master.write_if.aw_channel.set_pause_generator(random_pause())
    master.write_if.w_channel.set_pause_generator(random_pause())
    master.read_if.ar_channel.set_pause_generator(random_pause())
    master.write_if.b_channel.set_pause_generator(random_pause())
    master.read_if.r_channel.set_pause_generator(random_pause())

    await reset(dut, nvm)
    # A blank device: RECOVER finds no snapshot, FORMAT mounts it.
    assert await command(dut, RECOVER) == UNFORMATTED
    assert await command(dut, FORMAT) == OK
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
    assert await command(dut, SNAPSHOT) == OK
    saved = list(model)
    await write(3, [rng.getrandbits(32) for _ in range(40)])
    await check(0, words)
    assert await command(dut, RESTORE) == OK
    model = list(saved)
    await check(0, words)

    # A second snapshot, writes after it, a power loss: RECOVER mounts the
    # last snapshot; the writes after it are gone.
    await write(100, [rng.getrandbits(32) for _ in range(16)])
    assert await command(dut, SNAPSHOT) == OK
    saved = list(model)
    await write(0, [rng.getrandbits(32) for _ in range(16)])
    await reset(dut, nvm)
    assert await command(dut, RECOVER) == OK
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
