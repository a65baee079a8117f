"""What a keyless venue's message should become on the bus, written from
feeds.md §4 and each venue's documentation, independently of the C
parsers (common/coinbase.c, kraken.c, binance.c).

expected_ticks(text, venue) returns the ticks, as dicts with bustap's
field names, for one message as sent (a --log-sent line of feedsim). A
message of another venue, a control message or a broken one gives [].
ts_ns is None where the venue sends no event time (the collector stamps
the receive time, which only it knows).

The side rules, the point of this file:
  coinbase "match".side is the maker's side: the aggressor is the other
  kraken   trade "side" is the taker's side: the aggressor
  binance  "m" (is the buyer the maker) true: the aggressor sold
"""

import json
from datetime import datetime, timezone
from decimal import Decimal

QUOTES = ("USDT", "USDC", "FDUSD", "TUSD", "BUSD", "BTC", "ETH", "BNB",
          "EUR", "TRY")


def rfc3339_ns(text):
    """'2021-10-02T20:34:01.789371Z' -> ns, digits beyond nine dropped."""
    if not text.endswith("Z"):
        raise ValueError(text)
    head, _, frac = text[:-1].partition(".")
    whole = datetime.strptime(head, "%Y-%m-%dT%H:%M:%S").replace(
        tzinfo=timezone.utc)
    secs = int(whole.timestamp())
    return secs * 10 ** 9 + int((frac + "000000000")[:9])


def _tick(kind, symbol, ts_ns, **kw):
    t = {"kind": kind, "symbol": symbol, "asset_class": "crypto",
         "ts_ns": ts_ns, "exchange": 0, "conditions": [], "tape": 0}
    t.update(kw)
    return t


def _dec(v):
    if isinstance(v, bool) or not isinstance(v, (str, int, Decimal)):
        raise ValueError(v)
    d = Decimal(v)
    if not d.is_finite():
        raise ValueError(v)
    return d


def _price(v):
    d = _dec(v)
    if d <= 0:
        raise ValueError(v)
    return d


def _quote_price(v):
    """A side of the book may be empty: 0, never negative."""
    d = _dec(v)
    if d < 0:
        raise ValueError(v)
    return d


def _size(v):
    d = _dec(v)
    if d < 0:
        raise ValueError(v)
    return float(d)


def coinbase(msg):
    typ = msg.get("type")
    if typ in ("match", "last_match"):
        side = {"buy": "sell", "sell": "buy"}[msg["side"]]
        return [_tick("trade", msg["product_id"].upper(),
                      rfc3339_ns(msg["time"]), price=_price(msg["price"]),
                      size=_size(msg["size"]), side=side,
                      trade_id=str(msg["trade_id"]))]
    if typ == "ticker":
        ts = rfc3339_ns(msg["time"]) if "time" in msg else None
        return [_tick("quote", msg["product_id"].upper(), ts,
                      bid=_quote_price(msg["best_bid"]),
                      bid_size=_size(msg.get("best_bid_size", "0")),
                      ask=_quote_price(msg["best_ask"]),
                      ask_size=_size(msg.get("best_ask_size", "0")),
                      ask_exchange=0)]
    return []


def kraken(msg):
    chan, out = msg.get("channel"), []
    if chan == "trade":
        for t in msg["data"]:
            out.append(_tick("trade", t["symbol"].replace("/", "-"),
                             rfc3339_ns(t["timestamp"]),
                             price=_price(t["price"]), size=_size(t["qty"]),
                             side={"buy": "buy", "sell": "sell"}[t["side"]],
                             trade_id=str(t["trade_id"])))
    elif chan == "ticker":
        for q in msg["data"]:
            ts = rfc3339_ns(q["timestamp"]) if "timestamp" in q else None
            out.append(_tick("quote", q["symbol"].replace("/", "-"), ts,
                             bid=_quote_price(q["bid"]), bid_size=_size(q["bid_qty"]),
                             ask=_quote_price(q["ask"]), ask_size=_size(q["ask_qty"]),
                             ask_exchange=0))
    return out


def binance_symbol(s):
    s = s.upper()
    for q in sorted(QUOTES, key=len, reverse=True):
        if s.endswith(q) and len(s) > len(q):
            return s[:-len(q)] + "-" + q
    raise ValueError(s)


def binance(msg):
    if "stream" in msg and "data" in msg:
        msg = msg["data"]
    if msg.get("e") in ("trade", "aggTrade"):
        tid = msg["t"] if msg["e"] == "trade" else msg["a"]
        if not isinstance(msg["m"], bool):
            raise ValueError(msg["m"])
        return [_tick("trade", binance_symbol(msg["s"]), msg["T"] * 10 ** 6,
                      price=_price(msg["p"]), size=_size(msg["q"]),
                      side="sell" if msg["m"] else "buy",
                      trade_id=str(tid))]
    if "e" not in msg and all(k in msg for k in "usbBaA"):
        return [_tick("quote", binance_symbol(msg["s"]), None,
                      bid=_quote_price(msg["b"]), bid_size=_size(msg["B"]),
                      ask=_quote_price(msg["a"]), ask_size=_size(msg["A"]),
                      ask_exchange=0)]
    return []


PARSERS = {"coinbase": coinbase, "kraken": kraken, "binance": binance}


def expected_ticks(text, venue):
    """Ticks for one message of venue; [] for anything else."""
    try:
        msg = json.loads(text, parse_float=Decimal)
    except ValueError:
        return []
    if not isinstance(msg, dict):
        return []
    try:
        return PARSERS[venue](msg)
    except (KeyError, TypeError, ValueError, AttributeError, ArithmeticError):
        return []
