#!/bin/sh
# Install Debian's Chromium for the web tests (tests/web/ drive /usr/bin/chromium with Playwright;
# `playwright install` is never used) and a font for its screenshots. Does nothing when both are
# there, so `make test` calls it on every run.
set -eu
sh "$(dirname "$0")/install-debian.sh" /usr/bin/chromium=chromium \
  /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf=fonts-dejavu-core
/usr/bin/chromium --version >/dev/null 2>&1 || { echo "/usr/bin/chromium does not run" >&2; exit 1; }
