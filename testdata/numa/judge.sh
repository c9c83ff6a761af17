#!/bin/sh
# Re-judges cases.jsonl with each release's own Nova, in its chroot:
#   testdata/numa/judge.sh [CHROOTS]     (default: $GPUPASS_NOVA_CHROOTS, else /tmp/chroot)
# writes verdicts-zed.json, verdicts-2025.1.json, verdicts-2026.2.json here.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
chroots=${1:-${GPUPASS_NOVA_CHROOTS:-/tmp/chroot}}
for pair in bookworm:zed trixie:2025.1 sid:2026.2; do
	suite=${pair%%:*} release=${pair#*:}
	dir=$chroots/$suite
	work=$(mktemp -d "$dir/tmp/gpupass-numa.XXXXXX")
	cp "$here/oracle.py" "$here/cases.jsonl" "$work/"
	chroot "$dir" python3 "/tmp/${work##*/}/oracle.py" "/tmp/${work##*/}/cases.jsonl" > "$here/verdicts-$release.json"
	rm -rf "$work"
done
