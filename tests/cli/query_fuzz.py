#!/usr/bin/env python3
"""query_fuzz.py WEIR DIR SEED N: N random queries (comma joins with WHERE
conditions, inner and LEFT joins with ON and WHERE, IN / NOT IN / EXISTS /
NOT EXISTS / scalar subqueries correlated through = and <, under OR and
CASE, RIGHT and FULL joins under WHERE, aggregates over joins) over
three small random tables, each run by
weir in batch mode and in streaming mode (one row per batch) and checked
against SQLite's answer.  Prints each difference; exits 1 if any."""
import random, sqlite3, subprocess, csv, io, sys
weir, work = sys.argv[1], sys.argv[2]
random.seed(int(sys.argv[3]))
tables = {}
for name in ['a', 'b', 'c']:
    rows = []
    for i in range(random.randint(3, 8)):
        rows.append((random.choice([None, 1, 2, 3, 4]), random.choice([None, 10, 20, 30]), random.choice(['x', 'y', None])))
    tables[name] = rows
with open(f'{work}/schema.sql', 'w') as f:
    for n, rows in tables.items():
        with open(f'{work}/{n}.csv', 'w') as g:
            for r in rows:
                g.write(','.join('' if v is None else str(v) for v in r) + '\n')
        f.write(f"CREATE TABLE {n} (k INT, v INT, s STRING) WITH ('connector'='filesystem',"
                f"'path'='{work}/{n}.csv','format'='csv');\n")
db = sqlite3.connect(':memory:')
for n, rows in tables.items():
    db.execute(f'create table {n}(k integer, v integer, s text)')
    db.executemany(f'insert into {n} values (?,?,?)', rows)

def pred(t1, t2=None):
    c = random.choice
    opts = [f"{t1}.v > {c([10,15,20])}", f"{t1}.s = '{c(['x','y'])}'", f"{t1}.k IS NULL", f"{t1}.v IS NOT NULL",
            f"COALESCE({t1}.v, 0) = 0", f"{t1}.k IN (1, 3)"]
    if t2:
        opts += [f"{t1}.k = {t2}.k", f"{t1}.v < {t2}.v", f"({t1}.k = {t2}.k OR {t1}.v = {t2}.v)",
                 f"{t1}.k = {t2}.k AND {t1}.s = {t2}.s"]
    return c(opts)

def sub(outer):
    c = random.choice
    inner = c(['b', 'c'])
    corr = c([f" AND {inner}2.k = {outer}.k", f" AND {inner}2.v > {outer}.v", ""])
    kind = c(['exists', 'notexists', 'in', 'notin', 'scalar', 'any'])
    if kind == 'exists': return f"EXISTS (SELECT 1 FROM {inner} {inner}2 WHERE {inner}2.s IS NOT NULL{corr})"
    if kind == 'notexists': return f"NOT EXISTS (SELECT 1 FROM {inner} {inner}2 WHERE {inner}2.v > 5{corr})"
    if kind == 'in': return f"{outer}.k IN (SELECT {inner}2.k FROM {inner} {inner}2 WHERE {inner}2.v > 0{corr})"
    if kind == 'notin': return f"{outer}.k NOT IN (SELECT {inner}2.k FROM {inner} {inner}2 WHERE {inner}2.k IS NOT NULL{corr})"
    if kind == 'scalar': return f"{outer}.v >= (SELECT MIN({inner}2.v) FROM {inner} {inner}2 WHERE 1 = 1{corr})"
    return f"({outer}.v > 15 OR {outer}.k IN (SELECT {inner}2.k FROM {inner} {inner}2 WHERE 1 = 1{corr}))"

def query():
    c = random.choice
    shape = c(['comma', 'join', 'left', 'right', 'full', 'sub', 'sub2', 'agg'])
    if shape == 'comma':
        w = ' AND '.join([pred('a', 'b'), pred('b', 'c'), pred(c(['a','b','c']))])
        return f"SELECT a.k AS ak, b.v AS bv, c.s AS cs FROM a, b, c WHERE {w}"
    if shape == 'join':
        return f"SELECT a.k AS ak, b.k AS bk FROM a JOIN b ON {pred('a','b')} WHERE {pred(c(['a','b']))}"
    if shape == 'left':
        return f"SELECT a.k AS ak, a.v AS av, b.v AS bv FROM a LEFT JOIN b ON {pred('a','b')} WHERE {pred(c(['a','b']))}"
    if shape in ('right', 'full'):
        kind = shape.upper()
        return (f"SELECT a.k AS ak, a.v AS av, b.k AS bk, b.v AS bv FROM a {kind} JOIN b ON {pred('a','b')} "
                f"WHERE {pred(c(['a','b']))}")
    if shape == 'sub':
        return f"SELECT a.k AS ak, a.v AS av FROM a WHERE {sub('a')}"
    if shape == 'sub2':
        return f"SELECT a.k AS ak, CASE WHEN {sub('a')} THEN 1 ELSE 0 END AS m FROM a"
    return f"SELECT a.s AS s, COUNT(*) AS n, SUM(b.v) AS sv FROM a LEFT JOIN b ON a.k = b.k WHERE {pred('a')} GROUP BY a.s HAVING COUNT(*) > 0"

def norm(rows):
    out = []
    for r in rows:
        out.append(tuple('' if v is None else str(int(v)) if isinstance(v, float) and v == int(v) else str(v) for v in r))
    return sorted(out)

bad = 0
for i in range(int(sys.argv[4])):
    q = query()
    try:
        exp = norm(db.execute(q).fetchall())
    except Exception as e:
        continue
    for mode in ['batch', 'streaming']:
        with open(f'{work}/q.sql', 'w') as f:
            f.write(open(f'{work}/schema.sql').read() + q + ';\n')
        args = [weir, 'run', '--mode', mode, '--format', 'csv', f'{work}/q.sql']
        if mode == 'streaming': args[6:6] = ['--max-batch-rows', '1']
        p = subprocess.run(args, capture_output=True, text=True)
        if p.returncode != 0:
            print('ERROR', mode, q, p.stderr.strip()[:200]); bad += 1; break
        rows = list(csv.reader(io.StringIO(p.stdout)))[1:]
        got = sorted(tuple(('' if v == '' else v.replace('TRUE','1').replace('FALSE','0')) for v in (r or [''])) for r in rows)
        if got != exp:
            print('DIFF', mode, q); print(' weir', got[:6]); print(' sqlite', exp[:6]); bad += 1; break
sys.exit(1 if bad else 0)
