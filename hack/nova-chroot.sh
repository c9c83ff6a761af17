#!/usr/bin/env bash
# Builds a Debian chroot with one real Nova release installed from Debian's
# archive, with its unit and functional tests and what they need:
#
#   bash hack/nova-chroot.sh SUITE DIR
#
#   SUITE  bookworm: Nova 26.x (Zed; bookworm, bookworm-updates and
#                    bookworm-security, which bring 26.2.2)
#          trixie:   Nova 31.x (2025.1; trixie alone, which has 31.0.0-6+deb13u3)
#          sid:      Nova 34.x (2026.2; sid's Release file can be past its
#                    Valid-Until date on a mirror that lags, so it is not
#                    checked: signatures still are, with Debian's keyring)
#   DIR    where the chroot goes: absent or empty, or already such a chroot,
#          which is then left as it is ("skipped")
#
# The chroot is what gpupass's oracles run Nova's own code in
# (testdata/novaconf/oracle.py with `chroot DIR /usr/bin/python3`), and what
# GPUPASS_NOVA_CHROOTS names: a directory with bookworm/, trixie/ and sid/
# built by this script. It is mmdebstrap's minbase variant with
# python3-nova and the test libraries Nova's own tests import; nothing is
# mounted and nothing is started in it. Needs root and mmdebstrap (installed
# from Debian's archive when missing). Prints how long it took. Exit 1 with
# the reason on stderr when it cannot make the chroot.
set -euo pipefail

die() { echo "nova-chroot: $*" >&2; exit 1; }

[ $# -eq 2 ] || die "usage: bash hack/nova-chroot.sh bookworm|trixie|sid DIR"
suite=$1
dir=$2

# The Nova major version each suite ships, and the sources it comes from.
mirror=http://deb.debian.org/debian
security=http://deb.debian.org/debian-security
aptopts=()
case $suite in
  bookworm)
    major=26
    sources=("deb $mirror bookworm main" "deb $mirror bookworm-updates main" "deb $security bookworm-security main")
    ;;
  trixie)
    major=31
    sources=("deb $mirror trixie main")
    ;;
  sid)
    major=34
    sources=("deb $mirror sid main")
    aptopts=(--aptopt='Acquire::Check-Valid-Until "false"')
    ;;
  *) die "unknown suite \"$suite\": want bookworm (Nova 26, Zed), trixie (Nova 31, 2025.1) or sid (Nova 34, 2026.2)" ;;
esac

# Nova, and what its unit and functional tests import beyond Nova's own
# dependencies.
packages=python3-nova,python3-wsgi-intercept,python3-oslotest,python3-testtools,python3-fixtures,python3-testscenarios,python3-ddt,python3-requests-mock,python3-stestr,python3-placement

start=$(date +%s)

# installed prints the python3-nova version DIR has, or nothing.
installed() {
  [ -f "$dir/usr/lib/python3/dist-packages/nova/__init__.py" ] || return 0
  dpkg-query --admindir="$dir/var/lib/dpkg" -W -f='${Status} ${Version}\n' python3-nova 2>/dev/null |
    awk '$1 == "install" && $3 == "installed" {print $4}'
}

have=$(installed)
if [ -n "$have" ]; then
  epochless=${have#*:}
  if [ "${epochless%%.*}" != "$major" ]; then
    die "$dir has python3-nova $have, not Nova $major as $suite ships: remove it or give another DIR"
  fi
  missing=()
  for p in ${packages//,/ }; do
    dpkg-query --admindir="$dir/var/lib/dpkg" -W -f='${Status}\n' "$p" 2>/dev/null | grep -q ' installed$' || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    die "$dir has python3-nova $have but not ${missing[*]}: remove it (rm -rf $dir) and run again"
  fi
  echo "nova-chroot: $dir already has python3-nova $have ($suite): skipped in $(($(date +%s) - start)) s"
  exit 0
fi

if [ -e "$dir" ] && [ -n "$(ls -A "$dir" 2>/dev/null)" ]; then
  die "$dir is not empty and has no complete python3-nova $major chroot (an interrupted build?): remove it (rm -rf $dir) and run again"
fi
[ "$(id -u)" = 0 ] || die "needs root (mmdebstrap's root mode, and chroot to use it)"
if ! command -v mmdebstrap >/dev/null 2>&1; then
  echo "nova-chroot: installing mmdebstrap"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mmdebstrap >/dev/null ||
    die "could not install mmdebstrap from Debian's archive"
fi

mkdir -p "$dir"
echo "nova-chroot: building $suite (Nova $major) in $dir"
if ! mmdebstrap --variant=minbase "${aptopts[@]}" --include="$packages" "$suite" "$dir" "${sources[@]}"; then
  die "mmdebstrap failed for $suite in $dir (see its messages above); $dir is left for inspection: remove it before running again"
fi

have=$(installed)
epochless=${have#*:}
if [ -z "$have" ] || [ "${epochless%%.*}" != "$major" ]; then
  die "$dir was built but has python3-nova \"$have\", not Nova $major: has $suite moved on? (apt-cache policy python3-nova in the chroot says what it offers)"
fi
echo "nova-chroot: $dir has python3-nova $have ($suite), built in $(($(date +%s) - start)) s"
