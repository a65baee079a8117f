"""A bounded brute-force run against /api/login, and session-token quality.

Attacks, run at the same time against one webui over loopback TLS, each a
pool of threads sending guesses back to back (a short pause each, so the
box stays usable), every guess on a new connection:

  single: 6 threads from one address guessing one account ("alpha"),
          rotating X-Forwarded-For / X-Real-IP to dodge the address limit;
  spread: 12 threads over 6 addresses (127.0.11.1..6) guessing "bravo";
  spray:  4 threads from one address trying a few passwords on each of
          10 accounts (per-account limits never bite: the address one must).

Each list holds the account's real password late. The figures come from
auth.db's audit table (a row per attempt: the outcome, and for a failure
why: "bad password" / "locked" / "disabled" mean the password was checked,
"delayed" that the account's delay refused it unchecked) and from the
answers; each checked guess is also replayed against the failures timed
before it (was its account's delay over?). The bounds are computed from
docs/security.md's numbers (no webui option changes them): per address
20 failures in 5 minutes, then 429; per account 5 failures free in 5 minutes, then each attempt waits
1 s doubling to 15 minutes after the previous failure; 100 failures in an
hour lock the account until `authctl enable`. Also: the real password gets
the same answer as a wrong one while throttled or locked, the legitimate
user logs in again after `authctl enable` (the only way out of a lock or a
15-minute delay; the windows are compile-time constants, and the first
1 s delay expiring is test_webui_auth's), /healthz answers throughout,
and webui uses no CPU once the attack stops.

Tokens: 100 logins of 5 users from 4 threads (successful logins are not
throttled) and 40 API tokens from `authctl token create` (40 and 20
under the sanitizers): every token and CSRF token distinct, of full
length (43 base64url characters = 32 bytes; twk_ + 43 + _ + 6 with its
checksum), the characters spread evenly (a chi-square bound), and
auth.db holding BLAKE2b-256 of each, never the text.
"""

import base64
import hashlib
import math
import random
import re
import secrets
import sqlite3
import threading
import time

import harness as h
from harness import check
import webui_env as w

# docs/security.md, "Logins and the throttle".
ADDR_MAX = 20
ADDR_WINDOW_S = 300
ACCT_FREE = 5
ACCT_WINDOW_S = 300
ACCT_BASE_S = 1.0
ACCT_CAP_S = 900.0
LOCK_MAX = 100
# docs/security.md, "Sessions and cookies" / "API tokens".
TOKEN_BYTES = 32
B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

ATTACK_S = 30		# how long each attack runs
# Session tokens drawn (each login is a hash: fewer under the sanitizers).
LOGINS = 100 if h.MULT <= 1 else 40
API_TOKENS = 40 if h.MULT <= 1 else 20
PAUSE_S = 0.05		# per thread between guesses
CHECKED = ("bad password", "locked", "disabled")


def acct_bound(duration_s):
    """The most guesses one account can have checked within duration_s
    (< the 5-minute window) under the documented rule: 5 free, then each
    one waits BASE * 2^k after the previous failure, capped."""
    n, t, delay = ACCT_FREE, 0.0, ACCT_BASE_S
    while t + delay <= duration_s:
        t += delay
        n += 1
        delay = min(delay * 2, ACCT_CAP_S)
    return n


def max_in_window(times, window_s):
    """The most of the times (s) that fall within any window_s span."""
    times = sorted(times)
    best, j = 0, 0
    for i, t in enumerate(times):
        while t - times[j] >= window_s:
            j += 1
        best = max(best, i - j + 1)
    return best


def wrong_pw(ui):
    p = "guess-" + secrets.token_urlsafe(9)
    ui.passwords.add(p)
    return p


def fingerprint(r):
    return (r.status, r.body,
            tuple((k.lower(), v) for k, v in r.headers
                  if k.lower() not in ("date", "retry-after")))


class Attack:
    """Threads sending guesses from a shared, endless list for ATTACK_S."""

    def __init__(self, ui, name, targets, sources, threads, real_at,
                 spoof=False):
        self.ui = ui
        self.name = name
        self.targets = targets		# [(user, real password)]
        self.sources = sources
        self.nthreads = threads
        self.real_at = real_at		# every real_at-th guess is a real one
        self.spoof = spoof
        self.lock = threading.Lock()
        self.i = 0
        self.answers = []		# (t, source, user, is_real, Resp)
        self.start_t = self.end_t = 0.0

    def next_guess(self):
        with self.lock:
            i = self.i
            self.i += 1
        user, real = self.targets[i % len(self.targets)]
        if (i + 1) % self.real_at == 0:
            return user, real, True
        return user, wrong_pw(self.ui), False

    def worker(self, k):
        src = self.sources[k % len(self.sources)]
        end = self.start_t + ATTACK_S
        while time.monotonic() < end:
            user, pw, real = self.next_guess()
            hdrs = None
            if self.spoof:
                fake = "10.%d.%d.%d" % tuple(random.randrange(1, 255)
                                             for _ in range(3))
                hdrs = {"X-Forwarded-For": fake, "X-Real-IP": fake,
                        "Forwarded": "for=" + fake}
            r = self.ui.client(src).login(user, pw, headers=hdrs)
            with self.lock:
                self.answers.append((time.monotonic(), src, user, real, r))
            time.sleep(PAUSE_S)

    def start(self):
        self.start_t = time.monotonic()
        self.ts = [threading.Thread(target=self.worker, args=(k,),
                                    daemon=True)
                   for k in range(self.nthreads)]
        for t in self.ts:
            t.start()

    def join(self):
        for t in self.ts:
            t.join(ATTACK_S + 60 * h.MULT)
        self.end_t = time.monotonic()


class Health:
    """Polls /healthz from its own address while the attacks run."""

    def __init__(self, ui):
        self.ui = ui
        self.stop = threading.Event()
        self.results = []
        self.t = threading.Thread(target=self.run, daemon=True)

    def run(self):
        while not self.stop.is_set():
            r = self.ui.client("127.0.13.1").get("/healthz", timeout=10)
            self.results.append((r.status, r.elapsed))
            self.stop.wait(0.25)


def audit_logins(ui):
    c = sqlite3.connect("file:%s?mode=ro" % ui.auth_db, uri=True, timeout=10)
    try:
        return [dict(zip(("ts", "user", "addr", "outcome", "detail"), r))
                for r in c.execute(
                    "SELECT ts_ms, user, addr, outcome, detail FROM audit"
                    " WHERE event = 'login' ORDER BY id")]
    finally:
        c.close()


def acct_delay_s(n):
    """The wait after the latest of n failures within the window."""
    if n < ACCT_FREE:
        return 0.0
    return min(ACCT_BASE_S * 2 ** (n - ACCT_FREE), ACCT_CAP_S)


def acct_early(rows, user):
    """The user's checked guesses that came before the documented delay
    of the failures timed before them had passed: [(t, n, wait)]."""
    mine = [r for r in rows if r["user"] == user]
    fails = sorted(r["ts"] / 1000 for r in mine if r["outcome"] == "failed")
    out = []
    for r in mine:
        if not checked(r):
            continue
        t = r["ts"] / 1000
        prior = [f for f in fails if f < t]
        if not prior:
            continue
        latest = prior[-1]
        n = sum(1 for f in prior if latest - f < ACCT_WINDOW_S)
        if t < latest + acct_delay_s(n):
            out.append((round(t - latest, 3), n, acct_delay_s(n)))
    return out


def checked(row):
    return row["outcome"] == "ok" or (row["outcome"] == "failed" and
                                      row["detail"] in CHECKED)


def report(a, rows, users, srcs):
    """Measured figures of one attack, from the audit rows in its span."""
    mine = [r for r in rows if r["user"] in users and r["addr"] in srcs]
    dur = a.end_t - a.start_t
    acct = {u: [r["ts"] / 1000 for r in mine if r["user"] == u and
                checked(r)] for u in users}
    addr_checked = {s: [r["ts"] / 1000 for r in mine if r["addr"] == s and
                        checked(r)] for s in srcs}
    addr_failed = {s: [r["ts"] / 1000 for r in mine if r["addr"] == s and
                       r["outcome"] == "failed"] for s in srcs}
    n429 = sum(1 for x in a.answers if x[4].status == 429)
    print("# bruteforce %s: %d guesses in %.1f s (%.1f/s) from %d "
          "address(es), %d threads: %d answered 429; checked per account "
          "max %d (%s); failures per address max %d; checked per address "
          "max %d" % (
              a.name, len(a.answers), dur, len(a.answers) / max(dur, 0.1),
              len(srcs), a.nthreads, n429,
              max(len(v) for v in acct.values()),
              ", ".join("%s %d" % (u, len(v)) for u, v in acct.items()
                        if v) or "-",
              max(len(v) for v in addr_failed.values()),
              max(len(v) for v in addr_checked.values())), flush=True)
    return dur, acct, addr_checked, addr_failed


def check_attack(a, rows, users, srcs, base):
    dur, acct, addr_checked, addr_failed = report(a, rows, users, srcs)
    check(len(a.answers) >= 50 and all(x[4].status in (401, 429)
                                       for x in a.answers),
          "%s: %d guesses, every one 401 or 429" % (a.name, len(a.answers)),
          repr(sorted(set(x[4].status for x in a.answers))))
    span = max(dur, 1.0)
    bound = acct_bound(min(span, 60.0))
    worst = max(max_in_window(v, 60.0) for v in acct.values())
    check(worst <= bound, "%s: guesses checked per account per minute "
          "<= %d (5 free, then 1 s doubling)" % (a.name, bound),
          "max %d" % worst)
    bound = acct_bound(span)
    worst = max(len(v) for v in acct.values())
    check(worst <= bound, "%s: guesses checked per account over %.0f s "
          "<= %d" % (a.name, span, bound), "max %d" % worst)
    during = [r for r in rows if r["addr"] in srcs]
    early = [(u, x) for u in users for x in acct_early(during, u)]
    check(not early, "%s: no guess checked inside its account's delay "
          "(after the 5th failure: 1 s, doubling)" % a.name,
          "%d early, e.g. %r (s after the previous failure, failures, "
          "delay)" % (len(early), early[:3]))
    worst = max(max_in_window(v, ADDR_WINDOW_S) for v in
                addr_failed.values())
    check(worst <= ADDR_MAX, "%s: failures per address in 5 min <= %d, "
          "then 429" % (a.name, ADDR_MAX), "max %d" % worst)
    # Past its limit an address gets nothing but 429s.
    late = {}
    for t, src, _, _, r in a.answers:
        late.setdefault(src, []).append(r.status)
    over = [s for s, st in late.items() if len(st) > ADDR_MAX + 5 and
            429 not in st[ADDR_MAX:]]
    check(not over, "%s: every address past %d failures is answered 429"
          % (a.name, ADDR_MAX), repr(over))
    ra = [x[4].header("Retry-After") or "" for x in a.answers
          if x[4].status == 429]
    check(all(v.isdigit() and 1 <= int(v) <= ADDR_WINDOW_S for v in ra),
          "%s: every 429 has Retry-After 1..300" % a.name,
          repr(sorted(set(ra))[:5]))
    # No oracle: the real password's answers look like the wrong ones'.
    reals = [x[4] for x in a.answers if x[3]]
    wrong429 = {fingerprint(x[4]) for x in a.answers
                if not x[3] and x[4].status == 429}
    ok = reals and all(
        (r.status == 401 and fingerprint(r) == base) or
        (r.status == 429 and fingerprint(r) in wrong429) for r in reals)
    check(ok, "%s: the real password (%d tries) answered like a wrong one"
          % (a.name, len(reals)),
          repr(sorted(set((r.status, r.body) for r in reals))))
    return dur


def test_attacks(ui, pw):
    base = fingerprint(ui.client("127.0.14.1").login("nobody-here",
                                                     wrong_pw(ui)))
    spray_users = ["c%d" % i for i in range(10)]
    attacks = [
        Attack(ui, "single", [("alpha", pw["alpha"])], ["127.0.10.1"], 6,
               real_at=40, spoof=True),
        Attack(ui, "spread", [("bravo", pw["bravo"])],
               ["127.0.11.%d" % i for i in range(1, 7)], 12, real_at=150),
        Attack(ui, "spray", [(u, pw[u]) for u in spray_users],
               ["127.0.12.1"], 4, real_at=47),
    ]
    health = Health(ui)
    cpu0 = ui.proc.cpu_seconds()
    t0 = time.monotonic()
    health.t.start()
    for a in attacks:
        a.start()
    for a in attacks:
        a.join()
    wall = time.monotonic() - t0
    cpu = ui.proc.cpu_seconds() - cpu0
    health.stop.set()
    health.t.join(15 * h.MULT)
    rows = audit_logins(ui)

    check_attack(attacks[0], rows, ["alpha"], attacks[0].sources, base)
    check_attack(attacks[1], rows, ["bravo"], attacks[1].sources, base)
    check_attack(attacks[2], rows, spray_users, attacks[2].sources, base)

    # The spread attack passes 100 failures: bravo is locked.
    fails = sum(1 for r in rows if r["user"] == "bravo" and
                r["outcome"] == "failed")
    info = ui.user_info("bravo") or {}
    check(fails >= LOCK_MAX and info.get("locked") in (1, True),
          "spread: %d failures lock the account" % fails, repr(info))
    succ = [r for r in rows if r["outcome"] == "ok" and
            r["user"] in ["alpha", "bravo"] + spray_users]
    check(not succ, "no attack got a session", repr(succ[:3]))

    # The legitimate users, from their own address.
    r = ui.client("127.0.15.1").login("bravo", pw["bravo"])
    check(fingerprint(r) == base, "locked: the real password from a clean "
          "address is refused like a wrong one", repr(r))
    r = ui.client("127.0.15.1").login("alpha", pw["alpha"])
    check(fingerprint(r) == base, "delayed: the real password from a clean "
          "address is refused like a wrong one", repr(r))
    for u in ("alpha", "bravo"):
        p = ui.authctl("enable", u)
        r = ui.client("127.0.15.2").login(u, pw[u])
        check(p.returncode == 0 and r.status == 200,
              "%s: the user logs in after authctl enable" % u,
              "%s %r" % (p.returncode, r))
    # Spraying reached each account a few times only: no delay for them.
    r = ui.client("127.0.15.3").login("c7", pw["c7"])
    check(r.status == 200, "spray: a sprayed user logs in from their own "
          "address", repr(r))

    hs = health.results
    bad = [x for x in hs if x[0] != 200]
    worst = max((x[1] for x in hs), default=0.0)
    check(len(hs) >= 10 and not bad, "/healthz answered 200 throughout "
          "(%d polls)" % len(hs), repr(bad[:3]))
    check(worst <= 5.0 * h.MULT, "/healthz within 5 s x MULT during the "
          "attack", "worst %.2f s" % worst)
    # No busy loop once it is over.
    c1 = ui.proc.cpu_seconds()
    time.sleep(5)
    idle = ui.proc.cpu_seconds() - c1
    check(idle <= 0.5 * h.MULT, "webui idles after the attack (%.2f CPU s "
          "in 5 s)" % idle, "%.2f s" % idle)
    total = sum(len(a.answers) for a in attacks)
    print("# bruteforce total: %d guesses in %.1f s; webui CPU %.1f s "
          "(%.0f%% of one core); /healthz %d polls, median %.3f s, worst "
          "%.3f s; idle CPU after %.2f s / 5 s" % (
              total, wall, cpu, 100 * cpu / wall, len(hs),
              w.median([x[1] for x in hs]), worst, idle), flush=True)


# ---- tokens ------------------------------------------------------------

def b64url_decode(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def chi2_bound(dof, z=5.0):
    """Wilson-Hilferty: the chi-square value z sigmas up (p ~ 3e-7)."""
    k = float(dof)
    return k * (1 - 2 / (9 * k) + z * math.sqrt(2 / (9 * k))) ** 3


def char_chi2(tokens):
    """Chi-square of the character counts over the first 42 characters
    (each 6 full random bits; the 43rd carries 4) against uniform."""
    counts = dict.fromkeys(B64URL, 0)
    n = 0
    for t in tokens:
        for ch in t[:42]:
            counts[ch] += 1
            n += 1
    e = n / 64
    return sum((c - e) ** 2 / e for c in counts.values()), n


def bit_balance(tokens):
    """How many sigmas the share of 1 bits is from 1/2."""
    ones = bits = 0
    for t in tokens:
        b = b64url_decode(t)
        ones += sum(bin(x).count("1") for x in b)
        bits += 8 * len(b)
    return abs(ones - bits / 2) / math.sqrt(bits / 4)


def test_tokens(ui):
    users = ["s%d" % i for i in range(5)]
    pws = {u: ui.add_user(u, "viewer") for u in users}
    sessions, csrfs, errors = [], [], []
    lock = threading.Lock()

    def worker(k):
        for n in range(k, LOGINS, 4):
            u = users[n % len(users)]
            c = ui.client("127.0.16.%d" % (k + 1))
            r = c.login(u, pws[u])
            with lock:
                if r.status == 200:
                    sessions.append(c.session_cookie())
                    csrfs.append((r.json() or {}).get("csrf"))
                else:
                    errors.append(r)

    ts = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
    t0 = time.monotonic()
    for t in ts:
        t.start()
    for t in ts:
        t.join(120 * h.MULT)
    dt = time.monotonic() - t0
    check(not errors and len(sessions) == LOGINS, "tokens: %d logins of 5 "
          "users from 4 threads succeed (%.1f s)" % (LOGINS, dt),
          "%d ok, %r" % (len(sessions), errors[:3]))
    api = []
    for i in range(API_TOKENS):
        api.append(ui.token(users[i % len(users)], "t%d" % i))

    sess_re = re.compile(r"^[A-Za-z0-9_-]{43}$")
    bad = [t for t in sessions + csrfs if not (isinstance(t, str) and
                                              sess_re.match(t))]
    check(not bad, "tokens: every session and CSRF token is 43 base64url "
          "characters", repr(bad[:2]))
    if bad:
        return
    bad = [t for t in sessions + csrfs
           if len(b64url_decode(t)) != TOKEN_BYTES or
           base64.urlsafe_b64encode(b64url_decode(t)).rstrip(b"=").decode()
           != t]
    check(not bad, "tokens: each decodes to exactly 32 bytes (canonical)",
          repr(bad[:2]))
    api_re = re.compile(r"^twk_([A-Za-z0-9_-]{43})_([A-Za-z0-9_-]{6})$")
    parts = [api_re.match(t) for t in api]
    check(all(parts), "tokens: every API token is twk_ + 43 + _ + 6",
          repr([t for t, m in zip(api, parts) if not m][:2]))
    if not all(parts):
        return
    # The checksum: the first 4 bytes of BLAKE2b-256 of the random part.
    bad = [t for t, m in zip(api, parts) if base64.urlsafe_b64encode(
        hashlib.blake2b(m.group(1).encode(), digest_size=32).digest()[:4])
        .rstrip(b"=").decode() != m.group(2)]
    check(not bad, "tokens: API token checksums are BLAKE2b's first 4 "
          "bytes", "%d bad" % len(bad))
    rnd = [m.group(1) for m in parts]
    every = sessions + csrfs + rnd
    check(len(set(every)) == len(every), "tokens: all %d session, CSRF "
          "and API token secrets distinct" % len(every),
          "%d distinct" % len(set(every)))
    x2, n = char_chi2(every)
    lim = chi2_bound(63)
    check(x2 <= lim, "tokens: character counts uniform (chi-square %.1f "
          "<= %.1f, 63 dof, %d chars)" % (x2, lim, n), "%.1f" % x2)
    z = bit_balance(every)
    check(z <= 5.0, "tokens: 1 bits within 5 sigma of half (%.2f)" % z,
          "%.2f sigma" % z)
    print("# tokens: %d sessions in %.1f s (%.1f logins/s), %d CSRF, %d "
          "API; chi-square %.1f (bound %.1f); bit balance %.2f sigma" % (
              len(sessions), dt, len(sessions) / dt, len(csrfs), len(api),
              x2, lim, z), flush=True)

    # At rest: BLAKE2b-256 of the token text, never the text.
    c = sqlite3.connect("file:%s?mode=ro" % ui.auth_db, uri=True, timeout=10)
    try:
        shash = {bytes(r[0]) for r in c.execute(
            "SELECT token_hash FROM sessions")}
        ahash = {bytes(r[0]) for r in c.execute(
            "SELECT token_hash FROM api_tokens")}
    finally:
        c.close()

    def b2(t):
        return hashlib.blake2b(t.encode(), digest_size=32).digest()
    missing = [t for t in sessions if b2(t) not in shash]
    check(not missing, "tokens: auth.db holds BLAKE2b-256 of every "
          "session token", "%d missing of %d" % (len(missing),
                                                 len(sessions)))
    missing = [t for t in api if b2(t) not in ahash]
    check(not missing, "tokens: auth.db holds BLAKE2b-256 of every API "
          "token", "%d missing of %d" % (len(missing), len(api)))
    blob = ui.auth_bytes()
    leaks = [t for t in sessions + rnd if t.encode() in blob or
             b64url_decode(t) in blob]
    check(not leaks, "tokens: no token text or raw bytes in auth.db "
          "(%d checked)" % len(sessions + rnd), "%d found" % len(leaks))


def main():
    ui = w.WebUI("bruteforce")
    pw = {}
    for name in ["alpha", "bravo"] + ["c%d" % i for i in range(10)]:
        pw[name] = ui.add_user(name, "viewer")
    print("# docs/security.md bounds: per account %d checked in 60 s, %d "
          "in %d s; per address %d failures in %d s; lock at %d" % (
              acct_bound(60), acct_bound(ATTACK_S), ATTACK_S, ADDR_MAX,
              ADDR_WINDOW_S, LOCK_MAX), flush=True)
    test_attacks(ui, pw)
    test_tokens(ui)
    check(ui.proc.alive(), "webui still running")
    h.finish()


if __name__ == "__main__":
    h.run(main)
