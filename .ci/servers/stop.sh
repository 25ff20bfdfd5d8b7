#!/usr/bin/env bash
# Tear down what .ci/servers/start.sh started: both PgBouncers, both PostgreSQL clusters, and the scratch dir
# "$GT_DIR" (only if it carries start.sh's mark). Kills only the processes named in our own pid files.
#   --purge   also delete the kept cache (venv, PgBouncer build) in "$GT_CACHE"
set -uo pipefail

GT_DIR=${GT_DIR:-/tmp/neon-lint-gt}
GT_CACHE=${GT_CACHE:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/neon-lint-gt}
PURGE=0
for a in "$@"; do
  case "$a" in
    --purge) PURGE=1 ;;
    *) echo "usage: $0 [--purge]" >&2; exit 2 ;;
  esac
done
log() { echo "[gt] $*" >&2; }

IS_ROOT=0; [ "$(id -u)" = 0 ] && IS_ROOT=1
as_owner() { if [ "$IS_ROOT" = 1 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

# A pid from one of our pid files, only if that process still is what the file says it is.
our_pid() { # pidfile name-fragment
  local f=$1 frag=$2 pid
  [ -s "$f" ] || return 1
  pid=$(head -1 "$f" | tr -dc 0-9)
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "$frag" || return 1
  echo "$pid"
}

if [ -d "$GT_DIR" ]; then
  cd "$GT_DIR" 2>/dev/null || cd /
  for b in bouncer bouncer-ps; do
    if pid=$(our_pid "$GT_DIR/$b/pgbouncer.pid" "$GT_DIR/$b/pgbouncer.ini"); then
      kill -INT "$pid" 2>/dev/null   # SIGINT: PgBouncer's immediate shutdown
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
      log "stopped PgBouncer ($b, pid $pid)"
    fi
  done
  PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  for c in pg pg-restart; do
    data="$GT_DIR/$c/data"
    if [ -f "$data/postmaster.pid" ] && [ -n "$PGBIN" ]; then
      as_owner "$PGBIN/pg_ctl" -D "$data" -m immediate -w -t 30 stop >/dev/null 2>&1 && log "stopped PostgreSQL ($c)"
      # pg_ctl could not do it (e.g. not the owner): fall back to the postmaster pid, if it is ours.
      if pid=$(our_pid "$data/postmaster.pid" "$data"); then kill -QUIT "$pid" 2>/dev/null; sleep 0.5; fi
    fi
  done
  if [ -f "$GT_DIR/.neon-lint-gt" ]; then
    rm -rf "$GT_DIR"
    log "removed $GT_DIR"
  elif [ -n "$(ls -A "$GT_DIR" 2>/dev/null)" ]; then
    log "left $GT_DIR in place: it was not made by start.sh"
  fi
fi

if [ "$PURGE" = 1 ] && [ -d "$GT_CACHE" ]; then
  case "$GT_CACHE" in
    */neon-lint-gt) rm -rf "$GT_CACHE"; log "removed $GT_CACHE" ;;
    *) log "not purging $GT_CACHE (does not end in /neon-lint-gt)" ;;
  esac
fi
exit 0
