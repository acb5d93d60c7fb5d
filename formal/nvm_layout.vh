// The NVM layout (hdl/src/nvm_layout.rs), included inside a module that
// has the parameters PAGES and PAGE_WORDS: two commit-record slots of
// SLOT_WORDS words, table A at TABLE_A, table B PAGES words after it, then
// the frames from the first page-aligned word after the tables.
localparam SLOT_WORDS = 8;
localparam TABLE_A = 2 * SLOT_WORDS;
localparam FRAMES_BASE = (TABLE_A + 2 * PAGES + PAGE_WORDS - 1) / PAGE_WORDS * PAGE_WORDS;
