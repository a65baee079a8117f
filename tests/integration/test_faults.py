"""Feed faults from feedsim against the real collectors (issue 6):
dropped connections, refused auth, malformed and truncated frames, stalls
and a flood of one symbol, on the Polygon path and on keyless venue paths
(drops on /kraken, malformed frames on /coinbase). Each time the
collector must recover, show the fault in the counter meant for it, keep
the stream going, never spin, and no process may exit. Where feedsim's
--log-sent is kept, the counters are compared exactly with what the sent
frames must give (polygon_ref.py, venue_ref.py: written independently of
the C parsers). The flood runs the aggregator too: it keeps up and keeps
making bars for the flooded symbol and the others, in bounded memory.
"""

import collections
import json
import math
import re
import time

import harness as h
import pipeline as p
import polygon_ref
import venue_ref

KEY = "k3yTESTabcdefghijklmnop1234WXYZ"


def collector(env, sim, *extra, prog="ingest-crypto", path="crypto",
              symbols="*", tap_kind="all"):
    bus = env.bus_url(prog)
    tap = env.bustap([bus], kind=tap_kind, name="bustap-" + prog)
    col = env.start(prog, [prog, "--url", "%s/%s" % (sim.url, path),
                           "--symbols", symbols, "--bus", bus] + list(extra))
    return col, tap


def venue_collector(env, sim, venue, symbols):
    return collector(env, sim, "--source", venue, path=venue,
                     symbols=symbols)


def trades_after(tap, t0_ns):
    return [r for r in tap.ticks("trade") if r["recv_ns"] > t0_ns]


def none_exited(name, procs):
    """One check: every process of procs still runs."""
    dead = ["%s (exit %s)" % (pr.name, pr.p.returncode) for pr in procs
            if not pr.alive()]
    h.check(not dead, name + ": no process exited (%s)" %
            ", ".join(pr.name for pr in procs), ", ".join(dead))


def stop_feed(name, sim):
    """Stops feedsim; it must go on SIGTERM, with status 0."""
    t = sim.stop()
    h.check(t is not None and sim.p.returncode == 0,
            name + ": feedsim stops on SIGTERM with status 0",
            "took %s, status %s" % (t, sim.p.returncode))


def feedsim_final(sim):
    """The counters of feedsim's final stats line, {name: int}."""
    m = re.search(r"stats final (.*)", sim.log_text())
    if m is None:
        return {}
    return {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", m.group(1))}


def conns_subscribed(sim):
    """(connections opened, those that subscribed) in feedsim's log."""
    log = sim.log_text()
    conns = re.findall(r"connection conn=(\d+)", log)
    subbed = set(re.findall(r"\bsubscribe conn=(\d+)", log))
    return conns, [c for c in conns if c in subbed]


def settled(tap, process, sent_lines):
    """Waits until the collector has read every frame feedsim logged as
    sent; returns its counters then."""
    h.wait_for(lambda: tap.stats(process).get("frames") == sent_lines, 10)
    return tap.stats(process)


def classify(frames):
    """What the sent data frames are, from their text alone: valid, the
    malformed kinds of docs/feedsim.md (invalid JSON: the first ':' made
    ';'; truncated: the first half of a frame; broken events: a valid
    array holding the element 42)."""
    out = collections.Counter()
    for text in frames:
        try:
            v = json.loads(text)
        except ValueError:
            i = text.find(";")
            try:
                json.loads(text[:i] + ":" + text[i + 1:] if i >= 0 else "")
                out["invalid_json"] += 1
            except ValueError:
                out["truncated"] += 1
            continue
        if isinstance(v, list) and any(e == 42 and not isinstance(e, bool)
                                       for e in v):
            out["broken_events"] += 1
        else:
            out["valid"] += 1
    return out


def test_reconnect():
    env = h.Env("reconnect")
    sim = env.feedsim("--rate", "500", "--drop-every", "2")
    col, tap = collector(env, sim)
    agg = env.start("aggregator", ["aggregator"])
    aggtap = env.bustap([env.bus_url("aggregator")], kind="stats",
                        name="bustap-agg")
    ok = h.wait_for(lambda: tap.stats("ingest-crypto").get("reconnects",
                                                           0) >= 2, 20)
    h.check(ok, "reconnect: feedsim drops every 2 s, reconnects counted",
            str(tap.stats("ingest-crypto")))
    # Each cut feedsim logs is one reconnect (sampled between cuts).
    h.check(h.wait_for(lambda: tap.stats("ingest-crypto").get(
        "reconnects", -1) == sim.log_text().count("fault drop conn="), 10),
        "reconnect: one reconnect counted per connection feedsim cut",
        "reconnects %s, cuts %d" % (tap.stats("ingest-crypto").get(
            "reconnects"), sim.log_text().count("fault drop conn=")))
    t0 = time.time_ns()
    h.check(h.wait_for(lambda: len(trades_after(tap, t0)) > 50, 10),
            "reconnect: ticks resume after reconnecting")
    conns, subbed = conns_subscribed(sim)
    h.check(len(conns) >= 3 and subbed[:len(conns) - 1] == conns[:-1],
            "reconnect: every new connection subscribes again",
            "connections %s, subscribed %s" % (conns, subbed))
    statuses = [r["status"] for r in tap.ticks("status")]
    h.check("disconnected" in statuses and statuses.count("live") >= 2,
            "reconnect: disconnect and live status ticks published",
            str(statuses))
    h.check(h.wait_for(lambda: aggtap.stats("aggregator").get(
        "feed_outages", 0) >= 2, 10),
        "reconnect: the aggregator counts each drop as a feed outage",
        str(aggtap.stats("aggregator")))
    none_exited("reconnect", [col, sim, agg])
    env.close()


def test_venue_reconnect():
    """The drop fault on a keyless venue path (Kraken WS v2)."""
    env = h.Env("venue-reconnect")
    sim = env.feedsim("--rate", "800", "--drop-every", "2")
    col, tap = venue_collector(env, sim, "kraken", "BTC-USD,ETH-USD")
    h.check(h.wait_for(lambda: tap.stats("ingest-crypto").get(
        "reconnects", 0) >= 2, 20),
        "venue reconnect: feedsim cuts /kraken every 2 s, reconnects "
        "counted", str(tap.stats("ingest-crypto")))
    h.check(h.wait_for(lambda: tap.stats("ingest-crypto").get(
        "reconnects", -1) == sim.log_text().count("fault drop conn="), 10),
        "venue reconnect: one reconnect per connection cut",
        "reconnects %s, cuts %d" % (tap.stats("ingest-crypto").get(
            "reconnects"), sim.log_text().count("fault drop conn=")))
    t0 = time.time_ns()
    h.check(h.wait_for(lambda: len(trades_after(tap, t0)) > 20, 10),
            "venue reconnect: ticks resume after reconnecting")
    conns, subbed = conns_subscribed(sim)
    h.check(len(conns) >= 3 and subbed[:len(conns) - 1] == conns[:-1],
            "venue reconnect: every new connection subscribes again",
            "connections %s, subscribed %s" % (conns, subbed))
    statuses = [r["status"] for r in tap.ticks("status")]
    h.check(statuses.count("disconnected") >= 2 and
            statuses.count("live") >= 2,
            "venue reconnect: disconnected and live published each time",
            str(statuses))
    st = tap.stats("ingest-crypto")
    h.check(st.get("malformed", -1) == 0 and
            all(r["source"] == "kraken" for r in tap.ticks("trade")),
            "venue reconnect: nothing malformed, ticks marked kraken",
            str(st))
    none_exited("venue reconnect", [col, sim])
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
    # Sampled together: every refusal feedsim logged is counted (the
    # newest may not be published yet).
    h.wait_for(lambda: tap.stats("ingest-crypto").get("auth_failures") ==
               sim.log_text().count("auth failed conn="), 5)
    st = tap.stats("ingest-crypto")
    refused = sim.log_text().count("auth failed conn=")
    h.check(st.get("auth_failures", 0) >= 3 and
            refused - 1 <= st["auth_failures"] <= refused and
            not tap.ticks("trade"),
            "auth: each refusal counted in auth_failures, no ticks "
            "without auth", "counted %s, refused %d" % (
                st.get("auth_failures"), refused))
    h.check(any(r["status"] == "auth_failed" for r in tap.ticks("status")),
            "auth: auth_failed status published")
    none_exited("auth", [col, sim])
    env.close()


def test_refuse_auth_flag():
    """--refuse-auth: even a key feedsim would take is refused."""
    env = h.Env("refuse")
    sim = env.feedsim("--rate", "200", "--refuse-auth")
    colkey = env.write("polygon.key", KEY + "\n")
    col, tap = collector(env, sim, "--api-key-file", colkey)
    h.check(h.wait_for(lambda: tap.stats("ingest-crypto").get(
        "auth_failures", 0) >= 2, 15),
        "refuse-auth: refusals counted in auth_failures",
        str(tap.stats("ingest-crypto")))
    h.check("(--refuse-auth)" in sim.log_text() and
            KEY not in sim.log_text() + col.log_text(),
            "refuse-auth: feedsim logs the fault, the key masked")
    # Between attempts; each new connection is "connected" (1) a moment.
    h.check(h.wait_for(lambda: tap.stats("ingest-crypto").get(
        "feed_status") == 4, 5) and not tap.ticks("trade"),
        "refuse-auth: no ticks, feed_status auth_failed (4)",
        str(tap.stats("ingest-crypto")))
    none_exited("refuse-auth", [col, sim])
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
    sent = env.path("sent.log")
    sim = env.feedsim("--rate", "1000", "--malformed-every", "5",
                      "--log-sent", sent)
    col, tap = collector(env, sim)
    h.wait_for(lambda: tap.stats("ingest-crypto").get("malformed", 0) > 20,
               15)
    st = tap.stats("ingest-crypto")
    h.check(st.get("malformed", 0) > 20, "malformed: frames counted",
            str(st))
    t0 = time.time_ns()
    h.check(h.wait_for(lambda: len(trades_after(tap, t0)) > 100, 10),
            "malformed: the stream goes on")
    h.check("skipped" in col.log_text(),
            "malformed: skipped events are logged")
    none_exited("malformed", [col, sim])
    stop_feed("malformed", sim)

    # Every frame feedsim sent against what the collector counted.
    frames = h.read_sent_frames(sent)
    st = settled(tap, "ingest-crypto", len(frames))
    kinds = classify(frames)
    h.check(st.get("frames") == len(frames),
            "malformed: the collector read every frame sent",
            "read %s, sent %d" % (st.get("frames"), len(frames)))
    h.check(min(kinds["invalid_json"], kinds["truncated"],
                kinds["broken_events"]) > 5,
            "malformed: feedsim sent each kind of malformed frame",
            str(kinds))
    # The collector has no reason of its own for a truncated frame: it
    # is invalid JSON, like the ';' kind, and counted as bad_json.
    bad = kinds["invalid_json"] + kinds["truncated"]
    h.check(st.get("skipped_bad_json") == bad,
            "malformed: invalid JSON and truncated frames, each counted "
            "in skipped_bad_json", "counted %s, sent %d (%s)" % (
                st.get("skipped_bad_json"), bad, kinds))
    nb = kinds["broken_events"]
    h.check(st.get("skipped_not_object") == nb and
            st.get("skipped_unknown_ev") == nb and
            st.get("skipped_missing_field", 0) +
            st.get("skipped_bad_type", 0) +
            st.get("skipped_bad_value", 0) == 2 * nb,
            "malformed: per broken-events frame, one not_object, one "
            "unknown_ev and two missing_field/bad_type/bad_value skips",
            "%d frames, counters %s" % (nb, {k: v for k, v in st.items()
                                             if k.startswith("skipped_")}))
    h.check(st.get("malformed") == bad + 4 * nb,
            "malformed: the malformed total is the sum of the faults",
            "%s, want %d" % (st.get("malformed"), bad + 4 * nb))
    want = sum(len(polygon_ref.expected_ticks(f, "crypto")) for f in frames)
    got = st.get("trades", 0) + st.get("quotes", 0) + st.get("feed_bars", 0)
    h.check(want > 1000 and got == want,
            "malformed: every good event of every frame is a tick, "
            "the good events of broken frames too",
            "published %d, the frames hold %d" % (got, want))
    h.check(st.get("reconnects", -1) == 0,
            "malformed: no reconnect needed", str(st))
    print("# malformed: %d frames sent, %s; collector %s" % (
        len(frames), dict(kinds), {k: v for k, v in st.items()
                                   if k.startswith("skipped_") and v}),
        flush=True)
    lines = col.log_text().count("skipped")
    h.check(lines < 15 + 2 * (st.get("uptime_s", 0) + 1),
            "malformed: warnings are rate-limited", "%d lines" % lines)
    h.check(col.alive(), "malformed: the collector outlives its feed")
    env.close()


def test_venue_malformed():
    """The malformed fault on a keyless venue path (Coinbase): every
    malformed message there is invalid JSON or a truncation."""
    env = h.Env("venue-malformed")
    sent = env.path("sent.log")
    sim = env.feedsim("--rate", "1000", "--malformed-every", "4",
                      "--log-sent", sent)
    col, tap = venue_collector(env, sim, "coinbase",
                               "BTC-USD,ETH-USD,SOL-USD")
    h.check(h.wait_for(lambda: tap.stats("ingest-crypto").get(
        "skipped_bad_json", 0) > 20, 15),
        "venue malformed: bad messages counted",
        str(tap.stats("ingest-crypto")))
    t0 = time.time_ns()
    h.check(h.wait_for(lambda: len(trades_after(tap, t0)) > 50, 10),
            "venue malformed: the stream goes on")
    none_exited("venue malformed", [col, sim])
    stop_feed("venue malformed", sim)

    frames = h.read_sent_frames(sent)
    st = settled(tap, "ingest-crypto", len(frames))
    kinds = classify(frames)
    h.check(st.get("frames") == len(frames),
            "venue malformed: the collector read every message sent",
            "read %s, sent %d" % (st.get("frames"), len(frames)))
    bad = kinds["invalid_json"] + kinds["truncated"]
    h.check(min(kinds["invalid_json"], kinds["truncated"]) > 5 and
            kinds["broken_events"] == 0,
            "venue malformed: invalid JSON and truncations sent",
            str(kinds))
    h.check(st.get("skipped_bad_json") == bad and
            st.get("malformed") == bad,
            "venue malformed: each counted once, in skipped_bad_json",
            "bad_json %s malformed %s, sent %d" % (
                st.get("skipped_bad_json"), st.get("malformed"), bad))
    want = sum(len(venue_ref.expected_ticks(f, "coinbase")) for f in frames)
    got = st.get("trades", 0) + st.get("quotes", 0)
    h.check(want > 200 and got == want,
            "venue malformed: every good message is a tick",
            "published %d, the messages hold %d" % (got, want))
    h.check(st.get("reconnects", -1) == 0,
            "venue malformed: no reconnect needed", str(st))
    print("# venue malformed: %d messages sent, %s; collector %s" % (
        len(frames), dict(kinds), {k: v for k, v in st.items()
                                   if k.startswith("skipped_") and v}),
        flush=True)
    h.check(col.alive(), "venue malformed: the collector outlives its feed")
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
    h.check("fault stall begins" in sim.log_text(),
            "stall: feedsim logged the stall")
    # The stall is counted when it is detected, and the status published
    # once the connection is closed, a moment later (ws_client.c closes
    # it asynchronously): wait for it, do not sample.
    h.check(h.wait_for(lambda: any(r["status"] == "stalled"
                                   for r in tap.ticks("status")), 10),
            "stall: stalled status published",
            str([r["status"] for r in tap.ticks("status")]))
    h.check(h.wait_for(lambda: tap.stats("ingest-crypto").get(
        "reconnects", 0) >= 1, 10), "stall: the collector reconnects")
    none_exited("stall", [col, sim])
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


TICK_RE = re.compile(rb'\{"seq":\d+,"publisher_id":\d+,"kind":"(\w+)",'
                     rb'"ts_ns":(-?\d+),"recv_ns":\d+,"symbol":"([^"]*)"')


class FloodTap(h.BusTap):
    """bustap on a collector's ticks that counts, per symbol and kind,
    with a regular expression instead of a JSON parser, so that a flood
    does not outrun the test; lines that are not ticks (bus gaps) are
    kept, parsed."""

    def __init__(self, env, urls, name):
        self.counts = collections.Counter()
        self.trades_by_s = collections.Counter()    # (symbol, second)
        self.last_ns = {}
        super().__init__(env, urls, "ticks", name)
        env.procs.append(self.proc)

    def _read(self):
        for raw in self.proc.p.stdout:
            m = TICK_RE.match(raw)
            with self.lock:
                if m is None:
                    try:
                        self.lines.append(json.loads(raw))
                    except ValueError:
                        self.lines.append({"unparsable": raw})
                    continue
                kind, ts, sym = m.group(1).decode(), int(m.group(2)), \
                    m.group(3).decode()
                self.counts[(sym, kind)] += 1
                self.last_ns[sym] = time.monotonic_ns()
                if kind == "trade":
                    self.trades_by_s[(sym, ts // 10 ** 9)] += 1

    def count(self, sym, kinds=("trade", "quote")):
        with self.lock:
            return sum(self.counts[(sym, k)] for k in kinds)

    def seen_since(self, sym, t_ns):
        with self.lock:
            return self.last_ns.get(sym, 0) > t_ns


FLOOD = "DOGE-USD"
OTHERS = ("BTC-USD", "ETH-USD", "SOL-USD", "XRP-USD")


def test_flood():
    env = h.Env("flood")
    # Under ASan every freed block waits in a quarantine of up to 256 MiB
    # before reuse, which a tick stream fills at megabytes a second: RSS
    # would measure the quarantine, not the process. A small one keeps
    # use-after-free detection and lets the bound below mean the same in
    # both builds (other builds ignore the variable).
    env.vars["ASAN_OPTIONS"] = (env.vars.get("ASAN_OPTIONS", "") +
                                ":quarantine_size_mb=8").lstrip(":")
    rate, flood_rate = 400, 20000
    port = h.free_port()
    bus = env.bus_url("ingest-crypto")
    tap = FloodTap(env, [bus], "bustap-ticks")
    stats = env.bustap([bus, env.bus_url("aggregator")], kind="stats",
                       name="bustap-stats")
    bars = env.bustap([env.bus_url("aggregator")], kind="bars",
                      name="bustap-bars")
    agg = env.start("aggregator", ["aggregator"])
    col = env.start("ingest-crypto", [
        "ingest-crypto", "--url", "ws://127.0.0.1:%d/crypto" % port,
        "--symbols", "*", "--bus", bus])
    # Every reader on the bus before the first tick (as test_venues), so
    # that the counts of the collector, the aggregator and the tap agree.
    h.wait_for(lambda: stats.stats("ingest-crypto") and
               stats.stats("aggregator"), 10)
    time.sleep(1.5 * h.MULT)
    sim = env.feedsim("--rate", str(rate), "--flood", FLOOD,
                      "--flood-rate", str(flood_rate), port=port)
    procs = (col, sim, agg)
    h.check(h.wait_for(lambda: tap.count(FLOOD) > 20000, 20),
            "flood: the flooded symbol reaches the bus",
            str(dict(tap.counts)))
    h.check("fault flood begins sym=%s path=/crypto rate=%d/s" % (
        FLOOD, flood_rate) in sim.log_text(), "flood: feedsim logs the fault")
    # Memory once the flood has run a few seconds, then ten seconds on.
    time.sleep(2)
    rss0 = {pr.name: h.vm_rss_kib(pr.pid) for pr in procs}
    others0 = {s: tap.count(s) for s in OTHERS}
    t_mid = time.monotonic_ns()
    time.sleep(10)
    rss1 = {pr.name: h.vm_rss_kib(pr.pid) for pr in procs}
    h.check(all(tap.count(s) > others0[s] and tap.seen_since(s, t_mid)
                for s in OTHERS),
            "flood: every other pair still arrives on the bus",
            "%s -> %s" % (others0, {s: tap.count(s) for s in OTHERS}))
    grown = {k: (rss1[k] - rss0[k]) // 1024 for k in rss0}
    h.check(all(v < 16 for v in grown.values()),
            "flood: memory bounded, < 16 MiB growth in 10 s of flood",
            "start %s KiB, end %s KiB" % (rss0, rss1))
    none_exited("flood", procs)
    print("# flood: RSS (KiB) %s, 10 s later %s; ticks on the bus %d"
          % (rss0, rss1, tap.count(FLOOD) + sum(tap.count(s)
                                               for s in OTHERS)),
          flush=True)
    stop_feed("flood", sim)
    fs = feedsim_final(sim)

    # The collector read all of it, published all of it, and the
    # aggregator took all of it: the counters say so, or count the loss.
    def agg_ticks(st):
        return st.get("trades", 0) + st.get("quotes", 0) + st.get(
            "feed_bars", 0)
    h.wait_for(lambda: stats.stats("ingest-crypto").get("ticks") ==
               fs.get("events") == agg_ticks(stats.stats("aggregator")), 10)
    cst, ast = stats.stats("ingest-crypto"), stats.stats("aggregator")
    h.check(fs.get("flooded", 0) > 0 and fs.get("slow_consumers") == 0 and
            fs.get("kicked") == 0, "flood: feedsim flooded and never "
            "cut the collector off as a slow consumer", str(fs))
    h.check(cst.get("ticks") == fs.get("events") and
            cst.get("malformed") == 0 and cst.get("reconnects") == 0 and
            cst.get("kicked") == 0 and cst.get("bus_send_failures") == 0,
            "flood: the collector kept up: every event sent is a tick "
            "published, nothing refused by the bus", "feedsim events %s, "
            "collector %s" % (fs.get("events"), cst))
    h.check(agg_ticks(ast) + ast.get("bus_missed_ticks", 0) ==
            cst.get("ticks") and ast.get("bus_missed_ticks") == 0 and
            ast.get("bus_gaps") == 0 and ast.get("bad_ticks") == 0,
            "flood: the aggregator took every tick (bus_missed_ticks 0)",
            "collector %s aggregator %s" % (cst.get("ticks"), ast))
    h.check(not tap.gaps(), "flood: the test's own tap lost nothing",
            str(tap.gaps()[:3]))
    flood_n = tap.count(FLOOD)
    other_n = sum(tap.count(s) for s in OTHERS)
    h.check(flood_n > 10 * other_n > 0,
            "flood: the flooded pair dominates the stream",
            "%d flooded, %d others" % (flood_n, other_n))

    # Bars: the quiet feed closes the last ones on the wall clock.
    last_s = max(s for (sym, s) in tap.trades_by_s if sym == FLOOD)
    h.wait_for(lambda: any(k[0] == FLOOD and k[1] == 1 and
                           k[2] // 1000 >= last_s
                           for k in p.bars_from_tap(bars)), 15)
    got = {k: v for k, v in p.bars_from_tap(bars).items() if k[1] == 1}
    secs = {k[2] // 1000 for k in got if k[0] == FLOOD}
    h.check(len(secs) >= 10 and all(
        any(k[0] == s and k[2] // 1000 > last_s - 8 for k in got)
        for s in OTHERS),
        "flood: 1 s bars for the flooded pair and, through the flood, "
        "for every other pair", "flooded bars %d; others %s" % (
            len(secs), {s: sum(1 for k in got if k[0] == s)
                        for s in OTHERS}))
    want = {s: n for (sym, s), n in tap.trades_by_s.items() if sym == FLOOD}
    have = {k[2] // 1000: v["trades"] for k, v in got.items()
            if k[0] == FLOOD}
    h.check(want and have == want,
            "flood: each 1 s bar of the flooded pair counts every trade "
            "of its second", "%d seconds differ, e.g. %s" % (
                len(set(want.items()) ^ set(have.items())),
                sorted(set(want.items()) ^ set(have.items()))[:4]))
    h.check(ast.get("too_late", 0) == 0 and ast.get("duplicates", 0) == 0,
            "flood: no tick dropped as too late or duplicate", str(ast))
    none_exited("flood, after", [col, agg])
    env.close()


def test_sigterm():
    env = h.Env("sigterm")
    sim = env.feedsim("--rate", "2000")
    col, tap = collector(env, sim)
    col2, tap2 = collector(env, sim, prog="ingest-stock", path="stocks")
    h.wait_for(lambda: len(tap.ticks("trade")) > 10 and
               len(tap2.ticks("trade")) > 10, 10)
    for name, pr in (("ingest-crypto", col), ("ingest-stock", col2),
                     ("bustap", tap.proc), ("feedsim", sim)):
        t = pr.stop()
        h.check(t is not None and t < 1.0 and pr.p.returncode == 0,
                "sigterm: %s exits 0 within a second" % name,
                "took %s, status %s" % (t, pr.p.returncode))
    env.close()


test_reconnect()
test_venue_reconnect()
test_refused_auth()
test_refuse_auth_flag()
test_right_key()
test_malformed()
test_venue_malformed()
test_stall()
test_quiet_feed_is_not_stalled()
test_flood()
test_sigterm()
h.finish()
