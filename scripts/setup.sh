#!/usr/bin/env bash
# Installs what admsim needs on a fresh Debian bookworm machine: C++ libraries from Debian,
# Python packages from PyPI; with --browser, only chromium (the tests load the HTML report in it,
# the demo does not). Safe to run again: it skips what is already there.
set -euo pipefail
PY=${PYTHON:-python3}

debs="g++ cmake libeigen3-dev libtbb-dev nlohmann-json3-dev catch2"
# The tests load the HTML report in a headless browser; the demo does not need one.
if [ "${1:-}" = "--browser" ]; then debs="chromium"; fi
missing=""
for pkg in $debs; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing="$missing $pkg"
done
# cmake may come from pip instead of Debian; only ask apt for it if there is none at all.
if command -v cmake >/dev/null 2>&1; then missing=${missing/ cmake/}; fi
if [ -n "${missing// /}" ]; then
  echo "setup: installing Debian packages:$missing"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
fi
[ "${1:-}" = "--browser" ] && exit 0

# pip skips what is already satisfied, so this is quick on a machine that has everything.
echo "setup: checking Python packages (requirements-dev.txt)"
PIP_ROOT_USER_ACTION=ignore $PY -m pip install -q --disable-pip-version-check -r requirements-dev.txt
