#!/bin/bash
# filter_bench.sh - the cost of WHERE clauses over a Parquet scan (the
# evaluator's comparison kernels and ex_eval_filter, src/exec/eval_filter.c).
# One file set of ROWS rows (default 10 M): k BIGINT 0..ROWS-1 ascending,
# v BIGINT and d DOUBLE uniform in [0, 1000], s a random 2-letter STRING,
# written by weir (parquet, snappy).  Each query is run REPEAT times
# (default 5) by every binary in WEIRS (default build/weir; give two to
# compare a base and a change, e.g. WEIRS="/tmp/weir-main build/weir"),
# interleaved, and the median task-clock (CPU ms, perf stat) printed with
# the answer, which must be the same for every binary.
#   scan     SELECT COUNT(*), SUM(v) FROM p                      (no filter)
#   range    ... WHERE k >= R/2 AND k < R*8/10                   (30%)
#   between  ... WHERE k BETWEEN R/2 AND R*8/10 - 1
#   dbl      ... WHERE d < 250.0
#   str      ... WHERE s = 'ab'
#   or       ... WHERE k < R/10 OR v > 900
#   div      ... WHERE v <> 0 AND 1000 / v > 2                   (a guard)
#   not      ... WHERE NOT (k < R/2 OR d >= 500.0)
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${ROWS:-10000000}
REPEAT=${REPEAT:-5}
WEIRS=${WEIRS:-build/weir}
DATA=${WEIR_BENCH_DIR:-/tmp/weir-bench}/filter_$ROWS
QUERIES=${QUERIES:-"scan range between dbl str or div not"}
first=${WEIRS%% *}
cols="k BIGINT, v BIGINT, d DOUBLE, s STRING"
if [ ! -d "$DATA/p" ]; then
    mkdir -p "$DATA"
    echo "filter_bench: writing $DATA/p" >&2
    "$first" run --mode batch --data "$DATA/state" -e "
      CREATE TEMPORARY TABLE g ($cols) WITH ('connector' = 'datagen', 'number-of-rows' = '$ROWS',
        'rows-per-second' = '1000000000000', 'fields.k.kind' = 'sequence', 'fields.k.start' = '0',
        'fields.k.end' = '$((ROWS - 1))', 'fields.v.min' = '0', 'fields.v.max' = '1000',
        'fields.d.min' = '0', 'fields.d.max' = '1000', 'fields.s.length' = '2');
      CREATE TEMPORARY TABLE p ($cols) WITH ('connector' = 'filesystem', 'path' = '$DATA/p.tmp', 'format' = 'parquet');
      INSERT INTO p SELECT * FROM g;" >&2
    mv "$DATA/p.tmp" "$DATA/p"
fi
ddl="CREATE TEMPORARY TABLE p ($cols) WITH ('connector' = 'filesystem', 'path' = '$DATA/p', 'format' = 'parquet');"
sel="SELECT COUNT(*), SUM(v) FROM p"
half=$((ROWS / 2)); eight=$((ROWS * 8 / 10)); tenth=$((ROWS / 10))
query() {
    case $1 in
    scan) echo "$sel" ;;
    range) echo "$sel WHERE k >= $half AND k < $eight" ;;
    between) echo "$sel WHERE k BETWEEN $half AND $((eight - 1))" ;;
    dbl) echo "$sel WHERE d < 250.0" ;;
    str) echo "$sel WHERE s = 'ab'" ;;
    or) echo "$sel WHERE k < $tenth OR v > 900" ;;
    div) echo "$sel WHERE v <> 0 AND 1000 / v > 2" ;;
    not) echo "$sel WHERE NOT (k < $half OR d >= 500.0)" ;;
    *) echo "filter_bench: unknown query $1" >&2; exit 2 ;;
    esac
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "| query | binary | CPU ms (median of $REPEAT) | all runs | answer |"
echo "| --- | --- | ---: | --- | --- |"
for q in $QUERIES; do
    sql="$ddl $(query "$q")"
    for i in $(seq "$REPEAT"); do
        b=0
        for w in $WEIRS; do
            perf stat -x, -e task-clock -o "$tmp/stat" "$w" run --mode batch --format csv \
                --data "$tmp/state" -e "$sql" > "$tmp/out.$b"
            awk -F, '/task-clock/ {printf "%.1f\n", $1}' "$tmp/stat" >> "$tmp/t.$q.$b"
            tail -1 "$tmp/out.$b" > "$tmp/ans.$q.$b"
            b=$((b + 1))
        done
    done
    b=0
    for w in $WEIRS; do
        ans=$(cat "$tmp/ans.$q.$b")
        [ "$ans" = "$(cat "$tmp/ans.$q.0")" ] || ans="$ans MISMATCH"
        echo "| $q | $w | $(median < "$tmp/t.$q.$b") | $(sort -n "$tmp/t.$q.$b" | paste -sd/ | sed 's|/| / |g') | $ans |"
        b=$((b + 1))
    done
done
