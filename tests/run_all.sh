#!/bin/sh
# Runs every unit test program and the SQL cases against one build
# directory; prints one closing line "N passed, N failed" for the pass.
build=${1:-build}
passed=0
failed=0
add_counts() {  # reads a "N passed, N failed" line from $1
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1)
    if [ -z "$line" ]; then
        failed=$((failed + 1))
        return
    fi
    p=$(echo "$line" | sed -E 's/^([0-9]+) passed.*/\1/')
    f=$(echo "$line" | sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/')
    passed=$((passed + p))
    failed=$((failed + f))
}
log=$(mktemp)
for t in "$build"/tests/test_*; do
    [ -x "$t" ] || continue
    name=$(basename "$t")
    if "$t" >"$log" 2>&1; then :; else
        echo "FAIL: $build/tests/$name"
        grep -v -E '^[0-9]+ passed, [0-9]+ failed' "$log" | head -n 20
        # a crash leaves no closing line: count it as one failure
        grep -qE '^[0-9]+ passed, [0-9]+ failed' "$log" || echo "  (crashed or no result line)"
    fi
    add_counts "$log"
    echo "  $name: $(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)"
done
# scripts that run the binary (the command line); each check counts once
for t in tests/cli/test_*.sh; do
    [ -f "$t" ] || continue
    name=$(basename "$t")
    if sh "$t" "$build" >"$log" 2>&1; then :; else
        echo "FAIL: $t"
        grep -v -E '^[0-9]+ passed, [0-9]+ failed' "$log" | head -n 20
    fi
    add_counts "$log"
    echo "  $name: $(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)"
done
if [ -x "$build/tests/sqltest" ]; then
    "$build/tests/sqltest" "$build/weir" tests/sql >"$log" 2>&1
    grep -v -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 60
    add_counts "$log"
    echo "  sqltest: $(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)"
fi
rm -f "$log"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
