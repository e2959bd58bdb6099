#!/usr/bin/env python3
"""decimal_oracle.py - random DECIMAL(1..38) arithmetic checked against
exact integer arithmetic in Python (an oracle independent of weir's C).

usage: decimal_oracle.py WEIR TMPDIR [SEED]

Generates operands CAST('<digits>' AS DECIMAL(p, s)) and applies + - * / %
and CAST; the expected result type follows Flink's rules (written here from
Flink's documentation of LogicalTypeMerging: +/- max(p1-s1, p2-s2) + s + 1
with s = max(s1, s2); * p1 + p2 + 1, s1 + s2; / scale max(6, s1 + p2 + 1),
precision p1 - s1 + s2 + scale; % min(38, max(p1-s1, p2-s2) + s); above 38
digits precision 38 and scale max(38 - integer digits, min(s, 6))), and the
value is the exact result rounded HALF_UP to that scale, or an error 22003
when it does not fit the precision (22012 for a zero divisor).

Prints one line per category, "ok NAME" or "FAIL NAME: ..." with the first
few mismatches, for test_decimal_oracle.sh to count."""
import random
import subprocess
import sys

MAX = 38


def adjust(p, s):
    if p > MAX:
        int_digits = p - s
        s = max(MAX - int_digits, min(s, 6))
        p = MAX
    return p, s


def result_type(op, p1, s1, p2, s2):
    if op in "+-":
        s = max(s1, s2)
        return adjust(max(p1 - s1, p2 - s2) + s + 1, s)
    if op == "*":
        return adjust(p1 + p2 + 1, s1 + s2)
    if op == "/":
        s = max(6, s1 + p2 + 1)
        return adjust(p1 - s1 + s2 + s, s)
    s = max(s1, s2)   # %
    return min(MAX, max(p1 - s1, p2 - s2) + s), s


def div_half_up(n, d):
    """round(n / d) with ties away from zero, exactly."""
    q, r = divmod(abs(n), abs(d))
    if 2 * r >= abs(d):
        q += 1
    return q if (n < 0) == (d < 0) else -q


def exact(op, a, s1, b, s2, s):
    """The op of a/10^s1 and b/10^s2 as an integer at scale s; None when
    dividing by zero."""
    if op in "+-":
        t = max(s1, s2)
        x = a * 10 ** (t - s1) + (b if op == "+" else -b) * 10 ** (t - s2)
        return div_half_up(x, 10 ** (t - s))
    if op == "*":
        return div_half_up(a * b, 10 ** (s1 + s2 - s))
    if b == 0:
        return None
    if op == "/":
        k = s - s1 + s2
        return div_half_up(a * 10 ** k, b) if k >= 0 else div_half_up(a, b * 10 ** -k)
    t = max(s1, s2)   # %: the sign of the dividend
    x, y = abs(a) * 10 ** (t - s1), abs(b) * 10 ** (t - s2)
    return (x % y) * (-1 if a < 0 else 1)


def text(v, s):
    sign = "-" if v < 0 else ""
    digits = str(abs(v)).rjust(s + 1, "0")
    return sign + (digits[:-s] + "." + digits[-s:] if s else digits)


def operand(rng):
    p = rng.randint(1, MAX)
    s = rng.randint(0, p)
    nd = p if rng.random() < 0.3 else rng.randint(0, p)
    v = rng.randint(0, 10 ** nd - 1) if nd else 0
    if rng.random() < 0.5:
        v = -v
    return v, p, s


def literal(v, p, s):
    return f"CAST('{text(v, s)}' AS DECIMAL({p}, {s}))"


def cases(rng, n):
    """(category, sql, expected text or ('error', sqlstate))"""
    out = []
    for _ in range(n):
        cat = rng.choice(["add", "sub", "mul", "div", "mod", "cast"])
        a, p1, s1 = operand(rng)
        if cat == "cast":
            p = rng.randint(1, MAX)
            s = rng.randint(0, p)
            v = div_half_up(a * 10 ** max(0, s - s1), 10 ** max(0, s1 - s))
            sql = f"CAST({literal(a, p1, s1)} AS DECIMAL({p}, {s}))"
        else:
            b, p2, s2 = operand(rng)
            if cat in ("div", "mod") and rng.random() < 0.03:
                b = 0
            op = {"add": "+", "sub": "-", "mul": "*", "div": "/", "mod": "%"}[cat]
            p, s = result_type(op, p1, s1, p2, s2)
            v = exact(op, a, s1, b, s2, s)
            sql = f"{literal(a, p1, s1)} {op} {literal(b, p2, s2)}"
            if v is None:
                out.append((cat, sql, ("error", "division by zero")))
                continue
        if abs(v) >= 10 ** p:
            out.append((cat, sql, ("error", f"out of range for type DECIMAL({p}, {s})")))
        else:
            out.append((cat, sql, text(v, s)))
    return out


def run(weir, sql):
    proc = subprocess.run([weir, "run", "--mode", "batch", "--format", "csv", "-e", sql],
                          capture_output=True, text=True, timeout=60)
    return proc.returncode, proc.stdout, proc.stderr


def main():
    weir, tmp = sys.argv[1], sys.argv[2]
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 20261205
    rng = random.Random(seed)
    all_cases = cases(rng, 600)
    bad = {}
    # the cases with a value: one script, one SELECT each (header "v")
    good = [c for c in all_cases if not isinstance(c[2], tuple)]
    script = "".join(f"SELECT {sql} AS v;\n" for _, sql, _ in good)
    with open(f"{tmp}/oracle.sql", "w") as f:
        f.write(script)
    proc = subprocess.run([weir, "run", "--mode", "batch", "--format", "csv", f"{tmp}/oracle.sql"],
                          capture_output=True, text=True, timeout=120)
    lines = proc.stdout.split("\n")
    got = lines[1::2]
    if proc.returncode != 0 or len(got) < len(good):
        bad.setdefault("run", []).append(f"exit {proc.returncode}: {proc.stderr.strip()[:300]}")
    for i, (cat, sql, want) in enumerate(good):
        have = got[i] if i < len(got) else "(missing)"
        if have != want:
            bad.setdefault(cat, []).append(f"SELECT {sql}: want {want}, got {have}")
    # the error cases: a run each, at most 40 of them
    errs = [c for c in all_cases if isinstance(c[2], tuple)][:40]
    for cat, sql, (_, message) in errs:
        rc, out, err = run(weir, f"SELECT {sql} AS v")
        if rc != 1 or message not in err:
            bad.setdefault(cat + " errors", []).append(
                f"SELECT {sql}: want error '{message}', got exit {rc}: {(out + err).strip()[:200]}")
    # a category is a test only when some case exercised it
    seen = {c for c, _, _ in good} | {c + " errors" for c, _, _ in errs}
    cats = ["add", "sub", "mul", "div", "mod", "cast"]
    for name in ["run"] + cats + [c + " errors" for c in cats]:
        if name in bad:
            print(f"FAIL {name}: " + " | ".join(bad[name][:3]))
        elif name in seen:
            print(f"ok {name}")
    print(f"cases: {len(good)} values, {len(errs)} errors", file=sys.stderr)


if __name__ == "__main__":
    main()
