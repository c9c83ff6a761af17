#!/usr/bin/env bash
# Makes the release chroots the boot matrix runs in: for each suite, SRC/SUITE
# (a Debian chroot with python3-nova and Nova's test libraries, as
# hack/nova-chroot.sh or the mmdebstrap command of integration/boot/README.md
# makes it) is used as it is when it also holds python3-placement (the
# Placement fixture Nova's functional tests start); otherwise it is copied to
# DST/SUITE and python3-placement is installed in the copy. SRC is never
# modified. Prints the directory to give as GPUPASS_NOVA_CHROOTS.
#
#   bash integration/boot/chroots.sh SRC DST [SUITE...]   (default: bookworm trixie)
set -euo pipefail
src=${1:?usage: chroots.sh SRC DST [SUITE...]}
dst=${2:?usage: chroots.sh SRC DST [SUITE...]}
shift 2
suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(bookworm trixie)
mkdir -p "$dst"
placement=usr/lib/python3/dist-packages/placement/tests/functional/fixtures/placement.py
nova=usr/lib/python3/dist-packages/nova/tests/functional/libvirt/base.py
pids=()
for s in "${suites[@]}"; do
  if [ ! -f "$src/$s/$nova" ]; then
    echo "chroots.sh: $src/$s has no python3-nova with its tests ($nova)" >&2
    exit 1
  fi
  if [ -f "$src/$s/$placement" ]; then
    [ "$(readlink -f "$dst/$s" 2>/dev/null)" = "$(readlink -f "$src/$s")" ] || { rm -rf "${dst:?}/$s"; ln -s "$(readlink -f "$src/$s")" "$dst/$s"; }
    continue
  fi
  if [ -f "$dst/$s/$placement" ] && [ ! -L "$dst/$s" ]; then
    continue # made by an earlier run
  fi
  (
    rm -rf "${dst:?}/$s"
    cp -a "$src/$s" "$dst/$s"
    # sid's Release file can be past its Valid-Until date on a lagging mirror.
    chroot "$dst/$s" apt-get -o Acquire::Check-Valid-Until=false -qq update
    DEBIAN_FRONTEND=noninteractive chroot "$dst/$s" apt-get install -y -qq --no-install-recommends python3-placement >/dev/null
    test -f "$dst/$s/$placement"
  ) >"$dst/$s.log" 2>&1 &
  pids+=("$!:$s")
done
rc=0
for p in "${pids[@]}"; do
  if ! wait "${p%%:*}"; then
    echo "chroots.sh: python3-placement could not be installed in $dst/${p#*:}:" >&2
    tail -20 "$dst/${p#*:}.log" >&2
    rc=1
  fi
done
[ $rc -eq 0 ] && echo "$dst"
exit $rc
