#!/usr/bin/env bash
# Install what .ci/openstack-lab-up.sh needs: Debian's Keystone, Nova API and
# Placement (release Zed in Debian 12), uwsgi with its Python 3 plugin (which
# serves all three), the OpenStack CLI (the peer of bench/audit-vs-openstack-cli.sh)
# and curl (the lab scripts talk to the APIs with it). Installs nothing that is
# already there. Debian's postinst scripts try to start the packaged services;
# without an init system (containers, CI) that is refused and harmless, and the
# lab uses its own ports anyway.
set -euo pipefail
packages="keystone nova-api placement-api uwsgi-core uwsgi-plugin-python3 python3-openstackclient curl"
missing=()
for p in $packages; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "openstack-lab-install: all installed ($packages)"
  exit 0
fi
echo "openstack-lab-install: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >/tmp/openstack-lab-install.log 2>&1 || {
  tail -n 40 /tmp/openstack-lab-install.log; exit 1; }
for tool in keystone-manage nova-manage placement-manage uwsgi openstack curl; do
  command -v "$tool" >/dev/null || { echo "openstack-lab-install: $tool missing after install" >&2; exit 1; }
done
ls /usr/lib/uwsgi/plugins/python3*_plugin.so >/dev/null 2>&1 || {
  echo "openstack-lab-install: uwsgi's python3 plugin is missing" >&2; exit 1; }
echo "openstack-lab-install: done"
