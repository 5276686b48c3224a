"""What the benchmarks share: a throwaway stack and wrk.

    with bench_stack(build) as s:      # scripts/stack.py's Stack, up
        r = wrk(s.url, "/healthz", 10, 64)
        r = wrk(s.url, "/api/v1/account", 10, 64, lua_bearer(path, tokens))
        print_row("GET /healthz", r)
"""
import concurrent.futures
import contextlib
import json
import urllib.request
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

SRC = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(SRC, "scripts"))
import stack  # noqa: E402


@contextlib.contextmanager
def bench_stack(build):
    """A stack as `scripts/dev run` starts it, on a throwaway directory,
    with nginx's sign-in limit lifted (so only the gateway bounds the
    rate) and MariaDB's buffer pool sized for millions of accounts, as a
    production server's would be."""
    os.environ.setdefault("BILLGW_MYSQL_BUFFER_POOL", "4G")
    os.environ["BILLGW_SIGNIN_RATE"] = "100000r/s"
    os.environ["BILLGW_SIGNIN_BURST"] = "100000"
    var = tempfile.mkdtemp(prefix="bgw-bench-", dir="/tmp")
    s = stack.Stack(SRC, build, var, stack.free_port())
    try:
        s.up()
        yield s
    finally:
        s.down()
        shutil.rmtree(var, ignore_errors=True)


def ms(text):
    """wrk's latency ("456.78us", "1.23ms", "1.20s") in milliseconds."""
    m = re.match(r"([\d.]+)(us|ms|s|m|h)$", text)
    return float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000,
                                "h": 3600000}[m.group(2)]


def lua_bearer(path, tokens):
    """A wrk script: GET path, rotating over Bearer tokens.  The requests
    are built once per wrk thread (init), not once per request: wrk shares
    the two cores with the stack, and a wrk.format() per request cost it
    enough to move the figures (account p99 19.7 ms vs 9.6 ms)."""
    return lua_rotate(["wrk.format('GET', '%s', {['Authorization'] = "
                       "'Bearer %s'})" % (path, t) for t in tokens])


def lua_rotate(requests):
    """A wrk script sending the requests (Lua expressions) in turn, each
    built once per thread."""
    return ("local reqs = {}\nlocal i = 0\n"
            "init = function(args)\n%s\nend\n"
            "request = function()\n  i = i %% #reqs + 1\n"
            "  return reqs[i]\nend\n"
            % "\n".join("  reqs[%d] = %s" % (k + 1, r)
                        for k, r in enumerate(requests)))


def lua_post_json(body):
    """A wrk script: POST body as JSON."""
    return ('wrk.method = "POST"\n'
            'wrk.headers["Content-Type"] = "application/json"\n'
            "wrk.body = '%s'\n" % json.dumps(body))


def wrk(url, path, seconds, conns, script=None, timeout=10):
    """One wrk run; its figures as a dict (latencies in ms).  A request
    slower than timeout seconds counts as a socket error (wrk's own default
    of 2 s is shorter than a queue of sign-ins)."""
    argv = ["wrk", "-t2", f"-c{conns}", f"-d{seconds}s", "--latency",
            f"--timeout={timeout}s"]
    lua = None
    if script:
        with tempfile.NamedTemporaryFile("w", suffix=".lua",
                                         delete=False) as f:
            f.write(script)
            lua = f.name
        argv += ["-s", lua]
    try:
        out = subprocess.run(argv + [url + path], capture_output=True,
                             text=True, check=True).stdout
    finally:
        if lua:
            os.unlink(lua)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errs = re.search(r"Socket errors: (.*)", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)",
                                   out).group(1)),
            "p50": ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1)),
            "p99": ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1)),
            "non2xx": int(non2xx.group(1)) if non2xx else 0,
            "errors": errs.group(1).strip() if errs else "none"}


def print_head(title, at_nginx=False):
    """The table's head; at_nginx adds the column of nginx_p99()."""
    print(f"\n{title:<48} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} "
          + (f"{'nginx p99':>9} " if at_nginx else "") +
          f"{'ratio':>6} {'non-2xx':>7} socket errors")


def print_row(name, r, base=None):
    """A table row; ratio is req/s over base's (e.g. /healthz's)."""
    ratio = f"{r['rps'] / base['rps']:.2f}" if base else "1.00"
    print(f"{name:<48} {r['rps']:>9.1f} {r['p50']:>8.2f} {r['p99']:>8.2f} "
          + (f"{r['nginx_p99']:>9} " if "nginx_p99" in r else "") +
          f"{ratio:>6} {r['non2xx']:>7} {r['errors']}")


def nginx_p99(log, offset, path):
    """The 99th percentile of nginx's own $request_time (in ms, which is
    nginx's precision) over path's lines of its access log from offset on,
    as text ("-" when there are none).  It runs from nginx reading the
    request to nginx writing the answer; wrk's p99 also holds the time
    before and after, when wrk and nginx wait for one of the two cores
    that the stack keeps busy.  The log is buffered for up to a second."""
    time.sleep(1.2)
    times = []
    with open(log, "rb") as f:
        f.seek(offset)
        for line in f:
            # ... "GET /path HTTP/1.1" status bytes request_time upstream id=
            fields = line.split()
            if len(fields) > 4 and fields[4] == path.encode():
                times.append(float(fields[-3]))
    if not times:
        return "-"
    times.sort()
    p99 = times[min(len(times) - 1, len(times) * 99 // 100)]
    return f"{1000 * p99:.0f}" if p99 > 0 else "<1"


GEN_PASSWORD = "Gen-Passw0rd!"
REGIONS = ["us", "ca", "eu", "apac"]


def sign_in(url, region, ident, password=GEN_PASSWORD):
    """A session token for ident."""
    req = urllib.request.Request(
        url + "/api/v1/session",
        data=json.dumps({"region": region, "identifier": ident,
                         "password": password}).encode(),
        headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return json.load(r)["token"]


def generated(n_accounts, n_pick):
    """(region, client ID) of n_pick generated users spread evenly over
    the n_accounts of every region (billgwctl demo --accounts)."""
    per = max(1, n_pick // len(REGIONS))
    step = max(1, n_accounts // per)
    return [(region, f"gen-{region}-{seq:07d}") for region in REGIONS
            for seq in range(1, n_accounts + 1, step)[:per]]


def tokens_for(url, n_accounts, n_tokens):
    """Tokens of n_tokens generated users over every region, in the order
    of generated(); eight sign-ins at a time (each is one argon2id
    verification: thousands one by one would take minutes)."""
    with concurrent.futures.ThreadPoolExecutor(8) as ex:
        return list(ex.map(lambda ri: sign_in(url, *ri),
                           generated(n_accounts, n_tokens)))


def wait_idle(url, timeout=60.0):
    """Wait until no worker is busy but the one answering /status, so that
    one row's queue does not spill into the next.  Returns the pool's
    count of accepted requests, less the /status requests made here."""
    deadline = time.time() + timeout
    polls = 0
    while True:
        with urllib.request.urlopen(url + "/status") as r:
            st = json.load(r)
        polls += 1
        if st["workers"]["active"] <= 1 or time.time() >= deadline:
            return st["accepted"] - polls
        time.sleep(0.2)
