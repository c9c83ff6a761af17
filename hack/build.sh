#!/usr/bin/env bash
# build.sh: the release build. From a clone of gpupass, with Go (1.26 or
# newer) and git, and the Go module proxy reachable for nfpm:
#
#   hack/build.sh                  # binaries, tarballs, .deb and .rpm into dist/
#   hack/build.sh --binaries-only  # the two static binaries only (no network)
#   hack/build.sh -o DIR           # into DIR instead of the repository's dist/
#
# It writes, for ARCH in amd64 and arm64:
#
#   dist/linux-ARCH/gpupass                   a static binary (CGO_ENABLED=0, -trimpath)
#   dist/gpupass-VERSION-linux-ARCH.tar.gz    the binary, man pages, completions, systemd units
#   dist/gpupass_PKGVERSION_ARCH.deb          the Debian/Ubuntu package (nfpm)
#   dist/gpupass-PKGVERSION-1.MACHINE.rpm     the RHEL/Rocky/SUSE package (nfpm)
#   dist/SHA256SUMS
#
# The version: the release tag (vX.Y.Z) when the commit has one and the tree
# is clean; otherwise the commit, as Go's pseudo-version
# v0.0.0-COMMITTIME-REVISION (+dirty with uncommitted changes), which
# `gpupass version` prints. Packages number a build that has no tag
# 0.0.0~gitCOMMITTIME.REVISION (.dirty), which sorts before any release, and
# a pre-release tag v1.2.3-rc.1 as 1.2.3~rc.1.
#
# The packages hold /usr/bin/gpupass, a man page per command
# (/usr/share/man/man1), the bash, zsh and fish completions, the systemd unit
# and timer of deploy/systemd (ExecStart= pointed at /usr/bin/gpupass; the
# timer is not enabled) and, under /usr/share/gpupass, the Prometheus alert
# rules and the Grafana dashboard. packaging/nfpm.yaml lists them.
set -euo pipefail

# nfpm's release, pinned: the packages are built the same way every time.
NFPM=github.com/goreleaser/nfpm/v2/cmd/nfpm@v2.48.0
ARCHES=(amd64 arm64)
out=
packages=1
while [ $# -gt 0 ]; do
	case $1 in
	-o) out=${2:?-o needs a directory}; shift 2 ;;
	--binaries-only) packages=0; shift ;;
	-h | --help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "build.sh: unknown argument $1 (see hack/build.sh --help)" >&2; exit 2 ;;
	esac
done
# -o is relative to where build.sh was started; dist/ to the repository.
if [ -n "$out" ]; then
	mkdir -p "$out"
	out=$(cd "$out" && pwd)
fi
cd "$(dirname "$0")/.."
out=${out:-$PWD/dist}

# The commit. The go command embeds it too (vcs.revision, vcs.time,
# vcs.modified), but not in a git worktree (whose .git is a file) nor under
# GOFLAGS=-buildvcs=false; the binary prefers the go command's when both
# are there, and they agree.
revision= committime= modified=
if git rev-parse --git-dir >/dev/null 2>&1; then
	revision=$(git rev-parse HEAD)
	committime=$(TZ=UTC git log -1 --format=%cd --date=format-local:%Y-%m-%dT%H:%M:%SZ HEAD)
	modified=false
	if [ -n "$(git status --porcelain --untracked-files=no)" ]; then modified=true; fi
fi
tag=
if [ -n "$revision" ] && [ "$modified" = false ]; then
	tag=$(git describe --tags --exact-match --match 'v[0-9]*' HEAD 2>/dev/null || true)
fi

ldflags="-s -w"
[ -n "$tag" ] && ldflags+=" -X main.version=$tag"
if [ -n "$revision" ]; then
	ldflags+=" -X main.vcsRevision=$revision -X main.vcsTime=$committime -X main.vcsModified=$modified"
fi

mkdir -p "$out"
for arch in "${ARCHES[@]}"; do
	echo "build.sh: linux/$arch" >&2
	mkdir -p "$out/linux-$arch"
	# -buildvcs=auto: this machine's or a CI's GOFLAGS may say false.
	CGO_ENABLED=0 GOOS=linux GOARCH=$arch go build -trimpath -buildvcs=auto \
		-ldflags "$ldflags" -o "$out/linux-$arch/gpupass" ./cmd/gpupass
done

# The version as the binary says it (a binary for this machine runs).
host_arch=$(go env GOARCH)
if [ -x "$out/linux-$host_arch/gpupass" ] && [ "$(go env GOOS)" = linux ]; then
	runner=$out/linux-$host_arch/gpupass
else
	runner=$out/gpupass-host
	go build -trimpath -buildvcs=auto -ldflags "$ldflags" -o "$runner" ./cmd/gpupass
fi
version=$("$runner" version)
version=${version#gpupass }
echo "build.sh: gpupass $version" >&2
[ "$packages" = 1 ] || exit 0

if [ -n "$tag" ]; then
	# v1.2.3-rc.1 becomes 1.2.3~rc.1: an .rpm version may hold no "-", and
	# "~" sorts a pre-release before its release for dpkg and rpm alike.
	pkgversion=${tag#v}
	pkgversion=${pkgversion//-/\~}
elif [ -n "$revision" ]; then
	pkgversion=0.0.0~git$(TZ=UTC git log -1 --format=%cd --date=format-local:%Y%m%d%H%M%S HEAD).${revision:0:12}
	[ "$modified" = true ] && pkgversion+=.dirty
else
	pkgversion=0.0.0~devel
fi

# What every package and tarball holds besides the binary, arch-independent.
stage=$out/stage
rm -rf "$stage"
mkdir -p "$stage/man" "$stage/completions" "$stage/systemd" "$stage/share"
for page in docs/man/*.1; do
	gzip -9n <"$page" >"$stage/man/$(basename "$page").gz"
done
"$runner" completion bash >"$stage/completions/gpupass.bash"
"$runner" completion zsh >"$stage/completions/_gpupass"
"$runner" completion fish >"$stage/completions/gpupass.fish"
for unit in deploy/systemd/gpupass-preflight.service deploy/systemd/gpupass-preflight.timer; do
	sed 's|/usr/local/bin/gpupass|/usr/bin/gpupass|g' "$unit" >"$stage/systemd/$(basename "$unit")"
done
cp deploy/prometheus/gpupass-alerts.yml deploy/grafana/gpupass-dashboard.json "$stage/share/"

for arch in "${ARCHES[@]}"; do
	# A release tarball: unpack it anywhere; the README's "From a release
	# binary" says where each file goes.
	name=gpupass-$version-linux-$arch
	tree=$out/$name
	rm -rf "$tree"
	mkdir -p "$tree/man" "$tree/completions" "$tree/systemd"
	cp "$out/linux-$arch/gpupass" "$tree/"
	cp docs/man/*.1 "$tree/man/"
	cp "$stage/completions/"* "$tree/completions/"
	cp deploy/systemd/gpupass-preflight.service deploy/systemd/gpupass-preflight.timer "$tree/systemd/"
	cp "$stage/share/"* "$tree/"
	tar -C "$out" --sort=name --owner=0 --group=0 --numeric-owner --mtime="${committime:-1970-01-01T00:00:00Z}" -czf "$out/$name.tar.gz" "$name"
	rm -rf "$tree"

	for packager in deb rpm; do
		echo "build.sh: $packager $arch $pkgversion" >&2
		GPUPASS_VERSION=$pkgversion GPUPASS_ARCH=$arch GPUPASS_BIN=$out/linux-$arch/gpupass GPUPASS_STAGE=$stage \
			go run "$NFPM" package --config packaging/nfpm.yaml --packager "$packager" --target "$out/" >&2
	done
done
rm -rf "$stage" "$out/gpupass-host"
(cd "$out" && sha256sum ./*.tar.gz ./*.deb ./*.rpm linux-*/gpupass | sed 's| \./| |' >SHA256SUMS)
ls -l "$out" >&2
