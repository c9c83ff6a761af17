#!/usr/bin/env bash
# check-packages.sh [--host] [DIST]: the packages hack/build.sh wrote into
# DIST (default dist/), checked as an operator gets them.
#
# The .deb for this machine's architecture is installed with dpkg -i in a
# clean Debian bookworm (mmdebstrap --variant=minbase, plus man-db and
# bash-completion, as a node would have them), and there:
#   - gpupass version prints the version the package was built as;
#   - gpupass preflight --root runs on shipped fixture hosts (testdata/hosts,
#     copied in): exit status 0 on a clean host, 1 on a broken one;
#   - man gpupass-preflight shows the page;
#   - bash-completion's own loader finds the completion
#     (/usr/share/bash-completion/completions/gpupass); zsh's and fish's
#     files are where they look;
#   - the unit and timer are in /usr/lib/systemd/system, ExecStart= on
#     /usr/bin/gpupass, nothing enabled, no configuration file installed;
#   - dpkg -P (remove and purge) removes every file it installed.
# With --host the .deb is installed on this machine instead (and removed
# again): for a machine where mmdebstrap cannot run.
#
# Every .rpm is listed with rpm -qlp (Debian's rpm package) and held to the
# same layout, zsh's file in /usr/share/zsh/site-functions.
#
# Needs, as root: dpkg, rpm, and mmdebstrap, or with --host man-db and
# bash-completion (apt-get install mmdebstrap rpm). A missing tool fails the
# script.
set -euo pipefail
cd "$(dirname "$0")/.."

host=0
if [ "${1:-}" = --host ]; then host=1; shift; fi
dist=${1:-dist}
fail() { echo "check-packages: FAIL: $*" >&2; exit 1; }
for tool in dpkg dpkg-deb rpm; do command -v "$tool" >/dev/null || fail "$tool is missing (apt-get install rpm)"; done
if [ "$host" = 1 ]; then
	command -v man >/dev/null || fail "man is missing (apt-get install man-db)"
	[ -f /usr/share/bash-completion/bash_completion ] || fail "bash-completion is missing (apt-get install bash-completion)"
	[ "$(dpkg-query -W -f='${db:Status-Status}' gpupass 2>/dev/null)" != installed ] || fail "gpupass is installed on this machine already: --host would remove it"
else
	command -v mmdebstrap >/dev/null || fail "mmdebstrap is missing (apt-get install mmdebstrap), or use --host"
fi

arch=$(dpkg --print-architecture)
debs=("$dist"/gpupass_*_"$arch".deb)
[ ${#debs[@]} = 1 ] && [ -f "${debs[0]}" ] || fail "want one gpupass_*_$arch.deb in $dist, found: ${debs[*]}"
deb=${debs[0]}
pkgversion=$(dpkg-deb -f "$deb" Version)
pkgversion=${pkgversion%-*} # less the package's release (-1)
echo "check-packages: $deb ($pkgversion)"

# The files every package holds (the .rpm's zsh file differs, below).
common=(
	/usr/bin/gpupass
	/usr/share/man/man1/gpupass.1.gz
	/usr/share/man/man1/gpupass-preflight.1.gz
	/usr/share/man/man1/gpupass-audit.1.gz
	/usr/share/bash-completion/completions/gpupass
	/usr/share/fish/vendor_completions.d/gpupass.fish
	/usr/lib/systemd/system/gpupass-preflight.service
	/usr/lib/systemd/system/gpupass-preflight.timer
	/usr/share/gpupass/prometheus/gpupass-alerts.yml
	/usr/share/gpupass/grafana/gpupass-dashboard.json
)
pages=$(ls docs/man/*.1 | wc -l)

# --- the .deb, installed.
if [ "$host" = 1 ]; then
	root=
	inroot() { "$@"; }
else
	root=$(mktemp -d /tmp/gpupass-deb-root.XXXXXX)
	trap 'rm -rf "$root"' EXIT
	echo "check-packages: a clean Debian bookworm in $root (mmdebstrap)"
	mmdebstrap --quiet --variant=minbase --include=man-db,bash-completion bookworm "$root"
	inroot() { chroot "$root" "$@"; }
fi
cp "$deb" "$root/tmp/gpupass.deb"
inroot dpkg -i /tmp/gpupass.deb
[ "$host" = 1 ] && trap 'dpkg -P gpupass >/dev/null 2>&1 || true' EXIT

for f in "${common[@]}" /usr/share/zsh/vendor-completions/_gpupass; do
	[ -f "$root$f" ] || fail ".deb: no $f after dpkg -i"
done
[ -x "$root/usr/bin/gpupass" ] || fail "/usr/bin/gpupass is not executable"
n=$(inroot dpkg -L gpupass | grep -c '^/usr/share/man/man1/gpupass.*\.1\.gz$')
[ "$n" = "$pages" ] || fail ".deb: $n man pages, docs/man has $pages"
if inroot dpkg -L gpupass | grep -q '^/etc/'; then fail ".deb installs under /etc: $(inroot dpkg -L gpupass | grep '^/etc/')"; fi

v=$(inroot gpupass version)
echo "check-packages: gpupass version: $v"
case $pkgversion in
0.0.0~git*) rev=${pkgversion#0.0.0~git*.}; rev=${rev%.dirty}
	[[ $v == "gpupass v0.0.0-"*"-$rev"* ]] || fail "gpupass version says '$v', the package was built from $rev" ;;
*) [ "$v" = "gpupass v${pkgversion//\~/-}" ] || fail "gpupass version says '$v', the package is $pkgversion" ;;
esac
inroot gpupass version --format json | grep -q '"revision"' || fail "version --format json has no revision"

# A shipped fixture host, read through --root: the clean one passes, the
# broken one has error findings.
mkdir -p "$root/tmp/hosts"
cp -a testdata/hosts/h100-hgx testdata/hosts/nouveau-no-vfio "$root/tmp/hosts/"
status=0; inroot gpupass preflight --root /tmp/hosts/h100-hgx >/tmp/gpupass-pkg-preflight.txt || status=$?
[ "$status" = 0 ] || { cat /tmp/gpupass-pkg-preflight.txt; fail "preflight --root h100-hgx: exit status $status, want 0"; }
grep -q 'GP' /tmp/gpupass-pkg-preflight.txt || fail "preflight printed no check"
status=0; inroot gpupass preflight --root /tmp/hosts/nouveau-no-vfio --format json >/tmp/gpupass-pkg-preflight.json || status=$?
[ "$status" = 1 ] || fail "preflight --root nouveau-no-vfio: exit status $status, want 1"
echo "check-packages: preflight --root on fixture hosts: exit statuses 0 and 1"

# man finds the page by name (MANPATH from man-db's defaults).
inroot env MANPAGER=cat MANWIDTH=80 man gpupass-preflight >/tmp/gpupass-pkg-man.txt 2>/tmp/gpupass-pkg-man.err || { cat /tmp/gpupass-pkg-man.err; fail "man gpupass-preflight"; }
grep -Eq 'gpupass-preflight +- +Check +this +compute +node' /tmp/gpupass-pkg-man.txt || { head -20 /tmp/gpupass-pkg-man.txt; fail "man gpupass-preflight: not the page"; }
echo "check-packages: man gpupass-preflight: $(sed -n 1p /tmp/gpupass-pkg-man.txt | tr -s ' ')"

# bash-completion loads a command's completion on demand from its
# completions directory: its own loader must find ours.
inroot bash -c '. /usr/share/bash-completion/bash_completion && __load_completion gpupass && complete -p gpupass' >/tmp/gpupass-pkg-complete.txt ||
	fail "bash-completion's loader does not find the gpupass completion"
grep -q 'gpupass$' /tmp/gpupass-pkg-complete.txt || fail "complete -p gpupass: $(cat /tmp/gpupass-pkg-complete.txt)"
echo "check-packages: bash-completion: $(cat /tmp/gpupass-pkg-complete.txt)"

grep -qx 'ExecStart=/usr/bin/gpupass preflight --format prometheus --output /var/lib/prometheus/node-exporter/gpupass.prom' \
	"$root/usr/lib/systemd/system/gpupass-preflight.service" || fail "the unit's ExecStart= does not run /usr/bin/gpupass"
if [ -e "$root/etc/systemd/system/timers.target.wants/gpupass-preflight.timer" ]; then fail "the package enabled the timer"; fi

inroot dpkg -P gpupass >/dev/null
for f in "${common[@]}"; do
	[ ! -e "$root$f" ] || fail "dpkg -P left $f"
done
[ "$host" = 1 ] && trap - EXIT
echo "check-packages: .deb ok (installed, run, removed)"

# --- the .rpm files: the same layout, listed.
rpms=("$dist"/gpupass-*.rpm)
[ ${#rpms[@]} -ge 2 ] && [ -f "${rpms[0]}" ] || fail "want an .rpm per architecture in $dist, found: ${rpms[*]}"
for r in "${rpms[@]}"; do
	list=$(rpm -qlp "$r" 2>/dev/null)
	for f in "${common[@]}" /usr/share/zsh/site-functions/_gpupass; do
		grep -qx "$f" <<<"$list" || fail "$r: no $f (rpm -qlp)"
	done
	n=$(grep -c '^/usr/share/man/man1/gpupass.*\.1\.gz$' <<<"$list")
	[ "$n" = "$pages" ] || fail "$r: $n man pages, docs/man has $pages"
	if grep -q '^/etc/' <<<"$list"; then fail "$r installs under /etc"; fi
	mode=$(rpm -qp --queryformat '[%{FILEMODES:perms} %{FILENAMES}\n]' "$r" 2>/dev/null | grep ' /usr/bin/gpupass$' | cut -d' ' -f1)
	[ "$mode" = "-rwxr-xr-x" ] || fail "$r: /usr/bin/gpupass mode $mode"
	echo "check-packages: $r ok ($(rpm -qp --queryformat '%{NAME} %{VERSION}-%{RELEASE} %{ARCH}' "$r" 2>/dev/null), $(wc -l <<<"$list") files)"
done
echo "check-packages: ok"
