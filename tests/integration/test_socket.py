"""The pool's FastCGI socket is reachable only by nginx (issue 6, item 5;
README "Configuration": a unix socket is created with mode 0660).

For the main stack's socket and for an isolated pool's: the socket is mode
0660, owned by the user and group the pool runs as; a process of another
user (nobody, through setpriv, or runuser when setpriv is missing) gets
EACCES on connect(2), while the same connect as the pool's user, and as
nginx's worker processes' user (read from /proc), works and is answered.
The isolated pool's directories are opened to everyone first (0711), so
that there nothing but the socket's own mode stands in nobody's way; a
0666 socket beside it, which nobody does reach, shows that the refusal is
the mode's doing."""

import grp
import os
import pwd
import shutil
import socket
import stat
import subprocess
import sys
import unittest

import harness
from harness import conf_get

# Run as the other user: connect to argv[1]; if argv[2] (hex) is given,
# send it and read the answer until the pool closes.  Prints "OK <hex>" or
# "ERR <errno name>".  Standard library only, nothing of the source tree
# (which that user may not be able to read).
CHILD = r"""
import errno, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(20)
try:
    s.connect(sys.argv[1])
except OSError as e:
    print("ERR " + errno.errorcode.get(e.errno, str(e.errno)))
    sys.exit(0)
data = b""
if len(sys.argv) > 2:
    s.sendall(bytes.fromhex(sys.argv[2]))
    while True:
        c = s.recv(65536)
        if not c:
            break
        data += c
print("OK " + data.hex())
"""


def healthz_request():
    """A whole FastCGI request for GET /healthz, as bytes."""
    rec = harness._fcgi_record
    params = harness.fcgi_encode_params(
        harness.cgi_params("GET", "/healthz"))
    return (rec(harness.FCGI_BEGIN_REQUEST, 1,
                bytes([0, harness.FCGI_RESPONDER, 0, 0, 0, 0, 0, 0]))
            + rec(harness.FCGI_PARAMS, 1, params)
            + rec(harness.FCGI_PARAMS, 1)
            + rec(harness.FCGI_STDIN, 1))


def parse_fcgi(data):
    """The FcgiResponse in a byte stream of FastCGI records, or None."""
    stdout, stderr = b"", b""
    while len(data) >= 8:
        _v, rtype, _id, clen, pad, _r = (data[0], data[1], data[2:4],
                                         int.from_bytes(data[4:6], "big"),
                                         data[6], data[7])
        content, data = data[8:8 + clen], data[8 + clen + pad:]
        if rtype == harness.FCGI_STDOUT:
            stdout += content
        elif rtype == harness.FCGI_STDERR:
            stderr += content
        elif rtype == harness.FCGI_END_REQUEST:
            return harness.FcgiResponse(
                stdout, stderr, int.from_bytes(content[:4], "big"),
                content[4])
    return None


def proc_ids(pid):
    """(uid, gid, [supplementary gids]) of a process: the effective ones,
    from /proc/PID/status."""
    uid = gid = None
    groups = []
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            if k == "Uid":
                uid = int(v.split()[1])
            elif k == "Gid":
                gid = int(v.split()[1])
            elif k == "Groups":
                groups = [int(g) for g in v.split()]
    return uid, gid, groups


def children(ppid):
    return harness._stack.children(ppid)


def as_user(uid, gid, groups=()):
    """The argv prefix that runs a command as uid/gid with exactly these
    supplementary groups."""
    setpriv = shutil.which("setpriv")
    if setpriv:
        g = (["--groups=" + ",".join(str(x) for x in groups)] if groups
             else ["--clear-groups"])
        return [setpriv, f"--reuid={uid}", f"--regid={gid}"] + g
    runuser = shutil.which("runuser") or "/usr/sbin/runuser"
    if not os.access(runuser, os.X_OK):
        raise unittest.SkipTest("neither setpriv nor runuser is installed")
    return [runuser, "-u", pwd.getpwuid(uid).pw_name,
            "-g", grp.getgrgid(gid).gr_name, "--"]


def connect_as(path, uid, gid, groups=(), request=None):
    """("OK", FcgiResponse or None) or ("ERR", errno name): connect(2) to
    the unix socket at path as that user."""
    argv = as_user(uid, gid, groups) + [sys.executable, "-I", "-c", CHILD,
                                        path]
    if request is not None:
        argv.append(request.hex())
    p = subprocess.run(argv, capture_output=True, text=True, timeout=60,
                       cwd="/", env={"PATH": "/usr/bin:/bin",
                                     "LANG": "C.UTF-8"})
    out = p.stdout.strip()
    if p.returncode != 0 or not out:
        raise AssertionError(f"{argv[:4]}...: exit {p.returncode}: "
                             f"{p.stderr.strip()[-500:]}")
    kind, _, rest = out.partition(" ")
    if kind == "OK":
        return "OK", parse_fcgi(bytes.fromhex(rest)) if rest else None
    return kind, rest


def nobody():
    try:
        pw = pwd.getpwnam("nobody")
    except KeyError:
        raise unittest.SkipTest("there is no user nobody")
    try:
        gid = grp.getgrnam("nogroup").gr_gid
    except KeyError:
        gid = pw.pw_gid
    return pw.pw_uid, gid


def need_root():
    if os.geteuid() != 0:
        raise unittest.SkipTest("switching to another user needs root")


class Checks:
    """The checks, for a socket at self.path served by the pool whose
    master is self.master_pid."""

    def socket_stat(self):
        st = os.stat(self.path)
        self.assertTrue(stat.S_ISSOCK(st.st_mode),
                        f"{self.path} is not a socket")
        return st

    def check_mode_and_owner(self):
        st = self.socket_stat()
        self.assertEqual(stat.S_IMODE(st.st_mode), 0o660,
                         f"{self.path}: mode {stat.S_IMODE(st.st_mode):04o}"
                         f", want 0660")
        uid, gid, _ = proc_ids(self.master_pid)
        self.assertEqual((st.st_uid, st.st_gid), (uid, gid),
                         f"{self.path}: owned by {st.st_uid}:{st.st_gid}, "
                         f"the pool runs as {uid}:{gid}")

    def check_nobody_is_refused(self):
        need_root()
        uid, gid = nobody()
        st = self.socket_stat()
        self.assertNotEqual(uid, st.st_uid)
        self.assertNotEqual(gid, st.st_gid)
        kind, what = connect_as(self.path, uid, gid,
                                request=healthz_request())
        self.assertEqual((kind, what), ("ERR", "EACCES"),
                         f"nobody connecting to {self.path}: {kind} {what}")

    def check_the_pools_user_is_served(self):
        need_root()
        uid, gid, groups = proc_ids(self.master_pid)
        kind, resp = connect_as(self.path, uid, gid, groups,
                                request=healthz_request())
        self.assertEqual(kind, "OK", f"the pool's user {uid}:{gid} "
                         f"connecting to {self.path}: {resp}")
        self.assertIsNotNone(resp, "no FastCGI answer")
        self.assertEqual(resp.status, 200, resp)
        # And without switching: this process is the stack's user.
        with harness.FcgiClient("unix:" + self.path) as c:
            self.assertEqual(c.request("GET", "/healthz").status, 200)


class MainStack(unittest.TestCase, Checks):
    """The socket of the stack that scripts/dev test started."""

    @classmethod
    def setUpClass(cls):
        listen = conf_get("gateway.listen")
        assert listen and listen.startswith("unix:"), (
            f"gateway.listen = {listen!r}: the test stack listens on a "
            f"unix socket")
        cls.path = listen[5:]
        cls.master_pid = harness.status()["pid"]

    def test_mode_0660_owned_by_the_pools_user(self):
        self.check_mode_and_owner()

    def test_nobody_gets_eacces(self):
        self.check_nobody_is_refused()

    def test_the_pools_user_is_served(self):
        self.check_the_pools_user_is_served()

    def test_nginx_workers_run_as_a_user_that_reaches_it(self):
        with open(os.path.join(harness.VAR, "run", "nginx.pid")) as f:
            master = int(f.read().split()[0])
        workers = children(master)
        self.assertTrue(workers, f"nginx {master} has no worker processes")
        st = self.socket_stat()
        mode = stat.S_IMODE(st.st_mode)
        for pid in workers:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode()
            if "worker process" not in cmd:
                continue        # the cache manager, if any
            uid, gid, groups = proc_ids(pid)
            with self.subTest(worker=pid, uid=uid, gid=gid):
                allowed = (uid == 0
                           or (uid == st.st_uid and mode & 0o200)
                           or ((gid == st.st_gid or st.st_gid in groups)
                               and mode & 0o020))
                self.assertTrue(allowed, f"nginx worker {pid} runs as "
                                f"{uid}:{gid} {groups}; the socket is "
                                f"{st.st_uid}:{st.st_gid} {mode:04o}")
                if os.geteuid() == 0:
                    kind, resp = connect_as(self.path, uid, gid, groups,
                                            request=healthz_request())
                    self.assertEqual(kind, "OK", f"as nginx worker {pid}'s "
                                     f"user {uid}:{gid}: {resp}")
                    self.assertEqual(resp.status, 200, resp)


class IsolatedPool(unittest.TestCase, Checks):
    """A pool of its own whose directories everyone may traverse: only the
    socket's mode keeps nobody out."""

    @classmethod
    def setUpClass(cls):
        cls.stack = harness.Stack("sock")
        try:
            cls.stack.start_pool(overrides={"gateway.workers": 2})
            for d in (cls.stack.dir, os.path.dirname(cls.stack.sock)):
                os.chmod(d, 0o711)
        except BaseException:
            cls.stack.stop(raise_on_report=False)
            raise
        cls.path = cls.stack.sock
        cls.master_pid = cls.stack.pool_pid

    @classmethod
    def tearDownClass(cls):
        cls.stack.stop()

    def test_mode_0660_owned_by_the_pools_user(self):
        self.check_mode_and_owner()

    def test_nobody_gets_eacces_from_the_mode_alone(self):
        need_root()
        uid, gid = nobody()
        # The control: a 0666 socket in the same directory, which nobody
        # reaches, so the directories are open and the helper works.
        other = os.path.join(os.path.dirname(self.path), "open.sock")
        srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            srv.bind(other)
            os.chmod(other, 0o666)
            srv.listen(1)
            self.assertEqual(connect_as(other, uid, gid), ("OK", None),
                             "nobody cannot reach even a 0666 socket there")
        finally:
            srv.close()
            os.unlink(other)
        self.check_nobody_is_refused()

    def test_the_pools_user_is_served(self):
        self.check_the_pools_user_is_served()

    def test_the_mode_holds_after_a_reload(self):
        self.stack.reload()
        self.stack.wait_log(r"reload: generation 2", timeout=15)
        harness.wait_until(lambda: os.path.exists(self.path), 10,
                           "the socket after SIGHUP")
        self.check_mode_and_owner()


if __name__ == "__main__":
    harness.main()
