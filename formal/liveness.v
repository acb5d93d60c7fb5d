// Bounded liveness (docs/formal.md): with an NVM and a host that answer
// within a bound, the controller answers every host request and completes
// every command within a bound of its own.
//
// Assumed of the environment:
//   * the NVM takes a request offered to it within NVM_TAKES cycles (ready
//     may stay low for at most NVM_TAKES - 1 cycles of a held request) and
//     answers the oldest request it has taken within NVM_ANSWERS cycles of
//     the previous answer or of taking it;
//   * the host pulses flush_ack within FLUSH_ACK cycles of flush_req
//     rising (its write-backs before it are free, like any request);
//   * no power loss (reset low): after one, RECOVER is a command like any;
//   * the host sends only the commands OPS names, and requests only with
//     REQUESTS set.
// Every other input is free.
//
// Asserted: while the host has a request open (offered, or taken and not
// answered), an answer comes within HOST_BOUND cycles of the last one (or
// of the first request); while a command is open, cmd_done comes within
// CMD_BOUND cycles of the last one (or of the command). A request that is
// never answered, or a command that never completes, fails the check once
// the BMC is deeper than its bound; the depth is chosen so (checks.txt).
// HOST_BOUND = 0 leaves the host's wait unchecked (it includes the
// commands' time); OPS = 0 the commands'.
module liveness #(
    parameter NVM_TAKES = 2,
    parameter NVM_ANSWERS = 2,
    parameter FLUSH_ACK = 4,
    parameter HOST_BOUND = 64,
    parameter CMD_BOUND = 64,
    // The commands the host may send: bit i set = cmd_op i (0 = none: the
    // host port's bound alone).
    parameter [7:0] OPS = 8'hff,
    // 0: the host sends no request (the commands' bound on a quiet host).
    parameter REQUESTS = 1
) (
    input wire clock,
    input wire reset,
    // NVM port.
    input wire mem_req_valid,
    input wire mem_req_ready,
    input wire mem_rsp_valid,
    input wire [3:0] nvm_outstanding,
    // Flush handshake.
    input wire flush_req,
    input wire flush_ack,
    // Host port.
    input wire req_valid,
    input wire rsp_valid,
    input wire [3:0] host_outstanding,
    // Command port.
    input wire cmd_valid,
    input wire [2:0] cmd_op,
    input wire cmd_done,
    input wire [3:0] cmd_outstanding
);
    // Cycles each party has been waiting. The environment's counters stay
    // below their bounds (assumed); the controller's start again at theirs,
    // the cycle the check fails, so none wraps.
    reg [7:0] offered = 0, unanswered = 0, unflushed = 0, host_wait = 0, cmd_wait = 0;
    always @(posedge clock) begin
        offered <= mem_req_valid && !mem_req_ready ? offered + 1 : 0;
        unanswered <= nvm_outstanding != 0 && !mem_rsp_valid ? unanswered + 1 : 0;
        unflushed <= flush_req && !flush_ack ? unflushed + 1 : 0;
        host_wait <= (req_valid || host_outstanding != 0) && !rsp_valid && host_wait != HOST_BOUND ? host_wait + 1 : 0;
        cmd_wait <= (cmd_valid || cmd_outstanding != 0) && !cmd_done && cmd_wait != CMD_BOUND ? cmd_wait + 1 : 0;
    end

    always @(*) begin
        assume (!reset);
        if (cmd_valid) assume (OPS[cmd_op]);
        if (!REQUESTS) assume (!req_valid);
        if (mem_req_valid && offered == NVM_TAKES - 1) assume (mem_req_ready);
        if (nvm_outstanding != 0 && unanswered == NVM_ANSWERS - 1) assume (mem_rsp_valid);
        if (flush_req && unflushed == FLUSH_ACK - 1) assume (flush_ack);
        if (HOST_BOUND != 0) host_answered: assert (host_wait != HOST_BOUND);
        if (OPS != 0) command_completed: assert (cmd_wait != CMD_BOUND);
    end
endmodule
