#!/usr/bin/env python3
"""billgwctl against the real MariaDB of the test stack.

Environment (scripts/dev test provides it):
  BILLGW_CONF          the rendered configuration the stack runs with
  BILLGW_BUILD         the build directory holding billgwctl
  BILLGW_MYSQL_SOCKET  the private MariaDB's socket (root over the socket)

Every test uses identifiers of its own (a random run number), so the test
runs on a stack that already holds the demo data, and runs twice.
"""
import configparser
import os
import random
import re
import subprocess
import sys
import unittest

CONF = os.environ.get("BILLGW_CONF", "")
BUILD = os.environ.get("BILLGW_BUILD", "")
SOCK = os.environ.get("BILLGW_MYSQL_SOCKET", "")
CTL = os.path.join(BUILD, "billgwctl")

RUN = "%04d" % random.randint(0, 9999)
PASSWORD = "It-Test-Pass-%s!" % RUN		# never in argv of billgwctl
CORP_PASSWORD = "It-Corp-Pass-%s!" % RUN
DEMO_PASSWORDS = ["Demo-Passw0rd!", "Corp-Passw0rd!", "Gen-Passw0rd!"]


def load_config():
    cp = configparser.ConfigParser(inline_comment_prefixes=(";", "#"),
                                   interpolation=None)
    cp.read(CONF)
    regions = {}
    for sec in cp.sections():
        if sec.startswith("region."):
            dsn = cp[sec]["dsn"]
            db = re.match(r"mysql://[^/]+/([A-Za-z0-9_]+)", dsn).group(1)
            regions[sec[len("region."):]] = {
                "db": db, "currency": cp[sec]["currency"],
                "terms": int(cp[sec].get("payment_terms_days", "15"))}
    dirdb = re.match(r"mysql://[^/]+/([A-Za-z0-9_]+)",
                     cp["directory"]["dsn"]).group(1)
    return regions, dirdb


def ctl(*args, stdin=None):
    """Run billgwctl --config CONF args...; (exit code, stdout, stderr)."""
    p = subprocess.run([CTL, "--config", CONF] + list(args), input=stdin,
                       capture_output=True, text=True, timeout=300)
    return p.returncode, p.stdout, p.stderr


def sql(db, query):
    """Rows of query in db (as root), each a list of strings."""
    p = subprocess.run(["mariadb", "--socket=" + SOCK, "-uroot", "-N", "-B",
                        "-e", query, db], capture_output=True, text=True,
                       timeout=60, check=True)
    return [line.split("\t") for line in p.stdout.splitlines()]


def one(db, query):
    rows = sql(db, query)
    return rows[0][0] if rows else None


class CtlTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        for name, val in (("BILLGW_CONF", CONF), ("BILLGW_BUILD", BUILD),
                          ("BILLGW_MYSQL_SOCKET", SOCK)):
            if not val:
                raise unittest.SkipTest(name + " is not set")
        cls.regions, cls.dirdb = load_config()
        rc, out, err = ctl("db", "migrate")
        if rc != 0:
            raise AssertionError("db migrate failed: " + err)
        # A region of our own choice and an account for the tests below.
        cls.region = "us" if "us" in cls.regions else sorted(cls.regions)[0]
        cls.db = cls.regions[cls.region]["db"]
        cls.number = "7714" + RUN + "01"
        rc, out, err = ctl("account", "add", "--region", cls.region,
                           "--number", cls.number, "--company",
                           "It Test " + RUN)
        if rc != 0:
            raise AssertionError("account add failed: " + err)

    def counts(self):
        """Row counts that bad input must leave alone."""
        c = {t: one(self.db, "SELECT COUNT(*) FROM " + t) for t in
             ("accounts", "users", "corporate_users", "invoices",
              "payments")}
        c["identifiers"] = one(self.dirdb,
                               "SELECT COUNT(*) FROM identifiers")
        return c

    def assert_refused(self, args, code, words, stdin=None):
        before = self.counts()
        rc, out, err = ctl(*args, stdin=stdin)
        self.assertEqual(rc, code, "%s: rc %d, stderr %r" % (args, rc, err))
        self.assertRegex(err, words)
        self.assertEqual(out, "")
        self.assertEqual(self.counts(), before, "%s wrote something" % args)

    # --- failures first ---------------------------------------------------

    def test_usage_errors_exit_2_with_a_message(self):
        self.assert_refused(["account", "add", "--region", self.region,
                             "--number", "123"], 2, "--company")
        self.assert_refused(["account", "add", "--region", self.region,
                             "--number", "1234567", "--company", "X",
                             "--colour", "red"], 2, "unknown option")
        self.assert_refused(["frobnicate"], 2, "unknown command")
        self.assert_refused(["account", "add", "--region", "mars",
                             "--number", "12345678", "--company", "X"],
                            2, "no such region")

    def test_account_add_refuses_bad_numbers_kinds_and_duplicates(self):
        base = ["account", "add", "--region", self.region, "--company", "X"]
        self.assert_refused(base + ["--number", "12ab5678"], 2, "--number")
        self.assert_refused(base + ["--number", "12345"], 2, "--number")
        self.assert_refused(base + ["--number", "1234567890123"], 2,
                            "--number")
        self.assert_refused(base + ["--number", "7714" + RUN + "09",
                                    "--kind", "gold"], 2, "--kind")
        self.assert_refused(base + ["--number", "7714" + RUN + "09",
                                    "--portal", "elsewhere"], 2, "--portal")
        self.assert_refused(base + ["--number", "7714" + RUN + "09",
                                    "--country", "USA"], 2, "--country")
        self.assert_refused(base + ["--number", self.number], 1,
                            "already exists")

    def test_user_add_refuses_bad_passwords_and_identifiers(self):
        base = ["user", "add", "--region", self.region, "--account",
                self.number, "--name", "Pat Doe", "--email",
                "pat@example.com"]
        cid = ["--client-id", "it-user-%s" % RUN]
        self.assert_refused(base + cid, 2, "shorter than 12",
                            stdin="short\n")
        self.assert_refused(base + cid, 2, "no password", stdin="")
        self.assert_refused(base + cid, 2, "longer than 128",
                            stdin="x" * 129 + "\n")
        self.assert_refused(base + ["--client-id", "9lives"], 2,
                            "--client-id", stdin=PASSWORD + "\n")
        self.assert_refused(base + ["--client-id", "ab"], 2, "--client-id",
                            stdin=PASSWORD + "\n")
        self.assert_refused(base + cid + ["--role", "member", "--main"], 2,
                            "member", stdin=PASSWORD + "\n")
        self.assert_refused(base + cid + ["--role", "owner"], 2, "--role",
                            stdin=PASSWORD + "\n")
        bad_mail = list(base)
        bad_mail[bad_mail.index("pat@example.com")] = "not-an-address"
        self.assert_refused(bad_mail + cid, 2, "--email",
                            stdin=PASSWORD + "\n")
        self.assert_refused(["user", "add", "--region", self.region,
                             "--account", "99999999999", "--name", "P",
                             "--email", "p@example.com"] + cid, 1,
                            "does not exist", stdin=PASSWORD + "\n")

    def test_invoice_and_payment_add_refuse_inexact_amounts_and_dates(self):
        inv = ["invoice", "add", "--region", self.region, "--account",
               self.number, "--number", "IT-%s-BAD" % RUN]
        self.assert_refused(inv + ["--issued", "2026-01-15", "--total",
                                   "1.234"], 2, "decimal")
        self.assert_refused(inv + ["--issued", "2026-01-15", "--total",
                                   "-5"], 2, "negative")
        self.assert_refused(inv + ["--issued", "2026-01-15", "--total",
                                   "99999999999999999999"], 2, "too large")
        self.assert_refused(inv + ["--issued", "2026-01-15", "--total",
                                   "1,000"], 2, "not a decimal")
        self.assert_refused(inv + ["--issued", "2026-02-30", "--total",
                                   "1"], 2, "--issued")
        self.assert_refused(inv + ["--issued", "15/01/2026", "--total",
                                   "1"], 2, "--issued")
        pay = ["payment", "add", "--region", self.region, "--account",
               self.number]
        self.assert_refused(pay + ["--amount", "0"], 2, "more than zero")
        self.assert_refused(pay + ["--amount", "abc"], 2, "--amount")
        self.assert_refused(pay + ["--amount", "1", "--status", "maybe"], 2,
                            "--status")

    def test_corporate_users_need_a_corporate_account(self):
        self.assert_refused(["corporate-user", "add", "--region",
                             self.region, "--account", self.number,
                             "--user-id", "it-corp-%s" % RUN, "--name", "C",
                             "--email", "c@example.com"], 1,
                            "not a corporate account",
                            stdin=CORP_PASSWORD + "\n")

    # --- successes ----------------------------------------------------------

    def test_migrate_twice_applies_nothing_the_second_time(self):
        rc, out, err = ctl("db", "migrate")
        self.assertEqual(rc, 0, err)
        self.assertRegex(out, r"region %s: 0 migration" % self.region)
        self.assertRegex(out, r"directory: 0 migration")
        schema = os.path.join(os.environ["BILLGW_SRC"], "sql", "schema",
                              "region")
        files = [f for f in os.listdir(schema) if f.endswith(".sql")]
        self.assertGreaterEqual(len(files), 4)
        for r in self.regions.values():
            self.assertEqual(one(r["db"], "SELECT COUNT(*) FROM "
                                 "schema_version"), str(len(files)))

    def test_migrate_computes_the_missing_account_digests(self):
        r = self.regions[self.region]
        acct = one(r["db"], "SELECT MIN(id) FROM accounts")
        want = one(r["db"], "SELECT account_digest(%s)" % acct)
        sql(r["db"], "UPDATE accounts SET digest = NULL WHERE id = %s" % acct)
        # Accounts made with nothing written to them have none either.
        missing = one(r["db"], "SELECT COUNT(*) FROM accounts "
                      "WHERE digest IS NULL")
        self.assertNotEqual(missing, "0")
        rc, out, err = ctl("db", "migrate")
        self.assertEqual(rc, 0, err)
        self.assertRegex(out, r"region %s: %s account digest\(s\) computed"
                         % (self.region, missing))
        self.assertEqual(one(r["db"], "SELECT digest FROM accounts WHERE "
                             "id = %s" % acct), want)
        rc, out, err = ctl("db", "migrate")
        self.assertRegex(out, r"region %s: 0 account digest\(s\) computed"
                         % self.region)

    def test_check_reaches_every_database(self):
        rc, out, err = ctl("check")
        self.assertEqual(rc, 0, err)
        for code in self.regions:
            self.assertIn("region %s: ok" % code, out)

    def test_user_add_stores_an_argon2id_hash_and_a_directory_entry(self):
        cid = "It-Main-%s" % RUN
        n_dir = int(one(self.dirdb, "SELECT COUNT(*) FROM identifiers"))
        rc, out, err = ctl("user", "add", "--region", self.region,
                           "--account", self.number, "--client-id", cid,
                           "--name", "Main Contact", "--email",
                           "main@example.com", "--main",
                           stdin=PASSWORD + "\n")
        self.assertEqual(rc, 0, err)
        self.assertIn(cid.lower(), out)
        row = sql(self.db, "SELECT role, is_main, password_hash FROM users "
                  "WHERE client_id = '%s'" % cid.lower())
        self.assertEqual(row[0][:2], ["super_admin", "1"])
        self.assertTrue(row[0][2].startswith("$argon2id$v=19$"))
        self.assertEqual(int(one(self.dirdb, "SELECT COUNT(*) FROM "
                                 "identifiers")), n_dir + 1)
        # The same client ID in any case is taken; a second main is refused.
        self.assert_refused(["user", "add", "--region", self.region,
                             "--account", self.number, "--client-id",
                             cid.upper(), "--name", "X", "--email",
                             "x@example.com"], 1, "already exists",
                            stdin=PASSWORD + "\n")
        self.assert_refused(["user", "add", "--region", self.region,
                             "--account", self.number, "--client-id",
                             "it-second-%s" % RUN, "--name", "X", "--email",
                             "x@example.com", "--main"], 1,
                            "main billing contact", stdin=PASSWORD + "\n")
        # A member is not a billing contact and is never main.
        rc, out, err = ctl("user", "add", "--region", self.region,
                           "--account", self.number, "--client-id",
                           "it-member-%s" % RUN, "--name", "Mem",
                           "--email", "mem@example.com", "--role", "member",
                           stdin=PASSWORD + "\n")
        self.assertEqual(rc, 0, err)

    def test_invoice_and_payment_amounts_are_stored_in_minor_units(self):
        inv = "IT-%s-1" % RUN
        rc, out, err = ctl("invoice", "add", "--region", self.region,
                           "--account", self.number, "--number", inv,
                           "--issued", "2026-01-15", "--total", "61.11",
                           "--kind", "hardware")
        self.assertEqual(rc, 0, err)
        row = sql(self.db, "SELECT total_minor, currency, kind, issued_on, "
                  "void FROM invoices WHERE number = '%s'" % inv)
        self.assertEqual(row[0], ["6111", self.regions[self.region]
                                  ["currency"], "hardware", "2026-01-15",
                                  "0"])
        self.assert_refused(["invoice", "add", "--region", self.region,
                             "--account", self.number, "--number", inv,
                             "--issued", "2026-01-15", "--total", "1"], 1,
                            "already exists")
        rc, out, err = ctl("invoice", "add", "--region", self.region,
                           "--account", self.number, "--number", inv + "V",
                           "--issued", "2026-01-16", "--total", "5",
                           "--void")
        self.assertEqual(rc, 0, err)
        self.assertEqual(one(self.db, "SELECT void FROM invoices WHERE "
                             "number = '%sV'" % inv), "1")
        rc, out, err = ctl("payment", "add", "--region", self.region,
                           "--account", self.number, "--amount", "20.5",
                           "--status", "pending")
        self.assertEqual(rc, 0, err)
        rows = sql(self.db, "SELECT p.amount_minor, p.status FROM payments "
                   "p JOIN accounts a ON a.id = p.account_id WHERE "
                   "a.number = '%s'" % self.number)
        self.assertIn(["2050", "pending"], rows)

    def test_corporate_user_add_on_a_corporate_account(self):
        number = "7714" + RUN + "02"
        rc, out, err = ctl("account", "add", "--region", self.region,
                           "--number", number, "--company", "Corp " + RUN,
                           "--kind", "corporate")
        self.assertEqual(rc, 0, err)
        uid = "AP-%s@Corp.Example" % RUN
        rc, out, err = ctl("corporate-user", "add", "--region", self.region,
                           "--account", number, "--user-id", uid,
                           "--name", "Payables", "--email",
                           "ap@corp.example", stdin=CORP_PASSWORD + "\n")
        self.assertEqual(rc, 0, err)
        self.assertEqual(one(self.db, "SELECT COUNT(*) FROM corporate_users"
                             " WHERE user_id = '%s'" % uid.lower()), "1")

    def test_an_identifier_homed_in_another_region_is_refused(self):
        others = [c for c in self.regions if c != self.region]
        if not others:
            self.skipTest("one region only")
        self.assert_refused(["account", "add", "--region", others[0],
                             "--number", self.number, "--company", "Dup"],
                            1, "region %s" % self.region)

    def test_outbox_list_answers_for_every_region(self):
        rc, out, err = ctl("outbox", "list")
        self.assertEqual(rc, 0, err)
        for code in self.regions:
            self.assertIn("region %s:" % code, out)

    def test_demo_twice_writes_the_same_rows(self):
        rc, out, err = ctl("demo", "--accounts", "20")
        self.assertEqual(rc, 0, err)
        self.assertIn("accounts/s", out)
        before = {c: [one(r["db"], "SELECT COUNT(*) FROM " + t) for t in
                      ("accounts", "users", "corporate_users", "invoices",
                       "payments", "messages")]
                  for c, r in self.regions.items()}
        rc, out, err = ctl("demo", "--accounts", "20")
        self.assertEqual(rc, 0, err)
        after = {c: [one(r["db"], "SELECT COUNT(*) FROM " + t) for t in
                     ("accounts", "users", "corporate_users", "invoices",
                      "payments", "messages")]
                 for c, r in self.regions.items()}
        self.assertEqual(before, after)
        for code, r in self.regions.items():
            db = r["db"]
            # Every demo case of docs/demo.md, in every region.
            self.assertEqual(one(db, "SELECT COUNT(*) FROM users WHERE "
                                 "client_id = 'acme-%s' AND is_main = 1"
                                 % code), "1")
            self.assertEqual(one(db, "SELECT role FROM users WHERE "
                                 "client_id = 'acme-member-%s'" % code),
                             "member")
            self.assertEqual(one(db, "SELECT a.kind FROM corporate_users c "
                                 "JOIN accounts a ON a.id = c.account_id "
                                 "WHERE c.user_id = 'globex-ap-%s'" % code),
                             "corporate")
            self.assertEqual(one(db, "SELECT a.portal FROM users u JOIN "
                                 "accounts a ON a.id = u.account_id WHERE "
                                 "u.client_id = 'initech-%s'" % code),
                             "regional")
            terms = r["terms"]
            due = ("SELECT DATEDIFF(i.issued_on + INTERVAL %d DAY, "
                   "UTC_DATE()) FROM invoices i JOIN users u ON "
                   "u.account_id = i.account_id WHERE u.client_id = '%%s'"
                   % terms)
            self.assertGreaterEqual(int(one(db, due % ("acme-" + code))), 0)
            self.assertLess(int(one(db, due % ("hooli-" + code))), 0)
            paid = ("SELECT (SELECT SUM(total_minor) FROM invoices WHERE "
                    "account_id = u.account_id) - (SELECT COALESCE(SUM("
                    "amount_minor), 0) FROM payments WHERE account_id = "
                    "u.account_id AND status = '%s') FROM users u WHERE "
                    "client_id = '%s'")
            self.assertEqual(one(db, paid % ("processed", "initech-" + code)),
                             "0")
            self.assertEqual(one(db, paid % ("pending", "umbrella-" + code)),
                             "0")
            # At least 20: a stack may have generated more before.
            self.assertGreaterEqual(int(one(
                db, "SELECT COUNT(*) FROM accounts WHERE number LIKE '9%' "
                "AND LENGTH(number) >= 10")), 20)
            self.assertGreaterEqual(int(one(
                db, "SELECT COUNT(*) FROM users WHERE client_id LIKE "
                "'gen-%s-%%'" % code)), 20)

    def test_zz_no_password_is_stored_in_clear_anywhere(self):
        dbs = [r["db"] for r in self.regions.values()] + [self.dirdb]
        dump = subprocess.run(["mariadb-dump", "--socket=" + SOCK, "-uroot",
                               "--skip-extended-insert", "--hex-blob",
                               "--databases"] + dbs, capture_output=True,
                              timeout=300, check=True).stdout
        self.assertIn(b"$argon2id$", dump)
        for pw in [PASSWORD, CORP_PASSWORD] + DEMO_PASSWORDS:
            self.assertNotIn(pw.encode(), dump)


if __name__ == "__main__":
    unittest.main(verbosity=2)
