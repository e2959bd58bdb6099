#!/bin/sh
# test_docs.sh BUILD - the user documentation stays true of the binary:
# the README sends nobody outside the repository and its links resolve;
# docs/reference.md names every option weir accepts for each connector and
# format (as weir itself lists them in its "supported options" hint), every
# format and connector, every scalar and aggregate function of the SQL
# catalogue, every command-line option and exit status of `weir run --help`,
# the same default mode, and its EXPLAIN example is what weir prints.
# Each property (one connector's options, the function catalogue, ...)
# counts once, however many names it checks; the last line is
# "N passed, N failed".
. "$(dirname "$0")/lib.sh"
ref=docs/reference.md

# in_ref TEXT: notes TEXT as missing unless it occurs literally in the
# reference; check_done WHAT then counts the property once
missing=
in_ref() {
    [ -f "$ref" ] && grep -q -F -- "$1" "$ref" || missing="$missing $1"
}
check_done() {
    if [ -z "$missing" ]; then ok; else fail "$ref does not mention ($1):$missing"; fi
    missing=
}

# --- the README and the docs' links
# a clone is all a user has: no path may climb out of it
if grep -q -E '\.\./[A-Za-z_]' README.md docs/*.md; then
    fail "README.md or docs/ point outside the repository: $(grep -h -o -E '\.\./[A-Za-z_][^ )]*' README.md docs/*.md | head -n 3 | tr '\n' ' ')"
else
    ok
fi
bad=
for doc in docs/reference.md docs/design.md; do
    grep -q -F "($doc)" README.md && [ -f "$doc" ] || bad="$bad $doc"
done
# every relative link target of README.md and docs/*.md exists
for md in README.md docs/*.md; do
    [ -f "$md" ] || continue
    dir=$(dirname "$md")
    grep -o -E '\]\([^)#:]+(#[^)]*)?\)' "$md" | sed -E 's/^\]\(([^)#]*).*/\1/' | sort -u >"$tmp/links"
    while read -r target; do
        [ -z "$target" ] || [ -e "$dir/$target" ] || bad="$bad $md->$target"
    done <"$tmp/links"
done
if [ -z "$bad" ]; then ok; else fail "links missing or broken:$bad"; fi

# --- connector and format options, as weir lists them in its hint
# hint_options SQL: runs SQL, prints the quoted keys of the HINT line
hint_options() {
    "$weir" run --mode batch -e "$1" >/dev/null 2>"$tmp/err"
    grep '^HINT: supported options' "$tmp/err" | grep -o -E "'[^']+'" | tr -d "'"
}
# options_documented WHAT SQL: every option of SQL's hint is in the reference
options_documented() {
    keys=$(hint_options "$2")
    [ -n "$keys" ] || missing="$missing (no supported-options hint from weir)"
    for key in $keys; do
        case "$key" in
        fields.*) # datagen: 'fields.<column>.kind|min|...'
            for attr in $(echo "${key##*.}" | tr '|' ' '); do in_ref ".$attr\`"; done ;;
        *) in_ref "\`$key\`" ;;
        esac
    done
    check_done "$1"
}
bogus="'zz-not-an-option' = '1'"
for fmt in csv json debezium-json canal-json; do
    in_ref "### $fmt"
    options_documented "filesystem source, format $fmt" \
        "CREATE TABLE t (a INT) WITH ('connector' = 'filesystem', 'path' = '$tmp/none', 'format' = '$fmt', $bogus); SELECT * FROM t"
done
for fmt in csv json; do
    options_documented "filesystem sink, format $fmt" \
        "CREATE TABLE t (a INT) WITH ('connector' = 'filesystem', 'path' = '$tmp/out', 'format' = '$fmt', $bogus); INSERT INTO t SELECT 1"
done
for conn in print blackhole; do
    options_documented "connector $conn" \
        "CREATE TABLE t (a INT) WITH ('connector' = '$conn', $bogus); INSERT INTO t SELECT 1"
done
options_documented "connector datagen" \
    "CREATE TABLE t (a INT) WITH ('connector' = 'datagen', $bogus); SELECT * FROM t"

# the connectors weir names when one is unknown (for reading and writing)
"$weir" run --mode batch -e "CREATE TABLE t (a INT) WITH ('connector' = 'zz'); SELECT * FROM t" 2>&1 >/dev/null |
    sed -n 's/.*expected //p' >"$tmp/conns"
"$weir" run --mode batch -e "CREATE TABLE t (a INT) WITH ('connector' = 'zz'); INSERT INTO t SELECT 1" 2>&1 >/dev/null |
    sed -n 's/.*expected //p' >>"$tmp/conns"
conns=$(sed -e 's/,/ /g' -e 's/ or / /g' "$tmp/conns")
[ -n "$conns" ] || missing="$missing (weir named no connectors)"
for conn in $conns; do in_ref "| \`$conn\` |"; done
check_done "connectors"

# --- functions: every name of the scalar catalogue and every aggregate
grep -o -E '\{"[A-Z_0-9]+", FN_' src/sql/functions.c | sed -E 's/\{"([A-Z_0-9]+)".*/\1/' >"$tmp/funcs"
grep -o -E '\{"[$A-Z_0-9]+", AGG_' src/sql/expr.c | sed -E 's/\{"([$A-Z_0-9]+)".*/\1/' >>"$tmp/funcs"
[ "$(wc -l <"$tmp/funcs")" -gt 40 ] || missing="$missing (could not read the catalogue)"
while read -r fn; do in_ref "\`$fn("; done <"$tmp/funcs"
check_done "functions"

# --- the command line: options, exit statuses, default mode
"$weir" run --help >"$tmp/help" 2>&1
for opt in $(grep -o -E '^  (-[a-z], )?--?[a-z-]+' "$tmp/help" | grep -o -E -- '--?[a-z-]+'); do
    in_ref "\`$opt"
done
check_done "options of weir run --help"
for status in $(sed -n '/^exit status/,$p' "$tmp/help" | grep -o -E '\b[0-9]+\b'); do
    grep -q -E "^\| ([0-9]+ / )?$status( / [0-9]+)? \|" "$ref" 2>/dev/null || missing="$missing $status"
done
check_done "rows of the exit status table"
mode=$(grep -o -E 'the default is [a-z]+' "$tmp/help" | sed 's/.* //')
[ -n "$mode" ] || missing="$missing (run --help names no default mode)"
in_ref "**default \`$mode\`**"
check_done "default mode"

# --- the EXPLAIN example is what weir prints for its query
sed -n '/^<!-- explain-example: /s/^<!-- explain-example: \(.*\) -->$/\1/p' "$ref" 2>/dev/null >"$tmp/query"
if [ -s "$tmp/query" ]; then
    "$weir" run -e "$(cat "$tmp/query")" >"$tmp/got" 2>&1
    awk '/^<!-- explain-example: /{on=1; next}
         on && /^    /{sub(/^    /, ""); printf "%s", blanks; blanks=""; print; got=1; next}
         on && got && /^$/{blanks=blanks "\n"; next}
         on && got{exit}' \
        "$ref" >"$tmp/want"
    if [ -s "$tmp/want" ] && cmp -s "$tmp/want" "$tmp/got"; then ok
    else fail "the EXPLAIN example differs from weir's output:
$(diff "$tmp/want" "$tmp/got")"; fi
else
    fail "$ref has no explain-example"
fi

cli_done
