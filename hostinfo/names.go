package hostinfo

import (
	"errors"
	"io/fs"
	"os"

	"github.com/jaypipes/pcidb"
)

// pciIDsPaths are where distributions install the PCI ID database, in the
// order pciutils and ghw look for it.
var pciIDsPaths = []string{
	"/usr/share/hwdata/pci.ids",
	"/usr/share/misc/pci.ids",
	"/usr/share/hwdata/pci.ids.gz",
	"/usr/share/misc/pci.ids.gz",
}

// names fills vendor and model names from pci.ids. The database is looked
// up under the root only, never on the machine running gpupass, so a
// captured host reads the same everywhere; override reads a given file.
//
// pcidb's own discovery is not used: it would look in the user's cache
// first and, when told to by the environment, fetch the database from the
// network and write it to that cache.
func (c *collector) names(override string) {
	dbPath := override
	if dbPath == "" {
		for _, p := range pciIDsPaths {
			resolved, err := c.fs.Resolve(p)
			if err == nil {
				dbPath = c.fs.Path(resolved)
				c.host.PCIIDs = p
				break
			}
		}
		if dbPath == "" {
			c.note(pciIDsPaths[1], "no pci.ids database under the root: devices are listed without vendor and model names (install pci.ids or hwdata, or pass --pci-ids)")
			return
		}
	} else {
		if _, err := os.Stat(override); err != nil {
			c.note(override, "%s: devices are listed without names", describeErr(err))
			return
		}
		c.host.PCIIDs = override
	}
	// Without an explicit false, PCIDB_ENABLE_NETWORK_FETCH in the
	// environment makes pcidb download the database into ~/.cache when
	// dbPath is missing.
	noFetch := false
	db, err := pcidb.New(pcidb.WithPath(dbPath), &pcidb.WithOption{EnableNetworkFetch: &noFetch})
	if err != nil {
		msg := err.Error()
		if errors.Is(err, fs.ErrNotExist) {
			msg = "missing"
		}
		c.note(c.host.PCIIDs, "%s: devices are listed without names", msg)
		c.host.PCIIDs = ""
		return
	}
	for i := range c.host.Devices {
		d := &c.host.Devices[i]
		if v := db.Vendors[d.VendorID]; v != nil {
			d.VendorName = v.Name
		}
		if p := db.Products[d.VendorID+d.DeviceID]; p != nil {
			d.Model = p.Name
		}
	}
}
