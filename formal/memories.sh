#!/usr/bin/env bash
# Writes the Yosys script that probes the controller's memories word by
# word into pmsnap_formal.v's wires (after memory_map, word i of memory M
# is `M[i]`; it drives bits i*B .. i*B + B - 1 of the wire, B its width):
# the committed and working tables (PAGES words of 19 and 34 bits), the
# free ring (FRAMES words of 18), the dirty log (2·PAGES words of 16) and
# RECOVER's notes of each frame's owner (FRAMES words of 16).
# -nounset: a plain -set would first cut the wire from the modules it feeds.
#
#   formal/memories.sh PAGES FRAMES >memories.ys
set -euo pipefail
if [ $# -ne 2 ]; then
    echo "usage: $0 PAGES FRAMES" >&2
    exit 64
fi
words() { # WIRE MEMORY WIDTH COUNT
    for ((i = 0; i < $4; i++)); do
        echo "connect -nounset -set $1[$((i * $3 + $3 - 1)):$((i * $3))] dut.$2.storage[$i]"
    done
}
words committed_table tables.ct 19 "$1"
words working_table tables.wt 34 "$1"
words free_ring allocator.ring 18 "$2"
words dirty_log dirty.log 16 $((2 * $1))
words frame_owner sequencer.recover.frame_owner 16 "$2"
