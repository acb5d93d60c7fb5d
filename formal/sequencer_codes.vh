// The command port's op codes (cmd_op, docs/contract.md) and the states of
// the command front and of the sequences (the state enums of
// hdl/src/sequencer/front.rs, snapshot.rs, format.rs and recover.rs, in
// order), named once for the formal files that compare them.
localparam OP_SNAPSHOT = 3'd1, OP_RESTORE = 3'd2, OP_RECOVER = 3'd3, OP_FORMAT = 3'd4;
localparam FRONT_IDLE = 2'd0, FRONT_DRAIN = 2'd1, FRONT_RUN = 2'd2, FRONT_DONE = 2'd3;
localparam SNAP_FLUSH = 4'd1, SNAP_FLUSH_DRAIN = 4'd2, SNAP_IDENTIFY = 4'd3, SNAP_IDENTIFY_WAIT = 4'd4,
    SNAP_RETIRE = 4'd5, SNAP_HARDEN = 4'd6, SNAP_HARDEN_DURABLE = 4'd7, SNAP_COMMIT = 4'd8, SNAP_FINISH = 4'd9;
localparam FORMAT_ZERO = 3'd1, FORMAT_FRAMES = 3'd2, FORMAT_DURABLE = 3'd3, FORMAT_COMMIT = 3'd4, FORMAT_FINISH = 3'd5;
localparam RECOVER_SLOTS = 3'd1, RECOVER_DECIDE = 3'd2, RECOVER_RETIRE = 3'd3, RECOVER_LOAD = 3'd4,
    RECOVER_COPY = 3'd5, RECOVER_FREE = 3'd6, RECOVER_CHECK = 3'd7;
