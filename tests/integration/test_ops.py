#!/usr/bin/env python3
"""Operations endpoints and the nginx front (SPEC sections 8 and 9), through
nginx on the stack that `scripts/dev test` starts."""

import collections
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import http  # noqa: E402

NOT_LOCAL = "127.0.0.2"     # on loopback, but not an address nginx allows


def configured_workers():
    return int(harness.conf_get("gateway.workers"))


class SecurityHeaders:
    def assertSecurityHeaders(self, r, what=""):
        what = what or f"{r.status} response"
        self.assertEqual(r.headers.get_all("X-Content-Type-Options"),
                         ["nosniff"], f"{what}: X-Content-Type-Options")
        csp = r.headers.get_all("Content-Security-Policy") or []
        self.assertEqual(len(csp), 1, f"{what}: one Content-Security-Policy")
        self.assertIn("default-src", csp[0], f"{what}: CSP {csp[0]!r}")
        self.assertRegex(r.headers.get("X-Request-Id") or "",
                         r"^[0-9a-f]{32}$", f"{what}: X-Request-Id")

    def assertJsonError(self, r, status, code):
        self.assertEqual(r.status, status, r)
        self.assertTrue(r.headers.get("Content-Type", "")
                        .startswith("application/json"),
                        f"{status}: Content-Type {r.headers.get('Content-Type')}")
        doc = r.json()
        self.assertIsInstance(doc.get("error"), dict, doc)
        self.assertEqual(doc["error"].get("code"), code, doc)
        self.assertIsInstance(doc["error"].get("message"), str, doc)
        self.assertTrue(doc["error"]["message"], doc)
        self.assertSecurityHeaders(r, f"{status} {code}")


class OpsEndpoints(SecurityHeaders, unittest.TestCase):
    """The main stack's pool, through nginx."""

    # failure cases first

    def test_an_unknown_path_is_404_with_the_json_error_envelope(self):
        r = http("GET", "/no/such/page")
        self.assertJsonError(r, 404, "not_found")

    def test_a_wrong_method_is_405_with_an_allow_header(self):
        r = http("POST", "/healthz", body=b"")
        self.assertJsonError(r, 405, "method_not_allowed")
        allow = [m.strip() for m in (r.headers.get("Allow") or "").split(",")]
        self.assertIn("GET", allow, f"Allow: {r.headers.get('Allow')}")
        self.assertNotIn("POST", allow)

    def test_a_17_kib_body_is_413_json(self):
        body = ('{"client_id":"' + "x" * (17 * 1024) + '"}').encode()
        r = http("POST", "/api/v1/session", body=body,
                 headers={"Content-Type": "application/json"})
        self.assertJsonError(r, 413, "body_too_large")

    def test_a_17_kib_body_is_413_on_any_path(self):
        r = http("POST", "/no/such/page", body=b"a=" + b"x" * (17 * 1024),
                 headers={"Content-Type":
                          "application/x-www-form-urlencoded"})
        self.assertJsonError(r, 413, "body_too_large")

    def test_status_from_a_non_local_address_is_refused(self):
        r = http("GET", "/status", source_addr=NOT_LOCAL)
        self.assertEqual(r.status, 403, r)
        self.assertSecurityHeaders(r, "403 /status")
        self.assertNotIn(b"processes", r.body)

    def test_metrics_from_a_non_local_address_is_refused(self):
        r = http("GET", "/metrics", source_addr=NOT_LOCAL)
        self.assertEqual(r.status, 403, r)
        self.assertNotIn(b"billgw_", r.body)

    def test_an_encoded_path_does_not_bypass_the_local_only_rule(self):
        for path in ("/%73tatus", "//status", "/./status", "/metrics/../metrics"):
            with self.subTest(path=path):
                r = http("GET", path, source_addr=NOT_LOCAL)
                self.assertIn(r.status, (403, 404), f"{path}: {r}")
                self.assertNotIn(b"processes", r.body)
                self.assertNotIn(b"billgw_workers", r.body)

    def test_healthz_is_open_to_non_local_addresses(self):
        r = http("GET", "/healthz", source_addr=NOT_LOCAL)
        self.assertEqual(r.status, 200, r)

    # the endpoints

    def test_healthz_answers_200_ok_json(self):
        r = http("GET", "/healthz")
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.headers.get("Content-Type", "")
                        .startswith("application/json"))
        self.assertEqual(r.json(), {"status": "ok"})
        self.assertSecurityHeaders(r, "/healthz")

    def test_readyz_lists_the_four_regions_up(self):
        r = http("GET", "/readyz")
        self.assertEqual(r.status, 200, r)
        doc = r.json()
        self.assertEqual(doc["status"], "ready", doc)
        self.assertEqual(doc["directory"], "up", doc)
        regions = {g["code"]: g for g in doc["regions"]}
        self.assertEqual(set(regions), set(harness.REGIONS), doc)
        self.assertEqual(regions["us"]["name"], "United States")
        self.assertEqual(regions["apac"]["name"], "Asia-Pacific")
        for code, g in regions.items():
            self.assertEqual(g["database"], "up", f"{code}: {g}")
        self.assertSecurityHeaders(r, "/readyz")

    def test_status_counts_a_request(self):
        before = harness.status()["accepted"]
        for _ in range(3):
            self.assertEqual(http("GET", "/healthz").status, 200)
        after = harness.status()["accepted"]
        # The first /status counts itself or not; the three requests do.
        self.assertGreaterEqual(after - before, 3, (before, after))

    def test_status_describes_the_pool(self):
        # The test stack has a sign-in lane (conf/billgw.conf.in): one
        # worker per CPU, counted in the total.
        lane = min(len(os.sched_getaffinity(0)), 64)
        doc = harness.wait_until(
            lambda: (lambda d: d if d["workers"]["total"]
                     == configured_workers() + lane else None)(
                         harness.status()),
            20, "all workers started")
        self.assertEqual(doc["workers"]["configured"], configured_workers())
        self.assertEqual(doc["workers"]["signin_configured"], lane)
        self.assertEqual(collections.Counter(p["lane"] for p in
                                             doc["processes"]),
                         {"main": configured_workers(), "signin": lane})
        for key in ("pid", "generation", "uptime_s", "accepted",
                    "slow_requests"):
            self.assertIsInstance(doc[key], int, key)
        w = doc["workers"]
        self.assertEqual(w["idle"] + w["active"] <= w["total"], True, w)
        self.assertGreaterEqual(w["active"], 1, "this request is active")
        self.assertEqual(set(doc["restarts"]),
                         {"crash", "timeout", "recycle", "reload"}, doc)
        self.assertEqual(len(doc["processes"]), w["total"], doc)
        states = set()
        for p in doc["processes"]:
            self.assertIsInstance(p["pid"], int)
            self.assertIn(p["state"], ("idle", "active", "starting"))
            self.assertIsInstance(p["requests"], int)
            self.assertIsInstance(p["age_ms"], int)
            self.assertTrue(p["uri"] is None or isinstance(p["uri"], str))
            states.add(p["state"])
        mine = [p for p in doc["processes"] if p["state"] == "active"
                and p["uri"] and p["uri"].startswith("/status")]
        self.assertTrue(mine, "the worker serving /status shows its URI")
        self.assertSecurityHeaders(http("GET", "/status"), "/status")

    def test_metrics_is_prometheus_text(self):
        r = http("GET", "/metrics")
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.headers.get("Content-Type", "")
                        .startswith("text/plain"), r.headers)
        self.assertTrue(r.text.endswith("\n"), "ends with a newline")
        samples = harness.parse_metrics(r.text)
        m = lambda name, **lb: harness.metric(samples, name, **lb)
        self.assertIsNotNone(m("billgw_workers", state="idle"), samples)
        self.assertIsNotNone(m("billgw_workers", state="active"), samples)
        self.assertIsNotNone(m("billgw_accepted_requests_total"), samples)
        self.assertIsNotNone(m("billgw_slow_requests_total"), samples)
        for cause in ("crash", "timeout", "recycle", "reload"):
            self.assertIsNotNone(m("billgw_restarts_total", cause=cause),
                                 cause)
        self.assertGreater(m("billgw_accepted_requests_total"), 0)

    def test_the_metrics_parser_rejects_malformed_text(self):
        # The parser above is only worth something if it can say no.
        for bad in ("billgw_x 1\n",                       # no HELP/TYPE
                    "# HELP a x\n# TYPE a gauge\na{b=c} 1\n",
                    "# HELP a x\n# TYPE a gauge\na one\n"):
            with self.subTest(text=bad):
                self.assertRaises(ValueError, harness.parse_metrics, bad)

    def test_every_response_carries_the_security_headers(self):
        cases = [
            ("GET", "/healthz", None, {}),
            ("GET", "/readyz", None, {}),
            ("GET", "/metrics", None, {}),
            ("GET", "/no/such/page", None, {}),
            ("POST", "/healthz", b"", {}),
            ("POST", "/no/such/page", b"x" * (17 * 1024), {}),
            ("GET", "/status", None, {"source_addr": NOT_LOCAL}),
        ]
        for method, path, body, kw in cases:
            with self.subTest(method=method, path=path):
                r = http(method, path, body=body, **kw)
                self.assertSecurityHeaders(r, f"{method} {path} -> "
                                              f"{r.status}")

    def test_the_server_header_names_no_version(self):
        r = http("GET", "/healthz")
        self.assertNotRegex(r.headers.get("Server") or "", r"[0-9]")


class SignInRateLimit(SecurityHeaders, unittest.TestCase):
    """nginx's limit_req zone for the sign-in URLs, on an nginx of its own
    with a tiny rate, in front of the main stack's pool."""

    @classmethod
    def setUpClass(cls):
        cls.stack = harness.Stack("rate")
        # Runs even when the rest of setUpClass fails.
        cls.addClassCleanup(cls.stack.stop)
        # nginx's upstream: the main stack's pool.
        cls.stack.start_nginx(upstream=harness.nginx_upstream(
            harness.conf_get("gateway.listen")), signin_rate="1r/m",
            signin_burst=1)

    def test_sign_in_posts_past_the_burst_are_429_json(self):
        statuses = [self.stack.http("POST", "/api/v1/session",
                                    body={"client_id": "x", "password": "y"}
                                    ).status for _ in range(2)]
        self.assertNotIn(429, statuses, "within the burst")
        r = self.stack.http("POST", "/api/v1/session",
                            body={"client_id": "x", "password": "y"})
        self.assertJsonError(r, 429, "too_many_requests")
        # The same address is limited on the other sign-in URLs (one zone),
        # while other paths are not.
        self.assertEqual(self.stack.http("POST", "/login", body="a=b").status,
                         429)
        self.assertNotEqual(self.stack.http("POST", "/no/such/page",
                                            body="a=b").status, 429)

    def test_showing_the_sign_in_page_is_not_limited(self):
        for _ in range(5):
            self.assertNotEqual(self.stack.http("GET", "/login").status, 429)


class RegionDatabaseDown(unittest.TestCase):
    """/readyz on pools of their own whose configs point some databases at
    nothing (the main stack's MariaDB keeps serving the rest)."""

    def test_a_region_whose_database_is_unreachable_reads_down(self):
        with harness.Stack("eudown") as s:
            missing = os.path.join(s.dir, "run", "no-mysqld.sock")
            s.start_pool(overrides={
                "gateway.workers": 2,
                "region.eu.dsn": "mysql://billgw@localhost/billgw_eu"
                                 f"?socket={missing}",
            })
            s.start_nginx()
            r = s.http("GET", "/readyz")
            self.assertEqual(r.status, 200, r)
            doc = r.json()
            self.assertEqual(doc["status"], "degraded", doc)
            self.assertEqual(doc["directory"], "up", doc)
            regions = {g["code"]: g["database"] for g in doc["regions"]}
            self.assertEqual(regions, {"us": "up", "ca": "up", "eu": "down",
                                       "apac": "up"}, doc)
            # The pool itself is healthy and says so.
            self.assertEqual(s.http("GET", "/healthz").status, 200)

    def test_readyz_is_503_when_no_database_can_be_reached(self):
        with harness.Stack("alldown") as s:
            overrides = {"gateway.workers": 2}
            missing = os.path.join(s.dir, "run", "no-mysqld.sock")
            for code in harness.REGIONS:
                overrides[f"region.{code}.dsn"] = (
                    f"mysql://billgw@localhost/billgw_{code}?socket={missing}")
            # The directory: a reachable server, a missing database.
            overrides["directory.dsn"] = (
                "mysql://billgw@localhost/billgw_nosuch"
                f"?socket={harness.MYSQL_SOCKET}")
            s.start_pool(overrides=overrides)
            s.start_nginx()
            r = s.http("GET", "/readyz")
            self.assertEqual(r.status, 503, r)
            doc = r.json()
            self.assertEqual(doc["status"], "unavailable", doc)
            self.assertEqual(doc["directory"], "down", doc)
            self.assertTrue(all(g["database"] == "down"
                                for g in doc["regions"]), doc)
            self.assertEqual(s.http("GET", "/healthz").status, 200)


if __name__ == "__main__":
    harness.main()
