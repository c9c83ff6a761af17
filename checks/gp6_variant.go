package checks

import (
	"fmt"

	"github.com/gpupass/gpupass/openstack/novarelease"
	"github.com/gpupass/gpupass/pcidev"
	"github.com/gpupass/gpupass/report"
)

// VariantDriver is GP612.
var VariantDriver = &Check{
	ID: "GP612", Name: "variant-driver", Severity: report.Info, Needs: []Input{NeedHost},
	Doc: Doc{
		Summary: "The devices on vfio-pci variant drivers (nvgrace_gpu_vfio_pci, mlx5_vfio_pci, ...), and what Nova needs to pass them through.",
		Why:     "A vfio-pci variant driver is a VFIO driver of its own, built on vfio_pci_core, that adds what its device needs (a Grace Hopper GPU's device memory, live migration). A device on one is ready for a guest as it is. Nova by default asks libvirt to manage the device (managed='yes': detach it from its host driver before the guest starts, give it back after), which is not what these devices want; Nova's documentation warns that getting this wrong \"may result in compute node crashes\". Nova 2025.1 (Epoxy) added the device_spec tag \"managed\": \"no\" for them: Nova then assumes \"the devices are already bound to vfio-pci or an appropriate variant driver\".",
		Fix:     "Give each such device a [pci]device_spec entry with \"managed\": \"no\" (Nova 2025.1 or later), and keep it bound to its variant driver at every boot with a driverctl override (driverctl set-override ADDRESS DRIVER).",
		Links: []string{
			"https://docs.openstack.org/nova/latest/admin/pci-passthrough.html",
			"https://specs.openstack.org/openstack/nova-specs/specs/2025.1/implemented/enable-vfio-devices-with-kernel-variant-drivers.html",
			"https://docs.kernel.org/driver-api/vfio-pci-device-specific-driver-acceptance.html",
		},
	},
	Run: runVariantDriver,
}

// managedRelease is the first Nova release with the device_spec tag
// "managed" (31.0.0, 2025.1 Epoxy: admin/pci-passthrough.rst,
// versionchanged 31.0.0).
var managedRelease = novarelease.Release{Name: "2025.1", Codename: "epoxy", Major: 31}

// runVariantDriver is GP612's Run.
func runVariantDriver(p *Pass) error {
	h := p.Inputs.Host
	found := false
	rel := p.Inputs.NovaRelease
	for i := range h.Devices {
		d := &h.Devices[i]
		if !pcidev.IsVFIOVariantDriver(d.Driver) {
			continue
		}
		found = true
		what := pcidev.VariantDriverPurpose(d.Driver)
		if what != "" {
			what = " (" + what + ")"
		}
		need := "Nova 2025.1 and later pass it through when its [pci]device_spec entry says \"managed\": \"no\"; Nova then leaves its binding to the host, as it must."
		if rel.Name != "" {
			if rel.AtLeast(managedRelease) {
				need = fmt.Sprintf("Nova %s passes it through when its [pci]device_spec entry says \"managed\": \"no\"; Nova then leaves its binding to the host, as it must.", rel.Name)
			} else {
				need = fmt.Sprintf("Nova %s has no \"managed\" tag (it came in 2025.1): it always asks libvirt to detach and re-attach the device, which Nova's documentation warns may crash the compute node. Pass it through from Nova 2025.1 on, with \"managed\": \"no\" in its [pci]device_spec entry.", rel.Name)
			}
		}
		p.Report(report.Finding{
			Subject:     deviceSubject(d),
			Message:     fmt.Sprintf("%s is on the vfio-pci variant driver %s%s: it is ready for a guest as it is. %s", pcidev.Describe(d), d.Driver, what, need),
			Remediation: fmt.Sprintf("Admit it with a [pci]device_spec entry such as {\"address\": \"%s\", \"managed\": \"no\"}, and keep it on %s at every boot (`driverctl set-override %s %s`).", d.Address, d.Driver, d.Address, d.Driver),
			Evidence:    map[string]any{"driver": d.Driver, "driver_override": d.DriverOverride, "nova_release": rel.Name},
		})
	}
	if !found {
		p.Skipf("no device is on a vfio-pci variant driver")
	}
	return nil
}
