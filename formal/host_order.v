// The host port answers in order (contract §3): its n-th answer is to its
// n-th request. What an answer carries is mostly the NVM's, but the error
// flag is fixed for two classes of request (request_class.vh): one past
// L·W, or any request while no device is mounted, is answered with an
// error; a read in range on a mounted device never is. A scoreboard keeps
// the class of every open request, oldest first; an answer to another
// request than the oldest shows as a wrong flag whenever the two differ in
// class (`host_order.order_error`, `host_order.order_no_error`). A write in
// range may or may not fail (no frame left), so its answer's flag says
// nothing.
module host_order #(
    // L·W: host addresses below it are in range.
    parameter WORDS = 16
) (
    input wire clock,
    input wire reset,
    input wire req_taken,
    input wire req_write,
    input wire [31:0] req_addr,
    input wire mounted,
    input wire rsp_valid,
    input wire rsp_err,
    // Requests taken and not answered (valid_ready.v).
    input wire [3:0] outstanding,
    // The class of each open request, two bits each (request_class.vh),
    // the oldest in [1:0]; zero past the open ones.
    output reg [15:0] classes
);
    `include "request_class.vh"
    wire [1:0] taken_class = request_class(WORDS, mounted, req_write, req_addr);
    // An answer retires the oldest; a request taken joins behind the rest.
    wire [15:0] kept = rsp_valid ? classes >> 2 : classes;
    wire [3:0] joins_at = outstanding - rsp_valid;
    initial classes = 0;
    always @(posedge clock)
        if (reset)
            classes <= 0;
        else
            classes <= kept | (req_taken ? {14'd0, taken_class} << (2 * joins_at) : 16'd0);

    always @(*) if (!reset && rsp_valid) begin
        if (classes[0]) order_error: assert (rsp_err);
        if (classes[1]) order_no_error: assert (!rsp_err);
    end
endmodule
