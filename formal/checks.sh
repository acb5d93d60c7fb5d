#!/usr/bin/env bash
# Runs one bounded check of formal/checks.txt (docs/formal.md).
#
#   formal/checks.sh NAME WORKDIR
#
# task `check`: formal/cover.sh's check task from the row's start state;
# every assertion must hold for DEPTH cycles.
# task `live`: the liveness bound, twice — with bound LONGEST + 1 every
# assertion must hold (no wait is longer than LONGEST), with bound LONGEST
# the wait's check must fail (a wait of LONGEST is reached: its trace is
# WORKDIR/reached/NAME.vcd, with a GTKWave save file).
#
# Exit status: 0 as the row says, 1 not (what differs is printed), 64 bad
# usage or no such row, anything else a tool error. PMSNAP names the pmsnap
# binary, as for cover.sh.
set -euo pipefail
if [ $# -ne 2 ]; then
    echo "usage: $0 NAME WORKDIR" >&2
    exit 64
fi
name=$1 work=$2
here=$(cd "$(dirname "$0")" && pwd)
row=$(grep -v '^#' "$here/checks.txt" | awk -v n="$name" '$1 == n' || true)
[ -n "$row" ] || { echo "$0: no check named '$name' in $here/checks.txt" >&2; exit 64; }
read -r _ task start pages words frames latency depth takes answers flush requests commands longest _ <<<"$row"
sizing=("$pages" "$words" "$frames" "$latency")
mkdir -p "$work"

if [ "$task" = check ]; then
    status=0
    PMSNAP_FORMAL_TASK=check "$here/cover.sh" "$name" "$here/start/$start" "$work" "${sizing[@]}" "$depth" || status=$?
    case $status in
        0) echo "$name: every assertion holds for $depth cycles from $start" ;;
        2) echo "$name: an assertion fails: $(grep -m1 'Assert failed' "$work/cover.log" | sed 's/.*: //'), trace $work/$name.vcd"; exit 1 ;;
        *) exit $status ;;
    esac
    exit 0
fi

[ "$task" = live ] || { echo "$0: $name: task must be check or live, got '$task'" >&2; exit 64; }
# The wait that is bounded: the host's when no command is sent, else the
# commands' (a host request waits behind a command, so its bound is theirs).
# COMMANDS: `none`, `all`, or the op codes the host may send (1,2,...).
if [ "$commands" = none ]; then
    params=(-set OPS 0) bound=HOST_BOUND check=bounded.live.host_answered
else
    ops=255
    if [ "$commands" != all ]; then
        ops=0
        for op in ${commands//,/ }; do
            [[ "$op" =~ ^[0-7]$ ]] || { echo "$0: $name: commands must be none, all or op codes 0-7, got '$commands'" >&2; exit 64; }
            ops=$((ops | 1 << op))
        done
    fi
    params=(-set OPS "$ops" -set HOST_BOUND 0) bound=CMD_BOUND check=bounded.live.command_completed
fi
case $requests in
    yes) params+=(-set REQUESTS 1) ;;
    no) params+=(-set REQUESTS 0) ;;
    *) echo "$0: $name: requests must be yes or no, got '$requests'" >&2; exit 64 ;;
esac
params+=(-set NVM_TAKES "$takes" -set NVM_ANSWERS "$answers" -set FLUSH_ACK "$flush")
live() { # live BOUND DIR: cover.sh's live task with that bound
    PMSNAP_FORMAL_TASK=live PMSNAP_FORMAL_LIVE="${params[*]} -set $bound $1" \
        "$here/cover.sh" "$name" "$here/start/$start" "$2" "${sizing[@]}" "$depth"
}
status=0
live $((longest + 1)) "$work/holds" || status=$?
case $status in
    0) ;;
    2) echo "$name: a wait longer than $longest cycles: $(grep -m1 'Assert failed' "$work/holds/cover.log" | sed 's/.*: //'), trace $work/holds/$name.vcd"; exit 1 ;;
    *) exit $status ;;
esac
status=0
live "$longest" "$work/reached" || status=$?
case $status in
    2) grep -q "Assert failed in pmsnap_formal: $check\$" "$work/reached/cover.log" || {
           echo "$name: expected $check to fail with bound $longest: $(grep -m1 'Assert failed' "$work/reached/cover.log" | sed 's/.*: //')"; exit 1; } ;;
    0) echo "$name: no wait reaches $longest cycles within $depth: the longest is shorter than checks.txt says"; exit 1 ;;
    *) exit $status ;;
esac
echo "$name: the longest wait is $longest cycles over $depth cycles from $start (trace $work/reached/$name.vcd)"
