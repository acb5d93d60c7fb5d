#!/usr/bin/env bash
# A crash campaign as N shards on this machine, P at a time, then merged:
# the way a cluster would run it, on one box.
#
#   campaigns/local.sh N P DIR [pmsnap crash flags...]
#
# Shard K writes DIR/shard-K.json (and its log DIR/shard-K.log); the merge
# prints the whole campaign's table and exits as `pmsnap crash-merge` does:
# 0 clean, 1 a violation (with its replay command), 2 a shard missing.
# Give `--jobs 1` among the flags so P shards use P cores. PMSNAP names the
# binary (default: pmsnap on PATH).
set -euo pipefail
if [ $# -lt 3 ]; then
    echo "usage: $0 N P DIR [pmsnap crash flags...]" >&2
    exit 2
fi
N=$1 P=$2 DIR=$3
shift 3
PMSNAP=${PMSNAP:-pmsnap}
mkdir -p "$DIR"
for K in $(seq 1 "$N"); do
    while [ "$(jobs -rp | wc -l)" -ge "$P" ]; do wait -n || true; done
    echo "shard $K/$N" >&2
    "$PMSNAP" crash "$@" --shard "$K/$N" --json "$DIR/shard-$K.json" >"$DIR/shard-$K.log" 2>&1 &
done
wait || true
# A shard that could not run leaves its file empty or absent: show its
# log; the merge then names it.
for K in $(seq 1 "$N"); do
    if [ ! -s "$DIR/shard-$K.json" ]; then
        echo "shard $K/$N did not finish; the end of $DIR/shard-$K.log:" >&2
        tail -5 "$DIR/shard-$K.log" >&2
    fi
done
exec "$PMSNAP" crash-merge "$DIR"/shard-*.json
