// Invariants of SNAPSHOT (hdl/src/sequencer/snapshot.rs): what it has in
// flight on the NVM port in the steps that read or wait. (Harden's
// pipeline holds its request in registers, so its stability needs none.)
//
// SnapshotState: Idle, Flush, FlushDrain, Identify, IdentifyWait, Retire,
// Harden, HardenDurable, Commit, Finish.
module snapshot_invariants (
    input wire reset,
    input wire [3:0] state,
    input wire [3:0] nvm_outstanding,
    // The committed sequence number (the sequencer's) and the new one
    // Identify derives from it, which the retire and the commit record
    // write (slot = parity).
    input wire [31:0] seq,
    input wire [31:0] new_seq
);
    `include "sequencer_codes.vh"
    always @(*) if (!reset) begin
        state_known: assert (state <= SNAP_FINISH);
        // FlushDrain left with the port idle; Identify reads one word.
        if (state == SNAP_IDENTIFY || state == SNAP_FINISH) idle_port: assert (nvm_outstanding == 0);
        if (state == SNAP_IDENTIFY_WAIT) one_read: assert (nvm_outstanding == 1);
        // From the cycle after Identify to the commit, the new snapshot is the next one:
        // its record goes to the slot the committed one is not in.
        if (state >= SNAP_IDENTIFY_WAIT && state <= SNAP_COMMIT) next_sequence: assert (new_seq == seq + 1);
    end
endmodule
