// The host port's states (HostState, hdl/src/host_port.rs) and the NVM
// arbiter's owners (NvmOwner, hdl/src/nvm_arbiter.rs), in their enums'
// order, named once for the formal files that compare them.
localparam HOST_LOOKUP = 2'd0, HOST_RELEASE = 2'd1, HOST_COW_RUN = 2'd2, HOST_COW_FINISH = 2'd3;
localparam OWNER_HOST = 2'd0, OWNER_COW = 2'd1, OWNER_SEQUENCER = 2'd2, OWNER_FALLBACK = 2'd3;
