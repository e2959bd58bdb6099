#!/bin/sh
# test_store.sh - stored tables across runs and processes: the data of a
# stored table outlives the run that wrote it; a streaming read sees the
# table, then inserts, updates and deletes committed by other processes
# after it started (exact -U/+U/-D), until stopped; a second writer of the
# same table fails while the first runs; the data files are Parquet with the
# documented metadata beside them.
. "$(dirname "$0")/lib.sh"

D=$tmp/data
w() { "$weir_bin" run --data "$D" "$@"; }

# 1. data outlives the run
w --mode batch -e "CREATE TABLE t (k INT, v STRING, PRIMARY KEY (k) NOT ENFORCED) WITH ('bucket' = '2');
INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'c');" >/dev/null 2>"$tmp/err1" && ok || fail "create and insert: $(cat "$tmp/err1")"
out=$(w --mode batch --format csv -e "SELECT * FROM t" 2>&1 | sort)
[ "$out" = "$(printf '1,a\n2,b\n3,c\nk,v')" ] && ok || fail "the rows of an earlier run: $out"
[ -f "$D/tables/t/schema/schema-0" ] && [ -f "$D/tables/t/snapshot/snapshot-1" ] && ok || fail "schema-0 and snapshot-1 on disk"
grep -q '"commitKind" : "APPEND"' "$D/tables/t/snapshot/snapshot-1" && ok || fail "snapshot-1 is an APPEND commit"
n=$(find "$D/tables/t" -name 'data-*.parquet' | wc -l)
[ "$n" -ge 1 ] && head -c 4 "$(find "$D/tables/t" -name 'data-*.parquet' | head -1)" | grep -q PAR1 && ok || fail "Parquet data files ($n)"

# 2. a streaming read follows commits made after it started
"$weir_bin" run --data "$D" --format changelog -e "SELECT * FROM t /*+ OPTIONS('continuous.discovery-interval' = '20 ms') */" \
    >"$tmp/stream.out" 2>"$tmp/stream.err" &
reader=$!
sleep 0.5
w --mode batch -e "INSERT INTO t VALUES (2, 'bb'), (4, 'd');" >/dev/null 2>&1 && ok || fail "insert while a reader runs"
w --mode batch -e "DELETE FROM t WHERE k = 1;" >/dev/null 2>&1 && ok || fail "delete while a reader runs"
w --mode batch -e "UPDATE t SET v = 'cc' WHERE k = 3;" >/dev/null 2>&1 && ok || fail "update while a reader runs"
sleep 1
kill -TERM "$reader" 2>/dev/null
wait "$reader" 2>/dev/null
grep -c '^+I\[' "$tmp/stream.out" | grep -q '^4$' && ok || fail "the snapshot as +I then +I[4, d]: $(cat "$tmp/stream.out")"
grep -q '^-U\[2, b\]$' "$tmp/stream.out" && grep -q '^+U\[2, bb\]$' "$tmp/stream.out" && ok || fail "the update of 2 as -U/+U: $(cat "$tmp/stream.out")"
grep -q '^-D\[1, a\]$' "$tmp/stream.out" && ok || fail "the delete of 1 as -D: $(cat "$tmp/stream.out")"
grep -q '^-U\[3, c\]$' "$tmp/stream.out" && grep -q '^+U\[3, cc\]$' "$tmp/stream.out" && ok || fail "the update of 3 as -U/+U: $(cat "$tmp/stream.out")"
[ "$(wc -l <"$tmp/stream.out")" -eq 9 ] && ok || fail "nothing else in the stream: $(cat "$tmp/stream.out")"

# 3. one writer at a time: a streaming writer holds the table; a second fails clearly
w -e "CREATE TABLE gen (k INT, v STRING) WITH ('connector' = 'datagen', 'rows-per-second' = '10', 'fields.k.min' = '100', 'fields.k.max' = '200');" >/dev/null 2>&1
"$weir_bin" run --data "$D" -e "INSERT INTO t SELECT * FROM gen" >/dev/null 2>"$tmp/writer.err" &
writer=$!
sleep 0.7
w --mode batch -e "INSERT INTO t VALUES (9, 'x');" >/dev/null 2>"$tmp/second.err"
rc=$?
kill -TERM "$writer" 2>/dev/null
wait "$writer" 2>/dev/null
[ $rc -ne 0 ] && grep -q "being written by another writer" "$tmp/second.err" && ok || fail "a second writer fails: rc=$rc $(cat "$tmp/second.err")"

# 4. time travel through SQL
out=$(w --mode batch --format csv -e "SELECT * FROM t /*+ OPTIONS('scan.snapshot-id' = '1') */" 2>&1 | sort)
[ "$out" = "$(printf '1,a\n2,b\n3,c\nk,v')" ] && ok || fail "snapshot 1 by time travel: $out"
cli_done
