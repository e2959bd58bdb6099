#!/bin/sh
# The whole suite: the normal build, then the ASan+UBSan build; one closing
# line that sums both passes.
total_p=0
total_f=0
for build in build build-asan; do
    echo "== $build"
    out=$(mktemp)
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
        tests/run_all.sh "$build" >"$out" 2>&1
    cat "$out" | grep -v -E '^[0-9]+ passed, [0-9]+ failed$'
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$out" | tail -n 1)
    p=$(echo "$line" | sed -E 's/^([0-9]+) passed.*/\1/')
    f=$(echo "$line" | sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/')
    echo "   $build: $line"
    total_p=$((total_p + ${p:-0}))
    total_f=$((total_f + ${f:-1}))
    rm -f "$out"
done
echo "$total_p passed, $total_f failed"
[ "$total_f" -eq 0 ]
