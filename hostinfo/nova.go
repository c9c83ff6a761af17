package hostinfo

import (
	"path"
	"sort"
	"strings"
)

// NovaInstall is the Nova found installed under the root.
type NovaInstall struct {
	// Version is the Python package version (26.2.1); "" when none found.
	Version string
	// Path is the package metadata it was read from.
	Path string
}

// novaMetadataGlobs are where distribution packages, kolla images and
// openstack-ansible venvs install Nova's Python metadata.
var novaMetadataGlobs = []string{
	"/usr/lib/python3/dist-packages/nova-*-info",
	"/usr/lib/python3*/site-packages/nova-*-info",
	"/usr/local/lib/python3*/*-packages/nova-*-info",
	"/var/lib/kolla/venv/lib/python3*/site-packages/nova-*-info",
	"/openstack/venvs/nova-*/lib/python3*/site-packages/nova-*-info",
}

func (c *collector) nova() {
	for _, pattern := range novaMetadataGlobs {
		matches := c.fs.Glob(pattern)
		sort.Strings(matches)
		for i := len(matches) - 1; i >= 0; i-- {
			if v := ParseNovaMetadataDir(path.Base(matches[i])); v != "" {
				c.host.Nova = NovaInstall{Version: v, Path: matches[i]}
				return
			}
		}
	}
}

// ParseNovaMetadataDir takes the version from a Python metadata directory
// name: nova-26.2.1.dist-info, nova-26.2.1-py3.11.egg-info.
func ParseNovaMetadataDir(name string) string {
	rest, ok := strings.CutPrefix(name, "nova-")
	if !ok {
		return ""
	}
	for _, suffix := range []string{".dist-info", ".egg-info"} {
		if v, ok := strings.CutSuffix(rest, suffix); ok {
			v, _, _ = strings.Cut(v, "-py")
			if v != "" && v[0] >= '0' && v[0] <= '9' {
				return v
			}
		}
	}
	return ""
}
