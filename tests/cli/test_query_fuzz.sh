#!/bin/sh
# test_query_fuzz.sh BUILD -- random joins and subqueries checked against
# SQLite (tests/cli/query_fuzz.py): one check per seed, each 60 queries
# over fresh random tables, in batch mode and streaming mode (one row per
# batch).  QUERY_FUZZ_SEEDS="a b c" draws other cases.
cd "$(dirname "$0")/../.."
. tests/cli/lib.sh
for seed in ${QUERY_FUZZ_SEEDS:-1 2 3 4 5}; do
    mkdir -p "$tmp/$seed"
    if python3 tests/cli/query_fuzz.py "$weir" "$tmp/$seed" "$seed" 60 > "$tmp/out" 2>&1; then
        ok
    else
        fail "seed $seed: $(head -3 "$tmp/out")"
    fi
done
cli_done
