#!/bin/sh
# After installing, upgrading or removing gpupass: let a running systemd see
# the new, changed or removed gpupass-preflight units. Nothing is enabled or
# started: the timer stays as the operator left it. Without systemd (a
# container, a chroot) there is nothing to do.
if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
	systemctl daemon-reload >/dev/null 2>&1 || :
fi
exit 0
