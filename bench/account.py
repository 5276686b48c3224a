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
import json
import os
import shutil
import re
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

SRC = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(SRC, "scripts"))
import stack  # noqa: E402

GEN_PASSWORD = "Gen-Passw0rd!"
REGIONS = ["us", "ca", "eu", "apac"]


def sign_in(url, region, ident):
    req = urllib.request.Request(
        url + "/api/v1/session",
        data=json.dumps({"region": region, "identifier": ident,
                         "password": GEN_PASSWORD}).encode(),
        headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return json.load(r)["token"]


def tokens_for(url, n_accounts, n_tokens):
    out = []
    step = max(1, n_accounts // max(1, n_tokens // len(REGIONS)))
    for region in REGIONS:
        for seq in range(1, n_accounts + 1, step)[:n_tokens // len(REGIONS)]:
            out.append(sign_in(url, region, f"gen-{region}-{seq:07d}"))
    return out


def ms(text):
    """wrk's latency ("456.78us", "1.23ms", "1.20s") in milliseconds."""
    m = re.match(r"([\d.]+)(us|ms|s|m|h)$", text)
    return float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000,
                                "h": 3600000}[m.group(2)]


def wrk(url, path, seconds, conns, tokens=None):
    argv = ["wrk", "-t2", f"-c{conns}", f"-d{seconds}s", "--latency"]
    script = None
    if tokens:
        with tempfile.NamedTemporaryFile("w", suffix=".lua",
                                         delete=False) as f:
            f.write("local tokens = {%s}\nlocal i = 0\n"
                    "request = function()\n  i = i %% #tokens + 1\n"
                    "  return wrk.format('GET', '%s', {['Authorization'] ="
                    " 'Bearer ' .. tokens[i]})\nend\n"
                    % (",".join(f"'{t}'" for t in tokens), path))
            script = f.name
        argv += ["-s", script]
    out = subprocess.run(argv + [url + path], capture_output=True,
                         text=True, check=True).stdout
    if script:
        os.unlink(script)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
    p99 = ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errs = re.search(r"Socket errors: (.*)", out)
    return {"rps": rps, "p50": p50, "p99": p99,
            "non2xx": int(non2xx.group(1)) if non2xx else 0,
            "errors": errs.group(1).strip() if errs else "none"}


def row(name, r, base=None):
    ratio = f"{r['rps'] / base['rps']:.2f}" if base else "1.00"
    print(f"{name:<44} {r['rps']:>9.0f} {r['p50']:>8.2f} {r['p99']:>8.2f} "
          f"{ratio:>6} {r['non2xx']:>7} {r['errors']}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(SRC, "build"))
    ap.add_argument("--accounts", type=int, default=10000)
    ap.add_argument("--more", type=int, default=0)
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--tokens", type=int, default=200)
    a = ap.parse_args()
    # A million accounts per region want their indexes in memory, as a
    # production server's would be.
    os.environ.setdefault("BILLGW_MYSQL_BUFFER_POOL", "4G")
    os.environ["BILLGW_SIGNIN_RATE"] = "100000r/s"
    os.environ["BILLGW_SIGNIN_BURST"] = "100000"
    var = tempfile.mkdtemp(prefix="bgw-bench-", dir="/tmp")
    s = stack.Stack(SRC, a.build, var, stack.free_port())
    ctl = [os.path.join(a.build, "billgwctl"), "--config",
           os.path.join(var, "billgw.conf")]
    try:
        s.up()
        url = s.url
        t0 = time.time()
        subprocess.run(ctl + ["demo", "--accounts", str(a.accounts)],
                       check=True, capture_output=True)
        print(f"{a.accounts} accounts per region generated in "
              f"{time.time() - t0:.0f} s")
        toks = tokens_for(url, a.accounts, a.tokens)
        head = f"row ({a.connections} connections, {a.seconds} s)"
        print(f"\n{head:<44} "
              f"{'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'ratio':>6} "
              f"{'non-2xx':>7} socket errors")
        health = wrk(url, "/healthz", a.seconds, a.connections)
        row("GET /healthz", health)
        small = wrk(url, "/api/v1/account", a.seconds, a.connections, toks)
        row(f"GET /api/v1/account, {a.accounts} accounts/region", small,
            health)
        if a.more:
            t0 = time.time()
            subprocess.run(ctl + ["demo", "--accounts", str(a.more)],
                           check=True, capture_output=True)
            print(f"grown to {a.more} accounts per region in "
                  f"{time.time() - t0:.0f} s")
            toks = tokens_for(url, a.more, a.tokens)
            big = wrk(url, "/api/v1/account", a.seconds, a.connections,
                      toks)
            row(f"GET /api/v1/account, {a.more} accounts/region", big,
                health)
            print(f"\np50 with {a.more} accounts / p50 with {a.accounts}: "
                  f"{big['p50'] / small['p50']:.2f} (goal: within 10%)")
    finally:
        s.down()
        shutil.rmtree(var, ignore_errors=True)


if __name__ == "__main__":
    main()
