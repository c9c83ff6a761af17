#!/usr/bin/env bash
# Re-makes the functional tests' part of the corpus of Nova's own test
# inputs (testdata/novatests/<release>.functional.jsonl and its
# .summary.json) from each release's functional PCI tests
# (testdata/novatests/modules-functional.txt):
#
#   sudo bash hack/novatests-functional.sh CHROOTS [RELEASE...]
#
#   CHROOTS  a directory with bookworm/, trixie/ and sid/ (hack/nova-chroot.sh)
#   RELEASE  zed, 2025.1, 2026.2 (default: all three, two at a time)
#
# Each release takes about ten minutes on 2 CPUs (nova-compute started on
# fakelibvirt for every test, about 4 s a test, 140 to 160 tests), so CI
# does not re-extract these files: it re-extracts the unit tests' files
# (<release>.jsonl) and holds lint to both (TestLintNovaTestsCorpus). Review
# the diff before committing. GPUPASS_NOVATESTS_FUNCTIONAL=1 with
# TestNovaTestsCorpusCurrent checks the committed files instead of writing
# them.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
chroots=${1:?usage: hack/novatests-functional.sh CHROOTS [RELEASE...]}
shift
releases=("$@")
[ ${#releases[@]} -gt 0 ] || releases=(zed 2025.1 2026.2)
suite_of() {
	case "$1" in
	zed) echo bookworm ;;
	2025.1) echo trixie ;;
	2026.2) echo sid ;;
	*) echo "novatests-functional: no chroot for release $1 (zed, 2025.1, 2026.2)" >&2; exit 2 ;;
	esac
}
for rel in "${releases[@]}"; do suite_of "$rel" >/dev/null; done
export GPUPASS_NOVATESTS_MODULES=$here/testdata/novatests/modules-functional.txt
pids=()
for rel in "${releases[@]}"; do
	suite=$(suite_of "$rel")
	(
		start=$SECONDS
		bash "$here/testdata/novatests/extract.sh" "$chroots/$suite" "$here/testdata/novatests/$rel.functional.jsonl" 2>"/tmp/novatests-functional-$rel.log"
		echo "$rel: $(wc -l <"$here/testdata/novatests/$rel.functional.jsonl") lines in $((SECONDS - start)) s (Nova's output: /tmp/novatests-functional-$rel.log)"
	) &
	pids+=($!)
	if [ "${#pids[@]}" -ge 2 ]; then # two at a time: 2 CPUs
		wait "${pids[0]}" || { echo "novatests-functional: a release failed (see /tmp/novatests-functional-*.log)" >&2; exit 1; }
		pids=("${pids[@]:1}")
	fi
done
for pid in "${pids[@]}"; do
	wait "$pid" || { echo "novatests-functional: a release failed (see /tmp/novatests-functional-*.log)" >&2; exit 1; }
done
