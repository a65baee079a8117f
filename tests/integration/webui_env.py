"""Shared helpers of the webui HTTP tests (test_webui_*.py).

WebUI starts build/bin/webui on a free port with a private TW_DATA_DIR
(market.db created by the real store, so the schema is the real one), a
private TW_RUN_DIR and a small static web root of our own, and creates
users and API tokens with build/bin/authctl. Client is an HTTPS client on
http.client + ssl (unverified context: webui's certificate is self-signed)
with a cookie jar, the CSRF token of its session, an optional Bearer token
and an optional source address (Linux routes all of 127/8 to lo, so each
127.x.y.z is a distinct client address for webui's throttles). raw() sends
bytes over a TLS socket for requests http.client cannot make.

Expectations in the tests come from the specs (DESIGN.md's HTTP API table,
common/auth.h, helper-B's webui spec), never from webui's code.
"""

import base64
import http.client
import json
import os
import secrets
import signal
import socket
import sqlite3
import ssl
import subprocess
import time
import warnings

import harness as h

warnings.filterwarnings("ignore", category=DeprecationWarning)

ROLES = ("viewer", "user", "manager", "admin")
COOKIE_PREFIX = "__Host-"
STATE_CHANGING = ("POST", "PUT", "PATCH", "DELETE")

# The static web root every test instance serves (TW_WEB_ROOT).
STATIC_FILES = {
    "index.html": b"<!doctype html><html><head><title>tw test</title>"
                  b"<script src=\"/app.js\"></script></head>"
                  b"<body>tapewatch test page</body></html>\n",
    "app.js": b"console.log('tw test app');\n",
    "style.css": b"body { color: #ddd; }\n",
    "sub/inner.txt": b"inner file\n",
}


def strong_password():
    """A random password the policy accepts (27 chars, ~144 bits)."""
    return "Qz-" + secrets.token_urlsafe(18)


def unverified_context(**kw):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    for k, v in kw.items():
        setattr(ctx, k, v)
    return ctx


class Resp:
    """One HTTP response: status, headers (list of pairs, in order), body."""

    def __init__(self, status, reason, headers, body):
        self.status = status
        self.reason = reason
        self.headers = headers
        self.body = body
        self.elapsed = 0.0

    def header(self, name, default=None):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return default

    def headers_all(self, name):
        return [v for k, v in self.headers if k.lower() == name.lower()]

    def json(self):
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    def error(self):
        """The "error" string of a JSON error body, or ""."""
        j = self.json()
        return j.get("error", "") if isinstance(j, dict) else ""

    def __repr__(self):
        b = self.body[:160]
        return "%s %r" % (self.status, b)


def parse_set_cookie(value):
    """'n=v; A; B=c' -> (name, value, {attr_lower: value or True})."""
    parts = [p.strip() for p in value.split(";")]
    name, _, val = parts[0].partition("=")
    attrs = {}
    for p in parts[1:]:
        if not p:
            continue
        k, eq, v = p.partition("=")
        attrs[k.strip().lower()] = v.strip() if eq else True
    return name.strip(), val.strip(), attrs


def cookie_expired(attrs):
    if "max-age" in attrs:
        try:
            return int(attrs["max-age"]) <= 0
        except ValueError:
            return False
    if "expires" in attrs:
        try:
            from email.utils import parsedate_to_datetime
            return parsedate_to_datetime(attrs["expires"]).timestamp() \
                <= time.time()
        except (TypeError, ValueError):
            return False
    return False


def rows_of(obj, key):
    """A list answer, or the list under key (e.g. {"bars": [...]})."""
    if isinstance(obj, list):
        return obj
    if isinstance(obj, dict) and isinstance(obj.get(key), list):
        return obj[key]
    return None


class Client:
    """An HTTPS client of one webui: cookie jar, CSRF token, Bearer."""

    def __init__(self, ui, source=None, bearer=None):
        self.ui = ui
        self.source = source
        self.bearer = bearer
        self.cookies = {}
        self.csrf = None
        self.last_login = None

    def cookie_header(self):
        return "; ".join("%s=%s" % kv for kv in self.cookies.items())

    def session_cookie(self):
        for k, v in self.cookies.items():
            if k.startswith(COOKIE_PREFIX):
                return v
        return None

    def request(self, method, path, body=None, json_body=None, headers=None,
                csrf=True, origin=True, cookies=True, content_type=None,
                timeout=15):
        """Sends one request on a new connection. csrf / origin: True adds
        the session's token / our own origin to cookie-authenticated
        state-changing requests, a string sends that value, None or False
        sends nothing. Set-Cookie answers update the jar."""
        hdrs = {}
        if isinstance(json_body, dict):
            for k in ("password", "current", "new"):
                h.register_secret(json_body.get(k), "password")
        if json_body is not None:
            body = json.dumps(json_body).encode()
            hdrs["Content-Type"] = "application/json"
        if content_type is not None:
            hdrs["Content-Type"] = content_type
        if cookies and self.cookies:
            hdrs["Cookie"] = self.cookie_header()
        if self.bearer:
            hdrs["Authorization"] = "Bearer " + self.bearer
        cookie_auth = cookies and self.cookies and not self.bearer
        if method in STATE_CHANGING and cookie_auth:
            if csrf is True and self.csrf:
                hdrs["X-CSRF-Token"] = self.csrf
            if origin is True:
                hdrs["Origin"] = self.ui.origin
        if isinstance(csrf, str):
            hdrs["X-CSRF-Token"] = csrf
        if isinstance(origin, str):
            hdrs["Origin"] = origin
        for k, v in (headers or {}).items():
            if v is None:
                hdrs.pop(k, None)
            else:
                hdrs[k] = v
        conn = http.client.HTTPSConnection(
            "127.0.0.1", self.ui.port, timeout=timeout * h.MULT,
            context=unverified_context(),
            source_address=(self.source, 0) if self.source else None)
        t0 = time.monotonic()
        try:
            try:
                conn.request(method, path, body=body, headers=hdrs)
            except (ssl.SSLError, ConnectionError):
                # The server may answer (413) and close before it read
                # all we send: its answer is still there to read.
                if body is None or len(body) < 65536:
                    raise
            r = conn.getresponse()
            data = r.read()
            resp = Resp(r.status, r.reason, r.getheaders(), data)
        except (OSError, http.client.HTTPException) as e:
            # No answer: status 0, so the check that sees it fails with
            # the reason instead of the whole test stopping.
            resp = Resp(0, "%s: %s" % (type(e).__name__, e), [],
                        ("no answer: %s: %s" % (type(e).__name__,
                                                e)).encode())
        finally:
            conn.close()
        resp.elapsed = time.monotonic() - t0
        for v in resp.headers_all("Set-Cookie"):
            name, val, attrs = parse_set_cookie(v)
            h.register_secret(val, "session cookie")
            if not val or cookie_expired(attrs):
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = val
        return resp

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, json_body=None, **kw):
        if json_body is None and "body" not in kw:
            json_body = {}
        return self.request("POST", path, json_body=json_body, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    def login(self, name, password, **kw):
        r = self.request("POST", "/api/login",
                         json_body={"username": name, "password": password},
                         **kw)
        self.ui.login_attempts += 1
        self.last_login = r
        if r.status == 200:
            j = r.json() or {}
            self.csrf = j.get("csrf")
            h.register_secret(self.csrf, "csrf token")
        return r

    def me(self):
        """GET /api/me; its csrf refreshes ours."""
        r = self.get("/api/me")
        if r.status == 200 and isinstance(r.json(), dict) and \
                r.json().get("csrf"):
            self.csrf = r.json()["csrf"]
        return r


class WebUI:
    """One webui process on its own Env (data dir, run dir, port)."""

    def __init__(self, name, extra_env=None, args=(), market=True,
                 start=True):
        self.env = h.Env(name)
        self.port = h.free_port()
        self.origin = "https://127.0.0.1:%d" % self.port
        self.web_root = self.env.path("www")
        for rel, data in STATIC_FILES.items():
            p = os.path.join(self.web_root, rel)
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with open(p, "wb") as f:
                f.write(data)
        self.auth_db = os.path.join(self.env.data_dir, "auth.db")
        self.market_db = os.path.join(self.env.data_dir, "market.db")
        self.env.vars.update({
            "TW_WEB_LISTEN": "127.0.0.1:%d" % self.port,
            "TW_WEB_ROOT": self.web_root,
            "TW_LOG_LEVEL": "debug",
        })
        self.env.vars.update(extra_env or {})
        self.args = list(args)
        self.proc = None
        self.login_attempts = 0
        self.passwords = set()	# every password we sent anywhere
        if market:
            self.create_market_db()
        if start:
            self.start()

    # -- processes --------------------------------------------------------

    def start(self, wait=True):
        self.proc = self.env.start("webui", ["webui"] + self.args)
        if wait and not self.wait_serving():
            raise RuntimeError("webui does not serve on %d; log:\n%s" % (
                self.port, self.proc.log_text()[-3000:]))
        return self.proc

    def serving(self):
        try:
            r = Client(self).get("/healthz", timeout=10)
            return r.status > 0
        except (OSError, http.client.HTTPException):
            return False

    def wait_serving(self, timeout=15):
        return h.wait_for(lambda: not self.proc.alive() or self.serving(),
                          timeout, 0.1) and self.proc.alive()

    def stop(self, sig=signal.SIGTERM):
        """Stops webui; (seconds it took or None, exit status)."""
        t = self.proc.stop(sig)
        return t, self.proc.p.returncode

    def log_text(self):
        return self.proc.log_text() if self.proc else ""

    def close(self):
        self.env.close()

    # -- market.db --------------------------------------------------------

    def create_market_db(self):
        """Lets the real store create and migrate market.db, then stops
        it: the tests insert rows into the store's own schema."""
        p = self.env.start("store-init", [
            "store", "--db", self.market_db, "--run-dir", self.env.run_dir,
            "--publish", "ipc://%s/store-init.ipc" % self.env.run_dir])

        def ready():
            try:
                c = sqlite3.connect("file:%s?mode=ro" % self.market_db,
                                    uri=True, timeout=1)
                try:
                    v = c.execute("PRAGMA user_version").fetchone()[0]
                    n = c.execute("SELECT count(*) FROM sqlite_master "
                                  "WHERE name='bars'").fetchone()[0]
                    return v >= 1 and n == 1
                finally:
                    c.close()
            except sqlite3.Error:
                return False
        ok = h.wait_for(ready, 10)
        p.stop()
        if not ok:
            raise RuntimeError("store did not create market.db: " +
                               p.log_text()[-2000:])

    def market(self):
        c = sqlite3.connect(self.market_db, timeout=10)
        c.row_factory = sqlite3.Row
        return c

    def columns(self, table):
        with self.market() as c:
            return [r[1] for r in c.execute("PRAGMA table_info(%s)" % table)]

    def insert(self, table, rows):
        """Inserts dicts (column -> value) into a market.db table."""
        with self.market() as c:
            for row in rows:
                cols = list(row)
                c.execute("INSERT OR REPLACE INTO %s (%s) VALUES (%s)" % (
                    table, ",".join(cols), ",".join("?" * len(cols))),
                    [row[k] for k in cols])

    def query(self, sql, args=()):
        with self.market() as c:
            return [dict(r) for r in c.execute(sql, args)]

    # -- authctl ----------------------------------------------------------

    def authctl(self, *args, stdin=None):
        p = subprocess.run(
            [os.path.join(h.BIN, "authctl"), "--db", self.auth_db] +
            list(args), input=stdin.encode() if stdin is not None else None,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env=self.env.vars, timeout=30 * h.MULT,
            stdin=subprocess.DEVNULL if stdin is None else None)
        return p

    def add_user(self, name, role, password=None, must_change=False):
        if not password:
            password = strong_password()
            # A random one may hold a short name ("dd"): policy refusal.
            while name.lower() in password.lower():
                password = strong_password()
        self.passwords.add(password)
        h.register_secret(password, "password")
        args = ["add", name, "--role", role, "--password-stdin"]
        if must_change:
            args.append("--must-change")
        p = self.authctl(*args, stdin=password + "\n")
        if p.returncode != 0:
            raise RuntimeError("authctl add %s: %s" % (
                name, p.stderr.decode(errors="replace")))
        return password

    def set_password(self, name, password):
        self.passwords.add(password)
        h.register_secret(password, "password")
        return self.authctl("passwd", name, "--password-stdin",
                            stdin=password + "\n")

    def token(self, user, name="test", days=None):
        args = ["token", "create", user, "--name", name]
        if days is not None:
            args += ["--expires", str(days)]
        p = self.authctl(*args)
        if p.returncode != 0:
            raise RuntimeError("authctl token create: %s" %
                               p.stderr.decode(errors="replace"))
        h.register_secret(p.stdout, "api token")
        return p.stdout.decode().strip()

    def token_list(self, user=None):
        p = self.authctl(*(["token", "list"] + ([user] if user else []) +
                           ["--json"]))
        return json.loads(p.stdout) if p.returncode == 0 else None

    def user_list(self):
        p = self.authctl("list", "--json")
        return json.loads(p.stdout) if p.returncode == 0 else None

    def user_info(self, name):
        for u in self.user_list() or []:
            if u.get("name", "").lower() == name.lower():
                return u
        return None

    def auth_bytes(self):
        """auth.db and its WAL, as bytes (to grep for secrets)."""
        out = b""
        for suffix in ("", "-wal", "-journal"):
            try:
                with open(self.auth_db + suffix, "rb") as f:
                    out += f.read()
            except OSError:
                pass
        return out

    def audit_rows(self):
        """auth.db's audit table as dicts (column names as they are)."""
        c = sqlite3.connect("file:%s?mode=ro" % self.auth_db, uri=True,
                            timeout=10)
        c.row_factory = sqlite3.Row
        try:
            return [dict(r) for r in c.execute("SELECT * FROM audit")]
        finally:
            c.close()

    # -- clients ----------------------------------------------------------

    def client(self, source=None, bearer=None):
        return Client(self, source=source, bearer=bearer)

    def login(self, name, password, source=None):
        """A logged-in Client, or raises with webui's answer."""
        c = self.client(source)
        r = c.login(name, password)
        if r.status != 200:
            raise RuntimeError("login %s: %r" % (name, r))
        return c

    def raw(self, data, source=None, timeout=5, ctx=None, chunks=None):
        """Sends bytes (then the byte strings in chunks, ignoring errors
        once the server closed) on a new TLS connection and reads the
        answer. (Resp or None when nothing parsable came, raw bytes)."""
        try:
            s = socket.create_connection(("127.0.0.1", self.port),
                                         timeout * h.MULT,
                                         source_address=(source, 0)
                                         if source else None)
            ts = (ctx or unverified_context()).wrap_socket(s)
        except OSError as e:
            return None, ("no connection: %s" % e).encode()
        buf = b""
        try:
            try:
                ts.sendall(data)
                for c in chunks or ():
                    ts.sendall(c)
            except OSError:
                pass
            buf = read_http(ts, timeout)
        finally:
            try:
                ts.close()
            except OSError:
                pass
        return parse_http(buf), buf

    def ws_upgrade(self, cookie=None, origin=True, protocol="live",
                   path="/live", extra=None):
        """The status of a WebSocket upgrade of /live (101 = accepted)."""
        key = base64.b64encode(os.urandom(16)).decode()
        lines = ["GET %s HTTP/1.1" % path,
                 "Host: 127.0.0.1:%d" % self.port,
                 "Upgrade: websocket", "Connection: Upgrade",
                 "Sec-WebSocket-Key: " + key,
                 "Sec-WebSocket-Version: 13"]
        if protocol:
            lines.append("Sec-WebSocket-Protocol: " + protocol)
        if origin is True:
            lines.append("Origin: " + self.origin)
        elif origin:
            lines.append("Origin: " + origin)
        if cookie:
            lines.append("Cookie: " + cookie)
        for k, v in (extra or {}).items():
            lines.append("%s: %s" % (k, v))
        resp, _ = self._raw_head(("\r\n".join(lines) + "\r\n\r\n").encode())
        return resp

    def _raw_head(self, data, timeout=5):
        """Sends data and reads only up to the end of the response head
        (an accepted upgrade never closes by itself)."""
        try:
            s = socket.create_connection(("127.0.0.1", self.port),
                                         timeout * h.MULT)
            ts = unverified_context().wrap_socket(s)
        except OSError:
            return None, b""
        buf = b""
        try:
            ts.sendall(data)
            end = time.monotonic() + timeout * h.MULT
            while b"\r\n\r\n" not in buf and time.monotonic() < end:
                try:
                    d = ts.recv(65536)
                except (socket.timeout, OSError):
                    break
                if not d:
                    break
                buf += d
        finally:
            try:
                ts.close()
            except OSError:
                pass
        head = buf.split(b"\r\n\r\n", 1)[0]
        return parse_http(head + b"\r\n\r\n", head_only=True), buf


def read_http(ts, timeout):
    """Reads one HTTP response (or until EOF/timeout) from a socket."""
    buf = b""
    end = time.monotonic() + timeout * h.MULT
    while time.monotonic() < end:
        if b"\r\n\r\n" in buf:
            head, body = buf.split(b"\r\n\r\n", 1)
            r = parse_http(head + b"\r\n\r\n", head_only=True)
            if r is not None:
                cl = r.header("Content-Length")
                if cl is not None and cl.isdigit() and \
                        len(body) >= int(cl):
                    return buf
                te = (r.header("Transfer-Encoding") or "").lower()
                if "chunked" in te and body.endswith(b"0\r\n\r\n"):
                    return buf
        try:
            d = ts.recv(65536)
        except (socket.timeout, ssl.SSLError, OSError):
            break
        if not d:
            break
        buf += d
    return buf


def parse_http(buf, head_only=False):
    """Parses a response; None when no status line is there."""
    if not buf.startswith(b"HTTP/") or b"\r\n\r\n" not in buf:
        return None
    head, body = buf.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    try:
        status = int(parts[1])
    except (IndexError, ValueError):
        return None
    headers = []
    for l in lines[1:]:
        k, _, v = l.partition(":")
        headers.append((k.strip(), v.strip()))
    r = Resp(status, parts[2] if len(parts) > 2 else "", headers, b"")
    if head_only:
        return r
    te = (r.header("Transfer-Encoding") or "").lower()
    if "chunked" in te:
        out = b""
        while body:
            size_line, _, rest = body.partition(b"\r\n")
            try:
                n = int(size_line.split(b";")[0], 16)
            except ValueError:
                break
            if n == 0:
                break
            out += rest[:n]
            body = rest[n + 2:]
        r.body = out
    else:
        cl = r.header("Content-Length")
        r.body = body[:int(cl)] if cl and cl.isdigit() else body
    return r


def csp_directives(value):
    """'a b; c d' -> {"a": ["b"], "c": ["d"]}."""
    out = {}
    for part in (value or "").split(";"):
        words = part.split()
        if words:
            out[words[0].lower()] = words[1:]
    return out


def close_enough(a, b, rel=1e-12):
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    try:
        fa, fb = float(a), float(b)
    except (TypeError, ValueError):
        return a == b
    return fa == fb or abs(fa - fb) <= rel * max(abs(fa), abs(fb))


def median(xs):
    xs = sorted(xs)
    n = len(xs)
    return (xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2) \
        if n else 0.0


vm_rss_kib = h.vm_rss_kib


BAR_CORE = ("interval_s", "start_ms", "open", "high", "low", "close",
            "volume", "vwap", "trades", "buy_volume", "sell_volume",
            "buy_trades", "sell_trades", "quotes", "spread_mean",
            "spread_min", "spread_max")


def make_bars(symbol, interval_s, start_ms, n, first=0, source="demo",
              asset_class="stock"):
    """n bars with distinct, exactly representable values per field."""
    out = []
    for i in range(first, first + n):
        s = start_ms + i * interval_s * 1000
        o = 100 + i * 0.25 + 0.125
        out.append(dict(
            symbol=symbol, interval_s=interval_s, start_ms=s,
            open=o, high=o + 1.5, low=o - 0.75, close=o + 0.5,
            volume=1000 + i * 3.5, vwap=o + 0.3125, trades=10 + i,
            buy_volume=600 + i, sell_volume=400 + i * 2.5,
            buy_trades=6 + i, sell_trades=4, quotes=50 + i,
            spread_mean=0.01 + i / 1024, spread_min=0.005,
            spread_max=0.0625, spread_bps=0.5 + i / 64,
            delta_min=-10.5 - i, delta_max=20.25 + i, n_declared=0,
            n_inferred=10 + i, n_unknown=0, n_compared=0, n_agree=0,
            n_unknown_conditions=0, gap=1 if i % 4 == 3 else 0, late=0,
            revision=0, flags=1 if i % 4 == 3 else 0, source=source,
            asset_class=asset_class, first_ts_ns=s * 10 ** 6 + 17,
            last_ts_ns=s * 10 ** 6 + interval_s * 10 ** 9 - 1,
            updated_ms=s + interval_s * 1000 + 5))
    return out
