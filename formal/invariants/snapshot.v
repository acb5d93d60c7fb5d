// Invariants of SNAPSHOT (hdl/src/sequencer/snapshot.rs): what it has in
// flight on the NVM port in the steps that read or wait. (Harden's
// pipeline holds its request in registers, so its stability needs none.)
//
// SnapshotState: Idle, Flush, FlushDrain, Identify, IdentifyWait, Retire,
// Harden, HardenDurable, Commit, Finish.
module snapshot_invariants (
    input wire reset,
    input wire [3:0] state,
    input wire [3:0] nvm_outstanding
);
    localparam IDENTIFY = 4'd3, IDENTIFY_WAIT = 4'd4, FINISH = 4'd9;
    always @(*) if (!reset) begin
        state_known: assert (state <= FINISH);
        // FlushDrain left with the port idle; Identify reads one word.
        if (state == IDENTIFY || state == FINISH) idle_port: assert (nvm_outstanding == 0);
        if (state == IDENTIFY_WAIT) one_read: assert (nvm_outstanding == 1);
    end
endmodule
