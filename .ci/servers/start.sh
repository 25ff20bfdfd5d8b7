#!/usr/bin/env bash
# Start the ground-truth servers for neon-lint (issue 9) on 127.0.0.1 only:
#
#   * PostgreSQL (Debian's), TLS on with a throw-away CA, pg_hba allowing ONLY `hostssl ... scram-sha-256`
#     over TCP (as Neon does), role `app` owning database `appdb`;
#   * a second, identical PostgreSQL cluster that tests may restart (NL040, stale pools);
#   * PgBouncer (Debian's) in transaction mode in front of the first cluster, TLS on both sides, SCRAM;
#   * when Debian's PgBouncer is older than 1.21 (bookworm ships 1.18), a second PgBouncer built from
#     Debian's trixie *source package* (1.24.x) with `max_prepared_statements = 1000` (Neon's published
#     setting), so the prepared-statement-tracking pooler can be tested too (GT_PGBOUNCER_SOURCE=none skips);
#   * a Python venv with pinned psycopg, psycopg2, asyncpg and SQLAlchemy (plus psycopg_pool, Alembic, Django).
#
# Idempotent: when everything recorded in "$GT_DIR/env" is still up, it only says so. Otherwise it tears down
# leftovers (stop.sh) and builds everything afresh. Prints nothing on stdout but the env file's path.
#
# Knobs (environment):
#   GT_DIR          scratch dir for clusters, certs, pooler configs, env file   (default /tmp/neon-lint-gt)
#   GT_CACHE        kept between runs: venv, pgbouncer build  (default ~/.cache/neon-lint-gt; stop.sh --purge)
#   GT_VENV         the venv                                   (default $GT_CACHE/venv)
#   GT_PYTHON_BASE  interpreter that makes the venv            (default python3)
#   GT_PG_PORT, GT_PG_RESTART_PORT, GT_BOUNCER_PORT, GT_BOUNCER_PS_PORT   first port tried for each
#                   (defaults 55432, 55433, 56432, 56433; the next free one is taken)
#   GT_PGBOUNCER_SOURCE   auto (default): build a >= 1.21 PgBouncer from Debian's trixie source package when
#                   Debian's own is older; none: never
#
# Use:  bash .ci/servers/start.sh && . "${GT_DIR:-/tmp/neon-lint-gt}/env"
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
GT_DIR=${GT_DIR:-/tmp/neon-lint-gt}
GT_CACHE=${GT_CACHE:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/neon-lint-gt}
GT_VENV=${GT_VENV:-$GT_CACHE/venv}
GT_PYTHON_BASE=${GT_PYTHON_BASE:-python3}
GT_PGBOUNCER_SOURCE=${GT_PGBOUNCER_SOURCE:-auto}
ENV_FILE="$GT_DIR/env"

# Real, current versions from PyPI (checked 2026-11). Keep in sync with docs/ground-truth.md.
PY_PINS=(
  "psycopg[binary]==3.3.9"
  "psycopg2-binary==2.9.13"
  "asyncpg==0.32.0"
  "SQLAlchemy[asyncio]==2.1.9"
)
# Added to the same venv without rebuilding it (own stamp): Alembic and Django for the NL020 migration
# cells and NL012's server-side cursors, psycopg_pool for NL040. Django 5.2 is the newest for Python
# 3.11 (Django 6 needs 3.12). A failed install is a SKIP of those cells, not a failed start.
PY_EXTRA_PINS=(
  "psycopg-pool==3.3.3"
  "alembic==1.20.1"
  "Django==5.2.19"
)
# Debian suite whose pgbouncer *source* package is built when Debian's binary is < 1.21.
PGB_SOURCE_SUITE=${GT_PGBOUNCER_SOURCE_SUITE:-trixie}

log() { echo "[gt] $*" >&2; }
die() { echo "[gt] ERROR: $*" >&2; exit 1; }

IS_ROOT=0; [ "$(id -u)" = 0 ] && IS_ROOT=1
# PostgreSQL's initdb and PgBouncer refuse to run as root: run them as `postgres` when we are root.
as_owner() {
  if [ "$IS_ROOT" = 1 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# ---------------------------------------------------------------------------------------------------------------
# 0. Already up?
# ---------------------------------------------------------------------------------------------------------------
pid_alive() { [ -s "$1" ] && kill -0 "$(head -1 "$1")" 2>/dev/null; }

already_running() {
  [ -f "$ENV_FILE" ] || return 1
  (
    set +u
    # shellcheck disable=SC1090
    . "$ENV_FILE"
    [ -x "$GT_PYTHON" ] || exit 1
    pid_alive "$GT_DIR/pg/data/postmaster.pid" || exit 1
    pid_alive "$GT_DIR/pg-restart/data/postmaster.pid" || exit 1
    pid_alive "$GT_DIR/bouncer/pgbouncer.pid" || exit 1
    if [ -n "${GT_BOUNCER_PS_PORT:-}" ]; then pid_alive "$GT_DIR/bouncer-ps/pgbouncer.pid" || exit 1; fi
    PGPASSWORD=$GT_PG_PASSWORD psql "postgresql://app@127.0.0.1:$GT_BOUNCER_PORT/appdb?sslmode=verify-full&sslrootcert=$GT_CA_FILE" \
      -XAtqc 'select 1' >/dev/null 2>&1 || exit 1
  ) </dev/null
}

if already_running; then
  log "servers already running (env: $ENV_FILE)"
  echo "$ENV_FILE"
  exit 0
fi

# Clear whatever a previous run left behind (stale pid files, half-made dirs).
bash "$HERE/stop.sh" >/dev/null 2>&1 || true

# ---------------------------------------------------------------------------------------------------------------
# 1. Packages (Debian)
# ---------------------------------------------------------------------------------------------------------------
APT_UPDATED=0
apt_install() {
  local missing=()
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$IS_ROOT" = 1 ] || die "missing Debian packages (${missing[*]}); run as root or install them"
  if [ "$APT_UPDATED" = 0 ]; then
    log "apt-get update"
    apt-get update -qq >/dev/null
    APT_UPDATED=1
  fi
  log "apt-get install ${missing[*]}"
  # policy-rc.d: installing postgresql/pgbouncer must not start Debian's own services.
  local prc=/usr/sbin/policy-rc.d made_prc=0
  if [ ! -e "$prc" ]; then printf '#!/bin/sh\nexit 101\n' >"$prc"; chmod +x "$prc"; made_prc=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || {
    [ "$made_prc" = 1 ] && rm -f "$prc"; die "apt-get install ${missing[*]} failed"; }
  [ "$made_prc" = 1 ] && rm -f "$prc"
  return 0
}

# postgresql + pgbouncer + openssl are the servers; libssl-dev + pkg-config are for the Rust test crate
# (openssl-sys), libpq-dev too (diesel's `postgres` feature links libpq through pq-sys: without it
# the workspace does not build); python3-venv only matters when the base interpreter is Debian's.
apt_install postgresql pgbouncer openssl libssl-dev libpq-dev pkg-config ca-certificates

PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$PGBIN" ] && [ -x "$PGBIN/initdb" ] || die "no /usr/lib/postgresql/*/bin/initdb"
PG_VERSION=$("$PGBIN/postgres" --version | awk '{print $3}')
PGB_DEBIAN_BIN=$(command -v pgbouncer || echo /usr/sbin/pgbouncer)
PGB_DEBIAN_VERSION=$("$PGB_DEBIAN_BIN" --version | awk 'NR==1{print $2}')
version_ge() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -1)" = "$2" ]; }
log "PostgreSQL $PG_VERSION ($PGBIN), Debian PgBouncer $PGB_DEBIAN_VERSION"

# ---------------------------------------------------------------------------------------------------------------
# 2. Ports (127.0.0.1 only)
# ---------------------------------------------------------------------------------------------------------------
TAKEN=" "
port_busy() {
  local p=$1
  case "$TAKEN" in *" $p "*) return 0 ;; esac
  if command -v ss >/dev/null; then
    ss -Htln "sport = :$p" 2>/dev/null | grep -q . && return 0
    return 1
  fi
  (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && return 0
  return 1
}
# Sets PICKED (not echoed: a $(...) subshell would lose TAKEN, and two picks could collide).
pick_port() {
  local p=$1 tries=0
  while port_busy "$p"; do p=$((p + 1)); tries=$((tries + 1)); [ $tries -lt 200 ] || die "no free port near $1"; done
  TAKEN="$TAKEN$p "
  PICKED=$p
}
pick_port "${GT_PG_PORT:-55432}"; PG_PORT=$PICKED
pick_port "${GT_PG_RESTART_PORT:-55433}"; PG_RESTART_PORT=$PICKED
pick_port "${GT_BOUNCER_PORT:-56432}"; BOUNCER_PORT=$PICKED
pick_port "${GT_BOUNCER_PS_PORT:-56433}"; BOUNCER_PS_PORT=$PICKED

# ---------------------------------------------------------------------------------------------------------------
# 3. Scratch dir and throw-away CA + server certificate (CN/SAN localhost, SAN IP 127.0.0.1)
# ---------------------------------------------------------------------------------------------------------------
mkdir -p "$GT_DIR" "$GT_CACHE"
GT_DIR=$(cd "$GT_DIR" && pwd); ENV_FILE="$GT_DIR/env"
chmod 755 "$GT_DIR"
touch "$GT_DIR/.neon-lint-gt"   # stop.sh deletes only a directory carrying this mark
mkdir -p "$GT_DIR/certs" "$GT_DIR/bouncer" "$GT_DIR/bouncer-ps"
cd "$GT_DIR"   # a directory `postgres` can enter (runuser keeps the cwd)

CERTS="$GT_DIR/certs"
log "making a throw-away CA and server certificate in $CERTS"
openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -sha256 -days 30 \
  -keyout "$CERTS/ca.key" -out "$CERTS/ca.crt" -subj "/CN=neon-lint ground-truth CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -sha256 \
  -keyout "$CERTS/server.key" -out "$CERTS/server.csr" -subj "/CN=localhost" 2>/dev/null
cat >"$CERTS/server.ext" <<'EOF'
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
EOF
openssl x509 -req -in "$CERTS/server.csr" -CA "$CERTS/ca.crt" -CAkey "$CERTS/ca.key" -CAcreateserial \
  -sha256 -days 30 -extfile "$CERTS/server.ext" -out "$CERTS/server.crt" 2>/dev/null
openssl verify -CAfile "$CERTS/ca.crt" "$CERTS/server.crt" >/dev/null || die "certificate chain does not verify"
rm -f "$CERTS/server.csr" "$CERTS/ca.key"   # nothing can sign with it afterwards
chmod 600 "$CERTS/server.key"; chmod 644 "$CERTS/ca.crt" "$CERTS/server.crt"
if [ "$IS_ROOT" = 1 ]; then
  chown -R postgres:postgres "$GT_DIR/certs" "$GT_DIR/bouncer" "$GT_DIR/bouncer-ps"
fi

# ---------------------------------------------------------------------------------------------------------------
# 4. PostgreSQL clusters
# ---------------------------------------------------------------------------------------------------------------
APP_PASSWORD=$(openssl rand -hex 16)

make_cluster() { # name port
  local name=$1 port=$2 base="$GT_DIR/$1"
  mkdir -p "$base/sock"
  [ "$IS_ROOT" = 1 ] && chown -R postgres:postgres "$base"
  chmod 700 "$base/sock"
  as_owner "$PGBIN/initdb" -D "$base/data" -U postgres --auth-local=trust --auth-host=reject \
    -E UTF8 --locale=C.UTF-8 --no-sync >"$base/initdb.log" 2>&1 || { cat "$base/initdb.log" >&2; die "initdb $name failed"; }
  # TCP: only TLS + SCRAM (as Neon). The unix socket (mode 0700, private dir) is for set-up as superuser only.
  cat >"$base/data/pg_hba.conf" <<EOF
# neon-lint ground truth: TCP connections only over TLS with SCRAM, like Neon.
local   all   postgres                 trust
hostssl all   all       127.0.0.1/32   scram-sha-256
EOF
  cat >>"$base/data/postgresql.conf" <<EOF

# --- neon-lint ground truth ---
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$base/sock'
unix_socket_permissions = 0700
ssl = on
ssl_cert_file = '$CERTS/server.crt'
ssl_key_file = '$CERTS/server.key'
ssl_min_protocol_version = 'TLSv1.2'
password_encryption = 'scram-sha-256'
# every scenario gets its own PgBouncer pool (up to 4 server connections each)
max_connections = 400
shared_buffers = 32MB
fsync = off
synchronous_commit = off
full_page_writes = off
log_line_prefix = '%m [%p] %q%u@%d '
log_connections = off
EOF
  as_owner "$PGBIN/pg_ctl" -D "$base/data" -l "$base/postgres.log" -w -t 60 start >/dev/null \
    || { tail -20 "$base/postgres.log" >&2; die "PostgreSQL $name did not start"; }
  as_owner "$PGBIN/psql" -h "$base/sock" -p "$port" -U postgres -d postgres -XAtq -v ON_ERROR_STOP=1 >/dev/null <<EOF
SET password_encryption = 'scram-sha-256';
CREATE ROLE app LOGIN PASSWORD '$APP_PASSWORD';
CREATE DATABASE appdb OWNER app;
EOF
  log "PostgreSQL $name up on 127.0.0.1:$port"
}
make_cluster pg "$PG_PORT"
make_cluster pg-restart "$PG_RESTART_PORT"

# The restart helper NL040's test calls (pg_ctl restart of the *second* cluster only, so no other test is hit).
cat >"$GT_DIR/pg-restart.sh" <<EOF
#!/usr/bin/env bash
# Restart the throw-away cluster on 127.0.0.1:$PG_RESTART_PORT (fast shutdown: open connections are cut).
set -euo pipefail
cd "$GT_DIR"
if [ "\$(id -u)" = 0 ]; then run() { runuser -u postgres -- "\$@"; }; else run() { "\$@"; }; fi
run "$PGBIN/pg_ctl" -D "$GT_DIR/pg-restart/data" -l "$GT_DIR/pg-restart/postgres.log" -m fast -w -t 60 restart >/dev/null
EOF
chmod 755 "$GT_DIR/pg-restart.sh"

# ---------------------------------------------------------------------------------------------------------------
# 5. PgBouncer(s), transaction mode, TLS on both sides, SCRAM
# ---------------------------------------------------------------------------------------------------------------
write_bouncer_conf() { # dir port extra-lines
  local dir=$1 port=$2 extra=$3
  printf '"app" "%s"\n' "$APP_PASSWORD" >"$dir/userlist.txt"
  cat >"$dir/pgbouncer.ini" <<EOF
; neon-lint ground truth: PgBouncer in transaction mode, like Neon's -pooler endpoints.
[databases]
appdb = host=127.0.0.1 port=$PG_PORT dbname=appdb
; Any other database name gets its own pool onto the same appdb: each test scenario connects as its own
; alias (gt_nl011_set, ...), so session state one scenario leaks cannot reach another's server connections.
* = host=127.0.0.1 port=$PG_PORT dbname=appdb

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $port
unix_socket_dir =
pidfile = $dir/pgbouncer.pid
logfile = $dir/pgbouncer.log
auth_type = scram-sha-256
auth_file = $dir/userlist.txt
pool_mode = transaction
; small on purpose: many clients share few server connections, as on a busy Neon pooler
default_pool_size = 4
max_client_conn = 500
; give server connections back soon: there are many per-scenario pools
server_idle_timeout = 30
; sqlx (and JDBC) send extra_float_digits at start-up; Neon's pooler accepts such clients, so ignore it here too
ignore_startup_parameters = extra_float_digits
client_tls_sslmode = require
client_tls_cert_file = $CERTS/server.crt
client_tls_key_file = $CERTS/server.key
server_tls_sslmode = require
server_tls_ca_file = $CERTS/ca.crt
$extra
EOF
  chmod 600 "$dir/userlist.txt"
  [ "$IS_ROOT" = 1 ] && chown postgres:postgres "$dir/userlist.txt" "$dir/pgbouncer.ini"
  return 0
}
start_bouncer() { # bin dir port
  local bin=$1 dir=$2 port=$3
  as_owner "$bin" -d -q "$dir/pgbouncer.ini" || { tail -20 "$dir/pgbouncer.log" >&2 || true; die "PgBouncer ($bin) did not start"; }
  local i
  for i in $(seq 1 50); do
    PGPASSWORD=$APP_PASSWORD psql "postgresql://app@127.0.0.1:$port/appdb?sslmode=verify-full&sslrootcert=$CERTS/ca.crt" \
      -XAtqc 'select 1' >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  tail -20 "$dir/pgbouncer.log" >&2 || true
  die "PgBouncer on $port does not answer"
}

write_bouncer_conf "$GT_DIR/bouncer" "$BOUNCER_PORT" ""
start_bouncer "$PGB_DEBIAN_BIN" "$GT_DIR/bouncer" "$BOUNCER_PORT"
log "PgBouncer $PGB_DEBIAN_VERSION (Debian) up on 127.0.0.1:$BOUNCER_PORT, transaction mode"

# A PgBouncer that tracks protocol-level prepared statements (>= 1.21), like Neon's pooler since 2024-02.
PGB_PS_BIN=""; PGB_PS_VERSION=""; PGB_PS_ORIGIN=""
if version_ge "$PGB_DEBIAN_VERSION" 1.21; then
  PGB_PS_BIN=$PGB_DEBIAN_BIN; PGB_PS_VERSION=$PGB_DEBIAN_VERSION; PGB_PS_ORIGIN="Debian package"
elif [ "$GT_PGBOUNCER_SOURCE" != none ]; then
  build_root="$GT_CACHE/pgbouncer-$PGB_SOURCE_SUITE"
  if [ ! -x "$build_root/inst/bin/pgbouncer" ]; then
    log "Debian's PgBouncer $PGB_DEBIAN_VERSION has no max_prepared_statements: building Debian $PGB_SOURCE_SUITE's pgbouncer source package"
    (
      set -e
      apt_install build-essential libevent-dev libc-ares-dev libssl-dev pkg-config
      rm -rf "$build_root"; mkdir -p "$build_root/apt/lists/partial" "$build_root/apt/cache/archives/partial" "$build_root/src"
      # A private apt state: the machine's sources.list is left alone.
      echo "deb-src http://deb.debian.org/debian $PGB_SOURCE_SUITE main" >"$build_root/apt/sources.list"
      APT_OPTS=(-o "Dir::Etc::sourcelist=$build_root/apt/sources.list" -o "Dir::Etc::sourceparts=/nonexistent"
                -o "Dir::State::Lists=$build_root/apt/lists" -o "Dir::Cache=$build_root/apt/cache"
                -o "APT::Sandbox::User=root" -o "Debug::NoLocking=1")
      apt-get "${APT_OPTS[@]}" -qq update >/dev/null
      cd "$build_root/src"
      apt-get "${APT_OPTS[@]}" -qq source --download-only pgbouncer >/dev/null
      tar xzf pgbouncer_*.orig.tar.gz
      src=$(ls -d pgbouncer-*/ | head -1)
      if ls pgbouncer_*.debian.tar.* >/dev/null 2>&1; then
        tar xf pgbouncer_*.debian.tar.*
        # Debian's security patches, not its packaging-path patch.
        if [ -f debian/patches/series ]; then
          grep -v '^#' debian/patches/series | grep -v '^debian-config' | while read -r p; do
            [ -n "$p" ] && patch -d "$src" -p1 -s <"debian/patches/$p"
          done
        fi
      fi
      cd "$src"
      ./configure --prefix="$build_root/inst" --without-systemd --without-pam --with-cares >"$build_root/configure.log" 2>&1
      make -j"$(nproc)" >"$build_root/make.log" 2>&1
      make install >"$build_root/install.log" 2>&1
    ) || { log "WARNING: could not build PgBouncer from Debian's $PGB_SOURCE_SUITE source; no prepared-statement pooler"; rm -rf "$build_root/inst"; }
    [ "$IS_ROOT" = 1 ] && chmod -R a+rX "$GT_CACHE" 2>/dev/null || true
  fi
  if [ -x "$build_root/inst/bin/pgbouncer" ]; then
    PGB_PS_BIN="$build_root/inst/bin/pgbouncer"
    PGB_PS_VERSION=$("$PGB_PS_BIN" --version | awk 'NR==1{print $2}')
    PGB_PS_ORIGIN="built from Debian $PGB_SOURCE_SUITE source package"
  fi
fi
if [ -n "$PGB_PS_BIN" ]; then
  if [ "$IS_ROOT" = 1 ] && ! runuser -u postgres -- test -x "$PGB_PS_BIN"; then
    # postgres cannot reach a binary under root's home: copy it into the scratch dir.
    cp "$PGB_PS_BIN" "$GT_DIR/bouncer-ps/pgbouncer"; chown postgres:postgres "$GT_DIR/bouncer-ps/pgbouncer"
    PGB_PS_BIN="$GT_DIR/bouncer-ps/pgbouncer"
  fi
  write_bouncer_conf "$GT_DIR/bouncer-ps" "$BOUNCER_PS_PORT" "; Neon's published setting (PgBouncer >= 1.21 tracks protocol-level prepared statements)
max_prepared_statements = 1000"
  start_bouncer "$PGB_PS_BIN" "$GT_DIR/bouncer-ps" "$BOUNCER_PS_PORT"
  log "PgBouncer $PGB_PS_VERSION ($PGB_PS_ORIGIN) up on 127.0.0.1:$BOUNCER_PS_PORT, transaction mode, max_prepared_statements=1000"
else
  BOUNCER_PS_PORT=""
fi

# ---------------------------------------------------------------------------------------------------------------
# 6. Python venv with the real drivers
# ---------------------------------------------------------------------------------------------------------------
pins_stamp=$(printf '%s\n' "${PY_PINS[@]}")
if [ ! -x "$GT_VENV/bin/python" ] || [ "$(cat "$GT_VENV/.gt-pins" 2>/dev/null)" != "$pins_stamp" ]; then
  log "making the Python venv $GT_VENV (${PY_PINS[*]})"
  rm -rf "$GT_VENV"
  if ! "$GT_PYTHON_BASE" -m venv "$GT_VENV" >/dev/null 2>&1; then
    apt_install python3-venv
    rm -rf "$GT_VENV"; "$GT_PYTHON_BASE" -m venv "$GT_VENV"
  fi
  "$GT_VENV/bin/python" -m pip install -q --disable-pip-version-check --no-input "${PY_PINS[@]}" >&2
  echo "$pins_stamp" >"$GT_VENV/.gt-pins"
fi
extra_stamp=$(printf '%s\n' "${PY_EXTRA_PINS[@]}")
if [ "$(cat "$GT_VENV/.gt-extra-pins" 2>/dev/null)" != "$extra_stamp" ]; then
  log "adding to the venv: ${PY_EXTRA_PINS[*]}"
  if timeout 300 "$GT_VENV/bin/python" -m pip install -q --disable-pip-version-check --no-input "${PY_EXTRA_PINS[@]}" >&2; then
    echo "$extra_stamp" >"$GT_VENV/.gt-extra-pins"
  else
    log "SKIP ${PY_EXTRA_PINS[*]}: pip install failed (their ground-truth cells will SKIP)"
  fi
fi
[ "$IS_ROOT" = 1 ] && chmod -R a+rX "$GT_VENV" 2>/dev/null || true

# 6b. The Node clients for the NL010 cells (node-postgres, postgres.js), into the cache. Failure is a
# loud SKIP, not a CI failure: the test itself retries and then SKIPs each node cell with the reason.
NODE_PINS="pg@8.23.1 postgres@3.4.9"
if [ "$(cat "$GT_CACHE/nl010-node/.gt-pins" 2>/dev/null)" != "$NODE_PINS" ]; then
  if command -v npm >/dev/null 2>&1; then
    mkdir -p "$GT_CACHE/nl010-node"
    # shellcheck disable=SC2086
    if timeout 180 npm install --loglevel=error --no-audit --no-fund --ignore-scripts \
         --prefix "$GT_CACHE/nl010-node" $NODE_PINS >&2; then
      printf '%s' "$NODE_PINS" >"$GT_CACHE/nl010-node/.gt-pins"
    else
      log "SKIP node clients: npm install $NODE_PINS failed (the NL010 node cells will SKIP)"
    fi
  else
    log "SKIP node clients: npm is not installed (the NL010 node cells will SKIP)"
  fi
fi

# ---------------------------------------------------------------------------------------------------------------
# 7. The env file
# ---------------------------------------------------------------------------------------------------------------
umask 022
{
  echo "# written by .ci/servers/start.sh; source it before the ground-truth tests"
  echo "export NEON_LINT_GROUND_TRUTH=1"
  echo "export GT_DIR='$GT_DIR'"
  echo "export GT_CA_FILE='$CERTS/ca.crt'"
  echo "export GT_PG_VERSION='$PG_VERSION'"
  echo "export GT_PG_PORT=$PG_PORT"
  echo "export GT_PG_USER=app"
  echo "export GT_PG_PASSWORD='$APP_PASSWORD'"
  echo "export GT_PG_DBNAME=appdb"
  echo "export GT_PG_DIRECT_URL='postgresql://app:$APP_PASSWORD@127.0.0.1:$PG_PORT/appdb?sslmode=require'"
  echo "export GT_BOUNCER_PORT=$BOUNCER_PORT"
  echo "export GT_PGBOUNCER_VERSION='$PGB_DEBIAN_VERSION'"
  echo "export GT_PG_POOLED_URL='postgresql://app:$APP_PASSWORD@127.0.0.1:$BOUNCER_PORT/appdb?sslmode=require'"
  if [ -n "$BOUNCER_PS_PORT" ]; then
    echo "export GT_BOUNCER_PS_PORT=$BOUNCER_PS_PORT"
    echo "export GT_PGBOUNCER_PS_VERSION='$PGB_PS_VERSION'"
    echo "export GT_PG_POOLED_PS_URL='postgresql://app:$APP_PASSWORD@127.0.0.1:$BOUNCER_PS_PORT/appdb?sslmode=require'"
  fi
  echo "export GT_PG_RESTART_PORT=$PG_RESTART_PORT"
  echo "export GT_PG_RESTART_URL='postgresql://app:$APP_PASSWORD@127.0.0.1:$PG_RESTART_PORT/appdb?sslmode=require'"
  echo "export GT_PG_RESTART_CMD='$GT_DIR/pg-restart.sh'"
  echo "export GT_PYTHON='$GT_VENV/bin/python'"
  echo "# host:port lists, for a neon-lint config that maps these servers to Neon's pooled / direct roles"
  echo "export GT_POOLED_HOSTS='127.0.0.1:$BOUNCER_PORT${BOUNCER_PS_PORT:+,127.0.0.1:$BOUNCER_PS_PORT}'"
  echo "export GT_DIRECT_HOSTS='127.0.0.1:$PG_PORT,127.0.0.1:$PG_RESTART_PORT'"
} >"$ENV_FILE"

# Final smoke test through every endpoint, verifying the certificate.
for port in "$PG_PORT" "$PG_RESTART_PORT" "$BOUNCER_PORT" $BOUNCER_PS_PORT; do
  PGPASSWORD=$APP_PASSWORD psql "postgresql://app@127.0.0.1:$port/appdb?sslmode=verify-full&sslrootcert=$CERTS/ca.crt" \
    -XAtqc 'select 1' >/dev/null || die "smoke test on 127.0.0.1:$port failed"
done
log "ready: . $ENV_FILE"
echo "$ENV_FILE"
