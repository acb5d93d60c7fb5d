// Invariants of the host port's order (hdl/src/host_port.rs) against the
// scoreboard of host_order.v: the open requests, oldest first, are those
// at the NVM (the port owns it), then the one in the decide stage, the one
// in the lookup stage (lookup latency 2), the one in the skid buffer — and
// each stage's request has the class its registers say (request_class.vh).
module host_port_invariants #(
    parameter WORDS = 16
) (
    input wire reset,
    input wire [15:0] classes,
    input wire [3:0] host_outstanding,
    input wire [3:0] nvm_outstanding,
    input wire mounted,
    // Probed (probes.ys).
    input wire [1:0] owner,  // NvmOwner (host_codes.vh)
    input wire host_valid,
    input wire [1:0] host_state,  // HostState (host_codes.vh)
    input wire write,
    input wire [31:0] addr,
    input wire out_of_range,
    // The decide stage's error class (a register at lookup latency 2).
    input wire view_error,
    input wire lookup_valid,
    input wire s1_write,
    input wire [31:0] s1_addr,
    input wire s1_out_of_range,
    input wire skid_full,
    input wire skid_write,
    input wire [31:0] skid_addr
);
    `include "request_class.vh"
    `include "host_codes.vh"
    function [1:0] at(input [3:0] k);
        at = classes >> (2 * k);
    endfunction
    wire [3:0] at_nvm = owner == OWNER_HOST ? nvm_outstanding : 4'd0;
    wire [3:0] decide = at_nvm;
    wire [3:0] lookup = decide + host_valid;
    wire [3:0] skid = lookup + lookup_valid;
    integer k;
    always @(*) if (!reset) begin
        nothing_past_the_open: assert ((classes >> (2 * host_outstanding)) == 0);
        // A stage's out-of-range flag, registered with its request.
        if (host_valid) decide_range: assert (out_of_range == (addr >= WORDS));
        if (host_valid) decide_error: assert (view_error == (out_of_range || !mounted));
        if (lookup_valid) lookup_range: assert (s1_out_of_range == (s1_addr >= WORDS));
        for (k = 0; k < 8; k = k + 1)
            assert (at(k) != 2'b11);  // a_class: never both
        // Only a write in range to a mounted device faults (COW, release).
        if (host_state != HOST_LOOKUP) fault_is_a_write_in_range: assert (write && !out_of_range && mounted);
        // What went to the NVM is answered by it, without an error.
        for (k = 0; k < 4; k = k + 1)
            if (k < at_nvm) assert ((at(k) & 2'b01) == 0);  // at_the_nvm: no error
        if (host_valid) decide_stage_class: assert (at(decide) == request_class(WORDS, mounted, write, addr));
        if (lookup_valid) lookup_stage_class: assert (at(lookup) == request_class(WORDS, mounted, s1_write, s1_addr));
        if (skid_full) skid_stage_class: assert (at(skid) == request_class(WORDS, mounted, skid_write, skid_addr));
    end
endmodule
