// I1, no overwrite (contract §1), for the frames: while a device is
// mounted and no FORMAT runs, no NVM write the controller offers lands in
// a frame the committed table references (`committed_frame_kept`).
// no_overwrite.v holds the metadata part.
//
// The committed table is the one on chip. It runs ahead of the NVM's only
// while SNAPSHOT hardens and commits (a hardened page is committed on chip
// before the commit record is durable), so a second check holds that no
// write lands in any frame then (`no_frame_write_while_committing`):
// whenever a frame is written, the table on chip is the NVM's. That the
// two agree word for word is the co-simulation's I1 check.
//
// Proved by k-induction in the `frames` task, with invariants/frames.v,
// for every reachable state, and checked
// by BMC from co-simulated start states in the check and live tasks. A
// committed entry is {mapped, frame[17:0]} (hdl/src/indirection_table.rs).
module no_overwrite_frames #(
    // The sizing the controller was generated for.
    parameter PAGES = 4,
    parameter PAGE_WORDS = 4,
    parameter FRAMES = 8
) (
    input wire reset,
    input wire mounted,
    input wire [2:0] format_state,    // FormatState: Idle = 0
    input wire [3:0] snapshot_state,  // SnapshotState: Harden = 6 .. Finish = 9
    input wire mem_req_valid,
    input wire mem_req_write,
    input wire [31:0] mem_req_addr,
    // The committed table, word by word (pmsnap_formal.v's committed_table).
    input wire [PAGES*19-1:0] ct
);
`include "nvm_layout.vh"
`include "sequencer_codes.vh"
    localparam PAGE_SHIFT = $clog2(PAGE_WORDS);

    wire frame_write = !reset && mounted && format_state == 0 && mem_req_valid && mem_req_write
        && mem_req_addr >= FRAMES_BASE && mem_req_addr < FRAMES_BASE + FRAMES * PAGE_WORDS;
    wire [31:0] frame = (mem_req_addr - FRAMES_BASE) >> PAGE_SHIFT;
    reg referenced;
    integer p;
    always @(*) begin
        referenced = 0;
        for (p = 0; p < PAGES; p = p + 1)
            if (ct[p*19 + 18] && ct[p*19 +: 18] == frame) referenced = 1;
    end
    always @(*) if (frame_write) begin
        no_frame_write_while_committing: assert (snapshot_state < SNAP_HARDEN || snapshot_state > SNAP_FINISH);
        committed_frame_kept: assert (!referenced);
    end
endmodule
