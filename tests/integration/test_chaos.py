"""Chaos under supervisord: the whole stack as `make run` starts it
(scripts/run, supervisor.conf) on a temp directory, feedsim at a steady
rate, and every daemon (ingest-stock, ingest-crypto, aggregator, store,
webui) killed with SIGKILL in turn, twice round. supervisord restarts each
(a new pid, RUNNING again). The next kill waits until the last restart
is RUNNING, i.e. has stayed up startsecs (2 s): a kill before that would
count as a failed start, and ten of those make supervisord give up
(FATAL). Afterwards:

- every bar of the run is in market.db exactly once, and each that no
  outage touches equals bars_ref.py's, field by field, computed from the
  ticks a bustap recorded on the collectors' endpoints (what was actually
  fed into the aggregator);
- bars that an outage touches (a collector or the aggregator down: ticks
  were lost) are checked for presence and the gap flag, not values;
- a store kill loses nothing (its replay on start fills the hole);
- PRAGMA integrity_check is ok;
- a user logged in before the webui kills is still logged in after each
  (the same session cookie answers /api/me);
- no program ended FATAL, every exit supervisord saw was one of our kills,
  and no log holds a sanitizer report or a segfault.

Which bars are compared by value, exactly (times are the collectors'
receive times, the wall clock of this host; event times are within a few
ms of them):

- a *window* per outage, for the feeds it affects: a collector's kill
  (its feed) from the kill to its restart being RUNNING (and the tap having
  its new ticks), the aggregator's kill (both feeds) from the kill to its
  restart being RUNNING (from the lateness before the kill: the bars it
  had not closed yet die with it, and no restarted aggregator can make
  them again), the start (everything up before it); widened by MARGIN on
  both sides. A bar overlapping a window of its feed is a window
  bar; any other is compared by value;
- the aggregator's state after a restart (the tick test, the quote in
  effect, what it has seen of each venue) depends on which ticks it saw
  first, which the test cannot know to the tick. So the reference is
  computed with each outage both ways (the restarted aggregator started
  fresh at the window's end / at the kill; a collector's window's ticks
  dropped / kept), and a bar that any of those variants computes
  differently is "unsettled": checked for presence only. The figures
  printed at the end say how many bars each check covered.
"""

import os
import re
import signal
import sqlite3
import subprocess
import time
import types

import harness as h
import pipeline as p
import webui_env as w
from bars_ref import close, compute

PROGRAMS = ("ingest-stock", "ingest-crypto", "aggregator", "store", "webui")
ROUNDS = 2
PAUSE = 3.5             # s between a restart being RUNNING and the next kill
RATE = 100              # feedsim events per second per market
MARGIN = 600 * 10 ** 6  # ns added to each side of a window
FEED_OF = {"ingest-stock": "stock", "ingest-crypto": "crypto"}
NS = 10 ** 9
LATENESS = 1 * NS       # the aggregator's TW_BAR_LATENESS


ctl = h.supervisorctl
status = h.supervisor_status


def feed(symbol):
    return "crypto" if "-" in symbol else "stock"


def db_rows(path):
    con = sqlite3.connect("file:%s?mode=ro" % path, uri=True, timeout=10)
    con.row_factory = sqlite3.Row
    try:
        rows = [dict(r) for r in con.execute("SELECT * FROM bars")]
    except sqlite3.Error:
        rows = []
    con.close()
    return rows


def keyed(rows):
    out = {}
    for r in rows:
        r["gap"] = int(r["gap"] or 0)
        out[(r["symbol"], r["interval_s"], r["start_ms"])] = r
    return out


def reference(ticks, resets, drops):
    """bars_ref over the tapped ticks: the state starts afresh at each
    receive time in resets (an aggregator restart), and the ticks of
    drops [(feed, from_ns, to_ns)] are left out."""
    evs = [t for t in ticks if not any(
        t["asset_class"] == f and a <= t["recv_ns"] <= b
        for f, a, b in drops)]
    cuts = sorted(resets)
    out, piece, i = {}, [], 0
    for t in evs:
        while i < len(cuts) and t["recv_ns"] >= cuts[i]:
            out.update(compute(piece, p.INTERVALS))
            piece, i = [], i + 1
        piece.append(t)
    out.update(compute(piece, p.INTERVALS))
    return out


def same_bar(a, b):
    if a is None or b is None:
        return a is None and b is None
    return all(close(a[f], b[f], rel=1e-9, abs_=2e-9) for f in p.FIELDS)


def bar_diff(want, got):
    for f in p.FIELDS:
        if not close(want[f], got.get(f), rel=1e-9, abs_=2e-9):
            return "%s: want %r got %r" % (f, want[f], got.get(f))
    return None


def login(env, port):
    ui = types.SimpleNamespace(port=port, origin="https://127.0.0.1:%d" %
                               port, login_attempts=0)
    name, pw = "chaos", w.strong_password()
    r = subprocess.run([os.path.join(h.BIN, "authctl"), "--db",
                        os.path.join(env.data_dir, "auth.db"), "add", name,
                        "--role", "viewer", "--password-stdin"],
                       input=(pw + "\n").encode(), capture_output=True,
                       env=env.vars, timeout=30 * h.MULT)
    h.check(r.returncode == 0, "chaos: authctl adds a user",
            r.stderr.decode(errors="replace"))
    return ui, name, pw


def me_with(ui, cookies):
    """/api/me on a fresh client holding only the given cookies."""
    c = w.Client(ui)
    c.cookies = dict(cookies)
    return c.get("/api/me")


env = h.Env("chaos")
fport, wport = h.free_port(), h.free_port()
env.vars.update({
    "TW_FEEDSIM_LISTEN": "127.0.0.1:%d" % fport,
    "TW_FEEDSIM_RATE": str(RATE),
    "TW_FEEDSIM_BURST": "1",
    "TW_FEEDSIM_SEED": "6",
    "TW_WEB_LISTEN": "127.0.0.1:%d" % wport,
})
ui, user, password = login(env, wport)
db = os.path.join(env.data_dir, "market.db")

# The tap is up before anything publishes: it redials until the
# collectors bind.
tap = env.bustap([env.bus_url("ingest-stock"), env.bus_url("ingest-crypto")],
                 kind="ticks")
sup = h.Proc(env, "supervisord", [os.path.join(h.TOP, "scripts", "run")])
env.procs.append(sup)
t_begin = time.time_ns()


def store_log():
    try:
        with open(os.path.join(env.log_dir, "store.log"),
                  errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def all_running():
    st = status(env)
    return all(st.get(pr, ("",))[0] == "RUNNING"
               for pr in PROGRAMS + ("feedsim",)) and st


st = h.wait_for(all_running, 40, 0.3)
h.check(bool(st), "chaos: feedsim and the five daemons RUNNING under "
        "supervisord", str(status(env)))
t_started = time.time_ns()
client = w.Client(ui)
r = client.login(user, password)
h.check(r.status == 200 and client.session_cookie(),
        "chaos: a user logs in to webui", "%s %s" % (r.status, r.body[:200]))
cookies = dict(client.cookies)
h.check(h.wait_for(lambda: {t["asset_class"] for t in tap.ticks("trade")}
                   >= {"stock", "crypto"}, 20),
        "chaos: stock and crypto ticks flow on the bus")
time.sleep(PAUSE)

kills = []      # dicts: prog, t_kill, t_ready, old, new, ok
session_ok = []
for rnd in range(ROUNDS):
    for prog in PROGRAMS:
        old = status(env).get(prog, ("", None))[1]
        if not old:
            h.check(False, "chaos: %s has a pid to kill" % prog,
                    str(status(env)))
            continue
        n_done = store_log().count("replay: done")
        t_kill = time.time_ns()
        os.kill(old, signal.SIGKILL)

        def back(prog=prog, old=old):
            s = status(env).get(prog, ("", None))
            return s[0] == "RUNNING" and s[1] not in (None, old) and s
        s = h.wait_for(back, 30, 0.2)
        t_ready = time.time_ns()
        k = {"prog": prog, "t_kill": t_kill, "t_ready": t_ready, "old": old,
             "new": s[1] if s else None, "ok": bool(s)}
        kills.append(k)
        h.check(bool(s), "chaos: round %d: %s killed (pid %d) is RUNNING "
                "again with a new pid" % (rnd + 1, prog, old),
                str(status(env).get(prog)))
        if prog in FEED_OF:
            # Its ticks again on the tap: the first one's receive time.
            def resumed(prog=prog, t_kill=t_kill):
                return next((t["recv_ns"] for t in tap.ticks()
                             if t["kind"] != "status" and
                             t["asset_class"] == FEED_OF[prog] and
                             t["recv_ns"] > t_kill), None)
            k["t_first"] = h.wait_for(resumed, 20)
            h.check(k["t_first"] is not None, "chaos: round %d: %s's ticks "
                    "resume" % (rnd + 1, prog))
        elif prog == "store":
            h.check(h.wait_for(lambda: store_log().count(
                "replay: done") > n_done, 20, 0.3),
                "chaos: round %d: the restarted store replayed from the "
                "aggregator" % (rnd + 1))
        elif prog == "webui":
            ok = h.wait_for(lambda: me_with(ui, cookies).status == 200, 20,
                            0.3)
            r = me_with(ui, cookies)
            session_ok.append(ok)
            h.check(ok and (r.json() or {}).get("user") == user,
                    "chaos: round %d: the session logged in before the "
                    "webui kill still answers /api/me after it" % (rnd + 1),
                    "%s %s" % (r.status, r.body[:200]))
        time.sleep(PAUSE)

t_end = time.time_ns()
for k in kills:
    print("# kill %s pid %s -> %s: RUNNING again after %.1f s" % (
        k["prog"], k["old"], k["new"], (k["t_ready"] - k["t_kill"]) / NS))
# Bars that end well before now have closed (1 s lateness, 2 s grace).
t_cut = t_end - 4 * NS

# ---- the reference ---------------------------------------------------

ticks = [t for t in tap.ticks() if t["kind"] in ("trade", "quote")]
gaps = tap.gaps()
h.check(not gaps, "chaos: the tap lost nothing on the bus (its reference "
        "is whole)", str(gaps[:3]))
h.check(len(ticks) > 1000, "chaos: a steady stream was recorded",
        str(len(ticks)))

# Windows: (feed, from_ns, to_ns) in receive time, before the margin.
t_settled = t_started + 1 * NS
windows = [(f, 0, t_settled) for f in ("stock", "crypto")]
base_resets, base_drops = [t_settled], []
must_flag = []  # (feed, from_ns, to_ns): a stored bar overlapping it is gap
for k in kills:
    if k["prog"] == "aggregator":
        # Its bars still open at the kill die with it: those that end
        # less than the lateness (1 s) before it.
        for f in ("stock", "crypto"):
            windows.append((f, k["t_kill"] - LATENESS, k["t_ready"]))
            must_flag.append((f, k["t_kill"], k["t_kill"] + 1))
        base_resets.append(k["t_ready"])
    elif k["prog"] in FEED_OF:
        f = FEED_OF[k["prog"]]
        end = max(k["t_ready"], k.get("t_first") or 0) + 1 * NS
        windows.append((f, k["t_kill"], end))
        before = [t["ts_ns"] for t in ticks if t["asset_class"] == f and
                  t["recv_ns"] < k["t_kill"]]
        # From the feed's last event before the kill to the kill: no
        # collector was there to see what happened, whatever the
        # aggregator was told.
        must_flag.append((f, max(before) if before else k["t_kill"],
                          k["t_kill"]))
        base_drops.append((f, k["t_kill"], end))


def ref_of(resets, drops):
    return reference(ticks, resets, drops)


# The base: the aggregator fresh at each window's end, the collectors'
# windows empty. Each variant changes one outage: the start with every
# tick, a restarted aggregator fresh from its kill, a collector window's
# ticks all seen.
base = ref_of(base_resets, base_drops)
alts = [ref_of(base_resets[1:], base_drops)]
for k in kills:
    if k["prog"] == "aggregator":
        alts.append(ref_of([r for r in base_resets if r != k["t_ready"]] +
                           [k["t_kill"]], base_drops))
for d in base_drops:
    alts.append(ref_of(base_resets, [x for x in base_drops if x != d]))

full = ref_of([], [])   # every bar some tick made, for presence
recv_of = {}            # bar -> receive times of its ticks
for t in ticks:
    for iv in p.INTERVALS:
        st_ms = t["ts_ns"] // (iv * NS) * iv * 1000
        recv_of.setdefault((t["symbol"], iv, st_ms), []).append(t["recv_ns"])


def span(key):
    return key[2] * 10 ** 6, (key[2] + key[1] * 1000) * 10 ** 6


def in_window(key):
    s, e = span(key)
    f = feed(key[0])
    return any(wf == f and s < b + MARGIN and e > a - MARGIN
               for wf, a, b in windows)


def required(key):
    """Whether the aggregator surely saw a tick of the bar and lived to
    close it: a tick received outside every window of its feed, and for
    a bar open across an aggregator kill, one after the restart."""
    f = feed(key[0])
    s, e = span(key)
    recv = recv_of.get(key, [])
    sure = [r for r in recv if not any(wf == f and a <= r <= b
                                       for wf, a, b in windows)]
    if not sure:
        return False
    for k in kills:
        if k["prog"] == "aggregator" and s < k["t_kill"] < e + 2 * NS:
            if not any(r > k["t_ready"] for r in sure):
                return False
    return True


# ---- wait for the store, stop, read market.db -------------------------

def wanted(key):
    return key[2] * 10 ** 6 + key[1] * NS <= t_cut and \
        key[2] * 10 ** 6 >= t_begin


def missing_now():
    got = keyed(db_rows(db)) if os.path.exists(db) else {}
    return [k for k in full if wanted(k) and required(k) and k not in got]


h.wait_for(lambda: not missing_now(), 30, 0.5)
r = me_with(ui, cookies)
h.check(r.status == 200 and (r.json() or {}).get("user") == user,
        "chaos: after every kill the first session is still logged in",
        "%s %s" % (r.status, r.body[:200]))
final = status(env)
h.check(all(final.get(pr, ("",))[0] == "RUNNING" for pr in PROGRAMS) and
        not any(s[0] in ("FATAL", "BACKOFF") for s in final.values()),
        "chaos: no program FATAL or in BACKOFF at the end", str(final))
tap.stop()
took = sup.stop(signal.SIGTERM, timeout=20)
h.check(took is not None, "chaos: supervisord stops on SIGTERM", str(took))

rows = db_rows(db)
got = keyed(rows)
con = sqlite3.connect(db)
integ = con.execute("PRAGMA integrity_check").fetchone()[0]
n_rows = con.execute("SELECT count(*) FROM bars").fetchone()[0]
con.close()
h.check(integ == "ok", "chaos: PRAGMA integrity_check is ok", integ)
h.check(n_rows == len(got) and all(r["source"] == "demo" for r in rows),
        "chaos: no bar twice in market.db (one row per symbol, interval, "
        "start)", "%d rows, %d keys" % (n_rows, len(got)))
bad_align = [k for k in got if k[2] % (k[1] * 1000)]
h.check(not bad_align, "chaos: every stored bar starts on its interval",
        str(bad_align[:3]))

compared, unsettled, win_bars, absent = 0, 0, 0, 0
missing, wrong, extra = [], [], []
for key in sorted(full):
    if not wanted(key):
        continue
    g = got.get(key)
    if in_window(key):
        win_bars += 1
        if g is None and required(key):
            missing.append(key)
        elif g is None:
            absent += 1
        continue
    want = base.get(key)
    if want is None or not all(same_bar(want, a.get(key)) for a in alts):
        unsettled += 1
        if g is None:
            missing.append(key)
        continue
    if g is None:
        missing.append(key)
        continue
    compared += 1
    d = bar_diff(want, g)
    if d:
        wrong.append("%s %s" % (key, d))
for key in got:
    if wanted(key) and key not in full and not in_window(key):
        extra.append(key)
h.check(not missing, "chaos: no bar missing from market.db",
        "%d missing, e.g. %s" % (len(missing), missing[:4]))
h.check(compared > 300 and not wrong, "chaos: every bar outside the "
        "outages equals the reference, field by field",
        "%d of %d differ: %s" % (len(wrong), compared, "; ".join(wrong[:4])))
h.check(not extra, "chaos: no bar in market.db the ticks did not make",
        str(extra[:4]))

# The outages are flagged: a bar of the killed feed overlapping the time
# from its last event to the kill, or a bar open when the aggregator was
# killed (the restarted one saw only its end), is gap = 1.
unflagged = []
flagged = 0
for key, g in got.items():
    s, e = span(key)
    for f, a, b in must_flag:
        if feed(key[0]) == f and s < b and e > a:
            if g["gap"]:
                flagged += 1
            else:
                unflagged.append(key)
            break
h.check(flagged > 0 and not unflagged, "chaos: every stored bar that "
        "overlaps an outage is flagged gap",
        "%d unflagged, e.g. %s" % (len(unflagged), sorted(unflagged)[:4]))

# ---- supervisord's and the programs' logs ------------------------------

with open(os.path.join(env.log_dir, "supervisord.log"), errors="replace") \
        as f:
    slog = f.read()
exits = re.findall(r"exited: (\S+) \(([^)]*)\)", slog)
by_kill = {}
for prog, why in exits:
    by_kill.setdefault(prog, []).append(why)
n_kills = {pr: sum(1 for k in kills if k["prog"] == pr) for pr in PROGRAMS}
h.check(all(len(by_kill.get(pr, [])) == n_kills[pr] for pr in PROGRAMS) and
        all("SIGKILL" in why for why in sum(by_kill.values(), [])),
        "chaos: every exit supervisord saw was one of our SIGKILLs",
        str(exits))
h.check("gave up:" not in slog, "chaos: no program given up (FATAL)")
stops = re.findall(r"stopped: (\S+) \(([^)]*)\)", slog)
h.check(stops and all(why == "exit status 0" for _, why in stops),
        "chaos: at the end every program stops cleanly on SIGTERM (status "
        "0)", str(stops))
crash = []
for name in os.listdir(env.log_dir):
    with open(os.path.join(env.log_dir, name), errors="replace") as f:
        text = f.read()
    for pat in ("AddressSanitizer", "LeakSanitizer", "runtime error:",
                "Segmentation", "SIGSEGV"):
        if pat in text:
            crash.append("%s: %s" % (name, pat))
h.check(not crash, "chaos: no sanitizer report or segfault in any log",
        str(crash))
h.check(all(n >= 2 for n in n_kills.values()) and all(k["ok"]
                                                      for k in kills),
        "chaos: each daemon killed at least twice, each restarted",
        str(n_kills))
print("# chaos: %d kills (%s), %d ticks recorded, %d bars compared field "
      "by field, %d unsettled (presence only), %d in outage windows (%d "
      "of them absent: their ticks were lost, or the killed aggregator "
      "held them open), %d stored bars overlapping an outage all flagged, "
      "%d stored rows, %.0f s" % (
          len(kills), ", ".join("%s %d" % kv for kv in n_kills.items()),
          len(ticks), compared, unsettled, win_bars, absent, flagged, n_rows,
          (t_end - t_begin) / NS), flush=True)
env.close()
h.finish()
