#!/usr/bin/env bash
# Re-make the corpus of Nova's own test inputs for one release:
#
#   bash testdata/novatests/extract.sh CHROOT OUT.jsonl
#
# CHROOT is a Debian chroot with python3-nova and its test dependencies
# (hack/nova-chroot.sh, or mmdebstrap as README.md says); OUT is written
# (the committed files are testdata/novatests/<release>.jsonl). The chroot
# is not changed: the inputs go to CHROOT/tmp/gpupass-novatests.XXXX and
# are removed after. Nova's functional tests import Placement's test
# fixtures: when the chroot lacks python3-placement, the suite's own
# python3-placement .deb is fetched with apt-get download (a private apt
# state under that directory) and unpacked there, not installed.
#
# Which tests run is modules.txt (one Python module per line; # comments).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
chroot_dir=${1:?usage: extract.sh CHROOT OUT.jsonl}
out=${2:?usage: extract.sh CHROOT OUT.jsonl}
[ -x "$chroot_dir/usr/bin/python3" ] || { echo "extract.sh: $chroot_dir has no /usr/bin/python3" >&2; exit 2; }

work=$(mktemp -d "$chroot_dir/tmp/gpupass-novatests.XXXXXX")
trap 'rm -rf "$work"' EXIT
inside=/tmp/$(basename "$work")
cp "$here/extract.py" "$here/api-paste.ini" "$work/"

mapfile -t modules < <(grep -v '^[[:space:]]*\(#\|$\)' "$here/modules.txt")

pythonpath=
if printf '%s\n' "${modules[@]}" | grep -q '^nova\.tests\.functional\.' &&
   ! chroot "$chroot_dir" python3 -c 'import placement.tests.functional.fixtures' >/dev/null 2>&1; then
  suite=$(chroot "$chroot_dir" sh -c '. /etc/os-release; echo "${VERSION_CODENAME:-sid}"')
  # sid's os-release has no VERSION_CODENAME; trixie/sid may both say trixie
  # before the release: the sources list says which archive it was built from.
  if grep -qs ' sid ' "$chroot_dir/etc/apt/sources.list" "$chroot_dir"/etc/apt/sources.list.d/* 2>/dev/null; then
    suite=sid
  fi
  apt=$work/apt
  mkdir -p "$apt/state/lists/partial" "$apt/cache/archives/partial" "$apt/debs"
  echo "deb http://deb.debian.org/debian $suite main" >"$apt/sources.list"
  O=(-o "Dir::State=$apt/state" -o "Dir::Cache=$apt/cache" -o "Dir::Etc::SourceList=$apt/sources.list"
     -o Dir::Etc::SourceParts=/nonexistent -o Acquire::Check-Valid-Until=false -o APT::Sandbox::User=root)
  apt-get "${O[@]}" update -qq
  (cd "$apt/debs" && apt-get "${O[@]}" download -qq python3-placement)
  dpkg-deb -x "$apt"/debs/python3-placement_*.deb "$work/placement"
  pythonpath=$inside/placement/usr/lib/python3/dist-packages
fi

chroot "$chroot_dir" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8 HOME=/tmp \
  PYTHONPATH="$pythonpath" PYTHONDONTWRITEBYTECODE=1 \
  python3 "$inside/extract.py" --api-paste "$inside/api-paste.ini" \
  --out "$inside/out.jsonl" --summary "$inside/summary.json" "${modules[@]}"
cp "$work/out.jsonl" "$out"
cp "$work/summary.json" "${out%.jsonl}.summary.json"
