#!/usr/bin/env bash
# bench/run.sh - the GROUP BY benchmark (`make bench`): weir batch and
# streaming end to end through the CLI, the aggregate operator alone on
# in-memory batches, and DuckDB on the same CSV; checks every engine's
# checksums against the generator's and prints a summary table.
#
# Environment: WEIR_BENCH_DIR (data and binaries, default /tmp/weir-bench,
# never committed), BENCH_ROWS (10000000), BENCH_KEYS (1000000),
# BENCH_RETRACT_PCT (10), BENCH_REPEAT (3 runs of each, median shown), BENCH_SKIP (space-separated: weir duckdb agg cli-stream).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
DATA=${WEIR_BENCH_DIR:-/tmp/weir-bench}
ROWS=${BENCH_ROWS:-10000000}
KEYS=${BENCH_KEYS:-1000000}
RETRACT=${BENCH_RETRACT_PCT:-10}
REPEAT=${BENCH_REPEAT:-3}
SEED=42
SKIP=" ${BENCH_SKIP:-} "
WEIR=${WEIR:-$ROOT/build/weir}
LIMIT=900   # seconds; a run that takes longer is reported as a timeout
CC=${CC:-cc}
mkdir -p "$DATA"

say() { printf '%s\n' "$*" >&2; }
skipped() { [[ "$SKIP" == *" $1 "* ]]; }

# ---- tools: GNU time for peak RSS, node + @duckdb/node-api for the peer ----
install_pkgs() {
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        say "bench: installing $*"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null ||
            { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null; }
    else
        say "bench: please install $*"; return 1
    fi
}
[ -x /usr/bin/time ] || install_pkgs time
if ! skipped duckdb; then
    command -v node >/dev/null && command -v npm >/dev/null || install_pkgs nodejs npm
    [ -d bench/node_modules/@duckdb/node-api ] ||
        (cd bench && npm install --no-audit --no-fund --loglevel=error >&2)
fi

# ---- data ----
$CC -std=c11 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE bench/gen_data.c -o "$DATA/gen_data"
CSV=$DATA/groupby_${ROWS}_${KEYS}_${SEED}.csv
CDC=$DATA/groupby_${ROWS}_${KEYS}_${SEED}_r${RETRACT}.json
if [ ! -s "$CSV" ] || [ ! -s "$CSV.expect" ]; then
    say "bench: generating $CSV"
    "$DATA/gen_data" --rows "$ROWS" --keys "$KEYS" --seed "$SEED" "$CSV" >"$CSV.expect"
fi
if [ ! -s "$CDC" ] || [ ! -s "$CDC.expect" ]; then
    say "bench: generating $CDC"
    "$DATA/gen_data" --rows "$ROWS" --keys "$KEYS" --seed "$SEED" --retract-pct "$RETRACT" \
        --format debezium-json "$CDC" >"$CDC.expect"
fi
# "groups=G sum_c=C sum_s=S ..." -> "G,C,S"
expect_of() { sed -E 's/groups=([0-9-]+) sum_c=([0-9-]+) sum_s=([0-9-]+).*/\1,\2,\3/' "$1"; }
EXPECT_CSV=$(expect_of "$CSV.expect")
EXPECT_CDC=$(expect_of "$CDC.expect")

# ---- results: one line per run,
# "label|seconds|cpu_seconds|rss_kb|checksum|rows|expected checksum" ----
RESULTS=$DATA/results.txt
: >"$RESULTS"
record() { printf '%s|%s|%s|%s|%s|%s|%s\n' "$@" >>"$RESULTS"; }

# Runs a command under GNU time; sets T_WALL, T_CPU, T_RSS (or T_FAIL).
timed() {
    local tfile=$DATA/time.txt
    T_FAIL=""
    : >"$tfile"   # stays empty if the run is killed at the time limit
    if ! timeout "$LIMIT" /usr/bin/time -v -o "$tfile" "$@"; then
        T_FAIL="failed or timed out"
    fi
    T_WALL=$(awk -F': ' '/Elapsed \(wall clock\)/ {
        n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$tfile")
    T_CPU=$(awk -F': ' '/User time/ {u = $2} /System time/ {s = $2} END {printf "%.2f", u + s}' "$tfile")
    T_SPLIT=$(awk -F': ' '/User time/ {u = $2} /System time/ {s = $2} END {printf "user %.2f + sys %.2f", u, s}' "$tfile")
    T_RSS=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$tfile")
}

DDL_CSV="CREATE TABLE t (k BIGINT, v BIGINT) WITH ('connector' = 'filesystem', 'path' = '$CSV', 'format' = 'csv')"
# the same data with v as a 38-digit DECIMAL: 128-bit parsing and sums
DDL_CSV_DEC="CREATE TABLE t (k BIGINT, v DECIMAL(38, 2)) WITH ('connector' = 'filesystem', 'path' = '$CSV', 'format' = 'csv')"
DDL_CDC="CREATE TABLE t (k BIGINT, v BIGINT) WITH ('connector' = 'filesystem', 'path' = '$CDC', 'format' = 'debezium-json')"
Q_FULL="SELECT k, COUNT(*) AS c, SUM(v) AS s FROM t GROUP BY k"
Q_SUM="SELECT COUNT(*) AS g, SUM(c) AS sc, SUM(s) AS ss FROM ($Q_FULL) AS x"

# weir_run LABEL MODE DDL QUERY EXPECT: full result to /dev/null; the
# checksum query's result is compared with the generator's.
weir_run() {
    local label=$1 mode=$2 ddl=$3 query=$4 want=$5 out=$DATA/weir_out.csv
    say "bench: $label"
    local data_dir
    data_dir=$(mktemp -d)   # a fresh data directory: the CREATE of each run is its own
    timed "$WEIR" run --mode "$mode" --format csv --data "$data_dir" -e "$ddl; $query" >"$out" 2>"$DATA/weir_err.txt"
    rm -rf "$data_dir"
    local sum="-"
    if [ -n "$T_FAIL" ]; then
        sum="$T_FAIL: $(head -c 200 "$DATA/weir_err.txt" | tr '\n|' '  ')"
    elif [ "$query" = "$Q_SUM" ]; then
        sum=$(sed -n 2p "$out" | tr -d '\r' | sed -E 's/\.00$//')   # a DECIMAL(38, 2) sum: S.00
    else
        sum="rows=$(($(wc -l <"$out") - 1))"
    fi
    record "$label" "$T_WALL" "$T_CPU" "$T_RSS" "$sum; $T_SPLIT" "$ROWS" "$want"
}

run_weir() {
    skipped weir && return 0
    if [ ! -x "$WEIR" ]; then
        say "bench: $WEIR is missing (make build/weir); weir runs skipped"
    else
        weir_run "weir batch, CSV, all groups as CSV -> /dev/null" batch "$DDL_CSV" "$Q_FULL" "$EXPECT_CSV"
        weir_run "weir batch, CSV, checksum query" batch "$DDL_CSV" "$Q_SUM" "$EXPECT_CSV"
        weir_run "weir batch, CSV, v DECIMAL(38, 2), checksum query" batch "$DDL_CSV_DEC" "$Q_SUM" "$EXPECT_CSV"
        if ! skipped cli-stream; then
            weir_run "weir streaming, debezium-json ${RETRACT}% retractions, all groups as CSV -> /dev/null" \
                streaming "$DDL_CDC" "$Q_FULL" "$EXPECT_CDC"
            weir_run "weir streaming, debezium-json ${RETRACT}% retractions, checksum query" \
                streaming "$DDL_CDC" "$Q_SUM" "$EXPECT_CDC"
        fi
    fi
}

run_duckdb() {
    skipped duckdb && return 0
    for threads in 1 0; do
        for query in full checksum table-checksum decimal-checksum decimal-table-checksum; do
            local vtype=BIGINT q=$query label=$query
            if [[ "$query" == decimal-* ]]; then
                vtype="DECIMAL(38, 2)" q=${query#decimal-} label="${query#decimal-}, v DECIMAL(38, 2)"
            fi
            say "bench: duckdb $label threads=$threads"
            if line=$(timeout "$LIMIT" node bench/duckdb_peer.mjs --csv "$CSV" --query "$q" \
                    --threads "$threads" --value-type "$vtype"); then
                # {"engine":..,"threads":N,"seconds":S,"cpu_seconds":C,"max_rss_kb":R,"groups":"G",...}
                get() { printf '%s' "$line" | sed -E "s/.*\"$1\":\"?([^\",}]*).*/\1/"; }
                record "duckdb $label, threads=$(get threads)" "$(get seconds)" "$(get cpu_seconds)" \
                    "$(get max_rss_kb)" "$(get groups),$(get sum_c),$(get sum_s | sed -E 's/\.00$//')" \
                    "$ROWS" "$EXPECT_CSV"
            else
                record "duckdb $label, threads=$threads" - - - "failed" "$ROWS" -
            fi
        done
    done
}

AGG_OK=""
if ! skipped agg; then
    if make --no-print-directory -s build/libweir.a >&2 &&
        $CC -std=c11 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE -Isrc -Ibench bench/agg_bench.c \
            build/libweir.a -licuuc -lm -lpthread -o "$DATA/agg_bench"; then
        AGG_OK=1
    else
        say "bench: build/libweir.a or agg_bench does not build; agg runs skipped"
    fi
fi

run_agg() {
    [ -n "$AGG_OK" ] || return 0
        for mode in streaming batch; do
            want=$EXPECT_CDC; [ "$mode" = batch ] && want=$EXPECT_CSV
            say "bench: agg_bench $mode"
            if line=$(timeout "$LIMIT" "$DATA/agg_bench" --rows "$ROWS" --keys "$KEYS" \
                    --seed "$SEED" --retract-pct "$RETRACT" --mode "$mode"); then
                kv() { printf '%s' "$line" | sed -E "s/.*(^| )$1=([^ ]*).*/\2/"; }
                rss=$(( $(kv peak_rss_kb) - $(kv input_rss_kb) ))
                record "agg operator alone, $mode ($(kv retracts) retractions), in-memory batches" \
                    "$(kv seconds)" "$(kv cpu_seconds)" "+$rss" \
                    "$(kv groups),$(kv sum_c),$(kv sum_s) state=$(kv state_bytes)B out=$(kv out_rows); user $(kv user_seconds) + sys $(kv sys_seconds)" \
                    "$ROWS" "$want"
            else
                record "agg operator alone, $mode" - - - "failed" "$ROWS" -
            fi
        done
}

# Every measurement REPEAT times, the engines interleaved, so that a noisy
# moment of the (shared, virtualized) machine hits all of them alike; the
# summary shows each run's median by CPU time and the range.
for rep in $(seq 1 "$REPEAT"); do
    say "bench: round $rep of $REPEAT"
    run_weir
    run_duckdb
    run_agg
done

# ---- summary ----
{
    echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')," \
        "$(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
    echo "input: $ROWS rows, $KEYS key domain; expected checksum (groups,sum_c,sum_s):" \
        "insert-only $EXPECT_CSV; with ${RETRACT}% retractions $EXPECT_CDC"
    echo
    echo "| run | wall s | CPU s (median) | CPU s, all runs | rows/s per CPU-second | peak RSS MiB | checksum / output |"
    echo "| --- | ---: | ---: | --- | ---: | ---: | --- |"
    # per label (in order of first appearance): the run with the median CPU
    # time, all CPU times sorted, and how many runs got a wrong checksum
    awk -F'|' '
        { if (!($1 in n)) order[++labels] = $1
          k = ++n[$1]; line[$1, k] = $0; cpu[$1, k] = ($3 ~ /^[0-9.]+$/) ? $3 + 0 : 1e9
          split($5, got, /[ ;]/); if ($5 ~ /,.*,/ && got[1] != $7) bad[$1]++ }
        END { for (l = 1; l <= labels; l++) { lab = order[l]; m = n[lab]
                for (i = 1; i <= m; i++) idx[i] = i
                for (i = 2; i <= m; i++) for (j = i; j > 1 && cpu[lab, idx[j]] < cpu[lab, idx[j-1]]; j--) {
                    t = idx[j]; idx[j] = idx[j-1]; idx[j-1] = t }
                all = ""; for (i = 1; i <= m; i++) {
                    split(line[lab, idx[i]], f, "|"); all = all (i > 1 ? " / " : "") f[3] }
                print line[lab, idx[int((m + 1) / 2)]] "|" all "|" (bad[lab] + 0) } }' "$RESULTS" |
    while IFS='|' read -r label wall cpu rss sum rows want all nbad; do
        rate=-; mib=-
        if [[ "$cpu" =~ ^[0-9.]+$ ]] && awk "BEGIN {exit !($cpu > 0)}"; then
            rate=$(awk "BEGIN {printf \"%.2fM\", $rows / $cpu / 1e6}")
        fi
        if [[ "$rss" =~ ^\+?[0-9]+$ ]]; then
            mib=$(awk "BEGIN {printf \"%s%.0f\", \"${rss:0:1}\" == \"+\" ? \"+\" : \"\", ${rss#+} / 1024}")
        fi
        verdict=""
        if [[ "$sum" == *,*,* ]]; then
            [ "$nbad" = 0 ] && verdict=" ok" || verdict=" MISMATCH in $nbad run(s) (want $want)"
        fi
        echo "| $label | $wall | $cpu | $all | $rate | $mib | $sum$verdict |"
    done
    echo
    echo "agg operator peak RSS is the growth over the in-memory input (+MiB)."
} | tee "$DATA/summary.md"
