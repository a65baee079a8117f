"""feedsim's venue paths /coinbase, /kraken and /binance (docs/feedsim.md
"Venue paths"): the handshake, the acks, data messages' shapes and each
venue's side convention, heartbeats, the Coinbase 5 s subscribe deadline,
bad subscribes, faults, --log-sent, and that each venue carries the
trades of its own exchange of /crypto's market, and all of them.

Expectations come from the venues' documented protocols (research/feeds.md
§4) and from /crypto's own XT events, never from feedsim's venue code.
"""

import json
import time
from decimal import Decimal

import harness as h
from wsclient import WSClient

SYMS = "AAPL,BTC-USD,ETH-USD"
CB_SUB = {"type": "subscribe", "product_ids": ["BTC-USD", "ETH-USD"],
          "channels": ["matches", "ticker", "heartbeat"]}
KR_TRADE = {"method": "subscribe", "params": {
    "channel": "trade", "symbol": ["BTC/USD", "ETH/USD"],
    "snapshot": False}, "req_id": 11}
KR_TICKER = {"method": "subscribe", "params": {
    "channel": "ticker", "symbol": ["BTC/USD", "ETH/USD"],
    "event_trigger": "bbo"}, "req_id": 12}
BN_SUB = {"method": "SUBSCRIBE", "params": [
    "btcusdt@trade", "btcusdt@bookTicker", "ethusdt@trade",
    "ethusdt@bookTicker"], "id": 1}


def connect(sim, path):
    ws = WSClient(sim.port, path=path, protocol=None, tls=False)
    ok = ws.connect()
    h.check(ok, "%s: the WebSocket upgrade succeeds" % path)
    return ws


def recv(ws, timeout):
    """The next message parsed with exact decimals, or None."""
    m = ws.recv(timeout)
    if m is None:
        return None
    return json.loads(m[1].decode(), parse_float=Decimal)


def drain(ws, seconds):
    out, end = [], time.monotonic() + seconds
    while time.monotonic() < end:
        m = recv(ws, min(0.3, max(0.01, end - time.monotonic())))
        if m is None:
            if ws.closed:
                break
            continue
        out.append(m)
    return out


def ms_of(iso):
    """'2021-10-02T20:34:01.789000Z' -> Unix ms."""
    import calendar
    day, _, rest = iso.partition("T")
    hms, _, frac = rest.rstrip("Z").partition(".")
    t = calendar.timegm(time.strptime(day + "T" + hms, "%Y-%m-%dT%H:%M:%S"))
    return t * 1000 + int((frac + "000000")[:6]) // 1000


def number(x):
    """A JSON number (parsed with Decimal floats), not a string or bool."""
    return isinstance(x, (int, Decimal)) and not isinstance(x, bool)


def polygon_side(c):
    """feeds.md §3.1: XT c [2] Buy Side, [1] Sell Side, else none."""
    c = c or []
    return "buy" if 2 in c else "sell" if 1 in c else None


def test_one_market():
    env = h.Env("venues")
    sim = env.feedsim("--rate", "1600", "--seed", "5", "--symbols", SYMS)
    crypto = connect(sim, "/crypto")
    h.check(recv(crypto, 5)[0]["status"] == "connected",
            "/crypto: still greets with connected")
    crypto.send_json({"action": "auth", "params": "anykey"})
    recv(crypto, 5)
    crypto.send_json({"action": "subscribe", "params": "XT.*"})
    recv(crypto, 5)

    cb = connect(sim, "/coinbase")
    kr = connect(sim, "/kraken")
    bn = connect(sim, "/binance")
    cb.send_json(CB_SUB)
    ack = recv(cb, 5)
    want = [{"name": n, "product_ids": ["BTC-USD", "ETH-USD"]}
            for n in ("matches", "ticker", "heartbeat")]
    h.check(ack == {"type": "subscriptions", "channels": want},
            "coinbase: subscribe is answered with the subscriptions",
            str(ack))
    kr.send_json(KR_TRADE)
    kr.send_json(KR_TICKER)
    # Trade updates may come between the acks, as on Kraken itself: the
    # trade channel is live before the ticker subscribe is answered.
    acks, end = [], time.monotonic() + 5 * h.MULT
    while len(acks) < 4 and time.monotonic() < end:
        m = recv(kr, 1)
        if m is not None and "channel" not in m:
            acks.append(m)
    ok = all(a and a.get("method") == "subscribe" and a.get("success") is
             True and "time_in" in a and "time_out" in a for a in acks)
    got = sorted((a["result"]["channel"], a["result"]["symbol"],
                  a["req_id"], a["result"].get("event_trigger"))
                 for a in acks if ok)
    h.check(ok and got == [
        ("ticker", "BTC/USD", 12, "bbo"), ("ticker", "ETH/USD", 12, "bbo"),
        ("trade", "BTC/USD", 11, None), ("trade", "ETH/USD", 11, None)],
        "kraken: one success per channel and symbol, req_id echoed",
        str(acks))
    bn.send_json(BN_SUB)
    h.check(recv(bn, 5) == {"result": None, "id": 1},
            "binance: SUBSCRIBE is answered {result: null, id: 1}")

    window = 5 * h.MULT
    time.sleep(window)
    got = {}
    for name, ws in (("crypto", crypto), ("coinbase", cb), ("kraken", kr),
                     ("binance", bn)):
        got[name] = drain(ws, 1.5 * h.MULT)

    # /crypto: frames are arrays of XT events.
    xt = {}
    for frame in got["crypto"]:
        for ev in frame if isinstance(frame, list) else []:
            if ev.get("ev") == "XT":
                xt[(ev["pair"], ev["t"], Decimal(ev["p"]),
                    Decimal(ev["s"]))] = (polygon_side(ev.get("c")),
                                          ev.get("x"))

    # Coinbase.
    cbm = [m for m in got["coinbase"] if m.get("type") == "match"]
    tick = [m for m in got["coinbase"] if m.get("type") == "ticker"]
    hb = [m for m in got["coinbase"] if m.get("type") == "heartbeat"]
    keys = {"type", "trade_id", "maker_order_id", "taker_order_id", "side",
            "size", "price", "product_id", "sequence", "time"}
    h.check(len(cbm) > 20 and all(set(m) == keys and
                                  isinstance(m["price"], str) and
                                  isinstance(m["size"], str) and
                                  m["side"] in ("buy", "sell") and
                                  len(m["maker_order_id"]) == 36
                                  for m in cbm),
            "coinbase: match messages with Coinbase's fields, strings for "
            "price and size", "%d matches; %s" % (len(cbm), cbm[:1]))
    h.check(len(tick) > 20 and all(
        isinstance(m["best_bid"], str) and isinstance(m["best_ask"], str)
        and Decimal(m["best_bid"]) < Decimal(m["best_ask"]) and
        "best_bid_size" in m and "best_ask_size" in m and "price" in m
        and "sequence" in m and "time" in m for m in tick),
        "coinbase: ticker messages carry the best bid and ask",
        str(tick[:1]))
    seqs = {}
    for m in got["coinbase"]:
        if m.get("type") not in ("match", "ticker"):
            continue
        seqs.setdefault(m["product_id"], []).append(m["sequence"])
    h.check(all(s == sorted(s) and len(set(s)) == len(s)
                for s in seqs.values()),
            "coinbase: sequence rises per product")
    per = {p: [m for m in hb if m["product_id"] == p]
           for p in ("BTC-USD", "ETH-USD")}
    h.check(all(len(v) >= window - 1 for v in per.values()) and all(
        set(m) == {"type", "sequence", "last_trade_id", "product_id", "time"}
        for m in hb),
        "coinbase: a heartbeat a second per product",
        "%s in %.0f s" % ({p: len(v) for p, v in per.items()}, window))

    # Kraken.
    krt = [d for m in got["kraken"] if m.get("channel") == "trade"
           for d in m["data"]]
    krq = [d for m in got["kraken"] if m.get("channel") == "ticker"
           for d in m["data"]]
    nhb = sum(1 for m in got["kraken"] if m == {"channel": "heartbeat"})
    h.check(len(krt) > 20 and all(
        number(d["price"]) and number(d["qty"])
        and d["side"] in ("buy", "sell") and isinstance(d["trade_id"], int)
        and d["symbol"] in ("BTC/USD", "ETH/USD") and "timestamp" in d
        for d in krt) and all(m.get("type") == "update"
                              for m in got["kraken"] if "data" in m),
        "kraken: trade updates with numbers as JSON numbers",
        str(krt[:1]))
    h.check(len(krq) > 20 and all(
        number(d["bid"]) and number(d["volume"]) and d["bid"] < d["ask"] and
        {"bid_qty", "ask_qty", "last", "volume", "vwap", "low", "high",
         "change", "change_pct"} <= set(d) for d in krq),
        "kraken: ticker (bbo) updates carry bid, ask and the figures",
        str(krq[:1]))
    h.check(nhb >= window - 1, "kraken: a heartbeat a second",
            "%d in %.0f s" % (nhb, window))

    # Binance.
    bnt = [m for m in got["binance"] if m.get("e") == "trade"]
    bnq = [m for m in got["binance"] if "u" in m]
    h.check(len(bnt) > 20 and all(
        set(m) == {"e", "E", "s", "t", "p", "q", "T", "m", "M"} and
        isinstance(m["p"], str) and isinstance(m["m"], bool) and
        m["s"] in ("BTCUSDT", "ETHUSDT") and len(m["p"].split(".")[1]) == 8
        for m in bnt), "binance: trade events, 8-decimal strings, BTCUSDT",
        str(bnt[:1]))
    h.check(len(bnq) > 20 and all(
        set(m) == {"u", "s", "b", "B", "a", "A"} and
        Decimal(m["b"]) < Decimal(m["a"]) for m in bnq),
        "binance: bookTicker events without an event time", str(bnq[:1]))

    # The same trades everywhere, each venue with its side convention.
    def canon(s):
        return {"BTC/USD": "BTC-USD", "ETH/USD": "ETH-USD",
                "BTCUSDT": "BTC-USD", "ETHUSDT": "ETH-USD"}.get(s, s)

    venue = {
        "coinbase": {(m["product_id"], m["trade_id"]): (
            ms_of(m["time"]), Decimal(m["price"]), Decimal(m["size"]),
            "buy" if m["side"] == "sell" else "sell") for m in cbm},
        "kraken": {(canon(d["symbol"]), d["trade_id"]): (
            ms_of(d["timestamp"]), d["price"], d["qty"], d["side"])
            for d in krt},
        "binance": {(canon(m["s"]), m["t"]): (
            m["T"], Decimal(m["p"]), Decimal(m["q"]),
            "sell" if m["m"] else "buy") for m in bnt},
    }
    # Each venue is one exchange of /crypto's market (docs/feedsim.md).
    exchange = {"coinbase": 1, "kraken": 2, "binance": 1}
    # Only the span both saw: /crypto was drained first. Venue times run
    # up to 200 ms behind the send order, hence the margin.
    span = {}
    for (sym, t, _, _) in xt:
        lo, hi = span.get(sym, (t, t))
        span[sym] = (min(lo, t), max(hi, t))
    for name, trades in venue.items():
        found = sided = agree = considered = other = 0
        for (sym, _), (t, p, s, side) in trades.items():
            lo, hi = span.get(sym, (0, -1))
            if not lo + 300 <= t <= hi - 300:
                continue
            considered += 1
            if (sym, t, p, s) not in xt:
                continue
            found += 1
            xside, x = xt[(sym, t, p, s)]
            other += x != exchange[name]
            if xside is not None:
                sided += 1
                agree += xside == side
        h.check(found >= 0.98 * considered and found > 10,
                "venues: %s's trades are /crypto's XT trades" % name,
                "%d of %d found in %d XT" % (found, considered, len(xt)))
        h.check(other == 0, "venues: %s carries exchange %d's trades only"
                % (name, exchange[name]), "%d of another" % other)
        h.check(sided > 10 and agree == sided,
                "venues: %s's aggressor agrees with XT c ([2] buy, [1] "
                "sell)" % name, "%d of %d agree" % (agree, sided))
    # And the other way: /crypto's trades of a venue's exchange, inside
    # the span, all reach the venue (nothing withheld).
    for name, trades in venue.items():
        seen = {(sym, t, p, s) for (sym, _), (t, p, s, _) in
                trades.items()}
        vt = [t for (sym, _), (t, _, _, _) in trades.items()]
        if not vt:
            h.check(False, "venues: %s sent trades" % name)
            continue
        lo, hi = min(vt) + 300, max(vt) - 300
        want = [k for k, (_, x) in xt.items() if x == exchange[name] and
                lo <= k[1] <= hi and k[0] in {s for (s, _) in trades}]
        miss = [k for k in want if k not in seen]
        h.check(len(want) > 10 and not miss, "venues: every XT trade of "
                "exchange %d reaches %s" % (exchange[name], name),
                "%d of %d missing" % (len(miss), len(want)))
    for ws in (crypto, cb, kr, bn):
        ws.close()
    env.close()


def test_deadline_and_errors():
    env = h.Env("venues-errors")
    sim = env.feedsim("--rate", "100", "--symbols", SYMS)
    idle = connect(sim, "/coinbase")
    busy = connect(sim, "/coinbase")
    busy.send_json({"type": "subscribe", "product_ids": ["BTC-USD"],
                    "channels": [{"name": "heartbeat",
                                  "product_ids": ["ETH-USD"]}]})
    ack = recv(busy, 5)
    h.check(ack == {"type": "subscriptions", "channels": [
        {"name": "heartbeat", "product_ids": ["ETH-USD"]}]},
        "coinbase: a channel object with its own product_ids", str(ack))
    t0 = time.monotonic()
    err = recv(idle, 10 * h.MULT)
    code = idle.wait_closed(5 * h.MULT)
    took = time.monotonic() - t0
    h.check(err is not None and err.get("type") == "error" and
            code == 1008 and 4.0 <= took <= 5.0 + 2 * h.MULT,
            "coinbase: no subscribe within 5 s: an error, then close 1008",
            "%s code %s after %.1f s" % (err, code, took))
    m = busy.wait_for(lambda m: m.get("type") == "heartbeat", 3 * h.MULT)
    h.check(m is not None and not busy.closed and
            m["product_id"] == "ETH-USD",
            "coinbase: a subscribed client stays past 5 s")

    busy.send_json({"type": "subscribe", "product_ids": ["DOGE-EUR"],
                    "channels": ["matches"]})
    m = busy.wait_for(lambda m: m.get("type") == "error", 5)
    h.check(m is not None and m.get("message") == "Failed to subscribe" and
            "DOGE-EUR" in m.get("reason", ""),
            "coinbase: an unknown product: Failed to subscribe, why",
            str(m))
    busy.send_text("{not json")
    m = busy.wait_for(lambda m: m.get("type") == "error", 5)
    h.check(m is not None and not busy.closed,
            "coinbase: invalid JSON: an error, the connection stays")

    kr = connect(sim, "/kraken")
    kr.send_json({"method": "subscribe", "params": {
        "channel": "trade", "symbol": ["BTC/USD", "XBT/EUR"]}, "req_id": 3})
    acks = [recv(kr, 5), recv(kr, 5)]
    bad = [a for a in acks if a and a.get("success") is False]
    good = [a for a in acks if a and a.get("success") is True]
    h.check(len(good) == 1 and len(bad) == 1 and
            bad[0].get("symbol") == "XBT/EUR" and "error" in bad[0] and
            bad[0].get("req_id") == 3 and good[0]["result"]["symbol"] ==
            "BTC/USD", "kraken: an unknown symbol fails alone, with error",
            str(acks))
    kr.send_json({"method": "ping", "req_id": 99})
    m = kr.wait_for(lambda m: m.get("method") == "pong", 5)
    h.check(m is not None and m.get("req_id") == 99 and "time_in" in m and
            "time_out" in m, "kraken: ping -> pong with req_id", str(m))
    kr.send_json({"method": "subscribe", "params": {
        "channel": "book", "symbol": ["BTC/USD"]}})
    m = kr.wait_for(lambda m: m.get("success") is False, 5)
    h.check(m is not None and m.get("error"),
            "kraken: a channel feedsim does not serve: success false")

    bn = connect(sim, "/binance")
    bn.send_json({"method": "SUBSCRIBE", "params": ["btcusd@trade"],
                  "id": 7})
    m = recv(bn, 5)
    h.check(m is not None and m.get("code") == 2 and m.get("id") == 7 and
            "msg" in m, "binance: BTCUSD is no Binance symbol: code 2",
            str(m))
    bn.send_json({"method": "SUBSCRIBE", "params": ["ethusdt@trade"],
                  "id": "x1"})
    h.check(recv(bn, 5) == {"result": None, "id": "x1"},
            "binance: a string id is echoed")
    bn.send_json({"method": "LIST_SUBSCRIPTIONS", "id": 8})
    m = bn.wait_for(lambda m: m.get("id") == 8, 5)
    h.check(m == {"result": ["ethusdt@trade"], "id": 8},
            "binance: LIST_SUBSCRIPTIONS", str(m))
    bn.send_text("[[[")
    m = bn.wait_for(lambda m: "code" in m, 5)
    h.check(m is not None and m.get("code") == 3,
            "binance: invalid JSON: code 3", str(m))
    bn.send_frame(0x2, b"\x00\x01")
    m = bn.wait_for(lambda m: "code" in m, 5)
    h.check(m is not None and not bn.closed,
            "binance: a binary frame: an error, the connection stays")
    for ws in (busy, kr, bn):
        ws.close()
    log = sim.log_text()
    h.check("subscribe timeout conn=" in log and "venue=kraken" in log,
            "feedsim logs the venue subscribes and the deadline")
    env.close()


def test_faults_and_log():
    env = h.Env("venues-faults")
    sent = env.path("sent.log")
    sim = env.feedsim("--rate", "400", "--symbols", "BTC-USD",
                      "--malformed-every", "4", "--log-sent", sent)
    bn = connect(sim, "/binance")
    bn.send_json({"method": "SUBSCRIBE", "params": ["btcusdt@trade",
                                                     "btcusdt@bookTicker"],
                  "id": 1})
    msgs = []
    end = time.monotonic() + 3 * h.MULT
    while time.monotonic() < end and len(msgs) < 200:
        m = bn.recv(1)
        if m is not None:
            msgs.append(m[1].decode("utf-8", "replace"))
    bad = 0
    for text in msgs[1:]:
        try:
            json.loads(text)
        except ValueError:
            bad += 1
    n = len(msgs) - 1
    h.check(n >= 40 and 0.15 * n <= bad <= 0.35 * n and not bn.closed,
            "faults: --malformed-every 4 breaks a quarter of the venue's "
            "data frames, the stream goes on", "%d of %d bad" % (bad, n))
    bn.close()
    sim.stop()
    lines = open(sent, encoding="utf-8", errors="replace").read().split("\n")
    h.check('{"result":null,"id":1}' in lines and
            any(line.startswith('{"e":"trade"') for line in lines),
            "--log-sent: venue frames are logged one per line, as sent")
    env.close()

    env = h.Env("venues-stall")
    sim = env.feedsim("--rate", "400", "--symbols", "BTC-USD",
                      "--stall-every", "2", "--stall-for", "1.5")
    kr = connect(sim, "/kraken")
    kr.send_json(KR_TRADE)
    gaps, last = [], None
    end = time.monotonic() + 5 * h.MULT
    while time.monotonic() < end:
        m = kr.recv(0.5)
        now = time.monotonic()
        if m is not None and b'"channel":"trade"' in m[1] and \
                b'"update"' in m[1]:
            if last is not None:
                gaps.append(now - last)
            last = now
    h.check(len(gaps) > 20 and max(gaps) >= 1.2,
            "faults: --stall-every holds the venue's data too",
            "longest gap %.2f s" % (max(gaps) if gaps else -1))
    kr.close()
    env.close()


test_one_market()
test_deadline_and_errors()
test_faults_and_log()
h.finish()
