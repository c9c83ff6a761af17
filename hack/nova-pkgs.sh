#!/usr/bin/env bash
# Downloads Debian's python3-nova of Nova 2025.1 (31.0.0, trixie) and 2026.2
# (34.0.0, sid) and extracts each into DIR/n31 and DIR/n34 (default
# /tmp/nova), for the mdev oracle (openstack/mdevconf/testdata/oracle): it
# runs their LibvirtDriver code on the installed Zed python3-nova.
#
#   bash hack/nova-pkgs.sh [DIR]
#
# apt-get runs on a sources list and state of its own under a temporary
# directory: the machine's apt configuration and package lists are not
# touched, nothing is installed. sid's Release file can be past its
# Valid-Until date on a mirror that lags; Acquire::Check-Valid-Until=false
# accepts it (signatures are still checked with Debian's keyring).
#
# The versions are those expected.json was recorded with. When the archive
# no longer has one (Debian keeps only the current version of a suite), the
# suite's current version is taken, and the script says so: the oracle test
# then fails if that version's code gives other answers, which is the point.
set -euo pipefail

dir=${1:-/tmp/nova}
declare -A suite=([n31]=trixie [n34]=sid)
declare -A version=([n31]='2:31.0.0-6+deb13u3' [n34]='2:34.0.0-4')

if [ -f "$dir/n31/usr/lib/python3/dist-packages/nova/virt/libvirt/driver.py" ] &&
   [ -f "$dir/n34/usr/lib/python3/dist-packages/nova/virt/libvirt/driver.py" ]; then
  echo "nova-pkgs: $dir/n31 and $dir/n34 are there"
  exit 0
fi

tmp=$(mktemp -d /tmp/nova-pkgs.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/lists/partial" "$tmp/archives/partial" "$tmp/etc/preferences.d" "$tmp/etc/sources.list.d"
cat >"$tmp/etc/sources.list" <<SOURCES
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie-updates main
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian-security trixie-security main
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian sid main
SOURCES
apt_opts=(
  -o "Dir::Etc::SourceList=$tmp/etc/sources.list"
  -o "Dir::Etc::SourceParts=$tmp/etc/sources.list.d"
  -o "Dir::Etc::Preferences=$tmp/etc/preferences"
  -o "Dir::Etc::PreferencesParts=$tmp/etc/preferences.d"
  -o "Dir::State::Lists=$tmp/lists"
  -o "Dir::State::status=/dev/null"
  -o "Dir::Cache::Archives=$tmp/archives"
  -o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache="
  -o "Acquire::Check-Valid-Until=false"
  -o "APT::Default-Release="
  -o "APT::Sandbox::User=root"
)
apt-get "${apt_opts[@]}" -qq update

mkdir -p "$dir"
for n in n31 n34; do
  want=${version[$n]}
  # Every python3-nova version the lists offer, with its suite.
  have=$(apt-cache "${apt_opts[@]}" madison python3-nova | awk -F'|' '{gsub(/ /,"",$2); print $2}')
  pick=$want
  if ! grep -qxF "$want" <<<"$have"; then
    case $n in
      n31) pick=$(grep -E '^2:31\.' <<<"$have" | head -1 || true) ;;
      n34) pick=$(grep -E '^2:34\.' <<<"$have" | head -1 || true) ;;
    esac
    if [ -z "$pick" ]; then
      echo "nova-pkgs: no python3-nova ${want%%.*}.x in ${suite[$n]} any more (have: $(echo $have))" >&2
      exit 1
    fi
    echo "nova-pkgs: python3-nova $want is gone from ${suite[$n]}; taking $pick (the oracle will say if its code differs)" >&2
  fi
  (cd "$tmp" && apt-get "${apt_opts[@]}" -qq download "python3-nova=$pick")
  deb=$(ls "$tmp"/python3-nova_*.deb)
  rm -rf "${dir:?}/$n"
  dpkg-deb -x "$deb" "$dir/$n"
  echo "nova-pkgs: $(basename "$deb") -> $dir/$n"
  rm -f "$deb"
done
