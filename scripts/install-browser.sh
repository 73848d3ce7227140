#!/usr/bin/env bash
# Debian's Chromium for the browser tests, PNG export (kaleido) and the PDF report, plus CJK
# fonts so that Chinese pages, maps and reports render. Idempotent: does nothing when both are
# there. Never downloads a browser build of its own (no `playwright install`): only Debian
# packages.
set -euo pipefail

CHROMIUM=/usr/bin/chromium
PACKAGES=(chromium fonts-noto-cjk)

fonts_present() { fc-list :lang=zh 2>/dev/null | grep -q "Noto Sans CJK"; }

if [[ -x "$CHROMIUM" ]] && fonts_present; then
  echo "chromium: $("$CHROMIUM" --version 2>/dev/null || echo present) at $CHROMIUM; CJK fonts present"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-browser: $CHROMIUM or the CJK fonts are missing and apt-get is not" \
       "available; install Debian's ${PACKAGES[*]} by other means." >&2
  exit 1
fi

SUDO=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
  else
    echo "install-browser: installing ${PACKAGES[*]} needs root (or sudo)." >&2
    exit 1
  fi
fi

echo "install-browser: installing ${PACKAGES[*]} from Debian's packages"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update
"${SUDO[@]}" apt-get install -y --no-install-recommends "${PACKAGES[@]}"

if [[ ! -x "$CHROMIUM" ]]; then
  echo "install-browser: apt-get finished but $CHROMIUM is still missing." >&2
  exit 1
fi
echo "chromium: $("$CHROMIUM" --version) at $CHROMIUM"
