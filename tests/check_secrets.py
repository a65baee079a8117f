#!/usr/bin/env python3
"""Greps every log the test suite wrote for every secret it used.

    tests/check_secrets.py ARCHIVE_DIR

ARCHIVE_DIR is the suite-wide $TW_TEST_ARCHIVE of tests/run: each test's
Env copied its log files there (tests/integration/harness.py) and appended
the secrets it made or received (passwords, session cookies, CSRF and API
tokens, feed keys) to ARCHIVE_DIR/secrets, one "kind<TAB>base64(value)" a
line. Each secret is looked for as it is, URL-encoded (quote and
quote_plus) and in base64 (standard and URL-safe, at each of the three
alignments it can take inside a longer base64 text). Prints one
"ok no secret in N log files (M secrets)", or one FAIL line per file and
kind of secret found (never the secret), and exits 1 then.
"""

import base64
import os
import re
import sys
import urllib.parse

# What the forms of a secret are made of: runs of these bytes are scanned
# through an index of each form's first PREFIX bytes.
RUN = re.compile(rb"[A-Za-z0-9_.~+/=%-]{8,}")
RUN_CHARS = set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                b"0123456789_.~+/=%-")
PREFIX = 8


def b64_forms(raw):
    """The part of raw's base64 that is the same wherever raw sits in a
    longer text: per alignment, the characters made of raw's bits only."""
    out = []
    for k in range(3):
        enc = base64.b64encode(b"\0" * k + raw + b"\0\0")
        first, last = k, k + len(raw) - 1	# raw's byte positions
        chars = [i for i in range(len(enc))
                 if i * 6 // 8 >= first and (i * 6 + 5) // 8 <= last]
        if chars:
            s = enc[chars[0]:chars[-1] + 1]
            out += [s, s.replace(b"+", b"-").replace(b"/", b"_")]
    return out


def forms(value):
    raw = value.encode("utf-8", "surrogateescape")
    f = {raw,
         urllib.parse.quote(raw, safe="").encode(),
         urllib.parse.quote_plus(raw, safe="").encode()}
    f.update(b64_forms(raw))
    return {x for x in f if len(x) >= PREFIX}


def load_secrets(path):
    out = {}
    try:
        with open(path) as f:
            for line in f:
                kind, _, b = line.rstrip("\n").partition("\t")
                try:
                    v = base64.b64decode(b).decode("utf-8",
                                                   "surrogateescape")
                except ValueError:
                    continue
                out.setdefault(v, kind)
    except FileNotFoundError:
        pass
    return out


def main():
    if len(sys.argv) != 2:
        print("usage: check_secrets.py ARCHIVE_DIR", file=sys.stderr)
        return 2
    top = sys.argv[1]
    secrets = load_secrets(os.path.join(top, "secrets"))
    index = {}		# first PREFIX bytes -> [(form, kind)]
    other = []		# forms with bytes no run holds
    for v, kind in secrets.items():
        for f in forms(v):
            if all(c in RUN_CHARS for c in f):
                index.setdefault(f[:PREFIX], []).append((f, kind))
            else:
                other.append((f, kind))
    files = []
    for root, _, names in os.walk(top):
        for n in names:
            p = os.path.join(root, n)
            if os.path.relpath(p, top) != "secrets":
                files.append(p)
    found = {}		# (file, kind) -> how many forms
    for p in sorted(files):
        try:
            with open(p, "rb") as f:
                data = f.read()
        except OSError as e:
            print("FAIL check_secrets: cannot read %s (%s)" % (p, e))
            found[(p, "unreadable")] = 1
            continue
        for m in RUN.finditer(data):
            run = m.group(0)
            for i in range(len(run) - PREFIX + 1):
                hits = index.get(run[i:i + PREFIX])
                if not hits:
                    continue
                for form, kind in hits:
                    if run.startswith(form, i):
                        found[(p, kind)] = found.get((p, kind), 0) + 1
        for form, kind in other:
            if form in data:
                found[(p, kind)] = found.get((p, kind), 0) + 1
    for (p, kind), n in sorted(found.items()):
        if kind != "unreadable":
            print("FAIL no secret in the logs (%s holds a secret of kind "
                  "'%s', %d time(s))" % (os.path.relpath(p, top), kind, n))
    if not found:
        print("ok no secret in %d log files (%d secrets)" % (
            len(files), len(secrets)))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
