// The command port's op codes (cmd_op, docs/contract.md) and the command
// front's states (FrontState in hdl/src/sequencer/front.rs, in order),
// named once for the formal files that read them.
localparam OP_SNAPSHOT = 3'd1, OP_RESTORE = 3'd2, OP_RECOVER = 3'd3, OP_FORMAT = 3'd4;
localparam FRONT_IDLE = 2'd0, FRONT_DRAIN = 2'd1, FRONT_RUN = 2'd2, FRONT_DONE = 2'd3;
