"""A real browser (Debian's headless Chromium, driven through chromedriver
by tests/integration/webdriver.py) signs in at /login by account number in
the Canada region and reads the total due and the due date on the Billing
Center page (SPEC sections 4 and 6; issue 4 item 5).  A screenshot of the
page is kept as a test artifact: $BILLGW_ARTIFACTS/billing-center.png, or
$BILLGW_BUILD/artifacts/billing-center.png."""

import datetime
import os
import random
import struct
import unittest
import zlib

import harness
from harness import URL, ctl
import webdriver

RUN = random.randint(100000, 999999)
PASSWORD = f"Browser-Test-{RUN}!"
SESSION = "__Host-billgw_session"
MSG_BC = "Invalid client ID, account number or password."
REGION, REGION_NAME, TZ = "ca", "Canada", "America/Toronto"
TERMS_DAYS = 15


def region_today():
    try:
        from zoneinfo import ZoneInfo
        return datetime.datetime.now(ZoneInfo(TZ)).date()
    except Exception:   # noqa: BLE001 - no tz database: UTC is close enough
        return datetime.datetime.now(datetime.timezone.utc).date()


ISSUED = region_today() - datetime.timedelta(days=5)
DUE = ISSUED + datetime.timedelta(days=TERMS_DAYS)


def artifacts_dir():
    d = os.environ.get("BILLGW_ARTIFACTS") or os.path.join(
        harness.BUILD, "artifacts")
    os.makedirs(d, exist_ok=True)
    return d


def png_problem(data):
    """None when data is a complete, valid PNG (signature, IHDR first with
    a non-empty size, every chunk's CRC right, IEND last); else why not."""
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "no PNG signature"
    pos, first, seen_idat = 8, True, False
    while pos + 12 <= len(data):
        length, ctype = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if len(chunk) != length or pos + 12 + length > len(data):
            return f"chunk {ctype!r} truncated"
        crc, = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        if zlib.crc32(ctype + chunk) & 0xffffffff != crc:
            return f"chunk {ctype!r}: bad CRC"
        if first:
            if ctype != b"IHDR" or length != 13:
                return "first chunk is not IHDR"
            w, h = struct.unpack(">II", chunk[:8])
            if w == 0 or h == 0:
                return f"empty image {w}x{h}"
            first = False
        seen_idat |= ctype == b"IDAT"
        pos += 12 + length
        if ctype == b"IEND":
            if not seen_idat:
                return "no IDAT chunk"
            return None if pos == len(data) else "data after IEND"
    return "no IEND chunk"


def new_account():
    """A Canada account with its main billing contact and one invoice of
    61.11 CAD issued 5 days ago, made with billgwctl."""
    number = f"82{RUN}01"
    steps = [
        (["account", "add", "--region", REGION, "--number", number,
          "--company", f"Browser Co {number}"], None),
        (["user", "add", "--region", REGION, "--account", number,
          "--client-id", f"b{number}-main", "--name", "Browser Contact",
          "--email", f"browser-{number}@example.com", "--main"],
         PASSWORD + "\n"),
        (["invoice", "add", "--region", REGION, "--account", number,
          "--number", f"INV-B{RUN}", "--issued", ISSUED.isoformat(),
          "--total", "61.11"], None),
    ]
    for args, stdin in steps:
        r = ctl(args, stdin=stdin)
        assert r.returncode == 0, (args, r.stdout, r.stderr)
    return number


class BillingCenterInABrowser(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.number = new_account()
        cls.b = webdriver.Browser()
        cls.addClassCleanup(cls.b.close)

    def setUp(self):
        # A browser of no session: forget the cookies of the previous test.
        self.b.get(URL + "/login")
        self.b.delete_cookies()
        self.b.get(URL + "/login")
        self.assertIn("Sign in", self.b.find("h1").text)

    def fail_msg(self, what):
        return (f"{what} (at {self.b._url_or_none()}); chromedriver log:\n"
                f"{self.b.log_tail(15)}")

    def sign_in(self, identifier, password):
        """Fill in the Billing Center form as a person would and press
        "Log In"."""
        b = self.b
        options = [o for o in b.find_all("#region option")
                   if o.text.strip() == REGION_NAME]
        self.assertEqual(len(options), 1, "one Canada option in #region")
        options[0].click()
        self.assertEqual(b.find("#region").prop("value"), REGION)
        ident = b.find("input#identifier")
        ident.clear()
        ident.send_keys(identifier)
        b.find("input#password").send_keys(password)
        button = b.find("form button[type=submit]")
        self.assertEqual(button.text.strip(), "Log In")
        button.click()

    def text_of(self, css, unique=False):
        """The rendered text of the first element matching css (of the only
        one, if unique); the test fails (rather than errs) when there is
        none."""
        found = self.b.find_all(css)
        if not found:
            self.fail(self.fail_msg(f"no {css} on the page; it begins: "
                                    f"{self.b.source()[:300]!r}"))
        if unique:
            self.assertEqual(len(found), 1, f"{css}: {len(found)} elements")
        return found[0].text.strip()

    def session_cookie(self):
        for c in self.b.cookies():
            if c["name"] == SESSION:
                return c
        return None

    def test_a_the_login_page_labels_its_fields(self):
        b = self.b
        for field in ("region", "identifier", "password"):
            labels = b.find_all(f'label[for="{field}"]')
            self.assertEqual(len(labels), 1, f'label for="{field}"')
            self.assertTrue(labels[0].text.strip(), field)
        self.assertEqual(b.find("#password").attr("type"), "password")
        self.assertIsNone(self.session_cookie())

    def test_b_a_wrong_password_re_renders_the_form(self):
        b = self.b
        self.sign_in(self.number, PASSWORD + "-wrong")
        alert = b.wait_for(lambda: b.find_all('[role="alert"]'),
                           what="the error message")[0]
        self.assertEqual(alert.text.strip(), MSG_BC)
        self.assertEqual(b.current_url(), URL + "/login")
        self.assertEqual(b.find("#identifier").prop("value"), self.number)
        self.assertEqual(b.find("#password").prop("value"), "")
        self.assertEqual(b.find("#region").prop("value"), REGION)
        self.assertIsNone(self.session_cookie())

    def test_c_signs_in_by_account_number_and_reads_the_balance(self):
        b = self.b
        self.sign_in(self.number, PASSWORD)
        path = os.path.join(artifacts_dir(), "billing-center.png")
        try:
            b.wait_for(lambda: b.current_url() == URL + "/billing-center/",
                       what="the 303 to the Billing Center")
        finally:
            # What the browser shows, whether or not it got there.
            png = b.full_page_screenshot()
            with open(path, "wb") as f:
                f.write(png)
            print(f"\nscreenshot: {path}", flush=True)
        with open(path, "rb") as f:
            saved = f.read()
        self.assertGreater(len(saved), 0)
        self.assertIsNone(png_problem(saved), path)

        # The session cookie: Chromium keeps a Secure, __Host- cookie on
        # http://127.0.0.1, a potentially trustworthy origin.
        c = self.session_cookie()
        self.assertIsNotNone(c, self.fail_msg(
            f"no {SESSION} cookie; cookies: "
            f"{[x['name'] for x in b.cookies()]}"))
        self.assertTrue(c["secure"])
        self.assertTrue(c["httpOnly"])
        self.assertEqual(c["path"], "/")
        self.assertEqual(c.get("sameSite"), "Lax")

        self.assertIn("Billing Center", self.text_of("h1"))
        self.assertEqual(self.text_of("dd#total-due", unique=True),
                         "$ 61.11 CAD")
        self.assertEqual(self.text_of("dd#due-date", unique=True),
                         DUE.isoformat())


if __name__ == "__main__":
    harness.main()
