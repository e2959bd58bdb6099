#!/bin/sh
# test_stop.sh BUILD - stopping is never silent, and a filesystem sink never
# shows a partial or failed job's rows: SIGINT/SIGTERM on bounded and
# unbounded jobs (exit status, stderr, committed files), a failed job's
# sink directory, a sink path naming a file, and the progress line (only
# when stderr is a terminal: `script` gives the run a pseudo-terminal).
# Each check counts once; the last line is "N passed, N failed".
. "$(dirname "$0")/lib.sh"
pid=
trap '[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
check() {  # check WHAT CONDITION...
    what=$1
    shift
    if "$@"; then ok; else fail "$what (status $status; stderr: $(head -c 300 "$tmp/err"))"; fi
}

# 20 rows a second: a bounded one runs for 50 s unless stopped
SLOW="CREATE TABLE g (id BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '20', 'number-of-rows' = '1000');"
ENDLESS="CREATE TABLE g (id BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '20');"
SINK="CREATE TABLE o (id BIGINT) WITH ('connector' = 'filesystem', 'path' = '$tmp/o', 'format' = 'csv');"

# start ARGS...: runs weir in the background (stdout/stderr in $tmp/out, $tmp/err)
start() {
    "$weir" "$@" >"$tmp/out" 2>"$tmp/err" &
    pid=$!
}
# wait_for TEST: polls (up to 5 s) until TEST holds
wait_for() {
    i=0
    while [ $i -lt 100 ]; do
        if eval "$1"; then return 0; fi
        sleep 0.05
        i=$((i + 1))
    done
    return 1
}
# stop SIGNAL: sends it to the running weir and waits for its status
stop() {
    kill -"$1" "$pid"
    wait "$pid"
    status=$?
    pid=
}
has_inprogress() { ls -A "$tmp/o" 2>/dev/null | grep -q '^\.part-.*\.inprogress$'; }
is_empty_dir() { [ -d "$1" ] && [ -z "$(ls -A "$1")" ]; }
err_has() { grep -q -e "$1" "$tmp/err"; }
out_has() { grep -q -e "$1" "$tmp/out"; }

# 1. a bounded INSERT stopped by SIGINT: 130, says so, commits nothing and
#    leaves no in-progress file
rm -rf "$tmp/o"
start run --mode streaming --max-batch-rows 1 -e "$SLOW $SINK INSERT INTO o SELECT * FROM g"
wait_for has_inprogress || fail "bounded INSERT never wrote an in-progress file"
stop INT
check "bounded INSERT + SIGINT: exit 130" [ "$status" -eq 130 ]
check "bounded INSERT + SIGINT: stderr says stopped and partial" \
    err_has "stopped before its input ended: the result is partial"
check "bounded INSERT + SIGINT: nothing committed, nothing left" is_empty_dir "$tmp/o"

# 2. a bounded SELECT stopped by SIGTERM: 143 and no final table
start run --mode streaming --max-batch-rows 1 -e "$SLOW SELECT COUNT(*) AS n FROM g"
wait_for "out_has '^+I'" || fail "bounded SELECT printed no change"
stop TERM
check "bounded SELECT + SIGTERM: exit 143" [ "$status" -eq 143 ]
check "bounded SELECT + SIGTERM: stderr says partial" err_has "the result is partial"
check "bounded SELECT + SIGTERM: no final table" sh -c "! grep -q 'in set' '$tmp/out'"

# 3. an unbounded INSERT stopped by SIGTERM: its normal end, exit 0, the
#    records read are committed, whole, in one visible part file
rm -rf "$tmp/o"
start run --mode streaming --max-batch-rows 1 -e "$ENDLESS $SINK INSERT INTO o SELECT * FROM g"
wait_for has_inprogress || fail "unbounded INSERT never wrote an in-progress file"
sleep 0.2
stop TERM
check "unbounded INSERT + SIGTERM: exit 0" [ "$status" -eq 0 ]
check "unbounded INSERT + SIGTERM: stderr says how many records" \
    err_has "job stopped by SIGTERM after reading [0-9][0-9]* records"
read_n=$(sed -nE 's/.*after reading ([0-9]+) records.*/\1/p' "$tmp/err")
parts=$(ls "$tmp/o" | grep -c '^part-.*\.csv$')
hidden=$(ls -A "$tmp/o" | grep -c '^\.')
lines=$(cat "$tmp/o"/part-* 2>/dev/null | wc -l)
whole=$(cat "$tmp/o"/part-* 2>/dev/null | grep -c -E '^-?[0-9]+$')
check "unbounded INSERT + SIGTERM: one part file, no hidden file" [ "$parts" -eq 1 -a "$hidden" -eq 0 ]
check "unbounded INSERT + SIGTERM: every record read is committed, whole" \
    [ -n "$read_n" -a "$lines" = "$read_n" -a "$whole" = "$read_n" -a "$lines" -gt 0 ]

# 4. an unbounded SELECT stopped by SIGINT: exit 0, the final table of what
#    was read
start run --mode streaming --max-batch-rows 1 -e "$ENDLESS SELECT COUNT(*) AS n FROM g"
wait_for "out_has '^+I'" || fail "unbounded SELECT printed no change"
stop INT
check "unbounded SELECT + SIGINT: exit 0" [ "$status" -eq 0 ]
check "unbounded SELECT + SIGINT: final table printed" out_has "1 row in set"
check "unbounded SELECT + SIGINT: stderr says how many records" \
    err_has "job stopped by SIGINT after reading [0-9][0-9]* records"

# 5. statements after a stop do not run, and that is said
rm -rf "$tmp/o"
start run --mode streaming --max-batch-rows 1 -e "$ENDLESS $SINK INSERT INTO o SELECT * FROM g; SELECT 1"
wait_for has_inprogress || fail "INSERT before a second statement never wrote"
stop INT
check "stop with a statement left: exit 130" [ "$status" -eq 130 ]
check "stop with a statement left: stderr says so" err_has "1 statement was not run"

# 6. a job that fails leaves nothing in the sink directory
mkdir -p "$tmp/in" && rm -rf "$tmp/o"
printf '1\n2\n3\n' >"$tmp/in/a.csv"
printf '4\nfive\n' >"$tmp/in/b.csv"
"$weir" run --mode streaming --max-batch-rows 1 -e "CREATE TABLE i (id BIGINT) WITH ('connector' = 'filesystem', 'path' = '$tmp/in', 'format' = 'csv'); $SINK INSERT INTO o SELECT * FROM i" >"$tmp/out" 2>"$tmp/err"
status=$?
check "failed job: exit 1, the bad file and line named" [ "$status" -eq 1 ]
check "failed job: error names b.csv line 2" err_has "in/b.csv:2:"
check "failed job: no visible or hidden file left" is_empty_dir "$tmp/o"

# 7. a sink path that is a regular file: error, the file byte for byte as it was
printf '1\n2\n' >"$tmp/keep.csv"
cp "$tmp/keep.csv" "$tmp/keep.orig"
"$weir" run -e "CREATE TABLE f (id BIGINT) WITH ('connector' = 'filesystem', 'path' = '$tmp/keep.csv', 'format' = 'csv'); INSERT INTO f VALUES (3)" >"$tmp/out" 2>"$tmp/err"
status=$?
check "sink path is a file: exit 1 with a clear error" err_has "is a file, not a directory"
check "sink path is a file: the file is untouched" cmp -s "$tmp/keep.csv" "$tmp/keep.orig"

# 8. progress: on a terminal's stderr, erased before the results; none when
#    stderr is not a terminal
QUICK="CREATE TABLE g (id BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '20', 'number-of-rows' = '16'); SELECT COUNT(*) AS n FROM g"
cat >"$tmp/run.sh" <<EOF
exec "$weir" run --mode batch -e "$QUICK" >"$tmp/out"
EOF
script -qec "sh '$tmp/run.sh'" "$tmp/tty" >/dev/null 2>&1
status=$?
esc=$(printf '\033')
check "progress on a terminal: the run succeeds" [ "$status" -eq 0 ]
check "progress on a terminal: records per source, rate, elapsed" \
    grep -q -E 'g: [0-9,]+ records \([0-9,]+/s\) \| [0-9]+\.[0-9] s' "$tmp/tty"
cr=$(printf '\r')
check "progress on a terminal: erased at the end" \
    sh -c "tr -d '\n' <'$tmp/tty' | grep -q '[0-9] s${esc}\[K${cr}${esc}\[K'"
check "progress on a terminal: the result has no progress text" \
    sh -c "grep -q '| 16 |' '$tmp/out' && ! grep -q -e records -e '$esc' '$tmp/out'"
"$weir" run --mode batch -e "$QUICK" >"$tmp/out" 2>"$tmp/err"
check "no progress when stderr is not a terminal" [ ! -s "$tmp/err" ]

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
