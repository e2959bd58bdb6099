#!/bin/bash
# store_run.sh - the table store's benchmarks (issue 10), one core:
#
#  1. bench/store_bench.c, the store's C API alone: ROWS upserts (default
#     10 M) over KEYS keys (1 M) into a primary-key table (k BIGINT, v BIGINT,
#     s STRING of 16 bytes), committed every COMMIT rows (1 M) with universal
#     compaction running; then a full compaction, write amplification, files
#     and bytes on disk, point lookups (one key per call: latency; 1,000 per
#     call: rate) and scans.
#  2. The same through SQL: `INSERT INTO t SELECT .. FROM datagen` in batch
#     mode (one commit), generation included; then CALL sys.compact.
#  3. Scans of a stored table of ROWS distinct keys (one INSERT) beside
#     DuckDB reading the same Parquet files (the live files, listed by
#     big$files): a full scan and a 1% key range.
#     weir: `weir run --mode batch`, CPU of the whole process (start, catalog,
#     snapshot and manifests included) by bench/cpu_time.py;
#     DuckDB: threads = 1 through bench/parquet_peer.mjs, CPU of the query.
#     Median of REPEAT runs (default 3).  The answers must agree.
#     Then "merged": a table of five overlapping commits never compacted
#     (several sorted runs: weir's read merges them), beside DuckDB
#     computing the same state from the same files (arg_max by
#     _SEQUENCE_NUMBER per key, deletes dropped).
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${ROWS:-10000000}
KEYS=${KEYS:-1000000}
COMMIT=${COMMIT:-1000000}
REPEAT=${REPEAT:-3}
WEIR=${WEIR:-build/weir}
DATA=${WEIR_BENCH_DIR:-/tmp/weir-bench}/store_${ROWS}_${KEYS}
rm -rf "$DATA"
mkdir -p "$DATA"
[ -d bench/node_modules/@duckdb/node-api ] ||
    (cd bench && npm install --no-audit --no-fund --loglevel=error >&2)

echo "## 1. store_bench (C API): $ROWS upserts over $KEYS keys, a commit every $COMMIT rows"
cc -std=c11 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE -Isrc bench/store_bench.c build/libweir.a \
    -licuuc -lzstd -lsnappy -lz -lm -lpthread -o "$DATA/store_bench"
"$DATA/store_bench" "$DATA/api" --rows "$ROWS" --keys "$KEYS" --commit "$COMMIT" --lookups 100000

echo "## 2. SQL: INSERT INTO a stored primary-key table from datagen ($ROWS rows, $KEYS keys), batch"
/usr/bin/time -f "%U %S %e %M" -o "$DATA/time" "$WEIR" run --mode batch --data "$DATA/sql" -e "
  CREATE TABLE t (k BIGINT, v BIGINT, s STRING, PRIMARY KEY (k) NOT ENFORCED);
  CREATE TEMPORARY TABLE g (k BIGINT, v BIGINT, s STRING) WITH ('connector' = 'datagen',
    'number-of-rows' = '$ROWS', 'rows-per-second' = '1000000000',
    'fields.k.min' = '0', 'fields.k.max' = '$((KEYS - 1))', 'fields.v.min' = '0',
    'fields.v.max' = '1000000', 'fields.s.length' = '16');
  INSERT INTO t SELECT * FROM g;" >/dev/null
read -r u s e m <"$DATA/time"
cpu=$(echo "$u + $s" | bc)
echo "sql_upsert rows=$ROWS cpu_s=$cpu wall_s=$e rows_per_cpu_s=$(echo "$ROWS / $cpu" | bc) peak_rss_kib=$m"
/usr/bin/time -f "%U %S %e" -o "$DATA/time" "$WEIR" run --mode batch --data "$DATA/sql" \
    -e "CALL sys.compact('t')" >/dev/null
read -r u s e <"$DATA/time"
echo "sql_compact cpu_s=$(echo "$u + $s" | bc)"
"$WEIR" run --mode batch --format csv --data "$DATA/sql" \
    -e "SELECT snapshot_id, commit_kind, total_record_count, file_count, file_size_in_bytes FROM t\$snapshots" |
    sed 's/^/  /'

echo "## 3. scans of a stored table of $ROWS distinct keys beside DuckDB on its live files"
"$WEIR" run --mode batch --data "$DATA/sql" -e "
  CREATE TABLE big (k BIGINT, v BIGINT, s STRING, PRIMARY KEY (k) NOT ENFORCED);
  CREATE TEMPORARY TABLE g (k BIGINT, v BIGINT, s STRING) WITH ('connector' = 'datagen',
    'number-of-rows' = '$ROWS', 'rows-per-second' = '1000000000', 'fields.k.kind' = 'sequence',
    'fields.k.start' = '0', 'fields.k.end' = '$((ROWS - 1))', 'fields.v.min' = '0',
    'fields.v.max' = '1000000', 'fields.s.length' = '16');
  INSERT INTO big SELECT * FROM g;" >/dev/null
# a table of five overlapping commits (commit i: keys [i*ROWS/10, i*ROWS/10 + ROWS/5)),
# never compacted: a read merges its sorted runs
"$WEIR" run --mode batch --data "$DATA/sql" -e "
  CREATE TABLE runs (k BIGINT, v BIGINT, s STRING, PRIMARY KEY (k) NOT ENFORCED) WITH ('write-only' = 'true');" >/dev/null
for i in 0 1 2 3 4; do
    "$WEIR" run --mode batch --data "$DATA/sql" -e "
  CREATE TEMPORARY TABLE g (k BIGINT, v BIGINT, s STRING) WITH ('connector' = 'datagen',
    'number-of-rows' = '$((ROWS / 5))', 'rows-per-second' = '1000000000', 'fields.k.kind' = 'sequence',
    'fields.k.start' = '$((i * ROWS / 10))', 'fields.k.end' = '$((i * ROWS / 10 + ROWS / 5 - 1))',
    'fields.v.min' = '0', 'fields.v.max' = '1000000', 'fields.s.length' = '16');
  INSERT INTO runs SELECT * FROM g;" >/dev/null
done
list_files() {
    "$WEIR" run --mode batch --format csv --data "$DATA/sql" -e "SELECT file_path FROM $1\$files" |
        tail -n +2 | sed "s/.*/'&'/" | paste -sd, -
}
files=$(list_files big)
run_files=$(list_files runs)
echo "table runs: $(echo "$run_files" | tr , '\n' | wc -l) files (sorted runs) of $ROWS rows"
lo=$((ROWS / 2)); hi=$((ROWS / 2 + ROWS / 100))
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "| query | weir CPU s | DuckDB CPU s | weir / DuckDB | answer |"
echo "| --- | ---: | ---: | ---: | --- |"
# merged: DuckDB computes the same merged state from the same files (the
# last version of each key by _SEQUENCE_NUMBER, deletes (kind 3) dropped)
for q in full filtered merged; do
    case $q in
    full) sql="SELECT COUNT(*), SUM(v) FROM big"
          peer="${sql/FROM big/FROM read_parquet([$files])}" ;;
    filtered) sql="SELECT COUNT(*), SUM(v) FROM big WHERE k >= $lo AND k < $hi"
          peer="${sql/FROM big/FROM read_parquet([$files])}" ;;
    merged) sql="SELECT COUNT(*), SUM(v) FROM runs"
          peer="SELECT COUNT(*), SUM(v) FROM (SELECT k, arg_max(v, _SEQUENCE_NUMBER) AS v,
                arg_max(_VALUE_KIND, _SEQUENCE_NUMBER) AS kind FROM read_parquet([$run_files])
                GROUP BY k) WHERE kind <> 3" ;;
    esac
    wcpu=(); dcpu=()
    for _ in $(seq "$REPEAT"); do
        wcpu+=("$(OUT="$DATA/weir.out" python3 bench/cpu_time.py "$WEIR" run --mode batch --format csv \
            --data "$DATA/sql" -e "$sql")")
        line=$(node bench/parquet_peer.mjs --threads 1 --sql "$peer")
        dcpu+=("$(echo "$line" | sed -E 's/.*"cpu_seconds":([0-9.]+).*/\1/')")
        danswer=$(echo "$line" | sed -E 's/.*"row":\[(.*)\].*/\1/; s/"//g')
    done
    wanswer=$(tail -n 1 "$DATA/weir.out")
    wc=$(printf '%s\n' "${wcpu[@]}" | median); dc=$(printf '%s\n' "${dcpu[@]}" | median)
    [ "$wanswer" = "$danswer" ] || { echo "store_run: answers differ: weir $wanswer, DuckDB $danswer" >&2; exit 1; }
    echo "| $q | $wc | $dc | $(echo "scale=2; $wc / $dc" | bc)x | $wanswer |"
done
du -sb "$DATA/sql/tables/t" | awk '{print "upsert table directory bytes: " $1}'
