#!/usr/bin/env python3
"""Sign-in benchmark (issue 3): figures, not a test.

  1. the median time of a wrong-password and of an unknown-identifier
     sign-in, interleaved, one at a time (they must not tell apart: the
     difference should stay under 5 ms);
  2. sign-ins per second with the right password under wrk, next to
     cores / one argon2id verification (bench_password).

It starts its own stack (scripts/stack.py, as `scripts/dev run` does) on a
throwaway directory with nginx's sign-in rate limit lifted, so nothing but
the gateway bounds the rate.

    bench/signin.py [--build build] [--seconds 10] [--connections 8]
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

SRC = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(SRC, "scripts"))
import stack  # noqa: E402

PASSWORD = "Demo-Passw0rd!"
LUA = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '%s'
"""


def post(url, body, path="/api/v1/session"):
    req = urllib.request.Request(url + path,
                                 data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    t0 = time.perf_counter()
    try:
        with urllib.request.urlopen(req) as r:
            r.read()
            status = r.status
    except urllib.error.HTTPError as e:
        e.read()
        status = e.code
    return status, (time.perf_counter() - t0) * 1000


def wrk(url, body, seconds, conns):
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(LUA % json.dumps(body))
    out = subprocess.run(["wrk", "-t2", f"-c{conns}", f"-d{seconds}s",
                          "--latency", "-s", f.name, url + "/api/v1/session"],
                         capture_output=True, text=True, check=True).stdout
    os.unlink(f.name)
    rps = float(next(ln.split()[1] for ln in out.splitlines()
                     if ln.startswith("Requests/sec")))
    p50 = next(ln.split()[1] for ln in out.splitlines()
               if ln.strip().startswith("50%"))
    non2xx = [ln.strip() for ln in out.splitlines() if "Non-2xx" in ln]
    return rps, p50, non2xx


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(SRC, "build"))
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--connections", type=int, default=8)
    ap.add_argument("--samples", type=int, default=100)
    a = ap.parse_args()
    os.environ["BILLGW_SIGNIN_RATE"] = "100000r/s"
    os.environ["BILLGW_SIGNIN_BURST"] = "100000"
    var = tempfile.mkdtemp(prefix="bgw-bench-", dir="/tmp")
    s = stack.Stack(SRC, a.build, var, stack.free_port())
    try:
        s.up()
        url = s.url
        verify_ms = float(subprocess.run(
            [os.path.join(a.build, "bench_password"), "21"],
            capture_output=True, text=True, check=True).stdout)
        wrong, unknown = [], []
        for i in range(a.samples):
            st1, t1 = post(url, {"region": "us", "identifier": "acme-us",
                                 "password": "not-the-password"})
            st2, t2 = post(url, {"region": "us",
                                 "identifier": f"nobody-{i}",
                                 "password": "not-the-password"})
            assert (st1, st2) == (401, 401), (st1, st2)
            wrong.append(t1)
            unknown.append(t2)
            if i % 9 == 8:     # stay under the lock: a success resets it
                post(url, {"region": "us", "identifier": "acme-us",
                           "password": PASSWORD})
        mw, mu = statistics.median(wrong), statistics.median(unknown)
        # The same for a password reset request: a real User ID queues a
        # mail, an unknown one does not; the answer must not tell.
        real, ghost = [], []
        for i in range(a.samples):
            st1, t1 = post(url, {"user_id": "globex-ap-us"},
                           "/api/v1/password-reset")
            st2, t2 = post(url, {"user_id": f"nobody-{i}@corp.example"},
                           "/api/v1/password-reset")
            assert (st1, st2) == (202, 202), (st1, st2)
            real.append(t1)
            ghost.append(t2)
        rr, rg = statistics.median(real), statistics.median(ghost)
        cores = os.cpu_count() or 1
        ceiling = cores * 1000.0 / verify_ms
        rps, p50, non2xx = wrk(url, {"region": "us", "identifier":
                                     "acme-us", "password": PASSWORD},
                               a.seconds, a.connections)
        print(f"one argon2id verification (median of 21): {verify_ms:.1f} ms")
        print(f"wrong password, median of {a.samples}:     {mw:.1f} ms")
        print(f"unknown identifier, median of {a.samples}:  {mu:.1f} ms")
        print(f"difference:                              {abs(mw - mu):.1f} ms"
              f" (goal: under 5 ms)")
        print(f"password reset, real User ID, median:    {rr:.1f} ms")
        print(f"password reset, unknown User ID, median: {rg:.1f} ms "
              f"({abs(rr - rg):.1f} ms apart)")
        print(f"sign-ins/s, right password, {a.connections} connections, "
              f"{a.seconds} s: {rps:.1f} (p50 {p50}) {' '.join(non2xx)}")
        print(f"cores / one verification = {cores} / {verify_ms:.1f} ms = "
              f"{ceiling:.1f}/s; ratio {rps / ceiling:.2f}")
    finally:
        s.down()
        shutil.rmtree(var, ignore_errors=True)


if __name__ == "__main__":
    main()
