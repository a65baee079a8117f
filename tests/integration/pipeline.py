"""The whole tick-to-bar pipeline on a recording, for the end-to-end tests.

feedsim replays tests/data/recordings/demo.jsonl.gz to both collectors,
which publish to the aggregator; the bars it publishes (or the store keeps)
are compared with bars_ref.py's, computed from the same recording.
"""

import base64
import gzip
import json
import os

import harness as h
from bars_ref import close, compute
from polygon_ref import expected_ticks

RECORDING = os.path.join(h.TOP, "tests", "data", "recordings",
                         "demo.jsonl.gz")
INTERVALS = (1, 60)
FIELDS = ("open", "high", "low", "close", "volume", "vwap", "trades",
          "buy_volume", "sell_volume", "buy_trades", "sell_trades",
          "quotes", "spread_mean", "spread_min", "spread_max", "spread_bps",
          "delta_min", "delta_max", "n_declared", "n_inferred", "n_unknown",
          "n_compared", "n_agree", "gap")


def unpack_recording(env):
    """Writes the recording to the scenario's directory; its path."""
    path = env.path("demo.jsonl")
    with gzip.open(RECORDING, "rb") as src, open(path, "wb") as dst:
        dst.write(src.read())
    return path


def expected_bars(path, source="demo"):
    """{(symbol, interval_s, start_ms): row} from the recording."""
    events = {"stock": [], "crypto": []}
    for line in open(path, "rb"):
        rec = json.loads(line)
        frame = rec.get("frame")
        if frame is None:
            frame = base64.b64decode(rec["frame_b64"]).decode(
                "utf-8", "replace")
        for asset in events:
            for t in expected_ticks(frame, asset):
                t["source"] = source
                events[asset].append(t)
    out = {}
    for asset in events:
        bars = compute(events[asset], INTERVALS)
        last_ms = max(t["ts_ns"] for t in events[asset]) // 10 ** 6
        # A bar still open when the recording ends closes on the wall
        # clock only after what is left of its interval: not waited for.
        out.update({k: v for k, v in bars.items()
                    if k[2] + k[1] * 1000 <= last_ms + 10000})
    return out


def start_pipeline(env, with_store=False):
    """Collectors and aggregator on a port feedsim will take; returns the
    feed port. The caller starts feedsim once its readers are up."""
    port = h.free_port()
    for prog, path in (("ingest-stock", "stocks"),
                       ("ingest-crypto", "crypto")):
        env.start(prog, [prog, "--url", "ws://127.0.0.1:%d/%s" % (port,
                                                                 path),
                         "--symbols", "*"])
    env.start("aggregator", ["aggregator"])
    return port


def bar_mismatches(want, got, limit=5):
    """Differences between expected rows and got rows (same keys)."""
    bad = []
    for key, w in sorted(want.items()):
        g = got.get(key)
        if g is None:
            bad.append("%s missing" % (key,))
        else:
            for f in FIELDS:
                if not close(w[f], g.get(f), rel=1e-9, abs_=2e-9):
                    bad.append("%s %s: want %r got %r" % (key, f, w[f],
                                                          g.get(f)))
                    break
        if len(bad) >= limit:
            break
    extra = sorted(set(got) - set(want))
    if extra:
        bad.append("%d unexpected bars, e.g. %s" % (len(extra), extra[:3]))
    return bad


def bars_from_tap(tap):
    """The newest closed or corrected version of every bar bustap saw."""
    out = {}
    for r in tap.records(lambda r: r.get("kind") == "bar" and
                         r["state"] in ("closed", "corrected")):
        key = (r["symbol"], r["interval_s"], r["start_ms"])
        if key in out and out[key]["revision"] > r["revision"]:
            continue
        row = dict(r)
        nop = row["flags"] & 4      # BAR_F_NO_PRICE
        nospread = row["flags"] & 8  # BAR_F_NO_SPREAD
        for f in ("open", "high", "low", "close"):
            row[f] = None if nop else float(row[f])
        row["vwap"] = float(row["vwap"]) if row["volume"] else None
        for f in ("spread_mean", "spread_min", "spread_max"):
            row[f] = None if nospread else float(row[f])
        row["spread_bps"] = None if nospread else float(row["spread_bps"])
        row["gap"] = 1 if row["flags"] & 1 else 0
        for f in ("volume", "buy_volume", "sell_volume", "delta_min",
                  "delta_max"):
            row[f] = float(row[f])
        out[key] = row
    return out
