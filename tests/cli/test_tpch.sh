#!/bin/sh
# test_tpch.sh BUILD -- the 22 TPC-H queries (bench/tpch/queries) at scale
# factor 0.01 (bench/tpch/dbgen.c's files), each in batch mode and in
# streaming mode with random input splits, against the committed answers
# (bench/tpch/answers, DuckDB's: bench/tpch/make_answers).  Streaming TPC-H
# is the incremental-view-maintenance test: every intermediate retraction
# must net out to the batch answer.  One check per query and mode.
cd "$(dirname "$0")/../.."
. tests/cli/lib.sh
build=${1:-build}
dbgen=$build/tpch-dbgen
if [ ! -x "$dbgen" ]; then
    fail "$dbgen is not built"
    cli_done
    exit
fi
"$dbgen" -s 0.01 -o "$tmp/data" >/dev/null 2>"$tmp/err" || fail "dbgen: $(head -1 "$tmp/err")"
for f in bench/tpch/queries/q*.sql; do
    q=$(basename "$f" .sql)
    sed "s|\${DIR}|$tmp/data|g" bench/tpch/schema.sql > "$tmp/$q.sql"
    cat "$f" >> "$tmp/$q.sql"
    for mode in batch streaming; do
        # streaming: batches of 1..97 rows from a per-query seed
        split=""
        [ "$mode" = streaming ] && split="--max-batch-rows 97 --seed ${q#q}"
        # shellcheck disable=SC2086
        if ! timeout 120 "$weir" run --mode "$mode" --format csv $split "$tmp/$q.sql" \
                > "$tmp/out.csv" 2>"$tmp/err"; then
            fail "$q $mode: exit status $? ($(head -1 "$tmp/err"))"
            continue
        fi
        if python3 bench/tpch/compare.py "$tmp/out.csv" "bench/tpch/answers/$q.tsv" > "$tmp/cmp"; then
            ok
        else
            fail "$q $mode: $(cat "$tmp/cmp")"
        fi
    done
done
cli_done
