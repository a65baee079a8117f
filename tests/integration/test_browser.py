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

A second scenario, "sources", runs tests/browser/sources.mjs on a market.db
that barpub (a stand-in aggregator) fills through the real store: BTC-USD
from coinbase and from kraken at different prices, live bars of both over
/live, an anomaly of each, side checks of three sources. The page must show
two rows, each series with its own prices and anomalies, and the side-check
table with the sums computed here.

Needs: chromium (scripts/install-deps), node, `make` (web/node_modules
and the bundle). TW_BROWSER_WARMUP=SECONDS lets the demo run that long
before the browser starts, for a screenshot with more history (the README's
docs/img/dashboard.png was taken with 420).
"""

import http.client
import json
import os
import secrets
import shutil
import sqlite3
import ssl
import subprocess
import threading
import time

import harness as h
import pipeline as p
from barpub import TOOLS, BarPub

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


# ---- one symbol from several sources -------------------------------------

SCALE = 10 ** 9
SOURCES_SCRIPT = os.path.join(h.TOP, "tests", "browser", "sources.mjs")
SYM = "BTC-USD"
# Each source's prices stay in its own range, so a value tells which
# source it came from.
BASE = {"coinbase": 37000.0, "kraken": 36000.0}
CLOSED = 12         # closed 1-minute bars per series
SIDE = [  # (symbol, source, exchange, trades, declared buy, declared sell,
          #  compared, agree, at bid, at ask, inside, inverted)
    ("BTC-USD", "coinbase", 0, 1200, 610, 590, 1100, 1045, 520, 560, 20, 0),
    ("ETH-USD", "coinbase", 0, 800, 300, 500, 700, 600, 400, 350, 50, 0),
    ("BTC-USD", "kraken", 0, 500, 200, 300, 400, 40, 150, 250, 100, 1),
    ("SOL-USD", "binance", 0, 10, 0, 0, 0, 0, 4, 6, 0, 0),
]


def px(v):
    return int(round(v * SCALE))


def bar(symbol, source, asset, start_ms, close, state="closed"):
    return dict(symbol=symbol, source=source, asset_class=asset, state=state,
                interval_s=60, start_ms=start_ms, open=px(close - 1),
                high=px(close + 2), low=px(close - 2), close=px(close),
                vwap=px(close), volume=3.0, buy_volume=2.0,
                sell_volume=1.0, trades=3, buy_trades=2, sell_trades=1,
                quotes=4, spread_mean=px(0.5), spread_min=px(0.25),
                spread_max=px(1), spread_bps=0.14,
                first_ts_ns=start_ms * 10 ** 6 + 1000,
                last_ts_ns=(start_ms + 59000) * 10 ** 6,
                updated_ns=int(time.time() * 10 ** 9))


def side_expect():
    """The side-check table as the page must show it: per source (sorted),
    the sums of SIDE, formatted as the page formats them."""
    def share(a, b):
        return "\u2014" if b == 0 else "%.1f%%" % (100.0 * a / b)
    out = []
    for src in sorted({r[1] for r in SIDE}):
        rows = [r for r in SIDE if r[1] == src]
        t = [sum(r[i] for r in rows) for i in range(3, 12)]
        trades, dbuy, dsell, comp, agree, bid, ask, _inside, inv = t
        out.append({"source": src, "inverted": inv > 0, "cells": [
            src, "{:,}".format(len({r[0] for r in rows})),
            "{:,}".format(trades), "{:,}".format(dbuy),
            "{:,}".format(dsell), share(agree, comp), share(bid, trades),
            share(ask, trades), "{:,}".format(inv)]})
    return out


def market_counts(env):
    path = os.path.join(env.data_dir, "market.db")
    try:
        c = sqlite3.connect("file:%s?mode=ro" % path, uri=True, timeout=5)
        try:
            return tuple(c.execute("SELECT count(*) FROM %s" % t)
                         .fetchone()[0] for t in
                         ("bars", "anomalies", "side_checks"))
        finally:
            c.close()
    except sqlite3.Error:
        return (0, 0, 0)


def sources_scenario():
    if not h.check(os.access(os.path.join(TOOLS, "barpub"), os.X_OK),
                   "browser sources: barpub is built (run make)"):
        return
    env = h.Env("browser-sources")
    env.vars["TW_LOG_LEVEL"] = "info"
    pub = BarPub(env)
    store = env.start("store", ["store"])
    # Subscribed once its start-up replay is over: side checks are not
    # replayed, so they must come after.
    h.wait_for(lambda: "replay: done" in store.log_text(), 10 * h.MULT)
    now_min = int(time.time() * 1000) // 60000 * 60000
    first = now_min - CLOSED * 60000
    published = 0
    for k in range(CLOSED):
        start = first + k * 60000
        for src, base in BASE.items():
            pub.bar(**bar(SYM, src, "crypto", start, base + 10 * k + 0.5))
        pub.bar(**bar("ETH-USD", "coinbase", "crypto", start, 2000 + k))
        pub.bar(**bar("AAPL", "polygon", "stock", start, 180 + k / 4))
        published += 4
    kinds = {"coinbase": "volume_spike", "kraken": "price_jump"}
    for i, (src, kind) in enumerate(sorted(kinds.items())):
        pub.anomaly(symbol=SYM, kind=kind, interval_s=60,
                    start_ms=first + (8 + i) * 60000, score=7.5, value=42.0,
                    threshold=6.0, ts_ns=(first + (9 + i) * 60000) * 10 ** 6,
                    exchange=0, source=src, asset_class="crypto")
    for (sym, src, exch, trades, dbuy, dsell, comp, agree, bid, ask, inside,
         inv) in SIDE:
        pub.side_check(symbol=sym, source=src, exchange=exch, trades=trades,
                       declared_buy=dbuy, declared_sell=dsell,
                       compared=comp, agree=agree, at_bid=bid, at_ask=ask,
                       inside=inside, inverted=inv,
                       updated_ns=int(time.time() * 10 ** 9))
    pub.sync()
    want = (published, len(kinds), len(SIDE))
    h.wait_for(lambda: market_counts(env) == want, 20, 0.2)
    if not h.check(market_counts(env) == want,
                   "browser sources: the store wrote the bars, anomalies "
                   "and side checks", "%s, want %s" % (market_counts(env),
                                                       want)):
        return

    # Live bars of both sources over /live, all the time: the open
    # minute's bar, its close moving inside each source's range.
    stop = threading.Event()

    def live_bars():
        i = 0
        while not stop.is_set():
            start = int(time.time() * 1000) // 60000 * 60000
            for src, base in BASE.items():
                pub.bar(**bar(SYM, src, "crypto", start,
                              base + 500 + i % 100, state="live"))
            pub.flush()
            i += 1
            stop.wait(0.25)
    feeder = threading.Thread(target=live_bars, daemon=True)

    password = "Tw-" + secrets.token_urlsafe(18)
    auth_db = os.path.join(env.data_dir, "auth.db")
    r = subprocess.run([os.path.join(h.BIN, "authctl"), "--db", auth_db,
                        "add", "admin", "--role", "admin",
                        "--password-stdin"],
                       input=(password + "\n").encode(), env=env.vars,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=30 * h.MULT)
    if not h.check(r.returncode == 0, "browser sources: authctl creates "
                   "the admin", r.stderr.decode(errors="replace").strip()):
        return
    port = h.free_port()
    env.vars.update({"TW_WEB_LISTEN": "127.0.0.1:%d" % port,
                     "TW_WEB_ROOT": WEB_ROOT})
    webui = env.start("webui", ["webui"])
    h.wait_for(lambda: not webui.alive() or healthz(port) == 200, 20, 0.2)
    if not h.check(webui.alive() and healthz(port) == 200,
                   "browser sources: webui serves /healthz",
                   webui.log_text()[-1500:]):
        return
    feeder.start()

    series = ["AAPL|polygon", "BTC-USD|coinbase", "BTC-USD|kraken",
              "ETH-USD|coinbase"]
    expect = {"symbol": SYM, "sources": ["coinbase", "kraken"],
              "ranges": {s: [b, b + 999] for s, b in BASE.items()},
              "live_ranges": {s: [b + 500, b + 599]
                              for s, b in BASE.items()},
              "closed_bars": CLOSED, "series": series,
              "single": "ETH-USD|coinbase", "anomaly_kind": kinds,
              "side": side_expect()}
    expect_path = env.write("expect.json", json.dumps(expect))
    node_env = {k: v for k, v in os.environ.items()
                if not k.startswith("TW_")}
    node_env.update({"TW_URL": "https://127.0.0.1:%d" % port,
                     "TW_USER": "admin", "TW_ARTIFACTS": ARTIFACTS,
                     "TW_CHROMIUM": CHROMIUM, "TW_EXPECT": expect_path,
                     "TW_TEST_TIMEOUT_MULT": str(h.MULT)})
    err_path = env.path("node.stderr")
    with open(err_path, "wb") as err_f:
        proc = subprocess.Popen(["node", SOURCES_SCRIPT],
                                stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=err_f,
                                env=node_env, cwd=h.TOP)
    proc.stdin.write((password + "\n").encode())
    proc.stdin.close()
    killer = threading.Timer(90 * h.MULT, proc.kill)
    killer.start()
    oks = 0
    for raw in proc.stdout:
        line = raw.decode("utf-8", "replace").rstrip("\n")
        if line.startswith("ok "):
            oks += 1
            h.check(True, line[3:])
        elif line.startswith("FAIL "):
            name, _, why = line[5:].partition(" (")
            h.check(False, name, why[:-1] if why.endswith(")") else why)
        elif line.startswith("#"):
            print(line, flush=True)
    proc.wait()
    timed_out = not killer.is_alive() and proc.returncode != 0
    killer.cancel()
    stop.set()
    feeder.join(5)
    if proc.returncode != 0:
        with open(err_path, "rb") as f:
            for line in f.read().decode("utf-8", "replace").splitlines()[-15:]:
                print("# node: " + line, flush=True)
    h.check(not timed_out and proc.returncode == 0 and oks > 0,
            "browser sources: the browser run passes",
            "timed out" if timed_out else "exit %s" % proc.returncode)
    h.check(webui.alive(), "browser sources: webui is still running",
            webui.log_text()[-1500:])
    env.close()


if __name__ == "__main__":
    try:
        main()
        if prerequisites() is None:
            sources_scenario()
    finally:
        h.finish()
