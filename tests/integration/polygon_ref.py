"""What a Polygon/Massive frame should become on the bus, written from
feeds.md §2-§3 and docs/bus.md, independently of the C parser.

expected_ticks(frame_text, asset_class) returns the ticks, as dicts with
bustap's field names, that a correct collector publishes for the frame.
Prices are Decimals (bustap prints exact decimals), sizes floats.
"""

import json
from decimal import Decimal

STOCK_EVENTS = {"T", "Q", "A", "AM"}
CRYPTO_EVENTS = {"XT", "XQ", "XA", "XAS"}
MS = 1000000


def _num(v):
    if isinstance(v, str):
        return Decimal(v)
    return Decimal(v) if isinstance(v, int) else v


def _side(conditions):
    # feeds.md §3.1: 1 = "Sell Side" (sold at the bid), 2 = "Buy Side".
    s = set(conditions)
    if 1 in s and 2 not in s:
        return "sell"
    if 2 in s and 1 not in s:
        return "buy"
    return "unknown"


def _trade(ev, asset):
    conds = ev.get("c") or []
    sym = ev["sym"] if asset == "stock" else ev["pair"]
    t = {"kind": "trade", "symbol": sym, "asset_class": asset,
         "ts_ns": ev["t"] * MS, "price": _num(ev["p"]),
         "size": float(ev["s"]), "exchange": ev.get("x", 0),
         "trade_id": str(ev.get("i", "")), "conditions": conds[:8],
         "side": "unknown" if asset == "stock" else _side(conds),
         "tape": ev.get("z", 0) if asset == "stock" else 0}
    return t


def _quote(ev, asset):
    if asset == "stock":
        c = ev.get("c")
        return {"kind": "quote", "symbol": ev["sym"], "asset_class": asset,
                "ts_ns": ev["t"] * MS, "bid": _num(ev["bp"]),
                "bid_size": float(ev["bs"]), "ask": _num(ev["ap"]),
                "ask_size": float(ev["as"]), "exchange": ev.get("bx", 0),
                "ask_exchange": ev.get("ax", 0), "tape": ev.get("z", 0),
                "conditions": [] if c is None else [c]}
    return {"kind": "quote", "symbol": ev["pair"], "asset_class": asset,
            "ts_ns": ev["t"] * MS, "bid": _num(ev["bp"]),
            "bid_size": float(ev["bs"]), "ask": _num(ev["ap"]),
            "ask_size": float(ev["as"]), "exchange": ev.get("x", 0),
            "ask_exchange": ev.get("x", 0), "tape": 0, "conditions": []}


def _bar(ev, asset):
    sym = ev["sym"] if asset == "stock" else ev["pair"]
    return {"kind": "feed_bar", "symbol": sym, "asset_class": asset,
            "ts_ns": ev["s"] * MS, "end_ns": ev["e"] * MS,
            "open": _num(ev["o"]), "high": _num(ev["h"]),
            "low": _num(ev["l"]), "close": _num(ev["c"]),
            "vwap": _num(ev.get("vw", 0)), "volume": float(ev["v"])}


def expected_ticks(frame_text, asset):
    """Ticks for one frame; [] for a frame that is not a JSON array."""
    try:
        events = json.loads(frame_text, parse_float=Decimal)
    except ValueError:
        return []
    if not isinstance(events, list):
        return []
    out = []
    events_ok = STOCK_EVENTS if asset == "stock" else CRYPTO_EVENTS
    for ev in events:
        if not isinstance(ev, dict) or ev.get("ev") not in events_ok:
            continue
        try:
            kind = ev["ev"]
            if kind in ("T", "XT"):
                out.append(_trade(ev, asset))
            elif kind in ("Q", "XQ"):
                out.append(_quote(ev, asset))
            else:
                out.append(_bar(ev, asset))
        except (KeyError, TypeError, ValueError, ArithmeticError):
            continue    # a broken event: skipped by the collector too
    return out


def parse_bustap_line(rec):
    """Normalizes a bustap tick line for comparison with expected_ticks."""
    out = dict(rec)
    for k in ("price", "bid", "ask", "open", "high", "low", "close", "vwap"):
        if k in out:
            out[k] = Decimal(str(out[k]))
    return out


def tick_matches(want, got):
    """Every expected field equal; returns the first differing key."""
    for k, v in want.items():
        g = got.get(k)
        if isinstance(v, Decimal):
            if g is None or Decimal(str(g)) != v:
                return k
        elif isinstance(v, float):
            if g is None or float(g) != v:
                return k
        elif g != v:
            return k
    return None
