#!/usr/bin/env bash
# Prepare a fresh machine for Hemicycle: system packages (when root), the
# .venv in the checkout, the Python package, the browser apps' build.
# Idempotent: each step checks before it acts, so `make` stays fast.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(portaudio19-dev espeak-ng sox libsox-fmt-all chromium fonts-khmeros
              poppler-utils alsa-utils redis-server postgresql nodejs npm)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  # Node and PostgreSQL may come from elsewhere on the machine; only ask apt
  # for what no binary on PATH provides.
  need=()
  for p in "${missing[@]}"; do
    case "$p" in
      nodejs) command -v node >/dev/null || need+=("$p") ;;
      npm) command -v npm >/dev/null || need+=("$p") ;;
      postgresql) command -v pg_ctl >/dev/null || ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || need+=("$p") ;;
      redis-server) command -v redis-server >/dev/null || need+=("$p") ;;
      *) need+=("$p") ;;
    esac
  done
  if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then
      echo "setup: installing system packages: ${need[*]}"
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
    else
      echo "setup: missing system packages (run as root or install): ${need[*]}" >&2
      exit 1
    fi
  fi
fi

PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
stamp=.venv/.hemicycle-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "setup: installing Python packages into .venv"
  .venv/bin/pip install -q --upgrade pip
  .venv/bin/pip install -q -e '.[dev]'
  touch "$stamp"
fi

# The reference Node.js integration (examples/node-seat): socket.io-client, and the
# AsyncAPI parser that validates the protocol document in the tests.
if [ -f examples/node-seat/package.json ]; then
  (cd examples/node-seat
   if [ ! -d node_modules ] || [ package.json -nt node_modules ]; then
     npm ci --no-audit --no-fund --loglevel=error || npm install --no-audit --no-fund --loglevel=error
     touch node_modules
   fi)
fi

if [ -f web/package.json ]; then
  (cd web
   if [ ! -d node_modules ] || [ package.json -nt node_modules ]; then
     npm ci --no-audit --no-fund --loglevel=error || npm install --no-audit --no-fund --loglevel=error
     touch node_modules
   fi
   npm run -s build)
fi
