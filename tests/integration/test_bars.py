"""feedsim replays a fixed recording -> collectors -> aggregator -> bustap:
every bar the aggregator closes equals the one bars_ref.py computes from
the same recording, field by field; nothing is lost on the bus.
"""

import time

import harness as h
import pipeline as p

env = h.Env("bars")
rec = p.unpack_recording(env)
want = p.expected_bars(rec)
h.check(len(want) > 500 and any(k[1] == 60 for k in want),
        "bars: the recording makes 1 s and 60 s bars", str(len(want)))

tap = env.bustap([env.bus_url("aggregator")], kind="all")
port = p.start_pipeline(env)
time.sleep(2 * h.MULT)      # the aggregator's pipes to both collectors
env.feedsim("--replay", rec, "--replay-speed", "10", "--replay-clients", "2",
            port=port)

done = h.wait_for(lambda: set(want) <= set(p.bars_from_tap(tap)), 60)
time.sleep(1 * h.MULT)
got = p.bars_from_tap(tap)
bad = p.bar_mismatches(want, got)
h.check(done and not bad, "bars: every bar equals the reference",
        "; ".join(bad))
stats = tap.stats("aggregator")
h.check(stats.get("bus_gaps") == 0 and stats.get("bad_ticks") == 0,
        "bars: no bus gap, no bad tick", str(stats))
h.check(stats.get("too_late") == 0 and stats.get("duplicates") == 0,
        "bars: nothing too late or duplicated in an in-order recording",
        str(stats))
first_ms = min(k[2] for k in want)
late = [k for k, r in got.items() if r["gap"] and k[2] > first_ms + 10000]
h.check(any(r["gap"] for r in got.values()) and not late,
        "bars: gap bars only at the start (partial bars, no context yet)",
        str(late[:3]))
live = tap.records(lambda r: r.get("kind") == "bar" and
                   r["state"] == "live")
h.check(len(live) > 0, "bars: live updates of open bars are published")
h.check(len(tap.records(lambda r: r.get("kind") == "side_check")) > 0,
        "bars: side checks are published for the crypto venues")
h.finish()
