"""`scripts/dev run` as a newcomer uses it (SPEC section 10): on a new var
directory it prints the URL and the demo sign-ins within 2 minutes, serves,
and on SIGTERM stops everything it started."""

import os
import re
import selectors
import signal
import shutil
import subprocess
import tempfile
import time
import unittest

import harness


def processes_mentioning(text):
    """Pids whose command line mentions text (our own var directory)."""
    found = []
    for d in os.listdir("/proc"):
        if not d.isdigit() or int(d) == os.getpid():
            continue
        try:
            with open(f"/proc/{d}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if text in cmd:
            found.append((int(d), cmd[:120]))
    return found


class DevRunTest(unittest.TestCase):

    def test_run_prints_the_url_and_sign_ins_and_stops_on_sigterm(self):
        var = tempfile.mkdtemp(prefix="bgw-run-", dir="/tmp")
        port = harness.free_port()
        # As a newcomer runs it: its own build (build/, no sanitizers),
        # so the plain build is compiled and tried too.
        env = dict(os.environ, BILLGW_VAR=var, BILLGW_PORT=str(port))
        env.pop("BILLGW_BUILD", None)
        for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
            env.pop(k, None)
        t0 = time.monotonic()
        proc = subprocess.Popen(
            [os.path.join(harness.SRC, "scripts", "dev"), "run"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, env=env, start_new_session=True)
        out = b""
        try:
            sel = selectors.DefaultSelector()
            sel.register(proc.stdout, selectors.EVENT_READ)
            while b"stops everything" not in out:
                self.assertLess(time.monotonic() - t0, 120,
                                "no URL within 2 minutes:\n" + out.decode())
                self.assertIsNone(proc.poll(), out.decode())
                if sel.select(timeout=1):
                    out += os.read(proc.stdout.fileno(), 65536)
            took = time.monotonic() - t0
            text = out.decode()
            print(f"\n    cold start to the URL: {took:.1f} s")
            url = f"http://127.0.0.1:{port}"
            self.assertIn(f"billgw is serving on {url}/", text)
            self.assertRegex(text, r"Demo sign-ins")
            self.assertIn("acme-us", text)
            self.assertIn("Demo-Passw0rd!", text)
            self.assertRegex(text, r"globex-ap-us")

            r = harness.http("GET", "/readyz", url=url)
            self.assertEqual(r.status, 200, r.text)
            self.assertEqual([g["database"] for g in r.json()["regions"]],
                             ["up"] * 4)
            self.assertTrue(processes_mentioning(var))
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                rc = proc.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                raise
            proc.stdout.close()
        self.assertEqual(rc, 0)
        harness.wait_until(lambda: not processes_mentioning(var), 10,
                           "every process of the run gone")
        with self.assertRaises(OSError):
            harness.http("GET", "/healthz", url=url, timeout=2)
        shutil.rmtree(var, ignore_errors=True)


if __name__ == "__main__":
    harness.main()
