#!/usr/bin/env python3
"""consolidate.py FILE: reads print-connector lines (+I[..] -U[..] +U[..]
-D[..]) and prints the resulting rows, one per line, sorted, each as
often as its net count (a row whose count goes negative is an error).
This is a changelog's final table: equal for a batch run and for any
streaming run of the same query over the same input."""
import sys
from collections import Counter

def main():
    net = Counter()
    for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
        line = line.rstrip("\n")
        if len(line) < 4 or line[2] != "[" or line[:2] not in ("+I", "+U", "-U", "-D"):
            continue
        net[line[3:-1]] += 1 if line[0] == "+" else -1
    bad = [r for r, n in net.items() if n < 0]
    if bad:
        print("negative count for %d rows, e.g. %s" % (len(bad), bad[0]), file=sys.stderr)
        sys.exit(1)
    for row in sorted(net):
        for _ in range(net[row]):
            print(row)

main()
