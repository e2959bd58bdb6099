#!/bin/sh
# The whole suite (what `make test` runs after building both): every suite
# of tests/run_all.sh on the normal build, then again on the ASan+UBSan
# build, each with its labelled lines; the closing line "N passed, N failed"
# sums both passes and is always the last line.  Exits 1 if any test failed.
total_p=0
total_f=0
for build in build build-asan; do
    echo "== $build"
    case $build in
        build-asan) label=" (ASan+UBSan)" ;;
        build) label= ;;
        *) label=" ($build)" ;;
    esac
    out=$(mktemp)
    WEIR_SUITE_LABEL=$label \
        ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
        tests/run_all.sh "$build" >"$out" 2>&1
    rc=$?
    grep -v -E '^[0-9]+ passed, [0-9]+ failed$' "$out"
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$out" | tail -n 1)
    p=$(echo "$line" | sed -nE 's/^([0-9]+) passed.*/\1/p')
    f=$(echo "$line" | sed -nE 's/^[0-9]+ passed, ([0-9]+) failed$/\1/p')
    # no closing line, or a failing exit with none counted: one failure
    if [ -z "$line" ] || { [ "$rc" -ne 0 ] && [ "${f:-0}" -eq 0 ]; }; then
        echo "FAIL: tests/run_all.sh $build: exit status $rc"
        f=$((${f:-0} + 1))
    fi
    echo "$build total: ${p:-0} passed, $f failed"
    total_p=$((total_p + ${p:-0}))
    total_f=$((total_f + f))
    rm -f "$out"
done
echo "$total_p passed, $total_f failed"
[ "$total_f" -eq 0 ]
