"""The keyless crypto venues end to end: feedsim speaking Coinbase, Kraken
and Binance -> ingest-crypto --source V -> bus -> aggregator -> store.

For each venue: every tick the collector publishes is the one the frame
feedsim sent should give (venue_ref.py, written from the venues' docs,
independently of the C parsers), above all the aggressor side; nothing is
lost; the feed goes live; and every 1 s bar the aggregator closes, and the
store keeps in market.db, equals bars_ref.py's bar computed from those
ticks, buy and sell volume included.

Then several sources at once, as `make run` starts them (scripts/run,
supervisor.conf, TW_CRYPTO_VENUES=coinbase,kraken): one collector per
venue beside the demo one, and BTC-USD stored as three series (demo,
coinbase, kraken); each venue is one exchange of the market feedsim
serves on /crypto, so its trades are a part of demo's, and its declared
sides agree with its own quotes.
"""

import os
import sqlite3
import time

import harness as h
import pipeline as p
from bars_ref import compute
from polygon_ref import tick_matches
from venue_ref import expected_ticks

VENUES = {
    "coinbase": "BTC-USD,ETH-USD,SOL-USD",
    "kraken": "BTC-USD,ETH-USD,SOL-USD",
    "binance": "BTC-USDT,ETH-USDT,SOL-USDT",
}


def want_ticks(env, venue):
    out = []
    for frame in h.read_sent_frames(env.path("sent.log")):
        for t in expected_ticks(frame, venue):
            if t["ts_ns"] is None:
                del t["ts_ns"]      # stamped on receipt: only it knows
            t["source"] = venue
            out.append(t)
    return out


def stored_bars(db, source, interval_s=1):
    """{(symbol, interval_s, start_ms): row} of one source in market.db."""
    if not os.path.exists(db):
        return {}
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    con.row_factory = sqlite3.Row
    try:
        return {(r["symbol"], r["interval_s"], r["start_ms"]): dict(r)
                for r in con.execute("SELECT * FROM bars WHERE source = ?"
                                     " AND interval_s = ?",
                                     (source, interval_s))}
    except sqlite3.Error:
        return {}
    finally:
        con.close()


def without_spread(rows, keys):
    """rows with the quote-derived fields of keys blanked."""
    blank = dict.fromkeys(("spread_mean", "spread_min", "spread_max",
                           "spread_bps"))
    return {k: dict(v, **blank) if k in keys else v for k, v in rows.items()}


def run(venue, symbols):
    env = h.Env("venue-" + venue)
    name = "%s: " % venue
    port = h.free_port()
    bus = env.bus_url("ingest-crypto")
    tap = env.bustap([bus], kind="all")
    bars_tap = env.bustap([env.bus_url("aggregator")], kind="all",
                          name="bustap-bars")
    col = env.start("ingest-crypto", [
        "ingest-crypto", "--source", venue, "--url",
        "ws://127.0.0.1:%d/%s" % (port, venue), "--symbols", symbols])
    env.start("aggregator", ["aggregator"])
    env.start("store", ["store"])
    h.check(tap.wait_joined(), name + "bustap joined the bus")
    # The aggregator publishes: it is up; its pipe to the collector comes
    # within the second (as test_bars), before the first tick.
    bars_tap.wait_joined()
    time.sleep(1.5 * h.MULT)
    sim = env.feedsim("--seed", "11", "--rate", "2400", "--burst", "1",
                      "--symbols", "BTC-USD,ETH-USD,SOL-USD,DOGE-USD",
                      "--log-sent", env.path("sent.log"), port=port)
    h.check(h.wait_for(lambda: tap.records(
        lambda r: r.get("status") == "live"), 15),
        name + "the feed goes live after subscribing")
    h.wait_for(lambda: len(tap.ticks("trade")) > 1500, 30)
    sim.stop()
    h.wait_for(lambda: tap.records(lambda r: r.get("status") ==
                                   "disconnected"), 10)
    time.sleep(0.3 * h.MULT)
    stats = tap.stats("ingest-crypto")

    want = want_ticks(env, venue)
    got = [r for r in tap.ticks() if r["kind"] != "status"]
    h.check(len(want) > 1500 and {w["symbol"] for w in want} ==
            set(symbols.split(",")),
            name + "feedsim sent a busy stream of the subscribed pairs "
            "only", "%d ticks of %s" % (len(want), sorted(
                {w["symbol"] for w in want})))
    bad = next(((i, k) for i, (w, g) in enumerate(zip(want, got))
                if (k := tick_matches(w, g)) is not None), None)
    h.check(bad is None, name + "every tick equals what the venue's "
            "message means (venue_ref.py)", "tick %s differs in %s: want "
            "%s got %s" % (bad[0], bad[1], want[bad[0]], got[bad[0]])
            if bad else "")
    h.check(len(got) == len(want), name + "nothing lost or added",
            "want %d got %d" % (len(want), len(got)))
    trades = [g for g in got if g["kind"] == "trade"]
    h.check({"buy", "sell"} == {t["side"] for t in trades},
            name + "every trade has a declared side, buys and sells",
            str({t["side"] for t in trades}))
    h.check(any(g["kind"] == "quote" for g in got),
            name + "best bid/ask quotes arrive")
    h.check(stats.get("malformed") == 0 and not tap.gaps(),
            name + "no malformed message, no bus gap",
            "%s %s" % (stats, tap.gaps()[:3]))

    # Bars: the aggregator's, from these ticks, against the reference.
    events = [dict(g, source=venue) for g in got]
    ref = compute(events, (1,))
    last_ms = max(g["ts_ns"] for g in got) // 10 ** 6
    ref = {k: v for k, v in ref.items() if k[2] + 1000 <= last_ms - 1000}
    h.wait_for(lambda: set(ref) <= set(p.bars_from_tap(bars_tap)), 20)
    bars = {k: v for k, v in p.bars_from_tap(bars_tap).items()
            if k[1] == 1 and k in ref}
    # A bar the aggregator flags partial (gap) overlaps the time before
    # the feed's first data (and 250 ms after it, aggregator.md): only the
    # first second or two may be, and their spread depends on quotes from
    # before the collector started, which the reference (it sees only the
    # ticks) cannot know; their trades must still be exact.
    start = min(k[2] for k in ref)
    partial = {k for k, v in bars.items() if v["gap"]}
    h.check(all(k[2] <= start + 1000 for k in partial),
            name + "only the first bars are partial",
            str(sorted(k for k in partial if k[2] > start + 1000)[:3]))
    ref = without_spread(ref, partial)
    bars = without_spread(bars, partial)
    bad = p.bar_mismatches(ref, bars)
    h.check(len(ref) > 5 and not bad, name + "every 1 s bar equals the "
            "reference, buy and sell volume included", "; ".join(bad))
    h.check(sum(v["buy_volume"] for v in bars.values()) > 0 and
            sum(v["sell_volume"] for v in bars.values()) > 0,
            name + "bars hold buy and sell volume")
    db = os.path.join(env.data_dir, "market.db")
    h.wait_for(lambda: set(ref) <= set(stored_bars(db, venue)), 20)
    stored = without_spread({k: v for k, v in stored_bars(db, venue).items()
                             if k in ref}, partial)
    bad = p.bar_mismatches(ref, stored)
    h.check(not bad, name + "market.db holds every 1 s bar, equal to the "
            "reference, under source %s" % venue, "; ".join(bad))
    t = col.stop()
    h.check(t is not None and col.p.returncode == 0,
            name + "the collector stops on SIGTERM", str(t))
    env.close()


def test_config_errors():
    env = h.Env("venue-config")
    for argv, why in (
            (["--source", "coinbase", "--symbols", "*"], "a wildcard"),
            (["--source", "binance", "--symbols", "BTC-XYZ"],
             "a pair Binance does not quote"),
            (["--source", "kraken", "--symbols", "BTCUSD"], "no dash"),
            (["--source", "coinbase", "--name", "a/b"], "a bad name")):
        pr = env.start("ingest-crypto", ["ingest-crypto"] + argv)
        pr.p.wait(10 * h.MULT)
        h.check(pr.p.returncode == 78, "venue config: %s is refused "
                "(exit 78)" % why, "exit %s" % pr.p.returncode)
    env.close()


def supervised():
    """scripts/run with two venues beside the demo feed."""
    env = h.Env("venues-supervised")
    port = h.free_port()
    feed = "ws://127.0.0.1:%d/" % port
    env.vars.update({
        "TW_FEEDSIM_LISTEN": "127.0.0.1:%d" % port,
        "TW_FEEDSIM_SYMBOLS": "AAPL,BTC-USD,ETH-USD",
        "TW_FEEDSIM_RATE": "400",
        "TW_CRYPTO_SYMBOLS": "BTC-USD,ETH-USD",
        "TW_CRYPTO_VENUES": "coinbase,kraken",
        "TW_COINBASE_URL": feed + "coinbase",
        "TW_COINBASE_SYMBOLS": "BTC-USD,ETH-USD",
        "TW_KRAKEN_URL": feed + "kraken",
        "TW_KRAKEN_SYMBOLS": "BTC-USD",
        "TW_WEB_LISTEN": "127.0.0.1:%d" % h.free_port(),
    })
    sup = h.Proc(env, "supervisord", [os.path.join(h.TOP, "scripts",
                                                   "run")])
    env.procs.append(sup)
    db = os.path.join(env.data_dir, "market.db")

    def status():
        return {p: st for p, (st, _) in h.supervisor_status(env).items()}

    h.check(h.wait_for(lambda: status().get("ingest-coinbase") ==
                       "RUNNING" and status().get("ingest-kraken") ==
                       "RUNNING", 30),
            "supervised: ingest-coinbase and ingest-kraken RUNNING beside "
            "ingest-crypto", str(status()))
    h.check(status().get("ingest-binance") != "RUNNING",
            "supervised: a venue not named is not started")
    for v in ("coinbase", "kraken"):
        h.check(os.path.exists(os.path.join(env.log_dir, "ingest-%s.log" %
                                            v)),
                "supervised: ingest-%s has its own log file" % v)

    def series():
        return {s: stored_bars(db, s) for s in ("demo", "coinbase",
                                                "kraken")}

    def common_btc(sr):
        keys = [set(k for k in sr[s] if k[0] == "BTC-USD") for s in sr]
        return sorted(set.intersection(*keys))

    h.check(h.wait_for(lambda: len(common_btc(series())) >= 8, 60),
            "supervised: BTC-USD is stored as three series (demo, "
            "coinbase, kraken)", str({s: len(v) for s, v in
                                      series().items()}))
    sr = series()
    keys = common_btc(sr)[1:-1]     # the first may be partial on one
    # Each venue is one exchange of the market feedsim serves on /crypto
    # (docs/feedsim.md), so its bars hold a share of demo's trades.
    bad = [k for k in keys if not sr["coinbase"][k]["trades"] +
           sr["kraken"][k]["trades"] <= sr["demo"][k]["trades"]]
    h.check(keys and not bad, "supervised: the venues' trades are a part "
            "of the market's, bar for bar", "%d of %d not, e.g. %s" % (
                len(bad), len(keys), [(s, sr[s][bad[0]]) for s in sr]
                if bad else ""))
    for v in ("coinbase", "kraken"):
        comp = sum(sr[v][k]["n_compared"] for k in keys)
        agree = sum(sr[v][k]["n_agree"] for k in keys)
        h.check(comp > 50 and agree >= 0.9 * comp,
                "supervised: %s's declared sides agree with its own "
                "quotes (the side check)" % v, "%d of %d" % (agree, comp))
    h.check(not any(k[0] == "ETH-USD" for k in sr["kraken"]) and
            any(k[0] == "ETH-USD" for k in sr["coinbase"]),
            "supervised: each venue collects its own symbol list")
    t = sup.stop(timeout=15)
    h.check(t is not None and sup.p.returncode == 0,
            "supervised: SIGTERM stops everything", str(t))
    env.close()


test_config_errors()
for v, syms in VENUES.items():
    run(v, syms)
supervised()
h.finish()
