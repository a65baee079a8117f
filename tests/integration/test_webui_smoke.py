"""webui serves: on a fresh data directory it makes its self-signed
certificate (key 0600), a user made with authctl logs in over HTTPS, the
session cookie reaches /api/me, /healthz answers, a 404 carries the
security headers, and SIGTERM ends it cleanly. The full HTTP matrix is in
test_webui_api.py, test_webui_auth.py and test_webui_security.py.
"""

import http.client
import json
import os
import ssl
import stat
import subprocess
import time

import harness as h

env = h.Env("webui-smoke")
port = h.free_port()
origin = "https://127.0.0.1:%d" % port
www = env.path("www")
os.makedirs(www)
with open(os.path.join(www, "index.html"), "w") as f:
    f.write("<!doctype html><title>smoke</title>\n")

# market.db as the store makes it: /healthz needs it readable.
market = os.path.join(env.data_dir, "market.db")
store = env.start("store", ["store", "--db", market, "--publish",
                            "ipc://%s/store-smoke.ipc" % env.run_dir])
h.wait_for(lambda: "opened" in store.log_text(), 10)
store.stop()

password = "Smoke-test-Pass-phrase-%d" % os.getpid()
p = subprocess.run([os.path.join(h.BIN, "authctl"), "--db",
                    os.path.join(env.data_dir, "auth.db"), "add", "sam",
                    "--role", "admin", "--password-stdin"],
                   input=(password + "\n").encode(), env=env.vars,
                   stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                   timeout=30 * h.MULT)
h.check(p.returncode == 0, "smoke: authctl adds an admin",
        p.stderr.decode(errors="replace"))

env.vars.update({"TW_WEB_LISTEN": "127.0.0.1:%d" % port,
                 "TW_WEB_ROOT": www})
web = env.start("webui", ["webui"])


def request(method, path, body=None, headers=None):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    c = http.client.HTTPSConnection("127.0.0.1", port, timeout=10 * h.MULT,
                                    context=ctx)
    try:
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        c.close()


def serving():
    try:
        return request("GET", "/healthz")[0] == 200
    except (OSError, http.client.HTTPException):
        return False


up = h.wait_for(lambda: not web.alive() or serving(), 20)
h.check(up and web.alive(), "smoke: webui serves https and /healthz is 200",
        web.log_text()[-1500:])

key = os.path.join(env.data_dir, "tls", "key.pem")
cert = os.path.join(env.data_dir, "tls", "cert.pem")
h.check(os.path.exists(cert) and os.path.exists(key) and
        stat.S_IMODE(os.stat(key).st_mode) == 0o600,
        "smoke: a self-signed certificate was made, its key 0600")
h.check("sha256=" in web.log_text(),
        "smoke: the certificate's fingerprint is logged")

status, hdrs, body = request(
    "POST", "/api/login",
    json.dumps({"username": "sam", "password": password}),
    {"Content-Type": "application/json"})
cookie = hdrs.get("set-cookie", "")
session = json.loads(body) if status == 200 else {}
h.check(status == 200 and session.get("user") == "sam" and
        session.get("role") == "admin" and session.get("csrf"),
        "smoke: login 200 with user, role and csrf", "%d %r" % (status, body))
h.check(cookie.startswith("__Host-tw_session=") and "Secure" in cookie and
        "HttpOnly" in cookie and "SameSite=Strict" in cookie and
        "Path=/" in cookie and "Domain" not in cookie,
        "smoke: the session cookie is __Host-, Secure, HttpOnly, Strict",
        cookie)

jar = cookie.split(";")[0]
status, hdrs, body = request("GET", "/api/me", headers={"Cookie": jar})
me = json.loads(body) if status == 200 else {}
h.check(status == 200 and me.get("user") == "sam" and
        me.get("csrf") == session.get("csrf") and
        hdrs.get("cache-control") == "no-store",
        "smoke: /api/me with the cookie", "%d %r" % (status, body))

status, hdrs, body = request("GET", "/api/me")
h.check(status == 401, "smoke: /api/me without the cookie is 401")

status, hdrs, body = request("GET", "/api/no-such-route")
want = {
    "content-security-policy": "default-src 'none'",
    "strict-transport-security": "max-age=63072000; includeSubDomains",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
    "x-frame-options": "DENY",
}
missing = [k for k, v in want.items() if v not in hdrs.get(k, "")]
h.check(status == 404 and json.loads(body) == {"error": "not found"} and
        not missing and "server" not in hdrs,
        "smoke: a 404 is JSON and carries every security header, no Server",
        "%d missing=%s" % (status, missing))

status, hdrs, body = request("GET", "/")
h.check(status == 200 and b"<title>smoke</title>" in body and
        hdrs.get("content-type") == "text/html; charset=utf-8" and
        "frame-ancestors 'none'" in hdrs.get("content-security-policy", ""),
        "smoke: / is index.html with the headers")

t = web.stop()
h.check(t is not None and t < 2.5 * h.MULT and web.p.returncode == 0,
        "smoke: SIGTERM ends webui with 0 within 2 s", "t=%s rc=%s" % (
            t, web.p.returncode))
h.finish()
