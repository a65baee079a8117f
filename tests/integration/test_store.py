"""The store against a stand-in aggregator (barpub: the aggregator's own
history and replay code behind its endpoints): every field written as
published, upserts of corrections, kill -9 and restart, a store that was
down, a bus gap, a database locked by another writer, the memory bound,
an aggregator restart, SIGTERM, and raw ticks from a real collector.
Expected rows are computed here from what was published (barpub.py).
"""

import os
import signal
import sqlite3
import time

import harness as h
from barpub import BarPub, bar_row, gen_bar, BAR_COLUMNS
from barpub import F_GAP, F_LATE, F_NO_PRICE, F_NO_SPREAD

T0 = 1_700_000_000_000     # start_ms of generated bars


def start_store(env, *args, name="store"):
    return env.start(name, ["store"] + list(args))


def query(env, sql, args=()):
    """Rows of a query on a read-only connection, closed at once (an open
    one would keep the store's close from removing -wal and -shm)."""
    path = os.path.join(env.data_dir, "market.db")
    try:
        c = sqlite3.connect("file:%s?mode=ro" % path, uri=True, timeout=5)
    except sqlite3.Error:
        return []
    try:
        c.row_factory = sqlite3.Row
        return c.execute(sql, args).fetchall()
    except sqlite3.Error:
        return []
    finally:
        c.close()


def count_bars(env, where="1"):
    rows = query(env, "SELECT count(*) AS n FROM bars WHERE " + where)
    return rows[0]["n"] if rows else 0


def wait_bars(env, n, timeout=20, where="1"):
    return h.wait_for(lambda: count_bars(env, where) >= n, timeout)


def stats_tap(env):
    return env.bustap([env.bus_url("store")], kind="stats",
                      name="bustap-store")


def stat(tap, key):
    return tap.stats("store").get(key, 0)


def diff_rows(env, expected):
    """Compares expected rows {key: row} with the bars table; says how."""
    got = {(r["symbol"], r["interval_s"], r["start_ms"]): dict(r)
           for r in query(env, "SELECT %s FROM bars" % ",".join(BAR_COLUMNS))}
    if set(got) != set(expected):
        return "keys differ: %d missing, %d extra" % (
            len(set(expected) - set(got)), len(set(got) - set(expected)))
    for key, want in expected.items():
        for col in BAR_COLUMNS:
            if got[key][col] != want[col]:
                return "%s %s: got %r, want %r" % (key, col, got[key][col],
                                                   want[col])
    return None


def expected_gen(n, symbols, interval_s, first=0):
    out = {}
    for k in range(first, first + n):
        row = bar_row(gen_bar(k, symbols, interval_s, T0))
        out[(row["symbol"], row["interval_s"], row["start_ms"])] = row
    return out


HANDMADE = [
    # A full stock bar: every field set.
    dict(symbol="AAPL", source="polygon", asset_class="stock",
         interval_s=60, start_ms=T0, open=187_250_000_000,
         high=187_990_000_001, low=186_000_000_000, close=187_500_000_000,
         vwap=187_312_345_678, volume=12345.5, buy_volume=7000.25,
         sell_volume=5000.125, trades=321, buy_trades=200, sell_trades=100,
         quotes=999, spread_mean=10_500_000, spread_min=10_000_000,
         spread_max=30_000_000, spread_bps=0.56, delta_min=-12.5,
         delta_max=2000.75, n_declared=0, n_inferred=300, n_unknown=21,
         n_compared=0, n_agree=0, n_unknown_conditions=3,
         first_ts_ns=T0 * 10 ** 6 + 17, last_ts_ns=T0 * 10 ** 6 + 59_999_999,
         updated_ns=(T0 + 61_000) * 10 ** 6 + 123_456),
    # Quotes only: no price.
    dict(symbol="MSFT", source="polygon", asset_class="stock",
         interval_s=60, start_ms=T0, flags=F_NO_PRICE, quotes=12,
         spread_mean=20_000_000, spread_min=10_000_000,
         spread_max=40_000_000, spread_bps=1.5,
         updated_ns=(T0 + 61_000) * 10 ** 6),
    # Only prints that may not set prices: volume and vwap, no OHLC.
    dict(symbol="AMD", source="polygon", asset_class="stock",
         interval_s=1, start_ms=T0, flags=F_NO_PRICE, vwap=150_120_000_000,
         volume=300.0, trades=2, n_inferred=2, quotes=1,
         spread_mean=10_000_000, spread_min=10_000_000,
         spread_max=10_000_000, spread_bps=0.66,
         updated_ns=(T0 + 2000) * 10 ** 6),
    # Trades with no quote at all (the aggregator's flag).
    dict(symbol="BTC-USD", source="coinbase", asset_class="crypto",
         interval_s=1, start_ms=T0 + 5000, flags=F_NO_SPREAD | F_GAP,
         open=37_000_120_000_000, high=37_000_500_000_000,
         low=36_999_000_000_000, close=37_000_000_000_001,
         vwap=37_000_100_000_000, volume=0.00012345, buy_volume=0.0001,
         sell_volume=0.00002345, trades=3, buy_trades=2, sell_trades=1,
         n_declared=3, n_inferred=3, n_compared=3, n_agree=2,
         updated_ns=(T0 + 6500) * 10 ** 6),
    # A locked market carried through the bar: a true zero spread.
    dict(symbol="ETH-USD", source="kraken", asset_class="crypto",
         interval_s=1, start_ms=T0, flags=F_LATE, open=2_000_000_000_000,
         high=2_000_000_000_000, low=2_000_000_000_000,
         close=2_000_000_000_000, vwap=2_000_000_000_000, volume=1.0,
         trades=1, updated_ns=(T0 + 1500) * 10 ** 6),
]


def test_fields():
    env = h.Env("store-fields")
    pub = BarPub(env)
    store = start_store(env)
    tap = stats_tap(env)
    h.wait_for(lambda: "replay: done" in store.log_text(), 10)
    cpu0, t0 = store.cpu_seconds(), time.monotonic()
    time.sleep(1.5)
    cpu = (store.cpu_seconds() - cpu0) / (time.monotonic() - t0)
    h.check(cpu < 0.05, "idle: no busy loop (CPU %.1f%%)" % (cpu * 100))
    for b in HANDMADE:
        pub.bar(state="closed", **b)
    pub.bar(state="live", symbol="LIVE", interval_s=1, start_ms=T0,
            close=1)
    pub.gen(n=500, symbols=7, interval_s=1, start_ms=T0)
    pub.anomaly(symbol="AAPL", kind="volume_spike", interval_s=60,
                start_ms=T0, score=7.25, value=12345.5, threshold=6.0,
                ts_ns=T0 * 10 ** 6 + 5, exchange=0, source="polygon",
                asset_class="stock")
    pub.anomaly(symbol="BTC-USD", kind="side_inverted", interval_s=1,
                start_ms=T0 + 5000, score=0.1, value=0.05, threshold=0.2,
                ts_ns=7, exchange=4, source="coinbase")
    pub.side_check(symbol="BTC-USD", source="coinbase", exchange=1,
                   trades=100, declared_buy=60, declared_sell=40,
                   compared=90, agree=80, at_bid=30, at_ask=50, inside=10,
                   inverted=0, updated_ns=T0 * 10 ** 6)
    pub.sync()
    want = expected_gen(500, 7, 1)
    for b in HANDMADE:
        row = bar_row(b)
        want[(row["symbol"], row["interval_s"], row["start_ms"])] = row
    wait_bars(env, len(want))
    h.check(diff_rows(env, want) is None, "fields: every bar column as "
            "published (%d bars, prices /1e9, NULL rules)" % len(want),
            str(diff_rows(env, want)))
    h.check(count_bars(env, "symbol = 'LIVE'") == 0,
            "fields: a live bar is not stored")
    a = query(env, "SELECT * FROM anomalies ORDER BY symbol")
    h.check(len(a) == 2 and dict(a[0]) == dict(
        symbol="AAPL", interval_s=60, start_ms=T0, kind="volume_spike",
        score=7.25, value=12345.5, threshold=6.0, ts_ns=T0 * 10 ** 6 + 5,
        exchange=0, source="polygon", asset_class="stock") and
        a[1]["kind"] == "side_inverted" and a[1]["exchange"] == 4,
        "fields: anomalies as published", str([dict(r) for r in a]))
    c = query(env, "SELECT * FROM side_checks")
    h.check(len(c) == 1 and c[0]["agree"] == 80 and c[0]["inside"] == 10
            and c[0]["source"] == "coinbase" and c[0]["updated_ms"] == T0,
            "fields: side checks as published")
    s = query(env, "SELECT * FROM symbols WHERE symbol = 'AAPL'")
    h.check(len(s) == 1 and s[0]["last_price"] == 187.5 and
            s[0]["first_ms"] == T0 and s[0]["last_ms"] == T0 + 60000 and
            s[0]["asset_class"] == "stock",
            "fields: symbols kept current", str([dict(r) for r in s]))
    h.wait_for(lambda: stat(tap, "bars_written") >= len(want), 5)
    # Each bar written once, plus what a replay brought again: a replay
    # request that failed at start (the sanitizer build is slow to answer)
    # is retried later, and its records are written again (an idempotent
    # upsert; the rows were compared above).
    written = stat(tap, "bars_written")
    h.check(len(want) <= written <= len(want) +
            stat(tap, "replay_records") and
            stat(tap, "live_bars_skipped") == 1 and
            stat(tap, "transactions") >= 1 and stat(tap, "db_bytes") > 0,
            "fields: counters published on store.ipc",
            str(tap.stats("store")))
    env.close()


def test_upsert():
    env = h.Env("store-upsert")
    pub = BarPub(env)
    store = start_store(env)
    tap = stats_tap(env)
    h.wait_for(lambda: "replay: done" in store.log_text(), 10)
    b = dict(HANDMADE[0])
    pub.bar(state="closed", **b)
    pub.sync()
    wait_bars(env, 1)
    b.update(revision=1, close=188_000_000_000, volume=20000.0, flags=F_LATE)
    pub.bar(state="corrected", **b)
    pub.sync()
    h.wait_for(lambda: query(env, "SELECT revision FROM bars")[0][0] == 1, 5)
    r = query(env, "SELECT count(*), max(revision), max(close), "
               "max(volume), max(late) FROM bars")[0]
    h.check(tuple(r) == (1, 1, 188.0, 20000.0, 1),
            "upsert: a corrected bar replaces the closed one", str(tuple(r)))
    b0 = dict(HANDMADE[0])
    pub.bar(state="closed", **b0)      # an old revision, late
    pub.sync()
    h.wait_for(lambda: stat(tap, "bars_stale") >= 1, 5)
    r = query(env, "SELECT count(*), max(revision), max(close) FROM bars")[0]
    h.check(tuple(r) == (1, 1, 188.0) and stat(tap, "bars_stale") == 1,
            "upsert: an older revision never overwrites a correction",
            str(tuple(r)))
    env.close()


def test_kill9():
    env = h.Env("store-kill9")
    pub = BarPub(env)
    store = start_store(env, "--flush", "200ms")
    h.wait_for(lambda: "replay: done" in store.log_text(), 10)
    n = 6000
    pub.gen(n=n, symbols=20, interval_s=1, start_ms=T0, rate=1500)
    h.wait_for(lambda: count_bars(env) > 1000, 20)
    store.stop(signal.SIGKILL)
    k0 = count_bars(env)
    time.sleep(1.0)
    store = start_store(env, "--flush", "200ms", name="store2")
    pub.sync(60)
    ok = wait_bars(env, n, 30)
    h.check(ok and count_bars(env) == n, "kill -9: after the restart "
            "every bar is there, none twice (%d at the kill, %d now)" %
            (k0, count_bars(env)))
    h.check(diff_rows(env, expected_gen(n, 20, 1)) is None,
            "kill -9: and each is exactly as published",
            str(diff_rows(env, expected_gen(n, 20, 1))))
    r = query(env, "PRAGMA integrity_check")
    h.check(r and r[0][0] == "ok", "kill -9: integrity_check ok")
    h.check("replay: starting" in store.log_text(),
            "kill -9: the new store asked for a replay")
    env.close()


def test_down():
    env = h.Env("store-down")
    pub = BarPub(env)
    store = start_store(env)
    h.wait_for(lambda: "replay: done" in store.log_text(), 10)
    pub.gen(n=400, symbols=4, interval_s=1, start_ms=T0)
    pub.sync()
    wait_bars(env, 400)
    took = store.stop()
    h.check(took is not None and took < 2.5 and store.p.returncode == 0,
            "down: SIGTERM exits 0 quickly (%s s)" % took)
    pub.gen(n=600, symbols=4, interval_s=1, start_ms=T0, first=400)
    pub.sync()
    time.sleep(0.5)
    store = start_store(env, name="store2")
    tap = stats_tap(env)
    ok = wait_bars(env, 1000, 20)
    h.check(ok and diff_rows(env, expected_gen(1000, 4, 1)) is None,
            "down: the replay filled the hole (%d bars)" % count_bars(env))
    h.wait_for(lambda: stat(tap, "replays") >= 1, 5)
    h.check(stat(tap, "replay_records") >= 600 and
            stat(tap, "replay_lost") == 0,
            "down: counted as replayed, nothing lost",
            str(tap.stats("store")))
    env.close()


def test_lost():
    env = h.Env("store-lost")
    pub = BarPub(env, "barpub", None, None, "--history-bars", "100")
    store = start_store(env)
    h.wait_for(lambda: "replay: done" in store.log_text(), 10)
    pub.gen(n=50, symbols=1, interval_s=1, start_ms=T0)
    pub.sync()
    wait_bars(env, 50)
    store.stop()
    pub.gen(n=500, symbols=1, interval_s=1, start_ms=T0, first=50)
    pub.sync()
    store = start_store(env, name="store2")
    tap = stats_tap(env)
    h.wait_for(lambda: stat(tap, "replay_lost") >= 1, 15)
    h.check(stat(tap, "replay_lost") >= 1 and
            "no longer holds" in store.log_text(),
            "lost: a ring that moved on is counted and logged",
            str(tap.stats("store")))
    h.check(wait_bars(env, 150, 10) and count_bars(env) == 150,
            "lost: what the ring still held was written")
    env.close()


def test_gap():
    env = h.Env("store-gap")
    pub = BarPub(env)
    store = start_store(env)
    tap = stats_tap(env)
    h.wait_for(lambda: "replay: done" in store.log_text(), 10)
    pub.gen(n=64, symbols=1, interval_s=60, start_ms=T0)
    pub.sync()
    wait_bars(env, 64)
    pub.drop(1)
    pub.gen(n=64, symbols=1, interval_s=60, start_ms=T0, first=64)
    pub.sync()
    pub.gen(n=64, symbols=1, interval_s=60, start_ms=T0, first=128)
    r = pub.sync()
    ok = wait_bars(env, 192, 15)
    h.check(r["dropped_messages"] == 1 and ok and
            diff_rows(env, expected_gen(192, 1, 60)) is None,
            "gap: the lost message's bars came back by replay")
    h.wait_for(lambda: stat(tap, "gap_replays") >= 1, 5)
    h.check(stat(tap, "bus_gaps") == 1 and stat(tap, "gap_replays") == 1 and
            "bus gap on bars" in store.log_text(),
            "gap: counted and logged", str(tap.stats("store")))
    env.close()


def hold_lock(env):
    c = sqlite3.connect(os.path.join(env.data_dir, "market.db"),
                        timeout=5, isolation_level=None)
    c.execute("BEGIN IMMEDIATE")
    return c


def test_busy():
    env = h.Env("store-busy")
    pub = BarPub(env)
    # Ticks on (from nowhere): pruning must wait quietly too.
    store = start_store(env, "--ticks", "--tick-urls", env.bus_url("none"))
    tap = stats_tap(env)
    h.wait_for(lambda: "replay: done" in store.log_text(), 10)
    tap.wait_joined()
    lock = hold_lock(env)
    pub.gen(n=300, symbols=3, interval_s=1, start_ms=T0)
    pub.sync()
    # 300 at least: under the sanitizers a start-up replay that timed out
    # may be retried now and bring the same rows again (upserts merge them).
    ok = h.wait_for(lambda: stat(tap, "write_errors") >= 2 and
                    (stat(tap, "pending_rows") or 0) >= 300, 10)
    h.check(ok and count_bars(env) == 0, "busy: writes fail while "
            "another writer holds the lock; rows kept",
            str(tap.stats("store")))
    cpu0, t0 = store.cpu_seconds(), time.monotonic()
    time.sleep(2)
    cpu = (store.cpu_seconds() - cpu0) / (time.monotonic() - t0)
    h.check(cpu < 0.1, "busy: no busy loop while retrying (CPU %.1f%%)" %
            (cpu * 100))
    lock.execute("ROLLBACK")
    lock.close()
    ok = wait_bars(env, 300, 40)
    h.check(ok and diff_rows(env, expected_gen(300, 3, 1)) is None,
            "busy: every row written once the lock is gone")
    h.wait_for(lambda: stat(tap, "pending_rows") == 0, 5)
    log = store.log_text()
    h.check(stat(tap, "pending_rows") == 0 and
            stat(tap, "dropped_rows") == 0 and
            log.count("write failed") == 1 and "writes resumed" in log,
            "busy: logged once per episode, with its end; counters",
            str(tap.stats("store")))
    env.close()


def test_bound():
    env = h.Env("store-bound")
    pub = BarPub(env)
    store = start_store(env, "--max-pending", "100")
    tap = stats_tap(env)
    h.wait_for(lambda: "replay: done" in store.log_text(), 10)
    tap.wait_joined()
    lock = hold_lock(env)
    pub.gen(n=400, symbols=4, interval_s=1, start_ms=T0)
    pub.sync()
    ok = h.wait_for(lambda: stat(tap, "dropped_rows") == 300, 10)
    h.check(ok and stat(tap, "pending_rows") == 100,
            "bound: rows past the bound are dropped and counted",
            str(tap.stats("store")))
    lock.execute("ROLLBACK")
    lock.close()
    ok = wait_bars(env, 400, 40)
    h.check(ok and diff_rows(env, expected_gen(400, 4, 1)) is None,
            "bound: a replay once writes work brings the dropped back")
    env.close()


def test_restart_and_sigterm():
    env = h.Env("store-restart")
    pub = BarPub(env)
    store = start_store(env, "--flush", "60s", "--flush-rows", "100000")
    tap = stats_tap(env)
    h.wait_for(lambda: "replay: done" in store.log_text(), 10)
    pub.gen(n=100, symbols=2, interval_s=1, start_ms=T0)
    pub.sync()
    pub.stop(signal.SIGKILL)
    pub = BarPub(env, "barpub2")
    pub.gen(n=100, symbols=2, interval_s=1, start_ms=T0, first=100)
    pub.sync()
    ok = h.wait_for(lambda: stat(tap, "aggregator_restarts") == 1 and
                    stat(tap, "pending_rows") >= 200, 10)
    h.check(ok and "aggregator restarted" in store.log_text(),
            "restart: a new publisher id is logged and counted",
            str(tap.stats("store")))
    h.check(count_bars(env) == 0, "sigterm: a 60 s flush holds the rows")
    took = store.stop()
    h.check(took is not None and took < 2.5 and store.p.returncode == 0 and
            count_bars(env) == 200, "sigterm: flushed, exit 0 in %s s" %
            (None if took is None else "%.2f" % took))
    env.close()


def test_ticks():
    env = h.Env("store-ticks")
    sim = env.feedsim("--rate", "300")
    bus = env.bus_url("ingest-crypto")
    tap = env.bustap([bus], kind="ticks", name="bustap-ticks")
    store = start_store(env, "--ticks", "--tick-urls", bus,
                        "--ticks-retention", "5s", "--flush", "100ms")
    env.start("ingest-crypto", ["ingest-crypto", "--url", sim.url + "/crypto",
                                "--symbols", "*", "--bus", bus])
    h.wait_for(lambda: len(tap.ticks("trade")) > 50, 20)
    time.sleep(1)
    # Recent enough not to be pruned (5 s, with room for a slow query),
    # old enough to be written.
    now = time.time_ns()
    trades = [t for t in tap.ticks("trade")
              if now - 2 * 10 ** 9 < t["ts_ns"] and
              t["recv_ns"] < now - 300 * 10 ** 6][-50:]

    def key(symbol, ts_ns, trade_id):
        return (symbol, ts_ns, trade_id or None)

    def mismatches():
        got = {key(r["symbol"], r["ts_ns"], r["trade_id"]): dict(r)
               for r in query(env, "SELECT * FROM ticks WHERE kind = "
                              "'trade'")}
        return [t for t in trades
                if got.get(key(t["symbol"], t["ts_ns"], t["trade_id"]),
                           {}).get("price") != float(t["price"]) or
                got[key(t["symbol"], t["ts_ns"], t["trade_id"])]["side"] !=
                t["side"] or
                got[key(t["symbol"], t["ts_ns"], t["trade_id"])]["size"] !=
                float(t["size"])]
    # A loaded (sanitized) store may write a batch later than 300 ms, and
    # a read can meet a busy database: look again for up to 2 s, well
    # inside the 5 s retention, so nothing compared is pruned meanwhile.
    end = time.monotonic() + 2
    bad = mismatches()
    while bad and time.monotonic() < end:
        time.sleep(0.2)
        bad = mismatches()
    h.check(trades and not bad, "ticks: trades stored as published "
            "(%d compared)" % len(trades), str(bad[:2]))
    h.check(query(env, "SELECT count(*) FROM ticks WHERE kind = 'quote' "
                  "AND bid > 0 AND ask >= bid")[0][0] > 0,
            "ticks: quotes stored")
    h.wait_for(lambda: (query(env, "SELECT min(ts_ns) FROM ticks")[0][0]
                        or 0) > time.time_ns() - 7 * 10 ** 9, 15)
    oldest = query(env, "SELECT min(ts_ns) FROM ticks")[0][0]
    h.check(oldest is not None and oldest > time.time_ns() - 8 * 10 ** 9,
            "ticks: older than the retention are pruned (oldest %.1f s)" %
            ((time.time_ns() - (oldest or 0)) / 1e9))
    env.close()


if __name__ == "__main__":
    for t in (test_fields, test_upsert, test_kill9, test_down, test_lost,
              test_gap, test_busy, test_bound, test_restart_and_sigterm,
              test_ticks):
        t()
    h.finish()
