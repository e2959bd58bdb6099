#!/bin/sh
# test_catalog.sh BUILD - the catalog kept in a data directory (--data):
# tables and views outlive the run that created them, TEMPORARY ones do
# not, DROP persists and removes a stored table's directory, IF NOT
# EXISTS, the file is readable text with its version line, a corrupt
# catalog is an error naming the file (and nothing is written), a run with
# no DDL writes nothing, and concurrent processes on one directory neither
# lose objects nor both create one name.
# Each check counts once; the last line is "N passed, N failed".
. "$(dirname "$0")/lib.sh"

# run DIR ARGS...: weir run --data DIR ARGS (stdout in $tmp/out, stderr in
# $tmp/err, status in $status)
run() {
    dir=$1
    shift
    "$weir_bin" run --data "$dir" "$@" >"$tmp/out" 2>"$tmp/err"
    status=$?
}
# check WHAT CONDITION...
check() {
    what=$1
    shift
    if "$@"; then ok; else fail "$what (status $status; stdout: $(head -c 400 "$tmp/out"); stderr: $(head -c 400 "$tmp/err"))"; fi
}
out_is() { [ "$(cat "$tmp/out")" = "$1" ]; }
err_has() { grep -q -e "$1" "$tmp/err"; }
succeeded() { [ "$status" -eq 0 ] && [ ! -s "$tmp/err" ]; }

printf '1,apple,3\n2,pear,5\n3,fig,7\n' >"$tmp/items.csv"
D=$tmp/db

# 1. a run without DDL writes nothing, not even the directory
run "$D" --mode batch --format csv -e "SELECT 1 AS one"
check "no DDL: the query runs" out_is "one
1"
check "no DDL: no data directory" [ ! -e "$D" ]
# a CREATE that fails does not create it either
run "$D" -e "CREATE TABLE bad (a INT, a INT) WITH ('connector' = 'datagen')"
check "failed CREATE: an error" [ "$status" -eq 1 ]
check "failed CREATE: no data directory" [ ! -e "$D" ]

# 2. tables and views of one run exist in the next; temporary ones do not
run "$D" -e "
CREATE TABLE items (
  id BIGINT NOT NULL,
  \`the name\` STRING,
  qty INT,
  doubled AS qty * 2,
  ts AS TIMESTAMP '2024-01-01 00:00:00',
  PRIMARY KEY (id) NOT ENFORCED,
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = '$tmp/items.csv', 'format' = 'csv',
        'csv.field-delimiter' = ',');
CREATE VIEW big (id, label) AS SELECT id, \`the name\` FROM items WHERE qty > 4;
CREATE TEMPORARY TABLE scratch (x INT) WITH ('connector' = 'datagen', 'number-of-rows' = '1');
CREATE TEMPORARY VIEW tv AS SELECT 1 AS one"
check "first run: DDL succeeds" succeeded
check "first run: the catalog file exists" [ -f "$D/catalog.sql" ]
check "the catalog starts with its version line" \
    [ "$(head -n 1 "$D/catalog.sql")" = "-- weir catalog v1" ]
check "the catalog holds the table as CREATE text" grep -q '^CREATE TABLE items ($' "$D/catalog.sql"
check "the catalog holds the view" grep -q '^CREATE VIEW big (id, label) AS$' "$D/catalog.sql"
check "the catalog holds no temporary object" sh -c "! grep -q -e scratch -e tv '$D/catalog.sql'"
check "the catalog quotes option values" grep -q "'csv.field-delimiter' = ','" "$D/catalog.sql"

run "$D" --format csv -e "SHOW TABLES"
check "second run: SHOW TABLES lists the permanent objects only" out_is "table name
big
items"
run "$D" --format csv -e "DESCRIBE items"
check "second run: DESCRIBE shows types, key, computed columns and the watermark" out_is 'name,type,null,key,extras,watermark
id,BIGINT,FALSE,PRI(id),,
the name,STRING,TRUE,,,
qty,INT,TRUE,,,
doubled,INT,TRUE,,AS qty * 2,
ts,TIMESTAMP(0),FALSE,,AS TIMESTAMP '"'"'2024-01-01 00:00:00'"'"',ts - INTERVAL '"'"'5'"'"' SECOND'
cp "$tmp/out" "$tmp/describe2"
run "$D" --format csv -e "CREATE TEMPORARY TABLE items2 (
  id BIGINT NOT NULL,
  \`the name\` STRING,
  qty INT,
  doubled AS qty * 2,
  ts AS TIMESTAMP '2024-01-01 00:00:00',
  PRIMARY KEY (id) NOT ENFORCED,
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'datagen'); DESCRIBE items2"
check "DESCRIBE after a reload equals DESCRIBE of the definition as written" cmp -s "$tmp/out" "$tmp/describe2"
run "$D" --mode batch --format csv -e "SELECT id, label FROM big ORDER BY id"
check "second run: a query through the view" out_is "id,label
2,pear
3,fig"
run "$D" --mode batch --format csv -e "SELECT * FROM scratch"
check "a temporary table is gone in the next run" err_has 'table "scratch" does not exist'

# 3. IF NOT EXISTS, and "already exists" across runs
run "$D" -e "CREATE TABLE IF NOT EXISTS items (z INT) WITH ('connector' = 'datagen'); CREATE VIEW IF NOT EXISTS big AS SELECT 1"
check "IF NOT EXISTS over objects of an earlier run" succeeded
run "$D" -e "CREATE TABLE items (z INT) WITH ('connector' = 'datagen')"
check "CREATE of a name an earlier run created: already exists" err_has 'table "items" already exists'

# 4. a temporary object shadows a permanent one of the same name, for its run
run "$D" --format csv -e "CREATE TEMPORARY TABLE items (z INT) WITH ('connector' = 'datagen'); DESCRIBE items; DROP TEMPORARY TABLE items; DESCRIBE items"
check "temporary shadows permanent, DROP TEMPORARY uncovers it" \
    sh -c "[ \"\$(sed -n 2p '$tmp/out')\" = 'z,INT,TRUE,,,' ] && grep -q '^id,BIGINT' '$tmp/out'"
run "$D" --format csv -e "DESCRIBE items"
check "the permanent table is untouched by the shadow" grep -q '^qty,INT' "$tmp/out"

# 5. a temporary table needs a connector
run "$D" -e "CREATE TEMPORARY TABLE nc (a INT)"
check "temporary table without a connector: an error" err_has "temporary table \"nc\" needs a 'connector' option"

# 6. stored tables: no connector, or 'weir'; DROP removes the directory
run "$D" -e "CREATE TABLE stored (a INT, b STRING); CREATE TABLE \`My Tab.2\` (a INT) WITH ('connector' = 'weir')"
check "stored tables are created" succeeded
check "a stored table is in the catalog without a connector" grep -q '^CREATE TABLE stored ($' "$D/catalog.sql"
run "$D" --mode batch -e "INSERT INTO \`My Tab.2\` VALUES (1)"
check "a stored table's directory: the name folded and escaped" [ -f "$D/tables/my%20tab%2e2/snapshot/snapshot-1" ]
mkdir -p "$D/tables/stored/bucket-0"
echo data >"$D/tables/stored/bucket-0/f"
run "$D" -e "DROP TABLE stored"
check "DROP of a stored table succeeds" succeeded
check "DROP removes the stored table's directory" [ ! -e "$D/tables/stored" ]
run "$D" --format csv -e "SHOW TABLES"
check "DROP persists" out_is 'table name
big
items
My Tab.2'
# a directory left by an interrupted DROP is not a new table's
mkdir -p "$D/tables/stored" && echo old >"$D/tables/stored/f"
run "$D" -e "CREATE TABLE stored (a INT)"
check "CREATE of a stored table clears a leftover directory" \
    sh -c "[ $status -eq 0 ] && [ ! -e '$D/tables/stored/f' ]"

# 7. a view whose table was dropped still loads; using it says why it fails
run "$D" -e "CREATE TABLE base (a INT) WITH ('connector' = 'datagen', 'number-of-rows' = '1'); CREATE VIEW on_base AS SELECT a FROM base; DROP TABLE base"
run "$D" --format csv -e "SHOW VIEWS"
check "a view over a dropped table still loads" out_is 'view name
big
on_base'
run "$D" --mode batch -e "SELECT * FROM on_base"
check "querying it reports the missing table" err_has 'table "base" does not exist'

# 8. a corrupt or foreign catalog: an error naming the file, nothing written
cp -r "$D" "$tmp/bad"
printf 'CREATE TABLE broken (a INT,\n' >>"$tmp/bad/catalog.sql"
cp "$tmp/bad/catalog.sql" "$tmp/bad.orig"
lines=$(wc -l <"$tmp/bad.orig")
run "$tmp/bad" -e "CREATE TABLE more (a INT)"
check "corrupt catalog: the run fails" [ "$status" -eq 1 ]
check "corrupt catalog: the error names the file and its line" \
    err_has "^$tmp/bad/catalog.sql:$((lines + 1)):[0-9]*: error:"
check "corrupt catalog: the file is not rewritten" cmp -s "$tmp/bad/catalog.sql" "$tmp/bad.orig"
printf -- '-- weir catalog v9\n' >"$tmp/bad/catalog.sql"
run "$tmp/bad" -e "SELECT 1"
check "a newer catalog version: an error at its first line" \
    err_has "^$tmp/bad/catalog.sql:1:1: error: catalog format \"v9\""
printf 'hello\n' >"$tmp/bad/catalog.sql"
run "$tmp/bad" -e "SELECT 1"
check "not a catalog: an error naming the file" err_has "^$tmp/bad/catalog.sql:1:1: error: not a weir catalog"
printf -- '-- weir catalog v1\nDROP TABLE x;\n' >"$tmp/bad/catalog.sql"
run "$tmp/bad" -e "SELECT 1"
check "a statement a catalog cannot hold: an error at its line" \
    err_has "^$tmp/bad/catalog.sql:2:1: error: the catalog holds a DROP statement"

# 9. --data=DIR, and a missing parent is a clear error
"$weir_bin" run --data="$tmp/eq" -e "CREATE TABLE e (a INT) WITH ('connector' = 'datagen')" >"$tmp/out" 2>"$tmp/err"
status=$?
check "--data=DIR" [ -f "$tmp/eq/catalog.sql" ]
run "$tmp/no/such" -e "CREATE TABLE e (a INT) WITH ('connector' = 'datagen')"
check "a data directory whose parent is missing: an error" \
    err_has 'could not create the data directory "'"$tmp"'/no/such": No such file or directory'

# a rewrite cut short (a catalog.sql.tmp left by a crash) is ignored and replaced
printf 'CREATE TABLE half (' >"$tmp/eq/catalog.sql.tmp"
run "$tmp/eq" -e "CREATE TABLE e2 (a INT) WITH ('connector' = 'datagen')"
check "a leftover catalog.sql.tmp does not stop the next DDL" \
    sh -c "[ $status -eq 0 ] && [ ! -e '$tmp/eq/catalog.sql.tmp' ] && grep -q '^CREATE TABLE e2' '$tmp/eq/catalog.sql'"
"$weir_bin" run --data= -e "SELECT 1" >"$tmp/out" 2>"$tmp/err"
status=$?
check "--data with an empty value: a usage error" \
    sh -c "[ $status -eq 2 ] && grep -q '^weir: error: --data needs a directory' '$tmp/err'"

# 10. concurrency: different tables created in parallel all land; one
#     name created in parallel: one success, one "already exists"
lost=0
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
    P=$tmp/par$i
    for name in a b c d; do
        "$weir_bin" run --data "$P" -e "CREATE TABLE t_$name (x INT) WITH ('connector' = 'datagen')" \
            >/dev/null 2>"$tmp/perr_$name" &
    done
    wait
    "$weir_bin" run --data "$P" --format csv -e "SHOW TABLES" >"$tmp/out" 2>&1
    [ "$(tr '\n' ' ' <"$tmp/out")" = "table name t_a t_b t_c t_d " ] || lost=$((lost + 1))
done
status=0
check "parallel CREATEs of different tables all land (20 rounds of 4)" [ "$lost" -eq 0 ]
bad=0
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
    P=$tmp/same$i
    "$weir_bin" run --data "$P" -e "CREATE TABLE t (x INT) WITH ('connector' = 'datagen')" >/dev/null 2>"$tmp/e1" &
    p1=$!
    "$weir_bin" run --data "$P" -e "CREATE TABLE t (x INT) WITH ('connector' = 'datagen')" >/dev/null 2>"$tmp/e2" &
    p2=$!
    wait $p1
    s1=$?
    wait $p2
    s2=$?
    errs=$(cat "$tmp/e1" "$tmp/e2")
    if [ $((s1 + s2)) -ne 1 ] || ! echo "$errs" | grep -q 'table "t" already exists'; then bad=$((bad + 1)); fi
    [ "$(grep -c '^CREATE TABLE' "$P/catalog.sql")" -eq 1 ] || bad=$((bad + 1))
done
check "parallel CREATEs of one name: one succeeds, one says already exists (20 rounds)" [ "$bad" -eq 0 ]

cli_done
