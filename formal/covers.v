// What the controller must be able to do, as SymbiYosys covers: each is
// reached by some input sequence from the start state, and the trace that
// reaches it is kept as a waveform (formal/cover.sh, docs/formal.md).
// Inputs are the controller's own outputs and what the wrapper saw go in.
module covers #(
    // L·W: host addresses below it are in range.
    parameter WORDS = 16,
    // The one cover to check (a job per cover: each has its own start
    // state and depth), or "" for none.
    parameter COVER = ""
) (
    input wire clock,
    input wire reset,
    input wire mounted,
    // The host port: what was taken last, what is open, the answer.
    input wire req_taken,
    input wire req_write,
    input wire [31:0] req_addr,
    input wire [3:0] host_outstanding,
    input wire rsp_valid,
    input wire rsp_err,
    // The command port.
    input wire cmd_taken,
    input wire [2:0] cmd_op,
    input wire [3:0] cmd_outstanding,
    input wire cmd_done,
    input wire [2:0] cmd_status,
    // Status counters.
    input wire [31:0] cow_faults,
    input wire [31:0] pages_hardened,
    input wire [31:0] snapshots,
    input wire [31:0] restores
);
    `include "sequencer_codes.vh"
    localparam STATUS_OK = 3'd0;
    // The last request taken: with one open, an answer is its. The command
    // that runs: one taken while none is open (one taken while one runs is
    // refused busy).
    reg last_write = 1'b0;
    reg last_in_range = 1'b0;
    reg [2:0] running_op = 3'd0;
    always @(posedge clock) begin
        if (req_taken) begin
            last_write <= req_write;
            last_in_range <= req_addr < WORDS;
        end
        if (cmd_taken && cmd_outstanding == 0) running_op <= cmd_op;
    end
    wire answer_to_last = rsp_valid && host_outstanding == 1 && !reset;

    generate
        // A first write to a page: a COW fault, the copy, the write answered.
        if (COVER == "cow_fault") begin : cow_fault
            always @(*) cover (cow_faults == 1 && answer_to_last && last_write && !rsp_err);
        end
        // SNAPSHOT through flush, harden (a page), commit and reclaim.
        if (COVER == "snapshot") begin : snapshot
            always @(*) cover (snapshots == 1 && pages_hardened >= 1 && !reset);
        end
        // RESTORE back to the last snapshot.
        if (COVER == "restore") begin : restore
            always @(*) cover (restores == 1 && !reset);
        end
        // RECOVER mounts a snapshot it finds in NVM.
        if (COVER == "recover") begin : recover
            always @(*) cover (cmd_done && cmd_status == STATUS_OK && running_op == OP_RECOVER && cmd_outstanding == 1 && mounted && !reset);
        end
        // A write refused for want of a frame (F = L + 1, every frame used).
        if (COVER == "write_refused") begin : write_refused
            always @(*) cover (answer_to_last && last_write && last_in_range && rsp_err && mounted);
        end
    endgenerate
endmodule
