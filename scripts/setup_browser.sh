#!/usr/bin/env bash
# A real Chromium for the browser tests, and fonts that draw Chinese (the zh UI and exercise statements).
# Debian as root: Debian's chromium and fonts-noto-cjk packages. Elsewhere: Playwright's own build.
# `--system`: only Debian's packages (needs no venv, so make runs it while pip installs); a later call without
# it finds them, or falls back to Playwright's build.
set -eu
PY=${1:-.venv/bin/python}
apt_install() {
  apt-get install -y -qq "$@" >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq "$@"; }
}
as_root_on_debian() {
  command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]
}
if [ "$PY" = --system ]; then
  if as_root_on_debian; then
    command -v chromium >/dev/null 2>&1 || apt_install chromium
    { command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list :lang=zh family)" ]; } || apt_install fonts-noto-cjk
  fi
  exit 0
fi
if command -v chromium >/dev/null 2>&1; then
  echo "Chromium: $(command -v chromium)"
elif as_root_on_debian; then
  echo "Chromium: installing Debian's chromium package"
  apt_install chromium
else
  echo "Chromium: installing Playwright's build"
  "$PY" -m playwright install chromium
fi
if command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list :lang=zh family)" ]; then
  echo "CJK fonts: $(fc-list :lang=zh family | head -1)"
elif as_root_on_debian; then
  echo "CJK fonts: installing Debian's fonts-noto-cjk package"
  apt_install fonts-noto-cjk
else
  echo "CJK fonts: none found; Chinese text will show as boxes. Install Noto Sans CJK (e.g. fonts-noto-cjk)."
fi
