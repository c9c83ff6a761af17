#!/usr/bin/env bash
# compare-builds.sh OLD NEW: run two gpupass binaries over the same matrix
# of commands on every fixture host (preflight in every format, inventory,
# generate, lint, audit of the recorded cloud, checks, error paths) and
# print every difference in output or exit status. The time a report was
# made is masked. For refactors that must not change behaviour:
#
#   git worktree add /tmp/old main && (cd /tmp/old && go build -o /tmp/gp-old ./cmd/gpupass)
#   go build -o /tmp/gp-new ./cmd/gpupass && hack/compare-builds.sh /tmp/gp-old /tmp/gp-new
#
# Exit status: 0 when all outputs agree, 1 when some differ.
set -uo pipefail
old=${1:?usage: compare-builds.sh OLD NEW}
new=${2:?usage: compare-builds.sh OLD NEW}
cd "$(dirname "$0")/.."

mask() { sed -E 's/"generated_at": "[^"]*"/"generated_at": "-"/; s/^(gpupass_last_run_timestamp_seconds\{[^}]*\}) .*/\1 -/'; }
runs=0 differ=0
run() {
	local a b ra rb
	a=$("$old" "$@" 2>&1 | mask); ra=${PIPESTATUS[0]}
	b=$("$new" "$@" 2>&1 | mask); rb=${PIPESTATUS[0]}
	runs=$((runs + 1))
	if [ "$a" != "$b" ] || [ "$ra" != "$rb" ]; then
		differ=$((differ + 1))
		echo "=== gpupass $* (exit $ra -> $rb)"
		diff <(echo "$a") <(echo "$b") | head -20
	fi
}
for h in testdata/hosts/*/; do
	h=${h%/}
	for f in text json junit prometheus; do run preflight --root "$h" --format "$f"; done
	run preflight --root "$h" --gpu all --format json
	run preflight --root "$h" --api-conf testdata/api-conf/controller.conf
	for f in text json prometheus; do run inventory --root "$h" --format "$f"; done
	run inventory --root "$h" --all
	run generate all --root "$h"
	run generate all --root "$h" --format json
	run generate nova-conf --root "$h" --nova-release yoga
	run generate flavor --root "$h" --gpu all --numa-policy preferred --placement
done
for f in testdata/lint/*.conf; do
	run lint "$f"
	run lint "$f" --format json --nova-release zed
	run lint "$f" --api-conf testdata/api-conf/controller.conf
done
run audit --from-cloud testdata/audit/cloud.json
run audit --from-cloud testdata/audit/cloud.json --api-conf testdata/api-conf/controller.conf --format json
run checks
run checks GP202
run checks --format json
run version
run preflight --root /nonexistent
run preflight --root testdata/hosts/h100-hgx --nova-release folsom
run preflight --root testdata/hosts/h100-hgx --gpu bogus
run generate bogus
echo "$runs runs, $differ differ"
[ "$differ" = 0 ]
