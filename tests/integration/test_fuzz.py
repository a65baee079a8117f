"""The short fuzzing pass: `make fuzz` with FUZZ_SECONDS=4
(TW_FUZZ_SECONDS), so every harness in tests/fuzz/ (the feed parsers,
the bus decoder, webui's request path, authctl's and the config's
parsing) runs on every `make test` (docs/testing.md "Fuzzing"): 12 x 4 s,
about a minute once built. One ok/FAIL per harness,
as tests/fuzz/run reports it: FAIL means a crash, a sanitizer report or a
broken invariant, with the reproducer's path. Needs clang (install-deps
installs it); runs once, in the plain pass, not again under `make asan`
(the harnesses carry ASan and UBSan themselves)."""

import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import MULT, TOP, check, finish  # noqa: E402

NAMES = ["polygon_stocks", "polygon_crypto", "coinbase", "kraken",
         "binance", "bus", "http_request", "login_body", "cookie", "live",
         "authctl_args", "config"]
SECONDS = int(os.environ.get("TW_FUZZ_SECONDS", "4"))
build = os.environ.get("TW_BUILD_DIR") or os.path.join(TOP, "build")

if "asan" in os.path.basename(build.rstrip("/")):
    print("# fuzz runs once, in the plain pass")
    finish()
if shutil.which("clang") is None:
    print("# clang missing")
    finish()


def corpus_files():
    root = os.path.join(TOP, "tests", "fuzz", "corpus")
    out = {}
    for d, _, files in os.walk(root):
        for f in files:
            p = os.path.join(d, f)
            with open(p, "rb") as fh:
                out[p] = fh.read()
    return out


before = corpus_files()
p = subprocess.run(["make", "--no-print-directory", "-C", TOP,
                    "BUILD=" + build, "FUZZ_SECONDS=%d" % SECONDS, "fuzz"],
                   capture_output=True, text=True,
                   timeout=(120 + len(NAMES) * (SECONDS + 15)) * MULT)
lines = p.stdout.splitlines()
for ln in lines:
    if ln.startswith("# "):
        print(ln)
for name in NAMES:
    got = [ln for ln in lines
           if re.match(r"(ok|FAIL) fuzz %s: " % re.escape(name), ln)]
    if not got:
        check(False, "fuzz %s ran" % name,
              "no result line; make exit %d: %s" %
              (p.returncode, (p.stderr or p.stdout)[-600:]))
        continue
    ok, text = got[0].split(" ", 1)
    m = re.search(r": (\d+) execs, 0 crashes$", text)
    check(ok == "ok" and m is not None and int(m.group(1)) > 0, text)
check(p.returncode == 0, "make fuzz exit status",
      "exit %d" % p.returncode)
for ln in lines:
    if ln.startswith("#   "):
        print(ln)
check(corpus_files() == before, "fuzz leaves the committed corpus alone")
finish()
