#!/bin/sh
# test_parquet_duckdb.sh BUILD - Parquet interoperability with DuckDB (an
# independent implementation, through npm @duckdb/node-api in
# bench/node_modules, installed here when missing), both ways:
#   (a) weir writes Parquet files of every type with NULLs (INSERT into a
#       'format' = 'parquet' filesystem table: edge values, then 20,000
#       generated rows over many row groups, dictionary and PLAIN, snappy /
#       zstd / gzip / none); DuckDB reads them and its values, printed in
#       weir's CSV text from DuckDB's raw values (tests/cli/parquet_duckdb.mjs),
#       are byte-identical to weir's own SELECT of the same files;
#   (b) DuckDB writes Parquet files (many types, NULLs, its default snappy,
#       TIMESTAMP_MS / _NS, TINYINT, SMALLINT, FLOAT, UUID, ENUM,
#       zstd with small row groups, PARQUET_VERSION v2 with its delta
#       encodings and data pages v2); weir reads them (SELECT, with
#       projection and row-group skipping filters) and prints exactly what
#       DuckDB reads from them; small ones are cut and flipped by
#       build/tests/test_parquet --fuzz (errors, never a crash).
# Without node or npm (or a registry to install from) it prints one SKIP
# line and counts nothing.  Each comparison counts once.
cd "$(dirname "$0")/../.."
. tests/cli/lib.sh
root=$(pwd)
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "SKIP: test_parquet_duckdb.sh: node and npm are not installed (apt-get install nodejs npm)"
    cli_done
    exit
fi
if [ ! -d bench/node_modules/@duckdb/node-api ]; then
    if ! (cd bench && timeout 300 npm install --no-audit --no-fund --loglevel=error) >"$tmp/npm" 2>&1; then
        echo "SKIP: test_parquet_duckdb.sh: npm could not install @duckdb/node-api: $(tail -n 1 "$tmp/npm")"
        cli_done
        exit
    fi
fi
duck() { node "$root/tests/cli/parquet_duckdb.mjs" "$@"; }

# same WHAT FILE1 FILE2: the two outputs are byte-identical
same() {
    if cmp -s "$2" "$3"; then ok
    else fail "$1: weir and DuckDB differ:
$(diff "$2" "$3" | head -n 10 | cat -v)"; fi
}

# weir_csv OUT SQL-FILE: weir's CSV output of the file's statements
weir_csv() {
    if ! "$weir" run --mode batch --format csv "$2" >"$1" 2>"$tmp/err"; then
        fail "weir run $2: $(head -c 300 "$tmp/err")"
        return 1
    fi
}

# ---- (a) weir writes, DuckDB reads ----

all_cols="b BOOLEAN, i INT, bi BIGINT, d DECIMAL(9, 2), dm DECIMAL(18, 4), dw DECIMAL(38, 6),
  x DOUBLE, s STRING, bs BYTES, dt DATE, tm TIME(3), ts TIMESTAMP(6), t3 TIMESTAMP(3),
  tl TIMESTAMP_LTZ(3), ivd INTERVAL DAY TO SECOND, ivy INTERVAL YEAR TO MONTH, nn INT NOT NULL"
all_types="BOOLEAN,INT,BIGINT,DECIMAL(9,2),DECIMAL(18,4),DECIMAL(38,6),DOUBLE,STRING,BYTES,DATE,TIME(3),TIMESTAMP(6),TIMESTAMP(3),TIMESTAMP_LTZ(3),INTERVAL_DT,INTERVAL_YM,INT"

for comp in snappy zstd gzip uncompressed; do
    dict=true
    [ "$comp" = gzip ] && dict=false
    out=$tmp/a_$comp
    cat >"$tmp/a_$comp.sql" <<EOF
CREATE TABLE t ($all_cols) WITH ('connector' = 'filesystem', 'path' = '$out', 'format' = 'parquet',
  'parquet.compression' = '$comp', 'parquet.block.rows' = '3000', 'parquet.page.size' = '4kb',
  'parquet.enable.dictionary' = '$dict');
CREATE TABLE g ($all_cols) WITH ('connector' = 'datagen', 'number-of-rows' = '20000',
  'fields.b.null-rate' = '0.1', 'fields.i.null-rate' = '0.1', 'fields.bi.null-rate' = '0.1',
  'fields.d.null-rate' = '0.1', 'fields.dm.null-rate' = '0.1', 'fields.dw.null-rate' = '0.1',
  'fields.x.null-rate' = '0.1', 'fields.s.null-rate' = '0.1', 'fields.s.length' = '3',
  'fields.bs.null-rate' = '0.1', 'fields.bs.length' = '12', 'fields.dt.null-rate' = '0.1',
  'fields.tm.null-rate' = '0.1', 'fields.ts.null-rate' = '0.1', 'fields.t3.null-rate' = '0.1',
  'fields.tl.null-rate' = '0.1', 'fields.ivd.null-rate' = '0.1', 'fields.ivy.null-rate' = '0.1',
  'fields.nn.kind' = 'sequence', 'fields.nn.start' = '1', 'fields.nn.end' = '20000');
INSERT INTO t VALUES
 (TRUE, 1, 10000000000, 12.34, 12345678901234.5678, 12345678901234567890.123456, 1.5, 'héllo wörld',
  X'00ff', DATE '2024-01-31', TIME '12:34:56.789', TIMESTAMP '2024-01-31 23:59:59.123456',
  TIMESTAMP '2024-01-31 23:59:59.123', TIMESTAMP '2024-01-31 23:59:59.123',
  INTERVAL '1 02:03:04.005' DAY TO SECOND, INTERVAL '3-4' YEAR TO MONTH, -1),
 (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, -2),
 (FALSE, -2147483648, -9223372036854775807, -9999999.99, -99999999999999.9999,
  -99999999999999999999999999999999.999999, 0.1, '', X'', DATE '1900-01-01', TIME '00:00:00',
  TIMESTAMP '1800-01-01 00:00:00', TIMESTAMP '1969-12-31 23:59:59.999', TIMESTAMP '1970-01-01 00:00:00',
  INTERVAL -'1 00:00:00.001' DAY TO SECOND, INTERVAL -'1-1' YEAR TO MONTH, -3),
 (TRUE, 2147483647, 9223372036854775807, 9999999.99, 99999999999999.9999,
  99999999999999999999999999999999.999999, 123456789.125, 'a', X'7f', DATE '9999-12-31',
  TIME '23:59:59.999', TIMESTAMP '9999-12-31 23:59:59.999999', TIMESTAMP '2262-04-11 23:47:16.854',
  TIMESTAMP '2038-01-19 03:14:08', INTERVAL '-0 00:00:01' DAY TO SECOND, INTERVAL '0-0' YEAR TO MONTH, -4);
INSERT INTO t SELECT * FROM g;
EOF
    if "$weir" run --mode batch "$tmp/a_$comp.sql" >"$tmp/out" 2>"$tmp/err"; then
        # weir reads back what it wrote; DuckDB reads the same files
        printf "CREATE TABLE t (%s) WITH ('connector' = 'filesystem', 'path' = '%s', 'format' = 'parquet');\nSELECT * FROM t ORDER BY nn;\n" \
            "$all_cols" "$out" >"$tmp/ra.sql"
        if weir_csv "$tmp/weir_a.csv" "$tmp/ra.sql"; then
            if duck render "$all_types" "SELECT * FROM read_parquet('$out/*.parquet') ORDER BY nn" \
                    >"$tmp/duck_a.csv" 2>"$tmp/err"; then
                same "(a) weir writes $comp, DuckDB reads" "$tmp/weir_a.csv" "$tmp/duck_a.csv"
            else
                fail "(a) $comp: DuckDB: $(head -c 300 "$tmp/err")"
            fi
        fi
    else
        fail "(a) weir writes $comp: $(head -c 300 "$tmp/err")"
    fi
done

# DuckDB sees the types weir means (schema as DuckDB maps it)
duck render "STRING,STRING" "SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet('$tmp/a_zstd/*.parquet'))" \
    >"$tmp/desc.csv" 2>"$tmp/err"
cat >"$tmp/desc_want.csv" <<'EOF'
column_name,column_type
b,BOOLEAN
i,INTEGER
bi,BIGINT
d,"DECIMAL(9,2)"
dm,"DECIMAL(18,4)"
dw,"DECIMAL(38,6)"
x,DOUBLE
s,VARCHAR
bs,BLOB
dt,DATE
tm,TIME
ts,TIMESTAMP
t3,TIMESTAMP
tl,TIMESTAMP WITH TIME ZONE
ivd,INTERVAL
ivy,INTERVAL
nn,INTEGER
EOF
same "(a) DuckDB's types of weir's columns" "$tmp/desc.csv" "$tmp/desc_want.csv"

# ---- (b) DuckDB writes, weir reads ----

mkdir -p "$tmp/b1" "$tmp/b2" "$tmp/b3" "$tmp/b4"
gen="SELECT i::INTEGER AS i,
  CASE WHEN i % 11 = 0 THEN NULL ELSE i * 1000003 END::BIGINT AS bi,
  CASE WHEN i % 13 = 0 THEN NULL ELSE (i * 37 % 100000) / 100 END::DECIMAL(10, 2) AS d,
  CASE WHEN i % 7 = 0 THEN NULL ELSE (i::HUGEINT * 98765432109876543 - 5e20::HUGEINT) END::DECIMAL(30, 4) AS dw,
  CASE WHEN i % 5 = 0 THEN NULL ELSE i / 7.0 END::DOUBLE AS x,
  CASE WHEN i % 9 = 0 THEN NULL ELSE (i / 3.0)::FLOAT END AS f,
  CASE WHEN i % 3 = 0 THEN NULL ELSE 'str-' || (i % 50)::VARCHAR END AS s,
  CASE WHEN i % 4 = 0 THEN NULL ELSE 'long text value number ' || i::VARCHAR END AS ls,
  CASE WHEN i % 6 = 0 THEN NULL ELSE encode('b' || i::VARCHAR) END AS bs,
  CASE WHEN i % 8 = 0 THEN NULL ELSE DATE '2000-01-01' + (i * 3)::INTEGER END AS dt,
  CASE WHEN i % 10 = 0 THEN NULL ELSE TIME '00:00:00' + to_milliseconds(i * 4321) END AS tm,
  CASE WHEN i % 12 = 0 THEN NULL ELSE TIMESTAMP '2020-01-01 00:00:00' + to_microseconds(i::BIGINT * 123456789) END AS ts,
  CASE WHEN i % 14 = 0 THEN NULL ELSE TIMESTAMPTZ '2021-06-01 00:00:00+00' + to_seconds(i * 77) END AS tz,
  CASE WHEN i % 15 = 0 THEN NULL ELSE i % 2 = 0 END AS b,
  CASE WHEN i % 16 = 0 THEN NULL ELSE (i % 100)::SMALLINT END AS sm,
  CASE WHEN i % 17 = 0 THEN NULL ELSE to_days(i % 40) + to_milliseconds(i * 1001) END AS iv,
  CASE WHEN i % 18 = 0 THEN NULL ELSE (TIMESTAMP '1999-12-31 23:00:00' + to_milliseconds(i * 7777))::TIMESTAMP_MS END AS tms,
  CASE WHEN i % 19 = 0 THEN NULL ELSE (TIMESTAMP '1960-01-01 00:00:00' + to_microseconds(i * 1234567))::TIMESTAMP_NS END AS tns,
  CASE WHEN i % 20 = 0 THEN NULL ELSE (i % 120 - 60)::TINYINT END AS ti,
  CASE WHEN i % 21 = 0 THEN NULL ELSE ('00000000-0000-4000-8000-' || lpad(i::VARCHAR, 12, '0'))::UUID END AS u,
  CASE WHEN i % 22 = 0 THEN NULL ELSE (['red', 'green', 'blue'])[i % 3 + 1]::ENUM('red', 'green', 'blue') END AS e
FROM range(0, 10000) t(i)"
cols_b="i INT, bi BIGINT, d DECIMAL(10, 2), dw DECIMAL(30, 4), x DOUBLE, f DOUBLE, s STRING, ls STRING,
  bs BYTES, dt DATE, tm TIME(3), ts TIMESTAMP(6), tz TIMESTAMP_LTZ(6), b BOOLEAN, sm INT,
  iv INTERVAL DAY TO SECOND, tms TIMESTAMP(3), tns TIMESTAMP(6), ti INT, u STRING, e STRING"
types_b="INT,BIGINT,DECIMAL(10,2),DECIMAL(30,4),DOUBLE,DOUBLE,STRING,STRING,BYTES,DATE,TIME(3),TIMESTAMP(6),TIMESTAMP_LTZ(6),BOOLEAN,INT,INTERVAL_DT,TIMESTAMP(3),TIMESTAMP(6),INT,STRING,STRING"
if duck exec "COPY ($gen) TO '$tmp/b1/default.parquet' (FORMAT parquet)" \
        "COPY ($gen) TO '$tmp/b2/zstd.parquet' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 1024)" \
        "COPY ($gen) TO '$tmp/b3/v2.parquet' (FORMAT parquet, PARQUET_VERSION v2, ROW_GROUP_SIZE 2048)" \
        "COPY ($gen) TO '$tmp/b4/gzip.parquet' (FORMAT parquet, COMPRESSION gzip, ROW_GROUP_SIZE 3000)" \
        "COPY (SELECT i, [i, i + 1] AS l, {'a': i} AS st FROM range(0, 10) t(i)) TO '$tmp/nested.parquet' (FORMAT parquet)" \
        "COPY ($gen LIMIT 400) TO '$tmp/fz_v2.parquet' (FORMAT parquet, PARQUET_VERSION v2, ROW_GROUP_SIZE 150)" \
        "COPY ($gen LIMIT 400) TO '$tmp/fz_v1.parquet' (FORMAT parquet, ROW_GROUP_SIZE 150)" \
        2>"$tmp/err"; then
    for b in b1 b2 b3 b4; do
        f=$(ls "$tmp/$b")
        for q in "SELECT * FROM t" \
                 "SELECT s, i, dw FROM t WHERE i >= 5000 AND i < 5100" \
                 "SELECT i, tz, ls FROM t WHERE ls > 'long text value number 9990' OR i = 3" \
                 "SELECT COUNT(*), SUM(bi), MIN(ts), MAX(d) FROM t WHERE bi IS NULL"; do
            printf "CREATE TABLE t (%s) WITH ('connector' = 'filesystem', 'path' = '%s', 'format' = 'parquet');\n%s;\n" \
                "$cols_b" "$tmp/$b" "$q" >"$tmp/rb.sql"
            weir_csv "$tmp/weir_b.csv" "$tmp/rb.sql" || continue
            dq=$(echo "$q" | sed "s|FROM t|FROM read_parquet('$tmp/$b/$f')|")
            case "$q" in
            "SELECT *"*) types=$types_b ;;
            "SELECT s, i, dw"*) types="STRING,INT,DECIMAL(30,4)" ;;
            "SELECT i, tz, ls"*) types="INT,TIMESTAMP_LTZ(6),STRING" ;;
            *) types="BIGINT,DECIMAL(38,0),TIMESTAMP(6),DECIMAL(10,2)"
               dq="SELECT COUNT(*), SUM(bi)::DECIMAL(38,0), MIN(ts), MAX(d) FROM read_parquet('$tmp/$b/$f') WHERE bi IS NULL" ;;
            esac
            if duck render "$types" "$dq" >"$tmp/duck_b.csv" 2>"$tmp/err"; then
                # the header names the columns as each engine does: compare rows
                tail -n +2 "$tmp/weir_b.csv" >"$tmp/wb"
                tail -n +2 "$tmp/duck_b.csv" >"$tmp/db"
                same "(b) DuckDB writes $f, weir reads: $q" "$tmp/wb" "$tmp/db"
            else
                fail "(b) $f: DuckDB: $(head -c 300 "$tmp/err")"
            fi
        done
    done
    # a nested column: readable beside it, a clear error when read
    printf "CREATE TABLE n (i BIGINT) WITH ('connector' = 'filesystem', 'path' = '%s', 'format' = 'parquet');\nSELECT SUM(i) FROM n;\n" \
        "$tmp/nested.parquet" >"$tmp/n.sql"
    if "$weir" run --mode batch --format csv "$tmp/n.sql" >"$tmp/out" 2>"$tmp/err" && [ "$(tail -n 1 "$tmp/out")" = 45 ]; then ok
    else fail "nested file, flat column: $(cat "$tmp/out" "$tmp/err" | head -c 300)"; fi
    printf "CREATE TABLE n (i BIGINT, l STRING) WITH ('connector' = 'filesystem', 'path' = '%s', 'format' = 'parquet');\nSELECT l FROM n;\n" \
        "$tmp/nested.parquet" >"$tmp/n.sql"
    if ! "$weir" run --mode batch "$tmp/n.sql" >"$tmp/out" 2>"$tmp/err" &&
       grep -q 'column "l" of Parquet file ".*nested.parquet" is a nested group' "$tmp/err"; then ok
    else fail "nested column read: $(cat "$tmp/out" "$tmp/err" | head -c 300)"; fi
    # DuckDB's encodings (dictionary, delta, v2 pages) cut and flipped: errors
    # or rows, never a crash (under ASan in the build-asan suite)
    for fz in fz_v1 fz_v2; do
        if "$(dirname "$weir_bin")/tests/test_parquet" --fuzz "$tmp/$fz.parquet" 600 >"$tmp/out" 2>&1 &&
           [ "$(tail -n 1 "$tmp/out")" = "1 passed, 0 failed" ]; then ok
        else fail "fuzzing DuckDB's $fz.parquet: $(tail -n 5 "$tmp/out")"; fi
    done
else
    fail "(b) DuckDB could not write: $(head -c 300 "$tmp/err")"
fi

cli_done
