"""The entrypoint as `make run` and the container use it.

Runs tests/integration/smoke (the whole stack from scripts/entrypoint:
first start, login, password change, bars, supervisorctl, kill -9, the
healthcheck, a clean stop, a second start) and passes its ok/FAIL lines on.
Then what the smoke test does not cover: the first admin's password from a
secret file (used, must be changed, never printed); the compose file's
defaults (both secrets /dev/null: a generated password and no feed key);
and every conflict or bad secret, which the entrypoint refuses with exit
status 78 and a clear reason before anything starts.
"""

import importlib.util
import os
import re
import secrets
import subprocess
import sys
from importlib.machinery import SourceFileLoader

import harness as h

HERE = os.path.dirname(os.path.abspath(__file__))
SMOKE = os.path.join(HERE, "smoke")
ENTRYPOINT = os.path.join(h.TOP, "scripts", "entrypoint")

# The smoke script's Stack and Client, for the cases below.
_loader = SourceFileLoader("smoke", SMOKE)
_spec = importlib.util.spec_from_loader("smoke", _loader)
smoke = importlib.util.module_from_spec(_spec)
_loader.exec_module(smoke)


def run_smoke():
    p = subprocess.Popen([sys.executable, SMOKE], stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True)
    seen = 0
    for line in p.stdout:
        if line.startswith("ok "):
            h.passed += 1
            seen += 1
        elif line.startswith("FAIL "):
            h.failed += 1
            seen += 1
        print(line, end="", flush=True)
    rc = p.wait()
    if rc != 0 and h.failed == 0:
        h.check(False, "smoke: exit status 0", str(rc))
    h.check(seen >= 40, "smoke: ran its checks", "%d checks" % seen)


def admin_from_secret():
    env = h.Env("smoke-secret")
    pw = "Given-" + secrets.token_urlsafe(18)
    pw_file = env.write("admin_password", pw + "\n", 0o600)
    s = smoke.Stack(env, h.free_port(), "/dev/null")
    try:
        s.start({"TW_ADMIN_PASSWORD_FILE": pw_file, "TW_ADMIN_USER": "boss",
                 "TW_LOG_STDOUT": "false"})
        up = h.wait_for(lambda: smoke.healthz(s) or s.p.poll() is not None,
                        40, 0.2)
        if not h.check(up and s.p.poll() is None,
                       "secret: the stack starts with TW_ADMIN_PASSWORD_FILE",
                       s.output()[-2000:]):
            return
        out = s.output()
        h.check("password from TW_ADMIN_PASSWORD_FILE" in out and
                not smoke.logged_password(out),
                "secret: the given password is used and not printed")
        h.check(pw not in out, "secret: the password is nowhere in the log")
        code, j, _, _ = smoke.Client(s).post(
            "/api/login", {"username": "boss", "password": pw})
        h.check(code == 200 and isinstance(j, dict) and
                j.get("must_change") is True,
                "secret: TW_ADMIN_USER logs in with it, must change it",
                "%s %r" % (code, j))
        code, _, _, _ = smoke.Client(s).post(
            "/api/login", {"username": "admin", "password": pw})
        h.check(code == 401, "secret: no other admin was made", str(code))
        wpid = s.pid("webui")
        wenv = smoke.proc_environ(wpid) if wpid else {}
        h.check(wpid and not any(k.startswith("TW_ADMIN_PASSWORD")
                                 for k in wenv),
                "secret: the daemons do not get TW_ADMIN_PASSWORD_FILE")
        took = s.stop()
        h.check(took is not None and took < 10, "secret: clean stop",
                str(took))
    finally:
        s.kill()
        env.close()


def compose_defaults():
    """docker-compose.yml mounts /dev/null for a secret not given."""
    env = h.Env("smoke-devnull")
    s = smoke.Stack(env, h.free_port(), "/dev/null")
    try:
        s.start({"TW_ADMIN_PASSWORD_FILE": "/dev/null",
                 "TW_LOG_STDOUT": "false"})
        up = h.wait_for(lambda: smoke.healthz(s) or s.p.poll() is not None,
                        40, 0.2)
        if not h.check(up and s.p.poll() is None,
                       "/dev/null secrets: the stack starts",
                       s.output()[-2000:]):
            return
        pws = smoke.logged_password(s.output())
        h.check(len(pws) == 1, "/dev/null secrets: a password is generated")
        code, j, _, _ = smoke.Client(s).post(
            "/api/login", {"username": "admin",
                           "password": pws[0] if pws else "-"})
        h.check(code == 200, "/dev/null secrets: it logs in", str(code))
        wpid = s.pid("webui")
        wenv = smoke.proc_environ(wpid) if wpid else {}
        h.check(wpid and "TW_FEED_KEY_MASKED" not in wenv and
                not wenv.get("POLYGON_API_KEY_FILE"),
                "/dev/null secrets: no feed key anywhere (demo feed)")
        spid = s.pid("ingest-stock")
        senv = smoke.proc_environ(spid) if spid else {}
        h.check(spid and "POLYGON_API_KEY_FILE" not in senv,
                "/dev/null secrets: the collectors get no empty key file")
        s.stop()
    finally:
        s.kill()
        env.close()


def refused():
    """Each bad configuration: exit 78, its reason, nothing started."""
    env = h.Env("smoke-bad")
    pw_file = env.write("pw", "Refused-" + secrets.token_urlsafe(18) + "\n")
    key = "badk" + secrets.token_hex(10)
    key_file = env.write("key", key + "\n")
    os.makedirs(env.path("a-directory"))
    cases = [
        ("TW_ADMIN_PASSWORD and TW_ADMIN_PASSWORD_FILE",
         {"TW_ADMIN_PASSWORD": "Other-" + secrets.token_urlsafe(18),
          "TW_ADMIN_PASSWORD_FILE": pw_file}, "both set"),
        ("a missing TW_ADMIN_PASSWORD_FILE",
         {"TW_ADMIN_PASSWORD_FILE": env.path("nonexistent")},
         "not a readable file"),
        ("a directory as TW_ADMIN_PASSWORD_FILE (an absent compose secret)",
         {"TW_ADMIN_PASSWORD_FILE": env.path("a-directory")},
         "not a readable file"),
        ("POLYGON_API_KEY and POLYGON_API_KEY_FILE",
         {"POLYGON_API_KEY": key, "POLYGON_API_KEY_FILE": key_file},
         "both set"),
        ("a polygon source without a key",
         {"TW_STOCK_SOURCE": "polygon"}, "needs the key"),
        ("TW_TLS_CERT without TW_TLS_KEY",
         {"TW_TLS_CERT": env.path("pw")}, "set both"),
        ("a first admin password the policy refuses",
         {"TW_ADMIN_PASSWORD": "tooshort"}, "could not create"),
    ]
    for name, extra, reason in cases:
        vars = dict(env.vars)
        vars.pop("POLYGON_API_KEY_FILE", None)
        vars.update({"TW_WEB_LISTEN": "127.0.0.1:%d" % h.free_port(),
                     "TW_FEEDSIM_LISTEN": "127.0.0.1:%d" % h.free_port()})
        vars.update(extra)
        try:
            r = subprocess.run([ENTRYPOINT], env=vars,
                               stdin=subprocess.DEVNULL, capture_output=True,
                               text=True, timeout=30 * h.MULT)
            rc, out = r.returncode, r.stdout + r.stderr
        except subprocess.TimeoutExpired as e:
            rc, out = None, str(e.stdout or "")
            subprocess.run(["pkill", "-f", env.run_dir])
        h.check(rc == 78 and reason in out,
                "refused: %s (exit 78, says %r)" % (name, reason),
                "exit %s: %s" % (rc, out.strip()[-300:]))
        h.check(not os.path.exists(os.path.join(env.run_dir,
                                                "supervisor.sock")),
                "refused: %s: nothing started" % name)
        secrets_in = [v for k, v in extra.items()
                      if "PASSWORD" in k and not v.startswith("/") or
                      k == "POLYGON_API_KEY"]
        h.check(not any(v in out for v in secrets_in),
                "refused: %s: no secret in the message" % name)
    # The refused policy case made no user: the next start may still
    # bootstrap.
    r = subprocess.run([os.path.join(h.BIN, "authctl"), "--db",
                        os.path.join(env.data_dir, "auth.db"), "list",
                        "--json"], capture_output=True, text=True)
    h.check(r.returncode == 0 and re.fullmatch(r"\s*\[\s*\]\s*", r.stdout),
            "refused: no user was created", r.stdout + r.stderr)
    r = subprocess.run([ENTRYPOINT, "nonsense"], env=env.vars,
                       capture_output=True, text=True, timeout=10)
    h.check(r.returncode == 64 and "unknown argument" in r.stderr,
            "refused: an unknown argument is a usage error (64)")
    env.close()


def env_example_complete():
    """.env.example lists every variable of every binary's --help."""
    with open(os.path.join(h.TOP, ".env.example")) as f:
        listed = set(re.findall(r"^#?([A-Z][A-Z0-9_]+)=", f.read(), re.M))
    missing = []
    for prog in ("feedsim", "ingest-stock", "ingest-crypto", "aggregator",
                 "store", "webui", "authctl"):
        r = subprocess.run([os.path.join(h.BIN, prog), "--help"],
                           capture_output=True, text=True, timeout=10)
        for line in (r.stdout + r.stderr).splitlines():
            m = re.match(r"^\s+env (\S+)(?: or (\S+))?$", line)
            if m:
                for v in m.groups():
                    if v and not v.endswith("_FILE") and v not in listed \
                            and v + "_FILE" not in listed:
                        missing.append("%s (%s)" % (v, prog))
    h.check(not missing and len(listed) > 80,
            ".env.example lists every variable of every --help",
            ", ".join(sorted(set(missing))))


env_example_complete()
run_smoke()
refused()
admin_from_secret()
compose_defaults()
h.finish()
