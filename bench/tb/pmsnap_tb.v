// Verilog test bench of pmsnap_controller for Icarus Verilog: the speed
// suite's workload (bench/src/stimulus.rs, which this mirrors), a request
// offered every cycle, a SNAPSHOT every SNAPSHOT_EVERY requests, a
// zero-wait NVM, and a checksum of every read's data.
//
//   iverilog -g2012 -Ptb.NVM_WORDS=N -o tb.vvp pmsnap_tb.v pmsnap_controller.v
//   vvp tb.vvp +requests=R +every=K +seed=S +words=L·W
`timescale 1ns/1ns
module tb;
    parameter NVM_WORDS = 1024;
    localparam [63:0] LCG_MUL = 64'd6364136223846793005, LCG_ADD = 64'd1442695040888963407;
    localparam [63:0] FNV_OFFSET = 64'hcbf29ce484222325, FNV_PRIME = 64'h00000100000001b3;
    localparam FORMAT_ISSUE = 0, FORMAT_WAIT = 1, RUN = 2, DRAIN = 3, SNAP_ISSUE = 4, SNAP_WAIT = 5, FINISH = 6;

    reg clock = 0, reset = 1;
    reg req_valid = 0, req_write = 0, cmd_valid = 0, flush_ack = 0, mem_rsp_valid = 0;
    reg [31:0] req_addr = 0, req_wdata = 0, mem_rsp_rdata = 0;
    reg [2:0] cmd_op = 0;
    wire req_ready, rsp_valid, rsp_err, cmd_ready, cmd_done, mounted, flush_req, mem_req_valid, mem_req_write;
    wire [31:0] rsp_rdata, mem_req_addr, mem_req_wdata;
    wire [2:0] cmd_status, seq_phase;
    wire [31:0] snap_seq, free_frames, cow_faults, pages_hardened, snapshots, restores, errors;

    pmsnap_controller dut(
        .clock(clock), .reset(reset),
        .req_valid(req_valid), .req_ready(req_ready), .req_write(req_write), .req_addr(req_addr), .req_wdata(req_wdata),
        .rsp_valid(rsp_valid), .rsp_rdata(rsp_rdata), .rsp_err(rsp_err),
        .cmd_valid(cmd_valid), .cmd_ready(cmd_ready), .cmd_op(cmd_op), .cmd_done(cmd_done), .cmd_status(cmd_status),
        .mounted(mounted), .snap_seq(snap_seq), .seq_phase(seq_phase), .free_frames(free_frames), .cow_faults(cow_faults),
        .pages_hardened(pages_hardened), .snapshots(snapshots), .restores(restores), .errors(errors),
        .flush_req(flush_req), .flush_ack(flush_ack),
        .mem_req_valid(mem_req_valid), .mem_req_ready(1'b1), .mem_req_write(mem_req_write), .mem_req_addr(mem_req_addr),
        .mem_req_wdata(mem_req_wdata), .mem_rsp_valid(mem_rsp_valid), .mem_rsp_rdata(mem_rsp_rdata));

    reg [31:0] mem [0:NVM_WORDS-1];
    reg kinds [0:255];
    reg [7:0] head = 0, tail = 0;
    reg [63:0] x, requests, every, words, issued = 0, cycles = 0, reads = 0, failed = 0, checksum = FNV_OFFSET;
    reg [63:0] seed;
    reg [31:0] pending_data = 0;
    reg pending = 0, done = 0, was_read;
    integer phase = FORMAT_ISSUE, p0, i;

    initial begin
        if (!$value$plusargs("requests=%d", requests) || !$value$plusargs("every=%d", every)
            || !$value$plusargs("seed=%d", seed) || !$value$plusargs("words=%d", words)) begin
            $display("usage: vvp tb.vvp +requests=R +every=K +seed=S +words=W");
            $finish;
        end
        for (i = 0; i < NVM_WORDS; i = i + 1) mem[i] = 0;
        x = seed * LCG_MUL + LCG_ADD;
        repeat (4) begin
            clock = 0; #5;
            clock = 1; #5;
        end
        reset = 0;
        while (!done) begin
            clock = 0;
            req_valid = phase == RUN;
            req_write = x[32];
            req_addr = (x >> 33) % words;
            req_wdata = x[31:0];
            cmd_valid = phase == FORMAT_ISSUE || phase == SNAP_ISSUE;
            cmd_op = phase == FORMAT_ISSUE ? 3'd4 : 3'd1;
            mem_rsp_valid = pending;
            mem_rsp_rdata = pending_data;
            #5;
            p0 = phase;
            flush_ack = flush_req && !flush_ack;
            pending = 0;
            pending_data = 0;
            if (mem_req_valid) begin
                pending = 1;
                if (mem_req_write) mem[mem_req_addr % NVM_WORDS] = mem_req_wdata;
                else pending_data = mem[mem_req_addr % NVM_WORDS];
            end
            if (rsp_valid && head != tail) begin
                was_read = kinds[head];
                head = head + 1;
                if (was_read) begin
                    checksum = (checksum ^ {32'b0, rsp_rdata}) * FNV_PRIME;
                    reads = reads + 1;
                end
            end
            if (p0 == RUN && req_valid && req_ready) begin
                kinds[tail] = !req_write;
                tail = tail + 1;
                issued = issued + 1;
                x = x * LCG_MUL + LCG_ADD;
                if (issued == requests) phase = FINISH;
                else if (issued % every == 0) phase = DRAIN;
            end
            if (p0 == DRAIN && head == tail) phase = SNAP_ISSUE;
            else if (p0 == FORMAT_ISSUE && cmd_ready) phase = FORMAT_WAIT;
            else if (p0 == SNAP_ISSUE && cmd_ready) phase = SNAP_WAIT;
            else if ((p0 == FORMAT_WAIT || p0 == SNAP_WAIT) && cmd_done) begin
                if (cmd_status != 0) failed = failed + 1;
                phase = RUN;
            end else if (p0 == FINISH && head == tail) done = 1;
            cycles = cycles + 1;
            clock = 1;
            #5;
        end
        $display("cycles %0d reads %0d checksum %016h failed %0d", cycles, reads, checksum, failed);
        $finish;
    end
endmodule
