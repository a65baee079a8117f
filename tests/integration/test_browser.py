"""The dashboard in a real browser against the real stack.

feedsim (the synthetic demo market) -> ingest-stock, ingest-crypto ->
aggregator -> store -> market.db, and webui serving the bundled dashboard
($TW_BUILD_DIR/web) over HTTPS with its self-signed certificate. An admin
is created with authctl; then tests/browser/dashboard.mjs drives Debian's
chromium through playwright-core (web/node_modules): login page, a wrong
password, login, the candlestick chart drawn from demo bars, a live update
over /live, the anomaly list, the interval and time-zone switches, health
and users pages, logout, and no console error, CSP violation or outside
request. Its ok/FAIL lines are passed through; screenshots go to
$TW_BUILD_DIR/test-artifacts/ (login.png, dashboard.png).

Needs: chromium (scripts/install-deps), node, `make` (web/node_modules
and the bundle). TW_BROWSER_WARMUP=SECONDS lets the demo run that long
before the browser starts, for a screenshot with more history (the README's
docs/img/dashboard.png was taken with 420).
"""

import http.client
import os
import secrets
import shutil
import ssl
import subprocess
import threading
import time

import harness as h
import pipeline as p

BUILD = os.environ.get("TW_BUILD_DIR") or os.path.join(h.TOP, "build")
WEB_ROOT = os.path.join(BUILD, "web")
ARTIFACTS = os.path.join(BUILD, "test-artifacts")
CHROMIUM = os.environ.get("TW_CHROMIUM", "/usr/bin/chromium")
SCRIPT = os.path.join(h.TOP, "tests", "browser", "dashboard.mjs")
PLAYWRIGHT = os.path.join(h.TOP, "web", "node_modules", "playwright-core")
FEED_ASK = "# start the feed now"
RESTART_ASK = "# restart webui now"


def prerequisites():
    """What is missing to run the test, as one reason, or None."""
    node = shutil.which("node")
    if not node:
        return "node is not installed (scripts/install-deps)"
    if not os.access(CHROMIUM, os.X_OK):
        return "%s is missing (scripts/install-deps installs chromium)" % \
            CHROMIUM
    if not os.path.isdir(PLAYWRIGHT):
        return "web/node_modules has no playwright-core (run make)"
    if not os.path.exists(os.path.join(WEB_ROOT, "index.html")):
        return "%s/index.html is missing (run make)" % WEB_ROOT
    for b in ("webui", "authctl", "feedsim", "store"):
        if not os.access(os.path.join(h.BIN, b), os.X_OK):
            return "%s/%s is missing (run make)" % (h.BIN, b)
    return None


def healthz(port):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    try:
        c = http.client.HTTPSConnection("127.0.0.1", port, timeout=2,
                                        context=ctx)
        c.request("GET", "/healthz")
        status = c.getresponse().status
        c.close()
        return status
    except (OSError, http.client.HTTPException):
        return 0


def restart_webui(env, webui, port):
    """Stops webui (SIGTERM) and starts it again on the same port and data:
    sessions live in auth.db, so the page's must survive."""
    webui.stop()
    time.sleep(1 * h.MULT)          # long enough for the page to notice
    webui = env.start("webui", ["webui"])
    h.wait_for(lambda: not webui.alive() or healthz(port) == 200, 20, 0.2)
    return webui


def logs_text(env):
    out = ""
    for d in (env.dir, env.log_dir):
        for name in sorted(os.listdir(d)):
            if name.endswith(".log"):
                with open(os.path.join(d, name), "rb") as f:
                    out += f.read().decode("utf-8", "replace")
    return out


def main():
    why = prerequisites()
    if not h.check(why is None, "browser: prerequisites are installed", why):
        return
    env = h.Env("browser")
    env.vars.update({"TW_STOCK_SOURCE": "demo", "TW_CRYPTO_SOURCE": "demo",
                     "TW_LOG_LEVEL": "info"})
    env.start("store", ["store"])
    feed_port = p.start_pipeline(env)
    # feedsim (the synthetic market, on the wall clock) starts when the
    # browser asks, after its login: the page must cope with an empty
    # start, as on a fresh install. TW_BROWSER_WARMUP starts it now.
    warmup = float(os.environ.get("TW_BROWSER_WARMUP", "0") or 0)
    feed = [None]

    def start_feed():
        if feed[0] is None:
            feed[0] = env.feedsim(port=feed_port)
        return feed[0].alive()
    if warmup > 0:
        time.sleep(1 * h.MULT)      # the collectors' first dial
        start_feed()

    # An admin, and a viewer who must change the password first.
    password = "Tw-" + secrets.token_urlsafe(18)
    password2 = "Tw-" + secrets.token_urlsafe(18)
    auth_db = os.path.join(env.data_dir, "auth.db")
    for name, role, pw, extra in (("admin", "admin", password, []),
                                  ("newbie", "viewer", password2,
                                   ["--must-change"])):
        r = subprocess.run([os.path.join(h.BIN, "authctl"), "--db", auth_db,
                            "add", name, "--role", role,
                            "--password-stdin"] + extra,
                           input=(pw + "\n").encode(), env=env.vars,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=30 * h.MULT)
        if not h.check(r.returncode == 0,
                       "browser: authctl creates the %s" % role,
                       r.stderr.decode(errors="replace").strip()):
            return

    port = h.free_port()
    env.vars.update({"TW_WEB_LISTEN": "127.0.0.1:%d" % port,
                     "TW_WEB_ROOT": WEB_ROOT})
    webui = env.start("webui", ["webui"])
    up = h.wait_for(lambda: not webui.alive() or healthz(port) == 200, 20,
                    0.2)
    if not h.check(webui.alive() and healthz(port) == 200,
                   "browser: webui serves /healthz",
                   webui.log_text()[-1500:] if not up or not webui.alive()
                   else "status %d" % healthz(port)):
        return

    if warmup > 0:
        print("# letting the demo run %.0f s first" % warmup, flush=True)
        time.sleep(warmup)
    os.makedirs(ARTIFACTS, exist_ok=True)
    node_env = dict(os.environ)
    for k in list(node_env):
        if k.startswith("TW_"):
            del node_env[k]
    node_env.update({"TW_URL": "https://127.0.0.1:%d" % port,
                     "TW_USER": "admin", "TW_USER2": "newbie",
                     "TW_ARTIFACTS": ARTIFACTS,
                     "TW_CHROMIUM": CHROMIUM,
                     "TW_TEST_TIMEOUT_MULT": str(h.MULT)})
    # node asks by printing a line: FEED_ASK to start the feed, RESTART_ASK
    # to restart webui (to see the page reconnect); a flag file answers
    # when it is done, holding 1 on success.
    flags = {FEED_ASK: env.path("feed-started"),
             RESTART_ASK: env.path("restarted")}
    node_env["TW_FEED_FLAG"] = flags[FEED_ASK]
    node_env["TW_RESTART_FLAG"] = flags[RESTART_ASK]
    if feed[0] is not None:         # started already (warm-up)
        with open(flags[FEED_ASK], "w") as f:
            f.write("1\n")
    err_path = env.path("node.stderr")
    t0 = time.monotonic()
    with open(err_path, "wb") as err_f:
        proc = subprocess.Popen(["node", SCRIPT], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=err_f,
                                env=node_env, cwd=h.TOP)
    proc.stdin.write((password + "\n" + password2 + "\n").encode())
    proc.stdin.close()
    killer = threading.Timer(150 * h.MULT, proc.kill)
    killer.start()
    lines = []
    for raw in proc.stdout:
        line = raw.decode("utf-8", "replace").rstrip("\n")
        lines.append(line)
        if line.startswith("ok "):
            h.check(True, line[3:])
        elif line.startswith("FAIL "):
            name, _, why = line[5:].partition(" (")
            h.check(False, name, why[:-1] if why.endswith(")") else why)
        elif line == FEED_ASK:
            done = start_feed()
            with open(flags[FEED_ASK], "w") as f:
                f.write("%d\n" % int(done))
        elif line == RESTART_ASK:
            webui = restart_webui(env, webui, port)
            with open(flags[RESTART_ASK], "w") as f:
                f.write("%d\n" % int(webui.alive()))
        elif line.startswith("#"):
            print(line, flush=True)
    proc.wait()
    timed_out = not killer.is_alive() and proc.returncode != 0
    killer.cancel()
    took = time.monotonic() - t0
    if proc.returncode != 0:
        with open(err_path, "rb") as f:
            for line in f.read().decode("utf-8", "replace").splitlines()[-15:]:
                print("# node: " + line, flush=True)
    h.check(not timed_out and proc.returncode == 0 and
            any(l.startswith("ok ") for l in lines),
            "browser: the browser run passes",
            "timed out" if timed_out else "exit %s" % proc.returncode)
    print("# browser run took %.1f s; screenshots in %s" % (took, ARTIFACTS),
          flush=True)

    h.check(webui.alive(), "browser: webui is still running",
            webui.log_text()[-1500:])
    logs = logs_text(env)
    h.check(password not in logs and password2 not in logs,
            "browser: the passwords appear in no log")


if __name__ == "__main__":
    try:
        main()
    finally:
        h.finish()
