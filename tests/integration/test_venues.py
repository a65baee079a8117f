"""The keyless crypto venues end to end: feedsim speaking Coinbase, Kraken
and Binance -> ingest-crypto --source V -> bus -> aggregator.

For each venue: every tick the collector publishes is the one the frame
feedsim sent should give (venue_ref.py, written from the venues' docs,
independently of the C parsers), above all the aggressor side; nothing is
lost; the feed goes live; and every 1 s bar the aggregator closes equals
bars_ref.py's bar computed from those ticks, buy and sell volume included.
"""

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
    h.check(tap.wait_joined(), name + "bustap joined the bus")
    sim = env.feedsim("--seed", "11", "--rate", "600", "--burst", "1",
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
    bad = p.bar_mismatches(ref, bars)
    h.check(len(ref) > 5 and not bad, name + "every 1 s bar equals the "
            "reference, buy and sell volume included", "; ".join(bad))
    h.check(sum(v["buy_volume"] for v in bars.values()) > 0 and
            sum(v["sell_volume"] for v in bars.values()) > 0,
            name + "bars hold buy and sell volume")
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


test_config_errors()
for v, syms in VENUES.items():
    run(v, syms)
h.finish()
