// I1, no overwrite (contract §1), for the metadata: while a device is
// mounted and no FORMAT runs, no NVM write the controller offers lands on
//
//   * the committed commit record's slot (`committed_slot`: a record with
//     sequence number s lives in slot s mod 2),
//   * the committed indirection table's storage (`committed_table`).
//
// The committed snapshot is the one the controller holds as committed on
// chip (its sequence number and table); that this agrees with the NVM's
// durable contents is what the co-simulation's I1 check adds, on every
// write. A write is checked when it is offered, not only when it is
// taken: stricter, and the same while it is held.
//
// The third part of I1 — no write on a frame the committed table
// references — is no_overwrite_frames.v.
module no_overwrite #(
    // The sizing the controller was generated for.
    parameter PAGES = 4,
    parameter PAGE_WORDS = 4
) (
    input wire reset,
    input wire mounted,
    input wire [2:0] format_state,  // FormatState: Idle = 0
    input wire mem_req_valid,
    input wire mem_req_write,
    input wire [31:0] mem_req_addr,
    input wire committed_slot,
    input wire committed_table
);
`include "nvm_layout.vh"

    wire writing = !reset && mounted && format_state == 0 && mem_req_valid && mem_req_write;
    wire [31:0] slot_base = committed_slot ? SLOT_WORDS : 0;
    wire [31:0] table_base = TABLE_A + (committed_table ? PAGES : 0);
    always @(*) if (writing) begin
        committed_slot_kept: assert (mem_req_addr < slot_base || mem_req_addr >= slot_base + SLOT_WORDS);
        committed_table_kept: assert (mem_req_addr < table_base || mem_req_addr >= table_base + PAGES);
    end
endmodule
