// Invariants of the COW engine (hdl/src/cow_engine.rs): its two word
// counters against its state and against the NVM requests it has in
// flight (while it runs, it owns the NVM port alone).
//
// CowState: Idle, Read, Prefetch, Write, Drain, Done.
module cow_engine_invariants #(
    // W, the sizing's words per page.
    parameter PAGE_WORDS = 4,
    // Width of the engine's counters (WORD_COUNT_BITS in the generated design).
    parameter COUNT_BITS = 11
) (
    input wire reset,
    input wire [2:0] state,
    input wire [COUNT_BITS-1:0] issued,
    input wire [COUNT_BITS-1:0] answered,
    // The NVM port's count of requests taken and not answered.
    input wire [3:0] nvm_outstanding
);
    localparam IDLE = 3'd0, READ = 3'd1, PREFETCH = 3'd2, WRITE = 3'd3, DRAIN = 3'd4, DONE = 3'd5;
    always @(*) if (!reset) begin
        state_known: assert (state <= DONE);
        if (state == READ || state == WRITE || state == DRAIN) begin
            counts: assert (answered <= issued && issued <= PAGE_WORDS);
            in_flight: assert (nvm_outstanding == issued - answered);
        end
        if (state == WRITE) writing: assert (issued < PAGE_WORDS);
        if (state == DRAIN) all_written: assert (issued == PAGE_WORDS);
        if (state == PREFETCH) counts_cleared: assert (issued == 0 && answered == 0);
        if (state == PREFETCH || state == DONE) idle_between: assert (nvm_outstanding == 0);
    end
endmodule
