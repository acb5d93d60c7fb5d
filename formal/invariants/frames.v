// Invariants of frame ownership (the indirection tables, the free ring,
// the dirty log, the COW fault, SNAPSHOT's harden pipeline, FORMAT's and
// RECOVER's walks): what the induction proofs of I1 for the frames
// (no_overwrite_frames.v) and of RESTORE's effect (restore_effect.v), the
// `frames` task, need about every reachable state.
//
// Every frame is in one place: committed (a mapped committed entry),
// owned (a working entry tagged with the current epoch), in the ring's
// live part (free, retired — the fallback's — or staged), or in the hands
// of a COW fault. The places are disjoint, each holds a frame once, every
// frame number is below F, and whatever moves a frame between them keeps
// that: the invariants below, each asserted, say how. Writes go only to
// owned frames and to a COW fault's frame, so none reaches a committed one.
//
// No scope: a device is mounted only by a FORMAT or a RECOVER, and both
// rebuild the ownership from scratch; their walks keep invariants of their
// own (format_walk, recover_walk below) that leave the mounted device in
// the state the others need. A RECOVER takes the tables from the NVM,
// whatever they hold: it checks them as it loads them and mounts only if
// no two entries name one frame (recover_walk says how). A ghost
// register here, `hardened`: the pages SNAPSHOT has committed on chip
// since it began hardening; their frames were popped since the ring's
// snapshot point, so the ring's counts account for them.
//
// Codes: the host port's states in host_codes.vh, the sequences' in
// sequencer_codes.vh; RestoreState Idle, Scrub.
module frames_invariants #(
    // The sizing the controller was generated for.
    parameter PAGES = 4,
    parameter PAGE_WORDS = 4,
    parameter FRAMES = 5,
    parameter LOOKUP_LATENCY = 1
) (
    input wire clock,
    input wire reset,
    input wire mounted,
    input wire [2:0] format_state,
    input wire [2:0] recover_state,
    input wire restore_state,
    input wire [15:0] restore_index,
    input wire [15:0] epoch,
    // Tables: committed entries {mapped, frame[17:0]}, working entries
    // {tag[15:0], frame[17:0]}, one a page, and the RAMs' read registers.
    input wire [PAGES*19-1:0] ct,
    input wire [PAGES*34-1:0] wt,
    input wire [18:0] ct_rd,
    input wire [33:0] wt_rd,
    // Allocator (hdl/src/frame_allocator.rs).
    input wire [FRAMES*18-1:0] ring,
    input wire [17:0] ring_rd,
    input wire [17:0] head,
    input wire [17:0] tail,
    input wire [18:0] count,
    input wire [18:0] retired,
    input wire [18:0] staged,
    input wire [17:0] snap_head,
    input wire [18:0] snap_count,
    input wire pushing,
    input wire [17:0] push_frame,
    input wire has_free,
    // The head did not move at the last edge (the ring is read at `head`).
    input wire head_settled,
    input wire has_retired,
    // Host port (decide stage) and COW engine.
    input wire host_valid,
    input wire [1:0] host_state,
    input wire [31:0] host_addr,
    input wire host_out_of_range,
    input wire [17:0] host_dst,
    // Lookup latency 2: the lookup stage's request, the decide stage's
    // registered entry (hdl/src/host_port.rs) and `fwd`, the remap of the
    // request ahead at the edge the lookup stage's entry was read.
    input wire s1_valid,
    input wire [31:0] s1_addr,
    input wire s1_out_of_range,
    input wire fwd,
    input wire lk_tag_low,
    input wire lk_tag_high,
    input wire [17:0] lk_tagged_frame,
    input wire lk_committed_mapped,
    input wire [17:0] lk_committed_frame,
    input wire host_write,
    input wire lk_error,
    input wire lk_zero_unowned,
    input wire lk_nvm_unowned,
    input wire lk_cow_unowned,
    input wire [2:0] cow_state,
    input wire [17:0] cow_dst,
    // Dirty log: 2·PAGES words, `bank` the current half.
    input wire [2*PAGES*16-1:0] log,
    input wire [15:0] log_rd,
    input wire bank,
    input wire [31:0] current,
    input wire [31:0] previous,
    // SNAPSHOT's harden pipeline (hdl/src/sequencer/snapshot.rs).
    input wire [3:0] snapshot_state,
    input wire [16:0] index,
    input wire list_current,
    input wire valid_b,
    input wire [16:0] index_b,
    input wire list_b,
    input wire valid_c,
    input wire list_c,
    input wire [15:0] page_c,
    input wire valid_d,
    input wire list_d,
    input wire [15:0] page_d,
    input wire [17:0] frame_d,
    input wire leaves_frame_d,
    input wire [17:0] left_frame_d,
    // SNAPSHOT's on-chip commit of a page (its ct write).
    input wire harden_write,
    input wire [15:0] harden_page,
    // FORMAT's walk (hdl/src/sequencer/format.rs).
    input wire [31:0] format_index,
    input wire format_clearing,
    input wire [31:0] format_pushed,
    // RECOVER's walk (hdl/src/sequencer/recover.rs): its notes of each
    // frame's owner page, their read register, and its stages' registers.
    input wire [FRAMES*16-1:0] owner,
    input wire [15:0] owner_rd,
    input wire [31:0] r_index,
    input wire [31:0] r_answered,
    input wire r_entry_valid,
    input wire [31:0] r_entry_page,
    // The entry taken, and its verdict (judged as it was taken).
    input wire [31:0] r_entry_reg,
    input wire r_entry_bad,
    input wire r_valid_b,
    input wire [31:0] r_item_b,
    input wire r_valid_c,
    input wire [31:0] r_item_c,
    input wire r_valid_d,
    input wire [31:0] r_item_d,
    input wire [31:0] r_mapped_count,
    input wire [31:0] r_unaccounted,
    input wire r_all_accounted,
    input wire r_corrupt
);
    localparam PAGE_SHIFT = $clog2(PAGE_WORDS);
    `include "host_codes.vh"
    `include "sequencer_codes.vh"

    // The pages SNAPSHOT has committed on chip since it began hardening
    // (cleared when it finishes: the allocator's commit).
    reg [PAGES-1:0] hardened = 0;
    always @(posedge clock)
        if (reset || snapshot_state == SNAP_FINISH) hardened <= 0;
        else if (harden_write) hardened[harden_page[$clog2(PAGES)-1:0]] <= 1'b1;
    // The ring was written at the last edge (its read register may be stale).
    reg pushed_last = 1'b0;
    always @(posedge clock) pushed_last <= pushing;

    wire steady = !reset && mounted;
    wire scrub = restore_state;
    wire harden_on = snapshot_state >= SNAP_HARDEN && snapshot_state <= SNAP_FINISH;

    // Field accessors.
    function [18:0] ct_entry(input integer p); ct_entry = ct[p*19 +: 19]; endfunction
    function [33:0] wt_entry(input integer p); wt_entry = wt[p*34 +: 34]; endfunction
    function [17:0] ct_frame(input integer p); ct_frame = ct[p*19 +: 18]; endfunction
    function ct_mapped(input integer p); ct_mapped = ct[p*19 + 18]; endfunction
    function [17:0] wt_frame(input integer p); wt_frame = wt[p*34 +: 18]; endfunction
    function [15:0] wt_tag(input integer p); wt_tag = wt[p*34 + 18 +: 16]; endfunction
    function owned(input integer p); owned = !scrub && wt[p*34 + 18 +: 16] == epoch; endfunction
    function [17:0] slot(input integer i); slot = ring[i*18 +: 18]; endfunction
    function [15:0] entry(input integer i); entry = log[((bank ? PAGES : 0) + i)*16 +: 16]; endfunction
    function integer pg(input [31:0] page); pg = page % PAGES; endfunction
    // Where a frame is: committed or owned (a table), live or popped (the ring).
    function in_table(input [17:0] f, input committed);
        integer p;
        begin
            in_table = 0;
            for (p = 0; p < PAGES; p = p + 1)
                if (committed ? ct_mapped(p) && ct_frame(p) == f : owned(p) && wt_frame(p) == f) in_table = 1;
        end
    endfunction
    function in_ct(input [17:0] f); in_ct = in_table(f, 1); endfunction
    function in_own(input [17:0] f); in_own = in_table(f, 0); endfunction
    // An owned page is still to be hardened: in the current log, unread,
    // or in the harden pipeline.
    function to_harden(input integer p);
        integer i;
        begin
            to_harden = snapshot_state == SNAP_HARDEN && ((valid_b && list_b && log_rd == p)
                || (valid_c && list_c && page_c == p) || (valid_d && list_d && page_d == p));
            for (i = 0; i < PAGES; i = i + 1) if (i < current && unread(i) && entry(i) == p) to_harden = 1;
        end
    endfunction
    // Ring slot offsets from head and from the snapshot point.
    function [18:0] from(input [17:0] i, input [17:0] base);
        from = i >= base ? i - base : i + FRAMES - base;
    endfunction
    function live(input [17:0] i);
        live = (i >= head ? i - head : i + FRAMES - head) < count + retired + staged;
    endfunction
    function popped(input [17:0] i);
        popped = (i >= snap_head ? i - snap_head : i + FRAMES - snap_head) < snap_count - count;
    endfunction
    function in_ring(input [17:0] f, input popped_part);
        integer i;
        begin
            in_ring = 0;
            for (i = 0; i < FRAMES; i = i + 1) if ((popped_part ? popped(i) : live(i)) && slot(i) == f) in_ring = 1;
        end
    endfunction
    function in_popped(input [17:0] f); in_popped = in_ring(f, 1); endfunction
    function in_live(input [17:0] f); in_live = in_ring(f, 0); endfunction
    // A page is still to be hardened: unread by stage A or in B, C or D.
    function unread(input integer i);
        unread = snapshot_state < SNAP_HARDEN || (snapshot_state == SNAP_HARDEN && (!list_current || i >= index));
    endfunction

    // Committed frames, and those of them popped since the snapshot point
    // (the pages SNAPSHOT has hardened so far).
    reg [18:0] n_committed, n_committed_popped, n_owned;
    integer k;
    always @(*) begin
        n_committed = 0;
        n_committed_popped = 0;
        n_owned = 0;
        for (k = 0; k < PAGES; k = k + 1) begin
            n_committed = n_committed + ct_mapped(k);
            n_owned = n_owned + owned(k);
            n_committed_popped = n_committed_popped + hardened[k];
        end
    end

    wire [31:0] held_page = host_addr >> PAGE_SHIFT;
    wire [31:0] s1_page = s1_addr >> PAGE_SHIFT;
    wire [19:0] live_end = head + count + retired + staged;
    // Loop variables are set first, so they are no latches.
    always @(*) begin : mounted_state
        integer p, q, i, j;
        p = 0; q = 0; i = 0; j = 0;
        if (steady) begin
            assert (epoch != 0); // epoch_counts_from_1
            for (p = 0; p < PAGES; p = p + 1) begin
                if (ct_mapped(p)) assert (ct_frame(p) < FRAMES); // committed_frame_exists
                if (owned(p)) assert (wt_frame(p) < FRAMES); // owned_frame_exists
            end
            for (i = 0; i < FRAMES; i = i + 1) if (live(i) || popped(i)) assert (slot(i) < FRAMES); // ring_frame_exists
            if (pushing) assert (push_frame < FRAMES); // pushed_frame_exists
            if (host_state == HOST_COW_RUN) assert (host_dst < FRAMES); // fault_frame_exists
            for (p = 0; p < PAGES; p = p + 1) begin
                assert (wt_tag(p) <= epoch); // tag_not_ahead
                if (owned(p)) assert (!in_ct(wt_frame(p))); // owned_not_committed
                if (owned(p)) assert (!in_live(wt_frame(p)) && in_popped(wt_frame(p))); // owned_popped
                if (hardened[p]) assert (!owned(p) && ct_mapped(p) && in_popped(ct_frame(p)) && harden_on); // hardened_popped
                if (ct_mapped(p) && !hardened[p]) assert (!in_popped(ct_frame(p))); // committed_not_popped
                if (owned(p)) assert (to_harden(p)); // owned_logged
                if (scrub && p < restore_index) assert (wt_tag(p) == 0); // scrubbed
                for (q = p + 1; q < PAGES; q = q + 1) begin
                    if (ct_mapped(p) && ct_mapped(q)) assert (ct_frame(p) != ct_frame(q)); // committed_once
                    if (owned(p) && owned(q)) assert (wt_frame(p) != wt_frame(q)); // owned_once
                end
            end
            if (scrub) assert (restore_index < PAGES); // scrub_index

            // The ring: head, tail and the counts agree; its live part holds
            // neither a committed nor an owned frame, each frame once.
            // Every frame is counted, once: the ring's live and popped parts
            // and the committed frames not popped (a push on its way counts
            // as staged). RESTORE's free count rests on it.
            assert (snap_count + retired + staged + pushing + n_committed - n_committed_popped == FRAMES); // accounting
            // Popped since the snapshot point: the owned frames, those SNAPSHOT
            // has committed, and a COW fault's.
            assert (snap_count - count == n_owned + n_committed_popped + (host_state == HOST_COW_RUN)); // popped_are_owned
            assert (tail == (live_end >= FRAMES ? live_end - FRAMES : live_end)); // tail_after_live
            assert (head < FRAMES && snap_head < FRAMES); // ring_pointers
            assert (snap_count >= count && from(head, snap_head) == snap_count - count); // popped_count
            assert (has_free == (count != 0)); // has_free_is_count
            assert (has_retired == (retired != 0)); // has_retired_is_count
            if (has_free && !pushed_last && head_settled) assert (ring_rd == slot(head)); // head_read
            for (i = 0; i < FRAMES; i = i + 1) begin
                if (live(i)) assert (!in_ct(slot(i))); // live_not_committed
                for (j = i + 1; j < FRAMES; j = j + 1)
                    if ((live(i) || popped(i)) && (live(j) || popped(j)))
                        assert (slot(i) != slot(j)); // ring_once
            end
            if (pushing) assert (!in_ct(push_frame) && !in_own(push_frame) && !in_live(push_frame)); // pushed_frame_free

            // A COW fault's frame: popped, in no other place until the remap
            // makes it owned.
            if (host_state != HOST_LOOKUP) assert (host_valid && !host_out_of_range); // fault_in_range
            if (host_valid && !host_out_of_range) assert (host_addr < PAGES * PAGE_WORDS); // in_range
            if (host_state == HOST_COW_RUN) begin
                assert (!in_ct(host_dst) && !in_own(host_dst) && !in_live(host_dst) && in_popped(host_dst)); // fault_frame_free
                assert (!owned(pg(held_page))); // fault_page_not_owned
            end
            if (host_state == HOST_COW_FINISH) assert (owned(pg(held_page)) && wt_frame(pg(held_page)) == host_dst); // remapped
            if (cow_state != 0) assert (cow_dst == host_dst); // cow_frame
            // The decide stage reads its page's entries: from the tables'
            // read registers (lookup latency 1) or registered from them (2),
            // where the lookup stage's request has its own read, or the
            // remap of the request ahead (`fwd`).
            if (LOOKUP_LATENCY == 1 && host_valid && host_state == HOST_LOOKUP) begin
                assert (wt_rd == wt_entry(pg(held_page))); // decide_reads_wt
                assert (ct_rd == ct_entry(pg(held_page))); // decide_reads_ct
            end
            if (LOOKUP_LATENCY == 2 && host_valid && (host_state == HOST_LOOKUP || host_state == HOST_RELEASE) && !host_out_of_range) begin
                assert ((lk_tag_low && lk_tag_high) == owned(pg(held_page))); // decide_owned
                if (lk_tag_low && lk_tag_high) assert (lk_tagged_frame == wt_frame(pg(held_page))); // decide_owned_frame
                assert (lk_committed_mapped == ct_mapped(pg(held_page))
                    && (!lk_committed_mapped || lk_committed_frame == ct_frame(pg(held_page)))); // decide_committed
                assert (lk_error == host_out_of_range && lk_cow_unowned == host_write
                    && lk_nvm_unowned == (!host_write && lk_committed_mapped)
                    && lk_zero_unowned == (!host_write && !lk_committed_mapped)); // decide_class
            end
            if (LOOKUP_LATENCY == 2 && s1_valid && !s1_out_of_range) begin
                assert (s1_addr < PAGES * PAGE_WORDS); // lookup_in_range
                assert (ct_rd == ct_entry(pg(s1_page))); // lookup_reads_ct
                if (fwd) assert (owned(pg(s1_page)) && wt_frame(pg(s1_page)) == host_dst); // lookup_forwarded
                else assert (wt_rd == wt_entry(pg(s1_page))); // lookup_reads_wt
            end

            // The current dirty log: the pages owned in this epoch, each once;
            // SNAPSHOT hardens them in order.
            assert (current == n_owned + n_committed_popped && previous <= PAGES); // log_fits
            for (i = 0; i < PAGES; i = i + 1) if (i < current) begin
                assert (entry(i) < PAGES); // log_in_range
                if (unread(i)) assert (owned(pg(entry(i)))); // log_owned
                if (snapshot_state == SNAP_HARDEN && list_current && i >= index) begin
                    if (valid_b && list_b) assert (entry(i) != log_rd); // unread_not_in_b
                    if (valid_c && list_c) assert (entry(i) != page_c); // unread_not_in_c
                    if (valid_d && list_d) assert (entry(i) != page_d); // unread_not_in_d
                end
                for (j = i + 1; j < PAGES; j = j + 1) if (j < current) assert (entry(i) != entry(j)); // log_once
            end
            if (snapshot_state == SNAP_HARDEN) begin
                assert (index <= (list_current ? current : previous)); // a_in_log
                if (valid_b) assert (index_b + 1 == index && list_b == list_current); // b_after_a
                if (valid_b && list_b) begin
                    assert (index_b < current && log_rd == entry(index_b) && list_current); // b_reads_log
                    assert (owned(pg(log_rd))); // b_owned
                    if (valid_c && list_c) assert (log_rd != page_c); // b_not_c
                    if (valid_d && list_d) assert (log_rd != page_d); // b_not_d
                end
                if (valid_c && list_c) begin
                    assert (page_c < PAGES && owned(pg(page_c)) && list_current); // c_owned
                    assert (wt_rd == wt_entry(pg(page_c))); // c_reads_wt
                    assert (ct_rd == ct_entry(pg(page_c))); // c_reads_ct
                    if (valid_d && list_d) assert (page_c != page_d); // c_not_d
                end
                if (valid_d && list_d) begin
                    assert (page_d < PAGES && owned(pg(page_d)) && list_current); // d_owned
                    assert (wt_frame(pg(page_d)) == frame_d); // d_frame
                    assert (ct_mapped(pg(page_d)) == leaves_frame_d && (!leaves_frame_d || ct_frame(pg(page_d)) == left_frame_d)); // d_left
                end
            end
        end
    end

    // Between two snapshots the ring is only popped: frames are staged
    // only while SNAPSHOT hardens and commits.
    always @(*) if (steady && !harden_on) assert (staged == 0 && !pushing); // staged_in_harden

    // Pages are committed on chip only while SNAPSHOT hardens.
    always @(*) if (!reset && !harden_on) assert (hardened == 0); // hardened_in_harden

    // FORMAT: the walk clears the tables and fills the ring with every
    // frame, so the device mounts in the state the invariants above need.
    always @(*) begin : format_walk
        integer p, i;
        p = 0; i = 0;
        if (!reset && format_state != 0) begin
            assert (format_pushed <= FRAMES && format_pushed >= pushing); // format_pushed_fits
            assert (head == 0 && snap_head == 0 && count == 0 && retired == 0 && snap_count == 0
                && staged == format_pushed - pushing && tail == (format_pushed - pushing) % FRAMES); // format_ring_fill
            if (pushing) assert (push_frame == format_pushed - 1); // format_push
            for (i = 0; i < FRAMES; i = i + 1)
                if (i < format_pushed - pushing) assert (slot(i) == i); // format_slot
            if (format_state >= FORMAT_DURABLE) assert (format_pushed == FRAMES); // format_all_pushed
            if (format_state >= FORMAT_COMMIT) assert (!pushing); // format_pushes_done
            assert (current == 0 && previous == 0); // format_log_empty
            if (format_state == FORMAT_ZERO) assert (format_index < 16 + 2 * PAGES); // format_walk_in_metadata
            assert (format_clearing == (format_state == FORMAT_ZERO && format_index < PAGES)); // format_clearing
            for (p = 0; p < PAGES; p = p + 1)
                if (format_state != FORMAT_ZERO || p < format_index) assert (!ct_mapped(p) && wt_tag(p) == 0); // format_cleared
        end
    end
    // RECOVER: from its start the log is clear and the ring empty. Load
    // fills the committed table with the NVM's entries (one naming a frame
    // >= F is `corrupt`), clears the working table, and notes each mapped
    // page as its frame's owner; a later page naming the same frame takes
    // the note over. Free pushes, in order, every frame its owner's entry
    // does not name (not `used`). Check mounts only if F minus the mapped
    // entries were pushed: every mapped entry's frame is used, a used frame
    // names its owner, so that count leaves no room for two entries naming
    // one frame, and the ring holds exactly the frames no entry names.
    // Per frame f (a constant index: no frame-numbered mux): its owner
    // note, whether it is used, decided (Free: past stages B and C) and
    // staged in the ring.
    reg [FRAMES-1:0] used, decided, staged_f, pushed_f, d_f;
    reg [7:0] n_loaded_mapped, n_unused;
    wire recovering = !reset && recover_state != 0;
    wire freeing = recover_state == RECOVER_FREE || recover_state == RECOVER_CHECK;
    // Pages whose entries are in the committed table: Load writes each the
    // cycle after it takes its answer.
    wire [31:0] loaded = recover_state == RECOVER_LOAD ? r_answered - r_entry_valid : PAGES;
    function [15:0] owner_of(input integer f); owner_of = owner[f*16 +: 16]; endfunction
    always @(*) begin : recover_frames
        integer p, f, i;
        n_loaded_mapped = 0;
        n_unused = 0;
        for (p = 0; p < PAGES; p = p + 1) if (p < loaded) n_loaded_mapped = n_loaded_mapped + ct_mapped(p);
        for (f = 0; f < FRAMES; f = f + 1) begin
            used[f] = ct_mapped(pg(owner_of(f))) && ct_frame(pg(owner_of(f))) == f;
            decided[f] = f < r_index && !(r_valid_b && r_item_b == f) && !(r_valid_c && r_item_c == f);
            staged_f[f] = 0;
            for (i = 0; i < FRAMES; i = i + 1) if (i < staged && slot(i) == f) staged_f[f] = 1;
            pushed_f[f] = pushing && push_frame == f;
            d_f[f] = r_valid_d && r_item_d == f;
            if (decided[f] && !used[f]) n_unused = n_unused + 1;
        end
    end
    always @(*) begin : recover_walk
        integer p, f, i, j;
        p = 0; f = 0; i = 0; j = 0;
        if (recovering) begin
            assert (current == 0 && previous == 0); // recover_log_empty
            assert (head == 0 && snap_head == 0 && count == 0 && retired == 0 && snap_count == 0
                && !has_free && !has_retired && tail == staged % FRAMES); // recover_ring_empty
            if (!freeing) assert (staged == 0 && !pushing); // recover_none_pushed
            if (recover_state >= RECOVER_LOAD) begin
                assert (r_mapped_count == n_loaded_mapped); // load_mapped_count
                if (recover_state == RECOVER_LOAD && r_entry_valid) assert (r_entry_page + 1 == r_answered); // load_entry_page
                if (recover_state == RECOVER_LOAD && r_entry_valid)
                    assert (r_entry_bad == (r_entry_reg[31] ? r_entry_reg[30:0] >= FRAMES : r_entry_reg != 0)); // load_entry_verdict
                for (p = 0; p < PAGES; p = p + 1) if (p < loaded) begin
                    assert (wt_tag(p) == 0); // load_wt_cleared
                    if (!r_corrupt && ct_mapped(p)) assert (ct_frame(p) < FRAMES); // load_frame_exists
                    for (f = 0; f < FRAMES; f = f + 1)
                        if (!r_corrupt && ct_mapped(p) && ct_frame(p) == f) assert (used[f] && owner_of(f) < loaded); // load_owner_noted
                end
            end
            if (freeing) begin
                assert (r_index <= FRAMES); // free_index
                if (r_valid_b) assert (r_item_b + 1 == r_index); // free_b_after_a
                if (r_valid_c) assert (r_item_c < r_index); // free_c_after_a
                if (r_valid_b && r_valid_c) assert (r_item_c + 1 == r_item_b); // free_c_after_b
                if (r_valid_d) assert (r_item_d < FRAMES); // free_d_frame
                if (pushing) assert (push_frame < FRAMES); // free_push_frame
                for (i = 0; i < FRAMES; i = i + 1) if (i < staged) begin
                    assert (slot(i) < FRAMES); // free_staged_frame
                    for (j = i + 1; j < FRAMES; j = j + 1) if (j < staged) assert (slot(i) != slot(j)); // free_staged_once
                end
                for (f = 0; f < FRAMES; f = f + 1) begin
                    if (r_valid_b && r_item_b == f) assert (owner_rd == owner_of(f)); // free_b_reads_owner
                    if (r_valid_c && r_item_c == f) assert (ct_rd == ct_entry(pg(owner_of(f)))); // free_c_reads_entry
                    // A frame is staged, pushing or in stage D exactly when it is
                    // decided and unused, and in one of those places only.
                    assert ((staged_f[f] || pushed_f[f] || d_f[f]) == (decided[f] && !used[f])); // free_every_unused
                    assert (!(staged_f[f] && pushed_f[f]) && !(staged_f[f] && d_f[f]) && !(pushed_f[f] && d_f[f])); // free_once
                end
                assert (staged + pushing + r_valid_d == n_unused); // free_unused_count
                assert (staged + pushing + r_valid_d + r_valid_c + r_valid_b <= r_index); // free_counts
                assert (r_unaccounted == FRAMES - r_mapped_count - staged - pushing); // free_unaccounted
                if (r_index != 0 || r_valid_b || r_valid_c || r_valid_d)
                    assert (r_all_accounted == (r_unaccounted == 0)); // free_all_accounted
            end
            if (recover_state == RECOVER_CHECK) assert (r_index == FRAMES && !r_valid_b && !r_valid_c && !r_valid_d && !pushing); // check_all_decided
        end
    end
endmodule
