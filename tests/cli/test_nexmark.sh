#!/bin/sh
# test_nexmark.sh BUILD -- the Nexmark queries (bench/nexmark/q*.sql) over
# 100,000 generated events (1,000 per second of event time, so the windows
# of the queries fire many times), each in batch mode and in streaming mode
# with random input splits: the streaming changelog, consolidated, must be
# the batch result (bench/nexmark/consolidate.py).  The blackhole sinks are
# turned into print sinks; q10's files are compared as sorted lines.  One
# check per query.
cd "$(dirname "$0")/../.."
. tests/cli/lib.sh
events=${NEXMARK_TEST_EVENTS:-100000}
seq 0 9999 | awk '{print $1 ",value" $1}' > "$tmp/side_input.csv"
for f in bench/nexmark/q*.sql; do
    q=$(basename "$f" .sql)
    for mode in batch streaming; do
        rm -rf "$tmp/out_$mode"
        # processing time (q12's windows, q13's PROCTIME()) from a manual
        # clock that never moves: the same in every run
        echo "SET 'weir.clock' = 'manual';" > "$tmp/$q.sql"
        sed "s/\${TPS}/1000/; s/\${EVENTS}/$events/" bench/nexmark/ddl.sql >> "$tmp/$q.sql"
        sed "s|\${OUT}|$tmp/out_$mode|; s|\${SIDE_INPUT}|$tmp/side_input.csv|; s/'blackhole'/'print'/" \
            "$f" >> "$tmp/$q.sql"
        split=""
        [ "$mode" = streaming ] && split="--max-batch-rows 700 --seed ${q#q}"
        # shellcheck disable=SC2086
        timeout 300 "$weir" run --mode "$mode" $split "$tmp/$q.sql" > "$tmp/$mode.log" 2>"$tmp/err"
        rc=$?
        if [ "$rc" -ne 0 ]; then
            fail "$q $mode: exit status $rc ($(head -1 "$tmp/err"))"
            continue 2
        fi
        if [ -d "$tmp/out_$mode" ]; then
            cat "$tmp/out_$mode"/*/* "$tmp/out_$mode"/* 2>/dev/null | sort > "$tmp/$mode.rows"
        elif ! python3 bench/nexmark/consolidate.py "$tmp/$mode.log" > "$tmp/$mode.rows" 2>"$tmp/err"; then
            fail "$q $mode: $(head -1 "$tmp/err")"
            continue 2
        fi
    done
    if [ ! -s "$tmp/batch.rows" ]; then
        fail "$q: the batch run gave no rows"
    elif cmp -s "$tmp/batch.rows" "$tmp/streaming.rows"; then
        ok
    else
        fail "$q: streaming differs from batch ($(wc -l < "$tmp/batch.rows") batch rows, $(wc -l < "$tmp/streaming.rows") streaming; first difference: $(diff "$tmp/batch.rows" "$tmp/streaming.rows" | sed -n 2p | cut -c1-160))"
    fi
done
cli_done
