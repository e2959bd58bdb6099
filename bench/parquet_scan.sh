#!/bin/bash
# parquet_scan.sh - weir's Parquet scans beside DuckDB's on the same files
# (issue 10: "full-scan and filtered-scan rate against DuckDB scanning the
# same Parquet files").  Two files of ROWS rows (default 10 M) with the same
# columns (id BIGINT ascending, k INT, v DECIMAL(12, 2), s STRING of 8
# letters): one written by weir (an INSERT into a 'format' = 'parquet'
# filesystem table, snappy, dictionary on, row groups of 122,880 rows as
# DuckDB's), one by DuckDB (COPY, its defaults).  On each, two queries:
#   full      SELECT COUNT(*), SUM(id), SUM(k), SUM(v), MAX(s) FROM t
#   filtered  SELECT COUNT(*), SUM(v) FROM t WHERE id >= R/2 AND id < R/2 + R/100
#             (1% of the rows; both engines skip row groups by statistics)
# weir: `weir run --mode batch`, CPU time from GNU time; DuckDB: threads = 1
# (weir is single-threaded) through bench/parquet_peer.mjs, CPU time of the
# node process during the query.  Median of REPEAT runs (default 3).  Prints
# a markdown table; the answers of the two engines must agree.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${ROWS:-10000000}
REPEAT=${REPEAT:-3}
DATA=${WEIR_BENCH_DIR:-/tmp/weir-bench}/parquet_scan_$ROWS
WEIR=${WEIR:-build/weir}
mkdir -p "$DATA"
[ -d bench/node_modules/@duckdb/node-api ] ||
    (cd bench && npm install --no-audit --no-fund --loglevel=error >&2)

cols="id BIGINT, k INT, v DECIMAL(12, 2), s STRING"
if [ ! -d "$DATA/weir" ]; then
    echo "parquet_scan: weir writes $DATA/weir" >&2
    "$WEIR" run --mode batch -e "
      CREATE TABLE g ($cols) WITH ('connector' = 'datagen', 'number-of-rows' = '$ROWS', 'rows-per-second' = '1000000000',
        'fields.id.kind' = 'sequence', 'fields.id.start' = '0', 'fields.id.end' = '$((ROWS - 1))',
        'fields.k.min' = '0', 'fields.k.max' = '1000000', 'fields.s.length' = '8');
      CREATE TABLE t ($cols) WITH ('connector' = 'filesystem', 'path' = '$DATA/weir.tmp',
        'format' = 'parquet', 'parquet.block.rows' = '122880');
      INSERT INTO t SELECT * FROM g;" >&2
    mv "$DATA/weir.tmp" "$DATA/weir"
fi
if [ ! -f "$DATA/duckdb.parquet" ]; then
    echo "parquet_scan: DuckDB writes $DATA/duckdb.parquet" >&2
    node bench/parquet_peer.mjs --threads 2 --sql "COPY (SELECT i AS id,
        (hash(i) % 1000001)::INTEGER AS k, ((hash(i + 1) % 10000000000)::BIGINT / 100.0)::DECIMAL(12, 2) AS v,
        substr(md5(i::VARCHAR), 1, 8) AS s FROM range(0, $ROWS) t(i))
        TO '$DATA/duckdb.parquet' (FORMAT parquet)" >/dev/null
fi

lo=$((ROWS / 2)); hi=$((ROWS / 2 + ROWS / 100))
q_full="SELECT COUNT(*), SUM(id), SUM(k), SUM(v), MAX(s) FROM t"
q_filt="SELECT COUNT(*), SUM(v) FROM t WHERE id >= $lo AND id < $hi"
q_num="SELECT COUNT(*), SUM(id), SUM(k), SUM(v) FROM t"
q_str="SELECT COUNT(*) FROM t WHERE s = 'abc'"

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "| file | query | engine | CPU s (median of $REPEAT) | wall s | M rows/s per CPU-s | answer |"
echo "| --- | --- | --- | ---: | ---: | ---: | --- |"
for file in weir duckdb; do
    if [ "$file" = weir ]; then path="$DATA/weir"; dpath="$DATA/weir/*.parquet"
    else path="$DATA/duckdb.parquet"; dpath="$DATA/duckdb.parquet"; fi
    for q in full numeric string filtered; do
        case $q in
        full) sql=$q_full ;;
        numeric) sql=$q_num ;;
        string) sql=$q_str ;;
        *) sql=$q_filt ;;
        esac
        wcpu=(); wwall=(); dcpu=(); dwall=()
        for _ in $(seq "$REPEAT"); do
            /usr/bin/time -f "%U %S %e" -o "$DATA/time" "$WEIR" run --mode batch --format csv -e "
              CREATE TABLE t ($cols) WITH ('connector' = 'filesystem', 'path' = '$path', 'format' = 'parquet');
              $sql" >"$DATA/weir.out"
            read -r u s e <"$DATA/time"
            wcpu+=("$(echo "$u + $s" | bc)"); wwall+=("$e")
            from="FROM read_parquet('$dpath')"
            line=$(node bench/parquet_peer.mjs --threads 1 --sql "${sql/FROM t/$from}")
            dcpu+=("$(echo "$line" | sed -E 's/.*"cpu_seconds":([0-9.]+).*/\1/')")
            dwall+=("$(echo "$line" | sed -E 's/.*"seconds":([0-9.]+).*/\1/')")
            danswer=$(echo "$line" | sed -E 's/.*"row":\[(.*)\].*/\1/; s/"//g')
        done
        wanswer=$(tail -n 1 "$DATA/weir.out")
        wc=$(printf '%s\n' "${wcpu[@]}" | median); ww=$(printf '%s\n' "${wwall[@]}" | median)
        dc=$(printf '%s\n' "${dcpu[@]}" | median); dw=$(printf '%s\n' "${dwall[@]}" | median)
        rate() { echo "scale=1; $ROWS / ($1 + 0.001) / 1000000" | bc; }
        echo "| $file | $q | weir | $wc | $ww | $(rate "$wc") | $wanswer |"
        echo "| $file | $q | DuckDB (1 thread) | $dc | $dw | $(rate "$dc") | $danswer |"
        echo "  weir CPU runs: ${wcpu[*]}; DuckDB: ${dcpu[*]}" >&2
    done
done
