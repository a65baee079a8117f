"""webui's logins, sessions and API tokens over HTTPS, from the outside.

Login success and failure (one generic answer, byte for byte, for an
unknown user, a wrong password, a disabled, a locked and a delayed
account; comparable timing), the throttles of common/auth.h (per account:
5 failures in 5 minutes -> a delay of 1 s doubling; 100 in an hour -> a
lock until `authctl enable`; per address: 20 failures in 5 minutes -> 429
+ Retry-After; names case-insensitive), the audit table and the absence
of passwords and tokens in auth.db and the log, the cookie's attributes
and fixation, idle and absolute expiry (--session-idle 2s, --session-max
5s through TW_SESSION_IDLE / TW_SESSION_MAX), logout, password changes
(API and `authctl passwd`), `authctl disable` / `role`, and API tokens
(role, revocation, checksum, never in a URL, never with a cookie), and
/live sockets closed (4401) when their session ends (logout, authctl
disable / logout / passwd, a password change), with wsclient.py.

Every client address is its own 127.x.y.z (Linux routes 127/8 to lo), so
one scenario's failures never reach another's address limit.
"""

import re
import secrets
import sys
import threading
import time
import traceback

import harness as h
from harness import check
import webui_env as w

SESSION_RE = re.compile(r"^[A-Za-z0-9_-]{43}$")
TOKEN_RE = re.compile(r"^twk_[A-Za-z0-9_-]{43}_[A-Za-z0-9_-]{6}$")


def wrong(ui):
    p = "wrong-" + secrets.token_urlsafe(12)
    ui.passwords.add(p)
    return p


def fingerprint(r):
    """What must be identical between two generic failures."""
    return (r.status, r.body,
            [(k.lower(), v) for k, v in r.headers if k.lower() != "date"])


def test_login_success(ui, pw):
    c = ui.client()
    t0 = time.time() * 1000
    r = c.login("alice", pw["alice"])
    j = r.json() or {}
    check(r.status == 200, "login 200", repr(r))
    check(j.get("user") == "alice" and j.get("role") == "viewer" and
          j.get("must_change") is False and isinstance(j.get("csrf"), str)
          and len(j["csrf"]) >= 32, "login body user, role, must_change, "
          "csrf", repr(j))
    exp = j.get("expires_ms")
    check(isinstance(exp, int) and
          t0 + 30 * 60_000 - 60_000 <= exp <= t0 + 30 * 60_000 + 10_000,
          "login expires_ms = now + 30 min idle by default", repr(exp))
    cookies = r.headers_all("Set-Cookie")
    check(len(cookies) == 1, "login sets one cookie", repr(cookies))
    name, val, attrs = w.parse_set_cookie(cookies[0] if cookies else "")
    check(name.startswith("__Host-"), "cookie name starts __Host-", name)
    check(attrs.get("secure") is True, "cookie Secure", repr(attrs))
    check(attrs.get("httponly") is True, "cookie HttpOnly", repr(attrs))
    check(str(attrs.get("samesite", "")).lower() == "strict",
          "cookie SameSite=Strict", repr(attrs))
    check(attrs.get("path") == "/", "cookie Path=/", repr(attrs))
    check("domain" not in attrs, "cookie has no Domain", repr(attrs))
    check(SESSION_RE.match(val) is not None,
          "cookie value: 43 base64url chars (256 bits)", repr(val))
    check("no-store" in (r.header("Cache-Control") or ""),
          "login answer Cache-Control no-store",
          repr(r.header("Cache-Control")))
    r = c.me()
    check(r.status == 200 and (r.json() or {}).get("user") == "alice",
          "the cookie opens /api/me", repr(r))

    # A new token at every login; a cookie planted before login (session
    # fixation) is not what the login answers, and opens nothing.
    planted = "A" * 43
    c2 = ui.client()
    c2.cookies[name] = planted
    r = c2.login("alice", pw["alice"])
    new = c2.session_cookie()
    check(r.status == 200 and new and new != planted and new != val,
          "login issues a new token (not the planted, not the previous)",
          "%r %r" % (r, new))
    fix = ui.client()
    fix.cookies[name] = planted
    r = fix.get("/api/me")
    check(r.status == 401, "a planted cookie is not valid after login",
          repr(r))
    # Logged in as alice, log in as bob on the same client: a new token
    # that belongs to bob.
    r = c.login("bob", pw["bob"])
    check(r.status == 200 and c.session_cookie() not in (val, new) and
          (c.me().json() or {}).get("user") == "bob",
          "login with a live cookie of another user: new token, new user",
          repr(r))
    return [val, new, c.session_cookie()]


def test_generic_failure(ui, pw):
    src = "127.0.7.1"
    r_unknown = ui.client(src).login("nobody-here", wrong(ui))
    r_unknown2 = ui.client(src).login("nobody-else", wrong(ui))
    r_wrong = ui.client(src).login("alice", wrong(ui))
    r_disabled = ui.client(src).login("dis", pw["dis"])
    check(r_unknown.status == 401 and
          r_unknown.json() == {"error": "login failed"},
          "failure: 401 {\"error\":\"login failed\"}", repr(r_unknown))
    base = fingerprint(r_unknown)
    for name, r in (("another unknown user", r_unknown2),
                    ("wrong password", r_wrong),
                    ("disabled user", r_disabled)):
        check(fingerprint(r) == base,
              "failure identical: unknown user vs %s" % name,
              "%r vs %r" % (fingerprint(r), base))
    check(not r_unknown.headers_all("Set-Cookie"),
          "a failed login sets no cookie")
    return base


def test_timing(ui, pw):
    """Median times of unknown-user and wrong-password failures."""
    src = "127.0.3.1"
    t_unknown, t_wrong = [], []
    users = ["wp1", "wp2", "wp3"]
    for i in range(9):
        r = ui.client(src).login("ghost-%d-%s" % (i, secrets.token_hex(3)),
                                 wrong(ui))
        t_unknown.append(r.elapsed)
        r = ui.client(src).login(users[i % 3], wrong(ui))
        t_wrong.append(r.elapsed)
    mu, mw = w.median(t_unknown), w.median(t_wrong)
    check(abs(mu - mw) <= 0.30 * max(mu, mw),
          "timing: unknown-user and wrong-password medians within 30%",
          "unknown %.3f s, wrong password %.3f s" % (mu, mw))
    check(min(mu, mw) >= 0.03, "timing: failures cost a real hash "
          "(argon2id, >= 30 ms)", "unknown %.3f s, wrong %.3f s" % (mu, mw))


def test_account_throttle(ui, pw, base):
    results = {}

    def fail5(user, src, names=None):
        for i in range(5):
            r = ui.client(src).login((names or [user] * 5)[i], wrong(ui))
            if r.status != 401:
                return r
        return None

    def boundary():      # 4 failures: the next right password works
        bad = None
        for _ in range(4):
            r = ui.client("127.0.4.5").login("t0", wrong(ui))
            bad = bad or (r.status != 401 and r)
        r = ui.client("127.0.4.5").login("t0", pw["t0"])
        results["boundary"] = (bad, r)

    def first_delay():    # 5 failures, 1.3 s later the right password
        bad = fail5("t1", "127.0.4.1")
        time.sleep(1.3)
        r = ui.client("127.0.4.1").login("t1", pw["t1"])
        results["first_delay"] = (bad, r)

    def refused():        # 5 failures, the right password at once
        bad = fail5("t2", "127.0.4.2")
        r = ui.client("127.0.4.2").login("t2", pw["t2"])
        results["refused"] = (bad, r)

    def doubling():       # 6 counted failures: 1.3 s is not enough
        bad = fail5("t3", "127.0.4.3")
        time.sleep(1.3)
        r6 = ui.client("127.0.4.3").login("t3", wrong(ui))
        time.sleep(1.3)
        r7 = ui.client("127.0.4.3").login("t3", pw["t3"])
        time.sleep(4.5)
        r8 = ui.client("127.0.4.3").login("t3", pw["t3"])
        results["doubling"] = (bad, r6, r7, r8)

    def folded():         # "Casey", "cASEY" ... are one account
        bad = fail5("casey", "127.0.4.4",
                    ["Casey", "cASEY", "CASEY", "casey", "CaSeY"])
        r = ui.client("127.0.4.4").login("casey", pw["casey"])
        results["folded"] = (bad, r)

    # One after the other: in parallel, a request could wait behind the
    # others' hashing long enough to outlast the delay it is to meet.
    for f in (boundary, first_delay, refused, doubling, folded):
        f()
    bad, r = results["boundary"]
    check(not bad and r.status == 200,
          "throttle: 4 failures, the right password still works",
          "%r %r" % (bad, r))
    bad, r = results["first_delay"]
    check(not bad and r.status == 200,
          "throttle: after 5 failures the first delay (1 s) passes",
          "%r %r" % (bad, r))
    bad, r = results["refused"]
    check(not bad and r.status == 401,
          "throttle: 5 failures, the right password at once refused",
          "%r %r (answered in %.2f s)" % (bad, r, r.elapsed))
    check(fingerprint(r) == base,
          "failure identical: unknown user vs delayed account",
          "%r" % (fingerprint(r),))
    bad, r6, r7, r8 = results["doubling"]
    check(not bad and r6.status == 401 and r7.status == 401,
          "throttle: the delay doubles (refused 1.3 s after failure 6)",
          "%r %r %r" % (bad, r6, r7))
    check(r8.status == 200, "throttle: the doubled delay passes",
          repr(r8))
    bad, r = results["folded"]
    check(not bad and r.status == 401,
          "throttle: names count case-insensitively (Casey, cASEY, ...)",
          "%r %r" % (bad, r))


def test_address_throttle(ui, pw):
    src = "127.0.5.1"
    statuses = []
    for i in range(20):
        statuses.append(ui.client(src).login("addr-%d" % i,
                                             wrong(ui)).status)
    check(statuses == [401] * 20, "address: 20 failures are 401s",
          repr(statuses))
    r = ui.client(src).login("alice", pw["alice"])
    ra = r.header("Retry-After") or ""
    check(r.status == 429, "address: the 21st attempt (right password) "
          "429", repr(r))
    check(ra.isdigit() and 1 <= int(ra) <= 300,
          "address: Retry-After in seconds (1..300)", repr(ra))
    check(isinstance(r.json(), dict) and "error" in r.json(),
          "address: 429 body is a JSON error", repr(r))
    r = ui.client("127.0.5.2").login("alice", pw["alice"])
    check(r.status == 200, "address: another address is not throttled",
          repr(r))
    return src


def test_lock(ui, pw, base):
    n = 0
    statuses = set()
    srcs = ["127.0.6.%d" % i for i in range(1, 7)]
    locked_99 = None
    for src in srcs:
        for _ in range(19):
            if n == 100:
                break
            statuses.add(ui.client(src).login("locky", wrong(ui)).status)
            n += 1
            if n == 99:
                locked_99 = (ui.user_info("locky") or {}).get("locked")
    check(statuses == {401}, "lock: 100 failures are all 401",
          repr(statuses))
    check(locked_99 in (0, False), "lock: not locked after 99 failures",
          repr(locked_99))
    info = ui.user_info("locky") or {}
    check(info.get("locked") in (1, True), "lock: locked after 100 failures "
          "in an hour (authctl list)", repr(info))
    r = ui.client("127.0.6.7").login("locky", pw["locky"])
    check(r.status == 401, "lock: the right password is refused", repr(r))
    check(fingerprint(r) == base,
          "failure identical: unknown user vs locked account",
          "%r" % (fingerprint(r),))
    p = ui.authctl("enable", "locky")
    r = ui.client("127.0.6.8").login("locky", pw["locky"])
    check(p.returncode == 0 and r.status == 200,
          "lock: authctl enable unlocks", "%s %r" % (p.returncode, r))
    return n + 2


def test_audit_and_secrets(ui, tokens, throttled_src):
    try:
        rows = ui.audit_rows()
    except Exception as e:
        traceback.print_exc(file=sys.stdout)
        check(False, "audit table readable", str(e))
        return
    cols = set(rows[0]) if rows else set()
    ev = "event" if "event" in cols else None
    addr = next((c for c in sorted(cols) if "addr" in c), None)
    logins = [r for r in rows if ev and "login" in str(r[ev]).lower() and
              "logout" not in str(r[ev]).lower()]
    check(len(logins) >= ui.login_attempts,
          "audit: a row for every login attempt",
          "%d login rows for %d attempts (columns %s)" % (
              len(logins), ui.login_attempts, sorted(cols)))
    at = [r for r in logins if addr and str(r[addr]) in
          (throttled_src, "::ffff:" + throttled_src)]
    check(len(at) == 21, "audit: every attempt of one address, the 429 "
          "too", "%d rows for %s, want 21" % (len(at), throttled_src))
    blob = ui.auth_bytes()
    log = ui.log_text().encode()
    leaks = [p for p in ui.passwords if p.encode() in blob]
    check(not leaks, "no password in auth.db (%d checked)" %
          len(ui.passwords), "found %d" % len(leaks))
    leaks = [p for p in ui.passwords if p.encode() in log]
    check(not leaks, "no password in webui's log", "found %d" % len(leaks))
    leaks = [t for t in tokens if t and t.encode() in blob]
    check(not leaks, "no session or API token in auth.db (%d checked)" %
          len(tokens), "found %d" % len(leaks))
    leaks = [t for t in tokens if t and t.encode() in log]
    check(not leaks, "no session or API token in webui's log",
          "found %d" % len(leaks))


def test_logout(ui, pw):
    c = ui.login("alice", pw["alice"])
    old = dict(c.cookies)
    r = c.post("/api/logout")
    check(r.status in (200, 204), "logout", repr(r))
    csd = r.header("Clear-Site-Data") or ""
    check(all('"%s"' % k in csd for k in ("cache", "cookies", "storage")),
          "logout Clear-Site-Data cache, cookies, storage", repr(csd))
    exp = [w.parse_set_cookie(v) for v in r.headers_all("Set-Cookie")]
    check(any(n in old and (not v or w.cookie_expired(a))
              for n, v, a in exp), "logout expires the cookie", repr(exp))
    stale = ui.client()
    stale.cookies.update(old)
    r = stale.get("/api/me")
    check(r.status == 401, "logout: the old cookie is 401 afterwards",
          repr(r))
    return list(old.values())


def test_password_change(ui, pw):
    a = ui.login("chg", pw["chg"])
    b = ui.login("chg", pw["chg"])
    a_old = dict(a.cookies)
    new = w.strong_password()
    ui.passwords.add(new)
    r = a.post("/api/me/password", {"current": wrong(ui), "new": new})
    check(r.status in (400, 401, 403) and
          (ui.client("127.0.8.1").login("chg", pw["chg"]).status == 200),
          "password change with a wrong current password refused",
          repr(r))
    a.me()
    weak = "password1234567"
    ui.passwords.add(weak)
    r = a.post("/api/me/password", {"current": pw["chg"], "new": weak})
    check(r.status == 400 and r.error() and weak not in r.error(),
          "password change: policy 400 with a reason, not echoed", repr(r))
    a.me()
    r = a.post("/api/me/password", {"current": pw["chg"], "new": new})
    check(r.status in (200, 204), "password change", repr(r))
    check(a.session_cookie() and a.session_cookie() !=
          list(a_old.values())[0],
          "password change gives this client a new cookie")
    check(a.me().status == 200, "password change: this client stays in")
    r = b.get("/api/me")
    check(r.status == 401, "password change ends the other sessions",
          repr(r))
    stale = ui.client()
    stale.cookies.update(a_old)
    check(stale.get("/api/me").status == 401,
          "password change: the old cookie of this client is dead too")
    check(ui.client("127.0.8.2").login("chg", new).status == 200 and
          ui.client("127.0.8.2").login("chg", pw["chg"]).status == 401,
          "password change: new password in, old out")


def test_authctl_effects(ui, pw):
    # authctl passwd ends sessions.
    c = ui.login("pw2", pw["pw2"])
    new = w.strong_password()
    p = ui.set_password("pw2", new)
    r = c.get("/api/me")
    check(p.returncode == 0 and r.status == 401,
          "authctl passwd ends the sessions", "%s %r" % (p.returncode, r))
    check(ui.client("127.0.8.3").login("pw2", new).status == 200,
          "authctl passwd: the new password works")

    # authctl disable: the next request is 401, cookie and token.
    c = ui.login("dd", pw["dd"])
    tok = ui.token("dd", "dd-token")
    bt = ui.client(bearer=tok)
    check(c.get("/api/me").status == 200 and bt.get("/api/me").status ==
          200, "before disable: cookie and token work")
    p = ui.authctl("disable", "dd")
    check(p.returncode == 0 and c.get("/api/me").status == 401,
          "authctl disable: the next cookie request 401")
    check(bt.get("/api/me").status == 401,
          "authctl disable: the next token request 401")
    ui.authctl("enable", "dd")
    check(bt.get("/api/me").status == 200,
          "authctl enable: the token works again")

    # authctl role applies on the next request.
    c = ui.login("rr", pw["rr"])
    check(c.get("/api/health").status == 403, "role viewer: health 403")
    p = ui.authctl("role", "rr", "manager")
    r = c.get("/api/health")
    check(p.returncode == 0 and r.status == 200,
          "authctl role manager: the next request may read health",
          repr(r))
    ui.authctl("role", "rr", "viewer")
    check(c.get("/api/health").status == 403,
          "authctl role viewer: the next request may not")
    return [tok]


def test_tokens(ui, pw):
    tok = ui.token("tok", "first")
    check(TOKEN_RE.match(tok) is not None,
          "token format twk_ + 43 + _ + 6", repr(tok))
    bt = ui.client(bearer=tok)
    r = bt.get("/api/me")
    check(r.status == 200 and (r.json() or {}).get("role") == "viewer",
          "Bearer token works with its user's role", repr(r))
    r = bt.get("/api/export.csv?symbol=TST&interval=60")
    check(r.status == 403, "Bearer viewer: export.csv 403", repr(r))
    r = bt.get("/api/health")
    check(r.status == 403, "Bearer viewer: health 403", repr(r))
    mt = ui.token("tokm", "mgr")
    r = ui.client(bearer=mt).get("/api/health")
    check(r.status == 200, "Bearer manager: health 200", repr(r))

    for q in ("access_token", "token", "bearer", "api_key"):
        r = ui.client().get("/api/me?%s=%s" % (q, tok))
        check(r.status == 401, "token in the query string (%s) refused" % q,
              repr(r))
    r = ui.client().get("/api/me", headers={"X-Api-Token": tok})
    check(r.status == 401, "token only in the Authorization header",
          repr(r))

    flipped = tok[:-1] + ("A" if tok[-1] != "A" else "B")
    r = ui.client(bearer=flipped).get("/api/me")
    check(r.status == 401, "token with a broken checksum 401", repr(r))
    body = tok[:10] + ("x" if tok[10] != "x" else "y") + tok[11:]
    r = ui.client(bearer=body).get("/api/me")
    check(r.status == 401, "token with a changed secret part 401", repr(r))
    for junk in ("twk_", "abc", "twk_" + "A" * 200, tok + "x"):
        r = ui.client(bearer=junk).get("/api/me")
        check(r.status == 401, "malformed Bearer %r.. 401" % junk[:8],
              repr(r))
    r = ui.client().get("/api/me", headers={"Authorization": "Basic "
                                            "YWxpY2U6eA=="})
    check(r.status == 401, "Basic auth refused", repr(r))

    both = ui.login("alice", pw["alice"])
    both.bearer = tok
    r = both.get("/api/me")
    check(r.status == 400, "Bearer and cookie together 400", repr(r))

    lst = ui.token_list("tok") or []
    ids = [t.get("id") for t in lst if t.get("name") == "first"]
    check(ids and tok not in str(lst), "token list has it, not the secret",
          repr(lst)[:200])
    if ids:
        p = ui.authctl("token", "revoke", str(ids[0]))
        r = bt.get("/api/me")
        check(p.returncode == 0 and r.status == 401,
              "token revocation is immediate", "%s %r" % (p.returncode, r))
    return [tok, mt]


def test_expiry():
    ui = w.WebUI("webui-sess", extra_env={"TW_SESSION_IDLE": "2s",
                                          "TW_SESSION_MAX": "5s"})
    p = ui.add_user("s1", "viewer")
    idle = ui.login("s1", p)
    busy = ui.login("s1", p)
    tb = time.monotonic()
    j = busy.me().json() or {}
    now_ms = time.time() * 1000
    check(abs(j.get("expires_ms", 0) - (now_ms + 2000)) < 1000,
          "expires_ms = now + idle (2 s) right after login",
          "expires_ms - now = %s" % (j.get("expires_ms", 0) - now_ms))
    idle_status = []

    def idle_check():
        time.sleep(2.6)
        idle_status.append(idle.get("/api/me").status)
    t = threading.Thread(target=idle_check)
    t.start()
    seen = []
    while time.monotonic() - tb + 0.7 < 4.3:
        time.sleep(0.7)
        seen.append((round(time.monotonic() - tb, 1),
                     busy.get("/api/me").status))
    t.join()
    check(idle_status == [401],
          "idle expiry: no request for 2.6 s > 2 s -> 401",
          repr(idle_status))
    check(all(s == 200 for _, s in seen),
          "activity refreshes the idle timeout (200 up to 4.3 s)",
          repr(seen))
    while time.monotonic() - tb < 5.5:
        time.sleep(0.5)
        busy.get("/api/me")
    r = busy.get("/api/me")
    check(r.status == 401, "absolute expiry at 5 s despite activity",
          repr(r))
    t, rc = ui.stop()
    check(t is not None and t < 2.0 and rc == 0,
          "SIGTERM: exit 0 within 2 s", "took %s, status %s" % (t, rc))


def test_live_sessions(ui, pw):
    """/live sockets end with their session (docs/live.md: 4401)."""
    try:
        from wsclient import WSClient
    except ImportError:
        print("# tests/integration/wsclient.py missing: /live skipped")
        return

    def open_ws(c):
        ws = WSClient(ui.port, cookie=c.cookie_header(), origin=ui.origin,
                      timeout=5 * h.MULT)
        return ws if ws.connect() else None

    c = ui.login("lv", pw["lv"])
    ws = open_ws(c)
    if not check(ws is not None, "/live opens with the session cookie"):
        return
    hello = ws.wait_for(lambda m: m.get("type") == "hello", 5)
    check(hello is not None and hello.get("user") == "lv" and
          hello.get("role") == "viewer" and
          isinstance(hello.get("expires_ms"), int),
          "/live hello names the user, role and expiry", repr(hello))
    c.post("/api/logout")
    code = ws.wait_closed(3)
    check(code == 4401, "/live socket closed (4401) at logout", repr(code))

    for name, act in (
            ("authctl disable", lambda: ui.authctl("disable", "lv")),
            ("authctl logout", lambda: ui.authctl("logout", "lv")),
            ("authctl passwd", lambda: ui.set_password("lv", pw["lv"]))):
        c = ui.login("lv", pw["lv"])
        ws = open_ws(c)
        if ws is None:
            check(False, "/live closed at %s" % name, "did not open")
            continue
        ws.wait_for(lambda m: m.get("type") == "hello", 5)
        act()
        code = ws.wait_closed(3)
        check(code == 4401, "/live socket closed (4401) after %s" % name,
              repr(code))
        ui.authctl("enable", "lv")

    a = ui.login("lv", pw["lv"])
    b = ui.login("lv", pw["lv"])
    ws = open_ws(b)
    new = w.strong_password()
    ui.passwords.add(new)
    r = a.post("/api/me/password", {"current": pw["lv"], "new": new})
    code = ws.wait_closed(3) if ws else None
    check(r.status in (200, 204) and code == 4401,
          "/live socket of another session closed at a password change",
          "%r %r" % (r, code))
    pw["lv"] = new
    ws = open_ws(a)
    check(ws is not None, "/live opens with the cookie the password "
          "change gave")
    if ws:
        ws.close()


def main():
    ui = w.WebUI("webui-auth")
    pw = {}
    for name in ("alice", "bob", "dis", "wp1", "wp2", "wp3", "t0", "t1",
                 "t2", "t3", "casey", "locky", "chg", "pw2", "dd", "rr",
                 "tok", "lv"):
        pw[name] = ui.add_user(name, "viewer")
    pw["tokm"] = ui.add_user("tokm", "manager")
    ui.authctl("disable", "dis")

    tokens = test_login_success(ui, pw)
    base = test_generic_failure(ui, pw)
    test_timing(ui, pw)
    test_account_throttle(ui, pw, base)
    throttled = test_address_throttle(ui, pw)
    test_lock(ui, pw, base)
    tokens += test_logout(ui, pw)
    test_password_change(ui, pw)
    tokens += test_authctl_effects(ui, pw)
    tokens += test_tokens(ui, pw)
    test_live_sessions(ui, pw)
    test_audit_and_secrets(ui, tokens, throttled)
    test_expiry()
    h.finish()


if __name__ == "__main__":
    h.run(main)
