"""Integration-test harness: real processes on a temp directory.

Each scenario is a script that starts tapewatch's binaries (from
$TW_BIN_DIR) on free ports and a private run directory, watches their logs
and bus output, and prints "ok NAME" or "FAIL NAME (why)" lines. Timeouts
stretch by $TW_TEST_TIMEOUT_MULT (the sanitizer build is slower).
"""

import atexit
import base64
import json
from decimal import Decimal
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

TOP = os.environ.get("TW_TOP") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.environ.get("TW_BIN_DIR") or os.path.join(TOP, "build", "bin")
MULT = float(os.environ.get("TW_TEST_TIMEOUT_MULT", "1"))

passed = 0
failed = 0

# Secrets (passwords, tokens, keys) never belong in a log. Tests register
# every secret they make or receive; when tests/run exports
# TW_TEST_ARCHIVE, each Env copies its log files there at close and the
# secrets are appended to a 0600 file, and tests/check_secrets.py greps
# the whole suite's logs for every secret at the end.
ARCHIVE = os.environ.get("TW_TEST_ARCHIVE")
SECRET_MIN = 8		# shorter strings would match by chance
_secrets = {}		# value -> kind
_secrets_saved = set()
_secrets_lock = threading.Lock()
_SECRET_VAR = re.compile(r"(PASSWORD|API_KEY|SECRET|TOKEN)(_FILE)?$")
_SECRET_FILE = re.compile(r"(key|passw|secret|token|(^|[_.-])pw($|[_.-]))",
                          re.I)
_LOG_NAME = re.compile(r"(\.log(\.\d+)?|\.out|\.err)$")
_ARCHIVE_MAX = 256 << 20	# bytes per file


def register_secret(value, kind="secret"):
    """Remembers a secret for the suite's log check (tests/check_secrets.py).
    Strings shorter than SECRET_MIN are ignored."""
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if not isinstance(value, str):
        return
    value = value.strip()
    if len(value) >= SECRET_MIN:
        with _secrets_lock:
            _secrets.setdefault(value, kind)


def _register_env_secrets(env_vars):
    """Secrets a process gets from its environment: *_PASSWORD, *_API_KEY,
    *_SECRET, *_TOKEN, or the contents of the files their *_FILE name."""
    for k, v in env_vars.items():
        m = _SECRET_VAR.search(k)
        if not m or not v or k.endswith("_MASKED"):
            continue
        if not m.group(2):
            register_secret(v, k.lower())
            continue
        try:
            if os.path.isfile(v) and os.path.getsize(v) <= 65536:
                with open(v, "rb") as f:
                    register_secret(f.read(), k.lower())
        except OSError:
            pass


def _save_secrets():
    if not ARCHIVE:
        return
    with _secrets_lock:
        new = [(v, k) for v, k in _secrets.items() if v not in _secrets_saved]
        _secrets_saved.update(v for v, _ in new)
    if not new:
        return
    fd = os.open(os.path.join(ARCHIVE, "secrets"),
                 os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(fd, "w") as f:
        for v, k in new:
            f.write("%s\t%s\n" % (k, base64.b64encode(
                v.encode("utf-8", "surrogateescape")).decode()))


def check(cond, name, why=""):
    """Prints ok/FAIL for one assertion and counts it."""
    global passed, failed
    if cond:
        passed += 1
        print("ok " + name, flush=True)
    else:
        failed += 1
        print("FAIL %s%s" % (name, " (%s)" % why if why else ""), flush=True)
    return cond


_envs = []


def finish():
    """Stops what every Env started; exits 0 when every check passed."""
    for e in _envs:
        e.close()
    _save_secrets()
    sys.exit(0 if failed == 0 else 1)


def _archive_at_exit():
    """A scenario that died before finish(): its logs still count."""
    for e in _envs:
        if not e.closed:
            e.archive()
    _save_secrets()


atexit.register(_archive_at_exit)


def run(main):
    """Runs a scenario's main(); an exception in the test itself is one
    FAIL with its traceback (then the usual finish), not a silent exit."""
    import traceback
    name = os.path.splitext(os.path.basename(sys.argv[0]))[0]
    try:
        main()
    except Exception as e:      # a crash of the test is a failure
        traceback.print_exc(file=sys.stdout)
        check(False, "%s ran to the end" % name, "%s: %s" % (
            type(e).__name__, e))
        finish()


def supervisorctl(env, *args):
    """scripts/ctl (supervisorctl on env's socket): its whole output."""
    r = subprocess.run([os.path.join(TOP, "scripts", "ctl")] + list(args),
                       env=env.vars, capture_output=True, text=True,
                       timeout=30 * MULT)
    return r.stdout + r.stderr


def supervisor_status(env):
    """{program: (state, pid)} from supervisorctl status."""
    out = {}
    for line in supervisorctl(env, "status").splitlines():
        parts = line.split()
        if len(parts) >= 2:
            pid = None
            if "pid" in parts:
                pid = int(parts[parts.index("pid") + 1].rstrip(","))
            out[parts[0]] = (parts[1], pid)
    return out


def vm_rss_kib(pid):
    """A process's resident memory (VmRSS) in KiB; 0 once it is gone."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_for(pred, timeout, step=0.05):
    """Polls pred() until it is true or timeout (seconds, stretched)."""
    end = time.monotonic() + timeout * MULT
    while time.monotonic() < end:
        v = pred()
        if v:
            return v
        time.sleep(step)
    return pred()


class Proc:
    """A child process with its stderr (the log) captured to a file."""

    def __init__(self, env, name, argv, stdout=None):
        _register_env_secrets(env.vars)
        self.name = name
        self.log_path = os.path.join(env.dir, name + ".log")
        self.log = open(self.log_path, "ab")
        self.p = subprocess.Popen(
            argv, env=env.vars, stdout=stdout or self.log, stderr=self.log,
            stdin=subprocess.DEVNULL, cwd=env.dir)
        self.pid = self.p.pid

    def log_text(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def wait_log(self, text, timeout=10):
        return wait_for(lambda: text in self.log_text(), timeout)

    def alive(self):
        return self.p.poll() is None

    def cpu_seconds(self):
        """User + system CPU time so far, from /proc."""
        with open("/proc/%d/stat" % self.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        ticks = os.sysconf("SC_CLK_TCK")
        return (int(fields[11]) + int(fields[12])) / ticks

    def stop(self, sig=signal.SIGTERM, timeout=5):
        """Signals the process; returns seconds it took to exit, or None."""
        if self.p.poll() is not None:
            return 0.0
        t0 = time.monotonic()
        self.p.send_signal(sig)
        try:
            self.p.wait(timeout * MULT)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
            return None
        return time.monotonic() - t0


class BusTap:
    """bustap on some endpoints, its JSON lines parsed in a thread."""

    def __init__(self, env, urls, kind="all", name="bustap"):
        self.lines = []
        self.lock = threading.Lock()
        self.proc = Proc(env, name, [os.path.join(BIN, "bustap"),
                                     "--kind", kind] + list(urls),
                         stdout=subprocess.PIPE)
        self.t = threading.Thread(target=self._read, daemon=True)
        self.t.start()

    def _read(self):
        for raw in self.proc.p.stdout:
            try:
                rec = json.loads(raw, parse_float=Decimal)
            except ValueError:
                rec = {"unparsable": raw.decode("utf-8", "replace")}
            with self.lock:
                self.lines.append(rec)

    def records(self, pred=lambda r: True):
        with self.lock:
            return [r for r in self.lines if pred(r)]

    def ticks(self, kind=None):
        return self.records(lambda r: r.get("kind") in
                            (("trade", "quote", "feed_bar", "status")
                             if kind is None else (kind,)))

    def wait_joined(self, timeout=10):
        """Waits until a stat record arrived: the bus pipe is up."""
        return wait_for(lambda: self.records(
            lambda r: r.get("kind") == "stat"), timeout)

    def gaps(self):
        return self.records(lambda r: "gap" in r)

    def stats(self, process=None):
        """Latest value of every counter, {key: value}."""
        out = {}
        for r in self.records(lambda r: r.get("kind") == "stat"):
            if process is None or r["process"] == process:
                out[r["key"]] = r["value"]
        return out

    def stop(self):
        t = self.proc.stop()
        self.t.join(2)
        return t


class Env:
    """A private directory and environment for one scenario."""

    def __init__(self, name):
        self.dir = tempfile.mkdtemp(prefix="tw-%s-" % name)
        self.run_dir = os.path.join(self.dir, "run")
        self.log_dir = os.path.join(self.dir, "log")
        self.data_dir = os.path.join(self.dir, "data")
        for d in (self.run_dir, self.log_dir, self.data_dir):
            os.makedirs(d, mode=0o700)
        self.vars = {k: v for k, v in os.environ.items()
                     if not k.startswith("TW_") and k != "POLYGON_API_KEY"}
        self.vars.update({
            "TW_RUN_DIR": self.run_dir, "TW_LOG_DIR": self.log_dir,
            "TW_DATA_DIR": self.data_dir, "TW_BIN_DIR": BIN,
            "TW_TEST_TIMEOUT_MULT": str(MULT),
        })
        self.procs = []
        self.closed = False
        self.archived = False
        self.written = set()	# files of ours, not logs
        _envs.append(self)

    def path(self, name):
        return os.path.join(self.dir, name)

    def bus_url(self, name):
        return "ipc://%s/%s.ipc" % (self.run_dir, name)

    def write(self, name, text, mode=0o600):
        p = self.path(name)
        with open(p, "w") as f:
            f.write(text)
        os.chmod(p, mode)
        self.written.add(p)
        if _SECRET_FILE.search(name):
            register_secret(text, "file " + name)
        return p

    def start(self, name, argv, **kw):
        p = Proc(self, name, [os.path.join(BIN, argv[0])] + argv[1:], **kw)
        self.procs.append(p)
        return p

    def feedsim(self, *args, name="feedsim", port=None):
        port = port or free_port()
        p = self.start(name, ["feedsim", "--listen", "127.0.0.1:%d" % port]
                       + list(args))
        p.port = port
        p.url = "ws://127.0.0.1:%d" % port
        wait_for(lambda: _port_open(port), 10)
        return p

    def bustap(self, urls, kind="all", name="bustap"):
        b = BusTap(self, urls, kind, name)
        self.procs.append(b.proc)
        return b

    def close(self, keep=False):
        if self.closed:
            return
        self.closed = True
        for p in self.procs:
            if p.alive():
                p.stop(signal.SIGKILL)
        self.archive()
        if not keep and failed == 0:
            shutil.rmtree(self.dir, ignore_errors=True)
        elif failed:
            print("# logs kept in %s" % self.dir, flush=True)


    def archive(self):
        """Copies the log files (the log dir, every *.log / *.out / *.err,
        each Proc's log) to $TW_TEST_ARCHIVE for tests/check_secrets.py."""
        if not ARCHIVE or self.archived:
            return
        self.archived = True
        dest = os.path.join(ARCHIVE, os.path.basename(self.dir))
        logs = {p.log_path for p in self.procs}
        for root, dirs, files in os.walk(self.dir):
            for name in files:
                src = os.path.join(root, name)
                under_log = (src + os.sep).startswith(self.log_dir + os.sep)
                if src in self.written or not (
                        under_log or src in logs or _LOG_NAME.search(name)):
                    continue
                try:
                    if not os.path.isfile(src) or os.path.islink(src) or \
                            os.path.getsize(src) > _ARCHIVE_MAX:
                        continue
                    out = os.path.join(dest, os.path.relpath(src, self.dir))
                    os.makedirs(os.path.dirname(out), exist_ok=True)
                    shutil.copyfile(src, out)
                except OSError:
                    pass
        _save_secrets()


def _port_open(port):
    try:
        socket.create_connection(("127.0.0.1", port), 0.2).close()
        return True
    except OSError:
        return False


def read_sent_frames(path):
    """The frames feedsim --log-sent wrote: one frame's text per line."""
    frames = []
    with open(path, "rb") as f:
        for raw in f:
            frames.append(raw.rstrip(b"\n").decode("utf-8", "replace"))
    return frames
