"""/live end to end (docs/live.md): the real webui, fed by barpub (a
stand-in aggregator on the aggregator's endpoint) and a real ingest-stock
on feedsim; users made with authctl; a stdlib WebSocket client
(wsclient.py) over TLS with the session cookie.

Expected values are computed here from what barpub was told to publish
(prices: fixed point / 1e9; nulls by the flags, as the store writes them)
and from docs/live.md, never from webui's code.
"""

import json
import os
import signal
import threading
import time

import harness as h
import barpub
import webui_env as w
from wsclient import WSClient, OP_BINARY

T0 = 1706649600000          # a minute boundary
# Room for ~0.7 s of the generated stream below, so a reader thread on a
# loaded machine keeps up, while the client that never reads passes it
# once the kernel's buffers (up to tcp_wmem's 4 MB) are full.
QUEUE_MAX = 1 << 20
SCALE = 10 ** 9

BAR_KEYS = {
    "type", "state", "symbol", "interval_s", "start_ms", "open", "high",
    "low", "close", "volume", "vwap", "trades", "buy_volume", "sell_volume",
    "buy_trades", "sell_trades", "quotes", "spread_mean", "spread_min",
    "spread_max", "spread_bps", "delta_min", "delta_max", "n_declared",
    "n_inferred", "n_unknown", "n_compared", "n_agree",
    "n_unknown_conditions", "gap", "late", "revision", "flags", "source",
    "asset_class", "first_ts_ns", "last_ts_ns", "updated_ms"}


def bar_fields(symbol, interval_s, start_ms, state="closed", k=0, flags=0,
               source="demo", asset_class="stock"):
    """What barpub is told: a struct bar's fields, prices fixed point."""
    base = (187 + k) * SCALE + 250000000            # 187.25 + k
    return dict(symbol=symbol, interval_s=interval_s, start_ms=start_ms,
                state=state, source=source, asset_class=asset_class,
                flags=flags, revision=1 if state == "corrected" else 0,
                open=base, high=base + 250000000, low=base - 150000000,
                close=base + 150000000, vwap=base + 62500000,
                volume=1200.5 + k, buy_volume=800.0, sell_volume=300.25,
                trades=7 + k, buy_trades=4, sell_trades=2, quotes=31,
                spread_mean=20000000, spread_min=10000000,
                spread_max=50000000, spread_bps=1.07, delta_min=-100.0,
                delta_max=500.0, n_declared=0, n_inferred=6, n_unknown=1,
                n_compared=3, n_agree=2, n_unknown_conditions=1,
                first_ts_ns=start_ms * 10 ** 6 + 120000000,
                last_ts_ns=start_ms * 10 ** 6 + 28020000001,
                updated_ns=1706649628101999999 + k)


def expected_json(f):
    """The /live bar for barpub fields f, by docs/live.md's rules."""
    no_price, no_spread = f["flags"] & 4, f["flags"] & 8
    px = lambda v, ok=True: v / SCALE if ok else None  # noqa: E731
    out = {k: f[k] for k in (
        "symbol", "interval_s", "start_ms", "state", "source", "asset_class",
        "flags", "revision", "volume", "buy_volume", "sell_volume", "trades",
        "buy_trades", "sell_trades", "quotes", "delta_min", "delta_max",
        "n_declared", "n_inferred", "n_unknown", "n_compared", "n_agree",
        "n_unknown_conditions", "first_ts_ns", "last_ts_ns")}
    out["type"] = "bar"
    for k in ("open", "high", "low", "close"):
        out[k] = px(f[k], not no_price)
    out["vwap"] = px(f["vwap"], f["volume"] > 0)
    for k in ("spread_mean", "spread_min", "spread_max"):
        out[k] = px(f[k], not no_spread)
    out["spread_bps"] = None if no_spread else f["spread_bps"]
    out["gap"] = 1 if f["flags"] & 1 else 0
    out["late"] = 1 if f["flags"] & 2 else 0
    out["updated_ms"] = f["updated_ns"] // 10 ** 6
    return out


def key(m):
    return (m["symbol"], m["interval_s"], m["start_ms"], m["state"])


class Reader:
    """Reads a socket in a thread, keeping every message. While it runs,
    nothing else may read that socket: wait for ws.closed instead."""

    def __init__(self, ws):
        self.ws = ws
        self.msgs = []
        self.lock = threading.Lock()
        self.stopping = False
        self.t = threading.Thread(target=self._run, daemon=True)
        self.t.start()

    def stop(self):
        self.stopping = True
        self.t.join(5)

    def _run(self):
        while not self.ws.closed and not self.stopping:
            try:
                m = self.ws.recv_json(0.5)
            except (OSError, ValueError):
                break
            if m is not None:
                with self.lock:
                    self.msgs.append(m)

    def of(self, typ):
        with self.lock:
            return [m for m in self.msgs if m.get("type") == typ]

    def wait(self, pred, timeout):
        def find():
            with self.lock:
                for m in self.msgs:
                    if pred(m):
                        return m
            return None
        return h.wait_for(find, timeout)


# -- setup --------------------------------------------------------------

ui = w.WebUI("live", start=False, extra_env={
    "TW_LIVE_QUEUE_MAX": str(QUEUE_MAX),
    "TW_STOCK_SOURCE": "demo", "TW_CRYPTO_SOURCE": "demo"})
env = ui.env
agg_url = env.bus_url("aggregator")
stock_url = env.bus_url("ingest-stock")
env.vars["TW_WEB_BUS_URLS"] = agg_url + "," + stock_url
pub = barpub.BarPub(env, bus=agg_url)
sim = env.feedsim("--rate", "50")
collector = env.start("ingest-stock", [
    "ingest-stock", "--source", "demo", "--url", sim.url + "/stocks",
    "--bus", stock_url])
ui.start()
pw = {n: ui.add_user(n, r) for n, r in (("alice", "viewer"),
                                       ("bob", "viewer"),
                                       ("mgr", "manager"))}
alice = ui.login("alice", pw["alice"])
bob = ui.login("bob", pw["bob"])
mgr = ui.login("mgr", pw["mgr"])


def cookie_of(client):
    return client.cookie_header()


def ws_for(client, origin=True, **kw):
    return WSClient(ui.port, cookie=cookie_of(client) if client else None,
                    origin=ui.origin if origin is True else origin, **kw)


# -- the upgrade --------------------------------------------------------

for name, c, origin in (("no cookie", None, True),
                        ("foreign Origin", alice, "https://evil.example"),
                        ("no Origin", alice, None),
                        ("http Origin", alice,
                         "http://127.0.0.1:%d" % ui.port)):
    x = ws_for(c, origin=origin)
    ok = x.connect()
    h.check(not ok and x.status != 101, "upgrade refused: " + name,
            "status %s" % x.status)
    x.close()
x = WSClient(ui.port, cookie="__Host-tw_session=" + "A" * 43,
             origin=ui.origin)
h.check(not x.connect(), "upgrade refused: a made-up session cookie")

wa = ws_for(alice)
h.check(wa.connect(), "upgrade with cookie and own Origin: 101",
        "status %s %r" % (wa.status, wa.head[:200]))
ra = Reader(wa)
hello = ra.wait(lambda m: m.get("type") == "hello", 5)
now_ms = time.time() * 1000
h.check(hello is not None and hello["user"] == "alice" and
        hello["role"] == "viewer" and hello["mode"] == "demo" and
        hello["expires_ms"] > now_ms and
        hello["expires_ms"] <= now_ms + 12 * 3600 * 1000 + 5000,
        "hello: user, role, mode, expiry", repr(hello))
h.check(ra.wait(lambda m: m.get("type") == "status", 5) is not None,
        "status follows hello")

# -- feed status from the real collector ---------------------------------


def stock_feed(m):
    if m.get("type") != "status":
        return None
    for f in m.get("feeds", []):
        if f.get("process") == "ingest-stock":
            return f
    return None


st = ra.wait(lambda m: (stock_feed(m) or {}).get("state") == "demo", 15)
f = stock_feed(st) if st else None
h.check(f is not None and f["source"] == "demo" and
        f["asset_class"] == "stock" and f["feed_status"] == "live" and
        isinstance(f["last_event_age_ms"], int) and
        0 <= f["last_event_age_ms"] < 10000 and st["mode"] == "demo",
        "status: ingest-stock on feedsim is a demo feed", repr(st))

# -- watch and bars -------------------------------------------------------

wa.send_json({"op": "watch", "symbols": ["AAPL", "BTC-USD", "AAPL"],
              "intervals": [60, 1]})
ack = ra.wait(lambda m: m.get("type") == "watching", 5)
h.check(ack is not None and ack["symbols"] == ["AAPL", "BTC-USD"] and
        ack["intervals"] == [1, 60], "watching: the set in force",
        repr(ack))

wanted = [
    bar_fields("AAPL", 60, T0, "live", k=0),
    bar_fields("AAPL", 60, T0, "closed", k=1),
    bar_fields("AAPL", 60, T0, "corrected", k=2, flags=2),
    bar_fields("AAPL", 1, T0 + 1000, "closed", k=3, flags=1 | 4 | 8),
    bar_fields("BTC-USD", 1, T0, "closed", k=4, source="demo",
               asset_class="crypto"),
]
unwanted = [
    bar_fields("MSFT", 60, T0, "closed", k=5),
    bar_fields("AAPL", 5, T0, "closed", k=6),
    bar_fields("ETH-USD", 1, T0, "live", k=7, asset_class="crypto"),
]
no_volume = bar_fields("AAPL", 1, T0 + 2000, "closed", k=8)
no_volume["volume"] = 0.0
wanted.append(no_volume)
# The live update first, on its own: a closed bar of the same key queued
# behind it before it was written would remove it (docs/live.md).
pub.bar(**wanted[0])
pub.flush()
pub.sync()
h.check(ra.wait(lambda m: m.get("type") == "bar" and
                m["state"] == "live", 5) is not None, "a live bar arrives")
for b in unwanted[:2] + wanted[1:] + unwanted[2:]:
    pub.bar(**b)
pub.anomaly(symbol="AAPL", interval_s=60, start_ms=T0, kind="volume_spike",
            score=7.5, value=120000.0, threshold=5.0, ts_ns=T0 * 10 ** 6 + 5,
            exchange=0, source="demo", asset_class="stock")
pub.anomaly(symbol="MSFT", interval_s=60, start_ms=T0, kind="price_jump",
            score=9.0, value=1.0, threshold=6.0, ts_ns=T0 * 10 ** 6,
            exchange=0, source="demo", asset_class="stock")
sentinel = bar_fields("BTC-USD", 60, T0 + 60000, "closed", k=9,
                      asset_class="crypto")
pub.bar(**sentinel)
pub.flush()
pub.sync()
ra.wait(lambda m: m.get("type") == "bar" and
        m["symbol"] == "BTC-USD" and m["interval_s"] == 60, 10)
# Bars and anomalies are separate bus streams: either may come first.
ra.wait(lambda m: m.get("type") == "anomaly", 5)
bars = {key(m): m for m in ra.of("bar")}
want = {key(expected_json(b)): expected_json(b) for b in wanted +
        [sentinel]}
h.check(set(bars) == set(want), "bars: exactly the watched ones arrive",
        "got %s" % sorted(bars))
bad = []
for k, e in want.items():
    g = bars.get(k)
    if g is None:
        continue
    if set(g) != BAR_KEYS:
        bad.append("%s keys %s" % (k, sorted(set(g) ^ BAR_KEYS)))
    for f_, v in e.items():
        gv = g.get(f_)
        # Integers must come as JSON integers; doubles compare exactly.
        if gv != v or (isinstance(v, int) and not isinstance(gv, int)):
            bad.append("%s %s: want %r got %r" % (k, f_, v, gv))
h.check(not bad, "bars: every column as the store writes it", "; ".join(
    bad[:5]))
order = [key(m) for m in ra.of("bar")]
h.check(order.index(("AAPL", 60, T0, "closed")) <
        order.index(("AAPL", 60, T0, "corrected")),
        "bars: closed before its correction")
an = ra.of("anomaly")
h.check(len(an) == 1 and an[0]["symbol"] == "AAPL" and
        an[0]["kind"] == "volume_spike" and an[0]["score"] == 7.5 and
        an[0]["value"] == 120000 and an[0]["threshold"] == 5 and
        an[0]["interval_s"] == 60 and an[0]["start_ms"] == T0 and
        an[0]["ts_ns"] == T0 * 10 ** 6 + 5,
        "anomalies: the watched symbol's only", repr(an))

# "*": every symbol at the coarsest interval listed.
wb = ws_for(bob)
wb.connect()
rb = Reader(wb)
wb.send_json({"op": "watch", "symbols": ["*"], "intervals": [1, 60]})
rb.wait(lambda m: m.get("type") == "watching", 5)
pub.bar(**bar_fields("MSFT", 60, T0 + 60000, "closed", k=10))
pub.bar(**bar_fields("MSFT", 1, T0 + 60000, "closed", k=11))
pub.bar(**bar_fields("NVDA", 60, T0 + 60000, "live", k=12))
pub.anomaly(symbol="NVDA", interval_s=1, start_ms=T0, kind="large_trade",
            score=9.0, value=1.0, threshold=6.0, ts_ns=T0 * 10 ** 6,
            exchange=4, source="demo", asset_class="stock")
pub.flush()
pub.sync()
rb.wait(lambda m: m.get("type") == "anomaly", 10)
rb.wait(lambda m: m.get("type") == "bar" and m["symbol"] == "NVDA", 10)
got = sorted((m["symbol"], m["interval_s"]) for m in rb.of("bar"))
h.check(got == [("MSFT", 60), ("NVDA", 60)],
        "watch *: every symbol at the coarsest interval", repr(got))
h.check([m["symbol"] for m in rb.of("anomaly")] == ["NVDA"],
        "watch *: every symbol's anomalies")

# -- bus gaps -------------------------------------------------------------


def metric(name):
    r = mgr.get("/metrics")
    for ln in r.body.decode().splitlines():
        if ln.startswith(name + "{") or ln.startswith(name + " "):
            return float(ln.split()[-1])
    return None


gaps0 = metric("tapewatch_live_bus_gaps")
pub.drop(1)
pub.bar(**bar_fields("MSFT", 60, T0 + 120000, "closed", k=13))
pub.flush()
pub.bar(**bar_fields("MSFT", 60, T0 + 180000, "closed", k=14))
pub.flush()
pub.sync()
h.check(rb.wait(lambda m: m.get("type") == "bar" and
                m["start_ms"] == T0 + 180000, 5) is not None and
        not any(m.get("start_ms") == T0 + 120000 for m in rb.of("bar")),
        "a dropped bus message: the bar after it still arrives")
h.check(gaps0 is not None and
        h.wait_for(lambda: metric("tapewatch_live_bus_gaps") >= gaps0 + 1,
                   5), "a dropped bus message is counted as a gap",
        "before %r after %r" % (gaps0, metric("tapewatch_live_bus_gaps")))

# -- client messages ------------------------------------------------------

wb.send_json({"op": "ping"})
h.check(rb.wait(lambda m: m.get("type") == "pong", 5) is not None,
        "ping -> pong")
n_err = len(rb.of("error"))
wb.send_text("{not json")
wb.send_json({"op": "watch", "symbols": ["A" * 30], "intervals": [1]})
wb.send_frame(OP_BINARY, b"\x00\x01")
wb.send_text(json.dumps({"op": "ping", "pad": "x" * 5000}))
h.wait_for(lambda: len(rb.of("error")) >= n_err + 4, 5)
errs = [m["reason"] for m in rb.of("error")[n_err:]]
h.check(len(errs) == 4 and all(isinstance(e, str) and e for e in errs),
        "malformed messages each answered with an error", repr(errs))
wb.send_json({"op": "ping"})
time.sleep(0.3)
wb.send_json({"op": "watch", "symbols": ["*"], "intervals": [60]})
h.check(rb.wait(lambda m: m.get("type") == "watching" and
                m["intervals"] == [60], 5) is not None,
        "a malformed watch left the socket usable")
wm = ws_for(mgr)
wm.connect()
for i in range(10):
    wm.send_text("x")
code = wm.wait_closed(5)
h.check(code == 1008, "10 malformed in a row: close 1008", repr(code))

# -- a client that never reads --------------------------------------------

slow = ws_for(bob, rcvbuf=4096)
h.check(slow.connect(), "slow client connects")
slow.send_json({"op": "watch", "symbols": ["*"], "intervals": [60]})
time.sleep(0.5)
N = 12000
before = len(rb.of("bar"))
pub.gen(n=N, symbols=40, interval_s=60, start_ms=T0 + 3600000, rate=1500)
pub.sync(60)
h.wait_for(lambda: len(rb.of("bar")) >= before + N or wb.closed, 30)
gen = [m for m in rb.of("bar")[before:] if m["symbol"].startswith("G")]
h.check(len(gen) == N, "fast client got all %d bars while the slow one "
        "stalled" % N, "got %d, closed %r" % (len(gen), wb.close_code))
sample = [barpub.gen_bar(k, 40, 60, T0 + 3600000) for k in (0, 1, 999,
                                                             N - 1)]
ok = True
for g in sample:
    m = next((x for x in gen if x["symbol"] == g["symbol"] and
              x["start_ms"] == g["start_ms"]), None)
    if m is None or m["volume"] != g["volume"] or m["trades"] != g["trades"]\
            or m["close"] != (None if g["flags"] & 4 else g["close"] / SCALE):
        ok = False
h.check(ok, "fast client: generated bars carry barpub's values")
code = slow.wait_closed(20)
h.check(code in (1013, 1006), "slow client closed (1013 too slow, or cut "
        "off)", "code %r reason %r" % (code, slow.close_reason))
n_pong = len(rb.of("pong"))
wb.send_json({"op": "ping"})
h.check(h.wait_for(lambda: len(rb.of("pong")) > n_pong, 5) and
        not wb.closed, "the fast client is still connected")
m = mgr.get("/metrics")
dropped = [ln for ln in m.body.decode().splitlines()
           if ln.startswith("tapewatch_live_clients_dropped_slow")]
h.check(m.status == 200 and dropped and float(dropped[0].split()[-1]) >= 1,
        "metrics count the dropped client", repr(dropped))
hl = mgr.get("/api/health").json() or {}
h.check(isinstance(hl.get("live"), dict) and
        hl["live"].get("dropped_slow", 0) >= 1 and
        any(f.get("process") == "ingest-stock" for f in hl.get("feeds", [])),
        "health: live counters and feeds", repr(hl)[:300])

# -- sessions -------------------------------------------------------------

r = alice.post("/api/logout")
h.check(r.status in (200, 204), "alice logs out", repr(r))
h.check(h.wait_for(lambda: wa.closed, 5) and wa.close_code == 4401,
        "logout closes her socket with 4401", repr(wa.close_code))
n_pong = len(rb.of("pong"))
wb.send_json({"op": "ping"})
h.check(h.wait_for(lambda: len(rb.of("pong")) > n_pong, 5) and
        not wb.closed, "bob's socket stays open")
p = ui.authctl("logout", "bob")
h.check(p.returncode == 0, "authctl logout bob")
h.check(h.wait_for(lambda: wb.closed, 5) and wb.close_code == 4401,
        "a session ended elsewhere closes within the recheck",
        repr(wb.close_code))

# -- feed states ----------------------------------------------------------

wm = ws_for(mgr)
wm.connect()
rm = Reader(wm)
sim.stop(signal.SIGKILL)
st = rm.wait(lambda m: (stock_feed(m) or {}).get("state") ==
             "reconnecting", 15)
h.check(st is not None and stock_feed(st)["feed_status"] != "live",
        "feedsim gone: reconnecting", repr(stock_feed(st) if st else None))
collector.stop(signal.SIGKILL)
t_kill = time.monotonic()
st = rm.wait(lambda m: (stock_feed(m) or {}).get("state") == "stale", 20)
waited = time.monotonic() - t_kill
h.check(st is not None and 9 <= waited <= 13 * h.MULT,
        "collector gone: stale after about 10 s", "%.1f s" % waited)

rm.stop()
for x in (wm, wb, wa):
    x.close()
t, rc = ui.stop()
h.check(t is not None and rc == 0, "webui exits cleanly with clients "
        "around", "t=%r rc=%r" % (t, rc))
log = ui.log_text()
h.check(pw["alice"] not in log and "tw_session=" not in log,
        "no password or cookie in the log")
h.check("AddressSanitizer" not in log and "runtime error" not in log,
        "no sanitizer report")
h.finish()
