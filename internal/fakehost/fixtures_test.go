package fakehost

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/hosts from Fixtures()")

// hostsDir holds the committed fixtures, relative to this package.
const hostsDir = "../../testdata/hosts"

// hostsGoMod makes testdata/hosts a module of its own, so that its trees
// (whose file names hold ':') stay out of the main module's zip.
const hostsGoMod = "module github.com/gpupass/gpupass/testdata/hosts\n\ngo 1.26\n"

// captured are trees copied from real machines with hack/capture-host.sh,
// not generated: -update keeps them and the spec comparison skips them.
var captured = []struct{ name, description string }{
	{"real-firecracker-vm", "captured from the Firecracker micro-VM gpupass is developed on (AMD EPYC, Linux 6.18, no module support, virtio devices, no IOMMU, /dev/kvm without the svm flag) with hack/capture-host.sh; proves the reader on a real sysfs; GP101 warning, GP102 iommu-firmware and GP106 vfio-modules"},
}

func isCaptured(name string) bool {
	for _, c := range captured {
		if c.name == name {
			return true
		}
	}
	return false
}

func hostsREADME() string {
	var sb strings.Builder
	sb.WriteString("# Fixture hosts\n\n")
	sb.WriteString("Root filesystems of fake compute nodes, laid out as the kernel lays out sysfs and\n")
	sb.WriteString("procfs, for reading with `--root DIR`. Each is generated from a Go spec in\n")
	sb.WriteString("`internal/fakehost` (`Fixtures()`); do not edit them by hand. Regenerate with\n\n")
	sb.WriteString("    go test ./internal/fakehost -run TestFixtures -update\n\n")
	sb.WriteString("Without `-update` the same test fails, with a diff, when a tree here differs from\n")
	sb.WriteString("its spec. Device files (`dev/kvm`, `dev/vfio/*`) are empty regular files: git\n")
	sb.WriteString("cannot store device nodes. `quirks` holds a deliberate symlink loop: walk these\n")
	sb.WriteString("trees with Lstat/Readlink. The `go.mod` here keeps them out of the main module.\n")
	sb.WriteString("Git keeps no empty directory, so a clone lacks the empty ones Build makes\n")
	sb.WriteString("(`holders/`, an empty `/sys/class/iommu`); the reader treats both alike.\n\n")
	for _, f := range Fixtures() {
		fmt.Fprintf(&sb, "- `%s`: %s.\n", f.Name, f.Description)
	}
	sb.WriteString("\nCaptured from real machines (kept by -update; re-capture with hack/capture-host.sh):\n\n")
	for _, c := range captured {
		fmt.Fprintf(&sb, "- `%s`: %s.\n", c.name, c.description)
	}
	sb.WriteString(vgpuREADME)
	sb.WriteString(numaREADME)
	return sb.String()
}

// numaREADME says where the fixtures' NUMA layout comes from.
const numaREADME = `
NUMA layout (issue 14): every fixture has, under /sys/devices/system/node, one
nodeN per NUMA node with cpulist (the node's CPUs, as the kernel's %*pbl
prints them), meminfo ("Node N MemTotal: <kB> kB"; MemTotal split evenly
over the nodes) and hugepages/hugepages-<size>kB/{nr,free,surplus}_hugepages
for the sizes the CPU supports (2 MiB, and 1 GiB with pdpe1gb on x86; arm64's
by page size), all 0 pages unless the spec reserves some; and
/sys/devices/system/cpu/online. The formats are the kernel's:
Documentation/ABI/stable/sysfs-devices-node (cpulist, meminfo),
Documentation/admin-guide/mm/hugetlbpage.rst (the per-node hugepages
directories), Documentation/ABI/testing/sysfs-devices-system-cpu (online).
Each CPU has topology/physical_package_id, its socket
(Documentation/ABI/stable/sysfs-devices-system-cpu), so each node has a
socket: its CPUs' package, as libvirt reads it for a cell.
Each device's numa_node is a node whose cpulist is its local_cpulist
(TestFixtureNUMALayout). ` + "`l40s-numa`" + ` is the host of issue 14's boot run: two
nodes of 32 CPUs and 250 GiB, two GPUs on each.
`

func TestFixtures(t *testing.T) {
	fixtures := Fixtures()
	if *update {
		if err := os.MkdirAll(hostsDir, 0o755); err != nil {
			t.Fatal(err)
		}
		entries, err := os.ReadDir(hostsDir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if e.IsDir() && !isCaptured(e.Name()) {
				if err := os.RemoveAll(filepath.Join(hostsDir, e.Name())); err != nil {
					t.Fatal(err)
				}
			}
		}
		for _, f := range fixtures {
			if err := f.Host.Build(filepath.Join(hostsDir, f.Name)); err != nil {
				t.Fatalf("%s: %v", f.Name, err)
			}
		}
		for name, content := range map[string]string{"go.mod": hostsGoMod, "README.md": hostsREADME()} {
			if err := os.WriteFile(filepath.Join(hostsDir, name), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return
	}
	for name, want := range map[string]string{"go.mod": hostsGoMod, "README.md": hostsREADME()} {
		got, err := os.ReadFile(filepath.Join(hostsDir, name))
		if err != nil || string(got) != want {
			t.Errorf("testdata/hosts/%s is out of date (err %v); run go test ./internal/fakehost -run TestFixtures -update", name, err)
		}
	}
	known := map[string]bool{}
	for _, f := range fixtures {
		known[f.Name] = true
	}
	entries, _ := os.ReadDir(hostsDir)
	for _, e := range entries {
		if e.IsDir() && !known[e.Name()] && !isCaptured(e.Name()) {
			t.Errorf("testdata/hosts/%s is not a fixture of Fixtures(); run with -update to remove it", e.Name())
		}
	}
	for _, f := range fixtures {
		t.Run(f.Name, func(t *testing.T) {
			committed := filepath.Join(hostsDir, f.Name)
			if _, err := os.Stat(committed); err != nil {
				t.Fatalf("%v; run go test ./internal/fakehost -run TestFixtures -update", err)
			}
			want, err := readTree(committed)
			if err != nil {
				t.Fatal(err)
			}
			got, err := readTree(buildFixture(t, f))
			if err != nil {
				t.Fatal(err)
			}
			diffs := diffTrees(want, got)
			if len(diffs) > 0 {
				if len(diffs) > 40 {
					diffs = append(diffs[:40], fmt.Sprintf("… and %d more", len(diffs)-40))
				}
				t.Errorf("testdata/hosts/%s differs from its spec (run with -update to regenerate):\n%s", f.Name, strings.Join(diffs, "\n"))
			}
		})
	}
}

func TestFixtureNames(t *testing.T) {
	want := []string{"h100-hgx", "turing-workstation", "vtd-off-firmware", "iommu-off-kernel", "nouveau-no-vfio",
		"nvme-shared-group", "epyc-mi210", "a100-sriov", "boot-vga-gpu", "acs-override", "quirks", "l40s-numa",
		"v100-mdev", "a40-sriov-mdev", "l40s-vendor-vfio", "gh200-nvgrace",
		"a40-mdev-type-names", "a40-mdev-addresses-invalid", "v100-mdev-zed-ambiguous", "a40-mdev-capacity",
		"a40-vgpu-stack-missing", "l40s-vendor-misconfigured", "l40s-managed-mismatch", "l40s-managed-old-nova",
		"l40s-livemig-bookworm", "l40s-placement-mix", "gh200-no-smmu"}
	got := Fixtures()
	if len(got) != len(want) {
		t.Fatalf("%d fixtures, want %d", len(got), len(want))
	}
	for i, f := range got {
		if f.Name != want[i] {
			t.Errorf("fixture %d is %q, want %q", i, f.Name, want[i])
		}
	}
}
