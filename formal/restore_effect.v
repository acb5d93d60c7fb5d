// RESTORE's effect (contract §1: M := S), checked in the cycle after a
// RESTORE completes (proved by the frames task for every reachable state,
// and checked by BMC from start states):
//
//   * every page reads through to its committed frame: no working-table
//     entry carries the current epoch (`restore.reads_committed`), so the
//     lookup of every page takes the committed table's entry;
//   * the free count is F minus the frames the committed table references
//     (`restore.free_count`): every frame popped since the snapshot is
//     back (a page maps to a frame of its own, so the frames referenced
//     are the pages mapped).
//
// The tables are pmsnap_formal.v's words (formal/memories.sh): a committed
// entry is {mapped, frame}, a working one {tag, frame}
// (hdl/src/indirection_table.rs), FRAME_BITS = 18 and TAG_BITS = 16.
module restore_effect #(
    parameter PAGES = 4,
    parameter FRAMES = 8
) (
    input wire clock,
    input wire reset,
    // The RESTORE sequence's completion (hdl/src/sequencer/restore.rs).
    input wire restore_done,
    input wire [15:0] epoch,
    input wire [PAGES*19-1:0] ct,
    input wire [PAGES*34-1:0] wt,
    input wire [31:0] free_frames
);
    reg restored = 1'b0;
    always @(posedge clock) restored <= !reset && restore_done;

    reg current;
    reg [31:0] mapped;
    integer p;
    always @(*) begin
        current = 0;
        mapped = 0;
        for (p = 0; p < PAGES; p = p + 1) begin
            if (wt[p*34 + 18 +: 16] == epoch) current = 1;
            mapped = mapped + ct[p*19 + 18];
        end
    end
    always @(*) if (restored && !reset) begin
        reads_committed: assert (!current);
        free_count: assert (free_frames == FRAMES - mapped);
    end
endmodule
