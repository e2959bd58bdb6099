#!/bin/sh
# make demo: scenario 1 in streaming mode (the changelog as each message
# arrives, then the final table), then the same SQL file in batch mode.
weir=${1:-build/weir}
sql=examples/scenario1/valid_orders.sql
echo "== $sql, streaming (one message per batch): the changelog as it happens"
echo "\$ $weir run --mode streaming --max-batch-rows 1 $sql"
"$weir" run --mode streaming --max-batch-rows 1 "$sql" || exit 1
echo
echo "== the same file in batch mode: the final table"
echo "\$ $weir run --mode batch $sql"
"$weir" run --mode batch "$sql" || exit 1
echo
sql=examples/scenario2/overdue.sql
echo "== scenario 2: overdue orders under a manual clock (rows enter as deadlines pass, leave as pickups arrive)"
echo "\$ $weir run --mode streaming --max-batch-rows 1 $sql"
"$weir" run --mode streaming --max-batch-rows 1 "$sql" || exit 1
