#!/usr/bin/env python3
"""Account summary benchmark (issue 4): figures, not a test.

Starts its own stack (scripts/stack.py, as `scripts/dev run` does) on a
throwaway directory, generates accounts with `billgwctl demo --accounts`,
signs in to a spread of them in every region, then measures with wrk in one
run: GET /healthz and GET /api/v1/account (Bearer tokens rotating over the
signed-in accounts) at the same connection count.  With --more M it then
grows every region to M accounts and measures the account summary again, so
the two p50s compare a small and a large database on the same machine.

    bench/account.py [--build build] [--accounts 10000] [--more 1000000]
                     [--seconds 10] [--connections 64] [--tokens 200]
"""
import argparse
import os
import subprocess
import time

from benchlib import (SRC, bench_stack, lua_bearer, print_head, print_row,
                      tokens_for, wrk)

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(SRC, "build"))
    ap.add_argument("--accounts", type=int, default=10000)
    ap.add_argument("--more", type=int, default=0)
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--tokens", type=int, default=200)
    a = ap.parse_args()
    with bench_stack(a.build) as s:
        url = s.url
        ctl = [os.path.join(a.build, "billgwctl"), "--config",
               s.p["conf"]]
        t0 = time.time()
        subprocess.run(ctl + ["demo", "--accounts", str(a.accounts)],
                       check=True, capture_output=True)
        print(f"{a.accounts} accounts per region generated in "
              f"{time.time() - t0:.0f} s")
        toks = tokens_for(url, a.accounts, a.tokens)
        print_head(f"row ({a.connections} connections, {a.seconds} s)")
        health = wrk(url, "/healthz", a.seconds, a.connections)
        print_row("GET /healthz", health)
        # A short run first, figures dropped: each worker's first answer
        # for an account misses its caches, and both rows should compare
        # the steady state.
        wrk(url, "/api/v1/account", 3, a.connections,
            lua_bearer("/api/v1/account", toks))
        small = wrk(url, "/api/v1/account", a.seconds, a.connections,
                    lua_bearer("/api/v1/account", toks))
        print_row(f"GET /api/v1/account, {a.accounts} accounts/region",
                  small, health)
        if a.more:
            t0 = time.time()
            subprocess.run(ctl + ["demo", "--accounts", str(a.more)],
                           check=True, capture_output=True)
            print(f"grown to {a.more} accounts per region in "
                  f"{time.time() - t0:.0f} s")
            toks = tokens_for(url, a.more, a.tokens)
            wrk(url, "/api/v1/account", 3, a.connections,
                lua_bearer("/api/v1/account", toks))
            big = wrk(url, "/api/v1/account", a.seconds, a.connections,
                      lua_bearer("/api/v1/account", toks))
            print_row(f"GET /api/v1/account, {a.more} accounts/region",
                      big, health)
            print(f"\np50 with {a.more} accounts / p50 with {a.accounts}: "
                  f"{big['p50'] / small['p50']:.2f} (goal: within 10%)")


if __name__ == "__main__":
    main()
