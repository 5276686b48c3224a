"""Helpers for billgw's integration tests (standard library only).

The tests run against the stack that `scripts/dev test` starts, whose
addresses arrive in the environment:

    BILLGW_URL           nginx in front of the stack's pool, http://127.0.0.1:PORT
    BILLGW_VAR           the stack's var directory (logs in BILLGW_VAR/log/)
    BILLGW_CONF          the configuration the pool runs with
    BILLGW_BUILD         the build directory (billgw, billgwctl)
    BILLGW_SRC           the source tree
    BILLGW_MYSQL_SOCKET  the private MariaDB's unix socket (user billgw, or root)

What is here:

    http(method, path, headers=, body=, source_addr=, url=) -> Response
        one HTTP request through nginx; never raises on 4xx/5xx.  A Response
        unpacks as (status, headers, body) and has .json() and .text.
    status(url=None), worker_pids(url=None), metrics(url=None)
        the pool's /status JSON, its workers' pids, /metrics parsed.
    parse_metrics(text)   Prometheus text -> {(name, labels): value}; raises
                          ValueError on a malformed line.
    conf_get("section.key"), conf_set(text, "section.key", value),
    conf_del(text, "section.key"), conf_with({"section.key": value})
    base_conf()           the running stack's configuration text.
    Stack()               an isolated pool + nginx pair for destructive tests
                          (kill -9, SIGTERM, SIGHUP, bad configs): see its doc.
    FcgiClient(address)   a FastCGI client that can send a request partially
                          and finish it later, to hold a worker busy.
    wait_until(pred, timeout, what)
    ctl(args, conf=None, stdin=None) -> CompletedProcess of billgwctl.
    sql(db, query)        rows of a query, as MariaDB's root.
    main()                unittest.main with verbosity; a failure exits 1.
"""

import http.client as httpclient
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import unittest


def _env(name):
    v = os.environ.get(name)
    if not v:
        # Not a skip: a test that silently does nothing must not pass.
        sys.exit(f"harness: {name} is not set; run the integration tests "
                 f"through `scripts/dev test` (it starts the stack and "
                 f"exports BILLGW_URL, BILLGW_CONF, ...)")
    return v


URL = _env("BILLGW_URL").rstrip("/")
VAR = _env("BILLGW_VAR")
CONF = _env("BILLGW_CONF")
BUILD = _env("BILLGW_BUILD")
SRC = _env("BILLGW_SRC")
MYSQL_SOCKET = _env("BILLGW_MYSQL_SOCKET")

sys.path.insert(0, os.path.join(SRC, "scripts"))
import stack as _stack  # noqa: E402  (scripts/stack.py)

REGIONS = _stack.REGIONS
free_port = _stack.free_port
nginx_upstream = _stack.nginx_upstream   # "unix:/path" for a listen value


# --- HTTP ---------------------------------------------------------------------

class Response:
    """status (int), headers (http.client.HTTPMessage: case-insensitive
    .get(), .get_all()), body (bytes).  Unpacks as (status, headers, body)."""

    def __init__(self, status, reason, headers, body):
        self.status = status
        self.reason = reason
        self.headers = headers
        self.body = body

    def __iter__(self):
        return iter((self.status, self.headers, self.body))

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.body.decode("utf-8"))

    def __repr__(self):
        return f"<Response {self.status} {self.body[:200]!r}>"


def _split_url(url):
    m = re.fullmatch(r"http://([^/:]+|\[[^\]]+\]):(\d+)/?", url or URL)
    if not m:
        raise ValueError(f"{url}: want http://HOST:PORT")
    return m.group(1).strip("[]"), int(m.group(2))


def http(method, path, headers=None, body=None, source_addr=None, url=None,
         timeout=15.0):
    """One request on a new connection; returns a Response whatever the
    status.  body may be bytes, str or a dict/list (sent as JSON with
    Content-Type: application/json unless headers say otherwise).
    source_addr: the local address to connect from (e.g. "127.0.0.2", to
    look like a non-local client to nginx's allow/deny rules)."""
    host, port = _split_url(url)
    headers = dict(headers or {})
    if isinstance(body, (dict, list)):
        body = json.dumps(body).encode()
        headers.setdefault("Content-Type", "application/json")
    elif isinstance(body, str):
        body = body.encode()
    conn = httpclient.HTTPConnection(
        host, port, timeout=timeout,
        source_address=(source_addr, 0) if source_addr else None)
    try:
        conn.request(method, path, body=body, headers=headers)
        r = conn.getresponse()
        return Response(r.status, r.reason, r.headers, r.read())
    finally:
        conn.close()


def get_json(path, url=None):
    r = http("GET", path, url=url)
    if r.status != 200:
        raise AssertionError(f"GET {path}: {r.status} {r.body[:300]!r}")
    return r.json()


def status(url=None):
    """The pool's /status document."""
    return get_json("/status", url)


def worker_pids(url=None, states=None):
    """The pids of the pool's workers (optionally only those in states,
    e.g. {"idle"})."""
    return [p["pid"] for p in status(url)["processes"]
            if states is None or p["state"] in states]


_SAMPLE = re.compile(
    r'([a-zA-Z_:][a-zA-Z0-9_:]*)'                      # name
    r'(?:\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*"'
    r'(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*")*,?)?)\})?'  # labels
    r' ([-+]?(?:[0-9.]+(?:[eE][-+]?[0-9]+)?|NaN|Inf))'  # value
    r'(?: -?[0-9]+)?')                                  # timestamp
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\.)*)"')


def parse_metrics(text):
    """Prometheus text exposition format 0.0.4 -> {(name, frozenset of
    (label, value)): float}.  Every line is a comment (# HELP / # TYPE ...)
    or a sample; every sampled metric family has a HELP and a TYPE line
    before its samples.  Raises ValueError naming the bad line."""
    samples, helps, types = {}, set(), {}
    for n, line in enumerate(text.split("\n"), 1):
        if not line:
            continue
        if line.startswith("#"):
            parts = line.split(None, 3)
            if len(parts) >= 3 and parts[1] == "HELP":
                helps.add(parts[2])
            elif len(parts) >= 4 and parts[1] == "TYPE":
                if parts[3] not in ("counter", "gauge", "histogram",
                                    "summary", "untyped"):
                    raise ValueError(f"line {n}: bad TYPE: {line!r}")
                types[parts[2]] = parts[3]
            continue
        m = _SAMPLE.fullmatch(line)
        if not m:
            raise ValueError(f"line {n}: not a sample: {line!r}")
        name, labels = m.group(1), frozenset(_LABEL.findall(m.group(2) or ""))
        family = re.sub(r"_(bucket|sum|count|total)$", "", name)
        if not ({name, family} & set(types)) or not ({name, family} & helps):
            raise ValueError(f"line {n}: {name} has no # HELP / # TYPE "
                             f"before it")
        if (name, labels) in samples:
            raise ValueError(f"line {n}: duplicate sample {name}{{...}}")
        samples[(name, labels)] = float(m.group(3))
    return samples


def metric(samples, name, **labels):
    """The value of one sample in parse_metrics' result, or None."""
    return samples.get((name, frozenset(labels.items())))


def metrics(url=None):
    r = http("GET", "/metrics", url=url)
    if r.status != 200:
        raise AssertionError(f"GET /metrics: {r.status} {r.body[:300]!r}")
    return parse_metrics(r.text)


def wait_until(pred, timeout=10.0, what="condition", interval=0.05):
    """Poll pred() until it returns a true value (returned); AssertionError
    after timeout."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        try:
            v = pred()
            if v:
                return v
        except (OSError, AssertionError, ValueError, KeyError) as e:
            last = e
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not true after {timeout} s"
                                 + (f" (last error: {last})" if last else ""))
        time.sleep(interval)


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie is dead for our purposes.
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


# --- configuration text -------------------------------------------------------

def base_conf():
    """The text of the configuration the main stack runs with."""
    with open(CONF) as f:
        return f.read()


def conf_get(dotted, text=None):
    """The value of "section.key" in base_conf() (or text), inline comment
    dropped; None when absent."""
    section, key = _split_key(dotted)
    cp = _stack.conf_read(base_conf() if text is None else text)
    if not cp.has_option(section, key):
        return None
    return cp[section][key].strip()


def _split_key(dotted):
    section, _, key = dotted.rpartition(".")
    if not section or not key:
        raise ValueError(f"{dotted}: want SECTION.KEY, e.g. gateway.workers "
                         f"or region.eu.dsn")
    return section, key


def _section_bounds(lines, section):
    """(header index, end index) of [section] in lines, or None."""
    start = None
    for i, line in enumerate(lines):
        m = re.match(r"\s*\[([^\]]+)\]", line)
        if m:
            if start is not None:
                return start, i
            if m.group(1).strip() == section:
                start = i
    return (start, len(lines)) if start is not None else None


def conf_set(text, dotted, value):
    """text with [section] key = value (replaced, or added to the section,
    or a new section at the end)."""
    section, key = _split_key(dotted)
    lines = text.split("\n")
    b = _section_bounds(lines, section)
    if b is None:
        return text.rstrip("\n") + f"\n\n[{section}]\n{key} = {value}\n"
    for i in range(b[0] + 1, b[1]):
        if re.match(rf"\s*{re.escape(key)}\s*[=:]", lines[i]):
            lines[i] = f"{key} = {value}"
            return "\n".join(lines)
    lines.insert(b[0] + 1, f"{key} = {value}")
    return "\n".join(lines)


def conf_del(text, dotted):
    """text without [section] key (or without the whole [section] when
    dotted is "section." + "*")."""
    section, key = _split_key(dotted)
    lines = text.split("\n")
    b = _section_bounds(lines, section)
    if b is None:
        return text
    if key == "*":
        del lines[b[0]:b[1]]
        return "\n".join(lines)
    lines = [ln for i, ln in enumerate(lines)
             if not (b[0] < i < b[1]
                     and re.match(rf"\s*{re.escape(key)}\s*[=:]", ln))]
    return "\n".join(lines)


def conf_with(overrides, text=None):
    """base_conf() (or text) with {"section.key": value} applied; a value of
    None deletes the key."""
    text = base_conf() if text is None else text
    for k, v in overrides.items():
        text = conf_del(text, k) if v is None else conf_set(text, k, v)
    return text


def ctl(args, conf=None, stdin=None, timeout=120):
    """billgwctl --config CONF ARGS; returns the CompletedProcess (text)."""
    return subprocess.run([os.path.join(BUILD, "billgwctl"), "--config",
                           conf or CONF] + list(args),
                          input=stdin, capture_output=True, text=True,
                          timeout=timeout)


def sql(db, query):
    """Rows of query in database db, as MariaDB's root over the stack's
    socket; each row a list of strings."""
    p = subprocess.run(["mariadb", "--socket=" + MYSQL_SOCKET, "-uroot",
                        "-N", "-B", "-e", query, db], capture_output=True,
                       text=True, timeout=60, check=True)
    return [line.split("\t") for line in p.stdout.splitlines()]


# --- an isolated pool + nginx -------------------------------------------------

class Stack:
    """A pool and an nginx of a test's own, on the main stack's MariaDB.

        with harness.Stack() as s:
            s.start_pool(overrides={"gateway.workers": 2})
            s.start_nginx()
            r = s.http("GET", "/readyz")
            os.kill(s.worker_pids()[0], signal.SIGKILL)
            ...
            s.signal_pool(signal.SIGTERM); rc = s.wait_pool_exit(15)

    Its files live in a short directory under /tmp (dir): billgw.conf,
    run/billgw.sock (the pool's listen socket, unless the config says
    otherwise), log/billgw.log (the pool's stderr), nginx.conf and
    log/nginx-error.log.  stop() (also on leaving the with block) stops
    nginx and the pool, fails the test if a sanitizer reported in the
    pool's log (check_sanitizers=False for tests that crash it on purpose),
    and removes dir (kept when BILLGW_KEEP is set).
    """

    def __init__(self, name="iso", check_sanitizers=True):
        self.dir = tempfile.mkdtemp(prefix=f"bgw-{name[:6]}-", dir="/tmp")
        self.paths = _stack.make_var(self.dir)
        self.conf_path = self.paths["conf"]
        self.sock = self.paths["pool_sock"]
        self.pool_log_path = self.paths["pool_log"]
        self.check_sanitizers = check_sanitizers
        self.pool = None
        self.nginx = None
        self.port = None
        self.url = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop(raise_on_report=exc[0] is None)
        return False

    # configuration

    def conf_text(self, overrides=None, text=None):
        """The main stack's config (or text) with this stack's own listen
        socket and the overrides ({"section.key": value or None})."""
        text = base_conf() if text is None else text
        text = conf_set(text, "gateway.listen", "unix:" + self.sock)
        # No sign-in lane unless a test asks for one (at its own path:
        # self.paths["signin_sock"]), so that worker counts mean one lane.
        text = conf_del(text, "gateway.signin_listen")
        return conf_with(overrides or {}, text)

    def write_conf(self, text):
        """Write the config the pool reads (at start and at SIGHUP)."""
        _stack.write_private(self.conf_path, text)
        return self.conf_path

    def check(self, text=None):
        """billgw --check --config on text (default: the current file);
        returns (exit status, output)."""
        path = self.conf_path
        if text is not None:
            path = os.path.join(self.dir, "check.conf")
            _stack.write_private(path, text)
        r = subprocess.run([os.path.join(BUILD, "billgw"), "--check",
                            "--config", path], capture_output=True,
                           text=True, timeout=60)
        return r.returncode, r.stdout + r.stderr

    # the pool

    def start_pool(self, conf_text=None, overrides=None, wait=True,
                   env=None, timeout=60.0):
        """Write the config (conf_text as is, or conf_text(overrides)) and
        start `billgw --config` with its stderr in log/billgw.log.  With
        wait, returns once its listen socket accepts connections."""
        if conf_text is None:
            conf_text = self.conf_text(overrides)
        self.write_conf(conf_text)
        if wait:
            self.pool = _stack.pool_start(BUILD, self.conf_path,
                                          self.pool_log_path, env=env,
                                          timeout=timeout)
        else:
            self.pool = _stack.Proc("billgw", [os.path.join(BUILD, "billgw"),
                                               "--config", self.conf_path],
                                    self.pool_log_path, env=env)
        return self.pool

    @property
    def pool_pid(self):
        return self.pool.pid if self.pool else None

    def signal_pool(self, sig):
        self.pool.send(sig)

    def reload(self, conf_text=None):
        """Optionally rewrite the config, then SIGHUP the master."""
        if conf_text is not None:
            self.write_conf(conf_text)
        self.signal_pool(signal.SIGHUP)

    def wait_pool_exit(self, timeout=30.0):
        """The master's exit status (negative: killed by that signal), or
        None if it is still running after timeout."""
        return self.pool.wait(timeout)

    def pool_log(self):
        try:
            with open(self.pool_log_path, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def wait_log(self, pattern, timeout=10.0):
        """Wait until the pool's log matches the regex; returns the match."""
        rx = re.compile(pattern)
        return wait_until(lambda: rx.search(self.pool_log()), timeout,
                          f"pool log matching {pattern!r}")

    def pool_processes(self):
        """Pids of the master's live child processes, from /proc (works
        without nginx and while the scoreboard is unreachable)."""
        return _stack.children(self.pool_pid)

    def all_workers(self, n, timeout=10.0):
        """pool_processes() once there are n of them.  start_pool() returns
        when the socket accepts, which can be before the master has forked
        every worker."""
        wait_until(lambda: len(self.pool_processes()) == n, timeout,
                   f"{n} workers forked")
        return self.pool_processes()

    # nginx

    def start_nginx(self, port=None, upstream=None, health="/healthz",
                    **nginx_opts):
        """Render conf/nginx.conf.in for this stack (upstream: the pool's
        listen address by default) and start nginx on port (default: a free
        one).  nginx_opts: keep_conn ("on"/"off"), keepalive, signin_rate,
        signin_burst, pool_workers (default: this stack's config).
        Returns the URL."""
        gw = _stack.conf_read(self.conf_path)["gateway"] \
            if os.path.exists(self.conf_path) else None
        if upstream is None:
            upstream = _stack.nginx_upstream(gw["listen"].strip())
        if gw is not None and "workers" in gw:
            nginx_opts.setdefault("pool_workers", int(gw["workers"]))
        if gw is not None:
            nginx_opts.setdefault("signin_upstream",
                                  _stack.signin_upstream(gw))
        for attempt in range(3):
            self.port = port or free_port()
            _stack.render_nginx_conf(SRC, self.dir, self.port, upstream,
                                     **nginx_opts)
            try:
                self.nginx = _stack.nginx_start(self.dir, self.port,
                                                health=health)
                break
            except _stack.StackError:
                if port or attempt == 2:
                    raise
        self.url = f"http://127.0.0.1:{self.port}"
        return self.url

    def http(self, method, path, **kw):
        return http(method, path, url=self.url, **kw)

    def status(self):
        return status(self.url)

    def worker_pids(self, states=None):
        return worker_pids(self.url, states)

    def metrics(self):
        return metrics(self.url)

    def fcgi(self):
        """A FastCGI client connected straight to this pool's socket."""
        return FcgiClient("unix:" + self.sock)

    # teardown

    def sanitizer_reports(self):
        return [ln for ln in self.pool_log().splitlines()
                if any(p in ln for p in _stack.SANITIZER_PATTERNS)]

    def stop(self, raise_on_report=True):
        # A Ctrl-C (scripts/dev test sends SIGINT when it is stopped) waits
        # until this is done, so no directory or process is left behind.
        old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            if self.nginx:
                self.nginx.stop(signal.SIGTERM, 10)
                self.nginx = None
            if self.pool:
                self.pool.stop(signal.SIGTERM, 30)
            reports = (self.sanitizer_reports() if self.check_sanitizers
                       else [])
            if reports or os.environ.get("BILLGW_KEEP"):
                sys.stderr.write(f"harness: kept {self.dir}\n")
            elif os.path.isdir(self.dir):
                shutil.rmtree(self.dir, ignore_errors=True)
            self.pool = None
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, old)
        if reports and raise_on_report:
            raise AssertionError("sanitizer reports in the pool's log:\n"
                                 + "\n".join(reports[:20]))


# --- a FastCGI client ---------------------------------------------------------

FCGI_BEGIN_REQUEST, FCGI_ABORT_REQUEST, FCGI_END_REQUEST = 1, 2, 3
FCGI_PARAMS, FCGI_STDIN, FCGI_STDOUT, FCGI_STDERR = 4, 5, 6, 7
FCGI_RESPONDER, FCGI_KEEP_CONN = 1, 1


def _fcgi_record(rtype, req_id, content=b""):
    pad = (-len(content)) % 8
    return (struct.pack(">BBHHBB", 1, rtype, req_id, len(content), pad, 0)
            + content + b"\0" * pad)


def _fcgi_len(n):
    return bytes([n]) if n < 128 else struct.pack(">I", n | 0x80000000)


def fcgi_encode_params(params):
    out = b""
    for k, v in params.items():
        k = k.encode() if isinstance(k, str) else k
        v = v.encode() if isinstance(v, str) else bytes(v)
        out += _fcgi_len(len(k)) + _fcgi_len(len(v)) + k + v
    return out


def cgi_params(method, uri, body=b"", content_type=None, headers=None,
               remote_addr="127.0.0.1", request_id=None):
    """The parameters nginx would send (conf/nginx.conf.in) for a request."""
    path, _, query = uri.partition("?")
    p = {
        "REQUEST_METHOD": method, "REQUEST_URI": uri, "DOCUMENT_URI": path,
        "QUERY_STRING": query, "CONTENT_TYPE": content_type or "",
        "CONTENT_LENGTH": str(len(body)) if body else "",
        "REMOTE_ADDR": remote_addr, "REMOTE_PORT": "40000",
        "SERVER_ADDR": "127.0.0.1", "SERVER_NAME": "localhost",
        "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1",
        "GATEWAY_INTERFACE": "CGI/1.1",
        "REQUEST_ID": request_id or os.urandom(16).hex(),
    }
    for k, v in (headers or {}).items():
        p["HTTP_" + k.upper().replace("-", "_")] = v
    return p


class FcgiResponse:
    def __init__(self, stdout, stderr, app_status, protocol_status):
        self.stderr = stderr
        self.app_status = app_status
        self.protocol_status = protocol_status
        head, sep, self.body = stdout.partition(b"\r\n\r\n")
        if not sep:
            head, sep, self.body = stdout.partition(b"\n\n")
        self.headers = {}
        self.status = 200
        for line in head.decode("latin-1").splitlines():
            name, _, value = line.partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "status":
                self.status = int(value.split()[0])
            elif name:
                self.headers.setdefault(name, value)

    def json(self):
        return json.loads(self.body.decode())

    def __repr__(self):
        return f"<FcgiResponse {self.status} {self.body[:200]!r}>"


class FcgiClient:
    """One FastCGI connection to a pool, spoken directly (no nginx), so a
    test can hold a worker in any phase:

        c = FcgiClient("unix:/tmp/.../billgw.sock")
        c.begin(cgi_params("POST", "/api/v1/session", body=b"x" * 10,
                           content_type="application/json"))
        c.send_stdin(b"x" * 5)       # the worker now waits for the rest
        ...                          # (kill it, SIGTERM the master, ...)
        c.send_stdin(b"x" * 5); c.end_stdin()
        r = c.read_response()        # FcgiResponse: status, headers, body

    request() does all of it at once.  address: "unix:PATH", a path, or
    (host, port)."""

    def __init__(self, address, timeout=30.0, request_id=1):
        if isinstance(address, tuple):
            self.sock = socket.create_connection(address, timeout=timeout)
        else:
            path = address[5:] if address.startswith("unix:") else address
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.settimeout(timeout)
            self.sock.connect(path)
        self.req_id = request_id
        self._buf = b""

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def send_raw(self, data):
        self.sock.sendall(data)

    def begin(self, params, keep_conn=False, end_params=True):
        """BEGIN_REQUEST and the PARAMS stream (closed unless end_params is
        false: then the worker waits inside its accept)."""
        self.send_raw(_fcgi_record(FCGI_BEGIN_REQUEST, self.req_id,
                                   struct.pack(">HB5x", FCGI_RESPONDER,
                                               FCGI_KEEP_CONN if keep_conn
                                               else 0)))
        enc = fcgi_encode_params(params)
        for i in range(0, len(enc), 65535):
            self.send_raw(_fcgi_record(FCGI_PARAMS, self.req_id,
                                       enc[i:i + 65535]))
        if end_params:
            self.send_raw(_fcgi_record(FCGI_PARAMS, self.req_id))

    def end_params(self):
        self.send_raw(_fcgi_record(FCGI_PARAMS, self.req_id))

    def send_stdin(self, data):
        for i in range(0, len(data), 65535):
            self.send_raw(_fcgi_record(FCGI_STDIN, self.req_id,
                                       data[i:i + 65535]))

    def end_stdin(self):
        self.send_raw(_fcgi_record(FCGI_STDIN, self.req_id))

    def abort(self):
        self.send_raw(_fcgi_record(FCGI_ABORT_REQUEST, self.req_id))

    def _read(self, n):
        while len(self._buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("the pool closed the connection "
                                      f"({len(self._buf)} of {n} bytes)")
            self._buf += chunk
        data, self._buf = self._buf[:n], self._buf[n:]
        return data

    def read_response(self, timeout=None):
        """Records until END_REQUEST; returns an FcgiResponse.  Raises
        ConnectionError if the connection closes first (e.g. the worker
        was killed), socket.timeout after timeout."""
        if timeout is not None:
            self.sock.settimeout(timeout)
        stdout, stderr = b"", b""
        while True:
            _v, rtype, _rid, clen, pad, _r = struct.unpack(">BBHHBB",
                                                           self._read(8))
            content = self._read(clen + pad)[:clen]
            if rtype == FCGI_STDOUT:
                stdout += content
            elif rtype == FCGI_STDERR:
                stderr += content
            elif rtype == FCGI_END_REQUEST:
                app, proto = struct.unpack(">IB3x", content)
                return FcgiResponse(stdout, stderr, app, proto)

    def request(self, method, uri, body=b"", content_type=None,
                headers=None, timeout=None):
        if isinstance(body, str):
            body = body.encode()
        self.begin(cgi_params(method, uri, body, content_type, headers))
        if body:
            self.send_stdin(body)
        self.end_stdin()
        return self.read_response(timeout)


def main():
    """Run the calling module's tests; exit 1 on any failure or error (so
    ctest fails)."""
    unittest.main(module="__main__", verbosity=2)
