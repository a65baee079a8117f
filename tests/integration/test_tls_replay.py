"""wss:// with certificate verification on, and record -> replay.

TLS: feedsim serves a certificate from a test CA. A collector that trusts
that CA (--ca-file) gets data; one that does not must refuse the
connection, and so must one whose URL names a host the certificate does
not cover.

Replay: a collector records a live stream with --record (malformed frames
included); feedsim --replay plays the file to a second collector, which
must publish the very same ticks.
"""

import base64
import json
import os
import subprocess
import time

import harness as h


def make_ca(env):
    def run(*args):
        subprocess.run(["openssl"] + list(args), check=True, cwd=env.dir,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    run("req", "-x509", "-newkey", "ec", "-pkeyopt",
        "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", "ca.key",
        "-out", "ca.pem", "-days", "2", "-subj", "/CN=tapewatch test CA")
    run("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
        "-nodes", "-keyout", "srv.key", "-out", "srv.csr", "-subj",
        "/CN=localhost")
    env.write("ext.cnf", "subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    run("x509", "-req", "-in", "srv.csr", "-CA", "ca.pem", "-CAkey",
        "ca.key", "-CAcreateserial", "-out", "srv.pem", "-days", "2",
        "-extfile", "ext.cnf")


def test_tls():
    env = h.Env("tls")
    make_ca(env)
    sim = env.feedsim("--rate", "300", "--tls-cert", env.path("srv.pem"),
                      "--tls-key", env.path("srv.key"))
    port = sim.port

    def start(name, url, *extra):
        bus = env.bus_url(name)
        tap = env.bustap([bus], kind="all", name="tap-" + name)
        col = env.start(name, ["ingest-crypto", "--url", url, "--symbols",
                               "*", "--bus", bus] + list(extra))
        return col, tap

    good, gtap = start("trusting", "wss://localhost:%d/crypto" % port,
                       "--ca-file", env.path("ca.pem"))
    h.check(h.wait_for(lambda: len(gtap.ticks("trade")) > 10, 15),
            "tls: a collector trusting the CA gets data over wss://")
    good.stop()
    bad, btap = start("untrusting", "wss://localhost:%d/crypto" % port)
    h.wait_for(lambda: btap.stats("ingest-crypto").get("connect_failures",
                                                       0) >= 2, 15)
    h.check(btap.stats("ingest-crypto").get("connect_failures", 0) >= 2 and
            not btap.ticks("trade"),
            "tls: an unknown CA is refused (verification is on)",
            str(btap.stats("ingest-crypto")))
    bad.stop()
    wrong, wtap = start("wronghost", "wss://127.0.0.2:%d/crypto" % port,
                        "--ca-file", env.path("ca.pem"))
    h.wait_for(lambda: wtap.stats("ingest-crypto").get("connect_failures",
                                                       0) >= 2, 15)
    h.check(not wtap.ticks("trade") and
            wtap.stats("ingest-crypto").get("connect_failures", 0) >= 2,
            "tls: a host name the certificate does not cover is refused",
            str(wtap.stats("ingest-crypto")))
    env.close()


def test_replay():
    env = h.Env("replay")
    sim = env.feedsim("--rate", "1500", "--seed", "3",
                      "--malformed-every", "7")
    bus = env.bus_url("rec")
    tap = env.bustap([bus], kind="all", name="tap-rec")
    rec = env.start("rec", ["ingest-stock", "--url", sim.url + "/stocks",
                            "--symbols", "*", "--bus", bus, "--record",
                            env.path("rec.jsonl")])
    h.wait_for(lambda: len(tap.ticks("trade")) > 500, 15)
    sim.stop()
    h.wait_for(lambda: any(r.get("status") == "disconnected"
                           for r in tap.ticks("status")), 10)
    rec.stop()
    # Under the sanitizers the tap can lag: let it drain before stopping.
    seen = [-1]

    def drained():
        n = len(tap.records())
        done = n == seen[0]
        seen[0] = n
        return done
    h.wait_for(drained, 10, step=1.0 * h.MULT)
    rec_stats = tap.stats("ingest-stock")
    tap.stop()
    recorded = [r for r in tap.ticks() if r["kind"] != "status"]
    lines = open(env.path("rec.jsonl")).read().splitlines()
    h.check(len(lines) > 10 and all("recv_ns" in json.loads(x)
                                    for x in lines),
            "replay: --record wrote JSON lines with receive times")

    # Two frames a JSON string cannot hold as text: a NUL byte, and bytes
    # that are not UTF-8 (recorded as base64). Both must replay as sent.
    with open(env.path("rec.jsonl"), "a") as f:
        f.write(json.dumps({"recv_ns": 1, "frame": '[{"ev":"T"\u0000}]'})
                + "\n")
        f.write(json.dumps({"recv_ns": 2, "frame_b64": base64.b64encode(
            b'[{"ev":"T","sym":"\xff\xfe"}]').decode()}) + "\n")
    port = h.free_port()
    bus2 = env.bus_url("play")
    tap2 = env.bustap([bus2], kind="all", name="tap-play")
    env.start("play", ["ingest-stock", "--url", "ws://127.0.0.1:%d/stocks"
                       % port, "--symbols", "*", "--bus", bus2])
    tap2.wait_joined()
    env.feedsim("--replay", env.path("rec.jsonl"), "--replay-speed", "0",
                name="replayer", port=port)
    h.wait_for(lambda: len([r for r in tap2.ticks()
                            if r["kind"] != "status"]) >= len(recorded), 20)
    played = [r for r in tap2.ticks() if r["kind"] != "status"]

    def key(r):
        return json.dumps({k: str(v) for k, v in r.items()
                           if k not in ("seq", "publisher_id", "recv_ns")},
                          sort_keys=True)
    # The recorder's bustap may have joined after its first ticks.
    h.wait_for(lambda: tap2.stats("ingest-stock").get("frames", 0) >=
               rec_stats.get("frames", 0) + 2 - 5, 10)
    time.sleep(1.5 * h.MULT)
    st2 = tap2.stats("ingest-stock")
    h.check(st2.get("frames") == rec_stats.get("frames", 0) + 2 and
            st2.get("malformed") == rec_stats.get("malformed", 0) + 2 and
            st2.get("ticks") == rec_stats.get("ticks"),
            "replay: a NUL frame and a non-UTF-8 frame replay byte for byte",
            "recorded %s played %s" % (rec_stats, st2))
    h.check(len(recorded) > 500 and len(played) >= len(recorded) and
            [key(r) for r in played[len(played) - len(recorded):]] ==
            [key(r) for r in recorded],
            "replay: the replayed stream publishes the same ticks",
            "recorded %d played %d" % (len(recorded), len(played)))
    env.close()


test_tls()
test_replay()
h.finish()
