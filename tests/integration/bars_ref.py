"""Bars computed from a recording, independently of the C aggregator.

The rules are docs/metrics.md's, written again here from feeds.md §3 and
DESIGN.md "Market semantics" rather than from the C code, so a bug in one
does not hide in the other:

- ticks in recording order; a bar per (symbol, source, interval) for every
  interval holding at least one trade or quote: [floor(ts / I) * I, +I);
- stock trades count only as far as every one of their condition codes
  allows (feeds.md §3.2): volume and VWAP, high and low, open and close;
  codes not in the table count in volume only; crypto trades count fully;
- the side: the feed's declared side where there is one, else Lee–Ready
  against the prevailing quote (stocks: the NBBO; crypto: the last quote
  of the same venue), above the mid a buy, below a sell, at the mid or
  without a usable quote the tick test;
- the spread is time-weighted over the bar, from the quote in effect at
  the bar's start (the last one before the bar's first tick) to its end;
  a quote with no bid, no ask or crossed interrupts it; a quote with an
  event time before the bar's previous quote takes effect at that quote's
  time (the quote in force follows arrival order);
- a bar that began before its feed's first tick (and a quarter second:
  venues' clocks differ) has gap = 1, and so has a bar with a trade whose
  side had to be inferred before any quote of its symbol (crypto: of its
  venue) was seen, or with no trade before it for the tick test, or a
  declared side no quote of its venue could check yet, and a
  bar that began before any quote of its symbol (its spread misses a
  first part).
"""

import json
import math
from decimal import Decimal

SCALE = 10 ** 9

# feeds.md §3.2: code -> (high/low, open/close, volume).
TAPE_RULES = {
    0: (1, 1, 1), 1: (1, 1, 1), 2: (0, 0, 1), 3: (1, 1, 1), 4: (1, 1, 1),
    5: (1, 0, 1), 7: (0, 0, 1), 8: (1, 1, 1), 9: (1, 1, 1), 10: (1, 0, 1),
    12: (0, 0, 1), 13: (0, 0, 1), 14: (1, 1, 1), 15: (0, 0, 0),
    16: (0, 0, 0), 20: (0, 0, 1), 21: (0, 0, 1), 22: (1, 0, 1),
    25: (1, 1, 1), 28: (1, 1, 1), 29: (1, 0, 1), 30: (1, 1, 1),
    33: (1, 0, 1), 37: (0, 0, 1), 38: (1, 1, 0), 41: (1, 1, 1),
    52: (0, 0, 1), 53: (0, 0, 1),
}
UNKNOWN_RULE = (0, 0, 1)


def eligibility(conditions):
    hl = oc = vol = 1
    for c in conditions:
        r = TAPE_RULES.get(c, UNKNOWN_RULE)
        hl, oc, vol = hl & r[0], oc & r[1], vol & r[2]
    return hl, oc, vol


def fixed(text):
    """A decimal as fixed point, half away from zero beyond 9 digits."""
    d = Decimal(str(text)) * SCALE
    return int(d.to_integral_value(rounding="ROUND_HALF_UP")) \
        if d >= 0 else -int((-d).to_integral_value(rounding="ROUND_HALF_UP"))


class TickTest:
    def __init__(self):
        self.last = None
        self.direction = "unknown"

    def classify(self, px, bid, ask):
        side = self.direction
        if self.last is not None and px != self.last:
            side = "buy" if px > self.last else "sell"
            self.direction = side
        elif self.last is None:
            side = "unknown"
        if bid > 0 and ask >= bid:
            if 2 * px > bid + ask:
                side = "buy"
            elif 2 * px < bid + ask:
                side = "sell"
        self.last = px
        return side


def quote_rule(px, bid, ask):
    if bid > 0 and ask >= bid:
        if 2 * px > bid + ask:
            return "buy"
        if 2 * px < bid + ask:
            return "sell"
    return "unknown"


class Bar:
    def __init__(self, symbol, interval_s, start_ms, carry):
        self.symbol, self.interval_s, self.start_ms = symbol, interval_s, \
            start_ms
        self.end_ns = (start_ms + interval_s * 1000) * 10 ** 6
        self.open = self.high = self.low = self.close = None
        self.open_ts = self.close_ts = None
        self.volume = self.buy_volume = self.sell_volume = 0.0
        self.pv = 0.0
        self.trades = self.buy_trades = self.sell_trades = self.quotes = 0
        self.n_declared = self.n_inferred = self.n_unknown = 0
        self.n_compared = self.n_agree = 0
        self.delta = self.delta_min = self.delta_max = 0.0
        self.first_ts = self.last_ts = None
        # the spread in effect: (since_ns, spread or None, bps)
        self.cur = (start_ms * 10 ** 6,) + carry
        self.area = self.bps_area = 0.0
        self.covered = 0
        self.smin = self.smax = None
        self.last_quote_ts = None
        self.blind = 0
        if carry[0] is not None:
            self._extreme(carry[0])

    def _extreme(self, s):
        self.smin = s if self.smin is None else min(self.smin, s)
        self.smax = s if self.smax is None else max(self.smax, s)

    def _seen(self, ts):
        self.first_ts = ts if self.first_ts is None else min(self.first_ts,
                                                             ts)
        self.last_ts = ts if self.last_ts is None else max(self.last_ts, ts)

    def _advance(self, until):
        since, spread, bps = self.cur
        if spread is not None and until > since:
            self.area += spread * (until - since)
            self.bps_area += bps * (until - since)
            self.covered += until - since

    def quote(self, ts, bid, ask):
        self._seen(ts)
        self.quotes += 1
        if self.last_quote_ts is not None and ts < self.last_quote_ts:
            ts = self.last_quote_ts
        self.last_quote_ts = ts
        t = max(ts, self.start_ms * 10 ** 6)
        self._advance(t)
        if bid > 0 and ask > 0 and ask >= bid:
            spread = ask - bid
            self.cur = (t, spread, spread / ((ask + bid) / 2) * 1e4)
            self._extreme(spread)
        else:
            self.cur = (t, None, 0.0)

    def trade(self, ts, px, size, side, how, elig, compared, agree):
        self._seen(ts)
        hl, oc, vol = elig
        if vol:
            if how == "declared":
                self.n_declared += 1
                self.n_compared += compared
                self.n_agree += agree
            elif how == "inferred":
                self.n_inferred += 1
            else:
                self.n_unknown += 1
            self.volume += size
            self.pv += px / SCALE * size
            self.trades += 1
            if side == "buy":
                self.buy_volume += size
                self.buy_trades += 1
                self.delta += size
            elif side == "sell":
                self.sell_volume += size
                self.sell_trades += 1
                self.delta -= size
            self.delta_min = min(self.delta_min, self.delta)
            self.delta_max = max(self.delta_max, self.delta)
        if hl:
            self.high = px if self.high is None else max(self.high, px)
            self.low = px if self.low is None else min(self.low, px)
        if oc:
            if self.open_ts is None or ts < self.open_ts:
                self.open, self.open_ts = px, ts
            if self.close_ts is None or ts >= self.close_ts:
                self.close, self.close_ts = px, ts

    def row(self, gap):
        gap = gap or self.blind
        self._advance(self.end_ns)
        self.cur = (self.end_ns,) + self.cur[1:]
        mean = self.area / self.covered if self.covered else None
        bps = self.bps_area / self.covered if self.covered else None
        return {
            "symbol": self.symbol, "interval_s": self.interval_s,
            "start_ms": self.start_ms,
            "open": self.open / SCALE if self.open is not None else None,
            "high": self.high / SCALE if self.high is not None else None,
            "low": self.low / SCALE if self.low is not None else None,
            "close": self.close / SCALE if self.close is not None else None,
            "volume": self.volume,
            "vwap": self.pv / self.volume if self.volume else None,
            "trades": self.trades, "buy_volume": self.buy_volume,
            "sell_volume": self.sell_volume, "buy_trades": self.buy_trades,
            "sell_trades": self.sell_trades, "quotes": self.quotes,
            "spread_mean": mean / SCALE if mean is not None else None,
            "spread_min": self.smin / SCALE if self.smin is not None
            else None,
            "spread_max": self.smax / SCALE if self.smax is not None
            else None,
            "spread_bps": bps,
            "delta_min": self.delta_min, "delta_max": self.delta_max,
            "n_declared": self.n_declared, "n_inferred": self.n_inferred,
            "n_unknown": self.n_unknown, "n_compared": self.n_compared,
            "n_agree": self.n_agree, "gap": gap,
        }


class Symbol:
    def __init__(self):
        self.nbbo = (0, 0)
        self.venues = {}        # crypto: exchange -> (bid, ask)
        self.tick = TickTest()  # stocks
        self.vtick = {}         # crypto: exchange -> TickTest
        self.bars = {}          # (interval, start_ms) -> Bar
        self.quoted = set()     # "nbbo" or crypto venues seen quoting


def compute(events, intervals):
    """events: dicts as polygon_ref.expected_ticks gives them (plus
    "source"), in order. Returns {(symbol, interval, start_ms): row}."""
    syms, first_ts, seen = {}, {}, set()
    for ev in events:
        if ev["kind"] not in ("trade", "quote"):
            continue
        feed = (ev["source"], ev["asset_class"])
        first_ts.setdefault(feed, ev["ts_ns"])
        key = (ev["symbol"], ev["source"])
        s = syms.setdefault(key, Symbol())
        s.feed = feed
        crypto = ev["asset_class"] == "crypto"
        if ev["kind"] == "quote":
            bid, ask = fixed(ev["bid"]), fixed(ev["ask"])
            for iv in intervals:
                # A bar it starts carries the quote in effect before it.
                bar_for(s, ev, iv, *s.nbbo).quote(ev["ts_ns"], bid, ask)
            s.nbbo = (bid, ask)
            s.quoted.add(ev["exchange"] if crypto else "nbbo")
            if crypto:
                s.venues[ev["exchange"]] = (bid, ask)
            continue
        if ev.get("trade_id"):
            dup = (ev["symbol"], ev["source"], ev["exchange"],
                   ev["trade_id"])
            if dup in seen:
                continue
            seen.add(dup)
        px = fixed(ev["price"])
        if crypto:
            bid, ask = s.venues.get(ev["exchange"], (0, 0))
            tt = s.vtick.setdefault(ev["exchange"], TickTest())
            elig = (1, 1, 1)
        else:
            bid, ask = s.nbbo
            tt = s.tick
            elig = eligibility(ev["conditions"])
        no_history = (ev["exchange"] if crypto else "nbbo") not in \
            s.quoted or (tt.last is None and
                         ev["side"] not in ("buy", "sell"))
        inferred = tt.classify(px, bid, ask)
        compared = agree = 0
        if ev["side"] in ("buy", "sell"):
            side, how = ev["side"], "declared"
            by_quote = quote_rule(px, bid, ask)
            compared = by_quote != "unknown"
            agree = by_quote == ev["side"]
        else:
            side = inferred
            how = "inferred" if inferred != "unknown" else "unknown"
        blind = elig[2] and no_history
        for iv in intervals:
            b = bar_for(s, ev, iv, *s.nbbo)
            b.trade(ev["ts_ns"], px, float(ev["size"]), side, how, elig,
                    int(compared), int(agree))
            b.blind = b.blind or blind
    out = {}
    for (sym, src), s in syms.items():
        for (iv, start), b in s.bars.items():
            out[(sym, iv, start)] = b.row(int(
                start * 10 ** 6 < first_ts[s.feed] + 250 * 10 ** 6))
    return out


def bar_for(s, ev, iv, bid, ask):
    start = ev["ts_ns"] // (iv * 10 ** 9) * iv * 1000
    b = s.bars.get((iv, start))
    if b is None:
        carry = (ask - bid, (ask - bid) / ((ask + bid) / 2) * 1e4) \
            if bid > 0 and ask > 0 and ask >= bid else (None, 0.0)
        b = s.bars[(iv, start)] = Bar(ev["symbol"], iv, start, carry)
        b.blind = int(not s.quoted)
    return b


def close(a, b, rel=1e-9, abs_=1e-9):
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, float) or isinstance(b, float):
        return math.isclose(float(a), float(b), rel_tol=rel, abs_tol=abs_)
    return a == b
