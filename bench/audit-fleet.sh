#!/usr/bin/env bash
# audit-fleet.sh: `gpupass audit` at fleet scale, against DESIGN's target
# (10,000 host reports x 5,000 flavors in under 3 s and 1 GB), as a ratio
# against python3's json module reading the same reports in the same run.
#
#   bench/audit-fleet.sh                 10,000 reports x 5,000 flavors, 5 runs each
#   bench/audit-fleet.sh --quick         the same fleet, 1 run each: for CI
#   bench/audit-fleet.sh --hosts 2000 --flavors 1000 --runs 3
#   bench/audit-fleet.sh --strict ...    exit 1 when a target is missed
#
# The fleet (bench/auditfleet): real preflight reports of the fixture hosts
# (`gpupass preflight --root testdata/hosts/NAME --format json`), drawn by
# weight and varied — H100 HGX, L40S, A100, MI210, GH200, V100 and A40 vGPU
# hosts, workstations, and broken ones (IOMMU off, VT-d off, nouveau bound,
# shared IOMMU groups) — with host names, GPU counts, NUMA placement, CPUs
# and memory changed host by host (about 57 KB a report, as preflight
# writes them). The cloud is recorded as --save-cloud writes it: the
# flavors (one in ten asking for GPUs or vGPUs), a hypervisor per host and
# Placement's providers (a root per host, PCI and vGPU children), with the
# API node's nova.conf defining the aliases. The audit runs on it as an
# operator would:
#
#   gpupass audit --from-cloud cloud.json --reports reports/ --api-conf api.conf --format json
#
# The peer is python3 -c 'json.load' over every report file, one after the
# other: the audit's first job is to parse those same bytes, and CPython's
# json module (its C scanner) is the plain way to parse JSON that anyone
# would reach for, on every machine CI runs on. The ratio (gpupass wall /
# python3 wall) says how the whole audit — reading every report, judging
# every flavor on every host, writing the report — compares with merely
# parsing its input; measured in one run, it moves little with the
# machine's speed or load, where the seconds do. `cat` of the same files is
# shown too: the cost of reading the bytes at all.
#
# Each command runs once to warm the page cache, then RUNS times in turn;
# the table shows the median wall and CPU (user+system) times and the
# largest peak RSS (GNU time %M). Targets (wall under 3 s, peak RSS under
# 1 GB) are reported; only --strict fails on them. The files are written
# to a temporary directory (on /dev/shm when there is one), removed at the
# end. As root it may apt-get install GNU time when it is missing.
set -euo pipefail

usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; }

hosts=10000
flavors=5000
runs=5
strict=0
while [ $# -gt 0 ]; do
	case "$1" in
	--quick) runs=1 ;;
	--hosts) hosts="${2:?--hosts needs a number}"; shift ;;
	--flavors) flavors="${2:?--flavors needs a number}"; shift ;;
	--runs) runs="${2:?--runs needs a number}"; shift ;;
	--strict) strict=1 ;;
	-h | --help) usage; exit 0 ;;
	*) echo "audit-fleet: unknown argument $1 (see --help)" >&2; exit 2 ;;
	esac
	shift
done
for n in "$hosts" "$flavors" "$runs"; do
	case "$n" in '' | *[!0-9]* | 0) echo "audit-fleet: --hosts, --flavors and --runs want positive numbers" >&2; exit 2 ;; esac
done

cd "$(dirname "$0")/.."

if ! /usr/bin/time -f %M true >/dev/null 2>&1; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		echo "installing GNU time" >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null
	else
		echo "audit-fleet: missing GNU time (/usr/bin/time)" >&2
		exit 1
	fi
fi
command -v go >/dev/null 2>&1 || { echo "audit-fleet: go is not on PATH" >&2; exit 1; }
command -v python3 >/dev/null 2>&1 || { echo "audit-fleet: python3 is not on PATH (the peer)" >&2; exit 1; }

scratch=${TMPDIR:-/tmp}
fs="disk ($scratch)"
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
	scratch=/dev/shm fs="tmpfs (/dev/shm)"
fi
tmp=$(mktemp -d "$scratch/gpupass-audit-fleet.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

go build -o "$tmp/gpupass" ./cmd/gpupass
go build -o "$tmp/auditfleet" ./bench/auditfleet

# The fixtures' own reports, as preflight writes them.
mkdir "$tmp/templates"
for root in testdata/hosts/*/; do
	name=$(basename "$root")
	status=0
	"$tmp/gpupass" preflight --root "$root" --format json >"$tmp/templates/$name.json" 2>"$tmp/stderr" || status=$?
	if [ "$status" -gt 1 ]; then
		echo "audit-fleet: gpupass preflight --root $root failed with status $status:" >&2
		cat "$tmp/stderr" >&2
		exit 1
	fi
done
t0=$EPOCHREALTIME
made=$("$tmp/auditfleet" -templates "$tmp/templates" -hosts "$hosts" -flavors "$flavors" -o "$tmp/fleet")
t1=$EPOCHREALTIME
fleet=$tmp/fleet

audit=("$tmp/gpupass" audit --from-cloud "$fleet/cloud.json" --reports "$fleet/reports" --api-conf "$fleet/api.conf" --format json)
peer=(python3 -c 'import json, os, sys
d = sys.argv[1]
for name in os.listdir(d):
    if name.endswith(".json"):
        with open(os.path.join(d, name), "rb") as f:
            json.load(f)' "$fleet/reports")
floor=(sh -c 'cat "$1"/*.json' sh "$fleet/reports")

# run_once NAME CMD...: appends "wall-s peak-kb cpu-s" to $tmp/NAME.txt.
run_once() {
	local name=$1 status=0
	shift
	/usr/bin/time -f '%e %M %U %S' -o "$tmp/time" "$@" >"$tmp/$name.out" 2>"$tmp/stderr" || status=$?
	# gpupass: 1 means findings, not failure
	if [ "$status" -ne 0 ] && { [ "$name" != audit ] || [ "$status" -ne 1 ]; }; then
		echo "audit-fleet: $name exited $status:" >&2
		tail -n 20 "$tmp/stderr" >&2
		exit 1
	fi
	# GNU time writes "Command exited with non-zero status 1" first then.
	tail -n 1 "$tmp/time" | awk '{ printf "%.3f %d %.3f\n", $1, $2, $3 + $4 }' >>"$tmp/$name.txt"
}

run_once audit "${audit[@]}"
run_once peer "${peer[@]}"
run_once cat "${floor[@]}"
rm -f "$tmp/audit.txt" "$tmp/peer.txt" "$tmp/cat.txt" # the warm-up does not count
for ((i = 0; i < runs; i++)); do
	run_once audit "${audit[@]}"
	run_once peer "${peer[@]}"
	run_once cat "${floor[@]}"
done

# The audit did the whole job: every host and every flavor.
counts=$(python3 -c 'import json, sys
c = json.load(open(sys.argv[1]))["audit"]["counts"]
print(c["hosts"], c["flavors"], c["gpu_flavors"], c["bootable"])' "$tmp/audit.out")
read -r got_hosts got_flavors gpu_flavors bootable <<<"$counts"
if [ "$got_hosts" -ne "$hosts" ] || [ "$got_flavors" -ne "$flavors" ]; then
	echo "audit-fleet: the audit counted $got_hosts hosts and $got_flavors flavors, want $hosts and $flavors" >&2
	exit 1
fi

median() { cut -d' ' -f"$2" "$1" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
maxcol() { cut -d' ' -f"$2" "$1" | sort -n | tail -n 1; }

mode=
[ "$runs" -gt 1 ] || mode=" (--quick: 1 run)"
echo "gpupass audit at fleet scale$mode: $made"
printf 'fleet made in %.1f s; files on %s; median of %d runs after one warm-up; peak RSS is the largest seen\n' \
	"$(awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}')" "$fs" "$runs"
echo "$(nproc) CPUs ($(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo 2>/dev/null || echo unknown)), load average $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown), $(uname -sr), $(go version | cut -d' ' -f3), $(python3 --version 2>&1)"
echo "the audit: $got_hosts hosts, $got_flavors flavors, $gpu_flavors of them GPU flavors, $bootable bootable"
echo
printf '%-40s %8s %8s %10s %9s %9s\n' "" "wall s" "cpu s" "peak MB" "wall/peer" "cpu/peer"
aw=$(median "$tmp/audit.txt" 1) pw=$(median "$tmp/peer.txt" 1) pc=$(median "$tmp/peer.txt" 3)
for row in "audit:gpupass audit --format json" "peer:python3 json.load of every report" "cat:cat of every report"; do
	name=${row%%:*} label=${row#*:}
	awk -v label="$label" -v w="$(median "$tmp/$name.txt" 1)" -v c="$(median "$tmp/$name.txt" 3)" -v kb="$(maxcol "$tmp/$name.txt" 2)" -v pw="$pw" -v pc="$pc" 'BEGIN {
		printf "%-40s %8.2f %8.2f %10.0f %8.2fx %8.2fx\n", label, w, c, kb * 1024 / 1e6, (pw > 0 ? w / pw : 0), (pc > 0 ? c / pc : 0) }'
done
echo
akb=$(maxcol "$tmp/audit.txt" 2)
missed=0
if awk -v w="$aw" 'BEGIN {exit !(w < 3)}'; then
	echo "target: wall time under 3 s: met ($aw s)"
else
	echo "target: wall time under 3 s: MISSED ($aw s; CPU $(median "$tmp/audit.txt" 3) s on $(nproc) CPUs)"
	missed=1
fi
if awk -v kb="$akb" 'BEGIN {exit !(kb * 1024 < 1e9)}'; then
	echo "target: peak memory under 1 GB: met ($(awk -v kb="$akb" 'BEGIN {printf "%.0f", kb * 1024 / 1e6}') MB)"
else
	echo "target: peak memory under 1 GB: MISSED ($(awk -v kb="$akb" 'BEGIN {printf "%.0f", kb * 1024 / 1e6}') MB)"
	missed=1
fi
echo "wall/peer = wall time / python3's, cpu/peer = the same for user+system CPU time (the peer in the"
echo "same run: the figures to compare between machines; python3 parses on one CPU, gpupass on all)"
if [ "$strict" = 1 ] && [ "$missed" = 1 ]; then
	exit 1
fi
