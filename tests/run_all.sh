#!/bin/sh
# Runs the unit test programs, the harness self-test and the SQL cases
# against one build directory (tests/README.md says what each counts).
# Prints one labelled line per suite, then the closing line
# "N passed, N failed" (their sum) as the last line; exits 1 if any test
# failed.  WEIR_SUITE_LABEL (e.g. " (ASan+UBSan)") is added to the labels;
# WEIR_UNIT_ONLY=1 runs only the unit programs (the harness self-test uses it).
build=${1:-build}
label=${WEIR_SUITE_LABEL-}
total_p=0
total_f=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT
closing='^[0-9]+ passed, [0-9]+ failed$'

# sets p and f from the last closing line of $1 (empty when there is none)
read_counts() {
    line=$(grep -E "$closing" "$1" | tail -n 1)
    p=$(echo "$line" | sed -nE 's/^([0-9]+) passed.*/\1/p')
    f=$(echo "$line" | sed -nE 's/^[0-9]+ passed, ([0-9]+) failed$/\1/p')
}

# prints "<name>$label: P passed, F failed" and adds to the totals
suite_line() {
    echo "$1$label: $2 passed, $3 failed"
    total_p=$((total_p + $2))
    total_f=$((total_f + $3))
}

# --- unit tests: each program counts its test functions (check.h)
unit_p=0
unit_f=0
programs=0
for t in "$build"/tests/test_*; do
    [ -f "$t" ] && [ -x "$t" ] || continue
    programs=$((programs + 1))
    name=$(basename "$t")
    CHECK_TRACE=1 "$t" >"$log" 2>&1
    rc=$?
    read_counts "$log"
    note=
    if [ -z "$line" ]; then
        # no closing line: it crashed.  Tests that finished count as they
        # ended; the one running counts as one failure; later ones never ran.
        p=$(grep -c '^ok: ' "$log")
        f=$(grep -c '^FAIL: ' "$log")
        f=$((f + 1))
        running=$(grep '^run: ' "$log" | tail -n 1 | sed 's/^run: //')
        note="crashed (exit status $rc) in ${running:-its setup}; the tests after it did not run"
    elif [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        # all tests passed but the program failed afterwards (e.g. a
        # LeakSanitizer report at exit): one more failed test
        f=1
        note="exit status $rc after all its tests passed"
    elif [ "$rc" -eq 0 ] && [ "$f" -ne 0 ]; then
        note="exit status 0 with failed tests"
        rc=1
    fi
    if [ "$rc" -ne 0 ]; then
        echo "FAIL: $build/tests/$name${note:+: $note}"
        grep -v -E "^(run|ok): |$closing" "$log" | head -n 40 | sed 's/^/    /'
    fi
    echo "  $name: $p passed, $f failed"
    unit_p=$((unit_p + p))
    unit_f=$((unit_f + f))
done
if [ "$programs" -eq 0 ]; then
    echo "FAIL: no unit test programs in $build/tests (not built?)"
    unit_f=$((unit_f + 1))
fi
suite_line "unit tests" "$unit_p" "$unit_f"

if [ "${WEIR_UNIT_ONLY-}" = 1 ]; then
    echo "$total_p passed, $total_f failed"
    [ "$total_f" -eq 0 ]
    exit
fi

# --- scripts that run the binary (tests/cli): each check counts once
cli_p=0
cli_f=0
scripts=0
for t in tests/cli/test_*.sh; do
    [ -f "$t" ] || continue
    scripts=$((scripts + 1))
    sh "$t" "$build" >"$log" 2>&1
    rc=$?
    read_counts "$log"
    if [ -z "$line" ]; then p=0; f=1; fi
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
    if [ "$rc" -ne 0 ]; then
        echo "FAIL: $t (exit status $rc)"
        grep -v -E "$closing" "$log" | head -n 20 | sed 's/^/    /'
    fi
    # a script that cannot run its checks here says so in one SKIP line
    grep '^SKIP: ' "$log" | sed 's/^/  /'
    echo "  $(basename "$t"): $p passed, $f failed"
    cli_p=$((cli_p + p))
    cli_f=$((cli_f + f))
done
[ "$scripts" -gt 0 ] && suite_line "command-line checks" "$cli_p" "$cli_f"

# --- the harness checks itself
tests/harness_selftest.sh >"$log" 2>&1
rc=$?
read_counts "$log"
if [ -z "$line" ]; then p=0; f=1; fi
if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
[ "$rc" -ne 0 ] && grep -v -E "$closing" "$log" | head -n 40
suite_line "harness self-test" "$p" "$f"

# --- SQL cases: one test per (case, run) and per oracle check (sqltest.c)
if [ -x "$build/tests/sqltest" ]; then
    "$build/tests/sqltest" "$build/weir" tests/sql >"$log" 2>&1
    rc=$?
    read_counts "$log"
    grep -v -E "$closing|^(SQL case runs|oracle checks): " "$log" | tail -n 60
    runs=$(grep -E '^SQL case runs: ' "$log" | tail -n 1)
    oracle=$(grep -E '^oracle checks: ' "$log" | tail -n 1)
    if [ -z "$line" ] || [ -z "$runs" ] || [ -z "$oracle" ]; then
        echo "FAIL: $build/tests/sqltest ended without its summary (exit status $rc)"
        suite_line "SQL case runs" 0 1
    else
        rp=$(echo "$runs" | sed -E 's/^[^:]*: ([0-9]+) passed.*/\1/')
        rf=$(echo "$runs" | sed -E 's/.* ([0-9]+) failed$/\1/')
        op=$(echo "$oracle" | sed -E 's/^[^:]*: ([0-9]+) passed.*/\1/')
        of=$(echo "$oracle" | sed -E 's/.* ([0-9]+) failed$/\1/')
        if [ "$rc" -ne 0 ] && [ $((rf + of)) -eq 0 ]; then
            echo "FAIL: $build/tests/sqltest: exit status $rc with no failed test"
            rf=1
        fi
        suite_line "SQL case runs" "$rp" "$rf"
        suite_line "oracle checks" "$op" "$of"
    fi
elif [ -e "$build/weir" ]; then
    echo "FAIL: $build/tests/sqltest is not built"
    suite_line "SQL case runs" 0 1
fi

echo "$total_p passed, $total_f failed"
[ "$total_f" -eq 0 ]
