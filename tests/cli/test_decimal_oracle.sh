#!/bin/sh
# test_decimal_oracle.sh - random DECIMAL(1..38) + - * / % and CAST checked
# against exact integer arithmetic in Python (decimal_oracle.py): Flink's
# result types, HALF_UP from the exact result, 22003/22012 errors.  One
# test per operation and per operation's errors, each over many cases.
. "$(dirname "$0")/lib.sh"
if ! command -v python3 >/dev/null; then
    fail "python3 is missing (scripts/setup.sh installs it)"
    cli_done
    exit
fi
python3 "$(dirname "$0")/decimal_oracle.py" "$weir" "$tmp" >"$tmp/out" 2>"$tmp/err"
while IFS= read -r line; do
    case "$line" in
    ok\ *) ok ;;
    FAIL\ *) fail "${line#FAIL }" ;;
    esac
done <"$tmp/out"
[ -s "$tmp/out" ] || fail "decimal_oracle.py printed nothing: $(head -c 300 "$tmp/err")"
cli_done
