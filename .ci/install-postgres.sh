#!/bin/sh
# A throwaway PostgreSQL server for the tests of the shared submissions database
# (DEVOLUTION_DB_URL; tests/web/test_submissions_backends.py starts it through a session fixture).
#
#   sh .ci/install-postgres.sh          install Debian's postgresql if missing, start a cluster on
#                                       127.0.0.1 (a free port, a new temporary directory, run as the
#                                       unprivileged `postgres` user when called as root) and print
#                                         DEVOLUTION_DB_URL=postgresql://devolution:...@127.0.0.1:PORT/devolution
#                                         DEVOLUTION_PG_DIR=/tmp/devolution-pg.XXXXXX
#   sh .ci/install-postgres.sh stop DIR stop that cluster and delete its directory
#
# Only those two lines go to stdout; apt-get and the server's messages go to stderr.
set -eu

bindir() {
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && { echo "$d"; return 0; }
  done
  return 1
}

as_owner() {  # run a command as the cluster's owner (initdb and postgres refuse to run as root)
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if [ "${1:-}" = "stop" ]; then
  dir="${2:?usage: install-postgres.sh stop DIR}"
  BIN="$(bindir)"
  as_owner "$BIN/pg_ctl" -D "$dir/data" -m immediate -w stop >&2 || true
  rm -rf "$dir"
  exit 0
fi

if ! BIN="$(bindir)"; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends postgresql >&2
  BIN="$(bindir)"
fi

dir="$(mktemp -d "${TMPDIR:-/tmp}/devolution-pg.XXXXXX")"
chmod 755 "$dir"
password="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
printf '%s\n' "$password" > "$dir/password"
[ "$(id -u)" -eq 0 ] && chown -R postgres "$dir"
chmod 600 "$dir/password"

port="${PGPORT_WANTED:-}"
if [ -z "$port" ]; then
  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
fi

as_owner "$BIN/initdb" -D "$dir/data" -U devolution --auth=scram-sha-256 --pwfile="$dir/password" \
  --encoding=UTF8 --locale=C >&2
as_owner "$BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=50" start >&2 || {
  cat "$dir/server.log" >&2; exit 1; }
PGPASSWORD="$password" "$BIN/createdb" -h 127.0.0.1 -p "$port" -U devolution devolution >&2

echo "DEVOLUTION_DB_URL=postgresql://devolution:$password@127.0.0.1:$port/devolution"
echo "DEVOLUTION_PG_DIR=$dir"
