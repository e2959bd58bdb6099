#!/bin/sh
# test_table.sh BUILD - the table printer end to end: columns padded by
# display width (East Asian wide characters two columns, combining marks
# none), newlines, tabs and bytes that are not UTF-8 escaped inside values
# and headers, headers aligned as their column's values (numbers right).
# Each check counts once; the last line is "N passed, N failed".
. "$(dirname "$0")/lib.sh"

# table_ok WHAT EXPECTED-FILE ARGS...: weir run ARGS prints exactly the
# expected file on stdout, nothing on stderr, exit 0
table_ok() {
    what=$1 want=$2
    shift 2
    "$weir" run "$@" >"$tmp/out" 2>"$tmp/err"
    status=$?
    if [ "$status" -eq 0 ] && [ ! -s "$tmp/err" ] && cmp -s "$tmp/out" "$want"; then ok
    else fail "$what: status $status, stderr $(head -c 200 "$tmp/err"), stdout:
$(cat "$tmp/out")"; fi
}

# values: wide, combining, tab, an ill-formed byte, NULL, a newline
printf '1,\346\227\245\346\234\254\350\252\236\n2,e\314\201te\n3,a\tb\n4,x\377y\n5,\n6,"line1\nline2"\n' >"$tmp/t.csv"
cat >"$tmp/q.sql" <<SQL
CREATE TABLE t (id INT, s STRING) WITH ('connector' = 'filesystem', 'path' = '$tmp/t.csv', 'format' = 'csv');
SELECT id, s AS \`名前\`, CHAR_LENGTH(s) AS n FROM t;
SQL
cat >"$tmp/want" <<'TXT'
+----+--------------+--------+
| id | 名前         |      n |
+----+--------------+--------+
|  1 | 日本語       |      3 |
|  2 | ETE          |      4 |
|  3 | a\tb         |      3 |
|  4 | x\xffy       |      3 |
|  5 | <NULL>       | <NULL> |
|  6 | line1\nline2 |     11 |
+----+--------------+--------+
6 rows in set
TXT
# row 2 is e + U+0301 (a combining acute: no column of its own)
sed "s/ETE/$(printf 'e\314\201te')/" "$tmp/want" >"$tmp/want2"
table_ok "values" "$tmp/want2" --mode batch "$tmp/q.sql"

# a header holding a tab and a wide character, over a narrower number column
printf 'SELECT 7 AS `a\tb`, 12345 AS `数`;\n' >"$tmp/h.sql"
cat >"$tmp/want_h" <<'TXT'
+------+-------+
| a\tb |    数 |
+------+-------+
|    7 | 12345 |
+------+-------+
1 row in set
TXT
table_ok "headers" "$tmp/want_h" --mode batch "$tmp/h.sql"

cli_done
