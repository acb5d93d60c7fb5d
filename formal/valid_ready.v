// Properties of one valid/ready request channel with in-order responses,
// the protocol of pmsnap's host and NVM ports (docs/contract.md §3):
//
//   * a request, once offered, stays offered, its payload unchanged, until
//     it is taken (valid & ready at a clock edge);
//   * every response answers a request taken at an earlier edge and not yet
//     answered (responses come in order, so a count says which).
//
// Whoever sends the requests is held to the first rule, whoever answers to
// the second. With SENDER_IS_DUT = 1 (the NVM port: the controller sends)
// the request rule is asserted and the response rule assumed; with
// SENDER_IS_DUT = 0 (the host port: the host sends) the other way round. A
// synchronous reset (power loss) clears the channel: nothing is held
// across it, and what is answered during it answers nothing.
//
// `outstanding` is the count of requests taken and not yet answered, for
// the properties around this module (liveness bounds, the invariants
// induction needs).
module valid_ready #(
    // Bits of everything that must stay stable while a request waits.
    parameter PAYLOAD_BITS = 1,
    // Width of the outstanding count; it must never wrap (asserted).
    parameter COUNT_BITS = 4,
    // 1: the design under test sends the requests; 0: it answers them.
    parameter SENDER_IS_DUT = 1,
    // The answerer takes at most this many requests before it answers
    // one (a device's queue; back-pressure does the rest). Assumed of the
    // environment when it answers; 0 = no bound.
    parameter MAX_OUTSTANDING = 0
) (
    input wire clock,
    input wire reset,
    input wire valid,
    input wire ready,
    input wire [PAYLOAD_BITS-1:0] payload,
    input wire rsp_valid,
    output reg [COUNT_BITS-1:0] outstanding
);
    initial outstanding = 0;
    always @(posedge clock) begin
        if (reset)
            outstanding <= 0;
        else
            outstanding <= outstanding + (valid && ready) - rsp_valid;
    end

    // A request offered and not taken at the last edge is still offered,
    // unchanged (a reset at that edge or now drops it).
    reg waiting = 1'b0;
    reg [PAYLOAD_BITS-1:0] waiting_payload;
    always @(posedge clock) begin
        waiting <= !reset && valid && !ready;
        waiting_payload <= payload;
    end
    wire held_ok = !waiting || reset || (valid && payload == waiting_payload);
    wire rsp_ok = reset || !rsp_valid || outstanding != 0;

    generate
        if (SENDER_IS_DUT) begin : dut_sends
            always @(*) begin
                request_held: assert (held_ok);
                assume (rsp_ok);
                if (MAX_OUTSTANDING != 0 && outstanding == MAX_OUTSTANDING && !rsp_valid)
                    assume (!(valid && ready));
            end
        end else begin : dut_answers
            always @(*) begin
                assume (held_ok);
                response_to_a_request: assert (rsp_ok);
            end
        end
    endgenerate
    // The count never wraps: at most 2^COUNT_BITS - 1 requests in flight
    // (and with a bound, at most the bound).
    always @(*) begin
        count_fits: assert (outstanding != {COUNT_BITS{1'b1}});
        if (MAX_OUTSTANDING != 0) assert (outstanding <= MAX_OUTSTANDING);
    end
endmodule
