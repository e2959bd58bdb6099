#!/bin/sh
# test_decimal_oracle.sh BUILD - random DECIMAL(1..38) expressions checked
# against Python's decimal module (decimal_oracle.py): Flink's result types
# (by DESCRIBE), the exact result rounded HALF_UP to the result scale, and
# errors 22003 / 22012 (message, position and SQLSTATE).  One test per
# operation (add, sub, mul, div, mod, neg abs, round, floor ceil, cast,
# compare, agg) and per kind of error (overflow, division by zero), each
# passing only when every one of its random cases matches.  The cases come
# from a fixed seed; DECIMAL_ORACLE_SEED=N draws others (its FAIL lines
# name the SQL to rerun by hand).
. "$(dirname "$0")/lib.sh"
if ! command -v python3 >/dev/null; then
    fail "python3 is missing (scripts/setup.sh installs it)"
    cli_done
    exit
fi
python3 "$(dirname "$0")/decimal_oracle.py" "$weir" "$tmp" "${DECIMAL_ORACLE_SEED:-20261205}" \
    >"$tmp/out" 2>"$tmp/err"
status=$?
while IFS= read -r line; do
    case "$line" in
    ok\ *) ok ;;
    FAIL\ *) fail "${line#FAIL }" ;;
    esac
done <"$tmp/out"
if [ "$status" -ne 0 ] || ! grep -q '^ok \|^FAIL ' "$tmp/out"; then
    fail "decimal_oracle.py: exit status $status: $(tail -n 5 "$tmp/err" | head -c 600)"
fi
cli_done
