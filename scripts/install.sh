#!/usr/bin/env bash
# Install everything flow_nb and its tests need, on a fresh Debian-like machine or an existing one:
# the browser for the JupyterLab tests (Debian's Chromium; Playwright never downloads one here),
# PostgreSQL (the server's tests start a throwaway cluster of their own) and curl, then the package
# itself with its development extras.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
[ -x /usr/bin/chromium ] || need+=(chromium chromium-driver)
command -v curl >/dev/null || need+=(curl)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
if [ ${#need[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
  else
    echo "install.sh: please install ${need[*]} (the browser tests need Debian's chromium, the server's PostgreSQL)" >&2
  fi
fi

command -v npm >/dev/null || {
  echo "install.sh: flow_nb's JupyterLab extension is built with Node.js (>= 20) and npm; install them" >&2
  exit 1
}
python -m pip install -q -e ".[dev]"
