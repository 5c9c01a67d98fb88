#!/usr/bin/env bash
# Installs what `npm test`, `npm run demo` and `.ci/run` need, and nothing when it is all there already:
#   - node_modules (npm ci) when missing or older than package-lock.json;
#   - Debian redis-server (the tests start their own servers; the system service is never started);
#   - Debian python3-rq (RQ 1.13 on /usr/bin/python3) when apt has it;
#   - one Python venv per pinned RQ version under .venv/, re-created only when its pin changes;
#   - .venv/rq-versions.json, the manifest test/helpers reads (exact versions, absolute paths).
# Works from any cwd, as root or through sudo, with no stdin (CI).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# label | pip requirements (the venv is re-created whenever this line changes). Each RQ gets a redis-py and
# click of its own era: 2.12 takes what pip resolves today (redis-py 8.x); 1.16.2 (Feb 2024) gets redis-py 5.x,
# and click < 8.2 because click 8.2 warns about rq 1.16's duplicated --serializer option on every start.
# Debian's RQ 1.13 brings redis-py 4.3.4, so the three installs span redis-py 4, 5 and 8.
# The 2.12 venv also has the OpenTelemetry SDK and opentelemetry-instrumentation-rq, for the trace test.
VENVS=(
  "rq-2.12|rq==2.12.* redis<9 opentelemetry-sdk~=1.28 opentelemetry-instrumentation-rq==0.1.4"
  "rq-1.16.2|rq==1.16.2 redis>=5,<6 click<8.2"
)
VENV_DIR="$ROOT/.venv"
MANIFEST="$VENV_DIR/rq-versions.json"
PYTHON="${RQTS_PYTHON:-python3}"
DEBIAN_PYTHON=/usr/bin/python3
DEBIAN_RQ=/usr/bin/rq

export DEBIAN_FRONTEND=noninteractive PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore PIP_NO_INPUT=1

say() { echo "[bootstrap] $*"; }
installed=()
started=$SECONDS

mkdir -p "$VENV_DIR"
# Two `npm test` runs at once must not build the same venv twice.
exec 9>"$VENV_DIR/.bootstrap.lock"
flock 9

# ---------------------------------------------------------------- npm
# npm rewrites node_modules/.package-lock.json on every install, so it serves as the stamp.
if [ ! -d node_modules ] || [ ! -e node_modules/.package-lock.json ] \
  || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  touch node_modules/.package-lock.json
  installed+=("node_modules")
fi

# ---------------------------------------------------------------- apt
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo -n "$@"
  else say "need root for: $*"; return 1
  fi
}

apt_updated=0
apt_update() {
  if [ "$apt_updated" -eq 0 ]; then
    say "apt-get update"
    as_root apt-get update -qq || return 1
    apt_updated=1
  fi
}

# Install Debian packages without letting their postinst start services (policy-rc.d 101 = "don't").
apt_install() {
  local made_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    as_root sh -c 'printf "#!/bin/sh\nexit 101\n" > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d'
    made_policy=1
  fi
  local rc=0
  as_root apt-get install -y -qq --no-install-recommends "$@" >/dev/null || rc=$?
  if [ "$made_policy" -eq 1 ]; then as_root rm -f /usr/sbin/policy-rc.d; fi
  return "$rc"
}

deb_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

if ! command -v redis-server >/dev/null 2>&1; then
  apt_update
  say "apt-get install redis-server"
  apt_install redis-server
  # Belt and braces: if a service manager started it anyway, stop it; tests run private servers.
  if [ -d /run/systemd/system ]; then
    as_root systemctl disable --now redis-server >/dev/null 2>&1 || true
  else
    as_root service redis-server stop >/dev/null 2>&1 || true
  fi
  installed+=("redis-server $(redis-server --version | sed -n 's/.* v=\([^ ]*\).*/\1/p')")
fi

# Debian's RQ 1.13 is optional: skip quietly where apt has no such package. A marker remembers "not
# available" so warm runs don't pay for apt-get update again.
NO_DEB_RQ="$VENV_DIR/.no-python3-rq"
if ! deb_installed python3-rq && [ ! -e "$NO_DEB_RQ" ]; then
  if ! apt_update; then
    say "apt-get update failed; continuing without RQ 1.13"
  elif apt-cache show python3-rq >/dev/null 2>&1; then
    say "apt-get install python3-rq"
    if apt_install python3-rq; then
      installed+=("python3-rq")
    else
      say "python3-rq failed to install; continuing without RQ 1.13"
    fi
  else
    say "apt has no python3-rq; continuing without RQ 1.13"
    touch "$NO_DEB_RQ"
  fi
fi

# ---------------------------------------------------------------- venvs
py_id="$("$PYTHON" -c 'import sys; print(sys.version.split()[0], sys.executable)')"
for entry in "${VENVS[@]}"; do
  label="${entry%%|*}"
  spec="${entry#*|}"
  dir="$VENV_DIR/$label"
  want="$spec | $py_id"
  if [ -x "$dir/bin/rq" ] && [ "$(cat "$dir/.rqts-spec" 2>/dev/null)" = "$want" ]; then
    continue
  fi
  say "creating $dir ($spec)"
  rm -rf "$dir"
  "$PYTHON" -m venv "$dir"
  # shellcheck disable=SC2086  # the spec is a list of requirement words
  "$dir/bin/python" -m pip install -q $spec
  printf '%s\n' "$want" >"$dir/.rqts-spec"
  installed+=("$label")
done

# ---------------------------------------------------------------- manifest
# Each interpreter reports its own exact rq and redis-py versions.
probe='import json, sys
from importlib import metadata
def v(name):
    try:
        return metadata.version(name)
    except Exception:
        mod = __import__(name)
        return getattr(mod, "__version__", None) or getattr(mod, "VERSION", "unknown")
print(json.dumps({"version": v("rq"), "redisPy": v("redis"), "python": sys.argv[1], "rq": sys.argv[2], "label": sys.argv[3]}))'

entries=()
if [ -x "$DEBIAN_RQ" ] && [ -x "$DEBIAN_PYTHON" ]; then
  entries+=("$("$DEBIAN_PYTHON" -c "$probe" "$DEBIAN_PYTHON" "$DEBIAN_RQ" "rq-debian")")
fi
for entry in "${VENVS[@]}"; do
  label="${entry%%|*}"
  dir="$VENV_DIR/$label"
  entries+=("$("$dir/bin/python" -c "$probe" "$dir/bin/python" "$dir/bin/rq" "$label")")
done
# Debian's label carries its version (rq-1.13.0) so tests can name it like the others.
printf '%s\n' "${entries[@]}" | "$PYTHON" -c '
import json, sys
rows = [json.loads(line) for line in sys.stdin if line.strip()]
for r in rows:
    if r["label"] == "rq-debian":
        r["label"] = "rq-%s" % r["version"]
rows.sort(key=lambda r: [int(p) if p.isdigit() else 0 for p in r["version"].split(".")], reverse=True)
keys = ["version", "label", "python", "rq", "redisPy"]
json.dump([{k: r[k] for k in keys} for r in rows], open(sys.argv[1] + ".tmp", "w"), indent=2)
print("RQ available: " + ", ".join("%s (redis-py %s, %s)" % (r["version"], r["redisPy"], r["label"]) for r in rows))
' "$MANIFEST" | sed 's/^/[bootstrap] /'
mv "$MANIFEST.tmp" "$MANIFEST"

if [ "${#installed[@]}" -eq 0 ]; then
  say "nothing to install; done in $((SECONDS - started))s"
else
  say "installed: $(IFS=,; echo "${installed[*]}" | sed 's/,/, /g'); done in $((SECONDS - started))s"
fi
