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
import statistics
import subprocess
import time
import urllib.error
import urllib.request

from benchlib import SRC, bench_stack, lua_post_json, wrk

PASSWORD = "Demo-Passw0rd!"
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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(SRC, "build"))
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--connections", type=int, default=8)
    ap.add_argument("--samples", type=int, default=100)
    a = ap.parse_args()
    with bench_stack(a.build) as s:
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
        r = wrk(url, "/api/v1/session", a.seconds, a.connections,
                lua_post_json({"region": "us", "identifier": "acme-us",
                               "password": PASSWORD}))
        print(f"one argon2id verification (median of 21): {verify_ms:.1f} ms")
        print(f"wrong password, median of {a.samples}:     {mw:.1f} ms")
        print(f"unknown identifier, median of {a.samples}:  {mu:.1f} ms")
        print(f"difference:                              {abs(mw - mu):.1f} ms"
              f" (goal: under 5 ms)")
        print(f"password reset, real User ID, median:    {rr:.1f} ms")
        print(f"password reset, unknown User ID, median: {rg:.1f} ms "
              f"({abs(rr - rg):.1f} ms apart)")
        print(f"sign-ins/s, right password, {a.connections} connections, "
              f"{a.seconds} s: {r['rps']:.1f} (p50 {r['p50']:.0f} ms, "
              f"non-2xx {r['non2xx']})")
        print(f"cores / one verification = {cores} / {verify_ms:.1f} ms = "
              f"{ceiling:.1f}/s; ratio {r['rps'] / ceiling:.2f}")


if __name__ == "__main__":
    main()
