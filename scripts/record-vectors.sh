#!/usr/bin/env bash
# Re-records the golden vectors (test/vectors/<rq version>/) from the RQ installs scripts/bootstrap.sh made:
# for every version in .venv/rq-versions.json, scripts/record-vectors.py enqueues each scenario with that
# version's Python API and runs that version's real `rq worker --burst` against a private redis-server,
# dumping Redis before and after. See test/vectors/README.md for when to do it.
#
#   bash scripts/record-vectors.sh [--out DIR] [--version 2.12.0 ...] [--only CASE ...]
#
# --out defaults to test/vectors (each version's folder is replaced); --version picks manifest versions;
# --only records just the named cases (e.g. `--only plain fail`).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/test/vectors"
versions=()
only=()
while [ $# -gt 0 ]; do
  case "$1" in
    --out) OUT="$(realpath -m "$2")"; shift 2 ;;
    --version) versions+=("$2"); shift 2 ;;
    --only) shift; while [ $# -gt 0 ] && [ "${1#--}" = "$1" ]; do only+=("$1"); shift; done ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

MANIFEST="$ROOT/.venv/rq-versions.json"
[ -e "$MANIFEST" ] || { echo "no $MANIFEST: run scripts/bootstrap.sh first" >&2; exit 1; }

# A private redis-server on a free port, with nothing persisted, stopped on exit.
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
workdir="$(mktemp -d)"
redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no --dir "$workdir" --daemonize no \
  >"$workdir/redis.log" 2>&1 &
redis_pid=$!
cleanup() { kill "$redis_pid" 2>/dev/null || true; wait "$redis_pid" 2>/dev/null || true; rm -rf "$workdir"; }
trap cleanup EXIT
for _ in $(seq 100); do
  redis-cli -p "$port" ping >/dev/null 2>&1 && break
  sleep 0.1
done
redis-cli -p "$port" ping >/dev/null

# The top-level files are not recorded (see the README); a recording elsewhere gets copies, so the tests
# can run against it with RQTS_VECTORS.
mkdir -p "$OUT"
if [ "$OUT" != "$ROOT/test/vectors" ]; then cp "$ROOT"/test/vectors/*.json "$ROOT/test/vectors/README.md" "$OUT/"; fi

# One line per install: version, python, rq.
rows="$(python3 -c '
import json, sys
for r in json.load(open(sys.argv[1])):
    print(r["version"], r["python"], r["rq"])
' "$MANIFEST")"

export PYTHONPATH="$ROOT/test/python${PYTHONPATH:+:$PYTHONPATH}"
while read -r version python rq; do
  if [ "${#versions[@]}" -gt 0 ] && [[ ! " ${versions[*]} " == *" $version "* ]]; then continue; fi
  dest="$OUT/$version"
  echo "[vectors] RQ $version -> $dest"
  tmp="$OUT/.$version.tmp"
  rm -rf "$tmp"
  # --only keeps the version's other files; a full run replaces the folder.
  if [ "${#only[@]}" -gt 0 ] && [ -d "$dest" ]; then cp -r "$dest" "$tmp"; fi
  "$python" "$ROOT/scripts/record-vectors.py" --port "$port" --rq "$rq" --out "$tmp" ${only[@]+--only "${only[@]}"}
  rm -rf "$dest"
  mv "$tmp" "$dest"
done <<<"$rows"
