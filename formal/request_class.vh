// The class of a host request, as the order check sees it: its answer's
// error flag is fixed for two kinds of request. Bit 0: the answer must be
// an error — a request past L·W (`words`), or any request while no device
// is mounted. Bit 1: it must not — a read in range on a mounted device (a
// page never written reads as zero). Neither: a write in range, which may
// be refused for want of a frame. Never both. Included by host_order.v
// (the scoreboard) and invariants/host_port.v (each stage's class).
function [1:0] request_class(input [31:0] words, input mounted, input write, input [31:0] addr);
    request_class = addr >= words || !mounted ? 2'b01 : !write ? 2'b10 : 2'b00;
endfunction
