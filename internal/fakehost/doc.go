// Package fakehost owns gpupass's fake hosts: compact Go descriptions of
// Linux compute nodes (CPU, kernel, modules, IOMMU, PCI tree) and a builder
// that writes each one as a root filesystem laid out exactly as the kernel
// lays out sysfs and procfs. There is no GPU on the machines gpupass is
// developed and tested on, so the reader (hostinfo) is proved against these
// trees; they must therefore be faithful in the details a reader depends
// on: the real directory hierarchy of /sys/devices, relative symlinks with
// the right depth, attribute files formatted as the kernel formats them,
// binary config space that lspci can decode.
//
// The package also owns the committed fixtures under testdata/hosts
// (Fixtures, regenerated with `go test ./internal/fakehost -run
// TestFixtures -update`) and Synthetic, a big host of any size for
// benchmarks.
//
// A Host is plain data: build one from the helper constructors (RootPort,
// Switch, NVMe, ConnectX, ASPEEDBMC, …) so that a fixture reads like a
// description of the machine, then call AssignIOMMUGroups to number the
// IOMMU groups the way the kernel would, and Build to write the tree.
package fakehost
