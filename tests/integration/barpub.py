"""barpub from Python: a stand-in aggregator for tests of the store (and of
anything else that consumes bars, anomalies, side checks and replays).

barpub (tests/tools/barpub.c) publishes what it is told on the aggregator's
bus endpoint and serves replays with the aggregator's own code
(aggregator/history.c, replay.c). This module starts it, talks to it, and
computes independently what its generated bars are (gen_bar below is the
formula of barpub.c's gen_bar(), written again) and what the store must
have written for a bar (bar_row).

    pub = BarPub(env)                     # on env's aggregator endpoints
    pub.bar(symbol="AAPL", interval_s=60, start_ms=..., close=..., ...)
    pub.gen(n=1000, symbols=10, interval_s=1, start_ms=T)
    pub.sync()                            # all of the above is published
"""

import json
import os
import queue
import subprocess
import threading

import harness as h

TOOLS = os.path.join(os.environ.get("TW_BUILD_DIR") or
                     os.path.dirname(h.BIN), "tools")

SCALE = 10 ** 9
F_GAP, F_LATE, F_NO_PRICE, F_NO_SPREAD = 1, 2, 4, 8


class _Proc(h.Proc):
    """h.Proc with a pipe to stdin."""

    def __init__(self, env, name, argv):
        self.name = name
        self.log_path = os.path.join(env.dir, name + ".log")
        self.log = open(self.log_path, "ab")
        self.p = subprocess.Popen(argv, env=env.vars, stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=self.log,
                                  cwd=env.dir)
        self.pid = self.p.pid


class BarPub:
    def __init__(self, env, name="barpub", bus=None, replay=None, *args):
        self.bus = bus or env.bus_url("aggregator")
        self.replay = replay or env.bus_url("aggregator-replay")
        self.proc = _Proc(env, name, [os.path.join(TOOLS, "barpub"),
                                      "--bus", self.bus,
                                      "--replay", self.replay] + list(args))
        env.procs.append(self.proc)
        self.lines = queue.Queue()
        self.sync_id = 0
        threading.Thread(target=self._read, daemon=True).start()
        self.ready = self._next(10)
        self.publisher_id = self.ready["publisher_id"]

    def _read(self):
        for raw in self.proc.p.stdout:
            self.lines.put(json.loads(raw))

    def _next(self, timeout):
        return self.lines.get(timeout=timeout * h.MULT)

    def send(self, obj):
        self.proc.p.stdin.write((json.dumps(obj) + "\n").encode())
        self.proc.p.stdin.flush()

    def bar(self, **fields):
        self.send(dict(op="bar", **fields))

    def anomaly(self, **fields):
        self.send(dict(op="anomaly", **fields))

    def side_check(self, **fields):
        self.send(dict(op="side_check", **fields))

    def gen(self, n, symbols, interval_s, start_ms, first=0, rate=0):
        self.send(dict(op="gen", n=n, symbols=symbols, interval_s=interval_s,
                       start_ms=start_ms, first=first, rate=rate))

    def flush(self):
        self.send(dict(op="flush"))

    def drop(self, messages=1):
        """The next messages are numbered but not sent: a bus gap."""
        self.send(dict(op="drop", messages=messages))

    def sync(self, timeout=30):
        """Waits until everything sent is published; returns the counters."""
        self.sync_id += 1
        self.send(dict(op="sync", id=self.sync_id))
        while True:
            r = self._next(timeout)
            if r.get("sync") == self.sync_id:
                return r

    def stop(self, sig=None):
        return self.proc.stop() if sig is None else self.proc.stop(sig)


def gen_bar(k, symbols, interval_s, start_ms):
    """Generated bar k as barpub makes it, as a dict of struct bar fields."""
    flags = ((F_GAP if k % 17 == 0 else 0) |
             (F_NO_PRICE if k % 23 == 0 else 0) |
             (F_NO_SPREAD if k % 10 == 0 else 0))
    start = start_ms + (k // symbols) * interval_s * 1000
    end = start + interval_s * 1000
    base = 100 * SCALE + (k % 1000) * 10 ** 7
    priced = not flags & F_NO_PRICE
    spread = not flags & F_NO_SPREAD
    smin = 10 ** 7 + (k % 9) * 10 ** 6
    b = dict(symbol="G%03d" % (k % symbols), source="demo",
             asset_class="crypto", state="closed", flags=flags,
             interval_s=interval_s, revision=0, start_ms=start,
             open=base if priced else 0,
             high=base + 5 * 10 ** 7 if priced else 0,
             low=base - 3 * 10 ** 7 if priced else 0,
             close=base + 10 ** 7 if priced else 0,
             vwap=base + 2 * 10 ** 7 if priced else 0,
             buy_volume=(k % 7) + 0.25, sell_volume=(k % 5) + 0.125,
             trades=k % 50 + 1, quotes=k % 20,
             spread_min=smin if spread else 0,
             spread_max=smin + 4 * 10 ** 7 if spread else 0,
             spread_mean=smin + 10 ** 7 if spread else 0,
             spread_bps=(k % 13) * 0.5 if spread else 0.0,
             delta_min=-(k % 11) * 0.5, delta_max=(k % 7) * 0.25,
             n_declared=k % 5, n_inferred=k % 3, n_unknown=k % 2,
             n_compared=k % 4, n_agree=(k % 4) // 2,
             n_unknown_conditions=k % 6,
             first_ts_ns=start * 10 ** 6 + 1000,
             last_ts_ns=end * 10 ** 6 - 1000,
             updated_ns=end * 10 ** 6 + 500 * 10 ** 6)
    b["volume"] = b["buy_volume"] + b["sell_volume"] + 1.0
    b["buy_trades"] = b["trades"] // 2
    b["sell_trades"] = b["trades"] - b["buy_trades"]
    return b


BAR_COLUMNS = (
    "symbol", "interval_s", "start_ms", "open", "high", "low", "close",
    "volume", "vwap", "trades", "buy_volume", "sell_volume", "buy_trades",
    "sell_trades", "quotes", "spread_mean", "spread_min", "spread_max",
    "spread_bps", "delta_min", "delta_max", "n_declared", "n_inferred",
    "n_unknown", "n_compared", "n_agree", "n_unknown_conditions", "gap",
    "late", "revision", "source", "asset_class", "first_ts_ns",
    "last_ts_ns", "updated_ms")


def bar_row(b):
    """What the store must write for bar b (docs/store.md's rules)."""
    flags = b.get("flags", 0)
    priced = not flags & F_NO_PRICE
    spread = not flags & F_NO_SPREAD

    def px(key, present):
        return b.get(key, 0) / SCALE if present else None

    row = {k: b.get(k, 0) for k in BAR_COLUMNS}
    row.update(symbol=b["symbol"], source=b.get("source", "demo"),
               asset_class=b.get("asset_class", "crypto"),
               open=px("open", priced), high=px("high", priced),
               low=px("low", priced), close=px("close", priced),
               vwap=px("vwap", b.get("volume", 0) > 0),
               spread_mean=px("spread_mean", spread),
               spread_min=px("spread_min", spread),
               spread_max=px("spread_max", spread),
               spread_bps=float(b.get("spread_bps", 0)) if spread else None,
               gap=1 if flags & F_GAP else 0,
               late=1 if flags & F_LATE else 0,
               updated_ms=b.get("updated_ns", 0) // 10 ** 6)
    for k in ("volume", "buy_volume", "sell_volume", "delta_min",
              "delta_max"):
        row[k] = float(b.get(k, 0))
    return row
