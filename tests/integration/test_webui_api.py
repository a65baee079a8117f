"""webui's JSON API over HTTPS, from the outside.

The route x role matrix (anonymous, a session cookie and a Bearer token of
each role viewer < user < manager < admin: allowed, 401 or 403 exactly as
DESIGN.md's HTTP API table says), /api/bars, /api/export.csv,
/api/anomalies and /api/symbols against rows written into the store's
market.db (every field, order, ranges, limit, CSV header and quoting),
bad parameters (400 naming the parameter), unknown routes, bodies over
64 KiB, malformed JSON, static files and path traversal, user
administration (policy reasons, last-admin refusals, role changes that
apply at once, must_change), /healthz following market.db, and SIGTERM.
Expectations come from the spec, not from webui's code.
"""

import csv
import io
import json
import os
import re
import time
import urllib.parse

import harness as h
from harness import check
import webui_env as w

T0 = 1_700_000_040_000          # a minute boundary
SPAN = 9 * 60_000


def q(**kw):
    return urllib.parse.urlencode(kw)


def bars_url(path="/api/bars", **kw):
    return path + "?" + q(**kw)


# -- fixtures ---------------------------------------------------------------

def fixture(ui):
    bars = w.make_bars("TST", 60, T0, 10)
    # A bar without a price (quotes only): NULL OHLC and vwap.
    for k in ("open", "high", "low", "close", "vwap"):
        bars[4][k] = None
    bars[4].update(volume=0.0, trades=0, buy_volume=0.0, sell_volume=0.0,
                   flags=4)
    # A text field that needs CSV quoting.
    bars[6]["source"] = 'we,ird "src"'
    # A text field a spreadsheet would run as a formula (docs/api.md).
    bars[8]["source"] = "=1+2"
    others = w.make_bars("TST", 1, T0, 5, source="demo") + \
        w.make_bars("OTH-USD", 60, T0, 5, source="coinbase",
                    asset_class="crypto")
    ui.insert("bars", bars + others)
    anomalies = [
        dict(symbol="TST", interval_s=60, start_ms=T0 + 60_000,
             kind="volume_spike", score=7.25, value=5000.5, threshold=4.0,
             ts_ns=(T0 + 60_000) * 10 ** 6, source="demo",
             asset_class="stock"),
        dict(symbol="TST", interval_s=60, start_ms=T0 + 3 * 60_000,
             kind="price_jump", score=5.5, value=0.0125, threshold=3.0,
             ts_ns=(T0 + 3 * 60_000) * 10 ** 6, source="demo",
             asset_class="stock"),
        dict(symbol="TST", interval_s=60, start_ms=T0 + 3 * 60_000,
             kind="spread_blowout", score=9.0, value=0.5, threshold=6.0,
             ts_ns=(T0 + 3 * 60_000) * 10 ** 6, source="demo",
             asset_class="stock"),
        dict(symbol="TST", interval_s=60, start_ms=T0 + 8 * 60_000,
             kind="imbalance", score=4.5, value=0.875, threshold=4.0,
             ts_ns=(T0 + 8 * 60_000) * 10 ** 6, source="demo",
             asset_class="stock"),
        dict(symbol="OTH-USD", interval_s=60, start_ms=T0 + 2 * 60_000,
             kind="large_trade", score=12.0, value=3.25, threshold=5.0,
             ts_ns=(T0 + 2 * 60_000) * 10 ** 6, source="coinbase",
             asset_class="crypto"),
    ]
    ui.insert("anomalies", anomalies)
    symbols = [
        dict(symbol="TST", asset_class="stock", source="demo",
             first_ms=T0, last_ms=T0 + SPAN, last_price=102.875,
             last_price_ms=T0 + SPAN + 59_000, updated_ms=T0 + SPAN),
        dict(symbol="OTH-USD", asset_class="crypto", source="coinbase",
             first_ms=T0, last_ms=T0 + 4 * 60_000, last_price=0.00012345,
             last_price_ms=T0 + 4 * 60_000, updated_ms=T0 + 4 * 60_000),
    ]
    ui.insert("symbols", symbols)
    multi = fixture_sources(ui, anomalies, symbols)
    return bars, others, anomalies, symbols, multi


MULTI = "SRC-USD"               # one symbol from two sources
DAY = 86_400_000


def fixture_sources(ui, anomalies, symbols):
    """SRC-USD from coinbase and kraken (schema v2: two series), each
    with bars a day apart and its own prices; side checks of three
    sources. Appends to anomalies and symbols; returns what it wrote."""
    series = {}
    for k, src in enumerate(("coinbase", "kraken")):
        rows = w.make_bars(MULTI, 60, T0, 5, source=src,
                           asset_class="crypto") + \
            w.make_bars(MULTI, 60, T0 + DAY, 3, source=src,
                        asset_class="crypto")
        for i, b in enumerate(rows):
            # Each series its own prices, distinct per bar.
            for f in ("open", "high", "low", "close", "vwap"):
                b[f] = b[f] + 1000 * (k + 1) + i
        series[src] = rows
        ui.insert("bars", rows)
    syms = [
        dict(symbol=MULTI, asset_class="crypto", source="coinbase",
             first_ms=T0, last_ms=T0 + DAY + 2 * 60_000,
             last_price=1234.5, last_price_ms=T0 + DAY + 3 * 60_000 + 1,
             updated_ms=T0 + DAY + 3 * 60_000),
        dict(symbol=MULTI, asset_class="crypto", source="kraken",
             first_ms=T0, last_ms=T0 + DAY + 2 * 60_000,
             last_price=2345.75, last_price_ms=T0 + DAY + 2 * 60_000,
             updated_ms=T0 + DAY + 3 * 60_000),
    ]
    ui.insert("symbols", syms)
    symbols.extend(syms)
    anoms = [
        dict(symbol=MULTI, interval_s=60, start_ms=T0 + 5 * 60_000,
             kind="large_trade", score=8.0, value=2.5, threshold=5.0,
             ts_ns=(T0 + 5 * 60_000) * 10 ** 6, source="coinbase",
             asset_class="crypto"),
        dict(symbol=MULTI, interval_s=60, start_ms=T0 + 6 * 60_000,
             kind="large_trade", score=9.0, value=3.5, threshold=5.0,
             ts_ns=(T0 + 6 * 60_000) * 10 ** 6, source="kraken",
             asset_class="crypto"),
    ]
    ui.insert("anomalies", anoms)
    anomalies.extend(anoms)
    cols = ("trades", "declared_buy", "declared_sell", "compared", "agree",
            "at_bid", "at_ask", "inside", "inverted")
    raw = [
        (MULTI, "coinbase", 0, 1200, 610, 590, 1100, 1045, 520, 560, 20, 0),
        ("ETH-USD", "coinbase", 0, 300, 150, 140, 290, 100, 90, 110, 7, 1),
        (MULTI, "kraken", 0, 77, 40, 37, 70, 69, 33, 41, 3, 0),
        ("EMPTY", "kraken", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
        ("AAPL", "polygon", 4, 50, 20, 25, 45, 44, 20, 25, 5, 0),
        ("AAPL", "polygon", 12, 60, 30, 30, 55, 10, 25, 30, 5, 1),
        ("MSFT", "polygon", 4, 9, 4, 5, 8, 7, 3, 4, 2, 0),
    ]
    side = []
    for n, (sym, src, ex, *vals) in enumerate(raw):
        d = dict(symbol=sym, source=src, exchange=ex,
                 asset_class="stock" if src == "polygon" else "crypto",
                 updated_ms=T0 + n)
        d.update(zip(cols, vals))
        side.append(d)
    ui.insert("side_checks", side)
    return dict(series=series, symbols=syms, anomalies=anoms, side=side)


# -- the route x role matrix -----------------------------------------------

def level(role):
    return 0 if role is None else w.ROLES.index(role) + 1


def matrix(ui, pw):
    """Every route for every principal; expectations from the table."""
    principals = [("anonymous", None, ui.client())]
    tokens = {}
    for role in w.ROLES:
        name = role + "1"
        principals.append(("%s-cookie" % role, role,
                           ui.login(name, pw[name])))
        tokens[role] = ui.token(name, "matrix")
    for role in w.ROLES:
        principals.append(("%s-bearer" % role, role,
                           ui.client(bearer=tokens[role])))
    window = q(symbol="TST", interval=60, **{"from": T0 - 1000,
                                              "to": T0 + SPAN + 1000})
    new_pw = w.strong_password()
    ui.passwords.add(new_pw)
    # (method, path, json body, lowest role or None, allowed statuses)
    routes = [
        ("GET", "/healthz", None, None, (200,)),
        ("GET", "/api/me", None, "viewer", (200,)),
        ("GET", "/api/symbols", None, "viewer", (200,)),
        ("GET", "/api/bars?" + window, None, "viewer", (200,)),
        ("GET", "/api/anomalies?" + q(symbol="TST", **{
            "from": T0 - 1000, "to": T0 + SPAN + 1000}), None, "viewer",
         (200,)),
        ("GET", "/api/export.csv?" + window, None, "user", (200,)),
        ("GET", "/api/side-check", None, "viewer", (200,)),
        ("GET", "/api/side-check?" + q(symbol=MULTI, source="kraken"),
         None, "viewer", (200,)),
        ("GET", "/api/health", None, "manager", (200,)),
        ("GET", "/metrics", None, "manager", (200,)),
        ("GET", "/api/users", None, "admin", (200,)),
        # An invalid body: the role check comes first, then the 400.
        ("POST", "/api/users", {}, "admin", (400,)),
        ("POST", "/api/users/target1/role", {"role": "user"}, "admin",
         (200, 204)),
        ("POST", "/api/users/target1/disable", {}, "admin", (200, 204)),
        ("POST", "/api/users/target1/enable", {}, "admin", (200, 204)),
        ("POST", "/api/users/target1/password", {"password": new_pw},
         "admin", (200, 204)),
        ("POST", "/api/users/target1/logout", {}, "admin", (200, 204)),
        ("DELETE", "/api/users/{del}", None, "admin", (200, 204)),
        ("POST", "/api/me/password", {}, "viewer", (400,)),
        ("GET", "/live", None, "viewer", (101,)),
        ("POST", "/api/logout", {}, "viewer", (200, 204)),
    ]
    for pname, role, c in principals:
        for method, path, body, need, ok in routes:
            rname = "%s %s" % (method, path.split("?")[0])
            if "{del}" in path:
                target = "del-" + pname if pname.startswith("admin") \
                    else "target1"
                path = path.replace("{del}", target)
            if path == "/live":
                # docs/live.md: the cookie only; Bearer is not accepted.
                st = ui.ws_upgrade(cookie=c.cookie_header() or None,
                                   extra={"Authorization": "Bearer " +
                                          c.bearer} if c.bearer else None)
                st = st.status if st else None
                if role is None or c.bearer:
                    check(st in (401, 403), "matrix %s %s" % (rname, pname),
                          "got %s, want 401/403 (refused)" % st)
                else:
                    check(st == 101, "matrix %s %s" % (rname, pname),
                          "got %s, want 101" % st)
                continue
            if path == "/api/logout" and c.bearer:
                ok = (200, 204, 400)     # no session to end: not 401/403
            if method == "GET":
                r = c.get(path)
            else:
                r = c.request(method, path, json_body=body)
            if need is None:
                want = ok
            elif role is None:
                want = (401,)
            elif level(role) < level(need):
                want = (403,)
            else:
                want = ok
            check(r.status in want, "matrix %s %s" % (rname, pname),
                  "got %r, want %s" % (r, want))
            if path == "/api/me" and r.status == 200 and role:
                j = r.json() or {}
                check(j.get("role") == role and
                      j.get("user") == role + "1",
                      "me %s says who" % pname, "got %r" % j)
                if not c.bearer:
                    check(isinstance(j.get("expires_ms"), int) and
                          j["expires_ms"] > time.time() * 1000 and
                          isinstance(j.get("csrf"), str) and
                          len(j["csrf"]) >= 20 and "must_change" in j,
                          "me %s has expires_ms, must_change, csrf" % pname,
                          "got %r" % j)
    users = {u["name"]: u for u in ui.user_list() or []}
    check("target1" in users and "del-admin-cookie" not in users and
          "del-admin-bearer" not in users,
          "matrix: only admins deleted, other targets still there",
          "users %s" % sorted(users))
    check(users.get("target1", {}).get("role") == "user" and
          users.get("target1", {}).get("must_change") in (1, True),
          "matrix: admin role change and password reset applied",
          "target1 %r" % users.get("target1"))
    return tokens


# -- data routes ------------------------------------------------------------

def compare_rows(name, got, want, required=w.BAR_CORE):
    """Every required key present; every key present equal to the DB."""
    if got is None:
        return check(False, name, "not a list")
    if len(got) != len(want):
        return check(False, name, "%d rows, want %d" % (len(got),
                                                         len(want)))
    for i, (g, e) in enumerate(zip(got, want)):
        missing = [k for k in required if k not in g]
        if missing:
            return check(False, name, "row %d lacks %s" % (i, missing))
        for k, v in g.items():
            if k in e and not w.close_enough(v, e[k]):
                return check(False, name, "row %d %s: got %r, want %r" % (
                    i, k, v, e[k]))
    return check(True, name)


def test_bars(ui, c, bars, others):
    db = {(b["symbol"], b["interval_s"], b["start_ms"]): b
          for b in ui.query("SELECT * FROM bars")}
    want = [db[("TST", 60, b["start_ms"])] for b in bars]
    r = c.get(bars_url(symbol="TST", interval=60, **{
        "from": T0 - 30_000, "to": T0 + SPAN + 30_000}))
    check(r.status == 200 and "application/json" in
          (r.header("Content-Type") or ""), "bars 200 json", repr(r))
    got = w.rows_of(r.json(), "bars")
    compare_rows("bars every field, oldest first", got, want)
    if got and len(got) == len(want):
        check([g["start_ms"] for g in got] ==
              sorted(g["start_ms"] for g in got), "bars ascending start_ms")
        check(got[4].get("open", "absent") is None and
              got[4].get("vwap", "absent") is None,
              "bars: a bar without price has null open and vwap",
              "got %r" % got[4])

    r = c.get(bars_url(symbol="TST", interval=60, **{
        "from": T0 + 2 * 60_000 - 1, "to": T0 + 6 * 60_000 + 1}))
    compare_rows("bars range from..to", w.rows_of(r.json(), "bars"),
                 want[2:7])
    r = c.get(bars_url(symbol="TST", interval=60, **{
        "from": T0 + 2 * 60_000, "to": T0 + 6 * 60_000}))
    compare_rows("bars from and to are inclusive (docs/api.md)",
                 w.rows_of(r.json(), "bars"), want[2:7])
    r = c.get(bars_url(symbol="TST", interval=60, limit=3))
    compare_rows("bars limit=3 without range: the last 3, oldest first",
                 w.rows_of(r.json(), "bars"), want[7:])
    j = r.json()
    if isinstance(j, dict) and "truncated" in j:
        check(j["truncated"] is True, "bars truncated when the range "
              "holds more than limit", repr(j.get("truncated")))
    r = c.get(bars_url(symbol="TST", interval=60, limit=3,
                       **{"from": T0 + 60_000}))
    compare_rows("bars from + limit: the first limit bars from from on",
                 w.rows_of(r.json(), "bars"), want[1:4])
    r = c.get(bars_url(symbol="TST", interval=60, limit=3,
                       **{"from": T0 + 60_000, "to": T0 + 3 * 60_000}))
    j = r.json()
    if isinstance(j, dict) and "truncated" in j:
        check(j["truncated"] is False, "bars not truncated when all fit",
              repr(j.get("truncated")))
    r = c.get(bars_url(symbol="TST", interval=60, **{
        "from": T0 + 60_000, "to": T0}))
    check(r.status == 400 and ("from" in r.error() or "to" in r.error()),
          "bars from after to: 400", repr(r))
    r = c.get(bars_url(symbol="TST", interval=60))
    compare_rows("bars default: every bar (fewer than the default limit)",
                 w.rows_of(r.json(), "bars"), want)
    want1 = [db[("TST", 1, b["start_ms"])] for b in others
             if b["symbol"] == "TST"]
    r = c.get(bars_url(symbol="TST", interval=1, **{
        "from": T0 - 1000, "to": T0 + 10_000}))
    compare_rows("bars interval=1 only", w.rows_of(r.json(), "bars"), want1)
    want_oth = [db[("OTH-USD", 60, b["start_ms"])] for b in others
                if b["symbol"] == "OTH-USD"]
    r = c.get(bars_url(symbol="OTH-USD", interval=60, **{
        "from": T0 - 1000, "to": T0 + SPAN}))
    compare_rows("bars other symbol only", w.rows_of(r.json(), "bars"),
                 want_oth)
    r = c.get(bars_url(symbol="NOPE", interval=60))
    check((r.status == 200 and w.rows_of(r.json(), "bars") == []) or
          r.status == 404, "bars of an unknown symbol: empty", repr(r))
    check(r.header("Cache-Control") and "no-store" in
          r.header("Cache-Control"), "bars Cache-Control no-store")


def test_export(ui, c, bars):
    db = [dict(r) for r in ui.query(
        "SELECT * FROM bars WHERE symbol='TST' AND interval_s=60 "
        "ORDER BY start_ms")]
    r = c.get(bars_url("/api/export.csv", symbol="TST", interval=60, **{
        "from": T0 - 30_000, "to": T0 + SPAN + 30_000}))
    ct = r.header("Content-Type") or ""
    check(r.status == 200 and ct.startswith("text/csv") and
          "charset=utf-8" in ct.lower(), "export 200 text/csv utf-8",
          "%r %s" % (r, ct))
    check("attachment" in (r.header("Content-Disposition") or ""),
          "export Content-Disposition attachment",
          repr(r.header("Content-Disposition")))
    text = r.body.decode("utf-8", "replace")
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        check(False, "export has a header line")
        return
    header = rows[0]
    cols = set(ui.columns("bars"))
    check(header and set(header) <= cols and
          set(w.BAR_CORE) <= set(header),
          "export header: column names", "header %r" % header)
    body = [r for r in rows[1:] if r]
    check(len(body) == len(db), "export row count",
          "%d rows, want %d" % (len(body), len(db)))
    bad = None
    for i, (row, want) in enumerate(zip(body, db)):
        if len(row) != len(header):
            bad = "row %d has %d fields, header %d" % (i, len(row),
                                                      len(header))
            break
        for k, v in zip(header, row):
            e = want.get(k)
            if e is None:
                ok = v == ""
            elif isinstance(e, str):
                # docs/api.md: a text field starting = + - @ TAB CR
                # gets a leading ' so a spreadsheet shows it as text.
                ok = v == ("'" + e if e[:1] in ("=", "+", "-", "@",
                                                "\t", "\r") else e)
            else:
                try:
                    ok = w.close_enough(float(v), e)
                except ValueError:
                    ok = False
            if not ok:
                bad = "row %d %s: got %r, want %r" % (i, k, v, e)
                break
        if bad:
            break
    check(bad is None, "export every field, oldest first", bad or "")
    check('"we,ird ""src"""' in text, "export quotes a field with , and \"",
          "raw CSV has no RFC 4180 quoting of the source")
    check(",=1+2" not in text and "'=1+2" in text,
          "export defuses a text field that starts with =",
          "the field went out as a formula")
    r = c.get(bars_url("/api/export.csv", symbol="TST", interval=60,
                       limit=2))
    check(r.status == 200 and
          len([x for x in csv.reader(io.StringIO(r.body.decode()))
               if x]) == 3, "export limit=2: header + 2 rows", repr(r))


def test_anomalies(ui, c, anomalies):
    fields = ("symbol", "interval_s", "start_ms", "kind", "score", "value",
              "threshold")

    def key(a):
        return (a.get("symbol"), a.get("start_ms"), a.get("kind"))

    def same(got, want, name):
        if got is None:
            return check(False, name, "not a list")
        g = {key(a): a for a in got}
        e = {key(a): a for a in want}
        if set(g) != set(e):
            return check(False, name, "got %s, want %s" % (sorted(g),
                                                           sorted(e)))
        for k in e:
            for f in fields:
                if f not in g[k] or not w.close_enough(g[k][f], e[k][f]):
                    return check(False, name, "%s %s: got %r want %r" % (
                        k, f, g[k].get(f), e[k][f]))
        starts = [a["start_ms"] for a in got]
        return check(starts == sorted(starts, reverse=True), name,
                     "not newest first (docs/api.md): %s" % starts)

    wide = {"from": T0 - 1000, "to": T0 + SPAN + 1000}
    r = c.get("/api/anomalies?" + q(symbol="TST", **wide))
    check(r.status == 200, "anomalies 200", repr(r))
    same(w.rows_of(r.json(), "anomalies"),
         [a for a in anomalies if a["symbol"] == "TST"],
         "anomalies of one symbol, every field, newest first")
    r = c.get("/api/anomalies?" + q(**wide))
    same(w.rows_of(r.json(), "anomalies"), anomalies,
         "anomalies without symbol: every symbol")
    r = c.get("/api/anomalies?" + q(symbol="TST", **{
        "from": T0 + 2 * 60_000, "to": T0 + 4 * 60_000}))
    same(w.rows_of(r.json(), "anomalies"),
         [a for a in anomalies if a["symbol"] == "TST" and
          T0 + 2 * 60_000 <= a["start_ms"] <= T0 + 4 * 60_000],
         "anomalies time range")


def ref_price(ui, s):
    """The close 24 h before last_price_ms, of the same source, at 60 s:
    computed here from the rows in market.db."""
    rows = ui.query(
        "SELECT start_ms, close FROM bars WHERE symbol = ? AND source = ? "
        "AND interval_s = 60 AND close IS NOT NULL",
        (s["symbol"], s["source"]))
    old = [r for r in rows if r["start_ms"] <= s["last_price_ms"] - DAY]
    return max(old, key=lambda r: r["start_ms"])["close"] if old else None


def test_symbols(ui, c, symbols):
    r = c.get("/api/symbols")
    got = w.rows_of(r.json(), "symbols")
    check(r.status == 200 and got is not None, "symbols 200 list", repr(r))
    got = got or []
    keys = [(s.get("symbol"), s.get("source")) for s in got]
    want_keys = sorted((s["symbol"], s["source"]) for s in symbols)
    check(keys == want_keys, "symbols: one row per (symbol, source), "
          "ordered by symbol then source", "got %s, want %s" % (keys,
                                                                want_keys))
    by = {(s.get("symbol"), s.get("source")): s for s in got}
    bad = []
    for s in symbols:
        g = by.get((s["symbol"], s["source"]))
        if g is None:
            continue
        for f in ("last_price", "asset_class", "source", "last_price_ms"):
            if not w.close_enough(g.get(f), s[f]):
                bad.append("%s/%s %s: got %r want %r" % (
                    s["symbol"], s["source"], f, g.get(f), s[f]))
    check(not bad, "symbols: each with last_price, asset_class, source",
          "; ".join(bad))
    bad = []
    for s in symbols:
        g = by.get((s["symbol"], s["source"])) or {}
        ref = ref_price(ui, s)
        if ref is None:
            ok = g.get("ref_price_24h", "absent") is None and \
                g.get("change_24h", "absent") is None
        else:
            ok = w.close_enough(g.get("ref_price_24h"), ref) and \
                w.close_enough(g.get("change_24h"),
                               s["last_price"] - ref) and \
                w.close_enough(g.get("change_24h_pct"),
                               (s["last_price"] - ref) / ref * 100)
        if not ok:
            bad.append("%s/%s: got %r %r, want ref %r" % (
                s["symbol"], s["source"], g.get("ref_price_24h"),
                g.get("change_24h"), ref))
    multi = [s for s in symbols if s["symbol"] == MULTI]
    refs = {ref_price(ui, s) for s in multi}
    check(not bad and len(multi) == 2 and None not in refs and
          len(refs) == 2, "symbols: each source's ref_price_24h and "
          "change from its own bars", "; ".join(bad) or repr(refs))
    check(all(g.get("feed_state") in ("live", "demo", "reconnecting",
                                      "stale", "unknown") for g in got),
          "symbols: a feed_state per row",
          repr([g.get("feed_state") for g in got]))


def test_sources(ui, c, user_c, multi):
    """Bars, export and anomalies of a symbol with two sources."""
    series = multi["series"]
    r = c.get(bars_url(symbol=MULTI, interval=60))
    err = r.error()
    check(r.status == 400 and MULTI in err and "coinbase" in err and
          "kraken" in err and "source=" in err and
          err.index("coinbase") < err.index("kraken"),
          "bars of two sources without source: 400 naming them",
          repr(r))
    check(err == "%s comes from several sources (coinbase, kraken): "
          "add source=" % MULTI, "bars: the several-sources reason as "
          "docs/api.md says", repr(err))
    for src in ("coinbase", "kraken"):
        db = [dict(x) for x in ui.query(
            "SELECT * FROM bars WHERE symbol = ? AND interval_s = 60 AND "
            "source = ? ORDER BY start_ms", (MULTI, src))]
        check(len(db) == len(series[src]), "fixture %s in market.db" % src)
        r = c.get(bars_url(symbol=MULTI, interval=60, source=src))
        j = r.json() or {}
        compare_rows("bars source=%s: that series only, every field" % src,
                     w.rows_of(j, "bars"), db)
        check(j.get("source") == src and j.get("symbol") == MULTI,
              "bars source=%s: top-level source" % src, repr(j)[:200])
        r = c.get(bars_url(symbol=MULTI, interval=60, source=src, limit=2,
                           **{"from": T0}))
        compare_rows("bars source=%s from + limit" % src,
                     w.rows_of(r.json(), "bars"), db[:2])
        r = c.get(bars_url(symbol=MULTI, interval=60, source=src, limit=2))
        compare_rows("bars source=%s newest 2" % src,
                     w.rows_of(r.json(), "bars"), db[-2:])
        # export.csv of one series
        r = user_c.get(bars_url("/api/export.csv", symbol=MULTI,
                                interval=60, source=src))
        cd = r.header("Content-Disposition") or ""
        check(r.status == 200 and
              'filename="%s-%s-60s.csv"' % (MULTI, src) in cd,
              "export source=%s: filename SYMBOL-SOURCE-60s.csv" % src,
              "%r %r" % (r, cd))
        rows = [x for x in csv.reader(io.StringIO(
            r.body.decode("utf-8", "replace"))) if x]
        if rows:
            hdr = rows[0]
            got = [dict(zip(hdr, x)) for x in rows[1:]]
            check(len(got) == len(db) and
                  all(g["source"] == src for g in got) and
                  [int(g["start_ms"]) for g in got] ==
                  [d["start_ms"] for d in db] and
                  all(w.close_enough(float(g["close"]), d["close"])
                      for g, d in zip(got, db)),
                  "export source=%s: that series' rows only" % src,
                  "%d rows" % len(got))
        else:
            check(False, "export source=%s: rows" % src, repr(r))
    r = user_c.get(bars_url("/api/export.csv", symbol=MULTI, interval=60))
    check(r.status == 400 and "coinbase" in r.error() and
          "kraken" in r.error(), "export of two sources without source: "
          "400", repr(r))
    r = c.get(bars_url(symbol=MULTI, interval=60, source="binance"))
    j = r.json() or {}
    check(r.status == 200 and w.rows_of(j, "bars") == [] and
          j.get("source") == "binance", "bars of a source without bars: "
          "empty, source as given", repr(r))
    # One source in symbols: as before (every bar), its source on top.
    r = c.get(bars_url(symbol="TST", interval=60))
    j = r.json() or {}
    n_tst = ui.query("SELECT count(*) AS n FROM bars WHERE symbol = 'TST' "
                     "AND interval_s = 60")[0]["n"]
    check(r.status == 200 and j.get("source") == "demo" and
          len(w.rows_of(j, "bars") or []) == n_tst,
          "bars without source, one in symbols: every bar, its source",
          "source %r, %d bars of %d" % (j.get("source"),
                                        len(w.rows_of(j, "bars") or []),
                                        n_tst))
    r = user_c.get(bars_url("/api/export.csv", symbol="TST", interval=60))
    check('filename="TST-demo-60s.csv"' in
          (r.header("Content-Disposition") or ""),
          "export without source, one in symbols: TST-demo-60s.csv",
          repr(r.header("Content-Disposition")))
    r = c.get(bars_url(symbol="NOPE", interval=60))
    j = r.json() or {}
    check(r.status == 200 and "source" in j and j["source"] is None,
          "bars of an unknown symbol: source null", repr(j))
    r = user_c.get(bars_url("/api/export.csv", symbol="NOPE", interval=60))
    check('filename="NOPE-60s.csv"' in
          (r.header("Content-Disposition") or ""),
          "export without any source: NOPE-60s.csv",
          repr(r.header("Content-Disposition")))

    # anomalies: the source filter
    wide = {"from": T0 - 1000, "to": T0 + SPAN + 1000}
    for src in ("coinbase", "kraken", "demo"):
        want = ui.query("SELECT symbol, start_ms, kind FROM anomalies "
                        "WHERE source = ?", (src,))
        want = sorted((x["symbol"], x["start_ms"], x["kind"]) for x in want)
        r = c.get("/api/anomalies?" + q(source=src, **wide))
        got = w.rows_of(r.json(), "anomalies") or []
        check(r.status == 200 and len(want) > 0 and
              sorted((a["symbol"], a["start_ms"], a["kind"])
                     for a in got) == want and
              all(a.get("source") == src for a in got),
              "anomalies source=%s: that source only" % src,
              "got %d, want %d" % (len(got), len(want)))
    r = c.get("/api/anomalies?" + q(symbol=MULTI, source="kraken", **wide))
    got = w.rows_of(r.json(), "anomalies") or []
    check(len(got) == 1 and got[0].get("source") == "kraken" and
          got[0].get("symbol") == MULTI, "anomalies symbol + source",
          repr(got))
    r = c.get("/api/anomalies?" + q(symbol=MULTI, **wide))
    got = w.rows_of(r.json(), "anomalies") or []
    check(sorted(a.get("source") for a in got) == ["coinbase", "kraken"],
          "anomalies without source: every source", repr(got))


SIDE_SUMS = ("trades", "declared_buy", "declared_sell", "compared", "agree",
             "at_bid", "at_ask", "inside")


def side_expect(rows):
    """What /api/side-check must answer for these side_checks rows
    (docs/api.md), computed here."""
    def ratio(a, b):
        return None if b == 0 else a / b
    rows = sorted(rows, key=lambda r: (r["source"], r["symbol"],
                                       r["exchange"]))
    out = []
    for r in rows:
        e = dict(r)
        e["agreement"] = ratio(r["agree"], r["compared"])
        e["at_bid_share"] = ratio(r["at_bid"], r["trades"])
        e["at_ask_share"] = ratio(r["at_ask"], r["trades"])
        out.append(e)
    by = []
    for src in sorted({r["source"] for r in rows}):
        mine = [r for r in rows if r["source"] == src]
        e = dict(source=src, symbols=len({r["symbol"] for r in mine}),
                 inverted=sum(1 for r in mine if r["inverted"]))
        for k in SIDE_SUMS:
            e[k] = sum(r[k] for r in mine)
        e["agreement"] = ratio(e["agree"], e["compared"])
        e["at_bid_share"] = ratio(e["at_bid"], e["trades"])
        e["at_ask_share"] = ratio(e["at_ask"], e["trades"])
        by.append(e)
    return out, by


def same_dicts(name, got, want):
    if not isinstance(got, list) or len(got) != len(want):
        return check(False, name, "got %r, want %d rows" % (got, len(want)))
    for i, (g, e) in enumerate(zip(got, want)):
        if set(g) != set(e):
            return check(False, name, "row %d keys %s, want %s" % (
                i, sorted(g), sorted(e)))
        for k in e:
            if not w.close_enough(g[k], e[k]):
                return check(False, name, "row %d %s: got %r, want %r" % (
                    i, k, g[k], e[k]))
    return check(True, name)


def test_side_check(ui, c, multi):
    side = multi["side"]
    cases = [
        ("all", {}, side),
        ("symbol", {"symbol": MULTI},
         [r for r in side if r["symbol"] == MULTI]),
        ("source", {"source": "polygon"},
         [r for r in side if r["source"] == "polygon"]),
        ("symbol and source", {"symbol": "AAPL", "source": "polygon"},
         [r for r in side if r["symbol"] == "AAPL" and
          r["source"] == "polygon"]),
        ("unknown symbol", {"symbol": "NOPE"}, []),
        ("unknown source", {"source": "binance"}, []),
        ("symbol of another source", {"symbol": "MSFT",
                                      "source": "kraken"}, []),
    ]
    for name, params, rows in cases:
        r = c.get("/api/side-check" + ("?" + q(**params) if params else ""))
        j = r.json() or {}
        want_rows, want_by = side_expect(rows)
        check(r.status == 200 and isinstance(j, dict) and
              set(j) == {"side_checks", "by_source"},
              "side-check %s: 200 with side_checks and by_source" % name,
              repr(r))
        same_dicts("side-check %s: rows, ordered, with ratios" % name,
                   j.get("side_checks"), want_rows)
        same_dicts("side-check %s: by_source sums" % name,
                   j.get("by_source"), want_by)
    # The spot values docs/api.md's example shows.
    r = c.get("/api/side-check?" + q(symbol=MULTI, source="coinbase"))
    row = (w.rows_of(r.json(), "side_checks") or [{}])[0]
    check(w.close_enough(row.get("agreement"), 0.95) and
          w.close_enough(row.get("at_bid_share"), 520 / 1200),
          "side-check: agreement 1045/1100 = 0.95", repr(row))
    r = c.get("/api/side-check?" + q(symbol="EMPTY"))
    row = (w.rows_of(r.json(), "side_checks") or [{}])[0]
    check(row.get("agreement", 0) is None and
          row.get("at_bid_share", 0) is None and
          row.get("at_ask_share", 0) is None,
          "side-check: null ratios when compared and trades are 0",
          repr(row))
    r = ui.client().get("/api/side-check")
    check(r.status == 401, "side-check unauthenticated: 401", repr(r))


def test_bad_params(ui, c, user_c):
    base = {"symbol": "TST", "interval": "60"}

    def bad(name, params, word, path="/api/bars", client=c, raw=None):
        url = path + "?" + (raw if raw is not None else q(**params))
        r = client.get(url)
        err = r.error()
        check(r.status == 400 and re.search(r"\b%s\b" % re.escape(word),
                                            err) is not None and
              len(err) < 200, "400 %s" % name,
              "GET %s: got %r, want 400 naming %r" % (url, r, word))

    bad("missing symbol", {"interval": 60}, "symbol")
    bad("non-numeric from", dict(base, **{"from": "abc"}), "from")
    bad("non-numeric to", dict(base, to="12x"), "to")
    bad("limit 0", dict(base, limit=0), "limit")
    bad("limit 20001", dict(base, limit=20001), "limit")
    bad("limit huge", dict(base, limit="9" * 30), "limit")
    bad("limit negative", dict(base, limit=-5), "limit")
    bad("interval 0", dict(base, interval=0), "interval")
    bad("interval negative", dict(base, interval=-60), "interval")
    bad("interval not a number", dict(base, interval="1m"), "interval")
    bad("unknown parameter", dict(base, foo=1), "foo")
    bad("duplicated symbol", None, "symbol",
        raw="symbol=TST&symbol=OTH-USD&interval=60")
    bad("duplicated limit", None, "limit",
        raw="symbol=TST&interval=60&limit=5&limit=6")
    bad("symbol over 32 bytes", dict(base, symbol="A" * 33), "symbol")
    bad("symbol with a space", dict(base, symbol="TS T"), "symbol")
    bad("symbol with <>", dict(base, symbol="<b>"), "symbol")
    bad("export missing symbol", {"interval": 60}, "symbol",
        path="/api/export.csv", client=user_c)
    bad("export unknown parameter", dict(base, bogus=2), "bogus",
        path="/api/export.csv", client=user_c)
    bad("anomalies limit 0", {"symbol": "TST", "limit": 0}, "limit",
        path="/api/anomalies")
    bad("anomalies unknown parameter", {"wat": 1}, "wat",
        path="/api/anomalies")
    bad("anomalies non-numeric from", {"from": "yesterday"}, "from",
        path="/api/anomalies")
    for v in ("Coinbase", "coin base", "a" * 17, "", "x.y", "'", "k/r"):
        bad("source %r" % v, dict(base, source=v), "source")
        bad("export source %r" % v, dict(base, source=v), "source",
            path="/api/export.csv", client=user_c)
        bad("anomalies source %r" % v, {"source": v}, "source",
            path="/api/anomalies")
        bad("side-check source %r" % v, {"source": v}, "source",
            path="/api/side-check")
    bad("duplicated source", None, "source",
        raw="symbol=TST&source=demo&source=demo")
    bad("side-check unknown parameter", {"exchange": 4}, "exchange",
        path="/api/side-check")
    bad("side-check limit", {"limit": 4}, "limit", path="/api/side-check")
    bad("side-check bad symbol", {"symbol": "A B"}, "symbol",
        path="/api/side-check")
    r = c.get(bars_url(symbol="TST", interval=60, source="a" * 16))
    check(r.status == 200, "source of exactly 16 characters accepted",
          repr(r))
    r = c.get(bars_url(symbol="A" * 32, interval=60))
    check(r.status == 200, "symbol of exactly 32 bytes accepted", repr(r))
    r = c.get(bars_url(symbol="BRK.B:X/Y_Z-1", interval=60, limit=20000))
    check(r.status == 200, "symbol charset [A-Za-z0-9.:/_-] and limit "
          "20000 accepted", repr(r))


def test_routes_and_bodies(ui, c, admin):
    for path in ("/api/nope", "/api/bars/extra", "/api/users/x/y/z",
                 "/apix"):
        r = c.get(path)
        check(r.status == 404 and r.json() == {"error": "not found"},
              "404 %s" % path, "got %r" % r)
    r = ui.client().get("/nothing-here.html")
    check(r.status == 404, "404 static file", repr(r))
    r = c.request("PUT", "/api/me", body=b"{}",
                  content_type="application/json")
    check(r.status == 405 and "GET" in (r.header("Allow") or ""),
          "PUT /api/me -> 405 with Allow", "%r Allow %r" % (
              r, r.header("Allow")))
    r = c.get("/api/logout")
    check(r.status == 405, "GET /api/logout -> 405 (POST only)", repr(r))

    # Malformed JSON and wrong content types at login.
    cases = [
        ("truncated JSON", b'{"username": "a", "password": ', None),
        ("JSON array", b"[]", None),
        ("numbers for strings", b'{"username": 1, "password": 2}', None),
        ("missing password", b'{"username": "viewer1"}', None),
        ("not UTF-8", b'{"username": "\xff\xfe", "password": "x"}', None),
    ]
    for name, body, _ in cases:
        r = ui.client().request("POST", "/api/login", body=body,
                                content_type="application/json")
        check(r.status == 400, "login 400 %s" % name, repr(r))
    good = json.dumps({"username": "viewer1", "password": "x" * 20}).encode()
    for ct in ("text/plain", "application/x-www-form-urlencoded",
               "multipart/form-data; boundary=x"):
        r = ui.client().request("POST", "/api/login", body=good,
                                content_type=ct)
        check(r.status in (400, 415), "login refuses Content-Type %s" % ct,
              repr(r))
    r = ui.client().request("POST", "/api/login", body=good)
    check(r.status in (400, 415), "login refuses a body without "
          "Content-Type", repr(r))
    form = b"username=viewer1&password=xxxxxxxxxxxxxxxxxxxx"
    r = ui.client().request("POST", "/api/login", body=form,
                            content_type="application/x-www-form-urlencoded")
    check(r.status in (400, 415), "login refuses a form body", repr(r))

    # 64 KiB: the limit itself passes, one byte more is 413.
    pad = 65536 - len(json.dumps({"username": "nobody-at-all",
                                  "password": "p" * 20, "x": ""}))
    body = json.dumps({"username": "nobody-at-all", "password": "p" * 20,
                       "x": "y" * pad}).encode()
    r = ui.client(source="127.0.9.1").request(
        "POST", "/api/login", body=body, content_type="application/json")
    ui.login_attempts += 1 if r.status == 401 else 0
    check(len(body) == 65536 and r.status != 413 and r.status < 500,
          "a body of exactly 64 KiB is not refused as too large", repr(r))
    big = b'{"username": "a", "password": "' + b"p" * 70000 + b'"}'
    r = ui.client().request("POST", "/api/login", body=big,
                            content_type="application/json")
    check(r.status == 413, "413 body over 64 KiB (Content-Length)", repr(r))
    r = admin.request("POST", "/api/users", body=big,
                      content_type="application/json")
    check(r.status == 413, "413 authenticated POST over 64 KiB", repr(r))
    r = admin.request("POST", "/api/users", body=b'{"name": "x", "role":',
                      content_type="application/json")
    check(r.status == 400, "400 malformed JSON on POST /api/users", repr(r))


def test_static(ui):
    c = ui.client()
    for path, name, ctype in (("/", "index.html", "text/html"),
                              ("/index.html", "index.html", "text/html"),
                              ("/app.js", "app.js", "javascript"),
                              ("/style.css", "style.css", "text/css")):
        r = c.get(path)
        ct = r.header("Content-Type") or ""
        check(r.status == 200 and r.body == w.STATIC_FILES[name] and
              ctype in ct and "charset=utf-8" in ct.lower(),
              "static %s" % path, "got %r, Content-Type %r" % (r, ct))
    r = c.get("/sub/")
    check(r.status in (403, 404) and b"inner.txt" not in r.body,
          "no directory listing", repr(r))
    r = c.get("/sub/inner.txt")
    check(r.status == 200 and r.body == w.STATIC_FILES["sub/inner.txt"],
          "a file in a subdirectory is served", repr(r))
    with open(os.path.join(ui.web_root, ".secret"), "w") as f:
        f.write("hidden\n")
    os.symlink(ui.env.data_dir, os.path.join(ui.web_root, "data-link"))
    for path in ("/.secret", "/data-link/auth.db", "/data-link/market.db",
                 "/index.html/"):
        r = c.get(path)
        check(r.status == 404 and b"hidden" not in r.body and
              b"SQLite" not in r.body, "static 404 %s" % path, repr(r))
    for m in ("POST", "DELETE", "PUT"):
        r = c.request(m, "/index.html", body=b"")
        check(r.status == 405, "static %s /index.html -> 405" % m, repr(r))
    for path in ("/../data/auth.db", "/%2e%2e/data/auth.db",
                 "/sub/../../data/auth.db", "/sub/..%2f..%2fdata/auth.db",
                 "/..%2fdata%2fauth.db", "/../../../../../../etc/passwd",
                 "/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
                 "//etc/passwd", "/sub/%00inner.txt"):
        req = ("GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
               "Connection: close\r\n\r\n" % (path, ui.port)).encode()
        r, raw = ui.raw(req)
        check(r is not None and 400 <= r.status < 500 and
              b"SQLite format" not in raw and b"root:" not in raw,
              "traversal refused %s" % path,
              "got %r" % (r if r else raw[:80]))


def test_users_admin(ui, admin, pw):
    c = admin
    strong = w.strong_password()
    ui.passwords.add(strong)
    r = c.post("/api/users", {"name": "newbie", "role": "user",
                              "password": strong})
    check(r.status in (200, 201), "users add", repr(r))
    r = c.get("/api/users")
    lst = w.rows_of(r.json(), "users") or []
    nb = [u for u in lst if u.get("name") == "newbie"]
    check(r.status == 200 and nb and nb[0].get("role") == "user",
          "users list shows the new user and role", repr(r))
    check(b"$argon2" not in r.body and strong.encode() not in r.body,
          "users list shows no hash or password")
    nc = ui.client()
    r = nc.login("newbie", strong)
    check(r.status == 200 and (r.json() or {}).get("role") == "user",
          "users: a user added through the API logs in", repr(r))
    if (r.json() or {}).get("must_change"):
        # The spec leaves must_change of an admin-made user open; when
        # set, the user's first act is their own password.
        print("# POST /api/users made a must_change user")
        own = w.strong_password()
        ui.passwords.add(own)
        r = nc.post("/api/me/password", {"current": strong, "new": own})
        check(r.status in (200, 204), "new user sets their own password",
              repr(r))
        strong = own

    weak = "password1234567"
    ui.passwords.add(weak)
    r = c.post("/api/users", {"name": "weakling", "role": "viewer",
                              "password": weak})
    check(r.status == 400 and r.error() and weak not in r.error(),
          "users add: policy refusal 400 with a reason, not echoed",
          repr(r))
    short = "Zq8#vL2!pR5"          # 11 code points
    ui.passwords.add(short)
    r = c.post("/api/users", {"name": "shorty", "role": "viewer",
                              "password": short})
    check(r.status == 400 and r.error(), "users add: 11 chars refused",
          repr(r))
    r = c.post("/api/users", {"name": "roleless", "role": "superuser",
                              "password": w.strong_password()})
    check(r.status == 400, "users add: unknown role 400", repr(r))
    r = c.post("/api/users", {"name": "NEWBIE", "role": "viewer",
                              "password": w.strong_password()})
    check(400 <= r.status < 500, "users add: same name in another case "
          "refused", repr(r))
    r = c.post("/api/users/nosuchuser/disable")
    check(r.status == 404, "users: action on a missing user 404", repr(r))
    r = c.post("/api/users/newbie/role", {"role": "superuser"})
    check(r.status == 400, "users role: unknown role 400", repr(r))

    # The last enabled admin cannot be demoted, disabled or deleted.
    for name, req in (("demote", lambda: c.post(
            "/api/users/admin1/role", {"role": "viewer"})),
            ("disable", lambda: c.post("/api/users/admin1/disable")),
            ("delete", lambda: c.delete("/api/users/admin1"))):
        r = req()
        check(r.status == 409, "last admin: %s 409" % name, repr(r))
    info = ui.user_info("admin1") or {}
    check(info.get("role") == "admin" and not info.get("disabled"),
          "last admin still an enabled admin", repr(info))

    # A role change applies to an open session at once.
    r = nc.get("/api/health")
    check(r.status == 403, "newbie (user) cannot read /api/health", repr(r))
    r = c.post("/api/users/newbie/role", {"role": "manager"})
    check(r.status in (200, 204), "users role change", repr(r))
    r = nc.get("/api/health")
    check(r.status == 200, "role change applies to the open session",
          repr(r))
    r = c.post("/api/users/newbie/logout")
    check(r.status in (200, 204), "users logout", repr(r))
    r = nc.get("/api/me")
    check(r.status == 401, "users logout ends the user's sessions", repr(r))

    # An admin reset: must_change until the user sets their own.
    reset = w.strong_password()
    ui.passwords.add(reset)
    r = c.post("/api/users/newbie/password", {"password": reset})
    check(r.status in (200, 204), "users password reset", repr(r))
    r = nc.login("newbie", strong)
    check(r.status == 401, "old password refused after reset", repr(r))
    r = nc.login("newbie", reset)
    check(r.status == 200 and (r.json() or {}).get("must_change") is True,
          "after reset the login says must_change", repr(r))
    for path in ("/api/symbols", "/api/health",
                 bars_url(symbol="TST", interval=60)):
        r = nc.get(path)
        check(r.status == 403, "must_change: %s 403" % path.split("?")[0],
              repr(r))
    r = nc.me()
    check(r.status == 200 and (r.json() or {}).get("must_change") is True,
          "must_change: /api/me answers", repr(r))
    mine = w.strong_password()
    ui.passwords.add(mine)
    r = nc.post("/api/me/password", {"current": reset, "new": mine})
    check(r.status in (200, 204), "must_change: own password change", repr(r))
    nc.me()
    r = nc.get("/api/symbols")
    check(r.status == 200, "after the change the user works again",
          repr(r))
    check(not (ui.user_info("newbie") or {}).get("must_change"),
          "must_change cleared in auth.db")

    r = c.post("/api/users/newbie/disable")
    check(r.status in (200, 204), "users disable", repr(r))
    r = nc.get("/api/me")
    check(r.status == 401, "disable ends the user's session", repr(r))
    r = ui.client().login("newbie", mine)
    check(r.status == 401, "a disabled user cannot log in", repr(r))
    r = c.post("/api/users/newbie/enable")
    r2 = ui.client().login("newbie", mine)
    check(r.status in (200, 204) and r2.status == 200,
          "users enable: logs in again", "%r %r" % (r, r2))
    r = c.delete("/api/users/newbie")
    check(r.status in (200, 204) and ui.user_info("newbie") is None,
          "users delete", repr(r))
    r = ui.client().login("newbie", mine)
    check(r.status == 401, "a deleted user cannot log in", repr(r))


def test_health_metrics(ui, manager):
    r = manager.get("/api/health")
    check(r.status == 200 and isinstance(r.json(), dict),
          "/api/health JSON object", repr(r))
    j = r.json() or {}
    check(j.get("mode") in ("demo", "live"), "/api/health has mode",
          repr(j)[:200])
    check("abcd" in json.dumps(j) and "wxyz" in json.dumps(j),
          "/api/health shows the masked key it was given", repr(j)[:300])
    r = manager.get("/metrics")
    ct = r.header("Content-Type") or ""
    check(r.status == 200 and ct.startswith("text/plain") and
          "0.0.4" in ct, "/metrics text format 0.0.4", "%r %s" % (r, ct))
    line_re = re.compile(
        r'^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="'
        r'([^"\\\n]|\\.)*",?)*\})? (-?[0-9.]+([eE][+-]?[0-9]+)?|NaN|'
        r'[+-]Inf)( -?[0-9]+)?$')
    bad = [l for l in r.body.decode("utf-8", "replace").splitlines()
           if l and not l.startswith("#") and not line_re.match(l)]
    check(not bad, "/metrics every line parses", "e.g. %r" % bad[:2])
    names = {l.split("{")[0].split(" ")[0]
             for l in r.body.decode("utf-8", "replace").splitlines()
             if l and not l.startswith("#")}
    check(any("login" in n for n in names) and
          any("request" in n or "response" in n for n in names),
          "/metrics has webui's login and request counters",
          "names %s" % sorted(names)[:30])
    classes = set(re.findall(r'[a-z_]*(?:request|response)[a-z_]*\{[^}]*'
                             r'"([1-5]xx)"', r.body.decode()))
    check({"2xx", "4xx"} <= classes, "/metrics counts requests by status "
          "class", "classes seen %s" % sorted(classes))


def test_healthz_follows_market_db():
    ui = w.WebUI("webui-nomarket", market=False, start=False)
    ui.start(wait=False)
    up = h.wait_for(lambda: not ui.proc.alive() or ui.serving(), 15, 0.1)
    if not check(ui.proc.alive() and up,
                 "webui starts without market.db",
                 "exited: %s" % ui.log_text()[-300:]):
        return
    r = ui.client().get("/healthz")
    check(r.status != 200 and r.status >= 500,
          "/healthz not 200 while market.db is missing", repr(r))
    ui.create_market_db()
    ok = h.wait_for(lambda: ui.client().get("/healthz").status == 200, 5,
                    0.2)
    check(ok, "/healthz 200 once market.db is readable")


def main():
    ui = w.WebUI("webui-api", extra_env={
        "TW_FEED_KEY_MASKED": "abcd\u2026wxyz", "TW_STOCK_SOURCE": "demo",
        "TW_CRYPTO_SOURCE": "demo"})
    pw = {}
    for role in w.ROLES:
        pw[role + "1"] = ui.add_user(role + "1", role)
    ui.add_user("target1", "viewer")
    for p in ("admin-cookie", "admin-bearer"):
        ui.add_user("del-" + p, "viewer")
    bars, others, anomalies, symbols, multi = fixture(ui)

    matrix(ui, pw)

    viewer = ui.login("viewer1", pw["viewer1"])
    user = ui.login("user1", pw["user1"])
    manager = ui.login("manager1", pw["manager1"])
    admin = ui.login("admin1", pw["admin1"])
    r = ui.client().login("VIEWER1", pw["viewer1"])
    check(r.status == 200 and (r.json() or {}).get("user") == "viewer1",
          "login user names are case-insensitive", repr(r))

    test_bars(ui, viewer, bars, others)
    test_export(ui, user, bars)
    test_anomalies(ui, viewer, anomalies)
    test_symbols(ui, viewer, symbols)
    test_sources(ui, viewer, user, multi)
    test_side_check(ui, viewer, multi)
    test_bad_params(ui, viewer, user)
    test_routes_and_bodies(ui, viewer, admin)
    test_static(ui)
    test_health_metrics(ui, manager)
    test_users_admin(ui, admin, pw)

    t, rc = ui.stop()
    check(t is not None and t < 2.0 and rc == 0,
          "SIGTERM: exit 0 within 2 s", "took %s, status %s" % (t, rc))
    test_healthz_follows_market_db()
    h.finish()


if __name__ == "__main__":
    h.run(main)
