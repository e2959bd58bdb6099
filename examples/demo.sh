#!/bin/sh
# make demo: scenario 1 in streaming mode (the changelog as each message
# arrives, then the final table), then the same SQL file in batch mode.
weir=${1:-build/weir}
# each run gets a data directory of its own (the scripts CREATE their tables
# each time), removed at the end
data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT
sql=examples/scenario1/valid_orders.sql
echo "== $sql, streaming (one message per batch): the changelog as it happens"
echo "\$ $weir run --data \$(mktemp -d) --mode streaming --max-batch-rows 1 $sql"
"$weir" run --data "$(mktemp -d "$data/run.XXXXXX")" --mode streaming --max-batch-rows 1 "$sql" || exit 1
echo
echo "== the same file in batch mode: the final table"
echo "\$ $weir run --data \$(mktemp -d) --mode batch $sql"
"$weir" run --data "$(mktemp -d "$data/run.XXXXXX")" --mode batch "$sql" || exit 1
echo
sql=examples/scenario2/overdue.sql
echo "== scenario 2: overdue orders under a manual clock (rows enter as deadlines pass, leave as pickups arrive)"
echo "\$ $weir run --data \$(mktemp -d) --mode streaming --max-batch-rows 1 $sql"
"$weir" run --data "$(mktemp -d "$data/run.XXXXXX")" --mode streaming --max-batch-rows 1 "$sql" || exit 1
