// Invariants across the controller's blocks (hdl/src/controller.rs): who
// may use the NVM port when, and the count of requests in flight on each
// port against the blocks' own registers. Facts about reachable states
// that k-induction needs, each checked (asserted) like any property.
//
// Owner codes: NvmOwner (Host, Cow, Sequencer, Fallback). HostState:
// Lookup, Release, CowRun, CowFinish.
module controller_invariants (
    input wire reset,
    // The ports' counts of requests taken and not answered (valid_ready.v).
    input wire [3:0] host_outstanding,
    input wire [3:0] nvm_outstanding,
    input wire [3:0] cmd_outstanding,
    // NVM arbiter.
    input wire [1:0] owner,
    input wire [15:0] inflight,
    input wire accepted,
    input wire busy,
    // Host port.
    input wire skid_full,
    input wire lookup_valid,  // lookup latency 2's lookup stage (never set at 1)
    input wire host_valid,
    input wire [1:0] host_state,
    // COW engine and fallback release.
    input wire [2:0] cow_state,
    input wire [1:0] release_state,
    // Command front and the sequencer's claim on the NVM.
    input wire [1:0] front_state,
    input wire front_reject,
    input wire [2:0] front_op,
    input wire [3:0] snapshot_state,
    input wire sequencer_owns_nvm
);
    `include "host_codes.vh"
    `include "sequencer_codes.vh"
    always @(*) if (!reset) begin
        // The arbiter counts what the NVM port took and has not answered
        // (a request taken at the last edge is `accepted`).
        nvm_count: assert (nvm_outstanding == inflight + accepted);
        nvm_busy: assert (busy == (inflight != 0));
        // The host port: a request is in the skid buffer, in the lookup
        // or decide stage, or at the NVM (then the host owns it).
        host_holds_its_fault: assert (host_state == HOST_LOOKUP || host_valid);
        host_count: assert (host_outstanding == skid_full + lookup_valid + host_valid + (owner == OWNER_HOST ? nvm_outstanding : 4'd0));
        // COW and fallback release run only for the fault in the decide stage.
        cow_for_the_fault: assert ((cow_state != 0) == (host_state == HOST_COW_RUN));
        release_for_the_fault: assert ((release_state != 0) == (host_state == HOST_RELEASE));
        // The fallback release (fallback_release.rs) starts on an idle port
        // and writes one word: Retire offers it, Durable waits for its answer.
        release_state_known: assert (release_state != 2'd3);
        if (release_state == 2'd1) release_offer_alone: assert (nvm_outstanding == 0);
        if (release_state == 2'd2) release_waits_for_one: assert (nvm_outstanding == 1);
        // A command runs with the host port empty, but for SNAPSHOT's
        // flush (the host's cache writes back through it); the sequencer
        // uses the NVM only then.
        if (front_state == FRONT_RUN && !(front_op == OP_SNAPSHOT && (snapshot_state == SNAP_FLUSH || snapshot_state == SNAP_FLUSH_DRAIN)))
            command_runs_alone: assert (!skid_full && !lookup_valid && !host_valid && host_state == HOST_LOOKUP);
        if (sequencer_owns_nvm) sequencer_nvm_alone: assert (front_state == FRONT_RUN && !skid_full && !lookup_valid && !host_valid);
        // Commands: one running, one refused and not yet answered.
        command_count: assert (cmd_outstanding == (front_state != FRONT_IDLE) + front_reject);
    end
endmodule
