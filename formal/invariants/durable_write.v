// Invariants of a durable write (hdl/src/sequencer/durable_write.rs) as
// pmsnap uses it — SNAPSHOT's and RECOVER's slot retire, the commit
// record's magic word: each starts with nothing in flight on the NVM port,
// so while it offers its word nothing is, and while it waits for the port
// to go idle only its own word may be.
//
// DurableState: Idle, Offer, Durable.
module durable_write_invariants (
    input wire reset,
    input wire [1:0] state,
    input wire [3:0] nvm_outstanding
);
    always @(*) if (!reset) begin
        state_known: assert (state != 2'd3);
        if (state == 2'd1) offered_alone: assert (nvm_outstanding == 0);
        if (state == 2'd2) only_its_word: assert (nvm_outstanding <= 1);
    end
endmodule
