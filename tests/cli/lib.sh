# lib.sh - sourced by the tests/cli/test_*.sh scripts (not run by itself):
# the binary under test, a temp dir removed at exit, and the counters.
# A script calls ok/fail once per check and ends with cli_done, which
# prints "N passed, N failed" and gives the exit status.
weir=${1:-build}/weir
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

ok() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }

cli_done() {
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}
