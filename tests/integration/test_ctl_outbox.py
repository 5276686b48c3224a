#!/usr/bin/env python3
"""billgwctl outbox list and outbox send against the test stack's MariaDB.

`outbox send --sendmail PATH` is run with fake sendmail programs that the
test writes into a temporary directory: one records its arguments and its
standard input and exits 0, one does the same and exits 1.  The mails are
the test's own (a random run number in the subject), queued with SQL.
"""
import email
import email.policy
import email.utils
import os
import random
import shutil
import stat
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import ctl, sql  # noqa: E402

RUN = "%06d" % random.randint(0, 999999)
REGION = "ca" if "ca" in harness.REGIONS else harness.REGIONS[0]
DB = "billgw_" + REGION

FAKE = """#!/usr/bin/env python3
import os, sys
d = os.path.dirname(os.path.abspath(__file__))
data = sys.stdin.buffer.read()
n = len([f for f in os.listdir(d) if f.startswith("mail.")])
with open(os.path.join(d, "mail.%04d" % n), "wb") as f:
    f.write(data)
with open(os.path.join(d, "args.%04d" % n), "w") as f:
    f.write("\\n".join(sys.argv[1:]))
sys.exit(EXIT)
"""


def queue(to, subject, body):
    """Queue a mail in REGION's outbox; its id."""
    q = lambda s: "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'"
    rows = sql(DB, "INSERT INTO outbox (to_addr, subject, body) VALUES "
               "(%s, %s, %s); SELECT LAST_INSERT_ID()" %
               (q(to), q(subject), q(body)))
    return int(rows[-1][0])


def sent_at(mail_id):
    return sql(DB, "SELECT IFNULL(sent_at, 'NULL') FROM outbox WHERE id = %d"
               % mail_id)[0][0]


class OutboxSend(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="billgw-outbox-")
        self.addCleanup(shutil.rmtree, self.dir, ignore_errors=True)
        self.ok = self.fake("ok", 0)
        self.bad = self.fake("bad", 1)
        self.ids = []

    def tearDown(self):
        if self.ids:
            sql(DB, "DELETE FROM outbox WHERE id IN (%s)" %
                ", ".join(str(i) for i in self.ids))

    def fake(self, name, code):
        d = os.path.join(self.dir, name)
        os.mkdir(d)
        path = os.path.join(d, "sendmail")
        with open(path, "w") as f:
            f.write(FAKE.replace("EXIT", str(code)))
        os.chmod(path, stat.S_IRWXU)
        return path

    def recorded(self, name):
        """[(args, message bytes)] of a fake's runs, in order."""
        d = os.path.join(self.dir, name)
        runs = []
        for f in sorted(os.listdir(d)):
            if f.startswith("mail."):
                with open(os.path.join(d, f), "rb") as m, \
                        open(os.path.join(d, "args." + f[5:])) as a:
                    runs.append((a.read().split("\n"), m.read()))
        return runs

    def mine(self, runs):
        """The recorded messages of this run, parsed."""
        out = []
        for args, raw in runs:
            msg = email.message_from_bytes(raw, policy=email.policy.default)
            if RUN in str(msg["Subject"]):
                out.append((args, msg))
        return out

    def send(self, path, *extra):
        return ctl(["outbox", "send", "--sendmail", path] + list(extra))

    def test_a_bad_command_line_is_a_usage_error(self):
        r = ctl(["outbox", "send"])
        self.assertEqual(r.returncode, 2, r.stderr)
        r = ctl(["outbox", "send", "--sendmail",
                 os.path.join(self.dir, "nonexistent")])
        self.assertEqual(r.returncode, 2, r.stderr)
        r = self.send(self.ok, "--region", "zz")
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertEqual(self.recorded("ok"), [])

    def test_a_failing_program_leaves_the_mail_unsent_and_fails(self):
        i = queue("fail-%s@example.com" % RUN, "Failing %s" % RUN, "body\n")
        self.ids.append(i)
        r = self.send(self.bad, "--region", REGION)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("exited with 1", r.stderr)
        self.assertRegex(r.stdout, r"region %s: \d+ sent, [1-9]\d* failed"
                         % REGION)
        self.assertEqual(len(self.mine(self.recorded("bad"))), 1)
        self.assertEqual(sent_at(i), "NULL")
        # The next run with a working program sends it.
        r = self.send(self.ok, "--region", REGION)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotEqual(sent_at(i), "NULL")

    def test_a_header_injection_is_refused_without_running_the_program(self):
        i = queue("x@example.com\nBcc: victim@example.com",
                  "Injected %s" % RUN, "body\n")
        j = queue("ok-%s@example.com" % RUN, "Subject %s\nBcc: v@e.com" % RUN,
                  "body\n")
        self.ids += [i, j]
        r = self.send(self.ok, "--region", REGION)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("mail %d: the recipient" % i, r.stderr)
        self.assertIn("mail %d: the subject" % j, r.stderr)
        self.assertEqual(self.mine(self.recorded("ok")), [])
        self.assertEqual(sent_at(i), "NULL")
        self.assertEqual(sent_at(j), "NULL")

    def test_unsent_mails_are_piped_oldest_first_and_marked_sent(self):
        body = ("Hello,\n\nopen http://portal.example/corporate/reset?"
                "token=ca.x\n.\n. a line with a dot\nFrom here on\n")
        a = queue("first-%s@example.com" % RUN, "First %s" % RUN, body)
        b = queue("second-%s@example.com" % RUN,
                  "Zweite Nachricht f\u00fcr Sie %s \u00e9\u00e8" % RUN
                  + " lang" * 20, "Gr\u00fc\u00dfe\n")
        self.ids += [a, b]
        r = self.send(self.ok, "--region", REGION)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"region %s: [2-9]\d* sent, 0 failed"
                         % REGION)
        mine = self.mine(self.recorded("ok"))
        self.assertEqual(len(mine), 2)
        (args1, m1), (args2, m2) = mine
        self.assertEqual(args1, ["-t", "-i"])
        self.assertEqual(str(m1["To"]), "first-%s@example.com" % RUN)
        self.assertEqual(str(m1["Subject"]), "First %s" % RUN)
        self.assertIsNotNone(email.utils.parsedate_to_datetime(
            str(m1["Date"])))
        self.assertEqual(m1.get_content_type(), "text/plain")
        self.assertEqual(m1.get_content_charset(), "utf-8")
        self.assertEqual(m1.get_content(), body)
        self.assertEqual(str(m2["Subject"]),
                         "Zweite Nachricht f\u00fcr Sie %s \u00e9\u00e8" % RUN
                         + " lang" * 20)
        self.assertEqual(m2.get_content(), "Gr\u00fc\u00dfe\n")
        self.assertNotEqual(sent_at(a), "NULL")
        self.assertNotEqual(sent_at(b), "NULL")
        # Sent is sent: a second run does not send them again.
        r = self.send(self.ok)
        self.assertEqual(r.returncode, 0, r.stderr)
        for code in harness.REGIONS:
            self.assertIn("region %s: " % code, r.stdout)
        self.assertEqual(len(self.mine(self.recorded("ok"))), 2)

    def test_outbox_list_prints_recipient_subject_and_body(self):
        i = queue("list-%s@example.com" % RUN, "Listed %s" % RUN,
                  "line one\nhttp://portal.example/reset?token=ca.t%s\n"
                  % RUN)
        self.ids.append(i)
        r = ctl(["outbox", "list", "--region", REGION])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("%s\t%d\t" % (REGION, i), r.stdout)
        self.assertIn("\tunsent\tlist-%s@example.com\tListed %s\n"
                      % (RUN, RUN), r.stdout)
        self.assertIn("\n\tline one\n\thttp://portal.example/reset?token="
                      "ca.t%s\n" % RUN, r.stdout)


if __name__ == "__main__":
    harness.main()
