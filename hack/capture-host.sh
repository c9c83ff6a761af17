#!/usr/bin/env bash
# Capture the files gpupass reads from a host into a tree that
# `gpupass preflight --root OUT` reads like the host itself: a test fixture
# from a real machine. This is `gpupass snapshot` unpacked: exactly the
# paths preflight uses, symlinks with relative targets, device nodes and
# ACPI tables as empty files, nova.conf secrets redacted. The manifest
# (what could not be read, what was redacted) is printed, not kept.
#
# Usage: hack/capture-host.sh OUT [ROOT]
# Reads only; writes only under OUT. Run it as root to capture everything.
set -euo pipefail
out=${1:?usage: capture-host.sh OUT [ROOT]}
src=${2:-/}
cd "$(dirname "$0")/.."
mkdir -p "$out"
go run ./cmd/gpupass snapshot --root "$src" -o - |
  tar -xz -C "$out" --strip-components=2 gpupass-snapshot/root
echo "captured into $out"
