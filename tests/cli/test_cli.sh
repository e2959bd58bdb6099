#!/bin/sh
# test_cli.sh BUILD - the command line of `weir`: help, option syntax
# (--option value and --option=value), usage errors (one "error:" line on
# stderr, then the usage, exit status 2).  Each check counts once; the last
# line is "N passed, N failed".
. "$(dirname "$0")/lib.sh"

# run ARGS...: runs weir, leaving $tmp/out, $tmp/err and $status
run() {
    "$weir" "$@" >"$tmp/out" 2>"$tmp/err"
    status=$?
}

# help_ok WHAT PATTERN: the last run printed help (PATTERN in stdout),
# nothing on stderr, exit 0
help_ok() {
    if [ "$status" -eq 0 ] && grep -q -e "$2" "$tmp/out" && [ ! -s "$tmp/err" ]; then ok
    else fail "$1: status $status, stdout $(head -c 200 "$tmp/out"), stderr $(head -c 200 "$tmp/err")"; fi
}

# usage_error_ok WHAT MESSAGE USAGE: exit 2, nothing on stdout, stderr is
# exactly one "weir: error: MESSAGE" line followed by a usage whose first
# line starts with USAGE
usage_error_ok() {
    first=$(head -n 1 "$tmp/err")
    second=$(sed -n 2p "$tmp/err")
    errors=$(grep -c 'error:' "$tmp/err")
    if [ "$status" -eq 2 ] && [ ! -s "$tmp/out" ] && [ "$first" = "weir: error: $2" ] &&
        [ "$errors" -eq 1 ] && case "$second" in "$3"*) true ;; *) false ;; esac; then ok
    else fail "$1: status $status, stderr: $(head -n 3 "$tmp/err")"; fi
}

# help: run's usage for run --help / -h / help run, the general one otherwise
for args in "run --help" "run -h" "help run" "run --mode batch --help"; do
    run $args
    help_ok "weir $args" "^usage: weir run \[OPTIONS\] FILE.sql"
done
run run --help
help_ok "run --help names the default mode" "the default is streaming"
help_ok "run --help shows the = form" "--mode=batch"
help_ok "run --help lists the exit statuses" "2 on a usage error, 130 (SIGINT) or 143 (SIGTERM)"
for args in "--help" "-h" "help"; do
    run $args
    help_ok "weir $args" "weir help \[run\]"
done

# --option=value is accepted for every option with a value; the value is used
printf 'SELECT 1 AS a;\n' >"$tmp/one.sql"
run run --mode=batch --format=csv "$tmp/one.sql"
if [ "$status" -eq 0 ] && [ "$(cat "$tmp/out")" = "$(printf 'a\n1')" ]; then ok
else fail "--mode=batch --format=csv: status $status, stdout $(cat "$tmp/out") $(cat "$tmp/err")"; fi
run run --mode=streaming --format=changelog -e 'SELECT 1 AS a'
if [ "$status" -eq 0 ] && [ "$(cat "$tmp/out")" = "+I[1]" ]; then ok
else fail "--format=changelog: status $status, stdout $(cat "$tmp/out")"; fi
# batch mode prints no changelog before the table; streaming does
run run --mode=batch -e 'SELECT 1 AS a'
if [ "$status" -eq 0 ] && ! grep -q '+I' "$tmp/out"; then ok; else fail "--mode=batch table"; fi
run run --mode streaming -e 'SELECT 1 AS a'
if [ "$status" -eq 0 ] && grep -q '+I\[1\]' "$tmp/out"; then ok; else fail "--mode streaming table"; fi
run run --max-batch-rows=2 --seed=7 --format=csv -e "SELECT x FROM (VALUES (1), (2), (3)) AS t(x)"
if [ "$status" -eq 0 ] && [ "$(sort "$tmp/out" | tr '\n' ' ')" = "1 2 3 x " ]; then ok
else fail "--max-batch-rows=2 --seed=7: status $status, $(cat "$tmp/out" "$tmp/err")"; fi
run run --format=csv -- "$tmp/one.sql"
if [ "$status" -eq 0 ] && [ "$(cat "$tmp/out")" = "$(printf 'a\n1')" ]; then ok; else fail "-- FILE"; fi

# usage errors: one error line naming the problem, then the usage, exit 2
R="usage: weir run"
G="usage: weir run [OPTIONS] FILE.sql     run"
run run --mode
usage_error_ok "missing value" "option --mode needs an argument" "$R"
run run "$tmp/one.sql" --format
usage_error_ok "missing value at the end" "option --format needs an argument" "$R"
run run --max-batch-rows
usage_error_ok "missing number" "option --max-batch-rows needs an argument" "$R"
run run --seed
usage_error_ok "missing seed" "option --seed needs an argument" "$R"
run run -e
usage_error_ok "missing SQL" "option -e needs an argument" "$R"
run run --mode=fast "$tmp/one.sql"
usage_error_ok "bad mode" "--mode must be batch or streaming, not \"fast\"" "$R"
run run --format xml "$tmp/one.sql"
usage_error_ok "bad format" "--format must be table, csv or changelog, not \"xml\"" "$R"
run run --max-batch-rows=0 "$tmp/one.sql"
usage_error_ok "bad batch size" "--max-batch-rows must be a number from 1 to 1000000, not \"0\"" "$R"
run run --seed=x "$tmp/one.sql"
usage_error_ok "bad seed" "--seed must be a number, not \"x\"" "$R"
run run --bogus "$tmp/one.sql"
usage_error_ok "unknown option" "unknown option \"--bogus\"" "$R"
run run
usage_error_ok "no script" "no script given: pass FILE.sql or -e 'SQL'" "$R"
run run "$tmp/one.sql" "$tmp/two.sql"
usage_error_ok "two scripts" "more than one script given (\"$tmp/one.sql\" and \"$tmp/two.sql\")" "$R"
run run -e 'SELECT 1' "$tmp/one.sql"
usage_error_ok "script and -e" "both a script \"$tmp/one.sql\" and -e given: pass one" "$R"
run
usage_error_ok "no command" "no command given" "$G"
run frobnicate
usage_error_ok "unknown command" "unknown command \"frobnicate\"" "$G"
run --bogus
usage_error_ok "unknown top-level option" "unknown option \"--bogus\"" "$G"

cli_done
