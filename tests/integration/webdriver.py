"""A small W3C WebDriver client for the browser tests (standard library
only: urllib + json), driving Debian's headless Chromium through
/usr/bin/chromedriver.

    with webdriver.Browser() as b:          # chromedriver + one session
        b.get("http://127.0.0.1:8080/login")
        b.find("#identifier").send_keys("10045678")
        b.find("button[type=submit]").click()
        b.wait_for(lambda: b.current_url().endswith("/billing-center/"))
        print(b.find("h1").text, b.cookies())
        open("page.png", "wb").write(b.full_page_screenshot())

Browser() starts chromedriver on a free loopback port (its own log and
Chromium's profile in a fresh temporary directory) and opens a session;
close() -- also on leaving the with block, at interpreter exit, and on
SIGTERM (turned into KeyboardInterrupt while a Browser is open) -- ends the
session, stops chromedriver and kills, by pid, any process of the browser
that is still alive, then removes the directory.  Every HTTP call to
chromedriver has a timeout; so do page loads and scripts in the session.

The network here is closed: Chromium runs headless, without sandbox (we are
root), GPU, QUIC, first-run, background networking, component updates and
sync, with a fresh --user-data-dir.
"""

import atexit
import base64
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

# scripts/stack.py: the /proc walk and the free-port helper the stack uses.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__)))), "scripts"))
import stack  # noqa: E402

CHROMEDRIVER = "/usr/bin/chromedriver"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
    "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--window-size=1280,900",
]
ELEMENT = "element-6066-11e4-a52e-4f735466cecf"   # W3C web element key


class WebDriverError(Exception):
    """An error answer of chromedriver: .error is the W3C error code
    ("no such element", "timeout", ...)."""

    def __init__(self, error, message, method="", path=""):
        super().__init__(f"{method} {path}: {error}: {message}")
        self.error = error
        self.message = message


def _children():
    """{ppid: [pid, ...]} of the live processes."""
    tree = {}
    for pid, ppid, _ in stack.live_processes():
        tree.setdefault(ppid, []).append(pid)
    return tree


def descendants(pid):
    """The pids of the live descendants of pid."""
    tree, out, todo = _children(), [], [pid]
    while todo:
        for c in tree.get(todo.pop(), []):
            out.append(c)
            todo.append(c)
    return out


def _pids_using(path):
    """Live processes whose command line mentions path (our own profile
    directory: a Chromium that lost its parent)."""
    out = []
    needle = path.encode()
    for d in os.listdir("/proc"):
        if not d.isdigit() or int(d) == os.getpid():
            continue
        try:
            with open(f"/proc/{d}/cmdline", "rb") as f:
                if needle in f.read():
                    out.append(int(d))
        except OSError:
            continue
    return out


class Element:
    def __init__(self, browser, eid, selector):
        self.b = browser
        self.id = eid
        self.selector = selector

    def _path(self, what):
        return f"/element/{self.id}/{what}"

    def click(self):
        self.b.cmd("POST", self._path("click"), {})

    def send_keys(self, text):
        self.b.cmd("POST", self._path("value"), {"text": text})

    def clear(self):
        self.b.cmd("POST", self._path("clear"), {})

    @property
    def text(self):
        """The rendered text (as a person sees it)."""
        return self.b.cmd("GET", self._path("text"))

    def prop(self, name):
        """A DOM property, e.g. "value" of an input or a select."""
        return self.b.cmd("GET", self._path(f"property/{name}"))

    def attr(self, name):
        return self.b.cmd("GET", self._path(f"attribute/{name}"))

    def find(self, css):
        v = self.b.cmd("POST", self._path("element"),
                       {"using": "css selector", "value": css})
        return Element(self.b, v[ELEMENT], css)

    def find_all(self, css):
        v = self.b.cmd("POST", self._path("elements"),
                       {"using": "css selector", "value": css})
        return [Element(self.b, e[ELEMENT], css) for e in v]

    def __repr__(self):
        return f"<Element {self.selector!r}>"


_open = []          # Browsers not yet closed (for atexit and SIGTERM)
_old_sigterm = None


def _on_sigterm(signum, frame):
    # ctest's timeout sends SIGTERM: unwind like Ctrl-C, so that with
    # blocks, tearDown* and atexit close the browser.
    raise KeyboardInterrupt(f"signal {signum}")


def _close_all():
    for b in list(_open):
        b.close()


atexit.register(_close_all)


class Browser:
    """chromedriver + one Chromium session; see the module's doc."""

    def __init__(self, start_timeout=30.0, call_timeout=60.0,
                 page_load_ms=30000, script_ms=10000,
                 args=CHROMIUM_ARGS, keep_dir=False):
        global _old_sigterm
        self.call_timeout = call_timeout
        self.keep_dir = keep_dir
        self.dir = tempfile.mkdtemp(prefix="bgw-chrome-", dir="/tmp")
        self.profile = os.path.join(self.dir, "profile")
        self.log_path = os.path.join(self.dir, "chromedriver.log")
        self.proc = None
        self.session = None
        self.base = None
        _open.append(self)
        if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
            _old_sigterm = signal.signal(signal.SIGTERM, _on_sigterm)
        try:
            self._start_driver(start_timeout)
            caps = {
                "browserName": "chrome",
                "pageLoadStrategy": "normal",
                "timeouts": {"pageLoad": page_load_ms, "script": script_ms,
                             "implicit": 0},
                "goog:chromeOptions": {
                    "binary": CHROMIUM,
                    "args": list(args) + ["--user-data-dir=" + self.profile],
                },
            }
            v = self._call("POST", "/session",
                           {"capabilities": {"alwaysMatch": caps}})
            self.session = v["sessionId"]
            self.capabilities = v.get("capabilities", {})
        except BaseException:
            self.close()
            raise

    def _start_driver(self, timeout):
        last = None
        for _attempt in range(3):
            port = stack.free_port()
            with open(os.path.join(self.dir, "chromedriver.out"), "ab") as o:
                self.proc = subprocess.Popen(
                    [CHROMEDRIVER, f"--port={port}",
                     "--allowed-ips=127.0.0.1", f"--log-path={self.log_path}"],
                    stdin=subprocess.DEVNULL, stdout=o, stderr=o)
            self.base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and self.proc.poll() is None:
                try:
                    if self._call("GET", "/status", timeout=2).get("ready"):
                        return
                except (OSError, WebDriverError, ValueError) as e:
                    last = e
                time.sleep(0.1)
            self._stop_driver()
        raise RuntimeError(f"chromedriver did not become ready "
                           f"(last error: {last}); see {self.log_path}")

    # --- protocol ---------------------------------------------------------

    def _call(self, method, path, body=None, timeout=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(
            self.base + path, data=data, method=method,
            headers={"Content-Type": "application/json; charset=utf-8"})
        try:
            with urllib.request.urlopen(
                    req, timeout=timeout or self.call_timeout) as r:
                raw = r.read()
        except urllib.error.HTTPError as e:
            raw = e.read()
            try:
                v = json.loads(raw.decode("utf-8"))["value"]
                raise WebDriverError(v.get("error", str(e.code)),
                                     v.get("message", ""), method,
                                     path) from None
            except (ValueError, KeyError, TypeError, AttributeError):
                raise WebDriverError(str(e.code), raw[:300].decode(
                    "utf-8", "replace"), method, path) from None
        return json.loads(raw.decode("utf-8")).get("value")

    def cmd(self, method, path, body=None, timeout=None):
        """A command in this session: path relative to /session/{id}."""
        if self.session is None:
            raise RuntimeError("no session")
        return self._call(method, f"/session/{self.session}{path}", body,
                          timeout)

    # --- commands ---------------------------------------------------------

    def get(self, url):
        self.cmd("POST", "/url", {"url": url})

    def current_url(self):
        return self.cmd("GET", "/url")

    def title(self):
        return self.cmd("GET", "/title")

    def source(self):
        return self.cmd("GET", "/source")

    def find(self, css):
        """The first element matching css; WebDriverError "no such element"
        when there is none."""
        v = self.cmd("POST", "/element", {"using": "css selector",
                                          "value": css})
        return Element(self, v[ELEMENT], css)

    def find_all(self, css):
        v = self.cmd("POST", "/elements", {"using": "css selector",
                                           "value": css})
        return [Element(self, e[ELEMENT], css) for e in v]

    def cookies(self):
        """The cookies of the current page, as W3C cookie objects (name,
        value, path, domain, secure, httpOnly, sameSite, expiry)."""
        return self.cmd("GET", "/cookie")

    def delete_cookies(self):
        self.cmd("DELETE", "/cookie")

    def screenshot(self):
        """The viewport as PNG bytes."""
        return base64.b64decode(self.cmd("GET", "/screenshot"))

    def full_page_screenshot(self, max_height=8000):
        """The whole page as PNG bytes: the window is made as tall as the
        document for the shot, then given its size back."""
        rect = self.cmd("GET", "/window/rect")
        chrome, height = self.execute(
            "return [window.outerHeight - window.innerHeight,"
            " document.documentElement.scrollHeight];")
        want = min(max_height, max(rect["height"], height + chrome))
        if want == rect["height"]:
            return self.screenshot()
        self.cmd("POST", "/window/rect", {"width": rect["width"],
                                          "height": want})
        try:
            return self.screenshot()
        finally:
            self.cmd("POST", "/window/rect", {"width": rect["width"],
                                              "height": rect["height"]})

    def execute(self, script, *args):
        return self.cmd("POST", "/execute/sync", {"script": script,
                                                  "args": list(args)})

    def wait_for(self, pred, timeout=15.0, what="condition", interval=0.1):
        """Poll pred() until it returns a true value (returned).  A
        WebDriverError counts as false (e.g. "no such element" while a page
        loads).  AssertionError after timeout."""
        deadline = time.monotonic() + timeout
        last = None
        while True:
            try:
                v = pred()
                if v:
                    return v
            except WebDriverError as e:
                last = e
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{what}: not true after {timeout} s (at "
                    f"{self._url_or_none()}"
                    + (f"; last error: {last}" if last else "") + ")")
            time.sleep(interval)

    def _url_or_none(self):
        try:
            return self.current_url()
        except Exception:   # noqa: BLE001 - only for a message
            return None

    # --- teardown ---------------------------------------------------------

    def _stop_driver(self):
        p = self.proc
        if p is None:
            return
        # Collect the browser's processes before chromedriver goes: once it
        # has, they are reparented and no longer found by ancestry.
        left = descendants(p.pid)
        if p.poll() is None:
            p.terminate()
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(10)
        left = set(left) | set(descendants(p.pid))
        left |= set(_pids_using(self.profile))
        for pid in left:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_alive(q) for q in left):
            time.sleep(0.05)
        self.proc = None

    def close(self):
        """End the session, stop chromedriver, kill leftovers, remove the
        directory.  Idempotent; never raises for what is already gone."""
        global _old_sigterm
        old = signal.pthread_sigmask(signal.SIG_BLOCK,
                                     {signal.SIGINT, signal.SIGTERM})
        try:
            if self.session is not None and self.proc is not None \
                    and self.proc.poll() is None:
                try:
                    self._call("DELETE", f"/session/{self.session}",
                               timeout=20)
                except (OSError, WebDriverError, ValueError):
                    pass
            self.session = None
            self._stop_driver()
            if self.keep_dir or os.environ.get("BILLGW_KEEP"):
                pass
            elif os.path.isdir(self.dir):
                shutil.rmtree(self.dir, ignore_errors=True)
            if self in _open:
                _open.remove(self)
            if not _open and _old_sigterm is not None:
                signal.signal(signal.SIGTERM, _old_sigterm)
                _old_sigterm = None
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, old)

    def log_tail(self, n=40):
        """The last lines of chromedriver's log (for failure messages)."""
        try:
            with open(self.log_path, errors="replace") as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return ""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


def _alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False
