"""Hostile requests through nginx (issue 6, item 3; SPEC sections 3, 4, 5,
7, 9): every row of badreq_table.ROWS gets its 4xx, never a 5xx; no worker
crashes or is replaced; and the suite's marker password and tokens end up
in no log, table or file of the stack.

The requests are written on a raw socket, byte for byte as the table says
(http.client refuses most of them).  The rows run in the table's order in
one test, each a subTest named by its row; then the pool's scoreboard is
compared with the one from before the table; then every file under the
stack's var directory and the security tables of every region are searched
for the markers."""

import base64
import hashlib
import hmac
import json
import os
import re
import secrets
import socket
import stat
import tempfile
import time
import unittest

import harness
from harness import REGIONS, ctl, http, sql

import badreq_table
from badreq_table import ROWS, UNSET

RUN = secrets.token_hex(4)
# The marker password: a valid-looking password (and a valid-looking client
# ID, for the row that types it into the identifier field).
MARKER_PW = f"Marker-Pass-{secrets.token_hex(8)}"
# The marker password-reset token: the shape of a real one.
MARKER_RTOK = "us." + base64.urlsafe_b64encode(
    secrets.token_bytes(32)).rstrip(b"=").decode()
MARKER_JTI = f"marker-jti-{secrets.token_hex(12)}"
ACCOUNT_PW = f"Badreq-Account-{RUN}!"   # the real account's; not a marker
SESSION_COOKIE = "__Host-billgw_session"
SANITIZER = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
             "runtime error:")


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def jwt(header, claims, secret, alg=hashlib.sha256):
    msg = (b64(json.dumps(header).encode()) + "." +
           b64(json.dumps(claims).encode()))
    sig = hmac.new(secret, msg.encode(), alg).digest() if secret else b""
    return msg + "." + b64(sig)


# --- raw HTTP -----------------------------------------------------------------

class Answer:
    def __init__(self, status, reason, headers, body, error=None):
        self.status = status
        self.reason = reason
        self.headers = headers          # [(lower-case name, value)]
        self.body = body
        self.error = error

    def header(self, name):
        for k, v in self.headers:
            if k == name:
                return v
        return None

    def summary(self):
        if self.status is None:
            return f"no answer ({self.error})"
        hdrs = ", ".join(f"{k}: {v[:80]}" for k, v in self.headers
                         if k in ("content-type", "allow",
                                  "www-authenticate", "location"))
        return (f"{self.status} {self.reason} [{hdrs}] "
                f"{self.body[:300]!r}")


def _dechunk(body):
    out, rest = b"", body
    while rest:
        size_line, sep, rest = rest.partition(b"\r\n")
        if not sep:
            break
        try:
            n = int(size_line.split(b";")[0], 16)
        except ValueError:
            return body
        if n == 0:
            break
        out, rest = out + rest[:n], rest[n + 2:]
    return out


def send_raw(data, source=None, timeout=30.0):
    """Write data on a new connection to nginx, read until nginx closes;
    returns an Answer (status None when nothing parseable came back)."""
    host, port = harness._split_url(harness.URL)
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(timeout)
    got, error = b"", None
    try:
        if source:
            s.bind((source, 0))
        s.connect((host, port))
        try:
            s.sendall(data)
        except (BrokenPipeError, ConnectionResetError) as e:
            error = f"send: {e}"     # nginx answered early (413): read on
        while True:
            try:
                chunk = s.recv(65536)
            except ConnectionResetError as e:
                error = f"recv: {e}"
                break
            if not chunk:
                break
            got += chunk
    except OSError as e:
        error = f"{type(e).__name__}: {e}"
    finally:
        s.close()
    head, sep, body = got.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    m = re.match(r"HTTP/1\.[01] (\d{3}) ?(.*)", lines[0]) if got else None
    if not m or not sep:
        return Answer(None, "", [], got, error or f"unparseable: {got[:200]!r}")
    headers = []
    for ln in lines[1:]:
        k, _, v = ln.partition(":")
        headers.append((k.strip().lower(), v.strip()))
    a = Answer(int(m.group(1)), m.group(2), headers, body, error)
    if (a.header("transfer-encoding") or "").lower() == "chunked":
        a.body = _dechunk(body)
    return a


def _bytes(v):
    return v if isinstance(v, bytes) else v.encode("utf-8")


def build_request(r, subst):
    """The bytes of row r with its placeholders replaced."""
    if r["raw"] is not None:
        return subst(r["raw"])
    method, path = subst(_bytes(r["method"])), subst(_bytes(r["path"]))
    body = subst(_bytes(r["body"]))
    out = method + b" " + path + b" HTTP/1.1\r\nHost: localhost\r\n"
    out += b"Connection: close\r\n"
    names = set()
    for k, v in r["headers"]:
        k, v = _bytes(k), subst(_bytes(v))
        names.add(k.lower())
        out += k + b": " + v + b"\r\n"
    if (body and r["cl"] and b"content-length" not in names
            and b"transfer-encoding" not in names):
        out += b"Content-Length: %d\r\n" % len(body)
    return out + b"\r\n" + body


# --- the pool's log -------------------------------------------------------------

def pool_log_path():
    return os.path.join(harness.VAR, "log", "billgw.log")


def pool_log_size():
    try:
        return os.path.getsize(pool_log_path())
    except OSError:
        return 0


def pool_log_since(offset):
    try:
        with open(pool_log_path(), "rb") as f:
            f.seek(offset)
            return f.read().decode("utf-8", "replace")
    except OSError:
        return ""


# --- searching files ------------------------------------------------------------

def scan_file(path, needles, chunk=1 << 20):
    """[(needle, offset, context)] of every needle (bytes, matched without
    regard to ASCII case) found in the file at path, read in chunks."""
    low = [(n, n.lower()) for n in needles]
    keep = max(len(n) for n in needles) - 1
    found, pos, tail = [], 0, b""
    with open(path, "rb") as f:
        while True:
            data = f.read(chunk)
            if not data:
                break
            buf = tail + data
            lbuf = buf.lower()
            for n, ln in low:
                i = lbuf.find(ln)
                if i >= 0 and not any(x[0] == n for x in found):
                    at = pos - len(tail) + i
                    found.append((n, at, buf[max(0, i - 120):i + len(n)
                                             + 60]))
            tail = buf[-keep:] if keep > 0 else b""
            pos += len(data)
    return found


def scan_tree(root, needles):
    """{path: [(needle, offset, context)]} over the regular files under
    root (sockets, FIFOs and symlinks skipped)."""
    hits = {}
    for d, dirs, files in os.walk(root):
        for name in files:
            p = os.path.join(d, name)
            try:
                st = os.lstat(p)
            except OSError:
                continue
            if not stat.S_ISREG(st.st_mode):
                continue
            try:
                found = scan_file(p, needles)
            except OSError:
                continue        # a file that went away meanwhile
            if found:
                hits[p] = found
    return hits


class BadRequests(unittest.TestCase):
    """One test per step, run in order: the table, the pool afterwards,
    the markers."""

    @classmethod
    def setUpClass(cls):
        # A real account, so that one row tries a real identifier with the
        # marker password (and reaches argon2id and the audit log).
        number = f"59{RUN[:6].translate(str.maketrans('abcdef', '123456'))}"
        cls.client_id = f"badreq{RUN}-main"
        for args in (["account", "add", "--region", "us", "--number", number,
                      "--company", f"Badreq Co {number}"],
                     ["user", "add", "--region", "us", "--account", number,
                      "--client-id", cls.client_id, "--name", "Main Contact",
                      "--email", f"badreq-{RUN}@example.com", "--main"]):
            r = ctl(args, stdin=ACCOUNT_PW + "\n")
            assert r.returncode == 0, (args, r.stdout, r.stderr)
        # Its real session, to shape the marker tokens like real ones.
        r = http("POST", "/api/v1/session", body={
            "region": "us", "identifier": cls.client_id,
            "password": ACCOUNT_PW})
        assert r.status == 200, r
        h, p, _ = r.json()["token"].split(".")
        header, claims = json.loads(unb64(h)), json.loads(unb64(p))
        with open(os.path.join(harness.VAR, "session.keys")) as f:
            kid, secret = f.readline().split()
        assert header.get("kid") == kid, (header, kid)
        marker_claims = dict(claims, jti=MARKER_JTI)
        cls.tok = jwt(header, marker_claims, secrets.token_bytes(32))
        cls.stok = jwt(header, dict(marker_claims,
                                    sv=int(claims.get("sv", 0)) + 1000),
                       secret.encode())
        cls.none = jwt(dict(header, alg="none"), marker_claims, None)
        cls.markers = {
            "password": MARKER_PW,
            "reset token": MARKER_RTOK,
            "reset token secret": MARKER_RTOK.split(".", 1)[1],
            "token": cls.tok,
            "token signature": cls.tok.rsplit(".", 1)[1],
            "signed token": cls.stok,
            "signed token signature": cls.stok.rsplit(".", 1)[1],
            "alg-none token": cls.none,
            "jti": MARKER_JTI,
        }
        cls.restarts_before = harness.status()["restarts"]
        cls.pids_before = sorted(harness.worker_pids())
        cls.log_offset = pool_log_size()

    # --- the table -----------------------------------------------------------

    def subst_for(self, index, csrf=None):
        values = {b"{PW}": MARKER_PW, b"{TOK}": self.tok,
                  b"{STOK}": self.stok, b"{NONE}": self.none,
                  b"{RTOK}": MARKER_RTOK, b"{ACCT}": self.client_id,
                  b"{UNK}": f"nobody{RUN}r{index}",
                  b"{CSRF}": csrf or "no-csrf"}

        def subst(data):
            for k, v in values.items():
                data = data.replace(k, v.encode())
            return data
        return subst

    def csrf_pair(self):
        """(Cookie header value, form token) from a fresh GET /login."""
        r = http("GET", "/login")
        self.assertEqual(r.status, 200, f"GET /login for a CSRF token: {r}")
        jar = "; ".join(c.split(";", 1)[0]
                        for c in r.headers.get_all("Set-Cookie") or [])
        m = re.search(r'name="csrf" value="([^"]+)"', r.text)
        self.assertTrue(m, "no CSRF token in GET /login")
        return jar, m.group(1)

    def check_row(self, index, r):
        """Send row r; returns a list of what is wrong (empty: the row
        passes)."""
        csrf = None
        row = r
        if r["csrf"]:
            jar, csrf = self.csrf_pair()
            row = dict(r, headers=list(r["headers"]) + [("Cookie", jar)])
        data = build_request(row, self.subst_for(index, csrf))
        crash_before = harness.status()["restarts"]
        log_at = pool_log_size()
        a = send_raw(data, source=r["source"])
        wrong = []
        if a.status is None:
            wrong.append("no HTTP answer")
        elif a.status >= 500:
            wrong.append(f"a 5xx ({a.status})")
        if a.status != r["status"]:
            wrong.append(f"status {a.status}, want {r['status']}")
        ctype = (a.header("content-type") or "").lower()
        if r["kind"] == "json" and a.status is not None:
            try:
                err = json.loads(a.body.decode("utf-8"))["error"]
                if not isinstance(err, dict):
                    raise TypeError("error is not an object")
            except (ValueError, KeyError, TypeError) as e:
                wrong.append(f"not the JSON error envelope ({e})")
                err = None
            if "json" not in ctype:
                wrong.append(f"Content-Type {ctype!r}, want JSON")
            if err is not None:
                if r["code"] is not UNSET and err.get("code") != r["code"]:
                    wrong.append(f"error.code {err.get('code')!r}, want "
                                 f"{r['code']!r}")
                if (r["field"] is not UNSET
                        and err.get("field") != r["field"]):
                    wrong.append(f"error.field {err.get('field')!r}, want "
                                 f"{r['field']!r}")
        elif r["kind"] == "html" and not ctype.startswith("text/html"):
            wrong.append(f"Content-Type {ctype!r}, want an HTML page")
        elif r["kind"] == "empty" and a.body:
            wrong.append(f"a body on HEAD: {a.body[:80]!r}")
        if r["allow"] is not None and a.header("allow") != r["allow"]:
            wrong.append(f"Allow {a.header('allow')!r}, want "
                         f"{r['allow']!r}")
        if r["contains"] and r["contains"].encode() not in a.body:
            wrong.append(f"the body lacks {r['contains']!r}")
        echoed = a.body + "".join(f"{k}: {v}\n"
                                  for k, v in a.headers).encode("latin-1")
        for what, m in self.markers.items():
            if m.encode() in echoed:
                wrong.append(f"the answer echoes the marker {what}")
        reports = [ln for ln in pool_log_since(log_at).splitlines()
                   if any(p in ln for p in SANITIZER)]
        if reports:
            wrong.append("sanitizer report in the pool's log: "
                         + " | ".join(reports[:5]))
        crash_after = harness.status()["restarts"]
        if crash_after != crash_before:
            wrong.append(f"the pool's restarts went {crash_before} -> "
                         f"{crash_after}")
        return a, data, wrong

    def test_1_every_row_gets_its_4xx(self):
        failed = []
        for index, r in enumerate(ROWS):
            with self.subTest(row=r["name"]):
                a, data, wrong = self.check_row(index, r)
                if wrong:
                    sent = data[:160] + (b"..." if len(data) > 160 else b"")
                    msg = (f"row {r['name']!r}: " + "; ".join(wrong) +
                           f"\n  sent: {sent!r} ({len(data)} bytes)"
                           f"\n  got:  {a.summary()}")
                    if r["bug"]:
                        msg += f"\n  known defect: {r['bug']}"
                    failed.append(r["name"])
                    self.fail(msg)
        if failed:
            print(f"\n{len(failed)} of {len(ROWS)} rows failed: "
                  + ", ".join(failed), flush=True)

    def test_1a_the_table_is_big_and_every_row_a_4xx(self):
        self.assertGreaterEqual(len(ROWS), 60)
        names = [r["name"] for r in ROWS]
        self.assertEqual(len(names), len(set(names)), "duplicate row names")
        for r in ROWS:
            self.assertTrue(400 <= r["status"] <= 499, r["name"])
            self.assertIn(r["kind"], ("json", "html", "nginx", "empty"),
                          r["name"])

    # --- afterwards -----------------------------------------------------------

    def test_2_no_worker_crashed_or_was_replaced(self):
        self.assertEqual(http("GET", "/healthz").status, 200)
        after = harness.status()
        self.assertEqual(after["restarts"], self.restarts_before,
                         "the pool's restart counters changed during the "
                         "table")
        self.assertEqual(sorted(harness.worker_pids()), self.pids_before,
                         "the pool's workers are not the ones from before "
                         "the table")
        reports = [ln for ln in pool_log_since(self.log_offset).splitlines()
                   if any(p in ln for p in SANITIZER)]
        self.assertEqual(reports, [], "sanitizer reports in the pool's log")

    def test_3a_the_file_search_finds_a_planted_marker(self):
        # The search itself works: a marker across a chunk boundary, in
        # another case.
        with tempfile.TemporaryDirectory(prefix="bgw-bq-") as d:
            with open(os.path.join(d, "f"), "wb") as f:
                f.write(b"x" * ((1 << 20) - 5) + MARKER_PW.upper().encode())
            os.mkfifo(os.path.join(d, "fifo"))
            hits = scan_tree(d, [MARKER_PW.encode()])
            self.assertEqual(list(hits), [os.path.join(d, "f")])

    def test_3b_no_marker_in_any_file_of_the_var_directory(self):
        # nginx buffers its access log for up to a second: let it reach
        # the file before looking.
        time.sleep(1.5)
        needles = {m.encode(): what for what, m in self.markers.items()}
        hits = scan_tree(harness.VAR, list(needles))
        msg = []
        for path, found in sorted(hits.items()):
            for n, at, ctx in found:
                msg.append(f"{os.path.relpath(path, harness.VAR)}: the "
                           f"marker {needles[n]} at byte {at}: {ctx!r}")
        if msg:
            self.fail(f"markers found under {harness.VAR}:\n"
                      + "\n".join(msg))

    def test_3c_no_marker_in_the_security_tables(self):
        queries = {
            "audit_log": "SELECT CONCAT_WS('|', actor, event, outcome, "
                         "client_addr, request_id) FROM audit_log",
            "outbox": "SELECT CONCAT_WS('|', to_addr, subject, body) "
                      "FROM outbox",
            "password_resets": "SELECT CONCAT_WS('|', HEX(token_hash), "
                               "user_id) FROM password_resets",
            "signin_throttle": "SELECT HEX(key_hash) FROM signin_throttle",
        }
        msg = []
        for region in REGIONS:
            for table, q in queries.items():
                rows = sql(f"billgw_{region}", q)
                text = "\n".join("\t".join(r) for r in rows).lower()
                for what, m in self.markers.items():
                    for form in (m.lower(), m.encode().hex()):
                        if form in text:
                            msg.append(f"billgw_{region}.{table}: the "
                                       f"marker {what}")
        # The attempt with the real account is in the audit log, without
        # the password.
        n = sql("billgw_us", "SELECT COUNT(*) FROM audit_log WHERE "
                "account_id = (SELECT account_id FROM users WHERE "
                f"client_id = '{self.client_id}') AND outcome = 'invalid'")
        if msg:
            self.fail("markers found in tables:\n" + "\n".join(msg))
        self.assertGreaterEqual(int(n[0][0]), 1,
                                "the real account's failed sign-in is not "
                                "in the audit log")


if __name__ == "__main__":
    harness.main()
