#!/bin/sh
# test_parquet.sh BUILD - the filesystem connector's parquet format end to
# end without DuckDB: part files hidden until the commit, rolling, INSERT
# OVERWRITE; row groups skipped by the pushed-down filter (proved by a
# corrupt row group that a filtered query never touches while a full scan
# reports it); errors naming the file: not Parquet, truncated, a column the
# file lacks, a type the file cannot give, bad options.  Each check counts
# once.
. "$(dirname "$0")/lib.sh"

# run_ok WHAT WANT SQL: weir's CSV output's last line is WANT
run_ok() {
    printf '%s\n' "$3" >"$tmp/q.sql"
    if "$weir" run --mode batch --format csv "$tmp/q.sql" >"$tmp/out" 2>"$tmp/err" &&
       [ "$(tail -n 1 "$tmp/out")" = "$2" ]; then ok
    else fail "$1: $(tail -n 1 "$tmp/out") $(head -c 300 "$tmp/err")"; fi
}

# run_err WHAT PATTERN SQL: weir fails with stderr matching PATTERN
run_err() {
    printf '%s\n' "$3" >"$tmp/q.sql"
    if ! "$weir" run --mode batch "$tmp/q.sql" >"$tmp/out" 2>"$tmp/err" && grep -q -- "$2" "$tmp/err"; then ok
    else fail "$1: $(head -c 300 "$tmp/err")"; fi
}

tbl() {
    echo "CREATE TABLE $1 (id BIGINT, s STRING, v DECIMAL(12, 2)) WITH ('connector' = 'filesystem',
      'path' = '$2', 'format' = 'parquet', 'parquet.block.rows' = '1000'$3);"
}
gen="CREATE TABLE g (id BIGINT, s STRING, v DECIMAL(12, 2)) WITH ('connector' = 'datagen',
  'number-of-rows' = '10000', 'fields.id.kind' = 'sequence', 'fields.id.start' = '0',
  'fields.id.end' = '9999', 'fields.s.length' = '5');"

# writes 10,000 rows in 10 row groups, one part file
run_ok "write" "" "$(tbl t "$tmp/p") $gen INSERT INTO t SELECT * FROM g;"
n=$(ls "$tmp/p" | wc -l)
if [ "$n" -eq 1 ] && ls "$tmp/p" | grep -q '^part-.*-0\.parquet$' && [ -z "$(ls -A "$tmp/p" | grep '^\.')" ]; then ok
else fail "one visible part file expected: $(ls -A "$tmp/p")"; fi
run_ok "read back" "10000,49995000" "$(tbl t "$tmp/p") SELECT COUNT(*), SUM(id) FROM t;"
run_ok "filtered" "100,504950" "$(tbl t "$tmp/p") SELECT COUNT(*), SUM(id) FROM t WHERE id >= 5000 AND id < 5100;"
run_ok "filtered, constant first" "1000" "$(tbl t "$tmp/p") SELECT COUNT(*) FROM t WHERE 9000 <= id;"
run_ok "IS NULL" "0" "$(tbl t "$tmp/p") SELECT COUNT(*) FROM t WHERE id IS NULL;"

# corrupt the first row group's pages (bytes 100..199 of the file): a scan
# of it fails naming the file; a filter that skips it by statistics works
f=$(ls "$tmp/p"/part-*)
printf '%0100d' 0 | dd of="$f" bs=1 seek=100 conv=notrunc 2>/dev/null
run_err "corrupt row group" "corrupt Parquet file \".*part-.*parquet\": column \"id\", row group 0" \
    "$(tbl t "$tmp/p") SELECT SUM(id) FROM t;"
run_ok "skipped corrupt row group" "5000" "$(tbl t "$tmp/p") SELECT COUNT(*) FROM t WHERE id >= 5000;"
run_ok "skipped by a conjunct" "10" \
    "$(tbl t "$tmp/p") SELECT COUNT(*) FROM t WHERE id > 8000 AND s IS NOT NULL AND id <= 8010;"

# rolling by size: several part files, all rows
run_ok "rolling" "" "$(tbl r "$tmp/r" ", 'sink.rolling-policy.file-size' = '1kb'") $gen INSERT INTO r SELECT * FROM g;"
n=$(ls "$tmp/r" | wc -l)
if [ "$n" -gt 1 ]; then ok; else fail "rolling: $n files"; fi
run_ok "rolled files read" "10000,49995000" "$(tbl r "$tmp/r") SELECT COUNT(*), SUM(id) FROM r;"

# INSERT OVERWRITE replaces; INSERT INTO adds
run_ok "overwrite" "" "$(tbl r "$tmp/r") INSERT OVERWRITE r VALUES (1, 'a', 1.50), (2, NULL, NULL);"
run_ok "overwritten" "2,3" "$(tbl r "$tmp/r") SELECT COUNT(*), SUM(id) FROM r;"
run_ok "append" "" "$(tbl r "$tmp/r") INSERT INTO r VALUES (3, 'c', -2.25);"
run_ok "appended" "3,6,-0.75" "$(tbl r "$tmp/r") SELECT COUNT(*), SUM(id), SUM(v) FROM r;"

# errors
printf 'a,b\n1,2\n3,4\n5,6\n7,8\n' >"$tmp/p/notes.csv"
run_err "not a Parquet file" 'notes.csv.*magic bytes' "$(tbl t "$tmp/p") SELECT COUNT(*) FROM t WHERE id > 5000;"
rm "$tmp/p/notes.csv"
head -c 300 "$f" >"$tmp/p/cut.parquet"
run_err "truncated" 'cut.parquet' "$(tbl t "$tmp/p") SELECT COUNT(*) FROM t WHERE id > 5000;"
rm "$tmp/p/cut.parquet"
run_err "missing column" 'column "w" of table t is not in Parquet file' \
    "CREATE TABLE t (id BIGINT, w INT) WITH ('connector' = 'filesystem', 'path' = '$tmp/r', 'format' = 'parquet'); SELECT w FROM t;"
run_err "incompatible type" 'column "s" of Parquet file .* is STRING, which cannot be read as BIGINT' \
    "CREATE TABLE t (id BIGINT, s BIGINT) WITH ('connector' = 'filesystem', 'path' = '$tmp/r', 'format' = 'parquet'); SELECT s FROM t;"
run_err "bad compression" "unsupported value \"lzma\" for 'parquet.compression'" \
    "$(tbl t "$tmp/x" ", 'parquet.compression' = 'lzma'") INSERT INTO t VALUES (1, 'a', 1.0);"
run_err "unknown option" "unsupported option 'parquet.bogus'" \
    "$(tbl t "$tmp/x" ", 'parquet.bogus' = '1'") SELECT * FROM t;"
# a failed job leaves no file behind
run_err "NOT NULL" "" \
    "CREATE TABLE nn (id INT NOT NULL) WITH ('connector' = 'filesystem', 'path' = '$tmp/nn', 'format' = 'parquet');
     CREATE TABLE src (id INT) WITH ('connector' = 'datagen', 'number-of-rows' = '5000', 'fields.id.null-rate' = '0.5');
     INSERT INTO nn SELECT id FROM src;"
if [ -z "$(ls -A "$tmp/nn" 2>/dev/null)" ]; then ok; else fail "a failed job left $(ls -A "$tmp/nn")"; fi

cli_done
