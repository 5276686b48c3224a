#!/usr/bin/env python3
"""Account summary benchmark (issue 4): figures, not a test.

Starts its own stack (scripts/stack.py, as `scripts/dev run` does) on a
throwaway directory, generates accounts with `billgwctl demo --accounts`,
signs in to a spread of them in every region, then measures with wrk in one
run: GET /healthz and GET /api/v1/account (Bearer tokens rotating over the
signed-in accounts) at the same connection count.  With --more M a second
stack, started next to the first, holds M accounts per region, and the two
account rows alternate for --rounds rounds: the machine is shared and its
speed drifts over the minutes it takes to generate a million accounts, so
the two medians compare a small and a large database measured side by side.

    bench/account.py [--build build] [--accounts 10000] [--more 1000000]
                     [--seconds 10] [--connections 64] [--tokens 200]
                     [--rounds 5]
"""
import argparse
import contextlib
import os
import statistics
import subprocess
import time

from benchlib import (SRC, bench_stack, lua_bearer, print_head, print_row,
                      tokens_for, wrk)


def generate(build, s, accounts):
    """Generate accounts per region in stack s."""
    t0 = time.time()
    subprocess.run([os.path.join(build, "billgwctl"), "--config",
                    s.p["conf"], "demo", "--accounts", str(accounts)],
                   check=True, capture_output=True)
    print(f"{accounts} accounts per region generated in "
          f"{time.time() - t0:.0f} s")


def median_row(runs):
    """The median of each figure over wrk runs."""
    return {"rps": statistics.median(r["rps"] for r in runs),
            "p50": statistics.median(r["p50"] for r in runs),
            "p99": statistics.median(r["p99"] for r in runs),
            "non2xx": sum(r["non2xx"] for r in runs),
            "errors": ", ".join(sorted({r["errors"] for r in runs}))}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(SRC, "build"))
    ap.add_argument("--accounts", type=int, default=10000)
    ap.add_argument("--more", type=int, default=0)
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--tokens", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=5)
    a = ap.parse_args()
    with contextlib.ExitStack() as stacks:
        sizes = [a.accounts] + ([a.more] if a.more else [])
        rows = []
        for n in sizes:
            s = stacks.enter_context(bench_stack(a.build))
            generate(a.build, s, n)
            script = lua_bearer("/api/v1/account",
                                tokens_for(s.url, n, a.tokens))
            rows.append((n, s.url, script))
        print_head(f"row ({a.connections} connections, {a.seconds} s)")
        health = wrk(rows[0][1], "/healthz", a.seconds, a.connections)
        print_row("GET /healthz", health)
        # A short run first, figures dropped: each worker's first answer
        # for an account misses its caches, and the rows should compare
        # the steady state.
        for n, url, script in rows:
            wrk(url, "/api/v1/account", 3, a.connections, script)
        runs = {n: [] for n in sizes}
        for i in range(a.rounds if a.more else 1):
            for n, url, script in (rows if i % 2 == 0 else rows[::-1]):
                r = wrk(url, "/api/v1/account", a.seconds, a.connections,
                        script)
                runs[n].append(r)
                if a.more:
                    print_row(f"  round {i + 1}, {n} accounts/region", r,
                              health)
        for n in sizes:
            name = (f"GET /api/v1/account, {n}/region, median" if a.more
                    else f"GET /api/v1/account, {n} accounts/region")
            print_row(name, median_row(runs[n]), health)
        if a.more:
            small, big = (median_row(runs[n]) for n in sizes)
            print(f"\np50 with {a.more} accounts / p50 with {a.accounts}: "
                  f"{big['p50'] / small['p50']:.2f} (medians of "
                  f"{a.rounds} alternating rows; goal: within 10%)")


if __name__ == "__main__":
    main()
