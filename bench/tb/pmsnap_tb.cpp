// Plain C++ Verilator test bench of pmsnap_controller: the speed suite's
// workload (bench/src/stimulus.rs, which this mirrors line for line), as
// a user would write it with Verilator alone. Built by `verilator --exe
// --build`; prints the cycle count, read count, checksum and the seconds
// the simulation loop took.
//
// Usage: pmsnap_tb REQUESTS SNAPSHOT_EVERY SEED WORDS NVM_WORDS
#include "Vpmsnap_controller.h"
#include "verilated.h"
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <vector>

static const uint64_t LCG_MUL = 6364136223846793005ULL, LCG_ADD = 1442695040888963407ULL;
static const uint64_t FNV_OFFSET = 0xcbf29ce484222325ULL, FNV_PRIME = 0x100000001b3ULL;
enum Phase { FORMAT_ISSUE, FORMAT_WAIT, RUN, DRAIN, SNAP_ISSUE, SNAP_WAIT, END };

int main(int argc, char** argv) {
    if (argc != 6) {
        std::fprintf(stderr, "usage: %s REQUESTS SNAPSHOT_EVERY SEED WORDS NVM_WORDS\n", argv[0]);
        return 2;
    }
    const uint64_t requests = std::strtoull(argv[1], nullptr, 10), every = std::strtoull(argv[2], nullptr, 10);
    uint64_t x = std::strtoull(argv[3], nullptr, 10);
    const uint64_t words = std::strtoull(argv[4], nullptr, 10), nvm_words = std::strtoull(argv[5], nullptr, 10);
    VerilatedContext ctx;
    Vpmsnap_controller top(&ctx);
    std::vector<uint64_t> mem(nvm_words, 0);
    std::deque<bool> in_flight;
    bool pending = false, flush_ack = false, done = false;
    uint64_t pending_data = 0, issued = 0, cycles = 0, reads = 0, failed = 0, checksum = FNV_OFFSET;
    Phase phase = FORMAT_ISSUE;
    x = x * LCG_MUL + LCG_ADD;

    top.mem_req_ready = 1;
    top.reset = 1;
    for (int i = 0; i < 4; i++) {
        top.clock = 0;
        top.eval();
        top.clock = 1;
        top.eval();
    }
    top.reset = 0;
    auto start = std::chrono::steady_clock::now();
    while (!done) {
        const bool req_valid = phase == RUN, req_write = (x >> 32) & 1;
        top.req_valid = req_valid;
        top.req_write = req_write;
        top.req_addr = (x >> 33) % words;
        top.req_wdata = x & 0xffffffffULL;
        top.cmd_valid = phase == FORMAT_ISSUE || phase == SNAP_ISSUE;
        top.cmd_op = phase == FORMAT_ISSUE ? 4 : 1;
        top.flush_ack = flush_ack;
        top.mem_rsp_valid = pending;
        top.mem_rsp_rdata = pending_data;
        top.clock = 0;
        top.eval();

        const Phase p0 = phase;
        flush_ack = top.flush_req && !flush_ack;
        pending = false;
        pending_data = 0;
        if (top.mem_req_valid) {
            const uint64_t a = top.mem_req_addr % nvm_words;
            pending = true;
            if (top.mem_req_write) mem[a] = top.mem_req_wdata;
            else pending_data = mem[a];
        }
        if (top.rsp_valid && !in_flight.empty()) {
            const bool was_read = in_flight.front();
            in_flight.pop_front();
            if (was_read) {
                checksum = (checksum ^ (uint64_t)top.rsp_rdata) * FNV_PRIME;
                reads++;
            }
        }
        if (p0 == RUN && req_valid && top.req_ready) {
            in_flight.push_back(!req_write);
            issued++;
            x = x * LCG_MUL + LCG_ADD;
            if (issued == requests) phase = END;
            else if (issued % every == 0) phase = DRAIN;
        }
        if (p0 == DRAIN && in_flight.empty()) phase = SNAP_ISSUE;
        else if (p0 == FORMAT_ISSUE && top.cmd_ready) phase = FORMAT_WAIT;
        else if (p0 == SNAP_ISSUE && top.cmd_ready) phase = SNAP_WAIT;
        else if ((p0 == FORMAT_WAIT || p0 == SNAP_WAIT) && top.cmd_done) {
            failed += top.cmd_status != 0;
            phase = RUN;
        } else if (p0 == END && in_flight.empty()) done = true;
        cycles++;
        top.clock = 1;
        top.eval();
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("cycles %" PRIu64 " reads %" PRIu64 " checksum %016" PRIx64 " failed %" PRIu64 " seconds %.6f\n", cycles, reads, checksum,
                failed, seconds);
    top.final();
    return 0;
}
