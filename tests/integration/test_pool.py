"""The worker pool (SPEC section 8): respawn, timeouts, drain, reload,
recycling and the crash throttle, each on an isolated pool + nginx."""

import collections
import json
import os
import re
import secrets
import signal
import threading
import time
import unittest

import harness
from harness import FcgiClient, Stack, cgi_params, wait_until


def unread_body_answer(c, size=100 * 1024):
    """POST size bytes of body, over the 16 KiB limit, on FastCGI client c:
    the worker refuses it without reading it all.  Its answer."""
    body = b"x" * size
    c.begin(cgi_params("POST", "/api/v1/session", body=body,
                       content_type="application/json"))
    c.send_stdin(body)
    c.end_stdin()
    return c.read_response(timeout=5)


def get_ok(s, path="/healthz"):
    r = s.http("GET", path)
    return r.status == 200


class PoolTest(unittest.TestCase):

    def test_a_killed_worker_is_replaced_and_requests_still_succeed(self):
        with Stack("kill") as s:
            s.start_pool(overrides={"gateway.workers": 3})
            s.start_nginx()
            before = set(s.all_workers(3))
            victim = sorted(before)[0]
            os.kill(victim, signal.SIGKILL)
            wait_until(lambda: victim not in s.pool_processes()
                       and len(s.pool_processes()) == 3, 10,
                       "a replacement worker")
            for _ in range(20):
                self.assertTrue(get_ok(s))
            st = s.status()
            self.assertEqual(st["restarts"]["crash"], 1)
            self.assertEqual(st["workers"]["total"], 3)
            self.assertNotIn(victim, [p["pid"] for p in st["processes"]])

    def test_a_worker_stuck_past_request_timeout_is_killed_and_replaced(self):
        with Stack("stuck") as s:
            s.start_pool(overrides={"gateway.workers": 2,
                                    "gateway.request_timeout": 2})
            s.start_nginx()
            c = s.fcgi()
            # Content-Length 10, only 4 bytes sent: the worker waits for
            # the rest inside the request, as behind a stalled client.
            c.begin(cgi_params("POST", "/healthz", body=b"x" * 10,
                               content_type="application/json"))
            c.send_stdin(b"xxxx")
            wait_until(lambda: any(p["state"] == "active"
                                   and p["uri"] == "/healthz"
                                   and p["age_ms"] >= 500
                                   for p in s.status()["processes"]), 5,
                       "the stuck worker on the scoreboard")
            stuck_since = time.monotonic()
            with self.assertRaises((ConnectionError, OSError)):
                c.read_response(timeout=10)
            waited = time.monotonic() - stuck_since
            self.assertLess(waited, 5.0)
            c.close()
            wait_until(lambda: s.status()["restarts"]["timeout"] == 1, 5,
                       "the timeout restart counted")
            wait_until(lambda: len(s.pool_processes()) == 2, 5,
                       "the replacement")
            self.assertTrue(get_ok(s))
            s.wait_log(r"stuck on /healthz for \d+ ms: killing")

    def test_a_worker_is_free_at_once_while_nginx_keeps_its_end_open(self):
        # libfcgi alone would shut down its side, then wait up to 2 s for
        # the web server to close first; one worker makes that wait show.
        with Stack("close") as s:
            s.start_pool(overrides={"gateway.workers": 1})
            s.start_nginx()
            first = s.fcgi()
            r = first.request("GET", "/healthz")
            self.assertEqual(r.status, 200)
            t0 = time.monotonic()
            with s.fcgi() as second:
                r = second.request("GET", "/healthz", timeout=5)
            took = time.monotonic() - t0
            self.assertEqual(r.status, 200)
            self.assertLess(took, 1.0)
            # The first connection was closed by the worker, not left open.
            first.sock.settimeout(1)
            self.assertEqual(first.sock.recv(1), b"")
            first.close()

    def test_input_left_unread_still_gets_its_whole_answer(self):
        # 100 KiB of body the worker refuses unread (over 16 KiB): it reads
        # 64 KiB more, then closes the slow way, which loses no answer.
        with Stack("unread") as s:
            s.start_pool(overrides={"gateway.workers": 1})
            s.start_nginx()
            with s.fcgi() as c:
                r = unread_body_answer(c)
            self.assertEqual(r.status, 413)
            self.assertIn(b"body_too_large", r.body)
            with s.fcgi() as c:
                self.assertEqual(c.request("GET", "/healthz",
                                           timeout=5).status, 200)
            self.assertEqual(s.status()["restarts"]["crash"], 0)

    def test_each_verifying_worker_has_a_core_of_its_own_then_all_again(self):
        cpus = os.sched_getaffinity(0)
        if len(cpus) < 2:
            self.skipTest("one CPU: nothing to pin")
        run = secrets.token_hex(4)
        with Stack("pin") as s:
            s.start_pool(overrides={"gateway.workers": 6})
            pids = s.all_workers(6)
            self.assertEqual({frozenset(os.sched_getaffinity(p))
                              for p in pids}, {frozenset(cpus)})
            stop = threading.Event()
            codes = []

            def sign_ins(k):
                n = 0
                while not stop.is_set():
                    n += 1
                    body = json.dumps({"region": "us", "password": "x" * 12,
                                       "identifier": f"nobody-{run}-{k}-{n}"})
                    with s.fcgi() as c:
                        codes.append(c.request(
                            "POST", "/api/v1/session", body=body,
                            content_type="application/json").status)

            def pinned(pid):
                mask = os.sched_getaffinity(pid)
                return next(iter(mask)) if len(mask) == 1 else None

            threads = [threading.Thread(target=sign_ins, args=(k,))
                       for k in range(4)]
            for t in threads:
                t.start()
            seen, clashes = set(), []
            deadline = time.monotonic() + 3
            while time.monotonic() < deadline:
                now = {p: pinned(p) for p in pids}
                seen |= {c for c in now.values() if c is not None}
                on = [p for p in pids if now[p] is not None]
                for i, a in enumerate(on):
                    for b in on[i + 1:]:
                        # Read again, the other way round: one worker may
                        # have left its gate just as the next took it.
                        if now[a] == now[b] and \
                                pinned(b) == pinned(a) is not None:
                            clashes.append((a, b, now[a]))
            stop.set()
            for t in threads:
                t.join()
            self.assertEqual(clashes, [])
            self.assertEqual(seen, cpus & seen)
            self.assertGreaterEqual(len(seen), 2)
            self.assertGreater(len(codes), 20)
            self.assertEqual(set(codes), {401})
            for p in pids:
                self.assertEqual(os.sched_getaffinity(p), cpus)

    def test_a_pool_on_loopback_tcp_answers_whole_with_bodies_read_or_not(self):
        # listen = 127.0.0.1:PORT (README, several hosts), where a close
        # with input unread resets the connection: bodies the worker reads
        # to the end, refuses unread, or drains, and every answer whole.
        with Stack("tcp") as s:
            port = harness.free_port()
            s.start_pool(overrides={"gateway.workers": 2,
                                    "gateway.listen": f"127.0.0.1:{port}"})
            s.start_nginx()
            for i in range(60):
                r = s.http("GET", "/api/v1/regions")
                self.assertEqual(r.status, 200, r)
                self.assertIn("regions", r.json())
                r = s.http("POST", "/healthz", body=b"x" * (i * 256),
                           headers={"Content-Type": "application/json"})
                self.assertEqual(r.status, 405, r)
                self.assertIn("GET", r.headers.get("Allow", ""))
            with FcgiClient(("127.0.0.1", port)) as c:
                r = unread_body_answer(c)
            self.assertEqual(r.status, 413)
            self.assertEqual(s.status()["restarts"]["crash"], 0)

    def test_sigterm_lets_the_request_in_flight_finish_then_exits(self):
        with Stack("drain") as s:
            s.start_pool(overrides={"gateway.workers": 2})
            s.start_nginx()
            workers = s.all_workers(2)
            c = s.fcgi()
            c.begin(cgi_params("POST", "/healthz", body=b"y" * 8,
                               content_type="application/json"))
            c.send_stdin(b"yyy")
            wait_until(lambda: any(p["state"] == "active"
                                   and p["uri"] == "/healthz"
                                   for p in s.status()["processes"]), 5,
                       "the request in flight on the scoreboard")
            s.signal_pool(signal.SIGTERM)
            # The master waits for the worker in flight.
            time.sleep(1.0)
            self.assertIsNone(s.pool.returncode())
            self.assertFalse(os.path.exists(s.sock),
                             "the listen socket should be gone at once")
            c.send_stdin(b"yyyyy")
            c.end_stdin()
            r = c.read_response(timeout=10)
            c.close()
            self.assertEqual(r.status, 405)      # a whole, real answer
            self.assertIn(b"method_not_allowed", r.body)
            self.assertEqual(s.wait_pool_exit(15), 0)
            for pid in workers:
                self.assertFalse(harness.pid_alive(pid),
                                 f"worker {pid} outlived the master")

    def test_sighup_under_a_request_loop_drops_nothing(self):
        with Stack("hup") as s:
            s.start_pool(overrides={"gateway.workers": 4})
            s.start_nginx()
            results, stop = [], threading.Event()

            def loop():
                while not stop.is_set():
                    try:
                        results.append(s.http("GET", "/healthz").status)
                    except OSError as e:
                        results.append(repr(e))

            threads = [threading.Thread(target=loop) for _ in range(4)]
            for t in threads:
                t.start()
            try:
                for _ in range(5):
                    time.sleep(0.4)
                    s.reload()
                time.sleep(0.5)
            finally:
                stop.set()
                for t in threads:
                    t.join()
            failed = [r for r in results if r != 200]
            print(f"\n    {len(results)} requests across 5 reloads, "
                  f"{len(failed)} failed")
            self.assertGreater(len(results), 100)
            self.assertEqual(failed, [])
            st = s.status()
            self.assertEqual(st["generation"], 6)
            self.assertEqual(st["restarts"]["reload"], 20)
            wait_until(lambda: len(s.pool_processes()) == 4, 10,
                       "old generations gone")

    def test_a_bad_config_at_sighup_is_logged_and_the_old_one_serves(self):
        with Stack("badhup") as s:
            good = s.conf_text({"gateway.workers": 2})
            s.start_pool(conf_text=good)
            s.start_nginx()
            pids = s.all_workers(2)
            s.reload(harness.conf_set(good, "gateway.workers", "0"))
            s.wait_log(r"reload: .*billgw\.conf:\d+: \[gateway\] workers: "
                       r"must be a whole number from 1 to 256; keeping the "
                       r"running configuration")
            for _ in range(10):
                self.assertTrue(get_ok(s))
            st = s.status()
            self.assertEqual(st["generation"], 1)
            self.assertEqual(s.pool_processes(), pids)
            # A good file afterwards is taken.
            s.reload(harness.conf_set(good, "gateway.workers", "3"))
            wait_until(lambda: s.status()["generation"] == 2
                       and s.status()["workers"]["configured"] == 3, 10,
                       "the good reload")

    def test_a_worker_recycles_after_max_requests(self):
        with Stack("recyc") as s:
            s.start_pool(overrides={"gateway.workers": 2,
                                    "gateway.max_requests": 5})
            s.start_nginx()
            for _ in range(40):
                self.assertTrue(get_ok(s))
            wait_until(lambda: s.status()["restarts"]["recycle"] >= 6, 5,
                       "recycled workers counted")
            st = s.status()
            self.assertEqual(st["restarts"]["crash"], 0)
            for p in st["processes"]:
                self.assertLessEqual(p["requests"], 5)

    def test_new_workers_inherit_the_dummy_hash_from_the_master(self):
        # The hash an unknown identifier is verified against
        # (auth/password.c) is computed once, by the master: a worker,
        # new or reloaded, runs no argon2id before its first sign-in, so
        # its peak RSS never held argon2id's 32 MiB.
        def kib(pid, field):
            with open(f"/proc/{pid}/status") as f:
                return int(re.search(r"^%s:\s+(\d+) kB" % field, f.read(),
                                     re.M).group(1))

        def peak_over_now(pid):
            return kib(pid, "VmHWM") - kib(pid, "VmRSS")

        with Stack("dummy") as s:
            s.start_pool(overrides={"gateway.workers": 2})
            s.start_nginx()
            self.assertGreater(peak_over_now(s.pool_pid), 30 * 1024)
            s.reload()
            wait_until(lambda: s.status()["generation"] == 2 and
                       len(s.pool_processes()) == 2, 10,
                       "the new generation alone")
            for pid in s.worker_pids():
                self.assertLess(peak_over_now(pid), 16 * 1024, pid)
            # And an unknown identifier is verified against it.
            self.assertEqual(SignInLaneTest.sign_in(s), 401)

    def test_workers_connect_to_every_database_before_a_request(self):
        def connections():
            """Open connections per database, as MariaDB counts them."""
            return collections.Counter(dict(
                (db, int(n)) for db, n in harness.sql(
                    "information_schema", "SELECT DB, COUNT(*) FROM"
                    " PROCESSLIST WHERE USER = 'billgw' GROUP BY DB")))

        before = connections()
        with Stack("connect") as s:
            s.start_pool(overrides={"gateway.workers": 2})
            s.start_nginx()
            with open(s.conf_path) as f:
                dbs = re.findall(r"^dsn\s*=\s*mysql://[^/]*/(\w+)",
                                 f.read(), re.M)
            self.assertGreaterEqual(len(dbs), 2)
            want = collections.Counter({db: 2 for db in dbs})
            # No request yet: each of the two workers holds one
            # connection to each database (the directory, every region).
            wait_until(lambda: connections() - before == want, 10,
                       "two connections to each database")
            # A reload's new workers connect as they start; the old ones'
            # connections close with them.
            s.reload()
            wait_until(lambda: s.status()["generation"] == 2 and
                       len(s.pool_processes()) == 2, 10,
                       "the new generation alone")
            wait_until(lambda: connections() - before == want, 10,
                       "the new workers' connections only")
        wait_until(lambda: connections() == before, 10,
                   "every connection closed with the pool")

    def test_workers_that_crash_at_start_are_respawned_with_throttling(self):
        preload = os.path.join(harness.BUILD, "tests",
                               "libcrash_at_start.so")
        self.assertTrue(os.path.exists(preload), preload)
        env = dict(os.environ, LD_PRELOAD=preload,
                   ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "") +
                   ":verify_asan_link_order=0")
        with Stack("crash", check_sanitizers=False) as s:
            s.start_pool(overrides={"gateway.workers": 4}, wait=False,
                         env=env)
            time.sleep(4.0)
            self.assertIsNone(s.pool.returncode(), "the master must live")
            deaths = s.pool_log().count("died (exit 70)")
            print(f"\n    4 s of workers crashing at start: {deaths} "
                  f"respawns (unthrottled this would be thousands)")
            self.assertGreater(deaths, 3)
            self.assertLess(deaths, 20)
            self.assertIn("workers crash at start; next spawn in", s.pool_log())

    def test_the_unix_socket_is_mode_0660(self):
        with Stack("mode") as s:
            s.start_pool(overrides={"gateway.workers": 1})
            self.assertEqual(os.stat(s.sock).st_mode & 0o777, 0o660)

    def test_a_bad_config_exits_non_zero_before_binding(self):
        with Stack("badconf") as s:
            text = s.conf_text({"region.us.timezone": "Mars/Olympus"})
            rc, out = s.check(text)
            self.assertEqual(rc, 1)
            self.assertRegex(out, r"check\.conf:\d+: \[region\.us\] "
                             r"timezone: unknown time zone")
            s.start_pool(conf_text=text, wait=False)
            self.assertEqual(s.wait_pool_exit(10), 1)
            self.assertFalse(os.path.exists(s.sock))
            self.assertRegex(s.pool_log(), r"\[region\.us\] timezone")

    def test_check_tries_every_database(self):
        with Stack("check") as s:
            rc, out = s.check(s.conf_text())
            self.assertEqual(rc, 0, out)
            for code in ("directory", "region us", "region ca",
                         "region eu", "region apac"):
                self.assertRegex(out, code + r"\s+up ")
            rc, out = s.check(s.conf_text(
                {"region.eu.dsn": "mysql://billgw@localhost/billgw_nowhere"
                 "?socket=" + harness.MYSQL_SOCKET}))
            self.assertEqual(rc, 1)
            self.assertRegex(out, r"region eu\s+DOWN")
            self.assertRegex(out, r"region us\s+up")


class SignInLaneTest(unittest.TestCase):
    """signin_listen: the requests that run argon2id on workers of their
    own (fcgi/pool.c), nginx sending them there (conf/nginx.conf.in)."""

    def start(self, s, workers=2, signin_workers=1):
        s.start_pool(overrides={
            "gateway.workers": workers,
            "gateway.signin_listen": "unix:" + s.paths["signin_sock"],
            "gateway.signin_workers": signin_workers})
        # nginx's limit of sign-ins per address is another test's.
        s.start_nginx(signin_rate="100000r/s", signin_burst=100000)

    @staticmethod
    def lane(s, name):
        return [p for p in s.status()["processes"] if p["lane"] == name]

    @staticmethod
    def sign_in(s, results=None):
        r = s.http("POST", "/api/v1/session",
                   # A new identifier each time: billgw's own throttle
                   # locks one after 10 failures.
                   body={"region": "us",
                         "identifier": "nobody-" + secrets.token_hex(6),
                         "password": "not-the-password"}, timeout=60)
        if results is not None:
            results.append(r.status)
        return r.status

    def test_sign_ins_go_to_the_sign_in_workers_and_the_rest_does_not(self):
        with Stack("lane") as s:
            self.start(s)
            st = s.status()
            self.assertEqual(st["workers"]["configured"], 2)
            self.assertEqual(st["workers"]["signin_configured"], 1)
            self.assertEqual(len(self.lane(s, "main")), 2)
            self.assertEqual(len(self.lane(s, "signin")), 1)
            for _ in range(3):
                self.assertEqual(self.sign_in(s), 401)
                self.assertTrue(get_ok(s))
            # The sign-in page itself is a GET: the main lane's.
            self.assertEqual(s.http("GET", "/login").status, 200)
            self.assertEqual([p["requests"] for p in self.lane(s, "signin")],
                             [3])
            self.assertEqual([v for (name, labels), v in s.metrics().items()
                              if name == "billgw_worker_requests" and
                              ("lane", "signin") in labels], [3.0])

    def test_a_sign_in_peak_does_not_hold_up_the_rest(self):
        with Stack("peak") as s:
            self.start(s)
            signin = [p["pid"] for p in self.lane(s, "signin")]
            results = []
            # The sign-in worker stopped: what nginx sends it waits.
            os.kill(signin[0], signal.SIGSTOP)
            try:
                waiting = [threading.Thread(target=self.sign_in,
                                            args=(s, results))
                           for _ in range(4)]
                for t in waiting:
                    t.start()
                for _ in range(20):
                    self.assertTrue(get_ok(s))
                self.assertEqual(s.http("GET", "/readyz").status, 200)
                self.assertEqual(s.http("GET", "/login").status, 200)
                self.assertEqual(results, [])
                self.assertTrue(all(t.is_alive() for t in waiting))
            finally:
                os.kill(signin[0], signal.SIGCONT)
            for t in waiting:
                t.join(60)
            self.assertEqual(results, [401] * 4)

    @staticmethod
    def buffers(pid):
        """argon2id's 32 MiB mappings in pid (auth/password.c)."""
        with open(f"/proc/{pid}/smaps") as f:
            return sum(1 for ln in f if re.match(r"Size:\s+32768 kB$", ln))

    def test_a_sign_in_worker_gives_its_buffer_back_once_idle(self):
        with Stack("buf") as s:
            self.start(s)
            pid = self.lane(s, "signin")[0]["pid"]
            before = self.buffers(pid)
            results = []
            threads = [threading.Thread(target=self.sign_in,
                                        args=(s, results))
                       for _ in range(6)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(60)
            self.assertEqual(results, [401] * 6)
            wait_until(lambda: self.lane(s, "signin")[0]["state"] == "idle",
                       10, "the sign-in worker idle")
            self.assertEqual(self.buffers(pid), before)

    def test_a_sign_in_worker_gives_its_buffer_back_when_a_connection_is_gone(self):
        # A sign-in worker keeps its buffer while a connection waits; when
        # that connection brings no request (nginx gave up on it, or the
        # other sign-in worker took it first), the worker gives the buffer
        # back instead of waiting in accept(2) with it (fcgi/worker.c).
        with Stack("gone") as s:
            self.start(s)
            pid = self.lane(s, "signin")[0]["pid"]
            before = self.buffers(pid)
            body = json.dumps({"region": "us", "identifier": "nobody-gone",
                               "password": "not-the-password"}).encode()
            lane = "unix:" + s.paths["signin_sock"]
            # Queued in this order while the worker is stopped: a sign-in,
            # then a connection that never sends anything.
            os.kill(pid, signal.SIGSTOP)
            try:
                signin = FcgiClient(lane, timeout=60)
                signin.begin(cgi_params("POST", "/api/v1/session", body,
                                        "application/json"))
                signin.send_stdin(body)
                signin.end_stdin()
                empty = FcgiClient(lane)
            finally:
                os.kill(pid, signal.SIGCONT)
            self.assertEqual(signin.read_response().status, 401)
            signin.close()
            # After the sign-in, a connection waits: the buffer is kept.
            self.assertEqual(self.buffers(pid), before + 1)
            empty.close()
            wait_until(lambda: self.buffers(pid) == before, 10,
                       "the buffer given back")
            # And the lane goes on as before.
            self.assertEqual(self.sign_in(s), 401)
            wait_until(lambda: self.buffers(pid) == before, 10,
                       "the buffer given back after a sign-in")

    def test_each_lane_keeps_its_size_through_a_crash_and_a_reload(self):
        with Stack("lanes") as s:
            self.start(s, workers=2, signin_workers=2)
            victim = self.lane(s, "signin")[0]["pid"]
            os.kill(victim, signal.SIGKILL)
            wait_until(lambda: len(s.pool_processes()) == 4 and
                       victim not in s.pool_processes(), 10,
                       "a replacement")
            wait_until(lambda: len(self.lane(s, "signin")) == 2, 10,
                       "two sign-in workers")
            self.assertEqual(len(self.lane(s, "main")), 2)
            s.reload(s.conf_text({
                "gateway.workers": 3,
                "gateway.signin_listen": "unix:" + s.paths["signin_sock"],
                "gateway.signin_workers": 1}))
            wait_until(lambda: sorted(p["lane"] for p in
                                      s.status()["processes"]) ==
                       ["main"] * 3 + ["signin"], 20,
                       "three main workers and one sign-in worker")
            self.assertEqual(self.sign_in(s), 401)


if __name__ == "__main__":
    harness.main()
