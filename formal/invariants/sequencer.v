// Invariants of the command sequencer (hdl/src/sequencer/): one sequence
// runs at a time, only while the front says it runs, and each sequence's
// helpers (the commit writer, the durable writes that retire a slot) only
// inside the step that uses them. Not properties of the ports: facts about
// reachable states that k-induction cannot find on its own.
//
// State codes are the LogicState enums' order (Idle = 0 in each).
module sequencer_invariants (
    input wire reset,
    input wire [1:0] front_state,     // FrontState: Idle, Drain, Run, Done
    input wire [2:0] front_op,        // CmdOp code of the command running
    input wire [3:0] snapshot_state,  // SnapshotState (Commit = 8)
    input wire restore_state,         // RestoreState
    input wire [2:0] format_state,    // FormatState (Commit = 4)
    input wire [2:0] recover_state,   // RecoverState (Retire = 3)
    input wire [1:0] commit_state,    // CommitState (Magic = 3)
    input wire [1:0] snapshot_retire, // DurableState of SNAPSHOT's retire
    input wire [1:0] recover_retire,  // DurableState of RECOVER's retire
    input wire [1:0] commit_magic,    // DurableState of the commit's magic word
    input wire mounted
);
    `include "sequencer_codes.vh"
    always @(*) if (!reset) begin
        if (snapshot_state != 0) snapshot_runs: assert (front_state == FRONT_RUN && front_op == OP_SNAPSHOT);
        if (restore_state != 0) restore_runs: assert (front_state == FRONT_RUN && front_op == OP_RESTORE);
        if (format_state != 0) format_runs: assert (front_state == FRONT_RUN && front_op == OP_FORMAT);
        if (recover_state != 0) recover_runs: assert (front_state == FRONT_RUN && front_op == OP_RECOVER);
        // Only a command that names a sequence gets past the front.
        if (front_state == FRONT_DRAIN || front_state == FRONT_RUN) op_known: assert (front_op >= OP_SNAPSHOT && front_op <= OP_FORMAT);
        // SNAPSHOT and RESTORE are refused with no device mounted, and
        // nothing else runs to unmount it while they do.
        if ((front_state == FRONT_DRAIN || front_state == FRONT_RUN) && (front_op == OP_SNAPSHOT || front_op == OP_RESTORE))
            mounted_while_saved_or_restored: assert (mounted);
        // FORMAT and RECOVER unmount as they start, and mount as they end.
        if (format_state != 0 || recover_state != 0) unmounted_while_rebuilt: assert (!mounted);
        // A command in Run has its sequence going (RESTORE may end in the
        // cycle it starts, from Drain).
        if (front_state == FRONT_RUN) sequence_going: assert (
            (front_op == OP_SNAPSHOT && snapshot_state != 0) || (front_op == OP_RESTORE && restore_state != 0)
            || (front_op == OP_FORMAT && format_state != 0) || (front_op == OP_RECOVER && recover_state != 0));
        if (commit_state != 0) commit_in_its_step: assert (snapshot_state == SNAP_COMMIT || format_state == FORMAT_COMMIT);
        // The durable writes run exactly in the step that uses them.
        snapshot_retire_in_its_step: assert ((snapshot_retire != 0) == (snapshot_state == SNAP_RETIRE));
        recover_retire_in_its_step: assert ((recover_retire != 0) == (recover_state == RECOVER_RETIRE));
        magic_in_its_step: assert ((commit_magic != 0) == (commit_state == 2'd3));
    end
endmodule
