"""supervisor.conf as `make run` uses it: supervisord starts feedsim and
both collectors on the demo feed, each with its own log file; ticks flow;
a collector killed with SIGKILL comes back; supervisorctl works through
scripts/ctl; SIGTERM to supervisord stops everything.
"""

import os
import signal
import subprocess
import time

import harness as h

PROGRAMS = ("feedsim", "ingest-stock", "ingest-crypto")


ctl = h.supervisorctl
status = h.supervisor_status


def all_running(env):
    st = status(env)
    return all(st.get(p, ("",))[0] == "RUNNING" for p in PROGRAMS) and st


env = h.Env("supervisor")
env.vars["TW_FEEDSIM_LISTEN"] = "127.0.0.1:%d" % h.free_port()
sup = h.Proc(env, "supervisord", [os.path.join(h.TOP, "scripts", "run")])
env.procs.append(sup)

st = h.wait_for(lambda: all_running(env), 20)
h.check(bool(st), "supervisor: feedsim and both collectors RUNNING",
        str(status(env)))
for p in PROGRAMS:
    h.check(os.path.exists(os.path.join(env.log_dir, p + ".log")),
            "supervisor: %s has its own log file" % p)

tap = env.bustap([env.bus_url("ingest-stock"), env.bus_url("ingest-crypto")])
h.check(h.wait_for(lambda: {t["asset_class"] for t in tap.ticks("trade")}
                   >= {"stock", "crypto"}, 20),
        "supervisor: stock and crypto ticks flow on the bus")
h.check(h.wait_for(lambda: "subscribing" in ctl(env, "tail",
                                                  "ingest-crypto"), 10),
        "supervisor: scripts/ctl tail shows the collector's log")

old_pid = status(env)["ingest-crypto"][1]
os.kill(old_pid, signal.SIGKILL)
h.check(h.wait_for(lambda: (lambda s: s.get("ingest-crypto", ("", 0))[0] ==
                            "RUNNING" and s["ingest-crypto"][1] != old_pid)(
                                status(env)), 15),
        "supervisor: a collector killed with SIGKILL is restarted")
t0 = time.time_ns()
h.check(h.wait_for(lambda: any(t["recv_ns"] > t0 and
                               t["asset_class"] == "crypto"
                               for t in tap.ticks("trade")), 15),
        "supervisor: its ticks resume after the restart")

tap.stop()
took = sup.stop(signal.SIGTERM, timeout=15)
h.check(took is not None and took < 10,
        "supervisor: SIGTERM stops everything within 10 s", str(took))
left = subprocess.run(["pgrep", "-f", env.run_dir], capture_output=True,
                      text=True).stdout.split()
h.check(not left, "supervisor: no process is left behind", str(left))
env.close()
h.finish()
