#!/usr/bin/env python3
"""scripts/dev bench [--smoke]: one run, one table, against the machine's own
ceilings (issue 7).  Figures, never assertions.

It starts the stack as `scripts/dev run` does (its own directory and port,
100,000 generated accounts per region unless told otherwise, nginx's
sign-in limit lifted), then measures each row with wrk for a fixed time at
64 connections and at four times the pool size (both lanes' workers):

    nginx alone (a `return 200` location)     the HTTP ceiling
    GET /healthz through the pool             the FastCGI ceiling
    GET /api/v1/account, Bearer tokens rotating over 400 accounts of every
        region: once with every worker's caches cold, once again; then
        over 4,000 accounts, more than a worker's own answer cache holds
        (with the shares answered from the pool's shared cache and loaded
        from the database), once with nine tenths of them new, once again
    POST /api/v1/session, right passwords (rotating users), wrong passwords
    GET /healthz while as many connections sign in (in the pool's sign-in
        lane), and those sign-ins

with each row's ratio to /healthz and nginx's own p99 (benchlib's
nginx_p99()); then the account row and /healthz alternating in five
shorter stretches (the medians of the ratio and of the account p99, and
nginx's p99 of each stretch); then sign-ins per second against cores / one
argon2id verification (bench_password, measured next to the rows), the
workers' CPU time per sign-in, where the cores went during the sign-ins
(the workers, MariaDB, nginx, idle, the rest), one verification per core
all at once (the most the cores can verify), and the median ratio of five
shorter stretches of sign-ins each measured between two verifications
(the machine's speed drifts); then the RSS of the master and of each
worker (from /proc).  --smoke does the same on 1,000 accounts and 2-second
rows, so the test command can keep this script working.
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import threading
import time
import urllib.request

from benchlib import (SRC, bench_stack, generated, lua_bearer, lua_rotate,
                      nginx_p99, print_head, print_row, stack, tokens_for,
                      wait_idle, wrk)


def lua_unknown(password):
    """A wrk script: sign-ins of identifiers nobody has, a new one each
    time (so none reaches the lock of 10 failures)."""
    return ("local n = 0\nrequest = function()\n  n = n + 1\n"
            "  return wrk.format('POST', '/api/v1/session', "
            "{['Content-Type'] = 'application/json'}, "
            "'{\"region\":\"us\",\"identifier\":\"nobody-' .. "
            "math.random(1, 1000000000) .. '-' .. n .. "
            "'\",\"password\":\"%s\"}')\nend\n" % password)


def lua_sign_ins(users, password):
    """A wrk script: POST /api/v1/session rotating over (region, id)."""
    return lua_rotate(["wrk.format('POST', '/api/v1/session', "
                       "{['Content-Type'] = 'application/json'}, '%s')"
                       % json.dumps({"region": r, "identifier": i,
                                     "password": password})
                       for r, i in users])


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def cpu_ms(pids):
    """CPU time (user + system) the processes have used, in ms; a process
    gone meanwhile counts 0."""
    ticks = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])
    return ticks * 1000.0 / os.sysconf("SC_CLK_TCK")


def machine_ms():
    """(all, idle) CPU time of the machine so far, in ms, from /proc/stat
    (idle counts iowait too)."""
    with open("/proc/stat") as f:
        t = [int(x) for x in f.readline().split()[1:]]
    hz = os.sysconf("SC_CLK_TCK")
    return sum(t[:8]) * 1000.0 / hz, (t[3] + t[4]) * 1000.0 / hz


class CoreSplit:
    """Where the machine's cores went between start() and stop(): each
    named group of processes' share, idle, and the rest (wrk, the kernel's
    own threads, anything else on the machine)."""

    def __init__(self, groups):
        self.groups = groups            # [(name, [pid, ...]), ...]

    def snap(self):
        return [cpu_ms(pids) for _, pids in self.groups], machine_ms()

    def start(self):
        self.t0 = self.snap()

    def stop(self):
        (g1, (all1, idle1)), (g0, (all0, idle0)) = self.snap(), self.t0
        total = max(all1 - all0, 1.0)
        self.share = {name: (b - a) / total
                      for (name, _), a, b in zip(self.groups, g0, g1)}
        self.share["idle"] = (idle1 - idle0) / total
        self.share["the rest"] = max(0.0, 1 - sum(self.share.values()))


def summaries(url):
    """The pool's account answers so far: (from a worker's own cache, from
    the pool's shared one, from the database), from /metrics."""
    with urllib.request.urlopen(url + "/metrics") as r:
        text = r.read().decode()
    return tuple(int(float(re.search(
        r'^billgw_account_summaries_total\{source="%s"\} (\S+)$' % src,
        text, re.M).group(1))) for src in ("cache", "shared", "database"))


def worker_pids(url, lane=None):
    """The pool's workers (of one lane: "main" or "signin")."""
    with urllib.request.urlopen(url + "/status") as r:
        return [p["pid"] for p in json.load(r)["processes"]
                if lane is None or p.get("lane", "main") == lane]


def core_groups(s, url):
    """CoreSplit's groups for stack s: the workers of each lane, MariaDB,
    nginx (its master and workers)."""
    pid = {p.name: p.pid for p in s.procs}
    groups = [("sign-in workers", worker_pids(url, "signin")),
              ("main workers", worker_pids(url, "main")),
              ("MariaDB", [pid["mariadbd"]]),
              ("nginx", [pid["nginx"]] + stack.children(pid["nginx"]))]
    return [g for g in groups if g[1]]


def verify_ms(build, at_once=1):
    """One argon2id verification, median of 11 (bench_password); with
    at_once > 1, that many bench_passwords running side by side, the mean
    of their medians."""
    runs = [subprocess.Popen([os.path.join(build, "bench_password"), "11"],
                             stdout=subprocess.PIPE, text=True)
            for _ in range(at_once)]
    outs = [p.communicate()[0] for p in runs]
    if any(p.returncode != 0 for p in runs):
        raise SystemExit("bench: bench_password failed")
    return sum(float(out) for out in outs) / len(outs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(SRC, "build"))
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--accounts", type=int)
    ap.add_argument("--seconds", type=int)
    a = ap.parse_args()
    accounts = a.accounts or (1000 if a.smoke else 100000)
    seconds = a.seconds or (2 if a.smoke else 10)
    os.environ["BILLGW_BENCH_LOCATION"] = "1"
    if a.smoke:
        os.environ.setdefault("BILLGW_MYSQL_BUFFER_POOL", "128M")
    with bench_stack(a.build) as s:
        url = s.url
        ctl = [os.path.join(a.build, "billgwctl"), "--config", s.p["conf"]]
        t0 = time.time()
        subprocess.run(ctl + ["demo", "--accounts", str(accounts)],
                       check=True, capture_output=True)
        print(f"{accounts} generated accounts per region in "
              f"{time.time() - t0:.0f} s")
        with urllib.request.urlopen(url + "/status") as r:
            st = json.load(r)
        workers = st["workers"]["configured"]
        lane = st["workers"].get("signin_configured", 0)
        hot = 40 if a.smoke else 400
        # Ten times as many accounts as the hot set, for a row where the
        # workers' answer caches (1,024 answers each) mostly miss; the hot
        # set is every tenth of them, spread over the regions the same way.
        many = tokens_for(url, accounts, 10 * hot)
        tokens = many[::10]
        users = generated(accounts, hot)
        # Four times the pool: every worker of both lanes.  The smoke
        # keeps the script working: one set of rows is enough for that.
        sets = [64] if a.smoke else sorted({64, 4 * (workers + lane)})
        for n, conns in enumerate(sets):
            # After the first set of rows the caches are no longer cold.
            cold = "warm from the rows above" if n else "cold"
            print_head(f"{conns} connections, {seconds} s a row, pool of "
                       f"{workers}" + (f" + {lane} sign-in" if lane else ""),
                       at_nginx=True)
            rows = []

            def measure(name, path, script=None, idle=True, split=None):
                if idle:
                    wait_idle(url)
                offset = os.path.getsize(s.p["nginx_access"])
                if split:
                    split.start()
                r = wrk(url, path, seconds, conns, script)
                if split:
                    split.stop()
                r["nginx_p99"] = nginx_p99(s.p["nginx_access"], offset, path)
                if r["nginx_p99"] == "-":
                    # The smoke fails too when the log's format moves.
                    raise SystemExit(f"bench: no {path} in nginx's access "
                                     f"log ({s.p['nginx_access']})")
                rows.append((name, r))
                return r

            measure("nginx alone (return 200)", "/bench/nginx")
            health = measure("GET /healthz", "/healthz")
            # Each worker's first answer for an account is a miss of its
            # summary cache (and of its token memo): the first row shows
            # that, the second the steady state.
            account = lua_bearer("/api/v1/account", tokens)
            measure(f"GET /api/v1/account, caches {cold}",
                    "/api/v1/account", account)
            measure("GET /api/v1/account (Bearer, every region)",
                    "/api/v1/account", account)
            # The same over ten times as many accounts, also twice: the
            # first pass loads the nine tenths nobody asked for yet.
            for name in (f"{len(many)} accounts, {cold}",
                         f"{len(many)} accounts"):
                before = summaries(url)
                r = measure(f"GET /api/v1/account, {name}",
                            "/api/v1/account",
                            lua_bearer("/api/v1/account", many))
                own, shared, loaded = (x - y for x, y in
                                       zip(summaries(url), before))
                total = max(1, own + shared + loaded)
                rows[-1] = (f"{rows[-1][0]}, {100 * shared // total}% "
                            f"shared, {100 * loaded // total}% loaded", r)
            # One row each moves by 5-10% with the machine: the account
            # row and /healthz again in shorter stretches, alternating,
            # and the medians of the ratio and of the account p99.
            stretches = []
            for _ in range(1 if a.smoke else 5):
                wait_idle(url)
                h = wrk(url, "/healthz", max(2, seconds // 2), conns)
                wait_idle(url)
                offset = os.path.getsize(s.p["nginx_access"])
                r = wrk(url, "/api/v1/account", max(2, seconds // 2), conns,
                        account)
                stretches.append((r["rps"] / h["rps"], r["p99"],
                                  nginx_p99(s.p["nginx_access"], offset,
                                            "/api/v1/account")))
            # The ceiling's unit is measured next to the sign-in rows, as
            # the machine's speed drifts; the workers' own CPU time per
            # sign-in shows what the gateway adds to a verification.
            wait_idle(url)
            before = verify_ms(a.build)
            pids = worker_pids(url)
            served, used = wait_idle(url), cpu_ms(pids)
            split = CoreSplit(core_groups(s, url))
            right = measure("POST /api/v1/session, right password",
                            "/api/v1/session",
                            lua_sign_ins(users, "Gen-Passw0rd!"),
                            split=split)
            # To the end of the queue wrk leaves behind.
            served = wait_idle(url) - served
            used = cpu_ms(pids) - used
            measure("POST /api/v1/session, wrong (401 expected)",
                    "/api/v1/session", lua_unknown("Not-The-Passw0rd!"))
            # Both at once: the sign-ins wait in their own lane
            # (fcgi/pool.c) while the main one goes on answering.
            wait_idle(url)
            during = {}
            offset = os.path.getsize(s.p["nginx_access"])
            signing = threading.Thread(target=lambda: during.update(wrk(
                url, "/api/v1/session", seconds + 2, conns,
                lua_sign_ins(users, "Gen-Passw0rd!"))))
            signing.start()
            time.sleep(1)
            measure(f"GET /healthz while {conns} connections sign in",
                    "/healthz", idle=False)
            signing.join()
            during["nginx_p99"] = nginx_p99(s.p["nginx_access"], offset,
                                            "/api/v1/session")
            rows.append(("POST /api/v1/session, right, meanwhile", during))
            wait_idle(url)
            one = (before + verify_ms(a.build)) / 2
            for name, r in rows:
                print_row(name, r, health)
            ratio = statistics.median(x for x, _, _ in stretches)
            p99 = statistics.median(y for _, y, _ in stretches)
            print("account / /healthz, alternating stretches: " +
                  " ".join(f"{x:.2f}" for x, _, _ in stretches) +
                  f" (median {ratio:.2f}); account p99 (nginx's): " +
                  " ".join(f"{y:.1f} ({z})" for _, y, z in stretches) +
                  f" ms (median {p99:.1f})")
            cores = os.cpu_count() or 1
            ceiling = cores * 1000.0 / one
            per = used / max(served, 1)
            print(f"sign-ins/s {right['rps']:.1f} / (cores / one "
                  f"verification = {cores} / {one:.1f} ms = {ceiling:.1f})"
                  f" = {right['rps'] / ceiling:.2f}; one verification "
                  f"{before:.1f} ms before the rows, {2 * one - before:.1f}"
                  f" after")
            print(f"workers' CPU per sign-in {per:.1f} ms = "
                  f"{per / one:.2f} verifications ({served} sign-ins)")
            # The ratio in two factors: how much of the cores the workers
            # got, and how much of their CPU time went to verifying.
            ours = sum(split.share.get(g, 0.0)
                       for g in ("sign-in workers", "main workers"))
            print("the cores during that row: " + ", ".join(
                f"{g} {100 * x:.1f}%" for g, x in split.share.items()) +
                f"; sign-ins / ceiling ~ the workers' share {ours:.2f} x "
                f"one verification / their CPU per sign-in {one / per:.2f}"
                f" = {ours * one / per:.2f}")
            # Every core verifying at once, each verification is slower
            # than alone (they share the memory bandwidth argon2id exists
            # to use): the most the pool could reach, before nginx,
            # MariaDB and wrk take their share of the cores.
            if cores > 1:
                both = verify_ms(a.build, cores)
                print(f"{cores} verifications at once: {both:.1f} ms each;"
                      f" the most {cores} cores can verify is "
                      f"{cores * 1000.0 / both:.1f}/s = "
                      f"{one / both:.2f} of the ceiling; the sign-ins "
                      f"reached {right['rps'] * both / (cores * 1000.0):.2f}"
                      f" of that")
            # The machine's speed moves within seconds (one verification
            # measured 19.9 ms, then 31.5 ms 15 s later): short stretches
            # of sign-ins, each between two measures of the ceiling, and
            # the median of their ratios.
            ratios = []
            for _ in range(1 if a.smoke else 5):
                v0 = verify_ms(a.build)
                r = wrk(url, "/api/v1/session", max(2, seconds // 2), conns,
                        lua_sign_ins(users, "Gen-Passw0rd!"))
                wait_idle(url)
                v = (v0 + verify_ms(a.build)) / 2
                ratios.append(r["rps"] * v / (cores * 1000.0))
            print("sign-ins / ceiling, stretches between two measures of "
                  "it: " + " ".join(f"{x:.2f}" for x in ratios) +
                  f" (median {statistics.median(ratios):.2f})")
        wait_idle(url)
        with urllib.request.urlopen(url + "/status") as r:
            st = json.load(r)
        print(f"\nRSS after the run: master {rss_kib(st['pid']) / 1024:.1f} "
              f"MiB; workers (pool of {workers}" +
              (f", sign-in lane of {lane}" if lane else "") + "):")
        sizes = sorted(rss_kib(p["pid"]) / 1024 for p in st["processes"]
                       if p.get("lane", "main") == "main")
        print("  " + " ".join(f"{x:.1f}" for x in sizes) +
              f" MiB (max {max(sizes):.1f})")
        if lane:
            sizes = sorted(rss_kib(p["pid"]) / 1024
                           for p in st["processes"] if p["lane"] == "signin")
            print("  sign-in lane: " + " ".join(f"{x:.1f}" for x in sizes) +
                  f" MiB (max {max(sizes):.1f})")


if __name__ == "__main__":
    main()
