// Invariants of RECOVER (hdl/src/sequencer/recover.rs): the reads it has
// asked for against the answers it has taken, in the two phases that
// stream reads (the commit slots, the committed table).
//
// RecoverState: Idle, Slots, Decide, Retire, Load, Copy, Free, Check.
module recover_invariants #(
    // L, the sizing's pages.
    parameter PAGES = 4
) (
    input wire reset,
    input wire [2:0] state,
    input wire [31:0] index,          // requests issued in this phase
    input wire [31:0] answered,       // Load: answers taken
    input wire [4:0] check_answered,  // Slots: words the commit check took
    input wire [3:0] nvm_outstanding
);
    `include "sequencer_codes.vh"
    localparam SLOT_WORDS = 16;  // both slots, nvm_layout.rs
    always @(*) if (!reset) begin
        if (state == RECOVER_SLOTS) begin
            slots_counts: assert (check_answered <= index && index <= SLOT_WORDS);
            slots_in_flight: assert (nvm_outstanding == index - check_answered);
        end
        if (state == RECOVER_DECIDE) decide_idle: assert (nvm_outstanding == 0);
        if (state == RECOVER_LOAD) begin
            load_counts: assert (answered <= index && index <= PAGES);
            load_in_flight: assert (nvm_outstanding == index - answered);
        end
    end
endmodule
