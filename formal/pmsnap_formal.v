// The controller under formal verification: every input free but for the
// assumptions of its ports' protocols, every output held to them.
//
//   * host port and command port: the environment sends (assumed), the
//     controller answers (asserted); NVM port: the controller sends
//     (asserted), the NVM answers (assumed). valid_ready.v holds each.
//   * cmd_done: once for each accepted command, never without one.
//   * The first cycle is a reset (power on) — or, for the covers, the
//     design starts in a state simulated from a co-simulation's waveform
//     (FORMATTED = 1: formal/cover.sh), and every input is free from there.
module pmsnap_formal #(
    // 1: start from the design's initial values as they are (a simulated
    // state); 0: start with a reset.
    parameter FORMATTED = 0,
    // The cover to check (covers.v), if any.
    parameter COVER = "",
    // 1: the properties BMC from a start state checks (check and live
    // tasks): RESTORE's effect (restore_effect.v) and I1 for the frames
    // (no_overwrite_frames.v).
    parameter BMC = 0,
    // 1: the same two with the invariants of frames.v, for their
    // induction proof (the `frames` task).
    parameter FRAMES_PROOF = 0,
    // 1: liveness.v's environment and bounds (with its parameters below).
    parameter LIVENESS = 0,
    parameter NVM_TAKES = 2,
    parameter NVM_ANSWERS = 2,
    parameter FLUSH_ACK = 4,
    parameter HOST_BOUND = 64,
    parameter CMD_BOUND = 64,
    parameter [7:0] OPS = 8'hff,
    parameter REQUESTS = 1,
    // The sizing the design was generated for (set by the .sby script).
    parameter PAGES = 4,
    parameter PAGE_WORDS = 4,
    parameter FRAMES = 8,
    parameter LOOKUP_LATENCY = 1
) (
    input wire clock,
    input wire reset,
    input wire req_valid,
    input wire req_write,
    input wire [31:0] req_addr,
    input wire [31:0] req_wdata,
    input wire cmd_valid,
    input wire [2:0] cmd_op,
    input wire flush_ack,
    input wire mem_req_ready,
    input wire mem_rsp_valid,
    input wire [31:0] mem_rsp_rdata
);
    // Kept, so a trace shows every output (the co-simulation's save file
    // names them).
    (* keep *) wire req_ready, rsp_valid, rsp_err, cmd_ready, cmd_done, mounted, fallback_held, flush_req;
    (* keep *) wire mem_req_valid, mem_req_write;
    (* keep *) wire [31:0] rsp_rdata, snap_seq, free_frames, cow_faults, pages_hardened, snapshots, restores, errors;
    (* keep *) wire [31:0] mem_req_addr, mem_req_wdata;
    (* keep *) wire [2:0] cmd_status, seq_phase;

    pmsnap_controller dut (
        .clock(clock), .reset(reset),
        .req_valid(req_valid), .req_ready(req_ready), .req_write(req_write), .req_addr(req_addr), .req_wdata(req_wdata),
        .rsp_valid(rsp_valid), .rsp_rdata(rsp_rdata), .rsp_err(rsp_err),
        .cmd_valid(cmd_valid), .cmd_ready(cmd_ready), .cmd_op(cmd_op), .cmd_done(cmd_done), .cmd_status(cmd_status),
        .mounted(mounted), .snap_seq(snap_seq), .seq_phase(seq_phase), .free_frames(free_frames), .fallback_held(fallback_held),
        .cow_faults(cow_faults), .pages_hardened(pages_hardened), .snapshots(snapshots), .restores(restores), .errors(errors),
        .flush_req(flush_req), .flush_ack(flush_ack),
        .mem_req_valid(mem_req_valid), .mem_req_ready(mem_req_ready), .mem_req_write(mem_req_write),
        .mem_req_addr(mem_req_addr), .mem_req_wdata(mem_req_wdata),
        .mem_rsp_valid(mem_rsp_valid), .mem_rsp_rdata(mem_rsp_rdata)
    );

    // State inside the controller that more than one property module
    // reads, probed once: the sequencer's (probes.ys) and the memories'
    // words (the memories.ys formal/memories.sh writes for the sizing; word
    // i of memory M is `M[i]` after memory_map). Entries: committed
    // {mapped, frame[17:0]}, working {tag[15:0], frame[17:0]}
    // (hdl/src/indirection_table.rs), ring slot frame[17:0], log page[15:0],
    // RECOVER's note of a frame's owner page[15:0].
    // Kept: a task that reads none of them still probes them all.
    (* keep *) wire [2:0] format_state, recover_state;
    (* keep *) wire [3:0] snapshot_state;
    (* keep *) wire [15:0] epoch;
    (* keep *) wire restore_done;
    (* keep *) wire [PAGES*19-1:0] committed_table;
    (* keep *) wire [PAGES*34-1:0] working_table;
    (* keep *) wire [FRAMES*18-1:0] free_ring;
    (* keep *) wire [2*PAGES*16-1:0] dirty_log;
    (* keep *) wire [FRAMES*16-1:0] frame_owner;

    reg past_valid = 1'b0;
    always @(posedge clock) past_valid <= 1'b1;
    generate if (!FORMATTED) begin : from_reset
        always @(*) if (!past_valid) assume (reset);
    end endgenerate

    wire [3:0] host_outstanding, nvm_outstanding, cmd_outstanding;
    valid_ready #(.PAYLOAD_BITS(65), .SENDER_IS_DUT(0)) host (
        .clock(clock), .reset(reset), .valid(req_valid), .ready(req_ready),
        .payload({req_write, req_addr, req_wdata}), .rsp_valid(rsp_valid), .outstanding(host_outstanding));
    valid_ready #(.PAYLOAD_BITS(65), .SENDER_IS_DUT(1), .MAX_OUTSTANDING(4)) nvm (
        .clock(clock), .reset(reset), .valid(mem_req_valid), .ready(mem_req_ready),
        .payload({mem_req_write, mem_req_addr, mem_req_wdata}), .rsp_valid(mem_rsp_valid), .outstanding(nvm_outstanding));
    // Commands: a refused command is answered before the one that runs,
    // so only the count is in order; at most two are ever open.
    valid_ready #(.PAYLOAD_BITS(3), .SENDER_IS_DUT(0)) cmd (
        .clock(clock), .reset(reset), .valid(cmd_valid), .ready(cmd_ready),
        .payload(cmd_op), .rsp_valid(cmd_done), .outstanding(cmd_outstanding));
    always @(*) if (!reset) commands_open: assert (cmd_outstanding <= 2);

    covers #(.WORDS(PAGES * PAGE_WORDS), .COVER(COVER)) covers (
        .clock(clock), .reset(reset), .mounted(mounted),
        .req_taken(req_valid && req_ready), .req_write(req_write), .req_addr(req_addr),
        .host_outstanding(host_outstanding), .rsp_valid(rsp_valid), .rsp_err(rsp_err),
        .cmd_taken(cmd_valid && cmd_ready), .cmd_op(cmd_op), .cmd_outstanding(cmd_outstanding),
        .cmd_done(cmd_done), .cmd_status(cmd_status), .cow_faults(cow_faults),
        .pages_hardened(pages_hardened), .snapshots(snapshots), .restores(restores));

    // The host port answers in order (host_order.v).
    wire [15:0] host_classes;
    host_order #(.WORDS(PAGES * PAGE_WORDS)) host_order (
        .clock(clock), .reset(reset), .req_taken(req_valid && req_ready), .req_write(req_write), .req_addr(req_addr),
        .mounted(mounted), .rsp_valid(rsp_valid), .rsp_err(rsp_err), .outstanding(host_outstanding), .classes(host_classes));

    // I1: no write on the committed commit record or table (no_overwrite.v).
    no_overwrite #(.PAGES(PAGES), .PAGE_WORDS(PAGE_WORDS)) i1 (
        .reset(reset), .mounted(mounted), .format_state(format_state), .mem_req_valid(mem_req_valid),
        .mem_req_write(mem_req_write), .mem_req_addr(mem_req_addr), .committed_slot(snap_seq[0]));

    // RESTORE's effect (restore_effect.v): proved by the frames task, with
    // the invariants of frames.v, and checked by BMC in the check and live
    // tasks.
    generate if (BMC || FRAMES_PROOF) begin : from_start
        restore_effect #(.PAGES(PAGES), .FRAMES(FRAMES)) restore (
            .clock(clock), .reset(reset), .restore_done(restore_done), .epoch(epoch),
            .ct(committed_table), .wt(working_table), .free_frames(free_frames));
    end endgenerate

    // I1 for the frames (no_overwrite_frames.v): the same way. The
    // invariants' other inputs are probed by frame_probes.ys.
    generate if (FRAMES_PROOF) begin : frames_proof
        frames_invariants #(.PAGES(PAGES), .PAGE_WORDS(PAGE_WORDS), .FRAMES(FRAMES),
            .LOOKUP_LATENCY(LOOKUP_LATENCY)) account (
            .clock(clock), .reset(reset), .mounted(mounted), .format_state(format_state),
            .recover_state(recover_state),
            .snapshot_state(snapshot_state), .epoch(epoch), .ct(committed_table), .wt(working_table),
            .ring(free_ring), .log(dirty_log), .owner(frame_owner));
    end endgenerate
    generate if (BMC || FRAMES_PROOF) begin : frames
        no_overwrite_frames #(.PAGES(PAGES), .PAGE_WORDS(PAGE_WORDS), .FRAMES(FRAMES)) i1 (
            .reset(reset), .mounted(mounted), .format_state(format_state),
            .snapshot_state(snapshot_state), .mem_req_valid(mem_req_valid), .mem_req_write(mem_req_write),
            .mem_req_addr(mem_req_addr), .ct(committed_table));
    end endgenerate

    // Bounded liveness, for the `live` task (liveness.v).
    generate if (LIVENESS) begin : bounded
        liveness #(.NVM_TAKES(NVM_TAKES), .NVM_ANSWERS(NVM_ANSWERS), .FLUSH_ACK(FLUSH_ACK),
            .HOST_BOUND(HOST_BOUND), .CMD_BOUND(CMD_BOUND), .OPS(OPS), .REQUESTS(REQUESTS)) live (
            .clock(clock), .reset(reset), .mem_req_valid(mem_req_valid), .mem_req_ready(mem_req_ready),
            .mem_rsp_valid(mem_rsp_valid), .nvm_outstanding(nvm_outstanding), .flush_req(flush_req),
            .flush_ack(flush_ack), .req_valid(req_valid), .rsp_valid(rsp_valid), .host_outstanding(host_outstanding),
            .cmd_valid(cmd_valid), .cmd_op(cmd_op), .cmd_done(cmd_done), .cmd_outstanding(cmd_outstanding));
    end endgenerate

    // Invariants induction needs: beside each block's name in invariants/,
    // their inputs probed into the design by probes.ys.
    controller_invariants controller (.reset(reset), .host_outstanding(host_outstanding),
        .nvm_outstanding(nvm_outstanding), .cmd_outstanding(cmd_outstanding));
    host_port_invariants #(.WORDS(PAGES * PAGE_WORDS)) host_port (.reset(reset), .classes(host_classes),
        .host_outstanding(host_outstanding), .nvm_outstanding(nvm_outstanding), .mounted(mounted));
    sequencer_invariants sequencer (.reset(reset), .mounted(mounted));
    cow_engine_invariants #(.PAGE_WORDS(PAGE_WORDS)) cow (.reset(reset), .nvm_outstanding(nvm_outstanding));
    recover_invariants #(.PAGES(PAGES)) recover (.reset(reset), .nvm_outstanding(nvm_outstanding));
    snapshot_invariants snapshot (.reset(reset), .nvm_outstanding(nvm_outstanding));
    durable_write_invariants snapshot_retire (.reset(reset), .nvm_outstanding(nvm_outstanding));
    durable_write_invariants recover_retire (.reset(reset), .nvm_outstanding(nvm_outstanding));
    durable_write_invariants commit_magic (.reset(reset), .nvm_outstanding(nvm_outstanding));
endmodule
