#!/usr/bin/env bash
# Stop the lab's services by their recorded pids (never by name).
#
#   .ci/openstack-lab-down.sh [STATE_DIR] [SERVICE...]
#
# SERVICE: keystone, placement, nova-api; default all three. STATE_DIR stays
# (databases, logs, clouds.yaml): .ci/openstack-lab-up.sh STATE_DIR starts the
# stopped services again. Waits until each one has exited and freed its port.
set -uo pipefail
S=$(realpath -m "${1:-/tmp/gpupass-lab}")
shift || true
services=("$@")
[ ${#services[@]} -gt 0 ] || services=(nova-api placement keystone)
status=0
for name in "${services[@]}"; do
  pidfile="$S/$name.pid"
  [ -f "$pidfile" ] || continue
  pid=$(cat "$pidfile")
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
      echo "openstack-lab-down: $name ($pid) ignored TERM for 10s; killing it" >&2
      kill -KILL "$pid" 2>/dev/null
      # its worker (a child) shares its process group: uwsgi runs each
      # service in a session of its own, made by openstack-lab-up.sh
      kill -KILL -- "-$pid" 2>/dev/null
      sleep 0.5
      kill -0 "$pid" 2>/dev/null && status=1
    fi
  fi
  rm -f "$pidfile"
done
exit $status
