# Shared set-up for scripts/run and scripts/test. Source it; it defines functions only.
#
# Every function prefers what the operator gave (REDIS_URL, DATABASE_URL), then a server
# already listening on the standard port, and only then starts a throwaway server of its own,
# installing Debian's package with apt if the binary is missing. Throwaway servers are stopped
# when the calling script exits.

PULSE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PULSE_PYTHON="${PULSE_PYTHON:-python3.11}"
PULSE_CLEANUP=()

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

pulse_cleanup() {
  local command
  for command in "${PULSE_CLEANUP[@]:-}"; do
    [ -n "$command" ] && eval "$command" >/dev/null 2>&1 || true
  done
}
trap pulse_cleanup EXIT

# ensure_venv LOCK_FILE: create .venv if missing; reinstall when a lock changes. The locks
# (requirements.txt, requirements-dev.txt) pin every transitive dependency with its hashes, so
# pip refuses anything that is not exactly what was locked.
ensure_venv() {
  local requirements="$1"
  command -v "$PULSE_PYTHON" >/dev/null 2>&1 || PULSE_PYTHON=python3
  if [ ! -x "$PULSE_ROOT/.venv/bin/python" ]; then
    say "Creating .venv with $PULSE_PYTHON"
    "$PULSE_PYTHON" -m venv "$PULSE_ROOT/.venv"
  fi
  local stamp="$PULSE_ROOT/.venv/.installed-$(cat "$PULSE_ROOT"/requirements*.txt | sha256sum | cut -c1-16)-$(basename "$requirements")"
  if [ ! -f "$stamp" ]; then
    say "Installing $(basename "$requirements")"
    "$PULSE_ROOT/.venv/bin/python" -m pip install --quiet --disable-pip-version-check \
      --require-hashes -r "$PULSE_ROOT/$requirements"
    touch "$stamp"
  fi
  export PATH="$PULSE_ROOT/.venv/bin:$PATH"
}

# port_open HOST PORT: is something accepting TCP connections there?
port_open() {
  python3 - "$1" "$2" <<'PY'
import socket, sys
try:
    socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=1).close()
except OSError:
    sys.exit(1)
PY
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

apt_install() {
  say "Installing Debian package(s): $*"
  if [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
  else
    sudo DEBIAN_FRONTEND=noninteractive apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
  fi
}

# ensure_redis DB_NUMBER: export REDIS_URL for a reachable Redis.
ensure_redis() {
  local db="${1:-0}"
  if [ -n "${REDIS_URL:-}" ] && [ -z "${PULSE_OWN_SERVICES:-}" ]; then
    say "Using Redis at REDIS_URL"
    return
  fi
  if [ -z "${PULSE_OWN_SERVICES:-}" ] && port_open 127.0.0.1 6379; then
    export REDIS_URL="redis://127.0.0.1:6379/$db"
    say "Using the Redis already listening on 127.0.0.1:6379 (database $db)"
    return
  fi
  command -v redis-server >/dev/null 2>&1 || apt_install redis-server
  local port dir
  port="$(free_port)"
  dir="$(mktemp -d "${TMPDIR:-/tmp}/pulse-redis.XXXXXX")"
  redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
    --dir "$dir" --pidfile "$dir/redis.pid" --logfile "$dir/redis.log"
  PULSE_CLEANUP+=("kill \$(cat '$dir/redis.pid'); rm -rf '$dir'")
  for _ in $(seq 50); do port_open 127.0.0.1 "$port" && break; sleep 0.1; done
  export REDIS_URL="redis://127.0.0.1:$port/$db"
  say "Started a throwaway Redis on port $port"
}

# redis_url_with_db URL DB_NUMBER: the same Redis server, another database number.
redis_url_with_db() {
  local url="$1" db="$2" rest
  rest="${url#redis://}"
  rest="${rest#rediss://}"
  if [[ "$rest" == */* ]]; then
    printf '%s/%s\n' "${url%/*}" "$db"
  else
    printf '%s/%s\n' "$url" "$db"
  fi
}

# run_tagged TAG COMMAND...: run COMMAND with every line of its output prefixed "[TAG] ", so
# that two runs side by side can be told apart; the exit status is COMMAND's.
run_tagged() {
  local tag="$1"
  shift
  ( set -o pipefail; "$@" 2>&1 | sed -u "s/^/[$tag] /" )
}

# ensure_postgres DBNAME: export DATABASE_URL for a reachable PostgreSQL.
ensure_postgres() {
  local name="${1:-pulse}"
  if [[ "${DATABASE_URL:-}" == postgres* ]] && [ -z "${PULSE_OWN_SERVICES:-}" ]; then
    say "Using PostgreSQL at DATABASE_URL"
    return
  fi
  if [ -z "${PULSE_OWN_SERVICES:-}" ] && port_open 127.0.0.1 5432; then
    export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$name"
    say "Using the PostgreSQL already listening on 127.0.0.1:5432"
    return
  fi
  local bindir
  bindir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  if [ -z "$bindir" ]; then
    apt_install postgresql
    bindir="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
  fi
  local port dir as_owner=()
  port="$(free_port)"
  dir="$(mktemp -d "${TMPDIR:-/tmp}/pulse-postgres.XXXXXX")"
  if [ "$(id -u)" = 0 ]; then
    # PostgreSQL refuses to run as root: run the throwaway cluster as the postgres user.
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    chown postgres "$dir"
    as_owner=(runuser -u postgres --)
  fi
  "${as_owner[@]}" "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 >/dev/null
  "${as_owner[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
  PULSE_CLEANUP+=("${as_owner[*]} '$bindir/pg_ctl' -D '$dir/data' -m immediate stop; rm -rf '$dir'")
  export DATABASE_URL="postgres://postgres@127.0.0.1:$port/$name"
  say "Started a throwaway PostgreSQL on port $port"
}
