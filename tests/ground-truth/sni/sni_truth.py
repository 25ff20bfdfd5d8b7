#!/usr/bin/env python3
"""SNI ground truth for `client-without-sni` (NL052): which server name a real client puts in
its TLS ClientHello.

A loopback recorder answers the PostgreSQL `SSLRequest` with `S`, completes TLS with a
throw-away certificate, records the `server_name` the client sent (`SSLContext.sni_callback`),
and ends the connection with an `ErrorResponse` naming what it saw. Each client connects to
`localhost` (a name, so a client that can send SNI does):

* libpq 13.3 and 14.1, as bundled in the psycopg2-binary 2.9.1 and 2.9.2 wheels (cp39,
  manylinux2014 x86_64, from PyPI: no cp311 wheel of a libpq < 14 exists). The bundled libpq is
  loaded with ctypes, in a process of its own, and asked `PQlibVersion()` and `PQconnectdb`;
* postgres.js 3.3.3 and 3.3.4 (npm), with `ssl: { rejectUnauthorized: false }`;
* asyncpg 0.21.0 and 0.22.0 (PyPI, into a CPython 3.8 target directory: 0.21 has no wheel
  for 3.9 or later) with no `ssl` argument: 0.21 starts without TLS, 0.22 prefers TLS. Needs
  a CPython 3.8 (`GT_PYTHON38`, pyenv's, or `python3.8` on `PATH`).

Prints one line per client and a JSON summary (`--json FILE`). Exit status: 0 when every client
that could be fetched behaved as the SNI table says (old: no name, fixed: `localhost`), 1 on a
mismatch, 77 when no client could be fetched (offline: each `SKIP` line says why).
Nothing here talks to anything but 127.0.0.1 and the package registries.
"""

import json
import os
import shutil
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import threading
import zipfile

CACHE = os.path.join(
    os.environ.get("GT_CACHE")
    or os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "neon-lint-gt"),
    "sni",
)

# (label, fetch kind, package, version, expected SNI: True = sends `localhost`); a label
# with `options=` also expects that startup `options` value (Neon's no-SNI workaround).
CLIENTS = [
    ("libpq via psycopg2-binary 2.9.1", "wheel", "psycopg2-binary", "2.9.1", False),
    ("libpq via psycopg2-binary 2.9.2", "wheel", "psycopg2-binary", "2.9.2", True),
    ("libpq via psycopg2-binary 2.9.1 with options=endpoint=ep-test-123456", "wheel",
     "psycopg2-binary", "2.9.1", False),
    ("postgres.js 3.3.3", "npm", "postgres", "3.3.3", False),
    ("postgres.js 3.3.4", "npm", "postgres", "3.3.4", True),
    ("asyncpg 0.21.0 (default ssl)", "py38", "asyncpg", "0.21.0", False),
    ("asyncpg 0.22.0 (default ssl)", "py38", "asyncpg", "0.22.0", True),
    # NL052's advice for asyncpg < 0.22: ask for TLS, and SNI goes out.
    ("asyncpg 0.21.0 with ssl='require'", "py38", "asyncpg", "0.21.0", True),
]

# What the recorder notes for a connection that never asked for TLS.
PLAINTEXT = "<no TLS>"


class Recorder:
    """The loopback TLS server; `seen` holds one server name (or None) per TLS handshake."""

    def __init__(self, workdir):
        cert = os.path.join(workdir, "cert.pem")
        key = os.path.join(workdir, "key.pem")
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
             "-subj", "/CN=localhost", "-keyout", key, "-out", cert],
            check=True, capture_output=True,
        )
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.load_cert_chain(cert, key)
        self.names = {}
        self.ctx.sni_callback = lambda sock, name, _ctx: self.names.__setitem__(id(sock), name)
        self.seen = []
        self.options = []
        self.lock = threading.Lock()
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self.handle, args=(conn,), daemon=True).start()

    def handle(self, conn):
        conn.settimeout(10)
        try:
            while True:
                head = conn.recv(8, socket.MSG_WAITALL)
                if len(head) < 8:
                    return
                _, code = struct.unpack("!ii", head)
                if code == 80877104:  # GSSENCRequest: no
                    conn.sendall(b"N")
                    continue
                if code != 80877103:  # a plaintext startup: refuse, as Neon does
                    with self.lock:
                        self.seen.append(PLAINTEXT)
                    conn.recv(65536)
                    conn.sendall(error("connection is insecure (try using `sslmode=require`)"))
                    return
                conn.sendall(b"S")
                break
            tls = self.ctx.wrap_socket(conn, server_side=True)
            name = self.names.pop(id(tls), None)
            with self.lock:
                self.seen.append(name)
            n = struct.unpack("!i", recv_exact(tls, 4))[0]
            startup = recv_exact(tls, n - 4)
            # protocol version, then `key\0value\0` pairs.
            words = startup[4:].split(b"\0")
            params = dict(zip(words[0::2], words[1::2]))
            with self.lock:
                self.options.append(params.get(b"options", b"").decode(errors="replace"))
            tls.sendall(error(f"recorded SNI: {name!r}"))
            tls.close()
        except (OSError, ssl.SSLError, struct.error):
            pass
        finally:
            conn.close()

    def take(self):
        with self.lock:
            seen, self.seen = self.seen, []
            options, self.options = self.options, []
        return seen, options


def recv_exact(sock, n):
    """`n` bytes (TLS sockets take no MSG_WAITALL)."""
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise OSError("closed")
        buf += chunk
    return buf


def error(message):
    body = b"SFATAL\0CXX000\0M" + message.encode() + b"\0\0"
    return b"E" + struct.pack("!i", len(body) + 4) + body


def fetch_wheel(package, version):
    """The bundled libpq of a psycopg2-binary wheel, unpacked into the cache."""
    dest = os.path.join(CACHE, f"{package}-{version}")
    libs = os.path.join(dest, "psycopg2_binary.libs")
    if not os.path.isdir(libs):
        tmp = tempfile.mkdtemp()
        r = subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
             "--python-version", "3.9", "--platform", "manylinux2014_x86_64", "-d", tmp,
             f"{package}=={version}"],
            capture_output=True, text=True, timeout=300,
        )
        wheels = [f for f in os.listdir(tmp) if f.endswith(".whl")]
        if r.returncode != 0 or not wheels:
            raise RuntimeError(f"pip download failed: {(r.stderr or r.stdout).strip().splitlines()[-1:]}")
        with zipfile.ZipFile(os.path.join(tmp, wheels[0])) as z:
            z.extractall(dest)
        shutil.rmtree(tmp, ignore_errors=True)
    found = [f for f in os.listdir(libs) if f.startswith("libpq")]
    if not found:
        raise RuntimeError("no libpq in the wheel")
    return os.path.join(libs, found[0])


LIBPQ_CLIENT = r"""
import ctypes, sys
pq = ctypes.CDLL(sys.argv[1])
pq.PQconnectdb.restype = ctypes.c_void_p
pq.PQconnectdb.argtypes = [ctypes.c_char_p]
pq.PQerrorMessage.restype = ctypes.c_char_p
pq.PQerrorMessage.argtypes = [ctypes.c_void_p]
pq.PQfinish.argtypes = [ctypes.c_void_p]
conn = pq.PQconnectdb(sys.argv[2].encode())
print(pq.PQlibVersion(), pq.PQerrorMessage(conn).decode(errors="replace").strip().replace("\n", " | "))
pq.PQfinish(conn)
"""


def run_libpq(lib, port, options):
    conninfo = (f"host=localhost port={port} dbname=db user=u sslmode=require "
                "gssencmode=disable connect_timeout=5")
    if options:
        conninfo += f" options={options}"
    # The wheel's libpq finds its bundled libssl beside it.
    env = dict(os.environ, LD_LIBRARY_PATH=os.path.dirname(lib))
    r = subprocess.run([sys.executable, "-c", LIBPQ_CLIENT, lib, conninfo],
                       capture_output=True, text=True, timeout=60, env=env)
    if r.returncode != 0:
        raise RuntimeError(f"libpq client failed: {r.stderr.strip()[-300:]}")
    version, _, message = r.stdout.strip().partition(" ")
    return f"PQlibVersion {version}; {message}"


def fetch_npm(package, version):
    dest = os.path.join(CACHE, f"npm-{package}-{version}")
    if not os.path.isdir(os.path.join(dest, "node_modules", package)):
        if not shutil.which("npm"):
            raise RuntimeError("npm is not installed")
        os.makedirs(dest, exist_ok=True)
        r = subprocess.run(
            ["npm", "install", "--loglevel=error", "--no-audit", "--no-fund", "--ignore-scripts",
             "--prefix", dest, f"{package}@{version}"],
            capture_output=True, text=True, timeout=300,
        )
        if r.returncode != 0:
            last = (r.stderr or r.stdout).strip().splitlines()[-1:] or [f"exit {r.returncode}"]
            raise RuntimeError(f"npm install failed: {last[0][-300:]}")
    return dest


def python38():
    """A real CPython 3.8 interpreter (not a pyenv shim), or None."""
    root = os.path.expanduser("~/.pyenv/versions")
    found = [os.environ.get("GT_PYTHON38")]
    if os.path.isdir(root):
        found += [os.path.join(root, v, "bin", "python3")
                  for v in sorted(os.listdir(root)) if v.startswith("3.8.")]
    found.append(shutil.which("python3.8"))
    for c in found:
        if c and os.path.exists(c) and "/shims/" not in c:
            return c
    return None


def fetch_py38(package, version):
    py = python38()
    if not py:
        raise RuntimeError("no CPython 3.8 (set GT_PYTHON38)")
    dest = os.path.join(CACHE, f"py38-{package}-{version}")
    if not os.path.isdir(os.path.join(dest, package)):
        r = subprocess.run(
            [py, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps",
             "--only-binary=:all:", "--target", dest, f"{package}=={version}"],
            capture_output=True, text=True, timeout=300,
        )
        if r.returncode != 0:
            last = (r.stderr or r.stdout).strip().splitlines()[-1:] or [f"exit {r.returncode}"]
            raise RuntimeError(f"pip install failed: {last[0][-300:]}")
    return py, dest


ASYNCPG_CLIENT = r"""
import asyncio, sys
sys.path.insert(0, sys.argv[1])
import asyncpg
async def main():
    try:
        # `ssl="require"`: TLS without certificate checks, as libpq's `sslmode=require`.
        extra = {"ssl": sys.argv[3]} if len(sys.argv) > 3 else {}
        await asyncpg.connect(host="localhost", port=int(sys.argv[2]), user="u", database="db",
                              password="x", timeout=5, **extra)
        print("connected?!")
    except Exception as e:
        print(type(e).__name__ + ": " + str(e).replace("\n", " | "))
asyncio.run(main())
"""


def run_asyncpg(fetched, port, ssl_mode):
    py, dest = fetched
    args = [py, "-c", ASYNCPG_CLIENT, dest, str(port)] + ([ssl_mode] if ssl_mode else [])
    r = subprocess.run(args,
                       capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        raise RuntimeError(f"asyncpg client failed: {r.stderr.strip()[-300:]}")
    return r.stdout.strip()


NODE_CLIENT = r"""
const postgres = require(process.argv[1] + '/node_modules/postgres');
const sql = postgres({ host: 'localhost', port: Number(process.argv[2]), user: 'u', database: 'db',
  ssl: { rejectUnauthorized: false }, connect_timeout: 5, max: 1 });
sql`select 1`.then(() => console.log('connected?!'), (e) => console.log(String(e.message)))
  .finally(() => sql.end({ timeout: 1 }));
"""


def run_node(dest, port):
    r = subprocess.run(["node", "-e", NODE_CLIENT, dest, str(port)],
                       capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        raise RuntimeError(f"node client failed: {r.stderr.strip()[-300:]}")
    return r.stdout.strip()


def main():
    out_json = None
    if "--json" in sys.argv:
        out_json = sys.argv[sys.argv.index("--json") + 1]
    if not shutil.which("openssl"):
        print("SKIP sni ground truth: openssl is not installed (needed for the throw-away certificate)")
        return 77
    os.makedirs(CACHE, exist_ok=True)
    work = tempfile.mkdtemp()
    rec = Recorder(work)
    results, ran, bad = [], 0, 0
    for label, kind, package, version, sends in CLIENTS:
        try:
            if kind == "wheel":
                opts = label.split("options=", 1)[1] if "options=" in label else None
                said = run_libpq(fetch_wheel(package, version), rec.port, opts)
            elif kind == "py38":
                said = run_asyncpg(fetch_py38(package, version), rec.port,
                                   "require" if "ssl='require'" in label else None)
            else:
                said = run_node(fetch_npm(package, version), rec.port)
        except (RuntimeError, OSError, subprocess.TimeoutExpired) as e:
            print(f"SKIP {label}: {e}")
            results.append({"client": label, "skipped": str(e)})
            continue
        seen, options = rec.take()
        ran += 1
        # TLS handshakes (a client may retry in plaintext after one: asyncpg's `prefer`).
        tls = [s for s in seen if s != PLAINTEXT]
        named = [s for s in tls if s]
        ok = bool(seen) and (bool(tls) and named == ["localhost"] * len(tls) if sends else not named)
        if "options=" in label:
            want = label.split("options=", 1)[1]
            ok = ok and bool(options) and all(o == want for o in options)
            said = f"startup options {options!r}; " + said
        bad += not ok
        shown = ", ".join(s if s == PLAINTEXT else repr(s) for s in seen) or "no connection"
        print(f"{'ok  ' if ok else 'FAIL'} {label}: server_name {shown} "
              f"(expected {'localhost' if sends else 'none'}); client said: {said}")
        results.append({"client": label, "server_names": seen, "options": options,
                        "expected_sni": sends, "ok": ok,
                        "client_said": said})
    shutil.rmtree(work, ignore_errors=True)
    if out_json:
        with open(out_json, "w") as f:
            json.dump(results, f, indent=2)
    if ran == 0:
        return 77
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
