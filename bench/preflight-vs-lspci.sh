#!/usr/bin/env bash
# preflight-vs-lspci.sh: time `gpupass preflight --format json` against
# `lspci -nnk` reading the same synthetic host trees (internal/fakehost),
# and print the ratio, peak memory and cost per PCI function.
#
#   bench/preflight-vs-lspci.sh            sizes 1000 2000 4000, 7 runs each
#   bench/preflight-vs-lspci.sh --quick    one size (1000), 3 runs: for CI
#   bench/preflight-vs-lspci.sh --sizes "500 8000" --runs 11
#
# Both tools read the tree through sysfs the same way: lspci with its
# linux-sysfs back end pointed at ROOT/sys/bus/pci, gpupass with --root.
# Each is run once to warm the caches, then RUNS times alternately; the
# table shows the median wall and CPU (user+system) times and the largest
# peak RSS (GNU time %M).
# A last row passes both the machine's full pci.ids (1.3 MB on Debian)
# instead of the tree's small excerpt, on the first size, since name
# lookup costs differ: that row is what a real host looks like.
#
# Timings are reported, never judged: the script fails only when a command
# fails outright (gpupass exit status 1 means findings, not failure). It
# writes nothing outside its temporary directory (on /dev/shm when there is
# one: a 4,000-function tree takes seconds on tmpfs, tens on a slow disk)
# except the Go build cache. As root it may apt-get install pciutils and
# time when they are missing.
set -euo pipefail

usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; }

sizes="1000 2000 4000"
runs=7
quick=0
while [ $# -gt 0 ]; do
	case "$1" in
	--quick) quick=1 sizes="1000" runs=3 ;;
	--sizes) sizes="${2:?--sizes needs a list}"; shift ;;
	--runs) runs="${2:?--runs needs a number}"; shift ;;
	-h | --help) usage; exit 0 ;;
	*) echo "preflight-vs-lspci: unknown argument $1 (see --help)" >&2; exit 2 ;;
	esac
	shift
done
case "$runs" in '' | *[!0-9]* | 0) echo "preflight-vs-lspci: --runs wants a positive number" >&2; exit 2 ;; esac
for n in $sizes; do
	case "$n" in '' | *[!0-9]* | 0) echo "preflight-vs-lspci: --sizes wants positive numbers" >&2; exit 2 ;; esac
done

cd "$(dirname "$0")/.."

# Tools: lspci (pciutils) and GNU time, installed only when missing and root.
need=()
command -v lspci >/dev/null 2>&1 || need+=(pciutils)
/usr/bin/time -f %M true >/dev/null 2>&1 || need+=(time)
if [ ${#need[@]} -gt 0 ]; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		echo "installing ${need[*]}" >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
	else
		echo "preflight-vs-lspci: missing ${need[*]} (install pciutils and GNU time)" >&2
		exit 1
	fi
fi
command -v go >/dev/null 2>&1 || { echo "preflight-vs-lspci: go is not on PATH" >&2; exit 1; }
[ -n "${EPOCHREALTIME:-}" ] || { echo "preflight-vs-lspci: needs bash 5 (EPOCHREALTIME)" >&2; exit 1; }

scratch=${TMPDIR:-/tmp}
fs="disk ($scratch)"
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
	scratch=/dev/shm fs="tmpfs (/dev/shm)"
fi
tmp=$(mktemp -d "$scratch/gpupass-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

go build -o "$tmp/gpupass" ./cmd/gpupass
go build -o "$tmp/mkfakehost" ./internal/fakehost/cmd/mkfakehost

fullids=
for f in /usr/share/misc/pci.ids /usr/share/hwdata/pci.ids; do
	if [ -f "$f" ]; then
		fullids=$f
		break
	fi
done

# run_once TOOL ROOT IDS: one timed run; appends "wall-ms peak-kb cpu-ms" to
# $tmp/TOOL.txt.
run_once() {
	local tool=$1 root=$2 ids=$3 start end status=0
	local -a cmd
	if [ "$tool" = lspci ]; then
		cmd=(lspci -nnk -A linux-sysfs -O "sysfs.path=$root/sys/bus/pci" -i "$ids")
	else
		cmd=("$tmp/gpupass" preflight --root "$root" --format json)
		[ -z "$ids" ] || cmd+=(--pci-ids "$ids")
	fi
	times >"$tmp/cpu0" # children's user and system time so far
	start=$EPOCHREALTIME
	/usr/bin/time -f %M -o "$tmp/rss" "${cmd[@]}" >/dev/null 2>"$tmp/stderr" || status=$?
	end=$EPOCHREALTIME
	times >"$tmp/cpu1"
	# gpupass: 0 ready, 1 findings; 2 and above is a failure. lspci: 0.
	local ok=0
	case "$tool:$status" in lspci:0 | gpupass:0 | gpupass:1) ok=1 ;; esac
	if [ "$ok" -eq 0 ]; then
		echo "preflight-vs-lspci: ${cmd[*]} failed with status $status:" >&2
		cat "$tmp/stderr" >&2
		exit 1
	fi
	# GNU time writes "Command exited with non-zero status 1" first then.
	# times prints "0m0.012s 0m0.008s": seconds by minutes and seconds.
	echo "$start $end $(tail -n 1 "$tmp/rss") $(tail -n 1 "$tmp/cpu0") $(tail -n 1 "$tmp/cpu1")" |
		awk 'function sec(t) { split(t, p, /[ms]/); return p[1] * 60 + p[2] }
		{ printf "%.3f %d %.3f\n", ($2 - $1) * 1000, $3, (sec($6) + sec($7) - sec($4) - sec($5)) * 1000 }' >>"$tmp/$tool.txt"
}

# count_functions ROOT: functions as each tool lists them; they must agree.
count_functions() {
	local root=$1 l g status=0
	if ! lspci -A linux-sysfs -O "sysfs.path=$root/sys/bus/pci" >"$tmp/lspci.out" 2>"$tmp/stderr"; then
		echo "preflight-vs-lspci: lspci failed on $root:" >&2
		cat "$tmp/stderr" >&2
		exit 1
	fi
	"$tmp/gpupass" preflight --root "$root" --format json >"$tmp/gpupass.out" 2>"$tmp/stderr" || status=$?
	if [ "$status" -gt 1 ]; then
		echo "preflight-vs-lspci: gpupass preflight failed on $root with status $status:" >&2
		cat "$tmp/stderr" >&2
		exit 1
	fi
	l=$(wc -l <"$tmp/lspci.out")
	g=$(grep -c '^        "address": ' "$tmp/gpupass.out" || true)
	rm -f "$tmp/lspci.out" "$tmp/gpupass.out"
	if [ "$l" -ne "$g" ]; then
		echo "preflight-vs-lspci: lspci lists $l functions under $root, gpupass $g" >&2
		exit 1
	fi
	echo "$l"
}

# median FILE COLUMN, max FILE COLUMN
median() { cut -d' ' -f"$2" "$1" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
maxcol() { cut -d' ' -f"$2" "$1" | sort -n | tail -n 1; }

# measure LABEL ROOT LSPCI_IDS GPUPASS_IDS: prints one table row.
measure() {
	local label=$1 root=$2 lids=$3 gids=$4 n i
	n=$(count_functions "$root")
	rm -f "$tmp/lspci.txt" "$tmp/gpupass.txt"
	run_once lspci "$root" "$lids"
	run_once gpupass "$root" "$gids"
	rm -f "$tmp/lspci.txt" "$tmp/gpupass.txt" # the warm-up does not count
	for ((i = 0; i < runs; i++)); do
		run_once lspci "$root" "$lids"
		run_once gpupass "$root" "$gids"
	done
	local lms gms lkb gkb lcpu gcpu
	lms=$(median "$tmp/lspci.txt" 1)
	gms=$(median "$tmp/gpupass.txt" 1)
	lkb=$(maxcol "$tmp/lspci.txt" 2)
	gkb=$(maxcol "$tmp/gpupass.txt" 2)
	lcpu=$(median "$tmp/lspci.txt" 3)
	gcpu=$(median "$tmp/gpupass.txt" 3)
	awk -v label="$label" -v n="$n" -v lms="$lms" -v gms="$gms" -v lkb="$lkb" -v gkb="$gkb" -v lcpu="$lcpu" -v gcpu="$gcpu" 'BEGIN {
		printf "%-18s %9d %9.1f %11.1f %7.2fx %10.2fx %11.1f %9.1f %14.0f %12.0f\n",
			label, n, lms, gms, gms / lms, (lcpu > 0 ? gcpu / lcpu : 0), gkb / 1024, lkb / 1024, gms * 1e6 / n, lms * 1e6 / n
	}'
}

mode=
[ "$quick" -eq 0 ] || mode=" (--quick)"
echo "gpupass preflight --format json vs lspci -nnk on synthetic hosts$mode"
echo "trees on $fs; median of $runs runs after one warm-up; peak RSS is the largest seen"
echo "$(nproc) CPUs, $(uname -sr), $(lspci --version), $(go version | cut -d' ' -f3)"
echo
printf "%-18s %9s %9s %11s %8s %11s %11s %9s %14s %12s\n" \
	"pci.ids" functions "lspci ms" "gpupass ms" ratio "cpu ratio" "gpupass MB" "lspci MB" "gpupass ns/fn" "lspci ns/fn"

first=
for n in $sizes; do
	root="$tmp/host-$n"
	"$tmp/mkfakehost" -q -functions "$n" -o "$root"
	measure "tree excerpt" "$root" "$root/usr/share/misc/pci.ids" ""
	# Keep the first tree for the full pci.ids row, and only it: a
	# 4,000-function tree is about 375 MB.
	if [ -z "$first" ]; then first=$root; else rm -rf "$root"; fi
done
if [ -n "$fullids" ]; then
	# The first size, where the database's fixed cost weighs most.
	measure "full $(basename "$(dirname "$fullids")")/pci.ids" "$first" "$fullids" "$fullids"
else
	echo "(no full pci.ids on this machine: row skipped)"
fi
echo
echo "ratio = gpupass/lspci wall time; cpu ratio = the same for user+system CPU time"
echo "(lspci is single-threaded, gpupass reads devices on every CPU: wall time is what"
echo "an operator waits, CPU time what the machine spends). lspci -k looks modules up"
echo "with libkmod on the machine running it, not in the tree (\"Unable to load libkmod"
echo "resources\" where there are none): its module column costs it little or nothing here."
