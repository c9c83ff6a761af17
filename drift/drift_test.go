package drift

import (
	"slices"
	"testing"

	"github.com/gpupass/gpupass/hostinfo"
	"github.com/gpupass/gpupass/openstack/novaconf"
	"github.com/gpupass/gpupass/report"
)

func TestWatchedParams(t *testing.T) {
	for key, class := range map[string]string{
		"intel_iommu": "iommu", "iommu": "iommu-mode", "iommu.passthrough": "iommu-mode",
		"vfio-pci.ids": "claim", "vfio_pci.disable_vga": "claim", "pcie_acs_override": "isolation",
		"nointremap": "intremap", "video": "console", "root": "", "BOOT_IMAGE": "", "vfio_pcix": "",
	} {
		rule, ok := WatchedParam(key)
		if ok != (class != "") || rule.Class != class {
			t.Errorf("WatchedParam(%q) = %+v, %v; want class %q", key, rule, ok, class)
		}
	}
	m, order := WatchedParams(hostinfo.ParseCmdline("root=/dev/sda1 vfio-pci.ids=10de:2330 intel_iommu=on vfio_pci.ids=10de:22a3 quiet"))
	if !slices.Equal(order, []string{"vfio_pci.ids", "intel_iommu"}) || len(m["vfio_pci.ids"]) != 2 {
		t.Errorf("order %v, params %v", order, m)
	}
	a := hostinfo.ParseCmdline("vfio-pci.ids=1:2").Params
	b := hostinfo.ParseCmdline("vfio_pci.ids=1:2").Params
	c := hostinfo.ParseCmdline("vfio_pci.ids=1:3").Params
	if !SameParams(a, b) || SameParams(a, c) {
		t.Error("SameParams must read - as _ and compare values")
	}
	if !TurnsOff(hostinfo.ParseCmdline("intel_iommu=sm_on,off").Params, "intel_iommu") || TurnsOff(hostinfo.ParseCmdline("intel_iommu=on").Params, "intel_iommu") {
		t.Error("TurnsOff")
	}
}

func TestModuleKind(t *testing.T) {
	for m, kind := range map[string]string{"nvidia_uvm": "gpu", "xe": "gpu", "vfio-pci": "vfio", "mlx5_vfio_pci": "vfio", "iommufd": "vfio", "kvm_amd": "kvm", "ext4": ""} {
		if got := ModuleKind(m); got != kind {
			t.Errorf("ModuleKind(%q) = %q, want %q", m, got, kind)
		}
	}
}

func TestConfEntriesCompareByMeaning(t *testing.T) {
	conf := func(values ...string) *report.ConfReport {
		c := &report.ConfReport{}
		for _, v := range values {
			c.Options = append(c.Options, report.ConfOption{Option: "[pci]alias", Value: v, Source: "/etc/nova/nova.conf:3"})
		}
		return c
	}
	before := ConfEntries(conf(`{"name": "a", "vendor_id": "10de"}`, `{"name": "b"}`, `{"name": "b"}`), novaconf.OptAlias)
	after := ConfEntries(conf(`{"vendor_id":"10de","name":"a"}`, `{"name": "b"}`, "not  json"), novaconf.OptAlias)
	if got := EntryValues(EntryDiff(before, after)); !slices.Equal(got, []string{`{"name": "b"}`}) {
		t.Errorf("removed %v (a reordered object is the same; a repeated value counts twice)", got)
	}
	if got := EntryValues(EntryDiff(after, before)); !slices.Equal(got, []string{"not  json"}) {
		t.Errorf("added %v", got)
	}
	if CanonicalValue(" a   b ") != "a b" {
		t.Error("CanonicalValue of text")
	}
}
