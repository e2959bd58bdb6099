#!/bin/sh
# The test harness checks itself: small programs built against
# tests/unit/check.h, and tests/run_all.sh run on a scratch build directory
# holding them, must give the counts tests/README.md promises.  Each of the
# three checks below is one test; prints "N passed, N failed" last.
# Run from the repository root (run_all.sh does).
cc=${CC:-cc}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
result() {  # $1 = test name, $2 = 0 when it held
    if [ "$2" -eq 0 ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL: $1"
    fi
}
expect() {  # $1 = file, $2 = a line that must be in it (fixed string)
    grep -qxF -- "$2" "$1" && return 0
    echo "  missing line: $2"
    echo "  in:"
    sed 's/^/    /' "$1"
    return 1
}
build_prog() {  # $1 = output binary; the C text comes on stdin
    cat >"$tmp/src.c"
    $cc -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE -Itests/unit -o "$1" "$tmp/src.c"
}
run_failing() {  # runs $1 into out/err; ok=1 unless it exits 1 with $2 last
    "$1" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    ok=0
    [ "$rc" -eq 1 ] || { echo "  exit status $rc, want 1"; ok=1; }
    [ "$(tail -n 1 "$tmp/out")" = "$2" ] || { echo "  stdout:"; cat "$tmp/out"; ok=1; }
}
mkdir -p "$tmp/build/tests"

# 1. Six failing checks inside one test function (in a loop) are one failed
#    test; the passing tests around it count one each; exit status 1.
build_prog "$tmp/build/tests/test_fails" <<'EOF' || exit 1
#include "check.h"
static void test_passes(void) { for (int i = 0; i < 1000; i++) CHECK(i >= 0); }
static void test_fails(void)
{
    for (int i = 0; i < 10; i++) CHECK(i < 5);
    CHECK_STR("got", "want");
}
static void test_also_passes(void) { CHECK_STR("a", "a"); }
int main(void)
{
    RUN(test_passes);
    RUN(test_fails);
    RUN(test_also_passes);
    return check_done();
}
EOF
run_failing "$tmp/build/tests/test_fails" "2 passed, 1 failed"
expect "$tmp/err" "FAIL: test_fails (6 failing checks)" || ok=1
grep -qF ": test_fails: check failed: i < 5" "$tmp/err" || { echo "  no failing check named"; ok=1; }
grep -qF ': test_fails: got "got", want "want"' "$tmp/err" || { echo "  no CHECK_STR line"; ok=1; }
result "a failing check counts its test once" $ok

# 2. A check that fails outside any RUN is one more failed test.
build_prog "$tmp/outside" <<'EOF' || exit 1
#include "check.h"
static void test_passes(void) { CHECK(1); }
int main(void)
{
    CHECK(2 + 2 == 5);
    CHECK(0);
    RUN(test_passes);
    return check_done();
}
EOF
run_failing "$tmp/outside" "1 passed, 1 failed"
grep -qF "(outside a test): check failed: 2 + 2 == 5" "$tmp/err" || { echo "  not named"; ok=1; }
result "a check outside a test counts as one failed test" $ok

# 3. run_all.sh over a build holding: test_fails (2 passed, 1 failed), a
#    program that crashes in its second of three tests (1 passed, 1 failed),
#    one whose tests pass but whose exit status is not 0, as a leak report
#    at exit gives (1 passed, 1 failed), and a clean one (2 passed).
build_prog "$tmp/build/tests/test_crash" <<'EOF' || exit 1
#include <signal.h>
#include "check.h"
static void test_one(void) { CHECK(1); }
static void test_two(void) { raise(SIGSEGV); }
static void test_three(void) { CHECK(1); }
int main(void)
{
    RUN(test_one);
    RUN(test_two);
    RUN(test_three);
    return check_done();
}
EOF
build_prog "$tmp/build/tests/test_exit" <<'EOF' || exit 1
#include <unistd.h>
#include "check.h"
static void leave(void) { _exit(23); }
static void test_one(void) { CHECK(1); }
int main(void)
{
    atexit(leave);
    RUN(test_one);
    return check_done();
}
EOF
build_prog "$tmp/build/tests/test_clean" <<'EOF' || exit 1
#include "check.h"
static void test_one(void) { CHECK(1); }
static void test_two(void) { CHECK_STR("x", "x"); }
int main(void)
{
    RUN(test_one);
    RUN(test_two);
    return check_done();
}
EOF
WEIR_UNIT_ONLY=1 WEIR_SUITE_LABEL= tests/run_all.sh "$tmp/build" >"$tmp/out" 2>&1
rc=$?
ok=0
[ "$rc" -eq 1 ] || { echo "  run_all.sh exit status $rc, want 1"; ok=1; }
expect "$tmp/out" "  test_crash: 1 passed, 1 failed" || ok=1
expect "$tmp/out" "  test_exit: 1 passed, 1 failed" || ok=1
expect "$tmp/out" "  test_fails: 2 passed, 1 failed" || ok=1
expect "$tmp/out" "  test_clean: 2 passed, 0 failed" || ok=1
grep -qE "^FAIL: .*test_crash: crashed \(exit status [0-9]+\) in test_two" "$tmp/out" ||
    { echo "  the crash is not named"; ok=1; }
expect "$tmp/out" "unit tests: 6 passed, 3 failed" || ok=1
[ "$(tail -n 1 "$tmp/out")" = "6 passed, 3 failed" ] || { echo "  last line: $(tail -n 1 "$tmp/out")"; ok=1; }
result "run_all.sh counts failures, crashes and bad exits" $ok

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
