#!/usr/bin/env python3
"""compare.py WEIR_CSV DUCK_TSV: the same rows (as multisets), numbers equal
to 1e-6 relative or a cent absolute (DuckDB's JS numbers are doubles)."""
import csv, sys

def cell(v):
    try:
        return ('n', float(v))
    except ValueError:
        return ('s', v)

def same(a, b):
    if len(a) != len(b):
        return False
    for (ka, va), (kb, vb) in zip(a, b):
        if ka == 'n' and kb == 'n':
            if abs(va - vb) > 1e-6 * max(1.0, abs(va), abs(vb)) + 0.011:
                return False
        elif va != vb:
            return False
    return True

# a one-column NULL row is an empty line: csv reads it as no field
weir = [tuple(cell(v) for v in (row or [''])) for row in list(csv.reader(open(sys.argv[1])))[1:]]
# one line per row (a row of one NULL is an empty line), each ended by \n
text = open(sys.argv[2]).read()
duck = [tuple(cell(v) for v in line.split('\t')) for line in text[:-1].split('\n')] if text else []
# match rows greedily within buckets of equal text (and integer-part) cells
buckets = {}
for r in duck:
    buckets.setdefault(tuple(v if k == 's' else None for k, v in r), []).append(r)
ok = len(weir) == len(duck)
for r in weir if ok else []:
    cands = buckets.get(tuple(v if k == 's' else None for k, v in r), [])
    hit = next((i for i, c in enumerate(cands) if same(r, c)), -1)
    if hit < 0:
        ok = False
        break
    cands.pop(hit)
print('ok' if ok else 'DIFFERS (%d vs %d rows)' % (len(weir), len(duck)))
sys.exit(0 if ok else 1)
