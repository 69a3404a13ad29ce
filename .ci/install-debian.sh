#!/bin/sh
# Install Debian packages the tests drive, only those missing (so it is fast when they are there).
#   sh .ci/install-debian.sh PATH=PACKAGE ... PACKAGE ...   e.g. /usr/bin/chromium=chromium python3-venv
# A PATH that already exists skips its PACKAGE, and so does a PACKAGE (given alone) that dpkg has
# installed; the rest are installed with apt-get (through sudo when not root), after one
# `apt-get update`. Messages go to stderr.
set -eu
missing=""
for pair in "$@"; do
  case "$pair" in
    *=*) path="${pair%%=*}"; package="${pair#*=}"; [ -e "$path" ] && continue ;;
    *) package="$pair"
       dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" && continue ;;
  esac
  missing="$missing $package"
done
[ -z "$missing" ] && exit 0
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "installing Debian packages:$missing" >&2
$SUDO apt-get update >&2
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends $missing >&2
