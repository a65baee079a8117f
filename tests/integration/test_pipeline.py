"""The whole pipeline into SQLite: feedsim replays a fixed recording ->
collectors -> aggregator -> store -> market.db. Every bar in market.db is
compared with bars_ref.py's from the same recording, field by field. Then
the same run with the store killed (-9) and restarted in the middle: no bar
missing or duplicated. Then with the aggregator killed and restarted: bars
it could not see whole are flagged as gaps, the rest are right, and the
restart shows in the counters. PRAGMA integrity_check after each.
"""

import os
import signal
import sqlite3
import time

import harness as h
import pipeline as p


def db_bars(path):
    con = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    con.row_factory = sqlite3.Row
    rows = {(r["symbol"], r["interval_s"], r["start_ms"]): dict(r)
            for r in con.execute("SELECT * FROM bars")}
    n = con.execute("SELECT count(*) FROM bars").fetchone()[0]
    con.close()
    return rows, n


def integrity(path):
    con = sqlite3.connect(path)
    ok = con.execute("PRAGMA integrity_check").fetchone()[0]
    con.close()
    return ok


def bars_stored(env, n, timeout=30):
    """Waits until the store has written n bars. The disturbances below are
    timed by this, the replay's progress, not by the wall clock: the replay
    runs at its own speed however slow a sanitizer build starts."""
    db = os.path.join(env.data_dir, "market.db")
    h.wait_for(lambda: os.path.exists(db) and db_bars(db)[1] >= n, timeout)


def run(name, disturb=None):
    """One replay through the whole pipeline; disturb(env) runs mid-way."""
    env = h.Env(name)
    rec = p.unpack_recording(env)
    want = p.expected_bars(rec)
    db = os.path.join(env.data_dir, "market.db")
    tap = env.bustap([env.bus_url("aggregator"), env.bus_url("store")],
                     kind="stats")
    store = env.start("store", ["store"])
    port = p.start_pipeline(env)
    time.sleep(2 * h.MULT)
    env.feedsim("--replay", rec, "--replay-speed", "8", "--replay-clients",
                "2", port=port)
    info = disturb(env, store) if disturb else {}
    bars_stored(env, len(want), 90)
    time.sleep(2 * h.MULT)      # one more flush, corrections
    got, n_rows = db_bars(db)
    stats = {"store": tap.stats("store"), "aggregator": tap.stats(
        "aggregator")}
    for pr in env.procs:
        if pr.name == "store" and pr.alive():
            t = pr.stop()
            h.check(t is not None and t < 3 and pr.p.returncode == 0,
                    "%s: the store stops on SIGTERM, flushed, in time" %
                    name, str(t))
    h.check(integrity(db) == "ok", "%s: PRAGMA integrity_check is ok" % name)
    return env, want, got, n_rows, stats, info


def normalize(rows):
    for r in rows.values():
        r["gap"] = int(r["gap"] or 0)
    return rows


def test_clean():
    env, want, got, n_rows, stats, _ = run("pipeline")
    got = normalize(got)
    bad = p.bar_mismatches(want, {k: v for k, v in got.items() if k in want})
    h.check(len(want) > 500 and not bad,
            "pipeline: every bar in market.db equals the reference",
            "; ".join(bad))
    missing = set(want) - set(got)
    h.check(not missing, "pipeline: no bar missing", str(sorted(missing)[:3]))
    h.check(n_rows == len(got), "pipeline: no bar twice")
    h.check(stats["aggregator"].get("bus_gaps") == 0 and
            stats["store"].get("bus_gaps") == 0,
            "pipeline: no sequence gap anywhere", str(stats))
    env.close()


# The recording lasts 130 s, 16 s at --replay-speed 8: the disturbances
# must happen, and end, well inside that.
def kill_store(env, store):
    bars_stored(env, 200)
    store.stop(signal.SIGKILL)
    time.sleep(3)
    env.start("store", ["store"])
    return {}


def test_store_restart():
    env, want, got, n_rows, stats, _ = run("store-kill", kill_store)
    got = normalize(got)
    missing = set(want) - set(got)
    bad = p.bar_mismatches(want, {k: v for k, v in got.items() if k in want})
    h.check(not missing and not bad,
            "store kill -9: after restart and replay no bar is missing or "
            "wrong", "%d missing %s; %s" % (len(missing),
                                            sorted(missing)[:3],
                                            "; ".join(bad)))
    h.check(n_rows == len(got), "store kill -9: no bar twice")
    h.check(stats["store"].get("replay_records", 0) > 0,
            "store kill -9: the restarted store asked for a replay",
            str(stats["store"]))
    env.close()


def kill_aggregator(env, store):
    bars_stored(env, 200)
    agg = next(pr for pr in env.procs if pr.name == "aggregator")
    t_kill = time.time()
    agg.stop(signal.SIGKILL)
    time.sleep(2)
    env.start("aggregator", ["aggregator"])
    return {"t_kill": t_kill}


def test_aggregator_restart():
    env, want, got, n_rows, stats, _ = run("agg-kill", kill_aggregator)
    got = normalize(got)
    clean = {k: v for k, v in got.items() if k in want and not v["gap"]}
    bad = p.bar_mismatches({k: want[k] for k in clean}, clean)
    h.check(not bad, "aggregator kill -9: every bar not flagged gap is "
            "right", "; ".join(bad))
    want_gaps = sum(1 for w in want.values() if w["gap"])
    gaps = sorted(k[2] for k, v in got.items() if v["gap"] and
                  not want.get(k, {}).get("gap"))
    h.check(len(gaps) > 0, "aggregator kill -9: bars it saw only in part "
            "are flagged gap", "%d extra gap bars (%d expected at start)" %
            (len(gaps), want_gaps))
    missing = [k for k in want if k not in got]
    lo, hi = (gaps[0], gaps[-1]) if gaps else (0, 0)
    outside = [k for k in missing if not lo - 60000 <= k[2] <= hi]
    h.check(not outside, "aggregator kill -9: bars missing only inside "
            "the outage the gap flags mark", str(outside[:3]))
    h.check(stats["store"].get("aggregator_restarts", 0) >= 1,
            "aggregator kill -9: the store counts the restart",
            str(stats["store"]))
    h.check(n_rows == len(got), "aggregator kill -9: no bar twice")
    env.close()


test_clean()
test_store_restart()
test_aggregator_restart()
h.finish()
