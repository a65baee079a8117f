"""Feed faults against a real collector: dropped connections, refused
auth, malformed frames, stalls. The collector must recover, count each
fault, keep the stream going, and never spin.
"""

import math
import os
import re
import time

import harness as h

KEY = "k3yTESTabcdefghijklmnop1234WXYZ"


def collector(env, sim, *extra, prog="ingest-crypto", path="crypto"):
    bus = env.bus_url(prog)
    tap = env.bustap([bus], kind="all", name="bustap-" + prog)
    col = env.start(prog, [prog, "--url", "%s/%s" % (sim.url, path),
                           "--symbols", "*", "--bus", bus] + list(extra))
    return col, tap


def trades_after(tap, t0_ns):
    return [r for r in tap.ticks("trade") if r["recv_ns"] > t0_ns]


def test_reconnect():
    env = h.Env("reconnect")
    sim = env.feedsim("--rate", "500", "--drop-every", "2")
    col, tap = collector(env, sim)
    ok = h.wait_for(lambda: tap.stats("ingest-crypto").get("reconnects",
                                                           0) >= 2, 20)
    h.check(ok, "reconnect: feedsim drops every 2 s, reconnects counted",
            str(tap.stats("ingest-crypto")))
    t0 = time.time_ns()
    h.check(h.wait_for(lambda: len(trades_after(tap, t0)) > 50, 10),
            "reconnect: ticks resume after reconnecting")
    subs = sim.log_text().count("subscribed")
    h.check(subs >= 3 or len(re.findall(r"subscri", sim.log_text())) >= 3,
            "reconnect: every new connection subscribes again",
            "%d subscribe lines in feedsim's log" % subs)
    statuses = [r["status"] for r in tap.ticks("status")]
    h.check("disconnected" in statuses and statuses.count("live") >= 2,
            "reconnect: disconnect and live status ticks published",
            str(statuses))
    h.check(col.alive(), "reconnect: the collector is still running")
    env.close()


def test_refused_auth():
    env = h.Env("auth")
    keyfile = env.write("feedsim.key", "the-right-key-0123456789\n")
    sim = env.feedsim("--rate", "200", "--api-key-file", keyfile)
    colkey = env.write("polygon.key", KEY + "\n")
    col, tap = collector(env, sim, "--api-key-file", colkey)
    h.wait_for(lambda: col.log_text().count("authentication failed") >= 3,
               20)
    log = col.log_text()
    h.check(log.count("authentication failed") >= 3,
            "auth: a refused key is logged clearly", log[-500:])
    h.check(KEY not in log and KEY not in sim.log_text(),
            "auth: the key never appears in a log")
    h.check("k3yT\u2026WXYZ" in log, "auth: the key is shown masked")
    cpu0 = col.cpu_seconds()
    t0 = time.monotonic()
    n0 = log.count("connecting url=")
    window = 6 * h.MULT
    time.sleep(window)
    cpu = (col.cpu_seconds() - cpu0) / (time.monotonic() - t0)
    n1 = col.log_text().count("connecting url=")
    h.check(cpu < 0.05, "auth: no busy loop (CPU %.1f%%)" % (cpu * 100))
    # Doubling delays from >= 0.5 s (after three failures) allow about
    # log2(window / 0.5) + 2 attempts in the window; a fixed retry far more.
    allowed = math.log2(window / 0.5) + 2
    h.check(n1 - n0 <= allowed, "auth: retries back off",
            "%d attempts in %.0f s (allowed %.1f)" % (n1 - n0, window,
                                                      allowed))
    delays = [int(d) for d in re.findall(r"reconnecting in (\d+) ms",
                                          col.log_text())]
    h.check(len(delays) >= 3 and delays[-1] > delays[0] and
            max(delays) <= 30000, "auth: delays grow, capped at 30 s",
            str(delays))
    h.check(tap.stats("ingest-crypto").get("auth_failures", 0) >= 3 and
            not tap.ticks("trade"),
            "auth: failures counted, no ticks without auth")
    h.check(any(r["status"] == "auth_failed" for r in tap.ticks("status")),
            "auth: auth_failed status published")
    env.close()


def test_right_key():
    env = h.Env("authok")
    keyfile = env.write("feedsim.key", KEY + "\n")
    sim = env.feedsim("--rate", "200", "--api-key-file", keyfile)
    venv = dict(env.vars)
    env.vars["POLYGON_API_KEY_FILE"] = keyfile
    col, tap = collector(env, sim, "--source", "polygon")
    env.vars = venv
    h.check(h.wait_for(lambda: len(tap.ticks("trade")) > 20, 10),
            "auth: the right key from POLYGON_API_KEY_FILE gets data")
    h.check(all(r["source"] == "polygon" for r in tap.ticks("trade")),
            "auth: source polygon is marked on the ticks")
    h.check(KEY not in col.log_text(), "auth: key absent from the log")
    env.close()


def test_malformed():
    env = h.Env("malformed")
    sim = env.feedsim("--rate", "1000", "--malformed-every", "5")
    col, tap = collector(env, sim)
    h.wait_for(lambda: tap.stats("ingest-crypto").get("malformed", 0) > 20,
               15)
    st = tap.stats("ingest-crypto")
    h.check(st.get("malformed", 0) > 20, "malformed: frames counted",
            str(st))
    h.check(st.get("skipped_bad_json", 0) > 0,
            "malformed: invalid JSON counted as bad_json", str(st))
    t0 = time.time_ns()
    h.check(h.wait_for(lambda: len(trades_after(tap, t0)) > 100, 10),
            "malformed: the stream goes on")
    h.check(st.get("reconnects", 0) == 0,
            "malformed: no reconnect needed", str(st))
    h.check("skipped" in col.log_text(),
            "malformed: skipped events are logged")
    lines = col.log_text().count("skipped")
    h.check(lines < 15 + 2 * (st.get("uptime_s", 0) + 1),
            "malformed: warnings are rate-limited", "%d lines" % lines)
    h.check(col.alive(), "malformed: the collector is still running")
    env.close()


def test_stall():
    env = h.Env("stall")
    sim = env.feedsim("--rate", "500", "--stall-every", "3",
                      "--stall-for", "30")
    col, tap = collector(env, sim, "--stall-min", "1s")
    h.check(h.wait_for(lambda: tap.stats("ingest-crypto").get("stalls",
                                                              0) >= 1, 15),
            "stall: a silent but open feed is detected",
            str(tap.stats("ingest-crypto")))
    h.check(any(r["status"] == "stalled" for r in tap.ticks("status")),
            "stall: stalled status published")
    h.check(h.wait_for(lambda: tap.stats("ingest-crypto").get(
        "reconnects", 0) >= 1, 10), "stall: the collector reconnects")
    env.close()


def test_quiet_feed_is_not_stalled():
    env = h.Env("quiet")
    sim = env.feedsim("--rate", "4")
    col, tap = collector(env, sim, "--stall-min", "1s")
    time.sleep(8 * h.MULT)
    st = tap.stats("ingest-crypto")
    h.check(st.get("stalls", -1) == 0 and st.get("trades", 0) +
            st.get("quotes", 0) > 0,
            "stall: a slow but steady feed is not taken for a stall",
            str(st))
    env.close()


def test_sigterm():
    env = h.Env("sigterm")
    sim = env.feedsim("--rate", "2000")
    col, tap = collector(env, sim)
    col2, tap2 = collector(env, sim, prog="ingest-stock", path="stocks")
    h.wait_for(lambda: len(tap.ticks("trade")) > 10 and
               len(tap2.ticks("trade")) > 10, 10)
    for name, p in (("ingest-crypto", col), ("ingest-stock", col2),
                    ("bustap", tap.proc), ("feedsim", sim)):
        t = p.stop()
        h.check(t is not None and t < 1.0 and p.p.returncode == 0,
                "sigterm: %s exits 0 within a second" % name,
                "took %s, status %s" % (t, p.p.returncode))
    env.close()


test_reconnect()
test_refused_auth()
test_right_key()
test_malformed()
test_stall()
test_quiet_feed_is_not_stalled()
test_sigterm()
h.finish()
