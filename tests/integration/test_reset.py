"""Corporate Billing Portal "Forgot Password?" (SPEC section 7, seeds 000
and 001), end to end through nginx, the pool and the outbox."""

import json
import random
import re
import unittest
import urllib.parse

import harness
from harness import conf_get, ctl, http, sql

RUN = random.randint(100000, 999999)
OLD = f"Old-Corp-Pass-{RUN}"
NEW = f"New-Corp-Pass-{RUN}"
SESSION = "__Host-billgw_session"
_serial = [0]


def corporate_user(region="us"):
    """A corporate account with one corporate User ID; returns it."""
    _serial[0] += 1
    digit = {"us": 1, "ca": 2, "eu": 3, "apac": 4}[region]
    number = f"6{digit}{RUN}{_serial[0]:02d}"
    uid = f"ap{number}@corp.example"
    for args, stdin in (
            (["account", "add", "--region", region, "--number", number,
              "--company", f"Corp {number}", "--kind", "corporate",
              "--country", {"us": "US", "ca": "CA", "eu": "DE",
                            "apac": "AU"}[region]], None),
            (["corporate-user", "add", "--region", region, "--account",
              number, "--user-id", uid, "--name", "AP Desk", "--email",
              f"billing-{number}@corp.example"], OLD + "\n")):
        r = ctl(args, stdin=stdin)
        assert r.returncode == 0, (args, r.stderr)
    return {"region": region, "uid": uid, "number": number,
            "email": f"billing-{number}@corp.example"}


def post(path, body, headers=None):
    h = {"Content-Type": "application/json"}
    h.update(headers or {})
    return http("POST", path, headers=h, body=body)


def request_reset(uid, headers=None):
    return post("/api/v1/password-reset", {"user_id": uid}, headers)


def confirm(token, password):
    return post("/api/v1/password-reset/confirm",
                {"token": token, "password": password})


def sign_in(uid, password):
    return post("/api/v1/session", {"identifier": uid, "password": password,
                                    "portal": "corporate"})


def mails(u):
    return sql(f"billgw_{u['region']}", "SELECT body FROM outbox WHERE "
               f"to_addr = '{u['email']}' ORDER BY id")


def link(u):
    rows = mails(u)
    assert rows, "no mail in the outbox"
    m = re.search(r"(http\S+/reset\?token=([a-z]+\.[A-Za-z0-9_-]{43}))",
                  rows[-1][0])
    assert m, rows[-1][0]
    return m.group(1), m.group(2)


class EndToEnd(unittest.TestCase):

    def test_request_read_the_link_confirm_and_sign_in_anew(self):
        u = corporate_user("us")
        before = sign_in(u["uid"], OLD)
        self.assertEqual(before.status, 200, before.text)
        old_token = before.json()["token"]
        r = request_reset(u["uid"].upper())
        self.assertEqual(r.status, 202, r.text)
        url, token = link(u)
        self.assertTrue(url.startswith(
            conf_get("region.us.corporate_portal_url") + "reset?token="))
        # Only the hash is kept.
        self.assertNotIn(token, json.dumps(sql(
            "billgw_us", "SELECT HEX(token_hash) FROM password_resets")))
        page = http("GET", "/corporate/reset?token=" + token)
        self.assertEqual(page.status, 200)
        self.assertEqual(page.headers["Referrer-Policy"], "no-referrer")
        self.assertIn('name="token" value="' + token + '"', page.text)
        r = confirm(token, NEW)
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual(r.json()["outcome"], "password_changed")
        self.assertIsNone(r.headers.get("Set-Cookie"))
        self.assertEqual(sign_in(u["uid"], OLD).status, 401)
        self.assertEqual(sign_in(u["uid"], NEW).status, 200)
        self.assertEqual(http("GET", "/api/v1/account", headers={
            "Authorization": "Bearer " + old_token}).status, 401)

    def test_the_html_forms_do_the_same(self):
        u = corporate_user("ca")
        f = http("GET", "/corporate/forgot-password")
        self.assertEqual(f.status, 200)
        self.assertIn('<label for="user_id">User ID</label>', f.text)
        jar = "; ".join(c.split(";")[0] for c in
                        f.headers.get_all("Set-Cookie"))
        csrf = re.search(r'name="csrf" value="([^"]+)"', f.text).group(1)
        form = {"Content-Type": "application/x-www-form-urlencoded",
                "Cookie": jar}
        r = http("POST", "/corporate/forgot-password", headers=form,
                 body=urllib.parse.urlencode({"user_id": u["uid"],
                                              "csrf": csrf}))
        self.assertEqual(r.status, 202, r.text)
        self.assertIn("a reset link has been sent", r.text)
        _, token = link(u)
        page = http("GET", "/corporate/reset?token=" + token,
                    headers={"Cookie": jar})
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
        r = http("POST", "/corporate/reset", headers=form,
                 body=urllib.parse.urlencode({
                     "token": token, "password": NEW, "password2": NEW + "x",
                     "csrf": csrf}))
        self.assertEqual(r.status, 400)
        self.assertIn("do not match", r.text)
        r = http("POST", "/corporate/reset", headers=form,
                 body=urllib.parse.urlencode({
                     "token": token, "password": NEW, "password2": NEW,
                     "csrf": csrf}))
        self.assertEqual(r.status, 200, r.text)
        self.assertIn("Sign in with your new password", r.text)
        self.assertNotIn(SESSION, " ".join(r.headers.get_all("Set-Cookie")
                                           or []))
        self.assertEqual(sign_in(u["uid"], NEW).status, 200)

    def test_a_locked_user_id_can_reset_and_is_unlocked_after(self):
        u = corporate_user("us")
        codes = [sign_in(u["uid"], "wrong-password-1").status
                 for _ in range(11)]
        self.assertEqual(codes[-1], 429)
        self.assertEqual(sign_in(u["uid"], OLD).status, 429)
        self.assertEqual(request_reset(u["uid"]).status, 202)
        _, token = link(u)
        self.assertEqual(confirm(token, NEW).status, 200)
        self.assertEqual(sign_in(u["uid"], NEW).status, 200)


class BadTokens(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.u = corporate_user("us")

    def fresh(self):
        self.assertEqual(request_reset(self.u["uid"]).status, 202)
        return link(self.u)[1]

    def assert_bad(self, r):
        self.assertEqual(r.status, 400, r.text)
        self.assertEqual(r.json()["error"]["field"], "token")

    def test_a_reused_token_is_400(self):
        token = self.fresh()
        self.assertEqual(confirm(token, NEW + "a").status, 200)
        self.assert_bad(confirm(token, NEW + "b"))

    def test_an_expired_token_is_400(self):
        token = self.fresh()
        sql("billgw_us", "UPDATE password_resets SET expires_at = "
            "expires_at - INTERVAL 31 MINUTE WHERE used_at IS NULL")
        self.assert_bad(confirm(token, NEW + "c"))

    def test_a_token_of_another_regions_user_is_400(self):
        token = self.fresh()
        self.assert_bad(confirm("ca." + token.split(".", 1)[1], NEW + "d"))
        self.assert_bad(confirm("eu" + token[2:], NEW + "d"))

    def test_a_made_up_token_is_400(self):
        self.assert_bad(confirm("us." + "A" * 43, NEW + "e"))
        self.assert_bad(confirm("us.short", NEW + "e"))
        r = http("GET", "/corporate/reset?token=us.nope")
        self.assertEqual(r.status, 400)
        self.assertIn("invalid or has expired", r.text)

    def test_a_new_request_invalidates_the_older_token(self):
        first = self.fresh()
        second = self.fresh()
        self.assertNotEqual(first, second)
        self.assert_bad(confirm(first, NEW + "f"))
        self.assertEqual(confirm(second, NEW + "f").status, 200)


class NothingLeaks(unittest.TestCase):

    def test_an_unknown_user_id_answers_byte_for_byte_the_same(self):
        u = corporate_user("us")
        known = request_reset(u["uid"])
        ghost = f"nobody-{RUN}@corp.example"
        unknown = request_reset(ghost)
        self.assertEqual((known.status, known.body),
                         (unknown.status, unknown.body))
        self.assertEqual(known.status, 202)
        for region in ("us", "ca", "eu", "apac"):
            self.assertEqual(sql(f"billgw_{region}", "SELECT COUNT(*) FROM "
                                 f"outbox WHERE body LIKE '%{ghost}%'"),
                             [["0"]])

    def test_the_link_comes_from_the_configuration_never_from_host(self):
        u = corporate_user("eu")
        request_reset(u["uid"], headers={"Host": "evil.example",
                                         "X-Forwarded-Host": "evil.example"})
        url, _ = link(u)
        self.assertTrue(url.startswith(
            conf_get("region.eu.corporate_portal_url")), url)
        self.assertNotIn("evil", json.dumps(mails(u)))


class BadInput(unittest.TestCase):

    def check(self, path, body, field, content_type="application/json"):
        r = http("POST", path, headers={"Content-Type": content_type},
                 body=body)
        self.assertEqual(r.status, 400, r.text)
        self.assertEqual(r.json()["error"].get("field"), field, r.text)

    def test_bad_user_ids(self):
        p = "/api/v1/password-reset"
        for uid in ("", "a" * 300, "ap\u0000x@corp.example",
                    "globex-ap-us\r\n", "a\nb@corp.example"):
            with self.subTest(uid=uid):
                self.check(p, {"user_id": uid}, "user_id")
        self.check(p, "user_id=%FF%FE", "user_id",
                   "application/x-www-form-urlencoded")

    def test_bad_passwords(self):
        u = corporate_user("apac")
        request_reset(u["uid"])
        _, token = link(u)
        p = "/api/v1/password-reset/confirm"
        self.check(p, {"token": token, "password": "p" * 11}, "password")
        self.check(p, {"token": token, "password": "p" * 129}, "password")
        self.check(p, {"token": token, "password": u["uid"].upper()},
                   "password")
        # None of those used the link up.
        self.assertEqual(confirm(token, NEW).status, 200)


if __name__ == "__main__":
    harness.main()
