#!/usr/bin/env python3
"""livewatch: a /live client for tests and the latency benchmark.

Logs in to webui over HTTPS (or takes a session cookie), opens /live,
watches symbols, and prints one JSON line per bar received:

  {"recv_ms":..., "state":"live", "symbol":"AAPL", "interval_s":1,
   "start_ms":..., "updated_ms":..., "last_ts_ms":...,
   "agg_ms": recv - updated_ms,      (aggregator published -> here)
   "event_ms": recv - last_ts_ns/1e6 (last tick's event time -> here)}

and, with --summary, one line of percentiles at the end (live bars only
unless --all-states):

  {"summary":true, "bars":N, "agg_ms":{"p50":..,"p99":..,"max":..},
   "event_ms":{...}, "closed_by_server":null}

Usage:
  livewatch.py --url https://127.0.0.1:8443 --user alice \\
      --symbols AAPL,BTC-USD --intervals 1 --duration 60 --summary \\
      < password-file
  livewatch.py --url ... --cookie-file FILE ...   (the cookie's NAME=VALUE)

The password is read from stdin (never from the command line). Both clocks
are this host's wall clock, so run it on webui's host. Exit status: 0, or 1
when login or the upgrade failed or the server closed the socket.
"""

import argparse
import http.client
import json
import os
import ssl
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "integration"))
from wsclient import WSClient  # noqa: E402


def context():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def login(host, port, tls, user, password):
    """The session cookie (NAME=VALUE) from POST /api/login, or None."""
    conn = (http.client.HTTPSConnection(host, port, context=context(),
                                        timeout=30) if tls else
            http.client.HTTPConnection(host, port, timeout=30))
    body = json.dumps({"username": user, "password": password})
    conn.request("POST", "/api/login", body=body,
                 headers={"Content-Type": "application/json"})
    r = conn.getresponse()
    r.read()
    if r.status != 200:
        print("livewatch: login failed: %d" % r.status, file=sys.stderr)
        return None
    for k, v in r.getheaders():
        if k.lower() == "set-cookie":
            return v.split(";", 1)[0].strip()
    return None


def pct(xs, p):
    if not xs:
        return None
    xs = sorted(xs)
    k = min(len(xs) - 1, max(0, int(round(p / 100.0 * len(xs) + 0.5)) - 1))
    return xs[k]


def stats(xs):
    return {"p50": pct(xs, 50), "p90": pct(xs, 90), "p99": pct(xs, 99),
            "max": max(xs) if xs else None, "n": len(xs)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--url", required=True, help="https://HOST:PORT")
    ap.add_argument("--user")
    ap.add_argument("--cookie-file")
    ap.add_argument("--symbols", default="*")
    ap.add_argument("--intervals", default="1")
    ap.add_argument("--duration", type=float, default=0,
                    help="seconds (0: until the server closes)")
    ap.add_argument("--summary", action="store_true")
    ap.add_argument("--quiet", action="store_true",
                    help="no per-bar lines")
    ap.add_argument("--all-states", action="store_true",
                    help="count closed and corrected bars in the summary")
    a = ap.parse_args()

    u = urllib.parse.urlsplit(a.url)
    tls = u.scheme == "https"
    host = u.hostname or "127.0.0.1"
    port = u.port or (443 if tls else 80)
    if a.cookie_file:
        with open(a.cookie_file) as f:
            cookie = f.read().strip()
    elif a.user:
        password = sys.stdin.readline().rstrip("\n")
        cookie = login(host, port, tls, a.user, password)
    else:
        ap.error("--user or --cookie-file")
    if not cookie:
        return 1
    origin = "%s://%s:%d" % (u.scheme, host, port)
    ws = WSClient(port, host=host, cookie=cookie, origin=origin, tls=tls,
                  timeout=30)
    if not ws.connect():
        print("livewatch: upgrade refused: %s" % ws.status, file=sys.stderr)
        return 1
    ws.send_json({"op": "watch", "symbols": a.symbols.split(","),
                  "intervals": [int(x) for x in a.intervals.split(",")]})
    agg, event = [], []
    end = time.monotonic() + a.duration if a.duration > 0 else None
    out = sys.stdout
    while not ws.closed:
        left = 1.0 if end is None else end - time.monotonic()
        if left <= 0:
            break
        m = ws.recv(min(left, 1.0))
        if m is None:
            continue
        recv_ms = time.time() * 1000.0
        msg = json.loads(m[1])
        if msg.get("type") == "error":
            print("livewatch: server: %s" % msg.get("reason"),
                  file=sys.stderr)
            continue
        if msg.get("type") != "bar":
            continue
        upd = msg.get("updated_ms") or 0
        last = (msg.get("last_ts_ns") or 0) / 1e6
        rec = {"recv_ms": round(recv_ms, 3), "state": msg["state"],
               "symbol": msg["symbol"], "interval_s": msg["interval_s"],
               "start_ms": msg["start_ms"], "updated_ms": upd,
               "last_ts_ms": round(last, 3),
               "agg_ms": round(recv_ms - upd, 3) if upd else None,
               "event_ms": round(recv_ms - last, 3) if last else None}
        if msg["state"] == "live" or a.all_states:
            if rec["agg_ms"] is not None:
                agg.append(rec["agg_ms"])
            if rec["event_ms"] is not None:
                event.append(rec["event_ms"])
        if not a.quiet:
            out.write(json.dumps(rec) + "\n")
            out.flush()
    closed = ws.close_code if ws.closed else None
    if not ws.closed:
        ws.close()
    if a.summary:
        out.write(json.dumps({"summary": True, "bars": len(agg),
                              "agg_ms": stats(agg),
                              "event_ms": stats(event),
                              "closed_by_server": closed}) + "\n")
    return 1 if closed is not None else 0


if __name__ == "__main__":
    sys.exit(main())
