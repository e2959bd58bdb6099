#!/bin/sh
# test_script.sh BUILD - what `weir run` says about a script as a whole: a
# script with no statements (empty, or only blanks, comments and
# semicolons) is an error "no statements" (exit 1); SET/RESET of a key weir
# does not use is accepted with a warning naming the key, and the keys weir
# implements give none; a narrowing INSERT prints its DETAIL and a HINT
# with the CAST to write.  Each check counts once.
. "$(dirname "$0")/lib.sh"

run() {
    "$weir" "$@" >"$tmp/out" 2>"$tmp/err"
    status=$?
}

# no_statements_ok WHAT NAME: exit 1, nothing on stdout, stderr starts with
# "NAME:1:1: error: no statements"
no_statements_ok() {
    if [ "$status" -eq 1 ] && [ ! -s "$tmp/out" ] &&
        [ "$(head -n 1 "$tmp/err")" = "$2:1:1: error: no statements" ]; then ok
    else fail "$1: status $status, stdout $(head -c 200 "$tmp/out"), stderr $(head -c 200 "$tmp/err")"; fi
}

run run -e ''
no_statements_ok "-e ''" "-e"
run run -e ' ; ;; '
no_statements_ok "-e of semicolons" "-e"
printf '' >"$tmp/empty.sql"
run run "$tmp/empty.sql"
no_statements_ok "empty file" "$tmp/empty.sql"
printf -- '-- only a comment\n\n/* and a block\n comment */ ;\n' >"$tmp/comments.sql"
run run "$tmp/comments.sql"
no_statements_ok "file of comments" "$tmp/comments.sql"
printf '' | "$weir" run - >"$tmp/out" 2>"$tmp/err"
status=$?
no_statements_ok "empty standard input" "-"

# an unknown key: a warning naming it, at the SET, and the statements run on
run run --format=csv -e "SET 'pipeline.name' = 'job'; SELECT 1 AS a; SET;"
if [ "$status" -eq 0 ] &&
    [ "$(cat "$tmp/err")" = "-e:1:1: warning: unknown key 'pipeline.name': weir does not use it (it is accepted, as Flink accepts any key)" ] &&
    [ "$(cat "$tmp/out")" = "$(printf 'a\n1\nkey,value\npipeline.name,job')" ]; then ok
else fail "SET unknown key: status $status, stdout $(cat "$tmp/out"), stderr $(cat "$tmp/err")"; fi
run run -e "SELECT 1 AS a;
RESET 'sql-client.verbose'"
if [ "$status" -eq 0 ] && grep -q "^-e:2:1: warning: unknown key 'sql-client.verbose'" "$tmp/err"; then ok
else fail "RESET unknown key: status $status, stderr $(cat "$tmp/err")"; fi
# the keys weir implements: no warning
run run -e "SET 'execution.runtime-mode' = 'batch'; SET table.exec.state.ttl = '0 ms'; RESET 'execution.runtime-mode'; SELECT 1 AS a"
if [ "$status" -eq 0 ] && [ ! -s "$tmp/err" ]; then ok
else fail "known keys: status $status, stderr $(cat "$tmp/err")"; fi

# RESET puts a key back to what the session started with (--mode, not
# always streaming) and a bare SET no longer lists it; RESET alone resets all
run run --mode batch --format=csv -e "SET 'execution.runtime-mode' = 'streaming'; SET 'table.exec.state.ttl' = '0 ms'; RESET 'execution.runtime-mode'; SET; RESET; SET; SELECT 1 AS a"
if [ "$status" -eq 0 ] && [ "$(cat "$tmp/out")" = "$(printf 'key,value\ntable.exec.state.ttl,0 ms\nkey,value\na\n1')" ]; then ok
else fail "RESET: status $status, stdout $(cat "$tmp/out"), stderr $(cat "$tmp/err")"; fi
# ... and the mode really is batch again: one final row, no changelog
run run --mode batch -e "SET 'execution.runtime-mode' = 'streaming'; RESET; SELECT COUNT(*) AS n FROM (VALUES (1), (2)) AS v(x)"
if [ "$status" -eq 0 ] && ! grep -q '^[-+][IUD]\[' "$tmp/out" && grep -q '| *2 |' "$tmp/out"; then ok
else fail "RESET mode: status $status, stdout $(cat "$tmp/out"), stderr $(cat "$tmp/err")"; fi

# INSERT typing: message, detail and hint, all three lines
printf "CREATE TABLE t (d DECIMAL(10, 2)) WITH ('connector' = 'datagen', 'number-of-rows' = '1');\nCREATE TABLE out (x INT) WITH ('connector' = 'blackhole');\nINSERT INTO out SELECT d FROM t;\n" >"$tmp/narrow.sql"
run run "$tmp/narrow.sql"
if [ "$status" -eq 1 ] && [ "$(cat "$tmp/err")" = "$tmp/narrow.sql:3:24: error: column \"x\" is of type INT but expression is of type DECIMAL(10, 2)
DETAIL: DECIMAL(10, 2) is not implicitly castable to INT: only widening casts are implicit on INSERT, as in Flink.
HINT: Cast the expression if the conversion is intended: CAST(d AS INT)." ]; then ok
else fail "narrowing INSERT: status $status, stderr $(cat "$tmp/err")"; fi

cli_done
