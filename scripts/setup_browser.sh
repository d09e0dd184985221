#!/usr/bin/env bash
# A real Chromium for the browser tests.
# Debian as root: Debian's chromium package. Elsewhere: Playwright's own build.
set -eu
PY=${1:-.venv/bin/python}
if command -v chromium >/dev/null 2>&1; then
  echo "Chromium: $(command -v chromium)"
  exit 0
fi
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "Chromium: installing Debian's chromium package"
  apt-get install -y -qq chromium >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq chromium; }
else
  echo "Chromium: installing Playwright's build"
  "$PY" -m playwright install chromium
fi
