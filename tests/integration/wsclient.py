"""A WebSocket client (RFC 6455) on Python's stdlib, for the /live tests
and tools: ssl + socket, the HTTP/1.1 upgrade and the framing, no more.

    ws = WSClient(port, cookie="__Host-tw_session=...",
                  origin="https://127.0.0.1:%d" % port)
    ws.connect()               # True on 101; else ws.status, ws.head
    ws.send_json({"op": "watch", "symbols": ["AAPL"], "intervals": [1]})
    msg = ws.recv_json(5)      # a dict, or None on timeout / close
    ws.close()

Pings from the server are answered; a close frame from the server is
answered and recorded in close_code / close_reason (1006 when the
connection ended without one). Client frames are masked, as the RFC
requires. Text messages may come fragmented; recv() joins them.
"""

import base64
import hashlib
import json
import os
import select
import socket
import ssl
import struct
import time

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

OP_CONT, OP_TEXT, OP_BINARY = 0x0, 0x1, 0x2
OP_CLOSE, OP_PING, OP_PONG = 0x8, 0x9, 0xA


def _context():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE   # webui's certificate is self-signed
    return ctx


class WSClient:
    def __init__(self, port, host="127.0.0.1", path="/live", cookie=None,
                 origin=None, protocol="live", tls=True, timeout=10,
                 rcvbuf=None, extra_headers=None):
        self.host, self.port, self.path = host, port, path
        self.cookie, self.origin, self.protocol = cookie, origin, protocol
        self.tls, self.timeout, self.rcvbuf = tls, timeout, rcvbuf
        self.extra_headers = extra_headers or {}
        self.sock = None
        self.buf = b""
        self.status = None          # HTTP status of the upgrade answer
        self.head = b""             # its head, as bytes
        self.headers = {}
        self.closed = False
        self.close_code = None
        self.close_reason = None
        self.close_sent = False
        self.eof = False
        self.seen = []

    # -- the handshake ---------------------------------------------------

    def connect(self):
        """Opens the connection and upgrades; True when 101 came back with
        a valid Sec-WebSocket-Accept."""
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if self.rcvbuf:
            # Before connect, so the window is small from the start.
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, self.rcvbuf)
        s.settimeout(self.timeout)
        s.connect((self.host, self.port))
        self.sock = _context().wrap_socket(s) if self.tls else s
        key = base64.b64encode(os.urandom(16)).decode()
        lines = ["GET %s HTTP/1.1" % self.path,
                 "Host: %s:%d" % (self.host, self.port),
                 "Upgrade: websocket", "Connection: Upgrade",
                 "Sec-WebSocket-Key: " + key, "Sec-WebSocket-Version: 13"]
        if self.protocol:
            lines.append("Sec-WebSocket-Protocol: " + self.protocol)
        if self.origin:
            lines.append("Origin: " + self.origin)
        if self.cookie:
            lines.append("Cookie: " + self.cookie)
        for k, v in self.extra_headers.items():
            lines.append("%s: %s" % (k, v))
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        end = time.monotonic() + self.timeout
        while b"\r\n\r\n" not in self.buf:
            if time.monotonic() > end or not self._fill(end):
                break
        head, sep, rest = self.buf.partition(b"\r\n\r\n")
        self.head = head
        self.buf = rest
        first, _, hdrs = head.decode("latin-1").partition("\r\n")
        parts = first.split(" ", 2)
        self.status = int(parts[1]) if len(parts) > 1 and \
            parts[1].isdigit() else None
        for line in hdrs.split("\r\n"):
            k, _, v = line.partition(":")
            self.headers[k.strip().lower()] = v.strip()
        want = base64.b64encode(hashlib.sha1(
            (key + GUID).encode()).digest()).decode()
        ok = (self.status == 101 and sep != b"" and
              self.headers.get("sec-websocket-accept") == want)
        if not ok:
            self._shut()
            self.closed = True
        return ok

    # -- bytes -----------------------------------------------------------

    def _fill(self, end):
        """Reads what is there into buf; False on EOF (eof set) or
        timeout."""
        left = end - time.monotonic()
        if left <= 0:
            return False
        if not (self.tls and self.sock.pending()):
            try:
                r, _, _ = select.select([self.sock], [], [], left)
            except (OSError, ValueError):
                self.eof = True
                return False
            if not r:
                return False
        try:
            d = self.sock.recv(65536)
        except (ssl.SSLWantReadError, BlockingIOError, socket.timeout):
            return True     # part of a TLS record: wait for the rest
        except (OSError, ssl.SSLError):
            self.eof = True
            return False
        if not d:
            self.eof = True
            return False
        self.buf += d
        return True

    def _take(self, n, end):
        while len(self.buf) < n:
            if not self._fill(end):
                return None
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def _shut(self):
        try:
            self.sock.close()
        except OSError:
            pass

    # -- frames ----------------------------------------------------------

    def send_frame(self, opcode, payload=b"", fin=True, mask=True):
        """One frame; fin=False and OP_CONT make fragments."""
        if isinstance(payload, str):
            payload = payload.encode()
        b0 = (0x80 if fin else 0) | opcode
        n = len(payload)
        mbit = 0x80 if mask else 0
        if n < 126:
            hdr = struct.pack("!BB", b0, mbit | n)
        elif n < 65536:
            hdr = struct.pack("!BBH", b0, mbit | 126, n)
        else:
            hdr = struct.pack("!BBQ", b0, mbit | 127, n)
        if mask:
            key = os.urandom(4)
            body = bytes(c ^ key[i % 4] for i, c in enumerate(payload))
            hdr += key
        else:
            body = payload
        self.sock.sendall(hdr + body)

    def send_text(self, text):
        self.send_frame(OP_TEXT, text)

    def send_json(self, obj):
        self.send_text(json.dumps(obj))

    def _frame(self, end):
        """(fin, opcode, payload) of the next frame, or None."""
        h = self._take(2, end)
        if h is None:
            return None
        fin, op = h[0] & 0x80, h[0] & 0x0F
        n = h[1] & 0x7F
        if n == 126:
            x = self._take(2, end)
            if x is None:
                return None
            n = struct.unpack("!H", x)[0]
        elif n == 127:
            x = self._take(8, end)
            if x is None:
                return None
            n = struct.unpack("!Q", x)[0]
        key = self._take(4, end) if h[1] & 0x80 else None
        if h[1] & 0x80 and key is None:
            return None
        p = self._take(n, end) if n else b""
        if p is None:
            return None
        if key:
            p = bytes(c ^ key[i % 4] for i, c in enumerate(p))
        return bool(fin), op, p

    def recv(self, timeout=None):
        """The next data message as (opcode, bytes), or None on timeout
        or close (then closed is True)."""
        if self.closed:
            return None
        end = time.monotonic() + (self.timeout if timeout is None
                                  else timeout)
        parts, first_op = [], None
        while True:
            f = self._frame(end)
            if f is None:
                if self.eof:
                    self.closed = True
                    if self.close_code is None:
                        self.close_code = 1006
                return None
            fin, op, p = f
            if op == OP_PING:
                self._control(OP_PONG, p)
                continue
            if op == OP_PONG:
                continue
            if op == OP_CLOSE:
                self.close_code = struct.unpack("!H", p[:2])[0] \
                    if len(p) >= 2 else 1005
                self.close_reason = p[2:].decode("utf-8", "replace")
                if not self.close_sent:
                    self._control(OP_CLOSE, p[:2])
                self.closed = True
                self._shut()
                return None
            if op != OP_CONT:
                first_op = op
            parts.append(p)
            if fin:
                return first_op, b"".join(parts)

    def _control(self, op, payload):
        try:
            self.send_frame(op, payload)
            if op == OP_CLOSE:
                self.close_sent = True
        except OSError:
            pass

    def recv_json(self, timeout=None):
        """The next text message parsed, or None."""
        m = self.recv(timeout)
        if m is None:
            return None
        return json.loads(m[1].decode("utf-8"))

    def wait_for(self, pred, timeout):
        """Reads messages until pred(msg) is true; that message, or None.
        Every message read is appended to self.seen."""
        end = time.monotonic() + timeout
        while time.monotonic() < end and not self.closed:
            m = self.recv_json(max(0.0, end - time.monotonic()))
            if m is None:
                continue
            self.seen.append(m)
            if pred(m):
                return m
        return None

    def wait_closed(self, timeout):
        """Reads until the server closes; the close code, or None."""
        end = time.monotonic() + timeout
        while not self.closed and time.monotonic() < end:
            self.recv(max(0.0, end - time.monotonic()))
        return self.close_code if self.closed else None

    def close(self, code=1000, reason=""):
        if not self.closed:
            self._control(OP_CLOSE, struct.pack("!H", code) +
                          reason.encode())
            self.wait_closed(2)
        self.closed = True
        if self.sock is not None:
            self._shut()
