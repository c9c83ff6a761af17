#!/usr/bin/env bash
# pciids-vs-pcidb.sh: time gpupass's pci.ids lookup (hostinfo's
# lookupPCIIDs) against github.com/jaypipes/pcidb (pcidb.New with WithPath
# and network fetch off, then the same lookups) on the distribution's full
# pci.ids, in one run, and print the ratios: time, bytes allocated, heap
# held and peak RSS.
#
#   bench/pciids-vs-pcidb.sh             -count 7
#   bench/pciids-vs-pcidb.sh --quick     -count 3: for CI
#   bench/pciids-vs-pcidb.sh --count 15
#
# The lookup sets are what names() asks for a host: the vendor and
# vendor+device IDs of a 1,000-function synthetic host (internal/fakehost)
# and those of every fixture host (testdata/hosts) together. The Go
# benchmark is BenchmarkPCIIDs in hostinfo (sub-benchmarks SET/gpupass and
# SET/pcidb), run -count times alternately in one process; the table shows
# medians. B and allocs are what one lookup allocates; held is the heap in
# use, after a GC, when the lookup has found its names and still holds
# everything it built (pcidb: its whole database). So gpupass's peak heap
# is at most its B, pcidb's at least its held. Peak RSS is GNU time's %M
# for one process running one sub-benchmark once (-benchtime 1x), the
# same test binary and set-up for both.
#
# Timings are reported, never judged: the script fails only when a command
# fails. It writes nothing outside its temporary directory except the Go
# build cache. As root it may apt-get install pci.ids and time when they
# are missing.
set -euo pipefail

usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; }

count=7
while [ $# -gt 0 ]; do
	case "$1" in
	--quick) count=3 ;;
	--count) count="${2:?--count needs a number}"; shift ;;
	-h | --help) usage; exit 0 ;;
	*) echo "pciids-vs-pcidb: unknown argument $1 (see --help)" >&2; exit 2 ;;
	esac
	shift
done
case "$count" in '' | *[!0-9]* | 0) echo "pciids-vs-pcidb: --count wants a positive number" >&2; exit 2 ;; esac

cd "$(dirname "$0")/.."

ids=
find_ids() {
	for f in /usr/share/misc/pci.ids /usr/share/hwdata/pci.ids; do
		if [ -f "$f" ]; then
			ids=$f
			return
		fi
	done
}
find_ids
need=()
[ -n "$ids" ] || need+=(pci.ids)
/usr/bin/time -f %M true >/dev/null 2>&1 || need+=(time)
if [ ${#need[@]} -gt 0 ]; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		echo "installing ${need[*]}" >&2
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"; } >/dev/null
	else
		echo "pciids-vs-pcidb: missing ${need[*]} (install pci.ids and GNU time)" >&2
		exit 1
	fi
	find_ids
fi
[ -n "$ids" ] || { echo "pciids-vs-pcidb: no pci.ids after installing it" >&2; exit 1; }
command -v go >/dev/null 2>&1 || { echo "pciids-vs-pcidb: go is not on PATH" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/gpupass-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

go test -c -o "$tmp/hostinfo.test" ./hostinfo
# The test binary runs in its package directory, as go test would run it.
bench() { (cd hostinfo && "$tmp/hostinfo.test" -test.run '^$' "$@"); }

if ! bench -test.bench '^BenchmarkPCIIDs$' -test.benchmem -test.count "$count" >"$tmp/bench.txt" 2>&1; then
	echo "pciids-vs-pcidb: the benchmark failed:" >&2
	cat "$tmp/bench.txt" >&2
	exit 1
fi
if grep -q -- '--- SKIP' "$tmp/bench.txt"; then
	echo "pciids-vs-pcidb: the benchmark was skipped:" >&2
	cat "$tmp/bench.txt" >&2
	exit 1
fi

# stat SET IMPL UNIT: the median of UNIT over the runs of SET/IMPL.
stat() {
	awk -v name="BenchmarkPCIIDs/$1/$2" -v unit="$3" '
		{ n = $1; sub(/-[0-9]+$/, "", n) }
		n == name { for (i = 3; i < NF; i++) if ($(i + 1) == unit) print $i }' "$tmp/bench.txt" |
		sort -g | awk '{ v[NR] = $1 } END {
			if (NR == 0) exit 1
			print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# peak SET IMPL: peak RSS in KiB of one process running SET/IMPL once.
peak() {
	if ! (cd hostinfo && /usr/bin/time -f %M -o "$tmp/rss" "$tmp/hostinfo.test" -test.run '^$' \
		-test.bench "^BenchmarkPCIIDs\$/^$1\$/^$2\$" -test.benchtime 1x >"$tmp/once.txt" 2>&1); then
		echo "pciids-vs-pcidb: $1/$2 failed:" >&2
		cat "$tmp/once.txt" >&2
		exit 1
	fi
	tail -n 1 "$tmp/rss"
}

sets=$(awk '$1 ~ /^BenchmarkPCIIDs\// { split($1, p, "/"); if (!seen[p[2]]++) print p[2] }' "$tmp/bench.txt")
[ -n "$sets" ] || { echo "pciids-vs-pcidb: no BenchmarkPCIIDs results:" >&2; cat "$tmp/bench.txt" >&2; exit 1; }

echo "gpupass lookupPCIIDs vs pcidb v$(go list -m -f '{{.Version}}' github.com/jaypipes/pcidb | sed 's/^v//') on $ids ($(wc -c <"$ids") bytes, $(sed -n 's/^#[[:space:]]*Version:[[:space:]]*//p' "$ids" | head -n 1))"
echo "median of $count runs; $(date -u +%Y-%m-%d), $(nproc) CPUs, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || uname -m), $(uname -sr), $(go version | cut -d' ' -f3)"
echo
printf "%-15s %4s %10s %9s %7s %10s %10s %7s %9s %9s %9s %10s %7s %9s %9s %6s\n" \
	set ids "gpupass ms" "pcidb ms" ratio "gpupass B" "pcidb B" ratio "gp allocs" "pcidb" "gp held" "pcidb held" ratio "gp RSS MB" "pcidb MB" ratio
for s in $sets; do
	gns=$(stat "$s" gpupass ns/op) pns=$(stat "$s" pcidb ns/op)
	gb=$(stat "$s" gpupass B/op) pb=$(stat "$s" pcidb B/op)
	ga=$(stat "$s" gpupass allocs/op) pa=$(stat "$s" pcidb allocs/op)
	gh=$(stat "$s" gpupass held-B) ph=$(stat "$s" pcidb held-B)
	n=$(stat "$s" gpupass ids)
	grss=$(peak "$s" gpupass) prss=$(peak "$s" pcidb)
	awk -v s="$s" -v n="$n" -v gns="$gns" -v pns="$pns" -v gb="$gb" -v pb="$pb" -v ga="$ga" -v pa="$pa" -v gh="$gh" -v ph="$ph" -v grss="$grss" -v prss="$prss" '
		function r(a, b) { return b > 0 ? a / b : 0 }
		BEGIN {
			printf "%-15s %4d %10.2f %9.2f %6.3fx %10d %10d %6.4fx %9d %9d %9d %10d %6.4fx %9.1f %9.1f %5.2fx\n",
				s, n, gns / 1e6, pns / 1e6, r(gns, pns), gb, pb, r(gb, pb), ga, pa, gh, ph, r(gh, ph), grss / 1024, prss / 1024, r(grss, prss)
		}'
done
echo
echo "ratio = gpupass/pcidb (below 1: gpupass costs less). B, allocs = allocated per lookup;"
echo "held = heap in use once the names are found, with all the lookup built (pcidb: its"
echo "database): gpupass's peak heap is at most its B, pcidb's at least its held. RSS = peak"
echo "resident set of a test process running that one sub-benchmark once (the Go runtime"
echo "and test set-up included)."
