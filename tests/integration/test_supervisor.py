"""supervisor.conf as `make run` uses it: supervisord starts feedsim and
both collectors on the demo feed, each with its own log file; ticks flow;
a collector killed with SIGKILL comes back; supervisorctl works through
scripts/ctl; SIGTERM to the entrypoint stops every program at once. Then a
Ctrl-C (SIGINT to the terminal's process group) does the same, and a daemon
started with SIGINT ignored (a background job of a script) still stops on
SIGINT.
"""

import os
import signal
import subprocess
import time

import harness as h

PROGRAMS = ("feedsim", "ingest-stock", "ingest-crypto")


ctl = h.supervisorctl
status = h.supervisor_status


def leftovers(env):
    """pids of processes still running with env's run directory in argv."""
    return subprocess.run(["pgrep", "-f", env.run_dir], capture_output=True,
                          text=True).stdout.split()


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
# A new tap: the restarted collector publishes again. (Whether a running
# subscriber's dialer comes back is test_chaos's and test_pipeline's
# question, asked of the aggregator; nng 1.5.2 can leave a dialer for
# good when a handshake meets a closed peer, docs/operations.md.)
tap.stop()
tap = env.bustap([env.bus_url("ingest-crypto")])
t0 = time.time_ns()
h.check(h.wait_for(lambda: any(t["recv_ns"] > t0 and
                               t["asset_class"] == "crypto"
                               for t in tap.ticks("trade")), 15),
        "supervisor: its ticks resume after the restart")

tap.stop()
took = sup.stop(signal.SIGTERM, timeout=15)
h.check(took is not None and took < 10,
        "supervisor: SIGTERM stops everything within 10 s", str(took))
left = leftovers(env)
h.check(not left, "supervisor: no process is left behind", str(left))


def stop_lines(env):
    """supervisord's log lines about programs ending, from its last start."""
    text = open(os.path.join(env.log_dir, "supervisord.log")).read()
    last = text.split("supervisord started with")[-1]
    return [ln for ln in last.splitlines()
            if " stopped: " in ln or " exited: " in ln]


ends = stop_lines(env)
h.check(len(ends) >= len(PROGRAMS) and
        all("exit status 0" in ln for ln in ends[-len(PROGRAMS):]),
        "supervisor: every program stopped with status 0", str(ends))

# Ctrl-C at a terminal: SIGINT to the entrypoint's whole process group.
env2 = h.Env("supervisor-int")
env2.vars["TW_FEEDSIM_LISTEN"] = "127.0.0.1:%d" % h.free_port()
p = subprocess.Popen([os.path.join(h.TOP, "scripts", "run")], env=env2.vars,
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                     stdin=subprocess.DEVNULL, start_new_session=True)
up = h.wait_for(lambda: all_running(env2), 20)
h.check(bool(up), "supervisor: second start, all RUNNING", str(status(env2)))
running = sorted(k for k, v in status(env2).items() if v[0] == "RUNNING")
t_int = time.monotonic()
os.killpg(p.pid, signal.SIGINT)
try:
    rc = p.wait(15 * h.MULT)
except subprocess.TimeoutExpired:
    p.kill()
    rc = None
took = time.monotonic() - t_int
h.check(rc == 0 and took < 10,
        "supervisor: Ctrl-C (SIGINT to the group) stops everything, exit 0",
        "rc %s after %.2f s" % (rc, took))
lines = stop_lines(env2)
stopped = sorted(ln.split("stopped: ")[1].split()[0] for ln in lines
                 if "stopped: " in ln and "exit status 0" in ln)
h.check(len(running) >= len(PROGRAMS) and stopped == running and
        len(lines) == len(running),
        "supervisor: after Ctrl-C each program was stopped, none restarted",
        "%s vs %s" % (running, lines))
h.check(not any("SIGINT" in ln for ln in
                open(os.path.join(env2.log_dir, "supervisord.log"))),
        "supervisor: Ctrl-C reaches the entrypoint, not supervisord")
left = leftovers(env2)
h.check(not left, "supervisor: after Ctrl-C no process is left behind",
        str(left))
env2.close()

# A daemon whose parent ignored SIGINT (a script's background job starts
# so) still takes SIGINT as a request to stop: it blocks the signal for
# its signalfd, and Linux keeps a blocked signal pending even when its
# action is to ignore it.
env3 = h.Env("supervisor-sigign")
port = h.free_port()
log3 = open(os.path.join(env3.dir, "feedsim.log"), "ab")
fs = subprocess.Popen(
    [os.path.join(h.BIN, "feedsim"), "--listen=127.0.0.1:%d" % port],
    env=env3.vars, stdout=log3, stderr=log3, stdin=subprocess.DEVNULL,
    preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
listening = h.wait_for(lambda: b"listening" in open(log3.name, "rb").read(),
                       10)
h.check(listening, "supervisor: feedsim started with SIGINT ignored")
fs.send_signal(signal.SIGINT)
try:
    rc = fs.wait(5 * h.MULT)
except subprocess.TimeoutExpired:
    fs.kill()
    fs.wait()
    rc = None
h.check(rc == 0, "supervisor: it still stops on SIGINT, exit 0", str(rc))
log3.close()
env3.close()

env.close()
h.finish()
