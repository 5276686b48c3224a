"""Balances and due dates (SPEC section 6): GET /api/v1/account and the
portal home pages, on accounts each test makes with billgwctl."""

import datetime
import json
import random
import re
import threading
import unittest
import zoneinfo

import harness
from harness import conf_get, ctl, http, wait_until

RUN = random.randint(100000, 999999)
PASSWORD = f"Balance-Test-{RUN}!"
SESSION = "__Host-billgw_session"
_serial = [0]
NOTE = ("Please note the Total Amount Due is only updated once payment is "
        "received and processed.")


def today(region):
    tz = zoneinfo.ZoneInfo(conf_get(f"region.{region}.timezone"))
    return datetime.datetime.now(tz).date()


def ago(region, days):
    return (today(region) - datetime.timedelta(days=days)).isoformat()


def due(region, issued_days_ago):
    terms = int(conf_get(f"region.{region}.payment_terms_days") or 15)
    return (today(region) - datetime.timedelta(days=issued_days_ago) +
            datetime.timedelta(days=terms)).isoformat()


def money(minor, currency="USD", display=None):
    return {"minor": minor, "currency": currency, "display": display}


def counters(stack, name, sources):
    """The stack's /metrics counters name{source=...}, one per source."""
    m = stack.metrics()
    return [harness.metric(m, name, source=x) for x in sources]


class Account:
    """An account of its own with its main billing contact, signed in."""

    def __init__(self, region="us", kind="standard", portal="billing_center"):
        _serial[0] += 1
        digit = {"us": 1, "ca": 2, "eu": 3, "apac": 4}[region]
        self.region = region
        self.number = f"8{digit}{RUN}{_serial[0]:02d}"
        self.client_id = f"b{self.number}"
        self.company = f"Balance Co {self.number}"
        self.invoices = 0
        self.run(["account", "add", "--region", region, "--number",
                  self.number, "--company", self.company, "--kind", kind,
                  "--portal", portal])
        self.run(["user", "add", "--region", region, "--account",
                  self.number, "--client-id", self.client_id, "--name",
                  "Main", "--email", f"m{self.number}@example.com",
                  "--main"], stdin=PASSWORD + "\n")
        r = http("POST", "/api/v1/session",
                 headers={"Content-Type": "application/json"},
                 body={"region": region, "identifier": self.client_id,
                       "password": PASSWORD})
        assert r.status == 200, r
        self.token = r.json()["token"]

    def run(self, args, stdin=None):
        r = ctl(args, stdin=stdin)
        assert r.returncode == 0, (args, r.stderr)

    def invoice(self, days_ago, total, void=False):
        self.invoices += 1
        args = ["invoice", "add", "--region", self.region, "--account",
                self.number, "--number", f"INV-{self.number}-{self.invoices}",
                "--issued", ago(self.region, days_ago), "--total", total]
        self.run(args + (["--void"] if void else []))

    def payment(self, amount, status="processed"):
        self.run(["payment", "add", "--region", self.region, "--account",
                  self.number, "--amount", amount, "--status", status])

    def summary(self):
        r = http("GET", "/api/v1/account",
                 headers={"Authorization": "Bearer " + self.token})
        assert r.status == 200, r
        return r.json()

    def page(self, path="/billing-center/"):
        return http("GET", path, headers={"Cookie": f"{SESSION}={self.token}"})


class AccountJson(unittest.TestCase):

    def test_every_field_of_a_fresh_account_is_exact(self):
        a = Account("us")
        self.assertEqual(a.summary(), {
            "account": {"number": a.number, "client_id": a.client_id,
                        "company": a.company, "region": "us",
                        "portal": "billing_center", "kind": "standard"},
            "balance": {
                "total_due": money(0, "USD", "$ 0.00 USD"),
                "pending_payments": money(0, "USD", "$ 0.00 USD"),
                "due_date": None, "past_due": False},
            "information": {"billing_cycle": "month_end", "country": "US"},
            "settings": {"invoice_delivery": "full_detail",
                         "payment_method": "cash_check", "autopay": False},
            "messages": [],
            "current_activity": money(0, "USD", "$ 0.00 USD")})

    def test_one_open_invoice_is_owed_by_its_due_date(self):
        a = Account("us")
        a.invoice(5, "61.11")
        b = a.summary()["balance"]
        self.assertEqual(b["total_due"], money(6111, "USD", "$ 61.11 USD"))
        self.assertEqual(b["due_date"], due("us", 5))
        self.assertFalse(b["past_due"])

    def test_a_partial_payment_lowers_the_total_but_not_the_due_date(self):
        a = Account("us")
        a.invoice(5, "61.11")
        a.payment("10.00")
        b = a.summary()["balance"]
        self.assertEqual(b["total_due"]["minor"], 5111)
        self.assertEqual(b["due_date"], due("us", 5))

    def test_a_pending_payment_is_listed_apart_and_lowers_nothing(self):
        a = Account("us")
        a.invoice(5, "61.11")
        a.payment("20.00", status="pending")
        b = a.summary()["balance"]
        self.assertEqual(b["total_due"]["minor"], 6111)
        self.assertEqual(b["pending_payments"],
                         money(2000, "USD", "$ 20.00 USD"))

    def test_an_invoice_past_its_terms_is_past_due(self):
        a = Account("us")
        a.invoice(20, "200.00")
        b = a.summary()["balance"]
        self.assertEqual(b["due_date"], due("us", 20))
        self.assertTrue(b["past_due"])

    def test_processed_payments_pay_the_oldest_invoice_first(self):
        a = Account("us")
        a.invoice(30, "10.00")
        a.invoice(5, "20.00")
        b = a.summary()["balance"]
        self.assertEqual((b["total_due"]["minor"], b["due_date"],
                          b["past_due"]), (3000, due("us", 30), True))
        a.payment("10.00")
        b = a.summary()["balance"]
        self.assertEqual((b["total_due"]["minor"], b["due_date"],
                          b["past_due"]), (2000, due("us", 5), False))

    def test_an_overpayment_shows_as_a_credit(self):
        a = Account("us")
        a.invoice(5, "10.00")
        a.payment("15.00")
        b = a.summary()["balance"]
        self.assertEqual(b["total_due"], money(0, "USD", "$ 0.00 USD"))
        self.assertEqual(b["credit"], money(500, "USD", "$ 5.00 USD"))
        self.assertIsNone(b["due_date"])
        self.assertFalse(b["past_due"])

    def test_a_void_invoice_counts_for_nothing(self):
        a = Account("us")
        a.invoice(40, "99.00", void=True)
        a.invoice(5, "1250.00")
        b = a.summary()["balance"]
        self.assertEqual(b["total_due"],
                         money(125000, "USD", "$ 1,250.00 USD"))
        self.assertEqual(b["due_date"], due("us", 5))

    def test_each_region_answers_in_its_own_currency(self):
        a = Account("eu")
        a.invoice(3, "7.50")
        s = a.summary()
        self.assertEqual(s["account"]["region"], "eu")
        self.assertEqual(s["balance"]["total_due"],
                         money(750, "EUR", "\u20ac 7.50 EUR"))
        self.assertEqual(s["balance"]["due_date"], due("eu", 3))

    def test_the_demo_account_owes_61_11_with_its_due_date_ahead(self):
        r = http("POST", "/api/v1/session",
                 headers={"Content-Type": "application/json"},
                 body={"region": "ca", "identifier": "10024561",
                       "password": "Demo-Passw0rd!"})
        self.assertEqual(r.status, 200, r.text)
        s = http("GET", "/api/v1/account", headers={
            "Authorization": "Bearer " + r.json()["token"]}).json()
        self.assertEqual(s["account"]["client_id"], "acme-ca")
        self.assertEqual(s["balance"]["total_due"]["display"],
                         "$ 61.11 CAD")
        self.assertFalse(s["balance"]["past_due"])
        self.assertGreater(s["balance"]["due_date"],
                           today("ca").isoformat())
        self.assertTrue(s["messages"])

    def test_a_change_shows_at_once_in_every_worker(self):
        # Workers keep answers while the account's version holds: a write
        # by anyone (here billgwctl) must show in the very next answer.
        a = Account("us")
        a.invoice(5, "50.00")
        for _ in range(40):
            self.assertEqual(a.summary()["balance"]["total_due"]["minor"],
                             5000)
        a.payment("20.00")
        for _ in range(40):
            self.assertEqual(a.summary()["balance"]["total_due"]["minor"],
                             3000)
        acct = harness.sql("billgw_us", "SELECT id FROM accounts WHERE "
                           f"number = '{a.number}'")[0][0]
        harness.sql("billgw_us", "INSERT INTO messages (account_id, text) "
                    f"VALUES ({int(acct)}, 'Your invoice is ready.')")
        for _ in range(40):
            self.assertEqual([m["text"] for m in a.summary()["messages"]],
                             ["Your invoice is ready."])

    def test_without_a_session_it_is_401(self):
        r = http("GET", "/api/v1/account")
        self.assertEqual(r.status, 401)


class AnswerCache(unittest.TestCase):

    def test_accounts_whose_ids_are_512_apart_are_all_answered_from_cache(self):
        # Ids 512 apart once shared one slot of the worker's cache (a plain
        # modulo), so taking turns they never hit.  One worker, six such
        # accounts, three rounds: the first loads, the others hit.
        base = 3_000_000 + (RUN % 1000) * 8192
        accounts = []
        for k in range(6):
            _serial[0] += 1
            number = f"81{RUN}{_serial[0]:02d}"
            ctl(["account", "add", "--region", "us", "--number", number,
                 "--company", f"Cache Co {number}"])
            harness.sql("billgw_us", f"UPDATE accounts SET id = "
                        f"{base + 512 * k} WHERE number = '{number}'")
            r = ctl(["user", "add", "--region", "us", "--account", number,
                     "--client-id", f"b{number}", "--name", "Main",
                     "--email", f"m{number}@example.com", "--main"],
                    stdin=PASSWORD + "\n")
            self.assertEqual(r.returncode, 0, r.stderr)
            r = http("POST", "/api/v1/session",
                     headers={"Content-Type": "application/json"},
                     body={"region": "us", "identifier": f"b{number}",
                           "password": PASSWORD})
            self.assertEqual(r.status, 200, r)
            accounts.append((number, r.json()["token"]))
        with harness.Stack("cache") as s:
            s.start_pool(overrides={"gateway.workers": 1})
            s.start_nginx()

            def counts():
                return counters(s, "billgw_account_summaries_total",
                                ("cache", "database"))

            before = counts()
            for _ in range(3):
                for number, token in accounts:
                    r = s.http("GET", "/api/v1/account", headers={
                        "Authorization": "Bearer " + token})
                    self.assertEqual(r.status, 200, r)
                    self.assertEqual(r.json()["account"]["number"], number)
            after = counts()
            self.assertEqual([a - b for a, b in zip(after, before)], [12, 6])


    def test_one_worker_loads_an_answer_and_the_others_share_it(self):
        a = Account("us")
        a.invoice(5, "61.11")
        with harness.Stack("shared") as s:
            s.start_pool(overrides={"gateway.workers": 4})
            s.start_nginx()

            def counts():
                return (counters(s, "billgw_account_summaries_total",
                                 ("cache", "shared", "database")) +
                        counters(s, "billgw_token_checks_total",
                                 ("memo", "shared", "verified")))

            def summaries(n):
                """n answers in a row; what each said of the balance, and
                where the pool found them."""
                before = counts()
                seen = []
                for _ in range(n):
                    r = s.http("GET", "/api/v1/account", headers={
                        "Authorization": "Bearer " + a.token})
                    self.assertEqual(r.status, 200, r)
                    self.assertEqual(r.json()["account"]["number"], a.number)
                    seen.append(r.json()["balance"]["pending_payments"])
                return seen, [x - y for x, y in zip(counts(), before)]

            # Twelve answers over four workers: one load from the
            # database, the rest from a worker's own cache or the shared
            # one, which the three others must have used; the same for the
            # token, verified once.
            seen, (own, shared, loaded, memo, tshared, verified) = \
                summaries(12)
            self.assertEqual(loaded, 1)
            self.assertEqual(own + shared, 11)
            self.assertGreaterEqual(shared, 1)
            self.assertEqual(verified, 1)
            self.assertEqual(memo + tshared, 11)
            self.assertGreaterEqual(tshared, 1)
            self.assertEqual(seen, [money(0, "USD", "$ 0.00 USD")] * 12)

            # A payment bumps the account's version: no worker may answer
            # with what it or the others kept before it.
            a.payment("5.00", status="pending")
            seen, (own, shared, loaded, _, _, verified) = summaries(8)
            self.assertEqual(seen, [money(500, "USD", "$ 5.00 USD")] * 8)
            self.assertEqual(loaded, 1)
            self.assertEqual(verified, 0)

            # A reload's new workers start afresh (their configuration may
            # render answers differently, their keys accept other tokens):
            # one more load and one more verification, then shared.
            s.reload()
            wait_until(lambda: s.status()["generation"] == 2 and
                       all(p["generation"] == 2
                           for p in s.status()["processes"]), 20,
                       "the new generation alone")
            seen, (own, shared, loaded, _, _, verified) = summaries(8)
            self.assertEqual(loaded, 1)
            self.assertEqual(verified, 1)
            self.assertEqual(seen, [money(500, "USD", "$ 5.00 USD")] * 8)

    def test_workers_missing_an_answer_at_once_load_it_once(self):
        a = Account("us")
        with harness.Stack("claims") as s:
            s.start_pool(overrides={"gateway.workers": 4})
            s.start_nginx()

            def at_once(n):
                """n requests let go together; their answers' pending
                payments, and where the pool found them."""
                go, seen = threading.Barrier(n), []

                def one():
                    go.wait()
                    r = s.http("GET", "/api/v1/account", headers={
                        "Authorization": "Bearer " + a.token})
                    seen.append((r.status, r.json()["balance"]
                                 ["pending_payments"] if r.status == 200
                                 else r.body))
                before = counters(s, "billgw_account_summaries_total",
                                  ("cache", "shared", "database"))
                threads = [threading.Thread(target=one) for _ in range(n)]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
                return seen, [x - y for x, y in zip(
                    counters(s, "billgw_account_summaries_total",
                             ("cache", "shared", "database")), before)]

            # Each payment is a new version that no worker holds: the
            # four workers miss it together, one loads it, and the others
            # wait for its answer instead of loading it too.
            pending = 0
            for dollars in (1, 3, 6):
                a.payment(f"{dollars}.00", status="pending")
                pending += dollars
                seen, (own, shared, loaded) = at_once(8)
                self.assertEqual(seen, [(200, money(100 * pending, "USD",
                                  f"$ {pending}.00 USD"))] * 8)
                self.assertEqual(loaded, 1)
                self.assertEqual(own + shared, 7)

    def test_new_workers_have_the_account_statements_prepared(self):
        a = Account("us")

        def server(name):
            return int(harness.sql(
                "information_schema", "SELECT VARIABLE_VALUE FROM"
                f" GLOBAL_STATUS WHERE VARIABLE_NAME = '{name}'")[0][0])

        before = server("PREPARED_STMT_COUNT")
        with harness.Stack("prepared") as s:
            s.start_pool(overrides={"gateway.workers": 2})
            s.start_nginx()
            with open(s.conf_path) as f:
                regions = len(re.findall(r"^\[region\.", f.read(), re.M))
            self.assertGreaterEqual(regions, 2)
            # Before any request, each worker has prepared on each region
            # the session checks (of both kinds of user) and the summary.
            wait_until(lambda: server("PREPARED_STMT_COUNT") - before ==
                       2 * regions * 3, 10, "the statements prepared")
            prepares = server("COM_STMT_PREPARE")
            for _ in range(6):
                r = s.http("GET", "/api/v1/account", headers={
                    "Authorization": "Bearer " + a.token})
                self.assertEqual(r.status, 200, r)
            self.assertEqual(server("COM_STMT_PREPARE"), prepares)


class PortalPages(unittest.TestCase):

    def test_the_billing_center_page_shows_the_seed_sections(self):
        a = Account("us")
        a.invoice(5, "61.11")
        a.payment("5.00", status="pending")
        r = a.page()
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual(r.headers["Cache-Control"], "no-store")
        t = r.text
        for heading in ("Billing Center", "Account Information",
                        "Account Settings", "Payment Information",
                        "Messages", "Current Activity"):
            self.assertIn(heading, t)
        self.assertIn(f'<dd id="account-number">{a.number}</dd>', t)
        self.assertIn(f'<dd id="company">{a.company}</dd>', t)
        self.assertIn('<dd id="total-due">$ 61.11 USD</dd>', t)
        self.assertIn(f'<dd id="due-date">{due("us", 5)}</dd>', t)
        self.assertIn('<dd id="pending-payments">$ 5.00 USD</dd>', t)
        self.assertIn('<dd id="billing-cycle">Month End</dd>', t)
        self.assertIn('<dd id="invoice-delivery">Full Detail</dd>', t)
        self.assertIn('<dd id="payment-method">Cash/Check</dd>', t)
        self.assertIn('<dd id="current-activity">$ 0.00 USD</dd>', t)
        self.assertIn(NOTE, t)
        self.assertIn('action="/logout"', t)
        self.assertNotRegex(t, r'(src|href)="https?://(?!127\.0\.0\.1)')

    def test_without_a_session_a_portal_sends_to_its_sign_in(self):
        pub = conf_get("gateway.public_url").rstrip("/")
        for path, login in (("/billing-center/", "/login"),
                            ("/regional/", "/login"),
                            ("/corporate/", "/corporate/login")):
            r = http("GET", path)
            self.assertEqual(r.status, 303, path)
            self.assertEqual(r.headers["Location"], pub + login)

    def test_a_session_of_another_portal_goes_to_its_own(self):
        a = Account("us")
        r = a.page("/corporate/")
        self.assertEqual(r.status, 303)
        self.assertEqual(r.headers["Location"],
                         conf_get("region.us.billing_center_url"))
        reg = Account("us", portal="regional")
        self.assertEqual(reg.page("/regional/").status, 200)
        r = reg.page("/billing-center/")
        self.assertEqual(r.headers["Location"],
                         conf_get("region.us.regional_portal_url"))

    def test_page_text_is_escaped(self):
        a = Account("us")
        a.run(["account", "add", "--region", "us", "--number",
               a.number[:-2] + "99", "--company", "<b>Evil & Co</b>"])
        # The company name of our own account is plain; check the
        # escaping on a name with markup by signing in to that one.
        num = a.number[:-2] + "99"
        a.run(["user", "add", "--region", "us", "--account", num,
               "--client-id", f"x{num}", "--name", "<i>Main</i>",
               "--email", f"x{num}@example.com", "--main"],
              stdin=PASSWORD + "\n")
        tok = http("POST", "/api/v1/session",
                   headers={"Content-Type": "application/json"},
                   body={"region": "us", "identifier": f"x{num}",
                         "password": PASSWORD}).json()["token"]
        t = http("GET", "/billing-center/",
                 headers={"Cookie": f"{SESSION}={tok}"}).text
        self.assertIn("&lt;b&gt;Evil &amp; Co&lt;/b&gt;", t)
        self.assertNotIn("<b>Evil", t)


if __name__ == "__main__":
    harness.main()
