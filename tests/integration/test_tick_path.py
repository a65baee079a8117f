"""feedsim -> ingest-crypto / ingest-stock -> bus -> bustap.

feedsim logs every frame it sends; the ticks bustap prints must be exactly
the ones those frames hold (derived independently in polygon_ref.py), in
order, with no sequence gap: every field, the crypto side from conditions,
the stock conditions and tape, the feed's own minute bars.
"""

import time

import harness as h
from polygon_ref import expected_ticks, tick_matches


def run(asset):
    prog = "ingest-crypto" if asset == "crypto" else "ingest-stock"
    path = "crypto" if asset == "crypto" else "stocks"
    env = h.Env("tick-" + asset)
    # The collector and bustap come up first, so that bustap's pipe is up
    # before the first tick: then nothing may be missing at all.
    port = h.free_port()
    bus = env.bus_url(prog)
    tap = env.bustap([bus], kind="all")
    col = env.start(prog, [prog, "--url", "ws://127.0.0.1:%d/%s" % (
        port, path), "--symbols", "*", "--bus", bus])
    h.check(tap.wait_joined(), "%s: bustap joined the bus" % prog)
    # Virtual time starts 12 s before a minute ends: the collector is
    # subscribed (after its reconnect backoff) before the minute bar comes.
    start_ms = (int(time.time() * 1000) // 60000 + 1) * 60000 - 12000
    sim = env.feedsim("--seed", "7", "--rate", "3000", "--start-ms",
                      str(start_ms), "--log-sent", env.path("sent.log"),
                      port=port)
    h.wait_for(lambda: len(tap.ticks("trade")) > 2000, 20)
    h.wait_for(lambda: len(tap.ticks("feed_bar")) > 0, 20)
    # Stop the feed first: everything it sent has then been published.
    sim.stop()
    h.wait_for(lambda: tap.records(lambda r: r.get("status") ==
                                   "disconnected"), 10)
    time.sleep(0.3 * h.MULT)
    stats = tap.stats(prog)
    col_exit = col.stop()
    tap.stop()

    want = []
    for frame in h.read_sent_frames(env.path("sent.log")):
        want.extend(expected_ticks(frame, asset))
    got = [r for r in tap.ticks() if r["kind"] != "status"]
    name = "%s: " % prog
    h.check(len(want) > 2000, name + "feedsim sent a busy stream",
            "%d ticks" % len(want))
    h.check(len(got) > 2000, name + "bustap saw ticks", "%d" % len(got))
    tail = want
    bad = next(((i, k) for i, (w, g) in enumerate(zip(tail, got))
                if (k := tick_matches(w, g)) is not None), None)
    h.check(bad is None, name + "every tick equals what feedsim sent",
            "tick %s differs in %s: want %s got %s" % (
                bad[0], bad[1], tail[bad[0]], got[bad[0]]) if bad else "")
    h.check(len(got) == len(tail), name + "nothing lost or added",
            "want %d got %d" % (len(tail), len(got)))
    h.check(not tap.gaps(), name + "no sequence gaps", str(tap.gaps()[:3]))
    kinds = {g["kind"] for g in got}
    h.check({"trade", "quote", "feed_bar"} <= kinds,
            name + "trades, quotes and the feed's bars all arrive",
            str(kinds))
    trades = [g for g in got if g["kind"] == "trade"]
    if asset == "crypto":
        sides = {t["side"] for t in trades}
        h.check({"buy", "sell"} <= sides,
                name + "declared sides buy and sell both occur", str(sides))
        h.check(all(t["side"] == "buy" for t in trades
                    if t["conditions"] == [2]) and
                all(t["side"] == "sell" for t in trades
                    if t["conditions"] == [1]),
                name + "condition 2 is a buy, 1 a sell (feeds.md 3.1)")
    else:
        h.check(all(t["side"] == "unknown" for t in trades),
                name + "stock trades carry side unknown")
        h.check(any(t["conditions"] for t in trades) and
                all(t["tape"] in (1, 2, 3) for t in trades),
                name + "stock trades keep conditions and tape")
    h.check(all(g["source"] == "demo" for g in got),
            name + "ticks are marked as demo data (the default source)",
            str({g["source"] for g in got}))
    h.check(stats.get("trades", 0) > 0 and stats.get("malformed") == 0,
            name + "counters published on the bus", str(stats))
    h.check(col_exit is not None and col_exit < 1.0,
            name + "SIGTERM ends the collector within a second",
            str(col_exit))
    env.close()


run("crypto")
run("stock")
h.finish()
