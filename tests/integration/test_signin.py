"""Sign-in by region, client ID, account number or corporate User ID, and
routing to the right portal (SPEC sections 3, 4, 5, 9), through nginx."""

import base64
import hashlib
import hmac
import json
import os
import random
import re
import time
import unittest
import urllib.parse

import harness
from harness import conf_get, ctl, http, sql

RUN = random.randint(100000, 999999)
PASSWORD = f"Sign-In-Test-{RUN}!"
SESSION = "__Host-billgw_session"
MSG_BC = "Invalid client ID, account number or password."
MSG_CORP = "Invalid User ID/password"
MSG_NOT_CONTACT = ("You seem to have landed in the wrong place. Please "
                   "contact the account admin to gain access to this "
                   "location. We will now redirect you to your account "
                   "profile.")
_serial = [0]


def url(region, key):
    return conf_get(f"region.{region}.{key}")


def new_account(region="us", kind="standard", portal="billing_center",
                members=False, corporate_user=False):
    """A fresh account with its main billing contact (and optionally a
    member and a corporate User ID), made with billgwctl; returns a dict."""
    _serial[0] += 1
    digit = {"us": 1, "ca": 2, "eu": 3, "apac": 4}[region]
    number = f"7{digit}{RUN}{_serial[0]:02d}"
    a = {"region": region, "number": number, "company": f"Test Co {number}",
         "client_id": f"t{number}-main", "member": f"t{number}-member",
         "user_id": f"t{number}.corp@example.com"}
    steps = [["account", "add", "--region", region, "--number", number,
              "--company", a["company"], "--kind", kind, "--portal", portal],
             ["user", "add", "--region", region, "--account", number,
              "--client-id", a["client_id"], "--name", "Main Contact",
              "--email", f"main-{number}@example.com", "--main"]]
    if members:
        steps.append(["user", "add", "--region", region, "--account",
                      number, "--client-id", a["member"], "--name",
                      "A Member", "--email", f"m-{number}@example.com",
                      "--role", "member"])
    if corporate_user:
        steps.append(["corporate-user", "add", "--region", region,
                      "--account", number, "--user-id", a["user_id"],
                      "--name", "Corp Contact", "--email",
                      f"corp-{number}@example.com"])
    for args in steps:
        r = ctl(args, stdin=PASSWORD + "\n")
        assert r.returncode == 0, (args, r.stderr)
    return a


def api(body, headers=None, content_type="application/json"):
    h = {"Content-Type": content_type}
    h.update(headers or {})
    if isinstance(body, (dict, list)):
        body = json.dumps(body)
    return http("POST", "/api/v1/session", headers=h, body=body)


def cookies(resp):
    return resp.headers.get_all("Set-Cookie") or []


def session_cookie(resp):
    for c in cookies(resp):
        if c.startswith(SESSION + "="):
            return c
    return None


class Form:
    """A browser-like client of the HTML forms: keeps the CSRF cookie."""

    def __init__(self, path="/login"):
        self.path = path
        r = http("GET", path)
        assert r.status == 200, r
        self.jar = {}
        self.take(r)
        self.csrf = re.search(r'name="csrf" value="([^"]+)"', r.text).group(1)

    def take(self, r):
        for c in cookies(r):
            k, v = c.split(";", 1)[0].split("=", 1)
            self.jar[k] = v

    def post(self, fields, raw=None, headers=None):
        body = raw if raw is not None else urllib.parse.urlencode(
            dict(fields, csrf=self.csrf))
        h = {"Content-Type": "application/x-www-form-urlencoded",
             "Cookie": "; ".join(f"{k}={v}" for k, v in self.jar.items())}
        h.update(headers or {})
        return http("POST", self.path, headers=h, body=body)


class DecisionTableJson(unittest.TestCase):
    """Every row of SPEC section 4's table through POST /api/v1/session."""

    @classmethod
    def setUpClass(cls):
        cls.std = new_account("us", members=True)
        cls.corp = new_account("us", kind="corporate", corporate_user=True)
        cls.reg = new_account("us", portal="regional")
        cls.ca = new_account("ca")

    def test_a_member_is_sent_to_the_profile_with_the_billing_admin(self):
        r = api({"region": "us", "identifier": self.std["member"],
                 "password": PASSWORD})
        self.assertEqual(r.status, 403, r.text)
        j = r.json()
        self.assertEqual(j["outcome"], "wrong_place")
        self.assertEqual(j["reason"], "not_billing_contact")
        self.assertEqual(j["location"], url("us", "profile_url"))
        self.assertEqual(j["message"], MSG_NOT_CONTACT)
        self.assertEqual(j["billing_admin"], {
            "name": "Main Contact",
            "email": f"main-{self.std['number']}@example.com"})
        self.assertNotIn("token", j)
        self.assertIsNone(session_cookie(r))

    def test_a_corporate_account_at_the_billing_center_goes_to_its_portal(self):
        r = api({"region": "us", "identifier": self.corp["client_id"],
                 "password": PASSWORD})
        self.assertEqual(r.status, 403, r.text)
        j = r.json()
        self.assertEqual((j["outcome"], j["reason"]),
                         ("wrong_place", "corporate_account"))
        self.assertEqual(j["location"],
                         url("us", "corporate_portal_url") + "login")
        self.assertIsNone(session_cookie(r))

    def test_an_account_homed_elsewhere_gets_the_wrong_region_redirect(self):
        r = api({"region": "us", "identifier": self.ca["client_id"],
                 "password": PASSWORD})
        self.assertEqual(r.status, 200, r.text)
        j = r.json()
        self.assertEqual(j["outcome"], "wrong_region")
        self.assertEqual(j["region"], "ca")
        self.assertEqual(j["location"], url("ca", "billing_center_url"))
        self.assertIn("Canada", j["message"])
        self.assertTrue(j["token"])
        self.assertTrue(session_cookie(r))

    def test_a_regional_account_signs_in_to_the_regional_portal(self):
        r = api({"region": "us", "identifier": self.reg["client_id"],
                 "password": PASSWORD})
        self.assertEqual(r.status, 200, r.text)
        j = r.json()
        self.assertEqual((j["outcome"], j["portal"]),
                         ("signed_in", "regional"))
        self.assertEqual(j["location"], url("us", "regional_portal_url"))

    def test_a_corporate_user_id_signs_in_to_the_corporate_portal(self):
        for ident, region in ((self.corp["user_id"], None),
                              ("  " + self.corp["user_id"].upper(), "us")):
            body = {"identifier": ident, "password": PASSWORD,
                    "portal": "corporate"}
            if region:
                body["region"] = region
            r = api(body)
            self.assertEqual(r.status, 200, r.text)
            j = r.json()
            self.assertEqual((j["outcome"], j["portal"], j["region"]),
                             ("signed_in", "corporate", "us"))
            self.assertEqual(j["location"],
                             url("us", "corporate_portal_url"))
            self.assertTrue(session_cookie(r))

    def test_a_billing_contact_signs_in_by_client_id_in_any_case(self):
        r = api({"region": "us",
                 "identifier": "  " + self.std["client_id"].upper() + "\t",
                 "password": PASSWORD})
        self.assertEqual(r.status, 200, r.text)
        j = r.json()
        self.assertEqual((j["outcome"], j["portal"], j["region"]),
                         ("signed_in", "billing_center", "us"))
        self.assertEqual(j["location"], url("us", "billing_center_url"))
        self.assertEqual(j["account"], {"number": self.std["number"],
                                        "company": self.std["company"]})
        self.assertRegex(j["expires_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        c = session_cookie(r)
        self.assertIn(j["token"], c)
        for attr in ("HttpOnly", "Secure", "SameSite=Lax", "Path=/"):
            self.assertIn(attr, c)
        self.assertEqual(r.headers["Cache-Control"], "no-store")

    def test_an_account_number_signs_in_as_the_main_billing_contact(self):
        r = api({"region": "us", "identifier": self.std["number"],
                 "password": PASSWORD},
                content_type="application/json")
        self.assertEqual(r.status, 200, r.text)
        by_id = api({"region": "us", "identifier": self.std["client_id"],
                     "password": PASSWORD})
        # The same user: the tokens name the same subject.
        sub = [json.loads(unb64(x.json()["token"].split(".")[1]))["sub"]
               for x in (r, by_id)]
        self.assertEqual(sub[0], sub[1])
        self.assertRegex(sub[0], r"^us:u:\d+$")
        me = http("GET", "/api/v1/account", headers={
            "Authorization": "Bearer " + r.json()["token"]}).json()
        self.assertEqual(me["account"]["client_id"], self.std["client_id"])

    def test_form_encoding_is_accepted_too(self):
        r = api(urllib.parse.urlencode({
            "region": "us", "identifier": self.std["client_id"],
            "password": PASSWORD}),
            content_type="application/x-www-form-urlencoded")
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual(r.json()["outcome"], "signed_in")


class DecisionTableHtml(unittest.TestCase):
    """The same rows through the HTML forms."""

    @classmethod
    def setUpClass(cls):
        cls.std = new_account("us", members=True)
        cls.corp = new_account("us", kind="corporate", corporate_user=True)
        cls.reg = new_account("us", portal="regional")
        cls.eu = new_account("eu")

    def signin(self, ident, region="us"):
        return Form().post({"region": region, "identifier": ident,
                            "password": PASSWORD})

    def test_the_login_page_lists_the_configured_regions(self):
        r = http("GET", "/login")
        self.assertEqual(r.status, 200)
        for code, name in (("us", "United States"), ("ca", "Canada"),
                           ("eu", "Europe"), ("apac", "Asia-Pacific")):
            self.assertIn(f'<option value="{code}">{name}</option>', r.text)
        self.assertIn("Log In", r.text)
        self.assertIn('type="password"', r.text)
        self.assertIn("__Host-billgw_csrf=", " ".join(cookies(r)))

    def test_signed_in_is_a_303_to_the_billing_center(self):
        r = self.signin(self.std["client_id"])
        self.assertEqual(r.status, 303, r.text)
        self.assertEqual(r.headers["Location"],
                         url("us", "billing_center_url"))
        self.assertTrue(session_cookie(r))

    def test_a_member_gets_the_wrong_place_page_with_a_refresh(self):
        r = self.signin(self.std["member"])
        self.assertEqual(r.status, 403)
        self.assertIn(MSG_NOT_CONTACT, r.text)
        loc = url("us", "profile_url")
        self.assertIn(f'<meta http-equiv="refresh" content="5;url={loc}">',
                      r.text)
        self.assertIn(f'href="{loc}"', r.text)
        self.assertIn(f"main-{self.std['number']}@example.com", r.text)
        self.assertIsNone(session_cookie(r))

    def test_a_corporate_account_gets_the_wrong_place_page(self):
        r = self.signin(self.corp["client_id"])
        self.assertEqual(r.status, 403)
        self.assertIn(url("us", "corporate_portal_url") + "login", r.text)
        self.assertIsNone(session_cookie(r))

    def test_another_home_region_gets_the_wrong_region_page(self):
        r = self.signin(self.eu["client_id"], region="us")
        self.assertEqual(r.status, 200)
        loc = url("eu", "billing_center_url")
        self.assertIn(f'content="5;url={loc}"', r.text)
        self.assertIn("Europe", r.text)
        self.assertTrue(session_cookie(r))

    def test_a_regional_account_is_sent_to_the_regional_portal(self):
        r = self.signin(self.reg["number"])
        self.assertEqual(r.status, 303)
        self.assertEqual(r.headers["Location"],
                         url("us", "regional_portal_url"))

    def test_a_corporate_user_id_signs_in_at_the_corporate_login(self):
        r = Form("/corporate/login").post({
            "identifier": self.corp["user_id"], "password": PASSWORD})
        self.assertEqual(r.status, 303, r.text)
        self.assertEqual(r.headers["Location"],
                         url("us", "corporate_portal_url"))
        self.assertTrue(session_cookie(r))

    def test_a_wrong_password_re_renders_the_form_keeping_the_identifier(self):
        r = Form().post({"region": "eu", "identifier": self.std["client_id"],
                         "password": "not-the-password-xyz"})
        self.assertEqual(r.status, 401)
        self.assertIn(MSG_BC, r.text)
        self.assertIn(f'value="{self.std["client_id"]}"', r.text)
        self.assertIn('<option value="eu" selected>', r.text)
        self.assertNotIn("not-the-password-xyz", r.text)
        r = Form("/corporate/login").post({
            "identifier": self.corp["user_id"], "password": "nope-nope-nope"})
        self.assertEqual(r.status, 401)
        self.assertIn(MSG_CORP, r.text)

    def test_a_form_without_its_csrf_token_is_refused(self):
        f = Form()
        r = f.post({}, raw=urllib.parse.urlencode({
            "region": "us", "identifier": self.std["client_id"],
            "password": PASSWORD, "csrf": "A" * 43}))
        self.assertEqual(r.status, 403)
        self.assertIsNone(session_cookie(r))
        r = http("POST", "/login", headers={
            "Content-Type": "application/x-www-form-urlencoded"},
            body=urllib.parse.urlencode({
                "region": "us", "identifier": self.std["client_id"],
                "password": PASSWORD, "csrf": f.csrf}))
        self.assertEqual(r.status, 403)      # the token, but not its cookie

    def test_a_cross_site_post_is_refused(self):
        f = Form()
        fields = {"region": "us", "identifier": self.std["client_id"],
                  "password": PASSWORD}
        r = f.post(fields, headers={"Sec-Fetch-Site": "cross-site"})
        self.assertEqual(r.status, 403)
        r = f.post(fields, headers={"Origin": "https://evil.example"})
        self.assertEqual(r.status, 403)
        self.assertIsNone(session_cookie(r))
        r = api({"region": "us", "identifier": self.std["client_id"],
                 "password": PASSWORD}, headers={"Origin": "null"})
        self.assertEqual(r.status, 403)
        r = f.post(fields, headers={"Origin": harness.URL,
                                    "Sec-Fetch-Site": "same-origin"})
        self.assertEqual(r.status, 303)


class SameAnswerForEveryFailure(unittest.TestCase):

    def test_an_unknown_identifier_and_a_wrong_password_answer_alike(self):
        a = new_account("us")
        for region, known, unknown in (
                ("us", a["client_id"], f"nobody-{RUN}"),
                ("us", a["number"], f"6{RUN}9")):
            r1 = api({"region": region, "identifier": known,
                      "password": "wrong-password-123"})
            r2 = api({"region": region, "identifier": unknown,
                      "password": "wrong-password-123"})
            self.assertEqual((r1.status, r1.body), (r2.status, r2.body))
            self.assertEqual(r1.status, 401)
            self.assertEqual(r1.json()["error"]["message"], MSG_BC)
            self.assertEqual(cookies(r1), cookies(r2))
        f = Form()
        h1 = f.post({"region": "us", "identifier": a["client_id"],
                     "password": "wrong-password-123"})
        h2 = f.post({"region": "us", "identifier": a["client_id"] + "x",
                     "password": "wrong-password-123"})
        self.assertEqual((h1.status, h2.status), (401, 401))
        # The form keeps what was typed; apart from that, the same page.
        self.assertEqual(h2.body.replace(a["client_id"].encode() + b"x",
                                         a["client_id"].encode()), h1.body)
        self.assertEqual(cookies(h1), cookies(h2))


class Throttle(unittest.TestCase):

    def fail_times(self, ident, n, region="us"):
        return [api({"region": region, "identifier": ident,
                     "password": "wrong-password-123"}).status
                for _ in range(n)]

    def test_the_eleventh_failure_is_locked_even_with_the_right_password(self):
        a = new_account("us")
        self.assertEqual(self.fail_times(a["client_id"], 10), [401] * 10)
        r = api({"region": "us", "identifier": a["client_id"],
                 "password": PASSWORD})
        self.assertEqual(r.status, 429, r.text)
        self.assertGreater(int(r.headers["Retry-After"]), 1700)
        self.assertLessEqual(int(r.headers["Retry-After"]), 1800)
        # The lock ends: make it end now by editing the row.
        sql("billgw_us", "UPDATE signin_throttle SET locked_until = "
            "NOW() - INTERVAL 1 SECOND, first_failure_at = NOW() - "
            "INTERVAL 31 MINUTE")
        r = api({"region": "us", "identifier": a["client_id"],
                 "password": PASSWORD})
        self.assertEqual(r.status, 200, r.text)

    def test_an_unknown_identifier_is_locked_the_same_way(self):
        ghost = f"ghost-{RUN}"
        self.assertEqual(self.fail_times(ghost, 10, "ca"), [401] * 10)
        r = api({"region": "ca", "identifier": ghost,
                 "password": "wrong-password-123"})
        self.assertEqual(r.status, 429)
        self.assertIn("Retry-After", r.headers)

    def test_a_success_resets_the_count(self):
        a = new_account("us")
        self.assertEqual(self.fail_times(a["client_id"], 9), [401] * 9)
        ok = api({"region": "us", "identifier": a["client_id"],
                  "password": PASSWORD})
        self.assertEqual(ok.status, 200)
        self.assertEqual(self.fail_times(a["client_id"], 9), [401] * 9)
        ok = api({"region": "us", "identifier": a["client_id"],
                  "password": PASSWORD})
        self.assertEqual(ok.status, 200)


class BadInput(unittest.TestCase):
    """Each a 400 naming the field unless stated."""

    def check(self, body, field, content_type="application/json",
              status=400):
        r = api(body, content_type=content_type)
        self.assertEqual(r.status, status, r.text)
        if field:
            self.assertEqual(r.json()["error"].get("field"), field, r.text)
        return r

    def test_bad_regions(self):
        good = {"identifier": "acme-us", "password": "x" * 12}
        self.check(dict(good, region="zz"), "region")
        self.check(dict(good, region="us\n"), "region")
        self.check(dict(good), "region")            # required here
        self.check("region=us&region=ca&identifier=acme-us&password=x",
                   "region",
                   content_type="application/x-www-form-urlencoded")

    def test_bad_identifiers(self):
        base = {"region": "us", "password": "x" * 12}
        for ident in ("", "   ", "a" * 300, "acme\u0000us",
                      "' OR 1=1 --", "\u0661\u0662\u0663\u0664\u0665\u0666",
                      "12345", "1234567890123"):
            with self.subTest(ident=ident):
                self.check(dict(base, identifier=ident), "identifier")
        self.check("region=us&identifier=%FF%FE&password=x",
                   "identifier",
                   content_type="application/x-www-form-urlencoded")
        self.check("region=us&identifier=ab%zz&password=x", "identifier",
                   content_type="application/x-www-form-urlencoded")

    def test_bad_passwords(self):
        self.check({"region": "us", "identifier": "acme-us",
                    "password": "p" * 129}, "password")
        self.check({"region": "us", "identifier": "acme-us",
                    "password": ""}, "password")

    def test_bad_bodies(self):
        self.check('{"region":"us","region":"ca"}', "body")
        self.check('["region"]', "body")
        self.check('{"region": 1, "identifier": "a", "password": "b"}',
                   "region")
        self.check('{"region":"us","identifier":"acme-us","password":"x",'
                   '"admin":"yes"}', "admin")
        self.check({"region": "us", "identifier": "acme-us",
                    "password": "x" * 12, "portal": "admin"}, "portal")
        r = self.check("hello", None, content_type="text/plain", status=415)
        self.assertEqual(r.json()["error"]["code"], "unsupported_media_type")

    def test_invalid_utf8_in_json_is_refused(self):
        r = http("POST", "/api/v1/session",
                 headers={"Content-Type": "application/json"},
                 body=b'{"region":"us","identifier":"\xff\xfe","password":"x"}')
        self.assertEqual(r.status, 400)


class Sessions(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.a = new_account("us")

    def signin(self):
        r = api({"region": "us", "identifier": self.a["client_id"],
                 "password": PASSWORD})
        self.assertEqual(r.status, 200, r.text)
        return r.json()["token"]

    def account(self, token=None, cookie=None):
        h = {}
        if token:
            h["Authorization"] = "Bearer " + token
        if cookie:
            h["Cookie"] = f"{SESSION}={cookie}"
        return http("GET", "/api/v1/account", headers=h)

    def test_no_token_is_401(self):
        r = self.account()
        self.assertEqual(r.status, 401)
        self.assertEqual(r.json()["error"]["code"], "unauthorized")

    def test_a_token_works_as_bearer_and_as_cookie(self):
        t = self.signin()
        for r in (self.account(token=t), self.account(cookie=t)):
            self.assertEqual(r.status, 200, r.text)
            self.assertEqual(r.json()["account"]["region"], "us")
            self.assertEqual(r.headers["Cache-Control"], "no-store")

    def test_tampered_tokens_are_401(self):
        t = self.signin()
        h, p, s = t.split(".")
        flipped = s[:-2] + ("A" if s[-2] != "A" else "B") + s[-1]
        for bad in (h + "." + p + "." + flipped, h + "." + p + ".",
                    "x" * 5000, t + "x", "a.b.c"):
            self.assertEqual(self.account(token=bad).status, 401)

    def test_logout_kills_every_token_of_the_user(self):
        t1, t2 = self.signin(), self.signin()
        r = http("DELETE", "/api/v1/session",
                 headers={"Authorization": "Bearer " + t1})
        self.assertEqual(r.status, 200, r.text)
        self.assertIn(f"{SESSION}=;", " ".join(cookies(r)))
        self.assertEqual(self.account(token=t1).status, 401)
        self.assertEqual(self.account(token=t2).status, 401)
        self.assertEqual(self.account(token=self.signin()).status, 200)

    def test_a_password_change_kills_older_tokens(self):
        t = self.signin()
        # What a password change does to the row (issue 5 drives it
        # through the reset flow): a new hash and the next version.
        sql("billgw_us", "UPDATE users SET session_version = "
            f"session_version + 1 WHERE client_id = '{self.a['client_id']}'")
        self.assertEqual(self.account(token=t).status, 401)

    def test_html_logout_needs_the_session_bound_token(self):
        t = self.signin()
        r = http("POST", "/logout", headers={
            "Cookie": f"{SESSION}={t}",
            "Content-Type": "application/x-www-form-urlencoded"},
            body="csrf=" + "A" * 43)
        self.assertEqual(r.status, 403)
        self.assertEqual(self.account(token=t).status, 200)

    def test_html_logout_with_its_token_ends_the_session(self):
        t = self.signin()
        jti = json.loads(unb64(t.split(".")[1]))["jti"]
        with open(os.path.join(harness.VAR, "session.keys")) as f:
            secret = f.readline().split()[1].encode()
        # The token the portal pages put in their logout form.
        csrf = b64(hmac.new(secret, b"csrf:" + jti.encode(),
                            hashlib.sha256).digest())
        r = http("POST", "/logout", headers={
            "Cookie": f"{SESSION}={t}",
            "Content-Type": "application/x-www-form-urlencoded"},
            body="csrf=" + csrf)
        self.assertEqual(r.status, 303, r.text)
        self.assertEqual(r.headers["Location"],
                         conf_get("gateway.public_url").rstrip("/") +
                         "/login")
        self.assertIn(f"{SESSION}=;", " ".join(cookies(r)))
        self.assertEqual(self.account(token=t).status, 401)

    def test_a_9_mb_token_in_a_body_leaves_the_worker_alive(self):
        before = harness.status()["restarts"]
        r = http("POST", "/api/v1/session",
                 headers={"Content-Type": "application/json"},
                 body=b'{"token":"' + b"A" * (9 << 20) + b'"}')
        self.assertEqual(r.status, 413)
        self.assertEqual(http("GET", "/healthz").status, 200)
        self.assertEqual(harness.status()["restarts"], before)


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class ForgedTokens(unittest.TestCase):
    """SPEC section 5's list, through nginx: each token is made with the
    stack's real signing key, so only the one thing wrong with it can be
    why it is refused (the unchanged re-signed token is accepted)."""

    @classmethod
    def setUpClass(cls):
        a = new_account("us")
        r = api({"region": "us", "identifier": a["client_id"],
                 "password": PASSWORD})
        assert r.status == 200, r
        cls.token = r.json()["token"]
        h, p, _ = cls.token.split(".")
        cls.header = json.loads(unb64(h))
        cls.claims = json.loads(unb64(p))
        path = os.path.join(harness.VAR, "session.keys")
        with open(path) as f:
            kid, secret = f.readline().split()
        cls.kid, cls.secret = kid, secret.encode()

    def sign(self, header=None, claims=None, raw_header=None,
             raw_claims=None, alg=hashlib.sha256):
        h = raw_header or json.dumps(header or self.header).encode()
        p = raw_claims or json.dumps(claims or self.claims).encode()
        msg = (b64(h) + "." + b64(p)).encode()
        sig = hmac.new(self.secret, msg, alg).digest() if alg else b""
        return msg.decode() + "." + b64(sig)

    def status(self, token):
        return http("GET", "/api/v1/account", headers={
            "Authorization": "Bearer " + token}).status

    def with_claims(self, **kw):
        return dict(self.claims, **kw)

    def test_the_unchanged_token_re_signed_here_is_accepted(self):
        self.assertEqual(self.status(self.token), 200)
        self.assertEqual(self.status(self.sign()), 200)

    def test_alg_none_hs512_and_lower_case_hs256_are_refused(self):
        self.assertEqual(self.status(self.sign(
            dict(self.header, alg="none"), alg=None)), 401)
        self.assertEqual(self.status(self.sign(
            dict(self.header, alg="HS512"), alg=hashlib.sha512)), 401)
        self.assertEqual(self.status(self.sign(
            dict(self.header, alg="hs256"))), 401)

    def test_an_unknown_kid_or_a_crit_header_is_refused(self):
        self.assertEqual(self.status(self.sign(
            dict(self.header, kid="k9"))), 401)
        self.assertEqual(self.status(self.sign(
            dict(self.header, crit=["exp"]))), 401)

    def test_a_flipped_bit_or_an_edited_payload_is_refused(self):
        h, p, sig = self.token.split(".")
        raw = bytearray(unb64(sig))
        raw[0] ^= 1
        self.assertEqual(self.status(f"{h}.{p}.{b64(bytes(raw))}"), 401)
        edited = b64(json.dumps(self.with_claims(acct=1)).encode())
        self.assertEqual(self.status(f"{h}.{edited}.{sig}"), 401)

    def test_bad_times_are_refused(self):
        now = int(time.time())
        self.assertEqual(self.status(self.sign(
            claims=self.with_claims(exp=now - 120))), 401)
        self.assertEqual(self.status(self.sign(
            claims=self.with_claims(exp=str(now + 600)))), 401)
        self.assertEqual(self.status(self.sign(
            claims=self.with_claims(iat=now + 600))), 401)

    def test_bad_claims_are_refused(self):
        self.assertEqual(self.status(self.sign(
            claims=self.with_claims(iss="someone-else"))), 401)
        self.assertEqual(self.status(self.sign(
            claims=self.with_claims(rgn="zz"))), 401)
        self.assertEqual(self.status(self.sign(
            raw_claims=json.dumps([self.claims]).encode())), 401)
        dup = json.dumps(self.claims)[:-1] + ', "sub": "u:1"}'
        self.assertEqual(self.status(self.sign(raw_claims=dup.encode())),
                         401)

    def test_a_token_of_another_region_reads_nothing_here(self):
        # Signed right, for a region that is configured but is not the
        # user's: the session check asks only that region's database,
        # where this subject's session version is not the token's.
        self.assertEqual(self.status(self.sign(
            claims=self.with_claims(rgn="ca"))), 401)

    def test_an_oversized_token_is_refused(self):
        self.assertEqual(self.status("e" * 5000 + "." + "e" * 10 + ".e"),
                         401)


class PublicLists(unittest.TestCase):

    def test_regions_lists_code_name_and_currency(self):
        r = http("GET", "/api/v1/regions")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json()["regions"], [
            {"code": "us", "name": "United States", "currency": "USD"},
            {"code": "ca", "name": "Canada", "currency": "CAD"},
            {"code": "eu", "name": "Europe", "currency": "EUR"},
            {"code": "apac", "name": "Asia-Pacific", "currency": "AUD"}])


class Audit(unittest.TestCase):

    def test_every_attempt_is_audited_without_secrets(self):
        a = new_account("us")
        api({"region": "us", "identifier": a["client_id"],
             "password": "wrong-password-123"},
            headers={"X-Request-Id": "ignored"})
        api({"region": "us", "identifier": a["client_id"],
             "password": PASSWORD})
        rows = sql("billgw_us", "SELECT outcome, actor, client_addr, "
                   "request_id FROM audit_log WHERE account_id = (SELECT "
                   f"id FROM accounts WHERE number = '{a['number']}') "
                   "ORDER BY id")
        outcomes = [r[0] for r in rows]
        self.assertIn("signed_in", outcomes)
        self.assertIn("invalid", outcomes)
        for outcome, actor, addr, rid in rows:
            self.assertNotIn(a["client_id"], actor)
            self.assertEqual(addr, "127.0.0.1")
            self.assertRegex(rid, r"^[0-9a-f]{32}$")
        dump = "\n".join("\t".join(r) for r in sql(
            "billgw_us", "SELECT * FROM audit_log"))
        self.assertNotIn(PASSWORD, dump)
        self.assertNotIn("wrong-password-123", dump)


class StartUp(unittest.TestCase):

    def test_billgw_refuses_to_start_with_a_session_key_under_32_bytes(self):
        with harness.Stack("shortkey", check_sanitizers=False) as s:
            keys = os.path.join(s.dir, "short.keys")
            with open(keys, "w") as f:
                f.write("# rotated keys, newest first\nk2 " + "s" * 31 + "\n")
            s.start_pool(conf_text=s.conf_text(
                {"session.keys_file": keys}), wait=False)
            self.assertEqual(s.wait_pool_exit(10), 1)
            self.assertRegex(s.pool_log(),
                             r"\[session\] keys_file: .*short\.keys:2: "
                             r"the secret of k2 is 31 bytes")
            self.assertNotIn("s" * 31, s.pool_log())
            self.assertFalse(os.path.exists(s.sock))


class RateLimit(unittest.TestCase):

    def test_nginx_limits_sign_ins_per_address(self):
        with harness.Stack("limit") as s:
            s.start_pool(overrides={"gateway.workers": 2})
            s.start_nginx(signin_rate="2r/m", signin_burst=1)
            codes = [s.http("POST", "/api/v1/session", headers={
                "Content-Type": "application/json"},
                body={"region": "us", "identifier": f"rl-{RUN}",
                      "password": "whatever-123"}).status
                for _ in range(4)]
            self.assertEqual(codes[0], 401)
            self.assertIn(429, codes[1:])
            self.assertEqual(s.http("GET", "/login").status, 200)
            # Password resets share the per-address budget.
            r = s.http("POST", "/api/v1/password-reset", headers={
                "Content-Type": "application/json"},
                body={"user_id": f"rl-{RUN}@corp.example"})
            self.assertEqual(r.status, 429)
            self.assertEqual(r.json()["error"]["code"], "too_many_requests")


if __name__ == "__main__":
    harness.main()
