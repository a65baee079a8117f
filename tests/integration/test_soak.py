"""The soak of `make soak` (tests/bench/soak, docs/benchmarks.md "Soak"),
short: 30 s at a moderate rate (20,000 ticks/s over 100 symbols), the
whole stack (feedsim, both collectors, aggregator, store, webui) with wrk
on webui in the middle. Only correctness is asserted, never a speed: no
sequence gap, reconnect or dropped record counted anywhere, every process
alive in every sample and exiting cleanly on SIGTERM, resident memory after
warm-up within a bound, market.db whole, wrk without an error. Read from
the samples the script saves (its JSON), not only from its exit status.
Skipped under `make asan`: the sanitizer's shadow memory and quarantine
make resident memory meaningless."""

import json
import os
import shutil
import signal
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import MULT, TOP, Env, check, finish  # noqa: E402
try:
    from harness import register_secret  # noqa: E402
except ImportError:		# a harness without the suite's log check
    def register_secret(value, kind="secret"):
        pass

build = os.environ.get("TW_BUILD_DIR") or os.path.join(TOP, "build")
if "asan" in os.path.basename(build.rstrip("/")):
    print("# the soak runs once, in the plain pass")
    finish()

SECONDS, WARMUP, SAMPLE = 30, 10, 5
# Growth allowed between the end of warm-up and the end, per process. A
# leak of one allocation per tick (400,000 ticks after warm-up) or per
# request (thousands) passes it many times over; what does grow here is
# bounded: the aggregator's replay rings filling (240 bytes a bar, 100
# bars a second: 0.5 MiB) and SQLite's page caches (2 MiB a connection).
RSS_BOUND_KB = 8 * 1024
DAEMONS = ["ingest-stock", "ingest-crypto", "aggregator", "store", "webui"]
# Counters that count lost or refused data: every one must stay 0.
MUST_BE_ZERO = [
    ("aggregator", "bus_gaps"), ("aggregator", "bus_missed_ticks"),
    ("aggregator", "bad_ticks"), ("aggregator", "too_late"),
    ("store", "bus_gaps"), ("store", "bus_missed_records"),
    ("store", "dropped_rows"), ("store", "rows_rejected"),
    ("store", "write_errors"),
    ("webui", "bus_gaps"), ("webui", "queue_drops"),
    ("webui", "responses_5xx"),
] + [(c, k) for c in ("ingest-stock", "ingest-crypto")
     for k in ("reconnects", "kicked", "bus_send_failures", "malformed")]

# The soak's directory inside the Env's, so its logs join the suite's
# check for secrets (tests/check_secrets.py) like every test's.
e = Env("soak")
out = e.path("soak")
env = dict(os.environ, SOAK_DIR=out, SOAK_KEEP="1",
           SOAK_SECONDS=str(SECONDS), SOAK_WARMUP=str(WARMUP),
           SOAK_SAMPLE=str(SAMPLE), SOAK_RATE="20000", SOAK_SYMBOLS="100",
           SOAK_HELD_MIN="0", SOAK_WRK_CONNECTIONS="2",
           SOAK_RSS_MIB=str(RSS_BOUND_KB // 1024), SOAK_RSS_PCT="0",
           SOAK_JSON=e.path("soak.json"), SOAK_OUT=e.path("soak.txt"))


def register_soak_secrets():
    for name, kind in (("viewer.token", "api token"),
                       ("manager.token", "api token"),
                       ("viewer.token.pw", "password"),
                       ("manager.token.pw", "password")):
        try:
            with open(os.path.join(out, name)) as f:
                register_secret(f.read(), kind)
        except OSError:
            pass


# In a session of its own: on a timeout the script and every process it
# started go together (their process group, which is the script's pid).
p = subprocess.Popen([os.path.join(TOP, "tests", "bench", "soak"), build],
                     env=env, stdout=subprocess.PIPE,
                     stderr=subprocess.STDOUT, text=True,
                     start_new_session=True)
try:
    text = p.communicate(timeout=(SECONDS + 90) * MULT)[0]
except subprocess.TimeoutExpired:
    os.killpg(p.pid, signal.SIGKILL)
    text = p.communicate()[0]
    register_soak_secrets()
    check(False, "soak finished", "timed out: %s" % text[-600:])
    finish()
register_soak_secrets()
check(p.returncode == 0, "soak exits 0 (held)",
      "exit %d: %s" % (p.returncode, text[-1500:]))
try:
    with open(env["SOAK_JSON"]) as f:
        r = json.load(f)
except (OSError, ValueError) as e:
    check(False, "soak saved its samples", str(e))
    finish()
samples = r["samples"]
print("# " + r["report"].replace("\n", "\n# "))

check(len(samples) >= SECONDS // SAMPLE and samples[-1]["phase"] == "end",
      "a sample every %d s to the end" % SAMPLE,
      "phases %s" % [s["phase"] for s in samples])
dead = sorted({n for s in samples for n, v in s["procs"].items()
               if not v.get("alive") or not v.get("rss_kb")})
check(not dead, "every process alive in every sample", ", ".join(dead))
check(all(r["exits"].get(n) == 0 for n in DAEMONS + ["feedsim"]),
      "every process exits 0 on SIGTERM", str(r["exits"]))

last = samples[-1]["counters"]
nonzero = ["%s %s=%s" % (p_, k, last.get(p_, {}).get(k))
           for p_, k in MUST_BE_ZERO if last.get(p_, {}).get(k, 0) != 0]
absent = ["%s %s" % (p_, k) for p_, k in MUST_BE_ZERO
          if k not in last.get(p_, {})]
check(not absent, "every gap and drop counter was read", ", ".join(absent))
check(not nonzero, "no gap, reconnect or drop counted", ", ".join(nonzero))
ticks = sum(last.get(c, {}).get("ticks", 0)
            for c in ("ingest-stock", "ingest-crypto"))
check(ticks > 0 and last.get("aggregator", {}).get("ticks", 0) > 0,
      "ticks flowed into the aggregator", "collectors %d, aggregator %s" % (
          ticks, last.get("aggregator", {}).get("ticks")))
check(last.get("store", {}).get("bars_written", 0) > 0 and
      (r["db_bars"] or 0) > 0, "bars reached market.db",
      "written %s, in db %s" % (last.get("store", {}).get("bars_written"),
                                r["db_bars"]))
check(r["integrity"] == "ok", "market.db integrity_check ok", r["integrity"])

warm = [s for s in samples if s["phase"] == "warm"]
if check(len(warm) == 1, "one sample at the end of warm-up"):
    for n in DAEMONS:
        a = warm[0]["procs"][n].get("rss_kb") or 0
        b = samples[-1]["procs"][n].get("rss_kb") or 0
        check(a > 0 and b - a <= RSS_BOUND_KB,
              "%s RSS after warm-up within %d MiB" % (n, RSS_BOUND_KB // 1024),
              "%.1f -> %.1f MiB" % (a / 1024, b / 1024))

if shutil.which("wrk") is None:
    print("# wrk missing: webui not loaded")
else:
    for what in ("bars", "healthz"):
        w = r["wrk"].get("soak", {}).get(what)
        check(w is not None and w["requests"] > 0 and w["errors"] == 0 and
              w["non2xx"] == 0, "wrk %s: answers, no error" % what,
              str(w))
finish()
