package fakehost

// The fixtures' nova.conf files: each exists to show one nova.conf check
// firing (and the others staying silent). Fixture files are 0644 in git,
// so a nova.conf that holds a password is world-readable (GP314).
var novaConfs = map[string]map[string]string{
	// Valid, with a multi-line JSON alias and a conf.d file that overrides
	// virt_type from nova.conf.
	"h100-hgx": {
		"etc/nova/nova.conf": "[DEFAULT]\nhost = gpu-h100-07\ncompute_driver = libvirt.LibvirtDriver\n\n" +
			"[pci]\ndevice_spec = {\"vendor_id\": \"10de\", \"product_id\": \"2330\"}\n\n" +
			"[libvirt]\nvirt_type = qemu\ncpu_mode = host-passthrough\n",
		"etc/nova/nova.conf.d/50-gpu.conf": "# GPU passthrough, managed by configuration management\n[pci]\n" +
			"alias = {\n  \"name\": \"h100\",\n  \"vendor_id\": \"10de\",\n  \"product_id\": \"2330\",\n  \"device_type\": \"type-PCI\",\n  \"numa_policy\": \"preferred\"\n  }\n\n" +
			"[libvirt]\n# this file wins over nova.conf\nvirt_type = kvm\n",
	},
	// The pre-Zed option names.
	"turing-workstation": {
		"etc/nova/nova.conf": "[DEFAULT]\npci_alias = {\"name\": \"rtx2080ti\", \"vendor_id\": \"10de\", \"product_id\": \"1e07\", \"device_type\": \"type-PCI\"}\n\n" +
			"[pci]\npassthrough_whitelist = {\"vendor_id\": \"10de\", \"product_id\": \"1e07\"}\n",
	},
	// A resource_class without report_in_placement.
	"vtd-off-firmware": {
		"etc/nova/nova.conf": "[pci]\ndevice_spec = {\"vendor_id\": \"10de\", \"product_id\": \"1eb8\", \"resource_class\": \"CUSTOM_T4\"}\n" +
			"alias = {\"name\": \"t4\", \"vendor_id\": \"10de\", \"product_id\": \"1eb8\"}\n",
	},
	// An alias without a name, which Nova rejects.
	"iommu-off-kernel": {
		"etc/nova/nova.conf": "[pci]\ndevice_spec = {\"vendor_id\": \"10de\", \"product_id\": \"1eb8\"}\n" +
			"alias = {\"vendor_id\": \"10de\", \"product_id\": \"1eb8\", \"device_type\": \"type-PCI\"}\n",
	},
	// A product_id typo (1eb2 for the Quadro RTX 4000's 1eb1).
	"nouveau-no-vfio": {
		"etc/nova/nova.conf": "[pci]\ndevice_spec = {\"vendor_id\": \"10de\", \"product_id\": \"1eb2\"}\n" +
			"alias = {\"name\": \"rtx4000\", \"vendor_id\": \"10de\", \"product_id\": \"1eb1\", \"device_type\": \"type-PCI\"}\n",
	},
	// {} offers every device of the host.
	"nvme-shared-group": {
		"etc/nova/nova.conf": "[pci]\ndevice_spec = {}\nalias = {\"name\": \"l40s\", \"vendor_id\": \"10de\", \"product_id\": \"26b9\"}\n",
	},
	// An all-in-one node whose scheduler lacks PciPassthroughFilter.
	"epyc-mi210": {
		"etc/nova/nova.conf": "[filter_scheduler]\nenabled_filters = ComputeFilter,ComputeCapabilitiesFilter,ImagePropertiesFilter\n\n" +
			"[pci]\ndevice_spec = {\"vendor_id\": \"1002\", \"product_id\": \"740f\"}\n" +
			"alias = {\"name\": \"mi210\", \"vendor_id\": \"1002\", \"product_id\": \"740f\", \"device_type\": \"type-PCI\"}\n",
	},
	// A type-PCI alias for an SR-IOV-capable A100, which Nova calls type-PF.
	"a100-sriov": {
		"etc/nova/nova.conf": "[pci]\ndevice_spec = {\"vendor_id\": \"10de\", \"product_id\": \"20b2\"}\n" +
			"alias = {\"name\": \"a100\", \"vendor_id\": \"10de\", \"product_id\": \"20b2\", \"device_type\": \"type-PCI\"}\n",
	},
	// Passwords in a world-readable nova.conf.
	"boot-vga-gpu": {
		"etc/nova/nova.conf": "[DEFAULT]\ntransport_url = rabbit://nova:Rabb1tPassw0rd@controller:5672/\n\n" +
			"[keystone_authtoken]\nauth_url = http://controller:5000/v3\nusername = nova\npassword = K3ystonePassw0rd\n\n" +
			"[pci]\ndevice_spec = {\"vendor_id\": \"10de\", \"product_id\": \"2230\"}\n" +
			"alias = {\"name\": \"a6000\", \"vendor_id\": \"10de\", \"product_id\": \"2230\", \"device_type\": \"type-PCI\"}\n",
	},
	// virt_type = qemu on a test rig.
	"acs-override": {
		"etc/nova/nova.conf": "[libvirt]\nvirt_type = qemu\n\n[pci]\ndevice_spec = {\"vendor_id\": \"10de\", \"product_id\": \"2206\"}\n",
	},
	// Issue 14's NUMA host: all CPUs shared and pinnable (no cpu sets), an
	// alias whose guests must take GPUs on their own NUMA nodes.
	"l40s-numa": {
		"etc/nova/nova.conf": "[DEFAULT]\nhost = cmp-l40s-numa-01\nreserved_host_memory_mb = 8192\n\n" +
			"[pci]\ndevice_spec = {\"vendor_id\": \"10de\", \"product_id\": \"26b9\"}\n" +
			"alias = {\"name\": \"l40s\", \"vendor_id\": \"10de\", \"product_id\": \"26b9\", \"device_type\": \"type-PCI\", \"numa_policy\": \"required\"}\n",
	},
	// Reader edge cases: an inline comment, and unterminated JSON over
	// continuation lines.
	"quirks": {
		"etc/nova/nova.conf": "[libvirt]\nvirt_type = kvm # KVM, please\n\n" +
			"[pci]\ndevice_spec = {\"vendor_id\": \"10de\",\n    \"product_id\": \"2204\"\n",
	},
}

// withNovaConf adds a fixture's nova.conf files to its host.
func withNovaConf(name string, h *Host) *Host {
	for path, content := range novaConfs[name] {
		if h.Files == nil {
			h.Files = map[string]string{}
		}
		h.Files[path] = content
	}
	return h
}
