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
# fixtures and nova-api's api-paste.ini: see below.
#
# Which tests run is modules.txt (one Python module per line; # comments),
# or the file GPUPASS_NOVATESTS_MODULES names (modules-functional.txt for
# the functional corpus, <release>.functional.jsonl).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
chroot_dir=${1:?usage: extract.sh CHROOT OUT.jsonl}
out=${2:?usage: extract.sh CHROOT OUT.jsonl}
[ -x "$chroot_dir/usr/bin/python3" ] || { echo "extract.sh: $chroot_dir has no /usr/bin/python3" >&2; exit 2; }

work=$(mktemp -d "$chroot_dir/tmp/gpupass-novatests.XXXXXX")
trap 'rm -rf "$work"' EXIT
inside=/tmp/$(basename "$work")
cp "$here/extract.py" "$work/"

modules_file=${GPUPASS_NOVATESTS_MODULES:-$here/modules.txt}
mapfile -t modules < <(grep -v '^[[:space:]]*\(#\|$\)' "$modules_file")
[ "${#modules[@]}" -gt 0 ] || { echo "extract.sh: no module in $modules_file" >&2; exit 2; }

# The functional tests load nova-api through the suite's own api-paste.ini
# (Debian ships it in nova-common, not in python3-nova) and import
# Placement's test fixtures (python3-placement): both are fetched for the
# chroot's suite with apt-get download (a private apt state) and unpacked
# here, never installed in the chroot.
pythonpath=
paste_args=()
if printf '%s\n' "${modules[@]}" | grep -q '^nova\.tests\.functional\.'; then
  suite=$(chroot "$chroot_dir" sh -c '. /etc/os-release; echo "${VERSION_CODENAME:-sid}"')
  # sid's os-release names the next release: the sources list says sid.
  if grep -qs ' sid ' "$chroot_dir/etc/apt/sources.list" "$chroot_dir"/etc/apt/sources.list.d/* 2>/dev/null; then
    suite=sid
  fi
  apt=$work/apt
  mkdir -p "$apt/state/lists/partial" "$apt/cache/archives/partial" "$apt/debs"
  : >"$apt/status" # not the host's dpkg status: its installed versions are no candidates here
  echo "deb http://deb.debian.org/debian $suite main" >"$apt/sources.list"
  O=(-o "Dir::State=$apt/state" -o "Dir::Cache=$apt/cache" -o "Dir::Etc::SourceList=$apt/sources.list"
     -o Dir::Etc::SourceParts=/nonexistent -o "Dir::State::status=$apt/status" -o Acquire::Check-Valid-Until=false -o APT::Sandbox::User=root)
  apt-get "${O[@]}" update -qq
  want=(nova-common)
  chroot "$chroot_dir" python3 -c 'import placement.tests.functional.fixtures' >/dev/null 2>&1 || want+=(python3-placement)
  (cd "$apt/debs" && apt-get "${O[@]}" download -qq "${want[@]}")
  for deb in "$apt"/debs/*.deb; do dpkg-deb -x "$deb" "$work/pkgs"; done
  [ -d "$work/pkgs/usr/lib/python3/dist-packages/placement" ] && pythonpath=$inside/pkgs/usr/lib/python3/dist-packages
  paste=$(cd "$work/pkgs" && find . -name api-paste.ini -path '*nova*' | head -1)
  [ -n "$paste" ] || { echo "extract.sh: no api-paste.ini in $suite's nova-common" >&2; exit 2; }
  paste_args=(--api-paste "$inside/pkgs/${paste#./}")
fi

chroot "$chroot_dir" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8 HOME=/tmp \
  PYTHONPATH="$pythonpath" PYTHONDONTWRITEBYTECODE=1 GPUPASS_NOVATESTS_VERBOSE="${GPUPASS_NOVATESTS_VERBOSE:-}" \
  python3 "$inside/extract.py" "${paste_args[@]}" \
  --out "$inside/out.jsonl" --summary "$inside/summary.json" "${modules[@]}"
cp "$work/out.jsonl" "$out"
cp "$work/summary.json" "${out%.jsonl}.summary.json"
