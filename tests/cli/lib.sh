# lib.sh - sourced by the tests/cli/test_*.sh scripts (not run by itself):
# the binary under test, a temp dir removed at exit, and the counters.
# A script calls ok/fail once per check and ends with cli_done, which
# prints "N passed, N failed" and gives the exit status.
#
# $weir runs the binary with a fresh data directory (under $tmp) for every
# `weir run`, so that no run sees the catalog of another (scripts CREATE
# the same tables run after run) and nothing is written outside $tmp;
# $weir_bin is the binary itself, for tests of the data directory.
weir_bin=${1:-build}/weir
case $weir_bin in /*) ;; *) weir_bin=$(pwd)/$weir_bin ;; esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
weir=$tmp/weir-fresh-data
cat >"$weir" <<WRAPPER
#!/bin/sh
if [ "\$1" = run ]; then
    shift
    exec "$weir_bin" run --data "\$(mktemp -d "$tmp/data.XXXXXX")" "\$@"
fi
exec "$weir_bin" "\$@"
WRAPPER
chmod +x "$weir"
passed=0
failed=0

ok() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }

cli_done() {
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}
