#!/usr/bin/env bash
# Capture the files gpupass reads from a host into a tree that
# `gpupass preflight --root OUT` reads like the host itself: a test fixture
# from a real machine. Symlinks are recreated with their real (relative)
# targets; device nodes become empty files; ACPI tables become empty files
# (only their presence matters and their content is root-only).
#
# Usage: hack/capture-host.sh OUT [ROOT]
# Reads only; writes only under OUT. (gpupass snapshot will do this in Go.)
set -euo pipefail
out=${1:?usage: capture-host.sh OUT [ROOT]}
src=${2:-}
mkdir -p "$out"

copy() { # copy a regular file's content, if readable
  local p=$1
  [ -f "$src$p" ] && [ -r "$src$p" ] || return 0
  mkdir -p "$out$(dirname "$p")"
  cat "$src$p" >"$out$p" 2>/dev/null || rm -f "$out$p"
}
link() { # recreate a symlink with the same target
  local p=$1
  [ -L "$src$p" ] || return 0
  mkdir -p "$out$(dirname "$p")"
  ln -sfn "$(readlink "$src$p")" "$out$p"
}
touch_file() { mkdir -p "$out$(dirname "$1")"; : >"$out$1"; }

for p in /proc/cpuinfo /proc/cmdline /proc/modules /proc/meminfo \
  /proc/sys/kernel/hostname /proc/sys/kernel/osrelease /etc/hostname /etc/os-release; do
  copy "$p"
done
# merged-/usr systems have /lib -> usr/lib: keep the link, not a copy.
link /lib
for d in /etc/modprobe.d /run/modprobe.d /usr/local/lib/modprobe.d /usr/lib/modprobe.d /lib/modprobe.d /etc/driverctl.d; do
  [ -d "$src$d" ] || continue
  [ -L "$out/lib" ] && [ "${d#/lib/}" != "$d" ] && continue
  for f in "$src$d"/*; do [ -e "$f" ] && copy "$d/$(basename "$f")"; done
done
for p in /dev/kvm /dev/vfio/vfio; do [ -e "$src$p" ] && touch_file "$p"; done
if [ -d "$src/dev/vfio" ]; then for f in "$src"/dev/vfio/*; do [ -e "$f" ] && touch_file "/dev/vfio/$(basename "$f")"; done; fi
if [ -d "$src/sys/firmware/acpi/tables" ]; then
  for f in "$src"/sys/firmware/acpi/tables/*; do [ -f "$f" ] && touch_file "/sys/firmware/acpi/tables/$(basename "$f")"; done
fi
rel=$(cat "$src/proc/sys/kernel/osrelease" 2>/dev/null || true)
[ -n "$rel" ] && copy "/lib/modules/$rel/modules.builtin"

mkdir -p "$out/sys/class/iommu" "$out/sys/kernel/iommu_groups" "$out/sys/bus/pci/devices"
for u in "$src"/sys/class/iommu/*; do
  [ -L "$u" ] || continue
  name=$(basename "$u"); link "/sys/class/iommu/$name"
  for a in cap ecap version; do
    t=$(cd "$u/intel-iommu" 2>/dev/null && pwd -P) || break
    copy "${t#"$src"}/$a"
  done
done
for g in "$src"/sys/kernel/iommu_groups/*; do
  [ -d "$g" ] || continue
  id=$(basename "$g"); copy "/sys/kernel/iommu_groups/$id/type"
  mkdir -p "$out/sys/kernel/iommu_groups/$id/devices"
  for d in "$g"/devices/*; do [ -L "$d" ] && link "/sys/kernel/iommu_groups/$id/devices/$(basename "$d")"; done
done
for n in "$src"/sys/devices/system/node/node*; do
  [ -d "$n" ] || continue
  copy "/sys/devices/system/node/$(basename "$n")/cpulist"
done
copy /sys/devices/system/node/online
copy /sys/devices/system/node/possible
for m in vfio vfio_pci vfio_pci_core vfio_iommu_type1 pci_stub kvm kvm_intel kvm_amd nvidia nouveau amdgpu radeon i915 xe; do
  [ -d "$src/sys/module/$m" ] || continue
  mkdir -p "$out/sys/module/$m"
  # All parameters, as they are: a built-in module's directory may hold
  # nothing else, and git drops empty directories (the directory without
  # initstate is how gpupass tells a built-in module).
  copy "/sys/module/$m/initstate"
  if [ -d "$src/sys/module/$m/parameters" ]; then
    for p in "$src/sys/module/$m/parameters"/*; do [ -f "$p" ] && copy "/sys/module/$m/parameters/$(basename "$p")"; done
  fi
done

ids=""
for l in "$src"/sys/bus/pci/devices/*; do
  [ -L "$l" ] || continue
  addr=$(basename "$l"); link "/sys/bus/pci/devices/$addr"
  real=$(cd "$l" && pwd -P); dev=${real#"$src"}
  mkdir -p "$out$dev"
  for a in vendor device class subsystem_vendor subsystem_device revision numa_node irq enable \
    local_cpulist local_cpus modalias driver_override boot_vga reset_method resource config \
    sriov_totalvfs sriov_numvfs sriov_offset sriov_stride sriov_vf_device; do
    copy "$dev/$a"
  done
  for a in driver iommu_group physfn subsystem; do link "$dev/$a"; done
  for v in "$real"/virtfn*; do [ -L "$v" ] && link "$dev/$(basename "$v")"; done
  if [ -L "$real/driver" ]; then
    drv=$(basename "$(readlink "$real/driver")")
    mkdir -p "$out/sys/bus/pci/drivers/$drv"
    link "/sys/bus/pci/drivers/$drv/$addr"
  fi
  ids="$ids $(sed 's/^0x//' "$real/vendor"):$(sed 's/^0x//' "$real/device")"
done

# A pci.ids excerpt: the header, and the vendor and device lines of the IDs
# present (the whole database is 1.3 MB).
db=""
for p in /usr/share/hwdata/pci.ids /usr/share/misc/pci.ids; do [ -f "$src$p" ] && db="$src$p" && break; done
if [ -n "$db" ]; then
  mkdir -p "$out/usr/share/misc"
  awk -v ids="$ids" '
    BEGIN { n = split(ids, a, " "); for (i = 1; i <= n; i++) { split(a[i], p, ":"); v[p[1]] = 1; d[p[1] ":" p[2]] = 1 } }
    /^#/ && !body { print; next }
    /^[0-9a-f][0-9a-f][0-9a-f][0-9a-f]  / { body = 1; cur = substr($0, 1, 4); if (cur in v) print; next }
    /^\t[0-9a-f][0-9a-f][0-9a-f][0-9a-f]  / { if ((cur ":" substr($0, 2, 4)) in d) print; next }
    /^C / { exit }
  ' "$db" >"$out/usr/share/misc/pci.ids"
fi
echo "captured $(find "$out" | wc -l) paths into $out"
