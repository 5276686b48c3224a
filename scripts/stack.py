#!/usr/bin/env python3
"""The billgw development and test stack: a private MariaDB, the pool, nginx.

scripts/dev installs packages and builds; then it hands over to this file,
which starts everything in order and stops everything it started:

    stack.py run  --src DIR --build DIR [--var DIR] [--port N]
        MariaDB (data kept in VAR/mysql), config, migrate, demo, pool, nginx;
        prints the URL and the demo sign-ins and stays in the foreground
        until SIGINT or SIGTERM.
    stack.py test --src DIR --build DIR [--var DIR] [--port N] [-- CTEST-ARGS]
        the same on a throwaway directory and free ports, then ctest in the
        build directory with the stack's addresses in the environment; tears
        down and exits with ctest's status (non-zero too when a sanitizer
        wrote a report into the pool's log).

tests/integration/harness.py imports the functions below to start isolated
pools and nginx instances for destructive tests: keep them usable one by one.

Standard library only.  Every process is started in its own session (so the
terminal's Ctrl-C reaches only this script, which then stops them in order)
and with a parent-death signal, so that even a SIGKILL of this script does
not leave a server behind.
"""

import argparse
import configparser
import ctypes
import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

REGIONS = ("us", "ca", "eu", "apac")
DATABASES = ("billgw_directory",) + tuple("billgw_" + r for r in REGIONS)
DB_USER = "billgw"
# sockaddr_un.sun_path is 108 bytes with the terminating NUL.
SUN_PATH_MAX = 107
SANITIZER_ENV = {
    "ASAN_OPTIONS": "halt_on_error=1:detect_leaks=1:abort_on_error=1",
    "UBSAN_OPTIONS": "halt_on_error=1:print_stacktrace=1",
}
SANITIZER_PATTERNS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
                      "runtime error:")


class StackError(Exception):
    """A step of the stack failed; the message says which and why."""


class Interrupted(Exception):
    """SIGINT or SIGTERM arrived."""

    def __init__(self, signum):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def say(msg):
    print("dev: " + msg, file=sys.stderr, flush=True)


# --- processes --------------------------------------------------------------

_libc = None


def _preexec():
    # Runs in the child between fork and exec: ask the kernel to send SIGTERM
    # when the parent dies, so no server outlives a killed orchestrator.
    global _libc
    try:
        if _libc is None:
            _libc = ctypes.CDLL(None, use_errno=True)
        _libc.prctl(1, int(signal.SIGTERM), 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def find_bin(name):
    """The path of an executable, also looked up in the sbin folders that a
    non-root PATH often lacks."""
    path = shutil.which(name)
    if path:
        return path
    for d in ("/usr/sbin", "/sbin", "/usr/bin", "/usr/local/sbin"):
        p = os.path.join(d, name)
        if os.access(p, os.X_OK):
            return p
    raise StackError(f"{name}: not found (is its package installed?)")


class Proc:
    """A server this stack started; its stdout and stderr go to log."""

    def __init__(self, name, argv, log, env=None, cwd=None):
        self.name = name
        self.argv = list(argv)
        self.log = log
        os.makedirs(os.path.dirname(log), exist_ok=True)
        with open(log, "ab") as out:
            out.write(("==== %s: %s\n" % (time.strftime("%F %T"),
                                         " ".join(self.argv))).encode())
            out.flush()
            self.popen = subprocess.Popen(
                self.argv, stdin=subprocess.DEVNULL, stdout=out, stderr=out,
                env=env, cwd=cwd, start_new_session=True,
                preexec_fn=_preexec)
        self.pid = self.popen.pid

    def alive(self):
        return self.popen.poll() is None

    def returncode(self):
        return self.popen.poll()

    def send(self, sig):
        if self.alive():
            try:
                os.kill(self.pid, sig)
            except ProcessLookupError:
                pass

    def wait(self, timeout):
        try:
            return self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self, sig=signal.SIGTERM, timeout=20.0):
        """Signal, wait up to timeout, then SIGKILL the whole process group
        (the server's own children included).  Returns the exit status."""
        if self.alive():
            self.send(sig)
            if self.wait(timeout) is None:
                say(f"{self.name} (pid {self.pid}) did not stop in "
                    f"{timeout:.0f} s: SIGKILL")
                try:
                    os.killpg(self.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.popen.wait()
        # Leftovers in its process group (e.g. workers of a master that
        # crashed) go too.
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        return self.popen.returncode


def tail(path, n=40):
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - 64 * 1024))
            lines = f.read().decode("utf-8", "replace").splitlines()
    except OSError as e:
        return f"({path}: {e.strerror})"
    return "\n".join(lines[-n:])


def print_tail(title, path, n=40):
    print(f"---- {title}: last lines of {path} ----", file=sys.stderr)
    print(tail(path, n), file=sys.stderr)
    print("----", file=sys.stderr, flush=True)


def wait_for(pred, timeout, what, proc=None, interval=0.05):
    """Poll pred() until true; fail if proc dies first or time runs out."""
    deadline = time.monotonic() + timeout
    while True:
        if pred():
            return
        if proc is not None and not proc.alive():
            raise StackError(f"{what}: {proc.name} exited with status "
                             f"{proc.returncode()} (log: {proc.log})")
        if time.monotonic() > deadline:
            raise StackError(f"{what}: not ready after {timeout:.0f} s")
        time.sleep(interval)


def free_port():
    """A TCP port on 127.0.0.1 that is free now (bound to port 0, released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def check_sun_path(path):
    if len(os.fsencode(path)) > SUN_PATH_MAX:
        raise StackError(f"{path}: a unix socket path has at most "
                         f"{SUN_PATH_MAX} bytes; use a shorter BILLGW_VAR")


def unix_connectable(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.settimeout(1.0)
        s.connect(path)
        return True
    except OSError:
        return False
    finally:
        s.close()


def tcp_connectable(host, port):
    try:
        socket.create_connection((host, port), timeout=1.0).close()
        return True
    except OSError:
        return False


# --- layout -----------------------------------------------------------------

def var_paths(var):
    """Where everything lives in a var directory."""
    return {
        "var": var,
        "run": os.path.join(var, "run"),
        "log": os.path.join(var, "log"),
        "tmp": os.path.join(var, "tmp"),
        "mysql": os.path.join(var, "mysql"),
        "mysql_ok": os.path.join(var, "mysql.initialized"),
        "mysql_sock": os.path.join(var, "run", "mysqld.sock"),
        "mysql_pid": os.path.join(var, "run", "mysqld.pid"),
        "mysql_log": os.path.join(var, "log", "mysqld.log"),
        "pool_sock": os.path.join(var, "run", "billgw.sock"),
        "signin_sock": os.path.join(var, "run", "billgw-signin.sock"),
        "pool_log": os.path.join(var, "log", "billgw.log"),
        "conf": os.path.join(var, "billgw.conf"),
        "session_keys": os.path.join(var, "session.keys"),
        "directory_key": os.path.join(var, "directory.key"),
        "nginx_conf": os.path.join(var, "nginx.conf"),
        "nginx_dir": os.path.join(var, "nginx"),
        "nginx_log": os.path.join(var, "log", "nginx-error.log"),
        "nginx_access": os.path.join(var, "log", "nginx-access.log"),
        "nginx_pid": os.path.join(var, "run", "nginx.pid"),
        "ctl_log": os.path.join(var, "log", "billgwctl.log"),
    }


def make_var(var):
    """Create the var directory tree, private to this user (0700): the
    MariaDB socket accepts the password-less billgw user, and the keys are
    here."""
    os.makedirs(var, mode=0o700, exist_ok=True)
    os.chmod(var, 0o700)
    p = var_paths(var)
    for d in ("run", "log", "tmp", "nginx"):
        os.makedirs(p[d] if d in p else os.path.join(var, d), mode=0o700,
                    exist_ok=True)
    return p


# --- MariaDB ----------------------------------------------------------------

def _root_args():
    return ["--user=root"] if os.geteuid() == 0 else []


def mariadb_init(var):
    """mariadb-install-db into VAR/mysql once (kept across runs)."""
    p = var_paths(var)
    if os.path.exists(p["mysql_ok"]):
        return False
    if os.path.exists(p["mysql"]):
        # A previous initialisation did not finish: start over.
        shutil.rmtree(p["mysql"])
    log = os.path.join(p["log"], "mysql-install.log")
    argv = [find_bin("mariadb-install-db"), "--no-defaults",
            "--datadir=" + p["mysql"], "--auth-root-authentication-method=normal",
            "--skip-test-db", "--skip-name-resolve",
            "--tmpdir=" + p["tmp"]] + _root_args()
    with open(log, "wb") as out:
        r = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=out,
                           stderr=subprocess.STDOUT)
    if r.returncode != 0:
        print_tail("mariadb-install-db", log)
        raise StackError(f"mariadb-install-db failed (status {r.returncode})")
    with open(p["mysql_ok"], "w") as f:
        f.write(time.strftime("%F %T\n"))
    return True


def _pid_alive(pidfile):
    try:
        with open(pidfile) as f:
            pid = int(f.read().strip() or "0")
    except (OSError, ValueError):
        return 0
    if pid <= 0:
        return 0
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return 0
    except PermissionError:
        return pid
    return pid


def mariadb_start(var, timeout=60.0):
    """Start mariadbd on VAR's data, reachable only by its unix socket."""
    p = var_paths(var)
    check_sun_path(p["mysql_sock"])
    pid = _pid_alive(p["mysql_pid"])
    if pid:
        raise StackError(f"a MariaDB server (pid {pid}) already runs on "
                         f"{p['mysql']}: is another stack using {var}?")
    argv = [find_bin("mariadbd"), "--no-defaults",
            "--datadir=" + p["mysql"], "--socket=" + p["mysql_sock"],
            "--pid-file=" + p["mysql_pid"], "--tmpdir=" + p["tmp"],
            "--log-error=" + p["mysql_log"],
            "--skip-networking", "--skip-name-resolve",
            "--character-set-server=utf8mb4",
            "--collation-server=utf8mb4_unicode_ci",
            "--max-connections=1000",
            # A few threads serve the pool's many connections: each query
            # no longer wakes a thread of its own (measured with
            # bench/bench.py's account row: 12,700 vs 11,375 req/s,
            # medians of 5 alternating runs).
            "--thread-handling=pool-of-threads",
            # MariaDB shares the host with nginx and the pool: one thread
            # group per two cores, not one per core.  On 2 cores, 1 group
            # against the default 2 (medians of 6 alternating runs of the
            # account row): 17,532 vs 13,298 req/s, p99 8.1 vs 11.2 ms.  A
            # dedicated database host keeps the default.
            "--thread-pool-size=%d" %
            max(1, len(os.sched_getaffinity(0)) // 2),
            # Each request looks up the same few hot rows by primary key:
            # InnoDB's adaptive hash index (off by default since MariaDB
            # 10.5, for write-heavy loads) skips the B-tree descent
            # (12,698 vs 11,869 req/s, p99 9.8 vs 12.3 ms, medians of 5).
            "--innodb-adaptive-hash-index=ON",
            # The benchmarks size it for their millions of accounts.
            "--innodb-buffer-pool-size=" +
            os.environ.get("BILLGW_MYSQL_BUFFER_POOL", "128M"),
            # A development stack: durable at each second, not each commit.
            "--innodb-flush-log-at-trx-commit=2",
            "--skip-innodb-doublewrite"] + _root_args() + \
        os.environ.get("BILLGW_MYSQL_ARGS", "").split()
    proc = Proc("mariadbd", argv, os.path.join(p["log"], "mysqld.stderr"))
    try:
        wait_for(lambda: mariadb_ping(p["mysql_sock"]), timeout,
                 "MariaDB", proc, interval=0.1)
    except StackError:
        proc.stop(timeout=5)
        print_tail("mariadbd", p["mysql_log"])
        raise
    return proc


def mariadb_ping(sock):
    if not os.path.exists(sock):
        return False
    r = subprocess.run([find_bin("mariadb-admin"), "--no-defaults",
                        "--socket=" + sock, "--user=root",
                        "--connect-timeout=2", "ping"],
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
    return r.returncode == 0


def mariadb_sql(sock, sql, user="root", database=None):
    """Run SQL with the mariadb client as user; returns its output."""
    argv = [find_bin("mariadb"), "--no-defaults", "--socket=" + sock,
            "--user=" + user, "--batch", "--skip-column-names"]
    if database:
        argv.append(database)
    r = subprocess.run(argv, input=sql.encode(), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    if r.returncode != 0:
        raise StackError("mariadb: " + r.stderr.decode(errors="replace")
                         .strip())
    return r.stdout.decode()


def mariadb_bootstrap(sock):
    """The five databases and the password-less billgw@localhost user.  The
    socket is private (0700 var directory), so no password is needed;
    idempotent."""
    stmts = [f"CREATE DATABASE IF NOT EXISTS `{db}` CHARACTER SET utf8mb4 "
             f"COLLATE utf8mb4_unicode_ci;" for db in DATABASES]
    stmts += [
        f"CREATE USER IF NOT EXISTS '{DB_USER}'@'localhost';",
        f"GRANT ALL ON `billgw\\_%`.* TO '{DB_USER}'@'localhost';",
        "FLUSH PRIVILEGES;",
    ]
    mariadb_sql(sock, "\n".join(stmts) + "\n")


# --- configuration ----------------------------------------------------------

PLACEHOLDER = re.compile(r"@([A-Z][A-Z0-9_]*)@")


def render(template, values):
    """The template file with every @NAME@ replaced; an unknown name is an
    error (a typo must not reach a running config)."""
    with open(template) as f:
        text = f.read()

    def sub(m):
        if m.group(1) not in values:
            raise StackError(f"{template}: no value for @{m.group(1)}@")
        return str(values[m.group(1)])
    return PLACEHOLDER.sub(sub, text)


def write_private(path, data, mode=0o600):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb" if isinstance(data, bytes) else "w") as f:
        f.write(data)
    os.chmod(path, mode)


def ensure_keys(var):
    """session.keys ("kid secret", a 256-bit random secret as base64url text)
    and directory.key (32 random bytes), made once and kept."""
    p = var_paths(var)
    if not os.path.exists(p["session_keys"]):
        kid = "k" + time.strftime("%Y%m%d")
        write_private(p["session_keys"],
                      f"{kid} {secrets.token_urlsafe(48)}\n")
    if not os.path.exists(p["directory_key"]):
        write_private(p["directory_key"], secrets.token_bytes(32))


def render_billgw_conf(src, var, port, workers=None, listen=None):
    """conf/billgw.conf.in -> VAR/billgw.conf.  Returns its path."""
    p = var_paths(var)
    if listen is None:
        check_sun_path(p["pool_sock"])
        listen = "unix:" + p["pool_sock"]
    check_sun_path(p["signin_sock"])
    values = {
        "VAR": var,
        "LISTEN": listen,
        "SIGNIN_LISTEN": "unix:" + p["signin_sock"],
        "WORKERS": workers or os.environ.get("BILLGW_WORKERS", "16"),
        "PUBLIC_URL": f"http://127.0.0.1:{port}",
        "MYSQL_SOCKET": p["mysql_sock"],
        "SESSION_KEYS": p["session_keys"],
        "DIRECTORY_KEY": p["directory_key"],
    }
    text = render(os.path.join(src, "conf", "billgw.conf.in"), values)
    write_private(p["conf"], text)
    return p["conf"]


def conf_read(path_or_text):
    """The INI file as a ConfigParser (comments after ';' dropped)."""
    cp = configparser.ConfigParser(inline_comment_prefixes=(";", "#"),
                                   interpolation=None)
    if os.path.exists(path_or_text):
        cp.read(path_or_text)
    else:
        cp.read_string(path_or_text)
    return cp


def parse_listen(listen):
    """("unix", path) or ("tcp", (host, port)) from a [gateway] listen value."""
    if listen.startswith("unix:"):
        return "unix", listen[5:]
    host, _, port = listen.rpartition(":")
    return "tcp", (host or "127.0.0.1", int(port))


def conf_listen(conf):
    return parse_listen(conf_read(conf)["gateway"]["listen"].strip())


def nginx_upstream(listen):
    kind, addr = parse_listen(listen) if isinstance(listen, str) else listen
    return "unix:" + addr if kind == "unix" else f"{addr[0]}:{addr[1]}"


def signin_upstream(gateway):
    """nginx's address for a [gateway] section's sign-in lane, or None."""
    listen = gateway.get("signin_listen", "").strip()
    return nginx_upstream(listen) if listen else None


# --- billgwctl ----------------------------------------------------------------

def ctl(build, conf, args, log, env=None, stdin=None, check=True):
    """Run billgwctl --config conf ARGS, output appended to log."""
    exe = os.path.join(build, "billgwctl")
    if not os.access(exe, os.X_OK):
        raise StackError(f"{exe}: not built")
    argv = [exe, "--config", conf] + list(args)
    with open(log, "ab") as out:
        out.write(("==== " + " ".join(argv) + "\n").encode())
        out.flush()
        r = subprocess.run(argv, input=stdin, stdout=out, stderr=out,
                           env=env)
    if check and r.returncode != 0:
        print_tail("billgwctl", log, 20)
        raise StackError(f"billgwctl {' '.join(args)}: status {r.returncode}")
    return r.returncode


# --- the pool -----------------------------------------------------------------

def pool_start(build, conf, log, env=None, timeout=60.0):
    """billgw --config conf in the foreground, stderr to log; returns when
    its listen socket accepts connections."""
    exe = os.path.join(build, "billgw")
    if not os.access(exe, os.X_OK):
        raise StackError(f"{exe}: not built")
    kind, addr = conf_listen(conf)
    if kind == "unix":
        check_sun_path(addr)
        if os.path.exists(addr):
            if unix_connectable(addr):
                raise StackError(f"{addr}: another pool is listening there")
            os.unlink(addr)
        ready = lambda: os.path.exists(addr) and unix_connectable(addr)
    else:
        if tcp_connectable(*addr):
            raise StackError(f"{addr[0]}:{addr[1]}: already in use")
        ready = lambda: tcp_connectable(*addr)
    proc = Proc("billgw", [exe, "--config", conf], log, env=env)
    try:
        wait_for(ready, timeout, "the pool's listen socket", proc)
    except StackError:
        proc.stop(timeout=5)
        print_tail("billgw", log)
        raise
    return proc


# --- nginx --------------------------------------------------------------------

def render_nginx_conf(src, var, port, upstream, keep_conn=None,
                      keepalive=None, signin_rate=None, signin_burst=None,
                      pool_workers=None, signin_upstream=None):
    """conf/nginx.conf.in -> VAR/nginx.conf.  upstream is "unix:/path" or
    "127.0.0.1:PORT", signin_upstream the pool's sign-in lane (None: the
    pool has none, and sign-ins go to upstream too).  Returns its path.

    With fastcgi_keep_conn on, every idle connection that nginx caches pins
    a libfcgi worker (it blocks reading that connection's next request), so
    the cache, per nginx worker process (one per core), must stay below the
    pool's size: the default keepalive is pool_workers / cores."""
    p = var_paths(var)
    keep_conn = keep_conn or os.environ.get("BILLGW_FASTCGI_KEEP_CONN", "off")
    keepalive = keepalive or os.environ.get("BILLGW_FASTCGI_KEEPALIVE")
    if not keepalive:
        keepalive = max(1, int(pool_workers or 16) // (os.cpu_count() or 1))
    keepalive = int(keepalive)
    if keep_conn not in ("on", "off"):
        raise StackError("BILLGW_FASTCGI_KEEP_CONN: on or off")
    rate = signin_rate or os.environ.get("BILLGW_SIGNIN_RATE", "20r/s")
    if not re.fullmatch(r"[1-9][0-9]*r/[sm]", rate):
        raise StackError(f"BILLGW_SIGNIN_RATE={rate}: want e.g. 20r/s or "
                         f"300r/m")
    burst = int(signin_burst or os.environ.get("BILLGW_SIGNIN_BURST", "20"))
    for d in ("client_body", "fastcgi", "proxy", "scgi", "uwsgi"):
        os.makedirs(os.path.join(p["nginx_dir"], d), mode=0o700,
                    exist_ok=True)
    values = {
        "VAR": var,
        "PORT": port,
        "UPSTREAM": upstream,
        "SIGNIN_UPSTREAM": signin_upstream or upstream,
        # Without keep_conn nginx closes each FastCGI connection, so an
        # upstream connection cache would hold nothing.
        "UPSTREAM_KEEPALIVE": (f"keepalive {keepalive};"
                               if keep_conn == "on" else
                               "# keepalive: only with fastcgi_keep_conn on"),
        "FASTCGI_KEEP_CONN": keep_conn,
        "SIGNIN_RATE": rate,
        "SIGNIN_BURST": burst,
        # The HTTP ceiling of `scripts/dev bench`: nginx alone.
        "BENCH": ('location = /bench/nginx { return 200 "ok\\n"; }'
                  if os.environ.get("BILLGW_BENCH_LOCATION") else
                  "# /bench/nginx: only in the benchmark's stack"),
        # As root, nginx's workers would run as nobody, who cannot reach the
        # 0660 socket in a 0700 directory: run them as the invoking user.
        "USER": "user root;" if os.geteuid() == 0 else
                "# user: not root, workers run as the invoking user",
    }
    text = render(os.path.join(src, "conf", "nginx.conf.in"), values)
    write_private(p["nginx_conf"], text, 0o644)
    return p["nginx_conf"]


def http_get(url, path, timeout=5.0):
    """(status, body) of GET url+path, or (None, error text)."""
    m = re.match(r"http://([^/:]+):(\d+)", url)
    conn = http.client.HTTPConnection(m.group(1), int(m.group(2)),
                                      timeout=timeout)
    try:
        conn.request("GET", path)
        r = conn.getresponse()
        return r.status, r.read()
    except OSError as e:
        return None, str(e)
    finally:
        conn.close()


def nginx_start(var, port, timeout=30.0, health="/healthz"):
    """nginx on VAR/nginx.conf (rendered already), foreground, every path
    in VAR; returns when health answers 200 (or, with health=None, when the
    port accepts connections)."""
    p = var_paths(var)
    if tcp_connectable("127.0.0.1", port):
        raise StackError(f"127.0.0.1:{port} is already in use "
                         f"(set BILLGW_PORT)")
    nginx = find_bin("nginx")
    r = subprocess.run([nginx, "-t", "-q", "-p", p["nginx_dir"] + "/",
                        "-e", p["nginx_log"], "-c", p["nginx_conf"],
                        "-g", "daemon off;"],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if r.returncode != 0:
        raise StackError("nginx -t: " + r.stdout.decode(errors="replace"))
    proc = Proc("nginx", [nginx, "-p", p["nginx_dir"] + "/",
                          "-e", p["nginx_log"], "-c", p["nginx_conf"],
                          "-g", "daemon off;"],
                os.path.join(p["log"], "nginx.stderr"))
    url = f"http://127.0.0.1:{port}"
    if health:
        ready = lambda: http_get(url, health, 2.0)[0] == 200
    else:
        ready = lambda: tcp_connectable("127.0.0.1", port)
    try:
        wait_for(ready, timeout, f"nginx {url}{health or ''}", proc,
                 interval=0.1)
    except StackError:
        proc.stop(signal.SIGTERM, 5)
        print_tail("nginx", p["nginx_log"])
        raise
    return proc


# --- the whole stack ----------------------------------------------------------

class Stack:
    """MariaDB + config + schema + demo + pool + nginx on one var directory."""

    def __init__(self, src, build, var, port, sanitize=False):
        self.src = os.path.abspath(src)
        self.build = os.path.abspath(build)
        self.var = os.path.abspath(var)
        self.port = port
        self.sanitize = sanitize
        self.p = var_paths(self.var)
        self.procs = []         # started, in order
        self.url = f"http://127.0.0.1:{port}"
        self.timings = []
        self.warnings = []

    def child_env(self):
        env = dict(os.environ)
        if self.sanitize:
            env.update(SANITIZER_ENV)
        return env

    def _step(self, name, fn, *a, **kw):
        t = time.monotonic()
        r = fn(*a, **kw)
        self.timings.append((name, time.monotonic() - t))
        return r

    def up(self):
        if tcp_connectable("127.0.0.1", self.port):
            raise StackError(f"127.0.0.1:{self.port} is already in use "
                             f"(set BILLGW_PORT)")
        make_var(self.var)
        say(f"var directory {self.var}")
        fresh = self._step("mariadb-install-db", mariadb_init, self.var)
        if fresh:
            say("initialised a new MariaDB data directory")
        self.procs.append(self._step("mariadbd", mariadb_start, self.var))
        self._step("databases", mariadb_bootstrap, self.p["mysql_sock"])
        ensure_keys(self.var)
        conf = render_billgw_conf(self.src, self.var, self.port)
        env = self.child_env()
        self._step("db migrate", ctl, self.build, conf, ["db", "migrate"],
                   self.p["ctl_log"], env)
        self._step("demo", ctl, self.build, conf, ["demo"],
                   self.p["ctl_log"], env)
        self.procs.append(self._step("pool", pool_start, self.build, conf,
                                     self.p["pool_log"], env))
        gw = conf_read(conf)["gateway"]
        render_nginx_conf(self.src, self.var, self.port,
                          nginx_upstream(gw["listen"].strip()),
                          pool_workers=int(gw["workers"]),
                          signin_upstream=signin_upstream(gw))
        self.procs.append(self._step("nginx", nginx_start, self.var,
                                     self.port))

    def exported_env(self):
        """What the tests read (tests/integration/harness.py)."""
        return {
            "BILLGW_URL": self.url,
            "BILLGW_PORT": str(self.port),
            "BILLGW_VAR": self.var,
            "BILLGW_CONF": self.p["conf"],
            "BILLGW_BUILD": self.build,
            "BILLGW_SRC": self.src,
            "BILLGW_MYSQL_SOCKET": self.p["mysql_sock"],
        }

    def dead(self):
        """The first server that exited on its own, or None."""
        for proc in self.procs:
            if not proc.alive():
                return proc
        return None

    def down(self):
        """Stop in reverse order: nginx (fast), the pool (it drains), then
        MariaDB (clean InnoDB shutdown).  Returns {name: exit status}."""
        timeouts = {"nginx": 10, "billgw": 30, "mariadbd": 60}
        status = {}
        for proc in reversed(self.procs):
            rc = proc.stop(signal.SIGTERM, timeouts.get(proc.name, 20))
            status[proc.name] = rc
            if rc != 0:
                say(f"{proc.name} exited with status {rc}")
        self.procs = []
        return status

    def print_logs(self):
        for title, path, n in (("billgw (pool)", self.p["pool_log"], 40),
                               ("nginx", self.p["nginx_log"], 40),
                               ("mariadbd", self.p["mysql_log"], 20)):
            if os.path.exists(path):
                print_tail(title, path, n)

    def sanitizer_reports(self):
        """Lines of the pool's log where a sanitizer reported."""
        found = []
        try:
            with open(self.p["pool_log"], errors="replace") as f:
                for line in f:
                    if any(pat in line for pat in SANITIZER_PATTERNS):
                        found.append(line.rstrip())
        except OSError:
            pass
        return found


def _install_signals():
    def handler(signum, frame):
        raise Interrupted(signum)
    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGHUP, handler)


def _quiet_signals():
    # While tearing down, a second Ctrl-C must not abandon the teardown.
    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, signal.SIG_IGN)


def demo_signins(src):
    """The demo sign-ins from docs/demo.md, short enough for a terminal: the
    part between <!-- signins --> and <!-- /signins --> if present; else the
    first Markdown table, its first region's rows only, as aligned columns
    (identifier, password, where it leads, what it shows)."""
    path = os.path.join(src, "docs", "demo.md")
    try:
        with open(path) as f:
            text = f.read()
    except OSError:
        return "  (docs/demo.md is not written yet)"
    m = re.search(r"<!--\s*signins\s*-->(.*?)<!--\s*/signins\s*-->", text,
                  re.S)
    if m:
        return m.group(1).strip("\n")
    rows, started = [], False
    for line in text.splitlines():
        if line.lstrip().startswith("|"):
            cells = [c.strip().replace("`", "").replace("*", "")
                     for c in line.strip().strip("|").split("|")]
            if not all(re.fullmatch(r":?-+:?", c) for c in cells):
                rows.append(cells)
            started = True
        elif started:
            break
    if len(rows) < 2:
        return f"  (see {path})"
    head = [h.lower() for h in rows[0]]
    body = rows[1:]
    first = body[0][0].split()[0] if body[0] and body[0][0] else ""
    regions = []
    for r in body:
        code = r[0].split()[0] if r and r[0] else ""
        if code and code not in regions:
            regions.append(code)
    if head and head[0] == "region" and first:
        body = [r for r in body if r[0].split()[:1] == [first]]
    want = [c for c in ("identifier", "password", "where it leads",
                        "what it shows") if c in head]
    if len(want) >= 2:
        idx = [head.index(c) for c in want]
        body = [[r[i] if i < len(r) else "" for i in idx] for r in body]
    widths = [max(len(r[i]) for r in body) for i in range(len(body[0]) - 1)]
    out = []
    if len(regions) > 1:
        out.append(f"  in {regions[0]}; the same in {', '.join(regions[1:])} "
                   f"(see docs/demo.md):")
    for r in body:
        out.append("  " + "  ".join(c.ljust(w) for c, w in
                                    zip(r[:-1], widths)) + "  " + r[-1])
    return "\n".join(out)


def cmd_run(args):
    var = os.path.abspath(args.var or os.environ.get("BILLGW_VAR")
                          or os.path.join(args.src, "var"))
    port = int(args.port or os.environ.get("BILLGW_PORT") or 8080)
    stack = Stack(args.src, args.build, var, port)
    _install_signals()
    status = 0
    try:
        stack.up()
        t0 = float(os.environ.get("BILLGW_T0") or 0)
        t_built = float(os.environ.get("BILLGW_T_BUILT") or 0)
        if t0 and t_built:
            stack.timings.insert(0, ("packages + build", t_built - t0))
        print("", flush=True)
        print(f"billgw is serving on {stack.url}/", flush=True)
        print(f"  config:  {stack.p['conf']}", flush=True)
        print(f"  logs:    {stack.p['log']}/", flush=True)
        print(f"  billgwctl: {os.path.join(stack.build, 'billgwctl')} "
              f"--config {stack.p['conf']} ...", flush=True)
        print("\nDemo sign-ins:", flush=True)
        print(demo_signins(stack.src), flush=True)
        steps = ", ".join(f"{n} {t:.1f} s" for n, t in stack.timings)
        if t0:
            print(f"\nCold start: {time.time() - t0:.1f} s from "
                  f"scripts/dev to the URL ({steps})", flush=True)
        for w in stack.warnings:
            print("WARNING: " + w, flush=True)
        print("\nCtrl-C (or SIGTERM) stops everything.", flush=True)
        while True:
            dead = stack.dead()
            if dead:
                say(f"{dead.name} exited unexpectedly (status "
                    f"{dead.returncode()})")
                stack.print_logs()
                status = 1
                break
            time.sleep(0.5)
    except Interrupted as e:
        say(f"{e}: stopping")
        status = 0
    except StackError as e:
        say("FAILED: " + str(e))
        stack.print_logs()
        status = 1
    finally:
        _quiet_signals()
        stack.down()
        say("stopped")
    return status


def live_processes():
    """(pid, parent pid, process group) of every live process, from /proc
    (zombies left out)."""
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z":
            yield int(d), int(fields[1]), int(fields[2])


def group_members(pgid):
    """Pids of the live processes in process group pgid."""
    return [pid for pid, _, group in live_processes() if group == pgid]


def children(ppid):
    """Pids of the live children of ppid, sorted."""
    return sorted(pid for pid, parent, _ in live_processes()
                  if parent == ppid)


def stop_ctest(ctest, timeout=15.0):
    """Stop a running ctest (its own process group) so that the test
    programs still clean up: freeze ctest (it would SIGKILL them, or start
    the next one), SIGINT the tests (Python's unittest then leaves its
    with-blocks, stopping the pools and nginx instances they started), wait
    for them, then SIGKILL whatever is left of the group."""
    pgid = ctest.pid
    try:
        os.kill(ctest.pid, signal.SIGSTOP)
    except ProcessLookupError:
        return
    for pid in group_members(pgid):
        if pid != ctest.pid:
            try:
                os.kill(pid, signal.SIGINT)
            except ProcessLookupError:
                pass
    deadline = time.monotonic() + timeout
    while (time.monotonic() < deadline
           and [p for p in group_members(pgid) if p != ctest.pid]):
        time.sleep(0.1)
    try:
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    ctest.wait()


def cmd_test(args):
    port = int(args.port or os.environ.get("BILLGW_PORT") or free_port())
    own_var = not (args.var or os.environ.get("BILLGW_VAR"))
    if own_var:
        # Short, in /tmp: unix socket paths are limited to 107 bytes.
        var = tempfile.mkdtemp(prefix="bgw-", dir="/tmp")
    else:
        var = os.path.abspath(args.var or os.environ["BILLGW_VAR"])
        if os.path.exists(var) and os.listdir(var):
            say(f"{var} is not empty: a test stack needs a fresh directory")
            return 2
    # The suite signs in far faster than a person: its nginx allows that,
    # and the rate limit itself is tested on a stack of its own
    # (tests/integration/test_signin.py, RateLimit).
    os.environ.setdefault("BILLGW_SIGNIN_RATE", "1000r/s")
    os.environ.setdefault("BILLGW_SIGNIN_BURST", "1000")
    stack = Stack(args.src, args.build, var, port, sanitize=True)
    _install_signals()
    status = 1
    ctest = None
    try:
        stack.up()
        say(f"stack up on {stack.url} in "
            f"{sum(t for _, t in stack.timings):.1f} s; running ctest")
        env = stack.child_env()
        env.update(stack.exported_env())
        argv = ["ctest", "--output-on-failure", "--no-tests=error",
                "--test-dir", stack.build]
        if args.ctest_args:
            argv += args.ctest_args
        # Its own process group, so that teardown reaches the test
        # programs (and through them their isolated pools) too.
        ctest = subprocess.Popen(argv, env=env, start_new_session=True)
        status = ctest.wait()
        ctest = None
        dead = stack.dead()
        if dead:
            say(f"{dead.name} died during the tests (status "
                f"{dead.returncode()})")
            status = status or 1
    except Interrupted as e:
        say(f"{e}: stopping")
        status = 130 if e.signum == signal.SIGINT else 143
    except StackError as e:
        say("FAILED: " + str(e))
        status = 1
    finally:
        _quiet_signals()
        if ctest is not None and ctest.poll() is None:
            stop_ctest(ctest)
        stopped = stack.down()
        if stopped.get("billgw", 0) != 0:
            # SPEC section 8: SIGTERM drains and exits 0.
            say("the pool did not exit 0 on SIGTERM")
            status = status or 1
        reports = stack.sanitizer_reports()
        if reports:
            say("sanitizer reports in the pool's log:")
            for line in reports[:20]:
                print("  " + line, file=sys.stderr)
            status = status or 1
        if status != 0:
            stack.print_logs()
        if own_var and not os.environ.get("BILLGW_KEEP"):
            shutil.rmtree(var, ignore_errors=True)
        elif own_var:
            say(f"kept {var} (BILLGW_KEEP)")
    say("tests " + ("passed" if status == 0 else f"FAILED (status {status})"))
    return status


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("command", choices=("run", "test"))
    ap.add_argument("--src", default=os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))))
    ap.add_argument("--build", required=True)
    ap.add_argument("--var")
    ap.add_argument("--port", type=int)
    argv = list(sys.argv[1:] if argv is None else argv)
    extra = []
    if "--" in argv:
        i = argv.index("--")
        argv, extra = argv[:i], argv[i + 1:]
    args = ap.parse_args(argv)
    args.ctest_args = extra    # test: extra ctest arguments (after --)
    args.src = os.path.abspath(args.src)
    if args.command == "run":
        return cmd_run(args)
    return cmd_test(args)


if __name__ == "__main__":
    sys.exit(main())
