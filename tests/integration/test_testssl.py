"""testssl.sh (Debian's package, binary testssl) against a running webui.

One scan of https://127.0.0.1:PORT with the checks that matter here:
protocols (-p), cipher categories (-s), forward secrecy (-f), server
preferences (-P), server defaults and the certificate (-S), HTTP headers
(-h), every vulnerability check (-U) and the ciphers of each protocol (-E),
as JSON. The expectations come from docs/security.md's TLS policy, never
from webui's code: no finding rated HIGH or CRITICAL (nor MEDIUM), SSLv2,
SSLv3, TLS 1.0 and 1.1 not offered, TLS 1.2 and 1.3 offered, forward
secrecy on, exactly the Mozilla intermediate suites an ECDSA certificate
can use, in the documented server order. A summary of the findings per
severity is printed ("# ..." lines).

webui runs with the self-signed certificate it makes on first start, so
the two findings about trusting that certificate are excluded, each by id
and text and printed (see CERT_ONLY): they are about the certificate an
operator is told to replace, not about webui's TLS.

No internet: the target is an address (no name to resolve), --nodns none
stops rDNS and CAA look-ups, --phone-out (CRL and OCSP fetches) is off by
default and not given, and NXCONNECT points the start-up probes of the
local openssl (s_client -connect invalid.: one DNS query each) at
127.0.0.1:0 (checked with strace -f: then every connect is to loopback).
Without testssl.sh installed this prints "# skipped: testssl.sh not
installed" and exits 0.
"""

import collections
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time

import harness as h
from harness import check
import webui_env as w

SEVERITIES = ("CRITICAL", "HIGH", "MEDIUM", "LOW", "WARN", "FATAL", "OK",
              "INFO", "DEBUG")

# docs/security.md: the Mozilla intermediate suites, in the server's
# order. webui's own certificate is ECDSA, so only the ECDSA TLS 1.2 suites
# can be chosen; the hex codes are the IANA numbers of these names.
TLS12_ORDER = ("ECDHE-ECDSA-AES128-GCM-SHA256",
               "ECDHE-ECDSA-AES256-GCM-SHA384",
               "ECDHE-ECDSA-CHACHA20-POLY1305")
TLS13_ORDER = ("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
               "TLS_CHACHA20_POLY1305_SHA256")
CIPHERS = {"tls1_2": {"xc02b", "xc02c", "xcca9"},
           "tls1_3": {"x1301", "x1302", "x1303"}}
GROUPS = {"X25519", "prime256v1", "secp384r1"}

# Findings about the self-signed certificate, not about the server: id ->
# text the finding must contain for the exclusion to apply.
CERT_ONLY = {
    # Nobody vouches for a self-signed certificate; the operator brings
    # one a CA signed (TW_TLS_CERT), or users compare the logged
    # fingerprint.
    "cert_chain_of_trust": "self signed",
    # With no CA there is nobody to revoke it, so no CRL or OCSP URI can
    # exist; a CA's certificate carries them.
    "cert_revocation": "Neither CRL nor OCSP URI provided",
}

# Checks that may end in WARN without saying anything about webui: for
# the ticket, openssl s_client </dev/null often quits before a TLS 1.3
# NewSessionTicket arrives (a race that loses more often on a loaded
# machine), and the ID check then reuses that empty session file.
RACY = ("sessionresumption_ticket", "sessionresumption_ID")

VULNS = ("heartbleed", "CCS", "ticketbleed", "ROBOT", "secure_renego",
         "secure_client_renego", "CRIME_TLS", "BREACH", "POODLE_SSL",
         "fallback_SCSV", "SWEET32", "FREAK", "DROWN", "LOGJAM", "BEAST",
         "LUCKY13", "RC4")
SECTIONS = ("protocols", "ciphers", "pfs", "serverPreferences",
            "serverDefaults", "headerResponse", "vulnerabilities",
            "cipherTests")	# "pfs" is "fs" from testssl 3.1 on


def testssl_bin():
    for name in ("testssl", "testssl.sh"):
        p = shutil.which(name)
        if p:
            return p
    return None


def run_testssl(binary, ui, out):
    argv = [binary, "--quiet", "--color", "0", "--warnings", "off",
            "--nodns", "none", "-p", "-s", "-f", "-P", "-S", "-h", "-U",
            "-E", "--jsonfile-pretty", out,
            "https://127.0.0.1:%d" % ui.port]
    print("# " + " ".join(argv), flush=True)
    env = dict(os.environ, NXCONNECT="127.0.0.1:0")
    # testssl's own waits for an answer, stretched for the ASan build.
    for k, v in (("MAX_WAITSOCK", 10), ("CCS_MAX_WAITSOCK", 5),
                 ("HEARTBLEED_MAX_WAITSOCK", 8), ("HEADER_MAXSLEEP", 5)):
        env[k] = str(int(v * h.MULT))
    t0 = time.monotonic()
    with open(ui.env.path("testssl.log"), "wb") as log:
        # Its own session, so a timeout ends its openssl children too.
        p = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL, cwd=ui.env.dir,
                             env=env, start_new_session=True)
        try:
            rc = p.wait(240 * h.MULT)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
            rc = None
    return rc, time.monotonic() - t0


def findings(doc):
    """(section, finding dict) of every scan finding."""
    out = []
    for target in doc.get("scanResult") or []:
        for sec, v in target.items():
            if isinstance(v, list):
                out.extend((sec, f) for f in v if isinstance(f, dict))
    return out


def base_id(f):
    # A server with several certificates gets " <hostCert#N>" suffixes.
    return re.sub(r"\s*<hostCert#\d+>$", "", str(f.get("id", "")))


def show(f):
    return "%s %s %r" % (f.get("id"), f.get("severity"), f.get("finding"))


def by_id(all_f):
    m = {}
    for _, f in all_f:
        m.setdefault(base_id(f), f)
    return m


def check_findings(doc, all_f):
    ids = by_id(all_f)
    counts = collections.Counter(f.get("severity") for _, f in all_f)
    excluded, bad, medium, low, warn = [], [], [], [], []
    for _, f in all_f:
        sev = f.get("severity")
        if sev in ("HIGH", "CRITICAL"):
            need = CERT_ONLY.get(base_id(f))
            if need and need in str(f.get("finding")):
                excluded.append(f)
            else:
                bad.append(f)
        elif sev == "MEDIUM":
            medium.append(f)
        elif sev == "LOW":
            low.append(f)
        elif sev in ("WARN", "FATAL"):
            if base_id(f) in RACY:
                print("# ignored (racy informational check): " + show(f))
            else:
                warn.append(f)
    print("# testssl findings per severity: " + ", ".join(
        "%s %d" % (s, counts.get(s, 0)) for s in SEVERITIES
        if counts.get(s) or s in ("CRITICAL", "HIGH", "MEDIUM", "LOW")))
    for f in excluded:
        print("# excluded (self-signed test certificate): " + show(f))
    for f in low:
        print("# LOW: " + show(f))
    check(not bad, "no HIGH or CRITICAL finding (besides the %d about the "
          "self-signed certificate)" % len(excluded),
          "; ".join(show(f) for f in bad))
    check(not medium, "no MEDIUM finding", "; ".join(show(f) for f in medium))
    check(not warn, "every testssl check came to a result (no WARN/FATAL)",
          "; ".join(show(f) for f in warn))
    chain = ids.get("cert_chain_of_trust")
    check(chain is not None and "self signed" in str(chain.get("finding")),
          "the scanned certificate is webui's self-signed one (so the "
          "exclusions apply)", chain and show(chain))

    def finding(i):
        f = ids.get(i)
        return None if f is None else str(f.get("finding"))

    for p in ("SSLv2", "SSLv3", "TLS1", "TLS1_1"):
        check(finding(p) == "not offered", "%s not offered" % p,
              "testssl: %r" % finding(p))
    for p in ("TLS1_2", "TLS1_3"):
        check((finding(p) or "").startswith("offered"), "%s offered" % p,
              "testssl: %r" % finding(p))
    fs = ids.get("FS") or ids.get("PFS")	# PFS up to testssl 3.0
    check(fs is not None and fs.get("finding") == "offered" and
          fs.get("severity") == "OK", "forward secrecy offered",
          fs and show(fs))
    curves = finding("FS_ECDHE_curves") or finding("PFS_ECDHE_curves")
    check(curves is not None and set(curves.split()) == GROUPS,
          "ECDHE groups are X25519, prime256v1, secp384r1",
          "testssl: %r" % curves)

    offered = collections.defaultdict(set)
    for sec, f in all_f:
        m = re.match(r"cipher-(\w+?)_(x[0-9a-f]+)$", base_id(f))
        if sec == "cipherTests" and m:
            offered[m.group(1)].add(m.group(2))
    check(dict(offered) == CIPHERS, "the suites per protocol are exactly "
          "the ECDSA ones of Mozilla's intermediate list",
          "testssl: %s" % dict(offered))

    order = ids.get("cipher_order")
    check(order is not None and order.get("severity") == "OK",
          "the server has a cipher order", order and show(order))
    for proto, want in (("TLSv1_2", TLS12_ORDER), ("TLSv1_3", TLS13_ORDER)):
        got = (finding("cipherorder_" + proto) or "").split()
        check(tuple(got) == want, "server cipher order for %s is the "
              "documented one" % proto, "testssl: %s" % got)

    for v in VULNS:
        f = ids.get(v)
        check(f is not None and f.get("severity") == "OK",
              "not vulnerable: %s" % v, f and show(f) or "no finding")
    hsts = ids.get("HSTS_time")
    check(hsts is not None and hsts.get("severity") == "OK",
          "HSTS rated OK", hsts and show(hsts))
    rdns = str(doc["scanResult"][0].get("rDNS"))
    caa = finding("DNS_CAArecord") or ""
    check("instructed" in rdns and "skipped" in caa,
          "testssl made no DNS look-up (rDNS, CAA)", "rDNS %r, CAA %r" % (
              rdns, caa))


def negotiated(port, proto, ciphers):
    """The suite webui picks for a client offering ciphers in this
    order (openssl s_client), or None."""
    argv = ["openssl", "s_client", "-connect", "127.0.0.1:%d" % port,
            "-" + proto, "-brief"]
    argv += ["-ciphersuites" if proto == "tls1_3" else "-cipher",
             ":".join(ciphers)]
    try:
        p = subprocess.run(argv, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=30 * h.MULT)
    except subprocess.TimeoutExpired:
        return None
    m = re.search(r"Ciphersuite: (\S+)", p.stdout.decode(errors="replace"))
    return m.group(1) if m else None


def check_order(ui):
    """The server's order wins, except for a client that lists ChaCha20
    first (docs/security.md)."""
    for proto, offer, want in (
            ("tls1_2", ("ECDHE-ECDSA-AES256-GCM-SHA384",
                        "ECDHE-ECDSA-AES128-GCM-SHA256"),
             "ECDHE-ECDSA-AES128-GCM-SHA256"),
            ("tls1_2", ("ECDHE-ECDSA-CHACHA20-POLY1305",
                        "ECDHE-ECDSA-AES128-GCM-SHA256"),
             "ECDHE-ECDSA-CHACHA20-POLY1305"),
            ("tls1_3", ("TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256"),
             "TLS_AES_128_GCM_SHA256"),
            ("tls1_3", ("TLS_CHACHA20_POLY1305_SHA256",
                        "TLS_AES_128_GCM_SHA256"),
             "TLS_CHACHA20_POLY1305_SHA256")):
        got = negotiated(ui.port, proto, offer)
        check(got == want, "%s client offering %s gets %s" % (
            proto, offer[0], want), "got %s" % got)


def main():
    binary = testssl_bin()
    if binary is None:
        print("# skipped: testssl.sh not installed")
        sys.exit(0)
    ver = subprocess.run([binary, "--version"], stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                         timeout=60).stdout.decode(errors="replace")
    m = re.search(r"testssl(?:\.sh)?\s+(\S+)", ver)
    print("# %s, version %s" % (binary, m.group(1) if m else "?"))
    ui = w.WebUI("testssl")
    out = ui.env.path("testssl.json")
    rc, secs = run_testssl(binary, ui, out)
    print("# testssl ran %.0f s, exit status %s" % (secs, rc), flush=True)
    doc, why = None, ""
    try:
        with open(out) as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        why = "%s; exit status %s; output tail: %s" % (e, rc, open(
            ui.env.path("testssl.log"), errors="replace").read()[-600:])
    if check(doc is not None and rc is not None and rc < 240,
             "testssl finished and wrote its JSON", "timed out after "
             "%.0f s" % secs if rc is None else why if doc is None else
             "exit status %s" % rc) and doc is not None:
        all_f = findings(doc)
        got = {"pfs" if sec == "fs" else sec for sec, _ in all_f}
        check(got >= set(SECTIONS), "every check group reported",
              "missing: %s" % sorted(set(SECTIONS) - got))
        check_findings(doc, all_f)
    check(ui.proc.alive() and ui.client().get("/healthz").status == 200,
          "webui survives the scan and still serves",
          "log tail: %s" % ui.log_text()[-300:])
    check_order(ui)
    h.finish()


if __name__ == "__main__":
    h.run(main)
