"""authctl end to end: every command and error path against a real
auth.db in a temp directory (docs/authctl.md). Expectations come from the
task's contract: exit 0 done / 1 failed with one "authctl: ..." line on
stderr / 2 bad usage; passwords only from a terminal without echo or from
standard input; tokens printed once and stored only as BLAKE2b-256."""

import hashlib
import json
import os
import pty
import re
import select
import sqlite3
import stat
import subprocess
import sys
import termios
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import BIN, MULT, Env, check, finish  # noqa: E402

AUTHCTL = os.path.join(BIN, "authctl")
PW_ALICE = "glacier maple lantern"
PW_BOB = "purple otters juggle quietly"
PW_BOB2 = "orchard violin tunnel breeze"
PW_CAROL = "copper falcon winter harbor"

env = Env("authctl")
DB = os.path.join(env.data_dir, "auth.db")


def run(*args, stdin=None, extra_env=None):
    """Runs authctl; returns (exit status, stdout, stderr) as text."""
    e = dict(env.vars)
    if extra_env:
        e.update(extra_env)
    p = subprocess.run([AUTHCTL] + list(args), input=stdin,
                       capture_output=True, env=e, cwd=env.dir,
                       timeout=30 * MULT, text=True)
    return p.returncode, p.stdout, p.stderr


def one_line_reason(err, text):
    """stderr is exactly one line "authctl: ..." containing text."""
    lines = err.splitlines()
    return (len(lines) == 1 and lines[0].startswith("authctl: ")
            and text in lines[0])


def db_bytes():
    """auth.db and its -wal/-shm files, concatenated."""
    out = b""
    for name in sorted(os.listdir(env.data_dir)):
        if name.startswith("auth.db"):
            with open(os.path.join(env.data_dir, name), "rb") as f:
                out += f.read()
    return out


def db_query(sql, args=()):
    con = sqlite3.connect(DB, timeout=5)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


def users_json():
    rc, out, err = run("list", "--json")
    if rc != 0:
        return None
    return {u["name"]: u for u in json.loads(out)}


# ---- help and usage -------------------------------------------------

def test_help():
    for args in (["--help"], ["add", "--help"], ["passwd", "--help"],
                 ["role", "--help"], ["disable", "--help"],
                 ["enable", "--help"], ["delete", "--help"],
                 ["list", "--help"], ["logout", "--help"],
                 ["token", "--help"], ["token", "create", "--help"],
                 ["token", "list", "--help"],
                 ["token", "revoke", "--help"]):
        rc, out, err = run(*args)
        check(rc == 0 and out.startswith("usage:") and "authctl" in out,
              "help: authctl %s exits 0 with usage" % " ".join(args),
              "rc=%d out=%r err=%r" % (rc, out[:80], err))
    check(not os.path.exists(DB), "help creates no auth.db")


def test_usage_errors():
    cases = [
        ([], "no command"),
        (["frobnicate"], "unknown command"),
        (["add", "alice"], "--role is required"),
        (["add", "alice", "--role", "king"], "unknown role"),
        (["add", "--role", "admin"], "missing argument"),
        (["add", "alice", "--role", "admin", "--password", PW_ALICE],
         "unknown option --password"),
        (["add", "alice", "--role", "admin", "--password=" + PW_ALICE],
         "unknown option --password"),
        (["passwd", "alice", "--password", PW_ALICE],
         "unknown option --password"),
        (["role", "alice"], "missing argument"),
        (["role", "alice", "root"], "unknown role"),
        (["disable"], "missing argument"),
        (["delete", "a", "b"], "unexpected argument"),
        (["list", "extra"], "unexpected argument"),
        (["list", "--yaml"], "unknown option --yaml"),
        (["token"], "token needs a command"),
        (["token", "burn"], "unknown token command"),
        (["token", "create", "alice"], "--name is required"),
        (["token", "create", "alice", "--name", "ci", "--expires", "0"],
         "--expires"),
        (["token", "create", "alice", "--name", "ci", "--expires", "x"],
         "--expires"),
        (["token", "create", "alice", "--name", "ci", "--expires",
          "-3"], "--expires"),
        (["token", "revoke", "abc"], "ID is a token id"),
        (["token", "revoke"], "missing argument"),
        (["--bogus", "list"], "unknown option --bogus"),
        (["add", "alice", "--role"], "--role needs a value"),
    ]
    for args, text in cases:
        rc, out, err = run(*args)
        check(rc == 2 and text in err and out == "",
              "usage: authctl %s -> 2 (%s)" % (" ".join(args), text),
              "rc=%d err=%r" % (rc, err))
    # The password reached no file and no process: there is no flag.
    check(not os.path.exists(DB), "usage errors create no auth.db")


def test_missing_dir():
    missing = os.path.join(env.dir, "nodir", "auth.db")
    rc, out, err = run("--db", missing, "list")
    check(rc == 1 and one_line_reason(err, "directory")
          and "nodir" in err, "missing --db directory: clear error",
          "rc=%d err=%r" % (rc, err))
    rc, out, err = run("list", extra_env={
        "TW_DATA_DIR": os.path.join(env.dir, "gone")})
    check(rc == 1 and one_line_reason(err, "gone"),
          "missing TW_DATA_DIR: clear error", "rc=%d err=%r" % (rc, err))
    check(not os.path.exists(os.path.join(env.dir, "nodir")),
          "the directory is not created behind the operator's back")


# ---- users ----------------------------------------------------------

def test_add():
    rc, out, err = run("add", "alice", "--role", "admin",
                       "--password-stdin", stdin=PW_ALICE + "\n")
    check(rc == 0 and err == "" and "alice" in out,
          "add alice --password-stdin", "rc=%d err=%r" % (rc, err))
    st = os.stat(DB)
    check(stat.S_IMODE(st.st_mode) == 0o600,
          "auth.db created with mode 0600 (%o)" % stat.S_IMODE(st.st_mode))
    rows = db_query("SELECT hash FROM users WHERE name = 'alice'")
    check(len(rows) == 1 and rows[0][0].startswith(
        "$argon2id$v=19$m=65536,t=2,p=1$"), "alice's hash is argon2id")
    # No trailing newline on stdin works too.
    rc, out, err = run("add", "Bob", "--role", "viewer", "--must-change",
                       "--password-stdin", stdin=PW_BOB)
    check(rc == 0, "add Bob --must-change, password without newline",
          "rc=%d err=%r" % (rc, err))
    rc, out, err = run("add", "BOB", "--role", "user",
                       "--password-stdin", stdin=PW_CAROL + "\n")
    check(rc == 1 and one_line_reason(err, "exists"),
          "add BOB refused: names are case-insensitive",
          "rc=%d err=%r" % (rc, err))
    rc, out, err = run("add", "bad/name", "--role", "user",
                       "--password-stdin", stdin=PW_CAROL + "\n")
    check(rc == 1 and one_line_reason(err, "user name"),
          "invalid user name refused", "rc=%d err=%r" % (rc, err))


def test_policy_reasons():
    cases = [
        ("short pass 14c", "shorter than 15 characters"),
        ("password1234567", "commonly used"),
        ("dave dave dave dave", "contains the user name"),
        ("my TAPEWATCH river stone", "tapewatch"),
        ("aaaaaaaaaaaaaaaaaaaa", "too easy to guess"),
        ("x" * 1025, "longer than 1024 bytes"),
        ("", "no password on standard input"),
    ]
    for pw, text in cases:
        rc, out, err = run("add", "dave", "--role", "user",
                           "--password-stdin", stdin=pw + "\n")
        check(rc == 1 and one_line_reason(err, text)
              and (pw == "" or pw not in err),
              "policy: %r refused with \"%s\"" % (pw[:20], text),
              "rc=%d err=%r" % (rc, err[:200]))
    rc, out, err = run("add", "dave", "--role", "user", "--password-stdin",
                       stdin="x" * 1024 + "\n")
    check(rc == 1 and "longer" not in err,
          "1024 bytes are read whole (refused for strength, not length)",
          "err=%r" % err[:200])
    check("dave" not in (users_json() or {}), "no refused user was added")


def test_list():
    users = users_json()
    check(users is not None and set(users) == {"alice", "Bob"},
          "list --json has alice and Bob", repr(users))
    if not users:
        return
    a, b = users["alice"], users["Bob"]
    now = time.time() * 1000
    check(a["role"] == "admin" and a["disabled"] is False
          and a["locked"] is False and a["must_change"] is False
          and a["last_login_ms"] == 0 and abs(a["created_ms"] - now) <
          120000 and a["changed_ms"] == a["created_ms"],
          "alice's JSON fields", repr(a))
    check(b["role"] == "viewer" and b["must_change"] is True,
          "Bob: viewer, must change", repr(b))
    check(set(a) == {"name", "role", "disabled", "locked", "must_change",
                     "created_ms", "changed_ms", "last_login_ms"},
          "list --json keys exactly", repr(sorted(a)))
    rc, out, err = run("list")
    lines = out.splitlines()
    ok = rc == 0 and len(lines) == 3 and lines[0].split()[:3] == [
        "NAME", "ROLE", "STATUS"]
    if ok:
        col = lines[0].index("ROLE")
        ok = all(line[col:].split()[0] in ("admin", "viewer")
                 for line in lines[1:])
        col = lines[0].index("STATUS")
        ok = ok and all(line[col:].split()[0] == "enabled"
                        for line in lines[1:])
    check(ok, "list: aligned columns", repr(out))


def test_role():
    rc, out, err = run("role", "bob", "manager")
    check(rc == 0 and users_json()["Bob"]["role"] == "manager",
          "role bob manager", "rc=%d err=%r" % (rc, err))
    rc, out, err = run("role", "alice", "user")
    check(rc == 1 and one_line_reason(err, "last enabled admin")
          and users_json()["alice"]["role"] == "admin",
          "demoting the last admin refused", "rc=%d err=%r" % (rc, err))
    rc, out, err = run("role", "nobody", "user")
    check(rc == 1 and one_line_reason(err, "no such user"),
          "role of an unknown user", "rc=%d err=%r" % (rc, err))


def test_passwd():
    before = db_query("SELECT hash FROM users WHERE name = 'Bob'")[0][0]
    rc, out, err = run("passwd", "bob", "--password-stdin",
                       stdin="tiny\n")
    check(rc == 1 and one_line_reason(err, "shorter than 15"),
          "passwd: policy reason", "rc=%d err=%r" % (rc, err))
    rc, out, err = run("passwd", "bob", "--password-stdin",
                       stdin=PW_BOB2 + "\r\n")
    after = db_query("SELECT hash FROM users WHERE name = 'Bob'")[0][0]
    check(rc == 0 and after != before
          and users_json()["Bob"]["must_change"] is False,
          "passwd bob: new hash, must_change cleared",
          "rc=%d err=%r" % (rc, err))
    rc, out, err = run("passwd", "nobody", "--password-stdin",
                       stdin=PW_BOB2 + "\n")
    check(rc == 1 and one_line_reason(err, "no such user"),
          "passwd of an unknown user", "rc=%d err=%r" % (rc, err))


def test_disable_enable():
    rc, out, err = run("disable", "bob")
    check(rc == 0 and users_json()["Bob"]["disabled"] is True,
          "disable bob", "rc=%d err=%r" % (rc, err))
    rc, out, err = run("list")
    check(any(line.startswith("Bob") and "disabled" in line
              for line in out.splitlines()), "list shows disabled")
    rc, out, err = run("disable", "alice")
    check(rc == 1 and one_line_reason(err, "last enabled admin"),
          "disabling the last admin refused", "rc=%d err=%r" % (rc, err))
    con = sqlite3.connect(DB)
    con.execute("UPDATE users SET locked = 1 WHERE name = 'Bob'")
    con.commit()
    con.close()
    check(users_json()["Bob"]["locked"] is True, "bob locked (seeded)")
    rc, out, err = run("enable", "BOB")
    u = users_json()["Bob"]
    check(rc == 0 and u["disabled"] is False and u["locked"] is False,
          "enable unlocks too", "rc=%d err=%r %r" % (rc, err, u))
    rc, out, err = run("enable", "nobody")
    check(rc == 1 and one_line_reason(err, "no such user"),
          "enable an unknown user", "rc=%d err=%r" % (rc, err))


def test_logout():
    uid = db_query("SELECT id FROM users WHERE name = 'Bob'")[0][0]
    con = sqlite3.connect(DB)
    for i in range(2):
        con.execute("INSERT INTO sessions (token_hash, user_id, created_ms,"
                    " last_seen_ms, csrf) VALUES (?, ?, 1, 1, 'x')",
                    (os.urandom(32), uid))
    con.commit()
    con.close()
    rc, out, err = run("logout", "bob")
    left = db_query("SELECT COUNT(*) FROM sessions")[0][0]
    check(rc == 0 and "2 sessions" in out and left == 0,
          "logout ends bob's 2 sessions", "rc=%d out=%r" % (rc, out))
    rc, out, err = run("logout", "nobody")
    check(rc == 1 and one_line_reason(err, "no such user"),
          "logout an unknown user", "rc=%d err=%r" % (rc, err))


# ---- tokens ---------------------------------------------------------

TOKEN_RE = re.compile(r"twk_[A-Za-z0-9_-]{43}_[A-Za-z0-9_-]{6}\n\Z")


def test_tokens():
    rc, out, err = run("token", "create", "bob", "--name", "ci",
                       "--expires", "30")
    check(rc == 0 and TOKEN_RE.match(out) is not None and err == "",
          "token create prints the token alone on stdout",
          "rc=%d out=%r err=%r" % (rc, out, err))
    token = out.strip()
    blob = db_bytes()
    check(token.encode() not in blob and token[4:47].encode() not in blob,
          "the token is not in auth.db")
    digest = hashlib.blake2b(token.encode(), digest_size=32).digest()
    rows = db_query("SELECT id, name, created_ms, expires_ms, revoked FROM"
                    " api_tokens WHERE token_hash = ?", (digest,))
    check(len(rows) == 1 and rows[0][1] == "ci"
          and rows[0][3] - rows[0][2] == 30 * 86400000
          and rows[0][4] == 0,
          "auth.db holds BLAKE2b-256 of the token, expiry 30 days",
          repr(rows))
    tid = rows[0][0] if rows else -1
    rc, out2, err = run("token", "create", "alice", "--name", "backup")
    check(rc == 0 and TOKEN_RE.match(out2) and out2 != out,
          "a second token (no expiry) differs")
    rc, out, err = run("token", "list", "--json")
    toks = json.loads(out) if rc == 0 else []
    check(len(toks) == 2 and token not in out and out2.strip() not in out,
          "token list --json: 2 tokens, no token text", out)
    mine = [t for t in toks if t["id"] == tid]
    check(len(mine) == 1 and mine[0]["user"] == "Bob"
          and mine[0]["name"] == "ci" and mine[0]["revoked"] is False
          and mine[0]["status"] == "active"
          and mine[0]["last_used_ms"] == 0,
          "token list --json fields", repr(mine))
    rc, out, err = run("token", "list", "BOB", "--json")
    check(rc == 0 and [t["id"] for t in json.loads(out)] == [tid],
          "token list USER lists only theirs", out)
    rc, out, err = run("token", "list")
    check(rc == 0 and out.splitlines()[0].split()[:3] ==
          ["ID", "USER", "NAME"] and len(out.splitlines()) == 3,
          "token list: human table", out)
    rc, out, err = run("token", "revoke", str(tid))
    rows = db_query("SELECT revoked FROM api_tokens WHERE id = ?", (tid,))
    check(rc == 0 and rows == [(1,)], "token revoke sets revoked",
          "rc=%d err=%r" % (rc, err))
    rc, out, err = run("token", "list", "bob", "--json")
    check(json.loads(out)[0]["status"] == "revoked",
          "token list shows revoked")
    rc, out, err = run("token", "revoke", "999")
    check(rc == 1 and one_line_reason(err, "no token with id 999"),
          "revoking an unknown id", "rc=%d err=%r" % (rc, err))
    rc, out, err = run("token", "create", "nobody", "--name", "x")
    check(rc == 1 and out == "" and one_line_reason(err, "no such user"),
          "token for an unknown user", "rc=%d err=%r" % (rc, err))
    rc, out, err = run("token", "list", "nobody")
    check(rc == 1 and one_line_reason(err, "no such user"),
          "token list of an unknown user", "rc=%d err=%r" % (rc, err))


def test_delete():
    rc, out, err = run("delete", "alice")
    check(rc == 1 and one_line_reason(err, "last enabled admin"),
          "deleting the last admin refused", "rc=%d err=%r" % (rc, err))
    rc, out, err = run("delete", "bob")
    check(rc == 0 and "Bob" not in users_json(), "delete bob",
          "rc=%d err=%r" % (rc, err))
    check(db_query("SELECT COUNT(*) FROM api_tokens t WHERE NOT EXISTS"
                   " (SELECT 1 FROM users u WHERE u.id = t.user_id)")
          == [(0,)], "bob's tokens went with him")
    rc, out, err = run("delete", "bob")
    check(rc == 1 and one_line_reason(err, "no such user"),
          "delete twice", "rc=%d err=%r" % (rc, err))


# ---- the terminal ---------------------------------------------------

def pty_run(args, answers):
    """Runs authctl on a new pseudo-terminal; for each (prompt, reply)
    waits for prompt and types reply. Returns (status, output, echo_on
    after exit)."""
    pid, fd = pty.fork()
    if pid == 0:
        os.chdir(env.dir)
        os.execve(AUTHCTL, [AUTHCTL] + args, env.vars)
    out = b""
    deadline = time.monotonic() + 20 * MULT

    def read_until(pred):
        nonlocal out
        while not pred() and time.monotonic() < deadline:
            r, _, _ = select.select([fd], [], [], 0.2)
            if r:
                try:
                    data = os.read(fd, 4096)
                except OSError:
                    return
                if not data:
                    return
                out += data
    for prompt, reply in answers:
        read_until(lambda: prompt.encode() in out)
        # The prompt is written once echo is off: typing now is safe.
        os.write(fd, reply.encode() + b"\n")
        out_len = len(out)
        read_until(lambda: len(out) > out_len)
    read_until(lambda: False)
    _, status = os.waitpid(pid, 0)
    try:
        echo_on = bool(termios.tcgetattr(fd)[3] & termios.ECHO)
    except termios.error:
        echo_on = None
    os.close(fd)
    return os.waitstatus_to_exitcode(status), out.decode("utf-8",
                                                          "replace"), echo_on


def test_terminal():
    rc, out, echo_on = pty_run(["add", "carol", "--role", "user"], [
        ("Password for carol: ", PW_CAROL),
        ("Retype the password: ", PW_CAROL)])
    check(rc == 0 and "carol" in (users_json() or {}),
          "add on a terminal: asked twice, added", "rc=%d out=%r" % (rc, out))
    check("Password for carol: " in out and "Retype the password: " in out
          and PW_CAROL not in out, "the password is not echoed", repr(out))
    check(echo_on is not False, "echo is back on afterwards")
    rc, out, echo_on = pty_run(["passwd", "carol"], [
        ("New password for carol: ", PW_BOB),
        ("Retype the password: ", PW_BOB2)])
    check(rc == 1 and "do not match" in out and PW_BOB not in out,
          "mismatched passwords refused", "rc=%d out=%r" % (rc, out))
    rc, out, echo_on = pty_run(["add", "erin", "--role", "user"], [
        ("Password for erin: ", "too short"),
        ("Retype the password: ", "too short")])
    check(rc == 1 and "shorter than 15" in out and "too short" not in out,
          "policy reason on the terminal path", "rc=%d out=%r" % (rc, out))


# ---- audit and secrets ----------------------------------------------

def test_audit_and_secrets():
    rows = db_query("SELECT event, user, outcome, actor FROM audit")
    events = {r[0] for r in rows if r[3] == "authctl" and r[2] == "ok"}
    want = {"user.add", "user.role", "user.passwd", "user.disable",
            "user.enable", "user.logout", "user.delete", "token.create",
            "token.revoke"}
    check(want <= events, "every change audited with actor authctl",
          "missing %s" % sorted(want - events))
    blob = db_bytes()
    for pw in (PW_ALICE, PW_BOB, PW_BOB2, PW_CAROL):
        check(pw.encode() not in blob, "no password %r in auth.db" % pw)


def test_env_and_flag_forms():
    other = os.path.join(env.data_dir, "other.db")
    rc, out, err = run("list", "--json", extra_env={"TW_AUTH_DB": other})
    check(rc == 0 and json.loads(out) == [] and os.path.exists(other),
          "TW_AUTH_DB picks the database", "rc=%d err=%r" % (rc, err))
    rc, out, err = run("--db=" + other, "list", "--json")
    check(rc == 0 and json.loads(out) == [], "--db=PATH form")


test_help()
test_usage_errors()
test_missing_dir()
test_add()
test_policy_reasons()
test_list()
test_role()
test_passwd()
test_disable_enable()
test_logout()
test_tokens()
test_delete()
test_terminal()
test_audit_and_secrets()
test_env_and_flag_forms()
finish()
