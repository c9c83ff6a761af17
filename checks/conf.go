package checks

import (
	"github.com/gpupass/gpupass/openstack/novaconf"
)

// pciInPlacementOf reads [filter_scheduler]pci_in_placement from the
// scheduler's configuration: --api-conf when given; the linted file
// itself; unknown for a compute node's own configuration.
func pciInPlacementOf(in *Inputs) *bool {
	var c *novaconf.Set
	switch {
	case in.APIConf != nil && in.APIConf.Config != nil:
		c = in.APIConf
	case in.NovaConf != nil && in.NovaConf.Config != nil && in.NovaConf.Role == "lint":
		c = in.NovaConf
	default:
		return nil
	}
	b, _ := c.Bool(novaconf.OptPCIInPlacement)
	return &b
}
